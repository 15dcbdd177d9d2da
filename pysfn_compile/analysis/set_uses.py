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

Anywhere else (iterating it, printing it, returning it, storing it in a list, passing it to a
function) the use is refused with a hint: `sorted(s)` is the list to use there. A variable
holds a set if an assignment gives it one; it must hold a set on every assignment.

A dict of sets (`index.setdefault(word, set()).add(doc)`, `groups[k] = {x}`, a defaultdict(set))
is a variable bound only to a dict display or comprehension (`{}`, `{k: set() for k in ks}`,
`dict()`) under whose keys the function stores sets and nothing else. Its values are sets as
above (`d[k]`, `d.setdefault(k, s)`, `d.get(k, s)`, `v` of `for k, v in d.items()`); the dict
itself may be tested, sized, searched with `in`, iterated for its keys or, through `.items()` /
`.values()`, for its sets, and items deleted; anything else (returning or printing it, passing
it on, `d.get(k)` without a set default) is refused: `{k: sorted(v) for k, v in d.items()}` is
the dict to use there.

`misuses` maps the node of each refused use (an expression, looked up by the visitor before it
lowers the node) to its message and hint. Each is computable: with compute_in_lambda the
statement runs as Python in the Lambda, and so (`whole_variables`) does each assignment of a set
variable that such a use reads, so that the set lives in Python only (a set leaving the Lambda
is refused there, with the hint to make it sorted(...)).
"""

from __future__ import annotations

import ast
import functools

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
    dicts: frozenset = frozenset()  # the variables that hold dicts of sets

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
    names, dicts = _set_names(bindings, builtin, params, parents, module, set(module_sets))
    misuses: dict = {}

    def is_set(node: ast.AST) -> bool:
        return _is_set(node, names, builtin, parents, dicts)

    for node, name, other in _mixed_bindings(bindings, names, builtin, parents, dicts):
        misuses[id(node)] = (node, f"'{name}' holds a set here and {other}: a variable that holds a set must "
                             "hold one on every assignment", "use another name for the other value")
    for node in ast.walk(module):
        if isinstance(node, ast.expr) and id(node) not in misuses and is_set(node):
            problem = _misuse(node, parents.get(node), parents, is_set, names, dicts)
            if problem is not None:
                misuses[id(node)] = (node, *problem)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in dicts \
                and not _rebound(node, parents):
            problem = _dict_misuse(node, parents, is_set, dicts[node.id])
            if problem is not None:
                misuses[id(problem[0])] = problem
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
    return SetUses(frozenset(names), misuses, frozenset(dicts))


def _is_set(node: ast.AST, names: set, builtin: bool, parents: dict, dicts: dict) -> bool:
    """Whether `node` evaluates to a set (syntactically: a set display, set(...), a set
    variable not rebound by an enclosing comprehension or lambda, a set operation, a value of
    a dict of sets)."""
    if isinstance(node, (ast.Set, ast.SetComp)):
        return True
    if isinstance(node, ast.Name):
        if not isinstance(node.ctx, ast.Load):
            return False
        binding = _binding(node, parents)
        if binding is None:
            return node.id in names
        return isinstance(binding, ast.comprehension) and _iterates_sets(binding, node.id, dicts, parents)
    if isinstance(node, ast.Subscript):
        return isinstance(node.ctx, ast.Load) and _dict_of_sets(node.value, dicts, parents) \
            and not isinstance(node.slice, ast.Slice)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return builtin and func.id == "set" and not _rebound(func, parents)
        if isinstance(func, ast.Attribute) and func.attr in ("setdefault", "get") and len(node.args) == 2 \
                and not node.keywords and _dict_of_sets(func.value, dicts, parents):
            return _is_set(node.args[1], names, builtin, parents, dicts)
        return isinstance(func, ast.Attribute) and func.attr in SET_RESULTS \
            and _is_set(func.value, names, builtin, parents, dicts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, _SET_OPS):
        return _is_set(node.left, names, builtin, parents, dicts)
    if isinstance(node, ast.IfExp):
        return _is_set(node.body, names, builtin, parents, dicts) \
            and _is_set(node.orelse, names, builtin, parents, dicts)
    return False


def _dict_of_sets(node: ast.AST, dicts: dict, parents: dict) -> bool:
    return isinstance(node, ast.Name) and node.id in dicts and not _rebound(node, parents)


def _iterates_sets(generator, name: str, dicts: dict, parents: dict) -> bool:
    """Whether a comprehension's or `for`'s target binds `name` to the sets of a dict of sets:
    `v` of `for v in d.values()` or of `for k, v in d.items()`."""
    it, target = _items_call(generator.iter), generator.target
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and not it.args and not it.keywords
            and _dict_of_sets(it.func.value, dicts, parents)):
        return False
    if it.func.attr == "values":
        return isinstance(target, ast.Name) and target.id == name
    return it.func.attr == "items" and isinstance(target, ast.Tuple) and len(target.elts) == 2 \
        and isinstance(target.elts[1], ast.Name) and target.elts[1].id == name


def _items_call(node: ast.expr) -> ast.expr:
    """`d.items()` of `sorted(d.items())` (ordered by the keys alone: they differ, so no two
    sets are ever compared), else `node`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sorted" \
            and len(node.args) == 1 and {k.arg for k in node.keywords} <= {"reverse"} \
            and isinstance(node.args[0], ast.Call) and isinstance(node.args[0].func, ast.Attribute) \
            and node.args[0].func.attr == "items":
        return node.args[0]
    return node


