"""Dicts written as records (`{"open": 0, "hours": 0, "urgent": []}`) keep a type per key while
the workflow changes them, and values of unknown kind stored deep inside a dict mark only that
level as shared (the workflows users write without annotations: issue 10)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from .helpers import HEADER as HEADER_FOR_FILES
from .helpers import assert_same, compile_text, refusal

TRIAGE = """
def fetch_tickets(n):
    pri = ["low", "high", "urgent"]
    return [{"id": f"T-{i}", "priority": pri[i % 3], "assignee": None if i % 5 == 0 else f"dev{i % 3}",
             "hours": (i * 7) % 13, "tags": ["bug"] if i % 2 else ["feature", "ui"]} for i in range(n)]


@sfn.workflow
def main(n):
    per_person = {}
    unassigned = []
    for t in fetch_tickets(n):
        if t["assignee"] is None:
            unassigned.append(t["id"])
            continue
        person = per_person.setdefault(t["assignee"], {"open": 0, "hours": 0, "urgent": []})
        person["open"] += 1
        person["hours"] += t["hours"]
        if t["priority"] == "urgent":
            person["urgent"].append(t["id"])
    lines = []
    for name in sorted(per_person, key=lambda p: -per_person[p]["hours"]):
        p = per_person[name]
        flag = " URGENT: " + ", ".join(p["urgent"][:2]) if p["urgent"] else ""
        lines.append(f"- {name}: {p['open']} open, {p['hours']}h{flag}")
    return {"lines": lines, "unassigned": unassigned[:3], "people": per_person}
"""


def test_a_dict_of_records_built_in_a_loop_runs_both_ways():
    results = assert_same(TRIAGE, {"n": 0}, {"n": 1}, {"n": 12}, {"n": 400})
    assert results[2]["output"]["people"]["dev2"]["urgent"] == ["T-2", "T-8", "T-11"]


def test_a_record_field_keeps_its_own_type():
    assert_same("""
    @sfn.workflow
    def main(words):
        stats = {"count": 0, "longest": "", "seen": []}
        for w in words:
            stats["count"] += 1
            if len(w) > len(stats["longest"]):
                stats["longest"] = w.lower()
            stats["seen"].append(w.upper())
        return [stats, stats["count"] * 2, stats["longest"].title(), len(stats["seen"])]
    """, {"words": ["ab", "c", "def"]}, {"words": []}, {"words": [3]})


def test_a_value_of_unknown_kind_stored_deep_inside_still_refuses_changing_it_there():
    message = refusal("""
    @sfn.workflow
    def main(rows):
        d = {"k": {"lines": []}}
        for r in rows:
            d["k"]["lines"].append(r)
            d["k"]["lines"][0].append(1)
        return d
    """)
    assert "the items of 'd' may also be reachable from" in message
    message = refusal("""
    @sfn.workflow
    def main(rows):
        d = {"k": {"lines": []}}
        v = [1]
        d["k"]["lines"].append(v)
        v.append(2)
        return d
    """)
    assert "'v' may share its value" in message


def test_changing_the_list_that_holds_shared_values_is_allowed():
    # rows' items are stored three levels down; the list two levels down is the machine's own
    assert_same("""
    @sfn.workflow
    def main(rows):
        d = {"k": {"lines": []}}
        for r in rows:
            d["k"]["lines"].append(r)
            d["k"]["lines"].reverse()
        return [d, rows]
    """, {"rows": [[1], {"a": 2}, 3]}, {"rows": []})


# -- d[k] in a loop over d's keys ----------------------------------------------------------
KEYS_LOOP = """
@sfn.workflow
def main(totals: dict[str, int], extra: dict[str, int]):
    lines = []
    for region in sorted(totals):
        lines.append(f"{region}: {totals[region]} {extra[region]}")
    for region in list(totals.keys()):
        totals[region + "!"] = totals[region] * 2
    return lines
