"""Structural validation: every reason AWS's CreateStateMachine would refuse a definition.

AWS reports the first SCHEMA_VALIDATION_FAILED it meets; we report them all, each located by a
JSON pointer, so a user can fix a definition in one pass. The syntax of JSONPath expressions
and intrinsic function calls is *not* checked here: the loader compiles those and reports
their problems. Everything else that AWS refuses before running is.

A state's query language is its own `QueryLanguage`, else the top level's; the states inside
a Map or Parallel inherit the top level's, not their parent state's (as the spec says).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import attrs

from .errors import ALL, Problem, pointer_token
from .scopes import scope_problems

JSONPATH = "JSONPath"
JSONATA = "JSONata"
LANGUAGES = (JSONPATH, JSONATA)

MAX_STATE_NAME = 80
MAX_VARIABLE_NAME = 80
MAX_LABEL = 40
MAX_SECONDS = 99_999_999
MAX_BATCH_BYTES = 262_144

# --- field tables -------------------------------------------------------------------------
# For each state type: fields allowed in both languages, JSONPath-only and JSONata-only.

_COMMON = frozenset({"Type", "Comment", "QueryLanguage"})
_FLOW = frozenset({"Next", "End", "Assign"})
_PATH_IO = frozenset({"InputPath", "OutputPath"})
_PATH_RESULT = _PATH_IO | {"ResultPath", "Parameters", "ResultSelector"}


def _fields(both: Iterable[str], path: Iterable[str], ata: Iterable[str]) -> dict[str, frozenset]:
    return {"both": _COMMON | frozenset(both), JSONPATH: frozenset(path), JSONATA: frozenset(ata)}


STATE_FIELDS: dict[str, dict[str, frozenset]] = {
    "Task": _fields(
        _FLOW | {"Resource", "Retry", "Catch", "TimeoutSeconds", "HeartbeatSeconds", "Credentials"},
        _PATH_RESULT | {"TimeoutSecondsPath", "HeartbeatSecondsPath"},
        {"Output", "Arguments"},
    ),
    "Parallel": _fields(
        _FLOW | {"Branches", "Retry", "Catch"}, _PATH_RESULT, {"Output", "Arguments"}
    ),
    "Map": _fields(
        _FLOW
        | {"ItemProcessor", "Iterator", "ItemReader", "ItemSelector", "ItemBatcher"}
        | {"ResultWriter", "MaxConcurrency", "ToleratedFailureCount", "Label", "Retry", "Catch"}
        | {"ToleratedFailurePercentage"},
        _PATH_RESULT
        | {"ItemsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath"}
        | {"ToleratedFailurePercentagePath"},
        {"Output", "Items"},
    ),
    "Pass": _fields(_FLOW, _PATH_IO | {"ResultPath", "Parameters", "Result"}, {"Output"}),
    "Wait": _fields(
        _FLOW | {"Seconds", "Timestamp"}, _PATH_IO | {"SecondsPath", "TimestampPath"}, {"Output"}
    ),
    "Choice": _fields({"Choices", "Default", "Assign"}, _PATH_IO, {"Output"}),
    "Succeed": _fields((), _PATH_IO, {"Output"}),
    "Fail": _fields({"Error", "Cause"}, {"ErrorPath", "CausePath"}, ()),
}

TOP_LEVEL_FIELDS = frozenset(
    {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}
)
BRANCH_FIELDS = frozenset({"Comment", "StartAt", "States"})
PROCESSOR_FIELDS = BRANCH_FIELDS | {"ProcessorConfig"}

RETRIER_FIELDS = frozenset(
    {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds"}
    | {"JitterStrategy", "Comment"}
)
CATCHER_FIELDS = {
    "both": frozenset({"ErrorEquals", "Next", "Comment", "Assign"}),
    JSONPATH: frozenset({"ResultPath"}),
    JSONATA: frozenset({"Output"}),
}

# What to write instead, when a field belongs to the other query language.
_LANGUAGE_HINTS = {
    "InputPath": "use 'Arguments' or the expressions themselves ($states.input)",
    "OutputPath": "use 'Output'",
    "ResultPath": "use 'Output' (and 'Assign')",
    "ResultSelector": "use 'Output'",
    "Parameters": "use 'Arguments' (Task, Parallel), 'ItemSelector' (Map) or 'Output' (Pass)",
    "Result": "use 'Output'",
    "ItemsPath": "use 'Items'",
    "Output": "use 'OutputPath', 'ResultSelector' or 'ResultPath'",
    "Arguments": "use 'Parameters'",
    "Items": "use 'ItemsPath'",
    "Condition": "use 'Variable' with a comparison operator",
    "Variable": "use 'Condition' with a JSONata expression",
}

# --- Choice rule operators ----------------------------------------------------------------

_COMPARISONS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
STRING_OPERATORS = frozenset({f"String{c}" for c in _COMPARISONS} | {"StringMatches"})
NUMERIC_OPERATORS = frozenset(f"Numeric{c}" for c in _COMPARISONS)
TIMESTAMP_OPERATORS = frozenset(f"Timestamp{c}" for c in _COMPARISONS)
BOOLEAN_OPERATORS = frozenset(
    {"BooleanEquals", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}
)
PATH_OPERATORS = frozenset(
    f"{kind}{c}Path" for kind in ("String", "Numeric", "Timestamp") for c in _COMPARISONS
) | {"BooleanEqualsPath"}
COMPARISON_OPERATORS = (
    STRING_OPERATORS | NUMERIC_OPERATORS | TIMESTAMP_OPERATORS | BOOLEAN_OPERATORS | PATH_OPERATORS
)
BOOLEAN_COMBINATORS = ("And", "Or", "Not")
_RULE_FIELDS = {
    JSONPATH: frozenset({"Variable", "Next", "Comment", "Assign", *BOOLEAN_COMBINATORS})
    | COMPARISON_OPERATORS,
    JSONATA: frozenset({"Condition", "Next", "Comment", "Assign", "Output"}),
}

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
_INTEGRATION_ARN = re.compile(
    r"^arn:[a-z-]+:states:::(?P<service>[A-Za-z0-9-]+):(?P<action>[A-Za-z0-9]+)"
    r"(?P<suffix>\..*)?$"
)
_SUFFIXES = (".sync", ".sync:2", ".waitForTaskToken")

# --- literal formats ----------------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$"
)
# Characters AWS refuses in a Map Label (the AWS-recorded cases), as in resource names.
_LABEL_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:\x00-\x1f\x7f-\x9f]")


@attrs.define
class _Context:
    """What the checks share while walking one definition."""

    top_language: str
    machine_type: str
    problems: list[Problem] = attrs.field(factory=list)
    state_names: dict[str, str] = attrs.field(factory=dict)  # name -> pointer of first use

    def add(self, pointer: str, message: str) -> None:
        self.problems.append(Problem(pointer, message))


def structural_problems(
    definition: dict, *, state_machine_type: str = "STANDARD"
) -> list[Problem]:
    """Every structural reason AWS would refuse `definition` ([] when there is none).

    `state_machine_type` matters only for the integrations an EXPRESS machine may not use.
    """
    if not isinstance(definition, dict):
        return [Problem("", "the definition must be a JSON object")]
    language = definition.get("QueryLanguage", JSONPATH)
    ctx = _Context(top_language=language if language in LANGUAGES else JSONPATH,
                   machine_type=state_machine_type)
    _check_top_level(ctx, definition)
    _check_machine(ctx, definition, "", TOP_LEVEL_FIELDS, "at the top level")
    return ctx.problems + scope_problems(definition)


# --- pointers and small predicates --------------------------------------------------------


def _join(pointer: str, *parts: str | int) -> str:
    """Extend a JSON pointer, escaping '~' and '/' in the new parts (RFC 6901)."""
    for part in parts:
        pointer += "/" + pointer_token(part)
    return pointer


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_expression(value: Any) -> bool:
    """A JSONata `{% ... %}` string (well-formedness is checked separately)."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def _language(ctx: _Context, state: dict) -> str:
    own = state.get("QueryLanguage")
    return own if own in LANGUAGES else ctx.top_language


