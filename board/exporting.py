"""Assembling exports: pick the snapshot, gather names and dates, render, bundle, import.

The rendering itself is pure (board.exports); this module does the reading around it.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from board import reading
from board.codec import encode
from board.exports.html import action_plan_html, pre_read_html
from board.exports.plan import Plan, Source, build_plan
from board.exports.text import action_plan_markdown, actions_csv, actions_ics
from board.model import Actor, BoardState, Context, Refusal, apply, load_template, new_board
from board.model.history import content
from board.model.visibility import Viewer
from board.protocol import BoardExport, describe
from board.rooms import RoomRegistry
from board.roster import new_id
from board.store import BoardRow, SnapshotRow, Store
from board.timeutil import now_iso

FORMATS = {
    "plan.html": "text/html; charset=utf-8",
    "plan.md": "text/markdown; charset=utf-8",
    "actions.csv": "text/csv; charset=utf-8",
    "actions.ics": "text/calendar; charset=utf-8",
    "board.json": "application/json",
}


class ImportRefused(ValueError):
    """A board export that cannot be imported; the message says why."""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "board"


@dataclass(slots=True)
class Frozen:
    """A board state to export, with the snapshot it came from (None: the live state)."""

    board: BoardRow
    state: dict[str, Any]
    snapshot: SnapshotRow | None


async def frozen(
    store: Store,
    rooms: RoomRegistry,
    board: BoardRow,
    viewer: Viewer,
    snapshot_id: str | None = None,
) -> Frozen:
    """The requested snapshot, else the latest one, else the committed live state: as `viewer`
    may see it, with hidden cards left out (a document lists no placeholders)."""
    if snapshot_id is not None:
        snap = await store.snapshot(snapshot_id)
        if snap is None or snap.board != board.id:
            raise LookupError("There is no such snapshot of this board.")
    else:
        listing = await store.snapshots(board.id)
        snap = await store.snapshot(listing[-1].id) if listing else None
    if snap is not None:
        return Frozen(board, reading.frozen(snap, viewer, form="document"), snap)
    return Frozen(board, await reading.live(rooms, board.id, viewer, form="document"), None)


async def plan_of(store: Store, item: Frozen) -> Plan:
    workshop = await store.workshop(item.board.workshop)
    assert workshop is not None
    people = await store.participants(workshop.id)
    snap = item.snapshot
    source = Source(
        workshop_title=workshop.title,
        dates=[d["date"] for d in workshop.days],
        snapshot_id=snap.id if snap else None,
        snapshot_label=snap.label if snap else "the live board (no snapshot yet)",
        snapshot_at=snap.taken_at if snap else now_iso(),
        seq=item.state["seq"],
        timezone=workshop.timezone,
        names={p.id: p.name for p in people},
        roles={p.id: p.role for p in people},
        mayor_name=next((p.name for p in people if p.id == item.board.mayor), ""),
    )
    return build_plan(item.state, source)


def board_json(item: Frozen, workshop_title: str) -> str:
    data = {
        "format": "brickboard.board",
        "version": 1,
        "exported_at": now_iso(),
        "workshop": {"id": item.board.workshop, "title": workshop_title},
        "snapshot": item.snapshot.meta() if item.snapshot else None,
        "board": item.state,
    }
    BoardExport.model_validate(data)  # what we hand out always passes our own schema
    return encode(data)


async def render(store: Store, item: Frozen, fmt: str) -> str:
    if fmt == "board.json":
        workshop = await store.workshop(item.board.workshop)
        assert workshop is not None
        return board_json(item, workshop.title)
    return render_plan(await plan_of(store, item), fmt)


def render_plan(plan: Plan, fmt: str) -> str:
    """A built plan in one of the plan formats (the ZIP renders one plan four times)."""
    if fmt == "plan.html":
        return action_plan_html(plan)
    if fmt == "plan.md":
        return action_plan_markdown(plan)
    if fmt == "actions.csv":
        return actions_csv(plan)
    if fmt == "actions.ics":
        return actions_ics(plan, now_iso())
    raise LookupError(f"Unknown export format; choose one of {', '.join(FORMATS)}.")


async def pre_read(store: Store, rooms: RoomRegistry, workshop_id: str, viewer: Viewer) -> str:
    """The pre-read packet as `viewer` may see the boards now."""
    workshop = await store.workshop(workshop_id)
    assert workshop is not None
    people = await store.participants(workshop_id)
    names = {p.id: p.name for p in people}
    boards = []
    for board in await store.boards(workshop_id):
        state = await reading.live(rooms, board.id, viewer, form="document")
        boards.append({"state": state, "mayor_name": names.get(board.mayor or "", "")})
    return pre_read_html(
        {"title": workshop.title, "venue": workshop.venue, "days": workshop.days},
        [
            {"name": p.name, "role": p.role, "city": p.city, "organisation": p.organisation}
            for p in people
            if not p.revoked
        ],
        boards,
        load_template().raw,
    )


async def workshop_zip(
    store: Store, rooms: RoomRegistry, workshop_id: str, viewer: Viewer
) -> bytes:
    """Every snapshot of every board as JSON, each mayor's action plan in every format, and
    the pre-read packet, in one ZIP: all of it as `viewer` may see it."""
    workshop = await store.workshop(workshop_id)
    assert workshop is not None
    buffer = io.BytesIO()
    listing = [f"{workshop.title}", f"exported {now_iso()}", ""]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for board in await store.boards(workshop_id):
            folder = slug(f"{board.city} {board.id[-4:]}")
            latest: Frozen | None = None  # snapshots come oldest first
            for meta in await store.snapshots(board.id):
                snap = await store.snapshot(meta.id)
                assert snap is not None and snap.state is not None
                name = f"snapshots/{folder}/{slug(snap.label)}-{snap.id}.json"
                latest = Frozen(board, reading.frozen(snap, viewer, form="document"), snap)
                zf.writestr(name, board_json(latest, workshop.title))
                listing.append(name)
            if latest is None:  # no snapshot yet: the plan comes from the live board
                latest = await frozen(store, rooms, board, viewer)
            plan = await plan_of(store, latest)
            for fmt in ("plan.html", "plan.md", "actions.csv", "actions.ics"):
                name = f"plans/{folder}/action-{fmt}"
                zf.writestr(name, render_plan(plan, fmt))
                listing.append(name)
        zf.writestr("pre-read.html", await pre_read(store, rooms, workshop_id, viewer))
        listing.append("pre-read.html")
        zf.writestr("CONTENTS.txt", "\n".join(listing) + "\n")
    return buffer.getvalue()


def parse_export(raw: bytes | str) -> BoardExport:
    """Validate a board export against its schema, or raise ImportRefused saying why."""
    try:
        export = BoardExport.model_validate_json(raw)
    except ValidationError as exc:
        message = describe(exc).replace("Invalid frame", "Invalid board export")
        raise ImportRefused(message) from None
    board = export.board
    ids = [cid for s in board.sections for cid in s.cards]
    if sorted(ids) != sorted(board.cards) or len(set(ids)) != len(ids):
        raise ImportRefused("Invalid board export: sections and cards do not list the same cards.")
    template = load_template()
    if [s.id for s in board.sections] != list(template.section_ids):
        raise ImportRefused("Invalid board export: its sections are not this canvas template's.")
    return export


def import_ops(export: BoardExport) -> list[dict[str, Any]]:
    """The ops that fill an empty board with the exported content, cards in their order."""
    board = export.board.model_dump(mode="json")
    changes: dict[str, Any] = {k: board[k] for k in ("title", "initiative", "theme") if board[k]}
    if board["brief"]:
        changes["brief"] = board["brief"]
    ops: list[dict[str, Any]] = [{"kind": "board.update", "set": changes}] if changes else []
    for section in board["sections"]:
        previous = None
        for card_id in section["cards"]:
            ops.append(
                {"kind": "card.add", "card": content(board["cards"][card_id]), "after": previous}
            )
            previous = card_id
    return ops


async def import_board(
    store: Store,
    rooms: RoomRegistry,
    workshop_id: str,
    raw: bytes | str,
    actor: Actor,
    *,
    card_cap: int = 0,
) -> BoardRow:
    """A new board in this workshop with the content of a board export.

    Everything is checked (schema, the card cap, then every op on a scratch board) before
    anything is created, so a refused import changes nothing.
    """
    export = parse_export(raw)
    if card_cap and len(export.board.cards) > card_cap:
        raise ImportRefused(
            f"This export has {len(export.board.cards):,} cards; a board holds at most "
            f"{card_cap:,}."
        )
    ops = import_ops(export)
    scratch = new_board(load_template(), id="scratch", workshop=workshop_id)
    for op in ops:
        result = apply(scratch, op, Context(at="", by=actor.id))
        if isinstance(result, Refusal):
            raise ImportRefused(f"Invalid board export: {result.message}")
    people = await store.participants(workshop_id)
    taken = {b.mayor for b in await store.boards(workshop_id)}
    mayor = next(
        (
            p.id
            for p in people
            if p.role == "mayor" and p.city == export.board.city and p.id not in taken
        ),
        None,
    )
    row = BoardRow(
        id=new_id("b"),
        workshop=workshop_id,
        title=export.board.title,
        city=export.board.city,
        initiative=export.board.initiative,
        theme=export.board.theme,
        mayor=mayor,
    )
    await store.add_board(row)
    room = await rooms.room(row.id)
    assert room is not None

    def fill(_: BoardState) -> list[dict[str, Any]]:
        return ops

    await room.apply_batch(actor, "import", fill)
    return row
