"""pysfn_compile: Python workflows → Amazon States Language (JSONata, with variables).

    from pysfn_compile import compile_file, CompileError
    compiled = compile_file("examples/analyse_text.py")
    compiled.definition          # the ASL dict
    compiled.callees             # {name: function} the machine calls (through one Lambda)
    compiled.local_lambdas()     # handlers for pysfn_emulator.run(..., lambdas=...)
    compiled.run_python(input)   # the same workflow as plain Python, on a virtual clock
    compiled.local_callbacks({"notify": responder})   # callbacks= for the emulator (both runs answered alike)
    compile_file(path, compute_in_lambda=True)   # what JSONata cannot compute runs in the Lambda

A file the compiler cannot translate exactly raises CompileError listing every problem as
`path:line:col: message` with a hint.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Mapping
from typing import Any

import attrs

import pysfn_emulator

from . import dispatched_calls, local_callbacks
from .analysis.module_info import load_file, load_source, module_name_for
from .compiler import compile_info
from .errors import CompileError, Problem
from .local_services import using_local_services
from .lowering import lambda_compute
from .runtime import dispatch as _dispatch
from .runtime import sfn
from .runtime.boundary import callees_as_the_machine_sees_them

__all__ = ["CompileError", "Compiled", "Problem", "compile_file", "compile_source", "sfn"]


@attrs.define
class Compiled:
    definition: dict
    callees: dict
    module: Any
    entry: str
    lambda_arn: str  # the dispatcher function the Tasks call: its ARN, or its name
    path: str = ""
    computed: list = attrs.Factory(list)  # lambda_compute.ComputedFunction: blocks run in the Lambda
    # compiled with coverage=True: where folded pure code records the source's branches it
    # takes (compiler.source_map); pass it to pysfn_emulator.coverage.Coverage.add
    source_map: dict = attrs.Factory(dict)

    @property
    def function_name(self) -> str:
        return self.lambda_arn.split(":function:")[-1].split(":")[0]

    def handler(self, replaced: Mapping[str, Any] | None = None):
        """The Lambda handler: the same dispatch the packaged handler runs (the callees and
        the functions generated for blocks computed in the Lambda); `replaced` maps callee
        names to functions called in their place, with the same arguments."""
        stand_ins = {name: _held_to(name, function, self.callees.get(name)) for name, function in (replaced or {}).items()}
        callees = {**self.callees, **lambda_compute.function_objects(self.module, self.computed), **stand_ins}

        def handler(event, context=None):
            result = _dispatch.dispatch(event, callees, vars(self.module))
            # Python's Lambda runtime writes the result with json.dumps, which fails on bytes
            # (Runtime.MarshalError); the emulator takes bare bytes for a raw response body (other
            # runtimes'), so they go to it inside a list, where its json fails on them as AWS's does
            return [result] if isinstance(result, (bytes, bytearray)) else result

        return handler

    def local_lambdas(self, overrides: Mapping[str, Any] | None = None) -> dict:
        """{ARN and function name: handler} for pysfn_emulator.run(..., lambdas=...).

        `overrides` replace what they name: a callee's name (a function called with the
        callee's arguments in its place, through the same dispatch), or the workflow's Lambda
        function, by name or ARN (a `handler(event, context)` receiving the dispatch payload).
        A name that matches neither raises LookupError saying what it could have matched
        (unless the same handler matched under another name, as a handlers module registers
        `charge_card` also as `charge-card`)."""
        overrides = dict(overrides or {})
        replaced = {name: overrides.pop(name) for name in list(overrides) if name in self.callees}
        whole = [key for key in overrides if _names_function(key, self.function_name)]
        used = [*replaced.values(), *(overrides[key] for key in whole)]
        unmatched = [key for key in overrides
                     if key not in whole and not any(overrides[key] is handler for handler in used)]
        if unmatched:
            raise LookupError(
                f"{', '.join(map(repr, unmatched))} matches nothing {self.path or 'the workflow'} "
                f"calls: its callees are {', '.join(sorted(self.callees)) or '(none)'}; its Lambda "
                f"function is {self.function_name!r} (or its ARN)")
        handler = overrides[whole[-1]] if whole else self.handler(replaced)
        return {self.lambda_arn: handler, self.function_name: handler}

    def function_names(self) -> frozenset[str]:
        """The names the dispatcher answers: the callees and the functions generated for blocks
        computed in the Lambda."""
        return frozenset(self.callees) | {function.name for function in self.computed}

    def foreign_calls(self, definition: Any, dispatched: Any) -> list[str]:
        """The Lambda Tasks of `definition` (perhaps not compiled from this workflow) that call,
        through a function `dispatched(name)` says is this workflow's, a name it does not
        answer: one line each (dispatched_calls.py)."""
        return dispatched_calls.foreign_calls(definition, self.function_names(), dispatched)

    def local_callbacks(self, responders: Mapping[str, Any] | None = None) -> dict:
        """{resource: responder} for pysfn_emulator.run(..., callbacks=...) from the plain run's
        responders ({callee name: responder(token, payload)}, as sfn.using_callbacks takes them):
        the same responder answers each `sfn.wait_for_callback` both ways (local_callbacks.py)."""
        return local_callbacks.emulator_callbacks(self.definition, responders)

    def error_name(self, cls: type) -> str:
        """The error name a plain run's exception of class `cls` ends the execution with: its
        class name, or with its module where the workflow's module (or the builtins) give that
        name to another class, as the Lambda names it (dispatch.error_type)."""
        return _dispatch.error_type(cls, vars(self.module))

    def workflow(self):
        """The entry function as written (with the sfn.workflow parameter checks)."""
        return getattr(self.module, self.entry)

    def plain_run(self, services: Any = None, replaced: Mapping[str, Any] | None = None):
        """A context in which calling the workflow plainly sees its callees' results as the
        machine sees them (JSON's one number type: see boundary.py), and its `sfn.aws` calls go
        to `services` (a pysfn_emulator.LocalAws, through local_services.py), if given;
        `replaced` maps callee names to functions called in their place (as handler's)."""
        stack = contextlib.ExitStack()
        stack.enter_context(callees_as_the_machine_sees_them(self.module, self.callees, replaced))
        stack.enter_context(using_local_services(services))
        return stack

    def run_python(self, input: Any = None, *, virtual_clock: bool = True, clock: sfn.Clock | None = None,
                   services: Any = None, callbacks: Mapping[str, Any] | None = None) -> dict:
        """Run the workflow as plain Python: {"status", "output", "error", "cause"}, shaped
        like the emulator's result (the output as JSON would carry it). Its waits go to `clock`,
        else to a fresh virtual clock of this run (`virtual_clock`, which also names the
        execution sfn.context() reports), else to the process's sfn clock; the first two are
        this run's alone. Its `sfn.aws` calls go to `services` (a LocalAws; give the emulated
        run an equal one of its own); `callbacks` ({callee name: responder(token, payload)})
        answer its sfn.wait_for_callback calls (sfn.using_callbacks)."""
        arguments = {} if input is None else json.loads(json.dumps(input))  # a fresh copy, as JSON
        if clock is not None:
            scope = sfn.using_clock(clock)
        else:
            scope = sfn.virtual_clock() if virtual_clock else contextlib.nullcontext()
        try:
            with scope, self.plain_run(services), _answered_by(callbacks):
                result = self.workflow()(**arguments)  # a non-mapping raises TypeError as Python does
        except sfn.Fail as failure:
            return {"status": "FAILED", "output": None, "error": failure.error, "cause": failure.cause}
        except Exception as error:  # the workflow's own exception: its class name and message
            return {"status": "FAILED", "output": None, "error": self.error_name(type(error)), "cause": str(error)}
        return {"status": "SUCCEEDED", "output": json.loads(json.dumps(result)), "error": None, "cause": None}


def _held_to(name: str, stand_in: Any, callee: Any) -> Any:
    """A function called in a callee's place, its result checked against the callee's return
    annotation as the callee's would be (a mock returning a str for `-> int` failed later, in
    the machine's arithmetic, with JSONata's words)."""
    hint = _dispatch.return_hint(callee) if callee is not None else None
    if hint is None:
        return stand_in

    @functools.wraps(stand_in)
    def checked(*args, **kwargs):
        result = stand_in(*args, **kwargs)
        _dispatch.check_result(name, hint, result)
        return result

    del checked.__wrapped__  # (dispatch reads the stand-in's own annotations, none of the callee's)
    return checked


def compile_file(path: str, entry: str | None = None, lambda_arn: str | None = None, *,
                 validate: bool = True, compute_in_lambda: bool = False, coverage: bool = False) -> Compiled:
    """Compile the workflow in `path` (the @sfn.workflow function, or `entry`). With
    `validate`, the definition is checked with pysfn_emulator.validate as AWS would check it
    (a problem there is a compiler bug, reported as CompileError). With `compute_in_lambda`
    (or `@sfn.workflow(compute_in_lambda=True)`), what JSONata cannot compute exactly runs as
    Python in the workflow's Lambda (see lowering/lambda_compute.py). With `coverage`, a build
    for measuring coverage: pure code folded into one state also records which of the
    source's branches it took (`compiled.source_map`, for pysfn_emulator.coverage); the
    machine computes the same, with a little more work."""
    return _compile(load_file(str(path)), entry, lambda_arn, validate, compute_in_lambda, coverage)


def compile_source(source: str, path: str = "<string>", entry: str | None = None,
                   lambda_arn: str | None = None, *, validate: bool = True,
                   compute_in_lambda: bool = False, coverage: bool = False) -> Compiled:
    """Compile workflow source text (imported as a module named after `path`)."""
    return _compile(load_source(source, path), entry, lambda_arn, validate, compute_in_lambda, coverage)


def _compile(info, entry, lambda_arn, validate=True, compute_in_lambda=False, coverage=False) -> Compiled:
    # without --lambda-arn, the function's name: Step Functions resolves it in the machine's
    # own account and region (an ARN would need an account the compiler cannot know)
    arn = lambda_arn or _function_name(info.path)
    entry_name, definition, callees, computed, source_map = compile_info(info, entry, arn, compute_in_lambda,
                                                                         coverage)
    compiled = Compiled(definition=definition, callees=callees, module=info.module, entry=entry_name,
                        lambda_arn=arn, path=info.path, computed=computed, source_map=source_map)
    if validate:
        _validate(compiled, info)
    return compiled


def _answered_by(callbacks: Mapping[str, Any] | None) -> contextlib.AbstractContextManager:
    """sfn.using_callbacks(callbacks), or the caller's responders when none are given."""
    return sfn.using_callbacks(callbacks) if callbacks is not None else contextlib.nullcontext()


def _names_function(key: str, function_name: str) -> bool:
    """Whether `key` (a name, `name:qualifier`, or a full or partial ARN) is that function."""
    name = key.split(":function:")[-1] if ":function:" in key else key
    return name.split(":")[0] == function_name


def _function_name(path: str) -> str:
    name = module_name_for(path).replace("_", "-")
    return f"pysfn-{name}"[:64]


def _validate(compiled: Compiled, info) -> None:
    """A definition the compiler wrote must be one AWS accepts: anything else is a compiler bug."""
    problems = pysfn_emulator.validate(compiled.definition)
    if problems:
        raise CompileError([Problem(info.path, 1, 1, f"internal compiler error: the definition is invalid at "
                                    f"{p.pointer or '/'}: {p.message}",
                                    "please report this with the workflow") for p in problems])
