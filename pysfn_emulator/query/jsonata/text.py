"""JSONata's string functions where jsonata-python differs from jsonata-js 2.0.6: matchers
(regexes and user-defined functions) in `$match`, `$replace`, `$split`, `$contains`; lengths in
code points; URL coding as JavaScript's encodeURI / decodeURI and their Component forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jsonata import functions as jfunctions
from jsonata import jexception, utils
from jsonata.jsonata import Jsonata

from .javascript import has_surrogate, join_surrogates, rejoined, utf16_units
from .messages import javascript_error
from .values import NULL


def _cannot_read(holder: Any, name: str) -> jexception.JException:
    """JavaScript's TypeError for reading a property of undefined or null."""
    what = "null" if holder is NULL else "undefined"
    return javascript_error(f"Cannot read properties of {what} (reading '{name}')")


def _property(value: Any, name: str) -> Any:
    """`value[name]` as JavaScript reads it: undefined (None) when absent or not an object."""
    if value is None or value is NULL:
        raise _cannot_read(value, name)
    return value.get(name) if isinstance(value, dict) else None


# ---------------------------------------------------------------- matchers


def _regex_matcher(pattern: Any, text: str, start: int = 0, units: str | None = None) -> dict | None:
    """jsonata-js's closure over a regex: the first match at or after `start`, with `next`
    continuing where it ended (JavaScript's lastIndex); a later match of empty text is D1004,
    as it would never progress. The regex runs over the text's UTF-16 code units, as
    JavaScript's (no `u` flag) does: a character beyond U+FFFF is two surrogates to it (`.`
    takes one, `[\\uD800-\\uDBFF]` finds the first), and `start` and `end` count code units."""
    if units is None:
        units = utf16_units(text)
    found = pattern.search(units, start)
    if found is None:
        return None
    end = found.end()

    def following() -> dict | None:
        if end >= len(units):
            return None
        result = _regex_matcher(pattern, text, end, units)
        if result is not None and result["match"] == "":
            raise jexception.JException("D1004", -1, pattern.pattern)
        return result

    def joined(part: str | None) -> str | None:
        return part if part is None or units is text else join_surrogates(part)

    return {
        "match": joined(found.group(0)),
        "start": found.start(),
        "end": end,
        "groups": [joined(group) for group in found.groups()],
        "next": _Next(following),
    }


def _is_function(value: Any) -> bool:
    return utils.Utils.is_function(value) or jfunctions.Functions.is_lambda(value)


class _Next(Jsonata.JFunctionCallable):
    """A regex match's `next`: a JSONata function of no arguments (`$m.next()` works, and
    `$string($m)` writes it as "", as jsonata-js does)."""

    def __init__(self, step: Callable[[], Any]):
        self.step = step

    def call(self, input: Any, args: Any) -> Any:  # the port's name
        return self.step()


def _call(function: Any, args: list) -> Any:
    return jfunctions.Functions.func_apply(function, args)


def _evaluate_matcher(matcher: Any, text: Any, name: str) -> Any:
    """jsonata-js's evaluateMatcher: call the matcher; a defined result that has none of
    `start` (a number), `groups` (an array) or `next` (a function) is T1010."""
    if matcher is None or matcher is NULL:
        raise _cannot_read(matcher, "apply")
    if jfunctions.Functions.is_regex(matcher):
        return _regex_matcher(matcher, text)
    result = _call(matcher, [text])
    if isinstance(result, utils.Utils.JList) and result.outer_wrapper:
        result = result[0]
    if result is not None and result is not NULL and result is not False and result != 0 and result != "":
        shaped = isinstance(result, dict) and (
            type(result.get("start")) in (int, float)
            or isinstance(result.get("groups"), list)
            or _is_function(result.get("next"))
        )
        if not shaped:
            raise jexception.JException("T1010", -1, name)
    return result


def _next(matches: Any, name: str) -> Any:
    following = _property(matches, "next")
    return _evaluate_matcher(following, None, name)


def match(text: Any, matcher: Any, limit: Any = None) -> Any:
    """$match(str, matcher, limit)."""
    if text is None:
        return None
    if limit is not None and limit < 0:
        raise jexception.JException("D3040", -1, limit)
    result = utils.Utils.create_sequence()
    if limit is None or limit > 0:
        count = 0
        matches = _evaluate_matcher(matcher, text, "match")
        while matches is not None and (limit is None or count < limit):
            item = {}
            for key, source in (("match", "match"), ("index", "start"), ("groups", "groups")):
                value = _property(matches, source)
                if value is not None:
                    item[key] = value
            result.append(item)
            matches = _next(matches, "match")
            count += 1
    return result


