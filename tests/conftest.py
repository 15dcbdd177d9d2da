"""Suite-wide switches.

`PYSFN_TEST_DATE=2041-06-15T12:00:00Z` runs every test with the real clock moved there
(time-machine), so a test that leans on today's date shows itself; `tests/test_dates.py`
runs the date-sensitive parts of the suite that way.

Hypothesis draws, beside its own, constants it finds in the source of every local module
imported so far: which tests were collected and what the project's code says would change what
a derandomized test generates. The derandomized tests (all of CI's) see none of them, so a
test generates the same examples in a full run, alone, and after an unrelated change. A
randomized long run (`PYSFN_DIFF_SEED`) keeps them.
"""

from __future__ import annotations

import os

import pytest
import time_machine
from hypothesis.internal.conjecture import providers

TEST_DATE_ENV = "PYSFN_TEST_DATE"


@pytest.fixture(autouse=True)
def _travel_to_test_date():
    moment = os.environ.get(TEST_DATE_ENV)
    if not moment:
        yield
        return
    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture(autouse=True, scope="session")
def _no_local_constants_in_derandomized_runs():
    original = getattr(providers, "_get_local_constants", None)  # an internal: setup.cfg pins hypothesis <7
    if os.environ.get("PYSFN_DIFF_SEED") or original is None:
        yield
        return
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
