"""Assignment targets: a name, a tuple to unpack, an item of a list or dict (the new value of
the variable at its root, with Python's checks). Shared by the assignment statements and the
methods that change a list or dict in place; imports no transform.
"""

from __future__ import annotations

import ast

import attrs

from ..analysis import pytypes
from ..analysis.effects import effects
from ..analysis.pytypes import Ty
from ..errors import Refusal
from ..graph import jsonata_lib
from ..graph.builder import item_depth
from ..graph.exprs import Expr, Guard, combine, const, guard
from .evaluation import materialize, operands
from .operations import (
    ANY_HINT,
    NON_STRING_KEY,
    bound_code,
    int_index,
    iterable_of,
    iteration_source,
    slice_index,
    slice_of,
    store_key,
    unstorable_key,
    unstorable_key_cause,
)


def assign_to(b, target: ast.AST, value: Expr, node: ast.AST, value_node: ast.AST | None = None) -> None:
    if isinstance(target, ast.Name):
        b.declare(target.id)
        b.assign([(b.var(target.id), value), *b.kind_pairs(target.id, value)], f"Set {target.id}")
        b.note_type(target.id, value.ty, kinded=True)
        b.note_alias_assign(target.id, value_node, value.ty)
        return
    if isinstance(target, (ast.Tuple, ast.List)):
        if not all(isinstance(e.value if isinstance(e, ast.Starred) else e, ast.Name) for e in target.elts):
            _unpack_into_targets(b, target, value, node, value_node)
            return
        unpack(b, target, value, node)
        b.note_alias_unpack([e.id for e in target.elts if isinstance(e, ast.Name)], value_node, value.ty)
        return
    if isinstance(target, ast.Subscript):
        pairs = store(b, target, value, value_node)
        b.assign(pairs, f"Set {pairs[0][0]}")
        return
    if isinstance(target, ast.Starred):
        raise Refusal(target, "starred assignment is not supported")
    raise Refusal(target, f"assigning to {type(target).__name__} is not supported",
                  "assign to variables, or to items of lists and dicts")


def unpack(b, target, value: Expr, node) -> None:
    """a, b = value: as many items as names, or Python's ValueError; `a, *rest, z = value`:
    at least as many items as the other names, `rest` a list of what is left between."""
    names = target.elts
    stars = [i for i, e in enumerate(names) if isinstance(e, ast.Starred)]
    if len(stars) > 1:
        raise Refusal(target, "multiple starred expressions in assignment (a SyntaxError in Python)")
    value = materialize(b, _unpackable(target, value, b.key_type), node)
    n = len(names) - len(stars)
    count = f"$count({value.code})"
    if stars:
        checks = [guard(f"({count} < {n})", ValueError,
                        f"'not enough values to unpack (expected at least {n}, got ' & {count} & ')'", value)]
    else:
        checks = [guard(f"({count} > {n})", ValueError,
                        jsonata_lib.string(f"too many values to unpack (expected {n})"), value),
                  guard(f"({count} < {n})", ValueError,
                        f"'not enough values to unpack (expected {n}, got ' & {count} & ')'", value)]
    checked = Expr(value.code, value.ty, value.guards + tuple(checks), value.reads, value.helpers)
    b.check([checked], "Check unpacking")
    if stars:
        _unpack_starred(b, names, stars[0], value, node)
        return
    pairs = []
    for position, element in enumerate(names):
        item_ty = value.ty.items[position] if value.ty.items and position < len(value.ty.items) else value.ty.element
        item = Expr(f"{bound_code(value.code)}[{position}]", item_ty, (), value.reads, value.helpers)
        if isinstance(element, ast.Name):
            b.declare(element.id)
            pairs.append((b.var(element.id), item))
            b.note_type(element.id, item_ty)
        else:
            raise Refusal(element, "nested unpacking targets are not supported")
    b.assign(pairs, "Set " + ", ".join(e.id for e in names))


