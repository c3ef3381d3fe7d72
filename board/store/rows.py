"""Rows of the database as the plain records of records.py (and back), shared by the Store and
the reader of committed state."""

from __future__ import annotations

import json
from typing import Any

from board.store.records import BoardRow, OpRecord, ParticipantRow, SnapshotRow, WorkshopRow


def workshop_row(row: Any) -> WorkshopRow:
    return WorkshopRow(
        id=row.id,
        title=row.title,
        venue=row.venue,
        timezone=row.timezone,
        template=row.template,
        template_version=row.template_version,
        days=json.loads(row.days),
        created_at=row.created_at,
        join_code=row.join_code,
    )


def participant_row(row: Any) -> ParticipantRow:
    return ParticipantRow(
        id=row.id,
        workshop=row.workshop_id,
        name=row.name,
        role=row.role,
        city=row.city,
        organisation=row.organisation,
        token=row.token,
        revoked=row.revoked,
    )


def board_row(row: Any) -> BoardRow:
    return BoardRow(
        id=row.id,
        workshop=row.workshop_id,
        title=row.title,
        city=row.city,
        initiative=row.initiative,
        theme=row.theme,
        mayor=row.mayor_id,
        brief=json.loads(row.brief),
        kind=row.kind,
    )


def snapshot_row(row: Any, *, with_state: bool) -> SnapshotRow:
    return SnapshotRow(
        id=row.id,
        board=row.board_id,
        seq=row.seq,
        label=row.label,
        kind=row.kind,
        day=row.day,
        taken_by=row.taken_by,
        taken_at=row.taken_at,
        hash=row.hash,
        state=row.state if with_state else None,
    )


def op_record(row: Any) -> OpRecord:
    return OpRecord(
        board=row.board_id,
        seq=row.seq,
        id=row.op_id,
        client=row.client,
        by=row.by,
        at=row.at,
        body=row.body,
        redacted=row.redacted,
    )


def board_values(board: BoardRow, created: str) -> dict[str, Any]:
    return {
        "id": board.id,
        "workshop_id": board.workshop,
        "title": board.title,
        "city": board.city,
        "initiative": board.initiative,
        "theme": board.theme,
        "mayor_id": board.mayor,
        "brief": json.dumps(board.brief),
        "kind": board.kind,
        "created_at": created,
    }
