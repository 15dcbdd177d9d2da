"""Containers whose stored values reach nothing but the workflow's own result.

    slips = []                                    for line in lines:
    for e in emps:                                    line["amount"] = line["qty"] * line["unit"]
        slips.append({"gross": 40 * e["rate"]})   return lines
    return slips

A value stored into such a container (`slips.append(v)`, `totals[k] = v`, `line["amount"] = v`
of a record the container holds) is read back by nothing before the execution's JSON output,
where 5 and 5.0 are one number: blind_numbers.py need not stop the machine when its int-or-float
kind is lost. A name is such a container when

- it is bound only to an empty display (`out = []`, `out = {}`), to a callee's result (fresh
  JSON: nothing else holds its items), or is a parameter (the input, JSON too);
- every read of it stores into it (`out.append(v)`, `out[k] = v`, `out[k][c] = v`), reads a
  field of it or of its items (`out[c]`, `out[k][c]`, `c` a constant), walks its items with a
  `for` whose item name is used only so (`line[c]`, `line[c] = v`), takes its `len`, or is the
  workflow's own return (or sits in a display it returns);
- no read can meet a stored value: a field read at a level never names a key stored at that
  level (`line["qty"]` beside `line["amount"] = ...`), and nothing reads whole items where
  whole items are stored (`out.append(v)` then `for x in out`).

Anything else (passing it or an item of it anywhere, another name for it, a comprehension or
a nested function over it) leaves it an ordinary container, whose stores keep their stops.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import attrs

_ANY = None  # a key that is not a constant: it may be any key


@attrs.frozen
class Sinks:
    names: frozenset  # the containers
    items: frozenset  # the names `for` loops give their items (`line` of `for line in lines`)

    def receives(self, value: ast.AST, parent: ast.AST | None) -> bool:
        """Whether `value` (the child of `parent`) is a value stored into one of the containers."""
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and parent.func.attr == "append" \
                and parent.args == [value] and _root(parent.func.value, 0) in self.names:
            return True
        if not (isinstance(parent, ast.Assign) and parent.value is value and len(parent.targets) == 1):
            return False
        target = parent.targets[0]
        return isinstance(target, ast.Subscript) and (
            _root(target.value, 0) in self.names or _root(target.value, 1) in self.names
            or (isinstance(target.value, ast.Name) and target.value.id in self.items))


NONE = Sinks(frozenset(), frozenset())


def _root(node: ast.AST, depth: int) -> str | None:
    """The name `node` is, `depth` subscripts down from it (`out[k]` at 1)."""
    for _ in range(depth):
        if not isinstance(node, ast.Subscript):
            return None
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _key(subscript: ast.Subscript):
    key = subscript.slice
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, (str, int)) else _ANY


@attrs.define
class _Uses:
    """What the reads of one container do: its stores by level (1: its own keys, 2: its items'
    keys) and its reads as (kind, key of level 1, key of level 2), and whether anything else
    uses it."""

    stores: dict = attrs.Factory(lambda: {1: set(), 2: set()})
    reads: list = attrs.Factory(list)
    other: bool = False


def find(module: ast.Module, parents: dict, returned: Callable[[ast.Name], bool],
         fresh: Callable[[ast.Call], bool]) -> Sinks:
    """The containers of the workflow's body `module` (`returned(name)`: whether a read is the
    workflow's own result or in a display it returns; `fresh(call)`: a callee's call)."""
    names = [node for node in ast.walk(module) if isinstance(node, ast.Name)]
    loops: dict[str, str] = {}  # item name -> container
    for node in names:
        parent = parents.get(node)
        if isinstance(node.ctx, ast.Store) and isinstance(parent, (ast.For, ast.Tuple)):
            container = _walked(node, parent, parents)
            if container is not None:
                loops[node.id] = container if loops.get(node.id, container) == container else ""
    uses: dict[str, _Uses] = {}
    for node in names:
        if node.id in loops:
            continue
        use = uses.setdefault(node.id, _Uses())
        parent = parents.get(node)
        if isinstance(node.ctx, ast.Store):
            use.other |= not _bound_fresh(node, parent, fresh)
        elif not isinstance(node.ctx, ast.Load):
            use.other = True
        else:
            _classify(node, parent, parents, use, returned, loops)
    for item, container in loops.items():
        use = uses.setdefault(container, _Uses())
        binders = [n for n in names if n.id == item and not isinstance(n.ctx, ast.Load)]
        if not container or len(binders) != 1 or _walked(binders[0], parents.get(binders[0]), parents) != container:
            use.other = True  # (bound again, or by two loops: which items it holds is not one thing)
            continue
        for node in names:
            if node.id == item and isinstance(node.ctx, ast.Load):
                _classify_item(node, parents.get(node), parents, use)
    sinks = frozenset(name for name, use in uses.items()
                      if name not in loops and not use.other and not _meets_a_store(use))
    return Sinks(sinks, frozenset(item for item, container in loops.items() if container in sinks))


def _walked(node: ast.Name, parent: ast.AST, parents: dict) -> str | None:
    """The container a `for` gives `node` the items of: `for line in lines`, `for i, line in
    enumerate(lines)` (`node` its item name)."""
    if isinstance(parent, ast.For) and parent.target is node and isinstance(parent.iter, ast.Name):
        return parent.iter.id
    loop = parents.get(parent)
    if isinstance(parent, ast.Tuple) and isinstance(loop, ast.For) and loop.target is parent \
            and len(parent.elts) == 2 and parent.elts[1] is node and isinstance(parent.elts[0], ast.Name):
        call = loop.iter
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "enumerate" \
                and len(call.args) == 1 and not call.keywords and isinstance(call.args[0], ast.Name):
            return call.args[0].id
    return None


def _bound_fresh(node: ast.Name, parent: ast.AST, fresh: Callable[[ast.Call], bool]) -> bool:
    if not (isinstance(parent, ast.Assign) and parent.targets == [node]):
        return False
    value = parent.value
    if isinstance(value, ast.List):
        return not value.elts
    if isinstance(value, ast.Dict):
        return not value.keys
    return isinstance(value, ast.Call) and fresh(value)


def _classify(node: ast.Name, parent: ast.AST, parents: dict, use: _Uses, returned, loops: dict) -> None:
    """One read of a container."""
    if isinstance(parent, ast.Attribute) and parent.attr == "append":
        call = parents.get(parent)
        if isinstance(call, ast.Call) and call.func is parent and len(call.args) == 1 and not call.keywords:
            use.stores[1].add(_ANY)
            return
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "len" \
            and parent.args == [node]:
        return
    loop = parent if isinstance(parent, ast.For) and parent.iter is node else parents.get(parent)
    if isinstance(loop, ast.For) and (loop.iter is node or (
            loop.iter is parent and isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name)
            and parent.func.id == "enumerate")):
        target = loop.target.elts[1] if isinstance(loop.target, ast.Tuple) and len(loop.target.elts) == 2 \
            else loop.target
        if isinstance(target, ast.Name) and loops.get(target.id) == node.id:
            use.reads.append(("loop", _ANY, _ANY))  # (the items' own keys: their reads, _classify_item)
        else:
            use.other = True
        return
    if returned(node):
        return
    if not (isinstance(parent, ast.Subscript) and parent.value is node):
        use.other = True
        return
    outer = parents.get(parent)
    if isinstance(parent.ctx, ast.Store):  # out[k] = v
        use.stores[1].add(_key(parent))
        use.other |= not _assigned(parent, outer)
    elif isinstance(outer, ast.Subscript) and outer.value is parent:
        if isinstance(outer.ctx, ast.Store) and _assigned(outer, parents.get(outer)):  # out[k][c] = v
            use.stores[2].add(_key(outer))
            use.reads.append(("into", _key(parent), _ANY))
        elif isinstance(outer.ctx, ast.Load) and not isinstance(parents.get(outer), ast.Subscript):
            use.reads.append(("field", _key(parent), _key(outer)))  # out[k][c]
        else:
            use.other = True
    else:
        use.reads.append(("value", _key(parent), _ANY))  # out[k], as a value


def _classify_item(node: ast.Name, parent: ast.AST, parents: dict, use: _Uses) -> None:
    """One read of an item name a loop gives a container's items (`line`)."""
    if isinstance(parent, ast.Subscript) and parent.value is node:
        outer = parents.get(parent)
        if isinstance(parent.ctx, ast.Store) and _assigned(parent, outer):  # line[c] = v
            use.stores[2].add(_key(parent))
            return
        if isinstance(parent.ctx, ast.Load) and not isinstance(outer, ast.Subscript):  # line[c]
            use.reads.append(("field", _ANY, _key(parent)))
            return
    use.other = True


def _assigned(target: ast.Subscript, statement: ast.AST | None) -> bool:
    """`target` is the one target of a plain assignment (not `+=`, not `del`, not unpacked)."""
    return isinstance(statement, ast.Assign) and statement.targets == [target]


def _meets_a_store(use: _Uses) -> bool:
    """Whether a read may meet a value stored into the container."""
    ones, twos = use.stores[1], use.stores[2]
    for kind, first, second in use.reads:
        stored_item = _ANY in ones or (first in ones if first is not _ANY else bool(ones))
        if kind == "loop":  # the items walked: whole ones stored?
            hit = bool(ones)
        elif kind == "into":  # an item stored into: itself a stored value?
            hit = stored_item
        elif kind == "value":  # an item read whole: stored, or holding stored fields
            hit = stored_item or bool(twos)
        else:  # a field of an item
            hit = stored_item or (bool(twos) if second is _ANY else (_ANY in twos or second in twos))
        if hit:
            return True
    return False
