"""Nested functions called on a line of their own run inline (analysis/inline_functions.py):
Python's scoping (own names, closures read at the call), argument order, exceptions to the
caller's handlers, changes in place of the enclosing lists; pure helpers in a loop fold into
one state like the rest of the loop."""

from __future__ import annotations

import textwrap

import pytest

import pysfn_emulator

from .helpers import assert_same, compile_text, refusal

HELPERS = """
LOG = []


def bump(n):
    LOG.append(n)
    return n + 1


@sfn.workflow
def main(xs, limit=3):
    seen = []

    def grade(x, low=0):
        if x < low:
            return "negative"
        elif x > limit:
            label = f"big {x}"
            return label
        seen.append(x)

    def total(values, scale=1):
        acc = 0
        for v in values:
            acc += v * scale
        return acc

    def describe(x):
        g = grade(x)
        return f"{x}: {g}"

    try:
        s = total(xs)
    except TypeError as e:
        s = str(e)
    out = []
    for x in xs:
        g = grade(x, low=-1)
        out.append(g)
        limit = limit + 1
    t = total(scale=2, values=[bump(1), bump(2)])
    d = describe(100)
    return {"out": out, "seen": seen, "s": s, "t": t, "d": d, "limit": limit}
"""


def test_nested_helpers_run_inline_with_pythons_scoping():
    results = assert_same(HELPERS, {"xs": [1, -5, 4, 9, 2]}, {"xs": []}, {"xs": [0, "x"]})
    assert results[0]["output"] == {
        "out": [None, "negative", None, "big 9", None], "seen": [1, 4, 2], "s": 11, "t": 10,
        "d": "100: big 100", "limit": 8}
    assert results[2]["error"] == "TypeError"  # "x" < -1 in grade: the caller has no handler


def test_a_pure_helper_in_a_long_loop_folds_with_the_loop():
    compiled = compile_text("""
    @sfn.workflow
    def main(n: int):
        def step(x):
            if x % 2 == 0:
                return x // 2
            return 3 * x + 1

        steps = 0
        for i in range(1, n):
            x = i
            while x != 1:
                x = step(x)
                steps += 1
        return steps
    """)
    execution = pysfn_emulator.run(compiled.definition, {"n": 300}, lambdas=compiled.local_lambdas())
    assert execution.output == compiled.run_python({"n": 300})["output"] == 14151
    assert len(execution.history) < 100


def test_return_helper_and_a_helper_used_as_a_value_are_kept_apart():
    results = assert_same("""
    @sfn.workflow
    def main(a: int):
        def pick(x):
            if x:
                return "yes"

        def double(item):
            return item * 2

        r = sfn.map(double, [a, a + 1])
        if a > 5:
            return r
        return pick(a)
    """, {"a": 1}, {"a": 0}, {"a": 6})
    assert [r["output"] for r in results] == ["yes", None, [12, 14]]
    # in an operand of `and` (session 13: made an `if`, the helper called where Python calls it)
    results = assert_same("""
    @sfn.workflow
    def main(a: int):
        def pick(x):
            return x + 1
        return [a > 0 and pick(a)]
    """, {"a": 1}, {"a": 0})
    assert [r["output"] for r in results] == [[2], [False]]
    # a one-expression helper in a generator read by max() is its expression there (session 19;
    # refused before); one whose argument is no name or literal still cannot be
    assert [r["output"] for r in assert_same("""
    @sfn.workflow
    def main(a: int):
        def pick(x):
            return x + 1
        return max((pick(v) for v in range(a)), default=0)
    """, {"a": 3}, {"a": 0})] == [3, 0]
    refused = refusal("""
    @sfn.workflow
    def main(a: int):
        def pick(x):
            return x + 1
        return max((pick(v * 2) for v in range(a)), default=0)
    """)
    assert "called inside an expression" in refused and "pick(...)` as a statement" in refused


BUMP = """
    LOG = []

    def bump(n):
        LOG.append(n)
        return n + 1
"""


def test_a_call_inside_an_expression_runs_first_where_python_runs_it_first():
    """`{"low": low(s), "n": len(s)}` is `low_value = low(s)` then the dict; what Python
    evaluates before the call that could raise or act (`d["k"]`, a callee) gets a line of its
    own before it."""
    results = assert_same(BUMP + """
    @sfn.workflow
    def main(s: str, n: int):
        def low(text, k=1):
            return text[:k].upper()

        out = {"low": low(s), "two": low(s, k=2) + "!", "n": [n, low(s * n)], "b": bump(n)}
        if low(s) == "A":
            out["first"] = low(s, 3)
        for c in low(s, 2):
            out[c] = len(low(c))
        return out
    """, {"s": "abc", "n": 2}, {"s": "", "n": 0})
    assert results[0]["output"] == {"low": "A", "two": "AB!", "n": [2, "A"], "b": 3, "first": "ABC", "A": 1, "B": 1}
    results = assert_same(BUMP + """
    @sfn.workflow
    def main(d: dict, n: int):
        def twice(x):
            if x > 100:
                raise ValueError("too big")
            return 2 * x
        try:
            return [d["k"], twice(n), bump(n), twice(bump(n) * 50)]
        except (KeyError, ValueError) as e:
            return [type(e).__name__, str(e)]
    """, {"d": {"k": 1}, "n": 1}, {"d": {}, "n": 1}, {"d": {"k": 1}, "n": 2})
    # d["k"] before twice, bump before the second twice: Python's order, each on its own line
    assert [r["output"] for r in results] == [[1, 2, 2, 200], ["KeyError", "'k'"], ["ValueError", "too big"]]