# --- top level and state machines ---------------------------------------------------------


def _check_top_level(ctx: _Context, definition: dict) -> None:
    """Fields only the top level has: QueryLanguage, TimeoutSeconds, Version."""
    if "QueryLanguage" in definition:
        _check_enum(ctx, definition, "QueryLanguage", "", LANGUAGES)
    if "TimeoutSeconds" in definition:
        _check_integer(ctx, definition, "TimeoutSeconds", "", 1, MAX_SECONDS, expression=False)
    _check_string_fields(ctx, definition, "", ("Version", "Comment"))


def _check_machine(
    ctx: _Context, machine: dict, pointer: str, allowed: frozenset, where: str
) -> None:
    """A States/StartAt scope: the top level, a Parallel branch or a Map's processor."""
    _check_unknown_fields(ctx, machine, pointer, allowed, where)
    missing = [f for f in ("StartAt", "States") if f not in machine]
    if missing:
        ctx.add(pointer, f"these fields are required: {', '.join(missing)}")
    states = machine.get("States")
    if "States" in machine and (not isinstance(states, dict) or not states):
        ctx.add(_join(pointer, "States"), "'States' must be a non-empty object of states")
        states = None
    states = states or {}
    start = machine.get("StartAt")
    if "StartAt" in machine and states:
        _check_target(ctx, start, _join(pointer, "StartAt"), states, "StartAt")
    for name, state in states.items():
        _check_state(ctx, name, state, _join(pointer, "States", name), states)
    if isinstance(start, str) and start in states:
        _check_reachability(ctx, start, states, pointer)


def _check_target(ctx: _Context, target: Any, pointer: str, states: dict, field: str) -> None:
    """A transition (Next, StartAt, Default, a rule's or catcher's Next) must name a state."""
    if not isinstance(target, str):
        ctx.add(pointer, f"'{field}' must be a string naming a state")
    elif target not in states:
        ctx.add(pointer, f"'{field}' names '{target}', which is not a state in this scope"
                         " (Parallel branches and Map processors are separate scopes)")


def _transitions(state: Any) -> Iterator[str]:
    """Every state name a state can move to, for reachability."""
    if not isinstance(state, dict):
        return
    candidates = [state.get("Next"), state.get("Default")]
    for key in ("Choices", "Catch"):
        items = state.get(key)
        if isinstance(items, list):
            candidates += [item.get("Next") for item in items if isinstance(item, dict)]
    yield from (c for c in candidates if isinstance(c, str))


def _check_reachability(ctx: _Context, start: str, states: dict, pointer: str) -> None:
    seen = {start}
    queue = deque([start])
    while queue:
        for target in _transitions(states[queue.popleft()]):
            if target in states and target not in seen:
                seen.add(target)
                queue.append(target)
    for name in states:
        if name not in seen:
            ctx.add(_join(pointer, "States", name),
                    f"state '{name}' is unreachable: no transition from StartAt leads to it")


# --- states -------------------------------------------------------------------------------


