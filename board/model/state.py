"""Board state: what one Innovation Canvas holds, and its wire shape (PROTOCOL.md)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from board.model.template import Template

Card = dict[str, Any]

BOARD_FIELDS = frozenset({"title", "initiative", "theme"})


@dataclass(slots=True)
class BoardState:
    """One board. `sections` maps a section id to its card ids in display order."""

    id: str
    workshop: str
    template: Template
    title: str = ""
    city: str = ""
    initiative: str = ""
    theme: str = ""
    mayor: str | None = None
    brief: dict[str, str] = field(default_factory=dict)
    seq: int = 0
    sections: dict[str, list[str]] = field(default_factory=dict)
    cards: dict[str, Card] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        """The board as PROTOCOL.md shows it (`welcome.state`, `GET /api/boards/{id}`)."""
        return {
            "id": self.id,
            "workshop": self.workshop,
            "template": {"id": self.template.id, "version": self.template.version},
            "title": self.title,
            "city": self.city,
            "initiative": self.initiative,
            "theme": self.theme,
            "mayor": self.mayor,
            "brief": dict(self.brief),
            "seq": self.seq,
            "sections": [
                {
                    "id": sid,
                    "title": self.template.section(sid)["title"],
                    "prompt": self.template.section(sid)["prompt"],
                    "cards": list(self.sections[sid]),
                }
                for sid in self.template.section_ids
            ],
            "cards": {cid: dict(card) for cid, card in self.cards.items()},
        }

    def clone(self) -> BoardState:
        """A deep copy, for callers that must keep an old state (snapshots, previews)."""
        return BoardState(
            id=self.id,
            workshop=self.workshop,
            template=self.template,
            title=self.title,
            city=self.city,
            initiative=self.initiative,
            theme=self.theme,
            mayor=self.mayor,
            brief=dict(self.brief),
            seq=self.seq,
            sections={sid: list(ids) for sid, ids in self.sections.items()},
            cards=copy.deepcopy(self.cards),
        )


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


def from_wire(template: Template, data: dict[str, Any]) -> BoardState:
    """Rebuild a board from its wire shape (a checkpoint, an import)."""
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
    return state