def _binding(name: ast.Name, parents: dict):
    """The comprehension's generator or the lambda around `name` that binds that name itself
    (None: the function's own variable)."""
    node = parents.get(name)
    while node is not None:
        if isinstance(node, ast.Lambda):
            if name.id in {a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]}:
                return node
        elif isinstance(node, _SCOPES):
            for generator in node.generators:
                if any(isinstance(t, ast.Name) and t.id == name.id for t in ast.walk(generator.target)):
                    return generator
        node = parents.get(node)
    return None


def _rebound(name: ast.Name, parents: dict) -> bool:
    """Whether a comprehension or lambda around `name` binds that name itself."""
    return _binding(name, parents) is not None


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


def _set_names(bindings: list, builtin: bool, params: set, parents: dict, module: ast.Module,
               names: set) -> tuple[set, dict]:
    """The names some assignment gives a set, and the dicts of sets (name -> the line that
    first stores a set in it), to a fixed point (`t = s` after `s = set()`; `s = d[k]`)."""
    names = set(names)
    dicts: dict = {}
    while True:
        found = {name for name, value, node in bindings
                 if name not in params and _gives_set(name, value, node, names, builtin, parents, dicts)}
        found_dicts = _dicts_of_sets(bindings, params, module, functools.partial(
            _is_set, names=names, builtin=builtin, parents=parents), dicts)
        if found <= names and found_dicts.keys() <= dicts.keys():
            return names, dicts
        names |= found
        dicts.update({name: line for name, line in found_dicts.items() if name not in dicts})


def _gives_set(name: str, value, node: ast.AST, names: set, builtin: bool, parents: dict, dicts: dict) -> bool:
    """Whether a binding of `name` gives it a set: an assignment of a set, or a `for` over a
    dict of sets' values."""
    if value is None:
        return isinstance(node, ast.For) and _iterates_sets(node, name, dicts, parents)
    return not isinstance(value, ast.AugAssign) and _is_set(value, names, builtin, parents, dicts)


