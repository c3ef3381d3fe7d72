"""Deleted cards kept, so an undo can bring one back as it was (docs/undo.md).

`card.restore` returns a card its deleter deleted: same id, section and place, fields, author
and comments, not re-authored by whoever undoes. The board keeps its recently deleted cards
(`BoardState.trash`: in checkpoints, never on the wire); the room adds the card to the stored op
under `server` (visibility.enrich), so a replica that never saw the card applies it as given,
like private.reveal.
"""

from __future__ import annotations

from typing import Any

from board.model import collab
from board.model.checks import Context, allowed, as_board, refuse, string_id
from board.model.expect import predecessor
from board.model.permissions import Action
from board.model.state import BoardState, Card

TRASH_LIMIT = 200
"""Deleted cards kept per board, oldest dropped first; an older delete is undone from History."""


def keep(state: BoardState, card: Card, ctx: Context) -> None:
    """Note a card about to be deleted, with its place and its comments."""
    state.trash[card["id"]] = {
        "card": dict(card),
        "after": predecessor(state, card),
        "comments": {k: dict(c) for k, c in state.comments.items() if c["card"] == card["id"]},
        "by": ctx.by,
    }
    while len(state.trash) > TRASH_LIMIT:
        del state.trash[next(iter(state.trash))]


def deleted(state: BoardState, op: dict[str, Any]) -> dict[str, Any] | None:
    """What card.restore brings back: the op's `server` part (the room's), else the trash."""
    server = op.get("server")
    if isinstance(server, dict) and isinstance(server.get("card"), dict):
        return server
    card_id = op.get("card")
    return state.trash.get(card_id) if isinstance(card_id, str) else None


def card_restore(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    as_board(state)
    card_id = string_id(op.get("card"), "card id")
    if card_id in state.cards:
        raise refuse("conflict", "This card is on the board already.")
    entry = deleted(state, op)
    if entry is None:
        raise refuse(
            "not_found",
            "This card was deleted too long ago to bring back here; restore it from History.",
        )
    card = dict(entry["card"])
    allowed(state, ctx, Action.ADD_CARD)
    if ctx.actor is not None and entry.get("by") != ctx.actor.id:
        raise refuse("forbidden", "Only the person who deleted this card can bring it back.")
    collab.check_unlocked(state, card["section"], ctx)
    # Private again only while private writing still goes on (a reveal since showed it).
    if card.pop("private", None) and state.private is not None:
        card["private"] = True
    state.cards[card_id] = card
    ids = state.sections[card["section"]]
    after = entry.get("after")
    ids.insert(
        ids.index(after) + 1 if after in ids else (0 if after is None else len(ids)), card_id
    )
    for comment_id, comment in (entry.get("comments") or {}).items():
        state.comments[comment_id] = dict(comment)
    state.trash.pop(card_id, None)


HANDLERS = {"card.restore": card_restore}
