"""Who may do what: the role table of the workshop, in one place (README, "Roles").

`can` is pure and total: every (role, action) pair has an answer, and the tests walk them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    FACILITATOR = "facilitator"
    MAYOR = "mayor"
    EXPERT = "expert"
    OBSERVER = "observer"


class Action(StrEnum):
    READ = "read"
    ADD_CARD = "add_card"
    COMMENT = "comment"
    EDIT_CARD = "edit_card"
    MOVE_CARD = "move_card"
    DELETE_CARD = "delete_card"
    EDIT_BOARD = "edit_board"
    SETUP = "setup"


@dataclass(frozen=True, slots=True)
class Actor:
    """A participant acting on a board of their workshop."""

    id: str
    role: Role
    workshop: str
    name: str = ""
    city: str = ""


def can(
    actor: Actor,
    action: Action,
    *,
    workshop: str,
    board_mayor: str | None = None,
    card_author: str | None = None,
) -> bool:
    """Whether `actor` may do `action` on a board of `workshop` owned by `board_mayor`.

    `card_author` is the author of the card acted on, for the card actions.
    """
    if actor.workshop != workshop:
        return False
    role = actor.role
    if role is Role.FACILITATOR:
        return True
    if action is Action.READ:
        return True
    if role is Role.OBSERVER or action is Action.SETUP:
        return False
    own_board = role is Role.MAYOR and board_mayor == actor.id
    own_card = card_author is not None and card_author == actor.id
    match action:
        case Action.ADD_CARD | Action.COMMENT:
            return True
        case Action.EDIT_CARD | Action.MOVE_CARD:
            return role is Role.EXPERT or own_board or own_card
        case Action.DELETE_CARD:
            return own_board or own_card
        case Action.EDIT_BOARD:
            return own_board
    return False  # pragma: no cover - every action is matched above
