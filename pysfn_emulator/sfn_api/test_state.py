"""TestState: one state run on its own, as the TestState API runs it.

The state runs inside a small machine the emulator runs like any other: a first Pass state
sets the test's variables, then the state itself, whose every transition leads to a
stand-in Succeed state (so `nextState` is the transition taken). Its Retry is left out and
decided here, as TestState decides it: a retrier that matches and has attempts left makes the
status RETRIABLE (`stateConfiguration.retrierRetryCount` says how many were spent). A `mock`
answers the Task through a Step Functions Local mock file, as the service's response.

A Map or Parallel state is tested only with a mock (as AWS does): the mock is its result, so
its iterations or branches do not run. It runs as a Task with the same data flow (InputPath,
ResultSelector, ResultPath, OutputPath, Output, Assign, Catch) whose mocked answer is the
mock, or the error the Map fails with: the error of getting its items, the mocked error, or
States.ExceedToleratedFailureThreshold when `stateConfiguration.mapIterationFailureCount`
exceeds what the Map tolerates.
"""

from __future__ import annotations

import json
from typing import Any

import pysfn_emulator

from .errors import ApiError
from .executions import dump_json
from .test_state_checks import check_configuration, check_context, check_mock
from .test_state_http import http_exchange
from .test_state_stages import SETUP, Stages, setup_state

_TEST_MACHINE = "TestStateMachine"
_TEST_CASE = "TestState"
_STATE_NAME = "StateName"  # recorded: what AWS calls a state tested on its own
_STUB = "pysfn-test-state-next-{}"
_GET_OBJECT = "arn:aws:states:::s3:getObject"
_LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
_STAND_IN = "arn:aws:states:::aws-sdk:sfn:describeMapRun"  # answered by the mock, never called
# What a Map or Parallel keeps when it runs as a Task: its data flow and its transitions.
_CONTAINER_KEEPS = ("Comment", "QueryLanguage", "InputPath", "ResultSelector", "ResultPath", "OutputPath", "Output",
                    "Assign", "Catch", "Next", "End")
_THRESHOLD = ("States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded")


def test_state(params: dict, *, lambdas: dict, region: str, account: str, start_time: Any) -> dict:
    state_name, state, query_language = _the_state(params)
    mocked = check_mock(params, state)
    check_configuration(params, state)
    context = check_context(params, state)
    original = dict(state)
    retriers = state.pop("Retry", None) or []
    targets: dict[str, str] = {}  # stand-in name -> the state's own target
    _redirect(state, targets)
    variables = _json_param(params, "variables", {}, "InvalidDefinition")
    if not isinstance(variables, dict):
        raise ApiError("ValidationException", "variables must be a JSON object")
    input_value = _json_param(params, "input", {}, "InvalidExecutionInput")
    common: dict[str, Any] = {"region": region, "account": account, "start_time": start_time, "seed": 0,
                              "role_arn": params.get("roleArn")}  # recorded: $$.Execution.RoleArn is the test's role
    if context is not None:
        common["context"] = context
    handlers = _with_reader_data(lambdas, params)
    language = query_language or original.get("QueryLanguage")
    stages = Stages(state_name, original, input_value, variables, language,
                    {**common, "lambdas": handlers} if handlers else common)
    if query_language and "QueryLanguage" not in state:
        state["QueryLanguage"] = query_language
    mock = params.get("mock")
    response = _response(mock, mocked) if mock is not None else None
    inspection: dict[str, Any] = {}
    if original.get("Type") in ("Map", "Parallel"):
        state, response = _as_task(state, original, stages, params, mocked, response, inspection)
    states: dict[str, Any] = {}
    if variables:
        states[SETUP] = setup_state(variables, state_name)
        input_value = {"variables": variables, "input": input_value}
    states[state_name] = state
    for stub in targets:
        states[stub] = {"Type": "Succeed"}
    definition = {"StartAt": next(iter(states)), "States": states}
    options: dict[str, Any] = {**common, "lambdas": handlers, "state_machine_name": _TEST_MACHINE}
    if response is not None:
        options.update(mock_config=_mock_config(state_name, response), test_case=_TEST_CASE)
    try:
        execution = pysfn_emulator.run(definition, input_value, **options)
    except pysfn_emulator.DefinitionError as error:
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{error}'") from None
    except pysfn_emulator.InvalidExecutionInput as error:
        raise ApiError("InvalidExecutionInput", str(error)) from None
    except (pysfn_emulator.NotSupportedError, pysfn_emulator.MockConfigError) as error:
        raise ApiError("ValidationException", str(error)) from None
    return _outcome(params, execution, state_name, targets, retriers, variables, stages, inspection)


