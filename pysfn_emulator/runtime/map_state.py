"""The Map state's work: find the items, shape each one, batch them, and run the iterations
on the virtual clock with the concurrency and failure tolerance the state asks for."""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any

from ..core.errors import EXCEED_TOLERATED_FAILURE_THRESHOLD, RUNTIME, TIMEOUT, StatesError
from ..core.jsontext import dumps, message_text, size_in_bytes
from ..definition import model
from ..integrations.item_reader import STATE_DATA, read_items
from ..integrations.result_writer import ChildRun, map_run_arn, write_results, writer_parameters
from ..query.jsonata import QueryEvaluationError
from ..query.pipeline import Env, PathIO, path_value, select
from ..virtual_time.scheduler import JOIN
from .interpreter import Frame, Runner, Visit, child_frame, record_abort, run_machine
from .nested import start_map_child

_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_NUMBER_TEXT = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def run_iterations(runner: Runner, frame: Frame, state: model.Map, raw: Any, effective: Any, visit: Visit, env: Env) -> Generator:
    """The Map's result: one output per item (or batch), in item order."""
    if state.item_reader is not None:
        items, source = yield from read_items(runner, state, raw, effective, env)
    else:
        items, source = _items(state, raw, effective, env), STATE_DATA
    inputs = [_item_input(state, raw, effective, item, index, source, env) for index, item in enumerate(items)]
    if state.item_batcher is not None:
        inputs = _batches(state.item_batcher, inputs, raw, effective, env)
    concurrency = _setting_count(state, "max_concurrency", "MaxConcurrency", raw, effective, env) or 0
    started = runner.event(frame, "MapStateStarted", "mapStateStartedEventDetails", {"length": len(inputs)})
    # AWS reads the tolerances after it has started the state (a bad one follows MapStateStarted).
    tolerated_count = _setting_count(state, "tolerated_failure_count", "ToleratedFailureCount", raw, effective, env)
    tolerated_share = _setting_percentage(state, raw, effective, env)
    if state.distributed:
        writing = writer_parameters(state, raw, effective, env) if state.result_writer is not None else None
        return (yield from _run_distributed(runner, frame, state, inputs, concurrency, tolerated_count, tolerated_share, writing))
    return (yield from _run(runner, frame, state, inputs, started, concurrency, tolerated_count, tolerated_share))


def _items(state: model.Map, raw: Any, effective: Any, env: Env) -> list:
    if isinstance(state.io, PathIO):
        items = select(state.items_path, effective, env.context, env.variables)
        if not isinstance(items, list):
            raise StatesError(RUNTIME, f"Map state input must be an array but was: {dumps(items)}")
        return items
    if state.items is None:
        if not isinstance(raw, list):
            raise QueryEvaluationError(f"Map state input must be an array but was: {dumps(raw)}")
        return raw
    items = state.items(raw, env)
    if not isinstance(items, list):
        raise QueryEvaluationError(
            f"The JSONata expression '{state.items_text}' specified for the field 'Items' returned an "
            f"unexpected result type. Expected 'array', but was '{_json_type(items)}' for value: {dumps(items)}",
            "Items",
        )
    return items


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _item_input(state: model.Map, raw: Any, effective: Any, item: Any, index: int, source: str, env: Env) -> Any:
    if state.item_selector is None and state.item_selector_data is None:
        return item
    context = {**env.context, "Map": {"Item": {"Index": index, "Value": item, "Source": source}}}
    if state.item_selector is not None:
        return state.item_selector(effective, context, env.variables, env.rng)
    return state.item_selector_data({"input": raw, "context": context}, env.variables, env.runtime)


def _setting_count(state: model.Map, key: str, field: str, raw: Any, effective: Any, env: Env) -> int | None:
    """MaxConcurrency or ToleratedFailureCount: literal, `…Path`, or a JSONata expression."""
    path = getattr(state, f"{key}_path", None)
    expression = getattr(state, f"{key}_expression")
    if path is not None:
        found, where = path_value(path, effective, env.context, env.variables), f"{field}Path"
    elif expression is not None:
        found, where = expression(raw, env), field
    else:
        return getattr(state, key)
    if isinstance(found, str) and _INTEGER_TEXT.fullmatch(found):
        found = int(found)  # AWS reads the value as text, so "1" is as good as 1
    if isinstance(found, bool) or not isinstance(found, (int, float)) or found != int(found):
        if path is None:
            raise QueryEvaluationError(f"The {field} field must be a non-negative integer, but was: {message_text(found)}", field)
        raise StatesError(RUNTIME, f'The {where} field refers to value "{message_text(found)}" which is not a valid integer: {path.text}')
    if found < 0:
        if path is None:
            raise QueryEvaluationError(f"{field} cannot be negative.", field)
        raise StatesError(RUNTIME, f"{field} cannot be negative.")
    return int(found)


