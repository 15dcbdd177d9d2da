"""Pagination as the API does it: `maxResults` (0: the default) and an opaque `nextToken`
that belongs to one listing."""

from __future__ import annotations

import base64
import json

from .errors import ApiError

PAGE_DEFAULT = 100
PAGE_MAX = 1000


def paginate(items: list, params: dict, key: str) -> tuple[list, str | None]:
    """One page of `items` and the token of the next (AWS's maxResults: 0 means the default)."""
    size = min(params.get("maxResults") or PAGE_DEFAULT, PAGE_MAX)
    start = 0
    token = params.get("nextToken")
    if token is not None:
        try:
            state = json.loads(base64.urlsafe_b64decode(token.encode()))
            start = int(state["offset"])
            if state["key"] != key:
                raise ValueError(key)
        except (ValueError, KeyError, TypeError):
            raise ApiError("InvalidToken", f"Invalid Token: '{token}'") from None
    end = start + size
    if end >= len(items):
        return items[start:], None
    following = base64.urlsafe_b64encode(json.dumps({"key": key, "offset": end}).encode()).decode()
    return items[start:end], following
