"""Timestamps: what AWS reads as one (Wait, Choice) and how it writes context-object times."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pysfn_emulator.core.timestamps import (
    format_timestamp,
    is_timestamp,
    parse_instant,
    parse_timestamp,
)
from pysfn_emulator.query.jsonpath import DATA, compile_path

CORPUS = Path(
    os.environ.get(
        "PYSFN_AWS_CORPUS",
        Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "aws-recorded",
    )
)
_JSONATA_INPUT = re.compile(r"\{%\s*\$states\.input\.(\w+)\s*%\}")


def _wait_states(node):
    if isinstance(node, dict):
        if node.get("Type") == "Wait":
            yield node
        for value in node.values():
            yield from _wait_states(value)
    elif isinstance(node, list):
        for value in node:
            yield from _wait_states(value)


def _recorded_timestamps() -> list:
    """(text, valid) for every timestamp a recorded Wait state read, with AWS's verdict."""
    if not CORPUS.is_dir():
        return [
            pytest.param(None, None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))
        ]
    found = []
    for file in sorted(CORPUS.glob("*.json")):
        if file.name.startswith("_"):
            continue
        case = json.loads(file.read_text())
        expected = case.get("expected") or {}
        cause = expected.get("cause") or ""
        if expected.get("status") == "SUCCEEDED" or "delay is too long" in cause:
            valid = True
        elif "ISO-8601" in cause:
            valid = False
        else:
            continue
        for wait in _wait_states(case.get("definition")):
            text = _timestamp_read(wait, case.get("input"))
            if text is not None:
                found.append(pytest.param(text, valid, id=f"{file.stem}:{text}"))
    for file in sorted((CORPUS / "validation").glob("*.json")):
        case = json.loads(file.read_text())
        if "RFC3339 timestamp" not in json.dumps(case.get("expected")):
            continue
        for wait in _wait_states(case.get("definition")):
            if isinstance(wait.get("Timestamp"), str):
                found.append(
                    pytest.param(wait["Timestamp"], False, id=f"{file.stem}:{wait['Timestamp']}")
                )
    return found


def _timestamp_read(wait: dict, data) -> str | None:
    if "TimestampPath" in wait:
        path = compile_path(wait["TimestampPath"])
        if path.root != DATA:  # a variable set by an earlier state: not readable from here
            return None
        return path.evaluate(data)
    literal = wait.get("Timestamp")
    if not isinstance(literal, str):
        return None
    match = _JSONATA_INPUT.fullmatch(literal)
    return data[match.group(1)] if match else literal


RECORDED = _recorded_timestamps()


@pytest.mark.parametrize(("text", "valid"), RECORDED)
def test_recorded_wait_timestamps(text, valid):
    assert is_timestamp(text) is valid
    assert (parse_timestamp(text) is not None) is valid


def test_corpus_has_wait_timestamps():
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    verdicts = {param.values[1] for param in RECORDED}
    assert len(RECORDED) >= 20 and verdicts == {True, False}


@pytest.mark.parametrize(
    "text",
    [
        "2016-03-14T01:59:00Z",
        "2016-03-14T01:59:00.1Z",
        "2016-03-14T01:59:00.123456789Z",
        "2016-03-14T01:59:00+01:00",
        "2016-03-14T01:59:00-05:30",
        "2016-03-14T01:59:00-00:00",
        "2016-03-14T01:59:00+18:00",
        "2016-03-14T01:59:00+01:00:30",  # Java handles offset seconds
        "2016-03-14T01:59:00+01",  # lenient offset: minutes optional
        "2016-03-14t01:59:00z",  # Java parses case-insensitively
        "2016-03-14T01:59Z",  # seconds are optional in ISO_LOCAL_TIME
        "2016-03-14T01:59:00.Z",  # a fraction of zero digits
        "2016-02-29T00:00:00Z",
    ],
)
def test_accepted(text):
    assert parse_timestamp(text) is not None
    assert is_timestamp(text)