"""


def _key_checked(source: str, container: str) -> bool:
    """Whether the machine tests that `container[region]` exists (inline, or on the temporary
    holding the lookup)."""
    text = json.dumps(compile_text(source).definition)
    lookup = re.escape(f"$lookup(${container}, $region)")
    return bool(re.search(rf"\$exists\({lookup}\)|\$(\w+) := {lookup}; \$not\(\$exists\(\$\1\)\)", text))


def test_a_loop_over_a_dicts_keys_reads_its_items_without_a_key_check():
    results = assert_same(KEYS_LOOP, {"totals": {"b": 2, "a": 1}, "extra": {"a": 0, "b": 9}},
                          {"totals": {"a": 1}, "extra": {}})
    assert results[0]["output"] == ["a: 1 0", "b: 2 9"] and results[1]["error"] == "KeyError"
    assert _key_checked(KEYS_LOOP, "extra")  # another dict's item: checked
    assert not _key_checked(KEYS_LOOP, "totals")


@pytest.mark.parametrize("change", ["totals.pop(region)", "del totals[region]", "totals = {}", "totals.clear()",
                                    "region = region + 'x'"])
def test_a_body_that_may_remove_the_key_keeps_the_check(change):
    source = f"""
@sfn.workflow
def main(totals: dict[str, int]):
    out = []
    for region in list(totals):
        {change}
        out.append(totals[region])
    return out
"""
    assert_same(source, {"totals": {"a": 1, "b": 2}})
    assert _key_checked(source, "totals")


# -- keys a dict's type says it holds (Ty.present) ---------------------------------------
def _const_key_checked(source: str, key: str) -> bool:
    """Whether the definition tests that a dict holds the literal key `key`."""
    text = json.dumps(compile_text(source).definition)
    lookup = re.escape('$lookup(') + r"\$\w+" + re.escape(f', \\"{key}\\")')
    return bool(re.search(rf"\$exists\({lookup}\)|\$(\w+) := {lookup}; \$not\(\$exists\(\$\1\)\)", text))


RECORDS_FROM_A_CALLEE = """
def fetch(n):
    return [{"id": f"r{i}", "cents": i * 10, "note": None} for i in range(n)]


@sfn.workflow
def main(n, limit=25):
    total, ids = 0, []
    for r in fetch(n):
        if r["cents"] > limit:
            ids.append(r["id"])
        total += r["cents"]
    return {"total": total, "ids": ids, "notes": [r["note"] for r in fetch(2)]}
"""


def test_the_keys_of_the_records_a_callee_builds_need_no_check():
    """fetch's records are literals: every one holds id, cents and note (None included)."""
    assert_same(RECORDS_FROM_A_CALLEE, {"n": 0}, {"n": 5}, {"n": 5, "limit": "x"})
    for key in ("id", "cents", "note"):
        assert not _const_key_checked(RECORDS_FROM_A_CALLEE, key), key


@pytest.mark.parametrize("change, kept", [
    ("del rec['a']", True),             # gone on one path: Python's KeyError
    ("rec.pop('a')", True),
    ("rec.clear()", True),
    ("rec = {'b': 2}", True),           # another record without it
    ("rec = {'a': 5, 'b': 2}", False),  # another record with it
    ("rec['c'] = 3", False),            # stores add keys
    ("other = [1]; other.pop()", True),  # any pop in the function: the types are not trusted for keys
])
def test_a_dict_that_may_lose_a_key_keeps_the_check(change, kept):
    source = f"""
@sfn.workflow
def main(flag: bool):
    rec = {{"a": 1, "b": 2}}
    if flag:
        {change}
    return rec["a"]
"""
    assert_same(source, {"flag": False}, {"flag": True})
    assert _const_key_checked(source, "a") is kept


def test_a_key_stored_on_one_path_only_is_checked():
    source = """
@sfn.workflow
def main(flag: bool):
    d = {}
    if flag:
        d["k"] = 1
    return d["k"]
"""
    results = assert_same(source, {"flag": True}, {"flag": False})
    assert results[1]["error"] == "KeyError"
    assert _const_key_checked(source, "k")


