"""Two people with the same name are told apart: the console asks before adding a namesake,
and the board names each by what differs (organisation here) in presence."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import board_of, token_of
from tests.e2e.conftest import OpenPage

pytestmark = pytest.mark.browser


async def test_a_namesake_is_asked_about_then_told_apart_on_the_board(
    open_page: OpenPage, demo: dict[str, Any]
) -> None:
    expert = next(p for p in demo["participants"] if p["role"] == "expert")
    console = await open_page(token_of(demo, "facilitator"), "/console")
    rows = console.locator("#people tbody tr")
    await expect(rows).to_have_count(len(demo["participants"]))
    form = console.locator("#add-person")
    await form.locator("#add-role").select_option("expert")
    await form.locator("#add-name").fill(f"  {expert['name'].upper()} ")
    await form.locator("#add-organisation").fill("Another lab (test)")
    await form.locator("button[type=submit]").click()
    dialog = console.locator("dialog.confirm")
    await expect(dialog).to_contain_text(f"The workshop already has {expert['name'].upper()}")
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(rows).to_have_count(len(demo["participants"]))  # nothing added
    await form.locator("button[type=submit]").click()
    await dialog.get_by_role("button", name="Add anyway").click()
    await expect(rows).to_have_count(len(demo["participants"]) + 1)
    link = (
        await console.locator("#people tbody tr", has_text="Another lab (test)")
        .locator("input.link")
        .input_value()
    )

    board = f"/boards/{board_of(demo)}"
    await open_page(expert["token"], board)
    await open_page(link.rsplit("/join/", 1)[1], board)
    mayor = await open_page(token_of(demo, "mayor"), board)
    names = mayor.locator("#presence .person .name")
    await expect(names.filter(has_text="(Another lab (test))")).to_have_count(1)
    await expect(names.filter(has_text=f"{expert['name']} (")).to_have_count(2)
