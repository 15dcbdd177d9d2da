"""Task tokens: `.waitForTaskToken` tasks and activities answered by responders, by local
handlers, or by the test through a live execution; heartbeats and timeouts on the virtual clock."""

from __future__ import annotations

import json
import time

import pytest

import pysfn_emulator
from pysfn_emulator import NO_ANSWER, ExecutionRunning, TaskFailure, TaskTokenError

SQS = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
INVOKE_WAIT = "arn:aws:states:::lambda:invoke.waitForTaskToken"
ACTIVITY = "arn:aws:states:us-east-1:111111111111:activity:approve"


def ask(**fields) -> dict:
    """One Task that sends its token in a message and waits for the answer."""
    spec = {
        "Type": "Task",
        "Resource": SQS,
        "Parameters": {"QueueUrl": "https://sqs/q", "MessageBody": {"order.$": "$.order", "token.$": "$$.Task.Token"}},
        **fields,
    }
    spec.setdefault("End", True)
    return {"StartAt": "Ask", "States": {"Ask": spec}}


def events(execution) -> list[str]:
    return [event["type"] for event in execution.history]


def details(execution, kind: str) -> dict:
    event = next(e for e in execution.history if e["type"] == kind)
    key = next(k for k in event if k.endswith("EventDetails"))
    return event[key]


# -- responders ------------------------------------------------------------------------------------------


def test_a_responder_gets_the_token_and_the_payload_and_its_return_is_the_output():
    seen = []

    def approve(token, payload):
        seen.append((token, payload))
        return {"approved": True}

    execution = pysfn_emulator.run(ask(), {"order": 7}, callbacks={"Ask": approve})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"approved": True}
    token, payload = seen[0]
    assert payload == {"QueueUrl": "https://sqs/q", "MessageBody": {"order": 7, "token": token}}
    assert events(execution) == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
        "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded",
    ]
    assert details(execution, "TaskScheduled")["resource"] == "sendMessage.waitForTaskToken"
    assert details(execution, "TaskScheduled")["resourceType"] == "sqs"


@pytest.mark.parametrize("key", ["Ask", SQS, "arn:aws:states:::sqs:sendMessage"])
def test_a_responder_is_found_by_state_name_or_resource(key):
    execution = pysfn_emulator.run(ask(), {"order": 1}, callbacks={key: lambda token, payload: "yes"})
    assert execution.output == "yes"


def test_a_responder_raising_task_failure_sends_that_failure():
    def decline(token, payload):
        raise TaskFailure("Order.Declined", "out of stock")

    execution = pysfn_emulator.run(ask(), {"order": 1}, callbacks={"Ask": decline})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Order.Declined", "out of stock")
    assert details(execution, "TaskFailed") == {"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken", "error": "Order.Declined", "cause": "out of stock"}


def test_a_responder_raising_any_exception_fails_with_its_class_name():
    class Rejected(Exception):
        pass

    def reject(token, payload):
        raise Rejected("no")

    execution = pysfn_emulator.run(ask(), {"order": 1}, callbacks={"Ask": reject})
    assert (execution.error, execution.cause) == ("Rejected", "no")


def test_the_failure_is_caught_like_any_task_error():
    definition = ask(Catch=[{"ErrorEquals": ["Rejected"], "Next": "Handle"}])
    definition["States"]["Handle"] = {"Type": "Pass", "End": True}

    def reject(token, payload):
        raise TaskFailure("Rejected", "no")

    execution = pysfn_emulator.run(definition, {"order": 1}, callbacks={"Ask": reject})
    assert execution.output == {"Error": "Rejected", "Cause": "no"}


def test_the_answer_is_processed_by_result_selector_and_result_path():
    definition = ask(ResultSelector={"ok.$": "$.approved"}, ResultPath="$.answer")
    execution = pysfn_emulator.run(definition, {"order": 1}, callbacks={"Ask": lambda token, payload: {"approved": True}})
    assert execution.output == {"order": 1, "answer": {"ok": True}}


def test_a_responder_sleeping_past_the_heartbeat_times_the_task_out():
    def slow(token, payload):
        time.sleep(11)
        return "late"

    execution = pysfn_emulator.run(ask(HeartbeatSeconds=10), {"order": 1}, callbacks={"Ask": slow})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "States.HeartbeatTimeout", None)
    assert execution.elapsed_seconds == 10
    assert details(execution, "TaskTimedOut") == {"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken", "error": "States.HeartbeatTimeout"}


