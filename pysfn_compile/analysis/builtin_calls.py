"""Builtin calls that mean a construct the lowering has, rewritten as it before lowering:

    map(int, parts)              ->  (int(v) for v in parts)
    map(lambda r: r["id"], rows) ->  (r["id"] for r in rows)
    map(f, xs, ys)               ->  (f(v, v2) for v, v2 in zip(xs, ys))
    filter(None, xs)             ->  (v for v in xs if v)
    pow(a, b)                    ->  a ** b
    itemgetter(1), itemgetter("a", "b")  ->  lambda v: v[1], lambda v: (v["a"], v["b"])
    dict(sku=s, qty=1), Item(sku=s, qty=1)  ->  {"sku": s, "qty": 1}
    Item(row)                    ->  dict(row)
    a.keys() - b.keys()          ->  set(a.keys()) - set(b.keys())   (also &, |, ^, or a set beside)
    any(e for a in A if p for b in B)  ->  any(any(e for b in B) for a in A if p)   (all() alike)
    x in (e for v in vs)         ->  any(e == x for v in vs)   (x a name or a constant; `not in`: not any)

Exactly Python's meaning: a map object is a lazy, one-pass iterator like the generator, and
its function is a name or a lambda (evaluating it does nothing), so where and how often the
items are computed does not change; pow(a, b) is a ** b (the same special methods, the same
TypeError); any() and all() of a generator stop at the item that decides, and so does `in` of
one, comparing each item with `==` (CPython's search of an iterator, its identity test aside,
which JSON values never tell from equality), so the nested generators evaluate the same items
and iterables, in the same order, as the one with several `for`s (the lowering stops a
generator of one `for` at the deciding item); operator.itemgetter of constants is the lambda that indexes by them (its keys
are fixed when it is made, as the constants are); calling a TypedDict class makes a plain dict,
as dict() does (Python checks none of its keys or types), and dict() of keywords only is the
display of those keys, in order (a keyword cannot repeat). The function mapped is a builtin (`int`, `str`) or a lambda; a callee mapped
over a list is sfn.map's work, not rewritten. Only where the builtin is the builtin: a module-level name, a parameter or a local
of that name (`from pysfn_compile.sfn import map`) leaves the call alone. map with a function
of another kind (`str.strip`, a call) and pow(a, b, m) are left as written (refused where
lowered).
"""

from __future__ import annotations

import ast
import operator
import typing

from .ast_edits import bound_names
from .fresh_names import fresh_name


def rewrite(body: list[ast.stmt], objects: dict, params: set) -> None:
    """Rewrite in place the map(), pow() and itemgetter() calls of `body` (nested functions
    included); `objects`: the module's names, `params`: the function's parameters (names that
    are not the builtins here)."""
    module = ast.Module(body=body, type_ignores=[])
    shadowed = set(objects) | set(params)
    taken = shadowed | {n.id for n in ast.walk(module) if isinstance(n, ast.Name)} \
        | {a.arg for a in ast.walk(module) if isinstance(a, ast.arg)}
    local = set(params) | bound_names(module)
    getters = {name for name, obj in objects.items() if obj is operator.itemgetter and name not in local}
    modules = {name for name, obj in objects.items() if obj is operator and name not in local}
    records = {name: f"{obj.__module__}.{obj.__qualname__}" for name, obj in objects.items()
               if typing.is_typeddict(obj) and name not in local}
    _Rewriter(shadowed | local, taken, getters, modules, records).visit(module)


