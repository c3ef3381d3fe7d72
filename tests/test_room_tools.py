"""The facilitator's tools in the pure core: comments, dot voting, sign-off, private writing,
and the stage (spotlight, timer, agenda)."""

from __future__ import annotations

from typing import Any

import pytest

from board.model import Actor, BoardState, Context, Refusal, apply, load_template, new_board
from board.model.collab import tally
from board.model.kinds import enrich, placeholder
from board.model.permissions import Role
from board.model.state import from_wire, new_stage
from board.model.visibility import apply_placeholder, visible_to

T = load_template()
PEOPLE = {
    "fac": Actor("fac", Role.FACILITATOR, "w"),
    "mayor": Actor("mayor", Role.MAYOR, "w"),
    "e1": Actor("e1", Role.EXPERT, "w"),
    "e2": Actor("e2", Role.EXPERT, "w"),
    "obs": Actor("obs", Role.OBSERVER, "w"),
}


def board() -> BoardState:
    return new_board(T, id="b", workshop="w", title="T", mayor="mayor")


def do(state: BoardState, who: str, op: dict[str, Any], at: str = "2027-03-09T14:00:00.000Z"):
    actor = PEOPLE[who]
    ctx = Context(at=at, by=actor.id, actor=actor)
    return apply(state, enrich(state, op, ctx), ctx)


def ok(state, who, op, at="2027-03-09T14:00:00.000Z"):
    result = do(state, who, op, at)
    assert not isinstance(result, Refusal), result
    return result


def refused(state, who, op, code="forbidden") -> Refusal:
    result = do(state, who, op)
    assert isinstance(result, Refusal) and result.code == code, result
    return result


def card(cid: str, section: str = "problem_vision") -> dict[str, Any]:
    return {
        "kind": "card.add",
        "card": {"id": cid, "section": section, "type": "idea", "text": f"idea {cid}"},
    }


def test_comments_add_edit_own_resolve_and_go_with_their_card() -> None:
    s = board()
    ok(s, "e1", card("c"))
    ok(s, "e2", {"kind": "comment.add", "comment": {"id": "k", "card": "c", "text": "Why?"}})
    refused(s, "obs", {"kind": "comment.add", "comment": {"id": "k2", "card": "c", "text": "x"}})
    refused(s, "e1", {"kind": "comment.update", "comment": "k", "text": "not mine"})
    ok(s, "e2", {"kind": "comment.update", "comment": "k", "text": "Why not?"})
    refused(s, "obs", {"kind": "comment.resolve", "comment": "k"})
    ok(s, "e1", {"kind": "comment.resolve", "comment": "k"})  # the card's author may
    assert s.comments["k"]["resolved"] and s.comments["k"]["text"] == "Why not?"
    refused(
        s,
        "e2",
        {"kind": "comment.add", "comment": {"id": "k", "card": "c", "text": "x"}},
        "conflict",
    )
    refused(
        s,
        "e2",
        {"kind": "comment.add", "comment": {"id": "z", "card": "nope", "text": "x"}},
        "not_found",
    )
    ok(s, "fac", {"kind": "card.delete", "card": "c"})
    assert s.comments == {}


def test_open_dot_vote_counts_dots_per_person_and_ranks_by_role() -> None:
    s = board()
    for cid in ("a", "b"):
        ok(s, "e1", card(cid))
    ok(s, "e1", card("elsewhere", "action_plan"))
    refused(s, "e1", {"kind": "vote.open", "round": {"id": "r", "dots": 2}})
    ok(
        s,
        "fac",
        {"kind": "vote.open", "round": {"id": "r", "dots": 2, "sections": ["problem_vision"]}},
    )
    refused(s, "fac", {"kind": "vote.open", "round": {"id": "r2", "dots": 1}}, "conflict")
    ok(s, "e1", {"kind": "vote.place", "round": "r", "card": "a"})
    ok(s, "e1", {"kind": "vote.place", "round": "r", "card": "a"})
    refused(s, "e1", {"kind": "vote.place", "round": "r", "card": "b"}, "conflict")
    ok(s, "e1", {"kind": "vote.remove", "round": "r", "card": "a"})
    ok(s, "e1", {"kind": "vote.place", "round": "r", "card": "b"})
    ok(s, "mayor", {"kind": "vote.place", "round": "r", "card": "b"})
    refused(s, "obs", {"kind": "vote.place", "round": "r", "card": "b"})
    refused(s, "e2", {"kind": "vote.place", "round": "r", "card": "elsewhere"}, "bad_request")
    ok(s, "fac", {"kind": "vote.close", "round": "r"})
    refused(s, "e2", {"kind": "vote.place", "round": "r", "card": "a"}, "conflict")
    result = tally(s.rounds["r"])
    assert result["ranking"] == ["b", "a"] and result["totals"] == {"b": 2, "a": 1}
    assert result["by_role"]["b"] == {"expert": 1, "mayor": 1}


