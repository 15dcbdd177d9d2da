"""Compiler speed: milliseconds per source line for generated workflows of 100 and 1,000 lines
(and 3,000 to see the trend), and whether the cost grows linearly.

Not a test (timings vary by machine): run it by hand and paste its table into
benchmarks/README.md.

    python benchmarks/bench_compile.py            # best of 5 runs per size
    python benchmarks/bench_compile.py --runs 1   # quicker

Each workflow is one @sfn.workflow function made of repeated blocks of typical workflow code
(callee calls, arithmetic with guards, if/else, a for loop over a list, a try/except, an
f-string, dict and list updates), each block with its own variables. The time is the whole
in-process compile: parse, import, lowering (with type inference) and emission; the
emulator's validation of the definition (which compile_file also runs by default, as a check
on the compiler) is timed separately. Budget (issue 5): under 0.2 ms per source line, linear.
"""

from __future__ import annotations

import argparse
import gc
import time

import pysfn_emulator
from pysfn_compile import compile_source

HEADER = '''from pysfn_compile import sfn


class Rejected(Exception):
    pass


def lookup(key: str) -> int:
    return len(key)


def store(key: str, value: int) -> None:
    return None


@sfn.workflow
def main(name: str, items: list[int], limit: int = 10):
    report = {}
'''

BLOCK = '''    count{i} = lookup(name) + {i}
    total{i} = 0
    for item{i} in items:
        if item{i} > limit:
            continue
        total{i} += item{i} * 2
    if total{i} % 2 == 0:
        report["even{i}"] = total{i} // 2
    else:
        report["odd{i}"] = [total{i}, count{i}]
    try:
        store(f"{{name}}-{i}", total{i})
    except Rejected as error{i}:
        report["error{i}"] = str(error{i})
'''
BLOCK_LINES = BLOCK.count("\n")
FOOTER = "    return report\n"


def workflow(lines: int) -> str:
    blocks = max(1, (lines - HEADER.count("\n") - 1) // BLOCK_LINES)
    return HEADER + "".join(BLOCK.format(i=i) for i in range(blocks)) + FOOTER


def measure(lines: int, runs: int) -> tuple[int, float, float, int]:
    source = workflow(lines)
    actual = source.count("\n")
    best = check = float("inf")
    states = 0
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        compiled = compile_source(source, path="generated.py", validate=False)
        middle = time.perf_counter()
        assert pysfn_emulator.validate(compiled.definition) == []
        best = min(best, middle - start)
        check = min(check, time.perf_counter() - middle)
        states = len(compiled.definition["States"])
    return actual, best, check, states


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 3000])
    args = parser.parse_args()
    print("| source lines | states | compile s | ms per line | per-line ratio to the previous size "
          "| emulator validate s | validate ms per line |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    previous = None
    for size in args.sizes:
        lines, seconds, check, states = measure(size, args.runs)
        per_line = seconds * 1000 / lines
        ratio = f"{per_line / previous:.2f}x" if previous else ""
        print(f"| {lines:,} | {states:,} | {seconds:.3f} | {per_line:.3f} | {ratio} | {check:.3f} "
              f"| {check * 1000 / lines:.3f} |")
        previous = per_line


if __name__ == "__main__":
    main()
