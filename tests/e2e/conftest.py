"""Browser fixtures: one headless Chromium per test session, a fresh context per person.

The sync Playwright API runs inside plain `def` tests, so it never meets pytest-asyncio's loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.servers import Server

CHROMIUM = os.environ.get("BRICKBOARD_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1920, "height": 1080}

expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Browser, server: Server) -> Iterator[Callable[..., Page]]:
    """open_page(token, path): a new signed-in browser context (one person), its page at path."""
    contexts: list[BrowserContext] = []

    def open_(token: str, path: str | None = None) -> Page:
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server.url}/join/{token}")
        if path is not None:
            page.goto(f"{server.url}{path}")
        page.js_errors = errors  # type: ignore[attr-defined]
        return page

    yield open_
    for context in contexts:
        context.close()
