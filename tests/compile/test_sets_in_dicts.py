"""Dicts of sets (`index.setdefault(word, set()).add(doc)`, `defaultdict(set)`): a JSON object
of arrays, accepted where no set's order can show (analysis/set_uses.py) and refused, with a
hint, where it would. Every accepted program runs both ways and the runs agree."""

from __future__ import annotations

import pytest

from .helpers import assert_same, problems, refusal

INVERTED_INDEX = """
def load_docs(n):
    words = ["alpha", "beta", "gamma", "delta", "eps"]
    return {f"doc{i}": " ".join(words[(i * k) % 5] for k in range(1, 4)) for i in range(n)}

@sfn.workflow
def build_index(n):
    docs = load_docs(n)
    index = {}
    for doc_id, text in docs.items():
        for word in text.split():
            index.setdefault(word, set()).add(doc_id)
    return {w: sorted(ids) for w, ids in index.items()}
"""


def test_an_inverted_index_as_a_newcomer_writes_it():
    results = assert_same(INVERTED_INDEX, {"n": 6}, {"n": 0})
    assert results[0]["output"]["alpha"] == ["doc0", "doc5"]  # doc0 adds "alpha" three times: once held
    assert results[1]["output"] == {}


GROUPS = """
from collections import defaultdict

@sfn.workflow
def main(pairs, probe="a"):
    by_default = defaultdict(set)
    by_store = {}
    by_get = {}
    preset = {"x": set(), "y": {0}}
    for k, v in pairs:
        by_default[k].add(v)
        if k not in by_store:
            by_store[k] = set()
        by_store[k].add(v)
        by_get[k] = by_get.get(k, set()) | {v}
        if k in preset:
            preset[k] |= {v, -v}
    sizes = {k: len(s) for k, s in by_default.items()}
    union = set()
    for s in by_store.values():
        union = union | s
    ones = [k for k in sorted(by_get) if 1 in by_get[k]]
    return {"sizes": sizes, "union": sorted(union), "ones": ones, "probe": sorted(by_store.get(probe, set())),
            "preset": {k: sorted(s) for k, s in preset.items()}, "n": len(by_store), "any": bool(by_get),
            "same": by_get["a"] == by_store["a"] if "a" in by_get else None}
"""


def test_every_way_of_filling_and_reading_a_dict_of_sets():
    results = assert_same(GROUPS, {"pairs": [["a", 1], ["b", 2], ["a", 1], ["a", 3], ["x", 4]]},
                          {"pairs": [], "probe": "zz"}, {"pairs": [["y", 1], ["y", True], ["y", 1.0]]})
    first = results[0]["output"]
    assert first["sizes"] == {"a": 2, "b": 1, "x": 1} and first["union"] == [1, 2, 3, 4]
    assert first["preset"] == {"x": [-4, 4], "y": [0]} and first["same"] is True
    assert results[2]["output"]["sizes"] == {"y": 1}  # 1, True and 1.0 are one item, as in Python


def test_python_errors_inside_a_dict_of_sets():
    source = """
    @sfn.workflow
    def main(items, key):
        d = {}
        for it in items:
            d.setdefault(it["k"], set()).add(it["v"])
        d[key].discard(1)
        del d[key]
        return sorted(d)
    """
    assert_same(source, {"items": [{"k": "a", "v": 1}], "key": "a"}, {"items": [{"k": "a", "v": 1}], "key": "b"},
                {"items": [{"k": "a", "v": 1}, {"k": "a", "v": [1]}], "key": "a"})


def test_a_set_changed_through_a_loop_over_the_dict_changes_the_dict():
    source = """
    @sfn.workflow
    def main(pairs):
        groups = {"x": set(), "y": {1}}
        for k, v in pairs:
            groups[k].add(v)
        for k, s in groups.items():
            s.add(0)
        for s in groups.values():
            s.discard(1)
        return {k: sorted(v) for k, v in groups.items()}
    """
    results = assert_same(source, {"pairs": [["x", 1], ["y", 2]]})
    assert results[0]["output"] == {"x": [0], "y": [0, 2]}


def test_in_place_union_of_an_item_is_its_update():
    source = """
    @sfn.workflow
    def main(pairs, key):
        d = {}
        for k, v in pairs:
            d.setdefault(k, set())
            d[k] |= {v}
        d[key] |= {100}
        return {k: sorted(v) for k, v in d.items()}
    """
    results = assert_same(source, {"pairs": [["a", 1], ["a", 1], ["b", 3]], "key": "a"}, {"pairs": [], "key": "z"})
    assert results[0]["output"] == {"a": [1, 100], "b": [3]} and results[1]["error"] == "KeyError"


