"""Every execution ends, in bounded time and memory: AWS's own limits (STANDARD's 25,000
events, EXPRESS's 5 minutes, each reached by a loop without a Wait; a distributed Map's
child executions with the limits of their kind) and pysfn's guard (`max_transitions`,
`max_seconds`). None of these tests times anything: real time comes from a stand-in clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import pysfn_emulator
from conformance.pytest_plugin import SessionRecord, SfnRun
from pysfn_compile import compile_source
from pysfn_emulator import coverage
from pysfn_emulator.cli import main
from pysfn_emulator.core import limits
from pysfn_emulator.core.errors import StatesError
from pysfn_emulator.runtime.history import HistoryLimitReached
from pysfn_emulator.virtual_time.clock import Clock
from pysfn_emulator.virtual_time.scheduler import JOIN, Scheduler, Sleep

START = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
def spinning(name: str) -> dict:
    """A state machine that loops forever: a Choice whose way out its input never takes (AWS
    refuses a machine with no terminal state, MISSING_END_STATE)."""
    return {"StartAt": name, "States": {
        name: {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": f"{name} out"}],
               "Default": name},
        f"{name} out": {"Type": "Succeed"}}}


LOOP = spinning("A")
HISTORY_QUOTA_CAUSE = "The execution reached the limit of 25000 history events."


def counting(rounds: int, prefix: str = "") -> dict:
    """A Choice and a Pass counting to `rounds` (2 transitions a round), then Done."""
    check, step, done = f"{prefix}Check", f"{prefix}Step", f"{prefix}Done"
    return {
        "StartAt": check,
        "States": {
            check: {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericGreaterThanEquals": rounds, "Next": done}],
                "Default": step,
            },
            step: {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": check},
            done: {"Type": "Succeed"},
        },
    }


def distributed(processor: dict, kind: str, **fields) -> dict:
    spec = {
        "Type": "Map",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": kind}, **processor},
        **fields,
    }
    if "Next" not in spec:
        spec["End"] = True
    states = {"Items": spec}
    if "Next" in spec:
        states[spec["Next"]] = {"Type": "Pass", "End": True}
    return {"StartAt": "Items", "States": states}


def loop_on(value: int, wait: int | None = None) -> dict:
    """A processor that loops forever on the item `value` (without a Wait, or waiting `wait`
    seconds a round, which reaches a time limit in fewer transitions) and passes any other
    item on."""
    spin = {"Type": "Pass", "Next": "Spin"} if wait is None else {"Type": "Wait", "Seconds": wait, "Next": "Spin"}
    return {
        "StartAt": "Which",
        "States": {
            "Which": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": value, "Next": "Spin"}],
                      "Default": "Done"},
            "Spin": spin,
            "Done": {"Type": "Succeed"},
        },
    }


class FakeWallClock:
    """Real time as the test says it passes."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall(monkeypatch) -> FakeWallClock:
    clock = FakeWallClock()
    monkeypatch.setattr(limits, "wall_clock", clock)
    return clock


# -- the time a transition takes ------------------------------------------------------------------


def test_a_machine_that_makes_fewer_transitions_than_a_payment_sees_no_time_pass():
    execution = pysfn_emulator.run(counting(499), {"i": 0}, start_time=START)  # 999 transitions
    assert execution.status == "SUCCEEDED"
    assert execution.elapsed_seconds == 0
    assert {event["timestamp"] for event in execution.history} == {START}


def test_a_thread_pays_a_millisecond_a_transition_a_second_at_a_time():
    execution = pysfn_emulator.run(counting(1000), {"i": 0}, start_time=START)  # 2,001 transitions
    assert execution.status == "SUCCEEDED"
    assert limits.TRANSITION_MS * limits.PAY_EVERY == 1000
    assert execution.elapsed_seconds == 2


def test_parallel_branches_pay_side_by_side():
    branches = [counting(2500, "a"), counting(2500, "b")]  # 5,001 transitions each: 5 s
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": branches, "End": True}}}
    execution = pysfn_emulator.run(definition, {"i": 0})
    assert execution.status == "SUCCEEDED"
    assert execution.elapsed_seconds == 5


# -- EXPRESS: 5 minutes ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def express_loop():
    """The EXPRESS loop without a Wait, run once for the tests that read it."""
    return pysfn_emulator.run(LOOP, {}, state_machine_type="EXPRESS", start_time=START)


