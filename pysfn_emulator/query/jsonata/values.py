"""How JSONata values are held in Python: the sentinels every module shares, and type names.

jsonata-python holds JSONata null as `NULL` and undefined as Python `None`; JSON read from
data holds null as `None`. `MISSING` marks an absent key or binding, `UNDEFINED` an
expression that produced nothing.
"""

from __future__ import annotations

from typing import Any

from jsonata import utils

NULL = utils.Utils.NULL_VALUE  # JSONata null; Python None is JSONata undefined
MISSING = object()
UNDEFINED = object()


def type_name(value: Any) -> str:
    """The JSONata type name of a JSON value (as `$type` and AWS's causes spell it)."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "function"
