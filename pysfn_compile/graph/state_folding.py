"""Fewer states where one does what two did: rewrites of the built graph that keep its meaning.

The lowering makes a state per step of the source; three patterns leave a state that a person
writing the machine by hand would not write, and each costs history events per run (per item
in a Map, per iteration in a loop):

- **A Task that returns**: `return f(x)` (or `y = f(x); return g(y)` computed purely) is a Task
  that assigns the result to a variable and a Succeed that outputs an expression of it. The
  Task can end the graph itself, its `Output` the Succeed's expression with the variables the
  Task would have assigned replaced by their values (`$states.result.Payload`). The Succeed
  must be reached from that Task only. So can a Map or Parallel state (`return sfn.map(...)`).
- **A Map body that calls one callee**: `sfn.map(f, xs)` lowers to a Pass that copies the item
  (`$states.input`) into a variable and the Task calling `f` with it. The Task reads the item
  as its own `$states.input` (the Pass passes its input on unchanged), so the Pass goes when
  nothing else in the body reads the variable.
- **A Task followed by a Pass**: `r["score"] = score(r["id"])` (or `totals[k] = f(x)`,
  `n += count(x)`) is a Task assigning the result to a variable and a Pass computing the
  statement from it. Where the Pass is reached from that Task only, its assignments join the
  Task's `Assign`, each with the variables the Task assigns replaced by their values (the
  Task's `Assign` sees the values from before the state, as the Pass would have seen them
  after it). Only where the Task's own variables go then (a compiler's variable nothing else
  reads, `__r3`): AWS limits the values of one Assign to 256 KB together, which the Task's
  result beside the Pass's values could pass where each alone did not (`rows = fetch(n); a =
  sorted(rows)`). In a loop calling a callee per item, two history events fewer per iteration.
  Not for a Task that retries every error
  (`@sfn.retry(errors=[Exception])`): were an expression of the Pass to fail (States.
  QueryEvaluationError), the retrier would call the callee again; a catcher sends that
  error where the Pass's failure went (the scope's own Fail, or past Python's handlers).

All run after the pure loops are collapsed, on the graphs of branches and item processors
too. None changes what is evaluated, or in which order.
"""

from __future__ import annotations

import re
from typing import Any

from . import ir, jsonata_lib

_RESULT_READ = re.compile(r"\$states(?![A-Za-z0-9_])")


def fold_states(graph: ir.Graph, shown: frozenset = frozenset()) -> None:
    """Apply the rewrites to a machine's graph and every graph nested in it; `shown`: variables
    set only for the history to show (a log record), which a Task that returns still sets."""
    for one in list(ir.graphs(graph)):
        _fold_returns(one, shown)
        _fold_item_pass(graph, one)
    for one in list(ir.graphs(graph)):
        _fold_following_pass(graph, one, shown)


def _incoming(graph: ir.Graph) -> dict[int, int]:
    """How many transitions lead to each state (the graph's entry counts one)."""
    counts: dict[int, int] = {}
    if graph.entry is not None:
        counts[id(graph.entry)] = 1
    for node in ir.nodes(graph):
        for edge in ir.edges(node):
            if edge.target is not None:
                counts[id(edge.target)] = counts.get(id(edge.target), 0) + 1
    return counts


def _fold_returns(graph: ir.Graph, shown: frozenset = frozenset()) -> None:
    incoming = _incoming(graph)
    for node in ir.nodes(graph):
        if not isinstance(node, (ir.Task, ir.Map, ir.Parallel)) or not isinstance(node.next, ir.Succeed) \
                or node.output is not None:
            continue
        succeed = node.next
        if incoming.get(id(succeed)) != 1:
            continue
        output = _substitute(succeed.output, node.assign)
        if output is None:
            continue
        node.output = output
        node.assign = {name: value for name, value in node.assign.items() if name in shown}
        node.next = None
        for line, text in succeed.lines:
            node.describe(line, text)


def _fold_following_pass(machine: ir.Graph, graph: ir.Graph, shown: frozenset) -> None:
    incoming = _incoming(graph)
    for node in ir.nodes(graph):
        if not isinstance(node, (ir.Task, ir.Map, ir.Parallel)) \
                or any("States.ALL" in retrier.errors for retrier in getattr(node, "retry", ())):
            continue  # (a retrier of every error would run the Task again where the Pass's expression failed)
        while isinstance(node.next, ir.Pass) and node.next.next is not None and incoming.get(id(node.next)) == 1:
            after = node.next
            moved = {name: _substitute(value, node.assign) if any(True for _ in ir.codes(value)) else value
                     for name, value in after.assign.items()}
            if any(value is None for value in moved.values()):
                break  # a value reads `$states` (the Pass's input is not the Task's)
            kept = {name for name in node.assign if name not in moved}
            if kept - _unread_temps(machine, after, kept - shown):
                break  # the Task's own values beside the Pass's could pass Assign's 256 KB together
            node.assign = moved
            node.next = after.next
            for line, text in after.lines:
                node.describe(line, text)


