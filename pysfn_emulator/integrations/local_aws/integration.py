"""A LocalAws as Task handlers: the resource ARNs a state machine names, and how Step Functions
wraps each service's answer.

- `arn:aws:states:::aws-sdk:SERVICE:ACTION`: the API's response as it is, to the request as
  Step Functions sends it (`sent_params`: s3:putObject's Body goes as its JSON text).
- Optimized integrations (`arn:aws:states:::dynamodb:putItem`, `sqs:sendMessage`, `sns:publish`,
  `events:putEvents`): DynamoDB, SQS and SNS answers carry `SdkHttpMetadata` and
  `SdkResponseMetadata` (AWS-recorded); `events:putEvents` appends the execution's and state
  machine's ARNs to each entry's Resources and fails with `EventBridge.FailedEntry` (the
  response as cause) when an entry failed (documented and recorded).
- A distributed Map's `arn:aws:states:::s3:getObject` (ItemReader: the object's text),
  `s3:listObjectsV2` (every page of the listing) and `s3:putObject` (ResultWriter).

A refusal fails the task under `error_name`'s error with `error_cause`'s cause (error_names.py).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from ...core.errors import ITEM_READER_FAILED, RESULT_WRITER_FAILED
from ...core.jsontext import dumps
from ...virtual_time.virtual_sleep import local_now_ms
from ..failures import TaskFailure
from .error_names import BOTOCORE_TO_SDK, error_cause, error_name, parse_resource
from .service_failure import ServiceFailure

if TYPE_CHECKING:  # for annotations only
    from .registry import LocalAws

OPTIMIZED_ACTIONS = {
    "dynamodb": ("getItem", "putItem", "updateItem", "deleteItem"),
    "sqs": ("sendMessage",),
    "sns": ("publish",),
    "events": ("putEvents",),
}
_CONTENT_TYPES = {"dynamodb": "application/x-amz-json-1.0", "sqs": "application/x-amz-json-1.0", "sns": "text/xml"}
ITEM_READER_GET = "arn:aws:states:::s3:getObject"
ITEM_READER_LIST = "arn:aws:states:::s3:listObjectsV2"
RESULT_WRITER_PUT = "arn:aws:states:::s3:putObject"
Handler = Callable[[Any, Any], Any]


class ServiceCallFailure(TaskFailure):
    """A service's refusal as the Task sees it: `error_name` and `error_cause` of its code."""

    def __init__(self, resource: str, failure: ServiceFailure, request_id: str = "") -> None:
        self.resource = resource
        self.failure = failure
        super().__init__(error_name(resource, failure.code), self.cause_for(request_id))

    def cause_for(self, request_id: str) -> str:
        failure = self.failure
        return error_cause(self.resource, failure.code, failure.message, failure.status, request_id)


def service_handlers(aws: LocalAws) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for service, action in aws.actions():
        sdk_names = {BOTOCORE_TO_SDK.get(service, service), service}
        for sdk_name in sorted(sdk_names):
            arn = f"arn:aws:states:::aws-sdk:{sdk_name}:{action}"
            handlers[arn] = _sdk_handler(aws, service, action, arn)
        if action in OPTIMIZED_ACTIONS.get(service, ()):
            arn = f"arn:aws:states:::{service}:{action}"
            handlers[arn] = _optimized_handler(aws, service, action, arn)
    handlers[ITEM_READER_GET] = _reader_get(aws)
    handlers[ITEM_READER_LIST] = _reader_list(aws)
    handlers[RESULT_WRITER_PUT] = _writer_put(aws)
    return handlers


def _request_id(context: Any) -> str:
    return getattr(context, "aws_request_id", "") or ""


def sent_params(resource: str, params: Any) -> Any:
    """What Step Functions sends the service for a Task's parameters, where that is not the
    parameters as they are. AWS-recorded: `aws-sdk:s3:putObject` sends its Body as the Body's
    JSON text, a string included (Body "text data" stores the 11 bytes `"text data"`), with the
    ContentType `text/plain; charset=UTF-8` when none is given. (The optimized events:putEvents
    also adds the execution's ARNs to each entry: `_with_execution_resources`.)"""
    target = parse_resource(resource)
    if target.sdk and (target.service, target.action) == ("s3", "putObject") and isinstance(params, dict) \
            and "Body" in params:
        sent = {**params, "Body": dumps(params["Body"])}
        sent.setdefault("ContentType", "text/plain; charset=UTF-8")
        return sent
    return params


