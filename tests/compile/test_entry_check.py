"""The entry's argument check (`main(**input)`): the first state's Choice rules (one, or up to
three when one rule's message would pass 1,000 characters) raise the first problem's TypeError, with
the messages plain Python gives (sfn.workflow's checks included)."""

from __future__ import annotations

import pytest

import pysfn_emulator
from pysfn_compile.graph.entry_check import unsafe_integer_test

from .helpers import assert_same, compile_text
from .oracle import emulate, javascript, js_available

SIGNATURES = {
    "typed_dict_tuple_dict": ("""
        from typing import TypedDict, NotRequired

        class Item(TypedDict):
            sku: str
            qty: int
            note: NotRequired[str | None]

        @sfn.workflow
        def main(items: list[Item], pair: tuple[int, str], counts: dict[str, list[int]],
                 rest: tuple[float, ...] = (), *, tag: str | None = None):
            return [items, pair, counts, rest, tag]
    """, [
        {"items": [], "pair": [1, "a"], "counts": {}},
        {"items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1, "note": None}], "pair": [1, "a"],
         "counts": {"x": [1, 2], "y": []}, "rest": [1.5, 2], "tag": "t"},
        {"items": [{"sku": "a"}], "pair": [1, "a"], "counts": {}},
        {"items": [{"sku": "a", "qty": 1, "note": 3}], "pair": [1, "a"], "counts": {}},
        {"items": [[]], "pair": [1, "a"], "counts": {}},
        {"items": [], "pair": [1], "counts": {}},
        {"items": [], "pair": [1, 2], "counts": {}},
        {"items": [], "pair": [1, "a"], "counts": {"x": [1, "2"]}},
        {"items": [], "pair": [1, "a"], "counts": {"x": 1}},
        {"items": [], "pair": [1, "a"], "counts": []},
        {"items": [], "pair": [1, "a"], "counts": {}, "rest": ["x"]},
        {"items": [], "pair": [1, "a"], "counts": {}, "tag": 5},
        {"items": {}, "pair": 1, "counts": 2, "tag": 5},
    ]),
    "order_of_problems": ("""
        @sfn.workflow
        def main(a: int, b: str, c, *, d: bool, e=1, f):
            return [a, b, c, d, e, f]
    """, [
        {}, {"a": 1}, {"a": 1, "b": "x"}, {"a": 1, "b": "x", "c": None}, {"z": 1, "y": 2},
        {"a": "x", "b": 1, "c": 0, "d": 0, "f": 0}, {"a": 1, "b": 1, "c": 0, "d": 0, "f": 0},
        {"a": 1, "b": "x", "c": 0, "d": 0, "f": 0}, {"a": 1, "b": "x", "c": 0, "d": True, "f": 0},
        {"a": 1.0, "b": "x", "c": [], "d": False, "f": {}}, {"d": 1}, {"a": 1, "c": 2, "d": True},
        [], [{"a": 1}], "a", 1, 1.5, True,
        # two wrong values: the first in the input's order, not the parameters'
        {"b": 1, "a": "x", "c": 0, "d": 0, "f": 0}, {"d": 0, "b": 1, "z": 1}, {"b": "x", "z": 1},
    ]),
    "one_large_parameter_check": ("""
        from typing import TypedDict

        class Row(TypedDict):
            name: str
            count: int
            weight: float | None
            tags: list[str]

        @sfn.workflow
        def main(rows: list[Row], first_optional_parameter=1, second_optional_parameter=2,
                 third_optional_parameter=3, *, first_keyword_only, second_keyword_only):
            return [rows, first_keyword_only, second_keyword_only]
    """, [
        {}, {"rows": []}, {"rows": [], "first_keyword_only": 1}, {"rows": 1, "zz": 1},
        {"rows": [{"name": "a", "count": 1, "weight": None, "tags": []}], "first_keyword_only": 1,
         "second_keyword_only": 2},
        {"rows": [{"name": "a", "count": 1.5, "weight": None, "tags": []}]},
        {"rows": [{"name": "a", "count": 1, "tags": []}]}, {"zz": 1}, {"rows": [], "zz": 1}, 5, ["x"],
    ]),
    "one_parameter_simple_forms": ("""
        @sfn.workflow
        def main(text: str, *, n):
            return [text, n]
    """, [{}, {"text": "a"}, {"n": 1}, {"text": 1, "n": 1}, {"text": None}, {"text": "a", "n": None, "x": 1},
          {"x": 1, "text": 2}, [], [{"text": "a"}], "text", 0, 2.5, False]),
    "lists_of_scalars": ("""
        @sfn.workflow
        def main(ints: list[int], names: list[str] = [], flags: tuple[bool, ...] = (), xs: list[float] = []):
            return [ints, names, flags, xs]
    """, [
        {"ints": []}, {"ints": [5]}, {"ints": [1, 2, 3]}, {"ints": [1, 2.5]}, {"ints": [1, True]},
        {"ints": [1, None]}, {"ints": [[1]]}, {"ints": [9007199254740991]}, {"ints": [-9007199254740992]},
        {"ints": [1e300]}, {"ints": 5}, {"ints": [0], "names": ["a", 1]}, {"ints": [0], "names": [["a"]]},
        {"ints": [0], "names": ["a"], "flags": [True, 0]}, {"ints": [0], "flags": [False]},
        {"ints": [0], "xs": [1, 2.5]}, {"ints": [0], "xs": [1, "2"]}, {"ints": [0], "xs": [[1.5]]},
    ]),
    "no_parameters": ("""
        @sfn.workflow
        def main():
            return 1
    """, [{}, {"a": 1}, []]),
    "a_default_python_never_checks": ("""
        @sfn.workflow
        def main(x: int = None, y: str = 3):
            return [x, y]
    """, [{}, {"x": 1}, {"x": None}, {"y": 3}, {"y": "s"}]),
    "keys_that_are_object_properties_in_javascript": ("""
        @sfn.workflow
        def main(a: int = 0):
            return a
    """, [{"constructor": 1}, {"toString": 1}, {"__proto__": 1}, {"a": 2}]),
}


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_entry_check_both_ways(name):
    source, inputs = SIGNATURES[name]
    assert_same(source, *inputs)


