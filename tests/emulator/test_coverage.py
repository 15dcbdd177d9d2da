"""State coverage: the graph of a definition, the visits read back from a history, which
edge each transition took (Catch against Next, which Choice rule), and the totals over many
executions."""

from __future__ import annotations

import json

import pytest
from machines import (
    BIG,
    DONE,
    EACH,
    FAN_OUT,
    KEEP,
    LOAD,
    NOT_FOUND,
    REPORT,
    SPLIT,
    TICK,
    Flaky,
    NotFound,
    loader,
    rich,
)

import pysfn_emulator
from pysfn_emulator.tools.coverage import (
    CATCH,
    CHOICE,
    DEFAULT,
    NEXT,
    RETRY,
    Coverage,
    Edge,
    analyse,
    describe_rule,
    structure,
    walk,
)


def run_rich(*failures, items=None):
    return pysfn_emulator.run(rich(), {}, lambdas={"load": loader(list(failures), items)})


def keys(edges):
    return {edge.key for edge in edges}


# --- structure ---------------------------------------------------------------------------------


def test_structure_lists_every_state_outer_before_inner():
    graph = structure(rich())
    assert list(graph.states)[:4] == [LOAD, NOT_FOUND, FAN_OUT, EACH]
    assert graph.flow.start_at == LOAD
    assert graph.states[BIG].parent == EACH and graph.states[EACH].parent == FAN_OUT
    assert [flow.start_at for flow in graph.states[FAN_OUT].flows] == [EACH, "Audit"]
    assert graph.states[DONE].end and graph.states[SPLIT].end and not graph.states[TICK].end


def test_structure_has_every_kind_of_edge():
    graph = structure(rich())
    assert keys(graph.edges_from(LOAD)) == {
        f"{LOAD} -> {FAN_OUT} (Next)", f"{LOAD} -> {LOAD} (Retry #1)",
        f"{LOAD} -> {NOT_FOUND} (Catch #1)"}
    assert keys(graph.edges_from(BIG)) == {
        f"{BIG} -> {SPLIT} (Choice #1)", f"{BIG} -> {TICK} (Choice #2)", f"{BIG} -> {KEEP} (Default)"}
    catch = next(e for e in graph.edges_from(LOAD) if e.kind == CATCH)
    assert catch.error_equals == ("NotFound", "Gone", "Lost")
    assert catch.as_dict() == {"from": LOAD, "to": NOT_FOUND, "kind": "Catch", "index": 0,
                               "label": "catch NotFound, Gone +1"}


def test_structure_tolerates_a_malformed_definition():
    graph = structure({"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": "no"},
                                                  "B": "not a state", "C": {"Catch": [1]}}})
    assert list(graph.states) == ["A", "B", "C"] and graph.edges == ()


@pytest.mark.parametrize("rule, text", [
    ({"Variable": "$.n", "NumericLessThan": 3}, "$.n < 3"),
    ({"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.m"}, "$.n >= $.m"),
    ({"Variable": "$.s", "StringEquals": "a\"b"}, '$.s == "a\\"b"'),
    ({"Variable": "$.t", "TimestampLessThanEquals": "2024-01-01T00:00:00Z"},
     '$.t <= "2024-01-01T00:00:00Z"'),
    ({"Variable": "$.ok", "BooleanEquals": True}, "$.ok == true"),
    ({"Variable": "$.x", "IsPresent": False}, "$.x is absent"),
    ({"Variable": "$.x", "IsNull": False}, "$.x is not null"),
    ({"Not": {"Variable": "$.x", "IsString": True}}, "not ($.x is a string)"),
    ({"Or": [{"And": [{"Variable": "$.a", "NumericEquals": 1},
                      {"Variable": "$.b", "NumericEquals": 2}]},
             {"Variable": "$.c", "IsBoolean": True}]},
     "($.a == 1 and $.b == 2) or $.c is a boolean"),
    ({"Condition": "{% $states.input.n > 3 %}"}, "$states.input.n > 3"),
    ({"Variable": "$.a_very_long_variable_name_indeed", "StringMatches": "*.jpeg-or-png"},
     '$.a_very_long_variable_name_indeed matches "*.j…'),
])
def test_choice_rules_are_described_briefly(rule, text):
    assert describe_rule(rule) == text
    assert len(describe_rule(rule)) <= 48


# --- walk: visits from a history ----------------------------------------------------------------


