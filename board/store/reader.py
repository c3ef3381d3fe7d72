"""The narrow reader of committed state: what exports, archives and the pre-read read.

Straight from the database, never through a live room: a board's state is its latest
checkpoint with the ops committed after it replayed by the pure core (`board.model.replay`),
exactly what a restart would rebuild. A workshop's records come in one go (the workshop, its
people, its boards, its closed days), and a workshop's snapshots in one query, so a ZIP of N
boards does not ask for the workshop and its people N times.

It hands out whole states; what a person may see of them is decided by the caller through
`board.model.visibility.visible_to`, like every other reader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from board.model import BoardState, Template, replay
from board.model.people import display_names
from board.model.state import from_wire, new_board, new_stage
from board.store import tables as t
from board.store.records import BoardRow, OpRecord, ParticipantRow, SnapshotRow, WorkshopRow
from board.store.rows import board_row, op_record, participant_row, snapshot_row, workshop_row


@dataclass(frozen=True, slots=True)
class WorkshopRecords:
    """A workshop and everything around its boards, read together."""

    workshop: WorkshopRow
    people: list[ParticipantRow]
    boards: list[BoardRow]
    """The canvases, in the order they were made (not the stage)."""
    closed_days: dict[int, dict[str, Any]]

    def names(self) -> dict[str, str]:
        """Who is who in the records: namesakes told apart (board.model.people)."""
        return display_names(
            {
                "id": p.id,
                "name": p.name,
                "role": p.role,
                "city": p.city,
                "organisation": p.organisation,
            }
            for p in self.people
        )


class Reader:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def workshop(self, workshop_id: str) -> WorkshopRecords | None:
        async with self._engine.connect() as conn:
            query = select(t.workshops).where(t.workshops.c.id == workshop_id)
            row = (await conn.execute(query)).first()
            if row is None:
                return None
            people = await conn.execute(
                select(t.participants)
                .where(t.participants.c.workshop_id == workshop_id)
                .order_by(t.participants.c.created_at, t.participants.c.name)
            )
            boards = await conn.execute(
                select(t.boards)
                .where(t.boards.c.workshop_id == workshop_id, t.boards.c.kind == "board")
                .order_by(t.boards.c.created_at, t.boards.c.city)
            )
            closes = await conn.execute(
                select(t.day_closes).where(t.day_closes.c.workshop_id == workshop_id)
            )
            return WorkshopRecords(
                workshop=workshop_row(row),
                people=[participant_row(p) for p in people],
                boards=[board_row(b) for b in boards],
                closed_days={
                    c.day: {"closed_at": c.closed_at, "by": c.closed_by, "automatic": c.automatic}
                    for c in closes
                },
            )

    async def board_state(self, board: BoardRow, template: Template) -> BoardState:
        """The board as committed: its checkpoint, and every op after it replayed."""
        async with self._engine.connect() as conn:
            query = select(t.board_states).where(t.board_states.c.board_id == board.id)
            checkpoint = (await conn.execute(query)).first()
            if checkpoint is not None:
                state = from_wire(template, json.loads(checkpoint.state))
            elif board.kind == "stage":
                state = new_stage(template, id=board.id, workshop=board.workshop)
            else:
                state = new_board(
                    template,
                    id=board.id,
                    workshop=board.workshop,
                    title=board.title,
                    city=board.city,
                    initiative=board.initiative,
                    theme=board.theme,
                    mayor=board.mayor,
                    brief=board.brief,
                )
            tail = await _ops(conn, board.id, state.seq)
        return replay(state, (r.event() for r in tail))

    async def snapshots(self, board_ids: list[str]) -> dict[str, list[SnapshotRow]]:
        """Every snapshot of these boards, with its state, oldest first per board."""
        found: dict[str, list[SnapshotRow]] = {board_id: [] for board_id in board_ids}
        query = (
            select(t.snapshots)
            .where(t.snapshots.c.board_id.in_(board_ids))
            .order_by(t.snapshots.c.board_id, t.snapshots.c.taken_at, t.snapshots.c.seq)
        )
        async with self._engine.connect() as conn:
            for row in await conn.execute(query):
                found[row.board_id].append(snapshot_row(row, with_state=True))
        return found

    async def ops(self, board_id: str) -> list[OpRecord]:
        """A board's whole op log, in seq order (as stored: hidden ops with their placeholder)."""
        async with self._engine.connect() as conn:
            return await _ops(conn, board_id, 0)


async def _ops(conn: AsyncConnection, board_id: str, since: int) -> list[OpRecord]:
    query = (
        select(t.ops).where(t.ops.c.board_id == board_id, t.ops.c.seq > since).order_by(t.ops.c.seq)
    )
    return [op_record(row) for row in await conn.execute(query)]
