"""Make the screenshots in docs/ (python docs/screenshots.py): the demo workshop with a board
filled in, on a real server, in real Chromium at 1920x1080."""

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

from tests.servers import Server, demo_roster, sqlite_url  # noqa: E402
from tests.wsclient import Client  # noqa: E402

CARDS = [
    (
        "problem_vision",
        "idea",
        "Cut evening peak travel time on the Lamar corridor by 15% in three years",
        {},
    ),
    (
        "problem_vision",
        "decision",
        "Start with one corridor, not citywide",
        {"decided_by": "Mayor"},
    ),
    (
        "residents_equity",
        "idea",
        "Bus riders on the corridor are mostly shift workers: measure their trip times first",
        {},
    ),
    (
        "residents_equity",
        "barrier",
        "Side-street residents fear cut-through traffic",
        {"severity": 2, "likelihood": 2},
    ),
    ("residents_equity", "question", "Who speaks for neighbourhoods without an association?", {}),
    (
        "partners_ppp",
        "resource",
        "State DOT signal modernization program",
        {"resource_kind": "program"},
    ),
    ("partners_ppp", "idea", "University transportation lab evaluates before/after data", {}),
    (
        "partners_ppp",
        "barrier",
        "Vendor wants a 10-year exclusive data licence",
        {"severity": 3, "likelihood": 2},
    ),
    (
        "staffing_operations",
        "action",
        "Name one accountable signal program owner",
        {"owner": "Transportation director", "horizon": "d30"},
    ),
    (
        "staffing_operations",
        "barrier",
        "Only two signal engineers on staff",
        {"severity": 3, "likelihood": 3},
    ),
    ("staffing_operations", "idea", "Train two technicians on the new controllers", {}),
    (
        "technology_solution",
        "idea",
        "Adaptive controllers at 24 intersections, detection by video",
        {},
    ),
    ("technology_solution", "question", "Radar or video detection in heavy rain?", {}),
    (
        "data_governance",
        "decision",
        "The city owns all signal and detection data",
        {"decided_by": "Council"},
    ),
    (
        "data_governance",
        "barrier",
        "Video detection raises privacy questions",
        {"severity": 2, "likelihood": 2},
    ),
    (
        "support_coalition",
        "action",
        "Brief the council mobility committee",
        {"owner": "Chief of staff", "horizon": "d30"},
    ),
    ("support_coalition", "idea", "Publish a simple public dashboard from week one", {}),
    (
        "barriers_risks",
        "barrier",
        "Procurement takes nine months",
        {"severity": 3, "likelihood": 3, "mitigation": "Piggyback on the state contract"},
    ),
    (
        "barriers_risks",
        "barrier",
        "Legacy controllers not compatible",
        {"severity": 2, "likelihood": 3},
    ),
    (
        "barriers_risks",
        "barrier",
        "Council turnover after the election",
        {"severity": 2, "likelihood": 1},
    ),
    (
        "barriers_risks",
        "idea",
        "Pilot on six intersections first to show results before the budget vote",
        {},
    ),
    (
        "costs_budget",
        "idea",
        "Controllers and detection for 24 intersections",
        {"amount_usd": 1800000, "cost_kind": "capex"},
    ),
    (
        "costs_budget",
        "idea",
        "Software licences and maintenance",
        {"amount_usd": 120000, "cost_kind": "opex"},
    ),
    (
        "funding_sources",
        "resource",
        "Federal SMART grant",
        {"amount_usd": 2000000, "funding_status": "idea"},
    ),
    (
        "funding_sources",
        "action",
        "Apply to the state safety fund",
        {"owner": "Grants office", "horizon": "d60", "funding_status": "applied"},
    ),
    (
        "funding_sources",
        "idea",
        "Transportation bond line item",
        {"funding_status": "committed", "amount_usd": 500000},
    ),
    (
        "success_metrics",
        "metric",
        "Peak travel time on the corridor",
        {"baseline": "24 min", "target": "20 min", "unit": "minutes"},
    ),
    ("success_metrics", "metric", "Bus on-time performance", {"baseline": "68%", "target": "80%"}),
    (
        "action_plan",
        "action",
        "Pick the six pilot intersections",
        {"owner": "Signal engineer", "horizon": "d30"},
    ),
    (
        "action_plan",
        "action",
        "Draft the data ownership clause",
        {"owner": "City attorney", "horizon": "d30"},
    ),
    (
        "action_plan",
        "action",
        "Apply for the SMART grant",
        {"owner": "Grants office", "horizon": "d60"},
    ),
    ("action_plan", "action", "Launch the public dashboard", {"owner": "IT", "horizon": "d90"}),
]

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
    ids = itertools.count(1)
    boards = demo["boards"]
    c = await Client.open(url, boards[0]["id"], token)
    last: dict[str, str] = {}
    for section, kind, text, fields in CARDS:
        cid = f"s{next(ids)}"
        card = {"id": cid, "section": section, "type": kind, "text": text, **fields}
        await c.op({"kind": "card.add", "card": card, "after": last.get(section)})
        last[section] = cid
    await c.op(
        {
            "kind": "comment.add",
            "comment": {
                "id": "k1",
                "card": "s18",
                "text": "The state contract covers signal controllers: ask the DOT.",
            },
        }
    )
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
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )

            async def open_as(role: str, path: str):
                context = await browser.new_context(viewport={"width": 1920, "height": 1080})
                page = await context.new_page()
                await page.goto(f"{server.url}/join/{token(role)}")
                await page.goto(f"{server.url}{path}")
                return page

            await plan_page(browser, server, token("facilitator"), board)
            if only == "plan":
                await browser.close()
                return
            page = await open_as("mayor", f"/boards/{board}")
            await expect(page.locator("#connection")).to_have_text("Connected")
            await page.screenshot(path=str(ROOT / "docs" / "board.png"))
            console = await open_as("facilitator", "/console")
            await console.wait_for_load_state("networkidle")
            await console.screenshot(path=str(ROOT / "docs" / "console.png"))
            projector = await open_as("observer", "/present")
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
    print("wrote docs/action-plan.png" + ("" if only else ", board.png, console.png, projector.png,"
          " projector-section.png"))  # fmt: skip


if __name__ == "__main__":
    database = sqlite_url(Path(tempfile.mkdtemp()) / "bb.db")
    only = "plan" if sys.argv[1:] == ["--only", "plan"] else None  # --only plan: the plan alone
    asyncio.run(main(database, demo_roster(database), only))
