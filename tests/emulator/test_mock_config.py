"""The Step Functions Local mock file: each rule of ../shared/reference/mock-config.md, and the
errors a malformed file gets before anything runs."""

from __future__ import annotations

import json

import pytest

import pysfn_emulator
from pysfn_emulator import MockConfigError

INVOKE = "arn:aws:states:::lambda:invoke"
FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:charge"


def config(cases: dict, responses: dict, machine: str = "OrderFlow") -> dict:
    return {"StateMachines": {machine: {"TestCases": cases}}, "MockedResponses": responses}


def task(resource: str = INVOKE, **fields) -> dict:
    spec = {"Type": "Task", "Resource": resource, "Parameters": {"FunctionName": "charge", "Payload.$": "$"}}
    spec.update(fields)
    if "Next" not in spec:
        spec["End"] = True
    return spec


def one_task(**fields) -> dict:
    return {"StartAt": "Charge", "States": {"Charge": task(**fields)}}


def run(definition, mock, case="Case", input=None, **kwargs):
    kwargs.setdefault("state_machine_name", "OrderFlow")
    return pysfn_emulator.run(definition, input if input is not None else {}, mock_config=mock, test_case=case, **kwargs)


def never_called(event, context):
    raise AssertionError("a mocked state must not call its handler")


# -- Return and Throw -------------------------------------------------------------------------------


def test_return_stands_for_the_call():
    mock = config({"Case": {"Charge": "Ok"}}, {"Ok": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}}}})
    execution = run(one_task(), mock, lambdas={"charge": never_called})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"StatusCode": 200, "Payload": {"charged": True}}  # the whole response, not wrapped again


def test_return_flows_through_result_selector_result_path_and_output_path():
    mock = config({"Case": {"Charge": "Ok"}}, {"Ok": {"0": {"Return": {"StatusCode": 200, "Payload": {"id": 7}}}}})
    definition = one_task(ResultSelector={"id.$": "$.Payload.id"}, ResultPath="$.charge", OutputPath="$.charge")
    assert run(definition, mock, input={"order": 1}).output == {"id": 7}


def test_return_flows_through_jsonata_output_and_assign():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": INVOKE,
                "Arguments": {"FunctionName": "charge", "Payload": "{% $states.input %}"},
                "Assign": {"paid": "{% $states.result.Payload.amount %}"},
                "Output": "{% $states.result.Payload %}",
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "Output": "{% {'paid': $paid} %}", "End": True},
        },
    }
    mock = config({"Case": {"Charge": "Ok"}}, {"Ok": {"0": {"Return": {"Payload": {"amount": 12}}}}})
    execution = run(definition, mock)
    assert execution.output == {"paid": 12}


def test_throw_is_the_tasks_error_and_cause():
    mock = config({"Case": {"Charge": "Fail"}}, {"Fail": {"0": {"Throw": {"Error": "Card.Declined", "Cause": "no funds"}}}})
    execution = run(one_task(), mock)
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Card.Declined", "no funds")
    failed = [e for e in execution.history if e["type"] == "TaskFailed"]
    assert failed[0]["taskFailedEventDetails"]["error"] == "Card.Declined"


def test_throw_is_matched_by_catch():
    definition = {
        "StartAt": "Charge",
        "States": {
            "Charge": task(Catch=[{"ErrorEquals": ["Card.Declined"], "Next": "Declined", "ResultPath": "$.error"}], Next="Done"),
            "Declined": {"Type": "Pass", "End": True},
            "Done": {"Type": "Succeed"},
        },
    }
    mock = config({"Case": {"Charge": "Fail"}}, {"Fail": {"0": {"Throw": {"Error": "Card.Declined", "Cause": "no funds"}}}})
    execution = run(definition, mock, input={"o": 1})
    assert execution.path == ["Charge", "Declined"]
    assert execution.output == {"o": 1, "error": {"Error": "Card.Declined", "Cause": "no funds"}}


def test_throw_without_cause():
    mock = config({"Case": {"Charge": "Fail"}}, {"Fail": {"0": {"Throw": {"Error": "E"}}}})
    execution = run(one_task(), mock)
    assert (execution.error, execution.cause) == ("E", None)


# -- counters -----------------------------------------------------------------------------------------


