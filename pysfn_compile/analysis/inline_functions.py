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
(`x = f(...)`, `f(...)`, `return f(...)`, after the def; a call inside an expression is first
given a line of its own where Python evaluates it once and first: _hoist_calls; one Python
evaluates only sometimes, the `if`s its evaluation takes: an operand of `and`/`or` or a branch
of `x if c else y` (_lazy_statements), `any()`/`all()` of a generator (_search_loop), a
generator taken whole (_generators_as_lists); one inside a comprehension, a generator or a
lambda, of a helper that is one `return`, is its expression: _expressions_in_scopes), whose
`return`s all end the body
(the last statement, or the last of every branch of an `if` or `try` that is; or are in the
body of a loop without a `break` of its own, or of a `try` there without `finally`: the result
and a `break`, the rest in the loop's `else`; after a `try` whose handlers all return, the rest runs in its `else`),
that neither calls
itself, nor declares global (a `nonlocal` name is the enclosing function's own variable, the
declaration dropped), nor yields, nor defines functions or classes, nor
binds its own names in a comprehension or lambda. A def also passed to an sfn function
(`sfn.map(one, ids)`) stays, as that branch or map body, beside its inlined calls. Otherwise
it is left as written (a branch or a map body, or refused with a hint).
"""

from __future__ import annotations

import ast
import copy

from .ast_edits import blocks, computes_only
from .fresh_names import fresh_name

_FORBIDDEN = (ast.Global, ast.Yield, ast.YieldFrom, ast.Await, ast.FunctionDef, ast.AsyncFunctionDef,
              ast.ClassDef, ast.With, ast.Match, ast.TryStar)
_ROUNDS = 8  # a helper calling a helper: inlined again, at most this deep


def inline(body: list[ast.stmt], known: dict | None = None) -> list[ast.stmt]:
    """Inline, in `body` (in place), the nested functions that can be; returns `body`. `known`:
    names whose value the function's own bindings do not tell, known all the same (a parameter
    annotated list, dict or str, which the entry checks: "list"; an imported module: the module),
    so that `xs.index(f(x))` and `math.sqrt(f(x))` look their method up where nothing can fail."""
    known = known or {}
    for _ in range(_ROUNDS):
        taken = {n.id for s in body for n in ast.walk(s) if isinstance(n, ast.Name)}
        defs = {s.name: s for s in body if isinstance(s, ast.FunctionDef) and _inlinable(s)}
        _keys_as_lambdas(body, defs)
        _expressions_in_scopes(body, defs)
        _while_tests(body, defs)
        _generators_as_lists(body, defs)
        _augmented_items(body, defs, taken)
        _hoist_calls(body, defs, taken, known)
        _comprehension_loops(body, defs, taken)
        _hoist_calls(body, defs, taken, known)  # the appends' calls
        changed = False
        for fdef in defs.values():
            sites = _call_sites(fdef, body)
            if sites is None:
                continue
            # numbered in the order of the source; expanded from a block's last, so that its
            # earlier indexes stay right
            numbered = sorted(sites, key=lambda site: (site[0][site[1]].lineno, site[0][site[1]].col_offset))
            for count, (block, index) in sorted(enumerate(numbered, start=1), key=lambda item: -item[1][1]):
                suffix = "" if len(sites) == 1 else f"_{count}"
                block[index:index + 1] = _expand(fdef, block[index], suffix, taken)
            if not _sfn_arguments(body, fdef.name):
                body.remove(fdef)
            changed = True
            break  # the blocks' indexes moved: look again
        if not changed:
            break
    return body


_SCOPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)
_LOOP_COMPS = (ast.ListComp, ast.DictComp)  # made the loops they mean where they call a helper


# -- a call inside an expression, run first on a line of its own where Python runs it first ---
def _hoist_calls(body: list[ast.stmt], defs: dict, taken: set, known: dict) -> None:
    """`y = {"a": d[k], "b": f(x)}` is `v = d[k]`, `f_value = f(x)`, then `y = {"a": v, "b":
    f_value}`: the call, and everything Python evaluates before it that could raise or act, each
    on a line of its own, in Python's order. Only where the call is evaluated exactly once when
    the statement runs (not in a branch of `and`/`or`/`if`, a comprehension, a lambda, a later
    comparison of a chain, a `while` test)."""
    if not defs:
        return
    kinds = _binding_kinds(body, known)
    for block in blocks(body):
        index = 0
        while index < len(block):
            statement = block[index]
            path = None
            for root in _eager_roots(statement):
                path = _path_to_call(root, defs, whole=_call_of(statement, getattr(
                    getattr(root, "func", None), "id", "")) is None)
                if path is not None:
                    break
            last = path[-1] if path else None
            if path is None or (isinstance(last, ast.Call) and last.func.id in defs
                                and not _matches(defs[last.func.id], last)):
                index += 1
                continue
            hoisted = []
            method = False  # a method looked up before the call: its lookup cannot be a line of its own
            for parent, child in zip(path, path[1:], strict=False):  # what runs before, outside in
                for earlier in _in_order(parent)[:_in_order(parent).index(child)]:
                    if getattr(earlier, "pysfn_plain", False):
                        continue
                    if isinstance(parent, ast.Call) and earlier is parent.func and not isinstance(earlier, ast.Name):
                        if _sure_method(earlier, kinds, known):
                            continue  # `out.append` of a list `out` always is: nothing can fail first
                        method = True
                    if isinstance(earlier, ast.FormattedValue):
                        if not (isinstance(earlier.value, (ast.Constant, ast.Name)) and earlier.format_spec is None
                                and earlier.conversion == -1):
                            # an f-string's part before the call, formatted (which may fail) first
                            hoisted.append((earlier, fresh_name("text", taken)))
                    elif not isinstance(earlier, (ast.Constant, ast.Name, ast.keyword)) or (
                            isinstance(earlier, ast.keyword) and not isinstance(earlier.value, (ast.Constant, ast.Name))):
                        value = earlier.value if isinstance(earlier, ast.keyword) else earlier
                        hoisted.append((value, fresh_name("value", taken)))
            if method:
                index += 1
                continue
            call = path[-1]
            hoisted.append((call, fresh_name(_hoisted_name(call, defs), taken)))
            for value, name in hoisted:
                _Replace(value, name).visit(statement)
            made = [made for value, name in hoisted for made in _assignment(value, name, statement, taken)]
            block[index:index] = made
            index += len(made)  # the same statement again: another call may follow


def _hoisted_name(leaf: ast.expr, defs: dict) -> str:
    """What a hoisted leaf of _path_to_call holds: a helper's value, any()/all()'s result, a
    comprehension's items, an and/or/conditional's value."""
    if isinstance(leaf, ast.Call):
        return f"{leaf.func.id}_value" if leaf.func.id in defs else "found"
    return "items" if isinstance(leaf, _LOOP_COMPS) else "value"


def _assignment(value: ast.expr, name: str, statement: ast.stmt, taken: set) -> list[ast.stmt]:
    """`name = value` as statements, located at `statement`: an `and`/`or`/conditional
    expression as the `if`s Python's evaluation takes (_lazy_statements), `any(...)`/`all(...)`
    of a generator as the loop it runs (_search_loop)."""
    if isinstance(value, (ast.BoolOp, ast.IfExp)):
        made = _lazy_statements(value, name, taken)
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("any", "all"):
        made = _search_loop(value, name, taken)
    else:
        made = [ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())],
                           value=ast.copy_location(ast.JoinedStr(values=[value]), value)
                           if isinstance(value, ast.FormattedValue) else value)]
    for node in made:
        for sub in ast.walk(node):
            if isinstance(sub, (ast.stmt, ast.expr)) and not hasattr(sub, "lineno"):
                ast.copy_location(sub, statement)
    return made


def _lazy_statements(value: ast.BoolOp | ast.IfExp, name: str, taken: set) -> list[ast.stmt]:
    """`name = a and f(x) and c` as `name = a`, `if name: name = f(x)`, `if name: name = c`
    (nested: each operand only where the ones before it did not settle the value; `or` tests
    `not name`), `name = x if t else f(y)` as `if t: name = x` `else: name = f(y)`: the operands
    Python evaluates, in its order, each once; the value the expression has. A list
    comprehension operand gets a name of its own first (it becomes a loop appending to it: a
    list on every path, whatever else `name` holds)."""
    def assign(part: ast.expr) -> list[ast.stmt]:
        made = []
        if isinstance(part, _LOOP_COMPS):
            items = fresh_name("items", taken)
            made.append(ast.copy_location(ast.Assign(targets=[ast.Name(id=items, ctx=ast.Store())], value=part), part))
            part = ast.copy_location(ast.Name(id=items, ctx=ast.Load()), part)
        return made + [ast.copy_location(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=part), part)]

    if isinstance(value, ast.IfExp):
        return [ast.copy_location(ast.If(test=value.test, body=assign(value.body), orelse=assign(value.orelse)),
                                  value)]
    made = assign(value.values[0])
    tail = made
    for part in value.values[1:]:
        held = ast.copy_location(ast.Name(id=name, ctx=ast.Load()), part)
        test = held if isinstance(value.op, ast.And) else ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=held),
                                                                               part)
        inner = assign(part)
        tail.append(ast.copy_location(ast.If(test=test, body=inner, orelse=[]), part))
        tail = inner
    return made


def _any_all(node: ast.AST, defs: dict) -> ast.GeneratorExp | None:
    """The generator of `any(...)`/`all(...)` where it calls one of `defs` and can be a loop
    (one `for`, see _loop_of), else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("any", "all")
            and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.GeneratorExp)):
        return None
    generator = node.args[0]
    if len(generator.generators) != 1 or _loop_of(generator, defs) is None:
        return None
    return generator


