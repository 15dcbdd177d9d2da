"""The walk over a definition: the top level, each scope of States (the top level, a Parallel
branch, a Map processor) and each state in it, dispatched to the checks of its type.

Parallel and Map are checked here, not with the other state types, because their branches and
processors are scopes in turn: the recursion stays in this module, and the modules it calls never
call back.
"""

from __future__ import annotations

from typing import Any

from .choice_rules import check_choice
from .context import Context, join
from .error_handling import CHECK_ERROR_HANDLERS
from .field_checks import (
    check_enum,
    check_exclusive,
    check_integer,
    check_string_fields,
    check_unknown_fields,
)
from .fields import (
    BRANCH_FIELDS,
    JSONATA,
    LANGUAGES,
    MAX_SECONDS,
    PROCESSOR_FIELDS,
    STATE_FIELDS,
    other,
)
from .map_state import (
    check_item_batcher,
    check_item_reader,
    check_label,
    check_map_items,
    check_percentage,
    check_processor_config,
    check_result_writer,
)
from .states import (
    check_fail,
    check_io_fields,
    check_pass,
    check_query_language,
    check_state_name,
    check_succeed,
    check_task,
    check_wait,
)
from .templates import check_assign
from .transitions import check_next_or_end, check_reachability, check_target, check_terminal_state

# --- top level and state machines ---------------------------------------------------------


def check_top_level(ctx: Context, definition: dict) -> None:
    """Fields only the top level has: QueryLanguage, TimeoutSeconds, Version."""
    if "QueryLanguage" in definition:
        check_enum(ctx, definition, "QueryLanguage", "", LANGUAGES)
    if "TimeoutSeconds" in definition:
        check_integer(ctx, definition, "TimeoutSeconds", "", 1, MAX_SECONDS, expression=False)
    check_string_fields(ctx, definition, "", ("Version", "Comment"))


def check_machine(
    ctx: Context, machine: dict, pointer: str, allowed: frozenset, where: str
) -> None:
    """A States/StartAt scope: the top level, a Parallel branch or a Map's processor."""
    check_unknown_fields(ctx, machine, pointer, allowed, where)
    missing = [f for f in ("StartAt", "States") if f not in machine]
    if missing:
        ctx.add(pointer, f"these fields are required: {', '.join(missing)}")
    states = machine.get("States")
    if "States" in machine and (not isinstance(states, dict) or not states):
        ctx.add(join(pointer, "States"), "'States' must be a non-empty object of states")
        states = None
    states = states or {}
    start = machine.get("StartAt")
    if "StartAt" in machine and states:
        check_target(ctx, start, join(pointer, "StartAt"), states, "StartAt")
    for name, state in states.items():
        _check_state(ctx, name, state, join(pointer, "States", name), states)
    if states:
        check_terminal_state(ctx, states, pointer)
    if isinstance(start, str) and start in states:
        check_reachability(ctx, start, states, pointer)


def _check_state(ctx: Context, name: str, state: Any, pointer: str, states: dict) -> None:
    check_state_name(ctx, name, pointer)
    if not isinstance(state, dict):
        ctx.add(pointer, "a state must be a JSON object")
        return
    kind = state.get("Type")
    if not isinstance(kind, str) or kind not in STATE_FIELDS:
        message = "the field 'Type' is required" if kind is None else (
            f"'Type' must be one of {', '.join(STATE_FIELDS)}, not {kind!r}")
        ctx.add(join(pointer, "Type") if kind is not None else pointer, message)
        return
    language = check_query_language(ctx, state, pointer)
    fields = STATE_FIELDS[kind]
    allowed = fields["both"] | fields[language]
    check_unknown_fields(ctx, state, pointer, allowed, f"in a {kind} state",
                         fields[other(language)], language)
    check_string_fields(ctx, state, pointer, ("Comment",))
    check_next_or_end(ctx, kind, state, pointer, states)
    check_io_fields(ctx, state, pointer, language)
    if "Assign" in state and "Assign" in allowed:
        check_assign(ctx, state["Assign"], join(pointer, "Assign"), language)
    for field in ("Retry", "Catch"):
        if field in state and field in allowed:
            CHECK_ERROR_HANDLERS[field](ctx, state[field], join(pointer, field), states, language)
    _TYPE_CHECKS[kind](ctx, state, pointer, language)


# --- per-type checks ----------------------------------------------------------------------


def _check_parallel(ctx: Context, state: dict, pointer: str, language: str) -> None:
    branches = state.get("Branches")
    field_pointer = join(pointer, "Branches")
    if "Branches" not in state:
        ctx.add(pointer, "the field 'Branches' is required in a Parallel state")
    elif not isinstance(branches, list) or not branches:
        ctx.add(field_pointer, "'Branches' must be a non-empty array of state machines")
    else:
        for index, branch in enumerate(branches):
            _check_sub_machine(ctx, branch, join(field_pointer, index), BRANCH_FIELDS,
                               "in a Parallel branch")


def _check_sub_machine(
    ctx: Context, machine: Any, pointer: str, allowed: frozenset, where: str
) -> None:
    if isinstance(machine, dict):
        check_machine(ctx, machine, pointer, allowed, where)
    else:
        ctx.add(pointer, "must be an object with 'StartAt' and 'States'")


def _check_map(ctx: Context, state: dict, pointer: str, language: str) -> None:
    _check_map_processor(ctx, state, pointer)
    expression = language == JSONATA
    for group in (("ItemSelector", "Parameters"), ("MaxConcurrency", "MaxConcurrencyPath"),
                  ("ToleratedFailureCount", "ToleratedFailureCountPath"),
                  ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath")):
        check_exclusive(ctx, state, pointer, group)
    for field in ("MaxConcurrency", "ToleratedFailureCount"):
        if field in state:
            check_integer(ctx, state, field, pointer, 0, None, expression)
    if "ToleratedFailurePercentage" in state:
        check_percentage(ctx, state, pointer, expression)
    check_string_fields(ctx, state, pointer, ("ItemsPath", "MaxConcurrencyPath",
                                              "ToleratedFailureCountPath",
                                              "ToleratedFailurePercentagePath"))
    if "Label" in state:
        check_label(ctx, state["Label"], join(pointer, "Label"))
    check_map_items(ctx, state, pointer, language)
    for field, check in (("ItemReader", check_item_reader), ("ItemBatcher", check_item_batcher),
                         ("ResultWriter", check_result_writer)):
        if field in state:
            check(ctx, state[field], join(pointer, field), language)


def _check_map_processor(ctx: Context, state: dict, pointer: str) -> None:
    present = [f for f in ("ItemProcessor", "Iterator") if f in state]
    if not present:
        ctx.add(pointer, "a Map state needs 'ItemProcessor' (or the deprecated 'Iterator')")
    elif len(present) == 2:
        ctx.add(join(pointer, "Iterator"), "'ItemProcessor' and 'Iterator' are mutually"
                                           " exclusive: keep 'ItemProcessor'")
    for field in present:
        processor = state[field]
        _check_sub_machine(ctx, processor, join(pointer, field), PROCESSOR_FIELDS,
                           f"in a Map '{field}'")
        if isinstance(processor, dict) and "ProcessorConfig" in processor:
            check_processor_config(ctx, processor["ProcessorConfig"],
                                   join(pointer, field, "ProcessorConfig"))


_TYPE_CHECKS = {
    "Task": check_task,
    "Parallel": _check_parallel,
    "Map": _check_map,
    "Pass": check_pass,
    "Wait": check_wait,
    "Choice": check_choice,
    "Succeed": check_succeed,
    "Fail": check_fail,
}
