"""The run loop: enter a state, run its handler, record the events, follow `next`.

A `Runner` holds what one execution shares (clock, history, scheduler, task machinery,
random source); a `Frame` holds what one thread of states has (its variables and its last
event id), so that Parallel branches and Map iterations each get their own.
"""

from __future__ import annotations

import random
from collections import ChainMap
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..core.errors import (
    DATA_LIMIT_EXCEEDED,
    INTRINSIC_FAILURE,
    QUERY_EVALUATION_ERROR,
    RUNTIME,
    StatesError,
)
from ..core.jsontext import PAYLOAD_LIMIT_BYTES, size_in_bytes
from ..core.limits import PAY_EVERY, TRANSITION_MS, Guard
from ..definition import model
from ..query.pipeline import Env
from ..virtual_time.clock import Clock
from ..virtual_time.scheduler import Scheduler, Sleep
from .history import History

if TYPE_CHECKING:  # for annotations only: the task machinery builds on this module
    from .task_call import TaskEnv

# Errors whose cause AWS prefixes with the state and the event it was entered at.
_LOCATED_ERRORS = frozenset({RUNTIME, QUERY_EVALUATION_ERROR, INTRINSIC_FAILURE})


@attrs.define
class Frame:
    """One thread of execution: the top level, a Parallel branch or a Map iteration."""

    variables: dict | ChainMap
    last_event: int = 0
    path: list[str] | None = None  # names of the states entered, top level only
    visit: Visit | None = None  # the state running now


@attrs.define
class Visit:
    """One entry into one state."""

    state: model.State
    entered_event: int
    entered_time: str
    before_entered: int = 0  # the event the state's entry followed
    retry_count: int = 0
    via: tuple[str, int | None] = ("Next", None)  # how the state was left: Choice rule, Catch...
    task_token: str | None = None

    def context(self, runner: Runner) -> dict:
        if runner.context_override is not None:  # run(..., context=): the object as given
            context = dict(runner.context_override)
            if self.task_token is not None and "Task" not in context:
                context["Task"] = {"Token": self.task_token}
            return context
        state = {"Name": self.state.name, "EnteredTime": self.entered_time}
        if isinstance(self.state, model.Retrying):
            state["RetryCount"] = self.retry_count
        context = {**runner.context, "State": state}
        if self.task_token is not None:
            context["Task"] = {"Token": self.task_token}
        return context

    def env(self, runner: Runner, frame: Frame) -> Env:
        return Env(self.context(runner), frame.variables, runner.runtime)


# A state type's handler: (runner, frame, state, raw input, visit) → (output, next, assigned),
# or a generator of the scheduler's waits that returns it (states.py).
Handler = Callable[["Runner", Frame, Any, Any, Visit], Any]


@attrs.define
class Runner:
    """What one execution shares."""

    clock: Clock
    history: History
    context: dict  # Execution and StateMachine parts of the context object
    rng: random.Random
    runtime: Any  # what JSONata's $now, $random and $uuid read (query.jsonata.Runtime)
    handlers: Mapping[str, Handler]  # by state type (states.HANDLERS): they call run_machine
    tasks: TaskEnv  # the task machinery's state: handlers, mocks, callbacks
    region: str = "us-east-1"
    account: str = "111111111111"
    scheduler: Scheduler = attrs.field(default=attrs.Factory(lambda self: Scheduler(self.clock), takes_self=True))
    transitions: list = attrs.field(factory=list)  # see Execution.transitions
    guard: Guard = attrs.field(factory=lambda: Guard(None, None))  # pysfn's limits on the whole run (limits.py)
    context_override: dict | None = None  # run(..., context=): the Context object every state sees

    def event(self, frame: Frame, kind: str, key: str | None = None, details: dict | None = None) -> int:
        """Record an event that follows the frame's last one, and make it the last."""
        frame.last_event = self.history.add(kind, frame.last_event, self.clock.now_ms, key, details)
        return frame.last_event

    def side_event(self, frame: Frame, kind: str, previous: int, key: str | None = None, details: dict | None = None) -> int:
        """Record an event that follows a given one (AWS links some events to an earlier id)."""
        event = self.history.add(kind, previous, self.clock.now_ms, key, details)
        frame.last_event = event
        return event


