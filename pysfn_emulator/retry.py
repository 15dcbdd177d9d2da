"""Retry and Catch: which retrier or catcher takes an error, and how long a retry waits."""

from __future__ import annotations

import random
from collections.abc import Iterable

from .errors import ALL, HEARTBEAT_TIMEOUT, TASK_FAILED, TIMEOUT
from .model import Catcher, Retrier


def matches(error_equals: Iterable[str], error: str | None) -> bool:
    """AWS's matching: a name, States.ALL, or States.TaskFailed (any error but the timeouts,
    which a catcher or retrier takes only by their own names or States.ALL)."""
    for name in error_equals:
        if name == error or name == ALL:
            return True
        if name == TASK_FAILED and error not in _TIMEOUTS:
            return True
    return False


_TIMEOUTS = frozenset({TIMEOUT, HEARTBEAT_TIMEOUT})


def find_retrier(retriers: tuple[Retrier, ...], error: str | None) -> int | None:
    for index, retrier in enumerate(retriers):
        if matches(retrier.error_equals, error):
            return index
    return None


def find_catcher(catchers: tuple[Catcher, ...], error: str | None) -> int | None:
    for index, catcher in enumerate(catchers):
        if matches(catcher.error_equals, error):
            return index
    return None


def interval(retrier: Retrier, retries_done: int, rng: random.Random) -> float:
    """Seconds before retry number `retries_done + 1`: backoff, capped, then jittered."""
    seconds = retrier.interval_seconds * retrier.backoff_rate**retries_done
    if retrier.max_delay_seconds is not None:
        seconds = min(seconds, retrier.max_delay_seconds)
    if retrier.jitter:
        seconds = rng.uniform(0, seconds)
    return seconds


def error_output(error: str | None, cause: str | None) -> dict:
    """What a catcher passes on: AWS writes an empty Cause rather than leaving it out."""
    return {"Error": error, "Cause": cause if cause is not None else ""}
