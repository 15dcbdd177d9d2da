"""State coverage: which states and transitions a set of executions exercised, and which never.

Three steps, each usable alone:

- `structure(definition)`: the machine as a graph: every state (nested ones in Parallel
  branches and Map processors included) and every edge it can take: `Next`, each Choice rule,
  `Default`, each `Catch` and each `Retry` (a loop back to the same state).
- `walk(history)`: the visits an execution made, read from its history alone (AWS's
  `GetExecutionHistory` shape): each state entered, with its input, output, retries and
  failure, and which visit led to which.
- `analyse(definition, execution)`: the two together: visit counts per state and how often
  each edge was taken. `Coverage` adds up many executions per state machine and reports
  what was never exercised, as text and as JSON.

Compiled workflows (pysfn_compile) are reported by their source too. A state's Comment that
starts "line N: ..." or "lines N-M: ..." names the source lines it runs: a line is covered
when a state naming it was entered. A catcher is the source's `except` clause it leads to: the
catchers of several calls that lead to one handler are one branch, taken when any of them is.
Pure code the compiler folded into one state runs the source's branches inside one JSONata
evaluation, which no history shows: a coverage build (`compile_file(path, coverage=True)`)
makes that state's result name the branches it took (its `"@taken"` object), and its
`source_map` says which; pass it to `Coverage.add` and they count as branches too.
A Choice rule, catcher or retrier whose Comment starts
"check: " is a check the compiler added (Python would raise there), not a branch of the
source; so is a retrier of Lambda's transient service errors only (AWS's recommended retrier,
which no workflow's test exercises). Such edges, and the states only they lead to, are counted apart
("checks") and left out of the states and transitions percentages. The source's branches
are the other Choice rules, the Defaults of Choices that have one, and the other catchers.

A history does not say which Choice rule matched or which catcher caught; when two edges
lead from the same state to the same target, the edge is told apart by the failure recorded
(Catch against Next), the error's name (which catcher), and by evaluating the rules again on
the state's input (which Choice rule), falling back to the first such edge.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..query.choice import compile_rule
from ..query.jsonpath import compile_path
from ..query.pipeline import select

NEXT, CHOICE, DEFAULT, CATCH, RETRY = "Next", "Choice", "Default", "Catch", "Retry"

# Events that mark one attempt of a state's work; more than one in a visit means retries.
_ATTEMPT_EVENTS = frozenset({
    "TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled",
    "ParallelStateStarted", "MapStateStarted",
})
# Events of a Parallel or Map state itself (not of the states inside it).
_OWN_EVENT_PREFIXES = {"ParallelState": "Parallel", "MapState": "Map", "MapIteration": "Map",
                       "MapRun": "Map"}
_LABEL_WIDTH = 48
_ERRORS_SHOWN = 2  # error names shown on a Catch edge (a Retry edge shows one)
CHECK_PREFIX = "check: "
_LINES = re.compile(r"lines? (\d+)(?:-(\d+))?: ")


# --- the machine as a graph ---------------------------------------------------------------


@attrs.frozen
class Edge:
    """One way out of a state: `kind` is Next, Choice, Default, Catch or Retry; `index` the
    position of the rule, catcher or retrier; `label` a short description for people."""

    source: str
    target: str
    kind: str
    index: int | None = None
    label: str = ""
    error_equals: tuple[str, ...] = ()  # a Catch's or Retry's error names
    check: bool = False  # a check a compiler added (its Comment starts "check: ")

    @property
    def key(self) -> str:
        """A stable, readable identity, e.g. `Check -> Reject (Choice #1)`."""
        which = self.kind if self.index is None else f"{self.kind} #{self.index + 1}"
        return f"{self.source} -> {self.target} ({which})"

    def as_dict(self) -> dict[str, Any]:
        out = {"from": self.source, "to": self.target, "kind": self.kind,
               "index": self.index, "label": self.label}
        if self.check:
            out["check"] = True
        return out


@attrs.frozen
class Flow:
    """A StartAt and its states: the whole machine, one Parallel branch or a Map processor."""

    start_at: str
    states: tuple[str, ...]


@attrs.frozen
class StateNode:
    """One state: its type, where it sits, and the flows nested inside it (Parallel, Map)."""

    name: str
    type: str
    spec: Mapping[str, Any] = attrs.field(repr=False)
    parent: str | None = None  # the Parallel or Map state it sits in
    flows: tuple[Flow, ...] = ()
    end: bool = False  # ends its flow (End: true, Succeed, Fail)


@attrs.frozen
class Structure:
    """Every state and every edge of a definition."""

    flow: Flow
    states: Mapping[str, StateNode]
    edges: tuple[Edge, ...]
    check_states: frozenset = frozenset()  # states only checks lead to

    def edges_from(self, name: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.source == name]

    @property
    def counted_states(self) -> list[str]:
        return [name for name in self.states if name not in self.check_states]

    @property
    def counted_edges(self) -> list[Edge]:
        return [edge for edge in self.edges if not edge.check]

    @property
    def check_edges(self) -> list[Edge]:
        return [edge for edge in self.edges if edge.check]

    @property
    def branches(self) -> list[Edge]:
        """The source's branches: Choice rules and catchers that are not checks, and the
        Default of a Choice that has such a rule."""
        chosen = {edge.source for edge in self.edges if edge.kind == CHOICE and not edge.check}
        return [edge for edge in self.edges if not edge.check and (
            edge.kind in (CHOICE, CATCH) or (edge.kind == DEFAULT and edge.source in chosen))]

    @property
    def branch_groups(self) -> dict[str, list[Edge]]:
        """The source's branches as the source has them: the catchers leading to one handler
        (an `except` clause around several calls) are one branch; a Choice's rule is one."""
        groups: dict[str, list[Edge]] = {}
        for edge in self.branches:
            key = f"except -> {edge.target}" if edge.kind == CATCH else edge.key
            groups.setdefault(key, []).append(edge)
        return groups

    @property
    def lines(self) -> dict[int, list[str]]:
        """Source line -> the states whose Comment names it ("line N: ..." / "lines N-M: ...")."""
        found: dict[int, list[str]] = {}
        for name, node in self.states.items():
            comment = node.spec.get("Comment")
            match = _LINES.match(comment) if isinstance(comment, str) else None
            if match is None or name in self.check_states:
                continue
            first = int(match.group(1))
            last = int(match.group(2) or first)
            for line in range(first, min(last, first + 10_000) + 1):
                found.setdefault(line, []).append(name)
        return dict(sorted(found.items()))


