"""Connection guards below the app, where uvicorn has no option: a cap of open connections in
all and per address, and deadlines for a request's headers and body.

uvicorn's `timeout_keep_alive` only covers the idle time *between* requests (and any byte
resets it), and ASGI middleware runs only once a request's headers are in, so a client that
opens connections and sends half a request holds a file descriptor each for as long as it
likes (uvicorn issue #157). These subclasses of uvicorn's httptools and websockets protocols
count every connection at accept, refuse one over a cap before reading anything, and close
one whose headers (or body) do not arrive in time.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

log = logging.getLogger("brickboard.guard")

FD_RESERVE = 128
"""File descriptors kept free of client connections: the database, logs, the broker."""


def _answer(status: str, code: str, message: str) -> bytes:
    body = f'{{"error":{{"code":"{code}","message":"{message}"}}}}'.encode()
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


TOO_MANY_HERE = _answer(
    "429 Too Many Requests",
    "rate_limited",
    "Too many connections from this address; close some tabs and try again.",
)
TOO_MANY = _answer(
    "503 Service Unavailable",
    "unavailable",
    "The server has as many connections as it can hold; try again in a moment.",
)
TOO_SLOW = _answer(
    "408 Request Timeout", "bad_request", "The request took too long to arrive; send it again."
)


def raise_file_limit() -> int:
    """Raise the soft limit of open files to the hard limit; returns the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:  # e.g. beyond fs.nr_open: keep what we have
            log.warning("could not raise the open-file limit to %s: %s", target, exc)
    return soft


@dataclass
class ConnectionGuard:
    """Counts open connections (HTTP and WebSocket) in all and per client address."""

    per_address: int
    """0: no cap per address (behind a reverse proxy every client has the proxy's address)."""
    total: int
    header_timeout: float
    body_timeout: float
    open: Counter[str] = field(default_factory=Counter)
    count: int = 0

    def admit(self, address: str) -> bytes | None:
        """Count a new connection; or the answer to refuse it with (nothing is counted)."""
        if self.count >= self.total:
            return TOO_MANY
        if self.per_address and self.open[address] >= self.per_address:
            return TOO_MANY_HERE
        self.take(address)
        return None

    def take(self, address: str) -> None:
        self.open[address] += 1
        self.count += 1

    def release(self, address: str) -> None:
        self.count -= 1
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]


def guarded_protocols(guard: ConnectionGuard) -> tuple[type[Any], type[Any]]:
    """uvicorn's HTTP and WebSocket protocol classes, under `guard`."""

    class GuardedWebSocket(WebSocketsSansIOProtocol):
        """A socket keeps the slot its upgrade request held until it closes."""

        _slot: str | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._slot = self.client[0] if self.client else ""
            guard.take(self._slot)

        def connection_lost(self, exc: Exception | None) -> None:
            if self._slot is not None:
                guard.release(self._slot)
                self._slot = None
            super().connection_lost(exc)

    class GuardedHttp(HttpToolsProtocol):
        _slot: str | None = None
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            address = self.client[0] if self.client else ""
            refusal = guard.admit(address)
            if refusal is not None:
                log.warning("connection from %s refused: %s", address, refusal.split(b"\r")[0])
                transport.write(refusal)
                transport.close()
                return
            self._slot = address
            self._arm(guard.header_timeout)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._deadline is None:  # the next request on a kept-alive connection
                self._arm(guard.header_timeout)

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            self._arm(guard.body_timeout)

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._disarm()

        def handle_websocket_upgrade(self) -> None:
            self._disarm()
            if self._slot is not None:  # handed over to the socket, which counts itself
                guard.release(self._slot)
                self._slot = None
            super().handle_websocket_upgrade()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._slot is not None:
                guard.release(self._slot)
                self._slot = None
            super().connection_lost(exc)

        def _arm(self, seconds: float) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            if self.cycle is None or self.cycle.response_complete or not _started(self.cycle):
                self.transport.write(TOO_SLOW)
            self.transport.close()

    return GuardedHttp, GuardedWebSocket


def _started(cycle: Any) -> bool:
    return bool(getattr(cycle, "response_started", False))
