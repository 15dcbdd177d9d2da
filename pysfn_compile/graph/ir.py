"""The state graph the transforms build, and its emission as ASL (JSONata, with variables).

Nodes point at each other directly; a transition not yet known is a *hole* (an object and
an attribute name) that the builder fills when the next node arrives. Emission walks the
graph from its entry, so a node nobody reaches is never emitted, and names each state after
what it does, unique across the whole machine (AWS requires that, branches included).
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from . import jsonata_lib

MAX_NAME = 80
# The Comment of a Choice rule or retrier the compiler adds to check what Python would raise
# (not a branch of the source), or of a state only such checks reach; the emulator's coverage
# counts these apart.
CHECK = "check: "


@attrs.define(eq=False)
class Code:
    """A JSONata expression and the helpers it calls; rendered as "{% ... %}"."""

    text: str
    helpers: frozenset = frozenset()
    # whether its lists read by computed positions may be read through an object of positions
    # built once per evaluation (graph/indexed_reads.py): not a loop entered again after each
    # call (pure_loops), whose evaluations are as many as its calls
    by_position: bool = True

    def render(self, int_keys: bool = False) -> str:
        return jsonata_lib.render(self.text, int_keys)


def value(item: Any, int_keys: bool = False) -> Any:
    """A field value: Code rendered, containers walked, JSON literals kept."""
    if isinstance(item, Code):
        return item.render(int_keys)
    if isinstance(item, dict):
        return {key: value(v, int_keys) for key, v in item.items()}
    if isinstance(item, list):
        return [value(v, int_keys) for v in item]
    return item


@attrs.define(eq=False)
class Node:
    title: str = ""
    lines: list = attrs.Factory(list)  # (line number, source text)
    check: str = ""  # a state only the compiler's checks reach (no source line): why

    def describe(self, line: int, text: str) -> None:
        if (line, text) not in self.lines:
            self.lines.append((line, text))

    def successors(self) -> list:
        return []

    def comment(self) -> str:
        if not self.lines:
            return CHECK + self.check if self.check else ""
        numbers = sorted({line for line, _ in self.lines})
        where = f"line {numbers[0]}" if len(numbers) == 1 else f"lines {numbers[0]}-{numbers[-1]}"
        return f"{where}: " + "; ".join(text for _, text in self.lines)


@attrs.define(eq=False)
class Pass(Node):
    assign: dict = attrs.Factory(dict)
    next: Node | None = None
    bulky: set = attrs.Factory(set)  # the assigned values that may be as large as a collection (builder.assign)

    def successors(self):
        return [self.next]


@attrs.define(eq=False)
class Rule:
    condition: Code
    assign: dict = attrs.Factory(dict)
    next: Node | None = None
    check: str = ""  # a check the compiler adds (not a branch of the source): what it raises


@attrs.define(eq=False)
class Choice(Node):
    rules: list = attrs.Factory(list)
    default: Node | None = None
    default_assign: dict = attrs.Factory(dict)
    mergeable: bool = False  # a guard Choice: later assignments may join its default Assign
    bulky: set = attrs.Factory(set)  # (as Pass's, for its default Assign)

    def successors(self):
        return [rule.next for rule in self.rules] + [self.default]


@attrs.define(eq=False)
class Catcher:
    errors: list
    assign: dict = attrs.Factory(dict)
    next: Node | None = None
    keep_error: bool = False  # the next state's input is the error output ({Error, Cause})
    check: str = ""  # a catcher only the compiler's checks need: why (its Comment, "check: ...")


@attrs.define(eq=False)
class Retrier:
    errors: list
    interval: int = 1
    max_attempts: int = 3
    backoff: float = 2.0
    max_delay: int | None = None
    jitter: bool = False
    check: str = ""  # a retrier the compiler adds (not the source's @sfn.retry): why
    # AWS's retrier of Lambda's service errors: written as a person would, without a Comment
    # (coverage knows it by its error names)
    service: bool = False

    def emit(self) -> dict:
        out: dict[str, Any] = {"ErrorEquals": list(self.errors)}
        if self.check and not self.service:
            out["Comment"] = CHECK + self.check
        # the compiler's own retrier keeps to the States Language's defaults (1 s, 3 attempts,
        # rate 2.0) and says so by leaving them out; the source's @sfn.retry is spelled out
        if not self.check or self.interval != 1:
            out["IntervalSeconds"] = self.interval
        if not self.check or self.max_attempts != 3:
            out["MaxAttempts"] = self.max_attempts
        if not self.check or self.backoff != 2.0:
            out["BackoffRate"] = self.backoff
        if self.max_delay is not None:
            out["MaxDelaySeconds"] = self.max_delay
        if self.jitter:
            out["JitterStrategy"] = "FULL"
        return out


@attrs.define(eq=False)
class Task(Node):
    """A Lambda invocation through the dispatcher function; or, with `resource`, an AWS service
    call (`sfn.aws...`: lowering/service_calls.py) whose `arguments` are its Arguments."""

    function: str = ""
    lambda_arn: str = ""
    args: list = attrs.Factory(list)
    kwargs: Any = attrs.Factory(dict)  # {name: value}, or one Code: a **mapping merged in
    floats: list = attrs.Factory(list)  # paths to the arguments' floats (runtime/dispatch.py)
    assign: dict = attrs.Factory(dict)
    output: Any = None  # a branch's last state: what it returns
    retry: list = attrs.Factory(list)
    catch: list = attrs.Factory(list)
    timeout: int | None = None
    heartbeat: int | None = None
    wait_for_token: bool = False  # `.waitForTaskToken`: the result is the token's answer
    next: Node | None = None
    resource: str = ""  # a service integration's ARN (else the dispatcher's lambda:invoke)
    arguments: Any = None  # a service integration's Arguments

    def successors(self):
        return [self.next] + [c.next for c in self.catch]


@attrs.define(eq=False)
class Wait(Node):
    seconds: Any = None
    timestamp: Any = None
    next: Node | None = None

    def successors(self):
        return [self.next]


@attrs.define(eq=False)
class Fail(Node):
    error: Any = None
    cause: Any = None


@attrs.define(eq=False)
class Succeed(Node):
    output: Any = None


@attrs.define(eq=False)
class Graph:
    """One scope's states: the machine, a Parallel branch or a Map item processor."""

    entry: Node | None = None