def test_an_express_loop_without_a_wait_times_out_after_five_minutes(express_loop):
    execution = express_loop
    assert (execution.status, execution.error, execution.cause) == ("TIMED_OUT", None, None)
    assert execution.elapsed_seconds == 300
    last = execution.history[-1]
    assert last["type"] == "ExecutionTimedOut"
    assert last["executionTimedOutEventDetails"] == {"error": "States.Timeout"}
    # The 301st payment (at 301,000 transitions of two events each) passes 5 minutes; of
    # those events the first and the last 50,000 are held.
    assert last["id"] == 2 + 2 * 301_000
    assert len(execution.history) == 100_000
    ids = [event["id"] for event in execution.history]
    assert ids[:3] == [1, 2, 3] and ids[49_999:50_001] == [50_000, last["id"] - 49_999]
    assert ids[-1] == last["id"] and ids == sorted(ids)


def test_an_express_history_that_fits_is_held_whole():
    execution = pysfn_emulator.run(counting(100), {"i": 0}, state_machine_type="EXPRESS")
    assert execution.status == "SUCCEEDED"
    assert len(execution.history) == execution.history[-1]["id"] == 2 + 4 * 100 + 4


def test_a_history_with_a_gap_still_reads_back(express_loop):
    walked = coverage.walk(express_loop.history)
    assert walked.visits and {visit.name for visit in walked.visits} == {"A"}


def test_an_express_loop_stops_at_its_own_shorter_timeout():
    execution = pysfn_emulator.run({**LOOP, "TimeoutSeconds": 7}, {}, state_machine_type="EXPRESS")
    assert execution.status == "TIMED_OUT"
    assert execution.elapsed_seconds == 7


def test_looping_express_branches_time_out_together():
    branches = [spinning(name) for name in ("B", "C")]
    definition = {"TimeoutSeconds": 10, "StartAt": "P",
                  "States": {"P": {"Type": "Parallel", "Branches": branches, "End": True}}}
    execution = pysfn_emulator.run(definition, {}, state_machine_type="EXPRESS")
    assert execution.status == "TIMED_OUT"
    assert execution.elapsed_seconds == 10


# -- STANDARD: 25,000 events, unchanged ------------------------------------------------------------


def test_a_standard_loop_still_fails_at_its_25000th_event():
    execution = pysfn_emulator.run(LOOP, {})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "States.Runtime", HISTORY_QUOTA_CAUSE)
    assert len(execution.history) == execution.history[-1]["id"] == 25_000
    assert execution.history[-1]["type"] == "ExecutionFailed"
    assert execution.elapsed_seconds == 12  # 12,499 transitions


# -- a distributed Map's child executions -----------------------------------------------------------


def test_a_runaway_standard_child_fails_at_its_own_25000th_event():
    execution = pysfn_emulator.run(distributed(loop_on(1), "STANDARD"), [0, 1])
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause.endswith(HISTORY_QUOTA_CAUSE)
    assert [event["type"] for event in execution.history][-3:] == ["MapRunStarted", "MapRunFailed", "ExecutionFailed"]


def test_a_runaway_child_is_one_failed_item_when_failures_are_tolerated():
    definition = distributed(loop_on(1), "STANDARD", ToleratedFailureCount=1)
    execution = pysfn_emulator.run(definition, [0, 1, 2])
    assert execution.status == "SUCCEEDED"
    assert execution.output == [0, None, 2]


def test_a_runaway_express_child_times_out_after_five_minutes_of_its_own():
    execution = pysfn_emulator.run(distributed(loop_on(1), "EXPRESS"), [0, 1], start_time=START)
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "States.Timeout", None)
    assert execution.elapsed_seconds == 300


def test_a_parent_may_catch_its_child_timing_out():
    definition = distributed(loop_on(1, wait=7), "EXPRESS", Next="Caught",
                             Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}])
    execution = pysfn_emulator.run(definition, [1])
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"Error": "States.Timeout", "Cause": ""}
    assert execution.path == ["Items", "Caught"]


def test_express_children_time_out_each_from_its_own_start():
    # One at a time: the second child starts when the first has timed out, at 5 minutes.
    definition = distributed(loop_on(1, wait=7), "EXPRESS", MaxConcurrency=1, ToleratedFailureCount=2)
    execution = pysfn_emulator.run(definition, [1, 1])
    assert execution.status == "SUCCEEDED"
    assert execution.output == [None, None]
    assert execution.elapsed_seconds == 600


