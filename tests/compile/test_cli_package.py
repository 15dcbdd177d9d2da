"""pysfn-compile on the command line, the Lambda package, and the SAM template."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import pysfn_emulator
from pysfn_compile import compile_file
from pysfn_compile.cli import main
from pysfn_compile.package import sam_template
from pysfn_compile.runtime.dispatch import dispatch

from .deploy_checks import sam_transform

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ORDER = str(EXAMPLES / "order_processing.py")


def test_prints_the_definition(capsys):
    assert main([str(EXAMPLES / "analyse_text.py")]) == 0
    definition = json.loads(capsys.readouterr().out)
    assert pysfn_emulator.validate(definition) == []
    assert definition["QueryLanguage"] == "JSONata"


def test_writes_output_zip_and_template(tmp_path, capsys):
    out, archive, template = tmp_path / "order.json", tmp_path / "orders.zip", tmp_path / "template.yaml"
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:orders"
    assert main([ORDER, "-o", str(out), "--lambda-arn", arn, "--lambda-zip", str(archive), "--sam", str(template)]) == 0
    definition = json.loads(out.read_text())
    tasks = [s for s in definition["States"].values() if s["Type"] == "Task"]
    assert tasks and all(t["Arguments"]["FunctionName"] == arn for t in tasks)
    assert "43 states" in capsys.readouterr().err or definition
    assert sorted(zipfile.ZipFile(archive).namelist()) == [
        "handler.py", "order_processing.py", "pysfn_compile/__init__.py", "pysfn_compile/runtime/__init__.py",
        "pysfn_compile/runtime/aws.py", "pysfn_compile/runtime/dispatch.py", "pysfn_compile/runtime/sfn.py"]
    assert "CodeUri: \"" + str(archive) + "\"" in template.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pysfn-")]  # no temporary left


def test_the_zip_runs_on_its_own(tmp_path):
    """The package imports nothing but itself and the standard library: its handler runs the
    callees from the extracted zip in an interpreter without site-packages."""
    archive, unpacked = tmp_path / "orders.zip", tmp_path / "lambda"
    assert main([ORDER, "-o", str(tmp_path / "order.json"), "--lambda-zip", str(archive)]) == 0
    zipfile.ZipFile(archive).extractall(unpacked)
    event = {"function": "unit_price", "args": ["pear"], "kwargs": {}}
    script = f"import json, handler; print(json.dumps(handler.handler({event!r}, None)))"
    done = subprocess.run([sys.executable, "-S", "-c", script], cwd=unpacked, capture_output=True,
                          text=True, timeout=60, env={"PYTHONPATH": str(unpacked)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == 95


def test_problems_exit_2_without_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    bad.write_text("from pysfn_compile import sfn\n@sfn.workflow\ndef main(x: int):\n"
                   "    a = x @ 2\n    print(x, file=None)\n    return f'{x / 2:e}'\n")
    target = tmp_path / "keep.json"
    target.write_text("precious")
    assert main([str(bad), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "3 problems" in err and "Traceback" not in err
    assert f"{bad}:4:9: " in err and "hint:" in err
    assert target.read_text() == "precious"  # nothing written when compiling fails


@pytest.mark.parametrize("args, text", [
    (["missing.py"], "cannot read the workflow"),
    ([ORDER, "--entry", "nope"], "no module-level function 'nope'"),
    ([ORDER, "--lambda-arn", "not-an-arn"], "is not a Lambda function ARN"),
])
def test_bad_input(args, text, capsys):
    assert main(args) == 2
    assert text in capsys.readouterr().err


def test_an_output_that_would_replace_an_input_or_another_output_is_refused(tmp_path, capsys):
    """`-o wf.py` replaced the workflow with its definition, and `-o x --lambda-zip x` the
    definition with the zip (a session-25 trial): refused before compiling, nothing written."""
    workflow = tmp_path / "wf.py"
    workflow.write_text(Path(ORDER).read_text())
    source = workflow.read_text()
    for args, text in [(["-o", str(workflow)], f"-o {workflow} is the workflow"),
                       (["--graph", str(workflow)], f"--graph {workflow} is the workflow"),
                       (["-o", str(tmp_path / "x"), "--lambda-zip", str(tmp_path / "x")], "is also -o's file"),
                       (["-o", str(tmp_path)], "is a directory"),
                       (["--sam", str(tmp_path / "no" / "t.yaml")], "does not exist")]:
        assert main([str(workflow), *args]) == 2, args
        assert text in capsys.readouterr().err, args
    assert workflow.read_text() == source and not (tmp_path / "x").exists()


def test_a_definition_given_to_the_compiler_and_ctrl_c_say_so_in_one_line(tmp_path, capsys, monkeypatch):
    """`pysfn-compile good.json` ran the JSON as Python (NameError: name 'true'), and Ctrl-C
    printed Python's traceback (session-25 trial)."""
    definition = tmp_path / "good.json"
    definition.write_text('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')
    assert main([str(definition)]) == 2
    assert "is JSON: pysfn-compile compiles a Python workflow (.py)" in capsys.readouterr().err

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("pysfn_compile.cli.compile_file", interrupted)
    assert main([ORDER]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "pysfn-compile: interrupted" and "Traceback" not in err


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["--help"]) == 0


def test_console_script_runs(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pysfn_compile.cli", str(EXAMPLES / "analyse_text.py")],
                          capture_output=True, text=True)
    assert done.returncode == 0 and json.loads(done.stdout)["StartAt"]


