"""Workflows written without annotations: values whose type the compiler cannot know are
handled at run time as Python handles them, and one refused line does not echo as problems
on every later line that uses what it failed to set."""

from __future__ import annotations

import json
import sys

import pytest

from .helpers import assert_same, both, compile_text, emulate, problems, refusal

ITERATE = """
def load(kind):
    if kind == "list":
        return [3, 1, 2]
    if kind == "str":
        return "abc"
    if kind == "dict":
        return {"b": 1, "a": 2}
    if kind == "none":
        return None
    return 7

@sfn.workflow
def main(kind):
    seen = []
    for item in load(kind):
        seen.append(item)
    return seen
"""


def test_a_for_loop_over_a_value_of_unknown_type_walks_what_python_walks():
    results = assert_same(ITERATE, {"kind": "list"}, {"kind": "str"}, {"kind": "dict"},
                          {"kind": "none"}, {"kind": "int"})
    assert [r["output"] for r in results[:3]] == [[3, 1, 2], ["a", "b", "c"], ["b", "a"]]
    assert results[3]["cause"] == "'NoneType' object is not iterable"
    assert results[4]["error"] == "TypeError"


def test_comprehensions_and_builtins_over_unknown_values():
    assert_same("""
    @sfn.workflow
    def main(rows, text):
        names = [r for r in rows]
        joined = ",".join(text)
        return {"names": names, "joined": joined, "n": len([c for c in text if c != "x"])}
    """, {"rows": ["b", "a"], "text": "xyz"}, {"rows": [], "text": ""},
        {"rows": ["a"], "text": 5})


def test_a_refused_line_is_reported_once_not_at_every_later_use():
    found = problems("""
    @sfn.workflow
    def main(x):
        total = x @ 2
        doubled = total * 2
        if doubled > 3:
            return [total, doubled]
        return total
    """)
    assert len(found) == 1, found
    assert "@" in found[0].message and found[0].line == 5


def test_independent_problems_are_still_all_reported():
    found = problems("""
    @sfn.workflow
    def main(x):
        a = x @ 2
        b = x & 1
        return [a, b]
    """)
    assert [p.line for p in found] == [5, 6]


PRINT = """
def fetch(kind):
    return {"int": 3, "float": 2.5, "list": [1, "a", None, True, {"k": [2]}], "str": "it's",
            "tiny": 0.00001, "long": 0.1 + 0.2, "none": None, "dict": {"a": 1}}[kind]

@sfn.workflow
def main(kind):
    value = fetch(kind)
    return [str(value), repr(value), f"<{value}>", f"{value!r}"]
"""


def test_printing_a_value_of_unknown_type_is_python_s_printing():
    results = assert_same(PRINT, *({"kind": k} for k in ("int", "float", "list", "str", "none", "dict")))
    assert results[0]["output"] == ["3", "3", "<3>", "3"]
    assert results[2]["output"][1] == "[1, 'a', None, True, {'k': [2]}]"


def test_a_number_whose_python_repr_the_machine_cannot_reproduce_stops_it_loudly():
    """A number nobody annotated prints by $string's 15 digits where they read back (a float
    known to be one prints exactly: helper frepr); 1e-05 and 0.1 + 0.2 stop the machine."""
    compiled = compile_text(PRINT)
    for kind in ("tiny", "long"):
        machine = emulate(compiled, {"kind": kind})
        assert machine["status"] == "FAILED"
        assert machine["error"] == "pysfn.UnprintableNumber"
        assert machine["cause"].startswith("line 10: ")


def test_an_input_number_prints_by_the_rule_integral_means_int():
    results = assert_same("""
    @sfn.workflow
    def main(n, xs):
        return f"{n} {xs}"
    """, {"n": 4, "xs": [1, 2.5]}, {"n": 4.0, "xs": []}, {"n": -0.5, "xs": [{"a": 7.0}]})
    assert [r["output"] for r in results] == ["4 [1, 2.5]", "4 []", "-0.5 [{'a': 7}]"]


GROUP = """
def load(n):
    return [{"region": ["eu", "us", "ap"][i % 3], "cents": i * 7} for i in range(n)]

@sfn.workflow
def main(n, probe):
    totals = {}
    for row in load(n):
        region = row["region"]
        totals[region] = totals.get(region, 0) + row["cents"]
    found = [probe in totals, totals.get(probe, -1)]
    lines = []
    for region in sorted(totals):
        lines.append(f"{region}: {totals[region]}")
    return {"totals": totals, "found": found, "text": "; ".join(lines), "probe": totals[probe]}
"""


def test_group_by_in_a_dict_keyed_by_values_of_unknown_type():
    results = assert_same(GROUP, {"n": 7, "probe": "eu"}, {"n": 5, "probe": 3}, {"n": 2, "probe": ["x"]},
                          {"n": 0, "probe": None})
    assert results[0]["output"]["text"] == "ap: 49; eu: 63; us: 35"
    assert (results[1]["error"], results[1]["cause"]) == ("KeyError", "3")
    assert (results[2]["error"], results[2]["cause"]) == ("TypeError", "unhashable type: 'list'")


def test_storing_a_key_that_is_not_a_str_stops_the_machine_loudly():
    compiled = compile_text("""
    @sfn.workflow
    def main(key):
        d = {}
        d[key] = 1
        return d
    """)
    assert emulate(compiled, {"key": "a"})["output"] == {"a": 1}
    assert emulate(compiled, {"key": 3})["output"] == {"3": 1}  # an int key: JSON writes it so
    stopped = emulate(compiled, {"key": True})  # (True would come back as 1)
    assert stopped["error"] == "pysfn.NonStringKey" and stopped["cause"].startswith("line 6: ")


ARITH = """
@sfn.workflow
def main(a, b, ops="+ - * // % /"):
    out = []
    for op in ops.split():
        try:
            if op == "+":
                r = a + b
            elif op == "-":
                r = a - b
            elif op == "*":
                r = a * b
            elif op == "//":
                r = a // b
            elif op == "%":
                r = a % b
            else:
                r = (a / b) > 1
            out.append(r)
        except TypeError as e:
            out.append("TypeError: " + str(e))
        except ZeroDivisionError as e:
            out.append("ZeroDivisionError: " + str(e))
    return out
"""


def test_arithmetic_on_values_of_unknown_type_is_python_s():
    inputs = [{"a": 7, "b": 2}, {"a": -7, "b": 2}, {"a": True, "b": 3}, {"a": "ab", "b": 3, "ops": "+ - * // /"},
              {"a": [1], "b": 2}, {"a": "ab", "b": "cd", "ops": "+ - * // /"}, {"a": [1], "b": [2, 3]}, {"a": None, "b": 1},
              {"a": 1, "b": "x"}, {"a": "x", "b": 2.5, "ops": "+ - * // /"}, {"a": {}, "b": 2}, {"a": 3, "b": 0},
              {"a": [1], "b": "x"}]
    results = assert_same(ARITH, *inputs)
    assert results[0]["output"] == [9, 5, 14, 3, 1, True]


