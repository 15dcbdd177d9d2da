"""A state's input/output pipeline, written once per query language and used by every state.

JSONPath: InputPath → Parameters → (the state's work) → ResultSelector → ResultPath → OutputPath.
JSONata:  Arguments → (the state's work) → Output, with `$states.input` / `$states.result`.

Both kinds offer the same steps, so a state handler never asks which language it runs:
  - `effective(raw)`: what the state works on (InputPath; JSONata: the raw input);
  - `arguments(effective)`: what a Task, Parallel or Map sends (Parameters / Arguments);
  - `finish(raw, result)`: (placed result, variables to assign) — inside Retry/Catch;
  - `output(placed)`: the state output (OutputPath; JSONata: already done by finish);
  - `passthrough(raw, effective)`: (output, assigned) for states without a result;
  - `caught(raw, error_output, catcher)`: (output, assigned) when a catcher takes an error.
An `Env` carries what evaluation reads: the context object, the variables, the runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from ..core.errors import RUNTIME, StatesError
from ..core.jsontext import PAYLOAD_LIMIT_BYTES
from .jsonpath import Path, PathNotFound, set_result

PathEvaluator = Callable[[Any, Any, Any, Any], Any]  # (data, context, variables, rng): payload.py
DataEvaluator = Callable[[dict, Any, Any], Any]  # (states, variables, runtime)


class _Discard:
    """A path field set to JSON null: InputPath/OutputPath give {}, ResultPath keeps the input."""

    def __repr__(self) -> str:
        return "DISCARD"


DISCARD = _Discard()


@attrs.define(slots=True)
class Env:
    """What one visit of a state evaluates against."""

    context: dict
    variables: Any
    runtime: Any  # query.jsonata.Runtime: the execution's random source and clock

    @property
    def rng(self) -> Any:
        """The execution's random source (intrinsics in templates draw from it)."""
        return self.runtime.rng


def select(path: Path | _Discard | None, data: Any, context: Any, variables: Any, limit: int | None = None) -> Any:
    """InputPath or OutputPath: absent keeps the data, null gives {}, a path selects."""
    if path is None:
        return data
    if path is DISCARD:
        return {}
    return path_value(path, data, context, variables, limit)  # type: ignore[arg-type]


def path_value(path: Path, data: Any, context: Any, variables: Any, limit: int | None = None) -> Any:
    """A path a state field names (SecondsPath, MaxConcurrencyPath...): it must find a value."""
    try:
        return path.evaluate(data, context, variables, limit)
    except PathNotFound as missing:
        raise StatesError(RUNTIME, f"Invalid path '{path.text}' : {missing}") from None


def place_result(result_path: Path | _Discard | None, raw_input: Any, result: Any) -> Any:
    """ResultPath: absent replaces the input, null keeps it, a path inserts the result."""
    if result_path is None:
        return result
    if result_path is DISCARD:
        return raw_input
    return set_result(raw_input, result_path, result)  # type: ignore[arg-type]


@attrs.frozen
class PathIO:
    """The JSONPath pipeline of one state."""

    input_path: Path | _Discard | None = None
    parameters: PathEvaluator | None = None
    result_selector: PathEvaluator | None = None
    result_path: Path | _Discard | None = None
    output_path: Path | _Discard | None = None
    assign: PathEvaluator | None = None

    def effective(self, raw: Any, env: Env) -> Any:
        return select(self.input_path, raw, env.context, env.variables)

    def arguments(self, effective: Any, raw: Any, env: Env) -> Any:
        if self.parameters is None:
            return effective
        return self.parameters(effective, env.context, env.variables, env.rng)

    def finish(self, raw: Any, result: Any, env: Env) -> tuple[Any, dict | None]:
        if self.result_selector is not None:
            result = self.result_selector(result, env.context, env.variables, env.rng)
        assigned = self.assign(result, env.context, env.variables, env.rng) if self.assign else None
        return place_result(self.result_path, raw, result), assigned

    def output(self, placed: Any, env: Env) -> Any:
        # The output is checked against the payload limit next: a path whose matches exceed
        # it may stop gathering them there (jsonpath.Path.evaluate).
        return select(self.output_path, placed, env.context, env.variables, limit=PAYLOAD_LIMIT_BYTES)

    def passthrough(self, raw: Any, effective: Any, env: Env, assign: Any = ..., output: Any = ...) -> tuple[Any, dict | None]:
        assign = self.assign if assign is ... else assign
        assigned = assign(effective, env.context, env.variables, env.rng) if assign else None
        return self.output(effective, env), assigned

    def caught(self, raw: Any, error_output: dict, catcher: Any, env: Env) -> tuple[Any, dict | None]:
        assigned = catcher.assign(error_output, env.context, env.variables, env.rng) if catcher.assign else None
        return place_result(catcher.result_path, raw, error_output), assigned


@attrs.frozen
class DataIO:
    """The JSONata pipeline of one state: expressions over `$states`."""

    arguments_: DataEvaluator | None = None
    output_: DataEvaluator | None = None
    assign: DataEvaluator | None = None

    def effective(self, raw: Any, env: Env) -> Any:
        return raw

    def arguments(self, effective: Any, raw: Any, env: Env) -> Any:
        if self.arguments_ is None:
            return effective
        return self.arguments_({"input": raw, "context": env.context}, env.variables, env.runtime)

    def finish(self, raw: Any, result: Any, env: Env) -> tuple[Any, dict | None]:
        states = {"input": raw, "result": result, "context": env.context}
        assigned = self.assign(states, env.variables, env.runtime) if self.assign else None
        output = self.output_(states, env.variables, env.runtime) if self.output_ else result
        return output, assigned

    def output(self, placed: Any, env: Env) -> Any:
        return placed

    def passthrough(self, raw: Any, effective: Any, env: Env, assign: Any = ..., output: Any = ...) -> tuple[Any, dict | None]:
        assign = self.assign if assign is ... else assign
        output = self.output_ if output is ... else output
        states = {"input": raw, "context": env.context}
        assigned = assign(states, env.variables, env.runtime) if assign else None
        return (output(states, env.variables, env.runtime) if output else raw), assigned

    def caught(self, raw: Any, error_output: dict, catcher: Any, env: Env) -> tuple[Any, dict | None]:
        states = {"input": raw, "errorOutput": error_output, "context": env.context}
        assigned = catcher.assign(states, env.variables, env.runtime) if catcher.assign else None
        output = catcher.output(states, env.variables, env.runtime) if catcher.output else error_output
        return output, assigned


IO = PathIO | DataIO