def structure(definition: Mapping[str, Any] | str) -> Structure:
    """The graph of a definition (a dict or JSON text). The definition should be valid; fields
    that are missing or malformed are skipped rather than reported (validate reports them)."""
    if isinstance(definition, str):
        definition = json.loads(definition)
    states: dict[str, StateNode] = {}
    edges: list[Edge] = []
    flow = _flow(definition, None, states, edges)
    checks = _check_states(flow, states, edges)
    # an edge into a check state (a Fail a check raises with) is a check too
    edges = [attrs.evolve(edge, check=True) if edge.target in checks and not edge.check else edge
             for edge in edges]
    return Structure(flow, states, tuple(edges), checks)


def _check_states(flow: Flow, states: Mapping[str, StateNode], edges: list[Edge]) -> frozenset:
    """States that only checks lead to (a Fail raising what a check found), and the states
    only those lead to, found by a fixed point over the incoming edges."""
    starts = {flow.start_at} | {sub.start_at for node in states.values() for sub in node.flows}
    incoming: dict[str, list[Edge]] = {}
    for edge in edges:
        if edge.source != edge.target:
            incoming.setdefault(edge.target, []).append(edge)
    found = {name for name, node in states.items() if _is_check(node.spec) and name not in starts}
    changed = True
    while changed:
        changed = False
        for name in states:
            if name in found or name in starts or not incoming.get(name):
                continue
            if all(edge.check or edge.source in found for edge in incoming[name]):
                found.add(name)
                changed = True
    return frozenset(found)


