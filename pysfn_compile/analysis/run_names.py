"""The names a run of statements reads, binds and changes in place, from its syntax alone
(compute_in_lambda, lowering/lambda_compute.py: a run's parameters are the names it may read
before it sets them, its results the names it sets or changes that are read elsewhere)."""

from __future__ import annotations

import ast

from .effects import MUTATING_METHODS


def stored(run: list) -> list:
    """Names the run binds in the function's scope, in order (comprehension and lambda
    variables are their own scope; an `except ... as e` name is unbound after its block)."""
    out: list = []
    for statement in run:
        for sub in _walk_scope(statement):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                out.append(sub.id)
            elif isinstance(sub, ast.NamedExpr):
                out.append(sub.target.id)
    return list(dict.fromkeys(out))


def _walk_scope(node: ast.AST):
    """ast.walk without the insides of comprehensions and lambdas."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(current))))


def free_loads(nodes: list) -> list:
    """Names the nodes read from the enclosing scope, in order."""
    out: list = []

    def visit(node: ast.AST, bound: frozenset) -> None:
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Store) and node.id not in bound:
                out.append(node.id)
            return
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id not in bound:
            out.append(node.target.id)
        if isinstance(node, ast.Lambda):
            params = {a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]}
            for default in [*node.args.defaults, *[d for d in node.args.kw_defaults if d is not None]]:
                visit(default, bound)
            visit(node.body, bound | params)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            inner = bound
            for index, generator in enumerate(node.generators):
                visit(generator.iter, bound if index == 0 else inner)
                inner = inner | {n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name)}
                for test in generator.ifs:
                    visit(test, inner)
            for part in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):
                visit(part, inner)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, bound)

    for node in nodes:
        visit(node, frozenset())
    return list(dict.fromkeys(out))


def read_before_set(run: list, certain: set | None = None) -> set:
    """Names the run may read before it has certainly set them (its inputs); `certain` (the
    names certainly set so far) grows as the statements go."""
    certain = set() if certain is None else certain
    reads: set = set()

    def loads(*nodes) -> set:
        return set(free_loads([n for n in nodes if n is not None])) - certain

    def targets(node) -> set:
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}

    for statement in run:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            reads |= loads(statement.value)
            for target in statement.targets if isinstance(statement, ast.Assign) else [statement.target]:
                reads |= loads(target)
        elif isinstance(statement, ast.For):
            reads |= loads(statement.iter)
            reads |= read_before_set(statement.body, certain | targets(statement.target))
            reads |= read_before_set(statement.orelse, set(certain))
        elif isinstance(statement, ast.While):
            reads |= loads(statement.test)
            reads |= read_before_set(statement.body, set(certain)) | read_before_set(statement.orelse, set(certain))
        elif isinstance(statement, ast.If):
            reads |= loads(statement.test)
            reads |= read_before_set(statement.body, set(certain)) | read_before_set(statement.orelse, set(certain))
        elif isinstance(statement, ast.Try):
            reads |= read_before_set(statement.body + statement.orelse, set(certain))
            for handler in statement.handlers:
                reads |= loads(handler.type)
                reads |= read_before_set(handler.body, certain | ({handler.name} if handler.name else set()))
            reads |= read_before_set(statement.finalbody, set(certain))
        else:
            reads |= loads(statement)
        certain |= definitely_set([statement])[0]
    return reads


def definitely_set(statements: list) -> tuple[set, bool]:
    """(names certainly bound after the statements, whether control falls through)."""
    out: set = set()
    for statement in statements:
        if isinstance(statement, ast.Raise):
            return out, False
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                out |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                        and not _inside_subscript(target, n)}
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)) and isinstance(statement.target, ast.Name) \
                and getattr(statement, "value", None) is not None:
            out.add(statement.target.id)
        elif isinstance(statement, ast.If):
            body, body_falls = definitely_set(statement.body)
            other, other_falls = definitely_set(statement.orelse)
            if not body_falls and not other_falls:
                return out, False
            out |= (body & other) if body_falls and other_falls else (body if body_falls else other)
        elif isinstance(statement, ast.Try):
            body, falls = definitely_set(statement.body + statement.orelse)
            paths = [body] if falls else []
            for handler in statement.handlers:
                names, handler_falls = definitely_set(handler.body)
                if handler_falls:
                    paths.append(names)
            final, final_falls = definitely_set(statement.finalbody)
            if not paths or not final_falls:
                return out | final, False
            out |= set.intersection(*paths) | final
    return out, True


def _inside_subscript(target: ast.AST, name: ast.Name) -> bool:
    for sub in ast.walk(target):
        if isinstance(sub, (ast.Subscript, ast.Attribute)) and any(n is name for n in ast.walk(sub)):
            return True
    return False


def all_loads(node: ast.AST) -> list:
    out = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Store):
            out.append(sub.id)
        elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Name):
            out.append(sub.target.id)
    return out


def mutated_roots(run: list, inputs: set) -> dict:
    """The inputs the run may change in place ({name: depth of the item changed}), following
    names bound to them inside the run (row = rows[0]; row["k"] = 1 changes rows)."""
    direct: dict = {}
    derived: dict = {}  # name bound in the run -> the names its value may come from
    for statement in run:
        for sub in ast.walk(statement):
            root, depth = None, 0
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in MUTATING_METHODS:
                root, depth = root_and_depth(sub.func.value)
            elif isinstance(sub, (ast.Assign, ast.AugAssign, ast.Delete)):
                for target in (sub.targets if isinstance(sub, (ast.Assign, ast.Delete)) else [sub.target]):
                    if isinstance(target, ast.Subscript):
                        root, depth = root_and_depth(target.value)
                        if root:
                            direct[root] = max(direct.get(root, 0), depth)
                if isinstance(sub, (ast.Assign, ast.AugAssign)):
                    targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                    sources = set() if _immutable(sub.value) else \
                        {n.id for n in ast.walk(sub.value) if isinstance(n, ast.Name)}
                    for target in targets:
                        for name in (n.id for n in ast.walk(target) if isinstance(n, ast.Name)):
                            derived.setdefault(name, set()).update(sources)
                root = None
            elif isinstance(sub, ast.For):
                sources = {n.id for n in ast.walk(sub.iter) if isinstance(n, ast.Name)}
                for name in (n.id for n in ast.walk(sub.target) if isinstance(n, ast.Name)):
                    derived.setdefault(name, set()).update(sources)
            if root:
                direct[root] = max(direct.get(root, 0), depth)
    out: dict = {}
    for name, depth in direct.items():
        seen, stack = set(), [(name, depth)]
        while stack:
            current, level = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            if current in inputs:
                out[current] = max(out.get(current, 0), level)
            for source in derived.get(current, ()):
                stack.append((source, level + 1))
    return out


_IMMUTABLE_CALLS = frozenset({"len", "str", "int", "float", "bool", "abs", "repr", "ord", "chr", "hash", "round"})
_NUMERIC_OPS = (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift, ast.RShift)


def _immutable(value: ast.AST) -> bool:
    """Whether `value` is certainly a new number, str or bool (no list or dict another name
    holds): `by_role.get(role, 0) + 1`, `f"{x}"`, `a < b`, `len(xs)`. Only a value that may be
    a list or dict makes the names it reads share with the one it is assigned to."""
    if isinstance(value, (ast.Constant, ast.JoinedStr, ast.Compare)):
        return True
    if isinstance(value, ast.UnaryOp):
        return isinstance(value.op, (ast.Not, ast.USub)) or _immutable(value.operand)
    if isinstance(value, ast.BinOp):
        if isinstance(value.op, _NUMERIC_OPS):
            return True  # numbers, or a str % x, or TypeError (a set difference holds only hashables)
        # x + 1 is a number or a TypeError; not x * 2, which repeats a list's items ([row] * 2)
        return isinstance(value.op, ast.Add) and any(
            isinstance(side, ast.Constant) and type(side.value) in (int, float) for side in (value.left, value.right))
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return value.func.id in _IMMUTABLE_CALLS
    return False


def root_and_depth(node: ast.AST) -> tuple:
    depth = 0
    while isinstance(node, ast.Subscript):
        node = node.value
        depth += 1
    return (node.id, depth) if isinstance(node, ast.Name) else (None, 0)


__all__ = ["all_loads", "definitely_set", "free_loads", "mutated_roots", "read_before_set", "root_and_depth",
           "stored"]
