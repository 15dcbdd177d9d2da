"""Failures that once escaped `run` as Python exceptions, or gave what AWS does not (issue 9,
section 2); each is now the outcome AWS reports, and each test here failed before its fix."""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime

import pytest

import pysfn_emulator
from pysfn_emulator.definition.model import Retrier
from pysfn_emulator.runtime.retry import LONGEST_WAIT_SECONDS, interval
from pysfn_emulator.virtual_time.clock import Clock
from pysfn_emulator.virtual_time.scheduler import JOIN, Scheduler

START = datetime(2024, 5, 1, tzinfo=UTC)
FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:f"
RETRY_ONCE = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}]
DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}


def run(states: dict, data=None, **options):
    return pysfn_emulator.run({"StartAt": next(iter(states)), "States": states}, data, start_time=START, **options)


def types(execution) -> list[str]:
    return [event["type"] for event in execution.history]


def events(execution, kind: str) -> list[dict]:
    return [event for event in execution.history if event["type"] == kind]


# -- 1. children of a Parallel or Map that end at the same virtual moment ------------------------
#
# A branch that fails and a sibling that ends at the same moment: the parent handles the failure,
# and the sibling's end must not reach the parent's next join (its retry, or the next Parallel
# or Map a Catch leads to). Before the fix each of these raised KeyError out of `run`.


def branch(name: str, state: dict) -> dict:
    return {"StartAt": name, "States": {name: {**state, "End": True} if state["Type"] not in ("Fail", "Succeed") else state}}


def fail_and_pass(tag: str = "") -> list[dict]:
    return [branch(f"F{tag}", {"Type": "Fail", "Error": "E", "Cause": "c"}), branch(f"OK{tag}", {"Type": "Pass"})]


def fail_on_one(tag: str = "", processor_config: dict | None = None) -> dict:
    """An item processor that fails on item 1 and passes any other item through, in no time."""
    processor = {
        "StartAt": f"C{tag}",
        "States": {
            f"C{tag}": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": f"F{tag}"}], "Default": f"OK{tag}"},
            f"F{tag}": {"Type": "Fail", "Error": "E", "Cause": "c"},
            f"OK{tag}": {"Type": "Pass", "End": True},
        },
    }
    if processor_config:
        processor["ProcessorConfig"] = processor_config
    return processor


def flaky(failures: int):
    """A Lambda handler that fails its first `failures` calls per event, then echoes the event."""
    calls: dict = {}

    def handler(event, context):
        key = repr(event)
        calls[key] = calls.get(key, 0) + 1
        if calls[key] <= failures:
            raise ValueError("not yet")
        return event

    return handler


def test_parallel_retry_exhausted_when_a_sibling_ends_at_the_same_moment():
    execution = run({"P": {"Type": "Parallel", "Branches": fail_and_pass(), "Retry": RETRY_ONCE, "End": True}}, {})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "E", "c")
    attempt = ["ParallelStateStarted", "FailStateEntered", "PassStateEntered", "PassStateExited"]
    assert types(execution) == ["ExecutionStarted", "ParallelStateEntered", *attempt, *attempt, "ParallelStateFailed", "ExecutionFailed"]
    # As recorded (scenarios test_parallel_state_retry): each new attempt follows the failed
    # branch's last event; the sibling that ended was not running, so nothing is aborted.
    history = execution.history
    second_start = [e for e in history if e["type"] == "ParallelStateStarted"][1]
    assert second_start["previousEventId"] == events(execution, "FailStateEntered")[0]["id"]
    assert execution.elapsed_seconds == 1  # the default IntervalSeconds


