"""What the compiler knows of the items picks the smaller form: zip() and enumerate() are
JSONata's own $zip (each item kept as it is), xs[lo:hi] and s[lo:hi] need no clamping of their
bounds, sorted() of numbers is $sort's own, of strs (a dict's keys) $__sorted_str without a test
of kinds, min()/max() of ints $min/$max, and a sort or min/max by a number key compares without
$__cpk. Each form is checked against CPython in the emulator and (with PYSFN_JSONATA_JS, see
oracle.py) in jsonata-js; items that are lists keep the general path."""

from __future__ import annotations

import json
import re

import pytest

from pysfn_compile.graph.jsonata_lib import literal as L

from .helpers import assert_same, compile_text, refusal
from .oracle import definition_strings, emulate, javascript, js_available, with_helpers

ASTRAL = ["\U0001f600", "\ue000", "\uffff", "a", "\ud7ff", "b\U0001f600", "b\uffff", "", "\U00010000"]
LISTS = [[], [1], [[1, 2]], ["a", [3]], [1, 2, 3, 4, 5], [{"a": 1}, [], "x", None, 2.5]]
BOUNDS = [None, -7, -5, -2, -1, 0, 1, 2, 4, 5, 7]


def _slice_cases() -> list[tuple[str, object]]:
    """xs[lo:hi] and s[lo:hi] over lists of 0, 1, 2 and many items (some of them lists) and
    text with characters beyond U+FFFF, every bound before, inside and past the ends."""
    cases = []
    for xs in LISTS:
        cases.append(("[" + ", ".join(f"[$__slice1_list({L(xs)}, {L(lo)}, {L(hi)})]" for lo in BOUNDS for hi in BOUNDS)
                      + "]", [xs[lo:hi] for lo in BOUNDS for hi in BOUNDS]))
    for s in ["", "a", "\U0001f600b", "ab\U0001f600\ue000d"]:
        cases.append(("[" + ", ".join(f"$__slice1_str({L(s)}, {L(lo)}, {L(hi)})" for lo in BOUNDS for hi in BOUNDS)
                      + "]", [s[lo:hi] for lo in BOUNDS for hi in BOUNDS]))
    return cases


def _zip_cases() -> list[tuple[str, object]]:
    cases = []
    for a in LISTS:
        for b in LISTS:
            cases.append((f"$zip({L(a)}, {L(b)})", [list(p) for p in zip(a, b, strict=False)]))
        for start in (0, 1, -3):
            cases.append((f"$__enumerate({L(a)}, {start})", [list(p) for p in enumerate(a, start)]))
    return cases


def _sort_cases() -> list[tuple[str, object]]:
    strs = [[], ["b"], ["b", "a"], ["b", "a", "c", "a"], ASTRAL, ["\U0001f600", "\uffff"]]
    numbers = [[], [3], [2, 1], [3, 1.5, -2, 1.5, 0, 10]]
    cases = []
    for xs in strs:
        cases += [(f"$__sorted_str({L(xs)}, false)", sorted(xs)), (f"$__sorted_str({L(xs)}, true)", sorted(xs, reverse=True)),
                  (f"$__sorted({L(xs)}, function($x) {{ $__cpk($x) }}, true)", sorted(xs, reverse=True))]
    for xs in numbers:
        cases += [(f"$sort({L(xs)})", sorted(xs)), (f"$reverse($sort($reverse({L(xs)})))", sorted(xs, reverse=True))]
        if xs:
            cases += [(f"$min({L(xs)})", min(xs)), (f"$max({L(xs)})", max(xs))]
    records = [{"n": 2, "id": "a"}, {"n": 1, "id": "b"}, {"n": 2, "id": "c"}]
    cases.append((f"$__sorted({L(records)}, function($x) {{ $x.n }}, true)",
                  sorted(records, key=lambda r: r["n"], reverse=True)))
    cases.append((f"$__sorted({L(records)}, function($x) {{ $x.n }}, false)", sorted(records, key=lambda r: r["n"])))
    return cases