def test_float_arithmetic_on_values_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(a, b):
        try:
            q = a % b
        except ZeroDivisionError as e:
            q = str(e)
        return [a + b, a - b, a * b, a / b > 1, q]
    """, {"a": 7.25, "b": 2}, {"a": 2.5, "b": 0.5 - 0.5 + 3})
    assert results[0]["output"] == [9.25, 5.25, 14.5, True, 1.25]
    divided = assert_same("""
    @sfn.workflow
    def main(a, b):
        try:
            return a // b
        except ZeroDivisionError as e:
            return [str(e), a / b]
    """, {"a": 0.25, "b": 0}, {"a": 1, "b": 0}, {"a": 1, "b": 0.5 - 0.5})
    assert [r["cause"] for r in divided] == ["float division by zero", "division by zero", "division by zero"]


def test_an_integral_float_from_numbers_of_unknown_type_stops_the_machine_loudly():
    compiled = compile_text("""
    @sfn.workflow
    def main(a, b):
        ys = [a * b]
        return str(ys)
    """)  # (returned itself: the output is JSON, where 1 and 1.0 are one number; printed directly,
    # it carries its kind: test_blind_numbers)
    assert emulate(compiled, {"a": 2.5, "b": 3})["output"] == "[7.5]"
    stopped = emulate(compiled, {"a": 0.5, "b": 2})
    assert stopped["error"] == "pysfn.AmbiguousNumber" and stopped["cause"].startswith("line 5: ")


def test_an_integral_float_that_only_a_division_or_a_comparison_reads_does_not_stop():
    """`price * (100 + rate) / 100` (12.5 * 120 is 1500.0, 1500 in JSON): the division gives
    the same float either way, and so do comparisons; a product kept in a variable, or ordered
    against a value that may be a str (whose TypeError names 'float'), still stops."""
    results = assert_same("""
    @sfn.workflow
    def main(a, b, c):
        return [a * (100 + b) / 100, a * b > 10, a * b == c, a * b != 3, 10 <= a * b]
    """, {"a": 12.5, "b": 20, "c": 250}, {"a": 3, "b": 4, "c": "12"}, {"a": 0.5, "b": 0.5, "c": 0.25})
    assert results[0]["output"] == [15.0, True, True, True, True]
    ordered = compile_text("""
    @sfn.workflow
    def main(a, b, c):
        try:
            return a * b < c
        except TypeError as e:
            return str(e)
    """)
    stopped = emulate(ordered, {"a": 2.5, "b": 4, "c": "x"})  # 10.0 < 'x': a TypeError naming 'float'
    assert stopped["error"] == "pysfn.AmbiguousNumber" and stopped["cause"].startswith("line 6: ")
    results = assert_same("""
    @sfn.workflow
    def main(a, b):
        y = a * b
        return [y / 100, str(y)]
    """, {"a": 2.5, "b": 4}, {"a": 2, "b": 3})  # `y` printed: its companion says 10.0 (session 21)
    assert results[0]["output"] == [0.1, "10.0"]
    kept = compile_text("""
    @sfn.workflow
    def main(a, b):
        y = a * b
        ys = [y]
        return [y / 100, str(ys)]
    """)  # (stored in a list: no companion there, the stop stays)
    assert emulate(kept, {"a": 2.5, "b": 4})["error"] == "pysfn.AmbiguousNumber"


def test_an_integral_float_that_int_float_or_a_division_by_a_variable_reads_does_not_stop():
    """`int((v - lo) / width)` of a histogram (0.5 - 0.5 is 0.0, 0 in JSON): a division by a
    variable gives the same float either way unless the divisor is 0 (Python's message then
    says "float division by zero" for a float), and int() and float() the same number."""
    source = """
    @sfn.workflow
    def main(v, lo, width):
        try:
            return [int((v - lo) / width), float(v - lo), int(v * 2), (v - lo) / (width - lo)]
        except ZeroDivisionError as e:
            return str(e)
    """
    results = assert_same(source, {"v": 0.5, "lo": 0.5, "width": 0.85}, {"v": 2.5, "lo": 0.5, "width": 4},
                          {"v": 3, "lo": 1, "width": 2}, {"v": 3, "lo": 1, "width": 0}, {"v": 3, "lo": 1, "width": 1})
    assert [r["output"] for r in results] == [[0, 0.0, 1, 0.0], [0, 2.0, 5, 2 / 3.5], [1, 2.0, 6, 2.0],
                                              "division by zero", "division by zero"]
    compiled = compile_text(source)
    for zero in ({"v": 0.5, "lo": 0.5, "width": 0}, {"v": 2.5, "lo": 0.5, "width": 0.5}):  # 0.0 / 0, 2.0 / 0.0
        assert emulate(compiled, zero)["error"] == "pysfn.AmbiguousNumber"  # which message is Python's?


def test_ordering_values_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(a, b):
        try:
            return [a < b, a >= b, a + 0 <= b if a != "s" else None]
        except TypeError as e:
            return str(e)
    """, {"a": 1, "b": 2}, {"a": True, "b": 0.5}, {"a": "a", "b": "b"}, {"a": "s", "b": "b"},
        {"a": 1, "b": "b"}, {"a": None, "b": 2}, {"a": {}, "b": []})
    assert results[0]["output"] == [True, False, True]
    assert results[4]["output"] == "'<' not supported between instances of 'int' and 'str'"


NUMBER_AND_UNKNOWN = """
@sfn.workflow
def main(u, flag: bool, k: int, t=600):
    w = 0
    w += min(k, t - w)  # an int or a float: its name at run time
    out = []
    try:
        out.append([u < w, w >= u])
    except TypeError as e:
        out.append(str(e))
    try:
        out.append([flag < u, u >= flag])
    except TypeError as e:
        out.append(str(e))
    try:
        out.append(u - w)
    except TypeError as e:
        out.append(str(e))
    try:
        out.append(u + w)
    except TypeError as e:
        out.append(str(e))
    try:
        out.append(w - u)
    except TypeError as e:
        out.append(str(e))
    return out
"""


def test_a_number_of_either_kind_against_a_value_of_unknown_type():
    """`waited >= timeout_s` (waited int | float, timeout_s unannotated): Python's TypeError
    names each side's type (a bool 'bool'); no loud stop for lists (was: "ordering comparison
    of lists whose type is not annotated")."""
    results = assert_same(NUMBER_AND_UNKNOWN, *({"u": u, "flag": True, "k": 5} for u in (3, "x", [1], None, True, {})),
                          {"u": 1, "flag": False, "k": 5, "t": 2.5})
    assert results[1]["output"][0] == "'<' not supported between instances of 'str' and 'int'"
    assert results[2]["output"][1] == "'<' not supported between instances of 'bool' and 'list'"
    assert results[3]["output"][-1] == "unsupported operand type(s) for -: 'int' and 'NoneType'"
    assert "pysfn.Unsupported" not in str(compile_text(NUMBER_AND_UNKNOWN).definition)


