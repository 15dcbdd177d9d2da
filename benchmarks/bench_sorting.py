"""sorted() with a key over thousands of records, in one JSONata evaluation.

Not a test (timings vary by machine): run it by hand and paste its table into
benchmarks/README.md. Run it with the pysfn_compile of another commit on PYTHONPATH for a
"before" column.

    python benchmarks/bench_sorting.py

Emulator seconds (CPU seconds of the process, best of 3: benchmarks/timing.py) and how the
execution ended: the emulator stops an evaluation past 1,000,000 JSONata nodes
(States.QueryEvaluationError), as a runaway guard.
"""

from __future__ import annotations

import textwrap

from timing import best_run

from pysfn_compile import compile_source

WORKFLOWS = {
    "key=lambda r: r['v']": "sorted(rows, key=lambda r: r['v'])",
    "key=lambda r: r['n'], reverse=True": "sorted(rows, key=lambda r: r['n'], reverse=True)",
    "key=lambda r: (r['n'], -r['v'])": "sorted(rows, key=lambda r: (r['n'], -r['v']))",
}
SIZES = (1000, 2500, 5000)


def _run(compiled, n: int) -> str:
    return best_run(compiled, {"rows": [{"i": i, "v": (i * 37) % 1001, "n": f"n{(i * 7) % 13}"} for i in range(n)]})


def main() -> None:
    print("| sort | records | emulator |")
    print("|---|---:|---|")
    for name, expression in WORKFLOWS.items():
        source = "from pysfn_compile import sfn\n" + textwrap.dedent(f"""
            @sfn.workflow
            def main(rows):
                ranked = {expression}
                return [r["i"] for r in ranked[:3]]
        """)
        compiled = compile_source(source, path="bench.py")
        for n in SIZES:
            print(f"| {name} | {n:,} | {_run(compiled, n)} |")


if __name__ == "__main__":
    main()
