"""`f"{cents / 100:.2f}"`: an int divided by a power of ten, printed with at least as many
decimals, is its own digits (formatting.format_scaled); Python and the machine agree on every
such int up to the bound, and beyond it the machine stops loudly instead of guessing."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .helpers import assert_same, compile_text, emulate

SPECS = [".2f", ".3f", "+.2f", " .2F", ",.2f", "_.4f", "010.2f", ">12,.2f", "*^14.2f", "=+9.2f", "<9.5f"]


def _workflow(divisor: int, spec: str, annotated: bool) -> str:
    parameter = "xs: list[int]" if annotated else "xs"
    return f"""
    @sfn.workflow
    def main({parameter}):
        return [f"[{{n / {divisor}:{spec}}}]" for n in xs]
    """


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("divisor", [10, 100, 1000])
@pytest.mark.parametrize("annotated", [True, False])
@settings(max_examples=5, deadline=None, derandomize=True)
@given(xs=st.lists(st.one_of(st.integers(-10**6, 10**6), st.integers(-10**12, 10**12),
                             st.sampled_from([0, -1, 1, 5, -5, 99, 100, 101, -100, 12345, 10**13 - 1])),
                   max_size=12))
def test_an_int_over_a_power_of_ten_formats_as_python_formats_it(spec, divisor, annotated, xs):
    places, precision = len(str(divisor)) - 1, int(spec.split(".")[1][:-1])
    if precision < places:
        return  # (rounding: not this path)
    within = [n for n in xs if abs(n / divisor) < 2 ** math.floor(52 - precision * math.log2(10))]
    assert_same(_workflow(divisor, spec, annotated), {"xs": within})


def test_bools_and_integral_numbers_of_unknown_type_format_as_ints():
    assert_same("""
    @sfn.workflow
    def main(a, b):
        return f"{a / 100:.2f} {b / 10:,.3f} {True / 100:.2f}"
    """, {"a": 12345, "b": -98765432}, {"a": 0, "b": 7})


def test_a_float_of_unknown_type_formats_as_a_float_and_a_quotient_beyond_the_bound_stops():
    """A numerator of unknown type that is not integral: the quotient formatted as a float (it
    stopped the machine: `f"{net / 100:.2f}"` of `net = cents - cents * rate`, session-25
    trial, where `v = net / 100; f"{v:.2f}"` worked)."""
    source = """
    @sfn.workflow
    def main(a):
        return f"{a / 100:.2f}|{a / 1000:>9.4f}"
    """
    compiled = compile_text(source)
    results = assert_same(source, {"a": 1.5}, {"a": 875.875}, {"a": -0.125}, {"a": 2.675e5}, {"a": 7})
    assert [r["output"] for r in results] == ["0.01|   0.0015", "8.76|   0.8759", "-0.00|  -0.0001", "2675.00| 267.5000",
                                              "0.07|   0.0070"]
    assert emulate(compiled, {"a": 2**52})["error"] == "pysfn.UnprintableNumber"
    assert emulate(compiled, {"a": 2**40})["output"] == f"{2**40 / 100:.2f}|{2**40 / 1000:>9.4f}"
    results = assert_same("""
    @sfn.workflow
    def main(a):
        try:
            return f"{a / 100:.2f}"
        except TypeError as e:
            return str(e)
    """, {"a": "x"}, {"a": 250})
    assert results[0]["output"] == "unsupported operand type(s) for /: 'str' and 'int'"
