"""Each state type on its own (Pass, Succeed, Fail, Choice, Wait) and the context object."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pysfn_emulator

START = datetime(2024, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)
START_TEXT = "2024-03-01T12:00:00.250Z"
FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:f"
PREFIX = "An error occurred while executing the state '{}' (entered at the event id #{}). "


def run_states(states: dict, input=None, start_at=None, **kwargs):
    definition = {"StartAt": start_at or next(iter(states)), "States": states}
    kwargs.setdefault("start_time", START)
    return pysfn_emulator.run(definition, input, **kwargs)


def one(state: dict, input=None, **kwargs):
    """A machine of one state named S; Pass/Task/Wait states get End: true."""
    if state["Type"] not in ("Succeed", "Fail", "Choice"):
        state = {**state, "End": True}
    return run_states({"S": state}, input, **kwargs)


# -- Pass -------------------------------------------------------------------------------------------


def test_pass_without_result_passes_its_input_through():
    execution = one({"Type": "Pass"}, {"a": 1})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"a": 1}


def test_pass_result_becomes_the_output():
    # AWS: base__TestSnfBase__test_state_pass_result
    assert one({"Type": "Pass", "Result": {"Arg1": "argument1"}}, {}).output == {"Arg1": "argument1"}


def test_pass_result_may_be_any_json_value():
    for value in (None, 0, "text", [1, 2], False):
        assert one({"Type": "Pass", "Result": value}, {"a": 1}).output == value


def test_pass_result_is_literal_even_when_it_looks_like_a_template():
    result = {"x.$": "$.a", "y": "$.a"}
    assert one({"Type": "Pass", "Result": result}, {"a": 1}).output == result


def test_pass_parameters_build_the_output():
    execution = one({"Type": "Pass", "Parameters": {"v.$": "$.a", "k": 1}}, {"a": 5})
    assert execution.output == {"v": 5, "k": 1}


def test_pass_result_wins_over_parameters():
    execution = one({"Type": "Pass", "Parameters": {"v.$": "$.a"}, "Result": "r"}, {"a": 5})
    assert execution.output == "r"


def test_pass_result_with_result_path():
    execution = one({"Type": "Pass", "Result": 1, "ResultPath": "$.r"}, {"a": 0})
    assert execution.output == {"a": 0, "r": 1}


def test_states_run_in_next_order():
    execution = run_states(
        {
            "A": {"Type": "Pass", "Result": ["A"], "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"seen.$": "$"}, "Next": "C"},
            "C": {"Type": "Pass", "End": True},
        }
    )
    assert execution.output == {"seen": ["A"]}
    assert execution.path == ["A", "B", "C"]


# -- Succeed ---------------------------------------------------------------------------------------


def test_succeed_ends_the_execution_with_its_input():
    execution = run_states(
        {"Start": {"Type": "Pass", "Next": "Done"}, "Done": {"Type": "Succeed"}}, {"a": 1}
    )
    assert execution.status == "SUCCEEDED"
    assert execution.path == ["Start", "Done"]
    assert execution.output == {"a": 1}


def test_succeed_applies_input_and_output_paths():
    execution = one({"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}, {"a": {"b": 2}})
    assert execution.output == 2


# -- Fail --------------------------------------------------------------------------------------------


def test_fail_reports_error_and_cause():
    # AWS: base__TestSnfBase__test_state_fail
    execution = one({"Type": "Fail", "Error": "SomeFailure", "Cause": "because"}, {})
    assert execution.status == "FAILED"
    assert (execution.error, execution.cause) == ("SomeFailure", "because")
    assert execution.output is None


def test_a_fail_state_with_a_states_error_keeps_its_cause_as_written():
    """A Fail state's Error and Cause end the execution as written, States.Runtime too (the run
    loop prefixed "An error occurred while executing the state ..." to the errors it locates,
    a Fail state's included: a compiled workflow re-raising a caught runtime error doubled it).
    An ErrorPath that selects no string is the state's own runtime error: located."""
    fail = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "States.Runtime", "Cause": "my cause"}}}
    execution = pysfn_emulator.run(fail, {})
    assert (execution.error, execution.cause) == ("States.Runtime", "my cause")
    by_path = {"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.e", "Cause": "c"}}}
    assert pysfn_emulator.run(by_path, {"e": 5}).cause.startswith(
        "An error occurred while executing the state 'F' (entered at the event id #2). The ErrorPath field")


