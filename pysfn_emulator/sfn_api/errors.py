"""The service's refusals: an AWS error code, its message and HTTP status, as Step Functions
answers them (`{"__type": ..., "message": ...}` with a 400)."""

from __future__ import annotations

# The namespace AWS puts before a Step Functions error code in `__type`; clients keep the
# part after '#'.
_NAMESPACE = "com.amazonaws.swf.service.v2.model"
_CORAL = {
    "ValidationException": "com.amazon.coral.validate",
    "SerializationException": "com.amazon.coral.service",
    "UnknownOperationException": "com.amazon.coral.service",
    "InternalFailure": "com.amazon.coral.service",
}


class ApiError(Exception):
    """An operation refused, with AWS's code and message."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    @property
    def type_name(self) -> str:
        return f"{_CORAL.get(self.code, _NAMESPACE)}#{self.code}"

    def body(self) -> dict:
        return {"__type": self.type_name, "message": self.message}


def does_not_exist(what: str, arn: str) -> ApiError:
    """StateMachineDoesNotExist, ExecutionDoesNotExist, ActivityDoesNotExist: AWS's wording
    ("State Machine Does Not Exist: 'arn:...'")."""
    words = {"StateMachine": "State Machine", "Execution": "Execution", "Activity": "Activity"}[what]
    return ApiError(f"{what}DoesNotExist", f"{words} Does Not Exist: '{arn}'")


def invalid_arn(arn: str, why: str) -> ApiError:
    return ApiError("InvalidArn", f"Invalid Arn: '{why}: {arn}'" if why else f"Invalid Arn: '{arn}'")


def validation_error(problems: list[str]) -> ApiError:
    """Coral's ValidationException: "1 validation error detected: Value ... at 'name' failed to
    satisfy constraint: ..." (several joined by '; ')."""
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return ApiError("ValidationException", f"{count} validation {noun} detected: " + "; ".join(problems))
