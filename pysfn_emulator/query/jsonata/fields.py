"""Compiling a field's value: literals kept as they are, each `{% %}` string parsed once into
an `Expression`, evaluated by the fast closures where they apply, else by jsonata-python, and
its result turned into plain JSON."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from jsonata import jexception, utils
from jsonata.jsonata import Jsonata

from ...core.errors import StatesError
from .closures import fast
from .engine import (
    Scope,
    constructs_objects,
    join_literal_surrogates,
    parse,
    thread_engine,
    uses_eval,
)
from .exceptions import JsonataSyntaxError, QueryEvaluationError, unexpected_type
from .functions import FUNCTIONS, FunctionError
from .javascript import EXACT, double
from .messages import RUNAWAY_DEPTH, message, runaway
from .runtime import DEFAULT_RUNTIME
from .values import NULL, UNDEFINED, type_name

Evaluator = Callable[[dict, Any, Any], Any]  # (states, variables, runtime) -> JSON value


# ---------------------------------------------------------------- public API


def is_expression(value: Any) -> bool:
    """A string of the form `{% ... %}` (no space before `{%` or after `%}`)."""
    return type(value) is str and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def expression_text(value: str) -> str:
    """The expression inside `{% ... %}`, as AWS quotes it in causes."""
    return value[2:-2].strip()


def compile_value(value: Any, field: str, *, expect: str | None = None) -> Evaluator:
    """Compile a JSONata field into `evaluate(states, variables, runtime)`.

    `field` is the name AWS quotes in causes ("Output", "Arguments", "Items", ...); inside
    objects and arrays the path grows ("Output/result", "Items/0"). With `expect` (a JSONata
    type name such as "array") a single top-level expression must produce that type.
    """
    constant, compiled = _compile(value, field)
    if constant:
        def evaluate_constant(states: dict, variables: Any, runtime: Any = None) -> Any:
            return compiled

        evaluate_constant.expression = None  # type: ignore[attr-defined]
        evaluate_constant.field = field  # type: ignore[attr-defined]
        return evaluate_constant
    if expect is not None and is_expression(value):
        return _expecting(compiled, expect)
    return compiled


# ---------------------------------------------------------------- compiling fields


def _compile(value: Any, field: str) -> tuple[bool, Any]:
    """(True, value) for a literal, else (False, evaluator)."""
    if is_expression(value):
        return False, Expression(expression_text(value), field).evaluator()
    if isinstance(value, dict):
        parts = [(key,) + _compile(item, f"{field}/{key}") for key, item in value.items()]
        if all(constant for _, constant, _ in parts):
            return True, value
        return False, _object_evaluator(parts)
    if isinstance(value, list):
        parts = [_compile(item, f"{field}/{index}") for index, item in enumerate(value)]
        if all(constant for constant, _ in parts):
            return True, value
        return False, _array_evaluator(parts)
    return True, value


def _object_evaluator(parts: list[tuple[str, bool, Any]]) -> Evaluator:
    constants = {key: item for key, constant, item in parts if constant}
    dynamic = [(key, item) for key, constant, item in parts if not constant]
    order = [key for key, _, _ in parts]
    keep_order = list(constants) + [key for key, _ in dynamic] != order

    def evaluate_object(states: dict, variables: Any, runtime: Any = None) -> dict:
        result = dict(constants)
        for key, evaluate in dynamic:
            result[key] = evaluate(states, variables, runtime)
        if keep_order:
            return {key: result[key] for key in order}
        return result

    return evaluate_object


def _array_evaluator(parts: list[tuple[bool, Any]]) -> Evaluator:
    def evaluate_array(states: dict, variables: Any, runtime: Any = None) -> list:
        return [item if constant else item(states, variables, runtime) for constant, item in parts]

    return evaluate_array


def _expecting(evaluate: Evaluator, expected: str) -> Evaluator:
    expression = evaluate.expression  # type: ignore[attr-defined]
    field = evaluate.field  # type: ignore[attr-defined]

    def evaluate_typed(states: dict, variables: Any, runtime: Any = None) -> Any:
        result = evaluate(states, variables, runtime)
        if type_name(result) != expected:
            raise unexpected_type(expression, field, expected, result)
        return result

    evaluate_typed.expression = expression  # type: ignore[attr-defined]
    evaluate_typed.field = field  # type: ignore[attr-defined]
    return evaluate_typed


class Expression:
    """One `{% %}` string of one field, parsed once."""

    def __init__(self, text: str, field: str):
        self.text = text
        self.field = field
        if not text:
            raise JsonataSyntaxError(f"The JSONata expression specified for the field '{field}' is empty", field, text)
        try:
            self.ast = parse(text)
        except jexception.JException as error:
            raise JsonataSyntaxError(
                f"The JSONata expression '{text}' specified for the field '{field}' is not valid: {message(error)}",
                field,
                text,
            ) from None
        except Exception as error:  # the port's parser raises a few plain Python errors
            raise JsonataSyntaxError(
                f"The JSONata expression '{text}' specified for the field '{field}' is not valid: {error}",
                field,
                text,
            ) from None
        if "eval" in text and uses_eval(self.ast):  # no need to walk a tree that cannot hold it
            raise JsonataSyntaxError(
                f"The JSONata expression '{text}' specified for the field '{field}' uses $eval, "
                "which Step Functions does not provide (use $parse)",
                field,
                text,
            )
        if "\\u" in text:
            join_literal_surrogates(self.ast)
        self.fast = fast(self.ast)
        self.fast_builds = self.fast is not None and constructs_objects(self.ast)

    def evaluator(self) -> Evaluator:
        fast, slow, text, field, builds = self.fast, self._slow, self.text, self.field, self.fast_builds
        undefined = f"The JSONata expression '{text}' specified for the field '{field}' returned nothing (undefined)."

        if fast is None:

            def evaluate(states: dict, variables: Any, runtime: Any = None) -> Any:
                result = slow(states, variables, runtime)
                if result is UNDEFINED:
                    raise QueryEvaluationError(undefined, field)
                return result

        else:

            def evaluate(states: dict, variables: Any, runtime: Any = None) -> Any:
                try:
                    result = fast(states, variables)
                except Exception:  # _Fallback, or a value the closures do not handle
                    result = slow(states, variables, runtime)
                    if result is UNDEFINED:
                        raise QueryEvaluationError(undefined, field) from None
                    return result
                kind = type(result)
                if kind is dict or kind is list:
                    return _json(result, self) if builds else result
                if kind is str or kind is bool:
                    return result
                if kind is int:
                    return result if -EXACT <= result <= EXACT else _json(result, self)
                if result is None:
                    raise QueryEvaluationError(undefined, field)
                if result is NULL:
                    return None
                if kind is float:
                    if math.isfinite(result):
                        return _number(result)
                    raise QueryEvaluationError(self._unsupported, field)
                return _json(result, self)  # not reached for fast results; kept for safety

        evaluate.expression = text  # type: ignore[attr-defined]
        evaluate.field = field  # type: ignore[attr-defined]
        return evaluate

    @property
    def _unsupported(self) -> str:
        return f"The JSONata expression '{self.text}' specified for the field '{self.field}' returned an unsupported result type."

    def _slow(self, states: dict, variables: Any, runtime: Any) -> Any:
        """Evaluate with jsonata-python; UNDEFINED for nothing, else a JSON value."""
        engine = thread_engine()
        Jsonata.CURRENT.jsonata = engine  # the port's functions find "the" evaluator here
        engine.runtime = runtime or DEFAULT_RUNTIME  # $now, $random, ... read it there
        scope = Scope(states, variables, FUNCTIONS)
        budget = engine.reset_budget()
        try:
            result = engine.eval(self.ast, None, scope)
        except jexception.JException as error:
            raise QueryEvaluationError(self._threw(message(error)), self.field) from None
        except FunctionError as error:
            raise QueryEvaluationError(self._threw(str(error)), self.field) from None
        except RecursionError:  # Python's stack gave out before MAX_DEPTH: the same runaway
            raise QueryEvaluationError(self._threw(message(runaway(RUNAWAY_DEPTH))), self.field) from None
        except StatesError:
            raise
        except OverflowError:  # an integer past the double's range met arithmetic: Infinity in JS
            raise QueryEvaluationError(self._unsupported, self.field) from None
        except Exception as error:  # a plain Python error inside the port
            raise QueryEvaluationError(self._threw(str(error)), self.field) from None
        finally:
            engine.restore_budget(budget)
        if result is None:
            return UNDEFINED
        if utils.Utils.is_sequence(result) and not result:
            return UNDEFINED
        return _json(result, self)

    def _threw(self, message: str) -> str:
        return (
            f"The JSONata expression '{self.text}' specified for the field '{self.field}' threw an "
            f"error during evaluation. {message}"
        )


class _Unsupported(Exception):
    pass


def _json(value: Any, expression: Expression) -> Any:
    """A jsonata-python result as plain JSON: null, whole numbers as int, no functions."""
    try:
        return _to_json(value)
    except _Unsupported:
        raise QueryEvaluationError(expression._unsupported, expression.field) from None


def _to_json(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if -EXACT <= value <= EXACT:
            return value
        # an int past 2**53 is a double in JSONata (the input's, a Task result's): Infinity
        # past the double's range, which the float's test below refuses
        value, kind = double(value), float
    if value is NULL:
        return None
    if kind is float:
        if not math.isfinite(value):
            raise _Unsupported
        return _number(value)
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        if isinstance(value, utils.Utils.RangeList):
            return list(range(value.a, value.b + 1))
        return [_to_json(item) for item in value]
    raise _Unsupported  # a function, a regex, a Python object


def _number(value: float) -> int | float:
    """JSONata numbers are doubles: a whole one prints as an integer (below 1e21, as in JS).
    Past 2**53 that is the double's own value (2**60 is 1152921504606846976, where
    JSON.stringify writes the shortest digits that read back as it, 1152921504606847000): equal
    to the double where Python compares it (the plain run's floats), the same number to JSON."""
    if value.is_integer() and -1e21 < value < 1e21:
        return int(value)
    return value
