"""`pysfn-emulate` (and the `pysfn-compile` placeholder): exit statuses, output shapes, and
bad input reported as one located message, never a traceback."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import pysfn_emulator
from pysfn_compile import cli as compile_cli
from pysfn_compile.emulate import main  # the console script: the emulator's CLI with the compiler
from pysfn_emulator import cli as emulator_cli
from pysfn_emulator.cli import format_history

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

GREET = {
    "StartAt": "Greet",
    "States": {
        "Greet": {
            "Type": "Pass",
            "Parameters": {"greeting.$": "States.Format('Hello {}', $.name)"},
            "End": True,
        }
    },
}
ECHO = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
BOOM = {
    "StartAt": "Boom",
    "States": {"Boom": {"Type": "Fail", "Error": "Boom", "Cause": "it broke"}},
}
SLOW = {
    "TimeoutSeconds": 5,
    "StartAt": "Sleep",
    "States": {"Sleep": {"Type": "Wait", "Seconds": 60, "End": True}},
}
CONTEXT = {
    "StartAt": "Look",
    "States": {
        "Look": {
            "Type": "Pass",
            "Parameters": {
                "execution.$": "$$.Execution.Name",
                "executionArn.$": "$$.Execution.Id",
                "machine.$": "$$.StateMachine.Name",
                "started.$": "$$.Execution.StartTime",
            },
            "End": True,
        }
    },
}
DANGLING = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}


def write(tmp_path: Path, name: str, content: object) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


# --- exit status 0 and 1 -------------------------------------------------------------------


def test_succeeded_prints_the_output_pretty_and_exits_0(tmp_path, capsys):
    definition = write(tmp_path, "greet.json", GREET)
    status, out, err = run_cli(capsys, definition, "--input", '{"name": "Ada"}')
    assert (status, err) == (0, "")
    assert json.loads(out) == {"greeting": "Hello Ada"}
    assert out == json.dumps({"greeting": "Hello Ada"}, indent=2) + "\n"


def test_input_defaults_to_an_empty_object_as_start_execution(tmp_path, capsys):
    status, out, _ = run_cli(capsys, write(tmp_path, "echo.json", ECHO))
    assert status == 0
    assert json.loads(out) == {}


def test_input_file(tmp_path, capsys):
    input_file = write(tmp_path, "in.json", '{"name": "Grace"}')
    status, out, _ = run_cli(capsys, write(tmp_path, "greet.json", GREET), "--input-file", input_file)
    assert status == 0
    assert json.loads(out) == {"greeting": "Hello Grace"}


def test_input_file_dash_reads_stdin(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"name": "Linus"}'))
    status, out, _ = run_cli(capsys, write(tmp_path, "greet.json", GREET), "--input-file", "-")
    assert status == 0
    assert json.loads(out) == {"greeting": "Hello Linus"}


def test_non_ascii_output_is_printed_as_is(tmp_path, capsys):
    status, out, _ = run_cli(capsys, write(tmp_path, "echo.json", ECHO), "--input", '"héllo ✓"')
    assert status == 0
    assert out == '"héllo ✓"\n'


def test_failed_prints_error_and_cause_on_stderr_and_exits_1(tmp_path, capsys):
    status, out, err = run_cli(capsys, write(tmp_path, "boom.json", BOOM))
    assert status == 1
    assert out == ""
    assert err.splitlines() == ["execution FAILED", "error: Boom", "cause: it broke"]


def test_timed_out_exits_1(tmp_path, capsys):
    status, out, err = run_cli(capsys, write(tmp_path, "slow.json", SLOW))
    assert status == 1
    assert out == ""
    assert err == "execution TIMED_OUT\n"  # AWS records no error or cause for a timeout


# --- --json ----------------------------------------------------------------------------------


def test_json_on_success(tmp_path, capsys):
    definition = write(tmp_path, "greet.json", GREET)
    status, out, err = run_cli(capsys, definition, "--input", '{"name": "Ada"}', "--json")
    assert (status, err) == (0, "")
    assert json.loads(out) == {
        "status": "SUCCEEDED", "output": {"greeting": "Hello Ada"}, "error": None, "cause": None}


def test_json_on_failure_keeps_the_exit_status(tmp_path, capsys):
    status, out, err = run_cli(capsys, write(tmp_path, "boom.json", BOOM), "--json")
    assert (status, err) == (1, "")
    assert json.loads(out) == {"status": "FAILED", "output": None, "error": "Boom", "cause": "it broke"}


def test_json_with_history_adds_the_events(tmp_path, capsys):
    definition = write(tmp_path, "echo.json", ECHO)
    status, out, _ = run_cli(capsys, definition, "--json", "--history",
                             "--start-time", "2024-01-01T00:00:00Z")
    result = json.loads(out)
    assert status == 0
    assert list(result) == ["status", "output", "error", "cause", "history"]
    events = result["history"]
    assert [event["type"] for event in events] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert events[0]["timestamp"].startswith("2024-01-01T00:00:00")
    assert [event["id"] for event in events] == [1, 2, 3, 4]


# --- --history -------------------------------------------------------------------------------


def test_history_prints_a_table_then_the_output(tmp_path, capsys):
    definition = write(tmp_path, "greet.json", GREET)
    status, out, _ = run_cli(capsys, definition, "--input", '{"name": "Ada"}', "--history",
                             "--start-time", "2024-01-01T00:00:00Z")
    assert status == 0
    table, output = out.split("\n\n", 1)
    lines = table.splitlines()
    assert lines[0].split() == ["id", "prev", "timestamp", "type", "state", "details"]
    assert lines[1].split()[:4] == ["1", "0", "2024-01-01T00:00:00.000+00:00", "ExecutionStarted"]
    assert lines[2].split()[:5] == ["2", "0", "2024-01-01T00:00:00.000+00:00", "PassStateEntered",
                                    "Greet"]  # previousEventId 0 is what AWS records here
    assert "PassStateExited" in lines[3] and 'output={"greeting":"Hello Ada"}' in lines[3]
    assert lines[4].split()[3] == "ExecutionSucceeded"
    assert json.loads(output) == {"greeting": "Hello Ada"}


def test_history_is_printed_for_a_failed_execution_too(tmp_path, capsys):
    status, out, err = run_cli(capsys, write(tmp_path, "boom.json", BOOM), "--history")
    assert status == 1
    assert "ExecutionStarted" in out
    last = out.strip().splitlines()[-1]
    assert "ExecutionFailed" in last and "error=Boom" in last and "cause=it broke" in last
    assert "error: Boom" in err


def test_history_table_names_the_state_an_event_belongs_to():
    start = datetime(2024, 1, 1)

    def event(id_, previous, type_, seconds=0, **details):
        kind = "stateEntered" if type_.endswith("Entered") else (
            "stateExited" if type_.endswith("Exited") else type_[0].lower() + type_[1:])
        return {"id": id_, "previousEventId": previous, "type": type_,
                "timestamp": start + timedelta(seconds=seconds),
                **({f"{kind}EventDetails": details} if details else {})}

    events = [
        event(1, 0, "ExecutionStarted", input="{}", inputDetails={"truncated": False}),
        event(2, 0, "ParallelStateEntered", name="Both", input="{}"),
        event(3, 2, "ParallelStateStarted"),
        event(4, 3, "TaskStateEntered", name="Call", input="{}"),
        event(5, 4, "TaskScheduled", 1, resource="invoke"),
        event(6, 5, "TaskSucceeded", 2, output="{}"),
        event(7, 6, "TaskStateExited", 2, name="Call", output="{}"),
        event(8, 7, "ParallelStateSucceeded", 2),
        event(9, 8, "ParallelStateExited", 2, name="Both", output="[{}]"),
        event(10, 9, "ExecutionFailed", 2, error="E", cause="x" * 300 + "\nmore"),
    ]
    lines = format_history(events).splitlines()
    states = {line.split()[3]: line.split()[4] for line in lines[2:-1]}
    assert states == {"ParallelStateEntered": "Both", "ParallelStateStarted": "Both",
                      "TaskStateEntered": "Call", "TaskScheduled": "Call", "TaskSucceeded": "Call",
                      "TaskStateExited": "Call", "ParallelStateSucceeded": "Both",
                      "ParallelStateExited": "Both"}
    assert lines[5].split()[:6] == ["5", "4", "2024-01-01T00:00:01.000", "TaskScheduled", "Call",
                                   "resource=invoke"]
    failed = lines[-1].split()
    assert failed[3] == "ExecutionFailed" and failed[4].startswith("error=E")  # no state name
    assert lines[-1].endswith("…") and len(lines[-1]) < 200
    column = lines[0].index("type")  # columns line up
    assert all(line[column:].startswith(item["type"])
               for line, item in zip(lines[1:], events, strict=True))


# --- names, clock and type reach the execution ------------------------------------------------


def test_names_and_start_time_reach_the_context_object(tmp_path, capsys):
    status, out, _ = run_cli(capsys, write(tmp_path, "context.json", CONTEXT),
                             "--execution-name", "nightly-1", "--state-machine-name", "Orders",
                             "--start-time", "2024-02-29T12:30:00Z")
    context = json.loads(out)
    assert status == 0
    assert context["execution"] == "nightly-1"
    assert context["machine"] == "Orders"
    assert context["executionArn"].endswith(":execution:Orders:nightly-1")
    assert context["started"].startswith("2024-02-29T12:30:00")


@pytest.fixture
def new_york_local_time(monkeypatch):
    """A local zone other than UTC, so a naive time taken as local time would show."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset")
