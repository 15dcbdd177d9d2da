"""The error name a state machine sees when a service call fails, and the cause text with it.

`error_name(resource, code)`: `resource` is the Task's Resource ARN, `code` AWS's bare error
code (`ServiceFailure.code`). The rule, from AWS's recordings (where they exist) and the Step
Functions Developer Guide ("AWS SDK service integrations"; each optimized integration's page):

- AWS SDK integrations (`arn:aws:states:::aws-sdk:SERVICE:ACTION`): `<Client>.<Name>`, where
  `<Client>` is the service's name in the Java SDK v2 (`DynamoDb`, `S3`, `Sqs`, `Sns`,
  `EventBridge`, `SecretsManager`: the botocore serviceId in PascalCase, acronyms as words) and
  `<Name>` the modeled exception with an `Exception` suffix added when its name lacks one
  (`S3.NoSuchKeyException`, recorded: `S3.NoSuchBucketException`). A code the service's model
  does not declare (DynamoDB's `ValidationException`) is the client's base exception,
  `<Client>.<Client>Exception` (recorded: `DynamoDb.DynamoDbException`,
  `SecretsManager.SecretsManagerException`). Cause: `<message> (Service: <Client>, Status Code:
  <n>, Request ID: <id>)`, S3 with `, Extended Request ID: <id>` added.
- Optimized integrations (`arn:aws:states:::SERVICE:ACTION`): `<Prefix>.<Name>` with the
  documented prefix (`DynamoDB`, `SQS`, `SNS`, `EventBridge`, `Lambda`), the same modeled name
  (recorded: `DynamoDB.ResourceNotFoundException`, `SNS.NotFoundException` for code `NotFound`,
  `SNS.InvalidParameterException`), and for an undeclared code the Java SDK v1 base exception
  (recorded: `DynamoDB.AmazonDynamoDBException` for ValidationException,
  `SQS.AmazonSQSException` for MissingParameter). Cause: `<message> (Service: <v1 name>;
  Status Code: <n>; Error Code: <code>; Request ID: <id>; Proxy: null)`.
  EventBridge's putEvents fails with `EventBridge.FailedEntry` when an entry failed (documented
  and recorded; the cause is the response).

Which codes a service declares comes from botocore's service model (an exception shape's name,
or the code its `error` trait gives), loaded on first use: botocore costs a quarter of a second,
which `import pysfn_emulator` should not pay.
"""

from __future__ import annotations

import functools
import re

import attrs

# aws-sdk ARN service names (Java SDK v2 client packages) that botocore names otherwise.
SDK_TO_BOTOCORE = {
    "sfn": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchlogs": "logs",
    "elasticloadbalancingv2": "elbv2",
    "elasticloadbalancing": "elb",
    "cognitoidentityprovider": "cognito-idp",
    "cognitoidentity": "cognito-identity",
    "costexplorer": "ce",
    "databasemigration": "dms",
    "lexruntimev2": "lexv2-runtime",
    "iotdataplane": "iot-data",
    "sagemakerruntime": "sagemaker-runtime",
    "bedrockruntime": "bedrock-runtime",
    "bedrockagentruntime": "bedrock-agent-runtime",
    "emrcontainers": "emr-containers",
    "emrserverless": "emr-serverless",
    "acmpca": "acm-pca",
}
BOTOCORE_TO_SDK = {**{botocore: sdk for sdk, botocore in SDK_TO_BOTOCORE.items()}, "states": "sfn"}

# Java SDK v2 client names where the serviceId rule below would not give them.
_CLIENT_NAMES = {"events": "EventBridge", "eventbridge": "EventBridge", "stepfunctions": "Sfn", "sfn": "Sfn",
                 "states": "Sfn", "dynamodb": "DynamoDb", "s3": "S3", "sqs": "Sqs", "sns": "Sns", "lambda": "Lambda",
                 "secretsmanager": "SecretsManager"}


@attrs.frozen
class Optimized:
    """An optimized integration's error prefix and the Java SDK v1 names its errors carry."""

    prefix: str
    base_exception: str
    service: str  # the cause's `Service:` name
    v2: bool = False  # errors worded as the SDK v2 words them (an integration built on it)


OPTIMIZED = {
    "dynamodb": Optimized("DynamoDB", "AmazonDynamoDBException", "AmazonDynamoDBv2"),
    "sqs": Optimized("SQS", "AmazonSQSException", "AmazonSQS"),
    "sns": Optimized("SNS", "AmazonSNSException", "AmazonSNS"),
    "lambda": Optimized("Lambda", "AWSLambdaException", "AWSLambda"),
    # putEvents answers without the SDK v1 metadata (recorded), so it is taken to be built on v2;
    # no recording shows a service error of it: its base name follows v2.
    "events": Optimized("EventBridge", "EventBridgeException", "EventBridge", v2=True),
    "s3": Optimized("S3", "AmazonS3Exception", "Amazon S3"),
}


