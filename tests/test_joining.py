"""Joining with the room's code: pick your name, the facilitator approves, you are in."""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import urllib.error
import urllib.request
from typing import Any

from tests.conftest import person_of, token_of
from tests.http_client import call


class Browser:
    """A cookie-keeping HTTP client, like one laptop in the room."""

    def __init__(self, base: str, agent: str = "Python-urllib") -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.agent = agent

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("User-Agent", self.agent)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with self.opener.open(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())


async def test_a_person_without_their_link_joins_with_the_code_once_approved(server, demo):
    fac = token_of(demo, "facilitator")
    workshop = demo["workshop"]["id"]
    _, code = call(
        "GET", f"{server.url}/api/workshops/{workshop}/join-code", token=token_of(demo, "observer")
    )
    assert len(code["code"]) == 8 and code["url"].endswith("/join")
    laptop = Browser(server.url)
    assert laptop.request("GET", "/api/join/WRONGCODE")[0] == 404
    status, listing = laptop.request("GET", f"/api/join/{code['code'].lower()}")
    expert = person_of(demo, "expert")
    assert status == 200 and any(p["id"] == expert["id"] for p in listing["people"])
    assert "token" not in json.dumps(listing)
    status, asked = laptop.request(
        "POST", f"/api/join/{code['code']}", {"participant": expert["id"]}
    )
    assert status == 201 and len(asked["code"]) == 4
    assert laptop.request("GET", "/api/join-requests/mine") == (
        200,
        {"status": "pending", "code": asked["code"], "name": expert["name"]},
    )
    assert laptop.request("GET", "/api/me")[0] == 401
    # another laptop cannot collect the approval, nor can a non-facilitator approve
    assert Browser(server.url).request("GET", "/api/join-requests/mine")[0] == 404
    status, _ = call(
        "POST",
        f"{server.url}/api/join-requests/{asked['request']}/approve",
        {},
        token=token_of(demo, "expert", 1),
    )
    assert status == 403
    _, console = call("GET", f"{server.url}/api/workshops/{workshop}", token=fac)
    assert [r["name"] for r in console["join_requests"]] == [expert["name"]]
    status, _ = call(
        "POST", f"{server.url}/api/join-requests/{asked['request']}/approve", {}, token=fac
    )
    assert status == 200
    status, done = laptop.request("GET", "/api/join-requests/mine")
    assert done == {"status": "approved", "redirect": "/boards"}
    status, me = laptop.request("GET", "/api/me")
    assert status == 200 and me["me"]["id"] == expert["id"]
    assert laptop.request("GET", "/api/join-requests/mine")[0] == 404  # used once


async def test_a_denied_request_lets_nobody_in_and_a_new_code_retires_the_old(server, demo):
    fac = token_of(demo, "facilitator")
    workshop = demo["workshop"]["id"]
    _, code = call("GET", f"{server.url}/api/workshops/{workshop}/join-code", token=fac)
    laptop = Browser(server.url)
    _, asked = laptop.request(
        "POST", f"/api/join/{code['code']}", {"participant": person_of(demo, "mayor")["id"]}
    )
    call("POST", f"{server.url}/api/join-requests/{asked['request']}/deny", {}, token=fac)
    assert laptop.request("GET", "/api/join-requests/mine") == (200, {"status": "denied"})
    assert laptop.request("GET", "/api/me")[0] == 401
    status, fresh = call("POST", f"{server.url}/api/workshops/{workshop}/join-code", {}, token=fac)
    assert status == 200 and fresh["code"] != code["code"]
    assert laptop.request("GET", f"/api/join/{code['code']}")[0] == 404


FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)
CHROME_ON_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)


