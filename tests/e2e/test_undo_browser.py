"""Undo and redo, per person, in real Chromium on two pages against a real server
(docs/undo.md): your own edits come and go for everyone, another person's never; where they
changed the same thing since, undo says so in a sentence; inside a text, undo goes a run of
your typing at a time; the stack survives a reload. Every wait is on the DOM."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.conftest import board_of, token_of
from tests.e2e.conftest import OpenPage
from tests.e2e.test_board_browser import (
    add_card,
    api_state,
    card,
    delete_card,
    open_board,
    section,
    texts_in,
)
from tests.e2e.test_typing_browser import card_id_of, open_editor, open_linked, splices
from tests.servers import Server

pytestmark = pytest.mark.browser


async def undo(page: Page) -> None:
    await page.locator("body").press("Control+z")


async def redo(page: Page) -> None:
    await page.locator("body").press("Control+Shift+z")


async def saved(*pages: Page) -> None:
    for page in pages:
        await expect(page.locator("#pending")).to_have_text("All saved")


async def set_field(page: Page, text: str, name: str, value: str) -> None:
    """Change one non-text field of a card in its dialog, and save."""
    target = card(page, text)
    await target.hover()
    await target.locator("button.edit").click()
    dialog = page.locator("dialog.editor")
    await dialog.locator(f"#field-{name}").select_option(value)
    await dialog.locator("button[type=submit]").click()
    await expect(dialog).to_have_count(0)


async def test_your_card_comes_and_goes_for_everyone_while_anothers_stays(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = board_of(demo, 0)
    me = await open_board(open_page, token_of(demo, "expert"), board)
    other = await open_board(open_page, token_of(demo, "expert", 1), board)
    await expect(me.locator("#undo")).to_be_disabled()
    await expect(me.locator("#redo")).to_be_disabled()
    await add_card(other, "problem_vision", "Their card")
    await add_card(me, "problem_vision", "My card")
    await expect(card(other, "My card")).to_have_count(1)
    mine = await card_id_of(me, "My card")
    await expect(me.locator("#undo")).to_have_attribute("aria-label", "Undo adding “My card”")
    # Their card is not mine to undo, and the undo is not theirs to see as anything else.
    await expect(other.locator("#undo")).to_have_attribute("aria-label", "Undo adding “Their card”")

    await undo(me)
    for page in (me, other):
        await expect(card(page, "My card")).to_have_count(0)
        await expect(card(page, "Their card")).to_have_count(1)
    await expect(me.locator("#redo")).to_be_enabled()
    await expect(me.locator("#edit-history [role=status]")).to_have_text(
        "Undone: adding “My card”."
    )

    await me.locator("#redo").click()  # the button does what the keys do
    for page in (me, other):
        await expect(card(page, "My card")).to_have_count(1)
    assert await card_id_of(other, "My card") == mine  # the same card, back: not a copy
    await saved(me, other)
    state = api_state(server, token_of(demo, "expert"), board)
    assert state["cards"][mine]["author"] == me_id(demo, 0)
    assert texts_in(state, "problem_vision").count("Their card") == 1
    assert me.js_errors == other.js_errors == []  # type: ignore[attr-defined]


def me_id(demo: dict[str, Any], n: int) -> str:
    return [p for p in demo["participants"] if p["role"] == "expert"][n]["id"]


async def test_a_deleted_card_comes_back_as_it_was_with_the_comments_of_others(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = board_of(demo, 1)
    me = await open_board(open_page, token_of(demo, "expert"), board)
    other = await open_board(open_page, token_of(demo, "expert", 1), board)
    await add_card(me, "barriers_risks", "First")
    await add_card(me, "barriers_risks", "Keep me", "barrier", severity="2")
    await add_card(me, "barriers_risks", "Last")
    kept = await card_id_of(me, "Keep me")
    await card(other, "Keep me").locator(".comments-btn").click()
    await other.locator("#comment-text").fill("Agreed, with a caveat.")
    await other.locator(".comment-form button[type=submit]").click()
    await saved(other)
    before = api_state(server, token_of(demo, "expert"), board)

    await delete_card(me, "Keep me")
    await expect(card(other, "Keep me")).to_have_count(0)
    await undo(me)
    await expect(section(other, "barriers_risks").locator(".card-text")).to_have_text(
        ["First", "Keep me", "Last"]
    )
    await saved(me)
    after = api_state(server, token_of(demo, "expert"), board)
    assert after["cards"][kept] == before["cards"][kept]  # author, times and fields as they were
    assert after["comments"] == before["comments"]  # with the other person's comment
    assert me.js_errors == other.js_errors == []  # type: ignore[attr-defined]


async def test_a_moved_card_and_an_edited_field_come_back(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = board_of(demo, 2)
    me = await open_board(open_page, token_of(demo, "expert"), board)
    other = await open_board(open_page, token_of(demo, "expert", 1), board)
    await add_card(other, "barriers_risks", "Above")
    await add_card(me, "barriers_risks", "Moving", "barrier", severity="2")
    await add_card(other, "barriers_risks", "Below")
    await card(me, "Moving").focus()
    await me.keyboard.press("Alt+ArrowRight")  # to the next section (Costs & Budget)
    await expect(section(other, "costs_budget").locator(".card-text")).to_have_text(["Moving"])
    await set_field(me, "Moving", "severity", "3")
    await expect(card(other, "Moving")).to_contain_text("Severity: 3")

    await undo(me)  # the field
    await expect(card(other, "Moving")).to_contain_text("Severity: 2")
    await undo(me)  # the move
    await expect(section(other, "barriers_risks").locator(".card-text")).to_have_text(
        ["Above", "Moving", "Below"]
    )
    await redo(me)
    await expect(section(other, "costs_budget").locator(".card-text")).to_have_text(["Moving"])
    await saved(me, other)
    assert me.js_errors == other.js_errors == []  # type: ignore[attr-defined]


async def test_an_undo_of_what_someone_else_changed_since_is_refused_with_a_sentence(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = board_of(demo, 3)
    me = await open_board(open_page, token_of(demo, "expert"), board)
    other = await open_board(open_page, token_of(demo, "expert", 1), board)
    await add_card(me, "barriers_risks", "Contested", "barrier", severity="1")
    await set_field(me, "Contested", "severity", "2")
    await expect(card(other, "Contested")).to_contain_text("Severity: 2")
    await set_field(other, "Contested", "severity", "3")
    await expect(card(me, "Contested")).to_contain_text("Severity: 3")

    # Seen here first: the page refuses at once.
    await undo(me)
    notice = me.locator("#notice")
    await expect(notice).to_contain_text(
        "Someone else changed this card since, so undo leaves it as they left it."
    )
    await expect(card(other, "Contested")).to_contain_text("Severity: 3")

    # Not seen here (offline): the undo waits, and the server refuses it when it arrives.
    await set_field(me, "Contested", "severity", "2")
    await expect(card(other, "Contested")).to_contain_text("Severity: 2")
    await me.context.set_offline(True)
    await expect(me.locator("#connection")).to_have_text("Offline")
    await set_field(other, "Contested", "severity", "3")
    await saved(other)
    await undo(me)
    await expect(me.locator("#connection")).to_have_text("Offline · 1 edit waiting")
    await me.context.set_offline(False)
    await expect(notice).to_contain_text(
        "Someone else changed this card's severity since; your undo leaves it as it is."
    )
    await saved(me)
    for page in (me, other):
        await expect(card(page, "Contested")).to_contain_text("Severity: 3")
    assert other.js_errors == []  # type: ignore[attr-defined]


async def test_undo_inside_a_text_goes_a_run_of_your_typing_at_a_time(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = board_of(demo, 4)
    me, link = await open_linked(open_page, token_of(demo, "expert"), server, board)
    other = await open_board(open_page, token_of(demo, "expert", 1), board)
    await add_card(me, "problem_vision", "Start")
    area = await open_editor(me, "Start")
    await area.press("End")
    await me.keyboard.type(" alpha beta")
    await expect(card(other, "Start alpha beta")).to_have_count(1)
    theirs = await open_editor(other, "Start alpha beta")
    await theirs.press("End")
    await other.keyboard.type(" gamma")  # someone else types right after my word
    await expect(area).to_have_value("Start alpha beta gamma")
    sent = len(splices(link.frames, "sent"))

    await area.press("Control+z")  # my last word goes, theirs stays
    await expect(area).to_have_value("Start alpha  gamma")
    await expect(theirs).to_have_value("Start alpha  gamma")
    undone = splices(link.frames, "sent")[sent:]
    assert [(s["delete"], s["insert"]) for s in undone] == [(4, "")]  # one edit, not 4

    await area.press("Control+z")  # then " alpha " (a word and the spaces around it)
    await expect(theirs).to_have_value("Start gamma")
    await area.press("Control+Shift+z")
    await expect(theirs).to_have_value("Start alpha  gamma")
    await me.keyboard.type("delta")  # typing where the redo left the cursor
    await expect(theirs).to_have_value("Start alpha delta gamma")
    await area.press("Control+z")
    await expect(theirs).to_have_value("Start alpha  gamma")
    await me.locator("dialog.editor button.secondary").click()  # Close
    await other.locator("dialog.editor button.secondary").click()

    # Closed, the whole typing session is one step of the board's undo.
    await undo(me)
    await expect(card(other, "Start gamma")).to_have_count(1)
    await saved(me, other)
    assert me.js_errors == other.js_errors == []  # type: ignore[attr-defined]


async def test_the_stack_survives_a_reload_and_undoes_a_sign_off_and_a_restore(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = board_of(demo, 0)
    fac_token = token_of(demo, "facilitator")
    fac = await open_board(open_page, fac_token, board)
    other = await open_board(open_page, token_of(demo, "expert"), board)
    await add_card(fac, "funding_sources", "Bond measure")
    await card(fac, "Bond measure").focus()
    await fac.keyboard.press("Alt+ArrowLeft")
    await expect(section(other, "costs_budget").locator(".card-text")).to_have_text(
        ["Bond measure"]
    )
    await section(fac, "success_metrics").locator(".lock-toggle").click()
    agreed = section(other, "success_metrics").locator(".agreed-badge")
    await expect(agreed).to_be_visible()
    await saved(fac)

    await fac.reload()
    await expect(fac.locator("#connection")).to_have_text("Connected")
    await expect(fac.locator("#undo")).to_have_attribute(
        "aria-label", re.compile("^Undo signing off")
    )
    await undo(fac)
    await expect(agreed).to_be_hidden()
    await undo(fac)
    await expect(section(other, "funding_sources").locator(".card-text")).to_have_text(
        ["Bond measure"]
    )

    # A restore from the History page is the next step of this person's undo on the board.
    workshop = demo["workshop"]["id"]
    request = fac.context.request
    close = await request.post(f"{server.url}/api/workshops/{workshop}/days/1/close", data={})
    assert close.ok
    await add_card(other, "action_plan", "Written after the close", "action")
    history = await fac.context.new_page()
    await history.goto(f"{server.url}/boards/{board}/history")
    await history.locator(".snapshot-item button.restore").first.click()
    await history.locator("dialog.confirm button.danger").click()
    await expect(card(other, "Written after the close")).to_have_count(0)
    await history.close()
    await expect(fac.locator("#undo")).to_have_attribute(
        "aria-label", "Undo the restore of Day 1 close"
    )
    await undo(fac)
    await expect(card(other, "Written after the close")).to_have_count(1)
    await saved(fac, other)
    assert fac.js_errors == other.js_errors == []  # type: ignore[attr-defined]
