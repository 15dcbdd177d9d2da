"""Counters: variables that only ever count up by one from a small non-negative int.

A `for` loop's position, `i` of `for i in range(n)` and a user's `skipped += 1` that starts
at 0 are such variables. Two facts follow. A counter is always a non-negative integer (a
folded loop may read a list's item at it with `$lookup`, see pure_loops). And a counter that
starts at most at START_LIMIT never passes 2**53 in a real execution: each step up is a state
transition, or one step of a folded loop's evaluation (at most pure_loops.MAX_STEPS per
transition), and AWS ends an execution at 25,000 history events, so it counts up by far fewer
than 2**53 - START_LIMIT; its `x + 1` needs no check for an int JSON cannot hold.
"""

from __future__ import annotations

import re

from . import ir

START_LIMIT = 2 ** 32  # the largest literal a counter may start at, for `cannot_overflow`
_OVERFLOW = re.compile(r"\(?\$abs\(\(\$([A-Za-z_][A-Za-z0-9_]*) \+ 1\)\) > 9007199254740991\)?")


def counters(graphs: list, start_limit: int | None = None) -> frozenset:
    """The variables every Assign of the machine sets to a non-negative int literal (at most
    `start_limit`, if given), to itself plus 1, or to such a variable (`i` of
    `for i in range(n)`): the least such set."""
    values: dict[str, list] = {}
    for one in graphs:
        for node in ir.nodes(one):
            for edge in ir.edges(node):
                for name, value in (edge.assign or {}).items():
                    values.setdefault(name, []).append(value)
    found: set[str] = set()
    changed = True
    while changed:  # the least set: each name's values count given the names found so far
        changed = False
        for name in sorted(set(values) - found):
            if all(_counts(name, value, found, start_limit) for value in values[name]):
                found.add(name)
                changed = True
    return frozenset(found)


def cannot_overflow(condition: str, small_counters: frozenset) -> bool:
    """Whether `condition` is the check that a counter plus one fits in 2**53 (see above;
    `small_counters`: counters(graphs, START_LIMIT))."""
    match = _OVERFLOW.fullmatch(condition.strip())
    return match is not None and match.group(1) in small_counters


def _counts(name: str, value, found: set, start_limit: int | None) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return 0 <= value and (start_limit is None or value <= start_limit)
    if not isinstance(value, ir.Code):
        return False
    text = value.text.strip()
    alias = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", text)
    return text in (f"${name} + 1", f"(${name} + 1)") or (alias is not None and alias.group(1) in found)
