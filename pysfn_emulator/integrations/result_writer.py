"""A distributed Map's ResultWriter: its children's results go to S3, here to a registered handler.

    "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                     "Parameters": {"Bucket": "results", "Prefix": "runs"},
                     "WriterConfig": {"OutputType": "JSON", "Transformation": "NONE"}}

Each file is one `s3:putObject` request, `handler({"Bucket", "Key", "Body"}, context)` to the
handler registered under the writer's resource (`run(..., lambdas={"arn:aws:states:::s3:putObject":
handler})`), the Body being text: first the result files, `<Prefix>/<map run id>/SUCCEEDED_0.json`,
`FAILED_0.json` (failed, timed out or aborted children) and `PENDING_0.json` (items never started),
each written only when it has entries, then `manifest.json`, which lists them with their sizes.
The Map's result is then `{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key": <the manifest>}}`.

A result file holds, per `WriterConfig.Transformation`:
- NONE (the default with a Resource): one entry per child, as DescribeExecution gives it, with
  Input and Output as JSON text (Error and Cause for a failed child);
- COMPACT: the successful children's outputs; FLATTEN: the same, an output that is an array
  spliced in. Failed children keep their NONE entry under either.
`OutputType` JSON writes a JSON array, JSONL one JSON value a line.

Without a Resource (WriterConfig only) nothing is written: the transformed results are the Map's
output. A missing handler, or one that raises, fails the Map with States.ResultWriterFailed
(a TaskFailure raised by the handler keeps its own error).
"""

from __future__ import annotations

import uuid
from collections.abc import Generator
from typing import Any

import attrs

from ..core.errors import RESULT_WRITER_FAILED, StatesError
from ..core.jsontext import dumps, json_copy
from ..definition import model
from ..query.pipeline import DataIO, Env
from ..virtual_time.clock import Clock, iso
from ..virtual_time.scheduler import Sleep
from ..virtual_time.virtual_sleep import counting_sleep
from .failures import TaskFailure, exception_text

_STATUS_FILES = (("SUCCEEDED", ("SUCCEEDED",)), ("FAILED", ("FAILED", "TIMED_OUT", "ABORTED")), ("PENDING", ("PENDING",)))


@attrs.define
class ChildRun:
    """One child execution of the map run, as the writer reports it."""

    index: int
    input: Any
    status: str = "PENDING"  # RUNNING while it runs; then SUCCEEDED, FAILED, TIMED_OUT or ABORTED
    output: Any = None
    error: str | None = None
    cause: str | None = None
    start_ms: int | None = None
    stop_ms: int | None = None


def writer_parameters(state: model.Map, raw: Any, effective: Any, env: Env) -> dict:
    """The writer's evaluated Parameters (JSONPath) or Arguments (JSONata)."""
    writer = state.result_writer
    if isinstance(state.io, DataIO):
        value = writer.arguments({"input": raw, "context": env.context}, env.variables, env.runtime) if writer.arguments else {}
    else:
        value = writer.parameters(effective, env.context, env.variables, env.rng) if writer.parameters else {}
    return value if isinstance(value, dict) else {}


def write_results(runner, state: model.Map, map_run_arn: str, parameters: dict, children: list[ChildRun]) -> Generator:
    """The Map's result once its children ran: the written manifest's location, or (without a
    Resource) the transformed results themselves. A scheduler thread's step."""
    writer = state.result_writer
    config = writer.config
    transformation = config.get("Transformation", "NONE" if writer.resource else "COMPACT")
    describe = _describer(runner, state, map_run_arn)
    if not writer.resource:
        return _transform(children, transformation, describe)
    handler = runner.tasks.services.handlers.get(writer.resource)
    if handler is None:
        raise StatesError(
            RESULT_WRITER_FAILED,
            f"No handler is registered for the ResultWriter resource '{writer.resource}' of state '{state.name}'. "
            f'Register one with run(..., lambdas={{"{writer.resource}": handler}}); it is called with '
            '{"Bucket", "Key", "Body"} for each file the map run writes.',
        )
    groups = {name: _transform([child for child in children if child.status in statuses], transformation, describe)
              for name, statuses in _STATUS_FILES}
    bucket = parameters.get("Bucket")
    objects = result_objects(bucket, parameters.get("Prefix") or "", map_run_arn, groups, config.get("OutputType", "JSON"))
    slept = 0.0
    for key, body in objects:
        slept += _put(handler, bucket, key, body, state.name, writer.resource, runner.clock)
    if slept:
        yield Sleep(runner.clock.now_ms + int(round(slept * 1000)))
    return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": objects[-1][0]}}


