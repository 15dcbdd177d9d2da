"""The local S3, SQS, SNS and EventBridge, the registry around them (LocalAws) and the error
names a state machine sees (error_name): facts from AWS's recordings, cited in error_names.py."""

from __future__ import annotations

import copy

import pytest

from pysfn_emulator import LocalAws, ServiceFailure, error_name
from pysfn_emulator.local_aws import error_cause


def refused(aws: LocalAws, service: str, action: str, params: dict) -> ServiceFailure:
    with pytest.raises(ServiceFailure) as raised:
        aws.call(service, action, params)
    return raised.value


# -- S3 ---------------------------------------------------------------------------------------------


def test_s3_put_get_and_list_text_objects():
    aws = LocalAws()
    put = aws.call("s3", "putObject", {"Bucket": "b", "Key": "in/a.json", "Body": "hello"})
    assert put == {"ChecksumCRC32": "NhCmhg==", "ChecksumType": "FULL_OBJECT",
                   "ETag": '"5d41402abc4b2a76b9719d911017c592"', "ServerSideEncryption": "AES256"}  # CRC32, MD5
    aws.s3.put_text("b", "in/a.json", '{"x": 1}')
    aws.s3.put_text("b", "in/b.txt", "hello")
    got = aws.call("s3", "getObject", {"Bucket": "b", "Key": "in/b.txt"})
    assert got["Body"] == "hello" and got["ContentLength"] == 5 and got["ETag"].startswith('"')
    listing = aws.call("s3", "listObjectsV2", {"Bucket": "b", "Prefix": "in/"})
    assert [entry["Key"] for entry in listing["Contents"]] == ["in/a.json", "in/b.txt"]
    assert (listing["KeyCount"], listing["IsTruncated"], listing["Name"]) == (2, False, "b")
    page = aws.call("s3", "listObjectsV2", {"Bucket": "b", "MaxKeys": 1})
    assert page["IsTruncated"] and aws.call("s3", "listObjectsV2", {
        "Bucket": "b", "ContinuationToken": page["NextContinuationToken"]})["Contents"][0]["Key"] == "in/b.txt"
    assert aws.s3.objects("b") == {"in/a.json": '{"x": 1}', "in/b.txt": "hello"}


def test_s3_missing_key_and_bucket():
    aws = LocalAws()
    aws.s3.create_bucket("b")
    missing = refused(aws, "s3", "getObject", {"Bucket": "b", "Key": "nope"})
    assert (missing.code, missing.message, missing.status) == ("NoSuchKey", "The specified key does not exist.", 404)
    no_bucket = refused(aws, "s3", "getObject", {"Bucket": "other", "Key": "k"})
    assert (no_bucket.code, no_bucket.status) == ("NoSuchBucket", 404)


def test_s3_a_json_body_is_stored_as_its_json_text():
    aws = LocalAws()
    aws.call("s3", "putObject", {"Bucket": "b", "Key": "k", "Body": {"a": [1, 2]}})
    assert aws.s3.text("b", "k") == '{"a":[1,2]}'


# -- SQS, SNS, EventBridge -----------------------------------------------------------------------------


def test_sqs_send_message_answers_md5_and_a_message_id_and_records_it():
    aws = LocalAws()
    url = aws.sqs.create_queue("jobs")
    response = aws.call("sqs", "sendMessage", {"QueueUrl": url, "MessageBody": "hello"})
    assert response["MD5OfMessageBody"] == "5d41402abc4b2a76b9719d911017c592"
    assert len(response["MessageId"]) == 36
    assert aws.sqs.messages(url) == [{"MessageId": response["MessageId"], "Body": "hello",
                                      "MD5OfBody": "5d41402abc4b2a76b9719d911017c592"}]


def test_sqs_message_attributes_md5_matches_sqs():
    # A response whose MD5s check out (its MD5OfBody is the body's MD5): attributes as SQS digests them.
    aws = LocalAws()
    response = aws.call("sqs", "sendMessage", {
        "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": '{"foo": "bared"}',
        "MessageAttributes": {"Hello": {"StringValue": "There", "DataType": "String"},
                              "General": {"StringValue": "Kenobi", "DataType": "String"}}})
    assert response["MD5OfMessageBody"] == "13c0c73bbf11056450c43bf3159b3585"
    assert response["MD5OfMessageAttributes"] == "fca026605781cb4126a1e9044df24232"


def test_sqs_refusals():
    aws = LocalAws()
    assert refused(aws, "sqs", "sendMessage", {"QueueUrl": "u"}).message == "The request must contain the parameter MessageBody."
    fifo = refused(aws, "sqs", "sendMessage", {"QueueUrl": "https://sqs/1/q.fifo", "MessageBody": "b"})
    assert fifo.code == "MissingParameter"
    ok = aws.call("sqs", "sendMessage", {"QueueUrl": "https://sqs/1/q.fifo", "MessageBody": "b", "MessageGroupId": "g"})
    assert ok["SequenceNumber"].isdigit()


