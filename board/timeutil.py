"""Timestamps as the protocol writes them: ISO 8601, UTC, milliseconds, a trailing Z."""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
