"""A comprehension's item checks (the exceptions its items would raise, found before it runs):
Python's order, and one search over the items per check, computed once into a variable
that the Choice rules read (lowering/operations.py nested_item_guards, graph/builder.py
guard_choice)."""

from __future__ import annotations

import json

import pytest

from pysfn_compile.lowering import operations
from pysfn_emulator.query.jsonata import compile_value

from .helpers import assert_same, compile_text
from .oracle import definition_strings

CASES = {
    # a later `if` is evaluated only for items the ones before it keep (main checked the
    # second clause's KeyError on every item: [5] raised TypeError where Python gives [])
    "later_ifs_only_where_earlier_hold": ("""
        @sfn.workflow
        def main(xs: list):
            return [x for x in xs if isinstance(x, dict) if x["a"] > 0]
    """, [{"xs": [5, {"a": 1}]}, {"xs": [{"b": 1}]}, {"xs": ["s", {"a": 0}, {"a": 2}]}, {"xs": []}]),
    "any_all_later_ifs": ("""
        @sfn.workflow
        def main(xs: list):
            return (any(x["a"] > 0 for x in xs if isinstance(x, dict) if x["b"]),
                    all(x["a"] > 0 for x in xs if isinstance(x, dict) if x["b"]))
    """, [{"xs": [5, {"b": 0}]}, {"xs": [{"b": 1, "a": 1}, {"b": 1}]}, {"xs": [{"b": 1, "a": 0}, {"b": 1}]},
          {"xs": [{"a": 1}]}]),
    # a check before the search (in the same statement) raises first; the search runs after it
    "check_before_the_search": ("""
        @sfn.workflow
        def main(d: dict, xs: list):
            return d["k"] + len([x["a"] for x in xs])
    """, [{"d": {}, "xs": [{}]}, {"d": {"k": 1}, "xs": [{}]}, {"d": {"k": 1}, "xs": [{"a": 1}]}]),
    # searched only where the operand is evaluated (a search over a non-list would fail in JSONata)
    "search_under_and": ("""
        @sfn.workflow
        def main(xs):
            return isinstance(xs, list) and all(x["a"] > 0 for x in xs)
    """, [{"xs": 5}, {"xs": [{"a": 1}]}, {"xs": [{"a": 1}, {}]}, {"xs": [{"a": 0}, {}]}]),
    # the state before (a Task) sets what the search reads: it gets a Pass of its own
    "search_of_what_the_previous_state_sets": ("""
        def fetch(ks: list[str]) -> list[str]:
            return list(ks)

        @sfn.workflow
        def main(ks: list[str], d: dict):
            ys = fetch(ks)
            out = [d[k] for k in ys]
            return out
    """, [{"ks": ["a", "b"], "d": {"a": 1, "b": 2}}, {"ks": ["a", "zz", "yy"], "d": {"a": 1}}]),
    "inner_comprehension_in_an_item": ("""
        @sfn.workflow
        def main(kss: list[list[str]], d: dict):
            return [[d[k] for k in ks if d[k] != 0] for ks in kss if ks]
    """, [{"kss": [["a"], [], ["a", "b"]], "d": {"a": 1, "b": 0}}, {"kss": [["a"], ["a", "q"]], "d": {"a": 1}},
          {"kss": [[], ["z"]], "d": {"a": 0}}]),
    "nested_fors": ("""
        @sfn.workflow
        def main(xs: list[str], ys: list[str], d: dict):
            return [d[a] + d[b] for a in xs for b in ys if a != b]
    """, [{"xs": ["a", "b"], "ys": ["b", "a"], "d": {"a": 1, "b": 2}},
          {"xs": ["a", "b"], "ys": ["b", "c"], "d": {"a": 1, "b": 2}}, {"xs": ["q"], "ys": ["q"], "d": {}}]),
    "the_same_search_twice": ("""
        @sfn.workflow
        def main(ks: list[str], d: dict):
            return [d[k] for k in ks] + [d[k] * 2 for k in ks]
    """, [{"ks": ["a"], "d": {"a": 1}}, {"ks": ["a", "b"], "d": {"a": 1}}]),
    "key_functions": ("""
        @sfn.workflow
        def main(ks: list[str], d: dict):
            return sorted(ks, key=lambda k: d[k]), min(ks, key=lambda k: -d[k]) if ks else None
    """, [{"ks": ["a", "b"], "d": {"a": 2, "b": 1}}, {"ks": ["a", "b"], "d": {"a": 2}}, {"ks": [], "d": {}}]),
    "while_test_in_a_folded_loop": ("""
        @sfn.workflow
        def main(ks: list[str], d: dict):
            i = 0
            while any(d[k] > i for k in ks):
                i += 1
            return i
    """, [{"ks": ["a", "b"], "d": {"a": 3, "b": 1}}, {"ks": ["a", "b"], "d": {"a": 3}}, {"ks": [], "d": {}}]),
    "while_test_in_a_loop_of_states": ("""
        def bump(n: int) -> int:
            return n + 1

        @sfn.workflow
        def main(ks: list[str], d: dict):
            i = 0
            while all(d[k] > i for k in ks):
                i = bump(i)
            return i
    """, [{"ks": ["a", "b"], "d": {"a": 3, "b": 2}}, {"ks": ["a", "b"], "d": {"a": 3}}]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_result_both_ways(name):
    source, inputs = CASES[name]
    assert_same(source, *inputs)


ROWS = """
    @sfn.workflow
    def main(rows: list[dict], names: dict):
        return [names[r["id"]] for r in rows if r["score"] > names["min"]]
"""


def test_the_search_is_written_once_and_the_rules_read_its_variable():
    """Several checks over the items (KeyErrors and TypeErrors in the condition and the
    element): one field searches the items; each rule tests the search's result, and builds
    its message from the failing item, without searching again."""
    definition = compile_text(ROWS).definition
    searches = [pointer for pointer, text in definition_strings(definition) if "function($__acc, $__c" in text]
    assert len(searches) == 1, searches
    choice = next(state for state in definition["States"].values()
                  if any("$__ff" in rule["Condition"] for rule in state.get("Choices", [])))
    rules = [rule for rule in choice["Choices"] if "$__ff" in rule["Condition"]]
    assert len(rules) >= 4
    for rule in rules:
        assert len(rule["Condition"]) < 80, rule["Condition"]
        assert "function($__acc" not in json.dumps(rule.get("Assign", {}))
    assert_same(ROWS, {"rows": [{"id": "a", "score": 2}], "names": {"a": 1, "min": 0}},
                {"rows": [{"id": "a", "score": 2}, {"id": "b"}], "names": {"a": 1, "min": 0}},
                {"rows": [{"id": "a", "score": 2}, {"id": "b", "score": 3}], "names": {"a": 1, "min": 0}},
                {"rows": [{"id": ["x"], "score": 2}], "names": {"min": 0}},
                {"rows": [{"id": "a", "score": 2}], "names": {}})


def test_the_search_joins_the_assign_of_the_state_before_when_it_can():
    """No state of its own where the state before sets nothing the search reads; a Pass
    where it does (its Assign reads the values from before the state)."""
    joined = compile_text("""
        @sfn.workflow
        def main(ks: list[str], d: dict):
            n = len(ks)
            return n, [d[k] for k in ks]
    """).definition["States"]
    assert not [name for name in joined if name.startswith("Search items")]
    assert any(name.startswith("__ff") for state in joined.values() for name in state.get("Assign", {}))
    own = compile_text(CASES["search_of_what_the_previous_state_sets"][0]).definition["States"]
    assert [name for name in own if name.startswith("Search items")]


def test_a_search_one_condition_alone_reads_stays_in_it():
    """One check whose message does not name the item: the search is written once in its
    rule's condition anyway, so it gets no variable and no state of its own."""
    source = """
        @sfn.workflow
        def main(xs: list[dict]):
            return [x["a"] for x in xs]
    """
    states = compile_text(source).definition["States"]
    assert not [name for name in states if name.startswith("Search items")]
    assert not any(name.startswith("__ff") for state in states.values() for name in state.get("Assign", {}))
    conditions = [rule["Condition"] for state in states.values() for rule in state.get("Choices", [])]
    assert sum("$__ff := $reduce($xs" in condition for condition in conditions) == 1
    assert_same(source, {"xs": [{"a": 1}]}, {"xs": [{"a": 1}, {}]}, {"xs": []})


NESTED_SEARCHES = """
    def grid(n):
        return [[(r * n + c) % 10 for c in range(n)] for r in range(n)]

    @sfn.workflow
    def main(n, m):
        g = grid(n)
        return [[sum(g[i][k] * g[k][j] for k in range(m)) for j in range(3)] for i in range(3)]
"""


def test_an_inner_comprehension_s_search_is_written_and_run_once_per_item():
    """A matrix product as nested comprehensions (a trial: a definition of 200 KB that ran out
    of an evaluation's budget at 4 x 4): each of the inner search's guards computed the search
    again, in the text and at run time, so the outer search grew as the product of the counts
    of their guards. Bound once per item of the outer search, its guards test its result."""
    compiled = compile_text(NESTED_SEARCHES)
    assert max(len(text) for _, text in definition_strings(compiled.definition)) < 12_000
    results = assert_same(NESTED_SEARCHES, {"n": 4, "m": 4}, {"n": 40, "m": 40}, {"n": 3, "m": 4}, {"n": 4, "m": 2},
                          {"n": 2, "m": 2})
    assert results[0]["output"] == [[26, 32, 18], [82, 104, 66], [38, 56, 74]]
    assert results[2]["error"] == "IndexError" and results[4]["error"] == "IndexError"


CAESAR = """
    @sfn.workflow
    def main(text, shift=3):
        return "".join(chr((ord(c) - 97 + shift) % 26 + 97) if "a" <= c <= "z" else c for c in text)
"""


def test_a_check_an_earlier_one_covers_is_not_searched_for():
    """`"a" <= c <= "z"` tests that c is a str at each comparison, and ord(c) once more: the
    first check raises wherever a later would, so the search tests it once (it tested all
    three per item, and a Caesar shift over 4,800 characters passed an evaluation's budget)."""
    definition = compile_text(CAESAR).definition
    searches = [text for _, text in definition_strings(definition) if "function($__acc, $__c" in text]
    assert searches and all(text.count("$type($__c") == 1 for text in searches), searches
    assert_same(CAESAR, {"text": "hello, world"}, {"text": ["a", "b", "zz"]}, {"text": ["a", 5]},
                {"text": ["a", "b"], "shift": 1.5}, {"text": {"q": 1}}, {"text": "xyz", "shift": -30})


def test_the_checks_under_one_condition_test_it_once_and_compute_what_they_share_once():
    """With the shift of unknown kind too, each item's checks under `"a" <= c <= "z"` (the
    shift's TypeError, the verdicts on `+ shift`, `% 26` and `+ 97`, chr's argument) each
    computed ord(c) and the sums again: 600 characters took 807,655 nodes, a budget reached
    near 1,000 characters. The condition is tested once and ord(c), the sum and the verdicts
    are computed once per item, where the first check computes them; Python's order stays."""
    definition = compile_text(CAESAR).definition
    searches = [text for _, text in definition_strings(definition) if "function($__acc, $__c" in text]
    assert searches and all(text.count("$__ord($__c") == 1 for text in searches), searches
    assert_same(CAESAR, {"text": "hello, world", "shift": 13}, {"text": ["a", "bc"], "shift": 1},
                {"text": ["a", "b"], "shift": "x"}, {"text": "ab", "shift": None}, {"text": ["A", "b"], "shift": []},
                {"text": ["b", "a"], "shift": 0.5}, {"text": "xyz", "shift": -30}, {"text": "", "shift": "x"})


PEAKS = """
    @sfn.workflow
    def main(xs):
        return [i for i in range(1, len(xs) - 1) if xs[i - 1] < xs[i] > xs[i + 1]]
"""


def test_the_checks_one_by_one_compute_what_they_share_once():
    """Local peaks over 1,500 numbers (a new-user trial): each of the chain's checks read
    `xs[i - 1]` and `xs[i]` again and tested their kinds again, and the search passed an
    evaluation's budget (States.QueryEvaluationError where Python returns). Checks tested one
    by one, not under one condition, share what they compute alike too, from the first that
    computes it."""
    definition = compile_text(PEAKS).definition
    searches = [text for _, text in definition_strings(definition) if "function($__acc, $__c" in text]
    assert searches and all(text.count("$substring($xs, ($__c1 - 1), 1)") <= 2 for text in searches), searches
    numbers = [(k * 7919) % 101 for k in range(1500)]
    results = assert_same(PEAKS, {"xs": numbers}, {"xs": [1, 3, 2]}, {"xs": [1, "a", 2]}, {"xs": "abcba"},
                          {"xs": [None, 1, 0]}, {"xs": {"a": 1}}, {"xs": [True, 2.5, 1]})
    assert results[0]["status"] == "SUCCEEDED" and len(results[0]["output"]) > 300


def test_chr_of_a_code_point_its_text_bounds_has_no_range_checks():
    """`chr(... % 26 + 97)` is a lowercase letter whatever the operand: no ValueError check,
    no surrogate stop (analysis/int_bounds.py); `chr(n)` of an unknown n keeps both."""
    bounded = json.dumps(compile_text("""
        @sfn.workflow
        def main(text: str):
            return [chr((ord(c) - 97 + 3) % 26 + 97) for c in text]
    """).definition)
    assert "1114111" not in bounded and "55296" not in bounded
    source = """
        @sfn.workflow
        def main(n: int):
            return chr(n % 26 + 97), chr(n)
    """
    unbounded = json.dumps(compile_text(source).definition)
    assert "1114111" in unbounded and "55296" in unbounded
    assert_same(source, {"n": 66}, {"n": -1}, {"n": 1114112})


def test_what_a_check_binds_itself_is_not_computed_ahead_of_it():
    """A call two checks under one condition share, reading a name each binds in its own
    block, stays in the block (bound ahead, it read the name before any block set it)."""
    tests = [("($p = 1) and ($y := $a; $h($y, 100000000) = 100000001)", "'first'"),
             ("($p = 1) and ($y := $b; $h($y, 100000000) = 100000002)", "'second'")]
    names = iter(f"$__t{k}" for k in range(1, 100))
    chain = operations._test_in_turn(tests, "'none'", names)
    naive = "(($p = 1) and ($y := $a; $h($y, 100000000) = 100000001)) ? 'first' : " \
            "((($p = 1) and ($y := $b; $h($y, 100000000) = 100000002)) ? 'second' : 'none')"
    for a, b in [(1, 2), (5, 2), (5, 6)]:
        values = {"p": 1, "a": a, "b": b}
        wrapped = [f"($h := function($v, $k) {{ $v + $k }}; {text})" for text in (chain, naive)]
        results = [compile_value("{% " + text + " %}", "Output")({"input": {}, "context": {}}, values)
                   for text in wrapped]
        assert results[0] == results[1], (a, b, chain)


AREAS = """from pysfn_compile import sfn


def resize(img):
    return {"name": img["name"], "w": img["w"] // 2, "h": img["h"] // 2}


@sfn.workflow
def process_images(images):
    valid = [i for i in images if i.get("w", 0) > 0 and i.get("h", 0) > 0]
    resized = sfn.map(resize, valid)
    return sum(r["w"] * r["h"] for r in resized)
"""


def test_an_item_search_is_the_same_text_under_any_hash_seed(tmp_path):
    """The checks of `sum(r["w"] * r["h"] for r in resized)` share `$lookup(r, "w")` and
    `$lookup(r, "h")`: their locals were named in a set's order, so the definition followed
    PYTHONHASHSEED (a trial's workflow; seed 5 of 1 to 6 gave another text on Python 3.11)."""
    import os
    import subprocess
    import sys
    workflow = tmp_path / "areas.py"
    workflow.write_text(AREAS)
    texts = {subprocess.run([sys.executable, "-m", "pysfn_compile.cli", str(workflow)], capture_output=True, text=True,
                            check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in "123456"}
    assert len(texts) == 1 and "$__ff_t1" in next(iter(texts))
