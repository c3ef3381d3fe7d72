"""Arabic and Hebrew read right to left on every page: every piece of a person's own words
(names, cities, board titles, cards, fields, comments, vote titles, timer labels, snapshot
labels, briefs) sits in an element with dir="auto" that resolves to right-to-left, inside
pages that are otherwise English. Checked on every text node of every page, not on a list of
selectors, so a new place that shows user text is checked too."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.conftest import token_of
from tests.e2e.conftest import OpenPage
from tests.http_client import call
from tests.servers import Server
from tests.wsclient import Client

pytestmark = pytest.mark.browser

NAME = "דוד לוי"  # the mayor
CITY = "الناصرة"
ORGANISATION = "עיריית נצרת"
INITIATIVE = "شبكة واي فاي عامة في وسط المدينة"
CARD = "نقاط الوصول في الساحة الرئيسية أولاً"
OWNER = "מנהל מערכות המידע"
COMMENT = "מי משלם על התחזוקה?"
ROUND = "הצבעה על החסמים"
TIMER = "סבב יועצים"
SNAPSHOT = "לפני ההצגה"
BRIEF = "עיר של 80,000 תושבים"

# Every text node with Hebrew or Arabic in it: its nearest element with a dir attribute must
# say dir="auto" and come out right to left; every field holding such text says dir="auto".
CHECK = """() => {
  const rtl = /[\\u0590-\\u05FF\\u0600-\\u06FF]/;
  const bad = [];
  let count = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!rtl.test(n.data)) continue;
    count += 1;
    const holder = n.parentElement.closest("[dir]");
    const ok = holder && holder !== document.documentElement
      && holder.getAttribute("dir") === "auto" && getComputedStyle(holder).direction === "rtl";
    if (!ok) bad.push(n.parentElement.outerHTML.slice(0, 160));
  }
  for (const field of document.querySelectorAll("input, textarea")) {
    if (!rtl.test(field.value)) continue;
    count += 1;
    if (field.getAttribute("dir") !== "auto") bad.push(field.outerHTML.slice(0, 160));
  }
  return { count, bad };
}"""


async def assert_rtl_reads_right(page: Page, at_least: int) -> None:
    result = await page.evaluate(CHECK)
    assert result["bad"] == [], f"{page.url}: {result['bad']}"
    assert result["count"] >= at_least, f"{page.url}: {result['count']} pieces of RTL text"
    assert page.js_errors == []  # type: ignore[attr-defined]


async def seed(server: Server, demo: dict[str, Any]) -> dict[str, Any]:
    """A mayor with a Hebrew name and an Arabic city, their board filled in their words."""
    token = token_of(demo, "facilitator")
    workshop = demo["workshop"]["id"]
    status, added = call(
        "POST",
        f"{server.url}/api/workshops/{workshop}/participants",
        {
            "name": NAME,
            "role": "mayor",
            "city": CITY,
            "organisation": ORGANISATION,
            "initiative": INITIATIVE,
        },
        token=token,
    )
    assert status == 201, added
    board = added["board"]["id"]
    client = await Client.open(server.ws_url, board, token)
    ops = [
        {
            "kind": "card.add",
            "card": {"id": "ar1", "section": "action_plan", "type": "action", "text": CARD}
            | {"owner": OWNER, "horizon": "d30"},
            "after": None,
        },
        {"kind": "comment.add", "comment": {"id": "he1", "card": "ar1", "text": COMMENT}},
        {"kind": "board.update", "set": {"brief": {"city_profile": BRIEF}}},
        {
            "kind": "vote.open",
            "round": {"id": "v1", "title": ROUND, "dots": 3, "sections": None, "blind": False},
        },
        {"kind": "vote.place", "round": "v1", "card": "ar1"},
        {"kind": "vote.reveal", "round": "v1"},
    ]
    for op in ops:
        assert (await client.op(op))["type"] == "op", op
    await client.close()
    status, snap = call(
        "POST", f"{server.url}/api/boards/{board}/snapshots", {"label": SNAPSHOT}, token=token
    )
    assert status in (200, 201), snap
    _, me = call("GET", f"{server.url}/api/me", token=token)
    stage = await Client.open(server.ws_url, me["stage"], token)
    for op in (
        {"kind": "stage.spotlight", "mode": "board", "board": board},
        {"kind": "timer.start", "seconds": 600, "label": TIMER},
    ):
        assert (await stage.op(op))["type"] == "op", op
    await stage.close()
    mayor_url = added["participant"]["join_url"]
    return {"board": board, "mayor": mayor_url.rsplit("/", 1)[1], "workshop": workshop}


async def test_user_text_reads_right_to_left_on_every_page(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    s = await seed(server, demo)
    board, facilitator = s["board"], token_of(demo, "facilitator")

    # The mayor's own board (their home page), with the comments and the vote results open.
    page = await open_page(s["mayor"])
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.locator(".card-text", has_text=CARD)).to_be_visible()
    await page.locator(".card .comments-btn").first.click()
    await expect(page.locator("#side .comment-text")).to_have_text(COMMENT)
    await assert_rtl_reads_right(page, 6)
    await page.locator("#side .side-close").click()
    await page.locator("#votes-btn").click()
    await expect(page.locator("#side .result-card")).to_contain_text(CARD)
    await page.locator("#follow").click()
    await expect(page.locator("#stage-timer")).to_contain_text(TIMER)
    await assert_rtl_reads_right(page, 8)
    await page.locator("#outline-toggle").click()
    await expect(page.locator("#outline .outline-text")).to_have_text(CARD)
    await assert_rtl_reads_right(page, 6)

    pages = [
        (s["mayor"], "/boards", CITY),
        (facilitator, "/console", NAME),
        (facilitator, "/run", CITY),
        (facilitator, "/cross?section=action_plan", CARD),
        (facilitator, f"/boards/{board}/history", SNAPSHOT),
        (facilitator, "/preread", CITY),
        (facilitator, "/present", CARD),
    ]
    for token, path, shown in pages:
        other = await open_page(token, path)
        await expect(other.get_by_text(shown).first).to_be_visible()
        await assert_rtl_reads_right(other, 1)

    # The history's diff and snapshot view; the pre-read brief of the board.
    history = await open_page(facilitator, f"/boards/{board}/history")
    await history.locator(".snapshot-item button.view").first.click()
    await expect(history.locator("#view-label")).to_have_text(SNAPSHOT)
    await assert_rtl_reads_right(history, 3)
    preread = await open_page(facilitator, "/preread")
    await preread.locator(".board-list button, .board-list a", has_text=CITY).first.click()
    await expect(preread.locator("#editor-city")).to_have_text(CITY)
    await assert_rtl_reads_right(preread, 3)

    # The mayor's link opened on the facilitator's browser: asked before switching.
    ask = await open_page(facilitator, f"/join/{s['mayor']}")
    await expect(ask.get_by_role("button", name="Switch to")).to_contain_text(NAME)
    await assert_rtl_reads_right(ask, 2)

    # Joining with the room's code: the names to pick from.
    _, code = call(
        "GET", f"{server.url}/api/workshops/{s['workshop']}/join-code", token=facilitator
    )
    join = await open_page(None, "/join")
    await join.locator("#code").fill(code["code"])
    await join.locator("#code-form button[type=submit]").click()
    await expect(join.locator("#names")).to_contain_text(NAME)
    await assert_rtl_reads_right(join, 2)
