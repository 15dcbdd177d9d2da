"""Python statements → states, one transform per construct.

Each transform reads top to bottom: evaluate (expressions add their Task states and guards),
then add the states of the statement itself through the builder.
"""

from __future__ import annotations

import ast
import contextlib
import inspect

import attrs

from ..analysis import (
    ast_edits,
    aws_models,
    element_aliases,
    exception_inits,
    finally_returns,
    iterators,
    pytypes,
)
from ..analysis.ast_edits import OPERATORS, short_text
from ..analysis.effects import effects
from ..analysis.exceptions import caught_names
from ..analysis.fresh_names import fresh_name
from ..analysis.narrowing import narrowings
from ..errors import Refusal
from ..graph import ir, jsonata_lib
from ..graph.builder import (
    DEEPEST,
    HandlerInfo,
    Label,
    LoopContext,
    TryContext,
    ValueFrame,
    deep_key,
    item_depth,
)
from ..graph.exprs import UNSUPPORTED, Expr, Guard, combine, const, guard, record_expr, stop_where
from ..runtime import sfn
from . import sets
from .evaluation import condition, materialize, operands, read_before
from .formatting import to_repr, to_str
from .operations import (
    augmented_add,
    beside_float,
    binary,
    blind_stops,
    bound_code,
    dict_key,
    float_blind,
    int_index,
    iterable_of,
    iteration_source,
    key_guard,
    may_extend_in_place,
    may_iterate,
    range_argument,
    subscript,
    type_of_value,
)
from .targets import (
    assign_to,
    no_tuple_item_change,
    set_item,
    setdefault_item,
    slice_parts,
    store,
    unknown_item_checks,
    unpack,
)


# -- simple statements -------------------------------------------------------------------
def transform_pass(b, node) -> None:
    return None


def transform_expr(b, node: ast.Expr) -> None:
    value = node.value
    if isinstance(value, ast.Constant):  # a docstring or a bare literal: nothing happens
        return
    if not isinstance(value, ast.Call):
        expr = b.expr(value)
        b.check([expr], "Check expression")
        return
    expr = b.call(value)
    if expr.guards:
        b.check([expr], "Check expression")


def transform_assign(b, node: ast.Assign) -> None:
    if len(node.targets) > 1:
        value = materialize(b, b.expr(node.value), node.value)
        b.read_again(value.reads)  # read once per target
        for target in node.targets:
            assign_to(b, target, value, node, node.value)
            if isinstance(target, ast.Name):
                b.narrow_assigned(target.id, value.ty)
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if value.ty.mutable:
            b.update_alias(share=names)
        return
    target = node.targets[0]
    _not_a_spent_iterator(b, target, node.value, node)
    assign_value(b, target, node.value, node)


def _not_a_spent_iterator(b, target: ast.AST, value: ast.AST, node: ast.AST) -> None:
    """A one-pass iterator bound to a name read again is refused (analysis/iterators.py)."""
    if isinstance(target, ast.Name) and target.id in b.scope.reread_iterators \
            and iterators.one_pass(value, set(b.info.objects) | b.scope.locals):
        what = getattr(value, "pysfn_written", "a generator") if isinstance(value, ast.GeneratorExp) \
            else f"{value.func.id}(...)"
        raise Refusal(node, f"'{target.id}' holds {what}, an iterator Python consumes once, and is read again "
                      "after (or in a loop): the machine holds its items as a list, which would read the same "
                      "every time", f"make it a list: {target.id} = list(...)")


def transform_ann_assign(b, node: ast.AnnAssign) -> None:
    if node.value is None:
        return
    _not_a_spent_iterator(b, node.target, node.value, node)
    assign_value(b, node.target, node.value, node)


def assign_value(b, target: ast.AST, value_node: ast.AST, node: ast.AST) -> None:
    if isinstance(target, ast.Name) and isinstance(value_node, ast.Call) and b.lookup(target.id)[0] in (None, b.scope):
        direct = _direct_call_target(b, value_node)
        if direct:
            b.declare(target.id)
            var = b.var(target.id)
            expr = b.call(value_node, target=var)
            kind = b.kind_pairs(target.id, expr)
            b.note_type(target.id, expr.ty, kinded=True)
            if expr.code != "$" + var:
                b.assign([(var, expr), *kind], f"Set {target.id}")
            elif kind:
                b.assign(kind, f"Set {target.id}")
            b.note_alias_assign(target.id, value_node, expr.ty)
            b.narrow_assigned(target.id, expr.ty)
            return
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value_node, (ast.Tuple, ast.List)) \
            and len(target.elts) == len(value_node.elts) \
            and not any(isinstance(e, ast.Starred) for e in [*target.elts, *value_node.elts]) \
            and all(isinstance(t, ast.Name) for t in target.elts):
        values = operands(b, value_node.elts)
        pairs = []
        for sub_target, value in zip(target.elts, values, strict=True):
            b.declare(sub_target.id)
            pairs += [(b.var(sub_target.id), value), *b.kind_pairs(sub_target.id, value)]
            b.note_type(sub_target.id, value.ty, kinded=True)
        b.assign(pairs, "Set " + ", ".join(t.id for t in target.elts))
        for sub_target, sub_value, value in zip(target.elts, value_node.elts, values, strict=True):
            b.note_alias_assign(sub_target.id, sub_value, value.ty)
            b.narrow_assigned(sub_target.id, value.ty)
        return
    value = b.expr(value_node)
    if isinstance(target, ast.Subscript) and effects(b, target).any:
        # Python evaluates the value (and raises what it raises) before the target calls a callee
        value = materialize(b, value, value_node)
    if isinstance(target, ast.Subscript) and _setdefault_call(target) is not None:
        value = materialize(b, value, value_node)  # (before the setdefault changes what it reads)
        target = _after_setdefault(b, target)
    assign_to(b, target, value, node, value_node)
    if isinstance(target, ast.Name):
        b.narrow_assigned(target.id, value.ty)


def _setdefault_call(target: ast.Subscript) -> ast.Call | None:
    """The `d.setdefault(k, default)` a subscript target starts from (`d.setdefault(k, {})[j] = v`)."""
    root = target
    while isinstance(root, ast.Subscript):
        root = root.value
    if isinstance(root, ast.Call) and isinstance(root.func, ast.Attribute) and root.func.attr == "setdefault" \
            and len(root.args) in (1, 2) and not root.keywords:
        return root
    return None


def _after_setdefault(b, target: ast.Subscript) -> ast.Subscript:
    """`d.setdefault(k, {})[j] = v`: the setdefault runs (Python evaluates the target after the
    value), then the assignment goes into `d[k][j]`."""
    call = _setdefault_call(target)
    item = setdefault_item(b, call)

    def rebuilt(node: ast.AST) -> ast.AST:
        if node is call:
            return item
        return ast.copy_location(ast.Subscript(value=rebuilt(node.value), slice=node.slice, ctx=node.ctx), node)

    return rebuilt(target)