def test_membership_in_a_value_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(item, container):
        try:
            return [item in container, item not in container]
        except TypeError as e:
            return str(e)
    """, *({"item": i, "container": c} for i, c in [
        ("a", "cat"), ("x", "cat"), (1, "cat"), ("a", {"a": 1}), (1, {"1": 1}), ([1], {"a": 1}),
        (1, [True, 2]), ([1], [[1], 2]), ({"k": 1}, [{"k": True}]), ("a", None), ("a", 5)]))
    assert [r["output"] for r in results[:4]] == [[True, False], [False, True],
                                                  "'in <string>' requires string as left operand, not int",
                                                  [True, False]]


def test_assigning_an_item_of_a_value_of_unknown_type():
    results = assert_same("""
    def load(kind):
        return {"dict": {"a": 1}, "list": [1, 2, 3], "str": "abc", "none": None}[kind]

    @sfn.workflow
    def main(kind, key):
        box = load(kind)
        try:
            box[key] = "new"
        except TypeError as e:
            return "TypeError: " + str(e)
        except IndexError as e:
            return "IndexError: " + str(e)
        return box
    """, *({"kind": k, "key": key} for k, key in [
        ("dict", "a"), ("dict", "b"), ("dict", [1]), ("list", 0), ("list", -1), ("list", 3), ("list", "x"),
        ("list", True), ("list", 1.5), ("str", 0), ("none", "a")]))
    assert [r["output"] for r in results[:2]] == [{"a": "new"}, {"a": 1, "b": "new"}]
    assert results[4]["output"] == [1, 2, "new"]


def test_sum_of_items_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(xs):
        try:
            return [sum(xs), sum(xs, 10), sum(x for x in xs)]
        except TypeError as e:
            return str(e)
    """, {"xs": [1, 2, True]}, {"xs": []}, {"xs": [1, "a"]}, {"xs": [None]}, {"xs": [2.0, 3]})
    assert [r["output"] for r in results[:4]] == [[4, 14, 4], [0, 10, 0],
                                                  "unsupported operand type(s) for +: 'int' and 'str'",
                                                  "unsupported operand type(s) for +: 'int' and 'NoneType'"]
    source = """
    @sfn.workflow
    def main(xs):
        return sum(xs)
    """
    if sys.version_info >= (3, 12):  # Python adds floats with Neumaier's compensation
        assert emulate(compile_text(source), {"xs": [1, 2.5]})["error"] == "pysfn.Unsupported"
        return
    inputs = [[1, 2.5], [0.1, 0.2, 0.3, True], [3, 0.1, 0.7, -2]]
    results = assert_same(source, *({"xs": xs} for xs in inputs))
    assert [r["output"] for r in results] == [3.5, 0.1 + 0.2 + 0.3 + 1, 3 + 0.1 + 0.7 - 2]
    assert emulate(compile_text(source), {"xs": [0.5, 0.5, 1]})["output"] == 2  # 2.0 in Python: the same JSON
    printed = source.replace("return sum(xs)", "return str(sum(xs))")  # (the kind the sum carries)
    assert emulate(compile_text(printed), {"xs": [0.5, 0.5, 1]})["output"] == "2.0"
    stopped = emulate(compile_text(source.replace("return sum(xs)", "return str([sum(xs)])")), {"xs": [0.5, 0.5, 1]})
    assert stopped["error"] == "pysfn.AmbiguousNumber" and stopped["cause"].startswith("line 5: ")


def test_sorted_min_and_max_of_items_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(xs):
        if not xs:
            return [sorted(xs), max(xs, default=None)]
        return [sorted(xs), sorted(xs, reverse=True), min(xs), max(xs), max(xs[0], 0) if xs[0] != "b" else None]
    """, {"xs": [3, 1, 2]}, {"xs": ["b", "a", "c"]}, {"xs": [True, 0, 2]}, {"xs": []}, {"xs": [2.5, 1]})
    assert results[0]["output"] == [[1, 2, 3], [3, 2, 1], 1, 3, 3]
    assert results[2]["output"] == [[0, True, 2], [2, True, 0], 0, 2, True]
    stopped = emulate(compile_text("""
    @sfn.workflow
    def main(xs):
        return sorted(xs)
    """), {"xs": [1, "a"]})
    assert stopped["error"] == "pysfn.Unsupported"


def test_subscript_of_a_value_of_unknown_type_by_an_index_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(box, at):
        try:
            return box[at]
        except (KeyError, IndexError, TypeError) as e:
            return str(e)
    """, *({"box": b, "at": a} for b, a in [
        ({"a": 1}, "a"), ({"a": 1}, "b"), ({"a": 1}, 3), ({"a": 1}, [1]), ([5, 6], 1), ([5, 6], -1),
        ([5, 6], 2), ([5, 6], "x"), ([5, 6], True), ("hey", 0), ("hey", -4), ("hey", "e"), (None, 1), (7, "a")]))
    assert [r["output"] for r in results[:5]] == [1, "'b'", "3", "unhashable type: 'list'", 6]


def test_slices_with_bounds_and_containers_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(box, lo, hi):
        try:
            return [box[lo:hi], box[lo:], box[:hi], box[::-1]]
        except TypeError as e:
            return str(e)
    """, *({"box": b, "lo": lo, "hi": hi} for b, lo, hi in [
        ([1, 2, 3, 4], 1, 3), ("hello", -3, None), ([1, 2], None, True), ([1, 2], 0.5, 1), ({"a": 1}, 0, 1),
        (None, 0, 1), ("abc", "a", 1)]))
    assert results[0]["output"] == [[2, 3], [2, 3, 4], [1, 2, 3], [4, 3, 2, 1]]


def test_negation_and_sleep_of_values_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(x, wait):
        sfn.sleep(wait)
        try:
            return [-x, +x, -x - 1]
        except TypeError as e:
            return str(e)
    """, {"x": 3, "wait": 5}, {"x": True, "wait": 0}, {"x": "a", "wait": 2}, {"x": None, "wait": 1})
    assert [r["output"] for r in results] == [[-3, 3, -4], [-1, 1, -2], "bad operand type for unary -: 'str'",
                                              "bad operand type for unary -: 'NoneType'"]
    # a fraction of a second: a Wait waits whole seconds, sfn.sleep refuses a fraction in both
    # runs (the plain run slept 1.5 s, the machine stopped with pysfn.Unsupported)
    results = assert_same("""
    @sfn.workflow
    def main(wait):
        try:
            sfn.sleep(wait)
        except ValueError as e:
            return str(e)
        return "woke"
    """, {"wait": 1.5}, {"wait": 2.0}, {"wait": -0.5}, {"wait": 3})
    assert [r["output"] for r in results] == [
        "sfn.sleep() waits whole seconds (a Wait state's Seconds), not a fraction of one", "woke",
        "sfn.sleep() waits whole seconds (a Wait state's Seconds), not a fraction of one", "woke"]


def test_sleep_takes_a_number_of_seconds_within_the_longest_wait_in_both_runs():
    """A new-user trial (session 25): sfn.sleep(days * 86400) past Step Functions' longest Wait
    (99,999,999 s) failed the machine (States.Runtime) where the plain run slept: the plain run
    raises ValueError there now; and sfn.sleep("3") or sfn.sleep(True) slept in the plain run,
    stopped the machine: both raise the same TypeError now, where an except may catch it."""
    source = """
    @sfn.workflow
    def main(days, wait=0):
        try:
            sfn.sleep(wait)
            sfn.sleep(days * 86400)
        except (TypeError, ValueError) as e:
            return type(e).__name__ + ": " + str(e)
        return "woke"
    """
    results = assert_same(source, {"days": 1}, {"days": 1, "wait": "3"}, {"days": 0, "wait": True},
                          {"days": 0, "wait": None}, {"days": -2})
    assert [r["output"] for r in results] == [
        "woke", "TypeError: sfn.sleep() takes a number of seconds, not str",
        "TypeError: sfn.sleep() takes a number of seconds, not bool",
        "TypeError: sfn.sleep() takes a number of seconds, not NoneType", "woke"]
    compiled = compile_text(source)  # past the longest Wait: each run fails its own way, neither sleeps
    assert compiled.run_python({"days": 1158})["output"] == (
        "ValueError: sfn.sleep() of more than 99,999,999 seconds (Step Functions' longest Wait)")
    assert emulate(compiled, {"days": 1158})["error"] == "States.Runtime"
    assert "more than 99,999,999 seconds" in refusal("""
    @sfn.workflow
    def main():
        sfn.sleep(100_000_000)
    """)


def test_format_specs_of_values_of_unknown_type():
    lines = []
    for spec in ["02d", ">3", ",", "+d", ".2", "<4", "^5"]:
        lines.append(f"""
        try:
            out.append(f"{{v:{spec}}}")
        except ValueError as e:
            out.append("ValueError: " + str(e))
        except TypeError as e:
            out.append("TypeError: " + str(e))""")
    source = "@sfn.workflow\ndef main(v):\n    out = []" + "".join(lines).replace("\n        ", "\n    ") + "\n    return out\n"
    results = assert_same(source, {"v": 7}, {"v": -1234}, {"v": "ab"}, {"v": True}, {"v": None}, {"v": [1]})
    assert results[0]["output"] == ["07", "  7", "7", "+7", "ValueError: Precision not allowed in integer format specifier",
                                    "7   ", "  7  "]
    assert results[2]["output"][0] == "ValueError: Unknown format code 'd' for object of type 'str'"


