"""The fast path: simple expressions compiled to Python closures of (states, variables) with
JSONata's semantics; any value they do not handle raises, and the port evaluates instead."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .javascript import (
    EXACT,
    join_surrogates,
    js_arithmetic,
    js_compare,
    js_equal,
    js_string,
    rejoined,
)
from .values import MISSING, NULL


class _Fallback(Exception):
    """A value the closures do not handle: evaluate the whole expression with the port."""


_FALLBACK = _Fallback()
_FAST_ATTRIBUTES = ("predicate", "group", "stages", "focus", "index", "tuple", "keep_array", "keep_singleton_array", "consarray")
_NUMBER = (int, float)


def _plain(node: Any) -> bool:
    return not any(getattr(node, name, None) for name in _FAST_ATTRIBUTES)


def fast(node: Any) -> Callable[[dict, Any], Any] | None:
    """A closure of (states, variables) for the expressions the closures handle, else None."""
    if not _plain(node):
        return None
    kind = getattr(node, "type", None)
    if kind in ("number", "string"):
        value = node.value
        return lambda states, variables: value
    if kind == "value":
        value = NULL if node.value is None else node.value
        return lambda states, variables: value
    if kind == "variable":
        return _fast_variable(node.value)
    if kind == "path":
        return _fast_path(node)
    if kind == "unary" and node.value == "-":
        operand = fast(node.expression)
        return None if operand is None else _fast_negate(operand)
    if kind == "condition":
        return _fast_condition(node)
    if kind == "binary":
        return _fast_binary(node)
    if kind == "function":
        return _fast_call(node)
    return None


def _fast_variable(name: str) -> Callable[[dict, Any], Any] | None:
    if name in ("", "$"):
        return None  # the context item: the port knows
    if name == "states":
        return lambda states, variables: states

    def variable(states: dict, variables: Any) -> Any:
        value = variables.get(name, MISSING) if variables is not None else MISSING
        if value is MISSING:
            raise _FALLBACK  # a function, or an undefined name: let the port decide
        return NULL if value is None else value

    return variable


def _fast_path(node: Any) -> Callable[[dict, Any], Any] | None:
    steps = node.steps
    if not steps or getattr(steps[0], "type", None) != "variable" or not _plain(steps[0]):
        return None
    head = _fast_variable(steps[0].value)
    if head is None:
        return None
    names = []
    for step in steps[1:]:
        if getattr(step, "type", None) != "name" or not _plain(step) or not isinstance(step.value, str):
            return None
        names.append(step.value)
    names_t = tuple(names)

    def path(states: dict, variables: Any) -> Any:
        value = head(states, variables)
        for name in names_t:
            if type(value) is dict:
                value = value.get(name, MISSING)
                if value is MISSING:
                    return None
                if value is None:
                    value = NULL
            elif type(value) is list:
                raise _FALLBACK  # sequences flatten: the port knows
            else:
                return None
        return value

    return path


def _fast_negate(operand: Callable[[dict, Any], Any]) -> Callable[[dict, Any], Any]:
    def negate(states: dict, variables: Any) -> Any:
        value = operand(states, variables)
        if value is None:
            return None
        if type(value) in _NUMBER and value == value:
            return -value
        raise _FALLBACK

    return negate


def _truthy(value: Any) -> bool:
    """$boolean for the values the closures meet."""
    kind = type(value)
    if kind is bool:
        return value
    if value is None or value is NULL:
        return False
    if kind is str:
        return value != ""
    if kind is int or kind is float:
        return value != 0
    raise _FALLBACK


def _fast_condition(node: Any) -> Callable[[dict, Any], Any] | None:
    test = fast(node.condition)
    then = fast(node.then)
    otherwise = fast(node._else) if getattr(node, "_else", None) is not None else None
    if test is None or then is None or (getattr(node, "_else", None) is not None and otherwise is None):
        return None

    def condition(states: dict, variables: Any) -> Any:
        if _truthy(test(states, variables)):
            return then(states, variables)
        return otherwise(states, variables) if otherwise is not None else None

    return condition


def _fast_binary(node: Any) -> Callable[[dict, Any], Any] | None:
    op = node.value
    left = fast(node.lhs)
    right = fast(node.rhs)
    if left is None or right is None:
        return None
    if op in ("+", "-", "*", "/", "%"):

        def arithmetic(states: dict, variables: Any) -> Any:
            a, b = left(states, variables), right(states, variables)
            if _finite_number(a) and _finite_number(b):
                return js_arithmetic(op, a, b)
            if (a is None and (b is None or _finite_number(b))) or (b is None and _finite_number(a)):
                return None
            raise _FALLBACK  # a type error or an infinity: the port words it

        return arithmetic
    if op in ("=", "!="):
        equal = op == "="

        def equality(states: dict, variables: Any) -> bool:
            a, b = left(states, variables), right(states, variables)
            if a is None or b is None:
                return False  # for != too, as in JSONata
            return js_equal(a, b) is equal

        return equality
    if op in ("<", "<=", ">", ">="):

        def comparison(states: dict, variables: Any) -> Any:
            return js_compare(op, left(states, variables), right(states, variables))

        return comparison
    if op == "and":

        def both(states: dict, variables: Any) -> bool:
            return _truthy(left(states, variables)) and _truthy(right(states, variables))

        return both
    if op == "or":

        def either(states: dict, variables: Any) -> bool:
            return _truthy(left(states, variables)) or _truthy(right(states, variables))

        return either
    if op == "&":

        def concat(states: dict, variables: Any) -> str:
            a, b = left(states, variables), right(states, variables)
            if (a is None or type(a) is str) and (b is None or type(b) is str):
                return rejoined((a or "") + (b or ""))
            raise _FALLBACK

        return concat
    return None


def _finite_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))


# Builtins the closures call directly, each for the argument values it handles (anything else
# falls back, so the port raises the signature errors). A workflow variable of the same name
# shadows the builtin, as in JSONata; the closures then fall back too.


def _call_count(value: Any) -> Any:
    if type(value) is list:
        return len(value)
    return 0 if value is None else 1


def _call_exists(value: Any) -> Any:
    return value is not None


def _call_not(value: Any) -> Any:
    return None if value is None else not _truthy(value)


def _call_boolean(value: Any) -> Any:
    return None if value is None else _truthy(value)


def _call_string(value: Any) -> Any:
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is bool or kind is int or kind is float or value is NULL or kind is list or kind is dict:
        return js_string(value)
    raise _FALLBACK


def _call_length(value: Any) -> Any:
    if type(value) is str:
        return len(value) if value.isascii() else len(join_surrogates(value))  # code points
    if value is None:
        return None
    raise _FALLBACK


def _call_sum(value: Any) -> Any:
    if value is None:
        return None
    items = value if type(value) is list else [value]
    total = 0.0
    for item in items:
        if not _finite_number(item):
            raise _FALLBACK
        total += item
    return int(total) if -EXACT < total < EXACT and total.is_integer() else total


def _call_append(first: Any, second: Any) -> Any:
    if first is None:
        return second
    if second is None:
        return first
    head = first if type(first) is list else [None if first is NULL else first]
    return head + (second if type(second) is list else [None if second is NULL else second])


_FAST_CALLS: dict[str, tuple[int, Callable[..., Any]]] = {
    "count": (1, _call_count),
    "exists": (1, _call_exists),
    "not": (1, _call_not),
    "boolean": (1, _call_boolean),
    "string": (1, _call_string),
    "length": (1, _call_length),
    "sum": (1, _call_sum),
    "append": (2, _call_append),
}


def _fast_call(node: Any) -> Callable[[dict, Any], Any] | None:
    procedure = node.procedure
    if getattr(procedure, "type", None) != "variable" or not _plain(procedure):
        return None
    name = procedure.value
    arity, implementation = _FAST_CALLS.get(name, (None, None))
    arguments = [fast(argument) for argument in node.arguments or ()]
    if implementation is None or len(arguments) != arity or any(argument is None for argument in arguments):
        return None

    def shadowed(variables: Any) -> bool:
        return variables is not None and name in variables

    if arity == 1:
        (argument,) = arguments

        def call_one(states: dict, variables: Any) -> Any:
            if shadowed(variables):
                raise _FALLBACK
            return implementation(argument(states, variables))

        return call_one
    first, second = arguments

    def call_two(states: dict, variables: Any) -> Any:
        if shadowed(variables):
            raise _FALLBACK
        return implementation(first(states, variables), second(states, variables))

    return call_two
