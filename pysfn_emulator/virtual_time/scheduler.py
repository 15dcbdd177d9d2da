"""Threads of states on the virtual clock.

A thread is a generator running states (the top level, a Parallel branch, a Map iteration).
It runs without interruption until it must wait, and then yields what it waits for:

    yield Sleep(until_ms)        # a Wait state, a retry interval, a task's run time
    ended = yield JOIN           # resumes once a thread it started has ended; returns those ended

The scheduler always resumes the thread due earliest (threads due at the same moment in the
order they became due), moving the clock to that moment. So branches and iterations overlap
in virtual time as they do on AWS: a branch that fails after 1 s stops its siblings even if
they were started first and wait for an hour, and a Map with MaxConcurrency 2 takes as long
as its two slowest lanes. Nothing really sleeps; the execution's deadline stops the clock.

A distributed Map's child executions are threads too, each the root of its own execution
(`start(..., execution=True)`): one of AWS's limits reached inside it (its history quota, or
its time, `expire_at`) ends that child alone, as a failure its parent sees and no Catch
inside the child takes.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

import attrs

from ..core.errors import TIMEOUT, StatesError
from ..core.limits import ExecutionLimitReached
from .clock import Clock


@attrs.frozen
class Sleep:
    until_ms: int


class _Join:
    """Wait until at least one thread started by this one has ended (since the last wait);
    the yield returns those threads, in the order they ended."""

    def __repr__(self) -> str:
        return "JOIN"


JOIN = _Join()


@attrs.define(eq=False)
class Thread:
    generator: Generator
    done: bool = False
    result: Any = None
    error: BaseException | None = None
    children: dict[Thread, None] = attrs.field(factory=dict)  # the live ones, in start order
    parent: Thread | None = None
    ended: list[Thread] = attrs.field(factory=list)  # children that ended since the last JOIN
    waiting: bool = False
    cancelled: bool = False
    due: int = -1  # the order number of its one pending entry; older entries are stale
    execution: Thread | None = None  # the child execution it belongs to; None: the scheduler's own


class Scheduler:
    def __init__(self, clock: Clock):
        self.clock = clock
        self._due: list[tuple[int, int, Thread, Any]] = []  # threads due later, by time
        self._ready: deque[tuple[int, int, Thread, Any]] = deque()  # due now, in arrival order
        self._order = itertools.count()
        self._expiries: list[tuple[int, int, Thread]] = []  # child executions' time limits
        self.current: Thread | None = None
        # Called with the next due time when nothing is due before it; returns True when it
        # changed what is due (a live execution's test answered a task token: callbacks.py).
        self.idle: Callable[[int], bool] | None = None
        # Called whenever the clock has moved on (pysfn's guard reads the real time then).
        self.advanced: Callable[[], None] | None = None

    def start(self, generator: Generator, *, execution: bool = False) -> Thread:
        """A new thread, due now; a child of the running thread. `execution`: the thread is a
        child execution's root (see above)."""
        parent = self.current
        thread = Thread(generator, parent=parent)
        if parent is not None:
            parent.children[thread] = None
            thread.execution = parent.execution
        if execution:
            thread.execution = thread
        self._push(self.clock.now_ms, thread, None)
        return thread

    def expire_at(self, root: Thread, at_ms: int) -> None:
        """Time out the child execution rooted at `root` (States.Timeout) if it runs past `at_ms`."""
        heapq.heappush(self._expiries, (at_ms, next(self._order), root))

    def run(self, generator: Generator) -> Any:
        """Run a root thread and everything it starts to the end; return its result or raise
        its error. DeadlineReached from the clock ends everything."""
        root = self.start(generator)
        due, ready, expiries = self._due, self._ready, self._expiries
        while due or ready:
            from_ready = bool(ready) and (not due or ready[0][:2] < due[0][:2])
            due_ms, order, thread, value = ready[0] if from_ready else due[0]
            if expiries and expiries[0][0] < due_ms:  # what is due at the limit itself runs first
                at_ms, _, ending = heapq.heappop(expiries)
                if not (ending.done or ending.cancelled):
                    self.clock.advance_to(at_ms)
                    self.end_execution(ending, StatesError(TIMEOUT, None))
                continue
            stale = thread.cancelled or thread.done or order != thread.due
            if not stale and self.idle is not None and due_ms > self.clock.now_ms and self.idle(due_ms):
                continue
            if from_ready:
                ready.popleft()
            else:
                heapq.heappop(due)
            if stale:
                continue
            if due_ms > self.clock.now_ms:
                self.clock.advance_to(due_ms)
                if self.advanced is not None:
                    self.advanced()
            self._step(thread, value)
        if root.error is not None:
            raise root.error
        return root.result

    def cancel(self, thread: Thread) -> None:
        """Stop a thread that is no longer wanted (a sibling failed), and everything it started.

        A thread that has already ended but that its parent has not joined yet (it ended at
        the same moment as the sibling whose failure the parent is handling) is forgotten: the
        parent's next JOIN, for a retry or another Parallel or Map, must not receive it."""
        parent = thread.parent
        if thread.done:
            if parent is not None and thread in parent.ended:
                parent.ended.remove(thread)
            return
        if thread.cancelled:
            return
        thread.cancelled = True
        if parent is not None:
            parent.children.pop(thread, None)  # a long execution must not keep every stopped thread
        for child in list(thread.children):
            self.cancel(child)
        thread.generator.close()

    def end_execution(self, root: Thread, error: StatesError) -> None:
        """End a child execution from outside its states: everything it started stops, and its
        parent sees it fail with `error`."""
        if root.done or root.cancelled:
            return
        for child in list(root.children):
            self.cancel(child)
        root.generator.close()
        self._finish(root, None, error)

    def wake(self, thread: Thread, value: Any = None) -> None:
        """Resume a sleeping thread now rather than when its Sleep ends (a task's token was
        answered); the yield of its Sleep returns `value`."""
        if not (thread.done or thread.cancelled or thread.waiting):
            self._push(self.clock.now_ms, thread, value)

    def _push(self, due_ms: int, thread: Thread, value: Any) -> None:
        order = next(self._order)
        thread.due = order
        if due_ms <= self.clock.now_ms:  # due now: in order of arrival, no heap needed
            self._ready.append((self.clock.now_ms, order, thread, value))
        else:
            heapq.heappush(self._due, (due_ms, order, thread, value))

    def _step(self, thread: Thread, value: Any) -> None:
        self.current = thread
        try:
            request = thread.generator.send(value)
        except StopIteration as stop:
            self._finish(thread, stop.value, None)
            return
        except StatesError as error:
            self._finish(thread, None, error)
            return
        except ExecutionLimitReached as reached:
            if thread.execution is None:
                raise  # the execution itself ends (execution.py)
            self.end_execution(thread.execution, StatesError(reached.error, reached.cause))
            return
        finally:
            self.current = None
        if type(request) is Sleep:
            self._push(max(request.until_ms, self.clock.now_ms), thread, None)
        elif request is JOIN:
            if thread.ended:
                self._resume_joined(thread)
            else:
                thread.waiting = True
        else:
            raise TypeError(f"a thread of states yielded {request!r}")

    def _finish(self, thread: Thread, result: Any, error: BaseException | None) -> None:
        thread.done, thread.result, thread.error = True, result, error
        parent = thread.parent
        if parent is not None:
            parent.children.pop(thread, None)  # a long execution must not keep every ended thread
        if parent is not None and not parent.done:
            parent.ended.append(thread)
            if parent.waiting:
                parent.waiting = False
                self._resume_joined(parent)

    def _resume_joined(self, thread: Thread) -> None:
        ended, thread.ended = thread.ended, []
        self._push(self.clock.now_ms, thread, ended)
