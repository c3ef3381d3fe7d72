"""The facilitator's console, the join-code pages and the socket's Origin check in real Chromium
against a real server. Every wait is on the DOM (expect), never a sleep."""

from __future__ import annotations

import functools
import json
import re
import threading
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.conftest import person_of, token_of
from tests.e2e.conftest import VIEWPORT, OpenPage
from tests.servers import Server

pytestmark = pytest.mark.browser

NewPage = Callable[[], Awaitable[Page]]


@pytest.fixture
async def new_page(browser: Browser) -> AsyncIterator[NewPage]:
    """await new_page(): a page in a fresh context that is signed in as nobody."""
    contexts = []

    async def make() -> Page:
        context = await browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        return await context.new_page()

    yield make
    for context in contexts:
        await context.close()


# Helpers: what the facilitator does in the console ----------------------------------------


async def open_console(open_page: OpenPage, demo: dict[str, Any]) -> Page:
    page = await open_page(token_of(demo, "facilitator"), "/console")
    await expect(page.locator("#workshop-title")).to_have_text(demo["workshop"]["title"])
    return page


def person_row(page: Page, name: str) -> Locator:
    return page.locator(
        "#people tbody tr",
        has=page.locator("th.name", has_text=re.compile(f"^{re.escape(name)}( \\(you\\))?$")),
    )


async def add_person(page: Page, name: str, role: str, **fields: str) -> Locator:
    form = page.locator("#add-person")
    await form.locator("#add-role").select_option(role)
    await form.locator("#add-name").fill(name)
    for field, value in fields.items():
        await form.locator(f"#add-{field}").fill(value)
    await form.locator("button[type=submit]").click()
    row = person_row(page, name)
    await expect(row).to_have_count(1)
    return row


async def confirm(page: Page) -> None:
    dialog = page.locator("dialog.confirm")
    await dialog.locator("button.danger, button.primary").click()
    await expect(dialog).to_have_count(0)


