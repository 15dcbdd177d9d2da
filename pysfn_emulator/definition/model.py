"""The loaded state machine: frozen objects built once, so that running does no parsing.

Every path, template, intrinsic and Choice rule is already compiled here. `next` is the
name of the following state, or None where the state ends its machine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from ..query.jsonpath import Path
from ..query.pipeline import DISCARD, IO, DataIO, Env, PathIO, _Discard

Evaluator = Callable[[Any, Any, Any, Any], Any]  # a payload template: (data, context, variables, rng)
# A field computed at run time from the state's effective input, in either query language.
Value = Callable[[Any, Env], Any]

__all__ = ["DISCARD", "DataIO", "Env", "PathIO", "Value"]


@attrs.frozen
class Retrier:
    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter: bool = False


@attrs.frozen
class Catcher:
    error_equals: tuple[str, ...]
    next: str
    result_path: Path | _Discard | None = None
    assign: Evaluator | None = None
    output: Evaluator | None = None  # JSONata


@attrs.frozen
class State:
    name: str
    type: str
    io: IO
    next: str | None
    comment: str | None = None


@attrs.frozen
class Pass(State):
    result: Any = None
    has_result: bool = False


@attrs.frozen
class Succeed(State):
    pass


@attrs.frozen
class Fail(State):
    error: Value | None = None
    cause: Value | None = None
    error_path: str | None = None  # the ErrorPath and CausePath texts, quoted in causes
    cause_path: str | None = None


@attrs.frozen
class Wait(State):
    seconds: int | None = None
    seconds_path: Path | None = None
    timestamp: datetime | None = None
    timestamp_path: Path | None = None
    seconds_expression: Value | None = None  # JSONata
    timestamp_expression: Value | None = None  # JSONata


@attrs.frozen
class ChoiceRule:
    """A top-level Choice rule: its test, where it leads, and what it assigns and outputs."""

    matches: Value
    next: str
    assign: Any = None
    output: Any = None


@attrs.frozen
class Choice(State):
    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None


@attrs.frozen
class Retrying(State):
    """A state with Retry and Catch: Task, Parallel and Map."""

    retriers: tuple[Retrier, ...] = ()
    catchers: tuple[Catcher, ...] = ()


@attrs.frozen
class Task(Retrying):
    resource: str = ""
    timeout_seconds: int | None = None
    timeout_seconds_path: Path | None = None
    heartbeat_seconds: int | None = None
    heartbeat_seconds_path: Path | None = None
    timeout_expression: Value | None = None  # JSONata
    heartbeat_expression: Value | None = None  # JSONata
    credentials: Evaluator | None = None


@attrs.frozen
class Parallel(Retrying):
    branches: tuple[Machine, ...] = ()


@attrs.frozen
class ItemBatcher:
    max_items: int | None = None
    max_items_path: Path | None = None
    max_bytes: int | None = None
    max_bytes_path: Path | None = None
    batch_input: Evaluator | None = None
    max_items_expression: Value | None = None  # JSONata MaxItemsPerBatch
    max_bytes_expression: Value | None = None  # JSONata MaxInputBytesPerBatch
    batch_input_data: Any = None  # JSONata BatchInput: (states, variables, runtime)


@attrs.frozen
class ItemReader:
    """Where a distributed Map's items come from (item_reader.py reads them)."""

    resource: str
    parameters: Evaluator | None = None  # JSONPath Parameters
    arguments: Any = None  # JSONata Arguments: (states, variables, runtime)
    config: dict = attrs.field(factory=dict)  # ReaderConfig as written
    max_items_path: Path | None = None
    max_items_expression: Value | None = None  # JSONata MaxItems


@attrs.frozen
class ResultWriter:
    """Where a distributed Map writes its children's results (result_writer.py writes them)."""

    resource: str | None = None  # None: WriterConfig only, the results stay the Map's output
    parameters: Evaluator | None = None  # JSONPath Parameters
    arguments: Any = None  # JSONata Arguments: (states, variables, runtime)
    config: dict = attrs.field(factory=dict)  # WriterConfig as written


@attrs.frozen
class Map(Retrying):
    processor: Machine | None = None
    distributed: bool = False
    child_execution_type: str = "STANDARD"  # a distributed Map's ProcessorConfig.ExecutionType
    items_path: Path | None = None
    item_selector: Evaluator | None = None
    max_concurrency: int = 0
    max_concurrency_path: Path | None = None
    tolerated_failure_count: int | None = None
    tolerated_failure_count_path: Path | None = None
    tolerated_failure_percentage: float | None = None
    tolerated_failure_percentage_path: Path | None = None
    item_batcher: ItemBatcher | None = None
    item_reader: ItemReader | None = None
    result_writer: ResultWriter | None = None
    label: str | None = None
    items: Value | None = None  # JSONata Items
    items_text: str | None = None
    item_selector_data: Evaluator | None = None  # JSONata ItemSelector
    max_concurrency_expression: Value | None = None
    tolerated_failure_count_expression: Value | None = None
    tolerated_failure_percentage_expression: Value | None = None


@attrs.frozen
class Machine:
    """A StartAt and its States: the whole definition, a Parallel branch or a Map processor."""

    start_at: str
    states: dict[str, State] = attrs.field(eq=False)
    timeout_seconds: int | None = None
    comment: str | None = None