def test_fail_without_error_or_cause_leaves_both_null():
    # AWS: base__TestSnfBase__test_state_fail_empty
    execution = one({"Type": "Fail"}, {})
    assert execution.status == "FAILED"
    assert execution.error is None
    assert execution.cause is None


def test_fail_with_only_an_error_has_a_null_cause():
    execution = one({"Type": "Fail", "Error": "Only"}, {})
    assert (execution.error, execution.cause) == ("Only", None)


def test_fail_error_path_and_cause_path_read_the_input():
    # AWS: base__TestSnfBase__test_state_fail_path
    execution = one(
        {"Type": "Fail", "ErrorPath": "$.Error", "CausePath": "$.Cause"},
        {"Error": "error string", "Cause": "cause string"},
    )
    assert (execution.error, execution.cause) == ("error string", "cause string")


def test_fail_paths_read_the_context_object():
    # AWS: context_object__TestSnfBase__test_error_cause_path
    execution = one(
        {"Type": "Fail", "ErrorPath": "$$.State.Name", "CausePath": "$$.StateMachine.Name"},
        {},
        state_machine_name="machine-x",
    )
    assert (execution.error, execution.cause) == ("S", "machine-x")


def test_fail_error_path_that_finds_nothing_is_a_runtime_error():
    # AWS: scenarios__TestBaseScenarios__test_invalid_jsonpath_INVALID_JSONPATH_IN_ERRORPATH
    execution = run_states(
        {
            "pass": {"Type": "Pass", "Parameters": {"Error": "error-value"}, "Next": "fail"},
            "fail": {"Type": "Fail", "ErrorPath": "$.ErrorX"},
        },
        {"int-literal": 0},
    )
    assert execution.error == "States.Runtime"
    assert execution.cause.startswith(
        PREFIX.format("fail", 4)
        + "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in "
        "the input '"
    )


def test_fail_cause_path_that_finds_nothing_names_the_cause_path_field():
    # AWS: scenarios__TestBaseScenarios__test_invalid_jsonpath_ST.INVALID_JSONPATH_IN_CAUSEPATH
    execution = one(
        {"Type": "Fail", "ErrorPath": "$.Error", "CausePath": "$.NoSuchCausePath"},
        {"Error": "error-value"},
    )
    assert execution.error == "States.Runtime"
    assert "'$.NoSuchCausePath' specified for the field 'CausePath'" in execution.cause


# -- Choice ----------------------------------------------------------------------------------------


CHOICE = {
    "Type": "Choice",
    "Choices": [
        {"Variable": "$.n", "NumericLessThan": 0, "Next": "Negative"},
        {"Variable": "$.n", "NumericEquals": 0, "Next": "Zero"},
    ],
    "Default": "Positive",
}
BRANCHES = {
    "Negative": {"Type": "Pass", "Result": "negative", "End": True},
    "Zero": {"Type": "Pass", "Result": "zero", "End": True},
    "Positive": {"Type": "Pass", "Result": "positive", "End": True},
}


def test_choice_takes_the_first_matching_rule():
    assert run_states({"C": CHOICE, **BRANCHES}, {"n": -3}).output == "negative"
    assert run_states({"C": CHOICE, **BRANCHES}, {"n": 0}).output == "zero"


def test_choice_takes_the_default_when_nothing_matches():
    assert run_states({"C": CHOICE, **BRANCHES}, {"n": 4}).output == "positive"


def test_choice_rules_are_tried_in_order():
    choice = {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 0, "Next": "Zero"},
            {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Negative"},
        ],
        "Default": "Positive",
    }
    assert run_states({"C": choice, **BRANCHES}, {"n": 50}).output == "zero"


