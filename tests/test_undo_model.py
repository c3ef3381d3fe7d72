"""What undo needs from the pure core (docs/undo.md): `expect` preconditions, and card.restore
bringing a deleted card back as it was, on the server and on replicas that never saw it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from board.model import Actor, BoardState, Context, Refusal, apply, load_template, new_board
from board.model.permissions import Role
from board.model.state import from_wire
from board.model.trash import TRASH_LIMIT
from board.model.visibility import apply_placeholder, enrich, placeholder, visible_to

T = load_template()
W = "w_1"
EXPERT = Actor("p_exp", Role.EXPERT, W)
OTHER = Actor("p_exp2", Role.EXPERT, W)
FAC = Actor("p_fac", Role.FACILITATOR, W)
S = "problem_vision"


def board() -> BoardState:
    return new_board(T, id="b_1", workshop=W, title="Undo", mayor="p_mayor")


def ctx(actor: Actor, n: int = 0) -> Context:
    return Context(at=f"2027-03-09T14:00:{n:02d}.000Z", by=actor.id, actor=actor)


def ok(state: BoardState, op: dict[str, Any], actor: Actor = EXPERT) -> dict[str, Any]:
    """Apply as the room does (enriched first); returns the op as stored."""
    c = ctx(actor, state.seq % 60)
    stored = enrich(state, op, c)
    result = apply(state, stored, c)
    assert not isinstance(result, Refusal), result
    return stored


def refused(state: BoardState, op: dict[str, Any], actor: Actor, code: str) -> str:
    before = copy.deepcopy(state.to_checkpoint())
    c = ctx(actor)
    result = apply(state, enrich(state, op, c), c)
    assert isinstance(result, Refusal), "expected a refusal"
    assert result.code == code, result
    assert state.to_checkpoint() == before, "a refusal leaves the state untouched"
    return result.message


def add(card_id: str, after: str | None = None, **fields: Any) -> dict[str, Any]:
    card = {"id": card_id, "section": S, "type": "idea", "text": "t", **fields}
    return {"kind": "card.add", "card": card, "after": after}


def test_an_update_with_expect_applies_only_while_the_fields_are_as_expected() -> None:
    s = board()
    ok(s, add("a", type="barrier", severity=2))
    ok(s, {"kind": "card.update", "card": "a", "set": {"text": "mine", "severity": 3}})
    # Someone else changes the severity; my undo of the text alone still applies.
    ok(s, {"kind": "card.update", "card": "a", "set": {"severity": 1}}, OTHER)
    undo_both = {
        "kind": "card.update",
        "card": "a",
        "set": {"text": "t", "severity": 2},
        "expect": {"text": "mine", "severity": 3},
    }
    message = refused(s, undo_both, EXPERT, "conflict")
    assert (
        message == "Someone else changed this card's severity since; your undo leaves it as it is."
    )
    ok(s, {"kind": "card.update", "card": "a", "set": {"text": "t"}, "expect": {"text": "mine"}})
    assert s.cards["a"]["text"] == "t" and s.cards["a"]["severity"] == 1
    # A missing field is null; true is not 1.
    ok(
        s,
        {
            "kind": "card.update",
            "card": "a",
            "set": {"likelihood": 2},
            "expect": {"likelihood": None},
        },
    )
    refused(
        s,
        {"kind": "card.update", "card": "a", "set": {"text": "x"}, "expect": {"severity": True}},
        EXPERT,
        "conflict",
    )


def test_a_move_with_expect_applies_only_where_the_move_left_the_card() -> None:
    s = board()
    for cid, after in (("a", None), ("b", "a"), ("c", "b")):
        ok(s, add(cid, after))
    ok(s, {"kind": "card.move", "card": "c", "section": "action_plan", "after": None})
    back = {
        "kind": "card.move",
        "card": "c",
        "section": S,
        "after": "b",
        "expect": {"section": "action_plan", "after": None},
    }
    ok(s, {**back})
    assert s.sections[S] == ["a", "b", "c"]
    # Moved by someone else since: the undo is refused, the card stays where they put it.
    ok(s, {"kind": "card.move", "card": "c", "section": S, "after": None}, OTHER)
    undo = {**back, "section": "action_plan", "after": None, "expect": {"section": S, "after": "b"}}
    message = refused(s, undo, EXPERT, "conflict")
    assert message.startswith("This card was moved since")
    assert s.sections[S] == ["c", "a", "b"]


def test_expect_is_checked_for_shape_and_after_the_role() -> None:
    s = board()
    ok(s, add("a"))
    refused(s, {"kind": "card.delete", "card": "a", "expect": "t"}, EXPERT, "bad_request")
    refused(s, {"kind": "card.delete", "card": "a", "expect": {"text": [1]}}, EXPERT, "bad_request")
    refused(s, {"kind": "card.delete", "card": "a", "expect": {"text": "zz"}}, OTHER, "forbidden")
    refused(s, {"kind": "card.delete", "card": "a", "expect": {"text": "zz"}}, EXPERT, "conflict")


def test_a_sign_off_undone_only_while_it_is_still_ones_own() -> None:
    s = board()
    ok(s, {"kind": "section.lock", "section": S, "locked": True, "expect": {"by": None}}, FAC)
    assert s.locks[S]["by"] == FAC.id
    other_fac = Actor("p_fac2", Role.FACILITATOR, W)
    refused(
        s,
        {"kind": "section.lock", "section": S, "locked": False, "expect": {"by": other_fac.id}},
        FAC,
        "conflict",
    )
    refused(
        s,
        {"kind": "section.lock", "section": S, "locked": False, "expect": {"who": 1}},
        FAC,
        "bad_request",
    )
    ok(s, {"kind": "section.lock", "section": S, "locked": False, "expect": {"by": FAC.id}}, FAC)
    assert S not in s.locks


def test_a_deleted_card_comes_back_as_it_was_with_its_comments_and_place() -> None:
    s = board()
    for cid, after in (("a", None), ("b", "a"), ("c", "b")):
        ok(s, add(cid, after))
    ok(s, {"kind": "card.update", "card": "b", "set": {"text": "edited"}}, OTHER)
    ok(s, {"kind": "comment.add", "comment": {"id": "k1", "card": "b", "text": "Why?"}}, OTHER)
    was = dict(s.cards["b"])
    ok(s, {"kind": "card.delete", "card": "b"})
    assert "b" not in s.cards and "k1" not in s.comments
    # Only its deleter may bring it back this way (anyone else: from History).
    message = refused(s, {"kind": "card.restore", "card": "b"}, OTHER, "forbidden")
    assert message == "Only the person who deleted this card can bring it back."
    stored = ok(s, {"kind": "card.restore", "card": "b"})
    assert s.cards["b"] == was  # same author, times, fields: not re-authored by the undoer
    assert s.sections[S] == ["a", "b", "c"]
    assert s.comments["k1"]["author"] == OTHER.id
    assert stored["server"]["card"] == was and stored["server"]["after"] == "a"
    refused(s, {"kind": "card.restore", "card": "b"}, EXPERT, "conflict")  # on the board already
    refused(s, {"kind": "card.restore", "card": "zz"}, EXPERT, "not_found")


def test_a_replica_that_never_saw_the_card_applies_the_stored_restore() -> None:
    s = board()
    ok(s, add("a"))
    ok(s, add("b", after="a"))
    ok(s, {"kind": "card.delete", "card": "a"})
    replica = from_wire(T, s.to_wire())  # joined after the delete: no trash
    assert replica.trash == {}
    stored = ok(s, {"kind": "card.restore", "card": "a"})
    result = apply(replica, stored, Context(at="t", by=EXPERT.id))
    assert not isinstance(result, Refusal), result
    assert replica.to_wire() == s.to_wire()


def test_the_trash_survives_a_checkpoint_and_keeps_the_latest_deletes() -> None:
    s = board()
    ok(s, add("a"))
    ok(s, {"kind": "card.delete", "card": "a"})
    again = from_wire(T, s.to_checkpoint())
    assert again.trash == s.trash
    ok(again, {"kind": "card.restore", "card": "a"})
    assert "a" in again.cards and again.trash == {}
    for n in range(TRASH_LIMIT + 5):
        ok(s, add(f"n{n}"))
        ok(s, {"kind": "card.delete", "card": f"n{n}"})
    assert len(s.trash) == TRASH_LIMIT and "n0" not in s.trash and f"n{TRASH_LIMIT + 4}" in s.trash


def test_a_private_card_restored_during_private_writing_stays_hidden_from_others() -> None:
    s = board()
    ok(s, {"kind": "private.start"}, FAC)
    ok(s, add("p", text="secret"))
    ok(s, {"kind": "card.delete", "card": "p"})
    others = from_wire(T, visible_to(s.to_wire(), OTHER.id))
    stored = ok(s, {"kind": "card.restore", "card": "p"})
    assert s.cards["p"]["private"] is True
    hidden = placeholder(s, stored)
    assert hidden is not None and "secret" not in str(hidden)
    apply_placeholder(others, {"op": hidden, "by": EXPERT.id, "at": "t", "seq": s.seq})
    assert others.to_wire() == visible_to(s.to_wire(), OTHER.id)
    # After the reveal, a restored card is public.
    ok(s, {"kind": "private.reveal"}, FAC)
    ok(s, {"kind": "card.delete", "card": "p"})
    ok(s, {"kind": "card.restore", "card": "p"})
    assert "private" not in s.cards["p"]


@pytest.mark.parametrize("kind", ["card.update", "card.move", "card.delete"])
def test_an_op_without_expect_is_unchanged(kind: str) -> None:
    s = board()
    ok(s, add("a"))
    op = {"kind": kind, "card": "a"}
    op.update({"card.update": {"set": {"text": "x"}}, "card.move": {"section": S}}.get(kind, {}))
    ok(s, op, OTHER if kind != "card.delete" else EXPERT)
