"""pysfn_emulator: run Amazon States Language definitions in-process, as AWS runs them.

    execution = pysfn_emulator.run(definition, {"order": 7}, lambdas={"charge": handler})
    execution.status, execution.output, execution.error, execution.cause, execution.history
    problems = pysfn_emulator.validate(definition)   # [] when AWS would accept it

Tasks (runtime/tasks.py): local Lambda handlers and integration handlers (`lambdas=`), local AWS
services (`services=`: a `LocalAws`, integrations/local_aws/), responders
for task tokens and activities (`callbacks=`), nested state machines (`state_machines=`),
the Step Functions Local mock file (`mock_config=`, `test_case=`), and live executions that a
test answers (`start`).

The folders and the direction their imports run: README, "Inside the emulator". The command
line (cli.py) and the Step Functions API server (sfn_api/) build on what this module exports.
"""

from __future__ import annotations

from .core.errors import DefinitionError, InvalidExecutionInput, Problem, StatesError
from .core.jsontext import NotJson
from .core.jsontext import dumps as dumps_json
from .core.jsontext import loads as loads_json
from .definition.create import parse_definition
from .definition.loader import NotSupportedError, load
from .definition.validation import structural_problems
from .execution import ExecutionRunning, LiveExecution, run, start
from .integrations.callbacks import (
    NO_ANSWER,
    PendingTask,
    TaskTokenError,
    send_task_failure,
    send_task_heartbeat,
    send_task_success,
)
from .integrations.failures import LambdaServiceError, TaskFailure
from .integrations.lambda_runtime import LambdaContext
from .integrations.local_aws import LocalAws, ServiceFailure, error_name, services_from_file
from .integrations.local_callees import (
    HandlersError,
    handlers_from_file,
    lambdas_from_module,
    responders_from_file,
)
from .integrations.mock_config import MockConfigError
from .options import ExecutionOptions
from .runtime.launch import Execution
from .tools import coverage, graph

__all__ = [
    "NO_ANSWER",
    "DefinitionError",
    "HandlersError",
    "Execution",
    "ExecutionOptions",
    "ExecutionRunning",
    "InvalidExecutionInput",
    "LambdaContext",
    "LambdaServiceError",
    "LiveExecution",
    "LocalAws",
    "MockConfigError",
    "NotJson",
    "NotSupportedError",
    "PendingTask",
    "Problem",
    "ServiceFailure",
    "StatesError",
    "TaskFailure",
    "TaskTokenError",
    "coverage",
    "dumps_json",
    "error_name",
    "graph",
    "handlers_from_file",
    "responders_from_file",
    "lambdas_from_module",
    "loads_json",
    "run",
    "send_task_failure",
    "send_task_heartbeat",
    "send_task_success",
    "services_from_file",
    "start",
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
