"""A distributed Map's ItemReader: its items come from S3, here from a registered handler.

    "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                   "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 100},
                   "Parameters": {"Bucket": "b", "Key": "orders.csv"}}

The handler registered under the reader's resource (`run(..., lambdas={"arn:aws:states:::s3:getObject":
handler})`) is called as `handler(parameters, context)` with the evaluated Parameters (JSONPath)
or Arguments (JSONata) and returns:
- for `s3:getObject`: the object's content, as text or bytes, read by `ReaderConfig.InputType`:
  JSON (an array), JSONL (a JSON value a line), CSV (rows; `CSVHeaderLocation` FIRST_ROW or GIVEN
  with `CSVHeaders`, `CSVDelimiter` COMMA, PIPE, SEMICOLON, SPACE or TAB; values stay text);
  a JSON value instead of text is taken as already parsed;
- for `s3:listObjectsV2`: the objects, a list or ListObjectsV2's `{"Contents": [...]}`; each
  object is an item.
`MaxItems` (or `MaxItemsPath`, or a JSONata MaxItems) keeps the first items; 0 keeps them all. A
handler's failure, or content that cannot be read as its InputType, fails the Map with
States.ItemReaderFailed.

Each item's `$$.Map.Item.Source` names where it was read: `s3://bucket/key` for an object,
`s3://bucket` for a listObjectsV2 listing (a Map without a reader has `STATE_DATA`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Generator
from typing import Any

from ..core.errors import ITEM_READER_FAILED, RUNTIME, StatesError
from ..core.jsontext import NotJson, accept, json_copy, loads, message_text
from ..definition import model
from ..query.pipeline import DataIO, Env, path_value
from ..virtual_time.clock import Clock
from ..virtual_time.scheduler import Sleep
from ..virtual_time.virtual_sleep import counting_sleep
from .failures import TaskFailure, exception_text

LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


STATE_DATA = "STATE_DATA"  # $$.Map.Item.Source of items from the state's input


def read_items(runner, state: model.Map, raw: Any, effective: Any, env: Env) -> Generator:
    """The Map's items, as its ItemReader reads them (a scheduler thread's step), and their
    source (`$$.Map.Item.Source`)."""
    reader = state.item_reader
    if isinstance(state.io, DataIO):
        parameters = reader.arguments({"input": raw, "context": env.context}, env.variables, env.runtime) if reader.arguments else {}
    else:
        parameters = reader.parameters(effective, env.context, env.variables, env.rng) if reader.parameters else {}
    limit = _max_items(reader, raw, effective, env)
    handler = runner.tasks.services.handlers.get(reader.resource)
    if handler is None:
        raise StatesError(
            "pysfn.ResourceNotRegistered",
            f"No handler is registered for the ItemReader resource '{reader.resource}' of state '{state.name}'. "
            f"Register one with run(..., lambdas={{'{reader.resource}': handler}}) returning the object's content"
            + (" (the objects, for listObjectsV2)." if reader.resource == LIST_OBJECTS else "."),
        )
    content, slept = _call(handler, parameters, state.name, reader.resource, runner.clock)
    if slept:
        yield Sleep(runner.clock.now_ms + int(round(slept * 1000)))
    items = _objects(content) if reader.resource == LIST_OBJECTS else _parse(content, reader.config)
    return (items[:limit] if limit else items), _source(reader.resource, parameters)


def _source(resource: str, parameters: Any) -> str:
    """The S3 URI AWS gives as `$$.Map.Item.Source`: the bucket's for a listing (its items are
    objects of the bucket), the object's for anything read from one object."""
    fields = parameters if isinstance(parameters, dict) else {}
    bucket = fields.get("Bucket", "")
    if resource == LIST_OBJECTS:
        return f"s3://{message_text(bucket)}"
    return f"s3://{message_text(bucket)}/{message_text(fields.get('Key', ''))}"


