"""What a live room keeps of the events it committed, and small rules about them.

An event is encoded once for everyone; when it touches hidden content it has a second text,
its placeholder, for everyone the visibility rule does not let see it whole. Recent events
answer resends and short resumes without the database; op ids are looked up per author.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

from board.codec import canonical, decode
from board.model.state import BOARD_FIELDS
from board.model.visibility import Viewer, sees_hidden_of
from board.store import OpRecord

RECENT_EVENTS = 2048


class Sender(Protocol):
    """Who sent an op: a member of the room (or the server, for a restore or an import)."""

    @property
    def outbox(self) -> Any: ...


@dataclass(slots=True)
class Event:
    """An op accepted by the room (committed, or in the commit being made)."""

    record: OpRecord
    op: dict[str, Any]
    text: str
    sender: Sender | None
    hidden_text: str | None = None
    """The event as everyone but its author sees it, when it touches hidden content."""

    @classmethod
    def of(cls, record: OpRecord, op: dict[str, Any], sender: Sender | None) -> Event:
        hidden = None if record.redacted is None else record.seen_by(None)
        return cls(record, op, record.event_text(), sender, hidden)

    def text_for(self, viewer: Viewer) -> str:
        return as_seen(self.text, self.hidden_text, self.record.by, viewer)


def as_seen(text: str, hidden: str | None, by: str, viewer: Viewer) -> str:
    """An event as `viewer` receives it: its placeholder, if it has one, unless the one
    visibility rule lets them see it whole."""
    return hidden if hidden is not None and not sees_hidden_of(viewer, by) else text


@dataclass
class OpIds:
    """Every op id used on the board, per author: ids are unique per author, not per board,
    so a resend is looked up among its sender's own ops only."""

    by_author: dict[str, dict[str, int]] = field(default_factory=dict)

    def used(self, by: str, op_id: str) -> bool:
        return op_id in self.by_author.get(by, ())

    def add(self, by: str, op_id: str, seq: int) -> None:
        self.by_author.setdefault(by, {})[op_id] = seq

    def forget(self, by: str, op_id: str) -> None:
        self.by_author.get(by, {}).pop(op_id, None)


@dataclass
class RecentEvents:
    """The latest committed events, to answer resends and short resumes without the database."""

    by_id: OrderedDict[tuple[str, str], tuple[int, str, str, str | None, str]] = field(
        default_factory=OrderedDict
    )
    """(author, op id) -> the event."""

    def add(self, event: Event) -> None:
        r = event.record
        self.by_id[r.by, r.id] = (r.seq, r.body, event.text, event.hidden_text, r.by)
        if len(self.by_id) > RECENT_EVENTS:
            self.by_id.popitem(last=False)

    def oldest_seq(self) -> int | None:
        return next(iter(self.by_id.values()))[0] if self.by_id else None

    def texts_after(self, since: int, viewer: Viewer) -> list[str]:
        return [
            as_seen(text, hidden, by, viewer)
            for seq, _, text, hidden, by in self.by_id.values()
            if seq > since
        ]


def board_list_changes(events: list[Event]) -> list[tuple[str, dict[str, Any]]]:
    """Board-list changes carried by board.update ops (title, initiative, theme)."""
    return [
        (e.record.board, {k: v for k, v in e.op["set"].items() if k in BOARD_FIELDS})
        for e in events
        if e.op["kind"] == "board.update" and BOARD_FIELDS & e.op["set"].keys()
    ]


def has_gap(records: list[OpRecord]) -> bool:
    return any(b.seq != a.seq + 1 for a, b in itertools.pairwise(records))


def records_from(message: str) -> list[OpRecord]:
    return [OpRecord(**r) for r in decode(message)]


def same_op(stored_body: str, op: dict[str, Any]) -> bool:
    """Whether a resent op is the one stored (which may carry what the server added)."""
    body = canonical(op)
    if stored_body == body:
        return True
    stored = decode(stored_body)
    client_part = {k: v for k, v in stored.items() if k != "server"}
    return "server" in stored and canonical(client_part) == body
