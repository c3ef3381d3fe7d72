"""The board on the room's screens, in real Chromium: a Day-3 board (fifteen cards in every
section) at laptop sizes, a tablet, a phone and at 200% zoom, with the busiest header the
room makes (Follow on, the timer running, a vote open, an edit waiting).

What is measured is what a person sees: how much of each section's cards is on screen,
whether the page scrolls sideways, whether two header items are drawn over each other,
how narrow a card gets with the comments open."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, WebSocketRoute, expect

from tests.conftest import token_of
from tests.e2e.conftest import OpenPage, page_opener
from tests.e2e.day3 import fill_day3
from tests.http_client import call
from tests.servers import Server, demo_roster, sqlite_url
from tests.wsclient import Client

pytestmark = pytest.mark.browser

MIN_SHOWN = 240  # px of a section's cards always on screen (or all of them, if fewer)
MIN_CARD = 180  # px: no card narrower, side panel open or not

SIZES = {
    "1366x768": {"width": 1366, "height": 768},
    "1280x800": {"width": 1280, "height": 800},
    "1440x900": {"width": 1440, "height": 900},
    "768x1024": {"width": 768, "height": 1024},
    "320x640": {"width": 320, "height": 640},
    # A 1366x768 laptop zoomed to 200% (WCAG 1.4.4): what Chromium lays out then.
    "1366x768-zoom200": {"width": 683, "height": 384},
}

HEADER_ITEMS = (
    "#board-title, #board-sub, #connection, #pending, #menu-btn, #board-menu > *,"
    " #edit-history > *, #stage-timer, #follow, #votes-btn, #open-vote, #private-toggle,"
    " .people-label, #presence > li"
)

SECTIONS_SHOWN = """() => [...document.querySelectorAll("ol.cards[data-section]")].map((list) => {
  const last = list.lastElementChild;
  return {
    section: list.dataset.section,
    cards: list.children.length,
    content: last ? last.offsetTop + last.offsetHeight : 0,
    shown: list.getBoundingClientRect().height,
    hidden: list.hidden || list.closest("section").hidden,
  };
})"""

OVERLAPS = """(selector) => {
  const items = [...document.querySelectorAll(selector)]
    .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
    .filter((e) => !e.classList.contains("visually-hidden"))
    .map((e) => ({ name: e.id || e.className || e.tagName, r: e.getBoundingClientRect() }));
  const bad = [];
  for (let i = 0; i < items.length; i += 1) {
    const a = items[i];
    if (a.r.left < -0.5 || a.r.right > innerWidth + 0.5) bad.push(`${a.name} leaves the screen`);
    for (const b of items.slice(i + 1)) {
      const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (x > 0.5 && y > 0.5) bad.push(`${a.name} overlaps ${b.name}`);
    }
  }
  return { shown: items.map((i) => i.name), bad };
}"""

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


async def busy_room(server: Server, demo: dict[str, Any], board: str) -> Client:
    """The board filled for Day 3, a vote open on it, the room's timer running."""
    token = token_of(demo, "facilitator")
    await fill_day3(server.ws_url, board, token)
    client = await Client.open(server.ws_url, board, token)
    round_ = {"id": "r-day3", "title": "Top barriers", "dots": 3, "sections": None, "blind": False}
    assert (await client.op({"kind": "vote.open", "round": round_}))["type"] == "op"
    await client.close()
    _, me = call("GET", f"{server.url}/api/me", token=token)
    stage = await Client.open(server.ws_url, me["stage"], token)
    started = await stage.op({"kind": "timer.start", "seconds": 900, "label": "Report-out"})
    assert started["type"] == "op", started
    return stage


async def hold_edits(page: Page) -> None:
    """From now on the page's ops stay unsent (the socket stays up): edits wait, visibly."""

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            if isinstance(message, str) and json.loads(message).get("type") == "op":
                return  # held back: the page keeps it pending
            server.send(message)

        ws.on_message(from_page)

    await page.route_web_socket(re.compile(r"/ws/boards/"), route)


@pytest.fixture(scope="module")
def room_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, dict[str, Any]]]:
    db = sqlite_url(tmp_path_factory.mktemp("day3") / "brickboard.db")
    demo = demo_roster(db)
    server = Server(db=db, extra=("--rate-limit", "0")).start()
    try:
        yield server, demo
    finally:
        server.stop()


@pytest.fixture(scope="module")
async def room(
    browser: Browser, room_server: tuple[Server, dict[str, Any]]
) -> AsyncIterator[tuple[Server, dict[str, Any], OpenPage]]:
    """One busy room for every size (nothing here changes the board: the edit stays held)."""
    server, demo = room_server
    stage = await busy_room(server, demo, demo["boards"][0]["id"])
    async with page_opener(browser, server.url) as open_:
        yield server, demo, open_
    await stage.close()


