"""What the compiler refuses: each construct it cannot translate exactly gets a located
message (path:line:col) with a hint, and every problem of a file is reported at once."""

from __future__ import annotations

import pytest

from pysfn_compile import CompileError, compile_source

from .helpers import HEADER, assert_same, problems, refusal

# (workflow body, the line the problem is on (1 = the first line of the body), text in the message)
REFUSED = {
    "with": ("with open('x') as f:\n    pass", 1, "with statement"),
    "global": ("global X\nreturn 1", 1, "global"),
    "class": ("class A:\n    pass", 1, "class definition"),
    "import": ("import os", 1, "import"),
    "set_literal": ("return {1, 2}", 1, "a set"),
    "walrus": ("return [x, 1] if (y := x) else []", 1, "walrus"),  # (one a statement runs first is its own line)
    "attribute": ("return x.real", 1, "attribute access"),
    "exception_attribute": ("try:\n    return 1 // x\nexcept ZeroDivisionError as e:\n    return e.args", 4,
                            "exception's attribute (.args)"),
    "bitwise": ("return x & 1", 1, "bitwise"),
    # (an item of a list of ints and floats: nothing says which it is; a name has a companion)
    "int_or_float_str": ("return str([1, 2.5][x])", 1, "may be an int or a float"),
    "float_fstring": ("return f'{x / 3:.2e}'", 1, "formatting a float"),  # (.2f is exact: fixed_point)
    # (a literal one is exact: the message says so, not that JSONata cannot round)
    "round_digits": ("return round(x / 3, u)", 1, "round(x, ndigits) needs ndigits as a literal int"),
    "round_places": ("return round(x / 3, 16)", 1, "Python does to 0 to 15 places only"),
    "round_text": ("return round('ab', 2)", 1, "round() of str is not supported"),
    "infinity": ("lo = float('inf')\nreturn lo", 1, "float('inf') is not supported"),  # (a sentinel: None)
    "map_concurrency": ("return sfn.map(str, [x], max_concurrency=u)", 1, "write the number in the call"),
    "float_pow": ("return (x / 2) ** 2", 1, "** with a float"),
    "big_int_literal": ("return 2 ** 60 + 9007199254740993", 1, "beyond 2**53"),
    "print_to_a_file": ("print(x, file=None)", 1, "a state machine has no files"),
    "non_str_dict_key": ("return {1.5: 'a'}", 1, "dict keys are strs or ints here"),
    "is_not_none": ("return x is 3", 1, "'is' is supported only with None"),
    "isinstance_int_or_computed_float": ("return isinstance([x, x / 2][x], int)", 1,
                                         "JSON does not tell 3 from 3.0"),
    "aliasing": ("a = [1]\nb = a\nb.append(2)\nreturn a", 3, "may share its value"),
    "isinstance_sfn_fail": ("try:\n    return 1 // x\nexcept Exception as e:\n    return isinstance(e, sfn.Fail)", 4,
                            "an sfn.Fail may carry any name"),
    # Python changes the list in place (no item assignment): not "tuple's items cannot be changed"
    "list_in_a_tuple": ("cols = list(zip([[1]], [[2]]))\ncols[0][0].append(9)\nreturn cols", 2,
                        "changing a list or dict held in a tuple"),
    "tuple_item": ("t = (1, 2)\nt[0] = 5\nreturn t", 2, "'tuple' object does not support item assignment"),
    # (the loop alone runs by index, row read as rows[i]: here row is read after it too)
    "aliasing_loop_item": ("rows = [{'a': 1}]\nfor row in rows:\n    row['a'] = 2\nreturn [rows, row]", 3,
                           "may share its value"),
    "aliasing_across_iterations": ("row = []\ngrid = []\nfor i in range(3):\n    row.append(i)\n    grid.append(row)\nreturn grid",
                                   4, "may share its value"),
    "change_while_iterating": ("xs = [1, 2]\nfor v in reversed(xs):\n    xs.append(v)\nreturn xs", 3,
                               "while a for loop iterates"),
    "call_nested_def": ("def helper():\n    return 1\nreturn [0 < helper() < x]", 3, "nested function called inside"),
    "call_unknown": ("import math\nreturn 1", 1, "import"),
    "bare_raise": ("raise", 1, "bare raise outside an except"),
    "two_arg_exception": ("raise ValueError('a', 'b')", 1, "several arguments"),
    "catch_fail": ("try:\n    return 1\nexcept sfn.Fail:\n    return 2", 3, "catching sfn.Fail"),
    "starred_call": ("return work(*[1])", 1, "*args"),
    "workflow_calls_itself": ("if x > 0:\n    return main(x - 1, u)\nreturn 0", 2, "'main' is a workflow (@sfn.workflow)"),
    "lambda_value": ("f = lambda: 1\nreturn 1", 1, "lambda"),
    "yield": ("yield 1", 1, "yield"),
    "nonlocal_branch": ("t = 0\ndef branch():\n    nonlocal t\n    t = 1\n    return t\nreturn sfn.parallel(branch)", 3,
                        "nonlocal"),
    "branch_changes_outer": ("xs = [1]\nreturn sfn.parallel(lambda: xs.append(2))", 2, "cannot change 'xs'"),
    # (`work(x / 2)`, a float the types know, is passed with its place named: test_calls.py)
    "float_to_unannotated": ("return work([x, x / 2][x])", 1, "may be a float"),
    "int_to_float_param": ("return half(1)", 1, "annotated float"),
    # (the hint was "annotate the parameter ... float", which it already is)
    "int_or_float_to_float_param": ("y = u if u else 2.5\nreturn half(y + 1)", 2, "pass float(...) explicitly"),
    "callee_mutates": ("xs = [1]\nreturn grow(xs)", 2, "changes its parameter"),
    # (a new-user trial: an internal compiler error, 'NoneType' object has no attribute '_fields')
    "slice_method": ("xs = [x, 2, 3]\nreturn xs[1:].pop()", 2, ".pop() of a slice changes a new list"),
    "sleep_float": ("sfn.sleep(x / 2)", 1, "whole seconds"),
    "print_repr_exception": ("try:\n    work(1)\nexcept ValueError as e:\n    return repr(e)", 4, "repr() of an exception"),
}

