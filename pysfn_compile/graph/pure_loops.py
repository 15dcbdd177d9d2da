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
flow joins to the next such state) with `$reduce` over chunks of doubling size, so it never
recurses deeper than a dozen calls; after a budget of steps it stops at a step boundary,
and the Choice sets the variables and enters the Pass again (an endless loop stays a loop
of states, as before, and one evaluation stays bounded). The budget is NODE_BUDGET
expression nodes per evaluation, over the step's estimated size, so a big body runs fewer
steps per evaluation (at least one: as many states as before).

Left as they are: cycles through any other state, states that read `$states` or the clock,
loops entered at more than one state, and loops whose only ways out fail the machine (an
endless `while True:`, which as states meets the history quota at once).
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from . import ir, jsonata_lib

NODE_BUDGET = 250_000  # JSONata nodes one evaluation may spend (about 1 s in jsonata-js; the emulator stops at 1,000,000)
MAX_STEPS = 8192  # steps per evaluation at most, then the Choice sends it round again
FIRST_CHUNK = 16
LARGEST_CHUNK = 4096
_AT = '"@step"'  # the result object's key for the step to run next (no variable is named so)
_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_IMPURE = re.compile(r"\$(states|now|millis|random|uuid|eval)(?![A-Za-z0-9_])")


@attrs.frozen
class Edge:
    """A transition: `holder.attr` names the target; `assign` is what it sets (None: it
    cannot set anything, e.g. a Wait's)."""

    holder: Any
    attr: str
    assign: dict | None
    assign_attr: str = "assign"

    @property
    def target(self) -> ir.Node | None:
        return getattr(self.holder, self.attr)


def collapse_pure_loops(graph: ir.Graph) -> None:
    """Replace the pure loops of a machine (and of its branches and map bodies) in place."""
    graphs = list(_graphs(graph))
    reads: set[str] = set()
    names: set[str] = set()
    for one in graphs:
        for node in _nodes(one):
            reads |= _reads_of_node(node)
            for edge in _edges(node):
                names |= set(edge.assign or ())
    names |= reads
    fresh = _Names(names)
    for one in graphs:
        _collapse_graph(one, reads, fresh)


class _Names:
    """Hidden variable names no state of the machine uses."""

    def __init__(self, taken: set[str]):
        self.taken = taken
        self.count = 0
        prefix = "__pl"
        while any(name.startswith(prefix) for name in taken):
            prefix += "_"
        self.prefix = prefix  # also the prefix of the JSONata locals of the expressions

    def new(self, hint: str) -> str:
        self.count += 1
        name = f"{self.prefix}{hint}{self.count}"
        self.taken.add(name)
        return name


# -- the graph ----------------------------------------------------------------------------
def _graphs(graph: ir.Graph):
    yield graph
    for node in _nodes(graph):
        if isinstance(node, ir.Map) and node.processor is not None:
            yield from _graphs(node.processor)
        elif isinstance(node, ir.Parallel):
            for branch in node.branches:
                yield from _graphs(branch)


def _nodes(graph: ir.Graph) -> list[ir.Node]:
    order: list[ir.Node] = []
    seen: set[int] = set()
    stack = [graph.entry]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(reversed([edge.target for edge in _edges(node)]))
    return order


def _edges(node: ir.Node) -> list[Edge]:
    if isinstance(node, ir.Pass):
        return [Edge(node, "next", node.assign)]
    if isinstance(node, ir.Choice):
        return [Edge(rule, "next", rule.assign) for rule in node.rules] + [Edge(node, "default", node.default_assign, "default_assign")]
    if isinstance(node, (ir.Task, ir.Map, ir.Parallel)):
        edges = [Edge(node, "next", node.assign)] if node.next is not None else []
        return edges + [Edge(catcher, "next", catcher.assign) for catcher in node.catch]
    if isinstance(node, ir.Wait):
        return [Edge(node, "next", None)] if node.next is not None else []
    return []


