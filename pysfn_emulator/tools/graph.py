"""A state machine as a Mermaid flowchart, optionally with one execution laid over it.

    text = graph.to_mermaid(definition)              # the machine
    text = graph.to_mermaid(definition, execution)   # and the path one execution took
    page = graph.to_markdown(definition, execution, title="Order")   # in a ```mermaid block

Mermaid is drawn natively by GitHub and most Markdown viewers. Shapes follow the state
type (a rhombus for Choice, a stadium for Succeed and Fail, ...); Choice edges carry their
rule, abbreviated; Catch and Retry edges are dashed and name their errors; Parallel branches
and Map processors are subgraphs. With an execution, the states it entered are highlighted
with their visit counts, the transitions it took are drawn thick with their counts, and the
state where it failed is marked. Both functions are pure: the same arguments give the same
text.

`parse` reads back the subset of Mermaid written here and checks it (balanced subgraphs,
quoted labels without raw quotes, edges between declared nodes), so tests need no browser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from .coverage import CATCH, RETRY, Edge, Flow, Run, Structure, analyse, structure

START_ID, END_ID = "machine_start", "machine_end"

_SHAPES = {  # state type -> (opening, closing) around the quoted label
    "Task": ("[", "]"),
    "Pass": ("(", ")"),
    "Choice": ("{", "}"),
    "Wait": ("[/", "/]"),
    "Succeed": ("([", "])"),
    "Fail": ("([", "])"),
}
_DEFAULT_SHAPE = ("[", "]")
_CLASS_DEFS = (
    "classDef succeed stroke:#2e7d32,stroke-width:2px",
    "classDef fail stroke:#c62828,stroke-width:2px",
    "classDef visited fill:#dcf2dc,stroke:#2e7d32,stroke-width:2px",
    "classDef failed fill:#fbd9d3,stroke:#c62828,stroke-width:3px",
)
_TAKEN_LINK_STYLE = "stroke:#2e7d32,stroke-width:3px"
_ESCAPES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "|": "#124;", "`": "#96;"}


def escape(text: str) -> str:
    """Text made safe inside a quoted Mermaid label: quotes, `#`, angle brackets, pipes and
    backticks become entity codes; line breaks become spaces."""
    text = " ".join(str(text).splitlines())
    return "".join(_ESCAPES.get(char, char) for char in text)


def to_mermaid(definition: Mapping[str, Any] | str, execution: Any = None, *,
               direction: str = "TD") -> str:
    """The flowchart of `definition` (a dict or JSON text), overlaid with `execution` (an
    Execution, or its history as a list of events) when one is given."""
    graph = structure(definition)
    run = analyse(graph, execution) if execution is not None else None
    return _Writer(graph, run, direction).text()


def to_markdown(definition: Mapping[str, Any] | str, execution: Any = None, *,
                title: str | None = None) -> str:
    """A Markdown page: an optional heading, the flowchart in a ```mermaid block, a legend."""
    lines = [f"# {title}", ""] if title else []
    if execution is not None:
        lines += [_summary(execution), ""]
    lines += ["```mermaid", to_mermaid(definition, execution).rstrip("\n"), "```", ""]
    if execution is not None:
        lines += ["Green: states the execution entered, with their visit counts (×n); thick "
                  "edges: transitions it took; red: the state where it failed. Dashed edges "
                  "are Catch and Retry.", ""]
    return "\n".join(lines)


def _summary(execution: Any) -> str:
    status = getattr(execution, "status", None)
    if status is None:
        return "Execution (history only)."
    text = f"Execution **{status}**"
    if getattr(execution, "error", None) is not None:
        text += f": `{execution.error}`"
        if getattr(execution, "cause", None):
            cause = " ".join(str(execution.cause).split())
            text += f" ({cause[:200]}{'…' if len(cause) > 200 else ''})"
    return text + "."


class _Writer:
    def __init__(self, graph: Structure, run: Run | None, direction: str):
        self.graph = graph
        self.run = run
        self.direction = direction
        self.ids = {name: f"s{number}" for number, name in enumerate(graph.states)}
        self.lines: list[str] = []
        self.edge_count = 0
        self.taken_links: list[int] = []

    def text(self) -> str:
        self.lines.append(f"flowchart {self.direction}")
        self.lines.append(f'    {START_ID}(("start"))')
        self._flow(self.graph.flow, 1)
        ends = [n for n in self.graph.flow.states if self._ends_successfully(n)]
        if ends:
            self.lines.append(f'    {END_ID}(("end"))')
        if self.graph.flow.start_at in self.ids:
            self._link(START_ID, "-->", "", self.ids[self.graph.flow.start_at],
                       taken=self.run is not None and bool(self._visits(self.graph.flow.start_at)))
        for edge in self.graph.edges:
            self._edge(edge)
        for name in ends:
            self._link(self.ids[name], "-->", "", END_ID,
                       taken=self.run is not None and self._ended_here(name))
        self._styles()
        return "\n".join(self.lines) + "\n"

    # -- nodes ------------------------------------------------------------------------------

    def _flow(self, flow: Flow, depth: int) -> None:
        for name in flow.states:
            node = self.graph.states[name]
            if node.type in ("Parallel", "Map"):
                self._subgraph(name, depth)
            else:
                opening, closing = _SHAPES.get(node.type, _DEFAULT_SHAPE)
                label = self._label(name, node.type)
                self.lines.append(f'{"    " * depth}{self.ids[name]}{opening}"{label}"{closing}')

    def _subgraph(self, name: str, depth: int) -> None:
        node = self.graph.states[name]
        pad = "    " * depth
        retries = [e for e in self.graph.edges_from(name) if e.kind == RETRY]
        title = self._label(name, node.type)
        if retries:  # a loop onto a subgraph does not draw well: say it in the title
            title += " ⟲ " + escape("; ".join(e.label for e in retries))
        self.lines.append(f'{pad}subgraph {self.ids[name]}["{title}"]')
        self.lines.append(f"{pad}    direction TB")
        if node.type == "Parallel":
            for number, flow in enumerate(node.flows):
                self.lines.append(
                    f'{pad}    subgraph {self.ids[name]}_b{number}["branch {number + 1}"]')
                self.lines.append(f"{pad}        direction TB")
                self._flow(flow, depth + 2)
                self.lines.append(f"{pad}    end")
        else:
            for flow in node.flows:
                self._flow(flow, depth + 1)
        self.lines.append(f"{pad}end")

    def _label(self, name: str, state_type: str) -> str:
        label = escape(name)
        if state_type in ("Parallel", "Map"):
            label += f" ({state_type})"
        visits = self._visits(name)
        if visits:
            label += f" ×{visits}"
        return label

    # -- edges ------------------------------------------------------------------------------

    def _edge(self, edge: Edge) -> None:
        if edge.source not in self.ids or edge.target not in self.ids:
            return  # a definition with dangling names: validate reports it
        if edge.kind == RETRY and self.graph.states[edge.source].type in ("Parallel", "Map"):
            return  # shown in the subgraph's title
        count = self.run.taken.get(edge, 0) if self.run is not None else 0
        label = edge.label
        if count and (label or count > 1):
            label = f"{label} ×{count}".strip()
        arrow = "-.->" if edge.kind in (CATCH, RETRY) else "-->"
        self._link(self.ids[edge.source], arrow, label, self.ids[edge.target], taken=count > 0)

    def _link(self, source: str, arrow: str, label: str, target: str, taken: bool) -> None:
        text = f"{source} {arrow}"
        if label:
            text += f'|"{escape(label)}"|'
        self.lines.append(f"    {text} {target}")
        if taken:
            self.taken_links.append(self.edge_count)
        self.edge_count += 1

    # -- the overlay ------------------------------------------------------------------------

    def _visits(self, name: str) -> int:
        return self.run.visits.get(name, 0) if self.run is not None else 0

    def _ends_successfully(self, name: str) -> bool:
        node = self.graph.states[name]
        return node.type == "Succeed" or (node.end and node.type != "Fail")

    def _ended_here(self, name: str) -> bool:
        visits = [v for v in self.run.walk.visits if v.depth == 0] if self.run else []
        return bool(visits) and visits[-1].name == name and visits[-1].output is not None

    def _styles(self) -> None:
        self.lines.extend(f"    {line}" for line in _CLASS_DEFS)
        for kind in ("Succeed", "Fail"):
            ids = [self.ids[n] for n, s in self.graph.states.items() if s.type == kind]
            if ids:
                self.lines.append(f"    class {','.join(ids)} {kind.lower()}")
        if self.run is None:
            return
        visited = [self.ids[name] for name in self.graph.states if self._visits(name)]
        if visited:
            self.lines.append(f"    class {','.join(visited)} visited")
        failing = [self.ids[n] for n in self.run.walk.failing_states if n in self.ids]
        if failing:
            self.lines.append(f"    class {failing[-1]} failed")
        if self.taken_links:
            links = ",".join(str(number) for number in self.taken_links)
            self.lines.append(f"    linkStyle {links} {_TAKEN_LINK_STYLE}")


# --- reading it back ----------------------------------------------------------------------


class MermaidSyntaxError(ValueError):
    """The text is not the Mermaid this module writes; the message names the line."""


@attrs.frozen
class Flowchart:
    """What `parse` found: nodes by id (shape opening and label), edges, subgraphs."""

    direction: str
    nodes: Mapping[str, tuple[str, str]]
    edges: tuple[tuple[str, str, str, str], ...]  # (source, arrow, label, target)
    subgraphs: Mapping[str, tuple[str, str | None]]  # id -> (title, enclosing subgraph)
    classes: Mapping[str, frozenset[str]]  # class name -> ids
    link_styles: tuple[int, ...]

    def node_id(self, label_start: str) -> str:
        """The id of the node or subgraph whose label starts with this text."""
        for node, (_, label) in {**self.nodes, **{k: ("", v[0]) for k, v in
                                                   self.subgraphs.items()}}.items():
            if label.startswith(label_start):
                return node
        raise KeyError(label_start)


_ID = r"[A-Za-z][A-Za-z0-9_]*"
_QUOTED = r'"[^"]*"'
_NODE = re.compile(
    rf"^(?P<id>{_ID})(?P<open>\(\(|\(\[|\[/|\[|\(|\{{)(?P<label>{_QUOTED})"
    r"(?P<close>\)\)|\]\)|/\]|\]|\)|\})$")
_EDGE = re.compile(rf"^(?P<source>{_ID}) (?P<arrow>-->|-\.->)(?:\|(?P<label>{_QUOTED})\|)? "
                   rf"(?P<target>{_ID})$")
_SUBGRAPH = re.compile(rf"^subgraph (?P<id>{_ID})\[(?P<label>{_QUOTED})\]$")
_PAIRS = {"((": "))", "([": "])", "[/": "/]", "[": "]", "(": ")", "{": "}"}
_RESERVED = {"end", "subgraph", "graph", "flowchart", "class", "classDef", "style", "linkStyle",
             "direction", "click"}
_ENTITY = re.compile(r"#(?:[a-z]+|[0-9]+);")


def parse(text: str) -> Flowchart:
    """Check and read the Mermaid flowchart `to_mermaid` writes; raise MermaidSyntaxError."""
    lines = text.splitlines()
    if not lines or not re.fullmatch(r"flowchart (TD|TB|LR|RL|BT)", lines[0].strip()):
        raise MermaidSyntaxError("line 1: expected 'flowchart TD' (or TB, LR, RL, BT)")
    nodes: dict[str, tuple[str, str]] = {}
    edges: list[tuple[str, str, str, str]] = []
    subgraphs: dict[str, tuple[str, str | None]] = {}
    classes: dict[str, set[str]] = {}
    defined_classes: set[str] = set()
    link_styles: list[int] = []
    open_subgraphs: list[str] = []

    def fail(number: int, message: str) -> MermaidSyntaxError:
        return MermaidSyntaxError(f"line {number}: {message}: {lines[number - 1].strip()!r}")

    def label_of(quoted: str, number: int) -> str:
        inner = quoted[1:-1]
        if "#" in _ENTITY.sub("", inner):
            raise fail(number, "a '#' that is not an entity code")
        return inner

    def declare(node: str, number: int) -> None:
        if node in _RESERVED or node.lower() == "end":
            raise fail(number, f"{node!r} is a reserved word")
        if node in nodes or node in subgraphs:
            raise fail(number, f"{node!r} declared twice")

    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if not line or line.startswith("%%"):
            continue
        if match := _SUBGRAPH.match(line):
            declare(match["id"], number)
            subgraphs[match["id"]] = (label_of(match["label"], number),
                                      open_subgraphs[-1] if open_subgraphs else None)
            open_subgraphs.append(match["id"])
        elif line == "end":
            if not open_subgraphs:
                raise fail(number, "'end' without a subgraph")
            open_subgraphs.pop()
        elif re.fullmatch(r"direction (TD|TB|LR|RL|BT)", line):
            if not open_subgraphs:
                raise fail(number, "'direction' outside a subgraph")
        elif match := _NODE.match(line):
            if _PAIRS[match["open"]] != match["close"]:
                raise fail(number, "the shape's brackets do not pair")
            declare(match["id"], number)
            nodes[match["id"]] = (match["open"], label_of(match["label"], number))
        elif match := _EDGE.match(line):
            label = label_of(match["label"], number) if match["label"] else ""
            edges.append((match["source"], match["arrow"], label, match["target"]))
        elif match := re.fullmatch(rf"classDef ({_ID}) (\S+)", line):
            defined_classes.add(match[1])
        elif match := re.fullmatch(rf"class ({_ID}(?:,{_ID})*) ({_ID})", line):
            classes.setdefault(match[2], set()).update(match[1].split(","))
        elif match := re.fullmatch(r"linkStyle (\d+(?:,\d+)*) (\S+)", line):
            link_styles.extend(int(n) for n in match[1].split(","))
        else:
            raise fail(number, "not a statement of the flowchart subset written here")
    if open_subgraphs:
        raise MermaidSyntaxError(f"subgraph {open_subgraphs[-1]!r} is never closed by 'end'")
    known = set(nodes) | set(subgraphs)
    for source, _, _, target in edges:
        for end in (source, target):
            if end not in known:
                raise MermaidSyntaxError(f"an edge names {end!r}, which is not declared")
    for name, members in classes.items():
        if name not in defined_classes:
            raise MermaidSyntaxError(f"class {name!r} is used but has no classDef")
        if members - known:
            raise MermaidSyntaxError(f"class {name!r} names undeclared {sorted(members - known)}")
    if any(n >= len(edges) for n in link_styles):
        raise MermaidSyntaxError(f"linkStyle names edge {max(link_styles)} of {len(edges)}")
    return Flowchart(lines[0].split()[1], nodes, tuple(edges), subgraphs,
                     {k: frozenset(v) for k, v in classes.items()}, tuple(link_styles))
