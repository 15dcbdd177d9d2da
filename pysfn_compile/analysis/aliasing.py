"""Which variables may share a list or dict with another place.

In Python, `b = a` makes two names for one list: `b.append(1)` changes `a` too. In a state
machine every variable holds its own copy of a JSON value, so the same code would leave `a`
unchanged. Rather than differ, the compiler refuses to change in place a value that may be
shared. This module reads what an expression does to sharing (`sharing`: the names whose
value, or items, the new value may be or hold); the builder tracks along each path which names
are shared, or have shared items (Builder.note_alias_assign and its siblings), and refuses
`x.append(...)`, `x[k] = ...` on a shared name, `x[i].append(...)` where its items are.
`function_names` names the partners for messages, over the whole function.
"""

from __future__ import annotations

import ast

import attrs

from .effects import MUTATING_METHODS

_COPIES = frozenset({"list", "dict", "sorted", "tuple", "reversed", "set"})  # a new container
_COPY_METHODS = frozenset({"copy"})
_ELEMENT_METHODS = frozenset({"get", "pop", "setdefault", "values", "items", "popitem"})
_STORE_METHODS = {"append": 0, "insert": 1, "setdefault": 1}
_MERGE_METHODS = frozenset({"extend", "update"})


def _names(target) -> set:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        out: set = set()
        for element in target.elts:
            out |= _names(element)
        return out
    if isinstance(target, ast.Starred):
        return _names(target.value)
    return set()


def _root(node) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _direct(value) -> set:
    """Names whose whole value `value` may be."""
    if isinstance(value, ast.Name):
        return {value.id}
    if isinstance(value, ast.IfExp):
        return _direct(value.body) | _direct(value.orelse)
    if isinstance(value, ast.BoolOp):
        out: set = set()
        for v in value.values:
            out |= _direct(v)
        return out
    if isinstance(value, ast.NamedExpr):
        return _direct(value.value)
    if _is_next(value) and len(value.args) > 1:
        return _direct(value.args[1])  # next(items, default): the default itself
    return set()


def _is_next(value) -> bool:
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "next" \
        and bool(value.args)


def _next_sources(iterator) -> set:
    """Names whose items `next(iterator)` may be (or hold: a generator's element is one of
    them or holds one)."""
    if isinstance(iterator, ast.GeneratorExp):
        bound = {name for generator in iterator.generators for name in _names(generator.target)}
        out = set()
        for generator in iterator.generators:
            out |= _iter_sources(generator.iter)
        return out | (_holds(iterator.elt) - bound)
    if isinstance(iterator, ast.Call) and isinstance(iterator.func, ast.Name) and iterator.func.id == "iter" \
            and iterator.args:
        return _iter_sources(iterator.args[0])
    return _iter_sources(iterator)


def _element_sources(value) -> set:
    """Names one of whose items `value` may be."""
    if isinstance(value, ast.Subscript) and not isinstance(value.slice, ast.Slice):
        root = _root(value)
        # an item of what an expression builds (`[r for r in rs if ...][0]`, `sorted(rs)[0]`,
        # `(d["xs"] or [])[0]`): an item of what that holds
        return {root} if root else _holds(value.value)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
            and value.func.attr in _ELEMENT_METHODS:
        root = _root(value.func.value)
        return {root} if root else _holds(value.func.value)  # (`{...}.values()` of a dict it builds)
    if _is_next(value):
        return _next_sources(value.args[0])  # the first item of what it walks
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("min", "max"):
        out: set = set()
        for arg in value.args:
            out |= _iter_sources(arg) if len(value.args) == 1 else _direct(arg)
        return out
    if isinstance(value, ast.IfExp):
        return _element_sources(value.body) | _element_sources(value.orelse)
    if isinstance(value, ast.BoolOp):
        out: set = set()
        for v in value.values:
            out |= _element_sources(v)
        return out
    return set()


def _holds(value) -> set:
    """Names whose value, or an item of it, `value` itself may be."""
    return _direct(value) | _element_sources(value) | _contents(value)