def _setting_percentage(state: model.Map, raw: Any, effective: Any, env: Env) -> float | None:
    path, expression = state.tolerated_failure_percentage_path, state.tolerated_failure_percentage_expression
    if path is not None:
        found = path_value(path, effective, env.context, env.variables)
    elif expression is not None:
        found = expression(raw, env)
    else:
        return state.tolerated_failure_percentage
    if isinstance(found, str) and _NUMBER_TEXT.fullmatch(found):
        found = float(found)
    if isinstance(found, bool) or not isinstance(found, (int, float)):
        raise StatesError(RUNTIME, f'The ToleratedFailurePercentagePath field refers to value "{message_text(found)}" which is not a valid number')
    if not 0 <= found <= 100:
        raise StatesError(RUNTIME, "ToleratedFailurePercentage must be between 0 and 100.")
    return float(found)


def _batch_limit(path: Any, field: str, effective: Any, env: Env) -> int:
    found = path_value(path, effective, env.context, env.variables)
    if isinstance(found, str) and _INTEGER_TEXT.fullmatch(found):
        found = int(found)
    if isinstance(found, bool) or not isinstance(found, (int, float)) or found != int(found) or found < 1:
        raise StatesError(RUNTIME, f'The {field} field refers to value "{message_text(found)}" which is not a valid positive integer: {path.text}')
    return int(found)


def _batch_expression(expression: Any, field: str, raw: Any, env: Env) -> int:
    """A JSONata MaxItemsPerBatch or MaxInputBytesPerBatch: a positive integer (or its text)."""
    found = expression(raw, env)
    if isinstance(found, str) and _INTEGER_TEXT.fullmatch(found):
        found = int(found)
    if isinstance(found, bool) or not isinstance(found, (int, float)) or found != int(found) or found < 1:
        raise QueryEvaluationError(f"The {field} field must be a positive integer, but was: {message_text(found)}", field)
    return int(found)


def _batches(batcher: model.ItemBatcher, inputs: list, raw: Any, effective: Any, env: Env) -> list:
    context, variables = env.context, env.variables
    max_items = batcher.max_items
    if batcher.max_items_path is not None:
        max_items = _batch_limit(batcher.max_items_path, "MaxItemsPerBatchPath", effective, env)
    elif batcher.max_items_expression is not None:
        max_items = _batch_expression(batcher.max_items_expression, "MaxItemsPerBatch", raw, env)
    max_bytes = batcher.max_bytes
    if batcher.max_bytes_path is not None:
        max_bytes = _batch_limit(batcher.max_bytes_path, "MaxInputBytesPerBatchPath", effective, env)
    elif batcher.max_bytes_expression is not None:
        max_bytes = _batch_expression(batcher.max_bytes_expression, "MaxInputBytesPerBatch", raw, env)
    if batcher.batch_input_data is not None:
        batch_input = batcher.batch_input_data({"input": raw, "context": context}, variables, env.runtime)
    else:
        batch_input = batcher.batch_input(effective, context, variables, env.rng) if batcher.batch_input else None
    batches: list[list] = []
    current: list = []
    current_bytes = 0
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
    head = {"BatchInput": batch_input} if batch_input is not None else {}
    return [{**head, "Items": batch} for batch in batches]


