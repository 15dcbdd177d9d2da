"""A name given to an item of a dict or list and changed through it reads as the item itself.

    entry = totals.setdefault(sale["region"], {"orders": 0, "cents": 0})
    entry["orders"] += 1

In Python `entry` and `totals[sale["region"]]` are one dict. In Step Functions every variable holds its
own copy, so changing `entry` in place would leave `totals` as it was, and the compiler would
refuse ("may share its value"). Where nothing in between can make them two objects again, the
item is named by its place instead, in the function's own tree, before it is lowered:

    entry_key = sale["region"]              # a computed key, evaluated once (a constant or a
    totals.setdefault(entry_key, {...})     # variable the region does not rebind stays as it is)
    totals[entry_key]["orders"] += 1

That is Python's meaning exactly when, from the binding to each use of the name:
- the name is bound only so (`name = base.setdefault(key[, default])`, `name = base[key]`, or
  `name = base[k1][key]`, an item keys down), by plain assignments (`name = []`: reused for a
  value of its own) or by `for` loops, and every read of it follows one such binding in the same
  block (`region`) or is in the body of such a loop;
- nothing rebinds `base`, rebinds or removes any of its items (`base[k] = ...`, `del base[k]`,
  `base.pop(...)`, `base.update(...)`, ...), through `base` or any name that may share it
  (aliasing.function_names); `base.setdefault` never replaces an item, so it may;
- the key is evaluated once, where Python evaluates it: a constant or a variable the region
  does not rebind is used as it is, anything else is kept in a variable of its own (and then
  `base` must be bound before: a parameter or a top-level assignment earlier, since Python
  reads `base` before it evaluates the key); the keys of an item keys down must all be such
  constants or variables, and nothing may change `base` in place at any depth;
- no nested function or lambda mentions the name (it could run anywhere).
Otherwise the function is left as written and the usual rules decide. Only names changed in
place somewhere are rewritten; a name only read is a copy that reads the same, unless other
items of its container are changed in place through their names (`d, xs = p["d"], p["xs"]`
then `xs.remove(2)`): the copy would share the container's items for the sharing analysis,
which does not tell one key's item from another's, and the change would be refused.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterable, Iterator

import attrs

from . import aliasing
from .ast_edits import SCOPES
from .fresh_names import fresh_name

# methods that change a list or dict in place (setdefault is missing on purpose: see above)
_REBINDING_METHODS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "reverse", "sort",
                                "update", "popitem", "add", "discard", "__setitem__", "__delitem__"})
_CHANGING_METHODS = _REBINDING_METHODS | {"setdefault"}
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@attrs.frozen
class _Binding:
    """`name = base.setdefault(key, ...)` or `name = base[key]` at `block[index]`."""

    statement: ast.stmt
    block: list
    index: int
    base: str
    key: ast.expr
    top: int  # the index of the top-level statement holding it
    path: tuple[ast.expr, ...] = ()  # keys between base and key: `cell = grid[r][c]` has (r,)


def rewrite(body: list[ast.stmt], params: Iterable[str] = ()) -> list[ast.stmt]:
    """Rewrite in `body` (in place: the statements stay the module tree's own, which
    compute_in_lambda relies on) the item names that can be; returns `body`. Idempotent: a
    rewritten name has no binding left."""
    plans = _plans(body, frozenset(params))
    if not plans:
        return body  # (fix_missing_locations below would invent places for made-up nodes)
    # last to first within a block, so that the indexes of the ones before stay right
    for binding, region, key_name in sorted(plans, key=lambda plan: plan[0].index, reverse=True):
        key = binding.key
        key_ref = ast.Name(id=key_name, ctx=ast.Load()) if key_name else key
        name = _binding_target(binding.statement).id
        for statement in region:
            _replace_reads(statement, name, binding.base, key_ref, binding.path)
        value = binding.statement.value
        if isinstance(value, ast.Call):
            value.args[0] = copy.deepcopy(key_ref)
        else:
            value.slice = copy.deepcopy(key_ref)
        replacement: list[ast.stmt] = [ast.copy_location(ast.Expr(value=value), binding.statement)]
        if key_name:
            replacement.insert(0, ast.copy_location(
                ast.Assign(targets=[ast.Name(id=key_name, ctx=ast.Store())], value=key), binding.statement))
        binding.block[binding.index:binding.index + 1] = replacement
    for binding, _, _ in plans:
        for statement in binding.block:
            ast.fix_missing_locations(statement)
    return body


@attrs.frozen
class ItemLoop:
    """A `for` loop over the items of one container, named by variables:
    `for row in rows` / `for i, row in enumerate(rows)` (kind "list", index `i` or None),
    `for k, v in d.items()` / `sorted(d.items())` ("items", index `k`: the item is `d[k]`),
    `for v in d.values()` ("values", no index). The container may be an item itself, reached
    through keys that are names or constants (`for t, cell in m[a].items()`: base `m`, path
    (a,)), as a loop inside one over `m` is once that one is by index."""

    name: str  # the item's variable
    base: str  # the container's (or the variable it is an item of)
    index: str | None
    kind: str
    path: tuple = ()  # the keys from `base` down to the container

    @property
    def is_dict(self) -> bool:
        return self.kind != "list"

    def container(self) -> ast.expr:
        """`base[k1]...`: the container the loop walks, as an expression."""
        return _subscripts(self.base, self.path)


def live_loop_item(loop: ast.For, function_body: list[ast.stmt]) -> bool:
    """A loop item_loop names whose body changes the item in place (`row["total"] = ...`,
    `v.sort()`): the item is `rows[i]` (`d[k]`) throughout the body, Python's meaning when (the
    caller checks) `rows` is a list (`d` a dict), and
    - the item's name is bound by this loop alone, mentioned nowhere outside its body (not after
      it, not in its `else`), in no nested function or lambda;
    - the body neither rebinds the container nor rebinds, adds or removes any of its items
      (through it or a name that may share it), so its length and its items stay those the loop
      walks (a dict that grew would raise RuntimeError in Python);
    - the body does not rebind the index (`i`, `k`).
    Then the body can read and change `rows[i]` itself (index_loop), where a copy would not do."""
    parts = item_loop(loop)
    if parts is None:
        return False
    name, base, index = parts.name, parts.base, parts.index
    if not any(_changes_item(name, statement) for statement in loop.body):
        return False  # only read: a copy reads the same
    fixed = {index} | {key.id for key in parts.path if isinstance(key, ast.Name)}
    if any(isinstance(n, ast.Name) and n.id in fixed and not isinstance(n.ctx, ast.Load)
           for statement in loop.body for n in ast.walk(statement)):
        return False
    target = loop.target.elts[1] if isinstance(loop.target, ast.Tuple) else loop.target
    own = {id(node) for statement in loop.body for node in ast.walk(statement)} | {id(target)}
    # another loop's body reads the name it binds itself (`for line in other:` later), unless
    # that loop holds this one (after this one, Python's name is this one's last item)
    inside = {id(node) for node in ast.walk(loop)}
    binders = {id(target)}
    for statement in function_body:
        for other in ast.walk(statement):
            if isinstance(other, ast.For) and other is not loop and id(other) not in inside \
                    and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(other.target)) \
                    and not any(n is loop for n in ast.walk(other)):
                own |= {id(node) for part in [other.target, *other.body] for node in ast.walk(part)}
                binders |= {id(node) for node in ast.walk(other.target)}
    for statement in function_body:
        for node in _walk_function(statement, name):
            if isinstance(node, SCOPES) and not _own_parameter(node, name) \
                    and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node)):
                return False
            if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
                return False
            if isinstance(node, ast.Name) and node.id == name and (
                    id(node) not in own or (not isinstance(node.ctx, ast.Load) and id(node) not in binders)):
                return False
    # a generator expression kept to run later would read the item of a later iteration
    consumed = {id(node.args[0]) for statement in loop.body for node in ast.walk(statement)
                if isinstance(node, ast.Call) and len(node.args) == 1 and isinstance(node.args[0], ast.GeneratorExp)}
    if any(isinstance(node, ast.GeneratorExp) and id(node) not in consumed for statement in loop.body
           for node in ast.walk(statement)):
        return False
    # (the items of the item, walked by loops inside: changing them changes no item of base)
    others = aliasing.holders(function_body, base) - {name, base} - _sub_items(name, loop.body)
    return not any(_replaces_items(statement, base, others, adds_keys=parts.is_dict, deep=bool(parts.path))
                   for statement in loop.body)


def _changes_item(name: str, statement: ast.stmt) -> bool:
    """changes_through, or a loop in `statement` over the items of `name` (or of an item of it:
    `for a in u["addresses"]`) that changes its own item (`for t, cell in row.items():
    cell.append(x)`): the item of `name` changes in place."""
    if changes_through(name, statement):
        return True
    for node in _walk_function(statement):
        if isinstance(node, ast.For):
            parts = item_loop(node)
            if parts is not None and parts.base == name \
                    and any(_changes_item(parts.name, inner) for inner in node.body):
                return True
    return False


def _sub_items(name: str, block: list[ast.stmt]) -> set[str]:
    """The items' names of the loops in `block` over the items of `name` (or of one of those)."""
    found: set[str] = set()
    for statement in block:
        for node in _walk_function(statement):  # (outer loops first)
            if isinstance(node, ast.For):
                parts = item_loop(node)
                if parts is not None and (parts.base == name or parts.base in found):
                    found.add(parts.name)
    return found


