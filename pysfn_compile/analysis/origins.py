"""Where a value of unknown type comes from, for refusal messages (issue 10, §6).

A refusal that says "any JSON value" is only actionable if the user can see which annotation
is missing: `explain` names a variable of the refused expression whose type nobody declared,
and follows it back to its origin: an unannotated parameter, the result of a callee without a
return annotation, an item of such a value (a subscript, a `for` target, a comprehension
variable). `mixed_items` explains the other common surprise, a dict whose values have several
types because the workflow converts some of them in place (`row["qty"] = int(row["qty"])`).
It reads the syntax tree only.
"""

from __future__ import annotations

import ast

from .ast_edits import OPERATORS

_MAX_STEPS = 4


def explain(tree: ast.Module, node: ast.AST, unknown: list[str], callees: set[str]) -> str:
    """"`x` is any JSON value: it comes from parameter `x` (line 3), which has no annotation",
    for the first of `unknown` (names of unknown type) read in `node`, or ""."""
    function = _enclosing_function(tree, getattr(node, "lineno", 0))
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in unknown and function:
            origin = _origin(function, sub.id, callees, tree, 0)
            if origin:
                return f"`{sub.id}` is any JSON value: {origin}"
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in callees:
            defined = _module_function(tree, sub.func.id)
            if defined is not None and defined.returns is None:
                return (f"`{sub.func.id}(...)` is any JSON value: the callee `{sub.func.id}` (line {defined.lineno}) "
                        "has no return annotation")
    return ""


def mixed_items(tree: ast.Module, node: ast.AST) -> str:
    """"`row`'s values have several types: it is assigned `dict(zip(cols, values))` (line 16)
    and items of it at lines 19, 20", for the first `name[...]` read in `node` whose dict the
    workflow assigns items of, or "". A dict's values have one type for the compiler, whatever
    the key, so converting one key's value in place mixes them."""
    function = _enclosing_function(tree, getattr(node, "lineno", 0))
    if function is None:
        return ""
    for sub in ast.walk(node):
        read = _item_read(sub)
        if read is not None:
            name, via = read, ""
            if not _item_writes(function, name):  # `r` of `for r in rows`, rows.append(rec): rec's items
                name, via = _appended_record(function, name), f"`{name}` is an item of a list of "
            lines = sorted({target.lineno for target in _item_writes(function, name)}) if name else []
            if not lines:
                continue
            made = next((f"it is assigned `{_short(s.value)}` (line {s.lineno}) and "
                         for s in ast.walk(function) if _assigns(s, name)), "")
            where = ", ".join(str(line) for line in lines)
            via = f"{via}`{name}`, and " if via else ""
            return (f"{via}`{name}`'s values have several types: {made}items of it at "
                    f"line{'s' * (len(lines) > 1)} {where}")
    return ""


