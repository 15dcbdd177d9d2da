"""Where a function uses Python sets, and whether each use is one the machine computes exactly.

A set becomes a JSON array of distinct items in the order they were first added (JSON has no
sets). That array tells everything Python's set tells about membership, size and contents, but
not Python's iteration order, which follows hashes (and, for str, PYTHONHASHSEED). So a set is
accepted only where its order cannot show:

    x in s, x not in s, s == t, s != t, s <= t (and <, >=, >)     len(s), bool(s), if s:, not s
    s.add(x), .discard, .remove, .update, .clear, .copy, .union, .intersection, .difference,
    .symmetric_difference, .issubset, .issuperset, .isdisjoint    s | t, s & t, s - t, s ^ t
    sorted(s) and min(s) / max(s) without key= (ties under a key would come in hash order)
    set(s), s = ..., s |= t (and &=, -=, ^=)

Anywhere else (iterating it, printing it, returning it, storing it in a list or dict, passing
it to a function) the use is refused with a hint: `sorted(s)` is the list to use there. A
variable holds a set if an assignment gives it one; it must hold a set on every assignment.

`misuses` maps the node of each refused use (an expression, looked up by the visitor before it
lowers the node) to its message and hint. Each is computable: with compute_in_lambda the
statement runs as Python in the Lambda, and so (`whole_variables`) does each assignment of a set
variable that such a use reads, so that the set lives in Python only (a set leaving the Lambda
is refused there, with the hint to make it sorted(...)).
"""

from __future__ import annotations

import ast

import attrs

SET_METHODS = frozenset({"add", "discard", "remove", "update", "clear", "copy", "union", "intersection",
                         "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint"})
SET_RESULTS = frozenset({"copy", "union", "intersection", "difference", "symmetric_difference"})
_SET_OPS = (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)
_COMPARES = (ast.Eq, ast.NotEq, ast.LtE, ast.Lt, ast.GtE, ast.Gt)
_SCOPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)
ORDER_HINT = "use sorted(s): a list of the set's items in a fixed order"


@attrs.frozen
class SetUses:
    names: frozenset  # the variables that hold sets
    misuses: dict  # id(expression node) -> (the node, message, hint)

    def misuse(self, node: ast.AST) -> tuple[str, str] | None:
        """(message, hint) if `node` is a use of a set the machine cannot compute."""
        found = self.misuses.get(id(node))
        return found[1:] if found is not None and found[0] is node else None


def set_uses(body: list[ast.stmt], shadowed: set, params: set, whole_variables: bool = False,
             module_sets: frozenset = frozenset()) -> SetUses:
    """The set variables of a function body (nested functions and lambdas included) and the
    uses of sets the machine cannot compute; `shadowed`: names that hide the builtin `set`;
    `whole_variables`: also the assignments of a variable used so (compute_in_lambda);
    `module_sets`: the module-level sets the body reads (constants)."""
    module = ast.Module(body=body, type_ignores=[])
    parents: dict = {}
    for node in ast.walk(module):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    builtin = "set" not in shadowed
    bindings = list(_assignments(module))
    names = _set_names(bindings, builtin, params, parents) | set(module_sets)
    misuses: dict = {}

    def is_set(node: ast.AST) -> bool:
        return _is_set(node, names, builtin, parents)

    for node, name, other in _mixed_bindings(bindings, names, builtin, parents):
        misuses[id(node)] = (node, f"'{name}' holds a set here and {other}: a variable that holds a set must "
                             "hold one on every assignment", "use another name for the other value")
    for node in ast.walk(module):
        if isinstance(node, ast.expr) and id(node) not in misuses and is_set(node):
            problem = _misuse(node, parents.get(node), parents, is_set, names)
            if problem is not None:
                misuses[id(node)] = (node, *problem)
    if whole_variables:
        misused = {}
        for node, _, _ in list(misuses.values()):
            if isinstance(node, ast.Name) and node.id in names:
                misused.setdefault(node.id, node.lineno)
        for name, value, _ in bindings:
            if name in misused and value is not None and not isinstance(value, ast.AugAssign) \
                    and id(value) not in misuses:
                misuses[id(value)] = (value, f"'{name}' is a set that line {misused[name]} uses where its order "
                                             "would show", ORDER_HINT)
    return SetUses(frozenset(names), misuses)