def _contents(value) -> set:
    """Names whose value or items may end up *inside* `value` (a new container)."""
    if isinstance(value, (ast.Set, ast.SetComp)) or isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
            and value.func.id == "set":
        return set()  # a set's items are hashable: str, numbers, bools, None (nothing to change in place)
    if isinstance(value, (ast.List, ast.Tuple)):
        out: set = set()
        for element in value.elts:
            out |= _holds(element.value if isinstance(element, ast.Starred) else element)
        return out
    if isinstance(value, ast.Dict):
        out = set()
        for item in value.values:
            out |= _holds(item)
        return out
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        out = _holds(value.elt)
        for generator in value.generators:
            out |= _iter_sources(generator.iter)
        return out
    if isinstance(value, ast.DictComp):
        out = _holds(value.value)
        for generator in value.generators:
            out |= _iter_sources(generator.iter)
        return out
    if isinstance(value, ast.BinOp):
        out = set()
        for side in _held_operands(value):
            out |= _holds(side)
        return out
    if isinstance(value, (ast.IfExp,)):
        return _contents(value.body) | _contents(value.orelse)
    if isinstance(value, ast.BoolOp):
        out = set()
        for v in value.values:
            out |= _contents(v)
        return out
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        root = _root(value)
        return {root} if root else _holds(value.value)  # (`sorted(rs)[:2]`: rs's items)
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Name) and func.id in _COPIES:
            out = set()
            for arg in _copied(value):
                out |= _holds(arg) | _iter_sources(arg)  # (`dict(enumerate(rs))`: rs's items)
            return out
        if isinstance(func, ast.Attribute) and func.attr in _COPY_METHODS | {"values", "items"}:
            root = _root(func.value)
            return {root} if root else _holds(func.value)
    return set()


def _copied(call: ast.Call) -> list:
    """What a copying call's new container is made of: its arguments, and its keywords' values
    (`dict(**d)` holds d's values, as `dict(d)` does; `Item(**d)` of a TypedDict is that call)."""
    return [*call.args, *(keyword.value for keyword in call.keywords)]


def _iter_sources(iterable) -> set:
    """Names whose items a loop over `iterable` visits."""
    if isinstance(iterable, ast.Name):
        return {iterable.id}
    if isinstance(iterable, ast.Call):
        func = iterable.func
        if isinstance(func, ast.Name) and func.id == "range":
            return set()
        if isinstance(func, ast.Name) and func.id in ("enumerate", "zip", "reversed", "sorted", "list", "tuple"):
            out: set = set()
            for arg in iterable.args:
                out |= _iter_sources(arg)
            return out
        if isinstance(func, ast.Attribute) and func.attr in ("items", "values", "keys", "copy"):
            root = _root(func.value)
            return {root} if root else set()
    return _holds(iterable)


def _roots(value) -> set:
    return _holds(value)


def callee_mutations(fdef: ast.FunctionDef) -> dict:
    """{parameter: line} for parameters the callee visibly changes in place (not what it
    changes once a statement of its body has bound the name anew: `row = dict(row)`)."""
    params = {a.arg for a in [*fdef.args.posonlyargs, *fdef.args.args, *fdef.args.kwonlyargs]}
    rebound = _rebound_at(fdef, params)
    found: dict = {}
    for node in ast.walk(fdef):
        roots = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, (ast.Subscript, ast.Attribute)):
                    roots.append(_root(target))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATING_METHODS:
            roots.append(_root(node.func.value))
        for root in roots:
            if root in params and root not in found and (node.lineno, node.col_offset) < rebound.get(root, _END):
                found[root] = node.lineno
    return found


_END = (float("inf"), 0)


def _rebound_at(fdef: ast.FunctionDef, params: set) -> dict:
    """{parameter: (line, column)} where the first statement of the body itself (not one
    inside an `if` or a loop) that binds the name whole ends: what the function does to the
    name from there on is done to another value, on every path."""
    out: dict = {}
    for statement in fdef.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else \
            [statement.target] if isinstance(statement, ast.AnnAssign) and statement.value is not None else []
        for target in targets:
            if isinstance(target, ast.Name) and target.id in params and target.id not in out:
                out[target.id] = (statement.end_lineno, statement.end_col_offset)
    return out


