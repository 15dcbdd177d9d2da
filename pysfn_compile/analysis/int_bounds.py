"""Bounds of an int expression known from its text alone: `(ord(c) - 97 + k) % 26 + 97` lies in
97..122 whatever `c` and `k` are, so `chr()` of it needs no range check.

The bounds hold where the expression's value is an int (a float result, `x % 26` of a float
x, is another check's business: chr() refuses it first). Only what the text fixes counts:
constants, `%` by a positive constant, `+ - *` of bounded parts, `ord()` and `len()` of the
builtins; anything else is unbounded.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

Bounds = tuple[int | None, int | None]  # (least, greatest); None: unbounded that way
UNBOUNDED: Bounds = (None, None)
_MAX_CODE_POINT = 0x10FFFF


def int_bounds(node: ast.expr, is_builtin: Callable[[str], bool]) -> Bounds:
    """The least and greatest int `node` can evaluate to (None where not known);
    `is_builtin(name)`: whether `name` means Python's builtin there (not shadowed)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return int(node.value), int(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        lo, hi = int_bounds(node.operand, is_builtin)
        if isinstance(node.op, ast.UAdd):
            return lo, hi
        return (None if hi is None else -hi), (None if lo is None else -lo)
    if isinstance(node, ast.BinOp):
        return _binary(node, is_builtin)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1 \
            and not node.keywords and is_builtin(node.func.id):
        if node.func.id == "ord":
            return 0, _MAX_CODE_POINT
        if node.func.id == "len":
            return 0, None
    return UNBOUNDED


def _binary(node: ast.BinOp, is_builtin: Callable[[str], bool]) -> Bounds:
    right = int_bounds(node.right, is_builtin)
    if isinstance(node.op, ast.Mod):
        k = right[0]
        return (0, k - 1) if k is not None and k == right[1] and k > 0 else UNBOUNDED
    left = int_bounds(node.left, is_builtin)
    if isinstance(node.op, ast.Add):
        return _add(left[0], right[0]), _add(left[1], right[1])
    if isinstance(node.op, ast.Sub):
        return _add(left[0], None if right[1] is None else -right[1]), \
            _add(left[1], None if right[0] is None else -right[0])
    if isinstance(node.op, ast.Mult) and None not in left and None not in right:
        products = [a * b for a in left for b in right]
        return min(products), max(products)
    return UNBOUNDED


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b