def _is_set(node: ast.AST, names: set, builtin: bool, parents: dict) -> bool:
    """Whether `node` evaluates to a set (syntactically: a set display, set(...), a set
    variable not rebound by an enclosing comprehension or lambda, a set operation)."""
    if isinstance(node, (ast.Set, ast.SetComp)):
        return True
    if isinstance(node, ast.Name):
        return isinstance(node.ctx, ast.Load) and node.id in names and not _rebound(node, parents)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return builtin and func.id == "set" and not _rebound(func, parents)
        return isinstance(func, ast.Attribute) and func.attr in SET_RESULTS \
            and _is_set(func.value, names, builtin, parents)
    if isinstance(node, ast.BinOp) and isinstance(node.op, _SET_OPS):
        return _is_set(node.left, names, builtin, parents)
    if isinstance(node, ast.IfExp):
        return _is_set(node.body, names, builtin, parents) and _is_set(node.orelse, names, builtin, parents)
    return False


def _rebound(name: ast.Name, parents: dict) -> bool:
    """Whether a comprehension or lambda around `name` binds that name itself."""
    node = parents.get(name)
    while node is not None:
        if isinstance(node, ast.Lambda):
            if name.id in {a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]}:
                return True
        elif isinstance(node, _SCOPES):
            for generator in node.generators:
                if any(isinstance(t, ast.Name) and t.id == name.id for t in ast.walk(generator.target)):
                    return True
        node = parents.get(node)
    return False


def _assignments(module: ast.Module):
    """(target name, value or None, the binding node) for every binding of a name."""
    for node in ast.walk(module):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield target.id, node.value, node
                else:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                            yield sub.id, None, node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            yield node.target.id, node.value, node
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            yield node.target.id, node, node  # s |= t keeps a set a set; x += 1 does not
        elif isinstance(node, ast.For):  # (a comprehension's targets are its own: _rebound)
            for sub in ast.walk(node.target):
                if isinstance(sub, ast.Name):
                    yield sub.id, None, node
        elif isinstance(node, ast.NamedExpr):
            yield node.target.id, None, node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, None, node
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                yield arg.arg, None, node
        elif isinstance(node, ast.ExceptHandler) and node.name:
            yield node.name, None, node
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    for sub in ast.walk(item.optional_vars):
                        if isinstance(sub, ast.Name):
                            yield sub.id, None, node


def _set_names(bindings: list, builtin: bool, params: set, parents: dict) -> set:
    """The names some assignment gives a set (to a fixed point: `t = s` after `s = set()`)."""
    names: set = set()
    while True:
        found = {name for name, value, _ in bindings
                 if value is not None and not isinstance(value, ast.AugAssign) and name not in params
                 and _is_set(value, names, builtin, parents)}
        if found <= names:
            return names
        names |= found


def _mixed_bindings(bindings: list, names: set, builtin: bool, parents: dict):
    """(node to refuse, name, what else it holds) where a set variable is also bound otherwise."""
    by_name: dict = {}
    for name, value, node in bindings:
        if name in names:
            by_name.setdefault(name, []).append((value, node))
    for name, bindings in by_name.items():
        sets, others = [], []
        for value, node in bindings:
            if isinstance(value, ast.AugAssign):
                fits = isinstance(value.op, _SET_OPS) and _is_set(value.value, names, builtin, parents)
                (sets if fits else others).append((value.value, node))
            elif value is not None and _is_set(value, names, builtin, parents):
                sets.append((value, node))
            else:
                others.append((value, node))
        if not others:
            continue
        first = others[0][1]
        other = f"something else on line {first.lineno}"
        for value, _ in sets:
            yield value, name, other
        for value, node in others:
            if value is not None:
                yield value, name, f"this on line {node.lineno}"


