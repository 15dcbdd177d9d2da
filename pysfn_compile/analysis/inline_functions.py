"""A nested function the workflow calls on a line of its own runs inline, where it is called.

    def low(stock):                               stock_1 = stock          (low's own names,
        return sorted(k for k, v in stock.items()   low_result = sorted(... low_stock ...)
                      if v < threshold)            names = low_result
    names = low(stock)

Python runs the body in a scope of its own: its parameters and the names it assigns are its
own, every other name is the enclosing function's, read when the body reads it. The body,
with its own names renamed (`low_stock`), run where the call is, does exactly that: the
arguments are evaluated first, in order, and bound; an exception goes to the caller's
handlers; a change in place of an enclosing list is that list's. The machine then folds the
inlined states like any others (a pure helper in a loop is JSONata, not states per call).

Inlined: a `def` at the top level of the workflow's body (no decorator, no *args/**kwargs or
keyword-only parameters, literal defaults) that every use calls as a statement of its own
(`x = f(...)`, `f(...)`, `return f(...)`, after the def), whose `return`s all end the body
(the last statement, or the last of every branch of an `if` that is), that neither calls
itself, nor declares nonlocal/global, nor yields, nor defines functions or classes, nor
binds its own names in a comprehension or lambda. Otherwise it is left as written (a branch
or a map body, or refused with a hint).
"""

from __future__ import annotations

import ast
import copy

from .fresh_names import fresh_name

_FORBIDDEN = (ast.Nonlocal, ast.Global, ast.Yield, ast.YieldFrom, ast.Await, ast.FunctionDef, ast.AsyncFunctionDef,
              ast.ClassDef, ast.Try, ast.With, ast.Match)
_ROUNDS = 8  # a helper calling a helper: inlined again, at most this deep


def inline(body: list[ast.stmt]) -> list[ast.stmt]:
    """Inline, in `body` (in place), the nested functions that can be; returns `body`."""
    for _ in range(_ROUNDS):
        taken = {n.id for s in body for n in ast.walk(s) if isinstance(n, ast.Name)}
        changed = False
        for fdef in [s for s in body if isinstance(s, ast.FunctionDef)]:
            sites = _call_sites(fdef, body)
            if sites is None:
                continue
            # from the last, so that a block's earlier indexes stay right
            for count, (block, index) in reversed(list(enumerate(sites, start=1))):
                suffix = "" if len(sites) == 1 else f"_{count}"
                block[index:index + 1] = _expand(fdef, block[index], suffix, taken)
            body.remove(fdef)
            changed = True
            break  # the blocks' indexes moved: look again
        if not changed:
            break
    return body


_SCOPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)


def _function_walk(fdef: ast.FunctionDef):
    """The nodes of the function's own scope (a comprehension or lambda is a scope of its own)."""
    stack = list(ast.iter_child_nodes(fdef))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def _own_names(fdef: ast.FunctionDef) -> set[str]:
    """Its parameters and the names its own scope binds."""
    names = {a.arg for a in fdef.args.args}
    for node in _function_walk(fdef):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            return set()  # (refused below anyway: not inlined)
    return names


def _inlinable(fdef: ast.FunctionDef) -> bool:
    args = fdef.args
    if fdef.decorator_list or args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
        return False
    if not all(isinstance(d, ast.Constant) for d in args.defaults):
        return False
    own = _own_names(fdef)
    if not own and fdef.args.args:
        return False
    for node in ast.walk(fdef):
        if node is fdef:
            continue
        if isinstance(node, (*_FORBIDDEN, ast.Import, ast.ImportFrom)):
            return False
        if isinstance(node, ast.Name) and node.id == fdef.name:
            return False  # it calls (or names) itself
        if isinstance(node, _SCOPES):
            inner = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            if isinstance(node, ast.Lambda):
                inner |= {a.arg for a in node.args.args}
            if inner & own:
                return False  # its own name bound again inside: renaming would mix the two
    return _restructured(copy.deepcopy(fdef.body)) is not None


def _has_return(statement: ast.stmt) -> bool:
    return any(isinstance(n, ast.Return) for n in ast.walk(statement))


def _falls_off(block: list[ast.stmt]) -> bool:
    """Whether the end of `block` may be reached (True unless certainly not)."""
    last = block[-1] if block else None
    if isinstance(last, (ast.Return, ast.Raise)):
        return False
    if isinstance(last, ast.If):
        return _falls_off(last.body) or _falls_off(last.orelse)
    return True


def _restructured(block: list[ast.stmt]) -> list[ast.stmt] | None:
    """`block` (changed in place) with every `return` at the end of its path: what follows an
    `if` that returns on one branch moves into the branch that goes on (`if c: return a` then
    `rest` is `if c: return a` / `else: rest`); None where a `return` is in a loop, a `try` or
    a `with`, or the rest would be needed on both branches."""
    for index, statement in enumerate(block):
        if not _has_return(statement):
            continue
        rest = block[index + 1:]
        del block[index + 1:]  # after a return nothing runs; the rest moves into the if's branches
        if isinstance(statement, ast.Return):
            return block
        if not isinstance(statement, ast.If):
            return None
        body_goes_on, else_goes_on = _falls_off(statement.body), _falls_off(statement.orelse)
        if rest and body_goes_on and else_goes_on:
            return None
        body = _restructured(statement.body + (rest if body_goes_on else []))
        orelse = _restructured(statement.orelse + (rest if else_goes_on else []))
        if body is None or orelse is None:
            return None
        statement.body, statement.orelse = body or [ast.copy_location(ast.Pass(), statement)], orelse
        return block
    return block


