"""Python's exception classes as Step Functions error names.

A callee's exception reaches the machine as a Lambda error named by its class (`KeyError`);
a Catch or Retry matches names, not classes. So `except LookupError` becomes ErrorEquals over
LookupError and every subclass the Lambda can raise (the builtins' and those of every module
the workflow reaches through its imports, its own included: ModuleInfo.lambda_modules). sfn.Timeout stands for
`States.Timeout` (and its subclass sfn.HeartbeatTimeout for `States.HeartbeatTimeout`). `except Exception` (and a bare except)
catch every error: States.ALL.
"""

from __future__ import annotations

from ..runtime import aws, sfn

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


def error_equals(classes: tuple, modules: frozenset | None = None) -> list[str]:
    """ErrorEquals for an except clause over `classes` (() is a bare except); with `modules`
    (ModuleInfo.lambda_modules), only the subclasses defined in them: those the Lambda can raise."""
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
            name = error_name(sub)
            if name not in names:
                names.append(name)
    return names


def error_name(cls: type) -> str:
    """The error a class stands for: its name, or Step Functions' own error for the sfn
    classes that stand for one (sfn.Timeout is `States.Timeout`)."""
    if issubclass(cls, sfn.Fail) and "error_name" in cls.__dict__:
        return cls.__dict__["error_name"]
    return cls.__name__


def catches_fail(classes: tuple) -> bool:
    return not classes or any(issubclass(sfn.Fail, cls) for cls in classes)
