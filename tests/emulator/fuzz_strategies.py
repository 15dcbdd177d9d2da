"""Hypothesis strategies for the emulator's robustness fuzzing (test_fuzz.py, docs/fuzzing.md).

Two sources of trials, each a definition, an input and the local Lambda handlers they call:

- `mutated_corpus_trials`: a definition and input recorded on AWS (the corpus, read in place),
  changed by a few mutations: numbers made huge, negative, fractional or strings; values
  swapped between fields; path, intrinsic and JSONata strings replaced by others, valid or
  broken; fields dropped or copied to another state; `Next` targets changed; states wrapped in
  a Parallel or a Map; the input replaced by odd JSON.
- `generated_trials`: random machines that AWS would accept (Pass, Choice, Wait, Succeed,
  Fail, Parallel, Map inline and distributed, Task calling local Lambdas that return or raise,
  Retry, Catch, Assign), in either query language, on random inputs.

`KNOWN_TRIGGERS` (on unless `PYSFN_FUZZ_KNOWN_TRIGGERS=0`) adds the inputs and expressions that
triggered the failure classes issue 9 lists, fixed since: lone surrogates, numbers JSON and
Python disagree on (non-finite, 100+ digits), nesting past Python's recursion limit, `$..*`,
endless JSONata recursion, undefined JSONata functions (printing), Fail ErrorPath/CausePath
selecting a non-string, Lambda errors whose `str()` raises, Retry or Catch on a Parallel or Map
(the join KeyError), and NaN in definition text. Off, the strategies stay clear of them (for a
branch without those fixes).
"""

from __future__ import annotations

import copy
import json
import math
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache
from typing import Any

import attrs
from hypothesis import strategies as st

from conformance.corpus import DEFAULT_START, Case, corpus_dir, load_cases
from conformance.lambdas import lambdas_for

KNOWN_TRIGGERS = os.environ.get("PYSFN_FUZZ_KNOWN_TRIGGERS", "1") not in ("", "0")

ACCOUNT_ARN = "arn:aws:lambda:us-east-1:111111111111:function:"
GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"


@attrs.frozen
class Trial:
    """One fuzz example. `handlers()` gives fresh Lambda handlers for each run (some count calls)."""

    definition: Any
    input: Any
    state_machine_type: str = "STANDARD"
    origin: str = "generated"
    start_time: datetime = DEFAULT_START
    handlers: Callable[[], dict] = attrs.field(default=dict, repr=False, eq=False)
    # What an ItemReader's s3:getObject and s3:listObjectsV2 handlers return: (object, listing).
    s3_content: tuple[Any, Any] | None = None

    def all_handlers(self) -> dict:
        """Fresh handlers, with the S3 ones for an ItemReader when the trial has content."""
        handlers = self.handlers()
        if self.s3_content is not None:
            content, listing = self.s3_content
            handlers |= {GET_OBJECT: lambda event, context: copy.deepcopy(content),
                         LIST_OBJECTS: lambda event, context: copy.deepcopy(listing)}
        return handlers

    def reproducer(self) -> str:
        """The trial as a pasteable call (what a report needs)."""
        definition = self.definition if isinstance(self.definition, str) else _text(self.definition)
        return (
            f"pysfn_emulator.run({definition}, {_text(self.input)}, "
            f"state_machine_type={self.state_machine_type!r}, lambdas=...)  # from {self.origin}"
            + (f"; S3 handlers return (object, listing) {_text(self.s3_content)}" if self.s3_content else "")
        )


def _text(value: Any) -> str:
    """JSON text when it can be written (NaN and all), else Python's repr, else a placeholder."""
    try:
        return json.dumps(value)
    except (ValueError, TypeError, RecursionError):
        pass
    try:
        return repr(value)
    except RecursionError:
        return f"<a {type(value).__name__} nested deeper than repr goes>"


# -- JSON values ------------------------------------------------------------------------------------

_SAFE_INT = 2**53


def numbers(known: bool = KNOWN_TRIGGERS) -> st.SearchStrategy:
    """Numbers a JSON parser gives Python: small ones, edges, and (known) the ones that break it."""
    plain = st.one_of(
        st.integers(-5, 100),
        st.integers(-_SAFE_INT, _SAFE_INT),
        st.sampled_from([0, -1, 1, 2**31 - 1, 2**31, 2**53, -(2**53), 2**63 - 1, 2**63, -(2**63), 2**64]),
        st.floats(-1e15, 1e15, allow_nan=False, allow_infinity=False),
        st.sampled_from([0.5, -0.0, 1e-300, 5e-324, 1.7976931348623157e308, 1e300, 0.1]),
    )
    if not known:
        return plain
    return st.one_of(
        plain,
        st.sampled_from([math.inf, -math.inf, math.nan, 10**100, -(10**400), 10**4000]),
        st.integers(),
    )


def texts(known: bool = KNOWN_TRIGGERS, max_size: int = 12) -> st.SearchStrategy:
    """Strings: ASCII, any Unicode code point but surrogates, and (known) lone surrogates."""
    alphabet = st.characters() if known else st.characters(exclude_categories=("Cs",))
    return st.one_of(
        st.text(alphabet, max_size=max_size),
        st.sampled_from(["", "a", "hello", "2024-01-01T00:00:00Z", "1e400", "NaN", "{}", "[1,2]", '"x"', "null",
                         "$.a", "{% 1 %}", "\u00e9\u4e2d\U0001f600", "\x00", "\\", "'", "a{}b"]),
    )