def test_heartbeats_keep_a_slow_responder_alive():
    def working(token, payload):
        for _ in range(6):
            time.sleep(9)
            pysfn_emulator.send_task_heartbeat(token)
        time.sleep(9)
        return "done"

    execution = pysfn_emulator.run(ask(HeartbeatSeconds=10), {"order": 1}, callbacks={"Ask": working})
    assert (execution.status, execution.output) == ("SUCCEEDED", "done")
    assert execution.elapsed_seconds == 63


def test_a_missed_heartbeat_times_out_where_the_gap_ran_out():
    def working(token, payload):
        time.sleep(5)
        pysfn_emulator.send_task_heartbeat(token)
        time.sleep(30)
        return "done"

    execution = pysfn_emulator.run(ask(HeartbeatSeconds=10), {"order": 1}, callbacks={"Ask": working})
    assert execution.error == "States.HeartbeatTimeout"
    assert execution.elapsed_seconds == 15


def test_heartbeats_do_not_extend_timeout_seconds():
    def working(token, payload):
        for _ in range(10):
            time.sleep(5)
            pysfn_emulator.send_task_heartbeat(token)
        return "done"

    execution = pysfn_emulator.run(ask(HeartbeatSeconds=10, TimeoutSeconds=30), {"order": 1}, callbacks={"Ask": working})
    assert (execution.error, execution.elapsed_seconds) == ("States.Timeout", 30)
    assert details(execution, "TaskTimedOut")["error"] == "States.Timeout"


def test_heartbeat_timeout_is_retried_and_caught_by_its_name():
    definition = ask(
        HeartbeatSeconds=5,
        Retry=[{"ErrorEquals": ["States.HeartbeatTimeout"], "IntervalSeconds": 1, "MaxAttempts": 1}],
        Catch=[{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Gave up"}],
    )
    definition["States"]["Gave up"] = {"Type": "Succeed"}
    tokens = []

    def silent(token, payload):
        tokens.append(token)
        return NO_ANSWER

    execution = pysfn_emulator.run(definition, {"order": 1}, callbacks={"Ask": silent})
    assert execution.path == ["Ask", "Gave up"]
    assert execution.elapsed_seconds == 5 + 1 + 5
    assert len(set(tokens)) == 2  # every attempt has its own token


def test_heartbeat_and_timeout_paths_read_the_input():
    definition = ask(HeartbeatSecondsPath="$.beat", TimeoutSecondsPath="$.limit")
    execution = pysfn_emulator.run(definition, {"order": 1, "beat": 7, "limit": 20}, callbacks={"Ask": lambda token, payload: NO_ANSWER})
    assert (execution.error, execution.elapsed_seconds) == ("States.HeartbeatTimeout", 7)
    scheduled = details(execution, "TaskScheduled")
    assert (scheduled["heartbeatInSeconds"], scheduled["timeoutInSeconds"]) == (7, 20)


def test_a_heartbeat_path_to_a_non_integer_is_a_runtime_error():
    definition = ask(HeartbeatSecondsPath="$.beat")
    execution = pysfn_emulator.run(definition, {"order": 1, "beat": "soon"}, callbacks={"Ask": lambda token, payload: 1})
    assert execution.error == "States.Runtime"
    assert "HeartbeatSecondsPath" in execution.cause


def test_jsonata_heartbeat_seconds():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": SQS,
                "Arguments": {"QueueUrl": "q", "MessageBody": "{% $states.context.Task.Token %}"},
                "HeartbeatSeconds": "{% $states.input.beat %}",
                "End": True,
            }
        },
    }
    execution = pysfn_emulator.run(definition, {"beat": 3}, callbacks={"Ask": lambda token, payload: NO_ANSWER})
    assert (execution.error, execution.elapsed_seconds) == ("States.HeartbeatTimeout", 3)


# -- answers from local handlers, and nobody answering --------------------------------------------------------


