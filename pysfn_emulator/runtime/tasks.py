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
import uuid
from collections.abc import Callable, Generator
from typing import Any

import attrs

from ..core.errors import (
    HEARTBEAT_TIMEOUT,
    QUERY_EVALUATION_ERROR,
    RUNTIME,
    TIMEOUT,
    StatesError,
)
from ..core.jsontext import dumps, json_copy, loads, message_text
from ..definition import model
from ..integrations import callbacks
from ..integrations.failures import TaskFailure, exception_text
from ..integrations.lambda_runtime import (
    FunctionError,
    LambdaIndex,
    call_function,
    decode,
    invoke_response,
    make_context,
    split_reference,
)
from ..integrations.mock_config import MockConfig, MockedStates
from ..query.pipeline import Env, path_value
from ..virtual_time.scheduler import Sleep
from ..virtual_time.virtual_sleep import counting_sleep, slept_so_far
from .interpreter import check_size

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
UNREGISTERED = "pysfn.ResourceNotRegistered"
DEFAULT_TASK_TIMEOUT = callbacks.DEFAULT_TASK_TIMEOUT
_TIMEOUTS = (TIMEOUT, HEARTBEAT_TIMEOUT)


# -- what an execution's tasks share ------------------------------------------------------------


@attrs.define(eq=False)
class Services:
    """What an execution and the executions it starts share: handlers, responders, the
    registered state machines, the mock file and, for a live execution, its channel."""

    handlers: dict  # the `lambdas` argument: functions, and integration ARNs
    lambdas: LambdaIndex
    callbacks: dict  # state name | resource ARN | activity name → responder(token, payload)
    state_machines: Any = None  # nested.Registry
    mock_config: MockConfig | None = None
    test_case: str | None = None
    channel: callbacks.Channel | None = None
    started_names: set = attrs.field(factory=set)  # (machine, execution name) of nested executions

    @classmethod
    def create(cls, lambdas: dict | None = None, **fields: Any) -> Services:
        handlers = dict(lambdas or {})
        return cls(handlers=handlers, lambdas=LambdaIndex(handlers), callbacks=dict(fields.pop("callbacks", None) or {}), **fields)


@attrs.define(eq=False)
class TaskEnv:
    """One execution's task machinery: the shared services and its own mock counters."""

    services: Services
    mocks: MockedStates | None = None
    children: list = attrs.field(factory=list)  # Executions started by startExecution tasks
    tokens_given: int = 0  # context tokens of Tasks that wait for no answer (callbacks.context_token)

    def context_token(self, execution_id: str) -> str:
        self.tokens_given += 1
        return callbacks.context_token(execution_id, self.tokens_given)


# -- resources ----------------------------------------------------------------------------------


@attrs.frozen
class Resource:
    """A Task's Resource, read once: how to call it and how AWS names it in events."""

    arn: str
    kind: str  # "function" | "invoke" | "execution" | "activity" | "service"
    resource_type: str  # taskScheduledEventDetails.resourceType
    resource: str  # taskScheduledEventDetails.resource: the action with its pattern
    base: str  # the ARN without its pattern suffix
    pattern: str | None  # "waitForTaskToken" | "sync" | "sync:2" | None

    @property
    def waits_for_token(self) -> bool:
        return self.pattern == "waitForTaskToken"


@functools.lru_cache(maxsize=4096)
def parse_resource(arn: str) -> Resource:
    parts = arn.split(":")
    if len(parts) > 6 and parts[2] == "lambda" and parts[5] == "function":
        return Resource(arn, "function", "lambda", arn, arn, None)
    if len(parts) > 6 and parts[2] == "states" and parts[5] == "activity":
        return Resource(arn, "activity", "activity", arn, arn, None)
    if len(parts) > 6 and parts[2] == "states" and parts[3] == parts[4] == "":
        resource_type, action = parts[5], ":".join(parts[6:])
        name, dot, pattern = action.partition(".")
        base = arn[: len(arn) - len(dot + pattern)]
        if (resource_type, name) == ("lambda", "invoke"):
            kind = "invoke"
        elif (resource_type, name) == ("states", "startExecution"):
            kind = "execution"
        else:
            kind = "service"
        return Resource(arn, kind, resource_type, action, base, pattern or None)
    return Resource(arn, "service", "", arn, arn, None)


# -- one attempt of a Task state ----------------------------------------------------------------


