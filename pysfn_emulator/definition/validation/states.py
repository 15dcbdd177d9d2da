"""What every state has (its name, its QueryLanguage, its input and output fields) and the checks
of the state types that hold no scope of their own: Task, Pass, Succeed, Wait and Fail.
"""

from __future__ import annotations

import re
from typing import Any

from .context import Context, is_expression, is_int, join
from .field_checks import (
    check_exclusive,
    check_integer,
    check_string_fields,
    check_unknown_fields,
    is_timestamp,
    jsonata_hint,
)
from .fields import JSONATA, JSONPATH, LANGUAGES, MAX_SECONDS, MAX_STATE_NAME
from .templates import check_expressions, check_template

# --- Task resources -----------------------------------------------------------------------

# Optimized integrations whose actions are all known: any other action is refused by AWS
# ("The resource provided ... is not recognized"). Services not listed are not judged.
OPTIMIZED_ACTIONS: dict[str, frozenset[str]] = {
    "lambda": frozenset({"invoke"}),
    "dynamodb": frozenset({"getItem", "putItem", "updateItem", "deleteItem"}),
    "sns": frozenset({"publish"}),
    "sqs": frozenset({"sendMessage"}),
    "events": frozenset({"putEvents"}),
    "states": frozenset({"startExecution"}),
    "apigateway": frozenset({"invoke"}),
    "http": frozenset({"invoke"}),
    "ecs": frozenset({"runTask"}),
    "batch": frozenset({"submitJob"}),
    "glue": frozenset({"startJobRun"}),
}
# Every service AWS integrates as `arn:aws:states:::SERVICE:...` (the optimized integrations,
# the AWS SDK ones, and S3, which ItemReader and ResultWriter name): any other service is "not
# recognized" at create time, as `dynamodb:query` is in the AWS-recorded corpus.
KNOWN_SERVICES = frozenset(OPTIMIZED_ACTIONS) | {
    "aws-sdk", "athena", "bedrock", "codebuild", "databrew", "eks", "elasticmapreduce",
    "emr-containers", "emr-serverless", "mediaconvert", "s3", "sagemaker",
}
_INTEGRATION_ARN = re.compile(
    r"^arn:[a-z-]+:states:::(?P<service>[A-Za-z0-9-]+):(?P<action>[A-Za-z0-9]+)"
    r"(?P<suffix>\..*)?$"
)
_SERVICE_ARN = re.compile(r"^arn:[a-z-]+:states:::(?P<service>[^:]*)")
_SUFFIXES = (".sync", ".sync:2", ".waitForTaskToken")


# --- states -------------------------------------------------------------------------------


def _language(ctx: Context, state: dict) -> str:
    own = state.get("QueryLanguage")
    return own if own in LANGUAGES else ctx.top_language


def check_state_name(ctx: Context, name: str, pointer: str) -> None:
    if not name or len(name) > MAX_STATE_NAME:
        ctx.add(pointer, f"state name must be 1 to {MAX_STATE_NAME} characters long"
                         f" (this one has {len(name)})")
    first = ctx.state_names.setdefault(name, pointer)
    if first != pointer:
        ctx.add(pointer, f"duplicate state name '{name}' (first defined at {first}): state names"
                         " must be unique across the whole state machine, branches included")


def check_query_language(ctx: Context, state: dict, pointer: str) -> str:
    if "QueryLanguage" in state:
        own = state["QueryLanguage"]
        field_pointer = join(pointer, "QueryLanguage")
        if own not in LANGUAGES:
            ctx.add(field_pointer, f"'QueryLanguage' must be JSONPath or JSONata, not {own!r}")
        elif own == JSONPATH and ctx.top_language == JSONATA:
            ctx.add(field_pointer, "'QueryLanguage' cannot be 'JSONPath' when the state machine"
                                   " sets 'JSONata' at the top level")
    return _language(ctx, state)


def check_io_fields(ctx: Context, state: dict, pointer: str, language: str) -> None:
    """Paths and payload templates shared by several types, and JSONata's `{% %}` strings."""
    if language == JSONATA:
        for field in ("Output", "Arguments"):
            if field in state:
                check_expressions(ctx, state[field], join(pointer, field))
        return
    for field in ("InputPath", "OutputPath"):
        if field in state and not isinstance(state[field], (str, type(None))):
            ctx.add(join(pointer, field), f"'{field}' must be a path string or null")
    if "ResultPath" in state:
        check_result_path(ctx, state["ResultPath"], join(pointer, "ResultPath"))
    for field in ("Parameters", "ResultSelector"):
        if field in state:
            check_template(ctx, state[field], join(pointer, field), field)


def check_result_path(ctx: Context, value: Any, pointer: str) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        ctx.add(pointer, "'ResultPath' must be a reference path string or null")
    elif value.startswith("$$"):
        ctx.add(pointer, "'ResultPath' cannot start with '$$': the context object is read-only")
    elif len(value) > 1 and value[0] == "$" and value[1] not in ".[":
        ctx.add(pointer, f"'ResultPath' {value!r} refers to a variable; it must be a path into"
                         " the state input ('$' or '$.field'); use 'Assign' to set variables")


# --- per-type checks ----------------------------------------------------------------------


