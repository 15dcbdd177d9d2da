"""`defaultdict` and `Counter` as the plain dicts they are in JSON, where every use says so.

    by_user = defaultdict(list)              by_user = {}
    by_user[e["user"]].append(e)       ->    by_user.setdefault(e["user"], []).append(e)
    kinds = Counter()                        kinds = {}
    kinds[e["kind"]] += 1                    kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    top = kinds.most_common(3)               top = sorted(kinds.items(), key=..., reverse=True)[:3]

Python's meaning exactly: a defaultdict's `d[k]` read inserts the factory's value when `k` is
missing and returns it, which `d.setdefault(k, value)` does (the same insertion, at the same
moment, the value a new one each time); `d[k] += v` is that read, then the store (a statement
`d.setdefault(k, value)` before `d[k] += v`: the in-place `+=` of a list stays in place). A
Counter's read of a missing key is 0 and inserts nothing (`c.get(k, 0)`; `c[k] += n` is
`count = c.get(k, 0)`, `count += n`, `c[k] = count`: Python's `+=` and its message), `del c[k]` of a
missing key does nothing (`c.pop(k, None)`), `Counter(xs)` counts the items in order (a
mapping's counts are copied), `most_common(n)` is CPython's own `sorted(items, key=count,
reverse=True)[:n]` (equal counts in the order first counted).

Only a variable every use of which is one of those, or one a dict has alike (`k in d`,
`len(d)`, iterating, `.items()`/`.get()`/`.pop()`..., returning it), is rewritten; its key in a
read that writes (`d[k] += v`) computes only (names, operators, `str(x)`, `e["k"].lower()`: it is
evaluated twice).
Any other use (printing it, passing it to a callee, another name for it, `.copy()`, a nested
function reading it) leaves the whole variable as written: the visitor refuses the
constructor, and names that use (`why_not`).
"""

from __future__ import annotations

import ast
import collections
import copy

from .ast_edits import SCOPES, blocks, computes_only, replace_child
from .fresh_names import fresh_name

_FACTORIES = {"list": ast.List(elts=[], ctx=ast.Load()), "dict": ast.Dict(keys=[], values=[]),
              "int": ast.Constant(value=0), "float": ast.Constant(value=0.0), "str": ast.Constant(value=""),
              "bool": ast.Constant(value=False),
              "set": ast.Call(func=ast.Name(id="set", ctx=ast.Load()), args=[], keywords=[])}
# what a dict and these do alike, called on the variable (Counter's own: most_common)
_SAME_METHODS = frozenset({"get", "items", "keys", "values", "pop", "setdefault", "clear", "update"})
_COUNTER_METHODS = frozenset({"get", "items", "keys", "values", "pop", "setdefault", "clear", "most_common"})
_BUILTINS = frozenset({"len", "sorted", "list", "dict", "bool", "any", "all", "min", "max", "iter", "enumerate",
                       "zip", "set", "tuple", "sum", "reversed"})


def rewrite(body: list[ast.stmt], objects: dict) -> None:
    """Rewrite, in place, the defaultdict and Counter variables of `body` that can be plain
    dicts (`objects`: the module's names, to know `defaultdict` is collections.defaultdict)."""
    kinds = {name: kind for name, obj in objects.items()
             for kind, cls in (("defaultdict", collections.defaultdict), ("Counter", collections.Counter))
             if obj is cls}
    if not kinds:
        return
    taken = {node.id for node in _own_nodes(body) if isinstance(node, ast.Name)}
    _name_inline_counters(body, {name for name, kind in kinds.items() if kind == "Counter"}, taken)
    parents = {id(child): node for node in _own_nodes(body) for child in ast.iter_child_nodes(node)}
    for name, made in _variables(body, kinds).items():
        why = _why_not(name, made, body, parents, kinds)
        if why is not None:
            for _, call, _ in made:
                call.pysfn_not_plain = why
            continue
        _apply(name, made, body, parents, taken)


