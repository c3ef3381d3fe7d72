"""The board in real Chromium against a real server: live collaboration, edits made offline,
and user text that stays text. Every wait is on the DOM (expect), never a sleep."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

from tests.conftest import token_of
from tests.e2e.conftest import OpenPage
from tests.servers import Server

pytestmark = pytest.mark.browser

# Helpers: what a person does on the page -------------------------------------------------


async def open_board(open_page: OpenPage, token: str, board: str) -> Page:
    page = await open_page(token, f"/boards/{board}")
    await expect(page.locator("#connection")).to_have_text("Connected")
    return page


def section(page: Page, section_id: str) -> Locator:
    return page.locator(f'section[data-section="{section_id}"]')


def card(page: Page, text: str) -> Locator:
    return page.locator(
        ".card", has=page.locator(".card-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )


async def add_card(
    page: Page, section_id: str, text: str, type_: str = "idea", **fields: str
) -> None:
    await section(page, section_id).locator("button.add").click()
    dialog = page.locator("dialog.editor")
    await dialog.locator("#card-type").select_option(type_)
    await dialog.locator("#card-text").fill(text)
    await fill_fields(dialog, fields)
    await dialog.locator("button[type=submit]").click()
    await expect(dialog).to_have_count(0)


async def fill_fields(dialog: Locator, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        field = dialog.locator(f"#field-{name}")
        if await field.evaluate("e => e.tagName") == "SELECT":
            await field.select_option(value)
        else:
            await field.fill(value)


async def edit_card(
    page: Page, text: str, new_text: str, type_: str | None = None, **fields: str
) -> None:
    target = card(page, text)
    await target.hover()
    await target.locator("button.edit").click()
    dialog = page.locator("dialog.editor")
    if type_:
        await dialog.locator("#card-type").select_option(type_)
    await dialog.locator("#card-text").fill(new_text)
    await fill_fields(dialog, fields)
    await dialog.locator("button[type=submit]").click()
    await expect(dialog).to_have_count(0)


async def delete_card(page: Page, text: str) -> None:
    target = card(page, text)
    await target.hover()
    await target.locator("button.delete").click()
    await page.locator("dialog.confirm button.danger").click()


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


async def test_two_people_see_each_others_edits_live(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    expert = await open_board(open_page, token_of(demo, "expert"), board)
    facilitator = await open_board(open_page, token_of(demo, "facilitator"), board)
    await expect(expert.locator("#presence")).to_contain_text("Facilitator (demo)")
    await expect(facilitator.locator("#presence")).to_contain_text("expert")

    # Add: an idea from the expert, an action with its fields from the facilitator.
    await add_card(expert, "problem_vision", "Fewer cars idling at red lights")
    await expect(section(facilitator, "problem_vision").locator(".card")).to_contain_text(
        ["Fewer cars idling at red lights"]
    )
    await add_card(
        facilitator,
        "action_plan",
        "Brief the council",
        "action",
        owner="City manager",
        horizon="d30",
    )
    shown = card(expert, "Brief the council")
    await expect(shown).to_contain_text("Action")
    await expect(shown).to_contain_text("City manager")
    await expect(shown).to_contain_text("30 days")

    # Edit: the facilitator turns the expert's idea into a barrier with a severity.
    await edit_card(
        facilitator,
        "Fewer cars idling at red lights",
        "Signal hardware is 20 years old",
        "barrier",
        severity="3",
    )
    edited = card(expert, "Signal hardware is 20 years old")
    await expect(edited).to_contain_text("Barrier")
    await expect(edited).to_contain_text("Severity: 3")
    await expect(card(expert, "Fewer cars idling at red lights")).to_have_count(0)

    # Move across sections with the keyboard (Alt+Arrow), then by drag and drop.
    await card(expert, "Signal hardware is 20 years old").focus()
    await expert.keyboard.press("Alt+ArrowRight")  # problem_vision -> residents_equity
    await expect(card(facilitator, "Signal hardware is 20 years old")).to_have_count(1)
    await expect(section(facilitator, "residents_equity")).to_contain_text(
        "Signal hardware is 20 years old"
    )
    await expect(section(facilitator, "problem_vision")).not_to_contain_text("Signal hardware")

    await card(facilitator, "Brief the council").drag_to(
        section(facilitator, "funding_sources").locator("ol.cards")
    )
    await expect(section(expert, "funding_sources")).to_contain_text("Brief the council")
    await expect(section(expert, "action_plan")).not_to_contain_text("Brief the council")

    # Order within a section: a second card, then Alt+ArrowUp puts it first.
    await add_card(expert, "residents_equity", "Seniors without smartphones")
    ordered = section(facilitator, "residents_equity").locator(".card-text")
    await expect(ordered).to_have_text(
        ["Signal hardware is 20 years old", "Seniors without smartphones"]
    )
    await card(expert, "Seniors without smartphones").focus()
    await expert.keyboard.press("Alt+ArrowUp")
    await expect(ordered).to_have_text(
        ["Seniors without smartphones", "Signal hardware is 20 years old"]
    )

    # Delete (after the confirmation): the expert's own card, gone for both.
    await delete_card(expert, "Seniors without smartphones")
    await expect(card(facilitator, "Seniors without smartphones")).to_have_count(0)
    await expect(card(expert, "Seniors without smartphones")).to_have_count(0)

    for page in (expert, facilitator):
        await expect(page.locator("#pending")).to_have_text("All saved")
        assert page.js_errors == []  # type: ignore[attr-defined]
    state = api_state(server, token_of(demo, "facilitator"), board)
    assert texts_in(state, "residents_equity") == ["Signal hardware is 20 years old"]
    assert texts_in(state, "funding_sources") == ["Brief the council"]


async def test_edits_made_offline_are_delivered_exactly_once(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][1]["id"]
    token = token_of(demo, "facilitator")
    page = await open_board(open_page, token, board)
    before = api_state(server, token, board)

    server.stop()
    await expect(page.locator("#connection")).to_have_text(re.compile("Reconnecting…|Offline"))
    await add_card(page, "city_context", "Offline fact one", "fact", source="expert")
    await add_card(
        page, "costs_budget", "Sensor network", "resource", amount_usd="250000", cost_kind="capex"
    )
    await edit_card(page, "Offline fact one", "Offline fact one, verified")
    await expect(page.locator("#pending")).to_have_text("3 edits waiting")
    await expect(card(page, "Offline fact one, verified")).to_have_count(1)
    await expect(card(page, "Sensor network")).to_contain_text("$250,000")
    stored = await page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('brickboard:pending:'))"
        ".map(k => JSON.parse(localStorage.getItem(k)).length)"
    )
    assert stored == [3]

    server.start()  # same port, same database; the page comes back by itself
    await expect(page.locator("#connection")).to_have_text("Connected", timeout=30_000)
    await expect(page.locator("#pending")).to_have_text("All saved")

    after = api_state(server, token, board)
    assert after["seq"] == before["seq"] + 3  # three edits, each applied once
    assert texts_in(after, "city_context").count("Offline fact one, verified") == 1
    assert "Offline fact one" not in texts_in(after, "city_context")
    assert texts_in(after, "costs_budget") == ["Sensor network"]
    other = await open_board(open_page, token_of(demo, "expert"), board)
    await expect(card(other, "Offline fact one, verified")).to_have_count(1)
    await expect(card(other, "Sensor network")).to_have_count(1)


async def test_edits_of_a_closed_tab_are_sent_by_the_next_one_once(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][2]["id"]
    token = token_of(demo, "expert")
    page = await open_board(open_page, token, board)
    before = api_state(server, token, board)
    server.stop()
    await expect(page.locator("#connection")).to_have_text(re.compile("Reconnecting…|Offline"))
    await add_card(page, "technology_solution", "Start with one corridor")
    await add_card(page, "technology_solution", "Open standards only", "decision")
    await expect(page.locator("#pending")).to_have_text("2 edits waiting")
    context = page.context
    await page.close()  # the tab is gone; its edits wait in localStorage

    server.start()
    again = await context.new_page()
    await again.goto(f"{server.url}/boards/{board}")
    await expect(again.locator("#pending")).to_have_text("All saved", timeout=30_000)
    await expect(section(again, "technology_solution").locator(".card-text")).to_have_text(
        ["Start with one corridor", "Open standards only"]
    )
    after = api_state(server, token, board)
    assert after["seq"] == before["seq"] + 2
    assert texts_in(after, "technology_solution") == [
        "Start with one corridor",
        "Open standards only",
    ]


async def test_user_text_is_rendered_as_text(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    attack = "<img src=x onerror=window.__xss=1>"
    author = await open_board(open_page, token_of(demo, "expert", 1), board)
    viewer = await open_board(open_page, token_of(demo, "observer"), board)
    await add_card(author, "data_governance", attack, "question", addressed_to="<b>bold</b>")
    for page in (author, viewer):
        shown = card(page, attack)
        await expect(shown.locator(".card-text")).to_have_text(attack)
        await expect(shown).to_contain_text("<b>bold</b>")
        assert await shown.locator("img, b").count() == 0
        assert await page.evaluate("typeof window.__xss") == "undefined"
        assert page.js_errors == []  # type: ignore[attr-defined]  # not even a request for "x"


async def test_observer_sees_the_board_read_only(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    viewer = await open_board(open_page, token_of(demo, "observer"), board)
    await expect(viewer.locator("section.section")).to_have_count(13)
    await expect(viewer.locator("button.add")).to_have_count(0)
    await expect(viewer.locator(".card button")).to_have_count(0)
    await expect(viewer.locator(".card[draggable=true]")).to_have_count(0)
    # The projector shows the whole canvas: the page itself never scrolls at 1920x1080.
    size = await viewer.evaluate(
        "({h: document.documentElement.scrollHeight, w: document.documentElement.scrollWidth})"
    )
    assert size == {"h": 1080, "w": 1920}


async def test_boards_page_lists_the_workshop_and_marks_the_mayors_board(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    mayor = next(p for p in demo["participants"] if p["role"] == "mayor")
    own = next(b for b in demo["boards"] if b["mayor"] == mayor["id"])
    page = await open_page(mayor["token"])
    await expect(page).to_have_url(re.compile(f"/boards/{own['id']}$"))
    await page.goto(f"{server.url}/boards")
    await expect(page.locator("#workshop-title")).to_have_text(demo["workshop"]["title"])
    await expect(page.locator("#me")).to_contain_text(mayor["name"])
    await expect(page.locator(".board-item")).to_have_count(len(demo["boards"]))
    await expect(page.locator(".board-item.mine")).to_contain_text(own["city"])
    await expect(page.locator(".board-item.mine")).to_contain_text("Your board")
