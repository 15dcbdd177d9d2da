"""Compare an emulated execution with what AWS recorded, honouring the recording's placeholders.

The recording replaced values that differ from run to run (request ids, timestamps, names,
ARN parts) by placeholder strings. A placeholder matches any value of its kind; a numbered or
named one (`<uuid:1>`, `<ArnPart_0idx>`, ...) must stand for the same value everywhere in one
case, and two different `<uuid:N>` for two different values. Angle-bracket placeholders may sit
inside a longer string (a cause, an ARN); bare ones (`date`, `RequestId`, ...) replaced a
whole value.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from conformance.corpus import Case


class _Missing:
    """Stands where a key is absent on one side."""

    def __repr__(self) -> str:
        return "nothing"


MISSING: Any = _Missing()

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
ISO_TIMESTAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
HTTP_DATE = r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT"
NAME = r"[A-Za-z0-9_.\-]+"
ACCOUNT_IN_ARN = ":111111111111:"


def _is_json_text(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@attrs.frozen
class Kind:
    """What a placeholder stands for."""

    name: str
    pattern: str  # regex of the value's text
    bound: bool = False  # one value per placeholder throughout a case
    distinct: bool = False  # different placeholders of the kind, different values
    check: Callable[[str], bool] | None = None
    list_ok: bool = False  # a bare mask that replaced a list of such strings
    number: bool = False  # a bare mask that replaced a number


K_UUID = Kind("uuid", UUID, bound=True, distinct=True)
K_REQUEST_ID = Kind("request id", UUID, bound=True)
# LocalStack's regex for `<request-id>` sometimes swallowed the opening quote.
K_QUOTED_REQUEST_ID = Kind("request id", '"?' + UUID, bound=True)
K_PARTITION = Kind("partition", r"aws(?:-[a-z]+)*", bound=True)
K_REGION = Kind("region", r"[a-z]{2}(?:-[a-z]+)+-\d+", bound=True)
K_NAME = Kind("name", NAME, bound=True)
K_TIMESTAMP = Kind("ISO-8601 timestamp", ISO_TIMESTAMP)
# The recording's `timestamp` mask also hid malformed timestamps given as input.
K_TIMESTAMP_LIKE = Kind("timestamp", r"\d[\d:.\-T+Z ]*")
K_DATE = Kind("date", f"(?:{ISO_TIMESTAMP}|{HTTP_DATE})", list_ok=True)
K_LOG_RESULT = Kind("base64 log", r"[A-Za-z0-9+/=]*", bound=True, distinct=True)
K_JSON_INPUT = Kind("JSON text", r".*", bound=True, check=_is_json_text)
K_ROLE_ARN = Kind("IAM role ARN", r"arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@/\-]+")
K_ARN = Kind("ARN", r"arn:aws[a-z\-]*:[a-z0-9\-]+:[a-z0-9\-]*:\d{12}:.+")
K_ANY_TEXT = Kind("text", r".+?", bound=True)
K_REQUEST_ID_MASK = Kind("request id", UUID, list_ok=True)
K_TRACE_ID = Kind("trace id", r".+", list_ok=True)
K_NUMBER = Kind("number", "", number=True)

# Angle-bracket placeholders, by the shape of their name.
ANGLE_KINDS: tuple[tuple[str, Kind], ...] = (
    (r"<uuid:\d+>", K_UUID),
    (r"<request_id>", K_REQUEST_ID),
    (r"<request-id>", K_QUOTED_REQUEST_ID),
    (r"<partition>", K_PARTITION),
    (r"<region>", K_REGION),
    (r"<(?:Exec)?ArnPart_\d+idx>", K_NAME),
    (r"<ExpressExecArn_Part\d+_\d+idx>", K_NAME),
    (r"<MapRunArnPart\d+_\d+idx>", K_NAME),
    (r"<execution-name>", K_NAME),
    (r"<lambda[_\-]function(?:_\d+)?[_\-]name>", K_NAME),
    (r"<LogResult:\d+>", K_LOG_RESULT),
    (r"<(?:timestamp|start-time|entered-time)>", K_TIMESTAMP),
    (r"<json-input:\d+>", K_JSON_INPUT),
)

# Bare masks: each replaced a whole value.
BARE_KINDS: Mapping[str, Kind] = {
    "date": K_DATE,
    "timestamp": K_TIMESTAMP_LIKE,
    "start-time": K_TIMESTAMP,
    "entered-time": K_TIMESTAMP,
    "RequestId": K_REQUEST_ID_MASK,
    "x-amzn-RequestId": K_REQUEST_ID_MASK,
    "X-Amzn-Trace-Id": K_TRACE_ID,
    "snf_role_arn": K_ROLE_ARN,
    "sfn_role_arn": K_ROLE_ARN,
    "LogResult": Kind("base64 log", r"[A-Za-z0-9+/=]*"),
    "RandomNumberGenerated": K_NUMBER,
    "json-input": Kind("JSON text", r".*", check=_is_json_text),
    "map_run_arn": K_ARN,
}
BARE_NAME = re.compile(r"lambda_function(?:_\d+)?_name")

ANGLE_TOKEN = re.compile(r"<[^<>\s]+>")


def angle_kind(token: str) -> Kind | None:
    """The kind of an angle-bracket placeholder, None for text that only looks like one."""
    for pattern, kind in ANGLE_KINDS:
        if re.fullmatch(pattern, token):
            return kind
    return None


def bare_kind(token: str) -> Kind | None:
    """The kind of a bare mask, None for a string that is no mask."""
    if token in BARE_KINDS:
        return BARE_KINDS[token]
    if BARE_NAME.fullmatch(token):
        return K_NAME
    return None


@attrs.frozen
class Difference:
    """One way the execution differs from the recording, located by a path."""

    path: str
    expected: Any
    actual: Any
    note: str = ""

    def __str__(self) -> str:
        text = f"{self.path}: expected {_show(self.expected)}, got {_show(self.actual)}"
        return f"{text} ({self.note})" if self.note else text


def _show(value: Any, limit: int = 300) -> str:
    if value is MISSING:
        return "nothing"
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def child(path: str, key: Any) -> str:
    """The path of `key` below `path`: `a.b`, `a[2]`, `a['odd key']`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if re.fullmatch(r"[A-Za-z_$][\w$\-]*", str(key)):
        return f"{path}.{key}"
    return f"{path}[{key!r}]"


