"""State lives in one place per execution (issue 12): two executions running at once, in two
threads, with different seeds and clocks, do not draw from each other's random source or read
each other's clock."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pysfn_emulator

# Intrinsics (in a payload template) and JSONata both draw from the execution's random source,
# before and after a Task whose handler may be held while the other execution runs.
MACHINE = {
    "StartAt": "Before",
    "States": {
        "Before": {
            "Type": "Pass",
            "Parameters": {"uuid.$": "States.UUID()", "n.$": "States.MathRandom(0, 1000000)",
                           "entered.$": "$$.State.EnteredTime"},
            "ResultPath": "$.before",
            "Next": "Call",
        },
        "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:hold",
                 "ResultPath": None, "Next": "After"},
        "After": {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Output": "{% $merge([$states.input, {'after': {'uuid': $uuid(), 'random': $random(),"
                      " 'entered': $states.context.State.EnteredTime, 'now': $now()}}]) %}",
            "End": True,
        },
    },
}

START_A = datetime(2024, 1, 1, tzinfo=UTC)
START_B = datetime(2030, 6, 1, tzinfo=UTC)


def _run(seed: int, start: datetime, hold=lambda event, context: None) -> pysfn_emulator.Execution:
    return pysfn_emulator.run(MACHINE, {}, lambdas={"hold": hold}, seed=seed, start_time=start)


def test_two_executions_at_once_keep_their_own_random_source_and_clock():
    alone_a = _run(1, START_A).output
    alone_b = _run(2, START_B).output
    assert alone_a != alone_b

    inside, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def hold(event, context):  # A waits here, mid-run, while B runs from start to end
        inside.set()
        assert release.wait(30)

    worker = threading.Thread(target=lambda: results.update(a=_run(1, START_A, hold).output))
    worker.start()
    try:
        assert inside.wait(30)
        results["b"] = _run(2, START_B).output
    finally:
        release.set()
        worker.join(30)
    assert results == {"a": alone_a, "b": alone_b}
    assert results["a"]["before"]["entered"].startswith("2024-01-01")
    assert results["b"]["after"]["now"].startswith("2030-06-01")


def test_an_execution_run_from_a_handler_keeps_its_own_source():
    """A nested run (a handler that runs another machine) neither consumes nor replaces the
    outer execution's draws."""
    alone = _run(1, START_A).output
    inner: list = []

    def hold(event, context):
        inner.append(_run(2, START_B).output)

    assert _run(1, START_A, hold).output == alone
    assert inner == [_run(2, START_B).output]


def test_a_child_executions_handler_answers_its_parents_token_on_the_childs_clock():
    """The answer is stamped with the time of the execution whose handler sends it (the child's
    clock, 100 s of Wait plus 5 s slept), carried by the handler's call, not found in a
    thread-wide stack of clocks."""
    child = {
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Wait", "Seconds": 100, "Next": "Answer"},
            "Answer": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:answer",
                       "End": True},
        },
    }
    parent = {
        "StartAt": "Start child",
        "States": {
            "Start child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
                "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:111111111111:stateMachine:child",
                               "Input": {"token.$": "$$.Task.Token"}},
                "End": True,
            },
        },
    }

    def answer(event, context):
        time.sleep(5)
        pysfn_emulator.send_task_success(event["token"], {"answered": True})

    execution = pysfn_emulator.run(parent, {}, lambdas={"answer": answer}, state_machines={"child": child},
                                   start_time=START_A)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"answered": True}
    succeeded = next(e for e in execution.history if e["type"] == "TaskSucceeded")
    started = next(e for e in execution.history if e["type"] == "TaskStarted")
    assert (succeeded["timestamp"] - started["timestamp"]).total_seconds() == 105


WAITS_FOR_ITS_TOKEN = {
    "StartAt": "Ask",
    "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}},
                "TimeoutSeconds": 60, "End": True},
    },
}


def test_two_runs_with_the_same_seed_keep_their_own_tokens():
    """Seeded runs repeat their tokens, so two at once (here one inside the other's handler)
    hold the same token: each run's tokens are its own, and a handler's answer goes to the
    run that called it."""

    def inner_ask(event, context):
        pysfn_emulator.send_task_success(event["token"], "inner")

    def outer_ask(event, context):
        inner = pysfn_emulator.run(WAITS_FOR_ITS_TOKEN, {}, lambdas={"ask": inner_ask}, seed=1)
        assert inner.output == "inner", inner.cause
        pysfn_emulator.send_task_success(event["token"], "outer")

    outer = pysfn_emulator.run(WAITS_FOR_ITS_TOKEN, {}, lambdas={"ask": outer_ask}, seed=1)
    assert (outer.status, outer.output) == ("SUCCEEDED", "outer"), outer.cause


def test_time_sleep_is_the_original_whenever_no_local_code_runs():
    """The one process-wide patch left: `time.sleep` counts virtual seconds only while a
    handler, responder or worker runs (it cannot be handed a clock: it calls `time.sleep`).
    Between them, even mid-run (a live execution waiting for the test), it is the original."""
    original = time.sleep
    seen = []

    def send(event, context):
        seen.append(time.sleep is original)
        time.sleep(30)  # counted on the execution's clock
        return {"MessageId": "m-1"}

    machine = {
        "StartAt": "Ask",
        "States": {
            "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "https://sqs/q", "MessageBody": {"token.$": "$$.Task.Token"}},
                    "End": True},
        },
    }
    live = pysfn_emulator.start(machine, {}, lambdas={"arn:aws:states:::sqs:sendMessage": send})
    assert time.sleep is original  # the execution is parked, waiting for its token
    live.send_task_success(live.pending_tokens[0], "answered")
    execution = live.result()
    assert (execution.output, execution.elapsed_seconds) == ("answered", 30)
    assert seen == [False] and time.sleep is original
