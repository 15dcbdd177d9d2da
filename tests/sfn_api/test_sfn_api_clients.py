"""Real clients against `pysfn-emulate serve`, each creating a machine, running it, answering
its task token and reading the history: boto3, the AWS CLI and the JavaScript SDK v3.

The server runs as users run it, a subprocess on a free port (--port 0), with its Lambda
functions from a handlers module (--lambdas); it is stopped after the tests. The JS test
needs node and @aws-sdk/client-sfn (PYSFN_SFN_SDK_JS names the node_modules folder holding
it; CI installs it with npm), the CLI test the `aws` command; each skips without.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
ROLE = "arn:aws:iam::123456789012:role/test"
CALLBACK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
            "ResultPath": "$.answer", "Next": "Wait a day",
        },
        "Wait a day": {"Type": "Wait", "Seconds": 86400, "End": True},
    },
}
TYPES = ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded",
         "TaskStateExited", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"]
HANDLERS = '''
def ask(event, context):
    return {"asked": event["order"]}
'''
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    handlers = tmp_path_factory.mktemp("lambdas") / "handlers.py"
    handlers.write_text(HANDLERS)
    process = subprocess.Popen(
        [sys.executable, "-m", "pysfn_compile.emulate", "serve", "--port", "0", "--lambdas", str(handlers)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = process.stdout.readline()
        assert banner.startswith("pysfn: the Step Functions API on http://"), banner + process.stderr.read()
        yield banner.split(" on ", 1)[1].split()[0]
    finally:
        process.terminate()
        process.wait(timeout=30)


def _types(events):
    return [event["type"] for event in events]


def test_boto3(endpoint):
    sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing",
                       config=Config(inject_host_prefix=False))
    arn = sfn.create_state_machine(name="boto3-machine", definition=json.dumps(CALLBACK), roleArn=ROLE)["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=arn, input='{"order": 7}')["executionArn"]
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    events = sfn.get_execution_history(executionArn=execution_arn)["events"]
    parameters = json.loads([e for e in events if e["type"] == "TaskScheduled"][0]["taskScheduledEventDetails"]["parameters"])
    sfn.send_task_success(taskToken=parameters["Payload"]["token"], output='{"approved": true}')
    described = sfn.describe_execution(executionArn=execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"order": 7, "answer": {"approved": True}}
    assert _types(sfn.get_execution_history(executionArn=execution_arn)["events"]) == TYPES


def _aws_command() -> str | None:
    beside = Path(sys.executable).parent / "aws"
    return str(beside) if beside.exists() else shutil.which("aws")


@pytest.mark.skipif(_aws_command() is None, reason="the AWS CLI (aws) is not installed")
def test_aws_cli(endpoint, tmp_path):
    environment = {**os.environ, **CREDENTIALS, "AWS_CONFIG_FILE": str(tmp_path / "none"),
                   "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}

    def aws(*arguments: str) -> dict:
        done = subprocess.run([_aws_command(), "--endpoint-url", endpoint, "--output", "json", "stepfunctions",
                               *arguments], env=environment, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    arn = aws("create-state-machine", "--name", "cli-machine", "--definition", json.dumps(CALLBACK),
              "--role-arn", ROLE)["stateMachineArn"]
    execution_arn = aws("start-execution", "--state-machine-arn", arn, "--input", '{"order": 7}')["executionArn"]
    assert aws("describe-execution", "--execution-arn", execution_arn)["status"] == "RUNNING"
    events = aws("get-execution-history", "--execution-arn", execution_arn)["events"]
    parameters = json.loads([e for e in events if e["type"] == "TaskScheduled"][0]["taskScheduledEventDetails"]["parameters"])
    aws("send-task-success", "--task-token", parameters["Payload"]["token"], "--task-output", '{"approved": true}')
    described = aws("describe-execution", "--execution-arn", execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"order": 7, "answer": {"approved": True}}
    assert _types(aws("get-execution-history", "--execution-arn", execution_arn)["events"]) == TYPES
    refused = subprocess.run([_aws_command(), "--endpoint-url", endpoint, "stepfunctions", "describe-execution",
                              "--execution-arn", execution_arn + "-nope"], env=environment, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "(ExecutionDoesNotExist)" in refused.stderr and "Execution Does Not Exist:" in refused.stderr


def _sdk_js() -> str | None:
    folder = os.environ.get("PYSFN_SFN_SDK_JS")
    if folder and shutil.which("node") and (Path(folder) / "@aws-sdk" / "client-sfn").is_dir():
        return folder
    return None


@pytest.mark.skipif(_sdk_js() is None, reason="set PYSFN_SFN_SDK_JS to a node_modules folder with @aws-sdk/client-sfn")
def test_javascript_sdk_v3(endpoint):
    done = subprocess.run(["node", str(HERE / "sfn_client.js"), endpoint, json.dumps(CALLBACK)],
                          env={**os.environ, "PYSFN_SFN_SDK_JS": _sdk_js()}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["runningStatus"] == "RUNNING"
    assert seen["status"] == "SUCCEEDED"
    assert seen["output"] == {"order": 7, "answer": {"approved": True}}
    assert seen["startIsDate"] is True
    assert seen["types"] == TYPES
    assert seen["missing"]["name"] == "ExecutionDoesNotExist"
    assert seen["missing"]["message"].startswith("Execution Does Not Exist: '")