def test_calls_in_the_parts_of_an_f_string_run_in_pythons_order():
    """`f"{label(a)}/{label(b)}"` with a nested helper: each call gets a line of its own, and
    a part before a call is formatted before it (a format that fails, `{x:d}` of a str, fails
    before the call; the callee in the helper is not called). Was an internal compiler error."""
    results = assert_same(BUMP + """
    @sfn.workflow
    def main(xs: list[int], tag):
        def label(v):
            return "high" if bump(v) > 10 else "low"
        out = []
        for a in xs:
            out.append(f"{label(a)}/{label(a + 10)}")
        try:
            out.append(f"{tag:d}:{label(0)}")
        except ValueError as e:
            out.append(str(e))
        return out
    """, {"xs": [1, 20], "tag": 5}, {"xs": [], "tag": "x"})
    assert [r["output"] for r in results] == [["low/high", "high/high", "5:low"],
                                              ["Unknown format code 'd' for object of type 'str'"]]


def test_a_helper_returning_from_inside_its_loop_runs_inline():
    """`for name in limits: if amt <= limits[name]: return name` then `return "huge"`: a
    return inside the helper's loop is its result and a break, the code after the loop runs
    in the loop's `else` (only when no return ran); also a `while` loop, a loop with an
    `else` of its own, a bare `return`, and the call's own `return f(...)`."""
    results = assert_same(BUMP + """
    LIMITS = {"small": 10, "large": 100}

    @sfn.workflow
    def main(orders: list[dict], n: int):
        def bucket(o):
            amt = o.get("amount", 0)
            for name in LIMITS:
                if amt <= LIMITS[name]:
                    return name
            return "huge"

        def first_even(xs):
            i = 0
            while i < len(xs):
                if xs[i] % 2 == 0:
                    return bump(xs[i])
                i += 1
            else:
                i = -1
            return i

        def note(xs):
            for x in xs:
                if x < 0:
                    return
            return len(xs)

        def pick(k):
            for x in range(k):
                if x * x > k:
                    return x
            return None

        counts = {}
        for o in orders:
            b = bucket(o)
            counts[b] = counts.get(b, 0) + 1
        evens = [first_even([1, 3, n]), first_even([n, 5])]
        xs = note([n, -1])
        ys = note([n])
        if n > 2:
            return [counts, evens, xs, ys, pick(n)]
        return pick(n + 10)
    """, {"orders": [{"amount": 5}, {"amount": 50}, {"amount": 500}, {}], "n": 4},
        {"orders": [], "n": 3}, {"orders": [], "n": 1})
    assert [r["output"] for r in results] == [
        [{"small": 2, "large": 1, "huge": 1}, [5, 5], None, 1, 3],
        [{}, [-1, -1], None, 1, 2], 4]


def test_a_helper_with_try_runs_inline():
    """Helpers with `try`: returns at the ends of the body and the handlers (`try: return
    int(s) except ValueError: return 0`), a try/finally before a return, and a try whose
    handlers return, followed by more code (run in the try's else: as after the try, the
    handlers do not catch what it raises). A return after a try/finally, or in a finally,
    stays refused with the reason."""
    results = assert_same(BUMP + """
    @sfn.workflow
    def main(xs: list, d: dict):
        def parse(s):
            try:
                return int(s)
            except ValueError:
                return 0
            except TypeError as e:
                return str(e)

        def safe_get(k):
            try:
                v = d[k]
            except KeyError:
                v = bump(-1)
            finally:
                bump(100)
            return v

        def ratio(a, b):
            try:
                r = a / b
            except ZeroDivisionError:
                return None
            return r + d["a"]

        out = []
        for x in xs:
            p = parse(x)
            out.append(p)
        try:
            late = ratio(1, 2)
        except KeyError as e:
            late = f"missing {e}"
        return [out, safe_get("a"), safe_get("b"), late, ratio(len(xs), 0)]
    """, {"xs": ["1", "x", " 7 ", None], "d": {"a": 5}}, {"xs": [], "d": {}})
    assert [r["output"] for r in results] == [
        [[1, 0, 7, "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"],
         5, 0, 5.5, None], [[], 0, 0, "missing 'a'", None]]
    text = refusal("""
@sfn.workflow
def main(a: int):
    def f(x):
        try:
            y = 10 // x
        finally:
            x = 0
        if y:
            return y
        try:
            return 1
        finally:
            return 2
    r = f(a)
    return r
""")
    assert "'f' is a nested function that cannot run inline: a return is in" in text
    # a return inside a try whose handlers return, followed by more code: the rest would run in
    # the try's else after the body's result was set (the machine returned 'big' from the
    # workflow itself before this was refused, found reviewing the change)
    text = refusal("""
@sfn.workflow
def main(a: int):
    def f(x):
        try:
            if x > 5:
                return "big"
            y = 10 // x
        except ZeroDivisionError:
            return "zero"
        return str(y)
    r = f(a)
    return "got " + r
""")
    assert "'f' is a nested function that cannot run inline: a return is in" in text


