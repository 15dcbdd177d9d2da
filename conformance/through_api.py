"""The AWS-recorded corpus through the Step Functions API: each case's machine is created,
started and read back with boto3, as a user's test would (CreateStateMachine, StartExecution
or StartSyncExecution, DescribeExecution, GetExecutionHistory page by page), either
in-process (`mock_aws`) or over HTTP (`pysfn-emulate serve`'s server on a free port).

The results are compared with the recordings exactly as the in-process runs are
(runner.check_case), so the two reports can be read side by side.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import boto3
from botocore.config import Config

from conformance.corpus import Case
from conformance.lambdas import lambdas_for
from pysfn_emulator.sfn_api import Server, StepFunctionsService, mock_aws

# The account, region and role an in-process run gives its executions (run's defaults), so
# that both ways compare with the recordings alike.
ACCOUNT = "111111111111"
REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/pysfn-emulator"
WAYS = ("mock", "server")


@attrs.frozen
class ApiExecution:
    """What the API said about one execution, in the shape the comparison reads."""

    status: str
    output: Any
    error: str | None
    cause: str | None
    history: list[dict] | None


class ApiRunner:
    """Runs one case at a time through a boto3 client; the service is reset between cases."""

    def __init__(self, client: Any, service: StepFunctionsService):
        self.client = client
        self.service = service

    def __call__(self, case: Case) -> ApiExecution:
        service, client = self.service, self.client
        service.reset()
        service.lambdas = lambdas_for(case)
        service.now = lambda: case.start_time
        arn = client.create_state_machine(
            name=case.placeholders.state_machine_name, definition=json.dumps(case.definition),
            roleArn=ROLE_ARN, type=case.state_machine_type)["stateMachineArn"]
        start = {"stateMachineArn": arn, "name": case.placeholders.execution_name, "input": json.dumps(case.input)}
        if case.state_machine_type == "EXPRESS":
            answer = client.start_sync_execution(**start)
            return _execution(answer, None)
        execution_arn = client.start_execution(**start)["executionArn"]
        return _execution(client.describe_execution(executionArn=execution_arn), self.history(execution_arn))

    def history(self, execution_arn: str) -> list[dict]:
        events: list[dict] = []
        request = {"executionArn": execution_arn, "maxResults": 1000}
        while True:
            page = self.client.get_execution_history(**request)
            events.extend(page["events"])
            if "nextToken" not in page:
                return events
            request["nextToken"] = page["nextToken"]


def _execution(answer: dict, history: list[dict] | None) -> ApiExecution:
    output = json.loads(answer["output"]) if "output" in answer else None
    return ApiExecution(answer["status"], output, answer.get("error"), answer.get("cause"), history)


@contextmanager
def api_runner(way: str = "mock") -> Iterator[ApiRunner]:
    """A runner through `mock_aws` ("mock") or through the HTTP server ("server")."""
    service = StepFunctionsService(account=ACCOUNT, region=REGION)
    if way == "mock":
        with mock_aws(service):
            yield ApiRunner(boto3.client("stepfunctions", region_name=REGION), service)
    elif way == "server":
        with Server(service, port=0) as server:
            client = boto3.client(
                "stepfunctions", region_name=REGION, endpoint_url=server.endpoint_url,
                aws_access_key_id="testing", aws_secret_access_key="testing",
                # StartSyncExecution's host is sync-<endpoint>; a local endpoint has no such name
                config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))
            yield ApiRunner(client, service)
    else:
        raise ValueError(f"way must be one of {WAYS}, not {way!r}")
