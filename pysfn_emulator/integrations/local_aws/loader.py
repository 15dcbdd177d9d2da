"""Local AWS services from a Python module (`pysfn-emulate ... --services services.py`, the
fixture's and conformance's `services="services.py"`).

The module gives, in this order of preference:
- `services`: a LocalAws, a mapping {"service:action": handler(params)}, or a function of no
  arguments returning either (called once per load);
- else its public functions named `<service>_<action>`: `secretsmanager_get_secret_value(params)`
  serves "secretsmanager:getSecretValue" (the action in snake_case or camelCase).

A fixture may also define `setup(aws)`, called with the registry before the run to declare
tables, buckets and items. Each load executes the module afresh, so each load is a fresh
registry (a module-level LocalAws is built anew too).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..local_callees import HandlersError, callee_table, module_from_file
from .registry import LocalAws


def services_from_file(path: str | Path, **options: Any) -> LocalAws:
    """A fresh LocalAws from the module at `path`; HandlersError names the file and says why."""
    module = module_from_file(path, "services")
    try:
        aws = _registry(module, options)
        setup = getattr(module, "setup", None)
        if callable(setup):
            setup(aws)
    except (TypeError, ValueError) as error:
        raise HandlersError(f"{path}: {error}") from None
    except Exception as error:
        raise HandlersError(f"{path}: building the services failed: {type(error).__name__}: {error}") from None
    return aws


def _registry(module: Any, options: dict) -> LocalAws:
    given = getattr(module, "services", None)
    if callable(given) and not isinstance(given, (LocalAws, Mapping)):
        given = given()
    if given is not None:
        if not isinstance(given, (LocalAws, Mapping)):
            raise TypeError(f"`services` must be a LocalAws or a mapping {{'service:action': handler}}, "
                            f"not {type(given).__name__}")
        return LocalAws.of(given, **options)
    handlers = {}
    for name, function in callee_table(module).items():
        if name == "setup":
            continue
        service, _, action = name.partition("_")
        if not service or not action:
            raise ValueError(f"the function {name!r} is not named <service>_<action> (e.g. dynamodb_put_item)")
        handlers[f"{service}:{_camel(action)}"] = function
    return LocalAws(handlers=handlers, **options)


def _camel(action: str) -> str:
    head, *rest = action.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