def json_values(known: bool = KNOWN_TRIGGERS, max_leaves: int = 12) -> st.SearchStrategy:
    """Any JSON value, with the keys machines look at (n, a, items, msg) more likely than chance."""
    keys = st.one_of(st.sampled_from(["n", "a", "b", "items", "msg", "x", ""]), texts(known, 6))
    leaves = st.one_of(st.none(), st.booleans(), numbers(known), texts(known))
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(keys, children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


@st.composite
def deep_values(draw: st.DrawFn, known: bool = KNOWN_TRIGGERS) -> Any:
    """A value nested deep: lists and objects inside each other."""
    depth = draw(st.integers(1, 1200 if known else 60))
    value = draw(st.one_of(st.none(), numbers(known), texts(known), st.just([]), st.just({})))
    shapes = draw(st.lists(st.booleans(), min_size=1, max_size=8))
    for level in range(depth):
        value = [value] if shapes[level % len(shapes)] else {"a": value}
    return value


def inputs(known: bool = KNOWN_TRIGGERS) -> st.SearchStrategy:
    """Execution inputs: mostly objects with the fields generated machines read (so that runs
    go deep rather than fail at the first path), else any JSON, deep JSON or an edge."""
    typical = st.fixed_dictionaries(
        {
            "n": st.integers(-3, 12),
            "a": st.fixed_dictionaries({"b": json_values(known, 3)}, optional={"c": json_values(known, 3)}),
            "items": st.lists(st.one_of(st.integers(-5, 5), json_values(known, 3)), max_size=4),
            "msg": st.sampled_from(["a", "hello", "a,b", '{"k": 1}', "aGVsbG8=", "2024-01-01T00:00:05Z"]),
        },
        optional={"b": st.booleans(), "x": json_values(known, 4)},
    )
    loose = st.fixed_dictionaries(
        {},
        optional={
            "n": st.one_of(st.integers(-3, 12), numbers(known), texts(known)),
            "a": json_values(known),
            "items": st.one_of(st.lists(json_values(known, 4), max_size=4), json_values(known)),
            "msg": st.one_of(texts(known), json_values(known, 3)),
            "b": st.booleans(),
        },
    )
    return st.one_of(
        typical,
        typical,
        typical,
        loose,
        json_values(known),
        deep_values(known),
        st.sampled_from([{}, [], "", 0, None, {"items": []}, {"items": [[]]}, {"": {}}]),
    )


# -- local Lambda handlers for generated machines ----------------------------------------------------


class Boom(Exception):
    """What the `boom` handler raises (its class name is the Lambda error)."""


class Unprintable(Exception):
    """An exception whose `str()` raises (a known trigger)."""

    def __str__(self) -> str:
        raise RuntimeError("no text for you")


def local_handlers() -> dict[str, Callable]:
    """Fresh handlers (the flaky one counts its calls), keyed by name: generated Tasks call them."""
    calls = {"flaky": 0}

    def echo(event, context):
        return event

    def boom(event, context):
        raise Boom("it went boom")

    def flaky(event, context):
        calls["flaky"] += 1
        if calls["flaky"] % 3:
            raise Boom(f"attempt {calls['flaky']}")
        return {"attempt": calls["flaky"], "event": event}

    def slow(event, context):
        time.sleep(40)  # virtual: the emulator counts it on its clock
        return event

    def odd(event, context):
        return b'{"bytes": true}'

    def nothing(event, context):
        return None

    def unjsonable(event, context):
        return {"set": {1, 2}}

    def unprintable(event, context):
        raise Unprintable()

    handlers = {
        "echo": echo, "boom": boom, "flaky": flaky, "slow": slow, "odd": odd, "nothing": nothing,
        "unjsonable": unjsonable,
    }
    if KNOWN_TRIGGERS:
        handlers["unprintable"] = unprintable
    return handlers


HANDLER_NAMES = ("echo", "boom", "flaky", "slow", "odd", "nothing", "unjsonable") + (
    ("unprintable",) if KNOWN_TRIGGERS else ()
)


# -- random well-formed machines ---------------------------------------------------------------------

JSONPATH, JSONATA = "JSONPath", "JSONata"

PATHS = ["$", "$.n", "$.a", "$.items", "$.msg", "$.a.b", "$.items[0]", "$.b", "$$.Execution.Input",
         "$$.State.Name", "$$.Execution.Name", "$.items[1:]", "$.a[0]", "$.missing"]
INTRINSICS = ["States.Format('n={} a={}', $.n, $.a)", "States.JsonToString($)", "States.Array($.n, 1, 'x')",
              "States.MathAdd($.n, 1)", "States.StringToJson($.msg)", "States.Hash($.msg, 'SHA-256')",
              "States.UUID()", "States.MathRandom(1, 10)", "States.ArrayLength($.items)",
              "States.ArrayRange(1, 5, 2)", "States.Base64Encode($.msg)", "States.ArrayContains($.items, $.n)",
              "States.ArrayPartition($.items, 2)", "States.ArrayUnique($.items)", "States.ArrayGetItem($.items, 0)",
              "States.JsonMerge($.a, $, false)", "States.Base64Decode($.msg)", "States.StringSplit($.msg, ',')"]
JSONATA_VALUES = ["{% $states.input %}", "{% $states.input.n + 1 %}", "{% $count($states.input.items) %}",
                  "{% $string($states.input) %}", "{% $random() %}", "{% $uuid() %}", "{% $now() %}",
                  "{% $states.context.Execution.Name %}", "{% $v %}", "{% $states.input.missing %}",
                  "{% $map($states.input.items, function($x){ $x }) %}", "{% $error('boom') %}",
                  "{% $states.input.msg & '!' %}", "{% $sum($states.input.items) %}", "{% $keys($states.input) %}",
                  "{% $states.input.a.b %}", "{% [1, 2, 3] %}", "{% {'k': $states.input.n} %}",
                  "{% $sort($states.input.items) %}", "{% $parse($states.input.msg) %}", "{% $millis() %}",
                  "{% $partition([1,2,3], 2) %}", "{% $hash($string($states.input), 'MD5') %}",
                  "{% $states.context.State.Name %}", "{% $w %}", "{% $number($states.input.msg) %}"]
JSONATA_CONDITIONS = ["{% $states.input.n > 3 %}", "{% $exists($states.input.a) %}", "{% $states.input.b %}",
                      "{% $type($states.input) = 'object' %}", "{% $count($states.input.items) = 0 %}",
                      "{% $v = 1 %}", "{% true %}", "{% $states.input.msg = 'a' %}"]
KNOWN_EXPRESSIONS = ["$..*", "{% ($f := function($n){ $f($n + 1) }; $f(0)) %}", "{% $nosuch(1) %}",
                     "States.StringToJson('1e400')", "States.MathAdd(1e400, 1)", "{% $states.input.n * 1e308 * 10 %}"]


# -- random expressions: intrinsic calls, JSONata calls, JSONPaths -----------------------------------

INTRINSIC_FUNCTIONS = ["States.Format", "States.StringToJson", "States.JsonToString", "States.Array",
                       "States.ArrayPartition", "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem",
                       "States.ArrayLength", "States.ArrayUnique", "States.Base64Encode", "States.Base64Decode",
                       "States.Hash", "States.JsonMerge", "States.MathRandom", "States.MathAdd", "States.StringSplit",
                       "States.UUID"]
_INTRINSIC_LITERALS = ["'a'", "''", "'{}'", "'{} and {}'", "'\\{'", "'\\''", "'a,b,,c'", "','", "'SHA-1'",
                       "'MD5'", "'SHA-512'", "'aGk='", "'==='", "'[1,2]'", "'{\"k\": 1}'", "'1e400'", "'9'", "1",
                       "0", "-1", "2.5", "-2.5", "1000000", "99999999999", "true", "false", "null", "1e3", "1.0"]
_INTRINSIC_PATHS = ["$", "$.n", "$.a", "$.items", "$.msg", "$.a.b", "$$.Execution.Name", "$$.State.EnteredTime",
                    "$v", "$.items[0]", "$.missing"]


def intrinsic_calls(depth: int = 0) -> st.SearchStrategy:
    """`States.X(...)` with arguments of every kind, nested calls included, valid or not."""
    argument = st.one_of(st.sampled_from(_INTRINSIC_LITERALS), st.sampled_from(_INTRINSIC_PATHS))
    if depth < 2:
        argument = st.one_of(argument, st.deferred(lambda: intrinsic_calls(depth + 1)))
    return st.builds(lambda name, args: f"{name}({', '.join(args)})",
                     st.sampled_from(INTRINSIC_FUNCTIONS), st.lists(argument, max_size=4))


JSONATA_FUNCTIONS = ["$string", "$length", "$substring", "$substringBefore", "$substringAfter", "$uppercase",
                     "$lowercase", "$trim", "$pad", "$contains", "$split", "$join", "$match", "$replace",
                     "$base64encode", "$base64decode", "$encodeUrlComponent", "$encodeUrl", "$decodeUrlComponent",
                     "$decodeUrl", "$number", "$abs", "$floor", "$ceil", "$round", "$power", "$sqrt", "$random",
                     "$formatNumber", "$formatBase", "$formatInteger", "$parseInteger", "$sum", "$max", "$min",
                     "$average", "$boolean", "$not", "$exists", "$count", "$append", "$sort", "$reverse", "$shuffle",
                     "$distinct", "$zip", "$keys", "$lookup", "$spread", "$merge", "$sift", "$each", "$error",
                     "$type", "$now", "$millis", "$fromMillis", "$toMillis", "$map", "$filter", "$single",
                     "$reduce", "$partition", "$range", "$hash", "$parse", "$uuid", "$eval", "$assert"]
_JSONATA_ATOMS = ["1", "0", "-1", "2.5", "1e20", "0.1", "''", "'abc'", "'a,b'", "'[Y0001]-[M01]'", "'#,##0.00'",
                  "'2024-01-01T00:00:00Z'", "'\\u00e9'", "true", "false", "null", "[]", "[1, 'a', null]", "{}",
                  "{'a': 1, 'b': [2]}", "/a+/", "/(a)(b)?/i", "function($x){ $x }", "function($a, $b){ $a & $b }",
                  "$states.input", "$states.input.n", "$states.input.items", "$states.input.msg",
                  "$states.context", "$v", "$", "[1..3]", "'%E0%A4%A'", "'SHA-256'", "16", "36"]


def jsonata_expressions(depth: int = 0) -> st.SearchStrategy:
    """JSONata calls of the functions AWS's 2.0.6 has (and its own) with arguments of every kind."""
    argument = st.sampled_from(_JSONATA_ATOMS)
    if depth < 2:
        argument = st.one_of(argument, st.deferred(lambda: jsonata_expressions(depth + 1)))
    call = st.builds(lambda name, args: f"{name}({', '.join(args)})",
                     st.sampled_from(JSONATA_FUNCTIONS), st.lists(argument, max_size=3))
    operators = st.builds(lambda a, op, b: f"({a} {op} {b})", argument,
                          st.sampled_from(["+", "-", "*", "/", "%", "&", "=", "!=", "<", "and", "or", "in", ".."]),
                          argument)
    other = st.builds(lambda a, b: f"{a}[{b}]", argument, argument) | st.builds(lambda a, b: f"{a}.{b}", argument,
                                                                               argument)
    return st.one_of(call, call, operators, other)


_PATH_STEPS = [".a", ".b", ".n", ".items", ".msg", "[0]", "[-1]", "[1:]", "[:2]", "[-1:]", "[*]", ".*", "..a",
               "[?(@.b)]", "[?(@ > 1)]", "[?(@.n == 'x')]", "['a']", "['a','n']", "[0,1]", ".length()", "[1:5:2]",
               "..*", "[?(@.x in [1,2])]", ".sum()", "[?(@ =~ /a.*/)]"]


def jsonpaths() -> st.SearchStrategy:
    """Reference paths and JSONPaths, Jayway's extras included, valid or not."""
    steps = st.lists(st.sampled_from(_PATH_STEPS if KNOWN_TRIGGERS else [s for s in _PATH_STEPS if s != "..*"]),
                     max_size=4)
    return st.builds(lambda root, parts: root + "".join(parts), st.sampled_from(["$", "$$", "$v"]), steps)


def random_expressions() -> st.SearchStrategy:
    """One random expression for a `.$` field or a JSONata template string."""
    return st.one_of(intrinsic_calls(), jsonpaths(), jsonata_expressions().map(lambda e: f"{{% {e} %}}"))


class _Names:
    """Unique state names across the whole machine (AWS wants them unique in every scope)."""

    def __init__(self) -> None:
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return f"S{self.count}"


def _pick(draw: st.DrawFn, options: list) -> Any:
    return draw(st.sampled_from(options))


def _maybe(draw: st.DrawFn) -> bool:
    return draw(st.booleans())


def _jsonpath_template(draw: st.DrawFn) -> dict:
    template: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(["x", "y", "z"]), unique=True, max_size=3)):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            template[key] = draw(json_values(False, max_leaves=3))
        elif choice == 1:
            template[f"{key}.$"] = _pick(draw, PATHS)
        elif choice == 2:
            template[f"{key}.$"] = _pick(draw, INTRINSICS + (KNOWN_EXPRESSIONS[:1] if KNOWN_TRIGGERS else []))
        else:
            template[key] = {"nested.$": _pick(draw, PATHS), "k": 1}
    return template


