"""JavaScript's number and JSON text, and the arithmetic, equality and ordering JSONata takes
from it."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from jsonata import jexception, parser, utils
from jsonata.jsonata import Jsonata

from .values import MISSING, NULL


def _js_number(value: Any) -> str:
    """Number.prototype.toString for a double (ECMAScript's shortest round trip)."""
    if type(value) is int:
        if abs(value) < 2**53:
            return str(value)
        try:
            value = float(value)
        except OverflowError:  # past the double's range: Infinity to JavaScript
            value = math.inf if value > 0 else -math.inf
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    raw = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)  # value = 0.raw * 10**point
    digits = raw.lstrip("0")
    point -= len(raw) - len(digits)
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        e = point - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + text


def _precision15(value: Any) -> Any:
    """Number(value.toPrecision(15)), as $string rounds numbers."""
    if type(value) is int and abs(value) < 10**15:
        return value
    return float(f"{value:.15g}")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_string(text: str) -> str:
    """JSON.stringify of a string: non-ASCII kept, a lone surrogate escaped (`"\\ud800"`)."""
    return _surrogates_escaped(json.dumps(text, ensure_ascii=False))


def _surrogates_escaped(text: str) -> str:
    """JSON text with each lone surrogate written as JSON.stringify writes it (`\\ud800`)."""
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found.group(0)):04x}", text)


def _js_json(value: Any, precise: bool, indent: str | None, depth: int) -> str | None:
    """JSON.stringify with $string's replacer (15 significant digits, functions as "")."""
    if value is None or value is NULL:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is str:
        return _json_string(value)
    if kind is int or kind is float:
        if kind is float and not math.isfinite(value):
            if precise:  # $string's replacer checks every number it meets
                raise jexception.JException("D1001", -1, value)
            return "null"
        return _js_number(_precision15(value) if precise else value)
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            text = _js_json(item, precise, indent, depth + 1)
            if text is not None:
                items.append((_json_string(str(key)), text))
        if not items:
            return "{}"
        if indent is None:
            return "{" + ",".join(f"{key}:{text}" for key, text in items) + "}"
        inner, outer = "\n" + indent * (depth + 1), "\n" + indent * depth
        return "{" + ",".join(f"{inner}{key}: {text}" for key, text in items) + outer + "}"
    if isinstance(value, list):
        texts = [_js_json(item, precise, indent, depth + 1) or "null" for item in value]
        if not texts:
            return "[]"
        if indent is None:
            return "[" + ",".join(texts) + "]"
        inner, outer = "\n" + indent * (depth + 1), "\n" + indent * depth
        return "[" + ",".join(inner + text for text in texts) + outer + "]"
    return '""'  # a function: $string's replacer turns it into ""


def js_string(value: Any, prettify: Any = None) -> str | None:
    """$string(value, prettify) as JSONata (JavaScript) writes it."""
    if isinstance(value, utils.Utils.JList) and value.outer_wrapper:
        value = value[0]
    if value is None:
        return None
    if type(value) is str:
        return value
    if isinstance(value, (Jsonata.JFunctionCallable, parser.Parser.Symbol)):
        return ""
    if type(value) is float and not math.isfinite(value):
        raise jexception.JException("D3001", -1)
    if not prettify and type(value) in _CONTAINERS and _plain_json(value):
        return _surrogates_escaped(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_null))
    return _js_json(value, True, "  " if prettify else None, 0)


_CONTAINERS = (list, dict, utils.Utils.JList)
_PLAIN_LEAVES = (str, bool, type(None))


def _plain_json(value: Any) -> bool:
    """Whether Python's json module writes `value` as JSON.stringify does: no float (Python
    writes 100.0 and 1e-07), ints below 10**15 (past it $string rounds to 15 digits), lists
    that hold their items (a RangeList does not) and no function."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is utils.Utils.JList:
            stack.extend(item)
        elif kind is int:
            if not -10**15 < item < 10**15:
                return False
        elif kind not in _PLAIN_LEAVES and item is not NULL:
            return False
    return True


def _null(value: Any) -> None:
    if value is NULL:
        return None
    raise TypeError(value)


def js_stringify(value: Any) -> str:
    """JSON.stringify for a message insert (undefined prints as "undefined")."""
    if value is MISSING or value is None:
        return "undefined"
    if isinstance(value, (Jsonata.JFunctionCallable, parser.Parser.Symbol)):
        return "undefined"
    return _js_json(value, False, None, 0) or "undefined"


EXACT = 2.0**53


def double(value: Any) -> Any:
    """A number as JavaScript holds it: an int past 2**53 (the input's, a Task result's: Python
    keeps them exact) as the nearest double, Infinity past the double's range; else as it is."""
    if type(value) is int and not -EXACT <= value <= EXACT:
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return value


