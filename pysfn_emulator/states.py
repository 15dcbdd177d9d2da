"""One handler per state type, chosen by `Type`.

A handler takes (runner, frame, state, raw input, visit) and returns (output, next state
name or None, variables to assign or None). It raises StatesError for a failure that the
state does not catch.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable
from typing import Any

from . import model
from .clock import EPOCH
from .errors import (
    EXCEED_TOLERATED_FAILURE_THRESHOLD,
    NO_CHOICE_MATCHED,
    RUNTIME,
    StatesError,
)
from .interpreter import Frame, Runner, Visit, child_frame, run_machine
from .jsonpath import PathNotFound
from .jsontext import dumps, size_in_bytes
from .pipeline import assign, effective_input, place_result, select, select_result
from .retry import error_output, find_catcher, find_retrier, interval
from .tasks import invoke
from .timestamps import parse_timestamp

Outcome = tuple[Any, "str | None", "dict | None"]


def run_pass(runner: Runner, frame: Frame, state: model.Pass, data: Any, visit: Visit) -> Outcome:
    context = visit.context(runner)
    variables = frame.variables
    io = state.io
    result = state.result if state.has_result else effective_input(io, data, context, variables)
    assigned = assign(io.assign, result, context, variables)
    output = select(io.output_path, place_result(io.result_path, data, result), context, variables)
    return output, state.next, assigned


def run_succeed(runner: Runner, frame: Frame, state: model.Succeed, data: Any, visit: Visit) -> Outcome:
    context = visit.context(runner)
    data = select(state.io.input_path, data, context, frame.variables)
    return select(state.io.output_path, data, context, frame.variables), None, None


def run_fail(runner: Runner, frame: Frame, state: model.Fail, data: Any, visit: Visit) -> Outcome:
    context = visit.context(runner)
    error = state.error(data, context, frame.variables) if state.error else None
    cause = state.cause(data, context, frame.variables) if state.cause else None
    raise StatesError(error, cause)


def run_choice(runner: Runner, frame: Frame, state: model.Choice, data: Any, visit: Visit) -> Outcome:
    context = visit.context(runner)
    variables = frame.variables
    data = select(state.io.input_path, data, context, variables)
    for rule, rule_assign in zip(state.choices, state.rule_assigns, strict=True):
        if rule.evaluate(data, context, variables):
            next_name, chosen_assign = rule.next, rule_assign
            break
    else:
        if state.default is None:
            raise StatesError(NO_CHOICE_MATCHED, "No Matches!")
        next_name, chosen_assign = state.default, state.io.assign
    assigned = assign(chosen_assign, data, context, variables)
    return select(state.io.output_path, data, context, variables), next_name, assigned


def run_wait(runner: Runner, frame: Frame, state: model.Wait, data: Any, visit: Visit) -> Outcome:
    context = visit.context(runner)
    variables = frame.variables
    effective = select(state.io.input_path, data, context, variables)
    if state.seconds is not None:
        runner.clock.advance(state.seconds)
    elif state.timestamp is not None:
        _wait_until(runner, _ms(state.timestamp))
    elif state.seconds_path is not None:
        runner.clock.advance(_seconds_from_path(state.seconds_path, effective, context, variables))
    elif state.timestamp_path is not None:
        _wait_until(runner, _ms(_timestamp_from_path(state.timestamp_path, effective, context, variables)))
    assigned = assign(state.io.assign, effective, context, variables)
    return select(state.io.output_path, effective, context, variables), state.next, assigned


_MAX_WAIT_SECONDS = 99999999
_MAX_DELAY_MS = (2**31 - 1) * 1000  # AWS refuses a wait longer than a Java int of seconds


def _wait_until(runner: Runner, target_ms: int) -> None:
    if target_ms - runner.clock.now_ms > _MAX_DELAY_MS:
        raise StatesError(RUNTIME, "Wait state delay is too long.")
    runner.clock.advance_to(target_ms)


def _seconds_from_path(path, data, context, variables) -> int:
    value = _path_value(path, data, context, variables)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise StatesError(RUNTIME, f"The SecondsPath parameter cannot be parsed as a long value: {path.text} == {_java(value)}")
    if value < 0:
        raise StatesError(RUNTIME, f"The SecondsPath parameter references a negative value: {path.text} == {_java(value)}")
    if value > _MAX_WAIT_SECONDS:
        raise StatesError(RUNTIME, "Wait state delay is too long.")
    return int(value)


def _timestamp_from_path(path, data, context, variables):
    value = _path_value(path, data, context, variables)
    parsed = parse_timestamp(value) if isinstance(value, str) else None
    if parsed is None:
        raise StatesError(
            RUNTIME,
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            f"date-time format string: {path.text} == {_java(value)}",
        )
    return parsed


def _path_value(path, data, context, variables):
    try:
        return path.evaluate(data, context, variables)
    except PathNotFound as missing:
        raise StatesError(RUNTIME, f"Invalid path '{path.text}' : {missing}") from None


def _java(value: Any) -> str:
    """How AWS prints a JSON value inside a message: strings bare, the rest as JSON."""
    return value if isinstance(value, str) else dumps(value)


def _ms(moment) -> int:
    return int((moment - EPOCH).total_seconds() * 1000)


# -- Task, Parallel, Map: the states that retry and catch -------------------------------------


def with_retry_and_catch(
    runner: Runner,
    frame: Frame,
    state: model.Retrying,
    data: Any,
    visit: Visit,
    work: Callable[[Any, dict], Any],
) -> Outcome:
    """InputPath, then `work` (which produces the result) retried and caught as the state says,
    then ResultSelector, ResultPath, Assign and OutputPath."""
    io = state.io
    variables = frame.variables
    context = visit.context(runner)
    effective = select(io.input_path, data, context, variables)
    retries = [0] * len(state.retriers)
    while True:
        try:
            result = work(effective, context)
            result = select_result(io, result, context, variables)
            assigned = assign(io.assign, result, context, variables)
            placed = place_result(io.result_path, data, result)
            break
        except StatesError as error:
            index = find_retrier(state.retriers, error.error)
            if index is not None and retries[index] < state.retriers[index].max_attempts:
                runner.clock.advance(interval(state.retriers[index], retries[index], runner.rng))
                retries[index] += 1
                visit.retry_count += 1
                context = visit.context(runner)
                continue
            catcher = find_catcher(state.catchers, error.error)
            if catcher is None:
                raise
            from .interpreter import locate

            locate(error, state.name, visit.entered_event)
            caught = error_output(error.error, error.cause)
            assigned = assign(catcher.assign, caught, context, variables)
            return place_result(catcher.result_path, data, caught), catcher.next, assigned
    return select(io.output_path, placed, context, variables), state.next, assigned


def run_task(runner: Runner, frame: Frame, state: model.Task, data: Any, visit: Visit) -> Outcome:
    def work(effective: Any, context: dict) -> Any:
        parameters = state.io.parameters
        payload = parameters(effective, context, frame.variables) if parameters else effective
        return invoke(runner, frame, state, effective, payload, context)

    return with_retry_and_catch(runner, frame, state, data, visit, work)


def run_parallel(runner: Runner, frame: Frame, state: model.Parallel, data: Any, visit: Visit) -> Outcome:
    def work(effective: Any, context: dict) -> Any:
        parameters = state.io.parameters
        branch_input = parameters(effective, context, frame.variables) if parameters else effective
        started = runner.event(frame, "ParallelStateStarted")
        start_ms, end_ms, results = runner.clock.now_ms, runner.clock.now_ms, []
        for branch in state.branches:
            runner.clock.now_ms = start_ms
            inner = child_frame(frame)
            inner.last_event = started
            try:
                results.append(run_machine(runner, inner, branch, branch_input))
            except StatesError:
                frame.last_event = inner.last_event
                runner.event(frame, "ParallelStateFailed")
                raise
            end_ms = max(end_ms, runner.clock.now_ms)
            last = inner.last_event
        runner.clock.now_ms = end_ms
        frame.last_event = last
        runner.event(frame, "ParallelStateSucceeded")
        frame.last_event = last
        return results

    return with_retry_and_catch(runner, frame, state, data, visit, work)


def run_map(runner: Runner, frame: Frame, state: model.Map, data: Any, visit: Visit) -> Outcome:
    def work(effective: Any, context: dict) -> Any:
        variables = frame.variables
        items = select(state.items_path, effective, context, variables)
        if not isinstance(items, list):
            raise StatesError(RUNTIME, f"Map state input must be an array but was: {dumps(items)}")
        concurrency = _count_setting(state.max_concurrency, state.max_concurrency_path, "MaxConcurrencyPath", effective, context, variables)
        tolerated_count = _count_setting(state.tolerated_failure_count, state.tolerated_failure_count_path, "ToleratedFailureCountPath", effective, context, variables)
        tolerated_share = _percent_setting(state, effective, context, variables)
        inputs = [_item_input(state, effective, item, index, runner, visit, variables) for index, item in enumerate(items)]
        if state.item_batcher is not None:
            inputs = _batches(state.item_batcher, inputs, effective, context, variables)
        started = runner.event(frame, "MapStateStarted", "mapStateStartedEventDetails", {"length": len(inputs)})
        if state.distributed:
            runner.event(frame, "MapRunStarted", "mapRunStartedEventDetails", {"mapRunArn": _map_run_arn(runner, state)})
        return _run_iterations(runner, frame, state, inputs, started, concurrency, tolerated_count, tolerated_share)

    return with_retry_and_catch(runner, frame, state, data, visit, work)


def _run_iterations(runner, frame, state, inputs, started, concurrency, tolerated_count, tolerated_share):
    """Run every iteration on the virtual clock: at most `concurrency` at a time, each from the
    moment a slot frees up; the state ends when the last one does."""
    start_ms = runner.clock.now_ms
    slots = [start_ms] * (concurrency or len(inputs) or 1)
    results, failures, end_ms, last = [], 0, start_ms, started
    name = state.name
    for index, item_input in enumerate(inputs):
        runner.clock.now_ms = heapq.heappop(slots)
        previous = last if concurrency == 1 else started
        runner.side_event(frame, "MapIterationStarted", previous, "mapIterationStartedEventDetails", {"index": index, "name": name})
        inner = child_frame(frame)
        inner.last_event = frame.last_event
        try:
            results.append(run_machine(runner, inner, state.processor, item_input))
        except StatesError as error:
            failures += 1
            frame.last_event = inner.last_event
            runner.event(frame, "MapIterationFailed", "mapIterationFailedEventDetails", {"index": index, "name": name})
            if _tolerated(failures, len(inputs), tolerated_count, tolerated_share):
                results.append(None)
            else:
                runner.event(frame, "MapStateFailed")
                if tolerated_count is not None or tolerated_share is not None:
                    raise StatesError(EXCEED_TOLERATED_FAILURE_THRESHOLD, "The specified tolerated failure threshold was exceeded") from None
                raise error from None
        else:
            frame.last_event = inner.last_event
            runner.event(frame, "MapIterationSucceeded", "mapIterationSucceededEventDetails", {"index": index, "name": name})
        last = inner.last_event
        end_ms = max(end_ms, runner.clock.now_ms)
        heapq.heappush(slots, runner.clock.now_ms)
    runner.clock.now_ms = end_ms
    before = frame.last_event
    if state.distributed:
        runner.event(frame, "MapRunSucceeded")
    runner.event(frame, "MapStateSucceeded")
    frame.last_event = before
    return results


def _tolerated(failures: int, total: int, count: int | None, share: float | None) -> bool:
    if count is not None and failures <= count:
        return True
    return share is not None and total > 0 and failures * 100 <= share * total


def _item_input(state: model.Map, effective, item, index, runner, visit, variables):
    if state.item_selector is None:
        return item
    visit.map_item = {"Index": index, "Value": item}
    try:
        return state.item_selector(effective, visit.context(runner), variables)
    finally:
        visit.map_item = None


def _batches(batcher: model.ItemBatcher, inputs, effective, context, variables):
    max_items = batcher.max_items
    if batcher.max_items_path is not None:
        max_items = _path_value(batcher.max_items_path, effective, context, variables)
    max_bytes = batcher.max_bytes
    if batcher.max_bytes_path is not None:
        max_bytes = _path_value(batcher.max_bytes_path, effective, context, variables)
    batch_input = batcher.batch_input(effective, context, variables) if batcher.batch_input else None
    batches, current, current_bytes = [], [], 0
    for item in inputs:
        item_bytes = size_in_bytes(item)
        full = (max_items and len(current) >= max_items) or (max_bytes and current and current_bytes + item_bytes > max_bytes)
        if full:
            batches.append(current)
            current, current_bytes = [], 0
        current.append(item)
        current_bytes += item_bytes
    if current:
        batches.append(current)
    return [{**({"BatchInput": batch_input} if batch_input is not None else {}), "Items": batch} for batch in batches]


def _count_setting(value, path, field, effective, context, variables) -> int | None:
    if path is None:
        return value
    found = _path_value(path, effective, context, variables)
    if isinstance(found, str) and re.fullmatch(r"[+-]?[0-9]+", found):
        found = int(found)  # AWS reads the value as text, so "1" is as good as 1
    if isinstance(found, bool) or not isinstance(found, (int, float)) or found != int(found):
        raise StatesError(RUNTIME, f'The {field} field refers to value "{_java(found)}" which is not a valid integer: {path.text}')
    if found < 0:
        raise StatesError(RUNTIME, f"{field.removesuffix('Path')} cannot be negative.")
    return int(found)


def _percent_setting(state: model.Map, effective, context, variables) -> float | None:
    if state.tolerated_failure_percentage_path is None:
        return state.tolerated_failure_percentage
    found = _path_value(state.tolerated_failure_percentage_path, effective, context, variables)
    if isinstance(found, str) and re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", found):
        found = float(found)  # read as text, like the count
    if isinstance(found, bool) or not isinstance(found, (int, float)):
        raise StatesError(RUNTIME, f'The ToleratedFailurePercentagePath field refers to value "{_java(found)}" which is not a valid number: {state.tolerated_failure_percentage_path.text}')
    if not 0 <= found <= 100:
        raise StatesError(RUNTIME, "ToleratedFailurePercentage must be between 0 and 100.")
    return float(found)


def _map_run_arn(runner: Runner, state: model.Map) -> str:
    machine_arn = runner.context["StateMachine"]["Id"].replace(":stateMachine:", ":mapRun:")
    return f"{machine_arn}/{state.label or state.name}:{runner.context['Execution']['Name']}"


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