def _search_loop(call: ast.Call, name: str, taken: set) -> list[ast.stmt]:
    """`name = any(e for v in vs if c)` as `name = False`, then `for v_1 in vs: if c: if e:
    name = True; break` (`all`: True, `if not e`, False): each item's test runs as Python's
    any()/all() runs it, up to the first that settles the result, and no further."""
    generator = call.args[0]
    found = call.func.id == "any"
    (loop,) = generator.generators
    renames = {n.id: fresh_name(f"{n.id}_item", taken) for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
    element = _renamed_expr(generator.elt, renames)
    test = element if found else ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=element), element)
    settle = [ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=ast.Constant(value=found)), ast.Break()]
    inner: ast.stmt = ast.If(test=test, body=settle, orelse=[])
    for condition in reversed(loop.ifs):
        inner = ast.If(test=_renamed_expr(condition, renames), body=[inner], orelse=[])
    return [ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=ast.Constant(value=not found)),
            ast.For(target=_renamed_expr(loop.target, renames), iter=loop.iter, body=[inner], orelse=[],
                    type_comment=None)]


_CONSUMERS = ("list", "tuple", "sorted")  # take every item first, then do their work


def _generators_as_lists(body: list[ast.stmt], defs: dict) -> None:
    """`sorted(f(x) for x in xs)` calling a helper: `sorted([f(x) for x in xs])` (a loop,
    _comprehension_loops), where the consumer takes every item before it does anything else
    with them, so that no item is computed at another time than Python computes it: list(),
    tuple(), sorted(), str.join(), and sum() of a number literal per item (the count idiom
    `sum(1 for r in rows if f(r))`: adding literals cannot fail between two items)."""
    for statement in body:
        for node in ast.walk(statement):
            if not (isinstance(node, ast.Call) and len(node.args) == 1 and isinstance(node.args[0], ast.GeneratorExp)):
                continue
            generator = node.args[0]
            func = node.func
            consumer = (isinstance(func, ast.Name) and func.id in _CONSUMERS) or (
                isinstance(func, ast.Name) and func.id == "sum" and not node.keywords
                and isinstance(generator.elt, ast.Constant) and type(generator.elt.value) in (int, float)) or (
                isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant)
                and isinstance(func.value.value, str) and not node.keywords)
            if consumer and _loop_of(generator, defs) is not None:
                node.args[0] = ast.copy_location(ast.ListComp(elt=generator.elt, generators=generator.generators),
                                                 generator)