def _sdk_handler(aws: LocalAws, service: str, action: str, arn: str) -> Handler:
    def handler(event: Any, context: Any) -> Any:
        try:
            return aws.call(service, action, sent_params(arn, event))
        except ServiceFailure as failure:
            raise ServiceCallFailure(arn, failure, _request_id(context)) from None

    handler.__name__ = f"{service}_{action}"
    return handler


def _optimized_handler(aws: LocalAws, service: str, action: str, arn: str) -> Handler:
    def handler(event: Any, context: Any) -> Any:
        request_id = _request_id(context)
        if service == "events" and isinstance(event, dict):
            event = _with_execution_resources(event, getattr(context, "execution_arn", None))
        try:
            response = aws.call(service, action, event)
        except ServiceFailure as failure:
            raise ServiceCallFailure(arn, failure, request_id) from None
        if service == "events":
            if isinstance(response, dict) and response.get("FailedEntryCount"):
                raise TaskFailure("EventBridge.FailedEntry", dumps(response))
            return response
        return _with_sdk_metadata(service, response, request_id)

    handler.__name__ = f"{service}_{action}"
    return handler


def _with_execution_resources(event: dict, execution_arn: str | None) -> dict:
    """events:putEvents adds the execution's and its state machine's ARNs to every entry."""
    if not execution_arn or not isinstance(event.get("Entries"), list):
        return event
    parts = execution_arn.split(":")
    machine_arn = ":".join([*parts[:5], "stateMachine", parts[6]]) if len(parts) >= 8 else None
    added = [execution_arn] + ([machine_arn] if machine_arn else [])
    entries = []
    for entry in event["Entries"]:
        if isinstance(entry, dict):
            resources = entry.get("Resources") if isinstance(entry.get("Resources"), list) else []
            entry = {**entry, "Resources": [*resources, *added]}
        entries.append(entry)
    return {**event, "Entries": entries}


def _with_sdk_metadata(service: str, response: Any, request_id: str) -> Any:
    """The response with the SDK v1 metadata Step Functions' optimized integrations return."""
    if not isinstance(response, dict):
        return response
    body = dumps(response).encode("utf-8", "surrogatepass")
    now_ms = local_now_ms()
    date = formatdate((now_ms or 0) / 1000, usegmt=True)
    headers = {"Content-Length": str(len(body)), "Content-Type": _CONTENT_TYPES.get(service, "application/json"),
               "Date": date, "x-amzn-RequestId": request_id}
    if service == "dynamodb":
        headers.update({"Connection": "keep-alive", "Server": "Server", "x-amz-crc32": str(zlib.crc32(body))})
    else:
        headers["connection"] = "keep-alive"
    ordered = dict(sorted(headers.items(), key=lambda pair: pair[0].lower()))
    metadata = {"AllHttpHeaders": {name: [value] for name, value in ordered.items()}, "HttpHeaders": ordered,
                "HttpStatusCode": 200}
    return {**response, "SdkHttpMetadata": metadata, "SdkResponseMetadata": {"RequestId": request_id}}


def _reader_get(aws: LocalAws) -> Handler:
    def handler(event: Any, context: Any) -> Any:
        try:
            return aws.call("s3", "getObject", event)["Body"]
        except ServiceFailure as failure:
            raise TaskFailure(ITEM_READER_FAILED, _reader_cause(failure, event)) from None

    return handler


def _reader_list(aws: LocalAws) -> Handler:
    def handler(event: Any, context: Any) -> Any:
        params = dict(event) if isinstance(event, dict) else {}
        contents: list = []
        try:
            while True:
                page = aws.call("s3", "listObjectsV2", params)
                contents.extend(page.get("Contents", []))
                if not page.get("IsTruncated"):
                    return {"Contents": contents}
                params["ContinuationToken"] = page["NextContinuationToken"]
        except ServiceFailure as failure:
            raise TaskFailure(ITEM_READER_FAILED, _reader_cause(failure, event)) from None

    return handler


def _reader_cause(failure: ServiceFailure, event: Any) -> str:
    fields = event if isinstance(event, dict) else {}
    where = f"s3://{fields.get('Bucket', '')}" + (f"/{fields['Key']}" if fields.get("Key") else "")
    return f"Unable to read {where}: {failure.code}: {failure.message}"


def _writer_put(aws: LocalAws) -> Handler:
    def handler(event: Any, context: Any) -> Any:
        try:
            return aws.call("s3", "putObject", event)
        except ServiceFailure as failure:
            raise TaskFailure(RESULT_WRITER_FAILED, f"{failure.code}: {failure.message}") from None

    return handler