def _jsonata_value(draw: st.DrawFn) -> Any:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(json_values(False, max_leaves=3))
    pool = JSONATA_VALUES + (KNOWN_EXPRESSIONS[1:3] + KNOWN_EXPRESSIONS[5:] if KNOWN_TRIGGERS else [])
    if choice == 1:
        return {"k": _pick(draw, pool), "fixed": 1}
    return _pick(draw, pool)


def _assign(draw: st.DrawFn, language: str, depth: int) -> dict:
    """Variables to assign: `v` and `w` at the top, `v1`, `w1` one scope down (a branch may not
    assign a variable of an enclosing scope)."""
    names = draw(st.lists(st.sampled_from(["v", "w"]), min_size=1, max_size=2, unique=True))
    names = [f"{name}{depth or ''}" for name in names]
    if language == JSONATA:
        return {name: _jsonata_value(draw) for name in names}
    assigned: dict[str, Any] = {}
    for name in names:
        if _maybe(draw):
            assigned[f"{name}.$"] = _pick(draw, PATHS + INTRINSICS[:4])
        else:
            assigned[name] = draw(json_values(False, max_leaves=3))
    return assigned


def _retry(draw: st.DrawFn) -> list[dict]:
    retriers = []
    for errors in draw(st.lists(st.sampled_from([["Boom"], ["States.TaskFailed"], ["States.Timeout"],
                                                 ["Boom", "States.Runtime"], ["States.BranchFailed"]]),
                                max_size=2)):
        retriers.append(_retrier(draw, errors))
    if _maybe(draw):
        retriers.append(_retrier(draw, ["States.ALL"]))
    return retriers


