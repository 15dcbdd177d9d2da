"""The JSONata helpers the compiler emits, checked in the emulator and (with PYSFN_JSONATA_JS
set, see oracle.py) in jsonata-js, against values CPython computes."""

from __future__ import annotations

import math
import random
import unicodedata

import pytest

from pysfn_compile.graph import jsonata_lib
from pysfn_compile.graph.jsonata_lib import literal as L

from .helpers import assert_same
from .oracle import emulate, javascript, js_available, with_helpers

CASES = [
    ("$__wrap([1])", [[1]]), ("$__wrap(1)", [1]), ("$__wrap([[1]])", [[[1]]]), ("$__wrap([])", [[]]),
    ("$__truthy([0])", True), ("$__truthy([])", False), ("$__truthy({})", False),
    ("$__truthy(0.0)", False), ("$__truthy('0')", True), ("$__truthy(null)", False),
    ("$__pytype(3)", "int"), ("$__pytype(3.5)", "float"), ("$__pytype([])", "list"),
    ("$__istr(1234567890123456)", "1234567890123456"),
    ("$__istr(-9007199254740992)", "-9007199254740992"),
    ("$__istr(1000000000000000)", "1000000000000000"), ("$__istr(-5)", "-5"),
    ("$__imod(-7, 2)", -7 % 2), ("$__imod(7, -2)", 7 % -2), ("$__imod(-7, -2)", -7 % -2),
    ("$__imod(6, -3)", 6 % -3),
    ("$__ffloordiv(1, 0.1)", 1 // 0.1), ("$__ffloordiv(-7.5, 2)", -7.5 // 2),
    ("$__ipow(3, 5)", 3**5), ("$__ipow(2, 52)", 2**52),
    ("$__repr_str(" + L("it's") + ")", repr("it's")),
    ("$__repr_str(" + L("a\nb\\") + ")", repr("a\nb\\")),
    ("$__repr_str(" + L("x\x01\x85\xa0\xad\x7f") + ")", repr("x\x01\x85\xa0\xad\x7f")),
    ("$__repr_str(" + L("\"'") + ")", repr("\"'")),
    ("$__repr_str(" + L("é\t") + ")", repr("é\t")),
    ("$__slice_list([1,2,3,4,5], 1, null, 2)", [1, 2, 3, 4, 5][1::2]),
    ("$__slice_list([1,2,3], null, null, -1)", [3, 2, 1]),
    ("$__slice_list([[1],[2]], 0, 1, 1)", [[1]]),
    ("$__slice_list([1,2,3], -2, null, 1)", [2, 3]), ("$__slice_list([1,2,3], 5, 1, 1)", []),
    # one item, a list of lists, reversed: kept as lists (the helper walks the list once)
    ("$__slice_list([[1, 2]], null, null, -1)", [[1, 2]]), ("$__slice_list([[1,2],[3]], null, null, -1)", [[3], [1, 2]]),
    ("$__slice_list([5], 0, 1, 2)", [5]), ("$__slice_list([1,2,3,4,5], -1, 0, -2)", [5, 3]),
    ("$__slice_list([], null, null, -1)", []), ("$__slice_list([[7]], null, null, 2)", [[7]]),
    ("$__slice_str('hello', 1, -1, 1)", "hello"[1:-1]),
    ("$__slice1_list([[1],[2]], 0, 1)", [[1]]), ("$__slice1_list([1,2,3], -2, null)", [2, 3]),
    ("$__slice1_list([1,2,3], 5, 1)", []), ("$__slice1_list([], null, null)", []),
    ("$__slice1_list([1,2,3], null, -1)", [1, 2]), ("$__slice1_list([[1,2]], null, null)", [[1, 2]]),
    ("$__slice1_list([1,2,3], -9, 9)", [1, 2, 3]), ("$__slice1_str('hello', -3, null)", "llo"),
    ("$__slice1_str('hello', 4, 2)", ""), ("$__slice1_str('hello', null, -9)", ""),
    ("$__slice_str('hello', null, null, -1)", "olleh"),
    ("$__slice_str('hello', null, null, 2)", "hello"[::2]),
    ("$__map([[1]], function($v){$v})", [[1]]), ("$__map([], function($v){$v})", []),
    ("$__filter([[1],[2]], function($v){$v[0] = 1})", [[1]]),
    ("$__keys({'a':1})", ["a"]), ("$__keys({})", []), ("$__values({'a':[1]})", [[1]]),
    ("$__items({'a':[1], 'b': 2})", [["a", [1]], ["b", 2]]),
    ("$__setkey({'a':1}, 'b', [2])", {"a": 1, "b": [2]}), ("$__delkey({'a':1}, 'a')", {}),
    ("$__insert([1,2], 0, [0])", [[0], 1, 2]), ("$__insert([1,2], -1, 9)", [1, 9, 2]),
    ("$__insert([], 5, 9)", [9]),
    ("$__setitem([1,2], 1, [5])", [1, [5]]), ("$__delitem([1,2], 0)", [2]),
    # (a native $filter: its sequence of one item is the item, a list item as its items)
    ("$__delitem([[1,2],[3]], 1)", [[1, 2]]), ("$__delitem([[1,2],[3]], 0)", [[3]]), ("$__delitem([[1]], 0)", []),
    ("$__delitem([[],[]], 0)", [[]]), ("$__delitem([null,1], 1)", [None]), ("$__delitem([[[1]],[2]], 1)", [[[1]]]),
    ("$__delitem([[1,2],[3],[4]], 1)", [[1, 2], [4]]), ("$__delitem([{'a':1},{'b':2},[]], 0)", [{"b": 2}, []]),
    ("$__pyeq(true, 1)", True), ("$__pyeq([true, {'a': 0}], [1, {'a': false}])", True),
    ("$__pyeq({'a':1}, {'b':1})", False), ("$__pyeq([1], [1, 2])", False),
    ("$__contains([1,[2]], [2])", True), ("$__list_index(['a','b'], 'b')", 1),
    ("$__list_count([1,1,2], 1)", 2),
    ("$__range(0, 5, 2)", list(range(0, 5, 2))), ("$__range(5, 0, -2)", list(range(5, 0, -2))),
    ("$__range(0, 0, 1)", []),
    ("$__find('hello', 'l')", 2), ("$__find('hello', 'z')", -1), ("$__rfind('hello', 'l')", 3),
    ("$__rfind('hello', '')", 5),
    ("$__count_str('banana', 'an')", 2), ("$__count_str('ab', '')", 3),
    ("$__replace('abc', '', '-', -1)", "abc".replace("", "-")),
    ("$__replace('abc', '', '-', 2)", "abc".replace("", "-", 2)),
    ("$__replace('aaa', 'a', 'b', 2)", "bba"), ("$__replace('a.b', '.', '$0', -1)", "a$0b"),
    ("$__strip_chars('xxhixx', 'x', true, true)", "hi"),
    ("$__strip_chars('xxx', 'x', true, true)", ""),
    ("$__strip_chars('xhix', 'x', false, true)", "xhi"),
    ("$__title(" + L("they're bill's 2nd") + ")", "they're bill's 2nd".title()),
    ("$__ljust('ab', 5, '*')", "ab".ljust(5, "*")), ("$__rjust('ab', 5, '0')", "000ab"),
    ("$__center('ab', 5, '*')", "ab".center(5, "*")),
    ("$__center('abc', 6, '*')", "abc".center(6, "*")),
    ("$__group('1234567', ',')", "1,234,567"), ("$__group('123', ',')", "123"),
    ("$__group('123456', '_')", "123_456"),
    ("$__split_ws('  a b\\t c  ', -1)", "  a b\t c  ".split()),
    ("$__split_ws('  a b  c  ', 1)", "  a b  c  ".split(None, 1)),
    ("$__split_ws('', -1)", []), ("$__split_ws('abc', -1)", ["abc"]),
    ("$__split_sep('a,b,c', ',', 1)", "a,b,c".split(",", 1)), ("$__split_sep('a', ',', -1)", ["a"]),
    ("$__strip_ws('  a b  ', true, true)", "a b"), ("$__strip_ws('  a ', false, true)", "  a"),
    ("$__minmax(['b','a','c'], true)", "a"), ("$__minmax([3,1,2], false)", 3),
    ("$zip([1,2],[[3],[4],[5]])", [[1, [3]], [2, [4]]]), ("$__enumerate(['a'], 1)", [[1, "a"]]),
    ("$__sorted([3,1,2], function($x){$x}, false)", [1, 2, 3]),
    ("$__sorted([[2,'a'],[1,'b'],[2,'c']], function($x){$x[0]}, true)",
     sorted([[2, "a"], [1, "b"], [2, "c"]], key=lambda x: x[0], reverse=True)),
    ("$__rsplit_sep('a,b,c', ',', 1)", "a,b,c".rsplit(",", 1)),
    ("$__rsplit_sep('a,b,c', ',', 0)", "a,b,c".rsplit(",", 0)),
    ("$__rsplit_sep('a,b,c', ',', 5)", "a,b,c".rsplit(",", 5)),
    ("$__rsplit_sep('a::b::c::', '::', 2)", "a::b::c::".rsplit("::", 2)),
    ("$__rsplit_sep('', ',', 1)", "".rsplit(",", 1)),
    ("$__sorted_seq([[2,'b'],[1,'z'],[2,'a'],[1,'z',0]], function($x){$x}, false)",
     sorted([[2, "b"], [1, "z"], [2, "a"], [1, "z", 0]])),
    ("$__sorted_seq([[2,'b'],[1,'z'],[2,'a']], function($x){$x}, true)",
     sorted([[2, "b"], [1, "z"], [2, "a"]], reverse=True)),
    # the key computed once per item, beside it: items that are lists stay whole, equal keys
    # keep their order (reverse too, as Python's sort), a key's first differing item decides
    ("$__sorted([[1,2],[0,3]], function($x){$x[0]}, false)", [[0, 3], [1, 2]]),
    ("$__sorted_seq([[1,[9]],[0,[8]],[1,[7]]], function($x){[$x[0]]}, false)",
     sorted([[1, [9]], [0, [8]], [1, [7]]], key=lambda x: (x[0],))),
    ("$__sorted_seq([{'a':1,'i':0},{'a':0,'i':1},{'a':1,'i':2},{'a':0,'i':3}], function($x){[$x.a]}, true)",
     sorted([{"a": 1, "i": 0}, {"a": 0, "i": 1}, {"a": 1, "i": 2}, {"a": 0, "i": 3}], key=lambda x: (x["a"],),
            reverse=True)),
    ("$__sorted_by([{'n':'b','v':1},{'n':'a','v':2},{'n':'b','v':0},{'n':'a','v':2,'x':1}],"
     " function($x){ {'v': $x, 'k0': $x.n, 'k1': $x.v} }, true)",
     sorted([{"n": "b", "v": 1}, {"n": "a", "v": 2}, {"n": "b", "v": 0}, {"n": "a", "v": 2, "x": 1}],
            key=lambda x: (x["n"], x["v"]), reverse=True)),
    # keys of different lengths (a prefix first), strings beyond U+FFFF in code point order,
    # reversed stably; and keys longer than six items (the comparison function)
    ("$__sorted_seq([[1,'b',0],[1],[0,'x'],[1,'b'],[1,'\ud83d\ude00'],[1,'\uffff'],[1]], function($x){$x}, true)",
     sorted([[1, "b", 0], [1], [0, "x"], [1, "b"], [1, "\U0001f600"], [1, "\uffff"], [1]], reverse=True)),
    ("$__sorted_seq([[1,1,1,1,1,1,2],[1,1,1,1,1,1,1],[0],[1,1,1,1,1,1]], function($x){$x}, false)",
     sorted([[1, 1, 1, 1, 1, 1, 2], [1, 1, 1, 1, 1, 1, 1], [0], [1, 1, 1, 1, 1, 1]])),
    ("$__sorted_by([[2,[1]],[1,[2]]], function($x){ {'v': $x, 'k0': $x[0]} }, false)",
     [[1, [2]], [2, [1]]]),
    # six fields, ties broken by the last; a stable sort keeps equal keys in their order
    ("$__sorted_by([[1,1,1,1,1,2,'a'],[1,1,1,1,1,1,'b'],[0,9,9,9,9,9,'c'],[1,1,1,1,1,1,'d']], function($x){"
     " {'v': $x, 'k0': $x[0], 'k1': $x[1], 'k2': $x[2], 'k3': $x[3], 'k4': $x[4], 'k5': $x[5]} }, false)",
     sorted([[1, 1, 1, 1, 1, 2, "a"], [1, 1, 1, 1, 1, 1, "b"], [0, 9, 9, 9, 9, 9, "c"], [1, 1, 1, 1, 1, 1, "d"]],
            key=lambda x: x[:6])),
    ("[$__seqcmp([], [1]), $__seqcmp([1], []), $__seqcmp([], []), $__seqcmp([2, 'b'], [2, 'a']),"
     " $__seqcmp([1, 'z'], [1, 'z', 0]), $__seqcmp(['\ud83d\ude00'], ['\uffff'])]", [-1, 1, 0, 1, -1, 1]),
    ("$__seq_orderable([[1,'a'],[2,'b',3]])", True), ("$__seq_orderable([[1,'a'],['x','b']])", False),
    ("$__seq_orderable([[[1]]])", True), ("$__seq_orderable([[[1]],[[2]]])", False),
    ("$__seq_orderable([])", True), ("$__orderable([[1]])", True), ("$__orderable([1, 'a'])", False),
    ("$__exc_message(" + L('{"errorMessage":"boom","errorType":"X"}') + ")", "boom"),
    ("$__exc_message('plain')", "plain"), ("$__exc_message(null)", ""),
]


def _index(items: list, value) -> int:
    return items.index(value) if value in items else -1


# Python's == in `in`, list.index and list.count: the scalar fast path (JSONata's `in`, True for
# 1), the container fast path (JSONata's `=` where no boolean is in the JSON text) and the walk
# with pyeq (a boolean somewhere: [True] == [1]); a string "true" takes the walk, and is equal
_ITEMS = [1, True, "a", None, 2.5, [1], {"a": 1}, False, 0, "b", [True], [1, [2, {"k": [3]}]],
          {"a": [1, 2], "b": {"c": None}}, [], {}, ["true"]]
_PROBES = [*_ITEMS, 7, "zz", 1.0, [2], [1.0], [[1]], {"a": [1, 2.0], "b": {"c": None}},
           {"b": {"c": None}, "a": [True, 2]}, [1, [2, {"k": [3.0]}]], [1, [2, {"k": [True]}]], [None], [[]]]
CASES += [(f"[$__contains({L(_ITEMS)}, {L(v)}), $__list_index({L(_ITEMS)}, {L(v)}), $__list_count({L(_ITEMS)}, {L(v)}),"
           f" $__pyeq([{L(v)}, 1], [{L(v)}, true]), $__pyeq({L(v)}, {L([1, True])})]",
           [v in _ITEMS, _index(_ITEMS, v), _ITEMS.count(v), [v, 1] == [v, True], v == [1, True]]) for v in _PROBES]
CASES += [
    (f"[$__seqcmp({L(a)}, {L(b)}), $__seqcmp({L(b)}, {L(a)})]", [(a > b) - (a < b), (b > a) - (b < a)])
    for a, b in [([1, 2, 3], [1, 2, 4]), ([5], [5, 0]), ([], []), (["b", "a"], ["a", "z"]), ([2.5, 1], [2.5, 1])]]
CASES += [(f"$__strip_chars({L(text)}, {L(chars)}, {L(left)}, {L(right)})",
           text.strip(chars) if left and right else text.lstrip(chars) if left else text.rstrip(chars))
          for text, chars in [("xxabcxy", "xy"), ("xxx", "x"), ("", "x"), ("abc", ""), ("\U0001f600ab\U0001f600", "\U0001f600")]
          for left, right in [(True, True), (True, False), (False, True)]]


@pytest.mark.parametrize(("code", "expected"), CASES, ids=[c for c, _ in CASES])
def test_helper_in_emulator(code, expected):
    assert emulate(with_helpers(code)) == ("ok", expected)


@pytest.mark.skipif(not js_available(), reason="set PYSFN_JSONATA_JS to a jsonata 2.0.6 package")
def test_helpers_in_jsonata_js():
    results = javascript([(with_helpers(code), {}) for code, _ in CASES])
    wrong = [(code, expected, got) for (code, expected), got in zip(CASES, results, strict=True)
             if got != ("ok", expected)]
    assert wrong == []


def _doubles_needing_more_than_15_digits(count: int, seed: int) -> list[float]:
    """Non-integral doubles from 1e-4 to 2**53 whose 15 significant digits do not read back:
    sums and quotients of short decimals (0.1 + 0.2), uniform ones, and random mantissas."""
    draw = random.Random(seed)
    found: list[float] = []
    while len(found) < count:
        kind = draw.random()
        if kind < 0.4:
            x = sum(draw.choice([0.1, 0.2, 0.7, 1.1, 19.99, 2.675, 0.01]) for _ in range(draw.randint(2, 9))) \
                / draw.choice([1, 3, 7, 2])
        elif kind < 0.7:
            x = draw.uniform(1e-4, 1000)
        else:
            x = 2.0 ** draw.randint(-13, 52) * (1 + draw.getrandbits(52) / 2**52)
        x = -x if draw.random() < 0.5 else x
        if 1e-4 <= abs(x) < 2**53 and x != math.floor(x) and float(f"{x:.15g}") != x:
            found.append(x)
    return found


def test_frepr_writes_python_s_repr_of_floats_that_need_16_or_17_digits():
    """The 16 and 17 digit roundings of the exact value, the shorter that reads back: repr()
    (300 doubles in the emulator, 3,000 more in jsonata-js; 30,000 were checked by hand)."""
    values = _doubles_needing_more_than_15_digits(300, seed=17)
    code = with_helpers(f"$map({L(values)}, function($x) {{ $__frepr($x) }})")
    assert emulate(code) == ("ok", [repr(v) for v in values])
    if js_available():
        more = _doubles_needing_more_than_15_digits(3000, seed=18)
        code = with_helpers(f"$map({L(more)}, function($x) {{ $__frepr($x) }})")
        assert javascript([(code, {})])[0] == ("ok", [repr(v) for v in more])


def test_fexp_writes_python_s_exponent_form():
    """Doubles below 1e-4 or from 1e16 whose 15 digits read back, as repr() writes them."""
    draw = random.Random(5)
    values: list[float] = []
    while len(values) < 400:
        x = round(draw.uniform(1, 10), draw.randint(0, 5)) * 10.0 ** draw.choice(
            [-draw.randint(5, 300), draw.randint(16, 300)])
        x = -x if draw.random() < 0.5 else x
        if x and not math.isinf(x) and not 1e-4 <= abs(x) < 1e16 and float(f"{x:.15g}") == x:
            values.append(x)
    code = with_helpers(f"$map({L(values)}, function($x) {{ $__fexp($x) }})")
    results = [emulate(code)] + ([javascript([(code, {})])[0]] if js_available() else [])
    assert all(result == ("ok", [repr(v) for v in values]) for result in results)


LONG_COMPARISONS = """
def load(n, flag):
    if flag:
        return [[i % 7, i % 2 == 0] for i in range(n)]
    return list(range(n))


def ints(n):
    return list(range(n))


@sfn.workflow
def main(n, flag=False):
    a = load(n, flag)
    b = load(n, flag)
    x = ints(n)
    y = ints(n + 1)
    return [a == b, a != b[:-1], x < y, y > x, " ".join(["ab"] * n).strip("ab ") == ""]
"""


def test_comparisons_of_long_lists_walk_them_once():
    """`==` of lists of unknown type, `<` of lists and strip(chars) of a long text read the
    other list's item (the text's character) at each position with a filter, n * n in all: 3,000
    items stopped with States.QueryEvaluationError. Their items by position, or zipped."""
    results = assert_same(LONG_COMPARISONS, {"n": 3000}, {"n": 3000, "flag": True}, {"n": 0}, {"n": 1, "flag": True})
    assert [r["output"] for r in results[:2]] == [[True] * 5] * 2


def test_repr_str_escapes_what_python_escapes_up_to_u_ffff():
    """Every assigned character up to U+FFFF in one string each (surrogates aside): repr() as
    CPython writes it. Zero-width spaces, byte-order marks, U+2028 and private use were left
    raw before (a CSV's BOM printed in a ValueError's message; session 24's trials)."""
    chars = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn"]
    texts = ["".join(chars[i:i + 400]) for i in range(0, len(chars), 400)]
    code = with_helpers(f"$map({L(texts)}, function($x) {{ $__repr_str($x) }})")
    assert emulate(code) == ("ok", [repr(text) for text in texts])
    if js_available():
        assert javascript([(code, {})])[0] == ("ok", [repr(text) for text in texts])


def test_repr_str_escapes_the_characters_of_planes_4_to_16():
    """Tags (a flag emoji's, U+E0067...), the private use planes and the unassigned planes: Python
    escapes them (\\U000e0067; a new-user trial printed a flag's tags raw); the variation
    selectors U+E0100-E01EF between them are printable. One of each range's ends, and a
    surrogate pair as jsonata-js sees it."""
    texts = ["\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", "\U000e0000\U000e0001",
             "\U000e00ff\U000e0100\U000e01ef\U000e01f0", "\U000effff\U000f0000", "\U0010ffff", "\U00040000\U000dffff",
             "a\U0001f600\u200b'\\"]
    assert all(repr(text).count("\\U") == sum(1 for c in text if ord(c) > 0xFFFF and not c.isprintable())
               for text in texts)
    code = with_helpers(f"$map({L(texts)}, function($x) {{ $__repr_str($x) }})")
    assert emulate(code) == ("ok", [repr(text) for text in texts])
    if js_available():
        assert javascript([(code, {})])[0] == ("ok", [repr(text) for text in texts])


def test_a_field_defines_every_helper_its_text_calls():
    # a part that forgot to declare a helper (an exception's __init__ message read `needed`
    # bound to `limit - v` without its helpers) called an undefined function at run time:
    # T1006; the text says which helpers a field calls, no declared set decides
    text = jsonata_lib.render("$__unprintable(($__num($a) - $__num($b)))")
    assert "$__num := function" in text and "$__unprintable := function" in text and "$__keys := function" in text
    # names the text binds itself are no helpers to define
    assert jsonata_lib.render("($__keys := 1; $__keys + 1)") == "{% ($__keys := 1; $__keys + 1) %}"
    assert "$__wrap :=" not in jsonata_lib.render("$map($x, function($__wrap) { $__wrap })")


def test_an_exception_whose_init_formats_a_computed_argument():
    assert_same("""
        class Short(Exception):
            def __init__(self, needed):
                super().__init__(f"needs {needed} more")

        def get(x):
            return x

        @sfn.workflow
        def main(x, limit=0):
            v = get(x)
            if v < limit:
                raise Short(limit - v)
            return v
    """, {"x": -5}, {"x": 5}, {"x": -2.5}, {"x": 1, "limit": 3})