def test_parallel_retry_then_success():
    task = branch("Call", {"Type": "Task", "Resource": FUNCTION})
    states = {"P": {"Type": "Parallel", "Branches": [task, branch("OK", {"Type": "Pass"})], "Retry": RETRY_ONCE, "End": True}}
    execution = run(states, {"n": 1}, lambdas={FUNCTION: flaky(1)})
    assert execution.status == "SUCCEEDED"
    assert execution.output == [{"n": 1}, {"n": 1}]
    kinds = types(execution)
    assert kinds.count("ParallelStateStarted") == 2
    assert kinds.count("LambdaFunctionFailed") == 1 and kinds.count("LambdaFunctionSucceeded") == 1
    # The failed branch's task is aborted with it, as recorded; the finished sibling is not.
    assert kinds[kinds.index("LambdaFunctionFailed"):kinds.index("ParallelStateStarted", 3)] == [
        "LambdaFunctionFailed", "PassStateEntered", "PassStateExited", "TaskStateAborted"]
    assert kinds[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_parallel_catch_into_another_parallel():
    states = {
        "P": {"Type": "Parallel", "Branches": fail_and_pass(), "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Q"}], "Next": "Q"},
        "Q": {"Type": "Parallel", "Branches": [branch("A", {"Type": "Pass"}), branch("B", {"Type": "Pass"})], "End": True},
    }
    execution = run(states, {})
    assert execution.status == "SUCCEEDED"
    assert execution.output == [{"Error": "E", "Cause": "c"}] * 2


def test_parallel_catch_into_a_map():
    states = {
        "P": {"Type": "Parallel", "Branches": fail_and_pass(), "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "M"}], "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": fail_on_one("M"), "End": True},
    }
    execution = run(states, {"items": [2, 3]})
    assert (execution.status, execution.output) == ("SUCCEEDED", [2, 3])


def test_parallel_loop_caught_each_time_then_left():
    """The same Parallel entered again after its Catch: each entry joins only its own branches."""
    states = {
        "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "P"},
        "P": {"Type": "Parallel", "Branches": fail_and_pass(), "Catch": [{"ErrorEquals": ["E"], "ResultPath": None, "Next": "Again"}], "End": True},
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Count"}], "Default": "Done"},
        "Done": {"Type": "Succeed"},
    }
    execution = run(states, {"n": 0})
    assert (execution.status, execution.output) == ("SUCCEEDED", {"n": 3})
    assert types(execution).count("ParallelStateFailed") == 3


def test_map_retry_exhausted_when_an_iteration_ends_at_the_same_moment():
    execution = run({"M": {"Type": "Map", "ItemProcessor": fail_on_one(), "Retry": RETRY_ONCE, "End": True}}, [1, 2])
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "E", "c")
    attempt = ["MapStateStarted", "MapIterationStarted", "MapIterationStarted",
               "ChoiceStateEntered", "ChoiceStateExited", "FailStateEntered",
               "ChoiceStateEntered", "ChoiceStateExited", "PassStateEntered", "PassStateExited",
               "MapIterationFailed", "MapIterationAborted"]
    # Iteration 1 had ended, but the Map had not taken it in when it stopped: as recorded in
    # timeouts__TestTimeouts__test_service_lambda_map_timeout (four iterations timed out, the
    # Map took the first), AWS reports the others aborted.
    assert types(execution) == ["ExecutionStarted", "MapStateEntered", *attempt, *attempt, "MapStateFailed", "ExecutionFailed"]
    assert [e["mapIterationFailedEventDetails"]["index"] for e in events(execution, "MapIterationFailed")] == [0, 0]


def test_map_retry_then_success():
    processor = branch("Call", {"Type": "Task", "Resource": FUNCTION})
    execution = run({"M": {"Type": "Map", "ItemProcessor": processor, "Retry": RETRY_ONCE, "End": True}}, [1, 2],
                    lambdas={FUNCTION: flaky(1)})
    # Item 1 fails its first call, item 2 too: the first attempt fails on item 1 with item 2 ended.
    assert (execution.status, execution.output) == ("SUCCEEDED", [1, 2])
    assert types(execution).count("MapStateStarted") == 2
    assert types(execution)[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]