def test_start_time_without_an_offset_is_utc(tmp_path, capsys, new_york_local_time):
    _, out, _ = run_cli(capsys, write(tmp_path, "context.json", CONTEXT),
                        "--start-time", "2024-02-29T12:30:00")
    started = json.loads(out)["started"]
    assert started.startswith("2024-02-29T12:30:00") and started.endswith("Z")


def test_state_machine_type_express(tmp_path, capsys):
    status, out, _ = run_cli(capsys, write(tmp_path, "context.json", CONTEXT),
                             "--state-machine-type", "EXPRESS", "--state-machine-name", "Quick",
                             "--execution-name", "e1")
    assert status == 0
    assert ":express:Quick:e1" in json.loads(out)["executionArn"]


# --- bad input: exit 2, one located message ---------------------------------------------------


def test_malformed_definition_names_file_line_and_column(tmp_path, capsys):
    definition = write(tmp_path, "broken.json", '{\n  "StartAt": "A",\n  "States": {,}\n}\n')
    status, out, err = run_cli(capsys, definition)
    assert (status, out) == (2, "")
    assert err == f"pysfn-emulate: {definition}:3:14: invalid JSON: Expecting property name " \
                  "enclosed in double quotes\n"


def test_malformed_input_argument_is_located(tmp_path, capsys):
    status, _, err = run_cli(capsys, write(tmp_path, "echo.json", ECHO), "--input", '{"a": 1,}')
    assert status == 2
    assert err.startswith("pysfn-emulate: --input:1:9: invalid JSON:")


