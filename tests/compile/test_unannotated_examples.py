"""Every example with its annotations removed, as people write workflows: it compiles and gives
the same result both ways on each of its inputs, or it is listed below as still refused.
The list is checked both ways (an example that starts compiling must leave it), so it can only
shrink."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import pysfn_emulator
from conformance import services
from conformance.workflows import same_json as same
from pysfn_compile import CompileError, compile_source, sfn

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.name.endswith(".services.py"))  # not its services
START = datetime(2026, 12, 3, 8, 30, 0, 125000, tzinfo=UTC)

# still refused without annotations, and why (the first problem the compiler reports)
STILL_REFUSED: dict[str, str] = {}


def without_annotations(source: str) -> str:
    """The module with no annotation on any function or module-level variable."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.returns = None
            arguments = node.args
            for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                             arguments.vararg, arguments.kwarg]:
                if argument is not None:
                    argument.annotation = None
    tree.body = [ast.Assign(targets=[s.target], value=s.value, lineno=s.lineno)
                 if isinstance(s, ast.AnnAssign) and s.value is not None else s for s in tree.body]
    return ast.unparse(ast.fix_missing_locations(tree))


def test_the_list_names_examples():
    assert set(STILL_REFUSED) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_example_without_annotations(name, tmp_path):
    source = without_annotations((EXAMPLES / f"{name}.py").read_text())
    assert "-> " not in source
    try:
        compiled = compile_source(source, path=str(tmp_path / f"{name}_unannotated.py"))
    except CompileError as error:
        if name in STILL_REFUSED:
            return
        raise AssertionError(f"{name} without annotations is refused:\n{error}") from None
    assert name not in STILL_REFUSED, f"{name} compiles now without annotations: take it off STILL_REFUSED"
    assert pysfn_emulator.validate(compiled.definition) == []
    responders = getattr(compiled.module, "RESPONDERS", {})  # who answers its callbacks, both ways
    make_services = services.registry_maker(EXAMPLES / f"{name}.py", compiled.definition) or pysfn_emulator.LocalAws
    for payload in json.loads((EXAMPLES / f"{name}.inputs.json").read_text()):
        plain_aws, machine_aws = make_services(), make_services()  # sfn.aws calls, a fresh account each way
        with sfn.virtual_clock(START, execution_name="example"):  # the same execution both ways
            python = compiled.run_python(payload, virtual_clock=False, callbacks=responders, services=plain_aws)
        execution = pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas(),
                                       callbacks=compiled.local_callbacks(responders), services=machine_aws,
                                       start_time=START, execution_name="example")
        machine = {"status": execution.status, "output": execution.output, "error": execution.error,
                   "cause": execution.cause}
        assert same(machine, python), f"{name} without annotations, input {payload}"
        assert machine_aws.snapshot() == plain_aws.snapshot(), f"{name} without annotations, input {payload}: services"
