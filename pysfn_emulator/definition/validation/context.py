"""What every check shares: the `Context` of one walk over a definition (the problems found so
far, the state names seen), JSON pointers, and small predicates on values.
"""

from __future__ import annotations

from typing import Any

import attrs

from ...core.errors import Problem, pointer_token


@attrs.define
class Context:
    """What the checks share while walking one definition."""

    top_language: str
    machine_type: str
    problems: list[Problem] = attrs.field(factory=list)
    state_names: dict[str, str] = attrs.field(factory=dict)  # name -> pointer of first use

    def add(self, pointer: str, message: str) -> None:
        self.problems.append(Problem(pointer, message))


# --- pointers and small predicates --------------------------------------------------------


def join(pointer: str, *parts: str | int) -> str:
    """Extend a JSON pointer, escaping '~' and '/' in the new parts (RFC 6901)."""
    for part in parts:
        pointer += "/" + pointer_token(part)
    return pointer


def is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_expression(value: Any) -> bool:
    """A JSONata `{% ... %}` string (well-formedness is checked separately)."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")