def _misuse(node: ast.expr, parent: ast.AST | None, parents: dict, is_set, names: set) -> tuple[str, str] | None:
    """None where the parent uses the set in a way the machine computes exactly, else why not."""
    if isinstance(parent, ast.Compare) and len(parent.ops) == 1:
        op = parent.ops[0]
        if isinstance(op, (ast.In, ast.NotIn)) and node is parent.comparators[0]:
            return None
        if isinstance(op, _COMPARES) and is_set(parent.left) and is_set(parent.comparators[0]):
            return None
    if isinstance(parent, ast.Call):
        func = parent.func
        keywords = {k.arg for k in parent.keywords}
        if isinstance(func, ast.Name) and parent.args == [node]:
            if func.id in ("len", "bool", "set") and not keywords:
                return None
            if func.id in ("sorted", "min", "max"):
                if "key" in keywords:
                    return (f"{func.id}() of a set with key=: items whose keys tie would come in Python's hash "
                            "order, which a state machine cannot reproduce",
                            f"sort the set first: {func.id}(sorted(s), key=...)")
                if keywords <= ({"reverse"} if func.id == "sorted" else {"default"}):
                    return None
        if isinstance(func, ast.Attribute) and func.attr in SET_METHODS and is_set(func.value) \
                and node in parent.args:
            return None  # an argument of a set's method (s.update(t), s.issubset(t))
    if isinstance(parent, ast.Attribute) and parent.value is node:
        grand = parents.get(parent)
        if parent.attr in SET_METHODS and isinstance(grand, ast.Call) and grand.func is parent:
            return None
        return (f"a set has no method or attribute '{parent.attr}' the machine supports",
                "sets support add, discard, remove, update, clear, copy, union, intersection, difference, "
                "symmetric_difference, issubset, issuperset and isdisjoint")
    if _in_test(node, parents):
        return None
    if isinstance(parent, ast.IfExp) and node is not parent.test and is_set(parent):
        return None  # (the conditional expression is a set: its own use is checked)
    if isinstance(parent, ast.IfExp) and node is not parent.test:
        return ("a conditional expression that is a set on one side only: a variable that holds a set must hold "
                "one on every assignment", "make both sides sets (set() in place of None or [])")
    if isinstance(parent, ast.Assign) and node is parent.value \
            and all(isinstance(t, ast.Name) and t.id in names for t in parent.targets):
        return None
    if isinstance(parent, ast.AnnAssign) and node is parent.value and isinstance(parent.target, ast.Name) \
            and parent.target.id in names:
        return None
    if isinstance(parent, ast.AugAssign) and isinstance(parent.op, _SET_OPS) and is_set(parent.value) \
            and isinstance(parent.target, ast.Name) and parent.target.id in names:
        return None
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, _SET_OPS) and is_set(parent.left) \
            and is_set(parent.right):
        return None
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and node is parent.value:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        named = [t.id for t in targets if isinstance(t, ast.Name) and t.id not in names]
        if named:
            return (f"'{named[0]}' is a parameter, which holds the JSON value it was called with; a set needs a "
                    "variable of its own", f"assign the set to a new name, e.g. {named[0]}_set = ...")
    if isinstance(parent, (ast.For, ast.comprehension)) and node is parent.iter:
        return ("iterating over a set: Python walks it in hash order, which a state machine cannot reproduce",
                f"iterate over sorted({_short(node)}) instead")
    if isinstance(parent, ast.Return):
        return ("a set is returned: a state machine's values are JSON, which has no sets", ORDER_HINT)
    return ("a set used here: a state machine holds JSON, which has no sets, and Python's order of a set's items "
            "(hash order) cannot be reproduced", ORDER_HINT + "; sets work with in, len, add/discard/remove/"
            "update, |, &, -, ^, ==, <=, sorted() and min()/max()")


def _in_test(node: ast.AST, parents: dict) -> bool:
    """Whether the value of `node` is used only as a truth value (a test, `not`, or an operand
    of `and`/`or` whose value is)."""
    parent = parents.get(node)
    if isinstance(parent, (ast.If, ast.While, ast.IfExp)) and node is parent.test:
        return True
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return True
    if isinstance(parent, ast.Assert) and node is parent.test:
        return True
    if isinstance(parent, ast.comprehension) and node in parent.ifs:
        return True
    return isinstance(parent, ast.BoolOp) and _in_test(parent, parents)


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 30 else "s"
