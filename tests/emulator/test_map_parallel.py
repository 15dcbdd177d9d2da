"""Parallel (branch order, failure propagation) and Map (items, selectors, concurrency on the
virtual clock, failures and thresholds, batching)."""

from __future__ import annotations

import pytest

import pysfn_emulator

FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:f"
DISTRIBUTED = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}


def single(state: dict, input=None, **kwargs):
    """A machine whose only state is `state`, named S."""
    definition = {"StartAt": "S", "States": {"S": {**state, "End": True}}}
    return pysfn_emulator.run(definition, input, **kwargs)


def machine(*states: tuple[str, dict]) -> dict:
    """A sub-machine (branch or item processor) of the given states, run in order."""
    names = [name for name, _ in states]
    body = {}
    for index, (name, state) in enumerate(states):
        if state["Type"] in ("Succeed", "Fail", "Choice"):
            body[name] = state
        elif index + 1 < len(names):
            body[name] = {**state, "Next": names[index + 1]}
        else:
            body[name] = {**state, "End": True}
    return {"StartAt": names[0], "States": body}


PASS = machine(("Item", {"Type": "Pass"}))


def wait(seconds: int, name: str = "Wait") -> dict:
    return machine((name, {"Type": "Wait", "Seconds": seconds}))


def fail_on_zero() -> dict:
    """An item processor that fails with Bad/zero for the item 0 and passes others through."""
    return {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "Fail"}],
                "Default": "Ok",
            },
            "Fail": {"Type": "Fail", "Error": "Bad", "Cause": "zero"},
            "Ok": {"Type": "Pass", "End": True},
        },
    }


# -- Parallel ------------------------------------------------------------------------------------


def test_parallel_results_are_in_branch_order():
    # AWS: scenarios__TestBaseScenarios__test_parallel_state_order
    branches = [machine((f"Branch{i}", {"Type": "Pass", "Result": {"branch": i}})) for i in range(4)]
    execution = single({"Type": "Parallel", "Branches": branches}, {})
    assert execution.output == [{"branch": 0}, {"branch": 1}, {"branch": 2}, {"branch": 3}]


def test_every_branch_gets_the_same_input():
    # AWS: scenarios__TestBaseScenarios__test_parallel_state_PARALLEL_STATE
    branches = [PASS, machine(("X", {"Type": "Pass"}), ("Y", {"Type": "Pass"}))]
    assert single({"Type": "Parallel", "Branches": branches}, [1, 2]).output == [[1, 2], [1, 2]]


def test_parallel_parameters_build_the_branch_input():
    branches = [PASS]
    execution = single({"Type": "Parallel", "Branches": branches, "Parameters": {"v.$": "$.a"}}, {"a": 3})
    assert execution.output == [{"v": 3}]


def test_parallel_result_selector_and_result_path():
    branches = [machine(("B1", {"Type": "Pass", "Result": 1})), machine(("B2", {"Type": "Pass", "Result": 2}))]
    execution = single(
        {
            "Type": "Parallel",
            "Branches": branches,
            "ResultSelector": {"second.$": "$[1]"},
            "ResultPath": "$.r",
        },
        {"k": 0},
    )
    assert execution.output == {"k": 0, "r": {"second": 2}}


def test_nested_parallel():
    # AWS: scenarios__TestBaseScenarios__test_parallel_state_nested
    inner = {"Type": "Parallel", "Branches": [PASS]}
    execution = single({"Type": "Parallel", "Branches": [machine(("Inner", inner))]}, [[1, 2, 3], [4, 5, 6]])
    assert execution.output == [[[[1, 2, 3], [4, 5, 6]]]]


def test_branches_run_side_by_side_on_the_virtual_clock():
    execution = single({"Type": "Parallel", "Branches": [wait(10, "W1"), wait(30, "W2"), wait(20, "W3")]}, {})
    assert execution.elapsed_seconds == 30


