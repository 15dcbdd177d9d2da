"""json.dumps in a workflow (lowering/json_text.py): Python's text exactly, or a located refusal
or a stop by name. The helpers run in the emulator and, with PYSFN_JSONATA_JS, in jsonata-js."""

from __future__ import annotations

import json

import pytest

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
    ("json.dumps(1 if xs else 2.5)", "may be an int or a float"),
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