def _item_read(node: ast.AST) -> str | None:
    """`name` of `name[...]` or `name.get(...)` read in an expression, else None."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and isinstance(node.value, ast.Name):
        return node.value.id
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "pop") \
            and isinstance(node.func.value, ast.Name):
        return node.func.value.id
    return None


def _appended_record(function: ast.FunctionDef, name: str) -> str | None:
    """For `name` bound by `for name in rows` (or a comprehension over rows): the variable
    `rows.append(...)` appends, if one is, else None."""
    sources = {loop.iter.id for loop in ast.walk(function)
               if isinstance(loop, (ast.For, ast.comprehension)) and isinstance(loop.target, ast.Name)
               and loop.target.id == name and isinstance(loop.iter, ast.Name)}
    return next((call.args[0].id for call in ast.walk(function)
                 if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "append"
                 and isinstance(call.func.value, ast.Name) and call.func.value.id in sources
                 and len(call.args) == 1 and isinstance(call.args[0], ast.Name)), None)


def assignments(tree: ast.Module, node: ast.AST, name: str) -> str:
    """"line 6 assigns `total / n if n else 0`; line 9 assigns `0`": where the function that
    holds `node` assigns `name` (plain and augmented assignments), for a message about its type."""
    function = _enclosing_function(tree, getattr(node, "lineno", 0))
    if function is None:
        return ""
    found = []
    if any(arg.arg == name for arg in _parameters(function)):
        found.append((function.lineno, f"it is parameter `{name}` (line {function.lineno})"))
    for sub in ast.walk(function):
        if _assigns(sub, name):
            found.append((sub.lineno, f"line {sub.lineno} assigns `{_short(sub.value)}`"))
        elif isinstance(sub, ast.Assign) and any(_binds(t, name) for t in sub.targets):
            found.append((sub.lineno, f"line {sub.lineno} unpacks `{_short(sub.value)}` into it"))
        elif isinstance(sub, (ast.AugAssign, ast.AnnAssign)) and isinstance(sub.target, ast.Name) \
                and sub.target.id == name and sub.value is not None:
            text = f"assigns `{_short(sub.value)}`" if isinstance(sub, ast.AnnAssign) else \
                f"does `{name} {OPERATORS[type(sub.op)]}= {_short(sub.value)}`"
            found.append((sub.lineno, f"line {sub.lineno} {text}"))
    return "; ".join(text for _, text in sorted(found)[:4])


def _item_writes(function: ast.FunctionDef, name: str) -> list[ast.Subscript]:
    """The `name[...] = ...` and `name[...] += ...` targets in `function`."""
    targets = []
    for sub in ast.walk(function):
        found = sub.targets if isinstance(sub, ast.Assign) else [sub.target] if isinstance(sub, ast.AugAssign) else []
        targets += [t for t in found if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)
                    and t.value.id == name]
    return targets


def _enclosing_function(tree: ast.Module, line: int) -> ast.FunctionDef | None:
    best = None
    for sub in ast.walk(tree):
        if isinstance(sub, ast.FunctionDef) and sub.lineno <= line <= (sub.end_lineno or sub.lineno):
            if best is None or sub.lineno >= best.lineno:
                best = sub
    return best


def _module_function(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    return next((s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == name), None)


def _origin(function: ast.FunctionDef, name: str, callees: set[str], tree: ast.Module, steps: int) -> str:
    if steps > _MAX_STEPS:
        return ""
    for arg in _parameters(function):
        if arg.arg == name:
            if arg.annotation is None:
                return f"it comes from parameter `{name}` (line {arg.lineno}), which has no annotation"
            return ""
    for sub in ast.walk(function):
        if _assigns(sub, name):
            return _from_value(function, sub.value, sub.lineno, callees, tree, steps)
        if isinstance(sub, (ast.For, ast.comprehension)) and _binds(sub.target, name):
            source = sub.iter
            line = getattr(sub, "lineno", getattr(source, "lineno", 0))
            text = f"it is an item of `{_short(source)}` (line {line})"
            return text + _then(function, source, callees, tree, steps)
    return ""


def _from_value(function, value: ast.AST, line: int, callees: set[str], tree, steps: int) -> str:
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in callees:
        defined = _module_function(tree, value.func.id)
        if defined is not None and defined.returns is None:
            return (f"it is assigned the result of `{value.func.id}(...)` (line {line}), whose return type is "
                    "not annotated")
    return f"it is assigned `{_short(value)}` (line {line})" + _then(function, value, callees, tree, steps)


def _then(function, value: ast.AST, callees: set[str], tree, steps: int) -> str:
    """The origin of the variable a value is read from (`rec` in `rec["region"]`)."""
    root = value
    while isinstance(root, (ast.Subscript, ast.Attribute, ast.Call)):
        root = root.value if not isinstance(root, ast.Call) else root.func
        if isinstance(root, ast.Attribute):
            root = root.value
    if isinstance(root, ast.Name):
        more = _origin(function, root.id, callees, tree, steps + 1)
        if more:
            return "; " + more.replace("it ", f"`{root.id}` ", 1)
    return ""


def _parameters(function: ast.FunctionDef) -> list[ast.arg]:
    return [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]


def _assigns(node: ast.AST, name: str) -> bool:
    """`name = ...` (a target that is the name itself, not one it unpacks into)."""
    return isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)


def _binds(target: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _short(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= 40 else text[:39] + "…"
