"""Python sets as JSON arrays of distinct items, in the order each was first added.

The array holds the very item Python's set holds (a set keeps the first of equal items: {1,
True} holds 1), and every operation here keeps the one CPython keeps, so membership, size,
equality and sorted(s) agree with Python; Python's iteration order (hash order) has no
equivalent, and analysis/set_uses.py refuses every use where it would show. Items must be
hashable: a list or dict (or a tuple holding one) is Python's TypeError when the workflow
runs. A tuple is an array, compared item by item (Python's ==) where tuples may be items.
"""

from __future__ import annotations

import ast

import attrs

from ..analysis import pytypes
from ..analysis.pytypes import Ty
from ..errors import Refusal
from ..graph.exprs import Expr, combine, const, guard
from .formatting import to_repr
from .operations import is_var, iterable_of, iteration_source, may_mix_bool_number

SET = "set"  # a list type's form for a set
HASHABLE = "__hashable__"  # builtins' name for hashable() in a comprehension's items (hashed_generator)


def is_set(ty: Ty) -> bool:
    return ty.only("list") and ty.form == SET


def set_type(elem: Ty | None) -> Ty:
    return attrs.evolve(pytypes.list_of(elem), form=SET)


def as_list(expr: Expr) -> Expr:
    """A set's items as a list, for the uses whose result does not depend on their order."""
    return attrs.evolve(expr, ty=pytypes.list_of(expr.ty.element))


def _unhashable_parts(node, code: str, ty: Ty, depth: int = 0) -> list[str]:
    """The parts of a value (`code`, of type `ty`) Python would find unhashable, in the order
    it hashes them: the value itself where it may be a list or dict, a tuple's items where it
    may be a tuple (an array of a tuple type is one: its items are checked, not the array).
    Each part is a JSONata value; it is unhashable where it is an array or object."""
    if depth > 4:
        raise Refusal(node, "a set item of tuples nested this deep is not supported", "flatten the tuple")
    if not ty.may("list"):
        return [code] if ty.may("dict") else []
    if ty.form == "list":
        return [code]
    if ty.form != "tuple":
        raise Refusal(node, f"a set item that may be a list or a tuple ({ty.describe()}) is not supported "
                      "(a state machine holds both as arrays: Python hashes a tuple, not a list)",
                      "build the item as a tuple: tuple(x), or (a, b)")
    parts = [code] if ty.may("dict") else []  # (an object is not an array: its own test)
    items = ty.items if ty.items is not None else None
    if items is None:
        if _unhashable_parts(node, "$__y", ty.element, depth + 1):
            raise Refusal(node, "a set of tuples of any length whose items may be lists or dicts is not supported",
                          "build tuples of a fixed length: (a, b)")
        return parts
    for position, item in enumerate(items):
        parts += _unhashable_parts(node, f"({code})[{position}]", item, depth + 1)
    return parts


def hashable(node, item: Expr) -> Expr:
    """`item` as a set's item: Python hashes it, so a list or dict (or a tuple holding one) is
    TypeError, named after the first such part."""
    ty = item.ty
    parts = _unhashable_parts(node, item.code, ty)
    if not parts:
        return item
    checks = [guard(f"($type({part}) in ['array', 'object'])", TypeError,
                    f"\"unhashable type: '\" & $__pytype({part}) & \"'\"", item, helpers={"pytype"})
              for part in parts]
    kinds = ty.kinds - {"dict"} - ({"list"} if ty.form == "list" else set())
    return combine(item.code, attrs.evolve(ty, kinds=kinds), item, guards=checks)


def hashed_generator(node: ast.SetComp | ast.GeneratorExp) -> ast.GeneratorExp:
    """The generator of a set's items, each checked where Python adds it (`__hashable__(item)`,
    builtins' name for hashable()): the first unhashable item is TypeError before the next is
    computed. Made once per node and kept on it (its id stays its own: caches are by id)."""
    made = getattr(node, "pysfn_hashed", None)
    if made is None:
        call = ast.Call(func=ast.Name(id=HASHABLE, ctx=ast.Load()), args=[node.elt], keywords=[])
        made = ast.GeneratorExp(elt=ast.copy_location(call, node.elt), generators=node.generators)
        ast.fix_missing_locations(ast.copy_location(made, node))
        node.pysfn_hashed = made
    return made


def _items_hashable(node, items: Expr) -> Expr:
    """The items of a list (all evaluated) as a set's items: the first unhashable one is TypeError."""
    elem = items.ty.element
    parts = _unhashable_parts(node, "$__x", elem)
    if not parts:
        return items
    test = " or ".join(f"$type({part}) in ['array', 'object']" for part in parts)
    bad = f"$__filter({items.code}, function($__x) {{ {test} }})[0]"
    name = " : ".join(f"$type({part}) in ['array', 'object'] ? $__pytype({part})" for part in parts) + " : ''"
    check = guard(f"($count($__filter({items.code}, function($__x) {{ {test} }})) > 0)", TypeError,
                  f"\"unhashable type: '\" & ($__x := {bad}; {name}) & \"'\"", items, helpers={"filter", "pytype"})
    kinds = elem.kinds - {"dict"} - ({"list"} if elem.form == "list" else set())
    return combine(items.code, pytypes.list_of(attrs.evolve(elem, kinds=kinds)), items, guards=[check])


