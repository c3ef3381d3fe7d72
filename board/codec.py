"""JSON encoding of server frames, done once per event and shared by every receiver."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
_canonical = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, check_circular=False
).encode

decode = json.loads


def encode(obj: Any) -> str:
    return _encode(obj)


def canonical(obj: Any) -> str:
    """A stable text of an op body, to tell a resend of the same op from a different one."""
    return _canonical(obj)


def ops_frame(events: Iterable[str]) -> str:
    """Coalesce already encoded `op` events into one `ops` frame without decoding them."""
    return '{"type":"ops","ops":[' + ",".join(events) + "]}"


def error_frame(op_id: str | None, code: str, message: str) -> str:
    return _encode({"type": "error", "id": op_id, "code": code, "message": message})
