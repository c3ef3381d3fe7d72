"""Joining with the room's code: a person picks their name, the facilitator approves.

For people who lost their invite link. The code shown on the projector only lets a laptop
*ask*; nobody is in until the facilitator says yes in the console, and the approved browser
gets an ordinary session. The request secret lives in an HttpOnly cookie of the asking browser,
so a bystander who knows the request id cannot collect the session.

Anyone who can read the projector has the code, so the code alone must not be enough to take a
seat (issue 12, item 3): requests never displace one another; each shows the facilitator when
it came, from which device and address, and a short code that the asking screen shows, read
aloud before approving; a device has one pending request at a time; lookups and requests are
limited per address; and the facilitator can rotate the room code from the console.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from board.auth import SESSION_COOKIE, participant_from
from board.console import facilitator_of, read_body
from board.devices import DEVICE_COOKIE, DEVICE_DAYS, device_label, new_device_id
from board.errors import ErrorCode
from board.http import SESSION_DAYS, ApiError, check_origin, home_of
from board.http import person as person_json
from board.roster import new_id, new_join_code
from board.services import Services
from board.store import Device, JoinRefused, WorkshopRow, secret_hash

JOIN_COOKIE = "bb_join"


class JoinBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    participant: str = Field(min_length=1, max_length=40)


def _services(request: Request) -> Services:
    return request.app.state.services


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


async def _workshop_of_code(request: Request) -> WorkshopRow:
    if not _services(request).join_lookups.take(_address(request)):
        raise ApiError(ErrorCode.RATE_LIMITED, TOO_MANY_TRIES)
    code = request.path_params["code"].strip().upper()
    workshop = await _services(request).store.workshop_by_code(code)
    if workshop is None:
        raise ApiError(ErrorCode.NOT_FOUND, "No workshop has that code; check the projector.")
    return workshop


TOO_MANY_TRIES = "Too many tries from this network just now; wait a minute, then try again."


async def who(request: Request) -> Response:
    """The names a person can pick from, once they typed the room's code."""
    workshop = await _workshop_of_code(request)
    people = await _services(request).store.participants(workshop.id)
    return JSONResponse(
        {
            "workshop": {"title": workshop.title},
            "people": [person_json(p) for p in people if not p.revoked],
        }
    )


async def ask(request: Request) -> Response:
    """A laptop asks to sign in as someone: one pending request per laptop, a few per
    address and minute, each with a code its screen shows for the facilitator to check."""
    check_origin(request)
    services = _services(request)
    workshop = await _workshop_of_code(request)
    body = await read_body(request, JoinBody)
    store = services.store
    person = await store.participant(body.participant)
    if person is None or person.workshop != workshop.id or person.revoked:
        raise ApiError(ErrorCode.NOT_FOUND, "That person is not on this workshop's list.")
    address = _address(request)
    if not services.join_asks.take(address):
        raise ApiError(ErrorCode.RATE_LIMITED, TOO_MANY_TRIES)
    device_id = request.cookies.get(DEVICE_COOKIE) or new_device_id()
    device = Device(
        hash=secret_hash(device_id),
        label=device_label(request.headers.get("user-agent", "")),
        address=address,
    )
    request_id = new_id("j")
    try:
        secret, code = await store.create_join_request(
            request_id, person, device, pending_max=services.settings.join_pending_max
        )
    except JoinRefused as refused:
        if refused.pending is not None:
            raise ApiError(
                ErrorCode.CONFLICT,
                "This laptop is already asking to join; show its code "
                f"{refused.pending['code']} to the facilitator, or cancel that request first.",
            ) from None
        raise ApiError(
            ErrorCode.RATE_LIMITED,
            "Many people are waiting to join already; ask the facilitator to let them in first.",
        ) from None
    response = JSONResponse(
        {"request": request_id, "status": "pending", "code": code}, status_code=201
    )
    _cookie(response, services, JOIN_COOKIE, f"{request_id}.{secret}", 3600)
    _cookie(response, services, DEVICE_COOKIE, device_id, DEVICE_DAYS * 86400)
    return response