def _own_parameter(scope: ast.AST, name: str) -> bool:
    """A function or lambda with a parameter of that name: the name in it is its own
    (`key=lambda t: t["age"]` beside a loop over `t`)."""
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return False
    arguments = scope.args
    return any(a.arg == name for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                       *(a for a in (arguments.vararg, arguments.kwarg) if a is not None)])


def item_loop(loop: ast.For) -> ItemLoop | None:
    """The ItemLoop `loop` is (its variables all different), else None."""
    target, source, index, kind = loop.target, loop.iter, None, "list"
    if _method_call(source, "items") is not None or (
            _function_call(source, "sorted") is not None and _method_call(source.args[0], "items") is not None):
        if not (isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(target.elts[0], ast.Name)):
            return None
        call = source if _method_call(source, "items") is not None else source.args[0]
        index, target, source, kind = target.elts[0].id, target.elts[1], call.func.value, "items"
    elif _method_call(source, "values") is not None:
        source, kind = source.func.value, "values"
    elif _function_call(source, "enumerate") is not None and isinstance(target, ast.Tuple) \
            and len(target.elts) == 2 and isinstance(target.elts[0], ast.Name):
        index, target, source = target.elts[0].id, target.elts[1], source.args[0]
    path: tuple = ()
    while isinstance(source, ast.Subscript) and isinstance(source.slice, (ast.Name, ast.Constant)):
        path, source = (source.slice, *path), source.value
    if not (isinstance(target, ast.Name) and isinstance(source, ast.Name)) \
            or len({target.id, source.id, index}) != 3 \
            or any(isinstance(key, ast.Name) and key.id in (target.id, index) for key in path):
        return None
    return ItemLoop(target.id, source.id, index, kind, path)