def callee_returns_parameter(fdef: ast.FunctionDef) -> bool:
    params = {a.arg for a in [*fdef.args.posonlyargs, *fdef.args.args, *fdef.args.kwonlyargs]}
    for node in ast.walk(fdef):
        if isinstance(node, ast.Return) and node.value is not None:
            if _root(node.value) in params and not isinstance(node.value, ast.Call):
                return True
    return False


def callee_returns_module_object(fdef: ast.FunctionDef, mutable_global) -> str | None:
    """The module-level name whose list, dict or set, or an item of it, a `return` of the
    callee may give as it is (`return DEFAULTS`, `return TABLE[k]`, `return CACHE.get(k)`), or
    None. Python's caller then holds the module's own object, and changing it in place changes
    what later calls see; the machine's result is a copy. `mutable_global(name)`: whether the
    module-level name holds such a container."""
    own = {a.arg for a in [*fdef.args.posonlyargs, *fdef.args.args, *fdef.args.kwonlyargs]}
    own |= {a.arg for a in (fdef.args.vararg, fdef.args.kwarg) if a is not None}
    declared = {name for node in ast.walk(fdef) if isinstance(node, ast.Global) for name in node.names}
    for node in ast.walk(fdef):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)) and node.id not in declared:
            own.add(node.id)
    for node in ast.walk(fdef):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        for part in _returned_parts(node.value):
            if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute) \
                    and part.func.attr in ("get", "setdefault"):
                part = part.func.value
            root = _root(part)
            if root is not None and root not in own and mutable_global(root):
                return root
    return None


