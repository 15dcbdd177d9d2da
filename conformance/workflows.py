"""A Python workflow run both ways: plainly, as Python, and compiled, in the emulator.

The two must agree (ARCHITECTURE.md, "The compiled machine"): the same output, or the same
error name and message. Both results are reduced to an `Outcome` so they compare with `==`:

- plain Python: the entry function called with the input's keys as keyword arguments; its
  return value (as JSON would carry it), or the exception's class name and `str(exc)`, or a
  `sfn.Fail`'s error and cause;
- emulated: the execution's output, or its error and cause.

The compiler is imported lazily: without `pysfn_compile.compile_file` (it is being built),
compiling raises `WorkflowError` with a message saying so.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import json
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

RETURNED, RAISED, STOPPED = "returned", "raised", "stopped"
# The execution a comparison runs both ways, unless the caller names it (sfn.context() reads it)
EXECUTION_NAME = "pysfn-compare"


class WorkflowError(Exception):
    """The workflow cannot be compiled (or the compiler is missing); the message says why."""


def same_json(a: Any, b: Any) -> bool:
    """Python's == for JSON values, but a bool is no number (`true` and `1` are different
    JSON, though True == 1 in Python); an int and a float of one value are one JSON number."""
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@attrs.frozen(eq=False)
class Outcome:
    """How a run ended: `returned` a value, `raised` error + cause, or `stopped` (the
    execution timed out or was aborted: `error` is the status). Equal as JSON results are
    (`same_json`: True is not 1)."""

    kind: str
    value: Any = None
    error: str | None = None
    cause: str | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Outcome):
            return NotImplemented
        return (self.kind, self.error, self.cause) == (other.kind, other.error, other.cause) \
            and same_json(self.value, other.value)

    def __hash__(self) -> int:
        return hash((self.kind, self.error, self.cause))

    def describe(self) -> str:
        if self.kind == RETURNED:
            return f"returned {_json_text(self.value)}"
        if self.kind == RAISED:
            return f"raised {self.error}: {self.cause}" if self.cause is not None else \
                f"raised {self.error} (no cause)"
        return f"stopped: {self.error}"


def compile_workflow(path: str | os.PathLike, entry: str | None = None, coverage: bool = False,
                     compute_in_lambda: bool = False) -> Any:
    """`pysfn_compile.compile_file(path, entry=entry)` (a coverage build with `coverage`, what
    JSONata cannot compute run in the Lambda with `compute_in_lambda`); every
    problem becomes a WorkflowError whose message is located (`path:line:col: message`) when
    the compiler located it."""
    try:
        import pysfn_compile
    except ImportError:
        pysfn_compile = None
    compile_file = getattr(pysfn_compile, "compile_file", None)
    if compile_file is None:
        raise WorkflowError(f"{path}: cannot compile Python workflows: "
                            "pysfn_compile.compile_file is not available in this installation")
    if not Path(path).is_file():
        raise WorkflowError(f"{path}: no such workflow file")
    parameters = inspect.signature(compile_file).parameters
    options = {name: True for name, wanted in (("coverage", coverage), ("compute_in_lambda", compute_in_lambda))
               if wanted and name in parameters}
    try:
        return compile_file(str(path), entry=entry, **options)
    except SyntaxError as error:
        raise WorkflowError(f"{error.filename or path}:{error.lineno or 0}:{error.offset or 0}: "
                            f"{error.msg}") from None
    except Exception as error:
        if type(error).__name__ == "CompileError":
            raise WorkflowError(str(error)) from None
        raise WorkflowError(f"{path}: cannot compile: {type(error).__name__}: {error}") from None


_DATA = (dict, list, set, frozenset, tuple, int, float, str, bytes, bool, type(None))


def module_data(compiled: Any) -> dict[str, Any]:
    """A copy of the data the workflow's module holds at its top level (dicts, lists, sets,
    numbers, strings: where callees keep state, a fake table, a call log), for
    `restore_module_data`: the two runs of a comparison start from the same state, as their
    AWS services do (each run's callees change it as they would)."""
    module = getattr(compiled, "module", None)
    saved: dict[str, Any] = {}
    for name, value in (vars(module).items() if module is not None else ()):
        if name.startswith("__") or not isinstance(value, _DATA):
            continue
        try:
            saved[name] = copy.deepcopy(value)
        except Exception:  # a value that cannot be copied is left as it is
            continue
    return saved


def restore_module_data(compiled: Any, saved: Mapping[str, Any]) -> None:
    """Put back the module-level data `module_data` copied, where it changed: a dict, list or
    set in place (whoever else holds it sees the same object), anything else bound again."""
    module = getattr(compiled, "module", None)
    for name, value in saved.items():
        current = getattr(module, name, None)
        try:
            if type(current) is type(value) and current == value:
                continue
        except Exception:  # a comparison that fails: put it back
            pass
        fresh = copy.deepcopy(value)
        if isinstance(current, dict) and type(current) is type(fresh):
            current.clear()
            current.update(fresh)
        elif isinstance(current, list) and type(current) is type(fresh):
            current[:] = fresh
        elif isinstance(current, set) and type(current) is type(fresh):
            current.clear()
            current.update(fresh)
        else:
            setattr(module, name, fresh)


def entry_function(compiled: Any) -> Any:
    """The compiled workflow's entry point as a Python function."""
    entry = compiled.entry
    return entry if callable(entry) else getattr(compiled.module, entry)


def run_plain(compiled: Any, execution_input: Any, start_time: datetime | None = None, *,
              execution_name: str | None = EXECUTION_NAME, state_machine_name: str | None = None,
              services: Any = None, callbacks: Mapping[str, Any] | None = None,
              replaced: Mapping[str, Any] | None = None) -> Outcome:
    """Call the entry function with the input's keys as keyword arguments, on sfn's virtual
    clock (waits are instant) starting at `start_time`, as the execution `execution_name` of
    `state_machine_name` (what sfn.context() gives; pass the emulated run the same). Its `sfn.aws`
    calls go to `services` (a LocalAws: give the emulated run an equal one of its own). An input that is not an object fails
    as Python fails it (`argument after ** must be a mapping`), as the compiled machine does.
    `callbacks` ({callee name: responder(token, payload)}) answer sfn.wait_for_callback; give
    the emulated run the same through `callbacks_for`. `replaced` ({callee name: function})
    are called in those callees' places (a test's mocks; the emulated run's `lambdas`)."""
    function = entry_function(compiled)
    sfn = _sfn()
    # a copy of its own: a workflow that changes its input in place (`user["credits"] -= n` of
    # an annotated parameter) must not change the caller's, which the emulated run gets next
    execution_input = copy.deepcopy(execution_input)
    try:
        with virtual_clock(start_time, execution_name, state_machine_name), _plain_run(compiled, services, replaced), \
                _answering(callbacks):
            value = function(**execution_input)
    except Exception as error:
        if sfn is not None and isinstance(error, sfn.Fail):
            return Outcome(RAISED, error=error.error, cause=error.cause)
        named = getattr(compiled, "error_name", None)  # (a stand-in compiler's: the class name)
        return Outcome(RAISED, error=named(type(error)) if named else type(error).__name__, cause=str(error))
    try:
        return Outcome(RETURNED, value=json.loads(json.dumps(value, allow_nan=False)))
    except (TypeError, ValueError) as error:
        return Outcome(RAISED, error="NotJSON", cause=f"the return value is not JSON: {error}")


def _plain_run(compiled: Any, services: Any = None, replaced: Mapping[str, Any] | None = None,
               ) -> contextlib.AbstractContextManager:
    """The compiled workflow's plain-run context (its callees' results as the machine sees
    them, its AWS calls sent to `services`, `replaced` callees' stand-ins called), or nothing
    for a stand-in compiler that has none."""
    plain_run = getattr(compiled, "plain_run", None)
    if plain_run is None:
        return contextlib.nullcontext()
    if replaced:
        return plain_run(services, replaced)
    return plain_run(services) if services is not None else plain_run()


def _answering(callbacks: Mapping[str, Any] | None) -> contextlib.AbstractContextManager:
    """The plain run's responders (sfn.using_callbacks), when there are any."""
    sfn = _sfn()
    if not callbacks or sfn is None:
        return contextlib.nullcontext()
    return sfn.using_callbacks(callbacks)


def callbacks_for(compiled: Any, callbacks: Mapping[str, Any] | None) -> dict[str, Any]:
    """The emulator's `callbacks=` for the plain run's responders: the same responder answers
    each sfn.wait_for_callback in the compiled machine (Compiled.local_callbacks)."""
    if not callbacks:
        return {}
    return compiled.local_callbacks(callbacks)


def responders_of(compiled: Any) -> dict[str, Any]:
    """An example's own responders: its module-level `RESPONDERS` ({callee name: responder})."""
    found = getattr(getattr(compiled, "module", None), "RESPONDERS", None)
    return dict(found) if isinstance(found, Mapping) else {}


def outcome_of(execution: Any) -> Outcome:
    """An emulated execution's result as an Outcome."""
    if execution.status == "SUCCEEDED":
        return Outcome(RETURNED, value=execution.output)
    if execution.status == "FAILED":
        return Outcome(RAISED, error=execution.error, cause=execution.cause)
    return Outcome(STOPPED, error=execution.status)


def lambdas_for(compiled: Any, lambdas: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The compiled workflow's local callees, with the caller's handlers taking precedence."""
    return {**compiled.local_lambdas(), **(lambdas or {})}


def _sfn() -> Any:
    try:
        from pysfn_compile import sfn
    except ImportError:
        return None
    return sfn


def _json_text(value: Any, width: int = 400) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def virtual_clock(start_time: datetime | None = None, execution_name: str | None = None,
                  state_machine_name: str | None = None) -> contextlib.AbstractContextManager:
    """The sfn clock virtual for a block, and the plain run's execution named
    (sfn.virtual_clock); nothing without the compiler."""
    sfn = _sfn()
    if sfn is None:
        return contextlib.nullcontext()
    return sfn.virtual_clock(start_time, execution_name=execution_name, state_machine_name=state_machine_name)
