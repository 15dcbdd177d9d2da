"""sfn.context() and sfn.now(): the execution's context object, read from $states.context in
the compiled machine and built from sfn's virtual clock in a plain run: the same values both
ways (issue 11, item 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import pysfn_emulator
from pysfn_compile import CompileError, compile_source, sfn

STAMP = """\
from pysfn_compile import sfn


def double(n: int) -> int:
    return 2 * n


@sfn.workflow
def stamp(n: int) -> dict:
    ctx = sfn.context()
    before = sfn.now()
    doubled = double(n)
    sfn.sleep(90)
    return {"n": doubled, "context": ctx, "before": before, "after": sfn.now()}
"""

START = datetime(2024, 2, 29, 23, 59, 59, 987654, tzinfo=UTC)


def both_ways(compiled, **names):
    execution = pysfn_emulator.run(compiled.definition, {"n": 4}, lambdas=compiled.local_lambdas(),
                                   start_time=START, **names)
    with sfn.virtual_clock(START, **names):
        plain = compiled.run_python({"n": 4}, virtual_clock=False)
    return execution, plain


def test_the_context_and_the_time_are_the_same_both_ways():
    compiled = compile_source(STAMP, "stamp.py")
    execution, plain = both_ways(compiled, execution_name="nightly-7", state_machine_name="Reports")
    assert execution.status == "SUCCEEDED"
    assert execution.output == plain["output"] == {
        "n": 8,
        "context": {
            "execution": {"id": "arn:aws:states:us-east-1:111111111111:execution:Reports:nightly-7",
                          "name": "nightly-7", "start_time": "2024-02-29T23:59:59.987Z"},
            "state_machine": {"id": "arn:aws:states:us-east-1:111111111111:stateMachine:Reports",
                              "name": "Reports"},
            "retry_count": 0,
        },
        "before": "2024-02-29T23:59:59.987Z",
        "after": "2024-03-01T00:01:29.987Z",
    }


def test_default_names_are_the_emulators_and_a_whole_second_has_no_millis():
    compiled = compile_source(STAMP, "stamp.py")
    start = START.replace(microsecond=0)
    with sfn.virtual_clock(start):
        plain = compiled.run_python({"n": 1}, virtual_clock=False)
    context = plain["output"]["context"]
    assert context["execution"]["name"] == "plain-run"
    assert context["state_machine"]["name"] == "pysfn-state-machine"
    assert context["execution"]["start_time"] == "2024-02-29T23:59:59Z"  # as AWS writes it
    assert plain["output"]["after"] == sfn.timestamp_text(start + timedelta(seconds=90))


def test_the_context_is_restored_after_the_block():
    outside = sfn.context()
    with sfn.virtual_clock(START, execution_name="inner"):
        assert sfn.context()["execution"]["name"] == "inner"
    assert sfn.context() == outside


def test_arguments_are_refused_with_a_location():
    source = STAMP.replace("sfn.context()", "sfn.context(1)")
    with pytest.raises(CompileError, match=r"stamp.py:10:\d+: sfn.context\(\) takes no arguments"):
        compile_source(source, "stamp.py")