def test_blind_round_shows_others_only_placeholders_until_reveal() -> None:
    s = board()
    ok(s, "e1", card("a"))
    ok(s, "fac", {"kind": "vote.open", "round": {"id": "r", "dots": 3, "blind": True}})
    replica = s.clone()  # what e2's browser holds
    for who in ("e1", "mayor"):
        op = {"kind": "vote.place", "round": "r", "card": "a"}
        ctx = Context(at="t", by=who, actor=PEOPLE[who])
        stored = enrich(s, op, ctx)
        apply(s, stored, ctx)
        hidden = placeholder(s, stored)
        assert hidden == {"kind": "vote.place", "hidden": True, "round": "r"}
        apply_placeholder(replica, {"op": hidden, "by": who, "at": "t"})
    assert tally(replica.rounds["r"])["totals"] == {}  # e2 sees that dots exist, not where
    assert len(replica.rounds["r"]["votes"]) == 2
    seen = visible_to(s.to_wire(), "e2")["rounds"]["r"]["votes"]
    assert all(v["card"] is None for v in seen)
    own = visible_to(s.to_wire(), "e1")["rounds"]["r"]["votes"]
    assert [v["card"] for v in own if v["by"] == "e1"] == ["a"]
    reveal = enrich(s, {"kind": "vote.reveal", "round": "r"}, Context(at="t", by="fac"))
    ok(s, "fac", {"kind": "vote.reveal", "round": "r"})
    apply(replica, reveal, Context(at="t", by="fac"))
    assert tally(replica.rounds["r"]) == tally(s.rounds["r"])
    assert tally(s.rounds["r"])["totals"] == {"a": 2}


def test_an_agreed_section_is_locked_for_everyone_but_the_facilitator() -> None:
    s = board()
    ok(s, "mayor", card("a"))
    ok(s, "fac", {"kind": "section.lock", "section": "problem_vision", "locked": True})
    refused(s, "mayor", {"kind": "card.update", "card": "a", "set": {"text": "x"}})
    refused(s, "e1", card("b"))
    refused(s, "mayor", {"kind": "card.delete", "card": "a"})
    refused(s, "e1", {"kind": "card.move", "card": "a", "section": "action_plan"})
    refused(s, "e1", {"kind": "section.lock", "section": "problem_vision", "locked": False})
    message = refused(s, "e1", {"kind": "card.update", "card": "a", "set": {"text": "x"}})
    assert "agreed" in message.message
    ok(s, "fac", {"kind": "card.update", "card": "a", "set": {"text": "final wording"}})
    ok(s, "fac", {"kind": "section.lock", "section": "problem_vision", "locked": False})
    ok(s, "e1", {"kind": "card.update", "card": "a", "set": {"text": "open again"}})


def test_private_writing_hides_new_cards_from_others_until_revealed() -> None:
    s = board()
    ok(s, "e1", card("public"))
    ok(s, "fac", {"kind": "private.start"})
    replica = s.clone()  # e2's browser
    op = card("secret")
    ctx = Context(at="t1", by="e1", actor=PEOPLE["e1"])
    apply(s, op, ctx)
    hidden = placeholder(s, op)
    assert hidden is not None and "text" not in hidden["card"]
    apply_placeholder(replica, {"op": hidden, "by": "e1", "at": "t1"})
    assert replica.cards["secret"]["hidden"] and replica.cards["secret"]["text"] == "(private)"
    assert visible_to(s.to_wire(), "e2")["cards"]["secret"]["text"] == "(private)"
    assert visible_to(s.to_wire(), "e1")["cards"]["secret"]["text"] == "idea secret"
    assert visible_to(s.to_wire(), "e2")["cards"]["public"]["text"] == "idea public"
    reveal = enrich(s, {"kind": "private.reveal"}, Context(at="t2", by="fac"))
    ok(s, "fac", {"kind": "private.reveal"})
    apply(replica, reveal, Context(at="t2", by="fac"))
    assert replica.to_wire()["cards"] == s.to_wire()["cards"]
    assert "private" not in s.cards["secret"] and s.private is None