def _call(handler, parameters: Any, state_name: str, resource: str, clock: Clock) -> tuple[Any, float]:
    event = json_copy(parameters)
    context = {"state_name": state_name, "resource": resource}
    with counting_sleep(clock) as sleeper:
        try:
            return handler(event, context), sleeper.seconds
        except TaskFailure as failure:
            raise StatesError(failure.error, failure.cause) from None
        except Exception as error:
            raise StatesError(ITEM_READER_FAILED, f"{type(error).__name__}: {exception_text(error)}") from None


def _max_items(reader: model.ItemReader, raw: Any, effective: Any, env: Env) -> int | None:
    if reader.max_items_path is not None:
        value = path_value(reader.max_items_path, effective, env.context, env.variables)
        where = f"MaxItemsPath {reader.max_items_path.text}"
    elif reader.max_items_expression is not None:
        value = reader.max_items_expression(raw, env)
        where = "MaxItems"
    else:
        return reader.config.get("MaxItems")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
        raise StatesError(RUNTIME, f"The {where} of the ItemReader must be a non-negative integer, but was: {message_text(value)}")
    return int(value)


def _objects(content: Any) -> list:
    if isinstance(content, dict):
        content = content.get("Contents", [])
    if not isinstance(content, list):
        raise StatesError(ITEM_READER_FAILED, f"listObjectsV2 gave {type(content).__name__}, not a list of objects")
    try:
        return accept(content)  # the objects cross a JSON boundary, as the getObject content does
    except NotJson as error:
        raise StatesError(ITEM_READER_FAILED, f"The listed objects are not JSON: {error}") from None


def _parse(content: Any, config: dict) -> list:
    input_type = config.get("InputType", "JSON")
    if not isinstance(content, (str, bytes, bytearray)):
        if input_type == "JSON" and isinstance(content, list):
            try:
                return accept(content)
            except NotJson as error:
                raise StatesError(ITEM_READER_FAILED, f"The object is not valid JSON: {error}") from None
        raise StatesError(ITEM_READER_FAILED, f"the object's content must be text or bytes for InputType {input_type}")
    text = _text(content) if isinstance(content, (bytes, bytearray)) else content
    if input_type == "JSON":
        try:
            items = loads(text)
        except ValueError as error:
            raise StatesError(ITEM_READER_FAILED, f"The object is not valid JSON: {error}") from None
        if not isinstance(items, list):
            raise StatesError(ITEM_READER_FAILED, "Attempting to map over non-iterable node: the JSON object must be an array")
        return items
    if input_type == "JSONL":
        items = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    items.append(loads(line))
                except ValueError as error:
                    raise StatesError(ITEM_READER_FAILED, f"Line {number} of the JSONL object is not valid JSON: {error}") from None
        return items
    if input_type == "CSV":
        return _csv(text, config)
    raise StatesError(ITEM_READER_FAILED, f"InputType {input_type} is not emulated (JSON, JSONL and CSV are)")


def _text(content: bytes | bytearray) -> str:
    """The object's bytes as text: S3 objects are read as UTF-8, and other bytes fail the read."""
    try:
        return bytes(content).decode("utf-8")
    except UnicodeDecodeError as error:
        raise StatesError(
            ITEM_READER_FAILED,
            f"The object is not UTF-8 text: byte 0x{content[error.start]:02x} at offset {error.start} ({error.reason})",
        ) from None


def _csv(text: str, config: dict) -> list[dict]:
    delimiter = _DELIMITERS.get(config.get("CSVDelimiter", "COMMA"), ",")
    try:
        rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
    except csv.Error as error:  # Python's reader stops at a field over 131,072 characters
        raise StatesError(ITEM_READER_FAILED, f"The CSV object cannot be read: {error}") from None
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = config.get("CSVHeaders")
        if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
            raise StatesError(ITEM_READER_FAILED, "CSVHeaderLocation GIVEN needs CSVHeaders, a list of names")
    else:
        if not rows:
            return []
        headers, rows = rows[0], rows[1:]
    items = []
    for number, row in enumerate(rows, 1):
        if len(row) > len(headers):
            raise StatesError(ITEM_READER_FAILED, f"CSV row {number} has {len(row)} fields, more than the {len(headers)} headers")
        items.append({header: (row[i] if i < len(row) else "") for i, header in enumerate(headers)})
    return items