def _dicts_of_sets(bindings: list, params: set, module: ast.Module, is_set, dicts: dict) -> dict:
    """name -> the first line storing a set in it, for each variable bound only to a dict
    display or comprehension (`{}`, `dict()`) in which the function stores a set (`is_set(node,
    dicts=...)`; a store reading the dict itself, `d[k] = d.get(k, set()) | {v}`, is one if the
    dict's values are sets, which every other store into it must then be)."""
    bound: set = set()
    others = set(params)
    evidence: dict = {}
    for name, value, node in bindings:
        if isinstance(value, ast.Dict) and None not in value.keys or isinstance(value, ast.DictComp) \
                or isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict" \
                and not value.args and not value.keywords:
            bound.add(name)
            values = value.values if isinstance(value, ast.Dict) else [value.value] if isinstance(value, ast.DictComp) else []
            if any(is_set(v, dicts=dicts) for v in values):
                evidence.setdefault(name, node.lineno)
        else:
            others.add(name)
    for node in ast.walk(module):
        if isinstance(node, ast.Assign):
            stored = [(t.value, node.value) for t in node.targets if isinstance(t, ast.Subscript)]
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Subscript):
            stored = [(node.target.value, node.value)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setdefault" \
                and len(node.args) == 2:
            stored = [(node.func.value, node.args[1])]
        else:
            continue
        for target, value in stored:
            if isinstance(target, ast.Name) and target.id in bound and _set_besides(value, target.id) \
                    and is_set(value, dicts={**dicts, target.id: node.lineno}):
                evidence.setdefault(target.id, node.lineno)
    return {name: line for name, line in evidence.items() if name in bound and name not in others}


def _set_besides(value: ast.expr, name: str) -> bool:
    """Whether `value` may make a set of something other than the dict `name` itself: a set
    display, set(...), another variable (the keys of `name`'s items aside). `d[k] = d[j]` is a
    set only if d's values are: no evidence that they are (a new-user trial's
    `comp[name] = comp[prev]` was refused as a dict of sets)."""
    stack = [value]
    while stack:
        sub = stack.pop()
        if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name) and sub.value.id == name:
            continue  # an item of the dict itself, whatever its key
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and isinstance(sub.func.value, ast.Name) \
                and sub.func.value.id == name:
            stack.extend(sub.args[1:])  # d.get(k, default): the default only
            continue
        if isinstance(sub, (ast.Set, ast.SetComp)) or isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
            return True  # a set, or a variable that may hold one (set(...): the name `set`)
        stack.extend(ast.iter_child_nodes(sub))
    return False


def _mixed_bindings(bindings: list, names: set, builtin: bool, parents: dict, dicts: dict):
    """(node to refuse, name, what else it holds) where a set variable is also bound otherwise."""
    by_name: dict = {}
    for name, value, node in bindings:
        if name in names:
            by_name.setdefault(name, []).append((value, node))
    for name, bindings in by_name.items():
        sets, others = [], []
        for value, node in bindings:
            if isinstance(value, ast.AugAssign):
                fits = isinstance(value.op, _SET_OPS) and _is_set(value.value, names, builtin, parents, dicts)
                (sets if fits else others).append((value.value, node))
            elif _gives_set(name, value, node, names, builtin, parents, dicts):
                sets.append((value, node))
            else:
                others.append((value, node))
        if not others:
            continue
        first = others[0][1]
        other = f"something else on line {first.lineno}"
        for value, _ in sets:
            if value is not None:
                yield value, name, other
        for value, node in others:
            if value is not None:
                yield value, name, f"this on line {node.lineno}"


def _misuse(node: ast.expr, parent: ast.AST | None, parents: dict, is_set, names: set,
            dicts: dict) -> tuple[str, str] | None:
    """None where the parent uses the set in a way the machine computes exactly, else why not."""

    def holds_sets(target: ast.AST) -> bool:  # a set variable, or an item of a dict of sets
        if isinstance(target, ast.Subscript):
            return _dict_of_sets(target.value, dicts, parents) and not isinstance(target.slice, ast.Slice)
        return isinstance(target, ast.Name) and target.id in names

    if isinstance(parent, ast.Expr):
        return None  # its value unused (d.setdefault(k, set()) as a statement)
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and len(parent.args) == 2 \
            and parent.func.attr in ("setdefault", "get") and node is parent.args[1] \
            and _dict_of_sets(parent.func.value, dicts, parents):
        return None  # the default of a dict of sets' item (the call is a set: its own use is checked)
    if isinstance(parent, ast.Assign) and node is parent.value and all(holds_sets(t) for t in parent.targets):
        return None
    if isinstance(parent, ast.AugAssign) and isinstance(parent.op, _SET_OPS) and node is parent.value \
            and holds_sets(parent.target):
        return None
    if isinstance(parent, (ast.Dict, ast.DictComp)) and (node in parent.values if isinstance(parent, ast.Dict)
                                                         else node is parent.value):
        grand = parents.get(parent)
        if isinstance(grand, ast.Assign) and all(isinstance(t, ast.Name) and t.id in dicts for t in grand.targets):
            return None
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
    if isinstance(parent, ast.AnnAssign) and node is parent.value and isinstance(parent.target, ast.Name) \
            and parent.target.id in names:
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


