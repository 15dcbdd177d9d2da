"""The Lambda Tasks of a definition that a workflow's dispatcher could not answer.

`pysfn-emulate machine.json --source workflow.py` runs a definition with the workflow's callees
behind its Lambda function. A definition compiled from another file, an older version of this
one, or written by hand names functions the workflow does not have (or passes a payload with no
`function` at all): each such Task would fail with UnknownFunction when the run reaches it,
perhaps after paid calls. Found before the run, they are one message naming the states.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from .graph.asl_states import DISPATCHER_RESOURCES, named_states


def foreign_calls(definition: Any, functions: Collection[str], dispatched: Callable[[str], bool]) -> list[str]:
    """One line per Lambda Task whose constant payload names no function in `functions`, among
    the Tasks whose FunctionName `dispatched` says the dispatcher serves. A payload computed at
    run time is not judged."""
    problems = []
    for name, state in named_states(definition):
        if state.get("Type") != "Task" or state.get("Resource") not in DISPATCHER_RESOURCES:
            continue
        arguments = state.get("Arguments", state.get("Parameters"))
        if not isinstance(arguments, Mapping):
            continue
        target = arguments.get("FunctionName")
        if not isinstance(target, str) or not dispatched(target) or "Payload" not in arguments:
            continue
        payload = arguments["Payload"]
        if isinstance(payload, str) or (isinstance(payload, Mapping) and "function.$" in payload):
            continue  # computed when the Task runs
        called = payload.get("function") if isinstance(payload, Mapping) else None
        if isinstance(called, str) and (called in functions or called.startswith("{%")):
            continue
        problems.append(f"state {name!r} calls {called!r}" if isinstance(called, str)
                        else f"state {name!r} passes {target} a payload naming no function")
    return problems
