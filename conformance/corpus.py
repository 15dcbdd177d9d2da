"""The AWS-recorded corpus: where it lives and how one recorded execution is read.

The corpus is read in place (never copied into the repository): from `PYSFN_AWS_CORPUS`
when set, else from `../shared/conformance/aws-recorded` next to the repository.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

CORPUS_ENV = "PYSFN_AWS_CORPUS"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "conformance" / "aws-recorded"

# Files of the corpus folder that are not cases.
NOT_CASES = frozenset({"_index.json"})

# Where the clock starts for a case that does not say: a fixed moment, so that no result
# depends on the day the suite runs (a case whose input was made relative to its recording
# carries its own `start_time`).
DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)

JSONPATH = "JSONPath"
JSONATA = "JSONata"


@attrs.frozen
class LambdaFunction:
    """A Lambda function a case calls; `source` is the file AWS ran (its behaviour key)."""

    function_name: str
    arn: str
    source_path: str

    @property
    def source(self) -> str:
        """The handler file's base name, e.g. `id_function.py`."""
        return self.source_path.rsplit("/", 1)[-1]


@attrs.frozen
class Placeholders:
    """What the recording replaced: masks standing in `expected` and the concrete names."""

    in_expected: tuple[str, ...] = ()
    values: Mapping[str, str] = attrs.field(factory=dict)
    masked_replacements: tuple[str, ...] = ()
    state_machine_name: str | None = None
    execution_name: str | None = None

    @property
    def tokens(self) -> frozenset[str]:
        """Every placeholder string this case's recording may contain."""
        return (
            frozenset(self.in_expected)
            | frozenset(self.values)
            | frozenset(self.masked_replacements)
        )


@attrs.frozen(eq=False)
class Case:
    """One execution recorded on real AWS: run `definition` on `input`, expect `expected`."""

    name: str
    category: str
    definition: Any
    input: Any
    expected: Mapping[str, Any]
    lambdas: tuple[LambdaFunction, ...]
    placeholders: Placeholders
    history_events: tuple[Mapping[str, Any], ...] | None
    state_machine_type: str
    query_language: str
    uses_lambda: bool
    start_time: datetime = DEFAULT_START
    path: Path | None = None


def corpus_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The corpus folder: `explicit`, else `$PYSFN_AWS_CORPUS`, else the shared default."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(CORPUS_ENV)
    return Path(env) if env else DEFAULT_CORPUS


def case_paths(root: Path) -> list[Path]:
    """The case files directly in `root`, sorted by name (README, LAMBDAS.md, `validation/` and `_index.json` excluded)."""
    return sorted(p for p in root.glob("*.json") if p.is_file() and p.name not in NOT_CASES)


def query_language(definition: Any) -> str:
    """JSONata when the machine or any of its states (branches and Map processors included) says so."""
    return JSONATA if any(ql == JSONATA for ql in _query_languages(definition)) else JSONPATH


def _query_languages(machine: Any) -> Iterator[str]:
    if not isinstance(machine, Mapping):
        return
    if "QueryLanguage" in machine:
        yield machine["QueryLanguage"]
    states = machine.get("States")
    if not isinstance(states, Mapping):
        return
    for state in states.values():
        if not isinstance(state, Mapping):
            continue
        if "QueryLanguage" in state:
            yield state["QueryLanguage"]
        for branch in state.get("Branches") or ():
            yield from _query_languages(branch)
        for key in ("Iterator", "ItemProcessor"):
            yield from _query_languages(state.get(key))


def parse_case(data: Mapping[str, Any], path: Path | None = None) -> Case:
    """Build a `Case` from the JSON object of one case file."""
    ph = data.get("placeholders") or {}
    placeholders = Placeholders(
        in_expected=tuple(ph.get("in_expected") or ()),
        values=dict(ph.get("values") or {}),
        masked_replacements=tuple(m["replacement"] for m in ph.get("masked_jsonpaths") or ()),
        state_machine_name=ph.get("state_machine_name"),
        execution_name=ph.get("execution_name"),
    )
    lambdas = tuple(
        LambdaFunction(function_name=f["function_name"], arn=f["arn"], source_path=f["source_path"])
        for f in data.get("lambdas") or ()
    )
    history = data.get("history_events")
    return Case(
        name=data["name"],
        category=data["category"],
        definition=data["definition"],
        input=data.get("input"),
        expected=data["expected"],
        lambdas=lambdas,
        placeholders=placeholders,
        history_events=tuple(history) if history is not None else None,
        state_machine_type=data.get("state_machine_type") or "STANDARD",
        query_language=query_language(data["definition"]),
        uses_lambda=bool(lambdas),
        start_time=_start_time(data.get("start_time")),
        path=path,
    )


def _start_time(text: str | None) -> datetime:
    """The recorded `start_time` (ISO 8601, `Z` for UTC), else `DEFAULT_START`."""
    if not text:
        return DEFAULT_START
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_case(path: Path) -> Case:
    """Read one case file."""
    with open(path, encoding="utf-8") as f:
        return parse_case(json.load(f), path)


def load_cases(
    root: Path | None = None,
    *,
    name_filter: str | None = None,
    categories: Iterable[str] | None = None,
) -> list[Case]:
    """Every case of the corpus, optionally those whose name contains `name_filter` and whose category is listed."""
    root = root if root is not None else corpus_dir()
    wanted = set(categories) if categories else None
    cases = []
    for path in case_paths(root):
        if name_filter and name_filter not in path.stem:
            continue
        case = load_case(path)
        if wanted is None or case.category in wanted:
            cases.append(case)
    return cases