def test_int_arguments_and_mappings_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(width, extra):
        try:
            return ["ab".center(width, "*"), "7".zfill(width), {"a": 1, **extra}]
        except TypeError as e:
            return str(e)
    """, {"width": 6, "extra": {"b": 2}}, {"width": True, "extra": {}}, {"width": "x", "extra": {}},
        {"width": 2.5, "extra": {}}, {"width": 3, "extra": [1]}, {"width": 3, "extra": None})
    assert results[0]["output"] == ["**ab**", "000007", {"a": 1, "b": 2}]
    assert results[2]["output"] == "'str' object cannot be interpreted as an integer"
    assert results[4]["output"] == "'list' object is not a mapping"


def test_a_method_several_kinds_have_on_a_value_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(box, item):
        try:
            return [box.count(item), box.index(item)]
        except (TypeError, ValueError, AttributeError) as e:
            return str(e)
    """, {"box": "banana", "item": "an"}, {"box": [1, 2, 1], "item": 1}, {"box": [1, True], "item": 1},
        {"box": "abc", "item": "z"}, {"box": [1], "item": 5}, {"box": 7, "item": 1}, {"box": {"a": 1}, "item": "a"})
    assert [r["output"] for r in results[:2]] == [[2, 1], [2, 0]]
    assert results[5]["output"] == "'int' object has no attribute 'count'"


def test_a_str_method_argument_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(text, part):
        try:
            return [text.count(part), text.find(part), text.replace(part, "-")]
        except TypeError as e:
            return str(e)
    """, {"text": "banana", "part": "an"}, {"text": "banana", "part": 1}, {"text": "banana", "part": None},
        {"text": "banana", "part": [1]})
    assert results[0]["output"] == [2, 1, "b--a"]
    assert results[1]["output"] == "must be str, not int"


def test_repeating_a_sequence_a_number_of_times_of_unknown_type():
    results = assert_same("""
    @sfn.workflow
    def main(n):
        try:
            return ["-" * n, n * [0], "ab" * n + "!"]
        except TypeError as e:
            return str(e)
    """, {"n": 3}, {"n": 0}, {"n": -1}, {"n": True}, {"n": "x"}, {"n": 2.5}, {"n": None})
    assert results[0]["output"] == ["---", [0, 0, 0], "ababab!"]
    assert results[4]["output"] == "can't multiply sequence by non-int of type 'str'"


def test_changing_a_list_or_a_dict_of_unknown_type_in_place():
    results = assert_same("""
    def load(kind):
        return {"list": [1, 2, 3], "dict": {"a": 1, "b": 2}, "str": "abc"}[kind]

    @sfn.workflow
    def main(kind, key):
        box = load(kind)
        try:
            taken = box.pop(key)
            box.clear() if False else None
            return [taken, box]
        except (KeyError, IndexError, TypeError, AttributeError) as e:
            return str(e)
    """, *({"kind": k, "key": key} for k, key in [("list", 0), ("list", -1), ("list", 5), ("dict", "b"),
                                                    ("dict", "z"), ("str", 0)]))
    assert [r["output"] for r in results[:2]] == [[1, [2, 3]], [3, [1, 2]]]
    assert results[3]["output"] == [2, {"a": 1}]
    assert results[5]["output"] == "'str' object has no attribute 'pop'"


def test_a_standard_library_call_is_refused_with_what_to_write_instead():
    found = problems("""
    import time
    import statistics

    @sfn.workflow
    def main(x):
        time.sleep(5)
        return statistics.median(x)
    """)
    assert [(p.line, p.message) for p in found] == [
        (8, "time.sleep() cannot run inside the state machine"),
        (9, "statistics.median() cannot run inside the state machine")]
    assert "sfn.sleep(seconds)" in found[0].hint and "in a callee" in found[1].hint


def test_a_callee_returning_a_dataclass_is_refused_with_a_typeddict_hint():
    found = problems("""
    from dataclasses import dataclass

    @dataclass
    class Point:
        x: int

    def make(n) -> Point:
        return Point(n)

    @sfn.workflow
    def main(n):
        return make(n)
    """)
    assert len(found) == 1 and "returns a dataclass" in found[0].message
    assert "TypedDict" in found[0].hint


SUM_OF_UNKNOWN_DIFFERENCES = """
@sfn.workflow
def main(a, xs):
    e = sum(a - x for x in xs)
    return [str(e), e, note(e)]

def note(v):
    return v
"""


def test_a_sum_of_numbers_that_follow_the_number_rule_follows_it_too():
    """sum(a - x for x in xs), all unannotated: its total prints and reaches a callee (it was
    refused: "printing a float", "may be a float"); an integral total of non-integral items
    stops the machine as `0.5 * 2` does."""
    results = assert_same(SUM_OF_UNKNOWN_DIFFERENCES, {"a": 1, "xs": [1, 2]}, {"a": 1, "xs": []},
                          {"a": 0.25, "xs": [1, 2]}, {"a": True, "xs": [True, 0.5]}, {"a": 1, "xs": ["x"]})
    assert results[2]["output"] == ["-2.5", -2.5, -2.5] and results[1]["output"] == ["0", 0, 0]
    compiled = compile_text(SUM_OF_UNKNOWN_DIFFERENCES)
    assert emulate(compiled, {"a": 1, "xs": [0.5, 0.5]})["error"] == "pysfn.AmbiguousNumber"
    assert emulate(compiled, {"a": 1, "xs": [-2**52, -2**52]})["error"] == "pysfn.IntegerOverflow"


def test_an_item_of_a_list_assigned_at_an_index_of_unknown_type():
    """`stars[r["stars"]] += 1` with r unannotated: the index is checked as Python checks it
    (it was refused: "list indices must be integers, not any JSON value")."""
    results = assert_same("""
    @sfn.workflow
    def main(rows):
        stars = [0] * 3
        for r in rows:
            stars[r["stars"]] += 1
        return stars
    """, {"rows": [{"stars": 1}, {"stars": 2}, {"stars": -1}, {"stars": True}]}, {"rows": [{"stars": 3}]},
        {"rows": [{"stars": "1"}]}, {"rows": [{"stars": 1.5}]}, {"rows": [{"stars": None}]})
    assert results[0]["output"] == [0, 2, 2]
    assert results[1]["error"] == "IndexError"
    assert results[2]["cause"] == "list indices must be integers or slices, not str"
    assert results[3]["cause"] == "list indices must be integers or slices, not float"


MAP_AND_POW = """
sfn_map = sfn.map

def double(x):
    return x * 2

@sfn.workflow
def main(csv, words, xs, v):
    nums = list(map(int, csv.split(",")))
    pairs = list(map(lambda w, n: f"{w}={n}", words, nums))
    lengths = sum(map(len, words))
    doubled = sfn_map(double, nums)
    it = map(str, nums)
    first = list(it)
    again = []
    try:
        backwards = "".join(str(x) for x in reversed(v))
    except TypeError as e:
        backwards = str(e)
    return [nums, pairs, lengths, doubled, first, again, pow(len(nums), 2), backwards]