def _name_inline_counters(body: list[ast.stmt], counters: set, taken: set) -> None:
    """`top = Counter(words).most_common(3)`: `counts = Counter(words)` on a line of its own
    first, then `top = counts.most_common(3)` (a variable, which the rest makes a plain dict),
    where the Counter is the first thing the statement evaluates (nothing runs before it)."""
    if not counters:
        return
    for block in blocks(body):
        for index in range(len(block) - 1, -1, -1):
            statement = block[index]
            value = (statement.value if isinstance(statement, (ast.Assign, ast.Return, ast.Expr)) else
                     statement.iter if isinstance(statement, ast.For) else
                     statement.test if isinstance(statement, ast.If) else None)
            call = _leading_call(value, counters) if value is not None else None
            if call is None or call is value:
                continue
            name = fresh_name("counts", taken)
            taken.add(name)
            replace_child(_parent_in(value, call), call, ast.copy_location(ast.Name(id=name, ctx=ast.Load()), call))
            made = ast.copy_location(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=call), statement)
            block.insert(index, ast.fix_missing_locations(made))


def _leading_call(node: ast.expr, names: set) -> ast.Call | None:
    """The call of one of `names` that `node` evaluates first (`Counter(w)` of
    `Counter(w).most_common(1)[0]`), or None."""
    while True:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
            return node
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        elif isinstance(node, ast.BinOp):
            node = node.left
        else:
            return None


def _parent_in(root: ast.AST, child: ast.AST) -> ast.AST:
    return next(node for node in ast.walk(root) if any(c is child for c in ast.iter_child_nodes(node)))


def why_not(node: ast.Call) -> str | None:
    """Why the variable this constructor makes stays a defaultdict or Counter (None if not known)."""
    return getattr(node, "pysfn_not_plain", None)


def _own_nodes(body: list[ast.stmt]):
    """Every node of the function's own code (nested functions and lambdas included: a use
    there is a use too)."""
    for statement in body:
        yield from ast.walk(statement)


def _variables(body: list[ast.stmt], kinds: dict) -> dict:
    """name -> [(the Assign, its constructor call, (kind, factory or None))] for each variable
    some `name = defaultdict(f)` / `name = Counter(...)` makes; a variable bound any other way
    too is left out (as written)."""
    made: dict[str, list] = {}
    targets: set[int] = set()
    for node in _own_nodes(body):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
                and node.value.func.id in kinds:
            made.setdefault(node.targets[0].id, []).append((node, node.value, _kind_of(node.value, kinds)))
            targets.add(id(node.targets[0]))
    others = {node.id for node in _own_nodes(body)
              if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) and id(node) not in targets}
    others |= {node.arg for node in _own_nodes(body) if isinstance(node, ast.arg)}
    return {name: found for name, found in made.items() if name not in others}


def _kind_of(call: ast.Call, kinds: dict):
    """("defaultdict", the factory's value) / ("Counter", the counted iterable or None); None
    where the call is not one this module rewrites."""
    kind = kinds[call.func.id]
    if call.keywords:
        return None
    if kind == "Counter":
        if len(call.args) > 1 or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        return ("Counter", call.args[0] if call.args else None)
    if len(call.args) != 1:
        return None
    factory = call.args[0]
    if isinstance(factory, ast.Name) and factory.id in _FACTORIES:
        return ("defaultdict", _FACTORIES[factory.id])
    if isinstance(factory, ast.Lambda) and not factory.args.args and _literal(factory.body):
        return ("defaultdict", factory.body)
    return None


