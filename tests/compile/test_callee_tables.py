"""A dict of callees used as a dispatch table (analysis/callee_tables.py): a Choice on the key
and a Task per callee, run both ways; a missing key is Python's KeyError before any argument is
evaluated; a table used any other way is refused as before."""

from __future__ import annotations

from .helpers import assert_same, compile_text, refusal

TABLE = """
class Refused(Exception):
    pass

def send_email(p):
    return "email to " + p["to"]

def send_sms(p):
    return "sms to " + p["phone"]

def never(p):
    raise Refused("called for " + str(p))

def arg(p, log):
    log.append(p)
    return p

@sfn.workflow
def main(jobs):
    handlers = {"email": send_email, "sms": send_sms, 7: never}
    out = []
    for kind, payload in jobs:
        if kind not in handlers:
            out.append("skip " + str(kind))
            continue
        try:
            out.append(handlers[kind](payload))
        except Refused as e:
            out.append("refused: " + str(e))
    try:
        handlers[jobs[0][0] if jobs else "fax"]({"to": "x"})
    except KeyError as e:
        out.append("missing " + str(e))
    return {"out": out, "known": "sms" in handlers, "seven": 7.0 in handlers}
"""


def test_a_dispatch_table_of_callees_calls_only_the_one_its_key_names():
    results = assert_same(TABLE, {"jobs": [["email", {"to": "a@b"}], ["sms", {"phone": "123"}], ["fax", {}],
                                           [7, {"n": 1}]]},
                          {"jobs": [["fax", {}]]}, {"jobs": []}, {"jobs": [[True, {}], [7.0, {"n": 2}]]})
    assert results[0]["output"]["out"][:3] == ["email to a@b", "sms to 123", "skip fax"]
    assert results[1]["output"]["out"][-1] == "missing 'fax'"


def test_the_table_is_a_choice_and_a_task_per_callee():
    definition = compile_text(TABLE).definition
    tasks = [name for name, state in definition["States"].items() if state["Type"] == "Task"]
    assert {name.split(" ")[1] for name in tasks if name.startswith("Call ")} >= {"send_email", "send_sms", "never"}
    assigned = {name for state in definition["States"].values() for name in (state.get("Assign") or {})}
    assert "handlers" not in assigned, "the table itself is never built"


def test_a_table_used_another_way_is_refused_as_before():
    text = refusal("""
def send_email(p):
    return p

@sfn.workflow
def main(kind, payload):
    handlers = {"email": send_email}
    names = list(handlers)
    return [names, handlers[kind](payload)]
""")
    assert "the function 'send_email' can only be called here" in text
    assert "a dict of functions is a dispatch table where it is assigned once and read only as table[key](...)" in text


def test_a_key_that_does_more_than_compute_is_left_as_written():
    text = refusal("""
def send_email(p):
    return p

def pick(kind):
    return kind

@sfn.workflow
def main(kind, payload):
    handlers = {"email": send_email}
    return handlers[pick(kind)](payload)
""")
    assert "the function 'send_email' can only be called here" in text


def test_a_tables_key_is_matched_as_a_dict_matches_it():
    # 1, 1.0 and True are one key; an unhashable key is Python's TypeError, None and 2.5 its KeyError
    assert_same("""
def a(p):
    return "a" + str(p)

def b(p):
    return "b" + str(p)

@sfn.workflow
def main(kind, p=1):
    table = {"x": a, 1: b}
    try:
        r = table[kind](p)
    except KeyError as e:
        r = "key " + str(e)
    except TypeError as e:
        r = "type " + str(e)
    return [r, kind in table]
""", *({"kind": kind} for kind in ("x", 1, 1.0, True, "y", [1], {"a": 1}, None, 2.5)))


def test_calls_through_a_table_nested_in_each_other_and_in_a_generator():
    assert_same("""
class Bad(Exception):
    pass

def a(x):
    if x < 0:
        raise Bad("neg")
    return x + 1

def b(x):
    return x * 2

@sfn.workflow
def main(jobs):
    ops = {"a": a, "b": b}
    results = {}
    for name, x in jobs:
        try:
            results[name + str(x)] = ops[name](x) if name in ops else None
        except Bad as e:
            results[name + str(x)] = str(e)
    total = sum(ops[n](v) for n, v in jobs if n in ops and v >= 0)
    return {"results": results, "total": total, "chain": ops["b"](ops["a"](1))}
""", {"jobs": [["a", 1], ["b", 2], ["a", -1], ["c", 3]]}, {"jobs": []})
