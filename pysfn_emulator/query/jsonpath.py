"""JSONPath as Step Functions evaluates it (Jayway semantics), compiled once at load time.

A *definite* path (only names and single indexes) yields one value and is walked as a tuple
of steps, which is what nearly every definition uses and what keeps the hot path fast. Any
other path (wildcards, slices, filters, unions, `..`) is handed to jsonpath-ng and yields the
list of matches, as Jayway does.

Paths start at the state's data (`$`), the context object (`$$`) or a variable (`$name`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs
from jsonpath_ng import Child, DatumInContext, Descendants, Fields, Index, JSONPath, Root
from jsonpath_ng.ext import parse as _parse_ext
from jsonpath_ng.ext.filter import Filter
from jsonpath_ng.jsonpath import Wildcard

from ..core.errors import RESULT_PATH_MATCH_FAILURE, StatesError
from ..core.jsontext import dumps

DATA = "data"
CONTEXT = "context"
VARIABLE = "variable"

_VARIABLE_HEAD = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LENGTH_SUFFIX = ".length()"


class PathSyntaxError(ValueError):
    """The text is not a JSONPath that AWS accepts."""


class PathNotFound(Exception):
    """A definite path names nothing in the data; the message is Jayway's, as AWS quotes it."""


@attrs.frozen
class Path:
    """A compiled JSONPath. `evaluate` returns the value (definite) or the list of matches."""

    text: str
    root: str  # DATA, CONTEXT or VARIABLE
    variable: str | None
    steps: tuple[str | int, ...] | None  # the definite form; None for an indefinite path
    expression: Any = attrs.field(eq=False, repr=False)  # jsonpath-ng, indefinite paths only
    length: bool = False  # a trailing `.length()`
    descendant: str | None = None  # `$..*` ("*") or `$..name`: walked here, lazily


    @property
    def definite(self) -> bool:
        return self.steps is not None

    def evaluate(self, data: Any, context: Any = None, variables: Any = None, limit: int | None = None) -> Any:
        """The value or the matches. With `limit` (bytes; OutputPath, whose result is the state's
        output), matches stop being gathered once their JSON text exceeds it: the state then
        fails on its output's size as it would have, without making all of an output that can
        grow with every pass of a loop (`$..*`)."""
        if self.root == CONTEXT:
            data = context
        elif self.root == VARIABLE:
            if variables is None or self.variable not in variables:
                raise PathNotFound(f"Variable '{self.variable}' is not defined")
            data = variables[self.variable]
        if self.steps is not None:
            value = walk(data, self.steps)
        elif self.descendant is not None:
            value = _gathered(_descendants(data, self.descendant), limit)
        else:
            value = [match.value for match in self.expression.find(data)]
        if self.length:
            if not isinstance(value, (list, str, dict)):
                raise PathNotFound(f"Aggregation function attempted to calculate value using empty array ({self.text})")
            return len(value)
        return value


def walk(data: Any, steps: tuple[str | int, ...]) -> Any:
    """Follow a definite path; raise PathNotFound with Jayway's message when it breaks."""
    for position, step in enumerate(steps):
        if type(step) is str:
            if type(data) is dict and step in data:
                data = data[step]
                continue
        elif type(data) is list and -len(data) <= step < len(data):
            data = data[step]
            continue
        if position == len(steps) - 1:
            raise PathNotFound(f"No results for path: {bracket_notation(steps)}")
        raise PathNotFound(f"Missing property in path {bracket_notation(steps[: position + 1])}")
    return data


