"""json.dumps and json.loads in a workflow (lowering/json_text.py): Python's text and values
exactly, Python's JSONDecodeError, or a located refusal or a stop by name. The helpers run in the
emulator and, with PYSFN_JSONATA_JS, in jsonata-js."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pysfn_compile.graph.jsonata_lib import literal, prelude

from .helpers import assert_same, compile_text, emulate, refusal
from .oracle import emulate as evaluate
from .oracle import javascript, js_available

VALUES = [None, True, 1, -5, 2.5, "", "a\"b\\c\n\t\u0001\u007f\u00e9\u20ac\U0001f600x", [1, [2, []], {}],
          {"b": 1, "a": [True, None], "\u00e9": "x"}, {"z": {"y": [1, 2]}, "a": []}, ["\ud7ff\ue000", "\U0001f600"]]
OPTIONS = [{"i": ", ", "k": ": ", "a": True, "n": None, "s": False}, {"i": ",", "k": ": ", "a": False, "n": "  ", "s": True},
           {"i": ",", "k": ":", "a": True, "n": None, "s": True}, {"i": ",", "k": ": ", "a": True, "n": "\t", "s": False}]


def test_the_run_time_writer_is_pythons_in_both_engines():
    """$__pyjson for values of unknown type: separators, ensure_ascii (a surrogate pair beyond
    U+FFFF), indent, sort_keys in code point order (U+E000 after the surrogates' U+D7FF)."""
    codes, expected = [], []
    for options in OPTIONS:
        for value in VALUES:
            codes.append(("(" + prelude(["pyjson"]) + f" $__pyjson({literal(value)}, {literal(options)}, 0))", {}))
            expected.append(json.dumps(value, ensure_ascii=options["a"], indent=options["n"],
                                       separators=(options["i"], options["k"]), sort_keys=options["s"]))
    engines = [[evaluate(code) for code, _ in codes]]
    if js_available():
        engines.append(javascript(codes))
    for results in engines:
        assert results == [("ok", text) for text in expected]


MESSAGE = """
import json

@sfn.workflow
def main(x, n: int, f: float, names: list[str]):
    record = {"n": n, "total": f * 2, "names": names, "ok": n > 0, "none": None, "pair": (n, "a")}
    return [json.dumps(record), json.dumps(record, sort_keys=True, indent=2), json.dumps(names, ensure_ascii=False),
            json.dumps(x, separators=(",", ":")), json.dumps([f, n / 2]), json.dumps({"k": [x, {"z": n}]}, indent="\\t")]
"""


def test_a_message_body_as_json_dumps_writes_it():
    """The body a workflow sends to SQS or SNS (was refused: json cannot run in the machine): a
    record's fields each by their own type (`"total": 3.0` beside `"n": 3`), a value of unknown
    type by the number rule, strs escaped as Python escapes them."""
    results = assert_same(MESSAGE, {"x": {"b": [1, 2.5, "\u00e9"], "a": None}, "n": 3, "f": 1.5,
                                    "names": ["ann", "b\u00f6b", "\U0001f600"]},
                          {"x": "quote\" back\\ nl\n", "n": -1, "f": 2.0, "names": []},
                          {"x": [], "n": 0, "f": 0.1, "names": ["x"]})
    assert results[0]["output"][0] == ('{"n": 3, "total": 3.0, "names": ["ann", "b\\u00f6b", "\\ud83d\\ude00"], '
                                       '"ok": true, "none": null, "pair": [3, "a"]}')
    assert results[1]["output"][4] == "[2.0, -0.5]"
    compiled = compile_text(MESSAGE)
    stopped = emulate(compiled, {"x": 0.00001, "n": 0, "f": 0.0, "names": []})
    assert stopped["error"] == "pysfn.UnprintableNumber"  # Python writes 1e-05
    results = assert_same(MESSAGE, {"x": 0.5, "n": 0, "f": 1 / 3, "names": []})  # f a float: printed exactly
    assert '"total": 0.6666666666666666' in results[0]["output"][0]
    stopped = emulate(compiled, {"x": 0.1 + 0.2, "n": 0, "f": 0.0, "names": []})  # x of unknown type
    assert stopped["error"] == "pysfn.UnprintableNumber"


@pytest.mark.parametrize("call, expected", [
    ("json.dumps(set(xs))", "a set used here"),
    ("json.dumps(xs, indent=-1)", "indent= must be None, an int of 0 or more, or a str"),
    ("json.dumps(xs, default=str)", "json.dumps(..., default=...) is not supported"),
    ("json.dumps([1, 2.5][len(xs)])", "may be an int or a float"),
    ("json.dumps([xs, 2.5])", "may be an int or a float"),
    ("json.dumps([xs, {\"z\": 2.5}])", "may hold a float or a number of unknown type in the same place"),
    ("json.dumps(xs, sort_keys=xs)", "must be a literal"),
])
def test_what_json_dumps_cannot_write_exactly_is_refused(call, expected):
    assert expected in refusal(f"""
    import json

    @sfn.workflow
    def main(xs):
        return {call}
    """)


def test_a_value_joined_with_a_float_is_not_printed_by_the_number_rule():
    """`[x, f * 2]` with x unannotated: its items are ints or floats that JSON cannot tell
    apart, so str() of it is refused (it printed `[3, 3]` where Python prints `[3, 3.0]`)."""
    for body in ("return str([x, f * 2])", "xs = [x, f * 2]\n        return str(xs[1])",
                 "d = {'a': f * 2}\n        d['b'] = x\n        return str(d)", "return str([x, {'z': f}])"):
        text = refusal(f"""
    @sfn.workflow
    def main(x, f: float):
        {body}
    """)
        assert "may be an int or a float" in text or "may hold a float" in text, text


def test_an_indent_known_at_run_time():
    """`indent=2 if pretty else None` (an event-building trial; was refused: not a literal): the
    indent is evaluated after the value, as Python evaluates keywords, and the default item
    separator follows it (',' with an indent, ', ' without)."""
    results = assert_same("""
    import json

    @sfn.workflow
    def main(changes, pretty, width):
        body = {"entity": "e1", "changes": changes, "n": len(changes)}
        return [json.dumps(body, indent=2 if pretty else None, sort_keys=True), json.dumps(changes, indent=width),
                json.dumps(body, indent=pretty, separators=(",", "=")), json.dumps([], indent=width)]
    """, {"changes": {"name": "Anne", "city": "Z\\u00fcrich"}, "pretty": True, "width": "--"},
        {"changes": {"age": 31}, "pretty": False, "width": 0}, {"changes": [], "pretty": True, "width": -2},
        {"changes": {}, "pretty": False, "width": 3}, {"changes": {"a": 1}, "pretty": True, "width": 2.5},
        {"changes": {"a": 1}, "pretty": True, "width": [1]})
    assert results[0]["output"][0] == json.dumps({"entity": "e1", "changes": {"name": "Anne", "city": "Z\\u00fcrich"},
                                                  "n": 2}, indent=2, sort_keys=True)
    assert results[4]["cause"] == "can't multiply sequence by non-int of type 'float'"


# -- json.loads -----------------------------------------------------------------------------

_PIECES = ["{", "}", "[", "]", ",", ":", " ", "\n", "\t", '"', "\\", "u", "0", "1", "-", "+", ".", "e", "x",
           "true", "null", "NaN", "-Infinity", '"k"', "\\u00e9", "\\ud83d", "\\ude00", "\\n", "\u0001",
           "\ufeff", "\U0001f600", "9007199254740993", "1.0", "2.5", "1e5", "1e400", "0.1", "\\u12"]
_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**60, 2**60) | st.floats(allow_nan=True)
                     | st.text(max_size=4),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3),
                     max_leaves=8)


