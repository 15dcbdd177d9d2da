"""SQS, SNS and EventBridge, in memory: what was sent is recorded for a test to read.

    aws.sqs.messages(queue_url)     # [{"MessageId", "Body", "MD5OfBody", ...}] in send order
    aws.sns.published(topic_arn)    # [{"MessageId", "Message", "Subject", ...}]
    aws.events.events(bus="default")  # [{"EventId", "Source", "DetailType", "Detail", ...}]

Queues and topics exist once used (or `create_queue` / `create_topic`). A message body that is
a JSON value rather than text is sent as its compact JSON text, as Step Functions' optimized
integrations do. FIFO queues and topics (names ending `.fifo`) need a MessageGroupId and
answer with a SequenceNumber.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

from ...core.jsontext import dumps, loads
from .ids import Budget, Ids
from .service_failure import ServiceFailure, validation

MAX_MESSAGE_BYTES = 256 * 1024
MAX_RECORDS = 100_000  # the fake's bound on what one service records


def as_text(value: Any) -> str:
    """A message's body: text as it is, any other JSON value as its compact JSON text."""
    return value if isinstance(value, str) else dumps(value)


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


def attributes_md5(attributes: dict) -> str:
    """SQS's MD5OfMessageAttributes: the attributes by name, each as length-prefixed name, type
    and value with a transport byte (1 text, 2 binary)."""
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        attribute = attributes[name]
        data_type = attribute.get("DataType", "")
        _field(digest, name.encode())
        _field(digest, data_type.encode())
        if "BinaryValue" in attribute:  # base64 in JSON; the digest takes its bytes
            digest.update(b"\x02")
            _field(digest, _binary(attribute["BinaryValue"]))
        else:
            digest.update(b"\x01")
            _field(digest, str(attribute.get("StringValue", "")).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _binary(value: Any) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except ValueError:
        return str(value).encode("utf-8", "surrogatepass")


def _field(digest, data: bytes) -> None:
    digest.update(struct.pack(">I", len(data)))
    digest.update(data)


def _check_attributes(attributes: Any) -> dict:
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise ServiceFailure("InvalidParameterValue", "MessageAttributes must be a map")
    for name, attribute in attributes.items():
        if not isinstance(attribute, dict) or not isinstance(attribute.get("DataType"), str):
            raise ServiceFailure("InvalidParameterValue", f"The message attribute '{name}' must contain a non-empty attribute type.")
        if "StringValue" not in attribute and "BinaryValue" not in attribute:
            raise ServiceFailure("InvalidParameterValue", f"The message attribute '{name}' must contain a non-empty message attribute value.")
    return attributes


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


class Sqs:
    """Queues by URL, each a list of the messages sent to it."""

    ACTIONS = ("sendMessage",)

    def __init__(self, ids: Ids, region: str, account: str, budget: Budget | None = None) -> None:
        self.ids = ids
        self.budget = budget or Budget()
        self.region = region
        self.account = account
        self.queues: dict[str, list[dict]] = {}

    def create_queue(self, name: str) -> str:
        """Declare a queue; returns its URL."""
        url = f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}"
        self.queues.setdefault(url, [])
        return url

    def messages(self, queue_url: str) -> list[dict]:
        return [dict(message) for message in self.queues.get(queue_url, [])]

    def snapshot(self) -> dict:
        return {url: self.messages(url) for url in sorted(self.queues)}

    def send_message(self, params: dict) -> dict:
        url = params.get("QueueUrl")
        if not isinstance(url, str) or not url:
            raise ServiceFailure("MissingParameter", "The request must contain the parameter QueueUrl.")
        if params.get("MessageBody") is None:
            raise ServiceFailure("MissingParameter", "The request must contain the parameter MessageBody.")
        body = as_text(params["MessageBody"])
        if not body:
            raise ServiceFailure("MissingParameter", "The request must contain the parameter MessageBody.")
        if _size(body) > MAX_MESSAGE_BYTES:
            raise ServiceFailure("InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be "
                                 f"shorter than {MAX_MESSAGE_BYTES} bytes.")
        attributes = _check_attributes(params.get("MessageAttributes"))
        queue = self.queues.setdefault(url, [])
        if len(queue) >= MAX_RECORDS:
            raise ServiceFailure("OverLimit", f"pysfn's local SQS keeps at most {MAX_RECORDS} messages a queue")
        fifo = url.endswith(".fifo")
        if fifo and not params.get("MessageGroupId"):
            raise ServiceFailure("MissingParameter", "The request must contain the parameter MessageGroupId.")
        response: dict[str, Any] = {"MD5OfMessageBody": md5(body)}
        if attributes:
            response["MD5OfMessageAttributes"] = attributes_md5(attributes)
        response["MessageId"] = self.ids.uuid()
        message = {"MessageId": response["MessageId"], "Body": body, "MD5OfBody": response["MD5OfMessageBody"]}
        if attributes:
            message["MessageAttributes"] = attributes
        for field in ("MessageGroupId", "MessageDeduplicationId", "DelaySeconds"):
            if params.get(field) is not None:
                message[field] = params[field]
        self.budget.charge(_size(dumps(message)), 0, lambda text: ServiceFailure("RequestThrottled", text))
        if fifo:
            response["SequenceNumber"] = message["SequenceNumber"] = self.ids.sequence_number()
        queue.append(message)
        return response


