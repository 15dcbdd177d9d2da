"""The 18 intrinsic functions, with the argument rules, limits and results AWS applies.

AWS runs intrinsics on the JVM (Jackson nodes, java.util.Random), which shows in the details
reproduced here: numbers are printed as Java prints them (`1.0E20`), an integer 1 and a double
1.0 are different values, seeded MathRandom is java.util.Random, lengths are counted in UTF-16
units. Where a recording in the AWS corpus settles a rule, the rule follows it (MathAdd rounds
half up; StringToJson of a blank string is null; Format prints objects as `{k=v, ...}`).

Each implementation takes the evaluated argument list and the random source (None: a fresh
unseeded generator), and raises
InvalidArguments for a value AWS rejects at run time; the call node (parser.py) turns that into
States.Runtime with AWS's wording. Arity is checked once, when the call is parsed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import random
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

import attrs

from ...core.java_random import JavaRandom
from ...core.jsondeep import write
from ...core.jsontext import loads

STRING_LIMIT = 10_000  # Hash, Base64Encode and Base64Decode inputs, in Java chars
RANGE_LIMIT = 1_000  # ArrayRange items
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
HASH_ALGORITHMS = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}


class InvalidArguments(Exception):
    """A value the function refuses at run time; `detail` is the sentence AWS appends."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


Implementation = Callable[[list[Any], Any], Any]


@attrs.frozen
class Signature:
    """What the parser needs to know about a function, and how to run it."""

    name: str
    min_args: int
    max_args: int | None  # None: no upper bound
    returns_string: bool  # allowed in a Fail state's ErrorPath / CausePath
    run: Implementation = attrs.field(repr=False)


def _invalid(name: str) -> InvalidArguments:
    return InvalidArguments(f"Invalid arguments in {name}")


# ---------------------------------------------------------------- Java-style rendering


def java_double(value: float) -> str:
    """Double.toString: shortest digits, at least one decimal, E notation outside [1e-3, 1e7)."""
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    exponent += len(digits) - len(text)
    point = len(text) + exponent  # position of the decimal point after the first digit run
    minus = "-" if sign else ""
    if 1e-3 <= abs(value) < 1e7:
        if point <= 0:
            return f"{minus}0.{'0' * -point}{text}"
        if point >= len(text):
            return f"{minus}{text}{'0' * (point - len(text))}.0"
        return f"{minus}{text[:point]}.{text[point:]}"
    return f"{minus}{text[0]}.{text[1:] or '0'}E{point - 1}"


def natural_string(value: Any) -> str:
    """How States.Format prints a value: Java's String.valueOf of the converted value."""
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        return java_double(value)
    if kind is dict:
        return "{" + ", ".join(f"{key}={natural_string(item)}" for key, item in value.items()) + "}"
    if kind is list:
        return "[" + ", ".join(natural_string(item) for item in value) + "]"
    return str(value)


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def _quote(text: str) -> str:
    return (
        '"'
        + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), text)
        + '"'
    )


def java_json(value: Any) -> str:
    """Compact JSON text as Jackson writes it (doubles via Double.toString, non-ASCII kept),
    at any nesting depth."""
    return write(value, _java_scalar, _quote)


