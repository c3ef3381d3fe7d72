"""The room's tools on the board page, in real Chromium against a real server: comments, dot
voting (blind, then revealed), private writing, agreed sections, presence hints, and following
the facilitator's spotlight. The facilitator acts through the page or over a socket
(tests/wsclient.py). Every wait is on the DOM (expect), never a sleep."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.conftest import person_of, token_of
from tests.e2e.conftest import OpenPage
from tests.e2e.test_board_browser import add_card, card, open_board, section
from tests.http_client import call
from tests.servers import Server
from tests.wsclient import Client
from tests.wsclient import add_card as card_op

pytestmark = pytest.mark.browser

LOCKED = "This section was agreed and is locked; ask the facilitator to unlock it."


def name_of(demo: dict[str, Any], role: str, n: int = 0) -> str:
    return person_of(demo, role, n)["name"]


def mayor_of(demo: dict[str, Any], board: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in demo["participants"] if p["id"] == board["mayor"])


async def no_errors(*pages: Page) -> None:
    for page in pages:
        assert page.js_errors == []  # type: ignore[attr-defined]


async def comments_of(page: Page, text: str) -> None:
    """Open a card's comments: its button, or for a read-only viewer the card itself."""
    await card(page, text).locator(".comments-btn, .comments-count").click()
    await expect(page.locator("#side")).to_be_visible()
    await expect(page.locator(".comment-card-text")).to_have_text(text)


