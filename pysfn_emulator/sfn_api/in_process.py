"""`mock_aws()`: boto3's `stepfunctions` clients talk to the emulator inside the test process,
with no server and no port, the way moto does for other services.

    with mock_aws(lambdas={"charge": charge}) as service:   # from pysfn_emulator.sfn_api import mock_aws
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        arn = sfn.create_state_machine(name="orders", definition=..., roleArn=...)["stateMachineArn"]

botocore emits `before-send` just before it would send a signed request over HTTP; a handler
that returns a response ends the send there. The request still goes through the client's
own serialisation and its response through its parser, so what a test sees is what it would
see from AWS's endpoint.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.handlers
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

from .regions import region_of
from .service import StepFunctionsService
from .wire import handle

_EVENT = "before-send.sfn"
_active: list[StepFunctionsService] = []
# Placeholder credentials and region, so that clients can sign (nothing checks them).
_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1"}


class _Body:
    """The raw body botocore reads a response from."""

    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._data


def _text(value: Any) -> str | None:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _before_send(request: Any = None, **kwargs: Any) -> AWSResponse | None:
    if not _active or request is None:
        return None
    # A session can hold this handler twice (a built-in handler, and registered on boto3's
    # default session); the request is answered once.
    answered = getattr(request, "_pysfn_response", None)
    if answered is not None:
        return answered
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = request.headers
    context = {"region": region_of(_text(headers.get("Authorization")))}
    answer = handle(_active[-1].call, _text(headers.get("X-Amz-Target")), body or b"", context)
    response_headers = HTTPHeaders()
    for name, value in answer.headers.items():
        response_headers[name] = value
    response = AWSResponse(request.url, answer.status, response_headers, _Body(answer.body))
    request._pysfn_response = response
    return response


def _install() -> None:
    """Every botocore session made from now on routes Step Functions here while a mock is
    active; so does boto3's default session if it exists already."""
    if (_EVENT, _before_send) not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append((_EVENT, _before_send))
    boto3 = sys.modules.get("boto3")
    default = getattr(boto3, "DEFAULT_SESSION", None) if boto3 is not None else None
    if default is not None:
        default._session.register(_EVENT, _before_send, unique_id="pysfn-mock-aws")


_install()  # at import, as moto does: clients made from here on can be routed


@contextmanager
def mock_aws(service: StepFunctionsService | None = None, **options: Any) -> Iterator[StepFunctionsService]:
    """Route boto3's Step Functions calls to an in-memory service for the block (yielded;
    `options` are StepFunctionsService's: lambdas, mock_config, clock, region, account, now).
    A client is routed if it was made after this module was imported (pysfn's pytest plugin
    imports it, so every client a test suite makes), or from boto3's default session."""
    _install()
    service = service if service is not None else StepFunctionsService(**options)
    saved = {name: os.environ.get(name) for name in _ENVIRONMENT}
    for name, value in _ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    _active.append(service)
    try:
        yield service
    finally:
        _active.remove(service)
        service.close()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
