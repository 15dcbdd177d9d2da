"""Nested executions through arn:aws:states:::states:startExecution (plain, .sync, .sync:2,
.waitForTaskToken): registered local state machines run as child executions with AWS's result
shapes."""

from __future__ import annotations

import json

import pytest

import pysfn_emulator

ACCOUNT_ARN = "arn:aws:states:us-east-1:111111111111"
CHILD_ARN = f"{ACCOUNT_ARN}:stateMachine:Child"
START = "arn:aws:states:::states:startExecution"

CHILD = {
    "StartAt": "Think",
    "States": {
        "Think": {"Type": "Wait", "Seconds": 10, "Next": "Answer"},
        "Answer": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": True},
    },
}
FAILING = {"StartAt": "Fail", "States": {"Fail": {"Type": "Fail", "Error": "Child.Failed", "Cause": "on purpose"}}}


def parent(pattern: str = "", parameters: dict | None = None, **fields) -> dict:
    spec = {
        "Type": "Task",
        "Resource": START + pattern,
        "Parameters": parameters if parameters is not None else {"StateMachineArn": CHILD_ARN, "Input": {"n.$": "$.n"}},
        **fields,
    }
    spec.setdefault("End", True)
    return {"StartAt": "Start child", "States": {"Start child": spec}}


def run(definition, input=None, **kwargs):
    kwargs.setdefault("state_machines", {"Child": CHILD})
    return pysfn_emulator.run(definition, input if input is not None else {"n": 4}, **kwargs)


def ms(moment) -> int:
    return round(moment.timestamp() * 1000)


def test_request_response_returns_the_start_response_and_does_not_wait():
    execution = run(parent())
    assert execution.status == "SUCCEEDED"
    assert execution.elapsed_seconds == 0
    [child] = execution.children
    assert (child.status, child.output, child.elapsed_seconds) == ("SUCCEEDED", {"doubled": 8}, 10)
    output = execution.output
    assert list(output) == ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"]
    assert output["ExecutionArn"] == child.execution_arn
    assert output["ExecutionArn"].startswith(f"{ACCOUNT_ARN}:execution:Child:")
    assert output["StartDate"] == ms(child.start_date)
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert output["SdkResponseMetadata"]["RequestId"] == output["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"]
    kinds = [e["type"] for e in execution.history]
    assert "TaskSubmitted" not in kinds


