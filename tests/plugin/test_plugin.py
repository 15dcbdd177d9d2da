"""The pytest plugin, tested as pytest tests plugins: a test file written into a temporary
project with `pytester`, run with `pytester.runpytest`, and its outcome and output checked."""

from __future__ import annotations

import json
from importlib import metadata

import pytest

pytest_plugins = ["pytester"]

ECHO = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
CHECK = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice",
                  "Choices": [{"Variable": "$.n", "NumericGreaterThan": 0, "Next": "Charge"}],
                  "Default": "Refuse"},
        "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
                   "OutputPath": "$.Payload",
                   "Catch": [{"ErrorEquals": ["Declined"], "Next": "Refuse"}],
                   "Next": "Done"},
        "Refuse": {"Type": "Fail", "Error": "Refused", "Cause": "nothing to charge"},
        "Done": {"Type": "Succeed"},
    },
}


@pytest.fixture
def project(pytester, monkeypatch):
    """A temporary project with two definitions; the plugin loaded with -p, and no other
    plugin auto-loaded (so an installed pysfn entry point does not register it twice)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makefile(".json", echo=json.dumps(ECHO), check=json.dumps(CHECK))
    return pytester


def run(pytester, *args):
    return pytester.runpytest("-p", "conformance.pytest_plugin", *args)


# --- the fixture's calls ------------------------------------------------------------------------


def test_runs_a_definition_file_a_dict_or_json_text(project):
    project.makepyfile(test_inner_machines="""
        import json

        ECHO = {"StartAt": "E", "States": {"E": {"Type": "Pass", "End": True}}}

        def test_file(sfn_run):
            ex = sfn_run("echo.json", {"x": 1})
            assert ex.status == "SUCCEEDED" and ex.output == {"x": 1}
            assert ex.path == ["Echo"] and ex.history[0]["type"] == "ExecutionStarted"
            assert ex.elapsed_seconds == 0

        def test_dict_and_text(sfn_run):
            assert sfn_run(ECHO, [1]).output == [1]
            assert sfn_run(json.dumps(ECHO), "a").output == "a"
            assert sfn_run.executions[0][0] == "<definition>"
    """)
    result = run(project)
    result.assert_outcomes(passed=2)


def test_options_reach_the_emulator(project):
    project.makepyfile(test_inner_options="""
        from datetime import datetime, timezone

        LOOK = {"StartAt": "L", "States": {"L": {"Type": "Pass", "End": True, "Parameters": {
            "name.$": "$$.Execution.Name", "machine.$": "$$.StateMachine.Name",
            "started.$": "$$.Execution.StartTime", "n.$": "States.MathRandom(1, 1000000)"}}}}

        def test_names_time_and_seed(sfn_run):
            start = datetime(2024, 1, 1, tzinfo=timezone.utc)
            ex = sfn_run(LOOK, {}, state_machine_name="Orders", execution_name="run-1",
                         start_time=start, seed=3)
            assert ex.output["name"] == "run-1" and ex.output["machine"] == "Orders"
            assert ex.output["started"].startswith("2024-01-01T00:00:00")
            again = sfn_run(LOOK, {}, start_time=start, seed=3, execution_name="run-1")
            assert again.output["n"] == ex.output["n"]
    """)
    run(project).assert_outcomes(passed=1)


def test_lambdas_are_called_and_paths_resolve_beside_the_test_file(project):
    project.mkdir("sub")
    (project.path / "sub" / "machine.json").write_text(json.dumps(CHECK))
    (project.path / "sub" / "test_inner_charge.py").write_text(
        "def charge(event, context):\n"
        "    return {'charged': event['n']}\n"
        "\n"
        "def test_charge(sfn_run):\n"
        "    ex = sfn_run('machine.json', {'n': 5}, lambdas={'charge': charge})\n"
        "    assert ex.status == 'SUCCEEDED' and ex.output == {'charged': 5}\n")
    run(project).assert_outcomes(passed=1)


def test_mock_config_answers_task_states(project):
    project.makefile(".json", mocks=json.dumps({
        "StateMachines": {"Orders": {"TestCases": {"Declined": {"Charge": "Declined"}}}},
        "MockedResponses": {"Declined": {"0": {"Throw": {"Error": "Declined", "Cause": "no"}}}}}))
    project.makepyfile(test_inner_mocks="""
        def test_declined(sfn_run):
            ex = sfn_run("check.json", {"n": 1}, mock_config="mocks.json", test_case="Declined",
                         state_machine_name="Orders")
            assert (ex.status, ex.error) == ("FAILED", "Refused")

        def test_unknown_case(sfn_run):
            sfn_run("check.json", {"n": 1}, mock_config="mocks.json", test_case="Nope",
                    state_machine_name="Orders")
    """)
    result = run(project)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*sfn_run: mock config: *mocks.json*'Nope'*"])


# --- failure output ------------------------------------------------------------------------------


def test_a_failing_assertion_shows_path_failing_state_error_and_cause(project):
    project.makepyfile(test_inner_fail="""
        def decline(event, context):
            raise type("Declined", (Exception,), {})("card expired")

        def test_order(sfn_run):
            ex = sfn_run("check.json", {"n": 3}, lambdas={"charge": decline})
            assert ex.status == "SUCCEEDED"
    """)
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*assert 'FAILED' == 'SUCCEEDED'*",
        "*- pysfn executions -*",
        '#1 check.json with input {"n": 3}',
        "  status: FAILED",
        "  error:  Refused",
        "  cause:  nothing to charge",
        "  failed in state: Refuse",
        "  path: Check -> Charge -> Refuse",
    ])


def test_a_passing_test_or_one_without_executions_gets_no_section(project):
    project.makepyfile(test_inner_quiet="""
        def test_passes(sfn_run):
            assert sfn_run("echo.json", 1).output == 1

        def test_fails_before_running(sfn_run):
            assert 1 == 2
    """)
    result = run(project)
    result.assert_outcomes(passed=1, failed=1)
    assert "pysfn executions" not in result.stdout.str()


def test_a_long_path_is_shortened_and_nested_states_counted(project):
    project.makepyfile(test_inner_loop="""
        LOOP = {"StartAt": "Start", "States": {
            "Start": {"Type": "Pass", "Result": 0, "ResultPath": "$.i", "Next": "More?"},
            "More?": {"Type": "Choice", "Choices": [
                {"Variable": "$.i", "NumericLessThan": 30, "Next": "Step"}], "Default": "Fan"},
            "Step": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)",
                                                    "items.$": "$.items"},
                     "Next": "More?"},
            "Fan": {"Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
                "StartAt": "Each", "States": {"Each": {"Type": "Pass", "End": True}}}}}}

        def test_loop(sfn_run):
            ex = sfn_run(LOOP, {"items": [1, 2]})
            assert ex.output == "done"
    """)
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "  path: Start -> (More? -> Step) x30 -> More? -> Fan"
        "  [[]inside Parallel/Map: 1 states, 2 visits[]]"])


@pytest.mark.parametrize("call, message", [
    ('sfn_run("missing.json", {})', "sfn_run: missing.json: cannot read the definition: "
                                    "No such file or directory"),
    ('sfn_run("broken.json", {})', "sfn_run: broken.json:1:2: invalid JSON: Expecting*"),
    ('sfn_run({"StartAt": "Nowhere", "States": {}}, {})',
     "sfn_run: <definition>: invalid state machine definition:"),
    ('sfn_run("echo.json", {}, entry="main")', "sfn_run: echo.json: entry= is for Python*"),
    ('sfn_run("echo.json", {"n": float("nan")})', "sfn_run: echo.json: Invalid State Machine Execution Input: NaN*"),
])
def test_bad_input_fails_with_one_clear_message(project, call, message):
    project.makefile(".json", broken="{")
    project.makepyfile(test_inner_bad=f"""
        def test_bad(sfn_run):
            {call}
    """)
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*{message}*"])
    assert "pytest_plugin.py" not in result.stdout.str()  # no traceback into the plugin


# --- Python workflows ---------------------------------------------------------------------------

FAKE_COMPILER = '''
import sys, types
import pytest
import pysfn_compile

PASS_INPUT = {"StartAt": "Add", "States": {"Add": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "dispatch", "Payload.$": "$"},
    "OutputPath": "$.Payload", "End": True}}}
REFUSE = {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "ValueError",
                                               "Cause": "negative"}}}


class Compiled:
    def __init__(self, path, definition, entry):
        self.definition = definition
        self.module = types.ModuleType("workflow")
        exec(open(path).read(), self.module.__dict__)
        self.entry = entry or "main"
        self.callees = ["add"]

    def local_lambdas(self, overrides=None):
        return {"dispatch": lambda event, context: self.module.main(**event), **(overrides or {})}


class CompileError(Exception):
    pass


def compile_file(path, entry=None, lambda_arn=None):
    if "broken" in path:
        raise CompileError(f"{path}:2:4: 'while' loops are not supported")
    return Compiled(path, REFUSE if "refuse" in path else PASS_INPUT, entry)


@pytest.fixture(autouse=True)
def fake_compiler(monkeypatch):
    monkeypatch.setattr(pysfn_compile, "compile_file", compile_file, raising=False)
'''

WORKFLOW = """
def add(a, b):
    return a + b

