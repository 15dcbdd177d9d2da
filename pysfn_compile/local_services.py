"""Plain runs' AWS service calls, sent to the local service registry the emulator also uses.

    aws = pysfn_emulator.LocalAws(...)
    with sfn.using_services(LocalServices(aws)):      # what the harness does
        workflow(**input)                            # sfn.aws.dynamodb.put_item(...) -> aws.call(...)
    pysfn_emulator.run(definition, input, services=aws)

The facade calls `call(service, method, params)` with boto3's names (`"dynamodb", "put_item"`);
the registry takes the API's operation in camelCase (`putItem`), as the aws-sdk integration's
ARN names it. A refusal (`ServiceFailure(code, message)`) becomes the facade's exception class
`sfn.aws.<service>.<Error>`, named by the modeled error botocore gives for the code (SNS answers
`NotFound` for NotFoundException), with the message as `str(e)`.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from .analysis import aws_models
from .runtime import aws, sfn

try:
    from pysfn_emulator import ServiceFailure
except ImportError:  # INTERIM: svclocal's registry (s5_contract Seam 1) is not on this branch yet
    class ServiceFailure(Exception):  # type: ignore[no-redef]
        def __init__(self, code: str, message: str = ""):
            super().__init__(code, message)
            self.code = code
            self.message = message


class LocalServices:
    """The facade's target for a registry with `call(service, action, params)`."""

    def __init__(self, registry: Any):
        self.registry = registry

    def call(self, service: str, method: str, params: dict) -> dict:
        action = _action(service, method)
        try:
            response = self.registry.call(service, action, json.loads(json.dumps(params)))
        except ServiceFailure as failure:
            cls = aws.exception_class(service, aws_models.error_shape(service, failure.code))
            raise cls(failure.message) from None
        return json.loads(json.dumps(response))


def _action(service: str, method: str) -> str:
    """boto3's method name as the API's operation in camelCase (`list_objects_v2` ->
    `listObjectsV2`); a name the model lacks raises AttributeError, as boto3's client does."""
    model = aws_models.service_model(service)
    operation = aws_models.methods(service).get(method) if model is not None else None
    if operation is None:
        raise AttributeError(f"'{service}' object has no attribute '{method}'")
    return operation[:1].lower() + operation[1:]


def using_local_services(registry: Any) -> contextlib.AbstractContextManager:
    """`sfn.using_services` with `registry` (a LocalAws) behind the adapter; nothing for None."""
    if registry is None:
        return contextlib.nullcontext()
    return sfn.using_services(LocalServices(registry))


__all__ = ["LocalServices", "using_local_services"]
