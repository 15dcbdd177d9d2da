"""Compiled functions (query/jsonata/lambdas.py) and the closures (closures.py) against the port:
random expressions with functions, blocks, constructors and calls over random data give the
same value, the same undefined, or the same error, with the fast paths on and off. CI runs 500
examples; a longer run: PYSFN_CLOSURE_EXAMPLES=20000 pytest tests/emulator/test_jsonata_closures.py."""

from __future__ import annotations

import gc
import json
import os
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pysfn_emulator.query import jsonata as jsonata_module
from pysfn_emulator.query.jsonata import QueryEvaluationError, lambdas
from pysfn_emulator.query.jsonata.runtime import DEFAULT_RUNTIME


def _outcome(text: str, variables: dict, fast: bool) -> tuple:
    expression = jsonata_module._Expression(text, "Output")
    states = {"input": {"x": variables.get("x"), "o": {"y": [1, None, "z"]}}, "context": {}}
    with pytest.MonkeyPatch.context() as patch:
        if not fast:
            patch.setattr(lambdas, "compiled", lambda procedure, engine: None)
            expression.fast = None
        try:
            result = expression.evaluator()(states, variables, DEFAULT_RUNTIME)
        except QueryEvaluationError as error:
            if error.cause.endswith("returned nothing (undefined)."):
                return ("undefined",)
            return ("error", error.cause)
    return ("value", json.dumps(result, sort_keys=False))


# (`$missing` and `$states` are read by the port: a body holding one falls back whole, so they
# are rare here; most atoms are values the closures take)
_ATOMS = ["$a", "$b", "$v", "$v", "$i", "$i", "$x", "$list", "$list", "0", "1", "2", "-2.5", "'k'", "'ab'", "''",
          "null", "true", "[1, 2]", "[$a, $b]", "[]", "{'k': 1}", "{'k': $a, 'j': null}", "[[1], 'k']",
          "$lookup($v, 'k')", "$lookup({'k': 1}, 'j')", "$a.k", "$missing", "$states.input.o.y"]
_BINARY = ["+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "and", "or", "&", "in"]
_CALLS1 = ["$count", "$type", "$string", "$exists", "$not", "$boolean", "$length", "$sum", "$keys", "$uppercase",
           "$floor", "$abs", "$reverse", "$f"]
_CALLS2 = ["$lookup", "$append", "$substring", "$join", "$merge2", "$g2"]


def _expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(_BINARY), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"($t := {t[0]}; {t[1]} & '' & $string($t))"),
            st.tuples(inner, inner).map(lambda t: f"($t := {t[0]}; $u := {t[1]}; [$t, $u])"),
            st.tuples(inner, inner).map(lambda t: f"{{'p': {t[0]}, 'q': {t[1]}}}"),
            st.tuples(inner, inner).map(lambda t: f"{{$string({t[0]}): {t[1]}}}"),
            st.tuples(inner, inner).map(lambda t: f"[{t[0]}, {t[1]}]"),
            st.tuples(inner, inner).map(lambda t: f"[[{t[0]}], {t[1]}]"),
            st.tuples(st.sampled_from(_CALLS1), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(_CALLS2), inner, inner).map(
                lambda t: f"$merge([{t[1]}, {t[2]}])" if t[0] == "$merge2" else f"{t[0]}({t[1]}, {t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"$count([{t[0]}, {t[1]}])"),
            st.tuples(inner, inner).map(lambda t: f"$map([{t[0]}, 1], function($y, $j) {{ [$y, $j, {t[1]}] }})"),
            st.tuples(inner, inner).map(lambda t: f"function($y) {{ ({t[0]}) & $string($y) }}({t[1]})"),
            st.tuples(inner, inner).map(
                lambda t: f"($h := function($n) {{ $n <= 0 ? {t[0]} : [$h($n - 1), {t[1]}] }}; $h(2))"),
            inner.map(lambda e: f"$contains($string({e}), /a|1/)"),
            inner.map(lambda e: f"$filter([1, 'a', {e}], function($y) {{ $type($y) = 'string' }})"),
            st.tuples(inner, inner).map(lambda t: f"($exists({t[0]}) ? $type({t[0]}) : {t[1]})"),
        )

    return st.recursive(st.sampled_from(_ATOMS), extend, max_leaves=6)