def test_a_typeddict_holds_its_required_keys_only():
    source = """
from typing import TypedDict

class Base(TypedDict):
    id: str

class Order(Base, total=False):
    note: str

@sfn.workflow
def main(order: Order):
    return order["id"] + "/" + order["note"]
"""
    results = assert_same(source, {"order": {"id": "o1", "note": "n"}}, {"order": {"id": "o1"}},
                          {"order": {"note": "n"}})
    assert results[1]["error"] == "KeyError" and results[2]["error"] == "TypeError"
    assert not _const_key_checked(source, "id")
    assert _const_key_checked(source, "note")


def test_a_callee_that_deletes_a_key_returns_a_record_without_known_keys():
    source = """
def fetch():
    d = {"a": 1, "b": 2}
    del d["a"]
    return d

@sfn.workflow
def main():
    return fetch()["a"]
"""
    results = assert_same(source, {})
    assert results[0]["error"] == "KeyError"


def test_a_module_constant_dict_is_a_record_and_unpacks_with_a_union_checked():
    """`DEFAULTS = {"retries": 3, "tags": {...}}` at module level (new-user trials, session 20):
    `DEFAULTS["tags"]` has its own value's type, as a dict display's key has (it was the join of
    all values, `int | dict`, refused by `**` and `+`); `{**x}` of a union holding dicts checks
    at run time, with Python's TypeError for the rest."""
    results = assert_same("""
    DEFAULTS = {"retries": 3, "tags": {"team": "data"}, "ratio": 0.5}


    @sfn.workflow
    def main(overrides, pick):
        cfg = {**DEFAULTS, **overrides}
        cfg["tags"] = {**DEFAULTS["tags"], **overrides.get("tags", {})}
        label = DEFAULTS["tags"]["team"].upper() + str(DEFAULTS["retries"] + 1)
        part = DEFAULTS[pick]
        try:
            merged = {**part, "x": 1}
        except TypeError as e:
            merged = str(e)
        return [cfg, label, merged, DEFAULTS["ratio"] * 2]
    """, {"overrides": {"tags": {"owner": "me"}}, "pick": "tags"}, {"overrides": {}, "pick": "retries"},
        {"overrides": [], "pick": "tags"}, {"overrides": {"tags": 5}, "pick": "ratio"})
    assert results[0]["output"][1] == "DATA4"
    assert results[1]["output"][2] == "'int' object is not a mapping"
    assert results[2]["cause"] == "'list' object is not a mapping"
    assert results[3]["cause"] == "'int' object is not a mapping"


def test_a_dict_whose_items_are_converted_in_place_is_explained_in_the_refusal():
    """`row = dict(zip(cols, values))` then `row["qty"] = int(row["qty"])`: the dict's values
    are str | int | float for the compiler, whatever the key; the refusal of `row["qty"] *
    row["price"]` says why and how to write it (a new-user trial, session 20)."""
    message = refusal("""
    @sfn.workflow
    def main(line: str):
        row = dict(zip(["qty", "price"], line.split(",")))
        row["qty"] = int(row["qty"])
        row["price"] = float(row["price"])
        return row["qty"] * row["price"]
    """)
    assert "`row`'s values have several types: it is assigned `dict(zip(" in message
    assert "items of it at lines 6, 7" in message and "convert into a name of its own" in message
    # read back through the list it was appended to (new-user trial, session 21: no origin)
    message = refusal("""
    @sfn.workflow
    def main(lines: list[str]):
        rows = []
        for line in lines:
            rec = dict(zip(["qty", "price"], line.split(",")))
            rec["qty"] = int(rec["qty"])
            rec["price"] = float(rec["price"])
            rows.append(rec)
        return sum(r["qty"] * r["price"] for r in rows)
    """)
    assert "(`r` is an item of a list of `rec`, and `rec`'s values have several types" in message
    assert "items of it at lines 8, 9" in message and "convert into a name of its own" in message