@pytest.mark.parametrize("body, expected", [
    ("return d", "'d' is a dict of sets (line 6): a state machine holds JSON"),
    ("print(d)", "'d' is a dict of sets (line 6)"),
    ("s = d.get('a'); return len(s)", "get() without a default gives None"),
    ("return list(d.values())", "can be read only by a loop over it that names each set"),
    ("d['b'] = []; return len(d)", "this is not a set: a dict of sets must hold a set under every key"),
    ("d.update({'b': [1]}); return len(d)", ".update() of it is not supported"),
    ("e = d; return len(e)", "'d' is a dict of sets"),
    ("return [list(s) for s in d.values()]", "a set used here"),
    ("d['a'] &= {1}; return len(d)", "augmented assignment on a set inside a dict is not supported"),
])
def test_uses_that_would_show_a_sets_order_are_refused(body, expected):
    source = f"""
    @sfn.workflow
    def main(xs):
        d = {{}}
        d.setdefault("a", set()).add(1)
        {body}
    """
    assert expected in refusal(source)


def test_a_dict_of_non_sets_is_untouched_and_a_record_with_a_set_is_still_refused():
    plain = """
    @sfn.workflow
    def main(xs):
        counts = {}
        other = {}
        for x in xs:
            counts[x] = counts.get(x, 0) + 1
            other[x] = counts[x]
        return [counts, other]
    """
    assert_same(plain, {"xs": ["a", "b", "a"]})
    record = """
    @sfn.workflow
    def main(tags, name):
        out = {}
        out["name"] = name
        out["tags"] = set(tags)
        return out
    """
    message = refusal(record)
    assert "store the set on line" in message and "sorted(s)" in message


def test_a_refused_change_in_place_leaves_no_follow_on_problem():
    # line 6 is refused (a set inside a list); the loop over `index` below reports nothing more
    source = """
    @sfn.workflow
    def main(docs):
        index = {}
        for d in docs:
            index.setdefault(d, []).append({d})
        return {w: len(ids) for w, ids in index.items()}
    """
    found = problems(source)
    assert len(found) == 1 and "a set used here" in str(found[0])


def test_a_loop_over_the_sorted_items_of_a_dict_of_sets():
    """`for t, ids in sorted(by.items())` (a tagging trial): the pairs sort by their keys alone,
    which differ, so no two sets are ever compared and the order is Python's."""
    results = assert_same("""
    from collections import defaultdict

    @sfn.workflow
    def main(resources):
        by = defaultdict(set)
        for r in resources:
            for t in r["tags"]:
                by[t].add(r["id"])
        shared = set()
        for t, ids in sorted(by.items(), reverse=True):
            if len(ids) > 1:
                shared |= ids
        return {"tags": {t: sorted(ids) for t, ids in sorted(by.items())}, "shared": sorted(shared),
                "order": [t for t, _ in sorted(by.items(), reverse=True)]}
    """, {"resources": [{"id": "r1", "tags": ["prod", "web"]}, {"id": "r2", "tags": ["dev", "web"]},
                        {"id": "r3", "tags": ["prod"]}]})
    assert results[0]["output"] == {"tags": {"dev": ["r2"], "prod": ["r1", "r3"], "web": ["r1", "r2"]},
                                    "shared": ["r1", "r2", "r3"], "order": ["web", "prod", "dev"]}


def test_a_dict_storing_its_own_items_is_no_dict_of_sets():
    """A new-user trial (competition ranking): `comp[name] = comp[prev]` was refused as a
    dict of sets: the store read as a set under the guess that the dict's values are sets,
    with nothing else to say so. A store is evidence only where something besides the dict's
    own items may be a set; `d[k] = d.get(k, set()) | {v}` still is."""
    results = assert_same("""
    @sfn.workflow
    def main(names: list[str]):
        comp = {"a": 1}
        prev = "a"
        for n in names:
            comp[n] = comp[prev]
            comp[n + "x"] = comp.get(prev, 0) + 1
            prev = n
        return comp
    """, {"names": ["b", "c"]}, {"names": []})
    assert results[0]["output"] == {"a": 1, "b": 1, "bx": 2, "c": 1, "cx": 2}
    assert "'seen' is a dict of sets (line 7)" in refusal("""
    @sfn.workflow
    def main(xs: list[str]):
        seen = {}
        for x in xs:
            seen[x[0]] = seen.get(x[0], set()) | {x}
        return seen
    """)
