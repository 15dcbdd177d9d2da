"""sorted(), min() and max() of values of unknown type: the key function's helpers reach every
check that calls it, and a keyless sort of thousands of numbers or strings stays within one
evaluation's budget."""

from __future__ import annotations

import pytest

from .helpers import assert_same, compile_text
from .helpers import emulate as run_machine
from .oracle import emulate, javascript, js_available, with_helpers

KEYED = """
@sfn.workflow
def main(xs):
    return {"max": max(xs, key=lambda s: s[-2:]), "min": min(xs, key=lambda s: s[1:]),
            "sorted": sorted(xs, key=lambda s: s[::-1])}
"""


def test_a_key_that_needs_helpers_works_in_the_orderable_check():
    """Regression: the check that the keys are all numbers or all strings called the key
    without its slice helpers (T1006 in the machine, where Python returned)."""
    results = assert_same(KEYED, {"xs": ["ab9", "cd1", "ef5"]}, {"xs": ["zz"]})
    assert results[0]["output"] == {"max": "ef5", "min": "ab9", "sorted": ["cd1", "ef5", "ab9"]}


PLAIN = """
@sfn.workflow
def main(xs):
    return {"up": sorted(xs), "down": sorted(xs, reverse=True)}
"""


def test_a_keyless_sort_of_thousands_of_items():
    words = [f"w{(i * 7919) % 3000:04d}" for i in range(3000)]
    numbers = [(i * 7919) % 3001 - 1500 + (0.5 if i % 7 == 0 else 0) for i in range(3000)]
    results = assert_same(PLAIN, {"xs": words}, {"xs": numbers})
    assert results[0]["output"]["up"][:2] == ["w0000", "w0001"]
    assert results[1]["output"]["down"][0] == max(numbers)


def test_a_keyless_sort_in_code_point_order_and_of_mixed_kinds():
    """Beyond U+FFFF the general way (code point order, not UTF-16's); bools with numbers as
    Python orders them; strings with numbers stop the machine as before."""
    results = assert_same(PLAIN, {"xs": ["b😀", "b\uffff", "a", "b"]}, {"xs": [2, True, 0.5, False]},
                          {"xs": [1]}, {"xs": []})
    assert results[0]["output"]["up"] == ["a", "b", "b\uffff", "b😀"]
    assert results[1]["output"]["up"] == [False, 0.5, True, 2]


MIN_MAX = """
@sfn.workflow
def main(parts):
    out = []
    for f in ("min", "max"):
        try:
            out.append(min(parts) if f == "min" else max(parts))
        except TypeError as e:
            out.append("TypeError: " + str(e))
    try:
        out.append(min(parts, key=lambda p: p))
    except TypeError as e:
        out.append("key TypeError: " + str(e))
    return out
"""


def test_min_and_max_of_mixed_kinds_raise_pythons_type_error():
    """min()/max() compare each item with the best so far, in the items' order (unlike a sort):
    Python's TypeError at the first pair it cannot order, as it words it, caught by the handler
    (a new-user trial's `min(["a", 1])` stopped the machine, pysfn.Unsupported)."""
    results = assert_same(MIN_MAX, *({"parts": parts} for parts in (
        ["a", 1], [1, "a"], [None, 1], [1, None], [1, 2.5, "x"], [True, 0], ["b", "a", 3], [{}, {}], [None],
        [None, None], [1.5, "a"], ["x", True], [2, 1, {}], ["\U0001f600", "\uffff", 3])))
    assert results[0]["output"][0] == "TypeError: '<' not supported between instances of 'int' and 'str'"
    assert results[0]["output"][1] == "TypeError: '>' not supported between instances of 'int' and 'str'"
    stopped = run_machine(compile_text(MIN_MAX), {"parts": [[1], [2]]})
    assert stopped["error"] == "pysfn.Unsupported" and "lists" in stopped["cause"], stopped


@pytest.mark.skipif(not js_available(), reason="set PYSFN_JSONATA_JS to a jsonata 2.0.6 package")
def test_the_min_max_check_is_the_same_in_jsonata_js():
    codes = [with_helpers(f"($e := $__minmax_err({keys}, '{op}'); $exists($e) ? $e : 'none')") for keys in (
        "['a', 1]", "[1, true, 0.5]", "[null]", "[[1], [2]]", "['b', 'a', {}]", "[2.5, 'x']") for op in "<>"]
    assert javascript([(code, {}) for code in codes]) == [emulate(code) for code in codes]


CASES = [
    ("$__sorted_plain([3, 1, 2], false)", [1, 2, 3]),
    ("$__sorted_plain([3, 1, 2], true)", [3, 2, 1]),
    ("$__sorted_plain(['b', 'a', 'c'], false)", ["a", "b", "c"]),
    ("$__sorted_plain(['b😀', 'b\uffff', 'a'], false)", ["a", "b\uffff", "b😀"]),
    ("$__sorted_plain(['b'], false)", ["b"]),
    ("$__sorted_plain([], false)", []),
]


@pytest.mark.parametrize(("code", "expected"), CASES, ids=[c for c, _ in CASES])
def test_keyless_sorted_in_emulator(code, expected):
    assert emulate(with_helpers(code)) == ("ok", expected)


@pytest.mark.skipif(not js_available(), reason="set PYSFN_JSONATA_JS to a jsonata 2.0.6 package")
def test_keyless_sorted_in_jsonata_js():
    assert javascript([(with_helpers(code), {}) for code, _ in CASES]) == [("ok", e) for _, e in CASES]


