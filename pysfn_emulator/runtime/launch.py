"""One execution made ready and run to its end: its runner, clock, history and first frame,
and the `Execution` it ends as. `execution.py` launches the main one; a startExecution task
launches a child (`launch_child`) that shares its services."""

from __future__ import annotations

import gc
import random
import uuid
from collections.abc import Mapping
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any

import attrs

from ..core.errors import DATA_LIMIT_EXCEEDED, StatesError
from ..core.jsondeep import forget_measured
from ..core.jsontext import PAYLOAD_LIMIT_BYTES, size_in_bytes
from ..core.limits import (
    EXPRESS_MAX_SECONDS,
    STANDARD_MAX_SECONDS,
    ExecutionLimitReached,
    Guard,
    LimitExceeded,
)
from ..definition import model
from ..integrations.callbacks import ExecutionStopped
from ..integrations.mock_config import MockedStates
from ..options import ExecutionOptions
from ..query import jsonata
from ..virtual_time.clock import Clock, DeadlineReached, iso, to_datetime
from .history import STANDARD_HISTORY_LIMIT, History
from .interpreter import Frame, Handler, Runner, run_machine
from .task_call import Services, TaskEnv

# An execution that outlives these ends in States.Timeout, whatever its own TimeoutSeconds.
_MAX_DURATION_SECONDS = {"STANDARD": STANDARD_MAX_SECONDS, "EXPRESS": EXPRESS_MAX_SECONDS}
# Events of an EXPRESS execution held in memory: the first and the last 50,000 (history.py).
EXPRESS_HISTORY_KEEP = 100_000


@attrs.define
class Execution:
    """The outcome of one run: what DescribeExecution and GetExecutionHistory would say."""

    status: str
    output: Any
    error: str | None
    cause: str | None
    execution_arn: str
    state_machine_arn: str
    name: str
    input: Any
    start_date: datetime
    stop_date: datetime
    path: list[str]
    _history: History = attrs.field(repr=False)
    _rendered: list | None = attrs.field(default=None, repr=False)
    children: list[Execution] = attrs.field(factory=list, repr=False)  # started by startExecution tasks
    # Every transition taken, in order: (from state, to state, how: "Next", "Choice", "Default",
    # "Catch" or "Retry", the rule's, catcher's or retrier's index). A history cannot say which
    # Choice rule or catcher led where; coverage reads it here.
    transitions: list[tuple[str, str, str, int | None]] = attrs.field(factory=list, repr=False)

    @property
    def history(self) -> list[dict]:
        """Events as GetExecutionHistory returns them (details' input/output as JSON text)."""
        if self._rendered is None:
            self._rendered = self._history.render()
        return self._rendered

    @property
    def elapsed_seconds(self) -> float:
        """Virtual time from start to stop."""
        return (self.stop_date - self.start_date).total_seconds()

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


