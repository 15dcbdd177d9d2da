"""Issue 10 item 5: the compiled seed example is small and readable, and coverage of a fully
tested workflow counts its source lines and branches, not the compiler's checks."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pysfn_emulator
from pysfn_compile import compile_file
from pysfn_emulator import coverage

from .helpers import assert_same, compile_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_the_seed_example_is_small():
    definition = compile_file(EXAMPLES / "analyse_text.py").definition
    assert len(definition["States"]) <= 8
    first = definition["States"][definition["StartAt"]]
    assert len(first["Choices"]) == 1  # the argument check: one rule
    assert max(len(text) for text in _strings(definition)) <= 1000
    size = len(json.dumps(definition, separators=(",", ":"), ensure_ascii=False).encode())
    assert size <= 4096  # issue 10's 4 KB; was 10,187, then 4,895 (benchmarks/README.md)


def test_a_fully_tested_workflow_covers_its_lines_and_transitions():
    compiled = compile_file(EXAMPLES / "analyse_text.py")
    cov = coverage.Coverage()
    for text in ("a short example", ""):
        cov.add(compiled.definition, pysfn_emulator.run(compiled.definition, {"text": text},
                                                         lambdas=compiled.local_lambdas()), name="seed")
    data = cov.as_dict()["state_machines"][0]
    assert data["lines"]["covered"] == data["lines"]["total"] == 6  # lines 32-37
    assert data["transitions"]["covered"] == data["transitions"]["total"]
    assert data["states"]["covered"] == data["states"]["total"]
    assert data["checks"]["taken"] == 0


def test_an_assert_is_a_branch_and_a_key_lookup_a_check():
    from .helpers import compile_text

    definition = compile_text("""
        @sfn.workflow
        def main(n: int, d: dict[str, int], k: str):
            assert n > 0, "positive"
            return d[k]
    """).definition
    comments = [rule.get("Comment") for state in definition["States"].values()
                for rule in state.get("Choices", [])]
    assert "check: KeyError" in comments and "check: TypeError" in comments
    assert None in comments  # the assert's rule: the source's own branch
    assert not any(c == "check: AssertionError" for c in comments)


PURE_BETWEEN_CALLS = """
    def fetch(x: int) -> int:
        return x * 2

    def store(x: int, label: str) -> str:
        return label + str(x)

    @sfn.workflow
    def main(n: int):
        a = fetch(n)
        b = a + 1
        c = b * 2
        d = c - a
        e = "big" if d > 10 else "small"
        f = e.upper()
        if d > 5:
            label = f + "!"
        else:
            label = f
        return store(d, label)
