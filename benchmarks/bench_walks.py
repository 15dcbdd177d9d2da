"""What a step costs: the JSONata nodes the list helpers spend per item (the figures behind
pysfn_compile/graph/pure_loops.py's WALK_NODES and COMPARE_NODES), and workflows whose steps
walk lists, over thousands of items (session 23).

Not a test (timings vary by machine): run it by hand and paste its tables into
benchmarks/README.md. Run it on another commit (a `git worktree`, with this file copied there)
for the "before" column.

    python benchmarks/bench_walks.py

Nodes are counted by the emulator (its runaway guard stops an evaluation past 1,000,000:
States.QueryEvaluationError); seconds are CPU seconds of the process, best of 3
(benchmarks/timing.py), with the execution's history events.
"""

from __future__ import annotations

import textwrap

from timing import best_run

import pysfn_emulator
from pysfn_compile import compile_source
from pysfn_compile.graph import jsonata_lib
from pysfn_emulator.query.jsonata import engine

# helper call, list: nodes per item are (nodes at 1,100 items - nodes at 100) / 1,000
HELPER_CALLS = [
    ("$__setitem($xs, 3, 0)", "numbers"), ("$__delitem($xs, 3)", "numbers"), ("$__insert($xs, 3, 0)", "numbers"),
    ("$__map($xs, function($v) { $v + 1 })", "numbers"), ("$__filter($xs, function($v) { $v > 3 })", "numbers"),
    ("$__slice1_list($xs, 3, 8)", "numbers"), ("$__slice_list($xs, 3, 8, 2)", "numbers"),
    ("$__delslice($xs, 3, 8, 1)", "numbers"),
    ("$__contains($xs, -1)", "numbers"), ("$__list_index($xs, -1)", "numbers"),
    ("$__contains($xs, [-1, 0])", "pairs"), ("$__list_index($xs, [-1, 0])", "pairs"),
    ("$__list_count($xs, [-1, 0])", "pairs"), ("$__pyeq($xs, $xs)", "pairs"),
    ("$__contains($xs, [-1, true])", "pairs with a boolean"), ("$__pyeq($xs, $xs)", "pairs with a boolean"),
]
LISTS = {
    "numbers": lambda n: [(i * 37) % 101 for i in range(n)],
    "pairs": lambda n: [[i % 17, i % 5] for i in range(n)],
    "pairs with a boolean": lambda n: [[i % 17, i % 2 == 0] for i in range(n)],
}

LOOKUPS = """
    def load(n):
        return [[i % 17, PAIR] for i in range(n)]

    @sfn.workflow
    def main(n):
        allowed = load(300)
        hits = []
        for x in load(n):
            hits.append(allowed.index(x) if x in allowed else -1)
        return sum(hits)
"""
WORKFLOWS = {
    "moving window `xs[i:i + 5]` in a loop": ("""
        def load(n):
            return [(i * 37) % 101 for i in range(n)]

        @sfn.workflow
        def main(n):
            xs = load(n)
            out = []
            for i in range(len(xs) - 4):
                out.append(max(xs[i:i + 5]))
            return len(out)
    """, [500, 2000]),
    "`x in allowed`, `allowed.index(x)` per item (300 pairs of ints)": (LOOKUPS.replace("PAIR", "i % 5"), [50, 2000]),
    "the same, pairs with a boolean (`True == 1`: item by item)": (LOOKUPS.replace("PAIR", "i % 2 == 0"), [50]),
    "sort 3,000 records, then a loop over them": ("""
        def load(n):
            return [{"id": f"o{i}", "region": ["eu", "us", "apac"][i % 3], "cents": (i * 7919) % 10007,
                     "customer": f"c{i % 97}"} for i in range(n)]

        @sfn.workflow
        def main(n):
            orders = load(n)
            ranked = sorted(orders, key=lambda o: (o["region"], -o["cents"]))
            totals = {}
            for o in orders:
                totals[o["region"]] = totals.get(o["region"], 0) + o["cents"]
            return [ranked[0]["id"], totals]
    """, [3000]),
    "`==` and `<` of two lists": ("""
        def load(n):
            return list(range(n))

        @sfn.workflow
        def main(n):
            a, b = load(n), load(n + 1)
            return [a == b[:-1], a < b]
    """, [1000, 3000]),
}


def helper_nodes(call: str, items) -> int:
    """The nodes the emulator spends evaluating `call` with `$xs` bound to `items`."""
    names = sorted({name for name in jsonata_lib.HELPERS if f"$__{name}(" in call})
    states = {"Set": {"Type": "Pass", "Assign": {"xs": items}, "Next": "Call"},
              "Call": {"Type": "Pass", "Output": "{% (" + jsonata_lib.prelude(names) + call + ") %}", "End": True}}
    spent: list[int] = []
    restore = engine._Engine.restore_budget

    def counting(self, saved):
        spent.append(self.steps)
        restore(self, saved)

    engine._Engine.restore_budget = counting
    try:
        pysfn_emulator.run({"QueryLanguage": "JSONata", "StartAt": "Set", "States": states}, {})
    finally:
        engine._Engine.restore_budget = restore
    return spent[-1]


def events(compiled, payload) -> int:
    return len(pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas()).history)


def main() -> None:
    print("| helper call | list | nodes per item |")
    print("|---|---|---:|")
    for call, kind in HELPER_CALLS:
        small, large = (helper_nodes(call, LISTS[kind](n)) for n in (100, 1100))
        print(f"| `{call}` | {kind} | {(large - small) / 1000:.1f} |")
    print()
    print("| workflow | items | emulator | events |")
    print("|---|---:|---|---:|")
    for name, (body, sizes) in WORKFLOWS.items():
        compiled = compile_source("from pysfn_compile import sfn\n" + textwrap.dedent(body), path="bench.py")
        for n in sizes:
            print(f"| {name} | {n:,} | {best_run(compiled, {'n': n})} | {events(compiled, {'n': n}):,} |")


if __name__ == "__main__":
    main()