def _unpack_into_targets(b, target: ast.Tuple | ast.List, value: Expr, node, value_node: ast.AST | None) -> None:
    """`xs[j], xs[j + 1] = xs[j + 1], xs[j]`, `(a, b), c = ...`: Python takes every item of
    the value first, then assigns them to the targets one by one, left to right (a target's
    container and key are evaluated when its turn comes, after the targets before it)."""
    names = target.elts
    if any(isinstance(e, ast.Starred) for e in names):
        raise Refusal(target, "a starred target beside targets that are not names is not supported",
                      "unpack into names first: a, *rest = value")
    checked = _unpackable(target, value, b.key_type)
    n = len(names)
    count = f"$count({checked.code})"
    checks = (guard(f"({count} > {n})", ValueError, jsonata_lib.string(f"too many values to unpack (expected {n})"),
                    checked),
              guard(f"({count} < {n})", ValueError, f"'not enough values to unpack (expected {n}, got ' & {count} & ')'",
                    checked))
    held = b.temp("t")  # a copy: a target may change the list the items come from
    b.assign([(held, attrs.evolve(checked, guards=checked.guards + checks))], f"Set {held}")
    parts = value_node.elts if isinstance(value_node, (ast.Tuple, ast.List)) and len(value_node.elts) == n \
        and not any(isinstance(e, ast.Starred) for e in value_node.elts) else None
    for position, element in enumerate(names):
        ty = checked.ty
        item_ty = ty.items[position] if ty.items and position < len(ty.items) else ty.element
        item = Expr(f"${held}[{position}]", item_ty, (), frozenset([held]), frozenset())
        item_node = parts[position] if parts is not None else None if value_node is None else ast.copy_location(
            ast.Subscript(value=value_node, slice=ast.Constant(position), ctx=ast.Load()), value_node)
        assign_to(b, element, item, node, item_node)


def _unpackable(node, value: Expr, keys: Ty = pytypes.STR) -> Expr:
    """What `a, b = value` takes the items of, as a list: a list, a str's characters, a dict's
    keys (which one known at run time when the type is not), else Python's TypeError."""
    if not value.ty.may("list", "str", "dict"):
        raise Refusal(node, f"cannot unpack non-iterable {value.ty.describe()} (Python raises TypeError)")
    value = iterable_of(node, value, message=f"'cannot unpack non-iterable ' & $__pytype({value.code}) & ' object'",
                        keys=keys)
    source, item_ty, helpers = iteration_source(node, value, keys)
    return value if source == value.code else combine(source, pytypes.list_of(item_ty), value, helpers=helpers)


def _unpack_starred(b, names: list, star: int, value: Expr, node) -> None:
    """The names before the star take the first items, those after it the last ones (negative
    positions: the count is checked), the starred one a list of the rest."""
    after = len(names) - star - 1
    known = value.ty.items
    pairs = []
    for position, element in enumerate(names):
        if position == star:
            element = element.value
            upper = const(-after, pytypes.SMALL_INT) if after else None
            rest = slice_of(node, attrs.evolve(value, ty=attrs.evolve(value.ty, items=None, form="list"), guards=()),
                            const(star, pytypes.SMALL_INT), upper, None)
            item = attrs.evolve(rest, guards=(), ty=attrs.evolve(rest.ty, items=None, form="list"))
        else:
            index = position if position < star else position - len(names)
            item_ty = value.ty.element
            if known is not None and len(known) >= len(names) - 1 and position < star:
                item_ty = known[position]
            elif known is not None and len(known) >= len(names) - 1:
                item_ty = known[len(known) + index]
            item = Expr(f"{bound_code(value.code)}[{index}]", item_ty, (), value.reads, value.helpers)
        if not isinstance(element, ast.Name):
            raise Refusal(element, "nested unpacking targets are not supported")
        b.declare(element.id)
        pairs.append((b.var(element.id), item))
        b.note_type(element.id, item.ty)
    b.assign(pairs, "Set " + ", ".join(_target_name(e) for e in names))


def _target_name(element) -> str:
    return "*" + element.value.id if isinstance(element, ast.Starred) else element.id


def store(b, target: ast.Subscript, value: Expr, value_node: ast.AST | None = None,
          write_back: bool = False) -> list[tuple[str, Expr]]:
    """target = value for a subscript target: the new value of the variable at its root.
    Python evaluates the value, then the container, then the key. `write_back`: `target`'s
    value was changed in place (a method, or a store into an item of it), not assigned."""
    root = target
    while isinstance(root, ast.Subscript):
        root = root.value
    if not isinstance(root, ast.Name):
        raise Refusal(target, "assigning into this expression is not supported", "assign into a variable's items")
    depth = item_depth(target.value)
    b.check_mutation(target, root.id, nested=depth > 0, depth=depth)
    if isinstance(target.slice, ast.Slice):
        b.note_alias_items(root.id, value_node, depth=depth + 1)
        new = _slice_assigned(b, target, value, value_node)
    else:
        b.note_alias_store(root.id, value_node, depth + 1, value.ty)
        container, key = operands(b, [target.value, target.slice])
        new = set_item(target, container, key, value, write_back)
    if isinstance(target.value, ast.Subscript):
        return store(b, target.value, new, write_back=True)
    name = target.value.id
    b.note_item_store(name, new.ty)
    return [(b.var(name), new)]