def api(server: Server, token: str, path: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


# Tests ------------------------------------------------------------------------------------


async def test_facilitator_sets_up_a_new_workshop_end_to_end(
    open_page: OpenPage, new_page: NewPage, demo: dict[str, Any], server: Server
) -> None:
    console = await open_console(open_page, demo)

    # A new workshop, then "Open it": this browser is now its facilitator.
    form = console.locator("#new-workshop")
    await form.locator("#new-title").fill("Spring cohort (test)")
    await form.locator("#new-venue").fill("City hall annex")
    await form.locator("#new-timezone").fill("America/Chicago")
    await form.locator("#new-day1").fill("2027-04-06")
    await form.locator("button[type=submit]").click()
    created = console.locator("#new-result")
    await expect(created).to_contain_text("“Spring cohort (test)” is ready.")
    assert "/join/" in await created.locator("input.link").input_value()
    await created.locator("button.open-new").click()
    # This browser is signed in to the first workshop: the invitation asks before switching.
    await console.get_by_role("button", name=re.compile("^Switch to")).click()
    await expect(console.locator("#workshop-title")).to_have_text("Spring cohort (test)")
    await expect(console).to_have_url(re.compile(r"/console$"))
    await expect(console.locator("#people tbody tr")).to_have_count(1)  # just me
    await expect(console.locator("#workshop-sub")).to_contain_text("City hall annex")

    # A mayor: the seed city fills in its demo initiative, which the facilitator rewrites.
    await console.locator("#add-role").select_option("mayor")
    await console.locator("#add-city").fill("Fontana, CA")
    await expect(console.locator("#add-initiative")).to_have_value(
        "Youth STEM pathway and a city data challenge"
    )
    mayor = await add_person(
        console,
        "Mayor of Fontana (test)",
        "mayor",
        city="Fontana, CA",
        organisation="City of Fontana",
        initiative="Youth STEM pathway (test)",
    )
    await expect(mayor).to_contain_text("Mayor")
    await expect(mayor.locator(".city")).to_have_text("Fontana, CA")
    await expect(console.locator("#boards tbody")).to_contain_text("Youth STEM pathway (test)")
    # A mayor without an initiative is refused before anything is sent.
    await console.locator("#add-role").select_option("mayor")
    await console.locator("#add-name").fill("Mayor without a plan")
    await console.locator("#add-city").fill("Nowhere, ZZ")
    await console.locator("#add-person button[type=submit]").click()
    await expect(console.locator("#add-problem")).to_contain_text("Initiative")
    await console.locator("#add-name").fill("")
    await console.locator("#add-city").fill("")

    expert = await add_person(console, "Expert in transit (test)", "expert", organisation="Lab")
    await expect(console.locator("#people tbody tr")).to_have_count(3)
    mayor_link = await mayor.locator("input.link").input_value()
    expert_link = await expert.locator("input.link").input_value()
    assert mayor_link.startswith(f"{server.url}/join/")
    assert expert_link.startswith(f"{server.url}/join/")

    # The mayor's link lands on their own board, titled by the initiative.
    mayor_page = await new_page()
    await mayor_page.goto(mayor_link)
    await expect(mayor_page).to_have_url(re.compile(r"/boards/b_[0-9a-f]+$"))
    await expect(mayor_page.locator("#board-title")).to_have_text("Youth STEM pathway (test)")
    await expect(mayor_page.locator("#connection")).to_have_text("Connected")

    # The expert's link lands on the boards list; they open the board.
    expert_page = await new_page()
    await expert_page.goto(expert_link)
    await expect(expert_page).to_have_url(re.compile(r"/boards$"))
    await expect(expert_page.locator(".board-item")).to_have_count(1)
    await expert_page.locator(".board-item a").click()
    await expect(expert_page.locator("#connection")).to_have_text("Connected")
    await expect(console.locator("#online")).to_contain_text("Expert in transit (test)")
    await expect(console.locator("#online")).to_contain_text("Fontana, CA")

    # Revoked: the expert's open board is signed out at once, and the link stops working.
    await expert.locator("button.revoke").click()
    await confirm(console)
    await expect(expert.locator(".status")).to_have_text("Revoked")
    await expect(expert.locator("input.link")).to_have_count(0)
    await expect(expert_page.locator("#connection")).to_have_text(re.compile("^Disconnected"))
    await expect(expert_page.locator("#connection")).to_contain_text("revoked")
    await expect(mayor_page.locator("#connection")).to_have_text("Connected")
    response = await expert_page.goto(expert_link)
    assert response is not None and response.status == 404
    await expect(console.locator("#online")).not_to_contain_text("Expert in transit (test)")
    assert console.js_errors == []  # type: ignore[attr-defined]


async def test_join_with_the_rooms_code(
    open_page: OpenPage, new_page: NewPage, demo: dict[str, Any], server: Server
) -> None:
    console = await open_console(open_page, demo)
    code_box = console.locator("#join-code")
    await expect(code_box).to_have_text(re.compile(r"^[A-Z2-9]{8}$"))
    await expect(console.locator("#join-url")).to_have_text(f"{server.url}/join")
    code = (await code_box.text_content() or "").strip()

    # The projector's join screen shows the same address and code.
    room = await open_page(token_of(demo, "observer"), "/room")
    await expect(room.locator("#room-title")).to_have_text(demo["workshop"]["title"])
    await expect(room.locator("#room-url")).to_have_text(f"{server.url}/join")
    await expect(room.locator("#room-code")).to_have_text(code)

    async def ask(name: str) -> Page:
        page = await new_page()
        await page.goto(f"{server.url}/join")
        await expect(page.locator("#code-heading")).to_have_text("Join the workshop board")
        await page.locator("#code").fill(f"{code[:4].lower()} {code[4:]}")  # typed loosely
        await page.locator("#code-form button[type=submit]").click()
        await expect(page.locator("#name-workshop")).to_have_text(demo["workshop"]["title"])
        await page.locator("#name-filter").fill(name.split(" (")[0])
        await page.locator("#names button", has_text=name).click()
        await expect(page.locator("#wait-heading")).to_have_text(
            "Ask the facilitator to approve you"
        )
        await expect(page.locator("#wait-who")).to_contain_text(name)
        return page

    # One request denied: that page says so.
    expert = person_of(demo, "expert", 1)
    denied = await ask(expert["name"])
    request = console.locator("#join-requests li.request", has_text=expert["name"])
    await request.locator("button.deny").click()
    await expect(denied.locator("#denied-heading")).to_be_visible()
    await expect(request).to_have_count(0)

    # One approved: that page lands on the mayor's own board.
    mayor = person_of(demo, "mayor", 2)
    own = next(b for b in demo["boards"] if b["mayor"] == mayor["id"])
    waiting = await ask(mayor["name"])
    request = console.locator("#join-requests li.request", has_text=mayor["name"])
    await request.locator("button.approve").click()
    await expect(waiting).to_have_url(re.compile(f"/boards/{own['id']}$"))
    await expect(waiting.locator("#board-title")).to_have_text(own["initiative"])
    await expect(waiting.locator("#connection")).to_have_text("Connected")
    await expect(console.locator("#join-requests")).to_contain_text("No one is waiting")

    # A new code: the projector follows by itself, the old code no longer finds the workshop.
    await console.locator("#new-code").click()
    await confirm(console)
    await expect(code_box).not_to_have_text(code)
    fresh = (await code_box.text_content() or "").strip()
    await expect(room.locator("#room-code")).to_have_text(fresh, timeout=25_000)
    late = await new_page()
    await late.goto(f"{server.url}/join")
    await late.locator("#code").fill(code)
    await late.locator("#code-form button[type=submit]").click()
    await expect(late.locator("#code-problem")).to_have_text(
        "No workshop has that code; check the projector."
    )
    assert console.js_errors == []  # type: ignore[attr-defined]
    assert room.js_errors == []  # type: ignore[attr-defined]


EVIL_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Another site</title></head>
<body><p id="log"></p><script src="evil.js"></script></body></html>
"""

EVIL_JS = """
const target = new URLSearchParams(location.search).get("ws");
const seen = [];
const note = (what) => {
  seen.push(what);
  document.getElementById("log").textContent = seen.join(" ");
};
const ws = new WebSocket(target);
ws.onopen = () => {
  note("open");
  ws.send(JSON.stringify({ type: "hello", client: "evil", since: null }));
};
ws.onmessage = (e) => note("message:" + JSON.parse(e.data).type);
ws.onerror = () => note("error");
ws.onclose = (e) => note("close:" + e.code);
"""

OWN_SOCKET_JS = """async (path) => new Promise((resolve) => {
  const ws = new WebSocket(`ws://${location.host}${path}`);
  ws.onopen = () => ws.send(JSON.stringify({ type: "hello", client: "own", since: null }));
  ws.onmessage = (e) => { resolve(JSON.parse(e.data).type); ws.close(); };
  ws.onclose = (e) => resolve("close:" + e.code);
})"""


@contextmanager
def other_site(root: Path) -> Iterator[str]:
    """A tiny web server for `root` on another port of 127.0.0.1: another origin, same site."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


async def test_cross_site_websocket_hijacking_is_refused(
    open_page: OpenPage, demo: dict[str, Any], server: Server, tmp_path: Path
) -> None:
    board = demo["boards"][0]["id"]
    page = await open_page(token_of(demo, "expert"), "/boards")
    cookies = await page.context.cookies(server.url)
    assert any(c["name"] == "bb_session" for c in cookies)  # signed in on 127.0.0.1
    site = tmp_path / "site"
    site.mkdir()
    (site / "evil.html").write_text(EVIL_HTML)
    (site / "evil.js").write_text(EVIL_JS)

    target = f"{server.ws_url}/ws/boards/{board}"
    log = page.locator("#log")
    with other_site(site) as origin:
        assert origin != server.url  # another port: another origin, but the same site
        await page.goto(f"{origin}/evil.html?ws={target}")
        await expect(log).to_contain_text("close:")
        seen = (await log.text_content() or "").split()
        assert "open" not in seen
        assert not any(s.startswith("message:") for s in seen)
        assert "error" in seen and "close:1006" in seen  # refused at the handshake

        # The control: the same page, once its origin is on the server's allow-list, is
        # welcomed. Its hello carries no token, so the browser did send the session cookie:
        # the Origin check alone stood in the way above.
        server.stop()
        lenient = Server(
            db=server.db, port=server.port, extra=("--rate-limit", "0", "--allow-origin", origin)
        ).start()
        try:
            await page.goto(f"{origin}/evil.html?ws={target}")
            await expect(log).to_contain_text("message:welcome")
            await page.goto("about:blank")  # the socket closes: a quick shutdown
        finally:
            lenient.stop()
            server.start()

    # The same socket from our own page is welcomed with the same cookie.
    await page.goto(f"{server.url}/boards")
    assert await page.evaluate(OWN_SOCKET_JS, f"/ws/boards/{board}") == "welcome"


async def test_workshop_days_people_and_downloads_in_the_console(
    open_page: OpenPage, demo: dict[str, Any], server: Server
) -> None:
    console = await open_console(open_page, demo)
    token = token_of(demo, "facilitator")
    workshop = demo["workshop"]["id"]

    # An agenda item with a board, a section and minutes; the server's refusals are shown
    # at the field they name.
    day1 = console.locator('fieldset.day[data-day="1"]')
    before = await day1.locator("li.agenda-item").count()
    await day1.locator("button.add-item").click()
    item = day1.locator("li.agenda-item").last
    await item.locator(".item-title").fill("Austin case")
    await item.locator(".item-board").select_option(label="Austin, TX")
    await item.locator(".item-section").select_option("technology_solution")
    await item.locator(".item-minutes").fill("0")
    save = console.locator("#workshop-form button[type=submit]")
    problem = console.locator("#workshop-problem")
    await save.click()
    await expect(problem).to_contain_text(f"Day 1, agenda item {before + 1}, minutes")
    await expect(item.locator(".item-minutes")).to_have_class(re.compile("invalid"))
    await item.locator(".item-minutes").fill("45")
    await console.locator("#ws-timezone").fill("Mars/Olympus")
    await save.click()
    await expect(problem).to_contain_text("Time zone: Value error, 'Mars/Olympus' is not a time")
    await console.locator("#ws-timezone").fill("America/Chicago")
    # A new date for Day 3: the session-days panel shows it as soon as the save is answered.
    await console.locator("#day3-date").fill("2031-05-15")
    await save.click()
    await expect(console.locator(".toast", has_text="The workshop is saved.")).to_have_count(1)
    await expect(problem).to_be_hidden()
    await expect(console.locator('#day-closes li[data-day="3"]')).to_contain_text("2031")
    saved = api(server, token, f"/api/workshops/{workshop}")["workshop"]
    assert saved["timezone"] == "America/Chicago"
    austin = next(b for b in demo["boards"] if b["city"] == "Austin, TX")
    assert saved["days"][0]["agenda"][-1] == {
        "title": "Austin case",
        "board": austin["id"],
        "section": "technology_solution",
        "minutes": 45,
    }

    # Edit and re-issue a person.
    name = person_of(demo, "mayor")["name"]
    row = person_row(console, name)
    await row.locator("button.edit").click()
    dialog = console.locator("dialog.edit-dialog")
    await dialog.locator("#dialog-organisation").fill("Office of the Mayor (test)")
    await dialog.locator("button[type=submit]").click()
    await expect(dialog).to_have_count(0)
    await expect(row.locator(".org")).to_have_text("Office of the Mayor (test)")
    # Copy: the clipboard where the browser allows it, else the link is selected for Ctrl+C.
    await row.locator("button.copy").click()
    await expect(
        row.locator("button.copy", has_text="Copied ✓").or_(
            console.locator(".toast", has_text="The link is selected")
        )
    ).to_be_visible()
    old_link = await row.locator("input.link").input_value()
    await row.locator("button.reissue").click()
    await confirm(console)
    await expect(row.locator("input.link")).not_to_have_value(old_link)

    # Close Day 1, take a snapshot of every board, and the downloads.
    day_row = console.locator('#day-closes li[data-day="1"]')
    await day_row.locator("button.close-day").click()
    await confirm(console)
    await expect(day_row).to_contain_text("closed")
    await expect(day_row.locator("button")).to_have_count(0)
    await console.locator("#snapshot-label").fill("Before lunch (test)")
    await console.locator("#snapshot-form button[type=submit]").click()
    await expect(console.locator(".toast").last).to_have_text(
        f"Snapshot “Before lunch (test)” kept for {len(demo['boards'])} boards."
    )
    closes = api(server, token, f"/api/workshops/{workshop}/days")["days"]
    assert closes[0]["closed"] is not None and closes[1]["closed"] is None

    href = await console.locator("#zip-link").get_attribute("href")
    assert href == f"/api/workshops/{workshop}/export.zip"
    download = await console.request.get(f"{server.url}{href}")
    assert download.ok and download.headers["content-type"] == "application/zip"
    preread = await console.locator("#preread-link").get_attribute("href")
    assert preread == f"/api/workshops/{workshop}/pre-read.html"
    for path in ("/run", "/present", "/cross", "/preread", "/room"):
        await expect(console.locator(f'a[href="{path}"]')).to_have_count(1)
    errors = console.js_errors  # type: ignore[attr-defined]
    assert [e for e in errors if "status of 400" not in e] == []  # the two refused saves only
