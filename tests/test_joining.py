"""Joining with the room's code: pick your name, the facilitator approves, you are in."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.request
from typing import Any

from tests.conftest import person_of, token_of
from tests.http_client import call


class Browser:
    """A cookie-keeping HTTP client, like one laptop in the room."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
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
    assert status == 201
    assert laptop.request("GET", "/api/join-requests/mine") == (200, {"status": "pending"})
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
