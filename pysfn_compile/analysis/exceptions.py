"""Python's exception classes as Step Functions error names.

A callee's exception reaches the machine as a Lambda error named by its class (`KeyError`);
a Catch or Retry matches names, not classes. So `except LookupError` becomes ErrorEquals over
LookupError and every subclass the Lambda can raise (the builtins' and those of every module
the workflow reaches through its imports, its own included: ModuleInfo.lambda_modules). sfn.Timeout stands for
`States.Timeout` (and its subclass sfn.HeartbeatTimeout for `States.HeartbeatTimeout`). `except Exception` (and a bare except)
catch every error: States.ALL.
"""

from __future__ import annotations

import ast
import builtins

from ..errors import Refusal
from ..runtime import aws, sfn
from ..runtime.dispatch import error_type

ALL = "States.ALL"


def subclasses(cls: type) -> list[type]:
    seen: list[type] = []
    stack = [cls]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.append(current)
        try:
            stack.extend(reversed(type.__subclasses__(current)))
        except TypeError:
            pass
    return seen


def error_equals(classes: tuple, modules: frozenset | None = None, local: tuple = (), known: dict | None = None
                 ) -> list[str]:
    """ErrorEquals for an except clause over `classes` (() is a bare except); with `modules`
    (ModuleInfo.lambda_modules), only the subclasses defined in them: those the Lambda can raise;
    `local`: (name, bases) of the classes callees define in their bodies (ModuleInfo.local_exceptions);
    `known`: the workflow module's globals (a class is named as dispatch.error_type names it)."""
    if not classes or any(cls in (Exception, BaseException) for cls in classes):
        return [ALL]
    names: list[str] = []
    for cls in classes:
        for sub in subclasses(cls):
            if sub is sfn.Fail:
                continue
            if modules is not None and sub is not cls and sub.__module__ not in modules:
                continue
            if issubclass(sub, aws.ServiceError) and sub is not cls:
                continue  # the facade's classes exist as used (per process): each is caught by its own name
            name = error_name(sub, known)
            if name not in names:
                names.append(name)
    return _with_local(names, classes, local)


def _with_local(names: list[str], classes: tuple, local: tuple) -> list[str]:
    """`names` and those of the `local` classes (ModuleInfo.local_exceptions) `classes` cover."""
    return names + [name for name, bases in local
                    if name not in names and any(issubclass(base, classes) for base in bases)]


def error_name(cls: type, known: dict | None = None) -> str:
    """The error a class stands for: Step Functions' own error for the sfn classes that stand
    for one (sfn.Timeout is `States.Timeout`), else its name as the Lambda reports it
    (dispatch.error_type; `known`: the workflow module's globals)."""
    if issubclass(cls, sfn.Fail) and "error_name" in cls.__dict__:
        return cls.__dict__["error_name"]
    if issubclass(cls, (sfn.Fail, aws.ServiceError)):
        return cls.__name__
    return error_type(cls, known)


def caught_names(info, classes: tuple, where: ast.AST, prefix: str = "") -> list[str]:
    """ErrorEquals for an except clause, an isinstance(e, C) or an @sfn.retry over `classes` in
    the workflow's module (`info`: its ModuleInfo); refused at `where` where the clause would
    catch another class by its name (name_clash)."""
    names = error_equals(classes, info.lambda_modules(), known=info.objects)
    clash = name_clash(classes, names, info.objects)
    if clash is not None:
        raise Refusal(where, prefix + clash[0], clash[1])
    return names if names == [ALL] else _with_local(names, classes, info.local_exceptions())


def name_clash(classes: tuple, names: list[str], own: dict) -> tuple[str, str] | None:
    """(message, hint) where a clause over `classes` catches an error name that a builtin
    exception class or one of the workflow module's own (`own`: its globals) bears and does
    not cover: the Lambda reports an exception by its class's name alone, so the machine would
    catch that one as well (a module's `class TimeoutError(Exception)` under `except OSError`,
    which catches the builtin TimeoutError by name: a builtin keeps its name wherever it is
    raised). A name only other modules' classes bear besides (`Error`: binascii's, csv's) is no
    clash: the Lambda names those with their module (dispatch.error_type). `names`: the
    clause's ErrorEquals over the module-level classes (error_equals)."""
    if names == [ALL]:
        return None
    plain = tuple(cls for cls in classes if not issubclass(cls, (aws.ServiceError, sfn.Fail)))
    known = [value for value in (*vars(builtins).values(), *own.values())
             if isinstance(value, type) and issubclass(value, BaseException)
             and not issubclass(value, (aws.ServiceError, sfn.Fail))]
    for name in names:
        others = [cls for cls in known if cls.__name__ == name and not issubclass(cls, plain)]
        if others:
            other = _qualified(others[0])
            return (f"this clause catches the error name '{name}', which {other} bears too, a class it does "
                    "not catch: a Lambda reports an exception by its class's name alone, so the machine "
                    f"would catch {other} here as well",
                    "rename the module's class, or catch both classes in this clause")
    return None


def _qualified(cls: type) -> str:
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def catches_fail(classes: tuple) -> bool:
    return not classes or any(issubclass(sfn.Fail, cls) for cls in classes)