def test_a_typeddict_called_makes_a_plain_dict_as_dict_does():
    """`Item(sku=s, qty=n)`, `Item(**d)`, `Item(row)` of a TypedDict class (new-user trials,
    session 20: "'Item' is a class"): a plain dict, as Python makes (no key or type checked);
    keywords only are the display (a record, a type per key), `**d` is its copy with Python's
    TypeError for an int key or a value that is no mapping (naming the class as Python does);
    `dict(a=1, b=[n])` is the display too."""
    results = assert_same("""
    from typing import TypedDict


    class Item(TypedDict):
        sku: str
        qty: int


    @sfn.workflow
    def main(d: dict, n):
        a = Item(**d)
        b = dict(**d)
        c = Item(sku="x", qty=n)
        e = dict(a=1, b=[n])
        e["b"].append(2)
        a["extra"] = True
        g = {1: "one"}
        try:
            f = dict(**g)
        except TypeError as err:
            f = str(err)
        return [a, b, c, e, f, Item(d), Item([("k", n)]), c["qty"]]
    """, {"d": {"sku": "a", "qty": 1}, "n": 3}, {"d": {}, "n": "x"})
    assert results[0]["output"][:5] == [{"sku": "a", "qty": 1, "extra": True}, {"sku": "a", "qty": 1},
                                        {"sku": "x", "qty": 3}, {"a": 1, "b": [3, 2]}, "keywords must be strings"]
    source = """
    from typing import TypedDict


    class Item(TypedDict):
        sku: str


    @sfn.workflow
    def main(d):
        return {call}
    """
    results = assert_same(source.format(call="[Item(**d), dict(**d)]"), {"d": {"sku": "a"}}, {"d": 5}, {"d": None},
                          {"d": ["sku"]})
    assert results[1]["cause"] == "wf.Item() argument after ** must be a mapping, not int"
    assert results[3]["cause"] == "wf.Item() argument after ** must be a mapping, not list"
    assert "Item(**x) is not supported here with other arguments" in refusal(source.format(call="Item(sku=1, **d)"))


def test_a_dataclass_called_in_the_workflow_says_to_use_a_dict():
    """`Item(**d)` of a dataclass: the message says what it is and what to write instead."""
    message = refusal("""
    from dataclasses import dataclass


    @dataclass
    class Item:
        sku: str


    @sfn.workflow
    def main(d: dict):
        item = Item(**d)
        return item
    """)
    assert "'Item' is a dataclass: a state machine holds JSON values" in message
    assert "a TypedDict to name its keys" in message


def test_a_copy_made_by_dict_of_keywords_shares_the_values():
    """`b = dict(**d)` / `Item(**d)` (accepted this session) copy d shallowly: its lists are d's,
    so `b["k"].append(2)` changes d["k"] in Python. The sharing analysis read only a copying
    call's positional arguments, so the change was not refused and the machine's d kept [1]
    (silent; found in review of 71af5ff before it reached a user). Refused now, as for dict(d),
    {**d}, dict(k=lst) and (*rows,)."""
    source = """
    from typing import TypedDict


    class Item(TypedDict):
        k: list


    @sfn.workflow
    def main(n: int):
        d = {{"k": [1], "m": [n]}}
        lst = [n]
        rows = [[n]]
        b = {made}
        {change}
        return [d, lst, rows, b]
    """
    for made, change in (("dict(**d)", 'b["k"].append(2)'), ("Item(**d)", 'b["k"].append(2)'),
                         ("dict(k=lst)", 'b["k"].append(2)'), ("Item(k=lst)", 'b["k"].append(2)'),
                         ("(*rows,)", "b[0].append(2)"), ("[*rows]", "b[0].append(2)")):
        message = refusal(source.format(made=made, change=change))
        assert "the items of 'b' may also be reachable from" in message, (made, message)
    assert_same(source.format(made="dict(**d)", change='b["k"] = b["k"] + [2]'), {"n": 1})