def test_a_lambda_answers_its_own_token_like_a_real_function_calling_send_task_success():
    def worker(event, context):
        time.sleep(4)
        pysfn_emulator.send_task_success(event["token"], {"result": event["n"] * 2})
        return {"accepted": True}

    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": INVOKE_WAIT,
                "Parameters": {"FunctionName": "worker", "Payload": {"n.$": "$.n", "token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    execution = pysfn_emulator.run(definition, {"n": 21}, lambdas={"worker": worker})
    assert execution.output == {"result": 42}
    assert execution.elapsed_seconds == 4
    submitted = json.loads(details(execution, "TaskSubmitted")["output"])
    assert submitted["Payload"] == {"accepted": True} and submitted["StatusCode"] == 200
    assert details(execution, "TaskSubmitted")["resource"] == "invoke.waitForTaskToken"


def test_a_lambda_that_fails_fails_the_task_without_waiting():
    def broken(event, context):
        raise ValueError("bad input")

    definition = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": INVOKE_WAIT, "Parameters": {"FunctionName": "broken"}, "End": True}}}
    execution = pysfn_emulator.run(definition, {}, lambdas={"broken": broken})
    assert execution.error == "ValueError"
    assert "TaskSubmitted" not in events(execution)


def test_an_integration_handler_and_a_responder_together():
    sent = []
    execution = pysfn_emulator.run(
        ask(),
        {"order": 3},
        lambdas={"arn:aws:states:::sqs:sendMessage": lambda event, context: sent.append(event) or {"MessageId": "m-1"}},
        callbacks={"Ask": lambda token, payload: "answered"},
    )
    assert execution.output == "answered"
    assert sent and json.loads(details(execution, "TaskSubmitted")["output"]) == {"MessageId": "m-1"}


def test_an_integration_handler_gets_the_token_in_its_context():
    seen = []

    def send(event, context):
        seen.append(context.task_token)
        pysfn_emulator.send_task_success(context.task_token, "by the handler")
        return {}

    execution = pysfn_emulator.run(ask(), {"order": 1}, lambdas={SQS: send})
    assert execution.output == "by the handler"
    assert seen[0].startswith("AQ")


def test_nobody_answering_times_out_at_the_heartbeat_in_a_plain_run():
    def worker(event, context):
        return "queued"

    definition = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": INVOKE_WAIT, "Parameters": {"FunctionName": "worker"}, "HeartbeatSeconds": 60, "End": True}}}
    execution = pysfn_emulator.run(definition, {}, lambdas={"worker": worker})
    assert (execution.error, execution.elapsed_seconds) == ("States.HeartbeatTimeout", 60)


def test_nobody_answering_without_limits_lets_the_execution_time_out():
    definition = {"TimeoutSeconds": 3600, "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": INVOKE_WAIT, "Parameters": {"FunctionName": "worker"}, "End": True}}}
    execution = pysfn_emulator.run(definition, {}, lambdas={"worker": lambda event, context: None})
    assert (execution.status, execution.elapsed_seconds) == ("TIMED_OUT", 3600)


def test_a_service_without_handler_or_responder_fails_naming_how_to_register_one():
    execution = pysfn_emulator.run(ask(), {"order": 1})
    assert execution.error == "pysfn.ResourceNotRegistered"
    assert SQS in execution.cause and "callbacks={'Ask': responder}" in execution.cause


def test_the_responder_output_must_be_json():
    execution = pysfn_emulator.run(ask(), {"order": 1}, callbacks={"Ask": lambda token, payload: {1, 2}})
    assert execution.error == "States.Runtime"


def test_send_functions_check_their_token():
    with pytest.raises(TaskTokenError) as raised:
        pysfn_emulator.send_task_success("not a token", 1)
    assert raised.value.code == "InvalidToken"
    with pytest.raises(TaskTokenError) as raised:
        pysfn_emulator.send_task_failure("AQunknown")
    assert raised.value.code == "TaskDoesNotExist"


# -- live executions --------------------------------------------------------------------------------------------


def test_a_live_execution_waits_for_the_test():
    live = pysfn_emulator.start(ask(), {"order": 5})
    assert live.status == "RUNNING" and not live.done
    [pending] = live.pending
    assert (pending.state_name, pending.resource, pending.kind) == ("Ask", SQS, "callback")
    assert pending.payload["MessageBody"] == {"order": 5, "token": pending.token}
    assert live.pending_tokens == [pending.token] == [live.token("Ask")]
    with pytest.raises(ExecutionRunning, match="Ask"):
        live.result()
    live.send_task_success(pending.token, {"shipped": True})
    assert live.done and live.pending == []
    execution = live.result()
    assert (execution.status, execution.output) == ("SUCCEEDED", {"shipped": True})
    assert events(execution)[-3:] == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]


def test_a_live_failure():
    live = pysfn_emulator.start(ask(), {"order": 5})
    live.send_task_failure(live.token("Ask"), "Order.Lost", "it fell off the truck")
    execution = live.result()
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Order.Lost", "it fell off the truck")


def test_advance_moves_virtual_time_and_heartbeats_reset_the_window():
    live = pysfn_emulator.start(ask(HeartbeatSeconds=10), {"order": 5})
    start = live.now
    live.advance(8)
    live.send_task_heartbeat(live.token("Ask"))
    live.advance(8)
    assert not live.done  # 16 s in, but 8 s since the heartbeat
    live.send_task_success(live.token("Ask"), "ok")
    execution = live.result()
    assert execution.output == "ok"
    assert execution.elapsed_seconds == 16
    assert (live.now - start).total_seconds() == 16


