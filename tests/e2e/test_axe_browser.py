"""WCAG 2.1 AA, checked by axe-core (tags wcag2a, wcag2aa, wcag21a, wcag21aa) on every page
and on the board's main states, with a Day-3 board: zero violations.

Each test gathers every page's or state's violations before asserting, so one run names
all that is wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.async_api import Page, expect

from board.model import load_template
from tests.conftest import token_of
from tests.e2e.axe import violations
from tests.e2e.conftest import OpenPage
from tests.e2e.day3 import PER_SECTION, day3_cards, fill_day3
from tests.http_client import call
from tests.servers import Server
from tests.wsclient import Client

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}


class Audit:
    """Violations by page or state; empty at the end of a test."""

    def __init__(self) -> None:
        self.found: dict[str, list[dict[str, Any]]] = {}
        self.checked: list[str] = []

    async def check(self, name: str, page: Page) -> None:
        self.checked.append(name)
        found = await violations(page)
        if found:
            self.found[name] = found
        assert page.js_errors == [], (name, page.js_errors)  # type: ignore[attr-defined]

    def assert_clean(self, expected: int) -> None:
        assert self.found == {}, json.dumps(self.found, indent=1)
        assert len(self.checked) == expected, self.checked


async def room_with_a_day(server: Server, demo: dict[str, Any], *, full: bool = True) -> str:
    """A Day-3 board (or, for the states, a card in every section: the same parts, fewer
    copies, a faster audit) with a comment and a snapshot; the projector shows it."""
    board = demo["boards"][0]["id"]
    token = token_of(demo, "facilitator")
    client = await Client.open(server.ws_url, board, token)
    if full:
        await fill_day3(server.ws_url, board, token)
    else:
        for card in day3_cards(load_template().raw["sections"])[::PER_SECTION]:
            assert (await client.op({"kind": "card.add", "card": card, "after": None}))[
                "type"
            ] == "op"
    comment = {"id": "k-axe", "card": "d3-1", "text": "Which year are these figures from?"}
    assert (await client.op({"kind": "comment.add", "comment": comment}))["type"] == "op"
    await client.close()
    status, _ = call(
        "POST", f"{server.url}/api/boards/{board}/snapshots", {"label": "Day 3"}, token=token
    )
    assert status in (200, 201)
    _, me = call("GET", f"{server.url}/api/me", token=token)
    stage = await Client.open(server.ws_url, me["stage"], token)
    for op in (
        {"kind": "stage.spotlight", "mode": "board", "board": board},
        {"kind": "timer.start", "seconds": 600, "label": "Report-out"},
    ):
        assert (await stage.op(op))["type"] == "op"
    await stage.close()
    return board


async def test_every_page_has_no_wcag_violations(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = await room_with_a_day(server, demo)
    facilitator, mayor = token_of(demo, "facilitator"), token_of(demo, "mayor")
    audit = Audit()

    async def visit(name: str, token: str | None, path: str, ready: str) -> Page:
        page = await open_page(token, path, viewport=LAPTOP, bypass_csp=True)
        await expect(page.locator(ready).first).to_be_visible()
        await audit.check(name, page)
        return page

    await visit("board", mayor, f"/boards/{board}", ".card")
    await visit("boards", mayor, "/boards", ".board-item")
    await visit("console", facilitator, "/console", "#people tbody tr")
    await visit("run", facilitator, "/run", ".run-board")
    await visit("present", token_of(demo, "observer"), "/present", ".rcard")
    await visit("cross", facilitator, "/cross", ".rcard")
    history = await visit("history", mayor, f"/boards/{board}/history", ".snapshot-item")
    await history.locator(".snapshot-item button.view").first.click()
    await expect(history.locator("#view-label")).to_have_text("Day 3")
    await audit.check("history: a snapshot", history)
    preread = await visit("preread", facilitator, "/preread", ".board-entry")
    await preread.locator(".board-entry a").first.click()
    await expect(preread.locator("#editor-city")).to_be_visible()
    await audit.check("preread: a brief", preread)
    await visit("room", facilitator, "/room", "#room-code")
    await visit("welcome", None, "/", "h1")
    await visit("join: switch who is signed in", mayor, f"/join/{facilitator}", "form button")
    join = await visit("join", None, "/join", "#code")
    _, code = call(
        "GET",
        f"{server.url}/api/workshops/{demo['workshop']['id']}/join-code",
        token=facilitator,
    )
    await join.locator("#code").fill(code["code"])
    await join.locator("#code-form button[type=submit]").click()
    await expect(join.locator("#names .name-choice").first).to_be_visible()
    await audit.check("join: the names", join)
    audit.assert_clean(15)


async def test_the_boards_states_have_no_wcag_violations(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = await room_with_a_day(server, demo, full=False)
    audit = Audit()
    page = await open_page(
        token_of(demo, "facilitator"), f"/boards/{board}", viewport=LAPTOP, bypass_csp=True
    )
    await expect(page.locator("#connection")).to_have_text("Connected")

    await page.locator('section[data-section="problem_vision"] button.add').click()
    await expect(page.locator("dialog.editor")).to_be_visible()
    await audit.check("add-card dialog", page)
    await page.locator("dialog.editor button.secondary").click()

    await page.locator('.card[data-card="d3-1"] .comments-btn').click()
    await expect(page.locator("#side .comment")).to_have_count(1)
    await audit.check("comments open", page)
    await page.locator("#side .side-close").click()

    await page.locator('section[data-section="barriers_risks"] .open-large').click()
    await expect(page.locator("#focus-bar")).to_be_visible()
    await audit.check("focus mode", page)
    await page.keyboard.press("Escape")

    await page.locator("#open-vote").click()
    await page.locator("dialog.vote-dialog button[type=submit]").click()
    await expect(page.locator(".vote-banner")).to_be_visible()
    await expect(page.locator(".card .dot-btn").first).to_be_visible()
    await page.locator(".card .dot-btn").first.click()
    await audit.check("a vote open", page)
    await page.locator("#votes-btn").click()
    await expect(page.locator("#side .results")).to_be_visible()
    await audit.check("vote results", page)
    await page.locator("#side .side-close").click()

    await page.locator("#private-toggle").click()
    await expect(page.locator(".private-banner")).to_be_visible()
    expert = await open_page(
        token_of(demo, "expert"), f"/boards/{board}", viewport=LAPTOP, bypass_csp=True
    )
    await expect(expert.locator(".private-banner")).to_be_visible()
    await expert.locator('section[data-section="costs_budget"] button.add').click()
    await expert.locator("dialog.editor #card-text").fill("A private idea")
    await expert.locator("dialog.editor button[type=submit]").click()
    await expect(expert.locator(".card .private-tag")).to_be_visible()
    await expect(page.locator(".card.placeholder")).to_have_count(1)
    await audit.check("private writing (facilitator)", page)
    await audit.check("private writing (writer)", expert)

    await page.locator("#outline-toggle").click()
    await expect(page.locator("#outline .outline-card").first).to_be_focused()
    await audit.check("outline", page)
    await page.locator("#outline-toggle").click()
    await page.locator(".help summary").click()
    await audit.check("keyboard help", page)

    phone = await open_page(
        token_of(demo, "mayor"), f"/boards/{board}", viewport=PHONE, bypass_csp=True
    )
    await expect(phone.locator("#connection")).to_have_text("Connected")
    await phone.locator("#menu-btn").click()
    await expect(phone.locator("#board-menu .history-link")).to_be_visible()
    await audit.check("phone, menu open", phone)
    audit.assert_clean(10)
