"""Ordinary Python the compiler once refused (issue 10): each is accepted with Python's
semantics, run both ways, including the TypeErrors Python raises for values of another kind."""

from __future__ import annotations

from .helpers import assert_same, compile_text, emulate, refusal


def test_an_empty_list_literal_sorts_prints_and_has_no_min():
    """The items of `out = []` never exist: sorted/min/max/str over it are accepted."""
    assert_same("""
    @sfn.workflow
    def main(n):
        out = []
        a = sorted(out)
        b = max(out, default=n)
        c = str(out) + repr(out)
        d = "-".join(str(x) for x in out)
        e = [abs(x) for x in out]
        try:
            f = min(out) * 2
        except ValueError as err:
            f = str(err)
        return [a, b, c, d, e, f]
    """, {"n": 1}, {"n": "x"})


def test_a_chained_comparison_evaluates_a_computed_middle_once_and_later_operands_lazily():
    results = assert_same("""
    @sfn.workflow
    def main(n, xs):
        a = 1 < n + 1 < 5
        b = 0 <= len(xs) < n * 2 <= 10
        c = -1 < xs[0] < xs[1] < 9
        return [a, b, c]
    """, {"n": 1, "xs": [1, 2]}, {"n": 3, "xs": [0, 5]}, {"n": "a", "xs": [1]}, {"n": 2, "xs": [3, 1]},
        {"n": 2, "xs": [-3]}, {"n": 9, "xs": [1, 2]})
    assert results[4]["output"] == [True, True, False]  # xs[1] is never evaluated
    assert results[2]["error"] == "TypeError"


INT_AND_INDEX = """
@sfn.workflow
def main(v, i):
    xs = [10, 20, 30]
    s = "abc"
    try:
        a = int(v)
    except (ValueError, TypeError) as e:
        a = str(e)
    try:
        b = xs[i]
    except (IndexError, TypeError) as e:
        b = str(e)
    try:
        c = s[i]
    except (IndexError, TypeError) as e:
        c = str(e)
    return [a, b, c, xs[True], s[False]]
"""


def test_int_and_indexes_of_values_of_unknown_type():
    results = assert_same(INT_AND_INDEX, *[{"v": v, "i": i} for v, i in [
        ("12", 1), (" -3_0 ", -1), (2.7, 1.0), (-2.7, 5), (True, True), (None, "x"), ([1], None),
        ({"a": 1}, [1]), ("x", 2.5), ("١٢", 0)]])
    assert results[5]["output"][0].startswith("int() argument must be a string")
    assert results[5]["output"][1] == "list indices must be integers or slices, not str"


def test_abs_split_startswith_with_arguments_of_unknown_type():
    assert_same("""
    @sfn.workflow
    def main(v, s: str):
        try:
            a = abs(v)
        except TypeError as e:
            a = str(e)
        try:
            b = s.split(v)
        except (ValueError, TypeError) as e:
            b = str(e)
        try:
            c = [s.startswith(v), s.endswith(v)]
        except TypeError as e:
            c = str(e)
        d = s.split('') if v == 99 else 0
        return [a, b, c, d]
    """, *[{"v": v, "s": "a,b c"} for v in ["a", ",", "", None, -3, 2.5, True, [1], {"a": 1}, 99]])


def test_str_plus_a_value_that_may_be_a_str():
    assert_same("""
    @sfn.workflow
    def main(words):
        return "<" + words[0][::-1]
    """, {"words": ["ab"]}, {"words": [[1, 2]]}, {"words": "xy"})


def test_str_plus_a_computed_float_is_still_refused():
    assert "Python raises TypeError" in refusal("""
    @sfn.workflow
    def main(s: str, f: float):
        x = s if f > 1 else f / 2
        return "a" + x
    """)


def test_an_index_that_may_be_a_computed_float_is_still_refused():
    message = refusal("""
    @sfn.workflow
    def main(xs: list[int], f: float):
        i = 1 if f > 1 else f / 2
        return xs[i]
    """)
    assert "list indices must be integers; this index is int | float" in message
    assert compile_text("""
    @sfn.workflow
    def main(xs: list[int], i):
        return xs[i]
    """)


SORT_TUPLES = """
@sfn.workflow
def main(rows, d, e: dict[str, int]):
    a = sorted(rows, key=lambda r: (r["a"], r["b"]))
    b = sorted(d.items())
    c = sorted(e.items(), reverse=True)
    f = max(rows, key=lambda r: (r["b"], -r["a"]))
    g = sorted([(2, "b"), (1, "z"), (2, "a"), (1, "z")])
    h = min([[3, 1], [2, 9, 9], [2, 9]])
    return [a, b, c, f, g, h]
"""


def test_sorting_by_tuples_orders_item_by_item():
    rows = [{"a": 2, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "a"}, {"a": 1, "b": "y"}]
    results = assert_same(SORT_TUPLES, {"rows": rows, "d": {"b": [1], "a": {"x": 1}}, "e": {"q": 1, "p": 2}},
                          {"rows": [{"a": True, "b": 2}, {"a": 1, "b": 1}], "d": {}, "e": {}},
                          {"rows": [], "d": {}, "e": {}}, {"rows": [{"a": [1], "b": 1}], "d": {}, "e": {}})
    assert results[0]["output"][1] == [["a", {"x": 1}], ["b", [1]]]  # d.items(): the keys decide


def test_sorting_tuples_whose_items_python_cannot_order_stops_loudly():
    compiled = compile_text(SORT_TUPLES)
    payload = {"rows": [{"a": 1, "b": 2}, {"a": 1, "b": "s"}], "d": {}, "e": {}}
    assert compiled.run_python(payload)["error"] == "TypeError"
    machine = emulate(compiled, payload)
    assert machine["error"] == "pysfn.Unsupported" and "line 5" in machine["cause"]


def test_sorting_tuples_holding_dicts_is_refused_with_the_item_type():
    message = refusal("""
    @sfn.workflow
    def main(xs: list[dict[str, int]]):
        return sorted([(1, x) for x in xs])
    """)
    assert "an item of type dict[str, int] is not ordered" in message
