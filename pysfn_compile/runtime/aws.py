"""`sfn.aws`: AWS service calls from a workflow, written as boto3's client methods.

    sfn.aws.dynamodb.put_item(TableName="orders", Item={"id": {"S": order_id}})
    sfn.aws.sns.publish(TopicArn=topic, Message="paid")
    try:
        sfn.aws.dynamodb.put_item(..., ConditionExpression="attribute_not_exists(id)")
    except sfn.aws.dynamodb.ConditionalCheckFailedException as e:
        ...                                  # str(e): the service's message

The service attribute is botocore's service name (`lambda_` for `lambda`, a Python keyword;
`states` is Step Functions), the method boto3's snake_case operation name, and the arguments
keyword arguments named exactly as boto3's client takes them. The call returns the API's
response (a dict, as JSON carries it). `sfn.aws.<service>.<Code>` is the exception the service
raises with that error code: one class per (service, code), a subclass of `sfn.aws.ServiceError`.

Compiled, each call is one Task state (an optimized integration where Step Functions has one,
else `arn:aws:states:::aws-sdk:...`), and the compiler checks services, operations, parameters and
exception names against botocore's models. Run plainly, a call goes to the object installed with
`sfn.using_services(target)` for this thread's run: `target.call(service, method, params)` with
boto3's names (`"dynamodb", "put_item", {...}`), returning the response or raising the facade's
exception class (pysfn_compile/local_services.py adapts the local service registry the emulator
uses; `sfn.using_services("boto3")` calls AWS through boto3). This module is copied into the
Lambda package, so it uses the standard library only.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import importlib
import json
from typing import Any

__all__ = ["Operation", "Service", "ServiceError", "exception_class", "services_target", "using_services"]


class ServiceError(Exception):
    """What an AWS service refused; `except sfn.aws.ServiceError` catches every service's errors.
    `str(e)` is the service's message; `e.code` its error code; `e.service` the service."""

    service = ""
    code = ""

    def __init__(self, message: str = "", *, response: dict | None = None):
        super().__init__(message)
        self.message = message
        self.response = response if response is not None else {}


_CLASSES: dict[tuple[str, str], type] = {}


def exception_class(service: str, code: str) -> type:
    """The one class for `code` of `service` (made on first use, so an `except` clause and
    the run that raises it name the same class)."""
    key = (service, code)
    cls = _CLASSES.get(key)
    if cls is None:
        cls = type(code, (ServiceError,), {"service": service, "code": code, "__module__": __name__,
                                           "__doc__": f"{service} error {code}"})
        cls.__qualname__ = f"{_attribute(service)}.{code}"
        _CLASSES[key] = cls
    return cls


def _attribute(service: str) -> str:
    return "lambda_" if service == "lambda" else service


class Operation:
    """`sfn.aws.<service>.<method>`: calling it makes the call (keyword arguments only)."""

    __slots__ = ("method", "service")

    def __init__(self, service: str, method: str):
        self.service = service
        self.method = method

    def __repr__(self) -> str:
        return f"sfn.aws.{_attribute(self.service)}.{self.method}"

    def __call__(self, *args: Any, **params: Any) -> dict:
        if args:
            raise TypeError(f"{self.method}() only accepts keyword arguments.")
        return services_target().call(self.service, self.method, params)


class Service:
    """`sfn.aws.<service>`: its operations (lower-case attributes) and exceptions (capitalized)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"sfn.aws.{_attribute(self.name)}"

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        if attribute[:1].isupper():
            return exception_class(self.name, attribute)
        operation = Operation(self.name, attribute)
        setattr(self, attribute, operation)
        return operation


_SERVICES: dict[str, Service] = {}


def __getattr__(name: str) -> Service:  # PEP 562: sfn.aws.dynamodb, sfn.aws.lambda_, ...
    if name.startswith("_"):
        raise AttributeError(name)
    service = "lambda" if name == "lambda_" else name
    if service not in _SERVICES:
        _SERVICES[service] = Service(service)
    return _SERVICES[service]


# -- where plain-run calls go ----------------------------------------------------------------
_target: contextvars.ContextVar[Any] = contextvars.ContextVar("sfn_aws_target", default=None)


@contextlib.contextmanager
def using_services(target: Any):
    """Within the block, in this thread, `sfn.aws` calls go to `target`: an object with
    `call(service, method, params)`, or "boto3" for AWS itself through boto3."""
    token = _target.set(Boto3Services() if target == "boto3" else target)
    try:
        yield target
    finally:
        _target.reset(token)


def services_target() -> Any:
    target = _target.get()
    if target is None:
        raise RuntimeError("sfn.aws: no AWS services for this run: pass services= (a pysfn_emulator.LocalAws) to "
                           "the harness (compare, the pytest fixture, pysfn-emulate --services, "
                           "compiled.run_python(..., services=...)), or wrap the run in "
                           "`with sfn.using_services(\"boto3\"):` to call AWS itself")
    return target


class Boto3Services:
    """Calls AWS through boto3 (imported when first used: it is not a dependency of the Lambda
    package). Responses are made what the compiled machine sees: JSON (datetimes as ISO text),
    without ResponseMetadata, a Lambda invocation's Payload parsed, an S3 object's Body as text."""

    def __init__(self) -> None:
        self._clients: dict[str, Any] = {}

    def call(self, service: str, method: str, params: dict) -> dict:
        client = self._clients.get(service)
        if client is None:
            boto3 = importlib.import_module("boto3")
            client = self._clients[service] = boto3.client("stepfunctions" if service == "states" else service)
        try:
            response = getattr(client, method)(**params)
        except client.exceptions.ClientError as error:
            details = error.response.get("Error", {})
            raise exception_class(service, details.get("Code", "ServiceError"))(
                details.get("Message", ""), response=error.response) from None
        return _as_machine_sees(service, method, response)


def _as_machine_sees(service: str, method: str, response: dict) -> dict:
    out = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    body = out.get("Body") if service == "s3" else out.get("Payload") if service == "lambda" else None
    if body is not None and hasattr(body, "read"):
        data = body.read()
        if service == "s3":
            out["Body"] = data.decode("utf-8")
        else:
            out["Payload"] = json.loads(data) if data else None
    return json.loads(json.dumps(out, default=_json_default))


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON")