@attrs.frozen
class Resource:
    """A service integration's Resource ARN, read for naming: which service, which flavour."""

    service: str  # botocore's name
    action: str
    sdk: bool  # an aws-sdk integration (else optimized)


def parse_resource(resource: str) -> Resource:
    """`arn:aws:states:::[aws-sdk:]SERVICE:ACTION[.pattern]`; also a bare `service:action`
    (taken as aws-sdk)."""
    parts = resource.split(":")
    if resource.startswith("arn:") and len(parts) >= 7:
        rest = parts[5:]
    else:
        rest = ["aws-sdk", *parts]
    sdk = rest[0] == "aws-sdk"
    if sdk:
        rest = rest[1:]
    service = rest[0] if rest else ""
    action = (rest[1] if len(rest) > 1 else "").split(".", 1)[0]
    if sdk:
        service = SDK_TO_BOTOCORE.get(service, service)
    return Resource(service, action, sdk)


def error_name(resource: str, code: str) -> str:
    """The Error a Task whose Resource is `resource` fails with when the service answers `code`."""
    target = parse_resource(resource)
    modeled = modeled_name(target.service, code)
    if target.sdk:
        client = client_name(target.service)
        return f"{client}.{modeled or client + 'Exception'}"
    optimized = OPTIMIZED.get(target.service)
    if optimized is None:
        prefix = client_name(target.service)
        return f"{prefix}.{modeled or prefix + 'Exception'}"
    return f"{optimized.prefix}.{modeled or optimized.base_exception}"


def error_cause(resource: str, code: str, message: str, status: int, request_id: str) -> str:
    """The Cause recorded with `error_name`'s error."""
    target = parse_resource(resource)
    optimized = None if target.sdk else OPTIMIZED.get(target.service)
    if optimized is not None and not optimized.v2:
        return (f"{message} (Service: {optimized.service}; Status Code: {status}; Error Code: {code}; "
                f"Request ID: {request_id}; Proxy: null)")
    client = optimized.service if optimized is not None else client_name(target.service)
    extended = f", Extended Request ID: {_extended_id(request_id)}" if target.service == "s3" else ""
    return f"{message} (Service: {client}, Status Code: {status}, Request ID: {request_id}{extended})"


def _extended_id(request_id: str) -> str:
    return request_id.replace("-", "")[:24]


def client_name(service: str) -> str:
    """The Java SDK v2 client name of a botocore service (`dynamodb` -> `DynamoDb`)."""
    if service in _CLIENT_NAMES:
        return _CLIENT_NAMES[service]
    service_id = _service_id(service)
    if service_id is None:
        return service[:1].upper() + service[1:]
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", service_id)
    return "".join(word[:1].upper() + word[1:].lower() if word.isupper() else word[:1].upper() + word[1:] for word in words)


def modeled_name(service: str, code: str) -> str | None:
    """The exception's name with the `Exception` suffix, when the service's model declares
    `code` (as a shape name or as the code of a shape's error trait); else None."""
    shape = _error_codes(service).get(code)
    if shape is None:
        return None
    return shape if shape.endswith("Exception") else shape + "Exception"


@functools.lru_cache(maxsize=64)
def _error_codes(service: str) -> dict[str, str]:
    model = _service_model(service)
    if model is None:
        return {}
    codes: dict[str, str] = {}
    for name in model.shape_names:
        shape = model.shape_for(name)
        if not shape.metadata.get("exception"):
            continue
        codes.setdefault(name, name)
        error = shape.metadata.get("error") or {}
        if error.get("code"):
            codes.setdefault(error["code"], name)
    return codes


def _service_id(service: str) -> str | None:
    model = _service_model(service)
    return None if model is None else model.metadata.get("serviceId")


@functools.lru_cache(maxsize=64)
def _service_model(service: str):
    # Deferred on purpose: botocore takes a quarter of a second to import, and only a failed
    # service call (or the compiler) needs its models.
    import botocore.exceptions  # noqa: PLC0415

    try:
        return _session().get_service_model(service)
    except botocore.exceptions.UnknownServiceError:
        return None


@functools.lru_cache(maxsize=1)
def _session():
    import botocore.session  # noqa: PLC0415

    return botocore.session.get_session()
