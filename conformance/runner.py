"""Run the AWS-recorded corpus through the emulator and report how faithful it is.

A case passes when status, output, error and cause match the recording. The history is
compared too and reported as a share, without deciding pass or fail. Cases listed in
`expected_failures.txt` are known gaps: the run fails when an unlisted case fails or a
listed one passes, so the list can only shrink.
"""

from __future__ import annotations

import contextlib
import copy
import json
import signal
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from conformance.compare import Difference, compare_history, compare_result
from conformance.corpus import Case
from conformance.lambdas import lambdas_for

EXPECTED_FAILURES_FILE = Path(__file__).with_name("expected_failures.txt")
TODO_REASON = "TODO reason"
DEFAULT_TIMEOUT = 60.0  # wall-clock seconds per case; the emulator's clock is virtual
MAX_SHOWN = 12  # differences shown per case in the Markdown report


# --- expected failures ---------------------------------------------------------------


def load_expected_failures(path: Path = EXPECTED_FAILURES_FILE) -> dict[str, str]:
    """The listed cases and their reasons: `case_name  # reason`, one a line, `#` lines are comments."""
    if not path.exists():
        return {}
    listed: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, reason = line.partition("#")
        if name.strip():
            listed[name.strip()] = reason.strip()
    return listed


def rewrite_expected_failures(
    path: Path, failing: Iterable[str], ran: Iterable[str], listed: Mapping[str, str]
) -> dict[str, str]:
    """List the failing cases, keeping known reasons; cases that did not run keep their entry.

    New entries say `TODO reason` for a human to replace. Comment lines at the top are kept.
    """
    ran_names = set(ran)
    entries = {name: reason for name, reason in listed.items() if name not in ran_names}
    for name in failing:
        entries[name] = listed.get(name) or TODO_REASON
    header = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                break
            header.append(line)
    width = max((len(n) for n in entries), default=0)
    lines = [*header, *(f"{n.ljust(width)}  # {entries[n]}" for n in sorted(entries))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return entries


# --- one case ------------------------------------------------------------------------


class CaseTimeout(BaseException):
    """A case ran longer than its wall-clock budget (a BaseException so the emulator cannot catch it)."""


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after `seconds` (main thread only; elsewhere no limit)."""
    usable = seconds and threading.current_thread() is threading.main_thread()
    if not usable or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise CaseTimeout(f"no result after {seconds:g} s of wall-clock time")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@attrs.frozen
class CaseResult:
    """The outcome of one case."""

    name: str
    category: str
    query_language: str
    uses_lambda: bool
    passed: bool
    differences: tuple[str, ...]
    history_matched: bool | None
    history_differences: tuple[str, ...] = ()
    expected_failure: str | None = None  # the listed reason, None when not listed
    status: str | None = None  # the emulator's status, None when it raised
    raised: str | None = None  # the last line of the traceback, when something raised
    seconds: float = 0.0

    @property
    def outcome(self) -> str:
        """pass / fail (unexpected) / xfail (listed and failing) / xpass (listed but passing)."""
        if self.expected_failure is None:
            return "pass" if self.passed else "fail"
        return "xpass" if self.passed else "xfail"

    @property
    def unexpected(self) -> bool:
        """True when this case should make the run fail."""
        return self.outcome in ("fail", "xpass")


def run_emulator(case: Case) -> Any:
    """Run `case` in the emulator, named as the recording named the machine and the execution."""
    import pysfn_emulator

    return pysfn_emulator.run(
        copy.deepcopy(case.definition),
        copy.deepcopy(case.input),
        lambdas=lambdas_for(case),
        state_machine_name=case.placeholders.state_machine_name,
        execution_name=case.placeholders.execution_name,
        state_machine_type=case.state_machine_type,
        start_time=case.start_time,
    )


def last_traceback_line(exc: BaseException) -> str:
    """`Type: message (file:line in function)`: enough to find where it broke."""
    text = traceback.format_exception_only(type(exc), exc)[-1].strip()
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        where = frames[-1]
        text += f" (at {Path(where.filename).name}:{where.lineno} in {where.name})"
    return text


def _definition_error(exc: BaseException) -> str | None:
    emulator = sys.modules.get("pysfn_emulator")
    error_type = getattr(emulator, "DefinitionError", None)
    if error_type is None or not isinstance(exc, error_type):
        return None
    problems = "; ".join(str(p) for p in getattr(exc, "problems", ()) or ())
    return f"DefinitionError (AWS accepted this definition): {problems or exc}"


def check_case(
    case: Case,
    expected_failure: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    run: Callable[[Case], Any] = run_emulator,
) -> CaseResult:
    """Run one case (with `run`: in-process by default, or through the API) and compare it
    with its recording; never raises (a crash is a failure)."""
    started = time.perf_counter()
    common = {
        "name": case.name,
        "category": case.category,
        "query_language": case.query_language,
        "uses_lambda": case.uses_lambda,
        "expected_failure": expected_failure,
    }
    try:
        with time_limit(timeout):
            execution = run(case)
        differences = compare_result(case, execution)
        history = compare_history(case, getattr(execution, "history", None))
    except (Exception, CaseTimeout) as exc:
        reason = _definition_error(exc) or last_traceback_line(exc)
        return CaseResult(
            **common,
            passed=False,
            differences=(f"raised {reason}",),
            history_matched=False if case.history_events is not None else None,
            raised=reason,
            seconds=time.perf_counter() - started,
        )
    return CaseResult(
        **common,
        passed=not differences,
        differences=tuple(str(d) for d in differences),
        history_matched=history.matched,
        history_differences=tuple(str(d) for d in history.differences),
        status=execution.status,
        seconds=time.perf_counter() - started,
    )


def run_cases(
    cases: Sequence[Case],
    expected_failures: Mapping[str, str],
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: Any = None,
    run: Callable[[Case], Any] = run_emulator,
) -> list[CaseResult]:
    """Check every case in order; `progress(result)` is called after each."""
    results = []
    for case in cases:
        result = check_case(case, expected_failures.get(case.name), timeout, run)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def exit_status(results: Iterable[CaseResult]) -> int:
    """1 when a case failed unexpectedly or a listed case passed, else 0."""
    return 1 if any(r.unexpected for r in results) else 0


# --- reports -------------------------------------------------------------------------


@attrs.frozen
class Tally:
    """Counts over a group of results."""

    cases: int = 0
    passed: int = 0
    failed: int = 0  # unexpected failures
    expected_failures: int = 0
    unexpected_passes: int = 0
    history_recorded: int = 0
    history_matched: int = 0

    @property
    def history_share(self) -> float | None:
        return self.history_matched / self.history_recorded if self.history_recorded else None

    def as_dict(self) -> dict[str, Any]:
        return {**attrs.asdict(self), "history_share": self.history_share}


def tally(results: Iterable[CaseResult]) -> Tally:
    """Count outcomes and history matches."""
    outcomes: Counter[str] = Counter()
    recorded = matched = n = 0
    for r in results:
        n += 1
        outcomes[r.outcome] += 1
        if r.history_matched is not None:
            recorded += 1
            matched += bool(r.history_matched)
    return Tally(
        cases=n,
        passed=outcomes["pass"] + outcomes["xpass"],
        failed=outcomes["fail"],
        expected_failures=outcomes["xfail"],
        unexpected_passes=outcomes["xpass"],
        history_recorded=recorded,
        history_matched=matched,
    )


def by(results: Iterable[CaseResult], key: str) -> dict[Any, list[CaseResult]]:
    """Results grouped by an attribute, groups in sorted order."""
    groups: dict[Any, list[CaseResult]] = defaultdict(list)
    for r in results:
        groups[getattr(r, key)].append(r)
    return dict(sorted(groups.items(), key=lambda kv: str(kv[0])))


def cluster(result: CaseResult) -> str:
    """A coarse label of why a case fails, to see which gaps matter most."""
    if result.raised:
        return "raised " + result.raised.split(" (at ")[0].split(":")[0]
    first = result.differences[0] if result.differences else ""
    if first.startswith("status:"):
        error = next((d for d in result.differences if d.startswith("error:")), "")
        return first + (f"; {error}" if error else "")
    return "wrong " + first.split(":", 1)[0].split(".", 1)[0].split("[", 1)[0]


def report_json(
    results: Sequence[CaseResult], corpus: Path | None = None, examples: Sequence[Any] | None = None
) -> dict[str, Any]:
    """The machine-readable report; with `examples` (ExampleResult), their runs as well."""
    report = _corpus_json(results, corpus)
    if examples is not None:
        outcomes = Counter(example.outcome for example in examples)
        report["summary"]["examples"] = {
            "examples": len(examples),
            "passed": outcomes["pass"],
            "failed": outcomes["fail"],
            "skipped": outcomes["skip"],
        }
        report["examples"] = [example.as_dict() for example in examples]
    return report


def _corpus_json(results: Sequence[CaseResult], corpus: Path | None) -> dict[str, Any]:
    return {
        "corpus": str(corpus) if corpus else None,
        "summary": {
            "total": tally(results).as_dict(),
            "per_category": {c: tally(rs).as_dict() for c, rs in by(results, "category").items()},
            "per_query_language": {
                q: tally(rs).as_dict() for q, rs in by(results, "query_language").items()
            },
        },
        "cases": [
            {
                "name": r.name,
                "category": r.category,
                "query_language": r.query_language,
                "lambda": r.uses_lambda,
                "passed": r.passed,
                "outcome": r.outcome,
                "expected_failure": r.expected_failure,
                "status": r.status,
                "differences": list(r.differences),
                "history_matched": r.history_matched,
                "history_differences": list(r.history_differences[:MAX_SHOWN]),
                "raised": r.raised,
                "seconds": round(r.seconds, 4),
            }
            for r in results
        ],
    }


def _share(t: Tally) -> str:
    share = t.history_share
    return "–" if share is None else f"{t.history_matched}/{t.history_recorded} ({share:.0%})"


def _table_row(label: str, t: Tally) -> str:
    return (
        f"| {label} | {t.cases} | {t.passed} | {t.failed} | {t.expected_failures} "
        f"| {t.unexpected_passes} | {_share(t)} |"
    )


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "\\n")


def _case_section(r: CaseResult, lines: list[str], with_history: bool = False) -> None:
    tags = f"{r.category}, {r.query_language}" + (", Lambda" if r.uses_lambda else "")
    lines.append(f"### `{r.name}`")
    lines.append("")
    lines.append(f"{tags}" + (f" — listed: {r.expected_failure}" if r.expected_failure else ""))
    lines.append("")
    for d in r.differences[:MAX_SHOWN]:
        lines.append(f"- `{_md_escape(d)}`")
    if len(r.differences) > MAX_SHOWN:
        lines.append(f"- … {len(r.differences) - MAX_SHOWN} more")
    if with_history and r.history_differences:
        lines.append(f"- history: `{_md_escape(r.history_differences[0])}`")
    lines.append("")


def report_markdown(
    results: Sequence[CaseResult], corpus: Path | None = None, examples: Sequence[Any] | None = None
) -> str:
    """The human-readable report: with `examples`, their table and graphs first; then, for the
    corpus, a table per category, failure clusters, then each failure."""
    corpus_text = _corpus_markdown(results, corpus)
    if examples is None:
        return corpus_text
    from conformance.examples import markdown_section

    demoted = ["#" + line if line.startswith("#") else line for line in corpus_text.splitlines()]
    lines = ["# Conformance", "", *markdown_section(examples), "", *demoted]
    return "\n".join(lines).rstrip() + "\n"


def _corpus_markdown(results: Sequence[CaseResult], corpus: Path | None) -> str:
    total = tally(results)
    lines = [
        "# Conformance with the AWS-recorded corpus",
        "",
        f"Corpus: `{corpus}`" if corpus else "",
        "",
        f"**{total.passed}/{total.cases} cases pass**; {total.failed} unexpected failures, "
        f"{total.expected_failures} expected failures, {total.unexpected_passes} listed cases "
        f"that now pass. Histories match in {_share(total)} of the cases with a recorded history.",
        "",
        "| category | cases | passed | failed | expected failures | listed but passing | history matched |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for category, rs in by(results, "category").items():
        lines.append(_table_row(category, tally(rs)))
    lines.append(_table_row("**total**", total))
    lines += [
        "",
        "| query language | cases | passed | failed | expected failures | listed but passing | history matched |",
    ]
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    for language, rs in by(results, "query_language").items():
        lines.append(_table_row(language, tally(rs)))
    failing = [r for r in results if not r.passed]
    if failing:
        lines += ["", "## Failure clusters", "", "| cases | cluster |", "|---:|---|"]
        for label, count in Counter(cluster(r) for r in failing).most_common():
            lines.append(f"| {count} | `{_md_escape(label)}` |")
    sections = (
        ("Unexpected failures", [r for r in results if r.outcome == "fail"]),
        ("Listed as expected failures but passing", [r for r in results if r.outcome == "xpass"]),
        ("Expected failures", [r for r in results if r.outcome == "xfail"]),
    )
    for title, rs in sections:
        if rs:
            lines += ["", f"## {title} ({len(rs)})", ""]
            for r in rs:
                _case_section(r, lines, with_history=r.outcome == "fail")
    return "\n".join(lines).rstrip() + "\n"


def write_reports(
    results: Sequence[CaseResult],
    report_dir: Path,
    corpus: Path | None = None,
    examples: Sequence[Any] | None = None,
) -> tuple[Path, Path]:
    """Write `conformance.json` and `conformance.md` into `report_dir`."""
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path = report_dir / "conformance.json"
    md_path = report_dir / "conformance.md"
    json_path.write_text(
        json.dumps(report_json(results, corpus, examples), indent=1, ensure_ascii=False,
                   default=str) + "\n",
        encoding="utf-8",
    )
    md_path.write_text(report_markdown(results, corpus, examples), encoding="utf-8")
    return json_path, md_path


def differences_text(differences: Iterable[Difference | str]) -> str:
    """Differences one a line, for assertion messages."""
    return "\n".join(f"  {d}" for d in differences)
