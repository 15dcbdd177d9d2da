"""Timestamps as AWS Step Functions reads and writes them.

Reading. AWS's runtime causes name the format it parses with ("... a valid ISO-8601 extended
offset date-time format string"), which is the Javadoc title of Java's
`DateTimeFormatter.ISO_OFFSET_DATE_TIME`. That formatter, not a textbook RFC 3339 regex, is
what we reproduce:

* `yyyy-MM-ddTHH:mm[:ss[.fraction]]` then an offset; ASCII digits only; nothing before or after;
* `T` and `Z` in either case (parsing is case insensitive);
* seconds optional; fraction of 0 to 9 digits (a bare `.` is accepted, 10 digits are not);
* offset `Z`, `+HH`, `+HH:MM` or `+HH:MM:SS` (lenient offset parsing), at most 18:00;
* strict calendar: no 24:00, no leap second 60, no 30 February.

The corpus confirms the cases it records (nanoseconds, `.00Z` and `.000000Z` valid; no offset,
no `T`, month 13 and hour 25 invalid); the rest follows the Java formatter. Years outside
0001-9999 (valid in Java with a sign) do not fit a Python datetime and are reported as invalid.

Writing. Context-object times (`$$.Execution.StartTime`, `$$.State.EnteredTime`) are Java
`Instant`s of millisecond precision printed by `Instant.toString()`: `...:SS.mmmZ`, and
`...:SSZ` with no fraction at all when the milliseconds are zero (confirmed by AWS Support).
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta, timezone

_PATTERN = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{0,9}))?)?"
    r"(?:[Zz]|([+-])([0-9]{2})(?::([0-9]{2})(?::([0-9]{2}))?)?)"
)
_MAX_OFFSET_SECONDS = 18 * 3600
_NANOS_PER_SECOND = 1_000_000_000
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_OFFSETS: dict[int, timezone] = {0: UTC}

# (year, month, day, hour, minute, second, nanosecond, offset in seconds)
_Fields = tuple[int, int, int, int, int, int, int, int]


def parse_instant(text: object) -> int | None:
    """The instant `text` names, in nanoseconds since the epoch; None if AWS would not read it.

    Comparisons use this exact integer: a datetime would drop the nanoseconds AWS keeps.
    """
    return _instant(text) if type(text) is str else None


@functools.lru_cache(maxsize=4096)
def _instant(text: str) -> int | None:
    """Cached: a Choice rule meets the same timestamps on every pass of a loop."""
    fields = _fields(text)
    if fields is None:
        return None
    year, month, day, hour, minute, second, nanos, offset = fields
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    return (seconds - offset) * _NANOS_PER_SECOND + nanos


def parse_timestamp(text: object) -> datetime | None:
    """An aware datetime for `text` (fraction truncated to microseconds), or None if invalid."""
    fields = _fields(text)
    if fields is None:
        return None
    year, month, day, hour, minute, second, nanos, offset = fields
    zone = _OFFSETS.get(offset)
    if zone is None:
        zone = _OFFSETS.setdefault(offset, timezone(timedelta(seconds=offset)))
    return datetime(year, month, day, hour, minute, second, nanos // 1000, zone)


def is_timestamp(value: object) -> bool:
    """True for a string AWS reads as a timestamp (what Choice's IsTimestamp tests)."""
    return _fields(value) is not None


def format_timestamp(moment: datetime) -> str:
    """The text AWS gives a context-object time; a naive datetime is taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    millis = moment.microsecond // 1000
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def _fields(text: object) -> _Fields | None:
    """The validated fields of a timestamp, or None."""
    if type(text) is not str:
        return None
    match = _PATTERN.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m, off_s = match.groups()
    year, month, day, hour, minute = int(year), int(month), int(day), int(hour), int(minute)
    second = int(second) if second else 0
    # Java's STRICT resolver: no month 13, no 30 February, no 24:00, no leap second. Year 0000
    # is valid in Java but not in a Python datetime.
    if not (0 < month < 13 and hour < 24 and minute < 60 and second < 60 and year):
        return None
    if day == 0 or (day > _DAYS_IN_MONTH[month] and not (day == 29 and month == 2 and _leap(year))):
        return None
    offset = 0
    if sign is not None:
        minutes, seconds = int(off_m or 0), int(off_s or 0)
        offset = int(off_h) * 3600 + minutes * 60 + seconds
        if offset > _MAX_OFFSET_SECONDS or minutes > 59 or seconds > 59:
            return None
        if sign == "-":
            offset = -offset
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    return year, month, day, hour, minute, second, nanos, offset


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm)."""
    if month <= 2:
        year -= 1
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + 9 if month <= 2 else month - 3) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468