def test_map_with_concurrency_one_ends_one_at_a_time():
    execution = run({"M": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": fail_on_one(), "Retry": RETRY_ONCE, "End": True}}, [2, 1, 3])
    assert (execution.status, execution.error) == ("FAILED", "E")
    assert types(execution).count("MapIterationSucceeded") == 2  # item 2 in each attempt


def test_map_catch_into_another_map():
    states = {
        "M": {"Type": "Map", "ItemProcessor": fail_on_one(), "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "N"}], "Next": "N"},
        "N": {"Type": "Map", "ItemProcessor": fail_on_one("N"), "Retry": RETRY_ONCE, "End": True},
    }
    execution = run(states, [1, 2])
    assert (execution.status, execution.error) == ("FAILED", "E")
    assert types(execution).count("MapStateStarted") == 3


def test_map_catch_into_a_parallel():
    states = {
        "M": {"Type": "Map", "ItemProcessor": fail_on_one(), "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "P"}], "Next": "P"},
        "P": {"Type": "Parallel", "Branches": [branch("A", {"Type": "Pass"}), branch("B", {"Type": "Pass"})], "End": True},
    }
    execution = run(states, [1, 2])
    assert (execution.status, execution.output) == ("SUCCEEDED", [{"Error": "E", "Cause": "c"}] * 2)


def test_map_inside_a_parallel_retried_at_both_levels():
    inner = {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": fail_on_one("I"), "Retry": RETRY_ONCE}
    states = {"P": {"Type": "Parallel", "Branches": [branch("Inner", inner), branch("OK", {"Type": "Pass"})], "Retry": RETRY_ONCE, "End": True}}
    execution = run(states, {"items": [1, 2]})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "E", "c")
    kinds = types(execution)
    assert kinds.count("ParallelStateStarted") == 2 and kinds.count("MapStateStarted") == 4
    assert kinds.count("MapStateFailed") == 2


def test_parallel_inside_a_map_retried_at_both_levels():
    inner = {"Type": "Parallel", "Branches": fail_and_pass("I"), "Retry": RETRY_ONCE}
    execution = run({"M": {"Type": "Map", "ItemProcessor": branch("Inner", inner), "Retry": RETRY_ONCE, "End": True}}, [1, 2])
    assert (execution.status, execution.error) == ("FAILED", "E")
    kinds = types(execution)
    assert kinds.count("MapStateStarted") == 2
    # Both iterations' Parallels fail after 1 s (their retry), at the same moment, in each attempt.
    assert kinds.count("ParallelStateFailed") >= 2


def test_distributed_map_retry_exhausted_when_a_child_ends_at_the_same_moment():
    execution = run({"M": {"Type": "Map", "ItemProcessor": fail_on_one(processor_config=DISTRIBUTED), "Retry": RETRY_ONCE, "End": True}}, [1, 2])
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "E", "c")
    assert types(execution) == [
        "ExecutionStarted", "MapStateEntered",
        "MapStateStarted", "MapRunStarted", "MapRunFailed",
        "MapStateStarted", "MapRunStarted", "MapRunFailed",
        "MapStateFailed", "ExecutionFailed",
    ]


def test_distributed_map_catch_into_another_distributed_map():
    states = {
        "M": {"Type": "Map", "ItemProcessor": fail_on_one(processor_config=DISTRIBUTED), "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "N"}], "Next": "N"},
        "N": {"Type": "Map", "ItemProcessor": fail_on_one("N", processor_config=DISTRIBUTED), "ToleratedFailureCount": 1, "End": True},
    }
    execution = run(states, [1, 2])
    assert (execution.status, execution.error) == ("SUCCEEDED", None)
    assert execution.output == [None, 2]


def test_cancelling_a_child_that_ended_but_was_not_joined_forgets_it():
    """The scheduler's contract behind the tests above, on bare threads."""
    scheduler = Scheduler(Clock(0))
    seen = []

    def child(tag):
        seen.append(tag)
        return tag
        yield  # a generator

    def parent():
        first, second = scheduler.start(child("a")), scheduler.start(child("b"))
        ended = yield JOIN  # "a" ended; "b" ends before this thread resumes
        assert ended == [first]
        scheduler.cancel(second)
        third = scheduler.start(child("c"))
        assert (yield JOIN) == [third]
        return "done"

    assert scheduler.run(parent()) == "done"
    assert seen == ["a", "b", "c"]


# -- 2. a Fail state's Error or Cause that is not a string --------------------------------------
#
# The Developer Guide (Fail workflow state): "the reference path must select a field that
# contains a string value". Before the fix an object crashed with TypeError (unhashable) and a
# number or list became a non-string error or cause.

LOCATED = "An error occurred while executing the state 'F' (entered at the event id #2). "


@pytest.mark.parametrize(
    ("fields", "data", "cause"),
    [
        ({"ErrorPath": "$.e"}, {"e": {"a": 1}}, 'The ErrorPath field refers to value "{"a":1}" which is not a valid string: $.e'),
        ({"ErrorPath": "$.e"}, {"e": [1]}, 'The ErrorPath field refers to value "[1]" which is not a valid string: $.e'),
        ({"ErrorPath": "$.e"}, {"e": 404}, 'The ErrorPath field refers to value "404" which is not a valid string: $.e'),
        ({"Error": "E", "CausePath": "$.c"}, {"c": [1, 2]}, 'The CausePath field refers to value "[1,2]" which is not a valid string: $.c'),
        ({"Error": "E", "CausePath": "$.c"}, {"c": None}, 'The CausePath field refers to value "null" which is not a valid string: $.c'),
        ({"ErrorPath": "States.ArrayGetItem($.e, 0)"}, {"e": [True]},
         'The ErrorPath field refers to value "true" which is not a valid string: States.ArrayGetItem($.e, 0)'),
    ],
)
def test_a_fail_path_that_selects_no_string_is_a_runtime_error(fields, data, cause):
    execution = run({"F": {"Type": "Fail", **fields}}, data)
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "States.Runtime", LOCATED + cause)


def test_a_fail_path_runtime_error_is_not_caught():
    inner = {"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.e"}}}
    states = {"P": {"Type": "Parallel", "Branches": [inner], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "Next": "Done"},
              "Done": {"Type": "Succeed"}}
    assert run(states, {"e": {"a": 1}}).error == "States.Runtime"


@pytest.mark.parametrize(
    ("fields", "field", "expression", "kind", "shown"),
    [
        ({"Error": "{% 1 %}"}, "Error", "1", "number", "1"),
        ({"Error": "{% true %}"}, "Error", "true", "boolean", "true"),
        ({"Error": "E", "Cause": "{% {'a': 1} %}"}, "Cause", "{'a': 1}", "object", '{"a":1}'),
        ({"Error": "E", "Cause": "{% [1, 2] %}"}, "Cause", "[1, 2]", "array", "[1,2]"),
    ],
)
def test_a_jsonata_fail_error_or_cause_that_is_no_string_is_a_query_evaluation_error(fields, field, expression, kind, shown):
    # As AWS reports a JSONata Items of the wrong type (45 recordings: scenarios
    # test_map_state_items_eval_jsonata_fail_*): States.QueryEvaluationError, an EvaluationFailed
    # event locating the field.
    definition = {"QueryLanguage": "JSONata", "StartAt": "F", "States": {"F": {"Type": "Fail", **fields}}}
    execution = pysfn_emulator.run(definition, {}, start_time=START)
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")
    assert execution.cause == (
        f"{LOCATED}The JSONata expression '{expression}' specified for the field '{field}' returned an "
        f"unexpected result type. Expected 'string', but was '{kind}' for value: {shown}"
    )
    failed = events(execution, "EvaluationFailed")[0]["evaluationFailedEventDetails"]
    assert (failed["location"], failed["state"]) == (field, "F")


# -- 3. a handler's exception whose str() raises ------------------------------------------------
#
# Before the fix the RuntimeError from str() escaped `run`. The task fails with the exception's
# class name; the message is Python's own stand-in for an unprintable exception.

UNPRINTABLE = "<exception str() failed>"


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no text for you")


def raise_unprintable(*args):
    raise Unprintable()


def task(resource: str, **fields) -> dict:
    return {"Call": {"Type": "Task", "Resource": resource, **fields, "End": True}}


def test_a_lambda_function_raising_an_unprintable_exception_fails_its_task():
    execution = run(task(FUNCTION), {}, lambdas={FUNCTION: raise_unprintable})
    assert (execution.status, execution.error) == ("FAILED", "Unprintable")
    assert json.loads(execution.cause)["errorMessage"] == UNPRINTABLE
    assert json.loads(execution.cause)["errorType"] == "Unprintable"


def test_a_lambda_invoke_raising_an_unprintable_exception_can_be_caught():
    states = {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": FUNCTION, "Payload": {}},
                 "Catch": [{"ErrorEquals": ["Unprintable"], "Next": "Caught"}], "End": True},
        "Caught": {"Type": "Pass", "End": True},
    }
    execution = run(states, {}, lambdas={FUNCTION: raise_unprintable})
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "Unprintable"
    assert json.loads(execution.output["Cause"])["errorMessage"] == UNPRINTABLE