def _augmented_items(body: list[ast.stmt], defs: dict, taken: set) -> None:
    """`d[k] += f(x)` calling a helper: `d[k]` as a statement of its own (Python reads the item,
    with its KeyError, before it evaluates the value), then `d[k] += f(x)`, whose call
    _hoist_calls gives a line of its own: where `d[k]` only computes (read twice to no effect:
    ast_edits.computes_only). The `+=` stays one: a list item changes in place."""
    for block in blocks(body):
        for index in range(len(block) - 1, -1, -1):
            statement = block[index]
            if not (isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Subscript)
                    and not getattr(statement, "pysfn_item_read", False)
                    and computes_only(statement.target) and _calls_in(statement.value, defs)):
                continue
            read = ast.Subscript(value=copy.deepcopy(statement.target.value), slice=copy.deepcopy(statement.target.slice),
                                 ctx=ast.Load())
            first = ast.fix_missing_locations(ast.copy_location(ast.Expr(value=read), statement))
            statement.pysfn_item_read = True  # its item is read: the value's calls may go before it
            block.insert(index, first)


def _calls_in(node: ast.expr, defs: dict) -> bool:
    """Whether `node` calls one of `defs` outside any scope of its own, or holds a list
    comprehension or any()/all() that does and becomes a loop (other comprehensions' and
    lambdas' calls run there, where they are refused)."""
    stack = [node]
    while stack:
        part = stack.pop()
        if isinstance(part, ast.Call) and isinstance(part.func, ast.Name) and part.func.id in defs:
            return True
        if part is not node and ((isinstance(part, _LOOP_COMPS) and _loop_of(part, defs) is not None)
                                 or _any_all(part, defs) is not None):
            return True
        if part is node or not isinstance(part, _SCOPES):
            stack.extend(ast.iter_child_nodes(part))
    return False


def _keys_as_lambdas(body: list[ast.stmt], defs: dict) -> None:
    """`sorted(xs, key=by_price)` with `def by_price(item): return item["price"]` is
    `key=lambda item: item["price"]`: a lambda is a function of its own scope too, reading the
    enclosing names when it runs (only a one-parameter helper that is one `return`)."""
    for position, statement in enumerate(body):
        if isinstance(statement, ast.FunctionDef):
            continue
        for node in ast.walk(statement):
            if not isinstance(node, ast.keyword) or node.arg != "key" or not isinstance(node.value, ast.Name):
                continue
            fdef = defs.get(node.value.id)
            if fdef is None or body.index(fdef) > position:  # (above its def: Python's UnboundLocalError)
                continue
            if len(fdef.args.args) != 1 or fdef.args.defaults or len(fdef.body) != 1 \
                    or not isinstance(fdef.body[0], ast.Return) or fdef.body[0].value is None:
                continue
            lam = ast.Lambda(args=copy.deepcopy(fdef.args), body=copy.deepcopy(fdef.body[0].value))
            node.value = ast.copy_location(lam, node.value)
            ast.fix_missing_locations(node)


def _expressions_in_scopes(body: list[ast.stmt], defs: dict) -> None:
    """`def total(r): return r["price"] * r["qty"] - discount`, called inside a comprehension, a
    generator or a lambda (`sum(total(r) for r in rows)`, `[r for r in rows if total(r) > 0]`),
    where no statement can hold the call: the call is the helper's expression with the
    arguments in place of the parameters. Python evaluates each argument once, then the
    expression in the helper's scope, reading the enclosing names when it runs: the same,
    where each argument is a literal or a name the comprehension or lambda around the call binds
    (evaluated again, or not at all, without effect) and no name the expression reads means
    another variable at the call (a comprehension's or lambda's own name there, or the
    helper's, around an argument)."""
    helpers = {name: fdef for name, fdef in defs.items() if len(fdef.body) == 1
               and isinstance(fdef.body[0], ast.Return) and fdef.body[0].value is not None
               and not any(isinstance(n, ast.NamedExpr) for n in ast.walk(fdef.body[0].value))}
    if not helpers:
        return
    for _ in range(_ROUNDS):  # a helper's expression may call another helper: written in place next
        done = 0
        for position, statement in enumerate(body):
            if isinstance(statement, ast.FunctionDef) and statement.name in helpers:
                continue
            # (a call before the def is Python's NameError: only the helpers defined above)
            above = {name: fdef for name, fdef in helpers.items() if body.index(fdef) < position}
            done += _substitute_calls(statement, above, frozenset(), False) if above else 0
        if not done:
            break
    # a helper no longer named anywhere else goes (its own calls of others no longer hold them)
    for name, fdef in helpers.items():
        if not any(isinstance(n, ast.Name) and n.id == name for statement in body if statement is not fdef
                   for n in ast.walk(statement)):
            body.remove(fdef)
            del defs[name]