def _flow(spec: Any, parent: str | None, states: dict[str, StateNode], edges: list[Edge]) -> Flow:
    spec = spec if isinstance(spec, Mapping) else {}
    own = spec.get("States") if isinstance(spec.get("States"), Mapping) else {}
    names = []
    for name, state in own.items():
        state = state if isinstance(state, Mapping) else {}
        kind = str(state.get("Type", "?"))
        states[name] = StateNode(name, kind, state, parent)  # listed before what it holds
        edges.extend(_edges(name, state))
        flows = tuple(_flow(sub, name, states, edges) for sub in _sub_flows(state))
        states[name] = StateNode(name, kind, state, parent, flows,
                                 end=bool(state.get("End")) or kind in ("Succeed", "Fail"))
        names.append(name)
    return Flow(str(spec.get("StartAt", "")), tuple(names))


def _sub_flows(state: Mapping[str, Any]) -> list[Any]:
    if state.get("Type") == "Parallel":
        branches = state.get("Branches")
        return list(branches) if isinstance(branches, list) else []
    if state.get("Type") == "Map":
        processor = state.get("ItemProcessor", state.get("Iterator"))
        return [processor] if isinstance(processor, Mapping) else []
    return []


def _edges(name: str, state: Mapping[str, Any]) -> list[Edge]:
    edges = []
    if state.get("Type") == "Choice":
        for index, rule in enumerate(_list(state.get("Choices"))):
            if isinstance(rule, Mapping) and isinstance(rule.get("Next"), str):
                edges.append(Edge(name, rule["Next"], CHOICE, index, describe_rule(rule), check=_is_check(rule)))
        if isinstance(state.get("Default"), str):
            edges.append(Edge(name, state["Default"], DEFAULT, None, "default"))
    elif isinstance(state.get("Next"), str):
        edges.append(Edge(name, state["Next"], NEXT))
    for index, retrier in enumerate(_list(state.get("Retry"))):
        if isinstance(retrier, Mapping):
            attempts = retrier.get("MaxAttempts", 3)
            label = f"retry {_errors(retrier, 1)}, max {attempts}"
            check = _is_check(retrier) or _is_service_retrier(retrier)
            edges.append(Edge(name, name, RETRY, index, label, _error_names(retrier), check))
    for index, catcher in enumerate(_list(state.get("Catch"))):
        if isinstance(catcher, Mapping) and isinstance(catcher.get("Next"), str):
            edges.append(Edge(name, catcher["Next"], CATCH, index, f"catch {_errors(catcher)}",
                              _error_names(catcher), _is_check(catcher)))
    return edges


def _is_check(spec: Mapping[str, Any]) -> bool:
    comment = spec.get("Comment")
    return isinstance(comment, str) and comment.startswith(CHECK_PREFIX)


