"""JSONPath-mode Choice rules: the AWS-recorded corpus first, then each operator's corners."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pysfn_emulator.core.errors import StatesError
from pysfn_emulator.query.choice import ChoiceRuleError, Rule, compile_rule

CORPUS = Path(
    os.environ.get(
        "PYSFN_AWS_CORPUS",
        Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "aws-recorded",
    )
)
CAUSE = "Invalid path '{}': The choice state's condition path references an invalid value."


def _choice_cases() -> list:
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))]
    return [
        pytest.param(file, id=file.stem) for file in sorted(CORPUS.glob("choice_operators__*.json"))
    ]


CHOICE_CASES = _choice_cases()


def choose(rules: list[Rule], data, context=None, variables=None, default=None):
    """The Choice state's transition as the interpreter makes it: first match, else Default."""
    for rule in rules:
        if rule.evaluate(data, context, variables):
            return rule.next
    return default


@pytest.mark.parametrize("file", CHOICE_CASES)
def test_recorded_choice(file: Path):
    """Each case routes to a Pass state whose Result is the recorded output."""
    case = json.loads(file.read_text())
    definition = case["definition"]
    states = definition["States"]
    choice = states[definition["StartAt"]]
    assert choice["Type"] == "Choice" and case["expected"]["status"] == "SUCCEEDED"
    rules = [compile_rule(rule) for rule in choice["Choices"]]
    context = {"Execution": {"Input": case["input"]}, "State": {"Name": definition["StartAt"]}}
    target = choose(rules, case["input"], context, {}, choice.get("Default"))
    assert states[target]["Type"] == "Pass"
    assert states[target]["Result"] == case["expected"]["output"]


def test_corpus_is_complete():
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    assert len(CHOICE_CASES) >= 491


def matches(rule: dict, data, context=None, variables=None) -> bool:
    return compile_rule(rule).evaluate(data, context, variables)


def v(operator: str, operand, value) -> bool:
    """Evaluate `{"Variable": "$.v", operator: operand}` on `{"v": value}`."""
    return matches({"Variable": "$.v", operator: operand}, {"v": value})


def vp(operator: str, left, right) -> bool:
    """Evaluate `{"Variable": "$.l", operator + "Path": "$.r"}` on `{"l": left, "r": right}`."""
    return matches({"Variable": "$.l", operator + "Path": "$.r"}, {"l": left, "r": right})


# -- strings --------------------------------------------------------------------------------


def test_string_comparisons():
    assert v("StringEquals", "abc", "abc") and not v("StringEquals", "abc", "abd")
    assert v("StringLessThan", "b", "a") and not v("StringLessThan", "a", "a")
    assert v("StringGreaterThan", "a", "b") and not v("StringGreaterThan", "a", "a")
    assert v("StringLessThanEquals", "a", "a") and not v("StringLessThanEquals", "a", "b")
    assert v("StringGreaterThanEquals", "a", "a") and not v("StringGreaterThanEquals", "b", "a")
    assert v("StringLessThan", "AB", "A") and v("StringLessThan", "a", "B")


def test_string_paths():
    assert vp("StringEquals", "x", "x") and not vp("StringEquals", "x", "y")
    assert vp("StringLessThan", "a", "b") and vp("StringGreaterThanEquals", "b", "b")
    assert not vp("StringEquals", "1", 1)


def test_strings_order_by_utf16_code_units_as_java_does():
    # U+FFFF is above the surrogate pair of U+1F600 in UTF-16, below it by code point.
    assert v("StringGreaterThan", "\U0001f600", "\uffff")
    assert vp("StringGreaterThan", "\uffff", "\U0001f600")
    assert v("StringLessThan", "\uffff", "\U0001f600") and v("StringLessThan", "é", "a")
    assert v("StringEquals", "é😀", "é😀") and v("StringLessThanEquals", "é😀", "é😀")


@pytest.mark.parametrize("value", [None, 1, 1.5, True, [], ["abc"], {}, {"a": "abc"}])
@pytest.mark.parametrize(
    "operator", ["StringEquals", "StringLessThan", "StringGreaterThanEquals", "StringMatches"]
)
def test_strings_compare_only_with_strings(operator, value):
    assert not v(operator, "abc", value)
    assert matches({"Not": {"Variable": "$.v", operator: "abc"}}, {"v": value})


