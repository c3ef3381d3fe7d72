"""The pure core: every v1 operation, every refusal, placement rules and replay."""

from __future__ import annotations

import copy
import subprocess
import sys
from typing import Any

import pytest

from board.model import BoardState, Context, Refusal, apply, load_template, new_board, replay
from board.model.state import from_wire

AT = "2027-03-09T14:00:00.000Z"
CTX = Context(at=AT, by="p_author")
T = load_template()


def board() -> BoardState:
    return new_board(T, id="b_1", workshop="w_1", title="Flood sensors", mayor="p_mayor")


def add(card_id: str, section: str = "problem_vision", after: str | None = None, **fields: Any):
    card = {"id": card_id, "section": section, "type": fields.pop("type", "idea"), "text": "t"}
    card.update(fields)
    return {"kind": "card.add", "card": card, "after": after}


def ok(state: BoardState, op: dict[str, Any], ctx: Context = CTX) -> BoardState:
    result = apply(state, op, ctx)
    assert not isinstance(result, Refusal), result
    return result


def refused(state: BoardState, op: dict[str, Any], code: str) -> Refusal:
    before = copy.deepcopy(state.to_wire())
    result = apply(state, op, CTX)
    assert isinstance(result, Refusal), f"expected {code}, op was applied"
    assert result.code == code, result
    assert result.message.endswith("."), "a refusal is a sentence"
    assert state.to_wire() == before, "a refusal must leave the state untouched"
    return result


def test_template_has_the_thirteen_sections_in_canvas_order() -> None:
    assert T.section_ids == (
        "city_context",
        "problem_vision",
        "residents_equity",
        "partners_ppp",
        "staffing_operations",
        "technology_solution",
        "data_governance",
        "support_coalition",
        "barriers_risks",
        "costs_budget",
        "funding_sources",
        "success_metrics",
        "action_plan",
    )
    areas = " ".join(T.raw["grid"]["areas"]).split()
    assert set(areas) == set(T.section_ids) and len(areas) == 24
    assert set(T.card_fields) == {
        "idea",
        "resource",
        "barrier",
        "action",
        "question",
        "decision",
        "fact",
        "metric",
    }


def test_add_places_cards_and_stamps_author_and_time() -> None:
    s = board()
    ok(s, add("a"))
    ok(s, add("b"))  # after None: first
    ok(s, add("c", after="b"))
    assert s.sections["problem_vision"] == ["b", "c", "a"]
    assert s.seq == 3
    card = s.cards["a"]
    assert card["author"] == "p_author" and card["created_at"] == AT == card["updated_at"]


def test_after_a_card_gone_meanwhile_places_last_rather_than_losing_the_card() -> None:
    s = board()
    ok(s, add("a"))
    ok(s, add("b", after="vanished"))
    assert s.sections["problem_vision"] == ["a", "b"]


