"""Reading an emitted definition (ASL JSON) back: what the packager and the harness look for in
it (service calls, callback Tasks) is found by walking every state once, nested ones included."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

# the Resources of the dispatcher's Tasks: a callee's call, and one waiting for a callback
DISPATCHER_RESOURCES = ("arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken")


def every_state(graph: Mapping[str, Any]) -> Iterator[dict]:
    """Every state of a machine, those of its Parallel branches and Map item processors too."""
    for _, state in named_states(graph):
        yield state


def named_states(graph: Any) -> Iterator[tuple[str, Mapping]]:
    """(name, state) of every state, in that order; a definition of the wrong shape (one a
    user wrote: pysfn-emulate --source) yields what it can."""
    states = graph.get("States") if isinstance(graph, Mapping) else None
    for name, state in (states.items() if isinstance(states, Mapping) else ()):
        if not isinstance(state, Mapping):
            continue
        yield name, state
        branches = state.get("Branches")
        for branch in branches if isinstance(branches, list) else ():
            yield from named_states(branch)
        for key in ("ItemProcessor", "Iterator"):
            yield from named_states(state.get(key))
