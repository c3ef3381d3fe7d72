"""The projector at 1920x1080: a card's text uses the room its section has (cut only when the
section is full), and the vote results never say two things at once ("6 dots placed" beside
"No dots yet")."""

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

LONG = (
    "Pilot adaptive signals on six intersections of the corridor before the budget vote, "
    "publish travel times every week from the first day, ask the university to check the "
    "method, and bring the results to the council's mobility committee in the spring so the "
    "citywide decision rests on our own numbers rather than a vendor's brochure."
)

# For each card on the projector: is any of its text cut off?
CUT = """(nodes) => nodes.map((n) => {
  const text = n.querySelector(".rcard-text");
  return { id: n.dataset.card, cut: text.scrollHeight > text.clientHeight + 1,
           lines: Math.round(text.clientHeight / parseFloat(getComputedStyle(text).lineHeight)) };
})"""


async def stage_of(server: Server, demo: dict[str, Any]) -> Client:
    _, me = call("GET", f"{server.url}/api/me", token=token_of(demo, "facilitator"))
    return await Client.open(server.ws_url, me["stage"], token_of(demo, "facilitator"))


async def projector(open_page: OpenPage, demo: dict[str, Any], shown: str) -> Page:
    page = await open_page(token_of(demo, "observer"), "/present")
    await expect(page.locator("body")).to_have_attribute("data-shown", shown)
    return page


async def test_card_text_uses_the_room_its_section_has(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    client = await Client.open(server.ws_url, board, token_of(demo, "facilitator"))
    for i, text in enumerate([LONG, "Brief the council"]):
        card = {"id": f"long-{i}", "section": "action_plan", "type": "action", "text": text}
        assert (await client.op({"kind": "card.add", "card": card, "after": None}))["type"] == "op"
    # A full section: every card shown shorter, or "+N more".
    for i in range(30):
        card = {"id": f"full-{i}", "section": "costs_budget", "type": "idea", "text": LONG}
        assert (await client.op({"kind": "card.add", "card": card, "after": None}))["type"] == "op"
    await client.close()
    stage = await stage_of(server, demo)
    assert (await stage.op({"kind": "stage.spotlight", "mode": "board", "board": board}))[
        "type"
    ] == "op"
    page = await projector(open_page, demo, f"board:{board}")

    rail = page.locator('.sec[data-section="action_plan"] .rcard')
    await expect(rail).to_have_count(2)
    shown = {c["id"]: c for c in await rail.evaluate_all(CUT)}
    assert not shown["long-0"]["cut"] and shown["long-0"]["lines"] > 4, shown

    full = page.locator('.sec[data-section="costs_budget"]')
    more = full.locator(".more")
    await expect(more).to_be_visible()
    hidden = int((await more.inner_text()).split()[1])
    visible = await full.locator(".rcard:visible").count()
    assert visible + hidden == 30 and visible >= 1
    assert page.js_errors == []  # type: ignore[attr-defined]
    await stage.close()


async def test_vote_results_agree_with_their_count(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    client = await Client.open(server.ws_url, board, token_of(demo, "facilitator"))
    ops = [
        {
            "kind": "card.add",
            "card": {"id": "b1", "section": "barriers_risks", "type": "barrier", "text": "Cost"},
            "after": None,
        },
        {
            "kind": "vote.open",
            "round": {"id": "v", "title": "Top risks", "dots": 6, "sections": None, "blind": True},
        },
        *[{"kind": "vote.place", "round": "v", "card": "b1"} for _ in range(6)],
        {"kind": "vote.reveal", "round": "v"},
    ]
    for op in ops:
        assert (await client.op(op))["type"] == "op", op
    await client.close()
    stage = await stage_of(server, demo)
    spot = {"kind": "stage.spotlight", "mode": "section", "board": board}
    assert (await stage.op({**spot, "section": "barriers_risks"}))["type"] == "op"
    page = await projector(open_page, demo, f"section:{board}:barriers_risks")
    results = page.locator("aside.results")
    await expect(results.locator(".results-placed")).to_have_text(
        "6 dots in this section · 6 in all"
    )
    await expect(results.locator(".rank")).to_have_count(1)

    # A section where nobody placed a dot: it says so, and where the dots are.
    assert (await stage.op({**spot, "section": "costs_budget"}))["type"] == "op"
    await expect(page.locator("body")).to_have_attribute(
        "data-shown", f"section:{board}:costs_budget"
    )
    await expect(results.locator(".results-placed")).to_have_text(
        "0 dots in this section · 6 in all"
    )
    await expect(results.locator(".results-wait")).to_have_text(
        "No dots on this section's cards yet (6 dots on other sections)."
    )
    # The whole board: all six, ranked.
    assert (await stage.op({"kind": "stage.spotlight", "mode": "board", "board": board}))[
        "type"
    ] == "op"
    await expect(results.locator(".results-placed")).to_have_text("6 dots placed")
    await expect(results.locator(".rank")).to_have_count(1)
    assert page.js_errors == []  # type: ignore[attr-defined]
    await stage.close()
