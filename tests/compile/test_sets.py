"""Python sets in a workflow: JSON arrays of distinct items (lowering/sets.py), accepted where
their order cannot show and refused, with a hint, where it would (analysis/set_uses.py).
Every accepted program is run both ways: plain Python and the emulated machine agree."""

from __future__ import annotations

import pytest

from .helpers import assert_same, refusal

DEDUPE = """
def fetch(n):
    return [{"id": i % 7, "tag": "t%d" % (i % 3)} for i in range(n)]

@sfn.workflow
def main(n):
    rows = fetch(n)
    seen = set()
    out = []
    for r in rows:
        if r["id"] in seen:
            continue
        seen.add(r["id"])
        out.append(r)
    tags = sorted(set(r["tag"] for r in rows))
    return {"unique": len(out), "tags": tags, "n": len(seen), "any": bool(seen), "empty": not seen}
"""


def test_the_dedupe_idiom_without_annotations():
    results = assert_same(DEDUPE, {"n": 20}, {"n": 0}, {"n": 3})
    assert results[0]["output"] == {"unique": 7, "tags": ["t0", "t1", "t2"], "n": 7, "any": True, "empty": False}
    assert results[1]["output"]["empty"] is True


OPERATIONS = """
@sfn.workflow
def main(a, b):
    x = set(a)
    y = {v for v in b}
    return {
        "union": sorted(x | y), "inter": sorted(x & y), "diff": sorted(x - y), "sym": sorted(x ^ y),
        "eq": x == y, "ne": x != y, "sub": x <= y, "strict": x < y, "sup": x >= y, "gt": x > y,
        "m_union": sorted(x.union(b, ["z"])), "m_inter": sorted(x.intersection(b)),
        "m_diff": sorted(x.difference(b)), "m_sym": sorted(x.symmetric_difference(b)),
        "issub": x.issubset(b), "issup": x.issuperset(b), "disjoint": x.isdisjoint(b),
        "lo": min(x, default=None), "hi": max(x, default=None), "desc": sorted(x, reverse=True),
        "n": len(x | y), "copy": sorted(x.copy()), "lit": sorted({"q", "p", "q"}),
    }
"""


@pytest.mark.parametrize("a, b", [
    (["a", "b", "c"], ["b", "c", "d"]), ([], []), (["a"], ["a"]), (["b", "a", "b"], ["a", "b", "c"]),
    ("hello", "world"),
])
def test_set_operations_and_comparisons(a, b):
    assert_same(OPERATIONS, {"a": a, "b": b})


MUTATIONS = """
@sfn.workflow
def main(items, drop):
    s = set()
    for item in items:
        s.add(item)
    s.discard(drop)
    s.update(["x", "y"], "zz")
    t = set(s)
    s |= {"w"}
    s -= {"y"}
    removed = "no"
    try:
        s.remove(drop)
        removed = "yes"
    except KeyError as e:
        removed = str(e)
    u = set(s)
    u.clear()
    return {"s": sorted(s), "t": sorted(t), "u": len(u), "removed": removed, "same": s == t}
"""


def test_mutations():
    results = assert_same(MUTATIONS, {"items": ["a", "b", "a"], "drop": "b"}, {"items": [], "drop": "q"},
                          {"items": ["q"], "drop": "x"})
    assert results[0]["output"]["removed"] == "'b'"


def test_bools_and_numbers_are_equal_items_as_in_python():
    # {1, True} holds 1 (the first of equal items); & keeps the smaller set's items
    assert_same("""
    @sfn.workflow
    def main(xs, ys):
        a = set(xs)
        b = set(ys)
        return {"a": sorted(a), "b": sorted(b), "inter": sorted(a & b), "rinter": sorted(b & a),
                "union": sorted(a | b), "has": True in a, "n": len(a)}
    """, {"xs": [1, True, 0, False, 2], "ys": [True, 3]}, {"xs": [True, 1], "ys": [1, 2, 3, 4]},
        {"xs": [], "ys": [False]})


def test_unhashable_items_are_typeerror_when_the_workflow_runs():
    results = assert_same("""
    @sfn.workflow
    def main(xs, probe):
        s = set()
        try:
            found = probe in {1, 2}
        except TypeError as e:
            found = str(e)
        try:
            t = set(xs)
            n = len(t)
        except TypeError as e:
            n = str(e)
        try:
            u = {x["k"] for x in xs}
            m = len(u)
        except (TypeError, KeyError) as e:
            m = f"{type(e).__name__}: {e}"
        return {"found": found, "n": n, "m": m, "s": len(s)}
    """, {"xs": [{"k": 1}], "probe": [1]}, {"xs": [1, 2, 1], "probe": 2},
        {"xs": [{"k": [1]}, {"j": 2}], "probe": {"a": 1}})
    assert results[0]["output"]["n"] == "unhashable type: 'dict'"
    assert results[0]["output"]["found"] == "unhashable type: 'list'"
    assert results[2]["output"]["m"] == "TypeError: unhashable type: 'list'"