def test_malformed_input_file_is_located(tmp_path, capsys):
    input_file = write(tmp_path, "in.json", '{\n  "a": tru\n}')
    status, _, err = run_cli(capsys, write(tmp_path, "echo.json", ECHO), "--input-file", input_file)
    assert status == 2
    assert err.startswith(f"pysfn-emulate: {input_file}:2:8: invalid JSON:")


def test_malformed_stdin_is_located(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("[1, 2"))
    status, _, err = run_cli(capsys, write(tmp_path, "echo.json", ECHO), "--input-file", "-")
    assert status == 2
    assert err.startswith("pysfn-emulate: <stdin>:1:6: invalid JSON:")


@pytest.mark.parametrize("text", ["NaN", '{"x": Infinity}', "-Infinity"])
def test_non_json_constants_are_refused(tmp_path, capsys, text):
    status, _, err = run_cli(capsys, write(tmp_path, "echo.json", ECHO), f"--input={text}")
    assert status == 2
    assert "--input: invalid JSON:" in err and "is not a JSON value" in err


def test_byte_order_mark_is_tolerated(tmp_path, capsys):
    definition = tmp_path / "bom.json"
    definition.write_bytes(b"\xef\xbb\xbf" + json.dumps(ECHO).encode())
    status, out, _ = run_cli(capsys, str(definition), "--input", "[1]")
    assert (status, json.loads(out)) == (0, [1])


def test_definition_that_is_not_utf8(tmp_path, capsys):
    definition = tmp_path / "latin1.json"
    definition.write_bytes(b'{"Comment": "caf\xe9"}')
    status, _, err = run_cli(capsys, str(definition))
    assert status == 2
    assert err == f"pysfn-emulate: {definition}: the definition is not UTF-8 text (byte 16)\n"


def test_missing_definition_file(tmp_path, capsys):
    missing = str(tmp_path / "nope.json")
    status, out, err = run_cli(capsys, missing)
    assert (status, out) == (2, "")
    assert err == f"pysfn-emulate: {missing}: cannot read the definition: No such file or directory\n"


def test_missing_input_file(tmp_path, capsys):
    missing = str(tmp_path / "nope.json")
    status, _, err = run_cli(capsys, write(tmp_path, "echo.json", ECHO), "--input-file", missing)
    assert status == 2
    assert err == f"pysfn-emulate: {missing}: cannot read the input file: No such file or directory\n"


def test_directory_as_definition(tmp_path, capsys):
    status, _, err = run_cli(capsys, str(tmp_path))
    assert status == 2
    assert err.startswith(f"pysfn-emulate: {tmp_path}: cannot read the definition:")


def test_invalid_definition_prints_every_problem_with_its_pointer(tmp_path, capsys):
    definition = write(tmp_path, "dangling.json", DANGLING)
    problems = pysfn_emulator.validate(DANGLING)
    assert any(problem.pointer.startswith("/States/A") for problem in problems)
    status, out, err = run_cli(capsys, definition)
    assert (status, out) == (2, "")
    lines = err.splitlines()
    assert lines[0].startswith(f"pysfn-emulate: {definition}: invalid state machine definition (")
    assert lines[1:] == [f"  {problem}" for problem in problems]


def test_feature_not_supported_yet_is_reported_with_its_pointer(tmp_path, capsys, monkeypatch):
    missing = pysfn_emulator.Problem("/States/Read/ItemReader", "Map ItemReader is not emulated yet")

    def refuse(*args, **kwargs):
        raise pysfn_emulator.NotSupportedError([missing])

    monkeypatch.setattr(pysfn_emulator, "run", refuse)
    definition = write(tmp_path, "echo.json", ECHO)
    status, out, err = run_cli(capsys, definition)
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"pysfn-emulate: {definition}: valid, but not supported by pysfn yet (1 problem):",
        "  /States/Read/ItemReader: Map ItemReader is not emulated yet",
    ]


@pytest.mark.parametrize("content", ["[]", '"just text"', "42", "null"])
def test_definition_that_is_not_an_object_is_refused(tmp_path, capsys, content):
    status, _, err = run_cli(capsys, write(tmp_path, "odd.json", content))
    assert status == 2
    assert "invalid state machine definition" in err


def test_python_workflow_without_the_compiler_exits_2(tmp_path, capsys, monkeypatch):
    import pysfn_compile

    monkeypatch.delattr(pysfn_compile, "compile_file", raising=False)
    workflow = write(tmp_path, "workflow.py", "def main():\n    return 1\n")
    status, _, err = run_cli(capsys, workflow, "--input", "{}")
    assert status == 2
    assert err == (f"pysfn-emulate: {workflow}: cannot compile Python workflows: no compiler in "
                   "this installation (pysfn_compile's pysfn-emulate brings one); pass an ASL "
                   "definition (.json)\n")


def test_the_emulator_alone_runs_no_python_workflow(tmp_path, capsys):
    """The emulator never imports the compiler: without one handed to it, a .py is refused."""
    workflow = write(tmp_path, "workflow.py", "def main():\n    return 1\n")
    status = emulator_cli.main([workflow, "--input", "{}"])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert err.startswith(f"pysfn-emulate: {workflow}: cannot compile Python workflows: no compiler")