def popped_from(value: ast.AST | None) -> str | None:
    """The variable `value` takes an item out of (`xs.pop()`, `xs.pop(0)`, `d.pop(k)`,
    `d.popitem()`: the item leaves it, so it shares nothing with what stays), else None; not a
    pop with a default (which may be another value)."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and isinstance(value.func.value, ast.Name) \
            and not value.keywords and (value.func.attr == "pop" and len(value.args) <= 1
                                        or value.func.attr == "popitem" and not value.args):
        return value.func.value.id
    return None


def _returned_parts(value: ast.AST) -> list:
    """The expressions whose value a returned expression may be (both ways of `a if c else b`,
    each operand of `a or b`)."""
    if isinstance(value, ast.IfExp):
        return _returned_parts(value.body) + _returned_parts(value.orelse)
    if isinstance(value, ast.BoolOp):
        return [part for operand in value.values for part in _returned_parts(operand)]
    return [value]


# -- flow-sensitive use (the builder tracks the state along each path) ---------------------
DEEP_LEVELS = 4  # levels of a value's items sharing is told apart by (graph.builder.DEEPEST)


@attrs.frozen
class Sharing:
    """What assigning `value` to a name does to sharing."""

    whole: frozenset  # names whose whole value the new value may be (all become shared)
    items_of: frozenset  # names one of whose items the new value may be (their items are shared)
    inside: frozenset  # names whose whole value ends up inside the new value (become shared)
    items_inside: frozenset  # names whose items end up inside the new value
    repeated: int = 0  # items this deep in the new value are one object repeated ([[0]] * 2: 1)
    # (name, levels): every object of `name` the value reads sits at least this many levels
    # down in it (`rows[i]["qty"]`: 2); a name read whole or sliced anywhere in the value: 1
    levels: tuple = ()

    def depth(self, name: str) -> int:
        """How many levels down in `name` the items the new value may be or hold sit, at least."""
        return dict(self.levels).get(name, 1)

    @property
    def fresh(self) -> bool:
        return not (self.whole or self.items_of)

    @property
    def holds_shared(self) -> bool:
        return bool(self.inside or self.items_inside or self.items_of)


def sharing(value: ast.AST, is_callee=lambda name: False, returns_parameter=lambda name: False) -> Sharing:
    whole = set(_direct(value))
    items_of = set(_element_sources(value))
    inside, items_inside = _inside(value)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and is_callee(value.func.id) \
            and returns_parameter(value.func.id):
        for arg in [*value.args, *(k.value for k in value.keywords)]:
            whole |= _direct(arg)
            items_of |= _element_sources(arg)
    return Sharing(frozenset(whole), frozenset(items_of), frozenset(inside), frozenset(items_inside),
                   repeated(value), tuple(sorted(_levels(value).items())))


def inside_level(value: ast.AST) -> int:
    """How many levels down in the new container `value` builds the first object it takes from
    elsewhere may sit, at least 1: `[[r, r * 2] for r in rows]` holds rows's items two levels
    down (its own items are new lists), `[r for r in rows]` one."""
    parts: list = []
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        parts = value.elts
    elif isinstance(value, ast.Dict):
        if any(key is None for key in value.keys):
            return 1  # {**other}: the other's values are its items
        parts = value.values
    elif isinstance(value, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        parts = [value.value if isinstance(value, ast.DictComp) else value.elt]
    levels = [1 + inside_level(part) if isinstance(part, (ast.List, ast.Tuple, ast.Dict, ast.ListComp, ast.DictComp))
              else 2 if _shallow_copy(part) else 1 for part in parts if not isinstance(part, ast.Constant)]
    return min(levels, default=1)


def _shallow_copy(value: ast.AST) -> bool:
    """A new list or dict holding another's items (`list(r)`, `r[:]`, `r.copy()`, `dict(d)`,
    `sorted(r)`): what it takes from elsewhere sits one level down in it."""
    if isinstance(value, ast.Subscript):
        return isinstance(value.slice, ast.Slice)
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Name):
        return func.id in _COPIES - {"reversed", "set"}
    return isinstance(func, ast.Attribute) and func.attr in _COPY_METHODS and not value.args


# builtins whose result is, or holds, items of their first argument, never the argument itself
_ITEM_TAKERS = frozenset({"min", "max", "sorted", "list", "tuple", "reversed", "next", "iter", "set", "enumerate"})


def _levels(value: ast.AST) -> dict[str, int]:
    """{name: the fewest subscripts (not slices) any read of it in `value` goes through,
    at least 1}: what the value may be or hold of `name` sits that many levels down in it, or
    deeper (`rows[i]["qty"] * 2` holds the items of an object two levels down: three)."""
    found: dict[str, int] = {}

    def visit(node: ast.AST, depth: int) -> None:
        if isinstance(node, ast.Subscript):
            sliced = isinstance(node.slice, ast.Slice)
            visit(node.value, 0 if sliced else depth + 1)
            visit(node.slice, 0)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            # what it takes from an iterable are the iterable's items: a level below what it reads
            # (`[v for v in groups[k]]` holds objects two levels down in `groups`)
            element = node.value if isinstance(node, ast.DictComp) else node.elt
            for generator in node.generators:
                # `[list(r) for r in g]` holds g's objects two levels down (each r is a copy)
                stored = _stored_depth(element, generator.target.id) \
                    if len(node.generators) == 1 and isinstance(generator.target, ast.Name) else None
                visit(generator.iter, 1 + (stored or 0))
                for part in [generator.target, *generator.ifs]:
                    visit(part, 0)
            for part in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):
                visit(part, 0)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _ITEM_TAKERS \
                and node.args and not isinstance(node.args[0], ast.Starred):
            # min(xs), sorted(xs), next(it, default): the items of the first argument (min(a, b)
            # may be `a` itself: only one positional argument counts for min and max)
            whole_args = node.args[1:] if node.func.id not in ("min", "max") or len(node.args) == 1 else node.args
            if whole_args is not node.args:
                visit(node.args[0], 1)
            for part in [*whole_args, *(k.value for k in node.keywords)]:
                visit(part, 0)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _ELEMENT_METHODS:
            # `row.get("tags", [])`: an item of row, a level below it (its default is whole)
            visit(node.func.value, depth + 1)
            for part in [*node.args, *(k.value for k in node.keywords)]:
                visit(part, 0)
            return
        if isinstance(node, ast.Name):
            found[node.id] = min(found.get(node.id, DEEP_LEVELS), max(depth, 1))
            return
        for child in ast.iter_child_nodes(node):
            visit(child, 0)

    visit(value, 0)
    return found


def _stored_depth(element: ast.AST, name: str) -> int | None:
    """How many levels down in `name`'s value the objects a comprehension's `element` stores
    sit, at least (the value itself: 0; `list(r)`, `r[:]`, `[x for x in r]`: its items, 1;
    `r["k"]`: 1); None where the element does not read `name`. Shapes it does not know: 0."""
    if not any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(element)):
        return None
    if isinstance(element, (ast.List, ast.Tuple, ast.Dict)):
        parts = [part.value if isinstance(part, ast.Starred) else part
                 for part in (element.values if isinstance(element, ast.Dict) else element.elts)]
        if isinstance(element, ast.Dict) and None in element.keys or any(
                isinstance(part, ast.Starred) for part in getattr(element, "elts", ())):
            return 0  # ({**r}, [*r]: the items of r, but keep it simple)
        depths = [depth for part in parts if (depth := _stored_depth(part, name)) is not None]
        return min(depths, default=0)
    if isinstance(element, ast.Subscript) and not isinstance(element.slice, ast.Slice) \
            and not any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(element.slice)):
        inner = _stored_depth(element.value, name)
        return None if inner is None else inner + 1
    copied = None
    if isinstance(element, ast.Subscript) and isinstance(element.slice, ast.Slice):
        copied = element.value
    elif _shallow_copy(element) and isinstance(element, ast.Call) and isinstance(element.func, ast.Attribute):
        copied = element.func.value
    elif _shallow_copy(element) and len(element.args) == 1 and not element.keywords:
        copied = element.args[0]
    elif isinstance(element, (ast.ListComp, ast.GeneratorExp)) and len(element.generators) == 1 \
            and isinstance(element.generators[0].target, ast.Name) \
            and isinstance(element.elt, ast.Name) and element.elt.id == element.generators[0].target.id \
            and not any(isinstance(node, ast.Name) and node.id == name for part in element.generators[0].ifs
                        for node in ast.walk(part)):
        copied = element.generators[0].iter  # [x for x in r]: a copy of r
    if isinstance(copied, ast.Name) and copied.id == name:
        return 1
    return 0


def _held_operands(value: ast.BinOp) -> tuple:
    """The operands whose items the result of `value` may hold: `[0] * n` holds [0]'s items, never
    n's (a list there would be a TypeError: list * list); else both."""
    if isinstance(value.op, ast.Mult):
        for side in (value.left, value.right):
            if isinstance(side, (ast.List, ast.Tuple, ast.ListComp)) or (
                    isinstance(side, ast.Constant) and isinstance(side.value, str)):
                return (side,)
    return (value.left, value.right)


