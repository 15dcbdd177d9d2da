"""Pure loops as one state: a cycle of Pass and Choice states becomes one JSONata expression.

The lowering makes a state per statement, per iteration and per guard, so a loop of 10,000
iterations that calls no callee writes tens of thousands of history events (AWS stops a
STANDARD execution at 25,000). After the graph is built, every strongly connected set of
Pass/Choice states (a loop whose body calls nothing, waits for nothing, fans out nothing)
is replaced by two states that compute the same thing:

    Run <loop>    a Pass whose Assign sets one hidden variable to the result of running the
                  loop's states in JSONata: their variables carried as an object, each
                  state's Assign and Choice rules evaluated as Step Functions would
    After <loop>  a Choice that sets the loop's variables from that object and goes where
                  the loop's states would have gone: the code after the loop, a `return`, or
                  the exception machinery (the guard rules' records, handlers, Fail states)

Because the graph is the one the builder made, its analyses (types, sharing, definite
assignment, guards, exception routing) hold unchanged: this is a change of representation,
not of meaning. The JSONata runs the states in steps (one step: from a state where control
flow joins to the next such state) with `$reduce` over chunks of doubling size (no
recursion); after a budget of steps it stops at a step boundary, and the Choice sets the
variables and enters the Pass again (an endless loop stays a loop of states, as before, and
one evaluation stays bounded). The budget is NODE_BUDGET expression nodes per evaluation,
over the step's estimated size, so a big body runs fewer steps per evaluation (at least
one: as many states as before).

The object a step passes on carries only what a later step or the code after the loop may
read before setting it (a liveness analysis of the graph), a step unpacks only what it may
read before setting it, and a step's end names only what its path set (the driver merges it
into the object). Its locals have short names (`$s`, `$step`, `$t1`) where no state mentions
them. A way out's values that only leave the loop (an exception's record, whose message calls
helpers) are not computed in the loop's field: the step's end carries what they read, and the
After state's rule for that way out computes them (see _Step._sink).

A `for` loop over a list it does not change (its head tests `$__i < $count($__items)` and
sets the item and the position + 1; see _ForEach) is written as a person would write it: a
`$reduce` over the items whose function takes the item as its argument, runs a step per item
from the position the evaluation starts at, and stops at the budget with `"@step"` 0 and the
position reached; no object of positions, no step function, no counter in the step ends.
Where its body joins again (an `if` with no `else`, a `try`), each join starts a step, and
the function runs an item's steps one after another (they form no cycle: see _in_order); a
loop inside the loop keeps the general form.

A loop entered at more than one state (its body calls a callee on some paths only, by a
branch of the source, and the call's Task leads back into it) is folded too: each entry
starts a step, the transition into the Run state sets the program counter to it, and its
lists are read by position (an object of positions, built per evaluation, would cost a list's
length per call); a call then costs the Run and After states beside its Task, the iterations
between calls none.

Left as they are: cycles through any other state, states that read `$states` or the clock,
and loops whose only ways out fail the machine (an endless `while True:`, which as states
meets the history quota at once).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import attrs

from . import ir, jsonata_lib, jsonata_text, positional_lists
from .counters import counters as counters_of

# the helpers that call a JSONata function for every item of the list they are given first, with
# the nodes they spend per item (measured in the emulator, benchmarks/README.md "What a step
# costs"); a slice walks the list it slices (or reads its positions: fewer)
WALK_NODES = {"setitem": 9, "delitem": 7, "insert": 31, "map": 7, "filter": 22, "slice1_list": 9, "slice_list": 14,
              "delslice": 33}
# ... and those that compare items with Python's ==, whose cost follows the size of the items: per
# character of the list's JSON text, with a boolean in it (the list copied with its bools as 0 and
# 1 first: $__pynorm) or without (JSONata's `=` at once)
COMPARE_NODES = {"contains", "list_index", "list_count", "pyeq"}
CHAR_NODES_WITH_BOOLEANS, CHAR_NODES = 26, 2
FILTER_NODES = 6  # `$xs[$i]` of a list the loop changes: the index evaluated for every item
# a step-1 slice of a list the loop does not change, of a constant width (`xs[i - 5:i]`), reads
# that list's positions (graph/indexed_reads.py): per item taken, and per item of the list for
# the object of its positions, built once an evaluation
POSITION_NODES, POSITIONS_BUILD_NODES = 12, 5  # (measured: benchmarks/bench_walks.py)
_WALK = re.compile(r"\$__(" + "|".join([*WALK_NODES, *COMPARE_NODES]) + r")\(\$([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_])")
_FLOAT_PRINT = re.compile(r"\$__(?:pyfloat|jnum)\(")
_FLOAT_PRINT_CHARS = 450 * 8  # (a step's text counts a node per 8 characters)
NODE_BUDGET = 250_000  # JSONata nodes one evaluation may spend (about 1 s in jsonata-js; the emulator stops at 1,000,000)
MAX_STEPS = 8192  # steps per evaluation at most, then the Choice sends it round again
# a list held whole (positional_lists.hold): the steps of an evaluation stop once the lists held
# in it pass this many items (their positions: POSITIONS_BUILD_NODES each, half the budget)
HELD_ITEMS = NODE_BUDGET // (2 * POSITIONS_BUILD_NODES)
HELD_START_SHARE = 4  # ... and those held as it starts leave the steps at least 1 / this of it
MERGED_KEYS = 64  # keys a `$merge` copies for the time of one node (a list held by position, see positional_lists)
FIRST_CHUNK = 16
LARGEST_CHUNK = 4096
_AT = '"@step"'  # the result object's key for the step to run next (no variable is named so)
_TAKEN = '"@taken"'  # with record_branches: the source's branches a run took inside (their ids)


@attrs.frozen
class Folded:
    """With record_branches: a Run state, the variable its result goes to, and the source's
    branches folded into it (id -> where: line, source text, which way), whose ids the
    result's `"@taken"` object names when the run took them."""

    node: ir.Node
    variable: str
    branches: dict
_VARIABLE = ir.VARIABLE
_HELPER_CALL = re.compile(r"\$__([a-z0-9_]+)\(")


@functools.cache
def _helper_nodes(name: str) -> int:
    """The nodes one call of a helper spends, estimated as a step's are (a node per 8
    characters of its text), with the helpers its text calls (once each)."""
    body = jsonata_lib.HELPERS[name][1]
    return len(body) // 8 + sum(_helper_nodes(called) for called in _HELPER_CALL.findall(body)
                                if called in jsonata_lib.HELPERS and called != name)


def collapse_pure_loops(graph: ir.Graph, record_branches: bool = False, shown: frozenset = frozenset()) -> list[Folded]:
    """Replace the pure loops of a machine (and of its branches and map bodies) in place.
    With `record_branches` (a build for coverage), each Run's result also names the source's
    branches it took inside (a history cannot show them otherwise); returns where they are.
    `shown`: variables set for the history only (print's line, a log record), which a folded
    straight-line block sets all the same (a loop's are computed and not kept)."""
    graphs = list(ir.graphs(graph))
    reads: set[str] = set()
    names: set[str] = set()
    for one in graphs:
        for node in ir.nodes(one):
            reads |= ir.node_mentions(node)
            for edge in ir.edges(node):
                names |= set(edge.assign or ())
    fresh = _Names(names | reads, variables=frozenset(names))
    fresh.record = record_branches
    counters = counters_of(graphs)
    for one in graphs:
        _collapse_graph(one, reads, fresh, counters)
    # the names each state mentions, after the loops became states of their own
    machine_reads = {id(node): ir.node_mentions(node) - (fresh.inner.get(id(node), frozenset())
                                                         if isinstance(node, ir.Choice) else frozenset())
                     for one in ir.graphs(graph) for node in ir.nodes(one)}
    made: set[int] = set()  # the Run and After states of blocks: never part of another block
    for one in list(ir.graphs(graph)):
        while _collapse_blocks(one, machine_reads, fresh, made, shown):
            pass
    return fresh.folded


class _Names:
    """Hidden variable names no state of the machine uses."""

    def __init__(self, taken: set[str], variables: frozenset = frozenset()):
        self.taken = taken
        self.variables = variables  # the workflow variables: names some state assigns
        self.count = 0
        self.record = False  # record the source's branches taken inside (a build for coverage)
        self.folded: list[Folded] = []
        self.inner: dict[int, frozenset] = {}  # a Run state's id -> the names its JSONata sets before it reads
        prefix = "__pl"
        while any(name.startswith(prefix) for name in taken):
            prefix += "_"
        self.prefix = prefix  # also the prefix of the JSONata locals of the expressions

    def local(self, short: str) -> str:
        """A JSONata local of the folded code (the carried state, the step function, ...):
        `$short` where no state of the machine mentions that name (then nothing it evaluates
        can see the local or be hidden by it; none is a JSONata or AWS function's name), else
        the prefixed name."""
        return f"${short}" if short not in self.taken else f"${self.prefix}_{short}"

    def new(self, hint: str) -> str:
        self.count += 1
        name = f"{self.prefix}{hint}{self.count}"
        self.taken.add(name)
        return name


def _pure(node: ir.Node) -> bool:
    if not isinstance(node, (ir.Pass, ir.Choice)):
        return False
    return not any(ir.IMPURE.search(code.text) for value in ir.node_values(node) for code in ir.codes(value))


def _cycles(nodes: list[ir.Node]) -> list[list[ir.Node]]:
    """The strongly connected sets of pure states that hold a cycle (Tarjan, iteratively)."""
    pure = {id(n): n for n in nodes if _pure(n)}
    successors = {key: [id(e.target) for e in ir.edges(n) if e.target is not None and id(e.target) in pure]
                  for key, n in pure.items()}
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    found: list[list[ir.Node]] = []
    counter = 0
    for root in pure:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            key, position = work.pop()
            if position == 0:
                index[key] = low[key] = counter
                counter += 1
                stack.append(key)
                on_stack.add(key)
            children = successors[key]
            if position < len(children):
                work.append((key, position + 1))
                child = children[position]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[key] = min(low[key], index[child])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[key])
            if low[key] == index[key]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == key:
                        break
                if len(members) > 1 or key in successors[key]:
                    order = {id(n): position for position, n in enumerate(nodes)}
                    found.append(sorted((pure[m] for m in members), key=lambda n: order[id(n)]))
    return found


