"""A list read by computed positions inside a comprehension, a search or a folded loop
(graph/indexed_reads.py): one object of positions per evaluation, then a lookup per read, where
JSONata's filter `$xs[$i - 1]` walked the whole list per read (n * n: 500 items ran out of an
evaluation's budget, States.QueryEvaluationError). Each case runs both ways, at sizes the filter
could not reach, and the rewrite keeps the filter's meaning (negative and missing positions)."""

from __future__ import annotations

import pytest

from pysfn_compile.graph.indexed_reads import rewrite
from pysfn_compile.graph.jsonata_lib import prelude

from .helpers import assert_same
from .oracle import emulate as evaluate
from .oracle import javascript, js_available

PAIRWISE = """
@sfn.workflow
def main(xs: list[int], lag):
    diffs = [xs[i] - xs[i - 1] for i in range(1, len(xs))]
    rising = [x for i, x in enumerate(xs) if i == 0 or x > xs[i - 1]]
    window = []
    total = 0
    for i in range(len(xs)):
        total += xs[i]
        if i >= lag:
            total -= xs[i - lag]
            window.append(total)
    peaks = [i for i in range(1, len(diffs) - 1) if diffs[i] > diffs[i - 1] and diffs[i] > diffs[i + 1]]
    return [len(diffs), sum(diffs), len(rising), window[-3:], len(peaks), [xs[j] for j in range(-3, 0)]]
"""


def test_pairwise_reads_of_thousands_of_items():
    """Moving windows and pairwise differences (a trial: a 5-item moving average over 2,000
    readings failed with an evaluation timeout), including negative positions."""
    results = assert_same(PAIRWISE, {"xs": [(i * 37) % 101 for i in range(2000)], "lag": 5},
                          {"xs": [3, 1, 2], "lag": 1}, {"xs": [1, 2, 3], "lag": 0})
    assert results[0]["output"][0] == 1999


def test_an_index_out_of_range_is_still_pythons_index_error():
    results = assert_same("""
    @sfn.workflow
    def main(xs: list[int], k: int):
        return [xs[i + k] - xs[i] for i in range(len(xs))]
    """, {"xs": [1, 2, 3], "k": 0}, {"xs": [1, 2, 3], "k": 1}, {"xs": [1, 2, 3], "k": -3}, {"xs": [1, 2, 3], "k": -4})
    assert results[1]["error"] == "IndexError" and results[3]["error"] == "IndexError"
    assert results[2]["output"] == [0, 0, 0]


def test_an_item_of_an_item_read_by_computed_positions():
    """`grid[i][i]` of a callee's list of lists (a new-user trial: the diagonal was the whole
    first row, silently), and of one of unknown type: the row read through the positions is bound before its item
    is, as a block ending with a call drops the index after it in jsonata-js."""
    source = """
    def load(rows):
        return [[rows * 3 + c + 1 for c in range(3)] for rows in range(rows)]

    @sfn.workflow
    def main(m, rows: int):
        grid = load(rows)
        diag = [m[i][i] for i in range(min(len(m), len(m[0])))]
        anti = [m[i][len(m[i]) - 1 - i] for i in range(len(m))]
        return [diag, anti, [grid[i][i] for i in range(min(len(grid), 3))]]
    """
    results = assert_same(source, {"m": [[1, 2, 3], [4, 5, 6]], "rows": 2}, {"m": [[1, 2], [3, 4], [5, 6]], "rows": 3},
                          {"m": [[1], [2, 3]], "rows": 1})
    assert results[0]["output"] == [[1, 5], [3, 5], [1, 5]]


@pytest.mark.parametrize("text", [
    "$map([0..5], function($i) { $xs[$i - 2] })",
    "$map([0..5], function($i) { $xs[-$i] })",
    "$map([0..3], function($i) { $xs[$i / 2] })",
    "$map([0..3], function($i) { $nested[$i][0] })",
    "$map([0..3], function($i) { $xs[$i = 1] })",
    "$map([0..3], function($i) { $one[$i - 1] })",
    "$map([0..3], function($i) { [$xs[$i + 1], $xs[$i]][0] })",
    "$map([0..1], function($i) { ($nested[$i])[$i] })",
    "$map([0..1], function($i) { ($nested[$i])[0] })",
])
def test_the_rewrite_reads_what_the_filter_reads(text):
    """The same values in both engines with and without the rewrite: negative and missing
    positions, fractions, a boolean index (the filter), a single value that is no list."""
    bindings = {"xs": [10, 11, [12, 13], 14], "nested": [[1], [2, 3]], "one": "abc"}
    codes = [(f"({text})", bindings)]
    rewritten = rewrite(text)
    codes.append((f"({prelude(['at'])} {rewritten})", bindings))
    results = [evaluate(code, variables) for code, variables in codes]
    if js_available():
        results += javascript(codes)
    assert all(result == results[0] for result in results), results


SLICES = """
def load(n):
    return [(i * 37) % 101 for i in range(n)]


@sfn.workflow
def main(n: int, w: int):
    xs = load(n)
    sums = [sum(xs[i:i + w]) for i in range(len(xs) - w + 1)]
    peaks = []
    for i in range(len(xs)):
        window = xs[max(0, i - w + 1):i + 1]
        peaks.append(max(window))
    tails = [len(xs[-k:]) + len(xs[:k]) for k in range(-1, 3)]
    return [len(sums), sums[:3], sum(sums), sum(peaks), peaks[-2:], tails, xs[w:][:2]]
"""


def test_moving_windows_by_slices_over_thousands_of_items():
    """`xs[i:i + w]` inside a comprehension and a folded loop (a trial: a moving window over
    2,000 items stopped with States.QueryEvaluationError, each slice walking the whole list):
    a lookup per item the slice takes, Python's clamping of the bounds kept."""
    results = assert_same(SLICES, {"n": 1500, "w": 5}, {"n": 3, "w": 5}, {"n": 6, "w": 1}, {"n": 0, "w": 2})
    assert results[0]["output"][0] == 1496


@pytest.mark.parametrize("text", [
    "$map([0..5], function($i) { $__slice1_list($xs, $i - 2, $i + 1) })",
    "$map([0..5], function($i) { $__slice1_list($xs, null, -$i) })",
    "$map([0..5], function($i) { $__slice1_list($xs, -$i, null) })",
    "$map([0..2], function($i) { $__slice1_list($xs, $i + 9, 2) })",
    "$map([0..2], function($i) { $__slice1_list($one, $i, $i + 1) })",
    "$map([0..2], function($i) { $__slice1_list($none, 0, $i) })",
])
def test_a_slice_read_by_positions_takes_what_the_walk_takes(text):
    """A slice from the positions (`$__slice1_at`) and the walk it replaces give the same in
    both engines: bounds past either end, negative, missing; items that are lists; a list of
    one list; an empty list."""
    bindings = {"xs": [10, [11], [12, 13], None, {"a": 1}, 15], "one": [[1, 2]], "none": []}
    codes = [(f"({prelude(['slice1_list'])} ({text}))", bindings)]
    rewritten = rewrite(text)
    assert "$__slice1_at(" in rewritten
    codes.append((f"({prelude(['slice1_list', 'slice1_at'])} {rewritten})", bindings))
    results = [evaluate(code, variables) for code, variables in codes]
    if js_available():
        results += javascript(codes)
    assert all(result == results[0] for result in results), results
