"""Executions: `run` one to its end, or `start` one that waits for the test (task tokens).

    execution = run(definition, input, lambdas=..., callbacks=..., state_machines=...,
                    mock_config=..., test_case=...)
    live = start(definition, input, ...)     # runs until it waits for a task token
    live.pending_tokens; live.send_task_success(token, output); live.advance(60); live.result()

Everything that can be wrong before the execution starts raises: DefinitionError (a definition
AWS would refuse, the main one or a registered child's), InvalidExecutionInput (an input
StartExecution would refuse: not JSON), NotSupportedError, MockConfigError (the mock file, or a
state machine or test case it lacks). Everything that happens inside the
execution is reported on the Execution, as AWS reports it.
"""

from __future__ import annotations

import gc
import random
import threading
import uuid
import weakref
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any

import attrs

from .core.errors import (
    DATA_LIMIT_EXCEEDED,
    DefinitionError,
    InvalidExecutionInput,
    Problem,
    StatesError,
)
from .core.jsondeep import forget_measured
from .core.jsontext import PAYLOAD_LIMIT_BYTES, NotJson, accept_measured, loads, size_in_bytes
from .core.limits import (
    DEFAULT_MAX_SECONDS,
    DEFAULT_MAX_TRANSITIONS,
    EXPRESS_MAX_SECONDS,
    STANDARD_MAX_SECONDS,
    ExecutionLimitReached,
    Guard,
    LimitExceeded,
)
from .definition import model
from .definition.loader import NotSupportedError, load
from .definition.validation import structural_problems
from .integrations.callbacks import (
    CLOSED_MESSAGE,
    Channel,
    ExecutionStopped,
    PendingTask,
    TaskTokenError,
    find_task,
    running_clock,
)
from .integrations.callbacks import send_task_failure as _send_failure
from .integrations.callbacks import send_task_heartbeat as _send_heartbeat
from .integrations.callbacks import send_task_success as _send_success
from .integrations.mock_config import (
    MockConfig,
    MockConfigError,
    MockedStates,
    load_mock_config,
    mock_config_from_environment,
)
from .query import jsonata
from .query.intrinsics import random_source
from .runtime.history import STANDARD_HISTORY_LIMIT, History
from .runtime.interpreter import Frame, Runner, run_machine
from .runtime.tasks import Services, TaskEnv, parse_resource
from .virtual_time.clock import Clock, DeadlineReached, iso, to_datetime

# An execution that outlives these ends in States.Timeout, whatever its own TimeoutSeconds.
_MAX_DURATION_SECONDS = {"STANDARD": STANDARD_MAX_SECONDS, "EXPRESS": EXPRESS_MAX_SECONDS}
# Events of an EXPRESS execution held in memory: the first and the last 50,000 (history.py).
EXPRESS_HISTORY_KEEP = 100_000
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "111111111111"
DEFAULT_STATE_MACHINE_NAME = "pysfn-state-machine"


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


def parse_definition(definition: dict | str) -> dict:
    """A definition's JSON text read as AWS reads it (no NaN or Infinity); a dict as given."""
    if isinstance(definition, str):
        try:
            definition = loads(definition)
        except NotJson as error:
            raise DefinitionError([Problem(error.pointer or "", f"the definition is not valid JSON: {error.what}")]) from None
        except ValueError as error:
            raise DefinitionError([Problem("", f"the definition is not valid JSON: {error}")]) from None
    return definition


def load_machine(definition: dict | str, state_machine_type: str = "STANDARD") -> model.Machine:
    """A definition, checked as CreateStateMachine would and loaded; raises DefinitionError or
    NotSupportedError."""
    definition = parse_definition(definition)
    if not isinstance(definition, dict):
        raise DefinitionError([Problem("", "the definition must be a JSON object")])
    problems = structural_problems(definition, state_machine_type=state_machine_type)
    if problems:
        raise DefinitionError(problems)
    machine, problems, unsupported = load(definition)
    if problems:
        raise DefinitionError(problems)
    if unsupported:
        raise NotSupportedError(unsupported)
    return machine


