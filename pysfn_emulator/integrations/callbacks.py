"""Task tokens: `.waitForTaskToken` tasks and activities wait for an answer, on the virtual clock.

A waiting task is a `PendingTask`. It is answered with `send_task_success`, `send_task_failure`
or kept alive with `send_task_heartbeat`, by whoever holds its token:

- a local handler, during the service call that received the token (as a real Lambda calls
  SendTaskSuccess): the module-level functions below. They find the task among the tokens of
  the run whose local code is calling (`TaskTokens`, one table per run, shared with the
  executions it starts; virtual_sleep.local_token_tables): tokens repeat under a seed, so
  two runs at once may hold the same one, and each answer goes to the run that called;
- a responder registered with `run(..., callbacks={state name | resource | activity: responder})`,
  called as `responder(token, payload)` once the task waits. Its return value is the output
  (`NO_ANSWER` leaves the token unanswered), raising `TaskFailure(error, cause)` sends that
  failure and any other exception a failure named after its class. It may call
  `time.sleep` (virtual) and `send_task_heartbeat(token)` in between;
- the test itself, through a live execution from `pysfn_emulator.start(...)`.

Time. TimeoutSeconds counts from the task's start, HeartbeatSeconds from its start and from
each heartbeat. Every answer and heartbeat is stamped with the virtual time it was sent (the
clock plus what the sending handler or responder has slept so far); a gap longer than
HeartbeatSeconds fails the task with States.HeartbeatTimeout at the moment the gap ran out,
and an answer after TimeoutSeconds is too late: States.Timeout at the deadline.

Design. A waiting task is an ordinary scheduler thread (scheduler.py): it sleeps until its
first limit (heartbeat or timeout) and an answer wakes it early (`Scheduler.wake`). So Map
iterations and Parallel branches wait side by side, each with its own limits, and a plain `run`
needs nothing more: nobody can answer later, so an unanswered task sleeps until a limit fires,
or until the execution times out, as on AWS when nobody answers.

A live execution (`pysfn_emulator.start`) runs in a worker thread. It runs on by itself until
the next thing due is a waiting task's timeout; then the scheduler's idle hook parks the worker
on a condition variable and wakes the test thread, which answers, sends heartbeats, advances the
test's virtual "now" or stops the execution; each of those hands control back and parks the
test until the worker parks again or ends. Exactly one of the two threads runs at any time, so
every run is deterministic, and the interpreter needs no other way to be suspended than the
generators it already is. (A nested execution runs to its end inside its parent's Task, on its
own scheduler: while it waits for the test, the parent's other threads wait too.)
"""

from __future__ import annotations

import base64
import hashlib
import threading
import weakref
from collections.abc import Callable, Generator, Iterable, Mapping, MutableMapping
from typing import Any

import attrs

from ..core.errors import HEARTBEAT_TIMEOUT, TIMEOUT, StatesError
from ..core.jsontext import PAYLOAD_LIMIT_BYTES, json_copy, size_in_bytes
from ..virtual_time.clock import Clock
from ..virtual_time.scheduler import Scheduler, Sleep, Thread
from ..virtual_time.virtual_sleep import counting_sleep, local_now_ms, local_token_tables
from .failures import TaskFailure, exception_text

DEFAULT_TASK_TIMEOUT = 99999999  # seconds: AWS's TimeoutSeconds when a Task gives none


class _NoAnswer:
    def __repr__(self) -> str:
        return "NO_ANSWER"


NO_ANSWER = _NoAnswer()
"""A responder returns this to leave its token unanswered (to test a timeout, or to answer
later from the test through a live execution)."""

Responder = Callable[[str, Any], Any]


