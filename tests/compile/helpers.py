"""Run a workflow both ways, as plain Python and as the compiled machine in the emulator."""

from __future__ import annotations

import textwrap

import pysfn_emulator
from conformance.workflows import same_json as same
from pysfn_compile import CompileError, compile_source

HEADER = "from pysfn_compile import sfn\n"


def compile_text(source: str, path: str = "wf.py", entry: str | None = None, **options):
    """`options`: compile_source's keywords (compute_in_lambda=True). A source that starts with
    `from __future__ import ...` keeps it first, the header after it."""
    text = textwrap.dedent(source)
    if text.lstrip("\n").startswith("from __future__"):
        first, _, rest = text.lstrip("\n").partition("\n")
        return compile_source(first + "\n" + HEADER + rest, path=path, entry=entry, **options)
    return compile_source(HEADER + text, path=path, entry=entry, **options)


def emulate(compiled, payload):
    execution = pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas())
    return {"status": execution.status, "output": execution.output, "error": execution.error,
            "cause": execution.cause}


def both(source: str, *inputs, entry: str | None = None):
    """[(python result, emulated result)] for each input."""
    compiled = compile_text(source, entry=entry)
    return [(compiled.run_python(payload), emulate(compiled, payload)) for payload in inputs]


def assert_same(source: str, *inputs, entry: str | None = None, **options) -> list:
    """The workflow gives the same status, output, error and cause both ways, for each input."""
    compiled = compile_text(source, entry=entry, **options)
    results = []
    for payload in inputs:
        python, machine = compiled.run_python(payload), emulate(compiled, payload)
        assert same(machine, python), f"input {payload!r}:\n  python:  {python}\n  machine: {machine}"
        results.append(python)
    return results


def problems(source: str, entry: str | None = None, **options) -> list:
    """The compiler's problems for a workflow it must refuse ([] if it compiles)."""
    try:
        compile_text(source, entry=entry, **options)
    except CompileError as error:
        return error.problems
    return []


def refusal(source: str, entry: str | None = None, **options) -> str:
    found = problems(source, entry, **options)
    assert found, "the compiler accepted it"
    return "\n".join(str(p) for p in found)
