"""Variable scopes: a Parallel branch or an inline Map iteration may read the variables of the
scopes around it but not assign them (AWS refuses such a definition).

The top-level States form one scope; each branch and each inline Map processor forms a scope
inside the one holding its state. A distributed Map's children cannot see the parent's
variables at all, so what they assign is their own and is not checked against outer names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from ...core.errors import Problem, pointer_token


def scope_problems(definition: dict) -> list[Problem]:
    """A Problem for each inner-scope Assign of a name an enclosing scope assigns."""
    problems: list[Problem] = []
    _check_scope(definition, "", frozenset(), problems)
    return problems


def _check_scope(machine: Any, pointer: str, outer: frozenset[str], problems: list[Problem]) -> None:
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict):
        return
    assigned = list(_assignments(states, pointer))
    for name, where in assigned:
        if name in outer:
            problems.append(Problem(where, (
                f"The variable '{name}' is assigned in an enclosing scope; a Parallel branch or Map "
                "iteration may read it but not assign it. Use another name, or return the value "
                "through the state's output."
            )))
    counts = Counter(name for name, _ in assigned)
    for state_name, state in states.items():
        if not isinstance(state, dict) or state.get("Type") not in ("Parallel", "Map"):
            continue
        state_pointer = f"{pointer}/States/{pointer_token(state_name)}"
        # What the Parallel or Map state itself assigns (its Assign, its catchers') happens after
        # its branches end, and AWS lets them reuse those names.
        own = Counter(name for name, _ in _assignments({state_name: state}, pointer))
        visible = outer | {name for name, count in counts.items() if count > own[name]}
        for inner, inner_pointer, isolated in _inner_machines(state, state_pointer):
            _check_scope(inner, inner_pointer, frozenset() if isolated else visible, problems)


def _assignments(states: dict, pointer: str) -> Iterator[tuple[str, str]]:
    """(name, pointer) for each variable a state of this scope assigns, catchers and Choice
    rules included."""
    for state_name, state in states.items():
        if not isinstance(state, dict):
            continue
        base = f"{pointer}/States/{pointer_token(state_name)}"
        yield from _names(state.get("Assign"), f"{base}/Assign")
        for field in ("Catch", "Choices"):
            handlers = state.get(field)
            for index, handler in enumerate(handlers if isinstance(handlers, list) else []):
                if isinstance(handler, dict):
                    yield from _names(handler.get("Assign"), f"{base}/{field}/{index}/Assign")


def _names(assign: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(assign, dict):
        for key in assign:
            name = key[:-2] if key.endswith(".$") else key
            yield name, f"{pointer}/{pointer_token(key)}"


def _inner_machines(state: dict, pointer: str) -> Iterator[tuple[Any, str, bool]]:
    """(machine, pointer, isolated) for each scope nested in a Parallel or Map state."""
    if state.get("Type") == "Parallel":
        branches = state.get("Branches")
        for index, branch in enumerate(branches if isinstance(branches, list) else []):
            yield branch, f"{pointer}/Branches/{index}", False
    elif state.get("Type") == "Map":
        field = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
        processor = state.get(field)
        if isinstance(processor, dict):
            config = processor.get("ProcessorConfig") or {}
            distributed = isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"
            yield processor, f"{pointer}/{field}", distributed
