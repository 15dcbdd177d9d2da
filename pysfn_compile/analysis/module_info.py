"""The workflow's module: its source and syntax tree, its imported objects, and what each
module-level name is to the compiler (a callee, an exception class, a constant, the sfn module).
"""

from __future__ import annotations

import ast
import builtins
import enum
import inspect
import itertools
import re
import sys
import traceback
import types
import typing
from typing import Any

import attrs

from ..errors import CompileError, Problem
from ..runtime import sfn
from .module_changes import changed_module_names

_COUNTER = itertools.count(1)


@attrs.define
class ModuleInfo:
    path: str
    source: str
    tree: ast.Module
    module: types.ModuleType
    functions: dict = attrs.Factory(dict)  # name -> ast.FunctionDef at module level
    lines: list = attrs.Factory(list)
    entry_names: set = attrs.Factory(set)
    return_types: dict = attrs.Factory(dict)  # callee name -> what its body returns (callee_returns.py)
    _changed: dict | None = None
    _lambda_modules: frozenset | None = None
    _local_exceptions: tuple | None = None
    _roots_changed: frozenset | None = None  # _changed_roots, once computed
    _fails_without_cause: bool | None = None

    @property
    def objects(self) -> dict:
        return vars(self.module)

    def line_text(self, line: int) -> str:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1].strip()
        return ""

    # -- what a module-level name is ---------------------------------------------------
    def global_object(self, name: str) -> Any:
        if name in self.objects:
            return self.objects[name]
        return getattr(builtins, name, _MISSING)

    def lambda_modules(self) -> frozenset:
        """The modules whose exception classes a callee's Lambda can raise: builtins, the
        workflow's module and every module it reaches through its globals (modules it imports,
        the modules of the names it imports), transitively; not those that only the compiling
        process loaded (an `except ValueError` then catches the same names wherever it is
        compiled)."""
        if self._lambda_modules is None:
            names = {"builtins", self.module.__name__}
            stack = [self.module]
            while stack:
                for value in list(vars(stack.pop()).values()):
                    if isinstance(value, types.ModuleType):
                        module = value
                    else:
                        try:
                            module = sys.modules.get(getattr(value, "__module__", None) or "")
                        except Exception:  # an object whose attributes misbehave
                            module = None
                    if isinstance(module, types.ModuleType) and module.__name__ not in names:
                        names.add(module.__name__)
                        stack.append(module)
            self._lambda_modules = frozenset(names)
        return self._lambda_modules

    def is_sfn_module(self, name: str) -> bool:
        return self.objects.get(name) is sfn

    def sfn_function(self, name: str) -> str | None:
        """`parallel` when the global `name` is sfn.parallel (from ... import parallel)."""
        obj = self.objects.get(name)
        for public in sfn.__all__:
            if obj is getattr(sfn, public) and public != "Fail":
                return public
        return None

    def fails_without_cause(self) -> bool:
        """Whether some `sfn.Fail(...)` of the module may carry no cause (none given, or one that
        is no str literal or f-string, so may be None): its exception record then says so
        (`nocause`), and a Fail state raising a record tells "no cause" from "" (Python keeps
        them apart: the execution's cause is absent, not empty)."""
        if self._fails_without_cause is None:
            found = False
            for node in ast.walk(self.tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                named = (isinstance(func, ast.Attribute) and func.attr == "Fail" and isinstance(func.value, ast.Name)
                         and self.is_sfn_module(func.value.id)) or \
                    (isinstance(func, ast.Name) and self.objects.get(func.id) is sfn.Fail)
                if not named:
                    continue
                causes = node.args[1:2] + [k.value for k in node.keywords if k.arg == "cause"]
                if not causes or not (isinstance(causes[0], ast.JoinedStr) or isinstance(causes[0], ast.Constant)
                                      and isinstance(causes[0].value, str)):
                    found = True
                    break
            self._fails_without_cause = found
        return self._fails_without_cause

    def callee(self, name: str):
        """The module-level function `name` as the Lambda runs it (decorators unwrapped)."""
        if name not in self.functions:
            return None
        obj = self.objects.get(name)
        if not callable(obj):
            return None
        return sfn.unwrap(obj)

    def class_attribute(self, root: str, names: list[str]):
        """A constant read through a module-level class: `Config.RETRIES`, `Status.OK.value`,
        the JSON data it is; an Enum member itself (its value is `.value`); else MISSING, and
        MISSING where any code of the module assigns an attribute of the class (its value at
        compile time may not be the one at run time)."""
        obj = self.objects.get(root, _MISSING)
        if not isinstance(obj, type) or root in self.functions or any(n.startswith("_") for n in names) \
                or root in self._changed_roots() or _ANY_ROOT in self._changed_roots():
            return _MISSING
        try:
            for name in names:
                obj = inspect.getattr_static(obj, name) if isinstance(obj, type) and not issubclass(obj, enum.Enum) \
                    else getattr(obj, name)
        except AttributeError:
            return _MISSING
        if isinstance(obj, enum.Enum):
            return obj
        return obj if _is_json_data(obj) else _MISSING

    def _changed_roots(self) -> frozenset:
        """The names whose attributes or items some code of the module assigns or deletes
        (`Config.RETRIES = n`), found once; with "*" where setattr/delattr may change any."""
        if self._roots_changed is None:
            roots: set = set()
            for node in ast.walk(self.tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                        and node.func.id in ("setattr", "delattr"):
                    roots.add(_ANY_ROOT)
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else \
                    [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
                for target in targets:
                    while isinstance(target, (ast.Attribute, ast.Subscript)):
                        target = target.value
                        if isinstance(target, ast.Name):
                            roots.add(target.id)
            self._roots_changed = frozenset(roots)
        return self._roots_changed

    def exception_class(self, name: str):
        obj = self.global_object(name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            return obj
        return None

    def local_exceptions(self) -> tuple:
        """(name, base classes) of each exception class a module-level function defines in its
        body (`class Local(AppError)` inside a callee): a Lambda reports it by that name, and
        an `except AppError` must catch the name. Bases resolve through the module's globals
        and the classes defined before it there; a class with a base that does not resolve to
        an exception class is left out."""
        if self._local_exceptions is not None:
            return self._local_exceptions
        found: list = []
        known: dict = {}
        for fdef in self.functions.values():
            for node in ast.walk(fdef):
                if not isinstance(node, ast.ClassDef) or node is fdef:
                    continue
                bases: list = []
                for base in node.bases:
                    name = base.id if isinstance(base, ast.Name) else None
                    bases += known[name] if name in known else [self.exception_class(name) if name else None]
                if bases and None not in bases:
                    known[node.name] = tuple(bases)
                    found.append((node.name, tuple(bases)))
        self._local_exceptions = tuple(found)
        return self._local_exceptions

    def constant(self, name: str):
        """A module-level constant usable inside the workflow (JSON data), else _MISSING."""
        if name not in self.objects or name in self.functions:
            return _MISSING
        obj = self.objects[name]
        if _is_json_data(obj):
            return obj
        return _MISSING

    def changed_globals(self) -> dict:
        """{name: line} of module-level names some function may change (a list a callee
        appends to, directly or through another name; a `global` assignment): the workflow
        cannot read them as constants, since the compiled machine holds their value at
        compile time (analysis/module_changes.py)."""
        if self._changed is None:
            names = frozenset(name for name in self.objects if name not in self.functions)
            self._changed = changed_module_names(self.tree, names)
        return self._changed


_MISSING = object()
_ANY_ROOT = "*"  # (no Python name): setattr/delattr may change any class's attributes
MISSING = _MISSING


def _is_json_data(obj: Any, depth: int = 0) -> bool:
    if depth > 20:
        return False
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return not isinstance(obj, float) or obj == obj and obj not in (float("inf"), float("-inf"))
    if isinstance(obj, (list, tuple)):
        return all(_is_json_data(item, depth + 1) for item in obj)
    if isinstance(obj, dict):
        # (an int key is held as jsonata_lib.held_keys makes it)
        return all((isinstance(k, str) or type(k) is int) and _is_json_data(v, depth + 1) for k, v in obj.items())
    return False


def load_file(path: str) -> ModuleInfo:
    try:
        with open(path, encoding="utf-8") as file:
            source = file.read()
    except OSError as error:
        raise CompileError([Problem(path, 1, 1, f"cannot read the workflow: {error.strerror or error}")]) from None
    except UnicodeDecodeError as error:
        raise CompileError([Problem(path, 1, 1, f"the workflow is not UTF-8 text (byte {error.start})")]) from None
    return load_source(source, path)


def module_name_for(path: str) -> str:
    stem = path.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem[:-3] if stem.endswith(".py") else stem
    return stem if stem.isidentifier() else "workflow"


def load_source(source: str, path: str = "<string>") -> ModuleInfo:
    tree = _parse(source, path)
    module = _import(source, path, tree)
    info = ModuleInfo(path=path, source=source, tree=tree, module=module, lines=source.splitlines())
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            info.functions[statement.name] = statement
    return info


def _parse(source: str, path: str) -> ast.Module:
    try:
        return ast.parse(source, filename=path)
    except SyntaxError as error:
        line, col = error.lineno or 1, (error.offset or 1)
        raise CompileError([Problem(path, line, col, f"syntax error: {error.msg}")]) from None


_CALL_ERROR = re.compile(r"(\w+)\(\) (?:got an unexpected keyword argument|missing \d+ required|takes )")


def _import_hint(error: Exception) -> str:
    """What to do: a wrong call of one of sfn's decorators or functions shows its parameters."""
    match = _CALL_ERROR.match(str(error)) if isinstance(error, TypeError) else None
    function = getattr(sfn, match.group(1), None) if match else None
    if callable(function) and not match.group(1).startswith("_"):
        return f"its parameters: sfn.{match.group(1)}{inspect.signature(function)}"
    return "the module must import without side effects that fail"


def _import(source: str, path: str, tree: ast.Module) -> types.ModuleType:
    """Run the module as Python would import it; its objects tell callees from constants."""
    name = module_name_for(path)
    if name in sys.modules:  # another module of that name is loaded: keep it undisturbed
        name = f"_pysfn_workflow_{next(_COUNTER)}_{name}"
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module  # while it runs, as an import would (dataclasses look it up)
    try:
        # the module as written, not with this file's `from __future__ import annotations`
        code = compile(tree, path, "exec", dont_inherit=True)
        exec(code, vars(module))  # importing the user's own workflow
    except (Exception, SystemExit) as error:  # the module itself fails to import (or exits)
        line = 1
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename == path:
                line = frame.lineno or 1
        raise CompileError([Problem(path, line, 1, f"importing the workflow raised "
                                    f"{type(error).__name__}: {error}", _import_hint(error))]) from None
    finally:
        sys.modules.pop(name, None)
    _resolve_records(module)
    return module


def _resolve_records(module: types.ModuleType) -> None:
    """A TypedDict of a module written with `from __future__ import annotations` holds its
    keys' types as strings, which typing.get_type_hints resolves in the module found in
    sys.modules: not this one, which is not left there. Resolved once here, in the module's own
    namespace, so that the compiler, the plain run and the local Lambda read the types the
    deployed Lambda (a module imported as usual) reads; a nested record's float keys among them."""
    for obj in list(vars(module).values()):
        if typing.is_typeddict(obj) and obj.__module__ == module.__name__:
            try:
                obj.__annotations__ = typing.get_type_hints(obj, globalns=vars(module))
            except Exception:  # (a name that does not resolve: left as written, read as unknown)
                continue
