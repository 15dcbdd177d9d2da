"""Task states: what a Task's Resource names, how it is called, and the events AWS records.

Resources, by form (`parse_resource`):

| Resource | called | events | result |
|---|---|---|---|
| `arn:aws:lambda:…:function:F[:Q]` | the local function F | LambdaFunction* | its return value |
| `arn:aws:states:::lambda:invoke` | the function named by FunctionName | Task* | AWS's wrapper |
| `arn:aws:states:::states:startExecution` | a registered state machine (nested.py) | Task* | AWS's shapes |
| `arn:aws:states:REGION:ACCOUNT:activity:NAME` | a registered worker, or the test | Activity* | the worker's answer |
| `arn:aws:states:::SERVICE:ACTION`, `…:::aws-sdk:SERVICE:ACTION` | a handler registered under the ARN | Task* | the handler's return |

`.waitForTaskToken` puts a token in `$$.Task.Token`, calls the integration, records
TaskSubmitted with its response, then waits for the token's answer (callbacks.py); without a
handler for the integration itself, a responder (or the test) stands for the service and
TaskSubmitted records `{}`. `.sync` / `.sync:2` of services other than Step Functions: the
handler stands for the whole job, and its return is the result. Integration handlers get a
`ServiceContext` (state name, resource, execution ARN, task token). A state named
in the mock file's test case is not called: its mocked response stands for the call
(mock_config.py), with the same events.

Time: TimeoutSeconds / TimeoutSecondsPath / a JSONata TimeoutSeconds bound the task (a
handler's `time.sleep` counts on the virtual clock); HeartbeatSeconds and its Path/JSONata
forms bound the gaps between heartbeats of callbacks and activities.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator
from typing import Any

import attrs

from ..core.errors import QUERY_EVALUATION_ERROR, RUNTIME, StatesError
from ..core.jsontext import dumps, json_copy, loads, message_text
from ..definition import model
from ..integrations import callbacks
from ..integrations.failures import TaskFailure, exception_text
from ..integrations.lambda_runtime import (
    FunctionError,
    call_function,
    decode,
    invoke_response,
    make_context,
    split_reference,
)
from ..integrations.mock_config import MockedStates
from ..query.pipeline import Env, path_value
from ..virtual_time.virtual_sleep import counting_sleep, slept_so_far
from .interpreter import Frame, Runner, Visit
from .nested import start_execution
from .task_call import (
    Call,
    activity_events,
    await_callback,
    function_events,
    open_task,
    parse_resource,
    task_events,
)

UNREGISTERED = "pysfn.ResourceNotRegistered"
DEFAULT_TASK_TIMEOUT = callbacks.DEFAULT_TASK_TIMEOUT


# -- one attempt of a Task state ----------------------------------------------------------------


def run_attempt(runner: Runner, frame: Frame, state: model.Task, raw: Any, effective: Any, env: Env,
                visit: Visit) -> Generator:
    """One attempt of a Task state (a scheduler thread's step): evaluate its arguments and
    limits, then call its resource (or its mock); returns the result."""
    resource = parse_resource(state.resource)
    token = None
    if resource.waits_for_token or resource.kind == "activity":
        token = callbacks.new_token(runner.rng)
        visit.task_token = token
    else:  # every Task has a token in its context object, as on AWS
        visit.task_token = runner.tasks.context_token(runner.context["Execution"]["Id"])
    env = visit.env(runner, frame)
    payload = state.io.arguments(effective, raw, env)
    timeout = _seconds(state.timeout_seconds, state.timeout_seconds_path, state.timeout_expression, "TimeoutSeconds", raw, effective, env)
    heartbeat = _seconds(state.heartbeat_seconds, state.heartbeat_seconds_path, state.heartbeat_expression, "HeartbeatSeconds", raw, effective, env)
    call = Call(runner, frame, state, resource, payload, timeout, heartbeat, token)
    mocks = call.env.mocks
    if mocks is not None and state.name in mocks:
        return (yield from _mocked(call, mocks))
    return (yield from _CALLERS[resource.kind](call))


def _seconds(literal, path, expression, field: str, raw: Any, effective: Any, env: Env) -> int | None:
    """TimeoutSeconds or HeartbeatSeconds: a literal, a `…Path`, or a JSONata expression; a
    value from the input must be a positive integer."""
    if path is not None:
        value = path_value(path, effective, env.context, env.variables)
        if not _positive_integer(value):
            raise StatesError(RUNTIME, f"The {field}Path parameter does not reference a positive integer: {path.text} == {message_text(value)}")
        return int(value)
    if expression is not None:
        value = expression(raw, env)
        if not _positive_integer(value):
            raise StatesError(QUERY_EVALUATION_ERROR, f"The {field} field must be a positive integer, but was: {message_text(value)}")
        return int(value)
    return literal


def _positive_integer(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and value == int(value) and value > 0


# -- Lambda ---------------------------------------------------------------------------------------


def _call_legacy_function(call: Call) -> Generator:
    def body() -> Generator:
        result, _, _ = yield from _invoke_function(call, call.resource.arn, call.payload)
        return result

    return function_events(call, body())


def _invoke_function(call: Call, reference: str, payload: Any) -> Generator:
    """Call a local function: returns (result, request id, its ARN); raises its error."""
    runner = call.runner
    handler = call.env.services.lambdas.find(reference)
    arn = _function_arn(runner, reference)
    if handler is None:
        shown = arn if split_reference(reference)[1] not in (None, "$LATEST") else f"{arn}:$LATEST"
        raise StatesError(
            "Lambda.ResourceNotFoundException",
            f"Function not found: {shown} (Service: AWSLambda; Status Code: 404; Error Code: "
            f"ResourceNotFoundException; Request ID: {call.request_id()}; Proxy: null)",
        )
    request_id = call.request_id()
    returned = call_function(handler, payload, make_context(arn, request_id, call.timeout), runner.clock,
                             call.env.services.tokens)
    yield from call.spend(returned.slept)
    if returned.service_failure is not None:
        raise StatesError(returned.service_failure.error, returned.service_failure.cause_for(request_id))
    if returned.failure is not None:
        raise returned.failure
    return call.check_result(returned.value), request_id, arn


def _function_arn(runner, reference: str) -> str:
    return _qualified_arn(runner.region, runner.account, reference)


@functools.lru_cache(maxsize=1024)
def _qualified_arn(region: str, account: str, reference: str) -> str:
    """The function's ARN in this region and account, with the qualifier a full ARN names."""
    name, qualifier = split_reference(reference)
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier and qualifier != "$LATEST" else arn


def _call_lambda_invoke(call: Call) -> Generator:
    payload = call.payload

    def integration() -> Generator:
        function = payload.get("FunctionName") if isinstance(payload, dict) else None
        if not isinstance(function, str):
            raise StatesError(RUNTIME, "The field 'FunctionName' is required for arn:aws:states:::lambda:invoke")
        qualifier = payload.get("Qualifier")
        if isinstance(qualifier, str) and qualifier and split_reference(function)[1] is None:
            function = f"{function}:{qualifier}"
        version = split_reference(function)[1] or "$LATEST"
        version = version if version.isdigit() else "$LATEST"
        invocation_type = payload.get("InvocationType", "RequestResponse")
        event = _invoke_event(payload.get("Payload"))
        with_log = payload.get("LogType") == "Tail"
        if invocation_type in ("Event", "DryRun"):
            response = yield from _invoke_without_result(call, function, event, invocation_type, with_log)
        else:
            try:
                result, request_id, _ = yield from _invoke_function(call, function, event)
            except FunctionError as failure:  # Step Functions re-serialises the error payload compactly
                failure.cause = dumps(failure.payload)
                raise
            response = invoke_response(result, request_id, with_log, version)
        return response

    body = _with_token(call, integration()) if call.resource.waits_for_token else integration()
    return task_events(call, body)


def _invoke_without_result(call: Call, function: str, event: Any, invocation_type: str, with_log: bool) -> Generator:
    """InvocationType Event (queued: 202, the function runs, its result is dropped) or DryRun
    (204, nothing runs)."""
    handler = call.env.services.lambdas.find(function)
    if handler is None:
        yield from _invoke_function(call, function, event)  # raises ResourceNotFound
    request_id = call.request_id()
    if invocation_type == "Event":
        call_function(handler, event, make_context(_function_arn(call.runner, function), request_id, None), call.runner.clock,
                      call.env.services.tokens)
        status = 202
    else:
        status = 204
    response = invoke_response("", request_id, with_log, status=status)
    return response


def _invoke_event(payload: Any) -> Any:
    """lambda:invoke sends a string Payload as the raw request body and no Payload as none:
    the function receives the string's JSON value, or {}."""
    if payload is None:
        return {}
    if isinstance(payload, str):
        try:
            return loads(payload)
        except ValueError:
            return payload
    return payload


# -- other integrations -----------------------------------------------------------------------------


@attrs.define(slots=True)
class ServiceContext:
    """The context a service handler gets: which task calls it, and its token if it has one."""

    state_name: str
    resource: str
    execution_arn: str
    task_token: str | None
    aws_request_id: str
    _budget_ms: int

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._budget_ms - int(slept_so_far() * 1000))