def test_a_helper_called_in_a_del_an_assert_or_a_raise():
    """`del d[key(n)]`, `assert check(n), msg`, `raise ValueError(key(n) + "!")`: each call is
    evaluated once, first, so it gets a line of its own (was refused: "called inside an
    expression"); an assert's message stays evaluated only when the test fails."""
    results = assert_same("""
    @sfn.workflow
    def main(d: dict, n: int):
        def key(v):
            if v > 1:
                return "b"
            return "a"
        def check(v):
            return v < 5
        try:
            del d[key(n)]
            assert check(n), f"too big {n}"
            if n == 0:
                raise ValueError(key(n) + "!")
        except (KeyError, AssertionError, ValueError) as e:
            return [type(e).__name__, str(e), d]
        return d
    """, {"d": {"a": 1, "b": 2}, "n": 3}, {"d": {"a": 1}, "n": 3}, {"d": {"b": 1}, "n": 7}, {"d": {"a": 1}, "n": 0})
    assert [r["output"] for r in results] == [{"a": 1}, ["KeyError", "'b'", {"a": 1}],
                                              ["AssertionError", "too big 7", {}], ["ValueError", "a!", {}]]


def test_a_helper_that_is_a_map_body_and_called_directly():
    """`sfn.map(one, ids)` and `first = one(ids[0])`: the direct call runs inline, the def stays
    the map's body (was refused: the call counted as 'inside an expression')."""
    results = assert_same("""
    def fetch(i):
        if i == 3:
            raise ValueError("three")
        return {"i": i, "v": i * 10}

    @sfn.workflow
    def main(ids: list[int]):
        def one(i):
            try:
                r = fetch(i)
            except ValueError as e:
                return {"i": i, "error": str(e)}
            for k in ("v",):
                if r[k] > 40:
                    return {"i": i, "big": True}
            return r

        results = sfn.map(one, ids)
        first = None
        if ids:
            first = one(ids[0])
        return {"results": results, "first": first}
    """, {"ids": [1, 3, 5]}, {"ids": []}, {"ids": [3]})
    assert results[0]["output"] == {"results": [{"i": 1, "v": 10}, {"i": 3, "error": "three"},
                                                {"i": 5, "big": True}], "first": {"i": 1, "v": 10}}


def test_a_helper_in_a_while_test_runs_before_each_iteration():
    """`while more(i):` is `while True: if not more(i): break`: the helper runs before each
    iteration (after a `continue` too), the loop's `else` where the test fails, not after a
    `break` of the body; also a `while` inside a `for`, whose `else` runs each time."""
    results = assert_same("""
    @sfn.workflow
    def main(xs: list[int], limit: int):
        def more(i):
            return i < len(xs) and xs[i] < limit
        i = 0
        total = 0
        while more(i):
            if xs[i] == 3:
                i += 1
                continue
            total += xs[i]
            if total > 100:
                break
            i += 1
        else:
            total = -total
        j = 0
        for k in range(2):
            while more(j):
                j += 1
            else:
                j += 10
        return [i, total, j]
    """, {"xs": [1, 2, 3, 4, 50, 60], "limit": 55}, {"xs": [], "limit": 5}, {"xs": [90, 20, 1], "limit": 100})
    assert [r["output"] for r in results] == [[5, -57, 25], [0, 0, 20], [1, 110, 23]]


def test_what_is_not_inlined_is_refused_as_before():
    for body in ["""
        def fact(n):
            if n <= 1:
                return 1
            r = fact(n - 1)
            return n * r
        r = fact(a)
        return r
    """, """
        def first_even(xss):
            for xs in xss:
                for x in xs:
                    if x % 2 == 0:
                        return x
        r = first_even([[a]])
        return r
    """, """
        def first_even(xs):
            for x in xs:
                if x < 0:
                    break
                if x % 2 == 0:
                    return x
        r = first_even([a])
        return r
    """]:
        source = "@sfn.workflow\ndef main(a: int):\n" + "\n".join("    " + line[8:] for line in body.splitlines())
        assert "nested function" in refusal(source)


