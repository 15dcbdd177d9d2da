"""The plain run's side of the Lambda boundary.

A compiled workflow sees each callee's result as JSON, the way Step Functions carries it; the
same workflow run plainly would see the Python object itself. The two differ in one thing the
compiler cannot know statically: JSON has one number type, so a callee that returns `2.0`
without an annotation gives the machine the number 2, which the compiler's rule reads as an
int, and a tuple arrives as a list; and the Lambda checks a result against the callee's return
annotation (a `-> str` callee returning None raises TypeError there, which an `except` may
catch), and fails the call where the result is no JSON (`Runtime.MarshalError`: a DynamoDB
Decimal, a datetime); a callee's sfn.Fail without a cause arrives with an empty one (a Lambda's
error always has its message). `callees_as_the_machine_sees_them` makes a plain run see what the machine sees.

One thing it cannot make the plain run see: a Lambda gets a copy of its arguments, so a callee
that changes a list or dict argument in place changes the workflow's value in Python only. The
compiler refuses the changes it can see in the callee's text (aliasing.callee_mutations); any
other (through an alias, a helper, a library) ends the plain run with
`pysfn.CalleeChangedArgument` once the workflow returns (not an exception the workflow could
catch): the two runs would differ there without a word.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType

from .dispatch import check_result, loaded_again, return_hint
from .sfn import Fail, MarshalError, as_machine_sees, in_task, retried, timed, unwrap

CHANGED_ARGUMENT = "pysfn.CalleeChangedArgument"


@contextlib.contextmanager
def callees_as_the_machine_sees_them(module: ModuleType, callees: Mapping[str, Callable],
                                     stand_ins: Mapping[str, Callable] | None = None) -> Iterator[None]:
    """Within the block, a callee the workflow calls returns its result as the machine sees it
    (calls between callees, inside what is one Lambda on AWS, are left as they are);
    `stand_ins` ({callee name: function}) are called in some callees' places (a test's mocks),
    their results held to the callee's return annotation."""
    inside = [0]  # > 0 while a callee runs: its own calls are plain Python
    changed: list[str] = []  # the first argument a callee changed in place, described

    def crossing(name: str, function: Callable) -> Callable:
        hint = return_hint(function)
        original, function = function, (stand_ins or {}).get(name, function)
        timeout = (getattr(original, "__pysfn_task__", None) or {}).get("timeout")
        specs = getattr(original, "__pysfn_retry__", None)
        if timeout is not None:  # each attempt a Task that times out (@sfn.task(timeout=...))
            function = retried(timed(unwrap(function), timeout), specs) if specs else timed(function, timeout)
        elif function is not original and specs:
            function = retried(function, specs)  # the Task retries a stand-in too

        @functools.wraps(original)
        def call(*args, **kwargs):
            if inside[0]:
                return function(*args, **kwargs)
            before = _texts(args, kwargs)
            with in_task():  # (its waits are the Task's: on a Map's lane they pass when it ends)
                inside[0] += 1
                try:
                    result = function(*args, **kwargs)
                except Exception as error:
                    translated = error if name not in (stand_ins or {}) else _as_the_modules(error, module)
                    if type(translated) is Fail and translated.cause is None:  # (a Lambda's error has a
                        translated = Fail(translated.error, "")  # cause: its errorMessage, "" here)
                    if translated is error:
                        raise
                    raise translated from error
                finally:
                    inside[0] -= 1
                    which = _changed(before)
                    if which is not None and not changed:
                        changed.append(f"{name}() changed its argument {which} in place, which the workflow would "
                                       "see in Python but not in the machine (a Lambda gets a copy of its "
                                       "arguments): change a copy in the callee (dict(...) or list(...) of it) and "
                                       "return it; the workflow assigns the result")
            check_result(name, hint, result)
            try:  # what Lambda's runtime does with the handler's result (NaN is no JSON to it)
                json.dumps(result, allow_nan=False)
            except (TypeError, ValueError) as error:
                raise MarshalError(f"Unable to marshal response: {error}") from None
            return as_machine_sees(hint, result)

        return call

    originals = {name: module.__dict__[name] for name in callees if name in module.__dict__}
    for name, function in originals.items():
        setattr(module, name, crossing(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(module, name, function)
        if changed:
            raise Fail(CHANGED_ARGUMENT, changed[0])


def _as_the_modules(error: Exception, module: ModuleType) -> Exception:
    """A stand-in's exception of the workflow module's class as imported by a test (another
    load of the file: dispatch.loaded_again) as an exception of the module's own class, which
    the workflow's `except` catches; any other as it is."""
    cls = type(error)
    ours = module.__dict__.get(cls.__name__)
    if cls.__qualname__ == cls.__name__ and isinstance(ours, type) and issubclass(ours, BaseException) \
            and ours is not cls and loaded_again(cls, ours, vars(module)):
        try:
            return ours(*error.args)
        except Exception:  # (an __init__ that takes other arguments: left as it is)
            return error
    return error


def _texts(args: tuple, kwargs: dict) -> list:
    """(label, value, JSON text) of the list and dict arguments of a call."""
    labelled = [(str(index + 1), value) for index, value in enumerate(args)] + [(repr(key), value)
                                                                                for key, value in kwargs.items()]
    out = []
    for label, value in labelled:
        if isinstance(value, (list, dict)):
            try:
                out.append((label, value, json.dumps(value)))
            except (TypeError, ValueError):  # (not JSON: nothing a Lambda could have been passed)
                continue
    return out


def _changed(before: list) -> str | None:
    """The label of the first argument whose JSON text a call changed, or None."""
    for label, value, text in before:
        try:
            if json.dumps(value) != text:
                return label
        except (TypeError, ValueError):
            return label
    return None