@pytest.mark.parametrize("argv, complaint", [
    ([], "the following arguments are required: definition"),
    (["d.json", "--input", "{}", "--input-file", "in.json"], "not allowed with argument"),
    (["d.json", "--bogus"], "unrecognized arguments: --bogus"),
    (["d.json", "--inp", "{}"], "unrecognized arguments"),  # no abbreviations
    (["d.json", "--start-time", "yesterday"], "'yesterday' is not an ISO 8601 time"),
    (["d.json", "--execution-name", "has space"], "is not a valid name"),
    (["d.json", "--state-machine-name", "x" * 81], "is not a valid name"),
    (["d.json", "--state-machine-name", "a/b"], "is not a valid name"),
    (["d.json", "--state-machine-type", "FAST"], "invalid choice: 'FAST'"),
    (["d.json", "--test-case", "HappyPath"], "--test-case needs --mock-config FILE"),
    (["d.json", "--mock-config", "m.json"], "--mock-config needs --test-case NAME"),
    (["d.json", "--seed", "many"], "invalid int value: 'many'"),
])
def test_usage_errors_exit_2(capsys, argv, complaint):
    status, out, err = run_cli(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.startswith("usage: pysfn-emulate")
    assert complaint in err


def test_help_teaches_by_example(capsys):
    status, out, _ = run_cli(capsys, "--help")
    assert status == 0
    examples = out.split("examples:", 1)[1]
    assert examples.count("pysfn-emulate ") >= 3
    assert "--input-file -" in examples and "exit status" in examples


# --- --trace ----------------------------------------------------------------------------------


def test_trace_shows_each_state_with_its_input_and_output(tmp_path, capsys):
    status, out, _ = run_cli(capsys, write(tmp_path, "greet.json", GREET), "--trace",
                             "--input", '{"name": "Ada"}')
    assert status == 0
    trace, output = out.split("\n\n", 1)
    assert trace.splitlines() == [
        "  1. Greet (Pass)",
        '       input:  {"name":"Ada"}',
        '       output: {"greeting":"Hello Ada"}',
    ]
    assert json.loads(output) == {"greeting": "Hello Ada"}


def test_trace_indents_nested_states_and_says_where_it_failed(tmp_path, capsys):
    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True,
        "Branches": [{"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": True}}},
                     {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E"}}}]}}}
    status, out, err = run_cli(capsys, write(tmp_path, "both.json", definition), "--trace")
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == "  1. Both (Parallel)"
    assert "    2. Ok (Pass)" in lines and "    3. Boom (Fail)" in lines
    assert lines[-1] == "failed in: Both > Boom"
    assert err.splitlines()[:2] == ["execution FAILED", "error: E"]


def test_trace_cuts_long_values(tmp_path, capsys):
    status, out, _ = run_cli(capsys, write(tmp_path, "echo.json", ECHO), "--trace",
                             "--input", json.dumps({"text": "x" * 500}))
    assert status == 0
    value_line = out.splitlines()[1]
    assert value_line.endswith("…") and len(value_line) < 200


def test_json_with_trace_gives_whole_values(tmp_path, capsys):
    status, out, _ = run_cli(capsys, write(tmp_path, "greet.json", GREET), "--json", "--trace",
                             "--input", '{"name": "Ada"}')
    result = json.loads(out)
    assert status == 0
    assert result["trace"] == [{"state": "Greet", "type": "Pass", "depth": 0,
                                "input": {"name": "Ada"}, "output": {"greeting": "Hello Ada"},
                                "assigned": {}, "retries": 0, "errors": []}]


# --- --graph ----------------------------------------------------------------------------------


def test_graph_writes_a_markdown_page_with_the_path_taken(tmp_path, capsys):
    from pysfn_emulator import graph

    page = tmp_path / "run.md"
    status, out, _ = run_cli(capsys, str(EXAMPLES / "hello_world.asl.json"),
                             "--input-file", str(EXAMPLES / "hello_world.input.json"),
                             "--graph", str(page))
    assert status == 0 and json.loads(out)["total"] == 83  # the output is printed as ever
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {EXAMPLES / 'hello_world.asl.json'}\n\nExecution **SUCCEEDED**.")
    chart = graph.parse(text.split("```mermaid\n", 1)[1].split("```", 1)[0])
    assert "visited" in chart.classes and chart.link_styles


def test_graph_writes_bare_mermaid_for_other_names_even_when_the_run_fails(tmp_path, capsys):
    from pysfn_emulator import graph

    target = tmp_path / "boom.mmd"
    status, _, _ = run_cli(capsys, write(tmp_path, "boom.json", BOOM), "--graph", str(target))
    assert status == 1
    chart = graph.parse(target.read_text(encoding="utf-8"))
    assert chart.classes["failed"] == {"s0"}


def test_ctrl_c_is_one_line_and_exit_130(tmp_path, capsys, monkeypatch):
    """A KeyboardInterrupt (Ctrl-C during a long run, or raised by a handler) printed Python's
    traceback (a session-25 trial)."""
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pysfn_emulator, "run", interrupted)
    status, out, err = run_cli(capsys, write(tmp_path, "echo.json", ECHO))
    assert (status, out) == (130, "") and err.strip() == "pysfn-emulate: interrupted"