def _retrier(draw: st.DrawFn, errors: list[str]) -> dict:
    retrier: dict[str, Any] = {"ErrorEquals": errors}
    if _maybe(draw):
        retrier["MaxAttempts"] = draw(st.integers(0, 3))
    if _maybe(draw):
        retrier["IntervalSeconds"] = draw(st.integers(1, 5))
    if _maybe(draw):
        retrier["BackoffRate"] = draw(st.sampled_from([1, 1.5, 2.0, 3]))
    if _maybe(draw):
        retrier["MaxDelaySeconds"] = draw(st.integers(1, 10))
    if _maybe(draw):
        retrier["JitterStrategy"] = _pick(draw, ["FULL", "NONE"])
    return retrier


def _catch(draw: st.DrawFn, language: str, targets: list[str], depth: int) -> list[dict]:
    catchers = []
    for errors in draw(st.lists(st.sampled_from([["Boom"], ["States.ALL"], ["States.TaskFailed", "Boom"],
                                                 ["States.Timeout"], ["States.DataLimitExceeded"]]),
                                min_size=1, max_size=2)):
        if catchers and catchers[-1]["ErrorEquals"] == ["States.ALL"]:
            break
        catcher: dict[str, Any] = {"ErrorEquals": errors, "Next": _pick(draw, targets)}
        if language == JSONPATH and _maybe(draw):
            catcher["ResultPath"] = _pick(draw, ["$.error", "$", None, "$.a.error"])
        if language == JSONATA and _maybe(draw):
            catcher["Output"] = _pick(draw, ["{% $states.errorOutput %}", "{% $states.input %}",
                                             {"e": "{% $states.errorOutput.Error %}"}])
        if _maybe(draw):
            catcher["Assign"] = _assign(draw, language, depth)
        catchers.append(catcher)
    return catchers


def _jsonpath_rule(draw: st.DrawFn, depth: int = 0) -> dict:
    kind = draw(st.integers(0, 9 if depth < 2 else 6))
    variable = _pick(draw, PATHS)
    if kind == 0:
        return {"Variable": variable, "NumericLessThan": draw(numbers(False))}
    if kind == 1:
        return {"Variable": variable, _pick(draw, ["NumericEquals", "NumericGreaterThanEquals"]): draw(st.integers(-3, 12))}
    if kind == 2:
        return {"Variable": variable, _pick(draw, ["StringEquals", "StringMatches", "StringLessThan"]):
                _pick(draw, ["a", "a*", "*", "hello\\*", ""])}
    if kind == 3:
        return {"Variable": variable, _pick(draw, ["IsPresent", "IsNull", "IsNumeric", "IsString", "IsBoolean",
                                                   "IsTimestamp"]): _maybe(draw)}
    if kind == 4:
        return {"Variable": variable, "BooleanEquals": _maybe(draw)}
    if kind == 5:
        return {"Variable": variable, _pick(draw, ["TimestampLessThan", "TimestampEquals"]): "2024-01-01T00:00:00Z"}
    if kind == 6:
        return {"Variable": variable, _pick(draw, ["NumericEqualsPath", "StringEqualsPath", "BooleanEqualsPath"]):
                _pick(draw, PATHS)}
    if kind == 7:
        return {"Not": _jsonpath_rule(draw, depth + 1)}
    return {_pick(draw, ["And", "Or"]): [_jsonpath_rule(draw, depth + 1)
                                        for _ in range(draw(st.integers(1, 3)))]}


def _io_fields(draw: st.DrawFn, state: dict, language: str, kind: str, depth: int) -> None:
    """The input/output fields of a state, as its query language and type allow."""
    if language == JSONATA:
        if kind != "Fail" and _maybe(draw):
            state["Output"] = _jsonata_value(draw)
        if kind not in ("Fail", "Succeed") and _maybe(draw):
            state["Assign"] = _assign(draw, language, depth)
        return
    if kind != "Fail":
        if _maybe(draw):
            state["InputPath"] = _pick(draw, ["$", "$.a", "$.items", None, "$$.Execution.Input"])
        if _maybe(draw):
            state["OutputPath"] = _pick(draw, ["$", "$.a", None, "$.x"])
    if kind in ("Pass", "Task", "Parallel", "Map"):
        if _maybe(draw):
            state["ResultPath"] = _pick(draw, ["$", "$.r", None, "$.a.r", "$.items"])
    if kind in ("Pass", "Task", "Parallel", "Map") and _maybe(draw):
        state["Parameters" if kind != "Map" else "ItemSelector"] = _jsonpath_template(draw)
    if kind in ("Task", "Parallel", "Map") and _maybe(draw):
        state["ResultSelector"] = _jsonpath_template(draw)
    if kind not in ("Fail", "Succeed", "Choice") and _maybe(draw):
        state["Assign"] = _assign(draw, language, depth)


def _task(draw: st.DrawFn, language: str, machine_type: str) -> dict:
    name = _pick(draw, list(HANDLER_NAMES))
    state: dict[str, Any] = {"Type": "Task"}
    if machine_type == "STANDARD" and draw(st.integers(0, 5)) == 0:
        # Nothing answers the token: the task waits for its heartbeat or timeout, on the virtual clock.
        state["Resource"] = "arn:aws:states:::lambda:invoke.waitForTaskToken"
        if language == JSONATA:
            state["Arguments"] = {"FunctionName": name, "Payload": {"token": "{% $states.context.Task.Token %}"}}
        else:
            state["Parameters"] = {"FunctionName": name, "Payload": {"token.$": "$$.Task.Token"}}
        state["TimeoutSeconds"] = draw(st.integers(2, 600))
        if _maybe(draw):
            state["HeartbeatSeconds"] = draw(st.integers(1, state["TimeoutSeconds"] - 1))
        return state
    if _maybe(draw):
        state["Resource"] = "arn:aws:states:::lambda:invoke"
        if language == JSONATA:
            state["Arguments"] = {"FunctionName": name, "Payload": _pick(draw, ["{% $states.input %}", {"k": 1}])}
        else:
            state["Parameters"] = {"FunctionName": name, "Payload.$": _pick(draw, ["$", "$.a", "$$.Execution.Input"])}
    else:
        state["Resource"] = ACCOUNT_ARN + name
    if _maybe(draw):
        state["TimeoutSeconds"] = draw(st.integers(2, 60))
        if _maybe(draw):
            state["HeartbeatSeconds"] = draw(st.integers(1, state["TimeoutSeconds"] - 1))
    elif language == JSONPATH and draw(st.integers(0, 4)) == 0:
        state["TimeoutSecondsPath"] = "$.n"
    return state


