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

import threading
import weakref
from datetime import datetime
from typing import Any

from .core.errors import InvalidExecutionInput
from .core.jsontext import NotJson, accept_measured
from .definition import model
from .definition.create import load_machine
from .integrations.callbacks import (
    CLOSED_MESSAGE,
    Channel,
    PendingTask,
    TaskTokenError,
    fail,
    find_task,
    succeed,
)
from .integrations.mock_config import (
    MockConfig,
    MockConfigError,
    MockedStates,
    load_mock_config,
    mock_config_from_environment,
)
from .options import DEFAULT_STATE_MACHINE_NAME, ExecutionOptions
from .runtime.launch import Execution, Launch
from .runtime.nested import Registry
from .runtime.states import HANDLERS
from .runtime.task_call import Services, parse_resource
from .virtual_time.clock import to_datetime


def run(definition: dict | str, input: Any = None, *, options: ExecutionOptions | None = None,
        **keywords: Any) -> Execution:
    """Run an execution to its end. `options`, or its fields as keywords (ExecutionOptions says
    what each does; keywords override the object's fields).

    A `.waitForTaskToken` task or activity that nothing answers waits, on the virtual clock,
    until its HeartbeatSeconds or TimeoutSeconds, or the execution's end; use `start` to
    answer from the test.
    """
    return _prepare(definition, input, ExecutionOptions.of(options, keywords), channel=None).execute()


def start(definition: dict | str, input: Any = None, *, options: ExecutionOptions | None = None,
          **keywords: Any) -> LiveExecution:
    """Start an execution and return once it has ended or waits for the test: tasks wait for
    their tokens and nothing else is due before the virtual "now". Same arguments as `run`;
    max_seconds does not count the time the execution waits for the test."""
    options = ExecutionOptions.of(options, keywords)
    return LiveExecution(_prepare(definition, input, options, channel=Channel()))


# -- preparing an execution ---------------------------------------------------------------------------


def _prepare(definition: dict | str, input: Any, options: ExecutionOptions, channel: Channel | None) -> Launch:
    machine = load_machine(definition, options.state_machine_type)
    try:
        input, input_bytes = accept_measured(input)  # the value StartExecution's JSON text would carry
    except NotJson as error:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: {error}") from None
    test_case = options.test_case
    config, machine_name = _mock_setup(options.mock_config, test_case, options.state_machine_name)
    machines = options.state_machines
    registry = Registry(machines, options.region, options.account) if machines else None
    services = Services.create(
        options.all_lambdas(), callbacks=options.callbacks, state_machines=registry, mock_config=config, test_case=test_case,
        channel=channel,
    )
    mocks = None
    if config is not None:
        mapping = config.case(machine_name, test_case)
        _check_mockable(machine, mapping, config, machine_name, test_case)
        mocks = MockedStates(config, mapping, machine_name, test_case)
    launch = Launch.create(services, machine, input, options, machine_name=machine_name, mocks=mocks, handlers=HANDLERS)
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

    def __init__(self, launch: Launch):
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
        succeed(self._own(token), output)
        self._raise_failure()

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        """SendTaskFailure: the task fails with this error and cause."""
        fail(self._own(token), error, cause)
        self._raise_failure()

    def send_task_heartbeat(self, token: str) -> None:
        """SendTaskHeartbeat: the task's HeartbeatSeconds count again from now."""
        self._own(token).heartbeat()

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

    def _own(self, token: str) -> PendingTask:
        """The open task of a token this execution opened, or AWS's refusal: InvalidToken,
        TaskDoesNotExist (not one of its tokens), TaskTimedOut (closed)."""
        task = find_task(token, [self._channel.tokens])
        if self.done:
            raise TaskTokenError("TaskTimedOut", CLOSED_MESSAGE)
        return task

    def _raise_failure(self) -> None:
        failure = self._channel.failure
        if failure is not None:
            self._channel.failure = None
            raise failure
