"""Nested pure loops: the list an inner `for` walks is set by each iteration of the loop around
it, and is read by position as a pair of the list and its positions (graph/positional_lists.py,
hold), not by a filter over every item per read."""

from __future__ import annotations

import re

import pytest

import pysfn_emulator
from pysfn_compile.graph import pure_loops

from .helpers import assert_same, compile_text, emulate, same
from .oracle import emulate as emulate_code
from .oracle import javascript, js_available

DIGITS = """
    @sfn.workflow
    def main(cols):
        stats = []
        for col in cols:
            n = 0
            for v in col:
                if v.isdigit():
                    n += 1
            stats.append(n)
        return stats
"""

FIRST_POSITIVE = """
    @sfn.workflow
    def main(cols):
        found = []
        for col in cols:
            for i, v in enumerate(col):
                if v > 0:
                    found.append(i)
                    break
            else:
                found.append(-1)
        return found
"""

SHAPES = [
    {"cols": []}, {"cols": [[]]}, {"cols": [["1", "a"], [], ["22", "3x", "4"]]},
    {"cols": ["a1b2", {"7": 1, "x": 2}, ["9"]]},  # a string's characters, a dict's keys
    {"cols": [["1"], 5]},  # TypeError: 'int' object is not iterable, after one column
    {"cols": [["1", 2]]},  # AttributeError: 'int' object has no attribute 'isdigit'
]


def _run_field(compiled) -> str:
    (field,) = next(s for n, s in compiled.definition["States"].items() if n.startswith("Run "))["Assign"].values()
    return field[2:-2].strip()


def _pass_entries(execution) -> int:
    return sum(1 for event in execution.history if event["type"] == "PassStateEntered")


def test_an_inner_loop_reads_its_items_by_position():
    """A trial of nested JSON (session 32): 18,000 strings in one column met AWS's 25,000-event
    quota, each read of the inner list a filter over it, so the budget let an evaluation run
    two steps. Held with its positions, the column runs in a few dozen events."""
    compiled = compile_text(DIGITS)
    code = _run_field(compiled)
    assert not re.search(r"\$__items\d+\[\$", code), code  # no item read by a filter
    payload = {"cols": [[str(k) if k % 3 else f"x{k}" for k in range(18_000)]]}
    execution = pysfn_emulator.run(compiled.definition, payload, state_machine_type="STANDARD")
    assert (execution.status, execution.output) == ("SUCCEEDED", [12_000])
    assert len(execution.history) <= 200


@pytest.mark.parametrize("source", [DIGITS, FIRST_POSITIVE], ids=["digits", "first_positive"])
def test_nested_loops_are_the_same_both_ways_across_rounds(monkeypatch, source):
    """With a budget of 3 steps an evaluation, and lists held whole stopping the steps after
    4 items, the loops run in many rounds, stopping inside an inner list and between two, and
    compute what Python computes (errors included)."""
    monkeypatch.setattr(pure_loops, "MAX_STEPS", 3)
    monkeypatch.setattr(pure_loops, "HELD_ITEMS", 4)
    payloads = SHAPES if source is DIGITS else [
        {"cols": []}, {"cols": [[0, 0, 3, 1], [], [-1, 0], [5]]}, {"cols": [[0] * 9 + [1]] * 3}, {"cols": [[1, "a"]]}]
    compiled = compile_text(source)
    assert '"c") > 4' in _run_field(compiled)
    for payload in payloads:
        assert same(emulate(compiled, payload), compiled.run_python(payload)), payload
    rounds = pysfn_emulator.run(compiled.definition, payloads[2])
    assert _pass_entries(rounds) > 3


def test_lists_held_whole_stop_an_evaluation_at_their_item_count(monkeypatch):
    """A loop leaving each inner list at its first item builds the positions of every list for
    one read: the steps of an evaluation stop once the lists held in it pass HELD_ITEMS items
    (100 columns of 50 in rounds of about 200 items, not all in one evaluation)."""
    compiled = compile_text(FIRST_POSITIVE)
    payload = {"cols": [[1] + [0] * 49 for _ in range(100)]}
    one = pysfn_emulator.run(compiled.definition, payload, state_machine_type="STANDARD")
    monkeypatch.setattr(pure_loops, "HELD_ITEMS", 200)
    stopped = pysfn_emulator.run(compile_text(FIRST_POSITIVE).definition, payload, state_machine_type="STANDARD")
    assert one.output == stopped.output == [0] * 100
    assert _pass_entries(one) <= 2 < 20 <= _pass_entries(stopped)