@attrs.define(slots=True)
class Call:
    """One attempt of one Task state."""

    runner: Any
    frame: Any
    state: model.Task
    resource: Resource
    payload: Any
    timeout: int | None
    heartbeat: int | None
    token: str | None

    @property
    def env(self) -> TaskEnv:
        return self.runner.tasks

    def request_id(self) -> str:
        return str(uuid.UUID(int=self.runner.rng.getrandbits(128), version=4))

    def event(self, kind: str, key: str | None = None, details: dict | None = None) -> int:
        return self.runner.event(self.frame, kind, key, details)

    def spend(self, seconds: float) -> Generator:
        """The time a handler took, on the scheduler's clock (other branches and iterations run
        meanwhile); past the task's timeout, the task times out at the timeout."""
        timeout = self.timeout
        now = self.runner.clock.now_ms
        if timeout is not None and seconds >= timeout:
            yield Sleep(now + timeout * 1000)
            raise StatesError(TIMEOUT, None)
        if seconds:
            yield Sleep(now + int(round(seconds * 1000)))

    def label(self) -> str:
        """How AWS names the task in a DataLimitExceeded cause."""
        if self.resource.kind == "function":
            return self.resource.arn
        return self.resource.resource_type or self.resource.arn

    def check_result(self, result: Any) -> Any:
        check_size(result, self.label())
        return result

    def responder(self) -> callbacks.Responder | None:
        registered = self.env.services.callbacks
        if not registered:
            return None
        resource = self.resource
        keys = [self.state.name, resource.arn, resource.base]
        if resource.kind == "activity":
            keys.append(resource.arn.rsplit(":", 1)[-1])
        for key in keys:
            if key in registered:
                return registered[key]
        return None


def run_attempt(runner, frame, state: model.Task, raw: Any, effective: Any, env: Env, visit) -> Generator:
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


# -- events -------------------------------------------------------------------------------------


def _task_events(call: Call, body: Generator) -> Generator:
    """TaskScheduled, TaskStarted, then TaskSucceeded / TaskFailed / TaskTimedOut around `body`."""
    resource = call.resource
    names = {"resourceType": resource.resource_type, "resource": resource.resource}
    details = {**names, "region": call.runner.region, "parameters": call.payload}
    if call.timeout is not None:
        details["timeoutInSeconds"] = call.timeout
    if call.heartbeat is not None:
        details["heartbeatInSeconds"] = call.heartbeat
    call.event("TaskScheduled", "taskScheduledEventDetails", details)
    call.event("TaskStarted", "taskStartedEventDetails", names)
    try:
        result = yield from body
    except StatesError as error:
        if error.error in _TIMEOUTS:
            call.event("TaskTimedOut", "taskTimedOutEventDetails", {**names, **_failure(error)})
        else:
            call.event("TaskFailed", "taskFailedEventDetails", {**names, **_failure(error)})
        raise
    call.event("TaskSucceeded", "taskSucceededEventDetails", {**names, "output": result})
    return result


def _submitted(call: Call, output: Any) -> None:
    names = {"resourceType": call.resource.resource_type, "resource": call.resource.resource}
    call.event("TaskSubmitted", "taskSubmittedEventDetails", {**names, "output": output})


def _function_events(call: Call, body: Generator) -> Generator:
    details = {"resource": call.resource.arn, "input": call.payload}
    if call.timeout is not None:
        details["timeoutInSeconds"] = call.timeout
    call.event("LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", details)
    call.event("LambdaFunctionStarted")
    try:
        result = yield from body
    except StatesError as error:
        if error.error in _TIMEOUTS:
            call.event("LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails", _failure(error))
        else:
            call.event("LambdaFunctionFailed", "lambdaFunctionFailedEventDetails", _failure(error))
        raise
    call.event("LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails", {"output": result})
    return result


def _activity_events(call: Call, worker: str, body: Generator) -> Generator:
    details = {"resource": call.resource.arn, "input": call.payload}
    if call.timeout is not None:
        details["timeoutInSeconds"] = call.timeout
    if call.heartbeat is not None:
        details["heartbeatInSeconds"] = call.heartbeat
    call.event("ActivityScheduled", "activityScheduledEventDetails", details)
    call.event("ActivityStarted", "activityStartedEventDetails", {"workerName": worker})
    try:
        result = yield from body
    except StatesError as error:
        if error.error in _TIMEOUTS:
            call.event("ActivityTimedOut", "activityTimedOutEventDetails", _failure(error))
        else:
            call.event("ActivityFailed", "activityFailedEventDetails", _failure(error))
        raise
    call.event("ActivitySucceeded", "activitySucceededEventDetails", {"output": result})
    return result


