"""An honest connection on every page, in real Chromium against a real server: the pill says
so within seconds when the network goes away (the browser's offline event, or a server that
stops answering the heartbeat), counts the edits waiting, and is back within seconds of the
network returning; edits made offline land exactly once. Every wait is on the DOM."""

from __future__ import annotations

import re
import signal
from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import board_of, token_of
from tests.e2e.conftest import OpenPage
from tests.e2e.test_board_browser import add_card, api_state, card, edit_card, open_board
from tests.e2e.test_room_browser import SOCKET_DOWN, no_errors, open_projector, open_run
from tests.servers import Server

pytestmark = pytest.mark.browser

WITHIN = 5_000  # ms: the promise, from the network going away to the pill saying so
BACK = 10_000  # ms: the network returning to the pill saying "Connected"


async def test_the_board_says_it_is_offline_counts_waiting_edits_and_sends_them_once(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = board_of(demo, 3)
    token = token_of(demo, "facilitator")
    page = await open_board(open_page, token, board)
    pill = page.locator("#connection")
    before = api_state(server, token, board)

    await page.context.set_offline(True)
    await expect(pill).to_have_class(re.compile(r"\bconn-offline\b"), timeout=WITHIN)
    await expect(pill).to_have_text("Offline")
    await add_card(page, "city_context", "Written on the train", "fact", source="expert")
    await expect(pill).to_have_text("Offline · 1 edit waiting")
    await add_card(page, "action_plan", "Call the utility", "action", owner="CIO")
    await edit_card(page, "Written on the train", "Written on the train, checked")
    await expect(pill).to_have_text("Offline · 3 edits waiting")
    await expect(page.locator("#pending")).to_have_text("3 edits waiting")
    assert await page.evaluate("window.brickboard.connection()") == "offline"

    await page.context.set_offline(False)
    await expect(pill).to_have_text("Connected", timeout=BACK)
    await expect(pill).to_have_class(re.compile(r"\bconn-connected\b"))
    await expect(page.locator("#pending")).to_have_text("All saved")
    after = api_state(server, token, board)
    assert after["seq"] == before["seq"] + 3  # each edit applied exactly once
    texts = [c["text"] for c in after["cards"].values()]
    assert texts.count("Written on the train, checked") == 1
    assert "Written on the train" not in texts and texts.count("Call the utility") == 1
    other = await open_board(open_page, token_of(demo, "expert"), board)
    await expect(card(other, "Written on the train, checked")).to_have_count(1)
    no_errors(page, allow=SOCKET_DOWN)


async def test_a_server_that_stops_answering_shows_within_seconds_and_resumes(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    """No offline event, no close: the socket looks open and carries nothing (a dead access
    point, a frozen server). The heartbeat notices."""
    board = board_of(demo, 4)
    page = await open_board(open_page, token_of(demo, "expert"), board)
    pill = page.locator("#connection")
    assert server.proc is not None
    server.proc.send_signal(signal.SIGSTOP)
    try:
        await expect(pill).not_to_have_text("Connected", timeout=WITHIN)
        await expect(pill).to_have_text(re.compile("Reconnecting…|Offline"))
    finally:
        server.proc.send_signal(signal.SIGCONT)
    await expect(pill).to_have_text("Connected", timeout=30_000)
    await add_card(page, "problem_vision", "Still here")
    await expect(page.locator("#pending")).to_have_text("All saved")
    no_errors(page, allow=SOCKET_DOWN)


async def test_the_run_page_and_the_projector_are_as_honest(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    run = await open_run(open_page, demo)
    projector = await open_projector(open_page, demo)
    stage_pill, corner = run.locator("#stage-conn"), projector.locator("#conn")
    await expect(corner).to_be_hidden()

    await run.context.set_offline(True)
    await projector.context.set_offline(True)
    await expect(stage_pill).to_have_text("Offline", timeout=WITHIN)
    await expect(stage_pill).to_have_class(re.compile(r"\bconn-offline\b"))
    await expect(run.locator(".rb-conn").first).to_have_text("Offline", timeout=WITHIN)
    await expect(corner).to_be_visible(timeout=WITHIN)
    await expect(corner).to_have_text("Offline")

    await run.context.set_offline(False)
    await projector.context.set_offline(False)
    await expect(stage_pill).to_have_text("Connected", timeout=BACK)
    await expect(run.locator(".rb-conn", has_text="Connected")).to_have_count(
        len(demo["boards"]), timeout=BACK
    )
    await expect(corner).to_be_hidden(timeout=BACK)
    assert await projector.evaluate("window.brickboardRoom.connection().stage === 'connected'")
    for page in (run, projector):
        no_errors(page, allow=SOCKET_DOWN)


async def test_the_pre_read_editor_is_as_honest_and_saves_once_when_back(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][2]
    fac = token_of(demo, "facilitator")
    page = await open_page(fac, f"/preread#{board['id']}")
    line = page.locator("#connection")
    await expect(line).to_have_text("Connected")
    before = api_state(server, fac, board["id"])

    await page.context.set_offline(True)
    await expect(line).to_have_text("Offline", timeout=WITHIN)
    await expect(line).to_have_class(re.compile(r"\bconn-offline\b"))
    goals = "Written offline, saved once."
    await page.locator("#field-goals").fill(goals)
    await page.locator("#save").click()
    await expect(line).to_have_text("Offline · 1 edit waiting")

    await page.context.set_offline(False)
    await expect(line).to_have_text("Connected", timeout=BACK)
    await expect(page.locator("#save-state")).to_have_text("All changes saved")
    after = api_state(server, fac, board["id"])
    assert after["brief"]["goals"] == goals and after["seq"] == before["seq"] + 1
    no_errors(page, allow=SOCKET_DOWN)