def test_a_service_handler_raising_an_unprintable_exception_fails_its_task():
    sqs = "arn:aws:states:::sqs:sendMessage"
    execution = run(task(sqs, Parameters={"QueueUrl": "q", "MessageBody": "m"}), {}, lambdas={sqs: raise_unprintable})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Unprintable", UNPRINTABLE)


def test_a_callback_responder_raising_an_unprintable_exception_fails_its_task():
    resource = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    states = task(resource, Parameters={"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"})
    execution = run(states, {}, callbacks={"Call": raise_unprintable},
                    lambdas={"arn:aws:states:::sqs:sendMessage": lambda event, context: {"MessageId": "m"}})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Unprintable", UNPRINTABLE)


def test_an_item_reader_or_result_writer_raising_an_unprintable_exception_fails_the_map():
    processor = {"ProcessorConfig": DISTRIBUTED, "StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": True}}}
    reading = {"Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}},
               "ItemProcessor": processor, "End": True}
    execution = run({"M": reading}, {}, lambdas={"arn:aws:states:::s3:getObject": raise_unprintable})
    assert (execution.error, execution.cause) == ("States.ItemReaderFailed", f"Unprintable: {UNPRINTABLE}")
    writing = {"Type": "Map", "ItemProcessor": processor, "End": True,
               "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}}}
    execution = run({"M": writing}, [1], lambdas={"arn:aws:states:::s3:putObject": raise_unprintable})
    assert (execution.error, execution.cause) == ("States.ResultWriterFailed", f"Unprintable: {UNPRINTABLE}")


# -- 4. a retry backoff past what a float holds --------------------------------------------------
#
# Before the fix `IntervalSeconds * BackoffRate ** n` raised OverflowError out of `run`.


def always_failing(event, context):
    raise ValueError("down")


def huge_backoff(**fields) -> dict:
    retrier = {"ErrorEquals": ["States.ALL"], "BackoffRate": 1e10, "MaxAttempts": 100, **fields}
    return task(FUNCTION, Retry=[retrier])


def test_max_delay_seconds_caps_a_backoff_that_overflows():
    execution = run(huge_backoff(MaxDelaySeconds=5), {}, lambdas={FUNCTION: always_failing})
    assert (execution.status, execution.error) == ("FAILED", "ValueError")
    assert execution.elapsed_seconds == 1 + 5 * 99  # IntervalSeconds 1, then capped at 5 s
    assert types(execution).count("LambdaFunctionFailed") == 101


def test_max_delay_seconds_caps_a_jittered_backoff_that_overflows():
    execution = run(huge_backoff(MaxDelaySeconds=5, JitterStrategy="FULL"), {}, lambdas={FUNCTION: always_failing}, seed=7)
    assert (execution.status, execution.error) == ("FAILED", "ValueError")
    assert 0 < execution.elapsed_seconds <= 1 + 5 * 99


@pytest.mark.parametrize("jitter", [{}, {"JitterStrategy": "FULL"}])
def test_an_uncapped_backoff_outlasts_the_execution(jitter):
    # Without MaxDelaySeconds AWS does not cap the interval: the second retry would wait 1e10 s,
    # so the execution reaches its one-year limit first.
    execution = run(huge_backoff(**jitter), {}, lambdas={FUNCTION: always_failing}, seed=3)
    assert execution.status == "TIMED_OUT"
    assert execution.elapsed_seconds == 365 * 86400
    assert types(execution).count("LambdaFunctionFailed") == 2


def test_the_interval_is_finite_however_many_retries():
    retrier = Retrier(error_equals=("States.ALL",), interval_seconds=1, max_attempts=100, backoff_rate=1e10, max_delay_seconds=None, jitter=True)
    rng = random.Random(0)
    waits = [interval(retrier, n, rng) for n in range(100)]
    assert all(0 <= wait <= LONGEST_WAIT_SECONDS for wait in waits)


# -- 5. data nested deeper than Python recurses ----------------------------------------------------
#
# AWS documents no nesting limit for the data inside an execution (StartExecution's input is
# another matter: jsontext.accept refuses one deeper than a JSON parser reads); Python's JSON
# encoder and decoder stop at the recursion limit. Before the fix, measuring a state's output
# raised RecursionError (after minutes: each pass re-encoded the whole chain).

DEEP_PASSES = 2_200  # five levels each: 11,000, beyond the recursion limit jsonata-python sets


def chain_text(depth: int, leaf: str = "{}") -> str:
    return '{"a":' * depth + leaf + "}" * depth


def nesting(then: str, passes: int = DEEP_PASSES) -> dict:
    """States that wrap the input in five more objects per pass, `passes` times, then go on."""
    return {
        "Init": {"Type": "Pass", "Assign": {"n": 0}, "Next": "Nest"},
        "Nest": {"Type": "Pass", "Parameters": {"a": {"a": {"a": {"a": {"a.$": "$"}}}}}, "Assign": {"n.$": "States.MathAdd($n, 1)"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$n", "NumericLessThan": passes, "Next": "Nest"}], "Default": then},
    }


def spinning(name: str) -> dict:
    """A state that loops forever: a Choice whose way out its input never takes (AWS refuses a
    machine with no terminal state)."""
    return {name: {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": f"{name} out"}], "Default": name},
            f"{name} out": {"Type": "Succeed"}}


def test_a_loop_that_nests_its_data_deeper_each_pass_ends_at_the_history_quota():
    # Two levels a pass, one Pass and one Choice: 12,500 levels when the quota ends it.
    states = {"A": {"Type": "Pass", "Parameters": {"a": {"a.$": "$"}}, "Next": "C"},
              "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Out"}], "Default": "A"},
              "Out": {"Type": "Succeed"}}
    execution = run(states, {})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == "The execution reached the limit of 25000 history events."
    exits = [e for e in execution.history if e["type"] == "PassStateExited"]
    assert len(exits) == 6_250
    assert exits[-1]["stateExitedEventDetails"]["output"] == chain_text(12_500)


def test_data_nested_beyond_the_recursion_limit_runs_through_tasks_and_intrinsics():
    states = {
        **nesting("Call"),
        "Call": {"Type": "Task", "Resource": FUNCTION, "Next": "Invoke"},
        "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": FUNCTION, "Payload.$": "$"},
                   "ResultSelector": {"p.$": "$.Payload"}, "Next": "Text"},
        "Text": {"Type": "Pass", "Parameters": {"text.$": "States.JsonToString($.p)"}, "End": True},
    }
    execution = run(states, {"x": 1}, lambdas={FUNCTION: lambda event, context: event})
    assert execution.status == "SUCCEEDED"
    deep = chain_text(5 * DEEP_PASSES, '{"x":1}')
    assert execution.output == {"text": deep}
    entered = [e for e in execution.history if e["type"] == "TaskStateEntered"][0]
    assert entered["stateEnteredEventDetails"]["input"] == deep


