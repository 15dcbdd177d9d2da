"""Execution history, shaped as GetExecutionHistory returns it.

Events are recorded cheaply (raw values, integer times) on the hot path and turned into
AWS's shape (JSON text, datetimes) only when someone reads them.
"""

from __future__ import annotations

from typing import Any

from .clock import to_datetime
from .jsontext import dumps

# Details fields that AWS returns as JSON text; the first two come with a `…Details` sibling.
_JSON_FIELDS = ("input", "output")
_JSON_TEXT_ONLY = ("parameters",)


_CLOSING = frozenset({"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"})


class HistoryLimitReached(Exception):
    """A STANDARD execution may not exceed 25,000 history events."""


class History:
    def __init__(self, limit: int | None):
        self._events: list[tuple[str, int, int, str | None, dict | None]] = []
        self._limit = limit

    def __len__(self) -> int:
        return len(self._events)

    def add(self, kind: str, previous: int, now_ms: int, key: str | None = None, details: dict | None = None) -> int:
        """Record an event and return its id. The last event a quota allows is kept for the
        execution's own end: AWS logs ExecutionFailed as event 25,000 if nothing ended it sooner."""
        events = self._events
        if self._limit is not None and len(events) >= self._limit - 1 and kind not in _CLOSING:
            raise HistoryLimitReached()
        events.append((kind, previous, now_ms, key, details))
        return len(events)

    def render(self) -> list[dict[str, Any]]:
        return [_render(number, event) for number, event in enumerate(self._events, 1)]


def _render(number: int, event: tuple) -> dict[str, Any]:
    kind, previous, now_ms, key, details = event
    rendered: dict[str, Any] = {
        "id": number,
        "previousEventId": previous,
        "timestamp": to_datetime(now_ms),
        "type": kind,
    }
    if key is not None:
        rendered[key] = _render_details(details or {})
    return rendered


def _render_details(details: dict) -> dict:
    out = {}
    for name, value in details.items():
        if name in _JSON_FIELDS:
            out[name] = dumps(value)
            out[f"{name}Details"] = {"truncated": False}
        elif name in _JSON_TEXT_ONLY:
            out[name] = dumps(value)
        elif name == "assignedVariables":
            out[name] = {k: dumps(v) for k, v in value.items()}
            out["assignedVariablesDetails"] = {"truncated": False}
        else:
            out[name] = value
    return out
