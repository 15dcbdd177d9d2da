"""JSON text as Step Functions writes it: compact, in causes, history details and size checks."""

from __future__ import annotations

import json
from typing import Any

PAYLOAD_LIMIT_BYTES = 256 * 1024

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept as is (AWS does not escape it)."""
    return _encode(value)


def size_in_bytes(value: Any) -> int:
    """The UTF-8 size AWS measures payloads by."""
    text = _encode(value)
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def message_text(value: Any) -> str:
    """How AWS prints a JSON value inside a message: strings bare, the rest as JSON."""
    return value if isinstance(value, str) else _encode(value)


def json_copy(value: Any) -> Any:
    """A value as it arrives on the other side of a JSON boundary (a handler's event, a
    response): a deep copy that also refuses what JSON cannot carry."""
    return json.loads(_encode(value))
