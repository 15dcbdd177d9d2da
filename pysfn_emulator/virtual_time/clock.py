"""The virtual clock: Wait states, retry intervals and timeouts move it, nothing sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from ..core.timestamps import format_timestamp

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class DeadlineReached(Exception):
    """The execution's TimeoutSeconds elapsed; unwinds every state up to the execution."""


@attrs.define
class Clock:
    """Milliseconds since the epoch; an execution-wide deadline may stop it."""

    now_ms: int
    deadline_ms: int | None = None
    _formatted_ms: int = -1
    _formatted: str = ""

    @classmethod
    def starting_at(cls, start: datetime | None) -> Clock:
        start = start or datetime.now(UTC)
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        return cls(to_ms(start))

    def advance_to(self, ms: int) -> None:
        if self.deadline_ms is not None and ms > self.deadline_ms:
            self.now_ms = self.deadline_ms
            raise DeadlineReached()
        self.now_ms = max(self.now_ms, ms)

    def iso(self) -> str:
        """The time as AWS writes it in the context object, cached while the clock stands still."""
        if self._formatted_ms != self.now_ms:
            self._formatted_ms = self.now_ms
            self._formatted = iso(self.now_ms)
        return self._formatted


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, in integers (float seconds lose a millisecond now and then)."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


def to_datetime(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def iso(ms: int) -> str:
    return format_timestamp(to_datetime(ms))