def test_a_list_comprehension_calling_a_helper_is_a_loop_that_appends():
    """`[fmt(x) for x in xs if keep(x)]`: the comprehension's own names stay its own, its first
    iterable is evaluated first, the helper runs inline per item."""
    results = assert_same("""
    @sfn.workflow
    def main(xs, ws):
        def fmt(x, w="-"):
            if x > 2:
                return f"{x}!"
            return w * x

        def keep(x):
            return x != 0

        x = "outer"
        out = [fmt(x) for x in xs if keep(x)]
        pairs = [fmt(x, w) for x in xs for w in ws if x]
        return [out, pairs, {"n": len([fmt(v) for v in xs])}, x]
    """, {"xs": [0, 1, 3, 2], "ws": ["a", "b"]}, {"xs": [], "ws": []}, {"xs": [1, "a"], "ws": ["z"]})
    assert results[0]["output"] == [["-", "3!", "--"], ["a", "b", "3!", "3!", "aa", "bb"], {"n": 4}, "outer"]
    assert results[2]["error"] == "TypeError"


def test_a_dict_comprehension_calling_a_helper_is_a_loop_that_stores():
    """`{st["name"]: letter(st["score"]) for st in students}` (a grade report trial; was
    refused: "cannot run inline"): each key, then its value, then the store, as Python runs a
    dict comprehension; its conditions only for the items before; inside a larger expression
    it gets a line of its own first."""
    results = assert_same("""
    @sfn.workflow
    def main(rows, names):
        def grade(s):
            if s < 0:
                raise ValueError(f"negative score {s}")
            return "pass" if s >= 50 else "fail"

        def keep(r):
            return r.get("keep", True)

        r = "outer"
        by_name = {names[r["i"]]: grade(r["score"]) for r in rows if keep(r)}
        nested = {"g": {r["i"]: grade(r["score"]) for r in rows}, "n": len(rows)}
        pairs = {(a if a else "none"): grade(b) for a, b in [("x", 1), ("", 60), ("x", 70)]}
        return [by_name, nested, pairs, r]
    """, {"rows": [{"i": 0, "score": 70}, {"i": 1, "score": 10, "keep": False}, {"i": 1, "score": 55}],
          "names": ["a", "b"]},
        {"rows": [{"i": 5, "score": -1}], "names": ["a"]}, {"rows": [{"i": 0, "score": -1}], "names": ["a"]})
    assert results[0]["output"] == [{"a": "pass", "b": "pass"}, {"g": {"0": "pass", "1": "pass"}, "n": 3},
                                    {"x": "pass", "none": "pass"}, "outer"]
    assert results[1]["error"] == "IndexError"  # the key first: names[5] before grade(-1)
    assert results[2]["error"] == "ValueError"


def test_a_call_after_a_method_lookup_moves_only_where_the_lookup_cannot_fail():
    """`xs.append(helper(x))`: Python looks `append` up before it runs the helper (an
    AttributeError would come first). Where `xs` only ever holds a list literal the lookup
    cannot fail and the call gets its line; a parameter may hold anything: refused (found by
    the fuzzer as 311 refusals of a hoisted bound method `value = out.append`)."""
    assert "called inside an expression" in refusal("""
    @sfn.workflow
    def main(xs, n: int):
        def helper(v):
            return v + 1
        xs.append(helper(n))
        return xs
    """)
    results = assert_same("""
    @sfn.workflow
    def main(xs, n: int):
        def helper(v):
            return v + 1
        out = []
        for x in xs:
            out.append(helper(x))
        text = f"{n}"
        return [out, text.rjust(helper(n), "*")]
    """, {"xs": [1, 2], "n": 3}, {"xs": ["a"], "n": 0})
    assert results[0]["output"] == [[2, 3], "***3"] and results[1]["error"] == "TypeError"


def test_a_one_line_helper_as_a_sort_key_is_its_lambda():
    results = assert_same("""
    @sfn.workflow
    def main(xs, items):
        bonus = 10

        def weight(x):
            return -x

        def by_price(item):
            return item["price"] + bonus

        cheapest = min(items, key=by_price)["sku"] if items else None
        return [sorted(xs, key=weight), cheapest, max(xs, key=weight) if xs else None]
    """, {"xs": [1, 3, 2], "items": [{"sku": "a", "price": 5}, {"sku": "b", "price": 2}]},
        {"xs": [], "items": [{"sku": "a"}]})
    assert results[0]["output"] == [[3, 2, 1], "b", 1] and results[1]["error"] == "KeyError"


