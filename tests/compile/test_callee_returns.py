"""What an unannotated callee returns, inferred from its body (analysis/callee_returns.py):
the machine trusts the type, so the inference must be sound. A property test runs random
callee bodies and checks every value they return (after JSON) has the inferred type; the
rest pin the rules that keep it sound (aliases, items read out, constants others change)."""

from __future__ import annotations

import copy
import json
import re
import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pysfn_compile.analysis import callee_returns, module_info, pytypes
from pysfn_compile.lowering.operations import type_of_value
from pysfn_compile.runtime.sfn import as_machine_sees

from .helpers import assert_same, compile_text


def infer(source: str, name: str = "f", **parameters) -> pytypes.Ty:
    info = module_info.load_source(textwrap.dedent(source), "callee.py")
    return callee_returns.inferred_return(info.functions[name], info, parameters)


def fits(ty: pytypes.Ty, value, depth: int = 0) -> bool:
    """Whether a JSON value (as the machine sees it) has the type `ty`."""
    if ty.is_any:
        return True
    if value is None:
        return "none" in ty.kinds
    if isinstance(value, bool):
        return "bool" in ty.kinds
    if isinstance(value, int):
        return "int" in ty.kinds and value.bit_length() <= ty.bits
    if isinstance(value, float):
        return "float" in ty.kinds
    if isinstance(value, str):
        return "str" in ty.kinds
    if isinstance(value, list):
        return "list" in ty.kinds and all(fits(ty.element, item, depth + 1) for item in value)
    if isinstance(value, dict):
        if "dict" not in ty.kinds or not ty.present <= set(value):  # (the keys it is known to hold)
            return False
        if ty.fields is not None:
            fields = dict(ty.fields)
            return set(value) <= set(fields) and all(fits(fields[k], v, depth + 1) for k, v in value.items())
        return all(fits(ty.values, v, depth + 1) for v in value.values())
    return False


RAISED = object()


def returned(source: str, *args):
    """What the callee `f` gives the machine for these arguments (RAISED: it raised)."""
    namespace: dict = {}
    exec(textwrap.dedent(source), namespace)  # the generated test callee
    try:
        value = namespace["f"](*copy.deepcopy(args))
        return as_machine_sees(None, json.loads(json.dumps(value)))
    except Exception:
        return RAISED


# -- the rules -------------------------------------------------------------------------
def test_a_comprehension_of_records_is_a_list_of_records():
    ty = infer("""
        REGIONS = ["north", "south"]
        def f(day, count):
            return [{"id": f"{day}-{i}", "region": REGIONS[i % 2], "cents": (i * 37) % 1000} for i in range(count)]
    """)
    assert ty.only("list")
    fields = dict(ty.element.fields)
    assert fields["id"] == fields["region"] == pytypes.STR
    assert fields["cents"] == pytypes.kind("int", 10)  # below 1000: its products need no overflow check


def test_a_repeated_or_concatenated_list_keeps_its_items_type():
    ty = infer("""
        def f(n):
            return [{"user": "ann", "stars": 5}, {"user": "bob", "stars": 2}] * n + [{"user": "cy", "stars": 4}]
    """)
    assert ty.only("list") and dict(ty.element.fields)["stars"] == pytypes.kind("int", 3)
    assert ty.element.present == {"user", "stars"}


def test_a_list_built_by_append_and_a_float_crossing_json():
    ty = infer("""
        def f(n):
            out = []
            total = 0
            for i in range(n):
                total += i / 2
                out.append({"i": i, "half": total})
            return out
    """)
    half = dict(ty.element.fields)["half"]
    assert half.kinds == {"int", "float"} and half.json_number  # 1.0 crosses JSON as 1: an int by the rule


def test_falling_off_the_end_returns_none():
    ty = infer("""
        def f(x):
            if x:
                return "yes"
    """)
    assert ty.kinds == {"str", "none"}


def test_a_parameter_and_what_is_made_of_it_are_unknown():
    assert infer("def f(x):\n    return x\n").is_any
    assert infer("def f(x):\n    return {'v': x['v']}\n").field("v").is_any
    assert infer("def f(x):\n    return x + 1\n").is_any


def test_an_alias_may_change_the_list():
    assert infer("""
        def f(x):
            out = []
            other = out
            other.append(x)
            return out
    """).is_any


def test_a_list_passed_to_a_function_may_change():
    assert infer("""
        def fill(xs):
            xs.append(1.5)
        def f():
            out = [1]
            fill(out)
            return out
    """).is_any


