"""Board state: what one Innovation Canvas holds, and its wire shape (PROTOCOL.md)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from board.model.template import Template

Card = dict[str, Any]

BOARD_FIELDS = frozenset({"title", "initiative", "theme"})
OLD_LOG_LIMIT = 1000
"""Changes a field's text log kept before it was bounded in bytes (checkpoints of then)."""


@dataclass(slots=True)
class BoardState:
    """One board. `sections` maps a section id to its card ids in display order."""

    id: str
    workshop: str
    template: Template
    kind: str = "board"
    """"board", or "stage": the workshop-wide state the facilitator steers (spotlight, timer)."""
    title: str = ""
    city: str = ""
    initiative: str = ""
    theme: str = ""
    mayor: str | None = None
    brief: dict[str, str] = field(default_factory=dict)
    seq: int = 0
    sections: dict[str, list[str]] = field(default_factory=dict)
    cards: dict[str, Card] = field(default_factory=dict)
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)
    rounds: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Dot-voting rounds by id; each keeps its dots, so results stay in snapshots."""
    locks: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Sections signed off as agreed: section id -> who and when."""
    private: dict[str, Any] | None = None
    """Private writing, while on: new cards are seen only by their authors until revealed."""
    stage: dict[str, Any] = field(default_factory=dict)
    text_log: dict[str, list[tuple[int, list[Any]]]] = field(default_factory=dict)
    """Recent changes per text field (seq, change), to rebase concurrent splices over; not part
    of the wire state, but kept in checkpoints so a client back after a restart still merges."""
    text_floor: int = 0
    """The log is complete for every seq above this one."""
    trash: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Recently deleted cards, with their place and comments, so an undo can bring one back
    (board.model.trash); like the text log, kept in checkpoints and not on the wire."""
    text_floors: dict[str, int] = field(default_factory=dict)
    """Per field: its log is complete only above this seq (older changes were dropped to keep
    the field's history within its byte budget, board.model.textops)."""
    text_bytes: dict[str, int] = field(default_factory=dict)
    """Per field: the size of its log, kept up to date as it grows (not stored)."""

    def to_checkpoint(self, *, share: bool = False) -> dict[str, Any]:
        """The wire state plus the text log: what a restart needs to carry on merging."""
        wire = self.to_wire(share=share)
        wire["text_log"] = {k: [[s, ops] for s, ops in v] for k, v in self.text_log.items()}
        wire["text_floor"] = self.text_floor
        wire["trash"] = [{"id": k, **v} for k, v in self.trash.items()]
        wire["text_floors"] = dict(self.text_floors)
        return wire

    def to_wire(self, *, share: bool = False) -> dict[str, Any]:
        """The board as PROTOCOL.md shows it (`welcome.state`, `GET /api/boards/{id}`).

        `share=True` skips the copies and aliases the live state: only for a caller that encodes
        the result at once (a checkpoint of a 10,000-card board spent half its time copying).
        """
        deep: Any = _shared if share else copy.deepcopy
        if self.kind == "stage":
            return {
                "id": self.id,
                "workshop": self.workshop,
                "kind": "stage",
                "seq": self.seq,
                "stage": deep(self.stage),
            }
        return {
            "id": self.id,
            "workshop": self.workshop,
            "kind": "board",
            "template": {"id": self.template.id, "version": self.template.version},
            "title": self.title,
            "city": self.city,
            "initiative": self.initiative,
            "theme": self.theme,
            "mayor": self.mayor,
            "brief": self.brief if share else dict(self.brief),
            "seq": self.seq,
            "sections": [
                {
                    "id": sid,
                    "title": self.template.section(sid)["title"],
                    "prompt": self.template.section(sid)["prompt"],
                    "cards": self.sections[sid] if share else list(self.sections[sid]),
                }
                for sid in self.template.section_ids
            ],
            "cards": self.cards if share else {cid: dict(c) for cid, c in self.cards.items()},
            "comments": (
                self.comments if share else {cid: dict(c) for cid, c in self.comments.items()}
            ),
            "rounds": deep(self.rounds),
            "locks": deep(self.locks),
            "private": deep(self.private),
        }

    def clone(self) -> BoardState:
        """A deep copy, for callers that must keep an old state (snapshots, previews)."""
        return BoardState(
            id=self.id,
            workshop=self.workshop,
            template=self.template,
            kind=self.kind,
            title=self.title,
            city=self.city,
            initiative=self.initiative,
            theme=self.theme,
            mayor=self.mayor,
            brief=dict(self.brief),
            seq=self.seq,
            sections={sid: list(ids) for sid, ids in self.sections.items()},
            cards=copy.deepcopy(self.cards),
            comments=copy.deepcopy(self.comments),
            rounds=copy.deepcopy(self.rounds),
            locks=copy.deepcopy(self.locks),
            private=copy.deepcopy(self.private),
            stage=copy.deepcopy(self.stage),
            text_log={k: list(v) for k, v in self.text_log.items()},
            text_floor=self.text_floor,
            trash=copy.deepcopy(self.trash),
            text_floors=dict(self.text_floors),
            text_bytes=dict(self.text_bytes),
        )


def _shared(value: Any) -> Any:
    return value


def new_board(
    template: Template,
    *,
    id: str,
    workshop: str,
    title: str = "",
    city: str = "",
    initiative: str = "",
    theme: str = "",
    mayor: str | None = None,
    brief: dict[str, str] | None = None,
) -> BoardState:
    """An empty board with every section of the template."""
    return BoardState(
        id=id,
        workshop=workshop,
        template=template,
        title=title,
        city=city,
        initiative=initiative,
        theme=theme,
        mayor=mayor,
        brief=dict(brief or {}),
        sections={sid: [] for sid in template.section_ids},
    )


def new_stage(template: Template, *, id: str, workshop: str) -> BoardState:
    """The workshop's stage: spotlight, timer and the agenda item running, as replayable ops."""
    return BoardState(
        id=id, workshop=workshop, template=template, kind="stage", stage=empty_stage()
    )


def empty_stage() -> dict[str, Any]:
    return {
        "spotlight": {"mode": "overview", "board": None, "section": None},
        "timer": {
            "status": "idle",
            "duration_ms": 0,
            "remaining_ms": 0,
            "ends_at": None,
            "label": "",
        },
        "agenda": None,
    }


def from_wire(template: Template, data: dict[str, Any]) -> BoardState:
    """Rebuild a board from its wire shape (a checkpoint, an import)."""
    if data.get("kind") == "stage":
        state = new_stage(template, id=data["id"], workshop=data["workshop"])
        state.seq = data.get("seq", 0)
        state.stage = copy.deepcopy(data["stage"])
        return state
    state = new_board(
        template,
        id=data["id"],
        workshop=data["workshop"],
        title=data.get("title", ""),
        city=data.get("city", ""),
        initiative=data.get("initiative", ""),
        theme=data.get("theme", ""),
        mayor=data.get("mayor"),
        brief=data.get("brief") or {},
    )
    state.seq = data.get("seq", 0)
    for section in data["sections"]:
        state.sections[section["id"]] = list(section["cards"])
    state.cards = {cid: dict(card) for cid, card in data["cards"].items()}
    state.comments = {cid: dict(c) for cid, c in (data.get("comments") or {}).items()}
    state.rounds = copy.deepcopy(data.get("rounds") or {})
    state.locks = copy.deepcopy(data.get("locks") or {})
    state.private = copy.deepcopy(data.get("private"))
    if "text_log" in data:
        state.text_log = {k: [(s, ops) for s, ops in v] for k, v in data["text_log"].items()}
        state.text_floor = data.get("text_floor", state.seq)
        state.text_floors = dict(data.get("text_floors") or {})
        if "text_floors" not in data:  # before byte budgets, a log was cut at 1,000 changes
            for key, log in state.text_log.items():
                if len(log) >= OLD_LOG_LIMIT:
                    state.text_floors[key] = log[0][0] - 1
    else:  # nothing is known of the text changes before this state
        state.text_floor = state.seq
    for entry in data.get("trash") or ():
        entry = copy.deepcopy(entry)
        state.trash[entry.pop("id")] = entry
    return state