PRELUDE = """
def work(v) -> int:
    return 1

def half(v: float) -> float:
    return v / 2

def grow(items: list) -> int:
    items.append(1)
    return len(items)

@sfn.workflow
def main(x: int, u):
"""
BODY_LINE = PRELUDE.count("\n") + 2  # the line of the body's first line in the compiled file


def _indent(body: str) -> str:
    return "\n".join("    " + line for line in body.splitlines()) + "\n"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_a_located_message(name):
    body, line, text = REFUSED[name]
    found = problems(PRELUDE + _indent(body))
    assert found, f"{name} was accepted"
    messages = [str(p) for p in found]
    assert any(text in m for m in messages), messages
    located = [p for p in found if text in str(p)]
    assert located[0].line == BODY_LINE + line - 1, messages
    assert located[0].path == "wf.py" and located[0].col >= 1


def test_every_problem_reported_at_once():
    body = "a = x @ 2\nb = x & 1\nprint(a, file=None)\nreturn str([1, 2.5][x])"
    found = problems(PRELUDE + _indent(body))
    assert len(found) == 4
    assert [p.line for p in found] == [BODY_LINE + i for i in range(4)]
    text = str(CompileError(found))
    assert text.count("wf.py:") == 4 and "hint:" in text


def test_syntax_error_is_located():
    with pytest.raises(CompileError) as error:
        compile_source("def main(:\n    pass\n", path="broken.py")
    (problem,) = error.value.problems
    assert (problem.path, problem.line) == ("broken.py", 1)
    assert "syntax error" in problem.message