"""


def test_map_of_a_builtin_or_a_lambda_pow_and_reversed_of_a_value_of_unknown_type():
    """`list(map(int, s.split(",")))`, `", ".join(map(str, xs))`, pow(a, b), and reversed() of
    an unannotated value: all were refused (found by a new-user trial)."""
    results = assert_same(MAP_AND_POW, {"csv": "4,5,6", "words": ["a", "bb"], "xs": [], "v": "abc"},
                          {"csv": "4,x", "words": [], "xs": [], "v": [1, 2]},
                          {"csv": "7", "words": ["a", "b", "c"], "xs": [], "v": {"k": 1, "j": 2}},
                          {"csv": "7", "words": [], "xs": [], "v": 3})
    assert results[0]["output"] == [[4, 5, 6], ["a=4", "bb=5"], 3, [8, 10, 12], ["4", "5", "6"], [], 9, "cba"]
    assert results[1]["error"] == "ValueError"
    assert results[2]["output"][-1] == "jk" and results[3]["output"][-1] == "'int' object is not reversible"
    assert any(s["Type"] == "Map" for s in compile_text(MAP_AND_POW).definition["States"].values())


@pytest.mark.parametrize("made, used", [
    ("map(str, xs)", "a = list(it)\n    b = list(it)"),
    ("zip(xs, xs)", "a = list(it)\n    b = len(list(it))"),
    ("(x for x in xs)", "a = 0\n    for _ in range(2):\n        a = sum(it)"),
    ("enumerate(xs)", "a = dict(it)\n    b = [i for i, _ in it]"),
    ("filter(None, xs)", "a = [y for y in xs if y in it]"),  # `in it` runs once per y
])
def test_a_one_pass_iterator_read_again_is_refused(made, used):
    """Python spends it on the first read (the second list is empty); the machine holds a list."""
    source = f"""
@sfn.workflow
def main(xs: list[int]):
    it = {made}
    {used}
    return 1
"""
    assert "an iterator Python consumes once" in refusal(source)


def test_a_one_pass_iterator_read_once_is_its_items():
    results = assert_same("""
    @sfn.workflow
    def main(names: list[str], scores: list[int]):
        pairs = zip(names, scores)
        out = []
        for n, s in pairs:
            out.append(f"{n}:{s}")
        evens = filter(None, scores)
        return [out, list(evens)]
    """, {"names": ["a", "b"], "scores": [0, 3, 4]})
    assert results[0]["output"] == [["a:0", "b:3"], [3, 4]]


def test_del_of_an_item_of_a_value_of_unknown_type():
    """`del c[k]` with c unannotated: a dict's key or a list's index, Python's errors in
    Python's order (CPython words a str's "by index" failure otherwise: "doesn't support")."""
    results = assert_same("""
    @sfn.workflow
    def main(c, k):
        try:
            del c[k]
            return c
        except (TypeError, KeyError, IndexError) as e:
            return [type(e).__name__, str(e)]
    """, *({"c": c, "k": k} for c in ({"a": 1, "b": 2}, [1, 2, 3], "str", None, 5)
           for k in ("a", 1, -1, 5, True, [1], None, 1.5)))
    outputs = [r["output"] for r in results]
    assert outputs[0] == {"b": 2} and outputs[1] == ["KeyError", "1"] and outputs[10] == [1, 2]
    assert outputs[16][1] != outputs[17][1]  # "does not" (a str key) and "doesn't" (an int index)


def test_a_union_of_scalar_kinds_is_dispatched_at_run_time():
    """`rec["n"] = int(rec["n"])` in a dict of str leaves its values `int | str`: comparing and
    adding them is Python's at run time (TypeError where the item is still a str), not refused."""
    results = assert_same("""
    @sfn.workflow
    def main(row, convert):
        rec = dict(zip(["a", "b"], row.split(",")))
        if convert:
            rec["a"] = int(rec["a"])
        try:
            low = rec["a"] < 5
        except TypeError as e:
            low = str(e)
        try:
            total = 0
            total += rec["a"]
        except TypeError as e:
            total = str(e)
        return {"low": low, "total": total, "twice": rec["b"] + rec["b"]}
    """, {"row": "3,x", "convert": True}, {"row": "7,y", "convert": False}, {"row": "9,z", "convert": True})
    assert results[0]["output"] == {"low": True, "total": 3, "twice": "xx"}
    assert results[1]["output"]["low"] == "'<' not supported between instances of 'str' and 'int'"


def test_percent_d_of_a_value_nobody_annotated():
    """`"%d items" % n` with `n` unannotated: an int as it is, a float's integral part, a bool
    1 or 0, anything else Python's TypeError (was refused at compile time)."""
    source = """
    @sfn.workflow
    def main(n, name):
        try:
            return ["%d items at %s" % (n, name), "%i" % n, "[%d]" % (n,)]
        except TypeError as e:
            return str(e)
    """
    results = assert_same(source, {"n": 7, "name": "x"}, {"n": 3.9, "name": 1}, {"n": -0.5, "name": None}, {"n": True, "name": [1]},
        {"n": "7", "name": "x"}, {"n": None, "name": "x"})
    assert [r["output"] for r in results][:2] == [["7 items at x", "7", "[7]"], ["3 items at 1", "3", "[3]"]]
    assert results[4]["output"] == "%d format: a real number is required, not str"
    # 1e20 is integral, an int by the number rule, and past 2**53: the entry stops it
    (python, machine), = both(source, {"n": 1e20, "name": ""})
    assert python["output"][0] == "100000000000000000000 items at "
    assert (machine["status"], machine["error"]) == ("FAILED", "pysfn.IntegerOverflow")


def test_dict_of_a_value_of_unknown_type_copies_a_dict_and_stops_loudly_on_anything_else():
    """`levels = dict(stock)` (the copy a user makes before changing it) of an unannotated
    parameter: a dict at run time is copied, and the copy changes alone; pairs or anything
    else stop the machine loudly (pysfn.Unsupported), never a different result."""
    source = """
    @sfn.workflow
    def main(stock, sku="a"):
        levels = dict(stock)
        levels[sku] = levels.get(sku, 0) + 1
        return [levels, stock]
    """
    results = assert_same(source, {"stock": {"a": 5, "b": 2}}, {"stock": {}}, {"stock": {"x": [1]}, "sku": "x"})
    assert results[0]["output"] == [{"a": 6, "b": 2}, {"a": 5, "b": 2}]
    compiled = compile_text(source)
    for stock in ([["a", 1]], "ab", 3):
        stopped = emulate(compiled, {"stock": stock})
        assert stopped["error"] == "pysfn.Unsupported" and stopped["cause"].startswith("line 5: dict() of a value"), stopped


def test_round_of_a_value_of_unknown_type():
    """`round(line["price"] * 100)`: a number rounds half to even as Python's does, a bool is
    an int, anything else is Python's TypeError."""
    source = """
    @sfn.workflow
    def main(lines):
        out = []
        for line in lines:
            try:
                out.append(round(line["price"]))
            except TypeError as e:
                out.append(str(e))
        return out
    """
    results = assert_same(source, {"lines": [{"price": 2.5}, {"price": 3.5}, {"price": -0.5}, {"price": 7},
                                             {"price": 1999.0001}, {"price": True}, {"price": "9"},
                                             {"price": None}, {"price": [1]}]})
    assert results[0]["output"] == [2, 4, 0, 7, 1999, 1, "type str doesn't define __round__ method",
                                    "type NoneType doesn't define __round__ method",
                                    "type list doesn't define __round__ method"]