def run_machine(runner: Runner, frame: Frame, machine: model.Machine, data: Any) -> Generator[Any, Any, Any]:
    """A thread of states: run from StartAt until a state ends the machine; return its output.

    Handlers of states that never wait return their outcome; the others are generators whose
    waits this thread passes on to the scheduler. Every PAY_EVERY transitions the thread pays
    their virtual time (limits.py)."""
    handlers = runner.handlers
    states = machine.states
    name: str | None = machine.start_at
    guard = runner.guard
    unpaid = 0
    while True:
        state = states[name]
        guard.count += 1  # a transition counted (Guard.check past next_check): the hottest loop
        if guard.count >= guard.next_check:
            guard.check()
        if frame.path is not None:
            frame.path.append(state.name)
        before = frame.last_event
        entered = runner.event(
            frame, _ENTERED[state.type], "stateEnteredEventDetails", {"input": data, "name": state.name}
        )
        visit = Visit(state, entered, runner.clock.iso(), before)
        frame.visit = visit
        try:
            outcome = handlers[state.type](runner, frame, state, data, visit)
            if type(outcome) is not tuple:
                outcome = yield from outcome
            output, name, assigned = outcome
            if output is not data:  # an input passed through was measured when it was made
                check_size(output, state.name)
            if assigned:
                check_assignment(assigned)
        except StatesError as error:
            raise report(runner, frame, error, visit) from None
        frame.visit = None
        details: dict = {"name": state.name, "output": output}
        if assigned:
            frame.variables.update(assigned)
            details["assignedVariables"] = assigned
        runner.event(frame, _EXITED[state.type], "stateExitedEventDetails", details)
        if name is None:
            return output
        runner.transitions.append((state.name, name, *visit.via))
        data = output
        unpaid += 1
        if unpaid == PAY_EVERY:
            unpaid = 0
            yield Sleep(runner.clock.now_ms + PAY_EVERY * TRANSITION_MS)


def report(runner: Runner, frame: Frame, error: StatesError, visit: Visit) -> StatesError:
    """Locate an error in the state it happened in; a JSONata evaluation failure also gets
    AWS's EvaluationFailed event."""
    locate(error, visit.state.name, visit.entered_event)
    if error.error == QUERY_EVALUATION_ERROR and not error.reported:
        error.reported = True
        details = {"error": error.error, "cause": error.cause}
        if error.location:
            details["location"] = error.location
        details["state"] = visit.state.name
        # As recorded: a Wait's failure follows its entry; other states' follow what the
        # entry followed.
        previous = visit.entered_event if visit.state.type == "Wait" else visit.before_entered
        runner.history.add("EvaluationFailed", previous, runner.clock.now_ms, "evaluationFailedEventDetails", details)
        frame.last_event = len(runner.history)
    return error


def record_abort(runner: Runner, frame: Frame, previous: int) -> None:
    """A stopped thread's waiting state is aborted (Task, Wait, Map or Parallel)."""
    visit = frame.visit
    if visit is not None and visit.state.type in _ABORTABLE:
        runner.history.add(f"{visit.state.type}StateAborted", previous, runner.clock.now_ms)


def locate(error: StatesError, state_name: str, entered_event: int) -> StatesError:
    """Prefix a runtime error's cause with where it happened, once, as AWS does."""
    if error.error in _LOCATED_ERRORS and not error.located:
        error.cause = (
            f"An error occurred while executing the state '{state_name}' "
            f"(entered at the event id #{entered_event}). {error.cause or ''}"
        ).rstrip()
    error.located = True
    return error


def check_size(value: Any, state_name: str) -> None:
    if size_in_bytes(value) > PAYLOAD_LIMIT_BYTES:
        raise StatesError(
            DATA_LIMIT_EXCEEDED,
            f"The state/task '{state_name}' returned a result with a size exceeding the maximum number of bytes service limit.",
        )


def check_assignment(assigned: dict) -> None:
    """AWS's variable quotas: 256 KiB for one variable and for all of one Assign together."""
    total = 0
    for name, value in assigned.items():
        size = len(str(value)) if type(value) in _SMALL else size_in_bytes(value)
        if size > PAYLOAD_LIMIT_BYTES:
            raise StatesError(DATA_LIMIT_EXCEEDED, f"The variable '{name}' exceeds the maximum size of 262144 bytes for one variable.")
        total += size
    if total > PAYLOAD_LIMIT_BYTES:
        raise StatesError(DATA_LIMIT_EXCEEDED, "The variables of one Assign together exceed the maximum size of 262144 bytes.")


_SMALL = frozenset({int, bool, type(None)})  # sized without encoding them


def child_frame(frame: Frame) -> Frame:
    """A branch or iteration reads the outer variables; what it assigns stays inside."""
    return Frame(ChainMap({}, frame.variables), frame.last_event)


_ENTERED = {
    "Pass": "PassStateEntered",
    "Task": "TaskStateEntered",
    "Choice": "ChoiceStateEntered",
    "Wait": "WaitStateEntered",
    "Succeed": "SucceedStateEntered",
    "Fail": "FailStateEntered",
    "Parallel": "ParallelStateEntered",
    "Map": "MapStateEntered",
}
_ABORTABLE = frozenset({"Task", "Wait", "Map", "Parallel"})
_EXITED = {kind: entered.replace("Entered", "Exited") for kind, entered in _ENTERED.items()}
