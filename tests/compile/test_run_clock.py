"""A plain run waits on a clock of its own (issue 12: no process-wide state where an explicit
value will do): run_python and conformance's run_plain leave the process's sfn clock alone, and
two runs at once, in two threads, each count only their own waits."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from conformance import workflows
from pysfn_compile import sfn

from .helpers import compile_text

SOURCE = """
HOLD = {}


def hold(n: int) -> int:
    HOLD["hook"](n)
    return n


@sfn.workflow
def main(wait: int) -> int:
    sfn.sleep(wait)
    hold(wait)
    sfn.sleep(wait)
    return wait
"""


def test_run_python_leaves_the_process_clock_alone():
    compiled = compile_text(SOURCE)
    compiled.module.HOLD["hook"] = lambda n: None
    before = sfn.clock()
    clock = sfn.Clock(virtual=True)
    assert compiled.run_python({"wait": 30}, clock=clock)["output"] == 30
    assert clock.slept == 60
    assert sfn.clock() is before
    assert compiled.run_python({"wait": 3})["status"] == "SUCCEEDED"  # a fresh virtual clock
    assert sfn.clock() is before


def test_two_plain_runs_at_once_count_their_own_waits():
    compiled = compile_text(SOURCE)
    inside, release = threading.Event(), threading.Event()

    def hook(n):
        if n == 100:  # the first run waits here, between its two sleeps, while the other runs
            inside.set()
            assert release.wait(30)

    compiled.module.HOLD["hook"] = hook
    first, second = sfn.Clock(virtual=True, start=0), sfn.Clock(virtual=True, start=0)
    results: dict = {}
    worker = threading.Thread(target=lambda: results.update(a=compiled.run_python({"wait": 100}, clock=first)))
    worker.start()
    try:
        assert inside.wait(30)
        results["b"] = compiled.run_python({"wait": 7}, clock=second)
    finally:
        release.set()
        worker.join(30)
    assert results["a"]["output"] == 100 and results["b"]["output"] == 7
    assert (first.slept, first.now()) == (200, 200)
    assert (second.slept, second.now()) == (14, 14)


def test_conformance_plain_run_starts_its_own_clock_at_start_time():
    compiled = compile_text("""
        @sfn.workflow
        def main() -> str:
            sfn.sleep_until("2024-01-01T00:01:00Z")
            return "woke"
    """)
    before = sfn.clock()
    outcome = workflows.run_plain(compiled, {}, start_time=datetime(2024, 1, 1, tzinfo=UTC))
    assert outcome == workflows.Outcome(workflows.RETURNED, value="woke")
    assert sfn.clock() is before


def test_a_virtual_clock_starts_at_an_iso_time():
    """`sfn.virtual_clock("2024-01-01T00:00:00Z")` raised a bare TypeError (it took a datetime)."""
    with sfn.virtual_clock("2024-01-01T00:00:00Z") as clock:
        assert clock.now() == 1704067200.0
        assert sfn.context()["execution"]["start_time"] == "2024-01-01T00:00:00Z"
    with pytest.raises(ValueError, match="not an ISO 8601 time"):
        with sfn.virtual_clock("yesterday"):
            pass