def _substring(text: str, start: Any, end: Any = None) -> str:
    """String.prototype.substring for the numbers a matcher gives (undefined end: the rest)."""
    def clamp(value: Any, default: int) -> int:
        if value is None or value is NULL:
            return default
        if type(value) not in (int, float) or value != value:
            return 0
        return max(0, min(len(text), int(value)))

    first, last = clamp(start, 0), clamp(end, len(text))
    return text[min(first, last) : max(first, last)]


def contains(text: Any, token: Any) -> Any:
    """$contains(str, token): a substring, or any match of a matcher."""
    if text is None:
        return None
    if isinstance(token, str):
        return token in (utf16_units(text) if has_surrogate(token) else text)
    return _evaluate_matcher(token, text, "contains") is not None


def split(text: Any, separator: Any, limit: Any = None) -> Any:
    """$split(str, separator, limit)."""
    if text is None:
        return None
    if limit is not None and limit < 0:
        raise jexception.JException("D3020", -1, limit)
    if limit is not None and limit == 0:
        return []
    if isinstance(separator, str):
        # JavaScript splits by UTF-16 code units: "" gives a character beyond U+FFFF as its two
        # surrogates, and a separator holding a lone surrogate can cut a character in half
        if separator == "":
            parts = list(utf16_units(text))
        elif has_surrogate(separator):
            parts = [join_surrogates(part) for part in utf16_units(text).split(separator)]
        else:
            parts = text.split(separator)
        return parts if limit is None else parts[: int(limit)]
    result: list = []
    count = 0
    matches = _evaluate_matcher(separator, text, "split")
    if matches is None:
        return [text]
    units = utf16_units(text)  # (a matcher's offsets count UTF-16 code units, as JavaScript's)
    start: Any = 0
    while matches is not None and (limit is None or count < limit):
        result.append(_substring(units, start, _property(matches, "start")))
        start = _property(matches, "end")
        matches = _next(matches, "split")
        count += 1
    if limit is None or count < limit:
        result.append(_substring(units, start))
    return result if units is text else [join_surrogates(part) for part in result]


def _dollar_replacer(replacement: str) -> Callable[[dict], str]:
    """jsonata-js's replacer for a replacement string: `$$`, `$0`, `$1`..., other `$` kept."""

    def substitute(found: dict) -> str:
        groups = found.get("groups") or []
        out = []
        position = 0
        index = replacement.find("$", position)
        while index != -1 and position < len(replacement):
            out.append(replacement[position:index])
            position = index + 1
            following = replacement[position : position + 1]
            if following == "$":
                out.append("$")
                position += 1
            elif following == "0":
                out.append(str(found.get("match", "")))
                position += 1
            else:
                digits = 1 if not groups else len(str(len(groups)))
                number = _leading_int(replacement[position : position + digits])
                if digits > 1 and number is not None and number > len(groups):
                    number = _leading_int(replacement[position : position + digits - 1])
                if number is not None:
                    if groups and 0 <= number - 1 < len(groups) and groups[number - 1] is not None:
                        out.append(groups[number - 1])
                    position += len(str(number))
                else:
                    out.append("$")
            index = replacement.find("$", position)
        out.append(replacement[position:])
        return "".join(out)

    return substitute


_LEADING_INT = re.compile(r"\s*[+-]?\d+")


def _leading_int(text: str) -> int | None:
    """JavaScript's parseInt(text, 10): the leading digits, or None for NaN."""
    found = _LEADING_INT.match(text)
    return int(found.group(0)) if found else None


def replace(text: Any, pattern: Any, replacement: Any, limit: Any = None) -> Any:
    """$replace(str, pattern, replacement, limit)."""
    if text is None:
        return None
    if pattern == "":
        raise jexception.JException("D3010", -1, pattern)
    if limit is not None and limit < 0:
        raise jexception.JException("D3011", -1, limit)
    if isinstance(replacement, str):
        replacer: Callable[[Any], Any] = _dollar_replacer(replacement)
    elif replacement is None:
        def replacer(found: Any) -> Any:
            raise _cannot_read(None, "apply")
    else:
        def replacer(found: Any) -> Any:
            return _call(replacement, [found])

    if limit is not None and limit == 0:
        return text
    if isinstance(pattern, str):
        # jsonata-js inserts the replacement with JavaScript's `+`: a function argument (wrapped
        # in its closure) becomes that closure's source text.
        inserted = replacement if isinstance(replacement, str) else _CLOSURE_SOURCE
        count = -1 if limit is None else int(limit)
        if has_surrogate(pattern):
            return join_surrogates(utf16_units(text).replace(pattern, inserted, count))
        return rejoined(text.replace(pattern, inserted, count))
    matches = _evaluate_matcher(pattern, text, "replace")
    if matches is None:
        return text
    units = utf16_units(text)  # (a matcher's offsets count UTF-16 code units, as JavaScript's)
    out = []
    position: Any = 0
    count = 0
    while matches is not None and (limit is None or count < limit):
        out.append(_substring(units, position, _property(matches, "start")))
        replaced = replacer(matches)
        if isinstance(replaced, utils.Utils.JList) and replaced.outer_wrapper:
            replaced = replaced[0]
        if not isinstance(replaced, str):
            raise jexception.JException("D3012", -1, replaced)
        out.append(replaced)
        matched = _property(matches, "match")
        if not isinstance(matched, str):
            raise _cannot_read(matched, "length")
        position = _property(matches, "start") + len(utf16_units(matched))
        matches = _next(matches, "replace")
        count += 1
    out.append(_substring(units, position))
    return rejoined("".join(out))


