"""Local Lambda functions, called as the Lambda service and its Python runtime would call them.

- Found by name, full or partial ARN, with or without a version or alias qualifier
  (`LambdaIndex`): a registration under a qualified name wins for that qualifier, an
  unqualified one serves every qualifier.
- Called as `handler(event, context)` with a JSON copy of the payload and a `LambdaContext`;
  `time.sleep` inside counts virtual seconds (virtual_sleep.py).
- An exception becomes Lambda's error payload `{"errorMessage", "errorType", "requestId",
  "stackTrace"}` (`FunctionError`); a `TaskFailure` (failures.py) is a service error instead.
- The result is what the runtime would send: bytes are the raw response body (JSON if it parses,
  else a string); anything not JSON-serializable is `Runtime.MarshalError`.
"""

from __future__ import annotations

import base64
import json
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..core.errors import StatesError
from ..core.jsondeep import write
from ..core.jsontext import json_copy, loads
from ..virtual_time.clock import Clock
from ..virtual_time.virtual_sleep import counting_sleep, slept_so_far
from .failures import TaskFailure, exception_text

Handler = Callable[[Any, Any], Any]
# A Lambda function's own timeout is not known locally; Lambda allows at most 15 minutes.
MAX_FUNCTION_SECONDS = 900


class FunctionError(StatesError):
    """The function raised: Lambda's error payload, serialised by whoever reports it."""

    def __init__(self, payload: dict, text: str):
        super().__init__(payload["errorType"], text)
        self.payload = payload


def split_reference(reference: str) -> tuple[str, str | None]:
    """(function name, qualifier or None) of a name, `name:qualifier`, or a full/partial ARN."""
    parts = reference.split(":")
    if "function" in parts:
        at = parts.index("function")
        rest = parts[at + 1 :]
    else:
        rest = parts
    name = rest[0] if rest else ""
    qualifier = rest[1] if len(rest) > 1 and rest[1] else None
    return name, qualifier


def is_function_reference(key: str) -> bool:
    """Keys of `lambdas` that name Lambda functions (not integration ARNs or activities)."""
    return ":function:" in key or not key.startswith("arn:")


class LambdaIndex:
    """The registered functions, indexed once per execution by (name, qualifier)."""

    def __init__(self, lambdas: dict[str, Handler]):
        self._exact: dict[tuple[str, str | None], Handler] = {}
        self._by_name: dict[str, Handler] = {}
        for key, handler in lambdas.items():
            if not isinstance(key, str) or not is_function_reference(key):
                continue
            name, qualifier = split_reference(key)
            self._exact.setdefault((name, qualifier), handler)
            self._by_name.setdefault(name, handler)
        self._cache: dict[str, Handler | None] = {}

    def find(self, reference: str) -> Handler | None:
        try:
            return self._cache[reference]
        except KeyError:
            pass
        name, qualifier = split_reference(reference)
        handler = self._exact.get((name, qualifier)) or self._exact.get((name, None)) or self._by_name.get(name)
        self._cache[reference] = handler
        return handler


