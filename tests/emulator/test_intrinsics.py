"""Intrinsic functions: parsing (what AWS refuses at creation), each function's results and
limits, the failures AWS reports at run time, and the AWS-recorded corpus."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pysfn_emulator.core.errors import RUNTIME, StatesError
from pysfn_emulator.core.java_random import JavaRandom
from pysfn_emulator.query.intrinsics import (
    FUNCTIONS,
    IntrinsicSyntaxError,
    parse_intrinsic,
)
from pysfn_emulator.query.intrinsics.functions import java_double, java_json, natural_string

CORPUS = Path(
    os.environ.get(
        "PYSFN_AWS_CORPUS",
        Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "aws-recorded",
    )
)
UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def run(text, data=None, context=None, variables=None, rng=None):
    return parse_intrinsic(text).evaluate(data, context, variables, rng)


def failure(text, data=None, context=None, variables=None) -> StatesError:
    with pytest.raises(StatesError) as caught:
        run(text, data, context, variables)
    assert caught.value.error == RUNTIME
    return caught.value


def invalid(text, data=None, call=None) -> None:
    """The call fails at run time with AWS's invalid-arguments cause."""
    error = failure(text, data)
    name = re.match(r"States\.\w+", call or text).group()
    assert error.cause.startswith(
        f"There was an error while evaluating the intrinsic function: {call or text}. "
    )
    assert f"in {name}" in error.cause


# ---------------------------------------------------------------- parsing