def _failure(error: StatesError) -> dict:
    details = {}
    if error.error is not None:
        details["error"] = error.error
    if error.cause is not None:
        details["cause"] = error.cause
    return details


# -- Lambda ---------------------------------------------------------------------------------------


def _call_legacy_function(call: Call) -> Generator:
    def body() -> Generator:
        result, _, _ = yield from _invoke_function(call, call.resource.arn, call.payload)
        return result

    return _function_events(call, body())


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
    returned = call_function(handler, payload, make_context(arn, request_id, call.timeout))
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
    return _task_events(call, body)


def _invoke_without_result(call: Call, function: str, event: Any, invocation_type: str, with_log: bool) -> Generator:
    """InvocationType Event (queued: 202, the function runs, its result is dropped) or DryRun
    (204, nothing runs)."""
    handler = call.env.services.lambdas.find(function)
    if handler is None:
        yield from _invoke_function(call, function, event)  # raises ResourceNotFound
    request_id = call.request_id()
    if invocation_type == "Event":
        call_function(handler, event, make_context(_function_arn(call.runner, function), request_id, None))
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

    return _task_events(call, body())


def _nothing(response: Any) -> Generator:
    """No service call (a responder or the test stands for the service): an empty response."""
    return response
    yield  # a generator, like a real call


def _call_service_handler(call: Call, handler) -> Generator:
    """A service handler's response; its exception is the service's error (class name, message)."""
    request_id = call.request_id()
    budget = (call.timeout or DEFAULT_TASK_TIMEOUT) * 1000
    context = ServiceContext(call.state.name, call.resource.arn, call.runner.context["Execution"]["Id"], call.token, request_id, budget)
    event = json_copy(call.payload)
    failure: StatesError | None = None
    with counting_sleep() as sleeper:
        try:
            returned = handler(event, context)
        except TaskFailure as raised:
            failure = StatesError(raised.error, raised.cause_for(request_id))
        except StatesError as raised:
            failure = raised
        except Exception as raised:
            failure = StatesError(type(raised).__name__, exception_text(raised))
        except SystemExit as raised:  # a handler that exits fails its task, not the caller's process
            failure = StatesError("SystemExit", exception_text(raised))
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
    task = _open(call, "callback")
    try:
        response = yield from integration
    except BaseException:
        callbacks.close(task, "failed")
        raise
    return (yield from _callback(call, response, task))


def _callback(call: Call, response: Any, task: callbacks.PendingTask) -> Generator:
    """After the integration call of a .waitForTaskToken task: TaskSubmitted, then the answer."""
    _submitted(call, response)
    answer = yield from callbacks.await_answer(call.runner, task, call.responder())
    return call.check_result(answer)


def _open(call: Call, kind: str) -> callbacks.PendingTask:
    return callbacks.open_task(
        call.runner, call.token, call.state.name, call.resource.arn, call.payload, call.timeout,
        call.heartbeat, kind, call.env.services.channel,
    )


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
        task = _open(call, "activity")
        answer = yield from callbacks.await_answer(call.runner, task, responder)
        return call.check_result(answer)

    return _activity_events(call, worker, body())


# -- mocks ----------------------------------------------------------------------------------------------


def _mocked(call: Call, mocks: MockedStates) -> Generator:
    entry = mocks.next_entry(call.state.name)  # States.Runtime if there is no entry for this invocation

    def body() -> Generator:
        if entry.throws:
            raise StatesError(entry.error, entry.cause)
        return call.check_result(json_copy(entry.returns))
        yield  # a generator, like the bodies that wait

    if call.resource.kind == "function":
        return _function_events(call, body())
    return _task_events(call, body())


def _call_nested(call: Call) -> Generator:
    from .nested import start_execution

    return _task_events(call, start_execution(call))


_CALLERS: dict[str, Callable[[Call], Generator]] = {
    "function": _call_legacy_function,
    "invoke": _call_lambda_invoke,
    "execution": _call_nested,
    "activity": _call_activity,
    "service": _call_service,
}