def _direct_call_target(b, call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return b.lookup(func.id)[0] is None and (b.is_callee(func.id) or b.info.sfn_function(func.id) in _DIRECT)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return b.info.is_sfn_module(func.value.id) and func.attr in _DIRECT
    return False


_DIRECT = ("parallel", "map", "wait_for_callback")  # sfn calls whose state assigns the target itself


def _dict_update_in_place(b, node: ast.AugAssign) -> None:
    """`cfg |= overrides` on a dict is `cfg.update(overrides)`: in place, seen through every
    name for it (the sharing rules of update apply), any mapping or iterable of pairs."""
    ty = b.lookup(node.target.id)[1]
    if ty is None or not ty.only("dict"):
        raise Refusal(node, f"'{node.target.id} |= ...' is supported on a dict only; '{node.target.id}' is "
                      f"{ty.describe() if ty is not None else 'not assigned'} here",
                      "annotate it as a dict, or write d.update(...) / d = d | other")
    call = ast.Call(func=ast.Attribute(value=ast.Name(id=node.target.id, ctx=ast.Load()), attr="update", ctx=ast.Load()),
                    args=[node.value], keywords=[])
    transform_expr(b, ast.fix_missing_locations(ast.copy_location(ast.Expr(value=call), node)))


def transform_aug_assign(b, node: ast.AugAssign) -> None:
    """`x op= y`: `x = x op y`, except that on a list `+=` (extend) and `*=` (repeat) change
    it in place, which every name for that list sees in Python."""
    target = node.target
    uses = b.scope.set_uses
    if isinstance(target, ast.Name) and uses is not None and target.id in uses.names:
        _set_aug_assign(b, node)
        return
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and uses is not None \
            and target.value.id in uses.dicts:
        _set_item_aug_assign(b, node)
        return
    if isinstance(node.op, ast.BitOr) and isinstance(target, ast.Name):
        _dict_update_in_place(b, node)
        return
    op = OPERATORS[type(node.op)]
    if op not in ("+", "-", "*", "/", "//", "%", "**"):
        raise Refusal(node, "this augmented assignment is not supported", "JSONata has no bitwise operators")
    in_place = op in ("+", "*")
    if isinstance(target, ast.Name):
        current = b.expr(ast.Name(target.id, ast.Load(), lineno=target.lineno, col_offset=target.col_offset))
        current = read_before(b, current, target, node.value, f"Read {target.id}")  # (unbound: raises before f())
        (value,) = operands(b, [node.value])
        is_list = current.ty.only("list") and current.ty.form == "list"  # a tuple's += makes a new one
        if in_place and is_list:
            b.check_mutation(node, target.id, nested=False)
        if op == "+" and is_list:
            b.note_alias_items(target.id, node.value)
            value = iterable_of(node.value, value, keys=b.key_type)
            source, item_ty, helpers = iteration_source(node.value, value, b.key_type)
            new = combine(f"$append({current.code}, {source})", pytypes.list_of(pytypes.join(current.ty.element, item_ty)),
                          current, value, helpers=helpers)
        elif in_place and may_extend_in_place(current.ty):
            new = _in_place_if_list(b, node, op, current, value, b.mutation_refusal(node, target.id, nested=False))
            if op == "+":
                b.note_alias_items(target.id, node.value)
        else:
            current, value = beside_float(op, current, value)
            new = binary(node, op, current, value)
            unseen = b.kind_unseen(node)  # `total += amount`, total read where its kind cannot show
            new = blind_stops(node, op, float_blind(new) if unseen else new, current, value,
                              (b.kind_lost(target), b.kind_lost(node.value)), unseen)
        if op == "*" and (is_list or may_extend_in_place(current.ty)):
            b.note_alias_repeat(target.id, 1)
        b.assign([(b.var(target.id), new), *b.kind_pairs(target.id, new)], f"Set {target.id}")
        b.note_type(target.id, new.ty, kinded=True)
        return
    if isinstance(target, ast.Subscript):
        root = target
        while isinstance(root, ast.Subscript):
            root = root.value
        if not isinstance(root, ast.Name):
            raise Refusal(target, "this augmented assignment target is not supported")
        container, key = operands(b, [target.value, target.slice])

        current = read_before(b, subscript(target, container, key, int_keys=b.int_keys), target, node.value,
                              f"Read {short_text(ast.unparse(target))}")
        (value,) = operands(b, [node.value])
        if in_place and current.ty.only("list") and current.ty.form == "list":
            # Python changes the list in place (`+=` is extend), then stores it back: the
            # machine's new list in its place is the same wherever no other name holds it
            b.check_mutation(target, root.id, nested=True, depth=item_depth(target))
            if op == "+":
                b.note_alias_items(root.id, node.value, depth=item_depth(target) + 1)
                value = iterable_of(node.value, value, keys=b.key_type)
                source, item_ty, helpers = iteration_source(node.value, value, b.key_type)
                new = combine(f"$append({current.code}, {source})",
                              pytypes.list_of(pytypes.join(current.ty.element, item_ty)), current, value, helpers=helpers)
            else:
                new = binary(node, op, current, value)
                b.note_alias_repeat(root.id, item_depth(target) + 1)
        elif in_place and may_extend_in_place(current.ty):
            new = _in_place_if_list(b, node, op, current, value,
                                    b.mutation_refusal(target, root.id, nested=True, depth=item_depth(target)))
            if op == "+":
                b.note_alias_items(root.id, node.value, depth=item_depth(target) + 1)
            else:
                b.note_alias_repeat(root.id, item_depth(target) + 1)
        else:
            new = binary(node, op, current, value)
        b.check_mutation(target, root.id, nested=isinstance(target.value, ast.Subscript),
                         depth=item_depth(target.value))
        new_container = set_item(target, container, key, new)
        pairs = store(b, target.value, new_container, write_back=True) if isinstance(target.value, ast.Subscript) \
            else [(b.var(target.value.id), new_container)]
        if isinstance(target.value, ast.Name):
            b.note_type(target.value.id, new_container.ty)
        b.assign(pairs, f"Set {pairs[0][0]}")
        return
    raise Refusal(target, "this augmented assignment target is not supported")


def _set_aug_assign(b, node: ast.AugAssign) -> None:
    """`s |= t` (and &=, -=, ^=) on a set changes it in place: every name for it sees the change."""
    op = {ast.BitOr: "|", ast.BitAnd: "&", ast.Sub: "-", ast.BitXor: "^"}.get(type(node.op))
    name = node.target.id
    if op is None:
        raise Refusal(node, f"this augmented assignment on the set '{name}' is not supported (Python raises "
                      "TypeError)")
    current = b.expr(ast.Name(name, ast.Load(), lineno=node.target.lineno, col_offset=node.target.col_offset))
    (value,) = operands(b, [node.value])
    b.check_mutation(node, name, nested=False)
    new = sets.binary(node, op, current, value)
    b.assign([(b.var(name), new)], f"Set {name}")
    b.note_type(name, new.ty)


def _set_item_aug_assign(b, node: ast.AugAssign) -> None:
    """`d[k] |= t` on a dict of sets: the set changes in place, as `d[k].update(t)` changes it
    (then Python stores the same set back under k)."""
    if not isinstance(node.op, ast.BitOr):
        raise Refusal(node, "this augmented assignment on a set inside a dict is not supported",
                      "write d[k] = d[k] & t (a new set), or d[k].update(t) for |=")
    item = ast.Subscript(value=node.target.value, slice=node.target.slice, ctx=ast.Load())
    call = ast.Call(func=ast.Attribute(value=item, attr="update", ctx=ast.Load()), args=[node.value], keywords=[])
    transform_expr(b, ast.copy_location(ast.Expr(value=ast.fix_missing_locations(ast.copy_location(call, node))),
                                        node))


def _in_place_if_list(b, node: ast.AugAssign, op: str, current: Expr, value: Expr,
                      refusal: Refusal | None) -> Expr:
    """`x += y` or `x *= y` on a value that may be a list known only at run time (for `+=`,
    operations.augmented_add). Where the list may be shared (`refusal` says how), Python's
    change in place would show through the other names and the machine's would not: the
    machine stops (pysfn.Unsupported) when it meets a list there, and runs `+`/`*` as Python
    does on anything else."""
    new = augmented_add(node, current, value) if op == "+" else binary(node, op, current, value)
    if refusal is None or op == "+" and not may_iterate(value.ty):  # Python's TypeError, nothing changes
        return new
    condition = f"$type({current.code}) = 'array'"
    if op == "+":
        condition += f" and $type({value.code}) in ['array', 'string', 'object']"
    what = "extends" if op == "+" else "repeats"
    stop = Guard(f"({condition})", None, "''", current.helpers | value.helpers, current.reads | value.reads,
                 abort=True, error_name=UNSUPPORTED, message_literal=(
                     f"line {node.lineno}: `{short_text(ast.unparse(node), 60)}` {what} a list in place (Python's "
                     f"{op}= on a list), but {refusal.message}; {refusal.hint}"))
    return attrs.evolve(new, guards=(*new.guards, stop))


def transform_delete(b, node: ast.Delete) -> None:
    for target in node.targets:
        if isinstance(target, ast.Name):
            _delete_name(b, target)
            continue
        if not isinstance(target, ast.Subscript):
            raise Refusal(target, f"del of {type(target).__name__} is not supported")
        root = target
        while isinstance(root, ast.Subscript):
            root = root.value
        if not isinstance(root, ast.Name):
            raise Refusal(target, "del of this expression is not supported")
        if isinstance(target.slice, ast.Slice) and target.slice.step is not None:
            _delete_stepped_slice(b, target, root)
            continue
        if isinstance(target.slice, ast.Slice):  # `del xs[lo:hi]` is `xs[lo:hi] = []`
            empty = ast.copy_location(ast.List(elts=[], ctx=ast.Load()), target)
            pairs = store(b, target, const([], pytypes.list_of(pytypes.NOTHING)), empty)
            b.assign(pairs, f"Set {pairs[0][0]}")
            continue
        b.check_mutation(target, root.id, nested=isinstance(target.value, ast.Subscript),
                         depth=item_depth(target.value))
        container, key = operands(b, [target.value, target.slice])
        no_tuple_item_change(target, container.ty)
        if container.ty.only("dict"):
            given, key = key, dict_key(target, key, b.int_keys)
            new = combine(f"$__delkey({container.code}, {key.code})", container.ty, container, key,
                          helpers={"delkey"}, guards=[key_guard(container, key, given)])
        elif container.ty.only("list"):
            key = int_index(target, key, "list")
            count = f"$count({container.code})"
            check = guard(f"({key.code} >= {count} or {key.code} < -{count})", IndexError,
                          "'list assignment index out of range'", container, key)
            position = f"({key.code} < 0 ? {count} + {key.code} : {key.code})"
            new = combine(f"$__delitem({container.code}, {position})", container.ty, container, key,
                          helpers={"delitem"}, guards=[check])
        elif container.ty.may("list", "dict"):
            new = _delete_of_unknown(container, key, b.int_keys)
        else:
            raise Refusal(target, f"del of an item of {container.ty.describe()}",
                          "Python raises TypeError: it does not support item deletion")
        pairs = store(b, target.value, new, write_back=True) if isinstance(target.value, ast.Subscript) \
            else [(b.var(target.value.id), new)]
        b.assign(pairs, f"Set {pairs[0][0]}")


def _delete_stepped_slice(b, target: ast.Subscript, root: ast.Name) -> None:
    """`del xs[lo:hi:step]`: the list without the items the slice takes (Python's ValueError
    for a step of 0; a str or tuple cannot change)."""
    b.check_mutation(target, root.id, nested=isinstance(target.value, ast.Subscript),
                     depth=item_depth(target.value))
    container, lower, upper, step = slice_parts(b, target, "del of a slice",
                                                "Python raises TypeError: it does not support item deletion")
    no_tuple_item_change(target, container.ty)
    if step.is_const and step.const == 0:
        raise Refusal(target, "slice step cannot be zero (Python raises ValueError)")
    checks = [] if step.is_const else [guard(f"({step.code} = 0)", ValueError, "'slice step cannot be zero'", step)]
    args = ", ".join([container.code, lower.code if lower else "null", upper.code if upper else "null", step.code])
    new = combine(f"$__delslice({args})", container.ty, container, *(p for p in (lower, upper, step) if p is not None),
                  helpers={"delslice"}, guards=checks)
    pairs = store(b, target.value, new, write_back=True) if isinstance(target.value, ast.Subscript) \
        else [(b.var(target.value.id), new)]
    b.assign(pairs, f"Set {pairs[0][0]}")


def _delete_name(b, target: ast.Name) -> None:
    """`del x`: UnboundLocalError if x is unassigned already, else x holds the unassigned
    marker again (compiler.mark_unassigned), so a later read raises as Python's does."""
    scope, _ = b.lookup(target.id, record=False)
    if scope is not b.scope:
        raise Refusal(target, f"del of '{target.id}', which is not a local variable here, is not supported")
    current = b.expr(ast.Name(target.id, ast.Load(), lineno=target.lineno, col_offset=target.col_offset))
    if current.guards:
        b.check([current], f"Check {target.id}")
    _unbind(b, target.id)


def _no_deletion(value) -> str:
    """The tail of this Python's TypeError for `del value[0]` (after the type's name)."""
    try:
        del value[0]
    except TypeError as error:
        return str(error).split("'", 2)[2]
    raise AssertionError("deleted an item of a str or an int")


# CPython names the same failure two ways: a str's item by an int index takes the sequence
# path ("doesn't"), anything else the mapping path ("does not")
_NO_DELETION, _NO_DELETION_BY_INDEX = _no_deletion(0), _no_deletion("x")


def _delete_of_unknown(container: Expr, key: Expr, int_keys: bool = False) -> Expr:
    """`del container[key]` where whether it is a dict or a list is known only at run time:
    Python's checks in Python's order (the kind, the key's hash, then the key or the index;
    with `int_keys`, an int is the dict's key too: operations.lookup_key)."""
    c, k = container.code, key.code
    held, extra = (f"$__ekey({k})", {"ekey"}) if int_keys else (k, set())
    is_dict = f"($type({c}) = 'object')"
    unhashable, (index_type, index_range), position = unknown_item_checks(container, key)
    checks = [
        guard(f"$not($type({c}) in ['object', 'array'])", TypeError,
              f"\"'\" & $__pytype({c}) & \"'\" & ($type({c}) = 'string' and ($type({k}) = 'boolean' or "
              f"($type({k}) = 'number' and $floor({k}) = {k})) ? {jsonata_lib.string(_NO_DELETION_BY_INDEX)} : "
              f"{jsonata_lib.string(_NO_DELETION)})", container, key, helpers={"pytype"}),
        unhashable,
        guard(f"({is_dict} and $not($type({held}) = 'string' and $exists($lookup({c}, {held}))))", KeyError,
              f"$__pyrepr({k})", container, key, helpers={"pyrepr", *extra}),
        index_type,
        index_range,
    ]
    return combine(f"({is_dict} ? $__delkey({c}, {held}) : $__delitem({c}, {position}))", container.ty, container,
                   key, helpers={"delkey", "delitem", "num", *extra}, guards=checks)


def transform_assert(b, node: ast.Assert) -> None:
    """The message is evaluated only when the test fails (its guards too; a message that
    calls a callee is a Task on the failing path only)."""
    test = condition(b, node.test)
    if node.msg is not None and effects(b, node.msg).any:
        failing = combine(f"$not({test.code})", pytypes.BOOL, test)
        fails, holds = b.fork(f"Assert {short_text(ast.unparse(node.test))} (line {node.lineno})", failing)
        b.then(fails)
        message = _printed(b, AssertionError, b.expr(node.msg), to_str, node.msg)
        raise_class(b, AssertionError, message)
        b.then(holds)
        return
    message = const("", pytypes.STR)
    if node.msg is not None:
        message = _printed(b, AssertionError, b.expr(node.msg), to_str, node.msg)
    reached = tuple(g.under(f"$not({test.code})", test.helpers, test.reads) for g in message.guards)
    failed = guard(f"$not({test.code})", AssertionError, message.code, test, message)
    b.check([Expr("null", pytypes.NONE, test.guards + reached + (failed,))],
            f"Assert (line {node.lineno})")


# -- control flow ------------------------------------------------------------------------
def transform_if(b, node: ast.If) -> None:
    test = condition(b, node.test)
    if test.is_const:  # `if True:` / `if DEBUG:` with a constant: only one side exists
        b.block(node.body if test.const else node.orelse)
        return
    reachable = b.reachable
    choice = b.guard_choice(f"If {short_text(ast.unparse(node.test))} (line {node.lineno})", test.guards)
    defined = b.defined
    rule = ir.Rule(ir.Code(test.code, test.helpers))
    choice.rules.append(rule)
    then_hole, else_hole = b.hole(rule, "next", defined), b.hole(choice, "default", defined)
    b.add(choice)
    positive, negative = narrowings(b, node.test)
    # `if lst is None: lst = []`: after the if, `lst` is what the test left it or what the body
    # assigned (each store joins the frame), never None: where the body assigns the name on its
    # every path, the test's other side holds from here (inside, the test's own side hides it)
    carried = {name: ty for name, ty in negative.items()
               if _assigns_first(node.body, name) and not b.lookup(name, record=False)[1].is_any}
    if carried and reachable:
        b.narrow_rest(carried)
    b.then([then_hole] if reachable else [])
    with b.narrow(positive):
        b.block(node.body)
    ends, body_frames = b.pending, b.ended_frames
    b.then([else_hole] if reachable else [])
    with b.narrow(negative):
        b.block(node.orelse)
    else_ends, else_frames = b.pending, b.ended_frames if node.orelse else []
    b.then(ends + b.pending)
    if not ends and negative:  # `if x is None: return ...`: x is not None from here on
        b.narrow_rest(negative)
    # what the one branch that goes on assigned holds after the if (`else: continue`)
    if not ends:
        b.narrow_rest_frames(else_frames)
    elif not else_ends:
        b.narrow_rest_frames(body_frames)


def _assigns_first(body: list, name: str) -> bool:
    """Whether a block assigns the plain name `name` in a statement of its own top level
    before any statement that could leave it or read it in another way: whatever path leaves
    the block normally has assigned it."""
    for statement in body:
        targets = statement.targets if isinstance(statement, ast.Assign) else \
            [statement.target] if isinstance(statement, ast.AnnAssign) and statement.value is not None else []
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return True
        if not isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign, ast.Pass)):
            return False
    return False


