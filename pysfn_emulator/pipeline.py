"""The JSONPath input/output pipeline, written once and used by every state type:
InputPath → Parameters → (the state's work) → ResultSelector → ResultPath → OutputPath.
"""

from __future__ import annotations

from typing import Any

from .errors import RUNTIME, StatesError
from .jsonpath import Path, PathNotFound, set_result
from .model import DISCARD, IO


def select(path: Path | object | None, data: Any, context: Any, variables: Any) -> Any:
    """InputPath or OutputPath: absent keeps the data, null gives {}, a path selects."""
    if path is None:
        return data
    if path is DISCARD:
        return {}
    try:
        return path.evaluate(data, context, variables)  # type: ignore[union-attr]
    except PathNotFound as missing:
        raise StatesError(RUNTIME, f"Invalid path '{path.text}' : {missing}") from None  # type: ignore[union-attr]


def effective_input(io: IO, data: Any, context: Any, variables: Any) -> Any:
    """InputPath then Parameters."""
    data = select(io.input_path, data, context, variables)
    if io.parameters is not None:
        data = io.parameters(data, context, variables)
    return data


def select_result(io: IO, result: Any, context: Any, variables: Any) -> Any:
    """ResultSelector: a template over the raw result."""
    if io.result_selector is None:
        return result
    return io.result_selector(result, context, variables)


def place_result(result_path: Path | object | None, raw_input: Any, result: Any) -> Any:
    """ResultPath: absent replaces the input, null keeps it, a path inserts the result."""
    if result_path is None:
        return result
    if result_path is DISCARD:
        return raw_input
    return set_result(raw_input, result_path, result)  # type: ignore[arg-type]


def assign(io_assign: Any, data: Any, context: Any, variables: Any) -> dict | None:
    """Every value of one Assign is computed from the variables as they were on entry."""
    if io_assign is None:
        return None
    return io_assign(data, context, variables)