def run(
    definition: dict | str,
    input: Any = None,
    *,
    lambdas: dict | None = None,
    callbacks: dict | None = None,
    state_machines: dict | None = None,
    mock_config: Any = None,
    test_case: str | None = None,
    state_machine_name: str | None = None,
    execution_name: str | None = None,
    state_machine_type: str = "STANDARD",
    start_time: datetime | None = None,
    seed: int | None = None,
    role_arn: str | None = None,
    region: str = DEFAULT_REGION,
    account: str = DEFAULT_ACCOUNT,
    max_transitions: int | None = DEFAULT_MAX_TRANSITIONS,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
) -> Execution:
    """Run an execution to its end.

    lambdas: {function name | ARN (qualified or not) | integration ARN: handler(event, context)}.
    callbacks: {state name | resource ARN | activity ARN or name: responder(token, payload)}
        answers `.waitForTaskToken` tasks and activities (callbacks.py).
    state_machines: {name | ARN: definition} that `states:startExecution` tasks start.
    mock_config, test_case: a Step Functions Local mock file (dict, JSON text or path; without
        one, SFN_MOCK_CONFIG names it) and the test case to use; the state machine is looked up
        by `state_machine_name` (or is the file's only one).
    A `.waitForTaskToken` task or activity that nothing answers waits, on the virtual clock,
    until its HeartbeatSeconds or TimeoutSeconds, or the execution's end; use `start` to
    answer from the test.
    max_transitions, max_seconds: pysfn's guard against a runaway machine (limits.py): once the
        run (its branches, iterations and child executions together) has entered more states,
        or taken more real seconds, it ends FAILED with pysfn.TransitionLimitExceeded or
        pysfn.TimeLimitExceeded. None: no limit.
    """
    launch = _prepare(definition, input, lambdas, callbacks, state_machines, mock_config, test_case, state_machine_name,
                      execution_name, state_machine_type, start_time, seed, role_arn, region, account, channel=None,
                      guard=Guard(max_transitions, max_seconds))
    return launch.execute()


def start(
    definition: dict | str,
    input: Any = None,
    *,
    lambdas: dict | None = None,
    callbacks: dict | None = None,
    state_machines: dict | None = None,
    mock_config: Any = None,
    test_case: str | None = None,
    state_machine_name: str | None = None,
    execution_name: str | None = None,
    state_machine_type: str = "STANDARD",
    start_time: datetime | None = None,
    seed: int | None = None,
    role_arn: str | None = None,
    region: str = DEFAULT_REGION,
    account: str = DEFAULT_ACCOUNT,
    max_transitions: int | None = DEFAULT_MAX_TRANSITIONS,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
) -> LiveExecution:
    """Start an execution and return once it has ended or waits for the test: tasks wait for
    their tokens and nothing else is due before the virtual "now". Same arguments as `run`;
    max_seconds does not count the time the execution waits for the test."""
    channel = Channel()
    launch = _prepare(definition, input, lambdas, callbacks, state_machines, mock_config, test_case, state_machine_name,
                      execution_name, state_machine_type, start_time, seed, role_arn, region, account, channel=channel,
                      guard=Guard(max_transitions, max_seconds))
    return LiveExecution(launch)


# -- preparing an execution ---------------------------------------------------------------------------


def _prepare(definition, input, lambdas, callbacks, state_machines, mock_config, test_case, state_machine_name,
             execution_name, state_machine_type, start_time, seed, role_arn, region, account, channel,
             guard: Guard) -> _Launch:
    if state_machine_type not in _MAX_DURATION_SECONDS:
        raise ValueError(f"state_machine_type must be 'STANDARD' or 'EXPRESS', not {state_machine_type!r}")
    machine = load_machine(definition, state_machine_type)
    try:
        input, input_bytes = accept_measured(input)  # the value StartExecution's JSON text would carry
    except NotJson as error:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: {error}") from None
    config, machine_name = _mock_setup(mock_config, test_case, state_machine_name)
    from .runtime.nested import Registry

    registry = Registry(state_machines or {}, region, account) if state_machines else None
    services = Services.create(
        lambdas, callbacks=callbacks, state_machines=registry, mock_config=config, test_case=test_case, channel=channel
    )
    mocks = None
    if config is not None:
        mapping = config.case(machine_name, test_case)
        _check_mockable(machine, mapping, config, machine_name, test_case)
        mocks = MockedStates(config, mapping, machine_name, test_case)
    launch = _Launch.create(
        services, machine, input, machine_name, execution_name, state_machine_type,
        Clock.starting_at(start_time), random.Random(seed), role_arn, region, account, mocks, guard,
    )
    launch.input_bytes = input_bytes
    return launch