def repeated(value) -> int:
    """How deep in the new value `value` items are the same list or dict repeated: `[[0]] * 2`
    holds one list twice (1: its items are shared with each other), `{"a": [[0]] * 2}` holds
    such a value (2); 0 when no repetition is seen (then they are not)."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult):
        return 1
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return max(repeated(value.left), repeated(value.right))
    if isinstance(value, ast.IfExp):
        return max(repeated(value.body), repeated(value.orelse))
    if isinstance(value, ast.BoolOp):
        return max(repeated(v) for v in value.values)
    if isinstance(value, ast.NamedExpr):
        return repeated(value.value)
    parts: list = []
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        parts = [(e.value, 0) if isinstance(e, ast.Starred) else (e, 1) for e in value.elts]
    elif isinstance(value, ast.Dict):
        parts = [(v, 0 if k is None else 1) for k, v in zip(value.keys, value.values, strict=True)]
    elif isinstance(value, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        element = value.value if isinstance(value, ast.DictComp) else value.elt
        bound = {name for generator in value.generators for name in _names(generator.target)}
        if (_direct(element) | _element_sources(element)) - bound:  # an outer list in every item
            return max(1, repeated(element) + 1)
        parts = [(element, 1)]
    depths = [repeated(part) + extra for part, extra in parts if repeated(part)]
    return max(depths, default=0)


def _inside(value) -> tuple[set, set]:
    """(names whose value is placed inside `value`, names whose items are)."""
    whole: set = set()
    items: set = set()
    if isinstance(value, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
        elements = value.values if isinstance(value, ast.Dict) else value.elts
        spread = {id(item) for key, item in zip(value.keys, value.values, strict=True) if key is None} \
            if isinstance(value, ast.Dict) else set()
        for element in elements:
            starred = isinstance(element, ast.Starred)
            if starred:  # (`[*out]` holds out's items, not out)
                element = element.value
                items |= _direct(element)
            if not starred and id(element) not in spread:  # (`{**d}` holds d's values, not d)
                whole |= _direct(element)
            items |= _element_sources(element)
            sub_whole, sub_items = _inside(element)
            whole |= sub_whole
            items |= sub_items
        if isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values, strict=True):
                if key is None:  # {**other}
                    items |= _direct(item)
        return whole, items
    if isinstance(value, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
        # each item is the element: what it holds of the names the loops bind is an item of what
        # they iterate; any other name's list it holds is placed in every item (`[row for _ in
        # range(3)]`: one list three times); a fresh element (`{k: [] for k in d}`) holds nothing
        bound = {name for generator in value.generators for name in _names(generator.target)}
        element = value.value if isinstance(value, ast.DictComp) else value.elt
        direct, parts = _direct(element), _element_sources(element)
        sub_whole, sub_items = _inside(element)
        if (direct | parts | sub_whole | sub_items) & bound:
            for generator in value.generators:
                items |= _iter_sources(generator.iter)
        whole |= (direct | sub_whole) - bound
        items |= (parts | sub_items) - bound
        return whole, items
    if isinstance(value, ast.BinOp):
        for side in _held_operands(value):
            items |= _direct(side) | _element_sources(side)
            sub_whole, sub_items = _inside(side)
            whole |= sub_whole
            items |= sub_items
        return whole, items
    if isinstance(value, ast.IfExp):
        a, b = _inside(value.body), _inside(value.orelse)
        return a[0] | b[0], a[1] | b[1]
    if isinstance(value, ast.BoolOp):
        for v in value.values:
            sub_whole, sub_items = _inside(v)
            whole |= sub_whole
            items |= sub_items
        return whole, items
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        root = _root(value)
        return (whole, {root}) if root else _inside(value.value)  # (`sorted(rs)[:2]`: what sorted(rs) holds)
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Name) and func.id in _COPIES:
            for arg in _copied(value):
                items |= _iter_sources(arg) | _direct(arg) | _element_sources(arg)
                # list([d]), sorted((a, b)): the new list's items are what the display holds
                sub_whole, sub_items = _inside(arg)
                whole |= sub_whole
                items |= sub_items
        elif isinstance(func, ast.Attribute) and func.attr in ("copy", "values", "items", "keys"):
            root = _root(func.value)
            if root:
                items.add(root)
    return whole, items


def loop_sources(iterable: ast.AST) -> set:
    return _iter_sources(iterable)


# -- facts over the whole function, for the builder ------------------------------------------
@attrs.frozen
class FunctionNames:
    """partners: {name: {other: line}}, the names whose list or dict `name` may share,
    directly or through other names and containers, anywhere in the function
    (flow-insensitive: only for naming them in a message; the builder decides along each
    path whether a name is shared). uses: {name: how many places read its object} (loads,
    `del`, `x += ...`; rebinding it is no use)."""

    partners: dict
    uses: dict


def function_names(body: list[ast.stmt]) -> FunctionNames:
    links: dict = {}
    uses: dict = {}
    scalars = scalar_names(body)

    def link(a: str | None, others: set, node: ast.AST) -> None:
        if a in scalars:
            return  # an int or a str holds nothing and is in nothing: no sharing goes through it
        for b in others - scalars:
            if a and b and a != b:
                links.setdefault(a, {}).setdefault(b, node.lineno)
                links.setdefault(b, {}).setdefault(a, node.lineno)

    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store):
                uses[node.id] = uses.get(node.id, 0) + 1
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                held = _holds(node.value)
                names = set().union(*(_names(target) for target in targets))
                for target in targets:
                    if isinstance(target, ast.Subscript):
                        link(_root(target), held, node)
                for name in names:
                    link(name, held | (names if len(targets) > 1 else set()), node)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                uses[node.target.id] = uses.get(node.target.id, 0) + 1
            elif isinstance(node, ast.For):
                for name in _names(node.target):
                    link(name, _iter_sources(node.iter), node)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in _STORE_METHODS:
                # the value stored: not `setdefault`'s key (a dict's keys are hashable, nothing in
                # them changes in place) nor `insert`'s position
                position = _STORE_METHODS[node.func.attr]
                for arg in [*node.args[position:position + 1], *(k.value for k in node.keywords)]:
                    link(_root(node.func.value), _direct(arg), node)
    partners: dict = {}
    for name in links:
        reached: dict = {}
        frontier = [name]
        while frontier:
            current = frontier.pop()
            for other, line in sorted(links.get(current, {}).items(), key=lambda item: (item[1], item[0])):
                if other != name and other not in reached:
                    reached[other] = line
                    frontier.append(other)
        # by line, then by name: names found through sets would otherwise follow the hash seed
        partners[name] = dict(sorted(reached.items(), key=lambda item: (item[1], item[0])))
    return FunctionNames(partners, uses)


# calls whose result is an immutable scalar (a str, number or bool) whatever their arguments
_SCALAR_FUNCTIONS = frozenset({"int", "float", "str", "len", "round", "abs", "bool", "ord", "chr", "repr", "hash",
                               "format", "ascii", "bin", "hex", "oct"})
_SCALAR_METHODS = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "casefold",
                             "swapcase", "replace", "format", "join", "zfill", "center", "ljust", "rjust", "count",
                             "find", "rfind", "index", "rindex", "startswith", "endswith", "isdigit", "isalpha",
                             "isalnum", "isspace", "isupper", "islower", "isdecimal", "isnumeric", "removeprefix",
                             "removesuffix", "expandtabs", "translate"})


def scalar_names(body: list[ast.stmt]) -> frozenset:
    """The names every binding of which in `body` gives an immutable scalar (a constant, an
    f-string, int(...), len(...), a str method's result, arithmetic or a comparison of
    scalars, a `for` over range(...)): a value no other name can share (flow-insensitive,
    a fixed point; parameters and anything else bound otherwise are not)."""
    bindings: dict[str, list] = {}
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for name in _names(target):
                        bindings.setdefault(name, []).append(node.value if isinstance(target, ast.Name) else None)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                bindings.setdefault(node.target.id, []).append(
                    ast.BinOp(ast.Name(node.target.id, ast.Load()), node.op, node.value))
            elif isinstance(node, ast.NamedExpr):
                bindings.setdefault(node.target.id, []).append(node.value)
            elif isinstance(node, ast.For):
                ranged = isinstance(node.iter, ast.Call) and isinstance(node.iter.func, ast.Name) \
                    and node.iter.func.id == "range" and isinstance(node.target, ast.Name)
                for name in _names(node.target):
                    bindings.setdefault(name, []).append(ast.Constant(0) if ranged else None)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
                                   ast.ExceptHandler, ast.With, ast.AsyncWith, ast.Import, ast.ImportFrom,
                                   ast.Global, ast.Nonlocal, ast.comprehension, ast.MatchAs, ast.MatchStar,
                                   ast.MatchMapping)):
                for name in _bound_otherwise(node):
                    bindings.setdefault(name, []).append(None)
    scalars = set(bindings)
    changed = True
    while changed:
        changed = False
        for name in list(scalars):
            if not all(value is not None and _scalar(value, scalars) for value in bindings[name]):
                scalars.discard(name)
                changed = True
    return frozenset(scalars)


def _bound_otherwise(node: ast.AST) -> set:
    """Names a node binds other than by an assignment of a value this module reads."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        arguments = node.args if not isinstance(node, ast.ClassDef) else None
        params = {a.arg for a in ast.walk(arguments) if isinstance(a, ast.arg)} if arguments else set()
        return {node.name} | params
    if isinstance(node, ast.Lambda):
        return {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
    if isinstance(node, ast.ExceptHandler):
        return {node.name} if node.name else set()
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return {name for item in node.items if item.optional_vars is not None for name in _names(item.optional_vars)}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name.split(".")[0]) for alias in node.names}
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return set(node.names)
    if isinstance(node, ast.comprehension):
        return _names(node.target)
    if isinstance(node, (ast.MatchAs, ast.MatchStar)):
        return {node.name} if node.name else set()
    if isinstance(node, ast.MatchMapping):
        return {node.rest} if node.rest else set()
    return set()