def test_retries_consume_invocation_numbers():
    # The reference's ChargeFlaky: 0 throws, 1-2 throw, 3 returns; three retries reach 3.
    mock = config(
        {"RetryPath": {"Charge": "ChargeFlaky"}},
        {
            "ChargeFlaky": {
                "0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "busy"}},
                "1-2": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
                "3": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}},
            }
        },
    )
    retry = [{"ErrorEquals": ["Lambda.ServiceException", "Lambda.TooManyRequestsException"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}]
    execution = run(one_task(Retry=retry, OutputPath="$.Payload"), mock, case="RetryPath")
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"charged": True}
    assert execution.elapsed_seconds == 1 + 2 + 4
    kinds = [e["type"] for e in execution.history]
    assert kinds.count("TaskScheduled") == 4
    errors = [e["taskFailedEventDetails"]["error"] for e in execution.history if e["type"] == "TaskFailed"]
    assert errors == ["Lambda.ServiceException", "Lambda.TooManyRequestsException", "Lambda.TooManyRequestsException"]


def test_a_state_visited_again_takes_the_next_number():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"results": []}, "Next": "Charge"},
            "Charge": {
                "Type": "Task",
                "Resource": INVOKE,
                "Arguments": {"FunctionName": "charge"},
                "Assign": {"results": "{% $append($results, $states.result.n) %}"},
                "Next": "Again",
            },
            "Again": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $count($results) < 3 %}", "Next": "Charge"}],
                "Default": "Done",
            },
            "Done": {"Type": "Pass", "Output": "{% $results %}", "End": True},
        },
    }
    mock = config({"Case": {"Charge": "Counted"}}, {"Counted": {"0": {"Return": {"n": 0}}, "1-2": {"Return": {"n": 12}}}})
    assert run(definition, mock).output == [0, 12, 12]


def test_map_iterations_share_one_counter():
    # The reference: a Map over two items whose task throws at "0" (retried) and has "1" and
    # "2" returns the results of "1" and "2", not "1" twice.
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "StartAt": "Charge",
                    "States": {"Charge": task(Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}], OutputPath="$.Payload")},
                },
                "End": True,
            }
        },
    }
    mock = config(
        {"Case": {"Charge": "R"}},
        {"R": {"0": {"Throw": {"Error": "Boom", "Cause": "once"}}, "1": {"Return": {"Payload": "one"}}, "2": {"Return": {"Payload": "two"}}}},
    )
    execution = run(definition, mock, input={"items": ["a", "b"]})
    assert execution.output == ["one", "two"]


def test_counters_are_per_execution():
    mock = config({"Case": {"Charge": "Once"}}, {"Once": {"0": {"Return": "first"}}})
    assert run(one_task(), mock).output == "first"
    assert run(one_task(), mock).output == "first"


def test_counters_are_per_state():
    definition = {"StartAt": "A", "States": {"A": task(Next="B"), "B": task()}}
    mock = config({"Case": {"A": "R", "B": "R"}}, {"R": {"0": {"Return": "zero"}, "1": {"Return": "one"}}})
    execution = run(definition, mock)
    outputs = [e["stateExitedEventDetails"]["output"] for e in execution.history if e["type"] == "TaskStateExited"]
    assert outputs == ['"zero"', '"zero"']


# -- past the last entry, and lazy resolution -----------------------------------------------------------


def test_an_invocation_past_the_last_entry_fails_with_states_runtime():
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 5}]
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    definition = {"StartAt": "Charge", "States": {"Charge": task(Retry=retry, Catch=catch), "Caught": {"Type": "Succeed"}}}
    mock = config({"Case": {"Charge": "R"}}, {"R": {"0": {"Throw": {"Error": "E", "Cause": "c"}}}})
    execution = run(definition, mock)
    # States.Runtime is neither retried nor caught.
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "invocation 1" in execution.cause and "'R'" in execution.cause and "Charge" in execution.cause


def test_unused_responses_and_entries_do_not_stop_an_execution():
    mock = config(
        {"Case": {"Charge": "Ok", "NoSuchState": "Missing"}, "Other": {"Charge": "Empty"}},
        {"Ok": {"0": {"Return": 1}, "1": {}}, "Empty": {}, "Unused": {"0": {}}},
    )
    assert run(one_task(), mock).output == 1


def test_an_empty_entry_fails_when_reached():
    mock = config({"Case": {"Charge": "R"}}, {"R": {"0": {}}})
    execution = run(one_task(), mock)
    assert execution.error == "States.Runtime"
    assert "an empty entry for invocation 0" in execution.cause


def test_an_empty_response_fails_when_reached():
    mock = config({"Case": {"Charge": "R"}}, {"R": {}})
    assert run(one_task(), mock).error == "States.Runtime"


def test_a_response_the_file_lacks_fails_when_reached():
    mock = config({"Case": {"Charge": "Nowhere"}}, {})
    execution = run(one_task(), mock)
    assert execution.error == "States.Runtime"
    assert "'Nowhere'" in execution.cause


# -- mocked and real states together ----------------------------------------------------------------------


