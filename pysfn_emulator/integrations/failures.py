"""Failures local code raises on purpose: a service's error rather than a function's.

A handler's ordinary exception is the *function's* error, reported as Lambda reports it (error =
the class name, cause = Lambda's JSON error payload). To test a retrier or catcher on a
*service* error instead (a throttled Lambda, a missing queue, a failed SDK call), raise one of
these from any local handler, callback responder or activity worker:

    raise pysfn_emulator.TaskFailure("SQS.QueueDoesNotExistException", "The queue does not exist")
    raise pysfn_emulator.LambdaServiceError("TooManyRequestsException", "Rate Exceeded.")

The task then fails with exactly that error and cause.
"""

from __future__ import annotations

# The HTTP status AWS reports with each Lambda service exception (the cause quotes it).
_LAMBDA_STATUS = {
    "ServiceException": 500,
    "TooManyRequestsException": 429,
    "ResourceNotFoundException": 404,
    "ResourceConflictException": 409,
    "ResourceNotReadyException": 502,
    "InvalidParameterValueException": 400,
    "InvalidRequestContentException": 400,
    "RequestTooLargeException": 413,
    "UnsupportedMediaTypeException": 415,
    "AWSLambdaException": 400,
    "EC2ThrottledException": 502,
    "EC2UnexpectedException": 502,
    "ENILimitReachedException": 502,
    "KMSAccessDeniedException": 502,
    "SnapStartTimeoutException": 408,
}


class TaskFailure(Exception):
    """Fail the task with exactly `error` and `cause` (as a service error, not Lambda's payload)."""

    def __init__(self, error: str, cause: str | None = None):
        if not isinstance(error, str) or not error:
            raise TypeError("TaskFailure needs an error name (a non-empty string)")
        if cause is not None and not isinstance(cause, str):
            raise TypeError("TaskFailure's cause must be a string or None")
        super().__init__(error, cause)
        self.error = error
        self.cause = cause

    def cause_for(self, request_id: str) -> str | None:
        """The cause as recorded; `request_id` is the id of the failed request."""
        return self.cause

    def __str__(self) -> str:
        return f"{self.error}: {self.cause}" if self.cause else self.error


class LambdaServiceError(TaskFailure):
    """A Lambda service exception: `Lambda.<Name>`, with the cause text Step Functions records,
    `<message> (Service: AWSLambda; Status Code: <n>; Error Code: <Name>; Request ID: <id>; Proxy: null)`.

    `name` may be given with or without the `Lambda.` prefix. `Lambda.SdkClientException` (no
    HTTP response) has the message alone as its cause.
    """

    def __init__(self, name: str = "ServiceException", message: str | None = None, status_code: int | None = None):
        short = name[len("Lambda."):] if name.startswith("Lambda.") else name
        super().__init__(f"Lambda.{short}", message)
        self.short_name = short
        self.message = message if message is not None else _default_message(short)
        self.status_code = status_code if status_code is not None else _LAMBDA_STATUS.get(short, 500)

    def cause_for(self, request_id: str) -> str:
        if self.short_name == "SdkClientException":
            return self.message
        return (
            f"{self.message} (Service: AWSLambda; Status Code: {self.status_code}; Error Code: "
            f"{self.short_name}; Request ID: {request_id}; Proxy: null)"
        )


def exception_text(exception: BaseException) -> str:
    """`str(exception)`, or Python's own stand-in when that raises (as `traceback` prints it):
    a handler's odd exception must fail its task, not the emulator."""
    try:
        return str(exception)
    except Exception:
        return "<exception str() failed>"


def _default_message(short: str) -> str:
    if short == "TooManyRequestsException":
        return "Rate Exceeded."
    if short == "SdkClientException":
        return "Unable to execute HTTP request: Read timed out"
    return f"{short} (simulated by pysfn)"
