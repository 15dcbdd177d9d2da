"""Pure loops: a loop that calls no callee, before (a state per statement, per iteration and per
guard) and after (one Pass running the loop in JSONata, pysfn_compile/graph/pure_loops.py).

Not a test (timings vary by machine): run it by hand and paste its tables into
benchmarks/README.md.

    python benchmarks/bench_pure_loops.py             # the loop at 10,000 and 100,000; the examples
    python benchmarks/bench_pure_loops.py --quick     # 10,000 only
    python benchmarks/bench_pure_loops.py --in-place-only   # loops changing a list's items
    python benchmarks/bench_pure_loops.py --calls-only      # loops calling a callee on some items
    python benchmarks/bench_pure_loops.py --nested-only     # loops inside loops

"Before" is the same compiler with the collapse switched off. History events and wall-clock
seconds of the emulator (pysfn_emulator.run); with node and PYSFN_JSONATA_JS set to a
jsonata 2.0.6 package, also the seconds jsonata-js (AWS's engine) takes for the loop's
expression, the part of the work AWS does in one state.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import pysfn_emulator
from pysfn_compile import compile_file, compile_source, compiler

LOOP = textwrap.dedent("""
    from pysfn_compile import sfn

    @sfn.workflow
    def main(n: int):
        total = 0
        evens = 0
        for i in range(n):
            if i % 2 == 0:
                evens += 1
                continue
            total += i
        return [total, evens]
""")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
_JS = """
const jsonata = require(process.argv[1]);
const {expr, bindings} = JSON.parse(require('fs').readFileSync(0, 'utf8'));
(async () => { const t = Date.now(); await jsonata(expr).evaluate(undefined, bindings);
  console.log((Date.now() - t) / 1000); })();
"""


class _Off:
    """Compile with the collapse switched off (the lowering as it was)."""

    def __enter__(self):
        self.saved = compiler.collapse_pure_loops
        compiler.collapse_pure_loops = lambda graph, record_branches=False, shown=frozenset(): []

    def __exit__(self, *exc):
        compiler.collapse_pure_loops = self.saved


def _run(definition, payload, kind, lambdas=None):
    start = time.perf_counter()
    execution = pysfn_emulator.run(definition, payload, state_machine_type=kind, lambdas=lambdas)
    return execution, time.perf_counter() - start


def loop_rows(sizes):
    with _Off():
        before = compile_source(LOOP, path="loop.py")
    after = compile_source(LOOP, path="loop.py")
    print("| lowering | type | iterations | status | history events | emulator seconds |")
    print("|---|---|---:|---|---:|---:|")
    for n in sizes:
        before_kinds = ("STANDARD", "EXPRESS") if n <= 10_000 else ("STANDARD",)  # EXPRESS: a million events
        for label, compiled, kinds in (("before", before, before_kinds), ("after", after, ("STANDARD",))):
            for kind in kinds:
                execution, seconds = _run(compiled.definition, {"n": n}, kind)
                expected = compiled.run_python({"n": n})["output"]
                status = execution.status if execution.status != "SUCCEEDED" or execution.output == expected \
                    else "WRONG"
                detail = f" ({execution.error})" if execution.error else ""
                print(f"| {label} | {kind} | {n:,} | {status}{detail} | {len(execution.history):,} | {seconds:.2f} |")
    js = os.environ.get("PYSFN_JSONATA_JS")
    if js and shutil.which("node"):
        states = after.definition["States"]
        start = next(s for name, s in states.items() if name.startswith("Start main"))
        (field,) = next(s for name, s in states.items() if name.startswith("Run "))["Assign"].values()
        for n in sizes:
            bindings = {"n": n, **{k: v for k, v in start["Assign"].items() if not isinstance(v, str)}}
            text = json.dumps({"expr": field[2:-2], "bindings": bindings})
            done = subprocess.run(["node", "-e", _JS, js], input=text, capture_output=True, text=True, check=True)
            print(f"\njsonata-js, the first evaluation of the Pass ({n:,} iterations to go): "
                  f"{float(done.stdout):.2f} s")


def map_rows(n: int = 2000) -> None:
    """sfn.map of a callee over n items, compiled and written by hand (one Task per item)."""
    source = textwrap.dedent("""
        from pysfn_compile import sfn

        def score(x: int) -> int:
            return x * 2

        @sfn.workflow
        def main(xs: list[int]):
            return sfn.map(score, xs)
    """)
    rows = []
    for _ in range(1):
        compiled = compile_source(source, path="mapped.py")
        hand = {"QueryLanguage": "JSONata", "StartAt": "Map", "States": {"Map": {
            "Type": "Map", "Items": "{% $states.input.xs %}", "End": True,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Call", "States": {"Call": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                "Arguments": {"FunctionName": compiled.lambda_arn,
                              "Payload": {"function": "score", "args": ["{% $states.input %}"]}},
                "Output": "{% $states.result.Payload %}"}}}}}}
        times = {}
        for label, definition in (("compiled", compiled.definition), ("hand", hand)):
            best = None
            for _ in range(5):  # CPU seconds of this process: other jobs on the machine skew them less
                start = time.process_time()
                execution = pysfn_emulator.run(definition, {"xs": list(range(n))}, lambdas=compiled.local_lambdas(),
                                               state_machine_type="EXPRESS")
                seconds = time.process_time() - start
                best = seconds if best is None else min(best, seconds)
            assert execution.status == "SUCCEEDED", execution.cause
            times[label] = best
        rows.append(("this commit", times["compiled"], times["hand"]))
    print(f"| sfn.map over {n:,} items | compiled seconds | hand-written seconds | ratio |")
    print("|---|---:|---:|---:|")
    for label, compiled_seconds, hand_seconds in rows:
        print(f"| {label} | {compiled_seconds:.2f} | {hand_seconds:.2f} | {compiled_seconds / hand_seconds:.1f}x |")


IN_PLACE = textwrap.dedent("""
    from pysfn_compile import sfn

    def load(n):
        return [{"qty": i % 7, "price": i % 13} for i in range(n)]

    @sfn.workflow
    def records(n):
        rows = load(n)
        for rec in rows:
            rec["total"] = rec["qty"] * rec["price"]
        return sum(r["total"] for r in rows)

    @sfn.workflow
    def positions(n):
        xs = [0] * n
        for i in range(n):
            xs[i] = i * 2
        return sum(xs)

    def sales(n):
        return [{"cents": (k * 37) % 500, "qty": 1 + k % 3, "region": "r%d" % (k % 7)} for k in range(n)]

    @sfn.workflow
    def group_by(n, min_cents=20):
        totals = {}
        units = {}
        skipped = 0
        for sale in sales(n):
            if sale["cents"] < min_cents:
                skipped += 1
                continue
            region = sale["region"]
            totals[region] = totals.get(region, 0) + sale["cents"] * sale["qty"]
            units[region] = units.get(region, 0) + sale["qty"]
        return [totals, units, skipped]

    @sfn.workflow
    def group_records(n, threshold=200):
        by_region = {}
        flagged = []
        for sale in sales(n):
            region = sale["region"]
            if region not in by_region:
                by_region[region] = {"count": 0, "cents": 0}
            by_region[region]["count"] += 1
            by_region[region]["cents"] += sale["cents"] * sale["qty"]
            if sale["cents"] > threshold:
                flagged.append(sale["cents"])
        return [by_region, len(flagged)]
