"""Shared by the API's tests: the fixed clock and role."""

from __future__ import annotations

from datetime import UTC, datetime

START = datetime(2024, 1, 1, tzinfo=UTC)
ROLE = "arn:aws:iam::123456789012:role/test"
