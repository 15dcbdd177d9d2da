"""A Map state's own fields, beyond the scope of its processor (walked with the other machines):
ProcessorConfig, concurrency and tolerated failures, Label, Items and ItemSelector, ItemReader,
ItemBatcher and ResultWriter.
"""

from __future__ import annotations

import re
from typing import Any

from .context import Context, is_expression, is_number, join
from .field_checks import check_enum, check_exclusive, check_integer, check_unknown_fields
from .fields import JSONATA, JSONPATH, MAX_BATCH_BYTES, MAX_LABEL
from .templates import check_expressions, check_payload, check_template

# Characters AWS refuses in a Map Label (the AWS-recorded cases), as in resource names.
_LABEL_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:\x00-\x1f\x7f-\x9f]")


def check_processor_config(ctx: Context, config: Any, pointer: str) -> None:
    if not isinstance(config, dict):
        ctx.add(pointer, "'ProcessorConfig' must be an object")
        return
    check_unknown_fields(ctx, config, pointer, frozenset({"Mode", "ExecutionType"}),
                         "in 'ProcessorConfig'")
    check_enum(ctx, config, "Mode", pointer, ("INLINE", "DISTRIBUTED"))
    check_enum(ctx, config, "ExecutionType", pointer, ("STANDARD", "EXPRESS"))
    if config.get("Mode") == "DISTRIBUTED" and "ExecutionType" not in config:
        ctx.add(pointer, "'ExecutionType' (STANDARD or EXPRESS) is required when 'Mode' is"
                         " DISTRIBUTED")


def check_percentage(ctx: Context, state: dict, pointer: str, expression: bool) -> None:
    value = state["ToleratedFailurePercentage"]
    if expression and is_expression(value):
        check_expressions(ctx, value, join(pointer, "ToleratedFailurePercentage"))
        return
    if not is_number(value) or not 0 <= value <= 100:
        ctx.add(join(pointer, "ToleratedFailurePercentage"),
                "'ToleratedFailurePercentage' must be a number from 0 to 100")


def check_label(ctx: Context, label: Any, pointer: str) -> None:
    if not isinstance(label, str) or not label:
        ctx.add(pointer, "'Label' must be a non-empty string")
    elif len(label) > MAX_LABEL:
        ctx.add(pointer, f"'Label' must be at most {MAX_LABEL} characters (has {len(label)})")
    elif bad := _LABEL_FORBIDDEN.search(label):
        ctx.add(pointer, f"'Label' contains the character {bad.group()!r}, which is not allowed"
                         " (no whitespace, brackets, wildcards, control characters or"
                         " \"#%\\^|~`$&,;:)")


def check_map_items(ctx: Context, state: dict, pointer: str, language: str) -> None:
    """Items (JSONata) and the item template: ItemSelector, or the deprecated Parameters."""
    if language == JSONATA:
        items = state.get("Items")
        if "Items" in state and not isinstance(items, list) and not is_expression(items):
            ctx.add(join(pointer, "Items"), "'Items' must be an array or a JSONata expression")
        for field in ("Items", "ItemSelector"):
            if field in state:
                check_expressions(ctx, state[field], join(pointer, field))
        selector = state.get("ItemSelector")
        if "ItemSelector" in state and not isinstance(selector, dict) and not is_expression(
            selector
        ):
            ctx.add(join(pointer, "ItemSelector"),
                    "'ItemSelector' must be an object or a JSONata expression")
    elif "ItemSelector" in state:
        check_template(ctx, state["ItemSelector"], join(pointer, "ItemSelector"),
                       "ItemSelector")


def check_item_reader(ctx: Context, reader: Any, pointer: str, language: str) -> None:
    if not _check_config_object(ctx, reader, pointer, "ItemReader", language,
                                {"Resource", "ReaderConfig"}):
        return
    if "Resource" not in reader:
        ctx.add(pointer, "the field 'Resource' is required in 'ItemReader'")
    config = reader.get("ReaderConfig")
    if isinstance(config, dict):
        config_pointer = join(pointer, "ReaderConfig")
        check_exclusive(ctx, config, config_pointer, ("MaxItems", "MaxItemsPath"))
        if "MaxItems" in config:  # 0, as AWS accepts it, means no limit
            check_integer(ctx, config, "MaxItems", config_pointer, 0, None,
                          language == JSONATA)
    elif "ReaderConfig" in reader:
        ctx.add(join(pointer, "ReaderConfig"), "'ReaderConfig' must be an object")


def check_item_batcher(ctx: Context, batcher: Any, pointer: str, language: str) -> None:
    sizes = {"MaxItemsPerBatch": None, "MaxInputBytesPerBatch": MAX_BATCH_BYTES}
    path_fields = {f"{f}Path" for f in sizes} if language == JSONPATH else set()
    if not isinstance(batcher, dict):
        ctx.add(pointer, "'ItemBatcher' must be an object")
        return
    check_unknown_fields(ctx, batcher, pointer,
                         frozenset({*sizes, *path_fields, "BatchInput"}), "in 'ItemBatcher'")
    if not any(f in batcher for f in (*sizes, *path_fields)):
        ctx.add(pointer, "'ItemBatcher' needs 'MaxItemsPerBatch' or 'MaxInputBytesPerBatch'")
    for field, maximum in sizes.items():
        check_exclusive(ctx, batcher, pointer, (field, f"{field}Path"))
        if field in batcher:
            check_integer(ctx, batcher, field, pointer, 1, maximum, language == JSONATA)
    if "BatchInput" in batcher:
        check_payload(ctx, batcher["BatchInput"], join(pointer, "BatchInput"), language,
                      "BatchInput")


def check_result_writer(ctx: Context, writer: Any, pointer: str, language: str) -> None:
    _check_config_object(ctx, writer, pointer, "ResultWriter", language,
                         {"Resource", "WriterConfig"})


def _check_config_object(
    ctx: Context, obj: Any, pointer: str, name: str, language: str, fields: set[str]
) -> bool:
    """ItemReader / ResultWriter: an object with Parameters (JSONPath) or Arguments (JSONata)."""
    if not isinstance(obj, dict):
        ctx.add(pointer, f"'{name}' must be an object")
        return False
    template = "Parameters" if language == JSONPATH else "Arguments"
    check_unknown_fields(ctx, obj, pointer, frozenset(fields | {template}), f"in '{name}'")
    if template in obj:
        check_payload(ctx, obj[template], join(pointer, template), language, template)
    return True