def test_no_workflow_and_several_workflows():
    assert "no workflow found" in str(problems("def f():\n    return 1\n")[0])
    several = problems("@sfn.workflow\ndef a():\n    return 1\n@sfn.workflow\ndef b():\n    return 2\n")
    assert "several @sfn.workflow" in str(several[0])
    assert problems("@sfn.workflow\ndef a():\n    return 1\n@sfn.workflow\ndef b():\n    return 2\n", entry="b") == []
    assert "no module-level function 'c'" in str(problems("def a():\n    return 1\n", entry="c")[0])


def test_import_failure_is_located():
    found = problems("X = 1\nY = 1 // 0\n@sfn.workflow\ndef main():\n    return X\n")
    assert found[0].line == 3 and "ZeroDivisionError" in found[0].message


def test_reserved_names():
    found = problems("@sfn.workflow\ndef main():\n    __x = 1\n    return __x\n")
    assert "reserved" in str(found[0])


def test_module_global_changed_by_a_callee_is_not_a_constant():
    source = """
SEEN = []
LIMITS = {"max": 3}

def remember(x: int) -> None:
    SEEN.append(x)

@sfn.workflow
def main(x: int):
    remember(x)
    return len(SEEN) + LIMITS["max"]
"""
    found = problems(source)
    assert len(found) == 1 and "'SEEN' is a module-level list that a function changes" in found[0].message


@pytest.mark.parametrize(("module", "line"), [
    # a `global` counter or setting, rebound by a callee
    ("COUNTER = 0\n\ndef work(x):\n    global COUNTER\n    COUNTER += 1\n    return x\n", 4),
    ("MODE = 'test'\n\ndef work(x):\n    global MODE\n    MODE = 'prod'\n    return x\n", 4),
    # changed through another name that holds it, or an item of it
    ("STATE = {'n': 0, 'seen': []}\n\ndef work(x):\n    s = STATE\n    s['n'] += 1\n    return x\n", 5),
    ("STATE = {'n': 0, 'seen': []}\n\ndef work(x):\n    seen = STATE.get('seen')\n    seen.append(x)\n"
     "    return x\n", 5),
    ("STATE = {'n': 0, 'seen': []}\n\ndef work(x):\n    for k in [STATE]:\n        k['n'] = 7\n    return x\n", 5),
    ("STATE = {'n': 0, 'seen': []}\n\ndef work(x):\n    a, b = STATE, 1\n    a['n'] = 8\n    return x\n", 5),
    ("STATE = {'n': 0, 'seen': []}\n\ndef work(x, state=STATE):\n    state['n'] += x\n    return x\n", 4),
    ("STATE = {'n': 0, 'seen': []}\n\ndef work(x):\n    for k, v in STATE.items():\n        if k == 'seen':\n"
     "            v.append(x)\n    return x\n", 6),
    # an item of a copy is still the module's item
    ("STATE = {'n': 0, 'seen': []}\n\ndef work(x):\n    d = dict(STATE)\n    d['seen'].append(x)\n    return x\n", 5),
    # through a function it is passed to, or that returns it
    ("STATE = {'n': 0, 'seen': []}\n\ndef _record(target, v):\n    target.append(v)\n\ndef work(x):\n"
     "    _record(STATE['seen'], x)\n    return x\n", 4),
    ("STATE = {'n': 0, 'seen': []}\n\ndef _state():\n    return STATE\n\ndef work(x):\n    _state()['n'] = x\n"
     "    return x\n", 7),
], ids=["global int", "global str", "alias", "item by get", "in a list", "unpacked", "default", "items loop",
        "item of a copy", "passed to a helper", "returned by a helper"])