def main(a, b=1):
    if a < 0:
        raise ValueError("negative")
    return add(a, b)
"""


def test_a_python_workflow_is_compiled_and_run_with_its_callees(project):
    project.makeconftest(FAKE_COMPILER)
    project.makepyfile(workflow=WORKFLOW)
    project.makepyfile(test_inner_workflow="""
        def test_run(sfn_run):
            ex = sfn_run("workflow.py", {"a": 2, "b": 3})
            assert (ex.status, ex.output) == ("SUCCEEDED", 5)

        def test_user_lambdas_override_callees(sfn_run):
            ex = sfn_run("workflow.py", {"a": 2, "b": 3},
                         lambdas={"dispatch": lambda event, context: 99})
            assert ex.output == 99

        def test_compare_equal(sfn_run):
            ex = sfn_run.compare("workflow.py", {"a": 2})
            assert ex.output == 3
    """)
    run(project).assert_outcomes(passed=3)


def test_compare_fails_showing_both_results(project):
    project.makeconftest(FAKE_COMPILER)
    project.makepyfile(refuse=WORKFLOW)
    project.makepyfile(test_inner_compare="""
        def test_same_error(sfn_run):
            ex = sfn_run.compare("refuse.py", {"a": -1})
            assert ex.error == "ValueError"

        def test_differ(sfn_run):
            sfn_run.compare("refuse.py", {"a": 4})
    """)
    result = run(project)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        'plain Python and the emulated state machine differ for refuse.py with input {"a": 4}:',
        "  Python:   returned 5",
        "  emulated: raised ValueError: negative",
        "*- pysfn executions -*",
        "*  failed in state: No",
    ])


def test_compare_needs_a_python_workflow(project):
    project.makepyfile(test_inner_compare="""
        def test_json(sfn_run):
            sfn_run.compare("echo.json", {})
    """)
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*sfn_run.compare: echo.json: needs a Python workflow (.py)*"])


def test_a_workflow_that_does_not_compile_fails_located(project):
    project.makeconftest(FAKE_COMPILER)
    project.makepyfile(broken="while True:\n    pass\n")
    project.makepyfile(test_inner_broken="""
        def test_broken(sfn_run):
            sfn_run("broken.py", {})
    """)
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*sfn_run: *broken.py:2:4: 'while' loops are not supported*"])


def test_without_the_compiler_a_workflow_fails_clearly(project):
    project.makepyfile(workflow=WORKFLOW)
    project.makepyfile(test_inner_workflow="""
        import pysfn_compile

        def test_run(sfn_run, monkeypatch):
            monkeypatch.delattr(pysfn_compile, "compile_file", raising=False)
            sfn_run("workflow.py", {"a": 1})
    """)
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*sfn_run: workflow.py: cannot compile Python workflows: "
                                 "pysfn_compile.compile_file is not available*"])


def test_a_refused_workflow_fails_with_its_problem_once(project):
    """The compiler's refusal was shown twice, the second time as the exception pytest was
    handling ("During handling of the above exception ...": a session-25 trial)."""
    project.makepyfile(inner_async="""
        from pysfn_compile import sfn

        @sfn.workflow
        def main(x):
            async def f():
                pass
            return x
    """)
    project.makepyfile(test_inner_async="""
        def test_refused(sfn_run):
            sfn_run("inner_async.py", {"x": 1})
    """)
    result = run(project)
    result.assert_outcomes(failed=1)
    assert "During handling of the above exception" not in result.stdout.str()


def test_with_the_real_compiler(project):
    import pysfn_compile

    if getattr(pysfn_compile, "compile_file", None) is None:
        pytest.skip("pysfn_compile.compile_file does not exist yet")
    project.makepyfile(inner_add="""
        from pysfn_compile import sfn

        def plus(a, b):
            if a < 0:
                raise ValueError(f"{a} is negative")
            return a + b

        @sfn.workflow
        def add(a: int, b: int = 1) -> int:
            return plus(a, b)
    """)
    project.makepyfile(test_inner_real="""
        def test_both_ways(sfn_run):
            assert sfn_run.compare("inner_add.py", {"a": 2, "b": 3}).output == 5
            assert sfn_run.compare("inner_add.py", {"a": 2}).output == 3
            assert sfn_run.compare("inner_add.py", {"a": -2}).error == "ValueError"

        def test_run(sfn_run):
            ex = sfn_run("inner_add.py", {"a": -2})
            assert (ex.error, ex.cause) == ("ValueError", "-2 is negative")
    """)
    run(project).assert_outcomes(passed=2)


def test_compare_gives_each_run_the_input_as_the_test_wrote_it(project):
    """A workflow changing its annotated input in place (`user["credits"] -= used`): the plain
    run got the test's own dict and changed it, and the emulated run then started from 7 credits,
    not 10 (a session-26 trial: the comparison failed, showing the changed input)."""
    project.makepyfile(inner_billing="""
        from pysfn_compile import sfn

        @sfn.workflow
        def bill(users: list[dict], usage: list[int]):
            for i in range(len(users)):
                users[i]["credits"] -= usage[i]
            return users
    """)
    project.makepyfile(test_inner_billing="""
        def test_both_ways(sfn_run):
            payload = {"users": [{"credits": 10}], "usage": [3]}
            assert sfn_run.compare("inner_billing.py", payload).output == [{"credits": 7}]
            assert payload == {"users": [{"credits": 10}], "usage": [3]}
    """)
    run(project).assert_outcomes(passed=1)


def test_compare_starts_both_runs_from_the_module_data_as_loaded(project):
    """A callee that keeps state at module level (a retry counter): both runs of each
    comparison start from it as the workflow was loaded, so the emulated run does not see
    the calls the plain run made (it did: Python failed after two tries, the machine's first
    call was the third and succeeded). `sfn_run(...)` alone leaves the state as it is."""
    import pysfn_compile

    if getattr(pysfn_compile, "compile_file", None) is None:
        pytest.skip("pysfn_compile.compile_file does not exist yet")
    project.makepyfile(inner_flaky="""
        from pysfn_compile import sfn

        ATTEMPTS = {"count": 0}
        LOG = []

        def flaky(job):
            ATTEMPTS["count"] += 1
            LOG.append(job)
            if ATTEMPTS["count"] < 3:
                raise TimeoutError(f"{job} timed out")
            return f"{job}:done"

        @sfn.workflow
        def run_jobs(job, tries=2):
            for attempt in range(tries):
                try:
                    return flaky(job)
                except TimeoutError:
                    pass
            return "failed"
    """)
    project.makepyfile(test_inner_state="""
        import inner_flaky

        def test_both_ways(sfn_run):
            assert sfn_run.compare("inner_flaky.py", {"job": "a"}).output == "failed"
            assert sfn_run.compare("inner_flaky.py", {"job": "b", "tries": 3}).output == "b:done"
            assert sfn_run.compare("inner_flaky.py", {"job": "c"}).output == "failed"
    """)
    run(project).assert_outcomes(passed=1)


# --- --sfn-report and --sfn-coverage -------------------------------------------------------------

TWO_RUNS = """
def charge(event, context):
    return {"charged": event["n"]}

