"""The Step Functions API's cost: StartSyncExecution round trips per second through boto3,
in-process (mock_aws) and over HTTP (the server, on a free port in this process), against
the same executions run in-process with `pysfn_emulator.run`.

Not a test (timings vary by machine): run it by hand and paste its table into
benchmarks/README.md.

    python benchmarks/bench_sfn_api.py              # 1,000 round trips each way, best of 3
    python benchmarks/bench_sfn_api.py --count 200 --repeat 1

The machine is EXPRESS and small, as a request-sized workflow is: a Pass, a Task calling a
local Lambda handler through lambda:invoke, a Choice and a Succeed (8 history events).
Times are CPU seconds of this process (client, server thread and emulator together), so
other work on the machine skews them less.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

import boto3
from botocore.config import Config

import pysfn_emulator
from pysfn_emulator.sfn_api import Server, StepFunctionsService, mock_aws

ROLE = "arn:aws:iam::123456789012:role/bench"
DEFINITION = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"n.$": "$.n", "tag": "bench"}, "Next": "Double"},
        "Double": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": "double", "Payload.$": "$"}, "OutputPath": "$.Payload",
                   "Next": "Big?"},
        "Big?": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 100, "Next": "Done"}],
                 "Default": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
LAMBDAS = {"double": lambda event, context: {"n": event["n"] * 2}}


def in_process(count: int) -> None:
    for n in range(count):
        execution = pysfn_emulator.run(DEFINITION, {"n": n}, lambdas=LAMBDAS, state_machine_type="EXPRESS")
        assert execution.output == {"n": 2 * n}


def through(client) -> Callable[[int], None]:
    arn = client.create_state_machine(name="bench", definition=json.dumps(DEFINITION), roleArn=ROLE,
                                      type="EXPRESS")["stateMachineArn"]

    def run(count: int) -> None:
        for n in range(count):
            answer = client.start_sync_execution(stateMachineArn=arn, input=json.dumps({"n": n}))
            assert answer["status"] == "SUCCEEDED", answer

    return run


def best(work: Callable[[int], None], count: int, repeat: int) -> float:
    work(min(count, 20))  # warm up: imports, caches, the connection
    times = []
    for _ in range(repeat):
        started = time.process_time()
        work(count)
        times.append(time.process_time() - started)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = [("pysfn_emulator.run (in-process)", best(in_process, args.count, args.repeat))]
    with mock_aws(lambdas=LAMBDAS):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        rows.append(("boto3 + mock_aws (in-process, no port)", best(through(client), args.count, args.repeat)))
    with Server(StepFunctionsService(lambdas=LAMBDAS), port=0) as server:
        client = boto3.client("stepfunctions", region_name="us-east-1", endpoint_url=server.endpoint_url,
                              aws_access_key_id="bench", aws_secret_access_key="bench",
                              config=Config(inject_host_prefix=False))
        rows.append(("boto3 + pysfn-emulate serve (HTTP, keep-alive)", best(through(client), args.count, args.repeat)))
    base = rows[0][1] / args.count
    print("| way | round trips | CPU seconds | round trips/s | ms each | cost over in-process |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, seconds in rows:
        each = seconds / args.count
        print(f"| {label} | {args.count:,} | {seconds:.3f} | {args.count / seconds:,.0f} | {each * 1000:.2f} | "
              f"{'' if each == base else f'+{(each - base) * 1000:.2f} ms'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