def test_a_list_the_loop_computes_from_itself_is_not_held():
    """`items = items + [x]` reads the list where it is set: the pair is not used for it (the
    step would compute from the pair, not the list)."""
    source = """
        @sfn.workflow
        def main(rows):
            out = []
            for row in rows:
                items = []
                for x in row:
                    items = items + [x * 2]
                out.append(len(items))
            return out
    """
    code = _run_field(compile_text(source))
    assert not re.search(r'"items": \$hold', code)
    assert_same(source, {"rows": [[1, 2], [], [3]]}, {"rows": []})


@pytest.mark.skipif(not js_available(), reason="set PYSFN_JSONATA_JS to a jsonata 2.0.6 package")
def test_a_list_held_whole_is_the_same_in_jsonata_js():
    """The loop's expression, entered inside an inner list (its list already set, of items of
    every kind) and between two, gives the same object in jsonata-js (AWS's engine) and in the
    emulator."""
    compiled = compile_text("""
        @sfn.workflow
        def main(rows: list):
            out = []
            for row in rows:
                seen = []
                for x in row:
                    seen.append([x])
                out.append(seen)
            return out
    """)
    code = _run_field(compiled)
    start = next(state["Assign"] for state in compiled.definition["States"].values()
                 if any(name.startswith("__plpc") for name in state.get("Assign", {})))
    (inner,) = [name for name in start if name.startswith("__items")]  # (the outer loop walks `rows`)
    outer_at, inner_at = sorted(name for name in start if re.fullmatch(r"__i\d+", name))
    (pc,) = [name for name in start if name.startswith("__plpc")]
    items = [None, [], [1], [[2]], {"a": 1}, {}, "s", "", 0, 1.5, False]
    rows = [items, [], [[None]], "xy"]
    for inner_set, position in ((False, 0), (True, 3)):
        variables = {"rows": rows, "out": [], "seen": [[x] for x in items[:position]],
                     outer_at: 1 if inner_set else 0, inner_at: position if inner_set else None,
                     inner: items if inner_set else None, pc: 1 if inner_set else 0}
        (js,) = javascript([(code, variables)])
        assert js == emulate_code(code, variables)
        assert js[0] == "ok" and js[1]["@step"] == 2, js
        assert js[1]["out"][-1] == [["x"], ["y"]] and js[1][inner] == ["x", "y"]
        assert js[1]["out"][0] == [[x] for x in items]


def test_a_value_the_loop_only_sets_is_not_held():
    """A new-user trial (h17): with a callee inside the inner loop, `total = price_for(sku)`
    then `out.append({"total": total})` returned `{"total": {"0": 5, "c": 0, "l": 5, "n": 1}}`:
    `total` (set by the step, never read by position) was held, and the dict display naming it
    taken for a step's end. Only the compiler's own lists a step reads by position are held;
    a user's list of the same shape is named in dict displays as it is."""
    results = assert_same("""
        def price_for(sku):
            return len(sku) * 5

        @sfn.workflow
        def main(orders):
            out = []
            for o in orders:
                total = 0
                for sku in o:
                    total += price_for(sku)
                cells = o
                n = 0
                for c in cells:
                    n += len(c)
                out.append({"total": total, "cells": cells, "n": n})
            return out
    """, {"orders": [["A", "BB"], []]}, {"orders": []})
    assert results[0]["output"] == [{"total": 15, "cells": ["A", "BB"], "n": 3}, {"total": 0, "cells": [], "n": 0}]


def test_a_users_list_walked_by_an_inner_loop_is_held_and_read_as_itself_elsewhere(monkeypatch):
    """A new-user trial (h17): `if isinstance(item, list): for sub in item:` walks the user's
    variable itself, read by a filter per item (10,500 items: 12,244 events, 20 s). Held, its
    other reads (the type test, a dict display naming it, `len`, an index, a comprehension over
    it) read the list itself; a comprehension whose own variable has its name reads its own."""
    source = """
        @sfn.workflow
        def main(nested):
            n = 0
            shapes = []
            for item in nested:
                if isinstance(item, list):
                    for sub in item:
                        n += sub
                    shapes.append({"item": item, "len": len(item), "first": item[0] if item else None,
                                   "twice": [x * 2 for x in item], "other": [item for item in [n]]})
            return [n, shapes]
    """
    compiled = compile_text(source)
    payload = {"nested": [list(range(10_500))]}
    execution = pysfn_emulator.run(compiled.definition, payload, state_machine_type="STANDARD")
    assert execution.status == "SUCCEEDED" and execution.output[0] == sum(range(10_500))
    assert len(execution.history) <= 200
    monkeypatch.setattr(pure_loops, "MAX_STEPS", 3)
    assert_same(source, {"nested": [[1, 2], 5, [], [3]]}, {"nested": []}, {"nested": [[1, "a"]]})
