"""Typing into a card in real Chromium (docs/text-merge.md): the card editor sends its text as
`text.splice` ops while the person types, merged character by character with whoever else
types in the same card, and shows their typing live. No keystroke is lost, every screen ends
with the same text, and typing done offline lands exactly once. Every wait is on the DOM."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from playwright.async_api import Locator, Page, WebSocketRoute, expect

from tests.conftest import token_of
from tests.e2e.conftest import OpenPage
from tests.e2e.test_board_browser import add_card, api_state, card, open_board
from tests.servers import Server

pytestmark = pytest.mark.browser


class Link:
    """A page's board socket, through Playwright: every frame recorded as JSON ("sent" or
    "got", frame), and the page's frames held back on demand (as a slow network would)."""

    def __init__(self) -> None:
        self.frames: list[tuple[str, Any]] = []
        self.holding = False
        self.held: list[str | bytes] = []
        self.server: WebSocketRoute | None = None

    def route(self, ws: WebSocketRoute) -> None:
        server = self.server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            self.frames.append(("sent", json.loads(message)))
            if self.holding:
                self.held.append(message)
            else:
                server.send(message)

        def from_server(message: str | bytes) -> None:
            self.frames.append(("got", json.loads(message)))
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    def release(self) -> None:
        self.holding = False
        assert self.server is not None
        for message in self.held:
            self.server.send(message)
        self.held.clear()


async def open_linked(
    open_page: OpenPage, token: str, server: Server, board: str
) -> tuple[Page, Link]:
    page = await open_page(token)
    link = Link()
    await page.route_web_socket(re.compile(r"/ws/boards/"), link.route)
    await page.goto(f"{server.url}/boards/{board}")
    await expect(page.locator("#connection")).to_have_text("Connected")
    return page, link


def splices(frames: list[Any], direction: str) -> list[dict[str, Any]]:
    """The text.splice ops sent, or the text.splice events received."""
    out = []
    for way, frame in frames:
        events = frame.get("ops", []) if frame.get("type") == "ops" else [frame]
        for event in events:
            is_splice = event.get("type") == "op" and event["op"].get("kind") == "text.splice"
            if way == direction and is_splice:
                out.append(event if way == "got" else event["op"])
    return out


async def open_editor(page: Page, text: str) -> Locator:
    """Open the editor of the card showing `text`; its text area, focused."""
    target = card(page, text)
    await target.hover()
    await target.locator("button.edit").click()
    area = page.locator("dialog.editor #card-text")
    await expect(area).to_have_value(text)
    await expect(area).to_be_focused()
    return area


def card_text(server: Server, token: str, board: str, card_id: str) -> str:
    return api_state(server, token, board)["cards"][card_id]["text"]


async def card_id_of(page: Page, text: str) -> str:
    found = await card(page, text).get_attribute("data-card")
    assert found
    return found


