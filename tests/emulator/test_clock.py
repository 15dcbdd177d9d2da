"""The virtual clock: nothing sleeps, yet Wait states, retries, task durations and timeouts
move time exactly, and the context object and history read that time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pysfn_emulator

START = datetime(2024, 1, 15, 9, 30, 0, 125000, tzinfo=UTC)
START_TEXT = "2024-01-15T09:30:00.125Z"
FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:f"


def run(states: dict, input=None, **kwargs):
    definition = {"StartAt": next(iter(states)), "States": states}
    kwargs.setdefault("start_time", START)
    return pysfn_emulator.run(definition, input if input is not None else {}, **kwargs)


def entered_time(name: str) -> dict:
    """A Pass state that records its EnteredTime under `name`."""
    return {"Type": "Pass", "Parameters": {"t.$": "$$.State.EnteredTime"}, "ResultPath": f"$.{name}"}


def test_start_time_is_the_execution_start():
    execution = run({"P": {"Type": "Pass", "End": True}})
    assert execution.start_date == START
    assert execution.history[0]["timestamp"] == START


def test_start_time_appears_in_the_context_object():
    execution = run({"P": {"Type": "Pass", "Parameters": {"s.$": "$$.Execution.StartTime"}, "End": True}})
    assert execution.output == {"s": START_TEXT}


def test_a_naive_start_time_is_taken_as_utc():
    execution = run({"P": {"Type": "Pass", "End": True}}, start_time=START.replace(tzinfo=None))
    assert execution.start_date == START


def test_an_execution_without_waits_takes_no_virtual_time():
    execution = run({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}})
    assert execution.elapsed_seconds == 0
    assert execution.stop_date == START


def test_a_one_day_wait_makes_the_execution_last_a_day():
    execution = run(
        {
            "Before": {**entered_time("before"), "Next": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 86400, "Next": "After"},
            "After": {**entered_time("after"), "End": True},
        }
    )
    assert execution.elapsed_seconds == 86400
    assert execution.output["before"]["t"] == START_TEXT
    assert execution.output["after"]["t"] == "2024-01-16T09:30:00.125Z"


def test_the_wait_state_itself_is_entered_before_waiting():
    execution = run(
        {
            "Wait": {"Type": "Wait", "Seconds": 60, "Next": "After"},
            "After": {"Type": "Pass", "End": True},
        }
    )
    entered = {e["type"]: e["timestamp"] for e in execution.history}
    assert entered["WaitStateEntered"] == START
    assert entered["PassStateEntered"] == START + timedelta(seconds=60)


def test_waits_add_up():
    execution = run(
        {
            "W1": {"Type": "Wait", "Seconds": 10, "Next": "W2"},
            "W2": {"Type": "Wait", "SecondsPath": "$.s", "Next": "W3"},
            "W3": {"Type": "Wait", "Seconds": 5, "End": True},
        },
        {"s": 100},
    )
    assert execution.elapsed_seconds == 115


def test_a_wait_until_a_timestamp_ends_at_that_timestamp():
    execution = run({"W": {"Type": "Wait", "Timestamp": "2024-01-20T00:00:00Z", "End": True}})
    assert execution.stop_date == datetime(2024, 1, 20, tzinfo=UTC)


def test_a_timestamp_path_in_the_past_takes_no_time():
    execution = run({"W": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}, {"at": "2000-01-01T00:00:00Z"})
    assert execution.status == "SUCCEEDED"
    assert execution.elapsed_seconds == 0


def test_a_wait_of_about_68_years_is_not_too_long_but_outlives_the_execution():
    # Just under AWS's "too long" bound (24,856 days): accepted, then the one-year maximum
    # execution time ends the execution.
    target = START + timedelta(days=24855)
    execution = run({"W": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}, {"at": target.isoformat()})
    assert execution.status == "TIMED_OUT"
    assert execution.elapsed_seconds == 365 * 86400


def test_a_wait_longer_than_a_java_int_of_seconds_is_too_long():
    # AWS: base__TestSfnWait__test_timestamp_too_far_in_future_boundary_24856
    target = START + timedelta(days=24856)
    execution = run({"W": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}, {"at": target.isoformat()})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'W' (entered at the event id #2). "
        "Wait state delay is too long."
    )


def test_a_handlers_sleep_moves_the_virtual_clock():
    def handler(event, context):
        time.sleep(45)
        time.sleep(15)
        return "done"

    execution = run(
        {
            "T": {"Type": "Task", "Resource": FUNCTION, "ResultPath": None, "Next": "After"},
            "After": {**entered_time("after"), "End": True},
        },
        lambdas={FUNCTION: handler},
    )
    assert execution.output == {"after": {"t": "2024-01-15T09:31:00.125Z"}}
    assert execution.elapsed_seconds == 60


def test_retry_intervals_are_virtual_time():
    calls = []

    def handler(event, context):
        calls.append(event)
        raise RuntimeError("again")

    execution = run(
        {
            "T": {
                "Type": "Task",
                "Resource": FUNCTION,
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3600, "MaxAttempts": 2, "BackoffRate": 24}],
                "End": True,
            }
        },
        lambdas={FUNCTION: handler},
    )
    assert len(calls) == 3
    assert execution.elapsed_seconds == 3600 + 3600 * 24


def test_entered_time_stays_the_state_entry_across_retries():
    seen = []

    def handler(event, context):
        seen.append(event["t"])
        if len(seen) < 3:
            raise RuntimeError("again")
        return "ok"

    run(
        {
            "T": {
                "Type": "Task",
                "Resource": FUNCTION,
                "Parameters": {"t.$": "$$.State.EnteredTime"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10}],
                "End": True,
            }
        },
        lambdas={FUNCTION: handler},
    )
    assert seen == [START_TEXT] * 3


def test_the_state_after_a_parallel_starts_when_the_slowest_branch_ends():
    branches = [
        {"StartAt": f"W{s}", "States": {f"W{s}": {"Type": "Wait", "Seconds": s, "End": True}}} for s in (5, 50, 20)
    ]
    execution = run(
        {
            "P": {"Type": "Parallel", "Branches": branches, "ResultPath": None, "Next": "After"},
            "After": {**entered_time("after"), "End": True},
        }
    )
    assert execution.output["after"]["t"] == "2024-01-15T09:30:50.125Z"


def test_map_items_beyond_max_concurrency_start_when_a_slot_frees():
    processor = {
        "StartAt": "Enter",
        "States": {
            "Enter": {"Type": "Pass", "Parameters": {"t.$": "$$.State.EnteredTime"}, "Next": "Work"},
            "Work": {"Type": "Wait", "Seconds": 10, "End": True},
        },
    }
    execution = run({"M": {"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": processor, "End": True}}, [1, 2, 3])
    assert [item["t"] for item in execution.output] == [
        START_TEXT,
        START_TEXT,
        "2024-01-15T09:30:10.125Z",
    ]
    assert execution.elapsed_seconds == 20


def test_execution_timeout_stops_the_execution_at_the_deadline():
    # AWS: timeouts__TestTimeouts__test_global_timeout
    definition = {
        "StartAt": "Wait",
        "TimeoutSeconds": 5,
        "States": {
            "Wait": {"Type": "Wait", "Seconds": 60, "Next": "After"},
            "After": {"Type": "Pass", "End": True},
        },
    }
    execution = pysfn_emulator.run(definition, {}, start_time=START)
    assert execution.status == "TIMED_OUT"
    assert execution.elapsed_seconds == 5
    assert execution.output is None


def test_a_timed_out_execution_reports_no_error_or_cause():
    # AWS: timeouts__TestTimeouts__test_global_timeout (DescribeExecution: status only)
    definition = {"StartAt": "W", "TimeoutSeconds": 5, "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    execution = pysfn_emulator.run(definition, {}, start_time=START)
    assert execution.error is None
    assert execution.cause is None


def test_an_execution_within_its_timeout_succeeds():
    definition = {"StartAt": "W", "TimeoutSeconds": 60, "States": {"W": {"Type": "Wait", "Seconds": 59, "End": True}}}
    assert pysfn_emulator.run(definition, {}, start_time=START).status == "SUCCEEDED"


def test_execution_timeout_also_stops_a_long_task():
    def handler(event, context):
        time.sleep(3600)
        return event

    definition = {
        "StartAt": "T",
        "TimeoutSeconds": 10,
        "States": {"T": {"Type": "Task", "Resource": FUNCTION, "End": True}},
    }
    execution = pysfn_emulator.run(definition, {}, start_time=START, lambdas={FUNCTION: handler})
    assert execution.status == "TIMED_OUT"
    assert execution.elapsed_seconds == 10


def test_execution_timeout_also_stops_retries():
    def handler(event, context):
        raise RuntimeError("again")

    definition = {
        "StartAt": "T",
        "TimeoutSeconds": 100,
        "States": {
            "T": {
                "Type": "Task",
                "Resource": FUNCTION,
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 60, "MaxAttempts": 5}],
                "End": True,
            }
        },
    }
    execution = pysfn_emulator.run(definition, {}, start_time=START, lambdas={FUNCTION: handler})
    assert execution.status == "TIMED_OUT"
    assert execution.stop_date == START + timedelta(seconds=100)


# -- the longest an execution may run ------------------------------------------------------------


def test_an_express_execution_stops_after_five_minutes():
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
    execution = pysfn_emulator.run(definition, {}, start_time=START, state_machine_type="EXPRESS")
    assert execution.status in ("TIMED_OUT", "FAILED")
    assert execution.elapsed_seconds == 300


def test_an_express_execution_within_five_minutes_succeeds():
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 299, "End": True}}}
    execution = pysfn_emulator.run(definition, {}, start_time=START, state_machine_type="EXPRESS")
    assert execution.status == "SUCCEEDED"


def test_a_standard_execution_stops_after_a_year():
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 400 * 86400, "End": True}}}
    execution = pysfn_emulator.run(definition, {}, start_time=START)
    assert execution.status != "SUCCEEDED"
    assert execution.elapsed_seconds < 400 * 86400