def _substitute_calls(node: ast.AST, helpers: dict, bound: frozenset, inside: bool) -> int:
    """Substitute, under `node`, the helpers' calls inside a comprehension, generator or lambda
    (`inside`; `bound`: the names the scopes around bind); how many."""
    done = 0
    for field, value in ast.iter_fields(node):
        children = value if isinstance(value, list) else [value]
        for position, child in enumerate(children):
            if not isinstance(child, ast.AST):
                continue
            scoped = isinstance(child, (*_SCOPES, ast.FunctionDef, ast.AsyncFunctionDef))
            done += _substitute_calls(child, helpers, bound | _scope_names(child) if scoped else bound,
                                      inside or isinstance(child, _SCOPES))
            if not (inside and isinstance(child, ast.Call) and isinstance(child.func, ast.Name)
                    and child.func.id in helpers and child.func.id not in bound):
                continue
            reduced = _reduced(helpers[child.func.id], child, bound)
            if reduced is None:
                continue
            if isinstance(value, list):
                value[position] = reduced
            else:
                setattr(node, field, reduced)
            done += 1
    return done


def _scope_names(scope: ast.AST) -> frozenset:
    names = {n.id for n in ast.walk(scope) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return frozenset(names | {a.arg for a in ast.walk(scope) if isinstance(a, ast.arg)})


def _reduced(fdef: ast.FunctionDef, call: ast.Call, bound: frozenset) -> ast.expr | None:
    params = [a.arg for a in fdef.args.args]
    defaults = fdef.args.defaults
    # a name an enclosing comprehension or lambda binds is bound at the call (another might be
    # unbound, Python's error at the call even where the expression does not read it)
    if call.keywords or any(isinstance(a, ast.Starred) for a in call.args) \
            or not len(params) - len(defaults) <= len(call.args) <= len(params) \
            or not all(isinstance(a, ast.Constant) or (isinstance(a, ast.Name) and a.id in bound)
                       for a in call.args):
        return None
    values = dict(zip(params, [*call.args, *defaults[len(defaults) - (len(params) - len(call.args)):]], strict=True)) \
        if len(call.args) < len(params) else dict(zip(params, call.args, strict=True))
    expression = fdef.body[0].value
    inner = _scope_names(expression)
    read = {n.id for n in ast.walk(expression) if isinstance(n, ast.Name)} - set(params)
    arguments = {a.id for a in call.args if isinstance(a, ast.Name)}
    if read & bound or arguments & inner:
        return None
    reduced = _ArgumentsIn(values).visit(copy.deepcopy(expression))
    for sub in ast.walk(reduced):
        ast.copy_location(sub, call)
    return reduced


class _ArgumentsIn(ast.NodeTransformer):
    def __init__(self, values: dict):
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.values and isinstance(node.ctx, ast.Load):
            return copy.deepcopy(self.values[node.id])
        return node


def _comprehension_loops(body: list[ast.stmt], defs: dict, taken: set) -> None:
    """`x = [f(v) for v in vs if c(v)]` with f a helper: `x = []`, then `for v_1 in vs: if
    c(v_1): x.append(f(v_1))` (`return [...]` the same into a fresh name, then returned; the
    comprehension's own names renamed, as its scope is its own;
    its first iterable evaluated first, as Python does), so that the call is a statement. A
    dict comprehension `{k(v): f(v) for v in vs}` stores each item: `key_1 = k(v_1)`, then
    `x[key_1] = f(v_1)` (Python evaluates the key, then the value, then stores)."""
    for block in blocks(body):
        for index in range(len(block) - 1, -1, -1):
            statement = block[index]
            returned = isinstance(statement, ast.Return) and isinstance(statement.value, _LOOP_COMPS)
            if not returned and not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                                     and isinstance(statement.targets[0], ast.Name)
                                     and isinstance(statement.value, _LOOP_COMPS)):
                continue
            comp = statement.value
            renames = _loop_of(comp, defs)
            if renames is None:
                continue
            renames = {name: fresh_name(f"{name}_item", taken) for name in renames}
            # (`return [f(v) for v in vs]`: built in a variable of its own, then returned)
            target = fresh_name("result", taken) if returned else statement.targets[0].id
            if isinstance(comp, ast.DictComp):
                inner = _dict_store(target, _renamed_expr(comp.key, renames), _renamed_expr(comp.value, renames), taken)
                empty: ast.expr = ast.Dict(keys=[], values=[])
            else:
                append = ast.Attribute(value=ast.Name(id=target, ctx=ast.Load()), attr="append", ctx=ast.Load())
                append.pysfn_plain = True  # the new list's own method: nothing to run before the element
                inner = [ast.Expr(value=ast.Call(func=append, args=[_renamed_expr(comp.elt, renames)], keywords=[]))]
                empty = ast.List(elts=[], ctx=ast.Load())
            for position in range(len(comp.generators) - 1, -1, -1):
                generator = comp.generators[position]
                for condition in reversed(generator.ifs):
                    inner = [ast.If(test=_renamed_expr(condition, renames), body=inner, orelse=[])]
                iterable = generator.iter if position == 0 else _renamed_expr(generator.iter, renames)
                inner = [ast.For(target=_renamed_expr(generator.target, renames), iter=iterable, body=inner,
                                 orelse=[], type_comment=None)]
            start = ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=empty)
            if any(isinstance(n, ast.Name) and n.id == target for n in ast.walk(comp.generators[0].iter)):
                continue  # `xs = [f(x) for x in xs]`: the loop would walk the new list
            new = [ast.copy_location(start, statement), *(ast.copy_location(s, statement) for s in inner)]
            if returned:
                new.append(ast.copy_location(ast.Return(value=ast.Name(id=target, ctx=ast.Load())), statement))
            for node in new:
                for sub in ast.walk(node):
                    if not hasattr(sub, "lineno") and isinstance(sub, (ast.stmt, ast.expr)):
                        ast.copy_location(sub, statement)
            block[index:index + 1] = new