def _key_view(node: ast.expr) -> bool:
    """`d.keys()`."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "keys" \
        and not node.args and not node.keywords


class _Rewriter(ast.NodeTransformer):
    def __init__(self, hidden: set, taken: set, getters: set, modules: set, records: dict):
        self.hidden = hidden
        self.taken = taken
        self.getters = getters  # the names of operator.itemgetter
        self.modules = modules  # the names of the operator module
        self.records = records  # the names of TypedDict classes: their qualified names

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        """`after.keys() - before.keys()` (also `&`, `|`, `^`, or beside a set display): a dict's
        key view does set operations, giving a set, as `set(after) - set(before)` does."""
        self.generic_visit(node)
        if not isinstance(node.op, (ast.Sub, ast.BitAnd, ast.BitOr, ast.BitXor)) or "set" in self.hidden:
            return node
        sides = (node.left, node.right)
        if not all(_key_view(side) or self._set_valued(side) for side in sides) or not any(map(_key_view, sides)):
            return node
        node.left, node.right = (self._as_set(side) if _key_view(side) else side for side in sides)
        return node

    def _set_valued(self, node: ast.expr) -> bool:
        return isinstance(node, (ast.Set, ast.SetComp)) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "set")

    @staticmethod
    def _as_set(view: ast.expr) -> ast.expr:
        call = ast.Call(func=ast.Name(id="set", ctx=ast.Load()), args=[view], keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, view))

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and (func.id in self.records or func.id == "dict" and func.id not in self.hidden):
            return self._dict(node, func.id)
        if self._is_itemgetter(func) and node.args and not node.keywords \
                and all(isinstance(a, ast.Constant) for a in node.args):
            return self._itemgetter(node)
        if not isinstance(func, ast.Name) or func.id in self.hidden or node.keywords \
                or any(isinstance(a, ast.Starred) for a in node.args):
            return node
        if func.id == "pow" and len(node.args) == 2:
            return ast.copy_location(ast.BinOp(left=node.args[0], op=ast.Pow(), right=node.args[1]), node)
        if func.id == "map" and len(node.args) >= 2:
            return self._map(node)
        if func.id == "filter" and len(node.args) == 2:
            return self._filter(node)
        if func.id in ("any", "all") and len(node.args) == 1 and isinstance(node.args[0], ast.GeneratorExp) \
                and len(node.args[0].generators) > 1 and not any(g.is_async for g in node.args[0].generators):
            return self._nested(node, func.id, node.args[0])
        return node

    def _nested(self, call: ast.Call, name: str, generator: ast.GeneratorExp) -> ast.Call:
        """any(e for a in A if p for b in B) -> any(any(e for b in B) for a in A if p): the item
        that decides ends both searches, as it ends Python's one search."""
        inner = ast.copy_location(ast.GeneratorExp(elt=generator.elt, generators=generator.generators[1:]), generator)
        inner_call = ast.copy_location(ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[inner], keywords=[]),
                                       call)
        if len(generator.generators) > 2:
            inner_call = self._nested(inner_call, name, inner)
        outer = ast.copy_location(ast.GeneratorExp(elt=inner_call, generators=generator.generators[:1]), generator)
        return ast.fix_missing_locations(ast.copy_location(
            ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[outer], keywords=[]), call))

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        """`x in (e for v in vs)`: the search stops at the first item equal to x, as any() does."""
        self.generic_visit(node)
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.In, ast.NotIn)) or "any" in self.hidden \
                or not isinstance(node.comparators[0], ast.GeneratorExp) \
                or not isinstance(node.left, (ast.Name, ast.Constant)) \
                or any(g.is_async for g in node.comparators[0].generators):
            return node
        generator = node.comparators[0]
        equal = ast.copy_location(ast.Compare(left=generator.elt, ops=[ast.Eq()], comparators=[node.left]), node)
        searched = ast.copy_location(ast.GeneratorExp(elt=equal, generators=generator.generators), generator)
        call = self.visit_Call(ast.copy_location(
            ast.Call(func=ast.Name(id="any", ctx=ast.Load()), args=[searched], keywords=[]), node))
        if isinstance(node.ops[0], ast.NotIn):
            call = ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=call), node)
        return ast.fix_missing_locations(call)

    def _dict(self, node: ast.Call, written: str) -> ast.AST:
        """dict(k=v, ...) and Item(k=v, ...): the display; Item(...) otherwise: dict(...), named
        as written for the refusals of the forms dict() does not take here."""
        if not node.args and node.keywords and all(k.arg is not None for k in node.keywords):
            display = ast.Dict(keys=[ast.Constant(value=k.arg) for k in node.keywords],
                               values=[k.value for k in node.keywords])
            return ast.fix_missing_locations(ast.copy_location(display, node))
        if written == "dict" or "dict" in self.hidden:
            return node
        call = ast.copy_location(ast.Call(func=ast.Name(id="dict", ctx=ast.Load()), args=node.args,
                                          keywords=node.keywords), node)
        call.pysfn_written = written
        call.pysfn_qualified = self.records[written]  # as Python's TypeError names the class
        return ast.fix_missing_locations(call)

    def _is_itemgetter(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.getters
        return isinstance(func, ast.Attribute) and func.attr == "itemgetter" and isinstance(func.value, ast.Name) \
            and func.value.id in self.modules

    def _itemgetter(self, node: ast.Call) -> ast.AST:
        """itemgetter(k) -> lambda v: v[k]; itemgetter(a, b) -> lambda v: (v[a], v[b])."""
        name = fresh_name("v", self.taken)
        items = [ast.Subscript(value=ast.Name(id=name, ctx=ast.Load()), slice=key, ctx=ast.Load())
                 for key in node.args]
        body = items[0] if len(items) == 1 else ast.Tuple(elts=items, ctx=ast.Load())
        lam = ast.Lambda(args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=name)], vararg=None, kwonlyargs=[],
                                            kw_defaults=[], kwarg=None, defaults=[]), body=body)
        return ast.fix_missing_locations(ast.copy_location(lam, node))

    def _filter(self, node: ast.Call) -> ast.AST:
        """filter(None, xs): the truthy items; filter(f, xs): those f finds truthy."""
        function, iterable = node.args
        if isinstance(function, ast.Constant) and function.value is None:
            name = fresh_name("v", self.taken)
            test: ast.expr = ast.Name(id=name, ctx=ast.Load())
        else:
            applied = self._applied(function, 1)
            if applied is None:
                return node
            (name,), test = applied
        return _generator(node, "filter(...)", ast.Name(id=name, ctx=ast.Load()), ast.Name(id=name, ctx=ast.Store()),
                          iterable, [test])

    def _map(self, node: ast.Call) -> ast.AST:
        function, iterables = node.args[0], node.args[1:]
        if len(iterables) > 1 and "zip" in self.hidden:
            return node
        applied = self._applied(function, len(iterables))
        if applied is None:
            return node
        names, element = applied
        if len(iterables) == 1:
            return _generator(node, "map(...)", element, ast.Name(id=names[0], ctx=ast.Store()), iterables[0], [])
        target = ast.Tuple(elts=[ast.Name(id=n, ctx=ast.Store()) for n in names], ctx=ast.Store())
        source = ast.Call(func=ast.Name(id="zip", ctx=ast.Load()), args=list(iterables), keywords=[])
        return _generator(node, "map(...)", element, target, source, [])

    def _applied(self, function: ast.expr, count: int) -> tuple | None:
        """(parameter names, the function applied to them) for a lambda of `count` plain
        parameters (its own names and body) or a builtin (fresh names, a call); else None."""
        if isinstance(function, ast.Lambda):
            args = function.args
            if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or args.defaults \
                    or len(args.args) != count:
                return None
            return [a.arg for a in args.args], function.body
        if isinstance(function, ast.Name) and function.id not in self.hidden:  # a builtin (a callee: not here)
            names = [fresh_name("v", self.taken) for _ in range(count)]
            return names, ast.Call(func=ast.Name(id=function.id, ctx=ast.Load()),
                                   args=[ast.Name(id=n, ctx=ast.Load()) for n in names], keywords=[])
        return None


def _generator(call: ast.Call, written: str, element: ast.expr, target: ast.expr, source: ast.expr,
               tests: list) -> ast.GeneratorExp:
    """`(element for target in source if tests)` where `call` stood (`written`: what messages call it)."""
    generator = ast.GeneratorExp(elt=element, generators=[
        ast.comprehension(target=target, iter=source, ifs=tests, is_async=0)])
    ast.copy_location(generator, call)
    generator.pysfn_written = written
    return ast.fix_missing_locations(generator)