def check_task(ctx: Context, state: dict, pointer: str, language: str) -> None:
    _check_resource(ctx, state, pointer)
    check_exclusive(ctx, state, pointer, ("TimeoutSeconds", "TimeoutSecondsPath"))
    check_exclusive(ctx, state, pointer, ("HeartbeatSeconds", "HeartbeatSecondsPath"))
    check_string_fields(ctx, state, pointer, ("TimeoutSecondsPath", "HeartbeatSecondsPath"))
    expression = language == JSONATA
    for field in ("TimeoutSeconds", "HeartbeatSeconds"):
        if field in state:
            check_integer(ctx, state, field, pointer, 1, MAX_SECONDS, expression)
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if is_int(timeout) and is_int(heartbeat) and heartbeat >= timeout:
        ctx.add(join(pointer, "HeartbeatSeconds"),
                f"'HeartbeatSeconds' ({heartbeat}) must be smaller than 'TimeoutSeconds'"
                f" ({timeout})")
    if "Credentials" in state:
        _check_credentials(ctx, state["Credentials"], join(pointer, "Credentials"), language)


def _check_resource(ctx: Context, state: dict, pointer: str) -> None:
    field_pointer = join(pointer, "Resource")
    if "Resource" not in state:
        ctx.add(pointer, "the field 'Resource' is required in a Task state")
        return
    resource = state["Resource"]
    if not isinstance(resource, str) or not resource:
        ctx.add(field_pointer, "'Resource' must be a non-empty ARN string")
        return
    if not resource.startswith("arn:"):
        # AWS: "SCHEMA_VALIDATION_FAILED: Value is not a valid resource ARN" (reported by
        # deployments whose DefinitionSubstitutions left a `${...}` placeholder).
        ctx.add(field_pointer, f"Value is not a valid resource ARN: {resource!r} (a Task's"
                               " Resource is a Lambda function, activity or integration ARN)")
        return
    service = _SERVICE_ARN.match(resource)
    if service and service["service"] not in KNOWN_SERVICES:
        ctx.add(field_pointer, f"The resource provided {resource} is not recognized. The value is"
                               " not a valid resource ARN, or the resource is not available in"
                               f" this region ('{service['service']}' is not a service Step"
                               " Functions integrates; use arn:aws:states:::aws-sdk:SERVICE:ACTION"
                               " for an AWS SDK call)")
        return
    match = _INTEGRATION_ARN.match(resource)
    if match:
        _check_integration(ctx, match, field_pointer)


def _check_integration(ctx: Context, match: re.Match, pointer: str) -> None:
    """arn:aws:states:::SERVICE:ACTION[.pattern], for the services whose actions we know."""
    service, action, suffix = match["service"], match["action"], match["suffix"]
    known = OPTIMIZED_ACTIONS.get(service)
    if known is not None and action not in known:
        ctx.add(pointer, f"the resource {match.string} is not a recognized integration: the"
                         f" optimized '{service}' integration offers {', '.join(sorted(known))};"
                         f" for '{action}' use arn:aws:states:::aws-sdk:{service}:{action}")
    if known is not None and suffix and suffix not in _SUFFIXES:
        ctx.add(pointer, f"'{suffix}' is not an integration pattern: use .sync, .sync:2 or"
                         " .waitForTaskToken (or nothing, to request and respond)")
    elif ctx.machine_type == "EXPRESS" and suffix in _SUFFIXES:
        ctx.add(pointer, f"an EXPRESS state machine does not support the '{suffix}'"
                         " integration pattern; use a STANDARD state machine")


def _check_credentials(ctx: Context, credentials: Any, pointer: str, language: str) -> None:
    if not isinstance(credentials, dict):
        ctx.add(pointer, "'Credentials' must be an object with 'RoleArn'")
        return
    keys = {"RoleArn", "RoleArn.$"} if language == JSONPATH else {"RoleArn"}
    check_unknown_fields(ctx, credentials, pointer, frozenset(keys), "in 'Credentials'")
    present = [k for k in keys if k in credentials]
    if not present:
        ctx.add(pointer, "the field 'RoleArn' is required in 'Credentials'")
    elif len(present) > 1:
        ctx.add(pointer, "'RoleArn' and 'RoleArn.$' are mutually exclusive")
    if language == JSONPATH:
        check_template(ctx, credentials, pointer, "Credentials")
    else:
        check_expressions(ctx, credentials, pointer)


def check_pass(ctx: Context, state: dict, pointer: str, language: str) -> None:
    """Pass has nothing of its own beyond the shared fields (Result may be any JSON)."""


def check_succeed(ctx: Context, state: dict, pointer: str, language: str) -> None:
    """Succeed has nothing of its own beyond the shared fields."""


def check_wait(ctx: Context, state: dict, pointer: str, language: str) -> None:
    present = [f for f in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if f in state]
    if len(present) != 1:
        found = f" (found {', '.join(present)})" if present else ""
        ctx.add(pointer, "a Wait state needs exactly one of 'Seconds', 'SecondsPath',"
                         f" 'Timestamp' or 'TimestampPath'{found}")
    expression = language == JSONATA
    if "Seconds" in state:
        check_integer(ctx, state, "Seconds", pointer, 0, MAX_SECONDS, expression)
    if "Timestamp" in state:
        value = state["Timestamp"]
        if expression and is_expression(value):
            check_expressions(ctx, value, join(pointer, "Timestamp"))
        elif not is_timestamp(value):
            ctx.add(join(pointer, "Timestamp"), "'Timestamp' must be an RFC 3339 timestamp such"
                                                " as 2016-03-14T01:59:00Z (uppercase T and Z,"
                                                " or a numeric offset)" + jsonata_hint(value))
    check_string_fields(ctx, state, pointer, ("SecondsPath", "TimestampPath"))


def check_fail(ctx: Context, state: dict, pointer: str, language: str) -> None:
    for pair in (("Error", "ErrorPath"), ("Cause", "CausePath")):
        check_exclusive(ctx, state, pointer, pair)
        check_string_fields(ctx, state, pointer, pair)
    if language == JSONATA:
        for field in ("Error", "Cause"):
            if field in state:
                check_expressions(ctx, state[field], join(pointer, field))
