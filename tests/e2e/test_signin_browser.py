"""An invite link opened in a browser someone else is signed in on asks before switching
(issue 12, item 8: login CSRF), in real Chromium, by keyboard, at 1366x768."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import person_of
from tests.e2e.conftest import OpenPage
from tests.servers import Server

pytestmark = pytest.mark.browser


async def test_another_persons_link_asks_first_and_switches_on_request(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    expert = person_of(demo, "expert")
    mayor = next(p for p in demo["participants"] if p["id"] == demo["boards"][0]["mayor"])
    page = await open_page(expert["token"], "/boards")
    await page.set_viewport_size({"width": 1366, "height": 768})
    await page.goto(f"{server.url}/join/{mayor['token']}")
    await expect(page.locator("h1")).to_have_text("Switch who is signed in?")
    await expect(page.locator("main")).to_contain_text(expert["name"])
    await expect(page.locator("main")).to_contain_text(mayor["name"])
    # staying is one link away, and changes nothing
    await page.get_by_role("link", name=re.compile("Stay signed in")).click()
    await expect(page).to_have_url(f"{server.url}/boards")
    # switching is the button, reached and pressed by keyboard
    await page.goto(f"{server.url}/join/{mayor['token']}")
    button = page.get_by_role("button", name=f"Switch to {mayor['name']}")
    await button.focus()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(f"/boards/{demo['boards'][0]['id']}$"))
    await expect(page.locator("#connection")).to_have_text("Connected")
    assert page.js_errors == []  # type: ignore[attr-defined]
