"""A local name no statement of the function uses yet, for the AST rewrites before lowering
(element_aliases' key variables, inline_functions' renamed locals)."""

from __future__ import annotations


def fresh_name(name: str, taken: set) -> str:
    """`name`, or `name2`, `name3`, ... : the first not in `taken` (which then holds it)."""
    candidate, count = name, 1
    while candidate in taken:
        count += 1
        candidate = f"{name}{count}"
    taken.add(candidate)
    return candidate