class TaskTokenError(Exception):
    """SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat refused, with AWS's error code:
    InvalidToken, TaskDoesNotExist, TaskTimedOut (the task is closed), InvalidOutput."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


class ExecutionStopped(Exception):
    """StopExecution: unwinds every state (no Retry or Catch sees it) up to the execution."""

    def __init__(self, error: str | None = None, cause: str | None = None):
        super().__init__(error, cause)
        self.error = error
        self.cause = cause


@attrs.define(eq=False)
class PendingTask:
    """A task waiting for its token to be answered."""

    token: str
    state_name: str
    resource: str
    payload: Any  # what the task sent: the parameters (callbacks) or the input (activities)
    execution_arn: str
    timeout_seconds: int
    heartbeat_seconds: int | None
    kind: str  # "callback" or "activity"
    _clock: Clock = attrs.field(repr=False)
    _tokens: MutableMapping[str, PendingTask] | None = attrs.field(repr=False, default=None)  # its run's
    _start_ms: int = attrs.field(repr=False, default=0)
    _beats: list = attrs.field(repr=False, factory=list)
    _outcome: tuple | None = attrs.field(repr=False, default=None)  # ("success", output, ms) | ("failure", error, cause, ms)
    _closed: str | None = attrs.field(repr=False, default=None)  # why no answer is taken any more
    _channel: Channel | None = attrs.field(repr=False, default=None)
    _scheduler: Scheduler | None = attrs.field(repr=False, default=None)
    _thread: Thread | None = attrs.field(repr=False, default=None)  # the scheduler thread that waits
    _waiting: bool = attrs.field(repr=False, default=False)

    @property
    def closed(self) -> bool:
        """No answer is taken any more: answered, timed out, failed or aborted."""
        return self._closed is not None or self._outcome is not None

    def stamp(self) -> int:
        """When an answer or heartbeat is sent: by local code, the time of the execution it
        runs in plus what it has slept; by the test, the test's virtual "now"."""
        channel = self._channel
        if channel is not None and not channel.in_worker():
            return max(self._clock.now_ms, channel.target_ms or 0)
        now = local_now_ms()
        return now if now is not None else self._clock.now_ms

    def answer(self, outcome: tuple) -> None:
        """SendTaskSuccess/Failure's outcome, stamped: a task that sleeps in its wait resumes
        now (and, sent from the test, control goes back to the execution)."""
        self._outcome = outcome
        if self._waiting and self._thread is not None:
            self._scheduler.wake(self._thread)
        channel = self._channel
        if channel is not None and not channel.in_worker():
            channel.resume(("answer",))

    def heartbeat(self) -> None:
        """A heartbeat now: the next limit moves, so a waiting task sleeps anew."""
        self._beats.append(self.stamp())
        if self._waiting and self._thread is not None:
            self._scheduler.wake(self._thread)

    def runs_on(self, scheduler: Scheduler) -> bool:
        """Waits in this scheduler's threads (a nested execution has a scheduler of its own)."""
        return self._scheduler is scheduler

    @property
    def waiting(self) -> bool:
        """Asleep in its wait, unanswered and open: what a live execution's test may answer."""
        return self._waiting and self._outcome is None and self._closed is None

    def close(self, why: str) -> None:
        """No answer is taken any more (the task failed before it could wait)."""
        self._closed = self._closed or why
        channel = self._channel
        if channel is not None and self in channel.opened:
            channel.opened.remove(self)

    def wait(self, scheduler: Scheduler, responder: Responder | None) -> Generator:
        """A thread's wait for the answer: returns the output, or raises StatesError for a
        failure or a timeout. It sleeps until its first limit and is woken early by an answer."""
        clock = self._clock
        try:
            if self._outcome is None and responder is not None:
                self._respond(responder)
            self._thread = scheduler.current
            while self._outcome is None:
                expiry_ms, error = self.expiry(_FOREVER, answered=False)
                if expiry_ms <= clock.now_ms:
                    self._closed = "timed out"
                    raise StatesError(error, None)
                self._waiting = True
                yield Sleep(expiry_ms)
                self._waiting = False
            answered_ms = self._outcome[-1]
            expiry = self.expiry(answered_ms, answered=True)
            if expiry is not None:  # the answer came too late: the task had timed out
                self._closed = "timed out"
                if expiry[0] > clock.now_ms:
                    yield Sleep(expiry[0])
                raise StatesError(expiry[1], None)
            if answered_ms > clock.now_ms:
                yield Sleep(answered_ms)
            if self._outcome[0] == "failure":
                raise StatesError(self._outcome[1], self._outcome[2])
            return self._outcome[1]
        finally:
            self._waiting = False
            self.close("closed")

    def _respond(self, responder: Responder) -> None:
        """Call a registered responder; what it sends is stamped with the virtual time it slept."""
        start = self._clock.now_ms
        with counting_sleep(self._clock, self._tokens) as sleeper:
            try:
                returned = responder(self.token, json_copy(self.payload))
                failure = None
            except TaskFailure as raised:
                returned, failure = None, (raised.error, raised.cause)
            except Exception as raised:
                returned, failure = None, (type(raised).__name__, exception_text(raised))
            finished = start + int(round(sleeper.seconds * 1000))
        if self._outcome is not None or self._closed is not None:
            return
        if failure is not None:
            self._outcome = ("failure", failure[0], failure[1], finished)
        elif returned is not NO_ANSWER:
            try:
                self._outcome = ("success", json_copy(returned), finished)
            except (TypeError, ValueError) as error:
                self._outcome = ("failure", "States.Runtime", f"The callback responder returned a value that is not JSON: {error}", finished)

    def expiry(self, until_ms: int, answered: bool) -> tuple[int, str] | None:
        """When this task timed out, if it did by `until_ms`, and the error. With `answered`,
        `until_ms` is the answer's time, which is in time if it is not past a limit; without,
        it is how far the clock has gone, and a limit reached by then has fired."""
        found: list[tuple[int, str]] = []

        def ran_out(limit_ms: int) -> bool:
            return limit_ms < until_ms if answered else limit_ms <= until_ms

        deadline = self._start_ms + self.timeout_seconds * 1000
        if ran_out(deadline):
            found.append((deadline, TIMEOUT))
        if self.heartbeat_seconds:
            window = self.heartbeat_seconds * 1000
            previous = self._start_ms
            for beat in sorted(b for b in self._beats if b <= until_ms):
                if previous + window < beat:  # this heartbeat came too late
                    break
                previous = max(previous, beat)
            if ran_out(previous + window):
                found.append((previous + window, HEARTBEAT_TIMEOUT))
        return min(found) if found else None