def test_charged(sfn_run):
    assert sfn_run("check.json", {"n": 2}, lambdas={"charge": charge}).status == "SUCCEEDED"

def test_refused(sfn_run):
    assert sfn_run("check.json", {"n": 0}).error == "Refused"

def test_echo(sfn_run):
    sfn_run("echo.json", {"x": 1})
"""


def test_sfn_report_writes_every_execution(project):
    project.makepyfile(test_inner_two=TWO_RUNS)
    result = run(project, "--sfn-report", "out")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["pysfn reports: out*sfn-executions.json, out*sfn-executions.md"])
    report = json.loads((project.path / "out" / "sfn-executions.json").read_text())
    rows = report["executions"]
    assert [(r["test"], r["source"], r["status"]) for r in rows] == [
        ("test_inner_two.py::test_charged", "check.json", "SUCCEEDED"),
        ("test_inner_two.py::test_refused", "check.json", "FAILED"),
        ("test_inner_two.py::test_echo", "echo.json", "SUCCEEDED"),
    ]
    assert rows[0]["path"] == ["Check", "Charge", "Done"] and rows[0]["output"] == {"charged": 2}
    assert rows[1]["failing_states"] == ["Refuse"] and rows[1]["cause"] == "nothing to charge"
    markdown = (project.path / "out" / "sfn-executions.md").read_text()
    assert "3 executions in 3 tests: 1 failed, 2 succeeded." in markdown
    assert "| `test_inner_two.py::test_refused` | `check.json` | FAILED | Refused | 2 | 0 s |" in markdown
    assert "- `test_inner_two.py::test_refused`: **FAILED** in `Refuse`: `Refused` nothing" in markdown


def test_sfn_coverage_prints_what_never_ran_and_writes_json(project):
    project.makepyfile(test_inner_two=TWO_RUNS)
    result = run(project, "--sfn-coverage")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([
        "*Step Functions state coverage*",
        "check.json: 2 executions, states 4/4 (100%), transitions 3/4 (75%)",
        "  never taken: Charge -> Refuse (Catch #1): catch Declined",
        "echo.json: 1 execution, states 1/1 (100%), transitions 0/0 (–)",
        "pysfn reports: *sfn-coverage.json",
    ])
    data = json.loads((project.path / "sfn-coverage.json").read_text())
    check = data["state_machines"][0]
    assert check["name"] == "check.json"
    assert check["never_taken"] == [{"from": "Charge", "to": "Refuse", "kind": "Catch",
                                     "index": 0, "label": "catch Declined"}]
    assert check["state_visits"] == {"Check": 2, "Charge": 1, "Refuse": 1, "Done": 1}


def test_sfn_report_onto_a_file_is_a_usage_error_before_the_tests(project):
    """`--sfn-report DIR` where DIR is a file ran every test, then failed with an INTERNALERROR
    (FileExistsError) when writing the report (a session-25 trial)."""
    project.makepyfile(test_inner_two=TWO_RUNS)
    (project.path / "out").write_text("mine")
    result = run(project, "--sfn-report", "out")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--sfn-report out: a file is there; give a directory*"])
    assert (project.path / "out").read_text() == "mine"


def test_sfn_coverage_goes_into_the_report_dir(project):
    project.makepyfile(test_inner_two=TWO_RUNS)
    run(project, "--sfn-coverage", "--sfn-report", "out").assert_outcomes(passed=3)
    assert (project.path / "out" / "sfn-coverage.json").is_file()
    assert not (project.path / "sfn-coverage.json").exists()


def test_sfn_coverage_with_no_executions(project):
    project.makepyfile(test_inner_none="def test_nothing():\n    pass\n")
    result = run(project, "--sfn-coverage")
    result.stdout.fnmatch_lines(["*Step Functions state coverage*", "no executions"])


def test_options_are_listed_in_help(project):
    result = run(project, "--help")
    result.stdout.fnmatch_lines(["pysfn: Step Functions state machines:",
                                 "*--sfn-report=DIR*", "*--sfn-coverage*"])


# --- installation ------------------------------------------------------------------------------


def test_installed_through_the_pytest11_entry_point():
    points = [p for p in metadata.entry_points(group="pytest11")
              if p.value == "conformance.pytest_plugin"]
    if not points:
        pytest.skip("the pytest11 entry point is not installed (setup.cfg, then pip install)")
    assert points[0].load().sfn_run


@pytest.mark.parametrize("path, shown", [
    ([], []),
    (["A", "B"], ["A", "B"]),
    (["A", "A", "A"], ["A x3"]),
    (["A", "B", "C", "B", "C", "B", "C", "D"], ["A", "(B -> C) x3", "D"]),
    (["A", "B", "A", "B", "A"], ["(A -> B) x2", "A"]),
])
def test_loops_in_a_path_are_written_once_with_a_count(path, shown):
    from conformance.pytest_plugin import compress_loops

    assert compress_loops(path) == shown


REAL_WORKFLOW = """
from pysfn_compile import sfn


