"""Hidden variables assigned in case a later state reads them, taken out where none does.

The companion that says whether a number is a float (Builder.kind_pairs) is set at every
assignment of a name that may hold an int or a float, but only printing the number (or
passing it on) reads it; where nothing does, its assignments would only bulk up the machine.
"""

from __future__ import annotations

from .ir import Graph, edges, graphs, mentions, node_values, nodes


def drop_unread(graph: Graph, names: frozenset) -> None:
    """Take out the assignments of `names` that no state reads (a read by the assignment of
    another of them counts only where that one is read)."""
    every = [node for each in graphs(graph) for node in nodes(each)]
    read: set[str] = set()
    feeds: dict[str, set[str]] = {}  # a hidden name -> what its assigned values read
    for node in every:
        assigns = [edge.assign for edge in edges(node) if edge.assign]
        for value in node_values(node):
            if not any(value is assign for assign in assigns):
                read |= mentions(value)
                continue
            for key, item in value.items():
                if key in names:
                    feeds.setdefault(key, set()).update(mentions(item))
                else:
                    read |= mentions(item)
    grown = read & feeds.keys()
    while grown:
        more = set().union(*(feeds[name] for name in grown)) - read
        read |= more
        grown = more & feeds.keys()
    for node in every:
        for edge in edges(node):
            for key in [key for key in edge.assign or () if key in names and key not in read]:
                del edge.assign[key]