def test_a_failing_branch_fails_the_parallel_with_its_own_error_and_cause():
    # AWS: scenarios__TestBaseScenarios__test_parallel_state_fail
    failing = machine(("F", {"Type": "Fail", "Error": "FailureType", "Cause": "Cause description"}))
    execution = single({"Type": "Parallel", "Branches": [PASS, failing]}, {})
    assert execution.status == "FAILED"
    assert (execution.error, execution.cause) == ("FailureType", "Cause description")


def test_a_branch_failure_is_caught_by_the_parallel():
    # AWS: scenarios__TestBaseScenarios__test_parallel_state_catch
    failing = machine(("F", {"Type": "Fail", "Error": "FailureType", "Cause": "Cause description"}))
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [failing],
                "Catch": [{"ErrorEquals": ["FailureType"], "Next": "Caught"}],
                "Next": "Final",
            },
            "Caught": {"Type": "Pass", "End": True},
            "Final": {"Type": "Pass", "End": True},
        },
    }
    execution = pysfn_emulator.run(definition, {})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"Error": "FailureType", "Cause": "Cause description"}


def test_a_branch_failure_is_retried_by_the_parallel():
    # AWS: scenarios__TestBaseScenarios__test_parallel_state_retry
    failing = machine(("F", {"Type": "Fail", "Error": "FailureType", "Cause": "Cause description"}))
    execution = single(
        {"Type": "Parallel", "Branches": [failing], "Retry": [{"ErrorEquals": ["FailureType"], "MaxAttempts": 2}]},
        {},
    )
    assert (execution.error, execution.cause) == ("FailureType", "Cause description")
    entered = [e for e in execution.history if e["type"] == "FailStateEntered"]
    assert len(entered) == 3


def test_a_runtime_error_in_a_branch_propagates():
    failing = machine(("P", {"Type": "Pass", "InputPath": "$.missing"}))
    execution = single({"Type": "Parallel", "Branches": [failing]}, {})
    assert execution.error == "States.Runtime"
    assert "Invalid path '$.missing'" in execution.cause


def test_a_variable_assigned_in_a_branch_stays_in_the_branch():
    branch = machine(("Set", {"Type": "Pass", "Assign": {"inner": 1}}))
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Branches": [branch], "Next": "Read"},
            "Read": {"Type": "Pass", "Parameters": {"inner.$": "$inner"}, "End": True},
        },
    }
    execution = pysfn_emulator.run(definition, {})
    assert execution.status == "FAILED"  # $inner is not defined out here
    assert execution.error == "States.Runtime"


def test_a_branch_may_not_assign_a_variable_of_the_enclosing_scope():
    branch = machine(("Set", {"Type": "Pass", "Assign": {"x": 1}}))
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"x": 0}, "Next": "P"},
            "P": {"Type": "Parallel", "Branches": [branch], "End": True},
        },
    }
    with pytest.raises(pysfn_emulator.DefinitionError):
        pysfn_emulator.run(definition, {})


# -- Map: items and selectors -----------------------------------------------------------------


def test_map_runs_the_processor_on_every_item_in_order():
    processor = machine(("Double", {"Type": "Pass", "Parameters": {"v.$": "$"}}))
    execution = single({"Type": "Map", "ItemProcessor": processor}, [3, 1, 2])
    assert execution.output == [{"v": 3}, {"v": 1}, {"v": 2}]


def test_map_over_an_empty_array_gives_an_empty_array():
    assert single({"Type": "Map", "ItemProcessor": PASS}, []).output == []


def test_items_path_selects_the_array():
    execution = single({"Type": "Map", "ItemsPath": "$.values", "ItemProcessor": PASS}, {"values": ["a", "b"]})
    assert execution.output == ["a", "b"]


