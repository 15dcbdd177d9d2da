"""Checks of one field or a group of fields, shared by every kind of object: unknown fields (with
a hint when a field belongs to the other query language), mutually exclusive fields, integers
within bounds, enumerations, strings and RFC 3339 timestamps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from .context import Context, is_expression, is_int, join
from .fields import LANGUAGE_HINTS
from .templates import check_expressions

# --- literal formats ----------------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$"
)


# --- generic field checks -----------------------------------------------------------------


def check_unknown_fields(
    ctx: Context,
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
            hint = LANGUAGE_HINTS.get(field, "")
            if not hint and field.endswith("Path") and field[:-4] in allowed:
                hint = f"use '{field[:-4]}' with a JSONata expression"
            ctx.add(join(pointer, field),
                    f"the field '{field}' is not allowed {where} whose QueryLanguage is"
                    f" {language}" + (f": {hint}" if hint else ""))
        else:
            ctx.add(join(pointer, field), f"unknown field '{field}' {where}")


def check_exclusive(ctx: Context, obj: dict, pointer: str, fields: tuple[str, ...]) -> None:
    present = [f for f in fields if f in obj]
    if len(present) > 1:
        ctx.add(join(pointer, present[-1]),
                f"{' and '.join(repr(f) for f in present)} are mutually exclusive: keep one")


def check_integer(
    ctx: Context,
    obj: dict,
    field: str,
    pointer: str,
    minimum: int,
    maximum: int | None,
    expression: bool,
) -> None:
    value = obj[field]
    if expression and is_expression(value):
        check_expressions(ctx, value, join(pointer, field))
        return
    if is_int(value) and value >= minimum and (maximum is None or value <= maximum):
        return
    bounds = f"from {minimum} to {maximum}" if maximum is not None else f">= {minimum}"
    alternative = " or a JSONata expression" if expression else jsonata_hint(value)
    ctx.add(join(pointer, field), f"'{field}' must be an integer {bounds}{alternative}")


def jsonata_hint(value: Any) -> str:
    """Why a `{% %}` string is refused where the state's language is JSONPath."""
    if is_expression(value):
        return " (a '{% %}' expression needs \"QueryLanguage\": \"JSONata\")"
    return ""


def check_enum(ctx: Context, obj: dict, field: str, pointer: str, values: tuple) -> None:
    if field in obj and obj[field] not in values:
        ctx.add(join(pointer, field),
                f"'{field}' must be one of {', '.join(values)}, not {obj[field]!r}")


def check_string_fields(ctx: Context, obj: dict, pointer: str, fields: Iterable[str]) -> None:
    for field in fields:
        if field in obj and not isinstance(obj[field], str):
            ctx.add(join(pointer, field), f"'{field}' must be a string")


def is_timestamp(value: Any) -> bool:
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
