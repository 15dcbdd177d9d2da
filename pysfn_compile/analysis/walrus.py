"""A walrus that a statement evaluates first, on a line of its own before it:

    if (n := len(rows)) > 100:          n = len(rows)
        ...                       ->    if n > 100:
                                            ...

    while (job := poll(id))["state"] != "DONE":       while True:
        sfn.sleep(10)                           ->        job = poll(id)
                                                          if not (job["state"] != "DONE"):
                                                              break
                                                          sfn.sleep(10)

Python's meaning exactly: the `:=` is the first thing the statement evaluates that does
anything (only names and constants before it, through comparisons, the first operand of
`and`/`or`, arithmetic, `not`, a list's items, a call's arguments, a subscript), so running it
just before changes no order; an `elif` test is hoisted into its `else`, where it runs; a `while` runs its test
again before each iteration (the rewrite does too, `continue` included), its `else:` where
the test fails, before the rewrite's `break` (left alone when that `else:` breaks or
continues the loop around it). Any other walrus is left as written (refused where lowered).
"""

from __future__ import annotations

import ast

from .ast_edits import replace_child


def rewrite(body: list[ast.stmt]) -> None:
    """Hoist, in place, the leading walrus of each statement of `body` (nested blocks and
    functions included)."""
    _block(body)


def _block(block: list[ast.stmt]) -> None:
    index = 0
    while index < len(block):
        statement = block[index]
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(statement, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                _block(inner)
        for handler in getattr(statement, "handlers", ()):
            _block(handler.body)
        if isinstance(statement, ast.While) and not _leaves_outer_loop(statement.orelse):
            hoisted = _hoist(statement, "test")
            if hoisted:
                # the `else:` runs where the test fails, then the loop ends (a break skips it)
                done = ast.Break()
                stop = ast.If(test=ast.UnaryOp(op=ast.Not(), operand=statement.test),
                              body=[*statement.orelse, done], orelse=[])
                statement.body = [*hoisted, stop, *statement.body]
                statement.test, statement.orelse = ast.Constant(value=True), []
                for node in (stop, stop.test, done, statement.test):
                    ast.copy_location(node, statement)
            index += 1
            continue
        field = {ast.If: "test", ast.Assign: "value", ast.Expr: "value", ast.Return: "value"}.get(type(statement))
        hoisted = _hoist(statement, field) if field else []
        block[index:index] = hoisted
        index += len(hoisted) + 1


def _leaves_outer_loop(block: list[ast.stmt]) -> bool:
    """A `break` or `continue` in a while's `else:` (not in a loop or function of its own): it
    acts on the loop around the while, which the `while True` rewrite would take for its own."""
    stack = list(block)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Break, ast.Continue)):
            return True
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            stack.extend(node.orelse)  # (its body's are its own)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def _hoist(statement: ast.stmt, field: str) -> list[ast.stmt]:
    """`target = value` for each walrus leading `statement.<field>`, which then reads the name."""
    out: list[ast.stmt] = []
    while True:
        expression = getattr(statement, field)
        if expression is None:
            return out
        path = _leading_walrus(expression)
        if path is None:
            return out
        walrus = path[-1]
        name = ast.copy_location(ast.Name(id=walrus.target.id, ctx=ast.Load()), walrus)
        if len(path) == 1:
            setattr(statement, field, name)
        else:
            replace_child(path[-2], walrus, name)
        assign = ast.Assign(targets=[ast.Name(id=walrus.target.id, ctx=ast.Store())], value=walrus.value)
        ast.copy_location(assign, walrus)
        out.append(ast.fix_missing_locations(assign))


def _leading_walrus(node: ast.expr) -> list | None:
    """The nodes from `node` down to the walrus it evaluates first, or None (what runs before
    it may only be names and constants, which do nothing)."""
    path = [node]
    while True:
        if isinstance(node, ast.NamedExpr):
            return path if isinstance(node.target, ast.Name) else None
        if isinstance(node, ast.BoolOp):
            parts = [node.values[0]]  # the others may not run
        elif isinstance(node, ast.Compare):
            parts = [node.left, node.comparators[0]]  # (a chain's later ones may not run)
        elif isinstance(node, ast.BinOp):
            parts = [node.left, node.right]
        elif isinstance(node, ast.UnaryOp):
            parts = [node.operand]
        elif isinstance(node, (ast.List, ast.Tuple)):
            parts = list(node.elts)
        elif isinstance(node, ast.Subscript):
            parts = [node.value, node.slice]
        elif isinstance(node, ast.Attribute):
            parts = [node.value]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            parts = list(node.args)  # (looking up a name does nothing)
        else:
            return None
        parts = [p for p in parts if not isinstance(p, (ast.Name, ast.Constant))][:1]
        if not parts or isinstance(parts[0], ast.Starred):
            return None
        node = parts[0]
        path.append(node)