def _kind(a: Ty, b: Ty) -> str:
    """Which membership test the helpers use: JSONata's `in` ("in"), Python's == where bools
    may meet numbers (True == 1: "has"), or item by item where tuples may meet (arrays: "eq",
    Python's == of each item); jsonata_lib has each set helper in the three kinds."""
    if pytypes.has_tuple(a) or pytypes.has_tuple(b):
        return "eq"
    return "has" if may_mix_bool_number(a, b) else "in"


def from_items(node, items: Expr) -> Expr:
    """set(items) of a list whose items are all evaluated: each checked, the first of equal ones kept."""
    items = _items_hashable(node, items)
    elem = items.ty.element
    if items.is_const and items.const == []:
        return const([], set_type(pytypes.NOTHING))
    k = _kind(elem, elem)
    return combine(f"$__set_of_{k}({items.code})", set_type(elem), items, helpers={f"set_of_{k}"})


def _other_items(node, other: Expr, keys: Ty = pytypes.STR) -> Expr:
    """The items of a set method's argument (any iterable: a set, list, str, dict's keys), hashed."""
    if is_set(other.ty):
        return as_list(other)
    expr = iterable_of(node, other, keys=keys)
    source, item_ty, helpers = iteration_source(node, expr, keys)
    return _items_hashable(node, combine(source, pytypes.list_of(item_ty), expr, helpers=helpers))


def contains(node, s: Expr, item: Expr) -> Expr:
    """`item in s`: Python evaluates both, then hashes the item."""
    item = hashable(node, item)
    k = _kind(s.ty.element, item.ty)
    if k == "in":
        return combine(f"({item.code} in {s.code})", pytypes.BOOL, item, s)
    return combine(f"$__set_{k}({s.code}, {item.code})", pytypes.BOOL, item, s, helpers={f"set_{k}"})


def compare(node, op: str, left: Expr, right: Expr) -> Expr:
    """==, != and the subset orderings of two sets."""
    if not (is_set(left.ty) and is_set(right.ty)):
        raise Refusal(node, f"'{op}' between a set and {right.ty.describe() if is_set(left.ty) else left.ty.describe()}"
                      " is not supported", "compare a set with a set")
    k = _kind(left.ty.element, right.ty.element)
    a, b = left.code, right.code
    within = {"<=": (a, b), "<": (a, b), ">=": (b, a), ">": (b, a), "==": (a, b), "!=": (a, b)}[op]
    test = f"$__set_within_{k}({within[0]}, {within[1]})"
    sizes = {"<": f"$count({a}) < $count({b})", ">": f"$count({a}) > $count({b})",
             "==": f"$count({a}) = $count({b})", "!=": f"$count({a}) = $count({b})"}.get(op)
    code = f"({sizes} and {test})" if sizes else test
    if op == "!=":
        code = f"$not{code}"
    return combine(code, pytypes.BOOL, left, right, helpers={f"set_within_{k}"})


def binary(node, op: str, left: Expr, right: Expr) -> Expr:
    """s | t, s & t, s - t, s ^ t of two sets."""
    if not (is_set(left.ty) and is_set(right.ty)):
        raise Refusal(node, f"unsupported operand types for {op}: a set and "
                      f"{right.ty.describe() if is_set(left.ty) else left.ty.describe()} (Python raises TypeError)")
    return _combined(op, left, right, right_is_set=True)


def _bound(codes: list[str]) -> tuple[str, list[str]]:
    """Each operand that is no variable bound once to one (`$__s1 := ...; `), for a function
    that reads it per item: computed there, it would be computed again for every item (a
    set built per item of another: cubic)."""
    prefix, names = "", []
    for index, code in enumerate(codes, 1):
        if is_var(code):
            names.append(code)
        else:
            prefix += f"$__s{index} := {code}; "
            names.append(f"$__s{index}")
    return prefix, names


def _combined(op: str, left: Expr, right: Expr, right_is_set: bool) -> Expr:
    """The set `left op right`, `right` a set or (a method's argument) a list of hashed items."""
    k = _kind(left.ty.element, right.ty.element)
    prefix, (a, b) = _bound([left.code, right.code])
    eq = f"$__set_{k}"
    elem = pytypes.join(left.ty.element, right.ty.element)
    helpers = {f"set_{k}", "filter"} | (set() if right_is_set else {f"set_of_{k}"})
    if op == "|":
        helpers = {f"set_of_{k}"}
        code = f"$__set_of_{k}($append({a}, {b}))"
    elif op == "-":
        code, elem = f"$__filter({a}, function($__x) {{ $not({eq}({b}, $__x)) }})", left.ty.element
    elif op == "&":
        # CPython walks the smaller set and keeps its items (a list argument: its own, first ones)
        keep_right = f"$count({b}) <= $count({a})" if right_is_set else "true"
        right_items = b if right_is_set else f"$__set_of_{k}({b})"
        code = (f"({keep_right} ? $__filter({right_items}, function($__x) {{ {eq}({a}, $__x) }})"
                f" : $__filter({a}, function($__x) {{ {eq}({b}, $__x) }}))")
    elif op == "^":
        other = b if right_is_set else f"$__set_of_{k}({b})"
        code = (f"$append($__filter({a}, function($__x) {{ $not({eq}({other}, $__x)) }}),"
                f" $__filter({other}, function($__x) {{ $not({eq}({a}, $__x)) }}))")
    else:
        raise AssertionError(op)
    return combine(f"({prefix}{code})" if prefix else code, set_type(elem), left, right, helpers=helpers)


