"""The set-up API behind the facilitator's console: workshops, people, invitations, who is online.

Every route checks the caller is a facilitator of that workshop. State-changing requests also
need an allowed Origin (when the browser sends one) and a JSON body, on top of the SameSite
session cookie, so another site cannot drive them.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from board.api_models import PersonBody, PersonPatch, WorkshopBody, WorkshopPatch
from board.auth import participant_from
from board.errors import CloseCode, ErrorCode
from board.http import ApiError, board_summary, check_origin
from board.model import load_template
from board.model.permissions import Role
from board.protocol import describe
from board.roster import Person, build, check_person, demo_cities, enrol, new_token
from board.services import Services
from board.store import ParticipantRow, WorkshopRow

Body = TypeVar("Body", bound=BaseModel)


def _services(request: Request) -> Services:
    return request.app.state.services


async def facilitator_of(request: Request, workshop_id: str) -> ParticipantRow:
    """The caller, if they facilitate this workshop; 401 or 403 otherwise."""
    services = _services(request)
    check_origin(request)
    caller = await participant_from(services.store, request.cookies, request.headers)
    if caller is None:
        raise ApiError(ErrorCode.UNAUTHORIZED, "Sign in with your invite link first.")
    if caller.role != Role.FACILITATOR or caller.workshop != workshop_id:
        raise ApiError(ErrorCode.FORBIDDEN, "Only this workshop's facilitator can do that.")
    return caller


async def read_body(request: Request, model: type[Body]) -> Body:
    if "application/json" not in request.headers.get("content-type", ""):
        raise ApiError(ErrorCode.BAD_REQUEST, "Send the request body as application/json.")
    raw = await request.body()  # its size is limited while it streams (board.bodylimit)
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise ApiError(ErrorCode.BAD_REQUEST, describe(exc).replace("frame", "request")) from None


def _workshop_json(w: WorkshopRow) -> dict[str, Any]:
    return {
        "id": w.id,
        "title": w.title,
        "venue": w.venue,
        "timezone": w.timezone,
        "days": w.days,
        "template": {"id": w.template, "version": w.template_version},
    }


def _person_json(services: Services, p: ParticipantRow) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "role": p.role,
        "city": p.city,
        "organisation": p.organisation,
        "revoked": p.revoked,
        "join_url": None if p.revoked else services.join_url(p.token),
    }


def online(services: Services, workshop_id: str) -> list[dict[str, Any]]:
    """Who is connected right now, and on which board and section."""
    people = []
    for room in services.rooms.open_rooms():
        if room.state.workshop != workshop_id:
            continue
        for entry in room.presence():
            people.append({**entry, "board": room.board_id})
    return people


async def _participant_in(request: Request) -> tuple[ParticipantRow, ParticipantRow]:
    """The target participant and the calling facilitator of their workshop."""
    target = await _services(request).store.participant(request.path_params["participant_id"])
    if target is None:
        raise ApiError(ErrorCode.NOT_FOUND, "There is no such participant.")
    caller = await facilitator_of(request, target.workshop)
    return target, caller


# Routes -----------------------------------------------------------------------------------


async def get_workshop(request: Request) -> Response:
    workshop_id = request.path_params["workshop_id"]
    await facilitator_of(request, workshop_id)
    services = _services(request)
    workshop = await services.store.workshop(workshop_id)
    if workshop is None:  # pragma: no cover - the caller belongs to it
        raise ApiError(ErrorCode.NOT_FOUND, "There is no such workshop.")
    people = await services.store.participants(workshop_id)
    boards = await services.store.boards(workshop_id)
    return JSONResponse(
        {
            "workshop": _workshop_json(workshop),
            "participants": [_person_json(services, p) for p in people],
            "boards": [board_summary(b) for b in boards],
            "online": online(services, workshop_id),
            "join_code": workshop.join_code,
            "join_requests": await services.store.join_requests(workshop_id),
        }
    )


async def create_workshop(request: Request) -> Response:
    """A new workshop; the facilitator who creates it is its first facilitator."""
    services = _services(request)
    caller = await participant_from(services.store, request.cookies, request.headers)
    if caller is None or caller.role != Role.FACILITATOR:
        raise ApiError(ErrorCode.FORBIDDEN, "Only a facilitator can create a workshop.")
    await facilitator_of(request, caller.workshop)  # the Origin check too
    body = await read_body(request, WorkshopBody)
    me = Person(name=caller.name, role="facilitator", organisation=caller.organisation)
    roster = build(
        body.title,
        [me],
        venue=body.venue,
        timezone=body.timezone,
        days=[d.model_dump(mode="json") for d in body.days],
    )
    await services.store.create_workshop(roster.workshop, roster.participants, roster.boards)
    facilitator = roster.participants[0]
    return JSONResponse(
        {
            "workshop": _workshop_json(roster.workshop),
            "facilitator": _person_json(services, facilitator),
        },
        status_code=201,
    )


async def patch_workshop(request: Request) -> Response:
    workshop_id = request.path_params["workshop_id"]
    await facilitator_of(request, workshop_id)
    body = await read_body(request, WorkshopPatch)
    changes = body.model_dump(mode="json", exclude_none=True)
    if not changes:
        raise ApiError(
            ErrorCode.BAD_REQUEST, "Nothing to change: send title, venue, timezone or days."
        )
    store = _services(request).store
    boards = {b.id for b in await store.boards(workshop_id)}
    sections = set(load_template().section_ids)
    for day in changes.get("days", []):
        for n, item in enumerate(day["agenda"], start=1):
            where = f"Day {day['day']}, agenda item {n}"
            if item.get("board") and item["board"] not in boards:
                raise ApiError(
                    ErrorCode.BAD_REQUEST, f"{where}: that board is not in this workshop."
                )
            if item.get("section") and item["section"] not in sections:
                raise ApiError(ErrorCode.BAD_REQUEST, f"{where}: there is no such section.")
    await store.update_workshop(workshop_id, **changes)
    workshop = await store.workshop(workshop_id)
    assert workshop is not None
    return JSONResponse({"workshop": _workshop_json(workshop)})


async def add_participant(request: Request) -> Response:
    workshop_id = request.path_params["workshop_id"]
    await facilitator_of(request, workshop_id)
    body = await read_body(request, PersonBody)
    person = Person(**body.model_dump())
    problem = check_person(person)
    if problem:
        raise ApiError(ErrorCode.BAD_REQUEST, f"Cannot add {person.name}: {problem}.")
    participant, board = enrol(workshop_id, person)
    services = _services(request)
    await services.store.add_participant(participant, board)
    return JSONResponse(
        {
            "participant": _person_json(services, participant),
            "board": board_summary(board) if board else None,
        },
        status_code=201,
    )


async def patch_participant(request: Request) -> Response:
    target, _ = await _participant_in(request)
    body = await read_body(request, PersonPatch)
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise ApiError(ErrorCode.BAD_REQUEST, "Nothing to change: send name, city or organisation.")
    services = _services(request)
    if "city" in changes and changes["city"] != target.city and target.role == "mayor":
        raise ApiError(
            ErrorCode.CONFLICT,
            "A mayor's city is their board's city and cannot "
            "change after set-up; add the mayor again for another city.",
        )
    await services.store.update_participant(target.id, **changes)
    updated = await services.store.participant(target.id)
    assert updated is not None
    return JSONResponse({"participant": _person_json(services, updated)})


async def revoke(request: Request) -> Response:
    """Revoke an invitation: the link stops working and open sockets close at once."""
    target, caller = await _participant_in(request)
    if target.id == caller.id:
        raise ApiError(ErrorCode.CONFLICT, "You cannot revoke your own invitation.")
    return await _change_invitation(request, target, "Your invitation was revoked.", revoked=True)


async def reissue(request: Request) -> Response:
    """A new link for the same person; the old one (and its sessions) stop working."""
    target, _ = await _participant_in(request)
    return await _change_invitation(
        request, target, "Your invitation was re-issued.", token=new_token(), revoked=False
    )


async def _change_invitation(
    request: Request, target: ParticipantRow, reason: str, **changes: Any
) -> Response:
    """Store the change (which ends the person's sessions) and close their open sockets."""
    services = _services(request)
    await services.store.update_participant(target.id, **changes)
    for room, member in services.rooms.members_of(target.id):
        member.outbox.close(CloseCode.UNAUTHORIZED, reason)
        room.leave(member)
    updated = await services.store.participant(target.id)
    assert updated is not None
    return JSONResponse({"participant": _person_json(services, updated)})


async def template_cities(request: Request) -> Response:
    """The seed's cities with their demo initiatives, ready to add from the console."""
    caller = await participant_from(_services(request).store, request.cookies, request.headers)
    if caller is None:
        raise ApiError(ErrorCode.UNAUTHORIZED, "Sign in with your invite link first.")
    return JSONResponse({"cities": list(demo_cities().values()), "template": load_template().id})


routes = [
    Route("/api/workshops", create_workshop, methods=["POST"]),
    Route("/api/workshops/{workshop_id}", get_workshop, methods=["GET"]),
    Route("/api/workshops/{workshop_id}", patch_workshop, methods=["PATCH"]),
    Route("/api/workshops/{workshop_id}/participants", add_participant, methods=["POST"]),
    Route("/api/participants/{participant_id}", patch_participant, methods=["PATCH"]),
    Route("/api/participants/{participant_id}/revoke", revoke, methods=["POST"]),
    Route("/api/participants/{participant_id}/reissue", reissue, methods=["POST"]),
    Route("/api/cities", template_cities, methods=["GET"]),
]
