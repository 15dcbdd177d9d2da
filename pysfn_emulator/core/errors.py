"""Errors as values: definition problems (AWS refuses to create) and execution failures
(AWS reports a failed state)."""

from __future__ import annotations

import attrs

# Predefined error names, spelled once.
ALL = "States.ALL"
RUNTIME = "States.Runtime"
TASK_FAILED = "States.TaskFailed"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
ITEM_READER_FAILED = "States.ItemReaderFailed"
RESULT_WRITER_FAILED = "States.ResultWriterFailed"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"


@attrs.frozen
class Problem:
    """One reason AWS would refuse a definition, located by a JSON pointer."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def pointer_token(name: object) -> str:
    """One reference token of a JSON pointer (RFC 6901: '~' and '/' escaped)."""
    return str(name).replace("~", "~0").replace("/", "~1")


class DefinitionError(Exception):
    """Raised by `run` (and the loader) for a definition AWS would refuse to create."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"invalid state machine definition ({len(self.problems)} problem(s)):\n{lines}")


class InvalidExecutionInput(ValueError):
    """Raised by `run` and `start` for an input StartExecution would refuse (InvalidExecutionInput:
    "The provided JSON input data is not valid"): a value no JSON text can carry, such as NaN."""


class StatesError(Exception):
    """A failure inside an execution, with AWS's error name and cause.

    Raised by state handlers, paths, templates, intrinsics and tasks; matched by Retry and
    Catch; reported as the execution's error and cause when nothing catches it.

    location: the field AWS names in an EvaluationFailed event ("Output/result").
    located: the cause already names the state it happened in (the run loop adds it once).
    reported: its EvaluationFailed event is recorded (once, in the innermost state).
    """

    error: str | None
    cause: str | None
    location: str | None
    located: bool
    reported: bool

    def __init__(self, error: str | None, cause: str | None = None, *, location: str | None = None):
        super().__init__(error, cause)
        self.error = error
        self.cause = cause
        self.location = location
        self.located = False
        self.reported = False

    def __str__(self) -> str:
        return f"{self.error}: {self.cause}" if self.cause else str(self.error)
