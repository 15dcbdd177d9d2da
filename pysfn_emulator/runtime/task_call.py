"""What a Task's attempt works with: the services an execution shares, its Resource read once,
the `Call` of one attempt, and the events and tokens every kind of task records the same way."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import attrs

from ..core.errors import HEARTBEAT_TIMEOUT, TIMEOUT, StatesError
from ..definition import model
from ..integrations import callbacks
from ..integrations.lambda_runtime import LambdaIndex
from ..integrations.mock_config import MockConfig, MockedStates
from ..virtual_time.scheduler import Sleep
from .interpreter import Frame, Runner, check_size

if TYPE_CHECKING:  # for annotations only: nested executions build on this module
    from .nested import Registry

_TIMEOUTS = (TIMEOUT, HEARTBEAT_TIMEOUT)


# -- what an execution's tasks share ------------------------------------------------------------


@attrs.define(eq=False)
class Services:
    """What an execution and the executions it starts share: handlers, responders, the
    registered state machines, the mock file and, for a live execution, its channel."""

    handlers: dict  # the `lambdas` argument: functions, and integration ARNs
    lambdas: LambdaIndex
    callbacks: dict  # state name | resource ARN | activity name → responder(token, payload)
    state_machines: Registry | None = None
    mock_config: MockConfig | None = None
    test_case: str | None = None
    channel: callbacks.Channel | None = None
    tokens: Any = attrs.field(factory=callbacks.task_tokens)  # the run's open tasks by token
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
        if resource_type == "aws-sdk" and len(parts) > 7:  # AWS records "aws-sdk:dynamodb" and "getItem"
            resource_type, action = f"aws-sdk:{parts[6]}", ":".join(parts[7:])
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

    runner: Runner
    frame: Frame
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


# -- events -------------------------------------------------------------------------------------


def task_events(call: Call, body: Generator) -> Generator:
    """TaskScheduled, TaskStarted, then TaskSucceeded / TaskFailed / TaskTimedOut around `body`."""
    resource = call.resource
    names = {"resourceType": resource.resource_type, "resource": resource.resource}
    details = {**names, "region": call.runner.region, "parameters": call.payload}
    if call.timeout is not None:
        details["timeoutInSeconds"] = call.timeout
    if call.heartbeat is not None:
        details["heartbeatInSeconds"] = call.heartbeat
    return _bracket(call, _TASK, details, names, names, body)


def function_events(call: Call, body: Generator) -> Generator:
    """LambdaFunctionScheduled, LambdaFunctionStarted, then its outcome (a function ARN as Resource)."""
    details = {"resource": call.resource.arn, "input": call.payload}
    if call.timeout is not None:
        details["timeoutInSeconds"] = call.timeout
    return _bracket(call, _FUNCTION, details, None, {}, body)


def activity_events(call: Call, worker: str, body: Generator) -> Generator:
    """ActivityScheduled, ActivityStarted (by `worker`), then its outcome."""
    details = {"resource": call.resource.arn, "input": call.payload}
    if call.timeout is not None:
        details["timeoutInSeconds"] = call.timeout
    if call.heartbeat is not None:
        details["heartbeatInSeconds"] = call.heartbeat
    return _bracket(call, _ACTIVITY, details, {"workerName": worker}, {}, body)


@attrs.frozen
class _Family:
    """The names of one family of task events (Task*, LambdaFunction*, Activity*) and their details' keys."""

    scheduled: tuple[str, str]
    started: tuple[str, str]
    succeeded: tuple[str, str]
    failed: tuple[str, str]
    timed_out: tuple[str, str]

    @classmethod
    def named(cls, prefix: str) -> _Family:
        key = prefix[0].lower() + prefix[1:]

        def pair(outcome: str) -> tuple[str, str]:
            return f"{prefix}{outcome}", f"{key}{outcome}EventDetails"

        return cls(pair("Scheduled"), pair("Started"), pair("Succeeded"), pair("Failed"), pair("TimedOut"))


_TASK, _FUNCTION, _ACTIVITY = _Family.named("Task"), _Family.named("LambdaFunction"), _Family.named("Activity")


def _bracket(call: Call, family: _Family, scheduled: dict, started: dict | None, names: dict,
             body: Generator) -> Generator:
    """The scheduled/started/succeeded-or-failed-or-timed-out events around a call's body;
    `names` go into the outcome's details too (Task* events name the resource in each)."""
    call.event(*family.scheduled, scheduled)
    if started is None:
        call.event(family.started[0])
    else:
        call.event(*family.started, started)
    try:
        result = yield from body
    except StatesError as error:
        kind, key = family.timed_out if error.error in _TIMEOUTS else family.failed
        call.event(kind, key, {**names, **_failure(error)})
        raise
    call.event(*family.succeeded, {**names, "output": result})
    return result


def submitted(call: Call, output: Any) -> None:
    """TaskSubmitted: the integration call of a task that waits (for its token, or a child) returned."""
    names = {"resourceType": call.resource.resource_type, "resource": call.resource.resource}
    call.event("TaskSubmitted", "taskSubmittedEventDetails", {**names, "output": output})


def _failure(error: StatesError) -> dict:
    details = {}
    if error.error is not None:
        details["error"] = error.error
    if error.cause is not None:
        details["cause"] = error.cause
    return details


# -- tokens -------------------------------------------------------------------------------------


def open_task(call: Call, kind: str) -> callbacks.PendingTask:
    """The call's token, open for an answer ("callback" or "activity")."""
    return callbacks.open_task(
        call.runner, call.token, call.state.name, call.resource.arn, call.payload, call.timeout,
        call.heartbeat, kind, call.env.services.channel,
    )


def await_callback(call: Call, response: Any, task: callbacks.PendingTask) -> Generator:
    """After the integration call of a .waitForTaskToken task: TaskSubmitted, then the answer."""
    submitted(call, response)
    answer = yield from task.wait(call.runner.scheduler, call.responder())
    return call.check_result(answer)