@st.composite
def _texts(draw):
    """Texts near JSON: Python's own json.dumps of a value, then a few pieces inserted, removed
    or replaced; or pieces of JSON's tokens at random."""
    if draw(st.booleans()):
        return "".join(draw(st.lists(st.sampled_from(_PIECES), min_size=0, max_size=8)))
    chars = list(json.dumps(draw(_JSON), ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1]))))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(chars)))
        piece = draw(st.sampled_from(_PIECES))
        change = draw(st.sampled_from(["insert", "delete", "replace"]))
        if change == "insert":
            chars.insert(at, piece)
        elif chars:
            chars[min(at, len(chars) - 1):min(at, len(chars) - 1) + 1] = [] if change == "delete" else [piece]
    return "".join(chars)


def _python_reads(text: str) -> tuple:
    """What json.loads does with `text`: ('e', message) for its JSONDecodeError; else the codes
    of what the machine cannot hold as Python does ('u' NaN or Infinity, 'i' an int past 2**53,
    'f' an integral float) and the value."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return ("e", str(error))
    found: set = set()

    def walk(v):
        if isinstance(v, float):
            found.add("u" if v != v or v in (float("inf"), float("-inf")) else "f" if v == int(v) else "")
        elif isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53 - 1:
            found.add("i")
        for item in v.values() if isinstance(v, dict) else v if isinstance(v, list) else ():
            walk(item)

    def every_pair(pairs):  # a key written twice keeps its last value, but the machine meets them all
        for _, item in pairs:
            walk(item)
        return dict(pairs)

    walk(value)
    json.loads(text, object_pairs_hook=every_pair)
    return (found - {""}, value)


_READ = "($c := $__jsonl($s); {'c': $c, 'm': $c = 'e' ? $__jsonerr($s) : null, 'v': $c = '' ? $parse($s) : null})"


def _agrees(text: str, result, ordered: bool = True) -> bool:
    """`ordered`: a dict's keys in Python's order (not in jsonata-js, whose objects, JavaScript's,
    put integer-like keys first: `{"": 1, "0": 2}` comes back `{"0": 2, "": 1}` from any engine
    running there, the machine's other objects too; the emulator keeps the text's order)."""
    expected = _python_reads(text)
    if result[0] != "ok":
        return False
    code, message, value = result[1]["c"], result[1]["m"], result[1].get("v")
    if expected[0] == "e":
        return code == "e" and message == expected[1]
    if code == "":
        return not expected[0] and json.dumps(value, sort_keys=not ordered) == json.dumps(expected[1],
                                                                                        sort_keys=not ordered)
    if code == "u":  # (also an exponent of 3 digits, nesting past 100: the machine does not check them)
        return "u" in expected[0] or "e" in text.lower() or "[" * 100 in text
    return code in expected[0]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(_texts(), min_size=1, max_size=8))
def test_json_loads_reads_texts_as_python_does_in_both_engines(texts):
    """Helper `jsonl` (which texts Python reads as $parse does) and `jsonerr` (Python's message
    for those it refuses: where its parser stops, line, column, char) over texts near JSON. A
    longer run: 6,000 texts, seeds 1-4, no disagreement in either engine (session 18). CI's set is
    fixed (derandomized: a random draw once found a text under a key written twice, session 19)."""
    code = "(" + prelude(["jsonl", "jsonerr"]) + " " + _READ + ")"
    engines = [([evaluate(code, {"s": text}) for text in texts], True)]
    if js_available():
        engines.append((javascript([(code, {"s": text}) for text in texts]), False))
    for results, ordered in engines:
        for text, result in zip(texts, results, strict=True):
            assert _agrees(text, result, ordered), f"{text!r}: {result}, Python: {_python_reads(text)}"


@pytest.mark.parametrize("text", ["", " ", "[1,]", '{"a":1,}', '{"a" 1}', "[1 2]", "1 2", '"abc', '"a\nb"', '"\\x"',
                                  '"\\u12"', '"\\u1234', '"\\ud800\\u12zz"', "\ufeff[]", "[" * 150 + "]" * 150,
                                  '[1,\n 2,\n x]', "01", "-", "1.", "nul", '{"\U0001f600": [1, "\U0001f600" x]}',
                                  '{"": [null, 1125899571298304.0], "1": [], "": null}'])
def test_json_loads_regressions(text):
    code = "(" + prelude(["jsonl", "jsonerr"]) + " " + _READ + ")"
    assert _agrees(text, evaluate(code, {"s": text}))


BODIES = """
import json

