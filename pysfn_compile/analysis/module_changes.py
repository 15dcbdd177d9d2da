"""Which module-level values the module's functions may change when they run.

The workflow reads a module-level constant as the value it had at compile time; a callee runs
in a Lambda, where its changes never reach the machine. So where a function may change a
module-level value (a callee appending to a list, a `global` counter), the workflow may not
read it as a constant (lowering/expressions.py refuses it).

A change is found wherever it is written: in place on the name (`LOG.append(x)`,
`STATE["n"] += 1`), through another name that may hold the value (`s = STATE; s["n"] += 1`,
`seen = STATE.get("seen"); seen.append(x)`, `for k in [STATE]: k["a"] = 1`, a parameter
whose default is it), through a function it is passed to or that returns it
(`_record(SEEN, x)` where `_record` appends to its parameter), or by rebinding the name
(`global COUNTER; COUNTER += 1`). The analysis is a may-analysis, flow-insensitive, solved to
a fixpoint over the whole module: for each variable, the module names whose value it may be
part of, and those whose value its items may be part of. So a copy changed in place
(`cfg = dict(DEFAULTS); cfg["mode"] = m`) leaves DEFAULTS alone, and an item of the copy
changed (`d = dict(STATE); d["seen"].append(x)`) changes STATE; otherwise it errs toward
refusing (a call it cannot see into may return what it was given).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .effects import IN_PLACE_METHODS

_MUTATORS = IN_PLACE_METHODS | {"__setitem__", "__delitem__"}

# builtins whose result holds nothing of their arguments (a number, a str, a bool)
_SCALAR_CALLS = frozenset({"len", "str", "int", "float", "bool", "repr", "abs", "round", "sum", "any", "all",
                           "isinstance", "hash", "ord", "chr", "format", "print", "id", "callable", "hasattr"})

# builtins and methods that return a new container of their argument's items
_COPYING_CALLS = frozenset({"list", "dict", "set", "frozenset", "tuple", "sorted", "reversed"})
_COPYING_METHODS = frozenset({"copy", "keys", "values", "items", "split", "rsplit", "splitlines"})
# methods that return an item of the value they are called on
_ITEM_METHODS = frozenset({"get", "setdefault", "pop", "popitem", "__getitem__"})

_Scope = ast.AST  # a FunctionDef, AsyncFunctionDef or Lambda: where a local lives


def changed_module_names(tree: ast.Module, module_names: frozenset) -> dict[str, int]:
    """{name: line} of the module-level names (of `module_names`) a function may change."""
    return _Analysis(tree, module_names).changed()


class _Analysis:
    def __init__(self, tree: ast.Module, module_names: frozenset):
        self.module_names = module_names
        self.scopes = [node for node in ast.walk(tree)
                       if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
        owner: dict[int, _Scope] = {}  # id(node) -> the innermost scope holding it
        for scope in self.scopes:
            for node in _own_nodes(scope):
                owner[id(node)] = scope
        self.parent: dict[int, _Scope | None] = {id(scope): owner.get(id(scope)) for scope in self.scopes}
        self.locals = {id(scope): _bound_names(scope) for scope in self.scopes}
        self.functions: dict[str, list] = {}  # a def's name -> the defs of that name (any scope)
        for scope in self.scopes:
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(scope.name, []).append(scope)
        self.holds: dict[tuple[int, str], _Held] = {}  # (scope, local) -> what it may hold
        self.returns: dict[int, _Held] = {}  # a def or lambda -> what its result may hold

    # ------------------------------------------------------------ what a value may hold

    def _scope_of(self, scope: _Scope | None, name: str) -> _Scope | None:
        """The scope whose local `name` is, seen from `scope`, or None for a module-level name."""
        while scope is not None:
            if name in self.locals[id(scope)]:
                return scope
            scope = self.parent.get(id(scope))
        return None

    def held(self, node: ast.AST | None, scope: _Scope | None) -> _Held:
        """What the value of expression `node` may hold of the module's values: (the names
        whose value, or a part of it, it may be; those whose parts its items may be)."""
        if node is None or isinstance(node, (ast.Lambda, ast.Constant, ast.JoinedStr, ast.Compare)):
            return _NOTHING
        if isinstance(node, ast.Name):
            owner = self._scope_of(scope, node.id)
            if owner is not None:
                return self.holds.get((id(owner), node.id), _NOTHING)
            return (frozenset({node.id}), frozenset()) if node.id in self.module_names else _NOTHING
        if isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
                return _copy(self.held(node.value, scope))  # xs[a:b]: a new list of its items
            return _part(self.held(node.value, scope))
        if isinstance(node, ast.Call):
            return self._held_by_call(node, scope)
        if isinstance(node, (ast.BoolOp, ast.IfExp, ast.NamedExpr)):
            parts = [node.body, node.orelse] if isinstance(node, ast.IfExp) else \
                [node.value] if isinstance(node, ast.NamedExpr) else node.values
            return _union(self.held(part, scope) for part in parts)
        # a new value: a display, a comprehension, `a + b`: what its parts hold, its items hold
        parts = [self.held(child, scope) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)]
        parts += [self.held(child.iter, scope) for child in ast.iter_child_nodes(node) if isinstance(child, ast.comprehension)]
        return _copy(_union(parts))

    def _held_by_call(self, node: ast.Call, scope: _Scope | None) -> _Held:
        func = node.func
        if isinstance(func, ast.Name) and self._scope_of(scope, func.id) is None:
            if func.id in _SCALAR_CALLS:
                return _NOTHING
            if func.id in _COPYING_CALLS:
                return _copy(_union(self.held(arg, scope) for arg in node.args))
        if isinstance(func, ast.Name) and func.id in self.functions:
            return _union(self.returns.get(id(f), _NOTHING) for f in self.functions[func.id])
        if isinstance(func, ast.Attribute):
            receiver = self.held(func.value, scope)
            if func.attr in _COPYING_METHODS:
                return _copy(receiver)
            if func.attr in _ITEM_METHODS:
                return _part(receiver)
        else:
            receiver = self.held(func, scope)
        # anything else may return anything it was given
        return _part(_union([receiver, *(self.held(arg, scope) for arg in [*node.args, *(k.value for k in node.keywords)])]))

    # ------------------------------------------------------------ the fixpoint

    def _bind(self, target: ast.AST, held: _Held, scope: _Scope | None) -> bool:
        if not (held[0] or held[1]):
            return False
        if not isinstance(target, ast.Name):  # unpacking: each name may be any item
            held = _part(held)
        grown = False
        for node in _target_names(target):
            owner = self._scope_of(scope, node.id)
            if owner is not None:
                grown |= _grow(self.holds, (id(owner), node.id), held)
        return grown

    def _step(self) -> bool:
        grown = False
        for scope in self.scopes:
            for node in _own_nodes(scope):
                if isinstance(node, ast.Assign):
                    held = self.held(node.value, scope)
                    for target in node.targets:
                        grown |= self._bind(target, held, scope)
                        for stored in _target_names(target, stores=True):  # `box["s"] = STATE`: box's items hold it
                            grown |= self._bind(stored, _copy(held), scope)
                elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
                    held = self.held(node.value, scope)
                    grown |= self._bind(node.target, held, scope)
                    for stored in _target_names(node.target, stores=True):
                        grown |= self._bind(stored, _copy(held), scope)
                elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                    grown |= self._bind(node.target, _part(self.held(node.iter, scope)), scope)
                elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                    grown |= self._bind(node.optional_vars, self.held(node.context_expr, scope), scope)
                elif isinstance(node, ast.Return) and isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    grown |= _grow(self.returns, id(scope), self.held(node.value, scope))
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr in _MUTATORS:  # `box.append(STATE)`: box's items hold it
                    root = _root(node.func.value)
                    if root is not None:
                        given = _union(self.held(arg, scope) for arg in [*node.args, *(k.value for k in node.keywords)])
                        grown |= self._bind(root, _copy(given), scope)
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    for function in self.functions.get(node.func.id, ()):
                        for param, value in _arguments(function, node):
                            grown |= self._bind(ast.Name(param), self.held(value, scope), function)
            if isinstance(scope, ast.Lambda):
                grown |= _grow(self.returns, id(scope), self.held(scope.body, scope))
            args = scope.args
            positional = [*args.posonlyargs, *args.args]
            defaults = [*zip(positional[len(positional) - len(args.defaults):], args.defaults, strict=True),
                        *zip(args.kwonlyargs, args.kw_defaults, strict=True)]
            for arg, default in defaults:
                if default is not None:
                    grown |= self._bind(ast.Name(arg.arg), self.held(default, self.parent.get(id(scope))), scope)
        return grown

    def changed(self) -> dict[str, int]:
        for _ in range(50):  # each round only grows the sets; a module needs a few
            if not self._step():
                break
        found: dict[str, int] = {}
        for scope in self.scopes:
            for node in _own_nodes(scope):
                for name in sorted(self._changes(node, scope)):
                    found.setdefault(name, node.lineno)
        return found

    def _changes(self, node: ast.AST, scope: _Scope) -> set[str]:
        """The module names statement or call `node` may change in place or rebind."""
        if isinstance(node, ast.Global):
            return set(node.names) & self.module_names
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        out: set[str] = set()
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, (ast.Subscript, ast.Attribute)) and isinstance(part.ctx, (ast.Store, ast.Del)):
                    out |= self.held(part.value, scope)[0]
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
                out |= self.held(func.value, scope)[0]
            elif isinstance(func, ast.Name) and func.id in ("setattr", "delattr") and node.args:
                out |= self.held(node.args[0], scope)[0]
        return out


_Held = tuple  # (frozenset of names it may be part of, frozenset of names its items may be part of)
_NOTHING: _Held = (frozenset(), frozenset())


def _union(parts) -> _Held:
    inside, items = set(), set()
    for part in parts:
        inside |= part[0]
        items |= part[1]
    return frozenset(inside), frozenset(items)


def _grow(table: dict, key, held: _Held) -> bool:
    """Join `held` into `table[key]`; whether that grew it."""
    known = table.get(key, _NOTHING)
    joined = _union([known, held])
    if joined == known:
        return False
    table[key] = joined
    return True


def _part(held: _Held) -> _Held:
    """An item (or any part) of a value: part of whatever the value or its items are part of."""
    every = held[0] | held[1]
    return every, every


def _copy(held: _Held) -> _Held:
    """A new container of a value's items (`list(xs)`, `dict(d)`, `[a, b]`): not part of
    anything itself, its items part of what the value or its items are part of."""
    return frozenset(), held[0] | held[1]


def _target_names(target: ast.AST, stores: bool = False) -> Iterator[ast.Name]:
    """The names an assignment target binds (`a`, `a, *b`), not those it only reads (`d[k]`,
    `obj.x`); with `stores`, instead the roots of the items or attributes it stores into (`box`
    of `box["s"] = v`)."""
    if isinstance(target, ast.Name) and not stores:
        yield target
    elif isinstance(target, (ast.Subscript, ast.Attribute)) and stores:
        root = _root(target.value)
        if root is not None:
            yield root
    elif isinstance(target, (ast.Tuple, ast.List)):
        for item in target.elts:
            yield from _target_names(item, stores)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value, stores)


def _root(node: ast.AST) -> ast.Name | None:
    """The name an access path starts from (`box` of `box["a"].items`), or None."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def _own_nodes(scope: _Scope) -> Iterator[ast.AST]:
    """The nodes of a function's body (its defaults and decorators are the enclosing scope's),
    not those of the functions and lambdas inside it."""
    body = scope.body if isinstance(scope.body, list) else [scope.body]
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(reversed([*node.decorator_list, *node.args.defaults,
                                   *(d for d in node.args.kw_defaults if d is not None)]))
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(reversed([*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]))
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _bound_names(scope: _Scope) -> set[str]:
    """The names local to a function: its parameters and the names its body binds (unless
    declared global or nonlocal there)."""
    args = scope.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs,
                             *([args.vararg] if args.vararg else []), *([args.kwarg] if args.kwarg else [])]}
    declared: set[str] = set()
    for node in _own_nodes(scope):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
    return names - declared


def _arguments(function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call) -> Iterator[tuple[str, ast.AST]]:
    """(parameter, argument) pairs of a call of `function`; a `*args` or `**kwargs` argument
    goes to every parameter (it may hold any of them)."""
    args = function.args
    positional = [a.arg for a in [*args.posonlyargs, *args.args]]
    every = positional + [a.arg for a in args.kwonlyargs] + [a.arg for a in (args.vararg, args.kwarg) if a]
    for index, value in enumerate(call.args):
        if isinstance(value, ast.Starred):
            yield from ((param, value.value) for param in every)
        elif index < len(positional):
            yield positional[index], value
        elif args.vararg is not None:
            yield args.vararg.arg, value
    for keyword in call.keywords:
        if keyword.arg is None:
            yield from ((param, keyword.value) for param in every)
        elif keyword.arg in every:
            yield keyword.arg, keyword.value
        elif args.kwarg is not None:
            yield args.kwarg.arg, keyword.value