def test_round_of_arithmetic_on_values_of_unknown_type_needs_no_float_stop():
    """`round(price * 100)` with price 1.5: 150.0 or 150, round gives 150 either way, so the
    machine does not stop for the integral float (pysfn.AmbiguousNumber) as `price * 100`
    alone does; nor inside, where `price * 100 * qty` only reaches round()."""
    source = """
    @sfn.workflow
    def main(price, qty=0):
        return [round(price * 100), round(price * 100 * qty) if qty else None]
    """
    results = assert_same(source, {"price": 1.5}, {"price": 19.99, "qty": 3}, {"price": 2, "qty": 2},
                          {"price": 1.5, "qty": 2})
    assert [r["output"] for r in results] == [[150, None], [1999, 5997], [200, 400], [150, 300]]


def test_dict_update_with_a_value_of_unknown_type():
    """`both.update(b)` of an unannotated parameter: a dict is merged in (its keys in Python's
    order, existing ones keeping their place), so are [str, value] pairs; anything else stops
    loudly."""
    source = """
    @sfn.workflow
    def main(a, b):
        both = dict(a)
        both.update(b)
        return [list(both), both]
    """
    results = assert_same(source, {"a": {"x": 1, "y": 2}, "b": {"z": 3, "x": 4}}, {"a": {}, "b": {}},
                          {"a": {"x": 1}, "b": [["x", 5], ["w", 2]]})
    assert results[0]["output"] == [["x", "y", "z"], {"x": 4, "y": 2, "z": 3}]
    assert results[2]["output"] == [["x", "w"], {"x": 5, "w": 2}]
    stopped = emulate(compile_text(source), {"a": {}, "b": [["x", 1, 2]]})
    assert stopped["error"] == "pysfn.Unsupported" and "dict.update() of a value" in stopped["cause"], stopped


def test_zip_star_of_a_value_of_unknown_type():
    """`zip(*rows)` of an unannotated parameter (a new-user trial's transpose: was refused): a
    list of lists is transposed; anything else (strs, whose characters Python would zip, a
    number) stops the machine loudly."""
    source = """
    @sfn.workflow
    def main(rows):
        cols = [list(c) for c in zip(*rows)]
        return [cols, len(cols)]
    """
    results = assert_same(source, {"rows": [[1, 2, 3], [4, 5, 6]]}, {"rows": []}, {"rows": [[1], [2, 3]]},
                          {"rows": [[[1]], [[2]]]})
    assert results[0]["output"] == [[[1, 4], [2, 5], [3, 6]], 3]
    compiled = compile_text(source)
    for rows in (["ab", "cd"], 5, [[1], "x"]):
        stopped = emulate(compiled, {"rows": rows})
        assert stopped["error"] == "pysfn.Unsupported" and "zip(*rows)" in stopped["cause"], stopped


WEATHER = """
def get_temperature(city):
    return {"paris": 12.5, "oslo": -3.25, "cairo": 31.0}.get(city)

@sfn.workflow
def main(cities, unit="C"):
    temps = []
    for city in cities:
        t = get_temperature(city)
        if t is None:
            continue
        if unit == "F":
            t = t * 9 / 5 + 32
        temps.append(t)
    return [f"{sum(temps) / len(temps):.2f}" if temps else None, len(temps)]
"""


def test_a_value_narrowed_then_reassigned_in_a_branch_stays_narrowed():
    """`if t is None: continue`, then `t = t * 9 / 5 + 32` on one path: t is never None after
    (a new-user trial was refused: "sum() of list[int | float | None]"); the mean of ints and
    floats divides by len() with no compile-time refusal for the message of a zero divisor."""
    results = assert_same(WEATHER, {"cities": ["paris", "oslo", "atlantis", "cairo"]},
                          {"cities": ["oslo"], "unit": "F"}, {"cities": []})
    assert [r["output"] for r in results] == [["13.42", 3], ["26.15", 1], [None, 0]]


def test_a_zero_divisor_whose_message_depends_on_unknown_kinds_stops_by_name():
    source = WEATHER.replace('f"{sum(temps) / len(temps):.2f}" if temps else None', "sum(temps) / len(temps)")
    stopped = emulate(compile_text(source), {"cities": ["atlantis"]})  # 0 / 0: "division by zero" (ints)
    assert stopped["error"] == "pysfn.AmbiguousNumber" and "division by zero" in stopped["cause"]


ASSIGNED = """
def parse(v: str) -> float | None:
    return float(v) if v.strip() else None

@sfn.workflow
def main(a: int, b: int, texts: list[str]):
    ratio = None
    if b:
        ratio = a / b
        ratio = round(ratio, 3)
    try:
        share = a / (a + b)
    except ZeroDivisionError:
        share = None
    else:
        share = f"{share:.1%}"
    best = None
    for t in texts:
        v = parse(t)
        if v is None:
            continue
        best = v if best is None else max(best, v)
    label = None
    label = "n/a" if best is None else str(round(best, 1))
    return [ratio, share, label, best]
"""


def test_a_name_holds_the_type_of_what_it_was_last_assigned():
    """After `ratio = a / b` (a statement), to the end of its block, `ratio` is a float, not
    the `float | None` of all its assignments (a new-user trial was refused: "round(x, ndigits)
    is not supported" for `round(ratio, 3)`); a try's else sees what its body assigned; a
    loop reads the union (its back edge), and so does the code after a branch."""
    results = assert_same(ASSIGNED, {"a": 2, "b": 3, "texts": ["1.25", " ", "7.5"]},
                          {"a": 0, "b": 0, "texts": []}, {"a": 5, "b": -5, "texts": ["x"]})
    assert results[0]["output"] == [0.667, "40.0%", "7.5", 7.5]
    assert results[1]["output"] == [None, None, "n/a", None]
    assert results[2]["error"] == "ValueError"


def test_what_an_assignment_narrowed_ends_where_python_may_hold_another_value():
    """The narrowing stops at the end of the block, at a loop that assigns the name (also
    before the assignment inside it), and for a name a nested function reads (it may run
    where the name holds another type): each read there has the union's type, so these keep
    Python's TypeError or are refused, never the assigned type's code."""
    source = """
    @sfn.workflow
    def main(xs: list[int], flag: bool):
        v = None
        for x in xs:
            if x > 2:
                v = x / 2
        w = 1
        if flag:
            w = "a"
        return [v, w * 2]
    """
    results = assert_same(source, {"xs": [1, 5], "flag": True}, {"xs": [], "flag": False})
    assert results[0]["output"] == [2.5, "aa"] and results[1]["output"] == [None, 2]
    results = assert_same("""
    @sfn.workflow
    def main(xs: list[int]):
        v = 0
        text = ""
        for x in xs:
            text += str(v) + ";"
            v = x / 2
        return [v, text]
    """, {"xs": [3, 4]}, {"xs": []})  # (str(v) of the int 0, then of the float 1.5: `v = 0` narrows to the loop only)
    assert results[0]["output"] == [2.0, "0;1.5;"] and results[1]["output"] == [0, ""]
    assert_same("""
    @sfn.workflow
    def main(a: int):
        v = a / 2
        def show():
            return str(v)
        first = show()
        v = "x"
        return [first, show()]
    """, {"a": 3}, {"a": 4})


def test_what_the_one_branch_that_goes_on_assigned_holds_after_it():
    """A sensor trial (was refused twice): `value = float(raw)` in a try whose handler
    `continue`s is a float after the try (only the body's end goes on), as after an `if` whose
    other branch leaves; `[v for v in vs if v is not None]` is a list of floats."""
    results = assert_same("""
    def read(sid):
        return {"a": "21.5", "b": "n/a", "c": "19", "d": ""}.get(sid)

    @sfn.workflow
    def main(sensors, unit="C"):
        readings = {}
        errors = []
        for sid in sensors:
            raw = read(sid)
            value = None
            if raw:
                try:
                    value = float(raw)
                except ValueError:
                    errors.append(sid)
                    continue
                if unit == "F":
                    value = value * 9 / 5 + 32
                value = round(value, 1)
            readings[sid] = value
            factor = None
            if sid == "c":
                factor = 2.5
            else:
                continue
            readings[sid] = factor * 2
        valid = [v for v in readings.values() if v is not None]
        return [readings, round(sum(valid) / len(valid), 2) if valid else None, errors]
    """, {"sensors": ["a", "b", "c", "d", "e"]}, {"sensors": ["a", "c"], "unit": "F"}, {"sensors": []})
    assert results[0]["output"] == [{"a": 21.5, "c": 5.0, "d": None, "e": None}, 13.25, ["b"]]