def transform_while(b, node: ast.While) -> None:
    b.loop_rebinds(node)
    loop = LoopContext(node, Label("while"), Label("after while"), f"L{node.lineno}")
    reachable = b.reachable
    b.mark(loop.head)
    entry_defined = b.defined
    test = condition(b, node.test)
    if test.is_const and test.const:  # while True: the loop ends by break, return or raise
        b.enter_loop(node)
        with b.inside(loop):
            b.block(node.body)
            b.back_edge(node)
            if loop.head.node is None and b.reachable:  # an empty loop body: wait forever? no
                raise Refusal(node, "an endless loop that does nothing", "add a break")
            b.jump(loop.head)
        b.then(loop.exit.holes)
        loop.exit.holes = []
        return
    choice = b.guard_choice(f"While {short_text(ast.unparse(node.test))} (line {node.lineno})", test.guards)
    rule = ir.Rule(ir.Code(test.code, test.helpers))
    choice.rules.append(rule)
    b.enter_loop(node)
    body_hole, exit_hole = b.hole(rule, "next", entry_defined), b.hole(choice, "default", entry_defined)
    b.add(choice)
    b.then([body_hole] if reachable else [])
    with b.inside(loop):
        b.block(node.body)
        b.back_edge(node)
        b.jump(loop.head)
    b.then([exit_hole] if reachable else [])
    b.block(node.orelse)
    b.then(b.pending + loop.exit.holes)
    loop.exit.holes = []


