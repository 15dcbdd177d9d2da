"""Variable scopes: inner scopes read outer variables but may not assign them (a definition
AWS refuses), and what they assign stays inside."""

from __future__ import annotations

import pysfn_emulator


def parallel(outer_assign: dict, inner_assign: dict, catch_assign: dict | None = None) -> dict:
    state = {
        "Type": "Parallel",
        "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": inner_assign, "End": True}}}],
        "Next": "Done",
    }
    if catch_assign is not None:
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Assign": catch_assign, "Next": "Done"}]
    states = {"A": {"Type": "Pass", "Assign": outer_assign, "Next": "P"}, "P": state, "Done": {"Type": "Succeed"}}
    return {"StartAt": "A", "States": states}


def test_a_branch_may_not_assign_an_outer_variable():
    problems = pysfn_emulator.validate(parallel({"x": 1}, {"x": 2}))
    assert [p.pointer for p in problems] == ["/States/P/Branches/0/States/B/Assign/x"]
    assert "'x'" in problems[0].message and "enclosing scope" in problems[0].message


def test_a_branch_may_assign_its_own_names():
    assert pysfn_emulator.validate(parallel({"x": 1}, {"y": 2})) == []


def test_a_map_iteration_may_not_assign_an_outer_variable_even_two_levels_down():
    inner_map = {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Assign": {"total": 0}, "End": True}}},
        "End": True,
    }
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"total": 0}, "Next": "M"},
            "M": {"Type": "Map", "ItemProcessor": {"StartAt": "N", "States": {"N": inner_map}}, "End": True},
        },
    }
    problems = pysfn_emulator.validate(definition)
    assert [p.pointer for p in problems] == ["/States/M/ItemProcessor/States/N/ItemProcessor/States/I/Assign/total"]


def test_the_parallel_states_own_catcher_may_reuse_a_branch_name():
    # As AWS accepted in states_variables__..._PARALLEL_CATCH_ERROR_VARIABLE_SAMPLING.
    assert pysfn_emulator.validate(parallel({"a": 1}, {"v": 2}, catch_assign={"v": 3})) == []


def test_a_distributed_map_child_has_a_scope_of_its_own():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "Assign": {"x": 2}, "End": True}},
                },
                "End": True,
            },
        },
    }
    assert pysfn_emulator.validate(definition) == []


def test_a_branch_reads_outer_variables_and_its_own_do_not_leak_out():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
            "P": {
                "Type": "Parallel",
                "Branches": [{
                    "StartAt": "B",
                    "States": {
                        "B": {"Type": "Pass", "Assign": {"inner": "{% $x + 1 %}"}, "Next": "C"},
                        "C": {"Type": "Pass", "Output": "{% $inner %}", "End": True},
                    },
                }],
                "Next": "After",
            },
            "After": {"Type": "Pass", "Output": {"seen": "{% $states.input %}", "x": "{% $x %}"}, "End": True},
        },
    }
    execution = pysfn_emulator.run(definition, {})
    assert execution.output == {"seen": [2], "x": 1}
    leaked = dict(definition, States=dict(definition["States"], After={
        "Type": "Pass", "Output": "{% $inner %}", "End": True}))
    assert pysfn_emulator.run(leaked, {}).error == "States.QueryEvaluationError"


def _assign(**variables) -> dict:
    return {"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": variables, "End": True}}}


def test_one_variable_may_hold_up_to_256_kib():
    assert pysfn_emulator.run(_assign(a="x" * (256 * 1024 - 2)), {}).status == "SUCCEEDED"  # with its quotes
    over = pysfn_emulator.run(_assign(a="x" * (256 * 1024 - 1)), {})
    assert over.error == "States.DataLimitExceeded"
    assert "'a'" in over.cause


def test_all_variables_of_one_assign_together_may_hold_up_to_256_kib():
    half = "x" * (130 * 1024)
    execution = pysfn_emulator.run(_assign(a=half, b=half), {})
    assert execution.error == "States.DataLimitExceeded"