def _dict_store(target: str, key: ast.expr, value: ast.expr, taken: set) -> list[ast.stmt]:
    """`target[key] = value` with the key evaluated before the value (an assignment evaluates
    its value first): the key on a line of its own unless it is a name or a constant."""
    made = []
    if not isinstance(key, (ast.Name, ast.Constant)):
        name = fresh_name("key", taken)
        made.append(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=key))
        key = ast.Name(id=name, ctx=ast.Load())
    store = ast.Subscript(value=ast.Name(id=target, ctx=ast.Load()), slice=key, ctx=ast.Store())
    return [*made, ast.Assign(targets=[store], value=value)]


def _loop_of(comp: ast.ListComp | ast.DictComp, defs: dict) -> set | None:
    """The names a list or dict comprehension binds, where it calls one of `defs` in its
    element (key, value) or conditions and can be a loop (no async, no walrus, no inner scope
    reusing its names)."""
    elements = [comp.key, comp.value] if isinstance(comp, ast.DictComp) else [comp.elt]
    calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in defs
                for part in [*elements, *[c for g in comp.generators for c in g.ifs]] for n in ast.walk(part))
    if not calls or any(g.is_async for g in comp.generators):
        return None
    names = {n.id for g in comp.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
    for node in ast.walk(comp):
        if isinstance(node, ast.NamedExpr):
            return None
        if node is not comp and isinstance(node, _SCOPES):
            inner = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            if isinstance(node, ast.Lambda):
                inner |= {a.arg for a in node.args.args}
            if inner & names:
                return None
    return names


def _renamed_expr(node: ast.expr, renames: dict) -> ast.expr:
    node = copy.deepcopy(node)
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id in renames:
            sub.id = renames[sub.id]
        elif isinstance(sub, ast.Name):
            sub.pysfn_free = True  # (as _renamed)
    return node


_METHODS = {"list": frozenset(dir(list)), "dict": frozenset(dir(dict)), "str": frozenset(dir(str))}


# the builtins whose result is of one kind (compiler._known_names passes them unless the module
# rebinds their names)
BUILT_KINDS = {sorted: "list", list: "list", dict: "dict", str: "str", repr: "str"}


def _binding_kinds(body: list[ast.stmt], known: dict) -> dict:
    """name -> "list", "dict" or "str" where every binding of the name in the function is a
    literal of that kind (`out = []`, `[... for ...]`, `{}`, `"..."`, an f-string) or a builtin
    that makes one (`sorted(...)`, `dict(...)`, `", ".join(...)`; `known` says the builtin's
    name is the builtin), a parameter annotated so among them; else None."""
    kinds: dict = {name: {kind} for name, kind in known.items() if isinstance(kind, str)}
    bound = {node.id for statement in body for node in ast.walk(statement)
             if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)}
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                kinds.setdefault(node.id, set())
            if isinstance(node, ast.Assign):
                value = node.value
                kind = ("list" if isinstance(value, (ast.List, ast.ListComp)) else
                        "dict" if isinstance(value, (ast.Dict, ast.DictComp)) else
                        "str" if isinstance(value, ast.JoinedStr) or (
                            isinstance(value, ast.Constant) and isinstance(value.value, str)) else
                        _built_kind(value, bound, known))
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        kinds.setdefault(target.id, set()).add(kind)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.With, ast.NamedExpr,
                                   ast.ExceptHandler, ast.Import, ast.ImportFrom, ast.Delete)):
                for sub in ast.walk(node):  # bound some other way: not sure
                    if isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Load):
                        kinds.setdefault(sub.id, set()).add(None)
    return {name: next(iter(found)) if len(found) == 1 else None for name, found in kinds.items()}


def _built_kind(value: ast.expr, bound: set, known: dict) -> str | None:
    """The kind a builtin call makes: `sorted(xs)`, `list(...)` a list, `dict(...)` a dict,
    `str(x)`, `repr(x)`, `", ".join(...)` a str (Python raises where it cannot)."""
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    if isinstance(func, ast.Name) and func.id not in bound:
        builtin = known.get(func.id)
        return BUILT_KINDS.get(builtin) if callable(builtin) else None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Constant) \
            and isinstance(func.value.value, str) and func.attr in ("join", "format"):
        return "str"
    return None


def _sure_method(func: ast.expr, kinds: dict, known: dict) -> bool:
    """`name.method` where the name only ever holds a literal list, dict or str that has it
    (or is a parameter annotated so), a str literal's method (`", ".join`), or a function of an
    imported module or a method of a module-level logger the function does not rebind
    (`math.sqrt`, `log.info`)."""
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Constant) and isinstance(func.value.value, str):
        return func.attr in _METHODS["str"]
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return False
    module = known.get(func.value.id)
    if module is not None and not isinstance(module, str) and func.value.id not in kinds:
        return callable(getattr(module, func.attr, None))
    kind = kinds.get(func.value.id)
    return kind is not None and func.attr in _METHODS[kind]