_KEY_READERS = frozenset({"len", "bool", "sorted", "list", "min", "max", "iter", "any", "all", "enumerate",
                          "reversed", "tuple", "set"})


def _dict_misuse(node: ast.Name, parents: dict, is_set, line: int) -> tuple | None:
    """None where a dict of sets is used as the machine computes it exactly, else (the node to
    refuse, message, hint)."""
    parent = parents.get(node)
    what = f"'{node.id}' is a dict of sets (line {line})"
    if isinstance(parent, ast.Subscript) and parent.value is node and not isinstance(parent.slice, ast.Slice):
        grand = parents.get(parent)
        if not isinstance(parent.ctx, ast.Store):
            return None  # d[k] is a set (its own use is checked); del d[k]
        if isinstance(grand, ast.Assign) and is_set(grand.value):
            return None
        if isinstance(grand, ast.AugAssign) and isinstance(grand.op, _SET_OPS) and is_set(grand.value):
            return None
        return (grand if isinstance(grand, ast.AugAssign) else getattr(grand, "value", None) or parent,
                f"{what}, and this is not a set: a dict of sets must hold a set under every key",
                f"store a set here, or store the set on line {line} as a list (sorted(s)) if '{node.id}' is a record")
    if isinstance(parent, ast.Attribute) and parent.value is node:
        call = parents.get(parent)
        if isinstance(call, ast.Call) and call.func is parent:
            attr = parent.attr
            if attr in ("keys", "clear") or attr == "pop" and isinstance(parents.get(call), ast.Expr):
                return None
            if attr in ("setdefault", "get"):
                if len(call.args) == 2 and not call.keywords:
                    return None if is_set(call.args[1]) else (
                        call.args[1], f"{what}, and this default is not a set: a dict of sets must hold a set "
                        "under every key", "use a set as the default, e.g. set()")
                return (call, f"{what}: {attr}() without a default gives None for a missing key, so its "
                        "result is not always a set", f"give a set as the default: {node.id}.{attr}(key, set())")
            if attr in ("items", "values"):
                loop = parents.get(call)
                if attr == "items" and _items_call(loop) is call:  # sorted(d.items())
                    loop = parents.get(loop)
                if isinstance(loop, (ast.For, ast.comprehension)) and _items_call(loop.iter) is call \
                        and (isinstance(loop.target, ast.Name) if attr == "values" else
                             isinstance(loop.target, ast.Tuple) and len(loop.target.elts) == 2
                             and isinstance(loop.target.elts[1], ast.Name)):
                    return None
                return (call, f"{what}: the sets of .{attr}() can be read only by a loop over it that names "
                        "each set", f"for k, v in {node.id}.items(): ... (v is a set: sorted(v), len(v), x in v)")
            return (call, f"{what}: .{attr}() of it is not supported",
                    "a dict of sets supports d[k], in, len, del d[k], keys, get and setdefault with a set "
                    "default, clear, pop as a statement, and loops over it, its keys, values and items")
    if isinstance(parent, ast.Compare) and len(parent.ops) == 1 and isinstance(parent.ops[0], (ast.In, ast.NotIn)) \
            and node is parent.comparators[0]:
        return None
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in _KEY_READERS \
            and parent.args == [node]:
        return None  # its keys only
    if isinstance(parent, (ast.For, ast.comprehension)) and node is parent.iter or _in_test(node, parents):
        return None
    return (node, f"{what}: a state machine holds JSON, which has no sets, and Python's order of a set's items "
            "(hash order) cannot be reproduced",
            f"use {{k: sorted(v) for k, v in {node.id}.items()}}: a dict of sorted lists")


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
