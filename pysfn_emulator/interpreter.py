"""The run loop: enter a state, run its handler, record the events, follow `next`.

A `Runner` holds what one execution shares (clock, history, handlers, random source); a
`Frame` holds what one thread of states has (its variables and its last event id), so that
Parallel branches and Map iterations each get their own.
"""

from __future__ import annotations

import random
from collections import ChainMap
from typing import Any

import attrs

from . import model
from .clock import Clock
from .errors import (
    DATA_LIMIT_EXCEEDED,
    INTRINSIC_FAILURE,
    QUERY_EVALUATION_ERROR,
    RUNTIME,
    StatesError,
)
from .history import History
from .jsontext import PAYLOAD_LIMIT_BYTES, size_in_bytes
from .pipeline import Env

# Errors whose cause AWS prefixes with the state and the event it was entered at.
_LOCATED_ERRORS = frozenset({RUNTIME, QUERY_EVALUATION_ERROR, INTRINSIC_FAILURE})


@attrs.define
class Frame:
    """One thread of execution: the top level, a Parallel branch or a Map iteration."""

    variables: dict | ChainMap
    last_event: int = 0
    path: list[str] | None = None  # names of the states entered, top level only


@attrs.define
class Visit:
    """One entry into one state."""

    state: model.State
    entered_event: int
    entered_time: str
    retry_count: int = 0
    map_item: dict | None = None
    task_token: str | None = None

    def context(self, runner: Runner) -> dict:
        state = {"Name": self.state.name, "EnteredTime": self.entered_time}
        if isinstance(self.state, model.Retrying):
            state["RetryCount"] = self.retry_count
        context = {**runner.context, "State": state}
        if self.map_item is not None:
            context["Map"] = {"Item": self.map_item}
        if self.task_token is not None:
            context["Task"] = {"Token": self.task_token}
        return context

    def env(self, runner: Runner, frame: Frame) -> Env:
        return Env(self.context(runner), frame.variables, runner.runtime)


@attrs.define
class Runner:
    """What one execution shares."""

    clock: Clock
    history: History
    context: dict  # Execution and StateMachine parts of the context object
    lambdas: dict
    rng: random.Random
    runtime: Any  # what JSONata's $now, $random and $uuid read
    region: str = "us-east-1"
    account: str = "111111111111"

    def event(self, frame: Frame, kind: str, key: str | None = None, details: dict | None = None) -> int:
        """Record an event that follows the frame's last one, and make it the last."""
        frame.last_event = self.history.add(kind, frame.last_event, self.clock.now_ms, key, details)
        return frame.last_event

    def side_event(self, frame: Frame, kind: str, previous: int, key: str | None = None, details: dict | None = None) -> int:
        """Record an event that follows a given one (AWS links some events to an earlier id)."""
        event = self.history.add(kind, previous, self.clock.now_ms, key, details)
        frame.last_event = event
        return event


def run_machine(runner: Runner, frame: Frame, machine: model.Machine, data: Any) -> Any:
    """Run states from StartAt until one ends the machine; return its output."""
    from .states import HANDLERS  # the handlers call back into this module

    states = machine.states
    name: str | None = machine.start_at
    while True:
        state = states[name]
        if frame.path is not None:
            frame.path.append(state.name)
        entered = runner.event(
            frame, _ENTERED[state.type], "stateEnteredEventDetails", {"input": data, "name": state.name}
        )
        visit = Visit(state, entered, runner.clock.iso())
        try:
            output, name, assigned = HANDLERS[state.type](runner, frame, state, data, visit)
            if output is not data:  # an input passed through was measured when it was made
                check_size(output, state.name)
        except StatesError as error:
            raise locate(error, state.name, entered) from None
        details: dict = {"name": state.name, "output": output}
        if assigned:
            frame.variables.update(assigned)
            details["assignedVariables"] = assigned
        runner.event(frame, _EXITED[state.type], "stateExitedEventDetails", details)
        if name is None:
            return output
        data = output


def locate(error: StatesError, state_name: str, entered_event: int) -> StatesError:
    """Prefix a runtime error's cause with where it happened, once, as AWS does."""
    if error.error in _LOCATED_ERRORS and not getattr(error, "located", False):
        error.cause = (
            f"An error occurred while executing the state '{state_name}' "
            f"(entered at the event id #{entered_event}). {error.cause or ''}"
        ).rstrip()
    error.located = True  # type: ignore[attr-defined]
    return error


def check_size(value: Any, state_name: str) -> None:
    if size_in_bytes(value) > PAYLOAD_LIMIT_BYTES:
        raise StatesError(
            DATA_LIMIT_EXCEEDED,
            f"The state/task '{state_name}' returned a result with a size exceeding the maximum number of bytes service limit.",
        )


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
_EXITED = {kind: entered.replace("Entered", "Exited") for kind, entered in _ENTERED.items()}
