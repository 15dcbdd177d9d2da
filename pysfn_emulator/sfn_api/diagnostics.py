"""The validator's problems as AWS words them: CreateStateMachine's InvalidDefinition message
and ValidateStateMachineDefinition's diagnostics (severity, code, message, location)."""

from __future__ import annotations

from typing import Any

import pysfn_emulator

from .errors import ApiError

# AWS's diagnostic codes; which one a problem is, by what its message says.
_CODES = (
    ("not valid JSON", "INVALID_JSON_DESCRIPTION"),
    ("MISSING_END_STATE", "MISSING_END_STATE"),
    ("unreachable", "MISSING_TRANSITION_TARGET"),
    ("which is not a state", "MISSING_TRANSITION_TARGET"),
    ("not a state in this scope", "MISSING_TRANSITION_TARGET"),
)


def code_of(problem: Any) -> str:
    for words, code in _CODES:
        if words in problem.message:
            return code
    return "SCHEMA_VALIDATION_FAILED"


def problems_of(definition: str, machine_type: str) -> list:
    return pysfn_emulator.validate(definition, state_machine_type=machine_type)


def check_definition(definition: str, machine_type: str) -> None:
    """InvalidDefinition for a definition AWS would refuse:
    "Invalid State Machine Definition: 'CODE: message at /States/A, ...'"."""
    problems = problems_of(definition, machine_type)
    if problems:
        listed = ", ".join(f"{code_of(p)}: {p.message} at {p.pointer or '/'}" for p in problems)
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{listed}'")


def diagnostics(definition: str, machine_type: str, max_results: int) -> dict:
    """ValidateStateMachineDefinition's answer."""
    problems = problems_of(definition, machine_type)
    limit = max_results or 100
    shown = [
        {"severity": "ERROR", "code": code_of(p), "message": p.message, "location": p.pointer or "/"}
        for p in problems[:limit]
    ]
    return {"result": "FAIL" if problems else "OK", "diagnostics": shown, "truncated": len(problems) > limit}