def _defined(graph: ir.Graph, nodes: list[ir.Node]) -> dict[int, frozenset]:
    """For each edge (by id of its holder and attr), the variables certainly assigned after
    it: a forward must-analysis over the states of one scope."""
    every = frozenset().union(*(frozenset(e.assign or ()) for n in nodes for e in ir.edges(n)))
    into: dict[int, frozenset] = {id(n): every for n in nodes}
    if graph.entry is not None:
        into[id(graph.entry)] = frozenset()
    changed = True
    while changed:
        changed = False
        incoming: dict[int, frozenset] = {}
        for node in nodes:
            for edge in ir.edges(node):
                target = edge.target
                if target is None:
                    continue
                out = into[id(node)] | frozenset(edge.assign or ())
                key = id(target)
                incoming[key] = incoming[key] & out if key in incoming else out
        for node in nodes:
            new = frozenset() if node is graph.entry else incoming.get(id(node), every)
            if new != into[id(node)]:
                into[id(node)] = new
                changed = True
    return {id(n): into[id(n)] for n in nodes}


# -- one loop -----------------------------------------------------------------------------
def _collapse_graph(graph: ir.Graph, reads: set[str], fresh: _Names, counters: frozenset = frozenset()) -> None:
    for cycle in _cycles(ir.nodes(graph)):
        _collapse(graph, cycle, reads, fresh, counters)


_ITEM_AT = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\[\$([A-Za-z_][A-Za-z0-9_]*)\]")


_BOUND = re.compile(r"\s*\(?\s*(?:\$([A-Za-z_][A-Za-z0-9_]*)\s*(?:([+-])\s*(\d+))?|(\d+))\s*\)?\s*")


def _constant_width(text: str, after: int) -> int | None:
    """The items a `$__slice1_list($xs, lo, hi)` whose arguments start at `after` takes, where
    lo and hi are one variable plus or minus numbers (or both numbers): hi - lo, at least 0."""
    close = jsonata_lib.closing(text, text.rfind("(", 0, after))
    if close < 0:
        return None
    parts = jsonata_lib.arguments(text[after:close])  # ("", lo, hi): after `$xs`
    if parts is None or len(parts) != 3 or parts[0]:
        return None
    parts = parts[1:]
    bounds = []
    for part in parts:
        match = _BOUND.fullmatch(part)
        if match is None:
            return None
        name, sign, offset, number = match.groups()
        value = int(number) if number is not None else int(offset or 0) * (-1 if sign == "-" else 1)
        bounds.append((name, value))
    (lo_name, lo), (hi_name, hi) = bounds
    return max(0, hi - lo) if lo_name == hi_name else None


def _indexed(cycle: list[ir.Node], assigned: set[str], variables: frozenset, counters: frozenset) -> list[str]:
    """The lists a loop reads by position (`$xs[$i]`: `xs` not set in the loop, `i` a counter
    it advances). jsonata-js (AWS's engine) evaluates the filter `[$i]` once per item of `$xs`
    (the emulator once, where it reads no item), so a loop over n items would cost n * n; see
    _Step.program."""
    found: list[str] = []
    for node in cycle:
        for value in ir.node_values(node):
            for code in ir.codes(value):
                for items, index in _ITEM_AT.findall(code.text):
                    if items in variables and items not in assigned and index in counters and index in assigned \
                            and items not in found:
                        found.append(items)
    return found


def _collapse(graph: ir.Graph, cycle: list[ir.Node], reads: set[str], fresh: _Names,
              counters: frozenset = frozenset()) -> None:
    nodes = ir.nodes(graph)
    members = {id(n) for n in cycle}
    entries = [(node, edge) for node in nodes if id(node) not in members for edge in ir.edges(node)
               if edge.target is not None and id(edge.target) in members]
    heads = {id(edge.target) for _, edge in entries}
    if graph.entry is not None and id(graph.entry) in members:
        heads.add(id(graph.entry))
    # entered at several states (a loop whose body calls a callee on some paths only: the call's
    # Task leads back into it, `if k not in cache: cache[k] = lookup(k)`): each entry starts a
    # step, the program counter set on the way in says which
    resumed = len(heads) > 1
    head = next(n for n in cycle if id(n) in heads)
    if resumed and not _source_cycle(head, members):
        return  # iterations without a call only where a check raises (`except KeyError: continue`): as states
    assigned: set[str] = set()
    predecessors: dict[int, int] = {id(n): 0 for n in cycle}
    predecessors[id(head)] += 1  # entered from outside
    for node in cycle:
        for edge in ir.edges(node):
            assigned |= set(edge.assign or ())
            if edge.target is not None and id(edge.target) in members:
                predecessors[id(edge.target)] += 1
    leaders = [head] + [n for n in cycle if n is not head and (predecessors[id(n)] > 1 or id(n) in heads)]
    in_order = _in_order(leaders, members)  # None: a loop inside (its own head is a leader)
    # carried: what a step may read before it sets it (set by an earlier step, or before the
    # loop), and what the states after the loop may read before they set it
    live = _live_in(nodes, fresh.inner)
    after = {name for node in cycle for edge in ir.edges(node)
             if edge.target is not None and id(edge.target) not in members for name in live[id(edge.target)]}
    carried = sorted(assigned & reads & (_step_reads(leaders, members) | after))
    each = None if fresh.record or in_order is None or resumed else _for_each(head, cycle, members, assigned, after)
    if each is not None:
        leaders = in_order
    pc_var = fresh.new("pc") if len(leaders) > 1 and each is None else None
    result_var = fresh.new("loop")
    defined = _defined(graph, nodes)
    indexed = _indexed([node for node in cycle if each is None or node is not head], assigned, fresh.variables,
                       counters)
    # entered again after each call, it runs as many evaluations as there are calls: an object
    # of a list's positions built in each would cost the list's length per call (n * n where
    # most items call). Built once as the loop starts, it is kept in a variable of its own
    # (`kept`) while nothing on the way back from a call sets the list; other lists are read by
    # position, each read's walk counted in the budget
    back, set_back = _way_back(cycle, members) if resumed else (frozenset(), frozenset())
    kept = {name: fresh.new("pos") for name in indexed if name not in set_back} if resumed else {}
    if resumed:
        indexed = [name for name in indexed if name in kept]
    step = _Step(cycle, members, leaders, carried, fresh.prefix, variables=fresh.variables,
                 indexed=indexed, counters=counters, record=fresh.record, local=fresh.local, live=live,
                 assigned=frozenset(assigned), each=each, resumed=resumed, kept=kept)
    code = step.program(pc_var)
    state = step.state_names
    if all(isinstance(target, ir.Fail) for target in step.exits):
        return  # it ends only by failing the machine (`while True:` with no way out): endless, most
        # likely; as states it meets the history quota at once instead of after hours of JSONata
    run = ir.Pass(title=f"Run {head.title}", assign={result_var: ir.Code(code, step.helpers, by_position=not resumed)})
    if step.branches:
        fresh.folded.append(Folded(run, result_var, step.branches))
    after = ir.Choice(title=f"After {head.title}")
    for node in cycle:
        for line, text in node.lines:
            run.describe(line, text)
    if head.lines:
        after.describe(*head.lines[0])
    def unpack(names) -> dict:
        return {name: ir.Code(f"$lookup(${result_var}, {jsonata_lib.string(name)})") for name in sorted(names)}

    # the step budget ran out: on with the next evaluation (the compiler's, not the source's
    # branch: a check rule, so that coverage counts it apart), which starts from the state
    again = unpack(state)
    if pc_var is not None:
        again[pc_var] = ir.Code(f"$lookup(${result_var}, {_AT})")
    after.rules.append(ir.Rule(ir.Code(f"$lookup(${result_var}, {_AT}) < {len(leaders)}"), again, run,
                               check="the loop goes on in a new evaluation"))
    kept_vars = sorted(kept.values())
    # the first way out no check leads to is the Default (the loop's normal end, mostly)
    normal = next((k for k in range(len(step.exits)) if not step.exit_check(k)), None)
    for position, target in enumerate(step.exits):
        assign = step.exit_assign(position, result_var)  # what the states after it may read
        if kept_vars and (position == normal or isinstance(target, ir.Fail)):  # the loop is over: its
            assign.update({var: None for var in kept_vars})  # positions go (entered again: built again)
        if position == normal:
            after.default, after.default_assign = target, {**assign, result_var: None}
            continue
        if not isinstance(target, ir.Fail):  # the result goes, unless the machine ends here
            assign[result_var] = None
        rule = ir.Rule(ir.Code(f"$lookup(${result_var}, {_AT}) = {len(leaders) + position}"),
                       assign, target, check=step.exit_check(position))
        after.rules.append(rule)
    if normal is None:  # every way out is a check's (cannot be: the loop has a source exit)
        last = after.rules.pop()
        after.default, after.default_assign = last.next, last.assign
    run.next = after
    fresh.inner[id(run)] = frozenset(assigned) - state  # what its JSONata sets before it reads
    fresh.inner[id(after)] = step.sunk_locals()
    # enter: the state's variables not certainly set yet start as null (nothing reads
    # them before Python assigns them: the builder refused any such read)
    for node, edge in entries:
        out = defined[id(node)] | frozenset(edge.assign or ())
        start = {pc_var: leaders.index(edge.target)} if pc_var is not None else {}
        init = {**start, **{name: None for name in sorted(state) if name not in out}}
        starts = bool(kept) and id(node) not in back
        if starts:  # the loop starts: its lists' positions, once (the list is set by then: a
            # state of its own, after the transition that may set it)
            init.update({var: ir.Code(_kept_positions(name)) for name, var in kept.items()})
        if starts or init and edge.assign is None:
            setattr(edge.holder, edge.attr, ir.Pass(title=f"Enter {head.title}", assign=init, next=run))
            continue
        if init:  # a new dict: the builder may share one between transitions
            setattr(edge.holder, edge.assign_attr, {**edge.assign, **init})
        setattr(edge.holder, edge.attr, run)
    if graph.entry is not None and id(graph.entry) in members:
        start = {pc_var: leaders.index(graph.entry)} if pc_var is not None else {}
        init = {**start, **{name: None for name in sorted(state)},
                **{var: ir.Code(_kept_positions(name)) for name, var in kept.items()}}
        graph.entry = ir.Pass(title=f"Enter {graph.entry.title}", assign=init, next=run) if init else run


