"""What AWS accepts or does that the emulator once did not (issue 9, section 3): the Map item's
Source and every Task's token in the context object, definitions AWS accepts (MaxItems 0, a
JSONPath filter after a dot), definitions AWS refuses (no terminal state, a Resource that is no
ARN it knows), and ItemBatcher in a JSONata Map."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

import pysfn_emulator
from pysfn_emulator import DefinitionError

FUNCTION = "arn:aws:lambda:us-east-1:111111111111:function:f"
GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
KEEP = {"StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": True}}}


def one(state: dict, **top) -> dict:
    return {"StartAt": "S", "States": {"S": {**state, "End": True}}, **top}


def problems(definition: dict) -> list[str]:
    return [f"{p.pointer}: {p.message}" for p in pysfn_emulator.validate(definition)]


# --- $$.Map.Item.Source -------------------------------------------------------------------------
# AWS's Developer Guide, "Context object data for Map states": STATE_DATA for items of the
# state's input, the S3 URI of the object (or of the bucket, for a listing) for an ItemReader's.


def source_map(mode: str = "INLINE", **fields) -> dict:
    processor = {**KEEP, "ProcessorConfig": DISTRIBUTED if mode == "DISTRIBUTED" else {"Mode": "INLINE"}}
    return one({"Type": "Map", "ItemSelector": {"source.$": "$$.Map.Item.Source", "value.$": "$$.Map.Item.Value"},
                "ItemProcessor": processor, **fields})


def test_items_of_the_state_input_have_source_state_data_inline_and_distributed():
    for mode in ("INLINE", "DISTRIBUTED"):
        execution = pysfn_emulator.run(source_map(mode, ItemsPath="$.items"), {"items": [1, 2]})
        assert execution.output == [{"source": "STATE_DATA", "value": 1}, {"source": "STATE_DATA", "value": 2}], mode


def test_a_jsonata_map_reads_the_source_from_states_context():
    definition = one({
        "Type": "Map", "Items": "{% $states.input.items %}",
        "ItemSelector": {"source": "{% $states.context.Map.Item.Source %}", "index": "{% $states.context.Map.Item.Index %}"},
        "ItemProcessor": {**KEEP, "ProcessorConfig": {"Mode": "INLINE"}},
    }, QueryLanguage="JSONata")
    execution = pysfn_emulator.run(definition, {"items": ["a"]})
    assert execution.output == [{"source": "STATE_DATA", "index": 0}]


def test_items_read_from_an_s3_object_have_its_uri_as_source():
    reader = {"Resource": GET_OBJECT, "ReaderConfig": {"InputType": "JSON"},
              "Parameters": {"Bucket": "orders", "Key.$": "$.key"}}
    execution = pysfn_emulator.run(source_map("DISTRIBUTED", ItemReader=reader), {"key": "2024/orders.json"},
                                   lambdas={GET_OBJECT: lambda request, context: '[{"id": 1}]'})
    assert execution.output == [{"source": "s3://orders/2024/orders.json", "value": {"id": 1}}]


def test_objects_of_a_listing_have_the_bucket_uri_as_source():
    reader = {"Resource": LIST_OBJECTS, "Parameters": {"Bucket": "orders", "Prefix": "2024/"}}
    listing = [{"Key": "2024/a.json", "Size": 1}]
    execution = pysfn_emulator.run(source_map("DISTRIBUTED", ItemReader=reader), {},
                                   lambdas={LIST_OBJECTS: lambda request, context: listing})
    assert execution.output == [{"source": "s3://orders", "value": {"Key": "2024/a.json", "Size": 1}}]


# --- $$.Task.Token in every Task -----------------------------------------------------------------
# AWS's API reference: task tokens are generated "in the context object when a workflow enters a
# task state"; a recorded .sync execution passes one to its child.


def echo(event, context):
    return event


def test_a_request_response_task_has_a_token_in_its_context():
    definition = one({"Type": "Task", "Resource": FUNCTION, "Parameters": {"token.$": "$$.Task.Token"}})
    execution = pysfn_emulator.run(definition, {}, lambdas={FUNCTION: echo}, seed=1)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["token"].startswith("AQ") and len(execution.output["token"]) > 100


def test_a_jsonata_task_reads_its_token_from_states_context():
    definition = one({"Type": "Task", "Resource": FUNCTION, "Arguments": {"token": "{% $states.context.Task.Token %}"}},
                     QueryLanguage="JSONata")
    execution = pysfn_emulator.run(definition, {}, lambdas={FUNCTION: echo})
    assert execution.output["token"].startswith("AQ")


def test_tokens_repeat_under_a_seed_and_differ_between_tasks_and_attempts():
    flaky = {"calls": 0}

    def fail_once(event, context):
        flaky["calls"] += 1
        if flaky["calls"] == 1:
            raise RuntimeError("again")
        return event

    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": FUNCTION, "Parameters": {"t.$": "$$.Task.Token"}, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:g",
              "Parameters": {"t.$": "$$.Task.Token"}, "ResultPath": "$.b",
              "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}], "End": True},
    }}

    def tokens(seed):
        flaky["calls"] = 0
        execution = pysfn_emulator.run(definition, {}, lambdas={FUNCTION: echo, "g": fail_once}, seed=seed)
        assert execution.status == "SUCCEEDED", execution.cause
        scheduled = [e["lambdaFunctionScheduledEventDetails"]["input"] for e in execution.history
                     if e["type"] == "LambdaFunctionScheduled"]
        return [json.loads(p)["t"] for p in scheduled]

    first = tokens(7)
    assert len(first) == 3 and len(set(first)) == 3  # A, then B's two attempts
    assert tokens(7) == first
    assert tokens(8) != first


def test_a_sync_start_execution_passes_its_token_to_the_child():
    parent = one({"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                  "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:111111111111:stateMachine:Child",
                                 "Input": {"TaskToken.$": "$$.Task.Token"}},
                  "OutputPath": "$.Output"})
    child = one({"Type": "Pass"})
    execution = pysfn_emulator.run(parent, {}, state_machines={"Child": child}, seed=3)
    assert execution.status == "SUCCEEDED", execution.cause
    scheduled = next(e for e in execution.history if e["type"] == "TaskScheduled")
    sent = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Input"]["TaskToken"]
    assert execution.output == {"TaskToken": sent}


def test_an_activity_token_is_the_one_in_its_context():
    seen = {}

    def worker(token, payload):
        seen["token"] = token
        return payload

    definition = one({"Type": "Task", "Resource": "arn:aws:states:us-east-1:111111111111:activity:approve",
                      "Parameters": {"token.$": "$$.Task.Token"}})
    execution = pysfn_emulator.run(definition, {}, callbacks={"approve": worker})
    assert execution.output == {"token": seen["token"]}


# --- definitions AWS accepts ---------------------------------------------------------------------


def test_reader_max_items_zero_is_accepted_and_reads_every_item():
    reader = {"Resource": GET_OBJECT, "ReaderConfig": {"InputType": "JSON", "MaxItems": 0},
              "Parameters": {"Bucket": "b", "Key": "k"}}
    definition = source_map("DISTRIBUTED", ItemReader=reader)
    assert problems(definition) == []
    execution = pysfn_emulator.run(definition, {}, lambdas={GET_OBJECT: lambda request, context: "[1, 2, 3]"})
    assert [item["value"] for item in execution.output] == [1, 2, 3]
    reader["ReaderConfig"]["MaxItems"] = -1
    assert any("MaxItems" in p for p in problems(definition))


@pytest.mark.parametrize(("path", "data", "expected"), [
    ("$.[?(@.OU > 0)]", [{"OU": 1}, {"OU": 0}, {"OU": 2}], [{"OU": 1}, {"OU": 2}]),
    ("$.a.[?(@.x)]", {"a": [{"x": 1}, {"y": 2}]}, [{"x": 1}]),
    ("$.a.[1]", {"a": [5, 6]}, 6),
    ("$.a.['b c']", {"a": {"b c": 3}}, 3),
    ("$..[0]", {"a": [5, 6], "b": [7]}, [5, 7]),  # a deep scan keeps its dots
    ("$.a[?(@.n == '.[x')]", {"a": [{"n": ".[x"}, {"n": "y"}]}, [{"n": ".[x"}]),  # quoted text kept
    # Jayway filters an object as itself (it is the one match), not its values:
    ("$.[?(@.OU > 0)]", {"OU": 3}, [{"OU": 3}]),
    ("$.[?(@.OU > 0)]", {"OU": 0}, []),
    ("$.a.[?(@.x)]", {"a": {"x": 1}}, [{"x": 1}]),
    # ... and a scan filters every object at or below the start, once each, in document order:
    ("$..[?(@.x)]", {"x": 1, "b": {"x": 2, "c": [{"x": 3}, {"y": 4}]}},
     [{"x": 1, "b": {"x": 2, "c": [{"x": 3}, {"y": 4}]}}, {"x": 2, "c": [{"x": 3}, {"y": 4}]}, {"x": 3}]),
    ("$..[?(@.price < 10)].title", {"store": {"book": [{"price": 8, "title": "a"}, {"price": 12, "title": "b"}]}}, ["a"]),
])
def test_a_dot_before_a_bracket_reads_as_the_bracket_as_jayway_reads_it(path, data, expected):
    definition = one({"Type": "Pass", "Parameters": {"r.$": path}})
    assert problems(definition) == []
    assert pysfn_emulator.run(definition, data).output == {"r": expected}


def test_a_dot_bracket_path_works_in_a_choice_rule_and_input_path():
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.a.[0]", "NumericEquals": 1, "Next": "Yes"}], "Default": "No"},
        "Yes": {"Type": "Pass", "InputPath": "$.a.[1]", "End": True},
        "No": {"Type": "Fail", "Error": "No"},
    }}
    assert pysfn_emulator.run(definition, {"a": [1, "second"]}).output == "second"


# --- definitions AWS refuses ---------------------------------------------------------------------


def test_a_machine_with_no_terminal_state_is_refused():
    loop = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}
    found = problems(loop)
    assert len(found) == 1 and "no terminal state" in found[0] and "MISSING_END_STATE" in found[0]
    with pytest.raises(DefinitionError):
        pysfn_emulator.run(loop, {})


def test_a_loop_beside_an_unreachable_end_is_refused_as_unreachable_not_as_endless():
    # As AWS answers (MISSING_TRANSITION_TARGET, not MISSING_END_STATE).
    loop = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"},
                                       "C": {"Type": "Pass", "End": True}}}
    found = problems(loop)
    assert found and not any("terminal" in p for p in found) and any("unreachable" in p for p in found)


def test_a_branch_with_no_terminal_state_is_refused_where_it_is():
    branch = {"StartAt": "L", "States": {"L": {"Type": "Wait", "Seconds": 1, "Next": "L"}}}
    definition = one({"Type": "Parallel", "Branches": [branch]})
    endless = [p for p in problems(definition) if "no terminal state" in p]
    assert len(endless) == 1 and endless[0].startswith("/States/S/Branches/0: ")


def test_a_machine_ending_in_succeed_fail_or_a_choice_leading_to_one_is_accepted():
    for end in ({"Type": "Succeed"}, {"Type": "Fail", "Error": "E"}):
        definition = {"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "End"}], "Default": "C2"},
            "C2": {"Type": "Pass", "Next": "C"}, "End": end}}
        assert problems(definition) == []


@pytest.mark.parametrize("resource", ["nonsense", "${CheckStockValueFunctionArn}", "lambda:f"])
def test_a_resource_that_is_not_an_arn_is_refused(resource):
    # AWS: "SCHEMA_VALIDATION_FAILED: Value is not a valid resource ARN at /States/S/Resource"
    found = problems(one({"Type": "Task", "Resource": resource}))
    assert len(found) == 1 and found[0].startswith("/States/S/Resource: Value is not a valid resource ARN")


@pytest.mark.parametrize("resource", ["arn:aws:states:::nosuch:thing", "arn:aws:states:::nosuch:thing.sync"])
def test_an_integration_of_a_service_aws_does_not_integrate_is_refused(resource):
    # AWS, as recorded for arn:aws:states:::dynamodb:query: "The resource provided ... is not
    # recognized. The value is not a valid resource ARN, or the resource is not available in
    # this region."
    found = problems(one({"Type": "Task", "Resource": resource}))
    assert len(found) == 1 and f"The resource provided {resource} is not recognized" in found[0]
    with pytest.raises(DefinitionError):
        pysfn_emulator.run(one({"Type": "Task", "Resource": resource}), {})


@pytest.mark.parametrize("resource", [
    FUNCTION, "arn:aws:lambda:us-east-1:111111111111:function:f:prod",
    "arn:aws:states:us-east-1:111111111111:activity:approve",
    "arn:aws:states:::aws-sdk:s3:listObjectsV2", "arn:aws:states:::sagemaker:createTrainingJob.sync",
    "arn:aws:states:::elasticmapreduce:createCluster.sync", "arn:aws:states:::emr-serverless:startJobRun.sync",
    "arn:aws:states:::eks:call", "arn:aws:states:::bedrock:invokeModel", "arn:aws:states:::athena:startQueryExecution.sync",
    "arn:aws:states:::codebuild:startBuild.sync", "arn:aws:states:::databrew:startJobRun.sync",
    "arn:aws:states:::mediaconvert:createJob.sync", "arn:aws-us-gov:states:::lambda:invoke",
])
def test_resources_aws_knows_are_accepted(resource):
    assert problems(one({"Type": "Task", "Resource": resource})) == []


# --- ItemBatcher in a JSONata Map ----------------------------------------------------------------


def jsonata_batching(**batcher) -> dict:
    # The definition AWS ran in LocalStack's test_map_item_batching_base_json_max_per_batch_jsonata.
    return {"StartAt": "BatchMapState", "QueryLanguage": "JSONata", "States": {"BatchMapState": {
        "Type": "Map",
        "ItemReader": {"ReaderConfig": {"InputType": "JSON", "MaxItems": 2}, "Resource": GET_OBJECT,
                       "Arguments": {"Bucket": "{% $states.input.Bucket %}", "Key": "{% $states.input.Key %}"}},
        "ItemBatcher": batcher or {
            "MaxItemsPerBatch": "{% $states.input.MaxItemsPerBatch %}",
            "MaxInputBytesPerBatch": "{% $states.input.MaxInputBytesPerBatch %}",
            "BatchInput": {"BatchTimestamp": "{% $states.context.State.EnteredTime %}"},
        },
        "ItemProcessor": {"ProcessorConfig": DISTRIBUTED, "StartAt": "ProcessBatch",
                          "States": {"ProcessBatch": {"Type": "Pass", "End": True}}},
        "End": True,
    }}}


VERDICTS = [
    {"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"},
    {"verdict": "false", "statement_date": "6/7/2022", "statement_source": "television"},
    {"verdict": "mostly-true", "statement_date": "5/18/2016", "statement_source": "news"},
]
START = datetime(2024, 11, 13, 15, 21, 53, tzinfo=UTC)


def batch(definition, **input):
    return pysfn_emulator.run(definition, {"Bucket": "b", "Key": "file.json", **input}, start_time=START,
                              lambdas={GET_OBJECT: lambda request, context: json.dumps(VERDICTS)})


def test_a_jsonata_item_batcher_gives_the_output_aws_recorded():
    assert problems(jsonata_batching()) == []
    execution = batch(jsonata_batching(), MaxItemsPerBatch=2, MaxInputBytesPerBatch=150_000)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == [{"BatchInput": {"BatchTimestamp": "2024-11-13T15:21:53Z"}, "Items": VERDICTS[:2]}]


def test_jsonata_batch_limits_may_be_literals_and_batch_input_one_expression():
    definition = jsonata_batching(MaxItemsPerBatch=1, BatchInput="{% {'of': $states.input.Key} %}")
    execution = batch(definition)
    assert execution.output == [{"BatchInput": {"of": "file.json"}, "Items": [item]} for item in VERDICTS[:2]]


@pytest.mark.parametrize("value", [0, -1, 1.5, "two", True, None])
def test_a_jsonata_batch_limit_that_is_not_a_positive_integer_fails_the_state(value):
    execution = batch(jsonata_batching(MaxItemsPerBatch="{% $states.input.n %}"), n=value)
    assert execution.status == "FAILED"
    assert execution.error == "States.QueryEvaluationError"
    assert "MaxItemsPerBatch" in execution.cause


def test_a_path_field_of_the_batcher_is_refused_in_a_jsonata_map():
    found = problems(jsonata_batching(MaxItemsPerBatchPath="$.n"))
    assert any("MaxItemsPerBatchPath" in p for p in found)