def test_a_number_that_may_be_an_int_or_a_float_carries_which_it_is():
    """`total = 0`, then `total += x * 1.5`; `avg = total / n if n else 0` (new-user trials):
    Python prints 0 or 9.0, JSON holds 9.0 as 9. Such a name has a hidden companion, set at
    each assignment, saying whether it holds a float; printing, json.dumps, isinstance,
    type().__name__, format specs and an unannotated callee read it (refused before)."""
    source = """
    import json


    def note(text):
        return repr(text)


    @sfn.workflow
    def main(xs: list[int]):
        total = 0
        for x in xs:
            total += x * 1.5
        n = len(xs)
        avg = total / n if n else 0
        print(total, avg)
        return [str(total), repr(avg), f"{total}|{avg:>6}|{-avg:+}", json.dumps(total), note(avg),
                isinstance(total, float), type(avg).__name__, str(round(total, 1)), str(abs(-total))]
    """
    results = assert_same(source, {"xs": [2, 4]}, {"xs": []}, {"xs": [1]})
    assert results[0]["output"] == ["9.0", "4.5", "9.0|   4.5|-4.5", "9.0", "4.5", True, "float", "9.0", "9.0"]
    assert results[1]["output"] == ["0", "0", "0|     0|+0", "0", "0", False, "int", "0", "0"]
    # a pair swapped, a negation, a callee's float, a while loop of Tasks, an inline helper, try
    results = assert_same("""
    def price(sku) -> float:
        return 2.0 if sku == "a" else 2.5


    def note(text):
        return text


    @sfn.workflow
    def main(flag: bool, skus: list[str], xs: list[int]):
        def mean(ys):
            return sum(ys) / len(ys) if ys else 0
        a, b = 0, 1.5
        if flag:
            a, b = b, a
        v = 0
        for s in skus:
            v = price(s)
            note(f"v={v}")
        w = -a * 2 if flag else a
        m = 3
        while m > 0 and flag:
            m = m - 1.5
            note(str(m))
        t = 0
        try:
            t = 10 / len(xs)
        except ZeroDivisionError:
            t = 0
        mm = mean(xs)
        return f"{a} {b} {v} {w} {m} {t} {mm}"
    """, {"flag": True, "skus": ["a"], "xs": [2, 2]}, {"flag": False, "skus": [], "xs": []})
    assert [r["output"] for r in results] == ["1.5 0 2.0 -3.0 0.0 5.0 2.0", "0 1.5 0 0 3 0 0"]


def test_the_int_or_float_companion_is_set_only_where_something_reads_it():
    """A name that may hold an int or a float but is only compared or returned needs no
    companion: the definition holds none (graph/unread_assigns.py); one whose kind some
    assignment cannot tell (an item of a list of both) is refused where it is printed."""
    compiled = compile_text("""
    @sfn.workflow
    def main(xs: list[int]):
        total = 0
        for x in xs:
            total += x * 1.5
        return [total, total > 2]
    """)
    assert "float_" not in json.dumps(compiled.definition)
    assert "may be an int or a float" in refusal("""
    @sfn.workflow
    def main(xs: list[int]):
        best = 0
        for x in [0.5, 2, 1.5]:
            best = x
        return str(best)
    """)


def test_an_integral_float_default_of_a_parameter_with_no_annotation_is_refused():
    """`def main(limit=80.0)`: Python prints 80.0 where the input leaves it out; the machine
    held the default as JSON's 80 and, the parameter following the number rule, printed 80
    and passed 80 to callees (new-user trial; silent). Refused at the default, with the
    annotation to write, where the parameter's kind can show (analysis/blind_numbers.py: not
    where it is only compared, say); annotated, or 0.5, it agrees."""
    message = refusal("""
    @sfn.workflow
    def main(n, limit=80.0, *, bounds=(0, [1.0]), unread=3.0):
        return f"{limit}" + str(bounds)
    """)
    assert "wf.py:4:19: the default of 'limit' holds the float 80.0" in message
    assert "the default of 'bounds' holds the float 1.0" in message and message.count("wf.py:") == 2
    results = assert_same("""
    @sfn.workflow
    def main(limit: float = 80.0, rate=0.5):
        return [f"{limit}", str(rate * 3)]
    """, {}, {"limit": 2.5, "rate": 2})
    assert results[0]["output"] == ["80.0", "1.5"]
    results = assert_same("""
    @sfn.workflow
    def main(xs: list[int], threshold=2.0):
        return [x for x in xs if x > threshold * 1.5]
    """, {"xs": [1, 3, 5]}, {"xs": [4], "threshold": 3})
    assert results[0]["output"] == [5]


def test_a_float_that_may_be_none_or_a_str_formats_with_a_spec():
    """A new-user trial (session 25): `f"{avg:.2f}"` of `avg = x / 2 if x else None` printed ''
    (the float's formatting was made, then left out of the expression: only the str's and the
    int's were joined), and `f"{v:>8}"` of a `float | str` printed '' for 1.0 (an integral
    number taken for an int where no int can be). Every kind the type allows has its path."""
    source = """
    @sfn.workflow
    def main(x, unit=None):
        avg = x / 2 if x else None
        v = x / 2 if x else "n/a"
        return [f"{avg:.2f}", f"{avg:>8.1f}", format(avg, ".3f"), "{:.2f}|".format(avg), f"{v:>8}", f"{v:<6}|",
                f"{unit or 1.5:>5}"]
    """
    results = assert_same(source, {"x": 5}, {"x": 4}, {"x": 2.5, "unit": "m"})
    assert results[1]["output"] == ["2.00", "     2.0", "2.000", "2.00|", "     2.0", "2.0   |", "  1.5"]
    failed = assert_same(source, {"x": 0})[0]
    assert failed["error"] == "TypeError" and "NoneType.__format__" in failed["cause"]


def test_negation_of_a_value_that_is_a_number_or_a_str():
    # a callee's unannotated result inferred as `[str, int]` pairs: `-s[1]` is `int | str`
    # statically, a number at run time here, Python's TypeError where it is the str
    results = assert_same("""
    def fetch(n):
        return [["a%d" % i, i * 7 % 5] for i in range(n)]

    @sfn.workflow
    def main(n, at=1):
        xs = fetch(n)
        try:
            return [sorted(xs, key=lambda s: -s[1]), [+s[at] for s in xs], [-s[at] for s in xs]]
        except TypeError as e:
            return str(e)
    """, {"n": 4}, {"n": 3, "at": 0}, {"n": 0, "at": 0})
    assert [r["output"] for r in results] == [
        [[["a2", 4], ["a1", 2], ["a3", 1], ["a0", 0]], [0, 2, 4, 1], [0, -2, -4, -1]],
        "bad operand type for unary +: 'str'", [[], [], []]]