# the errors the Lambda service itself raises (not the function's), as AWS's recommended retrier lists them
_LAMBDA_SERVICE_ERRORS = frozenset({"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                                    "Lambda.TooManyRequestsException", "Lambda.ClientExecutionTimeoutException"})


def _is_service_retrier(retrier: Mapping[str, Any]) -> bool:
    names = _error_names(retrier)
    return bool(names) and all(name in _LAMBDA_SERVICE_ERRORS for name in names)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _error_names(spec: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(name) for name in _list(spec.get("ErrorEquals")))


def _errors(spec: Mapping[str, Any], shown: int = _ERRORS_SHOWN) -> str:
    names = _error_names(spec)
    text = ", ".join(names[:shown])
    return text + (f" +{len(names) - shown}" if len(names) > shown else "")


# --- Choice rules, abbreviated ------------------------------------------------------------

_COMPARISONS = {"Equals": "==", "LessThan": "<", "GreaterThan": ">",
                "LessThanEquals": "<=", "GreaterThanEquals": ">="}
_TYPE_TESTS = {"IsNull": "null", "IsString": "a string", "IsNumeric": "a number",
               "IsBoolean": "a boolean", "IsTimestamp": "a timestamp"}


def describe_rule(rule: Mapping[str, Any], width: int = _LABEL_WIDTH) -> str:
    """A Choice rule as a short expression, e.g. `$.n < 3`, `not $.ok == true`, `$.a is present`;
    a JSONata rule as its Condition. Longer than `width`, it is cut with an ellipsis."""
    return _abbreviate(_describe(rule), width)


def _abbreviate(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _describe(rule: Any) -> str:
    if not isinstance(rule, Mapping):
        return "?"
    if "Condition" in rule:
        condition = rule["Condition"]
        if isinstance(condition, str) and condition.strip().startswith("{%"):
            return last_expression(condition.strip()[2:-2].strip())
        return json.dumps(condition)
    for combinator, word in (("And", " and "), ("Or", " or ")):
        if combinator in rule:
            parts = [_describe(part) for part in _list(rule[combinator])]
            return word.join(f"({p})" if (" and " in p or " or " in p) else p for p in parts)
    if "Not" in rule:
        inner = _describe(rule["Not"])
        return f"not ({inner})" if " " in inner else f"not {inner}"
    variable = rule.get("Variable", "?")
    for key, value in rule.items():
        if key in ("Variable", "Next", "Assign", "Output", "Comment"):
            continue
        return f"{variable} {_operator(key, value)}"
    return str(variable)


def last_expression(text: str) -> str:
    """A JSONata block `( $f := ...; $g := ...; test )` read as its value, `test`: what a
    Choice rule tests, without the helper definitions a compiler puts before it."""
    while text.startswith("(") and _closing(text, 0) == len(text) - 1:
        parts = _split_top_level(text[1:-1], ";")
        last = next((p.strip() for p in reversed(parts) if p.strip()), "")
        if not last or last == text:
            break
        text = last
    return text


_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = frozenset(_OPENERS.values())


def _unquoted(text: str, start: int = 0):
    """(index, char, bracket depth after it) for each character outside a quoted string."""
    depth, quote = 0, None
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if char == quote and text[index - 1] != "\\":
                quote = None
            continue
        if char in "'\"":
            quote = char
            continue
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth -= 1
        yield index, char, depth


def _closing(text: str, start: int) -> int | None:
    """The index of the bracket closing the one at `start` (strings skipped), or None."""
    return next((i for i, char, depth in _unquoted(text, start) if char in _CLOSERS and depth == 0), None)


def _split_top_level(text: str, separator: str) -> list[str]:
    cuts = [i for i, char, depth in _unquoted(text) if char == separator and depth == 0]
    bounds = [-1, *cuts, len(text)]
    return [text[begin + 1:stop] for begin, stop in zip(bounds, bounds[1:], strict=False)]


def _operator(key: str, value: Any) -> str:
    if key == "IsPresent":
        return "is present" if value else "is absent"
    if key in _TYPE_TESTS:
        return f"is {'' if value else 'not '}{_TYPE_TESTS[key]}"
    if key == "StringMatches":
        return f"matches {json.dumps(value, ensure_ascii=False)}"
    by_path = key.endswith("Path")
    stem = key[:-4] if by_path else key
    for suffix, symbol in sorted(_COMPARISONS.items(), key=lambda item: -len(item[0])):
        if stem.endswith(suffix):
            operand = value if by_path else json.dumps(value, ensure_ascii=False)
            return f"{symbol} {operand}"
    return f"{key} {json.dumps(value, ensure_ascii=False)}"


# --- an execution's visits, from its history ----------------------------------------------


@attrs.define
class Visit:
    """One entry into one state, as the history shows it."""

    name: str
    type: str
    entered_event: int
    depth: int  # 0 at the top level, +1 inside each Parallel branch or Map iteration
    input: str | None  # JSON text, as the history records it
    output: str | None = None  # None while the state never exited (it failed)
    previous: int | None = None  # the entered_event of the visit that led here, if any
    attempts: int = 0  # attempts of a Task, Parallel or Map (retries = attempts - 1)
    errors: list[str | None] = attrs.field(factory=list)  # each failure recorded, in order
    failed_at_exit: bool = False  # its last recorded attempt failed (then caught, if exited)
    failed_inside: tuple[str, ...] = ()  # a Parallel's or Map's: the states its failure came from
    assigned: Mapping[str, str] | None = None  # variables it assigned: name -> JSON text

    @property
    def retries(self) -> int:
        return max(self.attempts - 1, 0)


@attrs.frozen
class Walk:
    """What a history says: every visit in the order the states were entered, and where the
    execution failed (the chain of states from the top level inwards), if it did."""

    visits: tuple[Visit, ...]
    failing_states: tuple[str, ...] = ()

    @property
    def failing_state(self) -> str | None:
        return self.failing_states[-1] if self.failing_states else None


def walk(history: Iterable[Mapping[str, Any]]) -> Walk:
    """Read the visits from the events, following each event's previousEventId: an event
    belongs to the innermost state still open on its chain."""
    visits: dict[int, Visit] = {}
    stacks: dict[int, tuple[Visit, ...]] = {}  # the states open just after each event
    closed_by: dict[int, Visit] = {}  # the visit each Exited event closed
    events: dict[int, Mapping[str, Any]] = {}
    failing: tuple[str, ...] = ()
    for event in history:
        event_id, kind = event["id"], event["type"]
        events[event_id] = event
        previous = events.get(event.get("previousEventId"))
        stack = stacks.get(previous["id"], ()) if previous is not None else ()
        if kind.endswith("StateEntered"):
            details = _details(event)
            visit = Visit(details.get("name", "?"), kind[: -len("StateEntered")], event_id,
                          len(stack), details.get("input"))
            if previous is not None and previous["type"].endswith("StateExited"):
                closed = closed_by.get(previous["id"])
                visit.previous = closed.entered_event if closed is not None else None
            visits[event_id] = visit
            stack = (*stack, visit)
        elif kind.endswith("StateExited"):
            closing = _close(stack, _details(event).get("name"), kind[: -len("StateExited")])
            if closing is not None:
                closed, stack = closing
                closed.output = _details(event).get("output")
                closed.assigned = _details(event).get("assignedVariables")
                closed_by[event_id] = closed
        else:
            inside, stack = stack, _own(stack, kind)
            if stack:
                _note(stack[-1], kind, event)
                if _is_failure(kind) and len(inside) > len(stack):
                    stack[-1].failed_inside = tuple(v.name for v in inside[len(stack):])
            if kind in ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"):
                failing = tuple(v.name for v in stack)
                failing += stack[-1].failed_inside if stack else ()
        stacks[event_id] = stack
    return Walk(tuple(visits[k] for k in sorted(visits)), failing)


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    return next((v for k, v in event.items() if k.endswith("EventDetails")), None) or {}


def _close(stack: tuple[Visit, ...], name: Any, kind: str):
    """Pop the exiting state and whatever is still open inside it (a failed branch's states)."""
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].name == name and stack[depth].type == kind:
            return stack[depth], stack[:depth]
    return None


def _own(stack: tuple[Visit, ...], kind: str) -> tuple[Visit, ...]:
    """A Parallel's or Map's own event belongs to that state, not to a state left open inside."""
    for prefix, state_type in _OWN_EVENT_PREFIXES.items():
        if kind.startswith(prefix):
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth].type == state_type:
                    return stack[: depth + 1]
    return stack


def _note(visit: Visit, kind: str, event: Mapping[str, Any]) -> None:
    if kind in _ATTEMPT_EVENTS:
        visit.attempts += 1
        visit.failed_at_exit = False
    elif _is_failure(kind):
        visit.errors.append(_details(event).get("error"))
        visit.failed_at_exit = True
    elif kind.endswith(("Succeeded", "SubmitSucceeded")) and not kind.startswith("MapIteration"):
        visit.failed_at_exit = False


def _is_failure(kind: str) -> bool:
    if kind.startswith(("MapIteration", "Execution")):
        return False
    return kind.endswith(("Failed", "TimedOut", "Aborted"))


# --- visits against the graph -------------------------------------------------------------


@attrs.frozen
class Run:
    """One execution laid over its machine: visits per state, and how often each edge was taken."""

    structure: Structure
    walk: Walk
    visits: Mapping[str, int]
    taken: Mapping[Edge, int]

    @property
    def failing_state(self) -> str | None:
        return self.walk.failing_state


def analyse(definition: Mapping[str, Any] | str | Structure, execution: Any) -> Run:
    """Lay an execution (or its history, a list of events) over its definition."""
    graph = definition if isinstance(definition, Structure) else structure(definition)
    history = execution if isinstance(execution, list) else execution.history
    steps = walk(history)
    visits = Counter(v.name for v in steps.visits)
    recorded = getattr(execution, "transitions", None)
    if recorded is not None:  # the emulator says exactly which edge each transition took
        return Run(graph, steps, dict(visits), _recorded_edges(graph, recorded))
    # A history alone (from AWS, say): infer each edge from the events around it.
    taken: Counter[Edge] = Counter()
    by_event = {v.entered_event: v for v in steps.visits}
    for visit in steps.visits:
        retry_edges = [e for e in graph.edges_from(visit.name) if e.kind == RETRY]
        for error in _retry_errors(visit):
            edge = _pick_handler(retry_edges, error)
            if edge is not None:
                taken[edge] += 1
        if visit.previous is not None and visit.previous in by_event:
            edge = _edge_taken(graph, by_event[visit.previous], visit)
            if edge is not None:
                taken[edge] += 1
    return Run(graph, steps, dict(visits), dict(taken))


def _recorded_edges(graph: Structure, transitions: Iterable[tuple]) -> dict[Edge, int]:
    taken: Counter[Edge] = Counter()
    for source, target, kind, index in transitions:
        edge = next((e for e in graph.edges_from(source)
                     if e.kind == kind and e.index == index and e.target == target), None)
        if edge is not None:
            taken[edge] += 1
    return dict(taken)


def _retry_errors(visit: Visit) -> list[str | None]:
    """The error behind each retry, where the history names it (a Task's), else None."""
    errors = list(visit.errors[: visit.retries])
    return errors + [None] * (visit.retries - len(errors))


def _edge_taken(graph: Structure, source: Visit, target: Visit) -> Edge | None:
    candidates = [e for e in graph.edges_from(source.name)
                  if e.target == target.name and e.kind != RETRY]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    caught = [e for e in candidates if e.kind == CATCH]
    if source.failed_at_exit and caught:
        error = (source.errors[-1] if source.errors else None) or _caught_error(source.output)
        return _pick_handler(caught, error) or caught[0]
    candidates = [e for e in candidates if e.kind != CATCH] or candidates
    rules = [e for e in candidates if e.kind == CHOICE]
    if rules and len(candidates) > 1:
        return _matching_rule(graph, source, candidates) or candidates[0]
    return candidates[0]


def _pick_handler(edges: list[Edge], error: str | None) -> Edge | None:
    """The first retrier or catcher whose ErrorEquals takes `error` (AWS's matching)."""
    if not edges:
        return None
    if error is None:
        return edges[0]
    for edge in edges:
        names = edge.error_equals
        if error in names or "States.ALL" in names or (
                "States.TaskFailed" in names and error != "States.Timeout"):
            return edge
    return edges[0]


def _caught_error(output: str | None) -> str | None:
    """A catcher with the default ResultPath passes {"Error", "Cause"} on: read the name."""
    try:
        value = json.loads(output) if output else None
    except ValueError:
        return None
    return value.get("Error") if isinstance(value, dict) else None


def _matching_rule(graph: Structure, source: Visit, candidates: list[Edge]) -> Edge | None:
    """Evaluate the Choice rules again on the state's input; None when that is not possible
    (JSONata, variables, the context object): the caller falls back to the first edge."""
    spec = graph.states[source.name].spec
    try:
        data = json.loads(source.input) if source.input is not None else None
        if isinstance(spec.get("InputPath"), str):
            data = select(compile_path(spec["InputPath"]), data, {}, {})
        elif "InputPath" in spec and spec["InputPath"] is None:
            data = {}
        for index, rule in enumerate(_list(spec.get("Choices"))):
            if compile_rule(rule).evaluate(data, {}, {}):
                return next((e for e in candidates if e.kind == CHOICE and e.index == index), None)
    except Exception:  # anything the rule needs that a history does not hold
        return None
    return next((e for e in candidates if e.kind == DEFAULT), None)


# --- many executions per state machine ----------------------------------------------------


def machine_id(definition: Mapping[str, Any] | str) -> str:
    """A short digest of a definition's JSON, to tell state machines apart."""
    text = definition if isinstance(definition, str) else json.dumps(definition, sort_keys=True)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


@attrs.define
class MachineCoverage:
    """The coverage of one state machine over the executions added so far."""

    name: str
    structure: Structure
    executions: int = 0
    visits: Counter = attrs.field(factory=Counter)
    taken: Counter = attrs.field(factory=Counter)
    # a coverage build's source map: {"folded": {state: {"variable", "branches": {id: where}}}}
    source_map: Mapping[str, Any] = attrs.field(factory=dict)
    folded_taken: Counter = attrs.field(factory=Counter)  # (state, branch id) -> times

    def add(self, run: Run) -> None:
        self.executions += 1
        self.visits.update(run.visits)
        self.taken.update(run.taken)
        folded = self.source_map.get("folded") or {}
        for visit in run.walk.visits:
            spec = folded.get(visit.name)
            if spec is None or not visit.assigned:
                continue
            try:
                result = json.loads(visit.assigned.get(spec["variable"], "null"))
            except ValueError:
                continue
            taken = result.get("@taken") if isinstance(result, dict) else None
            if isinstance(taken, dict):
                self.folded_taken.update((visit.name, key) for key in taken)

    @property
    def folded_branches(self) -> list[tuple[str, str, Mapping[str, Any]]]:
        """(state, id, where) of every branch folded into a state, from the source map."""
        return [(state, key, where) for state, spec in (self.source_map.get("folded") or {}).items()
                if state in self.structure.states for key, where in spec["branches"].items()]

    @property
    def branches_never_taken(self) -> list[str]:
        """The source's branches never taken, described for people."""
        out = [f"{key}: {edges[0].label}" if edges[0].label and edges[0].kind != DEFAULT else key
               for key, edges in self.structure.branch_groups.items()
               if not any(self.taken.get(edge) for edge in edges)]
        out += [f"{_where(where)} ({where['way']}, folded into {state})"
                for state, key, where in self.folded_branches if not self.folded_taken.get((state, key))]
        return out

    @property
    def states_never_visited(self) -> list[str]:
        return [name for name in self.structure.counted_states if not self.visits.get(name)]

    @property
    def edges_never_taken(self) -> list[Edge]:
        return [edge for edge in self.structure.counted_edges if not self.taken.get(edge)]

    @property
    def lines_never_run(self) -> list[int]:
        return [line for line, names in self.structure.lines.items()
                if not any(self.visits.get(name) for name in names)]

    def as_dict(self) -> dict[str, Any]:
        graph = self.structure
        states, edges = graph.counted_states, graph.counted_edges
        out = {
            "name": self.name,
            "executions": self.executions,
            "states": {"total": len(states), "covered": len(states) - len(self.states_never_visited)},
            "transitions": {"total": len(edges),
                            "covered": len(edges) - len(self.edges_never_taken)},
            "state_visits": {name: self.visits.get(name, 0) for name in graph.states},
            "transition_counts": [{**edge.as_dict(), "count": self.taken.get(edge, 0)}
                                  for edge in graph.edges],
            "never_visited": self.states_never_visited,
            "never_taken": [edge.as_dict() for edge in self.edges_never_taken],
        }
        lines = graph.lines
        if lines:
            never = self.lines_never_run
            groups = graph.branch_groups
            folded = self.folded_branches
            out["lines"] = {"total": len(lines), "covered": len(lines) - len(never), "never_run": never}
            out["branches"] = {
                "total": len(groups) + len(folded),
                "covered": sum(1 for edges in groups.values() if any(self.taken.get(e) for e in edges))
                + sum(1 for state, key, _ in folded if self.folded_taken.get((state, key))),
                "never_taken": self.branches_never_taken}
        checks = graph.check_edges
        if checks:
            out["checks"] = {"total": len(checks), "taken": sum(1 for edge in checks if self.taken.get(edge)),
                             "states": sorted(graph.check_states)}
        return out

    def format(self) -> str:
        """A few lines for people: the counts, then what was never exercised."""
        data = self.as_dict()
        s, t = data["states"], data["transitions"]
        plural = "s" if self.executions != 1 else ""
        head = f"{self.name}: {self.executions} execution{plural}, "
        if "lines" in data:
            lines, branches = data["lines"], data["branches"]
            head += (f"source lines {lines['covered']}/{lines['total']} ({_percent(lines)}), "
                     f"branches {branches['covered']}/{branches['total']} ({_percent(branches)}), ")
        head += (f"states {s['covered']}/{s['total']} ({_percent(s)}), "
                 f"transitions {t['covered']}/{t['total']} ({_percent(t)})")
        if "checks" in data:
            head += f"; {data['checks']['total']} compiler checks not counted ({data['checks']['taken']} taken)"
        lines_out = [head]
        if data.get("lines", {}).get("never_run"):
            lines_out.append("  source lines never run: " + _ranges(data["lines"]["never_run"]))
        for state, key, where in self.folded_branches:  # the others show as edges below
            if not self.folded_taken.get((state, key)):
                lines_out.append(f"  branch never taken: {_where(where)} ({where['way']}, folded into {state})")
        if self.states_never_visited:
            lines_out.append("  states never entered: " + ", ".join(self.states_never_visited))
        for edge in self.edges_never_taken:
            label = f": {edge.label}" if edge.label and edge.kind != DEFAULT else ""
            lines_out.append(f"  never taken: {edge.key}{label}")
        return "\n".join(lines_out)


def _where(where: Mapping[str, Any]) -> str:
    """A folded branch's place: `line 38: if x < 3:`, or what the compiler calls it."""
    line = where.get("line")
    return str(where.get("source")) if line is None else f"line {line}: {where.get('source')}"


def _ranges(numbers: list[int]) -> str:
    """12, 15-17: consecutive numbers as ranges."""
    parts: list[str] = []
    start = previous = None
    for number in numbers + [None]:
        if start is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = number
    return ", ".join(parts)


def _percent(counts: Mapping[str, int]) -> str:
    return f"{counts['covered'] / counts['total']:.0%}" if counts["total"] else "–"


class Coverage:
    """Executions added up per state machine (told apart by their definition's JSON)."""

    def __init__(self) -> None:
        self.machines: dict[str, MachineCoverage] = {}

    def add(self, definition: Mapping[str, Any] | str, execution: Any,
            name: str | None = None, source_map: Mapping[str, Any] | None = None) -> Run:
        """Count one execution; `name` labels its machine (default: its definition's digest);
        `source_map`: a coverage build's (pysfn_compile's `compiled.source_map`), which says
        where folded pure code records the source's branches it takes."""
        if isinstance(definition, str):
            definition = json.loads(definition)
        key = machine_id(definition)
        machine = self.machines.get(key)
        if machine is None:
            machine = self.machines[key] = MachineCoverage(name or f"definition {key}",
                                                           structure(definition))
        if source_map and not machine.source_map:
            machine.source_map = source_map
        run = analyse(machine.structure, execution)
        machine.add(run)
        return run

    def as_dict(self) -> dict[str, Any]:
        return {"state_machines": [m.as_dict() for m in self.machines.values()]}

    def format(self) -> str:
        return "\n".join(m.format() for m in self.machines.values())
