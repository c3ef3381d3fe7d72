"""Browser fixtures: one headless Chromium per test session, a fresh context per person.

The async Playwright API on pytest-asyncio's session loop: the sync API keeps its own loop
marked as running in the main thread for as long as it is open, which breaks every later
`asyncio.run` (the PostgreSQL fixtures) and every async test of the same session.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from tests.servers import Server, sqlite_url

CHROMIUM = os.environ.get("BRICKBOARD_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1920, "height": 1080}

expect.set_options(timeout=15_000)

OpenPage = Callable[..., Awaitable[Page]]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """Browser tests run on SQLite only: the storage paths are covered twice elsewhere, and
    the browser cannot tell the databases apart."""
    return sqlite_url(tmp_path / "brickboard.db")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):  # CI installs it (.ci/run); never skip quietly
        raise RuntimeError(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        await browser.close()


@asynccontextmanager
async def page_opener(browser: Browser, base_url: str) -> AsyncIterator[OpenPage]:
    """open_(token, path): a new signed-in context (one person), its page at path, on the
    server at base_url; every context is closed on the way out.

    `viewport` and other keywords go to the new context (a laptop's size, bypass_csp...);
    token None opens the page signed out. Uncaught errors and console errors are collected
    in `page.js_errors` for the tests."""
    contexts: list[BrowserContext] = []

    async def open_(
        token: str | None,
        path: str | None = None,
        *,
        viewport: dict[str, int] = VIEWPORT,
        **options: Any,
    ) -> Page:
        context = await browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # Console errors too: a Content-Security-Policy violation is only reported there.
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.js_errors = errors  # type: ignore[attr-defined]
        if token is not None:
            await page.goto(f"{base_url}/join/{token}")
        if path is not None:
            await page.goto(f"{base_url}{path}")
        return page

    try:
        yield open_
    finally:
        for context in contexts:
            await context.close()


@pytest.fixture
async def open_page(browser: Browser, server: Server) -> AsyncIterator[OpenPage]:
    """await open_page(token, path): see page_opener; on this test's server."""
    async with page_opener(browser, server.url) as open_:
        yield open_