def test_a_module_level_value_a_function_may_change_is_not_read_as_a_constant(module, line):
    # the machine would read the value it had at compile time where Python reads the changed one
    # (a callee's changes stay in its Lambda): found however the function reaches the value
    name = module.split(" =", 1)[0]
    found = problems(module + f"\n@sfn.workflow\ndef main(x=1):\n    work(x)\n    return {name}\n")
    assert len(found) == 1 and f"'{name}' is a module-level " in found[0].message, found
    assert f"that a function changes (line {HEADER.count(chr(10)) + line})" in found[0].message, found


def test_a_copy_of_a_module_level_value_changed_in_place_leaves_the_value_a_constant():
    source = """
DEFAULTS = {"mode": "a", "retries": 3}
BASE = ["x", "y"]
LIMITS = {"a": 1}

def lookup(table, key):
    return table.get(key, 0)

def work(cfg, items):
    return f"{cfg['mode']}:{len(items)}:{lookup(LIMITS, 'a')}"

@sfn.workflow
def main(mode=None):
    cfg = dict(DEFAULTS)
    if mode:
        cfg["mode"] = mode
    items = list(BASE)
    items.append("z")
    return {"out": work(cfg, items), "defaults": DEFAULTS, "base": BASE, "limit": LIMITS["a"]}
"""
    assert problems(source) == []


def test_a_refusal_about_a_value_of_unknown_type_says_where_it_comes_from():
    found = problems("""
def fetch(kind):
    return load(kind)

@sfn.workflow
def main(rec, rows):
    for r in rows:
        b = r["n"].swapcase()
    c = fetch(1)
    d = c.swapcase()
    e = fetch(2).swapcase()
    return [b, d, e]


def load(kind):  # a function the inference does not look into: fetch's result is unknown
    return kind
""")
    messages = [p.message for p in found]
    assert messages == [
        ".swapcase() on any JSON value: str.swapcase() is not supported in a workflow (`r` is any JSON value: it is "
        "an item of `rows` (line 8); "
        "`rows` comes from parameter `rows` (line 7), which has no annotation)",
        ".swapcase() on any JSON value: str.swapcase() is not supported in a workflow (`c` is any JSON value: it is "
        "assigned the result of "
        "`fetch(...)` (line 10), whose return type is not annotated)",
        ".swapcase() on any JSON value: str.swapcase() is not supported in a workflow (`fetch(...)` is any JSON value: "
        "the callee `fetch` (line 3) "
        "has no return annotation)",
    ], messages
    # no annotation would help: the hint says where the method can run instead
    assert {p.hint.split(";")[0] for p in found} == {"do it in a callee"}, [p.hint for p in found]


def test_a_module_that_fails_to_import_is_located_and_a_wrong_sfn_call_shows_its_parameters():
    source = "from pysfn_compile import sfn\n\n\n@sfn.retry(on=[ValueError])\ndef work(v):\n    return v\n"
    (problem,) = problems(source + "\n@sfn.workflow\ndef main():\n    return work(1)\n")
    assert problem.line == (HEADER + source).splitlines().index("@sfn.retry(on=[ValueError])") + 1
    assert "retry() got an unexpected keyword argument 'on'" in problem.message
    assert problem.hint.startswith("its parameters: sfn.retry(errors=") and "max_attempts=3" in problem.hint
    (problem,) = problems("X = 1 / 0\n\n@sfn.workflow\ndef main():\n    return 1\n")
    assert (problem.line, problem.message) == (HEADER.count("\n") + 1, "importing the workflow raised ZeroDivisionError: division by zero")
    assert "side effects" in problem.hint
    # a module that exits as it is imported: located too (SystemExit escaped: the CLIs ended
    # with its status, 0 for sys.exit(0), with no message and no output)
    (problem,) = problems("import sys\nsys.exit(0)\n\n@sfn.workflow\ndef main():\n    return 1\n")
    assert (problem.line, problem.message) == (HEADER.count("\n") + 2, "importing the workflow raised SystemExit: 0")


