"""What a request's headers say besides its operation: the region its signature names."""

from __future__ import annotations

import re

_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")


def region_of(authorization: str | None) -> str | None:
    """The region of a SigV4 Authorization header's credential scope, if it has one."""
    found = _SCOPE.search(authorization or "")
    return found.group(1) if found else None
