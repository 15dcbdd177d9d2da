"""Local AWS services: in-memory fakes of DynamoDB, S3, SQS, SNS and EventBridge in one
registry (`LocalAws`) that a plain-Python run and the emulator share, the failures they raise
(`ServiceFailure`), and the error names a state machine sees for them (`error_name`).

One module per service (dynamodb.py with attribute_values.py and dynamodb_expressions.py, s3.py,
messages.py for SQS, SNS and EventBridge), the registry (registry.py), its Task handlers
(integration.py) and the error-name rule (error_names.py). Deterministic: ids come from the
registry's seeded generator, never uuid4 or the clock; bounded: each fake holds at most
100,000 records.
"""

from __future__ import annotations

from .attribute_values import from_attribute, from_item, to_attribute, to_item
from .error_names import SDK_TO_BOTOCORE, error_cause, error_name
from .integration import ServiceCallFailure, sent_params
from .loader import services_from_file
from .registry import LocalAws
from .service_failure import ServiceFailure

__all__ = [
    "SDK_TO_BOTOCORE",
    "LocalAws",
    "ServiceCallFailure",
    "ServiceFailure",
    "error_cause",
    "error_name",
    "from_attribute",
    "from_item",
    "sent_params",
    "services_from_file",
    "to_attribute",
    "to_item",
]
