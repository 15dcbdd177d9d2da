"""Every example in examples/ compiles, passes the emulator's validation, and gives the same
result as plain Python on each of its inputs (failing ones included)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import pysfn_emulator
from conformance import services
from conformance.workflows import same_json as same
from pysfn_compile import compile_file, sfn

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.name.endswith(".services.py"))  # not its services
START = datetime(2026, 12, 3, 8, 30, 0, 125000, tzinfo=UTC)


def test_there_are_at_least_twelve_examples():
    assert len(NAMES) >= 12
    for name in NAMES:
        assert (EXAMPLES / f"{name}.inputs.json").exists(), name


@pytest.mark.parametrize("name", NAMES)
def test_example_equal_both_ways(name):
    compiled = compile_file(EXAMPLES / f"{name}.py")
    assert pysfn_emulator.validate(compiled.definition) == []
    inputs = json.loads((EXAMPLES / f"{name}.inputs.json").read_text())
    assert len(inputs) >= 3
    statuses = set()
    make_services = services.registry_maker(EXAMPLES / f"{name}.py", compiled.definition) or pysfn_emulator.LocalAws
    responders = getattr(compiled.module, "RESPONDERS", {})  # who answers its callbacks, both ways
    for payload in inputs:
        plain_aws, machine_aws = make_services(), make_services()  # sfn.aws calls, S3 items
        with sfn.virtual_clock(START, execution_name="example"):  # the same execution both ways
            python = compiled.run_python(payload, virtual_clock=False, services=plain_aws, callbacks=responders)
        execution = pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas(),
                                       callbacks=compiled.local_callbacks(responders),
                                       start_time=START, execution_name="example", services=machine_aws)
        machine = {"status": execution.status, "output": execution.output, "error": execution.error,
                   "cause": execution.cause}
        assert same(machine, python), f"{name} {payload}"
        assert machine_aws.snapshot() == plain_aws.snapshot(), f"{name} {payload}: what the services hold"
        statuses.add(python["status"])
    assert statuses == {"SUCCEEDED", "FAILED"}, f"{name}: inputs should include failing ones"


def test_analyse_text_is_the_seed_example():
    compiled = compile_file(EXAMPLES / "analyse_text.py")
    execution = pysfn_emulator.run(compiled.definition, {"text": "a short example"},
                                   lambdas=compiled.local_lambdas())
    assert execution.output == "text starts with a, has 15 chars, 5 vowels, and 2 spaces"
    assert compiled.run_python({"text": "a short example"})["output"] == execution.output