def test_sync_returns_describe_execution_with_json_text_and_waits_for_the_child():
    execution = run(parent(".sync"))
    [child] = execution.children
    assert execution.elapsed_seconds == 10
    output = execution.output
    assert list(output) == sorted(output)
    assert output == {
        "ExecutionArn": child.execution_arn,
        "Input": '{"n":4}',
        "InputDetails": {"Included": True},
        "Name": child.name,
        "Output": '{"doubled":8}',
        "OutputDetails": {"Included": True},
        "RedriveCount": 0,
        "RedriveStatus": "NOT_REDRIVABLE",
        "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
        "StartDate": ms(child.start_date),
        "StateMachineArn": CHILD_ARN,
        "Status": "SUCCEEDED",
        "StopDate": ms(child.stop_date),
    }
    kinds = [e["type"] for e in execution.history]
    assert kinds[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    submitted = next(e for e in execution.history if e["type"] == "TaskSubmitted")["taskSubmittedEventDetails"]
    assert (submitted["resourceType"], submitted["resource"]) == ("states", "startExecution.sync")
    assert json.loads(submitted["output"])["ExecutionArn"] == child.execution_arn


def test_sync_2_returns_input_and_output_as_json_values():
    output = run(parent(".sync:2", OutputPath="$.Output")).output
    assert output == {"doubled": 8}
    full = run(parent(".sync:2")).output
    assert full["Input"] == {"n": 4}
    assert (full["Status"], full["StopDate"] - full["StartDate"]) == ("SUCCEEDED", 10_000)


def test_a_failed_child_fails_the_task_with_its_description():
    execution = run(parent(".sync:2"), state_machines={"Child": FAILING})
    assert execution.error == "States.TaskFailed"
    described = json.loads(execution.cause)
    assert (described["Status"], described["Error"], described["Cause"]) == ("FAILED", "Child.Failed", "on purpose")
    assert described["RedriveStatus"] == "REDRIVABLE"
    assert "Output" not in described
    assert list(described) == sorted(described)
    assert execution.children[0].status == "FAILED"


def test_a_failed_child_is_caught_as_a_task_failure():
    definition = parent(".sync", Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled", "ResultPath": "$.error"}])
    definition["States"]["Handled"] = {"Type": "Pass", "End": True}
    execution = run(definition, state_machines={"Child": FAILING})
    assert execution.path == ["Start child", "Handled"]
    assert json.loads(execution.output["error"]["Cause"])["Error"] == "Child.Failed"


def test_a_failed_child_does_not_fail_a_request_response_task():
    execution = run(parent(), state_machines={"Child": FAILING})
    assert execution.status == "SUCCEEDED"
    assert execution.children[0].status == "FAILED"


def test_the_tasks_timeout_applies_to_the_child():
    execution = run(parent(".sync", TimeoutSeconds=5))
    assert (execution.error, execution.elapsed_seconds) == ("States.Timeout", 5)


def test_an_unregistered_state_machine_is_aws_s_error_with_a_hint():
    execution = run(parent(".sync"), state_machines={})
    assert execution.error == "StepFunctions.StateMachineDoesNotExistException"
    assert execution.cause.startswith(f"State Machine Does Not Exist: '{CHILD_ARN}' (Service: AWSStepFunctions; Status Code: 400;")
    assert "state_machines={'Child': definition}" in execution.cause


@pytest.mark.parametrize("key", ["Child", CHILD_ARN])
def test_a_machine_registers_by_name_or_arn(key):
    assert run(parent(".sync:2"), state_machines={key: CHILD}).output["Output"] == {"doubled": 8}


def test_a_version_or_alias_arn_starts_the_registered_machine():
    parameters = {"StateMachineArn": f"{CHILD_ARN}:live", "Input": {"n": 1}}
    assert run(parent(".sync:2", parameters)).output["Output"] == {"doubled": 2}


def test_the_name_parameter_names_the_child_and_must_be_unique():
    parameters = {"StateMachineArn": CHILD_ARN, "Input": {"n": 1}, "Name": "child-1"}
    execution = run(parent(".sync:2", parameters))
    assert execution.output["Name"] == "child-1"
    assert execution.output["ExecutionArn"] == f"{ACCOUNT_ARN}:execution:Child:child-1"
    twice = {
        "StartAt": "One",
        "States": {
            "One": {"Type": "Task", "Resource": START, "Parameters": parameters, "Next": "Two"},
            "Two": {"Type": "Task", "Resource": START, "Parameters": parameters, "End": True},
        },
    }
    execution = run(twice)
    assert execution.error == "StepFunctions.ExecutionAlreadyExistsException"


def test_input_as_json_text_is_parsed_and_none_is_an_empty_object():
    parameters = {"StateMachineArn": CHILD_ARN, "Input.$": "States.JsonToString($)"}
    assert run(parent(".sync:2", parameters)).output["Input"] == {"n": 4}
    echo = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    execution = run(parent(".sync:2", {"StateMachineArn": CHILD_ARN}), state_machines={"Child": echo})
    assert execution.output["Output"] == {}
    execution = run(parent(".sync:2", {"StateMachineArn": CHILD_ARN, "Input": "not json"}), state_machines={"Child": echo})
    assert execution.error == "StepFunctions.InvalidExecutionInputException"


def test_the_child_sees_its_own_context():
    context = {"StartAt": "Who", "States": {"Who": {"Type": "Pass", "Parameters": {"name.$": "$$.StateMachine.Name", "execution.$": "$$.Execution.Id"}, "End": True}}}
    execution = run(parent(".sync:2"), state_machines={"Child": context})
    assert execution.output["Output"]["name"] == "Child"
    assert execution.output["Output"]["execution"] == execution.children[0].execution_arn


def test_the_child_calls_the_parents_lambdas():
    child = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:triple", "End": True}}}
    execution = run(parent(".sync:2"), state_machines={"Child": child}, lambdas={"triple": lambda event, context: event["n"] * 3})
    assert execution.output["Output"] == 12


def test_wait_for_task_token_is_answered_from_inside_the_child():
    child = {
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Wait", "Seconds": 7, "Next": "Report"},
            "Report": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:111111111111:function:report",
                "Parameters": {"token.$": "$.token", "n.$": "$.n"},
                "End": True,
            },
        },
    }

    def report(event, context):
        pysfn_emulator.send_task_success(event["token"], {"reported": event["n"]})
        return "sent"

    parameters = {"StateMachineArn": CHILD_ARN, "Input": {"n.$": "$.n", "token.$": "$$.Task.Token"}}
    execution = run(parent(".waitForTaskToken", parameters), state_machines={"Child": child}, lambdas={"report": report})
    assert execution.output == {"reported": 4}
    assert execution.elapsed_seconds == 7  # the answer came when the child sent it


def test_wait_for_task_token_unanswered_by_the_child_waits_for_the_test():
    parameters = {"StateMachineArn": CHILD_ARN, "Input": {"n": 1, "token.$": "$$.Task.Token"}}
    live = pysfn_emulator.start(parent(".waitForTaskToken", parameters), {}, state_machines={"Child": CHILD})
    [task] = live.pending
    assert task.state_name == "Start child"
    live.send_task_success(task.token, "answered by the test")
    assert live.result().output == "answered by the test"


def test_a_childs_pending_task_shows_in_the_live_parent():
    child = {
        "StartAt": "Ask",
        "States": {"Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "Parameters": {"t.$": "$$.Task.Token"}, "End": True}},
    }
    live = pysfn_emulator.start(parent(".sync:2"), {"n": 1}, state_machines={"Child": child})
    [task] = live.pending
    assert task.execution_arn.startswith(f"{ACCOUNT_ARN}:execution:Child:")
    live.advance(3)
    live.send_task_success(task.token, {"approved": True})
    execution = live.result()
    assert execution.output["Output"] == {"approved": True}
    assert execution.elapsed_seconds == 3


def test_an_invalid_child_definition_is_refused_before_running():
    with pytest.raises(pysfn_emulator.DefinitionError, match="state_machines\\['Child'\\]"):
        run(parent(), state_machines={"Child": {"StartAt": "Missing", "States": {}}})
