"""The pysfn pytest plugin: the `sfn_run` and `sfn_api` fixtures, `--sfn-report DIR` and `--sfn-coverage`.

Installed with pysfn (a `pytest11` entry point), so a test suite only asks for the fixture:

    def test_order(sfn_run):
        ex = sfn_run("examples/order.py", {"order_id": 7})      # compile, emulate, local callees
        assert ex.status == "SUCCEEDED" and ex.output["total"] == 42
        ex = sfn_run("machine.asl.json", {"x": 1}, lambdas={"charge": handler})
        ex = sfn_run("orders.asl.json", {"id": 7}, services=aws)   # a pysfn_emulator.LocalAws
        sfn_run.compare("examples/order.py", {"order_id": 7})    # plain Python == emulated

    def test_api(sfn_api):                                       # boto3, in-process
        sfn = boto3.client("stepfunctions", region_name="us-east-1")

When a test that ran executions fails, its report gets a section "pysfn executions": for each
execution, the status, error and cause, the state where it failed, and the path taken. So a
plain `assert ex.status == "SUCCEEDED"` explains itself.
"""

from __future__ import annotations

import copy
import inspect
import json
import os
import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import attrs
import pytest

from conformance import services as aws_services
from conformance import workflows
from pysfn_emulator import HandlersError, LocalAws, coverage, handlers_from_file, services_from_file
from pysfn_emulator.core.limits import DEFAULT_MAX_SECONDS, DEFAULT_MAX_TRANSITIONS
from pysfn_emulator.options import start_moment
from pysfn_emulator.sfn_api.in_process import mock_aws  # routes boto3 clients made from here on

_STATE = pytest.StashKey["SessionRecord"]()
_PATH_SHOWN = (12, 4)  # states shown at the start and the end of a long path
_LONGEST_LOOP = 6  # the longest run of states written once with a repeat count
SECTION = "pysfn executions"
REPORT_JSON, REPORT_MARKDOWN, COVERAGE_JSON = "sfn-executions.json", "sfn-executions.md", \
    "sfn-coverage.json"


# --- options and session state ----------------------------------------------------------------


def _fail(message: str) -> NoReturn:
    """Fail the test with `message` alone: no traceback, and none of an exception being handled
    (pytest showed the problem twice, "During handling of the above exception ...")."""
    raise pytest.fail.Exception(message, pytrace=False) from None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pysfn", "pysfn: Step Functions state machines")
    group.addoption("--sfn-report", metavar="DIR", default=None,
                    help=f"write a report of every sfn_run execution into DIR "
                         f"({REPORT_JSON} and {REPORT_MARKDOWN})")
    group.addoption("--sfn-coverage", action="store_true", default=False,
                    help="print which states and transitions the executions exercised and which "
                         f"never, per state machine; write it as JSON ({COVERAGE_JSON} in the "
                         "--sfn-report DIR, else in the current directory)")


def pytest_configure(config: pytest.Config) -> None:
    report_dir = config.getoption("sfn_report")
    if report_dir is not None and Path(report_dir).exists() and not Path(report_dir).is_dir():
        # (found at the session's end it was an INTERNALERROR after every test had run)
        raise pytest.UsageError(f"--sfn-report {report_dir}: a file is there; give a directory (made if missing)")
    config.stash[_STATE] = SessionRecord(
        report_dir=config.getoption("sfn_report"),
        coverage=coverage.Coverage() if config.getoption("sfn_coverage") else None,
        invocation_dir=Path(config.invocation_params.dir),
    )


@attrs.define
class Recorded:
    """One execution, as the session report shows it."""

    test: str
    source: str
    execution: Any
    input: Any
    wall_seconds: float
    walk: coverage.Walk

    def as_dict(self) -> dict[str, Any]:
        ex = self.execution
        return {
            "test": self.test,
            "source": self.source,
            "status": ex.status,
            "input": self.input,
            "output": ex.output,
            "error": ex.error,
            "cause": ex.cause,
            "path": _top_path(self.walk),
            "failing_states": list(self.walk.failing_states),
            "states_entered": len(self.walk.visits),
            "virtual_seconds": getattr(ex, "elapsed_seconds", None),
            "wall_seconds": round(self.wall_seconds, 4),
            "execution_arn": getattr(ex, "execution_arn", None),
        }


