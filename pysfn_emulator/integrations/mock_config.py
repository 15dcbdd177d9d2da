"""The Step Functions Local mock file (MockConfigFile.json), read as Step Functions Local reads it.

    {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<Task state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": ...}, "1-2": {"Throw": {"Error": ..., "Cause": ...}}}}}

Rules (see ../shared/reference/mock-config.md):
- A test case maps Task state names to mocked responses; a Task state it does not name runs for
  real (here: its local handler).
- Keys of a response are invocation numbers of that state in this execution, from 0, ranges
  inclusive, consecutive without gaps or duplicates; each entry has exactly one of Return and
  Throw. Retries consume numbers, and Map iterations share the state's counter.
- An invocation with no entry fails the execution with States.Runtime when it happens: entries
  are resolved lazily, so an unused or empty response (`{}`), an empty entry (`"0": {}`), or a
  test case naming a state that does not exist, stops nothing until it is reached. (A test case naming a response the file does not define is the same:
  it fails when that state is invoked.)
- Return stands for the service's whole response and then flows through ResultSelector /
  ResultPath / OutputPath (or Output / Assign); Throw's Error is matched by Retry and Catch.

A file that breaks the format (wrong types, unknown fields, bad keys, gaps or overlaps, both
Return and Throw, a Throw without an Error) is refused before the execution starts with `MockConfigError`, naming the entry.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import attrs

from ..core.errors import RUNTIME, StatesError
from ..core.jsontext import loads, not_json

_RANGE = re.compile(r"(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?")
ENVIRONMENT_VARIABLE = "SFN_MOCK_CONFIG"


class MockConfigError(ValueError):
    """The mock file is unreadable or breaks the format; the message names the entry."""

    def __init__(self, where: str, message: str):
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


@attrs.frozen
class Entry:
    """One mocked outcome: a Return value, or a Throw of error and cause."""

    returns: Any = None
    error: str | None = None
    cause: str | None = None
    empty: bool = False  # `{}`: tolerated until an invocation reaches it

    @property
    def throws(self) -> bool:
        return self.error is not None


@attrs.frozen
class Response:
    """A mocked response: outcomes by invocation number, ranges kept as (first, last, entry)."""

    name: str
    ranges: tuple[tuple[int, int, Entry], ...]

    def entry(self, invocation: int) -> Entry | None:
        for first, last, entry in self.ranges:
            if first <= invocation <= last:
                return entry
        return None


@attrs.frozen
class MockConfig:
    """A parsed, checked mock file."""

    test_cases: dict[str, dict[str, dict[str, str]]]  # machine → case → state → response name
    responses: dict[str, Response]
    source: str = "<mock config>"

    def case(self, machine: str, test_case: str) -> dict[str, str]:
        """The state → response map of a test case; MockConfigError if there is none."""
        cases = self.test_cases.get(machine)
        if cases is None:
            known = ", ".join(sorted(self.test_cases)) or "none"
            raise MockConfigError(
                f"{self.source}: StateMachines",
                f"no state machine named {machine!r} (it has: {known}); "
                "pass the name with run(..., state_machine_name=...)",
            )
        if test_case not in cases:
            known = ", ".join(sorted(cases)) or "none"
            raise MockConfigError(
                f"{self.source}: StateMachines/{machine}/TestCases",
                f"no test case named {test_case!r} (it has: {known})",
            )
        return cases[test_case]

    def has_case(self, machine: str, test_case: str) -> bool:
        return test_case in self.test_cases.get(machine, {})

    def machine_names(self) -> list[str]:
        return list(self.test_cases)


class MockedStates:
    """One execution's view of one test case: which states are mocked, and each state's
    invocation counter."""

    def __init__(self, config: MockConfig, mapping: dict[str, str], machine: str, test_case: str):
        self._config = config
        self._mapping = mapping
        self._counters: dict[str, int] = {}
        self.machine = machine
        self.test_case = test_case

    def __contains__(self, state_name: str) -> bool:
        return state_name in self._mapping

    def next_entry(self, state_name: str) -> Entry:
        """The outcome of this state's next invocation; the invocation is counted even when it
        has no entry (it then fails with States.Runtime)."""
        invocation = self._counters.get(state_name, 0)
        self._counters[state_name] = invocation + 1
        response_name = self._mapping[state_name]
        response = self._config.responses.get(response_name)
        if response is None:
            raise StatesError(
                RUNTIME,
                f"The mocked response '{response_name}' that test case '{self.test_case}' gives the "
                f"state '{state_name}' is not defined in MockedResponses.",
            )
        entry = response.entry(invocation)
        if entry is None or entry.empty:
            what = "an empty entry" if entry is not None else "no entry"
            raise StatesError(
                RUNTIME,
                f"The mocked response '{response_name}' has {what} for invocation {invocation} of "
                f"the state '{state_name}' (test case '{self.test_case}').",
            )
        return entry


def load_mock_config(source: Any) -> MockConfig:
    """A mock file from a dict, JSON text, or a path (str or Path) to a JSON file."""
    if isinstance(source, MockConfig):
        return source
    label = "<mock config>"
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        label = str(source)
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as error:
            raise MockConfigError(label, f"cannot read the mock file: {error.strerror or error}") from None
        source = text
    if isinstance(source, (str, bytes)):
        try:
            source = loads(source)  # as AWS reads JSON: no NaN or Infinity
        except ValueError as error:
            raise MockConfigError(label, f"the mock file is not valid JSON: {error}") from None
    return parse_mock_config(source, label)


def mock_config_from_environment() -> MockConfig | None:
    """Step Functions Local's convention: the file named by SFN_MOCK_CONFIG, if set."""
    path = os.environ.get(ENVIRONMENT_VARIABLE)
    return load_mock_config(Path(path)) if path else None