def test_an_item_read_out_may_change():
    ty = infer("""
        def f(x):
            rows = [[1]]
            first = rows[0]
            first.append(x)
            return rows
    """)
    assert ty.is_any or ty.element.is_any
    ty = infer("""
        def f(x):
            rec = {"lines": []}
            rec["lines"].append(x)
            return rec
    """)
    assert ty.is_any


def test_a_constant_another_function_changes_is_unknown():
    ty = infer("""
        NAMES = ["a", "b"]
        def add(n):
            NAMES.append(n)
        def f(i):
            return NAMES[i]
    """)
    assert ty.is_any
    assert infer("NAMES = ['a', 'b']\ndef f(i):\n    return NAMES[i]\n") == pytypes.STR


def test_a_users_decorator_or_a_nested_function_gives_up():
    assert infer("""
        import functools
        @functools.lru_cache
        def f():
            return 1
    """).is_any
    assert infer("""
        def f(xs):
            def key(x):
                return x
            return sorted(xs, key=key)
    """).is_any


def test_a_shadowed_builtin_is_not_the_builtin():
    assert infer("""
        def len(x):
            return "long"
        def f(x):
            return len(x)
    """).is_any


# -- what the machine makes of it -------------------------------------------------------
SALES = """
REGIONS = ["north", "south", "east"]


def fetch(n):
    return [{"region": REGIONS[i % 3], "cents": (i * 37) % 1000, "qty": 1 + i % 2} for i in range(n)]


@sfn.workflow
def main(n):
    totals = {}
    for sale in fetch(n):
        totals[sale["region"]] = totals.get(sale["region"], 0) + sale["cents"] * sale["qty"]
    return {region: totals[region] // 100 for region in sorted(totals)}
"""


def test_an_inferred_callee_result_needs_no_dispatch_and_runs_both_ways():
    results = assert_same(SALES, {"n": 0}, {"n": 7}, {"n": 1500})
    assert results[1]["output"] == {"east": 4, "north": 4, "south": 2}
    text = json.dumps(compile_text(SALES).definition)
    for dispatch in ("$__mul", "$__num", "$__numstop"):  # int * int and int + int: no run-time dispatch
        assert dispatch + " " not in text and dispatch + "(" not in text


# -- soundness, by example -----------------------------------------------------------------
# expressions by kind, so that most run (a callee that raises returns nothing to check)
_FORMS = {
    "int": ["0", "1", "-3", "n", "len(s)", "len(xs)", "(<int> + <int>)", "(<int> * <int>)", "(<int> // 2)",
            "(<int> % 3)", "sum(v for v in range(n))", "max(<int>, <int>)", "round(<float>)", "d.get('k', 0)",
            "int(<float>)"],
    "float": ["2.5", "x", "(<int> / 4)", "(<float> + <int>)", "abs(<float>)", "(<float> * 2)", "-<float>"],
    "str": ["'x'", "''", "s", 'f"{<any>}-x"', "<str>.upper()", "(<str> + <str>)", "str(<any>)", "<str>[0:1]",
            "('-' * <int>)", "'<{}>'.format(<int>)", "(<str> or 'empty')"],
    "list": ["[<any>, <any>]", "xs", "[<any> for _ in range(2)]", "<str>.split()", "sorted(<str>)",
             "xs[0:1]", "[[<int>]]", "(<list> * <int>)", "(<int> * [<any>])", "(<list> + <list>)",
             "([{'k': <any>}] * 2)"],
    "dict": ["{'k': <any>, 'm': <any>}", "d", "{<str>: <any>}", "{k: <any> for k in ['p', 'q']}"],
    "any": ["a", "b", "(<any> if a else <any>)", "(<any> or <any>)", "<int>", "<float>", "<str>", "<list>",
            "<dict>", "None", "True", "xs[0]", "d['k']"],
}
_HOLE = re.compile(r"<(int|float|str|list|dict|any)>")


@st.composite
def expressions(draw, kind: str = "any", depth: int = 0):
    forms = _FORMS[kind]
    if depth >= 3:
        forms = [f for f in forms if not _HOLE.search(f)] or forms[:1]
    form = draw(st.sampled_from(forms))
    return _HOLE.sub(lambda m: draw(expressions(m.group(1), depth + 1)), form)


