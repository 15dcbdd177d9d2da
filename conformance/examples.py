"""The examples, run the ways they can be run, and drawn.

`examples/NAME.py` is a workflow: each input is run plainly as Python and compiled in the
emulator, and the two results must agree. `examples/NAME.asl.json` is a hand-written
definition: each input is run in the emulator, where it must run (any status) rather than
be refused. Inputs come from `NAME.input.json` (one input) and `NAME.inputs.json` (a list of
inputs); without either, the input is `{}`. An example that calls AWS services (or has
`NAME.services.py` beside it) gets a fresh LocalAws per run, and a workflow's two runs must
leave the services in the same state (conformance/services.py).
A workflow that waits for callbacks (`sfn.wait_for_callback`) answers them with its
module-level `RESPONDERS` ({callee name: responder(token, payload)}), the same responder in
both runs.

Every run keeps its definition and execution so that a graph can be drawn of it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

import attrs

from conformance import services, workflows
from conformance.corpus import REPO_ROOT
from conformance.runner import DEFAULT_TIMEOUT, CaseTimeout, last_traceback_line, time_limit

EXAMPLES_DIR = REPO_ROOT / "examples"
PASS, FAIL, SKIP = "pass", "fail", "skip"
WORKFLOW, DEFINITION = "workflow", "definition"


@attrs.frozen
class ExampleRun:
    """One input of one example."""

    label: str  # "input" or "inputs[i]"
    input: Any
    outcome: str  # pass / fail / skip
    detail: str = ""  # why it failed, in one paragraph
    python: str | None = None  # the plain run's Outcome.describe()
    emulated: str | None = None  # the emulated run's Outcome.describe()
    status: str | None = None
    seconds: float = 0.0
    execution: Any = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class ExampleResult:
    """One example file and its runs; `problem` says why it could not run at all."""

    name: str  # the file name, e.g. hello_world.asl.json
    kind: str  # workflow / definition
    runs: tuple[ExampleRun, ...] = ()
    problem: str | None = None
    problem_outcome: str = FAIL  # fail, or skip when the compiler is missing
    definition: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def stem(self) -> str:
        return self.name.removesuffix(".py").removesuffix(".asl.json")

    @property
    def outcome(self) -> str:
        if self.problem is not None:
            return self.problem_outcome
        outcomes = {run.outcome for run in self.runs}
        return FAIL if FAIL in outcomes else (PASS if PASS in outcomes else SKIP)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "outcome": self.outcome,
            "problem": self.problem,
            "runs": [{"input_label": r.label, "input": r.input, "outcome": r.outcome,
                      "detail": r.detail, "python": r.python, "emulated": r.emulated,
                      "status": r.status, "seconds": round(r.seconds, 4)} for r in self.runs],
        }


def find_examples(directory: Path = EXAMPLES_DIR) -> list[Path]:
    """The example workflows and definitions, in name order."""
    if not directory.is_dir():
        return []
    found = [*directory.glob("*.py"), *directory.glob("*.asl.json")]
    return sorted(p for p in found if not p.name.startswith(("_", ".")) and not p.name.endswith(".services.py"))


def inputs_of(example: Path) -> list[tuple[str, Any]]:
    """(label, input) pairs from NAME.input.json and NAME.inputs.json; [("input", {})] if none."""
    stem = example.name.removesuffix(".py").removesuffix(".asl.json")
    found: list[tuple[str, Any]] = []
    single = example.with_name(f"{stem}.input.json")
    if single.is_file():
        found.append(("input", json.loads(single.read_text(encoding="utf-8"))))
    several = example.with_name(f"{stem}.inputs.json")
    if several.is_file():
        values = json.loads(several.read_text(encoding="utf-8"))
        if not isinstance(values, list):
            raise ValueError(f"{several}: must be a JSON list of inputs")
        found += [(f"inputs[{i}]", value) for i, value in enumerate(values)]
    return found or [("input", {})]


def run_examples(paths: Sequence[Path], timeout: float | None = DEFAULT_TIMEOUT,
                 progress: Any = None) -> list[ExampleResult]:
    results = []
    for path in paths:
        result = run_example(path, timeout)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def run_example(path: Path, timeout: float | None = DEFAULT_TIMEOUT) -> ExampleResult:
    """Run every input of one example; never raises (a crash is reported as a failure)."""
    kind = WORKFLOW if path.suffix == ".py" else DEFINITION
    try:
        inputs = inputs_of(path)
    except ValueError as error:
        return ExampleResult(path.name, kind, problem=f"bad inputs: {error}")
    if kind == WORKFLOW:
        try:
            compiled = workflows.compile_workflow(path)
        except workflows.WorkflowError as error:
            missing = "compile_file is not available" in str(error)
            return ExampleResult(path.name, kind, problem=str(error),
                                 problem_outcome=SKIP if missing else FAIL)
        make_services = services.registry_maker(path, compiled.definition)
        saved = workflows.module_data(compiled)  # each run starts from the module as loaded
        runs = tuple(_both_ways(compiled, label, value, timeout, make_services, saved) for label, value in inputs)
        return ExampleResult(path.name, kind, runs, definition=compiled.definition)
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        return ExampleResult(path.name, kind, problem=f"invalid JSON: {error}")
    make_services = services.registry_maker(path, definition)
    runs = tuple(_emulated_only(definition, label, value, timeout, make_services) for label, value in inputs)
    return ExampleResult(path.name, kind, runs, definition=definition)


def _both_ways(compiled: Any, label: str, value: Any, timeout: float | None,
               make_services: Any = None, saved: Any = None) -> ExampleRun:
    """Both runs, each with a fresh, equal LocalAws when the workflow uses services (whose
    state must then agree too), and the module's top-level data as `saved` (module_data)."""
    import pysfn_emulator

    started = time.perf_counter()
    plain_aws = make_services() if make_services is not None else None
    emulated_aws = make_services() if make_services is not None else None
    try:
        with time_limit(timeout):
            start = _fixed_start()
            responders = workflows.responders_of(compiled)  # the example's RESPONDERS, both runs
            workflows.restore_module_data(compiled, saved or {})
            plain = workflows.run_plain(compiled, value, start_time=start, services=plain_aws,
                                        callbacks=responders)
            workflows.restore_module_data(compiled, saved or {})
            execution = pysfn_emulator.run(compiled.definition, value,
                                           lambdas=workflows.lambdas_for(compiled),
                                           services=emulated_aws,
                                           callbacks=workflows.callbacks_for(compiled, responders),
                                           start_time=start, seed=0,
                                           execution_name=workflows.EXECUTION_NAME)
    except (Exception, CaseTimeout) as error:
        return ExampleRun(label, value, FAIL, f"raised {last_traceback_line(error)}",
                          seconds=time.perf_counter() - started)
    emulated = workflows.outcome_of(execution)
    detail = "" if plain == emulated else "plain Python and the emulated machine differ"
    if not detail and plain_aws is not None:
        detail = services.difference(services.comparable(plain_aws.snapshot()),
                                     services.comparable(emulated_aws.snapshot())) or ""
    return ExampleRun(label, value, FAIL if detail else PASS, detail,
                      plain.describe(), emulated.describe(), execution.status,
                      time.perf_counter() - started, execution)


