"""A fake service's refusal: AWS's bare error code, its message and HTTP status."""

from __future__ import annotations

from typing import Any


class ServiceFailure(Exception):
    """The service refused the request: `code` is AWS's error code without a service prefix
    (`ConditionalCheckFailedException`, `NoSuchKey`); how a state machine names it is
    `error_name`'s business. `details`: extra response fields AWS sends with the error."""

    def __init__(self, code: str, message: str = "", status: int = 400, details: dict[str, Any] | None = None):
        if not isinstance(code, str) or not code:
            raise TypeError("ServiceFailure needs an error code (a non-empty string)")
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details or {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


def validation(message: str) -> ServiceFailure:
    """AWS's ValidationException (HTTP 400), the answer to a request the service cannot read."""
    return ServiceFailure("ValidationException", message)