class TestParsing:
    def test_every_function_is_known(self):
        assert len(FUNCTIONS) == 18

    @pytest.mark.parametrize(
        "text, expected",
        [
            (
                "States.Array('a', 1, -2, 1.5, -0.25, 2e3, null, true, false)",
                ["a", 1, -2, 1.5, -0.25, 2000.0, None, True, False],
            ),
            ("States.Array()", []),
            ("States.Array( 'x' ,\t'y' )", ["x", "y"]),
            ("States.Array('a,b', 'c)d', '$.x')", ["a,b", "c)d", "$.x"]),
            ("States.Array('multi\nline')", ["multi\nline"]),
        ],
    )
    def test_literals(self, text, expected):
        assert run(text) == expected

    def test_integers_stay_integers_and_decimals_stay_doubles(self):
        one, also_one = run("States.Array(1, 1.0)")
        assert type(one) is int and type(also_one) is float

    @pytest.mark.parametrize(
        "text, expected",
        [
            (r"States.Array('it\'s')", "it's"),
            (r"States.Array('\{\}')", "{}"),
            (r"States.Array('back\\slash')", "back\\slash"),
            ("States.Array('\"quoted\"')", '"quoted"'),
        ],
    )
    def test_escapes(self, text, expected):
        assert run(text) == [expected]

    def test_escapes_as_written_in_definition_json(self):
        definition_value = json.loads(r'''"States.Format('{} \\'q\\' \\{x\\} \\\\', $.a)"''')
        assert run(definition_value, {"a": 1}) == "1 'q' {x} \\"

    @pytest.mark.parametrize(
        "text",
        [
            'States.StringToJson(\'{"a":"An \\"escaped\\" quote"}\')',  # AWS rejects \" (corpus)
            r"States.Base64Decode('YWJj\nZA==')",  # backslash-n is no escape
            r"States.Array('\x')",
        ],
    )
    def test_other_escapes_are_rejected(self, text):
        with pytest.raises(IntrinsicSyntaxError, match="escape"):
            parse_intrinsic(text)

    @pytest.mark.parametrize(
        "text",
        [
            "States.Format('{}', $.a",
            "States.Format('{}' $.a)",
            "States.ArrayPartition($.arr, )",
            "States.Array(,)",
            "States.Array('unterminated)",
            "States.Array(nul)",
            "States.Array(True)",
            "States.Array(+1)",
            "States.Array(1.)",
            "States.UUID() extra",
            "States.UUID",
            "$.a",
            "States.Array($.a[)",
            "states.Array()",
        ],
    )
    def test_syntax_errors(self, text):
        with pytest.raises(IntrinsicSyntaxError):
            parse_intrinsic(text)

    def test_syntax_error_is_a_value_error_with_a_position(self):
        with pytest.raises(ValueError, match="column 18"):
            parse_intrinsic("States.Array('a' 'b')")

    def test_unknown_function(self):
        with pytest.raises(
            IntrinsicSyntaxError, match="unknown intrinsic function 'States.Compare'"
        ):
            parse_intrinsic("States.Compare($.a, $.b)")

    @pytest.mark.parametrize(
        "text, message",
        [
            ("States.ArrayLength()", "takes 1 argument"),
            ("States.MathAdd(1)", "takes 2 argument"),
            ("States.MathRandom(1, 2, 3, 4)", "takes 2 to 3"),
            ("States.Format()", "at least 1"),
            ("States.UUID(1)", "takes 0"),
            ("States.JsonMerge($.a, $.b)", "takes 3"),
        ],
    )
    def test_arity(self, text, message):
        with pytest.raises(IntrinsicSyntaxError, match=message):
            parse_intrinsic(text)

    def test_nesting_limit_is_ten(self):
        def nested(depth):
            text = "$.s"
            for _ in range(depth):
                text = f"States.Format('{{}}', {text})"
            return text

        assert run(nested(10), {"s": "x"}) == "x"
        with pytest.raises(IntrinsicSyntaxError, match="nested at most 10"):
            parse_intrinsic(nested(11))

    def test_the_documented_nine_function_example(self):
        arn = "arn:aws:imagebuilder:us-east-1:123:image-recipe/recipe.name/1.2.3"
        text = (
            "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
            "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem("
            "States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), "
            "'.'), 1))"
        )
        assert run(text, {"ImageRecipe": {"Arn": arn}}) == "1.2"
        # The docs print it with a third `{}` and two arguments, which fails when it runs.
        with pytest.raises(StatesError, match="number of arguments do not match"):
            run(text.replace("'{}.{}'", "'{}.{}.{}'"), {"ImageRecipe": {"Arn": arn}})

    def test_call_metadata(self):
        call = parse_intrinsic("States.Format('{} {}', $.a, $$.Execution.Name)")
        assert call.name == "States.Format"
        assert [path.text for path in call.paths] == ["$.a", "$$.Execution.Name"]
        assert call.text == "States.Format('{} {}', $.a, $$.Execution.Name)"

    @pytest.mark.parametrize(
        "name, expected",
        [
            ("Format", True),
            ("JsonToString", True),
            ("ArrayGetItem", True),
            ("Base64Encode", True),
            ("Base64Decode", True),
            ("Hash", True),
            ("UUID", True),
            ("Array", False),
            ("MathAdd", False),
            ("StringToJson", False),
            ("StringSplit", False),
        ],
    )
    def test_returns_string_marks_the_functions_fail_states_accept(self, name, expected):
        assert FUNCTIONS[f"States.{name}"].returns_string is expected

    def test_returns_string_on_the_parsed_call(self):
        assert parse_intrinsic("States.Hash($.a, 'MD5')").returns_string
        assert not parse_intrinsic("States.ArrayLength($.a)").returns_string


# ---------------------------------------------------------------- paths