_CLOSURE_SOURCE = (
    "async function (...params) {\n"
    "                    // invoke func\n"
    "                    return await apply(arg, params, null, environment);\n"
    "                }"
)


# ---------------------------------------------------------------- lengths


def length(text: Any) -> Any:
    """$length: code points, as JavaScript's Array.from counts them (a surrogate pair is one)."""
    if text is None:
        return None
    if text is NULL:
        raise jexception.JException("T0410", -1)
    if text.isascii():
        return len(text)
    return len(join_surrogates(text))


# ---------------------------------------------------------------- URLs

_COMPONENT_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
_URI_RESERVED = frozenset(";/?:@&=+$,#")
_URI_SAFE = _COMPONENT_SAFE | _URI_RESERVED


def _malformed(value: str, name: str) -> jexception.JException:
    return jexception.JException("D3140", -1, value, name)


def _encode(text: Any, safe: frozenset, name: str) -> Any:
    if text is None:
        return None
    if text is NULL:
        raise jexception.JException("T0410", -1)
    text = join_surrogates(text)
    out = []
    for char in text:
        if char in safe:
            out.append(char)
        elif 0xD800 <= ord(char) <= 0xDFFF:
            raise _malformed(text, name)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def encode_url_component(text: Any) -> Any:
    return _encode(text, _COMPONENT_SAFE, "encodeUrlComponent")


def encode_url(text: Any) -> Any:
    return _encode(text, _URI_SAFE, "encodeUrl")


_HEX = frozenset("0123456789abcdefABCDEF")


def _decode(text: Any, keep: frozenset, name: str) -> Any:
    """ECMAScript's Decode: `%XX` escapes as UTF-8; a broken one is D3140 (URIError in JS)."""
    if text is None:
        return None
    if text is NULL:
        raise jexception.JException("T0410", -1)
    out = []
    i = 0
    size = len(text)
    while i < size:
        char = text[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        start = i
        digits = text[i + 1 : i + 3]
        if len(digits) < 2 or not set(digits) <= _HEX:
            raise _malformed(text, name)
        first = int(digits, 16)
        i += 3
        if first < 0x80:
            decoded = chr(first)
            out.append(text[start:i] if decoded in keep else decoded)
            continue
        if first & 0xE0 == 0xC0:
            count = 2
        elif first & 0xF0 == 0xE0:
            count = 3
        elif first & 0xF8 == 0xF0:
            count = 4
        else:
            raise _malformed(text, name)
        octets = bytearray([first])
        for _ in range(count - 1):
            digits = text[i + 1 : i + 3]
            if i >= size or text[i] != "%" or len(digits) < 2 or not set(digits) <= _HEX:
                raise _malformed(text, name)
            octet = int(digits, 16)
            if octet & 0xC0 != 0x80:
                raise _malformed(text, name)
            octets.append(octet)
            i += 3
        try:
            out.append(bytes(octets).decode("utf-8"))
        except UnicodeDecodeError:
            raise _malformed(text, name) from None
    return "".join(out)


def decode_url_component(text: Any) -> Any:
    return _decode(text, frozenset(), "decodeUrlComponent")


def decode_url(text: Any) -> Any:
    return _decode(text, _URI_RESERVED, "decodeUrl")


def join(strings: Any, separator: Any = None) -> Any:
    """$join(array, separator): surrogate halves that meet make one character, as in JavaScript."""
    joined = jfunctions.Functions.join(strings, separator)
    return joined if joined is None else rejoined(joined)


def substring_before(text: Any, chars: Any) -> Any:
    """$substringBefore(str, chars): found by UTF-16 code units, as JavaScript's indexOf."""
    if not isinstance(text, str) or not isinstance(chars, str) or not has_surrogate(chars):
        return jfunctions.Functions.substring_before(text, chars)
    units = utf16_units(text)
    found = units.find(chars)
    return text if found < 0 else join_surrogates(units[:found])


def substring_after(text: Any, chars: Any) -> Any:
    """$substringAfter(str, chars): found by UTF-16 code units, as JavaScript's indexOf."""
    if not isinstance(text, str) or not isinstance(chars, str) or not has_surrogate(chars):
        return jfunctions.Functions.substring_after(text, chars)
    units = utf16_units(text)
    found = units.find(chars)
    return text if found < 0 else join_surrogates(units[found + len(chars):])