def test_sns_publish_records_the_message_and_json_messages_become_text():
    aws = LocalAws()
    topic = aws.sns.create_topic("orders")
    response = aws.call("sns", "publish", {"TopicArn": topic, "Message": {"order": 7}, "Subject": "new"})
    assert list(response) == ["MessageId"]
    assert aws.sns.published(topic) == [{"MessageId": response["MessageId"], "Message": '{"order":7}', "Subject": "new"}]
    fifo = refused(aws, "sns", "publish", {"TopicArn": topic + ".fifo", "Message": "m"})
    assert (fifo.code, fifo.message) == ("InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")


def test_eventbridge_put_events_reports_each_entry():
    aws = LocalAws()
    response = aws.call("events", "putEvents", {"Entries": [
        {"Source": "shop", "DetailType": "Order", "Detail": {"id": 1}},
        {"DetailType": "Order", "Detail": "{}"},
        {"Source": "shop", "DetailType": "Order", "Detail": '"jsonstring"'},
    ]})
    assert response["FailedEntryCount"] == 2
    assert list(response["Entries"][0]) == ["EventId"]
    assert response["Entries"][1] == {"ErrorCode": "InvalidArgument",
                                      "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument."}
    assert response["Entries"][2] == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert [event["Detail"] for event in aws.events.events("default")] == ['{"id":1}']
    assert aws.call("eventbridge", "putEvents", {"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"}]})["FailedEntryCount"] == 0


# -- the registry -----------------------------------------------------------------------------------------


def test_ids_repeat_for_the_same_seed_and_calls():
    def calls(aws: LocalAws) -> list:
        return [aws.call("sqs", "sendMessage", {"QueueUrl": "q", "MessageBody": "m"})["MessageId"],
                aws.call("sns", "publish", {"TopicArn": "t", "Message": "m"})["MessageId"]]

    assert calls(LocalAws(seed=1)) == calls(LocalAws(seed=1)) != calls(LocalAws(seed=2))


def test_an_unhandled_action_says_how_to_register_one():
    failure = refused(LocalAws(), "secretsmanager", "getSecretValue", {"SecretId": "x"})
    assert failure.code == "UnknownOperationException"
    assert "LocalAws(handlers={'secretsmanager:getSecretValue': handler})" in failure.message


def test_user_handlers_by_service_and_action_and_a_mapping_as_services():
    aws = LocalAws.of({"secretsmanager:GetSecretValue": lambda params: {"SecretString": params["SecretId"] + "!"}})
    assert aws.call("secretsmanager", "getSecretValue", {"SecretId": "a"}) == {"SecretString": "a!"}
    assert "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue" in aws.handlers()
    with pytest.raises(ValueError, match="service:action"):
        LocalAws(handlers={"getSecretValue": print})
    with pytest.raises(TypeError):
        LocalAws.of([1])


def test_calls_are_recorded_and_snapshot_is_json_of_every_fake():
    aws = LocalAws()
    aws.dynamodb.create_table("tbl", key="id", items=[{"id": "1"}])  # setting up is not a call
    aws.call("sqs", "sendMessage", {"QueueUrl": "q", "MessageBody": "m"})
    with pytest.raises(ServiceFailure):
        aws.call("s3", "getObject", {"Bucket": "b", "Key": "k"})
    assert [(call["service"], call["action"], "error" in call) for call in aws.calls] == [
        ("sqs", "sendMessage", False), ("s3", "getObject", True)]
    snapshot = aws.snapshot()
    assert snapshot["dynamodb"] == {"tbl": [{"id": {"S": "1"}}]} and list(snapshot["sqs"]) == ["q"]
    copied = copy.deepcopy(aws)
    assert copied.snapshot() == snapshot


def test_handlers_cover_sdk_and_optimized_integrations_and_the_map_s3_resources():
    arns = set(LocalAws().handlers())
    assert {"arn:aws:states:::dynamodb:putItem", "arn:aws:states:::aws-sdk:dynamodb:putItem",
            "arn:aws:states:::aws-sdk:dynamodb:query", "arn:aws:states:::sqs:sendMessage",
            "arn:aws:states:::sns:publish", "arn:aws:states:::events:putEvents",
            "arn:aws:states:::aws-sdk:eventbridge:putEvents", "arn:aws:states:::aws-sdk:s3:getObject",
            "arn:aws:states:::s3:getObject", "arn:aws:states:::s3:listObjectsV2", "arn:aws:states:::s3:putObject"} <= arns
    assert "arn:aws:states:::dynamodb:query" not in arns  # Step Functions has no optimized query