def transform_for(b, node: ast.For) -> None:
    b.loop_rebinds(node)
    zipped = _zip_by_index(b, node)
    if zipped is not None:
        _zip_checks(b, node, zipped)
        transform_for(b, zipped)
        return
    by_index = _by_index(b, node)
    if by_index is not None:
        walked = element_aliases.item_loop(node)
        rows, kind = walked.base, "dict" if walked.is_dict else "list"
        ty = _walked_type(b, walked, node)
        collecting = contextlib.nullcontext()
        if not walked.path and isinstance(by_index.target, ast.Name) \
                and element_aliases.mentions_only_item(by_index.body, rows, by_index.target.id):
            collecting = b.collecting(rows, by_index.target.id)  # (`keep.append(row)` after changing it)
        if ty.only(kind):
            with collecting:
                transform_for(b, by_index)
            return
        # a value nobody annotated: a list (a dict) when the loop starts, else the machine stops
        # (Python would walk a str's characters or a dict's keys, which cannot be changed in place;
        # or raise AttributeError for items() of a list)
        container = _located_container(walked, node)
        value = b.expr(container)
        json_type = "object" if walked.is_dict else "array"
        shown = short_text(ast.unparse(container))
        b.check([stop_where(value, f"($type({value.code}) != '{json_type}')",
                            f"line {node.lineno}: the loop changes its items in place, which the machine does "
                            f"for the items of a {kind} only, and '{shown}' is not a {kind}: annotate it")],
                f"Check {shown} (line {node.lineno})")
        if walked.path:  # (an item's type cannot be narrowed by name: its reads check it as they go)
            transform_for(b, by_index)
            return
        narrowed = pytypes.dict_of(pytypes.ANY) if walked.is_dict else pytypes.list_of(pytypes.ANY)
        with b.narrow({rows: narrowed}), collecting:
            transform_for(b, by_index)
        return
    taken = _taken_as_walked(b, node)
    if taken is not None:
        _for_over_taken_as(b, node, *taken)
        return
    iterable_node = node.iter
    loop = LoopContext(node, Label("for"), Label("after for"), f"L{node.lineno}")
    walked = b.walked()
    index = b.temp("i")
    title = f"For {short_text(ast.unparse(node.target))} in {short_text(ast.unparse(iterable_node), 30)} (line {node.lineno})"
    range_args, counted = _range_call(b, iterable_node), None
    if range_args is not None:
        start, stop, step = range_args
        stop = materialize(b, stop, iterable_node, "stop")
        step = materialize(b, step, iterable_node, "step") if not step.is_const else step
        if step.is_const and step.const == 0:
            raise Refusal(iterable_node, "range() arg 3 must not be zero")
        if not step.is_const:
            b.check([Expr("null", pytypes.NONE, (guard(f"({step.code} = 0)", ValueError,
                                                        "'range() arg 3 must not be zero'", step),))], "Check range")
        b.assign([(index, start)], f"Start {title}")
        if step.is_const:
            test = f"(${index} {'<' if step.const > 0 else '>'} {stop.code})"
        else:
            test = f"({step.code} > 0 ? ${index} < {stop.code} : ${index} > {stop.code})"
        item = Expr(f"${index}", pytypes.kind("int", max(start.ty.bits, stop.ty.bits)), reads=frozenset([index]))
        advance = f"${index} + {step.code}"
        helpers: frozenset = frozenset()
    else:
        counted = _counted(b, node)
        walked_node = iterable_node if counted is None else counted[0]
        walked_value = b.expr(walked_node)
        iterable = iterable_of(walked_node, walked_value, keys=b.key_type)
        source, item_ty, helper_names = iteration_source(walked_node, iterable, b.key_type)
        items = combine(source, pytypes.list_of(item_ty), iterable, helpers=helper_names)
        sequence = _walked_variable(b, walked_node, node, items)
        if iterable.ty.mutable:
            sources, keyed = live_sources(iterable_node), _keys_walked(b, node)
            if sequence is not None and sources == {walked_node.id}:
                # the loop reads the list itself at each step (`$xs[$i]`, `$count($xs)`), as
                # Python's list iterator does: a change in place (`xs.append(job)` of a retry
                # queue, `xs.pop(0)`) shows in the walk as it does in Python
                pass
            elif keyed is not None and sources == {keyed[0]}:
                b.walk_keys(keyed[0])  # `for k in d`: d's values may change, not its keys
            else:
                fresh = not (sources & b.walked())
                b.walk(sources)
                position = node.target.elts[0].id if counted is not None and counted[1] == 0 else None
                if fresh and position is not None and isinstance(walked_node, ast.Name) \
                        and _stores_at(node.body, walked_node.id, position) \
                        and not ast_edits.may_rebind(position, node.body, b.scope.body):
                    b.walk_at(walked_node.id, position)  # `xs[i] = ...` of its own position
                    if not walked_value.ty.only("list"):  # (a dict would change size: Python's RuntimeError)
                        b.check([stop_where(attrs.evolve(walked_value, guards=()), f"($type({walked_value.code}) = 'object')",
                                            f"line {node.lineno}: the loop may store items by their position, "
                                            f"which the machine does for a list only, and "
                                            f"'{walked_node.id}' is a dict: annotate it")],
                                f"Check {walked_node.id} (line {node.lineno})")
        start = [(index, const(0, pytypes.kind("int", 1)))]
        if sequence is None:  # the list of the moment, in a variable of its own
            sequence = b.temp("items")
            start.insert(0, (sequence, items))
        b.assign(start, f"Start {title}")
        test = f"(${index} < $count(${sequence}))"
        item = Expr(f"${sequence}[${index}]", item_ty, reads=frozenset([sequence, index]))
        if counted is not None:  # `i, x in enumerate(xs)`: the position, and the item of xs itself
            position = Expr(f"${index} + {counted[1]}" if counted[1] else f"${index}", pytypes.SMALL_INT,
                            reads=frozenset([index]))
            element, item = item, Expr(f"[{position.code}, {item.code}]",
                                       pytypes.tuple_of(pytypes.SMALL_INT, item_ty), reads=item.reads)
        advance = f"${index} + 1"
        helpers = frozenset()
    reachable = b.reachable
    b.mark(loop.head)
    entry_defined = b.defined
    choice = ir.Choice(title=title)
    rule = ir.Rule(ir.Code(test, helpers))
    choice.rules.append(rule)
    b.enter_loop(node)
    exit_hole = b.hole(choice, "default", entry_defined)
    unpacked = None  # `for a, b in xs` over items whose kind or length only the run knows
    if _unpacks_at_run_time(node.target, item.ty):
        unpacked = b.temp("item")
        item_ty = item.ty
        targets = [(unpacked, item)]
    elif counted is not None:
        counter, name = node.target.elts
        targets = [*_loop_targets(b, counter, position), *_loop_targets(b, name, element)]
    else:
        targets = _loop_targets(b, node.target, item)
    rule.assign = {name: b.field(expr) for name, expr in targets}
    rule.assign[index] = ir.Code(advance)
    body_hole = b.hole(rule, "next", entry_defined | frozenset(rule.assign))
    b.add(choice)
    b.then([body_hole] if reachable else [])
    if range_args is None:
        b.note_loop_alias(node.target, iterable_node, item.ty)
    keyed = _keys_walked(b, node)
    try:
        with b.inside(loop), (b.keys_present(*keyed) if keyed else contextlib.nullcontext()):
            if unpacked is not None:
                unpack(b, node.target, Expr(f"${unpacked}", item_ty, reads=frozenset([unpacked])), node.target)
            b.block(node.body)
            b.back_edge(node)
            b.jump(loop.head)
    finally:
        b.end_walk(walked)
    b.then([exit_hole] if reachable else [])
    b.block(node.orelse)
    b.then(b.pending + loop.exit.holes)
    loop.exit.holes = []


def _taken_as_walked(b, node: ast.For) -> tuple | None:
    """(name, JSON type, type, why) where the loop walks a value nobody annotated that its body
    changes as only one kind can be changed: `for job in jobs: ... jobs.append(job)` takes
    `jobs` for a list (walked by position as it changes, as Python's list iterator does; a
    dict's keys or a str's characters would be walked first, its append raise AttributeError
    only then), `for k in d: d[k] = ...` takes `d` for a dict (its keys kept while its values
    change; a list's or str's items would be walked, and changing them in place is another
    loop). The machine stops where the value is not that kind as the loop starts."""
    name = _unknown_list_changed(b, node)
    if name is not None:
        return (name, "array", pytypes.list_of(pytypes.ANY), f"the loop changes '{name}' with a list's methods while "
                f"it walks it, which the machine does for a list only, and '{name}' is not a list")
    name = _unknown_dict_keys_walked(b, node)
    if name is not None:
        return (name, "object", pytypes.dict_of(pytypes.ANY), f"the loop changes the values of '{name}' while it "
                f"walks its keys, which the machine does for a dict only, and '{name}' is not a dict")
    return None


def _for_over_taken_as(b, node: ast.For, name: str, json_type: str, ty, why: str) -> None:
    """The loop, with `name` (of a type nobody annotated) taken for `ty` once a check as it
    starts has stopped the machine where it is not (`why`)."""
    value = b.expr(ast.copy_location(ast.Name(id=name, ctx=ast.Load()), node.iter))
    b.check([stop_where(value, f"($type({value.code}) != '{json_type}')", f"line {node.lineno}: {why}: annotate it")],
            f"Check {name} (line {node.lineno})")
    with b.narrow({name: ty}):
        transform_for(b, node)


def _stores_at(body: list[ast.stmt], name: str, position: str) -> bool:
    """Whether `body` stores `name[position]` (`xs[i] = v`, `xs[i] += 1`)."""
    return any(isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store) and isinstance(n.value, ast.Name)
               and n.value.id == name and isinstance(n.slice, ast.Name) and n.slice.id == position
               for statement in body for n in ast.walk(statement))


def _counted(b, node: ast.For) -> tuple[ast.expr, int] | None:
    """(xs, start) of `for i, x in enumerate(xs, start)` (start a literal int): the loop walks
    `xs` and counts the position itself, so no list of pairs is built first (twice the data, and
    past AWS's 256 KB for a variable long before `xs` is)."""
    call, target = node.iter, node.target
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "enumerate"
            and b.lookup("enumerate", record=False)[0] is None and "enumerate" not in b.info.objects
            and isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == 2
            and all(isinstance(e, ast.Name) for e in target.elts)
            and len(call.args) in (1, 2) and not any(isinstance(a, ast.Starred) for a in call.args)):
        return None
    starts = call.args[1:] + [k.value for k in call.keywords]
    if any(k.arg != "start" for k in call.keywords) or len(starts) > 1:
        return None  # (Python's TypeError, as _enumerate says it)
    try:
        start = ast.literal_eval(starts[0]) if starts else 0
    except ValueError:  # (not a literal)
        return None
    if type(start) is not int or abs(start) >= 2 ** 31:
        return None
    return call.args[0], start


