"""The Step Functions API through boto3, in-process (mock_aws): what each operation answers,
and AWS's refusals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from sfn_api_helpers import ROLE, START

from pysfn_emulator.sfn_api.wire import handle

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}}
WAIT_DAY = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 86400, "End": True}}}
CALLBACK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
            "HeartbeatSeconds": 600, "ResultPath": "$.answer", "End": True,
        }
    },
}


def create(sfn, definition, name="m", **options):
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE, **options)


def code(raised: pytest.ExceptionInfo) -> str:
    return raised.value.response["Error"]["Code"]


def token_of(sfn, execution_arn):
    events = sfn.get_execution_history(executionArn=execution_arn)["events"]
    scheduled = [e for e in events if e["type"] == "TaskScheduled"][-1]
    return json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Payload"]["token"]


def test_create_start_describe_history(sfn):
    arn = create(sfn, PASS)["stateMachineArn"]
    assert arn == "arn:aws:states:us-east-1:123456789012:stateMachine:m"
    execution = sfn.start_execution(stateMachineArn=arn, name="first", input='{"x": 1}')
    assert execution["executionArn"] == "arn:aws:states:us-east-1:123456789012:execution:m:first"
    assert execution["startDate"] == START
    described = sfn.describe_execution(executionArn=execution["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"ok": 1}
    assert json.loads(described["input"]) == {"x": 1}
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    events = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    for_execution = sfn.describe_state_machine_for_execution(executionArn=execution["executionArn"])
    assert json.loads(for_execution["definition"]) == PASS


def test_a_days_wait_takes_no_time_on_the_virtual_clock(sfn):
    arn = create(sfn, WAIT_DAY)["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    described = sfn.describe_execution(executionArn=execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert described["stopDate"] - described["startDate"] == timedelta(days=1)
    assert json.loads(described["input"]) == {}  # StartExecution's default input


def test_a_task_token_pauses_the_execution_until_answered(sfn, service):
    service.lambdas["ask"] = lambda event, context: None
    arn = create(sfn, CALLBACK)["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=arn, input='{"order": 7}')["executionArn"]
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    assert sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"][0]["executionArn"] == execution_arn
    token = token_of(sfn, execution_arn)
    sfn.send_task_heartbeat(taskToken=token)
    sfn.send_task_success(taskToken=token, output='{"approved": true}')
    described = sfn.describe_execution(executionArn=execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"order": 7, "answer": {"approved": True}}
    with pytest.raises(ClientError) as closed:
        sfn.send_task_success(taskToken=token, output="{}")
    assert code(closed) in ("TaskTimedOut", "TaskDoesNotExist")
    with pytest.raises(ClientError) as invalid:
        sfn.send_task_success(taskToken="not-a-token", output="{}")
    assert code(invalid) == "InvalidToken"


def test_send_task_failure_and_stop(sfn, service):
    service.lambdas["ask"] = lambda event, context: None
    arn = create(sfn, CALLBACK)["stateMachineArn"]
    failing = sfn.start_execution(stateMachineArn=arn, input='{"order": 1}')["executionArn"]
    sfn.send_task_failure(taskToken=token_of(sfn, failing), error="Rejected", cause="no stock")
    described = sfn.describe_execution(executionArn=failing)
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Rejected", "no stock")
    assert described["redriveStatus"] == "REDRIVABLE"
    stopped = sfn.start_execution(stateMachineArn=arn, input='{"order": 2}')["executionArn"]
    sfn.stop_execution(executionArn=stopped, error="Cancelled", cause="by the test")
    described = sfn.describe_execution(executionArn=stopped)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Cancelled", "by the test")
    assert sfn.get_execution_history(executionArn=stopped, reverseOrder=True)["events"][0]["type"] == "ExecutionAborted"


def test_activities(sfn):
    activity = sfn.create_activity(name="approve")["activityArn"]
    assert activity == "arn:aws:states:us-east-1:123456789012:activity:approve"
    definition = {"StartAt": "Approve", "States": {"Approve": {"Type": "Task", "Resource": activity, "End": True}}}
    arn = create(sfn, definition)["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=arn, input='{"amount": 5}')["executionArn"]
    task = sfn.get_activity_task(activityArn=activity, workerName="w1")
    assert json.loads(task["input"]) == {"amount": 5}
    sfn.send_task_success(taskToken=task["taskToken"], output='{"approved": true}')
    assert json.loads(sfn.describe_execution(executionArn=execution_arn)["output"]) == {"approved": True}
    assert [a["name"] for a in sfn.list_activities()["activities"]] == ["approve"]
    sfn.delete_activity(activityArn=activity)
    with pytest.raises(ClientError) as gone:
        sfn.describe_activity(activityArn=activity)
    assert code(gone) == "ActivityDoesNotExist"


def test_refusals_with_aws_codes_and_messages(sfn):
    with pytest.raises(ClientError) as invalid:
        create(sfn, {"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": True}}})
    assert code(invalid) == "InvalidDefinition"
    assert invalid.value.response["Error"]["Message"].startswith("Invalid State Machine Definition: '")
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:missing"
    with pytest.raises(ClientError) as absent:
        sfn.start_execution(stateMachineArn=missing)
    assert code(absent) == "StateMachineDoesNotExist"
    assert absent.value.response["Error"]["Message"] == f"State Machine Does Not Exist: '{missing}'"
    arn = create(sfn, PASS)["stateMachineArn"]
    sfn.start_execution(stateMachineArn=arn, name="once")
    with pytest.raises(ClientError) as again:
        sfn.start_execution(stateMachineArn=arn, name="once")
    assert code(again) == "ExecutionAlreadyExists"
    with pytest.raises(ClientError) as not_json:
        sfn.start_execution(stateMachineArn=arn, input="{nope")
    assert code(not_json) == "InvalidExecutionInput"
    with pytest.raises(ClientError) as bad_name:
        sfn.start_execution(stateMachineArn=arn, name="has space")
    assert code(bad_name) == "InvalidName"
    with pytest.raises(ClientError) as wrong_kind:
        sfn.describe_execution(executionArn=arn)
    assert code(wrong_kind) == "InvalidArn"
    with pytest.raises(ClientError) as standard:
        sfn.start_sync_execution(stateMachineArn=arn)
    assert code(standard) == "StateMachineTypeNotSupported"
    with pytest.raises(ParamValidationError):  # boto3 checks the model before sending, as the service does
        sfn.start_execution(stateMachineArn="")


def test_the_service_checks_requests_against_botocores_model(service):
    answer = handle(service.call, "AWSStepFunctions.CreateStateMachine",
                    json.dumps({"name": "x" * 81, "definition": "{}", "type": "SOMETIMES"}).encode())
    body = json.loads(answer.body)
    assert answer.status == 400
    assert body["__type"].endswith("#ValidationException")
    assert body["message"].startswith("3 validation errors detected: ")
    assert "Value null at 'roleArn' failed to satisfy constraint: Member must not be null" in body["message"]
    assert "Member must have length less than or equal to 80" in body["message"]
    assert "Member must satisfy enum value set: [STANDARD, EXPRESS]" in body["message"]
    unknown = handle(service.call, "AWSStepFunctions.Fly", b"{}")
    assert json.loads(unknown.body)["__type"].endswith("#UnknownOperationException")


def test_pagination_of_lists_and_history(sfn):
    arns = [create(sfn, WAIT_DAY, name=f"m{i}")["stateMachineArn"] for i in range(5)]
    first = sfn.list_state_machines(maxResults=2)
    second = sfn.list_state_machines(maxResults=2, nextToken=first["nextToken"])
    third = sfn.list_state_machines(maxResults=2, nextToken=second["nextToken"])
    listed = [m["stateMachineArn"] for page in (first, second, third) for m in page["stateMachines"]]
    assert listed == sorted(arns) and "nextToken" not in third
    for number in range(3):
        sfn.start_execution(stateMachineArn=arns[0], name=f"e{number}")
    executions = sfn.list_executions(stateMachineArn=arns[0], maxResults=2)
    assert [e["name"] for e in executions["executions"]] == ["e2", "e1"]  # the newest first
    rest = sfn.list_executions(stateMachineArn=arns[0], maxResults=2, nextToken=executions["nextToken"])
    assert [e["name"] for e in rest["executions"]] == ["e0"]
    execution_arn = executions["executions"][0]["executionArn"]
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn, PaginationConfig={"PageSize": 1})
    assert [e["id"] for page in pages for e in page["events"]] == [1, 2, 3, 4]
    reverse = sfn.get_execution_history(executionArn=execution_arn, reverseOrder=True, includeExecutionData=False)
    assert [e["id"] for e in reverse["events"]] == [4, 3, 2, 1]
    assert "input" not in reverse["events"][-1]["executionStartedEventDetails"]
    with pytest.raises(ClientError) as bad_token:
        sfn.list_state_machines(nextToken="garbage")
    assert code(bad_token) == "InvalidToken"


def test_express_machines_run_synchronously(sfn):
    arn = create(sfn, PASS, name="fast", type="EXPRESS")["stateMachineArn"]
    answer = sfn.start_sync_execution(stateMachineArn=arn, input='{"x": 1}')
    assert answer["status"] == "SUCCEEDED" and json.loads(answer["output"]) == {"ok": 1}
    assert answer["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:express:fast:")
    assert answer["billingDetails"] == {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100}
    with pytest.raises(ClientError) as listed:
        sfn.list_executions(stateMachineArn=arn)
    assert code(listed) == "StateMachineTypeNotSupported"
    started = sfn.start_execution(stateMachineArn=arn)  # asynchronously: nothing to describe after
    assert started["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:express:fast:")
    with pytest.raises(ClientError) as express:
        sfn.describe_execution(executionArn=started["executionArn"])
    assert code(express) == "InvalidArn"


def test_update_versions_and_aliases(sfn):
    created = create(sfn, PASS, publish=True, versionDescription="v1")
    arn, version_1 = created["stateMachineArn"], created["stateMachineVersionArn"]
    assert version_1 == f"{arn}:1"
    changed = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": 2}, "End": True}}}
    update = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(changed), publish=True)
    version_2 = update["stateMachineVersionArn"]
    assert version_2 == f"{arn}:2"
    assert [v["stateMachineVersionArn"] for v in sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]] == [version_2, version_1]
    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[{"stateMachineVersionArn": version_1, "weight": 100}])["stateMachineAliasArn"]
    assert alias == f"{arn}:live"
    through_alias = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    described = sfn.describe_execution(executionArn=through_alias)
    assert json.loads(described["output"]) == {"ok": 1}
    assert (described["stateMachineAliasArn"], described["stateMachineVersionArn"]) == (alias, version_1)
    assert json.loads(sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=arn)["executionArn"])["output"]) == {"ok": 2}
    assert json.loads(sfn.describe_state_machine(stateMachineArn=version_1)["definition"]) == PASS
    with pytest.raises(ClientError) as referenced:
        sfn.delete_state_machine_version(stateMachineVersionArn=version_1)
    assert code(referenced) == "ConflictException"
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=version_1)
    sfn.delete_state_machine(stateMachineArn=arn)
    assert sfn.list_state_machines()["stateMachines"] == []


def test_tags(sfn):
    arn = create(sfn, PASS, tags=[{"key": "team", "value": "a"}])["stateMachineArn"]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "test"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "test"}]


def test_validate_state_machine_definition(sfn):
    assert sfn.validate_state_machine_definition(definition=json.dumps(PASS))["result"] == "OK"
    answer = sfn.validate_state_machine_definition(
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}))
    assert answer["result"] == "FAIL"
    assert {"severity": "ERROR", "code": "MISSING_TRANSITION_TARGET"}.items() <= answer["diagnostics"][0].items()
    assert answer["diagnostics"][0]["location"] == "/States/A/Next"


def test_lambda_behind_a_task_and_an_unknown_function(sfn, service):
    service.lambdas["double"] = lambda event, context: event["n"] * 2
    definition = {"StartAt": "D", "States": {"D": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                   "Parameters": {"FunctionName": "double", "Payload.$": "$"},
                                                   "ResultSelector": {"v.$": "$.Payload"}, "End": True}}}
    arn = create(sfn, definition)["stateMachineArn"]
    done = sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=arn, input='{"n": 21}')["executionArn"])
    assert json.loads(done["output"]) == {"v": 42}
    definition["States"]["D"]["Parameters"]["FunctionName"] = "nobody"
    arn = create(sfn, definition, name="unknown")["stateMachineArn"]
    failed = sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"])
    assert failed["error"] == "Lambda.ResourceNotFoundException"
    assert failed["cause"].startswith("Function not found: arn:aws:lambda:us-east-1:123456789012:function:nobody")


def test_test_state(sfn):
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f", "Payload.$": "$"},
             "ResultSelector": {"v.$": "$.Payload"}, "Next": "After",
             "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 2}],
             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}]}
    mocked = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input='{"a": 1}',
                            mock={"result": '{"Payload": 5}'}, inspectionLevel="DEBUG")
    assert (mocked["status"], mocked["nextState"], json.loads(mocked["output"])) == ("SUCCEEDED", "After", {"v": 5})
    assert json.loads(mocked["inspectionData"]["input"]) == {"a": 1}
    retriable = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, mock={"errorOutput": {"error": "Boom", "cause": "c"}})
    assert (retriable["status"], retriable["error"]) == ("RETRIABLE", "Boom")
    spent = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, mock={"errorOutput": {"error": "Boom", "cause": "c"}},
                           stateConfiguration={"retrierRetryCount": 2})
    assert (spent["status"], spent["nextState"]) == ("CAUGHT_ERROR", "Handle")
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}], "Default": "Small"}
    assert sfn.test_state(definition=json.dumps(choice), roleArn=ROLE, input='{"n": 5}')["nextState"] == "Big"
    jsonata = {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $x + 1 %}", "End": True}
    answer = sfn.test_state(definition=json.dumps(jsonata), roleArn=ROLE, variables='{"x": 41}')
    assert (answer["status"], json.loads(answer["output"])) == ("SUCCEEDED", 42)
    assert "nextState" not in answer


def test_a_nested_execution_is_an_execution_of_its_own(sfn):
    child_arn = create(sfn, PASS, name="child")["stateMachineArn"]
    parent = {"StartAt": "Run", "States": {"Run": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": child_arn, "Input": {"from": "parent"}}, "OutputPath": "$.Output", "End": True}}}
    parent_arn = create(sfn, parent, name="parent")["stateMachineArn"]
    done = sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=parent_arn)["executionArn"])
    assert (done["status"], json.loads(done["output"])) == ("SUCCEEDED", {"ok": 1})
    [child] = sfn.list_executions(stateMachineArn=child_arn)["executions"]
    described = sfn.describe_execution(executionArn=child["executionArn"])
    assert (described["status"], json.loads(described["input"])) == ("SUCCEEDED", {"from": "parent"})


def test_get_activity_task_answers_with_none_after_its_poll(sfn, service):
    service.activity_poll_seconds = 0
    activity = sfn.create_activity(name="idle")["activityArn"]
    answer = sfn.get_activity_task(activityArn=activity)
    assert "taskToken" not in answer


def test_test_state_inspection_data_at_each_stage(sfn):
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "InputPath": "$.order",
             "Parameters": {"FunctionName": "price", "Payload": {"id.$": "$.id", "limit.$": "$limit"}},
             "ResultSelector": {"total.$": "$.Payload.total"}, "ResultPath": "$.priced", "OutputPath": "$.priced",
             "End": True}
    answer = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, inspectionLevel="DEBUG",
                            input='{"order": {"id": 7}, "other": 1}', variables='{"limit": 10}',
                            mock={"result": '{"Payload": {"total": 42}, "StatusCode": 200}'})
    data = {key: json.loads(value) for key, value in answer["inspectionData"].items()}
    assert data["input"] == {"order": {"id": 7}, "other": 1}
    assert data["afterInputPath"] == {"id": 7}
    assert data["afterParameters"] == {"FunctionName": "price", "Payload": {"id": 7, "limit": 10}}
    assert data["result"] == {"Payload": {"total": 42}, "StatusCode": 200}
    assert data["afterResultSelector"] == {"total": 42}
    assert data["afterResultPath"] == {"order": {"id": 7}, "other": 1, "priced": {"total": 42}}
    assert data["variables"] == {"limit": 10}
    assert json.loads(answer["output"]) == {"total": 42}
    info = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input='{"order": {"id": 7}}', variables='{"limit": 1}',
                          mock={"result": '{"Payload": {"total": 1}}'})
    assert "inspectionData" not in info
