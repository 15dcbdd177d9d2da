"""The outside linters a generated definition and SAM template must pass (statelint, cfn-lint,
the SAM translator), in one place so that every test filters them the same way. Each skips
the calling test when its tool is not installed (they are dev extras)."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from pysfn_compile.package import to_yaml


def statelint_problems(definition: dict) -> list[str]:
    """statelint's complaints, less those where statelint 3.1 is stricter than AWS: it wants an
    integer Seconds even in a JSONata Wait, which AWS runs (aws-recorded
    scenarios__TestBaseScenarios__test_wait_seconds_jsonata); it knows only MaxItems in an
    ItemReader's ReaderConfig, where AWS documents InputType and CSVHeaderLocation for
    s3:getObject (Developer Guide, "ItemReader (Map)"); and it knows neither a Map's Label
    (aws-recorded scenarios__TestBaseScenarios__test_map_state_label) nor a ResultWriter's
    WriterConfig (Developer Guide, "ResultWriter (Map)")."""
    statelint = pytest.importorskip("statelint.linter")
    return [str(p) for p in statelint.Linter.validate(definition)
            if not ("Seconds" in str(p) and "should be an Integer" in str(p))
            and not ("ReaderConfig" in str(p) and ("InputType" in str(p) or "CSVHeaderLocation" in str(p)))
            and not str(p).startswith(('Field "Label" not allowed', 'Field "WriterConfig" not allowed'))]


def cfn_lint_problems(template: dict, folder: Path) -> list[str]:
    """cfn-lint's matches for the template written as `pysfn-compile --sam` writes it."""
    cfn_lint = pytest.importorskip("cfnlint.api")
    path = folder / "template.yaml"
    path.write_text(to_yaml(template) + "\n", encoding="utf-8")
    return [str(m) for m in cfn_lint.lint_file(path)]


class _NoManagedPolicies:
    """The translator's managed-policy loader, offline."""

    def load(self):
        return {}


def sam_transform(template: dict) -> dict:
    """The CloudFormation the SAM translator makes of the template (CodeUri as `sam package`
    leaves it)."""
    translator = pytest.importorskip("samtranslator.translator.transform")
    template = copy.deepcopy(template)
    function = template["Resources"]["CalleesFunction"]["Properties"]
    function["CodeUri"] = "s3://bucket/" + str(function["CodeUri"])
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return translator.transform(template, {"AWS::Region": "us-east-1"}, _NoManagedPolicies())


def role_statements(transformed: dict) -> str:
    """Every IAM role's policies in the transformed template, as JSON text to search."""
    return json.dumps([r for r in transformed["Resources"].values() if r["Type"] == "AWS::IAM::Role"])


def allowed_actions(transformed: dict) -> set[str]:
    """The actions the transformed template's roles allow (on some resource)."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            if value.get("Effect") == "Allow" and "Action" in value:
                actions = value["Action"]
                found.update([actions] if isinstance(actions, str) else actions)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk([r for r in transformed["Resources"].values() if r["Type"] == "AWS::IAM::Role"])
    return found