def stage() -> BoardState:
    return new_stage(T, id="st", workshop="w")


def test_spotlight_and_agenda_are_the_facilitators_and_move_the_room() -> None:
    s = stage()
    refused(s, "e1", {"kind": "stage.spotlight", "mode": "board", "board": "b1"})
    ok(
        s,
        "fac",
        {"kind": "stage.spotlight", "mode": "section", "board": "b1", "section": "costs_budget"},
    )
    assert s.stage["spotlight"]["section"] == "costs_budget"
    refused(
        s,
        "fac",
        {"kind": "stage.spotlight", "mode": "section", "board": "b1", "section": "attic"},
        "bad_request",
    )
    refused(s, "fac", card("x"), "bad_request")  # a stage has no cards
    ok(
        s,
        "fac",
        {
            "kind": "agenda.start",
            "day": 1,
            "index": 2,
            "title": "Dayton case",
            "board": "b2",
            "minutes": 20,
        },
        at="2027-03-09T14:00:00.000Z",
    )
    assert s.stage["spotlight"]["board"] == "b2" and s.stage["agenda"]["index"] == 2
    assert s.stage["timer"]["ends_at"] == "2027-03-09T14:20:00.000Z"
    # An item naming a section and no board: that section of every board (a report-out).
    report = {"kind": "agenda.start", "day": 3, "index": 4, "title": "30/60/90 report-out"}
    ok(s, "fac", {**report, "section": "action_plan"})
    spot = s.stage["spotlight"]
    assert (spot["mode"], spot["board"], spot["section"]) == ("cross", None, "action_plan")
    refused(s, "fac", {**report, "section": "attic"}, "bad_request")
    refused(s, "fac", {"kind": "stage.spotlight", "mode": "cross"}, "bad_request")
    ok(s, "fac", {"kind": "stage.spotlight", "mode": "cross", "section": "barriers_risks"})
    assert s.stage["spotlight"]["section"] == "barriers_risks"


@pytest.mark.parametrize("who", ["e1", "mayor", "obs"])
def test_only_the_facilitator_runs_the_timer(who: str) -> None:
    refused(stage(), who, {"kind": "timer.start", "seconds": 60})


def test_timer_runs_on_server_time_pauses_extends_and_resets() -> None:
    s = stage()
    ok(
        s,
        "fac",
        {"kind": "timer.start", "seconds": 600, "label": "Barriers"},
        at="2027-03-09T14:00:00.000Z",
    )
    timer = s.stage["timer"]
    assert timer["status"] == "running" and timer["ends_at"] == "2027-03-09T14:10:00.000Z"
    ok(s, "fac", {"kind": "timer.pause"}, at="2027-03-09T14:04:00.000Z")
    assert timer["status"] == "paused" and timer["remaining_ms"] == 360_000
    ok(s, "fac", {"kind": "timer.extend", "seconds": 60}, at="2027-03-09T14:05:00.000Z")
    assert timer["remaining_ms"] == 420_000
    ok(s, "fac", {"kind": "timer.start"}, at="2027-03-09T14:06:00.000Z")
    assert timer["ends_at"] == "2027-03-09T14:13:00.000Z"
    ok(s, "fac", {"kind": "timer.extend", "seconds": -120}, at="2027-03-09T14:07:00.000Z")
    assert timer["ends_at"] == "2027-03-09T14:11:00.000Z"
    # Start on a running timer starts it again: from the top of its length, or a new one.
    ok(s, "fac", {"kind": "timer.start"}, at="2027-03-09T14:08:00.000Z")
    assert timer["status"] == "running" and timer["ends_at"] == "2027-03-09T14:18:00.000Z"
    ok(s, "fac", {"kind": "timer.start", "seconds": 120}, at="2027-03-09T14:09:00.000Z")
    assert timer["ends_at"] == "2027-03-09T14:11:00.000Z" and timer["duration_ms"] == 120_000
    ok(s, "fac", {"kind": "timer.start", "seconds": 600}, at="2027-03-09T14:09:30.000Z")
    assert timer["ends_at"] == "2027-03-09T14:19:30.000Z"
    ok(s, "fac", {"kind": "timer.reset"})
    assert timer["status"] == "idle" and timer["remaining_ms"] == timer["duration_ms"] == 600_000


