"""Execution history as GetExecutionHistory returns it: event types in order per state type,
sequential ids, previousEventId links as in the AWS recordings, details as JSON text, and the
25,000-event quota of STANDARD executions."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import pysfn_emulator

CORPUS = Path(
    os.environ.get(
        "PYSFN_AWS_CORPUS",
        Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "aws-recorded",
    )
)
FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:f"
START = datetime(2024, 5, 1, 8, 0, 0, 500000, tzinfo=UTC)


def run(states: dict, input=None, start_at=None, **kwargs):
    definition = {"StartAt": start_at or next(iter(states)), "States": states}
    kwargs.setdefault("start_time", START)
    return pysfn_emulator.run(definition, input, **kwargs)


def types(execution) -> list[str]:
    return [event["type"] for event in execution.history]


def links(execution) -> list[tuple[int, int, str]]:
    return [(e["id"], e["previousEventId"], e["type"]) for e in execution.history]


def identity(event, context):
    return event


# -- the shape of every event -----------------------------------------------------------------


def test_ids_are_sequential_from_one():
    execution = run({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}}, {})
    assert [event["id"] for event in execution.history] == list(range(1, 7))


def test_pass_sequence_and_links():
    # AWS: base__TestSnfBase__test_state_pass_result
    execution = run({"S": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}}, {})
    assert links(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "ExecutionSucceeded"),
    ]


def test_events_carry_a_type_id_previous_id_and_timestamp():
    execution = run({"S": {"Type": "Pass", "End": True}}, {})
    for event in execution.history:
        assert {"id", "previousEventId", "timestamp", "type"} <= set(event)
        assert isinstance(event["timestamp"], datetime)


def test_execution_started_details():
    execution = run({"S": {"Type": "Pass", "End": True}}, {"a": [1, 2]}, role_arn="arn:aws:iam::1:role/r")
    assert execution.history[0]["executionStartedEventDetails"] == {
        "input": '{"a":[1,2]}',
        "inputDetails": {"truncated": False},
        "roleArn": "arn:aws:iam::1:role/r",
    }


def test_state_entered_and_exited_details_are_json_text():
    execution = run({"S": {"Type": "Pass", "Result": {"r": "é"}, "End": True}}, {"a": 1})
    assert execution.history[1]["stateEnteredEventDetails"] == {
        "name": "S",
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
    }
    assert execution.history[2]["stateExitedEventDetails"] == {
        "name": "S",
        "output": '{"r":"é"}',
        "outputDetails": {"truncated": False},
    }


def test_execution_succeeded_details():
    execution = run({"S": {"Type": "Pass", "Result": [1, "two"], "End": True}}, {})
    assert execution.history[-1]["executionSucceededEventDetails"] == {
        "output": '[1,"two"]',
        "outputDetails": {"truncated": False},
    }


def test_scalar_input_is_json_text_too():
    execution = run({"S": {"Type": "Pass", "End": True}}, "HelloWorld")
    assert execution.history[0]["executionStartedEventDetails"]["input"] == '"HelloWorld"'


def test_timestamps_follow_the_virtual_clock():
    execution = run({"W": {"Type": "Wait", "Seconds": 30, "Next": "P"}, "P": {"Type": "Pass", "End": True}}, {})
    stamps = {event["type"]: event["timestamp"] for event in execution.history}
    assert stamps["ExecutionStarted"] == START
    assert stamps["WaitStateEntered"] == START
    assert stamps["WaitStateExited"] == START + timedelta(seconds=30)
    assert stamps["ExecutionSucceeded"] == START + timedelta(seconds=30)


# -- one sequence per state type --------------------------------------------------------------


def test_choice_sequence():
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "End"}]}
    execution = run({"C": choice, "End": {"Type": "Succeed"}}, {"a": 1})
    assert links(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "ChoiceStateEntered"),
        (3, 2, "ChoiceStateExited"),
        (4, 3, "SucceedStateEntered"),
        (5, 4, "SucceedStateExited"),
        (6, 5, "ExecutionSucceeded"),
    ]


def test_wait_sequence():
    execution = run({"W": {"Type": "Wait", "Seconds": 1, "End": True}}, {})
    assert types(execution) == ["ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"]


def test_fail_sequence_and_details():
    # AWS: base__TestSnfBase__test_state_fail
    execution = run({"F": {"Type": "Fail", "Error": "SomeFailure", "Cause": "why"}}, {})
    assert links(execution) == [(1, 0, "ExecutionStarted"), (2, 0, "FailStateEntered"), (3, 2, "ExecutionFailed")]
    assert execution.history[-1]["executionFailedEventDetails"] == {"error": "SomeFailure", "cause": "why"}


def test_fail_without_error_or_cause_has_empty_failed_details():
    # AWS: base__TestSnfBase__test_state_fail_empty
    execution = run({"F": {"Type": "Fail"}}, {})
    assert execution.history[-1]["executionFailedEventDetails"] == {}


def test_fail_with_only_an_error_has_no_cause_key():
    # AWS: scenarios__TestBaseScenarios__test_parallel_state_fail
    execution = run({"F": {"Type": "Fail", "Error": "FailureType"}}, {})
    assert execution.history[-1]["executionFailedEventDetails"] == {"error": "FailureType"}


def test_runtime_failure_ends_right_after_the_state_was_entered():
    # AWS: scenarios__TestBaseScenarios__test_invalid_jsonpath_ST.INVALID_JSONPATH_IN_INPUTPATH
    execution = run({"S": {"Type": "Pass", "InputPath": "$.nope", "End": True}}, {})
    assert links(execution) == [(1, 0, "ExecutionStarted"), (2, 0, "PassStateEntered"), (3, 2, "ExecutionFailed")]
    details = execution.history[-1]["executionFailedEventDetails"]
    assert details["error"] == "States.Runtime"
    assert details["cause"] == execution.cause


def test_legacy_lambda_task_sequence_and_details():
    # AWS: scenarios__TestBaseScenarios__test_catch_empty
    execution = run(
        {"T": {"Type": "Task", "Resource": FUNCTION, "End": True}},
        {"a": 1},
        lambdas={FUNCTION: lambda event, context: {"r": 2}},
    )
    assert links(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "TaskStateEntered"),
        (3, 2, "LambdaFunctionScheduled"),
        (4, 3, "LambdaFunctionStarted"),
        (5, 4, "LambdaFunctionSucceeded"),
        (6, 5, "TaskStateExited"),
        (7, 6, "ExecutionSucceeded"),
    ]
    assert execution.history[2]["lambdaFunctionScheduledEventDetails"] == {
        "resource": FUNCTION,
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
    }
    assert "lambdaFunctionStartedEventDetails" not in execution.history[3]
    assert execution.history[4]["lambdaFunctionSucceededEventDetails"] == {
        "output": '{"r":2}',
        "outputDetails": {"truncated": False},
    }


def test_legacy_lambda_scheduled_carries_the_timeout():
    # AWS: timeouts__TestTimeouts__test_fixed_timeout_lambda
    execution = run(
        {"T": {"Type": "Task", "Resource": FUNCTION, "TimeoutSeconds": 5, "End": True}},
        {},
        lambdas={FUNCTION: identity},
    )
    assert execution.history[2]["lambdaFunctionScheduledEventDetails"]["timeoutInSeconds"] == 5


def test_legacy_lambda_failure_details():
    # AWS: error_handling__TestTaskLambda__test_raise_exception
    def handler(event, context):
        raise ValueError("bad value")

    execution = run({"T": {"Type": "Task", "Resource": FUNCTION, "End": True}}, {}, lambdas={FUNCTION: handler})
    assert types(execution)[-2:] == ["LambdaFunctionFailed", "ExecutionFailed"]
    details = execution.history[-2]["lambdaFunctionFailedEventDetails"]
    assert details["error"] == "ValueError"
    assert json.loads(details["cause"])["errorMessage"] == "bad value"


def test_legacy_lambda_timeout_event():
    # AWS: timeouts__TestTimeouts__test_fixed_timeout_lambda
    def handler(event, context):
        time.sleep(60)

    execution = run(
        {"T": {"Type": "Task", "Resource": FUNCTION, "TimeoutSeconds": 5, "End": True}}, {}, lambdas={FUNCTION: handler}
    )
    assert links(execution)[-2:] == [(5, 4, "LambdaFunctionTimedOut"), (6, 5, "ExecutionFailed")]
    assert execution.history[-2]["lambdaFunctionTimedOutEventDetails"] == {"error": "States.Timeout"}
    assert execution.history[-1]["executionFailedEventDetails"] == {"error": "States.Timeout"}


def test_lambda_invoke_task_sequence_and_details():
    # AWS: error_handling__TestTaskServiceLambda__test_raise_custom_exception (shapes)
    execution = run(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
        {"a": 1},
        lambdas={"f": identity},
    )
    assert types(execution) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = execution.history[2]["taskScheduledEventDetails"]
    assert scheduled == {
        "resourceType": "lambda",
        "resource": "invoke",
        "region": "us-east-1",
        "parameters": '{"FunctionName":"f","Payload":{"a":1}}',
    }
    assert execution.history[3]["taskStartedEventDetails"] == {"resourceType": "lambda", "resource": "invoke"}
    succeeded = execution.history[4]["taskSucceededEventDetails"]
    assert json.loads(succeeded["output"])["Payload"] == {"a": 1}
    assert succeeded["outputDetails"] == {"truncated": False}


def test_lambda_invoke_failure_and_timeout_details():
    # AWS: error_handling__TestTaskServiceLambda__test_invoke_timeout
    def handler(event, context):
        time.sleep(60)

    execution = run(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f"},
                "TimeoutSeconds": 5,
                "End": True,
            }
        },
        {},
        lambdas={"f": handler},
    )
    assert execution.history[2]["taskScheduledEventDetails"]["timeoutInSeconds"] == 5
    assert execution.history[4]["type"] == "TaskTimedOut"
    assert execution.history[4]["taskTimedOutEventDetails"] == {
        "resourceType": "lambda",
        "resource": "invoke",
        "error": "States.Timeout",
    }


def test_parallel_sequence_and_links():
    # AWS: scenarios__TestBaseScenarios__test_parallel_state_nested (ids 11 -> 9)
    branch = {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}
    execution = run({"P": {"Type": "Parallel", "Branches": [branch], "End": True}}, {})
    assert links(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "ParallelStateEntered"),
        (3, 2, "ParallelStateStarted"),
        (4, 3, "PassStateEntered"),
        (5, 4, "PassStateExited"),
        (6, 5, "ParallelStateSucceeded"),
        (7, 5, "ParallelStateExited"),
        (8, 7, "ExecutionSucceeded"),
    ]


def test_every_branch_starts_from_the_parallel_started_event():
    branches = [
        {"StartAt": f"B{i}", "States": {f"B{i}": {"Type": "Pass", "End": True}}} for i in range(3)
    ]
    execution = run({"P": {"Type": "Parallel", "Branches": branches, "End": True}}, {})
    started = next(e["id"] for e in execution.history if e["type"] == "ParallelStateStarted")
    entered = [e for e in execution.history if e["type"] == "PassStateEntered"]
    assert [e["previousEventId"] for e in entered] == [started] * 3


def test_parallel_failure_links():
    # AWS: scenarios__TestBaseScenarios__test_parallel_state_fail
    branch = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "FailureType"}}}
    execution = run({"P": {"Type": "Parallel", "Branches": [branch], "End": True}}, {})
    assert links(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "ParallelStateEntered"),
        (3, 2, "ParallelStateStarted"),
        (4, 3, "FailStateEntered"),
        (5, 4, "ParallelStateFailed"),
        (6, 5, "ExecutionFailed"),
    ]


def test_map_sequence_with_max_concurrency_one():
    # AWS: scenarios__TestBaseScenarios__test_map_state_nested (one level of it)
    processor = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    execution = run({"M": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": processor, "End": True}}, [1, 2])
    assert links(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapIterationStarted"),
        (5, 4, "PassStateEntered"),
        (6, 5, "PassStateExited"),
        (7, 6, "MapIterationSucceeded"),
        (8, 6, "MapIterationStarted"),
        (9, 8, "PassStateEntered"),
        (10, 9, "PassStateExited"),
        (11, 10, "MapIterationSucceeded"),
        (12, 11, "MapStateSucceeded"),
        (13, 11, "MapStateExited"),
        (14, 13, "ExecutionSucceeded"),
    ]


def test_map_events_carry_length_index_and_name():
    processor = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    execution = run({"M": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": processor, "End": True}}, ["a", "b"])
    by_type = {}
    for event in execution.history:
        by_type.setdefault(event["type"], []).append(event)
    assert by_type["MapStateStarted"][0]["mapStateStartedEventDetails"] == {"length": 2}
    assert [e["mapIterationStartedEventDetails"] for e in by_type["MapIterationStarted"]] == [
        {"index": 0, "name": "M"},
        {"index": 1, "name": "M"},
    ]
    assert [e["mapIterationSucceededEventDetails"] for e in by_type["MapIterationSucceeded"]] == [
        {"index": 0, "name": "M"},
        {"index": 1, "name": "M"},
    ]


def test_map_iteration_failure_events():
    processor = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}
    execution = run({"M": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": processor, "End": True}}, [1])
    assert types(execution)[-4:] == ["FailStateEntered", "MapIterationFailed", "MapStateFailed", "ExecutionFailed"]
    failed = next(e for e in execution.history if e["type"] == "MapIterationFailed")
    assert failed["mapIterationFailedEventDetails"] == {"index": 0, "name": "M"}


def test_map_state_failed_follows_the_iterations_last_event():
    # AWS: scenarios__TestBaseScenarios__test_map_state_catch (MapStateFailed id 9, previous 7)
    processor = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}
    execution = run({"M": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": processor, "End": True}}, [1])
    failed_state = next(e for e in execution.history if e["type"] == "MapStateFailed")
    fail_entered = next(e for e in execution.history if e["type"] == "FailStateEntered")
    assert failed_state["previousEventId"] == fail_entered["id"]


def test_parallel_retry_restarts_without_a_failed_event():
    # AWS: scenarios__TestBaseScenarios__test_parallel_state_retry
    branch = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "FailureType", "Cause": "c"}}}
    state = {"Type": "Parallel", "Branches": [branch], "Retry": [{"ErrorEquals": ["FailureType"], "MaxAttempts": 2}], "End": True}
    execution = run({"P": state}, {})
    assert links(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "ParallelStateEntered"),
        (3, 2, "ParallelStateStarted"),
        (4, 3, "FailStateEntered"),
        (5, 4, "ParallelStateStarted"),
        (6, 5, "FailStateEntered"),
        (7, 6, "ParallelStateStarted"),
        (8, 7, "FailStateEntered"),
        (9, 8, "ParallelStateFailed"),
        (10, 9, "ExecutionFailed"),
    ]


def test_map_retry_restarts_without_a_failed_event():
    # AWS: scenarios__TestBaseScenarios__test_map_state_retry
    processor = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
    state = {
        "Type": "Map",
        "MaxConcurrency": 1,
        "ItemProcessor": processor,
        "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 1}],
        "End": True,
    }
    execution = run({"M": state}, [1])
    assert links(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapIterationStarted"),
        (5, 4, "FailStateEntered"),
        (6, 5, "MapIterationFailed"),
        (7, 5, "MapStateStarted"),
        (8, 7, "MapIterationStarted"),
        (9, 8, "FailStateEntered"),
        (10, 9, "MapIterationFailed"),
        (11, 9, "MapStateFailed"),
        (12, 11, "ExecutionFailed"),
    ]


def test_distributed_map_keeps_iterations_out_of_the_parent_history():
    # AWS: scenarios__TestBaseScenarios__test_map_state_tolerated_failure_values_count_literal
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "HandleItem",
        "States": {"HandleItem": {"Type": "Pass", "End": True}},
    }
    execution = run({"M": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": processor, "End": True}}, [0])
    assert links(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "MapRunStarted"),
        (5, 4, "MapRunSucceeded"),
        (6, 5, "MapStateSucceeded"),
        (7, 5, "MapStateExited"),
        (8, 7, "ExecutionSucceeded"),
    ]


def test_invalid_tolerated_failure_count_path_fails_after_the_map_started():
    # AWS: scenarios__TestBaseScenarios__test_map_state_tolerated_failure_count_path_-1
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "HandleItem",
        "States": {"HandleItem": {"Type": "Pass", "End": True}},
    }
    state = {"Type": "Map", "ItemsPath": "$.Items", "ItemProcessor": processor, "ToleratedFailureCountPath": "$.T", "End": True}
    execution = run({"M": state}, {"Items": [0], "T": -1})
    assert links(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 2, "MapStateStarted"),
        (4, 3, "ExecutionFailed"),
    ]


def test_unbounded_map_starts_every_iteration_first():
    # AWS: timeouts__TestTimeouts__test_service_lambda_map_timeout (ids 4-7 are the four starts)
    processor = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    execution = run({"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}, [1, 2, 3, 4])
    assert types(execution)[3:7] == ["MapIterationStarted"] * 4


# -- variables ------------------------------------------------------------------------------------


def test_assigned_variables_are_json_text_in_the_exited_event():
    # AWS: assign__TestAssignBase__test_base_cases_BASE_VAR
    execution = run(
        {"S": {"Type": "Pass", "Assign": {"s": "text", "n": 0, "l": [1, None], "v.$": "$.in"}, "End": True}},
        {"in": {"k": True}},
    )
    details = execution.history[2]["stateExitedEventDetails"]
    assert details["assignedVariables"] == {"s": '"text"', "n": "0", "l": "[1,null]", "v": '{"k":true}'}
    assert details["assignedVariablesDetails"] == {"truncated": False}


def test_a_state_without_assign_has_no_assigned_variables():
    execution = run({"S": {"Type": "Pass", "End": True}}, {})
    assert "assignedVariables" not in execution.history[2]["stateExitedEventDetails"]


# -- execution timeout ------------------------------------------------------------------------------


def test_execution_timeout_ends_with_an_execution_timed_out_event():
    definition = {
        "StartAt": "W",
        "TimeoutSeconds": 5,
        "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    execution = pysfn_emulator.run(definition, {}, start_time=START)
    assert execution.history[-1]["type"] == "ExecutionTimedOut"
    assert execution.history[-1]["previousEventId"] == 2
    assert execution.history[-1]["timestamp"] == START + timedelta(seconds=5)


# -- the 25,000-event quota ---------------------------------------------------------------------


def counting_loop(iterations: int) -> dict:
    """Init, then (Check, Step) `iterations` times, then Check and Done:
    8 + 4 × iterations events in all."""
    return {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Result": {"i": 0}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericGreaterThanEquals": iterations, "Next": "Done"}],
                "Default": "Step",
            },
            "Step": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
            "Done": {"Type": "Succeed"},
        },
    }


def test_standard_execution_fails_when_its_history_passes_25000_events():
    execution = pysfn_emulator.run(counting_loop(7000), {})
    assert execution.status == "FAILED"
    assert execution.history[-1]["type"] == "ExecutionFailed"


def test_an_endless_pass_loop_fails_in_a_standard_execution():
    # A machine with no terminal state at all is refused (MISSING_END_STATE); this one has one
    # that its input never reaches.
    loop = {"StartAt": "L", "States": {
        "L": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}], "Default": "L"},
        "Done": {"Type": "Succeed"},
    }}
    execution = pysfn_emulator.run(loop, {})
    assert execution.status == "FAILED"


def test_a_failed_standard_history_holds_exactly_25000_events():
    execution = pysfn_emulator.run(counting_loop(7000), {})
    assert len(execution.history) == 25_000
    assert execution.history[-1]["id"] == 25_000


def test_a_standard_execution_whose_25000th_event_is_success_succeeds():
    # AWS docs (bp-history-limit): "If the event number 25,000 is ExecutionSucceeded, the
    # execution finishes successfully."
    execution = pysfn_emulator.run(counting_loop(6248), {})
    assert execution.status == "SUCCEEDED"
    assert len(execution.history) == 25_000


def test_express_execution_has_no_history_quota():
    execution = pysfn_emulator.run(counting_loop(7000), {}, state_machine_type="EXPRESS")
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"i": 7000}
    assert len(execution.history) == 8 + 4 * 7000


# -- recorded histories -------------------------------------------------------------------------


def _raise(event, context):
    raise Exception("Some exception was raised.")


def _sleep(event, context):
    time.sleep(60)
    return event


_BEHAVIOURS = {"id_function.py": identity, "raise_exception.py": _raise, "wait_60_seconds.py": _sleep}

RECORDED = {
    "scenarios__TestBaseScenarios__test_map_state_nested": None,
    "scenarios__TestBaseScenarios__test_parallel_state_fail": None,
    "scenarios__TestBaseScenarios__test_parallel_state_catch": None,
    "scenarios__TestBaseScenarios__test_parallel_state_order": None,
    "scenarios__TestBaseScenarios__test_parallel_state_nested": None,
    "scenarios__TestBaseScenarios__test_retry_interval_features": None,
    "scenarios__TestBaseScenarios__test_lambda_service_invoke_with_retry_extended_input": None,
    "scenarios__TestBaseScenarios__test_catch_states_runtime": None,
    "base__TestSnfBase__test_state_pass_result_null_input_output_paths": None,
    "scenarios__TestBaseScenarios__test_invalid_jsonpath_INVALID_JSONPATH_IN_ERRORPATH": None,
    "error_handling__TestTaskServiceLambda__test_invoke_timeout": None,
    "error_handling__TestTaskLambda__test_raise_exception_catch": None,
    "scenarios__TestBaseScenarios__test_map_state_catch": None,
    "scenarios__TestBaseScenarios__test_map_state_break_condition": None,
    "scenarios__TestBaseScenarios__test_map_state_retry": None,
    "scenarios__TestBaseScenarios__test_parallel_state_retry": None,
}


def _recorded_params():
    params = []
    for name, bug in RECORDED.items():
        marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
        if not CORPUS.is_dir():
            marks = [pytest.mark.skip(reason=f"corpus not found at {CORPUS}")]
        params.append(pytest.param(name, marks=marks, id=name))
    return params


@pytest.mark.parametrize("name", _recorded_params())
def test_recorded_history_links(name):
    """Every recorded event with a real id has the same type and previousEventId here;
    events inside Parallel branches (re-sorted by the recording, id [0]) are not compared."""
    case = json.loads((CORPUS / f"{name}.json").read_text())
    lambdas = {}
    for spec in case.get("lambdas") or []:
        behaviour = _BEHAVIOURS[spec["source_path"].rsplit("/", 1)[-1]]
        lambdas[spec["function_name"]] = behaviour
        lambdas[spec["arn"]] = behaviour
    placeholders = case.get("placeholders") or {}
    execution = pysfn_emulator.run(
        case["definition"],
        case["input"],
        lambdas=lambdas,
        state_machine_name=placeholders.get("state_machine_name"),
        execution_name=placeholders.get("execution_name"),
        state_machine_type=case.get("state_machine_type", "STANDARD"),
    )
    recorded = {e["id"]: (e["previousEventId"], e["type"]) for e in case["history_events"] if isinstance(e["id"], int)}
    mine = {e["id"]: (e["previousEventId"], e["type"]) for e in execution.history}
    assert len(execution.history) == max(recorded)
    assert {i: mine.get(i) for i in recorded} == recorded