# -- StringMatches --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("log-*.txt", "log-2024.txt", True),
        ("log-*.txt", "log-.txt", True),
        ("log-*.txt", "log-2024.txt.bak", False),
        ("*", "", True),
        ("*", "anything\nat all", True),
        ("a*b*c", "aXXbYYc", True),
        ("a*b*c", "acb", False),
        ("abc", "abc", True),
        ("abc", "abcd", False),
        ("", "", True),
        ("a?c", "abc", False),  # '?' is no wildcard
        ("a?c", "a?c", True),
        ("[ab]", "a", False),  # nor are brackets
        ("[ab]", "[ab]", True),
        (".*", "xyz", False),  # nor regex syntax
        (r"a\*", "a*", True),  # "a\\*" in JSON: a literal star
        (r"a\*", "ab", False),
        (r"a\\", "a\\", True),  # "a\\\\" in JSON: one backslash
        (r"a\\*", "a\\xyz", True),  # an escaped backslash, then a wildcard
        (r"a\d", "a\\d", True),  # a backslash before another character stands for itself
        ("a\\", "a\\", True),
        ("*.TXT", "file.txt", False),  # case sensitive
    ],
)
def test_string_matches(pattern, value, expected):
    assert v("StringMatches", pattern, value) is expected


# -- numbers --------------------------------------------------------------------------------


def test_numeric_comparisons():
    assert v("NumericEquals", 1, 1) and v("NumericEquals", 1.0, 1) and v("NumericEquals", 1, 1.0)
    assert not v("NumericEquals", 1, 1.1)
    assert v("NumericLessThan", 2, 1.5) and not v("NumericLessThan", 2, 2)
    assert v("NumericGreaterThan", -1, 0) and not v("NumericGreaterThan", 0, 0)
    assert v("NumericLessThanEquals", 0, 0.0) and not v("NumericLessThanEquals", 0, 1e-300)
    assert v("NumericGreaterThanEquals", 2.5, 2.5) and not v("NumericGreaterThanEquals", 2.5, 2)


def test_numeric_paths():
    assert (
        vp("NumericEquals", 3, 3.0)
        and vp("NumericLessThan", -2.25, -2)
        and vp("NumericGreaterThanEquals", 8, 8)
    )
    assert (
        not vp("NumericEquals", 8, "8")
        and not vp("NumericLessThan", 7, {"v": 8})
        and not vp("NumericEquals", True, 1)
    )


@pytest.mark.parametrize("value", [True, False, "1", "", None, [1], {"v": 1}])
def test_booleans_and_strings_are_not_numbers(value):
    assert not v("NumericEquals", 1, value) and not v("NumericEquals", 0, value)
    assert not v("NumericLessThan", 100, value) and not v("NumericGreaterThanEquals", -100, value)


def test_numbers_compare_as_ieee_doubles():
    big = 2**53
    assert v("NumericEquals", big, big + 1)  # one double
    assert vp("NumericEquals", big + 1, float(big))
    assert v("NumericGreaterThan", 1.7e308, 10**400)  # beyond a double: +infinity
    assert v("NumericLessThan", -1.7e308, -(10**400))
    assert v("NumericEquals", 0.30000000000000004, 0.1 + 0.2) and not v(
        "NumericEquals", 0.3, 0.1 + 0.2
    )


# -- booleans -------------------------------------------------------------------------------


def test_boolean_equals():
    assert v("BooleanEquals", True, True) and v("BooleanEquals", False, False)
    assert not v("BooleanEquals", True, False)
    assert vp("BooleanEquals", False, False) and not vp("BooleanEquals", True, False)


@pytest.mark.parametrize("value", [0, 1, 0.0, "true", "", None, [], {}])
def test_boolean_equals_wants_booleans(value):
    assert not v("BooleanEquals", True, value) and not v("BooleanEquals", False, value)
    assert not vp("BooleanEquals", value, value)


# -- timestamps -----------------------------------------------------------------------------


def test_timestamp_comparisons():
    t = "2016-03-14T01:59:00Z"
    assert v("TimestampEquals", t, t) and not v("TimestampEquals", t, "2016-03-14T01:59:01Z")
    assert v("TimestampLessThan", t, "2016-03-14T01:58:59.999Z")
    assert v("TimestampGreaterThan", t, "2016-03-14T01:59:00.000000001Z")
    assert v("TimestampLessThanEquals", t, t) and v("TimestampGreaterThanEquals", t, t)
    assert vp("TimestampLessThan", "2016-03-14T01:59:00Z", "2016-03-14T02:00:00Z")


