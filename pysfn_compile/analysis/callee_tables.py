"""A dict of callees used as a dispatch table, rewritten as the choice it is, before lowering:

    handlers = {"email": send_email, "sms": send_sms}
    handlers[kind](payload)    ->  (send_email(payload) if kind == "email" else
                                    send_sms(payload) if kind == "sms" else {}[kind])
    kind in handlers           ->  kind in {"email": None, "sms": None}

which a state machine runs as a Choice on `kind` and a Task per callee, as a person would write
it. Python's meaning exactly: `handlers[kind]` is evaluated before the arguments, and a missing
key raises KeyError(kind) without evaluating them (`{}[kind]`: the same lookup, the same
message); a dict matches a key by `==` for the hashable values JSON has (`1`, `1.0` and `True`
alike); the arguments are evaluated once, in the branch taken.

Only a table assigned once, by a statement of the function's own body (not inside a block, so
bound wherever it is read after), whose keys are distinct str or int constants and whose values
are callees, read nowhere but as `table[key](...)` with a key that only computes (evaluated once
per comparison) and as `key in table` / `key not in table`, is rewritten; any other use leaves it
as written (refused where lowered, with its hint).
"""

from __future__ import annotations

import ast
import copy

from .ast_edits import SCOPES, bound_names, computes_only, replace_child


def rewrite(body: list[ast.stmt], callees: set[str]) -> None:
    """Rewrite, in place, the dispatch tables of `body` (`callees`: the module-level functions
    run as Lambdas, not shadowed in the function)."""
    for position, statement in enumerate(body):
        table = _table(statement, callees)
        if table is None:
            continue
        name, entries = table
        uses = _uses(body, name, statement)
        if uses is None:
            continue  # (a table nothing reads is dropped: building it does nothing else)
        for parent, node in reversed(uses):  # inner ones first: an outer call copies its arguments
            replace_child(parent, node, ast.copy_location(_rewritten(node, entries), node))
        body[position] = ast.copy_location(ast.Pass(), statement)
        for node in body:
            ast.fix_missing_locations(node)


def _table(statement: ast.stmt, callees: set[str]) -> tuple[str, list] | None:
    """(name, [(key, callee)]) for `name = {key: callee, ...}`, else None."""
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name) and isinstance(statement.value, ast.Dict)
            and statement.value.keys):
        return None
    entries = []
    for key, value in zip(statement.value.keys, statement.value.values, strict=True):
        if not (isinstance(key, ast.Constant) and type(key.value) in (str, int)
                and isinstance(value, ast.Name) and value.id in callees):
            return None
        entries.append((key.value, value.id))
    if len({key for key, _ in entries}) != len(entries):
        return None
    return statement.targets[0].id, entries


def _uses(body: list[ast.stmt], name: str, assignment: ast.stmt) -> list | None:
    """[(parent, node)] for every read of `name` (a call through it or a membership test), or
    None where it is used another way, bound again, or read before or outside its assignment."""
    found: list = []
    after = False
    for statement in body:
        if statement is assignment:
            after = True
            continue
        if name in bound_names(statement):
            return None
        parents = {id(child): node for node in ast.walk(statement) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(statement):
            if not (isinstance(node, ast.Name) and node.id == name):
                continue
            if not after or _inside_scope(node, parents):
                return None
            use = _use(node, parents)
            if use is None:
                return None
            found.append(use)
    return found


def _inside_scope(node: ast.AST, parents: dict) -> bool:
    while id(node) in parents:
        node = parents[id(node)]
        if isinstance(node, SCOPES):
            return True
    return False


def _use(node: ast.Name, parents: dict) -> tuple | None:
    parent = parents.get(id(node))
    if isinstance(parent, ast.Subscript) and parent.value is node and computes_only(parent.slice):
        call = parents.get(id(parent))
        if isinstance(call, ast.Call) and call.func is parent:
            return parents.get(id(call)), call
        return None
    if isinstance(parent, ast.Compare) and len(parent.ops) == 1 and parent.comparators[0] is node \
            and isinstance(parent.ops[0], (ast.In, ast.NotIn)):
        return parents.get(id(parent)), parent
    return None


def _rewritten(node: ast.AST, entries: list) -> ast.expr:
    if isinstance(node, ast.Compare):
        keys = ast.Dict(keys=[ast.Constant(value=key) for key, _ in entries],
                        values=[ast.Constant(value=None) for _ in entries])
        return ast.Compare(left=node.left, ops=node.ops, comparators=[keys])
    key = node.func.slice
    chosen: ast.expr = ast.Subscript(value=ast.Dict(keys=[], values=[]), slice=copy.deepcopy(key), ctx=ast.Load())
    for value, callee in reversed(entries):
        call = ast.Call(func=ast.Name(id=callee, ctx=ast.Load()), args=copy.deepcopy(node.args),
                        keywords=copy.deepcopy(node.keywords))
        test = ast.Compare(left=copy.deepcopy(key), ops=[ast.Eq()], comparators=[ast.Constant(value=value)])
        chosen = ast.IfExp(test=test, body=call, orelse=chosen)
    return chosen
