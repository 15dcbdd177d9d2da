"""What TestState refuses before it runs the state: a mock where the state takes none (or
none where it needs one), a mocked result of the wrong form, a `context` AWS would not accept,
a `stateConfiguration` that does not fit the state. The messages are AWS's (as recorded
against the service) where known.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ApiError
from .mock_shapes import check_mock_result

_CONTAINERS = ("Map", "Parallel")
_CONTEXT_FIELDS = {
    "Execution": {"Id": str, "Input": None, "Name": str, "RoleArn": str, "StartTime": str, "RedriveCount": int,
                  "RedriveTime": str},
    "State": {"EnteredTime": str, "Name": str, "RetryCount": int},
    "StateMachine": {"Id": str, "Name": str},
    "Task": {"Token": str},
}
_TYPE_WORDS = {str: "a string", int: "a number"}


def refuse(message: str, code: str = "ValidationException") -> ApiError:
    return ApiError(code, message)


def check_mock(params: dict, state: dict) -> Any:
    """The mocked result (parsed), or None; raises for a mock AWS refuses."""
    mock = params.get("mock")
    kind = state.get("Type")
    if mock is None:
        if kind in _CONTAINERS:
            raise refuse("TestState API does not support Map or Parallel states. Supported state types include: "
                         "[Task, Wait, Pass, Succeed, Fail, Choice]", "InvalidDefinition")
        if (params.get("stateConfiguration") or {}).get("mapIterationFailureCount") is not None:
            raise refuse("TestState does not support MapIterationFailureCount when a mock is not specified.")
        return None
    if "result" in mock and "errorOutput" in mock:
        raise refuse("A test mock should have only one of the following fields: [result, errorOutput].")
    if "result" not in mock and "errorOutput" not in mock:  # not recorded: AWS's wording for an empty mock
        raise refuse("A test mock should have one of the following fields: [result, errorOutput].")
    if params.get("revealSecrets"):
        raise refuse("TestState does not support RevealSecrets when a mock is specified.")
    if kind in ("Pass", "Fail", "Succeed"):
        raise refuse(f"State type '{kind}' is not supported when a mock is specified")
    if "result" not in mock:
        return None
    try:
        result = json.loads(mock["result"])
    except ValueError:
        raise refuse("Mocked result must be valid JSON") from None
    if kind == "Map":
        if "ResultWriter" in state and not isinstance(result, dict):
            raise refuse("Mocked result must be a JSON object.")
        if "ResultWriter" not in state and not isinstance(result, list):
            raise refuse("Mocked result must be an array.")
    elif kind == "Parallel":
        if not isinstance(result, list):
            raise refuse("Mocked result must be an array.")
        if len(result) != len(state.get("Branches") or []):
            raise refuse("Mocked result must contain the same number of items as number of Parallel branches.")
    elif kind == "Task" and isinstance(state.get("Resource"), str):
        check_mock_result(state["Resource"], result, mock.get("fieldValidationMode", "STRICT"))
    return result


def check_configuration(params: dict, state: dict) -> None:
    """stateConfiguration's fields that name a state or count iterations must fit the state."""
    configuration = params.get("stateConfiguration") or {}
    caused_by = configuration.get("errorCausedByState")
    if caused_by is not None and caused_by not in _nested_names(state):
        # Not recorded: AWS's wording when the name is not a state of the Map or Parallel.
        raise refuse(f"errorCausedByState must name a state of the Map state's ItemProcessor or the Parallel "
                     f"state's Branches: '{caused_by}'")
    if configuration.get("mapIterationFailureCount") is not None and state.get("Type") != "Map":
        raise refuse("TestState supports MapIterationFailureCount only for a Map state.")  # not recorded


def check_context(params: dict, state: dict) -> dict | None:
    """The `context` parameter as the Context object the state sees, or None (the default)."""
    text = params.get("context")
    if text is None:
        return None
    try:
        context = json.loads(text)
    except ValueError:
        raise _bad_context("the Context object must be valid JSON") from None  # not recorded
    if not isinstance(context, dict):
        raise _bad_context("the Context object must be a JSON object")  # not recorded
    for section, value in context.items():
        if section == "Map":
            raise _bad_context("'Map' field is not supported when mocking a Context object")
        fields = _CONTEXT_FIELDS.get(section)
        if fields is None:
            raise _bad_context(f"Field '{section}' is not allowed")
        if not isinstance(value, dict):
            raise _bad_context(f"{section} must be an object")  # not recorded
        for name, item in value.items():
            if name not in fields:
                raise _bad_context(f"Field '{name}' is not allowed")
            kind = fields[name]
            if kind is not None and not _is(item, kind):
                raise _bad_context(f"{section}.{name} must be {_TYPE_WORDS[kind]}")
    if "Task" in context and not _waits_for_answer(state):
        raise _bad_context("Context object contains 'Task' when state is not a Task state with a '.sync' or "
                           "'.waitForTaskToken' service integration pattern")
    return context


def _bad_context(what: str) -> ApiError:
    return refuse(f"Invalid Context object provided: {what}")


def _is(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _waits_for_answer(state: dict) -> bool:
    resource = state.get("Resource")
    return state.get("Type") == "Task" and isinstance(resource, str) and (
        ".sync" in resource or resource.endswith(".waitForTaskToken"))


def _nested_names(state: dict) -> set[str]:
    """The names of the states inside a Map's processor or a Parallel's branches, at any depth."""
    machines = []
    if state.get("Type") == "Map":
        machines.append(state.get("ItemProcessor") or state.get("Iterator") or {})
    elif state.get("Type") == "Parallel":
        machines.extend(state.get("Branches") or [])
    names: set[str] = set()
    for machine in machines:
        for name, inner in (machine.get("States") or {}).items():
            names.add(name)
            if isinstance(inner, dict):
                names |= _nested_names(inner)
    return names