def task_tokens() -> MutableMapping[str, PendingTask]:
    """One run's open tasks by token, for the module-level send functions. Weak: a finished
    execution's tasks go with it, and their tokens then read as unknown."""
    return weakref.WeakValueDictionary()


def new_token(rng) -> str:
    """An opaque token, like AWS's (a long base64 text), from the execution's random source."""
    return "AQ" + base64.b64encode(rng.getrandbits(8 * 96).to_bytes(96, "big")).decode()


def context_token(execution_id: str, number: int) -> str:
    """The token of a Task that waits for no answer. AWS puts a token in the context object of
    every Task (`$$.Task.Token`; published `.sync` workflows pass it on), not only of those that
    wait for one. Derived from the execution and how many such tokens it gave, it repeats under
    a seed without drawing on the execution's random source (whose draws make request ids,
    retry jitter and `$uuid`), so adding it changed none of those."""
    digest = hashlib.shake_256(f"{execution_id}#{number}".encode()).digest(96)
    return "AQ" + base64.b64encode(digest).decode()


CLOSED_MESSAGE = "Task Timed Out: the task token has either expired or the task associated with the token has already been closed."


def find_task(token: Any, tables: Iterable[Mapping[str, PendingTask]] | None = None) -> PendingTask:
    """The open task of a token in `tables` (by default: the runs whose local code is calling,
    innermost first), or AWS's refusal (TaskTokenError)."""
    if not isinstance(token, str) or not token.startswith("AQ"):
        raise TaskTokenError("InvalidToken", f"Invalid token: {token!r}")
    found = (table.get(token) for table in (local_token_tables() if tables is None else tables))
    task = next((task for task in found if task is not None), None)
    if task is None:
        raise TaskTokenError("TaskDoesNotExist", "Task does not exist anymore")
    if task.closed:
        raise TaskTokenError("TaskTimedOut", CLOSED_MESSAGE)
    return task


def send_task_success(token: str, output: Any = None) -> None:
    """SendTaskSuccess: `output` is the task's result, a JSON value (not JSON text)."""
    succeed(find_task(token), output)


def send_task_failure(token: str, error: str | None = None, cause: str | None = None) -> None:
    """SendTaskFailure: the task fails with this error and cause (either may be omitted)."""
    fail(find_task(token), error, cause)


def send_task_heartbeat(token: str) -> None:
    """SendTaskHeartbeat: the task's HeartbeatSeconds start again from now."""
    find_task(token).heartbeat()


def succeed(task: PendingTask, output: Any) -> None:
    """SendTaskSuccess to a task found already (its output checked as AWS checks it)."""
    try:
        output = json_copy(output)
    except (TypeError, ValueError) as error:
        raise TaskTokenError("InvalidOutput", f"the output is not a JSON value: {error}") from None
    if size_in_bytes(output) > PAYLOAD_LIMIT_BYTES:
        raise TaskTokenError("InvalidOutput", "the output exceeds the maximum of 262144 bytes")
    task.answer(("success", output, task.stamp()))


def fail(task: PendingTask, error: str | None, cause: str | None) -> None:
    """SendTaskFailure to a task found already."""
    if error is not None and not isinstance(error, str) or cause is not None and not isinstance(cause, str):
        raise TypeError("error and cause must be strings or None")
    task.answer(("failure", error, cause, task.stamp()))


