"""Property tests: the arithmetic and slicing helpers against CPython on random values, run
in the emulator (and in jsonata-js with PYSFN_JSONATA_JS, see oracle.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pysfn_compile.graph.jsonata_lib import literal, prelude

from .oracle import emulate

SAFE = 2**53 - 1
ints = st.integers(min_value=-SAFE, max_value=SAFE)
small = st.integers(min_value=-10**6, max_value=10**6)
floats = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


def run(helpers, code):
    return emulate("(" + prelude(helpers) + " " + code + ")")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(ints, ints.filter(lambda n: n != 0))
def test_int_floor_division_and_modulo(a, b):
    assert run({"imod"}, f"[$floor({a} / {b}), $__imod({a}, {b})]") == ("ok", [a // b, a % b])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(floats, floats.filter(lambda x: abs(x) > 1e-9))
def test_float_floor_division_and_modulo(a, b):
    expected = [a // b, a % b]
    status, value = run({"ffloordiv", "imod"}, f"[$__ffloordiv({literal(a)}, {literal(b)}), $__imod({literal(a)}, {literal(b)})]")
    assert status == "ok"
    assert value == expected or all(x == y or (x == 0 and y == 0) for x, y in zip(value, expected, strict=True))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(ints)
def test_int_to_str(n):
    assert run({"istr"}, f"$__istr({n})") == ("ok", str(n))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(small, max_size=8), st.one_of(st.none(), st.integers(-10, 10)),
       st.one_of(st.none(), st.integers(-10, 10)), st.sampled_from([1, 2, 3, -1, -2]))
def test_list_and_str_slices(xs, lo, hi, step):
    text = "".join(chr(97 + abs(x) % 26) for x in xs)
    bounds = f"{literal(lo)}, {literal(hi)}, {step}"
    assert run({"slice_list"}, f"$__slice_list({literal(xs)}, {bounds})") == ("ok", xs[lo:hi:step])
    assert run({"slice_str"}, f"$__slice_str({literal(text)}, {bounds})") == ("ok", text[lo:hi:step])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12))
def test_repr_of_strings(s):
    if any(not ch.isprintable() and ch not in "\t\n\r" and 0xAD < ord(ch) < 0x40000 for ch in s):
        return  # other non-printables are a documented limit
    assert run({"repr_str"}, f"$__repr_str({literal(s)})") == ("ok", repr(s))