NESTED_RECORDS = """
{future}from typing import TypedDict


class Line(TypedDict):
    sku: str
    price: float


class Order(TypedDict):
    id: str
    lines: list[Line]


def get_orders(day) -> list[Order]:
    return [{{"id": "o1", "lines": [{{"sku": "a", "price": 2.5}}, {{"sku": "b", "price": 10.0}}]}}]


def show(order: Order):
    return repr(order["lines"][0]["price"])


@sfn.workflow
def main(day, n: int):
    orders = get_orders(day)
    p = orders[0]["lines"][1]["price"]
    total = sum(line["price"] * 2 for line in orders[0]["lines"])
    return [str(p), p * 2, total, {call}]
"""


@pytest.mark.parametrize("future", ["", "from __future__ import annotations\n"])
def test_a_record_inside_a_record_keeps_its_float_keys(future):
    """`-> list[Order]` whose `lines: list[Line]` has `price: float` (a new-user trial, session
    20): the compiler's import of the module compiled it with its own module's
    `from __future__ import annotations` (compile() inherits it), so Order's keys were strings
    that typing could not resolve once the module left sys.modules, and the annotation read as
    a plain dict: the machine printed 10.0 as '10' (silent, older than this session), and
    stopped on 2.5 * 2. Now the module compiles as written, a TypedDict's string annotations are
    resolved in the module's own namespace, and the nested float reaches the machine as the
    deployed dispatcher reads it. An int passed where the nested annotation says float (the
    dispatcher would convert it) is refused."""
    results = assert_same(NESTED_RECORDS.format(future=future, call="show(orders[0])"), {"day": "x", "n": 3})
    assert results[0]["output"] == ["10.0", 20.0, 25.0, "2.5"]
    message = refusal(NESTED_RECORDS.format(future=future, call='show({"id": "x", "lines": [{"sku": "a", "price": n}]})'))
    assert "the parameter is annotated Order, which says float inside it" in message


def test_the_names_a_sharing_refusal_lists_do_not_follow_the_hash_seed(tmp_path):
    """`merged = cfg | x`: 'cfg' and 'x' share line 7; their order in the message followed the
    set the analysis walked, so it changed with PYTHONHASHSEED (found reviewing session 21):
    now by line, then by name."""
    source = tmp_path / "wf.py"
    source.write_text(HEADER_FOR_FILES + textwrap.dedent("""
        @sfn.workflow
        def main(x: dict[str, list[int]]):
            cfg = {"a": [1]}
            merged = cfg | x
            merged["a"].append(2)
            return [cfg, merged]
        """))
    script = ("import sys\nfrom pysfn_compile import CompileError, compile_file\n"
              "try:\n    compile_file(sys.argv[1])\nexcept CompileError as error:\n    print(error)\n")
    messages = {subprocess.run([sys.executable, "-c", script, str(source)], capture_output=True, text=True, check=True,
                               env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(messages) == 1
    assert "may also be reachable from 'cfg' (line 6), 'x' (line 6)" in messages.pop()


def test_a_librarys_class_called_in_the_workflow_says_to_use_a_callee():
    """`Decimal(p)`: the hint suggested `class Decimal(TypedDict)` (session 24's trials); a
    library's class has no dict to stand in for it: compute with it in a callee."""
    message = refusal("""
    from decimal import Decimal


    @sfn.workflow
    def main(prices: list[str]):
        return str(sum(Decimal(p) for p in prices))
    """)
    assert "'Decimal' is a class of decimal" in message and "compute with Decimal in a callee" in message
    assert "TypedDict" not in message


def test_printing_a_value_of_a_dict_converted_in_place_names_the_conversion():
    """A new-user trial (h16): `clean = dict(rec)`, an f-string printing `clean.get('age')!r`,
    then `clean["score"] = float(...)` later: the refusal said a number may be an int or a
    float without saying why; it names the dict and the line that stores the float."""
    message = refusal("""
    @sfn.workflow
    def main(records):
        errors = []
        for rec in records:
            clean = dict(rec)
            if not str(clean.get("age", "")).isdigit():
                errors.append(f"bad age {clean.get('age')!r}")
                continue
            clean["score"] = float(clean.get("score", "0"))
        return errors
    """)
    assert "may be an int or a float" in message
    assert "`clean`'s values have several types: it is assigned `dict(rec)` (line 7) and items of it at line 11" \
        in message