def _the_state(params: dict) -> tuple[str, dict, str | None]:
    definition = _json_param(params, "definition", None, "InvalidDefinition")
    if not isinstance(definition, dict):
        raise ApiError("InvalidDefinition", "Invalid State Machine Definition: 'the definition must be a JSON object'")
    if "States" in definition:  # a whole machine: the state named by stateName
        name = params.get("stateName")
        if name is None or name not in definition["States"]:
            raise ApiError("ValidationException", f"stateName must name a state of the definition: {name!r}")
        return name, dict(definition["States"][name]), definition.get("QueryLanguage")
    return params.get("stateName") or _STATE_NAME, definition, None


def _redirect(state: dict, targets: dict[str, str]) -> None:
    def stub(target: str) -> str:
        name = _STUB.format(len(targets))
        targets[name] = target
        return name

    if "Next" in state:
        state["Next"] = stub(state["Next"])
    elif state.get("Type") not in ("Choice", "Succeed", "Fail"):
        state["End"] = True
    if "Default" in state:
        state["Default"] = stub(state["Default"])
    if "Choices" in state:
        state["Choices"] = [{**rule, "Next": stub(rule["Next"])} for rule in state["Choices"]]
    if "Catch" in state:
        state["Catch"] = [{**catcher, "Next": stub(catcher["Next"])} for catcher in state["Catch"]]


def _with_reader_data(lambdas: dict, params: dict) -> dict | None:
    """stateConfiguration.mapItemReaderData: what a distributed Map's ItemReader reads (the
    object's content, or the listing's objects), served as S3's answer."""
    data = (params.get("stateConfiguration") or {}).get("mapItemReaderData")
    if data is None:
        return lambdas or None

    def listing(request: Any, context: Any) -> Any:
        try:
            return json.loads(data)
        except ValueError:
            return data

    return {**lambdas, _GET_OBJECT: lambda request, context: data, _LIST_OBJECTS: listing}


def _response(mock: dict, mocked: Any) -> dict:
    if "result" in mock:
        return {"Return": mocked}
    error = mock["errorOutput"]
    return {"Throw": {"Error": error.get("error", ""), "Cause": error.get("cause", "")}}


def _as_task(state: dict, original: dict, stages: Stages, params: dict, mocked: Any, response: dict | None,
             inspection: dict) -> tuple[dict, dict | None]:
    """A Map or Parallel as a Task whose mocked answer is the state's result (or error)."""
    task = {key: state[key] for key in _CONTAINER_KEEPS if key in state}
    task.update(Type="Task", Resource=_STAND_IN)
    if original["Type"] == "Parallel":
        task.update({key: state[key] for key in ("Parameters", "Arguments") if key in state})
        return task, response
    stages.map_items(inspection)
    if stages.items_failure is not None:
        error, cause = stages.items_failure
        return task, {"Throw": {"Error": error or "", "Cause": cause or ""}}
    stages.settings(inspection)
    failures = (params.get("stateConfiguration") or {}).get("mapIterationFailureCount")
    if failures is None or response is None or "Throw" in response:
        return task, response
    total = len(mocked) if isinstance(mocked, list) else stages.items_count
    if total is not None and failures > total:
        raise ApiError("ValidationException",
                       "Map iteration failure count must be less than or equal to the number of Map iterations")
    count = inspection.get("toleratedFailureCount")
    percentage = inspection.get("toleratedFailurePercentage")
    exceeded = (count is not None and failures > count) or (
        percentage is not None and total and failures * 100 / total > percentage)
    if exceeded:  # recorded: a Map that declares no tolerance is not failed by the count
        return task, {"Throw": {"Error": _THRESHOLD[0], "Cause": _THRESHOLD[1]}}
    return task, response


def _mock_config(state_name: str, response: dict) -> dict:
    return {"StateMachines": {_TEST_MACHINE: {"TestCases": {_TEST_CASE: {state_name: "mocked"}}}},
            "MockedResponses": {"mocked": {"0": response}}}


