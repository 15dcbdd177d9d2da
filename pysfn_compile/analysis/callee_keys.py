"""A callee as a sort or min/max key, rewritten as the Map of its calls that a list
comprehension calling it is (one item at a time, as Python runs it), before lowering:

    sorted(xs, key=score)            ->  [p[1] for p in sorted([[score(x), x] for x in xs],
                                                               key=lambda p: p[0])]
    max(xs, key=score)               ->  max([[score(x), x] for x in xs], key=lambda p: p[0])[1]
    min(xs, key=score, default=None) ->  min([[score(x), x] for x in xs], key=lambda p: p[0],
                                             default=[None, None])[1]

Exactly Python's meaning: `sorted` calls the key once per item, in order, before it compares
any (then compares the keys only, stably; `reverse=` keeps that); `min`/`max` call it once per
item in order too, but compare as they go, so a comparison that raises (keys of kinds Python
cannot order) would stop them before the later calls: they are rewritten only where the
callee's return annotation is `int`, `float`, `str` or `bool` (keys that always compare). An
empty `min`/`max` raises the same ValueError, or gives the default. The other arguments
(`reverse=`, `default=`) are evaluated before the calls in Python, after them here: only a
literal (a negative number too), or a parameter nothing deletes, is taken. Anything else is left as written (refused
where lowered, with its hint).
"""

from __future__ import annotations

import ast

from .ast_edits import bound_names
from .fresh_names import fresh_name

_ORDERED = frozenset({"int", "float", "str", "bool"})


def rewrite(body: list[ast.stmt], callees: dict[str, ast.FunctionDef], params: set[str]) -> None:
    """Rewrite in place the `sorted`/`min`/`max` calls of `body` whose key is a callee
    (`callees`: the module-level functions run as Lambdas; `params`: the function's)."""
    module = ast.Module(body=body, type_ignores=[])
    taken = {n.id for n in ast.walk(module) if isinstance(n, ast.Name)} | set(params) | set(callees)
    bound = bound_names(module)
    deleted = {t.id for n in ast.walk(module) if isinstance(n, ast.Delete) for t in n.targets
               if isinstance(t, ast.Name)}
    steady = set(params) - deleted - bound
    hidden = bound | set(params)
    _Rewriter({n: f for n, f in callees.items() if n not in hidden}, steady, hidden, taken).visit(module)


class _Rewriter(ast.NodeTransformer):
    def __init__(self, callees: dict, steady: set, bound: set, taken: set):
        self.callees, self.steady, self.bound, self.taken = callees, steady, bound, taken

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in ("sorted", "min", "max") or func.id in self.bound \
                or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            return node
        keywords = {k.arg: k.value for k in node.keywords}
        key = keywords.get("key")
        allowed = {"key", "reverse"} if func.id == "sorted" else {"key", "default"}
        if not isinstance(key, ast.Name) or key.id not in self.callees or set(keywords) - allowed \
                or None in keywords or not all(self._settled(v) for k, v in keywords.items() if k != "key"):
            return node
        if func.id != "sorted" and not _ordered(self.callees[key.id]):
            return node
        item, pair = fresh_name("x", self.taken), fresh_name("p", self.taken)
        pairs = ast.ListComp(
            elt=ast.List(elts=[ast.Call(func=ast.Name(id=key.id, ctx=ast.Load()), args=[_load(item)], keywords=[]),
                               _load(item)], ctx=ast.Load()),
            generators=[ast.comprehension(target=ast.Name(id=item, ctx=ast.Store()), iter=node.args[0], ifs=[],
                                          is_async=0)])
        by_key = ast.Lambda(args=_arguments(pair), body=_index(_load(pair), 0))
        rest = [ast.keyword(arg=k, value=v) for k, v in keywords.items() if k not in ("key", "default")]
        if "default" in keywords:
            rest.append(ast.keyword(arg="default", value=ast.List(
                elts=[ast.Constant(value=None), keywords["default"]], ctx=ast.Load())))
        ordered = ast.Call(func=ast.Name(id=func.id, ctx=ast.Load()), args=[pairs],
                           keywords=[ast.keyword(arg="key", value=by_key), *rest])
        if func.id == "sorted":
            out: ast.expr = ast.ListComp(elt=_index(_load(pair), 1), generators=[ast.comprehension(
                target=ast.Name(id=pair, ctx=ast.Store()), iter=ordered, ifs=[], is_async=0)])
        else:
            out = _index(ordered, 1)
        return ast.fix_missing_locations(ast.copy_location(out, node))  # the new nodes at the call's place

    def _settled(self, value: ast.expr) -> bool:
        """Evaluating it neither raises nor acts, whenever it is evaluated: a literal, a
        parameter nothing deletes or binds again."""
        if isinstance(value, ast.Constant):
            return True
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, (ast.USub, ast.UAdd)):  # default=-3
            return isinstance(value.operand, ast.Constant) and type(value.operand.value) in (int, float)
        return isinstance(value, ast.Name) and value.id in self.steady


def _ordered(function: ast.FunctionDef) -> bool:
    return isinstance(function.returns, ast.Name) and function.returns.id in _ORDERED


def _load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def _index(value: ast.expr, position: int) -> ast.Subscript:
    return ast.Subscript(value=value, slice=ast.Constant(value=position), ctx=ast.Load())


def _arguments(name: str) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=name)], vararg=None, kwonlyargs=[], kw_defaults=[],
                         kwarg=None, defaults=[])