def test_a_module_level_set_is_refused_where_its_order_would_show_or_a_function_changes_it():
    (problem,) = problems('STOP = {"a", "the"}\n\n@sfn.workflow\ndef main(w: str):\n    return [x for x in STOP]\n')
    assert problem.message.startswith("iterating over a set") and problem.hint.startswith("iterate over sorted(STOP) instead")
    (problem,) = problems('STOP = {"a"}\n\ndef more():\n    STOP.add("b")\n\n@sfn.workflow\ndef main(w: str):\n'
                          '    more()\n    return w in STOP\n')
    assert problem.message.startswith("'STOP' is a module-level set that a function changes (line")


def test_a_refused_raise_still_ends_its_path():
    """No "'saved' may be used before it is assigned" after a handler whose raise was refused."""
    found = problems("def save(x):\n    return x\n\n@sfn.workflow\ndef main(x: int):\n    try:\n"
                     "        saved = save(x)\n    except KeyError:\n        raise ValueError('a', x)\n"
                     "    return saved\n")
    assert [p.message for p in found] == ["exceptions with several arguments are not supported (str(e) would be "
                                          "a tuple)"]


def test_an_imported_class_used_in_the_workflow_is_named_where_it_comes_from():
    (problem,) = problems("from datetime import datetime\n\n@sfn.workflow\ndef main(day: str):\n"
                          "    return str(datetime.fromisoformat(day))\n")
    assert problem.message.startswith("'datetime' is datetime.datetime, which the state machine cannot run")
    assert "compute_in_lambda" in problem.hint


def test_collections_classes_are_named_with_the_plain_python_to_write_instead():
    found = problems("from collections import Counter, defaultdict\n\n@sfn.workflow\ndef main(xs):\n"
                     "    d = defaultdict(list)\n    c = Counter(xs)\n    return [str(d), repr(c)]\n")
    assert [p.message for p in found] == [
        "'defaultdict' is collections.defaultdict, which the state machine cannot run (as a plain dict it could, "
        "but not with this use: line 8: `str(d)` (where it leaves, dict(d) is a plain copy))",
        "'Counter' is collections.Counter, which the state machine cannot run (as a plain dict it could, "
        "but not with this use: line 8: `repr(c)` (where it leaves, dict(c) is a plain copy))"]
    assert "d.setdefault(k, []).append(v)" in found[0].hint
    assert "counts.get(k, 0) + 1" in found[1].hint


def test_a_float_squared_is_refused_with_the_product_as_hint():
    """`(v - mean) ** 2` (a variance, new-user trials): CPython's pow() is not JSONata's $power,
    nor even v * v for some floats; the hint says to write the product (and math.sqrt for a
    square root, `var ** 0.5`, a standard deviation in the trials)."""
    message = refusal("""
    @sfn.workflow
    def main(values: list[float]):
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values)
    """)
    assert "** with a float operand is not supported" in message and "(v - m) * (v - m)" in message
    assert "(v - m) * (v - m)" not in refusal("""
    @sfn.workflow
    def main(x: float):
        return x ** 3
    """)
    assert "math.sqrt(x)" in refusal("""
    @sfn.workflow
    def main(values: list[float]):
        return (sum(v * v for v in values) / len(values)) ** 0.5
    """)


@pytest.mark.parametrize("imports, call", [
    ("import datetime", "datetime.datetime.now().isoformat()"),
    ("from datetime import datetime, timezone", "datetime.now(timezone.utc)"),
    ("import datetime as dt", "dt.date.today()"),
    ("import time", "time.time()"),
])
def test_a_clock_read_names_sfn_now(imports, call):
    """`datetime.now()` in a workflow (new-user trials, session 20: it was "attribute access
    (.datetime) is not supported", or "'datetime' is datetime.datetime, which the state machine
    cannot run"): the message says it reads the clock and the hint names sfn.now()."""
    message = refusal(f"""
{imports}


@sfn.workflow
def main(n):
    stamp = {call}
    return [n, str(stamp)]
""")
    assert f"{call.split('(')[0]}() reads the clock" in message and "use sfn.now()" in message, message


