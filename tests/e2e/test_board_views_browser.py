"""Ways into a full board, in real Chromium: a section opened large with its own address
(Esc and Back return; Follow opens the spotlit section), sections collapsed and remembered
per person, the outline (headings and a live, keyboard-navigable list), remote changes told
to screen readers in summary, and no shortcut acting while someone types."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.conftest import token_of
from tests.e2e.conftest import OpenPage
from tests.e2e.day3 import PER_SECTION, fill_day3
from tests.e2e.test_board_browser import add_card, card, section
from tests.http_client import call
from tests.servers import Server
from tests.wsclient import Client

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}

# Every text the announcer's live region is given, in order (it is emptied between two).
RECORD_ANNOUNCEMENTS = """() => {
  window.told = [];
  const region = document.getElementById("announcer");
  new MutationObserver(() => {
    if (region.textContent) window.told.push(region.textContent);
  }).observe(region, { childList: true, characterData: true, subtree: true });
}"""


async def board_page(open_page: OpenPage, token: str, board: str, query: str = "") -> Page:
    page = await open_page(token, f"/boards/{board}{query}", viewport=LAPTOP)
    await expect(page.locator("#connection")).to_have_text("Connected")
    return page


async def switch_to(page: Page, server: Server, token: str) -> None:
    """Sign this browser in as someone else: the invite link, then "Switch to …"."""
    await page.goto(f"{server.url}/join/{token}")
    await page.get_by_role("button", name="Switch to").click()
    await expect(page.locator("h1")).not_to_have_text("Switch who is signed in?")


async def visible_sections(page: Page) -> list[str]:
    return await page.locator("section.section:visible").evaluate_all(
        "nodes => nodes.map((n) => n.dataset.section)"
    )


async def test_a_section_opens_large_with_its_own_address(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    await fill_day3(server.ws_url, board, token_of(demo, "facilitator"))
    page = await board_page(open_page, token_of(demo, "expert"), board)
    barriers = section(page, "barriers_risks")
    await barriers.locator(".open-large").click()
    await expect(page).to_have_url(re.compile(rf"/boards/{board}\?section=barriers_risks$"))
    assert await visible_sections(page) == ["barriers_risks"]
    await expect(barriers.locator("h2")).to_be_focused()
    await expect(page.locator("#focus-bar")).to_contain_text("Section 9 of 13")
    # Its cards in a readable grid, all of them on the page (no box to scroll inside).
    lists = barriers.locator("ol.cards")
    lefts = await lists.locator(".card").evaluate_all(
        "cards => cards.map((c) => Math.round(c.getBoundingClientRect().left))"
    )
    assert len(lefts) == PER_SECTION and len(set(lefts)) >= 3, lefts
    assert await lists.evaluate("l => l.scrollHeight <= l.clientHeight + 1")
    assert await page.title() == "Greatest Barriers · Board · " + demo["workshop"]["title"]

    # Esc returns to every section, the keyboard on the section's own button.
    await page.keyboard.press("Escape")
    await expect(page).to_have_url(re.compile(rf"/boards/{board}$"))
    assert len(await visible_sections(page)) == 13
    await expect(barriers.locator(".open-large")).to_be_focused()

    # Back returns too, Forward opens it again; the next section keeps the page large.
    await barriers.locator(".open-large").click()
    await expect(page).to_have_url(re.compile(r"\?section=barriers_risks$"))
    await page.go_back()
    await expect(page).to_have_url(re.compile(rf"/boards/{board}$"))
    assert len(await visible_sections(page)) == 13
    await page.go_forward()
    await expect(page).to_have_url(re.compile(r"\?section=barriers_risks$"))
    assert await visible_sections(page) == ["barriers_risks"]
    await page.locator("#focus-bar .focus-next").click()
    await expect(page).to_have_url(re.compile(r"\?section=costs_budget$"))
    assert await visible_sections(page) == ["costs_budget"]

    # The address alone opens it (a link, a bookmark, the projector's laptop).
    other = await board_page(open_page, token_of(demo, "mayor"), board, "?section=action_plan")
    assert await visible_sections(other) == ["action_plan"]
    await expect(section(other, "action_plan").locator(".card")).to_have_count(PER_SECTION)
    assert page.js_errors == [] and other.js_errors == []  # type: ignore[attr-defined]


async def test_following_opens_the_spotlit_section_large(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    _, me = call("GET", f"{server.url}/api/me", token=token_of(demo, "facilitator"))
    stage = await Client.open(server.ws_url, me["stage"], token_of(demo, "facilitator"))
    page = await board_page(open_page, token_of(demo, "expert"), board, "?follow=1")
    await expect(page.locator("#follow")).to_have_attribute("aria-pressed", "true")
    spot = {"kind": "stage.spotlight", "mode": "section", "board": board}
    assert (await stage.op({**spot, "section": "funding_sources"}))["type"] == "op"
    await expect(page).to_have_url(re.compile(r"\?follow=1&section=funding_sources$"))
    await expect(section(page, "funding_sources")).to_have_class(re.compile(r"\bis-focus\b"))
    assert await visible_sections(page) == ["funding_sources"]
    await expect(section(page, "funding_sources")).to_have_class(re.compile(r"\bspotlit\b"))

    # The whole board in the spotlight again: every section again.
    assert (await stage.op({"kind": "stage.spotlight", "mode": "board", "board": board}))[
        "type"
    ] == "op"
    await expect(page).to_have_url(re.compile(r"\?follow=1$"))
    assert len(await visible_sections(page)) == 13
    await stage.close()
    assert page.js_errors == []  # type: ignore[attr-defined]


async def test_collapsed_sections_are_remembered_per_person(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    page = await board_page(open_page, token_of(demo, "mayor"), board)
    costs = section(page, "costs_budget")
    toggle = costs.locator(".collapse-toggle")
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await expect(costs.locator("ol.cards")).to_be_hidden()
    await page.reload()
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await expect(costs.locator("ol.cards")).to_be_hidden()

    # Another person in the same browser sees the board their own way.
    await switch_to(page, server, token_of(demo, "expert"))
    await page.goto(f"{server.url}/boards/{board}")
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await expect(costs.locator("ol.cards")).to_be_visible()
    await switch_to(page, server, token_of(demo, "mayor"))
    await page.goto(f"{server.url}/boards/{board}")
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await toggle.click()  # expanded again, and remembered so
    await page.reload()
    await expect(costs.locator("ol.cards")).to_be_visible()


async def test_the_outline_is_a_live_keyboard_list(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    await fill_day3(server.ws_url, board, token_of(demo, "facilitator"))
    page = await board_page(open_page, token_of(demo, "facilitator"), board)
    total = await page.locator(".card").count()
    await page.locator("#outline-toggle").click()
    await expect(page).to_have_url(re.compile(r"\?view=outline$"))
    outline = page.locator("#outline")
    await expect(outline).to_be_visible()
    await expect(page.locator("#canvas")).to_be_hidden()
    await expect(outline.locator("h2")).to_have_count(13)
    items = outline.locator("li.outline-card")
    await expect(items).to_have_count(total)
    # One card in the Tab order; the arrows, Home and End go through all of them.
    await expect(items.first).to_be_focused()
    await expect(outline.locator("li.outline-card[tabindex='0']")).to_have_count(1)
    await page.keyboard.press("ArrowDown")
    await expect(items.nth(1)).to_be_focused()
    await page.keyboard.press("End")
    await expect(items.last).to_be_focused()
    await expect(items.last).to_contain_text("Action: ")
    await expect(items.last).to_contain_text("Owner: ")
    await expect(items.first).to_have_text(re.compile(r"^ℹ Fact: .+Source: pre read"))
    await expect(outline).not_to_contain_text("null")
    await page.keyboard.press("Home")
    await expect(items.first).to_be_focused()
    await expect(outline.locator("li.outline-card[tabindex='0']")).to_have_count(1)

    # Live: someone else's card appears in its section's list.
    expert = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    added = {"id": "late-1", "section": "barriers_risks", "type": "barrier", "text": "Union vote"}
    assert (await expert.op({"kind": "card.add", "card": added, "after": None}))["type"] == "op"
    barriers = outline.locator("[data-outline='barriers_risks'] li.outline-card")
    await expect(barriers.first).to_contain_text("Barrier: Union vote")
    await expect(outline.locator("[data-outline='barriers_risks'] h2")).to_contain_text(
        f"({PER_SECTION + 1} cards)"
    )
    await expert.close()

    # Enter edits the focused card; the outline gets the keyboard back after.
    await barriers.first.focus()
    await page.keyboard.press("Enter")
    dialog = page.locator("dialog.editor")
    await expect(dialog.locator("#card-text")).to_have_value("Union vote")
    await dialog.locator("button.secondary").click()
    await expect(barriers.first).to_be_focused()
    await page.locator("#outline-toggle").click()
    await expect(page.locator("#canvas")).to_be_visible()
    assert page.js_errors == []  # type: ignore[attr-defined]


async def test_remote_changes_are_told_in_summary_and_never_my_own(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    page = await board_page(open_page, token_of(demo, "mayor"), board)
    await page.evaluate(RECORD_ANNOUNCEMENTS)
    expert = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    for n in range(3):
        body = {"id": f"r{n}", "section": "barriers_risks", "type": "barrier", "text": f"Risk {n}"}
        assert (await expert.op({"kind": "card.add", "card": body, "after": None}))["type"] == "op"
    await expect(page.locator("#announcer")).to_have_text("3 new cards in Greatest Barriers.")
    assert await page.evaluate("window.told") == ["3 new cards in Greatest Barriers."]

    # My own card is not news to me; the next change of someone else's is.
    await add_card(page, "costs_budget", "Two technicians for five years")
    await expect(card(page, "Two technicians for five years")).to_have_count(1)
    comment = {"id": "k-r1", "card": "r1", "text": "The county has the same problem"}
    assert (await expert.op({"kind": "comment.add", "comment": comment}))["type"] == "op"
    await expect(page.locator("#announcer")).to_have_text("1 new comment.")
    told = await page.evaluate("window.told")
    assert told == ["3 new cards in Greatest Barriers.", "1 new comment."], told
    await expert.close()


async def test_no_shortcut_acts_while_typing(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    page = await board_page(open_page, token_of(demo, "mayor"), board, "?section=city_context")
    first = section(page, "city_context").locator(".card").first
    text = await first.locator(".card-text").inner_text()
    await first.locator(".comments-btn").click()
    box = page.locator("#comment-text")
    await expect(box).to_be_focused()
    await box.type("Delete this?")
    for key in ("Backspace", "Delete", "Enter", "Escape", "ArrowUp"):
        await page.keyboard.press(key)
    # The keys went to the text: no card deleted or moved, no dialog, the panel and the
    # section opened large still there.
    await expect(box).to_have_value("Delete this\n")
    await expect(page.locator("dialog")).to_have_count(0)
    await expect(page.locator("#side")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"\?section=city_context$"))
    await expect(card(page, text)).to_have_count(1)
    assert (await page.evaluate("brickboard.pendingCount()")) == 0

    # Out of the field, the same keys act: Esc closes the panel, then the large section.
    await page.locator("#side .side-close").focus()
    await page.keyboard.press("Escape")
    await expect(page.locator("#side")).to_be_hidden()
    await page.keyboard.press("Escape")
    await expect(page).to_have_url(re.compile(rf"/boards/{board}$"))
