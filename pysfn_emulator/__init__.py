"""pysfn_emulator: run Amazon States Language definitions in-process, as AWS runs them.

    execution = pysfn_emulator.run(definition, {"order": 7}, lambdas={"charge": handler})
    execution.status, execution.output, execution.error, execution.cause, execution.history
    problems = pysfn_emulator.validate(definition)   # [] when AWS would accept it
"""

from __future__ import annotations

from .errors import DefinitionError, Problem, StatesError
from .execution import Execution, parse_definition, run
from .loader import NotSupportedError, load
from .validation import structural_problems

__all__ = [
    "DefinitionError",
    "Execution",
    "NotSupportedError",
    "Problem",
    "StatesError",
    "run",
    "validate",
]


def validate(definition: dict | str, *, state_machine_type: str = "STANDARD") -> list[Problem]:
    """Every reason AWS would refuse to create this definition; [] when it is valid.
    (An EXPRESS machine may not use the `.sync` and `.waitForTaskToken` integrations.)"""
    try:
        definition = parse_definition(definition)
    except DefinitionError as error:
        return error.problems
    if not isinstance(definition, dict):
        return [Problem("", "the definition must be a JSON object")]
    problems = structural_problems(definition, state_machine_type=state_machine_type)
    if problems:
        return problems
    return load(definition)[1]
