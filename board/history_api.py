"""History, snapshots, day closes, restores, exports and imports over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from board import archive, exporting, reading, snapshots
from board.auth import actor_of, participant_from
from board.codec import decode
from board.console import facilitator_of, read_body
from board.errors import ErrorCode
from board.exports.names import export_name, slug
from board.exports.render import DOCUMENT_CSP
from board.http import ApiError, board_summary, check_origin
from board.model.days import current_day
from board.model.history import diff
from board.model.people import display_names
from board.rooms import BatchRefused
from board.services import Services
from board.store import BoardRow, ParticipantRow, SnapshotRow
from board.timeutil import now_iso


class LabelBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    label: str = Field(min_length=1, max_length=200)


class RestoreBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    snapshot: str = Field(min_length=1, max_length=40)
    expect: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="Undo of a restore: the snapshot whose content the board must still show.",
    )


def _services(request: Request) -> Services:
    return request.app.state.services


async def _reader(request: Request, board_id: str) -> tuple[ParticipantRow, BoardRow]:
    """Any participant of the board's workshop (reading is open to every role)."""
    services = _services(request)
    caller = await participant_from(services.store, request.cookies, request.headers)
    if caller is None:
        raise ApiError(ErrorCode.UNAUTHORIZED, "Sign in with your invite link first.")
    board = await services.store.board(board_id)
    if board is None:
        raise ApiError(ErrorCode.NOT_FOUND, "There is no such board.")
    if board.workshop != caller.workshop:
        raise ApiError(ErrorCode.FORBIDDEN, "This board belongs to another workshop.")
    return caller, board


async def _owner(request: Request, board_id: str) -> tuple[ParticipantRow, BoardRow]:
    """The facilitator, or the mayor whose board it is."""
    caller, board = await _reader(request, board_id)
    if caller.role == "facilitator" or (caller.role == "mayor" and board.mayor == caller.id):
        check_origin(request)
        return caller, board
    raise ApiError(ErrorCode.FORBIDDEN, "Only the facilitator and this board's mayor can do that.")


async def list_snapshots(request: Request) -> Response:
    _, board = await _reader(request, request.path_params["board_id"])
    store = _services(request).store
    rows = await store.snapshots(board.id)
    return JSONResponse({"board": board_summary(board), "snapshots": [r.meta() for r in rows]})


async def take_board_snapshot(request: Request) -> Response:
    board = await _services(request).store.board(request.path_params["board_id"])
    if board is None:
        raise ApiError(ErrorCode.NOT_FOUND, "There is no such board.")
    caller = await facilitator_of(request, board.workshop)
    body = await read_body(request, LabelBody)
    services = _services(request)
    rows = await snapshots.take(
        services.store, services.rooms, [board.id], label=body.label, by=caller.id
    )
    return JSONResponse({"snapshots": [r.meta() for r in rows]}, status_code=201)


async def take_workshop_snapshot(request: Request) -> Response:
    workshop_id = request.path_params["workshop_id"]
    caller = await facilitator_of(request, workshop_id)
    body = await read_body(request, LabelBody)
    services = _services(request)
    boards = [b.id for b in await services.store.boards(workshop_id)]
    rows = await snapshots.take(
        services.store, services.rooms, boards, label=body.label, by=caller.id
    )
    return JSONResponse({"snapshots": [r.meta() for r in rows]}, status_code=201)


async def get_snapshot(request: Request) -> Response:
    store = _services(request).store
    snap = await store.snapshot(request.path_params["snapshot_id"])
    if snap is None:
        raise ApiError(ErrorCode.NOT_FOUND, "There is no such snapshot.")
    caller, _ = await _reader(request, snap.board)
    state = reading.frozen(snap, actor_of(caller))
    return JSONResponse({"snapshot": snap.meta(), "state": state})