def _method_call(node: ast.expr, method: str) -> ast.Call | None:
    """`x.method()` with no arguments."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method \
            and not node.args and not node.keywords:
        return node
    return None


def _function_call(node: ast.expr, function: str) -> ast.Call | None:
    """`function(x)`: one argument, no keywords."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function \
            and len(node.args) == 1 and not node.keywords:
        return node
    return None


def zip_loop(loop: ast.For, function_body: list[ast.stmt], index: str) -> tuple[ast.For, tuple[str, ...]] | None:
    """`for name, row in zip(names, rows):` whose body changes `row` in place (and no other of
    its items), as the loop over one list that live_loop_item can run by index:

        for index, row in enumerate(rows):
            if index >= len(names):
                break
            name = names[index]
            ...

    with the other sequences' names, which the caller must know to be lists or strs whose items
    nothing else holds (an item shared with `rows` would show the change in Python, a copy would
    not). Python's meaning when nothing in the body rebinds `names` or changes it in place
    (through it or a name that may share it): zip reads it as it goes.
    Every target and sequence is a plain name, all different; no `else` (a zip that runs out
    ends the loop without `break`) and no keywords (`strict=True`). The body's statements are
    the loop's own (live_loop_item tells them by identity); None when any of this fails."""
    call, target = loop.iter, loop.target
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "zip"
            and len(call.args) >= 2 and not call.keywords and not loop.orelse
            and all(isinstance(a, ast.Name) for a in call.args)
            and isinstance(target, ast.Tuple) and len(target.elts) == len(call.args)
            and all(isinstance(t, ast.Name) for t in target.elts)):
        return None
    names = [t.id for t in target.elts]
    sources = [a.id for a in call.args]
    if len({*names, *sources, index}) != 2 * len(names) + 1:
        return None
    changed = [k for k, name in enumerate(names) if any(_changes_item(name, statement) for statement in loop.body)]
    if len(changed) != 1:
        return None
    walked = changed[0]
    others = tuple(source for k, source in enumerate(sources) if k != walked)
    for source in others:
        sharing = aliasing.holders(function_body, source) | {source}
        if sources[walked] in sharing or any(
                changes_through(name, statement) for name in sharing for statement in loop.body) or any(
                isinstance(n, ast.Name) and n.id == source and not isinstance(n.ctx, ast.Load)
                for statement in loop.body for n in _walk_function(statement)):
            return None

    def load(name: str) -> ast.Name:  # (a node of its own at each place: analyses key nodes by identity)
        return ast.Name(id=name, ctx=ast.Load())

    ends = [ast.Compare(left=load(index), ops=[ast.GtE()],
                        comparators=[ast.Call(func=load("len"), args=[load(source)], keywords=[])])
            for source in others]
    head: list[ast.stmt] = [ast.If(test=ends[0] if len(ends) == 1 else ast.BoolOp(op=ast.Or(), values=ends),
                                   body=[ast.Break()], orelse=[])]
    head += [ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())],
                        value=ast.Subscript(value=load(source), slice=load(index), ctx=ast.Load()))
             for k, (name, source) in enumerate(zip(names, sources, strict=True)) if k != walked]
    for statement in head:
        for node in ast.walk(statement):
            ast.copy_location(node, loop.iter)
    enumerated = ast.Call(func=load("enumerate"), args=[load(sources[walked])], keywords=[])
    for node in ast.walk(enumerated):
        ast.copy_location(node, loop.iter)
    new_target = ast.copy_location(ast.Tuple(elts=[ast.copy_location(ast.Name(id=index, ctx=ast.Store()), target),
                                                   target.elts[walked]], ctx=ast.Store()), target)
    new = ast.For(target=new_target, iter=enumerated, body=[*head, *loop.body], orelse=[],
                  type_comment=None)
    return ast.copy_location(new, loop), others


