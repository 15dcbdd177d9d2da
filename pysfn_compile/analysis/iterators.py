"""Names bound to a one-pass iterator that the function may read more than once.

    pairs = zip(names, scores)
    best = max(pairs)          # consumes it
    rest = list(pairs)         # Python: [] (the iterator is spent)

The machine holds a generator expression, zip(), map(), filter(), enumerate(), reversed() or
iter() as the list of its items, which reads the same every time: exact where the name is read
once per binding, so a name read twice, or once inside a loop its binding is not in, is
refused (make it a list: `pairs = list(zip(...))`).
"""

from __future__ import annotations

import ast

ONE_PASS = frozenset({"zip", "map", "filter", "enumerate", "reversed", "iter"})
_LOOPS = (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda,
          ast.FunctionDef)


def one_pass(value: ast.AST, shadowed: set) -> bool:
    """Whether `value` makes a one-pass iterator (the builtins only, not a name hiding them)."""
    if isinstance(value, ast.GeneratorExp):
        return True
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ONE_PASS \
        and value.func.id not in shadowed


def reread_iterators(body: list[ast.stmt], shadowed: set) -> frozenset:
    """The names bound to a one-pass iterator that may be read again after it is spent."""
    module = ast.Module(body=body, type_ignores=[])
    parents: dict = {}
    bindings: dict = {}  # name -> its one-pass bindings
    loads: dict = {}  # name -> where it is read
    for node in ast.walk(module):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else \
            node.target if isinstance(node, ast.AnnAssign) and node.value is not None else None
        if isinstance(target, ast.Name) and one_pass(node.value, shadowed):
            bindings.setdefault(target.id, []).append(node)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loads.setdefault(node.id, []).append(node)
    return frozenset(name for name, assigns in bindings.items()
                     if len(loads.get(name, ())) > 1 or (name in loads and any(
                         not _loops_of(loads[name][0], parents) <= _loops_of(a, parents) for a in assigns)))


def _loops_of(node: ast.AST, parents: dict) -> set:
    """The loops (and functions, comprehensions) that may run `node` more than once, by
    identity: not a `for`'s iterable, nor a comprehension's first (both run once, before)."""
    out = set()
    while node in parents:
        child, node = node, parents[node]
        if isinstance(node, ast.For) and child is node.iter:
            continue
        if isinstance(node, ast.comprehension) and child is node.iter:
            scope = parents.get(node)
            if scope is not None and scope.generators[0] is node:
                node = scope  # evaluated in the enclosing scope
                continue
        if isinstance(node, _LOOPS):
            out.add(id(node))
    return out
