"""The board in real Chromium against a real server: live collaboration, edits made offline,
and user text that stays text. Every wait is on the DOM (expect), never a sleep."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import token_of
from tests.servers import Server

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Page]


# Helpers: what a person does on the page -------------------------------------------------


def open_board(open_page: OpenPage, token: str, board: str) -> Page:
    page = open_page(token, f"/boards/{board}")
    expect(page.locator("#connection")).to_have_text("Connected")
    return page


def section(page: Page, section_id: str) -> Locator:
    return page.locator(f'section[data-section="{section_id}"]')


def card(page: Page, text: str) -> Locator:
    return page.locator(
        ".card", has=page.locator(".card-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )


def add_card(page: Page, section_id: str, text: str, type_: str = "idea", **fields: str) -> None:
    section(page, section_id).locator("button.add").click()
    dialog = page.locator("dialog.editor")
    dialog.locator("#card-type").select_option(type_)
    dialog.locator("#card-text").fill(text)
    fill_fields(dialog, fields)
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_have_count(0)


def fill_fields(dialog: Locator, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        field = dialog.locator(f"#field-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def edit_card(
    page: Page, text: str, new_text: str, type_: str | None = None, **fields: str
) -> None:
    target = card(page, text)
    target.hover()
    target.locator("button.edit").click()
    dialog = page.locator("dialog.editor")
    if type_:
        dialog.locator("#card-type").select_option(type_)
    dialog.locator("#card-text").fill(new_text)
    fill_fields(dialog, fields)
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_have_count(0)


def delete_card(page: Page, text: str) -> None:
    target = card(page, text)
    target.hover()
    target.locator("button.delete").click()
    page.locator("dialog.confirm button.danger").click()


def api_state(server: Server, token: str, board: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{server.url}/api/boards/{board}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def texts_in(state: dict[str, Any], section_id: str) -> list[str]:
    ids = next(s["cards"] for s in state["sections"] if s["id"] == section_id)
    return [state["cards"][i]["text"] for i in ids]


# Tests ------------------------------------------------------------------------------------


def test_two_people_see_each_others_edits_live(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    expert = open_board(open_page, token_of(demo, "expert"), board)
    facilitator = open_board(open_page, token_of(demo, "facilitator"), board)
    expect(expert.locator("#presence")).to_contain_text("Facilitator (demo)")
    expect(facilitator.locator("#presence")).to_contain_text("expert")

    # Add: an idea from the expert, an action with its fields from the facilitator.
    add_card(expert, "problem_vision", "Fewer cars idling at red lights")
    expect(section(facilitator, "problem_vision").locator(".card")).to_contain_text(
        ["Fewer cars idling at red lights"]
    )
    add_card(
        facilitator,
        "action_plan",
        "Brief the council",
        "action",
        owner="City manager",
        horizon="d30",
    )
    shown = card(expert, "Brief the council")
    expect(shown).to_contain_text("Action")
    expect(shown).to_contain_text("City manager")
    expect(shown).to_contain_text("30 days")

    # Edit: the facilitator turns the expert's idea into a barrier with a severity.
    edit_card(
        facilitator,
        "Fewer cars idling at red lights",
        "Signal hardware is 20 years old",
        "barrier",
        severity="3",
    )
    edited = card(expert, "Signal hardware is 20 years old")
    expect(edited).to_contain_text("Barrier")
    expect(edited).to_contain_text("Severity: 3")
    expect(card(expert, "Fewer cars idling at red lights")).to_have_count(0)

    # Move across sections with the keyboard (Alt+Arrow), then by drag and drop.
    card(expert, "Signal hardware is 20 years old").focus()
    expert.keyboard.press("Alt+ArrowRight")  # problem_vision -> residents_equity
    expect(card(facilitator, "Signal hardware is 20 years old")).to_have_count(1)
    expect(section(facilitator, "residents_equity")).to_contain_text(
        "Signal hardware is 20 years old"
    )
    expect(section(facilitator, "problem_vision")).not_to_contain_text("Signal hardware")

    card(facilitator, "Brief the council").drag_to(
        section(facilitator, "funding_sources").locator("ol.cards")
    )
    expect(section(expert, "funding_sources")).to_contain_text("Brief the council")
    expect(section(expert, "action_plan")).not_to_contain_text("Brief the council")

    # Order within a section: a second card, then Alt+ArrowUp puts it first.
    add_card(expert, "residents_equity", "Seniors without smartphones")
    ordered = section(facilitator, "residents_equity").locator(".card-text")
    expect(ordered).to_have_text(["Signal hardware is 20 years old", "Seniors without smartphones"])
    card(expert, "Seniors without smartphones").focus()
    expert.keyboard.press("Alt+ArrowUp")
    expect(ordered).to_have_text(["Seniors without smartphones", "Signal hardware is 20 years old"])

    # Delete (after the confirmation): the expert's own card, gone for both.
    delete_card(expert, "Seniors without smartphones")
    expect(card(facilitator, "Seniors without smartphones")).to_have_count(0)
    expect(card(expert, "Seniors without smartphones")).to_have_count(0)

    for page in (expert, facilitator):
        expect(page.locator("#pending")).to_have_text("All saved")
        assert page.js_errors == []  # type: ignore[attr-defined]
    state = api_state(server, token_of(demo, "facilitator"), board)
    assert texts_in(state, "residents_equity") == ["Signal hardware is 20 years old"]
    assert texts_in(state, "funding_sources") == ["Brief the council"]


def test_edits_made_offline_are_delivered_exactly_once(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][1]["id"]
    token = token_of(demo, "facilitator")
    page = open_board(open_page, token, board)
    before = api_state(server, token, board)

    server.stop()
    expect(page.locator("#connection")).to_have_text(re.compile("Reconnecting…|Offline"))
    add_card(page, "city_context", "Offline fact one", "fact", source="expert")
    add_card(
        page, "costs_budget", "Sensor network", "resource", amount_usd="250000", cost_kind="capex"
    )
    edit_card(page, "Offline fact one", "Offline fact one, verified")
    expect(page.locator("#pending")).to_have_text("3 edits waiting")
    expect(card(page, "Offline fact one, verified")).to_have_count(1)
    expect(card(page, "Sensor network")).to_contain_text("$250,000")
    stored = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('brickboard:pending:'))"
        ".map(k => JSON.parse(localStorage.getItem(k)).length)"
    )
    assert stored == [3]

    server.start()  # same port, same database; the page comes back by itself
    expect(page.locator("#connection")).to_have_text("Connected", timeout=30_000)
    expect(page.locator("#pending")).to_have_text("All saved")

    after = api_state(server, token, board)
    assert after["seq"] == before["seq"] + 3  # three edits, each applied once
    assert texts_in(after, "city_context").count("Offline fact one, verified") == 1
    assert "Offline fact one" not in texts_in(after, "city_context")
    assert texts_in(after, "costs_budget") == ["Sensor network"]
    other = open_board(open_page, token_of(demo, "expert"), board)
    expect(card(other, "Offline fact one, verified")).to_have_count(1)
    expect(card(other, "Sensor network")).to_have_count(1)


def test_edits_of_a_closed_tab_are_sent_by_the_next_one_once(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][2]["id"]
    token = token_of(demo, "expert")
    page = open_board(open_page, token, board)
    before = api_state(server, token, board)
    server.stop()
    expect(page.locator("#connection")).to_have_text(re.compile("Reconnecting…|Offline"))
    add_card(page, "technology_solution", "Start with one corridor")
    add_card(page, "technology_solution", "Open standards only", "decision")
    expect(page.locator("#pending")).to_have_text("2 edits waiting")
    context = page.context
    page.close()  # the tab is gone; its edits wait in localStorage

    server.start()
    again = context.new_page()
    again.goto(f"{server.url}/boards/{board}")
    expect(again.locator("#pending")).to_have_text("All saved", timeout=30_000)
    expect(section(again, "technology_solution").locator(".card-text")).to_have_text(
        ["Start with one corridor", "Open standards only"]
    )
    after = api_state(server, token, board)
    assert after["seq"] == before["seq"] + 2
    assert texts_in(after, "technology_solution") == [
        "Start with one corridor",
        "Open standards only",
    ]


def test_user_text_is_rendered_as_text(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    attack = "<img src=x onerror=window.__xss=1>"
    author = open_board(open_page, token_of(demo, "expert", 1), board)
    viewer = open_board(open_page, token_of(demo, "observer"), board)
    add_card(author, "data_governance", attack, "question", addressed_to="<b>bold</b>")
    for page in (author, viewer):
        shown = card(page, attack)
        expect(shown.locator(".card-text")).to_have_text(attack)
        expect(shown).to_contain_text("<b>bold</b>")
        assert shown.locator("img, b").count() == 0
        assert page.evaluate("typeof window.__xss") == "undefined"


def test_observer_sees_the_board_read_only(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    viewer = open_board(open_page, token_of(demo, "observer"), board)
    expect(viewer.locator("section.section")).to_have_count(13)
    expect(viewer.locator("button.add")).to_have_count(0)
    expect(viewer.locator(".card button")).to_have_count(0)
    expect(viewer.locator(".card[draggable=true]")).to_have_count(0)


def test_boards_page_lists_the_workshop_and_marks_the_mayors_board(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    mayor = next(p for p in demo["participants"] if p["role"] == "mayor")
    own = next(b for b in demo["boards"] if b["mayor"] == mayor["id"])
    page = open_page(mayor["token"])
    expect(page).to_have_url(re.compile(f"/boards/{own['id']}$"))
    page.goto(f"{server.url}/boards")
    expect(page.locator("#workshop-title")).to_have_text(demo["workshop"]["title"])
    expect(page.locator("#me")).to_contain_text(mayor["name"])
    expect(page.locator(".board-item")).to_have_count(len(demo["boards"]))
    expect(page.locator(".board-item.mine")).to_contain_text(own["city"])
    expect(page.locator(".board-item.mine")).to_contain_text("Your board")
