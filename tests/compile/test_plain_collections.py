"""defaultdict and Counter as plain dicts (analysis/plain_collections.py): every program runs
both ways (plain Python and the emulated machine) and agrees, including what only these types
do (a defaultdict's read inserts the default; a Counter's does not; most_common's order of
equal counts); a use a dict would not do alike is refused, naming it."""

from __future__ import annotations

import pytest

from .helpers import assert_same, refusal

HEADER = "from collections import Counter, defaultdict\n"


def test_group_by_with_a_defaultdict_of_lists():
    results = assert_same(HEADER + """
def load(n):
    return [{"user": "u%d" % (k % 3), "cents": k * 10} for k in range(n)]

@sfn.workflow
def main(n, probe="zz"):
    by_user = defaultdict(list)
    for e in load(n):
        by_user[e["user"]].append(e["cents"])
    totals = {u: sum(v) for u, v in by_user.items()}
    seen = probe in by_user
    empty = by_user[probe]          # a read of a missing key inserts it (an empty list)
    return {"totals": totals, "seen": seen, "empty": empty, "n": len(by_user), "keys": sorted(by_user)}
""", {"n": 7}, {"n": 0}, {"n": 4, "probe": "u1"})
    assert results[0]["output"]["n"] == 4 and results[0]["output"]["keys"][-1] == "zz"


def test_counting_with_a_defaultdict_of_ints_and_a_lambda_default():
    assert_same(HEADER + """
@sfn.workflow
def main(words):
    counts = defaultdict(int)
    pairs = defaultdict(lambda: [0, 0])
    for w in words:
        counts[w] += 1
        pairs[w[0]][0] += 1
        pairs[w[0]][1] += len(w)
    first = counts["nothing"]           # inserts 0
    top = max(counts, key=counts.get) if counts else None
    return {"counts": counts, "pairs": pairs, "first": first, "top": top}
""", {"words": ["a", "bb", "a", "cc", "bb", "a"]}, {"words": []})


def test_a_counter_reads_zero_inserts_nothing_and_orders_ties_as_counted():
    results = assert_same(HEADER + """
@sfn.workflow
def main(words, n=2):
    c = Counter()
    for w in words:
        c[w] += 1
    missing = c["nothing"]              # 0, and not inserted
    del c["absent"]                     # a Counter ignores a missing key
    letters = Counter("".join(words))
    copied = Counter({"x": 2, "y": 5})
    return {"top": c.most_common(n), "all": c.most_common(), "missing": missing, "n": len(c),
            "letters": letters.most_common(3), "copied": copied.most_common(1), "has": "a" in c}
""", {"words": ["b", "a", "c", "a", "b", "d"]}, {"words": [], "n": 1}, {"words": ["z", "y"], "n": 5})
    assert results[0]["output"]["top"] == [["b", 2], ["a", 2]]  # equal counts: first counted first
    assert results[0]["output"]["n"] == 4


@pytest.mark.parametrize("use, named", [
    ("text = str(d)", "str(d)"),
    ("other = d", "other = d"),
    ("twin = d.copy()", ".copy"),
    ("d[xs.pop()] += 1", "computed key"),
    ("f = lambda: d['a']", "lambda"),
    ("other = d or {}", "d or {}"),
    ("d = defaultdict(list)", "different defaults"),
])
def test_a_use_a_dict_would_not_do_alike_is_refused_naming_it(use, named):
    text = refusal(HEADER + f"""
@sfn.workflow
def main(xs):
    d = defaultdict(int)
    for x in xs:
        d[x] += 1
    {use}
    return 1
""")
    assert "collections.defaultdict" in text and "not with this use" in text and named in text, text


def test_a_counter_of_a_value_only_the_run_knows_counts_items_or_copies_a_mapping():
    """`Counter(x)`: a dict's counts are copied, any other iterable's items counted."""
    assert_same(HEADER + """
@sfn.workflow
def main(x):
    c = Counter(x)
    c["extra"] += 2
    return {"top": c.most_common(2), "n": len(c)}
""", {"x": ["a", "b", "a"]}, {"x": {"q": 3, "r": 1}}, {"x": "hello"}, {"x": []})


def test_a_counts_item_changed_in_place_is_refused():
    text = refusal(HEADER + """
@sfn.workflow
def main(xs):
    c = Counter()
    for x in xs:
        c[x][0] += 1
    return c
""")
    assert "not with this use: line" in text and "a count's item" in text


def test_a_defaultdict_read_that_would_insert_where_nothing_may_change_says_so():
    # `where[sku]` inserts a missing key: inside a comprehension that is a change the machine's
    # copy would lose, and the message says the read is what changes it
    text = refusal(HEADER + """
@sfn.workflow
def main(stock):
    where = defaultdict(list)
    for sku, qty in stock.items():
        if qty:
            where[sku].append(qty)
    missing = [sku for sku in stock if not where[sku]]
    return {"where": where, "missing": missing}
""")
    assert ":10:" in text and "reading where[...] adds the key when it is missing (where is a defaultdict)" in text, text
    assert "hint: read it with where.get(key), which adds nothing" in text, text


def test_a_counter_of_a_typed_list_or_str_counts_its_items():
    assert_same(HEADER + """
@sfn.workflow
def main(words: list[str], text: str):
    by_word = Counter(words)
    letters = Counter(text)
    return {"words": by_word.most_common(), "letters": letters.most_common(2)}
""", {"words": ["a", "b", "a"], "text": "hello"}, {"words": [], "text": ""})


def test_a_counts_augmented_assignment_fails_as_pythons_does():
    """Found by the differential fuzzer (seed 1306): `c[k] += "x"` is Python's TypeError for
    `+=` (it was written `c[k] = c.get(k, 0) + v`: the message said `+`), and adds no key."""
    results = assert_same(HEADER + """
@sfn.workflow
def main(v, k="a"):
    c = Counter()
    try:
        c[k] += v
    except TypeError as e:
        return [str(e), len(c)]
    return [c[k], len(c)]
""", {"v": "x"}, {"v": 3})
    assert results[0]["output"] == ["unsupported operand type(s) for +=: 'int' and 'str'", 0]


def test_a_counter_read_in_a_key_function():
    assert_same(HEADER + """
@sfn.workflow
def main(words):
    c = Counter(words)
    return sorted(c, key=lambda w: (-c[w], w))
""", {"words": ["b", "a", "b", "c"]}, {"words": []})
