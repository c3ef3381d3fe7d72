"""Run the app under uvicorn with the protocol's limits (frame size, no compression)."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable

import uvicorn
from starlette.applications import Starlette

from board.app import create_app
from board.config import Settings
from board.services import Services
from board.store.startup import prepare_database


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


def uvicorn_config(settings: Settings, app: Starlette, log_level: str = "info") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ws="websockets-sansio",
        ws_max_size=settings.frame_max,
        ws_per_message_deflate=False,
        ws_ping_interval=settings.ping_interval,
        ws_ping_timeout=settings.ping_interval,
        ssl_certfile=settings.certfile,
        ssl_keyfile=settings.keyfile,
        timeout_graceful_shutdown=5,
        log_level=log_level,
        server_header=False,
    )


class BoardServer(uvicorn.Server):
    """uvicorn, but on SIGTERM the rooms drain first: every op already received is committed
    and acknowledged (or refused as `unavailable`) before uvicorn closes the sockets."""

    def __init__(self, config: uvicorn.Config, app: Starlette) -> None:
        super().__init__(config)
        self.board_app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()  # no new connections while draining
        services: Services | None = getattr(self.board_app.state, "services", None)
        if services is not None:
            try:
                async with asyncio.timeout(DRAIN_SECONDS):
                    await services.rooms.close()
            except TimeoutError:
                logging.getLogger("brickboard").error("draining the rooms took too long")
        await super().shutdown(sockets)


DRAIN_SECONDS = 5.0


def serve(
    settings: Settings,
    on_ready: Callable[[Services], Awaitable[None]] | None = None,
    log_level: str = "info",
) -> int:
    asyncio.run(prepare_database(settings.db_url))  # DatabaseProblem: the CLI says why
    app = create_app(settings, on_ready=on_ready, database_prepared=True)
    config = uvicorn_config(settings, app, log_level)
    logging.getLogger("uvicorn.access").addFilter(RedactJoinTokens())
    BoardServer(config, app).run()
    return 0
