"""The JSONPath input/output pipeline, field by field:
InputPath → Parameters → (work) → ResultSelector → ResultPath → OutputPath,
with the meaning of null for each and AWS's causes when a path finds nothing."""

from __future__ import annotations

import copy

import pysfn_emulator

FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:f"
PREFIX = "An error occurred while executing the state '{}' (entered at the event id #{}). "


def one_pass(fields: dict, input, **kwargs):
    """Run a machine with a single Pass state carrying `fields`."""
    definition = {"StartAt": "S", "States": {"S": {"Type": "Pass", **fields, "End": True}}}
    return pysfn_emulator.run(definition, input, **kwargs)


def one_task(fields: dict, input, handler=lambda event, context: event, **kwargs):
    """Run a machine with a single legacy-Lambda Task whose handler is `handler`."""
    state = {"Type": "Task", "Resource": FUNCTION, **fields, "End": True}
    definition = {"StartAt": "S", "States": {"S": state}}
    return pysfn_emulator.run(definition, input, lambdas={FUNCTION: handler}, **kwargs)


# -- InputPath ----------------------------------------------------------------------------------


def test_input_path_selects_the_effective_input():
    assert one_pass({"InputPath": "$.a"}, {"a": {"b": 1}, "c": 2}).output == {"b": 1}


def test_input_path_null_gives_an_empty_object():
    # AWS: base__TestSnfBase__test_state_pass_result_null_input_output_paths
    execution = one_pass({"InputPath": None, "Parameters": {"FromInput.$": "$"}}, {"v": 0})
    assert execution.output == {"FromInput": {}}


def test_input_path_can_select_from_the_context_object():
    # AWS: context_object__TestSnfBase__test_input_path_.Execution.Input
    execution = one_pass({"InputPath": "$$.Execution.Input"}, {"v": 0})
    assert execution.output == {"v": 0}


def test_input_path_that_finds_nothing_fails_with_aws_cause():
    # AWS: scenarios__TestBaseScenarios__test_invalid_jsonpath_ST.INVALID_JSONPATH_IN_INPUTPATH
    execution = one_pass({"InputPath": "$.NoSuchInputPath"}, {"int-literal": 0})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == PREFIX.format("S", 2) + (
        "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
    )


# -- Parameters -----------------------------------------------------------------------------------


def test_parameters_path_fields_lose_their_suffix():
    execution = one_pass({"Parameters": {"v.$": "$.a", "k": "lit"}}, {"a": 1})
    assert execution.output == {"v": 1, "k": "lit"}


def test_parameters_see_the_input_after_input_path():
    execution = one_pass({"InputPath": "$.a", "Parameters": {"v.$": "$.b"}}, {"a": {"b": 7}})
    assert execution.output == {"v": 7}


def test_parameters_read_the_context_object():
    execution = one_pass(
        {"Parameters": {"name.$": "$$.State.Name", "input.$": "$$.Execution.Input"}}, {"x": 1}
    )
    assert execution.output == {"name": "S", "input": {"x": 1}}


def test_parameter_values_that_look_like_paths_are_literals_without_the_suffix():
    execution = one_pass({"Parameters": {"v": "$.a", "c": "$$.State.Name"}}, {"a": 1})
    assert execution.output == {"v": "$.a", "c": "$$.State.Name"}


def test_nested_templates_are_evaluated_at_every_depth():
    parameters = {"outer": {"inner": {"v.$": "$.a"}, "list": [{"w.$": "$.b"}, "$.a", 3]}}
    execution = one_pass({"Parameters": parameters}, {"a": 1, "b": [2]})
    assert execution.output == {"outer": {"inner": {"v": 1}, "list": [{"w": [2]}, "$.a", 3]}}


def test_parameters_with_an_indefinite_path_give_a_list():
    execution = one_pass({"Parameters": {"bs.$": "$.a[*].b"}}, {"a": [{"b": 1}, {"b": 2}]})
    assert execution.output == {"bs": [1, 2]}


def test_parameters_path_that_finds_nothing_fails_with_aws_cause():
    # AWS: scenarios__TestBaseScenarios__test_invalid_jsonpath_INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH
    execution = one_pass({"Parameters": {"value.$": "$.no_such_jsonpath"}}, {"int-literal": 0})
    assert execution.error == "States.Runtime"
    assert execution.cause.startswith(
        PREFIX.format("S", 2)
        + "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be "
        "found in the input '"
    )


def test_parameters_cause_quotes_the_effective_input():
    execution = one_pass({"Parameters": {"value.$": "$.x"}}, {"a": 1})
    assert execution.cause.endswith("could not be found in the input '{\"a\":1}'")


def test_parameters_context_path_that_finds_nothing_fails_with_aws_cause():
    # AWS: scenarios__TestBaseScenarios__test_invalid_jsonpath_INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH
    execution = one_pass(
        {"Parameters": {"value.$": "$$.Execution.Input.no_such_jsonpath"}}, {"int-literal": 0}
    )
    assert execution.error == "States.Runtime"
    assert execution.cause.startswith(
        PREFIX.format("S", 2) + "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified "
        "for the field 'value.$' could not be found in the input '"
    )


def test_cause_names_the_event_id_the_failing_state_was_entered_at():
    definition = {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Next": "Second"},
            "Second": {"Type": "Pass", "Parameters": {"v.$": "$.x"}, "End": True},
        },
    }
    execution = pysfn_emulator.run(definition, {})
    assert execution.cause.startswith(PREFIX.format("Second", 4))


# -- ResultSelector ---------------------------------------------------------------------------


def test_result_selector_shapes_the_raw_result():
    execution = one_task(
        {"ResultSelector": {"total.$": "$.sum", "fixed": 1}},
        {},
        handler=lambda event, context: {"sum": 10, "noise": "x"},
    )
    assert execution.output == {"total": 10, "fixed": 1}


