"""Task dispatch: find the local handler for a Resource, call it as AWS would, record events.

Lambda functions are found by name, full or partial ARN, with or without a version or alias
qualifier. A handler is an ordinary `handler(event, context)`; it gets a copy of the payload
(as Lambda would, through JSON) and its `time.sleep` moves the virtual clock.
"""

from __future__ import annotations

import base64
import json
import time
import traceback
import uuid
from contextlib import contextmanager
from typing import Any

import attrs

from . import model
from .errors import DATA_LIMIT_EXCEEDED, RUNTIME, TIMEOUT, StatesError
from .jsontext import PAYLOAD_LIMIT_BYTES, dumps, size_in_bytes

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
UNREGISTERED = "pysfn.ResourceNotRegistered"
DEFAULT_TASK_TIMEOUT = 99999999


class FunctionError(StatesError):
    """A handler raised: Lambda's error payload, serialised by whoever reports it."""

    def __init__(self, payload: dict, text: str):
        super().__init__(payload["errorType"], text)
        self.payload = payload


@attrs.frozen
class LambdaContext:
    """The attributes of Lambda's context object that handlers read."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    deadline_ms: int
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


def invoke(runner, frame, state: model.Task, payload: Any, timeout: int | None) -> Any:
    """Call the task's resource with `payload`, recording the events AWS records."""
    resource = state.resource
    if resource.startswith("arn:aws:lambda:"):
        return _legacy_lambda(runner, frame, state, resource, payload, timeout)
    if resource.split(".waitForTaskToken")[0] == LAMBDA_INVOKE:
        return _lambda_invoke(runner, frame, state, payload, timeout)
    return _service(runner, frame, state, payload, timeout)


