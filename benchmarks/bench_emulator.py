"""Emulator throughput: state transitions per second, and whether cost grows linearly.

Not a test (timings vary by machine): run it by hand and paste its table into
benchmarks/README.md.

    python benchmarks/bench_emulator.py            # the full set, about a minute
    python benchmarks/bench_emulator.py --quick    # the smaller sizes only
    python benchmarks/bench_emulator.py --no-gc    # without the cyclic garbage collector

A transition is a state entered. Budget (issue 2): at least 100,000 transitions/s on the
loop, and 10 times the work in at most 12 times the time.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any

import attrs

import pysfn_emulator


@attrs.frozen
class Workload:
    """One benchmark: a definition and input for a size, and the transitions it must make."""

    name: str
    definition: Callable[[int], dict[str, Any]]
    input: Callable[[int], Any]
    transitions: Callable[[int], int]
    sizes: tuple[int, ...]
    machine_type: str


def counting_loop(limit: int) -> dict[str, Any]:
    """Start → (Check → Increment) × limit → Check → Done: a Pass/Choice loop on MathAdd."""
    return {
        "StartAt": "Start",
        "States": {
            "Start": {"Type": "Pass", "Result": {"count": 0}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.count", "NumericLessThan": limit, "Next": "Increment"}],
                "Default": "Done",
            },
            "Increment": {
                "Type": "Pass",
                "Parameters": {"count.$": "States.MathAdd($.count, 1)"},
                "Next": "Check",
            },
            "Done": {"Type": "Succeed"},
        },
    }


def jsonata_loop(limit: int) -> dict[str, Any]:
    """Issue 3's loop: JSONata Assign of a counter and a running total, a Choice Condition."""
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Start",
        "States": {
            "Start": {"Type": "Pass", "Assign": {"count": 0, "total": 0}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Condition": f"{{% $count < {limit} %}}", "Next": "Add"}],
                "Default": "Done",
            },
            "Add": {
                "Type": "Pass",
                "Assign": {"count": "{% $count + 1 %}", "total": "{% $total + $count %}"},
                "Next": "Check",
            },
            "Done": {"Type": "Succeed", "Output": {"count": "{% $count %}", "total": "{% $total %}"}},
        },
    }


def map_of_passes(_size: int) -> dict[str, Any]:
    """One inline Map over the input's items, each iteration a single Pass."""
    return {
        "StartAt": "Each item",
        "States": {
            "Each item": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"n.$": "$$.Map.Item.Value"},
                "ItemProcessor": {
                    "StartAt": "Double",
                    "States": {
                        "Double": {
                            "Type": "Pass",
                            "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"},
                            "End": True,
                        }
                    },
                },
                "ResultPath": None,
                "End": True,
            }
        },
    }


def loop(machine_type: str, sizes: tuple[int, ...]) -> Workload:
    return Workload("Pass/Choice loop", counting_loop, lambda size: {},
                    lambda size: 2 * size + 3, sizes, machine_type)


def jsonata(machine_type: str, sizes: tuple[int, ...]) -> Workload:
    return Workload("JSONata Assign/Condition loop", jsonata_loop, lambda size: {},
                    lambda size: 2 * size + 3, sizes, machine_type)


def map_(machine_type: str, sizes: tuple[int, ...]) -> Workload:
    return Workload("Map of Pass", map_of_passes, lambda size: {"items": list(range(size))},
                    lambda size: size + 1, sizes, machine_type)


# AWS stops a STANDARD execution at 25,000 history events. A loop step writes four (two
# states, Entered and Exited each), a Map item four too, so STANDARD runs stop at 5,000;
# the larger runs are EXPRESS, whose executions have no such cap.
WORKLOADS = (
    loop("EXPRESS", (1_000, 10_000, 100_000)),
    loop("STANDARD", (500, 5_000)),
    jsonata("EXPRESS", (1_000, 10_000, 100_000)),
    map_("EXPRESS", (1_000, 10_000)),
    map_("STANDARD", (500, 5_000)),
)


def measure(workload: Workload, size: int, repeat: int, collect: bool) -> float:
    """Best CPU seconds (this process only, so other work on the machine skews it less) of `repeat` runs; fails loudly if a run does not succeed.

    Each run starts from a collected heap, so one run's garbage does not slow the next;
    `collect=False` turns Python's cyclic garbage collector off during the runs, to see how
    much of the cost is the collector walking the growing history.
    """
    definition = workload.definition(size)
    execution_input = workload.input(size)
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        if not collect:
            gc.disable()
        try:
            started = time.process_time()
            execution = pysfn_emulator.run(definition, execution_input,
                                           state_machine_type=workload.machine_type)
            best = min(best, time.process_time() - started)
        finally:
            gc.enable()
        if execution.status != "SUCCEEDED":
            raise SystemExit(f"{workload.name} ({size}): {execution.status} "
                             f"{execution.error}: {execution.cause}")
        events = execution.history
        if events and events[-1]["id"] == len(events):
            entered = sum(event["type"].endswith("StateEntered") for event in events)
        else:  # an EXPRESS history holds its first and last 50,000 events; these loops run at the top level
            entered = len(execution.path)
        if events and entered != workload.transitions(size):
            raise SystemExit(f"{workload.name} ({size}): {entered} states entered, "
                             f"expected {workload.transitions(size)}")
        del execution
    return best


def main(argv: list[str] | None = None) -> int:
    """Print the markdown table of every workload and size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip sizes over 10,000")
    parser.add_argument("--repeat", type=int, default=5, help="runs per size; the best counts")
    parser.add_argument("--no-gc", action="store_true",
                        help="turn the cyclic garbage collector off while an execution runs")
    args = parser.parse_args(argv)

    collect = not args.no_gc
    measure(WORKLOADS[0], 100, 1, collect)  # warm up: imports, caches
    print("| workload | type | size | transitions | seconds | transitions/s | time ratio to 10x smaller |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for workload in WORKLOADS:
        previous: tuple[int, float] | None = None
        for size in workload.sizes:
            if args.quick and size > 10_000:
                continue
            seconds = measure(workload, size, args.repeat, collect)
            transitions = workload.transitions(size)
            ratio = (f"{seconds / previous[1]:.1f}x"
                     if previous and previous[0] * 10 == size else "")
            print(f"| {workload.name} | {workload.machine_type} | {size:,} | {transitions:,} "
                  f"| {seconds:.3f} | {transitions / seconds:,.0f} | {ratio} |", flush=True)
            previous = (size, seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
