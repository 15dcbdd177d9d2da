"""The pytest plugin's `sfn_api` fixture: boto3 in-process, with the test's Lambda handlers."""

from __future__ import annotations

import json

import boto3

DOUBLE = {"StartAt": "D", "States": {"D": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
                                           "End": True}}}


def test_sfn_api_fixture(sfn_api):
    sfn_api.lambdas["double"] = lambda event, context: event * 2
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    arn = sfn.create_state_machine(name="double", definition=json.dumps(DOUBLE),
                                   roleArn="arn:aws:iam::123456789012:role/test")["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=arn, input="21")["executionArn"]
    assert sfn.describe_execution(executionArn=execution_arn)["output"] == "42"


CLIENT_MADE_AT_IMPORT = boto3.session.Session().client("stepfunctions", region_name="us-east-1",
                                                       aws_access_key_id="x", aws_secret_access_key="y")


def test_a_client_made_before_the_test_is_routed_too(sfn_api):
    assert CLIENT_MADE_AT_IMPORT.list_state_machines()["stateMachines"] == []
