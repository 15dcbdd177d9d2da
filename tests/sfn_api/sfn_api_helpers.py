"""Shared by the API's tests: the fixed clock and role."""

from __future__ import annotations

from datetime import datetime, timezone

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
ROLE = "arn:aws:iam::123456789012:role/test"