def _call_of(statement: ast.stmt, name: str) -> ast.Call | None:
    """The call of `name` that is the whole statement (`x = f(...)`, `f(...)`, `return f(...)`)."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        value = statement.value
    elif isinstance(statement, (ast.Expr, ast.Return)):
        value = statement.value
    else:
        return None
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == name:
        return value
    return None


def _call_sites(fdef: ast.FunctionDef, body: list[ast.stmt]) -> list[tuple[list, int]] | None:
    """Where `fdef` is called, as (block, index) of each calling statement; None when it cannot
    be inlined (a use that is not such a call, a call before the def, a call that does not
    match its parameters)."""
    if not _inlinable(fdef):
        return None
    name = fdef.name
    start = body.index(fdef)
    sites: list[tuple[list, int]] = []
    calls: set[int] = set()
    for position, statement in enumerate(body):
        if statement is fdef:
            continue
        for block, index in _statements(body, position):
            call = _call_of(block[index], name)
            if call is not None:
                if position < start or not _matches(fdef, call):
                    return None
                sites.append((block, index))
                calls.add(id(call.func))
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and node.id == name and id(node) not in calls:
                return None  # passed as a value, rebound, called inside an expression, ...
            if isinstance(node, ast.arg) and node.arg == name:
                return None
    return sites or None


def _statements(body: list[ast.stmt], position: int):
    """(block, index) of the statement at `position` and of every statement inside it."""
    stack = [(body, position)]
    while stack:
        block, index = stack.pop()
        yield block, index
        statement = block[index]
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(statement, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                stack.extend((inner, i) for i in range(len(inner)))
        for handler in getattr(statement, "handlers", ()):
            stack.extend((handler.body, i) for i in range(len(handler.body)))


def _matches(fdef: ast.FunctionDef, call: ast.Call) -> bool:
    params = [a.arg for a in fdef.args.args]
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return False
    if len(call.args) > len(params):
        return False
    given = set(params[:len(call.args)])
    for keyword in call.keywords:
        if keyword.arg not in params or keyword.arg in given:
            return False
        given.add(keyword.arg)
    required = params[:len(params) - len(fdef.args.defaults)]
    return set(required) <= given


def _expand(fdef: ast.FunctionDef, statement: ast.stmt, suffix: str, taken: set) -> list[ast.stmt]:
    """The statements that run `statement` (a call of `fdef`) with the body inline."""
    call = _call_of(statement, fdef.name)
    renames = {}
    for own in sorted(_own_names(fdef)):
        renames[own] = fresh_name(f"{fdef.name}_{own}{suffix}", taken)
    params = [a.arg for a in fdef.args.args]
    defaults = dict(zip(params[len(params) - len(fdef.args.defaults):], fdef.args.defaults, strict=True))
    values = dict(zip(params, call.args, strict=False))
    values.update({k.arg: k.value for k in call.keywords})
    out: list[ast.stmt] = []
    # the arguments in Python's order (positional, then keywords as written), then the defaults
    ordered = list(params[:len(call.args)]) + [k.arg for k in call.keywords]
    ordered += [p for p in params if p not in ordered]
    for param in ordered:
        value = values.get(param, defaults.get(param))
        out.append(ast.copy_location(ast.Assign(targets=[ast.Name(id=renames[param], ctx=ast.Store())],
                                                value=copy.deepcopy(value)), statement))
    result = None if isinstance(statement, ast.Return) else fresh_name(f"{fdef.name}_result{suffix}", taken)
    body = _restructured([_renamed(s, renames) for s in copy.deepcopy(fdef.body)])
    out += _with_returns(body, result, fdef)
    if isinstance(statement, ast.Assign):
        out.append(ast.copy_location(ast.Assign(targets=statement.targets, value=ast.Name(id=result, ctx=ast.Load())),
                                     statement))
    for node in out:
        ast.fix_missing_locations(node)
    return out


def _renamed(statement: ast.stmt, renames: dict) -> ast.stmt:
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and node.id in renames:
            node.id = renames[node.id]
        elif isinstance(node, ast.ExceptHandler) and node.name in renames:
            node.name = renames[node.name]
    return statement


def _with_returns(block: list[ast.stmt], result: str | None, fdef: ast.FunctionDef) -> list[ast.stmt]:
    """`block` with its tail returns setting `result` (None: they stay returns, the call's own
    `return f(...)`), and `result = None` where it falls off its end."""
    if not block:
        return [_set(result, None, fdef)] if result else []
    last = block[-1]
    if isinstance(last, ast.Return):
        if result is None:
            return block
        return block[:-1] + [_set(result, last.value, last)]
    if isinstance(last, ast.If):
        last.body = _with_returns(last.body, result, fdef)
        last.orelse = _with_returns(last.orelse, result, fdef) if last.orelse or result else last.orelse
        if not last.orelse and result is None:
            return block + [ast.copy_location(ast.Return(value=None), last)]
        return block
    if isinstance(last, ast.Raise):
        return block
    ending = _set(result, None, last) if result else ast.copy_location(ast.Return(value=None), last)
    return block + [ending]


def _set(name: str, value: ast.expr | None, at: ast.AST) -> ast.stmt:
    return ast.copy_location(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())],
                                        value=value if value is not None else ast.Constant(value=None)), at)
