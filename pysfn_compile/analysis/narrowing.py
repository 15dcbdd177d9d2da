"""Narrowing: inside `if x is not None:` or `if isinstance(x, dict):` (and after `and`),
and after `x = value` to the end of the block, the compiler knows more about x's type than
its declared union."""

from __future__ import annotations

import ast

from . import pytypes

_TYPE_NAMES = {"str": "str", "int": "int", "float": "float", "bool": "bool", "list": "list", "dict": "dict",
               "tuple": "list"}


def narrowings(b, test: ast.AST, type_of=None) -> tuple[dict, dict]:
    """({name: Ty} where `test` is true, {name: Ty} where it is false); `type_of` (name -> Ty
    or None) for names other than the function's variables (a comprehension's)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        positive, negative = narrowings(b, test.operand, type_of)
        return negative, positive
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        positive: dict = {}
        for value in test.values:
            positive.update(narrowings(b, value, type_of)[0])
        return positive, {}
    texts = _str_operands(b, test, type_of)
    if texts:  # true or false, the test ran without a TypeError: they are str either way
        return texts, dict(texts)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name) \
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None \
            and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
        name = test.left.id
        ty = _type(b, name, type_of)
        if ty is None:
            return {}, {}
        # a name so far only None is nothing where it is not None (`cur is None or cur["k"] > 1`
        # before the pass that knows what `cur = {...}` later sets it to; any code serves a value
        # that never exists), where refusing would hide that assignment from every later pass
        without = ty.without("none") if ty.without("none").kinds or ty.only("none") else ty
        if isinstance(test.ops[0], ast.IsNot):
            return {name: without}, {name: pytypes.NONE}
        return {name: pytypes.NONE}, {name: without}
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance" \
            and len(test.args) == 2 and isinstance(test.args[0], ast.Name):
        name = test.args[0].id
        ty = _type(b, name, type_of)
        if ty is None:
            return {}, {}
        classes = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
        kinds = []
        for cls in classes:
            if not isinstance(cls, ast.Name) or cls.id not in _TYPE_NAMES:
                return {}, {}
            kinds.append(_TYPE_NAMES[cls.id])
            if cls.id in ("list", "tuple") and ty.may("list") and ty.form != cls.id:
                return {}, {}  # a tuple is not a list: only isinstance() itself decides here
        if "int" in kinds:
            kinds.append("bool")
        kept = [k for k in kinds if k in ty.kinds]
        if not kept:
            return {}, {}
        positive_ty = pytypes.restrict(ty, kept)
        rest = ty.without(*kept)
        return {name: positive_ty}, ({name: rest} if rest.kinds and not ty.is_any else {})
    if isinstance(test, ast.Name):
        ty = _type(b, test.id, type_of)
        if ty is not None and "none" in ty.kinds and ty.without("none").kinds and not ty.is_any:
            return {test.id: ty.without("none")}, {}
    return {}, {}


_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
# methods no JSON kind but str has: `c.isalpha()` ran, so c is a str (AttributeError otherwise)
_STR_ONLY_METHODS = frozenset(name for name in dir(str) if not name.startswith("_")) - frozenset().union(
    *(dir(kind) for kind in (list, dict, int, float, bool, type(None))))


def _str_operands(b, test: ast.AST, type_of=None) -> dict:
    """{name: str} for the names a test proves to be str once it has run: `"a" <= c` (an
    ordering with a str literal) and `c in "aeiou"` raise TypeError for any other JSON value,
    `c.isalpha()` AttributeError, so `chr(ord(c) + 1) if "a" <= c <= "z" else c` is a str on
    both sides. Only the first comparison of a chain always runs; its operands are judged."""
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr in _STR_ONLY_METHODS:
        receiver = test.func.value
        ty = _type(b, receiver.id, type_of) if isinstance(receiver, ast.Name) else None
        return {receiver.id: pytypes.restrict(ty, ("str",))} if ty is not None and ty.may("str") \
            and not ty.only("str") else {}
    if not isinstance(test, ast.Compare):
        return {}
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if isinstance(op, _ORDERING):
        pairs = [(left, right), (right, left)]
    elif isinstance(op, (ast.In, ast.NotIn)):
        pairs = [(left, right)]
    else:
        return {}
    found = {}
    for name, other in pairs:
        if isinstance(name, ast.Name) and isinstance(other, ast.Constant) and isinstance(other.value, str):
            ty = _type(b, name.id, type_of)
            if ty is not None and ty.may("str") and not ty.only("str"):
                found[name.id] = pytypes.restrict(ty, ("str",))
    return found


def _type(b, name: str, type_of=None):
    if type_of is not None:
        return type_of(name)
    bound = b.comprehension_binding(name)
    if bound is not None:
        return bound[1]
    scope, ty = b.lookup(name)
    return ty if scope is not None else None


def closure_reads(body: list) -> frozenset:
    """The names the nested functions and lambdas of a function's `body` read: such a function
    may run where an assignment narrowed the name to another type than where it was defined."""
    names = set()
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                names.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
    return frozenset(names)
