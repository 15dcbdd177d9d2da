"""The conformance reports beyond the corpus tables: examples run both ways, their graphs,
JUnit XML, and `python -m conformance` writing it all and failing on a mismatch."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest

from conformance import examples, junit
from conformance.__main__ import main
from conformance.corpus import corpus_dir
from conformance.runner import CaseResult, report_json, report_markdown
from pysfn_emulator import graph

GREET = {"StartAt": "Greet", "States": {"Greet": {
    "Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello {}', $.name)"},
    "End": True}}}
REFUSE = {"StartAt": "Refuse", "States": {"Refuse": {"Type": "Fail", "Error": "ValueError",
                                                      "Cause": "negative"}}}
CALL = {"StartAt": "Call", "States": {  # what a compiler might make of WORKFLOW
    "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "OutputPath": "$.Payload", "Parameters": {"FunctionName": "dispatch", "Payload.$": "$"},
             "Next": "Raised?"},
    "Raised?": {"Type": "Choice", "Default": "Return",
                "Choices": [{"Variable": "$.error", "IsPresent": True, "Next": "Raise"}]},
    "Raise": {"Type": "Fail", "ErrorPath": "$.error", "CausePath": "$.cause"},
    "Return": {"Type": "Pass", "OutputPath": "$.value", "End": True}}}
WORKFLOW = "def main(a, b=1):\n    if a < 0:\n        raise ValueError('negative')\n    return a + b\n"


def case(name, category="base", passed=True, listed=None, differences=()):
    return CaseResult(name=name, category=category, query_language="JSONPath", uses_lambda=False,
                      passed=passed, differences=tuple(differences), history_matched=None,
                      expected_failure=listed, seconds=0.25)


@pytest.fixture
def folder(tmp_path):
    """An examples folder: a definition with two inputs, and a workflow."""
    (tmp_path / "greet.asl.json").write_text(json.dumps(GREET))
    (tmp_path / "greet.input.json").write_text('{"name": "Ada"}')
    (tmp_path / "greet.inputs.json").write_text('[{"name": "Grace"}]')
    (tmp_path / "add.py").write_text(WORKFLOW)
    (tmp_path / "add.inputs.json").write_text('[{"a": 2}, {"a": -1}]')
    return tmp_path


class Compiled:
    def __init__(self, path, definition):
        self.definition = definition
        self.module = type("Module", (), {})()
        namespace: dict = {}
        exec(open(path).read(), namespace)
        self.module.main = namespace["main"]
        self.entry = "main"

    def local_lambdas(self):
        def dispatch(event, context):
            try:
                return {"value": self.module.main(**event)}
            except Exception as error:
                return {"error": type(error).__name__, "cause": str(error)}

        return {"dispatch": dispatch}


def add_differ(folder):
    """A workflow the stand-in compiler gets wrong."""
    (folder / "differ.py").write_text(WORKFLOW)
    (folder / "differ.inputs.json").write_text('[{"a": 2}]')


@pytest.fixture
def compiler(monkeypatch):
    """A stand-in pysfn_compile.compile_file: `add.py` compiles to a machine that calls main
    (agreeing with Python), `differ.py` to one that always fails (disagreeing)."""
    import pysfn_compile

    def compile_file(path, entry=None, lambda_arn=None):
        return Compiled(path, REFUSE if "differ" in path else CALL)

    monkeypatch.setattr(pysfn_compile, "compile_file", compile_file, raising=False)


# --- examples ----------------------------------------------------------------------------------


def test_find_examples_and_their_inputs(folder):
    found = examples.find_examples(folder)
    assert [p.name for p in found] == ["add.py", "greet.asl.json"]
    assert examples.inputs_of(folder / "greet.asl.json") == [
        ("input", {"name": "Ada"}), ("inputs[0]", {"name": "Grace"})]
    (folder / "bare.asl.json").write_text(json.dumps(GREET))
    assert examples.inputs_of(folder / "bare.asl.json") == [("input", {})]


def test_a_definition_example_runs_every_input(folder):
    result = examples.run_example(folder / "greet.asl.json")
    assert (result.kind, result.outcome, result.problem) == ("definition", "pass", None)
    assert [(r.label, r.status, r.emulated) for r in result.runs] == [
        ("input", "SUCCEEDED", 'returned {"greeting": "Hello Ada"}'),
        ("inputs[0]", "SUCCEEDED", 'returned {"greeting": "Hello Grace"}')]


def test_a_definition_example_that_is_refused_fails(folder):
    (folder / "bad.asl.json").write_text('{"StartAt": "Nowhere", "States": {}}')
    result = examples.run_example(folder / "bad.asl.json")
    assert result.outcome == "fail" and result.runs[0].detail.startswith("refused: ")
    (folder / "broken.asl.json").write_text("{")
    assert examples.run_example(folder / "broken.asl.json").problem.startswith("invalid JSON")


def test_a_workflow_without_the_compiler_is_skipped(folder, monkeypatch):
    import pysfn_compile

    monkeypatch.delattr(pysfn_compile, "compile_file", raising=False)
    result = examples.run_example(folder / "add.py")
    assert result.outcome == "skip" and "compile_file is not available" in result.problem


def test_a_workflow_runs_both_ways_and_agrees(folder, compiler):
    result = examples.run_example(folder / "add.py")
    assert result.outcome == "pass"
    assert [(r.python, r.emulated) for r in result.runs] == [
        ("returned 3", "returned 3"), ("raised ValueError: negative", "raised ValueError: negative")]


def test_a_workflow_whose_machine_differs_fails(folder, compiler):
    add_differ(folder)
    result = examples.run_example(folder / "differ.py")
    assert result.outcome == "fail"
    run = result.runs[0]
    assert (run.detail, run.python, run.emulated) == (
        "plain Python and the emulated machine differ", "returned 3",
        "raised ValueError: negative")


def test_graph_page_draws_each_run(folder):
    page = examples.graph_page(examples.run_example(folder / "greet.asl.json"))
    assert page.startswith("# `greet.asl.json`\n\n## input: `{\"name\": \"Ada\"}`")
    blocks = page.split("```mermaid\n")[1:]
    assert len(blocks) == 2
    for block in blocks:
        chart = graph.parse(block.split("```", 1)[0])
        assert chart.classes["visited"] == {"s0"}


# --- the Markdown and JSON reports -------------------------------------------------------------


def test_markdown_puts_examples_first_with_their_graphs(folder, compiler):
    results = examples.run_examples(examples.find_examples(folder))
    text = report_markdown([case("a")], None, results)
    assert text.startswith("# Conformance\n\n## Examples\n\n**2/2 examples pass**; 0 fail, 0 skipped.")
    assert "| [`add.py`](graphs/add.md) | `{\"a\": -1}` | pass | raised ValueError: negative |" in text
    assert "### `greet.asl.json`, input\n\n```mermaid\nflowchart TD" in text
    assert "\n## Conformance with the AWS-recorded corpus\n" in text  # one level down
    assert report_markdown([case("a")]).startswith("# Conformance with the AWS-recorded corpus")


def test_json_report_lists_examples(folder, compiler):
    results = examples.run_examples(examples.find_examples(folder))
    report = json.loads(json.dumps(report_json([case("a")], None, results)))
    assert report["summary"]["examples"] == {"examples": 2, "passed": 2, "failed": 0, "skipped": 0}
    assert report["examples"][0]["runs"][1] == {
        "input_label": "inputs[1]", "input": {"a": -1}, "outcome": "pass", "detail": "",
        "python": "raised ValueError: negative", "emulated": "raised ValueError: negative",
        "status": "FAILED", "seconds": report["examples"][0]["runs"][1]["seconds"]}
    assert "examples" not in report_json([case("a")])


# --- JUnit XML ----------------------------------------------------------------------------------


def test_junit_has_a_suite_per_category_and_one_for_examples(folder, compiler):
    add_differ(folder)
    results = [case("ok"), case("broken", passed=False, differences=["status: x != y", "more"]),
               case("known", category="timeouts", passed=False, listed="a known gap"),
               case("fixed", category="timeouts", listed="was broken"),
               case("ctl\x01char", category="timeouts")]
    example_results = examples.run_examples(examples.find_examples(folder))
    root = ElementTree.fromstring(junit.build(results, example_results))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("10", "3", "1")
    suites = {suite.get("name"): suite for suite in root}
    assert list(suites) == ["corpus.base", "corpus.timeouts", "examples"]
    base = suites["corpus.base"]
    assert (base.get("tests"), base.get("failures"), base.get("time")) == ("2", "1", "0.5000")
    failure = base.find("testcase[@name='broken']/failure")
    assert failure.get("message") == "status: x != y" and failure.text == "status: x != y\nmore"
    timeouts = suites["corpus.timeouts"]
    assert timeouts.find("testcase[@name='known']/skipped").get("message") == \
        "expected failure: a known gap"
    assert "expected_failures.txt" in timeouts.find("testcase[@name='fixed']/failure").get("message")
    assert timeouts.find("testcase[@name='ctlchar']") is not None
    differ = suites["examples"].find("testcase[@name='differ.py inputs[0]']/failure")
    assert differ.text == ("plain Python and the emulated machine differ\n"
                           "Python:   returned 3\nemulated: raised ValueError: negative")
    assert suites["examples"].find("testcase[@name='greet.asl.json input']").get("classname") == \
        "examples"


def test_junit_marks_an_example_that_cannot_compile(folder, monkeypatch):
    import pysfn_compile

    monkeypatch.delattr(pysfn_compile, "compile_file", raising=False)
    root = ElementTree.fromstring(junit.build([], [examples.run_example(folder / "add.py")]))
    skipped = root.find("testsuite/testcase[@name='add.py']/skipped")
    assert "compile_file is not available" in skipped.get("message")


# --- python -m conformance ----------------------------------------------------------------------

needs_corpus = pytest.mark.skipif(not corpus_dir().is_dir(), reason="AWS-recorded corpus not found")


@needs_corpus
def test_main_writes_every_report(folder, compiler, tmp_path, capsys):
    reports = tmp_path / "reports"
    status = main(["--filter", "test_base_cases_BASE_EMPTY", "--examples", str(folder),
                   "--report-dir", str(reports)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "examples: 2/2 passed, 0 failed, 0 skipped" in out
    assert sorted(p.name for p in reports.iterdir()) == [
        "conformance.json", "conformance.md", "graphs", "junit.xml"]
    assert sorted(p.name for p in (reports / "graphs").iterdir()) == ["add.md", "greet.md"]
    root = ElementTree.parse(reports / "junit.xml").getroot()
    assert root.get("failures") == "0" and int(root.get("tests")) > 2


@needs_corpus
def test_main_fails_when_an_example_differs(folder, compiler, tmp_path, capsys):
    add_differ(folder)
    status = main(["--filter", "test_base_cases_BASE_EMPTY", "--examples", str(folder),
                   "--report-dir", str(tmp_path / "reports")])
    out = capsys.readouterr().out
    assert status == 1
    assert ("example failed: differ.py: inputs[0]: plain Python and the emulated machine differ "
            "(Python returned 3; emulated raised ValueError: negative)") in out


@needs_corpus
def test_main_without_examples(tmp_path, capsys):
    status = main(["--filter", "test_base_cases_BASE_EMPTY", "--no-examples",
                   "--report-dir", str(tmp_path), "--junit", str(tmp_path / "out" / "j.xml")])
    assert status == 0
    assert (tmp_path / "out" / "j.xml").is_file() and not (tmp_path / "graphs").exists()
    assert "examples:" not in capsys.readouterr().out