@pytest.mark.parametrize(
    ("op", "code"),
    [
        ({"kind": "card.fly"}, "bad_request"),
        ({"card": {}}, "bad_request"),
        ("not an object", "bad_request"),
        (add("x", section="nowhere"), "bad_request"),
        (add("x", type="poem"), "bad_request"),
        ({"kind": "card.add", "card": "x"}, "bad_request"),
        (
            {
                "kind": "card.add",
                "card": {"id": "", "section": "problem_vision", "type": "idea", "text": "t"},
            },
            "bad_request",
        ),
        (
            {
                "kind": "card.add",
                "card": {"id": "x" * 65, "section": "problem_vision", "type": "idea", "text": "t"},
            },
            "bad_request",
        ),
        (
            {
                "kind": "card.add",
                "card": {"id": "x", "section": "problem_vision", "type": "idea", "text": "   "},
            },
            "bad_request",
        ),
        (
            {
                "kind": "card.add",
                "card": {"id": "x", "section": "problem_vision", "type": "idea", "text": "y" * 501},
            },
            "bad_request",
        ),
        (add("x", url="https://example.org"), "bad_request"),  # an idea has no url
        (add("x", type="resource", url="javascript:alert(1)"), "bad_request"),
        (add("x", type="resource", resource_kind="rumour"), "bad_request"),
        (add("x", type="barrier", severity=4), "bad_request"),
        (add("x", type="barrier", severity=True), "bad_request"),
        (add("x", type="barrier", likelihood="2"), "bad_request"),
        (add("x", type="action", due="next week"), "bad_request"),
        (add("x", type="action", horizon="d45"), "bad_request"),
        (add("x", type="fact", verified="yes"), "bad_request"),
        (add("x", amount_usd=5), "bad_request"),  # money only in Costs and Funding
        (add("x", section="costs_budget", amount_usd=-1), "bad_request"),
        (add("x", section="costs_budget", amount_usd="lots"), "bad_request"),
        (add("x", type="metric", target_date="2027-13"), "bad_request"),
        (add("x", type="question", answer=7), "bad_request"),
        (add("x", after=5), "bad_request"),
    ],
)
def test_malformed_ops_are_refused_with_bad_request(op: Any, code: str) -> None:
    refused(board(), op, code)


def test_every_card_type_with_all_its_fields_is_accepted() -> None:
    s = board()
    ok(
        s,
        add(
            "r",
            type="resource",
            url="https://example.org/grants",
            contact="Grants office",
            resource_kind="program",
        ),
    )
    ok(s, add("b", type="barrier", severity=3, likelihood=1, mitigation="Phase the rollout"))
    ok(
        s,
        add(
            "a",
            section="action_plan",
            type="action",
            owner="CIO",
            due="2027-04-10",
            horizon="d30",
            status="open",
        ),
    )
    ok(s, add("q", type="question", addressed_to="p_expert", answer="Yes"))
    ok(s, add("d", type="decision", decided_by="Mayor"))
    ok(s, add("f", section="city_context", type="fact", source="pre_read", verified=False))
    ok(
        s,
        add(
            "m",
            section="success_metrics",
            type="metric",
            baseline="40%",
            target="60%",
            unit="households",
            target_date="2028-01-01",
            data_source="ACS",
        ),
    )
    ok(
        s,
        add(
            "c", section="costs_budget", amount_usd=250000, cost_kind="capex", funding_status="idea"
        ),
    )
    assert s.cards["f"]["verified"] is False
    assert s.cards["c"]["amount_usd"] == 250000
    assert len(s.cards) == 8


def test_duplicate_card_id_is_a_conflict() -> None:
    s = board()
    ok(s, add("a"))
    refused(s, add("a"), "conflict")


def test_ops_on_missing_cards_are_not_found() -> None:
    s = board()
    refused(s, {"kind": "card.update", "card": "x", "set": {"text": "y"}}, "not_found")
    refused(s, {"kind": "card.move", "card": "x", "section": "action_plan"}, "not_found")
    refused(s, {"kind": "card.delete", "card": "x"}, "not_found")


def test_update_sets_fields_last_writer_wins_and_null_clears() -> None:
    s = board()
    ok(s, add("b", type="barrier", severity=2))
    later = Context(at="2027-03-09T15:00:00.000Z", by="p_other")
    ok(
        s,
        {
            "kind": "card.update",
            "card": "b",
            "set": {"text": "new", "severity": None, "likelihood": 3},
        },
        later,
    )
    card = s.cards["b"]
    assert card["text"] == "new" and "severity" not in card and card["likelihood"] == 3
    assert card["updated_by"] == "p_other" and card["author"] == "p_author"
    assert card["updated_at"] == later.at and card["created_at"] == AT


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"section": "action_plan"},
        {"id": "z"},
        {"author": "me"},
        {"text": ""},
        {"severity": 9},
        {"type": "rumour"},
        {"created_at": "now"},
    ],
)
def test_update_refusals(changes: dict[str, Any]) -> None:
    s = board()
    ok(s, add("b", type="barrier"))
    refused(s, {"kind": "card.update", "card": "b", "set": changes}, "bad_request")


