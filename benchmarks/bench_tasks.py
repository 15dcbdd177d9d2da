"""Task throughput: a Map over n items, each iteration calling a local Lambda handler.

Not a test (timings vary by machine): run it by hand and paste its table into
benchmarks/README.md.

    python benchmarks/bench_tasks.py             # 1,000 and 10,000 items, best of 5
    python benchmarks/bench_tasks.py --repeat 1

Three ways to call the handler, each a Map over n items (EXPRESS: a STANDARD execution stops
at 25,000 history events, and each item writes seven):
- the function's ARN as Resource (the result is the handler's return value);
- arn:aws:states:::lambda:invoke with FunctionName and Payload (AWS's wrapper, OutputPath
  $.Payload);
- lambda:invoke of the dispatcher function, as a compiled workflow calls its callees
  (`{"function", "args", "kwargs"}` through `lambdas_from_module`'s handler).

Budget (issue 4): 10,000 items in under 2 seconds, and linear: 10 times the items in at most
12 times the time.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import types
from collections.abc import Callable
from typing import Any

import attrs

import pysfn_emulator

FUNCTION_ARN = "arn:aws:lambda:us-east-1:111111111111:function:double"
SIZES = (1_000, 10_000)


def double(event: Any, context: Any) -> Any:
    return {"n": event["n"] * 2}


def twice(n: int) -> int:
    return n * 2


def dispatch(event: Any, callees: dict) -> Any:
    return callees[event["function"]](*event["args"], **event["kwargs"])


def _map(task: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Each item",
        "States": {
            "Each item": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"n.$": "$$.Map.Item.Value"},
                "ItemProcessor": {"StartAt": "Call", "States": {"Call": {**task, "End": True}}},
                "End": True,
            }
        },
    }


@attrs.frozen
class Workload:
    name: str
    definition: dict[str, Any]
    lambdas: Callable[[], dict]


def _dispatcher_lambdas() -> dict:
    module = types.ModuleType("bench_callees")
    module.twice = twice
    twice.__module__ = module.__name__
    return pysfn_emulator.lambdas_from_module(module, function_name="callees", dispatch=dispatch)


WORKLOADS = (
    Workload("function ARN as Resource", _map({"Type": "Task", "Resource": FUNCTION_ARN}), lambda: {"double": double}),
    Workload(
        "lambda:invoke",
        _map({
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "double", "Payload.$": "$"},
            "OutputPath": "$.Payload",
        }),
        lambda: {"double": double},
    ),
    Workload(
        "lambda:invoke of the dispatcher",
        _map({
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "callees", "Payload": {"function": "twice", "args.$": "States.Array($.n)", "kwargs": {}}},
            "OutputPath": "$.Payload",
        }),
        _dispatcher_lambdas,
    ),
)


def measure(workload: Workload, size: int, repeat: int) -> float:
    """Best CPU seconds (this process only) of `repeat` runs, each from a collected heap; fails loudly if a
    run does not succeed or returns the wrong result."""
    items = list(range(size))
    lambdas = workload.lambdas()
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.process_time()
        execution = pysfn_emulator.run(workload.definition, {"items": items}, lambdas=lambdas, state_machine_type="EXPRESS")
        best = min(best, time.process_time() - started)
        if execution.status != "SUCCEEDED":
            raise SystemExit(f"{workload.name} ({size}): {execution.status} {execution.error}: {execution.cause}")
        first = execution.output[1]
        if first not in (2, {"n": 2}):
            raise SystemExit(f"{workload.name} ({size}): item 1 gave {first!r}")
        del execution
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per size; the best counts")
    args = parser.parse_args(argv)
    measure(WORKLOADS[0], 100, 1)  # warm up: imports, caches
    print(f"Python {sys.version.split()[0]}, best of {args.repeat}")
    print()
    print("| Map iteration calls | items | seconds | items/s | time ratio to 10x fewer |")
    print("|---|---:|---:|---:|---:|")
    for workload in WORKLOADS:
        previous: float | None = None
        for size in SIZES:
            seconds = measure(workload, size, args.repeat)
            ratio = f"{seconds / previous:.1f}x" if previous else ""
            print(f"| {workload.name} | {size:,} | {seconds:.3f} | {size / seconds:,.0f} | {ratio} |", flush=True)
            previous = seconds
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
