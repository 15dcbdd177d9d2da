"""`pysfn-emulate serve`: the command line of the Step Functions API server.

    pysfn-emulate serve [--host 127.0.0.1] [--port 8083] [--mock-config FILE]
                        [--lambdas handlers.py] [--services services.py] [--clock virtual|real]

Exit status: 0 after Ctrl-C or SIGTERM; 2 for bad usage or input (an unreadable mock file or
handlers module, a port that cannot be bound), as one message, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pysfn_emulator

from .server import Server
from .service import MOCK_CONFIG_ENVIRONMENT, StepFunctionsService

EXIT_OK = 0
EXIT_BAD_INPUT = 2
PROG = "pysfn-emulate serve"


class BadInput(Exception):
    """One message for the user, exit status 2."""


def main(argv: list[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error argparse has explained
        return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
    try:
        lambdas = load_lambdas(args.lambdas) if args.lambdas else {}
        services = load_services(args.services) if args.services else None
        mock_config = _mock_config(args.mock_config or os.environ.get(MOCK_CONFIG_ENVIRONMENT))
        service = StepFunctionsService(lambdas=lambdas, services=services, mock_config=mock_config, clock=args.clock,
                                       region=args.region, account=args.account)
        try:
            server = Server(service, args.host, args.port)
        except OSError as error:
            raise BadInput(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
    except BadInput as problem:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl-C does
    print(f"pysfn: the Step Functions API on {server.endpoint_url} ({args.clock} clock"
          + (f", {len(lambdas)} Lambda function(s)" if lambdas else "")
          + (", local AWS services" if services is not None else "")
          + (", mock config" if mock_config is not None else "") + ")", flush=True)
    server.verbose = args.verbose
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        service.close()
    return EXIT_OK


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, allow_abbrev=False,
        description="Serve the AWS Step Functions API (JSON 1.0, X-Amz-Target) from the pysfn "
        "emulator: a drop-in for Step Functions Local's endpoint. Point any SDK or the AWS CLI at "
        "it with --endpoint-url http://HOST:PORT.")
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8083, help="the port (default 8083, Step Functions "
                        "Local's; 0 picks a free one)")
    parser.add_argument("--mock-config", metavar="FILE", help="a Step Functions Local mock config file; a test "
                        "case is chosen with stateMachineArn#TestCaseName in StartExecution (default: "
                        f"${MOCK_CONFIG_ENVIRONMENT})")
    parser.add_argument("--lambdas", metavar="HANDLERS.py", help="a Python module whose functions are the Lambda "
                        "functions Task states call, each under its own name ('_' also serving '-': "
                        "charge_card serves charge-card), or its LAMBDAS dict {name or ARN: handler}")
    parser.add_argument("--services", metavar="SERVICES.py", help="local AWS services (DynamoDB, S3, SQS, SNS, "
                        "EventBridge in memory, and more by handlers) for Task states that call AWS: a module "
                        "defining `services` or functions <service>_<action>(params) (pysfn_emulator.services_from_file)")
    parser.add_argument("--clock", choices=("virtual", "real"), default="virtual",
                        help="virtual (default: a day's Wait takes no time) or real")
    parser.add_argument("--region", default="us-east-1", help="the region of ARNs when a request names none")
    parser.add_argument("--account", default="123456789012", help="the account of ARNs (default Step "
                        "Functions Local's, 123456789012)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return port


def _mock_config(path: str | None) -> Any:
    if path is None:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise BadInput(f"{path}: cannot read the mock config: {error.strerror or error}") from None
    try:
        return json.loads(text)
    except ValueError as error:
        raise BadInput(f"{path}: the mock config is not JSON: {error}") from None


def load_lambdas(path: str) -> dict:
    """The Lambda functions a handlers module defines (pysfn_emulator.handlers_from_file)."""
    try:
        return pysfn_emulator.handlers_from_file(path)
    except pysfn_emulator.HandlersError as problem:
        raise BadInput(str(problem)) from None


def load_services(path: str) -> Any:
    """The local AWS services a services module gives (pysfn_emulator.services_from_file)."""
    try:
        return pysfn_emulator.services_from_file(path)
    except pysfn_emulator.HandlersError as problem:
        raise BadInput(f"--services {problem}") from None