# -- the waiting side ---------------------------------------------------------------------------


def open_task(runner, token: str, state_name: str, resource: str, payload: Any, timeout: int | None,
              heartbeat: int | None, kind: str, channel: Channel | None) -> PendingTask:
    """Register a task that will wait for `token`; its clocks start now."""
    task = PendingTask(
        token=token,
        state_name=state_name,
        resource=resource,
        payload=payload,
        execution_arn=runner.context["Execution"]["Id"],
        timeout_seconds=timeout if timeout is not None else DEFAULT_TASK_TIMEOUT,
        heartbeat_seconds=heartbeat,
        kind=kind,
        clock=runner.clock,
        tokens=runner.tasks.services.tokens,
        start_ms=runner.clock.now_ms,
        channel=channel,
        scheduler=runner.scheduler,
    )
    runner.tasks.services.tokens[token] = task
    if channel is not None:
        channel.opened.append(task)
        channel.tokens[token] = task
    return task


_FOREVER = 2**62


# -- the live execution's hand-off -------------------------------------------------------------


class Channel:
    """Control passes between the test thread and a live execution's worker thread; exactly
    one of them runs at any time.

    The worker parks in the scheduler's idle hook: when tasks wait for tokens and the next
    thing due is one of their timeouts, past the test's virtual "now" (`target_ms`). The test
    then answers, sends heartbeats, advances `target_ms` or stops the execution, and parks
    until the worker parks again or ends."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._turn = "worker"
        self._message: tuple | None = None
        self.parked = False
        self.finished = False
        self.failure: BaseException | None = None  # an unexpected exception in the worker
        self.target_ms: int | None = None
        self.opened: list[PendingTask] = []  # the open tasks of this execution and its children
        self.tokens: dict[str, PendingTask] = {}  # every task it opened, so closed tokens stay known
        self.worker: threading.Thread | None = None
        self.clock: Any = None  # the clock of the scheduler that parked last

    def in_worker(self) -> bool:
        return threading.current_thread() is self.worker

    def pending(self) -> list[PendingTask]:
        return [task for task in self.opened if task.waiting]

    def now_ms(self) -> int:
        now = self.clock.now_ms if self.clock is not None else 0
        return max(now, self.target_ms or 0)

    # worker side
    def idle_hook(self, clock, scheduler) -> Callable[[int], bool]:
        """The scheduler's idle hook: the execution runs on by itself until the next thing due
        is a waiting task's timeout; then only the test can say what happens first."""

        def idle(next_due_ms: int) -> bool:
            waiting = [task for task in self.pending() if task.runs_on(scheduler)]
            if not waiting:
                return False
            if next_due_ms < min(task.expiry(_FOREVER, answered=False)[0] for task in waiting):
                return False
            if self.target_ms is not None and self.target_ms >= next_due_ms:
                return False
            self.clock = clock
            message = self._park()
            if message[0] == "stop":
                raise ExecutionStopped(message[1], message[2])
            target = self.target_ms
            if target is not None and clock.now_ms < target < next_due_ms:
                clock.advance_to(target)  # the test's "now" (past the execution's deadline: it ends)
            return True

        return idle

    def _park(self) -> tuple:
        with self._condition:
            self.parked = True
            self._turn = "test"
            self._condition.notify_all()
            self._condition.wait_for(lambda: self._turn == "worker")
            message, self._message = self._message, None
            self.parked = False
            return message or ("answer",)

    def finish(self, failure: BaseException | None = None) -> None:
        with self._condition:
            self.finished = True
            self.failure = failure
            self._turn = "test"
            self._condition.notify_all()

    # test side
    def wait_for_worker(self) -> None:
        with self._condition:
            self._condition.wait_for(lambda: self._turn == "test")

    def resume(self, message: tuple) -> None:
        """Hand control to the parked worker and wait until it parks again or ends."""
        if self.in_worker():
            raise RuntimeError("a live execution is driven from the test's thread, not from its own handlers")
        with self._condition:
            if self.finished or not self.parked:
                return
            self._message = message
            self._turn = "worker"
            self._condition.notify_all()
            self._condition.wait_for(lambda: self._turn == "test")

    def abandon(self) -> None:
        """The test let go of a parked execution: stop it without waiting for it."""
        with self._condition:
            if self.finished or not self.parked:
                return
            self._message = ("stop", None, None)
            self._turn = "worker"
            self._condition.notify_all()