def slice_parts(b, target: ast.Subscript, what: str, hint: str) -> tuple:
    """(the list a slice target changes, its lower and upper bounds and its step, each None
    where not given), evaluated in Python's order, each bound an index (slice_index); refused
    where the container is not a list (`what` of it is not supported, else `hint`)."""
    part = target.slice
    present = [p for p in (part.lower, part.upper, part.step) if p is not None]
    container, *given = operands(b, [target.value, *present])
    if not container.ty.only("list"):
        raise Refusal(target, f"{what} of {container.ty.describe()} is not supported",
                      ANY_HINT if container.ty.is_any else hint)
    given = [slice_index(target, bound) for bound in given]
    return (container, *(given.pop(0) if p is not None else None for p in (part.lower, part.upper, part.step)))


def _slice_assigned(b, target: ast.Subscript, value: Expr, value_node: ast.AST | None) -> Expr:
    """`xs[lo:hi] = ys`: the list with the items of ys (any iterable) in place of those between
    the bounds as a slice clamps them (a stop before the start inserts at the start)."""
    if target.slice.step is not None:
        raise Refusal(target, "assigning to a slice with a step is not supported", "build a new list")
    container, lower, upper, _ = slice_parts(b, target, "assigning to a slice",
                                             "a str or tuple cannot change: build a new one")
    value = iterable_of(value_node or target, value, "can only assign an iterable", keys=b.key_type)
    source, item_ty, helpers = iteration_source(value_node or target, value, b.key_type)
    x, n, lo, hi = "$__sx", "$__sn", "$__slo", "$__shi"
    clamp = "{v} := {v} = null ? {d} : {v} < 0 ? $max([0, {v} + {n}]) : $min([{v}, {n}]); "
    code = (f"({x} := {container.code}; {n} := $count({x}); {lo} := {lower.code if lower else 'null'}; "
            f"{hi} := {upper.code if upper else 'null'}; " + clamp.format(v=lo, d="0", n=n)
            + clamp.format(v=hi, d=n, n=n)
            + f"$append($append($__slice1_list({x}, 0, {lo}), {source}), $__slice1_list({x}, $max([{lo}, {hi}]), null)))")
    parts = [e for e in (lower, upper) if e is not None]
    return combine(code, pytypes.list_of(pytypes.join(container.ty.element, item_ty)), value, container, *parts,
                   helpers={"slice1_list", *helpers})


def no_tuple_item_change(node, ty: Ty, write_back: bool = False) -> None:
    if ty.may("list") and ty.form != "list":
        if write_back:  # Python changes the item in place (`t[0].append(x)`), no item assignment
            raise Refusal(node, "changing a list or dict held in a tuple is not supported (the machine would "
                          "rebuild the tuple around a copy: another value sharing that item would not change)",
                          "hold lists: [list(t) for t in ...], or give the item a variable of its own")
        raise Refusal(node, "a tuple's items cannot be changed (Python raises TypeError: 'tuple' object does "
                      "not support item assignment), and this value may be a tuple", "build a list: list(t)")


def set_item(node, container: Expr, key: Expr, value: Expr, write_back: bool = False) -> Expr:
    ty = container.ty
    no_tuple_item_change(node, ty, write_back)
    if ty.only("dict"):
        key = store_key(node, key)
        new_ty = pytypes.dict_of(pytypes.join(ty.values, value.ty))
        if ty.fields is not None and key.is_const and ty.field(key.const) is not None:
            # a record keeps its fields: this one now holds the new value's type
            fields = tuple((k, value.ty if k == key.const else t) for k, t in ty.fields)
            new_ty = attrs.evolve(new_ty, fields=fields, name=ty.name)
        elif ty.fields is not None and key.is_const and isinstance(key.const, str):
            # a new key of a record (`rec["total"] = ...`): a record with one field more
            new_ty = attrs.evolve(new_ty, fields=(*ty.fields, (key.const, value.ty)))
        # storing adds the key (a record's keys stay)
        new_ty = attrs.evolve(new_ty, present=ty.present | ({key.const} if key.is_const else set()))
        # (codes are operands: atomic or parenthesized, so each fits a key's or a value's place)
        return combine(f"$merge([{container.code}, {{{key.code}: {value.code}}}])", new_ty, value, container, key)
    if ty.only("list"):
        key = int_index(node, key, "list")  # (of unknown type: checked as Python checks it)
        count = f"$count({container.code})"
        check = guard(f"({key.code} >= {count} or {key.code} < -{count})", IndexError,
                      "'list assignment index out of range'", container, key)
        position = f"({key.code} < 0 ? {count} + {key.code} : {key.code})"
        new_ty = pytypes.list_of(pytypes.join(ty.element, value.ty))
        return combine(f"$__setitem({container.code}, {position}, {value.code})", new_ty, value, container, key,
                       helpers={"setitem"}, guards=[check])
    if ty.may("dict", "list"):
        return _set_item_of_unknown(node, container, key, value)
    raise Refusal(node, f"assigning an item of {ty.describe()} is not supported",
                  ANY_HINT if ty.is_any else "assign items of lists and dicts")


