"""Local Lambda functions and integration handlers beyond the basics of test_tasks.py: qualifiers,
invocation types, service errors for retriers, the context's virtual time, timeouts, payload
limits, time.sleep under threads and nesting, and callees from a Python module."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest

import pysfn_emulator
from pysfn_emulator import LambdaServiceError, TaskFailure

FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:f"
INVOKE = "arn:aws:states:::lambda:invoke"


def legacy(lambdas, input=None, **fields):
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": fields.pop("resource", FUNCTION), **fields, "End": True}}}
    return pysfn_emulator.run(definition, input if input is not None else {}, lambdas=lambdas)


def invoke(lambdas, parameters, input=None, **fields):
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": INVOKE, "Parameters": parameters, **fields, "End": True}}}
    return pysfn_emulator.run(definition, input if input is not None else {}, lambdas=lambdas)


def identity(event, context):
    return event


# -- finding the function ---------------------------------------------------------------------------


def test_a_qualified_registration_serves_its_qualifier():
    lambdas = {"f": lambda e, c: "latest", "f:prod": lambda e, c: "prod", f"{FUNCTION}:7": lambda e, c: "seven"}
    assert legacy(lambdas, resource=FUNCTION).output == "latest"
    assert legacy(lambdas, resource=f"{FUNCTION}:prod").output == "prod"
    assert legacy(lambdas, resource=f"{FUNCTION}:7").output == "seven"
    assert legacy(lambdas, resource=f"{FUNCTION}:dev").output == "latest"  # unqualified serves the rest


def test_lambda_invoke_qualifier_parameter_and_executed_version():
    lambdas = {"f:3": lambda e, c: c.function_version}
    output = invoke(lambdas, {"FunctionName": "f", "Qualifier": "3"}).output
    assert output["Payload"] == "3"
    assert output["ExecutedVersion"] == "3"
    assert output["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Executed-Version"] == "3"


def test_a_missing_qualified_function_names_its_qualifier():
    execution = invoke({}, {"FunctionName": f"{FUNCTION}:prod"})
    assert execution.error == "Lambda.ResourceNotFoundException"
    assert execution.cause.startswith(f"Function not found: {FUNCTION}:prod (Service: AWSLambda;")


# -- the context object ---------------------------------------------------------------------------------


def test_the_context_carries_lambdas_attributes():
    contexts = []
    legacy({"f": lambda e, c: contexts.append(c)})
    context = contexts[0]
    assert (context.function_name, context.function_version, context.invoked_function_arn) == ("f", "$LATEST", FUNCTION)
    assert context.memory_limit_in_mb == 128
    assert context.log_group_name == "/aws/lambda/f"
    uuid.UUID(context.aws_request_id)


def test_remaining_time_counts_down_on_the_virtual_clock():
    remaining = []

    def handler(event, context):
        remaining.append(context.get_remaining_time_in_millis())
        time.sleep(2.5)
        remaining.append(context.get_remaining_time_in_millis())

    legacy({"f": handler}, TimeoutSeconds=10)
    assert remaining == [10_000, 7_500]


def test_the_error_payloads_request_id_is_the_contexts():
    ids = []

    def fail(event, context):
        ids.append(context.aws_request_id)
        raise RuntimeError("no")

    cause = json.loads(legacy({"f": fail}).cause)
    assert cause["requestId"] == ids[0]


# -- invocation types and results --------------------------------------------------------------------------


def test_event_invocation_runs_the_function_and_returns_202_without_payload():
    calls = []
    output = invoke({"f": lambda e, c: calls.append(e) or "ignored"}, {"FunctionName": "f", "InvocationType": "Event", "Payload": {"a": 1}}).output
    assert calls == [{"a": 1}]
    assert (output["StatusCode"], output["Payload"]) == (202, "")
    assert "ExecutedVersion" not in output


def test_dry_run_invocation_does_not_run_the_function():
    calls = []
    output = invoke({"f": lambda e, c: calls.append(e)}, {"FunctionName": "f", "InvocationType": "DryRun"}).output
    assert (calls, output["StatusCode"]) == ([], 204)


def test_a_result_that_is_not_json_is_a_marshal_error():
    execution = legacy({"f": lambda e, c: {1, 2}})
    assert execution.error == "Runtime.MarshalError"
    assert json.loads(execution.cause)["errorMessage"].startswith("Unable to marshal response:")


def test_a_non_json_bytes_result_is_a_string():
    assert legacy({"f": lambda e, c: b"plain text"}).output == "plain text"


def test_the_handler_may_raise_states_error_itself():
    def fail(event, context):
        raise pysfn_emulator.StatesError("Custom.Error", "custom cause")

    execution = legacy({"f": fail})
    assert (execution.error, execution.cause) == ("Custom.Error", "custom cause")


# -- service errors for retriers ------------------------------------------------------------------------------


def flaky(failures: int, exception):
    calls = []

    def handler(event, context):
        calls.append(context.aws_request_id)
        if len(calls) <= failures:
            raise exception
        return {"ok": len(calls)}

    handler.calls = calls
    return handler


def test_a_lambda_service_error_is_retried_by_its_name():
    handler = flaky(2, LambdaServiceError("TooManyRequestsException"))
    retry = [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2}]
    execution = invoke({"f": handler}, {"FunctionName": "f"}, Retry=retry, OutputPath="$.Payload")
    assert (execution.status, execution.output) == ("SUCCEEDED", {"ok": 3})
    assert execution.elapsed_seconds == 2 + 4
    failed = [e["taskFailedEventDetails"] for e in execution.history if e["type"] == "TaskFailed"]
    assert [f["error"] for f in failed] == ["Lambda.TooManyRequestsException"] * 2
    assert failed[0]["cause"] == (
        f"Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; "
        f"Request ID: {handler.calls[0]}; Proxy: null)"
    )


@pytest.mark.parametrize(
    "error, expected_error, status",
    [
        (LambdaServiceError(), "Lambda.ServiceException", 500),
        (LambdaServiceError("Lambda.AWSLambdaException", "bad"), "Lambda.AWSLambdaException", 400),
        (LambdaServiceError("ResourceNotReadyException", status_code=502), "Lambda.ResourceNotReadyException", 502),
    ],
)
def test_lambda_service_errors_name_and_status(error, expected_error, status):
    execution = legacy({"f": flaky(1, error)})
    assert execution.error == expected_error
    assert f"Status Code: {status};" in execution.cause
    assert "LambdaFunctionFailed" in [e["type"] for e in execution.history]


def test_sdk_client_exception_has_its_message_alone():
    execution = legacy({"f": flaky(1, LambdaServiceError("SdkClientException", "Unable to execute HTTP request"))})
    assert (execution.error, execution.cause) == ("Lambda.SdkClientException", "Unable to execute HTTP request")


def test_task_failure_from_a_service_handler():
    resource = "arn:aws:states:::sqs:sendMessage"

    def send(event, context):
        raise TaskFailure("SQS.QueueDoesNotExistException", "The specified queue does not exist.")

    execution = legacy({resource: send}, resource=resource)
    assert (execution.error, execution.cause) == ("SQS.QueueDoesNotExistException", "The specified queue does not exist.")


def test_a_service_handlers_exception_is_its_class_name_and_message():
    resource = "arn:aws:states:::aws-sdk:s3:getObject"

    class NoSuchKey(Exception):
        pass

    def get(event, context):
        raise NoSuchKey("The specified key does not exist.")

    execution = legacy({resource: get}, resource=resource, Parameters={"Bucket": "b", "Key": "k"})
    assert (execution.error, execution.cause) == ("NoSuchKey", "The specified key does not exist.")

    class Abort(BaseException):  # not an Exception: it escaped run before (session 24)
        pass

    def aborts(event, context):
        raise Abort("gone")

    execution = legacy({resource: aborts}, resource=resource, Parameters={"Bucket": "b", "Key": "k"})
    assert (execution.error, execution.cause) == ("Abort", "gone")
    scheduled = next(e for e in execution.history if e["type"] == "TaskScheduled")["taskScheduledEventDetails"]
    # as AWS records an aws-sdk task (resourceType "aws-sdk:s3", resource "listObjects" in a recorded
    # history); this test expected ("aws-sdk", "s3:getObject") before
    assert (scheduled["resourceType"], scheduled["resource"]) == ("aws-sdk:s3", "getObject")


def test_a_service_result_over_256_kib_is_data_limit_exceeded():
    resource = "arn:aws:states:::dynamodb:getItem"
    execution = legacy({resource: lambda e, c: {"Item": "a" * 262_144}}, resource=resource)
    assert execution.error == "States.DataLimitExceeded"
    assert "'dynamodb'" in execution.cause


# -- time -----------------------------------------------------------------------------------------------------


def sleeper(seconds):
    def handler(event, context):
        time.sleep(seconds)
        return seconds

    return handler


def test_timeout_seconds_path_must_be_a_positive_integer():
    execution = legacy({"f": identity}, {"t": 0}, TimeoutSecondsPath="$.t")
    assert execution.error == "States.Runtime"
    assert "TimeoutSecondsPath" in execution.cause


def test_jsonata_timeout_seconds():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": FUNCTION, "TimeoutSeconds": "{% $states.input.limit %}", "End": True}},
    }
    execution = pysfn_emulator.run(definition, {"limit": 3}, lambdas={"f": sleeper(10)})
    assert (execution.error, execution.elapsed_seconds) == ("States.Timeout", 3)
    timed_out = [e for e in execution.history if e["type"] == "LambdaFunctionTimedOut"]
    assert timed_out[0]["lambdaFunctionTimedOutEventDetails"] == {"error": "States.Timeout"}


def test_a_timeout_is_retried_only_by_name():
    retry = [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}, {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 1}]
    execution = legacy({"f": sleeper(10)}, TimeoutSeconds=2, Retry=retry)
    assert (execution.error, execution.elapsed_seconds) == ("States.Timeout", 2 + 1 + 2)


def test_sleeping_handlers_in_parallel_branches_overlap_in_virtual_time():
    def branch(name):
        return {"StartAt": name, "States": {name: {"Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:111111111111:function:{name}", "End": True}}}

    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "Branches": [branch("slow"), branch("fast")], "End": True}}}
    execution = pysfn_emulator.run(definition, {}, lambdas={"slow": sleeper(30), "fast": sleeper(5)})
    assert execution.output == [30, 5]
    assert execution.elapsed_seconds == 30


def test_time_sleep_is_restored_after_a_run():
    real = time.sleep
    legacy({"f": sleeper(100)})
    assert time.sleep is real


def test_other_threads_sleep_for_real_while_a_handler_runs():
    slept = []

    def handler(event, context):
        worker = threading.Thread(target=lambda: (time.sleep(0.05), slept.append(True)))
        began = time.perf_counter()
        worker.start()
        worker.join()
        slept.append(time.perf_counter() - began)
        time.sleep(1000)  # virtual
        return "ok"

    execution = legacy({"f": handler})
    assert execution.elapsed_seconds == 1000
    assert slept[0] is True and slept[1] >= 0.04


def test_a_handler_running_its_own_execution_keeps_its_own_time():
    inner = {"StartAt": "Inner", "States": {"Inner": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:inner", "End": True}}}

    def outer(event, context):
        time.sleep(5)
        nested = pysfn_emulator.run(inner, {}, lambdas={"inner": sleeper(50)})
        time.sleep(5)
        return nested.elapsed_seconds

    execution = legacy({"f": outer})
    assert execution.output == 50
    assert execution.elapsed_seconds == 10


def test_negative_sleep_is_refused_as_python_does():
    def handler(event, context):
        time.sleep(-1)

    assert legacy({"f": handler}).error == "ValueError"


# -- callees from a module ----------------------------------------------------------------------------------------


def simple_dispatch(event, callees):
    """The dispatcher contract: {"function", "args", "kwargs"} -> callees[function](*args, **kwargs)."""
    return callees[event["function"]](*event.get("args", []), **event.get("kwargs", {}))


WORKFLOW = '''
from helper import TAX


class Declined(Exception):
    pass


def total(prices, discount=0):
    return round(sum(prices) * (1 + TAX) - discount, 2)


def charge(amount):
    if amount > 100:
        raise Declined(f"{amount} is over the limit")
    return {"charged": amount}


def _private():
    return "hidden"
'''


@pytest.fixture
def workflow_file(tmp_path):
    (tmp_path / "helper.py").write_text("TAX = 0.5\n")
    path = tmp_path / "shop_workflow.py"
    path.write_text(WORKFLOW)
    return path


def dispatcher_task(function: str, args: list, kwargs: dict | None = None) -> dict:
    payload = {"function": function, "args": args, "kwargs": kwargs or {}}
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:111111111111:function:shop", "Payload": payload},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
    }


def test_lambdas_from_a_module_file_dispatch_to_its_functions(workflow_file):
    lambdas = pysfn_emulator.lambdas_from_module(workflow_file, function_name="shop", dispatch=simple_dispatch)
    assert list(lambdas) == ["shop"]
    execution = pysfn_emulator.run(dispatcher_task("total", [[10, 20]], {"discount": 5}), {}, lambdas=lambdas)
    assert execution.output == 40.0


def test_a_callees_exception_is_the_task_error_by_class_name(workflow_file):
    lambdas = pysfn_emulator.lambdas_from_module(str(workflow_file), function_name="shop", dispatch=simple_dispatch)
    execution = pysfn_emulator.run(dispatcher_task("charge", [500]), {}, lambdas=lambdas)
    assert execution.error == "Declined"
    assert json.loads(execution.cause)["errorMessage"] == "500 is over the limit"


def test_only_the_modules_own_public_functions_or_the_named_callees_are_served(workflow_file):
    from pysfn_emulator.integrations.local_callees import callee_table, load_module

    module = load_module(workflow_file)
    assert sorted(callee_table(module)) == ["charge", "total"]
    assert sorted(callee_table(module, ["charge"])) == ["charge"]
    with pytest.raises(LookupError):
        callee_table(module, ["missing"])


def test_lambdas_from_a_module_object(workflow_file):
    from pysfn_emulator.integrations.local_callees import load_module

    module = load_module(workflow_file)
    lambdas = pysfn_emulator.lambdas_from_module(module, function_name="shop", dispatch=simple_dispatch, callees=["charge"])
    execution = pysfn_emulator.run(dispatcher_task("charge", [5]), {}, lambdas=lambdas)
    assert execution.output == {"charged": 5}


def test_the_compilers_dispatcher_plugs_in(workflow_file):
    dispatch = pytest.importorskip("pysfn_compile.runtime.dispatch")
    lambdas = pysfn_emulator.lambdas_from_module(workflow_file, function_name="shop", dispatch=dispatch.dispatch, callees=["total"])
    assert pysfn_emulator.run(dispatcher_task("total", [[2]]), {}, lambdas=lambdas).output == 3.0
    execution = pysfn_emulator.run(dispatcher_task("charge", [1]), {}, lambdas=lambdas)
    assert execution.error == "UnknownFunction"  # the deployed handler refuses what the machine does not call


# -- a distributed Map's ItemReader ----------------------------------------------------------------------------

GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"


def reading_map(resource: str = GET_OBJECT, config: dict | None = None, **reader) -> dict:
    item_reader = {"Resource": resource, "Parameters": {"Bucket": "orders", "Key.$": "$.key"}, **reader}
    if config is not None:
        item_reader["ReaderConfig"] = config
    return {
        "StartAt": "Each order",
        "States": {
            "Each order": {
                "Type": "Map",
                "ItemReader": item_reader,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Keep",
                    "States": {"Keep": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }


def read(definition, content, input=None, resource=GET_OBJECT):
    calls = []

    def handler(event, context):
        calls.append(event)
        return content

    execution = pysfn_emulator.run(definition, input or {"key": "orders.json"}, lambdas={resource: handler})
    return execution, calls


def test_item_reader_reads_a_json_array_with_the_evaluated_parameters():
    execution, calls = read(reading_map(config={"InputType": "JSON"}), '[{"id": 1}, {"id": 2}]')
    assert execution.output == [{"id": 1}, {"id": 2}]
    assert calls == [{"Bucket": "orders", "Key": "orders.json"}]


def test_item_reader_reads_jsonl_and_bytes():
    execution, _ = read(reading_map(config={"InputType": "JSONL"}), b'{"id": 1}\n\n{"id": 2}\n')
    assert execution.output == [{"id": 1}, {"id": 2}]


@pytest.mark.parametrize(
    "config, content, expected",
    [
        ({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}, "id,name\n1,Ada\n2,Bob\n", [{"id": "1", "name": "Ada"}, {"id": "2", "name": "Bob"}]),
        ({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["id", "name"]}, "1,Ada\n", [{"id": "1", "name": "Ada"}]),
        ({"InputType": "CSV", "CSVDelimiter": "SEMICOLON"}, "id;name\n1;\"A;da\"\n", [{"id": "1", "name": "A;da"}]),
    ],
)
def test_item_reader_reads_csv(config, content, expected):
    execution, _ = read(reading_map(config=config), content)
    assert execution.output == expected


def test_item_reader_max_items_and_max_items_path():
    execution, _ = read(reading_map(config={"InputType": "JSON", "MaxItems": 2}), "[1, 2, 3, 4]")
    assert execution.output == [1, 2]
    execution, _ = read(reading_map(config={"InputType": "JSON", "MaxItemsPath": "$.limit"}), "[1, 2, 3, 4]", {"key": "k", "limit": 3})
    assert execution.output == [1, 2, 3]


def test_item_reader_lists_objects():
    objects = {"Contents": [{"Key": "a.json", "Size": 1}, {"Key": "b.json", "Size": 2}]}
    execution, calls = read(reading_map(LIST_OBJECTS, Parameters={"Bucket": "orders", "Prefix": "2024/"}), objects, resource=LIST_OBJECTS)
    assert execution.output == objects["Contents"]
    assert calls == [{"Bucket": "orders", "Prefix": "2024/"}]


def test_item_reader_failures():
    execution, _ = read(reading_map(config={"InputType": "JSON"}), '{"not": "an array"}')
    assert execution.error == "States.ItemReaderFailed"
    execution, _ = read(reading_map(config={"InputType": "JSON"}), "[1,")
    assert execution.error == "States.ItemReaderFailed"

    def missing(event, context):
        raise KeyError("NoSuchKey")

    execution = pysfn_emulator.run(reading_map(), {"key": "k"}, lambdas={GET_OBJECT: missing})
    assert execution.error == "States.ItemReaderFailed"
    assert "NoSuchKey" in execution.cause


def test_item_reader_csv_that_python_cannot_read_fails_the_map():
    # Found by tests/emulator/test_fuzz.py: csv.Error escaped run().
    execution, _ = read(reading_map(config={"InputType": "CSV"}), "id\n" + "x" * 200_000 + "\n")
    assert (execution.status, execution.error) == ("FAILED", "States.ItemReaderFailed")
    assert "field larger than field limit" in execution.cause


@pytest.mark.parametrize("objects", [[{"Key": b"a.json"}], [{1, 2}], [float("nan")]])
def test_item_reader_listed_objects_that_are_not_json_fail_the_map(objects):
    # Found by tests/emulator/test_fuzz.py: TypeError/ValueError escaped run().
    execution, _ = read(reading_map(LIST_OBJECTS), objects, resource=LIST_OBJECTS)
    assert (execution.status, execution.error) == ("FAILED", "States.ItemReaderFailed")
    assert execution.cause.startswith("The listed objects are not JSON: ")


def test_item_reader_without_a_handler_says_how_to_register_one():
    execution = pysfn_emulator.run(reading_map(), {"key": "k"})
    assert execution.error == "pysfn.ResourceNotRegistered"
    assert f"lambdas={{'{GET_OBJECT}': handler}}" in execution.cause


def test_item_reader_in_jsonata():
    definition = reading_map(config={"InputType": "JSON", "MaxItems": "{% $states.input.limit %}"})
    definition["QueryLanguage"] = "JSONata"
    reader = definition["States"]["Each order"]["ItemReader"]
    reader["Arguments"] = {"Bucket": "orders", "Key": "{% $states.input.key %}"}
    del reader["Parameters"]
    execution, calls = read(definition, "[1, 2, 3]", {"key": "k.json", "limit": 2})
    assert execution.output == [1, 2]
    assert calls == [{"Bucket": "orders", "Key": "k.json"}]