async def test_the_room_code_alone_cannot_take_a_seat(server, demo):
    """Issue 12, item 3: two laptops ask to be the same expert; neither request displaces the
    other; the console shows when, from which device and the code each screen shows; the
    facilitator approves the one whose code the real person reads out."""
    fac = token_of(demo, "facilitator")
    workshop = demo["workshop"]["id"]
    expert = person_of(demo, "expert")
    _, code = call("GET", f"{server.url}/api/workshops/{workshop}/join-code", token=fac)
    real, impostor = Browser(server.url, FIREFOX_ON_WINDOWS), Browser(server.url, CHROME_ON_LINUX)
    asks = {}
    for laptop in (impostor, real):  # the impostor asks first
        status, asks[laptop] = laptop.request(
            "POST", f"/api/join/{code['code']}", {"participant": expert["id"]}
        )
        assert status == 201
    assert asks[real]["code"] != asks[impostor]["code"]
    for laptop in (impostor, real):  # nobody was displaced: both still wait, each its code
        assert laptop.request("GET", "/api/join-requests/mine")[1]["code"] == asks[laptop]["code"]
    _, console = call("GET", f"{server.url}/api/workshops/{workshop}", token=fac)
    listed = {r["code"]: r for r in console["join_requests"]}
    assert set(listed) == {asks[real]["code"], asks[impostor]["code"]}
    assert listed[asks[real]["code"]]["device"] == "Firefox on Windows"
    assert listed[asks[impostor]["code"]]["device"] == "Chrome on Linux"
    assert all(r["address"] == "127.0.0.1" and r["created_at"] for r in listed.values())
    assert all(r["name"] == expert["name"] for r in listed.values())
    # one pending request per device: the impostor's laptop cannot pile up more
    status, again = impostor.request(
        "POST", f"/api/join/{code['code']}", {"participant": person_of(demo, "mayor")["id"]}
    )
    assert status == 409 and asks[impostor]["code"] in again["error"]["message"]
    # the real person reads their code aloud; the facilitator approves that one only
    real_id = listed[asks[real]["code"]]["id"]
    status, _ = call("POST", f"{server.url}/api/join-requests/{real_id}/approve", {}, token=fac)
    assert status == 200
    assert real.request("GET", "/api/join-requests/mine")[1]["status"] == "approved"
    assert real.request("GET", "/api/me")[1]["me"]["id"] == expert["id"]
    assert impostor.request("GET", "/api/join-requests/mine")[1]["status"] == "pending"
    assert impostor.request("GET", "/api/me")[0] == 401
    # a laptop can take its request back, and then ask again
    assert impostor.request("DELETE", "/api/join-requests/mine")[0] == 200
    _, console = call("GET", f"{server.url}/api/workshops/{workshop}", token=fac)
    assert console["join_requests"] == []
    status, _ = impostor.request("POST", f"/api/join/{code['code']}", {"participant": expert["id"]})
    assert status == 201


def _from(server, address: str, method: str, path: str, body: Any = None) -> int:
    """A request from another address on the network (the loopback has all of 127/8)."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", server.port, timeout=10, source_address=(address, 0)
    )
    try:
        data = None if body is None else json.dumps(body)
        conn.request(method, path, data, {"Content-Type": "application/json"})
        return conn.getresponse().status
    finally:
        conn.close()


async def test_room_code_lookups_and_requests_are_limited_per_address(server, demo):
    fac = token_of(demo, "facilitator")
    workshop = demo["workshop"]["id"]
    _, code = call("GET", f"{server.url}/api/workshops/{workshop}/join-code", token=fac)
    guesses = [_from(server, "127.0.0.3", "GET", f"/api/join/GUESS{n:03d}") for n in range(15)]
    assert guesses[0] == 404 and guesses[-1] == 429  # a burst of 10, then a few a minute
    assert guesses.count(404) <= 11
    body = {"participant": person_of(demo, "expert")["id"]}
    asks = [_from(server, "127.0.0.4", "POST", f"/api/join/{code['code']}", body) for _ in range(8)]
    assert asks[0] == 201 and asks[-1] == 429 and asks.count(201) <= 6
    # the room's own laptops, on other addresses, are not slowed down by it
    assert _from(server, "127.0.0.5", "GET", f"/api/join/{code['code']}") == 200