def test_result_selector_reads_the_context_object():
    # AWS: context_object__TestSnfBase__test_result_selector
    execution = one_task({"ResultSelector": {"in.$": "$$.Execution.Input"}}, {"k": "v"})
    assert execution.output == {"in": {"k": "v"}}


def test_result_selector_path_that_finds_nothing_fails():
    execution = one_task({"ResultSelector": {"v.$": "$.missing"}}, {"a": 1})
    assert execution.error == "States.Runtime"
    assert "The JSONPath '$.missing' specified for the field 'v.$'" in execution.cause


# -- ResultPath -----------------------------------------------------------------------------------


def test_result_path_absent_replaces_the_input_with_the_result():
    assert one_pass({"Result": {"r": 1}}, {"a": 1}).output == {"r": 1}


def test_result_path_dollar_replaces_the_input_with_the_result():
    assert one_pass({"Result": {"r": 1}, "ResultPath": "$"}, {"a": 1}).output == {"r": 1}


def test_result_path_null_keeps_the_input():
    assert one_pass({"Result": {"r": 1}, "ResultPath": None}, {"a": 1}).output == {"a": 1}


def test_result_path_inserts_the_result_into_the_input():
    execution = one_pass({"Result": "r", "ResultPath": "$.res"}, {"a": 1})
    assert execution.output == {"a": 1, "res": "r"}


def test_result_path_creates_the_objects_it_needs():
    execution = one_pass({"Result": "r", "ResultPath": "$.x.y"}, {"a": 1})
    assert execution.output == {"a": 1, "x": {"y": "r"}}


def test_result_path_applies_to_the_raw_input_not_the_input_path_selection():
    execution = one_pass(
        {"InputPath": "$.a", "Result": "r", "ResultPath": "$.res"}, {"a": {"b": 1}, "c": 2}
    )
    assert execution.output == {"a": {"b": 1}, "c": 2, "res": "r"}


def test_result_path_into_a_non_object_fails_with_result_path_match_failure():
    execution = one_pass({"Result": "r", "ResultPath": "$.a"}, 5)
    assert execution.status == "FAILED"
    assert execution.error == "States.ResultPathMatchFailure"


def test_result_path_through_a_string_fails_with_result_path_match_failure():
    execution = one_pass({"Result": "r", "ResultPath": "$.a.b"}, {"a": "text"})
    assert execution.error == "States.ResultPathMatchFailure"


def test_result_path_on_a_task_keeps_the_input_beside_the_result():
    execution = one_task(
        {"ResultPath": "$.result"}, {"n": 2}, handler=lambda event, context: event["n"] * 10
    )
    assert execution.output == {"n": 2, "result": 20}


# -- OutputPath ---------------------------------------------------------------------------------


def test_output_path_selects_the_output():
    execution = one_pass({"Result": {"keep": 1, "drop": 2}, "OutputPath": "$.keep"}, {})
    assert execution.output == 1


def test_output_path_null_gives_an_empty_object():
    # AWS: base__TestSnfBase__test_state_pass_result_null_input_output_paths
    assert one_pass({"OutputPath": None}, {"a": 1}).output == {}


def test_output_path_sees_the_result_placed_by_result_path():
    execution = one_pass({"Result": "r", "ResultPath": "$.res", "OutputPath": "$.res"}, {"a": 1})
    assert execution.output == "r"


def test_output_path_can_select_the_context_object():
    # AWS: context_object__TestSnfBase__test_output_path_.Execution.Input
    assert one_pass({"OutputPath": "$$.Execution.Input"}, {"v": 0}).output == {"v": 0}


def test_output_path_that_finds_nothing_fails_with_aws_cause():
    # AWS: scenarios__TestBaseScenarios__test_invalid_jsonpath_ST.INVALID_JSONPATH_IN_OUTPUTPATH
    execution = one_pass({"OutputPath": "$.NoSuchOutputPath"}, {"int-literal": 0})
    assert execution.error == "States.Runtime"
    assert execution.cause == PREFIX.format("S", 2) + (
        "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']"
    )


def test_output_path_missing_intermediate_property_cause():
    # AWS: scenarios__TestBaseScenarios__test_catch_states_runtime
    execution = one_task({"OutputPath": "$.no.such.result.path"}, {})
    assert execution.cause == PREFIX.format("S", 2) + (
        "Invalid path '$.no.such.result.path' : Missing property in path $['no']"
    )


# -- the whole pipeline ---------------------------------------------------------------------------


def test_every_field_in_order_on_a_task():
    seen = []

    def handler(event, context):
        seen.append(event)
        return {"value": event["x"] + 1, "noise": True}

    execution = one_task(
        {
            "InputPath": "$.in",
            "Parameters": {"x.$": "$.n"},
            "ResultSelector": {"v.$": "$.value"},
            "ResultPath": "$.out",
            "OutputPath": "$.out.v",
        },
        {"in": {"n": 1}, "other": 0},
        handler=handler,
    )
    assert seen == [{"x": 1}]
    assert execution.output == 2


def test_the_callers_input_object_is_never_mutated():
    input = {"a": {"b": [1, 2]}, "c": "x"}
    before = copy.deepcopy(input)
    definition = {
        "StartAt": "One",
        "States": {
            "One": {"Type": "Pass", "Result": 1, "ResultPath": "$.a.new", "Next": "Two"},
            "Two": {"Type": "Pass", "Result": 2, "ResultPath": "$.a.b[0]", "End": True},
        },
    }
    execution = pysfn_emulator.run(definition, input)
    assert execution.output == {"a": {"b": [2, 2], "new": 1}, "c": "x"}
    assert input == before
