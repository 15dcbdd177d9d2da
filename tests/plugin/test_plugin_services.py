"""The fixture's `services=`: local AWS services for `sfn_run(...)`, and for `sfn_run.compare`
equal registries both ways whose state must agree afterwards. The compiler is a stand-in whose
plain run sends the workflow's service calls to the registry it is given (as Seam 2's
`Compiled.plain_run(services)` does)."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

PUT = {"StartAt": "Put", "States": {"Put": {
    "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
    "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}}}, "ResultSelector": {"ok": True},
    "OutputPath": "$.ok", "End": True}}}

FAKE_COMPILER = '''
import contextlib, json, types
import pytest
import pysfn_compile

CURRENT = {}
DEFINITION = json.loads(DEFINITION_TEXT)


class Compiled:
    def __init__(self, path, entry):
        self.definition = DEFINITION
        self.module = types.ModuleType("workflow")
        self.module.CURRENT = CURRENT
        exec(open(path).read(), self.module.__dict__)
        self.entry = entry or "main"
        self.callees = []

    def local_lambdas(self, overrides=None):
        return dict(overrides or {})

    @contextlib.contextmanager
    def plain_run(self, services=None):
        CURRENT["aws"] = services
        try:
            yield
        finally:
            CURRENT.pop("aws", None)


def compile_file(path, entry=None, lambda_arn=None):
    return Compiled(path, entry)


@pytest.fixture(autouse=True)
def fake_compiler(monkeypatch):
    monkeypatch.setattr(pysfn_compile, "compile_file", compile_file, raising=False)
'''.replace("DEFINITION_TEXT", repr(json.dumps(PUT)))

WORKFLOW = """
def main(id, extra=False):
    aws = CURRENT["aws"]
    aws.call("dynamodb", "putItem", {"TableName": "orders", "Item": {"id": {"S": id}}})
    if extra:
        aws.call("dynamodb", "putItem", {"TableName": "orders", "Item": {"id": {"S": "extra"}}})
    return True
"""


@pytest.fixture
def project(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest(FAKE_COMPILER)
    pytester.makepyfile(workflow=WORKFLOW)
    pytester.makefile(".json", put=json.dumps(PUT))
    return pytester


def run(pytester, *args):
    return pytester.runpytest("-p", "conformance.pytest_plugin", *args)


def test_sfn_run_takes_a_registry_a_mapping_or_a_module(project):
    project.makepyfile(services_module="def setup(aws):\n    aws.dynamodb.create_table('orders', key='id')\n")
    project.makepyfile(test_inner_services="""
        from pysfn_emulator import LocalAws

        def test_registry(sfn_run):
            aws = LocalAws()
            ex = sfn_run("put.json", {"id": "a"}, services=aws)
            assert ex.output is True and sfn_run.services is aws
            assert aws.dynamodb.items("orders", plain=True) == [{"id": "a"}]

        def test_module(sfn_run):
            ex = sfn_run("put.json", {"id": "a"}, services="services_module.py")
            assert ex.output is True and sfn_run.services.dynamodb.tables["orders"].key == ("id",)

        def test_mapping(sfn_run):
            seen = []
            ex = sfn_run("put.json", {"id": "a"}, services={"dynamodb:putItem": lambda params: seen.append(params) or {}})
            assert ex.output is True and seen[0]["Item"] == {"id": {"S": "a"}}

        def test_bad(sfn_run):
            sfn_run("put.json", {"id": "a"}, services="nope.py")
    """)
    result = run(project)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*sfn_run: services='nope.py': nope.py: no such services module*"])


def test_compare_gives_both_runs_equal_registries_and_compares_their_state(project):
    project.makepyfile(test_inner_compare="""
        from pysfn_emulator import LocalAws

        def test_fresh_registries(sfn_run):
            ex = sfn_run.compare("workflow.py", {"id": "a"})
            assert ex.output is True
            assert sfn_run.services.dynamodb.items("orders", plain=True) == [{"id": "a"}]

        def test_a_given_registry_is_copied_for_the_plain_run(sfn_run):
            aws = LocalAws()
            aws.dynamodb.create_table("orders", key="id", items=[{"id": "old"}])
            sfn_run.compare("workflow.py", {"id": "a"}, services=aws)
            assert [item["id"] for item in aws.dynamodb.items("orders", plain=True)] == ["a", "old"]

        def test_state_differs(sfn_run):
            sfn_run.compare("workflow.py", {"id": "a", "extra": True})
    """)
    result = run(project)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*the AWS services' state differs at /dynamodb/orders/1 after running workflow.py with input*"])


def test_a_workflow_run_with_no_services_gets_an_empty_local_aws(project):
    """As pysfn-emulate workflow.py and compare do (sfn_run failed with
    ResourceNotRegistered where the command line printed the result)."""
    project.makepyfile(test_inner_default="""
        def test_default(sfn_run):
            ex = sfn_run("workflow.py", {"id": "a"})
            assert ex.output is True, (ex.error, ex.cause)
            assert sfn_run.services.dynamodb.items("orders", plain=True) == [{"id": "a"}]

        def test_a_definition_still_needs_services(sfn_run):
            assert sfn_run("put.json", {"id": "a"}).error == "pysfn.ResourceNotRegistered"
    """)
    run(project).assert_outcomes(passed=2)