LAZY = """
def charge(cents):
    return cents + 1


def audit(cents):
    return cents % 20 == 0


@sfn.workflow
def main(rows, dry=False, threshold=30):
    def big(r):
        return r["cents"] >= threshold

    def pay(r):
        return charge(r["cents"])

    def flagged(r):
        return audit(r["cents"])

    paid = dry or pay(rows[0])
    which = pay(rows[1]) if not dry else "dry"
    ok = rows and big(rows[0]) or len(rows) > 3
    picked = [r["id"] for r in rows if r["cents"] > 10 and big(r)]
    counted = sum(1 for r in rows if big(r))
    any_flagged = any(flagged(r) for r in rows)
    all_big = all(big(r) for r in rows if r["cents"])
    names = ",".join(r["id"] for r in rows if big(r))
    order = sorted(pay(r) for r in rows if r["cents"] > 50)
    return {"paid": paid, "which": which, "ok": ok, "picked": picked, "counted": counted,
            "any": any_flagged, "all": all_big, "names": names, "order": order}
"""


def _tasks(compiled, payload) -> list:
    execution = pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas())
    return [event for event in execution.history if event["type"] == "TaskScheduled"]


def test_a_helper_where_python_may_not_call_it_runs_only_where_it_does():
    """`dry or pay(r)`, `pay(r) if not dry else ...`, `a and big(r)`, a comprehension's
    condition, `sum(1 for ...)`, `any(...)`/`all(...)`, `", ".join(...)`, `sorted(...)` of a
    generator calling a helper: made statements and loops that call it where Python calls it
    (a dry run charges nothing; any() stops at the first hit)."""
    rows = [{"id": f"r{k}", "cents": k * 20} for k in range(6)]
    assert_same(LAZY, {"rows": rows}, {"rows": rows, "dry": True}, {"rows": rows, "threshold": 0},
                {"rows": rows[:1], "threshold": 1000, "dry": True}, {"rows": [], "dry": True},
                {"rows": [{"id": "x", "cents": "7"}], "dry": True})
    compiled = compile_text(LAZY)
    # dry: no charge; any(): audit of the first row only (0 % 20 == 0); sorted(): rows over 50
    assert len([t for t in _tasks(compiled, {"rows": rows, "dry": True}) if "charge" in str(t)]) == 3  # sorted() only
    assert len([t for t in _tasks(compiled, {"rows": rows, "dry": True}) if "audit" in str(t)]) == 1
    assert len([t for t in _tasks(compiled, {"rows": rows}) if "charge" in str(t)]) == 2 + 3


def test_a_comprehension_calling_a_helper_inside_and_or():
    """`[x for x in xs if ok(x)] or None` and `dry or sum(1 for x in xs if ok(x))`: the
    comprehension becomes its loop (a list of its own), the `or` its `if`; inside a loop too."""
    assert_same("""
    @sfn.workflow
    def main(batches, dry=False):
        def ok(x):
            return x % 2 == 0

        out = []
        for batch in batches:
            pick = [x for x in batch if x > 2 and ok(x)] or None
            total = dry or sum(1 for x in batch if ok(x))
            out.append([pick, total, all(ok(x) for x in batch)])
        return out
    """, {"batches": [[1, 2, 4, 6], [], [3]]}, {"batches": [[8]], "dry": True})


def test_an_item_augmented_by_a_helper_reads_the_item_first():
    """`d["n"] += pay(x)`: Python reads the item (KeyError) before it calls the helper, so a
    missing key charges nothing; a defaultdict's item is inserted first."""
    source = """
    from collections import defaultdict

    def charge(c):
        return c * 2

    @sfn.workflow
    def main(xs, d):
        def pay(x):
            return charge(x) if x > 0 else 0

        totals = defaultdict(int)
        for x in xs:
            totals[str(x % 2)] += pay(x)
            d["n"] += pay(x)
        return [totals, d]
    """
    assert_same(source, {"xs": [1, 2, 3], "d": {"n": 0}}, {"xs": [1], "d": {}}, {"xs": [], "d": {}})
    compiled = compile_text(source)
    assert len(_tasks(compiled, {"xs": [1], "d": {}})) == 1  # the first line's charge; the KeyError before the second


def test_a_call_that_could_run_inline_names_the_use_that_keeps_it_from_doing_so():
    text = refusal("""
    @sfn.workflow
    def main(xs: list[int]):
        def small(x):
            return x < 3

        flag = max((small(x + 1) for x in xs), default=False)
        total = 0
        for x in xs:
            total += 1 if small(x) else 0
        return [total, flag]
    """)
    assert "wf.py:11:" in text and "its use on line 8 cannot, so this call does not either" in text
    assert "wf.py:8:" in text and "where it cannot run inline (a lambda; a generator read by min(), max()" in text