def test_a_number_that_may_be_an_int_or_a_float_is_shown_with_its_assignments():
    """`total = 0` then `total += x * 1.5`, printed or passed on (new-user trials, session 20):
    the message names the variable, its type and the lines that make it so (§6: the inferred
    type and its origin)."""
    message = refusal("""
    def save(v):
        return v


    @sfn.workflow
    def main(xs: list[int]):
        total = 0
        for x in xs:
            total += x * 1.5
        if len(xs) > 3:
            total = [0, 1.5][len(xs) % 2]
        save(total)
        return f"{total}"
    """)  # (an item of a list of ints and floats: nothing says which kind `total` then holds)
    assert message.count("(`total` is int | float: line 9 assigns `0`; line 11 does `total += x * 1.5`; line 13 "
                         "assigns `[0, 1.5][len(xs) % 2]`)") == 2


def test_a_parameter_converted_to_a_tuple_under_its_own_name_is_explained():
    """`goal = tuple(goal)` of a parameter, then `(r, c) == goal` (a new-user trial, session 20):
    the name is a list (JSON) and a tuple, which Python's == tells apart; the message says where
    each comes from and the hint says to give the tuple a name of its own (it said "convert one
    side", which the user had done)."""
    message = refusal("""
    @sfn.workflow
    def main(r: int, goal):
        goal = tuple(goal)
        return (r, r) == goal
    """)
    assert "(`goal` is any JSON value: it is parameter `goal` (line 4); line 5 assigns `tuple(goal)`)" in message
    assert "give the converted value a name of its own" in message


NAME_CLASH = """
class TimeoutError(Exception):
    pass


def call(x):
    if x:
        raise TimeoutError("slow")
    return 0


@sfn.workflow
def main(x):
    try:
        call(x)
    except {caught}:
        return "{caught}"
    except TimeoutError:
        return "ours"
    return "none"
"""


@pytest.mark.parametrize("caught", ["OSError", "(KeyError, OSError)"])
def test_a_module_class_named_like_a_caught_builtin_is_refused(caught):
    """A new-user trial: the module's own `class TimeoutError(Exception)` raised by a callee was
    caught by `except OSError` (whose builtin subclass TimeoutError is caught by name: a Lambda
    reports an exception by its class's name alone), and the workflow returned "OSError" where
    Python returns "ours". Refused at the clause that would catch it."""
    message = refusal(NAME_CLASH.replace("{caught}", caught))
    assert "wf.py:17:12:" in message and "'TimeoutError'" in message and "wf.TimeoutError" in message
    assert "rename the module's class" in message


def test_a_name_clash_in_isinstance_and_retry_is_refused_and_a_subclass_is_not():
    subclass = NAME_CLASH.replace("class TimeoutError(Exception)", "class TimeoutError(OSError)").replace(
        "{caught}", "OSError")
    # the module's class is an OSError: `except OSError` catches both, as Python does; its own
    # clause would catch the builtin TimeoutError too, which it does not cover
    assert problems(subclass.replace("    except TimeoutError:\n        return \"ours\"\n", "")) == []
    assert "wf.py:19:12: this clause catches the error name 'TimeoutError', which TimeoutError bears" in refusal(subclass)
    assert "'TimeoutError'" in refusal("""
    class TimeoutError(Exception):
        pass

    def call(x):
        raise TimeoutError("slow")

    @sfn.workflow
    def main(x):
        try:
            call(x)
        except Exception as e:
            return isinstance(e, OSError)
    """)
    assert "@sfn.retry: this clause catches the error name 'TimeoutError'" in refusal("""
    class TimeoutError(Exception):
        pass

    @sfn.retry(errors=[OSError], max_attempts=2)
    def call(x):
        raise TimeoutError("slow")

    @sfn.workflow
    def main(x):
        return call(x)
    """)