async def test_two_people_typing_in_one_card_keep_every_keystroke(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][0]["id"]
    start = "Shared text"
    ann, ann_link = await open_linked(open_page, token_of(demo, "expert", 0), server, board)
    bob, bob_link = await open_linked(open_page, token_of(demo, "expert", 1), server, board)
    await add_card(ann, "problem_vision", start)
    await expect(card(bob, start)).to_have_count(1)
    card_id = await card_id_of(ann, start)

    ann_area = await open_editor(ann, start)
    bob_area = await open_editor(bob, start)
    await ann.keyboard.press("Control+End")  # Ann types at the end
    await bob.keyboard.press("Control+Home")  # Bob types at the start
    ann_typed, bob_typed = [], []
    for n in range(6):
        ann_chunk, bob_chunk = f" a{n}é", f"b{n}🙂 "
        ann_typed.append(ann_chunk)
        bob_typed.append(bob_chunk)
        if n == 2:
            # Bob's network lags: his typing reaches the server after Ann's, which it must
            # be merged with; meanwhile he sees Ann's typing arrive and types on.
            bob_link.holding = True
        # At the same time, keystroke by keystroke, then one after the other.
        await asyncio.gather(
            ann.keyboard.type(ann_chunk, delay=15), bob.keyboard.type(bob_chunk, delay=15)
        )
        await ann.keyboard.type("!")
        ann_typed.append("!")
        await bob.keyboard.type("?")
        bob_typed.append("?")
        if n == 2:
            await expect(ann.locator("#pending")).to_have_text("All saved")
            await expect(bob_area).to_have_value(re.compile(re.escape("".join(ann_typed)) + "$"))
            await expect(bob.locator("#pending")).not_to_have_text("All saved")
            bob_link.release()

    # Each cursor stayed where its person typed: Bob's text leads, Ann's follows.
    expected = "".join(bob_typed) + start + "".join(ann_typed)
    for page, area in ((ann, ann_area), (bob, bob_area)):
        await expect(area).to_have_value(expected)
        await expect(page.locator("#pending")).to_have_text("All saved")
    assert card_text(server, token_of(demo, "expert", 0), board, card_id) == expected
    # Typed as splices (one per pause, one in flight at a time), never as a whole-text
    # update; the server merged some with the other person's concurrent typing.
    for link, typed in ((ann_link, ann_typed), (bob_link, bob_typed)):
        sent = splices(link.frames, "sent")
        assert 2 <= len(sent) <= len("".join(typed)), sent
        for _, frame in link.frames:
            op = frame.get("op") if frame.get("type") == "op" else None
            assert not (op and op["kind"] == "card.update" and "text" in op["set"]), op
    # (Whether the two streams actually overlapped depends on timing; the merge itself is
    # proven deterministically in test_text.py and test_typing_sim.py.)

    # Saving the dialog sends only what else changed (nothing here): the text stays merged.
    await ann.locator("dialog.editor button[type=submit]").click()
    await bob.locator("dialog.editor button.secondary").click()
    for page in (ann, bob):
        await expect(page.locator("dialog.editor")).to_have_count(0)
        await expect(card(page, expected)).to_have_count(1)
        await expect(page.locator("#pending")).to_have_text("All saved")
        assert page.js_errors == []  # type: ignore[attr-defined]
    assert card_text(server, token_of(demo, "expert", 0), board, card_id) == expected


