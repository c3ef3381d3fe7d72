"""A whole workshop written at once, from an archive: all of it in one transaction, or nothing.

The workshop, its people (with new invite tokens), its boards (each with a checkpoint at the
state and seq the archive holds), their snapshots and the closed days. The op log is not part
of an archive (its activity.csv is the human record), so an imported board's log starts after
the archive's seq: new edits get the next numbers, and every state still loads from its
checkpoint.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select

from board.store import tables as t
from board.store.engine import Store
from board.store.integrity import note_workshops
from board.store.records import BoardRow, ParticipantRow, SnapshotRow, WorkshopRow
from board.store.rows import board_values
from board.timeutil import now_iso


async def clashes(
    store: Store,
    workshop_id: str,
    people: Sequence[str],
    boards: Sequence[str],
    snapshots: Sequence[str],
) -> list[str]:
    """What of an archive this database holds already (ids are kept on import)."""
    found = []
    async with store.engine.connect() as conn:
        for table, ids in (
            (t.workshops, [workshop_id]),
            (t.participants, list(people)),
            (t.boards, list(boards)),
            (t.snapshots, list(snapshots)),
        ):
            rows = await conn.execute(select(table.c.id).where(table.c.id.in_(ids)))
            found += [row.id for row in rows]
    return found


async def insert_workshop(
    store: Store,
    workshop: WorkshopRow,
    people: Sequence[ParticipantRow],
    boards: Sequence[BoardRow],
    states: Sequence[tuple[str, int, str]],
    snapshots: Sequence[SnapshotRow],
    closed_days: Sequence[dict[str, Any]],
) -> None:
    """Write it all in one transaction (`states`: board id, seq, state JSON)."""
    created = now_iso()
    async with store.writing, store.engine.begin() as conn:
        await conn.execute(
            insert(t.workshops).values(
                id=workshop.id,
                title=workshop.title,
                venue=workshop.venue,
                timezone=workshop.timezone,
                template=workshop.template,
                template_version=workshop.template_version,
                days=json.dumps(workshop.days),
                join_code=workshop.join_code,
                created_at=workshop.created_at or created,
            )
        )
        if people:
            await conn.execute(
                insert(t.participants),
                [
                    {
                        "id": p.id,
                        "workshop_id": workshop.id,
                        "name": p.name,
                        "role": p.role,
                        "city": p.city,
                        "organisation": p.organisation,
                        "token": p.token,
                        "revoked": p.revoked,
                        "created_at": created,
                    }
                    for p in people
                ],
            )
        await conn.execute(insert(t.boards), [board_values(b, created) for b in boards])
        if states:
            await conn.execute(
                insert(t.board_states),
                [
                    {"board_id": b, "seq": seq, "state": state, "updated_at": created}
                    for b, seq, state in states
                ],
            )
        if snapshots:
            await conn.execute(
                insert(t.snapshots),
                [
                    {
                        "id": s.id,
                        "board_id": s.board,
                        "seq": s.seq,
                        "label": s.label,
                        "kind": s.kind,
                        "day": s.day,
                        "taken_by": s.taken_by,
                        "taken_at": s.taken_at,
                        "hash": s.hash,
                        "state": s.state,
                    }
                    for s in snapshots
                ],
            )
        if closed_days:
            await conn.execute(
                insert(t.day_closes),
                [
                    {
                        "workshop_id": workshop.id,
                        "day": d["day"],
                        "closed_at": d["closed_at"],
                        "closed_by": d.get("by"),
                        "automatic": bool(d.get("automatic")),
                    }
                    for d in closed_days
                ],
            )
    if store.file is not None:
        note_workshops(store.file)
