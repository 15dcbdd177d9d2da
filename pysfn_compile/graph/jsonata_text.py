"""Reading JSONata text as the folding of pure code needs it (graph/pure_loops.py): its calls and
parenthesized groups, the bracket depth of each character, the parts evaluated whenever the
text is (not behind `and`, `or` or `?`, not in a function, a predicate, an object or a path),
and where a part is written whole, to bind a repeated part once."""

from __future__ import annotations

import functools
import re

from . import ir, jsonata_lib

_VARIABLE = ir.VARIABLE

MIN_BOUND = 16  # characters a repeated subexpression needs to be bound once ($lookup($x, "k") is 17)
CONTEXT = re.compile(r"\$(?![A-Za-z_])")
BOUND = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\s*:=")
PARAMS = re.compile(r"function\s*\(([^)]*)\)")


def groups(text: str):
    """The calls (`$f(...)`) and parenthesized groups in `text`, as written."""
    for match in re.finditer(r"\$[A-Za-z_][A-Za-z0-9_]*\(|\(", text):
        start = match.start()
        end = jsonata_lib.closing(text, match.end() - 1)
        if end > 0:
            yield text[start:end + 1]


def locals_bound(texts, opening: bool = True) -> set[str]:
    """The names the texts bind themselves: a block's `$x :=` (`opening`: also one that opens
    a text) and a function's parameters. What reads one can be computed only inside it."""
    out: set[str] = set()
    for text in texts:
        out.update(match.group(1) for match in BOUND.finditer(text) if opening or match.start() != 0)
        for params in PARAMS.findall(text):
            out.update(_VARIABLE.findall(params))
    return out


def bindable(candidate: str) -> bool:
    """Whether a part of a text could be computed once into a local elsewhere, as far as its
    text tells: no `$` context, no function literal, no regular expression (whose brackets
    do not pair)."""
    return not CONTEXT.search(candidate) and "function" not in candidate and "/" not in candidate


def sequence(statements: list[str], last: str) -> str:
    """`s1; s2; last` as one expression (a block: what it binds stays inside)."""
    if not statements:
        return last
    return "(" + "; ".join(statements) + "; " + last + ")"