def test_graph_that_cannot_be_written_exits_2_before_the_run(tmp_path, capsys):
    """A graph path whose folder is missing, or that names an input (the definition itself: a
    new user's `--graph m.json` replaced it, session 25), is refused before the run: nothing
    printed, nothing replaced."""
    target = tmp_path / "no" / "such" / "dir.md"
    definition = write(tmp_path, "echo.json", ECHO)
    status, out, err = run_cli(capsys, definition, "--graph", str(target))
    assert (status, out) == (2, "")
    assert err == f"pysfn-emulate: --graph {target}: the folder {target.parent} does not exist\n"
    before = Path(definition).read_text()
    status, out, err = run_cli(capsys, definition, "--graph", definition)
    assert (status, out) == (2, "") and "is the definition: writing there would replace it" in err
    assert Path(definition).read_text() == before


# --- --seed, --mock-config, --test-case ------------------------------------------------------------


def test_seed_makes_names_and_random_values_repeat(tmp_path, capsys):
    definition = write(tmp_path, "rand.json", {"StartAt": "R", "States": {"R": {
        "Type": "Pass", "End": True,
        "Parameters": {"n.$": "States.MathRandom(1, 1000000)", "id.$": "$$.Execution.Name"}}}})
    first = run_cli(capsys, definition, "--seed", "7")
    assert first[0] == 0
    assert run_cli(capsys, definition, "--seed", "7") == first
    assert run_cli(capsys, definition, "--seed", "8")[1] != first[1]


CALL_F = {"StartAt": "Call", "States": {"Call": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
    "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": True}}}
MOCKS = {"StateMachines": {"Orders": {"TestCases": {"Happy": {"Call": "Five"},
                                                    "Sad": {"Call": "Boom"}}}},
         "MockedResponses": {"Five": {"0": {"Return": {"StatusCode": 200, "Payload": {"n": 5}}}},
                             "Boom": {"0": {"Throw": {"Error": "Boom", "Cause": "mocked"}}}}}


def test_mock_config_answers_task_states(tmp_path, capsys):
    definition, mocks = write(tmp_path, "call.json", CALL_F), write(tmp_path, "mocks.json", MOCKS)
    status, out, _ = run_cli(capsys, definition, "--mock-config", mocks, "--test-case", "Happy",
                             "--state-machine-name", "Orders")
    assert (status, json.loads(out)) == (0, {"n": 5})
    status, _, err = run_cli(capsys, definition, "--mock-config", mocks, "--test-case", "Sad",
                             "--state-machine-name", "Orders")
    assert status == 1 and err.splitlines()[:2] == ["execution FAILED", "error: Boom"]


def test_mock_config_from_the_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SFN_MOCK_CONFIG", write(tmp_path, "mocks.json", MOCKS))
    status, out, _ = run_cli(capsys, write(tmp_path, "call.json", CALL_F), "--test-case", "Happy")
    assert (status, json.loads(out)) == (0, {"n": 5})  # the file's only state machine


def test_mock_config_problems_exit_2(tmp_path, capsys):
    echo = write(tmp_path, "echo.json", ECHO)
    broken = write(tmp_path, "broken.json", "{")
    status, _, err = run_cli(capsys, echo, "--mock-config", broken, "--test-case", "T")
    assert (status, err) == (2, f"pysfn-emulate: {broken}:1:2: invalid JSON: Expecting property "
                                "name enclosed in double quotes\n")
    mocks = write(tmp_path, "mocks.json", MOCKS)
    status, _, err = run_cli(capsys, echo, "--mock-config", mocks, "--test-case", "Nope",
                             "--state-machine-name", "Orders")
    assert status == 2
    assert err.startswith(f"pysfn-emulate: {mocks}") and "'Nope'" in err
    assert err.count("\n") == 1
    wrong = write(tmp_path, "wrong.json", {"StateMachines": 3})
    status, _, err = run_cli(capsys, echo, "--mock-config", wrong, "--test-case", "T")
    assert status == 2 and err.startswith(f"pysfn-emulate: {wrong}") and "StateMachines" in err


# --- Python workflows ---------------------------------------------------------------------------


class FakeCompiled:
    """What pysfn_compile.compile_file returns, as far as the command line uses it."""

    def __init__(self, definition, lambdas):
        self.definition = definition
        self._lambdas = lambdas

    def local_lambdas(self, overrides=None):
        return {**self._lambdas, **(overrides or {})}


CALLING = {"StartAt": "Call", "States": {"Call": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
    "Parameters": {"FunctionName": "dispatch", "Payload.$": "$"}, "End": True}}}


ADD_WORKFLOW = """\
from pysfn_compile import sfn


def plus(a, b):
    return a + b


@sfn.workflow
def add(a: int, b: int) -> int:
    return plus(a, b)
"""


@pytest.fixture
def fake_compiler(monkeypatch):
    """pysfn_compile.compile_file replaced by one that records its calls and 'compiles' every
    workflow to CALLING, whose Task calls a local `dispatch` doubling `n`."""
    import pysfn_compile

    calls = []

    class CompileError(Exception):
        pass

    def compile_file(path, entry=None, lambda_arn=None, compute_in_lambda=False):
        calls.append((path, entry, compute_in_lambda))
        if "broken" in path:
            raise CompileError(f"{path}:3:5: 'while' loops are not supported\n  hint: use for")
        if "crash" in path:
            raise ImportError("No module named 'nowhere'")
        return FakeCompiled(CALLING, {"dispatch": lambda event, context: {"n": event["n"] * 2}})

    monkeypatch.setattr(pysfn_compile, "compile_file", compile_file, raising=False)
    return calls


