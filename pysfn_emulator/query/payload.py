"""Payload templates (Parameters, ResultSelector, ItemSelector, Assign in JSONPath mode).

A template is compiled once into a function of (data, context, variables, rng): `rng` is the
execution's random source, which intrinsics (MathRandom, UUID) draw from. Keys ending in
`.$` lose the suffix and take the value of a path (`$`, `$$`, `$var`) or an intrinsic
function; every other value is a literal, even when it looks like a path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.errors import RUNTIME, StatesError
from ..core.jsontext import dumps
from .intrinsics import parse_intrinsic
from .jsonpath import PathNotFound, compile_path

Evaluator = Callable[[Any, Any, Any, Any], Any]  # (data, context, variables, rng)


class TemplateSyntaxError(ValueError):
    """A `.$` value that is neither a JSONPath nor an intrinsic call; `field` names the key."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def compile_template(template: Any) -> Evaluator:
    """Compile a payload template into an evaluator; raise TemplateSyntaxError on a bad `.$`."""
    if isinstance(template, dict):
        if not any(key.endswith(".$") for key in _keys_deep(template)):
            return _constant(template)
        parts = [(_strip(key), _compile_entry(key, value)) for key, value in template.items()]
        return lambda data, context, variables, rng: {
            key: evaluate(data, context, variables, rng) for key, evaluate in parts
        }
    if isinstance(template, list):
        if not any(key.endswith(".$") for key in _keys_deep(template)):
            return _constant(template)
        items = [compile_template(item) for item in template]
        return lambda data, context, variables, rng: [evaluate(data, context, variables, rng) for evaluate in items]
    return _constant(template)


def compile_expression(field: str, text: Any) -> Evaluator:
    """The value of one `.$` entry: a path or an intrinsic call."""
    if not isinstance(text, str):
        raise TemplateSyntaxError(field, f"The value for the field '{field}' must be a STRING")
    if text.startswith("States."):
        try:
            call = parse_intrinsic(text)
        except ValueError as error:
            raise TemplateSyntaxError(field, f"The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call ({error})") from None
        return call.evaluate
    try:
        path = compile_path(text)
    except ValueError:
        raise TemplateSyntaxError(field, f"The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call") from None

    def evaluate(data: Any, context: Any, variables: Any, rng: Any) -> Any:
        try:
            return path.evaluate(data, context, variables)
        except PathNotFound:
            raise StatesError(RUNTIME, path_failure(text, field, context if path.root == "context" else data)) from None

    return evaluate


def path_failure(path_text: str, field: str, data: Any) -> str:
    """AWS's cause when a path in a template or a *Path field finds nothing."""
    return f"The JSONPath '{path_text}' specified for the field '{field}' could not be found in the input '{dumps(data)}'"


def _compile_entry(key: str, value: Any) -> Evaluator:
    if key.endswith(".$"):
        return compile_expression(key, value)
    return compile_template(value)


def _strip(key: str) -> str:
    return key[:-2] if key.endswith(".$") else key


def _constant(value: Any) -> Evaluator:
    # Literal parts are shared by every evaluation; nothing downstream mutates values in place.
    return lambda data, context, variables, rng: value


def _keys_deep(value: Any):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys_deep(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys_deep(item)