def test_ordering_a_value_that_may_be_a_number_or_not_against_a_number():
    """`x is not None and x < 0` where `x` may be anything (a helper's int, float or unannotated
    default): narrowed, it is no longer 'any', and the comparison was refused as one 'of lists'
    (a session-26 trial); a number at run time, or Python's TypeError naming what it is."""
    results = assert_same("""
    @sfn.workflow
    def main(src, default=0):
        def to_number(s):
            if s is None:
                return default
            try:
                return int(s)
            except ValueError:
                try:
                    return float(s)
                except ValueError:
                    return None
        out = []
        for s in src:
            x = to_number(s)
            try:
                out.append(x is not None and x < 0)
            except TypeError as e:
                out.append(str(e))
        return out
    """, {"src": ["12", "x", "-7.5", None, "-3"]}, {"src": [None], "default": "d"}, {"src": [None], "default": [1]})
    assert [r["output"] for r in results] == [[False, False, True, False, True],
                                              ["'<' not supported between instances of 'str' and 'int'"],
                                              ["'<' not supported between instances of 'list' and 'int'"]]


CAESAR = """
def save(s):
    return len(s)

@sfn.workflow
def main(text, shift=3):
    out = "".join(chr((ord(c) - 97 + shift) % 26 + 97) if "a" <= c <= "z" else c for c in text)
    vowels = [c.upper() if c in "aeiou" else c for c in text]
    caps = "".join(c.upper() if c.isalpha() else "_" + c for c in text)
    save(out)
    return [out, vowels, caps]
"""


def test_a_comparison_with_a_str_literal_makes_its_operand_a_str_on_both_sides():
    """`"a" <= c` and `c in "aeiou"` raise TypeError for anything but a str (`c.isalpha()`
    AttributeError), so once the test has run, c is a str whichever side the conditional
    takes: the join needs no check that each
    item is a str (it walked every item a second time: a Caesar shift of 600 characters spent
    94,088 of its 365,676 JSONata steps there)."""
    results = assert_same(CAESAR, {"text": "hello, world"}, {"text": ["ab", "z", "Q"]}, {"text": {"x": 1, "é": 2}},
                          {"text": "abc", "shift": 25}, {"text": ["a", 1]}, {"text": [None]}, {"text": 5},
                          {"text": "ab", "shift": "1"}, {"text": "ab", "shift": 1.5})
    assert results[0]["output"] == ["khoor, zruog", list("hEllO, wOrld"), "HELLO_,_ WORLD"]
    assert results[4]["error"] == "TypeError"
    fields = json.dumps(compile_text(CAESAR).definition)
    assert "expected str instance" not in fields


def test_a_comparison_narrows_nothing_it_may_not_run():
    """Only the first comparison of a chain always runs, and `==` raises for nothing."""
    assert_same("""
    @sfn.workflow
    def main(xs, k):
        return ["".join(x if x == "a" else "-" for x in xs), [x if k < 0 and "a" <= x else 0 for x in xs]]
    """, {"xs": ["a", "b"], "k": 1}, {"xs": ["a", "b"], "k": -1}, {"xs": [1, "a"], "k": 1}, {"xs": [1, "a"], "k": -1})


def test_round_to_tens_of_a_number_nobody_annotated():
    """round(n, -1) of an unannotated n was refused with a hint about floats: an int (the
    number rule) or a bool rounds as Python's int does, a tie to the even multiple; a str is
    Python's TypeError; a float, whose result Python computes from its exact binary value,
    stops the machine loudly."""
    source = """
    @sfn.workflow
    def main(n):
        try:
            return [round(n, -1), round(n, -2), round(n, -3)]
        except TypeError as e:
            return str(e)
    """
    results = assert_same(source, {"n": 1234567}, {"n": -1250}, {"n": 1350}, {"n": 5}, {"n": 15}, {"n": -25},
                          {"n": True}, {"n": 0}, {"n": "x"}, {"n": None}, {"n": 1e15})
    assert [r["output"] for r in results[:3]] == [[1234570, 1234600, 1235000], [-1250, -1200, -1000],
                                                  [1350, 1400, 1000]]
    assert results[8]["output"] == "type str doesn't define __round__ method"
    (python, machine), = both(source, {"n": 12.5})
    assert python["output"] == [10.0, 0.0, 0.0] and machine["error"] == "pysfn.Unsupported"


RSPLIT_TEXTS = ["", "   ", "a", "  a b  c  ", "a\tb\nc d", "x\u3000y\u00a0z ", " one ", "a  b", "\u2028a\u2029b"]


def test_rsplit_on_whitespace_with_a_maxsplit():
    """`line.rsplit(None, 1)` (and `rsplit(maxsplit=2)`, or a separator None or a str known at
    run time) was refused with "needs a str separator here"."""
    results = assert_same("""
    @sfn.workflow
    def main(texts, sep=None):
        out = []
        for t in texts:
            out.append([t.rsplit(None, 1), t.rsplit(maxsplit=0), t.rsplit(None, 2), t.rsplit(sep, 1)])
        return out
    """, {"texts": RSPLIT_TEXTS}, {"texts": ["a,b,c", "a b"], "sep": ","}, {"texts": ["a"], "sep": ""},
        {"texts": ["a"], "sep": 1})
    assert results[0]["output"] == [[t.rsplit(None, 1), t.rsplit(maxsplit=0), t.rsplit(None, 2), t.rsplit(None, 1)]
                                    for t in RSPLIT_TEXTS]
    assert [r["error"] for r in results[2:]] == ["ValueError", "TypeError"]


def test_percent_format_by_key():
    """`"%(name)s" % d` was refused ('%(': only %s, ...): each conversion prints the mapping's
    item under its key, with Python's KeyError, and TypeError for what is no mapping."""
    results = assert_same("""
    @sfn.workflow
    def main(d, p={"name": "Ada", "n": 3}):
        try:
            return ["%(name)s has %(n)d items (%(n)5.1f%%)" % p, "%(name)-6s|%(name)r" % d]
        except (KeyError, TypeError) as e:
            return [type(e).__name__, str(e)]
    """, {"d": {"name": "x"}}, {"d": {"name": 5}}, {"d": {}}, {"d": "s"}, {"d": [1]}, {"d": 3}, {"d": None},
        {"d": {"name": "x"}, "p": {"name": "y"}}, {"d": {"name": "x"}, "p": {"name": "y", "n": "z"}},
        {"d": {"name": [1, "a"]}, "p": {"name": None, "n": 2.5}})
    assert [r["output"] for r in results[:4]] == [
        ["Ada has 3 items (  3.0%)", "x     |'x'"], ["Ada has 3 items (  3.0%)", "5     |5"],
        ["KeyError", "'name'"], ["TypeError", "format requires a mapping"]]
    assert "plain conversions" in refusal("""
    @sfn.workflow
    def main(d):
        return "%(a)s %s" % d
    """)


def test_dict_update_with_pairs_known_at_run_time():
    """`cfg.update(config)` of an unannotated config stopped the machine unless it was a dict:
    a list of [str, value] pairs is merged in as Python takes them (a later pair wins, new keys
    last); pairs the machine cannot hold stop it loudly, never a different result."""
    source = """
    @sfn.workflow
    def main(config):
        cfg = {"retries": 3, "mode": "a"}
        cfg.update(config)
        return cfg
    """
    results = assert_same(source, {"config": [["retries", 5]]}, {"config": {"retries": 5, "x": [1]}},
                          {"config": []}, {"config": [["b", [1, 2]], ["mode", None], ["b", {"q": [[1]]}]]})
    assert [r["output"] for r in results] == [{"retries": 5, "mode": "a"}, {"retries": 5, "mode": "a", "x": [1]},
                                              {"retries": 3, "mode": "a"}, {"retries": 3, "mode": None, "b": {"q": [[1]]}}]
    for config in ([["a", 1, 2]], [[1, "x"]], ["ab"], 5):
        (python, machine), = both(source, {"config": config})
        assert machine["error"] == "pysfn.Unsupported", config
