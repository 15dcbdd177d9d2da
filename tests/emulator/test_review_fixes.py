"""Faults found in review: each pinned by the behaviour a user would see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pysfn_emulator
from pysfn_emulator.virtual_time.clock import to_ms


def test_a_wait_until_a_timestamp_ends_at_that_millisecond():
    # Float seconds lost a millisecond on some instants (here .648 became .647).
    start = datetime(2038, 4, 11, 1, 14, 40, 648000, tzinfo=UTC)
    target = start + timedelta(seconds=1)
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "2038-04-11T01:14:41.648Z", "End": True}}}
    execution = pysfn_emulator.run(definition, {}, start_time=start)
    assert execution.stop_date == target
    assert execution.elapsed_seconds == 1


def test_to_ms_is_exact_for_every_millisecond_of_a_second():
    base = datetime(2038, 4, 11, 1, 14, 41, tzinfo=UTC)
    assert all(to_ms(base + timedelta(milliseconds=ms)) == to_ms(base) + ms for ms in range(1000))


def test_a_loop_around_a_parallel_does_not_keep_every_finished_branch(monkeypatch):
    from pysfn_emulator.virtual_time import scheduler

    started = []
    original_start = scheduler.Scheduler.start

    def start(self, generator):
        started.append(original_start(self, generator))
        return started[-1]

    monkeypatch.setattr(scheduler.Scheduler, "start", start)
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Result": 0, "Next": "Both"},
            "Both": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
                     "OutputPath": "$[0]", "Next": "Add"},
            "Add": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($, 1)"}, "OutputPath": "$.n", "Next": "More?"},
            "More?": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericLessThan": 300, "Next": "Both"}], "Default": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    assert pysfn_emulator.run(definition, {}).output == 300
    root = started[0]
    assert len(started) == 301 and len(root.children) == 0  # the 300 finished branches are let go


def test_a_string_batch_limit_path_is_a_failed_execution_not_a_crash():
    definition = {
        "StartAt": "M",
        "States": {"M": {
            "Type": "Map", "ItemsPath": "$.items",
            "ItemBatcher": {"MaxItemsPerBatchPath": "$.n"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            "End": True,
        }},
    }
    assert pysfn_emulator.run(definition, {"items": [1, 2, 3], "n": "2"}).output == [{"Items": [1, 2]}, {"Items": [3]}]
    bad = pysfn_emulator.run(definition, {"items": [1, 2, 3], "n": "two"})
    assert bad.status == "FAILED" and bad.error == "States.Runtime"
    assert "MaxItemsPerBatchPath" in bad.cause


def test_a_condition_that_is_not_boolean_fails_with_a_located_evaluation_error():
    definition = {"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.v %}", "Next": "D"}], "Default": "D"},
        "D": {"Type": "Succeed"}}}
    execution = pysfn_emulator.run(definition, {"v": "yes"})
    assert execution.error == "States.QueryEvaluationError"
    assert execution.cause.endswith("The Condition field must evaluate to a boolean, but was: yes")
    failed = next(e for e in execution.history if e["type"] == "EvaluationFailed")
    assert failed["evaluationFailedEventDetails"]["location"] == "Condition"


def test_a_bad_jsonata_max_concurrency_is_an_evaluation_error():
    definition = {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "Items": [1], "MaxConcurrency": "{% $states.input.lanes %}",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}}
    execution = pysfn_emulator.run(definition, {"lanes": "many"})
    assert execution.error == "States.QueryEvaluationError"
    assert "MaxConcurrency" in execution.cause
