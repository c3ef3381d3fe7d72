"""Diff and restore between two board states, checked on hand-made and random histories."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from board.model import BoardState, Context, Refusal, apply, load_template, new_board
from board.model.history import content, content_hash, diff, restore_ops
from tests.opgen import ops

T = load_template()


def board() -> BoardState:
    return new_board(T, id="b", workshop="w", title="Start", mayor="p_m")


def run(state: BoardState, op_list: list[dict], by: str = "p_x") -> BoardState:
    for n, op in enumerate(op_list):
        apply(state, op, Context(at=f"t{state.seq}-{n}", by=by))
    return state


def same_content(a: dict, b: dict) -> bool:
    return (
        {k: a[k] for k in ("title", "initiative", "theme", "brief")}
        == {k: b[k] for k in ("title", "initiative", "theme", "brief")}
        and [s["cards"] for s in a["sections"]] == [s["cards"] for s in b["sections"]]
        and {i: content(c) for i, c in a["cards"].items()}
        == {i: content(c) for i, c in b["cards"].items()}
    )


def card(cid: str, section: str = "problem_vision", text: str = "t", **kw) -> dict:
    return {"kind": "card.add", "card": {"id": cid, "section": section, "type": "idea",
            "text": text, **kw}, "after": None}  # fmt: off


def test_diff_names_exactly_the_cards_added_removed_and_changed() -> None:
    s = run(board(), [card("keep"), card("edit"), card("drop"), card("move")])
    day1 = s.to_wire()
    run(s, [
        {"kind": "card.update", "card": "edit", "set": {"text": "edited"}},
        {"kind": "card.delete", "card": "drop"},
        card("new", section="action_plan"),
        {"kind": "card.move", "card": "move", "section": "barriers_risks", "after": None},
    ], by="p_expert")  # fmt: off
    d = diff(day1, s.to_wire())
    flat = {
        kind: sorted(
            (sid, (c.get("after") or c)["id"])
            for sid, sec in d["sections"].items()
            for c in sec[kind]
        )
        for kind in ("added", "removed", "changed")
    }
    assert flat == {
        "added": [("action_plan", "new")],
        "removed": [("problem_vision", "drop")],
        "changed": [("barriers_risks", "move"), ("problem_vision", "edit")],
    }
    edited = next(c for c in d["sections"]["problem_vision"]["changed"])
    assert edited["fields"] == ["text"] and edited["after"]["updated_by"] == "p_expert"
    assert d["counts"] == {"added": 1, "removed": 1, "changed": 2}
    assert diff(day1, day1)["counts"] == {"added": 0, "removed": 0, "changed": 0}


def test_content_hash_is_stable_and_sensitive() -> None:
    s = run(board(), [card("a")])
    wire = s.to_wire()
    assert content_hash(wire) == content_hash(s.clone().to_wire())
    run(s, [{"kind": "card.update", "card": "a", "set": {"text": "b"}}])
    assert content_hash(s.to_wire()) != content_hash(wire)


def test_restore_brings_back_content_and_order_and_can_be_undone() -> None:
    s = run(board(), [card("a"), card("b", after="a"), card("c", section="action_plan")])
    snapshot = s.to_wire()
    run(
        s,
        [
            {"kind": "card.delete", "card": "a"},
            {"kind": "card.move", "card": "c", "section": "problem_vision", "after": None},
            {"kind": "card.update", "card": "b", "set": {"type": "barrier", "severity": 2}},
            {"kind": "board.update", "set": {"title": "Changed", "brief": {"goals": "x"}}},
        ],
    )
    before_restore = s.to_wire()
    run(s, restore_ops(s, snapshot))
    assert same_content(s.to_wire(), snapshot)
    run(s, restore_ops(s, before_restore))  # undo the restore by restoring again
    assert same_content(s.to_wire(), before_restore)


@settings(max_examples=150, deadline=None)
@given(st.lists(ops, max_size=25), st.lists(ops, max_size=25))
def test_restore_round_trips_any_history(first: list[dict], then: list[dict]) -> None:
    s = run(board(), first)
    snapshot = s.to_wire()
    run(s, then)
    restore = restore_ops(s, snapshot)
    for op in restore:
        assert not isinstance(apply(s, op, Context(at="r", by="p_f")), Refusal)
    assert same_content(s.to_wire(), snapshot)
    assert restore_ops(s, snapshot) == []