class TestPaths:
    def test_data_context_and_variables(self):
        context = {"Execution": {"Name": "exec-1"}}
        assert run(
            "States.Array($, $.a, $$.Execution.Name, $v, $v.k)", {"a": 1}, context, {"v": {"k": 2}}
        ) == [
            {"a": 1},
            1,
            "exec-1",
            {"k": 2},
            2,
        ]

    def test_bracket_notation_and_indefinite_paths(self):
        data = {"a b": 1, "items": [{"x": 1}, {"x": 2}, {"y": 3}], "c,d": 2}
        assert run("States.Array($['a b'], $.items[*].x, $['c,d'], $.items[1].x)", data) == [
            1,
            [1, 2],
            2,
            2,
        ]

    def test_the_documented_dot_bracket_form(self):
        assert run("States.Array($.abc.['def ghi'])", {"abc": {"def ghi": 7}}) == [7]

    def test_a_wildcard_that_matches_nothing_is_an_empty_array(self):
        assert run("States.ArrayLength($.items[*].nope)", {"items": [1, 2]}) == 0

    def test_null_is_a_value_not_a_miss(self):
        assert run("States.Format('{}', $.nul)", {"nul": None}) == "null"

    def test_missing_path_fails_with_the_whole_expression(self):
        error = failure("States.Format('{} {}', $.other, States.Format('{}', $.a.b))", {"other": 1})
        assert error.cause == (
            "The function 'States.Format('{} {}', $.other, States.Format('{}', $.a.b))' had the "
            "following error: The JsonPath argument for the field '$.a.b' could not be found in the "
            "input '{\"other\":1}'"
        )

    def test_index_past_the_end_is_a_miss(self):
        error = failure("States.Format('{}', $.items[5])", {"items": [1, 2]})
        assert "The JsonPath argument for the field '$.items[5]'" in error.cause

    def test_missing_context_path_is_reported_against_the_input(self):
        error = failure("States.Format('{}', $$.Nope.Deep)", {"other": 1}, {"State": {"Name": "P"}})
        assert error.cause.endswith(
            "The JsonPath argument for the field '$.Nope.Deep' could not be found in the input '{\"other\":1}'"
        )

    def test_missing_variable(self):
        error = failure("States.Format('{}', $nope)", {}, None, {})
        assert "the field '$nope'" in error.cause


# ---------------------------------------------------------------- States.Format


class TestFormat:
    @pytest.mark.parametrize(
        "value, expected",
        [
            ("text", "text"),
            ("", ""),
            (None, "null"),
            (True, "true"),
            (False, "false"),
            (1, "1"),
            (-7, "-7"),
            (1.1, "1.1"),
            (100.0, "100.0"),
            (1e20, "1.0E20"),
            (12345678.9, "1.23456789E7"),
            (0.0001, "1.0E-4"),
            (0.001, "0.001"),
            (-0.0, "-0.0"),
            (9007199254740993, "9007199254740993"),
            ({"Arg1": 1, "Arg2": []}, "{Arg1=1, Arg2=[]}"),
            (
                {"a": "s", "b": {"c": None}, "d": [1.5, "x", True]},
                "{a=s, b={c=null}, d=[1.5, x, true]}",
            ),
            ([], "[]"),
            ({}, "{}"),
        ],
    )
    def test_natural_string(self, value, expected):
        assert run("States.Format('<{}>', $.v)", {"v": value}) == f"<{expected}>"

    def test_several_placeholders_and_no_placeholder(self):
        assert run("States.Format('{} and {}.', $.a, 2)", {"a": "x"}) == "x and 2."
        assert run("States.Format('no placeholders')") == "no placeholders"
        assert run("States.Format('  {}  ', 'x')") == "  x  "

    def test_template_from_a_path(self):
        assert run("States.Format($.t, $.n)", {"t": "Hello {}!", "n": "Ada"}) == "Hello Ada!"

    def test_escaped_braces_are_literal(self):
        assert run(r"States.Format('\{{}\}', 'x')") == "{x}"
        assert run(r"States.Format('\\{}', 'x')") == "\\x"

    def test_placeholder_count_must_match(self):
        invalid("States.Format('{} {}', $.a)", {"a": 1})
        invalid("States.Format('{}', 1, 2)")
        invalid("States.Format($.t, 1)", {"t": "none"})

    @pytest.mark.parametrize("template", ["Hello {", "Hello {{}}", "}"])
    def test_stray_braces_fail_when_run_not_when_parsed(self, template):
        call = parse_intrinsic(f"States.Format('{template}', 1)")
        with pytest.raises(StatesError, match="Invalid template in States.Format"):
            call.evaluate({})

    def test_non_string_template(self):
        invalid("States.Format($.t, 1)", {"t": 123})

    def test_nested_call_in_the_cause_is_the_failing_one(self):
        error = failure("States.Array(States.Format('{}'))")
        assert error.cause.startswith(
            "There was an error while evaluating the intrinsic function: States.Format('{}'). "
        )


