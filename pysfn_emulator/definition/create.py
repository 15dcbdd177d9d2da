"""A definition as CreateStateMachine takes it: JSON text read as AWS reads it, every problem
AWS would refuse it for, then the frozen model."""

from __future__ import annotations

from typing import Any

from ..core.errors import DefinitionError, Problem
from ..core.jsontext import NotJson, loads
from . import model
from .loader import NotSupportedError, load
from .validation import structural_problems


def parse_definition(definition: dict | str) -> dict:
    """A definition's JSON text read as AWS reads it (no NaN or Infinity); a dict with its
    tuples as arrays, as an SDK sends it (what JSON cannot hold the validation refuses)."""
    if isinstance(definition, dict):
        return _arrays(definition)
    if isinstance(definition, str):
        try:
            definition = loads(definition)
        except NotJson as error:
            raise DefinitionError([Problem(error.pointer or "", f"the definition is not valid JSON: {error.what}")]) from None
        except ValueError as error:
            raise DefinitionError([Problem("", f"the definition is not valid JSON: {error}")]) from None
    return definition


def _arrays(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _arrays(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_arrays(item) for item in value]
    return value


def load_machine(definition: dict | str, state_machine_type: str = "STANDARD") -> model.Machine:
    """A definition, checked as CreateStateMachine would and loaded; raises DefinitionError or
    NotSupportedError."""
    try:
        return _load_machine(definition, state_machine_type)
    except RecursionError:  # (a dict nested thousands deep: its JSON text no parser would read)
        raise DefinitionError([Problem("", "the definition is nested too deeply (JSON parsers stop near "
                                           "1,000 levels)")]) from None


def _load_machine(definition: dict | str, state_machine_type: str) -> model.Machine:
    definition = parse_definition(definition)
    if not isinstance(definition, dict):
        raise DefinitionError([Problem("", "the definition must be a JSON object")])
    problems = structural_problems(definition, state_machine_type=state_machine_type)
    if problems:
        raise DefinitionError(problems)
    machine, problems, unsupported = load(definition)
    if problems:
        raise DefinitionError(problems)
    if unsupported:
        raise NotSupportedError(unsupported)
    return machine
