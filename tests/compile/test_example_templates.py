"""Every example workflow deploys as generated: its definition passes the project's validator and
statelint, and its SAM template passes cfn-lint and the SAM translator with a role that may
make every call the definition makes (issue 11, "Done when")."""

from __future__ import annotations

from pathlib import Path

import pytest

import pysfn_emulator
from pysfn_compile import compile_file
from pysfn_compile.package import sam_template

from .deploy_checks import allowed_actions, cfn_lint_problems, sam_transform, statelint_problems

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WORKFLOWS = [p for p in sorted(EXAMPLES.glob("*.py")) if not p.name.endswith(".services.py")]

# IAM actions named otherwise than the integration's action (Developer Guide, "How Step
# Functions generates IAM policies for integrated services"; Service Authorization Reference)
_ACTIONS = {"lambda:Invoke": ["lambda:InvokeFunction"], "s3:ListObjectsV2": ["s3:ListBucket"],
            "s3:HeadObject": ["s3:GetObject"]}
_SYNC = {"states:StartExecution": ["states:DescribeExecution", "states:StopExecution", "events:PutRule",
                                   "events:PutTargets", "events:DescribeRule"]}


def _states(graph: dict):
    for state in graph.get("States", {}).values():
        yield state
        for branch in state.get("Branches", []):
            yield from _states(branch)
        if "ItemProcessor" in state:
            yield from _states(state["ItemProcessor"])


def _action(resource: str) -> str:
    """`arn:aws:states:::dynamodb:putItem` -> dynamodb:PutItem; aws-sdk:<service>:<action> too."""
    parts = resource.removeprefix("arn:aws:states:::").split(".")[0].split(":")
    service, action = parts[-2:]
    service = {"sfn": "states", "eventbridge": "events"}.get(service, service)
    return f"{service}:{action[:1].upper()}{action[1:]}"


def needed_actions(definition: dict) -> set[str]:
    """The IAM actions the machine's role needs: its Tasks' calls, a `.sync` start's watching, a
    distributed Map's children and its ItemReader's and ResultWriter's objects."""
    needed: set[str] = set()
    for state in _states(definition):
        resource = state.get("Resource")
        if state.get("Type") == "Task" and isinstance(resource, str) and resource.startswith("arn:aws:states:::"):
            action = _action(resource)
            needed.update(_ACTIONS.get(action, [action]))
            if ".sync" in resource:
                needed.update(_SYNC.get(action, []))
        config = (state.get("ItemProcessor") or {}).get("ProcessorConfig") or {}
        if config.get("Mode") == "DISTRIBUTED":
            needed.update({"states:StartExecution", "states:DescribeExecution", "states:StopExecution"})
            for key in ("ItemReader", "ResultWriter"):
                if isinstance(state.get(key), dict):
                    needed.update(_ACTIONS.get(_action(state[key]["Resource"]), [_action(state[key]["Resource"])]))
    return needed


def _allowed(allowed: set[str], action: str) -> bool:
    return bool({action, action.split(":")[0] + ":*", "*"} & allowed)


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_example_definition_and_template_deploy(path, tmp_path):
    compiled = compile_file(path)
    assert pysfn_emulator.validate(compiled.definition) == []
    assert statelint_problems(compiled.definition) == []
    template = sam_template(compiled, f"{path.stem}.zip")
    assert cfn_lint_problems(template, tmp_path) == []
    definition = template["Resources"]["StateMachine"]["Properties"]["Definition"]
    allowed = allowed_actions(sam_transform(template))
    missing = sorted(a for a in needed_actions(definition) if not _allowed(allowed, a))
    assert missing == [], f"{path.name}: the role may not {missing}"


def test_needed_actions_read_the_resources():
    definition = {"States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listObjectsV2"},
        "C": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2"},
        "D": {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "States": {
            "E": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"}}},
              "ItemReader": {"Resource": "arn:aws:states:::s3:getObject"}}}}
    assert needed_actions(definition) == {
        "dynamodb:PutItem", "s3:ListBucket", "states:StartExecution", "states:DescribeExecution",
        "states:StopExecution", "events:PutRule", "events:PutTargets", "events:DescribeRule",
        "lambda:InvokeFunction", "s3:GetObject"}
    role = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {
        "Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "sns:*"], "Resource": "*"}]}}]}}}}
    assert allowed_actions(role) == {"dynamodb:GetItem", "sns:*"}
    assert not _allowed(allowed_actions(role), "dynamodb:PutItem")
    assert _allowed(allowed_actions(role), "sns:Publish")


def test_a_role_without_the_service_policies_is_caught():
    """The coverage check bites: order_fulfilment's template less its DynamoDB and SNS policies."""
    template = sam_template(compile_file(EXAMPLES / "order_fulfilment.py"), "of.zip")
    machine = template["Resources"]["StateMachine"]["Properties"]
    machine["Policies"] = machine["Policies"][:1]  # the callees' LambdaInvokePolicy only
    allowed = allowed_actions(sam_transform(template))
    assert sorted(a for a in needed_actions(machine["Definition"]) if not _allowed(allowed, a)) == [
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "sns:Publish"]
