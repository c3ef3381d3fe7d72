"""The role table of the README, walked exhaustively against `can` and through the reducer."""

from __future__ import annotations

import itertools

import pytest

from board.model import Actor, Context, Refusal, apply, can, load_template, new_board
from board.model.permissions import Action, Role

# The README's table, written out independently of the implementation:
# (role, own board?, own card?) -> the set of allowed actions on a board of their workshop.
ALL = set(Action)
EXPECTED = {
    "facilitator": lambda own_board, own_card: ALL,
    "mayor": lambda own_board, own_card: (
        {Action.READ, Action.ADD_CARD, Action.COMMENT}
        | (
            {Action.EDIT_CARD, Action.MOVE_CARD, Action.DELETE_CARD, Action.EDIT_BOARD}
            if own_board
            else set()
        )
        | ({Action.EDIT_CARD, Action.MOVE_CARD, Action.DELETE_CARD} if own_card else set())
    ),
    "expert": lambda own_board, own_card: (
        {Action.READ, Action.ADD_CARD, Action.COMMENT, Action.EDIT_CARD, Action.MOVE_CARD}
        | ({Action.DELETE_CARD} if own_card else set())
    ),
    "observer": lambda own_board, own_card: {Action.READ},
}


@pytest.mark.parametrize(
    ("role", "own_board", "own_card", "action"),
    [
        case
        for case in itertools.product(EXPECTED, [True, False], [True, False], Action)
        if case[0] == "mayor" or not case[1]  # only a mayor owns a board
    ],
)
def test_role_table(role: str, own_board: bool, own_card: bool, action: Action) -> None:
    actor = Actor(id="p_me", role=Role(role), workshop="w_1")
    allowed = can(
        actor,
        action,
        workshop="w_1",
        board_mayor="p_me" if own_board else "p_other_mayor",
        card_author="p_me" if own_card else "p_someone",
    )
    assert allowed == (action in EXPECTED[role](own_board, own_card))


@pytest.mark.parametrize("role", list(EXPECTED))
def test_nobody_acts_on_another_workshop(role: str) -> None:
    actor = Actor(id="p_me", role=Role(role), workshop="w_1")
    assert not any(can(actor, a, workshop="w_2", board_mayor="p_me") for a in Action)


def _board_with_card(author: str):
    state = new_board(load_template(), id="b", workshop="w_1", title="T", mayor="p_mayor")
    card = {"id": "c", "section": "problem_vision", "type": "idea", "text": "t"}
    apply(state, {"kind": "card.add", "card": card}, Context(at="t", by=author))
    return state


OPS = {
    Action.ADD_CARD: {
        "kind": "card.add",
        "card": {"id": "n", "section": "problem_vision", "type": "idea", "text": "new"},
    },
    Action.EDIT_CARD: {"kind": "card.update", "card": "c", "set": {"text": "edited"}},
    Action.MOVE_CARD: {"kind": "card.move", "card": "c", "section": "action_plan"},
    Action.DELETE_CARD: {"kind": "card.delete", "card": "c"},
    Action.EDIT_BOARD: {"kind": "board.update", "set": {"title": "Renamed"}},
}


@pytest.mark.parametrize(
    ("who", "action"),
    list(itertools.product(["facilitator", "own mayor", "other mayor", "expert", "observer"], OPS)),
)
@pytest.mark.parametrize("card_is_theirs", [True, False])
def test_every_op_is_checked_by_the_reducer(who: str, action: Action, card_is_theirs: bool):
    role = who.split()[-1]
    me = "p_mayor" if who == "own mayor" else "p_me"
    state = _board_with_card(author=me if card_is_theirs else "p_someone")
    actor = Actor(id=me, role=Role(role), workshop="w_1")
    result = apply(state, OPS[action], Context(at="t2", by=me, actor=actor))
    expected = can(
        actor,
        action,
        workshop="w_1",
        board_mayor="p_mayor",
        card_author=me if card_is_theirs else "p_someone",
    )
    if expected:
        assert not isinstance(result, Refusal), result
    else:
        assert isinstance(result, Refusal) and result.code == "forbidden"