def _while_tests(body: list[ast.stmt], defs: dict) -> None:
    """`while more(x): body` calling a helper in its test is `while True:`, then `if not
    more(x): break`, then the body: the test runs before each iteration as Python runs it (a
    `continue` goes back to it), and the `if` gets the call on a line of its own (_hoist_calls).
    The loop's `else` runs where the test fails, before that `break` (not when the body breaks);
    not where the `else` has a `break` or `continue` of its own (they are the outer loop's)."""
    if not defs:
        return
    for block in list(blocks(body)):
        for statement in block:
            if not isinstance(statement, ast.While) or _path_to_call(statement.test, defs) is None:
                continue
            if any(isinstance(n, (ast.Break, ast.Continue)) for s in statement.orelse for n in ast.walk(s)):
                continue
            stop = ast.copy_location(ast.If(
                test=ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=statement.test), statement.test),
                body=[*statement.orelse, ast.copy_location(ast.Break(), statement)], orelse=[]), statement)
            statement.test = ast.copy_location(ast.Constant(value=True), statement.test)
            statement.body = [stop, *statement.body]
            statement.orelse = []
            ast.fix_missing_locations(statement)


def _eager_roots(statement: ast.stmt) -> list[ast.expr]:
    """The expressions a statement evaluates first, once."""
    if isinstance(statement, (ast.Assign, ast.Expr, ast.Return)) and statement.value is not None:
        return [statement.value]
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return [statement.value]
    if isinstance(statement, ast.AugAssign) and (isinstance(statement.target, ast.Name)
                                                 or getattr(statement, "pysfn_item_read", False)):
        return [statement.value]  # (`d[k] += v`: after `d[k]` on a line of its own, _augmented_items)
    if isinstance(statement, ast.If):
        return [statement.test]
    if isinstance(statement, ast.For):
        return [statement.iter]
    if isinstance(statement, ast.Assert):
        return [statement.test]  # (its message only when the test fails: not hoisted)
    if isinstance(statement, ast.Raise) and statement.exc is not None:
        return [statement.exc]
    if isinstance(statement, ast.Delete) and len(statement.targets) == 1 \
            and isinstance(statement.targets[0], ast.Subscript):
        return [statement.targets[0]]  # `del d[f(k)]`: d, then the key, then the deletion
    return []


def _in_order(node: ast.AST) -> list | None:
    """The parts Python evaluates for `node`, in its order, each once and unconditionally; None
    where that is not so."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return list(node.elts)
    if isinstance(node, ast.Dict):
        out = []
        for key, value in zip(node.keys, node.values, strict=True):
            out += ([key] if key is not None else []) + [value]
        return out
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Compare):
        return [node.left, node.comparators[0]] if len(node.ops) == 1 else None
    if isinstance(node, ast.Call):
        return [node.func, *node.args, *node.keywords]
    if isinstance(node, (ast.keyword, ast.Starred, ast.Attribute)):
        return [node.value]
    if isinstance(node, ast.FormattedValue):
        return [node.value] + ([node.format_spec] if node.format_spec else [])
    if isinstance(node, ast.Subscript):
        return [node.value, node.slice]
    if isinstance(node, ast.Slice):
        return [part for part in (node.lower, node.upper, node.step) if part is not None]
    if isinstance(node, ast.JoinedStr):
        return list(node.values)
    return None


def _path_to_call(root: ast.expr, defs: dict, whole: bool = True) -> list | None:
    """The nodes from `root` down to the first call of one of `defs` (in Python's order of
    evaluation) reached through parts evaluated once and unconditionally; None if there is
    none. Not `whole`: `root` is such a call on a line of its own already, and only a call in
    its arguments is looked for."""
    def search(node) -> list | None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in defs:
            return [node]
        if isinstance(node, _LOOP_COMPS) and _loop_of(node, defs) is not None:
            return [node]
        if isinstance(node, (ast.BoolOp, ast.IfExp)) and _calls_in(node, defs):
            return [node]  # made statements with an `if` per operand Python may skip (_lazy_statements)
        if _any_all(node, defs) is not None:
            return [node]  # made a loop that stops where Python's any()/all() stops (_search_loop)
        for child in _in_order(node) or ():
            found = search(child)
            if found is not None:
                return [node, *found]
        return None
    if not whole and isinstance(root, ast.Call) and isinstance(root.func, ast.Name) and root.func.id in defs:
        # a call on a line of its own already: only a call in its arguments (`seek(seek(8))`)
        for child in _in_order(root):
            found = search(child)
            if found is not None:
                return [root, *found]
        return None
    if isinstance(root, _LOOP_COMPS):
        return None  # `x = [...]`: made a loop by _comprehension_loops
    return search(root)


class _Replace(ast.NodeTransformer):
    def __init__(self, target: ast.AST, name: str):
        self.target, self.name = target, name

    def visit(self, node):
        if node is self.target:
            name = ast.copy_location(ast.Name(id=self.name, ctx=ast.Load()), node)
            if isinstance(node, ast.FormattedValue):  # a part of an f-string stays one: the text
                return ast.copy_location(ast.FormattedValue(value=name, conversion=-1, format_spec=None), node)
            return name
        return super().visit(node)


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
    if any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in _function_walk(fdef)):
        return set()  # (refused below anyway: not inlined)
    return {a.arg for a in fdef.args.args} | _body_bound(fdef)


def _body_bound(fdef: ast.FunctionDef) -> set[str]:
    """The names its body binds (a parameter only where the body binds it again), less those it
    declares nonlocal: the enclosing function's own, which it binds there."""
    names = set()
    for node in _function_walk(fdef):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names - _nonlocal_names(fdef)


def _nonlocal_names(fdef: ast.FunctionDef) -> set[str]:
    return {name for node in _function_walk(fdef) if isinstance(node, ast.Nonlocal) for name in node.names}


def _without_nonlocal(body: list[ast.stmt]) -> list[ast.stmt]:
    """`body` (and the blocks inside it, in place) without its `nonlocal` declarations: inline,
    the names are the enclosing function's own already."""
    for block in blocks(body):
        if block:
            block[:] = [s for s in block if not isinstance(s, ast.Nonlocal)] or [ast.copy_location(ast.Pass(), block[0])]
    return body


