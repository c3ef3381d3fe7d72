"""The registry of op kinds is the one list: the wire format's ops are exactly its kinds, and
each kind that can touch hidden content says what others see of it (board.model.kinds)."""

from __future__ import annotations

from typing import get_args

from board.model import Actor, Context, load_template, new_board
from board.model.kinds import KINDS, REGISTRY, STAGE_KINDS, Accepted, accept
from board.model.permissions import Role
from board.protocol import Op

E1 = Actor("e1", Role.EXPERT, "w")
E2 = Actor("e2", Role.EXPERT, "w")
FAC = Actor("fac", Role.FACILITATOR, "w")


def test_the_wire_format_and_the_registry_name_the_same_kinds() -> None:
    union = get_args(get_args(Op)[0])
    wire = {model.model_fields["kind"].annotation.__args__[0] for model in union}
    assert wire == set(KINDS)
    assert set(STAGE_KINDS) == {k for k in KINDS if k.startswith(("stage.", "timer.", "agenda."))}
    assert {k for k, kind in REGISTRY.items() if kind.makes_card} == {"card.add", "card.restore"}


def test_accept_gives_the_stored_op_and_what_others_see_in_one_call() -> None:
    s = new_board(load_template(), id="b", workshop="w", mayor="m")

    def run(actor: Actor, op: dict) -> Accepted:
        result = accept(s, op, Context(at="t", by=actor.id, actor=actor))
        assert isinstance(result, Accepted), result
        return result

    public = {"id": "pub", "section": "problem_vision", "type": "idea", "text": "Pilot"}
    assert run(E1, {"kind": "card.add", "card": public}).hidden is None
    run(FAC, {"kind": "vote.open", "round": {"id": "r", "dots": 2, "blind": True}})
    dot = run(E2, {"kind": "vote.place", "round": "r", "card": "pub"})
    assert dot.op["server"] == {"role": "expert"}  # what the server adds is stored
    assert dot.hidden == {"kind": "vote.place", "hidden": True, "round": "r"}
    run(FAC, {"kind": "private.start"})
    secret = {**public, "id": "sec", "text": "Candid"}
    added = run(E1, {"kind": "card.add", "card": secret})
    assert added.hidden is not None and "Candid" not in str(added.hidden)
    note = {"id": "k", "card": "sec", "text": "Ask the CFO"}
    run(E1, {"kind": "comment.add", "comment": note})
    # a deletion hides what it removes: its placeholder is decided before it applies
    deleted = run(E1, {"kind": "comment.delete", "comment": "k"})
    assert deleted.hidden == {"kind": "comment.delete", "hidden": True}
    reveal = run(FAC, {"kind": "private.reveal"})
    assert reveal.hidden is None and reveal.op["server"]["cards"]["sec"]["text"] == "Candid"