def test_choice_without_match_or_default_fails_with_no_choice_matched():
    choice = {k: v for k, v in CHOICE.items() if k != "Default"}
    branches = {k: v for k, v in BRANCHES.items() if k != "Positive"}
    execution = run_states({"C": choice, **branches}, {"n": 4})
    assert execution.status == "FAILED"
    assert execution.error == "States.NoChoiceMatched"


def test_choice_passes_its_input_on_unchanged():
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.n", "IsPresent": True, "Next": "End"}]}
    execution = run_states({"C": choice, "End": {"Type": "Succeed"}}, {"n": 1, "x": [2]})
    assert execution.output == {"n": 1, "x": [2]}


def test_choice_input_and_output_paths():
    choice = {
        "Type": "Choice",
        "InputPath": "$.inner",
        "OutputPath": "$.keep",
        "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "End"}],
    }
    execution = run_states({"C": choice, "End": {"Type": "Succeed"}}, {"inner": {"n": 1, "keep": "k"}})
    assert execution.output == "k"


def test_choice_variable_may_be_a_context_path():
    # AWS: context_object__TestSnfBase__test_variable
    choice = {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$$.Execution.Input.input-value", "NumericLessThanEquals": 0, "Next": "Yes"}
        ],
        "Default": "No",
    }
    states = {
        "C": choice,
        "Yes": {"Type": "Pass", "Result": "yes", "End": True},
        "No": {"Type": "Pass", "Result": "no", "End": True},
    }
    assert run_states(states, {"input-value": 0}).output == "yes"


def test_choice_loop_runs_until_the_condition_changes():
    states = {
        "Init": {"Type": "Pass", "Result": {"i": 0}, "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.i", "NumericGreaterThanEquals": 3, "Next": "Done"}],
            "Default": "Step",
        },
        "Step": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
        "Done": {"Type": "Succeed"},
    }
    execution = run_states(states)
    assert execution.output == {"i": 3}
    assert execution.path.count("Step") == 3


# -- Wait --------------------------------------------------------------------------------------------


def test_wait_seconds_moves_the_virtual_clock():
    execution = one({"Type": "Wait", "Seconds": 90}, {"a": 1})
    assert execution.output == {"a": 1}
    assert execution.elapsed_seconds == 90


def test_wait_seconds_zero_does_not_move_the_clock():
    assert one({"Type": "Wait", "Seconds": 0}, {}).elapsed_seconds == 0


def test_wait_seconds_path_reads_the_input():
    execution = one({"Type": "Wait", "SecondsPath": "$.input.waitSeconds"}, {"input": {"waitSeconds": 7}})
    assert execution.status == "SUCCEEDED"
    assert execution.elapsed_seconds == 7


def test_wait_seconds_path_zero_succeeds():
    # AWS: base__TestSfnWait__test_base_wait_seconds_path_0
    execution = one({"Type": "Wait", "SecondsPath": "$.input.waitSeconds"}, {"input": {"waitSeconds": 0}})
    assert execution.output == {"input": {"waitSeconds": 0}}


def test_wait_seconds_path_negative_fails_with_aws_cause():
    # AWS: base__TestSfnWait__test_base_wait_seconds_path_-1
    execution = one({"Type": "Wait", "SecondsPath": "$.input.waitSeconds"}, {"input": {"waitSeconds": -1}})
    assert execution.error == "States.Runtime"
    assert execution.cause == PREFIX.format("S", 2) + (
        "The SecondsPath parameter references a negative value: $.input.waitSeconds == -1"
    )


def test_wait_seconds_path_fraction_fails_with_aws_cause():
    # AWS: base__TestSfnWait__test_base_wait_seconds_path_1.5
    execution = one({"Type": "Wait", "SecondsPath": "$.input.waitSeconds"}, {"input": {"waitSeconds": 1.5}})
    assert execution.error == "States.Runtime"
    assert execution.cause == PREFIX.format("S", 2) + (
        "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5"
    )


def test_wait_seconds_path_negative_fraction_is_a_parse_error_first():
    # AWS: base__TestSfnWait__test_base_wait_seconds_path_-1.5
    execution = one({"Type": "Wait", "SecondsPath": "$.s"}, {"s": -1.5})
    assert execution.cause.endswith("The SecondsPath parameter cannot be parsed as a long value: $.s == -1.5")