def _set_item_of_unknown(node, container: Expr, key: Expr, value: Expr) -> Expr:
    """`container[key] = value` where whether the container is a dict or a list is known only
    at run time: Python's TypeError and IndexError, and a key a JSON object cannot hold stops
    the machine (pysfn.NonStringKey)."""
    c, k, ty = container.code, key.code, container.ty
    if key.ty.only("str"):  # a list's item cannot be named by a str: a dict's key, or Python's TypeError
        refused = guard(f"($type({c}) != 'object')", TypeError,
                        f"$type({c}) = 'array' ? 'list indices must be integers or slices, not str' : "
                        f"\"'\" & $__pytype({c}) & \"' object does not support item assignment\"", container,
                        helpers={"pytype"})
        return combine(f"$merge([{c}, {{{k}: {value.code}}}])", pytypes.dict_of(pytypes.join(ty.values, value.ty)),
                       value, container, key, guards=[refused])
    unhashable, (index_type, index_range), position = unknown_item_checks(container, key)
    checks = [
        guard(f"$not($type({c}) in ['object', 'array'])", TypeError,
              f"\"'\" & $__pytype({c}) & \"' object does not support item assignment\"", container,
              helpers={"pytype"}),
        unhashable,
        Guard(f"(($type({c}) = 'object') and ({unstorable_key(k)}))", None, "''", container.helpers | key.helpers,
              container.reads | key.reads, abort=True, error_name=NON_STRING_KEY,
              message_literal=unstorable_key_cause(node)),
        index_type,
        index_range,
    ]
    code = (f"(($type({c}) = 'object') ? $__setkey({c}, $__ekey({k}), {value.code})"
            f" : $__setitem({c}, {position}, {value.code}))")
    new_ty = pytypes.join(pytypes.dict_of(pytypes.join(ty.values, value.ty)) if ty.may("dict") else None,
                          pytypes.list_of(pytypes.join(ty.element, value.ty)) if ty.may("list") else None)
    return combine(code, new_ty, value, container, key, helpers={"setkey", "setitem", "num", "ekey"}, guards=checks)


def unknown_item_checks(container: Expr, key: Expr) -> tuple:
    """Python's checks of `container[key]` changed (set or deleted) where the container is a
    dict or a list known only at run time: the dict's unhashable-key TypeError, the list's
    index TypeError and IndexError, and the list position the key names (with $__num)."""
    c, k = container.code, key.code
    is_dict, is_list = f"($type({c}) = 'object')", f"($type({c}) = 'array')"
    index = f"$__num({k})"
    unhashable = guard(f"({is_dict} and $type({k}) in ['array', 'object'])", TypeError,
                       f"\"unhashable type: '\" & $__pytype({k}) & \"'\"", container, key, helpers={"pytype"})
    index_type = guard(f"({is_list} and $not($type({k}) = 'boolean' or ($type({k}) = 'number' and $floor({k}) = {k})))",
                       TypeError, f"'list indices must be integers or slices, not ' & $__pytype({k})", container, key,
                       helpers={"pytype"})
    index_range = guard(f"({is_list} and ({index} >= $count({c}) or {index} < -$count({c})))", IndexError,
                        "'list assignment index out of range'", container, key, helpers={"num"})
    return unhashable, (index_type, index_range), f"({index} < 0 ? $count({c}) + {index} : {index})"


def setdefault_item(b, call: ast.Call) -> ast.Subscript:
    """`d.setdefault(k, default)` where an item of it is changed (`d.setdefault(k, []).append(v)`,
    `d.setdefault(k, {})[j] = v`): the setdefault runs first, as Python runs it, then `d[k]` stands
    for what it returned. The key is read twice, so it may not call a callee or change anything."""
    if effects(b, call.args[0]).any:
        raise Refusal(call.args[0], "a setdefault() key that calls a callee, whose item is then changed, is not "
                      "supported (the key would be computed twice)", "compute the key into a variable first")
    default = b.call(call)
    if default.guards:
        b.check([default], "Check expression")
    item = ast.copy_location(ast.Subscript(value=call.func.value, slice=call.args[0], ctx=ast.Load()), call)
    return ast.fix_missing_locations(item)


def store_target(b, target: ast.AST, value: Expr) -> list:
    """`target = value` where a method changed `value` in place: the (variable, value) pairs to
    assign (none when `target` unpacks, which assigns itself)."""
    if isinstance(target, ast.Subscript):
        return store(b, target, value, write_back=True)
    if isinstance(target, ast.Name):
        b.note_type(target.id, value.ty)
        return [(b.var(target.id), value)]
    assign_to(b, target, value, target)
    return []