def test_timestamps_compare_instants_across_offsets():
    assert v("TimestampEquals", "2016-03-14T01:59:00Z", "2016-03-14T02:59:00+01:00")
    assert v("TimestampEquals", "2016-03-14T02:59:00+01:00", "2016-03-13T20:29:00-05:30")
    assert v("TimestampLessThan", "2016-03-14T02:00:00+01:00", "2016-03-14T01:30:00Z") is False
    assert v("TimestampGreaterThan", "2016-03-14T02:00:00+01:00", "2016-03-14T01:30:00Z")
    assert vp("TimestampEquals", "2016-03-14T01:59:00.000Z", "2016-03-14T02:59:00+01:00")


@pytest.mark.parametrize(
    "value",
    [
        "2016-03-14T01:59:00",
        "2016-03-14 01:59:00Z",
        "2016-03-14",
        "",
        1457920740,
        None,
        True,
        ["2016-03-14T01:59:00Z"],
    ],
)
def test_timestamp_operators_want_timestamps(value):
    assert not v("TimestampEquals", "2016-03-14T01:59:00Z", value)
    assert not v("TimestampGreaterThan", "1970-01-01T00:00:00Z", value)
    assert not vp("TimestampEquals", "2016-03-14T01:59:00Z", value)
    assert not vp("TimestampLessThanEquals", value, "2016-03-14T01:59:00Z")


# -- type tests -----------------------------------------------------------------------------

VALUES = {
    "null": None,
    "zero": 0,
    "float": 1.5,
    "true": True,
    "false": False,
    "string": "hello",
    "empty": "",
    "timestamp": "2016-03-14T01:59:00Z",
    "offset_timestamp": "2016-03-14T01:59:00+01:00",
    "local_time": "2016-03-14T01:59:00",
    "list": [],
    "object": {},
}
TYPES = {
    "IsNull": {"null"},
    "IsNumeric": {"zero", "float"},
    "IsBoolean": {"true", "false"},
    "IsString": {"string", "empty", "timestamp", "offset_timestamp", "local_time"},
    "IsTimestamp": {"timestamp", "offset_timestamp"},
    "IsPresent": set(VALUES),
}


@pytest.mark.parametrize("operator", sorted(TYPES))
@pytest.mark.parametrize("name", sorted(VALUES))
def test_type_tests(operator, name):
    expected = name in TYPES[operator]
    assert v(operator, True, VALUES[name]) is expected
    assert v(operator, False, VALUES[name]) is not expected


def test_is_present_never_fails():
    assert not matches({"Variable": "$.missing", "IsPresent": True}, {})
    assert matches({"Variable": "$.missing", "IsPresent": False}, {})
    assert matches({"Variable": "$.a.b.c", "IsPresent": False}, {"a": None})
    assert matches({"Variable": "$.a[3]", "IsPresent": False}, {"a": [1]})
    assert matches({"Variable": "$$.Task.Token", "IsPresent": False}, {}, {"Execution": {}})
    assert matches({"Variable": "$undefined", "IsPresent": False}, {}, {}, {})
    assert matches({"Variable": "$defined", "IsPresent": True}, {}, {}, {"defined": None})


# -- missing paths --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.x", "IsNull": True},
        {"Variable": "$.x", "IsNull": False},
        {"Variable": "$.x", "IsString": False},
        {"Variable": "$.x", "IsTimestamp": False},
        {"Variable": "$.x", "StringEquals": "a"},
        {"Variable": "$.x", "StringMatches": "*"},
        {"Variable": "$.x", "NumericEquals": 1},
        {"Variable": "$.x", "BooleanEquals": True},
        {"Variable": "$.x", "TimestampEquals": "2016-03-14T01:59:00Z"},
        {"Variable": "$.x", "NumericEqualsPath": "$.y"},
    ],
)
def test_missing_variable_fails_with_aws_cause(rule):
    with pytest.raises(StatesError) as caught:
        matches(rule, {"y": 1})
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause == CAUSE.format("$.x")


@pytest.mark.parametrize(
    ("variable", "data", "context", "variables"),
    [
        ("$.a.b", {"a": 1}, None, None),
        ("$.a.b", {"a": None}, None, None),
        ("$.list[5]", {"list": [0]}, None, None),
        ("$$.Execution.Nope", {}, {"Execution": {}}, None),
        ("$nope", {}, None, {"other": 1}),
        ("$nope.deeper", {}, None, {}),
    ],
)
def test_missing_variable_in_any_root(variable, data, context, variables):
    with pytest.raises(StatesError, match="references an invalid value") as caught:
        matches({"Variable": variable, "NumericEquals": 1}, data, context, variables)
    assert caught.value.cause == CAUSE.format(variable)


