"""Issue 10 item 5: the compiled seed example is small and readable, and coverage of a fully
tested workflow counts its source lines and branches, not the compiler's checks."""

from __future__ import annotations

import json
from pathlib import Path

import pysfn_emulator
from pysfn_compile import compile_file
from pysfn_emulator import coverage

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_the_seed_example_is_small():
    definition = compile_file(EXAMPLES / "analyse_text.py").definition
    assert len(definition["States"]) <= 8
    first = definition["States"][definition["StartAt"]]
    assert len(first["Choices"]) == 1  # the argument check: one rule
    assert max(len(text) for text in _strings(definition)) <= 1000
    size = len(json.dumps(definition, separators=(",", ":"), ensure_ascii=False).encode())
    assert size <= 5200  # was 10,187 (benchmarks/README.md)


def test_a_fully_tested_workflow_covers_its_lines_and_transitions():
    compiled = compile_file(EXAMPLES / "analyse_text.py")
    cov = coverage.Coverage()
    for text in ("a short example", ""):
        cov.add(compiled.definition, pysfn_emulator.run(compiled.definition, {"text": text},
                                                         lambdas=compiled.local_lambdas()), name="seed")
    data = cov.as_dict()["state_machines"][0]
    assert data["lines"]["covered"] == data["lines"]["total"] == 6  # lines 32-37
    assert data["transitions"]["covered"] == data["transitions"]["total"]
    assert data["states"]["covered"] == data["states"]["total"]
    assert data["checks"]["taken"] == 0


def test_an_assert_is_a_branch_and_a_key_lookup_a_check():
    from .helpers import compile_text

    definition = compile_text("""
        @sfn.workflow
        def main(n: int, d: dict[str, int], k: str):
            assert n > 0, "positive"
            return d[k]
    """).definition
    comments = [rule.get("Comment") for state in definition["States"].values()
                for rule in state.get("Choices", [])]
    assert "check: KeyError" in comments and "check: TypeError" in comments
    assert None in comments  # the assert's rule: the source's own branch
    assert not any(c == "check: AssertionError" for c in comments)
