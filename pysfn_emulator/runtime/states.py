"""One handler per state type, chosen by `Type`.

A handler takes (runner, frame, state, raw input, visit) and returns (output, next state
name or None, variables to assign or None); the handlers of states that wait (Wait, Task,
Parallel, Map) are generators that yield their waits to the scheduler and return that
outcome. A handler raises StatesError for a failure that the state does not catch.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from ..core.errors import NO_CHOICE_MATCHED, RUNTIME, StatesError
from ..core.jsontext import message_text
from ..core.timestamps import parse_timestamp
from ..definition import model
from ..query.jsonata import QueryEvaluationError
from ..query.pipeline import DataIO, Env, path_value
from ..virtual_time.clock import to_ms
from ..virtual_time.scheduler import JOIN, Sleep
from . import map_state
from .interpreter import Frame, Runner, Visit, child_frame, record_abort, report, run_machine
from .retry import error_output, find_catcher, find_retrier, interval
from .tasks import run_attempt

Outcome = tuple[Any, "str | None", "dict | None"]


def run_pass(runner: Runner, frame: Frame, state: model.Pass, raw: Any, visit: Visit) -> Outcome:
    io, env = state.io, visit.env(runner, frame)
    if isinstance(io, DataIO):
        output, assigned = io.passthrough(raw, raw, env)
        return output, state.next, assigned
    effective = io.effective(raw, env)
    result = state.result if state.has_result else io.arguments(effective, raw, env)
    placed, assigned = io.finish(raw, result, env)
    return io.output(placed, env), state.next, assigned


def run_succeed(runner: Runner, frame: Frame, state: model.Succeed, raw: Any, visit: Visit) -> Outcome:
    io, env = state.io, visit.env(runner, frame)
    output, _ = io.passthrough(raw, io.effective(raw, env), env, assign=None)
    return output, None, None


def run_fail(runner: Runner, frame: Frame, state: model.Fail, raw: Any, visit: Visit) -> Outcome:
    env = visit.env(runner, frame)
    error = _fail_text(state, "Error", state.error(raw, env)) if state.error else None
    cause = _fail_text(state, "Cause", state.cause(raw, env)) if state.cause else None
    failed = StatesError(error, cause)
    failed.located = True  # its own Error and Cause, as written: no "An error occurred while executing ..."
    raise failed


def _fail_text(state: model.Fail, field: str, value: Any) -> str:
    """An ErrorPath or CausePath must select a string (the Developer Guide's Fail state); a
    JSONata Error or Cause is checked where it is evaluated."""
    if isinstance(value, str):
        return value
    path = state.error_path if field == "Error" else state.cause_path
    raise StatesError(RUNTIME, f'The {field}Path field refers to value "{message_text(value)}" which is not a valid string: {path}')


def run_choice(runner: Runner, frame: Frame, state: model.Choice, raw: Any, visit: Visit) -> Outcome:
    io, env = state.io, visit.env(runner, frame)
    effective = io.effective(raw, env)
    for index, rule in enumerate(state.choices):
        if rule.matches(effective, env):
            visit.via = ("Choice", index)
            output, assigned = io.passthrough(raw, effective, env, assign=rule.assign, output=rule.output)
            return output, rule.next, assigned
    if state.default is None:
        raise StatesError(NO_CHOICE_MATCHED, "No Matches!")
    visit.via = ("Default", None)
    output, assigned = io.passthrough(raw, effective, env)
    return output, state.default, assigned


def run_wait(runner: Runner, frame: Frame, state: model.Wait, raw: Any, visit: Visit) -> Generator:
    io, env = state.io, visit.env(runner, frame)
    effective = io.effective(raw, env)
    now = runner.clock.now_ms
    if state.seconds is not None:
        until = now + state.seconds * 1000
    elif state.timestamp is not None:
        until = _until(now, to_ms(state.timestamp))
    elif state.seconds_path is not None:
        until = now + 1000 * _seconds_from_path(state.seconds_path, effective, env.context, env.variables)
    elif state.timestamp_path is not None:
        until = _until(now, to_ms(_timestamp_from_path(state.timestamp_path, effective, env.context, env.variables)))
    elif state.seconds_expression is not None:
        until = now + 1000 * _seconds_from_expression(state.seconds_expression(raw, env))
    else:
        until = _until(now, to_ms(_timestamp_from_expression(state.timestamp_expression(raw, env))))
    yield Sleep(until)
    output, assigned = io.passthrough(raw, effective, env)
    return output, state.next, assigned


_MAX_WAIT_SECONDS = 99999999
_MAX_DELAY_MS = (2**31 - 1) * 1000  # AWS refuses a wait longer than a Java int of seconds


def _until(now_ms: int, target_ms: int) -> int:
    if target_ms - now_ms > _MAX_DELAY_MS:
        raise StatesError(RUNTIME, "Wait state delay is too long.")
    return target_ms


def _seconds_from_path(path, data, context, variables) -> int:
    value = path_value(path, data, context, variables)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise StatesError(RUNTIME, f"The SecondsPath parameter cannot be parsed as a long value: {path.text} == {message_text(value)}")
    if value < 0:
        raise StatesError(RUNTIME, f"The SecondsPath parameter references a negative value: {path.text} == {message_text(value)}")
    if value > _MAX_WAIT_SECONDS:
        raise StatesError(RUNTIME, "Wait state delay is too long.")
    return int(value)


def _timestamp_from_path(path, data, context, variables):
    value = path_value(path, data, context, variables)
    parsed = parse_timestamp(value) if isinstance(value, str) else None
    if parsed is None:
        raise StatesError(
            RUNTIME,
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            f"date-time format string: {path.text} == {message_text(value)}",
        )
    return parsed


def _seconds_from_expression(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
        raise QueryEvaluationError(f"The Seconds field must be a non-negative integer, but was: {message_text(value)}", "Seconds")
    if value > _MAX_WAIT_SECONDS:
        raise StatesError(RUNTIME, "Wait state delay is too long.")
    return int(value)


def _timestamp_from_expression(value: Any):
    parsed = parse_timestamp(value) if isinstance(value, str) else None
    if parsed is None:
        raise QueryEvaluationError(
            f"The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {message_text(value)}",
            "Timestamp",
        )
    return parsed




# -- Task, Parallel, Map: the states that retry and catch -------------------------------------


def with_retry_and_catch(
    runner: Runner,
    frame: Frame,
    state: model.Retrying,
    raw: Any,
    visit: Visit,
    work: Callable[[Any, Env], Generator],
    failed_event: str | None = None,
) -> Generator:
    """The effective input, then `work` (which produces the result) and the result's placing,
    retried and caught as the state says; then the output. `failed_event` (MapStateFailed,
    ParallelStateFailed) is recorded once no retrier takes an error."""
    io, env = state.io, visit.env(runner, frame)
    effective = io.effective(raw, env)
    retries = [0] * len(state.retriers)
    while True:
        try:
            result = yield from work(effective, env)
            placed, assigned = io.finish(raw, result, env)
            break
        except StatesError as error:
            report(runner, frame, error, visit)
            recoverable = error.error != RUNTIME  # AWS neither retries nor catches States.Runtime
            index = find_retrier(state.retriers, error.error) if recoverable else None
            if index is not None and retries[index] < state.retriers[index].max_attempts:
                runner.transitions.append((state.name, state.name, "Retry", index))
                seconds = interval(state.retriers[index], retries[index], runner.rng)
                yield Sleep(runner.clock.now_ms + round(seconds * 1000))
                retries[index] += 1
                visit.retry_count += 1
                env = visit.env(runner, frame)
                continue
            if failed_event and recoverable:
                runner.event(frame, failed_event)
            caught = find_catcher(state.catchers, error.error) if recoverable else None
            if caught is None:
                raise
            catcher = state.catchers[caught]
            visit.via = ("Catch", caught)
            output, assigned = io.caught(raw, error_output(error.error, error.cause), catcher, env)
            return output, catcher.next, assigned
    return io.output(placed, env), state.next, assigned


def run_task(runner: Runner, frame: Frame, state: model.Task, raw: Any, visit: Visit) -> Generator:
    def work(effective: Any, env: Env) -> Generator:
        return run_attempt(runner, frame, state, raw, effective, env, visit)

    return with_retry_and_catch(runner, frame, state, raw, visit, work)


def run_parallel(runner: Runner, frame: Frame, state: model.Parallel, raw: Any, visit: Visit) -> Generator:
    def work(effective: Any, env: Env) -> Generator:
        branch_input = state.io.arguments(effective, raw, env)
        started = runner.event(frame, "ParallelStateStarted")
        frames = [child_frame(frame) for _ in state.branches]
        threads = [
            runner.scheduler.start(run_machine(runner, inner, branch, branch_input))
            for inner, branch in zip(frames, state.branches, strict=True)
        ]
        pending = dict(zip(threads, frames, strict=True))
        last = started
        while pending:
            for thread in (yield JOIN):
                inner = pending.pop(thread)
                last = inner.last_event
                if thread.error is not None:
                    # As recorded: the failed branch's state is aborted too, then the others'.
                    record_abort(runner, inner, last)
                    for other, other_frame in pending.items():
                        record_abort(runner, other_frame, last)
                        runner.scheduler.cancel(other)
                    frame.last_event = last
                    raise thread.error
        frame.last_event = last
        runner.event(frame, "ParallelStateSucceeded")
        frame.last_event = last
        return [thread.result for thread in threads]

    return with_retry_and_catch(runner, frame, state, raw, visit, work, "ParallelStateFailed")


def run_map(runner: Runner, frame: Frame, state: model.Map, raw: Any, visit: Visit) -> Generator:
    def work(effective: Any, env: Env) -> Generator:
        return map_state.run_iterations(runner, frame, state, raw, effective, visit, env)

    return with_retry_and_catch(runner, frame, state, raw, visit, work, "MapStateFailed")


HANDLERS: dict[str, Callable[..., Outcome | Generator]] = {
    "Pass": run_pass,
    "Succeed": run_succeed,
    "Fail": run_fail,
    "Choice": run_choice,
    "Wait": run_wait,
    "Task": run_task,
    "Parallel": run_parallel,
    "Map": run_map,
}
