"""Retry (intervals on the virtual clock, counters, wildcards) and Catch (order, output,
ResultPath, Next), driven by local Lambda handlers that raise."""

from __future__ import annotations

import json
import time

import pytest

import pysfn_emulator

FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:f"


class ErrorA(Exception):
    pass


class ErrorB(Exception):
    pass


class Script:
    """A handler that raises or returns, call by call, from a list; records each event."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.events = []

    def __call__(self, event, context):
        self.events.append(event)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, BaseException) or (isinstance(step, type) and issubclass(step, BaseException)):
            raise step
        return step

    @property
    def calls(self) -> int:
        return len(self.events)


def sleeper(event, context):
    time.sleep(60)  # virtual: the emulator counts it, nothing waits
    return event


def run_task(handler, *, retry=None, catch=None, extra=None, states=None, input=None, **kwargs):
    task = {"Type": "Task", "Resource": FUNCTION, **(extra or {})}
    if retry is not None:
        task["Retry"] = retry
    if catch is not None:
        task["Catch"] = catch
        task["Next"] = "Done"
        states = {"Done": {"Type": "Pass", "End": True}, **(states or {})}
    else:
        task["End"] = True
    definition = {"StartAt": "T", "States": {"T": task, **(states or {})}}
    return pysfn_emulator.run(definition, input if input is not None else {}, lambdas={FUNCTION: handler}, **kwargs)


def caught(name: str) -> dict:
    return {name: {"Type": "Pass", "End": True}}


# -- Retry: intervals on the virtual clock ----------------------------------------------------


def test_default_retrier_makes_three_retries_at_one_two_and_four_seconds():
    handler = Script(ErrorA("x"))
    execution = run_task(handler, retry=[{"ErrorEquals": ["ErrorA"]}])
    assert execution.status == "FAILED"
    assert handler.calls == 4
    assert execution.elapsed_seconds == 1 + 2 + 4


def test_interval_grows_by_the_backoff_rate():
    handler = Script(ErrorA("x"))
    retry = [{"ErrorEquals": ["ErrorA"], "IntervalSeconds": 3, "BackoffRate": 2, "MaxAttempts": 3}]
    execution = run_task(handler, retry=retry)
    assert handler.calls == 4
    assert execution.elapsed_seconds == 3 + 6 + 12


def test_fractional_backoff_rate():
    handler = Script(ErrorA("x"))
    retry = [{"ErrorEquals": ["ErrorA"], "IntervalSeconds": 2, "BackoffRate": 1.5, "MaxAttempts": 3}]
    assert run_task(handler, retry=retry).elapsed_seconds == 2 + 3 + 4.5


def test_backoff_rate_one_keeps_the_interval():
    handler = Script(ErrorA("x"))
    retry = [{"ErrorEquals": ["ErrorA"], "IntervalSeconds": 5, "BackoffRate": 1, "MaxAttempts": 3}]
    assert run_task(handler, retry=retry).elapsed_seconds == 15


def test_max_delay_seconds_caps_each_interval():
    handler = Script(ErrorA("x"))
    retry = [
        {
            "ErrorEquals": ["ErrorA"],
            "IntervalSeconds": 3,
            "BackoffRate": 2,
            "MaxAttempts": 4,
            "MaxDelaySeconds": 5,
        }
    ]
    assert run_task(handler, retry=retry).elapsed_seconds == 3 + 5 + 5 + 5


def test_full_jitter_never_waits_longer_than_the_backoff():
    handler = Script(ErrorA("x"))
    retry = [
        {"ErrorEquals": ["ErrorA"], "IntervalSeconds": 10, "MaxAttempts": 3, "JitterStrategy": "FULL"}
    ]
    execution = run_task(handler, retry=retry, seed=1)
    assert handler.calls == 4
    assert 0 <= execution.elapsed_seconds <= 10 + 20 + 40


def test_full_jitter_is_reproducible_with_a_seed():
    retry = [
        {"ErrorEquals": ["ErrorA"], "IntervalSeconds": 10, "MaxAttempts": 3, "JitterStrategy": "FULL"}
    ]
    first = run_task(Script(ErrorA("x")), retry=retry, seed=7)
    second = run_task(Script(ErrorA("x")), retry=retry, seed=7)
    assert first.elapsed_seconds == second.elapsed_seconds


def test_success_after_retries_gives_the_result():
    handler = Script(ErrorA("1"), ErrorA("2"), {"ok": True})
    execution = run_task(handler, retry=[{"ErrorEquals": ["ErrorA"]}])
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"ok": True}
    assert handler.calls == 3
    assert execution.elapsed_seconds == 1 + 2


def test_each_attempt_gets_the_same_input():
    handler = Script(ErrorA("x"), "done")
    run_task(handler, retry=[{"ErrorEquals": ["ErrorA"]}], input={"n": 1})
    assert handler.events == [{"n": 1}, {"n": 1}]


# -- Retry: which retrier, how many times -------------------------------------------------------


def test_max_attempts_zero_never_retries():
    # AWS: scenarios__TestBaseScenarios__test_retry_interval_features_max_attempts_zero
    handler = Script(ErrorA("x"))
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 0}]
    execution = run_task(handler, retry=retry)
    assert handler.calls == 1
    assert execution.error == "ErrorA"
    assert execution.elapsed_seconds == 0


def test_an_error_no_retrier_names_is_not_retried():
    handler = Script(ErrorB("x"))
    execution = run_task(handler, retry=[{"ErrorEquals": ["ErrorA"]}])
    assert handler.calls == 1
    assert execution.error == "ErrorB"


def test_states_all_retries_any_error():
    handler = Script(ErrorB("x"), "ok")
    assert run_task(handler, retry=[{"ErrorEquals": ["States.ALL"]}]).output == "ok"


def test_only_the_first_matching_retrier_applies():
    handler = Script(ErrorA("x"))
    retry = [
        {"ErrorEquals": ["ErrorA"], "MaxAttempts": 1},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5},
    ]
    run_task(handler, retry=retry)
    assert handler.calls == 2


def test_each_retrier_keeps_its_own_count():
    handler = Script(ErrorA("1"), ErrorB("2"), ErrorB("3"), ErrorA("4"), "never")
    retry = [
        {"ErrorEquals": ["ErrorA"], "MaxAttempts": 2, "IntervalSeconds": 1, "BackoffRate": 1},
        {"ErrorEquals": ["ErrorB"], "MaxAttempts": 2, "IntervalSeconds": 10, "BackoffRate": 1},
    ]
    execution = run_task(handler, retry=retry)
    assert execution.status == "SUCCEEDED"
    assert handler.calls == 5
    assert execution.elapsed_seconds == 1 + 10 + 10 + 1


def test_a_retrier_count_persists_across_other_errors():
    handler = Script(ErrorA("1"), ErrorB("2"), ErrorA("3"), "never")
    retry = [
        {"ErrorEquals": ["ErrorA"], "MaxAttempts": 1},
        {"ErrorEquals": ["ErrorB"], "MaxAttempts": 1},
    ]
    execution = run_task(handler, retry=retry)
    assert execution.status == "FAILED"
    assert execution.error == "ErrorA"
    assert handler.calls == 3


def test_retry_count_in_the_context_counts_the_attempts():
    handler = Script(ErrorA("1"), ErrorA("2"), "ok")
    execution = run_task(
        handler,
        retry=[{"ErrorEquals": ["ErrorA"]}],
        extra={
            "Parameters": {"attempt.$": "$$.State.RetryCount"},
            "ResultSelector": {"retries.$": "$$.State.RetryCount"},
        },
    )
    assert [event["attempt"] for event in handler.events] == [0, 1, 2]
    assert execution.output == {"retries": 2}


def test_retry_count_restarts_in_the_next_state():
    second = "arn:aws:lambda:us-east-1:111111111111:function:g"
    definition = {
        "StartAt": "T1",
        "States": {
            "T1": {"Type": "Task", "Resource": FUNCTION, "Retry": [{"ErrorEquals": ["ErrorA"]}], "Next": "T2"},
            "T2": {"Type": "Task", "Resource": second, "Parameters": {"n.$": "$$.State.RetryCount"}, "End": True},
        },
    }
    execution = pysfn_emulator.run(
        definition, {}, lambdas={FUNCTION: Script(ErrorA("x"), {}), second: lambda event, context: event}
    )
    assert execution.output == {"n": 0}


def test_task_failed_retrier_retries_a_lambda_error():
    handler = Script(ErrorA("x"), "ok")
    assert run_task(handler, retry=[{"ErrorEquals": ["States.TaskFailed"]}]).output == "ok"


def test_task_failed_retrier_does_not_retry_a_timeout():
    calls = []

    def handler(event, context):
        calls.append(event)
        return sleeper(event, context)

    execution = run_task(
        handler, retry=[{"ErrorEquals": ["States.TaskFailed"]}], extra={"TimeoutSeconds": 5}
    )
    assert len(calls) == 1
    assert execution.error == "States.Timeout"


def test_a_timeout_retrier_retries_a_timeout():
    calls = []

    def handler(event, context):
        calls.append(event)
        return sleeper(event, context)

    execution = run_task(
        handler,
        retry=[{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2, "IntervalSeconds": 1}],
        extra={"TimeoutSeconds": 5},
    )
    assert len(calls) == 3
    assert execution.error == "States.Timeout"
    assert execution.elapsed_seconds == 5 + 1 + 5 + 2 + 5


def test_retries_reemit_the_task_events():
    # AWS: scenarios__TestBaseScenarios__test_lambda_invoke_with_retry_base
    execution = run_task(Script(ErrorA("x")), retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}])
    types = [event["type"] for event in execution.history]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        *["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed"] * 3,
        "ExecutionFailed",
    ]


# -- Catch ----------------------------------------------------------------------------------------


def test_a_catcher_moves_to_its_next_state_with_the_error_output():
    execution = run_task(
        Script(ErrorA("went wrong")),
        catch=[{"ErrorEquals": ["ErrorA"], "Next": "Handler"}],
        states=caught("Handler"),
    )
    assert execution.status == "SUCCEEDED"
    assert execution.path == ["T", "Handler"]
    assert execution.output["Error"] == "ErrorA"
    assert json.loads(execution.output["Cause"])["errorMessage"] == "went wrong"
    assert set(execution.output) == {"Error", "Cause"}


def test_catchers_are_scanned_in_order():
    catch = [
        {"ErrorEquals": ["ErrorA"], "Next": "ForA"},
        {"ErrorEquals": ["States.ALL"], "Next": "ForAll"},
    ]
    states = {**caught("ForA"), **caught("ForAll")}
    assert run_task(Script(ErrorA("x")), catch=catch, states=states).path == ["T", "ForA"]
    assert run_task(Script(ErrorB("x")), catch=catch, states=states).path == ["T", "ForAll"]


def test_a_catcher_lists_several_errors():
    catch = [{"ErrorEquals": ["ErrorB", "ErrorA"], "Next": "Handler"}]
    assert run_task(Script(ErrorA("x")), catch=catch, states=caught("Handler")).path == ["T", "Handler"]


def test_an_error_no_catcher_names_fails_the_execution():
    execution = run_task(
        Script(ErrorB("x")), catch=[{"ErrorEquals": ["ErrorA"], "Next": "Handler"}], states=caught("Handler")
    )
    assert execution.status == "FAILED"
    assert execution.error == "ErrorB"


def test_task_failed_catches_a_lambda_error():
    # AWS: error_handling__TestTaskLambda__test_raise_exception_catch
    catch = [
        {"ErrorEquals": ["Lambda.Unknown"], "Next": "Unknown"},
        {"ErrorEquals": ["States.TaskFailed"], "Next": "TaskFailed"},
        {"ErrorEquals": ["States.ALL"], "Next": "All"},
    ]
    states = {**caught("Unknown"), **caught("TaskFailed"), **caught("All")}
    assert run_task(Script(Exception("x")), catch=catch, states=states).path == ["T", "TaskFailed"]


def test_task_failed_does_not_catch_a_timeout_but_states_all_does():
    catch = [
        {"ErrorEquals": ["States.TaskFailed"], "Next": "TaskFailed"},
        {"ErrorEquals": ["States.ALL"], "Next": "All"},
    ]
    states = {**caught("TaskFailed"), **caught("All")}
    execution = run_task(sleeper, catch=catch, states=states, extra={"TimeoutSeconds": 5})
    assert execution.path == ["T", "All"]


def test_caught_timeout_has_an_empty_cause():
    # AWS: error_handling__TestTaskServiceLambda__test_invoke_timeout
    execution = run_task(
        sleeper,
        catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Handler", "ResultPath": "$.error"}],
        states=caught("Handler"),
        extra={"TimeoutSeconds": 5},
        input={"k": 1},
    )
    assert execution.output == {"k": 1, "error": {"Error": "States.Timeout", "Cause": ""}}


def test_caught_error_without_cause_gets_an_empty_cause():
    branch = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "NoCause"}}}
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [branch],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}],
                "Next": "Handler",
            },
            "Handler": {"Type": "Pass", "End": True},
        },
    }
    assert pysfn_emulator.run(definition, {}).output == {"Error": "NoCause", "Cause": ""}


def test_catcher_result_path_keeps_the_input_beside_the_error():
    execution = run_task(
        Script(ErrorA("x")),
        catch=[{"ErrorEquals": ["ErrorA"], "Next": "Handler", "ResultPath": "$.failure"}],
        states=caught("Handler"),
        input={"order": 7},
    )
    assert execution.output["order"] == 7
    assert execution.output["failure"]["Error"] == "ErrorA"


def test_catcher_result_path_null_discards_the_error():
    execution = run_task(
        Script(ErrorA("x")),
        catch=[{"ErrorEquals": ["ErrorA"], "Next": "Handler", "ResultPath": None}],
        states=caught("Handler"),
        input={"order": 7},
    )
    assert execution.output == {"order": 7}


def test_caught_output_skips_the_states_own_result_and_output_paths():
    # AWS: error_handling__TestTaskServiceLambda__test_raise_exception_catch_output_path_.no.such.path
    execution = run_task(
        Script(ErrorA("x")),
        catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}],
        states=caught("Handler"),
        extra={"ResultSelector": {"v.$": "$.nothing"}, "ResultPath": "$.Payload", "OutputPath": "$.no.such.path"},
    )
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "ErrorA"


def test_retries_come_before_the_catcher():
    handler = Script(ErrorA("x"))
    execution = run_task(
        handler,
        retry=[{"ErrorEquals": ["ErrorA"], "MaxAttempts": 2}],
        catch=[{"ErrorEquals": ["ErrorA"], "Next": "Handler"}],
        states=caught("Handler"),
    )
    assert handler.calls == 3
    assert execution.path == ["T", "Handler"]
    assert execution.elapsed_seconds == 1 + 2


def test_an_error_no_retrier_names_goes_straight_to_the_catcher():
    handler = Script(ErrorB("x"))
    execution = run_task(
        handler,
        retry=[{"ErrorEquals": ["ErrorA"]}],
        catch=[{"ErrorEquals": ["ErrorB"], "Next": "Handler"}],
        states=caught("Handler"),
    )
    assert handler.calls == 1
    assert execution.path == ["T", "Handler"]


def test_an_output_path_failure_is_not_caught():
    # AWS: scenarios__TestBaseScenarios__test_catch_states_runtime
    execution = run_task(
        Script({}),
        catch=[{"ErrorEquals": ["States.Runtime"], "Next": "Handler"}],
        states=caught("Handler"),
        extra={"OutputPath": "$.no.such.result.path"},
    )
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"


def test_states_all_catches_data_limit_exceeded():
    # AWS: error_handling__TestStatesErrors__test_task_lambda_catch_state_all_data_limit_exceeded_on_large_utf8_response
    execution = run_task(
        Script(b"a" * (257 * 1024)),
        catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}],
        states=caught("Handler"),
    )
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "States.DataLimitExceeded"


def test_caught_error_history_exits_the_task_with_the_error_output():
    # AWS: error_handling__TestTaskLambda__test_raise_exception_catch
    execution = run_task(
        Script(ErrorA("x")), catch=[{"ErrorEquals": ["ErrorA"], "Next": "Handler"}], states=caught("Handler")
    )
    types = [event["type"] for event in execution.history]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionFailed",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    exited = json.loads(execution.history[5]["stateExitedEventDetails"]["output"])
    assert exited["Error"] == "ErrorA"


@pytest.mark.parametrize("state_type", ["Parallel", "Map"])
def test_parallel_and_map_retry_their_whole_work(state_type):
    handler = Script(ErrorA("x"), "ok")
    body = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": FUNCTION, "End": True}}}
    if state_type == "Parallel":
        state = {"Type": "Parallel", "Branches": [body]}
    else:
        state = {"Type": "Map", "ItemProcessor": body}
    state.update({"Retry": [{"ErrorEquals": ["ErrorA"]}], "End": True})
    execution = pysfn_emulator.run(
        {"StartAt": "S", "States": {"S": state}}, [1], lambdas={FUNCTION: handler}
    )
    assert execution.output == ["ok"]
    assert handler.calls == 2


def test_a_parameters_path_failure_is_neither_retried_nor_caught():
    handler = Script({})
    execution = run_task(
        handler,
        retry=[{"ErrorEquals": ["States.ALL"]}],
        catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}],
        states=caught("Handler"),
        extra={"Parameters": {"v.$": "$.missing"}},
    )
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.elapsed_seconds == 0


def test_a_result_selector_path_failure_is_neither_retried_nor_caught():
    handler = Script({})
    execution = run_task(
        handler,
        retry=[{"ErrorEquals": ["States.ALL"]}],
        catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}],
        states=caught("Handler"),
        extra={"ResultSelector": {"v.$": "$.missing"}},
    )
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert handler.calls == 1


def test_an_input_path_failure_is_not_caught():
    handler = Script({})
    execution = run_task(
        handler,
        catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}],
        states=caught("Handler"),
        extra={"InputPath": "$.missing"},
    )
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert handler.calls == 0


def test_task_failed_does_not_match_a_heartbeat_timeout():
    # AWS docs: States.HeartbeatTimeout is taken by its own name (or States.ALL), like States.Timeout.
    from pysfn_emulator.runtime.retry import matches

    assert not matches(["States.TaskFailed"], "States.HeartbeatTimeout")
    assert matches(["States.HeartbeatTimeout"], "States.HeartbeatTimeout")
    assert matches(["States.ALL"], "States.HeartbeatTimeout")
