"""TestState: one state run on its own, as the TestState API runs it.

The state runs inside a small machine the emulator runs like any other: a first Pass state
sets the test's variables, then the state itself, whose every transition leads to a
stand-in Succeed state (so `nextState` is the transition taken). Its Retry is left out and
decided here, as TestState decides it: a retrier that matches and has attempts left makes the
status RETRIABLE (`stateConfiguration.retrierRetryCount` says how many were spent). A `mock`
answers the Task through a Step Functions Local mock file, as the service's response.
"""

from __future__ import annotations

import json
from typing import Any

import pysfn_emulator

from .errors import ApiError
from .executions import dump_json

_TEST_MACHINE = "TestStateMachine"
_TEST_CASE = "TestState"
_SETUP = "pysfn-test-state-setup"
_STUB = "pysfn-test-state-next-{}"
_GET_OBJECT = "arn:aws:states:::s3:getObject"
_LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"


def test_state(params: dict, *, lambdas: dict, region: str, account: str, start_time: Any) -> dict:
    state_name, state, query_language = _the_state(params)
    original = dict(state)
    retriers = state.pop("Retry", None) or []
    targets: dict[str, str] = {}  # stand-in name -> the state's own target
    _redirect(state, targets)
    variables = _json_param(params, "variables", {}, "InvalidDefinition")
    if not isinstance(variables, dict):
        raise ApiError("ValidationException", "variables must be a JSON object")
    input_value = _json_param(params, "input", {}, "InvalidExecutionInput")
    common = {"region": region, "account": account, "start_time": start_time, "seed": 0}
    stages = _Stages(original, input_value, variables, query_language or original.get("QueryLanguage"), common)
    if query_language and "QueryLanguage" not in state:
        state["QueryLanguage"] = query_language
    states: dict[str, Any] = {}
    if variables:
        states[_SETUP] = {"Type": "Pass", "QueryLanguage": "JSONPath", "OutputPath": "$.input", "Next": state_name,
                          "Assign": {f"{name}.$": f"$.variables[{json.dumps(name)}]" for name in variables}}
        input_value = {"variables": variables, "input": input_value}
    states[state_name] = state
    for stub in targets:
        states[stub] = {"Type": "Succeed"}
    definition = {"StartAt": next(iter(states)), "States": states}
    options: dict[str, Any] = {**common, "lambdas": _with_reader_data(lambdas, params),
                               "state_machine_name": _TEST_MACHINE}
    mock = params.get("mock")
    if mock is not None:
        options.update(mock_config=_mock_config(state_name, mock), test_case=_TEST_CASE)
    try:
        execution = pysfn_emulator.run(definition, input_value, **options)
    except pysfn_emulator.DefinitionError as error:
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{error}'") from None
    except pysfn_emulator.InvalidExecutionInput as error:
        raise ApiError("InvalidExecutionInput", str(error)) from None
    except (pysfn_emulator.NotSupportedError, pysfn_emulator.MockConfigError) as error:
        raise ApiError("ValidationException", str(error)) from None
    return _outcome(params, execution, state_name, targets, retriers, variables, stages)


def _the_state(params: dict) -> tuple[str, dict, str | None]:
    definition = _json_param(params, "definition", None, "InvalidDefinition")
    if not isinstance(definition, dict):
        raise ApiError("InvalidDefinition", "Invalid State Machine Definition: 'the definition must be a JSON object'")
    if "States" in definition:  # a whole machine: the state named by stateName
        name = params.get("stateName")
        if name is None or name not in definition["States"]:
            raise ApiError("ValidationException", f"stateName must name a state of the definition: {name!r}")
        return name, dict(definition["States"][name]), definition.get("QueryLanguage")
    return params.get("stateName") or "TestState", definition, None


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


def _mock_config(state_name: str, mock: dict) -> dict:
    if "result" in mock:
        try:
            response = {"Return": json.loads(mock["result"])}
        except ValueError as error:
            raise ApiError("ValidationException", f"mock.result is not JSON: {error}") from None
    elif "errorOutput" in mock:
        error = mock["errorOutput"]
        response = {"Throw": {"Error": error.get("error", ""), "Cause": error.get("cause", "")}}
    else:
        raise ApiError("ValidationException", "mock must have a result or an errorOutput")
    return {"StateMachines": {_TEST_MACHINE: {"TestCases": {_TEST_CASE: {state_name: "mocked"}}}},
            "MockedResponses": {"mocked": {"0": response}}}


