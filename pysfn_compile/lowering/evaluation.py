"""Sub-expressions evaluated in Python's order, through the builder (`b.expr`, which the
visitor installs): several operands (set aside when a later one calls a callee or changes a
variable), a test's truth (short-circuit and narrowing), a hidden variable for a value, the
names a comprehension or loop target binds, and a comprehension without callees as one
JSONata expression. Shared by the transforms; imports none of them.
"""

from __future__ import annotations

import ast

from ..analysis import pytypes
from ..analysis.effects import effects
from ..analysis.narrowing import narrowings
from ..analysis.pytypes import Ty
from ..errors import Refusal
from ..graph import jsonata_lib
from ..graph.exprs import NO_KIND, Expr, combine
from .operations import (
    Level,
    bound_code,
    decides,
    guards_per_item,
    is_var,
    iterable_of,
    iteration_source,
    nested_item_guards,
    short_circuit,
    store_key,
    truth,
)


def condition(b, node: ast.AST) -> Expr:
    """A JSONata boolean that is Python's truth value of `node` (if/while/assert tests)."""
    if isinstance(node, ast.BoolOp):
        if later_effects(b, node.values):  # `ok and charge()`: the call only where Python makes it
            return truth(b.expr(node))
        parts = []
        known: dict = {}
        is_and = isinstance(node.op, ast.And)
        for value in node.values:
            with b.narrow(known):
                parts.append(condition(b, value))
            if decides(parts[-1], "and" if is_and else "or"):
                break  # (the rest never runs)
            positive, negative = narrowings(b, value)
            known = {**known, **(positive if is_and else negative)}
        return parts[0] if len(parts) == 1 else short_circuit(parts, "and" if is_and else "or")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = condition(b, node.operand)
        return combine(f"$not({inner.code})", pytypes.BOOL, inner)
    return truth(b.expr(node))


def operands(b, nodes: list) -> list[Expr]:
    """Transform `nodes` left to right. Before an operand that calls a callee or changes a
    variable, the operands already computed are set aside in variables when they could fail
    (so they fail first, as in Python) or read what the call changes."""
    info = [effects(b, node) for node in nodes]
    last = max((i for i, e in enumerate(info) if e.any), default=-1)
    changed: set = set()
    for e in info:
        changed |= e.mutates
    out = []
    for index, node in enumerate(nodes):
        expr = b.expr(node)
        if index < last and _set_aside(b, expr, changed):
            expr = materialize(b, expr, node)
        out.append(expr)
    return out


def read_before(b, expr: Expr, node: ast.AST, later: ast.AST, title: str) -> Expr:
    """`expr` (what Python evaluates at `node` before `later`: the item `d[k] += f()` reads,
    with its KeyError) set aside when `later` calls a callee or changes a variable and `expr`
    could fail or reads what it changes. A list is only checked (its guards, by a state of
    their own): `+=` extends the object Python read, changes `later` made to it included."""
    found = effects(b, later)
    if not found.any:
        return expr
    if expr.ty.may("list"):
        b.check([expr], title)
        return expr.unguarded() if expr.guards else expr
    return materialize(b, expr, node) if _set_aside(b, expr, found.mutates) else expr


def _set_aside(b, expr: Expr, changed: set) -> bool:
    return bool(expr.guards or expr.reads & {b.var_if_local(n) for n in changed})


def materialize(b, expr: Expr, node: ast.AST, hint: str = "t") -> Expr:
    """Evaluate `expr` now into a hidden variable; the variable stands for it afterwards."""
    if expr.is_const or (not expr.guards and is_var(expr.code)):
        return expr
    name = b.temp(hint)
    kind = expr.kind
    pairs = [(name, expr)]
    if kind is not None and kind is not NO_KIND and not kind.is_const and not is_var(kind.code):
        # its int-or-float kind reads more than variables (an operand's code once more): set aside too
        companion = b.temp("k")
        pairs.append((companion, kind))
        kind = Expr("$" + companion, kind.ty, (), frozenset([companion]), frozenset())
    b.assign(pairs, f"Set {name}")
    return Expr("$" + name, expr.ty, (), frozenset([name]), frozenset(), kind=kind)


def later_effects(b, nodes: list) -> bool:
    """Whether an operand after the first calls a callee (or changes a variable): Python
    evaluates it only on some paths, so it is lowered as control flow."""
    return any(effects(b, node).any for node in nodes[1:])


def pure_comprehension(b, node) -> Expr:
    generators = node.generators
    for generator in generators:
        if generator.is_async:
            raise Refusal(node, "async comprehensions are not supported")
    iterable = iterable_of(generators[0].iter, b.expr(generators[0].iter), keys=b.key_type)
    return _generator(b, node, generators, 0, iterable)