def _cookie(response: Response, services: Services, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        httponly=True,
        samesite="lax",
        secure=services.settings.https,
        path="/",
    )


async def _mine(request: Request) -> tuple[str, dict[str, Any]]:
    request_id, _, secret = request.cookies.get(JOIN_COOKIE, "").partition(".")
    store = _services(request).store
    found = await store.join_request(request_id, secret) if request_id else None
    if found is None:
        raise ApiError(ErrorCode.NOT_FOUND, "There is no join request from this browser.")
    return request_id, found


async def mine(request: Request) -> Response:
    """The asking browser polls this; once approved it receives its session cookie here."""
    request_id, found = await _mine(request)
    store = _services(request).store
    if found["status"] == "pending":
        person = await store.participant(found["participant"])
        name = person.name if person else ""
        return JSONResponse({"status": "pending", "code": found["code"], "name": name})
    if found["status"] != "approved":
        return JSONResponse({"status": found["status"]})
    if not await store.set_join_request(request_id, "used", was="approved"):
        return JSONResponse({"status": "used"})
    person = await store.participant(found["participant"])
    assert person is not None
    session = await store.create_session(person.id)
    response = JSONResponse({"status": "approved", "redirect": await home_of(store, person)})
    _cookie(response, _services(request), SESSION_COOKIE, session, SESSION_DAYS * 86400)
    response.delete_cookie(JOIN_COOKIE, path="/")
    return response


async def cancel(request: Request) -> Response:
    """The asking browser takes its request back (the wrong name, or not needed any more)."""
    check_origin(request)
    request_id, found = await _mine(request)
    if found["status"] == "pending":
        await _services(request).store.set_join_request(request_id, "cancelled", was="pending")
    response = JSONResponse({"status": "cancelled"})
    response.delete_cookie(JOIN_COOKIE, path="/")
    return response


async def pending(request: Request) -> Response:
    workshop_id = request.path_params["workshop_id"]
    await facilitator_of(request, workshop_id)
    return JSONResponse({"requests": await _services(request).store.join_requests(workshop_id)})


async def decide(request: Request) -> Response:
    store = _services(request).store
    decision = request.path_params["decision"]
    found = await store.join_request(request.path_params["request_id"])
    if found is None or decision not in ("approve", "deny"):
        raise ApiError(ErrorCode.NOT_FOUND, "There is no such join request.")
    await facilitator_of(request, found["workshop"])
    status = "approved" if decision == "approve" else "denied"
    if not await store.set_join_request(found["id"], status, was="pending"):
        raise ApiError(ErrorCode.CONFLICT, "That request was already answered.")
    return JSONResponse({"request": found["id"], "status": status})


async def join_code(request: Request) -> Response:
    """The code for the projector's join screen (facilitator and observer), or a new one."""
    workshop_id = request.path_params["workshop_id"]
    services = _services(request)
    if request.method == "POST":
        await facilitator_of(request, workshop_id)
        await services.store.update_workshop(workshop_id, join_code=new_join_code())
    else:
        caller = await participant_from(services.store, request.cookies, request.headers)
        if (
            caller is None
            or caller.workshop != workshop_id
            or caller.role not in ("facilitator", "observer")
        ):
            raise ApiError(
                ErrorCode.FORBIDDEN,
                "Only the facilitator and the projector can show the join code.",
            )
    workshop = await services.store.workshop(workshop_id)
    assert workshop is not None
    return JSONResponse(
        {"code": workshop.join_code, "url": f"{services.base_url}/join", "title": workshop.title}
    )


routes = [
    Route("/api/join/{code}", who, methods=["GET"]),
    Route("/api/join/{code}", ask, methods=["POST"]),
    Route("/api/join-requests/mine", mine, methods=["GET"]),
    Route("/api/join-requests/mine", cancel, methods=["DELETE"]),
    Route("/api/join-requests/{request_id}/{decision:str}", decide, methods=["POST"]),
    Route("/api/workshops/{workshop_id}/join-requests", pending, methods=["GET"]),
    Route("/api/workshops/{workshop_id}/join-code", join_code, methods=["GET", "POST"]),
]
