"""Lists read by computed positions inside a comprehension or a folded loop, before (JSONata's
filter `$xs[$i - 1]`, which evaluates the index once per item) and after (an object of
positions bound once per field: pysfn_compile/graph/indexed_reads.py).

Not a test (timings vary by machine): run it by hand and paste its table into
benchmarks/README.md.

    python benchmarks/bench_indexed_reads.py

"Before" is the same compiler with the rewrite switched off. Emulator seconds (CPU seconds of
the process, best of 3: benchmarks/timing.py; the table in the README was taken by wall clock)
and how the execution ended: the emulator stops an evaluation past 1,000,000 JSONata
nodes (States.QueryEvaluationError), as a runaway guard.
"""

from __future__ import annotations

import textwrap

from timing import best_run

from pysfn_compile import compile_source, compiler

WORKFLOWS = {
    "pairwise comprehension": """
        @sfn.workflow
        def main(xs: list[int]):
            return [xs[i] - xs[i - 1] for i in range(1, len(xs))]
    """,
    "moving sum in a loop": """
        @sfn.workflow
        def main(xs: list[int]):
            out = []
            total = 0
            for i in range(len(xs)):
                total += xs[i]
                if i >= 5:
                    total -= xs[i - 5]
                    out.append(total)
            return out
    """,
    "rising items (enumerate)": """
        @sfn.workflow
        def main(xs: list[int]):
            return [x for i, x in enumerate(xs) if i == 0 or x > xs[i - 1]]
    """,
}
SIZES = (250, 500, 1000, 2000)


class _Off:
    def __enter__(self):
        self.saved = compiler.indexed_reads.rewrite_graph
        compiler.indexed_reads.rewrite_graph = lambda graph: None

    def __exit__(self, *exc):
        compiler.indexed_reads.rewrite_graph = self.saved


def _run(compiled, n: int) -> str:
    return best_run(compiled, {"xs": [(i * 37) % 101 for i in range(n)]})


def main() -> None:
    print("| workflow | items | before | after |")
    print("|---|---:|---|---|")
    for name, body in WORKFLOWS.items():
        source = "from pysfn_compile import sfn\n" + textwrap.dedent(body)
        with _Off():
            before = compile_source(source, path="bench.py")
        after = compile_source(source, path="bench.py")
        for n in SIZES:
            print(f"| {name} | {n:,} | {_run(before, n)} | {_run(after, n)} |")


if __name__ == "__main__":
    main()