def test_a_state_the_test_case_does_not_name_calls_its_handler():
    definition = {"StartAt": "Charge", "States": {"Charge": task(OutputPath="$.Payload", Next="Notify"), "Notify": task()}}
    mock = config({"HybridPath": {"Notify": "NotifyOk"}}, {"NotifyOk": {"0": {"Return": {"MessageId": "m-1"}}}})
    calls = []

    def charge(event, context):
        calls.append(event)
        return {"charged": True}

    execution = run(definition, mock, case="HybridPath", input={"order": 7}, lambdas={"charge": charge})
    assert calls == [{"order": 7}]
    assert execution.output == {"MessageId": "m-1"}


def test_mocked_tasks_record_the_events_of_real_ones():
    mock = config({"Case": {"Charge": "Ok"}}, {"Ok": {"0": {"Return": {"x": 1}}}})
    kinds = [e["type"] for e in run(one_task(), mock).history]
    assert kinds == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    legacy = {"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": FUNCTION, "End": True}}}
    kinds = [e["type"] for e in run(legacy, mock).history]
    assert kinds[2:5] == ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]


def test_any_integration_can_be_mocked():
    definition = {"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "Parameters": {"Key": 1}, "End": True}}}
    mock = config({"Case": {"Charge": "Item"}}, {"Item": {"0": {"Return": {"Item": {"id": {"S": "1"}}}}}})
    assert run(definition, mock).output == {"Item": {"id": {"S": "1"}}}


def test_a_mocked_wait_for_task_token_task_gets_a_token_and_does_not_wait():
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "HeartbeatSeconds": 5,
                "End": True,
            }
        },
    }
    mock = config({"Case": {"Ask": "Approved"}}, {"Approved": {"0": {"Return": {"approved": True}}}})
    execution = run(definition, mock)
    assert execution.output == {"approved": True}
    assert execution.elapsed_seconds == 0
    scheduled = next(e for e in execution.history if e["type"] == "TaskScheduled")
    assert json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]


def test_a_mocked_result_over_256_kib_is_data_limit_exceeded():
    mock = config({"Case": {"Charge": "Big"}}, {"Big": {"0": {"Return": "a" * 262_144}}})
    assert run(one_task(), mock).error == "States.DataLimitExceeded"


def test_the_test_case_applies_to_a_nested_execution_of_that_name():
    child = {"StartAt": "Inner", "States": {"Inner": task(OutputPath="$.Payload")}}
    parent = {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:111111111111:stateMachine:Child"},
                "OutputPath": "$.Output",
                "End": True,
            }
        },
    }
    mock = {
        "StateMachines": {"Parent": {"TestCases": {"Case": {}}}, "Child": {"TestCases": {"Case": {"Inner": "R"}}}},
        "MockedResponses": {"R": {"0": {"Return": {"Payload": "from the mock"}}}},
    }
    execution = run(parent, mock, state_machine_name="Parent", state_machines={"Child": child})
    assert execution.output == "from the mock"


# -- choosing the file, the machine and the test case -----------------------------------------------------------


def test_the_file_may_be_a_path_or_json_text(tmp_path):
    mock = config({"Case": {"Charge": "Ok"}}, {"Ok": {"0": {"Return": "ok"}}})
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(mock))
    assert run(one_task(), str(path)).output == "ok"
    assert run(one_task(), path).output == "ok"
    assert run(one_task(), json.dumps(mock)).output == "ok"


def test_sfn_mock_config_names_the_file_when_none_is_given(tmp_path, monkeypatch):
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(config({"Case": {"Charge": "Ok"}}, {"Ok": {"0": {"Return": "from env"}}})))
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(path))
    execution = pysfn_emulator.run(one_task(), {}, test_case="Case", state_machine_name="OrderFlow")
    assert execution.output == "from env"


def test_the_only_state_machine_of_the_file_needs_no_name():
    mock = config({"Case": {"Charge": "Ok"}}, {"Ok": {"0": {"Return": "ok"}}})
    execution = pysfn_emulator.run(one_task(), {}, mock_config=mock, test_case="Case")
    assert execution.output == "ok"
    assert execution.state_machine_arn.endswith(":stateMachine:OrderFlow")


def test_several_state_machines_need_a_name():
    mock = {"StateMachines": {"A": {"TestCases": {}}, "B": {"TestCases": {}}}, "MockedResponses": {}}
    with pytest.raises(MockConfigError, match="state_machine_name"):
        pysfn_emulator.run(one_task(), {}, mock_config=mock, test_case="Case")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"state_machine_name": "Unknown"}, "no state machine named 'Unknown'"),
        ({"test_case": "Unknown"}, "no test case named 'Unknown'"),
    ],
)
def test_an_unknown_machine_or_test_case_is_refused_before_running(kwargs, message):
    mock = config({"Case": {"Charge": "Ok"}}, {"Ok": {"0": {"Return": "ok"}}})
    options = {"state_machine_name": "OrderFlow", "test_case": "Case", **kwargs}
    with pytest.raises(MockConfigError, match=message):
        pysfn_emulator.run(one_task(), {}, mock_config=mock, lambdas={"charge": never_called}, **options)