def _service_handler(call: Call):
    handlers = call.env.services.handlers
    resource = call.resource
    return handlers.get(resource.arn) or handlers.get(resource.base)


def _call_service(call: Call) -> Generator:
    state, resource = call.state, call.resource
    handler = _service_handler(call)
    waits = resource.waits_for_token
    answerable = waits and (call.responder() is not None or call.env.services.channel is not None)

    def body() -> Generator:
        if handler is None and not answerable:
            how = f"run(..., lambdas={{'{resource.base}': handler}})"
            if resource.resource_type not in ("", "lambda", "states"):
                service, _, action = resource.base.removeprefix("arn:aws:states:::").removeprefix("aws-sdk:").partition(":")
                how = (f"run(..., services=pysfn_emulator.LocalAws(...)) (built in: DynamoDB, S3, SQS, SNS, EventBridge; "
                       f"any other action: services={{'{service}:{action}': handler(params)}}), or {how}")
            if waits:
                how += f" or a responder with run(..., callbacks={{'{state.name}': responder}})"
            raise StatesError(
                UNREGISTERED,
                f"No handler is registered for the resource '{resource.arn}' of state '{state.name}'. "
                f"Register one with {how}, or mock the state in a mock file.",
            )
        if waits:
            integration = _call_service_handler(call, handler) if handler is not None else _nothing({})
            return (yield from _with_token(call, integration))
        response = yield from _call_service_handler(call, handler)
        return call.check_result(response)

    return task_events(call, body())


