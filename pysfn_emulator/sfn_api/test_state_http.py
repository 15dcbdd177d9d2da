"""TestState's TRACE view of an HTTP Task (`arn:aws:states:::http:invoke`): the request Step
Functions sends and the response it reads, as `inspectionData.request` and `.response`.

The emulator sends no HTTP request: an HTTP Task is answered by the handler registered for
`arn:aws:states:::http:invoke` (it gets the Task's parameters and answers with the HTTP
Task's result, `{"StatusCode", "StatusText", "Headers", "ResponseBody"}`). The request shown
is the one the parameters describe, built as the Developer Guide says Step Functions builds it
(query parameters after the URL, the body as compact JSON or form-urlencoded by `Transform`,
the Host, Range and User-Agent headers Step Functions sets); the response is the handler's
answer. A mocked HTTP Task answers without a request, so neither is shown.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlsplit

HTTP_INVOKE = "arn:aws:states:::http:invoke"


def http_exchange(state: dict, events: list[dict], mocked: bool) -> dict:
    """{"request": ..., "response": ...} for an HTTP Task a handler answered, else {}."""
    if mocked or state.get("Type") != "Task" or state.get("Resource") != HTTP_INVOKE:
        return {}
    found: dict[str, Any] = {}
    for event in events:
        scheduled = event.get("taskScheduledEventDetails")
        if scheduled:
            found["request"] = _request(json.loads(scheduled.get("parameters") or "{}"), scheduled.get("region"))
        succeeded = event.get("taskSucceededEventDetails")
        if succeeded:
            answer = json.loads(succeeded.get("output") or "null")
            if isinstance(answer, dict):
                found["response"] = _response(answer)
    return found


def _request(parameters: dict, region: str | None) -> dict:
    endpoint = str(parameters.get("ApiEndpoint", ""))
    url = endpoint
    query = parameters.get("QueryParameters")
    if isinstance(query, dict) and query:
        url += ("&" if "?" in endpoint else "?") + _form(query, "INDICES")
    headers = {str(k): v for k, v in (parameters.get("Headers") or {}).items()} \
        if isinstance(parameters.get("Headers"), dict) else {}
    headers.update({"Host": urlsplit(endpoint).hostname or "", "Range": "bytes=0-262144",
                    "User-Agent": f"Amazon|StepFunctions|HttpInvoke|{region or 'us-east-1'}"})
    body = parameters.get("RequestBody")
    transform = parameters.get("Transform") or {}
    if body is None:
        text = ""
    elif transform.get("RequestBodyEncoding") == "URL_ENCODED" and isinstance(body, dict):
        text = _form(body, (transform.get("RequestEncodingOptions") or {}).get("ArrayFormat", "INDICES"))
    else:
        text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return {"protocol": urlsplit(endpoint).scheme or "https", "method": str(parameters.get("Method", "")),
            "url": url, "headers": _headers(headers), "body": text}


def _response(answer: dict) -> dict:
    body = answer.get("ResponseBody")
    text = body if isinstance(body, str) else "" if body is None else json.dumps(body, separators=(",", ":"))
    headers = answer.get("Headers") if isinstance(answer.get("Headers"), dict) else {}
    return {"protocol": "https", "statusCode": str(answer.get("StatusCode", "")),
            "statusMessage": str(answer.get("StatusText", "")), "headers": _headers(headers), "body": text}


def _headers(headers: dict) -> str:
    """Headers written as `[Name: value, Name: value]` (a list value as its items joined)."""
    def value(item: Any) -> str:
        return ",".join(str(v) for v in item) if isinstance(item, list) else str(item)

    return "[" + ", ".join(f"{name}: {value(item)}" for name, item in headers.items()) + "]"


def _form(data: dict, array_format: str) -> str:
    """form-urlencoded as the Developer Guide describes Transform's ArrayFormat: INDICES
    (`a[0]=x`), REPEAT (`a=x&a=y`), COMMAS (`a=x,y`), BRACKETS (`a[]=x`); a nested object's
    keys as `key[inner]`."""
    pairs: list[tuple[str, str]] = []

    def add(key: str, value: Any) -> None:
        if isinstance(value, dict):
            for inner, item in value.items():
                add(f"{key}[{inner}]", item)
        elif isinstance(value, list):
            if array_format == "COMMAS":
                pairs.append((key, ",".join(_scalar(item) for item in value)))
            for index, item in enumerate(value if array_format != "COMMAS" else []):
                suffix = {"INDICES": f"[{index}]", "BRACKETS": "[]"}.get(array_format, "")
                add(key + suffix, item)
        else:
            pairs.append((key, _scalar(value)))

    for key, value in data.items():
        add(str(key), value)
    return "&".join(f"{quote(key, safe='')}={quote(value, safe=',')}" for key, value in pairs)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
