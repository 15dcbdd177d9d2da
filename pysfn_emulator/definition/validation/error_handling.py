"""Retry and Catch: the fields of retriers and catchers, ErrorEquals (States.ALL alone and in the
last handler), retry intervals and backoff, and what a catcher passes on (Next, ResultPath,
Output, Assign).
"""

from __future__ import annotations

from typing import Any

from ...core.errors import ALL
from .context import Context, is_number, join
from .field_checks import check_enum, check_integer, check_unknown_fields
from .fields import CATCHER_FIELDS, JSONATA, JSONPATH, MAX_SECONDS, RETRIER_FIELDS, other
from .states import check_result_path
from .templates import check_assign, check_expressions
from .transitions import check_target

# --- Retry and Catch ----------------------------------------------------------------------


def _check_retry(ctx: Context, retry: Any, pointer: str, states: dict, language: str) -> None:
    if not isinstance(retry, list):
        ctx.add(pointer, "'Retry' must be an array of retriers")
        return
    for index, retrier in enumerate(retry):
        item_pointer = join(pointer, index)
        if not isinstance(retrier, dict):
            ctx.add(item_pointer, "a retrier must be an object")
            continue
        check_unknown_fields(ctx, retrier, item_pointer, RETRIER_FIELDS, "in a retrier")
        _check_error_equals(ctx, retrier, item_pointer, last=index == len(retry) - 1)
        _check_retrier_numbers(ctx, retrier, item_pointer)


def _check_retrier_numbers(ctx: Context, retrier: dict, pointer: str) -> None:
    for field, minimum, maximum in (("IntervalSeconds", 1, MAX_SECONDS),
                                    ("MaxAttempts", 0, MAX_SECONDS),
                                    ("MaxDelaySeconds", 1, MAX_SECONDS)):
        if field in retrier:
            check_integer(ctx, retrier, field, pointer, minimum, maximum, expression=False)
    rate = retrier.get("BackoffRate", 1.0)
    if not is_number(rate) or rate < 1.0:
        ctx.add(join(pointer, "BackoffRate"), "'BackoffRate' must be a number >= 1.0")
    if "JitterStrategy" in retrier:
        check_enum(ctx, retrier, "JitterStrategy", pointer, ("FULL", "NONE"))


def _check_catch(ctx: Context, catch: Any, pointer: str, states: dict, language: str) -> None:
    if not isinstance(catch, list):
        ctx.add(pointer, "'Catch' must be an array of catchers")
        return
    allowed = CATCHER_FIELDS["both"] | CATCHER_FIELDS[language]
    for index, catcher in enumerate(catch):
        item_pointer = join(pointer, index)
        if not isinstance(catcher, dict):
            ctx.add(item_pointer, "a catcher must be an object")
            continue
        check_unknown_fields(ctx, catcher, item_pointer, allowed, "in a catcher",
                             CATCHER_FIELDS[other(language)], language)
        _check_error_equals(ctx, catcher, item_pointer, last=index == len(catch) - 1)
        if "Next" not in catcher:
            ctx.add(item_pointer, "the field 'Next' is required in a catcher")
        else:
            check_target(ctx, catcher["Next"], join(item_pointer, "Next"), states, "Next")
        _check_catcher_output(ctx, catcher, item_pointer, language)


def _check_catcher_output(ctx: Context, catcher: dict, pointer: str, language: str) -> None:
    if "Assign" in catcher:
        check_assign(ctx, catcher["Assign"], join(pointer, "Assign"), language)
    if language == JSONATA and "Output" in catcher:
        check_expressions(ctx, catcher["Output"], join(pointer, "Output"))
    if language == JSONPATH and "ResultPath" in catcher:
        check_result_path(ctx, catcher["ResultPath"], join(pointer, "ResultPath"))


def _check_error_equals(ctx: Context, handler: dict, pointer: str, last: bool) -> None:
    """ErrorEquals: non-empty strings; States.ALL alone, and only in the last handler."""
    errors = handler.get("ErrorEquals")
    field_pointer = join(pointer, "ErrorEquals")
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


CHECK_ERROR_HANDLERS = {"Retry": _check_retry, "Catch": _check_catch}