@pytest.mark.parametrize(
    "text",
    [
        "2016-03-14T01:59:00",  # no offset
        "2016-03-14 01:59:00Z",  # no T
        "2016-03-14",
        "2016-03-14T01Z",
        "2016-03-14T01:59:00.1234567891Z",  # ten fraction digits
        "2016-12-31T23:59:60Z",  # no leap second
        "2016-12-05T24:00:00Z",
        "2015-02-29T00:00:00Z",
        "2016-13-05T21:29:29Z",
        "2016-03-14T01:59:00+0100",
        "2016-03-14T01:59:00+1",
        "2016-03-14T01:59:00+18:01",
        "2016-03-14T01:59:00+01:60",
        "2016-03-14T01:59:00+01:",
        "2016-03-14T01:59:00UTC",
        " 2016-03-14T01:59:00Z",
        "2016-03-14T01:59:00Z\n",
        "+2016-03-14T01:59:00Z",
        "16-03-14T01:59:00Z",
        "２016-03-14T01:59:00Z",  # non-ASCII digit
        "0000-01-01T00:00:00Z",  # valid in Java, beyond a Python datetime
        "",
    ],
)
def test_rejected(text):
    assert parse_timestamp(text) is None
    assert parse_instant(text) is None
    assert not is_timestamp(text)


@pytest.mark.parametrize(
    "value", [None, 0, 1457920740, ["2016-03-14T01:59:00Z"], {"t": "2016-03-14T01:59:00Z"}, True]
)
def test_only_strings_are_timestamps(value):
    assert parse_timestamp(value) is None
    assert not is_timestamp(value)


def test_offsets_name_instants():
    utc = parse_timestamp("2016-03-14T01:59:00Z")
    assert parse_timestamp("2016-03-14T02:59:00+01:00") == utc
    assert parse_timestamp("2016-03-13T20:29:00-05:30") == utc
    assert parse_timestamp("2016-03-14T02:59:00+01:00").utcoffset() == timedelta(hours=1)
    assert (
        parse_instant("2016-03-14T02:59:00+01:00")
        == parse_instant("2016-03-14T01:59:00Z")
        == 1457920740 * 10**9
    )


def test_nanoseconds_are_kept_by_instants_and_truncated_by_datetimes():
    assert parse_instant("2016-03-05T21:29:29.243167252Z") == 1457213369_243167252
    assert parse_instant("2016-03-05T21:29:29.2431672Z") == 1457213369_243167200
    assert parse_instant("2016-03-05T21:29:29.000000001Z") != parse_instant("2016-03-05T21:29:29Z")
    assert parse_timestamp("2016-03-05T21:29:29.243167252Z").microsecond == 243167


def test_instants_before_the_epoch():
    assert parse_instant("1969-12-31T23:59:59.5Z") == -500_000_000
    assert parse_instant("0001-01-01T00:00:00+01:00") < parse_instant("0001-01-01T00:00:00Z")


def test_format_milliseconds():
    moment = datetime(2024, 1, 1, 12, 30, 5, 123456, tzinfo=UTC)
    assert format_timestamp(moment) == "2024-01-01T12:30:05.123Z"
    assert format_timestamp(moment.replace(microsecond=100000)) == "2024-01-01T12:30:05.100Z"
    assert format_timestamp(moment.replace(microsecond=1000)) == "2024-01-01T12:30:05.001Z"


def test_format_drops_a_zero_fraction_as_aws_does():
    assert (
        format_timestamp(datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC))
        == "2025-02-03T04:05:06Z"
    )
    assert (
        format_timestamp(datetime(2025, 2, 3, 4, 5, 6, 999, tzinfo=UTC))
        == "2025-02-03T04:05:06Z"
    )


def test_format_converts_to_utc_and_takes_naive_as_utc():
    paris = timezone(timedelta(hours=1))
    assert (
        format_timestamp(datetime(2024, 1, 1, 1, 0, 0, 250000, tzinfo=paris))
        == "2024-01-01T00:00:00.250Z"
    )
    assert format_timestamp(datetime(2024, 1, 1, 0, 0, 0, 250000)) == "2024-01-01T00:00:00.250Z"


def test_formatted_text_reads_back():
    moment = datetime(2024, 6, 30, 23, 59, 59, 987000, tzinfo=UTC)
    assert parse_timestamp(format_timestamp(moment)) == moment
