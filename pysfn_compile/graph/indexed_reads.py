"""A list read by a computed position inside a JSONata function, through an object of positions.

`$xs[$i - 1]` is a filter: jsonata-js (AWS's engine) evaluates the index once per item of
`$xs` (the emulator once, where it reads no item). Inside a function that runs once per item of something else (a
comprehension's, a search for the item that would raise, a folded loop's step), n such reads of
an n-item list cost n * n nodes: `[xs[i] - xs[i - 1] for i in range(1, len(xs))]` over 500
items ran out of an evaluation's budget. Where a field reads a workflow variable so (one the
field neither sets nor binds as a parameter, by an index that does not read the filter's
context `$`), the field first binds the list's positions once (positional_lists.to_positions,
as a folded loop holds a list it changes, with the count: linear), and each such read is
`$__at(positions, $xs, index)`:
an object lookup, a negative index counted from the end and a fraction floored, as the filter
takes them, an index that is no number the filter itself. (graph/pure_loops.py reads the lists
a folded loop walks by its counter through such an object already; this covers the rest.)

A slice of such a list with a step of 1 (`$__slice1_list($xs, lo, hi)`, which walks all of
`$xs`) is `$__slice1_at(positions, lo, hi)`: a lookup per item it takes, so a moving window
`xs[i:i + w]` over n items costs n * w, not n * n.
"""

from __future__ import annotations

import re

from . import ir, jsonata_lib, positional_lists

_READ = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\[")
_CONTEXT = re.compile(r"\$(?![A-Za-z0-9_$])")  # the filter's context item `$` (not a variable)
_PARAMETERS = re.compile(r"function\(([^)]*)\)")
_LITERAL_INDEX = re.compile(r"\[\s*-?\d+\s*\]")  # `$pair[0]` inside an index: read at once


def rewrite_graph(graph: ir.Graph) -> None:
    """Every field of the machine (its branches and map bodies too), in place."""
    for one in ir.graphs(graph):
        for node in ir.nodes(one):
            for value in ir.node_values(node):
                for code in ir.codes(value):
                    if not code.by_position:
                        continue
                    text = rewrite(code.text)
                    if text != code.text:
                        code.helpers = code.helpers | {helper for helper in ("at", "slice1_at") if f"$__{helper}(" in text}
                        code.text = text


_SLICE = re.compile(r"\$__slice1_list\(\$([A-Za-z_][A-Za-z0-9_]*)\s*,")


def rewrite(text: str) -> str:
    """`text` with its function bodies' reads of lists by computed positions made lookups,
    and their slices read by position."""
    bodies = _function_bodies(text)
    if not bodies:
        return text
    bound = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)\s*:=", text))
    for parameters in _PARAMETERS.findall(text):
        bound |= set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", parameters))
    code = {position for position, _ in jsonata_lib.code_positions(text)}
    names: dict[str, str] = {}
    out, done = [], 0
    found = sorted([*_READ.finditer(text), *_SLICE.finditer(text)], key=lambda match: match.start())
    for match in found:
        start, open_at = match.start(), match.end() - 1
        name = match.group(1)
        if start < done or start not in code or name in bound or not _inside(start, bodies) \
                or (start > 0 and text[start - 1] in ".$"):
            continue
        if match.re is _SLICE:
            local = names.setdefault(name, f"$__ix{len(names) + 1}_{name}")
            out += [text[done:start], f"$__slice1_at({local},"]
            done = match.end()
            continue
        close = jsonata_lib.closing(text, open_at)
        if close < 0 or text[close + 1:close + 2] in ("[", "."):
            continue  # `$xs[$i][0]`: two predicates of one path step, not an item's item
        index = text[open_at + 1:close]
        if not index.strip() or _CONTEXT.search(index) or "[" in _LITERAL_INDEX.sub("", index) or "/" in index \
                or re.fullmatch(r"\s*-?\d+\s*", index):
            continue  # (a predicate, an index this pass does not read through, or a number JSONata reads at once)
        local = names.setdefault(name, f"$__ix{len(names) + 1}_{name}")
        read = f"$__at({local}, ${name}, {index})"
        if text[start - 1:start] == "(" and text[close + 1:close + 3] == ")[":
            # `($m[$i])[$j]` (operations.bound_code): a block ending with a call drops the
            # predicate after it in jsonata-js (it indexed the row as a one-item sequence)
            read = f"$__s := {read}; $__s"
        out += [text[done:start], read]
        done = close + 1
    if not names:
        return text
    out.append(text[done:])
    positions = "; ".join(f'{local} := {{"v": {positional_lists.to_positions("$" + name)}, "n": $count(${name})}}'
                          for name, local in names.items())
    return f"({positions}; {''.join(out)})"


def _function_bodies(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each `function(...) { ... }` body's braces."""
    bodies = []
    for match in re.finditer(r"function\([^)]*\)\s*\{", text):
        close = jsonata_lib.closing(text, match.end() - 1)
        if close > 0:
            bodies.append((match.end() - 1, close))
    return bodies


def _inside(position: int, bodies: list[tuple[int, int]]) -> bool:
    return any(start < position < end for start, end in bodies)
