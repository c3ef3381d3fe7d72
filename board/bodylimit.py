"""Request bodies are limited while they stream: a declared Content-Length over the limit is
refused before a byte of the body is read, and a body without one (chunked) is counted as it
arrives and cut off the moment it passes the limit. Either way the answer is a JSON 413 and
the connection is closed, so the rest of the body is never read.

The limit is per route: the room-code join, which anyone who can read the projector reaches,
gets a small one; a board import a large one; every other body the general one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """Raised from `receive` when a streamed body passes its route's limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"body over {limit} bytes")
        self.limit = limit


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MiB"
    return f"{limit / 1024:g} KiB" if limit >= 1024 else f"{limit} bytes"


async def too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "error": {
                "code": "too_large",
                "message": f"The request body is larger than {_size(limit)}; send less.",
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@dataclass(frozen=True, slots=True)
class BodyLimits:
    default: int
    join: int
    """The room-code join (`POST /api/join/{code}`): reachable with the code alone."""
    imports: int
    """A board export being imported (`POST /api/workshops/{id}/boards/import`)."""

    def for_path(self, path: str) -> int:
        if path.startswith("/api/join/"):
            return self.join
        if path.endswith("/boards/import"):
            return self.imports
        return self.default


class BodyLimit:
    """ASGI middleware enforcing `limits` on every HTTP request body."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await too_large(send, limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await too_large(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
