"""State machines calling the local AWS services: `run(..., services=...)` with optimized and
aws-sdk integrations (outputs, history events, error names, Catch by name), a distributed Map
reading and writing the registry's S3, and the command line's --services."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

import pysfn_emulator
from pysfn_compile.emulate import main
from pysfn_emulator import LocalAws
from pysfn_emulator.sfn_api import command, mock_aws

ORDER = {
    "StartAt": "Record order",
    "States": {
        "Record order": {
            "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}, "total": {"N.$": "States.Format('{}', $.total)"}},
                           "ConditionExpression": "attribute_not_exists(id)"},
            "ResultPath": "$.put",
            "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "ResultPath": "$.duplicate",
                       "Next": "Duplicate"}],
            "Next": "Read back",
        },
        "Read back": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
            "Parameters": {"TableName": "orders", "Key": {"id": {"S.$": "$.id"}}},
            "ResultSelector": {"total.$": "$.Item.total.N"}, "ResultPath": "$.stored", "Next": "Notify",
        },
        "Notify": {
            "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:orders", "Message.$": "$.stored"},
            "ResultSelector": {"id.$": "$.MessageId"}, "ResultPath": "$.published", "Next": "Queue",
        },
        "Queue": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/shipping", "MessageBody.$": "$.id"},
            "ResultPath": None, "Next": "Announce",
        },
        "Announce": {
            "Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
            "Parameters": {"Entries": [{"Source": "shop", "DetailType": "OrderPlaced", "Detail": {"id.$": "$.id"}}]},
            "ResultPath": None, "Next": "Receipt",
        },
        "Receipt": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {"Bucket": "receipts", "Key.$": "$.id"},
            "ResultSelector": {"text.$": "$.Body"}, "ResultPath": "$.receipt", "End": True,
        },
        "Duplicate": {"Type": "Fail", "Error": "DuplicateOrder", "Cause": "the order exists"},
    },
}


def fresh() -> LocalAws:
    aws = LocalAws()
    aws.dynamodb.create_table("orders", key="id")
    aws.s3.put_text("receipts", "o-1", "paid")
    return aws


def test_a_machine_writes_and_reads_the_local_services():
    aws = fresh()
    execution = pysfn_emulator.run(ORDER, {"id": "o-1", "total": 12}, services=aws)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["stored"] == {"total": "12"}
    assert execution.output["receipt"] == {"text": "paid"}
    assert aws.dynamodb.items("orders", plain=True) == [{"id": "o-1", "total": 12}]
    assert aws.sns.published() == [{"MessageId": execution.output["published"]["id"], "Message": '{"total":"12"}'}]
    assert [message["Body"] for message in aws.sqs.messages("https://sqs.us-east-1.amazonaws.com/123456789012/shipping")] == ["o-1"]
    [event] = aws.events.events("default")
    assert event["Detail"] == '{"id":"o-1"}'
    assert len(event["Resources"]) == 2  # the execution's and the state machine's ARNs, as the optimized integration adds
    assert ":execution:" in event["Resources"][0] and ":stateMachine:" in event["Resources"][1]


def test_history_names_the_integrations_and_optimized_responses_carry_sdk_metadata():
    # Regression: an aws-sdk task's events named resourceType "aws-sdk" and resource
    # "dynamodb:getItem"; AWS records "aws-sdk:dynamodb" and "getItem".
    execution = pysfn_emulator.run(ORDER, {"id": "o-1", "total": 12}, services=fresh())
    scheduled = [(e["taskScheduledEventDetails"]["resourceType"], e["taskScheduledEventDetails"]["resource"])
                 for e in execution.history if e["type"] == "TaskScheduled"]
    assert scheduled == [("dynamodb", "putItem"), ("aws-sdk:dynamodb", "getItem"), ("sns", "publish"),
                         ("sqs", "sendMessage"), ("events", "putEvents"), ("aws-sdk:s3", "getObject")]
    outputs = [e["taskSucceededEventDetails"]["output"] for e in execution.history if e["type"] == "TaskSucceeded"]
    put, get, publish, send, events, _ = (json.loads(text) if isinstance(text, str) else text for text in outputs)
    assert set(put) == {"SdkHttpMetadata", "SdkResponseMetadata"}
    assert put["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert put["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "2"  # the body of {}
    assert "SdkHttpMetadata" not in get and get == {"Item": {"id": {"S": "o-1"}, "total": {"N": "12"}}}
    assert set(publish) == {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    assert {"MD5OfMessageBody", "MessageId", "SdkHttpMetadata"} <= set(send)
    assert events["FailedEntryCount"] == 0 and "SdkHttpMetadata" not in events


def test_a_conditional_failure_is_caught_by_its_optimized_error_name():
    aws = fresh()
    pysfn_emulator.run(ORDER, {"id": "o-1", "total": 12}, services=aws)
    again = pysfn_emulator.run(ORDER, {"id": "o-1", "total": 99}, services=aws)
    assert (again.status, again.error) == ("FAILED", "DuplicateOrder")
    [failed] = [e["taskFailedEventDetails"] for e in again.history if e["type"] == "TaskFailed"]
    assert failed["error"] == "DynamoDB.ConditionalCheckFailedException"
    assert failed["cause"].startswith("The conditional request failed (Service: AmazonDynamoDBv2; Status Code: 400; "
                                      "Error Code: ConditionalCheckFailedException; Request ID: ")
    assert aws.dynamodb.items("orders", plain=True) == [{"id": "o-1", "total": 12}]


def test_an_aws_sdk_failure_is_named_as_the_sdk_integration_names_it():
    aws = fresh()
    execution = pysfn_emulator.run(ORDER, {"id": "no-receipt", "total": 1}, services=aws)
    assert execution.status == "FAILED"
    assert execution.error == "S3.NoSuchKeyException"
    assert execution.cause.startswith("The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ")


def test_events_put_events_with_a_failed_entry_fails_the_task():
    definition = {"StartAt": "Put", "States": {"Put": {
        "Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
        "Parameters": {"Entries": [{"Source": "s", "DetailType": "d", "Detail": "\"jsonstring\""}]}, "End": True}}}
    execution = pysfn_emulator.run(definition, {}, services=LocalAws())
    assert execution.error == "EventBridge.FailedEntry"
    assert json.loads(execution.cause) == {"Entries": [{"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}],
                                           "FailedEntryCount": 1}


def test_a_mapping_of_handlers_is_a_registry_and_lambdas_entries_win():
    definition = {"StartAt": "Get", "States": {"Get": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
        "Parameters": {"SecretId": "db"}, "End": True}}}
    services = {"secretsmanager:getSecretValue": lambda params: {"SecretString": "from services " + params["SecretId"]}}
    assert pysfn_emulator.run(definition, {}, services=services).output == {"SecretString": "from services db"}
    lambdas = {"arn:aws:states:::aws-sdk:secretsmanager:getSecretValue": lambda event, context: {"SecretString": "from lambdas"}}
    assert pysfn_emulator.run(definition, {}, services=services, lambdas=lambdas).output == {"SecretString": "from lambdas"}
    with pytest.raises(TypeError, match="services must be a LocalAws"):
        pysfn_emulator.run(definition, {}, services=[1])


def test_a_handler_raising_service_failure_fails_the_task_with_the_sdk_name():
    def get_secret(params):
        raise pysfn_emulator.ServiceFailure("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")

    definition = {"StartAt": "Get", "States": {
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
                "Parameters": {"SecretId": "db"}, "End": True,
                "Catch": [{"ErrorEquals": ["SecretsManager.ResourceNotFoundException"], "Next": "Missing"}]},
        "Missing": {"Type": "Pass", "Result": "no secret", "End": True}}}
    execution = pysfn_emulator.run(definition, {}, services={"secretsmanager:getSecretValue": get_secret})
    assert execution.output == "no secret"


def test_child_executions_share_the_registry():
    child = {"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "q", "MessageBody.$": "$.n"}, "End": True}}}
    parent = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, **child},
        "ItemSelector": {"n.$": "States.Format('{}', $$.Map.Item.Value)"}, "End": True}}}
    aws = LocalAws()
    execution = pysfn_emulator.run(parent, {"items": [1, 2, 3]}, services=aws)
    assert execution.status == "SUCCEEDED", execution.cause
    assert sorted(message["Body"] for message in aws.sqs.messages("q")) == ["1", "2", "3"]


def test_a_distributed_map_reads_and_writes_the_registry_s3():
    aws = LocalAws()
    aws.s3.put_text("in", "orders.csv", "id,total\n1,5\n2,7\n")
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                       "Parameters": {"Bucket": "in", "Key": "orders.csv"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": True}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "runs"},
                         "WriterConfig": {"OutputType": "JSON", "Transformation": "COMPACT"}},
        "End": True}}}
    execution = pysfn_emulator.run(definition, {}, services=aws)
    assert execution.status == "SUCCEEDED", execution.cause
    written = aws.s3.objects("out")
    manifest = json.loads(written[execution.output["ResultWriterDetails"]["Key"]])
    [results] = manifest["ResultFiles"]["SUCCEEDED"]
    assert json.loads(written[results["Key"]]) == [{"id": "1", "total": "5"}, {"id": "2", "total": "7"}]


def test_an_item_reader_of_a_missing_object_fails_the_map():
    aws = LocalAws()
    aws.s3.create_bucket("in")
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "none"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": True}}},
        "End": True}}}
    execution = pysfn_emulator.run(definition, {}, services=aws)
    assert execution.error == "States.ItemReaderFailed"
    assert "NoSuchBucket" in execution.cause
    aws.s3.put_text("none", "a.txt", "x")
    listed = pysfn_emulator.run(definition, {}, services=aws)
    assert [item["Key"] for item in listed.output] == ["a.txt"]


# -- the command line -------------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_services_module_with_setup_and_functions(tmp_path, capsys):
    machine = write(tmp_path, "machine.json", json.dumps(ORDER))
    services = write(tmp_path, "services.py", "\n".join([
        "def setup(aws):",
        "    aws.dynamodb.create_table('orders', key='id')",
        "    aws.s3.put_text('receipts', 'o-1', 'paid')",
        "",
        "def secretsmanager_get_secret_value(params):",
        "    return {'SecretString': 'x'}",
    ]))
    assert main([machine, "--input", '{"id": "o-1", "total": 3}', "--services", services, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output"]["receipt"] == {"text": "paid"}


def test_cli_services_module_with_a_registry(tmp_path, capsys):
    machine = write(tmp_path, "machine.json", json.dumps({"StartAt": "Get", "States": {"Get": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
        "Parameters": {"TableName": "users", "Key": {"id": {"S": "u1"}}}, "End": True}}}))
    services = write(tmp_path, "services.py", "\n".join([
        "from pysfn_emulator import LocalAws",
        "services = LocalAws()",
        "services.dynamodb.create_table('users', key='id', items=[{'id': 'u1', 'name': 'Ada'}])",
    ]))
    assert main([machine, "--services", services, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output"] == {"Item": {"id": {"S": "u1"}, "name": {"S": "Ada"}}}


@pytest.mark.parametrize("text, message", [
    ("x = (", "cannot load the services module: SyntaxError"),
    ("services = 3", "`services` must be a LocalAws or a mapping"),
    ("def lonely(params): pass", "is not named <service>_<action>"),
    ("def setup(aws): raise RuntimeError('boom')", "building the services failed: RuntimeError: boom"),
])
def test_cli_bad_services_module_exits_2_with_a_message(tmp_path, capsys, text, message):
    machine = write(tmp_path, "machine.json", json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    services = write(tmp_path, "services.py", text)
    assert main([machine, "--services", services]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.startswith("pysfn-emulate: --services ")


def test_cli_missing_services_module(tmp_path, capsys):
    machine = write(tmp_path, "machine.json", json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    assert main([machine, "--services", str(tmp_path / "none.py")]) == 2
    assert "no such services module" in capsys.readouterr().err


def test_cli_hints_at_services_for_an_unanswered_integration(tmp_path, capsys):
    machine = write(tmp_path, "machine.json", json.dumps({"StartAt": "Get", "States": {"Get": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
        "Parameters": {"SecretId": "x"}, "End": True}}}))
    assert main([machine]) == 1
    err = capsys.readouterr().err
    assert "services=pysfn_emulator.LocalAws(...)" in err
    assert "hint: no local service answers secretsmanager:getSecretValue: pass --services services.py" in err
    assert "def secretsmanager_get_secret_value(params)" in err


@pytest.mark.parametrize("body, stored, crc", [  # AWS-recorded: the Body's JSON text, a string too
    ("text data", '"text data"', "KUmHvQ=="), ({"Dict": "Value"}, '{"Dict":"Value"}', "hnEfWw=="),
    (["List", "Data"], '["List","Data"]', "1F2MPA=="), (False, "false", "K81oMA=="), (0, "0", "9NvfIQ=="),
])
def test_an_aws_sdk_put_object_stores_the_body_as_json_text(body, stored, crc):
    definition = {"StartAt": "Put", "States": {"Put": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
        "Parameters": {"Bucket": "b", "Key": "k", "Body.$": "$.body"}, "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": "b", "Key": "k"}, "End": True}}}
    aws = LocalAws()
    execution = pysfn_emulator.run(definition, {"body": body}, services=aws)
    assert aws.s3.text("b", "k") == stored
    put = json.loads(next(e["taskSucceededEventDetails"]["output"] for e in execution.history if e["type"] == "TaskSucceeded"))
    assert put["ChecksumCRC32"] == crc and put["ChecksumType"] == "FULL_OBJECT"
    got = execution.output
    assert list(got) == ["AcceptRanges", "ContentLength", "ContentType", "ETag", "LastModified", "Metadata",
                         "ServerSideEncryption", "Body"]  # as recorded
    assert (got["Body"], got["ContentType"]) == (stored, "text/plain; charset=UTF-8")


def test_the_step_functions_api_runs_executions_with_the_registry():
    aws = LocalAws()
    definition = {"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "q", "MessageBody.$": "$.text"}, "ResultSelector": {"id.$": "$.MessageId"}, "End": True}}}
    with mock_aws(services=aws):
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        arn = sfn.create_state_machine(name="send", definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
        execution_arn = sfn.start_execution(stateMachineArn=arn, input='{"text": "hi"}')["executionArn"]
        described = sfn.describe_execution(executionArn=execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert [message["Body"] for message in aws.sqs.messages("q")] == ["hi"]


def test_serve_refuses_a_bad_services_module(tmp_path, capsys):
    assert command.main(["--port", "0", "--services", str(tmp_path / "none.py")]) == 2
    assert "--services " in capsys.readouterr().err