def _check_state(ctx: _Context, name: str, state: Any, pointer: str, states: dict) -> None:
    _check_state_name(ctx, name, pointer)
    if not isinstance(state, dict):
        ctx.add(pointer, "a state must be a JSON object")
        return
    kind = state.get("Type")
    if not isinstance(kind, str) or kind not in STATE_FIELDS:
        message = "the field 'Type' is required" if kind is None else (
            f"'Type' must be one of {', '.join(STATE_FIELDS)}, not {kind!r}")
        ctx.add(_join(pointer, "Type") if kind is not None else pointer, message)
        return
    language = _check_query_language(ctx, state, pointer)
    fields = STATE_FIELDS[kind]
    allowed = fields["both"] | fields[language]
    _check_unknown_fields(ctx, state, pointer, allowed, f"in a {kind} state",
                          fields[_other(language)], language)
    _check_string_fields(ctx, state, pointer, ("Comment",))
    _check_next_or_end(ctx, kind, state, pointer, states)
    _check_io_fields(ctx, state, pointer, language)
    if "Assign" in state and "Assign" in allowed:
        _check_assign(ctx, state["Assign"], _join(pointer, "Assign"), language)
    for field in ("Retry", "Catch"):
        if field in state and field in allowed:
            _CHECK_ERROR_HANDLERS[field](ctx, state[field], _join(pointer, field), states, language)
    _TYPE_CHECKS[kind](ctx, state, pointer, language)


def _other(language: str) -> str:
    return JSONATA if language == JSONPATH else JSONPATH


def _check_state_name(ctx: _Context, name: str, pointer: str) -> None:
    if not name or len(name) > MAX_STATE_NAME:
        ctx.add(pointer, f"state name must be 1 to {MAX_STATE_NAME} characters long"
                         f" (this one has {len(name)})")
    first = ctx.state_names.setdefault(name, pointer)
    if first != pointer:
        ctx.add(pointer, f"duplicate state name '{name}' (first defined at {first}): state names"
                         " must be unique across the whole state machine, branches included")


def _check_query_language(ctx: _Context, state: dict, pointer: str) -> str:
    if "QueryLanguage" in state:
        own = state["QueryLanguage"]
        field_pointer = _join(pointer, "QueryLanguage")
        if own not in LANGUAGES:
            ctx.add(field_pointer, f"'QueryLanguage' must be JSONPath or JSONata, not {own!r}")
        elif own == JSONPATH and ctx.top_language == JSONATA:
            ctx.add(field_pointer, "'QueryLanguage' cannot be 'JSONPath' when the state machine"
                                   " sets 'JSONata' at the top level")
    return _language(ctx, state)


def _check_unknown_fields(
    ctx: _Context,
    obj: dict,
    pointer: str,
    allowed: frozenset,
    where: str,
    other_language: frozenset = frozenset(),
    language: str = "",
) -> None:
    for field in obj:
        if field in allowed:
            continue
        if field in other_language:
            hint = _LANGUAGE_HINTS.get(field, "")
            if not hint and field.endswith("Path") and field[:-4] in allowed:
                hint = f"use '{field[:-4]}' with a JSONata expression"
            ctx.add(_join(pointer, field),
                    f"the field '{field}' is not allowed {where} whose QueryLanguage is"
                    f" {language}" + (f": {hint}" if hint else ""))
        else:
            ctx.add(_join(pointer, field), f"unknown field '{field}' {where}")


def _check_next_or_end(ctx: _Context, kind: str, state: dict, pointer: str, states: dict) -> None:
    """Next/End for the types that transition; a Choice's Default and rule targets."""
    if kind == "Choice":
        _check_choice_targets(ctx, state, pointer, states)
    if kind in ("Choice", "Succeed", "Fail"):
        return
    has_next, end = "Next" in state, state.get("End")
    if "End" in state and not isinstance(end, bool):
        ctx.add(_join(pointer, "End"), "'End' must be a boolean")
    if has_next and end is True:
        ctx.add(pointer, "'Next' and 'End' are mutually exclusive: keep one")
    elif not has_next and end is not True:
        ctx.add(pointer, f"a {kind} state needs 'Next' (a state name) or \"End\": true")
    if has_next:
        _check_target(ctx, state["Next"], _join(pointer, "Next"), states, "Next")


def _check_io_fields(ctx: _Context, state: dict, pointer: str, language: str) -> None:
    """Paths and payload templates shared by several types, and JSONata's `{% %}` strings."""
    if language == JSONATA:
        for field in ("Output", "Arguments"):
            if field in state:
                _check_expressions(ctx, state[field], _join(pointer, field))
        return
    for field in ("InputPath", "OutputPath"):
        if field in state and not isinstance(state[field], (str, type(None))):
            ctx.add(_join(pointer, field), f"'{field}' must be a path string or null")
    if "ResultPath" in state:
        _check_result_path(ctx, state["ResultPath"], _join(pointer, "ResultPath"))
    for field in ("Parameters", "ResultSelector"):
        if field in state:
            _check_template(ctx, state[field], _join(pointer, field), field)


def _check_result_path(ctx: _Context, value: Any, pointer: str) -> None:
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