""")


def in_place_rows(sizes=(100, 300, 1000)) -> None:
    """Loops that change a list's items in place (`rec["total"] = ...` of `for rec in rows`, run
    by index; `xs[i] = v`): each change rebuilds the list in JSONata, so a loop is quadratic in
    JSONata nodes; the Pass runs fewer steps per evaluation the longer the list. And a group-by
    over records, unannotated (`group_by`: a `for` over a list it does not change, a `$reduce`
    over the items; `group_records`: its body joins again after an `if`, steps run in order
    inside the `$reduce`)."""
    print("| loop | items | status | history events | emulator seconds |")
    print("|---|---:|---|---:|---:|")
    for entry in ("records", "positions", "group_by", "group_records"):
        compiled = compile_source(IN_PLACE, path="in_place.py", entry=entry)
        for n in sizes:
            execution, seconds = _run(compiled.definition, {"n": n}, "STANDARD", compiled.local_lambdas())
            expected = compiled.run_python({"n": n})["output"]
            status = execution.status if execution.status != "SUCCEEDED" or execution.output == expected else "WRONG"
            detail = f" ({execution.error})" if execution.error else ""
            print(f"| {entry} | {n:,} | {status}{detail} | {len(execution.history):,} | {seconds:.2f} |")


CALLS = textwrap.dedent("""
    from pysfn_compile import sfn

    def keys(n):
        return ["k" + str(i % 3) for i in range(n)]

    def lookup(key):
        return len(key)

    def records(n):
        return [{"id": i, "v": i % 7} for i in range(n)]

    def score(r):
        return r["v"] * 2

    @sfn.workflow
    def memo(n):
        cache = {}
        total = 0
        for k in keys(n):
            if k not in cache:
                cache[k] = lookup(k)
            total += cache[k]
        return total

    @sfn.workflow
    def most_call(n):
        total = 0
        seen = []
        for r in records(n):
            if r["v"] != 3:
                total += score(r)
            seen.append(r["id"])
        return [total, len(seen)]