def _split_cases() -> list[tuple[str, object]]:
    """str.split/rsplit with a maximum: the parts are strs, kept apart by JSONata's $filter."""
    texts = ["", "a", "a,b", ",", "a,,b,c", " a  b c ", "\U0001f600,x ,", "  x", "\u3000y\u2000 z \n", "  a\tb  c  "]
    maxima = [-1, 0, 1, 2, 5]
    forms = [("$__split_sep({}, ',', {})", lambda t, m: t.split(",", m)),
             ("$__split_ws({}, {})", lambda t, m: t.split(None, m)),
             ("$__rsplit_sep({}, ',', {})", lambda t, m: t.rsplit(",", m)),
             ("$__rsplit_ws({}, {})", lambda t, m: t.rsplit(None, m))]
    return [("[" + ", ".join("[" + form.format(L(t), m) + "]" for m in maxima) + "]", [python(t, m) for m in maxima])
            for t in texts for form, python in forms]


# comprehensions whose items (or elements) are never lists: JSONata's own $map and $filter,
# made a list by an array constructor (none or one result included)
COMPREHENSIONS = [
    ("[$map([], function($x) { $x })]", []), ("[$map(['a'], function($x) { $x & '!' })]", ["a!"]),
    ("[$map([1, 2], function($x) { {'v': $x} })]", [{"v": 1}, {"v": 2}]),
    ("[$map([1], function($x) { null })]", [None]), ("[$map([1, 2], function($x) { null })]", [None, None]),
    ("[$filter([{'a': 1}, {'a': 2}], function($x) { $x.a = 2 })]", [{"a": 2}]),
    ("[$filter(['a'], function($x) { false })]", []), ("[$filter(['a', 'b'], function($x) { true })]", ["a", "b"]),
    ("$merge([$map([], function($k) { {$k: 1} })])", {}), ("$merge([$map(['k'], function($k) { {$k: [1]} })])", {"k": [1]}),
    ("$merge([$map(['k', 'j', 'k'], function($k) { {$k: [$k]} })])", {"k": ["k"], "j": ["j"]}),
]
CASES = _slice_cases() + _zip_cases() + _sort_cases() + _split_cases() + COMPREHENSIONS


@pytest.mark.parametrize(("code", "expected"), CASES, ids=[c[:80] for c, _ in CASES])
def test_forms_in_emulator(code, expected):
    assert emulate(with_helpers(code)) == ("ok", expected)


@pytest.mark.skipif(not js_available(), reason="set PYSFN_JSONATA_JS to a jsonata 2.0.6 package")
def test_forms_in_jsonata_js():
    results = javascript([(with_helpers(code), {}) for code, _ in CASES])
    wrong = [(code, expected, got) for (code, expected), got in zip(CASES, results, strict=True)
             if got != ("ok", expected)]
    assert wrong == []


TYPED = """
from typing import TypedDict

class Row(TypedDict):
    id: str
    score: int

@sfn.workflow
def main(rows: list[Row], words: list[str], ns: list[int], nested: list[list[int]], counts: dict[str, int]):
    return {
        "pairs": [f"{a['id']}>{b['id']}" for a, b in zip(rows, rows[1:]) if a["score"] > b["score"]],
        "ends": list(zip(rows[:-1], rows[-2:])), "past": rows[5:], "before": rows[-9:1],
        "words": list(zip(words, words[1:])), "indexed": list(enumerate(words, 1)),
        "nested": list(zip(nested, nested[1:])), "nested_indexed": list(enumerate(nested)),
        "keys": sorted(counts), "keys_down": sorted(counts, reverse=True),
        "by_count": sorted(counts, key=lambda k: counts[k], reverse=True),
        "up": sorted(ns), "down": sorted(ns, reverse=True), "words_up": sorted(words),
        "low": min(ns, default=None), "high": max(ns, default=None), "two": max(ns[0] if ns else 0, 3),
        "best": max(rows, key=lambda r: r["score"])["id"] if rows else None,
        "first": min(rows, key=lambda r: r["id"])["id"] if rows else None,
        "ranked": [r["id"] for r in sorted(rows, key=lambda r: r["score"], reverse=True)],
        "text": [w[1:] + w[:-1] + w[-2:9] for w in words],
    }
"""


def _rows(n: int) -> list:
    return [{"id": f"r{i}", "score": (i * 7) % 4} for i in range(n)]