def _scalar(value: ast.AST, scalars: set) -> bool:
    if isinstance(value, (ast.Constant, ast.JoinedStr, ast.Compare)):
        return True
    if isinstance(value, ast.Name):
        return value.id in scalars
    if isinstance(value, ast.UnaryOp):
        return isinstance(value.op, ast.Not) or _scalar(value.operand, scalars)
    if isinstance(value, ast.BinOp):
        return _scalar(value.left, scalars) and _scalar(value.right, scalars)
    if isinstance(value, ast.IfExp):
        return _scalar(value.body, scalars) and _scalar(value.orelse, scalars)
    if isinstance(value, ast.BoolOp):
        return all(_scalar(v, scalars) for v in value.values)
    if isinstance(value, ast.Call):
        func = value.func
        return isinstance(func, ast.Name) and func.id in _SCALAR_FUNCTIONS \
            or isinstance(func, ast.Attribute) and func.attr in _SCALAR_METHODS
    return False


def holders(body: list[ast.stmt], name: str) -> set[str]:
    """The names that may hold the very list or dict `name` starts as, as their value or
    inside it, anywhere in the function (flow-insensitive): what a change in place through
    them could rebind or remove an item of `name` by. A name that only ever holds *items* of it
    (`r` of `for r in rows`, `totals` built from `r["amount"]`) is not one: changing it cannot
    replace one of its items."""
    itself: set[str] = {name}  # may be the object
    around: set[str] = set()  # may hold it inside
    statements = [node for statement in body for node in ast.walk(statement)]
    changed = True
    while changed:
        changed = False

        def reach(value: ast.AST) -> tuple[bool, bool]:
            """(the value may be the object, the value may hold it inside)."""
            direct = _direct(value)
            parts = _element_sources(value) & around  # an item of what holds it may be it
            whole, items = _inside(value)
            is_it = bool(direct & itself or parts)
            holds = bool(direct & around or parts or whole & (itself | around) or items & around)
            return is_it, holds

        def add(names, is_it: bool, holds: bool) -> None:
            nonlocal changed
            for one in names:
                if is_it and one not in itself:
                    itself.add(one)
                    changed = True
                if holds and one not in around:
                    around.add(one)
                    changed = True

        for node in statements:
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                is_it, holds = reach(node.value)
                if isinstance(node, ast.AugAssign):
                    holds = holds or is_it  # xs += ys: ys's items, or ys itself inside
                for target in targets:
                    if isinstance(target, ast.Name) and not isinstance(node, ast.AugAssign):
                        add([target.id], is_it, holds)
                    elif isinstance(target, (ast.Tuple, ast.List)):
                        add(_names(target), is_it or holds, holds)  # its parts: the items of the value
                    else:
                        root = _root(target)
                        add([root] if root else [], False, is_it or holds)
            elif isinstance(node, (ast.For, ast.comprehension)):
                sources = _iter_sources(node.iter)
                if sources & around:
                    add(_names(node.target), True, True)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and (node.func.attr in _STORE_METHODS or node.func.attr in _MERGE_METHODS):
                root = _root(node.func.value)
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    is_it, holds = reach(arg)
                    if node.func.attr in _MERGE_METHODS:  # extend/update: the argument's items go in
                        holds = holds or bool(_direct(arg) & around)
                        is_it = False
                    add([root] if root else [], False, is_it or holds)
    return itself | around