@st.composite
def callees(draw):
    lines = ["def f(a, b):", "    n = 3", "    x = 0.5", "    s = 'word'", "    xs = [1]", "    d = {'k': 1}"]
    for _ in range(draw(st.integers(0, 6))):
        e = draw(expressions())
        lines += draw(st.sampled_from([
            [f"    n = {draw(expressions('int'))}"], [f"    n += {draw(expressions('int'))}"],
            [f"    x = {draw(expressions('float'))}"], [f"    s = {draw(expressions('str'))}"],
            [f"    n = {e}"], [f"    xs.append({e})"], [f"    d['k'] = {e}"], [f"    d[s] = {e}"],
            ["    for i in range(2):", f"        xs.append({e})"], [f"    xs = [{e}]"], [f"    d = {{'m': {e}}}"],
            [f"    if {draw(expressions())}:", f"        return {e}"],
            ["    y = xs", f"    y.append({e})"], ["    e = d", f"    e['k'] = {e}"],
            ["    rows = [[1]]", f"    rows[0].append({e})", "    xs = rows"],
            ["    rec = {'lines': []}", f"    rec['lines'].append({e})", "    d = rec"],
            ["    first = xs[0]", f"    first.append({e})"],
            ["    xs = [[1]]", "    first = xs[0]", f"    first.append({e})"],
            ["    d = {'k': [1]}", f"    d['k'].append({e})"], ["    xs = [[1]]", f"    xs[0].append({e})"],
            ["    del d['k']"], ["    d.pop('k', None)"], ["    d = {}", f"    d['m'] = {e}"],
            [f"    a = {e}"], ["    if isinstance(b, list):", f"        b.append({e})"],
            ["    if isinstance(a, dict):", f"        a['k'] = {e}"], ["    xs = b"],
        ]))
    result = draw(st.sampled_from(["xs", "d", "n", "s", "[xs, d, n]", "{'xs': xs, 'd': d}", "<any>", "<any>",
                                   "a", "b", "[a, b]"]))
    lines.append(f"    return {_HOLE.sub(lambda m: draw(expressions(m.group(1))), result)}")
    return "\n".join(lines) + "\n"


_ARGS = [None, True, 0, 1, -2, 2.5, 3.0, "", "ab", [], [1, "x"], [[1]], {}, {"k": 1}]
_TYPED_ARGS = [None, True, 0, 7, -2, "", "ab", [], [1, 3], ["x", 1], [[1]], {}, {"k": 1}, {"k": [2], "m": "s"}]


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(callees(), st.sampled_from(_ARGS), st.sampled_from(_ARGS))
def test_every_value_a_callee_returns_has_the_inferred_type(source, a, b):
    ty = infer(source)
    value = returned(source, a, b)
    assert value is RAISED or fits(ty, value), f"{source}\nf({a!r}, {b!r}) = {value!r}, inferred {ty.describe()}"


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(callees(), st.sampled_from(_TYPED_ARGS), st.sampled_from(_TYPED_ARGS))
def test_every_value_has_the_type_inferred_from_the_arguments_types(source, a, b):
    """A call site passes values of known types (the machine's static types of its JSON)."""
    ty = infer(source, a=type_of_value(a), b=type_of_value(b))  # the machine's static types
    value = returned(source, a, b)
    assert value is RAISED or fits(ty, value), f"{source}\nf({a!r}, {b!r}) = {value!r}, inferred {ty.describe()}"


def test_a_callees_result_follows_its_arguments_types():
    source = """
        def f(order, pct=10):
            total = order["price"] * order["qty"]
            return {"sku": order["sku"], "total": total - total * pct // 100}
    """
    order = pytypes.typed_dict("", {"sku": pytypes.STR, "price": pytypes.kind("int", 8),
                                    "qty": pytypes.kind("int", 3)})
    ty = infer(source, order=order, pct=pytypes.literal_int(10))
    assert dict(ty.fields)["sku"] == pytypes.STR and dict(ty.fields)["total"].only("int")
    assert infer(source).field("total").is_any  # called with values of unknown type


def test_a_str_with_any_json_value_is_a_str_or_a_type_error():
    """`"ab" * n` and `prefix + name` of parameters: a str wherever Python returns (a list,
    None or a float there raises TypeError in the callee)."""
    for body in ('return "ab" * n', "return n * 'ab'", 'return "id-" + n', 'return n + "!"'):
        assert infer(f"def f(n):\n    {body}\n").only("str"), body
        for n in (3, True, "x", [1], None, 1.5, {"k": 1}):
            value = returned(f"def f(n):\n    {body}\n", n)
            assert value is RAISED or isinstance(value, str)
    assert not infer("def f(n, m):\n    return n * m\n").only("str")