def _walked_variable(b, walked: ast.expr, node: ast.For, items: Expr) -> str | None:
    """The variable of `for x in xs` where the loop may walk `$xs` itself: `xs` a local of this
    function that the loop never binds again (Python walks the list `xs` held when the loop
    began, by position, as the machine then does: a change in place shows in both). A copy in
    a hidden variable would double the data one state assigns (AWS allows 256 KB)."""
    if not isinstance(walked, ast.Name) or walked.id not in b.scope.names:
        return None
    name = walked.id
    var = b.var(name)
    if items.code != f"${var}" or ast_edits.may_rebind(name, [node.target, *node.body], b.scope.body):
        return None
    return var


def _zip_checks(b, node: ast.For, zipped: ast.For) -> None:
    """Before a zip loop run by index: each other sequence nobody annotated must be a list or a
    str when the loop starts (Python's zip walks a dict's keys, where `names[i]` would look a
    key up; and raises its own TypeError for what it cannot walk), else the machine stops."""
    walked = zipped.iter.args[0].id
    for arg in node.iter.args:
        if arg.id == walked:
            continue
        value = b.expr(arg)
        if value.ty.only("list") or value.ty.only("str"):
            continue
        shown = short_text(ast.unparse(arg))
        b.check([stop_where(attrs.evolve(value, guards=()), f"$not($type({value.code}) in ['array', 'string'])",
                            f"line {node.lineno}: the zip loop reads '{shown}' by position, which the machine does "
                            f"for a list or a str only, and '{shown}' is neither: annotate it")],
                f"Check {shown} (line {node.lineno})")


def _zip_by_index(b, node: ast.For) -> ast.For | None:
    """`for name, row in zip(names, rows):` whose body changes `row` in place, as a loop over
    `enumerate(rows)` reading `names[i]` (element_aliases.zip_loop), which _by_index then runs by
    index; where the other sequences are local lists (or strs, checked at run time where nobody
    annotated them: _zip_checks) whose items nothing else holds, and the loop over `rows` can
    run by index (the body changes no other target in place: zip_loop)."""
    key = ("zip", id(node))
    if key in b.scope.by_index:
        return b.scope.by_index[key]
    made = [*b.scope.body, node, *b.scope.by_index.values()]
    taken = {n.id for statement in made for n in ast.walk(statement) if isinstance(n, ast.Name)}
    found = element_aliases.zip_loop(node, b.scope.body, fresh_name("index", taken))
    if found is None or any(b.lookup(n, record=False)[0] is not None or n in b.info.objects
                            for n in ("len", "enumerate")):
        return None
    loop, others = found
    shared, deep = b.alias_state
    for name in others:
        scope, ty = b.lookup(name, record=False)
        if scope is not b.scope or ty is None or sets.is_set(ty) or not (ty.is_any or ty.may("list", "str")):
            return None
        if not (ty.only("str") or (ty.only("list") and not ty.element.mutable and not ty.element.is_any)) and (
                name in shared or any(deep_key(name, level) in deep for level in range(1, DEEPEST + 1))):
            return None  # (items that may be another's: `used = usage[i]` would be a copy of one)
    if _by_index(b, loop) is None:
        return None
    b.scope.by_index[key] = loop
    return loop


def _by_index(b, node: ast.For) -> ast.For | None:
    """`for row in rows:` whose body changes `row` in place, over a list: the loop by index, `row`
    read as `rows[i]` (element_aliases.live_loop_item says when that is Python's meaning), so the
    changes reach the list as they do in Python (a variable holding a copy would not); so too
    `for k, v in d.items()` and `for v in d.values()` over a dict, `v` read as `d[k]`."""
    if id(node) in b.scope.by_index:
        return b.scope.by_index[id(node)]
    walked = element_aliases.item_loop(node)
    if walked is None:
        return None
    rows = walked.base
    scope, ty = b.lookup(rows, record=False)
    if walked.path and scope is b.scope and ty is not None:  # an item's items: its type known, or no
        ty = _walked_type(b, walked, node)
        if not (ty.only("dict" if walked.is_dict else "list") or ty.is_any):
            return None
    if scope is not b.scope or ty is None or not (ty.only("dict" if walked.is_dict else "list") or ty.is_any) \
            or sets.is_set(ty) \
            or any(b.lookup(n, record=False)[0] is not None or n in b.info.objects
                   for n in ("range", "len", "enumerate", "list", "sorted")) \
            or not element_aliases.live_loop_item(node, b.scope.body):
        return None
    # (the loops by index made already, enclosing this one, hold index names of their own)
    made = [*b.scope.body, node, *b.scope.by_index.values()]
    taken = {n.id for statement in made for n in ast.walk(statement) if isinstance(n, ast.Name)}
    loop = element_aliases.index_loop(node, fresh_name(f"{rows}_index", taken))
    b.scope.by_index[id(node)] = loop
    return loop


def _walked_type(b, walked, node: ast.For):
    """The type of the container an item loop walks (`rows`, or `m[a]` through its keys)."""
    if not walked.path:
        return b.lookup(walked.base, record=False)[1]
    return b.expr(_located_container(walked, node)).ty


def _located_container(walked, node: ast.For) -> ast.expr:
    """The container an item loop walks, as an expression placed where the loop's iterable is."""
    container = walked.container()
    for part in ast.walk(container):
        ast.copy_location(part, node.iter)
    return container


_REMOVES_KEYS = frozenset({"pop", "popitem", "clear"})


_LIST_CHANGES = frozenset({"append", "extend", "insert", "remove", "sort", "reverse"})  # (no dict has them)


def _unknown_list_changed(b, node: ast.For) -> str | None:
    """`xs` of `for x in xs` (or `enumerate(xs)`) whose body calls a list's own changing methods
    on it (`xs.append(v)`), with `xs` of a type nobody annotated and never bound again there."""
    source = node.iter
    if isinstance(source, ast.Call) and isinstance(source.func, ast.Name) and source.func.id == "enumerate" \
            and len(source.args) == 1 and not source.keywords:
        source = source.args[0]
    if not isinstance(source, ast.Name):
        return None
    scope, ty = b.lookup(source.id, record=False)
    if scope is not b.scope or ty is None or not ty.is_any \
            or ast_edits.may_rebind(source.id, [node.target, *node.body], b.scope.body):
        return None
    changes = any(isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
                  and sub.func.attr in _LIST_CHANGES and isinstance(sub.func.value, ast.Name)
                  and sub.func.value.id == source.id
                  for statement in node.body for sub in ast.walk(statement))
    return source.id if changes else None


def _unknown_dict_keys_walked(b, node: ast.For) -> str | None:
    """`d` of `for k in d` (or `d.keys()`) whose body changes `d`'s values (`d[k] = v`), with
    `d` of a type nobody annotated: as a dict, the loop would walk its keys (_keys_walked)."""
    source = node.iter
    if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) and source.func.attr == "keys" \
            and not source.args and not source.keywords:
        source = source.func.value
    if not isinstance(source, ast.Name) or not isinstance(node.target, ast.Name):
        return None
    scope, ty = b.lookup(source.id, record=False)
    if scope is not b.scope or ty is None or not ty.is_any:
        return None
    changes = any(isinstance(sub, (ast.Assign, ast.AugAssign)) and any(
        isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == source.id
        for t in (sub.targets if isinstance(sub, ast.Assign) else [sub.target]))
        for statement in node.body for sub in ast.walk(statement))
    if not changes:
        return None
    with b.narrow({source.id: pytypes.dict_of(pytypes.ANY)}):
        keyed = _keys_walked(b, node)
    return source.id if keyed is not None else None


def _keys_walked(b, node: ast.For) -> tuple[str, str] | None:
    """(d, k) for `for k in d` / `sorted(d)` / `list(d)` / `d.keys()` over a dict `d` whose
    keys the body cannot remove (no `del`, no pop/popitem/clear on anything, neither name
    bound again, no function of the workflow's called): `d[k]` always finds its key."""
    target, source = node.target, node.iter
    if not isinstance(target, ast.Name):
        return None
    if isinstance(source, ast.Call) and isinstance(source.func, ast.Name) and source.func.id in ("sorted", "list") \
            and len(source.args) == 1 and b.lookup(source.func.id)[0] is None \
            and source.func.id not in b.info.objects:
        source = source.args[0]
    if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) and source.func.attr == "keys" \
            and not source.args and not source.keywords:
        source = source.func.value
    if not isinstance(source, ast.Name) or source.id == target.id:
        return None
    scope, ty = b.lookup(source.id, record=False)
    if scope is not b.scope or ty is None or not ty.only("dict"):
        return None
    names = {source.id, target.id}
    nested = b.scope_nested()
    for sub in ast.walk(ast.Module(body=node.body, type_ignores=[])):
        if isinstance(sub, (ast.Delete, ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                            ast.ClassDef, ast.Global, ast.Nonlocal)):
            return None
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store) and sub.id in names:
            return None
        if isinstance(sub, ast.ExceptHandler) and sub.name in names:
            return None
        if isinstance(sub, ast.Call) and ((isinstance(sub.func, ast.Attribute) and sub.func.attr in _REMOVES_KEYS)
                                          or (isinstance(sub.func, ast.Name) and sub.func.id in nested)):
            return None
    return source.id, target.id