_FOR_TEST = re.compile(r"\(?\$([A-Za-z_][A-Za-z0-9_]*) < \$count\(\$([A-Za-z_][A-Za-z0-9_]*)\)\)?")


@attrs.frozen
class _ForEach:
    """A loop whose head is a `for` over a list the loop does not change: `$items[$index]`
    to the loop's variables, `$index` + 1, and on while `$index < $count($items)`. Its steps
    run as a `$reduce` over the items (see _Step.program): the item is the function's
    argument, the position its index, and no step carries the counter."""

    items: str
    index: str


KEPT_POSITIONS_CHARS = 100_000  # a list's positions kept only below this (AWS: 256 KB a variable)


def _kept_positions(name: str) -> str:
    """JSONata: the list `name` as an object keyed by position, or null where it is empty (no
    object: nothing to keep) or its text too long to keep in a variable (each evaluation then
    builds it: slower, never over a limit)."""
    return (f"($p := {positional_lists.to_positions(f'${name}')}; "
            f"$type($p) = 'object' and $length($string(${name})) < {KEPT_POSITIONS_CHARS} ? $p : null)")


def _way_back(cycle: list[ir.Node], members: set[int]) -> tuple[frozenset, frozenset]:
    """(the ids of the states outside the loop reachable from a way out, the variables they
    may set): a call's Task and what follows it, what may change a list between two evaluations
    (the states after the loop count too: an over-approximation)."""
    names: set = set()
    seen: set[int] = set()
    todo = [edge.target for node in cycle for edge in ir.edges(node)
            if edge.target is not None and id(edge.target) not in members]
    while todo:
        node = todo.pop()
        if id(node) in members or id(node) in seen:
            continue
        seen.add(id(node))
        for edge in ir.edges(node):
            names |= set(edge.assign or ())
            if edge.target is not None:
                todo.append(edge.target)
    return frozenset(seen), frozenset(names)


def _source_cycle(head: ir.Node, members: set[int]) -> bool:
    """Whether an iteration can go round from `head` to `head` through the folded states by the
    source's own branches (not a compiler check's rule: a way that raises)."""
    seen, todo = set(), [head]
    while todo:
        node = todo.pop()
        for edge in ir.edges(node):
            target = edge.target
            if target is None or id(target) not in members or getattr(edge.holder, "check", ""):
                continue
            if target is head:
                return True
            if id(target) not in seen:
                seen.add(id(target))
                todo.append(target)
    return False


def _for_each(head: ir.Node, cycle: list[ir.Node], members: set[int], assigned: set[str],
              after: set[str]) -> _ForEach | None:
    if not isinstance(head, ir.Choice) or len(head.rules) != 1 or head.default_assign:
        return None
    rule = head.rules[0]
    test = _FOR_TEST.fullmatch(rule.condition.text.strip())
    if test is None or rule.next is None or id(rule.next) not in members or id(head.default) in members:
        return None
    index, items = test.groups()
    step = rule.assign.get(index)
    if items in assigned or index in after or not isinstance(step, ir.Code) or step.text.strip() not in (
            f"${index} + 1", f"(${index} + 1)"):
        return None
    item = f"${items}[${index}]"
    for name, value in rule.assign.items():  # the rest reads the item and its position only
        if name == index:
            continue
        texts = [code.text.replace(item, "") for code in ir.codes(value)]
        if not isinstance(value, ir.Code) or any(_mentions(text, items) for text in texts):
            return None
    if any(index in ir.node_mentions(node) for node in cycle if node is not head):
        return None  # the body reads the position: it stays a variable the steps carry
    return _ForEach(items, index)


def _variable(name: str) -> re.Pattern:
    """The variable `$name` where a text reads it (not `$name2`)."""
    return re.compile(re.escape(f"${name}") + r"(?![A-Za-z0-9_])")


def _mentions(text: str, name: str) -> bool:
    return _variable(name).search(text) is not None


def _in_order(leaders: list[ir.Node], members: set[int]) -> list[ir.Node] | None:
    """The leaders, the head first, in an order where a step leads only to a later one or
    back to the head: one iteration runs each at most once, in this order. None where a step
    leads to itself or an earlier one other than the head (a loop inside the loop)."""
    head, known = leaders[0], {id(n) for n in leaders}
    after: dict[int, set[int]] = {id(n): set() for n in leaders}
    for leader in leaders:
        stack = [leader]
        while stack:  # from a leader to the next: a tree
            for edge in ir.edges(stack.pop()):
                target = edge.target
                if target is None or id(target) not in members or target is head:
                    continue
                if id(target) in known:
                    after[id(leader)].add(id(target))
                else:
                    stack.append(target)
    by_id, rank = {id(n): n for n in leaders}, {id(n): k for k, n in enumerate(leaders)}
    before = {id(n): 0 for n in leaders}
    for targets in after.values():
        for target in targets:
            before[target] += 1
    if before[id(head)]:
        return None
    order, ready = [], [head]
    while ready:
        leader = ready.pop(0)
        order.append(leader)
        for target in sorted(after[id(leader)], key=rank.__getitem__):
            before[target] -= 1
            if not before[target]:
                ready.append(by_id[target])
    return order if len(order) == len(leaders) else None


def _chunks(budget: int) -> list[int]:
    """The sizes of the chunks of steps one evaluation runs, `budget` steps in all: doubling
    from FIRST_CHUNK up to LARGEST_CHUNK (a short loop pays for a short chunk only)."""
    sizes, size, left = [], min(FIRST_CHUNK, budget), budget
    while True:
        sizes.append(size)
        if left <= size:
            return sizes
        left -= size
        size = min(size * 2, LARGEST_CHUNK, left)


def _step_reads(leaders: list[ir.Node], members: set[int], only: ir.Node | None = None) -> set[str]:
    """The names some path of a loop's step (from a leader to the next leader or a way out;
    `only`: from that leader) may read before it sets them."""
    starts = {id(n) for n in leaders}
    out: set[str] = set()
    for leader in [only] if only is not None else leaders:
        stack = [(leader, frozenset())]
        while stack:  # the states from one leader to the next are a tree: no cycle here
            node, changed = stack.pop()
            out |= ir.node_mentions(node) - changed
            for edge in ir.edges(node):
                target = edge.target
                if target is not None and id(target) in members and id(target) not in starts:
                    stack.append((target, changed | frozenset(edge.assign or ())))
    return out


def _live_in(nodes: list[ir.Node], inner: dict[int, frozenset]) -> dict[int, frozenset]:
    """The names each state (of one graph) or a state after it may read before they are set
    again (a variable's value that may still matter there). What a Parallel branch or a Map
    item processor mentions counts as read at its state (they read the outer variables);
    `inner`: the names a Run state's JSONata mentions but sets before reading."""
    reads = {id(n): frozenset(_mentions_within(n) - inner.get(id(n), frozenset())) for n in nodes}
    live = dict(reads)
    changed = True
    while changed:
        changed = False
        for node in reversed(nodes):
            out = set(reads[id(node)])
            for edge in ir.edges(node):
                if edge.target is not None:
                    out |= live.get(id(edge.target), frozenset()) - frozenset(edge.assign or ())
            if out != live[id(node)]:
                live[id(node)] = frozenset(out)
                changed = True
    return live


def _mentions_within(node: ir.Node) -> set[str]:
    """What a state mentions, with the states of its branches or item processor."""
    out = ir.node_mentions(node)
    inner = [node.processor] if isinstance(node, ir.Map) and node.processor is not None else (
        node.branches if isinstance(node, ir.Parallel) else [])
    for graph in inner:
        for one in ir.graphs(graph):
            for state in ir.nodes(one):
                out |= ir.node_mentions(state)
    return out


# -- straight-line pure code ----------------------------------------------------------------
MIN_BLOCK = 3  # states a pure block must have to become two
MAX_FIELD = 1000  # characters of a block's JSONata field (helpers included): a longer block is cut short


def _collapse_blocks(graph: ir.Graph, machine_reads: dict[int, set[str]], fresh: _Names, made: set[int],
                     shown: frozenset = frozenset()) -> bool:
    """Pure code outside loops (assignments, guards, if/else between two callee calls) as two
    states, where it was three or more: a Pass that runs the states in JSONata once, and a
    Choice that sets the variables they changed and goes where they went. A block is a tree of
    pure states: its head, and the pure states only one transition leads to, from inside it."""
    nodes = ir.nodes(graph)
    looping = {id(n) for cycle in _cycles(nodes) for n in cycle}
    incoming: dict[int, int] = {id(graph.entry): 1} if graph.entry is not None else {}
    for node in nodes:
        for edge in ir.edges(node):
            if edge.target is not None:
                incoming[id(edge.target)] = incoming.get(id(edge.target), 0) + 1
    pure = {id(n) for n in nodes if _pure(n) and id(n) not in looping and id(n) not in made}
    taken: set[int] = set()
    blocks = []
    for head in nodes:
        if id(head) not in pure or id(head) in taken:
            continue
        block, stack = [], [head]
        while stack:
            node = stack.pop()
            block.append(node)
            taken.add(id(node))
            for edge in reversed(ir.edges(node)):
                target = edge.target
                if target is not None and id(target) in pure and id(target) not in taken \
                        and incoming.get(id(target)) == 1 and target is not graph.entry:
                    stack.append(target)
        blocks.append(block)
    defined = _defined(graph, nodes)
    collapsed = False
    for block in blocks:
        # a field too long for a person to read: the block stops earlier (the last state in
        # depth-first order is a leaf of the tree); the rest is a block of its own next time
        while len(block) >= MIN_BLOCK:
            if _collapse_block(graph, nodes, block, fresh, defined, machine_reads, made, shown):
                collapsed = True
                break
            block.pop()
    return collapsed