@attrs.define
class SessionRecord:
    report_dir: str | None
    coverage: coverage.Coverage | None
    invocation_dir: Path
    executions: list[Recorded] = attrs.field(factory=list)

    @property
    def keeps_executions(self) -> bool:
        return self.report_dir is not None


# --- the fixture ------------------------------------------------------------------------------


class SfnRun:
    """Call it to run a state machine; `compare` to run a workflow both ways. `executions` lists
    what this test ran."""

    def __init__(self, request: pytest.FixtureRequest, record: SessionRecord):
        self._request = request
        self._record = record
        self.executions: list[tuple[str, Any, Any]] = []  # (source, input, Execution)
        self.services: Any = None  # the LocalAws the last run that had services used
        self._compiled: dict[tuple[str, str | None, float, bool], Any] = {}
        self._module_data: dict[int, dict[str, Any]] = {}  # id(compiled) -> its module's data as imported

    def __call__(
        self,
        source: str | os.PathLike | Mapping[str, Any],
        input: Any = None,
        *,
        lambdas: Mapping[str, Any] | str | os.PathLike | None = None,
        services: Any = None,
        callbacks: Mapping[str, Any] | None = None,
        mock_config: Any = None,
        test_case: str | None = None,
        entry: str | None = None,
        start_time: datetime | None = None,
        seed: int | None = None,
        state_machine_name: str | None = None,
        execution_name: str | None = None,
        state_machine_type: str = "STANDARD",
        max_transitions: int | None = DEFAULT_MAX_TRANSITIONS,
        max_seconds: float | None = DEFAULT_MAX_SECONDS,
        compute_in_lambda: bool = False,
    ) -> Any:
        """Run `source` with `input` in the emulator and return the Execution.

        `source`: an ASL definition (a dict, JSON text, or a .json file) or a Python workflow
        (.py), compiled with pysfn_compile and run with its callees as local Lambda functions.
        `lambdas` maps Lambda function names or ARNs to `handler(event, context)`, or is a
        handlers module (a path: pysfn_emulator.handlers_from_file); for a workflow, a key may
        also name a callee (a function called in its place with its arguments), and a key that
        names neither a callee nor the workflow's Lambda function fails the test. Paths are
        read relative to the current directory, else to the test file's directory. `services`:
        local AWS services for Tasks that call AWS (a pysfn_emulator.LocalAws, a mapping
        {"service:action": handler(params)}, or a services module's path:
        pysfn_emulator.services_from_file); the registry used is `sfn_run.services` afterwards
        (for a workflow, a fresh empty LocalAws when none is given, as pysfn-emulate gives it).
        `callbacks` answer task tokens: for a workflow, {callee name: responder(token, payload)}
        answering its sfn.wait_for_callback(callee, payload) (the plain run's responders, see
        compare); for a definition, run()'s own {state name | resource | activity: responder}.
        `mock_config` is a Step Functions Local mock file
        (a dict or a path) and `test_case` the case of it to run. `max_transitions` and
        `max_seconds` are `run`'s guard against a runaway machine. `compute_in_lambda=True`
        compiles a workflow as `pysfn-compile --compute-in-lambda` does.
        """
        definition, label, compiled = self._load(source, entry, compute_in_lambda)
        options: dict[str, Any] = {
            "state_machine_name": state_machine_name,
            "execution_name": execution_name,
            "state_machine_type": state_machine_type,
            "start_time": start_time,
            "max_transitions": max_transitions,
            "max_seconds": max_seconds,
        }
        all_lambdas = self._lambdas(compiled, label, lambdas)
        if all_lambdas:
            options["lambdas"] = all_lambdas
        if services is None and compiled is not None:
            # a workflow's own run: an empty local AWS account, as pysfn-emulate workflow.py and
            # compare give it (a definition's service Tasks fail unless services are given)
            services = LocalAws()
        if services is not None:
            options["services"] = self.services = self._services(services)
        if callbacks:
            options["callbacks"] = self._callbacks(compiled, label, callbacks)
        if seed is not None:
            options["seed"] = seed
        if mock_config is not None or test_case is not None:
            if isinstance(mock_config, (str, os.PathLike)):
                mock_config = str(self._path(mock_config))
            options["mock_config"] = mock_config
            options["test_case"] = test_case
        return self._run(definition, label, input, options, getattr(compiled, "source_map", None))

    def compare(self, source: str | os.PathLike, input: Any = None, *, entry: str | None = None,
                start_time: datetime | str | None = None, seed: int | None = None,
                lambdas: Mapping[str, Any] | None = None, services: Any = None,
                callbacks: Mapping[str, Any] | None = None, compute_in_lambda: bool = False,
                **options: Any) -> Any:
        """Run the workflow `source` (.py) plainly as Python and compiled in the emulator, and
        fail the test unless both give the same output, or the same error and cause. Returns
        the Execution. `lambdas` that name callees are called in their places in both runs (a
        Lambda function's name or ARN, in the emulated run only); `callbacks`
        ({callee name: responder(token, payload)}) answer sfn.wait_for_callback in both runs.

        A workflow that calls AWS services runs both ways with equal local services: `services`
        as for `sfn_run(...)` (a LocalAws is copied for the plain run; the emulated run gets the
        one given), or a fresh LocalAws; the services' state must then agree too. The emulated
        run's registry is `sfn_run.services` afterwards. The data the workflow's module holds
        at its top level (where callees keep state: a fake table, a call log) is put back as it
        was when the workflow was loaded before each of the two runs, so both start equal."""
        path = self._path(source)
        if path.suffix != ".py":
            _fail(f"sfn_run.compare: {source}: needs a Python workflow (.py): a definition "
                  "has no plain Python to compare with")
        unknown = sorted(set(options) - _PASSED_ON)
        if unknown:  # (before either run: a typo ran the plain run, then failed with a traceback)
            _fail(f"sfn_run.compare: unexpected keyword argument {unknown[0]!r}; it takes "
                  f"{', '.join(sorted(_PASSED_ON | _keywords(SfnRun.compare)))}")
        compiled = self._compile(path, entry, compute_in_lambda)
        start_time = start_moment(start_time) if start_time is not None else datetime.now().astimezone()
        names = {"execution_name": options.pop("execution_name", None) or workflows.EXECUTION_NAME,
                 "state_machine_name": options.pop("state_machine_name", None)}
        plain_aws, emulated_aws = self._services_both_ways(services, compiled.definition)
        saved = self._module_data[id(compiled)]
        workflows.restore_module_data(compiled, saved)
        stand_ins = {name: function for name, function in (lambdas or {}).items() if name in getattr(compiled, "callees", {})}
        plain = workflows.run_plain(compiled, input, start_time=start_time, services=plain_aws,
                                    callbacks=callbacks, replaced=stand_ins, **names)
        workflows.restore_module_data(compiled, saved)
        execution = self(path, input, entry=entry, start_time=start_time, seed=seed,
                         lambdas=lambdas, services=emulated_aws, callbacks=callbacks,
                         compute_in_lambda=compute_in_lambda, **names, **options)
        emulated = workflows.outcome_of(execution)
        if plain != emulated:
            _fail(
                f"plain Python and the emulated state machine differ for {self._label(path, entry)}"
                f" with input {workflows._json_text(input)}:\n"
                f"  Python:   {plain.describe()}\n"
                f"  emulated: {emulated.describe()}")
        if plain_aws is not None:
            left, right = aws_services.comparable(plain_aws.snapshot()), aws_services.comparable(emulated_aws.snapshot())
            found = aws_services.difference(left, right)
            if found:
                _fail(f"{found} after running {self._label(path, entry)} with input "
                      f"{workflows._json_text(input)} both ways:\n"
                      f"  Python:   {workflows._json_text(left, 2000)}\n"
                      f"  emulated: {workflows._json_text(right, 2000)}")
        return execution

    def _services(self, services: Any) -> Any:
        """A LocalAws or mapping as given; a path loaded as a services module."""
        if isinstance(services, (str, os.PathLike)):
            try:
                return services_from_file(self._path(services))
            except HandlersError as problem:
                _fail(f"sfn_run: services={str(services)!r}: {problem}")
        if isinstance(services, Mapping):
            return LocalAws.of(services)
        if not isinstance(services, LocalAws):
            _fail("sfn_run: services= takes a pysfn_emulator.LocalAws, a mapping {'service:action': "
                  f"handler}} or a services module's path, not {type(services).__name__}")
        return services

    def _services_both_ways(self, services: Any, definition: Any) -> tuple[Any, Any]:
        """(plain run's registry, emulated run's registry), equal and separate; (None, None)
        when the workflow calls no AWS service and none is given."""
        if services is None:
            if not aws_services.uses_services(definition):
                return None, None
            return LocalAws(), LocalAws()
        if isinstance(services, (str, os.PathLike)):
            return self._services(services), self._services(services)
        emulated = self._services(services)
        return copy.deepcopy(emulated), emulated

    # -- loading ---------------------------------------------------------------------------------

    def _load(self, source: Any, entry: str | None, compute_in_lambda: bool = False) -> tuple[Any, str, dict | None]:
        if isinstance(source, Mapping):
            return source, "<definition>", None
        if isinstance(source, str) and source.lstrip().startswith("{"):
            return source, "<definition>", None
        path = self._path(source)
        label = self._label(path, entry)
        if path.suffix == ".py":
            compiled = self._compile(path, entry, compute_in_lambda)
            return compiled.definition, label, compiled
        if entry is not None or compute_in_lambda:
            _fail(f"sfn_run: {source}: {'entry=' if entry is not None else 'compute_in_lambda='} is for "
                  "Python workflows (.py)")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            _fail(f"sfn_run: {source}: cannot read the definition: "
                  f"{error.strerror or error}")
        try:
            return json.loads(text), label, None
        except json.JSONDecodeError as error:  # located as the command line locates it
            _fail(f"sfn_run: {path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}")
        except ValueError as error:
            _fail(f"sfn_run: {path}: invalid JSON: {error}")

    def _lambdas(self, compiled: Any, label: str, lambdas: Any) -> dict:
        """The handlers a run gets: a workflow's callees with `lambdas` replacing what they
        name (an unmatched name fails the test), or `lambdas` as given."""
        if isinstance(lambdas, (str, os.PathLike)):
            try:
                lambdas = handlers_from_file(self._path(lambdas))
            except HandlersError as problem:
                _fail(f"sfn_run: lambdas={str(lambdas)!r}: {problem}")
        if compiled is None:
            return dict(lambdas or {})
        if not lambdas:
            return compiled.local_lambdas()
        try:
            return compiled.local_lambdas(lambdas)
        except LookupError as problem:
            unmatched = problem.args[0]
        _fail(f"sfn_run: {label}: lambdas: {unmatched}")

    def _callbacks(self, compiled: Any, label: str, callbacks: Mapping[str, Any]) -> dict:
        """run()'s callbacks: a workflow's responders by callee name, or a definition's as given."""
        if compiled is None:
            return dict(callbacks)
        try:
            return workflows.callbacks_for(compiled, callbacks)
        except LookupError as problem:
            unmatched = problem.args[0]
        _fail(f"sfn_run: {label}: {unmatched}")

    def _path(self, source: str | os.PathLike) -> Path:
        path = Path(source)
        if path.is_absolute() or path.exists():
            return path
        beside_test = Path(self._request.path).parent / path
        return beside_test if beside_test.exists() else path

    def _label(self, path: Path, entry: str | None) -> str:
        try:
            text = str(path.resolve().relative_to(self._record.invocation_dir.resolve()))
        except ValueError:
            text = str(path)
        return f"{text}:{entry}" if entry else text

    def _compile(self, path: Path, entry: str | None, compute_in_lambda: bool = False) -> Any:
        try:
            key = (str(path.resolve()), entry, path.stat().st_mtime, compute_in_lambda)
        except OSError:
            key = (str(path), entry, 0.0, compute_in_lambda)
        if key not in self._compiled:
            try:
                # with --sfn-coverage, a coverage build: folded pure code records the branches it takes
                self._compiled[key] = workflows.compile_workflow(path, entry,
                                                                 coverage=self._record.coverage is not None,
                                                                 compute_in_lambda=compute_in_lambda)
                self._module_data[id(self._compiled[key])] = workflows.module_data(self._compiled[key])
            except workflows.WorkflowError as problem:
                _fail(f"sfn_run: {problem}")
        return self._compiled[key]

    # -- running ---------------------------------------------------------------------------------

    def _run(self, definition: Any, label: str, execution_input: Any, options: dict,
             source_map: Mapping[str, Any] | None = None) -> Any:
        import pysfn_emulator

        started = time.perf_counter()
        try:
            execution = pysfn_emulator.run(definition, execution_input, **options)
        except pysfn_emulator.DefinitionError as invalid:
            _fail(f"sfn_run: {label}: invalid state machine definition:\n"
                  + "\n".join(f"  {p}" for p in invalid.problems))
        except pysfn_emulator.NotSupportedError as unsupported:
            problems = "\n".join(f"  {p}" for p in unsupported.problems)
            _fail(f"sfn_run: {label}: valid, but not supported by pysfn yet:\n{problems}")
        except pysfn_emulator.InvalidExecutionInput as error:  # (StartExecution refuses it: no execution)
            _fail(f"sfn_run: {label}: {error}")
        except ValueError as error:  # MockConfigError: the mock file's problem, or a missing case
            if "test_case" not in options:
                raise
            _fail(f"sfn_run: mock config: {error}")
        wall = time.perf_counter() - started
        self.executions.append((label, execution_input, execution))
        self._record_session(definition, label, execution_input, execution, wall, source_map)
        return execution

    def _record_session(self, definition, label, execution_input, execution, wall, source_map=None) -> None:
        record = self._record
        if record.coverage is None and not record.keeps_executions:
            return
        name = label if label != "<definition>" else (
            _given_name(execution) or f"definition {coverage.machine_id(_as_dict(definition))}")
        if record.coverage is not None:
            record.coverage.add(_as_dict(definition), execution, name=name, source_map=source_map)
        if record.keeps_executions:
            record.executions.append(Recorded(self._request.node.nodeid, name, execution,
                                              execution_input, wall,
                                              coverage.walk(execution.history)))


