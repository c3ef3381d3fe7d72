"""History, restore and exports, and the pre-read editor, in real Chromium against a real
server. The board is filled over the socket; everything after that is done on the pages.
Every wait is on the DOM (expect), never a sleep."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.conftest import person_of, token_of
from tests.e2e.conftest import OpenPage
from tests.http_client import call
from tests.servers import Server
from tests.wsclient import Client, add_card

pytestmark = pytest.mark.browser


# Helpers ----------------------------------------------------------------------------------


async def open_clean(open_page: OpenPage, token: str, path: str) -> Page:
    """Sign in (which lands on the person's home page), then open `path` with no errors
    collected yet: only this page's errors count."""
    page = await open_page(token)
    page.js_errors.clear()  # type: ignore[attr-defined]
    await page.goto(path)
    return page


async def open_history(open_page: OpenPage, server: Server, token: str, board: str) -> Page:
    page = await open_clean(open_page, token, f"{server.url}/boards/{board}/history")
    await expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return page


def snapshot_item(page: Page, label: str):
    return page.locator(".snapshot-item", has=page.locator(".snap-label", has_text=label))


def close_day(server: Server, demo: dict[str, Any], day: int) -> None:
    status, body = call(
        "POST",
        f"{server.url}/api/workshops/{demo['workshop']['id']}/days/{day}/close",
        {},
        token=token_of(demo, "facilitator"),
    )
    assert status == 201, body


def fetch_text(url: str, token: str) -> str:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def action(card_id: str, text: str, owner: str, due: str, horizon: str) -> dict[str, Any]:
    return add_card(
        card_id,
        text,
        section="action_plan",
        type="action",
        owner=owner,
        due=due,
        horizon=horizon,
        status="open",
    )


# Tests ------------------------------------------------------------------------------------


async def test_history_shows_days_diff_restores_live_and_exports_the_plan(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    expert = person_of(demo, "expert")
    fac = token_of(demo, "facilitator")
    # Day 1: ideas and actions from the expert, over the socket.
    client = await Client.open(server.ws_url, board, expert["token"])
    for op in (
        add_card("kept", "Start with one corridor"),
        add_card("edited", "Buses first"),
        add_card("dropped", "Citywide rollout in year one"),
        action("a1", "Name the accountable owner", "Chief of staff", "2027-04-01", "d30"),
        action("a2", "Sign the transit data MOU", "City attorney", "2027-05-10", "d60"),
    ):
        assert (await client.op(op))["type"] == "op"
    close_day(server, demo, 1)
    # Day 2: one card changed, one deleted, one action added.
    for op in (
        {"kind": "card.update", "card": "edited", "set": {"text": "Buses and ambulances first"}},
        {"kind": "card.delete", "card": "dropped"},
        action("a3", "Publish the corridor dashboard", "Chief data officer", "2027-06-30", "d90"),
    ):
        assert (await client.op(op))["type"] == "op"
    await client.close()
    close_day(server, demo, 2)

    page = await open_history(open_page, server, fac, board)
    await expect(page.locator(".snapshot-item .snap-label")).to_have_text(
        ["Day 2 close", "Day 1 close"]
    )
    await expect(snapshot_item(page, "Day 1 close")).to_contain_text("Taken by Facilitator (demo)")
    await expect(page.locator("#back-to-board")).to_have_attribute("href", f"/boards/{board}")

    # The diff opens on the last two days: what was added, removed and changed, and by whom.
    diff = page.locator("#diff")
    await expect(diff.locator(".diff-range")).to_contain_text("From Day 1 close")
    await expect(diff.locator(".diff-range")).to_contain_text("to Day 2 close")
    added = diff.locator('[data-section="action_plan"] .diff-added')
    await expect(added).to_have_count(1)
    await expect(added).to_contain_text("Publish the corridor dashboard")
    await expect(added).to_contain_text(f"Added by {expert['name']}")
    removed = diff.locator('[data-section="problem_vision"] .diff-removed')
    await expect(removed).to_have_count(1)
    await expect(removed).to_contain_text("Citywide rollout in year one")
    await expect(removed).to_contain_text(f"Removed by {expert['name']}")
    changed = diff.locator('[data-section="problem_vision"] .diff-changed')
    await expect(changed).to_have_count(1)
    row = changed.locator('tr[data-field="text"]')
    await expect(row.locator(".before")).to_have_text("Buses first")
    await expect(row.locator(".after")).to_have_text("Buses and ambulances first")
    await expect(changed).to_contain_text(f"Changed by {expert['name']}")
    await expect(diff.locator(".diff-counts")).to_contain_text("1 added")

    # Day 1, read-only: all 13 sections, Day 1's cards in board order (each was added first
    # in its section), no way to edit them.
    await snapshot_item(page, "Day 1 close").locator("button.view").click()
    view = page.locator("#snapshot-view")
    await expect(view.locator("#view-label")).to_have_text("Day 1 close")
    await expect(view.locator(".view-section")).to_have_count(13)
    await expect(view.locator('[data-section="problem_vision"] .card-text')).to_have_text(
        ["Citywide rollout in year one", "Buses first", "Start with one corridor"]
    )
    a1 = view.locator('.view-card[data-card="a1"]')
    await expect(a1).to_contain_text("Owner: Chief of staff")
    await expect(a1).to_contain_text("Horizon: 30 days")
    await expect(view.locator('.view-card[data-card="a3"]')).to_have_count(0)
    await expect(view.locator(".view-card button, .view-card [contenteditable]")).to_have_count(0)

    # Any two points: Day 1 against the board now.
    await page.locator("#tab-diff").click()
    day1 = await snapshot_item(page, "Day 1 close").get_attribute("data-snapshot")
    assert day1
    await page.locator("#diff-from").select_option(day1)
    await page.locator("#diff-to").select_option("live")
    await page.locator("#compare button[type=submit]").click()
    await expect(diff.locator(".diff-range")).to_contain_text("the board now")

    # Restore Day 1 while someone watches the board: it goes back live.
    watcher = await open_clean(
        open_page, token_of(demo, "observer"), f"{server.url}/boards/{board}"
    )
    await expect(watcher.locator("#connection")).to_have_text("Connected")
    await expect(
        watcher.locator(".card-text", has_text="Buses and ambulances first")
    ).to_have_count(1)
    await snapshot_item(page, "Day 1 close").locator("button.restore").click()
    dialog = page.locator("dialog.confirm")
    await expect(dialog).to_contain_text(
        "This adds ops that make the board look like Day 1 close again; a snapshot of the board"
        " as it is now is taken first: Ctrl+Z on the board (or restoring that snapshot) undoes it."
    )
    await dialog.locator("button.danger").click()
    await expect(
        watcher.locator(".card-text", has_text="Citywide rollout in year one")
    ).to_have_count(1)
    await expect(watcher.locator(".card-text", has_text="Buses first")).to_have_count(1)
    await expect(watcher.locator(".card-text", has_text="Buses and ambulances")).to_have_count(0)
    await expect(watcher.locator(".card-text", has_text="Publish the corridor")).to_have_count(0)
    # The undo point is in the timeline, and the diff shows what the restore did.
    await expect(snapshot_item(page, "Before restoring Day 1 close")).to_have_count(1)
    await expect(diff.locator(".diff-range")).to_contain_text("From Before restoring Day 1 close")
    await expect(diff.locator(".diff-removed")).to_contain_text("Publish the corridor dashboard")

    # The action plan of Day 1, as Markdown, through the page's download link.
    await page.locator("#export-snapshot").select_option(day1)
    link = page.locator('.export-link[data-format="plan.md"]')
    await expect(link).to_have_attribute("href", re.compile(f"snapshot={day1}&download=1$"))
    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    text = Path(await download.path()).read_text("utf-8")
    assert "Name the accountable owner" in text and "Chief of staff" in text
    assert "Sign the transit data MOU" in text and "City attorney" in text
    assert "Publish the corridor dashboard" not in text  # a Day 2 action
    assert download.suggested_filename.endswith(".md")
    printable = page.locator('.export-link[data-format="plan.html"]')
    await expect(printable).to_have_attribute("target", "_blank")
    await expect(printable).to_have_attribute("href", re.compile(f"plan.html\\?snapshot={day1}$"))
    for p in (page, watcher):
        assert p.js_errors == []  # type: ignore[attr-defined]


async def test_pre_read_editor_saves_the_brief_into_the_packet(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][1]
    fac = token_of(demo, "facilitator")
    page = await open_clean(open_page, fac, f"{server.url}/preread#{board['id']}")
    await expect(page.locator("#editor-city")).to_have_text(board["city"])
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.locator("#save-state")).to_have_text("All changes saved")
    packet = f"/api/workshops/{demo['workshop']['id']}/pre-read.html"
    await expect(page.locator("#open-packet")).to_have_attribute("href", packet)
    await expect(page.locator(".add-facts")).to_have_attribute("href", f"/boards/{board['id']}")

    goals = "Every outreach worker sees live shelter beds by June (pre-read test)."
    await page.locator("#field-goals").fill(goals)
    await expect(page.locator("#save-state")).to_have_text("Unsaved changes")
    entry = page.locator(f'.board-entry[data-board="{board["id"]}"]')
    await expect(entry).to_contain_text("Unsaved")
    await page.locator("#save").click()
    await expect(page.locator("#save-state")).to_have_text("All changes saved")
    await expect(entry).not_to_contain_text("Unsaved")

    html = fetch_text(f"{server.url}{packet}", fac)
    assert goals in html
    state = json.loads(fetch_text(f"{server.url}/api/boards/{board['id']}", fac))
    assert state["brief"]["goals"] == goals

    # A field nobody is editing here follows the server live (the mayor edits their brief).
    mayor = next(p for p in demo["participants"] if p["id"] == board["mayor"])
    client = await Client.open(server.ws_url, board["id"], mayor["token"])
    question = "Can the county share its by-name list nightly?"
    await client.op({"kind": "board.update", "set": {"brief": {"questions": question}}})
    await client.close()
    await expect(page.locator("#field-questions")).to_have_value(question)
    await expect(page.locator("#save-state")).to_have_text("All changes saved")
    assert page.js_errors == []  # type: ignore[attr-defined]


async def test_restore_and_exports_show_only_for_the_facilitator_and_the_boards_mayor(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    close_day(server, demo, 1)
    own, other = demo["boards"][0], demo["boards"][1]
    mayor = next(p for p in demo["participants"] if p["id"] == own["mayor"])

    page = await open_history(open_page, server, mayor["token"], own["id"])
    await expect(page.locator(".snapshot-item")).to_have_count(1)
    await expect(page.locator(".snapshot-item button.restore")).to_have_count(1)
    await expect(page.locator(".export-link")).to_have_count(5)

    await page.goto(f"{server.url}/boards/{other['id']}/history")
    await expect(page.locator("body")).to_have_attribute("data-ready", "true")
    await expect(page.locator(".snapshot-item")).to_have_count(1)
    await expect(page.locator("#exports")).to_contain_text("facilitator and this board’s mayor")
    await expect(page.locator(".snapshot-item button.restore")).to_have_count(0)
    await expect(page.locator(".export-link")).to_have_count(0)
    await page.locator(".snapshot-item button.view").click()
    await expect(page.locator("#view-label")).to_have_text("Day 1 close")
    await expect(page.locator("#snapshot-view button.restore")).to_have_count(0)

    expert = await open_history(open_page, server, token_of(demo, "expert"), own["id"])
    await expect(expert.locator(".snapshot-item")).to_have_count(1)
    await expect(expert.locator(".snapshot-item button.view")).to_have_count(1)
    await expect(expert.locator("button.restore")).to_have_count(0)
    await expect(expert.locator(".export-link")).to_have_count(0)
    for p in (page, expert):
        assert p.js_errors == []  # type: ignore[attr-defined]