def test_a_one_expression_helper_called_in_comprehensions_and_generators():
    """`def total(r): return r["price"] * r["qty"] - discount`, used in `sum(total(r) for r in
    rows)`, in a comprehension's condition, as a key and inside another helper (a trial; was
    refused: a call inside a generator has no statement of its own): the call is the helper's
    expression with the argument in place of the parameter."""
    assert_same("""
    def load(n):
        return [{"name": "n%d" % i, "price": i % 4, "qty": (i * 3) % 5} for i in range(n)]

    @sfn.workflow
    def main(n, discount=0):
        rows = load(n)
        def total(r):
            return r["price"] * r["qty"] - discount
        def plus(r, extra=0):
            return total(r) + extra
        def describe(r):
            t = total(r)
            if t <= 0:
                return r["name"] + ": nothing"
            return r["name"] + ": " + str(t)
        ranked = sorted(rows, key=total, reverse=True)
        lines = [describe(r) for r in ranked]
        grand = sum(total(r) for r in rows)
        bonus = [plus(r, 100) for r in rows if plus(r) > 0]
        return {"lines": lines, "grand": grand, "bonus": bonus,
                "pos": [r["name"] for r in rows if total(r) > 0], "any": any(total(r) > 5 for r in rows)}
    """, {"n": 6}, {"n": 6, "discount": 4}, {"n": 0})


def test_one_expression_helpers_calling_each_other_inside_lambdas_and_comprehensions():
    # norm's expression calls weight: written in place inside the key's lambda, then weight's
    assert_same("""
    @sfn.workflow
    def main(groups, w=2):
        def weight(v):
            return v * w
        def norm(v, base=10):
            return weight(v) % base
        ranked = {g: sorted(vals, key=lambda v: (norm(v), -v)) for g, vals in groups.items()}
        best = {g: max((weight(v) for v in vals), default=None) for g, vals in groups.items()}
        flags = [any(norm(v, 3) == 0 for v in vals) for vals in groups.values()]
        return {"ranked": ranked, "best": best, "flags": flags}
    """, {"groups": {"a": [3, 1, 7, 5], "b": []}}, {"groups": {}}, {"groups": {"c": [6, 16]}, "w": 3})


def test_a_helper_whose_names_would_mean_other_variables_at_the_call_reads_its_own():
    # `k` is the helper's enclosing name, but the comprehension around the call binds its own
    # `k`: written in place, the expression would read the comprehension's. It was refused; since
    # session 26 a returned comprehension runs as a loop whose names are renamed (`k_item`), so
    # the helper reads the enclosing `k`, as in Python (a lambda keeps the refusal)
    head = """
    @sfn.workflow
    def main(vs, ks):
        k = 10
        def plus(x):
            return x + k
    """
    results = assert_same(head + "    return [plus(v) for k in ks for v in vs]\n", {"vs": [1, 2], "ks": [5, 6]})
    assert results[0]["output"] == [11, 12, 11, 12]
    text = refusal(head + "    return sorted(vs, key=lambda k: plus(k) * -1)\n")
    assert "'plus' is a nested function called inside an expression where it cannot run inline" in text


def test_a_sharing_refusal_says_what_an_inlined_name_stands_for():
    # `attempt_result` is no name the user wrote: the message says it is the helper's result
    text = refusal("""
    @sfn.workflow
    def main(n):
        log = []
        def attempt(k):
            try:
                return {"ok": k > 1, "log": log}
            finally:
                log.append("done")
        r = attempt(n)
        return {"r": r, "log": log}
    """)
    assert "'attempt_result' (line 8: a nested function's result, run inline)" in text, text


def test_a_one_expression_helper_called_before_its_def_is_not_written_in_place():
    # Python's NameError at the call (the def has not run): written in place, the machine would
    # compute what Python never does; left as a call, and refused. So is a key (found in review:
    # `sorted(xs, key=neg)` above `def neg` was its lambda, and the machine sorted where Python
    # raised UnboundLocalError; older than session 19)
    assert "the key must be a lambda" in refusal("""
    @sfn.workflow
    def main(xs: list[int]):
        early = sorted(xs, key=neg)
        def neg(v):
            return -v
        return early
    """)
    text = refusal("""
    @sfn.workflow
    def main(xs: list[int]):
        early = [double(x) for x in xs]
        def double(v):
            return v * 2
        return early
    """)
    assert "calling 'double' is not supported" in text, text


@pytest.mark.parametrize("body, hint", [
    ("    def chunks(xs, k):\n        for i in range(0, len(xs), k):\n            yield xs[i:i + k]\n"
     "    return [sum(c) for c in chunks(xs, 2)]", "builds the list and returns it"),
    ("    def count(node):\n        return 1 + sum(count(c) for c in node)\n    return count(xs)",
     "a list of what is left to visit (a stack)"),
])
def test_a_generator_or_a_recursive_helper_is_refused_with_what_to_write_instead(body, hint):
    """A nested generator or a recursive helper (new-user trials, session 20): the hint says
    what to write instead, not the generic "restructure it"."""
    message = refusal(f"@sfn.workflow\ndef main(xs: list):\n{body}\n")
    assert hint in message, message


