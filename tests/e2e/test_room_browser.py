"""Running the room in real Chromium against a real server: the facilitator's /run page moves
the projector (/present, the observer's laptop), the shared timer reads the same everywhere, a
blind dot vote stays hidden on the projector until the reveal, and the projector comes back by
itself after the server goes away. Every wait is on the DOM (expect, wait_for_function), never
a sleep."""

from __future__ import annotations

import re
import signal
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.conftest import board_of, token_of
from tests.e2e.conftest import OpenPage
from tests.servers import Server
from tests.wsclient import Client, add_card

pytestmark = pytest.mark.browser

# The browser says so in the console when a socket cannot reach a stopped server.
SOCKET_DOWN = re.compile(r"WebSocket connection to .* failed")


# Helpers: the three laptops -----------------------------------------------------------------


async def open_run(open_page: OpenPage, demo: dict[str, Any]) -> Page:
    page = await open_page(token_of(demo, "facilitator"), "/run")
    await expect(page.locator("#stage-conn")).to_have_text("Connected")
    for board in demo["boards"]:
        await expect(run_board(page, board["id"]).locator(".rb-conn")).to_have_text("Connected")
    return page


async def open_projector(open_page: OpenPage, demo: dict[str, Any]) -> Page:
    page = await open_page(token_of(demo, "observer"), "/present")
    await expect(page.locator("body")).to_have_attribute("data-shown", "overview")
    return page


def run_board(page: Page, board: str):
    return page.locator(f'.run-board[data-board="{board}"]')


async def spotlight(run: Page, mode: str, board: str | None = None, section: str | None = None):
    await run.locator(f'input[name="spot-mode"][value="{mode}"]').check()
    if board:
        await run.locator("#spot-board").select_option(board)
    if section:
        await run.locator("#spot-section").select_option(section)
    await run.locator("#spot-go").click()


def city_of(demo: dict[str, Any], board: str) -> str:
    return next(b["city"] for b in demo["boards"] if b["id"] == board)


async def ends_at(page: Page) -> float:
    """When this page says the shared timer reaches zero, on the test machine's clock (ms)."""
    return await page.evaluate("Date.now() + window.brickboardRoom.remaining()")


async def clock_agrees(page: Page, selector: str, ends: float) -> None:
    """Wait until the clock shown in `selector` (m:ss) is within 1 s of `ends`."""
    await page.wait_for_function(
        """([selector, ends]) => {
            const m = /(\\d+):(\\d\\d)/.exec(document.querySelector(selector)?.textContent || "");
            if (!m) return false;
            const shown = Number(m[1]) * 60 + Number(m[2]);
            return Math.abs(shown - (ends - Date.now()) / 1000) <= 1;
        }""",
        arg=[selector, ends],
        timeout=15_000,
    )


def no_errors(page: Page, allow: re.Pattern[str] | None = None) -> None:
    errors = [e for e in page.js_errors if not (allow and allow.search(e))]  # type: ignore[attr-defined]
    assert errors == []


# Tests --------------------------------------------------------------------------------------