def parse_mock_config(document: Any, label: str = "<mock config>") -> MockConfig:
    """Check every entry of a parsed mock file; the first problem raises MockConfigError."""

    def fail(where: str, message: str) -> MockConfigError:
        return MockConfigError(f"{label}: {where}" if where else label, message)

    if not isinstance(document, dict):
        raise fail("", "the mock file must be a JSON object with StateMachines and MockedResponses")
    unknown = sorted(set(document) - {"StateMachines", "MockedResponses"})
    if unknown:
        raise fail(unknown[0], "unknown top-level field (expected StateMachines and MockedResponses)")
    machines = document.get("StateMachines", {})
    if not isinstance(machines, dict):
        raise fail("StateMachines", "must be an object of state machine names")
    test_cases: dict[str, dict[str, dict[str, str]]] = {}
    for machine, spec in machines.items():
        where = f"StateMachines/{machine}"
        if not isinstance(spec, dict) or not isinstance(spec.get("TestCases"), dict):
            raise fail(where, "must be an object with a TestCases object")
        extra = sorted(set(spec) - {"TestCases"})
        if extra:
            raise fail(f"{where}/{extra[0]}", "unknown field (a state machine has only TestCases)")
        cases: dict[str, dict[str, str]] = {}
        for case, mapping in spec["TestCases"].items():
            case_where = f"{where}/TestCases/{case}"
            if not isinstance(mapping, dict):
                raise fail(case_where, "must be an object mapping Task state names to mocked response names")
            for state, response in mapping.items():
                if not isinstance(response, str) or not response:
                    raise fail(f"{case_where}/{state}", "must be the name of a mocked response (a string)")
            cases[case] = dict(mapping)
        test_cases[machine] = cases
    responses_spec = document.get("MockedResponses", {})
    if not isinstance(responses_spec, dict):
        raise fail("MockedResponses", "must be an object of mocked response names")
    responses = {name: _response(name, spec, fail) for name, spec in responses_spec.items()}
    return MockConfig(test_cases, responses, label)


def _response(name: str, spec: Any, fail) -> Response:
    where = f"MockedResponses/{name}"
    if not isinstance(spec, dict):
        raise fail(where, 'must be an object of invocation numbers, e.g. {"0": {"Return": ...}}')
    ranges = []
    for key, entry_spec in spec.items():
        match = _RANGE.fullmatch(key) if isinstance(key, str) else None
        if match is None:
            raise fail(f"{where}/{key}", 'an invocation key must be a number "n" or an inclusive range "a-b"')
        first = int(match[1])
        last = int(match[2]) if match[2] is not None else first
        if last < first:
            raise fail(f"{where}/{key}", f"the range ends ({last}) before it starts ({first})")
        ranges.append((first, last, _entry(f"{where}/{key}", entry_spec, fail), key))
    ranges.sort(key=lambda r: r[0])
    expected = 0
    for first, last, _, key in ranges:
        if first < expected:
            raise fail(f"{where}/{key}", f"invocation {first} is already covered by an earlier key")
        if first > expected:
            missing = str(expected) if first == expected + 1 else f"{expected}-{first - 1}"
            raise fail(f"{where}/{key}", f"invocation numbers must be consecutive from 0: {missing} is missing")
        expected = last + 1
    return Response(name, tuple((first, last, entry) for first, last, entry, _ in ranges))


def _entry(where: str, spec: Any, fail) -> Entry:
    if not isinstance(spec, dict):
        raise fail(where, 'must be an object with exactly one of "Return" and "Throw"')
    kinds = [k for k in ("Return", "Throw") if k in spec]
    extra = sorted(set(spec) - {"Return", "Throw"})
    if extra:
        raise fail(f"{where}/{extra[0]}", 'unknown field (an entry has exactly one of "Return" and "Throw")')
    if not kinds:
        return Entry(empty=True)
    if len(kinds) != 1:
        raise fail(where, 'must have exactly one of "Return" and "Throw", not both')
    if kinds == ["Return"]:
        found = not_json(spec["Return"])  # a dict may hold what no mock file can (NaN)
        if found is not None:
            raise fail(f"{where}/Return{found[0]}", found[1])
        return Entry(returns=spec["Return"])
    throw = spec["Throw"]
    if not isinstance(throw, dict):
        raise fail(f"{where}/Throw", 'must be an object {"Error": "...", "Cause": "..."}')
    extra = sorted(set(throw) - {"Error", "Cause"})
    if extra:
        raise fail(f"{where}/Throw/{extra[0]}", "unknown field (Throw has Error and Cause)")
    error, cause = throw.get("Error"), throw.get("Cause")
    if not isinstance(error, str) or not error:
        raise fail(f"{where}/Throw/Error", "must be a non-empty string")
    if cause is not None and not isinstance(cause, str):
        raise fail(f"{where}/Throw/Cause", "must be a string")
    return Entry(error=error, cause=cause)
