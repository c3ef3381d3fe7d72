"""The socket endpoint `/ws/boards/{board_id}`: authenticate, join the room, relay frames.

One reader (this handler) and one sender (the client's Outbox) per connection. Every op goes
through the room, whose reducer checks the actor's role on every single op.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from board.auth import actor_of, participant_from
from board.codec import error_frame
from board.errors import CloseCode, ErrorCode
from board.model import Actor
from board.outbox import Outbox
from board.protocol import BadFrame, Hello, OpFrame, Ping, PresenceFrame, parse_client_frame
from board.ratelimit import TokenBucket
from board.rooms import RESTARTING, Member, Room, RoomClosed
from board.services import Services
from board.store import ParticipantRow

log = logging.getLogger("brickboard.ws")

PONG = '{"type":"pong"}'
_SLOW_DOWN = "Too many edits at once; this one was not applied, send it again in a moment."
_TOO_MANY_FRAMES = "Too many frames; this connection is closed. Reconnect in a moment."


class _Transport:
    """Adapts a Starlette WebSocket to the rooms' Transport protocol."""

    def __init__(self, websocket: WebSocket) -> None:
        self._ws = websocket

    async def send_text(self, text: str) -> None:
        await self._ws.send_text(text)

    async def close(self, code: int, reason: str) -> None:
        await self._ws.close(code, reason)


class _Refuse(Exception):
    def __init__(self, code: ErrorCode, message: str, close: int) -> None:
        self.code, self.message, self.close_code = code, message, close


_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
"""A JSON escape of a UTF-16 surrogate: fine in a pair, not alone (it cannot be encoded)."""
NOT_UNICODE = "The frame holds text that is not valid Unicode (a lone surrogate); send UTF-8."


def _decode(message: dict[str, Any]) -> Any:
    text = message.get("text")
    if text is None:
        raise BadFrame("Only text frames are accepted; send JSON as text.")
    try:
        data = json.loads(text)
    except RecursionError:
        raise BadFrame("The frame is nested too deeply.") from None
    except ValueError:
        raise BadFrame("The frame is not valid JSON.") from None
    if _SURROGATE.search(text) and not _encodable(data):
        # A lone surrogate would go into the log, then fail to encode in every event sent
        # with it, and in the commit it shares with everyone else's ops.
        raise BadFrame(NOT_UNICODE)
    return data


def _encodable(data: Any) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def _receive(websocket: WebSocket) -> dict[str, Any]:
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    return message


