"""Payload templates and JSONata strings: JSONPath templates and their `.$` keys, the `{% %}`
delimiters of JSONata expressions, and `Assign` (the variable names and their values).
"""

from __future__ import annotations

from typing import Any

from .context import Context, join
from .fields import JSONPATH, MAX_VARIABLE_NAME

# --- Assign, payload templates, JSONata strings -------------------------------------------


def check_assign(ctx: Context, assign: Any, pointer: str, language: str) -> None:
    """Variable names, and the values as templates (JSONPath) or expressions (JSONata)."""
    if not isinstance(assign, dict):
        ctx.add(pointer, "'Assign' must be an object of variable names to values")
        return
    for key in assign:
        name = key[:-2] if language == JSONPATH and key.endswith(".$") else key
        _check_variable_name(ctx, name, join(pointer, key))
    check_payload(ctx, assign, pointer, language, "Assign")


def _check_variable_name(ctx: Context, name: str, pointer: str) -> None:
    if name == "states":
        ctx.add(pointer, "'states' is reserved and cannot be assigned as a variable")
    elif len(name) > MAX_VARIABLE_NAME:
        ctx.add(pointer, f"variable name '{name[:20]}...' is longer than {MAX_VARIABLE_NAME}"
                         " characters")
    elif not name.isidentifier():
        ctx.add(pointer, f"'{name}' is not a valid variable name: use a letter or '_' followed"
                         " by letters, digits or '_'")


def check_template(ctx: Context, value: Any, pointer: str, field: str) -> None:
    """A JSONPath payload template: an object; `.$` values are strings; no clashing keys."""
    if field in ("Parameters", "ResultSelector", "ItemSelector") and not isinstance(value, dict):
        ctx.add(pointer, f"'{field}' must be a JSON object (a payload template)")
        return
    _check_template_value(ctx, value, pointer)


def _check_template_value(ctx: Context, value: Any, pointer: str) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_template_value(ctx, item, join(pointer, index))
    elif isinstance(value, dict):
        plain = {key for key in value if not key.endswith(".$")}
        for key, item in value.items():
            key_pointer = join(pointer, key)
            if key.endswith(".$"):
                _check_dynamic_key(ctx, key, item, key_pointer, plain)
            else:
                _check_template_value(ctx, item, key_pointer)


def _check_dynamic_key(ctx: Context, key: str, item: Any, pointer: str, plain: set) -> None:
    if not isinstance(item, str):
        ctx.add(pointer, f"the value of '{key}' must be a string (a path or an intrinsic"
                         " function), since the key ends with '.$'")
    if key[:-2] in plain:
        ctx.add(pointer, f"'{key}' and '{key[:-2]}' give the same field once '.$' is"
                         " stripped: keep one")


def check_expressions(ctx: Context, value: Any, pointer: str) -> None:
    """Every string that opens a JSONata expression must close it and hold something."""
    if isinstance(value, str):
        if value.startswith("{%") and not (
            len(value) >= 4 and value.endswith("%}") and value[2:-2].strip()
        ):
            ctx.add(pointer, "a JSONata expression must be written '{% expression %}'"
                             f" (got {value[:40]!r})")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_expressions(ctx, item, join(pointer, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            check_expressions(ctx, item, join(pointer, key))


def check_payload(ctx: Context, value: Any, pointer: str, language: str, field: str) -> None:
    if language == JSONPATH:
        check_template(ctx, value, pointer, field)
    else:
        check_expressions(ctx, value, pointer)