def test_item_selector_builds_each_item_input_from_the_context():
    # AWS: scenarios__TestBaseScenarios__test_map_state_config_inline_item_selector
    selector = {"constantValue": "constant", "mapValue.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "fromInput.$": "$"}
    execution = single({"Type": "Map", "ItemSelector": selector, "ItemProcessor": PASS}, ["Hello", "World"])
    assert execution.output == [
        {"constantValue": "constant", "mapValue": "Hello", "index": 0, "fromInput": ["Hello", "World"]},
        {"constantValue": "constant", "mapValue": "World", "index": 1, "fromInput": ["Hello", "World"]},
    ]


def test_item_selector_dollar_is_the_map_input_after_input_path():
    # AWS: scenarios__TestBaseScenarios__test_map_state_item_selector_parameters
    execution = single(
        {
            "Type": "Map",
            "InputPath": "$.content",
            "ItemsPath": "$.values",
            "ItemSelector": {"bucket.$": "$.bucket", "value.$": "$$.Map.Item.Value"},
            "ItemProcessor": PASS,
        },
        {"content": {"bucket": "b", "values": ["1", "2"]}},
    )
    assert execution.output == [{"bucket": "b", "value": "1"}, {"bucket": "b", "value": "2"}]


def test_legacy_iterator_with_parameters():
    # AWS: scenarios__TestBaseScenarios__test_map_state_parameters_legacy
    execution = single(
        {
            "Type": "Map",
            "ItemsPath": "$.shipped",
            "Parameters": {"item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "partner.$": "$.partner"},
            "Iterator": PASS,
        },
        {"partner": "UQS", "shipped": [{"prod": "R31"}, {"prod": "S39"}]},
    )
    assert execution.output == [
        {"item": {"prod": "R31"}, "index": 0, "partner": "UQS"},
        {"item": {"prod": "S39"}, "index": 1, "partner": "UQS"},
    ]


def test_map_result_path_and_output_path():
    execution = single(
        {"Type": "Map", "ItemsPath": "$.xs", "ItemProcessor": PASS, "ResultPath": "$.ys", "OutputPath": "$.ys"},
        {"xs": [1, 2]},
    )
    assert execution.output == [1, 2]


def test_map_result_path_null_keeps_the_input():
    # AWS: scenarios__TestBaseScenarios__test_map_state_retry (ResultPath null on a Map)
    execution = single({"Type": "Map", "ItemsPath": "$.xs", "ItemProcessor": PASS, "ResultPath": None}, {"xs": [1]})
    assert execution.output == {"xs": [1]}


def test_nested_map():
    # AWS: scenarios__TestBaseScenarios__test_map_state_nested
    inner = {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": PASS}
    execution = single({"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": machine(("Inner", inner))}, [[1, 2, 3], [4, 5, 6]])
    assert execution.output == [[1, 2, 3], [4, 5, 6]]


def test_map_over_a_non_array_fails():
    execution = single({"Type": "Map", "ItemProcessor": PASS}, {"foo": "bar"})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    # AWS (same words in JSONata mode): scenarios__TestBaseScenarios__test_map_state_items_input_types_object
    assert execution.cause.endswith('Map state input must be an array but was: {"foo":"bar"}')


def test_items_path_to_null_fails():
    execution = single({"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": PASS}, {"items": None})
    assert execution.status == "FAILED"
    assert execution.cause.endswith("Map state input must be an array but was: null")


def test_items_path_that_finds_nothing_fails():
    execution = single({"Type": "Map", "ItemsPath": "$.nothing", "ItemProcessor": PASS}, {})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"


# -- Map: concurrency on the virtual clock ---------------------------------------------------


def test_unbounded_map_runs_every_item_at_once():
    execution = single({"Type": "Map", "ItemProcessor": wait(10)}, [1, 2, 3, 4])
    assert execution.elapsed_seconds == 10


def test_max_concurrency_two_runs_four_items_in_two_rounds():
    execution = single({"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": wait(10)}, [1, 2, 3, 4])
    assert execution.elapsed_seconds == 20


def test_max_concurrency_one_runs_items_one_after_another():
    execution = single({"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": wait(10)}, [1, 2, 3, 4])
    assert execution.elapsed_seconds == 40


def test_a_freed_slot_takes_the_next_item_at_once():
    processor = machine(("W", {"Type": "Wait", "SecondsPath": "$"}))
    execution = single({"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": processor}, [30, 10, 10, 10])
    assert execution.elapsed_seconds == 30


def test_max_concurrency_path_reads_the_input():
    execution = single(
        {"Type": "Map", "ItemsPath": "$.xs", "MaxConcurrencyPath": "$.limit", "ItemProcessor": wait(10)},
        {"xs": [1, 2, 3], "limit": 1},
    )
    assert execution.elapsed_seconds == 30


def test_results_keep_item_order_whatever_the_durations():
    processor = machine(("W", {"Type": "Wait", "SecondsPath": "$"}))
    execution = single({"Type": "Map", "ItemProcessor": processor}, [30, 10, 20])
    assert execution.output == [30, 10, 20]


# -- Map: failures --------------------------------------------------------------------------------


def test_a_failing_iteration_fails_the_map_with_its_error():
    execution = single({"Type": "Map", "ItemProcessor": fail_on_zero()}, [1, 0, 2])
    assert execution.status == "FAILED"
    assert (execution.error, execution.cause) == ("Bad", "zero")


def test_a_failing_iteration_is_caught_by_the_map():
    # AWS: scenarios__TestBaseScenarios__test_map_state_catch
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": fail_on_zero(),
                "Catch": [{"ErrorEquals": ["Bad"], "Next": "Caught"}],
                "Next": "Caught",
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    assert pysfn_emulator.run(definition, [0]).output == {"Error": "Bad", "Cause": "zero"}


def test_a_failing_iteration_is_retried_by_the_map():
    # AWS: scenarios__TestBaseScenarios__test_map_state_retry
    execution = single(
        {"Type": "Map", "ItemProcessor": fail_on_zero(), "Retry": [{"ErrorEquals": ["Bad"], "MaxAttempts": 2}]},
        [0],
    )
    assert (execution.error, execution.cause) == ("Bad", "zero")
    assert sum(e["type"] == "MapStateStarted" for e in execution.history) == 3


def test_tolerated_failure_count_lets_the_map_succeed():
    execution = single(
        {"Type": "Map", "ItemProcessor": {**fail_on_zero(), **DISTRIBUTED}, "ToleratedFailureCount": 1},
        [1, 0, 2],
    )
    assert execution.status == "SUCCEEDED"


def test_exceeding_the_tolerated_failure_count_fails_the_map():
    execution = single(
        {"Type": "Map", "ItemProcessor": {**fail_on_zero(), **DISTRIBUTED}, "ToleratedFailureCount": 1},
        [0, 0, 2],
    )
    assert execution.status == "FAILED"
    assert execution.error == "States.ExceedToleratedFailureThreshold"


def test_tolerated_failure_percentage_lets_the_map_succeed_at_the_threshold():
    execution = single(
        {"Type": "Map", "ItemProcessor": {**fail_on_zero(), **DISTRIBUTED}, "ToleratedFailurePercentage": 50},
        [0, 1, 0, 2],
    )
    assert execution.status == "SUCCEEDED"


def test_exceeding_the_tolerated_failure_percentage_fails_the_map():
    execution = single(
        {"Type": "Map", "ItemProcessor": {**fail_on_zero(), **DISTRIBUTED}, "ToleratedFailurePercentage": 50},
        [0, 0, 0, 2],
    )
    assert execution.error == "States.ExceedToleratedFailureThreshold"


def test_tolerated_failure_count_path_negative_is_a_runtime_error():
    # AWS: scenarios__TestBaseScenarios__test_map_state_tolerated_failure_count_path_-1
    execution = single(
        {"Type": "Map", "ItemsPath": "$.Items", "ItemProcessor": {**PASS, **DISTRIBUTED}, "ToleratedFailureCountPath": "$.T"},
        {"Items": [0], "T": -1},
    )
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'S' (entered at the event id #2). "
        "ToleratedFailureCount cannot be negative."
    )


def test_tolerated_failure_count_path_not_a_number_is_a_runtime_error():
    # AWS: scenarios__TestBaseScenarios__test_map_state_tolerated_failure_count_path_NoNumber
    execution = single(
        {"Type": "Map", "ItemsPath": "$.Items", "ItemProcessor": {**PASS, **DISTRIBUTED}, "ToleratedFailureCountPath": "$.T"},
        {"Items": [0], "T": "NoNumber"},
    )
    assert execution.cause.endswith(
        'The ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid integer: $.T'
    )


# -- Map: ItemBatcher ---------------------------------------------------------------------------


def test_item_batcher_groups_items_with_the_batch_input():
    execution = single(
        {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"k.$": "$.k"}},
            "ItemProcessor": {**PASS, **DISTRIBUTED},
        },
        {"items": [1, 2, 3, 4, 5], "k": "v"},
    )
    assert execution.output == [
        {"BatchInput": {"k": "v"}, "Items": [1, 2]},
        {"BatchInput": {"k": "v"}, "Items": [3, 4]},
        {"BatchInput": {"k": "v"}, "Items": [5]},
    ]


def test_item_batcher_without_batch_input_gives_only_items():
    execution = single(
        {"Type": "Map", "ItemBatcher": {"MaxItemsPerBatch": 3}, "ItemProcessor": {**PASS, **DISTRIBUTED}},
        [1, 2, 3, 4],
    )
    assert execution.output == [{"Items": [1, 2, 3]}, {"Items": [4]}]


def test_item_batcher_limits_batch_size_in_bytes():
    execution = single(
        {"Type": "Map", "ItemBatcher": {"MaxInputBytesPerBatch": 10}, "ItemProcessor": {**PASS, **DISTRIBUTED}},
        ["aaaa", "bbbb", "cccc"],
    )
    assert execution.output == [{"Items": ["aaaa"]}, {"Items": ["bbbb"]}, {"Items": ["cccc"]}]


# -- Map with tasks ------------------------------------------------------------------------------


def test_map_iterations_call_the_task_once_per_item():
    seen = []

    def handler(event, context):
        seen.append(event)
        return event * 10

    processor = machine(("Call", {"Type": "Task", "Resource": FUNCTION}))
    execution = single({"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": processor}, [1, 2, 3], lambdas={FUNCTION: handler})
    assert execution.output == [10, 20, 30]
    assert seen == [1, 2, 3]


# -- the first failure in (virtual) time stops the others ---------------------------------------

SLOW_THEN_FAIL = {
    "SlowWait": {"Type": "Wait", "Seconds": 100, "Next": "SlowFail"},
    "SlowFail": {"Type": "Fail", "Error": "Slow"},
}


def test_the_first_branch_to_fail_in_time_fails_the_parallel():
    slow = {"StartAt": "SlowWait", "States": SLOW_THEN_FAIL}
    fast = machine(("FastFail", {"Type": "Fail", "Error": "Fast"}))
    execution = single({"Type": "Parallel", "Branches": [slow, fast]}, {})
    assert execution.error == "Fast"
    assert execution.elapsed_seconds == 0


def test_the_first_iteration_to_fail_in_time_fails_the_map():
    processor = {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "FastFail"}],
                "Default": "SlowWait",
            },
            "FastFail": {"Type": "Fail", "Error": "Fast"},
            **SLOW_THEN_FAIL,
        },
    }
    execution = single({"Type": "Map", "ItemProcessor": processor}, [1, 0])
    assert execution.error == "Fast"
    assert execution.elapsed_seconds == 0
