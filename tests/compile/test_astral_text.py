"""Text with characters beyond U+FFFF (emoji): jsonata-js, AWS's JSONata, splits a string into
UTF-16 code units with `$split(s, '')`, so the compiled code takes a str's characters with
`$__chars` (whole code points in both engines). Workflows run both ways; the helpers also in
jsonata-js when PYSFN_JSONATA_JS is set (see oracle.py)."""

from __future__ import annotations

import pytest

from pysfn_compile.graph.jsonata_lib import literal, prelude

from .helpers import assert_same
from .oracle import emulate, javascript, js_available

TEXTS = ["", "a", "\U0001f600", "a\U0001f600b", "\U0001f600\U0001f601x\U0001f44d\U0001f3fd", "plain text",
         "\ufffe\U0001f600\ue000", " \U0001f600 "]


def _helper_results(code: str) -> list:
    results = [emulate(code)]
    if js_available():
        results.append(javascript([(code, {})])[0])
    return results


@pytest.mark.parametrize(("helper", "call", "python"), [
    ("chars", "$__chars($x)", list),
    ("iter", "$__iter($x)", list),
    ("slice_str", "$__slice_str($x, null, null, -1)", lambda s: s[::-1]),
    ("slice_str", "$__slice_str($x, 1, null, 2)", lambda s: s[1::2]),
    ("replace", "$__replace($x, '', '-', -1)", lambda s: s.replace("", "-")),
    ("replace", "$__replace($x, '', '-', 2)", lambda s: s.replace("", "-", 2)),
    ("strip_chars", "$__strip_chars($x, ' \U0001f600', true, true)", lambda s: s.strip(" \U0001f600")),
    ("strip_chars", "$__strip_chars($x, '\U0001f601x', false, true)", lambda s: s.rstrip("\U0001f601x")),
])
def test_helpers_take_whole_characters_in_both_engines(helper, call, python):
    code = "(" + prelude([helper]) + f" [$map({literal(TEXTS)}, function($x) {{ [{call}] }})])"
    expected = [list(python(text)) if isinstance(python(text), list) else [python(text)] for text in TEXTS]
    for result in _helper_results(code):
        assert result == ("ok", expected)


def test_iterating_and_listing_a_str_with_emoji():
    source = """
        @sfn.workflow
        def main(s: str):
            out = []
            for ch in s:
                out.append(ch)
            return {"loop": out, "list": list(s), "comp": [c + "." for c in s], "n": len(s),
                    "rev": list(reversed(s)), "srt": sorted(s)}
    """
    assert_same(source, *({"s": text} for text in TEXTS))


def test_slicing_stripping_and_replacing_with_emoji():
    source = """
        @sfn.workflow
        def main(s: str):
            return [s[::-1], s[::2], s[1::3], s.strip(" \U0001f600"), s.lstrip("\U0001f600a"),
                    s.replace("", "|"), s.replace("", "|", 2), s.find("b"), s.count("\U0001f600")]
    """
    assert_same(source, *({"s": text} for text in TEXTS))


ORDERED = ["\ue000", "\U0001f600", "\uffff", "a", "\ud7ff", "\ud7ff\ue000", "\ud7ff\U0001f600", "\ud7ffz", "",
           "\U00010000", "\ufb01x", "\U0001f600\ue000", "\U0001f600\U0001f600"]


def test_str_ordering_is_by_code_point_in_both_engines():
    """jsonata-js compares strings by UTF-16 code units: U+E000-U+FFFF would sort after emoji."""
    pairs = [[a, b] for a in ORDERED for b in ORDERED]
    code = ("(" + prelude(["cpk", "sorted", "minmax", "seqcmp"])
            + f" [[$map({literal(pairs)}, function($p) {{ $__cpk($p[0]) < $__cpk($p[1]) }})],"
            f" [$__sorted({literal(ORDERED)}, function($x) {{ $__cpk($x) }}, false)],"
            f" [$__minmax({literal(ORDERED)}, true)], [$__minmax({literal(ORDERED)}, false)],"
            f" [$__seqcmp([{literal(ORDERED[0])}], [{literal(ORDERED[1])}])]])")
    expected = [[a < b for a, b in pairs], sorted(ORDERED), [min(ORDERED)], [max(ORDERED)], [-1]]
    for result in _helper_results(code):
        assert result == ("ok", expected)


def test_comparing_sorting_and_min_max_of_str_with_emoji():
    source = """
        @sfn.workflow
        def main(xs: list[str], a: str, b: str, anything):
            return [a < b, a >= b, a < "m", "\\ue000" < a, sorted(xs), sorted(xs, reverse=True),
                    sorted(xs, key=lambda x: x[::-1]), min(xs), max(xs), min(a, b), max(xs, key=len),
                    sorted([(x, x) for x in xs]), (a, b) < (b, a), anything < a, a > anything]
    """
    inputs = [{"xs": ORDERED[:-4], "a": a, "b": b, "anything": c}
              for a, b, c in [("\uffff", "\U0001f600", "\ue000"), ("\U0001f600", "\uffff", "\U0001f601"),
                              ("x", "y", "z"), ("\ud7ff", "\ud7ff\ue000", "\U00010000")]]
    assert_same(source, *inputs)
