"""Plain records passed across the store boundary (no SQLAlchemy objects leak out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from board.model.visibility import Viewer, sees_hidden_of


@dataclass(frozen=True, slots=True)
class OpRecord:
    """One applied op, as stored in the append-only log and sent as an `op` event."""

    board: str
    seq: int
    id: str
    client: str
    by: str
    at: str
    body: str  # canonical JSON of the op object, as stored (with what the server added)
    redacted: str | None = None
    """The op as everyone but its author sees it (a placeholder), when it touches hidden content."""

    def event_text(self) -> str:
        """The whole `op` event as JSON text, made from the stored body without decoding it."""
        from board.codec import op_event

        return op_event(self.seq, self.id, self.client, self.by, self.at, self.body)

    def seen_by(self, viewer: Viewer) -> str:
        """The `op` event as `viewer` may see it: its placeholder, unless they may see it whole."""
        from board.codec import op_event

        hidden = self.redacted is not None and not sees_hidden_of(viewer, self.by)
        body = self.redacted if hidden else self.body
        return op_event(self.seq, self.id, self.client, self.by, self.at, body)  # type: ignore[arg-type]

    def event(self) -> dict[str, Any]:
        """The whole `op` event, decoded (for replay)."""
        from board.codec import decode

        return {
            "type": "op",
            "seq": self.seq,
            "id": self.id,
            "client": self.client,
            "by": self.by,
            "at": self.at,
            "op": decode(self.body),
        }


@dataclass(frozen=True, slots=True)
class WorkshopRow:
    id: str
    title: str
    venue: str = ""
    timezone: str = "UTC"
    template: str = "innovation-canvas"
    template_version: int = 1
    days: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = ""
    join_code: str | None = None


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    id: str
    workshop: str
    name: str
    role: str
    city: str = ""
    organisation: str = ""
    token: str = ""
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class BoardRow:
    id: str
    workshop: str
    title: str
    city: str
    initiative: str
    theme: str
    mayor: str | None
    brief: dict[str, str] = field(default_factory=dict)
    kind: str = "board"  # or "stage", the workshop's spotlight and timer


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    """A board state frozen at a seq. Never updated: a new snapshot is a new row."""

    id: str
    board: str
    seq: int
    label: str
    kind: str  # day_close, manual, before_restore, import
    day: int | None
    taken_by: str | None
    taken_at: str
    hash: str
    state: str | None = None  # JSON; None in listings

    def meta(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "board": self.board,
            "seq": self.seq,
            "label": self.label,
            "kind": self.kind,
            "day": self.day,
            "taken_by": self.taken_by,
            "taken_at": self.taken_at,
            "hash": self.hash,
        }
