"""JSON encoding of server frames, done once per event and shared by every receiver."""

from __future__ import annotations

import json
from collections.abc import Iterable
from json.encoder import encode_basestring as _string  # type: ignore[attr-defined]
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


def op_event(seq: int, op_id: str, client: str, by: str, at: str, body: str) -> str:
    """An `op` event around an op already encoded (the stored body), so the op, the largest
    part of an event, is encoded once for the log and the wire together."""
    return (
        f'{{"type":"op","seq":{seq:d},"id":{_string(op_id)},"client":{_string(client)},'
        f'"by":{_string(by)},"at":{_string(at)},"op":{body}}}'
    )


def ops_frame(events: Iterable[str]) -> str:
    """Coalesce already encoded `op` events into one `ops` frame without decoding them."""
    return '{"type":"ops","ops":[' + ",".join(events) + "]}"


def error_frame(op_id: str | None, code: str, message: str) -> str:
    return _encode({"type": "error", "id": op_id, "code": code, "message": message})
