"""Examples that call AWS services (conformance/services.py): each run gets a fresh LocalAws,
seeded by NAME.services.py when there is one, and a workflow's two runs must leave the services
in the same state."""

from __future__ import annotations

import contextlib
import json

import pytest

from conformance import examples
from conformance import services as aws_services

PUT = {"StartAt": "Put", "States": {"Put": {
    "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
    "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}}},
    "ResultSelector": {"ok": True}, "OutputPath": "$.ok", "End": True}}}
WORKFLOW = """
def main(id, extra=False):
    AWS[0].call("dynamodb", "putItem", {"TableName": "orders", "Item": {"id": {"S": id}}})
    if extra:
        AWS[0].call("dynamodb", "putItem", {"TableName": "orders", "Item": {"id": {"S": "extra"}}})
    return True
"""
SERVICES = "def setup(aws):\n    aws.dynamodb.create_table('orders', key='id', items=[{'id': 'seeded'}])\n"


class Compiled:
    """A stand-in compiled workflow whose plain run calls the registry it is given."""

    def __init__(self, path):
        self.definition = PUT
        self.entry = "main"
        self.registry: list = [None]
        namespace = {"AWS": self.registry}
        exec(open(path).read(), namespace)
        self.module = type("Module", (), {"main": staticmethod(namespace["main"])})()

    def local_lambdas(self):
        return {}

    @contextlib.contextmanager
    def plain_run(self, services=None):
        self.registry[0] = services
        yield


@pytest.fixture
def compiler(monkeypatch):
    import pysfn_compile

    monkeypatch.setattr(pysfn_compile, "compile_file", lambda path, entry=None, lambda_arn=None: Compiled(path),
                        raising=False)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "orders.py").write_text(WORKFLOW)
    (tmp_path / "orders.inputs.json").write_text('[{"id": "a"}, {"id": "b", "extra": true}]')
    (tmp_path / "orders.services.py").write_text(SERVICES)
    (tmp_path / "put.asl.json").write_text(json.dumps(PUT))
    (tmp_path / "put.input.json").write_text('{"id": "x"}')
    return tmp_path


def test_a_services_module_is_not_an_example(folder):
    assert [path.name for path in examples.find_examples(folder)] == ["orders.py", "put.asl.json"]


def test_each_run_gets_a_fresh_seeded_registry_and_their_states_must_agree(folder, compiler):
    result = examples.run_example(folder / "orders.py")
    first, second = result.runs
    assert (first.outcome, first.python, first.emulated) == ("pass", "returned true", "returned true")
    assert second.outcome == "fail"
    assert second.detail == "the AWS services' state differs at /dynamodb/orders/1/id/S"  # "extra" where "seeded" is


def test_a_definition_calling_services_gets_a_fresh_registry(folder):
    result = examples.run_example(folder / "put.asl.json")
    assert (result.outcome, result.runs[0].status) == ("pass", "SUCCEEDED")


def test_uses_services_looks_at_tasks_item_readers_and_result_writers():
    assert aws_services.uses_services(PUT)
    assert not aws_services.uses_services({"StartAt": "L", "States": {"L": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}})
    assert aws_services.uses_services({"States": {"M": {"ItemReader": {"Resource": "arn:aws:states:::s3:getObject"}}}})


def test_comparable_leaves_out_the_arns_step_functions_adds_to_events():
    snapshot = {"events": {"default": [{"EventId": "1", "Resources": [
        "arn:aws:sns:us-east-1:1:t", "arn:aws:states:us-east-1:1:execution:m:e", "arn:aws:states:us-east-1:1:stateMachine:m"]},
        {"EventId": "2", "Resources": ["arn:aws:states:us-east-1:1:execution:m:e"]}]}}
    assert aws_services.comparable(snapshot) == {"events": {"default": [
        {"EventId": "1", "Resources": ["arn:aws:sns:us-east-1:1:t"]}, {"EventId": "2"}]}}
    assert aws_services.difference({"a": [1, 2]}, {"a": [1]}) == "the AWS services' state differs at /a/1"
    assert aws_services.difference({"a": 1}, {"a": 1.0}) == "the AWS services' state differs at /a"