def _check_task(ctx: _Context, state: dict, pointer: str, language: str) -> None:
    _check_resource(ctx, state, pointer)
    _check_exclusive(ctx, state, pointer, ("TimeoutSeconds", "TimeoutSecondsPath"))
    _check_exclusive(ctx, state, pointer, ("HeartbeatSeconds", "HeartbeatSecondsPath"))
    _check_string_fields(ctx, state, pointer, ("TimeoutSecondsPath", "HeartbeatSecondsPath"))
    expression = language == JSONATA
    for field in ("TimeoutSeconds", "HeartbeatSeconds"):
        if field in state:
            _check_integer(ctx, state, field, pointer, 1, MAX_SECONDS, expression)
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if _is_int(timeout) and _is_int(heartbeat) and heartbeat >= timeout:
        ctx.add(_join(pointer, "HeartbeatSeconds"),
                f"'HeartbeatSeconds' ({heartbeat}) must be smaller than 'TimeoutSeconds'"
                f" ({timeout})")
    if "Credentials" in state:
        _check_credentials(ctx, state["Credentials"], _join(pointer, "Credentials"), language)


def _check_resource(ctx: _Context, state: dict, pointer: str) -> None:
    field_pointer = _join(pointer, "Resource")
    if "Resource" not in state:
        ctx.add(pointer, "the field 'Resource' is required in a Task state")
        return
    resource = state["Resource"]
    if not isinstance(resource, str) or not resource:
        ctx.add(field_pointer, "'Resource' must be a non-empty ARN string")
        return
    match = _INTEGRATION_ARN.match(resource)
    if match:
        _check_integration(ctx, match, field_pointer)


def _check_integration(ctx: _Context, match: re.Match, pointer: str) -> None:
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


def _check_credentials(ctx: _Context, credentials: Any, pointer: str, language: str) -> None:
    if not isinstance(credentials, dict):
        ctx.add(pointer, "'Credentials' must be an object with 'RoleArn'")
        return
    keys = {"RoleArn", "RoleArn.$"} if language == JSONPATH else {"RoleArn"}
    _check_unknown_fields(ctx, credentials, pointer, frozenset(keys), "in 'Credentials'")
    present = [k for k in keys if k in credentials]
    if not present:
        ctx.add(pointer, "the field 'RoleArn' is required in 'Credentials'")
    elif len(present) > 1:
        ctx.add(pointer, "'RoleArn' and 'RoleArn.$' are mutually exclusive")
    if language == JSONPATH:
        _check_template(ctx, credentials, pointer, "Credentials")
    else:
        _check_expressions(ctx, credentials, pointer)


def _check_parallel(ctx: _Context, state: dict, pointer: str, language: str) -> None:
    branches = state.get("Branches")
    field_pointer = _join(pointer, "Branches")
    if "Branches" not in state:
        ctx.add(pointer, "the field 'Branches' is required in a Parallel state")
    elif not isinstance(branches, list) or not branches:
        ctx.add(field_pointer, "'Branches' must be a non-empty array of state machines")
    else:
        for index, branch in enumerate(branches):
            _check_sub_machine(ctx, branch, _join(field_pointer, index), BRANCH_FIELDS,
                               "in a Parallel branch")


def _check_sub_machine(
    ctx: _Context, machine: Any, pointer: str, allowed: frozenset, where: str
) -> None:
    if isinstance(machine, dict):
        _check_machine(ctx, machine, pointer, allowed, where)
    else:
        ctx.add(pointer, "must be an object with 'StartAt' and 'States'")


