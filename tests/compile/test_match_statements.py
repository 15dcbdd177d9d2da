"""`match` in a workflow (analysis/match_statements.py): the if statements it means, run both
ways; a pattern the machine has no test for is refused where it is written."""

from __future__ import annotations

import pytest

from .helpers import assert_same, compile_text, refusal

CLASSIFY = """
LIMIT = 10

@sfn.workflow
def main(events):
    out = []
    for ev in events:
        match ev:
            case None:
                out.append("none")
            case True | False:
                out.append("bool")
            case 0:
                out.append("zero")
            case int(n) if n > LIMIT:
                out.append(f"big {n}")
            case int() | float():
                out.append(f"num {ev}")
            case "":
                out.append("empty")
            case str(s):
                out.append("str " + s.upper())
            case []:
                out.append("empty list")
            case [x]:
                out.append(f"one {x}")
            case [x, y] if x == y:
                out.append("pair same")
            case [first, *middle, last]:
                out.append(f"seq {first}..{last} ({len(middle)})")
            case {"type": "order", "id": oid, **rest}:
                out.append(f"order {oid} {sorted(rest)}")
            case {"type": "refund" | "void", "amount": int(a)} if a < 0:
                out.append(f"negative {a}")
            case {"type": t}:
                out.append(f"other {t}")
            case {}:
                out.append("dict")
            case _:
                out.append("?")
    match len(out), out[-1] if out else None:
        case (0, _):
            summary = "nothing"
        case (1, last):
            summary = f"one: {last}"
        case (n, "?"):
            summary = f"{n}, ends unknown"
        case (n, _):
            summary = f"{n} items"
    return {"out": out, "summary": summary}
"""


def test_every_kind_of_pattern_as_python_matches_it():
    """Literals (`0` matches 0.0 and not False, which `True | False` took first), None, class
    patterns of the builtins with a capture, sequences with a star (not a str), mappings with
    `**rest` and nested `|`, guards (a failed one goes on to the next case), a tuple subject."""
    events = [None, True, 0, 0.0, 12, 3, 2.5, "", "hi", [], [1], [2, 2], [1, 2], [1, 2, 3, 4],
              {"type": "order", "id": 7, "x": 1, "a": 2}, {"type": "refund", "amount": -5},
              {"type": "void", "amount": 5}, {"type": "x"}, {}, {"k": 1}, False]
    results = assert_same(CLASSIFY, {"events": events}, {"events": []}, {"events": ["x"]},
                          {"events": [[1, 2], {"z": 1}, 1.5]})
    assert results[0]["output"]["out"] == [
        "none", "bool", "zero", "zero", "big 12", "num 3", "num 2.5", "empty", "str HI", "empty list", "one 1",
        "pair same", "seq 1..2 (0)", "seq 1..4 (2)", "order 7 ['a', 'x']", "negative -5", "other void",
        "other x", "dict", "dict", "bool"]
    assert [r["output"]["summary"] for r in results[1:]] == ["nothing", "one: str X", "3 items"]
    states = compile_text(CLASSIFY).definition["States"]
    assert any("case int(n) if n > LIMIT:" in s.get("Comment", "") for s in states.values())


def test_names_a_pattern_binds_stay_bound_when_its_guard_fails():
    """CPython binds a case's names when its pattern matches, before the guard: `a` is 1 after
    `case [a, b] if a > b` fails on [1, 2], and unbound (UnboundLocalError) where no pattern
    bound it. The subject is evaluated once (one call)."""
    results = assert_same("""
    def get(x):
        return x

    @sfn.workflow
    def main(x):
        match get(x):
            case [a, b] if a > b:
                kind = "desc"
            case [a, *_]:
                kind = "list"
            case _:
                kind = "other"
        return [kind, a]
    """, {"x": [2, 1]}, {"x": [1, 2]}, {"x": [5]}, {"x": "ab"})
    assert [r["output"] for r in results[:3]] == [["desc", 2], ["list", 1], ["list", 5]]
    assert results[3]["error"] == "UnboundLocalError"


def test_a_match_inside_a_loop_with_break_and_continue():
    results = assert_same("""
    @sfn.workflow
    def main(commands: list[str]):
        stack = []
        for line in commands:
            match line.split():
                case ["push", value]:
                    stack.append(int(value))
                case ["pop"]:
                    stack.pop()
                case ["skip", *_]:
                    continue
                case ["stop"]:
                    break
                case other:
                    raise ValueError(f"unknown command {other}")
        return stack
    """, {"commands": ["push 1", "push 2", "skip x y", "pop", "push 5", "stop", "push 9"]},
        {"commands": ["push 1", "jump"]}, {"commands": ["pop"]})
    assert results[0]["output"] == [1, 5]
    assert results[1]["cause"] == "unknown command ['jump']"
    assert results[2]["error"] == "IndexError"


def test_an_or_pattern_that_binds_a_name():
    """`int(total) | float(total)` (an EventBridge trial, was refused) binds the one part both
    name; `[x] | [_, x]` the part of the alternative that matched."""
    results = assert_same("""
    @sfn.workflow
    def main(items):
        out = []
        for item in items:
            match item:
                case {"total": int(total) | float(total)} if total > 0:
                    out.append(total * 2)
                case [x] | [_, x] | {"x": x}:
                    out.append(x)
                case _:
                    out.append(None)
        return out
    """, {"items": [{"total": 2}, {"total": 1.25}, {"total": -1}, [7], [8, 9], {"x": "y"}, [1, 2, 3], "s"]})
    assert results[0]["output"] == [4, 2.5, None, 7, 9, "y", None, None]


@pytest.mark.parametrize("case, expected", [
    ("case Point(x=0):", "this class pattern is not supported"),
    ("case str(x, y):", "this class pattern is not supported"),
])
def test_a_pattern_the_machine_cannot_test_is_refused_where_it_is(case, expected):
    text = refusal(f"""
    class Point:
        x = 0

    @sfn.workflow
    def main(v):
        match v:
            {case}
                return 1
        return 0
    """)
    assert expected in text and "wf.py:9:" in text, text


def test_cases_a_subject_of_known_type_can_never_match_are_never_lowered():
    """`match acc:` of an int with list and dict cases (the fuzzer's first find), `case int(k)
    if k > acc` of a list (its second: isinstance(xs, int) was the text `false`, not a value
    known at compile time): their tests are false at compile time, so `len(acc)`, `acc[0]`
    and `k > acc` after them are not refused; so is `isinstance(n, list) and len(n) > 0`."""
    results = assert_same("""
    @sfn.workflow
    def main(acc: int, xs: list[int]):
        match acc:
            case []:
                kind = "empty"
            case [x, *_]:
                kind = f"list {x}"
            case {"a": 1}:
                kind = "dict"
            case 0 | 1:
                kind = "small"
            case _:
                kind = "other"
        match xs:
            case int(k) if k > acc:
                kind += "!"
        return [kind, isinstance(acc, list) and len(acc) > 0, isinstance(xs, int) or len(xs)]
    """, {"acc": 1, "xs": [1, 2]}, {"acc": 5, "xs": []})
    assert [r["output"] for r in results] == [["small", False, 2], ["other", False, 0]]