async def board_diff(request: Request) -> Response:
    """Two snapshots compared (`from`, `to`; `to=live` for the board now). Without them: the
    last two day closes, else the latest snapshot against the live board."""
    caller, board = await _reader(request, request.path_params["board_id"])
    viewer = actor_of(caller)
    services = _services(request)
    store = services.store
    listing = await store.snapshots(board.id)
    first, second = request.query_params.get("from"), request.query_params.get("to")
    if first is None:
        closes = [s for s in listing if s.kind == "day_close"]
        if len(closes) >= 2:
            first, second = closes[-2].id, closes[-1].id
        elif listing:
            first, second = listing[-1].id, "live"
        else:
            raise ApiError(ErrorCode.NOT_FOUND, "This board has no snapshot yet to compare.")

    async def side(snapshot_id: str | None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        if snapshot_id in (None, "live", exporting.NOW):
            return None, await reading.live(services.rooms, board.id, viewer, form="document")
        snap = await store.snapshot(snapshot_id)
        if snap is None or snap.board != board.id:
            raise ApiError(ErrorCode.NOT_FOUND, "There is no such snapshot of this board.")
        return snap.meta(), reading.frozen(snap, viewer, form="document")

    (meta_a, a), (meta_b, b) = await side(first), await side(second)
    result = diff(a, b)
    removed = {c["id"] for s in result["sections"].values() for c in s["removed"]}
    removed_by: dict[str, str] = {}
    if a["seq"] < b["seq"] and removed:
        for record in await store.ops_since(board.id, a["seq"], b["seq"]):
            op = decode(record.body)
            if op.get("kind") == "card.delete" and op.get("card") in removed:
                removed_by[op["card"]] = record.by
    people = display_names(
        {"id": p.id, "name": p.name, "role": p.role, "city": p.city, "organisation": p.organisation}
        for p in await store.participants(board.workshop)
    )
    return JSONResponse(
        {"from": meta_a, "to": meta_b, "diff": result, "removed_by": removed_by, "names": people}
    )


async def restore(request: Request) -> Response:
    caller, board = await _owner(request, request.path_params["board_id"])
    body = await read_body(request, RestoreBody)
    services = _services(request)

    async def snapshot_of_board(snapshot_id: str) -> SnapshotRow:
        snap = await services.store.snapshot(snapshot_id)
        if snap is None or snap.board != board.id:
            raise ApiError(ErrorCode.NOT_FOUND, "There is no such snapshot of this board.")
        return snap

    snap = await snapshot_of_board(body.snapshot)
    expect = None if body.expect is None else await snapshot_of_board(body.expect)
    try:
        before, events = await snapshots.restore(
            services.store, services.rooms, snap, actor_of(caller), expect=expect
        )
    except BatchRefused as refused:
        raise ApiError(ErrorCode(refused.refusal.code), refused.refusal.message) from None
    return JSONResponse(
        {
            "restored": snap.meta(),
            "before": before.meta(),
            "ops": len(events),
            "seq": events[-1]["seq"] if events else None,
        }
    )


async def days(request: Request) -> Response:
    workshop_id = request.path_params["workshop_id"]
    services = _services(request)
    caller = await participant_from(services.store, request.cookies, request.headers)
    if caller is None or caller.workshop != workshop_id:
        raise ApiError(ErrorCode.FORBIDDEN, "Only this workshop's participants can see its days.")
    workshop = await services.store.workshop(workshop_id)
    assert workshop is not None
    closed = await services.store.closed_days(workshop_id)
    today = current_day(workshop.days, workshop.timezone, datetime.now(UTC))
    return JSONResponse(
        {
            "timezone": workshop.timezone,
            "current": today,
            "days": [{**d, "closed": closed.get(d["day"])} for d in workshop.days],
        }
    )


async def close_day(request: Request) -> Response:
    workshop_id = request.path_params["workshop_id"]
    caller = await facilitator_of(request, workshop_id)
    day = request.path_params["day"]
    services = _services(request)
    workshop = await services.store.workshop(workshop_id)
    assert workshop is not None
    if day not in {d["day"] for d in workshop.days}:
        raise ApiError(ErrorCode.NOT_FOUND, f"Day {day} is not one of this workshop's days.")
    rows = await snapshots.close_day(
        services.store, services.rooms, workshop_id, day, by=caller.id, auto=False
    )
    if rows is None:
        raise ApiError(ErrorCode.CONFLICT, f"Day {day} is already closed.")
    services.backups.day_closed(workshop_id, day)
    return JSONResponse({"day": day, "snapshots": [r.meta() for r in rows]}, status_code=201)


def _download(text: str, media: str, filename: str, inline: bool) -> Response:
    headers = {
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{filename}"'
    }
    if media.startswith("text/html"):
        headers["Content-Security-Policy"] = DOCUMENT_CSP
    return Response(text, media_type=media, headers=headers)


async def export_board(request: Request) -> Response:
    """One board in one format, from `?snapshot=ID` or the board now (`now`, the default)."""
    caller, board = await _owner(request, request.path_params["board_id"])
    fmt = request.path_params["fmt"]
    if fmt not in exporting.FORMATS:
        raise ApiError(
            ErrorCode.NOT_FOUND, f"Unknown export; choose {', '.join(exporting.FORMATS)}."
        )
    store = _services(request).store
    records = await store.reader.workshop(board.workshop)
    assert records is not None
    try:
        item = await exporting.view(
            store, records, board, actor_of(caller), request.query_params.get("snapshot")
        )
    except LookupError as missing:
        raise ApiError(ErrorCode.NOT_FOUND, str(missing)) from None
    text = exporting.render(records, item, fmt)
    name = export_name(board.city, board.title, fmt)
    inline = fmt == "plan.html" and request.query_params.get("download") is None
    return _download(text, exporting.FORMATS[fmt], name, inline)


async def export_workshop(request: Request) -> Response:
    workshop_id = request.path_params["workshop_id"]
    caller = await facilitator_of(request, workshop_id)
    store = _services(request).store
    data = await archive.workshop_zip(store, workshop_id, actor_of(caller))
    workshop = await store.workshop(workshop_id)
    assert workshop is not None
    name = f"{slug(workshop.title, 'workshop')}-{now_iso()[:10]}.zip"
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def pre_read(request: Request) -> Response:
    workshop_id = request.path_params["workshop_id"]
    services = _services(request)
    caller = await participant_from(services.store, request.cookies, request.headers)
    if caller is None or caller.workshop != workshop_id:
        raise ApiError(ErrorCode.FORBIDDEN, "Only this workshop's participants can read it.")
    text = await exporting.pre_read(services.store, workshop_id, actor_of(caller))
    return _download(
        text,
        "text/html; charset=utf-8",
        "pre-read.html",
        request.query_params.get("download") is None,
    )


async def import_board(request: Request) -> Response:
    workshop_id = request.path_params["workshop_id"]
    caller = await facilitator_of(request, workshop_id)
    raw = await request.body()  # limited while it streams (board.bodylimit, --max-import-mib)
    services = _services(request)
    try:
        row = await exporting.import_board(
            services.store,
            services.rooms,
            workshop_id,
            raw,
            actor_of(caller),
            card_cap=services.settings.card_cap,
        )
    except exporting.ImportRefused as refused:
        raise ApiError(ErrorCode.BAD_REQUEST, str(refused)) from None
    return JSONResponse({"board": board_summary(row)}, status_code=201)


routes = [
    Route("/api/boards/{board_id}/snapshots", list_snapshots, methods=["GET"]),
    Route("/api/boards/{board_id}/snapshots", take_board_snapshot, methods=["POST"]),
    Route("/api/boards/{board_id}/diff", board_diff, methods=["GET"]),
    Route("/api/boards/{board_id}/restore", restore, methods=["POST"]),
    Route("/api/boards/{board_id}/export/{fmt}", export_board, methods=["GET"]),
    Route("/api/snapshots/{snapshot_id}", get_snapshot, methods=["GET"]),
    Route("/api/workshops/{workshop_id}/snapshots", take_workshop_snapshot, methods=["POST"]),
    Route("/api/workshops/{workshop_id}/days", days, methods=["GET"]),
    Route("/api/workshops/{workshop_id}/days/{day:int}/close", close_day, methods=["POST"]),
    Route("/api/workshops/{workshop_id}/export.zip", export_workshop, methods=["GET"]),
    Route("/api/workshops/{workshop_id}/pre-read.html", pre_read, methods=["GET"]),
    Route("/api/workshops/{workshop_id}/boards/import", import_board, methods=["POST"]),
]