def _unread_temps(machine: ir.Graph, after: ir.Pass, names: set) -> set:
    """The compiler's variables among `names` (`__r3`) that no state but `after` reads."""
    names = {name for name in names if name.startswith("__")}
    for one in ir.graphs(machine):
        for node in ir.nodes(one):
            if names and node is not after:
                names -= {name for value in ir.node_values(node) for name in ir.mentions(value)}
    return names


def _substitute(output: Any, assign: dict) -> Any:
    """`output` with each variable of `assign` replaced by the value assigned to it; None
    when that cannot be done as text (the output reads `$states`: the Succeed's input is not
    the Task's; it binds one of the names itself; or a variable is assigned something other
    than an expression or JSON)."""
    if output is None:
        return ir.Code("null")  # a Task's output None means "no Output field"
    if isinstance(output, dict):  # a template: each of its expressions
        parts = {key: _substitute(value, assign) if isinstance(value, (ir.Code, dict)) else value
                 for key, value in output.items()}
        return None if any(part is None for part in parts.values()) else parts
    if not isinstance(output, ir.Code):
        return output if not any(True for _ in ir.codes(output)) else None
    if _RESULT_READ.search(output.text):
        return None
    text, helpers = output.text, set(output.helpers)
    for name, value in assign.items():
        pattern = re.compile(re.escape("$" + name) + r"(?![A-Za-z0-9_])")
        if not pattern.search(text):
            continue
        if re.search(re.escape("$" + name) + r"\s*:=", text):
            return None  # the expression binds the name itself (a folded block's local)
        if isinstance(value, ir.Code):
            replacement, helpers = value.text, helpers | value.helpers
        elif not any(True for _ in ir.codes(value)):
            replacement = jsonata_lib.literal(value)
        else:
            return None
        text = pattern.sub(lambda match, r=replacement: _operand(r, match.string, match.end()), text)
    return ir.Code(text, frozenset(helpers))


_PATH = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def _operand(replacement: str, text: str, end: int) -> str:
    """`replacement` where a variable stood: a path (`$states.result.Payload`) as it is unless
    a postfix operator follows (`.`, `[`, `{`, `(` would bind to its last step), anything
    else in parentheses."""
    if _PATH.fullmatch(replacement) and text[end:end + 1] not in (".", "[", "{", "("):
        return replacement
    return f"({replacement})"


def _fold_item_pass(machine: ir.Graph, graph: ir.Graph) -> None:
    entry = graph.entry
    if graph is machine or not isinstance(entry, ir.Pass) or len(entry.assign) != 1:
        return
    ((name, value),) = entry.assign.items()
    task = entry.next
    if not (isinstance(value, ir.Code) and value.text == "$states.input" and isinstance(task, ir.Task)) \
            or task.resource:  # a service call's Arguments are not the dispatcher's args
        return
    if _incoming(graph).get(id(task)) != 1:
        return
    # nothing but the Task's arguments may read the variable: not the Task's other fields,
    # no later state, no nested graph (a Map body inside reads the enclosing variables)
    exact = "$" + name
    for one in ir.graphs(graph):
        for node in ir.nodes(one):
            if node is entry:
                continue
            values = [node.assign, node.output, *(c.assign for c in node.catch)] if node is task \
                else ir.node_values(node)
            if any(name in ir.mentions(v) for v in values):
                return
    arguments = [*task.args, *(task.kwargs.values() if isinstance(task.kwargs, dict) else [task.kwargs])]
    if any(name in ir.mentions(v) and not (isinstance(v, ir.Code) and v.text == exact) for v in arguments):
        return  # read inside a larger expression: left as it is
    item = ir.Code("$states.input")
    task.args = [item if isinstance(v, ir.Code) and v.text == exact else v for v in task.args]
    if isinstance(task.kwargs, dict):  # (else one expression, its **mapping merged in: not `exact`)
        task.kwargs = {k: item if isinstance(v, ir.Code) and v.text == exact else v for k, v in task.kwargs.items()}
    for line, text in entry.lines:
        task.describe(line, text)
    graph.entry = task