"""


def test_pure_code_between_two_calls_is_two_states():
    """Issue 10 item 2: five assignments and an if/else of pure code (with their overflow
    guards) are a Pass that runs them and a Choice that sets what they changed, not eight
    states; the Task that returns ends the machine itself."""
    definition = compile_text(PURE_BETWEEN_CALLS).definition
    states = definition["States"]
    fetch = states["Call fetch"]
    run = states[fetch["Next"]]
    after = states[run["Next"]]
    assert run["Type"] == "Pass" and after["Type"] == "Choice"
    assert after["Default"] == "Call store" and states["Call store"]["End"] is True
    assert set(after["Assign"]) == {"c", "d", "label", next(iter(run["Assign"]))}  # what others read
    assert_same(PURE_BETWEEN_CALLS, {"n": 0}, {"n": 1}, {"n": 3}, {"n": -4})
    # c = b * 2 passes 2**53 - 1: the block's guard stops the machine (Python would go on)
    compiled = compile_text(PURE_BETWEEN_CALLS)
    execution = pysfn_emulator.run(compiled.definition, {"n": 2**51}, lambdas=compiled.local_lambdas())
    assert (execution.status, execution.error) == ("FAILED", "pysfn.IntegerOverflow")


def test_the_statement_a_callee_result_goes_into_is_the_tasks_own_assign():
    """`r["score"] = score(r["id"])` in a loop: the Task assigns the changed list itself (no
    Pass after it), two history events fewer per iteration."""
    source = """
        def fetch(n):
            return [{"id": i} for i in range(n)]

        def score(i):
            return i * 3 % 7

        @sfn.workflow
        def main(n):
            recs = fetch(n)
            for r in recs:
                r["score"] = score(r["id"])
            return recs
    """
    compiled = compile_text(source)
    task = compiled.definition["States"]["Call score"]
    assert set(task["Assign"]) == {"recs"} and "$states.result.Payload" in task["Assign"]["recs"]
    assert compiled.definition["States"][task["Next"]]["Type"] == "Choice"  # the loop's next item
    events = [len(pysfn_emulator.run(compiled.definition, {"n": n}, lambdas=compiled.local_lambdas()).history)
              for n in (3, 4)]
    assert events[1] - events[0] == 9  # the loop's Choice, the item's check, the Task
    assert_same(source, {"n": 0}, {"n": 1}, {"n": 5})
    # a Task retrying every error keeps the Pass: were its expression to fail, the retrier
    # would call the callee again
    retried = source.replace("def score(i):", "@sfn.retry(errors=[Exception])\n        def score(i):")
    states = compile_text(retried).definition["States"]
    assert states[states["Call score"]["Next"]]["Type"] == "Pass"
    assert_same(retried, {"n": 3})


def test_a_task_keeps_the_pass_after_it_where_their_values_together_could_pass_the_assign_limit():
    """A Task that assigns its result to a variable of the workflow (`rows = fetch(n)`) keeps
    the Pass after it: AWS limits one Assign's values to 256 KB together, and the 100 KB list
    beside two sorted copies of it passed that where each state's values alone did not (the
    first form of the fold failed the machine with States.DataLimitExceeded here). At 2,000 rows
    (200 KB) the two copies must not share one state either: a folded block of pure code returned
    them in one variable (States.DataLimitExceeded, "exceeds the maximum size ... for one variable")."""
    source = """
        def fetch(n):
            return [f"{i:07d}" + "x" * 90 for i in range(n)]

        @sfn.workflow
        def main(n):
            rows = fetch(n)
            a = sorted(rows)
            b = sorted(rows, reverse=True)
            return [len(a), len(b), a[0][:7], b[0][:7]]
    """
    states = compile_text(source).definition["States"]
    assert set(states["Call fetch"]["Assign"]) == {"rows"}
    assert assert_same(source, {"n": 3}, {"n": 1000}, {"n": 2000})[2]["output"] == [2000, 2000, "0000000", "0001999"]


def test_a_map_of_a_callee_is_one_task_per_item():
    source = """
        def score(x: int) -> int:
            return x * 2

        @sfn.workflow
        def main(xs: list[int]):
            return sfn.map(score, xs)
    """
    definition = compile_text(source).definition
    (map_state,) = [s for s in definition["States"].values() if s["Type"] == "Map"]
    processor = map_state["ItemProcessor"]
    task = processor["States"][processor["StartAt"]]
    assert task["Type"] == "Task" and task["End"] is True
    assert task["Arguments"]["Payload"] == {"function": "score", "args": ["{% $states.input %}"]}
    assert map_state.get("End") is True  # the Map returns: no Succeed after it
    assert_same(source, {"xs": []}, {"xs": [1, 2, 3]}, {"xs": [1, 2.5]}, {"xs": [2**53]}, {"xs": [[1]]})


def _example_coverage(name: str) -> dict:
    compiled = compile_file(EXAMPLES / f"{name}.py")
    cov = coverage.Coverage()
    for payload in json.loads((EXAMPLES / f"{name}.inputs.json").read_text()):
        cov.add(compiled.definition, pysfn_emulator.run(compiled.definition, payload,
                                                         lambdas=compiled.local_lambdas()), name=name)
    return cov.as_dict()["state_machines"][0]


def test_the_ways_out_of_a_folded_loop_that_only_checks_reach_are_checks():
    """A folded loop's Choice routes the exceptions its guards raise (Python's TypeError,
    KeyError, the machine's loud stops) and sends a loop whose step budget ran out round
    again: all the compiler's, none a branch of the source. sales_report's inputs run every
    source line; before, its coverage showed 13 of 32 transitions (the guard exits counted)."""
    definition = compile_file(EXAMPLES / "sales_report.py").definition
    after = definition["States"]["After For sale in sales (line 36)"]
    assert after["Default"] == "Set lines"  # the loop's normal end
    assert all(rule["Comment"].startswith("check: ") for rule in after["Choices"])
    assert after["Choices"][0]["Next"] == "Run For sale in sales (line 36)"
    data = _example_coverage("sales_report")
    assert data["lines"]["covered"] == data["lines"]["total"]
    assert data["states"]["covered"] == data["states"]["total"]
    assert data["transitions"]["covered"] == data["transitions"]["total"]
    assert data["checks"]["total"] >= 10  # (the records' keys are known present: no KeyError checks for them)


def test_a_folded_block_whose_handler_the_source_reaches_keeps_that_branch():
    source = """
        class Bad(Exception):
            pass

        def fetch(n: int) -> int:
            return n

        def store(x: int) -> int:
            return x

        @sfn.workflow
        def main(n: int, d: dict[str, int]):
            a = fetch(n)
            try:
                b = a + 1
                if b > 3:
                    raise Bad("big")
                c = d["k"] + b
            except Bad:
                c = store(0)
            return store(c)
    """
    definition = compile_text(source).definition
    rules = [(rule.get("Comment", ""), rule["Next"]) for state in definition["States"].values()
             for rule in state.get("Choices", []) if '"@step"' in rule["Condition"]]
    # the `raise Bad` the source writes reaches the handler (a Task: outside the block): a
    # branch; the KeyError of d["k"] only a check
    assert ("", "Call store") in rules or ("", "Call store #2") in rules
    assert any(comment == "check: KeyError" for comment, _ in rules)
    assert_same(source, {"n": 0, "d": {"k": 1}}, {"n": 5, "d": {}}, {"n": 0, "d": {}})


def _coverage_of(name: str, payloads: list, build: bool = True) -> dict:
    compiled = compile_file(EXAMPLES / f"{name}.py", coverage=build)
    cov = coverage.Coverage()
    for payload in payloads:
        cov.add(compiled.definition, pysfn_emulator.run(compiled.definition, payload,
                                                         lambdas=compiled.local_lambdas()),
                name=name, source_map=compiled.source_map)
    return cov.as_dict()["state_machines"][0]


def test_a_coverage_build_counts_the_branches_folded_into_pure_code():
    """sales_report's branches (both loops entered or not, `if sale["cents"] < min_cents`
    taken or not) all run inside two folded loops, which no history shows: a coverage build's
    Run states name the branches they took, and its source map says which they are."""
    payloads = json.loads((EXAMPLES / "sales_report.inputs.json").read_text())
    plain = compile_file(EXAMPLES / "sales_report.py")
    assert plain.source_map == {}
    data = _coverage_of("sales_report", payloads)
    assert data["lines"]["covered"] == data["lines"]["total"]
    assert data["branches"] == {"total": 6, "covered": 6, "never_taken": []}
    # no sale below min_cents (input 0 has min_cents 0), no region at all (count 0)
    data = _coverage_of("sales_report", [payloads[0]])
    assert data["branches"]["covered"] == 5
    (missed,) = data["branches"]["never_taken"]
    assert missed.startswith('line 38: if sale["cents"] < min_cents: (rule ')
    data = _coverage_of("sales_report", [payloads[2]])  # count 0: neither loop entered
    assert data["branches"]["covered"] == 2
    assert sorted(data["branches"]["never_taken"]) == [
        "line 36: for sale in sales: (rule 1 to line 38, folded into Run For sale in sales (line 36))",
        'line 38: if sale["cents"] < min_cents: (default to line 40, folded into Run For sale in sales (line 36))',
        'line 38: if sale["cents"] < min_cents: (rule 2 to line 44, folded into Run For sale in sales (line 36))',
        "line 46: for region in sorted(totals): (rule 1 to line 47, folded into Run For region in sorted(totals) "
        "(line 46))"]


def test_a_coverage_build_computes_what_the_plain_build_computes():
    for name in ("sales_report", "etl_batch", "inventory_reconciliation", "order_processing"):
        plain, build = compile_file(EXAMPLES / f"{name}.py"), compile_file(EXAMPLES / f"{name}.py", coverage=True)
        assert build.source_map["folded"], name
        for payload in json.loads((EXAMPLES / f"{name}.inputs.json").read_text()):
            one = pysfn_emulator.run(plain.definition, payload, lambdas=plain.local_lambdas())
            two = pysfn_emulator.run(build.definition, payload, lambdas=build.local_lambdas())
            assert (one.status, one.output, one.error, one.cause) == (two.status, two.output, two.error, two.cause)


def test_the_catchers_of_several_calls_leading_to_one_except_are_one_branch():
    """error_handling_finally's `try` around parse, validate and publish has three `except`
    clauses: 3 branches (not one per call and clause), the inner `except PublishConflict`
    one, and the `finally` leaving normally or raising again two."""
    payloads = json.loads((EXAMPLES / "error_handling_finally.inputs.json").read_text())
    data = _coverage_of("error_handling_finally", payloads, build=False)
    assert data["branches"]["total"] == 6
    assert data["branches"]["covered"] == 6
    assert data["transitions"]["covered"] < data["transitions"]["total"]  # per call: not all


def test_arithmetic_on_a_value_of_unknown_type_and_a_literal_skips_what_the_literal_settles():
    """`x // 100` with `x` unannotated: 100 is a nonzero int, so no ZeroDivisionError check
    and no test of its kind at run time (sales_report: 457 characters of its largest field);
    `x // y` keeps both."""
    source = """
        @sfn.workflow
        def main(x, y):
            a = x // 100
            b = x % 7
            c = x * 3 - 1
            d = x // y
            return [a, b, c, d]
    """
    text = json.dumps(compile_text(source).definition)
    assert text.count("float floor division by zero") == 1  # x // y only
    assert "float modulo" not in text
    assert "$type(100)" not in text and "$floor(7)" not in text
    assert_same(source, {"x": 250, "y": 3}, {"x": -250, "y": -3}, {"x": "s", "y": 1},
                {"x": [1], "y": 1}, {"x": 5, "y": 0}, {"x": True, "y": 1}, {"x": None, "y": 1})
    # a float x: 2.5 // 100 is the float 0.0, which JSON carries as 0: a loud stop where it shows
    # (returned, it does not: the output is JSON, where 0 and 0.0 are one number)
    compiled = compile_text(source.replace("return [a, b, c, d]", "return str([a, b, c, d])"))
    execution = pysfn_emulator.run(compiled.definition, {"x": 2.5, "y": 2}, lambdas=compiled.local_lambdas())
    assert (execution.status, execution.error) == ("FAILED", "pysfn.AmbiguousNumber")


def _field_sizes():
    """benchmarks/field_sizes.py, the script that measures and attributes the fields."""
    spec = importlib.util.spec_from_file_location("field_sizes", EXAMPLES.parent / "benchmarks" / "field_sizes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Issue 10 §5: "no field over 1,000 characters unless the user's own expression is that large".
# Not met yet: per example, the fields over the limit that the user's source does not explain
# (field_sizes.py: the source lines the field's state runs are under 1,000 characters), as
# (how many, the largest). A ratchet: a change may lower these (then lower them here), never
# raise them. Where the characters go: benchmarks/README.md, "Field sizes". (bulk_fan_out's
# 4,290 -> 4,443, sales_report's 5,806 -> 5,928: str order by code point, not jsonata-js's UTF-16
# units: $__cpk. sorted(xs) with no key sorts with $sort's own comparison where it can, so
# thousands of items fit one evaluation; a dict's keys, strs, with $__sorted_str, which tests no
# kinds: bulk_fan_out's second field 1,048 -> 757. zip() is JSONata's $zip and xs[lo:hi] clamps
# no bounds: batch_scoring's pairs 1,124 -> 827 and its cheapest check 1,183 -> 773. A callee
# without a return annotation returns what its body certainly builds (callee_returns.py):
# sales_report's loops 3,765 -> 1,706 and 2,814 -> 1,312, statistics_report's 1,875 -> 1,212.
# Literal slice bounds, widths and divisors need no helper, and `d[k]` in a loop over d's keys
# no key check: statistics_report 1,212 -> 962, sales_report's second loop 1,312 -> 989. Its
# first loop's products of inferred small ints need no overflow check: 1,706 -> 1,656.
# Raised once, on purpose (session 24): repr() of a str escapes what Python escapes up to
# U+FFFF (a BOM, U+200B, U+2028 were printed raw, a silent difference), 355 more characters of
# $__repr_str in every field that prints a str's repr: etl_batch 2,778 -> 3,131, and three
# examples' fields of str(x) for x of unknown type or !r passed 1,000.)
# (session 31: repr() of a str grew 131 characters, to escape the tags and private use planes
# beyond U+FFFF as Python does, flag emoji hold tags; str.title() 124, to title ASCII text a
# letter run at a time, where 200 strings had passed an evaluation's budget)
# (session 33: bulk_fan_out 2,180 -> 2,568, the loop inside its loop reads its list by position,
# held with the list (positional_lists.hold): a filter per read made a loop over 18,000 strings
# meet AWS's event quota)
FIELDS_OVER_THE_LIMIT = {"bulk_fan_out": (1, 2568), "dice_stats": (1, 1344), "etl_batch": (1, 3386),
                         "invoice_formatting": (1, 1104), "order_fulfilment": (2, 1458), "sales_report": (2, 1427)}


def test_no_field_passes_the_limit_unless_the_users_expression_does():
    """The rule: a field may pass 1,000 characters only when the Python source its state runs
    is over 1,000 characters itself; and no field defines a helper twice."""
    sizes = _field_sizes()
    fields = {path.stem: sizes.example_fields(path) for path in sizes.example_workflows()}
    assert [name for name, found in fields.items() if any(f.repeated_helpers for f in found)] == []
    found = sizes.ratchet(fields)
    for name in sorted(set(found) | set(FIELDS_OVER_THE_LIMIT)):
        count, largest = found.get(name, (0, 0))
        known_count, known_largest = FIELDS_OVER_THE_LIMIT.get(name, (0, 0))
        assert count <= known_count and largest <= known_largest, (
            f"{name}: {count} fields over the limit, the largest {largest:,} characters (was {known_count}, "
            f"{known_largest:,}): python benchmarks/field_sizes.py shows them, --ratchet the figures")


def test_field_sizes_attributes_helpers_plumbing_and_source():
    sizes = _field_sizes()
    fields = sizes.example_fields(EXAMPLES / "sales_report.py")
    loop = max((f for f in fields if f.state == "Run For region in sorted(totals) (line 46)"), key=lambda f: f.size)
    assert loop.helpers == 0 and loop.plumbing > 200 and loop.rest > 400  # $pad, $substring: no helper
    assert loop.source == len("for region in sorted(totals):") + len(
        "euros, cents = totals[region] // 100, totals[region] % 100") + len(
        'lines.append(f"{region:<6} {units[region]:>5} units {euros:>7}.{cents:02d} EUR")')
    assert not loop.users
    etl = max(sizes.example_fields(EXAMPLES / "etl_batch.py"), key=lambda f: f.size)
    assert etl.helpers > 1000 and etl.size == etl.helpers + etl.plumbing + etl.rest  # .title(), .strip(), !r


def test_a_way_out_of_folded_code_to_a_fail_sets_only_what_the_fail_reads():
    """A Fail ends the machine (or a branch, whose variables nothing outside it reads): the
    way out of a folded loop to `Raise TypeError` sets `__exc` only, not the loop's variables
    (sales_report: 46,690 -> 39,099 bytes)."""
    definition = compile_file(EXAMPLES / "sales_report.py").definition
    states = definition["States"]
    to_fail = [rule for rule in states["After For sale in sales (line 36)"]["Choices"]
               if states[rule["Next"]]["Type"] == "Fail"]
    assert len(to_fail) >= 2  # (TypeError, IntegerOverflow; the records' keys are known present)
    for rule in to_fail:
        reads = json.dumps(states[rule["Next"]])
        assert all(f"${name}" in reads for name in rule.get("Assign", {})), rule
    # (the record itself may be computed by the rule: see pure_loops._Step._sink)
    assert set(next(rule for rule in to_fail if rule["Next"] == "Raise TypeError")["Assign"]) == {"__exc"}


def test_no_example_entry_check_message_passes_the_limit():
    """The entry's argument check (issue 10 §5): a rule per kind of problem once one rule's
    message would pass 1,000 characters, so no example's check message does."""
    sizes = _field_sizes()
    for path in sizes.example_workflows():
        definition = compile_file(path).definition
        first = definition["States"][definition["StartAt"]]
        for rule in first["Choices"]:
            if rule.get("Comment") == "check: TypeError":
                assert len(rule["Assign"]["__exc"]["message"]) <= 1000, path.stem