def test_sets_in_a_long_pure_loop_and_in_tests():
    assert_same("""
    @sfn.workflow
    def main(n):
        evens = set()
        for i in range(n):
            if i % 2 == 0:
                evens.add(i % 50)
        hits = 0
        for i in range(n):
            if i in evens and evens:
                hits += 1
        return {"n": len(evens), "hits": hits, "top": max(evens) if evens else -1}
    """, {"n": 3000}, {"n": 0}, {"n": 7})


@pytest.mark.parametrize("body, expected", [
    ("s = set(xs)\n    for x in s:\n        pass\n    return 1", "iterating over a set"),
    ("s = set(xs)\n    return s", "a set is returned"),
    ("s = set(xs)\n    return [x for x in s]", "iterating over a set"),
    ("s = set(xs)\n    return list(s)", "a set used here"),
    ("s = set(xs)\n    return str(s)", "a set used here"),
    ("s = set(xs)\n    return {'s': s}", "a set used here"),
    ("s = set(xs)\n    return sorted(s, key=len)", "key="),
    ("s = set(xs)\n    return min(s, key=len)", "key="),
    ("s = set(xs)\n    s = []\n    return s", "must hold one on every assignment"),
    ("s = set(xs)\n    s += [1]\n    return 1", "must hold one on every assignment"),
    ("s = set(xs)\n    return s.pop()", "no method or attribute 'pop'"),
    ("s = {tuple(x) if x else x for x in xs}\n    return len(s)", "may be a list or a tuple"),
    ("s = set(xs)\n    return s == xs", "a set used here"),
    ("s = set(xs)\n    t = s\n    t.add(1)\n    return len(s)", "may share its value"),
])
def test_uses_where_a_sets_order_would_show_are_refused_with_a_hint(body, expected):
    text = refusal(f"@sfn.workflow\ndef main(xs):\n    {body}\n")
    assert expected in text and "hint:" in text


def test_a_refused_set_use_is_located():
    text = refusal("@sfn.workflow\ndef main(xs):\n    seen = set(xs)\n    for x in seen:\n        pass\n    return 1\n")
    assert "wf.py:5:14: iterating over a set" in text and "sorted(seen)" in text


def test_a_name_that_is_a_comprehension_variable_is_not_the_set():
    assert_same("""
    @sfn.workflow
    def main(xs):
        s = set(xs)
        pairs = [s + 1 for s in xs]
        return {"pairs": pairs, "n": len(s), "in": [x in s for x in [1, 5]]}
    """, {"xs": [1, 2, 2]})


def test_annotated_sets_and_conditional_expressions_of_sets():
    assert_same("""
    def roles():
        return {"ann": ["admin", "dev"], "bob": ["dev"], "cy": ["ops", "dev", "dev"]}

    @sfn.workflow
    def main(required: list[str]):
        seen: set[str] = set()
        by_user = roles()
        for user, rs in by_user.items():
            seen.update(rs)
        missing = set(required) - seen
        common = set(by_user["ann"])
        for user in sorted(by_user):
            mine = set(by_user[user])
            common = common & mine if len(required) > 1 else mine
        return {"all": sorted(seen), "missing": sorted(missing), "ok": not missing, "common": sorted(common)}
    """, {"required": ["dev", "qa"]}, {"required": ["dev"]}, {"required": []})


def test_a_set_on_one_side_of_a_conditional_expression_is_refused():
    text = refusal("@sfn.workflow\ndef main(xs):\n    c = None\n    c = set(xs) if c is None else c\n    return 1\n")
    assert "a set on one side only" in text and "set() in place of None" in text


def test_a_parameter_cannot_become_a_set():
    text = refusal("@sfn.workflow\ndef main(blocked):\n    blocked = set(blocked)\n    return len(blocked)\n")
    assert "'blocked' is a parameter" in text and "blocked_set = ..." in text


def test_a_module_level_set_is_a_constant():
    results = assert_same("""
    STOP = {"a", "the", "of", "The"}
    LIMITS = frozenset({1, True, 2.5})

    @sfn.workflow
    def main(text):
        words = [w for w in text.split() if w not in STOP]
        return {"kept": words, "stop": sorted(STOP), "n": len(LIMITS), "one": 1 in LIMITS,
                "both": sorted(STOP & set(text.split()))}
    """, {"text": "the end of a story The"}, {"text": ""})
    assert results[0]["output"]["kept"] == ["end", "story"]