def _descendants(data: Any, name: str) -> Iterator[list]:
    """`$..*` or `$..name` in jsonpath-ng's order, as one list of matches per node: depth first,
    each node's own matches (its children, or its member `name`) before those below it."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            children = node
        elif isinstance(node, dict):
            children = list(node.values())
            if name != "*" and name in node:
                yield [node[name]]
        else:
            continue
        if name == "*" and children:
            yield children
        stack.extend(reversed(children))


def _gathered(groups: Iterator[list], limit: int | None) -> list:
    gathered: list = []
    if limit is None:
        for group in groups:
            gathered.extend(group)
        return gathered
    # "[", and for each match its text and a "," or "]": a group's text less one. Counted in
    # characters, never more than the bytes that the output's own check then counts, so no
    # output within the limit is cut short.
    size = 1
    for group in groups:
        gathered.extend(group)
        size += len(dumps(group)) - 1
        if size > limit:
            break
    return gathered


def bracket_notation(steps: tuple[str | int, ...]) -> str:
    """Jayway's normalised form, `$['a'][0]`, which AWS quotes in its error causes."""
    return "$" + "".join(f"['{s}']" if type(s) is str else f"[{s}]" for s in steps)


def compile_path(text: str) -> Path:
    """Compile a JSONPath (`$...`, `$$...` or `$var...`); raise PathSyntaxError if invalid."""
    if not isinstance(text, str) or not text.startswith("$"):
        raise PathSyntaxError(f"'{text}' is not a JSONPath: it must start with '$'")
    length = text.endswith(_LENGTH_SUFFIX)
    body = _dot_bracket_as_bracket(text[: -len(_LENGTH_SUFFIX)] if length else text)
    if body.startswith("$$"):
        root, variable, rest = CONTEXT, None, "$" + body[2:]
    else:
        match = _VARIABLE_HEAD.match(body)
        if match:
            root, variable, rest = VARIABLE, match.group(1), "$" + body[match.end():]
        else:
            root, variable, rest = DATA, None, body
    steps = _definite_steps_of(rest)
    if steps is not None:
        return Path(text, root, variable, steps, None, length)
    try:
        expression = _jayway_filters(_parse_ext(rest))
    except Exception as error:  # JsonPathParserError, JsonPathLexerError, or a parser bug
        raise PathSyntaxError(f"'{text}' is not a valid JSONPath ({error})") from None
    steps = _definite_steps(expression)
    descendant = _descendant_name(expression)
    return Path(text, root, variable, steps, None if steps is not None else expression, length, descendant)


def _descendant_name(expression: Any) -> str | None:
    """"*" for `$..*`, the name for `$..name`, else None."""
    if not isinstance(expression, Descendants) or not isinstance(expression.left, Root):
        return None
    right = expression.right
    if isinstance(right, Wildcard):
        return "*"
    if isinstance(right, Fields) and len(right.fields) == 1 and right.fields[0] != "*":
        return right.fields[0]
    return None


def _dot_bracket_as_bracket(text: str) -> str:
    """Jayway reads a dot before a bracket as the bracket alone (`$.[0]`, `$.a.[?(@.x)]`), a
    deep scan's `..[` apart; AWS accepts such paths. Quoted text is left as it is."""
    if ".[" not in text:
        return text
    kept, quote = [], None
    for index, char in enumerate(text):
        if quote:
            if char == quote and text[index - 1] != "\\":
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "." and text[index + 1 : index + 2] == "[" and text[index - 1 : index] != ".":
            continue
        kept.append(char)
    return "".join(kept)


_STEP = re.compile(
    r"""\.(?P<dotted>[^.\[\]*()'"\s?@,]+)"""
    r"""|\['(?P<single>(?:[^'\\]|\\.)*)'\]"""
    r"""|\["(?P<double>(?:[^"\\]|\\.)*)"\]"""
    r"""|\[\s*(?P<index>-?[0-9]+)\s*\]"""
)


def _definite_steps_of(text: str) -> tuple[str | int, ...] | None:
    """Names and indexes only, read as Jayway reads them (a quoted name is taken verbatim,
    but for an escaped quote); None when the path is anything more."""
    steps: list[str | int] = []
    position = 1
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None:
            return None
        if match.group("index") is not None:
            steps.append(int(match.group("index")))
        else:
            name = match.group("dotted") or match.group("single") or match.group("double") or ""
            steps.append(name.replace("\\'", "'") if match.group("single") is not None else name)
        position = match.end()
    return tuple(steps)