def test_an_int_formatted_with_a_sign_or_zeros_is_computed_once():
    """`f"{r['id']:05d}"` printed the sign and the digits of three copies of `r['id']` (a lookup
    into the loop's list each): the value is bound once."""
    source = """
    def load(n):
        return [{"id": i - 2, "name": "n" * i} for i in range(n)]

    @sfn.workflow
    def main(n=5):
        rows = load(n)
        return [f"#{r['id']:05d}|{r['id']:+,}|{len(r['name']):x}|{r['id'] * 1000:=+9,}|{n:>4}" for r in rows]
    """
    results = assert_same(source, {}, {"n": 0}, {"n": 12})
    assert results[0]["output"][0] == "#-0002|-2|0|-   2,000|   5"
    text = json.dumps(compile_text(source).definition)
    assert text.count("$__fv := ") == 4  # n, a variable, is read as it is


def test_two_collections_are_never_assigned_in_one_state():
    """AWS limits the values of one Assign to 256 KB together: `a` and `b`, each 150 KB, were
    one Pass and failed with States.DataLimitExceeded where Python (and a state each) succeed;
    scalars still share a state."""
    source = """
    def rows(n):
        return ["x" * 100 for _ in range(n)]

    @sfn.workflow
    def main(n):
        rs = rows(n)
        a = [r.upper() for r in rs]
        b = [r + "y" for r in rs]
        k, first = len(a), 0
        return [k, first, len(b)]
    """
    results = assert_same(source, {"n": 1400}, {"n": 2})
    assert results[0]["output"] == [1400, 0, 1400]
    states = compile_text(source).definition["States"]
    assigns = [set(state.get("Assign", {})) for state in states.values()]
    assert not any({"a", "b"} <= names for names in assigns)
    assert any({"k", "first"} <= names for names in assigns)