def test_typed_zip_enumerate_slices_sorts_and_min_max_both_ways():
    inputs = []
    for n in (0, 1, 2, 3, 9):
        words = [ASTRAL[(i * 5) % len(ASTRAL)] + "x" for i in range(n)]
        inputs.append({"rows": _rows(n), "words": words, "ns": [(i * 7) % 5 - 2 for i in range(n)],
                       "nested": [[i, i] for i in range(n)] + ([[]] if n else []),
                       "counts": {w: i % 3 for i, w in enumerate(words)}})
    results = assert_same(TYPED, *inputs)
    assert results[1]["output"]["pairs"] == [] and results[1]["output"]["nested"] == [[[0, 0], []]]
    assert results[3]["output"]["pairs"] == ["r1>r2"]


def test_the_smaller_forms_are_the_ones_compiled():
    texts = [text for _, text in definition_strings(compile_text(TYPED).definition)]
    code = "".join(texts)
    for form in ("$zip($rows, $__slice1_list($rows, 1, null))", "$__sorted_str($__keys($counts), false)",
                 "$sort($ns)", "$reverse($sort($reverse($ns)))", "$min($ns)", "$max([",
                 "$__enumerate($words, 1)"):
        assert form in code, form
    for gone in ("$__zip", "$__bounds1", "$__sorted_plain", "$__minmax"):
        assert gone not in code, gone
    # a number key compares without $__cpk; a str key with it
    assert re.search(r'\$__kx := function\(\$__c(\d+)\) \{ \$__c\1\.score \}', code)
    assert re.search(r'\$__kx := \$__cpk\(function\(\$__c(\d+)\) \{ \$__c\1\.id \}', code)


def test_split_with_no_separator_and_no_splits_strips_the_leading_whitespace():
    """Regression: "  x".split(None, 0) is ['x'] (the machine kept '  x')."""
    source = """
        @sfn.workflow
        def main(s: str, m: int):
            return [s.split(None, m), s.split(maxsplit=m), s.split(",", m), s.rsplit(",", m)]
    """
    assert_same(source, *({"s": s, "m": m} for s in ("  x", " a  b ", "   ", "", "a, b ,c")
                          for m in (-1, 0, 1, 3)))


COMPREHENDED = """
from typing import TypedDict

class Row(TypedDict):
    id: str
    tags: list[str]

@sfn.workflow
def main(rows: list[Row], words: list[str], counts: dict[str, int]):
    return {
        "ids": [r["id"] for r in rows], "tagged": [r for r in rows if r["tags"]],
        "tags": [r["tags"] for r in rows], "long": [w + "!" for w in words if len(w) > 1],
        "flat": [t for r in rows for t in r["tags"] if t], "nested": [[w, w] for w in words],
        "index": {r["id"]: r["tags"] for r in rows}, "none": [None for w in words],
        "counted": {w: counts[w] for w in sorted(counts) if counts[w] > 0},
        "letters": [c for w in words for c in w], "keys": [k for k in counts if k],
    }
"""


def test_comprehensions_of_items_that_are_never_lists_both_ways():
    inputs = []
    for n in (0, 1, 2, 5):
        rows = [{"id": f"r{i}", "tags": [f"t{j}" for j in range(i % 3)]} for i in range(n)]
        words = [("w" * (i % 3)) + ASTRAL[i] for i in range(n)]
        inputs.append({"rows": rows, "words": words, "counts": {w: i % 2 for i, w in enumerate(words)}})
    results = assert_same(COMPREHENDED, *inputs)
    assert results[1]["output"]["tags"] == [[]] and results[1]["output"]["nested"] == [["\U0001f600"] * 2]
    code = "".join(text for _, text in definition_strings(compile_text(COMPREHENDED).definition))
    assert "[$map($rows, function($__c1) { $__c1.id })]" in code
    assert "$__map($rows" in code  # the tags are lists: each is wrapped


ANY_ALL_DICT = """
@sfn.workflow
def main(ps: list[list[str]], xs: list, words: list[str], d: dict):
    return [dict(ps), dict(zip(words, words)), any(xs), all(xs), any(w for w in words if w),
            all(len(w) > 1 for w in words), any(x for x in xs if x != 0), all(x for x in xs if x),
            any(k for k in d), all(d[k] for k in d), any(x == [] for x in xs if x != 0)]
"""