def test_a_child_whose_wait_outlasts_its_limit_times_out_at_the_limit():
    waits = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    execution = pysfn_emulator.run(distributed(waits, "EXPRESS"), [0])
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    assert execution.elapsed_seconds == 300


def test_children_within_their_limits_are_unchanged():
    waits = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 300, "End": True}}}
    execution = pysfn_emulator.run(distributed(waits, "EXPRESS"), [0, 1])
    assert (execution.status, execution.output, execution.elapsed_seconds) == ("SUCCEEDED", [0, 1], 300)


# -- the scheduler: a child execution ends alone ---------------------------------------------------------


def _parent(scheduler: Scheduler, child, seen: list):
    """A thread that starts `child` as a child execution and reports how it ended."""
    thread = scheduler.start(child, execution=True)
    scheduler.expire_at(thread, 300_000)
    [ended] = yield JOIN
    seen.append((scheduler.clock.now_ms, ended.result, ended.error))
    return "parent goes on"


def test_a_child_execution_past_its_time_ends_with_its_threads():
    scheduler, seen, inner = Scheduler(Clock(0)), [], []

    def sub():
        yield Sleep(10_000_000)
        inner.append("ran on")  # never: the sub-thread ends with its execution

    def child():
        scheduler.start(sub())
        yield JOIN

    assert scheduler.run(_parent(scheduler, child(), seen)) == "parent goes on"
    [(now_ms, result, error)] = seen
    assert (now_ms, result, error.error, inner) == (300_000, None, "States.Timeout", [])


def test_what_is_due_at_a_child_executions_limit_itself_still_runs():
    scheduler, seen = Scheduler(Clock(0)), []

    def child():
        yield Sleep(300_000)
        return "just in time"

    scheduler.run(_parent(scheduler, child(), seen))
    assert seen == [(300_000, "just in time", None)]


def test_a_quota_reached_in_a_child_executions_thread_fails_that_child_only():
    scheduler, seen = Scheduler(Clock(0)), []

    def sub():
        raise HistoryLimitReached()
        yield

    def child():
        scheduler.start(sub())
        yield JOIN

    scheduler.run(_parent(scheduler, child(), seen))
    [(_, _, error)] = seen
    assert isinstance(error, StatesError)
    assert (error.error, error.cause) == ("States.Runtime", HISTORY_QUOTA_CAUSE)


def test_a_quota_reached_outside_a_child_execution_ends_the_run():
    scheduler = Scheduler(Clock(0))

    def quota():
        raise HistoryLimitReached()
        yield

    with pytest.raises(HistoryLimitReached):
        scheduler.run(quota())


# -- pysfn's guard: max_transitions ---------------------------------------------------------------------


def test_max_transitions_ends_the_run_with_a_named_error():
    execution = pysfn_emulator.run(LOOP, {}, max_transitions=500)
    assert (execution.status, execution.error) == ("FAILED", "pysfn.TransitionLimitExceeded")
    assert "more than 500 states" in execution.cause
    assert "max_transitions" in execution.cause and "--max-transitions" in execution.cause
    assert len(execution.path) == 500
    assert execution.history[-1]["type"] == "ExecutionFailed"
    assert execution.history[-1]["executionFailedEventDetails"]["error"] == "pysfn.TransitionLimitExceeded"


def test_max_transitions_counts_map_iterations_and_branches():
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": {
        "StartAt": "One", "States": {"One": {"Type": "Pass", "Next": "Two"}, "Two": {"Type": "Pass", "End": True}}},
        "End": True}}}
    assert pysfn_emulator.run(definition, list(range(10)), max_transitions=21).status == "SUCCEEDED"
    assert pysfn_emulator.run(definition, list(range(10)), max_transitions=20).error == "pysfn.TransitionLimitExceeded"
    branches = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": name, "States": {name: {"Type": "Pass", "End": True}}} for name in "XYZ"]}}}
    assert pysfn_emulator.run(branches, {}, max_transitions=4).status == "SUCCEEDED"
    assert pysfn_emulator.run(branches, {}, max_transitions=3).error == "pysfn.TransitionLimitExceeded"