def test_python_workflow_is_compiled_then_run_with_its_local_callees(tmp_path, capsys,
                                                                      fake_compiler):
    workflow = write(tmp_path, "double.py", "def main(n):\n    return n\n")
    status, out, err = run_cli(capsys, workflow, "--input", '{"n": 21}', "--entry", "main")
    assert (status, err) == (0, "")
    assert json.loads(out) == {"n": 42}
    assert fake_compiler == [(workflow, "main", False)]


def test_definition_with_source_runs_the_workflows_callees(tmp_path, capsys, fake_compiler):
    workflow = write(tmp_path, "double.py", "")
    definition = write(tmp_path, "double.json", CALLING)
    status, out, _ = run_cli(capsys, definition, "--source", workflow, "--input", '{"n": 2}')
    assert (status, json.loads(out)) == (0, {"n": 4})
    assert fake_compiler == [(workflow, None, False)]


def test_compute_in_lambda_reaches_the_compiler(tmp_path, capsys, fake_compiler):
    workflow = write(tmp_path, "double.py", "")
    definition = write(tmp_path, "double.json", CALLING)
    assert run_cli(capsys, workflow, "--input", '{"n": 2}', "--compute-in-lambda")[0] == 0
    assert run_cli(capsys, definition, "--source", workflow, "--input", '{"n": 2}', "--compute-in-lambda")[0] == 0
    assert fake_compiler == [(workflow, None, True), (workflow, None, True)]


def test_workflow_that_does_not_compile_is_reported_located(tmp_path, capsys, fake_compiler):
    workflow = write(tmp_path, "broken.py", "")
    status, out, err = run_cli(capsys, workflow)
    assert (status, out) == (2, "")
    assert err == (f"pysfn-emulate: {workflow}:3:5: 'while' loops are not supported\n"
                   "  hint: use for\n")


def test_workflow_that_crashes_while_compiling_exits_2(tmp_path, capsys, fake_compiler):
    workflow = write(tmp_path, "crash.py", "")
    status, _, err = run_cli(capsys, workflow)
    assert status == 2
    assert err == (f"pysfn-emulate: {workflow}: cannot compile: ImportError: No module named "
                   "'nowhere'\n")


@pytest.mark.parametrize("argv, complaint", [
    (["{tmp}/w.py", "--source", "{tmp}/w.py"], "only a definition (.json) takes --source"),
    (["{tmp}/echo.json", "--entry", "main"], "--entry: only a Python workflow"),
    (["{tmp}/missing.py"], "missing.py: cannot read the workflow: No such file or directory"),
])
def test_workflow_option_mistakes_exit_2(tmp_path, capsys, fake_compiler, argv, complaint):
    write(tmp_path, "w.py", "")
    write(tmp_path, "echo.json", ECHO)
    status, _, err = run_cli(capsys, *[arg.format(tmp=tmp_path) for arg in argv])
    assert status == 2
    assert complaint in err


def test_a_real_compiled_workflow_runs(tmp_path, capsys):
    import pysfn_compile

    if getattr(pysfn_compile, "compile_file", None) is None:
        pytest.skip("pysfn_compile.compile_file does not exist yet")
    workflow = write(tmp_path, "adding.py", ADD_WORKFLOW)
    status, out, err = run_cli(capsys, workflow, "--input", '{"a": 2, "b": 3}', "--trace")
    assert (status, err) == (0, "")
    assert json.loads(out.split("\n\n")[-1]) == 5
    assert "assign: $" in out  # a compiled workflow keeps its values in variables
    status, out, err = run_cli(capsys, write(tmp_path, "plain.py", "def f():\n    return 1\n"))
    assert status == 2
    assert err.startswith(f"pysfn-emulate: {tmp_path / 'plain.py'}:1:1: ")



MONEY_WORKFLOW = """\
from pysfn_compile import sfn


def prices(n: int) -> list[float]:
    return [1.5 * i for i in range(n)]


@sfn.workflow
def show(n: int) -> list[str]:
    xs = prices(n)
    return [f"{x:.3g} EUR" for x in xs]  # (fixed decimals, .2f, compile to JSONata; .3g does not)
"""


def test_the_hint_to_compute_in_lambda_names_a_flag_this_command_takes(tmp_path, capsys):
    import pysfn_compile

    if getattr(pysfn_compile, "compile_file", None) is None:
        pytest.skip("pysfn_compile.compile_file does not exist yet")
    workflow = write(tmp_path, "money.py", MONEY_WORKFLOW)
    status, out, err = run_cli(capsys, workflow, "--input", '{"n": 3}')
    assert (status, out) == (2, "")
    assert "(`--compute-in-lambda`)" in err
    status, out, err = run_cli(capsys, workflow, "--input", '{"n": 3}', "--compute-in-lambda")
    assert (status, err) == (0, "")
    assert json.loads(out) == ["0 EUR", "1.5 EUR", "3 EUR"]

# --- pipes --------------------------------------------------------------------------------------