def test_changing_type_drops_fields_the_new_type_does_not_have() -> None:
    s = board()
    ok(s, add("b", type="barrier", severity=2, mitigation="m"))
    ok(s, {"kind": "card.update", "card": "b", "set": {"type": "action", "owner": "CIO"}})
    card = s.cards["b"]
    assert card["type"] == "action" and card["owner"] == "CIO"
    assert "severity" not in card and "mitigation" not in card


def test_move_within_and_across_sections() -> None:
    s = board()
    for cid in "abc":
        ok(s, add(cid))  # order: c b a
    ok(s, {"kind": "card.move", "card": "c", "section": "problem_vision", "after": "a"})
    assert s.sections["problem_vision"] == ["b", "a", "c"]
    ok(s, {"kind": "card.move", "card": "b", "section": "action_plan", "after": None})
    assert s.sections["problem_vision"] == ["a", "c"]
    assert s.sections["action_plan"] == ["b"] and s.cards["b"]["section"] == "action_plan"
    refused(
        s,
        {"kind": "card.move", "card": "a", "section": "problem_vision", "after": "a"},
        "bad_request",
    )
    refused(s, {"kind": "card.move", "card": "a", "section": "attic"}, "bad_request")


def test_delete_removes_card_from_cards_and_section() -> None:
    s = board()
    ok(s, add("a"))
    ok(s, {"kind": "card.delete", "card": "a"})
    assert s.cards == {} and s.sections["problem_vision"] == []


def test_board_update_fields_and_brief() -> None:
    s = board()
    ok(s, {"kind": "board.update", "set": {"title": "Sensors", "brief": {"goals": "Alerts"}}})
    ok(s, {"kind": "board.update", "set": {"brief": {"constraints": "Budget"}}})
    assert s.title == "Sensors" and s.brief == {"goals": "Alerts", "constraints": "Budget"}
    ok(s, {"kind": "board.update", "set": {"brief": {"goals": None}}})
    assert s.brief == {"constraints": "Budget"}
    for bad in (
        {},
        {"title": ""},
        {"title": 5},
        {"city": "X"},
        {"brief": {"mood": "x"}},
        {"brief": "x"},
        {"initiative": "i" * 301},
    ):
        refused(s, {"kind": "board.update", "set": bad}, "bad_request")


def test_wire_round_trip_and_replay_reproduce_the_state() -> None:
    s = board()
    events = []
    ops = [
        add("a"),
        add("b", section="barriers_risks", type="barrier", severity=1),
        {"kind": "card.move", "card": "a", "section": "action_plan", "after": None},
        {"kind": "card.update", "card": "b", "set": {"text": "edited"}},
        {"kind": "board.update", "set": {"initiative": "Sensors"}},
        {"kind": "card.delete", "card": "a"},
    ]
    for n, op in enumerate(ops, start=1):
        ok(s, op, Context(at=f"2027-03-09T14:00:0{n}.000Z", by=f"p_{n}"))
        events.append({"seq": n, "op": op, "at": f"2027-03-09T14:00:0{n}.000Z", "by": f"p_{n}"})
    again = replay(board(), events)
    assert again.to_wire() == s.to_wire()
    assert from_wire(T, s.to_wire()).to_wire() == s.to_wire()


def test_replay_refuses_a_gap_in_the_log() -> None:
    with pytest.raises(ValueError, match="gap"):
        replay(board(), [{"seq": 2, "op": add("a"), "at": AT, "by": "p"}])


def test_the_core_imports_no_web_socket_or_database_code() -> None:
    code = (
        "import sys, board.model\n"
        "bad = {'starlette', 'sqlalchemy', 'uvicorn', 'websockets', 'asyncio', 'pydantic'}\n"
        "print(sorted(bad & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