async def test_the_projector_follows_the_spotlight_and_the_shared_timer(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = board_of(demo)
    run = await open_run(open_page, demo)
    projector = await open_projector(open_page, demo)
    expert = await open_page(token_of(demo, "expert"), f"/boards/{board}?follow=1")
    await expect(expert.locator("#connection")).to_have_text("Connected")

    # A board: the whole canvas, read-only, no editing chrome.
    await spotlight(run, "board", board)
    await expect(projector.locator("body")).to_have_attribute("data-shown", f"board:{board}")
    await expect(projector.locator("#where-title")).to_have_text(city_of(demo, board))
    canvas = projector.locator(".canvas-ro")
    await expect(canvas.locator("section.sec")).to_have_count(13)
    await expect(canvas.locator('[data-section="city_context"] .rcard').first).to_be_visible()
    assert await projector.locator("button.add, .card-actions, #presence").count() == 0
    await expect(run.locator("#spot-now")).to_contain_text(city_of(demo, board))

    # A section: zoomed to fill the screen, in large type.
    await spotlight(run, "section", board, "city_context")
    await expect(projector.locator("body")).to_have_attribute(
        "data-shown", f"section:{board}:city_context"
    )
    zoom = projector.locator(".zoom")
    await expect(zoom.locator("h2")).to_have_text("City Context")
    await expect(zoom.locator(".rcard").first).to_contain_text("(demo")
    sizes = await projector.evaluate(
        """() => ({
            title: parseFloat(getComputedStyle(document.querySelector('.zoom h2')).fontSize),
            card: Math.min(...[...document.querySelectorAll('.zoom .rcard-text')]
                .map((n) => parseFloat(getComputedStyle(n).fontSize))),
            width: document.querySelector('.zoom').getBoundingClientRect().width,
        })"""
    )
    assert sizes["title"] >= 26 and sizes["card"] >= 22 and sizes["width"] > 1500, sizes

    # The timer: started on /run, the same countdown on every screen (server time).
    await spotlight(run, "board", board)
    await run.locator("#timer-minutes").fill("5")
    await run.locator("#timer-label").fill("Roundtable")
    await run.locator("#timer-start").click()
    await expect(run.locator("#run-timer-state")).to_have_text("Running")
    await expect(projector.locator("#timer")).to_be_visible()
    await expect(projector.locator("#timer-label")).to_have_text("Roundtable")
    ends = await ends_at(run)
    assert abs(await ends_at(projector) - ends) < 1000
    await clock_agrees(run, "#run-clock", ends)
    await clock_agrees(projector, "#timer-clock", ends)
    if await expert.locator("#stage-timer").count():  # the board page shows it when following
        await expect(expert.locator("#stage-timer")).to_be_visible()
        await clock_agrees(expert, "#stage-timer", ends)

    # Pause and +1 min: the same numbers everywhere, to the second.
    await run.locator("#timer-pause").click()
    await expect(run.locator("#run-timer-state")).to_have_text("Paused")
    await expect(projector.locator("#timer-label")).to_contain_text("Paused")
    await expect(projector.locator("#timer-clock")).to_have_text(
        await run.locator("#run-clock").text_content() or ""
    )
    before = await run.evaluate("window.brickboardRoom.remaining()")
    await run.locator("#timer-plus1").click()
    for page in (run, projector):
        await page.wait_for_function(
            "(left) => window.brickboardRoom.remaining() === left", arg=before + 60_000
        )
    await expect(projector.locator("#timer-clock")).to_have_text(
        await run.locator("#run-clock").text_content() or ""
    )
    await run.locator("#timer-resume").click()
    await expect(projector.locator("#timer-label")).to_have_text("Roundtable")

    # Start on the running timer starts it again, here with a new length, on every screen.
    await expect(run.locator("#timer-start")).to_have_text("↺ Restart")
    await run.locator("#timer-minutes").fill("2")
    await run.locator("#timer-start").click()
    for page in (run, projector):
        await page.wait_for_function("() => window.brickboardRoom.remaining() <= 120_000")
    ends = await ends_at(run)
    await clock_agrees(projector, "#timer-clock", ends)

    # Back to the overview: every board, its city and its card count.
    await spotlight(run, "overview")
    await expect(projector.locator("body")).to_have_attribute("data-shown", "overview")
    await expect(projector.locator(".tile")).to_have_count(len(demo["boards"]))
    total = projector.locator(f'.tile[data-board="{board}"] .tile-total')
    await expect(total).to_contain_text("cards")
    # The counts are live: a card written now shows at once (not at the next refresh).
    before = int((await total.text_content() or "0").split()[0])
    writer = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    await writer.op(add_card("projector-live", "Counted as it is written"))
    await expect(total).to_have_text(f"{before + 1} cards", timeout=5000)
    await writer.close()
    for page in (run, projector):
        no_errors(page)


async def test_a_blind_vote_stays_hidden_on_the_projector_until_the_reveal(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = board_of(demo)
    run = await open_run(open_page, demo)
    projector = await open_projector(open_page, demo)
    panel = run_board(run, board)
    await panel.locator(".show-board").click()
    await expect(projector.locator("body")).to_have_attribute("data-shown", f"board:{board}")

    await panel.locator(".vote-title").fill("Where do we start?")
    await panel.locator(".vote-dots").fill("2")
    await panel.locator(".vote-blind").check()
    await panel.locator(".vote-open").click()
    await expect(panel.locator(".vote-status")).to_contain_text("Voting")
    await expect(panel.locator(".vote-status")).to_contain_text("blind")
    results = projector.locator("aside.results")
    await expect(results).to_contain_text("Where do we start?")
    await expect(results).to_contain_text("hidden until the reveal")

    # An expert and a mayor place their dots (the board page's own voting UI is another test's).
    expert = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    mayor = await Client.open(server.ws_url, board, token_of(demo, "mayor"))
    round_id = next(iter(expert.welcome["state"]["rounds"]))
    dots = [(expert, "fact-1"), (expert, "fact-1"), (mayor, "fact-1"), (mayor, "fact-2")]
    for voter, card in dots:
        placed = await voter.op({"kind": "vote.place", "round": round_id, "card": card})
        assert placed["type"] == "op", placed

    await expect(results.locator(".results-placed")).to_have_text("4 dots placed")
    await expect(panel.locator(".vote-count")).to_contain_text("4 dots placed by 2 people")
    assert await results.locator(".rank").count() == 0
    assert await projector.locator(".rcard .dots").count() == 0
    assert await panel.locator(".vote-top li").count() == 0

    await panel.locator(".vote-reveal").click()
    ranks = results.locator(".ranking .rank")
    await expect(ranks).to_have_count(2)
    await expect(ranks.nth(0)).to_have_attribute("data-card", "fact-1")
    await expect(ranks.nth(0).locator(".rank-dots")).to_have_text("● 3")
    roles = ranks.nth(0).locator(".rank-roles")
    await expect(roles).to_have_text(re.compile("Mayors 1.*Experts 2"))
    await expect(ranks.nth(1).locator(".rank-dots")).to_have_text("● 1")
    await expect(panel.locator(".vote-top li").first).to_contain_text("● 3")
    await expect(panel.locator(".vote-status")).to_contain_text("results shown")
    # Zoomed on the section, each card carries its dots too.
    await spotlight(run, "section", board, "city_context")
    await expect(projector.locator('.zoom .rcard[data-card="fact-1"] .dots')).to_have_text("● 3")
    await expect(projector.locator('.zoom .rcard[data-card="fact-2"] .dots')).to_have_text("● 1")
    await expect(projector.locator("aside.results .rank")).to_have_count(2)
    for client in (expert, mayor):
        await client.close()
    for page in (run, projector):
        no_errors(page)


async def test_the_projector_comes_back_by_itself_after_the_server_restarts(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    first, second = board_of(demo, 0), board_of(demo, 1)
    run = await open_run(open_page, demo)
    projector = await open_projector(open_page, demo)
    await spotlight(run, "board", first)
    await expect(projector.locator("body")).to_have_attribute("data-shown", f"board:{first}")
    await expect(projector.locator("#conn")).to_be_hidden()

    server.stop()
    await expect(projector.locator("#conn")).to_be_visible()
    await expect(projector.locator("#conn")).to_have_text(re.compile("Reconnecting…|Offline"))
    # The last picture stays up meanwhile.
    await expect(projector.locator("body")).to_have_attribute("data-shown", f"board:{first}")

    server.start()  # same port, same database; no reload anywhere
    await expect(projector.locator("#conn")).to_be_hidden(timeout=30_000)
    await projector.wait_for_function(
        "() => Object.values(window.brickboardRoom.connection()).every((s) => s === 'connected')",
        timeout=30_000,
    )
    await expect(projector.locator("body")).to_have_attribute("data-shown", f"board:{first}")
    await expect(run.locator("#stage-conn")).to_have_text("Connected", timeout=30_000)

    await spotlight(run, "board", second)
    await expect(projector.locator("body")).to_have_attribute("data-shown", f"board:{second}")
    await expect(projector.locator("#where-title")).to_have_text(city_of(demo, second))
    await spotlight(run, "section", second, "funding_sources")
    await expect(projector.locator(".zoom h2")).to_have_text("Funding & Financing")
    for page in (run, projector):
        no_errors(page, allow=SOCKET_DOWN)


async def test_the_projector_notices_a_connection_that_silently_died(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    """After a sleep or a network change a socket can look open and carry nothing (no close
    ever comes). The projector asks for a sign of life and, hearing none, reconnects."""
    first, second = board_of(demo, 0), board_of(demo, 1)
    run = await open_run(open_page, demo)
    projector = await open_projector(open_page, demo)
    await spotlight(run, "board", first)
    await expect(projector.locator("body")).to_have_attribute("data-shown", f"board:{first}")

    assert server.proc is not None
    server.proc.send_signal(signal.SIGSTOP)  # the sockets stay open; nothing answers
    try:
        # What the laptop sees when its network comes back after a sleep.
        await projector.evaluate("() => window.dispatchEvent(new Event('online'))")
        await expect(projector.locator("#conn")).to_be_visible(timeout=20_000)
    finally:
        server.proc.send_signal(signal.SIGCONT)
    await expect(projector.locator("#conn")).to_be_hidden(timeout=30_000)
    await expect(run.locator("#stage-conn")).to_have_text("Connected", timeout=30_000)
    await spotlight(run, "board", second)
    await expect(projector.locator("body")).to_have_attribute("data-shown", f"board:{second}")
    no_errors(projector, allow=SOCKET_DOWN)


async def test_a_report_out_shows_one_section_of_every_board(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    """An agenda item naming a section and no board: the projector shows that section of every
    board side by side, a follower sees it on their own board, the run page links to /cross."""
    from tests.http_client import call

    facilitator = token_of(demo, "facilitator")
    workshop = demo["workshop"]["id"]
    item = {"title": "30/60/90 report-out", "board": None, "section": "action_plan", "minutes": 20}
    status, body = call(
        "PATCH",
        f"{server.url}/api/workshops/{workshop}",
        {"days": [{"day": 3, "date": "2027-03-11", "agenda": [item]}]},
        token=facilitator,
    )
    assert status == 200, body
    austin = board_of(demo)
    writer = await Client.open(server.ws_url, austin, token_of(demo, "mayor"))
    await writer.op(
        add_card("plan-1", "Name the signal program owner", "action_plan", type="action")
    )
    await writer.close()

    run = await open_run(open_page, demo)
    projector = await open_projector(open_page, demo)
    mayor = await open_page(token_of(demo, "mayor"), f"/boards/{austin}?follow=1")
    await run.locator('#agenda-days button[data-day="3"]').click()
    entry = run.locator('#agenda-items li.agenda-item[data-day="3"]')
    await expect(entry.locator(".agenda-meta")).to_contain_text("Every board · Next 30/60/90 Days")
    await expect(entry.locator("a.agenda-cross")).to_have_attribute(
        "href", "/cross?section=action_plan"
    )
    await entry.locator("button.agenda-start").click()

    await expect(projector.locator("body")).to_have_attribute("data-shown", "cross:action_plan")
    columns = projector.locator(".cross-ro .sec")
    await expect(columns).to_have_count(len(demo["boards"]))
    await expect(projector.locator(f'.cross-ro .sec[data-board="{austin}"]')).to_contain_text(
        "Name the signal program owner"
    )
    await expect(mayor).to_have_url(re.compile(r"section=action_plan"))
    for page in (run, projector, mayor):
        no_errors(page)
