"""The local DynamoDB's expression parser (dynamodb.lark, dynamodb_expressions.py): DynamoDB's
syntax-error messages, bounds, and a differential check against the hand-written parser it
replaced (read from git history, so it runs wherever the history is there)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pysfn_emulator import ServiceFailure
from pysfn_emulator.integrations.local_aws import dynamodb_expressions as new

# The last commit with the hand-written recursive-descent parser.
_REFERENCE_COMMIT = "756e766876d14d5c97806118ae251100af691cba"
_REFERENCE_PATH = "pysfn_emulator/integrations/local_aws/dynamodb_expressions.py"
_NAMES = {"#n": "a", "#m": "status"}


def refused(function, *args) -> str:
    with pytest.raises(ServiceFailure) as raised:
        function(*args)
    assert raised.value.code == "ValidationException"
    return raised.value.message


def placeholders(names=None, values=None) -> new.Placeholders:
    return new.Placeholders(names, values or {":v": {"S": "x"}, ":w": {"N": "1"}})


# -- syntax errors name the token and what is around it, as DynamoDB does ------------------------------

@pytest.mark.parametrize("function, text, message", [
    (new.condition, "a =", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="'),
    (new.condition, "a = :v AND", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"'),
    (new.condition, "attribute_exists(a) x y", 'Invalid ConditionExpression: Syntax error; token: "x", near: ") x y"'),
    (new.condition, "a ! :v", 'Invalid ConditionExpression: Syntax error; token: "!", near: "a ! :v"'),
    (new.condition, "a = :v andx = :w", 'Invalid ConditionExpression: Syntax error; token: "andx", near: ":v andx ="'),
    (new.condition, "contains = :v", 'Invalid ConditionExpression: Syntax error; token: "=", near: "contains = :v"'),
    (new.update, "SET a = :v, #, b = :w", 'Invalid UpdateExpression: Syntax error; token: "#", near: ", #,"'),
    (new.update, "SET a = = :v", 'Invalid UpdateExpression: Syntax error; token: "=", near: "= = :v"'),
    (new.update, "SET remove = :v", 'Invalid UpdateExpression: Syntax error; token: "remove", near: "SET remove ="'),
    (new.key_condition, "pk = :v AND", 'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND"'),
    (new.projection, "a b", 'Invalid ProjectionExpression: Syntax error; token: "b", near: "a b"'),
    (new.projection, "a,", 'Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ","'),
])
def test_syntax_errors_name_the_token_and_its_neighbours(function, text, message):
    assert refused(function, text, placeholders()) == message


@pytest.mark.parametrize("function, text, message", [
    (new.condition, "a.b = :v", "does not support document paths"),
    (new.condition, "status = :v", "Attribute name is a reserved keyword; reserved keyword: status"),
    (new.update, "SET a = size(b)", "does not support size() in a SET action"),
    (new.update, "set a = :v ADD b :w Set c = :v", 'The "SET" section can only be used once'),
    (new.update, "SET #n = :v REMOVE a", "Two document paths overlap"),
    (new.key_condition, "pk <> :v", "Invalid operator used in KeyConditionExpression: <>"),
    (new.condition, "NOT " * 301 + "a = :v", "at most 300 operators and functions"),
    (new.condition, "a = :v OR " * 700 + "a = :v", "at most 4096 bytes"),
])
def test_what_the_fake_does_not_do_is_refused_by_name(function, text, message):
    assert message in refused(function, text, placeholders(_NAMES, {":v": {"S": "x"}, ":w": {"N": "1"}}))


def test_deep_parentheses_and_negations_are_values_not_recursion_errors():
    assert new.condition("(" * 1500 + "a = :v" + ")" * 1500, placeholders())({"a": {"S": "x"}})
    assert not new.condition("NOT " * 299 + "a = :v", placeholders())({"a": {"S": "x"}})


def test_keywords_are_any_case_and_function_names_lower_case():
    test = new.condition("a = :v aNd NoT b = :v", placeholders())
    assert test({"a": {"S": "x"}}) and not test({"a": {"S": "x"}, "b": {"S": "x"}})
    assert "Syntax error" in refused(new.condition, "ATTRIBUTE_EXISTS(a)", placeholders())
    # a function name is an attribute name where no call can start
    assert new.condition("a = contains", placeholders())({"a": {"N": "1"}, "contains": {"N": "1"}})


def test_an_expression_is_parsed_once():
    new._parse.cache_clear()
    for _ in range(3):
        new.condition("a = :v", placeholders())
    assert new._parse.cache_info().hits == 2


# -- differential check against the parser this one replaced ------------------------------------------


def _reference():
    root = Path(__file__).resolve().parents[2]
    try:
        source = subprocess.run(["git", "-C", str(root), "show", f"{_REFERENCE_COMMIT}:{_REFERENCE_PATH}"],
                                capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    package = "pysfn_emulator.integrations.local_aws"
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(f"{package}._reference_expressions", None))
    module.__package__ = package
    exec(compile(source, _REFERENCE_PATH, "exec"), module.__dict__)  # our own file, from our history
    return module


_OLD = _reference()
needs_reference = pytest.mark.skipif(_OLD is None, reason="the reference parser is read from git history")


def _case(word: str):
    return st.sampled_from([word, word.lower(), word.capitalize()])


def _join(tokens: list[str]):
    """Tokens with spaces; sometimes with none between some of them (`a=:v`, or `SETa` as a name)."""
    gaps = st.one_of(*[st.sampled_from([" ", "  "])] * 3, st.sampled_from([" ", ""]))
    return st.lists(gaps, min_size=len(tokens), max_size=len(tokens)).map(
        lambda gaps: "".join(gap + token for gap, token in zip(gaps, tokens, strict=True)).strip() or "a")


# mostly names and values the request defines, sometimes what it must refuse
_PATH = st.sampled_from(["a", "b", "pk", "sk", "#n", "#m", "contains", "_u"] * 4
                        + ["#x", "size", "status", "remove", "a.b", "a[0]"]).map(lambda name: [name])
_VALUE = st.sampled_from([":v", ":w", ":s"] * 3 + [":t", ":missing"]).map(lambda value: [value])
_OPERAND = st.one_of(_PATH, _VALUE, _PATH.map(lambda path: ["size", "(", *path, ")"]))
_COMPARATOR = st.sampled_from(["=", "<>", "<", "<=", ">", ">="])


def _conditions(inner):
    return st.one_of(
        st.tuples(_case("NOT"), inner).map(lambda t: [t[0], *t[1]]),
        st.tuples(inner, _case("AND"), inner).map(lambda t: [*t[0], t[1], *t[2]]),
        st.tuples(inner, _case("OR"), inner).map(lambda t: [*t[0], t[1], *t[2]]),
        inner.map(lambda c: ["(", *c, ")"]),
    )


_CONDITION = st.recursive(st.one_of(
    st.tuples(_OPERAND, _COMPARATOR, _OPERAND).map(lambda t: [*t[0], t[1], *t[2]]),
    st.tuples(_OPERAND, _case("BETWEEN"), _OPERAND, _case("AND"), _OPERAND).map(
        lambda t: [*t[0], t[1], *t[2], t[3], *t[4]]),
    st.tuples(_OPERAND, _case("IN"), st.lists(_OPERAND, min_size=1, max_size=3)).map(
        lambda t: [*t[0], t[1], "(", *sum(([*o, ","] for o in t[2]), [])[:-1], ")"]),
    st.tuples(st.sampled_from(["attribute_exists", "attribute_not_exists"]), _PATH).map(lambda t: [t[0], "(", *t[1], ")"]),
    st.tuples(st.sampled_from(["begins_with", "contains", "attribute_type"]), _OPERAND, _OPERAND).map(
        lambda t: [t[0], "(", *t[1], ",", *t[2], ")"]),
), _conditions, max_leaves=4)

_SET_OPERAND = st.deferred(lambda: st.one_of(
    *[_PATH, _VALUE] * 5,
    st.tuples(_PATH, _SET_VALUE).map(lambda t: ["if_not_exists", "(", *t[0], ",", *t[1], ")"]),
    st.tuples(_SET_VALUE, _SET_VALUE).map(lambda t: ["list_append", "(", *t[0], ",", *t[1], ")"]),
    _PATH.map(lambda path: ["size", "(", *path, ")"])))
_ARITHMETIC = st.tuples(_SET_OPERAND, st.sampled_from(["+", "-"]), _SET_OPERAND).map(lambda t: [*t[0], t[1], *t[2]])
_SET_VALUE = st.one_of(_SET_OPERAND, _ARITHMETIC, _ARITHMETIC)
_TARGETS = ["a", "b", "sk", "#n", "contains", "_u", "#m", "c", "d", "remove", "#x", "status", "a.b", "pk"]


@st.composite
def _update(draw) -> list[str]:
    """Clauses each at most once (mostly), with actions on distinct attributes (mostly)."""
    clauses = draw(st.lists(st.sampled_from(["SET", "REMOVE", "ADD", "DELETE"]), min_size=1, max_size=3, unique=True))
    targets = iter(draw(st.permutations(_TARGETS[:9])) if draw(st.integers(0, 3)) else draw(st.permutations(_TARGETS)))
    tokens: list[str] = []
    for clause in clauses + draw(st.sampled_from([[]] * 9 + [["SET"]])):
        tokens.append(draw(_case(clause)))
        for index in range(draw(st.integers(1, 2))):
            tokens += [","] * (index > 0) + [next(targets, "a")]
            if clause == "SET":
                tokens += ["=", *draw(_SET_VALUE)]
            elif clause != "REMOVE":
                tokens += draw(_VALUE)
    return tokens


_UPDATE = _update()

_KEY_PART = st.one_of(
    st.tuples(_PATH, _COMPARATOR, _VALUE).map(lambda t: [*t[0], t[1], *t[2]]),
    st.tuples(_PATH, _case("BETWEEN"), _VALUE, _case("AND"), _VALUE).map(lambda t: [*t[0], t[1], *t[2], t[3], *t[4]]),
    st.tuples(_PATH, _VALUE).map(lambda t: ["begins_with", "(", *t[0], ",", *t[1], ")"]),
)
_KEY_PART = st.one_of(_KEY_PART, _KEY_PART.map(lambda part: ["(", *part, ")"]))
_KEY = st.one_of(_KEY_PART, st.tuples(_KEY_PART, _case("AND"), _KEY_PART).map(lambda t: [*t[0], t[1], *t[2]]))
_PROJECTION = st.lists(_PATH, min_size=1, max_size=3).map(lambda paths: sum(([*p, ","] for p in paths), [])[:-1])

_NOISE = st.sampled_from(["(", ")", ",", "=", "AND", "or", "NOT", "SET", "ADD", "BETWEEN", "IN", ":v", "a", "#n",
                          "size", "contains", "begins_with(", "!", "#", ".", "[0]", "+", "andx", "1"])


def _broken(tokens: list[str]):
    """The expression as generated, or slightly broken: a token dropped, doubled or replaced."""
    return st.tuples(st.integers(0, 5), st.integers(0, len(tokens) - 1), _NOISE).map(lambda t: (
        tokens if t[0] < 3 else
        tokens[:t[1]] + tokens[t[1] + 1:] if t[0] == 3 else
        tokens[:t[1]] + [tokens[t[1]]] + tokens[t[1]:] if t[0] == 4 else
        tokens[:t[1]] + [t[2]] + tokens[t[1] + 1:]))


def _texts(grammar):
    return grammar.flatmap(_broken).flatmap(_join)


_ATTRIBUTE = st.one_of(
    st.builds(lambda s: {"S": s}, st.sampled_from(["", "x", "xy", "S", "N", "SS", "L", "Q"])),
    *[st.builds(lambda n: {"N": str(n)}, st.integers(-1, 2))] * 3,
    st.builds(lambda s: {"S": s}, st.sampled_from(["x", "xy"])),
    st.builds(lambda s: {"SS": s}, st.lists(st.sampled_from(["x", "y"]), min_size=1, max_size=2, unique=True)),
    st.builds(lambda s: {"NS": s}, st.lists(st.sampled_from(["1", "2"]), min_size=1, max_size=2, unique=True)),
    st.builds(lambda items: {"L": items}, st.lists(st.builds(lambda s: {"S": s}, st.sampled_from(["x", "y"])), max_size=2)),
    st.just({"BOOL": True}), st.just({"NULL": True}),
)
_ITEM = st.fixed_dictionaries(dict.fromkeys(["a", "b", "pk", "sk"], _ATTRIBUTE), optional=dict.fromkeys(
    ["c", "status", "contains", "remove", "_u"], _ATTRIBUTE))
_PLACEHOLDER_NAMES = st.one_of(
    *[st.fixed_dictionaries({"#n": st.sampled_from(["a", "b", "status"]), "#m": st.sampled_from(["a", "sk"])})] * 4,
    st.fixed_dictionaries({"#n": st.sampled_from(["a", "b"])}), st.none())
_PLACEHOLDER_VALUES = st.one_of(
    *[st.fixed_dictionaries({":v": _ATTRIBUTE, ":w": _ATTRIBUTE, ":s": _ATTRIBUTE}, optional={":t": _ATTRIBUTE})] * 5,
    st.none())


def _outcome(call):
    """What a call gives, or that it was refused: any other exception fails the test."""
    try:
        return "ok", call()
    except ServiceFailure as failure:
        assert failure.code == "ValidationException", failure
        return "refused", None


def _run(module, function: str, text: str, names, values, items: list[dict], kind: str | None):
    """Everything observable about one expression: accepted or not, what it means on each item,
    and whether the request's placeholders are all used."""
    holder = _outcome(lambda: module.Placeholders(names, values))
    if holder[0] == "refused":
        return holder
    marks = holder[1]
    args = (text, marks, kind) if kind else (text, marks)
    status, result = _outcome(lambda: getattr(module, function)(*args))
    if status == "refused":
        return status
    used = _outcome(marks.check_all_used)[0]
    if function == "condition":
        return used, [_outcome(lambda item=item: result(item)) for item in items]
    if function == "update":
        return used, [(clause, name, [_outcome(lambda item=item, operand=operand: operand(item)) for item in items]
                       if callable(operand) else operand) for clause, name, operand in result]
    if function == "key_condition":  # the reference named BETWEEN in capitals
        return used, [(name, op.lower(), values) for name, op, values in result]
    return used, result


