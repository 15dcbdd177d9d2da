"""Callees from a Python module, served as the deployed dispatcher Lambda serves them.

A compiled workflow calls its callees through one Lambda function whose payload is
`{"function": name, "args": [...], "kwargs": {...}}`. The dispatch itself (which function,
argument conversion, result checks, refusal of unknown names) is written once, in the module
the packager copies into the Lambda zip; the emulator takes it as a parameter (it does not
import the compiler), so local runs go through exactly the deployed code:

    from pysfn_compile.runtime.dispatch import dispatch
    lambdas = pysfn_emulator.lambdas_from_module("workflow.py", function_name=ARN, dispatch=dispatch)
    pysfn_emulator.run(definition, input, lambdas=lambdas)

Hand-written Lambda handlers from a module (`pysfn-emulate --lambdas handlers.py`, `serve
--lambdas`, the fixture's `lambdas="handlers.py"`): `handlers_from_file`, one loader for all.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

Dispatch = Callable[[Any, dict[str, Callable]], Any]


def lambdas_from_module(
    source: str | Path | ModuleType,
    *,
    function_name: str,
    dispatch: Dispatch,
    callees: Iterable[str] | None = None,
) -> dict[str, Callable[[Any, Any], Any]]:
    """`{function_name: handler}` for `run(..., lambdas=...)`: a Lambda handler that calls
    `dispatch(event, table)`, where `table` maps names to the module's functions.

    source: a path to a .py file, a module object, or an importable module name.
    function_name: the dispatcher function's name or ARN, as the definition's tasks name it.
    callees: the names the machine calls (as the deployed handler, it refuses others);
        default: every public function defined in the module itself.
    """
    module = load_module(source)
    table = callee_table(module, callees)

    def handler(event: Any, context: Any) -> Any:
        return dispatch(event, table)

    handler.__name__ = handler.__qualname__ = "handler"
    return {function_name: handler}


class HandlersError(Exception):
    """A handlers module that cannot be loaded; the message names the file and says why."""


def module_from_file(path: str | Path, what: str) -> ModuleType:
    """The user's module at `path` (`what`: handlers, responders, services); HandlersError names
    the file and says why it cannot be loaded."""
    path = Path(path)
    if not path.is_file():
        raise HandlersError(f"{path}: no such {what} module")
    try:
        return load_module(path)
    except Exception as error:
        raise HandlersError(f"{path}: cannot load the {what} module: {type(error).__name__}: {error}") from None


def handlers_from_file(path: str | Path) -> dict[str, Callable[[Any, Any], Any]]:
    """`{Lambda function name or ARN: handler(event, context)}` from a Python module: each
    public function it defines, under its own name and, when that has a `_`, also with `-` for
    each `_` (a Lambda function `charge-card` is the Python function `charge_card`; Lambda names
    allow both characters, Python names only `_`), and the entries of its `LAMBDAS` dict, if it
    has one (names mixing both characters, ARNs); a function `LAMBDAS` lists serves only the
    names it is listed under there."""
    module = module_from_file(path, "handlers")
    table = getattr(module, "LAMBDAS", None)
    listed = dict(table) if isinstance(table, dict) else {}
    handlers: dict[str, Callable[[Any, Any], Any]] = {}
    for name, function in callee_table(module).items():
        if any(function is handler for handler in listed.values()):
            continue
        handlers[name] = function
        handlers.setdefault(name.replace("_", "-"), function)
    return {**handlers, **listed}


def responders_from_file(path: str | Path) -> dict[str, Callable[[str, Any], Any]]:
    """Responders for `.waitForTaskToken` tasks from a Python module: its `RESPONDERS` dict when
    it has one, else each public function it defines, under its own name (a state's name, a
    resource, or, for a compiled workflow, the callee it waits on)."""
    module = module_from_file(path, "responders")
    table = getattr(module, "RESPONDERS", None)
    if isinstance(table, dict):
        return dict(table)
    return callee_table(module)


def callee_table(module: ModuleType, names: Iterable[str] | None = None) -> dict[str, Callable]:
    """The module's functions by name: the given names (each must exist), or every public
    function the module defines (not those it imports)."""
    if names is not None:
        table = {}
        for name in names:
            function = getattr(module, name, None)
            if not callable(function):
                raise LookupError(f"{module.__name__} has no function {name!r}")
            table[name] = function
        return table
    return {
        name: value
        for name, value in vars(module).items()
        if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")
    }


def load_module(source: str | Path | ModuleType) -> ModuleType:
    """A module object as is; a file path is executed as a fresh module named after the file
    (its directory importable meanwhile, so it may import its siblings); else an import name."""
    if isinstance(source, ModuleType):
        return source
    path = Path(source)
    if path.suffix == ".py" or path.exists():
        if not path.is_file():
            raise FileNotFoundError(f"no such Python file: {path}")
        name = path.stem
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path} as a Python module")
        module = importlib.util.module_from_spec(spec)
        directory = str(path.resolve().parent)
        sys.path.insert(0, directory)
        previous = sys.modules.get(name)
        sys.modules[name] = module  # as import does: dataclasses and pickling look it up
        try:
            spec.loader.exec_module(module)
        except BaseException:
            if previous is not None:
                sys.modules[name] = previous
            else:
                sys.modules.pop(name, None)
            raise
        finally:
            try:
                sys.path.remove(directory)
            except ValueError:
                pass
        return module
    return importlib.import_module(str(source))