def live_sources(iterable: ast.AST) -> set:
    """The variables whose current value a for loop walks as it goes (Python sees items
    appended while it iterates; the machine iterates a snapshot): changing them in place in
    the body is refused. A copy (list(xs), sorted(xs), xs[1:]) is not live."""
    if isinstance(iterable, ast.Name):
        return {iterable.id}
    if isinstance(iterable, ast.Subscript) and not isinstance(iterable.slice, ast.Slice):
        root = iterable
        while isinstance(root, ast.Subscript):
            root = root.value
        return {root.id} if isinstance(root, ast.Name) else set()
    if isinstance(iterable, ast.Call):
        func = iterable.func
        if isinstance(func, ast.Name) and func.id in ("enumerate", "zip", "reversed"):
            out: set = set()
            for arg in iterable.args:
                out |= live_sources(arg)
            return out
        if isinstance(func, ast.Attribute) and func.attr in ("items", "keys", "values"):
            return live_sources(func.value)
    return set()


def _range_call(b, node):
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range"
            and b.lookup("range")[0] is None and "range" not in b.info.objects):
        return None
    if node.keywords or not 1 <= len(node.args) <= 3:
        raise Refusal(node, "range() takes 1 to 3 positional arguments")
    args = [range_argument(node, arg) for arg in operands(b, node.args)]
    one = const(1, pytypes.kind("int", 1))
    if len(args) == 1:
        return const(0, pytypes.kind("int", 1)), args[0], one
    if len(args) == 2:
        return args[0], args[1], one
    return args[0], args[1], args[2]


def _unpacks_at_run_time(target, item_ty) -> bool:
    """A tuple of names whose item is not known to be a list of that many items: the item is
    unpacked as `a, b = item` is (Python's TypeError or ValueError when it does not fit)."""
    if not isinstance(target, (ast.Tuple, ast.List)):
        return False
    names = [e.value if isinstance(e, ast.Starred) else e for e in target.elts]
    starred = len(names) != len([e for e in target.elts if isinstance(e, ast.Name)])
    return all(isinstance(e, ast.Name) for e in names) and (starred or not (
        item_ty.only("list") and item_ty.items is not None and len(item_ty.items) == len(target.elts)))


def _loop_targets(b, target, item: Expr) -> list[tuple[str, Expr]]:
    if isinstance(target, ast.Name):
        b.declare(target.id)
        b.note_type(target.id, item.ty)
        return [(b.var(target.id), item)]
    if isinstance(target, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in target.elts):
        out = []
        for position, element in enumerate(target.elts):
            ty = item.ty.items[position] if item.ty.items and position < len(item.ty.items) else item.ty.element
            b.declare(element.id)
            b.note_type(element.id, ty)
            out.append((b.var(element.id), Expr(f"{bound_code(item.code)}[{position}]", ty, reads=item.reads)))
        return out  # items of this many values (else _unpacks_at_run_time)
    raise Refusal(target, "this for-loop target is not supported", "use a name or a tuple of names")


def _loop_context(b, node):
    for context in reversed(b.scope.contexts):
        if isinstance(context, LoopContext):
            return context
    raise Refusal(node, f"'{type(node).__name__.lower()}' outside a loop")


def transform_break(b, node) -> None:
    loop = _loop_context(b, node)
    jump_out(b, loop, "break")


def transform_continue(b, node) -> None:
    loop = _loop_context(b, node)
    jump_out(b, loop, "continue")


def jump_out(b, loop: LoopContext, kind: str) -> None:
    """break/continue: through every finally block between here and the loop."""
    contexts = b.scope.contexts
    position = contexts.index(loop)
    for index in range(len(contexts) - 1, position, -1):
        context = contexts[index]
        if isinstance(context, TryContext):
            _delete_caught(b, context)
        if isinstance(context, TryContext) and context.finally_label is not None:
            tag = f"{kind}:{loop.ident}"
            context.kinds.add(tag)
            b.assign([(context.finally_var, const({"kind": tag}, pytypes.dict_of(pytypes.STR)))],
                     f"{kind.capitalize()} through finally")
            b.jump(context.finally_label)
            return
    if kind == "continue":
        b.back_edge(loop.node)
    b.jump(loop.exit if kind == "break" else loop.head)


def transform_return(b, node: ast.Return) -> None:
    value = b.expr(node.value) if node.value is not None else const(None, pytypes.NONE)
    if value.ty.may("exc"):
        raise Refusal(node, "an exception cannot be returned", "return str(e)")
    b.note_return(value.ty)
    do_return(b, value, node)


def do_return(b, value: Expr, node) -> None:
    contexts = b.scope.contexts
    for index in range(len(contexts) - 1, -1, -1):
        context = contexts[index]
        if isinstance(context, TryContext) and context.finally_label is not None:
            context.kinds.add("return")
            ret = b.scope.prefix + "ret"
            site = _return_site(b, node)
            b.assign([(ret, value), (context.finally_var, const({"kind": "return"}, pytypes.dict_of(pytypes.STR))),
                      *site], "Return through finally")
            for inner in contexts[index:]:  # (the value first: `return str(e)` reads it)
                if isinstance(inner, TryContext):
                    _delete_caught(b, inner)
            b.jump(context.finally_label)
            return
    b.check([value], "Check return value")
    if b.int_keys and b.scope.kind == "entry" and (value.ty.may("list", "dict") or not value.ty.kinds):
        # the machine's output is JSON: an int key as JSON writes it (json.dumps: "1")
        value = combine(f"$__jsonkeys({value.code})", value.ty, value, helpers={"jsonkeys"})
    output = b.template(value)
    b.add(ir.Succeed(title=f"Return {short_text(ast.unparse(node.value), 40)}" if getattr(node, "value", None) is not None
                     else "Return", output=output))
    b.then([])


def transform_raise(b, node: ast.Raise) -> None:
    exc = node.exc
    if exc is None:
        record_var = b.current_handler_var(node)
        raise_dynamic(b, "$" + record_var)
        return
    if isinstance(exc, ast.Name) and b.lookup(exc.id)[0] is not None:
        value = b.expr(exc)  # (its guards: UnboundLocalError where a path leaves it unset)
        if value.ty.only("exc", "none") and value.ty.may("exc"):  # `last_error = None ... raise last_error`
            value = combine(value.code, pytypes.EXC, value, guards=[
                guard(f"$type({value.code}) = 'null'", TypeError, "'exceptions must derive from BaseException'", value)])
        if not value.ty.only("exc"):
            raise Refusal(exc, f"only exceptions can be raised, and '{exc.id}' may be {value.ty.without('exc').describe()}",
                          "raise ValueError(...)")
        b.check([value], f"Check {exc.id} (line {node.lineno})")
        raise_dynamic(b, value.code)
        return
    call = exc if isinstance(exc, ast.Call) else None
    func = call.func if call is not None else exc
    if _is_sfn_fail(b, func):
        raise_fail(b, node, call)
        return
    if not isinstance(func, ast.Name) or b.info.exception_class(func.id) is None:
        raise Refusal(exc, "raise needs an exception class (a builtin or one defined in the module)",
                      "raise ValueError('...') or raise sfn.Fail(error, cause)")
    cls = b.info.exception_class(func.id)
    if issubclass(cls, sfn.Fail):  # sfn.Timeout: Step Functions raises it, not the workflow
        raise Refusal(exc, f"{func.id} is Step Functions' own error: a workflow cannot raise it",
                      "raise sfn.Fail(error, cause) or an exception class of your own")
    args = call.args if call is not None else []
    if call is not None and call.keywords:
        args = _by_position(b, cls, call)
    raise_class(b, cls, exception_message(b, node, cls, args))


def _by_position(b, cls: type, call: ast.Call) -> list:
    """The arguments of `Quota(user, limit=3)` in the order its __init__ declares them, a
    parameter left out before one given by keyword filled in with its default (a constant);
    keywords out of that order only where none calls a callee (Python evaluates them as written)."""
    hint = f"pass them by position: {ast.unparse(call.func)}(...)"
    init = cls.__dict__.get("__init__")
    if init is None or any(isinstance(arg, ast.Starred) for arg in call.args) \
            or any(keyword.arg is None for keyword in call.keywords):
        raise Refusal(call, f"{cls.__name__}() takes its arguments by position here", hint)
    parameters = list(inspect.signature(init).parameters.values())[1:]
    if any(p.kind is not p.POSITIONAL_OR_KEYWORD for p in parameters):
        raise Refusal(call, f"{cls.__name__}() takes its arguments by position here", hint)
    slots: list = list(call.args) + [None] * (len(parameters) - len(call.args))
    for keyword in call.keywords:
        position = next((i for i, p in enumerate(parameters) if p.name == keyword.arg), None)
        if position is None or position < len(call.args):
            raise Refusal(call, f"{cls.__name__}() got an unexpected or repeated keyword argument '{keyword.arg}'", hint)
        slots[position] = keyword.value
    written = [keyword.value for keyword in call.keywords]
    if [slot for slot in slots if any(slot is value for value in written)] != written \
            and any(effects(b, value).any for value in written):
        raise Refusal(call, f"{cls.__name__}()'s keyword arguments call a callee in another order than its "
                      "parameters are declared in", hint)
    while slots and slots[-1] is None:
        slots.pop()
    for position, slot in enumerate(slots):
        if slot is None:
            default = parameters[position].default
            if default is inspect.Parameter.empty or not isinstance(default, (str, int, float, bool, type(None))):
                raise Refusal(call, f"{cls.__name__}() needs its argument '{parameters[position].name}' here", hint)
            slots[position] = ast.copy_location(ast.Constant(default), call)
    return slots


