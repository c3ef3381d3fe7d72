"""Small holes, each closed and held shut by a test (issue 12, item 8)."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import board_of, person_of, token_of
from tests.http_client import call
from tests.servers import Server, demo_roster, sqlite_url
from tests.wsclient import Client, add_card


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: none of these depends on the database (test_storage_errors.py does)."""
    return sqlite_url(tmp_path / "brickboard.db")


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, Any]]]:
    """One server with the demo for the tests here that change nothing others look at."""
    db = sqlite_url(tmp_path_factory.mktemp("holes") / "brickboard.db")
    demo = demo_roster(db)
    srv = Server(db=db, extra=("--rate-limit", "0")).start()
    yield srv, demo
    srv.stop()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """Cookies, no redirects followed: one laptop, so each answer can be looked at."""

    def __init__(self, base: str, origin: str | None = None) -> None:
        self.base, self.origin = base, origin or base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(
        self, method: str, path: str, *, origin: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(
            self.base + path, method=method, data=b"" if method == "POST" else None
        )
        if method == "POST":
            req.add_header("Origin", origin or self.origin)
        try:
            with self.opener.open(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)

    def me(self) -> str:
        return json.loads(self.request("GET", "/api/me")[2])["me"]["id"]


@pytest.fixture
def debug_server(db_url: str, demo) -> Iterator[Server]:
    srv = Server(db=db_url, extra=("--log-level", "debug")).start()
    yield srv
    srv.stop()


async def test_debug_logs_hold_no_token_code_or_session(debug_server, demo) -> None:
    server = debug_server
    expert = person_of(demo, "expert")
    laptop = Browser(server.url)
    assert laptop.request("GET", f"/join/{expert['token']}")[0] == 303
    session = laptop.cookie("bb_session")
    browser = await Client.open(
        server.ws_url, board_of(demo), None, origin=server.url, cookie=f"bb_session={session}"
    )
    program = await Client.open(server.ws_url, board_of(demo), token_of(demo, "mayor"))
    await program.op(add_card("logged"))
    fac = token_of(demo, "facilitator")
    code = call("GET", f"{server.url}/api/workshops/{demo['workshop']['id']}/join-code", token=fac)[
        1
    ]["code"]
    asker = urllib.request.Request(
        f"{server.url}/api/join/{code}",
        data=json.dumps({"participant": person_of(demo, "expert", 1)["id"]}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(asker, timeout=10) as r:
        join_cookie = r.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    for client in (browser, program):
        await client.close()
    server.stop()
    log = server.log.read_text()
    assert "DEBUG" in log  # it was a debug log indeed
    secrets = [p["token"] for p in demo["participants"]] + [session, code, join_cookie]
    for secret in secrets:
        assert secret not in log
    for piece in (join_cookie.split(".")[1][-16:], session[-16:]):
        assert piece not in log  # not even the tail a truncated frame dump would show


async def test_a_lone_surrogate_gets_an_error_and_the_socket_keeps_working(room) -> None:
    server, demo = room
    board = board_of(demo)
    sender = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    bystander = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    for frame in (
        '{"type":"op","id":"x\\ud800","op":{"kind":"card.delete","card":"c"}}',
        '{"type":"op","id":"ok-id","op":' + json.dumps(add_card("s", "text \\udc00")) + "}",
    ):
        await sender.send(frame.replace("\\\\u", "\\u"))
        error = await sender.next("error")
        assert error["code"] == "bad_request" and "surrogate" in error["message"]
    paired = await sender.op(add_card("smile", "A smile \U0001f600"))  # a pair is fine
    assert paired["type"] == "op"
    await bystander.events_until_seq(paired["seq"])
    _, state = call("GET", f"{server.url}/api/boards/{board}", token=token_of(demo, "expert"))
    assert "s" not in state["cards"] and state["cards"]["smile"]["text"] == "A smile \U0001f600"
    await sender.close()
    await bystander.close()


async def test_impossible_dates_are_refused_and_a_real_one_reaches_the_calendar(room) -> None:
    server, demo = room
    board = board_of(demo)
    mayor = next(p for p in demo["participants"] if p["id"] == demo["boards"][0]["mayor"])
    client = await Client.open(server.ws_url, board, mayor["token"])
    action = {"section": "action_plan", "type": "action", "horizon": "d30"}
    for bad in ("2027-02-30", "2027-13-01", "2027-02-28\n", "٢٠٢٧-٠٢-٢٨"):
        refused = await client.op(add_card("a-bad", "Do it", due=bad, **action))
        assert refused["code"] == "bad_request", bad
    assert (await client.op(add_card("a-leap", "Do it", due="2028-02-29", **action)))["seq"]
    request = urllib.request.Request(
        f"{server.url}/api/boards/{board}/export/actions.ics",
        headers={"Authorization": f"Bearer {mayor['token']}"},
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        ics = r.read().decode()
    assert "DTSTART;VALUE=DATE:20280229" in ics and "20270230" not in ics
    await client.close()


@pytest.fixture
def proxied_server(db_url: str, demo) -> Iterator[Server]:
    srv = Server(
        db=db_url,
        extra=(
            "--public-url",
            "https://board.example.org:443",
            "--allow-origin",
            "http://proxy.example:80",
        ),
    ).start()
    yield srv
    srv.stop()


async def test_behind_a_proxy_on_default_ports_browsers_are_let_in(proxied_server, demo) -> None:
    server = proxied_server
    board = board_of(demo)
    expert = token_of(demo, "expert")
    for origin in ("https://board.example.org", "http://proxy.example"):
        client = await Client.open(server.ws_url, board, expert, origin=origin)
        assert client.welcome["board"] == board
        await client.close()
        status, _ = call(
            "POST",
            f"{server.url}/api/boards/{board}/snapshots",
            {"label": "from behind the proxy"},
            token=token_of(demo, "facilitator"),
            origin=origin,
        )
        assert status == 201, origin
    status, body = call(
        "POST",
        f"{server.url}/api/boards/{board}/snapshots",
        {"label": "another port is another site"},
        token=token_of(demo, "facilitator"),
        origin="https://board.example.org:8443",
    )
    assert status == 403 and body["error"]["code"] == "forbidden"


def test_invite_links_and_the_api_are_never_cached(room) -> None:
    server, demo = room
    laptop = Browser(server.url)
    status, headers, _ = laptop.request("GET", f"/join/{token_of(demo, 'expert')}")
    assert status == 303 and headers["cache-control"] == "no-store"
    status, headers, _ = laptop.request("GET", "/api/me")
    assert status == 200 and headers["cache-control"] == "no-store"
    status, headers, _ = laptop.request("GET", f"/api/boards/{board_of(demo)}")
    assert status == 200 and headers["cache-control"] == "no-store"


def test_another_site_cannot_switch_who_a_browser_is_signed_in_as(room) -> None:
    server, demo = room
    expert, mayor = person_of(demo, "expert"), person_of(demo, "mayor")
    laptop = Browser(server.url)
    assert laptop.request("GET", f"/join/{expert['token']}")[0] == 303
    # a link to someone else's invitation (say, from another site) asks first
    status, headers, page = laptop.request("GET", f"/join/{mayor['token']}")
    assert status == 200 and headers["content-type"].startswith("text/html")
    text = page.decode()
    assert "Switch who is signed in?" in text and expert["name"] in text and mayor["name"] in text
    assert laptop.me() == expert["id"]
    # the switch is a POST from this server's own page; another site's form is refused
    for origin in ("https://evil.example", "null"):  # "null" without Sec-Fetch-Site either
        assert laptop.request("POST", f"/join/{mayor['token']}", origin=origin)[0] == 403
    assert laptop.me() == expert["id"]
    status, headers, _ = laptop.request("POST", f"/join/{mayor['token']}")
    assert status == 303 and laptop.me() == mayor["id"]
    # one's own link again, or a browser nobody is signed in on: straight in, as before
    assert laptop.request("GET", f"/join/{mayor['token']}")[0] == 303
    assert Browser(server.url).request("GET", f"/join/{expert['token']}")[0] == 303


async def test_a_stage_op_checks_the_role_before_the_state(room) -> None:
    server, demo = room
    _, me = call("GET", f"{server.url}/api/me", token=token_of(demo, "expert"))
    expert = await Client.open(server.ws_url, me["stage"], token_of(demo, "expert"))
    for op in ({"kind": "timer.pause"}, {"kind": "timer.start"}):  # the timer is idle
        refused = await expert.op(op)
        assert refused["code"] == "forbidden", op
    await expert.close()