def _run(runner, frame, state, inputs, started, concurrency, tolerated_count, tolerated_share) -> Generator:
    """At most `concurrency` iterations at a time (all when 0), each a thread of its own; a new
    one starts when one ends. An iteration's failure beyond the tolerance stops the others."""
    name, total = state.name, len(inputs)
    results: list = [None] * total
    running: dict = {}  # thread -> (index, frame)
    failures, next_index, last = 0, 0, started
    while next_index < total or running:
        while next_index < total and (not concurrency or len(running) < concurrency):
            previous = last if concurrency == 1 else started
            runner.side_event(frame, "MapIterationStarted", previous, "mapIterationStartedEventDetails", {"index": next_index, "name": name})
            inner = child_frame(frame)
            thread = runner.scheduler.start(run_machine(runner, inner, state.processor, inputs[next_index]))
            running[thread] = (next_index, inner)
            next_index += 1
        for thread in (yield JOIN):
            index, inner = running.pop(thread)
            last = frame.last_event = inner.last_event
            if thread.error is None:
                results[index] = thread.result
                runner.event(frame, "MapIterationSucceeded", "mapIterationSucceededEventDetails", {"index": index, "name": name})
                continue
            failures += 1
            runner.event(frame, "MapIterationFailed", "mapIterationFailedEventDetails", {"index": index, "name": name})
            frame.last_event = last  # AWS links what follows to the iteration's last event
            if not _tolerated(failures, total, tolerated_count, tolerated_share):
                # As recorded: the failed iteration's state is aborted too, then each other
                # running iteration and its state.
                record_abort(runner, inner, last)
                for other, (other_index, other_frame) in running.items():
                    runner.history.add("MapIterationAborted", last, runner.clock.now_ms, "mapIterationAbortedEventDetails", {"index": other_index, "name": name})
                    record_abort(runner, other_frame, last)
                    runner.scheduler.cancel(other)
                raise _failure(thread.error, tolerated_count, tolerated_share)
    before = frame.last_event
    runner.event(frame, "MapStateSucceeded")
    frame.last_event = before
    return results


def _run_distributed(runner, frame, state, inputs, concurrency, tolerated_count, tolerated_share, writing=None) -> Generator:
    """Each item runs as a child execution: its events are the child's, not the parent's,
    which records only the map run. Children do not see the parent's variables. With a
    ResultWriter, the children's results are written (result_writer.py) once they ran."""
    map_run_arn = _map_run_arn(runner, state)
    runner.event(frame, "MapRunStarted", "mapRunStartedEventDetails", {"mapRunArn": map_run_arn})
    total = len(inputs)
    results: list = [None] * total
    runs = [ChildRun(index, item) for index, item in enumerate(inputs)]
    running: dict = {}
    failures, next_index = 0, 0
    while next_index < total or running:
        while next_index < total and (not concurrency or len(running) < concurrency):
            runs[next_index].status, runs[next_index].start_ms = "RUNNING", runner.clock.now_ms
            running[start_map_child(runner, state.processor, inputs[next_index], state.child_execution_type)] = next_index
            next_index += 1
        for thread in (yield JOIN):
            index = running.pop(thread)
            run = runs[index]
            run.stop_ms = runner.clock.now_ms
            if thread.error is None:
                results[index] = run.output = thread.result
                run.status = "SUCCEEDED"
                continue
            failures += 1
            run.error = getattr(thread.error, "error", type(thread.error).__name__)
            run.cause = getattr(thread.error, "cause", str(thread.error))
            run.status = "TIMED_OUT" if run.error == TIMEOUT else "FAILED"
            if not _tolerated(failures, total, tolerated_count, tolerated_share):
                for other, other_index in running.items():
                    runner.scheduler.cancel(other)
                    runs[other_index].status, runs[other_index].stop_ms = "ABORTED", runner.clock.now_ms
                if writing is not None and state.result_writer.resource:
                    yield from write_results(runner, state, map_run_arn, writing, runs)  # AWS writes a failed run's results too
                runner.event(frame, "MapRunFailed")
                raise _failure(thread.error, tolerated_count, tolerated_share)
    if writing is not None:
        results = yield from write_results(runner, state, map_run_arn, writing, runs)
    succeeded = runner.event(frame, "MapRunSucceeded")
    runner.event(frame, "MapStateSucceeded")
    frame.last_event = succeeded  # as most recordings link MapStateExited
    return results


def _failure(error: BaseException, tolerated_count, tolerated_share) -> BaseException:
    """The Map's own error: the iteration's, or the threshold's when one was set."""
    if tolerated_count is not None or tolerated_share is not None:
        return StatesError(EXCEED_TOLERATED_FAILURE_THRESHOLD, "The specified tolerated failure threshold was exceeded")
    return error


def _tolerated(failures: int, total: int, count: int | None, share: float | None) -> bool:
    """Within the tolerance. Unset, none is tolerated (AWS's default threshold is 0); with both
    set, exceeding either fails the Map run (Developer Guide, "Tolerated failure threshold for
    Distributed Map state": "If you specify both values, the workflow fails when it exceeds
    either value")."""
    if count is None and share is None:
        return False
    within_count = count is None or failures <= count
    within_share = share is None or (total > 0 and failures * 100 <= share * total)
    return within_count and within_share


def _map_run_arn(runner: Runner, state: model.Map) -> str:
    return map_run_arn(runner.context["StateMachine"]["Id"], state.label or state.name, runner.context["Execution"]["Name"])