def save(user):
    return {"id": user["name"].lower()}

@sfn.workflow
def main(event):
    try:
        payload = json.loads(event["body"])
    except ValueError as e:
        return {"statusCode": 400, "body": f"bad request: {e}"}
    if not isinstance(payload, dict) or "name" not in payload:
        return {"statusCode": 422, "body": "name is required"}
    tags = [t.strip() for t in payload.get("tags", []) if t.strip()]
    return {"statusCode": 201, "body": json.dumps({"id": save(payload)["id"], "tags": tags})}
"""


def test_an_event_body_read_with_json_loads():
    """An API event's body (was refused: json cannot run in the machine): `$parse` where Python
    reads the text, its JSONDecodeError (a ValueError) with Python's message where it does not,
    TypeError for a body that is no str."""
    bodies = ['{"name": "Ann", "tags": [" a ", "", "b"]}', '{"name": "Bo",}', "", "[1, 2]", '{"nam": 1}',
              '{"name": "x", "tags": [1]}', '{\n  "name": "Cy",\n  "tags": ["x" "y"]\n}', '{"name": "\\u00e9"}',
              '{"name": "a\\qb"}', "\ufeff{}", "nul", 5, None]
    results = assert_same(BODIES, *({"event": {"body": body}} for body in bodies))
    assert results[0]["output"] == {"statusCode": 201, "body": '{"id": "ann", "tags": ["a", "b"]}'}
    assert results[1]["output"]["body"] == "bad request: " + _python_reads(bodies[1])[1]  # (3.13 names the comma)
    assert results[6]["output"]["body"] == "bad request: Expecting ',' delimiter: line 3 column 16 (char 33)"
    assert results[11]["cause"] == "the JSON object must be str, bytes or bytearray, not int"


def test_messages_read_in_a_loop():
    """SQS records in a loop (a folded loop): a body that is no JSON goes to the handler, which
    never reads the message, so the machine never computes it."""
    source = """
    import json

    def store(order):
        return order["id"]

    @sfn.workflow
    def main(event):
        stored, bad = [], []
        for record in event["Records"]:
            try:
                body = json.loads(record["body"])
            except json.JSONDecodeError:
                bad.append(record["messageId"])
                continue
            if body.get("type") == "order":
                stored.append(store(body))
        return {"stored": stored, "bad": bad}
    """
    records = [{"messageId": f"m{i}", "body": body} for i, body in enumerate(
        ['{"type": "order", "id": 7}', "not json", '{"type": "ping"}', "[1, 2", '{"type": "order", "id": 1.5}'])]
    results = assert_same(source, {"event": {"Records": records}}, {"event": {"Records": [records[3]]}})
    assert results[0]["output"] == {"stored": [7, 1.5], "bad": ["m1", "m3"]}
    assert "jsonerr" not in json.dumps(compile_text(source).definition)


@pytest.mark.parametrize("body, error", [
    ('{"price": 10.0}', "pysfn.AmbiguousNumber"), ('{"id": 12345678901234567890}', "pysfn.IntegerOverflow"),
    ('{"x": NaN}', "pysfn.Unsupported"), ('[1e400]', "pysfn.Unsupported")])
def test_what_json_loads_reads_otherwise_stops_the_machine(body, error):
    """Python reads a float 10.0 (the machine, whose numbers are JSON's, the int 10), an int
    exactly (the machine a double), NaN and inf (which JSON cannot carry): loud, never silent."""
    compiled = compile_text("""
    import json

    @sfn.workflow
    def main(body):
        return str(json.loads(body))
    """)
    assert emulate(compiled, {"body": body})["error"] == error


@pytest.mark.parametrize("call, expected", [
    ("json.loads(body, parse_float=str)", "json.loads() takes the text to read as its one argument here"),
    ("json.loads(len(body))", "Python raises TypeError (the JSON object must be str"),
])
def test_what_json_loads_cannot_read_is_refused(call, expected):
    assert expected in refusal(f"""
    import json

    @sfn.workflow
    def main(body: str):
        return {call}
    """)


def test_json_loads_of_a_text_written_by_json_dumps():
    """The check of the text is computed by the state before (its helpers with it: the fuzzer's
    first find, `len(json.loads(json.dumps(xs)))` failed with T1006 in the state that set `grid`)."""
    results = assert_same("""
    import json

    @sfn.workflow
    def main(n: int, xs):
        grid = [list(xs), [n]]
        back = json.loads(json.dumps({"xs": xs, "n": n}, sort_keys=True))
        return [len(json.loads(json.dumps(xs))), back, grid, json.loads(str(xs))]
    """, {"n": 1, "xs": [1, 2, 3]}, {"n": 2, "xs": {"a": [True, None]}})
    assert results[0]["output"][:2] == [3, {"n": 1, "xs": [1, 2, 3]}]
    assert results[1]["error"] == "JSONDecodeError"  # str() of a dict: 'a' in single quotes


def test_the_message_of_a_long_text_python_refuses_stops_only_where_it_is_read():
    """Python's message walks the text's tokens, about a second of jsonata-js per 8,000; over
    5,000 characters the machine stops loudly where the message is read (str(e), uncaught),
    and goes on where the handler only catches."""
    source = """
    import json

    @sfn.workflow
    def main(texts: list[str]):
        out = []
        for text in texts:
            try:
                out.append(len(json.loads(text)))
            except json.JSONDecodeError:
                out.append(-1)
        try:
            return [out, json.loads(texts[0])]
        except ValueError as e:
            return [out, str(e)]
    """
    long_bad = "[" + "1, " * 3000 + "x]"
    results = assert_same(source, {"texts": ["[1, 2]", "[1, ]"]}, {"texts": ["{}", long_bad]})
    assert results[0]["output"] == [[2, -1], [1, 2]] and results[1]["output"] == [[0, -1], {}]
    stopped = emulate(compile_text(source), {"texts": [long_bad]})
    assert stopped["error"] == "pysfn.Unsupported" and "over 5,000 characters" in stopped["cause"]
    assert_same(source, {"texts": ["[" + "1, " * 1600 + "x]"]})  # (4,803 characters: Python's message)


def test_dict_of_str_keys_keeps_the_machine_without_int_keys():
    """`dict(zip(header, header))` and `dict.fromkeys(header)` of strs marked the machine as one
    that stores int keys (their helpers were named whatever the keys), so json.dumps(...,
    sort_keys=True) was refused (a session-25 trial); where a key may be an int, the refusal
    names the line that stores it."""
    source = """
    import json

    @sfn.workflow
    def main(raw, nums):
        header = raw.split(",")
        rec = dict(zip(header, header))
        counts = {}
        counts[rec["a"]] = 1
        by = dict(zip(KEYS, nums))
        return [json.dumps(counts, sort_keys=True), by, json.dumps(dict.fromkeys(header, 0), sort_keys=True)]
    """
    assert_same(source.replace("KEYS", "header"), {"raw": "a,b", "nums": [1, 2]}, {"raw": "b,a", "nums": ["x", 3]})
    message = refusal(source.replace("KEYS", "nums"))
    assert "is stored (line 11: `by = dict(zip(nums, nums))`)" in message