def _check_rules(source: str) -> list[dict]:
    """The TypeError rules (the integer scan, a stop, follows them where a parameter is open)."""
    definition = compile_text(source).definition
    first = definition["States"][definition["StartAt"]]
    assert first["Type"] == "Choice"
    return [rule for rule in first["Choices"] if rule["Next"] == "Raise TypeError"]


@pytest.mark.parametrize("name, count", [("a_default_python_never_checks", 1), ("one_parameter_simple_forms", 1),
                                         ("order_of_problems", 2), ("one_large_parameter_check", 2),
                                         ("lists_of_scalars", 3)])
def test_the_check_is_few_rules_each_within_the_field_limit(name, count):
    """One rule while its message fits in 1,000 characters; else the mapping, the values' types
    and the call's own problems, each message building only its own text, neighbours merged
    while they fit."""
    rules = _check_rules(SIGNATURES[name][0])
    assert len(rules) == count
    for rule in rules:
        fields = rule["Condition"] + rule["Assign"]["__exc"]["message"]
        assert "$__" + "filter :=" not in fields
        assert len(rule["Assign"]["__exc"]["message"]) <= 1000


@pytest.mark.skipif(not js_available(), reason="PYSFN_JSONATA_JS not set")
@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_the_check_is_the_same_in_jsonata_js(name):
    source, inputs = SIGNATURES[name]
    rules = compile_text(source).definition["States"]["Start main"]["Choices"]
    for field in [text for rule in rules for text in (rule["Condition"], *rule.get("Assign", {"__exc": {}})["__exc"].values())]:
        code = field.removeprefix("{% ").removesuffix(" %}").replace("$states.input", "$input")
        expected = [emulate(code, {"input": payload}) for payload in inputs]
        assert javascript([(code, {"input": payload}) for payload in inputs]) == expected


def _run(compiled, payload):
    return pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas())


BIG = 2**53 + 1  # a snowflake-sized id: JSONata's double reads it as 2**53


@pytest.mark.parametrize("signature, scanned", [
    ("rec", True), ("rec: dict", True), ("rec: Any", True), ("rec: list[dict]", True),
    ("rec: dict[str, int]", False), ("rec: float", False), ("rec: list[int | None]", False),
    ("rec: Row", False), ("rec: Open", True)])
