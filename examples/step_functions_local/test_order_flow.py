"""A test suite written for Step Functions Local: it knows nothing of pysfn.

It talks to the endpoint in SFN_ENDPOINT (Step Functions Local's http://localhost:8083 by
default) with boto3, creates the OrderFlow machine, chooses each test case of
MockConfigFile.json by appending `#TestCaseName` to the state machine ARN, waits for the
execution to end and asserts on its GetExecutionHistory events. Start the endpoint with

    pysfn-emulate serve --mock-config examples/step_functions_local/MockConfigFile.json

(or Step Functions Local with SFN_MOCK_CONFIG naming the same file) and run
`pytest examples/step_functions_local`.
"""

import json
import os
import time
from pathlib import Path

import boto3
import pytest

ENDPOINT = os.environ.get("SFN_ENDPOINT", "http://localhost:8083")
DEFINITION = (Path(__file__).parent / "order_flow.asl.json").read_text()
ORDER = {"orderId": "A-1001", "items": [{"sku": "tea", "quantity": 2}], "card": "4111"}


@pytest.fixture(scope="module")
def sfn():
    return boto3.client("stepfunctions", endpoint_url=ENDPOINT, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


@pytest.fixture(scope="module")
def state_machine_arn(sfn):
    return sfn.create_state_machine(name="OrderFlow", definition=DEFINITION,
                                    roleArn="arn:aws:iam::123456789012:role/DummyRole")["stateMachineArn"]


def run_test_case(sfn, state_machine_arn, test_case):
    """Start the test case, wait for the execution to end; its description and history."""
    execution_arn = sfn.start_execution(stateMachineArn=f"{state_machine_arn}#{test_case}",
                                        name=f"{test_case}-{time.time_ns()}",
                                        input=json.dumps(ORDER))["executionArn"]
    deadline = time.monotonic() + 300
    while (described := sfn.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not end"
        time.sleep(0.5)
    events = sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
    return described, [event for page in events for event in page["events"]]


def of_type(events, kind):
    return [event for event in events if event["type"] == kind]


def test_happy_path(sfn, state_machine_arn):
    described, events = run_test_case(sfn, state_machine_arn, "HappyPath")
    assert described["status"] == "SUCCEEDED"
    exited = {e["stateExitedEventDetails"]["name"]: json.loads(e["stateExitedEventDetails"]["output"])
              for e in of_type(events, "TaskStateExited")}
    assert exited["CheckStock"]["stock"] == {"inStock": True}
    assert exited["ChargeCard"]["charge"] == {"chargeId": "ch_0001"}
    sent = json.loads(of_type(events, "TaskScheduled")[-1]["taskScheduledEventDetails"]["parameters"])
    assert json.loads(json.dumps(sent["MessageBody"]))["orderId"] == "A-1001"
    assert events[-1]["type"] == "ExecutionSucceeded"


def test_retry_path(sfn, state_machine_arn):
    described, events = run_test_case(sfn, state_machine_arn, "RetryPath")
    assert described["status"] == "SUCCEEDED"
    failures = [e["taskFailedEventDetails"]["error"] for e in of_type(events, "TaskFailed")]
    assert failures == ["PaymentServiceUnavailable", "PaymentServiceUnavailable"]
    assert json.loads(described["output"])["charge"] == {"chargeId": "ch_0002"}


def test_declined_card(sfn, state_machine_arn):
    described, events = run_test_case(sfn, state_machine_arn, "DeclinedPath")
    assert (described["status"], described["error"]) == ("FAILED", "PaymentFailed")
    assert of_type(events, "TaskFailed")[0]["taskFailedEventDetails"]["cause"] == "insufficient funds"
    assert of_type(events, "FailStateEntered")[0]["stateEnteredEventDetails"]["name"] == "PaymentFailed"


def test_out_of_stock(sfn, state_machine_arn):
    described, events = run_test_case(sfn, state_machine_arn, "OutOfStockPath")
    assert (described["status"], described["error"]) == ("FAILED", "OutOfStock")
    assert not [e for e in of_type(events, "TaskStateEntered") if e["stateEnteredEventDetails"]["name"] == "ChargeCard"]