def _literal(node: ast.expr) -> bool:
    """A value made new each time it is evaluated, with nothing to run: a constant, or a list,
    dict or tuple display of such values."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _literal(k) and _literal(v) for k, v in zip(node.keys, node.values, strict=True))
    return False


def _why_not(name: str, made: list, body: list[ast.stmt], parents: dict, kinds: dict) -> str | None:
    """The first use of `name` a plain dict would not do alike (a message), or None."""
    if any(kind is None for _, _, kind in made):
        return "its factory or arguments (list, int, float, str, dict, bool, or a lambda of a literal)"
    if len({kind[0] for _, _, kind in made}) > 1:
        return "it is made both a defaultdict and a Counter"
    if made[0][2][0] == "defaultdict" and len({ast.dump(kind[1]) for _, _, kind in made}) > 1:
        return "it is made with different defaults"
    counter = made[0][2][0] == "Counter"
    for node in _own_nodes(body):
        if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)):
            continue
        where = f"line {node.lineno}"
        scope = _scope_of(node, parents)
        if scope is not None and not (counter and isinstance(scope, ast.Lambda)):
            # (a Counter's read in a key function, `lambda k: c[k]`, is `c.get(k, 0)` there too;
            # a defaultdict's would insert, and a nested function may be a map body)
            return f"{where}: a nested function or lambda reads it"
        parent = parents.get(id(node))
        if isinstance(parent, ast.Subscript) and parent.value is node:
            if isinstance(parent.slice, ast.Slice):
                return f"{where}: a slice of it"
            augmented = _augmented_through(parent, parents)
            if augmented is not None and counter and augmented.target is not parent:
                return f"{where}: `{ast.unparse(augmented.target)} {_op(augmented)}= ...` (a count's item)"
            if augmented is not None and not computes_only(parent.slice):
                return (f"{where}: `{ast.unparse(augmented.target)} {_op(augmented)}= ...` with a computed key "
                        "(write it to a name first)")
            if isinstance(parent.ctx, ast.Del) and counter and not computes_only(parent.slice):
                return f"{where}: `del {ast.unparse(parent)}` with a computed key"
            continue
        if isinstance(parent, ast.Attribute) and parent.value is node:
            allowed = _COUNTER_METHODS if counter else _SAME_METHODS
            call = parents.get(id(parent))
            if parent.attr in allowed and isinstance(call, ast.Call) and call.func is parent:
                if parent.attr == "most_common" and (call.keywords or len(call.args) > 1):
                    return f"{where}: most_common() with these arguments"
                continue
            if parent.attr == "get" and isinstance(call, ast.keyword):
                continue  # `max(d, key=d.get)`: neither inserts
            return f"{where}: `.{parent.attr}` (a dict has it otherwise, or not at all)"
        if isinstance(parent, ast.Compare) and any(c is node for c in parent.comparators) and all(
                isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops):
            continue
        if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is node:
            continue
        if isinstance(parent, (ast.If, ast.While, ast.IfExp)) and parent.test is node or isinstance(
                parent, ast.Return) or (isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)):
            continue  # (not `d or {}`: its value would be another name for it)
        if (isinstance(parent, ast.Dict) and any(v is node for v in parent.values)
                or isinstance(parent, (ast.List, ast.Tuple))) and isinstance(parents.get(id(parent)), ast.Return):
            continue  # `return {"counts": d}`, `return [d, n]`: the output is JSON
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in _BUILTINS \
                and parent.func.id not in kinds and any(a is node for a in parent.args):
            continue
        return f"{where}: `{ast.unparse(parent) if parent is not None else name}` (where it leaves, dict({name}) is a plain copy)"
    return None


def _augmented_through(subscript: ast.Subscript, parents: dict) -> ast.AugAssign | None:
    """The `+=` statement whose target is `subscript` or reaches through it (`d[k][0] += 1`:
    Python reads `d[k]` first of all, so the read's insertion can be a statement before it)."""
    node = subscript
    while True:
        parent = parents.get(id(node))
        if isinstance(parent, ast.AugAssign):
            return parent if parent.target is node else None
        if not (isinstance(parent, (ast.Subscript, ast.Attribute)) and parent.value is node):
            return None
        node = parent


def _scope_of(node: ast.AST, parents: dict) -> ast.AST | None:
    """The innermost function, lambda or class `node` is inside (None: the workflow's own code)."""
    parent = parents.get(id(node))
    while parent is not None:
        if isinstance(parent, SCOPES):
            return parent
        parent = parents.get(id(parent))
    return None


def _op(node: ast.AugAssign) -> str:
    return ast.unparse(ast.BinOp(left=ast.Name(id="a"), op=node.op, right=ast.Name(id="b")))[2:-2]


def _apply(name: str, made: list, body: list[ast.stmt], parents: dict, taken: set[str]) -> None:
    counter = made[0][2][0] == "Counter"
    default = None if counter else made[0][2][1]  # a defaultdict's factory's value
    for assign, call, (_, extra) in made:
        assign.value = ast.copy_location(ast.Dict(keys=[], values=[]), call)
        if counter and extra is not None:
            _insert_after(body, assign, _counting(name, extra, assign, taken))
    reads = [node for node in _own_nodes(body) if isinstance(node, ast.Name) and node.id == name
             and isinstance(node.ctx, ast.Load)]
    augmented = []
    for node in reads:
        parent = parents.get(id(node))
        if isinstance(parent, ast.Subscript) and parent.value is node:
            holder = _augmented_through(parent, parents)
            if holder is not None:
                augmented.append((holder, parent))  # after the reads inside its value are rewritten
            elif isinstance(parent.ctx, ast.Load):
                _replace(parents, parent, _read(name, parent, default))
            elif isinstance(parent.ctx, ast.Del) and counter:
                statement = parents.get(id(parent))
                pop = ast.Expr(value=_method(name, "pop", [parent.slice, ast.Constant(value=None)], parent))
                _replace_statement(body, statement, [ast.copy_location(pop, statement)])
        elif isinstance(parent, ast.Attribute) and parent.attr == "most_common":
            call = parents.get(id(parent))
            _replace(parents, call, _most_common(name, call, taken))
    for holder, target in augmented:
        _augmented(name, holder, target, default, body, taken)
    for node in _own_nodes(body):
        ast.fix_missing_locations(node)


def _read(name: str, subscript: ast.Subscript, default: ast.expr | None) -> ast.expr:
    """`d[k]` read: a Counter's (`default` None) inserts nothing, a defaultdict's inserts."""
    if default is None:
        return _method(name, "get", [subscript.slice, ast.Constant(value=0)], subscript)
    read = _method(name, "setdefault", [subscript.slice, _fresh(default, subscript)], subscript)
    read.pysfn_defaultdict_read = True  # a refusal of the change says it comes from a read
    return read


def _augmented(name: str, statement: ast.AugAssign, target: ast.Subscript, default: ast.expr | None,
               body: list[ast.stmt], taken: set[str]) -> None:
    if default is None:  # the read inserts nothing: `held = c.get(k, 0)`, `held += v`, `c[k] = held`
        held = fresh_name("count", taken)
        made = [ast.Assign(targets=[ast.Name(id=held, ctx=ast.Store())],
                           value=_method(name, "get", [_copy(target.slice), ast.Constant(value=0)], target)),
                ast.AugAssign(target=ast.Name(id=held, ctx=ast.Store()), op=statement.op, value=statement.value),
                ast.Assign(targets=[ast.Subscript(value=ast.Name(id=name, ctx=ast.Load()), slice=target.slice,
                                                  ctx=ast.Store())], value=ast.Name(id=held, ctx=ast.Load()))]
        _replace_statement(body, statement, [ast.copy_location(node, statement) for node in made])
        return
    insert = ast.Expr(value=_method(name, "setdefault", [_copy(target.slice), _fresh(default, target)], target))
    _insert_before(body, statement, ast.copy_location(insert, statement))


def _most_common(name: str, call: ast.Call, taken: set[str]) -> ast.expr:
    """CPython's most_common(): `sorted(c.items(), key=the count, reverse=True)`, `[:n]` of it."""
    pair = fresh_name("pair", taken)
    key = ast.Lambda(args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=pair)], kwonlyargs=[], kw_defaults=[],
                                        defaults=[]),
                     body=ast.Subscript(value=ast.Name(id=pair, ctx=ast.Load()), slice=ast.Constant(value=1),
                                        ctx=ast.Load()))
    ordered = ast.Call(func=ast.Name(id="sorted", ctx=ast.Load()), args=[_method(name, "items", [], call)],
                       keywords=[ast.keyword(arg="key", value=key), ast.keyword(arg="reverse", value=ast.Constant(True))])
    if not call.args or (isinstance(call.args[0], ast.Constant) and call.args[0].value is None):
        return ast.copy_location(ordered, call)
    return ast.copy_location(ast.Subscript(value=ordered, slice=ast.Slice(upper=call.args[0]), ctx=ast.Load()), call)


