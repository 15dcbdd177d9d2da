"""Step Functions' wire protocol (AWS JSON 1.0): one request in, one response out, whatever
carries it (the HTTP server or botocore's in-process hook).

    POST /   X-Amz-Target: AWSStepFunctions.StartExecution
    Content-Type: application/x-amz-json-1.0
    {"stateMachineArn": "...", "input": "{}"}

Requests are checked against botocore's service model of Step Functions (the shapes AWS
publishes), so the parameters, their types and constraints are AWS's own and not a copy
kept here; refusals come back as AWS shapes them: a 400 whose body is `{"__type", "message"}`.
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs
import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from .errors import ApiError, validation_error

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"
_REDACTED = "*** Sensitive Data Redacted ***"


@functools.cache
def service_model() -> ServiceModel:
    """Step Functions' API as botocore ships it."""
    return botocore.session.get_session().get_service_model("stepfunctions")


@attrs.frozen
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def handle(operations: Callable[[str, dict, dict], dict], target: str | None, body: bytes,
           context: dict | None = None) -> Response:
    """Answer one request: `operations(name, params, context)` does the work (it raises
    ApiError to refuse); everything else here is the protocol."""
    request_id = str(uuid.uuid4())
    try:
        operation = _operation(target)
        params = _parse_body(body)
        _validate(operation.input_shape, params)
        result = operations(operation.name, params, context or {})
        payload = _to_wire(result, operation.output_shape)
        status = 200
    except ApiError as error:
        payload, status = error.body(), error.status
    except Exception as error:  # a bug: the caller gets a 500, the service keeps serving
        traceback.print_exc(file=sys.stderr)
        failure = ApiError("InternalFailure", f"{type(error).__name__}: {error}", status=500)
        payload, status = failure.body(), failure.status
    headers = {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}
    if status != 200:
        headers["x-amzn-ErrorType"] = payload["__type"].rsplit("#", 1)[-1]
    # ASCII escapes: a JSON string may hold a lone surrogate, which UTF-8 cannot encode
    data = json.dumps(payload, separators=(",", ":")).encode("ascii")
    headers["Content-Length"] = str(len(data))
    return Response(status, headers, data)


def _operation(target: str | None) -> OperationModel:
    model = service_model()
    name = target[len(TARGET_PREFIX):] if target and target.startswith(TARGET_PREFIX) else None
    if name is None or name not in model.operation_names:
        raise ApiError("UnknownOperationException", f"Operation {target or '(no X-Amz-Target header)'} is unknown"
                       if target else "Missing X-Amz-Target header naming the operation")
    return model.operation_model(name)


def _parse_body(body: bytes) -> dict:
    if not body.strip():
        return {}
    try:
        params = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ApiError("SerializationException", f"The request body is not JSON: {error}") from None
    if not isinstance(params, dict):
        raise ApiError("SerializationException", "Start of structure or map found where not expected.")
    return params


# -- requests checked against the model -----------------------------------------------------------


def _validate(shape: Shape | None, params: dict) -> None:
    if shape is None:
        return
    problems: list[str] = []
    _check_structure(shape, params, "", problems)
    if problems:
        raise validation_error(problems)


def _check_structure(shape: Shape, value: dict, where: str, problems: list[str]) -> None:
    for name in shape.required_members:
        if value.get(name) is None:
            problems.append(f"Value null at '{where}{name}' failed to satisfy constraint: Member must not be null")
    for name, member in shape.members.items():
        if name in value and value[name] is not None:
            _check(member, value[name], f"{where}{name}", problems)


def _check(shape: Shape, value: Any, where: str, problems: list[str]) -> None:
    kind = shape.type_name
    expected = {"string": str, "boolean": bool, "integer": int, "long": int, "structure": dict, "map": dict,
                "list": list, "timestamp": (int, float, str), "double": (int, float), "float": (int, float)}.get(kind)
    if expected is not None and (not isinstance(value, expected) or kind in ("integer", "long") and isinstance(value, bool)):
        raise ApiError("SerializationException", f"Unexpected value type for '{where}': a {kind} was expected")
    metadata = shape.metadata
    shown = _REDACTED if metadata.get("sensitive") else value
    if kind == "string":
        if shape.enum and value not in shape.enum:
            problems.append(f"Value '{shown}' at '{where}' failed to satisfy constraint: "
                            f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
        _check_bounds(len(value), metadata, f"Value '{shown}' at '{where}'", "length", problems)
    elif kind in ("integer", "long"):
        _check_bounds(value, metadata, f"Value '{value}' at '{where}'", "value", problems)
    elif kind == "list":
        _check_bounds(len(value), metadata, f"Value '{value}' at '{where}'", "length", problems)
        for index, item in enumerate(value, start=1):
            _check(shape.member, item, f"{where}.{index}.member", problems)
    elif kind == "map":
        for key, item in value.items():
            _check(shape.value, item, f"{where}.{key}", problems)
    elif kind == "structure":
        _check_structure(shape, value, f"{where}.", problems)


def _check_bounds(size: int, metadata: dict, subject: str, what: str, problems: list[str]) -> None:
    low, high = metadata.get("min"), metadata.get("max")
    if low is not None and size < low:
        problems.append(f"{subject} failed to satisfy constraint: Member must have {what} greater than or equal to {low}")
    if high is not None and size > high:
        problems.append(f"{subject} failed to satisfy constraint: Member must have {what} less than or equal to {high}")


# -- responses -------------------------------------------------------------------------------------


def _to_wire(value: Any, shape: Shape | None) -> Any:
    """A result as JSON 1.0 carries it: timestamps as epoch seconds, absent members left out."""
    if isinstance(value, dict):
        members = getattr(shape, "members", None) or {}
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            out[key] = _to_wire(item, members.get(key) if members else getattr(shape, "value", None))
        return out
    if isinstance(value, list):
        return [_to_wire(item, getattr(shape, "member", None)) for item in value]
    if isinstance(value, datetime):
        return round(value.timestamp(), 3)
    return value
