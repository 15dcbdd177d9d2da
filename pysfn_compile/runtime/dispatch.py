"""Dispatch one state-machine call to a Python function, as the deployed Lambda does.

This module is copied verbatim into the Lambda package next to the generated handler, so it
imports only the standard library. The event is the Task's payload:

    {"function": "charge", "args": [order_id, 12.5], "kwargs": {"currency": "EUR"}}

(the compiler leaves "kwargs" out when a call passes none).

JSON cannot tell 3.0 from 3. Where the compiler knows that an argument holds a float (a value
the workflow computed, `round(rate, 3)`, passed to a parameter with no annotation) the payload
says where, `"floats": [[0, "rate"], ["prices", null]]`: a position in "args" or a key of
"kwargs", then keys and positions inside it, null for every item or value; an int found there
is turned back into the float Python passes.

`dispatch(event, callees, known)` calls `callees[function](*args, **kwargs)` and returns its
result; a name that is not in `callees` is refused (UnknownFunction). Exceptions the function
raises propagate: the Lambda runtime reports them with errorType = the exception's class name,
qualified by its module where the workflow's module (`known`: its globals) or the builtins give
that name to another class (error_type: a Catch matches names only).

JSON cannot tell 3.0 from 3, so an argument annotated `float` (also inside `list[float]`,
`dict[str, float]`, `float | None`) is converted from int to float here, and a result is
checked against the function's return annotation: an int beyond 2**53 - 1, which Step Functions
could not carry exactly, or a value of another type than annotated, is refused (TypeError)
rather than passed on changed. A result with no annotation is refused for such an int too,
anywhere inside it (check_result): the machine's JSONata would hold it as a double.
"""

from __future__ import annotations

import builtins
import inspect
import os
import sys
import typing

SAFE_INTEGER = 2**53 - 1

__all__ = ["UnknownFunction", "check_result", "dispatch", "error_type", "loaded_again", "return_hint",
           "SAFE_INTEGER"]


class UnknownFunction(LookupError):
    """The payload names a function this state machine does not call."""


def error_type(cls: type, known=None) -> str:
    """The error name the machine sees for an exception of class `cls`: its name, or, where the
    workflow's module (`known`: its globals) or else the builtins bind that name to another
    exception class, its module and name (`binascii.Error` beside a module's own `Error`;
    requests' ConnectionError beside the builtin): a Catch matches names alone, and Python's
    `except Error` would not catch the other class. A builtin keeps its name (the workflow's own
    code raises those by name too; a module's class bearing one is refused where a clause would
    catch both: analysis/exceptions.name_clash)."""
    name = cls.__name__
    if getattr(builtins, name, None) is cls:
        return name
    bound = (known or {}).get(name)
    if not (isinstance(bound, type) and issubclass(bound, BaseException)):
        bound = getattr(builtins, name, None)
    if isinstance(bound, type) and issubclass(bound, BaseException) and bound is not cls \
            and not loaded_again(cls, bound, known or {}):
        return f"{cls.__module__}.{cls.__qualname__}"
    return name


def loaded_again(cls: type, bound: type, known: dict) -> bool:
    """Whether `cls` is the workflow module's class `bound` from another load of the same
    file: a test that imports the workflow and makes a mock raise its exception class (the
    compiler ran a copy of the module of its own, whose classes are other objects)."""
    if cls.__qualname__ != bound.__qualname__ or bound.__module__ != known.get("__name__"):
        return False
    theirs = getattr(sys.modules.get(cls.__module__), "__file__", None)
    ours = known.get("__file__")
    return bool(theirs and ours) and os.path.realpath(theirs) == os.path.realpath(ours)


def dispatch(event, callees, known=None):
    if not isinstance(event, dict):
        raise TypeError(f"the payload must be an object with 'function', 'args' and 'kwargs', not {type(event).__name__}")
    name = event.get("function")
    if not isinstance(name, str) or name not in callees:
        what = f"{name!r} is not" if "function" in event else "the payload names no function ('function'): it is not"
        raise UnknownFunction(f"{what} a function this state machine calls ({', '.join(sorted(callees)) or 'none'})")
    function = callees[name]
    args = list(event.get("args") or [])
    kwargs = dict(event.get("kwargs") or {})
    for path in event.get("floats") or ():
        where, rest = path[0], path[1:]
        if isinstance(where, int) and 0 <= where < len(args):
            args[where] = _float_at(args[where], rest)
        elif isinstance(where, str) and where in kwargs:
            kwargs[where] = _float_at(kwargs[where], rest)
    hints = _hints(function)
    if hints:
        args, kwargs = _coerce_arguments(function, hints, args, kwargs)
    try:
        result = function(*args, **kwargs)
    except Exception as error:
        if type(error).__name__ == "Fail" and isinstance(getattr(error, "error", None), str):
            # sfn.Fail(error, cause) raised by a callee: Lambda names an error by its class,
            # so raise it as a class named `error` (the workflow sees that error and cause)
            named = type(error.error, (Exception,), {"__module__": "pysfn"})
            raise named(error.cause if error.cause is not None else "") from error
        name = error_type(type(error), known)
        if name != type(error).__name__:  # reported under the name error_type gives it
            raise type(name, (Exception,), {"__module__": "pysfn"})(str(error)) from error
        raise
    check_result(name, hints.get("return"), result)
    return result