# the body's outermost form: one of these over two random expressions (a bare atom as a body
# tests little, and hypothesis tries the small examples first)
_TEMPLATES = ["$count([{0}, {1}])", "{{'k': {0}, 'j': {1}}}", "$merge([{{'k': {0}}}, {{'j': {1}}}])",
              "{{'k': $lookup({{'a': {0}}}, 'b'), 'j': {1}}}", "$merge([{{'k': 1}}, {{'j': {0}}}, {{'k': {1}}}])",
              "[{0}, [{1}]]", "$append({0}, {1})", "({0}) ? $type({1}) : $string({1})", "($t := {0}; [$t, {1}])",
              "$lookup({{'k': {0}}}, $string({1}) = '1' ? 'k' : 'j')", "{0} in [{1}, 1]",
              "$map([{0}], function($y) {{ [$y, {1}] }})", "$count({0}) + $count({1})", "[{0}, {1}, 3][$i]",
              "$list[{0}]", "({0})[-1]", "($t := [{0}, [{1}]]; $t[1][0])", "($t := [[{0}], [{1}]]; $t[$i][0])",
              "($t := [[{0}], [{1}]]; ($t[$i])[0])"]


def _bodies() -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(_TEMPLATES), _expressions(), _expressions()).map(
        lambda t: t[0].format(t[1], t[2]))


_FORMS = [
    "($f := function($v) {{ {body} }}; $g2 := function($v, $i) {{ {body} }}; $map($list, function($v, $i) {{ {body} }}))",
    "($f := function($v) {{ {body} }}; $g2 := function($v, $i) {{ [$v, $i] }}; $filter($list, function($v, $i) {{ {body} }}))",
    "($f := function($v) {{ $v }}; $g2 := function($v, $i) {{ $i }}; "
    "$reduce($list, function($v, $i) {{ {body} }}, 0))",
    "($f := function($v) {{ {body} }}; $g2 := function($v, $i) {{ $v }}; "
    "$r := function($n, $v) {{ $n <= 0 ? $v : $r($n - 1, {body}) }}; $r(3, 1))",
    "($f := function($v) {{ {body} }}; $g2 := function($v, $i) {{ $v }}; $v := 2; $i := 'k'; {body})",
]

_DATA = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from([0.5, -1.25, 1e21]), st.text("ab", max_size=2),
    st.lists(st.integers(0, 3), max_size=3), st.just({"k": [1, 2]}), st.just({"k": None, "j": "x"}),
)


@settings(max_examples=int(os.environ.get("PYSFN_CLOSURE_EXAMPLES", "500")), deadline=None, derandomize=True)
@given(form=st.sampled_from(_FORMS), body=_bodies(), a=_DATA, b=_DATA, x=_DATA,
       items=st.lists(_DATA, max_size=4))
def test_compiled_functions_agree_with_the_port(form, body, a, b, x, items):
    text = form.format(body=body)
    variables = {"a": a, "b": b, "x": x, "list": items}
    assert _outcome(text, variables, True) == _outcome(text, variables, False), text


@pytest.mark.parametrize("text", [
    "($f := function($n, $acc) { $n = 0 ? $acc : $f($n - 1, $acc + 1) }; $f(20000, 0))",  # a tail loop: no stack
    "($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(300))",  # (as deep as the port goes)
    "$map([1, 2, 3], function($v) { {$string($v): $v * 2} })",
    "$reduce([{'a': 1}, {'b': 2}], function($acc, $o) { $merge([$acc, $o]) }, {})",
    "($p := {'0': 'x', '1': 'y'}; $map([0, 1, 2], function($k) { $lookup($p, $string($k)) }))",
    "$filter([1, 'a', null, [], {}], function($v) { $type($v) in ['number', 'null'] })",
    "($f := function($v) { $v }; $map([1], function($v) { [$count($f), $exists($f), $type($f), $count(/a/)] }))",
])
def test_the_machine_s_shapes_agree_with_the_port(text):
    fast, slow = _outcome(text, {}, True), _outcome(text, {}, False)
    assert fast == slow and fast[0] == "value"


def test_a_fallback_keeps_nothing_alive():
    """The closures' signal to fall back was one exception object raised again and again: its
    traceback grew with every raise and kept each frame it left, and with them every parsed
    expression and its data (a fuzzing run died of MemoryError after 2,400 programs)."""
    expression = jsonata_module._Expression(
        "$map([1, 'a', 2], function($v) { $v + 1 })", "Output")  # (the str falls back to the port)
    assert _outcome_of(expression)[0] == "error"
    alive = weakref.ref(expression.ast)
    del expression
    gc.collect()
    assert alive() is None


def _outcome_of(expression) -> tuple:
    try:
        return ("value", expression.evaluator()({"input": {}, "context": {}}, {}, DEFAULT_RUNTIME))
    except QueryEvaluationError as error:
        return ("error", error.cause)