def _nothing(response: Any) -> Generator:
    """No service call (a responder or the test stands for the service): an empty response."""
    yield from ()  # a generator, like a real call
    return response


def _call_service_handler(call: Call, handler) -> Generator:
    """A service handler's response; its exception is the service's error (class name, message)."""
    request_id = call.request_id()
    budget = (call.timeout or DEFAULT_TASK_TIMEOUT) * 1000
    context = ServiceContext(call.state.name, call.resource.arn, call.runner.context["Execution"]["Id"], call.token, request_id, budget)
    event = json_copy(call.payload)
    failure: StatesError | None = None
    with counting_sleep(call.runner.clock, call.env.services.tokens) as sleeper:
        try:
            returned = handler(event, context)
        except TaskFailure as raised:
            failure = StatesError(raised.error, raised.cause_for(request_id))
        except StatesError as raised:
            failure = raised
        except Exception as raised:
            failure = StatesError(type(raised).__name__, exception_text(raised))
        except KeyboardInterrupt:  # the person running the emulator stops it
            raise
        except BaseException as raised:  # a handler that exits fails its task, not the caller's process
            failure = StatesError(type(raised).__name__, exception_text(raised))
    yield from call.spend(sleeper.seconds)
    if failure is not None:
        raise failure
    try:
        return decode(returned)
    except (TypeError, ValueError) as error:
        raise StatesError(RUNTIME, f"The handler of '{call.resource.arn}' returned a value that is not JSON: {error}") from None


# -- callbacks and activities -------------------------------------------------------------------------


def _with_token(call: Call, integration: Generator) -> Generator:
    """A .waitForTaskToken task: its token is open during the integration call (whose handler
    may answer it, as a real Lambda calling SendTaskSuccess does), then it waits for the answer."""
    task = open_task(call, "callback")
    try:
        response = yield from integration
    except BaseException:
        task.close("failed")
        raise
    return (yield from await_callback(call, response, task))


def _call_activity(call: Call) -> Generator:
    responder = call.responder()
    channel = call.env.services.channel
    worker = getattr(responder, "__name__", None) or "pysfn-worker"
    if responder is None:
        worker = "pysfn-test"

    def body() -> Generator:
        if responder is None and channel is None:
            name = call.resource.arn.rsplit(":", 1)[-1]
            raise StatesError(
                UNREGISTERED,
                f"No worker is registered for the activity '{call.resource.arn}' of state '{call.state.name}'. "
                f"Register one with run(..., callbacks={{'{name}': worker}}) (worker(token, input) -> output), "
                "or answer it from the test through pysfn_emulator.start(...).",
            )
        task = open_task(call, "activity")
        answer = yield from task.wait(call.runner.scheduler, responder)
        return call.check_result(answer)

    return activity_events(call, worker, body())


# -- mocks ----------------------------------------------------------------------------------------------


def _mocked(call: Call, mocks: MockedStates) -> Generator:
    entry = mocks.next_entry(call.state.name)  # States.Runtime if there is no entry for this invocation

    def body() -> Generator:
        yield from ()  # a generator, like the bodies that wait
        if entry.throws:
            raise StatesError(entry.error, entry.cause)
        return call.check_result(json_copy(entry.returns))

    if call.resource.kind == "function":
        return function_events(call, body())
    return task_events(call, body())


def _call_nested(call: Call) -> Generator:
    return task_events(call, start_execution(call))


_CALLERS: dict[str, Callable[[Call], Generator]] = {
    "function": _call_legacy_function,
    "invoke": _call_lambda_invoke,
    "execution": _call_nested,
    "activity": _call_activity,
    "service": _call_service,
}
