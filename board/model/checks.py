"""What every reducer module shares: refusals, the apply context, and the common checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from board.model.permissions import Action, Actor, Role, can
from board.model.state import BoardState, Card

ID_MAX = 64
CARD_CORE_FIELDS = frozenset({"id", "section", "type", "text"})
CARD_SERVER_FIELDS = frozenset({"author", "created_at", "updated_at", "updated_by", "private"})
"""Set by the server, never by an op: provenance, and the private-writing flag."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an op was not applied: an error code of PROTOCOL.md and a sentence for a person."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Context:
    """Who applies the op and when. `actor` None means a replay of an already accepted op."""

    at: str
    by: str
    actor: Actor | None = None


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.refusal = Refusal(code, message)


def refuse(code: str, message: str) -> Refused:
    return Refused(code, message)


def allowed(state: BoardState, ctx: Context, action: Action, card: Card | None = None) -> None:
    if ctx.actor is None:
        return
    author = card.get("author") if card is not None else None
    if not can(
        ctx.actor, action, workshop=state.workshop, board_mayor=state.mayor, card_author=author
    ):
        raise refuse("forbidden", FORBIDDEN[action])


FORBIDDEN = {
    Action.ADD_CARD: "Your role cannot add cards to this board.",
    Action.COMMENT: "Your role cannot comment on this board.",
    Action.EDIT_CARD: "You can only edit your own cards on this board.",
    Action.MOVE_CARD: "You can only move your own cards on this board.",
    Action.DELETE_CARD: "You can only delete your own cards on this board.",
    Action.EDIT_BOARD: "Only the facilitator and this board's mayor can edit the board itself.",
}


def string_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= ID_MAX:
        raise refuse("bad_request", f"The {what} must be a string of 1 to {ID_MAX} characters.")
    return value


def fields_of(op: dict[str, Any], name: str) -> dict[str, Any]:
    value = op.get(name)
    if not isinstance(value, dict):
        raise refuse("bad_request", f"'{name}' must be an object.")
    return value


def card_of(state: BoardState, card_id: Any) -> Card:
    card = state.cards.get(string_id(card_id, "card id"))
    if card is None:
        raise refuse("not_found", "That card is not on this board (it may have been deleted).")
    return card


def facilitator_only(ctx: Context, what: str) -> None:
    if ctx.actor is not None and ctx.actor.role is not Role.FACILITATOR:
        raise refuse("forbidden", f"Only the facilitator can {what}.")


def as_board(state: BoardState) -> None:
    if state.kind != "board":
        raise refuse("bad_request", "This operation is for a board, not the workshop stage.")


def text_field(value: Any, name: str, limit: int, *, required: bool = True) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise refuse("bad_request", f"'{name}' needs some text.")
    if len(value) > limit:
        raise refuse("bad_request", f"'{name}' is limited to {limit} characters.")
    return value