# ---------------------------------------------------------------- JSON


class TestJson:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("", None),
            (" ", None),
            ("null", None),
            ("-0", 0),
            ("1", 1),
            ("1.1", 1.1),
            ("true", True),
            ('"HelloWorld"', "HelloWorld"),
            ('[1, 2, "x"]', [1, 2, "x"]),
            ('{"a": {"b": []}}', {"a": {"b": []}}),
        ],
    )
    def test_string_to_json(self, text, expected):
        assert run("States.StringToJson($.s)", {"s": text}) == expected

    @pytest.mark.parametrize("text", ["{", "NaN", "Infinity", "{'a': 1}", "tru"])
    def test_string_to_json_rejects_bad_json(self, text):
        invalid("States.StringToJson($.s)", {"s": text})

    def test_string_to_json_needs_a_string(self):
        invalid("States.StringToJson($.s)", {"s": {"a": 1}})

    @pytest.mark.parametrize(
        "value, expected",
        [
            (None, "null"),
            (0, "0"),
            (1.1, "1.1"),
            (True, "true"),
            ("HelloWorld", '"HelloWorld"'),
            ([1, 2, "HelloWorld"], '[1,2,"HelloWorld"]'),
            ({"Arg1": 1, "Arg2": []}, '{"Arg1":1,"Arg2":[]}'),
            (1e20, "1.0E20"),
            ('é\n"\x01', '"é\\n\\"\\u0001"'),
        ],
    )
    def test_json_to_string(self, value, expected):
        assert run("States.JsonToString($.v)", {"v": value}) == expected

    def test_json_to_string_of_the_whole_input(self):
        assert run("States.JsonToString($)", {"other": 1}) == '{"other":1}'

    def test_json_merge_is_shallow_and_the_second_wins(self):
        data = {
            "a": {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3},
            "b": {"a": {"a3": 1}, "c": 3, "d": 4},
        }
        assert run("States.JsonMerge($.a, $.b, false)", data) == {
            "a": {"a3": 1},
            "b": 2,
            "c": 3,
            "d": 4,
        }
        assert data["a"] == {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}  # inputs untouched

    def test_json_merge_with_a_string_literal(self):
        text = 'States.JsonMerge(States.StringToJson(\'{"k": "false"}\'), $.o, false)'
        assert run(text, {"o": {"j": 1}}) == {"k": "false", "j": 1}

    @pytest.mark.parametrize(
        "text",
        [
            "States.JsonMerge($.a, $.a, true)",
            "States.JsonMerge($.a, $.l, false)",
            "States.JsonMerge($.a, $.a, 'false')",
        ],
    )
    def test_json_merge_rejects(self, text):
        invalid(text, {"a": {}, "l": []})


# ---------------------------------------------------------------- arrays


