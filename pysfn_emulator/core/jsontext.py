"""JSON text as Step Functions reads and writes it: the JSON boundary.

Writing: compact, in causes, history details and size checks.

Reading: every value that enters an execution from outside (the execution input, a definition,
JSON text that `States.StringToJson`, an ItemReader or a StartExecution task parses, a number
literal in an intrinsic, a handler's or a mock's result) passes through `loads` or `accept`, so
the rest of the emulator meets only what AWS's own parser (Jackson) would hand it
(docs/json-numbers.md):

- integers are exact, of any length Python reads (Jackson keeps big ones as BigInteger);
- a number too large for a double (`1e400`) is what Jackson makes of it once written back:
  the string "Infinity" (or "-Infinity"); no non-finite float exists inside an execution;
- `NaN`, `Infinity` and `-Infinity` are not JSON: text holding them is refused, and so is a
  Python value holding a non-finite float (no JSON text can carry it);
- strings may hold a lone surrogate (Jackson reads the escape "\\ud800"); its size is
  counted as Java's UTF-8 encoder writes it, one byte ("?").
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .jsondeep import Memo, copy, encode, measuring_memo

PAYLOAD_LIMIT_BYTES = 256 * 1024

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# Escaped text for copies: "\\ud83d\\ude00" read back is one character, so a surrogate pair
# that a Python string holds as two code points becomes the character it stands for.
_encode_ascii = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


class NotJson(ValueError):
    """A value, or JSON text, that AWS's JSON parser would not accept: `what` is wrong, at the
    JSON pointer `pointer` (None: unknown)."""

    def __init__(self, what: str, pointer: str | None = None):
        super().__init__(what if pointer is None else f"{what} (at {pointer or '/'})")
        self.what = what
        self.pointer = pointer


def dumps(value: Any, memo: Memo | None = None) -> str:
    """Compact JSON, non-ASCII kept as is (AWS does not escape it), at any nesting depth;
    `memo` reuses the texts of values written before (jsondeep.py)."""
    return encode(value, memo)


def size_in_bytes(value: Any) -> int:
    """The UTF-8 size AWS measures payloads by (a lone surrogate counts one byte, as Java's
    encoder replaces it with '?'). Sizes are measured state after state, each output often
    built around the last one: the last few texts are remembered (jsondeep.py)."""
    text = encode(value, measuring_memo())
    return len(text) if text.isascii() else len(text.encode("utf-8", "replace"))


def message_text(value: Any) -> str:
    """How AWS prints a JSON value inside a message: strings bare, the rest as JSON."""
    return value if isinstance(value, str) else encode(value)


def json_copy(value: Any) -> Any:
    """A value as it arrives on the other side of a JSON boundary (a handler's event, a
    response): a deep copy that also refuses what JSON cannot carry (ValueError, TypeError),
    at any nesting depth."""
    return copy(value)


def number(text: str) -> int | float | str:
    """The value of a JSON number token: an exact int, a double, or for a number beyond the
    double's range the text Jackson writes for the double it parses ("Infinity")."""
    if "." not in text and "e" not in text and "E" not in text:
        return int(text)
    value = float(text)
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _refuse_constant(name: str) -> Any:
    raise NotJson(f"{name} is not a JSON value")


_decoder = json.JSONDecoder(parse_float=number, parse_constant=_refuse_constant)


def loads(text: str) -> Any:
    """JSON text as AWS reads it (see the module's docstring); ValueError if it is not JSON
    (json.JSONDecodeError with a position, or NotJson saying where NaN or Infinity is)."""
    try:
        return _decoder.decode(text)
    except RecursionError:  # Python's parser stops near Jackson's default depth limit (1,000)
        raise NotJson(_TOO_DEEP) from None
    except NotJson:
        try:
            found = not_json(json.loads(text))  # Python's reader takes NaN: find where it is
        except (ValueError, RecursionError):
            found = None
        raise (NotJson(found[1], found[0]) if found else NotJson("NaN or Infinity is not JSON")) from None


def accept(value: Any) -> Any:
    """A Python value as AWS would receive it written as JSON text, or NotJson saying what the
    first thing JSON cannot carry is, and where. The value itself when its text holds no
    surrogate (the common case: one encoding, no copy); else a copy in which a surrogate pair
    held as two code points is the character it stands for."""
    return accept_measured(value)[0]


def accept_measured(value: Any) -> tuple[Any, int]:
    """`accept`, and the accepted value's payload size, from the one encoding both need."""
    try:
        text = _encode(value)
        if text.isascii():
            return value, len(text)
        if not _SURROGATE.search(text):
            return value, len(text.encode("utf-8"))
        copy = loads(_encode_ascii(value))
        return copy, size_in_bytes(copy)
    except RecursionError:
        raise NotJson(_TOO_DEEP) from None
    except (TypeError, ValueError):
        found = not_json(value)
        raise (NotJson(found[1], found[0]) if found else NotJson("the value is not JSON")) from None


_TOO_DEEP = "the value is nested too deeply (JSON parsers stop near 1,000 levels)"
_SURROGATE = re.compile("[\ud800-\udfff]")


def not_json(value: Any) -> tuple[str, str] | None:
    """The first thing in a Python value that JSON text cannot carry (a non-finite number, an
    object of another type, a key that is not a string) as (JSON pointer, what it is); None
    if there is nothing. Iterative: any depth."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, where = stack.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if item.bit_length() > 10_000 and not _int_text(item):
                return where, "an integer with more digits than JSON text here can hold"
            continue
        if kind is float:
            if not math.isfinite(item):
                return where, f"{_constant(item)} is not a JSON value (JSON numbers have no NaN, Infinity or -Infinity)"
            continue
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    return where, f"the key {key!r} is not a string"
                token = str(key).replace("~", "~0").replace("/", "~1")
                stack.append((child, f"{where}/{token}"))
            continue
        if isinstance(item, (list, tuple)):
            stack.extend((child, f"{where}/{index}") for index, child in enumerate(item))
            continue
        if isinstance(item, (str, int, float)):  # subclasses (IntEnum, ...): JSON writes their value
            continue
        return where, f"a {kind.__name__} is not a JSON value"
    return None


def _constant(value: float) -> str:
    return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")


def _int_text(value: int) -> str:
    """The decimal text of an int, or "" past Python's limit on int-to-text conversion."""
    try:
        return str(value)
    except ValueError:
        return ""