def _keywords(function: Any) -> set[str]:
    return {name for name, parameter in inspect.signature(function).parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY}


# the keywords compare passes on to the emulated run as they are (the run's own, not compare's)
_PASSED_ON = frozenset(_keywords(SfnRun.__call__) - _keywords(SfnRun.compare))


def _given_name(execution: Any) -> str | None:
    """The state machine's name when the test gave one (the emulator's default is no name)."""
    arn = getattr(execution, "state_machine_arn", "") or ""
    name = arn.rsplit(":", 1)[-1]
    return None if name in ("", "pysfn-state-machine") else name


def _as_dict(definition: Any) -> Any:
    return json.loads(definition) if isinstance(definition, str) else definition


@pytest.fixture
def sfn_api() -> Any:
    """Step Functions in-process for boto3 (`pysfn_emulator.sfn_api.mock_aws`): every `stepfunctions`
    client the test makes talks to a fresh in-memory service, yielded so the test can give it
    Lambda handlers (`sfn_api.lambdas["name"] = handler`) or a mock file (`sfn_api.mock_config`)."""
    with mock_aws() as service:
        yield service


@pytest.fixture
def sfn_run(request: pytest.FixtureRequest) -> Iterator[SfnRun]:
    """Run Step Functions state machines in the pysfn emulator: `sfn_run(source, input, ...)`
    returns the Execution; `sfn_run.compare(workflow_py, input)` checks plain Python against
    the emulated state machine. For the test's duration the sfn clock is virtual, so a
    workflow the test calls plainly does not sleep for real (workflows.virtual_clock)."""
    with workflows.virtual_clock():
        yield SfnRun(request, request.config.stash[_STATE])


