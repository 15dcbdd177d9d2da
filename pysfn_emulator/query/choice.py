"""JSONPath-mode Choice rules, compiled once into closures.

`compile_rule` turns one rule of a Choice state's `Choices` (or one nested in And/Or/Not)
into a frozen `Rule` whose `evaluate(data, context, variables)` is a closure built for that
rule's operator: evaluation never parses, and never looks an operator up by name.

AWS semantics reproduced here (the recorded corpus confirms the type rules; the others,
marked *inferred*, come from AWS's quoted causes and its Java runtime):

* A comparison whose value has the wrong type is false, never an error: `NumericEquals` on
  a string, `BooleanEquals` on 0, `TimestampEquals` on a non-timestamp string.
* Booleans are not numbers. Numbers compare as IEEE doubles, ints and floats by value.
* Strings order as Java's `String.compareTo` does (by UTF-16 code unit). *inferred*
* Timestamps compare as instants (offsets applied), to the nanosecond.
* A `Variable` (or `...Path` operand) that names nothing fails the execution with
  `States.Runtime`: "Invalid path '<path>': The choice state's condition path references an
  invalid value." (the interpreter adds AWS's "An error occurred while executing the state
  ..." prefix, as for every runtime cause). `IsPresent` alone never fails. The same cause
  for a missing `...Path` operand, naming that path, is *inferred*.
* `StringMatches`: only `*` is a wildcard; `\\*` is a literal star and `\\\\` a backslash; a
  backslash before any other character stands for itself (*inferred*).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..core.errors import RUNTIME, StatesError
from ..core.timestamps import parse_instant
from .jsonpath import Path, PathNotFound, PathSyntaxError, compile_path

Evaluate = Callable[..., bool]
_Read = Callable[[Any, Any, Any], Any]

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
_TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
_COMBINATORS = ("And", "Or", "Not")
_RULE_FIELDS = frozenset({"Variable", "Next", "Comment", "Assign", "Output"})


class ChoiceRuleError(ValueError):
    """A malformed rule; `pointer` locates the field inside the rule (e.g. `/And/0/Variable`)."""

    def __init__(self, pointer: str, message: str):
        super().__init__(f"{pointer}: {message}" if pointer else message)
        self.pointer = pointer
        self.message = message


@attrs.frozen
class Rule:
    """A compiled Choice rule. `evaluate(data, context, variables)` returns True if it matches.

    `next` is the target state of a top-level rule; `assign` and `output` are the rule's raw
    `Assign` / `Output` values, which the interpreter evaluates only when the rule is chosen.
    """

    evaluate: Evaluate = attrs.field(repr=False)
    next: str | None = None
    assign: Any = None
    output: Any = None
    source: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


def compile_rule(rule: Any) -> Rule:
    """Compile one JSONPath-mode Choice rule; raise ChoiceRuleError (a ValueError) if malformed."""
    evaluate = _compile(rule, "")
    return Rule(
        evaluate=evaluate,
        next=rule.get("Next"),
        assign=rule.get("Assign"),
        output=rule.get("Output"),
        source=rule,
    )


# -- structure ------------------------------------------------------------------------------


def _compile(rule: Any, where: str) -> Evaluate:
    if not isinstance(rule, dict):
        raise ChoiceRuleError(where, "a Choice rule must be an object")
    operators = [key for key in rule if key not in _RULE_FIELDS]
    for key in operators:
        if key not in _BUILDERS and key not in _COMBINATORS:
            raise ChoiceRuleError(f"{where}/{key}", f"unknown Choice rule field '{key}'")
    if not operators:
        raise ChoiceRuleError(
            where, "a Choice rule needs one comparison operator, or And, Or or Not"
        )
    if len(operators) > 1:
        raise ChoiceRuleError(
            where, f"a Choice rule takes exactly one operator, found {', '.join(operators)}"
        )
    name = operators[0]
    if name in _COMBINATORS:
        if "Variable" in rule:
            raise ChoiceRuleError(f"{where}/Variable", f"'{name}' does not take a Variable")
        return _combinator(name, rule[name], f"{where}/{name}")
    if "Variable" not in rule:
        raise ChoiceRuleError(f"{where}/Variable", f"'{name}' needs a Variable")
    variable = _path(rule["Variable"], f"{where}/Variable")
    return _BUILDERS[name](variable, rule[name], f"{where}/{name}")


def _combinator(name: str, operand: Any, where: str) -> Evaluate:
    if name == "Not":
        inner = _compile(operand, where)

        def not_(data, context=None, variables=None):
            return not inner(data, context, variables)

        return not_
    if not isinstance(operand, list) or not operand:
        raise ChoiceRuleError(where, f"'{name}' must be a non-empty array of rules")
    rules = tuple(_compile(item, f"{where}/{index}") for index, item in enumerate(operand))
    if name == "And":

        def and_(data, context=None, variables=None):
            for rule in rules:
                if not rule(data, context, variables):
                    return False
            return True

        return and_

    def or_(data, context=None, variables=None):
        for rule in rules:
            if rule(data, context, variables):
                return True
        return False

    return or_


def _path(text: Any, where: str) -> Path:
    if not isinstance(text, str):
        raise ChoiceRuleError(where, "must be a JSONPath string")
    try:
        return compile_path(text)
    except PathSyntaxError as error:
        raise ChoiceRuleError(where, str(error)) from None


def _reader(path: Path) -> _Read:
    """Read a path's value; when it names nothing, fail the execution with AWS's cause."""
    evaluate = path.evaluate
    cause = f"Invalid path '{path.text}': The choice state's condition path references an invalid value."

    def read(data, context, variables):
        try:
            return evaluate(data, context, variables)
        except PathNotFound:
            raise StatesError(RUNTIME, cause) from None

    return read


# -- value kinds ----------------------------------------------------------------------------
# Each kind turns a JSON value into a comparable key, or None when the value is of another
# type (which makes the comparison false). Literal operands go through the same function once,
# at compile time.


def _number_key(value: Any) -> float | None:
    kind = type(value)
    if kind is float:
        return value
    if kind is int:
        try:
            return float(value)
        except OverflowError:  # beyond a double: Java's doubleValue() gives an infinity
            return math.inf if value > 0 else -math.inf
    return None


def _string_key(value: Any) -> Any:
    if type(value) is not str:
        return None
    # ASCII orders the same by code point and by UTF-16 code unit; only others need encoding.
    return value if value.isascii() else _Utf16(value)


class _Utf16:
    """A string ordered by UTF-16 code units, as Java compares strings."""

    __slots__ = ("units",)

    def __init__(self, text: str):
        self.units = text.encode("utf-16-be")

    @staticmethod
    def of(other: Any) -> bytes:
        return other.units if type(other) is _Utf16 else other.encode("utf-16-be")

    def __eq__(self, other: Any) -> bool:
        return self.units == _Utf16.of(other)

    def __lt__(self, other: Any) -> bool:
        return self.units < _Utf16.of(other)

    def __gt__(self, other: Any) -> bool:
        return self.units > _Utf16.of(other)

    def __le__(self, other: Any) -> bool:
        return self.units <= _Utf16.of(other)

    def __ge__(self, other: Any) -> bool:
        return self.units >= _Utf16.of(other)

    __hash__ = None  # type: ignore[assignment]


def _string_exact(value: Any) -> str | None:
    return value if type(value) is str else None


def _boolean_key(value: Any) -> bool | None:
    return value if type(value) is bool else None


def _timestamp_key(value: Any) -> int | None:
    return parse_instant(value) if type(value) is str else None


_KINDS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "String": (_string_key, "a string"),
    "Numeric": (_number_key, "a number"),
    "Timestamp": (_timestamp_key, "a timestamp string (ISO-8601 with an offset)"),
    "Boolean": (_boolean_key, "a boolean"),
}


# -- operator builders ----------------------------------------------------------------------


def _literal_comparison(
    key: Callable[[Any], Any], compare: Callable[[Any, Any], bool], expected: str
):
    def build(variable: Path, operand: Any, where: str) -> Evaluate:
        read = _reader(variable)
        right = key(operand)
        if right is None:
            raise ChoiceRuleError(where, f"must be {expected}")

        def compare_literal(data, context=None, variables=None):
            left = key(read(data, context, variables))
            return left is not None and compare(left, right)

        return compare_literal

    return build


def _path_comparison(key: Callable[[Any], Any], compare: Callable[[Any, Any], bool]):
    def build(variable: Path, operand: Any, where: str) -> Evaluate:
        read = _reader(variable)
        read_right = _reader(_path(operand, where))

        def compare_paths(data, context=None, variables=None):
            left = key(read(data, context, variables))
            right = key(read_right(data, context, variables))
            return left is not None and right is not None and compare(left, right)

        return compare_paths

    return build


def _string_matches(variable: Path, operand: Any, where: str) -> Evaluate:
    if type(operand) is not str:
        raise ChoiceRuleError(where, "must be a string")
    read = _reader(variable)
    match = re.compile(_wildcard_regex(operand), re.DOTALL).fullmatch

    def string_matches(data, context=None, variables=None):
        value = read(data, context, variables)
        return type(value) is str and match(value) is not None

    return string_matches


def _wildcard_regex(pattern: str) -> str:
    """`*` matches any run of characters; `\\*` a star and `\\\\` a backslash.

    A backslash before any other character stands for itself.
    """
    parts = []
    index, length = 0, len(pattern)
    while index < length:
        char = pattern[index]
        if char == "\\" and index + 1 < length and pattern[index + 1] in "*\\":
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        index += 1
    return "".join(parts)


def _type_test(name: str):
    def build(variable: Path, operand: Any, where: str) -> Evaluate:
        if type(operand) is not bool:
            raise ChoiceRuleError(where, "must be a boolean")
        if name == "IsPresent":
            return _is_present(variable, operand)
        read = _reader(variable)
        test = _TESTS[name]

        def type_test(data, context=None, variables=None):
            return test(read(data, context, variables)) is operand

        return type_test

    return build


def _is_present(variable: Path, expected: bool) -> Evaluate:
    evaluate = variable.evaluate

    def is_present(data, context=None, variables=None):
        try:
            evaluate(data, context, variables)
        except PathNotFound:
            return not expected
        return expected

    return is_present


_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda value: value is None,
    "IsNumeric": lambda value: type(value) is int or type(value) is float,
    "IsString": lambda value: type(value) is str,
    "IsBoolean": lambda value: type(value) is bool,
    "IsTimestamp": lambda value: type(value) is str and parse_instant(value) is not None,
}


def _builders() -> dict[str, Callable[[Path, Any, str], Evaluate]]:
    builders: dict[str, Callable[[Path, Any, str], Evaluate]] = {}
    for kind, (key, expected) in _KINDS.items():
        for suffix, compare in _COMPARISONS.items():
            if kind == "Boolean" and suffix != "Equals":
                continue
            # Equality needs no ordering key: plain strings compare faster.
            kind_key = _string_exact if kind == "String" and suffix == "Equals" else key
            builders[kind + suffix] = _literal_comparison(kind_key, compare, expected)
            builders[kind + suffix + "Path"] = _path_comparison(kind_key, compare)
    builders["StringMatches"] = _string_matches
    for name in _TYPE_TESTS:
        builders[name] = _type_test(name)
    return builders


_BUILDERS = _builders()
