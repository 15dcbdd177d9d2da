"""The entry's argument check (`main(**input)`): one Choice rule whose message is the first
problem's, with the messages plain Python gives (sfn.workflow's checks included)."""

from __future__ import annotations

import pytest

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


def test_the_check_is_one_rule_of_the_first_state():
    source, _ = SIGNATURES["order_of_problems"]
    definition = compile_text(source).definition
    first = definition["States"][definition["StartAt"]]
    assert first["Type"] == "Choice" and len(first["Choices"]) == 1
    rule = first["Choices"][0]
    assert "$__" + "filter :=" not in rule["Condition"] + rule["Assign"]["__exc"]["message"]


@pytest.mark.skipif(not js_available(), reason="PYSFN_JSONATA_JS not set")
@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_the_check_is_the_same_in_jsonata_js(name):
    source, inputs = SIGNATURES[name]
    rule = compile_text(source).definition["States"]["Start main"]["Choices"][0]
    for field in (rule["Condition"], rule["Assign"]["__exc"]["message"]):
        code = field.removeprefix("{% ").removesuffix(" %}").replace("$states.input", "$input")
        expected = [emulate(code, {"input": payload}) for payload in inputs]
        assert javascript([(code, {"input": payload}) for payload in inputs]) == expected
