"""Callees (Lambda tasks), retries, timeouts, parallel branches, maps and waits: both ways."""

from __future__ import annotations

import pytest

import pysfn_emulator
from pysfn_compile import sfn

from .helpers import assert_same, compile_text, emulate, refusal, same

CASES = {
    "positional_keyword_and_effect_only_calls": ("""
        LOG = []

        def record(event: str, level: str = "info") -> None:
            LOG.append((level, event))

        def add(a: int, b: int = 10, *, scale: int = 1) -> int:
            return (a + b) * scale

        @sfn.workflow
        def main(x: int):
            record("start")
            record(level="debug", event="x")
            total = add(x) + add(x, 2) + add(b=x, a=1, scale=3)
            return total
    """, [{"x": 1}, {"x": -5}]),
    "calls_in_expressions_keep_order": ("""
        def f(x: int) -> int:
            if x < 0:
                raise ValueError("negative")
            return x * 2

        @sfn.workflow
        def main(d: dict[str, int], k: str):
            return d[k] + f(d[k]), [f(1), f(2)][0], {"a": f(3)}
    """, [{"d": {"a": 1}, "k": "a"}, {"d": {"a": 1}, "k": "b"}, {"d": {"a": -1}, "k": "a"}]),
    "float_arguments_and_results": ("""
        def half(x: float) -> float:
            return x / 2

        def show(x: float) -> str:
            return repr(x)

        @sfn.workflow
        def main(price: float, qty: int):
            total = price * qty
            return [half(total), show(total), show(3.0), half(float(qty))]
    """, [{"price": 2.5, "qty": 4}, {"price": 3, "qty": 1}]),
    "parallel_branches": ("""
        def fetch(source: str, key: int) -> dict:
            if source == "broken":
                raise ConnectionError(f"{source} is down")
            return {"source": source, "key": key}

        @sfn.workflow
        def main(key: int, second: str):
            def slow():
                total = 0
                for i in range(key):
                    total += i
                return {"total": total}

            a, b, c = sfn.parallel(lambda: fetch("db", key), lambda: fetch(second, key + 1), slow)
            return [a, b, c]
    """, [{"key": 3, "second": "cache"}, {"key": 0, "second": "broken"}]),
    "parallel_error_caught": ("""
        class Unavailable(Exception):
            pass

        def fetch(source: str) -> str:
            if source == "down":
                raise Unavailable(source + " unavailable")
            return source.upper()

        @sfn.workflow
        def main(sources: list[str]):
            try:
                results = sfn.parallel(lambda: fetch(sources[0]), lambda: fetch(sources[1]))
            except Unavailable as e:
                return "degraded: " + str(e)
            return results
    """, [{"sources": ["a", "b"]}, {"sources": ["a", "down"]}, {"sources": ["a"]}]),
    "map_with_callee_and_body": ("""
        def score(item: dict) -> int:
            return len(item["name"]) * item["weight"]

        @sfn.workflow
        def main(items: list[dict]):
            scores = sfn.map(score, items)

            def describe(item):
                label = item["name"].upper()
                if item["weight"] > 1:
                    label += "!"
                return label

            labels = sfn.map(describe, items, max_concurrency=2)
            return scores, labels
    """, [{"items": [{"name": "ab", "weight": 2}, {"name": "c", "weight": 1}]}, {"items": []},
          {"items": [{"name": "x"}]}]),
    "comprehension_with_callee_is_a_map": ("""
        def enrich(n: int) -> dict:
            if n == 13:
                raise ValueError("unlucky")
            return {"n": n, "square": n * n}

        @sfn.workflow
        def main(ns: list[int]):
            rows = [enrich(n) for n in ns if n > 0]
            return [row["square"] for row in rows]
    """, [{"ns": [1, -2, 3]}, {"ns": []}, {"ns": [2, 13, 4]}]),
    "sleep_and_sleep_until": ("""
        def now_plus(seconds: int) -> str:
            return "2020-01-01T00:00:00Z"

        @sfn.workflow
        def main(wait: int):
            sfn.sleep(wait)
            sfn.sleep(2)
            sfn.sleep_until(now_plus(5))
            return "woke"
    """, [{"wait": 0}, {"wait": 30}]),
    "retry_flaky_callee": ("""
        ATTEMPTS = {}

        @sfn.retry(errors=[TimeoutError], max_attempts=3, interval=1, backoff=2.0)
        def flaky(key: str, failures: int) -> str:
            ATTEMPTS[key] = ATTEMPTS.get(key, 0) + 1
            if ATTEMPTS[key] <= failures:
                raise TimeoutError(f"attempt {ATTEMPTS[key]} timed out")
            return f"ok after {ATTEMPTS[key]}"

        @sfn.workflow
        def main(key: str, failures: int):
            return flaky(key, failures)
    """, None),
    "task_timeouts_compile": ("""
        @sfn.task(timeout=30, heartbeat=10)
        def slow(x: int) -> int:
            return x

        @sfn.workflow
        def main(x: int):
            return slow(x)
    """, [{"x": 4}]),
}


@pytest.mark.parametrize("name", sorted(k for k, v in CASES.items() if v[1] is not None))
def test_same_result_both_ways(name):
    source, inputs = CASES[name]
    assert_same(source, *inputs)