def mentions_only_item(body: list[ast.stmt], name: str, index: str) -> bool:
    """Whether every mention of `name` in `body` (a loop by index over it, nested functions
    and lambdas included) is its item `name[index]`, and nothing binds `index`: each pass then
    reads, changes and stores elsewhere only its own item (Builder.collecting)."""
    parents = {child: node for statement in body for node in ast.walk(statement)
               for child in ast.iter_child_nodes(node)}
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and node.id == index and not isinstance(node.ctx, ast.Load):
                return False
            if isinstance(node, ast.Name) and node.id == name:
                parent = parents.get(node)
                if not (isinstance(parent, ast.Subscript) and parent.value is node and isinstance(parent.slice, ast.Name)
                        and parent.slice.id == index and isinstance(node.ctx, ast.Load)):
                    return False
            if isinstance(node, (ast.Global, ast.Nonlocal)) and (name in node.names or index in node.names):
                return False
    return True


def index_loop(loop: ast.For, index: str) -> ast.For:
    """A copy of a loop live_loop_item holds, by index: `for row in rows: body` as `for index in
    range(len(rows)): body`, every read of `row` in it `rows[index]` (`for i, row in
    enumerate(rows)`: `i` is the index); `for k, v in d.items()` as `for k in list(d)` (`sorted(d)`
    for `sorted(d.items())`: keys are unique, so the pairs sort as their keys), `v` read as `d[k]`;
    `for v in d.values()` as `for index in list(d)`. (The body adds no key: walking a snapshot
    of the keys is walking the dict.)"""
    parts = item_loop(loop)
    index = parts.index or index
    new = copy.deepcopy(loop)
    for old, made in zip(ast.walk(loop), ast.walk(new), strict=True):  # (what analyses of the tree said of it)
        made.pysfn_original = getattr(old, "pysfn_original", old)
    new.target = ast.copy_location(ast.Name(id=index, ctx=ast.Store()), loop.target)
    if parts.index is not None:
        ast.fix_missing_locations(new.target)
    base = parts.container()
    if parts.kind == "list":
        length = ast.Call(func=ast.Name(id="len", ctx=ast.Load()), args=[base], keywords=[])
        new.iter = ast.Call(func=ast.Name(id="range", ctx=ast.Load()), args=[length], keywords=[])
    else:
        walk = "sorted" if _function_call(loop.iter, "sorted") is not None else "list"
        new.iter = ast.Call(func=ast.Name(id=walk, ctx=ast.Load()), args=[base], keywords=[])
    for node in ast.walk(new.iter):
        ast.copy_location(node, loop.iter)
    for statement in new.body:
        _replace_reads(statement, parts.name, parts.base, ast.Name(id=index, ctx=ast.Load()), parts.path)
    return new