def test_advancing_past_the_heartbeat_times_the_task_out_then_the_execution_goes_on():
    definition = ask(HeartbeatSeconds=10, Catch=[{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Escalate"}])
    definition["States"]["Escalate"] = {"Type": "Wait", "Seconds": 100, "Next": "Done"}
    definition["States"]["Done"] = {"Type": "Succeed"}
    live = pysfn_emulator.start(definition, {"order": 5})
    live.advance(60)
    assert live.done  # the heartbeat fired at 10 s; the Wait of 100 s needs no test
    execution = live.result()
    assert execution.path == ["Ask", "Escalate", "Done"]
    assert execution.elapsed_seconds == 110


def test_advancing_past_timeout_seconds():
    live = pysfn_emulator.start(ask(TimeoutSeconds=30), {"order": 5})
    live.advance(29)
    assert not live.done
    live.advance(1)
    execution = live.result()
    assert (execution.error, execution.elapsed_seconds) == ("States.Timeout", 30)


def test_an_answer_after_advancing_comes_at_the_tests_time():
    definition = ask()
    definition["States"]["Ask"]["Next"] = "Later"
    del definition["States"]["Ask"]["End"]
    definition["States"]["Later"] = {"Type": "Wait", "Seconds": 5, "End": True}
    live = pysfn_emulator.start(definition, {"order": 5})
    live.advance(42)
    live.send_task_success(live.token("Ask"), {"x": 1})
    execution = live.result()
    assert execution.elapsed_seconds == 47
    exited = next(e for e in execution.history if e["type"] == "TaskStateExited")
    assert (exited["timestamp"] - execution.start_date).total_seconds() == 42


def test_stop_aborts_the_execution():
    live = pysfn_emulator.start(ask(), {"order": 5})
    token = live.token("Ask")
    live.stop("Cancelled", "by the test")
    execution = live.result()
    assert (execution.status, execution.error, execution.cause) == ("ABORTED", "Cancelled", "by the test")
    assert events(execution)[-1] == "ExecutionAborted"
    with pytest.raises(TaskTokenError) as raised:
        live.send_task_success(token, 1)
    assert raised.value.code == "TaskTimedOut"


def test_leaving_the_with_block_stops_a_waiting_execution():
    with pysfn_emulator.start(ask(), {"order": 5}) as live:
        assert live.pending
    assert live.result().status == "ABORTED"


def test_a_closed_token_is_refused():
    live = pysfn_emulator.start(ask(HeartbeatSeconds=5), {"order": 5})
    token = live.token("Ask")
    live.advance(10)
    with pytest.raises(TaskTokenError) as raised:
        live.send_task_success(token, 1)
    assert raised.value.code == "TaskTimedOut"


def test_output_must_be_json_and_within_the_limit():
    live = pysfn_emulator.start(ask(), {"order": 5})
    token = live.token("Ask")
    with pytest.raises(TaskTokenError) as raised:
        live.send_task_success(token, object())
    assert raised.value.code == "InvalidOutput"
    with pytest.raises(TaskTokenError):
        live.send_task_success(token, "a" * 262_144)
    live.send_task_success(token, None)
    assert live.result().output is None


def test_every_iteration_of_a_map_waits_at_once():
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.orders",
                "ItemProcessor": {"StartAt": "Ask", "States": {"Ask": ask(Parameters={"order.$": "$", "token.$": "$$.Task.Token"})["States"]["Ask"]}},
                "End": True,
            }
        },
    }
    live = pysfn_emulator.start(definition, {"orders": [1, 2, 3]})
    pending = live.pending
    assert sorted(task.payload["order"] for task in pending) == [1, 2, 3]
    for task in reversed(pending):  # answered in any order
        live.send_task_success(task.token, task.payload["order"] * 10)
    assert live.result().output == [10, 20, 30]


def test_parallel_branches_wait_side_by_side_with_their_own_limits():
    branch = {"StartAt": "Ask", "States": {"Ask": ask(HeartbeatSeconds=10)["States"]["Ask"]}}
    slow = {"StartAt": "Ask late", "States": {"Ask late": ask(HeartbeatSeconds=100)["States"]["Ask"]}}
    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "Branches": [branch, slow], "End": True}}}
    live = pysfn_emulator.start(definition, {"order": 1})
    assert sorted(task.state_name for task in live.pending) == ["Ask", "Ask late"]
    live.send_task_success(live.token("Ask late"), "late")
    live.advance(11)
    execution = live.result()
    assert (execution.error, execution.elapsed_seconds) == ("States.HeartbeatTimeout", 10)