class TestArrays:
    @pytest.mark.parametrize(
        "array, size, expected",
        [
            ([], 1, []),
            ([0], 5, [[0]]),
            ([0, 1, 2, 3], 3, [[0, 1, 2], [3]]),
            ([1, 2, 3, 4, 5, 6, 7, 8, 9], 4, [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
            ([1, 2, 3, 4, 5], 2.6, [[1, 2], [3, 4], [5]]),  # AWS truncates the chunk size
            ([1, 2, 3], 2147483647, [[1, 2, 3]]),
        ],
    )
    def test_partition(self, array, size, expected):
        assert run("States.ArrayPartition($.a, $.n)", {"a": array, "n": size}) == expected

    @pytest.mark.parametrize("size", [0, -1, 0.6, -0.4, "2", None, True])
    def test_partition_rejects_chunk_sizes(self, size):
        invalid("States.ArrayPartition($.a, $.n)", {"a": [1, 2, 3], "n": size})

    def test_partition_needs_an_array(self):
        invalid("States.ArrayPartition('not-array', 2)")

    @pytest.mark.parametrize(
        "array, value, expected",
        [
            ([], None, False),
            ([[1, 2, 3], 2], [1, 2, 3], True),
            ([{"1": 2, "2": []}], {"2": [], "1": 2}, True),
            ([{"1": 2, "2": []}], [], False),
            ([True, False], False, True),
            ([1, 2], True, False),
            ([0], False, False),
            ([1], 1.0, False),  # Jackson: an int node never equals a double node
            ([None], None, True),
        ],
    )
    def test_contains(self, array, value, expected):
        assert run("States.ArrayContains($.a, $.v)", {"a": array, "v": value}) is expected

    @pytest.mark.parametrize(
        "args, expected",
        [
            ((0, 9, 3), [0, 3, 6, 9]),
            ((0, 10, 3), [0, 3, 6, 9]),
            ((1, 9, 9), [1]),
            ((1, 9, 2), [1, 3, 5, 7, 9]),
            ((5, 1, -2), [5, 3, 1]),
            ((5, 1, 1), []),
            ((1, 5, -1), []),
            ((3, 3, -1), [3]),
            ((-2, 2, 2), [-2, 0, 2]),
            ((1.4, 5.6, 2.2), [1, 3, 5]),
            ((1.6, 1.4, 1), [1]),
            ((5.4, -0.6, -2.4), [5, 3, 1]),
        ],
    )
    def test_range(self, args, expected):
        assert run("States.ArrayRange($[0], $[1], $[2])", list(args)) == expected

    def test_range_limit_is_a_thousand_items(self):
        assert len(run("States.ArrayRange(1, 1000, 1)")) == 1000
        assert len(run("States.ArrayRange(1000, 1, -1)")) == 1000
        invalid("States.ArrayRange(1, 1001, 1)")
        invalid("States.ArrayRange(1001, 1, -1)")
        invalid("States.ArrayRange(0, 2000000000, 1)")

    @pytest.mark.parametrize("args", ["1, 10, 0", "1, 10, 0.49", "'a', 5, 1", "1, null, 1"])
    def test_range_rejects(self, args):
        invalid(f"States.ArrayRange({args})")

    def test_get_item(self):
        assert run("States.ArrayGetItem($.a, $.i)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "i": 5}) == 6
        assert run("States.ArrayGetItem($.a, 1.2)", {"a": [10, 20, 30]}) == 20  # truncated
        assert run("States.ArrayGetItem($.a, 0)", {"a": [None]}) is None
        assert run("States.ArrayGetItem($.a, 999)", {"a": []}) is None  # as AWS answers

    @pytest.mark.parametrize(
        "text",
        [
            "States.ArrayGetItem($.a, 3)",
            "States.ArrayGetItem($.a, -1)",
            "States.ArrayGetItem($.a, '1')",
            "States.ArrayGetItem('x', 0)",
        ],
    )
    def test_get_item_rejects(self, text):
        invalid(text, {"a": [10, 20, 30]})

    def test_length(self):
        assert run("States.ArrayLength($)", [1, 2, 3]) == 3
        assert run("States.ArrayLength($)", []) == 0
        invalid("States.ArrayLength($)", {"a": 1})

    def test_unique_keeps_first_occurrences_in_order(self):
        data = [
            None,
            None,
            True,
            True,
            False,
            1,
            1,
            1.1,
            0,
            0,
            1.0,
            "a",
            "a",
            [],
            [],
            [None],
            [None],
            {"a": 1, "b": 2},
            {"b": 2, "a": 1},
            {"a": 1, "b": 1},
        ]
        assert run("States.ArrayUnique($)", data) == [
            None,
            True,
            False,
            1,
            1.1,
            0,
            1.0,
            "a",
            [],
            [None],
            {"a": 1, "b": 2},
            {"a": 1, "b": 1},
        ]
        invalid("States.ArrayUnique($.s)", {"s": "abc"})

    def test_array_of_arguments(self):
        assert run("States.Array($.a, $.b)", {"a": {"Arg1": 1}, "b": None}) == [{"Arg1": 1}, None]


# ---------------------------------------------------------------- encoding, hashing, strings


class TestEncoding:
    @pytest.mark.parametrize(
        "text, encoded",
        [
            ("", ""),
            ("Data to encode", "RGF0YSB0byBlbmNvZGU="),
            ("✓", "4pyT"),
            ("こんにちは", "44GT44KT44Gr44Gh44Gv"),
            ("🚀", "8J+agA=="),
            ("abc\x00def", "YWJjAGRlZg=="),
        ],
    )
    def test_base64_round_trip(self, text, encoded):
        assert run("States.Base64Encode($.s)", {"s": text}) == encoded
        assert run("States.Base64Decode($.s)", {"s": encoded}) == text

    def test_base64_encode_of_long_text_has_no_line_breaks(self):
        assert "\n" not in run("States.Base64Encode($.s)", {"s": "a" * 10_000})

    @pytest.mark.parametrize(
        "text, expected",
        [
            ("abc", "i\xb7"),
            (" YWJjZA== ", "abcd"),
            ("ab==cd", "i"),
            ("!!!invalid!!!", "\x8a{\xda\x96'"),
        ],
    )
    def test_base64_decode_is_lenient_like_aws(self, text, expected):
        assert run("States.Base64Decode($.s)", {"s": text}) == expected.encode("latin-1").decode(
            "utf-8", "replace"
        )

    @pytest.mark.parametrize("function", ["Base64Encode", "Base64Decode", "Hash"])
    def test_ten_thousand_character_limit(self, function):
        algorithm = ", 'MD5'" if function == "Hash" else ""
        run(f"States.{function}($.s{algorithm})", {"s": "A" * 10_000})
        invalid(f"States.{function}($.s{algorithm})", {"s": "A" * 10_001})

    def test_limit_counts_java_chars(self):
        invalid("States.Base64Encode($.s)", {"s": "🚀" * 5_001})  # 10,002 UTF-16 units

    @pytest.mark.parametrize("value", [123, {}, ["x"], None])
    def test_base64_needs_strings(self, value):
        invalid("States.Base64Encode($.v)", {"v": value})
        invalid("States.Base64Decode($.v)", {"v": value})

    @pytest.mark.parametrize(
        "algorithm, digest",
        [
            ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
            ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
            ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
            (
                "SHA-384",
                "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562",
            ),
            (
                "SHA-512",
                "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4",
            ),
        ],
    )
    def test_hash(self, algorithm, digest):
        assert run("States.Hash($.d, $.a)", {"d": "input data", "a": algorithm}) == digest

    def test_hash_of_non_strings_hashes_their_json(self):
        assert run("States.Hash(123, 'MD5')") == run("States.Hash('123', 'MD5')")
        assert run("States.Hash($.o, 'MD5')", {"o": {"a": [1]}}) == run(
            "States.Hash('{\"a\":[1]}', 'MD5')"
        )

    @pytest.mark.parametrize("algorithm", ["sha-256", "SHA256", "MD-5", "", "SHA-257", 123])
    def test_hash_rejects_other_algorithms(self, algorithm):
        invalid("States.Hash('data', $.a)", {"a": algorithm})

    @pytest.mark.parametrize(
        "text, delimiters, expected",
        [
            (" ", ",", [" "]),
            (" , ", ",", [" ", " "]),
            (", , ,", ",", [" ", " "]),
            (",,,,", ",", []),
            ("1,2,3,4,5", ",", ["1", "2", "3", "4", "5"]),
            ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
            ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
            ("a]b^c-d\\e", "]^-\\", ["a", "b", "c", "d", "e"]),
            ("", ",", []),
            ("abc", "", ["abc"]),
        ],
    )
    def test_string_split(self, text, delimiters, expected):
        assert run("States.StringSplit($.s, $.d)", {"s": text, "d": delimiters}) == expected

    def test_string_split_needs_strings(self):
        invalid("States.StringSplit($.s, ',')", {"s": 1})
        invalid("States.StringSplit('a', $.d)", {"d": None})


# ---------------------------------------------------------------- math, randomness


class TestMath:
    @pytest.mark.parametrize(
        "a, b, expected",
        [
            (-9, 3, -6),
            (1.49, 1.5, 3),
            (1.5, 1.51, 4),
            (-1.49, -1.5, -2),
            (-1.5, -1.51, -3),
            (1.49, -1.49, 0),
            (-0.5, 0.5, 1),
            (-0.5, 0, 0),
            (-1.5, 0, -1),
            (-2.5, 0, -2),
            (2.5, 0, 3),
            (0.49999999999999994, 0, 0),
            (2147483646, 1, 2147483647),
        ],
    )
    def test_add_rounds_half_up_as_recorded(self, a, b, expected):
        result = run("States.MathAdd($.a, $.b)", {"a": a, "b": b})
        assert result == expected and type(result) is int

    def test_add_with_a_negative_literal(self):
        assert run("States.MathAdd($.i, -1)", {"i": 1}) == 0

    @pytest.mark.parametrize(
        "a, b",
        [("1", 2), (None, 1), (True, 1), (2147483648, 0), (2147483647, 1), (-2147483648, -1)],
    )
    def test_add_rejects(self, a, b):
        invalid("States.MathAdd($.a, $.b)", {"a": a, "b": b})

    def test_random_is_in_start_inclusive_end_exclusive(self):
        rng = random.Random(1)
        values = {run("States.MathRandom(1, 4)", rng=rng) for _ in range(200)}
        assert values == {1, 2, 3}

    def test_random_truncates_its_bounds(self):
        rng = random.Random(2)
        assert {run("States.MathRandom(1.6, 3.4)", rng=rng) for _ in range(100)} == {1, 2}
        invalid("States.MathRandom(1.4, 1.6)")

    @pytest.mark.parametrize(
        "args",
        [
            "1, 1",
            "10, 5",
            "'a', 10",
            "1, 'b'",
            "1, 10, 'seed'",
            "1, 10, null",
            "-2147483648, 2147483647",
        ],
    )
    def test_random_rejects(self, args):
        invalid(f"States.MathRandom({args})")

    def test_seeded_random_is_java_util_random(self):
        assert run("States.MathRandom(-5, 5, 42)") == -5  # as observed on AWS
        assert run("States.MathRandom($.a, $.b, $.c)", {"a": 0, "b": 999, "c": 3}) == 239
        assert run("States.MathRandom(1, 100, 42)") == run("States.MathRandom(1, 100, 42.9)")

    @pytest.mark.parametrize("seed, first", [(42, -1170105035), (0, -1155484576)])
    def test_java_random_matches_the_jdk(self, seed, first):
        assert JavaRandom(seed)._next(32) - (1 << 32) == first  # new Random(seed).nextInt()

    def test_java_random_double_matches_what_aws_returns_for_seed_42(self):
        generator = JavaRandom(42)  # nextDouble(), as AWS's JSONata $random(42) returns it
        assert ((generator._next(26) << 27) + generator._next(27)) * 2.0**-53 == 0.7275636800328681

    def test_the_random_source_is_the_callers(self):
        draw = parse_intrinsic("States.MathRandom(0, 1000000)").evaluate
        own, again = random.Random(5), random.Random(5)
        assert [draw({}, rng=own) for _ in range(3)] == [draw({}, rng=again) for _ in range(3)]
        assert run("States.UUID()", rng=random.Random(5)) == run("States.UUID()", rng=random.Random(5))

    def test_without_an_installed_source_draws_vary(self):
        draw = parse_intrinsic("States.UUID()").evaluate
        assert len({draw({}) for _ in range(5)}) == 5

    def test_uuid_is_v4_and_reproducible_with_a_seed(self):
        first = run("States.UUID()", rng=random.Random(9))
        assert UUID_V4.match(first)
        assert run("States.UUID()", rng=random.Random(9)) == first
        assert run("States.UUID()") != run("States.UUID()")


# ---------------------------------------------------------------- rendering helpers


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_java_double_reads_back_as_the_same_double(value):
    text = java_double(value)
    assert float(text) == value
    assert "." in text and "e" not in text


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        ),
        max_leaves=8,
    )
)
def test_java_json_is_json_of_the_same_value(value):
    assert json.loads(java_json(value)) == value


