"""Comparing and restoring board states: the pure part of snapshots and history.

A snapshot is a board state at a seq. `diff` names the cards added, removed and changed
between two of them, section by section; `restore_ops` turns "make the board look like this
snapshot again" into ordinary ops, so a restore is itself in the history, broadcast live, and
undone by restoring the snapshot taken before it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from board.model.ops import CARD_SERVER_FIELDS, Context, Refusal, apply
from board.model.state import BOARD_FIELDS, BoardState

Wire = dict[str, Any]
PROVENANCE = CARD_SERVER_FIELDS  # who and when: not content, not compared


def content_hash(state: Wire) -> str:
    """A stable fingerprint of a board state (its wire shape), to prove a snapshot unchanged."""
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def content(card: Wire) -> Wire:
    """What a card says, without who wrote it or when."""
    return {k: v for k, v in card.items() if k not in PROVENANCE}


def same_content(a: Wire, b: Wire) -> bool:
    """Whether two states say the same: board fields, brief, every card's content and place
    (who wrote what, and when, aside). What an undone restore expects to find."""
    fields = (*sorted(BOARD_FIELDS), "brief")
    return (
        all(a.get(k) == b.get(k) for k in fields)
        and [s["cards"] for s in a["sections"]] == [s["cards"] for s in b["sections"]]
        and {i: content(c) for i, c in a["cards"].items()}
        == {i: content(c) for i, c in b["cards"].items()}
    )


def diff(before: Wire, after: Wire) -> dict[str, Any]:
    """Cards added, removed and changed per section (by the section they are in `after`,
    or were in `before` for removed cards), with the fields that changed."""
    sections: dict[str, dict[str, list[Any]]] = {
        s["id"]: {"added": [], "removed": [], "changed": []} for s in after["sections"]
    }
    old, new = before["cards"], after["cards"]
    for card_id, card in new.items():
        if card_id not in old:
            sections[card["section"]]["added"].append(card)
            continue
        was = old[card_id]
        fields = sorted(
            k for k in content(was).keys() | content(card).keys() if was.get(k) != card.get(k)
        )
        if fields:
            sections[card["section"]]["changed"].append(
                {"before": was, "after": card, "fields": fields}
            )
    for card_id, card in old.items():
        if card_id not in new:
            sections[card["section"]]["removed"].append(card)
    board_fields = sorted(k for k in (*BOARD_FIELDS, "brief") if before.get(k) != after.get(k))
    return {
        "from_seq": before["seq"],
        "to_seq": after["seq"],
        "board": board_fields,
        "sections": sections,
        "counts": {
            kind: sum(len(s[kind]) for s in sections.values())
            for kind in ("added", "removed", "changed")
        },
    }


def restore_ops(current: BoardState, target: Wire, restorer: str = "") -> list[Wire]:
    """The ops that make `current` say exactly what `target` says (content and order).

    Each op is tried on a copy with the real reducer as it is chosen, so the list is exactly
    what the room will apply: board fields, then deletes, then section by section the adds,
    moves and field updates that put every card after the same neighbour as in `target`.

    `target` is the snapshot as the restorer may see it (`visible_to`). A card hidden from
    the restorer, a placeholder in `target` or another person's private card on the board
    now, is left exactly as it is: a restore never publishes, deletes or rewrites what the
    person restoring could not see.
    """
    work = current.clone()
    left_alone = {cid for cid, c in target["cards"].items() if c.get("hidden")} | {
        cid for cid, c in work.cards.items() if c.get("private") and c["author"] != restorer
    }
    ops: list[Wire] = []

    def emit(op: Wire) -> None:
        result = apply(work, op, Context(at="", by=""))
        if isinstance(result, Refusal):  # pragma: no cover - a target that is not a board
            raise ValueError(f"cannot restore: {result.message}")
        ops.append(op)

    board_set: Wire = {
        k: target.get(k, "") for k in sorted(BOARD_FIELDS) if getattr(work, k) != target.get(k, "")
    }
    then = target.get("brief") or {}
    brief = {
        k: then.get(k) for k in work.brief.keys() | then.keys() if work.brief.get(k) != then.get(k)
    }
    if brief:
        board_set["brief"] = brief
    if board_set:
        emit({"kind": "board.update", "set": board_set})
    goal_cards = target["cards"]
    for card_id in [c for c in work.cards if c not in goal_cards and c not in left_alone]:
        emit({"kind": "card.delete", "card": card_id})
    for section in target["sections"]:
        previous: str | None = None
        for card_id in section["cards"]:
            if card_id in left_alone:
                continue
            goal = content(goal_cards[card_id])
            if card_id not in work.cards:
                body = {k: v for k, v in goal.items()}
                emit({"kind": "card.add", "card": body, "after": previous})
            else:
                ids = work.sections[work.cards[card_id]["section"]]
                index = ids.index(card_id)
                neighbour = ids[index - 1] if index > 0 else None
                if work.cards[card_id]["section"] != section["id"] or neighbour != previous:
                    emit(
                        {
                            "kind": "card.move",
                            "card": card_id,
                            "section": section["id"],
                            "after": previous,
                        }
                    )
                have = content(work.cards[card_id])
                keeps = work.template.fields_for(goal["type"], section["id"])
                changes = {
                    k: goal.get(k)
                    for k in goal.keys() | have.keys()
                    if k not in ("id", "section")
                    and goal.get(k) != have.get(k)
                    # a field the new type lacks goes with the type change itself
                    and (k in goal or k in keeps or k in ("text", "type"))
                }
                if changes:
                    emit({"kind": "card.update", "card": card_id, "set": changes})
            previous = card_id
    return ops