def _codes(value: Any):
    if isinstance(value, ir.Code):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _codes(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _codes(item)


def _node_values(node: ir.Node) -> list:
    """Every field value of a state that may hold JSONata (its nested graphs excluded)."""
    values: list = [edge.assign for edge in _edges(node) if edge.assign]
    if isinstance(node, ir.Choice):
        values += [rule.condition for rule in node.rules]
    elif isinstance(node, ir.Task):
        values += [node.args, node.kwargs, node.output]
    elif isinstance(node, ir.Map):
        values += [node.items, node.max_concurrency]
    elif isinstance(node, ir.Wait):
        values += [node.seconds, node.timestamp]
    elif isinstance(node, ir.Fail):
        values += [node.error, node.cause]
    elif isinstance(node, ir.Succeed):
        values += [node.output]
    return values


def _reads(value: Any) -> set[str]:
    """The names a value's JSONata mentions as `$name` (more than it reads: locals and
    function names too, which only makes the callers more careful)."""
    out: set[str] = set()
    for code in _codes(value):
        out.update(_VARIABLE.findall(code.text))
    return out


def _reads_of_node(node: ir.Node) -> set[str]:
    out: set[str] = set()
    for value in _node_values(node):
        out |= _reads(value)
    return out


def _pure(node: ir.Node) -> bool:
    if not isinstance(node, (ir.Pass, ir.Choice)):
        return False
    return not any(_IMPURE.search(code.text) for value in _node_values(node) for code in _codes(value))


def _cycles(nodes: list[ir.Node]) -> list[list[ir.Node]]:
    """The strongly connected sets of pure states that hold a cycle (Tarjan, iteratively)."""
    pure = {id(n): n for n in nodes if _pure(n)}
    successors = {key: [id(e.target) for e in _edges(n) if e.target is not None and id(e.target) in pure]
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
    every = frozenset().union(*(frozenset(e.assign or ()) for n in nodes for e in _edges(n)))
    into: dict[int, frozenset] = {id(n): every for n in nodes}
    if graph.entry is not None:
        into[id(graph.entry)] = frozenset()
    changed = True
    while changed:
        changed = False
        incoming: dict[int, frozenset] = {}
        for node in nodes:
            for edge in _edges(node):
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
def _collapse_graph(graph: ir.Graph, reads: set[str], fresh: _Names) -> None:
    for cycle in _cycles(_nodes(graph)):
        _collapse(graph, cycle, reads, fresh)


def _collapse(graph: ir.Graph, cycle: list[ir.Node], reads: set[str], fresh: _Names) -> None:
    nodes = _nodes(graph)
    members = {id(n) for n in cycle}
    entries = [(node, edge) for node in nodes if id(node) not in members for edge in _edges(node)
               if edge.target is not None and id(edge.target) in members]
    heads = {id(edge.target) for _, edge in entries}
    if graph.entry is not None and id(graph.entry) in members:
        heads.add(id(graph.entry))
    if len(heads) != 1:
        return  # entered at several states: left as states
    head = next(n for n in cycle if id(n) in heads)
    assigned: set[str] = set()
    predecessors: dict[int, int] = {id(n): 0 for n in cycle}
    predecessors[id(head)] += 1  # entered from outside
    for node in cycle:
        for edge in _edges(node):
            assigned |= set(edge.assign or ())
            if edge.target is not None and id(edge.target) in members:
                predecessors[id(edge.target)] += 1
    carried = sorted(assigned & reads)
    leaders = [head] + [n for n in cycle if n is not head and predecessors[id(n)] > 1]
    pc_var = fresh.new("pc") if len(leaders) > 1 else None
    result_var = fresh.new("loop")
    defined = _defined(graph, nodes)
    step = _Step(cycle, members, leaders, carried, fresh.prefix)
    code = step.program(pc_var)
    if all(isinstance(target, ir.Fail) for target in step.exits):
        return  # it ends only by failing the machine (`while True:` with no way out): endless, most
        # likely; as states it meets the history quota at once instead of after hours of JSONata
    run = ir.Pass(title=f"Run {head.title}", assign={result_var: ir.Code(code, step.helpers)})
    after = ir.Choice(title=f"After {head.title}")
    for node in cycle:
        for line, text in node.lines:
            run.describe(line, text)
    if head.lines:
        after.describe(*head.lines[0])
    unpack = {name: ir.Code(f"$lookup(${result_var}, {jsonata_lib.string(name)})") for name in carried}
    for position, target in enumerate(step.exits):
        rule = ir.Rule(ir.Code(f"$lookup(${result_var}, {_AT}) = {len(leaders) + position}"), {**unpack, result_var: None}, target)
        after.rules.append(rule)
    after.default = run  # the step budget ran out: on with the next evaluation
    after.default_assign = dict(unpack)
    if pc_var is not None:
        after.default_assign[pc_var] = ir.Code(f"$lookup(${result_var}, {_AT})")
    run.next = after
    # enter: the carried variables not certainly set yet start as null (nothing reads
    # them before Python assigns them: the builder refused any such read)
    start = {pc_var: 0} if pc_var is not None else {}
    for node, edge in entries:
        out = defined[id(node)] | frozenset(edge.assign or ())
        init = {**start, **{name: None for name in carried if name not in out}}
        if init and edge.assign is None:
            setattr(edge.holder, edge.attr, ir.Pass(title=f"Enter {head.title}", assign=init, next=run))
            continue
        if init:  # a new dict: the builder may share one between transitions
            setattr(edge.holder, edge.assign_attr, {**edge.assign, **init})
        setattr(edge.holder, edge.attr, run)
    if graph.entry is head:
        init = {**start, **{name: None for name in carried}}
        graph.entry = ir.Pass(title=f"Enter {head.title}", assign=init, next=run) if init else run


class _Step:
    """The JSONata that runs a loop's states: a function from the carried variables (an
    object with `"@step"`, the step to run) to the same after one step; `program` adds the
    driver that applies it until the loop leaves (or the budget is spent)."""

    def __init__(self, cycle, members: set[int], leaders: list, carried: list[str], prefix: str):
        self.members = members
        self.leaders = {id(n): position for position, n in enumerate(leaders)}
        self.leader_nodes = leaders
        self.carried = carried
        self.prefix = prefix
        self.exits: list[ir.Node] = []
        self.helpers: frozenset = frozenset()
        self.temp = 0

    def program(self, pc_var: str | None) -> str:
        p = self.prefix
        state, unused, step_fn, go, chunk, left, result, at = (
            f"${p}_s", f"${p}_u", f"${p}_f", f"${p}_go", f"${p}_n", f"${p}_left", f"${p}_r", f"${p}_pc")
        pc = f"$lookup({state}, {_AT})"  # a path ($s.x) costs twice as much in jsonata-js
        bodies = [self._block(node) for node in self.leader_nodes]
        dispatch = bodies[-1]
        for position in range(len(bodies) - 2, -1, -1):
            dispatch = f"{at} = {position} ? {bodies[position]} : {dispatch}"
        stopped = len(self.leader_nodes)
        bind = "".join(f"${name} := $lookup({state}, {jsonata_lib.string(name)}); " for name in self.carried)
        if len(bodies) > 1:
            bind += f"{at} := {pc}; "
        step = f"function({state}, {unused}) {{ {pc} >= {stopped} ? {state} : ({bind}{dispatch}) }}"
        driver = (f"function({state}, {chunk}, {left}) {{ ({result} := $reduce([1..{chunk}], {step_fn}, {state}); "
                  f"($lookup({result}, {_AT}) >= {stopped} or {left} <= {chunk}) ? {result} : "
                  f"{go}({result}, $min([{chunk} * 2, {LARGEST_CHUNK}, {left} - {chunk}]), {left} - {chunk})) }}")
        first = self._object(f"${pc_var}" if pc_var is not None else "0")
        budget = self._budget(step, p)
        return f"({step_fn} := {step}; {go} := {driver}; {go}({first}, {min(FIRST_CHUNK, int(budget))}, {budget}))"

    def _budget(self, step: str, p: str) -> str:
        """The steps one evaluation runs: NODE_BUDGET over the estimated nodes of a step (its
        text's size: what helpers spend walking lists is not counted, see the README)."""
        return str(max(1, min(MAX_STEPS, NODE_BUDGET // max(1, len(step) // 8))))

    def _object(self, pc: str) -> str:
        fields = [f"{_AT}: {pc}"] + [f"{jsonata_lib.string(name)}: ${name}" for name in self.carried]
        return "{" + ", ".join(fields) + "}"

    def _leaf(self, target: ir.Node) -> str:
        if id(target) in self.members:
            return self._object(str(self.leaders[id(target)]))
        position = next((k for k, node in enumerate(self.exits) if node is target), None)
        if position is None:
            self.exits.append(target)
            position = len(self.exits) - 1
        return self._object(str(len(self.leader_nodes) + position))

    def _go(self, target: ir.Node) -> str:
        if id(target) not in self.members or id(target) in self.leaders:
            return self._leaf(target)
        return self._block(target)

    def _block(self, node: ir.Node) -> str:
        """The JSONata for `node` and the states after it up to the step's end."""
        statements: list[str] = []
        while isinstance(node, ir.Pass):
            statements += self._assign(node.assign)
            target = node.next
            if id(target) not in self.members or id(target) in self.leaders:
                return _sequence(statements, self._leaf(target))
            node = target
        assert isinstance(node, ir.Choice)
        text = _sequence(self._assign(node.default_assign), self._go(node.default))
        for rule in reversed(node.rules):
            self.helpers |= rule.condition.helpers
            branch = _sequence(self._assign(rule.assign), self._go(rule.next))
            text = f"{_operand(rule.condition.text)} ? {branch} : {text}"
        return _sequence(statements, text)

    def _assign(self, assign: dict) -> list[str]:
        """An Assign: every value from the variables before it, then all set at once (in
        an order where no value reads a variable already set, else through temporaries)."""
        if not assign:
            return []
        pending = [(name, self._value(value)) for name, value in assign.items()]
        out: list[str] = []
        while pending:
            for position, (name, text) in enumerate(pending):
                if not any(name in _VARIABLE_SET(other) for n, other in pending if n != name):
                    out.append(f"${name} := {text}")
                    del pending[position]
                    break
            else:  # a cycle (a, b = b, a): compute the rest first
                temps = []
                for name, text in pending:
                    self.temp += 1
                    temp = f"${self.prefix}_v{self.temp}"
                    out.append(f"{temp} := {text}")
                    temps.append((name, temp))
                out += [f"${name} := {temp}" for name, temp in temps]
                pending = []
        return out

    def _value(self, value: Any) -> str:
        """A field value (JSON with Code inside) as JSONata."""
        if isinstance(value, ir.Code):
            self.helpers |= value.helpers
            return _operand(value.text)
        if isinstance(value, dict):
            return "{" + ", ".join(f"{jsonata_lib.string(k)}: {self._value(v)}" for k, v in value.items()) + "}"
        if isinstance(value, (list, tuple)):
            if not any(True for _ in _codes(value)):
                return jsonata_lib.literal(list(value))
            self.helpers |= jsonata_lib.closure({"wrap"})
            return "[" + ", ".join(f"$__wrap({self._value(v)})" for v in value) + "]"
        return jsonata_lib.literal(value)


def _sequence(statements: list[str], last: str) -> str:
    """`s1; s2; last` as one expression (a block: what it binds stays inside)."""
    if not statements:
        return last
    return "(" + "; ".join(statements) + "; " + last + ")"


_ATOM = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_]*|-?[0-9][0-9.eE+-]*|true|false|null")
_CALL = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*\(")


def _operand(text: str) -> str:
    """`text` safe as an operand of `? :` and `:=`: parenthesized unless it is a name, a
    number, or one parenthesized group (a call or a block) already. Each parenthesis is a
    JSONata block, a frame to look names up through, so none is added where not needed."""
    text = text.strip()
    if _ATOM.fullmatch(text):
        return text
    start = 0
    match = _CALL.match(text)
    if match:
        start = match.end() - 1
    if text[start:start + 1] == "(" and "/" not in text and _closing(text, start) == len(text) - 1:
        return text
    return f"({text})"


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis closing the one at `start` (-1 if unbalanced), skipping
    string literals."""
    depth = 0
    position = start
    quote = ""
    while position < len(text):
        char = text[position]
        if quote:
            if char == "\\":
                position += 1
            elif char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return position
        position += 1
    return -1


def _VARIABLE_SET(text: str) -> set[str]:
    return set(_VARIABLE.findall(text))