@attrs.define(eq=False)
class Launch:
    """An execution ready to run: its runner, clock, history and first frame."""

    runner: Runner
    machine: model.Machine
    input: Any
    execution_arn: str
    machine_arn: str
    name: str
    start_ms: int
    frame: Frame
    stopped: ExecutionStopped | None = None
    input_bytes: int | None = None  # the input's size, when accepting it measured it already
    child: bool = False  # started by a startExecution task: pysfn's guard ends its parent too

    @classmethod
    def create(cls, services: Services, machine: model.Machine, input: Any, options: ExecutionOptions, *,
               machine_name: str, mocks: MockedStates | None, handlers: Mapping[str, Handler],
               clock: Clock | None = None, rng: random.Random | None = None, guard: Guard | None = None,
               child: bool = False) -> Launch:
        """The execution `options` describe (its name, type, role, region, account; its clock,
        random source and guard unless given: a child shares its parent's guard and starts at
        its parent's now), of the state machine `machine_name`."""
        clock = clock if clock is not None else Clock.starting_at(options.start_time)
        rng = rng if rng is not None else random.Random(options.seed)
        guard = guard if guard is not None else Guard(options.max_transitions, options.max_seconds)
        machine_type, region, account = options.state_machine_type, options.region, options.account
        name = options.execution_name or str(_uuid(rng))
        machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{machine_name}"
        if machine_type == "EXPRESS":  # AWS adds a run id to an express execution's ARN
            execution_arn = f"arn:aws:states:{region}:{account}:express:{machine_name}:{name}:{_uuid(rng)}"
        else:
            execution_arn = f"arn:aws:states:{region}:{account}:execution:{machine_name}:{name}"
        role = options.role_arn or f"arn:aws:iam::{account}:role/pysfn-emulator"
        context = {
            "Execution": {
                "Id": execution_arn,
                "Input": input,
                "StartTime": iso(clock.now_ms),
                "Name": name,
                "RoleArn": role,
                "RedriveCount": 0,
            },
            "StateMachine": {"Id": machine_arn, "Name": machine_name},
        }
        if machine_type == "STANDARD":
            history = History(STANDARD_HISTORY_LIMIT)
        else:
            history = History(None, keep=EXPRESS_HISTORY_KEEP)
        runtime = jsonata.Runtime(rng, lambda: clock.now_ms)
        runner = Runner(clock, history, context, rng, runtime, handlers, TaskEnv(services, mocks), region, account,
                        guard=guard, context_override=options.context)
        if services.channel is not None:
            runner.scheduler.idle = guard.waiting(services.channel.idle_hook(clock, runner.scheduler))
        if guard.max_seconds is not None:
            runner.scheduler.advanced = guard.check_time
        start_ms = clock.now_ms
        longest = _MAX_DURATION_SECONDS[machine_type]
        clock.deadline_ms = start_ms + min(machine.timeout_seconds or longest, longest) * 1000
        history.add("ExecutionStarted", 0, start_ms, "executionStartedEventDetails", {"input": input, "roleArn": role})
        return cls(runner, machine, input, execution_arn, machine_arn, name, start_ms, Frame({}, 0, []), child=child)

    def execute(self) -> Execution:
        runner, frame = self.runner, self.frame
        status, output, error, cause = "SUCCEEDED", None, None, None
        live = runner.tasks.services.channel is not None
        forget_measured()  # the caller may have changed a value measured in an earlier run
        try:
            size = self.input_bytes if self.input_bytes is not None else size_in_bytes(self.input)
            if size > PAYLOAD_LIMIT_BYTES:
                raise StatesError(DATA_LIMIT_EXCEEDED, "The execution input exceeds the maximum number of bytes service limit.")
            with nullcontext() if live else _collector_paused():
                output = runner.scheduler.run(run_machine(runner, frame, self.machine, self.input))
            runner.event(frame, "ExecutionSucceeded", "executionSucceededEventDetails", {"output": output})
        except StatesError as failure:
            status, error, cause = "FAILED", failure.error, failure.cause
            details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
            runner.event(frame, "ExecutionFailed", "executionFailedEventDetails", details)
        except DeadlineReached:
            status = "TIMED_OUT"
            runner.event(frame, "ExecutionTimedOut", "executionTimedOutEventDetails", {"error": "States.Timeout"})
        except ExecutionLimitReached as reached:  # the history quota
            status, error, cause = "FAILED", reached.error, reached.cause
            runner.event(frame, "ExecutionFailed", "executionFailedEventDetails", {"error": error, "cause": cause})
        except LimitExceeded as exceeded:
            if self.child:
                raise  # the whole run ends: the parent's execution reports it
            status, error, cause = "FAILED", exceeded.error, exceeded.cause
            runner.event(frame, "ExecutionFailed", "executionFailedEventDetails", {"error": error, "cause": cause})
        except ExecutionStopped as stopped:
            self.stopped = stopped
            status, error, cause = "ABORTED", stopped.error, stopped.cause
            details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
            runner.history.add("ExecutionAborted", frame.last_event, runner.clock.now_ms, "executionAbortedEventDetails", details)
        return Execution(
            status=status,
            output=output,
            error=error,
            cause=cause,
            execution_arn=self.execution_arn,
            state_machine_arn=self.machine_arn,
            name=self.name,
            input=self.input,
            start_date=to_datetime(self.start_ms),
            stop_date=to_datetime(runner.clock.now_ms),
            path=frame.path or [],
            history=runner.history,
            children=runner.tasks.children,
            transitions=runner.transitions,
        )


def launch_child(parent: Runner, machine: model.Machine, input: Any, machine_name: str, execution_name: str,
                 rng: random.Random) -> Launch:
    """A nested execution (states:startExecution), sharing the parent's services; the mock
    file's test case of the same name applies if the file has one for this machine; it starts
    at the parent's now, in its region and account, with its role and guard."""
    services = parent.tasks.services
    config, test_case = services.mock_config, services.test_case
    mocks = None
    if config is not None and test_case is not None and config.has_case(machine_name, test_case):
        mocks = MockedStates(config, config.case(machine_name, test_case), machine_name, test_case)
    options = ExecutionOptions(execution_name=execution_name, role_arn=parent.context["Execution"].get("RoleArn"),
                               region=parent.region, account=parent.account)
    return Launch.create(services, machine, input, options, machine_name=machine_name, mocks=mocks,
                         handlers=parent.handlers, clock=Clock(parent.clock.now_ms), rng=rng, guard=parent.guard,
                         child=True)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@contextmanager
def _collector_paused():
    """The history grows by millions of small containers in a long run, and CPython's cyclic
    collector would rescan all of them again and again (cost quadratic in the run's length).
    An execution makes no reference cycles worth collecting midway, so pause it, as parsers do."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
