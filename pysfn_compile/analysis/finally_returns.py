"""Where a `return` that passes through a finally block holds a variable's list or dict.

    log = []
    try:
        ...
        return {"ok": True, "log": log}     # Python returns the list object itself,
    finally:
        log.append("done")                  # so the result shows "done"

The machine evaluates the return value first, a copy. Where the value places the variable at
a place known before the run (the whole value, under constant keys of dict displays, at a
position of list and tuple displays: `return ok, log`), the
finally block's in-place changes reach the result by writing the variable's value there
again after the block (lowering: statements.transform_try). Any other holding, or a finally
block that assigns the name anew, leaves the refusal as it was.
"""

from __future__ import annotations

import ast

from .ast_edits import SCOPES

Path = tuple  # constant str keys and list positions, outermost first; () is the whole value



def _through(node: ast.Try):
    """The nodes of the try's body, else and handlers (not of nested functions): what runs
    before its finally block."""
    stack = [*node.body, *node.orelse, *(s for h in node.handlers for s in h.body)]
    while stack:
        sub = stack.pop()
        if isinstance(sub, SCOPES):
            continue
        yield sub
        stack.extend(ast.iter_child_nodes(sub))


def returns_through(node: ast.Try) -> list[ast.Return]:
    """The returns with a value in the try's body, else and handlers (not in nested functions):
    each passes through its finally block."""
    found = [sub for sub in _through(node) if isinstance(sub, ast.Return) and sub.value is not None]
    return sorted(found, key=lambda r: (r.lineno, r.col_offset))


def places(value: ast.expr) -> tuple[dict[str, list[Path]], list[ast.expr]]:
    """({name: paths where `value` places that variable itself}, the subexpressions that are
    not such places, whose value may still hold one)."""
    placed: dict[str, list[Path]] = {}
    others: list[ast.expr] = []

    def visit(node: ast.expr, path: Path) -> None:
        if isinstance(node, ast.Name):
            placed.setdefault(node.id, []).append(path)
        elif isinstance(node, ast.Dict) and _unique_str_keys(node):
            for key, item in zip(node.keys, node.values, strict=True):
                visit(item, (*path, key.value))
        elif isinstance(node, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in node.elts):
            for position, item in enumerate(node.elts):
                visit(item, (*path, position))
        else:
            others.append(node)

    visit(value, ())
    return placed, others


def _unique_str_keys(node: ast.Dict) -> bool:
    keys = [k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None for k in node.keys]
    return None not in keys and len(set(keys)) == len(keys)


def rebound(body: list[ast.stmt]) -> frozenset:
    """The names a block assigns anew or deletes (after which the variable no longer names the
    object a pending return holds)."""
    names = set()
    for statement in body:
        for sub in ast.walk(statement):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                names.add(sub.id)
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                names.add(sub.name)
    return frozenset(names)


def rebound_on_the_way(node: ast.Try) -> frozenset:
    """The names the finally block, or an inner finally block a return passes through first,
    assigns anew: after it, the variable is no longer the object the pending return holds."""
    names = set(rebound(node.finalbody))
    for sub in _through(node):
        if isinstance(sub, ast.Try) and sub.finalbody:
            names |= rebound(sub.finalbody)
    return frozenset(names)


def mark_sites(node: ast.Try) -> None:
    """Where a return places a variable the finally block names (its result may need it
    written again), number every return through the block (`pysfn_site`, unique in the
    function): after the block, the site tells which return it was."""
    named = {sub.id for statement in node.finalbody for sub in ast.walk(statement) if isinstance(sub, ast.Name)}
    returns = returns_through(node)
    if any(named & places(ret.value)[0].keys() for ret in returns):
        for ret in returns:
            ret.pysfn_site = ret.lineno * 1000 + ret.col_offset

