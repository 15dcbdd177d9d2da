"""JSONata's regular expressions as jsonata-js runs them: JavaScript's (no `u` flag), compiled
to Python's `re`.

The port hands a literal's text to `re.compile` as it is, and where the two dialects read the
same text differently the emulator matched what AWS does not. Translated here, outside
character classes: `$` is the end of the text (Python's also matches before a final newline),
`^` its start, and with the `m` flag both also at each of JavaScript's line terminators (`\\n`,
`\\r`, U+2028, U+2029; Python knows `\\n` only); `.` is anything but those four; `\\d`, `\\w` and
`\\b` are ASCII (Python's are Unicode: `\\d` takes "٣"); `\\s` is JavaScript's whitespace (Python
adds U+001C-U+001F and U+0085, and lacks U+FEFF); a named group `(?<name>...)` and `\\k<name>`
are Python's `(?P<name>...)` and `(?P=name)`. Inside a class, `\\d`, `\\w` and `\\s` are the same
sets. Left as Python reads them: `\\D`, `\\W`, `\\S` inside a class, and case-insensitive
matching beyond ASCII (JavaScript's simple upper-casing, Python's case folding).

The text is matched as JavaScript holds it, in UTF-16 code units (text.py)."""

from __future__ import annotations

import re

from jsonata.regex_engine import RegexFlags

_TERMINATORS = "\\n\\r\\u2028\\u2029"
_SPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_WORD = "A-Za-z0-9_"
_CLASSES = {"d": "0-9", "w": _WORD, "s": _SPACE}
_OUTSIDE = {"d": "[0-9]", "D": "[^0-9]", "w": f"[{_WORD}]", "W": f"[^{_WORD}]", "s": f"[{_SPACE}]",
            "S": f"[^{_SPACE}]", "b": f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))",
            "B": f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))"}
_NAMED = re.compile(r"\(\?<([A-Za-z_$][A-Za-z0-9_$]*)>")
_BACKREFERENCE = re.compile(r"k<([A-Za-z_$][A-Za-z0-9_$]*)>")


def js_regex(pattern: str, flags: RegexFlags) -> re.Pattern:
    """The port's regex engine: `pattern` (a JSONata literal's text) as JavaScript reads it."""
    return re.compile(translate(pattern, flags.multiline), re.IGNORECASE if flags.case_insensitive else 0)


def translate(pattern: str, multiline: bool = False) -> str:
    """`pattern`, JavaScript's, as Python's `re` text with the same meaning."""
    out: list[str] = []
    position, in_class = 0, False
    while position < len(pattern):
        char = pattern[position]
        if char == "\\" and position + 1 < len(pattern):
            following = pattern[position + 1]
            reference = _BACKREFERENCE.match(pattern, position + 1) if not in_class else None
            if reference is not None:
                out.append(f"(?P={reference.group(1)})")
                position = reference.end()
                continue
            if in_class and following in _CLASSES:
                out.append(_CLASSES[following])
            elif not in_class and following in _OUTSIDE:
                out.append(_OUTSIDE[following])
            else:
                out.append(pattern[position:position + 2])
            position += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
            if pattern.startswith("]", position + 1) or pattern.startswith("^]", position + 1):
                # (JavaScript's `[]` matches nothing and `[^]` anything; Python reads a `]` there as
                # a member of the class)
                negated = pattern.startswith("^", position + 1)
                out[-1] = "[\\s\\S]" if negated else "(?!)"
                position += 3 if negated else 2
                in_class = False
                continue
        elif char == ".":
            out.append(f"[^{_TERMINATORS}]")
        elif char == "$":
            out.append(f"(?=[{_TERMINATORS}]|\\Z)" if multiline else "\\Z")
        elif char == "^":
            out.append(f"(?:(?<=[{_TERMINATORS}])|\\A)" if multiline else "\\A")
        elif char == "(" and (named := _NAMED.match(pattern, position)):
            out.append(f"(?P<{named.group(1)}>")
            position = named.end()
            continue
        else:
            out.append(char)
        position += 1
    return "".join(out)