def test_a_closed_pipe_is_not_an_error(tmp_path):
    definition = write(tmp_path, "echo.json", ECHO)
    big_input = write(tmp_path, "big.json", list(range(20_000)))  # under 256 KB
    script = "import sys; from pysfn_emulator.cli import main; sys.exit(main(sys.argv[1:]))"
    reader = subprocess.Popen([sys.executable, "-c", script, definition, "--input-file", big_input],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    reader.stdout.read(10)
    reader.stdout.close()  # like `| head -c 10`
    _, err = reader.communicate(timeout=60)
    assert reader.returncode == 0
    assert b"Traceback" not in err


# --- the main job and the installed command ---------------------------------------------------


def test_hello_world_example_succeeds(capsys):
    status, out, err = run_cli(capsys, str(EXAMPLES / "hello_world.asl.json"),
                               "--input-file", str(EXAMPLES / "hello_world.input.json"),
                               "--start-time", "2024-01-01T00:00:00Z")
    assert (status, err) == (0, "")
    order = json.loads(out)
    assert order["total"] == 36 + 35 + 12
    assert order["tags"] == ["gift", "fragile"]
    assert order["lines"] == [
        {"position": 0, "sku": "BOOK-42", "text": "2 x The Analytical Engine"},
        {"position": 1, "sku": "PEN-7", "text": "1 x Fountain pen (backordered)"},
        {"position": 2, "sku": "INK-3", "text": "3 x Blue ink"},
    ]
    assert order["confirmation"] == {
        "to": "ada@example.com",
        "subject": "Order A-1001 confirmed",
        "body": "Hello Ada Lovelace, your 3 items come to 83 EUR.",
    }
    assert order["boxes"] == [["BOOK-42", "PEN-7"], ["INK-3"]]
    assert order["backordered"] is True
    ordered = datetime.fromisoformat(order["orderedAt"].replace("Z", "+00:00"))
    shipped = datetime.fromisoformat(order["shipping"]["shippedAt"].replace("Z", "+00:00"))
    assert timedelta(days=1) <= shipped - ordered < timedelta(days=1, seconds=1)  # the Wait


def test_hello_world_example_rejects_an_empty_order(capsys):
    status, out, err = run_cli(capsys, str(EXAMPLES / "hello_world.asl.json"),
                               "--input", '{"order": {"id": "A-1002", "items": []}}')
    assert (status, out) == (1, "")
    assert err.splitlines() == ["execution FAILED", "error: OrderRejected",
                                "cause: the order has no items"]


def test_installed_console_script(tmp_path):
    command = shutil.which("pysfn-emulate")
    if command is None:
        pytest.skip("pysfn-emulate is not installed on PATH")
    definition = write(tmp_path, "greet.json", GREET)
    done = subprocess.run([command, definition, "--input-file", "-"], input='{"name": "Ada"}',
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == {"greeting": "Hello Ada"}
    broken = subprocess.run([command, write(tmp_path, "broken.json", "{")],
                            capture_output=True, text=True, timeout=60)
    assert broken.returncode == 2
    assert "Traceback" not in broken.stderr and "broken.json:1:2: invalid JSON" in broken.stderr


# --- pysfn-compile, until the compiler exists --------------------------------------------------


def test_compile_of_a_missing_file_exits_2_and_names_it(capsys, tmp_path):
    status = compile_cli.main([str(tmp_path / "workflow.py"), "-o", str(tmp_path / "out.json")])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert "workflow.py" in err and "Traceback" not in err
    assert not (tmp_path / "out.json").exists()


def test_compile_usage_errors_exit_2(capsys):
    assert compile_cli.main(["--bogus"]) == 2
    assert "usage: pysfn-compile" in capsys.readouterr().err


def test_source_serves_a_definition_compiled_with_another_lambda_arn(capsys, tmp_path):
    definition = tmp_path / "analyse.json"
    arn = "arn:aws:lambda:us-east-1:123456789012:function:orders"
    assert compile_cli.main([str(EXAMPLES / "analyse_text.py"), "--lambda-arn", arn, "-o", str(definition)]) == 0
    capsys.readouterr()
    status, out, err = run_cli(capsys, str(definition), "--source", str(EXAMPLES / "analyse_text.py"),
                               "--input", '{"text": "a short example"}')
    assert (status, err) == (0, "")
    assert json.loads(out) == "text starts with a, has 15 chars, 5 vowels, and 2 spaces"


def test_source_that_did_not_compile_the_definition_is_refused_before_the_run(capsys, tmp_path):
    definition = tmp_path / "analyse.json"
    assert compile_cli.main([str(EXAMPLES / "analyse_text.py"), "-o", str(definition)]) == 0
    capsys.readouterr()
    before = definition.read_bytes()
    status, out, err = run_cli(capsys, str(definition), "--source", str(EXAMPLES / "dice_stats.py"),
                               "--input", '{"text": "a b"}')
    assert (status, out) == (2, "")
    assert f"{definition} was not compiled from {EXAMPLES / 'dice_stats.py'} (its functions: roll_dice)" in err
    assert "state 'Call first_letter' calls 'first_letter'" in err and "count_spaces" in err
    assert "Traceback" not in err and "UnknownFunction" not in err
    assert definition.read_bytes() == before


def test_source_runs_a_definition_compiled_with_compute_in_lambda(capsys, tmp_path):
    """The definition calls the blocks the Lambda computes: --source finds them without the flag
    (it was refused with a hint to pass the flag the definition was compiled with)."""
    workflow = tmp_path / "stats.py"
    workflow.write_text("import math\nfrom pysfn_compile import sfn\n\n@sfn.workflow\ndef main(x):\n"
                        "    return f'{math.log(x):.3f}'\n")
    definition = tmp_path / "stats.json"
    assert compile_cli.main([str(workflow), "--compute-in-lambda", "-o", str(definition)]) == 0
    capsys.readouterr()
    status, out, err = run_cli(capsys, str(definition), "--source", str(workflow), "--input", '{"x": 10}')
    assert (status, err, json.loads(out)) == (0, "", "2.303")


def test_source_refuses_a_lambda_payload_naming_no_function(capsys, tmp_path):
    definition = tmp_path / "hand.json"
    definition.write_text(json.dumps({
        "QueryLanguage": "JSONata", "StartAt": "Fan", "States": {"Fan": {
            "Type": "Parallel", "End": True, "Branches": [{"StartAt": "Call", "States": {"Call": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                "Arguments": {"FunctionName": "pysfn-dice-stats", "Payload": {"x": 1}}}}}]}}}))
    status, out, err = run_cli(capsys, str(definition), "--source", str(EXAMPLES / "dice_stats.py"))
    assert (status, out) == (2, "")
    assert "state 'Call' passes pysfn-dice-stats a payload naming no function" in err


def test_source_leaves_a_payload_computed_at_run_time_to_the_run(capsys, tmp_path):
    definition = tmp_path / "computed.json"
    definition.write_text(json.dumps({
        "QueryLanguage": "JSONata", "StartAt": "Call", "States": {"Call": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True, "Output": "{% $states.result.Payload %}",
            "Arguments": {"FunctionName": "pysfn-dice-stats",
                          "Payload": {"function": "{% $states.input.f %}", "args": [2, 7]}}}}}))
    status, out, err = run_cli(capsys, str(definition), "--source", str(EXAMPLES / "dice_stats.py"),
                               "--input", '{"f": "roll_dice"}')
    assert (status, err) == (0, "")
    assert isinstance(json.loads(out), list)


