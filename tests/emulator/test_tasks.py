"""Task dispatch: local Lambda handlers called as AWS calls them, their errors and results as
AWS reports them (legacy ARN and lambda:invoke), payload limits, timeouts, other resources."""

from __future__ import annotations

import json
import time
import uuid

import pytest

import pysfn_emulator

REGION_ACCOUNT = "arn:aws:lambda:us-east-1:111111111111"
FUNCTION = f"{REGION_ACCOUNT}:function:f"
INVOKE = "arn:aws:states:::lambda:invoke"
LIMIT = 262_144


def legacy(handler, input=None, fields=None, **kwargs):
    """One Task whose Resource is the function's own ARN."""
    state = {"Type": "Task", "Resource": FUNCTION, **(fields or {}), "End": True}
    lambdas = kwargs.pop("lambdas", {FUNCTION: handler})
    return pysfn_emulator.run({"StartAt": "T", "States": {"T": state}}, input, lambdas=lambdas, **kwargs)


def invoke(handler, parameters, input=None, fields=None, **kwargs):
    """One Task on arn:aws:states:::lambda:invoke with the given Parameters."""
    state = {"Type": "Task", "Resource": INVOKE, "Parameters": parameters, **(fields or {}), "End": True}
    lambdas = kwargs.pop("lambdas", {"f": handler})
    return pysfn_emulator.run({"StartAt": "T", "States": {"T": state}}, input, lambdas=lambdas, **kwargs)


def identity(event, context):
    return event


class CustomException(Exception):
    """Like the recorded handler's: sets a message attribute but passes nothing to Exception."""

    def __init__(self):
        self.message = "CustomException message"


def raise_custom(event, context):
    raise CustomException()


def raise_exception(event, context):
    raise Exception("Some exception was raised.")


# -- calling a handler --------------------------------------------------------------------------


def test_legacy_resource_result_is_the_return_value():
    assert legacy(lambda event, context: {"sum": event["a"] + 1}, {"a": 1}).output == {"sum": 2}


def test_legacy_resource_passes_the_effective_input():
    seen = []
    legacy(lambda event, context: seen.append(event), {"a": {"b": 1}}, {"InputPath": "$.a"})
    assert seen == [{"b": 1}]


def test_parameters_are_the_payload():
    seen = []
    legacy(lambda event, context: seen.append(event), {"a": 1}, {"Parameters": {"x.$": "$.a", "y": 2}})
    assert seen == [{"x": 1, "y": 2}]


def test_handler_gets_a_copy_of_the_payload():
    def mutate(event, context):
        event["a"].append("changed")
        return "done"

    execution = legacy(mutate, {"a": [1]}, {"ResultPath": "$.r"})
    assert execution.output == {"a": [1], "r": "done"}


def test_handler_gets_a_lambda_like_context():
    contexts = []
    legacy(lambda event, context: contexts.append(context), {})
    context = contexts[0]
    assert context.function_name == "f"
    assert context.invoked_function_arn == FUNCTION
    uuid.UUID(context.aws_request_id)
    assert context.get_remaining_time_in_millis() > 0


@pytest.mark.parametrize(
    "key",
    ["f", FUNCTION, f"{FUNCTION}:$LATEST", "111111111111:function:f"],
)
def test_a_function_is_found_by_name_or_arn(key):
    execution = legacy(None, {"v": 1}, lambdas={key: identity})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"v": 1}


@pytest.mark.parametrize("name", ["f", FUNCTION, f"{FUNCTION}:prod", "f:prod"])
def test_lambda_invoke_finds_the_function_by_any_reference(name):
    execution = invoke(identity, {"FunctionName": name, "Payload": {"v": 1}})
    assert execution.status == "SUCCEEDED"
    assert execution.output["Payload"] == {"v": 1}


def test_bytes_result_is_decoded_as_json():
    # AWS: services__TestTaskLambda__test_invoke_bytes_payload
    assert legacy(lambda event, context: b'"HelloWorld!"', {}).output == "HelloWorld!"