def test_a_helper_called_in_a_method_that_cannot_fail_first_runs_inline():
    """`xs.index(scale(1, 2))` with `xs: list[int]` (checked at the entry) and
    `math.sqrt(seek(-2))` (a module's function): nothing Python evaluates before the helper can
    fail, so it runs inline (the fuzzer's most frequent refusal, session 21). Unannotated, with a
    default (`ys: list = None`: Python never checks a default) or rebound, it stays refused."""
    results = assert_same("""
    import math


    def note(x):
        return x


    @sfn.workflow
    def main(xs: list[int], n):
        out = []

        def scale(v, k=1):
            note(v)
            out.append(v)
            return v * k

        def seek(v):
            note(-v)
            return abs(v) + 1

        a = xs.index(scale(1, 2)) if 2 in xs else -1
        b = len(str(math.sqrt(seek(-2))))
        return [a, b, out]
    """, {"xs": [1, 2], "n": [3]}, {"xs": [5], "n": 4})
    assert results[0]["output"] == [1, 18, [1]]
    for params, body in (("n", "return n.index(twice(1))"), ("ys: list = None", "return ys.index(twice(1))"),
                         ("xs: list[int]", "xs = 'abc'\n    return xs.index(twice(1))")):
        message = refusal(f"""
    @sfn.workflow
    def main({params}):
        def twice(v):
            return v * 2
        {body.replace(chr(10), chr(10) + '    ')}
    """)
        assert "'twice' is a nested function called inside an expression where it cannot run inline" in message, params


def test_a_helper_called_in_a_logging_call_runs_inline():
    """`log.debug("%s", helper(n))` through a module-level logger: looking `debug` up cannot
    fail, so the helper runs first on a line of its own, as Python runs it (refused before:
    the fuzzer's most frequent "nested function called inside an expression", session 24).
    A logger name the workflow rebinds stays refused."""
    source = """
    import logging

    log = logging.getLogger("wf")


    def note(x):
        return x


    @sfn.workflow
    def main(n: int):
        seen = []

        def helper(v, k=2):
            note(v)
            seen.append(v)
            if v > k:
                return v - k
            return v * 3

        log.debug("%s", helper(n))
        log.info("%s and %d", f"{helper(n + 1):>4}", len(seen))
        return seen
    """
    results = assert_same(source, {"n": 7}, {"n": 1})
    assert results[0]["output"] == [7, 8]
    assert "called inside an expression where it cannot run inline" in refusal(
        source.replace('seen = []', 'seen = []\n        log = seen'))


def test_a_helper_in_a_helpers_arguments_and_in_a_method_of_a_sorted_list_runs_inline():
    """`a = seek(seek(n))`: the inner call gets its line first; `out = sorted(xs)` always holds
    a list, so `out.append(seek(n))` cannot fail before the call (both refused before, the
    fuzzer's "nested function called inside an expression", session 24). A module that defines
    its own `sorted` keeps the refusal."""
    source = """
    def note(x):
        return x


    @sfn.workflow
    def main(xs: list[int], n: int):
        def seek(v):
            note(v)
            for x in xs:
                if x > v:
                    return x
            return -1
        out = sorted(xs)
        out.append(seek(n))
        a = seek(seek(n))
        return [out, a]
    """
    results = assert_same(source, {"xs": [3, 1, 9], "n": 2}, {"xs": [], "n": 1})
    assert results[0]["output"] == [[1, 3, 9, 3], 9] and results[1]["output"] == [[-1], -1]
    assert "'seek' is a nested function that runs inline only where every use of it can: its use on line 19 " \
        "cannot" in refusal("def sorted(xs):\n    return xs\n\n" + textwrap.dedent(source))


def test_a_helper_with_a_negative_default_runs_inline():
    """`default=-1` is a literal to anyone (a unary minus in the tree): it was refused as "not a
    literal" (session 24's trials); a list default (one object shared by every call) still is."""
    results = assert_same("""
    @sfn.workflow
    def main(x: int):
        def pick(v, default=-1, scale=-0.5):
            return v if v > 0 else default * scale
        return [pick(x), pick(x, -3)]
    """, {"x": 2}, {"x": 0})
    assert results[1]["output"] == [0.5, 1.5]
    assert "a default value is not a literal (a number, a str, True, False or None)" in refusal("""
    @sfn.workflow
    def main(x: int):
        def pick(v, seen=[]):
            seen.append(v)
            return seen
        return pick(x)
    """)