@attrs.define(eq=False)
class Parallel(Node):
    branches: list = attrs.Factory(list)  # Graphs
    assign: dict = attrs.Factory(dict)
    catch: list = attrs.Factory(list)
    output: Any = None  # a graph's last state: what it returns
    next: Node | None = None

    def successors(self):
        return [self.next] + [c.next for c in self.catch]


@attrs.define(eq=False)
class Map(Node):
    items: Any = None
    processor: Graph | None = None
    max_concurrency: Any = None
    distributed: Distributed | None = None  # a distributed Map: child executions
    assign: dict = attrs.Factory(dict)
    catch: list = attrs.Factory(list)
    output: Any = None  # a graph's last state: what it returns
    next: Node | None = None

    def successors(self):
        return [self.next] + [c.next for c in self.catch]


@attrs.define(eq=False)
class Distributed:
    """What makes a Map distributed: its children's execution type, batches, and an S3 reader."""

    execution_type: str = "STANDARD"
    batch_size: int | None = None
    reader: dict | None = None  # {"Bucket": value, "Key": value, "InputType": "JSON" | "JSONL" | "CSV"}
    writer: dict | None = None  # {"Bucket": value, "Prefix": value}: a ResultWriter to S3
    label: str | None = None  # the Map's Label (its map run's name), which a plain run also knows


# -- walking a built graph (pure_loops.py and state_folding.py rewrite it) -----------------
VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# what JSONata reads besides the variables: the state's input and context, the clock, chance
IMPURE = re.compile(r"\$(states|now|millis|random|uuid|eval)(?![A-Za-z0-9_])")