async def test_comments_are_live_between_two_people(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    author = await open_board(open_page, token_of(demo, "expert", 0), board)
    other = await open_board(open_page, token_of(demo, "expert", 1), board)
    await add_card(author, "problem_vision", "Retime 40 signals downtown")
    shown = card(other, "Retime 40 signals downtown")
    await expect(shown.locator(".comments-btn")).to_have_text("0")

    # The other expert comments; the author sees the count, then the comment itself, live.
    await comments_of(other, "Retime 40 signals downtown")
    await other.locator("#comment-text").fill("Which corridors come first?")
    await other.locator(".comment-form button[type=submit]").click()
    await expect(other.locator(".comment .comment-text")).to_have_text(
        ["Which corridors come first?"]
    )
    await expect(card(author, "Retime 40 signals downtown").locator(".comments-btn")).to_have_text(
        "1"
    )
    await comments_of(author, "Retime 40 signals downtown")
    comment = author.locator(".comment")
    await expect(comment.locator(".comment-text")).to_have_text("Which corridors come first?")
    await expect(comment.locator(".comment-author")).to_have_text(name_of(demo, "expert", 1))
    # Only its author may edit a comment; the card's author may resolve it.
    await expect(comment.locator(".comment-edit-btn")).to_have_count(0)

    # The author of the comment edits it; the card's author sees the new text.
    await other.locator(".comment .comment-edit-btn").click()
    await other.locator(".comment textarea.comment-edit").fill("Which two corridors first?")
    await other.locator(".comment .comment-actions button.primary").click()
    await expect(comment.locator(".comment-text")).to_have_text("Which two corridors first?")

    # The card's author resolves it: dimmed for both, with who resolved it.
    await comment.locator(".comment-resolve").click()
    for page in (author, other):
        resolved = page.locator(".comment.resolved")
        await expect(resolved).to_have_count(1)
        await expect(resolved.locator(".resolved-tag")).to_contain_text(
            f"Resolved by {name_of(demo, 'expert', 0)}"
        )
    opacity = await other.locator(".comment.resolved").evaluate("e => getComputedStyle(e).opacity")
    assert float(opacity) < 1
    # …and reopens it.
    await author.locator(".comment .comment-reopen").click()
    await expect(other.locator(".comment.resolved")).to_have_count(0)

    # An observer reads comments but cannot write one.
    viewer = await open_board(open_page, token_of(demo, "observer"), board)
    await comments_of(viewer, "Retime 40 signals downtown")
    await expect(viewer.locator(".comment .comment-text")).to_have_text(
        ["Which two corridors first?"]
    )
    await expect(viewer.locator(".comment-form")).to_be_hidden()
    await no_errors(author, other, viewer)


async def test_someone_editing_a_card_is_shown_to_the_others(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][1]["id"]
    editor = await open_board(open_page, token_of(demo, "expert", 0), board)
    watcher = await open_board(open_page, token_of(demo, "expert", 1), board)
    await add_card(editor, "problem_vision", "Bus lanes on Main Street")
    target = card(editor, "Bus lanes on Main Street")
    await target.hover()
    await target.locator("button.edit").click()
    hint = card(watcher, "Bus lanes on Main Street").locator(".editing-hint")
    await expect(hint).to_have_text(f"✎ {name_of(demo, 'expert', 0)} is editing")
    await editor.locator("dialog.editor button.secondary").click()  # cancel
    await expect(hint).to_have_count(0)
    await no_errors(editor, watcher)


async def test_a_blind_vote_shows_no_counts_until_revealed(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    info = demo["boards"][0]
    board = info["id"]
    fac = await Client.open(server.ws_url, board, token_of(demo, "facilitator"))
    writer = await Client.open(server.ws_url, board, token_of(demo, "expert", 0))
    mayor = await Client.open(server.ws_url, board, mayor_of(demo, info)["token"])
    for cid, text in (("opt-a", "Option A: retime signals"), ("opt-b", "Option B: bus lanes")):
        assert (await writer.op(card_op(cid, text)))["type"] == "op"
    opened = await fac.op(
        {
            "kind": "vote.open",
            "round": {"id": "r1", "dots": 2, "title": "Top priority", "blind": True},
        }
    )
    assert opened["type"] == "op"

    voter = await open_board(open_page, token_of(demo, "expert", 1), board)
    banner = voter.locator(".vote-banner")
    await expect(banner).to_contain_text("Dot vote: Top priority")
    await expect(banner.locator(".dots-left")).to_have_text("2 of 2 dots left")
    await expect(banner).to_contain_text("Voting on: all sections")
    await expect(banner.locator(".blind-tag")).to_be_visible()

    # Others vote (the page learns only that dots exist); this expert votes with the buttons.
    for client, cid in ((mayor, "opt-a"), (writer, "opt-a"), (writer, "opt-b")):
        placed = await client.op({"kind": "vote.place", "round": "r1", "card": cid})
        assert placed["type"] == "op", placed
    await card(voter, "Option B: bus lanes").locator(".dot-btn").click()
    await expect(banner.locator(".dots-left")).to_have_text("1 of 2 dots left")
    mine = card(voter, "Option B: bus lanes").locator(".dot-btn.mine")
    await expect(mine).to_have_attribute("aria-pressed", "true")
    await voter.wait_for_function(
        "() => window.brickboard.state()?.rounds.r1.votes.length === 4"
        " && window.brickboard.pendingCount() === 0"
    )
    # Blind: no counts anywhere, no results to open, only my own dot.
    await expect(voter.locator(".dot-total")).to_have_count(0)
    await expect(banner.locator(".results-btn")).to_have_count(0)
    await voter.locator("#votes-btn").click()
    await expect(voter.locator(".blind-note")).to_be_visible()
    await expect(voter.locator(".results .result")).to_have_count(0)
    await expect(voter.locator("#side")).not_to_contain_text("3 dots")
    # A second click on my dot takes it back, and a third places it again.
    await mine.click()
    await expect(banner.locator(".dots-left")).to_have_text("2 of 2 dots left")
    await card(voter, "Option B: bus lanes").locator(".dot-btn").click()
    await expect(banner.locator(".dots-left")).to_have_text("1 of 2 dots left")
    await expect(voter.locator("#pending")).to_have_text("All saved")

    # The facilitator reveals: the ranking, with counts and the split by role.
    assert (await fac.op({"kind": "vote.reveal", "round": "r1"}))["type"] == "op"
    results = voter.locator(".results .result")
    await expect(results).to_have_count(2)
    first, second = results.nth(0), results.nth(1)
    await expect(first.locator(".result-card")).to_contain_text("Option A: retime signals")
    await expect(first.locator(".result-total")).to_have_text("2 dots")
    await expect(first.locator(".result-split")).to_have_text("Mayors 1 · Experts 1")
    await expect(second.locator(".result-card")).to_contain_text("Option B: bus lanes")
    await expect(second.locator(".result-total")).to_have_text("2 dots")
    await expect(second.locator(".result-split")).to_have_text("Experts 2")
    await expect(card(voter, "Option A: retime signals").locator(".dot-total")).to_have_text("● 2")
    await expect(banner).to_have_count(0)  # the round closed with the reveal
    await no_errors(voter)
    for client in (fac, writer, mayor):
        await client.close()


async def test_private_writing_hides_new_cards_until_the_facilitator_reveals(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][1]["id"]
    facilitator = await open_board(open_page, token_of(demo, "facilitator"), board)
    writer = await open_board(open_page, token_of(demo, "expert", 0), board)
    reader = await open_board(open_page, token_of(demo, "expert", 1), board)

    await facilitator.locator("#private-toggle").click()
    for page in (writer, reader):
        await expect(page.locator(".private-banner")).to_contain_text(
            "Private writing: only you see your new cards until the facilitator reveals them"
        )
    await expect(facilitator.locator("#private-toggle")).to_have_text("◎ Reveal private cards")

    await add_card(writer, "problem_vision", "My candid idea about parking")
    await expect(
        card(writer, "My candid idea about parking").locator(".private-tag")
    ).to_be_visible()
    hidden = section(reader, "problem_vision").locator(".card.placeholder")
    await expect(hidden).to_have_count(1)
    await expect(hidden).to_have_text("✎ Someone is writing here (private)")
    await expect(reader.locator("#canvas")).not_to_contain_text("My candid idea")
    await expect(section(facilitator, "problem_vision").locator(".card.placeholder")).to_have_count(
        1
    )

    await facilitator.locator("#private-toggle").click()  # reveal
    await expect(card(reader, "My candid idea about parking")).to_have_count(1)
    await expect(reader.locator(".card.placeholder")).to_have_count(0)
    await expect(reader.locator(".private-banner")).to_have_count(0)
    await expect(
        card(writer, "My candid idea about parking").locator(".private-tag")
    ).to_have_count(0)
    await expect(card(facilitator, "My candid idea about parking")).to_have_count(1)
    await no_errors(facilitator, writer, reader)


async def test_an_agreed_section_refuses_edits_with_a_visible_reason(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][2]["id"]
    facilitator = await open_board(open_page, token_of(demo, "facilitator"), board)
    expert = await open_board(open_page, token_of(demo, "expert", 0), board)
    await add_card(expert, "success_metrics", "Commute time down 10%", "metric")

    head = section(facilitator, "success_metrics").locator(".section-head")
    await head.locator(".lock-toggle").click()
    badge = section(expert, "success_metrics").locator(".agreed-badge")
    await expect(badge).to_have_text("Agreed ✓ (locked)")
    await expect(head.locator(".lock-toggle")).to_have_text("↺ Unlock")

    # Editing controls are disabled; an attempt says why, in the reducer's sentence.
    target = card(expert, "Commute time down 10%")
    await target.hover()
    edit = target.locator("button.edit")
    await expect(edit).to_have_attribute("aria-disabled", "true")
    await edit.click(force=True)  # it looks disabled, yet a click is answered with the reason
    notice = expert.locator("#notice")
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text(LOCKED)
    await expect(expert.locator("dialog.editor")).to_have_count(0)
    await notice.locator(".notice-close").click()
    await expect(notice).to_be_hidden()
    await section(expert, "success_metrics").locator("button.add").click(force=True)
    await expect(notice).to_contain_text(LOCKED)
    await expect(expert.locator("dialog.editor")).to_have_count(0)
    await expect(target).to_have_attribute("draggable", "false")

    # The facilitator still edits, then reopens the section; the expert edits again.
    await card(facilitator, "Commute time down 10%").hover()
    await expect(
        card(facilitator, "Commute time down 10%").locator("button.edit")
    ).not_to_have_attribute("aria-disabled", "true")
    await head.locator(".lock-toggle").click()
    await expect(badge).to_be_hidden()
    await target.hover()
    await target.locator("button.edit").click()
    dialog = expert.locator("dialog.editor")
    await dialog.locator("#card-text").fill("Commute time down 12%")
    await dialog.locator("button[type=submit]").click()
    await expect(card(facilitator, "Commute time down 12%")).to_have_count(1)
    await no_errors(facilitator, expert)


async def test_following_the_facilitator_goes_where_the_spotlight_goes(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    first, second = demo["boards"][0]["id"], demo["boards"][1]["id"]
    _, me = call("GET", f"{server.url}/api/me", token=token_of(demo, "facilitator"))
    stage = await Client.open(server.ws_url, me["stage"], token_of(demo, "facilitator"))
    expert = await open_board(open_page, token_of(demo, "expert", 0), first)
    follow = expert.locator("#follow")
    await follow.click()
    await expect(follow).to_have_attribute("aria-pressed", "true")
    await expect(expert).to_have_url(re.compile(r"\?follow=1$"))

    moved = await stage.op({"kind": "stage.spotlight", "mode": "board", "board": second})
    assert moved["type"] == "op", moved
    await expect(expert).to_have_url(re.compile(f"/boards/{second}\\?follow=1$"))
    await expect(expert.locator("#connection")).to_have_text("Connected")
    await expect(expert.locator("#follow")).to_have_attribute("aria-pressed", "true")

    # A section of this board: it is marked; the shared timer shows in the header.
    spot = {"kind": "stage.spotlight", "mode": "section", "board": second}
    assert (await stage.op({**spot, "section": "costs_budget"}))["type"] == "op"
    costs = section(expert, "costs_budget")
    await expect(costs).to_have_class(re.compile(r"\bspotlit\b"))
    await expect(costs.locator(".spot-badge")).to_be_visible()
    started = await stage.op({"kind": "timer.start", "seconds": 300, "label": "Costs"})
    assert started["type"] == "op"
    await expect(expert.locator("#stage-timer")).to_have_text(
        re.compile(r"^◷ (5:00|4:5\d) · Costs$")
    )

    # Leaving: the toggle again; the spotlight no longer moves this page.
    await expert.locator("#follow").click()
    await expect(expert.locator("#follow")).to_have_attribute("aria-pressed", "false")
    await expect(expert.locator("#stage-timer")).to_be_hidden()
    await expect(costs).not_to_have_class(re.compile(r"\bspotlit\b"))
    await expect(expert).to_have_url(re.compile(f"/boards/{second}$"))
    assert (await stage.op({"kind": "stage.spotlight", "mode": "board", "board": first}))[
        "type"
    ] == "op"
    await expect(expert.locator("a.history-link")).to_have_attribute(
        "href", f"/boards/{second}/history"
    )
    assert second in expert.url
    await no_errors(expert)
    await stage.close()