def test_an_integer_past_2_53_in_an_open_parameter_stops_the_machine(signature, scanned):
    """An unannotated (or open) parameter holding an int JSONata would round stops the machine
    at its first state, before any callee sees the rounded id; an annotation that checks its
    ints (or reads them as floats) needs no scan."""
    source = f"""
        from typing import Any, TypedDict

        class Row(TypedDict):
            id: int
            score: float

        class Open(TypedDict):
            id: int
            extra: dict

        def store(rec):
            return 1

        @sfn.workflow
        def main({signature}, n: int = 0):
            store(rec)
            return n
    """
    compiled = compile_text(source)
    rules = compiled.definition["States"]["Start main"]["Choices"]
    assert any(rule["Next"] == "Stop: pysfn.IntegerOverflow" for rule in rules) is scanned
    fine = {"id": 2**53 - 1, "score": 0.5} if "Row" in signature else {"id": 2**53 - 1, "extra": {}} \
        if "Open" in signature else [{"id": 7}] if "list[dict]" in signature else {"id": 2**53 - 1} \
        if "dict" in signature else 2.5 if "float" in signature else [2**53 - 1, None] if "list" in signature \
        else {"ids": [[1, -(2**53 - 1)]]}
    assert assert_same(source, {"rec": fine}, {"rec": fine, "n": 7})
    if scanned:
        big = {"id": 7, "extra": {"x": [BIG]}} if "Open" in signature else [{"id": BIG}] \
            if "list[dict]" in signature else {"ids": [[1, -BIG]]}
        machine = _run(compiled, {"rec": big})
        assert (machine.status, machine.error) == ("FAILED", "pysfn.IntegerOverflow")
        assert "pass it as a string" in machine.cause and not any(event["type"] == "TaskScheduled" for event in machine.history)
        # the int annotation's own check comes first, and only open parameters are scanned
        assert _run(compiled, {"rec": fine, "n": BIG}).error == "TypeError"


def test_an_absent_open_parameter_is_not_an_integer_past_2_53():
    """Regression: `$exists([$lookup(input, 'referrer')].**[...])` is true of an absent key
    (JSONata keeps `[]` as an empty array), so the scan stopped user_onboarding's machine."""
    source = """
        def store(name, referrer):
            return 1

        @sfn.workflow
        def main(name: str, referrer: dict | None = None, note=None):
            store(name, referrer)
            return [name, referrer, note]
    """
    assert assert_same(source, {"name": "a"}, {"name": "a", "referrer": {"id": 2**53 - 1}}, {"name": "a", "note": 1.5})
    compiled = compile_text(source)
    assert _run(compiled, {"name": "a", "note": {"n": [BIG]}}).error == "pysfn.IntegerOverflow"
    assert _run(compiled, {"name": "a", "referrer": {"id": BIG}}).error == "pysfn.IntegerOverflow"


def test_an_input_of_many_numbers_passes_the_scan():
    """An input of 120,600 numbers (about 240 KB) stopped every unannotated workflow at its
    first state with States.QueryEvaluationError: the scan's filter spent some ten nodes per
    value, past the emulator's million. The input's text is searched first (native work, a
    node a call), and only a number printed with 16 digits or an exponent is filtered for."""
    source = """
        @sfn.workflow
        def main(cols):
            return len(cols)
    """
    compiled = compile_text(source)
    payload = {"cols": [[1] + [0] * 300 for _ in range(400)]}
    assert (_run(compiled, payload).status, _run(compiled, payload).output) == ("SUCCEEDED", 400)
    assert _run(compiled, {"cols": [[1] * 300, [BIG]]}).error == "pysfn.IntegerOverflow"


# values the text search finds, which the filter then decides, and values it passes by (digits
# in strings and keys, escaped quotes around them, small and negative exponents)
SCANNED = [{"a": BIG}, {"a": 2**53 - 1}, {"a": 2**53}, {"a": -(2**53)}, {"a": 1e21}, {"a": -1e16}, {"a": 1.5e300},
           {"a": 1e-7}, {"a": 123.5}, {"a": "12345678901234567"}, {"12345678901234567": 1},
           {"a": 'x\\"12345678901234567\\\\', "b": [BIG]}, {"a": [1, 2, "e+", "1e+30"]}, "98765432109876543",
           {"u": "\u00e9\u2028\"", "b": [10**17]}, [], None, {"s": "a" * 5000 + '"\\'}]


def test_the_scan_decides_as_the_filter_alone():
    """The text search passes by nothing the filter would stop at: the scan's verdict is the
    filter's, for each value (emulator)."""
    full = unsafe_integer_test([], True).replace("$states.input", "$input")
    alone = full[full.index(" and $count(") + len(" and "):]
    for value in SCANNED:
        assert emulate(full, {"input": value}) == emulate(alone, {"input": value}), value


@pytest.mark.skipif(not js_available(), reason="PYSFN_JSONATA_JS not set")
def test_the_scan_is_the_same_in_jsonata_js():
    code = unsafe_integer_test([], True).replace("$states.input", "$input")
    pairs = [(code, {"input": value}) for value in SCANNED]
    assert javascript(pairs) == [emulate(code, variables) for code, variables in pairs]