# --- failure output ----------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    runner = getattr(item, "funcargs", {}).get("sfn_run")
    if report.failed and call.when == "call" and isinstance(runner, SfnRun) and runner.executions:
        report.sections.append((SECTION, describe_executions(runner.executions)))
    return report


def describe_executions(executions: list[tuple[str, Any, Any]]) -> str:
    """What a user needs to see of each execution a failed test ran."""
    blocks = []
    for number, (label, execution_input, execution) in enumerate(executions, start=1):
        walked = coverage.walk(execution.history)
        lines = [f"#{number} {label} with input {workflows._json_text(execution_input, 200)}",
                 f"  status: {execution.status}"]
        if execution.status == "SUCCEEDED":
            lines.append(f"  output: {workflows._json_text(execution.output, 400)}")
        for label, value in (("error", execution.error), ("cause", execution.cause)):
            if value is not None:
                lines.append(f"  {label}:  {value}")
        if walked.failing_states:
            lines.append(f"  failed in state: {' > '.join(walked.failing_states)}")
        lines.append(f"  path: {format_path(walked)}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n"


def compress_loops(path: list[str], longest: int = _LONGEST_LOOP) -> list[str]:
    """Consecutive repeats of a run of up to `longest` states written once with a count:
    [A, B, C, B, C, B, C, D] -> [A, "(B -> C) x3", D]."""
    out: list[str] = []
    i = 0
    while i < len(path):
        best_length, best_count = 1, 1
        for length in range(1, longest + 1):
            block = path[i:i + length]
            count = 1
            while path[i + count * length:i + (count + 1) * length] == block:
                count += 1
            if count > 1 and count * length > best_count * best_length:
                best_length, best_count = length, count
        if best_count > 1:
            inner = " -> ".join(path[i:i + best_length])
            out.append(f"({inner}) x{best_count}" if best_length > 1 else f"{inner} x{best_count}")
        else:
            out.append(path[i])
        i += best_length * best_count
    return out


def _top_path(walked: coverage.Walk) -> list[str]:
    return [visit.name for visit in walked.visits if visit.depth == 0]


def format_path(walked: coverage.Walk) -> str:
    """The top-level states in order (nested states counted in brackets), long paths elided."""
    inner = {}
    for visit in walked.visits:
        if visit.depth > 0:
            inner[visit.name] = inner.get(visit.name, 0) + 1
    path = compress_loops(_top_path(walked))
    head, tail = _PATH_SHOWN
    if len(path) > head + tail + 1:
        path = [*path[:head], f"… {len(path) - head - tail} more …", *path[-tail:]]
    text = " -> ".join(path) or "(no state entered)"
    if inner:
        text += f"  [inside Parallel/Map: {len(inner)} states, {sum(inner.values())} visits]"
    return text


# --- session end: reports ----------------------------------------------------------------------


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    record = config.stash.get(_STATE, None)
    if record is None:
        return
    written = []
    if record.report_dir is not None:
        written += write_execution_report(record, Path(record.report_dir))
    if record.coverage is not None:
        terminalreporter.section("Step Functions state coverage")
        if record.coverage.machines:
            for line in record.coverage.format().splitlines():
                terminalreporter.write_line(line)
        else:
            terminalreporter.write_line("no executions")
        target = (Path(record.report_dir) if record.report_dir is not None
                  else record.invocation_dir) / COVERAGE_JSON
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(record.coverage.as_dict(), indent=1, ensure_ascii=False)
                          + "\n", encoding="utf-8")
        written.append(target)
    if written:
        terminalreporter.write_line("pysfn reports: " + ", ".join(str(p) for p in written))


