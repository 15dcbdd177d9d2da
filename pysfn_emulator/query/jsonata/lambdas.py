"""The fast path for functions: a lambda without a signature whose body the closures compile
is applied as Python. A compiled machine defines its helpers and loop bodies as such lambdas
and calls them once per item of a `$map`, `$filter` or `$reduce`, or once per iteration of a
folded loop; through the port each call costs a dispatch per node of the body (about 15 us
for the smallest), here a fraction of that.

The body runs in a frame of the port's, as the port's own call would (its parameters bound
there, its blocks frames below it, a function it makes closing over them), read and written
through a `_View`; it calls other functions (the machine's own, or builtins the closures do
not implement) through the port. Any value the closures do not handle, or a name that is no
data where data is read, falls back to the port for that one call, which gives its own result
or error: the closures are pure, so having tried them first changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from jsonata import parser, utils

from .closures import fast
from .values import MISSING, NULL

_DATA = (str, int, float, bool, dict)
_UNSET = object()  # a body not compiled yet (the cache on its node)
_JLIST = utils.Utils.JList
_SYMBOL = parser.Parser.Symbol


@attrs.frozen
class TailCall:
    """What a function's body gives where it ends in a call of a function of the machine's:
    the caller applies it next (engine.apply_inner), in a loop rather than deeper."""

    function: Any
    args: list


def is_plain_lambda(value: Any) -> bool:
    """A lambda without a signature (the port validates nothing of its arguments)."""
    return type(value) is _SYMBOL and value._jsonata_lambda and value.signature is None


class _View:
    """What a compiled body reads as `variables`: the bindings of its frame and the enclosing
    ones up to the evaluation's root (engine.Scope: its `:=` bindings, the workflow's
    variables, then, for a function's name, the function table)."""

    __slots__ = ("engine", "frame", "input")

    def __init__(self, frame: Any, input: Any, engine: Any):
        self.frame = frame
        self.input = input
        self.engine = engine

    def _find(self, name: str, functions: bool) -> Any:
        frame = self.frame
        while frame is not None:
            if getattr(frame, "variables", None) is not None:  # the root
                if functions or name in frame.bindings or name in frame.variables:
                    return frame.lookup(name)
                return MISSING
            bindings = frame.bindings
            if name in bindings:
                return bindings[name]
            frame = frame.parent
        return MISSING

    def get(self, name: str, default: Any = None, functions: bool = False) -> Any:
        value = self._find(name, functions)
        if value is None or value is MISSING:
            return default  # undefined: the port decides
        if functions or value is NULL or type(value) in _DATA or isinstance(value, list):
            return value
        return default  # a function or a regex read as data: the port decides

    def __contains__(self, name: str) -> bool:
        return self._find(name, False) is not MISSING

    def block(self) -> _View:
        return _View(self.engine.create_frame(self.frame), self.input, self.engine)

    def bind(self, name: str, value: Any) -> None:
        self.frame.bind(name, value)

    def function(self, node: Any) -> Any:
        return self.engine.evaluate_lambda(node, self.input, self.frame)

    def tail_call(self, name: str, args: list) -> Any:
        """A call in the body's tail position: its result is the body's as the function gives
        it (the port's trampoline makes no sequence of one its item there)."""
        function = self._find(name, True)
        if is_plain_lambda(function):
            return TailCall(function, args)
        if function is None or function is MISSING:
            raise LookupError(name)
        return self.engine.apply(function, args, self.input, self.frame)

    def call(self, name: str, args: list) -> Any:
        function = self._find(name, True)
        if function is None or function is MISSING:
            raise LookupError(name)  # (T1006 from the port)
        return self.apply(function, args)

    def apply(self, function: Any, args: list) -> Any:
        result = self.engine.apply(function, args, self.input, self.frame)
        # as the port's evaluation of the call would give it: a sequence of one is its item
        if isinstance(result, _JLIST) and result.sequence and not result.tuple_stream:
            if not result:
                return None
            if len(result) == 1 and not result.keep_singleton:
                return result[0]
        return result


def compiled(procedure: Any, engine: Any) -> Callable[[list], Any] | None:
    """A Python function of the argument list applying `procedure` (a lambda without a
    signature) on `engine`, or None where its body is beyond the closures. It raises where
    the closures give up; the caller then applies the lambda through the port. Made once per
    procedure (a `$map`'s function is applied once per item) and kept on it."""
    apply = getattr(procedure, "_pysfn_apply", _UNSET)
    if apply is not _UNSET:
        return apply
    body = procedure.body
    closure = getattr(body, "_pysfn_fast", _UNSET)
    if closure is _UNSET:
        closure = body._pysfn_fast = fast(body, calls=True)
    apply = procedure._pysfn_apply = None if closure is None else _applying(procedure, closure, engine)
    return apply


def _applying(procedure: Any, closure: Callable, engine: Any) -> Callable[[list], Any]:
    names = [str(argument.value) for argument in procedure.arguments]
    environment, input = procedure.environment, procedure.input

    def apply(args: list) -> Any:
        frame = engine.create_frame(environment)
        for name, arg in zip(names, args, strict=False):  # (as the port: a missing one unbound)
            frame.bind(name, arg)
        return closure(None, _View(frame, input, engine))  # (no states: $states falls back)

    return apply
