"""JSONata where jsonata-python differs from jsonata-js 2.0.6 (AWS's JSONata): each case's
value or error (code and message, as jsonata-js words it) in the emulator, and the same cases
run through jsonata-js itself when PYSFN_JSONATA_JS points at a jsonata 2.0.6 npm package
(CI installs one when node and npm are there). Also: runaway expressions end, and nothing the
port prints reaches standard output."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess

import pytest

import pysfn_emulator
from pysfn_emulator.query.jsonata import (
    JsonataSyntaxError,
    QueryEvaluationError,
    Runtime,
    compile_value,
)
from pysfn_emulator.query.jsonata import engine as jsonata_engine

# (expression, outcome): ("ok", value), ("undefined",), ("error", "CODE: message") or, for an
# error jsonata-js lets out without a code (a JavaScript TypeError), ("error", "message").
# Refused at parse time: ("refused", "CODE: message").
_MATCHER = '{"match": "b", "start": 1, "end": 2, "groups": ["g"], "next": function(){ () }}'
_ALL_B = (
    'function($s){ ($f := function($from){ ($i := $from + $length($substringBefore($substring($s, $from), "b"));'
    ' $i >= $length($s) ? () : {"match": "b", "start": $i, "end": $i + 1, "groups": ["G"],'
    ' "next": function(){ $f($i + 1) }}) }; $f(0)) }'
)
_SORT_D3070 = (
    "D3070: The single argument form of the sort function can only be applied to an array of strings or an "
    "array of numbers.  Use the second argument to specify a comparison function"
)
_T1010 = 'T1010: The matcher function argument passed to function "{}" does not return the correct object structure'
_NO_APPLY = "Cannot read properties of undefined (reading 'apply')"
_CLOSURE = (
    "async function (...params) {\n                    // invoke func\n"
    "                    return await apply(arg, params, null, environment);\n                }"
)

CASES = [
    # undefined functions: T1006, and nothing printed
    ("$nosuch(1)", ("error", "T1006: Attempted to invoke a non-function")),
    ("($x := 1; $x(2))", ("error", "T1006: Attempted to invoke a non-function")),
    ("$nosuch(?)", ("error", "T1008: Attempted to partially apply a non-function")),
    # JSONata 2.1's operators are not 2.0.6's
    ("1 ?? 2", ("refused", 'S0211: The symbol "?" cannot be used as a unary operator')),
    ("$x ?? 2", ("refused", 'S0211: The symbol "?" cannot be used as a unary operator')),
    ("1 ?: 2", ("refused", 'S0211: The symbol ":" cannot be used as a unary operator')),
    ("'??' & '?:'", ("ok", "???:")),
    ("true ? 1 : 2", ("ok", 1)),
    # $string and & of numbers JSON cannot hold
    ("$string(1/0)", ("error", "D3001: Attempting to invoke string function on Infinity or NaN")),
    ("$string([1/0])", ("error", "D1001: Number out of range: null")),
    ('$string({"a": 1/0})', ("error", "D1001: Number out of range: null")),
    ('"x" & [1/0]', ("error", "D1001: Number out of range: null")),
    # $number
    ('$number("10e500")', ("error", 'D3030: Unable to cast value to a number: "10e500"')),
    ('$number("Infinity")', ("error", 'D3030: Unable to cast value to a number: "Infinity"')),
    ('$number(".5")', ("error", 'D3030: Unable to cast value to a number: ".5"')),
    ('$number("1e5")', ("ok", 100000)),
    ('$number("-0.5e-3")', ("ok", -0.0005)),
    ('$number("0x1F")', ("ok", 31)),
    ('$number(" 0o17")', ("ok", 15)),
    ("$number(null)", ("error", 'T0410: Argument 1 of function "number" does not match function signature')),
    # $length counts code points; an escaped surrogate pair is one
    ('$length("\\uD834\\uDD1E")', ("ok", 1)),
    ('$length("\\uD834\\uDD1Ea")', ("ok", 2)),
    ('"\\uD834\\uDD1E"', ("ok", "\U0001d11e")),
    ('$length("\\uD834")', ("ok", 1)),
    ('$substring("\\uD834\\uDD1Eab", 1)', ("ok", "ab")),
    ('$match("\U0001f600a", /a/).index', ("ok", 2)),
    # $toMillis without a picture
    (
        '$toMillis("2020-01-01 10:00:00")',
        ("error", 'D3110: The argument of the toMillis function must be an ISO 8601 formatted timestamp. '
         'Given "2020-01-01 10:00:00"'),
    ),
    ('$toMillis("2020-01-01")', ("ok", 1577836800000)),
    ('$toMillis("2020")', ("ok", 1577836800000)),
    ('$toMillis("2020-01-01T10:00:00.5+01:00")', ("ok", 1577869200500)),
    ('$toMillis("2020-01-01T10:00:00+0100")', ("ok", 1577869200000)),
    ('$toMillis("2020-02-30")', ("ok", 1583020800000)),
    ('$toMillis("2020-01-01T24:00:00")', ("ok", 1577923200000)),
    # regex matchers: empty matches, capture groups, `$n` in replacements
    ('$replace("abc", /x*/, "-")', ("error", "D1004: Regular expression matches zero length string")),
    ('$replace("xbc", /x*/, "-")', ("error", "D1004: Regular expression matches zero length string")),
    ('$match("abc", /x*/)', ("error", "D1004: Regular expression matches zero length string")),
    ('$split("abc", /x*/)', ("error", "D1004: Regular expression matches zero length string")),
    ('$replace("aa", /a*/, "-")', ("ok", "-")),
    ('$replace("", /x*/, "-")', ("ok", "-")),
    ('$contains("abc", /x*/)', ("ok", True)),
    ('$replace("abc", /(b)(c)/, function($m){ $join($m.groups, "+") })', ("ok", "ab+c")),
    ('$replace("abc", /(b)(x)?/, function($m){ $string($m.groups) })', ("ok", 'a["b",null]c')),
    ('$replace("abc", /b/, function($m){ $string($m) })', ("ok", 'a{"match":"b","start":1,"end":2,"groups":[],"next":""}c')),
    ('$match("abc", /(b)(x)?/)', ("ok", {"match": "b", "index": 1, "groups": ["b", None]})),
    ('$replace("abc", /(b)(c)/, "$2$1$$$0$3$")', ("ok", "acb$bc$")),
    ('$replace("abcdefghijkl", /(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)/, "$10|$11|$12")', ("ok", "j|k|a2l")),
    ('$replace("abcbd", /b/, "X", 1)', ("ok", "aXcbd")),
    ('$split("a1b22c", /\\d+/, 2)', ("ok", ["a", "b"])),
    ('$match("abab", /b/, 1)', ("ok", {"match": "b", "index": 1, "groups": []})),
    # user-defined matchers
    (f'$match("abc", function($s){{ {_MATCHER} }})', ("ok", {"match": "b", "index": 1, "groups": ["g"]})),
    (f'$replace("abc", function($s){{ {_MATCHER} }}, "[$0|$1]")', ("ok", "a[b|g]c")),
    (f'$replace("abc", function($s){{ {_MATCHER} }}, function($m){{ $m.groups[0] }})', ("ok", "agc")),
    (f'$split("abc", function($s){{ {_MATCHER} }})', ("ok", ["a", "c"])),
    (f'$contains("abc", function($s){{ {_MATCHER} }})', ("ok", True)),
    ('$contains("abc", function($s){ () })', ("ok", False)),
    (f'$match("abab", {_ALL_B})', ("ok", [{"match": "b", "index": 1, "groups": ["G"]},
                                          {"match": "b", "index": 3, "groups": ["G"]}])),
    (f'$split("abab", {_ALL_B})', ("ok", ["a", "a", ""])),
    (f'$replace("abab", {_ALL_B}, "<$1>")', ("ok", "a<G>a<G>")),
    ('$match("abc", function($s){ 5 })', ("error", _T1010.format("match"))),
    ('$match("abc", function($s){ {"foo": 1} })', ("error", _T1010.format("match"))),
    ('$split("abc", function($s){ 5 })', ("error", _T1010.format("split"))),
    ('$contains("abc", function($s){ 5 })', ("error", _T1010.format("contains"))),
    ('$replace("abc", function($s){ 5 }, "x")', ("error", _T1010.format("replace"))),
    # jsonata-js's own TypeErrors, without a code
    ('$match("abc", function($s){ {"match": "b", "start": 1, "end": 2, "groups": []} })', ("error", _NO_APPLY)),
    ('$match("abc", function($s){ null })', ("error", "Cannot read properties of null (reading 'match')")),
    ('$replace("a", /a/, $nosuch)', ("error", _NO_APPLY)),
    ('$replace("abcb", "b", function($m){ "x" }, 1)', ("ok", "a" + _CLOSURE + "cb")),
    # $sort without a comparator
    ('$sort([{"a": 1}, {"a": 2}])', ("error", _SORT_D3070)),
    ('$sort([1, "a"])', ("error", _SORT_D3070)),
    ("$sort([1, null])", ("error", _SORT_D3070)),
    ('$sort(["b", "a", "é", "Z"])', ("ok", ["Z", "a", "b", "é"])),
    ('$sort([{"a": 1}])', ("ok", [{"a": 1}])),
    # URLs as encodeURI / decodeURI and their Component forms
    ('$decodeUrl("%E0%A4%A")', ("error", 'D3140: Malformed URL passed to $decodeUrl(): "%E0%A4%A"')),
    ('$decodeUrlComponent("%ZZ")', ("error", 'D3140: Malformed URL passed to $decodeUrlComponent(): "%ZZ"')),
    ('$decodeUrl("%C0%80")', ("error", 'D3140: Malformed URL passed to $decodeUrl(): "%C0%80"')),
    ('$encodeUrl("\\uD800")', ("error", 'D3140: Malformed URL passed to $encodeUrl(): "\\ud800"')),
    ('$decodeUrl("%2F%41%25")', ("ok", "%2FA%")),
    ('$decodeUrlComponent("%2F%41")', ("ok", "/A")),
    ('$encodeUrlComponent("a b/\u00fc\U0001f600")', ("ok", "a%20b%2F%C3%BC%F0%9F%98%80")),
    ('$encodeUrl("a b/\u00fc?#")', ("ok", "a%20b/%C3%BC?#")),
    # signatures: JSONata null is a value of its own, and the failing argument is named
    ('$contains(null, "x")', ("error", 'T0410: Argument 1 of function "contains" does not match function signature')),
    ('$split("abc", null)', ("error", 'T0410: Argument 2 of function "split" does not match function signature')),
    ("$map([1], 5)", ("error", 'T0410: Argument 2 of function "map" does not match function signature')),
    ('$substring("abc", "x")', ("error", 'T0410: Argument 2 of function "substring" does not match function signature')),
    ('$sum(["a"])', ("error", 'T0412: Argument 1 of function "sum" must be an array of "numbers"')),
    ("$sum(null)", ("error", 'T0412: Argument 1 of function "sum" must be an array of "numbers"')),
    ("$join([1, 2])", ("error", 'T0412: Argument 1 of function "join" must be an array of "strings"')),
    ("$string(null)", ("ok", "null")),
    ("$exists(null)", ("ok", True)),
    # other errors the port raised as Python's
    ('$error("")', ("error", "D3137: $error() function evaluated")),
    ('$formatInteger(1, "x")', ("error", 'D3130: Formatting or parsing an integer as a sequence starting with "x" '
                                          "is not supported by this implementation")),
    ('$sift({"a": 1})', ("error", "Cannot read properties of undefined (reading 'arity')")),
    # strings are UTF-16 in JavaScript: $split by "" gives a character beyond U+FFFF as its two
    # surrogates, which join again with & and $join; a pattern holding a lone surrogate finds
    # half a character; lengths, $substring and $pad count code points
    ('$split("a\\ud83d\\ude00b", "")', ("ok", ["a", "\ud83d", "\ude00", "b"])),
    ('$split("\\ud83d\\ude00b", "", 2)', ("ok", ["\ud83d", "\ude00"])),
    ('$split("a\\ud83d\\ude00b\\ud83d\\ude00", "b")', ("ok", ["a\U0001f600", "\U0001f600"])),
    ('$split("a\\ud83d\\ude00b\\ud83d\\ude00", "\\ude00")', ("ok", ["a\ud83d", "b\ud83d", ""])),
    ('$join($split("a\\ud83d\\ude00b", ""), "") = "a\\ud83d\\ude00b"', ("ok", True)),
    ('$join($split("a\\ud83d\\ude00b", ""))', ("ok", "a\U0001f600b")),
    ('($c := $split("a\\ud83d\\ude00b", ""); $c[1] & $c[2] = "\\ud83d\\ude00")', ("ok", True)),
    ('($c := $split("a\\ud83d\\ude00b", ""); $length($c[1] & $c[2]))', ("ok", 1)),
    ('$length($split("a\\ud83d\\ude00b", "")[1])', ("ok", 1)),
    ('$string($split("\\ud83d\\ude00", ""))', ("ok", '["\\ud83d","\\ude00"]')),
    ('$reverse($split("a\\ud83d\\ude00", ""))', ("ok", ["\ude00", "\ud83d", "a"])),
    ('$split("\\ud83d\\ude00b", "")[0] = "\\ud83d"', ("ok", True)),
    ('$split("\\ud83d\\ude00b", "")[0] < "\\uffff"', ("ok", True)),
    ('"\\ud83d\\ude00" < "\\uffff"', ("ok", True)),
    ('$substring("a\\ud83d\\ude00b", 1, 1)', ("ok", "\U0001f600")),
    ('$pad("a", 5, "\\ud83d\\ude00")', ("ok", "a" + "\U0001f600" * 4)),
    ('$pad("a", -5, "x\\ud83d\\ude00")', ("ok", "x\U0001f600x\U0001f600a")),
    ('$substringBefore("a\\ud83d\\ude00b", "\\ude00")', ("ok", "a\ud83d")),
    ('$substringAfter("a\\ud83d\\ude00b", "\\ud83d")', ("ok", "\ude00b")),
    ('$substringAfter("a\\ud83d\\ude00b", "b")', ("ok", "")),
    ('$contains("a\\ud83d\\ude00b", "\\ude00")', ("ok", True)),
    ('$contains("a\\ud83d\\ude00b", "\\ud83d\\ude00")', ("ok", True)),
    ('$replace("a\\ud83d\\ude00b", "\\ude00", "X")', ("ok", "a\ud83dXb")),
    ('$replace("a\\ud83d\\ude00b\\ud83d\\ude00", "\\ud83d\\ude00", "X")', ("ok", "aXbX")),
    ('$replace("ax", "x", "\\ud83d") & "\\ude00" = "a\\ud83d\\ude00"', ("ok", True)),
    # a regex is JavaScript's: `$` is the end of the text (Python's also before a final newline),
    # `^`/`$` with m at \r too, `.` not \r or U+2028, \d \w \b ASCII, \s JavaScript's
    # whitespace, named groups, `[]` and `[^]`
    ('$replace("ab\\n", /b$/, "X")', ("ok", "ab\n")),
    ('$replace("a\\rb\\r", /b$/m, "X")', ("ok", "a\rX\r")),
    ('$replace("a\\rb", /^b/m, "X")', ("ok", "a\rX")),
    ('$replace("a\\r\\nb", /./, "X")', ("ok", "X\r\nX")),
    ('$contains("x\\u2028y", /x.y/)', ("ok", False)),
    ('[$contains("\\u0663", /\\d/), $contains("é", /\\w/), $contains("\\ufeff", /\\s/), $contains("\\u001c", /\\s/)]',
     ("ok", [False, False, True, False])),
    ('$replace("café xé", /\\b[a-zé]/, "|")', ("ok", "|af| ||")),
    ('$replace("a1\\u00a0b", /[\\d\\s]/, "#")', ("ok", "a##b")),
    ('$match("2024-01", /(?<y>\\d+)-(?<m>\\d+)/).groups', ("ok", ["2024", "01"])),
    ('$replace("aab", /(?<c>a)\\k<c>/, "X")', ("ok", "Xb")),
    ('[$replace("abc", /[]/, "X"), $replace("abc", /[^]/, "X")]', ("ok", ["abc", "XXX"])),
    # a regex sees UTF-16 code units too (JavaScript's without the u flag): a class of
    # surrogates finds a character beyond U+FFFF, `.` one surrogate at a time, and a match's index,
    # start and end count code units (they found nothing, or whole characters, here)
    ('$match("a\\ud83d\\ude00b", /[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]/).match', ("ok", "\U0001f600")),
    ('$replace("a\U000e0067b\U000f0001", /\\uDB40[\\uDC00-\\uDC7F]|[\\uDB80-\\uDBFF][\\uDC00-\\uDFFF]/, "?")',
     ("ok", "a?b?")),
    ('$replace("\\ud83d\\ude00x", /./, "-")', ("ok", "---")),
    ('$split("\\ud83d\\ude00a\\ud83d\\ude00", /a/)', ("ok", ["\U0001f600", "\U0001f600"])),
    ('$match("\\ud83d\\ude00ab", /b/)', ("ok", {"match": "b", "index": 3, "groups": []})),
    ('$replace("\\ud83d\\ude00ab", /b/, function($m) { $string($m.start) })', ("ok", "\U0001f600a3")),
    # (a user-defined matcher's offsets are taken as code units: this one counts code points)
    (f'$split("\\ud83d\\ude00abab", {_ALL_B})', ("ok", ["\U0001f600", "b", "b"])),
    ('$uppercase($split("\\ud83d\\ude00b", "")[0])', ("ok", "\ud83d")),
    ('$count($split("\\ud83d\\ude00\\ud83d\\ude01", "\\ude00\\ud83d"))', ("ok", 2)),
    # the range operator's limit, as jsonata-js words it
    (
        "$count([1..10000001])",
        ("error", "D2014: The size of the sequence allocated by the range operator (..) must not exceed 1e6.  "
         "Attempted to allocate 10000001."),
    ),
    # a filter's index is floored, a negative one counted from the end (the port truncated it);
    # an index read from a variable picks as a literal one does, as often as it is named
    ("[1, 2, 3][-0.5]", ("ok", 3)),
    ("($i := -0.5; [1, 2, 3][$i])", ("ok", 3)),
    ("($i := 1.7; [1, 2, 3][$i])", ("ok", 2)),
    ("($i := [2, 0, 0, 5, -1]; [1, 2, 3][$i])", ("ok", [1, 1, 3, 3])),
    ("($i := [2, -3.5]; [1, 2, 3][$i])", ("ok", 3)),
    ("($i := 1; [[1, 2], [3]][$i])", ("ok", [3])),
    ("($i := 0; [[1, 2], [3]][$i])", ("ok", [1, 2])),
    ("($i := 1; [][$i])", ("undefined",)),
    ("($i := 0; 5[$i])", ("ok", 5)),
    ('($i := "a"; [1, 2, 3][$i])', ("ok", [1, 2, 3])),
    ('($i := [0, "a"]; [1, 2][$i])', ("ok", [1, 2])),
    ("($i := 2; $xs := [1, 2]; $xs[$i - 1 = 1 ? 0 : 1])", ("ok", 1)),
    ("($k := 1; [{'a': 1}, {'a': 2}, {'a': 3}][$k].a)", ("undefined",)),
    ("($k := 1; $xs := [{'a': 1}, {'a': 2}]; $xs[$k].a)", ("ok", 2)),
    ("($k := 1; [{'a': [1, 2]}, {'a': [3, 4]}].a[$k])", ("ok", [2, 4])),
    ("($k := 1; $xs := [[1, 2], [3, 4]]; $xs.$[$k])", ("ok", [2, 4])),
    # a filter comparing the item with values that read none (`$ = $v or $ = $w`): compared
    # once per item, as `=` compares, without evaluating the predicate per item
    ("($v := 2; [1, 2, 3, 2][$ = $v])", ("ok", [2, 2])),
    ("($v := 2; $count([1, 2, 3, 2][$ = $v or $ = true]))", ("ok", 2)),
    ("($v := 1; [1, true, 1.0][$v = $])", ("ok", [1, 1])),
    ("($v := null; $count([1, null, 3][$ = $v]))", ("ok", 1)),
    ('($v := "a"; [["a"], "a", {"a": 1}][$ = $v])', ("ok", "a")),
    ("($v := [1]; [[1], [2]][$ = $v])", ("ok", [1])),
    ('($x := {"a": 1}; [{"a": 1}, {"a": 2}][$ = $x])', ("ok", {"a": 1})),
    ("[][$ = 1]", ("undefined",)),
    ("($v := 1; [1, 1][$ = $v or $ = $v + 'x'])", ("ok", [1, 1])),  # (`or` reads its right side only where needed)
    # $distinct compares as `=` does: 1 is not true, [1] not [true] (the port's Python `in` said
    # they were, and returned a list of one as its item)
    ('$distinct([1, true, 1.0, "1", [1], [true], {"a": 1}, {"a": true}])',
     ("ok", [1, True, "1", [1], [True], {"a": 1}, {"a": True}])),
    ("$distinct([0, false])", ("ok", [0, False])),
    ("$distinct([2, 2])", ("ok", [2])),
    ('$distinct(["a", "b", "a"])', ("ok", ["a", "b"])),
]

# (expression, variables it reads, outcome): integers past 2**53 in a variable (the input, a
# Task's result) are JavaScript's doubles in JSONata: 2**60 + 3 and 2**60 + 4 are one number
_A, _B = 2**60 + 3, 2**60 + 4
BOUND_CASES = [
    ("$a = $b", {"a": _A, "b": _B}, ("ok", True)),
    ("[$a] = [$b]", {"a": _A, "b": _B}, ("ok", True)),
    ("$a < $b", {"a": _A, "b": _B}, ("ok", False)),
    ("$a >= $b", {"a": _A, "b": _B}, ("ok", True)),
    ("$a in [$b]", {"a": _A, "b": _B}, ("ok", True)),
    ("$count($distinct([$a, $b]))", {"a": _A, "b": _B}, ("ok", 1)),
    ("$a = 1152921504606846976", {"a": _A}, ("ok", True)),
    ("$string($a)", {"a": _A}, ("ok", "1152921504606850000")),
    ("$a - $b", {"a": _A, "b": _B}, ("ok", 0)),
    ("$a = 9007199254740993", {"a": 2**53 + 1}, ("ok", True)),
    ("$a = $b", {"a": 2**53 - 1, "b": 2**53 - 2}, ("ok", False)),
]


def _emulate(text: str, variables: dict | None = None):
    try:
        evaluate = compile_value("{% " + text + " %}", "Output")
    except JsonataSyntaxError as refused:
        return ("refused", str(refused).split(" is not valid: ", 1)[1])
    states = {"input": {}, "context": {}}
    try:
        return ("ok", evaluate(states, variables or {}, Runtime(rng=random.Random(1), now_ms=lambda: 0)))
    except QueryEvaluationError as failed:
        if failed.cause.endswith("returned nothing (undefined)."):
            return ("undefined",)
        return ("error", failed.cause.split(" threw an error during evaluation. ", 1)[1])


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
def test_emulator_follows_jsonata_js(text, expected, capsys):
    assert _emulate(text) == expected
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(("text", "variables", "expected"), BOUND_CASES, ids=[text for text, _, _ in BOUND_CASES])
def test_integers_past_2_53_are_doubles_in_jsonata(text, variables, expected):
    assert _emulate(text, variables) == expected


def test_a_result_past_2_53_is_the_double_s_value():
    """JSON.stringify writes 2**60 as 1152921504606847000, the shortest digits that read back
    as that double; pysfn gives the double's own value, the same number to JSON, and equal to
    a Python float of it."""
    assert _emulate("[$a, $b]", {"a": _A, "b": _B}) == ("ok", [2**60, 2**60])
    assert _emulate("$a", {"a": _A}) == ("ok", 2**60)


_JS_PROGRAM = r"""
const jsonata = require(process.argv[1]);
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
(async () => {
  const out = [];
  for (const line of lines) {
    const [text, bindings] = JSON.parse(line);
    let compiled;
    try { compiled = jsonata(text); }
    catch (e) { out.push({refused: e.code + ': ' + e.message}); continue; }
    try {
      const r = await compiled.evaluate(undefined, bindings);
      out.push(r === undefined ? {undefined: true} : {value: r});
    } catch (e) { out.push({error: e.code ? e.code + ': ' + e.message : e.message}); }
  }
  console.log(JSON.stringify(out));
})();
"""


def _js_package() -> str | None:
    package = os.environ.get("PYSFN_JSONATA_JS")
    return package if package and shutil.which("node") else None


@pytest.mark.skipif(_js_package() is None, reason="set PYSFN_JSONATA_JS to a jsonata 2.0.6 package")
def test_cases_agree_with_jsonata_js():
    package = _js_package()
    cases = [(text, {}, expected) for text, expected in CASES] + BOUND_CASES
    version = json.loads(open(os.path.join(package, "package.json"), encoding="utf-8").read())["version"]
    assert version == "2.0.6"
    done = subprocess.run(
        ["node", "-e", _JS_PROGRAM, package],
        input="\n".join(json.dumps([text, variables]) for text, variables, _ in cases),
        capture_output=True, text=True, check=True, timeout=120, env={**os.environ, "TZ": "UTC"},
    )
    got = []
    for item in json.loads(done.stdout):
        if "refused" in item:
            got.append(("refused", item["refused"]))
        elif "error" in item:
            got.append(("error", item["error"]))
        elif "undefined" in item:
            got.append(("undefined",))
        else:
            got.append(("ok", item["value"]))
    wrong = [(text, expected, js) for (text, _, expected), js in zip(cases, got, strict=True) if js != expected]
    assert wrong == []


# ---------------------------------------------------------------- runaway expressions

_FOREVER = "($f := function($n){ $f($n + 1) }; $f(0))"  # a tail call: jsonata-js loops forever
_DEEP = "($f := function($n){ 1 + $f($n + 1) }; $f(0))"  # jsonata-js grows its heap until it dies
_STACK = (
    "U1001: Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive."
)
_TIMEOUT = "U1001: Expression evaluation timeout: Check for infinite loop"


def test_a_runaway_recursion_stops_at_the_depth_limit():
    assert _emulate(_DEEP) == ("error", _STACK)


def test_a_recursion_within_the_depth_limit_completes():
    assert _emulate("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(400))") == ("ok", 400)


def test_a_tail_call_loop_stops_at_the_step_limit(monkeypatch):
    monkeypatch.setattr(jsonata_engine, "MAX_STEPS", 20_000)
    assert _emulate(_FOREVER) == ("error", _TIMEOUT)
    # the count is per evaluation: the next one starts afresh
    assert _emulate("($f := function($n){ $n = 0 ? 0 : $f($n - 1) }; $f(1000))") == ("ok", 0)


def test_an_index_read_from_a_variable_does_not_walk_the_list(monkeypatch):
    # `$xs[$i]` gives the same for every item: evaluated once, not once per item (a compiled
    # loop reading an item per iteration had cost as much as the list is long); a predicate
    # reading the item still walks it
    monkeypatch.setattr(jsonata_engine, "MAX_STEPS", 2_000)
    assert _emulate("($xs := [0..4999]; $i := 4321; $xs[$i] + $xs[-$i - 1])") == ("ok", 4321 + 678)
    assert _emulate("($xs := [0..4999]; $xs[$ > 4320 and $ < 4322])") == ("error", _TIMEOUT)
    # nor does a predicate comparing the item with such values: `=` compares, once an item
    assert _emulate("($xs := [0..4999]; $i := 4321; $count($xs[$ = $i or $ = $i + 1]))") == ("ok", 2)


def test_the_step_limit_is_a_count_not_a_clock():
    assert isinstance(jsonata_engine.MAX_STEPS, int) and 100_000 <= jsonata_engine.MAX_STEPS <= 10_000_000
    assert isinstance(jsonata_engine.MAX_DEPTH, int)


def test_a_runaway_expression_fails_the_state_with_query_evaluation_error(monkeypatch):
    monkeypatch.setattr(jsonata_engine, "MAX_STEPS", 20_000)
    for text, cause in ((_FOREVER, _TIMEOUT), (_DEEP, _STACK)):
        definition = {
            "QueryLanguage": "JSONata",
            "StartAt": "Loop",
            "States": {"Loop": {"Type": "Pass", "Output": "{% " + text + " %}", "End": True}},
        }
        execution = pysfn_emulator.run(definition, {})
        assert execution.status == "FAILED"
        assert execution.error == "States.QueryEvaluationError"
        assert execution.cause.endswith(f"threw an error during evaluation. {cause}")


# ---------------------------------------------------------------- nothing printed


@pytest.mark.parametrize(
    "text",
    [
        "$nosuch(1)",
        "$filter([1], function($v){ $nosuch($v) })",  # a tail call to nothing: the port printed here
        "($f := function(){ $nosuch() }; $f())",
        "$map([1], function($v){ $v.x() })",
    ],
)
def test_an_undefined_function_prints_nothing(text, capsys):
    outcome = _emulate(text)
    assert outcome == ("error", "T1006: Attempted to invoke a non-function")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