def test_packaged_handler_dispatches_only_the_callees(tmp_path):
    compiled = compile_file(ORDER)
    archive = tmp_path / "orders.zip"
    assert main([ORDER, "-o", str(tmp_path / "d.json"), "--lambda-zip", str(archive)]) == 0
    folder = tmp_path / "lambda"
    zipfile.ZipFile(archive).extractall(folder)
    script = """
import json, sys
sys.path.insert(0, sys.argv[1])
import handler
out = {"price": handler.handler({"function": "unit_price", "args": ["melon"], "kwargs": {}}, None)}
for event in ({"function": "os_system", "args": [], "kwargs": {}},
              {"function": "charge", "args": ["blocked-x", 1], "kwargs": {}}, {"args": []}):
    try:
        handler.handler(event, None)
    except Exception as error:
        out[event.get("function", "none")] = [type(error).__name__, str(error)]
out["module"] = handler.dispatch.__module__
print(json.dumps(out))
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-S", "-c", script, str(folder)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["price"] == 450
    assert out["os_system"] == ["UnknownFunction", "'os_system' is not a function this state machine calls "
                                "(charge, release, reserve, unit_price)"]
    assert out["none"][1].startswith("the payload names no function ('function')")
    assert out["charge"] == ["PaymentDeclined", "card of blocked-x declined"]
    assert sorted(compiled.callees) == ["charge", "release", "reserve", "unit_price"]


def test_local_lambdas_use_the_same_dispatch():
    compiled = compile_file(ORDER)
    handler = compiled.local_lambdas()[compiled.lambda_arn]
    assert handler({"function": "unit_price", "args": ["pear"], "kwargs": {}}, None) == 95
    with pytest.raises(LookupError):
        handler({"function": "PRICES", "args": [], "kwargs": {}}, None)


def test_sam_template_accepted_by_cfn_lint_and_the_sam_translator(tmp_path):
    compiled = compile_file(ORDER)
    template = sam_template(compiled, "orders.zip")
    machine = template["Resources"]["StateMachine"]["Properties"]
    assert "${CalleesFunctionArn}" in json.dumps(machine["Definition"])
    path = tmp_path / "template.yaml"
    assert main([ORDER, "-o", str(tmp_path / "d.json"), "--lambda-zip", str(tmp_path / "orders.zip"),
                 "--sam", str(path)]) == 0
    cfn_lint = pytest.importorskip("cfnlint.api")
    matches = cfn_lint.lint_file(path)
    assert [str(m) for m in matches] == []
    out = sam_transform(template)
    types = {r["Type"] for r in out["Resources"].values()}
    assert {"AWS::Lambda::Function", "AWS::StepFunctions::StateMachine", "AWS::IAM::Role"} <= types


def test_sam_template_of_a_machine_calling_aws_services(tmp_path):
    """order_fulfilment.py calls DynamoDB and SNS: SAM policy templates for its literal table and
    topic (SAM makes the role), and cfn-lint accepts the template."""
    path = tmp_path / "template.yaml"
    assert main([str(EXAMPLES / "order_fulfilment.py"), "-o", str(tmp_path / "d.json"), "--lambda-zip",
                 str(tmp_path / "of.zip"), "--sam", str(path)]) == 0
    template = sam_template(compile_file(EXAMPLES / "order_fulfilment.py"), "of.zip")
    assert template["Resources"]["StateMachine"]["Properties"]["Policies"] == [
        {"LambdaInvokePolicy": {"FunctionName": {"Ref": "CalleesFunction"}}},
        {"DynamoDBCrudPolicy": {"TableName": "orders"}},
        {"SNSPublishMessagePolicy": {"TopicName": "order-events"}}]
    cfn_lint = pytest.importorskip("cfnlint.api")
    assert [str(m) for m in cfn_lint.lint_file(path)] == []


def test_sam_template_points_the_tasks_only_at_the_function(tmp_path):
    """The Tasks name the function `pysfn-<module>`; a workflow's own string equal to that name
    stays as it is in the template (it was replaced by the function's ARN, a silent difference)."""
    path = tmp_path / "orders.py"
    path.write_text("from pysfn_compile import sfn\n\ndef charge(x: int) -> int:\n    return x\n\n"
                    "@sfn.workflow\ndef main(x: int):\n    tag = 'pysfn-orders'\n    y = charge(x)\n"
                    "    return {'y': y, 'tag': tag}\n")
    compiled = compile_file(str(path))
    assert compiled.lambda_arn == "pysfn-orders"
    definition = sam_template(compiled, "orders.zip")["Resources"]["StateMachine"]["Properties"]["Definition"]
    tasks = [s for s in definition["States"].values() if s["Type"] == "Task"]
    assert [t["Arguments"]["FunctionName"] for t in tasks] == ["${CalleesFunctionArn}"]
    assert pysfn_emulator.run(definition, {"x": 3}, lambdas={"${CalleesFunctionArn}": compiled.local_lambdas()[
        compiled.lambda_arn]}).output == {"y": 3, "tag": "pysfn-orders"}


def test_the_dispatcher_turns_the_places_the_payload_names_into_floats():
    """"floats" (lowering/calls.py names where a value holds floats the JSON carries as ints):
    a position or keyword, then keys and positions, null for every item; a bool, a str, an
    absent key or position stay as they are; the rest of the value is untouched."""
    def show(a, b=None, c=None):
        return [a, b, c]

    event = {"function": "show", "args": [3, {"rate": 2, "n": 2, "ok": True}],
             "kwargs": {"c": [{"v": 1, "w": 1}, {"v": "x"}, {"w": 2}, [7]]},
             "floats": [[0], [1, "rate"], [1, "ok"], [1, "missing"], ["c", None, "v"], ["c", 9], ["d"]]}
    a, b, c = dispatch(event, {"show": show})
    assert repr(a) == "3.0" and repr(b) == "{'rate': 2.0, 'n': 2, 'ok': True}"
    assert repr(c) == "[{'v': 1.0, 'w': 1}, {'v': 'x'}, {'w': 2}, [7]]"