def _collapse_block(graph, nodes, block, fresh, defined, machine_reads, made, shown=frozenset()) -> bool:
    head = block[0]
    members = {id(n) for n in block}
    assigned: set[str] = set()
    for node in block:
        for edge in ir.edges(node):
            assigned |= set(edge.assign or ())
    # what the block sets and someone else reads: a state outside it (the block may run again,
    # in a loop of states, and read its own variables before setting them: those count too)
    outside = {name for key, names in machine_reads.items() if key not in members for name in names}
    carried = sorted(assigned & (outside | _exposed(head, members) | shown))
    if len(set(carried) & {name for node in block for name in getattr(node, "bulky", ())}) > 1:
        return False  # (one variable, then one Assign, would hold two collections: builder.assign)
    step = _Step(block, members, [head], carried, fresh.prefix, known=defined[id(head)], variables=fresh.variables,
                 record=fresh.record, local=fresh.local, assigned=frozenset(assigned))
    code = step.once()
    if len(jsonata_lib.render(code)) > MAX_FIELD:
        return False
    result_var = fresh.new("block")
    run = ir.Pass(title=f"Run {_block_title(block)}", assign={result_var: ir.Code(code, step.helpers)})
    if step.branches:
        fresh.folded.append(Folded(run, result_var, step.branches))
    for node in block:
        for line, text in node.lines:
            run.describe(line, text)
    after = ir.Choice(title=f"After {_block_title(block)}")
    if head.lines:
        after.describe(*head.lines[0])
    run.next = after
    normal = next((k for k, target in enumerate(step.exits) if not isinstance(target, ir.Fail)
                   and not step.exit_check(k)), None)
    if normal is None:
        normal = next((k for k, target in enumerate(step.exits) if not isinstance(target, ir.Fail)), 0)
    for position, target in enumerate(step.exits):
        unpack = step.exit_assign(position, result_var)
        if position == normal:
            after.default, after.default_assign = target, {**unpack, result_var: None}
            continue
        if not isinstance(target, ir.Fail):  # the result goes, unless the machine ends here
            unpack[result_var] = None
        after.rules.append(ir.Rule(ir.Code(f"$lookup(${result_var}, {_AT}) = {1 + position}"),
                                   unpack, target, check=step.exit_check(position)))
    if not after.rules:  # one way out: the variables are set by a Pass
        after = ir.Pass(title=after.title, lines=after.lines, assign=after.default_assign, next=after.default)
        run.next = after
    for node in nodes:
        if id(node) in members:
            continue
        for edge in ir.edges(node):
            if edge.target is head:
                setattr(edge.holder, edge.attr, run)
    if graph.entry is head:
        graph.entry = run
    made.update((id(run), id(after)))
    machine_reads[id(run)] = ir.node_mentions(run)
    machine_reads[id(after)] = ir.node_mentions(after) - step.sunk_locals()
    return True


def _exposed(head: ir.Node, members: set[int]) -> set[str]:
    """The names the block's states read before the block sets them (on some path)."""
    out: set[str] = set()
    stack = [(head, frozenset())]
    while stack:
        node, changed = stack.pop()
        out |= ir.node_mentions(node) - changed
        for edge in ir.edges(node):
            if edge.target is not None and id(edge.target) in members:
                stack.append((edge.target, changed | frozenset(edge.assign or ())))
    return out


def _block_title(block: list) -> str:
    lines = sorted({line for node in block for line, _ in node.lines})
    if not lines:
        return block[0].title
    return f"line {lines[0]}" if len(lines) == 1 else f"lines {lines[0]}-{lines[-1]}"