def test_walk_reads_visits_depths_and_what_led_where():
    execution = run_rich(Flaky)
    visits = walk(execution.history).visits
    depths = {v.name: v.depth for v in visits}
    assert [v.name for v in visits[:3]] == [LOAD, FAN_OUT, EACH]  # branches then interleave
    assert (depths[LOAD], depths[FAN_OUT], depths[EACH], depths["Audit"], depths[BIG]) == (
        0, 0, 1, 1, 2)
    load, fan_out = visits[0], visits[1]
    assert (load.attempts, load.retries, load.errors) == (2, 1, ["Flaky"])
    assert not load.failed_at_exit
    assert fan_out.previous == load.entered_event
    assert visits[2].previous is None  # the first state of a branch follows no state
    assert json.loads(load.input) == {} and json.loads(load.output)["items"][0]["n"] == 20
    assert walk(execution.history).failing_state is None


def test_walk_names_the_failing_state_inside_a_parallel():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Inner", "States": {"Inner": {"Type": "Fail", "Error": "E", "Cause": "c"}}}]}}}
    execution = pysfn_emulator.run(definition, {})
    walked = walk(execution.history)
    assert walked.failing_states == ("P", "Inner")
    assert walked.failing_state == "Inner"
    assert [v.output for v in walked.visits] == [None, None]


def test_walk_a_caught_failure_is_failed_at_exit():
    visits = walk(run_rich(NotFound).history).visits
    assert visits[0].name == LOAD and visits[0].failed_at_exit and visits[0].errors == ["NotFound"]
    assert visits[0].output is not None and visits[1].name == NOT_FOUND


# --- analyse: which edge a transition took -------------------------------------------------------


def taken(run):
    return {edge.key: count for edge, count in run.taken.items()}


def test_analyse_counts_visits_and_edges():
    run = analyse(rich(), run_rich(Flaky))
    assert run.visits[BIG] == 3 and run.visits[KEEP] == 2 and run.visits[DONE] == 1
    assert taken(run) == {
        f"{LOAD} -> {LOAD} (Retry #1)": 1,
        f"{LOAD} -> {FAN_OUT} (Next)": 1,
        f"{BIG} -> {SPLIT} (Choice #1)": 1,
        f"{BIG} -> {TICK} (Choice #2)": 1,
        f"{BIG} -> {KEEP} (Default)": 1,
        f"{TICK} -> {KEEP} (Next)": 1,
        f"{FAN_OUT} -> {DONE} (Next)": 1,
    }


def test_analyse_tells_a_catch_from_a_next_to_the_same_state():
    definition = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
              "Catch": [{"ErrorEquals": ["Other"], "Next": "Z"},
                        {"ErrorEquals": ["NotFound"], "Next": "Z"}],
              "Next": "Z"},
        "Z": {"Type": "Succeed"}}}

    def handler(event, context):
        if event.get("fail"):
            raise NotFound("no")
        return event

    failed = analyse(definition, pysfn_emulator.run(definition, {"fail": True},
                                                    lambdas={"f": handler}))
    assert taken(failed) == {"T -> Z (Catch #2)": 1}
    passed = analyse(definition, pysfn_emulator.run(definition, {}, lambdas={"f": handler}))
    assert taken(passed) == {"T -> Z (Next)": 1}


def test_analyse_tells_choice_rules_to_the_same_state_apart():
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "InputPath": "$.in", "Choices": [
            {"Variable": "$.n", "NumericLessThan": 0, "Next": "Z"},
            {"Variable": "$.n", "NumericGreaterThan": 9, "Next": "Z"}], "Default": "Z"},
        "Z": {"Type": "Succeed"}}}
    outcomes = {n: taken(analyse(definition, pysfn_emulator.run(definition, {"in": {"n": n}})))
                for n in (-1, 10, 5)}
    assert outcomes == {-1: {"C -> Z (Choice #1)": 1}, 10: {"C -> Z (Choice #2)": 1},
                        5: {"C -> Z (Default)": 1}}


def test_analyse_a_caught_parallel_failure_reads_the_error_from_the_output():
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Z", "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "B"}}}],
              "Catch": [{"ErrorEquals": ["A"], "Next": "Z"}, {"ErrorEquals": ["B"], "Next": "Z"}]},
        "Z": {"Type": "Succeed"}}}
    run = analyse(definition, pysfn_emulator.run(definition, {}))
    assert taken(run) == {"P -> Z (Catch #2)": 1}
    assert run.failing_state is None


