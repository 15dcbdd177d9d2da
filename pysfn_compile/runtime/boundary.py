"""The plain run's side of the Lambda boundary.

A compiled workflow sees each callee's result as JSON, the way Step Functions carries it; the
same workflow run plainly would see the Python object itself. The two differ in one thing the
compiler cannot know statically: JSON has one number type, so a callee that returns `2.0`
without an annotation gives the machine the number 2, which the compiler's rule reads as an
int, and a tuple arrives as a list; and the Lambda checks a result against the callee's return
annotation (a `-> str` callee returning None raises TypeError there, which an `except` may
catch). `callees_as_the_machine_sees_them` makes a plain run see what the machine sees.
"""

from __future__ import annotations

import contextlib
import functools
import typing
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType

from .dispatch import check_result
from .sfn import as_machine_sees


@contextlib.contextmanager
def callees_as_the_machine_sees_them(module: ModuleType, callees: Mapping[str, Callable]) -> Iterator[None]:
    """Within the block, a callee the workflow calls returns its result as the machine sees it
    (calls between callees, inside what is one Lambda on AWS, are left as they are)."""
    inside = [0]  # > 0 while a callee runs: its own calls are plain Python

    def crossing(name: str, function: Callable) -> Callable:
        hint = _return_hint(function)

        @functools.wraps(function)
        def call(*args, **kwargs):
            if inside[0]:
                return function(*args, **kwargs)
            inside[0] += 1
            try:
                result = function(*args, **kwargs)
            finally:
                inside[0] -= 1
            if hint is not None:
                check_result(name, hint, result)
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


def _return_hint(function: Callable):
    try:
        return typing.get_type_hints(getattr(function, "__pysfn_original__", function)).get("return")
    except Exception:  # an annotation that does not evaluate: nothing to go by
        return None