def _java_scalar(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _quote(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        return java_double(value)
    return str(value)


def java_length(text: str) -> int:
    """String.length(): UTF-16 code units, so a character outside the BMP counts twice."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


# ---------------------------------------------------------------- JSON value helpers


def _key(value: Any) -> Any:
    """A hashable key under JsonNode equality: 1 and 1.0 differ, as do true and 1."""
    kind = type(value)
    if kind is dict:
        return ("o", frozenset((name, _key(item)) for name, item in value.items()))
    if kind is list:
        return ("a", tuple(_key(item) for item in value))
    if kind is float:
        return ("d", value, math.copysign(1.0, value))
    return (kind.__name__, value)


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def _to_int(name: str, value: Any) -> int:
    """A numeric argument as AWS takes it where the docs promise rounding: truncated (Java int)."""
    if not _is_number(value):
        raise _invalid(name)
    number = int(value)
    if not INT_MIN <= number <= INT_MAX:
        raise _invalid(name)
    return number


def _round_half_up(value: float) -> int:
    """Math.round: the nearest integer, halves toward positive infinity (-1.5 gives -1)."""
    floor = math.floor(value)
    return floor + 1 if value - floor >= 0.5 else floor


def _array(name: str, value: Any) -> list:
    if type(value) is not list:
        raise _invalid(name)
    return value


def _string(name: str, value: Any) -> str:
    if type(value) is not str:
        raise _invalid(name)
    return value


def _limited(name: str, text: str) -> str:
    if java_length(text) > STRING_LIMIT:
        raise _invalid(name)
    return text


# ---------------------------------------------------------------- States.Format templates


@attrs.frozen
class Template:
    """A Format template split into literal text and placeholders (None)."""

    parts: tuple[str | None, ...]
    placeholders: int


@lru_cache(maxsize=256)
def compile_template(raw: str) -> Template | InvalidArguments:
    """Split a template at each `{}`; \\' \\{ \\} \\\\ stand for the character; a stray brace
    is an error, returned (not raised) so that a literal template can be split at parse time
    and still fail only when it runs, as on AWS."""
    parts: list[str | None] = []
    text: list[str] = []
    index, size = 0, len(raw)
    while index < size:
        char = raw[index]
        if char == "\\" and index + 1 < size and raw[index + 1] in "'{}\\":
            text.append(raw[index + 1])
            index += 2
            continue
        if char == "{":
            if raw.startswith("{}", index):
                parts.append("".join(text))
                parts.append(None)
                text = []
                index += 2
                continue
            return InvalidArguments(
                "Invalid template in States.Format: matching '}' not found for '{'."
            )
        if char == "}":
            return InvalidArguments(
                "Invalid template in States.Format: matching '{' not found for '}'."
            )
        text.append(char)
        index += 1
    parts.append("".join(text))
    return Template(tuple(part for part in parts if part != ""), parts.count(None))


def render_template(template: Template | InvalidArguments, values: list[Any]) -> str:
    """Fill a compiled template; the number of `{}` must equal the number of values."""
    if isinstance(template, InvalidArguments):
        raise template
    if template.placeholders != len(values):
        raise InvalidArguments(
            "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}."
        )
    filled = iter(values)
    return "".join(
        natural_string(next(filled)) if part is None else part for part in template.parts
    )


def _format(args: list[Any], rng: Any) -> str:
    raw = args[0]
    if type(raw) is not str:
        raise _invalid("States.Format")
    return render_template(compile_template(raw), args[1:])


# ---------------------------------------------------------------- arrays


def _array_make(args: list[Any], rng: Any) -> list:
    return list(args)


def _array_partition(args: list[Any], rng: Any) -> list:
    array = _array("States.ArrayPartition", args[0])
    size = _to_int("States.ArrayPartition", args[1])
    if size <= 0:
        raise _invalid("States.ArrayPartition")
    return [array[start : start + size] for start in range(0, len(array), size)]


def _array_contains(args: list[Any], rng: Any) -> bool:
    array = _array("States.ArrayContains", args[0])
    wanted = _key(args[1])
    return any(_key(item) == wanted for item in array)


def _array_range(args: list[Any], rng: Any) -> list:
    first, last, step = (_to_int("States.ArrayRange", value) for value in args)
    if step == 0:
        raise _invalid("States.ArrayRange")
    count = (last - first) // step + 1 if (last - first) * step >= 0 else 0
    if count > RANGE_LIMIT:
        raise _invalid("States.ArrayRange")
    return list(range(first, first + count * step, step))


def _array_get_item(args: list[Any], rng: Any) -> Any:
    array = _array("States.ArrayGetItem", args[0])
    index = _to_int("States.ArrayGetItem", args[1])
    if index < 0:
        raise _invalid("States.ArrayGetItem")
    if not array:
        return None  # observed on AWS: any index into an empty array gives null
    if index >= len(array):
        raise _invalid("States.ArrayGetItem")
    return array[index]


def _array_length(args: list[Any], rng: Any) -> int:
    return len(_array("States.ArrayLength", args[0]))


def _array_unique(args: list[Any], rng: Any) -> list:
    seen: set = set()
    unique = []
    for item in _array("States.ArrayUnique", args[0]):
        key = _key(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


# ---------------------------------------------------------------- encoding and hashing


def _base64_encode(args: list[Any], rng: Any) -> str:
    text = _limited("States.Base64Encode", _string("States.Base64Encode", args[0]))
    return base64.b64encode(text.encode("utf-8", "replace")).decode("ascii")


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")


def _base64_decode(args: list[Any], rng: Any) -> str:
    """Lenient like AWS: characters outside the alphabet are skipped, decoding stops at `=`."""
    text = _limited("States.Base64Decode", _string("States.Base64Decode", args[0]))
    data = _NOT_BASE64.sub("", text).split("=", 1)[0]
    data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data
    try:
        raw = base64.b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        raise _invalid("States.Base64Decode") from None
    return raw.decode("utf-8", "replace")


def _hash(args: list[Any], rng: Any) -> str:
    data, algorithm = args
    text = data if type(data) is str else java_json(data)
    digest = HASH_ALGORITHMS.get(algorithm) if type(algorithm) is str else None
    if digest is None:
        raise _invalid("States.Hash")
    return digest(_limited("States.Hash", text).encode("utf-8", "replace")).hexdigest()


# ---------------------------------------------------------------- JSON


def _string_to_json(args: list[Any], rng: Any) -> Any:
    text = _string("States.StringToJson", args[0])
    if not text.strip():
        return None
    try:
        return loads(text)  # as Jackson reads it: no NaN, and 1e400 is "Infinity"
    except ValueError:
        raise _invalid("States.StringToJson") from None


def _json_to_string(args: list[Any], rng: Any) -> str:
    return java_json(args[0])


def _json_merge(args: list[Any], rng: Any) -> dict:
    first, second, deep = args
    if type(first) is not dict or type(second) is not dict or deep is not False:
        raise _invalid("States.JsonMerge")  # AWS supports only the shallow mode (false)
    return {**first, **second}


# ---------------------------------------------------------------- math


def _math_add(args: list[Any], rng: Any) -> int:
    total = 0
    for value in args:
        if not _is_number(value):
            raise _invalid("States.MathAdd")
        number = value if type(value) is int else _round_half_up(value)
        if not INT_MIN <= number <= INT_MAX:
            raise _invalid("States.MathAdd")
        total += number
    if not INT_MIN <= total <= INT_MAX:
        raise _invalid("States.MathAdd")
    return total


def _source(rng: Any) -> Any:
    """The caller's generator (an execution passes its own, seeded or not); a call evaluated
    outside any execution draws from a fresh one (nothing process-wide to share or reseed)."""
    return rng if rng is not None else random.Random()


def _math_random(args: list[Any], rng: Any) -> int:
    start = _to_int("States.MathRandom", args[0])
    end = _to_int("States.MathRandom", args[1])
    if start >= end or end - start > INT_MAX:
        raise _invalid("States.MathRandom")
    if len(args) == 3:
        seed = args[2]
        if not _is_number(seed):
            raise _invalid("States.MathRandom")
        return start + JavaRandom(int(seed)).next_int(end - start)
    return _source(rng).randrange(start, end)


# ---------------------------------------------------------------- strings and UUID


@lru_cache(maxsize=64)
def _splitter(delimiters: str) -> re.Pattern:
    return re.compile("[" + re.escape(delimiters) + "]")


def _string_split(args: list[Any], rng: Any) -> list[str]:
    text = _string("States.StringSplit", args[0])
    delimiters = _string("States.StringSplit", args[1])
    if not delimiters:
        return [text] if text else []
    pieces = text.split(delimiters) if len(delimiters) == 1 else _splitter(delimiters).split(text)
    return [piece for piece in pieces if piece]


def _uuid(args: list[Any], rng: Any) -> str:
    return str(uuid.UUID(int=_source(rng).getrandbits(128), version=4))


# ---------------------------------------------------------------- the table


def _signature(
    name: str, low: int, high: int | None, returns_string: bool, run: Implementation
) -> Signature:
    return Signature(f"States.{name}", low, high, returns_string, run)


FUNCTIONS: dict[str, Signature] = {
    signature.name: signature
    for signature in (
        _signature("Format", 1, None, True, _format),
        _signature("StringToJson", 1, 1, False, _string_to_json),
        _signature("JsonToString", 1, 1, True, _json_to_string),
        _signature("Array", 0, None, False, _array_make),
        _signature("ArrayPartition", 2, 2, False, _array_partition),
        _signature("ArrayContains", 2, 2, False, _array_contains),
        _signature("ArrayRange", 3, 3, False, _array_range),
        _signature("ArrayGetItem", 2, 2, True, _array_get_item),
        _signature("ArrayLength", 1, 1, False, _array_length),
        _signature("ArrayUnique", 1, 1, False, _array_unique),
        _signature("Base64Encode", 1, 1, True, _base64_encode),
        _signature("Base64Decode", 1, 1, True, _base64_decode),
        _signature("Hash", 2, 2, True, _hash),
        _signature("JsonMerge", 3, 3, False, _json_merge),
        _signature("MathRandom", 2, 3, False, _math_random),
        _signature("MathAdd", 2, 2, False, _math_add),
        _signature("StringSplit", 2, 2, False, _string_split),
        _signature("UUID", 0, 0, True, _uuid),
    )
}
