"""The wire protocol against a real server process, with real websocket clients."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from board.protocol import SERVER_FRAME
from tests.conftest import board_of, token_of
from tests.servers import Server, run_cli
from tests.wsclient import Client, add_card


def http_get(url: str, token: str | None = None) -> tuple[int, Any, dict[str, str]]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read()), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), dict(e.headers)


async def test_welcome_then_every_client_sees_every_op_in_one_gap_free_order(server, demo):
    board = board_of(demo)
    clients = [
        await Client.open(server.ws_url, board, token_of(demo, "expert", n)) for n in range(3)
    ]
    welcome = clients[0].welcome
    SERVER_FRAME.validate_python(welcome)
    assert welcome["me"]["role"] == "expert"
    assert welcome["state"]["id"] == board and len(welcome["state"]["sections"]) == 13
    start = welcome["seq"]

    async def burst(c: Client, n: int) -> None:
        for i in range(n):
            await c.send(
                {
                    "type": "op",
                    "id": f"{c.name}-{i}",
                    "op": add_card(f"{c.name}-card-{i}", f"idea {i}"),
                }
            )

    await asyncio.gather(*(burst(c, 10) for c in clients))
    seen = await asyncio.gather(*(c.events_until_seq(start + 30) for c in clients))
    orders = [[(e["seq"], e["id"]) for e in events] for events in seen]
    assert orders[0] == orders[1] == orders[2]
    assert [s for s, _ in orders[0]] == list(range(start + 1, start + 31))
    for events in seen:
        for e in events:
            SERVER_FRAME.validate_python(e)
    for c in clients:
        await c.close()


async def test_errors_carry_a_code_and_a_sentence_and_others_keep_working(server, demo):
    board = board_of(demo)
    bad = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    good = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    observer = await Client.open(server.ws_url, board, token_of(demo, "observer"))

    async def error_for(c: Client, frame: Any) -> dict[str, Any]:
        await c.send(frame)
        error = await c.next("error")
        SERVER_FRAME.validate_python(error)
        assert error["message"].endswith("."), error
        return error

    assert (await error_for(bad, "not json"))["code"] == "bad_request"
    assert (await error_for(bad, "[" * 5000 + "]" * 5000))["code"] == "bad_request"
    assert (await error_for(bad, {"type": "shout"}))["code"] == "bad_request"
    unknown = await error_for(bad, {"type": "op", "id": "x1", "op": {"kind": "card.zap"}})
    assert unknown["code"] == "bad_request" and unknown["id"] == "x1"
    await bad.ws.send(b"\x00binary")
    assert (await bad.next("error"))["code"] == "bad_request"
    missing = await bad.op({"kind": "card.delete", "card": "nope"})
    assert missing["code"] == "not_found"
    first = await bad.op(add_card("dup"))
    assert first["type"] == "op"
    again = await bad.op(add_card("dup"))
    assert again["code"] == "conflict"
    refused = await observer.op(add_card("from-projector"))
    assert refused["code"] == "forbidden"
    # the good client was never disturbed and sees only the one applied op
    ok = await good.op(add_card("still-fine"))
    assert ok["type"] == "op" and ok["seq"] == first["seq"] + 1
    state = (await Client.open(server.ws_url, board, token_of(demo, "expert", 2))).welcome["state"]
    assert "from-projector" not in state["cards"] and "dup" in state["cards"]
    for c in (bad, good, observer):
        await c.close()


async def test_resend_is_idempotent_and_a_reused_id_with_another_body_conflicts(server, demo):
    board = board_of(demo)
    c = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    op = add_card("once", "applied once")
    first = await c.op(op, op_id="op-once")
    again = await c.op(op, op_id="op-once")
    assert again == first  # the original event, seq and time included
    other = await c.op(add_card("twice", "different body"), op_id="op-once")
    assert other["type"] == "error" and other["code"] == "conflict" and other["id"] == "op-once"
    fresh = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    assert fresh.welcome["seq"] == first["seq"]
    assert "twice" not in fresh.welcome["state"]["cards"]
    await c.close()
    await fresh.close()


async def test_resume_with_since_gets_exactly_the_missed_ops(server, demo):
    board = board_of(demo)
    writer = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    reader = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    seen = reader.welcome["seq"]
    await reader.close()
    events = [await writer.op(add_card(f"missed-{i}")) for i in range(4)]
    back = await Client.open(server.ws_url, board, token_of(demo, "expert", 1), since=seen)
    assert "state" not in back.welcome
    assert back.welcome["ops"] == events
    up_to_date = await Client.open(
        server.ws_url, board, token_of(demo, "expert", 1), since=events[-1]["seq"]
    )
    assert up_to_date.welcome["ops"] == []
    from_zero = await Client.open(server.ws_url, board, token_of(demo, "expert", 1), since=0)
    assert [e["seq"] for e in from_zero.welcome["ops"]] == list(range(1, events[-1]["seq"] + 1))
    for c in (writer, back, up_to_date, from_zero):
        await c.close()


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
async def test_a_restart_loses_no_acknowledged_op(server: Server, demo, how: str):
    board = board_of(demo)
    c = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    acked = [await c.op(add_card(f"durable-{i}", f"edit {i}")) for i in range(20)]
    server.kill() if how == "sigkill" else server.stop()
    with pytest.raises(ConnectionClosed):
        while True:  # a presence frame may still be on its way
            await c.recv(timeout=10)
    server.start()
    back = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    state = back.welcome["state"]
    assert state["seq"] == acked[-1]["seq"]
    assert all(f"durable-{i}" in state["cards"] for i in range(20))
    nxt = await back.op(add_card("after-restart"))
    assert nxt["seq"] == acked[-1]["seq"] + 1
    await back.close()


async def test_the_handshake_checks_origin_token_and_workshop(server, demo, tmp_path):
    board = board_of(demo)
    with pytest.raises(InvalidStatus) as refused:
        await Client.open(server.ws_url, board, None, origin="http://evil.example", hello=False)
    assert refused.value.response.status_code == 403

    async def closed_with(token: str | None, board_id: str = board) -> tuple[int, str]:
        c = await Client.open(server.ws_url, board_id, token, hello=False)
        frame: dict[str, Any] = {"type": "hello", "client": "t", "since": None}
        if token is not None:
            frame["token"] = token
        await c.send(frame)
        error = await c.recv()
        with pytest.raises(ConnectionClosed):
            await c.recv()
        return c.ws.close_code, error["code"]

    assert await closed_with(None) == (4401, "unauthorized")
    assert await closed_with("not-a-real-token") == (4401, "unauthorized")
    assert await closed_with(token_of(demo, "expert"), "b_nonexistent") == (4404, "not_found")

    csv = tmp_path / "other.csv"
    csv.write_text(
        "name,role,city,organisation,initiative\n"
        "F,facilitator,,Org,\nM,mayor,Mesa AZ,City,Leak detection\n"
    )
    other = json.loads(
        run_cli("workshop", "create", "--from", str(csv), "--json", "--db", server.db).stdout
    )
    other_board = other["boards"][0]["id"]
    assert await closed_with(token_of(demo, "facilitator"), other_board) == (4403, "forbidden")
    status, body, _ = http_get(f"{server.url}/api/boards/{other_board}", token_of(demo, "mayor"))
    assert status == 403 and body["error"]["code"] == "forbidden"


async def test_frames_over_64_kib_close_the_socket_with_1009(server, demo):
    c = await Client.open(server.ws_url, board_of(demo), token_of(demo, "expert"))
    await c.send({"type": "presence", "focus": None, "pad": "x" * (65 * 1024)})
    with pytest.raises(ConnectionClosed):
        while True:
            await c.recv()
    assert c.ws.close_code == 1009


async def test_http_api_join_health_and_board_state(server, demo):
    status, body, _ = http_get(f"{server.url}/healthz")
    assert status == 200 and body["ok"] is True
    board = board_of(demo)
    status, body, _ = http_get(f"{server.url}/api/boards/{board}")
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, state, headers = http_get(f"{server.url}/api/boards/{board}", token_of(demo, "mayor"))
    assert (
        status == 200
        and state["id"] == board
        and "script-src 'self'" in headers["content-security-policy"]
    )
    ws_state = (await Client.open(server.ws_url, board, token_of(demo, "mayor"))).welcome["state"]
    assert state == ws_state

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    mayor = next(p for p in demo["participants"] if p["role"] == "mayor")
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(f"{server.url}/join/{mayor['token']}")
    assert redirect.value.code == 303
    own = next(b for b in demo["boards"] if b["mayor"] == mayor["id"])
    assert redirect.value.headers["location"] == f"/boards/{own['id']}"
    cookie = redirect.value.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    # Each role lands on its own page: the observer's laptop is the projector.
    landing = {"facilitator": "/console", "expert": "/boards", "observer": "/present"}
    for person in demo["participants"]:
        if person["role"] in landing:
            with pytest.raises(urllib.error.HTTPError) as redirect:
                opener.open(f"{server.url}/join/{person['token']}")
            assert redirect.value.headers["location"] == landing[person["role"]], person["role"]
    status, body, _ = http_get(f"{server.url}/join/not-a-token")
    assert status == 404 and "invite" in body["error"]["message"]
    log = server.log.read_text()
    assert all(p["token"] not in log for p in demo["participants"]), "a token reached the log"