class _Step:
    """The JSONata that runs a loop's states: a function from the carried variables (an
    object with `"@step"`, the step to run) to the same after one step; `program` adds the
    driver that applies it until the loop leaves (or the budget is spent)."""

    def __init__(self, cycle, members: set[int], leaders: list, carried: list[str], prefix: str,
                 known: frozenset | None = None, variables: frozenset = frozenset(),
                 indexed: list[str] | None = None, counters: frozenset = frozenset(), record: bool = False,
                 local=None, live: dict | None = None, assigned: frozenset = frozenset(),
                 each: _ForEach | None = None, resumed: bool = False, kept: dict | None = None):
        # known: None for a loop (a way out names what the step set, merged into its input);
        # for a block run once, the variables set before it (see once())
        self.known = known
        # a loop's: the names each state after it may read before setting them (_live_in)
        self.live = live
        self.state_names: frozenset = frozenset(carried)  # a loop's: see _fill()
        self.step_reads: frozenset = frozenset()
        self.variables = variables  # the machine's workflow variables (what _bind_repeated may read)
        self.exit_names: list[frozenset] = []
        # the step ends to fill in: (way out, or None for a next step; "@step"; set on the way;
        # branches taken; the statement before it, see _ending)
        self.leaves: list[tuple[int | None, str, frozenset, frozenset, tuple | None]] = []
        self.members = members
        self.leaders = {id(n): position for position, n in enumerate(leaders)}
        self.leader_now = 0  # the leader whose step is being written (see _leaf)
        self.leader_nodes = leaders
        self.carried = carried
        self.prefix = prefix
        self.local = local or (lambda short: f"${prefix}_{short}")  # see _Names.local
        self.exits: list[ir.Node] = []
        # what the folded states set (a sunk value reads these as they were at the way out)
        self.assigned = assigned
        # exit position -> the values its Assign computes after the fold, in the After state
        # (name -> JSONata), and the names they read that the step's end carries (see _sink)
        self.exit_sunk: list[dict[str, str]] = []
        self.exit_captures: list[tuple[str, ...]] = []
        # exit position -> what the compiler's checks on every way to it raise (a way out
        # only a check leads to is no branch of the source: coverage counts it apart), or
        # None once a way without a check leads there
        self.exit_checks: dict[int, str | None] = {}
        # record: the source's branches inside (a Choice rule that is no check, or the Default
        # of a Choice with one) get ids, and each way out names those its path took
        self.record = record
        self.branch_ids: dict[tuple[int, int], str] = {}
        self.branches: dict[str, dict] = {}
        self.helpers: frozenset = frozenset()
        self.temp = 0
        self.temps: set[str] = set()  # the names of the temporaries (see _temp)
        self.temp_shorts: list[str] = []
        # characters the step's text no longer has but its budget counts (see _budget)
        self.budget_extra = 0
        # the variables some folded state reads (a value setting another one is not needed)
        self.mentioned = frozenset().union(*(ir.node_mentions(n) for n in cycle))
        # the lists read by position, each with the local holding it as an object keyed by
        # position (built once per evaluation: `$lookup` finds an item without a walk)
        self.indexed = {name: self.local(f"ix{k}") for k, name in enumerate(indexed or (), 1)}
        self.counters = counters
        # a loop entered again after each call: the workflow variables a step reads at a computed
        # position (`$xs[$i]`, a walk of the list in jsonata-js) count in the budget as the
        # carried lists do (it builds no object of their positions: _collapse)
        self.resumed = resumed
        self.kept = kept or {}  # list -> the variable keeping its positions across evaluations
        self.filtered = variables - set(self.kept) if resumed else frozenset()
        self.each = each  # a `for` over a list: its steps run as a `$reduce` over the items
        self.item = self.local("x")  # with `each`: the item, the reduce function's argument
        self.item_is_variable = ""  # ... or the loop's variable, where the item is all it sets
        self.normal_position: int | None = None  # with `each`: the loop's normal end (the items run out)
        self.held_names: frozenset = frozenset()  # lists a step may hold whole (see _held_candidates)
        self.changed_names: frozenset = frozenset()  # lists a step changes by position (_changed_by_position)

    def program(self, pc_var: str | None) -> str:
        state, unused, step_fn, chunk, at = (self.local(short) for short in ("s", "_", "step", "n", "pc"))
        pc = f"$lookup({state}, {_AT})"  # a path ($s.x) costs twice as much in jsonata-js
        bodies = []
        for position, node in enumerate(self.leader_nodes):
            self.leader_now = position
            bodies.append(self._each_block(node) if self.each is not None and not position else self._block(node))
        stopped = len(self.leader_nodes)
        if self.each is not None:
            # a `for`'s iteration runs its steps in order (see _in_order): each binds what it reads
            self.changed_names = self._changed_by_position("\x02".join(bodies))
            bodies = [_plain_gets(body) for body in self._fill("\x02".join(bodies)).split("\x02")]
            carried = frozenset(self.carried)
            runs = [f"({bind}$merge([{state}, {jsonata_text.operand(body)}]))" for bind, body in (
                self._bound(body, state, carried & _step_reads(self.leader_nodes, self.members, leader))
                for body, leader in zip(bodies, self.leader_nodes, strict=True))]
            run = runs[0]
            if len(runs) > 1:
                run = f"{state} := {run}; " + "".join(
                    f"{state} := {pc} = {position} ? {text} : {state}; " for position, text in enumerate(runs[1:], 1))
                run = f"({run}{state})"
            return self._each_program(state, pc, run)
        dispatch = bodies[-1]
        for position in range(len(bodies) - 2, -1, -1):
            dispatch = f"{at} = {position} ? {bodies[position]} : {dispatch}"
        self.changed_names = self._changed_by_position(dispatch)
        self.held_names = self._held_candidates(dispatch) - self.changed_names
        dispatch = _plain_gets(self._fill(dispatch))
        bind, dispatch = self._bound(dispatch, state, self.step_reads)
        if len(bodies) > 1:
            bind += f"{at} := {pc}; "
        guard = f"function({state}, {unused}) {{ {pc} >= {stopped}"
        step = f"{guard} ? {state} : ({bind}$merge([{state}, {jsonata_text.operand(dispatch)}])) }}"
        step, lengths = self._held_by_position(step, state)
        step, held = self._held_whole(step, state, frozenset(lengths))
        step = positional_lists.unmarked(step)
        if held:  # the steps stop once the lists held whole in this evaluation pass HELD_ITEMS
            step = guard + "".join(f' or $lookup($lookup({state}, {jsonata_lib.string(name)}), "c") > {HELD_ITEMS}'
                                   for name in held) + step[len(guard):]
        first = self._object(f"${pc_var}" if pc_var is not None else "0", self.state_names,
                             {**{name: self._start_positions(name, length) for name, length in lengths.items()},
                              **{name: f"{self.local('hold')}(${name}, null)" for name in held}})
        # the steps in chunks (a chunk once the loop has left costs one test)
        budget = self._budget(step)
        steps = self._steps_for_lists(step, lengths, budget, held)
        if steps is not None and not self.resumed:  # fewer steps where a step walks lists (as long as
            # they are when the evaluation starts)
            driver = f"$reduce([1..{steps}], {step_fn}, {first})"  # (a step after the loop left tests one thing)
        elif steps is not None:
            # a loop entered again after each call (`resumed`) leaves after a step or two, evaluation
            # after evaluation: its steps in chunks of FIRST_CHUNK, once it has left one test a chunk
            total = self.local("k")
            driver = (f"({total} := {steps}; $reduce([1..$ceil({total} / {FIRST_CHUNK})], function({state}, {chunk}) "
                      f"{{ {pc} >= {stopped} ? {state} : $reduce([1..$min([{FIRST_CHUNK}, {total} - {FIRST_CHUNK} * "
                      f"({chunk} - 1)])], {step_fn}, {state}) }}, {first}))")
        else:
            chunks = ", ".join(str(n) for n in _chunks(budget))
            driver = (f"$reduce([{chunks}], function({state}, {chunk}) {{ {pc} >= {stopped} ? {state} : "
                      f"$reduce([1..{chunk}], {step_fn}, {state}) }}, {first})")
        index = self._index_objects(lengths) + (positional_lists.holder(self.local("hold")) if held else "")
        return f"({index}{step_fn} := {step}; {self._lists_again(driver, lengths, held)})"

    def _bound(self, text: str, state: str, reads: frozenset) -> tuple[str, str]:
        """The bindings a step starts with, and its `text` as they leave it: a step binds the
        carried variables it may read before it sets them (`reads`; the others, set before any
        read on every path, need none); one read once and never set is read where it is read (the
        state names every variable a step reads: the `$lookup` finds what a binding would)."""
        bind = ""
        for name in self.carried:
            if name not in reads:
                continue
            read = f"$lookup({state}, {jsonata_lib.string(name)})"
            found = list(_variable(name).finditer(text))
            if not found:
                continue  # read by another step, or the head of a `for` run as a `$reduce` (see _each_block)
            if len(found) == 1 and jsonata_text.bracket_levels_of(text)[found[0].start()] >= 0 \
                    and not re.match(r"\s*:=", text[found[0].end():]):
                text = text[:found[0].start()] + read + text[found[0].end():]
                self.budget_extra += len(f"${name} := {read}; ") - (len(read) - len(name) - 1)  # see _budget
                continue
            bind += f"${name} := {read}; "
        return bind, text

    def _held_by_position(self, step: str, state: str) -> tuple[str, dict[str, str]]:
        """`step` with the lists it changes item by item held by position in this evaluation
        (see positional_lists), and {list: the local holding its length}."""
        lengths: dict[str, str] = {}
        for k, name in enumerate(self.carried, 1):
            length = (positional_lists.grown_length(name) if positional_lists.grows(step, name)
                      else self.local(f"len{k}"))
            changed = positional_lists.rewrite(step, name, self.counters, length, state)
            if changed is not None:
                step, lengths[name] = changed, length
        return step, lengths

    @staticmethod
    def _start_positions(name: str, length: str) -> str:
        """The list `name` held by position as the evaluation starts (its length in it where it
        grows: positional_lists.grown_length)."""
        return (positional_lists.to_growing_positions(f"${name}") if positional_lists.is_grown(length)
                else positional_lists.to_positions(f"${name}"))

    @staticmethod
    def _end_length(result: str, name: str, length: str) -> str:
        """A held list's length as the evaluation ends: its local, or the object's `"n"`."""
        return f'$lookup($lookup({result}, {jsonata_lib.string(name)}), "n")' if positional_lists.is_grown(length) \
            else length

    def _changed_by_position(self, text: str) -> frozenset:
        """The carried lists the steps, not yet ended, change by position (`$__setitem($xs, `):
        a step's end marks them (positional_lists.END), which tells it from a dict display
        naming them (`{"xs": xs}`, the list itself)."""
        lasts = "\x02".join(last[1] for *_, last in self.leaves if last is not None)  # (ends write them)
        return frozenset(name for name in self.carried if f"$__setitem(${name}, " in text + lasts)

    def _held_candidates(self, text: str) -> frozenset:
        """The variables the loop sets that its steps, not yet ended, read by position (`$xs[$i]`,
        `$i` a counter) or count: the lists a loop inside it walks (not those it changes by
        position: positional_lists.rewrite's). A step's end marks them (positional_lists.END),
        which tells it from a dict display naming them."""
        by_counter = {items for items, index in _ITEM_AT.findall(text) if index in self.counters}
        return frozenset(name for name in self.carried if name in self.assigned
                         and (name in by_counter or f"$count(${name})" in text))

    def _held_whole(self, step: str, state: str, by_position: frozenset) -> tuple[str, list[str]]:
        """`step` with the lists the loop sets whole and reads by position only held with their
        positions (see positional_lists.hold), and their names."""
        held: list[str] = []
        for name in self.carried:
            if name in self.held_names and name not in by_position:
                changed = positional_lists.hold(step, name, self.counters, state, self.local("hold"))
                if changed is not None:
                    step = changed
                    held.append(name)
        return step, held

    def _steps_for_lists(self, step: str, lengths: dict[str, str], budget: int,
                         held: list[str] = ()) -> str | None:
        """The steps of an evaluation as JSONata, from the lengths of the lists a step walks or
        holds by position when it starts; None where it walks none (`budget` it is). A list held
        whole (`held`) is held again as the evaluation starts: its positions cost budget, the
        steps keep at least 1 / HELD_START_SHARE of it."""
        windows = self._windows(step)
        walks, compared = self._walks(step, windows)
        text = self.local("text")
        costs = [f"{nodes} * $count(${name})" for name, nodes in walks.items()] + [
            str(POSITION_NODES * width) for width in windows.values()] + [
            f"({text} := $string(${name}); $length({text}) * ($contains({text}, /true|false/) ? "
            f"{CHAR_NODES_WITH_BOOLEANS} : {CHAR_NODES}))" for name in compared] + [
            f"{positional_lists.merges(step, name)} * $count(${name}) / {MERGED_KEYS}" for name in lengths]
        if not costs and not held:
            return None
        spent = f"({NODE_BUDGET}{''.join(f' - {POSITIONS_BUILD_NODES} * $count(${name})' for name in windows)})" \
            if windows else str(NODE_BUDGET)
        if held:
            spent = (f"$max([{NODE_BUDGET // HELD_START_SHARE}, {spent}"
                     f"{''.join(f' - {POSITIONS_BUILD_NODES} * $count(${name})' for name in held)}])")
        per_step = f"({self._step_nodes(step)} + {' + '.join(costs)})" if costs else str(self._step_nodes(step))
        return f"$max([1, $min([{budget}, $floor({spent} / {per_step})])])"

    def _index_objects(self, lengths: dict[str, str]) -> str:
        """The statements an evaluation starts with: the lists read by position as objects,
        the lengths of those held by position."""
        index = "".join(f"{local} := {self._positions(name)}; " for name, local in self.indexed.items())
        return index + "".join(f"{length} := $count(${name}); " for name, length in lengths.items()
                               if not positional_lists.is_grown(length))

    def _positions(self, name: str) -> str:
        """An indexed list's positions: kept from the loop's start, or built now."""
        built = positional_lists.to_positions(f"${name}")
        kept = self.kept.get(name)
        return built if kept is None else f"($type(${kept}) = 'object' ? ${kept} : {built})"

    def _lists_again(self, driver: str, lengths: dict[str, str], held: list[str] = ()) -> str:
        """`driver`, then the lists held by position as lists again, whichever way it ended."""
        if not lengths and not held:
            return driver
        result, item = self.local("r"), self.local("p")
        fields = ", ".join([f"{jsonata_lib.string(name)}: "
                            f"{positional_lists.to_list(f'$lookup({result}, {jsonata_lib.string(name)})', self._end_length(result, name, length), item)}"
                            for name, length in lengths.items()] +
                           [f'{jsonata_lib.string(name)}: $lookup($lookup({result}, {jsonata_lib.string(name)}), "l")'
                            for name in held])
        self.helpers |= jsonata_lib.closure({"map"})
        return f"{result} := {driver}; $merge([{result}, {{{fields}}}])"

    @property
    def normal_end(self) -> str:
        """With `each`: the "@step" of the normal end's way out, which no other way out shares."""
        return str(len(self.leader_nodes) + self.normal_position)

    def _each_program(self, state: str, pc: str, run: str) -> str:
        """A `for` loop's JSONata as a person would write it: `$reduce` over the items, from the
        position the evaluation starts at (`index`), a step per item while `"@step"` is the
        normal end's; after the budget of steps, `"@step"` 0 and the position reached (the
        After state enters the Run state again, see _collapse)."""
        each, at, limit = self.each, self.local("at"), "\x01"  # the last position: filled in below
        stop = f"$merge([{state}, {{{_AT}: 0, {jsonata_lib.string(each.index)}: {at}}}])"
        item = self.item if not self.item_is_variable else f"${self.item_is_variable}"
        step = (f"function({state}, {item}, {at}) {{ {at} < ${each.index} or {pc} != {self.normal_end} ? {state} : "
                f"{at} >= {limit} ? {stop} : {run} }}")
        step, lengths = self._held_by_position(step, state)
        step = positional_lists.unmarked(step)
        first = self._object(self.normal_end, self.state_names - {each.index},
                             {name: self._start_positions(name, length) for name, length in lengths.items()})
        budget = self._budget(step)
        steps = self._steps_for_lists(step, lengths, budget)
        index = self._index_objects(lengths)
        if steps is not None:  # computed once
            index += f"{self.local('k')} := ${each.index} + {steps}; "
            step = step.replace(limit, self.local("k"))
        else:
            step = step.replace(limit, f"${each.index} + {budget}")
        driver = self._lists_again(f"$reduce(${each.items}, {step}, {first})", lengths)
        return f"({index}{driver})" if index else driver

    def _each_block(self, head: ir.Choice) -> str:
        """A `for` loop's step from its head (see _ForEach): the loop's variables from the item
        (the reduce function's argument), then the body. The head's way out, when the items run
        out, is the normal end: a way out with a "@step" of its own, written nowhere (the
        `$reduce` ends there by itself, "@step" as it started)."""
        rule, each = head.rules[0], self.each
        self._end([], head.default, frozenset(), "", self._branch(head, -1, frozenset()))
        # its own way out: a step that leaves for the same state (a `break` with no `else`)
        # ends the reduce with a "@step" of its own, not the normal end's, which means "go on"
        self.normal_position = len(self.exits) - 1
        item = f"${each.items}[${each.index}]"
        assign = {name: value for name, value in rule.assign.items() if name != each.index}
        if len(assign) == 1 and next(iter(assign.values())).text.strip() in (item, f"({item})"):
            self.item_is_variable = next(iter(assign))  # the item is the loop's variable: its argument
            statements: list[str] = []
        else:
            # (`i` of `for i, x in enumerate(xs)` reads the position: the reduce function's argument)
            at = _variable(each.index)
            assign = {name: ir.Code(at.sub(self.local("at"), value.text.replace(f"({item})", self.item)
                                           .replace(item, self.item)), value.helpers)
                      for name, value in assign.items()}
            statements = self._assign(assign)
        return self._end(statements, rule.next, frozenset(assign), rule.check, self._branch(head, 0, frozenset()))

    def _fill(self, text: str) -> str:
        """A loop's steps with their ends filled in. The state (the object a step passes to the
        next, the merge of what the steps set) holds `state_names`: what a step may read before
        it sets it, and what a way out sets that the step leading there may not have set.
        A step's end names what its path set, of those it must: a next step's, of
        `state_names`; a way out's, of `exit_names` (what the states after it may read)."""
        carried = frozenset(self.carried)
        self.step_reads = carried & _step_reads(self.leader_nodes, self.members)
        self.exit_names = []
        for target in self.exits:
            live = self.live.get(id(target), carried) if self.live is not None else carried
            self.exit_names.append(_live(target, carried & live))
        state = set(self.step_reads)
        for position, names in enumerate(self.exit_names):
            ways = [changed for k, _, changed, _, _ in self.leaves if k == position]
            state |= names - (frozenset.intersection(*ways) if ways else frozenset())
        self.state_names = frozenset(state)
        for index, (position, pc, changed, taken, last) in enumerate(self.leaves):
            names = changed & (self.state_names if position is None else self.exit_names[position])
            fields = [(name, f"${name}") for name in self.carried if name in names]
            if position is not None:
                fields = self._exit_fields(position, fields)
            before = f"$merge([$lookup({self.local('s')}, {_TAKEN}), {_taken(taken)}])" if taken else ""
            if not pc:
                self.budget_extra += len(f"{_AT}: {self.leader_now}, ")  # see _budget
            inline = last is None or last[0] not in self.held_names  # (a list held whole is set by `:=`)
            text = text.replace(f"\x00{index}\x00", _ending(pc, fields, before, last, inline,
                                                              self.held_names | self.changed_names), 1)
        return text

    def _positional(self, text: str) -> str:
        """`$xs[$i]` of an indexed list as a `$lookup` of the position in its object. The same
        value: `$i` is a non-negative integer (a counter), so `$lookup` finds the item when the
        filter does, and where it finds nothing (`$i` past the end, `$xs` empty or undefined)
        the filter finds nothing too; a single value that is not a list is the one item of both
        (`$map` and a filter take it as a sequence of one)."""
        if not self.indexed:
            return text

        def at(match: re.Match) -> str:
            items, index = match.group(1), match.group(2)
            local = self.indexed.get(items)
            if local is None or index not in self.counters:
                return match.group(0)
            found = f"$lookup({local}, $string(${index}))"
            # the budget as with the filter it used to fall back to (see _budget)
            fallback = f"${self.prefix}_at"
            self.budget_extra += len(f"({fallback} := {found}; $exists({fallback}) ? {fallback} : {match.group(0)})") \
                - len(found)
            return found
        return _ITEM_AT.sub(at, text)

    def _budget(self, step: str) -> int:
        """The steps one evaluation runs: NODE_BUDGET over the estimated nodes of a step (its
        text's size: what helpers spend walking lists is not counted, see the README), the
        locals counted as long as their prefixed names (a short name is no fewer nodes), and
        the text the step no longer writes counted still (`budget_extra`: values computed
        after the loop, a position's item read without the filter's fallback), so that as
        many steps run per evaluation as before those went. Lists a step walks lower it when the
        evaluation runs (see program)."""
        return max(1, min(MAX_STEPS, NODE_BUDGET // self._step_nodes(step)))

    def _step_nodes(self, step: str) -> int:
        """A step's estimated nodes (see _budget), lists it walks not counted; a float printed
        (`$__pyfloat`, `$__jnum`: up to ~450 nodes where 15 digits do not suffice) counted at that,
        every other helper's call at its text's (with the helpers it calls: `round(x, 2)` in a
        format spec calls `$__fround` six times, some 240 nodes a step the text did not show)."""
        size = len(step) + self.budget_extra + _FLOAT_PRINT_CHARS * len(_FLOAT_PRINT.findall(step))
        size += 8 * sum(_helper_nodes(name) for name in _HELPER_CALL.findall(step)
                        if name in jsonata_lib.HELPERS and name not in ("pyfloat", "jnum"))
        for short in ("s", "_", "pc", *(f"ix{k}" for k in range(1, len(self.indexed) + 1)), *self.temp_shorts):
            name = self.local(short)
            uses = len(re.findall(re.escape(name) + r"(?![A-Za-z0-9_])", step))
            size += uses * (len(f"${self.prefix}_{short}") - len(name))
        return max(1, size // 8)

    def _walks(self, step: str, windows: dict[str, int]) -> tuple[dict[str, int], list[str]]:
        """{list: nodes a step spends per item of it}: a helper that walks it (`$__setitem($rows,
        ...)`, a slice), of a list the loop carries or a workflow variable it reads (as long as
        it is when the evaluation starts), and an item of a carried list read at a computed
        position (`$rows[$i]`, a filter over every item); and the lists a step compares items
        of with Python's == (`$__contains($seen, $x)`: a cost per character, COMPARE_NODES). The
        moving windows (`windows`, _windows) are counted by their width instead."""
        walks: dict[str, int] = {}
        compared: set[str] = set()
        for helper, name in _WALK.findall(step):
            if name in self.carried or name in self.variables:
                if helper in COMPARE_NODES:
                    compared.add(name)
                elif not (helper == "slice1_list" and name in windows):
                    walks[name] = walks.get(name, 0) + WALK_NODES[helper]
        for name in [*self.carried, *sorted(self.filtered - set(self.carried))]:
            times = len(re.findall(re.escape(f"${name}") + r"\[\$", step))
            if times:
                walks[name] = walks.get(name, 0) + FILTER_NODES * times
        return walks, sorted(compared)

    def _windows(self, step: str) -> dict[str, int]:
        """{list: items a step's slices of it take}: the lists the loop does not change that every
        step slices by a constant width only (`$__slice1_list($xs, ($i - 5), $i)`: a moving window),
        which graph/indexed_reads.py reads by position, each slice a lookup per item it takes."""
        widths: dict[str, int] = {}
        others: set[str] = set()
        for match in _WALK.finditer(step):
            helper, name = match.groups()
            if name in self.carried or name not in self.variables:
                continue
            width = _constant_width(step, match.end()) if helper == "slice1_list" else None
            if width is None:
                others.add(name)
            else:
                widths[name] = widths.get(name, 0) + width
        return {name: width for name, width in widths.items() if name not in others}

    def _object(self, pc: str, names, values: dict | None = None) -> str:
        """`{"@step": pc, "x": $x, ...}` of the carried variables in `names` (`values`: the
        text of some of them, in place of `$x`)."""
        values = values or {}
        return _ending(pc, [(name, values.get(name, f"${name}")) for name in self.carried if name in names], "", None)

    def once(self) -> str:
        """A block's JSONata: its states run once, to an object naming the way out taken
        (`"@step"`: 1 + its index in `exits`) and the variables set on the way. A variable set
        on some ways to an exit only is named on all of them: with the value it had before the
        block, or null where it had none (nothing reads it there: a `return` in a `try` sets
        `__ret` on the path that returns only); `exit_names[k]`: the variables exit k sets."""
        text = self._block(self.leader_nodes[0])
        union: dict[int, frozenset] = {}
        for position, _, changed, _, _ in self.leaves:
            union[position] = union.get(position, frozenset()) | changed
        for position, target in enumerate(self.exits):  # a Fail reads what it names only
            union[position] = union.get(position, frozenset()) & _live(target, frozenset(self.carried))
        for index, (position, pc, changed, taken, last) in enumerate(self.leaves):
            fields = self._exit_fields(position, [(name, f"${name}" if name in changed or name in self.known else "null")
                                                  for name in self.carried if name in union[position]])
            text = text.replace(f"\x00{index}\x00", _ending(pc, fields, _taken(taken) if taken else "", last), 1)
        self.exit_names = [union.get(position, frozenset()) for position in range(len(self.exits))]
        return _plain_gets(text)

    def _end(self, statements: list[str], target: ir.Node, changed: frozenset, check: str = "",
             taken: frozenset = frozenset(), available: tuple = ()) -> str:
        """`statements`, then on to `target`. Where that ends the step, the last statement,
        if it sets a carried variable, goes to the step's end, which may write the value in
        place of the variable (`{"@step": 3, "__exc": {...}}`, see _ending)."""
        if id(target) in self.members and id(target) not in self.leaders:
            return jsonata_text.sequence(statements, self._block(target, changed, check, taken, available))
        sunk: dict[str, str] = {}
        captures: tuple[str, ...] = ()
        if id(target) not in self.members:
            statements, sunk, captures = self._sink(statements, target, bool(check))
        last = None
        if statements:
            name, _, value = statements[-1].partition(" := ")
            if name[1:] in self.carried:
                last, statements = (name[1:], value), statements[:-1]
        return jsonata_text.sequence(statements, self._leaf(target, changed, check, taken, last, sunk, captures))

    def _leaf(self, target: ir.Node, changed: frozenset, check: str = "", taken: frozenset = frozenset(),
              last: tuple[str, str] | None = None, sunk: dict | None = None, captures: tuple = ()) -> str:
        """A step's end, to be filled in (by _fill or once()): the next step's number or a
        way out's, and the variables set on the way there. A way out is one per target and
        sunk values (`sunk`, see _sink): ways to one target that compute different values
        after the fold are different ways out (the After state's rules for them differ)."""
        if id(target) in self.members:  # a loop's next step ("@step" as it is: left out)
            pc = "" if self.leaders[id(target)] == self.leader_now else str(self.leaders[id(target)])
            if pc == "0" and self.each is not None:
                pc = self.normal_end  # the iteration's last step: on to the next item
            self.leaves.append((None, pc, changed & frozenset(self.carried), taken, last))
            return f"\x00{len(self.leaves) - 1}\x00"
        sunk = sunk or {}
        position = next((k for k, node in enumerate(self.exits) if node is target and self.exit_sunk[k] == sunk
                         and k != self.normal_position), None)  # (a `break` is no normal end: see _each_block)
        if position is None:
            self.exits.append(target)
            self.exit_sunk.append(sunk)
            self.exit_captures.append(captures)
            position = len(self.exits) - 1
            self.exit_checks[position] = check or None
        elif not check:
            self.exit_checks[position] = None
        pc = str(len(self.leader_nodes) + position)
        changed &= _live(target, changed)
        self.leaves.append((position, pc, changed & frozenset(self.carried), taken, last))
        return f"\x00{len(self.leaves) - 1}\x00"

    def exit_check(self, position: int) -> str:
        """What the checks leading to exit `position` raise ("" if a source path leads there)."""
        return self.exit_checks.get(position) or ""

    def exit_assign(self, position: int, result_var: str) -> dict:
        """The After state's Assign for exit `position`: each variable it sets from the
        result object, or, where the value was sunk, computed there from the values the step's
        end carried (bound as locals of that field, under the names the value reads)."""
        sunk = self.exit_sunk[position]
        out: dict = {}
        for name in sorted(self.exit_names[position]):
            if name not in sunk:
                out[name] = ir.Code(f"$lookup(${result_var}, {jsonata_lib.string(name)})")
                continue
            text = sunk[name]
            binds = [f"${c} := $lookup(${result_var}, {jsonata_lib.string(c)})" for c in self.exit_captures[position]
                     if c in jsonata_text.variable_set(text)]
            out[name] = ir.Code(jsonata_text.sequence(binds, text), self.helpers)
        return out

    def sunk_locals(self) -> frozenset:
        """The variables the After state's sunk values bind before they read them."""
        return frozenset(c for captures in self.exit_captures for c in captures)

    def _exit_fields(self, position: int, fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """A way out's fields: not the sunk values, but the names they read."""
        sunk = self.exit_sunk[position]
        fields = [(name, text) for name, text in fields if name not in sunk]
        named = {name for name, _ in fields}
        return fields + [(name, f"${name}") for name in self.exit_captures[position] if name not in named]

    def _exit_names(self, target: ir.Node) -> frozenset:
        """The variables a way out to `target` names (what the states after it may read)."""
        carried = frozenset(self.carried)
        live = self.live.get(id(target), carried) if self.live is not None else carried
        return _live(target, carried & live)

    def _sink(self, statements: list[str], target: ir.Node, check: bool) -> tuple[list[str], dict[str, str],
                                                                                      tuple[str, ...]]:
        """Of the statements that end a step at a way out, those whose values run only to
        be carried out (a guard's exception record with its message's helpers, ...): computed
        in the After state instead, from the values they read, which the step's end carries.
        A way out runs once, but its value's text (and helpers) would sit in the loop's field.
        A value is sunk only when no statement after it reads what it sets or sets what it
        reads (the end carries what it read, as it was), and it reads nothing but the loop's
        variables, its temporaries and what the After state reads the same (the machine's
        variables the fold does not set, helpers). A value nobody after it reads is dropped.
        On a check's way (an exception's record), a value that reads nothing the fold sets is
        sunk too, however short: the After state's rule for it computes it at no cost."""
        out = self._exit_names(target)
        kept = list(statements)
        sunk: dict[str, str] = {}
        captures: set[str] = set()
        reads: set[str] = set()  # read by the statements after this one
        sets: set[str] = set()  # set by them
        for position in range(len(statements) - 1, -1, -1):
            name, bind, value = statements[position].partition(" := ")
            name = name[1:]
            if bind and name not in reads and name not in sets:
                if name not in out and (name in self.variables or name in self.temps):
                    del kept[position]  # pure, and read by nothing: as good as not computed
                    self.budget_extra += len(statements[position])
                    continue
                free = self._free(value) if name in out else None
                if free is not None and not free & sets and self._fits(value, free) and (
                        self._worth_sinking(value) or (check and not free)):
                    sunk[name] = value
                    captures |= free
                    del kept[position]
                    self.budget_extra += len(statements[position])
                    reads |= jsonata_text.variable_set(value)
                    sets.add(name)
                    continue
            reads |= jsonata_text.variable_set(statements[position])
            if bind:
                sets.add(name)
        return kept, dict(sorted(sunk.items())), tuple(sorted(captures))

    def _fits(self, value: str, free: set[str]) -> bool:
        """Whether the After state's field for a sunk value stays within MAX_FIELD (its
        helpers and the bindings of what it reads, as long as `$x := $lookup($__plloop1, "x"); `)."""
        binds = sum(len(name) * 2 + 32 for name in free)
        return len(jsonata_lib.render(value)) + binds <= MAX_FIELD

    def _worth_sinking(self, value: str) -> bool:
        return bool(jsonata_lib.used_helpers(value)) or len(value) > SINK_SIZE

    def _free(self, value: str) -> set[str] | None:
        """The names `value` reads whose value the After state must be given (the loop's
        variables, its temporaries), or None if it reads one the After state cannot have."""
        if jsonata_text.CONTEXT.search(value) or not value:
            return None
        inner = jsonata_text.locals_bound([value])
        free: set[str] = set()
        for match in _VARIABLE.finditer(value):
            name = match.group(1)
            call = value[match.end():match.end() + 1] == "("
            if name.startswith("__") and name[2:] in jsonata_lib.HELPERS:
                continue  # a helper: the After state's field defines it
            if name in self.assigned or name in self.temps:
                if call:
                    return None
                free.add(name)
            elif name.startswith(self.prefix) or f"${name}" in self._locals():
                return None  # the fold's own locals (the state, the indexed lists, ...)
            elif call or name in self.variables or name in inner:
                continue  # a function; a variable the After state reads as the fold did; a local of `value`
            else:
                return None
        return free

    def _locals(self) -> frozenset:
        return frozenset([*(self.local(short) for short in ("s", "_", "step", "n", "pc", "x", "at", "k")),
                          *self.indexed.values()])

    def _branch(self, node: ir.Choice, position: int, taken: frozenset) -> frozenset:
        """`taken` and the source's branch of `node` at rule `position` (-1: the Default)."""
        if not self.record or all(rule.check for rule in node.rules) or (
                position >= 0 and node.rules[position].check):
            return taken
        key = (id(node), position)
        if key not in self.branch_ids:
            self.branch_ids[key] = branch = str(len(self.branch_ids) + 1)
            line, text = node.lines[0] if node.lines else (None, node.title)
            target = node.default if position < 0 else node.rules[position].next
            where = f"line {target.lines[0][0]}" if target is not None and target.lines else (
                target.title if target is not None else "the end")
            way = f"{'default' if position < 0 else f'rule {position + 1}'} to {where}"
            self.branches[branch] = {"line": line, "source": text, "way": way}
        return taken | {self.branch_ids[key]}

    def _block(self, node: ir.Node, changed: frozenset = frozenset(), check: str = "",
               taken: frozenset = frozenset(), available: tuple = ()) -> str:
        """The JSONata for `node` and the states after it up to the step's end; `changed`:
        the variables the step has set on the way here (a way out names those only); `check`:
        what a check rule on the way here raises (the states after it are the check's);
        `available`: (text, temporary) of the subexpressions an earlier Choice of the step
        computed once (see _bind_repeated) whose variables nothing has set since: where a
        state after it writes one again, it reads the temporary (inner ones first)."""
        statements: list[str] = []
        while isinstance(node, ir.Pass):
            statements += self._assign(node.assign, available)
            changed |= frozenset(node.assign)
            available = _still(available, node.assign)
            target = node.next
            if id(target) not in self.members or id(target) in self.leaders:
                return self._end(statements, target, changed, check, taken, available)
            node = target
        assert isinstance(node, ir.Choice)
        # the Choice's own texts (its conditions and Assign values, all evaluated on the
        # variables as they are when it is entered) compute their repeated parts once, see _bind_repeated
        conditions = [jsonata_text.as_test(_reuse(self._positional(rule.condition.text), available)) for rule in node.rules]
        assigns = [self._assign(rule.assign, available) for rule in node.rules] + [
            self._assign(node.default_assign, available)]
        for rule in node.rules:
            self.helpers |= rule.condition.helpers
        prefixes, conditions, grouped, bound = self._bind_repeated(conditions, assigns)
        every = available + tuple(pair for at in bound for pair in at)
        text = self._end(prefixes[-1] + grouped[-1], node.default, changed | frozenset(node.default_assign), check,
                         self._branch(node, -1, taken), _still(every, node.default_assign))
        for position in range(len(node.rules) - 1, -1, -1):
            rule = node.rules[position]
            here = available + tuple(pair for at in bound[:position + 1] for pair in at)
            branch = self._end(grouped[position], rule.next, changed | frozenset(rule.assign), check or rule.check,
                               self._branch(node, position, taken), _still(here, rule.assign))
            text = jsonata_text.sequence(prefixes[position], f"{conditions[position]} ? {branch} : {text}")
        return jsonata_text.sequence(statements, text)

    def _bind_repeated(self, conditions: list[str], groups: list[list[str]]):
        """A subexpression written twice or more in one Choice's texts is computed once, where
        the Choice first evaluates it whatever happens (its rules are tried in order: a part of
        a condition that is not behind an `and`, `or` or `?`, or the default's Assign), and
        bound to a local there, if no text before that place uses it (else it stays written
        out: evaluated where Python's order puts it, never where the Choice would not). Only
        what reads nothing but workflow variables (as they are when the Choice is entered) and
        helpers is bound: no `$` context, no function literal, no local bound outside it, no
        regular expression.

        Position k < n is the test of rule k (with rule k's Assign behind it), position n the
        default's Assign; returns the statements to put before each position, the texts, and
        per position what it bound: (the text as the later texts write it, the temporary)."""
        n = len(conditions)
        parts = conditions + [item for group in groups for item in group]
        found: dict[str, int] = {}
        for text in parts:
            for candidate in jsonata_text.groups(text):
                if len(candidate) >= jsonata_text.MIN_BOUND:
                    found[candidate] = found.get(candidate, 0) + 1
        # locals: names bound inside the texts (a block's `$x :=`, a function's parameters), not
        # the variables the Choice's Assign sets (`$x := ...` opening a text)
        bound = jsonata_text.locals_bound(parts, opening=False)
        # the temporaries this Choice's own statements bind (`$t1 := ...` opening a text):
        # not there yet where a part of it would be bound (before the rule's test)
        bound |= {match.group(1) for text in parts if (match := jsonata_text.BOUND.match(text)) and match.group(1) in self.temps}
        chosen: list[tuple[str, str]] = []  # (name, text), longest first
        for candidate in sorted(found, key=len, reverse=True):
            # written twice: in the texts, or inside longer ones (each evaluated as often)
            if sum(jsonata_text.count_whole(text, candidate) for text in parts) < 2 or not self._shareable(candidate, bound):
                continue
            chosen.append((self._temp("t"), candidate))
        if not chosen:
            return [[] for _ in range(n + 1)], conditions, groups, [[] for _ in range(n + 1)]
        # where each is first written, and first evaluated whatever happens (the original texts)
        places = [[conditions[k]] + groups[k] for k in range(n)] + [groups[n]]
        eager = [[jsonata_text.eager_spans(conditions[k])] for k in range(n)] + [[jsonata_text.eager_spans(t) for t in groups[n]]]
        first: dict[str, int] = {}
        bind: dict[str, int] = {}
        for name, candidate in chosen:
            first[name] = next(k for k in range(n + 1) if any(jsonata_text.count_whole(text, candidate) for text in places[k]))
            for k in range(n + 1):
                texts = [conditions[k]] if k < n else groups[n]
                if any(jsonata_text.occurs_in(candidate, text, spans) for text, spans in zip(texts, eager[k], strict=True)):
                    bind[name] = k
                    break
        # only where it is computed before any use (a function of no arguments defined for the
        # uses behind a test would share text, not work: a call costs more than it saves)
        chosen = [(name, candidate) for name, candidate in chosen if bind.get(name, n + 1) == first[name]]
        # and only what is still computed twice once the longer ones are bound (inside one of
        # those, once per time it is computed)
        kept: list[tuple[str, str]] = []
        for name, candidate in chosen:  # longest first
            outside = sum(jsonata_text.count_whole(functools.reduce(lambda t, pair: jsonata_text.replace_whole(t, pair[1], pair[0]), kept, text), candidate)
                          for text in parts)
            if outside + sum(jsonata_text.count_whole(longer, candidate) for _, longer in kept) >= 2:
                kept.append((name, candidate))
        chosen = kept
        if not chosen:
            return [[] for _ in range(n + 1)], conditions, groups, [[] for _ in range(n + 1)]

        def rewrite(text: str, k: int, skip: str = "") -> str:
            for name, candidate in chosen:
                if candidate != skip and len(candidate) <= len(text) and bind[name] <= k:
                    text = jsonata_text.replace_whole(text, candidate, name)
            return text

        prefixes: list[list[str]] = [[] for _ in range(n + 1)]
        bound_at: list[list[tuple[str, str]]] = [[] for _ in range(n + 1)]
        for name, candidate in sorted(chosen, key=lambda pair: len(pair[1])):  # inner ones first
            written = rewrite(candidate, bind[name], candidate)
            prefixes[bind[name]].append(f"{name} := {jsonata_text.operand(written)}")
            bound_at[bind[name]].append((written, name))
        conditions = [rewrite(text, k) for k, text in enumerate(conditions)]
        groups = [[rewrite(text, k) for text in group] for k, group in enumerate(groups)]
        return prefixes, conditions, groups, bound_at

    def _shareable(self, candidate: str, bound: set[str]) -> bool:
        if not jsonata_text.bindable(candidate) or "$" not in candidate:
            return False
        inner = set(jsonata_text.BOUND.findall(candidate))
        for match in _VARIABLE.finditer(candidate):
            name = match.group(1)
            if candidate[match.end():match.end() + 1] == "(":
                if name.startswith(self.prefix):
                    return False
                continue  # a helper or a JSONata function
            if name in inner:
                continue
            if (name not in self.variables and name not in self.temps) or name in bound:
                return False  # (a temporary is bound where the texts that mention it are)
        return True

    def _assign(self, assign: dict, available: tuple = ()) -> list[str]:
        """An Assign: every value from the variables before it, then all set at once (in
        an order where no value reads a variable already set, else through temporaries)."""
        if not assign:
            return []
        # an item read by position in more than one value (`for k, v in d.items()`: the
        # item's [0] and [1]) is read once, into a temporary, before them
        shared: dict[str, str] = {}
        out: list[str] = []
        for item, count in self._items_read(assign).items():
            if count > 1:
                shared[item] = self._temp("t")
                out.append(f"{shared[item]} := {self._positional(item)}")
        # a variable no folded state reads and no state after reads: its value is not needed
        pending = [(name, self._value(value, shared, available)) for name, value in assign.items()
                   if name in self.carried or name in self.mentioned or name not in self.variables]
        while pending:
            for position, (name, text) in enumerate(pending):
                if not any(name in jsonata_text.variable_set(other) for n, other in pending if n != name):
                    out.append(f"${name} := {text}")
                    del pending[position]
                    break
            else:  # a cycle (a, b = b, a): compute the rest first
                temps = []
                for name, text in pending:
                    temp = self._temp("v")
                    out.append(f"{temp} := {text}")
                    temps.append((name, temp))
                out += [f"${name} := {temp}" for name, temp in temps]
                pending = []
        return out

    def _temp(self, kind: str) -> str:
        """A new temporary of the step (`$t1`, or `$__pl_t1` where a state mentions `$t1`)."""
        self.temp += 1
        short = f"{kind}{self.temp}"
        self.temp_shorts.append(short)
        name = self.local(short)
        self.temps.add(name[1:])
        return name

    def _items_read(self, assign: dict) -> dict[str, int]:
        """The indexed lists' items an Assign's values read (`$xs[$i]`), with how often."""
        found: dict[str, int] = {}
        for value in assign.values():
            for code in ir.codes(value):
                for match in _ITEM_AT.finditer(code.text):
                    if match.group(1) in self.indexed and match.group(2) in self.counters:
                        found[match.group(0)] = found.get(match.group(0), 0) + 1
        return found

    def _value(self, value: Any, shared: dict | None = None, available: tuple = ()) -> str:
        """A field value (JSON with Code inside) as JSONata; `shared`: items read once
        already (text -> the temporary holding it); `available`: see _block."""
        if isinstance(value, ir.Code):
            self.helpers |= value.helpers
            text = value.text
            for item, temp in (shared or {}).items():
                text = jsonata_text.replace_whole(text, item, temp)
            return jsonata_text.operand(_reuse(self._positional(text), available))
        if isinstance(value, dict):
            return "{" + ", ".join(f"{jsonata_lib.string(k)}: {self._value(v, shared, available)}"
                                   for k, v in value.items()) + "}"
        if isinstance(value, (list, tuple)):
            if not any(True for _ in ir.codes(value)):
                return jsonata_lib.literal(list(value))
            self.helpers |= jsonata_lib.closure({"wrap"})
            return "[" + ", ".join(f"$__wrap({self._value(v, shared, available)})" for v in value) + "]"
        return jsonata_lib.literal(value)


SINK_SIZE = 200  # characters of an exit's value (with no helper) worth computing after the loop instead


def _still(available: tuple, assign: dict | None) -> tuple:
    """Of `available` (see _Step._block), what an Assign setting `assign`'s names leaves valid."""
    if not assign:
        return available
    return tuple((text, temp) for text, temp in available if not jsonata_text.variable_set(text) & set(assign))


_GET_OF_VARIABLE = re.compile(r"\(\$__g := (\$[A-Za-z_][A-Za-z0-9_]*); \$exists\(\$__g\) \? \$__g : ")


def _plain_gets(text: str) -> str:
    """`d.get(k, default)` (`($__g := found; $exists($__g) ? $__g : default)`) where `found`
    became a variable (a temporary bound once, see _bind_repeated): the variable, not a copy."""
    return _GET_OF_VARIABLE.sub(lambda match: f"($exists({match.group(1)}) ? {match.group(1)} : ", text)


def _reuse(text: str, available: tuple) -> str:
    """`text` reading the temporaries of `available` where it writes their texts again."""
    for candidate, temp in available:
        if candidate in text:
            text = jsonata_text.replace_whole(text, candidate, temp)
    return text


def _live(target: ir.Node, names: frozenset) -> frozenset:
    """Of `names`, those a way out to `target` must set: all, except where the target is a
    Fail, which ends the machine (or the branch, whose variables no state outside it sees)
    and reads only what it names itself."""
    return names & frozenset(ir.node_mentions(target)) if isinstance(target, ir.Fail) else names


def _ending(pc: str, fields: list[tuple[str, str]], taken: str, last: tuple[str, str] | None,
            inline: bool = True, marked: frozenset = frozenset()) -> str:
    """A step's end: `{"@step": pc, "x": $x, ...}` (and `"@taken"`, if given; no "@step"
    where `pc` is "": the step runs its own leader again, the state's "@step"). `last`: the
    statement before it, `$name := value`, which, if the object names `name`, is written as
    that field's value, last (the other fields read variables only: nothing is evaluated in a
    different order), else stays a statement before the object (so does it where not `inline`).
    The fields of the `marked` names carry positional_lists.END before their key."""
    def field(name: str, text: str) -> str:
        return f"{positional_lists.END if name in marked else ''}{jsonata_lib.string(name)}: {text}"

    inline = inline and last is not None and any(name == last[0] for name, _ in fields)
    parts = ([f"{_AT}: {pc}"] if pc else []) + [field(name, text) for name, text in fields
                                               if not (inline and name == last[0])]
    if taken:
        parts.append(f"{_TAKEN}: {taken}")
    if inline:
        parts.append(field(*last))
    ending = "{" + ", ".join(parts) + "}"
    return ending if last is None or inline else jsonata_text.sequence([f"${last[0]} := {last[1]}"], ending)


def _taken(ids: frozenset) -> str:
    """The branch ids a path took, as a JSONata object literal."""
    return "{" + ", ".join(f'"{key}": true' for key in sorted(ids, key=int)) + "}"
