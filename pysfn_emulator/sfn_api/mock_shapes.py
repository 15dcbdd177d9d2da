"""TestState's `mock.fieldValidationMode`: a mocked result checked against the output shape of
the API the Task calls, from botocore's models of AWS's services (the shapes AWS publishes).

STRICT (the default): every required field present, every present field of its type;
PRESENT: every present field of its type; NONE: nothing checked. Fields the API does not
define are accepted in every mode. A refusal is AWS's ValidationException:
"Mock result schema validation error: Field 'Entries' must be an array".

Checked: `aws-sdk:` integrations and the optimized integrations whose result is the API's
response (request-response pattern). Not checked: Lambda's Payload (free-form), `.sync` and
`.waitForTaskToken` results (a callback's output, or a job description), HTTP Tasks,
activities and Lambda functions called by ARN (their output is the function's).
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.exceptions
import botocore.session
from botocore.model import OperationModel, OperationNotFoundError, Shape

from ..local_aws import SDK_TO_BOTOCORE as _SDK_TO_BOTOCORE
from .errors import ApiError

_PREFIX = "Mock result schema validation error: "
# Optimized integrations (arn:aws:states:::SERVICE:action) answered by another API's shape.
_OPTIMIZED_TO_BOTOCORE = {"states": "stepfunctions", "elasticmapreduce": "emr", "apigateway": None, "http": None,
                          "bedrock": None}
# Fields of an optimized integration's response that are not the API's.
_FREE_FORM = {("lambda", "Invoke"): frozenset({"Payload"})}


def check_mock_result(resource: str, result: Any, mode: str) -> None:
    """Raise AWS's ValidationException when a mocked result does not conform to the output
    shape of the API `resource` calls (nothing is checked for NONE or an API without one)."""
    if mode == "NONE":
        return
    found = _output_shape(resource)
    if found is None:
        return
    shape, free = found
    if not isinstance(result, dict):  # not recorded: what AWS says of a non-object result
        raise ApiError("ValidationException", "Mocked result must be a JSON object.")
    problem = _structure(shape, result, mode == "STRICT", free)
    if problem is not None:
        raise ApiError("ValidationException", _PREFIX + problem)


def _output_shape(resource: str) -> tuple[Shape, frozenset] | None:
    parts = resource.split(":")
    if len(parts) < 7 or parts[:3] != ["arn", "aws", "states"] or parts[3] or parts[4]:
        return None  # a Lambda function's or an activity's ARN: its output is free-form
    service, action = parts[5], ":".join(parts[6:])
    if service == "aws-sdk":
        if len(parts) < 8 or "." in parts[7]:
            return None
        sdk_service, action = parts[6], parts[7]
        botocore_name = _SDK_TO_BOTOCORE.get(sdk_service, sdk_service)
    else:
        if "." in action:  # .sync, .waitForTaskToken: not the API's response
            return None
        botocore_name = _OPTIMIZED_TO_BOTOCORE.get(service, service)
        if botocore_name is None:
            return None
    operation = _operation(botocore_name, action[:1].upper() + action[1:])
    if operation is None or operation.output_shape is None:
        return None
    return operation.output_shape, _FREE_FORM.get((botocore_name, operation.name), frozenset())


@functools.cache
def _operation(service: str, name: str) -> OperationModel | None:
    try:
        model = _session().get_service_model(service)
        return model.operation_model(name)
    except (botocore.exceptions.UnknownServiceError, botocore.exceptions.DataNotFoundError, OperationNotFoundError):
        return None


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def _pascal(name: str) -> str:
    """Step Functions writes an API's fields with a capital first letter (`ExecutionArn` for
    Step Functions' own `executionArn`)."""
    return name[:1].upper() + name[1:]


def _structure(shape: Shape, value: dict, strict: bool, free: frozenset = frozenset()) -> str | None:
    members = {_pascal(name): member for name, member in shape.members.items()}
    if strict:
        for name in shape.required_members:
            if _pascal(name) not in value:
                return f"Required field '{_pascal(name)}' is missing"
    for name, member in members.items():
        if name in value and name not in free:
            problem = _value(name, member, value[name], strict)
            if problem is not None:
                return problem
    return None


def _value(name: str, shape: Shape, value: Any, strict: bool) -> str | None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return f"Field '{name}' must be an object"
        return _structure(shape, value, strict)
    if kind == "list":
        if not isinstance(value, list):
            return f"Field '{name}' must be an array"
        for item in value:
            problem = _value(name, shape.member, item, strict)
            if problem is not None:
                return problem
        return _length(name, shape, len(value))
    if kind == "map":
        if not isinstance(value, dict):
            return f"Field '{name}' must be an object"
        for item in value.values():
            problem = _value(name, shape.value, item, strict)
            if problem is not None:
                return problem
        return None
    if kind in ("string", "blob", "timestamp"):
        if not isinstance(value, str):
            return f"Field '{name}' must be a string"
        if getattr(shape, "enum", None) and value not in shape.enum:
            return f"Field '{name}' is not an expected value"
        return None if kind == "timestamp" else _length(name, shape, len(value))
    if kind in ("integer", "long", "float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"Field '{name}' must be a number"
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and value < low:
            return f"Field '{name}' is less than the minimum value"
        if high is not None and value > high:
            return f"Field '{name}' exceeds the maximum value"
        return None
    if kind == "boolean" and not isinstance(value, bool):
        return f"Field '{name}' must be a boolean"
    return None


def _length(name: str, shape: Shape, length: int) -> str | None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and length < low:
        return f"Field '{name}' is smaller than the minimum length"
    if high is not None and length > high:
        return f"Field '{name}' exceeds the maximum length"
    return None
