"""A distributed Map's ResultWriter: the children's results written through s3:putObject."""

import json

import pytest

import pysfn_emulator

PUT_OBJECT = "arn:aws:states:::s3:putObject"


def writing_map(writer: dict, processor: dict | None = None, **fields) -> dict:
    return {
        "StartAt": "Each order",
        "States": {
            "Each order": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    **(processor or {"StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": True}}}),
                },
                "ResultWriter": writer,
                "End": True,
                **fields,
            }
        },
    }


S3_WRITER = {"Resource": PUT_OBJECT, "Parameters": {"Bucket": "results", "Prefix": "runs"}}


def run_recording(definition, input):
    files = {}

    def put_object(event, context):
        assert set(event) == {"Bucket", "Key", "Body"}
        assert event["Bucket"] == "results"
        files[event["Key"]] = event["Body"]
        return {"ETag": '"x"'}

    execution = pysfn_emulator.run(definition, input, lambdas={PUT_OBJECT: put_object})
    return execution, files


def test_the_map_returns_where_the_manifest_is_and_writes_manifest_and_results():
    writer = {"Resource": PUT_OBJECT, "Parameters": {"Bucket": "results", "Prefix.$": "$.prefix"}}
    definition = writing_map(writer, ItemsPath="$.items")
    execution, files = run_recording(definition, {"prefix": "runs", "items": [{"id": 1}, {"id": 2}]})
    assert execution.status == "SUCCEEDED", execution.cause
    output = execution.output
    assert set(output) == {"MapRunArn", "ResultWriterDetails"}
    run_id = output["MapRunArn"].rsplit(":", 1)[-1]
    assert ":mapRun:" in output["MapRunArn"]
    manifest_key = f"runs/{run_id}/manifest.json"
    assert output["ResultWriterDetails"] == {"Bucket": "results", "Key": manifest_key}
    assert list(files) == [f"runs/{run_id}/SUCCEEDED_0.json", manifest_key]  # results first, the manifest last

    manifest = json.loads(files[manifest_key])
    body = files[f"runs/{run_id}/SUCCEEDED_0.json"]
    assert manifest == {
        "DestinationBucket": "results",
        "MapRunArn": output["MapRunArn"],
        "ResultFiles": {"FAILED": [], "PENDING": [], "SUCCEEDED": [{"Key": f"runs/{run_id}/SUCCEEDED_0.json", "Size": len(body.encode())}]},
    }
    entries = json.loads(body)
    assert [json.loads(e["Input"]) for e in entries] == [{"id": 1}, {"id": 2}]
    assert [json.loads(e["Output"]) for e in entries] == [{"id": 1}, {"id": 2}]
    first = entries[0]
    assert first["Status"] == "SUCCEEDED"
    assert ":execution:" in first["ExecutionArn"] and first["ExecutionArn"].endswith(first["Name"])
    assert first["StateMachineArn"].endswith("/Each order")
    assert {"StartDate", "StopDate", "InputDetails", "OutputDetails"} <= set(first)


def test_failed_children_under_the_tolerated_count_go_to_failed_0():
    processor = {
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Done"}], "Default": "Refuse"},
            "Refuse": {"Type": "Fail", "Error": "Refused", "Cause": "not ok"},
            "Done": {"Type": "Succeed"},
        },
    }
    definition = writing_map({"Resource": PUT_OBJECT, "Parameters": {"Bucket": "results", "Prefix": "p"}}, processor, ToleratedFailureCount=1)
    execution, files = run_recording(definition, [{"ok": True}, {"ok": False}, {"ok": True}])
    assert execution.status == "SUCCEEDED", execution.cause
    manifest = json.loads(files[execution.output["ResultWriterDetails"]["Key"]])
    [succeeded], [failed] = manifest["ResultFiles"]["SUCCEEDED"], manifest["ResultFiles"]["FAILED"]
    assert failed["Key"].endswith("/FAILED_0.json") and manifest["ResultFiles"]["PENDING"] == []
    assert len(json.loads(files[succeeded["Key"]])) == 2
    [entry] = json.loads(files[failed["Key"]])
    assert (entry["Status"], entry["Error"], entry["Cause"], json.loads(entry["Input"])) == ("FAILED", "Refused", "not ok", {"ok": False})
    assert "Output" not in entry


def test_a_failed_map_run_writes_its_results_too():
    processor = {"StartAt": "Refuse", "States": {"Refuse": {"Type": "Fail", "Error": "Refused"}}}
    definition = writing_map({"Resource": PUT_OBJECT, "Parameters": {"Bucket": "results", "Prefix": "p"}}, processor, MaxConcurrency=1)
    execution, files = run_recording(definition, [1, 2, 3])
    assert execution.error == "Refused"
    manifest = json.loads(next(body for key, body in files.items() if key.endswith("manifest.json")))
    assert len(json.loads(files[manifest["ResultFiles"]["FAILED"][0]["Key"]])) == 1
    pending = json.loads(files[manifest["ResultFiles"]["PENDING"][0]["Key"]])
    assert [(json.loads(e["Input"]), e["Status"]) for e in pending] == [(2, "PENDING"), (3, "PENDING")]


@pytest.mark.parametrize(
    "config, expected",
    [
        ({"Transformation": "COMPACT", "OutputType": "JSON"}, [[1, 2], [3]]),
        ({"Transformation": "FLATTEN", "OutputType": "JSON"}, [1, 2, 3]),
    ],
)
def test_writer_config_transforms_what_is_written(config, expected):
    writer = {**S3_WRITER, "WriterConfig": config}
    execution, files = run_recording(writing_map(writer), [[1, 2], [3]])
    assert set(execution.output) == {"MapRunArn", "ResultWriterDetails"}
    body = next(body for key, body in files.items() if key.endswith("SUCCEEDED_0.json"))
    assert json.loads(body) == expected


def test_jsonl_output_type_writes_a_value_a_line():
    writer = {**S3_WRITER, "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}}
    _, files = run_recording(writing_map(writer), [{"a": 1}, {"a": 2}])
    body = next(body for key, body in files.items() if key.endswith("SUCCEEDED_0.json"))
    assert body == '{"a":1}\n{"a":2}\n'


def test_writer_config_alone_keeps_the_transformed_results_as_the_output():
    execution = pysfn_emulator.run(writing_map({"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}), [[1, 2], [3]])
    assert execution.output == [1, 2, 3]


def test_without_a_handler_the_execution_fails_and_says_how_to_register_one():
    execution = pysfn_emulator.run(writing_map(S3_WRITER), [1])
    assert execution.error == "States.ResultWriterFailed"
    assert PUT_OBJECT in execution.cause
    assert f'lambdas={{"{PUT_OBJECT}": handler}}' in execution.cause


def test_a_failing_handler_fails_the_execution_with_its_message():
    def denied(event, context):
        raise PermissionError("Access Denied")

    execution = pysfn_emulator.run(writing_map(S3_WRITER), [1], lambdas={PUT_OBJECT: denied})
    assert execution.error == "States.ResultWriterFailed"
    assert "Access Denied" in execution.cause


def test_result_writer_in_jsonata():
    definition = writing_map({"Resource": PUT_OBJECT, "Arguments": {"Bucket": "results", "Prefix": "{% $states.input.prefix %}"}}, Items="{% $states.input.items %}")
    definition["QueryLanguage"] = "JSONata"
    execution, files = run_recording(definition, {"prefix": "js", "items": [1]})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["ResultWriterDetails"]["Key"].startswith("js/")
    assert len(files) == 2