def _mock_setup(mock_config: Any, test_case: str | None, state_machine_name: str | None) -> tuple[MockConfig | None, str]:
    if mock_config is None and test_case is None:
        return None, state_machine_name or DEFAULT_STATE_MACHINE_NAME
    if test_case is None:
        raise MockConfigError("", "a mock config needs a test case: run(..., mock_config=..., test_case='NAME')")
    if not isinstance(test_case, str) or not test_case:
        raise MockConfigError("", "test_case must be the name of a test case of the mock config")
    config = load_mock_config(mock_config) if mock_config is not None else mock_config_from_environment()
    if config is None:
        raise MockConfigError("", "a test case needs a mock config: run(..., mock_config=path or dict) or SFN_MOCK_CONFIG")
    if state_machine_name is None:
        names = config.machine_names()
        if len(names) != 1:
            raise MockConfigError(
                f"{config.source}: StateMachines",
                f"the file describes {len(names)} state machines ({', '.join(names) or 'none'}): "
                "say which this is with run(..., state_machine_name=...)",
            )
        state_machine_name = names[0]
    return config, state_machine_name


def _check_mockable(machine: model.Machine, mapping: dict, config: MockConfig, machine_name: str, test_case: str) -> None:
    """Step Functions Local cannot mock an activity; refuse a test case that tries."""
    for state in _all_states(machine):
        if state.name in mapping and isinstance(state, model.Task) and parse_resource(state.resource).kind == "activity":
            raise MockConfigError(
                f"{config.source}: StateMachines/{machine_name}/TestCases/{test_case}/{state.name}",
                "an Activity state cannot be mocked (Step Functions Local refuses it): register a worker "
                "with run(..., callbacks={state name or activity: worker}) instead",
            )


def _all_states(machine: model.Machine):
    for state in machine.states.values():
        yield state
        if isinstance(state, model.Parallel):
            for branch in state.branches:
                yield from _all_states(branch)
        elif isinstance(state, model.Map) and state.processor is not None:
            yield from _all_states(state.processor)


@attrs.define(eq=False)
class _Launch:
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
    def create(cls, services: Services, machine: model.Machine, input: Any, machine_name: str, execution_name: str | None,
               machine_type: str, clock: Clock, rng: random.Random, role_arn: str | None, region: str, account: str,
               mocks: MockedStates | None, guard: Guard, child: bool = False) -> _Launch:
        name = execution_name or str(_uuid(rng))
        machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{machine_name}"
        if machine_type == "EXPRESS":  # AWS adds a run id to an express execution's ARN
            execution_arn = f"arn:aws:states:{region}:{account}:express:{machine_name}:{name}:{_uuid(rng)}"
        else:
            execution_arn = f"arn:aws:states:{region}:{account}:execution:{machine_name}:{name}"
        role = role_arn or f"arn:aws:iam::{account}:role/pysfn-emulator"
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
        runner = Runner(clock, history, context, rng, runtime, region, account, guard=guard)
        runner.tasks = TaskEnv(services, mocks)
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
            with random_source(runner.rng), running_clock(runner.clock), (nullcontext() if live else _collector_paused()):
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


def launch_child(services: Services, machine: model.Machine, input: Any, machine_name: str, execution_name: str,
                 start_ms: int, rng: random.Random, region: str, account: str, role_arn: str | None,
                 guard: Guard) -> _Launch:
    """A nested execution (states:startExecution), sharing the parent's services; the mock
    file's test case of the same name applies if the file has one for this machine."""
    config, test_case = services.mock_config, services.test_case
    mocks = None
    if config is not None and test_case is not None and config.has_case(machine_name, test_case):
        mocks = MockedStates(config, config.case(machine_name, test_case), machine_name, test_case)
    clock = Clock(start_ms)
    return _Launch.create(services, machine, input, machine_name, execution_name, "STANDARD", clock, rng,
                          role_arn, region, account, mocks, guard, child=True)


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


# -- a live execution -----------------------------------------------------------------------------------


class ExecutionRunning(RuntimeError):
    """`result()` of a live execution that still waits for the test."""