def test_retry_both_ways_on_the_sfn_clock():
    compiled = compile_text(CASES["retry_flaky_callee"][0])
    attempts = compiled.module.ATTEMPTS
    for failures, expected in ((0, "SUCCEEDED"), (2, "SUCCEEDED"), (3, "SUCCEEDED"), (4, "FAILED")):
        attempts.clear()
        clock = sfn.Clock(virtual=True)
        python = compiled.run_python({"key": "k", "failures": failures}, clock=clock)
        python_slept = clock.slept
        attempts.clear()
        machine = emulate(compiled, {"key": "k", "failures": failures})
        assert same(machine, python)
        assert python["status"] == expected
        assert python_slept == sum([1, 2, 4][: min(failures, 3)])
    task = next(s for s in compiled.definition["States"].values() if s["Type"] == "Task")
    assert task["Retry"][1] == {"ErrorEquals": ["TimeoutError"], "IntervalSeconds": 1, "MaxAttempts": 3,
                                "BackoffRate": 2.0}


def test_lambda_service_retrier_and_timeouts_on_every_task():
    compiled = compile_text(CASES["task_timeouts_compile"][0])
    task = next(s for s in compiled.definition["States"].values() if s["Type"] == "Task")
    assert task["Retry"][0] == {"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException",
                                                "Lambda.SdkClientException", "Lambda.TooManyRequestsException"]}
    # 1 s, 3 attempts, rate 2.0: the defaults; no Comment (coverage knows it by its error names)
    assert task["TimeoutSeconds"] == 30 and task["HeartbeatSeconds"] == 10
    assert task["Arguments"]["Payload"] == {"function": "slow", "args": ["{% $x %}"]}


def test_sleep_moves_the_virtual_clock_the_same():
    compiled = compile_text(CASES["sleep_and_sleep_until"][0])
    clock = sfn.Clock(virtual=True)
    compiled.run_python({"wait": 30}, clock=clock)
    assert clock.slept >= 32


