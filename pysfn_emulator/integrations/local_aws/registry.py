"""LocalAws: one registry of local AWS services, shared by a plain-Python run and the emulator.

    aws = LocalAws(handlers={"secretsmanager:getSecretValue": lambda params: {"SecretString": "s3cr3t"}})
    aws.dynamodb.create_table("orders", key="id")
    aws.call("dynamodb", "putItem", {"TableName": "orders", "Item": {"id": {"S": "7"}}})   # -> {}
    pysfn_emulator.run(definition, input, services=aws)     # its Tasks call the same fakes
    aws.snapshot()                                          # what the fakes hold, for asserts

`call(service, action, params)`: `service` as botocore names it (`dynamodb`, `s3`, `sqs`, `sns`,
`events`; `eventbridge` is taken for `events`), `action` the API operation in camelCase, `params`
the request as the API takes it. It returns the response as the API returns it (without
ResponseMetadata) or raises ServiceFailure with AWS's bare error code. A handler given for a
"service:action" wins over the built-in fake; an action nobody handles is a ServiceFailure
(UnknownOperationException) that says how to register one.

`handlers()`: the same, as Task handlers for `run(..., lambdas=...)` (integration.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ...core.jsontext import NotJson, accept
from .dynamodb import DynamoDb
from .error_names import SDK_TO_BOTOCORE
from .ids import Budget, Ids
from .integration import service_handlers
from .messages import EventBridge, Sns, Sqs
from .s3 import S3
from .service_failure import ServiceFailure

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
MAX_CALLS = 10_000
ServiceHandler = Callable[[dict], Any]


def _snake(action: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in action).lstrip("_")


class LocalAws:
    """In-memory DynamoDB, S3, SQS, SNS and EventBridge, plus the handlers a test adds.

    region, account: where the fakes' ARNs and queue URLs point. seed: the ids the fakes hand
    out (two LocalAws with the same seed, called the same way, answer the same). now: S3's
    LastModified (fixed; default 2026-01-01T00:00:00Z).
    """

    def __init__(self, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT,
                 handlers: Mapping[str, ServiceHandler] | None = None, *, seed: int = 0,
                 now: datetime | None = None) -> None:
        self.region = region
        self.account = account
        self.ids = Ids(seed)
        self.budget = Budget()
        self.dynamodb = DynamoDb(self.budget)
        self.s3 = S3(self.ids, now, self.budget)
        self.sqs = Sqs(self.ids, region, account, self.budget)
        self.sns = Sns(self.ids, region, account, self.budget)
        self.events = EventBridge(self.ids, self.budget)
        self._fakes = {"dynamodb": self.dynamodb, "s3": self.s3, "sqs": self.sqs, "sns": self.sns, "events": self.events}
        self._handlers: dict[tuple[str, str], ServiceHandler] = {}
        # the calls made, oldest first (the last MAX_CALLS): service, action, params, response or error
        self.calls: deque[dict] = deque(maxlen=MAX_CALLS)
        for key, handler in (handlers or {}).items():
            self.register(key, handler)

    @classmethod
    def of(cls, services: LocalAws | Mapping[str, ServiceHandler], **options: Any) -> LocalAws:
        """A LocalAws as given, or one made around a mapping {"service:action": handler}."""
        if isinstance(services, LocalAws):
            return services
        if isinstance(services, Mapping):
            return cls(handlers=services, **options)
        raise TypeError(f"services must be a LocalAws or a mapping {{'service:action': handler}}, not {type(services).__name__}")

    def register(self, key: str, handler: ServiceHandler) -> None:
        """Handle "service:action" (e.g. "secretsmanager:getSecretValue") with handler(params) -> response."""
        service, action = _split_key(key)
        if not callable(handler):
            raise TypeError(f"the handler for {key!r} is not callable")
        self._handlers[(service, action)] = handler

    def actions(self) -> list[tuple[str, str]]:
        """Every (service, action) this registry answers: the fakes' and the registered ones."""
        found = [(service, action) for service, fake in self._fakes.items() for action in fake.ACTIONS]
        found += [key for key in self._handlers if key not in found]
        return found

    def call(self, service: str, action: str, params: Any) -> Any:
        """The response of `service`'s `action` to `params`, or ServiceFailure."""
        service, action = _normalise(service, action)
        record: dict[str, Any] = {"service": service, "action": action, "params": params}
        self.calls.append(record)
        try:
            response = self._answer(service, action, params)
        except ServiceFailure as failure:
            record["error"] = {"code": failure.code, "message": failure.message}
            raise
        record["response"] = response
        return response

    def _answer(self, service: str, action: str, params: Any) -> Any:
        handler = self._handlers.get((service, action))
        if handler is not None:
            response = handler(params)
            try:
                return accept(response)
            except NotJson as error:
                raise TypeError(f"the handler of {service}:{action} returned a value that is not JSON: {error}") from None
        fake = self._fakes.get(service)
        if fake is not None and action in fake.ACTIONS:
            if not isinstance(params, dict):
                raise ServiceFailure("ValidationException", f"The {action} request must be a JSON object")
            return getattr(fake, _snake(action))(params)
        raise ServiceFailure(
            "UnknownOperationException",
            f"pysfn's local AWS does not handle {service}:{action}. Register a handler: "
            f"LocalAws(handlers={{'{service}:{action}': handler}}) (handler(params) -> response), or "
            f"services={{'{service}:{action}': handler}}",
        )

    def handlers(self) -> dict[str, Callable[[Any, Any], Any]]:
        """{resource ARN: handler(event, context)} for `pysfn_emulator.run(lambdas=...)`: for each
        action answered, its `arn:aws:states:::aws-sdk:SERVICE:ACTION` and, where Step Functions
        has one, its optimized integration; plus the S3 resources a distributed Map's ItemReader
        and ResultWriter use."""
        return service_handlers(self)

    def snapshot(self) -> dict:
        """What the fakes hold, as JSON: tables, objects, messages, published messages, events."""
        return {
            "dynamodb": self.dynamodb.snapshot(),
            "s3": self.s3.snapshot(),
            "sqs": self.sqs.snapshot(),
            "sns": self.sns.snapshot(),
            "events": self.events.snapshot(),
        }


def _normalise(service: str, action: str) -> tuple[str, str]:
    if not isinstance(service, str) or not isinstance(action, str) or not service or not action:
        raise TypeError("call(service, action, params) takes the service and action names as strings")
    service = SDK_TO_BOTOCORE.get(service.lower(), service.lower())
    return service, action[:1].lower() + action[1:]


def _split_key(key: Any) -> tuple[str, str]:
    if not isinstance(key, str) or key.count(":") != 1 or not all(key.split(":")):
        raise ValueError(f"a service handler's key is 'service:action' (e.g. 'dynamodb:putItem'), not {key!r}")
    service, action = key.split(":")
    return _normalise(service, action)