def test_any_all_and_dict_of_pairs_both_ways():
    """$exists($filter(...)): an item that is an empty list, null or false still counts as found."""
    inputs = [{"ps": p, "xs": x, "words": w, "d": d}
              for p in ([], [["a", "b"]], [["a", "b"], ["c", "d"], ["a", "e"]])
              for x in ([], [[]], [0], [[], 0], [[0], 1], [None], [None, []])
              for w in ([], ["a"], ["ab", "c"]) for d in ({}, {"a": []}, {"a": [1], "b": 0})]
    assert_same(ANY_ALL_DICT, *inputs)
    code = "".join(text for _, text in definition_strings(compile_text(ANY_ALL_DICT).definition))
    assert "$__filter" in code and "$exists($filter($xs, " in code


def test_dict_of_pairs_of_the_wrong_length_says_which_as_python_does():
    """Regression: the machine's ValueError said 'dictionary update sequence element has the wrong
    length', Python's names the element and its length."""
    source = """
        @sfn.workflow
        def main(ps: list[list[str]]):
            return dict(ps)
    """
    results = assert_same(source, {"ps": [["a"]]}, {"ps": [["a", "b"], ["a", "b", "c"], []]},
                          {"ps": [["a", "b"], []]}, {"ps": []}, {"ps": [["a", "b"]]})
    assert results[1]["cause"] == "dictionary update sequence element #1 has length 3; 2 is required"


def test_dict_of_pairs_whose_keys_are_ints_or_floats():
    """Regression: dict(zip(ints, strs)) compiled to a machine that failed (T1003) where Python
    returned a dict with int keys; int keys are held as the machine holds them (its output as
    JSON writes them), float keys refused."""
    results = assert_same("""
        @sfn.workflow
        def main(a: list[int], b: list[str]):
            d = dict(zip(a, b))
            return [d, sorted(d), d.get(a[0]) if a else None]
    """, {"a": [3, 1], "b": ["x", "y"]}, {"a": [], "b": []})
    assert results[0]["output"] == [{"3": "x", "1": "y"}, [1, 3], "x"]
    message = refusal("""
        @sfn.workflow
        def main(a: list[float], b: list[str]):
            return dict(zip(a, b))
    """)
    assert "dict keys must be strs or ints here" in message


def test_any_with_an_if_over_items_that_may_be_lists_alone_in_its_field():
    """The $__filter of the if is defined in the field (T1006 when nothing else there used it)."""
    source = """
        @sfn.workflow
        def main(xs: list):
            return any(x for x in xs if x)
    """
    assert_same(source, {"xs": [0, [], [1]]}, {"xs": [[0]]}, {"xs": []}, {"xs": [0, 0]})


# -- forms that need no helper where the bounds, widths or divisor are literals ---------------
def test_str_slices_with_literal_bounds_from_the_start_are_substring():
    source = """
@sfn.workflow
def main(s: str):
    return [s[:3], s[1:], s[2:5], s[0:0], s[4:2], s[:0], s[3:], s[10:], s[:-1], s[-2:]]
"""
    for s in ASTRAL + ["abcdef", "a\U0001f600bcd\u00e9"]:
        assert_same(source, {"s": s})
    text = json.dumps(compile_text(source).definition)
    assert text.count("$__slice1_str(") == 2  # only the negative bounds need the length


def test_int_modulo_by_a_positive_literal_and_padding_to_a_literal_width():
    source = """
@sfn.workflow
def main(xs: list[int], s: str):
    out = [f"{x:02d}|{x:05d}|{x:+04d}|{x: 03d}|{x:1d}|{x:<4}|{x:>4}|{x:x>3}|{x % 7}|{-x % 3}|{x % 1}" for x in xs]
    return out + [s.ljust(4, "*") + s.rjust(3) + s.ljust(0) + f"{s:<3}|{s:>5}"]
"""
    assert_same(source, {"xs": [0, 5, -5, 12345, -123456, 7, 2**53 - 1, -(2**53) + 1], "s": "\U0001f600b"},
                {"xs": [], "s": "long text"})
    text = json.dumps(compile_text(source).definition)
    assert "$__imod" not in text and "$__ljust" not in text and "$__rjust" not in text


def test_a_width_known_only_at_run_time_keeps_the_helper():
    """`s.ljust(n)` with n < 0 leaves s as it is; $pad with a negative width pads on the left."""
    source = """
@sfn.workflow
def main(s: str, n: int):
    return [s.ljust(n, "-"), s.rjust(n, "-")]
"""
    assert assert_same(source, {"s": "ab", "n": -4}, {"s": "ab", "n": 4})[0]["output"] == ["ab", "ab"]
