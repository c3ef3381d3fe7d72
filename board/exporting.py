"""One board's exports, and importing a board export.

An export reads committed state through the store's narrow reader (board/store/reader.py),
never a live room: the board now (its checkpoint and the ops after it) or one of its
snapshots, as the person asking may see it (`visible_to`, document form). Rendering is pure
(board.exports). The workshop ZIP is board/archive.py.
"""

from __future__ import annotations

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
from board.model.visibility import Viewer, visible_to
from board.protocol import BoardExport, describe
from board.rooms import RoomRegistry
from board.roster import new_id
from board.store import BoardRow, SnapshotRow, Store
from board.store.reader import WorkshopRecords
from board.timeutil import now_iso

FORMATS = {
    "plan.html": "text/html; charset=utf-8",
    "plan.md": "text/markdown; charset=utf-8",
    "actions.csv": "text/csv; charset=utf-8",
    "actions.ics": "text/calendar; charset=utf-8",
    "board.json": "application/json",
}
NOW = "now"
"""The source that is the board's current committed state, beside every snapshot."""


class ImportRefused(ValueError):
    """A board export that cannot be imported; the message says why."""


@dataclass(slots=True)
class View:
    """A board as one person may see it, from one source: the board now, or a snapshot."""

    board: BoardRow
    state: dict[str, Any]
    snapshot: SnapshotRow | None
    """None: the board now."""
    read_at: str
    """When it was read (now), or when the snapshot was taken."""


def now_view(board: BoardRow, state: BoardState, viewer: Viewer) -> View:
    return View(board, visible_to(state, viewer, form="document"), None, now_iso())


def snapshot_view(board: BoardRow, snapshot: SnapshotRow, viewer: Viewer) -> View:
    return View(
        board, reading.frozen(snapshot, viewer, form="document"), snapshot, snapshot.taken_at
    )


async def view(
    store: Store, records: WorkshopRecords, board: BoardRow, viewer: Viewer, source: str | None
) -> View:
    """The board from `source` (a snapshot id; None or "now": the board now) as `viewer` may
    see it; LookupError for a snapshot that is not this board's."""
    if source in (None, "", NOW):
        template = load_template(records.workshop.template)
        return now_view(board, await store.reader.board_state(board, template), viewer)
    snap = await store.snapshot(source)
    if snap is None or snap.board != board.id:
        raise LookupError("There is no such snapshot of this board.")
    return snapshot_view(board, snap, viewer)


def plan_of(records: WorkshopRecords, item: View) -> Plan:
    workshop = records.workshop
    snap = item.snapshot
    source = Source(
        workshop_title=workshop.title,
        dates=[d["date"] for d in workshop.days],
        snapshot_id=snap.id if snap else None,
        snapshot_label=snap.label if snap else "the board now",
        snapshot_at=item.read_at,
        seq=item.state["seq"],
        timezone=workshop.timezone,
        names=records.names(),
        roles={p.id: p.role for p in records.people},
        mayor_name=next((p.name for p in records.people if p.id == item.board.mayor), ""),
    )
    return build_plan(item.state, source)


def board_json(item: View, workshop_title: str) -> str:
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


def render(records: WorkshopRecords, item: View, fmt: str) -> str:
    if fmt == "board.json":
        return board_json(item, records.workshop.title)
    return render_plan(plan_of(records, item), fmt)


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


def pre_read_of(records: WorkshopRecords, views: list[View]) -> str:
    """The pre-read packet from boards already read (as their reader may see them)."""
    names = records.names()
    workshop = records.workshop
    return pre_read_html(
        {"title": workshop.title, "venue": workshop.venue, "days": workshop.days},
        [
            {"name": p.name, "role": p.role, "city": p.city, "organisation": p.organisation}
            for p in records.people
            if not p.revoked
        ],
        [{"state": v.state, "mayor_name": names.get(v.board.mayor or "", "")} for v in views],
        load_template(workshop.template).raw,
    )


async def pre_read(store: Store, workshop_id: str, viewer: Viewer) -> str:
    """The pre-read packet as `viewer` may see the boards now."""
    records = await store.reader.workshop(workshop_id)
    if records is None:
        raise LookupError("There is no such workshop.")
    template = load_template(records.workshop.template)
    views = [
        now_view(board, await store.reader.board_state(board, template), viewer)
        for board in records.boards
    ]
    return pre_read_of(records, views)


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