def raise_class(b, cls: type, message: Expr) -> None:
    """Raise `cls` with str(e) = `message`: to its handler, or out of the scope."""
    b.check([message], "Check raise")
    rec = {"type": cls.__name__, "message": b.field(message)}
    assign, label = b.route(cls, rec)
    if assign:
        b.assign([(name, record_expr(value)) for name, value in assign.items()], f"Raise {cls.__name__}")
    b.jump(label)


_READABLE_INIT = ("give it an __init__ that only calls super().__init__(message), the message one expression "
                  "of its parameters (an f-string; builtins and the parameters' methods, no function of the "
                  "module), and sets attributes")


def _unknown_message(node, cls: type, hint: str) -> Refusal:
    return Refusal(node, f"{cls.__name__} defines its own __init__ or __str__, so str(e) of it is not known here",
                   hint)


def exception_message(b, node, cls: type, args: list) -> Expr:
    """str(cls(*args)) as JSONata."""
    custom = any(("__init__" in vars(k) or "__str__" in vars(k)) for k in cls.__mro__
                 if k.__module__ not in ("builtins",) and k is not object)
    init = exception_inits.init_message(b.info, cls) if custom else None
    if len(args) > 1 and init is None and custom:
        raise _unknown_message(node, cls, _READABLE_INIT)
    if len(args) > 1 and init is None:
        raise Refusal(node, "exceptions with several arguments are not supported (str(e) would be a tuple)",
                      "pass one message")
    exprs = operands(b, args)
    if all(e.is_const for e in exprs):
        try:
            text = str(cls(*[e.const for e in exprs]))
        except Exception as error:
            raise Refusal(node, f"constructing {cls.__name__}(...) raises {type(error).__name__}: {error}") from None
        return const(text, pytypes.STR)
    if init is not None:
        value = _init_message(b, node, cls, init, exprs)
        if init.message is None:  # super().__init__(): str(e) is '' (a KeyError's too)
            return value
        return _printed(b, cls, value, to_repr if issubclass(cls, KeyError) else to_str, node)
    if custom:
        raise _unknown_message(node, cls, "raise it with a literal message, or " + _READABLE_INIT)
    value = exprs[0] if exprs else const("", pytypes.STR)
    return _printed(b, cls, value, to_repr if issubclass(cls, KeyError) else to_str, node)


def _init_message(b, node, cls: type, init, exprs: list) -> Expr:
    """The message `cls.__init__` gives its base, its parameters bound to the arguments
    (evaluated first, in order, as Python does)."""
    missing = [p for p in init.params[len(exprs):] if p not in init.defaults]
    if len(exprs) > len(init.params) or missing:
        raise Refusal(node, f"{cls.__name__}() takes {len(init.params)} arguments ({', '.join(init.params)}); "
                      f"Python raises TypeError here, not {cls.__name__}")
    shadowed = sorted(n for n in init.free if b.lookup(n, record=False)[0] is not None)
    if shadowed:
        raise Refusal(node, f"{cls.__name__}.__init__ reads the module's '{shadowed[0]}', which a variable of the "
                      "workflow hides here", f"rename the variable '{shadowed[0]}'")
    if init.message is None:
        return combine("''", pytypes.STR, *exprs)
    values = {p: (e.code, e.ty, e.reads, e.helpers) for p, e in zip(init.params, exprs, strict=False)}
    for p in init.params[len(exprs):]:
        default = const(init.defaults[p].value, type_of_value(init.defaults[p].value))
        values[p] = (default.code, default.ty, frozenset())
    with b.comprehension_scope(ValueFrame(values)):
        message = b.expr(init.message)
    return combine(message.code, message.ty, *exprs, message)


def _printed(b, cls: type, value: Expr, printer, node) -> Expr:
    """str(e) of a `cls` raised here whose argument is `value` (`printer` prints it): where
    no code can read it (message_observed), the argument is evaluated (its own guards: Python
    evaluates it) but not printed, so no check that the machine can print it either."""
    if message_observed(b, cls):
        return printer(node, value)
    return combine("''", pytypes.STR, value)


def message_observed(b, cls: type) -> bool:
    """Whether any code may read str(e) of a `cls` raised here. Not when the handler that
    catches it (the builder's route: the first of the innermost try's handlers whose classes
    it is an instance of, known at compile time) binds no name and re-raises nothing (its
    HandlerInfo has no variable: no `as e`, no bare `raise`). A `finally` on the way (it may
    raise it again) or no handler at all (the Fail state's Cause) reads it."""
    for context in reversed(b.scope.contexts):
        if not isinstance(context, TryContext):
            continue
        if context.in_body and context.handlers:
            for handler in context.handlers:
                if not handler.classes or issubclass(cls, handler.classes):
                    return handler.var is not None
        if context.finally_label is not None:
            return True
    return True


def _is_sfn_fail(b, func) -> bool:
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return b.info.is_sfn_module(func.value.id) and func.attr == "Fail"
    if isinstance(func, ast.Name):
        return b.info.objects.get(func.id) is sfn.Fail
    return False


def raise_fail(b, node, call) -> None:
    if call is None or not 1 <= len(call.args) + len(call.keywords) <= 2:
        raise Refusal(node, "sfn.Fail(error, cause=None) needs an error name")
    values = list(call.args) + [k.value for k in call.keywords]
    exprs = operands(b, values)
    error = exprs[0]
    cause = exprs[1] if len(exprs) > 1 else None
    if not error.ty.only("str"):
        raise Refusal(node, "the error of sfn.Fail must be a str")
    if cause is not None and not cause.ty.only("str", "none"):
        raise Refusal(node, "the cause of sfn.Fail must be a str or None")
    b.check([e for e in exprs], "Check fail")
    nocause = cause is None or cause.is_const and cause.const is None
    message = const("", pytypes.STR) if nocause else cause
    flag = None
    if nocause:  # (str(e) is '', and the execution, if nothing catches it, has no cause at all)
        flag = True
    elif cause.ty.may("none"):
        message = combine(f"({cause.code} = null ? '' : {cause.code})", pytypes.STR, cause)
        flag = b.field(combine(f"({cause.code} = null)", pytypes.BOOL, cause))
    rec = {"type": b.field(error), "message": b.field(message)} | ({} if flag is None else {"nocause": flag})
    handled = _in_try(b.scope)
    if not handled and flag is not None and any(_in_try(scope) for scope in list(b.scopes())[1:]):
        raise Refusal(node, "an sfn.Fail that may have no cause, in a branch or Map iteration a try around it "
                      "catches: Step Functions hands the handler an empty cause, and raised again the "
                      "execution ends with that (in Python, with no cause)", "give it a cause: sfn.Fail(error, cause)")
    if not handled:
        title = f"Fail {error.const}" if error.is_const else "Fail"
        b.add(ir.Fail(title=title, error=rec["type"], cause=None if nocause else rec["message"])
              if "nocause" not in rec or nocause else b.raise_node(title, rec))
        b.then([])
        return
    assign, label = b.route(sfn.Fail, rec)
    if assign:
        b.assign([(name, record_expr(value)) for name, value in assign.items()], "Raise sfn.Fail")
    b.jump(label)


def _in_try(scope) -> bool:
    """Whether what a scope raises here meets a try of its own: a handler or a finally."""
    return any(isinstance(c, TryContext) and (c.in_body and c.handlers or c.finally_label) for c in scope.contexts)


def raise_dynamic(b, record: str) -> None:
    """Raise again the exception whose record `record` reads."""
    assign, label = b.route(None, b.exc_record(record))
    b.assign([(name, record_expr(value)) for name, value in assign.items()], "Raise again")
    b.jump(label)