def test_a_helper_changing_the_list_it_was_given_changes_the_callers_list():
    """`def add_tag(lst, t): lst.append(t)` called as `add_tag(items, "a")` was refused ("'add_tag_lst'
    may share its value with 'items'", naming a variable the user never wrote: session-25
    trial). A parameter given a variable of the caller, and never bound again in the body, is
    that variable: the change is the caller's list's, as in Python."""
    results = assert_same("""
    @sfn.workflow
    def main(items, groups):
        def add_tag(lst, t):
            lst.append(t)
            return len(lst)

        def put(d, k, v):
            d.setdefault(k, []).append(v)

        def rebinds(lst):
            lst = lst + ["copy"]
            return lst

        k = add_tag(items, "a")
        add_tag(items, items[0])
        put(groups, "g", k)
        other = rebinds(items)
        return {"items": items, "k": k, "groups": groups, "other": other}
    """, {"items": ["x"], "groups": {}}, {"items": [], "groups": {"g": [0]}})
    assert results[0]["output"]["items"] == ["x", "a", "x"]
    assert results[1]["output"]["groups"] == {"g": [0, 1]}


def test_a_returned_comprehension_calling_a_helper_is_built_then_returned():
    """`return [norm(r) for r in rs]` with `norm` a helper of two statements calling a callee
    was refused ('a nested function called inside an expression where it cannot run inline'),
    where `out = [...]; return out` compiled (a session-26 trial)."""
    results = assert_same("""
    def lookup(r):
        return r.upper()

    @sfn.workflow
    def main(rs, d):
        def norm(r):
            x = r.strip()
            return lookup(x)

        if d:
            return {k: norm(v) for k, v in d.items() if v}
        return [norm(r) for r in rs if r]
    """, {"rs": [" a", "", "b "], "d": {}}, {"rs": [], "d": {"k": " v ", "e": ""}})
    assert [r["output"] for r in results] == [["A", "B"], {"k": "V"}]


def test_a_retry_helper_returning_from_a_try_in_its_loop_runs_inline():
    """`for i in range(3): try: return fetch(arg) except Transient: sfn.sleep(2 ** i)` then
    `raise RuntimeError(...)`: the retry helper, refused (a return in a try in a loop) where the
    same code in the workflow compiled (a session-26 trial). A return in a try (without finally)
    leaves the loop as the result and a break: in the body, a handler or the else."""
    results = assert_same("""
    class Transient(Exception):
        pass

    def fetch(arg, fails, attempt):
        if attempt < fails:
            raise Transient(f"flaky {attempt}")
        return arg + "-ok"

    @sfn.workflow
    def main(x, fails):
        def with_retry(arg):
            for i in range(3):
                try:
                    return fetch(arg, fails, i)
                except Transient as e:
                    if fails == 9:
                        return "handler " + str(e)
                    sfn.sleep(2 ** i)
            raise RuntimeError("gave up")

        def checked(arg):
            for i in range(2):
                try:
                    value = fetch(arg, fails, i)
                except Transient:
                    continue
                else:
                    return value
            return None

        try:
            return [with_retry(x), checked(x)]
        except RuntimeError as e:
            return str(e)
    """, {"x": "a", "fails": 0}, {"x": "b", "fails": 2}, {"x": "c", "fails": 3}, {"x": "d", "fails": 9})
    assert [r["output"] for r in results] == [["a-ok", "a-ok"], ["b-ok", None], "gave up",
                                              ["handler flaky 0", None]]


NONLOCAL = """
def fetch(n):
    return [{"k": "k" + str(i % 3), "v": i % 5 - 2} for i in range(n)]

@sfn.workflow
def main(n, start=0):
    calls = start
    total = 0
    seen = []

    def bump(d, k, by=1):
        nonlocal calls
        calls += 1
        d[k] = d.get(k, 0) + by

    def swap(c):
        nonlocal total, seen
        total = c + 10
        if c > 2:
            seen = seen + [c]
        return c

    acc = {}
    for it in fetch(n):
        if it["v"] < 0:
            bump(acc, it["k"])
        else:
            bump(acc, it["k"], it["v"])
    old = swap(total)
    again = swap(total) + swap(3)
    return {"acc": acc, "calls": calls, "total": total, "old": old, "again": again, "seen": seen}
"""


def test_a_nested_helper_that_declares_nonlocal_runs_inline():
    """`nonlocal calls; calls += 1` in a helper was refused ("it has a nonlocal declaration",
    once per call): inline, the name is the workflow's own variable; an argument that passes
    that variable is its value at the call (`swap(total)` returns the old total)."""
    results = assert_same(NONLOCAL, {"n": 7}, {"n": 0}, {"n": 3, "start": 5})
    assert results[0]["output"] == {"acc": {"k0": 3, "k1": 3, "k2": 1}, "calls": 7, "total": 13, "old": 0,
                                    "again": 13, "seen": [10, 3]}


def test_a_nonlocal_name_read_before_the_workflow_sets_it():
    results = assert_same("""
    @sfn.workflow
    def main(flag):
        def read():
            nonlocal late
            return late + 1
        if flag:
            late = 1
        try:
            return read()
        except NameError as e:
            return str(e)
    """, {"flag": True}, {"flag": False})
    assert results[1]["output"] == ("cannot access free variable 'late' where it is not associated with a value "
                                    "in enclosing scope")