def js_arithmetic(op: str, lhs: Any, rhs: Any) -> Any:
    """JavaScript's double arithmetic; an exact whole result comes back as int."""
    a, b = float(lhs), float(rhs)
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    elif op == "/":
        if b == 0:
            result = math.nan if a == 0 or a != a else math.copysign(math.inf, a) * math.copysign(1, b)
        else:
            result = a / b
    else:  # "%": JavaScript's remainder keeps the dividend's sign and the fraction
        result = math.nan if b == 0 or math.isinf(a) else math.fmod(a, b)
    if -EXACT < result < EXACT and result.is_integer():
        return int(result)
    return result


def js_kind(value: Any) -> int:
    """JSON kinds for equality: 0 null, 1 boolean, 2 number, 3 string, 4 array, 5 object."""
    kind = type(value)
    if kind is str:
        return 3
    if kind is bool:
        return 1
    if kind is int or kind is float:
        return 2
    if value is None or value is NULL:
        return 0
    if isinstance(value, list):
        return 4
    if isinstance(value, dict):
        return 5
    return 6


def array_position(index: Any, length: int) -> int | None:
    """The position a filter's index names in an array of `length` items (floored, as
    jsonata-js does; a negative one counted from the end), or None past either end."""
    at = math.floor(index)
    if at < 0:
        at += length
    return at if 0 <= at < length else None


_EXACT = 2**53  # below it, numbers equal as doubles are equal for Python (an int past it rounds to another)


def js_includes(value: Any, items: Any) -> bool:
    """`in`, with JavaScript's ===: scalars by value and kind, containers by identity."""
    if value is None or items is None:
        return False
    items = items if isinstance(items, list) else [items]
    kind = js_kind(value)
    if kind == 3:  # a str is === only to an equal str, which Python's `in` finds without a call per item
        return value in items
    if kind == 2 and abs(value) < _EXACT:  # Python's == of numbers this small is JavaScript's; a bool is
        start = 0  # == to 1 or 0 for Python only (list.index runs without a call per item)
        while True:
            try:
                start = items.index(value, start) + 1
            except ValueError:
                return False
            if type(items[start - 1]) is not bool:
                return True
    if kind == 2:  # (as doubles: an int past 2**53 is the nearest one)
        return any(js_kind(item) == 2 and double(item) == double(value) for item in items)
    return any((js_kind(item) == kind and item == value) if kind <= 3 else item is value for item in items)


def js_equal(a: Any, b: Any) -> bool:
    """JSONata's deep equality (null in data and the null literal are the same value)."""
    kind = js_kind(a)
    if kind != js_kind(b):
        return False
    if kind == 0:
        return True
    if kind == 2:
        return double(a) == double(b)
    if kind <= 3:
        return a == b
    if kind == 4:
        return len(a) == len(b) and all(js_equal(x, y) for x, y in zip(a, b, strict=True))
    if kind == 5:
        return a.keys() == b.keys() and all(js_equal(item, b[key]) for key, item in a.items())
    return a is b


def join_surrogates(text: str) -> str:
    """`text` with each UTF-16 surrogate pair (as `"\\uD834\\uDD1E"` writes it) made the one
    character it stands for, as a JavaScript string holds it; a lone surrogate stays."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def rejoined(text: str) -> str:
    """`text` with surrogate halves that became neighbours (by `&`, `$join`, `$replace`) made
    the one character JavaScript reads them as, so the emulator holds each string one way."""
    if text.isascii() or _SURROGATE_PAIR.search(text) is None:
        return text
    return join_surrogates(text)


def utf16_units(text: str) -> str:
    """`text` as a JavaScript string holds it: a character beyond U+FFFF as its two surrogates
    (each a code point of the result), so `list()`, `find` and `split` go by UTF-16 code units."""
    if text.isascii() or max(text) <= "\uffff":
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF)))
        else:
            out.append(ch)
    return "".join(out)


def has_surrogate(text: str) -> bool:
    """Whether `text` holds a lone surrogate (only such a pattern can match half a character)."""
    return not text.isascii() and _LONE_SURROGATE.search(text) is not None


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def js_compare(op: str, a: Any, b: Any) -> Any:
    """JSONata's < <= > >=: numbers with numbers, strings with strings (by UTF-16 code units)."""
    kind_a, kind_b = type(a), type(b)
    number_a = kind_a is int or kind_a is float
    number_b = kind_b is int or kind_b is float
    if not (a is None or number_a or kind_a is str) or not (b is None or number_b or kind_b is str):
        raise jexception.JException("T2010", 0, op, a if a is not None else b)
    if a is None or b is None:
        return None
    if number_a != number_b:
        raise jexception.JException("T2009", 0, a, b, op)
    if number_a:
        a, b = double(a), double(b)
    if not number_a and not (a.isascii() and b.isascii()):
        a, b = _utf16(a), _utf16(b)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b
