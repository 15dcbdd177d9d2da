"""Reading an emitted definition (ASL JSON) back: what the packager and the harness look for in
it (service calls, callback Tasks) is found by walking every state once, nested ones included."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def every_state(graph: Mapping[str, Any]) -> Iterator[dict]:
    """Every state of a machine, those of its Parallel branches and Map item processors too."""
    for state in (graph.get("States") or {}).values():
        yield state
        for branch in state.get("Branches") or []:
            yield from every_state(branch)
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                yield from every_state(state[key])