def test_missing_operand_path_fails_naming_it():
    with pytest.raises(StatesError) as caught:
        matches({"Variable": "$.left", "NumericLessThanEqualsPath": "$.right"}, {"left": 8})
    assert (caught.value.error, caught.value.cause) == ("States.Runtime", CAUSE.format("$.right"))


def test_the_variable_is_read_before_the_operand():
    with pytest.raises(StatesError) as caught:
        matches({"Variable": "$.left", "StringEqualsPath": "$.right"}, {})
    assert caught.value.cause == CAUSE.format("$.left")


def test_a_type_mismatch_does_not_hide_a_missing_operand():
    with pytest.raises(StatesError):
        matches({"Variable": "$.left", "NumericEqualsPath": "$.right"}, {"left": "not a number"})


# -- And, Or, Not ---------------------------------------------------------------------------


def test_aws_docs_example():
    rules = [
        compile_rule({"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"}),
        compile_rule({"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"}),
        compile_rule(
            {
                "And": [
                    {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                    {"Variable": "$.value", "NumericLessThan": 30},
                ],
                "Next": "ValueInTwenties",
            }
        ),
    ]
    assert (
        choose(rules, {"type": "Private", "value": 22}, default="DefaultState") == "ValueInTwenties"
    )
    assert choose(rules, {"type": "Public", "value": 22}, default="DefaultState") == "Public"
    assert choose(rules, {"type": "Private", "value": 0}, default="DefaultState") == "ValueIsZero"
    assert choose(rules, {"type": "Private", "value": 30}, default="DefaultState") == "DefaultState"


def test_combinators():
    a_true = {"Variable": "$.a", "BooleanEquals": True}
    b_true = {"Variable": "$.b", "BooleanEquals": True}
    for a in (True, False):
        for b in (True, False):
            data = {"a": a, "b": b}
            assert matches({"And": [a_true, b_true]}, data) is (a and b)
            assert matches({"Or": [a_true, b_true]}, data) is (a or b)
            assert matches({"Not": a_true}, data) is (not a)
            assert matches({"Not": {"Or": [a_true, {"Not": b_true}]}}, data) is (not (a or not b))
    assert matches({"And": [a_true]}, {"a": True}) and not matches({"Or": [a_true]}, {"a": False})


def test_combinators_stop_at_the_first_decisive_rule():
    missing = {"Variable": "$.missing", "IsNull": True}
    assert not matches({"And": [{"Variable": "$.a", "BooleanEquals": True}, missing]}, {"a": False})
    assert matches({"Or": [{"Variable": "$.a", "BooleanEquals": True}, missing]}, {"a": True})
    with pytest.raises(StatesError):
        matches({"And": [{"Variable": "$.a", "BooleanEquals": True}, missing]}, {"a": True})
    with pytest.raises(StatesError):
        matches({"Not": missing}, {})


def test_map_break_condition_on_the_whole_input():
    rule = {
        "And": [
            {"IsPresent": True, "Variable": "$"},
            {"And": [{"IsNumeric": True, "Variable": "$"}, {"NumericEquals": 3, "Variable": "$"}]},
        ]
    }
    assert [matches(rule, item) for item in (1, 3, "3", None)] == [False, True, False, False]


# -- roots: context object and variables ----------------------------------------------------


def test_context_object_variable():
    rule = {"Variable": "$$.Execution.Input.input-value", "NumericLessThanEquals": 0}
    assert matches(rule, {"ignored": True}, {"Execution": {"Input": {"input-value": 0}}})
    assert not matches(rule, {}, {"Execution": {"Input": {"input-value": 1}}})


def test_variable_references():
    rule = {"Variable": "$guess", "StringEqualsPath": "$answer"}
    assert matches(rule, {}, {}, {"guess": "42", "answer": "42"})
    assert not matches(rule, {}, {}, {"guess": "41", "answer": "42"})
    assert matches(
        {"Variable": "$cfg.limits[1]", "NumericGreaterThanPath": "$.n"},
        {"n": 2},
        {},
        {"cfg": {"limits": [0, 5]}},
    )


def test_a_numeric_string_is_not_a_number():
    rules = [
        compile_rule({"Variable": "$.input_value", "IsPresent": False, "Next": "Unknown"}),
        compile_rule({"Variable": "$.input_value", "NumericEquals": 42, "Next": "Correct"}),
    ]
    assert choose(rules, {"input_value": "42"}, default="Incorrect") == "Incorrect"
    assert choose(rules, {"input_value": 42}, default="Incorrect") == "Correct"
    assert choose(rules, {}, default="Incorrect") == "Unknown"


# -- the Rule object ------------------------------------------------------------------------


def test_rule_keeps_next_assign_and_output():
    source = {
        "Variable": "$.a",
        "IsPresent": True,
        "Next": "Found",
        "Assign": {"x.$": "$.a"},
        "Output": {"y": 1},
        "Comment": "c",
    }
    rule = compile_rule(source)
    assert (rule.next, rule.assign, rule.output) == ("Found", {"x.$": "$.a"}, {"y": 1})
    bare = compile_rule({"Variable": "$.a", "IsPresent": True})
    assert (bare.next, bare.assign, bare.output) == (None, None, None)


def test_a_rule_is_frozen():
    rule = compile_rule({"Variable": "$.a", "IsPresent": True, "Next": "X"})
    with pytest.raises(AttributeError):
        rule.next = "Y"


# -- malformed rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "pointer"),
    [
        ({"Variable": "$.a", "NumericEqual": 1}, "/NumericEqual"),
        ({"Variable": "$.a", "StringEquals": "x", "StringLessThan": "y"}, ""),
        ({"Variable": "$.a", "Next": "X"}, ""),
        ({}, ""),
        ({"Next": "X"}, ""),
        ({"Condition": True, "Next": "X"}, "/Condition"),
        ({"StringEquals": "x"}, "/Variable"),
        ({"Variable": 1, "StringEquals": "x"}, "/Variable"),
        ({"Variable": "a.b", "StringEquals": "x"}, "/Variable"),
        ({"Variable": "$.a", "StringEquals": 1}, "/StringEquals"),
        ({"Variable": "$.a", "StringMatches": None}, "/StringMatches"),
        ({"Variable": "$.a", "NumericEquals": "1"}, "/NumericEquals"),
        ({"Variable": "$.a", "NumericEquals": True}, "/NumericEquals"),
        ({"Variable": "$.a", "BooleanEquals": 1}, "/BooleanEquals"),
        ({"Variable": "$.a", "TimestampEquals": "2016-03-14"}, "/TimestampEquals"),
        ({"Variable": "$.a", "TimestampEquals": 0}, "/TimestampEquals"),
        ({"Variable": "$.a", "IsNull": "true"}, "/IsNull"),
        ({"Variable": "$.a", "IsPresent": 1}, "/IsPresent"),
        ({"Variable": "$.a", "StringEqualsPath": "b"}, "/StringEqualsPath"),
        ({"Variable": "$.a", "NumericEqualsPath": 3}, "/NumericEqualsPath"),
        ({"Variable": "$.a", "BooleanLessThan": True}, "/BooleanLessThan"),
        ({"Variable": "$.a", "StringMatchesPath": "$.b"}, "/StringMatchesPath"),
        ({"And": []}, "/And"),
        ({"Or": {"Variable": "$.a", "IsNull": True}}, "/Or"),
        ({"Not": [{"Variable": "$.a", "IsNull": True}]}, "/Not"),
        ({"And": [{"Variable": "$.a", "IsNull": True}], "Variable": "$.a"}, "/Variable"),
        (
            {
                "And": [
                    {"Variable": "$.a", "IsNull": True},
                    {"Variable": "$.b", "NumericEquals": "x"},
                ]
            },
            "/And/1/NumericEquals",
        ),
        ({"Not": {"Or": [{"Variable": "$.a"}]}}, "/Not/Or/0"),
        ("StringEquals", ""),
        (None, ""),
    ],
)
def test_malformed_rules_name_the_field(rule, pointer):
    with pytest.raises(ChoiceRuleError) as caught:
        compile_rule(rule)
    assert isinstance(caught.value, ValueError)
    assert caught.value.pointer == pointer
    if pointer:
        assert str(caught.value).startswith(pointer + ": ")


def test_missing_variable_fails_the_execution():
    """Through the interpreter, which prefixes the state, as AWS's recorded causes do."""
    import pysfn_emulator

    definition = {
        "StartAt": "IsDataset",
        "States": {
            "IsDataset": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.processing_type", "StringEquals": "dataset", "Next": "Done"}
                ],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    execution = pysfn_emulator.run(definition, {"other": 1})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == (
        "An error occurred while executing the state 'IsDataset' (entered at the event id #2). "
        + CAUSE.format("$.processing_type")
    )