def _check_map(ctx: _Context, state: dict, pointer: str, language: str) -> None:
    _check_map_processor(ctx, state, pointer)
    expression = language == JSONATA
    for group in (("ItemSelector", "Parameters"), ("MaxConcurrency", "MaxConcurrencyPath"),
                  ("ToleratedFailureCount", "ToleratedFailureCountPath"),
                  ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath")):
        _check_exclusive(ctx, state, pointer, group)
    for field in ("MaxConcurrency", "ToleratedFailureCount"):
        if field in state:
            _check_integer(ctx, state, field, pointer, 0, None, expression)
    if "ToleratedFailurePercentage" in state:
        _check_percentage(ctx, state, pointer, expression)
    _check_string_fields(ctx, state, pointer, ("ItemsPath", "MaxConcurrencyPath",
                                               "ToleratedFailureCountPath",
                                               "ToleratedFailurePercentagePath"))
    if "Label" in state:
        _check_label(ctx, state["Label"], _join(pointer, "Label"))
    _check_map_items(ctx, state, pointer, language)
    for field, check in (("ItemReader", _check_item_reader), ("ItemBatcher", _check_item_batcher),
                         ("ResultWriter", _check_result_writer)):
        if field in state:
            check(ctx, state[field], _join(pointer, field), language)


def _check_map_processor(ctx: _Context, state: dict, pointer: str) -> None:
    present = [f for f in ("ItemProcessor", "Iterator") if f in state]
    if not present:
        ctx.add(pointer, "a Map state needs 'ItemProcessor' (or the deprecated 'Iterator')")
    elif len(present) == 2:
        ctx.add(_join(pointer, "Iterator"), "'ItemProcessor' and 'Iterator' are mutually"
                                            " exclusive: keep 'ItemProcessor'")
    for field in present:
        processor = state[field]
        _check_sub_machine(ctx, processor, _join(pointer, field), PROCESSOR_FIELDS,
                           f"in a Map '{field}'")
        if isinstance(processor, dict) and "ProcessorConfig" in processor:
            _check_processor_config(ctx, processor["ProcessorConfig"],
                                    _join(pointer, field, "ProcessorConfig"))


def _check_processor_config(ctx: _Context, config: Any, pointer: str) -> None:
    if not isinstance(config, dict):
        ctx.add(pointer, "'ProcessorConfig' must be an object")
        return
    _check_unknown_fields(ctx, config, pointer, frozenset({"Mode", "ExecutionType"}),
                          "in 'ProcessorConfig'")
    _check_enum(ctx, config, "Mode", pointer, ("INLINE", "DISTRIBUTED"))
    _check_enum(ctx, config, "ExecutionType", pointer, ("STANDARD", "EXPRESS"))
    if config.get("Mode") == "DISTRIBUTED" and "ExecutionType" not in config:
        ctx.add(pointer, "'ExecutionType' (STANDARD or EXPRESS) is required when 'Mode' is"
                         " DISTRIBUTED")


def _check_percentage(ctx: _Context, state: dict, pointer: str, expression: bool) -> None:
    value = state["ToleratedFailurePercentage"]
    if expression and _is_expression(value):
        _check_expressions(ctx, value, _join(pointer, "ToleratedFailurePercentage"))
        return
    if not _is_number(value) or not 0 <= value <= 100:
        ctx.add(_join(pointer, "ToleratedFailurePercentage"),
                "'ToleratedFailurePercentage' must be a number from 0 to 100")


def _check_label(ctx: _Context, label: Any, pointer: str) -> None:
    if not isinstance(label, str) or not label:
        ctx.add(pointer, "'Label' must be a non-empty string")
    elif len(label) > MAX_LABEL:
        ctx.add(pointer, f"'Label' must be at most {MAX_LABEL} characters (has {len(label)})")
    elif bad := _LABEL_FORBIDDEN.search(label):
        ctx.add(pointer, f"'Label' contains the character {bad.group()!r}, which is not allowed"
                         " (no whitespace, brackets, wildcards, control characters or"
                         " \"#%\\^|~`$&,;:)")


def _check_map_items(ctx: _Context, state: dict, pointer: str, language: str) -> None:
    """Items (JSONata) and the item template: ItemSelector, or the deprecated Parameters."""
    if language == JSONATA:
        items = state.get("Items")
        if "Items" in state and not isinstance(items, list) and not _is_expression(items):
            ctx.add(_join(pointer, "Items"), "'Items' must be an array or a JSONata expression")
        for field in ("Items", "ItemSelector"):
            if field in state:
                _check_expressions(ctx, state[field], _join(pointer, field))
        selector = state.get("ItemSelector")
        if "ItemSelector" in state and not isinstance(selector, dict) and not _is_expression(
            selector
        ):
            ctx.add(_join(pointer, "ItemSelector"),
                    "'ItemSelector' must be an object or a JSONata expression")
    elif "ItemSelector" in state:
        _check_template(ctx, state["ItemSelector"], _join(pointer, "ItemSelector"),
                        "ItemSelector")


def _check_item_reader(ctx: _Context, reader: Any, pointer: str, language: str) -> None:
    if not _check_config_object(ctx, reader, pointer, "ItemReader", language,
                                {"Resource", "ReaderConfig"}):
        return
    if "Resource" not in reader:
        ctx.add(pointer, "the field 'Resource' is required in 'ItemReader'")
    config = reader.get("ReaderConfig")
    if isinstance(config, dict):
        config_pointer = _join(pointer, "ReaderConfig")
        _check_exclusive(ctx, config, config_pointer, ("MaxItems", "MaxItemsPath"))
        if "MaxItems" in config:
            _check_integer(ctx, config, "MaxItems", config_pointer, 1, None,
                           language == JSONATA)
    elif "ReaderConfig" in reader:
        ctx.add(_join(pointer, "ReaderConfig"), "'ReaderConfig' must be an object")


def _check_item_batcher(ctx: _Context, batcher: Any, pointer: str, language: str) -> None:
    sizes = {"MaxItemsPerBatch": None, "MaxInputBytesPerBatch": MAX_BATCH_BYTES}
    path_fields = {f"{f}Path" for f in sizes} if language == JSONPATH else set()
    if not isinstance(batcher, dict):
        ctx.add(pointer, "'ItemBatcher' must be an object")
        return
    _check_unknown_fields(ctx, batcher, pointer,
                          frozenset({*sizes, *path_fields, "BatchInput"}), "in 'ItemBatcher'")
    if not any(f in batcher for f in (*sizes, *path_fields)):
        ctx.add(pointer, "'ItemBatcher' needs 'MaxItemsPerBatch' or 'MaxInputBytesPerBatch'")
    for field, maximum in sizes.items():
        _check_exclusive(ctx, batcher, pointer, (field, f"{field}Path"))
        if field in batcher:
            _check_integer(ctx, batcher, field, pointer, 1, maximum, language == JSONATA)
    if "BatchInput" in batcher:
        _check_payload(ctx, batcher["BatchInput"], _join(pointer, "BatchInput"), language,
                       "BatchInput")


def _check_result_writer(ctx: _Context, writer: Any, pointer: str, language: str) -> None:
    _check_config_object(ctx, writer, pointer, "ResultWriter", language,
                         {"Resource", "WriterConfig"})


def _check_config_object(
    ctx: _Context, obj: Any, pointer: str, name: str, language: str, fields: set[str]
) -> bool:
    """ItemReader / ResultWriter: an object with Parameters (JSONPath) or Arguments (JSONata)."""
    if not isinstance(obj, dict):
        ctx.add(pointer, f"'{name}' must be an object")
        return False
    template = "Parameters" if language == JSONPATH else "Arguments"
    _check_unknown_fields(ctx, obj, pointer, frozenset(fields | {template}), f"in '{name}'")
    if template in obj:
        _check_payload(ctx, obj[template], _join(pointer, template), language, template)
    return True


def _check_payload(ctx: _Context, value: Any, pointer: str, language: str, field: str) -> None:
    if language == JSONPATH:
        _check_template(ctx, value, pointer, field)
    else:
        _check_expressions(ctx, value, pointer)


def _check_pass(ctx: _Context, state: dict, pointer: str, language: str) -> None:
    """Pass has nothing of its own beyond the shared fields (Result may be any JSON)."""


def _check_succeed(ctx: _Context, state: dict, pointer: str, language: str) -> None:
    """Succeed has nothing of its own beyond the shared fields."""


def _check_wait(ctx: _Context, state: dict, pointer: str, language: str) -> None:
    present = [f for f in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if f in state]
    if len(present) != 1:
        found = f" (found {', '.join(present)})" if present else ""
        ctx.add(pointer, "a Wait state needs exactly one of 'Seconds', 'SecondsPath',"
                         f" 'Timestamp' or 'TimestampPath'{found}")
    expression = language == JSONATA
    if "Seconds" in state:
        _check_integer(ctx, state, "Seconds", pointer, 0, MAX_SECONDS, expression)
    if "Timestamp" in state:
        value = state["Timestamp"]
        if expression and _is_expression(value):
            _check_expressions(ctx, value, _join(pointer, "Timestamp"))
        elif not _is_timestamp(value):
            ctx.add(_join(pointer, "Timestamp"), "'Timestamp' must be an RFC 3339 timestamp such"
                                                 " as 2016-03-14T01:59:00Z (uppercase T and Z,"
                                                 " or a numeric offset)" + _jsonata_hint(value))
    _check_string_fields(ctx, state, pointer, ("SecondsPath", "TimestampPath"))


def _check_fail(ctx: _Context, state: dict, pointer: str, language: str) -> None:
    for pair in (("Error", "ErrorPath"), ("Cause", "CausePath")):
        _check_exclusive(ctx, state, pointer, pair)
        _check_string_fields(ctx, state, pointer, pair)
    if language == JSONATA:
        for field in ("Error", "Cause"):
            if field in state:
                _check_expressions(ctx, state[field], _join(pointer, field))


# --- Choice -------------------------------------------------------------------------------


def _check_choice(ctx: _Context, state: dict, pointer: str, language: str) -> None:
    choices = state.get("Choices")
    field_pointer = _join(pointer, "Choices")
    if "Choices" not in state:
        ctx.add(pointer, "the field 'Choices' is required in a Choice state")
    elif not isinstance(choices, list) or not choices:
        ctx.add(field_pointer, "'Choices' must be a non-empty array of rules")
    else:
        for index, rule in enumerate(choices):
            _check_rule(ctx, rule, _join(field_pointer, index), language, top=True)


def _check_choice_targets(ctx: _Context, state: dict, pointer: str, states: dict) -> None:
    if "Default" in state:
        _check_target(ctx, state["Default"], _join(pointer, "Default"), states, "Default")
    choices = state.get("Choices")
    for index, rule in enumerate(choices if isinstance(choices, list) else ()):
        if isinstance(rule, dict) and "Next" in rule:
            _check_target(ctx, rule["Next"], _join(pointer, "Choices", index, "Next"), states,
                          "Next")


def _check_rule(ctx: _Context, rule: Any, pointer: str, language: str, top: bool) -> None:
    """One Choice rule; `top` rules transition (Next), nested ones (in And/Or/Not) do not."""
    if not isinstance(rule, dict):
        ctx.add(pointer, "a choice rule must be an object")
        return
    _check_unknown_fields(ctx, rule, pointer, _RULE_FIELDS[language], "in a choice rule",
                          _RULE_FIELDS[_other(language)] - _RULE_FIELDS[language], language)
    if top and "Next" not in rule:
        ctx.add(pointer, "the field 'Next' is required in a top-level choice rule")
    for field in ("Next", "Assign", "Output"):
        if not top and field in rule:
            ctx.add(_join(pointer, field), f"'{field}' is allowed only in a top-level choice"
                                           " rule, not inside And, Or or Not")
    if "Assign" in rule and top:
        _check_assign(ctx, rule["Assign"], _join(pointer, "Assign"), language)
    if language == JSONATA:
        _check_condition(ctx, rule, pointer)
    else:
        _check_comparison(ctx, rule, pointer, language)


def _check_condition(ctx: _Context, rule: dict, pointer: str) -> None:
    if "Output" in rule:
        _check_expressions(ctx, rule["Output"], _join(pointer, "Output"))
    if "Condition" not in rule:
        ctx.add(pointer, "the field 'Condition' is required in a JSONata choice rule")
        return
    condition = rule["Condition"]
    if _is_expression(condition):
        _check_expressions(ctx, condition, _join(pointer, "Condition"))
    elif not isinstance(condition, bool):
        ctx.add(_join(pointer, "Condition"),
                "'Condition' must be a boolean or a JSONata expression '{% ... %}'")


def _check_comparison(ctx: _Context, rule: dict, pointer: str, language: str) -> None:
    operators = [k for k in rule if k in COMPARISON_OPERATORS or k in BOOLEAN_COMBINATORS]
    if len(operators) != 1:
        found = f"found {', '.join(operators)}" if operators else "found none"
        ctx.add(pointer, "a choice rule needs exactly one comparison operator or And/Or/Not"
                         f" ({found})")
    for operator in operators:
        if operator in BOOLEAN_COMBINATORS:
            _check_combinator(ctx, rule, operator, pointer, language)
        else:
            _check_operator_value(ctx, operator, rule[operator], _join(pointer, operator))
    comparison = any(op in COMPARISON_OPERATORS for op in operators)
    if comparison:
        _check_variable(ctx, rule, pointer)
    elif "Variable" in rule and operators:
        ctx.add(_join(pointer, "Variable"), "'Variable' is not allowed with And, Or or Not")


def _check_variable(ctx: _Context, rule: dict, pointer: str) -> None:
    variable = rule.get("Variable")
    if "Variable" not in rule:
        ctx.add(pointer, "the field 'Variable' is required with a comparison operator")
    elif not isinstance(variable, str) or not variable.startswith("$"):
        ctx.add(_join(pointer, "Variable"), "'Variable' must be a path string starting with '$'")


def _check_combinator(
    ctx: _Context, rule: dict, operator: str, pointer: str, language: str
) -> None:
    value = rule[operator]
    field_pointer = _join(pointer, operator)
    if operator == "Not":
        _check_rule(ctx, value, field_pointer, language, top=False)
    elif not isinstance(value, list) or not value:
        ctx.add(field_pointer, f"'{operator}' must be a non-empty array of choice rules")
    else:
        for index, nested in enumerate(value):
            _check_rule(ctx, nested, _join(field_pointer, index), language, top=False)


def _check_operator_value(ctx: _Context, operator: str, value: Any, pointer: str) -> None:
    if operator in PATH_OPERATORS:
        ok, expected = isinstance(value, str) and value.startswith("$"), "a path string ('$...')"
    elif operator in NUMERIC_OPERATORS:
        ok, expected = _is_number(value), "a number"
    elif operator in BOOLEAN_OPERATORS:
        ok, expected = isinstance(value, bool), "a boolean"
    elif operator in TIMESTAMP_OPERATORS:
        ok, expected = _is_timestamp(value), "an RFC 3339 timestamp string"
    else:
        ok, expected = isinstance(value, str), "a string"
    if not ok:
        ctx.add(pointer, f"the value of '{operator}' must be {expected}")


# --- Retry and Catch ----------------------------------------------------------------------


def _check_retry(ctx: _Context, retry: Any, pointer: str, states: dict, language: str) -> None:
    if not isinstance(retry, list):
        ctx.add(pointer, "'Retry' must be an array of retriers")
        return
    for index, retrier in enumerate(retry):
        item_pointer = _join(pointer, index)
        if not isinstance(retrier, dict):
            ctx.add(item_pointer, "a retrier must be an object")
            continue
        _check_unknown_fields(ctx, retrier, item_pointer, RETRIER_FIELDS, "in a retrier")
        _check_error_equals(ctx, retrier, item_pointer, last=index == len(retry) - 1)
        _check_retrier_numbers(ctx, retrier, item_pointer)


def _check_retrier_numbers(ctx: _Context, retrier: dict, pointer: str) -> None:
    for field, minimum, maximum in (("IntervalSeconds", 1, MAX_SECONDS),
                                    ("MaxAttempts", 0, MAX_SECONDS),
                                    ("MaxDelaySeconds", 1, MAX_SECONDS)):
        if field in retrier:
            _check_integer(ctx, retrier, field, pointer, minimum, maximum, expression=False)
    rate = retrier.get("BackoffRate", 1.0)
    if not _is_number(rate) or rate < 1.0:
        ctx.add(_join(pointer, "BackoffRate"), "'BackoffRate' must be a number >= 1.0")
    if "JitterStrategy" in retrier:
        _check_enum(ctx, retrier, "JitterStrategy", pointer, ("FULL", "NONE"))


def _check_catch(ctx: _Context, catch: Any, pointer: str, states: dict, language: str) -> None:
    if not isinstance(catch, list):
        ctx.add(pointer, "'Catch' must be an array of catchers")
        return
    allowed = CATCHER_FIELDS["both"] | CATCHER_FIELDS[language]
    for index, catcher in enumerate(catch):
        item_pointer = _join(pointer, index)
        if not isinstance(catcher, dict):
            ctx.add(item_pointer, "a catcher must be an object")
            continue
        _check_unknown_fields(ctx, catcher, item_pointer, allowed, "in a catcher",
                              CATCHER_FIELDS[_other(language)], language)
        _check_error_equals(ctx, catcher, item_pointer, last=index == len(catch) - 1)
        if "Next" not in catcher:
            ctx.add(item_pointer, "the field 'Next' is required in a catcher")
        else:
            _check_target(ctx, catcher["Next"], _join(item_pointer, "Next"), states, "Next")
        _check_catcher_output(ctx, catcher, item_pointer, language)


def _check_catcher_output(ctx: _Context, catcher: dict, pointer: str, language: str) -> None:
    if "Assign" in catcher:
        _check_assign(ctx, catcher["Assign"], _join(pointer, "Assign"), language)
    if language == JSONATA and "Output" in catcher:
        _check_expressions(ctx, catcher["Output"], _join(pointer, "Output"))
    if language == JSONPATH and "ResultPath" in catcher:
        _check_result_path(ctx, catcher["ResultPath"], _join(pointer, "ResultPath"))


def _check_error_equals(ctx: _Context, handler: dict, pointer: str, last: bool) -> None:
    """ErrorEquals: non-empty strings; States.ALL alone, and only in the last handler."""
    errors = handler.get("ErrorEquals")
    field_pointer = _join(pointer, "ErrorEquals")
    if "ErrorEquals" not in handler:
        ctx.add(pointer, "the field 'ErrorEquals' is required")
        return
    if not isinstance(errors, list) or not errors or not all(isinstance(e, str) for e in errors):
        ctx.add(field_pointer, "'ErrorEquals' must be a non-empty array of error names")
        return
    if ALL in errors and len(errors) > 1:
        ctx.add(field_pointer, f"'{ALL}' must appear alone in 'ErrorEquals'")
    if ALL in errors and not last:
        ctx.add(field_pointer, f"'{ALL}' must be in the last retrier or catcher")


_CHECK_ERROR_HANDLERS = {"Retry": _check_retry, "Catch": _check_catch}


# --- Assign, payload templates, JSONata strings -------------------------------------------


def _check_assign(ctx: _Context, assign: Any, pointer: str, language: str) -> None:
    """Variable names, and the values as templates (JSONPath) or expressions (JSONata)."""
    if not isinstance(assign, dict):
        ctx.add(pointer, "'Assign' must be an object of variable names to values")
        return
    for key in assign:
        name = key[:-2] if language == JSONPATH and key.endswith(".$") else key
        _check_variable_name(ctx, name, _join(pointer, key))
    _check_payload(ctx, assign, pointer, language, "Assign")


def _check_variable_name(ctx: _Context, name: str, pointer: str) -> None:
    if name == "states":
        ctx.add(pointer, "'states' is reserved and cannot be assigned as a variable")
    elif len(name) > MAX_VARIABLE_NAME:
        ctx.add(pointer, f"variable name '{name[:20]}...' is longer than {MAX_VARIABLE_NAME}"
                         " characters")
    elif not name.isidentifier():
        ctx.add(pointer, f"'{name}' is not a valid variable name: use a letter or '_' followed"
                         " by letters, digits or '_'")


def _check_template(ctx: _Context, value: Any, pointer: str, field: str) -> None:
    """A JSONPath payload template: an object; `.$` values are strings; no clashing keys."""
    if field in ("Parameters", "ResultSelector", "ItemSelector") and not isinstance(value, dict):
        ctx.add(pointer, f"'{field}' must be a JSON object (a payload template)")
        return
    _check_template_value(ctx, value, pointer)


def _check_template_value(ctx: _Context, value: Any, pointer: str) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_template_value(ctx, item, _join(pointer, index))
    elif isinstance(value, dict):
        plain = {key for key in value if not key.endswith(".$")}
        for key, item in value.items():
            key_pointer = _join(pointer, key)
            if key.endswith(".$"):
                _check_dynamic_key(ctx, key, item, key_pointer, plain)
            else:
                _check_template_value(ctx, item, key_pointer)


def _check_dynamic_key(ctx: _Context, key: str, item: Any, pointer: str, plain: set) -> None:
    if not isinstance(item, str):
        ctx.add(pointer, f"the value of '{key}' must be a string (a path or an intrinsic"
                         " function), since the key ends with '.$'")
    if key[:-2] in plain:
        ctx.add(pointer, f"'{key}' and '{key[:-2]}' give the same field once '.$' is"
                         " stripped: keep one")


def _check_expressions(ctx: _Context, value: Any, pointer: str) -> None:
    """Every string that opens a JSONata expression must close it and hold something."""
    if isinstance(value, str):
        if value.startswith("{%") and not (
            len(value) >= 4 and value.endswith("%}") and value[2:-2].strip()
        ):
            ctx.add(pointer, "a JSONata expression must be written '{% expression %}'"
                             f" (got {value[:40]!r})")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_expressions(ctx, item, _join(pointer, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_expressions(ctx, item, _join(pointer, key))


# --- generic field checks -----------------------------------------------------------------


def _check_exclusive(ctx: _Context, obj: dict, pointer: str, fields: tuple[str, ...]) -> None:
    present = [f for f in fields if f in obj]
    if len(present) > 1:
        ctx.add(_join(pointer, present[-1]),
                f"{' and '.join(repr(f) for f in present)} are mutually exclusive: keep one")


def _check_integer(
    ctx: _Context,
    obj: dict,
    field: str,
    pointer: str,
    minimum: int,
    maximum: int | None,
    expression: bool,
) -> None:
    value = obj[field]
    if expression and _is_expression(value):
        _check_expressions(ctx, value, _join(pointer, field))
        return
    if _is_int(value) and value >= minimum and (maximum is None or value <= maximum):
        return
    bounds = f"from {minimum} to {maximum}" if maximum is not None else f">= {minimum}"
    alternative = " or a JSONata expression" if expression else _jsonata_hint(value)
    ctx.add(_join(pointer, field), f"'{field}' must be an integer {bounds}{alternative}")


def _jsonata_hint(value: Any) -> str:
    """Why a `{% %}` string is refused where the state's language is JSONPath."""
    if _is_expression(value):
        return " (a '{% %}' expression needs \"QueryLanguage\": \"JSONata\")"
    return ""


def _check_enum(ctx: _Context, obj: dict, field: str, pointer: str, values: tuple) -> None:
    if field in obj and obj[field] not in values:
        ctx.add(_join(pointer, field),
                f"'{field}' must be one of {', '.join(values)}, not {obj[field]!r}")


def _check_string_fields(ctx: _Context, obj: dict, pointer: str, fields: Iterable[str]) -> None:
    for field in fields:
        if field in obj and not isinstance(obj[field], str):
            ctx.add(_join(pointer, field), f"'{field}' must be a string")


def _is_timestamp(value: Any) -> bool:
    """RFC 3339 as the spec restricts it: uppercase T and Z, a real date and time."""
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if not match:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        date(year, month, day)
    except ValueError:
        return False
    offset_ok = match[9] is None or (int(match[9]) <= 23 and int(match[10]) <= 59)
    return hour <= 23 and minute <= 59 and second <= 59 and offset_ok


_TYPE_CHECKS = {
    "Task": _check_task,
    "Parallel": _check_parallel,
    "Map": _check_map,
    "Pass": _check_pass,
    "Wait": _check_wait,
    "Choice": _check_choice,
    "Succeed": _check_succeed,
    "Fail": _check_fail,
}