# --- many executions -----------------------------------------------------------------------------


def test_coverage_adds_up_executions_and_lists_what_never_ran():
    coverage = Coverage()
    coverage.add(rich(), run_rich(Flaky), name="orders")
    coverage.add(json.dumps(rich()), run_rich(NotFound), name="ignored: same machine")
    [machine] = coverage.machines.values()
    assert machine.name == "orders" and machine.executions == 2
    assert machine.states_never_visited == [REPORT]
    assert keys(machine.edges_never_taken) == {
        f"{FAN_OUT} -> {FAN_OUT} (Retry #1)", f"{FAN_OUT} -> {REPORT} (Catch #1)",
        f"{REPORT} -> {DONE} (Next)"}
    report = json.loads(json.dumps(coverage.as_dict()))
    [data] = report["state_machines"]
    assert data["states"] == {"total": 11, "covered": 10}
    assert data["transitions"] == {"total": 11, "covered": 8}
    assert data["state_visits"][NOT_FOUND] == 1 and data["state_visits"][REPORT] == 0
    assert data["never_visited"] == [REPORT]
    assert {e["kind"] for e in data["never_taken"]} == {RETRY, CATCH, NEXT}
    counts = {(e["from"], e["to"], e["kind"]): e["count"] for e in data["transition_counts"]}
    assert counts[(LOAD, LOAD, RETRY)] == 1 and counts[(BIG, KEEP, DEFAULT)] == 1


def test_coverage_text_names_what_never_ran():
    coverage = Coverage()
    coverage.add(rich(), run_rich(), name="orders")
    text = coverage.format()
    first, *rest = text.splitlines()
    assert first == "orders: 1 execution, states 9/11 (82%), transitions 6/11 (55%)"
    assert rest[0] == f"  states never entered: {NOT_FOUND}, {REPORT}"
    assert f"  never taken: {LOAD} -> {LOAD} (Retry #1): retry Flaky, max 2" in rest
    assert f"  never taken: {LOAD} -> {NOT_FOUND} (Catch #1): catch NotFound, Gone +1" in rest


def test_coverage_keeps_machines_apart_and_names_unnamed_ones_by_digest():
    coverage = Coverage()
    coverage.add(rich(), run_rich())
    echo = {"StartAt": "E", "States": {"E": {"Type": "Pass", "End": True}}}
    coverage.add(echo, pysfn_emulator.run(echo, {}))
    names = [m.name for m in coverage.machines.values()]
    assert len(names) == 2 and all(n.startswith("definition ") for n in names)
    assert coverage.format().splitlines()[-1].endswith(
        "1 execution, states 1/1 (100%), transitions 0/0 (–)")


def test_edge_is_hashable_and_stable():
    edge = Edge("a", "b", CHOICE, 0, "x")
    assert {edge: 1}[Edge("a", "b", CHOICE, 0, "x")] == 1
    assert edge.key == "a -> b (Choice #1)"


def test_the_emulator_says_which_rule_and_catcher_led_where():
    # Two rules and two catchers lead to the same states, and the rules read a variable, which
    # a history does not hold: only the execution's own record tells them apart.
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"limit": 5}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$limit", "NumericGreaterThan": 10, "Next": "Call"},
                    {"Variable": "$limit", "NumericGreaterThan": 1, "Next": "Call"},
                ],
                "Default": "Done",
            },
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:111111111111:function:flaky",
                "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 1}],
                "Catch": [
                    {"ErrorEquals": ["Other"], "ResultPath": "$.e", "Next": "Done"},
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "Done"},
                ],
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }

    class Busy(Exception):
        pass

    def flaky(event, context):
        raise Busy("try later")

    execution = pysfn_emulator.run(definition, {}, lambdas={"flaky": flaky})
    assert execution.transitions == [
        ("Init", "Check", "Next", None),
        ("Check", "Call", "Choice", 1),
        ("Call", "Call", "Retry", 0),
        ("Call", "Done", "Catch", 1),
    ]
    assert taken(analyse(definition, execution)) == {
        "Init -> Check (Next)": 1,
        "Check -> Call (Choice #2)": 1,
        "Call -> Call (Retry #1)": 1,
        "Call -> Done (Catch #2)": 1,
    }