def _inlinable(fdef: ast.FunctionDef) -> bool:
    return not_inlined(fdef) is None


def not_inlined(fdef: ast.FunctionDef) -> str | None:
    """Why the nested function `fdef` cannot run inline (for a message), or None if it can."""
    args = fdef.args
    if fdef.decorator_list:
        return "it has a decorator"
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
        return "it takes *args, **kwargs, keyword-only or positional-only parameters"
    if not all(_literal(d) for d in args.defaults):
        return "a default value is not a literal (a number, a str, True, False or None)"
    own = _own_names(fdef)
    if not own and fdef.args.args:
        return "its parameters cannot be told from the names around it"
    for node in ast.walk(fdef):
        if node is fdef:
            continue
        if isinstance(node, (*_FORBIDDEN, ast.Import, ast.ImportFrom)):
            return f"it has a {_STATEMENT_NAMES.get(type(node), type(node).__name__)}"
        if isinstance(node, ast.Name) and node.id == fdef.name:
            return "it calls (or names) itself"
        if isinstance(node, _SCOPES):
            inner = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            if isinstance(node, ast.Lambda):
                inner |= {a.arg for a in node.args.args}
            if inner & own:
                return f"it binds its own name {sorted(inner & own)[0]!r} again in a comprehension or lambda"
    if _restructured(copy.deepcopy(fdef.body)) is None:
        return ("a return is in a loop inside a loop, in a loop with a break of its own, in a try followed by "
                "more code or with an else or finally, or followed by code that both branches of an if would run")
    return None


_STATEMENT_NAMES = {ast.Nonlocal: "nonlocal declaration", ast.Global: "global declaration", ast.Yield: "yield",
                    ast.YieldFrom: "yield from", ast.Await: "await", ast.FunctionDef: "def inside it",
                    ast.AsyncFunctionDef: "def inside it", ast.ClassDef: "class inside it",
                    ast.TryStar: "try/except* statement", ast.With: "with statement", ast.Match: "match statement",
                    ast.Import: "import", ast.ImportFrom: "import"}


