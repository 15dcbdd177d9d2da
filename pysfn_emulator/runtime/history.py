"""Execution history, shaped as GetExecutionHistory returns it.

Events are recorded cheaply (raw values, integer times) on the hot path and turned into
AWS's shape (JSON text, datetimes) only when someone reads them.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from ..core.errors import RUNTIME
from ..core.jsondeep import Memo
from ..core.jsontext import dumps
from ..core.limits import ExecutionLimitReached
from ..virtual_time.clock import to_datetime

# Details fields that AWS returns as JSON text; the first two come with a `…Details` sibling.
_JSON_FIELDS = ("input", "output")
_JSON_TEXT_ONLY = ("parameters",)


STANDARD_HISTORY_LIMIT = 25_000
_NEVER = float("inf")
_CLOSING = frozenset({"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"})


class HistoryLimitReached(ExecutionLimitReached):
    """A STANDARD execution may not exceed 25,000 history events."""

    error = RUNTIME
    cause = f"The execution reached the limit of {STANDARD_HISTORY_LIMIT} history events."


class History:
    """The events of one execution. `limit`: AWS's quota (STANDARD), or None. `keep`: how many
    events to hold in memory, None for all; past it, the first keep/2 and the last keep/2 are
    held (with their own ids, so the gap shows) and the rest only counted. AWS keeps no
    history for EXPRESS executions (only CloudWatch logs), whose count the 5-minute limit
    bounds; holding it all could still take gigabytes."""

    def __init__(self, limit: int | None, keep: int | None = None):
        self._events: list[tuple[str, int, int, str | None, dict | None]] = []
        self._limit = limit
        self._keep = keep
        self._tail: deque | None = None
        self._count = 0
        # The count from which `add` must look closer: the quota, or where holding stops.
        self._watch = min(limit - 1 if limit is not None else _NEVER, keep // 2 if keep is not None else _NEVER)

    def __len__(self) -> int:
        """Events recorded so far (the last one's id), held or not."""
        return self._count

    def add(self, kind: str, previous: int, now_ms: int, key: str | None = None, details: dict | None = None) -> int:
        """Record an event and return its id. The last event a quota allows is kept for the
        execution's own end: AWS logs ExecutionFailed as event 25,000 if nothing ended it sooner."""
        count = self._count
        if count >= self._watch:
            if self._limit is not None and count >= self._limit - 1 and kind not in _CLOSING:
                raise HistoryLimitReached()
            if self._keep is not None and count >= self._keep // 2:
                if self._tail is None:
                    self._tail = deque(maxlen=self._keep - self._keep // 2)
                self._tail.append((kind, previous, now_ms, key, details))
                self._count = count + 1
                return count + 1
        self._events.append((kind, previous, now_ms, key, details))
        self._count = count + 1
        return count + 1

    def render(self) -> list[dict[str, Any]]:
        # One state's output is the next one's input, and often the one after is built around
        # it: each value is written once (the events keep every value alive meanwhile).
        memo = Memo()
        rendered = [_render(number, event, memo) for number, event in enumerate(self._events, 1)]
        if self._tail:
            first = self._count - len(self._tail) + 1
            rendered.extend(_render(number, event, memo) for number, event in enumerate(self._tail, first))
        return rendered


def _render(number: int, event: tuple, memo: Memo) -> dict[str, Any]:
    kind, previous, now_ms, key, details = event
    rendered: dict[str, Any] = {
        "id": number,
        "previousEventId": previous,
        "timestamp": to_datetime(now_ms),
        "type": kind,
    }
    if key is not None:
        rendered[key] = _render_details(details or {}, memo)
    return rendered


def _render_details(details: dict, memo: Memo) -> dict:
    out = {}
    for name, value in details.items():
        if name in _JSON_FIELDS:
            out[name] = dumps(value, memo)
            out[f"{name}Details"] = {"truncated": False}
        elif name in _JSON_TEXT_ONLY:
            out[name] = dumps(value)
        elif name == "assignedVariables":
            out[name] = {k: dumps(v, memo) for k, v in value.items()}
            out["assignedVariablesDetails"] = {"truncated": False}
        else:
            out[name] = value
    return out
