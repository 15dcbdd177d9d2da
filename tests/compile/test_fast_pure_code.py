"""Pure code that runs fast (issue 10): a check already found false on every path is not made
again (graph/choice_pruning.py), and a pure loop's Choice computes a repeated subexpression
once where it first evaluates it whatever happens (graph/pure_loops.py). Each case runs both
ways on inputs that take every check's way out, so the shortcuts change nothing but the cost."""

from __future__ import annotations

import json

from pysfn_compile.graph.jsonata_text import eager_spans, occurs_in

from .helpers import assert_same, compile_text, emulate

SUBSCRIPTS = """
    @sfn.workflow
    def main(d, k):
        a = d["a"]
        b = d["b"]
        if k:
            d = k
        c = d["c"]
        return [a, b, c]
"""


def test_a_check_found_false_on_every_path_is_not_made_again():
    definition = json.dumps(compile_text(SUBSCRIPTS).definition)
    # `d` is tested once for each of its three subscripts' kinds of trouble... before `d = k`,
    # and again after it, where `d` may be another value
    assert definition.count("object is not subscriptable") == 2


def test_pruned_checks_still_raise_where_python_raises():
    assert_same(SUBSCRIPTS, {"d": {"a": 1, "b": 2, "c": 3}, "k": None}, {"d": [1], "k": None},
                {"d": "text", "k": None}, {"d": 5, "k": None}, {"d": {"a": 1}, "k": None},
                {"d": {"a": 1, "b": 2, "c": 3}, "k": [1, 2]}, {"d": {"a": 1, "b": 2, "c": 3}, "k": {"c": 9}},
                {"d": {"a": 1, "b": 2, "c": 3}, "k": 7}, {"d": {"a": 1, "b": 2}, "k": {"x": 1}})


MIXED = """
    @sfn.workflow
    def main(rows, scale):
        totals = {}
        for row in rows:
            key = row["k"]
            totals[key] = totals.get(key, 0) + row["a"] * row["b"] + scale
        return totals
"""


def test_a_loop_of_dynamic_arithmetic_takes_every_way_out_as_python():
    rows = [{"k": "x", "a": 2, "b": 3}, {"k": "y", "a": 1, "b": 4}, {"k": "x", "a": 5, "b": 0}]
    assert_same(MIXED, {"rows": rows, "scale": 1}, {"rows": [], "scale": 1},
                {"rows": rows, "scale": True},
                {"rows": [{"k": "x", "a": 0.5, "b": 3}], "scale": 0},
                {"rows": [{"k": "x", "a": "ab", "b": 2}], "scale": 1},  # TypeError: str + int
                {"rows": [{"k": "x", "a": [1], "b": 2}], "scale": 1},
                {"rows": [{"k": "x", "a": {}, "b": 2}], "scale": 1},
                {"rows": [{"k": "x", "a": 2, "b": None}], "scale": 1},
                {"rows": [{"k": ["x"], "a": 2, "b": 3}], "scale": 1},  # unhashable key
                {"rows": [{"k": "x", "a": 2}], "scale": 1},  # KeyError
                {"rows": [3], "scale": 1})
    compiled = compile_text(MIXED)
    for row, error in (({"k": "x", "a": 2 ** 40, "b": 2 ** 20}, "pysfn.IntegerOverflow"),
                       ({"k": "x", "a": 2 ** 52, "b": 1}, "pysfn.IntegerOverflow"),  # the sum, not the product
                       ({"k": "x", "a": 0.5, "b": 2}, "pysfn.AmbiguousNumber"),  # 1.0: the machine stops
                       ({"k": 0.5, "a": 2, "b": 3}, "pysfn.NonStringKey")):  # a key JSON cannot hold
        assert (emulate(compiled, {"rows": [row], "scale": 2 ** 52})["error"] if row["b"] == 1 else
                emulate(compiled, {"rows": [row], "scale": 0})["error"]) == error


def test_a_subexpression_is_bound_only_where_it_is_evaluated_whatever_happens():
    text = "($type($a) in ['number'] and $floor($__arith('+', $x, $y)) = 1)"
    spans = eager_spans(text)
    assert occurs_in("$type($a)", text, spans)
    assert not occurs_in("$__arith('+', $x, $y)", text, spans)  # behind `and`
    text = "($__binerr('+', ($g := $x; $g), $__arith('*', $a, $b)) != '')"
    spans = eager_spans(text)
    assert occurs_in("$__arith('*', $a, $b)", text, spans)  # an argument: evaluated
    for hidden in ("$c ? $f($a) : 0", "$xs[$f($a)]", "$map($xs, function($v) { $f($a) })", "{'k': $f($a)}",
                   "$x.$f($a)", "$g($a) or $f($a)"):
        assert not occurs_in("$f($a)", hidden, eager_spans(hidden)), hidden


def test_shared_text_is_replaced_only_where_it_is_code():
    """A repeated group is not replaced where its parenthesis is a call's (`$not((a))` once
    became `$not$t`), nor inside a string literal that spells the same code."""
    assert_same("""
        @sfn.workflow
        def main(n: int, d: dict[str, int]):
            total = 0
            notes = []
            for i in range(n):
                total += d[str(i % 7)] if i < n - 1 else d["missing"]
                notes.append('$lookup($d, "missing")' if i < n - 1 else "last")
            return [total, notes]
    """, {"n": 3, "d": {str(k): k for k in range(7)}}, {"n": 3, "d": {"missing": 5, **{str(k): k for k in range(7)}}},
        {"n": 0, "d": {}})