def _literal(node: ast.expr) -> bool:
    """A constant, or a signed number (`-1`): the same value at every call."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
        return isinstance(node, ast.Constant) and type(node.value) in (int, float)
    return isinstance(node, ast.Constant)


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
        if isinstance(statement, ast.Try):
            # returns at the ends of its body and handlers (a return is the result there: the
            # handlers still catch what the body raises), none after it, in its else or finally
            if any(_has_return(s) for s in statement.finalbody):
                return None
            if rest or statement.orelse:
                # the rest runs after a body that went on: in the try's else, after what it
                # held, when every handler returns or raises (it is not protected there either)
                # (a return in the body would be a result the else then overwrote: not so)
                if statement.finalbody or not _falls_off(statement.body) \
                        or any(_has_return(s) for s in statement.body) \
                        or any(_falls_off(h.body) for h in statement.handlers):
                    return None
                orelse = _restructured(statement.orelse + rest)
                if orelse is None:
                    return None
                statement.orelse = orelse
            parts = [_restructured(statement.body)] + [_restructured(h.body) for h in statement.handlers]
            if None in parts:
                return None
            statement.body = parts[0] or [ast.copy_location(ast.Pass(), statement)]
            for handler, body in zip(statement.handlers, parts[1:], strict=True):
                handler.body = body or [ast.copy_location(ast.Pass(), handler)]
            return block
        if isinstance(statement, (ast.For, ast.While)) and _returns_from_loop(statement):
            # `for ...: ... return v ...` then `rest`: a return leaves the loop (it becomes the
            # result and a break, see _with_returns), so the rest runs only when the loop ends
            # by itself: in its `else`, after what the `else` held
            orelse = _restructured(statement.orelse + rest)
            if orelse is None:
                return None
            statement.orelse = orelse
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


def _returns_from_loop(loop: ast.For | ast.While) -> bool:
    """A loop whose `return`s are in its own body (not in a loop inside it) and that has no
    `break` of its own: a return can be the result and a `break`, and the loop's `else` runs
    exactly when no return ran."""
    def own(statements):
        for statement in statements:
            yield statement
            if isinstance(statement, ast.If):
                yield from own(statement.body)
                yield from own(statement.orelse)
            elif isinstance(statement, ast.Try) and not statement.finalbody:
                # (a break leaves a try as a return does: `try: return f(x)` then `except E:
                # sfn.sleep(...)`, the retry loop)
                for part in [statement.body, *(h.body for h in statement.handlers), statement.orelse]:
                    yield from own(part)
            elif isinstance(statement, (ast.For, ast.While, ast.Try)):
                if any(isinstance(n, ast.Return) for n in ast.walk(statement)):
                    yield None  # a return from a loop (or a try) inside it: not one break away
    found = list(own(loop.body))
    return any(isinstance(n, ast.Return) for n in found) and None not in found \
        and not any(isinstance(n, ast.Break) for n in found)


def _loop_returns(block: list[ast.stmt], result: str) -> list[ast.stmt]:
    """A returning loop's body (see _returns_from_loop) with each `return v` as `result = v`
    and a `break`."""
    out: list[ast.stmt] = []
    for statement in block:
        if isinstance(statement, ast.Return):
            out += [_set(result, statement.value, statement), ast.copy_location(ast.Break(), statement)]
            continue
        if isinstance(statement, ast.If):
            statement.body = _loop_returns(statement.body, result)
            statement.orelse = _loop_returns(statement.orelse, result)
        elif isinstance(statement, ast.Try):  # (no finally: _returns_from_loop)
            statement.body = _loop_returns(statement.body, result)
            statement.orelse = _loop_returns(statement.orelse, result)
            for handler in statement.handlers:
                handler.body = _loop_returns(handler.body, result)
        out.append(statement)
    return out


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
    """Where `fdef` (inlinable) is called, as (block, index) of each calling statement; None when
    it cannot be inlined (a use that is not such a call, a call before the def, a call that
    does not match its parameters)."""
    name = fdef.name
    start = body.index(fdef)
    sites: list[tuple[list, int]] = []
    calls: set[int] = set(_sfn_arguments(body, name))  # sfn.map(f, xs): the def stays for it
    fdef.pysfn_blocked = None  # the use that keeps it from running inline (blocked_by)
    for position, statement in enumerate(body):
        if statement is fdef:
            continue
        for block, index in _statements(body, position):
            call = _call_of(block[index], name)
            if call is not None:
                if position < start or not _matches(fdef, call):
                    fdef.pysfn_blocked = call
                    return None
                sites.append((block, index))
                calls.add(id(call.func))
        for node in ast.walk(statement):
            if (isinstance(node, ast.Name) and node.id == name and id(node) not in calls) or (
                    isinstance(node, ast.arg) and node.arg == name):
                fdef.pysfn_blocked = node  # passed as a value, rebound, called where it cannot run, ...
                return None
    return sites or None


def blocked_by(fdef: ast.FunctionDef) -> ast.AST | None:
    """The use of `fdef` that kept every call of it from running inline (None if none did)."""
    return getattr(fdef, "pysfn_blocked", None)


def _sfn_arguments(body: list[ast.stmt], name: str) -> list[int]:
    """The ids of the Name nodes passing the function `name` to an sfn function
    (`sfn.map(one, ids)`, `sfn.parallel(a, b)`): a branch or a map body of its own, beside
    the calls that run inline."""
    found = []
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "sfn":
                found += [id(arg) for arg in node.args if isinstance(arg, ast.Name) and arg.id == name]
    return found


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
    passed = _passed_names(fdef, call, values)
    out: list[ast.stmt] = []
    # the arguments in Python's order (positional, then keywords as written), then the defaults
    ordered = list(params[:len(call.args)]) + [k.arg for k in call.keywords]
    ordered += [p for p in params if p not in ordered]
    for param in ordered:
        value = values.get(param, defaults.get(param))
        if param in passed:  # the caller's variable itself (read here, where Python reads it)
            renames[param] = passed[param]
            out.append(ast.copy_location(ast.Expr(value=copy.deepcopy(value)), statement))
            continue
        out.append(ast.copy_location(ast.Assign(targets=[ast.Name(id=renames[param], ctx=ast.Store())],
                                                value=copy.deepcopy(value)), statement))
    result = None if isinstance(statement, ast.Return) else fresh_name(f"{fdef.name}_result{suffix}", taken)
    body = _restructured(_without_nonlocal([_renamed(s, renames) for s in copy.deepcopy(fdef.body)]))
    out += _with_returns(body, result, fdef)
    if isinstance(statement, ast.Assign):
        out.append(ast.copy_location(ast.Assign(targets=statement.targets, value=ast.Name(id=result, ctx=ast.Load())),
                                     statement))
    for node in out:
        ast.fix_missing_locations(node)
    return out


def _passed_names(fdef: ast.FunctionDef, call: ast.Call, values: dict) -> dict:
    """{parameter: the caller's variable} for the parameters given a variable of the caller
    (`add(items, x)`) that the body never binds again: the parameter is that variable, so a
    change in place through it is the caller's list's, as in Python (a copy under the
    parameter's name would share it: refused). Not where the call's arguments assign (a walrus
    could bind the variable anew before the body runs) or the body holds a lambda or a
    generator (one kept past the call would read the variable, not the object, later)."""
    if any(isinstance(n, ast.NamedExpr) for arg in [*call.args, *call.keywords] for n in ast.walk(arg)) \
            or any(isinstance(n, (ast.Lambda, ast.GeneratorExp)) for n in _function_walk(fdef)):
        return {}
    bound, rebound = _body_bound(fdef), _nonlocal_names(fdef)  # (a variable it rebinds is not the one passed)
    return {param: value.id for param, value in values.items()
            if isinstance(value, ast.Name) and param not in bound and value.id not in rebound}


def _renamed(statement: ast.stmt, renames: dict) -> ast.stmt:
    """`statement` with the function's own names renamed; the others, the workflow's, marked as
    the function's free variables (`pysfn_free`: unassigned, Python's NameError names them so)."""
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and node.id in renames:
            node.id = renames[node.id]
        elif isinstance(node, ast.Name):
            node.pysfn_free = True
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
    if isinstance(last, ast.Try) and _has_return(last):
        if last.orelse:  # the body goes on into the else, which ends the paths
            last.orelse = _with_returns(last.orelse, result, fdef)
        else:
            last.body = _with_returns(last.body, result, fdef)
        for handler in last.handlers:
            handler.body = _with_returns(handler.body, result, fdef)
        return block
    if isinstance(last, (ast.For, ast.While)) and _returns_from_loop(last):
        if result is not None:  # (the call's own `return f(...)`: its returns stay returns)
            last.body = _loop_returns(last.body, result)
        last.orelse = _with_returns(last.orelse, result, fdef) if last.orelse or result else \
            [ast.copy_location(ast.Return(value=None), last)]
        return block
    ending = _set(result, None, last) if result else ast.copy_location(ast.Return(value=None), last)
    return block + [ending]


def _set(name: str, value: ast.expr | None, at: ast.AST) -> ast.stmt:
    return ast.copy_location(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())],
                                        value=value if value is not None else ast.Constant(value=None)), at)