def test_a_responder_may_leave_the_token_to_the_test():
    live = pysfn_emulator.start(ask(), {"order": 1}, callbacks={"Ask": lambda token, payload: NO_ANSWER})
    live.send_task_success(live.token("Ask"), "from the test")
    assert live.result().output == "from the test"


def test_a_handler_error_in_the_worker_reaches_the_test():
    def interrupted(event, context):
        raise KeyboardInterrupt

    definition = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f", "End": True}}}
    with pytest.raises(KeyboardInterrupt):
        pysfn_emulator.start(definition, {}, lambdas={"f": interrupted})


def test_a_live_execution_that_needs_nothing_ends_at_once():
    live = pysfn_emulator.start({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}, {})
    assert live.done and live.result().elapsed_seconds == 3600


def test_the_execution_deadline_applies_while_waiting():
    live = pysfn_emulator.start({"TimeoutSeconds": 100, **ask()}, {"order": 1})
    live.advance(500)
    execution = live.result()
    assert (execution.status, execution.elapsed_seconds) == ("TIMED_OUT", 100)


# -- activities ----------------------------------------------------------------------------------------------


def activity(**fields) -> dict:
    return {"StartAt": "Approve", "States": {"Approve": {"Type": "Task", "Resource": ACTIVITY, **fields, "End": True}}}


@pytest.mark.parametrize("key", ["approve", ACTIVITY, "Approve"])
def test_a_registered_worker_answers_an_activity(key):
    def approve(token, input):
        return {"approved": input["amount"] < 100}

    execution = pysfn_emulator.run(activity(), {"amount": 50}, callbacks={key: approve})
    assert execution.output == {"approved": True}
    assert events(execution) == [
        "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted",
        "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded",
    ]
    assert details(execution, "ActivityScheduled")["resource"] == ACTIVITY
    assert details(execution, "ActivityStarted") == {"workerName": "approve"}


def test_an_activity_worker_failure_and_heartbeat_timeout():
    def refuse(token, input):
        raise TaskFailure("Refused", "no")

    execution = pysfn_emulator.run(activity(), {}, callbacks={"approve": refuse})
    assert (execution.error, execution.cause) == ("Refused", "no")
    assert details(execution, "ActivityFailed") == {"error": "Refused", "cause": "no"}

    def silent(token, input):
        time.sleep(30)
        return "too late"

    execution = pysfn_emulator.run(activity(HeartbeatSeconds=20), {}, callbacks={"approve": silent})
    assert execution.error == "States.HeartbeatTimeout"
    assert "ActivityTimedOut" in events(execution)


def test_an_activity_without_a_worker_fails_in_a_plain_run_and_waits_in_a_live_one():
    execution = pysfn_emulator.run(activity(), {})
    assert execution.error == "pysfn.ResourceNotRegistered" and ACTIVITY in execution.cause
    live = pysfn_emulator.start(activity(), {"amount": 1})
    [task] = live.pending
    assert (task.kind, task.payload) == ("activity", {"amount": 1})
    live.send_task_success(task.token, "approved by the test")
    assert live.result().output == "approved by the test"


def test_a_live_execution_runs_on_until_only_a_timeout_could_come_next():
    # Branch A waits for its token (heartbeat 60 s); branch B waits 2 s, then its Lambda sleeps
    # 5 s and answers A's token. Nothing needs the test: the live execution ends by itself.
    sent = {}

    def send(event, context):
        sent["token"] = context.task_token
        return {"MessageId": "m-1"}

    def answer(event, context):
        time.sleep(5)
        pysfn_emulator.send_task_success(sent["token"], {"answered": True})
        return "done"

    asking = {"StartAt": "Ask", "States": {"Ask": ask(HeartbeatSeconds=60)["States"]["Ask"]}}
    answering = {
        "StartAt": "Later",
        "States": {
            "Later": {"Type": "Wait", "Seconds": 2, "Next": "Answer"},
            "Answer": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:answer", "End": True},
        },
    }
    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "Branches": [asking, answering], "End": True}}}
    lambdas = {"arn:aws:states:::sqs:sendMessage": send, "answer": answer}
    for execution in (pysfn_emulator.run(definition, {"order": 1}, lambdas=lambdas),
                      pysfn_emulator.start(definition, {"order": 1}, lambdas=lambdas).result()):
        assert execution.output == [{"answered": True}, "done"]
        assert execution.elapsed_seconds == 7
