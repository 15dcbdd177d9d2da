"""The AWS Step Functions API, locally: the service's operations in memory (service.py),
their wire protocol checked against botocore's model (wire.py), an HTTP server speaking it
(server.py, `pysfn-emulate serve`) and an in-process route for boto3 (in_process.py,
`pysfn_emulator.sfn_api.mock_aws()`).

Rule: the top layer under the command line; uses only the public API (`pysfn_emulator`).
Nothing in the emulator imports it but `pysfn-emulate serve` (cli.py), inside a function so
that a plain run does not load botocore.
"""

from __future__ import annotations

from .errors import ApiError
from .in_process import mock_aws
from .server import Server
from .service import StepFunctionsService

__all__ = ["ApiError", "Server", "StepFunctionsService", "mock_aws"]
