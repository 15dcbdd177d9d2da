"""Nested executions: `arn:aws:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]`.

The Task starts a state machine registered with `run(..., state_machines={name | ARN:
definition})` as a child execution: its own history, context and clock (starting at the
parent's time), sharing the parent's handlers, responders and registered machines; the mock
file's test case of the same name applies to it if the file has one for that machine. The
child runs to its end when the Task starts it, and its Execution is kept on the parent's
`Execution.children`.

Results, as AWS shapes them:
- request-response: the StartExecution response, `{"ExecutionArn", "SdkHttpMetadata",
  "SdkResponseMetadata", "StartDate"}` (StartDate in epoch milliseconds); the parent goes on
  at once.
- `.sync`: after TaskSubmitted (the StartExecution response), the child's DescribeExecution in
  PascalCase, keys in alphabetical order, dates in epoch milliseconds, Input and Output as JSON
  text; `.sync:2` the same with Input and Output as JSON values. The parent resumes when the
  child stops. A child that does not succeed fails the Task with States.TaskFailed, whose cause
  is that DescribeExecution as JSON text.
- `.waitForTaskToken`: the token is in `$$.Task.Token` for the Input; the Task waits for its
  answer (from the child's own tasks, a responder or the test), whatever the child does.
Errors of the call itself are StepFunctions.<Code>Exception with AWS's cause text.

A distributed Map's items run as child executions too (`start_map_child`), threads of the
parent's scheduler, each within the limits of its own kind (ProcessorConfig.ExecutionType).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Generator
from typing import Any

import attrs

from ..core.errors import RUNTIME, TASK_FAILED, TIMEOUT, DefinitionError, Problem, StatesError
from ..core.jsontext import dumps, loads
from ..core.limits import EXPRESS_MAX_SECONDS
from ..definition import model
from ..definition.create import load_machine
from ..virtual_time.clock import to_ms
from ..virtual_time.scheduler import Sleep, Thread
from .history import STANDARD_HISTORY_LIMIT, History
from .interpreter import Frame, Runner, run_machine
from .launch import launch_child
from .task_call import Call, await_callback, open_task, submitted


class Registry:
    """The state machines startExecution may start, by name (from a name or any ARN form)."""

    def __init__(self, machines: dict[str, Any], region: str, account: str):
        self._machines: dict[str, Any] = {}
        self.region, self.account = region, account
        for key, definition in machines.items():
            name = machine_name(key)
            try:
                self._machines[name] = load_machine(definition)
            except DefinitionError as invalid:
                raise DefinitionError(
                    [Problem(p.pointer, f"state_machines[{key!r}]: {p.message}") for p in invalid.problems]
                ) from None

    def find(self, reference: str):
        return self._machines.get(machine_name(reference))


def machine_name(reference: str) -> str:
    """`Name`, `arn:…:stateMachine:Name`, or with a version or alias: `…:Name:1`."""
    if ":stateMachine:" in reference:
        return reference.split(":stateMachine:", 1)[1].split(":", 1)[0]
    return reference


def start_execution(call: Call) -> Generator:
    """The body of a startExecution Task (between TaskStarted and its outcome)."""
    runner, payload, resource = call.runner, call.payload, call.resource
    if not isinstance(payload, dict) or not isinstance(payload.get("StateMachineArn"), str):
        raise StatesError(RUNTIME, "The field 'StateMachineArn' is required for arn:aws:states:::states:startExecution")
    arn = payload["StateMachineArn"]
    services = call.env.services
    machine = services.state_machines.find(arn) if services.state_machines is not None else None
    name = machine_name(arn)
    if machine is None:
        raise _api_error(call, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'",
                         f" [pysfn: register it with run(..., state_machines={{'{name}': definition}})]")
    child_input = _input(call, payload.get("Input"))
    execution_name = payload.get("Name")
    if execution_name is None:
        execution_name = str(uuid.UUID(int=runner.rng.getrandbits(128), version=4))
    elif not isinstance(execution_name, str) or not execution_name:
        raise StatesError(RUNTIME, "The field 'Name' of startExecution must be a non-empty string")
    started = services.started_names
    if (name, execution_name) in started:
        raise _api_error(call, "ExecutionAlreadyExists", f"Execution Already Exists: 'arn:aws:states:{runner.region}:{runner.account}:execution:{name}:{execution_name}'")
    started.add((name, execution_name))

    start_ms = runner.clock.now_ms
    task = open_task(call, "callback") if resource.waits_for_token else None  # the child may answer it
    child_rng = random.Random(runner.rng.getrandbits(64))
    launch = launch_child(runner, machine, child_input, name, execution_name, child_rng)
    try:
        child = launch.execute()
    except BaseException:
        if task is not None:
            task.close("failed")
        raise
    call.env.children.append(child)
    if launch.stopped is not None:  # the test stopped the whole live execution while the child ran
        raise launch.stopped
    response = _start_response(child, call.request_id())
    if resource.pattern is None:
        return response
    if task is not None:
        return (yield from await_callback(call, response, task))
    submitted(call, response)
    stop_ms = to_ms(child.stop_date)
    if call.timeout is not None and stop_ms - start_ms > call.timeout * 1000:
        yield Sleep(start_ms + call.timeout * 1000)
        raise StatesError(TIMEOUT, None)
    if stop_ms > runner.clock.now_ms:
        yield Sleep(stop_ms)
    described = describe_execution(child, parsed=resource.pattern == "sync:2")
    if child.status != "SUCCEEDED":
        raise StatesError(TASK_FAILED, dumps(described))
    return call.check_result(described)


def start_map_child(runner: Runner, processor: model.Machine, item: Any, execution_type: str) -> Thread:
    """One item of a distributed Map as a child execution: a thread of the parent's scheduler
    that sees none of the parent's variables, with the limits AWS gives its kind. A STANDARD
    child fails (States.Runtime) at its own 25,000th event, an EXPRESS one times out
    (States.Timeout) 5 minutes after it started; either ends that child alone, a failed item
    for its Map. Its events are counted, not kept: nothing shows a child's history."""
    now_ms = runner.clock.now_ms
    history = History(STANDARD_HISTORY_LIMIT if execution_type == "STANDARD" else None, keep=0)
    started = history.add("ExecutionStarted", 0, now_ms)
    child = attrs.evolve(runner, history=history)
    thread = runner.scheduler.start(run_machine(child, Frame({}, started), processor, item), execution=True)
    if execution_type == "EXPRESS":
        runner.scheduler.expire_at(thread, now_ms + EXPRESS_MAX_SECONDS * 1000)
    return thread