class LiveExecution:
    """A started execution, driven by the test: it runs in a worker thread until it ends or
    waits for the test (callbacks.py explains the hand-off), and every method below returns
    once it has ended or waits again.

        live = pysfn_emulator.start(definition, input, lambdas=...)
        [task] = live.pending                       # PendingTask: token, state_name, payload, ...
        live.send_task_heartbeat(task.token)
        live.advance(30)                            # 30 virtual seconds pass
        live.send_task_success(task.token, {"approved": True})
        execution = live.result()                   # the Execution, once it has ended

    Usable as a context manager: leaving the block stops an execution that still waits.
    """

    def __init__(self, launch: _Launch):
        channel = launch.runner.tasks.services.channel
        self._channel = channel
        self._arn = launch.execution_arn
        self._history = launch.runner.history
        box: dict = {}
        self._box = box

        def work() -> None:
            try:
                box["execution"] = launch.execute()
            except BaseException as failure:  # a bug, or a handler's KeyboardInterrupt: re-raised in the test
                channel.finish(failure)
            else:
                channel.finish()

        worker = threading.Thread(target=work, name=f"pysfn {launch.name}", daemon=True)
        channel.worker = worker
        worker.start()
        channel.wait_for_worker()
        weakref.finalize(self, channel.abandon)  # a test that drops a waiting execution stops it
        self._raise_failure()

    def __repr__(self) -> str:
        return f"<LiveExecution {self._arn} {self.status}>"

    def __enter__(self) -> LiveExecution:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if not self.done:
            self.stop()

    @property
    def execution_arn(self) -> str:
        return self._arn

    @property
    def done(self) -> bool:
        return self._channel.finished

    @property
    def status(self) -> str:
        return self._box["execution"].status if "execution" in self._box else "RUNNING"

    @property
    def now(self) -> datetime:
        """The virtual time the test is at."""
        return to_datetime(self._channel.now_ms())

    @property
    def history(self) -> list[dict]:
        """The events so far, as GetExecutionHistory returns them while the execution runs
        (read between the test's calls, when the execution waits or has ended)."""
        if "execution" in self._box:
            return self._box["execution"].history
        return self._history.render()

    @property
    def pending(self) -> list[PendingTask]:
        """The tasks waiting for their tokens, this execution's and its children's."""
        return [] if self.done else self._channel.pending()

    @property
    def pending_tokens(self) -> list[str]:
        return [task.token for task in self.pending]

    def token(self, state_name: str) -> str:
        """The token of the one pending task of the state named `state_name`."""
        tokens = [task.token for task in self.pending if task.state_name == state_name]
        if len(tokens) != 1:
            waiting = ", ".join(sorted({task.state_name for task in self.pending})) or "none"
            raise LookupError(f"{len(tokens)} pending tasks of state {state_name!r} (waiting: {waiting})")
        return tokens[0]

    def send_task_success(self, token: str, output: Any = None) -> None:
        """SendTaskSuccess: `output` (a JSON value) is the task's result."""
        self._own(token)
        _send_success(token, output)
        self._raise_failure()

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        """SendTaskFailure: the task fails with this error and cause."""
        self._own(token)
        _send_failure(token, error, cause)
        self._raise_failure()

    def send_task_heartbeat(self, token: str) -> None:
        """SendTaskHeartbeat: the task's HeartbeatSeconds count again from now."""
        self._own(token)
        _send_heartbeat(token)

    def advance(self, seconds: float) -> None:
        """Let `seconds` of virtual time pass: waits time out, Wait states end, as they would."""
        if seconds < 0:
            raise ValueError("time does not run backwards")
        if self.done:
            return
        channel = self._channel
        channel.target_ms = channel.now_ms() + int(round(seconds * 1000))
        channel.resume(("advance",))
        self._raise_failure()

    def stop(self, error: str | None = None, cause: str | None = None) -> None:
        """StopExecution: the execution ends ABORTED (with this error and cause, if given)."""
        if not self.done:
            self._channel.resume(("stop", error, cause))
        self._raise_failure()

    def result(self) -> Execution:
        """The Execution, once it has ended; ExecutionRunning while it waits for the test."""
        self._raise_failure()
        if not self.done:
            waiting = "; ".join(f"{task.state_name} ({task.resource}) token {task.token[:12]}…" for task in self.pending)
            raise ExecutionRunning(
                f"the execution still waits for task tokens: {waiting or 'none'}; answer them, "
                "advance(seconds) until they time out, or stop()"
            )
        return self._box["execution"]

    def _own(self, token: str) -> None:
        """AWS's refusals for a token this execution did not open, or has closed."""
        task = self._channel.tokens.get(token) if isinstance(token, str) else None
        if task is None:
            find_task(token)  # InvalidToken / TaskDoesNotExist / TaskTimedOut, as AWS would say
            raise TaskTokenError("TaskDoesNotExist", "the token belongs to another execution")
        if self.done or task.closed:
            raise TaskTokenError("TaskTimedOut", CLOSED_MESSAGE)

    def _raise_failure(self) -> None:
        failure = self._channel.failure
        if failure is not None:
            self._channel.failure = None
            raise failure