def test_bytes_result_through_lambda_invoke():
    # AWS: services__TestTaskServiceLambda__test_invoke_bytes_payload
    execution = invoke(lambda event, context: b'"HelloWorld!"', {"FunctionName": "f"})
    assert execution.output["Payload"] == "HelloWorld!"


def test_scalar_results_pass_through():
    # AWS: services__TestTaskLambda__test_invoke_json_values_0_0
    assert legacy(identity, 0).output == 0
    assert legacy(identity, "HelloWorld").output == "HelloWorld"


# -- lambda:invoke --------------------------------------------------------------------------------


def test_lambda_invoke_wraps_the_result():
    # AWS: context_object__TestSnfBase__test_result_selector
    execution = invoke(identity, {"FunctionName": "f", "Payload": {"k": "v"}})
    result = execution.output
    assert set(result) == {"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"}
    assert result["ExecutedVersion"] == "$LATEST"
    assert result["Payload"] == {"k": "v"}
    assert result["StatusCode"] == 200
    assert result["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert set(result["SdkHttpMetadata"]) == {"AllHttpHeaders", "HttpHeaders", "HttpStatusCode"}
    assert result["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Executed-Version"] == "$LATEST"
    assert result["SdkHttpMetadata"]["AllHttpHeaders"]["Content-Type"] == ["application/json"]


def test_lambda_invoke_request_id_is_the_same_everywhere():
    result = invoke(identity, {"FunctionName": "f"}).output
    request_id = result["SdkResponseMetadata"]["RequestId"]
    uuid.UUID(request_id)
    assert result["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"] == request_id
    assert result["SdkHttpMetadata"]["AllHttpHeaders"]["x-amzn-RequestId"] == [request_id]


def test_lambda_invoke_content_length_is_the_size_of_the_response_body():
    # AWS: context_object__TestSnfBase__test_result_selector (Content-Length "82")
    payload = {"Input": {"FunctionName": "lambda_func_u0000001", "Payload": {"input-value": 0}}}
    result = invoke(lambda event, context: payload, {"FunctionName": "f"}).output
    assert result["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "82"
    assert result["SdkHttpMetadata"]["AllHttpHeaders"]["Content-Length"] == ["82"]


def test_lambda_invoke_payload_selected_with_output_path():
    execution = invoke(identity, {"FunctionName": "f", "Payload.$": "$"}, {"n": 1}, {"OutputPath": "$.Payload"})
    assert execution.output == {"n": 1}


def test_lambda_invoke_without_payload_calls_the_function_with_an_empty_object():
    # AWS: services__TestTaskServiceLambda__test_invoke (Payload null; the id function returns {})
    assert invoke(identity, {"FunctionName": "f", "Payload": None}).output["Payload"] == {}


@pytest.mark.parametrize(
    "text, value",
    [("0", 0), ("0.0", 0.0), ("true", True), ('"HelloWorld"', "HelloWorld"), ("{}", {}), ("[]", [])],
)
def test_lambda_invoke_sends_a_string_payload_as_the_raw_body(text, value):
    # AWS: services__TestTaskServiceLambda__test_invoke_json_values_*
    assert invoke(identity, {"FunctionName": "f", "Payload": text}).output["Payload"] == value


def test_lambda_invoke_log_type_tail_adds_a_log_result():
    # AWS: services__TestTaskServiceLambda__test_invoke_unsupported_param
    result = invoke(identity, {"FunctionName": "f", "LogType": "Tail"}).output
    assert isinstance(result["LogResult"], str) and result["LogResult"]
    assert result["SdkHttpMetadata"]["AllHttpHeaders"]["X-Amz-Log-Result"] == [result["LogResult"]]


def test_lambda_invoke_of_a_missing_function_is_resource_not_found():
    # AWS: error_handling__TestTaskServiceLambda__test_no_such_function
    execution = invoke(identity, {"FunctionName": "no_such_function"})
    assert execution.error == "Lambda.ResourceNotFoundException"
    assert execution.cause.startswith(
        f"Function not found: {REGION_ACCOUNT}:function:no_such_function:$LATEST "
        "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: "
    )
    assert execution.cause.endswith("; Proxy: null)")


# -- handler errors ---------------------------------------------------------------------------------


def test_handler_exception_gives_the_class_name_as_error():
    assert legacy(raise_exception, {}).error == "Exception"
    assert legacy(raise_custom, {}).error == "CustomException"


def test_handler_exception_cause_is_lambdas_error_payload():
    # AWS: error_handling__TestTaskLambda__test_raise_exception
    cause = json.loads(legacy(raise_exception, {}).cause)
    assert list(cause) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert cause["errorMessage"] == "Some exception was raised."
    assert cause["errorType"] == "Exception"
    uuid.UUID(cause["requestId"])


def test_handler_exception_stack_trace_names_the_raising_line():
    stack = json.loads(legacy(raise_exception, {}).cause)["stackTrace"]
    assert isinstance(stack, list) and stack
    assert stack[-1].startswith('  File "')
    assert ", in raise_exception\n" in stack[-1]
    assert stack[-1].endswith('    raise Exception("Some exception was raised.")\n')


def test_exception_without_a_message_has_an_empty_error_message():
    # AWS: error_handling__TestTaskLambda__test_raise_custom_exception
    cause = json.loads(legacy(raise_custom, {}).cause)
    assert cause["errorMessage"] == ""
    assert cause["errorType"] == "CustomException"


def test_legacy_resource_cause_keeps_the_python_runtimes_spacing():
    # AWS: error_handling__TestTaskLambda__test_raise_custom_exception ({"errorMessage": "", ...)
    assert legacy(raise_custom, {}).cause.startswith('{"errorMessage": "", "errorType": "CustomException", ')


def test_lambda_invoke_cause_is_compact_json():
    # AWS: error_handling__TestTaskServiceLambda__test_raise_custom_exception ({"errorMessage":"",...)
    cause = invoke(raise_custom, {"FunctionName": "f"}).cause
    assert cause.startswith('{"errorMessage":"","errorType":"CustomException","requestId":"')


def test_lambda_invoke_error_is_the_class_name():
    # AWS: error_handling__TestTaskServiceLambda__test_raise_exception
    execution = invoke(raise_exception, {"FunctionName": "f"})
    assert execution.error == "Exception"
    assert json.loads(execution.cause)["errorMessage"] == "Some exception was raised."


def test_the_failed_event_and_the_execution_report_the_same_cause():
    execution = legacy(raise_exception, {})
    failed = next(e for e in execution.history if e["type"] == "LambdaFunctionFailed")
    assert failed["lambdaFunctionFailedEventDetails"]["cause"] == execution.cause


# -- payload limits -----------------------------------------------------------------------------


def test_result_over_256_kib_is_data_limit_exceeded():
    # AWS: error_handling__TestStatesErrors__test_task_lambda_data_limit_exceeded_on_large_utf8_response
    execution = legacy(lambda event, context: bytes(257 * 1024 * "a", "utf-8"), {})
    assert execution.error == "States.DataLimitExceeded"
    assert execution.cause == (
        f"The state/task '{FUNCTION}' returned a result with a size exceeding the maximum number "
        "of bytes service limit."
    )


def test_lambda_invoke_result_over_256_kib_names_the_lambda_task():
    # AWS: error_handling__TestStatesErrors__test_service_task_lambada_data_limit_exceeded_on_large_utf8_response
    execution = invoke(lambda event, context: bytes(257 * 1024 * "a", "utf-8"), {"FunctionName": "f"})
    assert execution.error == "States.DataLimitExceeded"
    assert execution.cause == (
        "The state/task 'lambda' returned a result with a size exceeding the maximum number of "
        "bytes service limit."
    )


def test_result_of_exactly_256_kib_is_accepted():
    text = "a" * (LIMIT - 2)  # the JSON string with its quotes is 262,144 bytes
    assert legacy(lambda event, context: text, {}).status == "SUCCEEDED"


def test_result_one_byte_over_256_kib_is_refused():
    text = "a" * (LIMIT - 1)
    assert legacy(lambda event, context: text, {}).error == "States.DataLimitExceeded"


def test_result_size_counts_utf8_bytes():
    text = "é" * ((LIMIT - 2) // 2 + 1)  # fewer characters than the limit, more bytes
    assert legacy(lambda event, context: text, {}).error == "States.DataLimitExceeded"


def test_state_output_over_256_kib_is_data_limit_exceeded():
    # AWS: error_handling__TestStatesErrors__test_start_large_input
    definition = {"StartAt": "State_1", "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "a" * LIMIT}, "End": True}}}
    execution = pysfn_emulator.run(definition, {})
    assert execution.error == "States.DataLimitExceeded"
    assert execution.cause == (
        "The state/task 'State_1' returned a result with a size exceeding the maximum number of "
        "bytes service limit."
    )


# -- timeouts -------------------------------------------------------------------------------------


def sleep_60(event, context):
    time.sleep(60)
    return event


def test_a_handler_outliving_timeout_seconds_times_out():
    # AWS: timeouts__TestTimeouts__test_fixed_timeout_lambda
    execution = legacy(sleep_60, {"Payload": None}, {"TimeoutSeconds": 5})
    assert execution.status == "FAILED"
    assert execution.error == "States.Timeout"
    assert execution.cause is None
    assert execution.elapsed_seconds == 5


def test_a_handler_within_timeout_seconds_succeeds_after_its_sleep():
    execution = legacy(sleep_60, {"k": 1}, {"TimeoutSeconds": 61})
    assert execution.output == {"k": 1}
    assert execution.elapsed_seconds == 60


def test_lambda_invoke_times_out_too():
    # AWS: timeouts__TestTimeouts__test_fixed_timeout_service_lambda
    execution = invoke(sleep_60, {"FunctionName": "f"}, {}, {"TimeoutSeconds": 5})
    assert execution.error == "States.Timeout"


def test_timeout_seconds_path_reads_the_state_input_not_the_parameters():
    # AWS: timeouts__TestTimeouts__test_fixed_timeout_service_lambda_with_path
    execution = invoke(
        sleep_60,
        {"FunctionName.$": "$.FunctionName", "Payload.$": "$.Payload"},
        {"TimeoutSecondsValue": 5, "FunctionName": "f", "Payload": None},
        {"TimeoutSecondsPath": "$.TimeoutSecondsValue"},
    )
    assert execution.error == "States.Timeout"
    assert execution.elapsed_seconds == 5
    scheduled = next(e for e in execution.history if e["type"] == "TaskScheduled")
    assert scheduled["taskScheduledEventDetails"]["timeoutInSeconds"] == 5


# -- other resources ------------------------------------------------------------------------------


def test_a_service_integration_is_served_by_a_handler_registered_under_its_arn():
    resource = "arn:aws:states:::dynamodb:getItem"
    seen = []

    def get_item(event, context):
        seen.append(event)
        return {"Item": {"id": {"S": event["Key"]}}}

    definition = {
        "StartAt": "Get",
        "States": {"Get": {"Type": "Task", "Resource": resource, "Parameters": {"Key.$": "$.id"}, "End": True}},
    }
    execution = pysfn_emulator.run(definition, {"id": "k1"}, lambdas={resource: get_item})
    assert execution.output == {"Item": {"id": {"S": "k1"}}}
    assert seen == [{"Key": "k1"}]
    scheduled = next(e for e in execution.history if e["type"] == "TaskScheduled")["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("dynamodb", "getItem")


def test_an_unregistered_resource_fails_naming_it():
    resource = "arn:aws:states:::sqs:sendMessage"
    definition = {"StartAt": "Send", "States": {"Send": {"Type": "Task", "Resource": resource, "End": True}}}
    execution = pysfn_emulator.run(definition, {})
    assert execution.status == "FAILED"
    assert resource in execution.cause
    assert "Send" in execution.cause


def test_an_unregistered_legacy_function_fails_naming_it():
    execution = legacy(None, {}, lambdas={})
    assert execution.status == "FAILED"
    assert f"{REGION_ACCOUNT}:function:f" in execution.cause
