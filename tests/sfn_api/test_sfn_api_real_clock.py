"""--clock real: executions are shown as time reaches their events, and waiting tasks time
out when real time says so. The service's clock is a fake here, moved by the test."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import boto3
import pytest
from sfn_api_helpers import ROLE, START

from pysfn_emulator.sfn_api import mock_aws


class FakeClock:
    def __init__(self):
        self.moment = START

    def __call__(self):
        return self.moment


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sfn(clock):
    with mock_aws(clock="real", now=clock, lambdas={"ask": lambda event, context: None}):
        yield boto3.client("stepfunctions", region_name="us-east-1")


def test_a_wait_is_shown_as_time_passes(sfn, clock):
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    arn = sfn.create_state_machine(name="w", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    shown = [e["type"] for e in sfn.get_execution_history(executionArn=execution_arn)["events"]]
    assert shown == ["ExecutionStarted", "WaitStateEntered"]
    clock.moment = START + timedelta(hours=1)
    described = sfn.describe_execution(executionArn=execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert described["stopDate"] == START + timedelta(hours=1)


def test_a_heartbeat_runs_out_on_the_real_clock(sfn, clock):
    definition = {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "HeartbeatSeconds": 10,
        "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": True}}}
    arn = sfn.create_state_machine(name="ask", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    clock.moment = START + timedelta(seconds=11)
    deadline = time.monotonic() + 30  # the clock's thread moves the execution on within a tick
    while (described := sfn.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert (described["status"], described["error"]) == ("FAILED", "States.HeartbeatTimeout")
    assert described["stopDate"] == START + timedelta(seconds=10)