async def test_a_selection_replaced_while_the_other_types(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    """A delete across text the other person is typing into keeps their keystrokes; the
    dialog's other fields are saved with Save, its other text field is typed live too."""
    board = demo["boards"][1]["id"]
    start = "one two three"
    ann = await open_board(open_page, token_of(demo, "expert", 0), board)
    bob = await open_board(open_page, token_of(demo, "expert", 1), board)
    await add_card(ann, "action_plan", start, "action")
    card_id = await card_id_of(ann, start)
    ann_area = await open_editor(ann, start)
    bob_area = await open_editor(bob, start)

    # Bob types inside "two" while Ann replaces "two three" with "2 3": Bob's keystrokes
    # survive the delete, where it left them. Typed at the same place at the same time, the
    # two people's keystrokes may interleave, each person's in the order typed.
    await bob_area.evaluate("a => a.setSelectionRange(6, 6)")
    await ann_area.evaluate("a => a.setSelectionRange(4, 13)")
    await asyncio.gather(ann.keyboard.type("2 3", delay=10), bob.keyboard.type("XY", delay=10))
    merged = re.compile(r"^one [23 XY]{5}$")
    for area in (ann_area, bob_area):
        await expect(area).to_have_value(merged)
    ann_value = await ann_area.input_value()
    await expect(bob_area).to_have_value(ann_value)
    typed = ann_value.removeprefix("one ")
    assert sorted(typed) == sorted("2 3XY"), ann_value
    assert [c for c in typed if c in "2 3"] == list("2 3"), ann_value
    assert [c for c in typed if c in "XY"] == list("XY"), ann_value

    # Ann's other fields go with Save; her text is typed live, and so is the owner field.
    await ann.locator("dialog.editor #field-owner").fill("Transit office")
    await ann.locator("dialog.editor #field-horizon").select_option("d60")
    await expect(bob.locator("dialog.editor #field-owner")).to_have_value("Transit office")
    await expect(bob.locator("dialog.editor #field-horizon")).to_have_value("")  # not saved yet
    await ann.locator("dialog.editor button[type=submit]").click()
    await bob.locator("dialog.editor button.secondary").click()
    for page in (ann, bob):
        await expect(page.locator("dialog.editor")).to_have_count(0)
        await expect(page.locator("#pending")).to_have_text("All saved")
        shown = card(page, ann_value)
        await expect(shown).to_contain_text("Transit office")
        await expect(shown).to_contain_text("60 days")
        assert page.js_errors == []  # type: ignore[attr-defined]
    saved = api_state(server, token_of(demo, "expert", 0), board)["cards"][card_id]
    assert (saved["text"], saved["owner"], saved["horizon"]) == (ann_value, "Transit office", "d60")


async def test_typing_offline_lands_exactly_once(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    board = demo["boards"][2]["id"]
    token = token_of(demo, "expert", 0)
    start = "Offline typing"
    page = await open_board(open_page, token, board)
    watcher = await open_board(open_page, token_of(demo, "facilitator"), board)
    await add_card(page, "technology_solution", start)
    card_id = await card_id_of(page, start)
    await expect(page.locator("#pending")).to_have_text("All saved")
    area = await open_editor(page, start)
    await page.keyboard.press("Control+End")

    # Typed just before the server goes away: it may or may not have been applied.
    await page.keyboard.type(" first")
    server.stop()
    await expect(page.locator("#connection")).to_have_text(re.compile("Reconnecting…|Offline"))
    await page.keyboard.type(" then offline")
    await page.keyboard.press("Control+Home")
    await page.keyboard.type("Note: ")
    expected = f"Note: {start} first then offline"
    await expect(area).to_have_value(expected)
    await expect(page.locator("#pending")).to_have_text(re.compile(r"\d+ edits? waiting"))
    await expect(card(page, expected)).to_have_count(1)

    server.start()  # the page comes back by itself and resends with the same ids
    await expect(page.locator("#connection")).to_have_text("Connected", timeout=30_000)
    await expect(page.locator("#pending")).to_have_text("All saved")
    await expect(area).to_have_value(expected)
    assert card_text(server, token, board, card_id) == expected
    await expect(card(watcher, expected)).to_have_count(1, timeout=30_000)
    errors = page.js_errors  # type: ignore[attr-defined]
    assert [e for e in errors if "ERR_CONNECTION_REFUSED" not in e] == []  # only while away


async def test_typing_of_a_closed_tab_is_sent_by_the_next_one_once(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    """Typing waits in localStorage like any edit: even into a card added offline, whose
    splices wait until the server has the card."""
    board = demo["boards"][3]["id"]
    token = token_of(demo, "expert", 1)
    page = await open_board(open_page, token, board)
    before = api_state(server, token, board)
    server.stop()
    await expect(page.locator("#connection")).to_have_text(re.compile("Reconnecting…|Offline"))
    await add_card(page, "city_context", "Added offline")
    area = await open_editor(page, "Added offline")
    await page.keyboard.press("Control+End")
    await page.keyboard.type(", then typed into")
    await expect(area).to_have_value("Added offline, then typed into")
    await page.locator("dialog.editor button.secondary").click()  # Close: the typing is kept
    await expect(page.locator("#pending")).to_have_text("2 edits waiting")
    context = page.context
    await page.close()

    server.start()
    again = await context.new_page()
    await again.goto(f"{server.url}/boards/{board}")
    await expect(again.locator("#pending")).to_have_text("All saved", timeout=30_000)
    await expect(card(again, "Added offline, then typed into")).to_have_count(1)
    await expect(card(again, "Added offline")).to_have_count(0)
    after = api_state(server, token, board)
    assert after["seq"] == before["seq"] + 2  # the card, then one splice
    texts = [c["text"] for c in after["cards"].values()]
    assert texts.count("Added offline, then typed into") == 1
    assert "Added offline" not in texts