async def board_socket(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    board_id = websocket.path_params["board_id"]
    origin = websocket.headers.get("origin")
    if origin is not None and not services.origins.allows(origin):
        log.info("socket refused: origin %r is not allowed", origin)
        await websocket.close(CloseCode.POLICY)  # before accept: the handshake gets HTTP 403
        return
    admitted = await _admit(websocket, services, board_id, origin)
    if admitted is None:
        return
    room, actor, client, since, ops = admitted
    try:
        await _serve(websocket, services, room, actor, client, since, ops)
    finally:
        services.quotas.leave(actor.id)


async def _admit(
    websocket: WebSocket, services: Services, board_id: str, origin: str | None
) -> tuple[Room, Actor, str, int | None, TokenBucket] | None:
    """Accept, read hello, authenticate, take a seat and find the room; or refuse and close.
    Kept apart so the session row and the other handshake objects are freed for the
    connection's lifetime. On success the caller must give the seat back (quotas.leave)."""
    session = await participant_from(services.store, websocket.cookies, {})
    await websocket.accept()
    try:
        hello = await _hello(websocket, services.settings.hello_timeout)
        participant = await _authenticate(services, session, hello, origin)
        room = await _room_for(services, participant, board_id)
        ops = services.quotas.seat(participant.id)
        if ops is None:
            raise _Refuse(
                ErrorCode.RATE_LIMITED,
                f"You have {services.settings.sockets_per_person} connections open already; "
                "close some tabs or windows and reload.",
                CloseCode.FLOODING,
            )
    except _Refuse as refused:
        await websocket.send_text(error_frame(None, refused.code, refused.message))
        await websocket.close(refused.close_code, refused.message[:120])
        return None
    except WebSocketDisconnect:
        return None
    return room, actor_of(participant), hello.client, hello.since, ops


async def _hello(websocket: WebSocket, timeout: float) -> Hello:
    try:
        async with asyncio.timeout(timeout):
            message = await _receive(websocket)
    except TimeoutError:
        raise _Refuse(
            ErrorCode.BAD_REQUEST, f"Send hello within {timeout:g} s.", CloseCode.POLICY
        ) from None
    try:
        frame = parse_client_frame(_decode(message))
    except BadFrame as bad:
        raise _Refuse(ErrorCode.BAD_REQUEST, bad.message, CloseCode.POLICY) from None
    if not isinstance(frame, Hello):
        raise _Refuse(ErrorCode.BAD_REQUEST, "The first frame must be hello.", CloseCode.POLICY)
    return frame


async def _authenticate(
    services: Services, session: ParticipantRow | None, hello: Hello, origin: str | None
) -> ParticipantRow:
    participant = None
    if hello.token:
        participant = await services.store.participant_by_token(hello.token)
    elif origin is not None:
        # A browser: the session cookie, re-read so a revoke between handshake and hello counts.
        participant = session and await services.store.participant(session.id)
        if participant is not None and participant.revoked:
            participant = None
    if participant is None:
        message = (
            "This invitation is not valid (it may have been revoked); ask the facilitator."
            if hello.token or session
            else "Sign in with your invite link first (or send a token in hello)."
        )
        raise _Refuse(ErrorCode.UNAUTHORIZED, message, CloseCode.UNAUTHORIZED)
    return participant


async def _room_for(services: Services, participant: ParticipantRow, board_id: str) -> Room:
    board = await services.store.board(board_id)
    if board is None:
        raise _Refuse(ErrorCode.NOT_FOUND, "There is no such board.", CloseCode.NOT_FOUND)
    if board.workshop != participant.workshop:
        raise _Refuse(
            ErrorCode.FORBIDDEN, "This board belongs to another workshop.", CloseCode.FORBIDDEN
        )
    if services.rooms.draining:
        raise _Refuse(ErrorCode.UNAVAILABLE, RESTARTING, CloseCode.SERVICE_RESTART)
    room = await services.rooms.room(board_id)
    if room is None:  # pragma: no cover - the board row was just read
        raise _Refuse(ErrorCode.NOT_FOUND, "There is no such board.", CloseCode.NOT_FOUND)
    return room


async def _serve(
    websocket: WebSocket,
    services: Services,
    room: Room,
    actor: Actor,
    client: str,
    since: int | None,
    ops: TokenBucket,
) -> None:
    """Relay frames until the socket closes. Every frame, whatever it holds, is counted
    against the socket's frame budget first; an op also against its person's op rate."""
    settings = services.settings
    member = Member(
        actor=actor, client=client, outbox=Outbox(_Transport(websocket), settings.queue_bound)
    )
    frames = TokenBucket(settings.frame_budget, 2 * settings.frame_budget)
    try:
        try:
            await room.join(member, since)
        except RoomClosed:
            await websocket.send_text(error_frame(None, ErrorCode.UNAVAILABLE, RESTARTING))
            await websocket.close(CloseCode.SERVICE_RESTART)
            return
        while not member.outbox.closed:
            message = await _receive(websocket)
            if not frames.take():
                log.info("closing a socket of %s: over its frame budget", actor.id)
                member.outbox.put(error_frame(None, ErrorCode.RATE_LIMITED, _TOO_MANY_FRAMES))
                await member.outbox.drain_and_close(CloseCode.FLOODING, "Too many frames.", 1.0)
                break
            try:
                data = _decode(message)
                frame = parse_client_frame(data)
            except BadFrame as bad:
                member.outbox.put(error_frame(_op_id(message), ErrorCode.BAD_REQUEST, bad.message))
                continue
            if isinstance(frame, OpFrame):
                if not ops.take():
                    member.outbox.put(error_frame(frame.id, ErrorCode.RATE_LIMITED, _SLOW_DOWN))
                    if ops.flooding:
                        await member.outbox.drain_and_close(CloseCode.FLOODING, "Too many ops.")
                        break
                    continue
                room.submit(member, frame.id, data["op"])
            elif isinstance(frame, PresenceFrame):
                room.set_focus(member, frame.focus.model_dump() if frame.focus else None)
            elif isinstance(frame, Ping):
                member.outbox.put(PONG)
            else:
                member.outbox.put(
                    error_frame(None, ErrorCode.BAD_REQUEST, "hello was already received.")
                )
    except WebSocketDisconnect:
        pass
    finally:
        room.leave(member)
        member.outbox.close(CloseCode.NORMAL, "")


def _op_id(message: dict[str, Any]) -> str | None:
    """The op id of a refused frame when one can be read, so the client can match the error."""
    try:
        data = json.loads(message.get("text") or "")
    except (ValueError, RecursionError):
        return None
    op_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(op_id, str) or len(op_id) > 64 or not _encodable(op_id):
        return None
    return op_id
