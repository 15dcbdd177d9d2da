"""Replacing what a workflow's Tasks call: by callee name, by the workflow's Lambda function
(name or ARN), or from a handlers module; a name that matches nothing is an error that says
what it could have matched (issue 11, item 5)."""

from __future__ import annotations

import json

import pytest

import pysfn_emulator
from pysfn_compile import compile_source
from pysfn_compile.emulate import main

WORKFLOW = """\
from pysfn_compile import sfn


def charge_card(order_id: str, amount: int) -> str:
    return f"real-{order_id}-{amount}"


@sfn.workflow
def checkout(order_id: str, amount: int) -> str:
    return charge_card(order_id, amount)
"""


@pytest.fixture
def compiled(tmp_path):
    return compile_source(WORKFLOW, str(tmp_path / "checkout.py"))


def run(compiled, lambdas):
    return pysfn_emulator.run(compiled.definition, {"order_id": "A", "amount": 3}, lambdas=lambdas)


def test_a_callee_replaced_by_name_is_called_with_its_arguments(compiled):
    calls = []

    def fake(order_id, amount):
        calls.append((order_id, amount))
        return "fake"

    execution = run(compiled, compiled.local_lambdas({"charge_card": fake}))
    assert (execution.status, execution.output, calls) == ("SUCCEEDED", "fake", [("A", 3)])


def test_a_replacement_is_held_to_the_callee_s_return_annotation(compiled):
    """A stand-in returning another type than the callee's annotation fails there, with the
    dispatcher's TypeError, as the callee would (a session-25 trial's mock returning a str for
    `-> int` failed later, in the machine's arithmetic, with JSONata's words)."""
    execution = run(compiled, compiled.local_lambdas({"charge_card": lambda order_id, amount: 7}))
    assert (execution.error, execution.cause) == ("TypeError", "charge_card() is annotated to return str, but returned an int")


@pytest.mark.parametrize("key", ["name", "arn"])
def test_the_workflow_function_replaced_by_name_or_arn_gets_the_dispatch_payload(compiled, key):
    name = compiled.function_name
    reference = name if key == "name" else f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    events = []

    def handler(event, context):
        events.append(event)
        return "whole"

    execution = run(compiled, compiled.local_lambdas({reference: handler}))
    assert execution.output == "whole"
    assert events == [{"function": "charge_card", "args": ["A", 3]}]


def test_an_override_matching_nothing_names_what_it_could_match(compiled):
    with pytest.raises(LookupError) as raised:
        compiled.local_lambdas({"chargeCard": lambda order_id, amount: "x"})
    message = raised.value.args[0]
    assert "'chargeCard' matches nothing" in message
    assert "its callees are charge_card" in message and repr(compiled.function_name) in message


def test_a_handlers_module_alias_does_not_count_as_unmatched(compiled):
    def fake(order_id, amount):
        return "fake"

    lambdas = compiled.local_lambdas({"charge_card": fake, "charge-card": fake})
    assert run(compiled, lambdas).output == "fake"


# --- handlers modules: one loader for the command line, the server and the fixture ---------------

CALLS_CHARGE_CARD = {"StartAt": "Charge", "States": {"Charge": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
    "Parameters": {"FunctionName": "charge-card", "Payload.$": "$"}, "End": True}}}

HANDLERS = """\
import json


def charge_card(event, context):
    return {"charged": event["total"], "by": context.function_name}


def _helper():
    pass
"""


def test_a_module_function_serves_its_name_and_the_name_with_dashes(tmp_path):
    path = tmp_path / "handlers.py"
    path.write_text(HANDLERS)
    handlers = pysfn_emulator.handlers_from_file(path)
    assert sorted(handlers) == ["charge-card", "charge_card"]
    execution = pysfn_emulator.run(CALLS_CHARGE_CARD, {"total": 5}, lambdas=handlers)
    assert execution.output == {"charged": 5, "by": "charge-card"}


def test_a_missing_handlers_module_is_a_handlers_error(tmp_path):
    with pytest.raises(pysfn_emulator.HandlersError, match="no such handlers module"):
        pysfn_emulator.handlers_from_file(tmp_path / "nope.py")
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('no')\n")
    with pytest.raises(pysfn_emulator.HandlersError, match="RuntimeError: no"):
        pysfn_emulator.handlers_from_file(broken)


def cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


def test_the_command_line_gives_a_definition_the_module_handlers(tmp_path, capsys):
    machine = tmp_path / "machine.json"
    machine.write_text(json.dumps(CALLS_CHARGE_CARD))
    (tmp_path / "handlers.py").write_text(HANDLERS)
    status, out, _ = cli(capsys, str(machine), "--input", '{"total": 2}',
                         "--lambdas", str(tmp_path / "handlers.py"))
    assert (status, json.loads(out)) == (0, {"charged": 2, "by": "charge-card"})


def test_a_missing_function_fails_as_on_aws_with_a_hint(tmp_path, capsys):
    machine = tmp_path / "machine.json"
    machine.write_text(json.dumps(CALLS_CHARGE_CARD))
    status, _, err = cli(capsys, str(machine), "--input", '{"total": 2}')
    assert status == 1
    assert "error: Lambda.ResourceNotFoundException" in err
    assert "Function not found: arn:aws:lambda:" in err and ":function:charge-card:$LATEST (Service: AWSLambda; Status Code: 404" in err
    assert ("hint: no local handler for the Lambda function 'charge-card': pass --lambdas "
            "handlers.py, a module with def charge_card(event, context)") in err


def test_the_command_line_replaces_a_workflow_callee_from_the_module(tmp_path, capsys):
    workflow = tmp_path / "checkout.py"
    workflow.write_text(WORKFLOW)
    (tmp_path / "fakes.py").write_text("def charge_card(order_id, amount):\n    return 'fake'\n")
    status, out, _ = cli(capsys, str(workflow), "--input", '{"order_id": "A", "amount": 1}',
                         "--lambdas", str(tmp_path / "fakes.py"))
    assert (status, json.loads(out)) == (0, "fake")
    (tmp_path / "typo.py").write_text("def charge(order_id, amount):\n    return 'fake'\n")
    status, _, err = cli(capsys, str(workflow), "--lambdas", str(tmp_path / "typo.py"))
    assert status == 2
    assert err.startswith(f"pysfn-emulate: --lambdas {tmp_path / 'typo.py'}: 'charge' matches nothing")
