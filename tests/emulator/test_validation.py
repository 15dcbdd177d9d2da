"""Structural validation: each rule on a small definition, then the AWS-recorded corpus."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pysfn_emulator
from pysfn_emulator.core.errors import Problem
from pysfn_emulator.definition.validation import structural_problems

# --- helpers ------------------------------------------------------------------------------


def machine(*states: tuple[str, dict], **top) -> dict:
    """A definition whose StartAt is the first state given."""
    return {"StartAt": states[0][0], "States": dict(states), **top}


def one(state: dict, **top) -> dict:
    """A one-state machine (Next/End added when the type needs one and none is given)."""
    state = dict(state)
    if state.get("Type") not in ("Choice", "Succeed", "Fail") and "Next" not in state:
        state.setdefault("End", True)
    return machine(("A", state), **top)


def problem_at(definition: dict, pointer: str, *words: str, **kwargs) -> Problem:
    """The problem at `pointer`; its message must mention every word (the field names)."""
    found = [p for p in structural_problems(definition, **kwargs) if p.pointer == pointer]
    assert found, f"no problem at {pointer}: {structural_problems(definition, **kwargs)}"
    for word in words:
        assert any(word in p.message for p in found), (word, found)
    return found[0]


def assert_valid(definition: dict, **kwargs) -> None:
    assert structural_problems(definition, **kwargs) == []


PASS = {"Type": "Pass", "End": True}
TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
SUCCEED = {"Type": "Succeed"}


def test_a_minimal_machine_is_valid():
    assert_valid(one({"Type": "Pass"}))


# --- top level ----------------------------------------------------------------------------


def test_missing_start_at_and_states_are_both_reported():
    problem = problem_at({}, "", "StartAt", "States")
    assert "required" in problem.message


def test_unknown_top_level_field():
    problem_at(one(PASS, Bogus=1), "/Bogus", "Bogus")


def test_top_level_query_language_must_be_known():
    problem_at(one(PASS, QueryLanguage="XPath"), "/QueryLanguage", "QueryLanguage", "JSONata")


@pytest.mark.parametrize("timeout", [0, -5, 1.5, "10", True])
def test_top_level_timeout_must_be_a_positive_integer(timeout):
    problem_at(one(PASS, TimeoutSeconds=timeout), "/TimeoutSeconds", "TimeoutSeconds")


def test_top_level_timeout_accepts_a_positive_integer():
    assert_valid(one(PASS, TimeoutSeconds=30, Version="1.0", Comment="c"))


def test_a_definition_that_is_not_an_object():
    assert structural_problems([]) == [Problem("", "the definition must be a JSON object")]


def test_start_at_must_name_a_state():
    definition = machine(("A", PASS))
    definition["StartAt"] = "Nope"
    problem_at(definition, "/StartAt", "StartAt", "Nope")


def test_states_must_be_a_non_empty_object():
    problem_at({"StartAt": "A", "States": {}}, "/States", "States")


# --- states: type, fields, language -------------------------------------------------------


def test_missing_type():
    problem_at(machine(("A", {"End": True})), "/States/A", "Type")


@pytest.mark.parametrize("kind", ["Lambda", ["Pass"], None])
def test_unknown_type(kind):
    definition = machine(("A", {"Type": kind, "End": True}))
    assert structural_problems(definition)


@pytest.mark.parametrize(
    "kind, field",
    [("Pass", "Resource"), ("Succeed", "Assign"), ("Fail", "InputPath"), ("Wait", "Result"),
     ("Choice", "End"), ("Succeed", "Next"), ("Task", "Bogus")],
)
def test_fields_a_state_type_does_not_have(kind, field):
    state = {"Type": kind, field: "x"}
    if kind == "Choice":
        state["Choices"] = [{"Variable": "$.a", "IsNull": True, "Next": "B"}]
    if kind == "Task":
        state["Resource"] = TASK["Resource"]
    definition = machine(("A", state), ("B", PASS)) if kind == "Choice" else one(state)
    problem_at(definition, f"/States/A/{field}", field)


@pytest.mark.parametrize(
    "field, value, hint",
    [("InputPath", "$", "Arguments"), ("Parameters", {}, "Arguments"),
     ("ResultSelector", {}, "Output"), ("ResultPath", "$.r", "Output"),
     ("TimeoutSecondsPath", "$.t", "TimeoutSeconds")],
)
def test_jsonpath_fields_in_a_jsonata_state(field, value, hint):
    definition = one({**TASK, field: value}, QueryLanguage="JSONata")
    problem_at(definition, f"/States/A/{field}", field, "JSONata", hint)


@pytest.mark.parametrize(
    "field, value", [("Output", {}), ("Arguments", {}), ("Items", [1])]
)
def test_jsonata_fields_in_a_jsonpath_state(field, value):
    state = {**TASK, field: value} if field != "Items" else {
        "Type": "Map", "Items": value,
        "ItemProcessor": {"StartAt": "In", "States": {"In": PASS}}}
    problem_at(one(state), f"/States/A/{field}", field, "JSONPath")


def test_a_state_may_choose_its_own_language():
    assert_valid(one({"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 %}"}))


def test_a_state_cannot_go_back_to_jsonpath_under_a_jsonata_machine():
    definition = one({"Type": "Pass", "QueryLanguage": "JSONPath"}, QueryLanguage="JSONata")
    problem_at(definition, "/States/A/QueryLanguage", "QueryLanguage", "JSONPath")


def test_map_children_inherit_the_top_level_language_not_the_maps():
    inner = {"Type": "Pass", "Output": "{% 1 %}", "End": True}
    state = {"Type": "Map", "QueryLanguage": "JSONata",
             "ItemProcessor": {"StartAt": "In", "States": {"In": inner}}}
    problem_at(one(state), "/States/A/ItemProcessor/States/In/Output", "Output")


def test_state_names_are_at_most_80_characters():
    name = "n" * 81
    problem_at(machine((name, PASS)), f"/States/{name}", "80")
    assert_valid(machine(("n" * 80, PASS)))


def test_pointers_escape_slash_and_tilde_in_state_names():
    definition = machine(("a/b~c", {"Type": "Pass", "End": True, "Bogus": 1}))
    problem_at(definition, "/States/a~1b~0c/Bogus", "Bogus")


def test_state_names_are_unique_across_branches():
    branch = {"StartAt": "A", "States": {"A": PASS}}
    definition = one({"Type": "Parallel", "Branches": [branch]})
    problem_at(definition, "/States/A/Branches/0/States/A", "duplicate", "'A'")


def test_every_problem_is_reported_not_just_the_first():
    definition = machine(
        ("A", {"Type": "Pass", "Next": "Missing"}),
        ("B", {"Type": "Wait", "End": True}),
        ("C", {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}),
    )
    pointers = {p.pointer for p in structural_problems(definition)}
    assert {"/States/A/Next", "/States/B", "/States/C", "/States/C/ErrorPath"} <= pointers


# --- transitions --------------------------------------------------------------------------


def test_next_or_end_is_required():
    problem_at(machine(("A", {"Type": "Pass"})), "/States/A", "Next", "End")


def test_next_and_end_are_exclusive():
    definition = machine(("A", {"Type": "Pass", "Next": "B", "End": True}), ("B", PASS))
    problem_at(definition, "/States/A", "Next", "End")


def test_end_must_be_a_boolean():
    problem_at(machine(("A", {"Type": "Pass", "End": "yes"})), "/States/A/End", "End")


def test_next_must_name_a_state():
    problem_at(machine(("A", {"Type": "Pass", "Next": "B"})), "/States/A/Next", "Next", "'B'")


def test_choice_default_and_rule_next_must_name_states():
    choice = {"Type": "Choice", "Default": "Nowhere",
              "Choices": [{"Variable": "$.a", "IsNull": True, "Next": "Gone"}]}
    definition = machine(("A", choice))
    problem_at(definition, "/States/A/Default", "Default", "Nowhere")
    problem_at(definition, "/States/A/Choices/0/Next", "Next", "Gone")


def test_catch_next_must_name_a_state():
    state = {**TASK, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Gone"}]}
    problem_at(one(state), "/States/A/Catch/0/Next", "Next", "Gone")


def test_branches_are_separate_namespaces():
    branch = {"StartAt": "In", "States": {"In": {"Type": "Pass", "Next": "After"}}}
    definition = machine(("P", {"Type": "Parallel", "Branches": [branch], "Next": "After"}),
                         ("After", PASS))
    problem_at(definition, "/States/P/Branches/0/States/In/Next", "After")


def test_unreachable_states():
    definition = machine(("A", PASS), ("Island", PASS))
    problem_at(definition, "/States/Island", "unreachable")


def test_states_reached_through_choice_and_catch_are_reachable():
    choice = {"Type": "Choice", "Default": "D",
              "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "T"}]}
    task = {**TASK, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}]}
    assert_valid(machine(("A", choice), ("D", PASS), ("T", task), ("C", SUCCEED)))


# --- Task ---------------------------------------------------------------------------------


def test_task_needs_a_resource():
    problem_at(one({"Type": "Task"}), "/States/A", "Resource")


@pytest.mark.parametrize("field", ["TimeoutSeconds", "HeartbeatSeconds"])
@pytest.mark.parametrize("value", [0, -1, 2.5, "10"])
def test_task_timeouts_are_positive_integers(field, value):
    problem_at(one({**TASK, field: value}), f"/States/A/{field}", field)


def test_heartbeat_must_be_smaller_than_timeout():
    state = {**TASK, "TimeoutSeconds": 10, "HeartbeatSeconds": 10}
    problem_at(one(state), "/States/A/HeartbeatSeconds", "HeartbeatSeconds", "TimeoutSeconds")
    assert_valid(one({**TASK, "TimeoutSeconds": 10, "HeartbeatSeconds": 9}))


def test_timeout_and_timeout_path_are_exclusive():
    state = {**TASK, "TimeoutSeconds": 10, "TimeoutSecondsPath": "$.t"}
    problem_at(one(state), "/States/A/TimeoutSecondsPath", "TimeoutSeconds", "TimeoutSecondsPath")


def test_jsonata_timeouts_may_be_expressions():
    state = {**TASK, "TimeoutSeconds": "{% $states.input.t %}", "Arguments": {"a": "{% 1 %}"}}
    assert_valid(one(state, QueryLanguage="JSONata"))


def test_unknown_optimized_integration_action():
    state = {**TASK, "Resource": "arn:aws:states:::dynamodb:query"}
    problem_at(one(state), "/States/A/Resource", "dynamodb:query", "aws-sdk:dynamodb:query")


def test_sdk_and_lambda_arn_resources_are_accepted():
    for resource in ("arn:aws:states:::aws-sdk:dynamodb:query",
                     "arn:aws:lambda:us-east-1:111111111111:function:f",
                     "arn:aws:states:::states:startExecution.sync:2",
                     "arn:aws:states:us-east-1:111111111111:activity:a"):
        assert_valid(one({**TASK, "Resource": resource}))


def test_unknown_integration_pattern():
    state = {**TASK, "Resource": "arn:aws:states:::lambda:invoke.later"}
    problem_at(one(state), "/States/A/Resource", ".later")


@pytest.mark.parametrize("suffix", [".sync", ".sync:2", ".waitForTaskToken"])
def test_express_machines_refuse_sync_and_callback_patterns(suffix):
    state = {**TASK, "Resource": f"arn:aws:states:::states:startExecution{suffix}"}
    problem_at(one(state), "/States/A/Resource", suffix, "EXPRESS",
               state_machine_type="EXPRESS")
    assert_valid(one(state), state_machine_type="STANDARD")


@pytest.mark.parametrize("credentials", [{}, {"InvalidField": "x"}])
def test_credentials_need_role_arn(credentials):
    problem_at(one({**TASK, "Credentials": credentials}), "/States/A/Credentials", "RoleArn")


def test_credentials_role_arn_and_its_path_are_exclusive():
    credentials = {"RoleArn": "arn:aws:iam::1:role/r", "RoleArn.$": "$.role"}
    problem_at(one({**TASK, "Credentials": credentials}), "/States/A/Credentials", "RoleArn.$")


# --- Wait ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fields", [{}, {"Seconds": 1, "SecondsPath": "$.s"},
                                    {"Timestamp": "2016-03-14T01:59:00Z", "Seconds": 1}])
def test_wait_needs_exactly_one_duration(fields):
    problem_at(one({"Type": "Wait", **fields}), "/States/A", "Seconds", "TimestampPath")


@pytest.mark.parametrize("seconds", [-1, 1.5, "5", None])
def test_wait_seconds_is_a_non_negative_integer(seconds):
    problem_at(one({"Type": "Wait", "Seconds": seconds}), "/States/A/Seconds", "Seconds")


def test_wait_zero_seconds_is_valid():
    assert_valid(one({"Type": "Wait", "Seconds": 0}))


@pytest.mark.parametrize(
    "timestamp",
    ["2016-03-14T01:59:00Z", "2016-03-14T01:59:00+01:00", "2016-03-14T01:59:00-05:30",
     "2016-03-05T21:29:29.243167252Z", "2024-02-29T23:59:59Z"],
)
def test_valid_wait_timestamps(timestamp):
    assert_valid(one({"Type": "Wait", "Timestamp": timestamp}))


@pytest.mark.parametrize(
    "timestamp",
    ["2016-13-05T21:29:29Z", "05-12-2016T21:29:29Z", "2016-12-05T25:29:29Z",
     "2016-12-05 21:29:29Z", "2016-12-05T21:29:29", "2016-12-05t21:29:29z",
     "2023-02-29T00:00:00Z", "2016-12-05T21:29:29+1:00", "{% '2016-03-14T01:59:00Z' %}", 5],
)
def test_invalid_wait_timestamps(timestamp):
    problem_at(one({"Type": "Wait", "Timestamp": timestamp}), "/States/A/Timestamp",
               "Timestamp", "RFC 3339")


def test_jsonata_wait_timestamp_may_be_an_expression():
    assert_valid(one({"Type": "Wait", "Timestamp": "{% $t %}"}, QueryLanguage="JSONata"))


# --- Choice -------------------------------------------------------------------------------


def choice(*rules: dict, **extra) -> dict:
    return machine(("C", {"Type": "Choice", "Choices": list(rules), "Default": "B", **extra}),
                   ("B", PASS))


def test_choices_must_be_a_non_empty_array():
    problem_at(choice(), "/States/C/Choices", "Choices")
    problem_at(machine(("C", {"Type": "Choice", "Default": "B"}), ("B", PASS)), "/States/C",
               "Choices")


def test_top_level_rules_need_next():
    problem_at(choice({"Variable": "$.a", "IsNull": True}), "/States/C/Choices/0", "Next")


def test_nested_rules_have_no_next():
    rule = {"Not": {"Variable": "$.a", "IsNull": True, "Next": "B"}, "Next": "B"}
    problem_at(choice(rule), "/States/C/Choices/0/Not/Next", "Next", "top-level")


@pytest.mark.parametrize(
    "rule",
    [{"Variable": "$.a", "Next": "B"},
     {"Variable": "$.a", "IsNull": True, "IsString": True, "Next": "B"},
     {"And": [{"Variable": "$.a", "IsNull": True}], "Variable": "$.a", "IsNull": True,
      "Next": "B"}],
)
def test_a_rule_has_exactly_one_operator(rule):
    problem_at(choice(rule), "/States/C/Choices/0", "operator")


def test_a_comparison_needs_a_variable_path():
    problem_at(choice({"IsNull": True, "Next": "B"}), "/States/C/Choices/0", "Variable")
    problem_at(choice({"Variable": "a", "IsNull": True, "Next": "B"}),
               "/States/C/Choices/0/Variable", "Variable")


@pytest.mark.parametrize(
    "operator, value",
    [("StringEquals", 1), ("StringMatches", None), ("NumericEquals", "1"),
     ("NumericLessThan", True), ("BooleanEquals", "true"), ("IsPresent", 1),
     ("StringEqualsPath", "a.b"), ("NumericGreaterThanPath", 3),
     ("TimestampEquals", "yesterday"), ("TimestampLessThan", 5)],
)
def test_operator_value_types(operator, value):
    rule = {"Variable": "$.a", operator: value, "Next": "B"}
    problem_at(choice(rule), f"/States/C/Choices/0/{operator}", operator)


@pytest.mark.parametrize(
    "operator, value",
    [("StringEquals", "x"), ("NumericEquals", 1.5), ("BooleanEquals", False),
     ("IsTimestamp", True), ("StringEqualsPath", "$.b"), ("NumericEqualsPath", "$$.x"),
     ("TimestampEquals", "2012-10-09T19:00:55Z"), ("BooleanEqualsPath", "$var")],
)
def test_valid_operator_values(operator, value):
    assert_valid(choice({"Variable": "$.a", operator: value, "Next": "B"}))


def test_and_or_need_non_empty_rule_lists():
    problem_at(choice({"And": [], "Next": "B"}), "/States/C/Choices/0/And", "And")
    nested = {"Or": [{"Variable": "$.a", "IsNull": True}, {"Variable": "$.b"}], "Next": "B"}
    problem_at(choice(nested), "/States/C/Choices/0/Or/1", "operator")


def test_jsonata_rules_use_condition():
    definition = choice({"Next": "B"}, QueryLanguage="JSONata")
    problem_at(definition, "/States/C/Choices/0", "Condition")
    definition = choice({"Variable": "$.a", "IsNull": True, "Next": "B", "Condition": True},
                        QueryLanguage="JSONata")
    problem_at(definition, "/States/C/Choices/0/Variable", "Variable", "Condition")
    problem_at(choice({"Condition": "yes", "Next": "B"}, QueryLanguage="JSONata"),
               "/States/C/Choices/0/Condition", "Condition")
    assert_valid(choice({"Condition": "{% $states.input.a %}", "Next": "B"},
                        QueryLanguage="JSONata"))


# --- Retry and Catch ----------------------------------------------------------------------


def retry(*retriers: dict) -> dict:
    return one({**TASK, "Retry": list(retriers)})


@pytest.mark.parametrize("errors", [[], "States.ALL", [1], None])
def test_error_equals_is_a_non_empty_list_of_names(errors):
    problem_at(retry({"ErrorEquals": errors}), "/States/A/Retry/0/ErrorEquals", "ErrorEquals")


def test_error_equals_is_required():
    problem_at(retry({"MaxAttempts": 1}), "/States/A/Retry/0", "ErrorEquals")


def test_states_all_must_be_alone():
    definition = retry({"ErrorEquals": ["States.ALL", "X"]})
    problem_at(definition, "/States/A/Retry/0/ErrorEquals", "States.ALL", "alone")


def test_states_all_must_be_in_the_last_retrier_and_catcher():
    definition = retry({"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]})
    problem_at(definition, "/States/A/Retry/0/ErrorEquals", "States.ALL", "last")
    catchers = [{"ErrorEquals": ["States.ALL"], "Next": "B"}, {"ErrorEquals": ["X"], "Next": "B"}]
    definition = machine(("A", {**TASK, "Catch": catchers}), ("B", PASS))
    problem_at(definition, "/States/A/Catch/0/ErrorEquals", "States.ALL", "last")


@pytest.mark.parametrize(
    "field, value",
    [("IntervalSeconds", 0), ("IntervalSeconds", 1.5), ("MaxAttempts", -1),
     ("MaxAttempts", "3"), ("BackoffRate", 0.5), ("BackoffRate", "2"),
     ("MaxDelaySeconds", 0), ("JitterStrategy", "HALF"), ("Bogus", 1)],
)
def test_retrier_fields(field, value):
    definition = retry({"ErrorEquals": ["X"], field: value})
    problem_at(definition, f"/States/A/Retry/0/{field}", field)


def test_a_complete_retrier_is_valid():
    assert_valid(retry({"ErrorEquals": ["X"], "IntervalSeconds": 1, "MaxAttempts": 0,
                        "BackoffRate": 1.0, "MaxDelaySeconds": 5, "JitterStrategy": "FULL",
                        "Comment": "c"}))


def test_catcher_needs_next():
    definition = one({**TASK, "Catch": [{"ErrorEquals": ["X"]}]})
    problem_at(definition, "/States/A/Catch/0", "Next")


def test_catcher_result_path_is_jsonpath_only():
    catch = [{"ErrorEquals": ["X"], "Next": "B", "ResultPath": "$.e"}]
    definition = machine(("A", {**TASK, "Catch": catch}), ("B", PASS), QueryLanguage="JSONata")
    problem_at(definition, "/States/A/Catch/0/ResultPath", "ResultPath", "JSONata")


# --- Fail, Parallel, Map ------------------------------------------------------------------


@pytest.mark.parametrize("pair", [("Error", "ErrorPath"), ("Cause", "CausePath")])
def test_fail_fields_and_their_paths_are_exclusive(pair):
    state = {"Type": "Fail", pair[0]: "x", pair[1]: "$.x"}
    problem_at(one(state), f"/States/A/{pair[1]}", *pair)


def test_parallel_needs_non_empty_branches():
    problem_at(one({"Type": "Parallel", "Branches": []}), "/States/A/Branches", "Branches")
    problem_at(one({"Type": "Parallel"}), "/States/A", "Branches")


def test_parallel_branches_need_start_at_and_states():
    definition = one({"Type": "Parallel", "Branches": [{"States": {"X": PASS}}]})
    problem_at(definition, "/States/A/Branches/0", "StartAt")


def map_state(**fields) -> dict:
    processor = fields.pop("processor", {"StartAt": "In", "States": {"In": PASS}})
    return one({"Type": "Map", "ItemProcessor": processor, **fields})


def test_map_needs_one_processor():
    problem_at(one({"Type": "Map"}), "/States/A", "ItemProcessor")
    iterator = {"StartAt": "It", "States": {"It": PASS}}
    problem_at(map_state(Iterator=iterator), "/States/A/Iterator", "ItemProcessor", "Iterator")


@pytest.mark.parametrize(
    "config, field",
    [({"Mode": "PARALLEL"}, "Mode"), ({"Mode": "DISTRIBUTED", "ExecutionType": "FAST"},
                                      "ExecutionType"), ({"Mode": "INLINE", "Bogus": 1}, "Bogus")],
)
def test_processor_config_values(config, field):
    processor = {"StartAt": "In", "States": {"In": PASS}, "ProcessorConfig": config}
    problem_at(map_state(processor=processor),
               f"/States/A/ItemProcessor/ProcessorConfig/{field}", field)


def test_distributed_mode_needs_an_execution_type():
    processor = {"StartAt": "In", "States": {"In": PASS},
                 "ProcessorConfig": {"Mode": "DISTRIBUTED"}}
    problem_at(map_state(processor=processor), "/States/A/ItemProcessor/ProcessorConfig",
               "ExecutionType")


@pytest.mark.parametrize("label", ["", "x" * 41, "a b", "a:b", "a\u0085", 7])
def test_map_label(label):
    problem_at(map_state(Label=label), "/States/A/Label", "Label")


def test_valid_map_fields():
    assert_valid(map_state(Label="x" * 40, MaxConcurrency=0, ToleratedFailurePercentage=100,
                           ToleratedFailureCount=0, ItemBatcher={"MaxItemsPerBatch": 5},
                           ItemSelector={"v.$": "$$.Map.Item.Value"}))


@pytest.mark.parametrize(
    "field, value",
    [("ToleratedFailurePercentage", 101), ("ToleratedFailurePercentage", -1),
     ("MaxConcurrency", -1), ("MaxConcurrency", 1.5), ("ToleratedFailureCount", -1)],
)
def test_map_numbers(field, value):
    problem_at(map_state(**{field: value}), f"/States/A/{field}", field)


@pytest.mark.parametrize(
    "batcher, pointer, word",
    [({}, "", "MaxItemsPerBatch"), ({"MaxItemsPerBatch": 0}, "/MaxItemsPerBatch",
                                    "MaxItemsPerBatch"),
     ({"MaxInputBytesPerBatch": 262145}, "/MaxInputBytesPerBatch", "262144"),
     ({"MaxItemsPerBatch": 1, "Size": 1}, "/Size", "Size")],
)
def test_item_batcher(batcher, pointer, word):
    problem_at(map_state(ItemBatcher=batcher), f"/States/A/ItemBatcher{pointer}", word)


def test_item_selector_and_parameters_are_exclusive():
    problem_at(map_state(ItemSelector={}, Parameters={}), "/States/A/Parameters",
               "ItemSelector", "Parameters")


# --- Assign, templates, ResultPath, JSONata strings ---------------------------------------


@pytest.mark.parametrize("name", ["states", "1x", "a-b", "x" * 81, "has space"])
def test_bad_variable_names(name):
    problem_at(one({"Type": "Pass", "Assign": {name: 1}}), f"/States/A/Assign/{name}")


def test_jsonpath_assign_strips_the_dollar_suffix_from_names():
    assert_valid(one({"Type": "Pass", "Assign": {"x.$": "$.a", "_y": 1, "é": 2, "z" * 80: 3}}))


def test_jsonata_assign_names_keep_their_suffix():
    definition = one({"Type": "Pass", "Assign": {"x.$": "{% 1 %}"}}, QueryLanguage="JSONata")
    problem_at(definition, "/States/A/Assign/x.$", "x.$")


@pytest.mark.parametrize("field", ["Parameters", "ResultSelector"])
def test_duplicate_keys_after_stripping_the_dollar_suffix(field):
    template = {"nested": [{"a": 1, "a.$": "$.a"}]}
    problem_at(one({**TASK, field: template}), f"/States/A/{field}/nested/0/a.$", "a.$", "'a'")


def test_dollar_suffixed_keys_need_string_values():
    problem_at(one({**TASK, "Parameters": {"a.$": 5}}), "/States/A/Parameters/a.$", "a.$")


def test_parameters_must_be_an_object():
    problem_at(one({**TASK, "Parameters": [1]}), "/States/A/Parameters", "Parameters")


@pytest.mark.parametrize("path, word", [("$$.Execution", "$$"), ("$var", "variable"),
                                        (5, "ResultPath")])
def test_result_path(path, word):
    problem_at(one({**TASK, "ResultPath": path}), "/States/A/ResultPath", "ResultPath", word)


def test_result_path_may_be_null_or_a_path():
    assert_valid(one({**TASK, "ResultPath": None}))
    assert_valid(one({**TASK, "ResultPath": "$.x[0]"}))


@pytest.mark.parametrize("text", ["{% $x", "{%%}", "{%  %}", "{%}"])
def test_malformed_jsonata_expressions(text):
    definition = one({"Type": "Pass", "Output": {"deep": [text]}}, QueryLanguage="JSONata")
    problem_at(definition, "/States/A/Output/deep/0", "{%")


def test_jsonata_text_is_not_parsed_here():
    definition = one({"Type": "Pass", "Output": "{% ((( %}"}, QueryLanguage="JSONata")
    assert_valid(definition)


def test_jsonpath_and_intrinsic_syntax_is_left_to_the_loader():
    assert_valid(one({**TASK, "Parameters": {"a.$": "States.Format('{}'"}, "InputPath": "$["}))


# --- robustness ---------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(
        ["$", "$.a", "{% 1 %}", "{%", "States.ALL", "A", "B", "JSONata", "Pass", "Map"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["Type", "Next", "End", "States", "StartAt", "Choices", "Branches",
                         "ItemProcessor", "Catch", "Retry", "ErrorEquals", "Assign", "a.$",
                         "Parameters", "Variable", "And", "Not", "QueryLanguage", "Seconds"]),
        inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(["A", "B"]), _json, max_size=2), _json)
def test_never_raises_on_arbitrary_json(states, start):
    definition = {"StartAt": start, "States": states, "QueryLanguage": "JSONata"}
    for problem in structural_problems(definition):
        assert isinstance(problem, Problem) and isinstance(problem.message, str)
        assert problem.pointer == "" or problem.pointer.startswith("/")


# --- the AWS-recorded corpus --------------------------------------------------------------

CORPUS = Path(
    os.environ.get(
        "PYSFN_AWS_CORPUS",
        Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "aws-recorded",
    )
)

def _cases(folder: Path) -> list[dict]:
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.glob("*.json") if not p.name.startswith("_"))
    return [json.loads(p.read_text(encoding="utf-8")) for p in files]


def _param(case: dict):
    return pytest.param(case, id=case["name"])


_EXECUTIONS = _cases(CORPUS)
_VALIDATIONS = _cases(CORPUS / "validation")
_REFUSED = [c for c in _VALIDATIONS if c["expected"]["result"] in ("REJECTED", "FAIL")]
_ACCEPTED = [c for c in _VALIDATIONS if c["expected"]["result"] == "OK"]
_absent = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"AWS corpus not found at {CORPUS}")


@_absent
@pytest.mark.parametrize("case", [_param(c) for c in _EXECUTIONS + _ACCEPTED] or [None])
def test_definitions_aws_accepted_have_no_problem(case):
    problems = pysfn_emulator.validate(
        copy.deepcopy(case["definition"]),
        state_machine_type=case.get("state_machine_type", "STANDARD"),
    )
    assert problems == []


@_absent
@pytest.mark.parametrize("case", [_param(c) for c in _REFUSED] or [None])
def test_definitions_aws_refused_have_a_problem(case):
    # The raw text of the two that are not JSON at all, the definition otherwise; syntax of
    # paths and intrinsic calls is the loader's part of validate.
    definition = case["definition"] if case.get("definition") is not None else case["definition_raw"]
    problems = pysfn_emulator.validate(
        definition, state_machine_type=case.get("state_machine_type", "STANDARD")
    )
    assert problems, case["expected"]


@_absent
def test_the_corpus_is_complete():
    assert len(_EXECUTIONS) == 976
    assert len(_REFUSED) + len(_ACCEPTED) == 115