def _float_at(value, path):
    """`value` with the int at `path` (null: every item or value) as a float."""
    if not path:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
    step, rest = path[0], path[1:]
    if step is None and isinstance(value, list):
        return [_float_at(item, rest) for item in value]
    if step is None and isinstance(value, dict):
        return {key: _float_at(item, rest) for key, item in value.items()}
    if isinstance(value, dict) and isinstance(step, str) and step in value:
        return {**value, step: _float_at(value[step], rest)}
    if isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
        return [*value[:step], _float_at(value[step], rest), *value[step + 1:]]
    return value


def return_hint(function):
    """The function's return annotation (that of the function an sfn decorator wraps), or None."""
    return _hints(getattr(function, "__pysfn_original__", function)).get("return")


def _hints(function) -> dict:
    try:
        return typing.get_type_hints(function)
    except Exception:  # an annotation that does not evaluate here: nothing to convert by
        return {}


def _coerce_arguments(function, hints, args, kwargs):
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return args, kwargs
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    for index, parameter in enumerate(positional[: len(args)]):
        if parameter.name in hints:
            args[index] = _to_float(hints[parameter.name], args[index])
    # `*values: float` annotates each of the arguments past the named ones, `**options: float`
    # each keyword no parameter is named
    star = next((p.name for p in parameters if p.kind is p.VAR_POSITIONAL and p.name in hints), None)
    for index in range(len(positional), len(args)) if star else ():
        args[index] = _to_float(hints[star], args[index])
    named = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    options = next((p.name for p in parameters if p.kind is p.VAR_KEYWORD), None)
    for key in list(kwargs):
        hint = hints.get(key) if key in named else hints.get(options) if options else None
        if hint is not None:
            kwargs[key] = _to_float(hint, kwargs[key])
    return args, kwargs


def _to_float(hint, value):
    """int -> float wherever the annotation says float."""
    if hint is float:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if typing.is_typeddict(hint) and isinstance(value, dict):
        try:
            fields = typing.get_type_hints(hint)
        except Exception:
            return value
        return {key: _to_float(fields[key], item) if key in fields else item for key, item in value.items()}
    origin, parameters = typing.get_origin(hint), typing.get_args(hint)
    if origin is list and parameters and isinstance(value, list):
        return [_to_float(parameters[0], item) for item in value]
    if origin is dict and len(parameters) == 2 and isinstance(value, dict):
        return {key: _to_float(parameters[1], item) for key, item in value.items()}
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        numeric = [p for p in parameters if p in (int, float)]
        if numeric == [float]:
            return _to_float(float, value)
    return value


def check_result(name, hint, value):
    """TypeError where `value` is not what the function's return annotation `hint` says (the
    compiler typed the machine by it; the plain run's boundary checks it as well), or, with
    no annotation (`hint` None), where it holds an int past 2**53 - 1: the machine's JSONata
    holds numbers as doubles (2**60 + 3 and 2**60 + 4 would be one number there)."""
    if hint is None:
        problem = _unsafe(value)
        if problem:
            raise TypeError(f"{name}() returned {problem}, which Step Functions cannot carry exactly (its JSONata "
                            "holds numbers as doubles): return such a number as a str")
        return
    problem = _mismatch(hint, value)
    if problem:
        raise TypeError(f"{name}() is annotated to return {_hint_name(hint)}, but returned {problem}")


def _mismatch(hint, value):
    """What is wrong with `value` as a JSON result of type `hint`, or None."""
    if hint is typing.Any or hint is object:
        return _unsafe(value)
    if hint is None or hint is type(None):
        return None if value is None else _describe(value)
    if hint is bool:
        return None if isinstance(value, bool) else _describe(value)
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return None if abs(value) <= SAFE_INTEGER else f"{value}, beyond 2**53 - 1"
        return _describe(value)
    if hint is float:
        return None if isinstance(value, (int, float)) and not isinstance(value, bool) else _describe(value)
    if hint is str:
        return None if isinstance(value, str) else _describe(value)
    if typing.is_typeddict(hint):
        if not isinstance(value, dict):
            return _describe(value)
        try:
            fields = typing.get_type_hints(hint)
        except Exception:
            return _unsafe(value)
        for key in getattr(hint, "__required_keys__", fields):  # the machine counts on them
            if key not in value:
                return f"a dict without its key {key!r}"
        for key, field_hint in fields.items():
            if key in value:
                problem = _mismatch(field_hint, value[key])
                if problem:
                    return f"{problem} at key {key!r}"
        return None
    origin, parameters = typing.get_origin(hint), typing.get_args(hint)
    if hint is list or origin is list:
        if not isinstance(value, (list, tuple)):
            return _describe(value)
        for item in value:
            problem = _mismatch(parameters[0], item) if parameters else _unsafe(item)
            if problem:
                return problem
        return None
    if hint is dict or origin is dict:
        if not isinstance(value, dict):
            return _describe(value)
        for key, item in value.items():
            if not isinstance(key, str):
                return f"a dict with the key {key!r} (JSON keys are strings)"
            problem = _mismatch(parameters[1], item) if len(parameters) == 2 else _unsafe(item)
            if problem:
                return problem
        return None
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        problems = [_mismatch(option, value) for option in parameters]
        return None if any(p is None for p in problems) else _describe(value)
    return _unsafe(value)


def _unsafe(value):
    """Ints Step Functions cannot carry exactly, anywhere inside the value."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if abs(value) <= SAFE_INTEGER else f"{value}, beyond 2**53 - 1"
    if isinstance(value, (list, tuple)):
        for item in value:
            problem = _unsafe(item)
            if problem:
                return problem
    if isinstance(value, dict):
        for item in value.values():
            problem = _unsafe(item)
            if problem:
                return problem
    return None


def _describe(value) -> str:
    name = type(value).__name__
    return "None" if value is None else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _hint_name(hint) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
