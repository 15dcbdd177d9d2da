"""The bounds every execution runs within, so that each one ends, in bounded time and memory.

AWS's own limits (Developer Guide, "Quotas related to state machine executions"):
- a STANDARD execution fails at 25,000 history events (history.py; States.Runtime);
- an EXPRESS execution times out after 5 minutes (States.Timeout, status TIMED_OUT), a
  STANDARD one after a year; a distributed Map's child executions have the limits of their
  own kind (nested.start_map_child).

Time on AWS passes between states too, which is what ends an EXPRESS loop without a Wait.
AWS documents no figure for it; the emulator charges each thread of states a nominal
TRANSITION_MS of virtual time per transition, paid in one step every PAY_EVERY transitions
the thread makes. A machine that makes fewer transitions between its waits sees no change
(its timestamps and the order of its events stay exact); a loop without a Wait reaches
EXPRESS's 5 minutes after 300,000 transitions and STANDARD's event quota first. 1 ms is a
lower bound: AWS takes longer per transition, so an EXPRESS execution the emulator times out
would time out on AWS too, while a long one that succeeds here may not on AWS.

Beside AWS's limits, pysfn's own guard (`run(..., max_transitions=..., max_seconds=...)`):
a test that runs a runaway machine fails with a named error rather than hanging. It counts
the transitions of the whole run (branches, Map iterations, child executions) and the real
seconds it ran (not those spent waiting for a test to answer a live execution).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import attrs

TRANSITION_MS = 1
PAY_EVERY = 1000
EXPRESS_MAX_SECONDS = 5 * 60
STANDARD_MAX_SECONDS = 365 * 86400

DEFAULT_MAX_TRANSITIONS = 1_000_000
DEFAULT_MAX_SECONDS = 300.0
# The guard reads the real clock at the first transition and then every this many, so that
# the hot path is one counter and one comparison.
CHECK_TIME_EVERY = 256

TRANSITION_LIMIT_EXCEEDED = "pysfn.TransitionLimitExceeded"
TIME_LIMIT_EXCEEDED = "pysfn.TimeLimitExceeded"

wall_clock: Callable[[], float] = time.monotonic  # tests replace it


class ExecutionLimitReached(Exception):
    """One of AWS's limits ended an execution: it unwinds every state (no Retry or Catch
    takes it) up to the execution, which fails with this error and cause. A child execution
    of a distributed Map ends alone (scheduler.py); its parent sees it fail."""

    error: str
    cause: str


class LimitExceeded(Exception):
    """pysfn's guard stopped the run: it unwinds everything, child executions included, and the
    execution `run` returns fails with this error and cause."""

    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


@attrs.define(eq=False)
class Guard:
    """pysfn's limits on one run: transitions counted across everything it runs, and real time."""

    max_transitions: int | None = DEFAULT_MAX_TRANSITIONS
    max_seconds: float | None = DEFAULT_MAX_SECONDS
    count: int = 0
    next_check: int = 1  # the count at which `check` runs next
    started: float = attrs.field(factory=lambda: wall_clock())
    waited: float = 0.0  # real seconds spent waiting for the test (live executions)

    def __attrs_post_init__(self) -> None:
        for name, value in (("max_transitions", self.max_transitions), ("max_seconds", self.max_seconds)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0):
                raise ValueError(f"{name} must be a non-negative number or None, not {value!r}")

    def check(self) -> None:
        count, limit = self.count, self.max_transitions
        if limit is not None and count > limit:
            raise LimitExceeded(
                TRANSITION_LIMIT_EXCEEDED,
                f"The run entered more than {limit:,} states, pysfn's limit (not AWS's) against "
                "runaway loops; raise it with run(..., max_transitions=N) or pysfn-emulate "
                "--max-transitions N (None, or none, for no limit).",
            )
        self.check_time()
        next_check = count + CHECK_TIME_EVERY if self.max_seconds is not None else float("inf")
        if limit is not None:
            next_check = min(next_check, limit + 1)
        self.next_check = next_check

    def check_time(self) -> None:
        """Raise LimitExceeded once the run has taken max_seconds (read at transitions, and
        whenever the virtual clock moves: a retry or a Wait loop enters few states)."""
        if self.max_seconds is not None and wall_clock() - self.started - self.waited >= self.max_seconds:
            raise LimitExceeded(
                TIME_LIMIT_EXCEEDED,
                f"The run took more than {self.max_seconds:g} real seconds, pysfn's limit (not "
                "AWS's) against runaway executions; raise it with run(..., max_seconds=S) or "
                "pysfn-emulate --max-seconds S (None, or none, for no limit).",
            )

    def waiting(self, wait: Callable[..., bool]) -> Callable[..., bool]:
        """`wait` (a live execution's hand-off to the test), its real time not counted."""

        def counted(*args: object) -> bool:
            started = wall_clock()
            try:
                return wait(*args)
            finally:
                self.waited += wall_clock() - started

        return counted