def _agree(function, text, names, values, items, kind=None):
    old = _run(_OLD, function, text, names, values, items, kind)
    assert _run(new, function, text, names, values, items, kind) == old, (text, names, values)


# PYSFN_DIFFERENTIAL_EXAMPLES=N: a longer, random (not derandomized) search, by hand.
_LONG_RUN = int(os.environ.get("PYSFN_DIFFERENTIAL_EXAMPLES", "0"))
_DIFFERENTIAL = settings(max_examples=_LONG_RUN or 400, deadline=None, derandomize=not _LONG_RUN, database=None)


@needs_reference
@_DIFFERENTIAL
@given(_texts(_CONDITION), _PLACEHOLDER_NAMES, _PLACEHOLDER_VALUES, st.lists(_ITEM, min_size=2, max_size=4),
       st.sampled_from(["ConditionExpression", "FilterExpression"]))
def test_conditions_agree_with_the_reference_parser(text, names, values, items, kind):
    _agree("condition", text, names, values, items, kind)


@needs_reference
@_DIFFERENTIAL
@given(_texts(_UPDATE), _PLACEHOLDER_NAMES, _PLACEHOLDER_VALUES, st.lists(_ITEM, min_size=2, max_size=4))
def test_updates_agree_with_the_reference_parser(text, names, values, items):
    _agree("update", text, names, values, items)


@needs_reference
@_DIFFERENTIAL
@given(_texts(_KEY), _PLACEHOLDER_NAMES, _PLACEHOLDER_VALUES)
def test_key_conditions_agree_with_the_reference_parser(text, names, values):
    _agree("key_condition", text, names, values, [])


@needs_reference
@_DIFFERENTIAL
@given(_texts(_PROJECTION), _PLACEHOLDER_NAMES)
def test_projections_agree_with_the_reference_parser(text, names):
    _agree("projection", text, names, None, [])


_NUMBERS = st.fixed_dictionaries({key: st.builds(lambda n: {"N": str(n)}, st.integers(-2, 2)) for key in (":v", ":w")},
                                 optional={":s": _ATTRIBUTE})


@needs_reference
@_DIFFERENTIAL
@given(_SET_VALUE.map(lambda value: " ".join(["SET c =", *value])), _NUMBERS, st.lists(_ITEM, min_size=2, max_size=4))
def test_set_values_agree_with_the_reference_parser(text, values, items):
    _agree("update", text, {"#n": "a", "#m": "b"}, values, items)
