"""`d, xs = p["d"], p["xs"]` is two assignments where that is Python's meaning
(analysis/parallel_assignments.py), so changing `xs` in place changes `p["xs"]` as in Python."""

from __future__ import annotations

import ast
import textwrap

import pytest

from pysfn_compile.analysis import parallel_assignments

from .helpers import assert_same, problems


def _rewritten(source: str) -> str:
    body = ast.parse(textwrap.dedent(source)).body
    parallel_assignments.rewrite(body)
    return ast.unparse(body)


def test_items_bound_together_are_changed_through_their_names():
    """Was refused: "'xs' may share its value with 'd'"."""
    results = assert_same("""
    def fetch(n):
        return {"d": {"k": n}, "xs": [1, 2, 3], "t": "x"}

    @sfn.workflow
    def main(n=1):
        p = fetch(n)
        d, xs, t = p["d"], p["xs"], p["t"]
        xs.remove(2)
        d["k"] += 1
        return [p, d, xs, t]
    """, {}, {"n": 5})
    assert results[0]["output"] == [{"d": {"k": 2}, "xs": [1, 3], "t": "x"}, {"k": 2}, [1, 3], "x"]


@pytest.mark.parametrize("source", [
    "a, b = b, a",                              # the values read the old a
    "a, b = p['a'], a",
    "a, b = f(p), p['b']",                      # a call: a nested function could read a
    "a, b = p['a'][1:], p['b']",                # (a slice is no item)
    "a, a = p['a'], p['b']",
    "a, *b = p['a'], p['b'], p['c']",
    "a, b = 1, 2",                              # no item: kept as one statement
    "try:\n    a, b = p['a'], p['b']\nexcept KeyError:\n    pass",
    "for q in qs:\n    try:\n        a, b = q['a'], q['b']\n    finally:\n        pass",
])
def test_left_as_written(source):
    assert _rewritten(source) == ast.unparse(ast.parse(source))


@pytest.mark.parametrize("source, expected", [
    ("a, b = p['a'], p['b']", "a = p['a']\nb = p['b']"),
    ("[a, b] = p[0], -1", "a = p[0]\nb = -1"),
    ("for q in qs:\n    if q:\n        a, b = q['a'], q['b']", "for q in qs:\n    if q:\n        a = q['a']\n        b = q['b']"),
])
def test_split(source, expected):
    assert _rewritten(source) == expected


def test_a_key_error_a_handler_sees_leaves_the_names_unbound_as_in_python():
    """Inside a try the statement stays whole: `d` is unbound when p["xs"] raises."""
    source = """
    def fetch(n):
        return {"d": {"k": n}} if n else {"d": {"k": 0}, "xs": []}

    @sfn.workflow
    def main(n=1):
        p = fetch(n)
        d = None
        try:
            d, xs = p["d"], p["xs"]
        except KeyError:
            return ["missing", d]
        return [d, xs]
    """
    assert not problems(source)
    results = assert_same(source, {"n": 1}, {"n": 0})
    assert [r["output"] for r in results] == [["missing", None], [{"k": 0}, []]]


def test_an_item_only_read_beside_one_changed_in_place():
    """`d` is only read: as a copy of p["d"] it shared p's items for the sharing analysis, and
    `xs.remove(2)` was refused ("the items of 'p' may also be reachable from 'd'")."""
    results = assert_same("""
    def fetch(n):
        return {"d": {"k": n}, "xs": [1, 2, 3]}

    @sfn.workflow
    def main(n=1):
        p = fetch(n)
        d, xs = p["d"], p["xs"]
        if 2 in xs:
            xs.remove(2)
        total = 0
        for x in xs:
            total += x + d["k"]
        return [p, d, xs, total]
    """, {}, {"n": 5})
    assert results[0]["output"] == [{"d": {"k": 1}, "xs": [1, 3]}, {"k": 1}, [1, 3], 6]
