"""Coverage of a compiled machine: "check: " Comments mark what a compiler added (counted apart),
"line N: " Comments name the source lines a state runs."""

from __future__ import annotations

import pysfn_emulator
from pysfn_emulator import coverage

DEFINITION = {
    "QueryLanguage": "JSONata",
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Choice", "Comment": "line 3: def main(n)",
                  "Choices": [{"Condition": "{% $type($states.input.n) != 'number' %}",
                               "Comment": "check: TypeError", "Next": "Raise TypeError"},
                              {"Condition": "{% $states.input.n > 0 %}", "Next": "Positive"}],
                  "Default": "Other"},
        "Positive": {"Type": "Pass", "Comment": "lines 4-5: if n > 0: return 'positive'",
                     "Output": "positive", "End": True},
        "Other": {"Type": "Pass", "Comment": "line 7: return 'other'", "Output": "other", "End": True},
        "Raise TypeError": {"Type": "Fail", "Error": "TypeError", "Cause": "n must be a number"},
    },
}


def test_checks_are_counted_apart_and_lines_reported():
    graph = coverage.structure(DEFINITION)
    assert graph.check_states == frozenset({"Raise TypeError"})
    assert [edge.key for edge in graph.check_edges] == ["Start -> Raise TypeError (Choice #1)"]
    assert list(graph.lines) == [3, 4, 5, 7]
    cov = coverage.Coverage()
    cov.add(DEFINITION, pysfn_emulator.run(DEFINITION, {"n": 1}), name="m")
    assert cov.format().splitlines() == [
        "m: 1 execution, source lines 3/4 (75%), branches 1/2 (50%), states 2/3 (67%), "
        "transitions 1/2 (50%); 1 compiler checks not counted (0 taken)",
        "  source lines never run: 7",
        "  states never entered: Other",
        "  never taken: Start -> Other (Default)",
    ]
    cov.add(DEFINITION, pysfn_emulator.run(DEFINITION, {"n": 0}), name="m")
    data = cov.as_dict()["state_machines"][0]
    assert data["lines"] == {"total": 4, "covered": 4, "never_run": []}
    assert data["branches"] == {"total": 2, "covered": 2, "never_taken": []}
    assert data["transitions"] == {"total": 2, "covered": 2}
    assert data["checks"] == {"total": 1, "taken": 0, "states": ["Raise TypeError"]}


def test_a_machine_without_comments_reports_as_before():
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    cov = coverage.Coverage()
    cov.add(definition, pysfn_emulator.run(definition, {}), name="plain")
    assert cov.format() == "plain: 1 execution, states 1/1 (100%), transitions 0/0 (–)"