# -- --callbacks: who answers .waitForTaskToken tasks ------------------------------------------------

_WAITING_MACHINE = {
    "QueryLanguage": "JSONata", "StartAt": "Ask",
    "States": {"Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                       "Arguments": {"QueueUrl": "q", "MessageBody": "{% $states.input %}"},
                       "TimeoutSeconds": 60, "End": True}},
}


def test_callbacks_module_answers_a_definitions_tasks_by_state_name(tmp_path, capsys):
    machine = tmp_path / "machine.json"
    machine.write_text(json.dumps(_WAITING_MACHINE))
    responders = tmp_path / "responders.py"
    responders.write_text("RESPONDERS = {'Ask': lambda token, payload: {'ok': payload['MessageBody']}}\n")
    assert main([str(machine), "--input", '"hi"', "--services", str(_empty_services(tmp_path)),
                 "--callbacks", str(responders), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output"] == {"ok": "hi"}


def test_without_callbacks_the_token_waits_until_its_timeout(tmp_path, capsys):
    machine = tmp_path / "machine.json"
    machine.write_text(json.dumps(_WAITING_MACHINE))
    assert main([str(machine), "--services", str(_empty_services(tmp_path)), "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["error"] == "States.Timeout"
    assert "hint: a Task waited for a task token nobody answered: pass --callbacks responders.py" in err


def test_callbacks_module_answers_a_workflows_callee_by_name(tmp_path, capsys):
    workflow = tmp_path / "approve.py"
    workflow.write_text(
        "from pysfn_compile import sfn\n\n"
        "def ask(request, token):\n    pass\n\n"
        "@sfn.workflow\n"
        "def main(amount):\n"
        "    answer = sfn.wait_for_callback(ask, {'amount': amount}, timeout=3600)\n"
        "    return answer['by']\n")
    responders = tmp_path / "responders.py"
    responders.write_text("def ask(token, request):\n    return {'by': 'boss' if request['amount'] > 10 else 'clerk'}\n")
    assert main([str(workflow), "--input", '{"amount": 50}', "--callbacks", str(responders), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output"] == "boss"
    stray = tmp_path / "stray.py"
    stray.write_text("def tell(token, request):\n    return 1\n")
    assert main([str(workflow), "--input", '{"amount": 50}', "--callbacks", str(stray)]) == 2
    err = capsys.readouterr().err
    assert "'tell' is not a callee the workflow waits on" in err and "Traceback" not in err


def test_missing_callbacks_module_exits_2(tmp_path, capsys):
    machine = tmp_path / "machine.json"
    machine.write_text(json.dumps(_WAITING_MACHINE))
    assert main([str(machine), "--callbacks", str(tmp_path / "none.py")]) == 2
    assert "no such responders module" in capsys.readouterr().err


def _empty_services(tmp_path: Path) -> Path:
    path = tmp_path / "services.py"
    path.write_text("import pysfn_emulator\nservices = pysfn_emulator.LocalAws()\n")
    return path


def test_an_empty_output_path_is_refused_before_anything_runs(capsys, tmp_path):
    """`-o ""` named a temporary file of the compiler's; `--graph ""` ran the execution, then
    failed to write."""
    workflow = str(EXAMPLES / "analyse_text.py")
    assert compile_cli.main([workflow, "-o", ""]) == 2
    assert "-o: the path is empty" in capsys.readouterr().err
    status, out, err = run_cli(capsys, workflow, "--input", '{"text": "a"}', "--graph", " ")
    assert (status, out) == (2, "")
    assert "--graph: the path is empty" in err
