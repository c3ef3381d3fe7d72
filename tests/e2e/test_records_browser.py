"""The records in the browser: the console shows the server's last backup, and History offers
"the board now" as the source of every export (issue 13, items 2 and 4). Real Chromium, a real
server; every wait is on the DOM."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import token_of
from tests.e2e.conftest import OpenPage
from tests.e2e.test_history_browser import close_day, open_clean, open_history
from tests.http_client import call
from tests.servers import Server
from tests.wsclient import Client, add_card

pytestmark = pytest.mark.browser


async def test_the_console_shows_the_last_backup_and_history_exports_the_board_now(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    fac = token_of(demo, "facilitator")
    board = demo["boards"][0]
    console = await open_clean(open_page, fac, f"{server.url}/console")
    status = console.locator("#backup-status")
    await expect(status).to_contain_text("No backup yet")
    await expect(status).to_contain_text("every 30 min")
    close_day(server, demo, 1)  # the server backs up at the close, just after it
    backups = f"{server.url}/api/workshops/{demo['workshop']['id']}/backups"
    async with asyncio.timeout(15):
        while call("GET", backups, token=fac)[1]["last"] is None:
            await asyncio.sleep(0.05)  # polling the server's own report of it
    await console.reload()
    await expect(status).to_contain_text("(day 1 close)")
    await expect(status.locator(".backup-file")).to_have_text(
        re.compile(r"^brickboard-\d{8}-\d{6}-day-1-close\.db$")
    )
    await expect(status).to_contain_text("1 workshop, 5 boards")
    if shots := os.environ.get("BRICKBOARD_SHOTS"):  # for people looking at the pages
        await console.locator("#days-panel").screenshot(path=f"{shots}/console-backups.png")

    mayor = next(p for p in demo["participants"] if p["id"] == board["mayor"])
    client = await Client.open(server.ws_url, board["id"], mayor["token"])
    late = add_card("after", "Written after the day closed", "action_plan", type="action")
    await client.op(late)
    await client.close()
    page = await open_history(open_page, server, fac, board["id"])
    select = page.locator("#export-snapshot")
    await expect(select.locator("option").first).to_have_text("The board now")
    await expect(select).to_have_value("now")
    link = page.locator('.export-link[data-format="plan.md"]')
    await expect(link).to_have_attribute("href", re.compile(r"snapshot=now&download=1$"))
    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    assert download.suggested_filename.endswith("-action-plan.md")
    assert "Written after the day closed" in Path(await download.path()).read_text("utf-8")
    day1_option = select.locator("option", has_text="Day 1 close")
    await select.select_option(await day1_option.get_attribute("value"))
    async with page.expect_download() as info:
        await link.click()
    day1 = Path(await (await info.value).path()).read_text("utf-8")
    assert "Written after the day closed" not in day1
    for p in (console, page):
        assert p.js_errors == []  # type: ignore[attr-defined]