def test_a_mock_config_needs_a_test_case_and_the_other_way_round(monkeypatch):
    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    with pytest.raises(MockConfigError, match="needs a test case"):
        pysfn_emulator.run(one_task(), {}, mock_config=config({}, {}))
    with pytest.raises(MockConfigError, match="needs a mock config"):
        pysfn_emulator.run(one_task(), {}, test_case="Case")


def test_an_activity_cannot_be_mocked():
    definition = {"StartAt": "Approve", "States": {"Approve": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:111111111111:activity:approve", "End": True}}}
    mock = config({"Case": {"Approve": "Ok"}}, {"Ok": {"0": {"Return": "ok"}}})
    with pytest.raises(MockConfigError, match="Activity state cannot be mocked") as raised:
        run(definition, mock)
    assert "TestCases/Case/Approve" in str(raised.value)


def test_a_mock_config_error_is_a_value_error():
    # The CLI reports ValueError and LookupError from run as bad input.
    assert issubclass(MockConfigError, ValueError)


# -- malformed files ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document, where, message",
    [
        ([], "", "must be a JSON object"),
        ({"StateMachines": {}, "Extra": 1}, "Extra", "unknown top-level field"),
        ({"StateMachines": []}, "StateMachines", "must be an object"),
        ({"StateMachines": {"M": {}}}, "StateMachines/M", "TestCases"),
        ({"StateMachines": {"M": {"TestCases": {"C": []}}}}, "StateMachines/M/TestCases/C", "must be an object"),
        ({"StateMachines": {"M": {"TestCases": {"C": {"S": 3}}}}}, "StateMachines/M/TestCases/C/S", "name of a mocked response"),
        ({"MockedResponses": []}, "MockedResponses", "must be an object"),
        ({"MockedResponses": {"R": []}}, "MockedResponses/R", "invocation numbers"),
        ({"MockedResponses": {"R": {"first": {"Return": 1}}}}, "MockedResponses/R/first", 'a number "n" or an inclusive range'),
        ({"MockedResponses": {"R": {"01": {"Return": 1}}}}, "MockedResponses/R/01", 'a number "n"'),
        ({"MockedResponses": {"R": {"2-1": {"Return": 1}}}}, "MockedResponses/R/2-1", "ends (1) before it starts (2)"),
        ({"MockedResponses": {"R": {"1": {"Return": 1}}}}, "MockedResponses/R/1", "0 is missing"),
        ({"MockedResponses": {"R": {"0": {"Return": 1}, "3": {"Return": 1}}}}, "MockedResponses/R/3", "1-2 is missing"),
        ({"MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 1}}}}, "MockedResponses/R/2", "already covered"),
        ({"MockedResponses": {"R": {"0": []}}}, "MockedResponses/R/0", "exactly one of"),
        ({"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}}, "MockedResponses/R/0", "not both"),
        ({"MockedResponses": {"R": {"0": {"Returns": 1}}}}, "MockedResponses/R/0/Returns", "unknown field"),
        ({"MockedResponses": {"R": {"0": {"Throw": "E"}}}}, "MockedResponses/R/0/Throw", "must be an object"),
        ({"MockedResponses": {"R": {"0": {"Throw": {"Cause": "c"}}}}}, "MockedResponses/R/0/Throw/Error", "non-empty string"),
        ({"MockedResponses": {"R": {"0": {"Throw": {"Error": "E", "Cause": 1}}}}}, "MockedResponses/R/0/Throw/Cause", "must be a string"),
        ({"MockedResponses": {"R": {"0": {"Throw": {"Error": "E", "Message": "m"}}}}}, "MockedResponses/R/0/Throw/Message", "unknown field"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_entry(document, where, message):
    handler_calls = []
    with pytest.raises(MockConfigError) as raised:
        pysfn_emulator.run(
            one_task(), {}, mock_config=document, test_case="C", state_machine_name="M",
            lambdas={"charge": lambda event, context: handler_calls.append(event)},
        )
    text = str(raised.value)
    assert message in text
    assert f"<mock config>: {where}".rstrip(": ") in text
    assert handler_calls == []


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "MockConfigFile.json"
    path.write_text("{not json")
    with pytest.raises(MockConfigError, match="not valid JSON") as raised:
        run(one_task(), str(path))
    assert str(path) in str(raised.value)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(MockConfigError, match="cannot read the mock file"):
        run(one_task(), str(tmp_path / "missing.json"))
