"""What the closures (closures.py) do with values: their signal to fall back to the port, the
truth of a value, which lists they may read, and the builtins they call directly, each for the
argument values it handles (anything else falls back, so the port raises the signature errors).
Values follow the port's conventions: JSONata null is NULL, undefined None."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from jsonata import utils

from .javascript import EXACT, join_surrogates, js_string
from .values import MISSING, NULL, type_name

_JLIST = utils.Utils.JList
IMPURE = frozenset({"random", "uuid", "now", "millis", "shuffle", "eval"})  # (a retry must not draw again)


class Fallback(Exception):
    """A value the closures do not handle: evaluate the whole expression with the port."""


# raised as the class: a new instance each time, whose traceback dies with it (one instance
# raised again and again would keep every frame it ever left)
FALLBACK = Fallback


def readable_array(value: Any) -> bool:
    """Whether `value` is an array the closures may read: a plain list, or the port's JList
    that is no wrapped or tuple stream; False for any other value. Another list (a RangeList,
    `[1..n]`, holds no items until read) falls back: the port's."""
    kind = type(value)
    if kind is list or (kind is _JLIST and not value.outer_wrapper and not value.tuple_stream):
        return True
    if isinstance(value, list):
        raise FALLBACK
    return False


def truthy(value: Any) -> bool:
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
    raise FALLBACK


def finite_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))


# Builtins the closures call directly, each for the argument values it handles (anything else
# falls back, so the port raises the signature errors). A workflow variable of the same name
# shadows the builtin, as in JSONata; the closures then fall back too.


def _call_count(value: Any) -> Any:
    if readable_array(value):
        return len(value)
    return 0 if value is None else 1


def _call_exists(value: Any) -> Any:
    return value is not None


def _call_not(value: Any) -> Any:
    return None if value is None else not truthy(value)


def _call_boolean(value: Any) -> Any:
    return None if value is None else truthy(value)


def _call_string(value: Any) -> Any:
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is bool or kind is int or kind is float or value is NULL or kind is list or kind is dict:
        return js_string(value)
    raise FALLBACK


def _call_length(value: Any) -> Any:
    if type(value) is str:
        return len(value) if value.isascii() else len(join_surrogates(value))  # code points
    if value is None:
        return None
    raise FALLBACK


def _call_sum(value: Any) -> Any:
    if value is None:
        return None
    items = value if readable_array(value) else [value]
    total = 0.0
    for item in items:
        if not finite_number(item):
            raise FALLBACK
        total += item
    return int(total) if -EXACT < total < EXACT and total.is_integer() else total


def _call_append(first: Any, second: Any) -> Any:
    if first is None:
        return second
    if second is None:
        return first
    head = first if readable_array(first) else [first]
    return _JLIST(head + (second if readable_array(second) else [second]))


def _call_lookup(value: Any, key: Any) -> Any:
    if type(key) is not str:
        raise FALLBACK  # (the signature's error)
    if type(value) is dict:
        found = value.get(key, MISSING)
        if found is MISSING:
            return None
        return NULL if found is None else found
    if isinstance(value, list):
        raise FALLBACK  # each item's, flattened: the port knows
    return None


def _call_type(value: Any) -> Any:
    if value is None:
        return None
    if value is NULL:
        return "null"
    readable_array(value)  # (another list: the port's)
    name = type_name(value)
    if name == "function":
        raise FALLBACK  # a function, a regex: the port knows
    return name


def _call_merge(value: Any) -> Any:
    if value is None:
        return None
    objects = [value] if type(value) is dict else value if readable_array(value) else None
    if objects is None or any(type(item) is not dict for item in objects):
        raise FALLBACK  # (the signature's error)
    result: dict = {}
    for item in objects:
        result.update(item)
    return result


FAST_CALLS: dict[str, tuple[int, Callable[..., Any]]] = {
    "count": (1, _call_count),
    "exists": (1, _call_exists),
    "not": (1, _call_not),
    "boolean": (1, _call_boolean),
    "string": (1, _call_string),
    "length": (1, _call_length),
    "sum": (1, _call_sum),
    "type": (1, _call_type),
    "merge": (1, _call_merge),
    "append": (2, _call_append),
    "lookup": (2, _call_lookup),
}