def _outcome(params: dict, execution: Any, state_name: str, targets: dict, retriers: list, variables: dict,
             stages: Stages, inspection: dict) -> dict:
    events = execution.history
    taken = [(to, how, index) for source, to, how, index in execution.transitions if source == state_name]
    failure = _failure(events)
    result: dict[str, Any] = {}
    details: dict[str, Any] = {}
    if failure is not None and (not taken or taken[0][1] == "Catch"):
        error, cause = failure
        result.update(error=error, cause=cause)
        retry = _retrier(retriers, error, (params.get("stateConfiguration") or {}).get("retrierRetryCount", 0))
        if retry is not None:
            index, interval = retry
            details["retryIndex"] = index
            if interval is not None:
                result["status"] = "RETRIABLE"
                details["retryBackoffIntervalSeconds"] = interval
                return _inspected(params, result, events, state_name, variables, stages, inspection, details)
        if taken:
            result["status"] = "CAUGHT_ERROR"
            result["nextState"] = targets[taken[0][0]]
            result["output"] = _entered_input(events, taken[0][0])
            if taken[0][2] is not None:
                details["catchIndex"] = taken[0][2]
        else:
            result["status"] = "FAILED"
        return _inspected(params, result, events, state_name, variables, stages, inspection, details)
    result["status"] = "SUCCEEDED"
    if taken:
        result["nextState"] = targets[taken[0][0]]
        result["output"] = _entered_input(events, taken[0][0])
    else:
        result["output"] = dump_json(execution.output)
    return _inspected(params, result, events, state_name, variables, stages, inspection, details)


def _failure(events: list[dict]) -> tuple[str | None, str | None] | None:
    """The first error a state raised, from the history."""
    for event in events:
        if event["type"].endswith(("Failed", "TimedOut")) and not event["type"].startswith("Execution"):
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
            return details.get("error"), details.get("cause")
    for event in events:
        if event["type"] in ("ExecutionFailed", "ExecutionTimedOut"):
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
            return details.get("error"), details.get("cause")
    return None


def _retrier(retriers: list, error: str | None, spent: int) -> tuple[int, int | float | None] | None:
    """The retrier that matches the error and its wait: (index, seconds), or (index, None) when
    its attempts are spent (recorded: AWS still names it in errorDetails.retryIndex)."""
    for index, retrier in enumerate(retriers):
        names = retrier.get("ErrorEquals", [])
        if error in names or "States.ALL" in names or (
                "States.TaskFailed" in names and error is not None and not error.startswith("States.")):
            if spent >= retrier.get("MaxAttempts", 3):
                return index, None
            interval = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** spent
            interval = min(interval, retrier.get("MaxDelaySeconds", interval))
            return index, int(interval) if interval == int(interval) else interval
    return None


def _entered_input(events: list[dict], state: str) -> str | None:
    for event in events:
        details = event.get("stateEnteredEventDetails")
        if details and details.get("name") == state:
            return details.get("input")
    return None


def _inspected(params: dict, result: dict, events: list[dict], state_name: str, variables: dict,
               stages: Stages, inspection: dict, details: dict) -> dict:
    """inspectionData at DEBUG and TRACE: the data as it went through the state, as far as
    the history shows it."""
    if params.get("inspectionLevel", "INFO") == "INFO":
        return result
    data = result.setdefault("inspectionData", {})
    assigned = dict(variables)
    container = stages.state.get("Type") in ("Map", "Parallel")
    for event in events:
        entered = event.get("stateEnteredEventDetails")
        if entered and entered.get("name") == state_name:
            data["input"] = entered.get("input")
        scheduled = event.get("taskScheduledEventDetails")
        if scheduled and not container:
            data["afterParameters"] = scheduled.get("parameters")
        for key in ("taskSucceededEventDetails", "lambdaFunctionSucceededEventDetails"):
            if key in event:
                data["result"] = event[key].get("output")
        exited = event.get("stateExitedEventDetails")
        if exited and exited.get("name") == state_name:
            data["afterResultPath"] = exited.get("output")
            assigned.update({k: json.loads(v) for k, v in (exited.get("assignedVariables") or {}).items()})
    if assigned:
        data["variables"] = dump_json(assigned)
    stages.fill(data, succeeded=result["status"] == "SUCCEEDED")
    if container:
        data.pop("result", None)  # recorded: a mocked Map or Parallel shows no result
    data.update(inspection)
    if details:
        data["errorDetails"] = details
    if params.get("inspectionLevel") == "TRACE":
        data.update(http_exchange(stages.state, events, mocked=params.get("mock") is not None))
    return result


def _json_param(params: dict, name: str, default: Any, code: str) -> Any:
    text = params.get(name)
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError as error:
        raise ApiError(code, f"{name} is not valid JSON: {error}") from None
