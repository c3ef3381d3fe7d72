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
from board.connguard import FD_RESERVE, ConnectionGuard, guarded_protocols, raise_file_limit
from board.logsafe import guard_logging
from board.services import Services
from board.store.startup import prepare_database


def uvicorn_config(settings: Settings, app: Starlette, log_level: str = "info") -> uvicorn.Config:
    files = raise_file_limit()
    guard = ConnectionGuard(
        per_address=settings.connections_per_address,
        total=max(1, min(settings.max_connections, files - FD_RESERVE)),
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
    )
    http, ws = guarded_protocols(guard)
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=http,
        ws=ws,
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
    config = uvicorn_config(settings, app, log_level)  # sets up uvicorn's loggers
    guard_logging()
    BoardServer(config, app).run()
    return 0