def test_natural_string_of_nested_values():
    assert natural_string({"Id": "arn:x", "Name": "n"}) == "{Id=arn:x, Name=n}"


# ---------------------------------------------------------------- the AWS-recorded corpus


def _corpus_files(pattern: str) -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"AWS-recorded corpus not found at {CORPUS}")
    return sorted(CORPUS.glob(pattern))


def _evaluated_intrinsics(node, found=None):
    """Intrinsic strings AWS evaluates: `.$` values and Fail ErrorPath/CausePath (not Result)."""
    found = [] if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Result":
                continue
            if isinstance(value, str):
                if (key.endswith(".$") or key in ("ErrorPath", "CausePath")) and value.startswith(
                    "States."
                ):
                    found.append(value)
            else:
                _evaluated_intrinsics(value, found)
    elif isinstance(node, list):
        for item in node:
            _evaluated_intrinsics(item, found)
    return found


def test_every_intrinsic_aws_ran_parses():
    texts = {
        text
        for path in _corpus_files("*.json")
        for text in _evaluated_intrinsics(json.loads(path.read_text()).get("definition"))
    }
    assert len(texts) > 40
    for text in sorted(texts):
        parse_intrinsic(text)


def test_every_intrinsic_aws_rejected_fails_to_parse():
    rejected = []
    for path in _corpus_files("validation/*.json"):
        case = json.loads(path.read_text())
        match = re.search(
            r"The value for the field '([^']+)' must be a valid JSONPath or a valid intrinsic",
            case["expected"].get("message", ""),
        )
        if not match or not case.get("definition"):
            continue
        field = match.group(1)
        rejected += [
            text
            for text in _evaluated_intrinsics(case["definition"])
            if f'"{field}": {json.dumps(text)}' in json.dumps(case["definition"])
        ]
    assert len(rejected) >= 2
    for text in rejected:
        with pytest.raises(IntrinsicSyntaxError):
            parse_intrinsic(text)


def _single_pass_cases():
    """Recorded cases that are one Pass state computing one intrinsic from the input."""
    for path in _corpus_files("intrinsic_functions__*.json"):
        case = json.loads(path.read_text())
        states = case["definition"]["States"]
        state = next(iter(states.values()))
        parameters = state.get("Parameters", {})
        expected = case["expected"]
        if (
            len(states) != 1
            or list(parameters) != ["FunctionResult.$"]
            or expected["status"] != "SUCCEEDED"
        ):
            continue
        text = parameters["FunctionResult.$"]
        if "$$" in text or case["placeholders"].get("in_expected"):
            continue
        yield path.name, text, case["input"], expected["output"]["FunctionResult"]


def test_recorded_results_evaluated_directly():
    cases = list(_single_pass_cases())
    assert len(cases) > 100
    for name, text, data, expected in cases:
        result = parse_intrinsic(text).evaluate(data)
        assert json.dumps(result, sort_keys=True) == json.dumps(expected, sort_keys=True), name


def test_a_call_cut_short_says_it_ends_too_early():
    """A missing `)` read 'unexpected the end at column 21'."""
    with pytest.raises(IntrinsicSyntaxError, match="it ends too early"):
        parse_intrinsic("States.Format('{}', $.a")