def charge_card(order_id: str, amount: int) -> str:
    return "real"


@sfn.workflow
def checkout(order_id: str, amount: int) -> str:
    sfn.sleep(86400)
    return charge_card(order_id, amount)
"""


def test_workflow_lambdas_by_callee_name_or_module_and_unmatched_names_fail(project):
    project.makepyfile(checkout=REAL_WORKFLOW)
    project.makepyfile(fakes="def charge_card(order_id, amount):\n    return 'from module'\n")
    project.makepyfile(test_inner_overrides="""
        from pysfn_compile import sfn

        def test_by_callee_name(sfn_run):
            ex = sfn_run("checkout.py", {"order_id": "A", "amount": 1},
                         lambdas={"charge_card": lambda order_id, amount: "fake"})
            assert ex.output == "fake"

        def test_from_a_module(sfn_run):
            assert sfn_run("checkout.py", {"order_id": "A", "amount": 1},
                           lambdas="fakes.py").output == "from module"

        def test_a_plain_call_in_a_test_does_not_sleep_for_real(sfn_run):
            from checkout import checkout
            assert sfn.clock().virtual
            assert checkout("A", 1) == "real"  # sleeps a day on the sfn clock, instantly
            assert sfn.clock().slept == 86400

        def test_misspelt(sfn_run):
            sfn_run("checkout.py", {"order_id": "A", "amount": 1},
                    lambdas={"chargeCard": lambda order_id, amount: "fake"})
    """)
    result = run(project)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*sfn_run: checkout.py: lambdas: 'chargeCard' matches nothing "
                                 "*checkout.py calls: its callees are charge_card; its Lambda "
                                 "function is 'pysfn-checkout' (or its ARN)"])


FOLDED_WORKFLOW = '''
from pysfn_compile import sfn


def publish(text):
    return len(text)


@sfn.workflow
def main(xs: list[int]):
    total = 0
    for x in xs:
        if x > 10:
            total += x
    return publish(str(total))
'''


def test_sfn_coverage_builds_workflows_that_show_their_folded_branches(project):
    """With --sfn-coverage a .py workflow is a coverage build: the branches of its pure loop
    (folded into one state) count, and the one never taken is named."""
    project.makepyfile(folded=FOLDED_WORKFLOW)
    project.makepyfile(test_inner_folded="""
        def test_small(sfn_run):
            assert sfn_run("folded.py", {"xs": [1, 2]}).output == 1
    """)
    result = run(project, "--sfn-coverage")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["folded.py: 1 execution, source lines */* (100%), branches 3/4 (75%)*",
                                 "  branch never taken: line 12: if x > 10: (rule 1 to line 13, folded into Run For x in xs (line 11))"])


ORDER = """
from pysfn_compile import sfn


