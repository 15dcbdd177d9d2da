"""Each JSONata field of each state type, run through the emulator, and the rules of workflow
variables in both query languages (the expression layer itself: test_jsonata.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import pysfn_emulator

START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:work"


def run(states: dict, data=None, **options):
    definition = {"QueryLanguage": "JSONata", "StartAt": next(iter(states)), "States": states}
    return pysfn_emulator.run(definition, data, start_time=START, **options)


def echo(event, context):
    return event


class Boom(Exception):
    pass


def explode(event, context):
    raise Boom("it broke")


# -- Pass and Succeed: Output -------------------------------------------------------------------


def test_pass_output_defaults_to_the_input_and_can_reshape_it():
    assert run({"P": {"Type": "Pass", "End": True}}, {"a": 1}).output == {"a": 1}
    shaped = run({"P": {"Type": "Pass", "Output": {"double": "{% $states.input.a * 2 %}", "k": "lit"}, "End": True}}, {"a": 4})
    assert shaped.output == {"double": 8, "k": "lit"}


def test_succeed_output():
    execution = run({"S": {"Type": "Succeed", "Output": "{% $states.input.items[1] %}"}}, {"items": ["x", "y"]})
    assert execution.output == "y"


def test_the_context_object_is_states_context():
    execution = run({"P": {"Type": "Pass", "Output": "{% $states.context.State.Name %}", "End": True}}, {},
                    state_machine_name="m", execution_name="e")
    assert execution.output == "P"


# -- Task: Arguments, Output, Assign, TimeoutSeconds ------------------------------------------------


def test_task_arguments_output_and_assign_see_input_and_result():
    task = {
        "Type": "Task",
        "Resource": FUNCTION,
        "Arguments": {"n": "{% $states.input.n + 1 %}"},
        "Assign": {"seen": "{% $states.result.n %}", "before": "{% $states.input.n %}"},
        "Output": {"got": "{% $states.result %}"},
        "Next": "Done",
    }
    done = {"Type": "Pass", "Output": {"seen": "{% $seen %}", "before": "{% $before %}", "out": "{% $states.input %}"}, "End": True}
    execution = run({"T": task, "Done": done}, {"n": 1}, lambdas={FUNCTION: echo})
    assert execution.output == {"seen": 2, "before": 1, "out": {"got": {"n": 2}}}


def test_task_output_defaults_to_the_result():
    execution = run({"T": {"Type": "Task", "Resource": FUNCTION, "Arguments": {"v": 3}, "End": True}}, {},
                    lambdas={FUNCTION: echo})
    assert execution.output == {"v": 3}


def test_task_timeout_seconds_from_an_expression():
    def slow(event, context):
        import time

        time.sleep(30)
        return event

    task = {"Type": "Task", "Resource": FUNCTION, "TimeoutSeconds": "{% $states.input.limit %}", "End": True}
    execution = run({"T": task}, {"limit": 5}, lambdas={FUNCTION: slow})
    assert execution.error == "States.Timeout"
    assert execution.elapsed_seconds == 5


# -- Catch: Output and Assign with $states.errorOutput ----------------------------------------------


def test_catcher_output_defaults_to_the_error_output_and_can_reshape_it():
    catch_default = {"ErrorEquals": ["States.ALL"], "Next": "Done"}
    task = {"Type": "Task", "Resource": FUNCTION, "Catch": [catch_default], "End": True}
    execution = run({"T": task, "Done": {"Type": "Succeed"}}, {}, lambdas={FUNCTION: explode})
    assert execution.output["Error"] == "Boom"

    reshaped = dict(catch_default, Output={"what": "{% $states.errorOutput.Error %}", "was": "{% $states.input %}"},
                    Assign={"failed": True})
    task = dict(task, Catch=[reshaped])
    done = {"Type": "Pass", "Output": {"out": "{% $states.input %}", "failed": "{% $failed %}"}, "End": True}
    execution = run({"T": task, "Done": done}, {"x": 1}, lambdas={FUNCTION: explode})
    assert execution.output == {"out": {"what": "Boom", "was": {"x": 1}}, "failed": True}


def test_a_caught_task_does_not_run_its_own_assign():
    task = {
        "Type": "Task", "Resource": FUNCTION, "Assign": {"flag": "task"},
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": True,
    }
    states = {"Init": {"Type": "Pass", "Assign": {"flag": "init"}, "Next": "T"}, "T": task,
              "Done": {"Type": "Pass", "Output": "{% $flag %}", "End": True}}
    assert run(states, {}, lambdas={FUNCTION: explode}).output == "init"


def test_a_query_evaluation_error_in_arguments_can_be_caught():
    task = {
        "Type": "Task", "Resource": FUNCTION, "Arguments": "{% $nothing %}",
        "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Done"}], "End": True,
    }
    execution = run({"T": task, "Done": {"Type": "Succeed"}}, {}, lambdas={FUNCTION: echo})
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "States.QueryEvaluationError"


# -- Choice: Condition, rule Output/Assign, state Output/Assign on Default --------------------------


def choice(value):
    states = {
        "C": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $states.input.v > 10 %}", "Next": "Big",
                         "Assign": {"why": "rule"}, "Output": {"v": "{% $states.input.v %}", "big": True}}],
            "Default": "Small",
            "Assign": {"why": "default"},
            "Output": {"v": "{% $states.input.v %}", "big": False},
        },
        "Big": {"Type": "Pass", "Output": {"in": "{% $states.input %}", "why": "{% $why %}"}, "End": True},
        "Small": {"Type": "Pass", "Output": {"in": "{% $states.input %}", "why": "{% $why %}"}, "End": True},
    }
    return run(states, {"v": value})


def test_a_chosen_rule_applies_its_own_output_and_assign():
    assert choice(11).output == {"in": {"v": 11, "big": True}, "why": "rule"}


def test_the_default_applies_the_states_output_and_assign():
    assert choice(3).output == {"in": {"v": 3, "big": False}, "why": "default"}


def test_a_condition_that_is_not_a_boolean_fails():
    states = {"C": {"Type": "Choice", "Choices": [{"Condition": "{% 'yes' %}", "Next": "D"}], "Default": "D"},
              "D": {"Type": "Succeed"}}
    assert run(states, {}).error == "States.QueryEvaluationError"


# -- Wait: Seconds and Timestamp ----------------------------------------------------------------------


def test_wait_seconds_from_an_expression():
    execution = run({"W": {"Type": "Wait", "Seconds": "{% $states.input.s * 60 %}", "End": True}}, {"s": 2})
    assert execution.elapsed_seconds == 120


def test_wait_timestamp_from_an_expression():
    states = {"W": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "End": True}}
    execution = run(states, {"at": "2024-03-01T13:00:00Z"})
    assert execution.elapsed_seconds == 3600
    bad = run(states, {"at": "tomorrow"})
    assert bad.error == "States.QueryEvaluationError"
    assert "The Timestamp field cannot be parsed" in bad.cause


# -- Fail: Error and Cause ----------------------------------------------------------------------------


def test_fail_error_and_cause_from_expressions():
    states = {"F": {"Type": "Fail", "Error": "{% 'Order.' & $states.input.kind %}", "Cause": "{% 'order ' & $states.input.id %}"}}
    execution = run(states, {"kind": "Empty", "id": "A-1"})
    assert (execution.error, execution.cause) == ("Order.Empty", "order A-1")


# -- Parallel: Arguments ------------------------------------------------------------------------------


def test_parallel_arguments_feed_every_branch():
    branch = {"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": "{% $states.input.x %}", "End": True}}}
    other = {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "Output": "{% $states.input.x + 1 %}", "End": True}}}
    state = {"Type": "Parallel", "Arguments": {"x": "{% $states.input.base * 10 %}"}, "Branches": [branch, other],
             "Output": {"all": "{% $states.result %}"}, "End": True}
    assert run({"P": state}, {"base": 2}).output == {"all": [20, 21]}


# -- Map: Items, ItemSelector, MaxConcurrency, tolerated failures -------------------------------------


def test_map_items_and_item_selector():
    processor = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    state = {
        "Type": "Map",
        "Items": "{% $states.input.orders[price > 10] %}",
        "ItemSelector": {"id": "{% $states.context.Map.Item.Value.id %}", "at": "{% $states.context.Map.Item.Index %}"},
        "ItemProcessor": processor,
        "End": True,
    }
    orders = [{"id": "a", "price": 5}, {"id": "b", "price": 50}, {"id": "c", "price": 20}]
    assert run({"M": state}, {"orders": orders}).output == [{"id": "b", "at": 0}, {"id": "c", "at": 1}]


def test_map_items_that_are_not_an_array_fail_with_aws_cause():
    state = {"Type": "Map", "Items": "{% $states.input.one %}",
             "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, "End": True}
    execution = run({"M": state}, {"one": 1})
    assert execution.error == "States.QueryEvaluationError"
    assert "Expected 'array', but was 'number' for value: 1" in execution.cause


def test_map_max_concurrency_from_an_expression():
    processor = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}
    state = {"Type": "Map", "Items": [1, 2, 3, 4], "MaxConcurrency": "{% $states.input.lanes %}",
             "ItemProcessor": processor, "End": True}
    assert run({"M": state}, {"lanes": 2}).elapsed_seconds == 20


def test_map_tolerated_failure_count_from_an_expression():
    processor = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad"}}}
    state = {"Type": "Map", "Items": [1, 2], "ToleratedFailureCount": "{% $states.input.ok %}",
             "ItemProcessor": dict(processor, ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}),
             "End": True}
    assert run({"M": state}, {"ok": 2}).status == "SUCCEEDED"
    assert run({"M": state}, {"ok": 1}).error == "States.ExceedToleratedFailureThreshold"


def test_map_with_both_tolerances_fails_when_either_is_exceeded():
    # Developer Guide, "Tolerated failure threshold for Distributed Map state": "If you specify
    # both values, the workflow fails when it exceeds either value" (regression: it failed only
    # when both were exceeded)
    processor = {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
        {"Condition": "{% $states.input < 0 %}", "Next": "F"}], "Default": "S"},
        "F": {"Type": "Fail", "Error": "Bad"}, "S": {"Type": "Succeed"}}}
    state = {"Type": "Map", "Items": "{% $states.input.items %}", "ToleratedFailureCount": 1,
             "ToleratedFailurePercentage": 50,
             "ItemProcessor": dict(processor, ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}),
             "End": True}
    assert run({"M": state}, {"items": [-1, 2, 3, 4]}).status == "SUCCEEDED"
    assert run({"M": state}, {"items": [-1, -2, 3, 4, 5, 6]}).error == "States.ExceedToleratedFailureThreshold"  # count
    assert run({"M": state}, {"items": [-1, 2]}).status == "SUCCEEDED"
    assert run({"M": state}, {"items": [-1]}).error == "States.ExceedToleratedFailureThreshold"  # share


# -- variables ---------------------------------------------------------------------------------------


def test_every_value_of_one_assign_reads_the_values_at_state_entry():
    states = {
        "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"x": "{% $x + 1 %}", "old": "{% $x %}"}, "Next": "C"},
        "C": {"Type": "Pass", "Output": {"x": "{% $x %}", "old": "{% $old %}"}, "End": True},
    }
    assert run(states, {}).output == {"x": 2, "old": 1}


def test_output_and_assign_of_one_state_see_the_same_entry_values():
    states = {
        "A": {"Type": "Pass", "Assign": {"n": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"n": 5}, "Output": "{% $n %}", "End": True},
    }
    assert run(states, {}).output == 1


def test_jsonpath_states_read_and_assign_variables():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"user": {"name": "ada"}, "from.$": "$.source"}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"name.$": "$user.name", "from.$": "$from"}, "End": True},
        },
    }
    assert pysfn_emulator.run(definition, {"source": "web"}).output == {"name": "ada", "from": "web"}


def test_variables_cross_query_languages():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "QueryLanguage": "JSONata", "Assign": {"total": "{% 2 + 3 %}"}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"total.$": "$total"}, "End": True},
        },
    }
    assert pysfn_emulator.run(definition, {}).output == {"total": 5}


def test_an_undefined_variable_fails_with_aws_cause():
    execution = run({"P": {"Type": "Pass", "Output": "{% $never %}", "End": True}}, {})
    assert execution.error == "States.QueryEvaluationError"
    assert execution.cause.endswith("The JSONata expression '$never' specified for the field 'Output' returned nothing (undefined).")


@pytest.mark.parametrize("field", ["InputPath", "Parameters", "ResultPath", "OutputPath"])
def test_jsonpath_fields_are_refused_in_a_jsonata_state(field):
    definition = {"QueryLanguage": "JSONata", "StartAt": "P",
                  "States": {"P": {"Type": "Pass", field: "$.x" if field != "Parameters" else {}, "End": True}}}
    problems = pysfn_emulator.validate(definition)
    assert problems and problems[0].pointer == f"/States/P/{field}"


def test_seeded_runs_repeat_exactly():
    states = {"P": {"Type": "Pass", "Output": {"id": "{% $uuid() %}", "r": "{% $random() %}", "now": "{% $now() %}"}, "End": True}}
    first, second = run(states, {}, seed=42), run(states, {}, seed=42)
    assert first.output == second.output
    assert first.output["now"] == "2024-03-01T12:00:00.000Z"
    assert run(states, {}, seed=43).output["id"] != first.output["id"]
