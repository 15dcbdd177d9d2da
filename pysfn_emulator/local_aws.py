"""`pysfn_emulator.local_aws`: the local AWS services' public names, for callers that name the
module (the compiler's lowering uses `error_name` to write Catch clauses). The code lives in
integrations/local_aws/."""

from __future__ import annotations

from .integrations.local_aws import (
    SDK_TO_BOTOCORE,
    LocalAws,
    ServiceCallFailure,
    ServiceFailure,
    error_cause,
    error_name,
    from_attribute,
    from_item,
    sent_params,
    services_from_file,
    to_attribute,
    to_item,
)

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