def test_the_history_of_a_loop_over_deep_data_writes_each_value_once():
    # Some 16,000 events whose input and output are one 11,000-deep value: written once, not
    # once per event (each writing walks the whole depth).
    execution = run({**nesting("Spin"), **spinning("Spin")}, {})
    assert execution.error == "States.Runtime"
    texts = {e["stateEnteredEventDetails"]["input"] for e in execution.history if e["type"] == "ChoiceStateEntered"
             and e["stateEnteredEventDetails"]["name"] == "Spin"}
    assert texts == {chain_text(5 * DEEP_PASSES)}


# -- 6. OutputPath "$..*": data that multiplies each pass -------------------------------------------


def test_a_loop_whose_output_path_multiplies_its_data_stops_at_the_payload_limit():
    states = {"A": {"Type": "Pass", "OutputPath": "$..*", "Next": "C"},
              "C": {"Type": "Choice", "Choices": [{"Variable": "$[0]", "IsNull": True, "Next": "Out"}], "Default": "A"},
              "Out": {"Type": "Succeed"}}
    execution = run(states, {"a": {"b": [1, 2, {"c": 3}]}})
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert execution.cause == "The state/task 'A' returned a result with a size exceeding the maximum number of bytes service limit."
    assert types(execution).count("PassStateExited") == 85


