"""Workflows written without annotations: values whose type the compiler cannot know are
handled at run time as Python handles them, and one refused line does not echo as problems
on every later line that uses what it failed to set."""

from __future__ import annotations

from .helpers import assert_same, compile_text, emulate, problems

ITERATE = """
def load(kind):
    if kind == "list":
        return [3, 1, 2]
    if kind == "str":
        return "abc"
    if kind == "dict":
        return {"b": 1, "a": 2}
    if kind == "none":
        return None
    return 7

@sfn.workflow
def main(kind):
    seen = []
    for item in load(kind):
        seen.append(item)
    return seen
"""


def test_a_for_loop_over_a_value_of_unknown_type_walks_what_python_walks():
    results = assert_same(ITERATE, {"kind": "list"}, {"kind": "str"}, {"kind": "dict"},
                          {"kind": "none"}, {"kind": "int"})
    assert [r["output"] for r in results[:3]] == [[3, 1, 2], ["a", "b", "c"], ["b", "a"]]
    assert results[3]["cause"] == "'NoneType' object is not iterable"
    assert results[4]["error"] == "TypeError"


def test_comprehensions_and_builtins_over_unknown_values():
    assert_same("""
    @sfn.workflow
    def main(rows, text):
        names = [r for r in rows]
        joined = ",".join(text)
        return {"names": names, "joined": joined, "n": len([c for c in text if c != "x"])}
    """, {"rows": ["b", "a"], "text": "xyz"}, {"rows": [], "text": ""},
        {"rows": ["a"], "text": 5})


def test_a_refused_line_is_reported_once_not_at_every_later_use():
    found = problems("""
    @sfn.workflow
    def main(x):
        total = x @ 2
        doubled = total * 2
        if doubled > 3:
            return [total, doubled]
        return total
    """)
    assert len(found) == 1, found
    assert "@" in found[0].message and found[0].line == 5


def test_independent_problems_are_still_all_reported():
    found = problems("""
    @sfn.workflow
    def main(x):
        a = x @ 2
        b = x & 1
        return [a, b]
    """)
    assert [p.line for p in found] == [5, 6]


PRINT = """
def fetch(kind):
    return {"int": 3, "float": 2.5, "list": [1, "a", None, True, {"k": [2]}], "str": "it's",
            "tiny": 0.00001, "long": 0.1 + 0.2, "none": None, "dict": {"a": 1}}[kind]

@sfn.workflow
def main(kind):
    value = fetch(kind)
    return [str(value), repr(value), f"<{value}>", f"{value!r}"]
"""


def test_printing_a_value_of_unknown_type_is_python_s_printing():
    results = assert_same(PRINT, *({"kind": k} for k in ("int", "float", "list", "str", "none", "dict")))
    assert results[0]["output"] == ["3", "3", "<3>", "3"]
    assert results[2]["output"][1] == "[1, 'a', None, True, {'k': [2]}]"


def test_a_number_whose_python_repr_the_machine_cannot_reproduce_stops_it_loudly():
    compiled = compile_text(PRINT)
    for kind in ("tiny", "long"):
        machine = emulate(compiled, {"kind": kind})
        assert machine["status"] == "FAILED"
        assert machine["error"] == "pysfn.UnprintableNumber"
        assert machine["cause"].startswith("line 10: ")


def test_an_input_number_prints_by_the_rule_integral_means_int():
    results = assert_same("""
    @sfn.workflow
    def main(n, xs):
        return f"{n} {xs}"
    """, {"n": 4, "xs": [1, 2.5]}, {"n": 4.0, "xs": []}, {"n": -0.5, "xs": [{"a": 7.0}]})
    assert [r["output"] for r in results] == ["4 [1, 2.5]", "4 []", "-0.5 [{'a': 7}]"]