def test_a_builtin_or_str_method_as_the_key():
    """`sorted(ids, key=int)` (a pagination trial; was refused: "the key must be a lambda"),
    other builtins, and `str.lower` over strs; int's ValueError reaches the workflow."""
    results = assert_same("""
    @sfn.workflow
    def main(ids, words: list[str]):
        return [sorted(ids, key=int), max(ids, key=len), min(words, key=str.lower),
                sorted(words, key=str.upper), sorted([[3, 1], [2]], key=sum)]
    """, {"ids": ["10", "9", "100"], "words": ["b", "A", "c"]}, {"ids": ["1", "x"], "words": ["a"]})
    assert results[0]["output"] == [["9", "10", "100"], "100", "A", ["A", "b", "c"], [[2], [3, 1]]]
    assert results[1]["error"] == "ValueError"


def test_sorting_lists_whose_kind_only_the_run_tells():
    """sorted() of a callee's tuples nobody annotated (`[("2024-01-03", 100), ...]`, a ledger
    trial; the machine stopped: "not all numbers or all strings"): lists ordered item by item
    as Python orders tuples, numbers and strings as before; mixed kinds, or a position holding
    both numbers and strings, stop the machine loudly."""
    source = """
    @sfn.workflow
    def main(xs):
        return [sorted(xs), sorted(xs, reverse=True)]
    """
    results = assert_same(source, {"xs": [["b", 2], ["a", 9], ["a", 1], ["a"]]}, {"xs": [[2, True], [2, 0], [1.5]]},
                          {"xs": [3, 1, 2]}, {"xs": ["b", "a"]}, {"xs": []}, {"xs": [[1]]}, {"xs": [[], [0]]})
    assert results[0]["output"][0] == [["a"], ["a", 1], ["a", 9], ["b", 2]]
    compiled = compile_text(source)
    for mixed in ([[1], 2], [["a", 1], [2, "b"]], [[[1]], [[0]]]):
        assert run_machine(compiled, {"xs": mixed})["error"] == "pysfn.Unsupported", mixed


def test_itemgetter_keys_are_the_lambdas_they_mean():
    """`sorted(counts.items(), key=itemgetter(1), reverse=True)` (a trial; was refused: the key
    must be a lambda): operator.itemgetter of constants indexes as `lambda v: v[1]` does, a tuple
    of items for several."""
    results = assert_same("""
    import operator
    from operator import itemgetter

    @sfn.workflow
    def main(counts, rows):
        ranked = sorted(counts.items(), key=itemgetter(1), reverse=True)
        by_two = sorted(rows, key=operator.itemgetter("team", "score"))
        best = max(rows, key=itemgetter("score"))
        return [ranked, [r["name"] for r in by_two], best["name"]]
    """, {"counts": {"x": 2, "y": 5, "z": 5}, "rows": [{"name": "a", "team": "b", "score": 3},
                                                       {"name": "b", "team": "a", "score": 9},
                                                       {"name": "c", "team": "a", "score": 1}]},
        {"counts": {}, "rows": [{"name": "a", "team": "b"}]})
    assert results[0]["output"] == [[["y", 5], ["z", 5], ["x", 2]], ["c", "b", "a"], "b"]
    assert results[1]["error"] == "KeyError"


def test_thousands_of_records_sort_by_a_key_in_one_evaluation():
    """The key is computed once per record and a tuple key compared field by field in one
    function: 2,500 records by (name, -value) and 4,000 by one field, reversed, ran out of an
    evaluation's budget of nodes (U1001) when the key ran twice per comparison and a tuple key's
    items were walked as a list."""
    results = assert_same("""
    def load(n):
        return [{"i": i, "v": (i * 37) % 1001, "n": "n%d" % ((i * 7) % 13)} for i in range(n)]

    @sfn.workflow
    def main(n, by_tuple):
        rows = load(n)
        if by_tuple:
            ranked = sorted(rows, key=lambda r: (r["n"], -r["v"]))
        else:
            ranked = sorted(rows, key=lambda r: r["v"], reverse=True)
        return [r["i"] for r in ranked[:4]] + [r["i"] for r in ranked[-4:]]
    """, {"n": 2500, "by_tuple": True}, {"n": 4000, "by_tuple": False}, {"n": 1, "by_tuple": True})
    assert results[0]["status"] == "SUCCEEDED" and results[1]["status"] == "SUCCEEDED"



def test_a_computed_reverse_flag():
    """`q.sort(reverse=len(op) > 1)` was refused ("reverse= must be True or False literally",
    session-25 trial): a bool computed after the items, before any key is called."""
    results = assert_same("""
    @sfn.workflow
    def main(xs, op, words):
        q = list(xs)
        q.sort(reverse=len(op) > 1)
        return [q, sorted(words, key=len, reverse=op == "desc"), sorted(xs, reverse=not op),
                sorted([[2, "a"], [1, "b"]], reverse=bool(op))]
    """, {"xs": [3, 1, 2], "op": "desc", "words": ["bb", "a", "cc", "d"]},
        {"xs": [3, 1, 2.5], "op": "", "words": []}, {"xs": [1], "op": 5, "words": ["x"]})
    assert results[0]["output"] == [[3, 2, 1], ["bb", "cc", "a", "d"], [1, 2, 3], [[2, "a"], [1, "b"]]]
    assert results[2]["error"] == "TypeError"