def test_all_descendants_of_a_deep_value_are_not_all_made():
    # 900 levels of 200 characters each: 190 KB, whose descendants' text is some 85 MB; the
    # first few matches already tell the output is too large.
    value: dict = {}
    for _ in range(900):
        value = {"s": "x" * 200, "a": value}
    execution = run({"A": {"Type": "Pass", "OutputPath": "$..*", "End": True}}, value)
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")


def test_an_output_path_of_all_descendants_within_the_limit_is_whole():
    data = {"a": {"b": [1, 2, {"c": "x" * 30_000}]}, "d": ["y" * 20_000]}
    execution = run({"A": {"Type": "Pass", "OutputPath": "$..*", "End": True}}, data)
    assert execution.status == "SUCCEEDED"
    assert execution.output == [data["a"], data["d"], data["a"]["b"], 1, 2, data["a"]["b"][2], "x" * 30_000, "y" * 20_000]


def test_an_input_changed_between_runs_is_measured_anew():
    data = {"small": 1}
    assert run({"A": {"Type": "Pass", "End": True}}, data).status == "SUCCEEDED"
    data["big"] = "x" * 300_000
    assert run({"A": {"Type": "Pass", "End": True}}, data).error == "States.DataLimitExceeded"




def test_a_lambda_handler_that_calls_sys_exit_fails_its_task_as_lambda_reports_it():
    def exits(event, context):
        sys.exit(3)

    definition = {"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:exits", "End": True}}}
    execution = pysfn_emulator.run(definition, {}, lambdas={"exits": exits})
    assert (execution.status, execution.error) == ("FAILED", "Runtime.ExitError")
    assert "Runtime exited with error: exit status 3" in execution.cause


def test_a_handler_raising_a_base_exception_that_is_no_exception_fails_its_task():
    """`class Abort(BaseException)` escaped `run` (session 24's trials): past the runtime's
    handler it ends the function's process (Lambda: Runtime.ExitError, status 1); a service
    handler's fails its task with its class name. Ctrl-C still stops the emulator."""
    class Abort(BaseException):
        pass

    def aborts(event, context):
        raise Abort("stop now")

    definition = {"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:aborts", "End": True}}}
    execution = pysfn_emulator.run(definition, {}, lambdas={"aborts": aborts})
    assert (execution.status, execution.error) == ("FAILED", "Runtime.ExitError")
    assert "Runtime exited with error: exit status 1" in execution.cause

    def interrupted(event, context):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pysfn_emulator.run(definition, {}, lambdas={"aborts": interrupted})