def _counting(name: str, items: ast.expr, at: ast.stmt, taken: set[str]) -> list[ast.stmt]:
    """`Counter(items)`: a mapping's counts copied (`dict(items)`, in its order), any other
    iterable's items counted in order."""
    source, item = fresh_name("counted", taken), fresh_name("item", taken)
    count = ast.Assign(
        targets=[ast.Subscript(value=ast.Name(id=name, ctx=ast.Load()), slice=ast.Name(id=item, ctx=ast.Load()),
                               ctx=ast.Store())],
        value=ast.BinOp(left=_method(name, "get", [ast.Name(id=item, ctx=ast.Load()), ast.Constant(value=0)], at),
                        op=ast.Add(), right=ast.Constant(value=1)))
    loop = ast.For(target=ast.Name(id=item, ctx=ast.Store()), iter=ast.Name(id=source, ctx=ast.Load()),
                   body=[count], orelse=[], type_comment=None)
    copied = ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())],
                        value=ast.Call(func=ast.Name(id="dict", ctx=ast.Load()),
                                       args=[ast.Name(id=source, ctx=ast.Load())], keywords=[]))
    made: list[ast.stmt] = [ast.Assign(targets=[ast.Name(id=source, ctx=ast.Store())], value=items)]
    if isinstance(items, (ast.Dict, ast.DictComp)):
        made.append(copied)
    elif isinstance(items, (ast.List, ast.ListComp, ast.Tuple, ast.GeneratorExp, ast.JoinedStr, ast.Constant)) or (
            isinstance(items, ast.Call) and isinstance(items.func, ast.Attribute) and items.func.attr in (
                "split", "join", "lower", "upper", "strip", "values", "keys")):
        made.append(loop)  # (not a mapping: its items are counted)
    else:
        mapping = ast.Call(func=ast.Name(id="isinstance", ctx=ast.Load()),
                           args=[ast.Name(id=source, ctx=ast.Load()), ast.Name(id="dict", ctx=ast.Load())], keywords=[])
        made.append(ast.If(test=mapping, body=[copied], orelse=[loop]))
    return [ast.copy_location(statement, at) for statement in made]