@attrs.define(slots=True)
class LambdaContext:
    """The attributes and method of the Python runtime's context object that handlers use."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    aws_request_id: str
    memory_limit_in_mb: int = 128
    log_group_name: str = ""
    log_stream_name: str = ""
    identity: Any = None
    client_context: Any = None
    _budget_ms: int = MAX_FUNCTION_SECONDS * 1000

    def get_remaining_time_in_millis(self) -> int:
        """The virtual time left: the task's timeout (or Lambda's maximum) less what it slept."""
        return max(0, self._budget_ms - int(slept_so_far() * 1000))


def make_context(arn: str, request_id: str, timeout: int | None) -> LambdaContext:
    name, qualifier = split_reference(arn)
    version = qualifier if qualifier and qualifier.isdigit() else "$LATEST"
    budget = min(timeout, MAX_FUNCTION_SECONDS) if timeout else MAX_FUNCTION_SECONDS
    return LambdaContext(
        function_name=name,
        function_version=version,
        invoked_function_arn=arn,
        aws_request_id=request_id,
        log_group_name=f"/aws/lambda/{name}",
        log_stream_name=f"1970/01/01/[{version}]{request_id.replace('-', '')}",
        budget_ms=budget * 1000,
    )


@attrs.frozen
class Returned:
    """What a handler did: its result (or failure) and the virtual seconds it slept."""

    value: Any = None
    failure: StatesError | None = None
    service_failure: TaskFailure | None = None
    slept: float = 0.0


def call_function(handler: Handler, payload: Any, context: LambdaContext, clock: Clock,
                  tokens: Mapping[str, Any] | None = None) -> Returned:
    """Call a handler as the Python runtime would, its sleeps counted on the calling execution's
    `clock`, the task tokens it may answer its run's `tokens`; never raises for what it does."""
    event = json_copy(payload)
    with counting_sleep(clock, tokens) as sleeper:
        try:
            returned = handler(event, context)
        except TaskFailure as failure:
            return Returned(service_failure=failure, slept=sleeper.seconds)
        except StatesError as failure:  # a handler may raise the emulator's own error type
            return Returned(failure=failure, slept=sleeper.seconds)
        except Exception as exception:  # the function's own failure, as Lambda reports it
            payload = lambda_error(exception, context.aws_request_id)
            return Returned(failure=FunctionError(payload, json.dumps(payload)), slept=sleeper.seconds)
        except SystemExit as exited:  # sys.exit() ends the runtime's process: Lambda's ExitError
            payload = exit_error(exited, context.aws_request_id)
            return Returned(failure=FunctionError(payload, json.dumps(payload)), slept=sleeper.seconds)
        except KeyboardInterrupt:  # the person running the emulator stops it
            raise
        except BaseException:  # not an Exception: past the runtime's handler, its process ends (status 1)
            payload = exit_error(SystemExit(1), context.aws_request_id)
            return Returned(failure=FunctionError(payload, json.dumps(payload)), slept=sleeper.seconds)
    try:
        return Returned(value=decode(returned), slept=sleeper.seconds)
    except (TypeError, ValueError) as unserialisable:
        payload = {
            "errorMessage": f"Unable to marshal response: {unserialisable}",
            "errorType": "Runtime.MarshalError",
            "requestId": context.aws_request_id,
            "stackTrace": [],
        }
        return Returned(failure=FunctionError(payload, json.dumps(payload)), slept=sleeper.seconds)


def exit_error(exited: SystemExit, request_id: str) -> dict:
    """What Lambda reports when a function ends its process (the wording of Lambda's runtime
    errors, from memory of its documentation: no recording has one)."""
    code = exited.code if isinstance(exited.code, int) else (0 if exited.code is None else 1)
    return {"errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}"}


def decode(returned: Any) -> Any:
    """The response body the runtime sends, as Step Functions reads it."""
    if isinstance(returned, (bytes, bytearray)):
        text = bytes(returned).decode("utf-8")
        try:
            return loads(text)
        except ValueError:
            return text
    return json_copy(returned)


def lambda_error(exception: BaseException, request_id: str) -> dict:
    """The error payload the Python Lambda runtime sends (its json.dumps, spaces and all).

    The traceback's first frame is `call_function`'s own; the rest are the handler's."""
    frames = traceback.extract_tb(exception.__traceback__)[1:]
    stack = [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in frames]
    return {
        "errorMessage": exception_text(exception),
        "errorType": type(exception).__name__,
        "requestId": request_id,
        "stackTrace": stack,
    }


def python_json(value: Any) -> str:
    """`json.dumps(value)` as the Python runtime writes a response, at any depth."""
    try:
        return json.dumps(value)
    except RecursionError:
        return write(value, json.dumps, lambda key: json.dumps({key: 0})[1:-4], ", ", ": ")


def invoke_response(payload: Any, request_id: str, with_log: bool, version: str = "$LATEST", status: int = 200) -> dict:
    """The result of arn:aws:states:::lambda:invoke, as AWS shapes it."""
    length = "0" if status != 200 else str(len(python_json(payload).encode("utf-8")))
    trace = f"Root=1-00000000-{request_id.replace('-', '')[:24]}"
    date = "Thu, 01 Jan 1970 00:00:00 GMT"
    response = {
        "ExecutedVersion": version,
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": [version],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [length],
                "Date": [date],
                "X-Amzn-Trace-Id": [trace],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/json",
                "Date": date,
                "X-Amz-Executed-Version": version,
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
                "X-Amzn-Trace-Id": trace,
            },
            "HttpStatusCode": status,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": status,
    }
    if status != 200:  # an asynchronous (202) or dry-run (204) invocation returns no payload
        del response["ExecutedVersion"]
        for headers in (response["SdkHttpMetadata"]["AllHttpHeaders"], response["SdkHttpMetadata"]["HttpHeaders"]):
            headers.pop("X-Amz-Executed-Version")
    if with_log:  # LogType "Tail": the last 4 KB of the log, base64-encoded
        log = base64.b64encode(f"START RequestId: {request_id} Version: {version}\nEND RequestId: {request_id}\n".encode()).decode()
        response["LogResult"] = log
        response["SdkHttpMetadata"]["AllHttpHeaders"]["X-Amz-Log-Result"] = [log]
        response["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Log-Result"] = log
    return response