def result_objects(bucket: Any, prefix: str, map_run_arn: str, groups: dict[str, list],
                   output_type: str = "JSON") -> list[tuple[str, str]]:
    """The objects a map run writes, [(key, body)] in the order it writes them: a file for each
    of SUCCEEDED, FAILED and PENDING that has entries (`groups`: the entries, transformed),
    then `manifest.json`, which lists them with their sizes. pysfn_compile's plain runs write
    theirs through this too (local_services.py), so both ways lay the files out alike."""
    run_id = map_run_arn.rsplit(":", 1)[-1]
    folder = f"{prefix.rstrip('/')}/{run_id}" if prefix else run_id
    objects: list[tuple[str, str]] = []
    files: dict[str, list] = {}
    for name, _ in _STATUS_FILES:
        files[name] = []
        if not groups.get(name):
            continue
        key = f"{folder}/{name}_0.json"
        body = _body(groups[name], output_type)
        objects.append((key, body))
        files[name].append({"Key": key, "Size": len(body.encode("utf-8", "replace"))})  # as Java counts a lone surrogate
    manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
    objects.append((f"{folder}/manifest.json", dumps(manifest)))
    return objects


def map_run_arn(state_machine_id: str, label: str, execution_name: str) -> str:
    """A map run's ARN: the machine's with `mapRun`, the Map's label (or name), the execution's name."""
    return f"{state_machine_id.replace(':stateMachine:', ':mapRun:')}/{label}:{execution_name}"


def _transform(children: list[ChildRun], transformation: str, describe) -> list:
    results: list = []
    for child in children:
        if transformation == "NONE" or child.status != "SUCCEEDED":
            results.append(describe(child))
        elif transformation == "FLATTEN" and isinstance(child.output, list):
            results.extend(child.output)
        else:
            results.append(child.output)
    return results


def _body(results: list, output_type: str) -> str:
    if output_type == "JSONL":
        return "".join(dumps(result) + "\n" for result in results)
    return dumps(results)


def _describer(runner, state: model.Map, map_run_arn: str):
    """Each child as DescribeExecution gives it (the NONE transformation's entry)."""
    machine_arn = runner.context["StateMachine"]["Id"]
    child_machine_arn = f"{machine_arn}/{state.label or state.name}"
    execution_prefix = child_machine_arn.replace(":stateMachine:", ":execution:")

    def describe(child: ChildRun) -> dict:
        name = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{map_run_arn}/{child.index}"))
        entry: dict[str, Any] = {"ExecutionArn": f"{execution_prefix}:{name}", "Input": dumps(child.input), "InputDetails": {"Included": True}, "Name": name}
        if child.status == "SUCCEEDED":
            entry.update(Output=dumps(child.output), OutputDetails={"Included": True})
        elif child.status != "PENDING":
            entry.update({key: value for key, value in (("Error", child.error), ("Cause", child.cause)) if value is not None})
        if child.status != "PENDING":
            entry.update(RedriveCount=0, RedriveStatus="NOT_REDRIVABLE")
        if child.status == "SUCCEEDED":
            entry["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
        if child.start_ms is not None:
            entry["StartDate"] = iso(child.start_ms)
        entry.update(StateMachineArn=child_machine_arn, Status=child.status)
        if child.stop_ms is not None:
            entry["StopDate"] = iso(child.stop_ms)
        return entry

    return describe


def _put(handler, bucket: Any, key: str, body: str, state_name: str, resource: str, clock: Clock) -> float:
    event = json_copy({"Bucket": bucket, "Key": key, "Body": body})
    context = {"state_name": state_name, "resource": resource}
    with counting_sleep(clock) as sleeper:
        try:
            handler(event, context)
        except TaskFailure as failure:
            raise StatesError(failure.error, failure.cause) from None
        except Exception as error:
            raise StatesError(RESULT_WRITER_FAILED, f"{type(error).__name__}: {exception_text(error)}") from None
        return sleeper.seconds