@attrs.frozen
class Edge:
    """A transition: `holder.attr` names the target; `assign` is what it sets (None: it
    cannot set anything, e.g. a Wait's)."""

    holder: Any
    attr: str
    assign: dict | None
    assign_attr: str = "assign"

    @property
    def target(self) -> Node | None:
        return getattr(self.holder, self.attr)


def graphs(graph: Graph):
    """A machine's graph and those of its Parallel branches and Map item processors."""
    yield graph
    for node in nodes(graph):
        if isinstance(node, Map) and node.processor is not None:
            yield from graphs(node.processor)
        elif isinstance(node, Parallel):
            for branch in node.branches:
                yield from graphs(branch)


def nodes(graph: Graph) -> list[Node]:
    """The states reachable from the graph's entry (nested graphs excluded), in source order."""
    order: list[Node] = []
    seen: set[int] = set()
    stack = [graph.entry]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(reversed([edge.target for edge in edges(node)]))
    return order


def edges(node: Node) -> list[Edge]:
    """The transitions out of a state, each with what it assigns."""
    if isinstance(node, Pass):
        return [Edge(node, "next", node.assign)]
    if isinstance(node, Choice):
        return [Edge(rule, "next", rule.assign) for rule in node.rules] + [Edge(node, "default", node.default_assign, "default_assign")]
    if isinstance(node, (Task, Map, Parallel)):
        out = [Edge(node, "next", node.assign)] if node.next is not None else []
        return out + [Edge(catcher, "next", catcher.assign) for catcher in node.catch]
    if isinstance(node, Wait):
        return [Edge(node, "next", None)] if node.next is not None else []
    return []


def codes(value: Any):
    if isinstance(value, Code):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from codes(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from codes(item)


def node_values(node: Node) -> list:
    """Every field value of a state that may hold JSONata (its nested graphs excluded)."""
    values: list = [edge.assign for edge in edges(node) if edge.assign]
    if isinstance(node, Choice):
        values += [rule.condition for rule in node.rules]
    elif isinstance(node, Task):
        values += [node.args, node.kwargs, node.arguments, node.output, node.floats]
    elif isinstance(node, Map):
        values += [node.items, node.max_concurrency, node.output]
        if node.distributed is not None:
            values += [part for part in (node.distributed.reader, node.distributed.writer) if part is not None]
    elif isinstance(node, Parallel):
        values += [node.output]
    elif isinstance(node, Wait):
        values += [node.seconds, node.timestamp]
    elif isinstance(node, Fail):
        values += [node.error, node.cause]
    elif isinstance(node, Succeed):
        values += [node.output]
    return values


def _floats_field(floats: list) -> Any:
    """A payload's "floats" paths: a literal, unless a key in it would read as a JSONata
    template ("{% $x %}") or a path is there only where a number is a float (a Code giving a
    list of paths, maybe empty: calls._float_places), then one expression appending them."""
    known = [path for path in floats if not isinstance(path, Code)]
    given = [path for path in floats if isinstance(path, Code)]
    templated = any(isinstance(step, str) and "{%" in step for path in known for step in path)
    if not given and not templated:
        return floats
    helpers = frozenset().union(*(path.helpers for path in given))
    text = jsonata_lib.literal(known) if known or not given else given.pop(0).text
    for path in given:
        text = f"$append({text}, {path.text})"
    return Code(text, helpers).render()


def writes_int_key(item: Any) -> bool:
    """Whether a field's value (Code, or JSON holding Code) writes an int dict key: helpers
    ikey/ekey, or a literal key NUL + digits (jsonata_lib's encoding)."""
    if isinstance(item, Code):
        return bool({"ikey", "ekey"} & item.helpers) or "\\u0000" in item.text
    if isinstance(item, dict):
        return any(isinstance(k, str) and k.startswith("\x00") for k in item) or any(map(writes_int_key, item.values()))
    if isinstance(item, (list, tuple)):
        return any(map(writes_int_key, item))
    return False


def encodes_int_keys(graph: Graph) -> bool:
    """Whether the machine stores an int dict key anywhere, its nested graphs included."""
    return int_key_writer(graph) is not None


def int_key_writer(graph: Graph) -> Node | None:
    """The first node that may store an int dict key, its nested graphs included."""
    return next((node for each in graphs(graph) for node in nodes(each)
                 if any(writes_int_key(part) for part in node_values(node))), None)


def mentions(value: Any) -> set[str]:
    """The names a value's JSONata mentions as `$name` (more than it reads: locals and
    function names too, which only makes the callers more careful)."""
    out: set[str] = set()
    for code in codes(value):
        out.update(VARIABLE.findall(code.text))
    return out


def node_mentions(node: Node) -> set[str]:
    out: set[str] = set()
    for value in node_values(node):
        out |= mentions(value)
    return out


LAMBDA_SERVICE_RETRY = Retrier(
    ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
     "Lambda.TooManyRequestsException"],
    interval=1, max_attempts=3, backoff=2.0, check="Lambda service", service=True)