def _map(draw: st.DrawFn, language: str, top_language: str, names: _Names, depth: int, machine_type: str) -> dict:
    distributed = _maybe(draw)
    processor = _machine(draw, names, depth + 1, top_language, machine_type)
    config: dict[str, Any] = {"Mode": "DISTRIBUTED" if distributed else "INLINE"}
    if distributed:
        config["ExecutionType"] = "EXPRESS" if machine_type == "EXPRESS" or _maybe(draw) else "STANDARD"
    processor["ProcessorConfig"] = config
    state: dict[str, Any] = {"Type": "Map", "ItemProcessor": processor}
    if language == JSONATA:
        if _maybe(draw):
            state["Items"] = _pick(draw, ["{% $states.input.items %}", [1, 2, 3], "{% [1, 2] %}", "{% $states.input %}"])
        if _maybe(draw):
            state["ItemSelector"] = {"v": "{% $states.context.Map.Item.Value %}",
                                     "i": "{% $states.context.Map.Item.Index %}"}
    else:
        if _maybe(draw):
            state["ItemsPath"] = _pick(draw, ["$.items", "$", "$.a"])
        if _maybe(draw):
            state["ItemSelector"] = {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"}
    if _maybe(draw):
        state["MaxConcurrency"] = draw(st.integers(0, 3))
    if distributed and _maybe(draw):
        state["ToleratedFailurePercentage"] = draw(st.integers(0, 100))
    if distributed and _maybe(draw):
        state["ToleratedFailureCount"] = draw(st.integers(0, 3))
    if distributed and _maybe(draw):
        state["Label"] = _pick(draw, ["L", "each-item", "x" * 40])
    if distributed and draw(st.integers(0, 3)) == 0:
        state.pop("Items", None)
        state.pop("ItemsPath", None)
        state["ItemReader"] = _item_reader(draw, language)
    if distributed and language == JSONPATH and _maybe(draw):
        batcher: dict[str, Any] = {"MaxItemsPerBatch": draw(st.integers(1, 3))}
        if _maybe(draw):
            batcher["BatchInput"] = {"fixed": 1}
        state["ItemBatcher"] = batcher
    return state


def _item_reader(draw: st.DrawFn, language: str) -> dict:
    """An ItemReader of S3 objects (the trial's `s3_content` is what the handlers return)."""
    listing = draw(st.integers(0, 4)) == 0
    reader: dict[str, Any] = {"Resource": LIST_OBJECTS if listing else GET_OBJECT}
    if language == JSONATA:
        reader["Arguments"] = {"Bucket": "b", "Key": "{% 'k' & $string($states.input.n) %}"}
    else:
        reader["Parameters"] = {"Bucket": "b", "Key.$": "States.Format('{}.csv', $.n)"}
    if not listing:
        config: dict[str, Any] = {"InputType": _pick(draw, ["JSON", "JSONL", "CSV", "CSV"])}
        if config["InputType"] == "CSV":
            if _maybe(draw):
                config["CSVHeaderLocation"] = "FIRST_ROW"
            else:
                config["CSVHeaderLocation"] = "GIVEN"
                config["CSVHeaders"] = draw(st.lists(st.sampled_from(["a", "b", "c", ""]), min_size=1, max_size=3))
            if _maybe(draw):
                config["CSVDelimiter"] = _pick(draw, ["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"])
        if _maybe(draw):
            config["MaxItems"] = draw(st.integers(0, 3))
        reader["ReaderConfig"] = config
    return reader


def s3_contents(known: bool = KNOWN_TRIGGERS) -> st.SearchStrategy:
    """What an S3 handler gives an ItemReader: CSV, JSON and JSON Lines text (well formed or not),
    bytes (UTF-8 or not), listed objects, odd values."""
    cell = st.one_of(st.sampled_from(["", "a", "1", '"q"', "x,y", "a|b", "l1\nl2", " ", "\t"]), texts(known, 6))
    csv_text = st.lists(st.lists(cell, max_size=4), max_size=5).flatmap(
        lambda rows: st.sampled_from([",", "|", ";", " ", "\t"]).map(
            lambda sep: "\n".join(sep.join(row) for row in rows)))
    json_text = st.lists(json_values(known, 4), max_size=4).map(json.dumps)
    jsonl_text = st.lists(json_values(known, 3), max_size=4).map(lambda xs: "\n".join(map(json.dumps, xs)))
    text = st.one_of(csv_text, json_text, jsonl_text, texts(known, 30),
                     st.sampled_from(["[", "x" * 140_000, "h\n" + "y" * 140_000, '"a', "\ufeffa,b\n1,2", "[1]\n{"]))
    content = st.one_of(
        text, text, text,
        text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.binary(max_size=20),
        json_values(known, 4),
    )
    objects = st.lists(st.fixed_dictionaries({"Key": texts(known, 8), "Size": st.integers(0, 10**6)}), max_size=3)
    listing = st.one_of(
        objects, objects,
        st.fixed_dictionaries({"Contents": st.one_of(objects, st.lists(json_values(known, 3), max_size=3))}),
        json_values(known, 4),
    )
    return st.tuples(content, listing)


def _state(draw: st.DrawFn, kind: str, language: str, top_language: str, names: _Names, depth: int,
           machine_type: str) -> dict:
    """A state of `kind` in `language`; its branches and processor default to `top_language`."""
    if kind == "Pass":
        state: dict[str, Any] = {"Type": "Pass"}
        if language == JSONPATH and _maybe(draw):
            state["Result"] = draw(json_values(False, max_leaves=4))
    elif kind == "Wait":
        field = draw(st.integers(0, 3))
        if language == JSONATA:
            state = {"Type": "Wait", "Seconds": draw(st.integers(0, 10)) if field else "{% $states.input.n %}"}
        elif field == 0:
            state = {"Type": "Wait", "SecondsPath": "$.n"}
        elif field == 1:
            state = {"Type": "Wait", "Timestamp": _pick(draw, ["2024-01-01T00:00:10Z", "2023-12-31T23:59:59Z",
                                                               "2024-01-01T00:00:00.5+01:00"])}
        elif field == 2:
            state = {"Type": "Wait", "TimestampPath": _pick(draw, ["$.msg", "$$.Execution.StartTime"])}
        else:
            state = {"Type": "Wait", "Seconds": draw(st.integers(0, 100))}
    elif kind == "Succeed":
        state = {"Type": "Succeed"}
    elif kind == "Fail":
        state = {"Type": "Fail"}
        if language == JSONATA:
            errors = ["E", "{% 'E' & $string($states.input.n) %}"] + (["{% $states.input.n %}"] if KNOWN_TRIGGERS else [])
            state["Error"] = _pick(draw, errors)
            if _maybe(draw):
                state["Cause"] = _pick(draw, ["why", "{% $string($states.input) %}"])
        else:
            if _maybe(draw):
                state["Error"] = "E"
            else:
                state["ErrorPath"] = _pick(draw, ["$$.State.Name"] + (["$.msg", "$", "$.items"] if KNOWN_TRIGGERS else []))
            if _maybe(draw):
                state["CausePath"] = _pick(draw, ["States.Format('n={}', $.n)", "$$.Execution.Name"]
                                           + (["$.a", "$.items"] if KNOWN_TRIGGERS else []))
    elif kind == "Task":
        state = _task(draw, language, machine_type)
    elif kind == "Parallel":
        branches = [_machine(draw, names, depth + 1, top_language, machine_type)
                    for _ in range(draw(st.integers(1, 3)))]
        state = {"Type": "Parallel", "Branches": branches}
    else:
        state = _map(draw, language, top_language, names, depth, machine_type)
    return state


@st.composite
def _machine_strategy(draw: st.DrawFn, machine_type: str) -> dict:
    language = _pick(draw, [JSONPATH, JSONATA])
    definition = _machine(draw, _Names(), 0, language, machine_type)
    if language == JSONATA:
        definition["QueryLanguage"] = JSONATA
    if _maybe(draw):
        definition["TimeoutSeconds"] = draw(st.integers(1, 1000))
    return definition


def _machine(draw: st.DrawFn, names: _Names, depth: int, top_language: str, machine_type: str) -> dict:
    """A machine (or branch, or processor) whose transitions all go forward, so it ends."""
    count = draw(st.integers(1, 5 if depth == 0 else 3))
    state_names = [names.next() for _ in range(count)]
    states: dict[str, dict] = {}
    kinds = ["Pass", "Wait", "Succeed", "Fail", "Task", "Choice"] + (["Parallel", "Map"] if depth < 2 else [])
    for index, name in enumerate(state_names):
        last = index == count - 1
        later = state_names[index + 1:]
        kind = _pick(draw, [k for k in kinds if not (last and k == "Choice")])
        language = top_language
        if top_language == JSONPATH and _maybe(draw) and _maybe(draw):
            language = JSONATA
        state = _state(draw, kind, language, top_language, names, depth, machine_type) if kind != "Choice" else {"Type": "Choice"}
        if language != top_language:
            state["QueryLanguage"] = language
        if kind == "Choice":
            rules = []
            for _ in range(draw(st.integers(1, 3))):
                rule = ({"Condition": _pick(draw, JSONATA_CONDITIONS)} if language == JSONATA
                        else _jsonpath_rule(draw))
                rule["Next"] = _pick(draw, later)
                if _maybe(draw) and _maybe(draw):
                    rule["Assign"] = _assign(draw, language, depth)
                rules.append(rule)
            state["Choices"] = rules
            if _maybe(draw):
                state["Default"] = _pick(draw, later)
        _io_fields(draw, state, language, kind, depth)
        if kind == "Task" or kind in ("Parallel", "Map") and KNOWN_TRIGGERS:  # the join KeyError
            if _maybe(draw):
                state["Retry"] = _retry(draw)
            if later and _maybe(draw):
                state["Catch"] = _catch(draw, language, later, depth)
        if kind not in ("Choice", "Succeed", "Fail"):
            if last or _maybe(draw) and _maybe(draw):
                state["End"] = True
            else:
                state["Next"] = _pick(draw, later)
        states[name] = state
    return {"StartAt": state_names[0], "States": _reachable(states, state_names[0])}


def _reachable(states: dict[str, dict], start: str) -> dict[str, dict]:
    """The states a transition leads to from `start` (AWS refuses unreachable ones)."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        state = states[name]
        todo.extend(t for t in (state.get("Next"), state.get("Default")) if t)
        todo.extend(rule["Next"] for rule in state.get("Choices", ()))
        todo.extend(catcher["Next"] for catcher in state.get("Catch", ()))
    return {name: state for name, state in states.items() if name in seen}


@st.composite
def generated_trials(draw: st.DrawFn) -> Trial:
    """A random machine AWS accepts, on a random input, with the local handlers."""
    machine_type = _pick(draw, ["STANDARD", "STANDARD", "EXPRESS"])
    definition = draw(_machine_strategy(machine_type))
    return Trial(
        definition=definition,
        input=draw(inputs()),
        state_machine_type=machine_type,
        origin="generated",
        handlers=local_handlers,
        s3_content=draw(s3_contents()) if "ItemReader" in json.dumps(definition) else None,
    )


# -- random expressions where machines use them -------------------------------------------------------


@st.composite
def expression_trials(draw: st.DrawFn) -> Trial:
    """A random intrinsic call, JSONPath or JSONata expression in one of the fields that evaluate
    one, on a random input (valid or not: `validate` decides)."""
    expression = draw(random_expressions())
    jsonata = expression.startswith("{%")
    place = draw(st.sampled_from(["template", "assign", "choice", "wait", "items", "fail", "selector"]))
    after = {"Type": "Pass", "End": True}
    if jsonata:
        state: dict[str, Any] = {
            "template": {"Type": "Pass", "Output": {"r": expression}},
            "assign": {"Type": "Pass", "Assign": {"v": expression}, "Output": "{% $v %}"},
            "choice": {"Type": "Choice", "Choices": [{"Condition": expression, "Next": "B"}], "Default": "B"},
            "wait": {"Type": "Wait", "Seconds": expression},
            "items": {"Type": "Map", "Items": expression,
                      "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}},
            "fail": {"Type": "Fail", "Error": expression, "Cause": expression},
            "selector": {"Type": "Parallel", "Output": expression,
                         "Branches": [{"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}]},
        }[place]
    else:
        state = {
            "template": {"Type": "Pass", "Parameters": {"r.$": expression}},
            "assign": {"Type": "Pass", "Assign": {"v.$": expression}, "OutputPath": "$"},
            "choice": {"Type": "Choice", "Choices": [{"Variable": expression, "IsPresent": True, "Next": "B"}],
                       "Default": "B"},
            "wait": {"Type": "Wait", "SecondsPath": expression},
            "items": {"Type": "Map", "ItemsPath": expression,
                      "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}},
            "fail": {"Type": "Fail", "CausePath": expression, "Error": "E"},
            "selector": {"Type": "Parallel", "ResultSelector": {"r.$": expression},
                         "Branches": [{"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}]},
        }[place]
    if state["Type"] not in ("Choice", "Fail"):
        state["Next"] = "B"
    definition = {"StartAt": "A", "States": {"A": state, "B": after}}
    if jsonata:
        definition["QueryLanguage"] = JSONATA
    else:
        definition["States"]["A0"] = {"Type": "Pass", "Assign": {"v": draw(json_values(False, max_leaves=4))}, "Next": "A"}
        definition["StartAt"] = "A0"
    return Trial(definition=definition, input=draw(inputs()), origin="expression", handlers=local_handlers)


# -- mutated corpus cases ----------------------------------------------------------------------------


@cache
def corpus_cases() -> tuple[Case, ...]:
    """The recorded cases (empty when the corpus is not there), read once."""
    root = corpus_dir()
    if not root.is_dir():
        return ()
    return tuple(load_cases(root))


@cache
def corpus_strings() -> tuple[str, ...]:
    """Every path, intrinsic and JSONata string of the corpus definitions, sorted."""
    found: set[str] = set()
    for case in corpus_cases():
        for _, value in _sites(case.definition):
            if isinstance(value, str) and (value.startswith(("$", "States.", "{%"))):
                found.add(value)
    return tuple(sorted(found))


BROKEN_STRINGS = ["$.", "$[", "$.a[", "$..", "$.a..b", "$[?(@.x > 1)]", "$.a[-1]", "$.a[*]", "$['a']", "$.a[0:-1]",
                  "$$", "$$.", "$$.Map.Item.Value", "$$.Task.Token", "$x", "$.a.", "States.Format(", "States.Nope()",
                  "States.Format('{}')", "States.Format('{} {}', $.a)", "States.MathAdd($.a)",
                  "States.ArrayRange(1, 1000001, 1)", "States.ArrayRange(0, 10, 0)", "States.Hash($, 'MD4')",
                  "States.StringToJson('{')", "States.Base64Decode('!!')", "States.MathRandom(5, 1)",
                  "States.ArrayGetItem($.items, 99)", "States.JsonMerge($, $, true)", "{% %}", "{%", "{% $states. %}",
                  "{% 1 + %}", "{% $states.input.( %}", "{% 1/0 %}", "{% $sum('a') %}", "{% $string(1/0) %}",
                  "{% $length(123) %}", "{% $substring('abc', -5) %}", "{% $pad('x', 100000) %}", "{% $states %}",
                  "{% $states.result %}", "{% $states.errorOutput %}", "{% [1..100000] %}", "{% $lookup({}, 'a') %}",
                  "{% $eval('1+') %}", "{% $match('aaa', /a*/) %}", "{% $split('a,b', ',', -1) %}",
                  "{% $formatNumber(1e20, '#') %}", "{% $fromMillis(8.64e15 * 2) %}", "{% $toMillis('x') %}",
                  "{% $now('[Y]', 'nope') %}", "{% $zip() %}", "{% $distinct(1) %}", "{% $single([1,2]) %}",
                  "{% $base64decode('%%%') %}", "{% $replace('abc', 'b', 5) %}", "{% $sift({}, 1) %}",
                  "{% $power(10, 400) %}", "{% $sqrt(-1) %}", "{% 9007199254740993 %}", "{% $round(2.5, 400) %}",
                  "{% $each({'a':1}, function($v){$v}) %}", "{% $reduce([], function($a,$b){$a}) %}", "  {% 1 %}",
                  "{% 1 %} ", "{%1%}", ""]


def _sites(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, value) of a JSON value, the root first."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _sites(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _sites(child, (*path, index))


def _get(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


def _set(root: Any, path: tuple, new: Any) -> Any:
    """`root` with the node at `path` replaced (the root itself when path is empty)."""
    if not path:
        return new
    _get(root, path[:-1])[path[-1]] = new
    return root


def _state_dicts(definition: Any) -> list[tuple[tuple, dict]]:
    """(path, state) of every state, in branches and processors too."""
    found = []
    for path, node in _sites(definition):
        if path and path[-2:-1] == ("States",) and isinstance(node, dict):
            found.append((path, node))
    return found


def _state_names(definition: Any) -> list[str]:
    return sorted({path[-1] for path, _ in _state_dicts(definition) if isinstance(path[-1], str)})


NUMERIC_FIELDS = ["Seconds", "MaxAttempts", "IntervalSeconds", "BackoffRate", "MaxDelaySeconds", "TimeoutSeconds",
                  "HeartbeatSeconds", "MaxConcurrency", "ToleratedFailurePercentage", "ToleratedFailureCount",
                  "MaxItems", "MaxItemsPerBatch", "MaxInputBytesPerBatch", "NumericEquals", "NumericLessThan"]


def mutated_numbers(known: bool = KNOWN_TRIGGERS) -> st.SearchStrategy:
    """What a number field is changed to: numbers of every size and sign, and strings that look like them."""
    return st.one_of(
        numbers(known),
        st.sampled_from([-1, 0, 1, 0.5, 1.5, -0.5, 99999999, 2**31, 2**63, 1e10, 31536001, 1e-7, 100, 101]),
        st.sampled_from(["1", "1e400", "NaN", "Infinity", "-1", "1.5", "0x10", "", " 1", True, None, [], {}]),
    )


@st.composite
def _mutate(draw: st.DrawFn, definition: Any, known: bool) -> tuple[str, Any]:
    """One mutation of a definition: (what it did, the new definition)."""
    sites = list(_sites(definition))
    states = _state_dicts(definition)
    names = _state_names(definition)
    operator = draw(st.sampled_from(["number", "number", "swap", "expression", "expression", "drop", "duplicate",
                                     "retarget", "nest", "type", "language", "value"]))
    if operator == "number":
        numeric = [p for p, v in sites if p and (isinstance(v, (int, float)) and not isinstance(v, bool)
                                                  or p[-1] in NUMERIC_FIELDS)]
        if not numeric:
            return "none", definition
        path = draw(st.sampled_from(numeric))
        return f"number {path}", _set(definition, path, draw(mutated_numbers(known)))
    if operator == "swap":
        leaves = [p for p, v in sites if p and not isinstance(v, (dict, list))]
        if len(leaves) < 2:
            return "none", definition
        a, b = draw(st.sampled_from(leaves)), draw(st.sampled_from(leaves))
        value_a, value_b = _get(definition, a), _get(definition, b)
        _set(definition, a, value_b)
        return f"swap {a} {b}", _set(definition, b, value_a)
    if operator == "expression":
        strings = [p for p, v in sites if p and isinstance(v, str)]
        if not strings:
            return "none", definition
        path = draw(st.sampled_from(strings))
        pool = list(corpus_strings()) + BROKEN_STRINGS + (KNOWN_EXPRESSIONS if known else [])
        new = draw(st.one_of(st.sampled_from(pool), st.sampled_from(BROKEN_STRINGS), random_expressions()))
        if draw(st.booleans()) and isinstance(path[-1], str) and not path[-1].endswith(".$") and isinstance(
                _get(definition, path[:-1]), dict) and path[-2:-1] not in (("States",),):
            parent = _get(definition, path[:-1])
            if path[-1] not in ("Type", "Next", "StartAt", "Default", "Resource", "Comment"):
                parent.pop(path[-1])
                parent[path[-1] + ".$"] = new
                return f"expression {path}.$", definition
        return f"expression {path}", _set(definition, path, new)
    if operator == "drop":
        keyed = [p for p, _ in sites if p and isinstance(p[-1], str)]
        if not keyed:
            return "none", definition
        path = draw(st.sampled_from(keyed))
        _get(definition, path[:-1]).pop(path[-1])
        return f"drop {path}", definition
    if operator == "duplicate":
        if len(states) < 1:
            return "none", definition
        (_, source), (_, target) = draw(st.sampled_from(states)), draw(st.sampled_from(states))
        if not source:
            return "none", definition
        key = draw(st.sampled_from(sorted(source)))
        target[key] = copy.deepcopy(source[key])
        return f"duplicate {key}", definition
    if operator == "retarget":
        links = [p for p, v in sites if p and p[-1] in ("Next", "Default", "StartAt") and isinstance(v, str)]
        if not links or not names:
            return "none", definition
        path = draw(st.sampled_from(links))
        return f"retarget {path}", _set(definition, path, draw(st.sampled_from([*names, "Nowhere", ""])))
    if operator == "nest":
        nestable = [(p, s) for p, s in states if s.get("Type") not in ("Choice", None)]
        if not nestable:
            return "none", definition
        path, state = draw(st.sampled_from(nestable))
        name = path[-1]
        inner = {k: v for k, v in state.items() if k not in ("Next", "End", "Catch")}
        if inner.get("Type") not in ("Succeed", "Fail"):
            inner["End"] = True
        # A Parallel or Map with Retry or Catch meets the known join KeyError: only with KNOWN_TRIGGERS.
        outer = {k: state[k] for k in ("Next", "End", "Catch") if k in state and (known or k != "Catch")}
        branch = {"StartAt": f"{name}_", "States": {f"{name}_": inner}}
        if draw(st.booleans()):
            twin = {"StartAt": f"{name}__", "States": {f"{name}__": copy.deepcopy(inner)}}
            outer.update(Type="Parallel", Branches=[branch, twin] if draw(st.booleans()) else [branch])
        else:
            outer.update(Type="Map", ItemProcessor=branch)
            if draw(st.booleans()):
                jsonata = inner.get("QueryLanguage", definition.get("QueryLanguage")) == JSONATA
                outer["Items" if jsonata else "ItemsPath"] = "{% [$states.input, $states.input] %}" if jsonata else "$.items"
        if known and draw(st.booleans()):
            outer["Retry"] = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": draw(st.integers(0, 2))}]
        return f"nest {path}", _set(definition, path, outer)
    if operator == "type":
        if not states:
            return "none", definition
        _, state = draw(st.sampled_from(states))
        state["Type"] = draw(st.sampled_from(["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
                                              "pass", "Nope"]))
        return "type", definition
    if operator == "language":
        targets = [definition, *(s for _, s in states)] if isinstance(definition, dict) else []
        if not targets:
            return "none", definition
        target = draw(st.sampled_from(targets))
        target["QueryLanguage"] = draw(st.sampled_from([JSONPATH, JSONATA, "jsonata", None]))
        return "language", definition
    # value: any leaf becomes any JSON value
    leaves = [p for p, _ in sites if p]
    if not leaves:
        return "none", definition
    path = draw(st.sampled_from(leaves))
    return f"value {path}", _set(definition, path, draw(json_values(known, 4)))


@st.composite
def _mutated_input(draw: st.DrawFn, original: Any, known: bool) -> Any:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return copy.deepcopy(original)
    if choice == 1:
        return draw(inputs(known))
    value = copy.deepcopy(original)
    path = draw(st.sampled_from([p for p, _ in _sites(value)]))
    new = draw(st.one_of(mutated_numbers(known), json_values(known), deep_values(known)))
    return _set(value, path, new)


@st.composite
def mutated_corpus_trials(draw: st.DrawFn, known: bool = KNOWN_TRIGGERS) -> Trial:
    """A recorded case with one to four mutations of its definition and/or a changed input."""
    cases = corpus_cases()
    categories = sorted({case.category for case in cases})
    category = draw(st.sampled_from(categories))  # choice_operators is half the corpus: pick a category first
    case = draw(st.sampled_from([c for c in cases if c.category == category]))
    definition = copy.deepcopy(case.definition)
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 1, 2, 2, 3, 4]))):
        _, definition = draw(_mutate(definition, known))
    if not known:
        _defuse_fail_states(definition)
    machine_type = case.state_machine_type
    if draw(st.integers(0, 9)) == 0:
        machine_type = "EXPRESS" if machine_type == "STANDARD" else "STANDARD"
    if draw(st.integers(0, 9)) == 0:
        text = json.dumps(definition)  # as text (with NaN when known triggers made one), cut short, keys twice
        definition = draw(st.sampled_from([text, text[: len(text) // 2], text.replace("{", '{"Comment": 1, "Comment": 2, ', 1)]))
    return Trial(
        definition=definition,
        input=draw(_mutated_input(case.input, known)),
        s3_content=draw(s3_contents(known)) if "ItemReader" in _text(definition) else None,
        state_machine_type=machine_type,
        origin=case.name,
        start_time=case.start_time,
        handlers=lambda: _case_handlers(case),
    )


def _defuse_fail_states(definition: Any) -> None:
    """Without KNOWN_TRIGGERS: Fail states name their error and cause literally (an ErrorPath,
    CausePath or JSONata Error/Cause that selects a non-string is a known crash)."""
    for _, state in _state_dicts(definition):
        if state.get("Type") != "Fail":
            continue
        for path_field, field in (("ErrorPath", "Error"), ("CausePath", "Cause")):
            if path_field in state or isinstance(state.get(field), str) and "{%" in state[field]:
                state.pop(path_field, None)
                state[field] = f"Fuzz.{field}"


def _case_handlers(case: Case) -> dict:
    handlers = lambdas_for(case)
    return handlers | local_handlers()