""")


def call_rows(sizes=(1000, 2000, 5000)) -> None:
    """Loops whose body calls a callee on some items only (session 30): folded, each call
    enters the loop again (a Run and an After state beside its Task). `memo` calls 3 times in
    all, `most_call` for 6 items of 7. CPU seconds (`time.process_time`: steady on a shared
    machine); before: the collapse switched off for the whole definition."""
    print("| loop | items | lowering | status | history events | CPU seconds |")
    print("|---|---:|---|---|---:|---:|")
    for entry in ("memo", "most_call"):
        with _Off():
            before = compile_source(CALLS, path="calls.py", entry=entry)
        after = compile_source(CALLS, path="calls.py", entry=entry)
        for n in sizes:
            for label, compiled in (("states", before), ("folded", after)):
                start = time.process_time()
                execution = pysfn_emulator.run(compiled.definition, {"n": n}, state_machine_type="STANDARD",
                                               lambdas=compiled.local_lambdas())
                seconds = time.process_time() - start
                detail = f" ({execution.error})" if execution.error else ""
                print(f"| {entry} | {n:,} | {label} | {execution.status}{detail} | {len(execution.history):,} | "
                      f"{seconds:.2f} |")


NESTED = textwrap.dedent("""
    from pysfn_compile import sfn

    @sfn.workflow
    def digits(cols):
        stats = []
        for col in cols:
            n = 0
            for v in col:
                if v.isdigit():
                    n += 1
            stats.append(n)
        return stats

    @sfn.workflow
    def argmax(rows):
        best = []
        for row in rows:
            top, at = -1, -1
            for i, v in enumerate(row):
                if v > top:
                    top, at = v, i
            best.append([at, top])
        return best

    @sfn.workflow
    def first_positive(cols):
        found = 0
        for col in cols:
            for v in col:
                if v > 0:
                    found += 1
                    break
        return found
""")


def nested_rows() -> None:
    """Nested loops (session 33): the inner loop's list, set by each iteration of the outer
    one, is read by position from a pair of the list and its positions (positional_lists.hold);
    it was a filter over the list per read, and the budget let an evaluation run few steps.
    CPU seconds (`time.process_time`)."""
    payloads = {
        "digits": [("1 column of 18,000 strings", {"cols": [[str(k) if k % 3 else f"x{k}" for k in range(18_000)]]}),
                   ("60 columns of 300", {"cols": [[str(k * j) for k in range(300)] for j in range(60)]})],
        "argmax": [("1 row of 20,000 ints", {"rows": [[(k * 7919) % 10007 for k in range(20_000)]]}),
                   ("60 rows of 300", {"rows": [[(k * j) % 97 for k in range(300)] for j in range(60)]})],
        "first_positive": [("400 columns of 50, the first positive", {"cols": [[1] + [0] * 49 for _ in range(400)]}),
                           ("3 columns of 5,000, the last positive", {"cols": [[0] * 4999 + [1]] * 3})],
    }
    print("| loop | input | status | history events | CPU seconds |")
    print("|---|---|---|---:|---:|")
    for entry, cases in payloads.items():
        compiled = compile_source(NESTED, path="nested.py", entry=entry)
        for label, payload in cases:
            start = time.process_time()
            execution = pysfn_emulator.run(compiled.definition, payload, state_machine_type="STANDARD")
            seconds = time.process_time() - start
            expected = compiled.run_python(payload)["output"]
            status = execution.status if execution.status != "SUCCEEDED" or execution.output == expected else "WRONG"
            detail = f" ({execution.error})" if execution.error else ""
            print(f"| {entry} | {label} | {status}{detail} | {len(execution.history):,} | {seconds:.2f} |")


def example_rows():
    print("| example | states before | states after | bytes before | bytes after | events before | events after |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = [0, 0, 0, 0, 0, 0]
    for path in sorted(EXAMPLES.glob("*.py")):
        inputs = json.loads(path.with_suffix(".inputs.json").read_text())
        row = []
        for off in (True, False):
            if off:
                with _Off():
                    compiled = compile_file(path)
            else:
                compiled = compile_file(path)
            events = sum(len(pysfn_emulator.run(compiled.definition, p, lambdas=compiled.local_lambdas()).history)
                         for p in inputs)
            row.append((_count_states(compiled.definition), len(json.dumps(compiled.definition)), events))
        (s0, b0, e0), (s1, b1, e1) = row
        for position, value in enumerate((s0, s1, b0, b1, e0, e1)):
            totals[position] += value
        print(f"| {path.stem} | {s0} | {s1} | {b0:,} | {b1:,} | {e0:,} | {e1:,} |")
    print("| **all** | " + " | ".join(f"{v:,}" for v in totals) + " |")


def _count_states(definition: dict) -> int:
    count = 0
    stack = [definition]
    while stack:
        for state in stack.pop()["States"].values():
            count += 1
            stack += state.get("Branches", [])
            if "ItemProcessor" in state:
                stack.append(state["ItemProcessor"])
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--loop-only", action="store_true")
    parser.add_argument("--in-place-only", action="store_true")
    parser.add_argument("--calls-only", action="store_true", help="loops that call a callee on some items")
    parser.add_argument("--nested-only", action="store_true", help="loops inside loops")
    options = parser.parse_args()
    if options.nested_only:
        nested_rows()
        return
    if options.in_place_only:
        in_place_rows()
        return
    if options.calls_only:
        call_rows()
        return
    loop_rows([10_000] if options.quick else [10_000, 100_000])
    if options.loop_only:
        return
    print()
    in_place_rows()
    print()
    map_rows()
    print()
    example_rows()


if __name__ == "__main__":
    main()
