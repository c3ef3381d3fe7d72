"""Make the screenshots in docs/ (python docs/screenshots.py): the demo workshop with a board
as it is on Day 3, on a real server, in real Chromium. The board and the console at
1366x768 (the room's 13-inch laptops), the projector at 1920x1080."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright, expect  # noqa: E402

from tests.e2e.day3 import fill_day3  # noqa: E402
from tests.servers import Server, demo_roster, sqlite_url  # noqa: E402
from tests.wsclient import Client  # noqa: E402

OTHER = {
    "funding_sources": [
        (
            "resource",
            "ARPA balance for digital equity",
            {"amount_usd": 750000, "funding_status": "committed"},
        ),
        ("idea", "Philanthropy match from the community foundation", {"funding_status": "idea"}),
        ("barrier", "Grant match requires 20% local funds", {"severity": 2}),
    ],
    "barriers_risks": [
        ("barrier", "Procurement rules favour the lowest bidder", {"severity": 3, "likelihood": 2}),
        ("barrier", "No single owner across departments", {"severity": 3, "likelihood": 3}),
    ],
    "partners_ppp": [
        ("resource", "County library system", {"resource_kind": "peer_city"}),
        ("idea", "Local university as evaluation partner", {}),
    ],
}


async def fill(url: str, demo: dict, token: str) -> None:
    """Board 0 as it is on Day 3 (fifteen cards a section), a comment, an agreed section;
    a few cards on the others."""
    ids = itertools.count(1)
    boards = demo["boards"]
    await fill_day3(url, boards[0]["id"], token)
    c = await Client.open(url, boards[0]["id"], token)
    comment = {"id": "k1", "card": "d3-121", "text": "The state contract covers controllers."}
    await c.op({"kind": "comment.add", "comment": comment})
    await c.op({"kind": "section.lock", "section": "data_governance", "locked": True})
    await c.close()
    for board in boards[1:]:
        c = await Client.open(url, board["id"], token)
        for section, items in OTHER.items():
            after = None
            for kind, text, fields in items:
                cid = f"o{next(ids)}"
                card = {"id": cid, "section": section, "type": kind, "text": text, **fields}
                await c.op({"kind": "card.add", "card": card, "after": after})
                after = cid
        await c.close()


async def plan_page(browser, server: Server, token: str, board: str) -> None:
    """docs/action-plan.png: the first printed page of the board's action plan (print CSS,
    Letter width), as a mayor hands it to a chief of staff."""
    context = await browser.new_context(
        viewport={"width": 816, "height": 1056}, device_scale_factor=1
    )
    page = await context.new_page()
    await page.goto(f"{server.url}/join/{token}")
    await page.emulate_media(media="print")
    await page.goto(f"{server.url}/api/boards/{board}/export/plan.html")
    await page.add_style_tag(content="body { padding: 18mm 16mm; }")  # the page's margins
    await page.screenshot(path=str(ROOT / "docs" / "action-plan.png"))
    await context.close()


async def main(db: str, demo: dict, only: str | None = None) -> None:
    server = Server(db=db, extra=("--rate-limit", "0")).start()

    def token(role: str) -> str:
        return next(p["token"] for p in demo["participants"] if p["role"] == role)

    try:
        await fill(server.ws_url, demo, token("facilitator"))
        board = demo["boards"][0]["id"]
        request = urllib.request.Request(
            f"{server.url}/api/me", headers={"Authorization": f"Bearer {token('facilitator')}"}
        )
        stage_id = json.loads(urllib.request.urlopen(request).read())["stage"]
        stage = await Client.open(server.ws_url, stage_id, token("facilitator"))
        await stage.op({"kind": "stage.spotlight", "mode": "board", "board": board})
        await stage.op({"kind": "timer.start", "seconds": 25 * 60, "label": "Report-out"})
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )

            laptop = {"width": 1366, "height": 768}
            projector_size = {"width": 1920, "height": 1080}

            async def open_as(role: str, path: str, viewport: dict[str, int] = laptop):
                context = await browser.new_context(viewport=viewport)
                page = await context.new_page()
                await page.goto(f"{server.url}/join/{token(role)}")
                await page.goto(f"{server.url}{path}")
                return page

            await plan_page(browser, server, token("facilitator"), board)
            if only == "plan":
                await browser.close()
                return
            page = await open_as("mayor", f"/boards/{board}?follow=1")
            await expect(page.locator("#connection")).to_have_text("Connected")
            await expect(page.locator("#stage-timer")).to_be_visible()
            await page.mouse.move(0, 0)
            await page.screenshot(path=str(ROOT / "docs" / "board.png"))
            focus = await open_as("mayor", f"/boards/{board}?section=barriers_risks")
            await expect(focus.locator("#focus-bar")).to_be_visible()
            await expect(focus.locator("#connection")).to_have_text("Connected")
            await focus.mouse.move(0, 0)
            await focus.screenshot(path=str(ROOT / "docs" / "board-focus.png"))
            console = await open_as("facilitator", "/console")
            await console.wait_for_load_state("networkidle")
            await console.screenshot(path=str(ROOT / "docs" / "console.png"))
            projector = await open_as("observer", "/present", projector_size)
            await expect(projector.locator("body")).to_have_attribute(
                "data-shown", f"board:{board}"
            )
            await projector.screenshot(path=str(ROOT / "docs" / "projector.png"))
            await stage.op(
                {
                    "kind": "stage.spotlight",
                    "mode": "section",
                    "board": board,
                    "section": "barriers_risks",
                }
            )
            await stage.op(
                {"kind": "timer.start", "seconds": 12 * 60, "label": "Barriers roundtable"}
            )
            await expect(projector.locator("body")).to_have_attribute(
                "data-shown", f"section:{board}:barriers_risks"
            )
            await expect(projector.locator("#timer")).to_be_visible()
            await projector.screenshot(path=str(ROOT / "docs" / "projector-section.png"))
            await browser.close()
        await stage.close()
    finally:
        server.stop()
    print(
        "wrote docs/action-plan.png"
        + (
            ""
            if only
            else ", board.png, board-focus.png, console.png, projector.png, projector-section.png"
        )
    )


if __name__ == "__main__":
    database = sqlite_url(Path(tempfile.mkdtemp()) / "bb.db")
    only = "plan" if sys.argv[1:] == ["--only", "plan"] else None  # --only plan: the plan alone
    asyncio.run(main(database, demo_roster(database), only))
