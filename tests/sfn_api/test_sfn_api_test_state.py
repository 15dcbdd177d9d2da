"""TestState through boto3: mocks and their field validation, stateConfiguration, the Map
fields of inspectionData, HTTP Tasks at TRACE, the context object. Where a case was recorded
against AWS (the expected messages and outcomes below), the assertion is AWS's answer."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from sfn_api_helpers import ROLE

PUT_EVENTS = {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
              "Parameters": {"Entries.$": "$.Entries"}, "End": True}
START_EXECUTION = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                   "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:T"},
                   "ResultPath": "$.targetExecutionResult", "End": True}
INVOKE = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": True}
VALUES = json.dumps({"Values": ["first", "second", "third"]})
PROCESSOR = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "TestState",
             "States": {"TestState": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                      "Arguments": {"FunctionName": "foo", "Payload": "bar"}, "End": True}}}
BASE_MAP = {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.Values %}",
            "ItemProcessor": PROCESSOR, "Output": "{% $states.result %}", "End": True}
CATCH_MAP = {**BASE_MAP, "ToleratedFailureCount": 1, "Catch": [
    {"ErrorEquals": ["MockException"], "Output": "{% $states.errorOutput %}", "Next": "HandleMockError"},
    {"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Output": "{% $states.errorOutput %}",
     "Next": "HandleThreshold"}]}
RETRY_MAP = {**BASE_MAP, "ToleratedFailureCount": 1, "Retry": [
    {"ErrorEquals": ["MockException"], "MaxAttempts": 3},
    {"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "MaxAttempts": 2}]}
PARALLEL = {"Type": "Parallel", "InputPath": "$.parallelInput", "ResultPath": "$.parallelResult", "End": True,
            "Branches": [{"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
                         {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "End": True}}}]}


def refusal(sfn, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        sfn.test_state(roleArn=ROLE, **params)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def mocked(sfn, state: dict, result, mode: str | None = None, **params) -> dict:
    mock = {"result": json.dumps(result)}
    if mode is not None:
        mock["fieldValidationMode"] = mode
    return sfn.test_state(definition=json.dumps(state), roleArn=ROLE, mock=mock, **params)


def schema_error(what: str) -> tuple[str, str]:
    return "ValidationException", f"Mock result schema validation error: {what}"


# -- mock.fieldValidationMode ------------------------------------------------------------------


@pytest.mark.parametrize(("state", "result", "message"), [
    (PUT_EVENTS, {"Entries": "not a list"}, "Field 'Entries' must be an array"),
    (PUT_EVENTS, {"Entries": [{"EventId": ["a list"]}]}, "Field 'EventId' must be a string"),
    (PUT_EVENTS, {"Entries": [{"EventId": "ok"}, {"EventId": ["a list"]}]}, "Field 'EventId' must be a string"),
    (START_EXECUTION, {}, "Required field 'ExecutionArn' is missing"),
    (START_EXECUTION, {"executionArn": "a", "startDate": "b"}, "Required field 'ExecutionArn' is missing"),
    (START_EXECUTION, {"ExecutionArn": "a", "StartDate": True}, "Field 'StartDate' must be a string"),
    (START_EXECUTION, {"ExecutionArn": "a", "StartDate": 1764103483}, "Field 'StartDate' must be a string"),
    (INVOKE, {"StatusCode": "200"}, "Field 'StatusCode' must be a number"),
    ({"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "End": True,
      "Parameters": {"TableName": "t", "Item": {"id": {"S": "1"}}}},
     {"ConsumedCapacity": {"CapacityUnits": "123.45"}}, "Field 'CapacityUnits' must be a number"),
    ({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "End": True,
      "Parameters": {"Bucket": "b", "Key": "k"}}, {"ContentLength": "9000"}, "Field 'ContentLength' must be a number"),
    ({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "End": True,
      "Parameters": {"Bucket": "b", "Key": "k"}}, {"StorageClass": "Papyrus"}, "Field 'StorageClass' is not an expected value"),
    ({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kms:encrypt", "End": True,
      "Parameters": {"KeyId": "k", "Plaintext": "p"}}, {"CiphertextBlob": 123}, "Field 'CiphertextBlob' must be a string"),
    ({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kms:encrypt", "End": True,
      "Parameters": {"KeyId": "k", "Plaintext": "p"}}, {"CiphertextBlob": ""},
     "Field 'CiphertextBlob' is smaller than the minimum length"),
    ({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:lambda:getFunction", "End": True,
      "Parameters": {"FunctionName": "f"}}, {"Configuration": {"MemorySize": 127}},
     "Field 'MemorySize' is less than the minimum value"),
])
def test_strict_validation_refuses_what_aws_refuses(sfn, state, result, message):
    assert refusal(sfn, definition=json.dumps(state), input='{"Entries": []}',
                   mock={"result": json.dumps(result)}) == schema_error(message)


def test_fields_the_api_does_not_define_pass_in_every_mode(sfn):
    for mode in (None, "STRICT", "PRESENT", "NONE"):
        for result in ({"random": "json"}, {}):
            answer = mocked(sfn, PUT_EVENTS, result, mode, input='{"Entries": []}')
            assert (answer["status"], json.loads(answer["output"])) == ("SUCCEEDED", result)


def test_present_checks_types_but_not_required_fields(sfn):
    answer = mocked(sfn, START_EXECUTION, {}, "PRESENT")
    assert json.loads(answer["output"]) == {"targetExecutionResult": {}}
    lowercase = mocked(sfn, START_EXECUTION, {"executionArn": "a", "startDate": "b"}, "PRESENT")
    assert json.loads(lowercase["output"])["targetExecutionResult"] == {"executionArn": "a", "startDate": "b"}
    assert refusal(sfn, definition=json.dumps(START_EXECUTION),
                   mock={"result": '{"ExecutionArn": 7}', "fieldValidationMode": "PRESENT"}) == \
        schema_error("Field 'ExecutionArn' must be a string")


def test_none_checks_nothing(sfn):
    answer = mocked(sfn, START_EXECUTION, {"ExecutionArn": "a", "StartDate": True}, "NONE")
    assert json.loads(answer["output"])["targetExecutionResult"] == {"ExecutionArn": "a", "StartDate": True}


def test_free_form_results_are_not_checked(sfn):
    payload = mocked(sfn, INVOKE, {"StatusCode": 200, "Payload": ["any", {"json": 1}]})
    assert json.loads(payload["output"])["Payload"] == ["any", {"json": 1}]
    function = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}
    assert json.loads(mocked(sfn, function, {"StatusCode": "anything"})["output"]) == {"StatusCode": "anything"}
    token = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True,
             "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}}}
    assert json.loads(mocked(sfn, token, {"MessageId": 7})["output"]) == {"MessageId": 7}
    for resource in ("arn:aws:states:::eks:call", "arn:aws:states:::aws-sdk:nosuchservice:doThing",
                     "arn:aws:states:::aws-sdk:s3:noSuchAction"):  # no model: nothing to check
        other = {"Type": "Task", "Resource": resource, "Parameters": {}, "End": True}
        assert json.loads(mocked(sfn, other, {"Anything": [1]})["output"]) == {"Anything": [1]}


# -- what a mock may be ------------------------------------------------------------------------


def test_mock_refusals(sfn):
    lam = json.dumps(INVOKE)
    assert refusal(sfn, definition=lam, mock={"result": "{}", "errorOutput": {"error": "E", "cause": "C"}}) == (
        "ValidationException", "A test mock should have only one of the following fields: [result, errorOutput].")
    assert refusal(sfn, definition=lam, mock={"result": "{}"}, revealSecrets=True) == (
        "ValidationException", "TestState does not support RevealSecrets when a mock is specified.")
    assert refusal(sfn, definition=lam, mock={"result": "not JSON"}) == (
        "ValidationException", "Mocked result must be valid JSON")
    for kind in ("Pass", "Fail", "Succeed"):
        state = {"Type": kind, "End": True} if kind == "Pass" else {"Type": kind}
        for mock in ({"result": "{}"}, {"errorOutput": {"error": "E", "cause": "C"}}):
            assert refusal(sfn, definition=json.dumps(state), mock=mock) == (
                "ValidationException", f"State type '{kind}' is not supported when a mock is specified")


def test_map_and_parallel_need_a_mock_of_their_result_form(sfn):
    unsupported = ("InvalidDefinition", "TestState API does not support Map or Parallel states. Supported state "
                                        "types include: [Task, Wait, Pass, Succeed, Fail, Choice]")
    assert refusal(sfn, definition=json.dumps(BASE_MAP)) == unsupported
    assert refusal(sfn, definition=json.dumps(PARALLEL)) == unsupported
    assert refusal(sfn, definition=json.dumps(BASE_MAP), mock={"result": '{"not": "an array"}'}) == (
        "ValidationException", "Mocked result must be an array.")
    writer = {**BASE_MAP, "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                                           "Arguments": {"Bucket": "b", "Prefix": "p"}}}
    assert refusal(sfn, definition=json.dumps(writer), mock={"result": '["an array"]'}) == (
        "ValidationException", "Mocked result must be a JSON object.")
    assert refusal(sfn, definition=json.dumps(PARALLEL), mock={"result": '{"not": "an array"}'}) == (
        "ValidationException", "Mocked result must be an array.")
    assert refusal(sfn, definition=json.dumps(PARALLEL), mock={"result": '[{"branch1": "result"}]'}) == (
        "ValidationException", "Mocked result must contain the same number of items as number of Parallel branches.")


# -- stateConfiguration ------------------------------------------------------------------------


def test_map_iteration_failure_count_against_the_tolerated_failures(sfn):
    def run(state, result, failures, level="INFO"):
        return sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input=VALUES, inspectionLevel=level,
                              mock={"result": json.dumps(result)},
                              stateConfiguration={"mapIterationFailureCount": failures})

    # recorded: a Map that declares no tolerance is not failed by the count
    assert json.loads(run(BASE_MAP, [0, 0, 1], 2)["output"]) == [0, 0, 1]
    below = run(CATCH_MAP, [1, 1, 1], 0, "DEBUG")
    assert (below["status"], json.loads(below["output"])) == ("SUCCEEDED", [1, 1, 1])
    assert below["inspectionData"] == {"input": VALUES.replace(" ", ""), "maxConcurrency": 0,
                                       "toleratedFailureCount": 1}
    caught = run(CATCH_MAP, [0, 0, 1], 2, "DEBUG")
    assert (caught["status"], caught["nextState"], caught["error"], caught["cause"]) == (
        "CAUGHT_ERROR", "HandleThreshold", "States.ExceedToleratedFailureThreshold",
        "The specified tolerated failure threshold was exceeded")
    assert caught["inspectionData"]["errorDetails"] == {"catchIndex": 1}
    retriable = run(RETRY_MAP, [0, 0, 1], 2, "TRACE")
    assert (retriable["status"], retriable["error"]) == ("RETRIABLE", "States.ExceedToleratedFailureThreshold")
    assert retriable["inspectionData"]["errorDetails"] == {"retryBackoffIntervalSeconds": 1, "retryIndex": 1}
    percentage = {**BASE_MAP, "ToleratedFailurePercentage": 50}
    assert run(percentage, [1, 1, 1], 1)["status"] == "SUCCEEDED"
    assert run(percentage, [1, 1, 1], 2)["error"] == "States.ExceedToleratedFailureThreshold"


def test_map_iteration_failure_count_refusals(sfn):
    assert refusal(sfn, definition=json.dumps(BASE_MAP), input=VALUES,
                   stateConfiguration={"mapIterationFailureCount": 0}) == (
        "InvalidDefinition", "TestState API does not support Map or Parallel states. Supported state types include: "
                             "[Task, Wait, Pass, Succeed, Fail, Choice]")
    assert refusal(sfn, definition=json.dumps(INVOKE), stateConfiguration={"mapIterationFailureCount": 0}) == (
        "ValidationException", "TestState does not support MapIterationFailureCount when a mock is not specified.")
    assert refusal(sfn, definition=json.dumps(BASE_MAP), input=VALUES, mock={"result": "[1, 1, 1]"},
                   stateConfiguration={"mapIterationFailureCount": 4}) == (
        "ValidationException", "Map iteration failure count must be less than or equal to the number of Map iterations")


def test_error_caused_by_state_fails_the_map_with_the_mocked_error(sfn):
    machine = {"StartAt": "State0", "States": {"State0": {
        "Type": "Map", "ItemsPath": "$.Values", "ToleratedFailureCount": 2, "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": True}}}}}}
    for failures in (0, 2):
        answer = sfn.test_state(definition=json.dumps(machine), stateName="State0", roleArn=ROLE, input=VALUES,
                                inspectionLevel="DEBUG",
                                stateConfiguration={"mapIterationFailureCount": failures, "errorCausedByState": "HandleItem"},
                                mock={"errorOutput": {"error": "MockException", "cause": "Mock the error cause."}})
        assert (answer["status"], answer["error"], answer["cause"]) == ("FAILED", "MockException", "Mock the error cause.")
        assert {key: json.loads(value) if isinstance(value, str) else value
                for key, value in answer["inspectionData"].items()} == {
            "input": {"Values": ["first", "second", "third"]}, "afterInputPath": {"Values": ["first", "second", "third"]},
            "afterItemsPath": ["first", "second", "third"], "maxConcurrency": 0, "toleratedFailureCount": 2}
    assert refusal(sfn, definition=json.dumps(machine), stateName="State0", input=VALUES,
                   stateConfiguration={"errorCausedByState": "Elsewhere"},
                   mock={"errorOutput": {"error": "E", "cause": "C"}})[0] == "ValidationException"


def test_error_details_name_the_catcher_and_a_spent_retrier(sfn):
    state = {**INVOKE, "Retry": [{"ErrorEquals": ["MockException"], "IntervalSeconds": 1, "MaxAttempts": 5,
                                  "BackoffRate": 2.0}]}
    error = {"errorOutput": {"error": "MockException", "cause": "Mock the cause of the error."}}
    waiting = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, mock=error, inspectionLevel="DEBUG",
                             stateConfiguration={"retrierRetryCount": 4})
    assert (waiting["status"], waiting["inspectionData"]["errorDetails"]) == (
        "RETRIABLE", {"retryBackoffIntervalSeconds": 16, "retryIndex": 0})
    spent = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, mock=error, inspectionLevel="DEBUG",
                           stateConfiguration={"retrierRetryCount": 5})
    assert (spent["status"], spent["inspectionData"]["errorDetails"]) == ("FAILED", {"retryIndex": 0})
    catching = {**INVOKE, "Catch": [{"ErrorEquals": ["MockException"], "Next": "A"},
                                    {"ErrorEquals": ["States.TaskFailed"], "Next": "B"}]}
    other = sfn.test_state(definition=json.dumps(catching), roleArn=ROLE, inspectionLevel="TRACE",
                           mock={"errorOutput": {"error": "States.TaskFailed", "cause": "The task failed."}})
    assert (other["status"], other["nextState"], other["inspectionData"]["errorDetails"]) == (
        "CAUGHT_ERROR", "B", {"catchIndex": 1})


# -- the Map fields of inspectionData ----------------------------------------------------------


def test_map_inspection_data_at_each_stage(sfn):
    state = {"Type": "Map", "InputPath": "$.order", "ItemsPath": "$.lines",
             "ItemSelector": {"sku.$": "$$.Map.Item.Value.sku", "at.$": "$$.Map.Item.Index"},
             "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"order.$": "$.id"}},
             "MaxConcurrencyPath": "$.parallelism", "ToleratedFailurePercentage": 10,
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                               "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
             "ResultSelector": {"count.$": "States.ArrayLength($)"}, "ResultPath": "$.done", "End": True}
    order = {"id": 7, "parallelism": 4, "lines": [{"sku": "a"}, {"sku": "b"}, {"sku": "c"}]}
    answer = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input=json.dumps({"order": order}),
                            inspectionLevel="DEBUG", mock={"result": '[{"ok": 1}, {"ok": 2}]'})
    data = {key: json.loads(value) if isinstance(value, str) else value
            for key, value in answer["inspectionData"].items()}
    assert data == {
        "input": {"order": order}, "afterInputPath": order,
        "afterItemsPath": order["lines"],
        "afterItemSelector": [{"sku": "a", "at": 0}, {"sku": "b", "at": 1}, {"sku": "c", "at": 2}],
        "afterItemBatcher": [{"BatchInput": {"order": 7}, "Items": [{"sku": "a", "at": 0}, {"sku": "b", "at": 1}]},
                             {"BatchInput": {"order": 7}, "Items": [{"sku": "c", "at": 2}]}],
        "afterResultSelector": {"count": 2}, "afterResultPath": {"order": order, "done": {"count": 2}},
        "maxConcurrency": 4, "toleratedFailurePercentage": 10.0}
    assert json.loads(answer["output"]) == {"order": order, "done": {"count": 2}}


def test_map_items_that_are_not_an_array_fail_the_map(sfn):
    state = {"Type": "Map", "ItemsPath": "$.missing_array", "ItemProcessor": {
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}
    answer = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input='{"missing_array": 1}',
                            inspectionLevel="DEBUG", mock={"result": "[1]"})
    assert (answer["status"], answer["error"]) == ("FAILED", "States.Runtime")
    assert set(answer["inspectionData"]) == {"input", "afterInputPath"}


def test_map_item_reader_data_is_what_the_reader_reads(sfn):
    state = {"Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                                           "ReaderConfig": {"InputType": "JSON"},
                                           "Parameters": {"Bucket": "b", "Key": "items.json"}},
             "ItemSelector": {"n.$": "$$.Map.Item.Value.n"}, "MaxConcurrency": 1,
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "P",
                               "States": {"P": {"Type": "Pass", "End": True}}},
             "End": True}
    answer = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, inspectionLevel="DEBUG",
                            mock={"result": '[1, 4]'},
                            stateConfiguration={"mapItemReaderData": '[{"n": 1}, {"n": 2}]'})
    assert (answer["status"], json.loads(answer["output"])) == ("SUCCEEDED", [1, 4])
    assert json.loads(answer["inspectionData"]["afterItemSelector"]) == [{"n": 1}, {"n": 2}]
    assert answer["inspectionData"]["maxConcurrency"] == 1


def test_parallel_result_is_the_mock(sfn):
    answer = sfn.test_state(definition=json.dumps(PARALLEL), roleArn=ROLE, inspectionLevel="DEBUG",
                            input='{"parallelInput": {"data": "input_value"}}',
                            mock={"result": '[{"branch1": "result"}, {"branch2": "result"}]'})
    output = {"parallelInput": {"data": "input_value"}, "parallelResult": [{"branch1": "result"}, {"branch2": "result"}]}
    assert json.loads(answer["output"]) == output
    data = {key: json.loads(value) for key, value in answer["inspectionData"].items()}
    assert data == {"input": {"parallelInput": {"data": "input_value"}}, "afterResultPath": output,
                    "afterResultSelector": [{"branch1": "result"}, {"branch2": "result"}]}


# -- HTTP Tasks at TRACE ---------------------------------------------------------------------


HTTP = {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "End": True, "Parameters": {
    "ApiEndpoint": "https://api.example.com/v1/invoices", "Method": "POST",
    "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"},
    "Headers": {"Content-Type": "application/x-www-form-urlencoded"}, "QueryParameters": {"page": "2"},
    "RequestBody": {"customer.$": "$.customer", "items": ["a", "b"], "meta": {"note": "monthly report"}},
    "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "INDICES"}}}}


def test_http_task_request_and_response_at_trace(sfn, service):
    service.lambdas["arn:aws:states:::http:invoke"] = lambda request, context: {
        "StatusCode": 201, "StatusText": "Created", "Headers": {"Content-Type": ["application/json"]},
        "ResponseBody": {"id": "in_1"}}
    answer = sfn.test_state(definition=json.dumps(HTTP), roleArn=ROLE, input='{"customer": "cus_9"}',
                            inspectionLevel="TRACE", revealSecrets=True)
    data = answer["inspectionData"]
    assert data["request"] == {
        "protocol": "https", "method": "POST", "url": "https://api.example.com/v1/invoices?page=2",
        "headers": "[Content-Type: application/x-www-form-urlencoded, Host: api.example.com, Range: bytes=0-262144, "
                   "User-Agent: Amazon|StepFunctions|HttpInvoke|us-east-1]",
        "body": "customer=cus_9&items%5B0%5D=a&items%5B1%5D=b&meta%5Bnote%5D=monthly%20report"}
    assert data["response"] == {"protocol": "https", "statusCode": "201", "statusMessage": "Created",
                                "headers": "[Content-Type: application/json]", "body": '{"id":"in_1"}'}
    debug = sfn.test_state(definition=json.dumps(HTTP), roleArn=ROLE, input='{"customer": "cus_9"}',
                           inspectionLevel="DEBUG")
    assert "request" not in debug["inspectionData"]
    without_handler = sfn.test_state(definition=json.dumps(HTTP), roleArn=ROLE, input='{"customer": "cus_9"}',
                                     inspectionLevel="TRACE", mock={"result": '{"StatusCode": 200}'})
    assert "request" not in without_handler["inspectionData"] and "response" not in without_handler["inspectionData"]


# -- the state's name and context ------------------------------------------------------------


def test_a_state_tested_alone_is_named_state_name_and_runs_with_the_tests_role(sfn):
    state = {"Type": "Pass", "Parameters": {"name.$": "$$.State.Name", "role.$": "$$.Execution.RoleArn"}, "End": True}
    assert json.loads(sfn.test_state(definition=json.dumps(state), roleArn=ROLE)["output"]) == {
        "name": "StateName", "role": ROLE}


CONTEXT = {
    "Execution": {"Id": "arn:aws:states:::execution:MyStateMachine:execution-name-12345",
                  "Input": {"message": "test data", "values": ["charizard", "pikachu", "bulbasaur"]},
                  "Name": "execution-name-12345", "RoleArn": "arn:aws:iam:::role/StepFunctionsRole",
                  "StartTime": "2025-01-15T10:30:00.000Z"},
    "State": {"EnteredTime": "2025-01-15T10:30:01.500Z", "Name": "MyTaskState", "RetryCount": 0},
    "StateMachine": {"Id": "arn:aws:states:::stateMachine:MyStateMachine", "Name": "MyStateMachine"},
}
SELECTING = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
             "Parameters": {"FunctionName.$": "$.FunctionName", "Payload": {"Input.$": "$"}},
             "ResultSelector": {"LambdaOutput.$": "$", "ContextObjectValue.$": "$$"}}


@pytest.mark.parametrize(("path", "expected"), [
    ("$$", CONTEXT), ("$$.Execution.Input", CONTEXT["Execution"]["Input"]),
    ("$$.Execution.Input.values", CONTEXT["Execution"]["Input"]["values"])])
def test_context_is_the_context_object(sfn, path, expected):
    state = {**SELECTING, "ResultSelector": {"LambdaOutput.$": "$", "ContextObjectValue.$": path}}
    answer = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input='{"FunctionName": "f"}',
                            context=json.dumps(CONTEXT), mock={"result": '{"pokemon": ["charizard"]}'})
    assert json.loads(answer["output"]) == {"LambdaOutput": {"pokemon": ["charizard"]}, "ContextObjectValue": expected}


@pytest.mark.parametrize("context", [{}, {"Execution": {}, "State": {}, "StateMachine": {}}])
def test_a_context_is_not_merged_with_a_default(sfn, context):
    answer = sfn.test_state(definition=json.dumps(SELECTING), roleArn=ROLE, input='{"FunctionName": "f"}',
                            context=json.dumps(context), mock={"result": '{"pokemon": "pikachu"}'})
    assert json.loads(answer["output"])["ContextObjectValue"] == context


def test_context_task_token_of_a_task_that_waits(sfn):
    state = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True,
             "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                            "MessageBody": {"TaskToken.$": "$$.Task.Token"}}}
    answer = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, inspectionLevel="TRACE",
                            context=json.dumps({**CONTEXT, "Task": {"Token": "abcd123"}}),
                            mock={"result": '{"pokemon": ["charizard"]}'})
    assert json.loads(answer["inspectionData"]["afterParameters"])["MessageBody"] == {"TaskToken": "abcd123"}


def test_a_map_reads_its_items_from_the_context(sfn):
    state = {"Type": "Map", "ItemsPath": "$$.Execution.Input.values", "MaxConcurrency": 1, "End": True,
             "ItemProcessor": {"StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": True}}}}
    answer = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input='["fire", "electricity", "grass"]',
                            inspectionLevel="TRACE", context=json.dumps(CONTEXT),
                            mock={"result": '["CHARIZARD", "PIKACHU", "BULBASAUR"]'})
    assert json.loads(answer["inspectionData"]["afterItemsPath"]) == ["charizard", "pikachu", "bulbasaur"]
    assert json.loads(answer["output"]) == ["CHARIZARD", "PIKACHU", "BULBASAUR"]


@pytest.mark.parametrize(("context", "message"), [
    ({"Execution": {"Id": 1}}, "Execution.Id must be a string"),
    ({"Map": {}}, "'Map' field is not supported when mocking a Context object"),
    ({"Execution": {"pokemon": "squirtle"}}, "Field 'pokemon' is not allowed"),
    ({"Pokedex": {}}, "Field 'Pokedex' is not allowed"),
    ({**CONTEXT, "Task": {"Token": "abcd123"}}, "Context object contains 'Task' when state is not a Task state with a "
                                                "'.sync' or '.waitForTaskToken' service integration pattern"),
])
def test_context_refusals(sfn, context, message):
    assert refusal(sfn, definition=json.dumps(SELECTING), input='{"FunctionName": "f"}', context=json.dumps(context),
                   mock={"result": "{}"}) == ("ValidationException", f"Invalid Context object provided: {message}")
