"""The Lambda Tasks of a definition that a workflow's dispatcher could not answer.

`pysfn-emulate machine.json --source workflow.py` runs a definition with the workflow's callees
behind its Lambda function. A definition compiled from another file, an older version of this
one, or written by hand names functions the workflow does not have (or passes a payload with no
`function` at all): each such Task would fail with UnknownFunction when the run reaches it,
perhaps after paid calls. Found before the run, they are one message naming the states.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

LAMBDA_RESOURCES = ("arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken")


def foreign_calls(definition: Any, functions: Collection[str], dispatched: Callable[[str], bool]) -> list[str]:
    """One line per Lambda Task whose constant payload names no function in `functions`, among
    the Tasks whose FunctionName `dispatched` says the dispatcher serves. A payload computed at
    run time is not judged."""
    problems = []
    for name, state in _named_states(definition):
        if state.get("Type") != "Task" or state.get("Resource") not in LAMBDA_RESOURCES:
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


def _named_states(definition: Any) -> Iterator[tuple[str, Mapping]]:
    """(name, state) for every state, those of Parallel branches and Map processors too; a
    definition of the wrong shape yields what it can (run() reports the rest)."""
    stack = [definition]
    while stack:
        machine = stack.pop()
        states = machine.get("States") if isinstance(machine, Mapping) else None
        if not isinstance(states, Mapping):
            continue
        for name, state in states.items():
            if not isinstance(state, Mapping):
                continue
            yield name, state
            branches = state.get("Branches")
            stack.extend(branches if isinstance(branches, list) else ())
            stack.extend(state.get(key) for key in ("ItemProcessor", "Iterator"))