def _plans(body: list[ast.stmt], params: frozenset) -> list[tuple[_Binding, list, str | None]]:
    bindings = _bindings(body)
    if not bindings:
        return []
    taken = {node.id for statement in body for node in ast.walk(statement) if isinstance(node, ast.Name)} | params
    partners = aliasing.function_names(body).partners
    plans, later = [], []
    for name, found in bindings.items():
        plan = _plan(name, found, body, params, partners, bindings, taken)
        if plan:
            plans += plan
        else:
            later.append(name)
    # an item only read, of a container whose other items are changed in place through their
    # names, reads as the item too (`d, xs = p["d"], p["xs"]; xs.remove(2)`): as a copy it would
    # share the container's items for the sharing analysis, which cannot tell one key's item from
    # another's and would refuse the change
    changed = {binding.base for binding, _, _ in plans}
    for name in later:
        if all(binding.base in changed for binding in bindings[name]):
            plans += _plan(name, bindings[name], body, params, partners, bindings, taken, read_only=True) or []
    return plans


def _bindings(body: list[ast.stmt]) -> dict[str, list[_Binding]]:
    found: dict[str, list[_Binding]] = {}
    for top, block, index in _places(body):
        shape = _item_binding(block[index])
        if shape is not None:
            name, base, key, path = shape
            found.setdefault(name, []).append(_Binding(block[index], block, index, base, key, top, path))
    return found


def _enclosing(block: list[ast.stmt], target: ast.stmt) -> list[tuple[list, int]]:
    """(block, index) of each statement holding `target`, from the function's body down to
    `target`'s own block (empty where it is not found)."""
    for index, statement in enumerate(block):
        if statement is target:
            return [(block, index)]
        for inner in _own_blocks(statement):
            found = _enclosing(inner, target)
            if found:
                return [(block, index), *found]
    return []


def _own_blocks(statement: ast.stmt) -> Iterator[list]:
    """The blocks a statement holds directly (not nested functions)."""
    if isinstance(statement, SCOPES):
        return
    for field in ("body", "orelse", "finalbody"):
        inner = getattr(statement, field, None)
        if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
            yield inner
    for holder in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
        yield holder.body


def _places(body: list[ast.stmt]) -> Iterator[tuple[int, list, int]]:
    """(the top-level statement's index, a block, an index in it) of every statement of `body`
    and of the blocks inside its statements (not nested functions)."""
    for top, statement in enumerate(body):
        yield top, body, top
        for block in _inner_blocks(statement):
            for index in range(len(block)):
                yield top, block, index


def _inner_blocks(statement: ast.stmt) -> Iterator[list]:
    for inner in _own_blocks(statement):
        yield inner
        for sub in inner:
            yield from _inner_blocks(sub)


