"""Suite-wide switches.

`PYSFN_TEST_DATE=2041-06-15T12:00:00Z` runs every test with the real clock moved there
(time-machine), so a test that leans on today's date shows itself; `tests/test_dates.py`
runs the date-sensitive parts of the suite that way.
"""

from __future__ import annotations

import os

import pytest
import time_machine

TEST_DATE_ENV = "PYSFN_TEST_DATE"


@pytest.fixture(autouse=True)
def _travel_to_test_date():
    moment = os.environ.get(TEST_DATE_ENV)
    if not moment:
        yield
        return
    with time_machine.travel(moment, tick=True):
        yield
