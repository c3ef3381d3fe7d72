"""create_app(settings): the routes as a list, and a lifespan that owns the store and the rooms."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from board import backup_api, console, history_api, http, joining, signin
from board.auth import OriginPolicy
from board.backups import BackupKeeper, BackupPlan, default_folder
from board.bodylimit import BodyLimit, BodyLimits
from board.config import Settings
from board.demo import ensure_demo
from board.errors import ErrorCode
from board.netinfo import base_urls, room_url
from board.quotas import PersonQuotas
from board.rooms import RoomRegistry
from board.services import Services
from board.snapshots import DayCloser
from board.store import STORAGE_ERRORS, Store
from board.ws import board_socket

log = logging.getLogger("brickboard")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


NO_STORE_PATHS = ("/api/", "/join")
"""Answers no cache may keep: people's data, exports, and invite links with their cookies."""


class SecurityHeaders:
    """Adds the CSP (no inline script, nothing from outside) and friends to every response,
    and `Cache-Control: no-store` to the JSON API and the join routes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra = SECURITY_HEADERS
        if scope["path"].startswith(NO_STORE_PATHS):
            extra = [*SECURITY_HEADERS, (b"cache-control", b"no-store")]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = getattr(exc, "code", None) or {
        404: ErrorCode.NOT_FOUND,
        405: ErrorCode.BAD_REQUEST,
    }.get(exc.status_code, ErrorCode.BAD_REQUEST)
    message = exc.detail if isinstance(exc, http.ApiError) else _GENERIC.get(exc.status_code)
    return http.error_response(code, message or str(exc.detail), exc.status_code)


async def _storage_error(request: Request, exc: Exception) -> Response:
    log.error("storage failed on %s %s: %s", request.method, request.url.path, exc)
    return http.error_response(
        ErrorCode.UNAVAILABLE,
        "The board could not reach its database; nothing was changed. Try again in a moment.",
        503,
    )


_GENERIC = {404: "There is nothing at this address.", 405: "This method is not allowed here."}


def _origin_of(url: str | None) -> list[str]:
    """The scheme://host[:port] of the public address people open (allowed automatically)."""
    if not url:
        return []
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"]


def create_app(
    settings: Settings,
    on_ready: Callable[[Services], Awaitable[None]] | None = None,
    *,
    database_prepared: bool = False,
) -> Starlette:
    """The whole server as one ASGI app; a test builds it in one line with a temporary database.

    `database_prepared`: the caller already checked and upgraded the database (`serve` does,
    before it listens, so that a problem is a sentence rather than a failed lifespan).
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        store = await Store.open(settings.db_url, prepared=database_prepared)
        urls = base_urls(settings.host, settings.port, settings.https)
        services = Services(
            settings=settings,
            store=store,
            rooms=RoomRegistry(store, card_cap=settings.card_cap),
            origins=OriginPolicy.of(
                [*urls, *settings.allowed_origins, *_origin_of(settings.public_url)]
            ),
            base_url=(
                settings.public_url or room_url(settings.host, settings.port, settings.https)
            ).rstrip("/"),
            quotas=PersonQuotas(settings.rate_limit, settings.sockets_per_person),
            backups=BackupKeeper(
                settings.db_url,
                BackupPlan(
                    Path(settings.backup_dir or default_folder(settings.db_url)),
                    settings.backup_every,
                    settings.backup_keep,
                ),
            ),
        )
        broker = None
        if settings.broker_url:
            from board.broker import RedisBroker  # Redis only for several processes

            broker = RedisBroker(
                settings.broker_url, services.rooms.on_message, services.rooms.on_reconnect
            )
            await broker.start()
            services.rooms.broker = broker
            services.rooms.start_sweeping()
        if settings.seed_demo:
            await ensure_demo(store)
        app.state.services = services
        closer = DayCloser(
            store, services.rooms, end=settings.day_end, on_close=services.backups.day_closed
        )
        closer.start()  # its first tick closes days missed while the server was down
        services.backups.start()
        if on_ready is not None:
            await on_ready(services)
        try:
            yield {}
        finally:
            await closer.stop()
            await services.backups.stop()
            await services.rooms.close()
            if broker is not None:
                await broker.stop()
            await store.close()

    routes = [
        *http.routes,
        *console.routes,
        *history_api.routes,
        *backup_api.routes,
        *joining.routes,
        *signin.routes,
        WebSocketRoute("/ws/boards/{board_id}", board_socket),
        Mount("/static", StaticFiles(directory=http.STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            HTTPException: _http_error,
            **dict.fromkeys(STORAGE_ERRORS, _storage_error),
        },
    )
    app.add_middleware(
        BodyLimit,
        limits=BodyLimits(
            default=settings.body_max, join=settings.join_body_max, imports=settings.import_max
        ),
    )
    app.add_middleware(SecurityHeaders)
    return app