class _MapFilter(Filter):
    """A filter as Jayway applies it: to each element of an array, and to an object itself (an
    object that passes is the one match), where jsonpath-ng would filter the object's values."""

    def find(self, datum: Any) -> list:
        datum = DatumInContext.wrap(datum)
        if isinstance(datum.value, dict):
            return [datum] if all(expression.find(datum) for expression in self.expressions) else []
        return super().find(datum)


class _ScanFilter(JSONPath):
    """`..[?(...)]` as Jayway's scan reads it: every object at or below the start, in document
    order, that passes the filter, each once (arrays are walked, not matched)."""

    def __init__(self, left: Any, predicate: Filter) -> None:
        self.left, self.predicate = left, predicate

    def find(self, datum: Any) -> list:
        found: list = []
        for start in self.left.find(datum):
            stack = [start]
            while stack:
                node = stack.pop()
                value = node.value
                if isinstance(value, dict):
                    if all(expression.find(node) for expression in self.predicate.expressions):
                        found.append(node)
                    children = [DatumInContext(v, path=Fields(k), context=node) for k, v in value.items()]
                elif isinstance(value, list):
                    children = [DatumInContext(v, path=Index(i), context=node) for i, v in enumerate(value)]
                else:
                    continue
                stack.extend(reversed(children))
        return found


def _jayway_filters(expression: Any) -> Any:
    """jsonpath-ng's tree with its filters given Jayway's semantics (above)."""
    if isinstance(expression, Descendants) and isinstance(expression.right, Filter):
        return _ScanFilter(_jayway_filters(expression.left), expression.right)
    if isinstance(expression, Filter):
        return _MapFilter(expression.expressions)
    if isinstance(expression, (Child, Descendants)):
        return type(expression)(_jayway_filters(expression.left), _jayway_filters(expression.right))
    return expression


def compile_reference_path(text: str) -> Path:
    """A reference path (ResultPath, ItemsPath...): definite, no `..`, `*`, filters or slices."""
    path = compile_path(text)
    if not path.definite or path.length:
        raise PathSyntaxError(f"'{text}' is not a valid reference path: it must name a single node")
    return path


def _definite_steps(expression: Any) -> tuple[str | int, ...] | None:
    if isinstance(expression, Root):
        return ()
    if isinstance(expression, Child):
        head = _definite_steps(expression.left)
        if head is None:
            return None
        right = expression.right
        if isinstance(right, Fields) and len(right.fields) == 1 and right.fields[0] != "*":
            return (*head, right.fields[0])
        if isinstance(right, Index) and len(right.indices) == 1:
            return (*head, right.indices[0])
    return None


def set_result(data: Any, path: Path, value: Any) -> Any:
    """Place a result at a ResultPath, copying only the containers on the way (inputs stay intact)."""
    if path.root != DATA:
        raise StatesError(RESULT_PATH_MATCH_FAILURE, f"Unable to apply ResultPath '{path.text}'")
    if not path.steps:
        return value
    return _set(data, path.steps, value, path)


def _set(data: Any, steps: tuple[str | int, ...], value: Any, path: Path) -> Any:
    step, rest = steps[0], steps[1:]
    if type(step) is str:
        if type(data) is not dict:
            raise _match_failure(path, data)
        child = data.get(step) if rest else None
        if rest and child is None:
            child = {}
        copy = dict(data)
        copy[step] = _set(child, rest, value, path) if rest else value
        return copy
    if type(data) is not list or not -len(data) <= step < len(data):
        raise _match_failure(path, data)
    copy = list(data)
    copy[step] = _set(copy[step], rest, value, path) if rest else value
    return copy


def _match_failure(path: Path, data: Any) -> StatesError:
    return StatesError(
        RESULT_PATH_MATCH_FAILURE,
        f"Unable to apply ResultPath '{path.text}' to input '{dumps(data)}'",
    )
