"""Transitions within one scope of States: StartAt and every Next and Default name a state of
the scope, a state that transitions has Next or End, every state is reachable from StartAt, and
some state ends the scope.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from .context import Context, join


def check_target(ctx: Context, target: Any, pointer: str, states: dict, field: str) -> None:
    """A transition (Next, StartAt, Default, a rule's or catcher's Next) must name a state."""
    if not isinstance(target, str):
        ctx.add(pointer, f"'{field}' must be a string naming a state")
    elif target not in states:
        ctx.add(pointer, f"'{field}' names '{target}', which is not a state in this scope"
                         " (Parallel branches and Map processors are separate scopes)")


def _transitions(state: Any) -> Iterator[str]:
    """Every state name a state can move to, for reachability."""
    if not isinstance(state, dict):
        return
    candidates = [state.get("Next"), state.get("Default")]
    for key in ("Choices", "Catch"):
        items = state.get(key)
        if isinstance(items, list):
            candidates += [item.get("Next") for item in items if isinstance(item, dict)]
    yield from (c for c in candidates if isinstance(c, str))


def check_reachability(ctx: Context, start: str, states: dict, pointer: str) -> None:
    seen = {start}
    queue = deque([start])
    while queue:
        for target in _transitions(states[queue.popleft()]):
            if target in states and target not in seen:
                seen.add(target)
                queue.append(target)
    for name in states:
        if name not in seen:
            ctx.add(join(pointer, "States", name),
                    f"state '{name}' is unreachable: no transition from StartAt leads to it")


def check_next_or_end(ctx: Context, kind: str, state: dict, pointer: str, states: dict) -> None:
    """Next/End for the types that transition; a Choice's Default and rule targets."""
    if kind == "Choice":
        _check_choice_targets(ctx, state, pointer, states)
    if kind in ("Choice", "Succeed", "Fail"):
        return
    has_next, end = "Next" in state, state.get("End")
    if "End" in state and not isinstance(end, bool):
        ctx.add(join(pointer, "End"), "'End' must be a boolean")
    if has_next and end is True:
        ctx.add(pointer, "'Next' and 'End' are mutually exclusive: keep one")
    elif not has_next and end is not True:
        ctx.add(pointer, f"a {kind} state needs 'Next' (a state name) or \"End\": true")
    if has_next:
        check_target(ctx, state["Next"], join(pointer, "Next"), states, "Next")


def _check_choice_targets(ctx: Context, state: dict, pointer: str, states: dict) -> None:
    if "Default" in state:
        check_target(ctx, state["Default"], join(pointer, "Default"), states, "Default")
    choices = state.get("Choices")
    for index, rule in enumerate(choices if isinstance(choices, list) else ()):
        if isinstance(rule, dict) and "Next" in rule:
            check_target(ctx, rule["Next"], join(pointer, "Choices", index, "Next"), states,
                         "Next")


def check_terminal_state(ctx: Context, states: dict, pointer: str) -> None:
    """AWS refuses a machine none of whose states ends it (MISSING_END_STATE: "Workflow has no
    terminal state"), even when an error could still end it. Only whether a terminal state
    exists counts, reachable or not: a loop beside an unreachable `End` is refused as
    unreachable instead (measured on AWS, floci-io/floci#2735). Applied to every scope, the
    branches and processors included, as each of them must end for its state to go on."""
    for state in states.values():
        if isinstance(state, dict) and (state.get("Type") in ("Succeed", "Fail") or state.get("End") is True):
            return
    ctx.add(pointer, "Workflow has no terminal state (MISSING_END_STATE): no state has"
                     " \"End\": true and none is a Succeed or Fail state")