_OPERATOR = {"union": "|", "intersection": "&", "difference": "-", "symmetric_difference": "^"}


def method(node: ast.Call, s: Expr, name: str, args: list, kwargs: dict, keys: Ty = pytypes.STR) -> Expr:
    """A set's methods that return a value: copy, union, ..., issubset, isdisjoint."""
    if kwargs:
        raise Refusal(node, f"set.{name}() takes no keyword arguments")
    if name == "copy":
        if args:
            raise Refusal(node, "set.copy() takes no arguments")
        return s
    if name in _OPERATOR:
        result = s
        for arg, arg_node in zip(args, node.args, strict=True):
            other = _other_items(arg_node, arg, keys)
            result = _combined(_OPERATOR[name], result, other, right_is_set=is_set(arg.ty))
        return result
    if name in ("issubset", "issuperset", "isdisjoint"):
        if len(args) != 1:
            raise Refusal(node, f"set.{name}() takes one argument")
        other = _other_items(node.args[0], args[0], keys)
        k = _kind(s.ty.element, other.ty.element)
        a, b = s.code, other.code
        if name == "issubset":
            code, helpers = f"$__set_within_{k}({a}, {b})", {f"set_within_{k}"}
        elif name == "issuperset":
            code, helpers = f"$__set_within_{k}({b}, {a})", {f"set_within_{k}"}
        else:
            prefix, (a, b) = _bound([a, b])
            code = f"({prefix}$count($__filter({a}, function($__x) {{ $__set_{k}({b}, $__x) }})) = 0)"
            helpers = {"filter", f"set_{k}"}
        return combine(code, pytypes.BOOL, s, other, helpers=helpers)
    raise Refusal(node, f"set.{name}() is not supported in a workflow")


def mutation(node: ast.Call, s: Expr, name: str, args: list, kwargs: dict, keys: Ty = pytypes.STR):
    """s.add(x), .discard, .remove, .update, .clear: (new value, result, new type, checks),
    as builtins.mutate writes them back."""
    none = const(None, pytypes.NONE)
    if kwargs:
        raise Refusal(node, f"set.{name}() takes no keyword arguments")
    count = {"add": 1, "discard": 1, "remove": 1, "clear": 0}.get(name)
    if count is not None and len(args) != count:
        raise Refusal(node, f"set.{name}() takes {count} argument{'s' if count != 1 else ''}")
    if name == "clear":
        return const([], s.ty), none, s.ty, []
    if name == "update":
        new = s
        for arg, arg_node in zip(args, node.args, strict=True):
            if isinstance(arg_node, ast.GeneratorExp) and arg.ty.element.may("list", "dict"):
                raise Refusal(arg_node, "set.update() of a generator whose items may be unhashable is not "
                              "supported (Python stops at the first such item, before computing the next)",
                              "build a list first: s.update([...])")
            new = _combined("|", new, _other_items(arg_node, arg, keys), right_is_set=True)
        return new, none, new.ty, []
    item = hashable(node, args[0])
    k = _kind(s.ty.element, item.ty)
    eq, helpers = f"$__set_{k}", {f"set_{k}"}
    if name == "add" and k == "in" and is_var(s.code) and (is_var(item.code) or item.is_const):
        new = combine(f"({item.code} in {s.code} ? {s.code} : $append({s.code}, [{item.code}]))", s.ty, s, item)
        return new, none, set_type(pytypes.join(s.ty.element, item.ty)), []
    if name == "add":
        new = combine(f"$__set_add_{k}({s.code}, {item.code})", s.ty, s, item, helpers={f"set_add_{k}"})
        return new, none, set_type(pytypes.join(s.ty.element, item.ty)), []
    if name not in ("discard", "remove"):
        raise Refusal(node, f"set.{name}() is not supported in a workflow")
    same = f"$__pyeq($__x, {item.code})" if k == "eq" else f"{eq}([$__x], {item.code})"  # (an array: no [$__x])
    new = combine(f"$__filter({s.code}, function($__x) {{ $not({same}) }})", s.ty, s, item,
                  helpers={"filter", *helpers, *(("pyeq",) if k == "eq" else ())})
    checks = []
    if name == "remove":
        printed = to_repr(node, item)  # KeyError's message is repr() of the item
        checks += [*printed.guards[len(item.guards):],
                   guard(f"$not({eq}({s.code}, {item.code}))", KeyError, printed.code, s, item, printed,
                         helpers=helpers)]
    return new, none, s.ty, checks