_ATOM = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_]*|-?[0-9][0-9.eE+-]*|true|false|null")
_CALL = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*\(")


def operand(text: str) -> str:
    """`text` safe as an operand of `? :` and `:=`: parenthesized unless it is a name, a
    number, or one parenthesized group (a call or a block) already. Each parenthesis is a
    JSONata block, a frame to look names up through, so none is added where not needed."""
    text = text.strip()
    if _ATOM.fullmatch(text):
        return text
    start = 0
    match = _CALL.match(text)
    if match:
        start = match.end() - 1
    if text[start:start + 1] == "(" and "/" not in text and jsonata_lib.closing(text, start) == len(text) - 1:
        return text
    return f"({text})"


def as_test(text: str) -> str:
    """`text` as the test of `? :`: without the parentheses around a comparison, `and`, `or`
    or call (all bind tighter than `?`), kept around a block or a `? :` of its own."""
    text = operand(text)
    if not text.startswith("(") or jsonata_lib.closing(text, 0) != len(text) - 1:
        return text
    inner, depth = text[1:-1], 0
    for position, char in jsonata_lib.code_positions(inner):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and (char in "?;:" or inner.startswith("..", position) or inner.startswith("~>", position)):
            return text
    return inner if inner.strip() and "/" not in inner else text


def variable_set(text: str) -> set[str]:
    return set(_VARIABLE.findall(text))


@functools.lru_cache(maxsize=512)
def bracket_levels_of(text: str) -> tuple[int, ...]:
    return tuple(bracket_levels(text))


def bracket_levels(text: str) -> list[int]:
    """The bracket depth of each character of `text`; -1 inside a string literal."""
    out, depth = [-1] * len(text), 0
    for position, char in jsonata_lib.code_positions(text):
        if char in ")]}":
            depth -= 1
        out[position] = depth
        if char in "([{":
            depth += 1
    return out


def eager_spans(text: str) -> set[tuple[int, int]]:
    """The (start, end) of the parts of `text` JSONata evaluates whenever it evaluates `text`:
    not behind `and`, `or` or `?`, not in a function's body, a predicate, an object or a path.
    Conservative: nothing for a text with `/` outside strings (a regular expression's
    brackets do not pair)."""
    levels = bracket_levels(text)
    if any(char == "/" and level >= 0 for char, level in zip(text, levels, strict=True)):
        return set()
    out: set[tuple[int, int]] = set()
    _eager(text, 0, len(text), 0, levels, out)
    return out


_NAME_AT = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
_BIND_AT = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*\s*:=")


def _eager(text: str, start: int, end: int, depth: int, levels: list[int], out: set) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return
    def top(position: int) -> bool:
        return levels[position] == depth

    # statements of a block (the caller passed its inside): each is evaluated
    cuts = [p for p in range(start, end) if text[p] == ";" and top(p)]
    if cuts:
        edges = [start] + [c + 1 for c in cuts] + [end]
        for a, b in zip(edges, edges[1:], strict=False):
            _eager(text, a, b - 1 if b != end else b, depth, levels, out)
        return
    bind = _BIND_AT.match(text, start)
    if bind and bind.end() <= end:
        _eager(text, bind.end(), end, depth, levels, out)
        return
    for p in range(start, end):  # a conditional, `and`, `or`: the part before the first only
        if top(p) and (text[p] == "?" or text.startswith(" and ", p) or text.startswith(" or ", p)):
            _eager(text, start, p, depth, levels, out)
            return
    out.add((start, end))
    p = start
    while p < end:
        char = text[p]
        if levels[p] < 0 or not top(p):
            p += 1
            continue
        if text.startswith("function", p) and not text[p - 1:p].isalnum() and text[p - 1:p] not in ("$", "_"):
            return  # a function literal: what follows is not read as an operand chain here
        if char == "$":
            name = _NAME_AT.match(text, p)
            if name is None:
                return  # `$` alone: the context
            q = name.end()
            if q < end and text[q] == "(":
                close = jsonata_lib.closing(text, q)
                if close < 0 or close >= end:
                    return
                out.add((p, close + 1))
                _arguments(text, q + 1, close, depth + 1, levels, out)
                p = close + 1
                continue
            p = q
            continue
        if char == "(":
            close = jsonata_lib.closing(text, p)
            if close < 0 or close >= end:
                return
            out.add((p, close + 1))
            _eager(text, p + 1, close, depth + 1, levels, out)
            p = close + 1
            continue
        if char == "[":
            close = jsonata_lib.closing(text, p)
            if close < 0 or close >= end:
                return
            before = text[start:p].rstrip()
            if before and (before[-1].isalnum() or before[-1] in "_)]}\"'`"):
                return  # a predicate: evaluated per item, and what follows with it
            _arguments(text, p + 1, close, depth + 1, levels, out)
            p = close + 1
            continue
        if char == "{":
            return  # an object (or a group-by): not looked into
        if char == "." and not (text[p - 1:p].isdigit() and text[p + 1:p + 2].isdigit()):
            return  # a path: the steps after it are evaluated per item
        p += 1


def _arguments(text: str, start: int, end: int, depth: int, levels: list[int], out: set) -> None:
    """The comma-separated items between `start` and `end` (a call's arguments, an array's
    items), each evaluated."""
    if start >= end:
        return
    edges = [start]
    for p in range(start, end):
        if text[p] == "," and levels[p] == depth:
            edges.append(p + 1)
    edges.append(end + 1)
    for a, b in zip(edges, edges[1:], strict=False):
        _eager(text, a, b - 1, depth, levels, out)


def occurs_in(candidate: str, text: str, spans: set) -> bool:
    """Whether `candidate` is written in `text` where it is evaluated whenever `text` is."""
    return any((position, position + len(candidate)) in spans for position in whole_positions(text, candidate))


def whole_positions(text: str, candidate: str) -> list[int]:
    """Where `candidate` (a call or a parenthesized group) is written in `text` as a whole:
    not where its opening parenthesis is a call's (`(($a))` inside `$not(($a))`)."""
    out = []
    position = text.find(candidate)
    levels = bracket_levels_of(text) if position >= 0 else []
    while position >= 0:
        before = text[position - 1:position]
        if not (candidate[0] == "(" and (before.isalnum() or before in ("_", ")", "]", "$"))) \
                and levels[position] >= 0:  # not inside a string literal
            out.append(position)
        position = text.find(candidate, position + 1)
    return out


def count_whole(text: str, candidate: str) -> int:
    return len(whole_positions(text, candidate))


def replace_whole(text: str, candidate: str, replacement: str) -> str:
    """`text` with each whole `candidate` (see whole_positions) replaced, left to right."""
    out, last = [], 0
    for position in whole_positions(text, candidate):
        if position < last:
            continue  # overlapping a replaced one
        out.append(text[last:position])
        out.append(replacement)
        last = position + len(candidate)
    out.append(text[last:])
    return "".join(out)


# -- what a condition found false tells (graph/choice_pruning.py, a comprehension's search) --

def false_facts(text: str) -> frozenset:
    """What is known false when `text` is found false: itself, and each operand of a top-level `or`."""
    text = _strip(text)
    if not _pure(text):
        return frozenset()
    out = {text}
    parts = _split(text, " or ") or ()
    if len(parts) > 1:
        for part in parts:
            out |= false_facts(part)
    return frozenset(out)


def false_under(text: str, false: set) -> bool:
    """Whether `text` is false wherever the conditions in `false` (false_facts of conditions
    found false there) are: one of them, an `or` of such, an `and` with one such operand."""
    text = _strip(text)
    if not _pure(text):
        return False
    if text in false:
        return True
    parts = _split(text, " or ") or ()
    if len(parts) > 1:
        return all(false_under(part, false) for part in parts)
    parts = _split(text, " and ") or ()
    return len(parts) > 1 and any(false_under(part, false) for part in parts)


def head_and_rest(text: str) -> tuple[str, str] | None:
    """`A and B and ...` as (A, the rest), or None where `text` is no such conjunction."""
    parts = _split(_strip(text), " and ") or ()
    if len(parts) < 2:
        return None
    return _strip(parts[0]), " and ".join(parts[1:])


def _pure(text: str) -> bool:
    return not ir.IMPURE.search(text)


def _strip(text: str) -> str:
    """`text` without surrounding blanks and parentheses that only group."""
    text = text.strip()
    while text.startswith("(") and jsonata_lib.closing(text, 0) == len(text) - 1 \
            and len(_split(text[1:-1], ";") or "two") == 1:
        text = text[1:-1].strip()
    return text


def _split(text: str, word: str) -> list[str] | None:
    """`text` split at `word` outside strings and brackets; one part when it cannot be split
    safely (a conditional, a block, a binding or a regular expression at its top level), None
    when it holds a regular expression or `/` anywhere (brackets inside one do not pair)."""
    parts, depth, start, resume = [], 0, 0, 0
    for position, char in jsonata_lib.code_positions(text):
        if position < resume:  # inside the word just split at (no quote or bracket in it)
            continue
        if char == "/":
            return None
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            if char in "?;" and word != char or text.startswith(":=", position):
                return [text]
            if text.startswith(word, position):
                parts.append(text[start:position])
                start = resume = position + len(word)
    parts.append(text[start:])
    return parts