def _outcome(params: dict, execution: Any, state_name: str, targets: dict, retriers: list, variables: dict,
             stages: _Stages) -> dict:
    events = execution.history
    taken = [(to, how) for source, to, how, _ in execution.transitions if source == state_name]
    failure = _failure(events)
    result: dict[str, Any] = {}
    if failure is not None and (not taken or taken[0][1] == "Catch"):
        error, cause = failure
        result.update(error=error, cause=cause)
        retry = _retrier(retriers, error, (params.get("stateConfiguration") or {}).get("retrierRetryCount", 0))
        if retry is not None:
            index, interval = retry
            result["status"] = "RETRIABLE"
            result["inspectionData"] = {"errorDetails": {"retryIndex": index, "retryBackoffIntervalSeconds": interval}}
            return _inspected(params, result, events, state_name, variables, stages)
        if taken:
            result["status"] = "CAUGHT_ERROR"
            result["nextState"] = targets[taken[0][0]]
            result["output"] = _entered_input(events, taken[0][0])
        else:
            result["status"] = "FAILED"
        return _inspected(params, result, events, state_name, variables, stages)
    result["status"] = "SUCCEEDED"
    if taken:
        result["nextState"] = targets[taken[0][0]]
        result["output"] = _entered_input(events, taken[0][0])
    else:
        result["output"] = dump_json(execution.output)
    return _inspected(params, result, events, state_name, variables, stages)


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


def _retrier(retriers: list, error: str | None, spent: int) -> tuple[int, float] | None:
    """The retrier that matches the error, with attempts left, and its wait: (index, seconds)."""
    for index, retrier in enumerate(retriers):
        names = retrier.get("ErrorEquals", [])
        if error in names or "States.ALL" in names or (
                "States.TaskFailed" in names and error is not None and not error.startswith("States.")):
            if spent >= retrier.get("MaxAttempts", 3):
                return None
            interval = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** spent
            return index, min(interval, retrier.get("MaxDelaySeconds", interval))
    return None


def _entered_input(events: list[dict], state: str) -> str | None:
    for event in events:
        details = event.get("stateEnteredEventDetails")
        if details and details.get("name") == state:
            return details.get("input")
    return None


def _inspected(params: dict, result: dict, events: list[dict], state_name: str, variables: dict,
               stages: _Stages) -> dict:
    """inspectionData at DEBUG and TRACE: the data as it went through the state, as far as
    the history shows it."""
    if params.get("inspectionLevel", "INFO") == "INFO":
        result.pop("inspectionData", None)
        return result
    data = result.setdefault("inspectionData", {})
    assigned = dict(variables)
    for event in events:
        entered = event.get("stateEnteredEventDetails")
        if entered and entered.get("name") == state_name:
            data["input"] = entered.get("input")
        scheduled = event.get("taskScheduledEventDetails")
        if scheduled:
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
    return result


class _Stages:
    """The JSONPath stages a history does not record (afterInputPath, afterParameters of a
    state that is not a Task, afterResultSelector, afterResultPath), each computed by the
    emulator itself: the state's own field in a Pass state run on the value before it."""

    def __init__(self, state: dict, input_value: Any, variables: dict, query_language: str | None, options: dict):
        self.state = state
        self.input = input_value
        self.variables = variables
        self.jsonata = query_language == "JSONata"
        self.options = options

    def fill(self, data: dict, succeeded: bool) -> None:
        if self.jsonata:
            if "afterParameters" in data:  # a JSONata Task's Arguments
                data["afterArguments"] = data.pop("afterParameters")
            return
        state = self.state
        after_input = self._through({"InputPath": state["InputPath"]}, self.input) if "InputPath" in state else \
            dump_json(self.input)
        data["afterInputPath"] = after_input
        if "Parameters" in state and state.get("Type") != "Task" and after_input is not None:
            data["afterParameters"] = self._through({"Parameters": state["Parameters"]}, json.loads(after_input))
        if not succeeded or "result" not in data:
            return
        after_selector = data["result"]
        if "ResultSelector" in state:
            after_selector = self._through({"Parameters": state["ResultSelector"]}, json.loads(data["result"]))
            data["afterResultSelector"] = after_selector
        if after_selector is not None:
            data["afterResultPath"] = self._through(
                {"Result": json.loads(after_selector), "ResultPath": state.get("ResultPath", "$")}, self.input)

    def _through(self, fields: dict, value: Any) -> str | None:
        """The output of a Pass state with these fields, on this input and the test's variables."""
        states: dict[str, Any] = {}
        if self.variables:
            states[_SETUP] = {"Type": "Pass", "OutputPath": "$.input", "Next": "Stage",
                              "Assign": {f"{name}.$": f"$.variables[{json.dumps(name)}]" for name in self.variables}}
            value = {"variables": self.variables, "input": value}
        states["Stage"] = {"Type": "Pass", **fields, "End": True}
        try:
            execution = pysfn_emulator.run({"StartAt": next(iter(states)), "States": states}, value, **self.options)
        except (pysfn_emulator.DefinitionError, pysfn_emulator.NotSupportedError, ValueError):
            return None
        return dump_json(execution.output) if execution.status == "SUCCEEDED" else None


def _json_param(params: dict, name: str, default: Any, code: str) -> Any:
    text = params.get(name)
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError as error:
        raise ApiError(code, f"{name} is not valid JSON: {error}") from None
