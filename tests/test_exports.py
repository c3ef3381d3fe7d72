"""The action plan's content from a board state: votes, dates, money, and escaping."""

from __future__ import annotations

import csv
import io
import re
from html import escape

from board.exports.activity import activity_csv
from board.exports.html import action_plan_html
from board.exports.names import FILE_OF_FORMAT, export_name, slug
from board.exports.plan import Source, build_plan, date_range, readable_time
from board.exports.render import md
from board.exports.text import action_plan_markdown, actions_csv, actions_ics
from board.model import Actor, Context, apply, load_template, new_board
from board.model.permissions import Role
from board.model.visibility import enrich

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


def _board_in_every_section():
    s = new_board(load_template(), id="b", workshop="w", title="Flood alerts", city="San José, CA")
    for section in load_template().section_ids:
        text = f"On {section.replace('_', ' ')}"
        card = {"id": f"c-{section}", "section": section, "type": "idea", "text": text}
        do(s, EXPERT, {"kind": "card.add", "card": card})
    return s


def test_every_section_with_content_is_in_the_body_in_canvas_order() -> None:
    s = _board_in_every_section()
    do(s, EXPERT, {"kind": "card.delete", "card": "c-partners_ppp"})  # an empty section
    plan = build_plan(s.to_wire(), source())
    titles = [sec["title"] for sec in load_template().raw["sections"]]
    expected = [t for t in titles if t != "Partners & PPPs"]
    markdown = action_plan_markdown(plan)
    numbered = re.findall(r"^## \d+\. (.+)$", markdown, re.M)
    assert numbered == [md(t) for t in expected]  # City Context, Residents & Equity, ...
    html = action_plan_html(plan)
    assert re.findall(r"<h2>\d+\. ([^<]+)</h2>", html) == [escape(t) for t in expected]
    for section in load_template().section_ids:  # and every card in its section
        assert (f"On {section.replace('_', ' ')}" in markdown) == (section != "partners_ppp")
    # the same outline: the HTML and the Markdown have the same parts, in the same order
    assert len(re.findall(r"<h[23]>", html)) == len(re.findall(r"^##+ ", markdown, re.M))


def test_costs_are_totalled_against_funding_and_the_gap_named() -> None:
    s = _board_in_every_section()
    for cid, section, fields in (
        ("cap", "costs_budget", {"amount_usd": 2_000_000, "cost_kind": "capex"}),
        ("run", "costs_budget", {"amount_usd": 400_000, "cost_kind": "opex"}),
        ("ok", "funding_sources", {"amount_usd": 500_000, "funding_status": "committed"}),
        ("ask", "funding_sources", {"amount_usd": 1_500_000, "funding_status": "applied"}),
    ):
        card = {"id": cid, "section": section, "type": "resource", "text": cid, **fields}
        do(s, EXPERT, {"kind": "card.add", "card": card})
    plan = build_plan(s.to_wire(), source())
    m = plan.money
    assert (m.capital, m.operating, m.costs, m.committed, m.funding) == (
        2_000_000,
        400_000,
        2_400_000,
        500_000,
        2_000_000,
    )
    assert (m.uncommitted, m.unidentified) == (1_900_000, 400_000)
    sentence = (
        "Funding gap: $1,900,000 of the $2,400,000 in costs is not yet committed ($500,000 "
        "committed, $2,000,000 identified in all). $400,000 of it has no funding source named yet."
    )
    assert sentence in action_plan_html(plan)
    assert md(sentence) in action_plan_markdown(plan)
    assert "$2,400,000" in action_plan_html(plan)  # the costs' total row
    do(s, EXPERT, {"kind": "card.update", "card": "ask", "set": {"funding_status": "committed"}})
    do(s, EXPERT, {"kind": "card.update", "card": "ok", "set": {"amount_usd": 1_000_000}})
    funded = build_plan(s.to_wire(), source())
    covered = "Fully funded: $2,500,000 committed covers the $2,400,000 in costs, with $100,000"
    assert f"{covered} to spare." in action_plan_html(funded)


def test_file_names_keep_the_city_readable_and_say_what_they_are() -> None:
    assert slug("San José, CA") == "san-jose-ca" and slug("Łódź") == "lodz"
    assert slug("Straße 9") == "strasse-9" and slug("北京") == "board"
    assert [export_name("San José, CA", "", f) for f in FILE_OF_FORMAT] == [
        "san-jose-ca-action-plan.html",
        "san-jose-ca-action-plan.md",
        "san-jose-ca-actions.csv",
        "san-jose-ca-actions.ics",
        "san-jose-ca-board.json",
    ]


def test_the_activity_log_says_who_did_what_and_nothing_hidden() -> None:
    def event(seq, by, op):
        return {"seq": seq, "at": "2027-03-09T15:00:00.000Z", "by": by, "op": op}

    added = {"id": "a", "section": "technology_solution", "type": "idea", "text": "=HYPERLINK()"}
    events = [
        event(1, "e1", {"kind": "card.add", "card": added}),
        event(2, "m1", {"kind": "card.move", "card": "a", "section": "data_governance"}),
        event(3, "m1", {"kind": "comment.add", "comment": {"id": "k", "card": "a", "text": "Yes"}}),
        event(
            4,
            "e1",
            {"kind": "card.add", "hidden": True, "card": {"id": "p", "section": "city_context"}},
        ),
        event(5, "gone", {"kind": "card.delete", "card": "a"}),
    ]
    text = activity_csv(
        events,
        names={"e1": "Expert One", "m1": "Mayor One"},
        roles={"e1": "expert", "m1": "mayor"},
        sections={s["id"]: s["title"] for s in load_template().raw["sections"]},
        timezone="America/New_York",
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "seq",
        "time_utc",
        "time_local",
        "person",
        "role",
        "action",
        "section",
        "card",
        "text",
    ]
    assert rows[1][3:] == [
        "Expert One",
        "expert",
        "added an idea card",
        "Technologies",
        "a",
        "'=HYPERLINK()",
    ]
    assert rows[1][2] == "March 9, 2027, 10:00 (America/New_York)"
    assert rows[2][5:8] == ["moved a card", "Data, Privacy & Vendors", "a"]
    assert rows[3][5:] == ["commented on a card", "Data, Privacy & Vendors", "a", "Yes"]
    assert rows[4][5:] == ["added a private card", "City Context", "p", ""]
    assert rows[5][3:6] == ["a former participant", "", "deleted a card"]