def _method(name: str, method: str, args: list, at: ast.AST) -> ast.Call:
    func = ast.Attribute(value=ast.Name(id=name, ctx=ast.Load()), attr=method, ctx=ast.Load())
    return ast.copy_location(ast.Call(func=func, args=args, keywords=[]), at)


def _fresh(default: ast.expr, at: ast.AST) -> ast.expr:
    return ast.copy_location(_copy(default), at)


def _copy(node: ast.expr) -> ast.expr:
    return copy.deepcopy(node)


def _replace(parents: dict, old: ast.AST, new: ast.AST) -> None:
    replace_child(parents[id(old)], old, new)


def _replace_statement(body: list[ast.stmt], old: ast.stmt, new: list[ast.stmt]) -> None:
    for block in blocks(body):
        for index, statement in enumerate(block):
            if statement is old:
                block[index:index + 1] = new
                return


def _insert_before(body: list[ast.stmt], at: ast.stmt, new: ast.stmt) -> None:
    for block in blocks(body):
        for index, statement in enumerate(block):
            if statement is at:
                block.insert(index, new)
                return


def _insert_after(body: list[ast.stmt], at: ast.stmt, new: list[ast.stmt]) -> None:
    for block in blocks(body):
        for index, statement in enumerate(block):
            if statement is at:
                block[index + 1:index + 1] = new
                return