class Matcher:
    """Structural comparison of JSON values that tracks what each placeholder stood for."""

    def __init__(self, tokens: Iterable[str] = ()):
        self.angle: dict[str, Kind] = {}
        self.bare: dict[str, Kind] = {}
        for token in tokens:
            if ANGLE_TOKEN.fullmatch(token):
                self.angle[token] = angle_kind(token) or K_ANY_TEXT
            elif kind := bare_kind(token):
                self.bare[token] = kind
        # Bare names (`lambda_function_1_name`) also stand inside longer strings (an ARN).
        embedded = sorted((t for t, k in self.bare.items() if k is K_NAME), key=len, reverse=True)
        self.token_re = re.compile("|".join([ANGLE_TOKEN.pattern, *map(re.escape, embedded)]))
        self.bindings: dict[str, str] = {}

    def copy(self) -> Matcher:
        """A matcher with the same placeholders and bindings, for a trial match."""
        other = Matcher()
        other.angle, other.bare, other.token_re = self.angle, self.bare, self.token_re
        other.bindings = dict(self.bindings)
        return other

    def _kind(self, token: str) -> Kind | None:
        """The kind of a placeholder of this case (angle ones also by their shape alone)."""
        return self.angle.get(token) or self.bare.get(token) or angle_kind(token)

    def compare(self, expected: Any, actual: Any, path: str) -> list[Difference]:
        """Differences between a recorded JSON value and ours; binds placeholders as it goes."""
        if isinstance(expected, str) and expected in self.bare:
            return self._compare_bare(self.bare[expected], expected, actual, path)
        if isinstance(expected, Mapping):
            return self._compare_objects(expected, actual, path)
        if isinstance(expected, list):
            return self._compare_arrays(expected, actual, path)
        if isinstance(expected, str):
            if not isinstance(actual, str):
                return [Difference(path, expected, actual, "not a string")]
            return self.compare_text(expected, actual, path)
        if not _same_scalar(expected, actual):
            return [Difference(path, expected, actual)]
        return []

    def _compare_objects(self, expected: Mapping, actual: Any, path: str) -> list[Difference]:
        if not isinstance(actual, Mapping):
            return [Difference(path, expected, actual, "not an object")]
        diffs = []
        for key, value in expected.items():
            if key not in actual:
                diffs.append(Difference(child(path, key), value, MISSING))
            else:
                diffs.extend(self.compare(value, actual[key], child(path, key)))
        for key in actual:
            if key not in expected:
                diffs.append(Difference(child(path, key), MISSING, actual[key], "unexpected key"))
        return diffs

    def _compare_arrays(self, expected: list, actual: Any, path: str) -> list[Difference]:
        if not isinstance(actual, list):
            return [Difference(path, expected, actual, "not an array")]
        diffs = []
        if len(expected) != len(actual):
            diffs.append(
                Difference(path, expected, actual, f"length {len(expected)} != {len(actual)}")
            )
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            diffs.extend(self.compare(e, a, child(path, i)))
        return diffs

    def _compare_bare(self, kind: Kind, token: str, actual: Any, path: str) -> list[Difference]:
        def fits(value: Any) -> bool:
            if kind.number:
                return isinstance(value, (int, float)) and not isinstance(value, bool)
            return (
                isinstance(value, str)
                and re.fullmatch(kind.pattern, value, re.DOTALL) is not None
                and (kind.check is None or kind.check(value))
            )

        ok = fits(actual) or (
            kind.list_ok and isinstance(actual, list) and len(actual) == 1 and fits(actual[0])
        )
        if not ok:
            return [Difference(path, token, actual, f"not a valid {kind.name}")]
        if kind.bound and isinstance(actual, str):
            return self._bind({token: actual}, token, actual, path)
        return []

    def compare_text(self, expected: str, actual: str, path: str) -> list[Difference]:
        """Match a recorded string, with its embedded placeholders, against ours."""
        regex, groups, reused = self._text_regex(expected)
        if regex is None:
            if expected == actual:
                return []
            return [Difference(path, expected, actual, _first_difference(expected, actual))]
        match = re.fullmatch(regex, actual, re.DOTALL)
        if match is None:
            note = ", ".join(f"with {t} = {self.bindings[t]!r}" for t in reused)
            return [Difference(path, expected, actual, note)]
        found = {}
        for group, token in groups.items():
            value = match.group(group)
            kind = self._kind(token)
            if kind is not None and kind.check is not None and not kind.check(value):
                return [Difference(path, expected, actual, f"{token} is not {kind.name}")]
            found[token] = value
        return self._bind(found, expected, actual, path)

    def _text_regex(self, expected: str) -> tuple[str | None, dict[str, str], list[str]]:
        """A regex for `expected`, its groups (name -> placeholder) and the bound placeholders it reuses."""
        parts: list[str] = []
        reused: list[str] = []
        groups: dict[str, str] = {}  # group name -> token
        named: dict[str, str] = {}  # token -> group name
        special = False
        pos = 0
        for m in self.token_re.finditer(expected):
            token = m.group()
            kind = self._kind(token)
            if kind is None:
                continue
            special = True
            parts.append(_literal(expected[pos : m.start()]))
            pos = m.end()
            if kind.bound and token in self.bindings:
                parts.append(re.escape(self.bindings[token]))
                reused.append(token)
            elif token in named:
                parts.append(f"(?P={named[token]})")
            else:
                group = f"g{len(groups)}"
                groups[group], named[token] = token, group
                parts.append(f"(?P<{group}>{kind.pattern})")
        parts.append(_literal(expected[pos:]))
        if not special and ACCOUNT_IN_ARN not in expected:
            return None, {}, []
        return "".join(parts), groups, reused

    def _bind(
        self, found: Mapping[str, str], expected: Any, actual: Any, path: str
    ) -> list[Difference]:
        for token, value in found.items():
            kind = self._kind(token)
            if kind is None or not kind.bound:
                continue
            if token in self.bindings and self.bindings[token] != value:
                return [
                    Difference(
                        path, expected, actual, f"{token} was {self.bindings[token]!r} before"
                    )
                ]
            if kind.distinct:
                for other, other_value in self.bindings.items():
                    if other != token and other_value == value and self._kind(other) == kind:
                        return [
                            Difference(path, expected, actual, f"{token} has the value of {other}")
                        ]
            self.bindings[token] = value
        return []


