"""What a JSONata field raises: refused when the definition loads, or failing when evaluated."""

from __future__ import annotations

from typing import Any

from ...core.errors import QUERY_EVALUATION_ERROR, StatesError
from ...core.jsontext import dumps
from .values import type_name


class JsonataSyntaxError(ValueError):
    """An expression AWS would refuse when the state machine is created."""

    def __init__(self, message: str, field: str, expression: str):
        super().__init__(message)
        self.field = field
        self.expression = expression


class QueryEvaluationError(StatesError):
    """States.QueryEvaluationError; `location` is the field path AWS reports ("Output/result")."""

    def __init__(self, cause: str, location: str | None = None):
        super().__init__(QUERY_EVALUATION_ERROR, cause, location=location)


def unexpected_type(expression: str, field: str, expected: str, value: Any) -> QueryEvaluationError:
    """AWS's failure for an expression whose value has the wrong JSON type."""
    return QueryEvaluationError(
        f"The JSONata expression '{expression}' specified for the field '{field}' returned an "
        f"unexpected result type. Expected '{expected}', but was '{type_name(value)}' for value: {dumps(value)}",
        field,
    )
