"""Run the app under uvicorn with the protocol's limits (frame size, no compression)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import uvicorn

from board.app import create_app
from board.config import Settings
from board.services import Services


class RedactJoinTokens(logging.Filter):
    """Invite tokens never reach a log: the access log shows /join/… without the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def _redact(text: str) -> str:
    if "/join/" not in text:
        return text
    head, _, _ = text.partition("/join/")
    return f"{head}/join/…"


def uvicorn_config(
    settings: Settings,
    on_ready: Callable[[Services], Awaitable[None]] | None = None,
    log_level: str = "info",
) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(settings, on_ready=on_ready),
        host=settings.host,
        port=settings.port,
        ws="websockets-sansio",
        ws_max_size=settings.frame_max,
        ws_per_message_deflate=False,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        ssl_certfile=settings.certfile,
        ssl_keyfile=settings.keyfile,
        timeout_graceful_shutdown=5,
        log_level=log_level,
        server_header=False,
    )


def serve(
    settings: Settings,
    on_ready: Callable[[Services], Awaitable[None]] | None = None,
    log_level: str = "info",
) -> int:
    config = uvicorn_config(settings, on_ready, log_level)
    logging.getLogger("uvicorn.access").addFilter(RedactJoinTokens())
    uvicorn.Server(config).run()
    return 0