def test_wait_seconds_path_missing_fails_as_a_runtime_error():
    execution = one({"Type": "Wait", "SecondsPath": "$.nope"}, {})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"


def test_wait_timestamp_waits_until_that_instant():
    target = START + timedelta(hours=2)
    execution = one({"Type": "Wait", "Timestamp": target.strftime("%Y-%m-%dT%H:%M:%SZ")}, {})
    assert execution.stop_date == target.replace(microsecond=0)


def test_wait_timestamp_in_the_past_does_not_wait():
    # AWS: scenarios__TestBaseScenarios__test_wait_timestamp_SECONDS
    execution = one({"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z"}, {})
    assert execution.status == "SUCCEEDED"
    assert execution.elapsed_seconds == 0


def test_wait_timestamp_with_an_offset():
    execution = one({"Type": "Wait", "Timestamp": "2024-03-01T14:00:00.250+01:00"}, {})
    assert execution.elapsed_seconds == 3600


def test_wait_timestamp_path_reads_the_input():
    execution = one({"Type": "Wait", "TimestampPath": "$.at"}, {"at": "2024-03-01T12:00:10.250Z"})
    assert execution.status == "SUCCEEDED"
    assert execution.elapsed_seconds == 10


def test_wait_timestamp_path_with_nanoseconds_is_valid():
    # AWS: scenarios__TestBaseScenarios__test_wait_timestamp_path_NANOSECONDS
    execution = one({"Type": "Wait", "TimestampPath": "$.t"}, {"t": "2016-03-05T21:29:29.243167252Z"})
    assert execution.status == "SUCCEEDED"


def test_wait_timestamp_path_without_zone_fails_with_aws_cause():
    # AWS: scenarios__TestBaseScenarios__test_wait_timestamp_path_NO_Z
    execution = one({"Type": "Wait", "TimestampPath": "$.TimestampValue"}, {"TimestampValue": "2016-12-05T21:29:29"})
    assert execution.error == "States.Runtime"
    assert execution.cause == PREFIX.format("S", 2) + (
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
        "date-time format string: $.TimestampValue == 2016-12-05T21:29:29"
    )


def test_wait_timestamp_path_with_an_invalid_date_fails():
    # AWS: scenarios__TestBaseScenarios__test_wait_timestamp_path_INVALID_DATE
    execution = one({"Type": "Wait", "TimestampPath": "$.t"}, {"t": "2016-13-05T21:29:29Z"})
    assert execution.cause.endswith("date-time format string: $.t == 2016-13-05T21:29:29Z")


def test_wait_timestamp_path_to_a_number_fails():
    execution = one({"Type": "Wait", "TimestampPath": "$.t"}, {"t": 5})
    assert execution.error == "States.Runtime"
    assert "The TimestampPath parameter does not reference a valid ISO-8601" in execution.cause


def test_wait_passes_its_input_through_with_paths():
    execution = one({"Type": "Wait", "Seconds": 1, "InputPath": "$.a", "OutputPath": "$.b"}, {"a": {"b": 3}})
    assert execution.output == 3


# -- the context object --------------------------------------------------------------------------


CONTEXT_PARAMETERS = {"Parameters": {"c.$": "$$"}}


def context_in(state_type: str, **kwargs) -> dict:
    """The whole context object as a state of the given type sees it."""
    if state_type == "Task":
        state = {"Type": "Task", "Resource": FUNCTION, **CONTEXT_PARAMETERS}
        kwargs["lambdas"] = {FUNCTION: lambda event, context: event}
    elif state_type == "Parallel":
        branch = {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}
        state = {"Type": "Parallel", "Branches": [branch], **CONTEXT_PARAMETERS, "OutputPath": "$[0]"}
    elif state_type == "Map":
        processor = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
        state = {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"c.$": "$$"},
            "ItemProcessor": processor,
            "OutputPath": "$[0]",
        }
    else:
        state = {"Type": "Pass", **CONTEXT_PARAMETERS}
    execution = one(state, {"items": [1], "k": "v"}, **kwargs)
    assert execution.status == "SUCCEEDED", execution.cause
    return execution.output["c"]