def test_the_definition_does_not_depend_on_the_hash_seed(tmp_path):
    import os
    import subprocess
    import sys
    workflow = tmp_path / "stop.py"
    workflow.write_text('from pysfn_compile import sfn\nSTOP = {"a", "the", "of", "x", "y", "zed"}\n\n'
                        '@sfn.workflow\ndef main(w):\n    return w in STOP\n')
    texts = {subprocess.run([sys.executable, "-m", "pysfn_compile.cli", str(workflow)], capture_output=True, text=True,
                            check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(texts) == 1 and "zed" in next(iter(texts))


PAIRS = """
def fetch(n):
    return [{"user": "u%d" % (k % 5), "kind": ["buy", "view", "buy", "refund"][k % 4], "n": k % 3,
             "tags": ["a"] if k == 13 else "a"} for k in range(n)]

@sfn.workflow
def main(n, probe):
    events = fetch(n)
    pairs = set()
    dupes = 0
    for e in events:
        key = (e["user"], e["kind"])
        if key in pairs:
            dupes += 1
            continue
        pairs.add(key)
    triples = {(e["user"], e["n"], e["n"] == 1) for e in events}
    both = pairs & {("u1", "view"), ("u0", "buy"), ("u9", "buy")}
    pairs.discard(("u0", "buy"))
    pairs.discard(("nobody", "x"))
    mixed = {(1, True), (True, 1), (1, 1.0), (0, "a"), (False, "a")}
    return {"pairs": len(pairs), "dupes": dupes, "first": sorted(pairs)[:3], "triples": len(triples),
            "both": sorted(both), "has": (probe[0], probe[1]) in pairs, "sub": {("u1", "view")} <= pairs,
            "union": len(pairs | triples), "mixed": len(mixed), "nested": len({(1, (2, 3)), (1, (2, 3))})}
"""


def test_a_set_of_tuples_dedupes_by_pair_both_ways():
    """Tuples are set items as Python has them: compared item by item (1 == True == 1.0),
    kept once, found by `in`, discarded, combined, sorted."""
    results = assert_same(PAIRS, {"n": 20, "probe": ["u1", "view"]}, {"n": 0, "probe": ["u0", "buy"]},
                          {"n": 7, "probe": ["u2", "buy"]})
    assert results[0]["output"]["dupes"] == 5 and results[0]["output"]["mixed"] == 2


def test_a_tuple_holding_a_list_is_unhashable_both_ways():
    """Python hashes a tuple's items: one holding a list is TypeError, named after the list."""
    results = assert_same("""
    def fetch(n):
        return [{"k": "a", "tags": ["x"] if i == 2 else "x"} for i in range(n)]

    @sfn.workflow
    def main(n):
        seen = set()
        for r in fetch(n):
            seen.add((r["k"], r["tags"]))
        return len(seen)
    """, {"n": 2}, {"n": 3})
    assert results[1]["error"] == "TypeError" and "unhashable type: 'list'" in results[1]["cause"]
    results = assert_same("""
    @sfn.workflow
    def main(rows):
        return len(set([(r[0], r[1]) for r in rows]))
    """, {"rows": [[1, 2], [1, 2], [2, 3]]}, {"rows": [[1, {"a": 1}]]})
    assert results[1]["error"] == "TypeError" and "unhashable type: 'dict'" in results[1]["cause"]


def test_set_operations_on_dict_key_views():
    """`after.keys() - before.keys()` (and &, |, ^, or a set beside it) is a set in Python; it was
    refused ('unsupported operand type for -: list[str]', a session-26 trial)."""
    results = assert_same("""
    @sfn.workflow
    def main(before, after):
        return [sorted(after.keys() - before.keys()), sorted(after.keys() & before.keys()),
                sorted(after.keys() | {"z"}), sorted(after.keys() ^ before.keys()), len(after.keys() - set())]
    """, {"before": {"a": 1, "b": 2}, "after": {"b": 3, "c": 4}}, {"before": {}, "after": {}})
    assert results[0]["output"] == [["c"], ["b"], ["b", "c", "z"], ["a", "c"], 2]


def test_a_set_operation_builds_its_right_operand_once():
    """`set(new) - set(old)` built `set(old)` again for every item of `new` (cubic: the
    emulator's node limit stopped it at 250 strings, a reconciliation of a trial h15); each
    operand is now bound once. Also for &, ^ and isdisjoint."""
    new = [f"id{i}" for i in range(0, 1200, 1)]
    old = [f"id{i}" for i in range(0, 1200, 2)]
    results = assert_same("""
    @sfn.workflow
    def main(old, new):
        return [len(set(new) - set(old)), len(set(new) & set(old)), len(set(new) ^ set(old)),
                set(new).isdisjoint(set(old)), sorted(set(new) - set(old))[:2]]
    """, {"old": old, "new": new}, {"old": [], "new": ["a", "a"]})
    assert results[0]["output"] == [600, 600, 600, False, ["id1", "id1001"]]
    assert results[1]["output"] == [1, 0, 1, True, ["a"]]
