"""No test may depend on the real date: the date-sensitive parts of the suite (the recorded
Wait and timestamp cases, the context object's times, the virtual clocks of the emulator, the
compiler's `sfn` module and the `sfn_run` fixture) run again with the real clock moved years
away, forwards and backwards, and must give what they give today."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from conformance.corpus import DEFAULT_START, corpus_dir, load_cases
from conformance.runner import check_case

ROOT = Path(__file__).resolve().parent.parent
TEST_DATE_ENV = "PYSFN_TEST_DATE"  # read by tests/conftest.py
FAR_AWAY = ["2041-06-15T12:00:00Z", "1999-02-28T23:59:59Z"]

DATE_SENSITIVE_MODULES = [
    "tests/emulator/test_clock.py",
    "tests/emulator/test_timestamps.py",
    "tests/emulator/test_states.py",
    "tests/emulator/test_jsonata_states.py",
    "tests/plugin/test_plugin.py",
    "tests/compile/test_statements.py",
]


def _time_cases():
    root = corpus_dir()
    if not root.is_dir():
        return []
    return [
        case
        for case in load_cases(root)
        if case.start_time != DEFAULT_START
        or "Wait" in case.name
        or "timestamp" in case.name.lower()
        or case.category == "context_object"
    ]


TIME_CASES = _time_cases()


def test_the_recorded_start_times_are_read():
    with_start = [c for c in TIME_CASES if c.start_time != DEFAULT_START]
    if not TIME_CASES:
        pytest.skip("AWS-recorded corpus not found")
    assert len(with_start) >= 6
    boundary = next(c for c in with_start if "too_far_in_future_boundary" in c.name)
    assert boundary.start_time == datetime(2026, 11, 22, 1, 31, 49, tzinfo=UTC)


@pytest.mark.parametrize("moment", FAR_AWAY)
def test_recorded_time_cases_do_not_depend_on_the_real_date(moment):
    if not TIME_CASES:
        pytest.skip("AWS-recorded corpus not found")
    with time_machine.travel(moment, tick=False):
        failed = [c.name for c in TIME_CASES if not check_case(c).passed]
    assert not failed, f"with the real clock at {moment}: {failed}"


@pytest.mark.parametrize("moment", FAR_AWAY)
def test_date_sensitive_tests_pass_years_away(moment):
    env = {**os.environ, TEST_DATE_ENV: moment}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *DATE_SENSITIVE_MODULES],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
