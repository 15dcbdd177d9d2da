"""Plain runs' AWS service calls, sent to the local service registry the emulator also uses.

    aws = pysfn_emulator.LocalAws(...)
    with sfn.using_services(LocalServices(aws)):      # what the harness does
        workflow(**input)                            # sfn.aws.dynamodb.put_item(...) -> aws.call(...)
    pysfn_emulator.run(definition, input, services=aws)

The facade calls `call(service, method, params)` with boto3's names (`"dynamodb", "put_item"`);
the registry takes the API's operation in camelCase (`putItem`), as the aws-sdk integration's
ARN names it. A refusal (`ServiceFailure(code, message)`) becomes the facade's exception class
`sfn.aws.<service>.<Error>`, named by the modeled error botocore gives for the code (SNS answers
`NotFound` for NotFoundException), with the message as `str(e)`. What Step Functions' optimized
integrations do beyond the API is done here too, so both runs are equal: events:putEvents adds the
execution's ARNs to each entry and fails (`sfn.aws.events.FailedEntry`, the response as message)
when an entry failed; s3.put_object's Body is sent as its JSON text (`sent_params`).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from pysfn_emulator import ServiceFailure
from pysfn_emulator.core.jsontext import dumps
from pysfn_emulator.integrations.result_writer import map_run_arn, result_objects
from pysfn_emulator.local_aws import sent_params

from .analysis import aws_models
from .runtime import aws, sfn


class LocalServices:
    """The facade's target for a registry with `call(service, action, params)`."""

    def __init__(self, registry: Any):
        self.registry = registry

    def call(self, service: str, method: str, params: dict) -> dict:
        action = _action(service, method)
        params = json.loads(json.dumps(params))
        if (service, method) == ("states", "start_execution") and params.pop("wait", False):
            return self._start_and_wait(params)
        put_events = (service, action) == ("events", "putEvents")
        if put_events:
            params = _with_execution_resources(params)
        # what Step Functions sends where that is not the parameters as they are (aws-sdk
        # s3:putObject writes its Body as JSON text)
        params = sent_params(_resource(service, method), params)
        try:
            response = self.registry.call(service, action, params)
        except ServiceFailure as failure:
            cls = aws.exception_class(service, aws_models.error_shape(service, failure.code))
            raise cls(failure.message) from None
        if put_events and isinstance(response, dict) and response.get("FailedEntryCount"):
            # Step Functions' events:putEvents fails when an entry failed (boto3 would return)
            raise aws.exception_class("events", "FailedEntry")(dumps(response))
        return json.loads(json.dumps(response))

    def write_map_results(self, bucket: str, prefix: str, label: str, records: list) -> dict:
        """A result-writing sfn.map's records written as the machine's ResultWriter writes them
        (the emulator's own layout: pysfn_emulator.integrations.result_writer), each file an
        s3:putObject of the registry; the Map's result. A refused write fails the run with
        States.ResultWriterFailed, as it fails the machine's Map."""
        context = sfn.context()
        arn = map_run_arn(context["state_machine"]["id"], label, context["execution"]["name"])
        objects = result_objects(bucket, prefix, arn, {"SUCCEEDED": records})
        for key, body in objects:
            try:
                self.registry.call("s3", "putObject", {"Bucket": bucket, "Key": key, "Body": body})
            except ServiceFailure as failure:
                raise sfn.Fail("States.ResultWriterFailed", f"{failure.code}: {failure.message}") from None
        return {"MapRunArn": arn, "ResultWriterDetails": {"Bucket": bucket, "Key": objects[-1][0]}}

    def _start_and_wait(self, params: dict) -> dict:
        """states.start_execution(..., wait=True), as `.sync:2` answers: the execution's
        DescribeExecution once it has ended (the registry's handlers for states:startExecution
        and states:describeExecution stand for Step Functions), `input` and `output` parsed; an
        execution that did not succeed raises sfn.aws.states.ExecutionFailed."""
        started = self.call("states", "start_execution", params)
        described = self.call("states", "describe_execution", {"executionArn": started.get("executionArn")})
        if described.get("status") != "SUCCEEDED":
            raise aws.exception_class("states", "ExecutionFailed")(dumps(described))
        parsed = dict(described)
        for key in ("input", "output"):
            if isinstance(parsed.get(key), str):
                parsed[key] = json.loads(parsed[key])
        return parsed


def _with_execution_resources(params: dict) -> dict:
    """Step Functions' events:putEvents adds the execution's and its state machine's ARNs to
    each entry's Resources: a plain run adds its own (sfn.context()'s), as the machine does."""
    context = sfn.context()
    added = [context["execution"]["id"], context["state_machine"]["id"]]
    entries = params.get("Entries")
    if not isinstance(entries, list):
        return params
    return {**params, "Entries": [
        {**entry, "Resources": [*(entry.get("Resources") if isinstance(entry.get("Resources"), list) else []),
                                *added]} if isinstance(entry, dict) else entry
        for entry in entries]}


def _resource(service: str, method: str) -> str:
    """The Resource the compiled call's Task names (the request-response pattern)."""
    model = aws_models.service_model(service)
    return aws_models.integration(service, model.operation_model(aws_models.methods(service)[method])).resource


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
