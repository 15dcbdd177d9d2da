"""What workflows import: `from pysfn_compile import sfn`.

Run plainly, every helper does what it says, so the workflow is ordinary Python:

    @sfn.workflow                     the entry point; checks annotated parameters
    @sfn.retry(errors=[...], ...)     retries the callee, waiting on the sfn clock
    @sfn.task(timeout=..., heartbeat=...)   the Task's timeouts (a plain run's callee whose
                                      waits reach the timeout raises sfn.Timeout)
    sfn.parallel(f, g, ...)           runs the branches in turn, returns their results
    sfn.map(fn, items)                runs fn on each item in turn, returns the results
    sfn.map(fn, items, distributed=True, batch_size=..., tolerated_failure_count=...)
                                      the same as a distributed Map (child executions); items
                                      may be sfn.s3_items(bucket, key, input_type); with
                                      result_writer=sfn.s3_results(bucket, prefix) the
                                      results go to S3 and it returns where
    sfn.sleep(seconds), sfn.sleep_until(timestamp)    wait on the sfn clock
    sfn.context(), sfn.now()          the execution's name, id, start time...; the time now
    sfn.wait_for_callback(notify, payload, timeout=..., heartbeat=...)
                                      notify(payload, token), then the answer to the token
                                      (a responder given by `sfn.using_callbacks` answers)
    raise sfn.Fail(error, cause)      ends the execution with exactly that error and cause
    sfn.aws.dynamodb.put_item(...)    an AWS service call (runtime/aws.py); plain runs send it to
                                      the target of `with sfn.using_services(target):`

The sfn clock is real by default (`sfn.sleep(60)` in a plain run waits a minute); it is
virtual (instant, but counted) when the environment sets PYSFN_CLOCK=virtual or after
`sfn.use_virtual_clock()`. A caller that runs a workflow (the compiler's `run_python`,
`compare`, the pytest fixture) gives the run a virtual clock of its own instead: `with
sfn.virtual_clock(start):` (or `with sfn.using_clock(clock):`): waits in this thread go to
that clock and sfn.context() names that execution; the process's clock, and any other
thread's run, are left alone.

The compiler reads the same decorators and calls and turns them into states.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import functools
import io
import json
import math
import os
import random
import threading
import time
import typing
from datetime import UTC, datetime

from . import aws
from .dispatch import error_type

__all__ = [
    "NO_ANSWER",
    "Fail",
    "HeartbeatTimeout",
    "NoResponder",
    "Timeout",
    "ToleratedFailureExceeded",
    "aws",
    "clock",
    "context",
    "map",
    "now",
    "parallel",
    "retry",
    "s3_items",
    "s3_results",
    "sleep",
    "sleep_until",
    "task",
    "use_real_clock",
    "use_virtual_clock",
    "using_callbacks",
    "using_clock",
    "using_services",
    "virtual_clock",
    "wait_for_callback",
    "workflow",
]

SAFE_INTEGER = 2**53 - 1

# AWS service calls: `sfn.aws.<service>.<method>(...)`; a plain run's calls go to the target set
# here for the run (the harness's local services adapter, or "boto3")
using_services = aws.using_services


class Fail(Exception):
    """`raise sfn.Fail(error, cause)`: the execution fails with this error name and cause."""

    def __init__(self, error: str, cause: str | None = None):
        super().__init__(cause if cause is not None else "")
        self.error = error
        self.cause = cause


class Timeout(Fail):
    """A task ran out of time (Step Functions' `States.Timeout`): `except sfn.Timeout` catches it
    in both runs; uncaught, the execution fails with that error and an empty cause."""

    error_name = "States.Timeout"

    def __init__(self, cause: str = ""):
        super().__init__(self.error_name, cause)


class HeartbeatTimeout(Timeout):
    """No heartbeat came within HeartbeatSeconds (`States.HeartbeatTimeout`); a Timeout too."""

    error_name = "States.HeartbeatTimeout"


class MarshalError(Fail):
    """A callee returned what JSON cannot carry (a DynamoDB Decimal, a datetime, a set): Lambda's
    runtime fails the call with `Runtime.MarshalError`, and the plain run raises this where the
    machine's Task fails, so that `except Exception` catches it in both runs alike."""

    error_name = "Runtime.MarshalError"

    def __init__(self, cause: str = ""):
        super().__init__(self.error_name, cause)


# -- the clock ---------------------------------------------------------------------------
class Clock:
    """Real time, or a virtual clock that only moves when something sleeps on it."""

    def __init__(self, virtual: bool, start: float | None = None):
        self.virtual = virtual
        self._now = start if start is not None else time.time()
        self.slept = 0.0  # seconds slept through this clock

    def now(self) -> float:
        return self._now if self.virtual else time.time()

    def sleep(self, seconds: float) -> None:
        seconds = max(0.0, float(seconds))
        self.slept += seconds
        if self.virtual:
            self._now += seconds
        else:
            time.sleep(seconds)

    def settle(self) -> None:
        """A callee's invocation ended: the time it slept has passed already (a lane's clock,
        _LaneClock, lets it pass only now)."""

    def cut(self, seconds: float) -> None:
        """A callee's invocation timed out `seconds` before its waits ended: that time never
        passes (the machine's Task ends at its timeout)."""
        self.slept -= seconds
        if self.virtual:
            self._now -= seconds


_clock = Clock(virtual=os.environ.get("PYSFN_CLOCK", "").lower() == "virtual")
# The clock of the run in progress in this thread (`using_clock`). A workflow calls
# `sfn.sleep(5)` with no clock in hand, so the run's clock can only reach it through the
# context it runs in; scoped to that run, not set for the process.
_run_clock: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("sfn_run_clock", default=None)


def clock() -> Clock:
    """The clock sfn.sleep, sfn.sleep_until and sfn.retry wait on: the run's (`using_clock`),
    else the process's."""
    return _run_clock.get() or _clock


@contextlib.contextmanager
def using_clock(run_clock: Clock):
    """Within the block, in this thread, waits go to `run_clock` (one run's clock)."""
    token = _run_clock.set(run_clock)
    try:
        yield run_clock
    finally:
        _run_clock.reset(token)


# How deep this thread is inside a callee's invocation (a Lambda's run on AWS): a wait there
# is part of the one Task, which nothing stops midway; elsewhere a wait is a state's (a Wait,
# a retrier's interval), where a Map or Parallel that fails meanwhile stops the branch.
_task_depth: contextvars.ContextVar[int] = contextvars.ContextVar("sfn_task_depth", default=0)


@contextlib.contextmanager
def in_task():
    """Within the block, a callee's invocation runs (runtime/boundary.py): its waits are the
    Task's time, which passes on a lane's clock when it ends (normally or not)."""
    if getattr(clock(), "abandoned", False):
        raise _Abandoned  # a lane the machine stopped calls nothing more
    token = _task_depth.set(_task_depth.get() + 1)
    try:
        yield
    finally:
        _task_depth.reset(token)
        if not _task_depth.get():
            clock().settle()


@contextlib.contextmanager
def between_attempts():
    """Within the block, a retrier's interval: the failed attempt's time has passed, and the
    wait is the state's, not the invocation's."""
    clock().settle()
    token = _task_depth.set(0)
    try:
        yield
    finally:
        _task_depth.reset(token)


def use_virtual_clock(start: datetime | float | None = None) -> Clock:
    """From now on, waits are instant but counted (`clock().slept`, `clock().now()`)."""
    global _clock
    if isinstance(start, datetime):
        start = (start if start.tzinfo else start.replace(tzinfo=UTC)).timestamp()
    _clock = Clock(virtual=True, start=start)
    return _clock


# What a plain run reports as its execution (the compiled machine reads $states.context).
# Defaults: the emulator's (pysfn_emulator/options.py), so a bare plain run looks like a bare run.
DEFAULT_STATE_MACHINE_NAME = "pysfn-state-machine"
DEFAULT_EXECUTION_NAME = "plain-run"
_DEFAULT_ARN_PREFIX = "arn:aws:states:us-east-1:111111111111"


class PlainExecution:
    """The execution a plain run pretends to be: names, ARNs and start time."""

    def __init__(self, name: str = DEFAULT_EXECUTION_NAME, state_machine_name: str = DEFAULT_STATE_MACHINE_NAME,
                 start_time: datetime | None = None, arn_prefix: str = _DEFAULT_ARN_PREFIX):
        self.name = name
        self.state_machine_name = state_machine_name
        self.start_time = start_time if start_time is not None else datetime.now(UTC)
        self.execution_id = f"{arn_prefix}:execution:{state_machine_name}:{name}"
        self.state_machine_id = f"{arn_prefix}:stateMachine:{state_machine_name}"


# The execution a plain run in this thread pretends to be (`virtual_clock`), like its clock.
_run_execution: contextvars.ContextVar[PlainExecution | None] = contextvars.ContextVar("sfn_run_execution",
                                                                                        default=None)


@contextlib.contextmanager
def virtual_clock(start: datetime | float | str | None = None, *, execution_name: str | None = None,
                  state_machine_name: str | None = None):
    """Within the block, in this thread, the sfn clock is a fresh virtual one starting at `start`
    (default: now; a datetime, an ISO 8601 text such as "2024-01-01T00:00:00Z", or seconds
    since the epoch; naive means UTC), and sfn.context() names this execution (default names:
    `plain-run` of `pysfn-state-machine`, the emulator's machine name); the process's clock is
    left alone."""
    if isinstance(start, str):
        try:
            start = datetime.fromisoformat(start)
        except ValueError:
            raise ValueError(f"virtual_clock: {start!r} is not an ISO 8601 time (2024-01-01T00:00:00Z)") from None
    moment = (start if start.tzinfo else start.replace(tzinfo=UTC)) if isinstance(start, datetime) else None
    run_clock = Clock(virtual=True, start=moment.timestamp() if moment is not None else start)
    execution = PlainExecution(execution_name or DEFAULT_EXECUTION_NAME,
                               state_machine_name or DEFAULT_STATE_MACHINE_NAME,
                               moment if moment is not None else datetime.fromtimestamp(run_clock.now(), UTC))
    token = _run_execution.set(execution)
    try:
        with using_clock(run_clock):
            yield run_clock
    finally:
        _run_execution.reset(token)


def context() -> dict:
    """The execution's context (the compiled machine reads it from $states.context):
    {"execution": {"id", "name", "start_time"}, "state_machine": {"id", "name"},
    "retry_count"}; times as AWS writes them ("2024-01-01T00:00:00.250Z"). retry_count is the
    reading state's, always 0 in a workflow's own states (AWS gives it only in Task states).
    A plain run outside `virtual_clock` is `plain-run`, started when the module was imported."""
    execution = _run_execution.get() or _IMPORTED
    return {
        "execution": {"id": execution.execution_id, "name": execution.name,
                      "start_time": timestamp_text(execution.start_time)},
        "state_machine": {"id": execution.state_machine_id, "name": execution.state_machine_name},
        "retry_count": 0,
    }


def now() -> str:
    """The time now on the sfn clock, as AWS writes times; compiled, the time the state
    reading it was entered ($states.context.State.EnteredTime), which also counts the
    emulator's nominal 1 ms per transition: equal to a plain run's up to those milliseconds."""
    return timestamp_text(datetime.fromtimestamp(clock().now(), UTC))


def timestamp_text(moment: datetime) -> str:
    """As AWS writes a context-object time: UTC, milliseconds (truncated) unless zero, `Z`."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    millis = moment.microsecond // 1000
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def use_real_clock() -> Clock:
    global _clock
    _clock = Clock(virtual=False)
    return _clock


MAX_SLEEP = 99_999_999  # seconds: Step Functions' longest Wait
SLEEP_TOO_LONG = f"sfn.sleep() of more than {MAX_SLEEP:,} seconds (Step Functions' longest Wait)"
SLEEP_TYPE = "sfn.sleep() takes a number of seconds, not "
SLEEP_FRACTION = "sfn.sleep() waits whole seconds (a Wait state's Seconds), not a fraction of one"


def sleep(seconds: int) -> None:
    """Wait `seconds` (a Wait state's Seconds: a number, else TypeError in both runs; a whole
    number, else ValueError in both runs; a negative number waits 0; past MAX_SLEEP,
    ValueError here, and the machine fails with Step Functions' States.Runtime, 'Wait state
    delay is too long')."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(SLEEP_TYPE + type(seconds).__name__)
    if isinstance(seconds, float) and math.isfinite(seconds) and not seconds.is_integer():
        raise ValueError(SLEEP_FRACTION)
    if seconds > MAX_SLEEP:
        raise ValueError(SLEEP_TOO_LONG)
    clock().sleep(seconds)


def sleep_until(timestamp: str | datetime) -> None:
    """Wait until an ISO 8601 timestamp (a Wait state's Timestamp)."""
    if isinstance(timestamp, str):
        text = timestamp[:-1] + "+00:00" if timestamp.endswith("Z") else timestamp
        moment = datetime.fromisoformat(text)
    else:
        moment = timestamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    waiting_on = clock()
    waiting_on.sleep(moment.timestamp() - waiting_on.now())


_IMPORTED = PlainExecution()


# -- branches and maps -------------------------------------------------------------------
def parallel(*branches):
    """Run each zero-argument branch; the list of their results (a Parallel state). The
    branches start together and run in the order of the run's clock, as in the machine; if
    one raises, the others stop where they wait, and the exception of the one that ended
    first is raised (_in_lanes)."""
    return _in_lanes(list(branches), 0)


def _in_lanes(calls: list, lanes: int) -> list:
    """Run `calls` as a Parallel state's branches or an inline Map's iterations run, on `lanes`
    lanes (0: all start together; otherwise the first `lanes`, then one each time one ends), in
    the time each waits on the run's clock: each runs in a thread of its own (_Lane), one at a
    time, until it ends or waits; those that wake earliest go on, in the order they started.
    Where one fails, the others stop where they wait, as the machine stops them: a branch's
    later states, a retrier's next attempt, an iteration not started yet do not run (at the
    moment of the failure, those waking then go on and none starts; a callee's invocation, one
    Task, runs whole: its waits pass when it ends). Then the failure that ended first (at the
    same moment, the one that started first) is raised."""
    if _task_depth.get() or not calls:  # inside one Lambda (a callee's own sfn.map): plain Python
        return [call() for call in calls]
    base = clock()
    turn = threading.Semaphore(0)  # the scheduler's: released when the running lane stops
    idle: list[_Worker] = []  # threads whose lane ended, for the next lane to start
    now = 0.0  # seconds since the calls started
    waiting: list[_Lane] = []
    results: list = [None] * len(calls)
    failures: list = []
    ends: list[float] = []  # when the lanes that ended did
    first = min(lanes, len(calls)) if lanes else len(calls)
    started = 0

    def run(lane: _Lane) -> None:
        lane.step()
        if not lane.done:
            waiting.append(lane)
            return
        ends.append(lane.wake)
        if lane.error is None:
            results[lane.index] = lane.result
        elif isinstance(lane.error, Exception):
            failures.append((lane.wake, lane.begin, lane.index, lane.error))
        else:
            raise lane.error  # (KeyboardInterrupt, SystemExit: not the workflow's)

    def fill() -> None:
        nonlocal started
        while started < len(calls) and (not lanes or len(waiting) < lanes):
            if started >= first and failures:
                return  # one that would start after a failure ended is not run
            lane = _Lane(started, calls[started], now, base, turn, idle)
            started += 1
            run(lane)

    try:
        fill()
        while waiting and not failures:
            moment = min(lane.wake for lane in waiting)
            if moment > now:
                base.sleep(moment - now)
                now = moment
            for lane in sorted((one for one in waiting if one.wake == moment), key=lambda one: one.index):
                waiting.remove(lane)  # each that goes on now does, before a failure now is seen
                run(lane)
            fill()
    finally:
        for lane in waiting:  # stopped where they wait: unwound, running no callee and no wait
            lane.abandon()
        for worker in idle:
            worker.stop()
    # (a lane run whole, without a thread, ends later than the scheduler's moment)
    end = min(failure[0] for failure in failures) if failures else max(ends, default=now)
    if end > now:
        base.sleep(end - now)
    if failures:
        raise min(failures, key=lambda failure: failure[:3])[3]
    return results


class _Lane:
    """One branch or iteration of _in_lanes, run by a thread (_Worker) only while the scheduler
    waits for it: until it ends, or waits on its clock (_LaneClock)."""

    def __init__(self, index: int, call, begin: float, base: Clock, turn: threading.Semaphore, idle: list):
        self.index, self.begin = index, begin
        self.wake = begin  # when it goes on (seconds since the calls started)
        self.debt = 0.0  # what the invocation running now has waited, to pass when it ends
        self.done = False
        self.result = self.error = None
        self._call, self._base, self._turn, self._idle = call, base, turn, idle
        self._context = contextvars.copy_context()  # the scheduler's: the run's execution, services...
        self._resume = threading.Semaphore(0)
        self._worker: _Worker | None = None
        self.abandoned = False
        self.whole = False  # run whole in the scheduler's thread: no thread was to be had

    def _run(self) -> None:
        _run_clock.set(_LaneClock(self, self._base))
        try:
            self.result = self._call()
        except BaseException as raised:  # handed to the scheduler, which raises it
            self.error = raised
        self.done = True

    def step(self) -> None:
        """Let the lane run until it ends or waits (the scheduler's thread waits meanwhile)."""
        if self._worker is not None:
            self._resume.release()
        else:
            try:
                self._worker = self._idle.pop() if self._idle else _Worker()
            except RuntimeError:  # no thread to be had (a limit on threads or memory): the lane
                self.whole = True  # runs whole here, its waits its own time, as one Task's are
                self._context.run(self._run)
                self.wake, self.debt = self.wake + self.debt, 0.0
                return
            self._worker.start(self)
        self._turn.acquire()

    def ended(self) -> None:
        """In the worker's thread, once the lane has run: the worker is free, the scheduler goes on."""
        self._idle.append(self._worker)
        self._turn.release()

    def pause(self, seconds: float) -> None:
        """In the lane's thread: wait `seconds` on the run's clock; where the calls fail
        meanwhile, unwind instead (_Abandoned)."""
        if self.abandoned:
            raise _Abandoned
        self.wake += seconds
        self._turn.release()
        self._resume.acquire()
        if self.abandoned:
            raise _Abandoned

    def abandon(self) -> None:
        """The calls failed while the lane waited: unwind it (a `finally` on the way runs, but
        no callee and no wait: in_task and pause raise _Abandoned), and wait until it has."""
        self.abandoned = True
        self._resume.release()
        self._turn.acquire()


class _Abandoned(BaseException):
    """Unwinds a lane the machine would have stopped where it waited (not an Exception: no
    `except Exception` of the workflow takes it)."""


class _Worker:
    """A thread that runs lanes one after another (starting a thread costs more than most lanes
    take to run)."""

    def __init__(self):
        self._go = threading.Semaphore(0)
        self._lane: _Lane | None = None
        threading.Thread(target=self._loop, name="sfn-lane", daemon=True).start()

    def start(self, lane: _Lane) -> None:
        self._lane = lane
        self._go.release()

    def stop(self) -> None:
        self._lane = None
        self._go.release()

    def _loop(self) -> None:
        while True:
            self._go.acquire()
            lane = self._lane
            if lane is None:
                return
            lane._context.run(lane._run)
            lane.ended()


class _LaneClock(Clock):
    """A lane's clock: the run's, read from where the lane has got to."""

    def __init__(self, lane: _Lane, base: Clock):
        self.virtual = base.virtual
        self.slept = 0.0
        self._lane = lane
        self._start = base.now() - lane.begin  # the run's time when the calls started

    @property
    def abandoned(self) -> bool:
        return self._lane.abandoned

    def now(self) -> float:
        return self._start + self._lane.wake + self._lane.debt if self.virtual else time.time()

    def sleep(self, seconds: float) -> None:
        seconds = max(0.0, float(seconds))
        self.slept += seconds
        if _task_depth.get() or self._lane.whole:
            self._lane.debt += seconds  # inside a callee's invocation: the Task takes longer
        elif seconds:  # (no time passes in a wait of 0: the lane goes on, as the machine's does)
            self._lane.pause(seconds)

    def cut(self, seconds: float) -> None:
        self.slept -= seconds
        if _task_depth.get() or self._lane.whole:
            self._lane.debt = max(0.0, self._lane.debt - seconds)

    def settle(self) -> None:
        if self._lane.whole:
            return
        debt, self._lane.debt = self._lane.debt, 0.0
        if debt:
            self._lane.pause(debt)


def map(function, items, max_concurrency=None, *, distributed=False, execution_type="STANDARD",
        batch_size=None, tolerated_failure_count=None, tolerated_failure_percentage=None, result_writer=None):
    """`function` applied to each item, in order (a Map state; the public name shadows the builtin).

    The items run as the machine runs them: `max_concurrency` at a time (all at once when None
    or 0), a new one when one ends, in the order of the run's clock; where one raises, the
    others stop where they wait, none starts, and the failure that ended first is raised
    (_in_lanes).

    `distributed=True` is a distributed Map (each item, or batch, a child execution of type
    `execution_type`); `items` may then be `sfn.s3_items(...)`. With `batch_size`, `function`
    gets a list of up to that many items (a child's `Items`) and the result holds one value per
    batch. Every item runs, even after one raises; then, without a tolerance, the first
    exception (in item order) is raised; with `tolerated_failure_count` / `..._percentage`
    (of the items, or of the batches), a failed item's result is None unless the failures
    exceed either, which raises sfn.ToleratedFailureExceeded.

    With `result_writer=sfn.s3_results(bucket, prefix)` the results go to S3 instead (a
    ResultWriter), one record an item (or batch), in order, `{"v": value}` or, for an item that
    raised, `{"raised": {"type": class name, "message": str(exception)}}`: no exception is
    raised, and the call returns where the records are, as AWS's Map does: `{"MapRunArn",
    "ResultWriterDetails": {"Bucket", "Key"}}`, Key naming the run's manifest.json."""
    if result_writer is not None and not distributed:
        raise ValueError("result_writer= is for a distributed map (distributed=True)")
    if result_writer is not None and (tolerated_failure_count is not None or tolerated_failure_percentage is not None):
        raise ValueError("with result_writer= each item's exception is recorded in the results: "
                         "tolerated_failure_* has nothing to count")
    if isinstance(items, S3Items):
        items = items.read()
    if items is None or isinstance(items, (dict, str, int, float)):  # what the machine refuses at run time:
        # a Map's items are a JSON array (a view, range or zip the compiler makes a list)
        raise TypeError(f"sfn.map() items must be a list, not {type(items).__name__}")
    if not distributed:
        lanes = max_concurrency if isinstance(max_concurrency, int) and max_concurrency > 0 else 0
        return _in_lanes([functools.partial(function, item) for item in items], lanes)
    items = list(items)
    inputs = [items[i:i + batch_size] for i in range(0, len(items), batch_size)] if batch_size else items
    if result_writer is not None:
        return result_writer.write(map_label(getattr(unwrap(function), "__name__", "<lambda>")),
                                   [_record(function, one) for one in inputs])
    results, failures = [], []
    for one in inputs:
        try:
            results.append(function(one))
        except Exception as error:
            results.append(None)
            failures.append(error)
    if not failures:
        return results
    if tolerated_failure_count is None and tolerated_failure_percentage is None:
        raise failures[0]
    if tolerated(len(failures), len(inputs), tolerated_failure_count, tolerated_failure_percentage):
        return results
    raise ToleratedFailureExceeded()


def _record(function, item) -> dict:
    """An item's record in a result writer's file (lowering/distributed_map.py: results_as_records)."""
    try:
        return {"v": function(item)}
    except Fail:
        raise  # no Python exception: it fails the child, and the map run, in the machine too
    except Exception as error:
        return {"raised": {"type": error_type(type(error), getattr(unwrap(function), "__globals__", None)),
                           "message": str(error)}}


def map_label(name: str) -> str:
    """A result-writing map's Label (its map run's name): the item function's name, a
    lambda's `lambda`, at most 40 characters as AWS allows."""
    return ("lambda" if name == "<lambda>" else name)[:40]


class S3Results:
    """`sfn.s3_results(bucket, prefix)`: where a distributed sfn.map writes its results."""

    def __init__(self, bucket: str, prefix: str = ""):
        self.bucket, self.prefix = bucket, prefix

    def write(self, label: str, records: list) -> dict:
        """Write the records as the machine's ResultWriter does, through the run's services
        (`sfn.using_services`: a target with `write_map_results`, the harness's local adapter)."""
        target = aws.services_target()
        write = getattr(target, "write_map_results", None)
        if write is None:
            raise NotImplementedError(f"sfn.s3_results(): {type(target).__name__} cannot write a map run's "
                                      "results; run with local services (pysfn_emulator.LocalAws)")
        return write(self.bucket, self.prefix, label, as_machine_sees(None, _json_copy(records)))


def s3_results(bucket: str, prefix: str = "") -> S3Results:
    """Where a distributed sfn.map writes its results: `bucket`, under `prefix` (a ResultWriter
    with s3:putObject; files `<prefix>/<map run>/SUCCEEDED_0.json` and `manifest.json`)."""
    for label, value in (("bucket", bucket), ("prefix", prefix)):
        if not isinstance(value, str):
            raise TypeError(f"sfn.s3_results() {label} must be a str, not {type(value).__name__}")
    return S3Results(bucket, prefix)


def tolerated(failures: int, total: int, count: int | None, percentage: float | None) -> bool:
    """Within the tolerance: exceeding either limit fails the Map (AWS: "if you specify both
    values, the workflow fails when it exceeds either value")."""
    return (count is None or failures <= count) and (percentage is None or failures * 100 <= percentage * total)


class ToleratedFailureExceeded(Fail):
    """More items of a distributed sfn.map failed than it tolerates (States.ExceedToleratedFailureThreshold)."""

    error_name = "States.ExceedToleratedFailureThreshold"

    def __init__(self, cause: str = "The specified tolerated failure threshold was exceeded"):
        super().__init__(self.error_name, cause)


class S3Items:
    """`sfn.s3_items(bucket, key, input_type)`: a distributed Map's items read from an S3 object."""

    def __init__(self, bucket: str, key: str, input_type: str = "JSON"):
        self.bucket, self.key, self.input_type = bucket, key, input_type

    def read(self) -> list:
        """The object's items as the Map's ItemReader reads them: JSON (an array), JSONL (a value
        a line, blank lines skipped), CSV (the first row names the fields; values stay text).
        The object comes from the run's services (`sfn.using_services`: s3 getObject)."""
        try:
            response = aws.services_target().call("s3", "get_object", {"Bucket": self.bucket, "Key": self.key})
        except aws.ServiceError as error:  # the Map fails, as its ItemReader does (no Python exception)
            raise Fail("States.ItemReaderFailed",
                       f"Unable to read s3://{self.bucket}/{self.key}: {type(error).__name__}: {error}") from error
        text = response.get("Body", "")
        if self.input_type == "JSON":
            items = json.loads(text)
            if not isinstance(items, list):
                raise ValueError(f"s3://{self.bucket}/{self.key}: the JSON object must be an array")
        elif self.input_type == "JSONL":
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            rows = [row for row in csv.reader(io.StringIO(text)) if row]
            header, rows = (rows[0], rows[1:]) if rows else ([], [])
            items = [{name: (row[i] if i < len(row) else "") for i, name in enumerate(header)} for row in rows]
        return as_machine_sees(None, items)


def s3_items(bucket: str, key: str, input_type: str = "JSON") -> S3Items:
    """The items of a distributed sfn.map read from the S3 object `bucket`/`key` (an ItemReader
    with s3:getObject); `input_type` "JSON" (an array), "JSONL" or "CSV" (header row first)."""
    for label, value in (("bucket", bucket), ("key", key)):
        if not isinstance(value, str):
            raise TypeError(f"sfn.s3_items() {label} must be a str, not {type(value).__name__}")
    if input_type not in ("JSON", "JSONL", "CSV"):
        raise ValueError(f"input_type must be 'JSON', 'JSONL' or 'CSV', not {input_type!r}")
    return S3Items(bucket, key, input_type)


# -- callbacks (task tokens) -------------------------------------------------------------
class _NoAnswer:
    def __repr__(self) -> str:
        return "sfn.NO_ANSWER"


NO_ANSWER = _NoAnswer()
"""What a responder returns to leave its token unanswered: the wait times out."""

# AWS's TimeoutSeconds of a Task that gives none (99,999,999 s, about three years)
DEFAULT_TASK_TIMEOUT = 99999999


class NoResponder(LookupError):
    """A plain run reached sfn.wait_for_callback(notify, ...) with no responder for `notify`."""


# The responders of the run in progress in this thread (`using_callbacks`): {callee name:
# responder(token, payload) -> answer}. Like the run's clock, scoped to that run.
_run_callbacks: contextvars.ContextVar[dict | None] = contextvars.ContextVar("sfn_run_callbacks", default=None)
_tokens_given = [0]


@contextlib.contextmanager
def using_callbacks(responders: dict):
    """Within the block, in this thread, `sfn.wait_for_callback(notify, ...)` is answered by
    `responders[notify's name](token, payload)`: its return value is the answer, an exception it
    raises is the failure the workflow sees (SendTaskFailure with the class name as error and
    str() as cause), `sfn.NO_ANSWER` lets the wait time out."""
    token = _run_callbacks.set(dict(responders or {}))
    try:
        yield
    finally:
        _run_callbacks.reset(token)


def wait_for_callback(notify, payload, timeout: int | None = None, heartbeat: int | None = None):
    """Call the callee `notify(payload, token)` and wait until someone answers the token (a
    `.waitForTaskToken` Task); returns the answer. A failure answer raises the exception named
    by its error; no answer within `timeout` seconds raises sfn.Timeout (within `heartbeat`
    seconds of the start: sfn.HeartbeatTimeout). In a plain run the responder registered with
    `sfn.using_callbacks({"notify": responder})` answers at once, as `responder(token, payload)`."""
    name = getattr(unwrap(notify), "__name__", repr(notify))
    responder = (_run_callbacks.get() or {}).get(name)
    if responder is None:
        raise NoResponder(f"sfn.wait_for_callback({name}, ...) waits for an answer that nobody gives in a plain run: "
                          f"run the workflow inside `with sfn.using_callbacks({{{name!r}: responder}}):` "
                          f"(responder(token, payload) -> answer), or pass callbacks={{{name!r}: responder}} "
                          "to sfn_run / compare")
    _tokens_given[0] += 1
    token = f"pysfn-plain-token-{_tokens_given[0]}"
    notify(payload, token)
    try:
        answer = responder(token, as_machine_sees(None, _json_copy(payload)))
    except Exception as raised:
        raise _failure_answer(notify, raised) from raised
    if answer is NO_ANSWER:
        if heartbeat is not None:
            clock().sleep(heartbeat)
            raise HeartbeatTimeout()
        clock().sleep(timeout if timeout is not None else DEFAULT_TASK_TIMEOUT)
        raise Timeout()
    return as_machine_sees(None, _json_copy(answer))


def _failure_answer(notify, raised: Exception) -> Exception:
    """A responder's exception as the workflow sees the failure answer it stands for: Step
    Functions carries only its error name (the class name, or sfn.Fail's error) and cause (str),
    and the workflow's `except` matches the name. So the exception is raised as the class of
    that name the workflow module knows (a test that imports the workflow again has classes of
    its own), else as it is."""
    error, cause = (raised.error, raised.cause or "") if type(raised) is Fail else (type(raised).__name__, str(raised))
    function = unwrap(notify)
    while hasattr(function, "__wrapped__"):  # functools.wraps (the plain run's boundary wraps callees)
        function = function.__wrapped__
    known = getattr(function, "__globals__", {}).get(error)
    if isinstance(known, type) and issubclass(known, Exception) and not issubclass(known, Fail) \
            and type(raised) is not known:
        try:
            return known(cause)
        except Exception:
            return raised
    if type(raised) is Fail and raised.cause is None:  # the machine reads a missing cause as ""
        return Fail(raised.error, "")
    return raised


def _json_copy(value):
    return json.loads(json.dumps(value, allow_nan=False))


# -- decorators --------------------------------------------------------------------------
class RetrySpec:
    """One @sfn.retry: a Task retrier (this module is packaged into the Lambda zip, so it
    depends on the standard library only)."""

    __slots__ = ("errors", "max_attempts", "interval", "backoff", "max_delay", "jitter")

    def __init__(self, errors: tuple, max_attempts: int = 3, interval: int = 1, backoff: float = 2.0,
                 max_delay: int | None = None, jitter: bool = False):
        self.errors = errors
        self.max_attempts = max_attempts
        self.interval = interval
        self.backoff = backoff
        self.max_delay = max_delay
        self.jitter = jitter

    def __repr__(self) -> str:
        return (f"RetrySpec(errors={self.errors!r}, max_attempts={self.max_attempts}, interval={self.interval}, "
                f"backoff={self.backoff}, max_delay={self.max_delay}, jitter={self.jitter})")

    def delay(self, attempt: int) -> float:
        seconds = self.interval * self.backoff ** attempt
        if self.max_delay is not None:
            seconds = min(seconds, self.max_delay)
        return random.uniform(0, seconds) if self.jitter else seconds


def retry(errors=(Exception,), max_attempts=3, interval=1, backoff=2.0, max_delay=None, jitter=False):
    """Retry the decorated callee as a Task's Retry would: the first spec whose errors match
    the exception decides; each spec counts its own attempts; waits grow by `backoff`."""
    spec = RetrySpec(tuple(errors), max_attempts, interval, backoff, max_delay, jitter)

    def decorate(function):
        original = unwrap(function)
        specs = [spec, *getattr(function, "__pysfn_retry__", [])]
        task_options = getattr(function, "__pysfn_task__", None)
        retrying = retried(original, specs)
        retrying.__pysfn_retry__ = specs
        retrying.__pysfn_original__ = original
        if task_options is not None:
            retrying.__pysfn_task__ = task_options
        return retrying

    return decorate


def retried(function, specs: list):
    """`function` called again as the Task's retriers `specs` say (a test's stand-in for a
    callee keeps the callee's @sfn.retry: the machine's Task retries whatever the Lambda runs)."""

    @functools.wraps(function)
    def retrying(*args, **kwargs):
        attempts = [0] * len(specs)
        while True:
            try:
                return function(*args, **kwargs)
            except Exception as error:
                index = next((i for i, s in enumerate(specs) if isinstance(error, s.errors)), None)
                if index is None or attempts[index] >= specs[index].max_attempts:
                    raise
                with between_attempts():
                    clock().sleep(specs[index].delay(attempts[index]))
                attempts[index] += 1

    return retrying


def timed(function, timeout: int):
    """`function` called as a Task with TimeoutSeconds `timeout` calls it (the plain run's
    boundary, runtime/boundary.py): where its waits reach the timeout, the call raises
    sfn.Timeout, whatever it returned or raised, and its time past the timeout never passes."""

    @functools.wraps(function)
    def call(*args, **kwargs):
        start = clock().slept
        try:
            return function(*args, **kwargs)
        finally:
            took = clock().slept - start
            if took >= timeout:
                clock().cut(took - timeout)
                raise Timeout()  # (from a finally: in place of the result or the exception)

    return call


def task(timeout: int | None = None, heartbeat: int | None = None):
    """The Task's TimeoutSeconds and HeartbeatSeconds; the function itself is unchanged (a
    plain run's boundary times the calls out: sfn.timed)."""

    def decorate(function):
        function.__pysfn_task__ = {"timeout": timeout, "heartbeat": heartbeat}
        return function

    return decorate


def unwrap(function):
    """The function as written, without sfn decorators (what the Lambda calls)."""
    return getattr(function, "__pysfn_original__", function)


def workflow(function=None, *, compute_in_lambda: bool = False):
    """Mark the entry point. Called plainly, it checks annotated parameters as the state
    machine does (JSON has one kind of number: 3.0 passes as an int, 3 as a float), and
    gives an unannotated one what the machine sees: an integral number is an int.
    `@sfn.workflow(compute_in_lambda=True)`: the compiler runs what JSONata cannot compute
    exactly as Python in the workflow's Lambda (a plain run is the same either way)."""
    if function is None:
        return lambda wrapped: workflow(wrapped, compute_in_lambda=compute_in_lambda)

    @functools.wraps(function)
    def run(*args, **kwargs):
        hints = _hints(function)
        kwargs = {key: _check_parameter(function.__name__, key, hints[key], value)
                  if key in hints else as_machine_sees(None, value) for key, value in kwargs.items()}
        return function(*args, **kwargs)

    run.__pysfn_workflow__ = True
    run.__pysfn_original__ = function
    run.__pysfn_compute_in_lambda__ = bool(compute_in_lambda)
    return run


def _hints(function) -> dict:
    try:
        hints = typing.get_type_hints(function)
    except Exception:
        return {}
    hints.pop("return", None)
    return hints


def runtime_name(value) -> str:
    """How parameter checks name a JSON value's type (int and float are both 'number')."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def _check_parameter(function_name: str, name: str, hint, value):
    checked, ok = _conform(hint, value)
    if not ok:
        raise TypeError(f"{function_name}() argument '{name}' must be {_hint_text(hint)}, "
                        f"not {runtime_name(value)}")
    return checked


def as_machine_sees(hint, value):
    """`value`, arriving from outside (the input, a callee's result) where `hint` (None: no
    annotation) describes it, as the state machine sees it: JSON has one number type, so an
    integral number that nothing annotates as float is an int (the compiler's rule for numbers
    of unknown type, pysfn_compile/pytypes.py), and one annotated float is a float (an int a
    callee returns for it is 3.0 to the machine)."""
    if hint is None or hint is typing.Any or hint is object or hint in (list, dict, tuple):
        return _integral_as_int(value)
    if hint is float:  # the machine holds it as the float it is annotated (`-> float` returning 3 is 3.0)
        return float(value) if type(value) is int else value
    if typing.is_typeddict(hint) and isinstance(value, dict):
        try:
            fields = typing.get_type_hints(hint)
        except Exception:
            return value
        return {_json_key(key): as_machine_sees(fields.get(key), item) for key, item in value.items()}
    origin, parameters = typing.get_origin(hint), typing.get_args(hint)
    if origin is list and parameters and isinstance(value, list):
        return [as_machine_sees(parameters[0], item) for item in value]
    if origin is dict and len(parameters) == 2 and isinstance(value, dict):
        return {_json_key(key): as_machine_sees(parameters[1], item) for key, item in value.items()}
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        if type(value) is int and float in parameters and int not in parameters:
            return float(value)
        if isinstance(value, (list, dict)):
            kind = list if isinstance(value, list) else dict
            for option in parameters:
                if option is kind or typing.get_origin(option) is kind or (
                        kind is dict and typing.is_typeddict(option)):
                    return as_machine_sees(option, value)
    return value


def _integral_as_int(value):
    if isinstance(value, float) and value.is_integer() and abs(value) <= SAFE_INTEGER:
        return int(value)
    if isinstance(value, (list, tuple)):  # a tuple crosses JSON as an array: the machine's list
        return [_integral_as_int(item) for item in value]
    if isinstance(value, dict):
        return {_json_key(key): _integral_as_int(item) for key, item in value.items()}
    return value


def _json_key(key):
    """A dict key as JSON carries it (json.dumps writes 1 as "1", True as "true")."""
    return key if isinstance(key, str) else next(iter(json.loads(json.dumps({key: 0}))))


def _conform(hint, value):
    """(value converted as JSON would carry it, whether it has the annotated type)."""
    if hint is typing.Any or hint is object:
        return value, True
    if hint is None or hint is type(None):
        return value, value is None
    if hint is bool:
        return value, isinstance(value, bool)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value, False
        if isinstance(value, float) and not value.is_integer():
            return value, False
        if abs(value) > SAFE_INTEGER:
            return value, False
        return int(value), True
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value, False
        return float(value), True
    if hint is str:
        return value, isinstance(value, str)
    if typing.is_typeddict(hint):
        if not isinstance(value, dict):
            return value, False
        try:
            fields = typing.get_type_hints(hint)
        except Exception:
            return value, True
        required = getattr(hint, "__required_keys__", frozenset(fields))
        converted = dict(value)
        for key, field_hint in fields.items():
            if key not in value:
                if key in required:
                    return value, False
                continue
            converted[key], ok = _conform(field_hint, value[key])
            if not ok:
                return value, False
        return converted, True
    origin, parameters = typing.get_origin(hint), typing.get_args(hint)
    if hint is tuple or origin is tuple:  # JSON brings a list
        if not isinstance(value, (list, tuple)):
            return value, False
        if not parameters:
            return value, True
        if len(parameters) == 2 and parameters[1] is Ellipsis:
            items = [_conform(parameters[0], item) for item in value]
        elif len(parameters) != len(value):
            return value, False
        else:
            items = [_conform(p, item) for p, item in zip(parameters, value, strict=True)]
        return [item for item, _ in items], all(ok for _, ok in items)
    if hint is list or origin is list:
        if not isinstance(value, list):
            return value, False
        if not parameters:
            return value, True
        items = [_conform(parameters[0], item) for item in value]
        return [item for item, _ in items], all(ok for _, ok in items)
    if hint is dict or origin is dict:
        if not isinstance(value, dict):
            return value, False
        if len(parameters) != 2:
            return value, True
        items = {key: _conform(parameters[1], item) for key, item in value.items()}
        return {key: item for key, (item, _) in items.items()}, all(ok for _, ok in items.values())
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        for option in parameters:
            converted, ok = _conform(option, value)
            if ok:
                return converted, True
        return value, False
    return value, True


def _hint_text(hint) -> str:
    if hint is None or hint is type(None):
        return "None"
    origin, parameters = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        return " | ".join(_hint_text(p) for p in parameters)
    if origin in (list, dict, tuple) and parameters:
        return f"{origin.__name__}[{', '.join('...' if p is Ellipsis else _hint_text(p) for p in parameters)}]"
    return getattr(hint, "__name__", str(hint))
