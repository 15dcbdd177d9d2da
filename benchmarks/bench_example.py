"""One example on one of its inputs: CPU seconds of the emulator's run, history events and the
definition's size (issue 10: a user's loop of a few thousand items must not take half a
minute; sales_report's input 0 walks 2,000 records in a pure loop).

Not a test (timings vary by machine): run it by hand and paste its row into
benchmarks/README.md.

    python benchmarks/bench_example.py                                  # sales_report, input 0, best of 3
    python benchmarks/bench_example.py examples/etl_batch.py --input 1 --runs 5
    python benchmarks/bench_example.py --profile 25                     # and the 25 costliest functions

The output is checked against the plain Python run (a faster wrong answer is no answer).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout's compiler and emulator, not installed ones

import pysfn_emulator  # noqa: E402
from pysfn_compile import compile_file  # noqa: E402


def measure(path: Path, index: int, runs: int, profile: int = 0) -> dict:
    compiled = compile_file(path)
    payload = json.loads(path.with_suffix(".inputs.json").read_text())[index]
    expected = compiled.run_python(payload)
    best = None
    execution = None
    for _ in range(runs):
        start = time.process_time()  # CPU seconds of this process: other jobs skew them less
        execution = pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas(), seed=0)
        seconds = time.process_time() - start
        best = seconds if best is None else min(best, seconds)
    got = {"status": execution.status, "output": execution.output}
    if execution.status != "SUCCEEDED":
        got = {"status": execution.status, "error": execution.error, "cause": execution.cause}
    same = all(expected.get(key) == value for key, value in got.items())
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas(), seed=0)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)
    text = json.dumps(compiled.definition, separators=(",", ":"), ensure_ascii=False)
    return {"example": path.stem, "input": index, "status": execution.status, "same": same,
            "seconds": best, "events": len(execution.history), "bytes": len(text.encode("utf-8"))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("example", nargs="?", default=str(ROOT / "examples" / "sales_report.py"))
    parser.add_argument("--input", type=int, default=0, help="index into the example's inputs.json")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions")
    options = parser.parse_args()
    row = measure(Path(options.example), options.input, options.runs, options.profile)
    print("| example | input | status | equal to Python | CPU seconds | history events | definition bytes |")
    print("|---|---:|---|---|---:|---:|---:|")
    print(f"| {row['example']} | {row['input']} | {row['status']} | {'yes' if row['same'] else 'NO'} "
          f"| {row['seconds']:.2f} | {row['events']:,} | {row['bytes']:,} |")


if __name__ == "__main__":
    main()