def _generator(b, node, generators, index, iterable: Expr, levels: list | None = None) -> Expr:
    generator = generators[index]
    source, item_ty, helpers = iteration_source(generator.iter, iterable, b.key_type)
    param = f"$__c{b.next_comprehension()}"
    bindings = bind_target(b, generator.target, param, item_ty)
    nested = len(generators) > 1
    if nested and levels is None:
        levels = []
    with b.comprehension_scope(bindings):
        conditions = [condition(b, test) for test in generator.ifs]
    # where the conditions hold: `[v for v in vs if v is not None]` is a list of what is not None
    for test in generator.ifs:
        positive, _ = narrowings(b, test, lambda name, known=bindings: known[name][1] if name in known else None)
        bindings = {**bindings, **{name: (bindings[name][0], ty) for name, ty in positive.items()}}
    with b.comprehension_scope(bindings):
        if index + 1 < len(generators):
            inner_iter = iterable_of(generators[index + 1].iter, b.expr(generators[index + 1].iter), keys=b.key_type)
            levels.append(Level(source, param, conditions, inner_iter.guards,
                                 frozenset(helpers) | iterable.helpers))
            inner_iter = inner_iter.unguarded()
            inner = _generator(b, node, generators, index + 1, inner_iter, levels)
            element, flatten = inner, True
        elif isinstance(node, ast.DictComp):
            key, value = b.expr(node.key), b.expr(node.value)
            key = store_key(node.key, key)  # one of unknown type is checked at run time
            element = combine("{" + f"{key.code}: {value.code}" + "}", pytypes.dict_of(value.ty), key, value)
            flatten = False
        else:
            element, flatten = b.expr(node.elt), False
    item_guards: tuple = ()
    if nested:
        if index + 1 == len(generators):
            levels.append(Level(source, param, conditions, element.guards, frozenset(helpers) | iterable.helpers))
        if index == 0 and any(c.guards for level in levels for c in level.conditions) or \
                index == 0 and any(level.then for level in levels):
            item_guards = nested_item_guards(levels)
        conditions = [c.unguarded() for c in conditions]
        element = element.unguarded()
    elif any(part.guards for part in [*conditions, element]):
        item_guards = guards_per_item(source, param, conditions, element, set(helpers) | set(iterable.helpers))
        conditions = [c.unguarded() for c in conditions]
        element = element.unguarded()
    inner_reads = frozenset().union(*(p.reads for p in [*conditions, element]))
    all_helpers = set(helpers) | {"map", "filter"}
    for part in [*conditions, element]:
        all_helpers |= part.helpers
    filtered = source
    if conditions:
        test = " and ".join(c.code for c in conditions)
        filtered = (f"[$filter({source}, function({param}) {{ {test} }})]" if never_lists(item_ty)
                    else f"$__filter({source}, function({param}) {{ {test} }})")
    if isinstance(node, ast.DictComp) and index + 1 == len(generators):
        code = f"$merge([$map({filtered}, function({param}) {{ {element.code} }})])"
        ty = element.ty
    elif flatten:
        code = f"$reduce({filtered}, function($__acc, {param}) {{ $append($__acc, {element.code}) }}, [])"
        ty = element.ty
    elif never_lists(element.ty):
        code = f"[$map({filtered}, function({param}) {{ {element.code} }})]"
        ty = pytypes.list_of(element.ty)
    else:
        code = f"$__map({filtered}, function({param}) {{ {element.code} }})"
        ty = pytypes.list_of(element.ty)
    if isinstance(node, ast.DictComp) and index + 1 < len(generators):
        code = f"$merge({code})"
    reads = iterable.reads | (inner_reads - {param})
    return Expr(code, ty, iterable.guards + item_guards, reads,
                jsonata_lib.closure(all_helpers | set(iterable.helpers)))


def never_lists(ty: Ty) -> bool:
    """Values known not to be lists: JSONata's own $map and $filter keep them apart, and an
    array constructor around them makes their single value or nothing a list ($__map and
    $__filter wrap each value for the lists a sequence would flatten)."""
    return bool(ty.kinds) and not ty.may("list")


def bind_target(b, target, code: str, ty: Ty) -> dict:
    """Comprehension target → {python name: (JSONata text, type)}."""
    if isinstance(target, ast.Name):
        return {target.id: (code, ty)}
    if isinstance(target, (ast.Tuple, ast.List)):
        if ty.only("list") and ty.elem is not None:
            item_ty = ty.element
        else:
            item_ty = pytypes.ANY if not ty.only("list") else ty.element
        out = {}
        for position, element in enumerate(target.elts):
            out.update(bind_target(b, element, f"{bound_code(code)}[{position}]", _tuple_item(ty, position, item_ty)))
        return out
    raise Refusal(target, "this comprehension target is not supported", "use names or a tuple of names")


def _tuple_item(ty: Ty, position: int, default: Ty) -> Ty:
    if ty.items is not None and position < len(ty.items):
        return ty.items[position]
    return default
