"""sorted() with a key over thousands of records, in one JSONata evaluation.

Not a test (timings vary by machine): run it by hand and paste its table into
benchmarks/README.md. Run it with the pysfn_compile of another commit on PYTHONPATH for a
"before" column.

    python benchmarks/bench_sorting.py

Emulator seconds (wall clock, best of 3) and how the execution ended: the emulator stops an
evaluation past 1,000,000 JSONata nodes (States.QueryEvaluationError), as a runaway guard.
"""

from __future__ import annotations

import textwrap
import time

import pysfn_emulator
from pysfn_compile import compile_source

WORKFLOWS = {
    "key=lambda r: r['v']": "sorted(rows, key=lambda r: r['v'])",
    "key=lambda r: r['n'], reverse=True": "sorted(rows, key=lambda r: r['n'], reverse=True)",
    "key=lambda r: (r['n'], -r['v'])": "sorted(rows, key=lambda r: (r['n'], -r['v']))",
}
SIZES = (1000, 2500, 5000)


def _run(compiled, n: int) -> str:
    payload = {"rows": [{"i": i, "v": (i * 37) % 1001, "n": f"n{(i * 7) % 13}"} for i in range(n)]}
    best, status = None, ""
    for _ in range(3):
        started = time.perf_counter()
        execution = pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas())
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
        status = execution.status if execution.status == "SUCCEEDED" else execution.error
    return f"{best:.2f} s" + ("" if status == "SUCCEEDED" else f" ({status})")


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