def test_max_transitions_counts_a_distributed_maps_children():
    execution = pysfn_emulator.run(distributed(loop_on(1), "EXPRESS"), [0, 1], max_transitions=10_000)
    assert (execution.status, execution.error) == ("FAILED", "pysfn.TransitionLimitExceeded")


def test_max_transitions_counts_nested_executions_and_ends_the_parent_too():
    definition = {"StartAt": "Run child", "States": {"Run child": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:111111111111:stateMachine:Spin"},
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "Next": "Done"},
        "Done": {"Type": "Succeed"}}}
    execution = pysfn_emulator.run(definition, {}, state_machines={"Spin": LOOP}, max_transitions=300)
    assert (execution.status, execution.error) == ("FAILED", "pysfn.TransitionLimitExceeded")
    # Without the guard the child fails at its own quota, and the parent catches that.
    execution = pysfn_emulator.run(definition, {}, state_machines={"Spin": LOOP})
    assert execution.status == "SUCCEEDED"
    [child] = execution.children
    assert (child.status, child.cause) == ("FAILED", HISTORY_QUOTA_CAUSE)


def test_no_limit_leaves_awss_own():
    execution = pysfn_emulator.run(LOOP, {}, max_transitions=None, max_seconds=None)
    assert (execution.status, execution.cause) == ("FAILED", HISTORY_QUOTA_CAUSE)


def test_the_default_guard_does_not_preempt_awss_limits(express_loop):
    assert limits.DEFAULT_MAX_TRANSITIONS > limits.EXPRESS_MAX_SECONDS * 1000 // limits.TRANSITION_MS
    assert express_loop.status == "TIMED_OUT"


@pytest.mark.parametrize("bad", [-1, "10", True, float("nan")])
def test_a_limit_must_be_a_non_negative_number_or_none(bad):
    with pytest.raises(ValueError, match="max_transitions"):
        pysfn_emulator.run(LOOP, {}, max_transitions=bad)
    with pytest.raises(ValueError, match="max_seconds"):
        pysfn_emulator.run(LOOP, {}, max_seconds=bad)


# -- pysfn's guard: max_seconds (real time, from a stand-in clock) ------------------------------------


def test_max_seconds_zero_ends_the_run_at_its_first_state():
    execution = pysfn_emulator.run(LOOP, {}, max_seconds=0)
    assert (execution.status, execution.error) == ("FAILED", "pysfn.TimeLimitExceeded")
    assert "more than 0 real seconds" in execution.cause and "max_seconds" in execution.cause
    assert [event["type"] for event in execution.history] == ["ExecutionStarted", "ExecutionFailed"]


def test_max_seconds_ends_a_run_that_takes_too_long(wall):
    def slow(event, context):
        wall.now += 2  # each call takes two real seconds
        return event

    definition = {"StartAt": "Work", "States": {"Work": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:slow", "Next": "Work",
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Gave up"}]}, "Gave up": {"Type": "Succeed"}}}
    execution = pysfn_emulator.run(definition, {}, lambdas={"slow": slow}, max_seconds=1000,
                                   state_machine_type="EXPRESS")
    assert (execution.status, execution.error) == ("FAILED", "pysfn.TimeLimitExceeded")
    # Checked when the first state is entered and every CHECK_TIME_EVERY states after it.
    assert len(execution.path) == 2 * limits.CHECK_TIME_EVERY


def test_max_seconds_ends_a_retry_storm_that_enters_no_states(wall):
    def failing(event, context):
        wall.now += 10
        raise RuntimeError("still down")

    definition = {"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:failing", "End": True,
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 5000, "IntervalSeconds": 1, "BackoffRate": 1}]}}}
    execution = pysfn_emulator.run(definition, {}, lambdas={"failing": failing}, max_seconds=100)
    assert (execution.status, execution.error) == ("FAILED", "pysfn.TimeLimitExceeded")
    assert execution.elapsed_seconds == 10  # read each time the virtual clock moves on
    assert execution.path == ["Call"]