def _legacy_lambda(runner, frame, state, resource, payload, timeout):
    details = {"resource": resource, "input": payload}
    if timeout is not None:
        details["timeoutInSeconds"] = timeout
    runner.event(frame, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", details)
    runner.event(frame, "LambdaFunctionStarted")
    try:
        result = _call_lambda(runner, resource, payload, timeout)
    except StatesError as error:
        if error.error == TIMEOUT:
            runner.event(frame, "LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails", {"error": TIMEOUT})
        else:
            runner.event(frame, "LambdaFunctionFailed", "lambdaFunctionFailedEventDetails", _failure(error))
        raise
    runner.event(frame, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails", {"output": result})
    return result


def _lambda_invoke(runner, frame, state, payload, timeout):
    def call() -> Any:
        function = payload.get("FunctionName") if isinstance(payload, dict) else None
        if not isinstance(function, str):
            raise StatesError(RUNTIME, "The field 'FunctionName' is required for arn:aws:states:::lambda:invoke")
        try:
            returned = _call_lambda(runner, function, _invoke_event(payload.get("Payload")), timeout, "lambda")
        except FunctionError as failure:  # Step Functions re-serialises the error payload compactly
            failure.cause = dumps(failure.payload)
            raise
        request_id = str(uuid.UUID(int=runner.rng.getrandbits(128), version=4))
        return _invoke_response(returned, request_id, payload.get("LogType") == "Tail")

    return _scheduled_task(runner, frame, state, payload, timeout, "lambda", "invoke", call)


def _invoke_event(payload: Any) -> Any:
    """lambda:invoke sends a string Payload as the raw request body and no Payload as none:
    the function receives the string's JSON value, or {}."""
    if payload is None:
        return {}
    if isinstance(payload, str):
        try:
            return json.loads(payload)
        except ValueError:
            return payload
    return payload


def _service(runner, frame, state, payload, timeout):
    parts = state.resource.split(":")
    resource_type, resource = (parts[5], ":".join(parts[6:])) if len(parts) > 6 else ("", state.resource)
    handler = runner.lambdas.get(state.resource)

    def call() -> Any:
        if handler is None:
            raise StatesError(
                UNREGISTERED,
                f"No handler is registered for the resource '{state.resource}' of state '{state.name}'. "
                f"Register one with run(..., lambdas={{'{state.resource}': handler}}).",
            )
        return _call_handler(runner, handler, state.resource, payload, timeout, resource_type)

    return _scheduled_task(runner, frame, state, payload, timeout, resource_type, resource, call)


def _scheduled_task(runner, frame, state, payload, timeout, resource_type, resource, call):
    details = {"resourceType": resource_type, "resource": resource, "region": runner.region, "parameters": payload}
    if timeout is not None:
        details["timeoutInSeconds"] = timeout
    if state.heartbeat_seconds is not None:
        details["heartbeatInSeconds"] = state.heartbeat_seconds
    runner.event(frame, "TaskScheduled", "taskScheduledEventDetails", details)
    names = {"resourceType": resource_type, "resource": resource}
    runner.event(frame, "TaskStarted", "taskStartedEventDetails", names)
    try:
        result = call()
    except StatesError as error:
        if error.error == TIMEOUT:
            runner.event(frame, "TaskTimedOut", "taskTimedOutEventDetails", {**names, "error": TIMEOUT})
        else:
            runner.event(frame, "TaskFailed", "taskFailedEventDetails", {**names, **_failure(error)})
        raise
    runner.event(frame, "TaskSucceeded", "taskSucceededEventDetails", {**names, "output": result})
    return result


def _failure(error: StatesError) -> dict:
    details = {}
    if error.error is not None:
        details["error"] = error.error
    if error.cause is not None:
        details["cause"] = error.cause
    return details


def _call_lambda(runner, function: str, payload: Any, timeout: int | None, task_name: str | None = None) -> Any:
    handler, arn = _find_lambda(runner, function)
    if handler is None:
        raise StatesError(
            "Lambda.ResourceNotFoundException",
            f"Function not found: {arn}:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: "
            f"ResourceNotFoundException; Request ID: {uuid.UUID(int=runner.rng.getrandbits(128), version=4)}; Proxy: null)",
        )
    return _call_handler(runner, handler, arn, payload, timeout, task_name or arn)


def _find_lambda(runner, function: str):
    """Name, ARN, partial ARN, qualified or not: the same function."""
    lambdas = runner.lambdas
    if function in lambdas:
        name = _function_name(function)
        return lambdas[function], _arn(runner, name)
    name = _function_name(function)
    arn = _arn(runner, name)
    for key in (name, arn):
        if key in lambdas:
            return lambdas[key], arn
    for key, handler in lambdas.items():
        if _function_name(key) == name:
            return handler, arn
    return None, arn


def _function_name(reference: str) -> str:
    parts = reference.split(":")
    if "function" in parts:
        return parts[parts.index("function") + 1]
    return parts[0]


def _arn(runner, name: str) -> str:
    return f"arn:aws:lambda:{runner.region}:{runner.account}:function:{name}"


def _call_handler(runner, handler, arn: str, payload: Any, timeout: int | None, task_name: str) -> Any:
    """Call a handler as Lambda would; `task_name` is how AWS names the task in size errors."""
    event = json.loads(dumps(payload))
    request_id = str(uuid.UUID(int=runner.rng.getrandbits(128), version=4))
    limit = timeout if timeout is not None else DEFAULT_TASK_TIMEOUT
    context = LambdaContext(_function_name(arn), arn, request_id, int(time.time() * 1000) + limit * 1000)
    with _virtual_sleep() as slept:
        try:
            returned = handler(event, context)
        except StatesError:
            raise
        except Exception as exception:  # the handler's own failure, as Lambda reports it
            _advance(runner, slept[0], timeout)
            error = _lambda_error(exception, request_id)
            raise FunctionError(error, json.dumps(error)) from None
    _advance(runner, slept[0], timeout)
    result = _decode(returned)
    if size_in_bytes(result) > PAYLOAD_LIMIT_BYTES:
        raise StatesError(
            DATA_LIMIT_EXCEEDED,
            f"The state/task '{task_name}' returned a result with a size exceeding the maximum number of bytes service limit.",
        )
    return result


def _advance(runner, slept: float, timeout: int | None) -> None:
    if timeout is not None and slept >= timeout:
        runner.clock.advance(timeout)
        raise StatesError(TIMEOUT, None)
    runner.clock.advance(slept)


def _decode(returned: Any) -> Any:
    if isinstance(returned, (bytes, bytearray)):
        text = bytes(returned).decode("utf-8")
        try:
            return json.loads(text)
        except ValueError:
            return text
    return json.loads(dumps(returned))


def _lambda_error(exception: BaseException, request_id: str) -> dict:
    """The error payload the Python Lambda runtime sends (its json.dumps, spaces and all)."""
    frames = traceback.extract_tb(exception.__traceback__)[1:]
    stack = [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in frames]
    return {
        "errorMessage": str(exception),
        "errorType": type(exception).__name__,
        "requestId": request_id,
        "stackTrace": stack,
    }


def _invoke_response(payload: Any, request_id: str, with_log: bool) -> dict:
    length = str(len(json.dumps(payload).encode("utf-8")))  # the body as the Python runtime wrote it
    response = {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [length],
                "Date": ["Thu, 01 Jan 1970 00:00:00 GMT"],
                "X-Amzn-Trace-Id": [f"Root=1-00000000-{request_id.replace('-', '')[:24]}"],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/json",
                "Date": "Thu, 01 Jan 1970 00:00:00 GMT",
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
                "X-Amzn-Trace-Id": f"Root=1-00000000-{request_id.replace('-', '')[:24]}",
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }
    if with_log:  # LogType "Tail": the last 4 KB of the log, base64-encoded
        log = base64.b64encode(f"START RequestId: {request_id} Version: $LATEST\nEND RequestId: {request_id}\n".encode()).decode()
        response["LogResult"] = log
        response["SdkHttpMetadata"]["AllHttpHeaders"]["X-Amz-Log-Result"] = [log]
        response["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Log-Result"] = log
    return response


@contextmanager
def _virtual_sleep():
    """While a handler runs, `time.sleep` counts seconds instead of waiting."""
    slept = [0.0]
    real = time.sleep

    def sleep(seconds: float) -> None:
        slept[0] += seconds

    time.sleep = sleep
    try:
        yield slept
    finally:
        time.sleep = real