def test_context_execution_fields():
    context = context_in("Pass", state_machine_name="orders", execution_name="run-1")
    assert context["Execution"] == {
        "Id": "arn:aws:states:us-east-1:111111111111:execution:orders:run-1",
        "Input": {"items": [1], "k": "v"},
        "StartTime": START_TEXT,
        "Name": "run-1",
        "RoleArn": context["Execution"]["RoleArn"],
        "RedriveCount": 0,
    }
    assert context["Execution"]["RoleArn"].startswith("arn:aws:iam::111111111111:role/")


def test_context_state_machine_fields():
    context = context_in("Pass", state_machine_name="orders")
    assert context["StateMachine"] == {
        "Id": "arn:aws:states:us-east-1:111111111111:stateMachine:orders",
        "Name": "orders",
    }


def test_context_state_fields_in_a_pass_have_no_retry_count():
    # AWS: base__TestSnfBase__test_query_context_object_values
    assert context_in("Pass")["State"] == {"Name": "S", "EnteredTime": START_TEXT}


def test_context_has_only_execution_state_machine_and_state_outside_map_and_task():
    assert set(context_in("Pass")) == {"Execution", "StateMachine", "State"}


def test_context_state_in_a_task_has_retry_count_zero():
    # AWS: scenarios__TestBaseScenarios__test_retry_interval_features_max_attempts_zero
    assert context_in("Task")["State"] == {"Name": "S", "EnteredTime": START_TEXT, "RetryCount": 0}


def test_context_state_in_a_parallel_has_retry_count():
    assert context_in("Parallel")["State"]["RetryCount"] == 0


def test_context_state_in_a_map_item_selector_has_retry_count_and_map_item():
    context = context_in("Map")
    assert context["State"]["RetryCount"] == 0
    # AWS's Developer Guide ("Context object data for Map states"): Source is STATE_DATA for
    # items from the state's input.
    assert context["Map"] == {"Item": {"Index": 0, "Value": 1, "Source": "STATE_DATA"}}


def test_context_input_is_the_execution_input_not_the_state_input():
    execution = run_states(
        {
            "A": {"Type": "Pass", "Result": {"changed": True}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"in.$": "$$.Execution.Input"}, "End": True},
        },
        {"original": 1},
    )
    assert execution.output == {"in": {"original": 1}}


def test_context_state_name_follows_the_current_state():
    execution = run_states(
        {
            "First": {"Type": "Pass", "Parameters": {"n.$": "$$.State.Name"}, "ResultPath": "$.a", "Next": "Second"},
            "Second": {"Type": "Pass", "Parameters": {"n.$": "$$.State.Name"}, "ResultPath": "$.b", "End": True},
        },
        {},
    )
    assert execution.output == {"a": {"n": "First"}, "b": {"n": "Second"}}


def test_execution_name_defaults_to_a_uuid_and_is_reproducible_with_a_seed():
    first = one({"Type": "Pass"}, {}, seed=3)
    second = one({"Type": "Pass"}, {}, seed=3)
    assert first.name == second.name
    assert len(first.name) == 36 and first.name.count("-") == 4
    assert first.execution_arn.endswith(":" + first.name)


def test_execution_arns_use_the_given_names():
    execution = one({"Type": "Pass"}, {}, state_machine_name="m", execution_name="e")
    assert execution.name == "e"
    assert execution.state_machine_arn == "arn:aws:states:us-east-1:111111111111:stateMachine:m"
    assert execution.execution_arn == "arn:aws:states:us-east-1:111111111111:execution:m:e"


def test_express_execution_id_carries_machine_name_execution_name_and_a_run_id():
    # AWS: express__TestExpressAsync__test_query_runtime_memory (express:<machine>:<name>:<id>)
    execution = one(
        {"Type": "Pass", "Parameters": {"id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name"}},
        {},
        state_machine_name="m",
        execution_name="e",
        state_machine_type="EXPRESS",
    )
    prefix = "arn:aws:states:us-east-1:111111111111:express:m:e:"
    assert execution.output["id"].startswith(prefix)
    assert execution.output["id"][len(prefix):]
    assert execution.output["name"] == "e"
