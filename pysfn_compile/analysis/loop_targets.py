"""A `for` loop's nested target, unpacked by an assignment at the start of its body:

    for rank, (player, points) in enumerate(ranked):      for rank, player_points in enumerate(ranked):
        ...                                         ->        player, points = player_points
                                                              ...

Python's meaning exactly: Python assigns the target, left to right, before the body runs,
an inner tuple that does not fit raising there (after the names before it are assigned), and
`continue` goes on to the next item, which assigns it again. Deeper nesting takes one
assignment per level. Nested targets of comprehensions are left as written.
"""

from __future__ import annotations

import ast

from .fresh_names import fresh_name


def rewrite(body: list[ast.stmt]) -> None:
    """Flatten, in place, the nested targets of the `for` loops of `body` (nested blocks
    included; nested functions are rewritten when they are lowered)."""
    taken = {node.id for statement in body for node in ast.walk(statement) if isinstance(node, ast.Name)}
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, (ast.For, ast.AsyncFor)) and _nested(node.target):
                node.target, unpacking = _flat(node.target, taken)
                node.body[:0] = unpacking


def _nested(target: ast.expr) -> bool:
    return isinstance(target, (ast.Tuple, ast.List)) and any(
        isinstance(_bare(element), (ast.Tuple, ast.List)) for element in target.elts)


def _bare(element: ast.expr) -> ast.expr:
    return element.value if isinstance(element, ast.Starred) else element


def _flat(target: ast.expr, taken: set) -> tuple[ast.expr, list[ast.stmt]]:
    """`target` with each tuple inside it a fresh name, and the assignments that unpack
    those names, in Python's order."""
    elements, unpacking = [], []
    for element in target.elts:
        inner = _bare(element)
        if not isinstance(inner, (ast.Tuple, ast.List)):
            elements.append(element)
            continue
        parts = [n.id for n in ast.walk(inner) if isinstance(n, ast.Name)]
        name = fresh_name("_".join(parts[:3]) or "item", taken)
        holder = ast.copy_location(ast.Name(id=name, ctx=ast.Store()), inner)
        elements.append(ast.copy_location(ast.Starred(value=holder, ctx=ast.Store()), element)
                        if isinstance(element, ast.Starred) else holder)
        source = ast.copy_location(ast.Name(id=name, ctx=ast.Load()), inner)
        flat, deeper = _flat(inner, taken) if _nested(inner) else (inner, [])
        unpacking += [ast.copy_location(ast.Assign(targets=[flat], value=source), inner), *deeper]
    flat_target = ast.copy_location(type(target)(elts=elements, ctx=ast.Store()), target)
    return flat_target, unpacking