class Emitter:
    """Names states uniquely across the machine and writes them as ASL."""

    def __init__(self, int_keys: bool = False) -> None:
        self.int_keys = int_keys  # the machine stores int dict keys (jsonata_lib.helper_table)
        self.used: set[str] = set()
        self.counts: dict[str, int] = {}
        self.names: dict[int, str] = {}  # id(node) -> the name it was emitted under

    def _value(self, item: Any) -> Any:
        return value(item, self.int_keys)

    def machine(self, graph: Graph, comment: str) -> dict:
        body = self.graph(graph)
        return {"Comment": comment, "QueryLanguage": "JSONata", **body}

    def graph(self, graph: Graph) -> dict:
        order: list[Node] = []
        seen: set[int] = set()
        stack = [graph.entry]
        while stack:  # depth-first, in source order: states read top to bottom
            node = stack.pop()
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            order.append(node)
            stack.extend(reversed(node.successors()))
        names = {id(node): self._name(node.title) for node in order}
        self.names.update(names)
        states = {names[id(node)]: self.state(node, names) for node in order}
        return {"StartAt": names[id(graph.entry)], "States": states}

    def _name(self, title: str) -> str:
        base = " ".join(title.split()) or "State"
        if len(base) > MAX_NAME:
            base = base[: MAX_NAME - 1] + "…"
        name, count = base, self.counts.get(base, 1)
        while name in self.used:
            count += 1
            suffix = f" #{count}"
            name = base[: MAX_NAME - len(suffix)] + suffix
        self.counts[base] = count
        self.used.add(name)
        return name

    def state(self, node: Node, names: dict) -> dict:
        out: dict[str, Any] = {"Type": type(node).__name__}
        comment = node.comment()
        if comment:
            out["Comment"] = comment
        method = getattr(self, "_" + type(node).__name__.lower())
        method(node, out, names)
        return out

    @staticmethod
    def _next(out: dict, target: Node | None, names: dict) -> None:
        if target is None:
            out["End"] = True
        else:
            out["Next"] = names[id(target)]

    def _pass(self, node: Pass, out: dict, names: dict) -> None:
        if node.assign:
            out["Assign"] = self._value(node.assign)
        self._next(out, node.next, names)

    def _choice(self, node: Choice, out: dict, names: dict) -> None:
        rules = []
        for rule in node.rules:
            emitted: dict[str, Any] = {"Condition": rule.condition.render(self.int_keys)}
            if rule.check:
                emitted["Comment"] = CHECK + rule.check
            if rule.assign:
                emitted["Assign"] = self._value(rule.assign)
            emitted["Next"] = names[id(rule.next)]
            rules.append(emitted)
        out["Choices"] = rules
        if node.default is not None:
            out["Default"] = names[id(node.default)]
        if node.default_assign:
            out["Assign"] = self._value(node.default_assign)

    def _catchers(self, catchers: list, out: dict, names: dict) -> None:
        if catchers:
            out["Catch"] = [
                {"ErrorEquals": list(c.errors), **({"Comment": CHECK + c.check} if c.check else {}),
                 **({"Assign": self._value(c.assign)} if c.assign else {}),
                 **({} if c.keep_error else {"Output": {}}), "Next": names[id(c.next)]}
                for c in catchers]

    def _task(self, node: Task, out: dict, names: dict) -> None:
        if node.resource:  # an AWS service call
            out["Resource"] = node.resource
            out["Arguments"] = self._value(node.arguments)
        else:
            out["Resource"] = "arn:aws:states:::lambda:invoke" + (".waitForTaskToken" if node.wait_for_token else "")
            payload = {"function": node.function, "args": self._value(node.args)}
            if node.kwargs:  # the dispatcher reads a missing "kwargs" as none
                payload["kwargs"] = self._value(node.kwargs)
            if node.floats:
                payload["floats"] = _floats_field(node.floats)
            out["Arguments"] = {"FunctionName": node.lambda_arn, "Payload": payload}
        if node.timeout is not None:
            out["TimeoutSeconds"] = node.timeout
        if node.heartbeat is not None:
            out["HeartbeatSeconds"] = node.heartbeat
        if node.retry or not node.resource:
            out["Retry"] = [r.emit() for r in node.retry]
        self._catchers(node.catch, out, names)
        if node.assign:
            out["Assign"] = self._value(node.assign)
        out["Output"] = self._value(node.output) if node.output is not None else {}
        self._next(out, node.next, names)

    def _wait(self, node: Wait, out: dict, names: dict) -> None:
        if node.seconds is not None:
            out["Seconds"] = self._value(node.seconds)
        else:
            out["Timestamp"] = self._value(node.timestamp)
        out["Output"] = {}
        self._next(out, node.next, names)

    def _fail(self, node: Fail, out: dict, names: dict) -> None:
        if node.error is not None:
            out["Error"] = self._value(node.error)
        if node.cause is not None:
            out["Cause"] = self._value(node.cause)

    def _succeed(self, node: Succeed, out: dict, names: dict) -> None:
        out["Output"] = self._value(node.output)

    def _parallel(self, node: Parallel, out: dict, names: dict) -> None:
        out["Branches"] = [self.graph(branch) for branch in node.branches]
        self._catchers(node.catch, out, names)
        if node.assign:
            out["Assign"] = self._value(node.assign)
        out["Output"] = self._value(node.output) if node.output is not None else {}
        self._next(out, node.next, names)

    def _map(self, node: Map, out: dict, names: dict) -> None:
        distributed = node.distributed
        if distributed is None:
            out["Items"] = self._value(node.items)
            config = {"Mode": "INLINE"}
        else:
            config = {"Mode": "DISTRIBUTED", "ExecutionType": distributed.execution_type}
            if distributed.reader is None:
                out["Items"] = self._value(node.items)
            else:
                reader = distributed.reader
                reader_config = {"InputType": reader["InputType"]}
                if reader["InputType"] == "CSV":
                    reader_config["CSVHeaderLocation"] = "FIRST_ROW"
                out["ItemReader"] = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": reader_config,
                                     "Arguments": {"Bucket": self._value(reader["Bucket"]), "Key": self._value(reader["Key"])}}
            if distributed.batch_size is not None:
                out["ItemBatcher"] = {"MaxItemsPerBatch": distributed.batch_size}
            if distributed.writer is not None:
                # COMPACT: each child's output (its record) as it is, without the execution's
                # description and its times, which a plain run could not write alike
                out["ResultWriter"] = {"Resource": "arn:aws:states:::s3:putObject",
                                       "Arguments": {k: self._value(v) for k, v in distributed.writer.items()},
                                       "WriterConfig": {"OutputType": "JSON", "Transformation": "COMPACT"}}
            if distributed.label is not None:
                out["Label"] = distributed.label
        out["ItemProcessor"] = {"ProcessorConfig": config, **self.graph(node.processor)}
        if node.max_concurrency is not None:
            out["MaxConcurrency"] = self._value(node.max_concurrency)
        self._catchers(node.catch, out, names)
        if node.assign:
            out["Assign"] = self._value(node.assign)
        out["Output"] = self._value(node.output) if node.output is not None else {}
        self._next(out, node.next, names)
