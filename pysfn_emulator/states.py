"""One handler per state type, chosen by `Type`.

A handler takes (runner, frame, state, raw input, visit) and returns (output, next state
name or None, variables to assign or None). It raises StatesError for a failure that the
state does not catch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import map_state, model
from .clock import EPOCH
from .errors import NO_CHOICE_MATCHED, QUERY_EVALUATION_ERROR, RUNTIME, StatesError
from .interpreter import Frame, Runner, Visit, child_frame, locate, run_machine
from .jsontext import message_text
from .pipeline import DataIO, Env, path_value
from .retry import error_output, find_catcher, find_retrier, interval
from .tasks import invoke
from .timestamps import parse_timestamp

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
    error = state.error(raw, env) if state.error else None
    cause = state.cause(raw, env) if state.cause else None
    raise StatesError(error, cause)


def run_choice(runner: Runner, frame: Frame, state: model.Choice, raw: Any, visit: Visit) -> Outcome:
    io, env = state.io, visit.env(runner, frame)
    effective = io.effective(raw, env)
    for rule in state.choices:
        if rule.matches(effective, env):
            output, assigned = io.passthrough(raw, effective, env, assign=rule.assign, output=rule.output)
            return output, rule.next, assigned
    if state.default is None:
        raise StatesError(NO_CHOICE_MATCHED, "No Matches!")
    output, assigned = io.passthrough(raw, effective, env)
    return output, state.default, assigned


def run_wait(runner: Runner, frame: Frame, state: model.Wait, raw: Any, visit: Visit) -> Outcome:
    io, env = state.io, visit.env(runner, frame)
    effective = io.effective(raw, env)
    if state.seconds is not None:
        runner.clock.advance(state.seconds)
    elif state.timestamp is not None:
        _wait_until(runner, _ms(state.timestamp))
    elif state.seconds_path is not None:
        runner.clock.advance(_seconds_from_path(state.seconds_path, effective, env.context, env.variables))
    elif state.timestamp_path is not None:
        _wait_until(runner, _ms(_timestamp_from_path(state.timestamp_path, effective, env.context, env.variables)))
    elif state.seconds_expression is not None:
        runner.clock.advance(_seconds_from_expression(state.seconds_expression(raw, env)))
    elif state.timestamp_expression is not None:
        _wait_until(runner, _ms(_timestamp_from_expression(state.timestamp_expression(raw, env))))
    output, assigned = io.passthrough(raw, effective, env)
    return output, state.next, assigned


_MAX_WAIT_SECONDS = 99999999
_MAX_DELAY_MS = (2**31 - 1) * 1000  # AWS refuses a wait longer than a Java int of seconds


def _wait_until(runner: Runner, target_ms: int) -> None:
    if target_ms - runner.clock.now_ms > _MAX_DELAY_MS:
        raise StatesError(RUNTIME, "Wait state delay is too long.")
    runner.clock.advance_to(target_ms)


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
        raise StatesError(QUERY_EVALUATION_ERROR, f"The Seconds field must be a non-negative integer, but was: {message_text(value)}")
    if value > _MAX_WAIT_SECONDS:
        raise StatesError(RUNTIME, "Wait state delay is too long.")
    return int(value)


def _timestamp_from_expression(value: Any):
    parsed = parse_timestamp(value) if isinstance(value, str) else None
    if parsed is None:
        raise StatesError(
            QUERY_EVALUATION_ERROR,
            f"The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {message_text(value)}",
        )
    return parsed


def _ms(moment) -> int:
    return int((moment - EPOCH).total_seconds() * 1000)


# -- Task, Parallel, Map: the states that retry and catch -------------------------------------


def with_retry_and_catch(
    runner: Runner, frame: Frame, state: model.Retrying, raw: Any, visit: Visit, work: Callable[[Any, Env], Any]
) -> Outcome:
    """The effective input, then `work` (which produces the result) and the result's placing,
    retried and caught as the state says; then the output."""
    io, env = state.io, visit.env(runner, frame)
    effective = io.effective(raw, env)
    retries = [0] * len(state.retriers)
    while True:
        try:
            placed, assigned = io.finish(raw, work(effective, env), env)
            break
        except StatesError as error:
            recoverable = error.error != RUNTIME  # AWS neither retries nor catches States.Runtime
            failed_event = getattr(error, "failed_event", None)
            index = find_retrier(state.retriers, error.error) if recoverable else None
            if index is not None and retries[index] < state.retriers[index].max_attempts:
                runner.clock.advance(interval(state.retriers[index], retries[index], runner.rng))
                retries[index] += 1
                visit.retry_count += 1
                env = visit.env(runner, frame)
                continue
            if failed_event:  # AWS records the state's failure only once no retrier takes it
                runner.event(frame, failed_event)
                error.failed_event = None  # type: ignore[attr-defined]
            catcher = find_catcher(state.catchers, error.error) if recoverable else None
            if catcher is None:
                raise
            locate(error, state.name, visit.entered_event)
            output, assigned = io.caught(raw, error_output(error.error, error.cause), catcher, env)
            return output, catcher.next, assigned
    return io.output(placed, env), state.next, assigned


def run_task(runner: Runner, frame: Frame, state: model.Task, raw: Any, visit: Visit) -> Outcome:
    def work(effective: Any, env: Env) -> Any:
        payload = state.io.arguments(effective, raw, env)
        return invoke(runner, frame, state, payload, _task_timeout(state, raw, effective, env))

    return with_retry_and_catch(runner, frame, state, raw, visit, work)


def _task_timeout(state: model.Task, raw: Any, effective: Any, env: Env) -> int | None:
    if state.timeout_seconds_path is not None:
        return path_value(state.timeout_seconds_path, effective, env.context, env.variables)
    if state.timeout_expression is not None:
        return state.timeout_expression(raw, env)
    return state.timeout_seconds


def run_parallel(runner: Runner, frame: Frame, state: model.Parallel, raw: Any, visit: Visit) -> Outcome:
    def work(effective: Any, env: Env) -> Any:
        branch_input = state.io.arguments(effective, raw, env)
        started = runner.event(frame, "ParallelStateStarted")
        start_ms = end_ms = runner.clock.now_ms
        results, last = [], started
        for branch in state.branches:
            runner.clock.now_ms = start_ms
            inner = child_frame(frame)
            inner.last_event = started
            try:
                results.append(run_machine(runner, inner, branch, branch_input))
            except StatesError as error:
                frame.last_event = inner.last_event
                error.failed_event = "ParallelStateFailed"  # type: ignore[attr-defined]
                raise
            end_ms = max(end_ms, runner.clock.now_ms)
            last = inner.last_event
        runner.clock.now_ms = end_ms
        frame.last_event = last
        runner.event(frame, "ParallelStateSucceeded")
        frame.last_event = last
        return results

    return with_retry_and_catch(runner, frame, state, raw, visit, work)


def run_map(runner: Runner, frame: Frame, state: model.Map, raw: Any, visit: Visit) -> Outcome:
    def work(effective: Any, env: Env) -> Any:
        return map_state.run_iterations(runner, frame, state, raw, effective, visit, env)

    return with_retry_and_catch(runner, frame, state, raw, visit, work)


HANDLERS: dict[str, Callable[..., Outcome]] = {
    "Pass": run_pass,
    "Succeed": run_succeed,
    "Fail": run_fail,
    "Choice": run_choice,
    "Wait": run_wait,
    "Task": run_task,
    "Parallel": run_parallel,
    "Map": run_map,
}