@pytest.mark.parametrize("size", SIZES.keys())
async def test_a_day3_board_is_readable_with_the_busiest_header(
    room: tuple[Server, dict[str, Any], OpenPage], size: str
) -> None:
    server, demo, open_page = room
    board = demo["boards"][0]["id"]
    page = await open_page(token_of(demo, "facilitator"), viewport=SIZES[size])
    await hold_edits(page)
    await page.goto(f"{server.url}/boards/{board}?follow=1")
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.locator("#stage-timer")).to_contain_text("Report-out")
    await expect(page.locator("#votes-btn")).to_be_visible()
    await expect(page.locator("#follow")).to_have_attribute("aria-pressed", "true")
    await page.locator(".card .dot-btn").first.click()
    await expect(page.locator("#pending")).to_have_text("1 edit waiting")

    # The header: every item on screen, none drawn over another.
    header = await page.evaluate(OVERLAPS, HEADER_ITEMS)
    assert header["bad"] == [], header
    for needed in (
        "board-title",
        "connection",
        "pending",
        "stage-timer",
        "follow",
        "votes-btn",
        "undo",
        "redo",
    ):
        assert needed in header["shown"], header["shown"]
    if await page.locator("#menu-btn").is_visible():  # small screens: the links in a menu
        await page.locator("#menu-btn").click()
        await expect(page.locator("#board-menu .history-link")).to_be_visible()
        menu = await page.evaluate(OVERLAPS, "#board-menu > *")
        assert menu["bad"] == [] and len(menu["shown"]) == 4, menu
        await page.keyboard.press("Escape")
        await expect(page.locator("#board-menu .history-link")).to_be_hidden()

    # Every section shows at least min(its cards, 240 px) of them; the page never scrolls
    # sideways.
    sections = await page.evaluate(SECTIONS_SHOWN)
    assert len(sections) == 13
    for s in sections:
        assert not s["hidden"] and s["cards"] >= 15, s
        assert s["shown"] >= min(s["content"], MIN_SHOWN) - 0.5, s
    assert await page.evaluate(SIDEWAYS) <= 0

    # The comments panel open: docked or over the canvas, no card squeezed.
    await page.locator(".card .comments-btn").nth(2).click()
    side = page.locator("#side")
    await expect(side).to_be_visible()
    await expect(side.locator("#comment-text")).to_be_focused()
    widths = await page.locator(".card").evaluate_all(
        "cards => cards.map((c) => c.getBoundingClientRect().width)"
    )
    assert len(widths) >= 13 * 15 and min(widths) >= MIN_CARD, min(widths)
    box = await side.bounding_box()
    assert box is not None and box["x"] >= 0
    assert box["x"] + box["width"] <= SIZES[size]["width"] + 0.5
    assert await page.evaluate(SIDEWAYS) <= 0
    await side.locator(".side-close").click()
    await expect(side).to_be_hidden()
    assert page.js_errors == []  # type: ignore[attr-defined]
    await page.context.close()


async def test_every_page_reflows_at_320_px(room: tuple[Server, dict[str, Any], OpenPage]) -> None:
    """WCAG 1.4.10: at 320 CSS px (a phone, or a laptop at 400%) no page scrolls sideways;
    wide data tables scroll inside their own box."""
    _, demo, open_page = room
    board = demo["boards"][0]["id"]
    phone = SIZES["320x640"]
    pages = [
        ("mayor", "/boards", ".board-item"),
        ("facilitator", "/console", "#people tbody tr"),
        ("facilitator", "/run", ".run-board"),
        ("observer", "/present", "#timer"),
        ("facilitator", "/cross", ".rcard"),
        ("mayor", f"/boards/{board}/history", ".snapshot-item, .empty-note"),
        ("facilitator", "/preread", ".board-entry"),
        ("facilitator", "/room", "#room-code"),
        (None, "/join", "#code"),
        (None, "/", "h1"),
    ]
    wide = {}
    for role, path, ready in pages:
        page = await open_page(role and token_of(demo, role), path, viewport=phone)
        await expect(page.locator(ready).first).to_be_visible()
        if await page.evaluate(SIDEWAYS) > 0:
            wide[path] = await page.evaluate(SIDEWAYS)
        assert page.js_errors == [], (path, page.js_errors)  # type: ignore[attr-defined]
        await page.context.close()
    assert wide == {}, wide