class Declined(Exception):
    pass


def charge(cents):
    return {"paid": cents}


@sfn.workflow
def order(cents):
    try:
        return charge(cents)
    except Declined as e:
        return {"declined": str(e)}
"""


def test_a_mock_raising_the_workflow_s_own_exception_class_is_caught_by_it(project):
    """The test imports the workflow's module and raises its class: the machine sees the
    name the workflow catches (it saw `order.Declined`, the compiler's own copy of the module
    holding another class object of that name, and nothing caught it)."""
    project.makepyfile(order=ORDER)
    project.makepyfile(test_inner_order="""
        import order

        def declined(cents):
            raise order.Declined("card expired")

        def test_declined(sfn_run):
            ex = sfn_run("order.py", {"cents": 5}, lambdas={"charge": declined})
            assert ex.output == {"declined": "card expired"}, (ex.error, ex.cause)

        def test_compare_calls_the_mock_in_both_runs(sfn_run):
            assert sfn_run.compare("order.py", {"cents": 5}, lambdas={"charge": declined}).output \
                == {"declined": "card expired"}
            assert sfn_run.compare("order.py", {"cents": 5}, lambdas={"charge": lambda cents: {"paid": 0}}).output \
                == {"paid": 0}
    """)
    run(project, "-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_compare_retries_a_mock_as_the_callee_s_task_does(project):
    """The mock stands in for a callee with @sfn.retry: the machine's Task retried it, the plain
    run called it once and reported TimeoutError (found by a new-user trial)."""
    project.makepyfile(flaky="""
        from pysfn_compile import sfn

        @sfn.retry(errors=[TimeoutError], max_attempts=3, interval=1)
        def fetch(key: str) -> str:
            return "real"

        @sfn.workflow
        def main(key: str):
            return fetch(key)
    """)
    project.makepyfile(test_flaky="""
        def test_first_attempt_fails(sfn_run):
            calls = []

            def flaky(key):
                calls.append(key)
                if len(calls) % 2:
                    raise TimeoutError("slow")
                return "ok"

            assert sfn_run.compare("flaky.py", {"key": "k"}, lambdas={"fetch": flaky}).output == "ok"
            assert len(calls) == 4  # two attempts in each run
    """)
    run(project, "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_compare_names_a_mock_s_own_class_as_the_lambda_does(project):
    """The test's own `Declined`, beside the workflow's class of that name, is uncaught both ways
    and named with its module both ways (the plain run said `Declined`, the machine
    `test_foreign.Declined`)."""
    project.makepyfile(shop="""
        from pysfn_compile import sfn

        class Declined(Exception):
            pass

        def charge(amount: int) -> str:
            return "ok"

        @sfn.workflow
        def main(amount: int):
            try:
                return charge(amount)
            except Declined as e:
                return "declined: " + str(e)
    """)
    project.makepyfile(test_foreign="""
        class Declined(Exception):
            pass

        def boom(amount):
            raise Declined("card expired")

        def test_compare(sfn_run):
            ex = sfn_run.compare("shop.py", {"amount": 5}, lambdas={"charge": boom})
            assert (ex.error, ex.cause) == ("test_foreign.Declined", "card expired")
    """)
    run(project, "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_compute_in_lambda_and_compare_s_keywords(project):
    """sfn_run(..., compute_in_lambda=True) was a TypeError from the plugin and compare ignored
    it; a keyword compare does not know ran the plain run, then failed with a traceback."""
    project.makepyfile(stats="""
        import math
        from pysfn_compile import sfn

        @sfn.workflow
        def main(x):
            return f"{math.log(x):.3f}"
    """)
    project.makepyfile(test_stats="""
        import pytest

        def test_run(sfn_run):
            assert sfn_run("stats.py", {"x": 10}, compute_in_lambda=True).output == "2.303"

        def test_compare(sfn_run):
            assert sfn_run.compare("stats.py", {"x": 10}, compute_in_lambda=True).output == "2.303"

        def test_typo(sfn_run):
            sfn_run.compare("stats.py", {"x": 10}, compute_in_lamda=True)
    """)
    result = run(project, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*sfn_run.compare: unexpected keyword argument 'compute_in_lamda'; it takes*"])
    assert "Traceback" not in result.stdout.str()