def _item_binding(statement: ast.stmt) -> tuple[str, str, ast.expr, tuple[ast.expr, ...]] | None:
    """(name, base, key, path) of `name = base.setdefault(key[, default])` / `name = base[key]`
    / `name = base[p][key]` (path (p,): keys the item is reached through)."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target, value = statement.targets[0], statement.value
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None and statement.simple:
        target, value = statement.target, statement.value
    else:
        return None
    if not isinstance(target, ast.Name):
        return None
    path: tuple[ast.expr, ...] = ()
    if isinstance(value, ast.Subscript) and not isinstance(value.slice, (ast.Slice, ast.Tuple)):
        inner = value.value
        while isinstance(inner, ast.Subscript) and not isinstance(inner.slice, (ast.Slice, ast.Tuple)):
            path, inner = (inner.slice, *path), inner.value
        if not isinstance(inner, ast.Name):
            return None
        base, key = inner.id, value.slice
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
            and value.func.attr == "setdefault" and isinstance(value.func.value, ast.Name) \
            and 1 <= len(value.args) <= 2 and not value.keywords \
            and not any(isinstance(a, ast.Starred) for a in value.args):
        base, key = value.func.value.id, value.args[0]
    else:
        return None
    if base == target.id or any(isinstance(n, ast.Name) and n.id == target.id for n in ast.walk(value)):
        return None
    return target.id, base, key, path


def _plan(name: str, found: list[_Binding], body: list[ast.stmt], params: frozenset, partners: dict,
          bindings: dict, taken: set, read_only: bool = False) -> list[tuple[_Binding, list, str | None]] | None:
    """For each binding of `name`: its region and the key's own variable (None: the key as
    written), or None when the name cannot be rewritten (`read_only`: also where nothing
    changes the item through it)."""
    loops = _own_loops(name, found, body)
    plain = _plain_bindings(name, body)
    if name in params or not _bound_only_by(name, found, body, loops, plain):
        return None
    regions = []
    covered: set[int] = set()
    for binding in found:
        region = _region(name, binding)
        regions.append(region)
        covered |= {id(n) for statement in region for n in ast.walk(statement)}
    for block, index in plain:  # after `name = []` the name holds that value, whatever it held
        covered |= {id(n) for statement in _region_after(name, block, index) for n in ast.walk(statement)}
    for loop in loops:  # the loop binds the name before each run of its body
        covered |= {id(n) for statement in loop.body for n in ast.walk(statement)}
    reads = [n for statement in body for n in _walk_function(statement, name)
             if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    if any(id(n) not in covered for n in reads):
        return None  # a read not after a binding in the same block: which item it is is not known
    if not read_only and not any(changes_through(name, statement) for region in regions for statement in region):
        return None  # only read: a copy reads the same
    plan = []
    for binding, region in zip(found, regions, strict=True):
        # names that may hold the base itself, or hold it inside: any change through them may
        # replace its items (names bound only to its items change the items in place: fine;
        # aliasing.holders tells them apart). An item keys down: anything sharing with the base
        # (`row = m[a]; row[t] = ...` replaces it)
        others = ({other for other in partners.get(binding.base, {}) if other != name} if binding.path
                  else aliasing.holders(body, binding.base) - {name, binding.base})
        if any(_replaces_items(statement, binding.base, others, deep=bool(binding.path), key=binding.key)
               for statement in _until_last_read(name, region)):
            return None
        if not all(_stable_key(key, region) for key in binding.path):
            return None  # (Python reads base[p] before it evaluates the key: no key variable here)
        key_name = None
        if not _stable_key(binding.key, region):
            if binding.path:
                return None
            if not _bound_before(binding.base, binding, body, params):
                return None
            key_name = fresh_name(f"{name}_key", taken)
        plan.append((binding, region, key_name))
    return plan


def _walk_function(node: ast.AST, name: str | None = None) -> Iterator[ast.AST]:
    """ast.walk, but a nested function or lambda is one node (refused as a whole if it mentions
    the name), and a comprehension whose `for` binds `name` holds a name of its own: only its
    first iterable, evaluated outside it, is walked."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, SCOPES):
            continue
        if name is not None and isinstance(current, _COMPREHENSIONS) and any(
                isinstance(n, ast.Name) and n.id == name for g in current.generators for n in ast.walk(g.target)):
            stack.append(current.generators[0].iter)
            continue
        stack.extend(ast.iter_child_nodes(current))


def _own_loops(name: str, found: list[_Binding], body: list[ast.stmt]) -> list[ast.For]:
    """The `for` loops whose target binds `name` (`for name, c in sorted(d.items())`, the name
    reused for something else) and that hold none of the item bindings: the name in their body
    is the loop's own; a read anywhere else that is not after an item binding still stops the
    rewrite (after such a loop, the name may hold either)."""
    holders = {id(b.statement) for b in found}
    loops = []
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.For) and any(isinstance(n, ast.Name) and n.id == name
                                                 for n in ast.walk(node.target)) \
                    and not any(id(n) in holders for n in ast.walk(node)):
                loops.append(node)
    return loops


