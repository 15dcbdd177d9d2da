"""Branches and iterations overlap in virtual time, as on AWS: the first failure in time stops
the others (with AWS's Aborted events), and concurrency limits shape how long a Map takes."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pysfn_emulator

START = datetime(2024, 5, 1, tzinfo=UTC)
FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:work"


def run(states: dict, data=None, **options):
    return pysfn_emulator.run({"StartAt": next(iter(states)), "States": states}, data, start_time=START, **options)


def waits(*seconds: int) -> list[dict]:
    """One branch per duration, each a single Wait (state names are unique machine-wide)."""
    return [{"StartAt": f"W{s}", "States": {f"W{s}": {"Type": "Wait", "Seconds": s, "End": True}}} for s in seconds]


def types(execution) -> list[str]:
    return [event["type"] for event in execution.history]


def test_a_parallel_takes_as_long_as_its_slowest_branch():
    execution = run({"P": {"Type": "Parallel", "Branches": waits(30, 10, 20), "End": True}}, {})
    assert execution.status == "SUCCEEDED"
    assert execution.elapsed_seconds == 30


def test_branches_interleave_in_the_history_by_time():
    execution = run({"P": {"Type": "Parallel", "Branches": waits(20, 10), "End": True}}, {})
    exits = [e["timestamp"] for e in execution.history if e["type"] == "WaitStateExited"]
    assert [(t - START).total_seconds() for t in exits] == [10, 20]


def test_a_failing_branch_aborts_a_waiting_sibling():
    fail = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "now"}}}
    execution = run({"P": {"Type": "Parallel", "Branches": [*waits(60), fail], "End": True}}, {})
    assert (execution.error, execution.cause) == ("Boom", "now")
    assert execution.elapsed_seconds == 0
    assert types(execution)[-4:] == ["FailStateEntered", "WaitStateAborted", "ParallelStateFailed", "ExecutionFailed"]


def test_a_branch_whose_task_fails_has_that_task_aborted_too():
    # As recorded in states_variables__..._PARALLEL_CATCH_ERROR_OUTPUT: TaskFailed, then
    # TaskStateAborted for the same state, then ParallelStateFailed.
    def broken(event, context):
        raise RuntimeError("no")

    branch = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": FUNCTION, "End": True}}}
    execution = run({"P": {"Type": "Parallel", "Branches": [branch], "End": True}}, {}, lambdas={FUNCTION: broken})
    assert types(execution)[-4:] == ["LambdaFunctionFailed", "TaskStateAborted", "ParallelStateFailed", "ExecutionFailed"]


def test_an_aborted_branch_runs_nothing_more():
    calls = []

    def handler(event, context):
        calls.append(event)
        return event

    late = {"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 10, "Next": "Call"},
        "Call": {"Type": "Task", "Resource": FUNCTION, "End": True},
    }}
    fail = {"StartAt": "F", "States": {"F": {"Type": "Wait", "Seconds": 5, "Next": "X"},
                                        "X": {"Type": "Fail", "Error": "Boom"}}}
    execution = run({"P": {"Type": "Parallel", "Branches": [late, fail], "End": True}}, {}, lambdas={FUNCTION: handler})
    assert execution.error == "Boom"
    assert calls == []
    assert execution.elapsed_seconds == 5


def test_map_concurrency_shapes_the_time_it_takes():
    processor = {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": True}}}
    items = [30, 10, 10, 10]

    def elapsed(concurrency: int) -> float:
        state = {"Type": "Map", "MaxConcurrency": concurrency, "ItemProcessor": processor, "End": True}
        return run({"M": state}, items).elapsed_seconds

    assert elapsed(0) == 30
    assert elapsed(1) == 60
    assert elapsed(2) == 30  # 30 on one lane, 10 + 10 + 10 on the other


def test_a_map_iteration_failure_aborts_the_running_ones_as_aws_records_it():
    # As in timeouts__TestTimeouts__test_service_lambda_map_timeout: every iteration's Lambda
    # outlives its TimeoutSeconds; the first to time out fails the Map, the others are aborted.
    def slow(event, context):
        time.sleep(60)
        return event

    processor = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": FUNCTION, "TimeoutSeconds": 5, "End": True}}}
    execution = run({"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}, [1, 2, 3], lambdas={FUNCTION: slow})
    assert execution.status == "FAILED" and execution.error == "States.Timeout"
    assert execution.elapsed_seconds == 5
    kinds = types(execution)
    assert kinds[3:6] == ["MapIterationStarted"] * 3
    tail = kinds[kinds.index("MapIterationFailed"):]
    assert tail == [
        "MapIterationFailed", "TaskStateAborted",
        "MapIterationAborted", "TaskStateAborted",
        "MapIterationAborted", "TaskStateAborted",
        "MapStateFailed", "ExecutionFailed",
    ]
    aborted = [e["mapIterationAbortedEventDetails"]["index"] for e in execution.history if e["type"] == "MapIterationAborted"]
    assert aborted == [1, 2]


def test_an_execution_timeout_stops_every_branch():
    definition = {
        "StartAt": "P",
        "TimeoutSeconds": 15,
        "States": {"P": {"Type": "Parallel", "Branches": waits(10, 20), "End": True}},
    }
    execution = pysfn_emulator.run(definition, {}, start_time=START)
    assert execution.status == "TIMED_OUT"
    assert execution.elapsed_seconds == 15