def transform_try(b, node: ast.Try) -> None:
    handlers = []
    for handler in node.handlers:
        classes = _handler_classes(b, handler)
        if classes and any(c.__name__ == "Fail" and c.__module__.endswith("sfn") for c in classes):
            raise Refusal(handler, "catching sfn.Fail by name is not supported", "catch Exception")
        var, deletes = None, False
        if handler.name:
            b.declare(handler.name)
            var = b.var(handler.name)
            b.note_type(handler.name, pytypes.EXC)
            deletes = _read_past_handlers(b.scope.body, handler.name)
            if deletes and any(isinstance(c, TryContext) for c in b.scope.contexts):
                raise Refusal(handler, f"'{handler.name}' is read outside the except clauses that bind it, and this "
                              "one is inside another try: Python deletes the name when the clause ends, also "
                              "when an exception leaves it for the outer try, which the machine cannot follow",
                              f"give the exception a name of its own (except ... as {handler.name}_1), or keep "
                              f"what you need of it in another variable (error = str({handler.name}))")
        elif _has_bare_raise(handler.body):
            var = b.temp("caught")
        handlers.append(HandlerInfo(classes, var, Label(f"except line {handler.lineno}"), handler, deletes))
    context = TryContext(node, handlers)
    if node.finalbody:
        finally_returns.mark_sites(node)
        context.finally_label = Label(f"finally line {node.lineno}")
        context.finally_var = b.temp("finally")
    ends: list = []
    with b.inside(context):
        b.block(node.body)
        context.in_body = False
        body_frames = b.ended_frames
        with b.narrowed_as_after(body_frames):  # (else runs where the body ended normally)
            b.block(node.orelse)
        normal_frames = body_frames + (b.ended_frames if node.orelse else [])
        ends += b.pending
        handlers_go_on = False
        for info in handlers:
            b.then([])
            if not info.label.holes:
                continue  # nothing in the body can raise what this handler catches
            b.mark(info.label)
            if info.node.name:
                b.update_alias(unshare=[info.node.name], undeepen=[info.node.name])
            with b.handling(info):
                b.block(info.node.body)
                if b.pending:
                    _delete_caught(b, context)
            handlers_go_on = handlers_go_on or bool(b.pending)
            ends += b.pending
    b.then(ends)
    if not handlers_go_on and not node.finalbody:  # (every handler leaves: `except ValueError: continue`)
        b.narrow_rest_frames(normal_frames)
    if not node.finalbody:
        return
    # normal completion enters the finally block too
    normal_defined = None
    if b.reachable:
        b.assign([(context.finally_var, const({"kind": "normal"}, pytypes.dict_of(pytypes.STR)))],
                 f"Enter finally (line {node.lineno})")
        normal_defined = b.defined
        b.jump(context.finally_label)
    if not context.finally_label.holes:
        return
    b.mark(context.finally_label)
    with b.after_return(*_held_by_returns(b, node)) as patched:
        b.block(node.finalbody)
    if not b.reachable:
        return
    finally_var = context.finally_var
    kinds = sorted(context.kinds)
    if not kinds:
        for hole in b.pending:  # only normal completion: what it had set is still set
            hole.defined = hole.defined | (normal_defined or frozenset())
        return
    choice = ir.Choice(title=f"After finally (line {node.lineno})")
    rest = [b.hole(choice, "default", b.defined | (normal_defined or frozenset()))]
    rules = []
    for kind in kinds:
        rule = ir.Rule(ir.Code(f"${finally_var}.kind = {jsonata_lib.string(kind)}"))
        choice.rules.append(rule)
        rules.append((kind, b.hole(rule, "next")))
    b.add(choice)
    for kind, hole in rules:
        b.then([hole])
        if kind == "raise":
            raise_dynamic(b, f"${finally_var}.exc")
        elif kind == "return":
            do_return(b, _returned_after_finally(b, node, patched), node)
        else:
            action, ident = kind.split(":")
            loop = next(c for c in b.scope.contexts if isinstance(c, LoopContext) and c.ident == ident)
            jump_out(b, loop, action)
    b.then(rest)


def _read_past_handlers(body: list[ast.stmt], name: str) -> bool:
    """Whether `name` is read anywhere but in the body of an `except ... as name` clause (a
    nested function's read counts)."""
    inside: set[int] = set()
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.ExceptHandler) and node.name == name:
                inside |= {id(sub) for part in node.body for sub in ast.walk(part)}
    return any(isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
               and id(node) not in inside for statement in body for node in ast.walk(statement))


def _delete_caught(b, context: TryContext) -> None:
    """Leaving the except clause being lowered (its end, break, continue, return): Python
    deletes its `as` name (`del e`) before anything else runs."""
    for info in context.handlers:
        if info.deletes and info in b.handler_stack and b.reachable:
            _unbind(b, info.node.name)


def _unbind(b, name: str) -> None:
    """`del name` (or an except clause's end): the name holds the unassigned marker again, and a
    later read may find it so."""
    b.unassign([name], f"Delete {name}")
    b.scope.maybe_unbound_new.add(name)


def _held_by_returns(b, node: ast.Try) -> tuple[dict, frozenset]:
    """{name: (line, whole)} for the lists and dicts that a `return` passing through this
    try's finally block holds (whole: the list itself, else only its items). Python returns
    those objects after the finally ran, so its in-place changes show in the result; and the
    names that every such return places where the result can be written again
    (analysis/finally_returns.py), and the block does not assign anew."""
    held: dict = {}
    placeable: set = set()
    unplaceable: set = set(finally_returns.rebound_on_the_way(node))
    for ret in finally_returns.returns_through(node):
        whole, items = b.held_by(ret.value)
        for name in whole | items:
            line, was_whole = held.get(name, (ret.lineno, False))
            held[name] = (min(line, ret.lineno), was_whole or name in whole)
        placed, others = finally_returns.places(ret.value)
        elsewhere = set().union(*(set().union(*b.held_by(other)) for other in others))
        for name in whole | items:
            if hasattr(ret, "pysfn_site") and name in placed and name not in elsewhere:
                placeable.add(name)
            else:
                unplaceable.add(name)
    return held, frozenset(placeable - unplaceable)


def _return_site(b, node) -> list:
    """The `retsite` to assign with a return through a finally block (mark_sites): the
    return's own number, or, passing on a return an inner finally block held, the number it
    had (a variable not assigned on every way into the block is null after it)."""
    site = b.scope.prefix + "retsite"
    if hasattr(node, "pysfn_site"):
        return [(site, const(node.pysfn_site, pytypes.INT))]
    if isinstance(node, ast.Try) and any(hasattr(r, "pysfn_site") for r in finally_returns.returns_through(node)):
        return [(site, Expr("$" + site, pytypes.INT, reads=frozenset([site])))]
    return []


def _returned_after_finally(b, node: ast.Try, patched: set) -> Expr:
    """The pending return value, with the variables the finally block changed in place
    written again where the return placed them (which return it was: `retsite`)."""
    ret = b.scope.prefix + "ret"
    value = Expr("$" + ret, b.scope.return_type or pytypes.ANY, reads=frozenset([ret]))
    if not patched:
        return value
    site = b.scope.prefix + "retsite"
    code, parts = value.code, [value]
    for ret_node in reversed(finally_returns.returns_through(node)):
        placed, _ = finally_returns.places(ret_node.value)
        writes = []
        for name in sorted(patched & placed.keys()):
            current = b.expr(ast.copy_location(ast.Name(id=name, ctx=ast.Load()), ret_node))
            parts.append(current)
            writes += [(path, current.code) for path in placed[name]]
        if writes:
            code = f"(${site} = {ret_node.pysfn_site} ? {_written(value.code, writes)} : {code})"
    return combine(code, value.ty, *parts, Expr("$" + site, pytypes.INT, reads=frozenset([site])),
                   helpers={"setitem"} if "$__setitem(" in code else ())


def _written(code: str, writes: list) -> str:
    """JSONata for the value `code` with each (path of constant keys and list positions, value
    code) written at its path."""
    whole = [value for path, value in writes if not path]
    if whole:
        return whole[-1]
    steps: dict = {}
    for path, value in writes:
        steps.setdefault(path[0], []).append((path[1:], value))
    keys = {step: rest for step, rest in steps.items() if isinstance(step, str)}
    if keys:
        inner = ", ".join(f"{jsonata_lib.string(key)}: {_written(f'$lookup({code}, {jsonata_lib.string(key)})', rest)}"
                          for key, rest in keys.items())
        code = f"$merge([{code}, {{{inner}}}])"
    for position, rest in steps.items():
        if isinstance(position, int):  # ($r[i] of a one-item list bound first: a block ending in a call)
            code = f"$__setitem({code}, {position}, {_written(f'($__w := {code}; $__w[{position}])', rest)})"
    return code


def _handler_classes(b, handler: ast.ExceptHandler) -> tuple:
    if handler.type is None:
        return ()
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    classes = []
    for name in names:
        cls = None
        if isinstance(name, ast.Name):
            cls = b.info.exception_class(name.id)
        elif isinstance(name, ast.Attribute) and aws_models.facade_exception(b, name) is not None:
            cls = aws_models.facade_exception(b, name)  # sfn.aws.<service>.<Code>, sfn.aws.ServiceError
            if cls.code:
                aws_models.check_exception(cls.service, cls.code, name)
        elif isinstance(name, ast.Attribute) and isinstance(name.value, ast.Name):
            owner = b.info.objects.get(name.value.id)
            candidate = getattr(owner, name.attr, None)
            if isinstance(candidate, type) and issubclass(candidate, BaseException):
                cls = candidate
        if cls is None:
            raise Refusal(name, f"{ast.unparse(name)} is not an exception class",
                          "catch builtin exceptions or classes defined in the module")
        classes.append(cls)
    caught_names(b.info, tuple(classes), handler.type)  # a name clash refused at the clause (the builder writes its catches)
    return tuple(classes)


def _has_bare_raise(body) -> bool:
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Raise) and node.exc is None:
                return True
    return False


def transform_function_def(b, node: ast.FunctionDef) -> None:
    if node.decorator_list:
        raise Refusal(node, "nested functions cannot have decorators")
    b.scope.nested[node.name] = node  # a branch or map body, lowered where it is used


def transform_match(b, node: ast.Match) -> None:
    """A `match` left as written: a pattern the rewrite into `if`s has no test for
    (analysis/match_statements.py)."""
    where, message = getattr(node, "pysfn_refused", (node, "this match statement is not supported in a workflow"))
    raise Refusal(where, message, "write the cases as if/elif tests, or move this into a callee")


def transform_nonlocal(b, node) -> None:
    raise Refusal(node, "nonlocal is not supported: a branch or map body cannot change the workflow's "
                  "variables", "return the value from the branch")