def _plain_bindings(name: str, body: list[ast.stmt]) -> list[tuple[list, int]]:
    """(block, index) of each plain assignment to `name` (`name = []`, `name, n = [], 0`) that is
    not an item binding: the name reused for a value of its own. Reads after one in its block
    read that value, so they do not stop the rewrite of the item bindings elsewhere."""
    found = []
    for _, block, index in _places(body):
        node = block[index]
        item = _item_binding(node)
        if item is not None and item[0] == name:
            continue
        if any(isinstance(part, ast.Name) and part.id == name
               for target in _plain_targets(node) for part in _target_parts(target)):
            found.append((block, index))
    return found


def _bound_only_by(name: str, found: list[_Binding], body: list[ast.stmt], loops: list[ast.For] = (),
                   plain: list[tuple[list, int]] = ()) -> bool:
    """Every store or del of `name` is one of the bindings (or the target of one of `loops`, or
    of a plain assignment in `plain`); no nested scope or global mentions it."""
    targets = {id(_binding_target(b.statement)) for b in found}
    targets |= {id(n) for loop in loops for n in ast.walk(loop.target)}
    targets |= {id(part) for block, index in plain for target in _plain_targets(block[index])
                for part in _target_parts(target)}
    for statement in body:
        for node in _walk_function(statement, name):
            if isinstance(node, SCOPES) and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node)):
                return False
            if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
                return False
            if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load) \
                    and id(node) not in targets:
                return False
            if isinstance(node, ast.arg) and node.arg == name:
                return False
    return True


def _binding_target(statement: ast.stmt) -> ast.expr:
    return statement.targets[0] if isinstance(statement, ast.Assign) else statement.target


def _plain_targets(statement: ast.stmt) -> list[ast.expr]:
    if isinstance(statement, ast.Assign):
        return statement.targets
    return [statement.target] if isinstance(statement, ast.AnnAssign) and statement.value is not None else []


def _until_last_read(name: str, region: list[ast.stmt]) -> list[ast.stmt]:
    """The part of a region that runs before the name's last read: its statements up to the
    last that mentions the name, that one an `if`'s test alone where only the test does (`if
    slot["qty"] <= 0: del site[k]` removes the item once nothing reads it through the name:
    Python's name then holds a removed dict, which nothing reads)."""
    last = max((k for k, statement in enumerate(region)
                if any(isinstance(n, ast.Name) and n.id == name for n in _walk_function(statement, name))),
               default=-1)
    kept = region[:last + 1]
    if kept and isinstance(kept[-1], ast.If) and not any(
            isinstance(n, ast.Name) and n.id == name
            for statement in (*kept[-1].body, *kept[-1].orelse) for n in _walk_function(statement, name)):
        kept[-1] = ast.Expr(value=kept[-1].test)
    return kept


def _region(name: str, binding: _Binding) -> list[ast.stmt]:
    return _region_after(name, binding.block, binding.index)


def _region_after(name: str, block: list[ast.stmt], index: int) -> list[ast.stmt]:
    """The statements after `block[index]` in its block, up to one that binds the name again."""
    region = []
    for statement in block[index + 1:]:
        if any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
               for n in _walk_function(statement, name)):
            break
        region.append(statement)
    return region


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def changes_through(name: str, statement: ast.stmt) -> bool:
    """Whether `statement` changes in place the value `name` holds (or an item of it)."""
    for node in _walk_function(statement):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                for part in _target_parts(target):
                    if isinstance(part, (ast.Subscript, ast.Attribute)) and _root_name(part) == name:
                        return True
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in _CHANGING_METHODS and _root_name(node.func.value) == name:
            return True
    return False


def _target_parts(target: ast.expr) -> Iterator[ast.expr]:
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_parts(element)
    elif isinstance(target, ast.Starred):
        yield from _target_parts(target.value)
    else:
        yield target


