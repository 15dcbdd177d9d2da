"""Local AWS services for runs both ways: each run gets a fresh `LocalAws`, built the same way,
and after both runs their fakes' state must agree too.

- A workflow or definition uses services when one of its Tasks (or a distributed Map's
  ItemReader / ResultWriter) calls an AWS service other than Lambda and Step Functions, or when
  `NAME.services.py` lies beside it (it seeds the registry: pysfn_emulator.services_from_file,
  e.g. `def setup(aws): aws.dynamodb.create_table("orders", key="id")`).
- `comparable(snapshot)`: the state as both runs can agree on it. What Step Functions itself adds
  is left out: the execution's and state machine's ARNs that the optimized `events:putEvents`
  appends to each event's Resources (a plain run has no execution to name).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pysfn_emulator

_NOT_SERVICES = ("arn:aws:states:::lambda:", "arn:aws:states:::states:")


def services_file(example: Path) -> Path:
    """`NAME.services.py` beside `NAME.py` or `NAME.asl.json`."""
    stem = example.name.removesuffix(".py").removesuffix(".asl.json")
    return example.with_name(f"{stem}.services.py")


def uses_services(definition: Any) -> bool:
    """Whether some Task, ItemReader or ResultWriter of the definition calls an AWS service."""
    stack = [definition]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            resource = item.get("Resource")
            if isinstance(resource, str) and resource.startswith("arn:aws:states:::") \
                    and not resource.startswith(_NOT_SERVICES):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def registry_maker(example: Path | None, definition: Any) -> Callable[[], Any] | None:
    """A function making a fresh LocalAws for one run (from NAME.services.py when there is one),
    or None when the example uses no services."""
    seeded = example is not None and services_file(example).is_file()
    if not seeded and not uses_services(definition):
        return None
    if seeded:
        path = services_file(example)
        return lambda: pysfn_emulator.services_from_file(path)
    return pysfn_emulator.LocalAws


def comparable(snapshot: dict) -> dict:
    """The snapshot without what Step Functions adds on its own (see the module docstring)."""
    events = {}
    for bus, entries in snapshot.get("events", {}).items():
        kept = []
        for entry in entries:
            resources = [arn for arn in entry.get("Resources", []) if not _execution_arn(arn)]
            entry = {key: value for key, value in entry.items() if key != "Resources"}
            if resources:
                entry["Resources"] = resources
            kept.append(entry)
        events[bus] = kept
    return {**snapshot, "events": events}


def _execution_arn(arn: Any) -> bool:
    parts = arn.split(":") if isinstance(arn, str) else []
    return len(parts) > 6 and parts[2] == "states" and parts[5] in ("execution", "express", "stateMachine")


def difference(plain: dict, emulated: dict) -> str | None:
    """Where two comparable snapshots first differ, in one line; None when they agree."""
    path = _first_difference(plain, emulated, "")
    if path is None:
        return None
    return f"the AWS services' state differs at {path or '/'}"


def _first_difference(left: Any, right: Any, path: str) -> str | None:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right), key=str):
            if key not in left or key not in right:
                return f"{path}/{key}"
            found = _first_difference(left[key], right[key], f"{path}/{key}")
            if found is not None:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        for index, (a, b) in enumerate(zip(left, right, strict=False)):
            found = _first_difference(a, b, f"{path}/{index}")
            if found is not None:
                return found
        return None if len(left) == len(right) else f"{path}/{min(len(left), len(right))}"
    return None if left == right and type(left) is type(right) else path