def _emulated_only(definition: Any, label: str, value: Any, timeout: float | None,
                   make_services: Any = None) -> ExampleRun:
    import pysfn_emulator

    started = time.perf_counter()
    try:
        with time_limit(timeout):
            aws = make_services() if make_services is not None else None
            execution = pysfn_emulator.run(definition, value, start_time=_fixed_start(), seed=0, services=aws)
    except (Exception, CaseTimeout) as error:
        problems = getattr(error, "problems", None)
        detail = "; ".join(str(p) for p in problems) if problems else last_traceback_line(error)
        return ExampleRun(label, value, FAIL, f"refused: {detail}",
                          seconds=time.perf_counter() - started)
    return ExampleRun(label, value, PASS, "", None, workflows.outcome_of(execution).describe(),
                      execution.status, time.perf_counter() - started, execution)


def _fixed_start():
    """Examples start at one fixed time, so reports and graphs do not change from run to run."""
    from datetime import datetime

    return datetime(2024, 1, 1, tzinfo=UTC)


# --- reports ----------------------------------------------------------------------------------


def graph_page(result: ExampleResult) -> str:
    """A Markdown page: the example's machine, once per input with that run's path."""
    from pysfn_emulator import graph

    lines = [f"# `{result.name}`", ""]
    if result.definition is None:
        return "\n".join([*lines, result.problem or "no definition", ""])
    drawn = [run for run in result.runs if run.execution is not None]
    if not drawn:
        return "\n".join([*lines, graph.to_markdown(result.definition)])
    for run in drawn:
        lines += [f"## {run.label}: `{_short_json(run.input)}`", ""]
        if run.python is not None:
            lines += [f"Python {run.python}; emulated {run.emulated}.", ""]
        lines.append(graph.to_markdown(result.definition, run.execution))
    return "\n".join(lines)


def write_graphs(results: Sequence[ExampleResult], directory: Path) -> list[Path]:
    """`graphs/<stem>.md` per example."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for result in results:
        path = directory / f"{result.stem}.md"
        path.write_text(graph_page(result), encoding="utf-8")
        written.append(path)
    return written


def markdown_section(results: Sequence[ExampleResult], graphs_link: str = "graphs") -> list[str]:
    """The examples part of conformance.md: a table, then each example's graph (its first run)."""
    from pysfn_emulator import graph

    passed = sum(r.outcome == PASS for r in results)
    failed = sum(r.outcome == FAIL for r in results)
    skipped = sum(r.outcome == SKIP for r in results)
    lines = ["## Examples", "",
             f"**{passed}/{len(results)} examples pass**; {failed} fail, {skipped} skipped. "
             "A workflow (`.py`) runs both ways, plainly and compiled in the emulator, and must "
             "give the same result; a definition (`.asl.json`) runs in the emulator.", "",
             "| example | input | result | Python | emulated |", "|---|---|---|---|---|"]
    for result in results:
        link = f"[`{result.name}`]({graphs_link}/{result.stem}.md)"
        if result.problem is not None:
            lines.append(f"| {link} | | {result.outcome} | {_cell(result.problem)} | |")
            continue
        for run in result.runs:
            detail = f" ({_cell(run.detail)})" if run.detail else ""
            lines.append(f"| {link} | `{_cell(_short_json(run.input))}` | {run.outcome}{detail} "
                         f"| {_cell(_cut(run.python or '–'))} | {_cell(_cut(run.emulated or '–'))} |")
    for result in results:
        first = next((run for run in result.runs if run.execution is not None), None)
        if first is None:
            continue
        lines += ["", f"### `{result.name}`, {first.label}", "", "```mermaid",
                  graph.to_mermaid(result.definition, first.execution).rstrip("\n"), "```"]
    return lines


def _short_json(value: Any, width: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def _cut(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
