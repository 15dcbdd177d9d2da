"""A tuple assignment of items, one assignment per name, where that is Python's meaning:

    d, xs = p["d"], p["xs"]       ->      d = p["d"]
                                          xs = p["xs"]

so that element_aliases sees each name bound to an item (and `xs.remove(2)` then changes
`p["xs"]`, as in Python, instead of being refused for sharing).

Python evaluates every value, then binds the names in order. One at a time is the same when:
- the targets are distinct plain names and the value is a tuple display of as many values,
  each built of names, constants and subscripts only (no call: a nested function could read a
  name bound before it; no walrus);
- no value mentions a target (`a, b = b, a` reads the old `a` where the split would read the
  new one);
- no `try` in the function encloses the statement: a value that raises (KeyError) leaves the
  names before it unbound in Python, bound in the split; with no handler in the function the
  exception ends the run and nothing reads them.
Only statements with at least one item value are split; the rest keep their one state.
"""

from __future__ import annotations

import ast

from .ast_edits import SCOPES

_SIMPLE = (ast.Name, ast.Constant, ast.Subscript, ast.Load, ast.UnaryOp, ast.USub, ast.UAdd)


def rewrite(body: list[ast.stmt]) -> None:
    """Split, in place, the tuple assignments of `body` (not inside a try) that can be."""
    _block(body)


def _block(block: list[ast.stmt]) -> None:
    index = 0
    while index < len(block):
        statement = block[index]
        split = _split(statement)
        if split:
            block[index:index + 1] = split
            index += len(split)
            continue
        if not isinstance(statement, (ast.Try, ast.TryStar, *SCOPES)):
            for field in ("body", "orelse"):
                inner = getattr(statement, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    _block(inner)
            for case in getattr(statement, "cases", ()):
                _block(case.body)
        index += 1


def _split(statement: ast.stmt) -> list[ast.stmt] | None:
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
        return None
    targets, values = statement.targets[0], statement.value
    if not (isinstance(targets, (ast.Tuple, ast.List)) and isinstance(values, ast.Tuple)
            and len(targets.elts) == len(values.elts) > 1):
        return None
    names = [target.id for target in targets.elts if isinstance(target, ast.Name)]
    if len(names) != len(targets.elts) or len(set(names)) != len(names):
        return None
    if not any(isinstance(value, ast.Subscript) for value in values.elts):
        return None
    for node in (node for value in values.elts for node in ast.walk(value)):
        if not isinstance(node, _SIMPLE):  # (a slice too: its Slice node)
            return None
        if isinstance(node, ast.Name) and node.id in names:
            return None
    return [ast.copy_location(ast.Assign(targets=[ast.copy_location(ast.Name(id=name, ctx=ast.Store()), target)],
                                         value=value), statement)
            for name, target, value in zip(names, targets.elts, values.elts, strict=True)]
