"""The action plan's content from a board state: votes, dates, money, and escaping."""

from __future__ import annotations

from board.exports.html import action_plan_html
from board.exports.plan import Source, build_plan, date_range, readable_time
from board.exports.text import action_plan_markdown, actions_csv, actions_ics
from board.model import Actor, Context, apply, load_template, new_board
from board.model.kinds import enrich
from board.model.permissions import Role

FAC = Actor("fac", Role.FACILITATOR, "w")
EXPERT = Actor("e1", Role.EXPERT, "w")
MAYOR = Actor("m1", Role.MAYOR, "w")


def do(state, actor, op):
    ctx = Context(at="2027-03-11T15:00:00.000Z", by=actor.id, actor=actor)
    result = apply(state, enrich(state, op, ctx), ctx)
    assert result is state, result


def board_with_votes():
    s = new_board(
        load_template(),
        id="b",
        workshop="w",
        title="Flood alerts",
        city="Beaumont, TX",
        initiative="Flood-level sensors",
        mayor="m1",
    )
    for cid, text in (("a", "Sensors at 12 low points"), ("b", "Text alerts <b>opt-in</b>")):
        do(
            s,
            EXPERT,
            {
                "kind": "card.add",
                "card": {"id": cid, "section": "technology_solution", "type": "idea", "text": text},
            },
        )
    do(
        s,
        EXPERT,
        {
            "kind": "card.add",
            "card": {
                "id": "act",
                "section": "action_plan",
                "type": "action",
                "text": "=cmd|' /C calc'!A0",
                "horizon": "d30",
            },
        },
    )
    do(s, FAC, {"kind": "vote.open", "round": {"id": "r", "dots": 3, "blind": True}})
    for actor, card in ((EXPERT, "b"), (MAYOR, "b"), (MAYOR, "a")):
        do(s, actor, {"kind": "vote.place", "round": "r", "card": card})
    return s


def source(**kw):
    return Source(
        workshop_title="MLI",
        dates=["2027-03-09", "2027-03-10", "2027-03-11"],
        snapshot_id="s1",
        snapshot_label="Day 3 close",
        snapshot_at="2027-03-11T23:00:00.000Z",
        seq=9,
        timezone="America/New_York",
        names={"e1": "Expert One", "m1": "Mayor One"},
        roles={"e1": "expert", "m1": "mayor"},
        mayor_name="Mayor One",
        **kw,
    )


def test_top_voted_ideas_come_from_revealed_rounds_only() -> None:
    s = board_with_votes()
    assert build_plan(s.to_wire(), source()).top_voted == []  # still blind
    do(s, FAC, {"kind": "vote.reveal", "round": "r"})
    plan = build_plan(s.to_wire(), source())
    assert [(v["card"]["id"], v["votes"]) for v in plan.top_voted] == [("b", 2), ("a", 1)]
    html = action_plan_html(plan)
    assert "No votes were cast" not in html
    assert "Text alerts &lt;b&gt;opt-in&lt;/b&gt;" in html and "<b>opt-in" not in html
    assert "Text alerts \\<b\\>opt-in\\</b\\>" in action_plan_markdown(plan)


def test_the_header_reads_like_a_document() -> None:
    assert date_range(["2027-03-09", "2027-03-11", "2027-03-10"]) == "March 9\u201311, 2027"
    assert readable_time("2027-03-11T23:00:00.000Z", "America/New_York") == (
        "March 11, 2027, 18:00 (America/New_York)"
    )
    html = action_plan_html(build_plan(board_with_votes().to_wire(), source()))
    assert "March 9\u201311, 2027" in html and "Expert One" in html


def test_csv_cannot_smuggle_a_spreadsheet_formula_and_ics_dates_follow_horizons() -> None:
    plan = build_plan(board_with_votes().to_wire(), source())
    assert "'=cmd" in actions_csv(plan)
    assert "DTSTART;VALUE=DATE:20270410" in actions_ics(plan, "2027-03-11T23:00:00.000Z")