def _replaces_items(statement: ast.stmt, base: str, others: set[str], adds_keys: bool = False,
                    deep: bool = False, key: ast.expr | None = None) -> bool:
    """Whether `statement` may rebind `base` or rebind or remove one of its items: through
    `base` itself (`base[k] = v`, `del base[k]`, `base.pop(k)`, `base = ...`), or by any change
    in place through `others` (which may hold `base` at any depth); with `adds_keys`, also
    add a key (`base.setdefault(k, v)`); with `deep` (an item reached through a path of keys),
    any change in place through `base` at any depth too. Where the item's `key` is a str
    constant, a store or `del` under another str constant (`base["total"] = 0` beside the item
    "b") leaves it alone."""
    if deep:
        others = others | {base}
    roots = others | {base}
    for node in _walk_function(statement):
        if isinstance(node, SCOPES) and any(isinstance(n, ast.Name) and n.id in roots for n in ast.walk(node)):
            return True  # a nested function could change it whenever it runs
        if isinstance(node, ast.Name) and node.id == base and not isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, ast.NamedExpr) and node.target.id == base:
            return True
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                for part in _target_parts(target):
                    if not isinstance(part, (ast.Subscript, ast.Attribute)):
                        continue
                    if isinstance(part.value, ast.Name) and part.value.id == base and _other_str_key(part, key):
                        continue
                    if (isinstance(part.value, ast.Name) and part.value.id == base) or _root_name(part) in others:
                        return True
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            changing = _CHANGING_METHODS if adds_keys else _REBINDING_METHODS
            if node.func.attr in changing and isinstance(receiver, ast.Name) and receiver.id == base:
                return True
            if node.func.attr in _CHANGING_METHODS and _root_name(receiver) in others:
                return True
    return False


def _other_str_key(target: ast.expr, key: ast.expr | None) -> bool:
    """`base["x"]` (a subscript target) beside an item under another str constant."""
    return isinstance(target, ast.Subscript) and isinstance(key, ast.Constant) and isinstance(key.value, str) \
        and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str) \
        and target.slice.value != key.value


def _stable_key(key: ast.expr, region: list[ast.stmt]) -> bool:
    """A key that reads the same at every use: a constant, or a variable the region does not rebind."""
    if isinstance(key, ast.Constant):
        return True
    if not isinstance(key, ast.Name):
        return False
    return not any(isinstance(n, ast.Name) and n.id == key.id and not isinstance(n.ctx, ast.Load)
                   for statement in region for n in ast.walk(statement))


def _bound_before(base: str, binding: _Binding, body: list[ast.stmt], params: frozenset) -> bool:
    """`base` is certainly bound when the binding runs: a parameter, or assigned by a plain
    statement before the one that holds the binding in a block that holds it (its own, the
    function's, or one between: `try:` then `by_cat = {}` then the loop); and never deleted."""
    if any(isinstance(node, ast.Delete) and any(isinstance(t, ast.Name) and t.id == base for t in node.targets)
           for statement in body for node in ast.walk(statement)):
        return False
    if base in params:
        return True
    # bound just before, in the binding's own block (`by_level = tree.setdefault(app, {})`, then
    # `stats = by_level.setdefault(level, ...)`): bound whenever the binding runs
    before = [statement for block, index in _enclosing(body, binding.statement) for statement in block[:index]]
    for statement in before:
        if isinstance(statement, ast.Assign) and any(isinstance(t, ast.Name) and t.id == base
                                                     for t in statement.targets):
            return True
        if isinstance(statement, ast.AnnAssign) and statement.value is not None \
                and isinstance(statement.target, ast.Name) and statement.target.id == base:
            return True
    return False




def _replace_reads(statement: ast.stmt, name: str, base: str, key: ast.expr,
                   path: tuple[ast.expr, ...] = ()) -> None:
    """Every read of `name` in `statement` becomes `base[*path][key]`, in place."""
    for node in list(_walk_function(statement, name)):
        for field, value in ast.iter_fields(node):
            if isinstance(value, ast.Name) and value.id == name and isinstance(value.ctx, ast.Load):
                setattr(node, field, _item(value, base, key, path))
            elif isinstance(value, list):
                for position, item in enumerate(value):
                    if isinstance(item, ast.Name) and item.id == name and isinstance(item.ctx, ast.Load):
                        value[position] = _item(item, base, key, path)


def _item(at: ast.Name, base: str, key: ast.expr, path: tuple[ast.expr, ...] = ()) -> ast.expr:
    item = _subscripts(base, (*path, key))
    for node in ast.walk(item):
        ast.copy_location(node, at)
    return item


def _subscripts(base: str, keys) -> ast.expr:
    """`base[k1][k2]...` (copies of the keys), as an expression to read."""
    node: ast.expr = ast.Name(id=base, ctx=ast.Load())
    for key in keys:
        node = ast.Subscript(value=node, slice=copy.deepcopy(key), ctx=ast.Load())
    return node
