"""Parse an intrinsic call once, with lark, into a tree of closures: evaluation does no parsing.

What AWS refuses when the state machine is created is refused here, as IntrinsicSyntaxError:
bad syntax, an escape other than \\' \\{ \\} \\\\, an unknown function, a wrong number of
arguments, an invalid path, nesting deeper than 10. Everything else is checked when the call
runs, as AWS does, and fails with States.Runtime:

* a path argument that finds nothing:
  "The function '<call as written>' had the following error: The JsonPath argument for the
  field '<path>' could not be found in the input '<state input>'";
* a value the function refuses:
  "There was an error while evaluating the intrinsic function: <failing call>. Invalid
  arguments in States.<Name>".

The interpreter prefixes these causes with "An error occurred while executing the state ...".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any

import attrs
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ...core.errors import RUNTIME, StatesError
from ...core.jsontext import dumps, number
from ..jsonpath import CONTEXT, Path, PathNotFound, PathSyntaxError, compile_path
from .functions import FUNCTIONS, InvalidArguments, Signature, compile_template, render_template

MAX_DEPTH = 10
_ESCAPE = re.compile(r"\\(.)", re.S)
_ESCAPABLE = frozenset("'{}\\")

_PARSER = Lark(
    FilePath(__file__).with_name("grammar.lark").read_text(encoding="utf-8"),
    parser="lalr",
    propagate_positions=True,
    maybe_placeholders=False,
)

# (data, context, variables, rng) -> value
Evaluator = Callable[[Any, Any, Any, Any], Any]


class IntrinsicSyntaxError(ValueError):
    """The text is not an intrinsic call AWS would accept in a state machine definition."""


class _ArgumentNotFound(Exception):
    """A path argument found nothing; the top-level call reports it with the whole text."""

    def __init__(self, path_text: str):
        super().__init__(path_text)
        self.path_text = path_text


@attrs.frozen
class IntrinsicCall:
    """A parsed intrinsic call, ready to evaluate any number of times.

    `evaluate(data, context, variables, rng=None)`: `data` is what `$` means, `context` what
    `$$` means, `variables` the visible `$name` bindings. MathRandom without a seed and UUID
    draw from `rng` (anything with `randrange` and `getrandbits`, e.g. `random.Random(seed)`),
    else from a fresh unseeded generator (an execution always passes its own).
    """

    text: str
    name: str
    returns_string: bool  # one of the functions a Fail state's ErrorPath / CausePath accepts
    paths: tuple[Path, ...]  # every path argument, at any depth
    _run: Evaluator = attrs.field(repr=False, eq=False)

    def evaluate(
        self, data: Any, context: Any = None, variables: Any = None, rng: Any = None
    ) -> Any:
        try:
            return self._run(data, context, variables, rng)
        except _ArgumentNotFound as missing:
            raise StatesError(
                RUNTIME,
                f"The function '{self.text}' had the following error: The JsonPath argument for "
                f"the field '{missing.path_text}' could not be found in the input '{dumps(data)}'",
            ) from None


@lru_cache(maxsize=4096)
def parse_intrinsic(text: str) -> IntrinsicCall:
    """Parse `States.Name(...)`; raise IntrinsicSyntaxError where AWS rejects the definition."""
    if not isinstance(text, str):
        raise IntrinsicSyntaxError(
            f"an intrinsic function call must be a string, not {type(text).__name__}"
        )
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as error:
        raise IntrinsicSyntaxError(_syntax_message(text, error)) from None
    paths: list[Path] = []
    call = tree.children[0]
    run, signature = _compile_call(call, text, 1, paths)
    return IntrinsicCall(text, signature.name, signature.returns_string, tuple(paths), run)


def _syntax_message(text: str, error: UnexpectedInput) -> str:
    if isinstance(error, UnexpectedEOF):
        return f"'{text}' is not a valid intrinsic function call: it ends too early"
    if isinstance(error, UnexpectedCharacters):
        found = repr(error.char)
    elif isinstance(error, UnexpectedToken):
        if error.token.type == "$END":
            return f"'{text}' is not a valid intrinsic function call: it ends too early"
        found = repr(str(error.token))
    else:  # pragma: no cover - lark raises only the kinds above
        found = "something"
    column = getattr(error, "column", "?")
    return f"'{text}' is not a valid intrinsic function call: unexpected {found} at column {column}"


def _compile_call(
    tree: Tree, source: str, depth: int, paths: list[Path]
) -> tuple[Evaluator, Signature]:
    name = str(tree.children[0])
    if depth > MAX_DEPTH:
        raise IntrinsicSyntaxError(
            f"'{source}': intrinsic functions can be nested at most {MAX_DEPTH} deep"
        )
    signature = FUNCTIONS.get(name)
    if signature is None:
        raise IntrinsicSyntaxError(f"'{source}': unknown intrinsic function '{name}'")
    arguments = tree.children[1:]
    _check_arity(signature, len(arguments), source)
    call_text = source[tree.meta.start_pos : tree.meta.end_pos]
    if name == "States.Format" and _is_literal_string(arguments[0]):
        raw = _raw_string(arguments[0])
        _unescape(raw, source)  # validates the escapes
        template = compile_template(raw)
        rest = [_compile_argument(argument, source, depth, paths) for argument in arguments[1:]]
        return _format_call(template, rest, call_text), signature
    compiled = [_compile_argument(argument, source, depth, paths) for argument in arguments]
    return _generic_call(signature, compiled, call_text), signature


def _check_arity(signature: Signature, count: int, source: str) -> None:
    low, high = signature.min_args, signature.max_args
    if low <= count and (high is None or count <= high):
        return
    if high is None:
        expected = f"at least {low}"
    elif low == high:
        expected = str(low)
    else:
        expected = f"{low} to {high}"
    raise IntrinsicSyntaxError(
        f"'{source}': {signature.name} takes {expected} argument(s), not {count}"
    )


def _generic_call(signature: Signature, arguments: list[Evaluator], call_text: str) -> Evaluator:
    run = signature.run

    def evaluate(data: Any, context: Any, variables: Any, rng: Any) -> Any:
        values = [argument(data, context, variables, rng) for argument in arguments]
        try:
            return run(values, rng)
        except InvalidArguments as error:
            raise _runtime_failure(call_text, error) from None

    return evaluate


def _format_call(template: Any, arguments: list[Evaluator], call_text: str) -> Evaluator:
    """States.Format with a literal template: the template was split at parse time."""

    def evaluate(data: Any, context: Any, variables: Any, rng: Any) -> str:
        values = [argument(data, context, variables, rng) for argument in arguments]
        try:
            return render_template(template, values)
        except InvalidArguments as error:
            raise _runtime_failure(call_text, error) from None

    return evaluate


def _runtime_failure(call_text: str, error: InvalidArguments) -> StatesError:
    return StatesError(
        RUNTIME,
        f"There was an error while evaluating the intrinsic function: {call_text}. {error.detail}",
    )


def _compile_argument(node: Tree | Token, source: str, depth: int, paths: list[Path]) -> Evaluator:
    kind = node.data
    if kind == "call":
        return _compile_call(node, source, depth + 1, paths)[0]
    if kind == "path":
        return _compile_path(str(node.children[0]), source, paths)
    if kind == "string":
        return _constant(_unescape(_raw_string(node), source))
    if kind == "number":
        return _constant(number(str(node.children[0])))  # read as JSON reads it: 1e400 is "Infinity"
    return _constant({"null": None, "true": True, "false": False}[kind])


def _compile_path(text: str, source: str, paths: list[Path]) -> Evaluator:
    try:
        path = compile_path(text)
    except PathSyntaxError as error:
        raise IntrinsicSyntaxError(f"'{source}': {error}") from None
    paths.append(path)
    # A $$ path that misses is reported against the state input, rewritten to start with $.
    reported = "$" + text[2:] if path.root == CONTEXT else text
    walk = path.evaluate

    def evaluate(data: Any, context: Any, variables: Any, rng: Any) -> Any:
        try:
            return walk(data, context, variables)
        except PathNotFound:
            raise _ArgumentNotFound(reported) from None

    return evaluate


def _constant(value: Any) -> Evaluator:
    return lambda data, context, variables, rng: value


def _is_literal_string(node: Tree | Token) -> bool:
    return isinstance(node, Tree) and node.data == "string"


def _raw_string(node: Tree) -> str:
    """The text between the quotes, escapes kept."""
    return str(node.children[0])[1:-1]


def _unescape(raw: str, source: str) -> str:
    for match in _ESCAPE.finditer(raw):
        if match.group(1) not in _ESCAPABLE:
            raise IntrinsicSyntaxError(
                f"'{source}': '\\{match.group(1)}' is not an escape intrinsic strings allow "
                "(only \\' \\{ \\} \\\\)"
            )
    return _ESCAPE.sub(r"\1", raw) if "\\" in raw else raw
