"""`time.sleep` on the virtual clock while local code runs (handlers, responders, workers).

A handler that sleeps 60 seconds must cost the execution 60 virtual seconds and no real time.
While `counting_sleep(clock)` is active in a thread, `time.sleep(s)` there adds `s` to the
innermost active `Sleeper` of that thread and returns at once; the caller applies the total to
the virtual clock when the handler returns. The Sleeper also knows the run whose local code it
counts, as whoever calls that code gives it: the execution's clock, so what the code sends (a
task token's answer) is stamped with that execution's time (`local_now_ms`), and the run's
task tokens, so an answer goes to a task of the run that called it (`local_token_tables`).

- Thread-aware: the patch is installed once for all threads (reference-counted) and counts
  only in threads that are inside `counting_sleep(clock)`; any other thread sleeps for real.
- Re-entrant: a handler that itself runs an emulated execution (whose handlers sleep) counts
  only its own sleeps; the inner execution's time belongs to the inner clock.
- Whatever `time.sleep` was when the first counter started (the real one, or a test double)
  is restored when the last one ends.

Code that did `from time import sleep` before the patch keeps the real function: handlers
should call `time.sleep`.

Why a patch (issue 12 asks for explicit values where they will do): a handler is ordinary
Lambda code that calls `time.sleep`, with no clock in hand, and nothing short of replacing the
`time` module's attribute reaches that call (an audit hook sees it but cannot skip it). So this
is the one process-wide patch left, and it is as narrow as it can be: present only while local
code runs, counting only in that code's thread; everything else the run needs (its clock, its
random source, its task tokens) is passed to it explicitly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from .clock import Clock

_lock = threading.Lock()
_state = threading.local()
_installed = 0
_previous_sleep = time.sleep


class Sleeper:
    """The seconds slept so far by one piece of local code, on its execution's clock."""

    __slots__ = ("seconds", "clock", "tokens")

    def __init__(self, clock: Clock, tokens: Mapping[str, Any] | None) -> None:
        self.seconds = 0.0
        self.clock = clock
        self.tokens = tokens

    def now_ms(self) -> int:
        """The virtual time in the local code: its execution's clock plus what it slept."""
        return self.clock.now_ms + int(round(self.seconds * 1000))


def _stack() -> list[Sleeper]:
    stack = getattr(_state, "stack", None)
    if stack is None:
        stack = _state.stack = []
    return stack


def _virtual_sleep(seconds: float) -> None:
    stack = getattr(_state, "stack", None)
    if not stack:
        _previous_sleep(seconds)
        return
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    stack[-1].seconds += seconds


class counting_sleep:  # used as a function: `with counting_sleep(clock, tokens) as sleeper:`
    """Within the block, `time.sleep` in this thread counts into the yielded Sleeper, on
    `clock` (the execution the local code runs for); `tokens` are the task tokens of that run
    (None: code that gets no token). (A class rather than a generator-based context manager:
    it runs once per task.)"""

    __slots__ = ("clock", "tokens")

    def __init__(self, clock: Clock, tokens: Mapping[str, Any] | None = None) -> None:
        self.clock = clock
        self.tokens = tokens

    def __enter__(self) -> Sleeper:
        global _installed, _previous_sleep
        with _lock:
            if _installed == 0:
                _previous_sleep = time.sleep
                time.sleep = _virtual_sleep
            _installed += 1
        sleeper = Sleeper(self.clock, self.tokens)
        _stack().append(sleeper)
        return sleeper

    def __exit__(self, *exc_info: object) -> None:
        global _installed
        _stack().pop()
        with _lock:
            _installed -= 1
            if _installed == 0:
                time.sleep = _previous_sleep


def slept_so_far() -> float:
    """Seconds the innermost counting code of this thread has slept (0 outside any)."""
    stack = getattr(_state, "stack", None)
    return stack[-1].seconds if stack else 0.0


def local_now_ms() -> int | None:
    """The virtual time in the innermost local code running in this thread (None outside any):
    a nested execution's handler runs on the nested clock, its parent's on the parent's."""
    stack = getattr(_state, "stack", None)
    return stack[-1].now_ms() if stack else None


def local_token_tables() -> Iterator[Mapping[str, Any]]:
    """The task tokens of the runs whose local code is running in this thread, innermost first
    (a handler may run another execution, whose handler answers that execution's tokens)."""
    for sleeper in reversed(getattr(_state, "stack", None) or ()):
        if sleeper.tokens is not None:
            yield sleeper.tokens