def test_a_nested_format_spec_in_str_format_points_to_the_f_string():
    message = refusal("""
    @sfn.workflow
    def main(x: int, w: int):
        return "{:>{w}}".format(x, w=w)
    """)
    assert "nested format specs are not supported in str.format()" in message and 'f"{value:>{width}}"' in message
    assert assert_same("""
    @sfn.workflow
    def main(x: int, w: int):
        return f"{x:>{w}}"
    """, {"x": 42, "w": 5})[0]["output"] == "   42"


@pytest.mark.parametrize("item", [
    "[r for r in rs if r['id'] == 2][0]", "sorted(rs, key=lambda r: -r['id'])[0]", "(rs + [])[:2][0]",
    "list({r['id']: r for r in rs}.values())[1]", "dict(enumerate(rs))[1]", "{r['id']: r for r in rs}.get(2)",
    "list(filter(lambda r: r['id'] == 2, rs))[0]", "(doc['list'] or [{}])[0]", "list(zip(rs, rs))[0][1]",
])
def test_an_item_of_what_an_expression_builds_from_a_list_shares_its_items(item):
    """`line = [it for it in items if ...][0]; line["qty"] += 1` changes the item `items`
    holds in Python; the machine changed a copy, silently (session 24's trials: a callee then
    saved the cart without the change). An item taken from what an expression builds is an
    item of what that expression holds: changing it in place is refused, as for `items[0]`."""
    message = refusal(f"""
    def load(run_id):
        return {{"list": [{{"v": 1}}], "recs": [{{"id": 1, "v": 0}}, {{"id": 2, "v": 0}}]}}

    @sfn.workflow
    def main(run_id):
        doc = load(run_id)
        rs = doc["recs"]
        x = {item}
        x["changed"] = True
        return doc
    """)
    assert "'x' may share its value with" in message


def test_the_items_of_a_slice_of_a_sorted_list_are_the_lists_items():
    """`top = sorted(records, ...)[:2]`, then `rec["rank"] = ...` for each of top: Python ranks
    the records themselves; refused (the machine changed copies, silently)."""
    assert "the items of 'top' may also be reachable from 'records'" in refusal("""
    def load(run_id):
        return [{"id": 1, "score": 5}, {"id": 2, "score": 9}]

    @sfn.workflow
    def main(run_id):
        records = load(run_id)
        top = sorted(records, key=lambda r: r["score"], reverse=True)[:2]
        for i, rec in enumerate(top):
            rec["rank"] = i + 1
        return records
    """)


def test_a_tuple_dict_key_is_refused_for_json_not_for_hashing():
    """`counts[(a, b)] = ...` said 'unhashable in Python' (a session-26 trial): tuples are
    hashable; the machine's dict is a JSON object. The hint says what to write instead."""
    message = refusal("""
    @sfn.workflow
    def main(trips):
        counts = {}
        for t in trips:
            key = (t["from"], t["to"])
            counts[key] = counts.get(key, 0) + 1
        return len(counts)
    """)
    assert "unhashable" not in message and "JSON object" in message and "str key" in message


REBOUND_COPY = """
    def enrich(row):
        row = dict(row)
        row["sq"] = row["n"] ** 2
        return row

    def tag(row, flag):
        if flag:
            row = dict(row)
        row["tag"] = flag
        return row

    @sfn.workflow
    def main(row, flag=False):
        {body}
"""


def test_a_callee_that_changes_a_copy_bound_to_its_parameter_s_name_is_not_refused():
    """`row = dict(row)` first, as the hint for a callee changing its parameter says: what it
    changes afterwards is the copy (it was refused with that very hint). A copy made on one
    path only leaves the parameter changed on the other: still refused."""
    source = REBOUND_COPY.format(body="row = enrich(row)\n        return row, enrich(row)")
    assert_same(source, {"row": {"n": 3}}, {"row": {"n": 2, "sq": 0}})
    assert "changes its parameter 'row' in place (line 11)" in refusal(
        REBOUND_COPY.format(body="return tag(row, flag)"))
