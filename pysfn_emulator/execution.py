"""`run`: one execution of a definition, start to end, as AWS would report it."""

from __future__ import annotations

import gc
import json
import random
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import attrs

from . import jsonata
from .clock import Clock, DeadlineReached, iso, to_datetime
from .errors import DATA_LIMIT_EXCEEDED, RUNTIME, DefinitionError, StatesError
from .history import History, HistoryLimitReached
from .interpreter import Frame, Runner, run_machine
from .intrinsics import random_source
from .jsontext import PAYLOAD_LIMIT_BYTES, size_in_bytes
from .loader import NotSupportedError, load
from .validation import structural_problems

STANDARD_HISTORY_LIMIT = 25_000
# An execution that outlives these ends in States.Timeout, whatever its own TimeoutSeconds.
_MAX_DURATION_SECONDS = {"STANDARD": 365 * 86400, "EXPRESS": 5 * 60}
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "111111111111"


@attrs.define
class Execution:
    """The outcome of one run: what DescribeExecution and GetExecutionHistory would say."""

    status: str
    output: Any
    error: str | None
    cause: str | None
    execution_arn: str
    state_machine_arn: str
    name: str
    input: Any
    start_date: datetime
    stop_date: datetime
    path: list[str]
    _history: History = attrs.field(repr=False)
    _rendered: list | None = attrs.field(default=None, repr=False)

    @property
    def history(self) -> list[dict]:
        """Events as GetExecutionHistory returns them (details' input/output as JSON text)."""
        if self._rendered is None:
            self._rendered = self._history.render()
        return self._rendered

    @property
    def elapsed_seconds(self) -> float:
        """Virtual time from start to stop."""
        return (self.stop_date - self.start_date).total_seconds()

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


def parse_definition(definition: dict | str) -> dict:
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except ValueError as error:
            from .errors import Problem

            raise DefinitionError([Problem("", f"the definition is not valid JSON: {error}")]) from None
    return definition


def run(
    definition: dict | str,
    input: Any = None,
    *,
    lambdas: dict | None = None,
    mock_config: Any = None,
    test_case: str | None = None,
    state_machine_name: str | None = None,
    execution_name: str | None = None,
    state_machine_type: str = "STANDARD",
    start_time: datetime | None = None,
    seed: int | None = None,
    role_arn: str | None = None,
    region: str = DEFAULT_REGION,
    account: str = DEFAULT_ACCOUNT,
) -> Execution:
    """Run an execution to its end. Raises DefinitionError only for a definition AWS would
    refuse; everything that happens inside the execution is reported on the Execution."""
    if state_machine_type not in _MAX_DURATION_SECONDS:
        raise ValueError(f"state_machine_type must be 'STANDARD' or 'EXPRESS', not {state_machine_type!r}")
    if mock_config is not None or test_case is not None:
        raise NotSupportedError([])  # the mock file arrives with the task machinery
    definition = parse_definition(definition)
    problems = structural_problems(definition, state_machine_type=state_machine_type) if isinstance(definition, dict) else []
    if not isinstance(definition, dict):
        from .errors import Problem

        problems = [Problem("", "the definition must be a JSON object")]
    if problems:
        raise DefinitionError(problems)
    machine, problems, unsupported = load(definition)
    if problems:
        raise DefinitionError(problems)
    if unsupported:
        raise NotSupportedError(unsupported)

    rng = random.Random(seed)
    machine_name = state_machine_name or "pysfn-state-machine"
    name = execution_name or str(_uuid(rng))
    clock = Clock.starting_at(start_time)
    machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{machine_name}"
    if state_machine_type == "EXPRESS":  # AWS adds a run id to an express execution's ARN
        execution_arn = f"arn:aws:states:{region}:{account}:express:{machine_name}:{name}:{_uuid(rng)}"
    else:
        execution_arn = f"arn:aws:states:{region}:{account}:execution:{machine_name}:{name}"
    role = role_arn or f"arn:aws:iam::{account}:role/pysfn-emulator"
    context = {
        "Execution": {
            "Id": execution_arn,
            "Input": input,
            "StartTime": iso(clock.now_ms),
            "Name": name,
            "RoleArn": role,
            "RedriveCount": 0,
        },
        "StateMachine": {"Id": machine_arn, "Name": machine_name},
    }
    limit = STANDARD_HISTORY_LIMIT if state_machine_type == "STANDARD" else None
    history = History(limit)
    runtime = jsonata.Runtime(rng, lambda: clock.now_ms)
    runner = Runner(clock, history, context, dict(lambdas or {}), rng, runtime, region, account)
    start_ms = clock.now_ms
    longest = _MAX_DURATION_SECONDS[state_machine_type]
    timeout = min(machine.timeout_seconds or longest, longest)
    clock.deadline_ms = start_ms + timeout * 1000
    history.add("ExecutionStarted", 0, start_ms, "executionStartedEventDetails", {"input": input, "roleArn": role})
    frame = Frame({}, 0, [])
    status, output, error, cause = "SUCCEEDED", None, None, None
    try:
        if size_in_bytes(input) > PAYLOAD_LIMIT_BYTES:
            raise StatesError(DATA_LIMIT_EXCEEDED, "The execution input exceeds the maximum number of bytes service limit.")
        with random_source(rng), _collector_paused():
            output = runner.scheduler.run(run_machine(runner, frame, machine, input))
        runner.event(frame, "ExecutionSucceeded", "executionSucceededEventDetails", {"output": output})
    except StatesError as failure:
        status, error, cause = "FAILED", failure.error, failure.cause
        details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
        _final_event(runner, frame, "ExecutionFailed", "executionFailedEventDetails", details)
    except DeadlineReached:
        status = "TIMED_OUT"
        _final_event(runner, frame, "ExecutionTimedOut", "executionTimedOutEventDetails", {"error": "States.Timeout"})
    except HistoryLimitReached:
        status, error = "FAILED", RUNTIME
        cause = f"The execution reached the limit of {STANDARD_HISTORY_LIMIT} history events."
        _final_event(runner, frame, "ExecutionFailed", "executionFailedEventDetails", {"error": error, "cause": cause})
    return Execution(
        status=status,
        output=output,
        error=error,
        cause=cause,
        execution_arn=execution_arn,
        state_machine_arn=machine_arn,
        name=name,
        input=input,
        start_date=to_datetime(start_ms),
        stop_date=to_datetime(clock.now_ms),
        path=frame.path or [],
        history=history,
    )


def _final_event(runner: Runner, frame: Frame, kind: str, key: str, details: dict) -> None:
    runner.event(frame, kind, key, details)


def _uuid(rng: random.Random):
    import uuid

    return uuid.UUID(int=rng.getrandbits(128), version=4)


@contextmanager
def _collector_paused():
    """The history grows by millions of small containers in a long run, and CPython's cyclic
    collector would rescan all of them again and again (cost quadratic in the run's length).
    An execution makes no reference cycles worth collecting midway, so pause it, as parsers do."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