def test_a_run_within_max_seconds_succeeds(wall):
    def slow(event, context):
        wall.now += 2
        return event

    definition = {"StartAt": "Work", "States": {"Work": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:slow", "End": True}}}
    execution = pysfn_emulator.run(definition, {}, lambdas={"slow": slow}, max_seconds=1)
    assert execution.status == "SUCCEEDED"  # the time is only looked at when a state is entered


ASK_THEN_COUNT = {"StartAt": "Ask", "States": {  # a task token, then 401 transitions
    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "https://sqs/q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "ResultPath": None, "Next": "Check"},
    **counting(200)["States"]}}


def test_a_live_execution_does_not_count_the_time_it_waits_for_the_test(wall):
    live = pysfn_emulator.start(ASK_THEN_COUNT, {"i": 0}, max_seconds=100)
    wall.now += 1000  # the test thinks for a long while
    live.send_task_success(live.token("Ask"), {})
    execution = live.result()
    assert execution.status == "SUCCEEDED"


def test_a_live_execution_counts_the_time_it_runs(wall):
    def slow(token, payload):
        wall.now += 1000
        return {}

    live = pysfn_emulator.start(ASK_THEN_COUNT, {"i": 0}, max_seconds=100, callbacks={"Ask": slow})
    execution = live.result()
    assert (execution.status, execution.error) == ("FAILED", "pysfn.TimeLimitExceeded")


# -- the command line and the pytest fixture -------------------------------------------------------------


@pytest.fixture
def loop_file(tmp_path) -> Path:
    path = tmp_path / "loop.json"
    path.write_text(json.dumps(LOOP))
    return path


def test_cli_max_transitions(loop_file, capsys):
    assert main([str(loop_file), "--max-transitions", "50", "--json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert (printed["status"], printed["error"]) == ("FAILED", "pysfn.TransitionLimitExceeded")
    assert "more than 50 states" in printed["cause"]


def test_cli_max_seconds(loop_file, capsys):
    assert main([str(loop_file), "--max-seconds", "0", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["error"] == "pysfn.TimeLimitExceeded"


def test_cli_none_is_no_limit(loop_file, capsys):
    assert main([str(loop_file), "--max-transitions", "none", "--max-seconds", "none", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["cause"] == HISTORY_QUOTA_CAUSE


@pytest.mark.parametrize("flag, value", [("--max-transitions", "-1"), ("--max-transitions", "1.5"),
                                         ("--max-seconds", "soon"), ("--max-seconds", "nan")])
def test_cli_refuses_a_bad_limit(loop_file, capsys, flag, value):
    assert main([str(loop_file), flag, value]) == 2
    assert f"argument {flag}" in capsys.readouterr().err


def test_the_sfn_run_fixture_passes_the_limits_on(tmp_path):
    sfn_run = SfnRun(None, SessionRecord(report_dir=None, coverage=None, invocation_dir=tmp_path))
    assert sfn_run(LOOP, {}, max_transitions=10).error == "pysfn.TransitionLimitExceeded"
    assert sfn_run(LOOP, {}, max_seconds=0).error == "pysfn.TimeLimitExceeded"
    assert sfn_run(LOOP, {}).cause == HISTORY_QUOTA_CAUSE


# -- a compiled `while True:` -----------------------------------------------------------------------------

SPIN = """\
from pysfn_compile import sfn

@sfn.workflow
def spin(n: int) -> int:
    while True:
        n = n + 1
    return n
"""


@pytest.fixture(scope="module")
def spin():
    return compile_source(SPIN, path="spin.py")


def test_a_compiled_endless_loop_fails_at_the_standard_quota(spin):
    execution = pysfn_emulator.run(spin.definition, {"n": 0}, lambdas=spin.local_lambdas())
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "States.Runtime", HISTORY_QUOTA_CAUSE)


def test_a_compiled_endless_loop_times_out_as_express(spin):
    # The machine's own TimeoutSeconds keeps the test short; 5 minutes ends it the same way.
    definition = {**spin.definition, "TimeoutSeconds": 3}
    execution = pysfn_emulator.run(definition, {"n": 0}, state_machine_type="EXPRESS", lambdas=spin.local_lambdas())
    assert execution.status == "TIMED_OUT"
    assert execution.elapsed_seconds == 3


def test_a_compiled_endless_loop_meets_the_guard(spin):
    execution = pysfn_emulator.run(spin.definition, {"n": 0}, state_machine_type="EXPRESS",
                                   lambdas=spin.local_lambdas(), max_transitions=1000)
    assert (execution.status, execution.error) == ("FAILED", "pysfn.TransitionLimitExceeded")
