"""Edits of a function's syntax tree that the rewrites before lowering share (walrus,
inline_functions, plain_collections, builtin_calls, callee_keys): walking its blocks of
statements, putting one node in the place of another, telling an expression that may be
evaluated twice, the names a tree binds, the reads that are a nested scope's."""

from __future__ import annotations

import ast
import sys

# the nodes with a scope of their own, whose names are not the function's
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

# the binary operators as Python writes them
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
             ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^",
             ast.BitAnd: "&", ast.MatMult: "@"}


def blocks(body: list[ast.stmt]):
    """`body` and every block of statements inside it (not inside nested functions or classes),
    each the list itself: a rewrite inserts into it in place."""
    yield body
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(statement, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                yield from blocks(inner)
        for handler in getattr(statement, "handlers", ()):
            yield from blocks(handler.body)


def replace_child(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    """Put `new` where `old` is among `parent`'s fields (a field or an item of a list field)."""
    for field, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
            return
        if isinstance(value, list):
            for position, item in enumerate(value):
                if item is old:
                    value[position] = new
                    return


_PURE_FUNCTIONS = frozenset({"str", "int", "float", "len", "abs", "min", "max", "bool", "repr", "round"})
_PURE_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "title", "casefold", "capitalize", "get"})
_KEY_PARTS = (ast.Name, ast.Constant, ast.Subscript, ast.Attribute, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp,
              ast.IfExp, ast.JoinedStr, ast.FormattedValue, ast.Call, ast.keyword, ast.Slice, ast.Tuple,
              ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def computes_only(key: ast.expr) -> bool:
    """A key that may be evaluated twice to the same effect as once: names, constants,
    operators, subscripts, f-strings and the builtins and str methods that only compute
    (`str(x % 3)`, `e["user"].lower()`); no callee, helper, or method that changes anything.
    (If it raises, it raises the first time, as Python's one evaluation does.)"""
    for node in ast.walk(key):
        if not isinstance(node, _KEY_PARTS):
            return False
        if isinstance(node, ast.Call) and not (
                (isinstance(node.func, ast.Name) and node.func.id in _PURE_FUNCTIONS)
                or (isinstance(node.func, ast.Attribute) and node.func.attr in _PURE_METHODS)):
            return False
    return True


def bound_names(tree: ast.AST) -> set[str]:
    """The names `tree` binds anywhere in it (assigned, parameters, defs and classes): where
    they are in scope, a builtin or module-level function of that name is not the one meant."""
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} \
        | {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)} \
        | {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def binders(name: str, trees: list) -> list[ast.AST]:
    """The nodes of `trees` that bind `name` or unbind it: the statement or expression holding
    a Name stored or deleted (an Assign, a For, a comprehension, `del`), an `except ... as`, a
    match capture, an import."""
    found: list[ast.AST] = []
    for tree in trees:
        for node in ast.walk(tree):
            if any(isinstance(child, ast.Name) and child.id == name and isinstance(child.ctx, (ast.Store, ast.Del))
                   for child in ast.iter_child_nodes(node)):
                found.append(node)
            elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name == name:
                found.append(node)
            elif isinstance(node, ast.MatchMapping) and node.rest == name:
                found.append(node)
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                    (alias.asname or alias.name.split(".")[0]) == name for alias in node.names):
                found.append(node)
    return found


def may_rebind(name: str, trees: list, function: list) -> bool:
    """Whether running `trees` may bind `name` to another value or unbind it (binders), or a
    nested function of `function` may (it declares the name nonlocal or global): a loop over
    the list `name` holds walks that list, not the name's value of the moment, where one does."""
    return bool(binders(name, trees)) or any(isinstance(node, (ast.Nonlocal, ast.Global)) and name in node.names
                                             for statement in function for node in ast.walk(statement))


def root_name(node: ast.AST) -> str | None:
    """The name an access path starts from, through subscripts, attributes and calls
    (`log.handlers[0].flush` and `cfg.get("x").strip()`: log, cfg), or None."""
    while isinstance(node, (ast.Subscript, ast.Attribute, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def short_text(text: str, limit: int = 50) -> str:
    """Source text for a message: one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def enclosed_reads(body: list) -> frozenset:
    """The ids of the names `body` reads from inside a scope of their own (a lambda, a generator
    expression, and before Python 3.12 a list, set or dict comprehension, all but the first
    iterable): reading an unassigned variable there is Python's NameError for a free variable,
    not UnboundLocalError."""
    kinds = (ast.Lambda, ast.GeneratorExp) + ((ast.ListComp, ast.SetComp, ast.DictComp)
                                              if sys.version_info < (3, 12) else ())
    found: set = set()
    for statement in body:
        for node in ast.walk(statement):
            if not isinstance(node, kinds):
                continue
            first = node.generators[0].iter if not isinstance(node, ast.Lambda) else None
            inside = [node.body] if isinstance(node, ast.Lambda) else [
                child for child in ast.iter_child_nodes(node) if child is not node.generators[0]] + [
                part for part in ast.iter_child_nodes(node.generators[0]) if part is not first]
            for part in inside:
                found.update(id(n) for n in ast.walk(part) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
    return frozenset(found)


def mark_generator_bodies(body: list[ast.stmt]) -> None:
    """Mark (`pysfn_in_generator`) what a generator expression evaluates as it runs (its element,
    conditions and later iterables): a StopIteration raised there leaves the generator as
    Python's RuntimeError, 'generator raised StopIteration' (PEP 479)."""
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.GeneratorExp):
            parts = [node.elt, *(test for g in node.generators for test in g.ifs),
                     *(g.iter for g in node.generators[1:])]
            for part in parts:
                for inner in ast.walk(part):
                    inner.pysfn_in_generator = True
