"""Pages and the JSON API. Every request is authenticated and checked against the roles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from board import __version__, reading
from board.auth import actor_of, participant_from
from board.errors import HTTP_STATUS, ErrorCode
from board.model import load_template
from board.model.people import display_names
from board.services import Services
from board.store import BoardRow, ParticipantRow, Store

STATIC = Path(__file__).resolve().parent.parent / "static"
SESSION_DAYS = 14


class ApiError(HTTPException):
    """An HTTP error with a code of PROTOCOL.md and a sentence, answered as JSON."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(HTTP_STATUS[code], message)
        self.code = code


def check_origin(request: Request) -> None:
    """A state-changing request sent by a browser must come from one of our own pages."""
    origin = request.headers.get("origin")
    if request.method in ("GET", "HEAD") or origin is None:
        return
    if not request.app.state.services.origins.allows(origin):
        raise ApiError(ErrorCode.FORBIDDEN, "Requests from another site are not accepted.")


def error_response(code: ErrorCode | str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": {"code": str(code), "message": message}}, status_code=status)


def _services(request: Request) -> Services:
    return request.app.state.services


async def _participant(request: Request) -> ParticipantRow:
    participant = await participant_from(_services(request).store, request.cookies, request.headers)
    if participant is None:
        raise ApiError(ErrorCode.UNAUTHORIZED, "Sign in with your invite link first.")
    return participant


def board_summary(board: BoardRow) -> dict[str, Any]:
    return {
        "id": board.id,
        "title": board.title,
        "city": board.city,
        "initiative": board.initiative,
        "theme": board.theme,
        "mayor": board.mayor,
    }


def person(p: ParticipantRow) -> dict[str, str]:
    return {"id": p.id, "name": p.name, "role": p.role, "city": p.city}


# Pages ------------------------------------------------------------------------------------


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type="text/html")


async def home(request: Request) -> Response:
    participant = await participant_from(_services(request).store, request.cookies, request.headers)
    if participant is None:
        return _page("welcome.html")
    return RedirectResponse(await _home_of(request, participant), status_code=303)


async def _home_of(request: Request, participant: ParticipantRow) -> str:
    return await home_of(_services(request).store, participant)


async def home_of(store: Store, participant: ParticipantRow) -> str:
    """Each role's landing page: the console, the mayor's own board, the list, the projector."""
    if participant.role == "facilitator":
        return "/console"
    if participant.role == "observer":  # the projector's laptop, or an organiser watching
        return "/present"
    boards = await store.boards(participant.workshop)
    if participant.role == "mayor":
        for board in boards:
            if board.mayor == participant.id:
                return f"/boards/{board.id}"
    return "/boards"


async def join_page(request: Request) -> Response:
    return _page("join.html")


def role_page(name: str, *roles: str) -> Callable[[Request], Awaitable[Response]]:
    """A static page for signed-in participants of these roles (all roles when none given);
    anyone else is sent to their own home page."""

    async def page(request: Request) -> Response:
        store = _services(request).store
        participant = await participant_from(store, request.cookies, request.headers)
        if participant is None:
            return RedirectResponse("/", status_code=303)
        if roles and participant.role not in roles:
            return RedirectResponse(await _home_of(request, participant), status_code=303)
        return _page(name)

    return page


# JSON API ---------------------------------------------------------------------------------


async def healthz(request: Request) -> Response:
    services = _services(request)
    return JSONResponse(
        {"ok": True, "version": __version__, "open_boards": len(services.rooms.open_rooms())}
    )


async def me(request: Request) -> Response:
    participant = await _participant(request)
    store = _services(request).store
    workshop = await store.workshop(participant.workshop)
    assert workshop is not None
    boards = await store.boards(participant.workshop)
    stage = await store.stage_of(participant.workshop)
    return JSONResponse(
        {
            "me": person(participant),
            "stage": stage.id if stage else None,
            "workshop": {"id": workshop.id, "title": workshop.title, "venue": workshop.venue},
            "boards": [board_summary(b) for b in boards],
        }
    )


async def people(request: Request) -> Response:
    """Everyone of the caller's workshop as the others name them (no tokens): the board, the
    history and the run page show "Maria Lopez (Austin, TX)" when two people share a name."""
    participant = await _participant(request)
    everyone = await _services(request).store.participants(participant.workshop)
    rows = [
        {"id": p.id, "name": p.name, "role": p.role, "city": p.city, "organisation": p.organisation}
        for p in everyone
    ]
    labels = display_names(rows)
    return JSONResponse({"people": [{**row, "label": labels[row["id"]]} for row in rows]})


async def board_state(request: Request) -> Response:
    participant = await _participant(request)
    services = _services(request)
    board = await services.store.board(request.path_params["board_id"])
    if board is None:
        raise ApiError(ErrorCode.NOT_FOUND, "There is no such board.")
    if board.workshop != participant.workshop:
        raise ApiError(ErrorCode.FORBIDDEN, "This board belongs to another workshop.")
    return JSONResponse(await reading.live(services.rooms, board.id, actor_of(participant)))


async def template(request: Request) -> Response:
    await _participant(request)
    return JSONResponse(load_template().raw)


routes = [
    Route("/", home),
    Route("/join", join_page),
    Route("/boards", role_page("boards.html")),
    Route("/console", role_page("console.html", "facilitator")),
    Route("/run", role_page("run.html", "facilitator")),
    Route("/cross", role_page("cross.html", "facilitator")),
    Route("/preread", role_page("preread.html", "facilitator")),
    Route("/present", role_page("present.html", "facilitator", "observer")),
    Route("/room", role_page("room.html", "facilitator", "observer")),
    Route("/boards/{board_id}", role_page("board.html")),
    Route("/boards/{board_id}/history", role_page("history.html")),
    Route("/healthz", healthz),
    Route("/api/me", me),
    Route("/api/people", people),
    Route("/api/template", template),
    Route("/api/boards/{board_id}", board_state),
]
