"""The placeholder-aware comparison of an execution with an AWS recording."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest

from conformance.compare import (
    Difference,
    Matcher,
    compare_history,
    compare_result,
    snapshot_form,
)
from conformance.corpus import parse_case
from conformance.workflows import RETURNED, Outcome, same_json

UUID_A = "0f8f9a53-3c55-4d6e-9a0b-1c2d3e4f5a6b"
UUID_B = "11111111-2222-4333-8444-555555555555"


@attrs.frozen
class FakeExecution:
    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: list[dict[str, Any]] = attrs.field(factory=list)


def make_case(expected: dict, in_expected=(), values=None, history=None):
    return parse_case(
        {
            "name": "case",
            "category": "test",
            "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            "input": {},
            "expected": expected,
            "lambdas": [],
            "placeholders": {"in_expected": list(in_expected), "values": values or {}},
            "history_events": history,
        }
    )


def diffs_of(expected_output, actual_output, in_expected=()):
    case = make_case({"status": "SUCCEEDED", "output": expected_output}, in_expected)
    return compare_result(case, FakeExecution("SUCCEEDED", actual_output))


def test_equal_outputs_have_no_difference():
    value = {"a": [1, 2.5, "x", None, True, {"b": {}}]}
    assert diffs_of(value, json.loads(json.dumps(value))) == []


def test_difference_is_located_by_its_path():
    [diff] = diffs_of({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]})
    assert diff == Difference("output.a[1].b", 2, 3)
    assert str(diff) == "output.a[1].b: expected 2, got 3"


def test_missing_and_unexpected_keys_are_reported():
    diffs = diffs_of({"keep": 1, "gone": 2}, {"keep": 1, "extra": 3})
    assert {(d.path, d.note) for d in diffs} == {
        ("output.gone", ""),
        ("output.extra", "unexpected key"),
    }


def test_long_strings_say_where_they_part():
    expected = '{"errorMessage":"Some exception was raised.","errorType":"Exception"}'
    actual = '{"errorMessage": "Some exception was raised.", "errorType": "Exception"}'
    [diff] = diffs_of({"Cause": expected}, {"Cause": actual})
    assert diff.note == "from character 16: '\"Some exception was ' vs ' \"Some exception was'"


def test_odd_keys_are_quoted_in_paths():
    [diff] = diffs_of({"a b": 1}, {"a b": 2})
    assert diff.path == "output['a b']"


@pytest.mark.parametrize(
    ("expected", "actual"),
    [(1, 1.0), (1.0, 1), (1, True), (False, 0), ("1", 1), (None, 0), ([1], [1, 2]), ({}, [])],
)
def test_json_types_are_kept_apart(expected, actual):
    assert diffs_of(expected, actual) != []


def test_status_error_and_cause_are_compared():
    case = make_case({"status": "FAILED", "error": "States.Runtime", "cause": "boom"})
    assert compare_result(case, FakeExecution("FAILED", error="States.Runtime", cause="boom")) == []
    diffs = compare_result(case, FakeExecution("SUCCEEDED", output={}))
    assert [d.path for d in diffs] == ["status", "error", "cause"]


def test_an_absent_error_means_aws_reported_none():
    case = make_case({"status": "FAILED"})
    assert compare_result(case, FakeExecution("FAILED")) == []
    [diff] = compare_result(case, FakeExecution("FAILED", error="States.Runtime"))
    assert (diff.path, diff.expected, diff.actual) == ("error", None, "States.Runtime")


def test_uuid_placeholder_matches_any_uuid_only():
    assert diffs_of({"id": "<uuid:1>"}, {"id": UUID_A}, ["<uuid:1>"]) == []
    assert diffs_of({"id": "<uuid:1>"}, {"id": "not-a-uuid"}, ["<uuid:1>"]) != []


def test_same_uuid_placeholder_must_keep_its_value():
    expected = {"a": "<uuid:1>", "b": "cause with <uuid:1> inside"}
    assert diffs_of(expected, {"a": UUID_A, "b": f"cause with {UUID_A} inside"}, ["<uuid:1>"]) == []
    [diff] = diffs_of(expected, {"a": UUID_A, "b": f"cause with {UUID_B} inside"}, ["<uuid:1>"])
    assert diff.path == "output.b"
    assert "<uuid:1>" in diff.note


def test_different_uuid_placeholders_need_different_values():
    tokens = ["<uuid:1>", "<uuid:2>"]
    assert diffs_of(["<uuid:1>", "<uuid:2>"], [UUID_A, UUID_B], tokens) == []
    [diff] = diffs_of(["<uuid:1>", "<uuid:2>"], [UUID_A, UUID_A], tokens)
    assert diff.path == "output[1]"


def test_uuid_embedded_in_a_json_cause_string():
    cause = json.dumps({"errorMessage": "x", "requestId": "<uuid:1>"})
    actual = json.dumps({"errorMessage": "x", "requestId": UUID_A})
    assert diffs_of({"Cause": cause}, {"Cause": actual}, ["<uuid:1>"]) == []
    wrong = json.dumps({"errorMessage": "y", "requestId": UUID_A})
    assert diffs_of({"Cause": cause}, {"Cause": wrong}, ["<uuid:1>"]) != []


@pytest.mark.parametrize(
    "actual", ["2025-11-06T12:28:16.123Z", "2025-11-06T12:28:16Z", "Thu, 06 Nov 2025 12:28:16 GMT"]
)
def test_date_mask_matches_timestamps(actual):
    assert diffs_of({"StartTime": "date"}, {"StartTime": actual}, ["date"]) == []


def test_date_mask_rejects_other_text_and_is_literal_when_unlisted():
    assert diffs_of({"StartTime": "date"}, {"StartTime": "yesterday"}, ["date"]) != []
    assert diffs_of({"kind": "date"}, {"kind": "2025-11-06T12:28:16Z"}) != []
    assert diffs_of({"kind": "date"}, {"kind": "date"}) == []


STATE_MACHINE_ARN = "arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>"
EXECUTION_ARN = (
    "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>"
)
ARN_TOKENS = ["<partition>", "<region>", "<ArnPart_0idx>", "<ExecArnPart_0idx>"]


def test_arn_placeholders_match_any_partition_region_account_and_names():
    expected = {"Id": EXECUTION_ARN, "Name": "<ExecArnPart_0idx>", "Machine": "<ArnPart_0idx>"}
    actual = {
        "Id": "arn:aws:states:eu-west-2:123456789012:execution:my.machine:run-1",
        "Name": "run-1",
        "Machine": "my.machine",
    }
    assert diffs_of(expected, actual, ARN_TOKENS) == []


def test_arn_name_placeholders_are_consistent():
    expected = {"Id": STATE_MACHINE_ARN, "Name": "<ArnPart_0idx>"}
    actual = {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:one", "Name": "two"}
    [diff] = diffs_of(expected, actual, ARN_TOKENS)
    assert diff.path == "output.Name"


def test_arn_shape_is_still_checked():
    bad = "arn:aws:states:us-east-1:1234:stateMachine:one"
    assert diffs_of(STATE_MACHINE_ARN, bad, ARN_TOKENS) != []
    assert (
        diffs_of(
            STATE_MACHINE_ARN, "arn:aws:lambda:us-east-1:123456789012:stateMachine:one", ARN_TOKENS
        )
        != []
    )


def test_masked_account_in_a_literal_arn_matches_any_account():
    expected = "arn:aws:lambda:us-east-1:111111111111:function:f"
    assert diffs_of(expected, "arn:aws:lambda:us-east-1:123456789012:function:f") == []
    assert diffs_of(expected, "arn:aws:lambda:us-east-1:123456789012:function:g") != []


def test_cause_parsed_from_json():
    cause = {"errorMessage": "Some exception was raised.", "requestId": "<uuid:1>"}
    case = make_case(
        {"status": "FAILED", "error": "Exception", "cause": cause, "cause_parsed_from_json": True},
        ["<uuid:1>"],
    )
    ours = json.dumps({"errorMessage": "Some exception was raised.", "requestId": UUID_A})
    assert compare_result(case, FakeExecution("FAILED", error="Exception", cause=ours)) == []
    [diff] = compare_result(case, FakeExecution("FAILED", error="Exception", cause="plain text"))
    assert (diff.path, diff.note) == ("cause", "not a JSON string")
    wrong = json.dumps({"errorMessage": "Other.", "requestId": UUID_A})
    [diff] = compare_result(case, FakeExecution("FAILED", error="Exception", cause=wrong))
    assert diff.path == "cause.errorMessage"


def test_json_input_mask_needs_json_text():
    expected = "could not be found in the input '<json-input:1>'"
    tokens = ["<json-input:1>", "json-input"]
    assert diffs_of(expected, "could not be found in the input '{\"a\":[1,2]}'", tokens) == []
    assert diffs_of(expected, "could not be found in the input '{not json'", tokens) != []


def test_request_id_masks():
    tokens = ["RequestId", "x-amzn-RequestId", "X-Amzn-Trace-Id"]
    expected = {
        "RequestId": "RequestId",
        "x-amzn-RequestId": "x-amzn-RequestId",
        "X-Amzn-Trace-Id": "X-Amzn-Trace-Id",
    }
    actual = {"RequestId": UUID_A, "x-amzn-RequestId": [UUID_B], "X-Amzn-Trace-Id": "Root=1-abc"}
    assert diffs_of(expected, actual, tokens) == []
    assert diffs_of(expected, {**actual, "RequestId": "nope"}, tokens) != []


def test_request_id_placeholder_that_swallowed_a_quote():
    expected = '{"requestId":<request-id>","x":1}'
    assert diffs_of(expected, f'{{"requestId":"{UUID_A}","x":1}}', ["<request-id>"]) == []


def test_random_number_mask_matches_numbers_only():
    tokens = ["RandomNumberGenerated"]
    assert diffs_of({"r": "RandomNumberGenerated"}, {"r": 0.25}, tokens) == []
    assert diffs_of({"r": "RandomNumberGenerated"}, {"r": "0.25"}, tokens) != []


def test_timestamp_placeholder_inside_text():
    expected = "format string: $.start_at == <timestamp>"
    assert (
        diffs_of(
            expected, "format string: $.start_at == 2026-11-22T01:32:49.000000", ["<timestamp>"]
        )
        == []
    )
    assert diffs_of(expected, "format string: $.start_at == tomorrow", ["<timestamp>"]) != []


def test_unknown_angle_text_is_literal():
    assert diffs_of({"answer": "<omitted>"}, {"answer": "<omitted>"}) == []
    assert diffs_of({"answer": "<omitted>"}, {"answer": "42"}) != []


def test_matcher_copy_does_not_leak_bindings():
    matcher = Matcher(["<uuid:1>"])
    trial = matcher.copy()
    assert trial.compare("<uuid:1>", UUID_A, "x") == []
    assert matcher.compare("<uuid:1>", UUID_B, "x") == []


# --- history ---------------------------------------------------------------------


def recorded_event(id_, prev, type_, details_key=None, details=None):
    event = {"id": id_, "previousEventId": prev, "timestamp": "timestamp", "type": type_}
    if details_key:
        event[details_key] = details
    return event


def our_event(id_, prev, type_, details_key=None, details=None):
    event = {"id": id_, "previousEventId": prev, "timestamp": "2025-01-01T00:00:00Z", "type": type_}
    if details_key:
        event[details_key] = details
    return event


RECORDED = [
    recorded_event(1, 0, "ExecutionStarted", "executionStartedEventDetails",
                   {"input": {"a": 1}, "inputDetails": {"truncated": False}, "roleArn": "snf_role_arn"}),
    recorded_event(2, 0, "PassStateEntered", "stateEnteredEventDetails",
                   {"input": {"a": 1}, "inputDetails": {"truncated": False}, "name": "A"}),
    recorded_event(3, 2, "PassStateExited", "stateExitedEventDetails",
                   {"name": "A", "output": "[1,2]", "outputDetails": {"truncated": False}}),
    recorded_event(4, 3, "ExecutionSucceeded", "executionSucceededEventDetails",
                   {"output": "[1,2]", "outputDetails": {"truncated": False}}),
]  # fmt: skip

OURS = [
    our_event(1, 0, "ExecutionStarted", "executionStartedEventDetails",
              {"input": '{"a":1}', "inputDetails": {"truncated": False},
               "roleArn": "arn:aws:iam::123456789012:role/emulator"}),
    our_event(2, 0, "PassStateEntered", "stateEnteredEventDetails",
              {"input": '{"a":1}', "inputDetails": {"truncated": False}, "name": "A"}),
    our_event(3, 2, "PassStateExited", "stateExitedEventDetails",
              {"name": "A", "output": "[1,2]", "outputDetails": {"truncated": False}}),
    our_event(4, 3, "ExecutionSucceeded", "executionSucceededEventDetails",
              {"output": "[1,2]", "outputDetails": {"truncated": False}}),
]  # fmt: skip


def history_case(recorded):
    return make_case(
        {"status": "SUCCEEDED", "output": [1, 2]}, values={"snf_role_arn": "x"}, history=recorded
    )


def test_matching_history():
    assert compare_history(history_case(RECORDED), OURS).matched is True


def test_no_recorded_history():
    assert compare_history(history_case(None), OURS).matched is None


def test_history_type_sequence_difference():
    ours = [
        OURS[0],
        OURS[1],
        our_event(3, 2, "PassStateExited"),
        our_event(4, 3, "ExecutionFailed"),
    ]
    result = compare_history(history_case(RECORDED), ours)
    assert result.matched is False
    [diff] = result.differences
    assert diff.path == "history[3]"


def test_history_extra_event():
    result = compare_history(history_case(RECORDED), [*OURS, our_event(5, 4, "ExecutionSucceeded")])
    assert result.matched is False


def test_history_details_are_compared_after_parsing_json_objects():
    ours = [dict(e) for e in OURS]
    ours[1] = our_event(2, 0, "PassStateEntered", "stateEnteredEventDetails",
                        {"input": '{"a":2}', "inputDetails": {"truncated": False}, "name": "A"})  # fmt: skip
    result = compare_history(history_case(RECORDED), ours)
    assert [d.path for d in result.differences] == ["history[1].stateEnteredEventDetails.input.a"]


def test_history_payload_texts_are_compared_as_json_values():
    ours = [dict(e) for e in OURS]
    ours[3] = our_event(4, 3, "ExecutionSucceeded", "executionSucceededEventDetails",
                        {"output": "[1, 2]", "outputDetails": {"truncated": False}})  # fmt: skip
    assert compare_history(history_case(RECORDED), ours).matched is True
    ours[3]["executionSucceededEventDetails"]["output"] = "[1,3]"
    result = compare_history(history_case(RECORDED), ours)
    assert [d.path for d in result.differences] == [
        "history[3].executionSucceededEventDetails.output[1]"
    ]


def test_history_causes_stay_exact_text():
    recorded = [recorded_event(1, 0, "TaskFailed", "taskFailedEventDetails", {"cause": "[1, 2]"})]
    ours = [our_event(1, 0, "TaskFailed", "taskFailedEventDetails", {"cause": "[1,2]"})]
    result = compare_history(history_case(recorded), ours)
    assert [d.path for d in result.differences] == ["history[0].taskFailedEventDetails.cause"]


def test_history_masks_inside_assigned_variables_and_names_inside_arns():
    details = {
        "assignedVariables": {"startAt": '"date"'},
        "resource": "arn:<partition>:lambda:<region>:111111111111:function:lambda_function_1_name",
    }
    recorded = [recorded_event(1, 0, "PassStateExited", "stateExitedEventDetails", details)]
    case = make_case({"status": "SUCCEEDED", "output": None}, values={"lambda_function_1_name": "f"},
                     history=recorded)  # fmt: skip
    ours_details = {
        "assignedVariables": {"startAt": '"2024-11-06T09:42:03Z"'},
        "resource": "arn:aws:lambda:us-east-1:123456789012:function:my_fn",
    }
    ours = [our_event(1, 0, "PassStateExited", "stateExitedEventDetails", ours_details)]
    assert compare_history(case, ours).matched is True
    ours_details["assignedVariables"]["startAt"] = '"soon"'
    assert compare_history(case, ours).matched is False


def test_history_previous_event_id_is_compared():
    ours = [dict(e) for e in OURS]
    ours[2] = {**OURS[2], "previousEventId": 1}
    result = compare_history(history_case(RECORDED), ours)
    assert [d.path for d in result.differences] == ["history[2].previousEventId"]


def branch_entered(name, id_=None):
    details = {"input": {}, "inputDetails": {"truncated": False}, "name": name}
    if id_ is None:
        return recorded_event([0], 0, "PassStateEntered", "stateEnteredEventDetails", details)
    return our_event(
        id_, id_ - 1, "PassStateEntered", "stateEnteredEventDetails", {**details, "input": "{}"}
    )


def parallel_history(branch_events):
    head = [recorded_event(1, 0, "ParallelStateStarted")]
    return head + branch_events + [recorded_event(len(branch_events) + 2, 3, "ExecutionSucceeded")]


def test_resorted_parallel_events_match_in_any_order():
    recorded = parallel_history([branch_entered("B1"), branch_entered("B2")])
    ours = [our_event(1, 0, "ParallelStateStarted"), branch_entered("B2", 2), branch_entered("B1", 3),
            our_event(4, 3, "ExecutionSucceeded")]  # fmt: skip
    assert compare_history(history_case(recorded), ours).matched is True


def test_resorted_parallel_events_must_all_be_there():
    recorded = parallel_history([branch_entered("B1"), branch_entered("B2")])
    ours = [our_event(1, 0, "ParallelStateStarted"), branch_entered("B2", 2), branch_entered("B2", 3),
            our_event(4, 3, "ExecutionSucceeded")]  # fmt: skip
    result = compare_history(history_case(recorded), ours)
    assert result.matched is False
    assert any(d.path.endswith("stateEnteredEventDetails.name") for d in result.differences)


def test_snapshot_form_parses_one_level_of_json_objects():
    details = {"output": '{"Cause": "{\\"a\\": 1}"}', "list": "[1]", "nested": {"x": '{"b": 2}'}}
    assert snapshot_form(details) == {
        "output": {"Cause": '{"a": 1}'},
        "list": "[1]",
        "nested": {"x": {"b": 2}},
    }


def test_a_plain_run_and_a_machine_agree_only_where_their_json_does():
    """True == 1 in Python, but `true` and `1` are different JSON: the comparison of both runs
    tells them apart (an int and a float of one value stay one JSON number)."""
    assert not same_json([True, {"a": 1}], [1, {"a": 1}]) and not same_json({"a": False}, {"a": 0})
    assert same_json([1.0, {"a": [2]}], [1, {"a": [2.0]}]) and not same_json([1], [1, 2])
    assert Outcome(RETURNED, True) != Outcome(RETURNED, 1) and Outcome(RETURNED, 3.0) == Outcome(RETURNED, 3)