MORE = {
    "while_condition_calls_a_callee": ("""
        STEPS = {}

        def begin(job: str) -> None:
            STEPS[job] = 0

        def poll(job: str) -> str:
            STEPS[job] += 1
            return "done" if STEPS[job] >= 3 else "running"

        @sfn.workflow
        def main(job: str):
            begin(job)
            polls = 0
            while poll(job) != "done":
                polls += 1
                sfn.sleep(5)
            return polls
    """, [{"job": "a"}]),
    "names_that_jsonata_uses": ("""
        def count(states: list[int]) -> int:
            return len(states)

        @sfn.workflow
        def main(states: list[int], type: str = "t", sum: int = 0):
            keys = count(states)
            map = {"type": type, "n": keys}
            string = str(keys + sum)
            return map, string, states
    """, [{"states": [1, 2]}, {"states": [], "type": "x", "sum": 5}]),
    "callee_raises_sfn_fail": ("""
        def check(amount: int) -> int:
            if amount > 100:
                raise sfn.Fail("Limit.Exceeded", f"{amount} is over the limit")
            return amount

        @sfn.workflow
        def main(amount: int, catch: bool):
            if catch:
                try:
                    return check(amount)
                except Exception as e:
                    return "caught: " + str(e)
            return check(amount)
    """, [{"amount": 5, "catch": False}, {"amount": 500, "catch": False}, {"amount": 500, "catch": True}]),
    "map_with_lambda_and_parallel_in_body": ("""
        def square(x: int) -> int:
            return x * x

        def cube(x: int) -> int:
            return x * x * x

        @sfn.workflow
        def main(xs: list[int]):
            doubled = sfn.map(lambda x: x * 2, xs)

            def both(x):
                s, c = sfn.parallel(lambda: square(x), lambda: cube(x))
                return s + c

            return doubled, sfn.map(both, xs)
    """, [{"xs": [1, 2, 3]}, {"xs": []}]),
    "early_return_in_loop_and_else_raise": ("""
        def find(items: list[str], wanted: str) -> int:
            return items.index(wanted) if wanted in items else -1

        @sfn.workflow
        def main(items: list[str], wanted: list[str]):
            for w in wanted:
                position = find(items, w)
                if position >= 0:
                    return {"found": w, "at": position}
            else:
                raise LookupError(f"none of {wanted} found")
    """, [{"items": ["a", "b"], "wanted": ["x", "b"]}, {"items": [], "wanted": ["q"]}]),
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_both_ways(name):
    source, inputs = MORE[name]
    assert_same(source, *inputs)


def test_chained_assignment_of_a_call_result():
    assert_same("""
        def f(x: int) -> list[int]:
            return [x, x]

        @sfn.workflow
        def main(x: int):
            a = b = f(x)
            c = f(x)[0] + 1
            d = {}
            d["k"] = f(x)
            return a, b, c, d
    """, {"x": 3})


def test_a_tuple_crosses_the_lambda_boundary_as_a_list():
    """Found in session 8: a callee returning its tuple argument gave the plain run a tuple
    (`f(t) == [1, 2]` False) and the machine a list (True). Now a value that may hold a tuple
    is refused as an argument, and a tuple a callee returns is a list in both runs."""
    assert "may hold a tuple" in refusal("""
    def f(x):
        return x

    @sfn.workflow
    def main(n: int):
        return f((n, n + 1))
    """)
    results = assert_same("""
    def pair(n):
        return (n, n * 2)

    @sfn.workflow
    def main(n: int):
        p = pair(n)
        return [p == [n, n * 2], p[1], isinstance(p, list), f(list((n, 1)))]

    def f(x):
        return x
    """, {"n": 1})
    assert results[0]["output"] == [True, 2, True, [1, 1]]


def test_an_except_clause_names_the_subclasses_the_lambda_can_raise_not_the_compilers():
    """`except ValueError` around a callee catches the ValueError subclasses of the modules the
    workflow imports (json's JSONDecodeError, its own classes), not those of whatever the
    compiling process loaded (the emulator's, attrs', ...): the definition is the same wherever
    it is compiled."""
    assert pysfn_emulator.run  # loaded in this process: its ValueError subclasses must not appear
    source = """
    import json

    class BadRow(ValueError):
        pass

    def parse(text):
        return json.loads(text)

    @sfn.workflow
    def main(text):
        try:
            return parse(text)
        except ValueError as e:
            return type(e).__name__
    """
    definition = compile_text(source).definition
    names = next(c["ErrorEquals"] for s in definition["States"].values() for c in s.get("Catch", [])
                 if "ValueError" in c["ErrorEquals"])
    assert {"ValueError", "UnicodeDecodeError", "JSONDecodeError", "BadRow"} <= set(names)
    assert not {"InvalidExecutionInput", "JsonataSyntaxError", "NotAnAttrsClassError"} & set(names)
    assert_same(source, {"text": "[1]"}, {"text": "{"})


def test_a_callee_result_without_a_key_its_typeddict_requires_is_refused_by_the_dispatcher():
    """The machine reads a required key of an annotated result without a KeyError check (the
    type says it is there), so the Lambda's dispatcher checks it is, as it checks the types."""
    source = """
    from typing import TypedDict

    class Row(TypedDict):
        id: str
        n: int

    def fetch(full) -> Row:
        return {"id": "r1", "n": 2} if full else {"n": 2}

    @sfn.workflow
    def main(full: bool):
        return fetch(full)["id"]
    """
    compiled = compile_text(source)
    assert emulate(compiled, {"full": True})["output"] == "r1"
    result = emulate(compiled, {"full": False})
    assert (result["error"], result["cause"]) == (
        "TypeError", "fetch() is annotated to return Row, but returned a dict without its key 'id'")
    assert compiled.run_python({"full": False}) == result


def test_the_plain_run_checks_a_result_against_its_annotation_as_the_lambda_does():
    """A new-user trial (session 25): a `-> str` callee returning None raised the dispatcher's
    TypeError in the machine, which `except Exception` caught, while the plain run returned:
    the two took different paths without a word. The plain run's boundary checks the result too."""
    results = assert_same("""
    def find_email(user) -> str:
        return user.get("email")

    @sfn.workflow
    def main(user):
        try:
            email = find_email(user)
        except Exception as e:
            return "failed: " + str(e)
        return email or "no email"
    """, {"user": {"email": "a@b"}}, {"user": {}})
    assert [r["output"] for r in results] == [
        "a@b", "failed: find_email() is annotated to return str, but returned None"]


CALLEE_KEYS = """
def score(x) -> int:
    if x.get("bad"):
        raise ValueError(f"bad item {x['a']}")
    return x["a"] * 2 - x["b"]


def label(x):
    return str(x["a"])


@sfn.workflow
def main(xs):
    best = max(xs, key=score) if xs else None
    worst = min(xs, key=score, default="none")
    order = sorted(xs, key=score, reverse=True)
    names = [x["a"] for x in sorted(xs, key=label)]
    least = min(xs, key=score, default=-1)  # a negative default (fuzz seed 2002: it was refused)
    return [best, worst, order, names, least]
"""


def test_a_callee_as_a_sort_or_min_max_key():
    """`sorted(xs, key=score)` with `score` a callee (a new-user trial: was refused, "the key
    must be a lambda"): the key called once per item, in order, one at a time (a Map state, as
    a comprehension calling it is), the order stable (`reverse=` too); max and min with a key
    annotated `-> int` (keys that always compare), `default=` for none. An item whose key
    raises stops the calls there, as in Python."""
    results = assert_same(CALLEE_KEYS, {"xs": [{"a": 1, "b": 0}, {"a": 3, "b": 4}, {"a": 2, "b": 1}, {"a": 10, "b": 0}]},
                          {"xs": []}, {"xs": [{"a": 1, "b": 0}, {"a": 7, "bad": 1}, {"a": 5, "b": 0}]})
    assert results[0]["output"][:4] == [{"a": 10, "b": 0}, {"a": 1, "b": 0},
                                        [{"a": 10, "b": 0}, {"a": 2, "b": 1}, {"a": 1, "b": 0}, {"a": 3, "b": 4}],
                                        [1, 10, 2, 3]]
    assert results[0]["output"][4] == {"a": 1, "b": 0}
    assert results[1]["output"] == [None, "none", [], [], -1]
    assert results[2]["cause"] == "bad item 7"


def test_a_callee_key_whose_keys_may_not_compare_is_refused_for_min_and_max():
    """min/max compare as they call: keys of kinds Python cannot order would stop it before
    the later calls, so an unannotated key callee stays refused there (sorted calls them all
    first: allowed)."""
    text = refusal("""
def label(x):
    return x["name"]


@sfn.workflow
def main(xs):
    return max(xs, key=label)
""")
    # (it said "the key must be a lambda", where annotating label's return is all it takes)
    assert "annotate it: def label(...) -> int (or float, str, bool)" in text
    assert_same("""
def label(x) -> str:
    return x["name"]


@sfn.workflow
def main(xs):
    return [max(xs, key=label), min(xs, key=label, default=None)]
""", {"xs": [{"name": "b"}, {"name": "c"}, {"name": "a"}]}, {"xs": []})


DICT_COMPREHENSION_CALLS = """
def rate(c):
    if not isinstance(c, str):
        return 0
    if c == "XX":
        raise ValueError("no rate for XX")
    return [c.lower(), len(c)] if c.startswith("L") else len(c) * 2


@sfn.workflow
def main(codes):
    try:
        rates = {c: rate(c) for c in sorted(codes) if c != "skip"}
    except TypeError as e:
        return str(e)
    return [rates, list(rates)]
"""


def test_a_dict_comprehension_that_calls_a_callee():
    """`{c: rate(c) for c in codes}` (a new-user trial: was refused): a Map of the pairs, one
    item at a time, each key then its value as Python evaluates them, a key Python cannot
    insert raising there (before the later calls: "XX" would raise ValueError), a bool key
    stopping loudly (an int key is fine: test_ordinary_python's int keys); later duplicates
    win, the first's place kept."""
    results = assert_same(DICT_COMPREHENSION_CALLS, {"codes": ["US", "LIST", "skip", "DE", "US"]}, {"codes": []},
                          {"codes": ["A", "XX", "B"]}, {"codes": ["L"]}, {"codes": "yx"})
    assert results[0]["output"] == [{"DE": 4, "LIST": ["list", 4], "US": 4}, ["DE", "LIST", "US"]]
    unsorted = DICT_COMPREHENSION_CALLS.replace("sorted(codes)", "codes")
    results = assert_same(unsorted, {"codes": ["b", "a", "b"]}, {"codes": [[1], "XX"]}, {"codes": {"k": 1}})
    assert [r["output"] for r in results] == [[{"b": 2, "a": 2}, ["b", "a"]], "unhashable type: 'list'",
                                              [{"k": 2}, ["k"]]]
    assert_same(unsorted, {"codes": ["a", 5]})
    stopped = emulate(compile_text(unsorted), {"codes": ["a", True]})
    assert stopped["error"] == "pysfn.NonStringKey", stopped


def test_a_record_holding_a_float_passes_to_a_callee_whose_parameter_is_a_typeddict():
    """`notify({"n": ..., "rate": round(rate, 3)})` (a new-user trial, session 20): a parameter
    annotated with a TypedDict converts the key's integral float, and the callee sees 2.0 as
    Python passes it (the compiler refused it although the dispatcher converted); annotated
    `dict`, which converts nothing, the hint names the key and the TypedDict to write."""
    source = """
    from typing import TypedDict


    class Summary(TypedDict, total=False):
        rate: float


    def notify(summary{annotation}):
        return [repr(summary["rate"]), summary["n"]]


    @sfn.workflow
    def main(xs: list[int]):
        rate = sum(xs) / len(xs) if xs else 0.0
        return notify({{"n": len(xs), "rate": round(rate, 3)}})
    """
    results = assert_same(source.format(annotation=": Summary"), {"xs": [2, 2]}, {"xs": [1, 2]}, {"xs": []})
    assert [r["output"] for r in results] == [["2.0", 2], ["1.5", 2], ["0.0", 0]]
    message = refusal(source.format(annotation=": dict"))
    assert "argument 'summary' of notify() may be a float (under 'rate')" in message
    assert "class Summary(TypedDict, total=False): rate: float; then def notify(..., summary: Summary, ...)" in message


def test_floats_the_types_know_reach_an_unannotated_callee_as_floats():
    """`save(total / n)`, `notify({"rate": rate})`, `store(prices=[p * 1.1 for p in ps])` to
    callees with no annotations (refused before: "may be a float, and JSON carries 3.0 as 3"):
    the payload names where the floats are ("floats": [[0], [1, "rate"], ["prices", null]]) and
    the dispatcher turns those integral numbers back into floats; the callee sees 2.0 where
    Python passes 2.0. A number that may be an int or a float goes as its companion says
    (test_gradual's int-or-float test); one whose kind nothing tells stays refused."""
    source = """
    def show(a, b, rows=None, prices=None, label=None):
        return [repr(a), repr(b["rate"]), b["n"], repr(rows), repr(prices), repr(label)]


    @sfn.workflow
    def main(xs: list[int]):
        n = len(xs)
        mean = sum(xs) / n if n else 0.0
        return show(mean, {"n": n, "rate": round(mean, 3)}, rows=[{"v": x * 1.0} for x in xs],
                    prices=[p / 1 for p in xs], label=mean * 2)
    """
    results = assert_same(source, {"xs": [2, 4]}, {"xs": []}, {"xs": [1]})
    assert results[0]["output"] == ["3.0", "3.0", 2, "[{'v': 2.0}, {'v': 4.0}]", "[2.0, 4.0]", "6.0"]
    payload = next(state["Arguments"]["Payload"] for state in compile_text(source).definition["States"].values()
                   if state["Type"] == "Task")
    assert payload["floats"] == [[0], [1, "rate"], ["rows", None, "v"], ["prices", None], ["label"]], payload
    assert "may be a float or an int, and JSON carries 3.0 as 3" in refusal("""
    def show(a):
        return repr(a)


    @sfn.workflow
    def main(xs: list[int]):
        return show([0, 1.5][len(xs) % 2])
    """)


def test_a_computed_float_stored_in_a_value_of_unknown_type_is_not_passed_to_a_callee():
    """`rec = get(text)` (json.loads: any JSON value), `rec["x"] = n / 2`, `show(rec)`: Python
    passes 2.0, the Lambda would get 2 (JSON), and no path can say which of rec's numbers are
    floats. It was accepted (the float check took any JSON value as safe: silent, older than
    session 20, found in review); refused now, as printing such a value is."""
    source = """
    import json


    def get(text):
        return json.loads(text)


    def show(rec):
        return repr(rec)


    @sfn.workflow
    def main(n: int, text: str):
        rec = get(text)
        rec["x"] = {value}
        return show(rec)
    """
    message = refusal(source.format(value="n / 2"))
    assert "argument 'rec' of show() holds a float the workflow computed among numbers of unknown type" in message
    assert_same(source.format(value="n // 2"), {"n": 4, "text": '{"a": 1.5}'})


def test_a_float_under_a_key_that_reads_as_a_jsonata_template():
    """A record key "{% $x %}" in the payload's "floats" (written as a literal, AWS would take it
    for an expression and fail: found in review): the paths are then one JSONata expression."""
    results = assert_same("""
    def show(v):
        return repr(v)


    @sfn.workflow
    def main(n: int):
        return show({"{% $x %}": n / 2, "plain": n / 4})
    """, {"n": 4})
    assert results[0]["output"] == "{'{% $x %}': 2.0, 'plain': 1.0}"


def test_callees_with_star_args_and_keyword_options():
    """A new-user trial: a callee declaring `*names` or `**options` was an internal compiler
    error (the bound arguments' tuple and dict taken for one value). Each item and option is an
    argument of its own: its floats restored where the Lambda receives it."""
    results = assert_same("""
    def tags(*names):
        return ",".join(names)

    def opts(**options):
        return [[k, repr(v)] for k, v in sorted(options.items())]

    def shown(*values: float):
        return repr(values)

    def scaled(base, **factors: float):
        return repr([base, sorted(factors.items())])

    @sfn.workflow
    def main(sku, n: int):
        half = n / 2
        return [tags("x", sku), tags(), opts(a=sku, b=half), opts(), shown(half, float(n)),
                scaled(n, x=float(n), base2=half)]
    """, {"sku": "s1", "n": 4}, {"sku": "", "n": 3})
    assert results[0]["output"] == ["x,s1", "", [["a", "'s1'"], ["b", "2.0"]], [], "(2.0, 4.0)",
                                    "[4, [('base2', 2.0), ('x', 4.0)]]"]


def test_sfn_map_over_what_is_not_a_list_fails_the_same_both_ways():
    """A new-user trial: `sfn.map(check, servers)` with a dict (or a str) of a parameter nobody
    annotated: the machine raised TypeError (a Map's items are a JSON array) where the plain run
    iterated the keys. sfn.map's contract is a list: the plain run raises the same TypeError;
    a range, a dict's keys or values stay lists both ways."""
    source = """
    def check(name):
        return str(name).upper()

    @sfn.workflow
    def checks(servers, n: int):
        d = {"a": 1, "b": 2}
        return [sfn.map(check, servers), sfn.map(check, range(n)), sfn.map(check, d.keys()),
                sfn.map(check, list(d.values()))]
    """
    results = assert_same(source, {"servers": ["a", "b"], "n": 2}, {"servers": {"web": 1}, "n": 1},
                          {"servers": "ab", "n": 0}, {"servers": None, "n": 0}, {"servers": True, "n": 0})
    assert results[0]["output"] == [["A", "B"], ["0", "1"], ["A", "B"], ["1", "2"]]
    assert [r["cause"] for r in results[1:3]] == ["sfn.map() items must be a list, not dict",
                                                  "sfn.map() items must be a list, not str"]


LANES = """
HITS = []


def reset():
    HITS.clear()


def handle(item):
    n, wait = item
    HITS.append(n)
    if wait:
        sfn.sleep(wait)
    if n < 0:
        raise ValueError(f"bad {n}")
    return n


def hits():
    return sorted(HITS)


def fail(n):
    HITS.append(n)
    raise ValueError(f"branch {n}")


@sfn.workflow
def main(ns, waits, conc):
    reset()
    items = [[n, w] for n, w in zip(ns, waits)]
    try:
        if conc == 0:
            out = sfn.map(handle, items)
        elif conc == 1:
            out = sfn.map(handle, items, max_concurrency=1)
        elif conc == 2:
            out = sfn.map(handle, items, max_concurrency=2)
        else:
            out = sfn.parallel(lambda: fail(1), lambda: handle([2, 0]), lambda: fail(3))
        return {"out": out, "hits": hits()}
    except ValueError as e:
        return {"err": str(e), "hits": hits()}
"""


def test_sfn_map_and_parallel_run_their_items_as_the_machine_does_after_a_failure():
    """The plain run ran items one by one and stopped at the first failure; the machine starts
    `max_concurrency` items at a time (all when None) and stops when it sees a failure: items
    already started ran (their callees charged). The plain run now runs them on lanes with the
    time each sleeps (sfn._in_lanes): all items with no limit, none started after the failure
    ended, and the failure that ended first raised (session 24's trials)."""
    results = assert_same(LANES, {"ns": [1, -2, 3, 4], "waits": [0, 0, 0, 0], "conc": 0},
                          {"ns": [1, -2, 3, 4], "waits": [0, 0, 0, 0], "conc": 1},
                          {"ns": [1, -2, -3, 4], "waits": [0, 5, 1, 0], "conc": 0},
                          {"ns": [1, 2, -3, 4, 5, 6], "waits": [1, 5, 2, 0, 0, 0], "conc": 2},
                          {"ns": [1, 2, 3], "waits": [1, 0, 2], "conc": 2},
                          {"ns": [], "waits": [], "conc": 3})
    assert [r["output"] for r in results] == [
        {"err": "bad -2", "hits": [-2, 1, 3, 4]}, {"err": "bad -2", "hits": [-2, 1]},
        {"err": "bad -3", "hits": [-3, -2, 1, 4]}, {"err": "bad -3", "hits": [-3, 1, 2]},
        {"out": [1, 2, 3], "hits": [1, 2, 3]}, {"err": "branch 1", "hits": [1, 2, 3]}]


STOPPED_LANES = """
LOG = []


class Busy(Exception):
    pass


def reset():
    LOG.clear()
    return 0


@sfn.retry(errors=[Busy], max_attempts=2, interval=5)
def handle(x):
    LOG.append(x)
    if x == "bad":
        raise ValueError("bad item")
    if LOG.count(x) == 1:
        raise Busy("busy")
    return x


def a():
    LOG.append("a")
    return "A"


def b():
    LOG.append("b")
    raise ValueError("b failed")


def cleanup():
    LOG.append("cleanup")
    return 1


def log():
    return sorted(LOG)


@sfn.workflow
def main(items, delay=10):
    reset()

    def left():
        try:
            sfn.sleep(delay)
            return a()
        finally:
            cleanup()

    try:
        if items:
            return sfn.map(handle, items)
        return sfn.parallel(left, b)
    except ValueError as e:
        return {"err": str(e), "log": log()}
"""


def test_a_map_or_parallel_that_fails_stops_the_others_where_they_wait_in_the_plain_run_too():
    """A trial of orchestration workflows (session 27): each item or branch ran whole in the
    plain run, so where one failed, another's retry after its interval, or a branch's callee
    after its sfn.sleep, ran in Python and not in the machine, which stops them where they
    wait. Each now runs on a lane of its own (sfn._in_lanes: a thread run one at a time, in
    the order of the run's clock); where one fails, the others are unwound where they wait,
    calling nothing more (not the callee a `finally` on the way calls). A callee's own waits
    are its Task's: it runs whole."""
    results = assert_same(STOPPED_LANES, {"items": ["a", "bad"]}, {"items": ["a", "b"]},
                          {"items": [], "delay": 10}, {"items": [], "delay": 0})
    assert [r["output"] for r in results] == [
        {"err": "bad item", "log": ["a", "bad"]}, ["a", "b"],
        {"err": "b failed", "log": ["b"]}, {"err": "b failed", "log": ["a", "b", "cleanup"]}]
    # the run's clock after a map: its longest lane's time (it was the sum of every lane's)
    def waits(seconds):
        sfn.sleep(seconds)
        return sfn.clock().now()

    with sfn.virtual_clock(0) as clock:
        assert sfn.map(waits, [3, 5, 1]) == [3, 5, 1]
        assert sfn.map(waits, [3, 5, 1], max_concurrency=2) == [8, 10, 9]
    assert clock.now() == 10


def test_a_lane_without_a_thread_runs_whole(monkeypatch):
    """Where no thread is to be had (a limit on threads or virtual memory: 1,000 items waiting
    at once under a 6 GB `ulimit -v`), a lane runs whole in the caller's thread, its waits its
    own time (the plain run raised RuntimeError: can't start new thread)."""
    def no_thread():
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(sfn, "_Worker", no_thread)

    def waits(seconds):
        sfn.sleep(seconds)
        if seconds == 4:
            raise ValueError("four")
        return sfn.clock().now()

    with sfn.virtual_clock(0) as clock:
        assert sfn.map(waits, [3, 5, 1]) == [3, 5, 1]
        assert clock.now() == 5
        with pytest.raises(ValueError, match="four"):
            sfn.parallel(lambda: waits(6), lambda: waits(4))
        assert clock.now() == 9


def test_a_callee_annotated_to_return_int_keys_is_refused_where_it_is_annotated():
    """`def levels() -> dict[int, str]` (session 24's trials): the dispatcher raised TypeError
    in the machine (JSON keys are strings), which the workflow's `except TypeError` caught,
    where the plain run saw str keys: refused at the annotation, at any depth, with a way out."""
    for annotation in ("dict[int, str]", "list[dict[int, str]]", "dict[str, dict[int, int]] | None", "Levels"):
        message = refusal(f"""
        from typing import TypedDict


        class Levels(TypedDict):
            names: dict[int, str]


        def levels() -> {annotation}:
            return {{}}


        @sfn.workflow
        def main(points: int):
            return levels()
        """)
        assert "levels() is annotated to return a dict with int keys" in message, annotation
        assert "wf.py:10:" in message and "str(n)" in message


def test_a_callee_that_changes_its_argument_where_the_compiler_cannot_see_it_fails_the_plain_run():
    """A session-25 trial: a callee changing its list or dict argument through an alias, a loop
    variable, `+=`, a helper or a library (`random.Random(1).shuffle(xs)`) was not refused, and
    the workflow saw the change in Python only (a Lambda gets a copy). The plain run ends with
    pysfn.CalleeChangedArgument once the workflow returns (its `except` cannot take it)."""
    compiled = compile_text("""
    import random

    def _grow(xs):
        xs.append(9)

    def mark(rows, how):
        if how == "loop":
            for r in rows:
                r["seen"] = True
        elif how == "helper":
            _grow(rows)
        elif how == "library":
            random.Random(1).shuffle(rows)
        return len(rows)

    @sfn.workflow
    def main(rows, how):
        try:
            n = mark(rows, how)
        except Exception as e:
            return str(e)
        return {"rows": rows, "n": n}
    """)
    for how in ("loop", "helper", "library"):
        result = compiled.run_python({"rows": [{"id": 1}, {"id": 2}], "how": how})
        assert result["error"] == "pysfn.CalleeChangedArgument", how
        assert result["cause"].startswith("mark() changed its argument 1 in place"), result
    assert same(emulate(compiled, {"rows": [{"id": 1}], "how": "none"}),
                compiled.run_python({"rows": [{"id": 1}], "how": "none"}))


def test_a_callee_result_json_cannot_carry_fails_the_call_in_both_runs():
    """A callee returning a Decimal (boto3's DynamoDB numbers), a datetime or a set fails on
    AWS (Lambda's Runtime.MarshalError), which `except Exception` catches; the plain run went on
    with the value (a session-26 trial)."""
    results = assert_same("""
    import datetime
    from decimal import Decimal

    def price(x):
        if x == "d":
            return {"amount": Decimal("12.50")}
        if x == "t":
            return {"at": datetime.datetime(2024, 1, 2)}
        return {"amount": {1, 2}} if x == "s" else {"amount": 3}

    @sfn.workflow
    def main(x, catch):
        if not catch:
            return price(x)["amount"]
        try:
            p = price(x)
        except Exception as e:
            return [type(e).__name__, str(e)]
        return p["amount"]
    """, *({"x": x, "catch": True} for x in "dtsn"), {"x": "d", "catch": False})
    assert [r["output"] for r in results[:4]] == [
        ["MarshalError", "Unable to marshal response: Object of type Decimal is not JSON serializable"],
        ["MarshalError", "Unable to marshal response: Object of type datetime is not JSON serializable"],
        ["MarshalError", "Unable to marshal response: Object of type set is not JSON serializable"], 3]
    assert (results[4]["error"], results[4]["cause"]) == (
        "Runtime.MarshalError", "Unable to marshal response: Object of type Decimal is not JSON serializable")


def test_a_callee_returning_nan_or_bytes_fails_the_call_in_both_runs():
    """NaN or infinity is no JSON to Lambda's runtime, nor are bytes (Runtime.MarshalError): the
    plain run passed NaN on, and the emulator took bytes for a raw response body (a new-user
    trial: "abc" where Python raised)."""
    results = assert_same("""
    def ratio(a, b):
        return a / b if b else float("nan") if a == 0 else float("inf")

    def blob():
        return b"abc"

    @sfn.workflow
    def main(a, b, raw):
        try:
            return blob() if raw else ratio(a, b)
        except Exception as e:
            return [type(e).__name__, str(e)]
    """, {"a": 1, "b": 2, "raw": False}, {"a": 0, "b": 0, "raw": False}, {"a": 1, "b": 0, "raw": False},
        {"a": 1, "b": 2, "raw": True})
    assert results[1]["output"][0] == "MarshalError" and results[2]["output"][0] == "MarshalError"
    assert results[3]["output"] == ["MarshalError",
                                    "Unable to marshal response: Object of type bytes is not JSON serializable"]


TIMED_OUT = """
from datetime import datetime

CALLS = []

@sfn.retry(errors=[sfn.Timeout], max_attempts=RETRIES, interval=2)
@sfn.task(timeout=3)
def slow(n):
    CALLS.append(n)
    sfn.sleep(n)
    return n

def reset():
    CALLS.clear()

def calls():
    return CALLS

def seconds(a, b):
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()

@sfn.workflow
def main(n):
    reset()
    start = sfn.now()
    try:
        r = slow(n)
    except sfn.Timeout as e:
        r = ["timed out", str(e)]
    return {"r": r, "calls": calls(), "took": seconds(start, sfn.now())}
"""


@pytest.mark.parametrize("retries", [0, 2])
def test_a_callee_that_waits_past_its_task_timeout_times_out_in_the_plain_run_too(retries):
    """@sfn.task(timeout=3) on a callee that sleeps 5 s (a new-user trial): the machine's Task
    times out, and its retrier calls it again; the plain run went on with the result, calling
    it once. Each attempt times out at 3 s, the time past it never passing."""
    results = assert_same(TIMED_OUT.replace("RETRIES", str(retries)), {"n": 1}, {"n": 5})
    assert results[0]["output"] == {"r": 1, "calls": [1], "took": 1}
    assert results[1]["output"]["calls"] == [5] * (retries + 1)
    assert results[1]["output"]["took"] == 3 * (retries + 1) + sum(2 * 2 ** k for k in range(retries))


def test_sfn_map_over_a_slice_of_a_value_nobody_annotated():
    """`sfn.map(push, regions[:2])` of an unannotated `regions` (a str or a list: its slice) was
    refused ('needs a list, not str | list', a session-26 trial) where `sfn.map(push, regions)`
    compiled: a list at run time, else Python's TypeError."""
    results = assert_same("""
    def push(region):
        return f"pushed {region}"

    @sfn.workflow
    def main(regions):
        try:
            return sfn.map(push, regions[:2])
        except TypeError as e:
            return str(e)
    """, {"regions": ["eu", "us", "ap"]}, {"regions": "abc"}, {"regions": []})
    assert [r["output"] for r in results] == [["pushed eu", "pushed us"], "sfn.map() items must be a list, not str", []]


def test_an_unannotated_result_holding_an_int_past_2_53_fails_both_runs():
    """`big(x)` returning 2**60 + x with no annotation: the machine's JSONata holds it as a
    double (2**60 + 3 == 2**60 + 4 there, not in Python; a trial), so the Lambda refuses it
    as an annotated one is refused, anywhere inside the result, and the plain run alike."""
    source = """
    def big(x):
        return {"n": [2 ** 60 + x]} if x > 0 else 2 ** 53 - 1

    @sfn.workflow
    def main(x):
        g = big(x)
        h = big(x + 1)
        return g == h
    """
    outcomes = assert_same(source, {"x": 3}, {"x": -5})
    assert (outcomes[0]["error"], outcomes[0]["cause"]) == (
        "TypeError", "big() returned 1152921504606846979, beyond 2**53 - 1, which Step Functions cannot carry "
        "exactly (its JSONata holds numbers as doubles): return such a number as a str")
    assert outcomes[1]["output"] is True


SPREAD = """
def send(to, subject="hi", **extra):
    return {"to": to, "subject": subject, "extra": extra}

def strict(to, subject="hi"):
    return [to, subject]

def kinds(**kw):
    return {k: type(v).__name__ for k, v in kw.items()}

@sfn.workflow
def main(to, opts, fixed={"subject": "f"}):
    rates = {"to": 0.5, "subject": 2.0, "n": 2}
    out = [kinds(**rates)]
    for call in range(5):
        try:
            if call == 0:
                out.append(send(to, **opts))
            elif call == 1:
                out.append(send(to, subject="s", **opts))
            elif call == 2:
                out.append(send(**opts, to=to))
            elif call == 3:
                out.append(strict(to, **opts))
            else:
                out.append(strict(**fixed, to=to))
        except TypeError as e:
            out.append(str(e))
    return out
"""


def test_a_callee_called_with_a_mapping_of_keywords():
    """`send(to, **opts)` was refused ("**kwargs in a call is not supported"): the payload's
    kwargs merge the mapping in Python's order; Python's own TypeErrors of the call (no
    mapping, a keyword given twice) are checked before the Task, the callee's (an unexpected or
    repeated parameter) raised by its call in the Lambda; floats of a known record stay floats."""
    results = assert_same(SPREAD, {"to": "a", "opts": {"subject": "s", "x": 1}}, {"to": "a", "opts": {}},
                          {"to": "a", "opts": {"to": "b"}}, {"to": "a", "opts": [1]}, {"to": "a", "opts": None},
                          {"to": "a", "opts": {"x": 1.5, "y": [1, {"z": 2}]}}, {"to": "a", "opts": "s"})
    first = results[0]["output"]
    assert first[0] == {"to": "float", "subject": "float", "n": "int"}
    assert first[1:] == [{"to": "a", "subject": "s", "extra": {"x": 1}},
                         "wf.send() got multiple values for keyword argument 'subject'",
                         {"to": "a", "subject": "s", "extra": {"x": 1}},
                         "strict() got an unexpected keyword argument 'x'", ["a", "f"]]
    assert results[2]["output"][3] == "wf.send() got multiple values for keyword argument 'to'"
    assert results[3]["output"][1] == "wf.send() argument after ** must be a mapping, not list"


def test_a_mapping_of_keywords_the_lambda_cannot_be_told_about_is_refused():
    assert "more than one **mapping" in refusal("""
    def f(**kw):
        return kw

    @sfn.workflow
    def main(a, b):
        return f(**a, **b)
    """)
    assert "must be a mapping, not list" in refusal("""
    def f(**kw):
        return kw

    @sfn.workflow
    def main(a):
        return f(**[a])
    """)
    assert "floats the workflow computed" in refusal("""
    def f(**kw):
        return kw

    @sfn.workflow
    def main(a):
        d = {}
        d[a] = a / 2
        return f(**d)
    """)
