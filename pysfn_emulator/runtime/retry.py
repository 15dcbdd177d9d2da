"""Retry and Catch: which retrier or catcher takes an error, and how long a retry waits."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable

from ..core.errors import ALL, HEARTBEAT_TIMEOUT, TASK_FAILED, TIMEOUT
from ..definition.model import Catcher, Retrier


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


# Longer than any execution may last (a Standard one, a year): a retry that would wait longer
# ends in the execution's time limit however much longer it would wait.
LONGEST_WAIT_SECONDS = 10 * 366 * 86400


def interval(retrier: Retrier, retries_done: int, rng: random.Random) -> float:
    """Seconds before retry number `retries_done + 1`: backoff, capped by MaxDelaySeconds,
    then jittered. Without MaxDelaySeconds AWS does not cap the growth (Developer Guide, error
    handling), so a backoff past what a float holds is an endless wait, which the execution's
    time limit ends: it is returned as LONGEST_WAIT_SECONDS rather than overflowing."""
    try:
        seconds = retrier.interval_seconds * retrier.backoff_rate**retries_done
    except OverflowError:
        seconds = math.inf
    if retrier.max_delay_seconds is not None:
        seconds = min(seconds, retrier.max_delay_seconds)
    if retrier.jitter:
        fraction = rng.random()  # as rng.uniform(0, seconds) draws it, for the same seeded waits
        seconds = seconds * fraction if fraction else 0.0
    return min(seconds, LONGEST_WAIT_SECONDS)


def error_output(error: str | None, cause: str | None) -> dict:
    """What a catcher passes on: AWS writes an empty Cause rather than leaving it out."""
    return {"Error": error, "Cause": cause if cause is not None else ""}