def _input(call: Call, value: Any) -> Any:
    """StartExecution's input: a JSON value, or JSON text (which must parse); none is {}."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            return loads(value)
        except ValueError:
            raise _api_error(call, "InvalidExecutionInput", f"Invalid State Machine Execution Input: '{value}' is not JSON") from None
    return value


def _api_error(call: Call, code: str, message: str, hint: str = "") -> StatesError:
    return StatesError(
        f"StepFunctions.{code}Exception",
        f"{message} (Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; Request ID: "
        f"{call.request_id()}; Proxy: null){hint}",
    )




def _start_response(child, request_id: str) -> dict:
    body = json.dumps({"executionArn": child.execution_arn, "startDate": to_ms(child.start_date) / 1000}, separators=(",", ":"))
    length = str(len(body))
    date = "Thu, 01 Jan 1970 00:00:00 GMT"
    return {
        "ExecutionArn": child.execution_arn,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "x-amzn-RequestId": [request_id],
                "connection": ["keep-alive"],
                "Content-Length": [length],
                "Date": [date],
                "Content-Type": ["application/x-amz-json-1.0"],
            },
            "HttpHeaders": {
                "connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/x-amz-json-1.0",
                "Date": date,
                "x-amzn-RequestId": request_id,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StartDate": to_ms(child.start_date),
    }


def describe_execution(child, parsed: bool) -> dict:
    """DescribeExecution of a stopped child as .sync (JSON text) or .sync:2 (parsed) returns it."""
    described: dict[str, Any] = {
        "ExecutionArn": child.execution_arn,
        "Input": child.input if parsed else dumps(child.input),
        "InputDetails": {"Included": True},
        "Name": child.name,
        "RedriveCount": 0,
        "StartDate": to_ms(child.start_date),
        "StateMachineArn": child.state_machine_arn,
        "Status": child.status,
        "StopDate": to_ms(child.stop_date),
    }
    if child.status == "SUCCEEDED":
        described["Output"] = child.output if parsed else dumps(child.output)
        described["OutputDetails"] = {"Included": True}
        described["RedriveStatus"] = "NOT_REDRIVABLE"
        described["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
    else:
        described["RedriveStatus"] = "REDRIVABLE"
        if child.error is not None:
            described["Error"] = child.error
        if child.cause is not None:
            described["Cause"] = child.cause
    return dict(sorted(described.items()))