def test_a_private_card_is_its_authors_alone_until_the_reveal() -> None:
    s = board()
    ok(s, "fac", {"kind": "private.start"})
    ok(s, "e1", card("mine"))
    for op in (
        {"kind": "card.update", "card": "mine", "set": {"text": "x"}},
        {"kind": "card.move", "card": "mine", "section": "action_plan"},
        {"kind": "card.delete", "card": "mine"},
        {"kind": "comment.add", "comment": {"id": "k", "card": "mine", "text": "?"}},
        {"kind": "text.splice", "card": "mine", "base": s.seq, "at": 0, "delete": 0, "insert": "y"},
    ):
        refused(s, "e2", op)  # forbidden (by role, or because it is private)
        assert "private to its author" in refused(s, "fac", op).message
    ok(s, "e1", {"kind": "comment.add", "comment": {"id": "k", "card": "mine", "text": "note"}})
    comment = {"kind": "comment.resolve", "comment": "k"}
    assert placeholder(s, comment) == {"kind": "comment.resolve", "hidden": True}
    reveal = enrich(s, {"kind": "private.reveal"}, Context(at="t", by="fac"))
    assert reveal["server"]["comments"]["k"]["text"] == "note"
    ok(s, "fac", {"kind": "private.reveal"})
    ok(s, "e2", {"kind": "card.update", "card": "mine", "set": {"text": "now shared"}})


def test_deleting_a_card_gives_its_dots_back_in_an_open_round() -> None:
    s = board()
    ok(s, "e1", card("a"))
    ok(s, "e1", card("b"))
    ok(s, "fac", {"kind": "vote.open", "round": {"id": "r", "dots": 1}})
    ok(s, "e2", {"kind": "vote.place", "round": "r", "card": "a"})
    ok(s, "fac", {"kind": "card.delete", "card": "a"})
    assert s.rounds["r"]["votes"] == []
    ok(s, "e2", {"kind": "vote.place", "round": "r", "card": "b"})  # the dot is back


def test_deleting_a_card_in_a_blind_round_takes_its_hidden_dots_off_every_replica() -> None:
    s = board()
    ok(s, "e1", card("a"))
    ok(s, "e1", card("b"))
    ok(s, "fac", {"kind": "vote.open", "round": {"id": "r", "dots": 2, "blind": True}})
    ok(s, "e2", {"kind": "vote.place", "round": "r", "card": "a"})
    ok(s, "e2", {"kind": "vote.place", "round": "r", "card": "b"})
    ok(s, "mayor", {"kind": "vote.place", "round": "r", "card": "a"})
    replicas = {who: from_wire(T, visible_to(s.to_wire(), who)) for who in ("e1", "e2", "mayor")}
    ctx = Context(at="2027-03-09T15:00:00.000Z", by="fac", actor=PEOPLE["fac"])
    delete = enrich(s, {"kind": "card.delete", "card": "a"}, ctx)
    assert delete["server"]["votes_dropped"] == [
        {"round": "r", "by": "e2"},
        {"round": "r", "by": "mayor"},
    ]
    assert not isinstance(apply(s, delete, ctx), Refusal)
    for who, replica in replicas.items():
        event_ctx = Context(at=ctx.at, by="fac")
        assert not isinstance(apply(replica, delete, event_ctx), Refusal)
        assert replica.rounds == visible_to(s.to_wire(), who)["rounds"], who
    assert [v["by"] for v in replicas["e1"].rounds["r"]["votes"]] == ["e2"]  # no phantom dots
