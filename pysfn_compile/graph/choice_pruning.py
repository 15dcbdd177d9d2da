"""Choice rules that cannot match, removed from the built graph.

The lowering checks each operation's guards where the operation is (`sale["cents"]` tests that
`sale` is subscriptable, then `sale["qty"]` tests it again), so one Choice, or the Choices of
one path, test the same condition again and again. A rule's condition is a pure JSONata
function of the workflow variables; Step Functions evaluates a Choice's rules in order and
takes the first that holds. So where the same condition was found false earlier on every
path to a Choice, and no Assign since has set a variable it names, it is false again: the
rule can never be taken and goes (an earlier rule of the same Choice counts too). A Choice
left without rules becomes a Pass.

Nothing else changes: what is evaluated where it matters, the order of the rules that stay,
the ways out. A condition that reads `$states` (or the clock, or random numbers) is never a
known fact. A condition written `A or B` found false makes `A` and `B` known false; one written
`A and B` is known false when `A` or `B` is. A counter's check that `x + 1` fits in 2**53
goes too (it cannot pass it in a real execution: see counters.py). This serves the machine's states and the pure
loops alike (pure_loops.py runs after it, so a loop step tests each fact once).
"""

from __future__ import annotations

from . import ir
from .counters import START_LIMIT, cannot_overflow, counters
from .jsonata_text import false_facts, false_under


def prune_known_rules(graph: ir.Graph) -> None:
    """Remove, in place, the rules of every Choice (nested graphs too) that cannot match."""
    graphs = list(ir.graphs(graph))
    small = counters(graphs, START_LIMIT)
    for one in graphs:
        _prune(one, small)


def _prune(graph: ir.Graph, small_counters: frozenset) -> None:
    nodes = ir.nodes(graph)
    known = _known_false(graph, nodes)
    replaced: dict[int, ir.Node] = {}
    for node in nodes:
        if not isinstance(node, ir.Choice):
            continue
        false = set(known.get(id(node)) or ())
        kept = []
        for rule in node.rules:
            text = rule.condition.text
            if not false_under(text, false) and not (rule.check and cannot_overflow(text, small_counters)):
                kept.append(rule)
            false |= false_facts(text)
        if len(kept) == len(node.rules):
            continue
        node.rules = kept
        if not kept:
            replaced[id(node)] = ir.Pass(title=node.title, lines=node.lines, check=node.check,
                                         assign=node.default_assign, next=node.default)
    if not replaced:
        return
    for node in ir.nodes(graph):
        for edge in ir.edges(node):
            target = edge.target
            if target is not None and id(target) in replaced:
                setattr(edge.holder, edge.attr, replaced[id(target)])
    for node in list(replaced.values()):  # a Pass standing for a Choice that led to another
        while node.next is not None and id(node.next) in replaced:
            node.next = replaced[id(node.next)]
    if graph.entry is not None and id(graph.entry) in replaced:
        graph.entry = replaced[id(graph.entry)]


def _known_false(graph: ir.Graph, nodes: list[ir.Node]) -> dict[int, frozenset]:
    """For each state, the conditions false on every path into it (a forward must-analysis:
    the facts a Choice's untaken rules give, less those naming a variable an Assign sets)."""
    into: dict[int, frozenset | None] = {id(n): None for n in nodes}  # None: no path seen yet
    if graph.entry is None:
        return {}
    into[id(graph.entry)] = frozenset()
    by_id = {id(n): n for n in nodes}
    mentions: dict[str, set[str]] = {}
    work = [graph.entry]
    while work:
        node = work.pop()
        here = into[id(node)]
        if here is None:
            continue
        untaken: frozenset = frozenset()
        rules = node.rules if isinstance(node, ir.Choice) else []
        outs = []
        for rule in rules:
            outs.append((rule.next, here | untaken, rule.assign))
            untaken = untaken | false_facts(rule.condition.text)
        for edge in ir.edges(node):
            if isinstance(node, ir.Choice) and edge.holder is not node:
                continue  # a rule's edge: done above
            facts = here | untaken if isinstance(node, ir.Choice) else here
            outs.append((edge.target, facts, edge.assign))
        for target, facts, assign in outs:
            if target is None or id(target) not in by_id:
                continue
            if assign:
                facts = frozenset(f for f in facts if not (_names(f, mentions) & set(assign)))
            old = into[id(target)]
            new = facts if old is None else old & facts
            if new != old:
                into[id(target)] = new
                work.append(target)
    return {key: value for key, value in into.items() if value is not None}


def _names(text: str, cache: dict[str, set[str]]) -> set[str]:
    found = cache.get(text)
    if found is None:
        found = cache[text] = set(ir.VARIABLE.findall(text))
    return found
