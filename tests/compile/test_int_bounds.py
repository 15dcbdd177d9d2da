"""Bounds of int expressions from their text (analysis/int_bounds.py): each bound holds for
every int the expression gives, checked over operands drawn at random."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from pysfn_compile.analysis.int_bounds import int_bounds

EXPRESSIONS = ["(ord(c) - 97 + k) % 26 + 97", "k % 7 - 3", "-(k % 5)", "+(2 * (k % 3))", "len(c) + 1",
               "(k % 4) * (k % 3 - 1)", "k + 1", "k // 2", "ord(c) * -1"]


def bounds(text: str, builtins=("ord", "len")):
    return int_bounds(ast.parse(text, mode="eval").body, lambda name: name in builtins)


def test_what_the_text_fixes():
    assert bounds("(ord(c) - 97 + k) % 26 + 97") == (97, 122)
    assert bounds("k % 7 - 3") == (-3, 3)
    assert bounds("-(k % 5)") == (-4, 0)
    assert bounds("ord(c)") == (0, 0x10FFFF)
    assert bounds("len(c) + 1") == (1, None)
    assert bounds("k + 1") == (None, None)
    assert bounds("k % 0") == (None, None)
    assert bounds("k % -3") == (None, None)
    assert bounds("ord(c)", builtins=()) == (None, None)  # a module's own ord: anything


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(EXPRESSIONS), st.integers(-10**6, 10**6), st.text(min_size=1, max_size=1))
def test_every_value_lies_within_the_bounds(text, k, c):
    lo, hi = bounds(text)
    value = eval(text, {"k": k, "c": c})  # the test's own expressions
    assert lo is None or value >= lo
    assert hi is None or value <= hi