def _first_difference(expected: str, actual: str, context: int = 20) -> str:
    """Where two long strings part, for a reader who cannot spot it in 300 characters."""
    if len(expected) < 40 and len(actual) < 40:
        return ""
    i = next(
        (k for k, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
        min(len(expected), len(actual)),
    )
    return f"from character {i}: {expected[i : i + context]!r} vs {actual[i : i + context]!r}"


def _literal(text: str) -> str:
    """Regex for literal text, where the recording's masked account id in an ARN stands for any."""
    return re.escape(text).replace(ACCOUNT_IN_ARN, r":\d{12}:")


def _same_scalar(expected: Any, actual: Any) -> bool:
    # JSON keeps 1 and 1.0 apart, and booleans are no numbers.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)):
        return (
            isinstance(actual, (int, float))
            and isinstance(expected, float) == isinstance(actual, float)
            and expected == actual
        )
    return type(expected) is type(actual) and expected == actual


def matcher_for(case: Case) -> Matcher:
    """A fresh matcher knowing the placeholders the recording of `case` may contain."""
    return Matcher(case.placeholders.tokens)


# --- the result of an execution ------------------------------------------------------


def compare_result(case: Case, execution: Any) -> list[Difference]:
    """Differences in status, output, error and cause between `execution` and `case.expected`.

    A key absent from `expected` means AWS reported nothing there (no error, no cause).
    """
    expected = case.expected
    matcher = matcher_for(case)
    diffs: list[Difference] = []
    if expected["status"] != execution.status:
        diffs.append(Difference("status", expected["status"], execution.status))
    if "output" in expected:
        diffs.extend(matcher.compare(expected["output"], _jsonish(execution.output), "output"))
    for field in ("error", "cause"):
        want = expected.get(field)
        got = getattr(execution, field)
        if field == "cause" and expected.get("cause_parsed_from_json"):
            try:
                got = json.loads(got) if isinstance(got, str) else got
            except ValueError:
                diffs.append(Difference("cause", want, got, "not a JSON string"))
                continue
        if want is None or got is None:
            if want is not got:
                diffs.append(Difference(field, want, got))
            continue
        diffs.extend(matcher.compare(want, got, field))
    return diffs


def _jsonish(value: Any) -> Any:
    """Plain dicts and lists: the emulator may hand back any JSON-like Python containers."""
    if isinstance(value, (list, tuple)):
        return [_jsonish(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _jsonish(v) for k, v in value.items()}
    return value


# --- the history ---------------------------------------------------------------------


@attrs.frozen
class HistoryComparison:
    """How our history compares with the recorded one; `matched` None when none was recorded."""

    matched: bool | None
    differences: tuple[Difference, ...] = ()


IGNORED_EVENT_KEYS = frozenset({"timestamp"})
# Where the recording re-sorted Parallel branch events it also dropped and renumbered events.
RESORTED_IGNORED_KEYS = frozenset({"timestamp", "id", "previousEventId"})
# Event types the recording removed (it cut the Parallel branch runs at these).
DROPPED_BY_RECORDING = frozenset({"ParallelStateSucceeded"})
# The recording used its bare masks in histories whatever the case lists.
HISTORY_TOKENS = tuple(BARE_KINDS)
# Detail fields holding a JSON text of the data (assigned variables too). Compared as JSON
# values: AWS keeps the formatting of the caller's input text, which the emulator, handed a
# value, cannot know.
PAYLOAD_FIELDS = frozenset({"input", "output", "parameters"})


def snapshot_form(details: Any) -> Any:
    """Our event details as the recording stores them.

    The recording parsed string fields holding a JSON object (`"{...}"`) without looking
    inside what it parsed; other JSON texts (arrays, numbers, quoted strings) stayed strings.
    """
    if isinstance(details, Mapping):
        out = {}
        for key, value in details.items():
            if isinstance(value, str) and value.startswith("{"):
                try:
                    out[key] = json.loads(value)
                    continue
                except ValueError:
                    pass
            out[key] = snapshot_form(value)
        return out
    if isinstance(details, list):
        return [snapshot_form(v) if isinstance(v, Mapping) else v for v in details]
    return details


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def payloads_as_values(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event with its JSON-text payload fields (and assigned variables) parsed."""
    out = dict(event)
    for key, details in event.items():
        if not (key.endswith("EventDetails") and isinstance(details, Mapping)):
            continue
        details = dict(details)
        for field, value in details.items():
            if field in PAYLOAD_FIELDS and isinstance(value, str):
                details[field] = _parsed(value)
            elif field == "assignedVariables" and isinstance(value, Mapping):
                details[field] = {
                    k: _parsed(v) if isinstance(v, str) else v for k, v in value.items()
                }
        out[key] = details
    return out


def _is_resorted(event: Mapping[str, Any]) -> bool:
    return isinstance(event.get("id"), list)


def _blocks(recorded: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, bool]]:
    """Split the recorded events into in-order events and re-sorted runs: (start, end, re-sorted)."""
    blocks: list[tuple[int, int, bool]] = []
    i = 0
    while i < len(recorded):
        if _is_resorted(recorded[i]):
            j = i
            while j < len(recorded) and _is_resorted(recorded[j]):
                j += 1
            blocks.append((i, j, True))
            i = j
        else:
            blocks.append((i, i + 1, False))
            i += 1
    return blocks


def _strip(event: Mapping[str, Any], ignored: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k not in ignored}


def _types_differ(
    recorded: Sequence[Mapping], ours: Sequence[Mapping], blocks: list[tuple[int, int, bool]]
) -> Difference | None:
    """The first place where the event types differ (as multisets inside re-sorted runs)."""
    for start, end, resorted in blocks:
        want = [e.get("type") for e in recorded[start:end]]
        got = [e.get("type") for e in ours[start:end]]
        if (Counter(want) != Counter(got)) if resorted else (want != got):
            return Difference(
                f"history[{start}]",
                [e.get("type") for e in recorded[start : start + 6]],
                [e.get("type") for e in ours[start : start + 6]],
                f"event types differ ({len(recorded)} events recorded, {len(ours)} emitted)",
            )
    if len(recorded) != len(ours):
        n = len(recorded)
        return Difference(
            f"history[{n}]",
            [e.get("type") for e in recorded[n:][:6]],
            [e.get("type") for e in ours[n:][:6]],
            f"{len(recorded)} events recorded, {len(ours)} emitted",
        )
    return None


def compare_history(case: Case, history: Sequence[Mapping[str, Any]] | None) -> HistoryComparison:
    """Compare our history with the recorded one: event types in order, then each event's details.

    Events the recording re-sorted (Parallel branches, id `[0]`) are compared as a multiset;
    in such a history ids are not compared, since the recording dropped and renumbered events.
    """
    if case.history_events is None:
        return HistoryComparison(None)
    recorded = [payloads_as_values(e) for e in case.history_events]
    ours = [
        payloads_as_values(snapshot_form(_jsonish(dict(e))))
        for e in history or ()
        if e.get("type") not in DROPPED_BY_RECORDING
    ]
    blocks = _blocks(recorded)
    ignored = RESORTED_IGNORED_KEYS if any(r for _, _, r in blocks) else IGNORED_EVENT_KEYS
    if (diff := _types_differ(recorded, ours, blocks)) is not None:
        return HistoryComparison(False, (diff,))
    matcher = Matcher(case.placeholders.tokens | set(HISTORY_TOKENS))
    diffs: list[Difference] = []
    for start, end, resorted in blocks:
        if not resorted:
            diffs.extend(
                matcher.compare(
                    _strip(recorded[start], ignored),
                    _strip(ours[start], ignored),
                    f"history[{start}]",
                )
            )
        else:
            diffs.extend(_compare_resorted(matcher, recorded, ours, start, end))
    return HistoryComparison(not diffs, tuple(diffs))


def _compare_resorted(matcher: Matcher, recorded, ours, start: int, end: int) -> list[Difference]:
    """Match each recorded event of a re-sorted run with one of ours of the run, in any order."""
    free = list(range(start, end))
    diffs: list[Difference] = []
    for i in range(start, end):
        want = _strip(recorded[i], RESORTED_IGNORED_KEYS)
        best: tuple[list[Difference], int] | None = None
        for j in free:
            if ours[j].get("type") != want.get("type"):
                continue
            trial = matcher.copy()
            found = trial.compare(want, _strip(ours[j], RESORTED_IGNORED_KEYS), f"history[{j}]")
            if not found:
                matcher.bindings = trial.bindings
                free.remove(j)
                break
            if best is None or len(found) < len(best[0]):
                best = (found, j)
        else:
            if best is None:
                diffs.append(
                    Difference(
                        f"history[{start}:{end}]",
                        want,
                        MISSING,
                        "no emitted event of this type left",
                    )
                )
            else:
                free.remove(best[1])
                diffs.extend(best[0])
    return diffs
