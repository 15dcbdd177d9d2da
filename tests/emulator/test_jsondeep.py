"""JSON text and copies at any nesting depth, and texts reused by identity (jsondeep.py): the
same output and errors as Python's C encoder, without its recursion limit."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pysfn_emulator.core.jsondeep import Memo, _copy, _iterative, copy, encode
from pysfn_emulator.core.jsontext import dumps, json_copy, size_in_bytes

C_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
DEEPER_THAN_ANY_LIMIT = sys.getrecursionlimit() + 5000

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
keys = st.text(max_size=5) | st.integers(-5, 5) | st.booleans() | st.none() | st.floats(allow_nan=False, allow_infinity=False)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children) | st.dictionaries(keys, children, max_size=4),
    max_leaves=20,
)


def nested(depth: int, leaf=None) -> dict:
    value = leaf if leaf is not None else {}
    for index in range(depth):
        value = {"a": value} if index % 2 else {"b": [value, index]}
    return value


def nested_text(depth: int, leaf: str) -> str:
    text = leaf
    for index in range(depth):
        text = f'{{"a":{text}}}' if index % 2 else f'{{"b":[{text},{index}]}}'
    return text


@settings(max_examples=300, deadline=None, derandomize=True)
@given(values)
def test_the_iterative_encoder_writes_what_the_c_encoder_writes(value):
    assert _iterative(value) == C_ENCODE(value)
    assert _copy(value) == json.loads(C_ENCODE(value))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(values, values)
def test_a_value_around_a_remembered_one_is_written_the_same(inner, other):
    memo = Memo()
    encode(inner, memo)
    for outer in ({"x": inner, "y": other}, [other, inner], {1: inner}, {"only": inner}):
        assert encode(outer, memo) == C_ENCODE(outer)


@pytest.mark.parametrize("bad", [{"a": float("nan")}, [1, float("inf")], {"a": object()}, {(1, 2): 1}, {"k": {1.5: float("-inf")}}])
def test_the_iterative_encoder_refuses_what_the_c_encoder_refuses(bad):
    with pytest.raises((TypeError, ValueError)) as expected:
        C_ENCODE(bad)
    with pytest.raises(expected.type):
        _iterative(bad)


def test_a_circular_value_is_refused_not_looped_over():
    loop: dict = {}
    loop["self"] = [loop]
    with pytest.raises(ValueError, match="Circular"):
        _iterative(loop)


def test_a_value_deeper_than_the_recursion_limit_is_written_measured_and_copied():
    deep = nested(DEEPER_THAN_ANY_LIMIT, {"é": "ü"})
    text = dumps(deep)
    assert text == nested_text(DEEPER_THAN_ANY_LIMIT, '{"é":"ü"}')
    assert size_in_bytes(deep) == len(text.encode("utf-8"))
    copied = json_copy(deep)
    assert copied is not deep and copied["a"] is not deep["a"]
    assert dumps(copied) == text  # (== on the values themselves would recurse)


def test_copy_converts_keys_and_tuples_as_a_json_round_trip_does():
    value = nested(DEEPER_THAN_ANY_LIMIT, {1: (True, None), None: 2.5, "1": "last"})
    leaf = copy(value)
    while "a" in leaf or "b" in leaf:
        leaf = leaf["a"] if "a" in leaf else leaf["b"][0]
    assert leaf == {"1": "last", "null": 2.5}
    assert list(leaf) == ["1", "null"]


def test_a_memo_forgets_the_oldest_and_skips_long_texts():
    memo = Memo(capacity=2, longest=10)
    first, second, third, long = [1], [2], [3], ["x" * 20]
    for value in (first, second, third, long):
        encode(value, memo)
    assert memo.get(first) is None and memo.get(long) is None
    assert memo.get(second) == "[2]" and memo.get(third) == "[3]"