# -- error names (AWS-recorded where a recording exists: error_names.py) ------------------------------------


@pytest.mark.parametrize("resource, code, name", [
    # recorded
    ("arn:aws:states:::dynamodb:putItem", "ResourceNotFoundException", "DynamoDB.ResourceNotFoundException"),
    ("arn:aws:states:::dynamodb:putItem", "ValidationException", "DynamoDB.AmazonDynamoDBException"),
    ("arn:aws:states:::aws-sdk:dynamodb:putItem", "ResourceNotFoundException", "DynamoDb.ResourceNotFoundException"),
    ("arn:aws:states:::aws-sdk:dynamodb:putItem", "ValidationException", "DynamoDb.DynamoDbException"),
    ("arn:aws:states:::aws-sdk:s3:listObjects", "NoSuchBucket", "S3.NoSuchBucketException"),
    ("arn:aws:states:::aws-sdk:secretsmanager:createSecret", "ValidationException", "SecretsManager.SecretsManagerException"),
    ("arn:aws:states:::sqs:sendMessage", "MissingParameter", "SQS.AmazonSQSException"),
    ("arn:aws:states:::sns:publish", "NotFound", "SNS.NotFoundException"),
    ("arn:aws:states:::sns:publish", "InvalidParameter", "SNS.InvalidParameterException"),
    # documented
    ("arn:aws:states:::dynamodb:updateItem", "ConditionalCheckFailedException", "DynamoDB.ConditionalCheckFailedException"),
    ("arn:aws:states:::aws-sdk:acmpca:deleteCertificateAuthority", "ResourceNotFoundException", "AcmPca.ResourceNotFoundException"),
    ("arn:aws:states:::aws-sdk:s3:createBucket", "BucketAlreadyExists", "S3.BucketAlreadyExistsException"),
    # the rule
    ("arn:aws:states:::aws-sdk:s3:getObject.waitForTaskToken", "NoSuchKey", "S3.NoSuchKeyException"),
    ("arn:aws:states:::aws-sdk:sqs:sendMessage", "QueueDoesNotExist", "Sqs.QueueDoesNotExistException"),
    ("arn:aws:states:::aws-sdk:eventbridge:putEvents", "InternalException", "EventBridge.InternalException"),
])
def test_error_names(resource, code, name):
    assert error_name(resource, code) == name


def test_error_causes_as_recorded():
    assert error_cause("arn:aws:states:::dynamodb:putItem", "ResourceNotFoundException", "Requested resource not found",
                       400, "r-1") == ("Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: "
                                       "ResourceNotFoundException; Request ID: r-1; Proxy: null)")
    assert error_cause("arn:aws:states:::aws-sdk:dynamodb:putItem", "ResourceNotFoundException", "Requested resource not found",
                       400, "r-1") == "Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: r-1)"
    assert error_cause("arn:aws:states:::aws-sdk:s3:listObjects", "NoSuchBucket", "The specified bucket does not exist",
                       404, "r-1").startswith("The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: r-1, "
                                              "Extended Request ID: ")


def test_what_the_fakes_hold_is_bounded():
    aws = LocalAws()
    aws.budget.limit = 1000
    aws.s3.put_text("b", "k", "x" * 600)
    assert refused(aws, "s3", "putObject", {"Bucket": "b", "Key": "other", "Body": "y" * 600}).code == "SlowDown"
    aws.s3.put_text("b", "k", "z" * 900)  # replacing an object frees what it held
    aws.call("s3", "deleteObject", {"Bucket": "b", "Key": "k"})
    assert aws.budget.used == 0
    aws.call("sqs", "sendMessage", {"QueueUrl": "q", "MessageBody": "m" * 800})
    assert refused(aws, "dynamodb", "putItem", {"TableName": "tbl", "Item": {"id": {"S": "i" * 400}}}).code == \
        "ProvisionedThroughputExceededException"
    answer = aws.call("events", "putEvents", {"Entries": [{"Source": "s", "DetailType": "d", "Detail": {"x": "e" * 400}}]})
    assert answer["Entries"][0]["ErrorCode"] == "ThrottlingException"
    for _ in range(10_005):
        aws.calls.append({})
    assert len(aws.calls) == 10_000  # the call log keeps the last 10,000


def test_a_handler_for_a_service_botocore_names_otherwise_serves_its_aws_sdk_arn():
    aws = LocalAws(handlers={"acm-pca:listCertificateAuthorities": lambda params: {"CertificateAuthorities": []}})
    assert "arn:aws:states:::aws-sdk:acmpca:listCertificateAuthorities" in aws.handlers()
    same = LocalAws(handlers={"acmpca:listCertificateAuthorities": lambda params: {}})  # the aws-sdk name works too
    assert same.call("acm-pca", "listCertificateAuthorities", {}) == {}