def write_execution_report(record: SessionRecord, directory: Path) -> list[Path]:
    """`sfn-executions.json` (every execution) and `sfn-executions.md` (a summary table)."""
    directory.mkdir(parents=True, exist_ok=True)
    rows = [r.as_dict() for r in record.executions]
    json_path, md_path = directory / REPORT_JSON, directory / REPORT_MARKDOWN
    json_path.write_text(json.dumps({"executions": rows}, indent=1, ensure_ascii=False,
                                    default=str) + "\n", encoding="utf-8")
    md_path.write_text(_markdown(rows), encoding="utf-8")
    return [json_path, md_path]


def _markdown(rows: list[dict[str, Any]]) -> str:
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    tests = len({row["test"] for row in rows})
    counts = ", ".join(f"{n} {s.lower().replace('_', ' ')}" for s, n in sorted(statuses.items()))
    lines = ["# Step Functions executions", "",
             f"{len(rows)} executions in {tests} tests" + (f": {counts}." if rows else "."), ""]
    if rows:
        lines += ["| test | state machine | status | error | states entered | virtual time |",
                  "|---|---|---|---|---:|---:|"]
        for row in rows:
            seconds = row["virtual_seconds"]
            lines.append(f"| `{_cell(row['test'])}` | `{_cell(row['source'])}` | {row['status']} "
                         f"| {_cell(row['error'] or '')} | {row['states_entered']} "
                         f"| {'' if seconds is None else f'{seconds:g} s'} |")
    failed = [row for row in rows if row["status"] != "SUCCEEDED"]
    if failed:
        lines += ["", "## Executions that did not succeed", ""]
        for row in failed:
            where = " > ".join(row["failing_states"]) or "–"
            lines += [f"- `{_cell(row['test'])}`: **{row['status']}** in `{_cell(where)}`: "
                      f"`{_cell(row['error'] or '')}` {_cell(str(row['cause'] or ''))[:300]}"]
    return "\n".join(lines) + "\n"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