class Sns:
    """Topics by ARN, each a list of the messages published to it."""

    ACTIONS = ("publish",)

    def __init__(self, ids: Ids, region: str, account: str, budget: Budget | None = None) -> None:
        self.ids = ids
        self.budget = budget or Budget()
        self.region = region
        self.account = account
        self.topics: dict[str, list[dict]] = {}

    def create_topic(self, name: str) -> str:
        """Declare a topic; returns its ARN."""
        arn = f"arn:aws:sns:{self.region}:{self.account}:{name}"
        self.topics.setdefault(arn, [])
        return arn

    def published(self, target: str | None = None) -> list[dict]:
        """What was published to one topic (or phone number), or to all of them in order."""
        if target is not None:
            return [dict(message) for message in self.topics.get(target, [])]
        return [dict(message) for messages in self.topics.values() for message in messages]

    def snapshot(self) -> dict:
        return {target: self.published(target) for target in sorted(self.topics)}

    def publish(self, params: dict) -> dict:
        target = params.get("TopicArn") or params.get("TargetArn") or params.get("PhoneNumber")
        if not isinstance(target, str) or not target:
            raise ServiceFailure("InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
        if params.get("Message") is None:
            raise ServiceFailure("InvalidParameter", "Invalid parameter: Message Reason: no value for required parameter")
        message_text = as_text(params["Message"])
        if _size(message_text) > MAX_MESSAGE_BYTES:
            raise ServiceFailure("InvalidParameter", "Invalid parameter: Message too long")
        if params.get("MessageStructure") == "json":
            _check_json_structure(message_text)
        attributes = _check_attributes(params.get("MessageAttributes"))
        fifo = target.endswith(".fifo")
        if fifo and not params.get("MessageGroupId"):
            raise ServiceFailure("InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        messages = self.topics.setdefault(target, [])
        if len(messages) >= MAX_RECORDS:
            raise ServiceFailure("ThrottledException", f"pysfn's local SNS keeps at most {MAX_RECORDS} messages a topic")
        response: dict[str, Any] = {"MessageId": self.ids.uuid()}
        record = {"MessageId": response["MessageId"], "Message": message_text}
        for field in ("Subject", "MessageStructure", "MessageGroupId", "MessageDeduplicationId"):
            if params.get(field) is not None:
                record[field] = params[field]
        if attributes:
            record["MessageAttributes"] = attributes
        self.budget.charge(_size(dumps(record)), 0, lambda text: ServiceFailure("ThrottledException", text))
        if fifo:
            response["SequenceNumber"] = record["SequenceNumber"] = self.ids.sequence_number()
        messages.append(record)
        return response


def _check_json_structure(text: str) -> None:
    try:
        value = loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict) or "default" not in value:
        raise ServiceFailure("InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body")


class EventBridge:
    """Event buses by name, each a list of the events put on it."""

    ACTIONS = ("putEvents",)

    def __init__(self, ids: Ids, budget: Budget | None = None) -> None:
        self.ids = ids
        self.budget = budget or Budget()
        self.buses: dict[str, list[dict]] = {}

    def events(self, bus: str | None = None) -> list[dict]:
        """The events put on one bus (`"default"`), or on all of them in order."""
        if bus is not None:
            return [dict(event) for event in self.buses.get(bus, [])]
        return [dict(event) for events in self.buses.values() for event in events]

    def snapshot(self) -> dict:
        return {bus: self.events(bus) for bus in sorted(self.buses)}

    def put_events(self, params: dict) -> dict:
        entries = params.get("Entries")
        if not isinstance(entries, list) or not entries:
            raise validation("1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null"
                             if entries is None else "1 validation error detected: Value '[]' at 'entries' failed to satisfy "
                             "constraint: Member must have length greater than or equal to 1")
        if len(entries) > 10:
            raise validation(f"1 validation error detected: Value '{entries}' at 'entries' failed to satisfy constraint: "
                             "Member must have length less than or equal to 10")
        answers = [self._put(entry) for entry in entries]
        failed = sum(1 for answer in answers if "ErrorCode" in answer)
        return {"Entries": answers, "FailedEntryCount": failed}

    def _put(self, entry: Any) -> dict:
        if not isinstance(entry, dict):
            return {"ErrorCode": "InvalidArgument", "ErrorMessage": "An entry must be an object."}
        for field in ("Source", "DetailType", "Detail"):
            if not entry.get(field):
                return {"ErrorCode": "InvalidArgument",
                        "ErrorMessage": f"Parameter {field} is not valid. Reason: {field} is a required argument."}
        detail = as_text(entry["Detail"])
        try:
            parsed = loads(detail)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
        bus = entry.get("EventBusName") or "default"
        name = bus.rsplit("/", 1)[-1] if bus.startswith("arn:") else bus
        events = self.buses.setdefault(name, [])
        if len(events) >= MAX_RECORDS:
            return {"ErrorCode": "ThrottlingException", "ErrorMessage": f"pysfn's local EventBridge keeps at most {MAX_RECORDS} events a bus"}
        record = {"EventId": "", "Source": entry["Source"], "DetailType": entry["DetailType"], "Detail": detail,
                  "EventBusName": name}
        if entry.get("Resources"):
            record["Resources"] = list(entry["Resources"])
        try:
            self.budget.charge(_size(dumps(record)), 0, lambda text: ServiceFailure("ThrottlingException", text))
        except ServiceFailure as failure:
            return {"ErrorCode": failure.code, "ErrorMessage": failure.message}
        event_id = record["EventId"] = self.ids.uuid()
        events.append(record)
        return {"EventId": event_id}
