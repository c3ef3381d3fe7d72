"""The workshop's front door: roles on every message and request, invitations, hostile input."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import board_of, person_of, token_of
from tests.http_client import call
from tests.servers import Server, run_cli
from tests.wsclient import Client, add_card


def _second_workshop(server: Server, tmp_path) -> dict[str, Any]:
    csv = tmp_path / "b.csv"
    csv.write_text(
        "name,role,city,organisation,initiative\nF2,facilitator,,Org,\n"
        'M2,mayor,"Mesa, AZ",City,Leak detection\nE2,expert,,Lab,\n'
    )
    out = run_cli("workshop", "create", "--from", str(csv), "--json", "--db", server.db).stdout
    return json.loads(out)


async def test_every_role_against_every_action(server: Server, demo, tmp_path) -> None:
    """The README's role table, walked over real sockets and HTTP."""
    own = demo["boards"][0]
    other = demo["boards"][1]
    mayor = next(p for p in demo["participants"] if p["id"] == own["mayor"])
    tokens = {
        "facilitator": token_of(demo, "facilitator"),
        "mayor": mayor["token"],
        "expert": token_of(demo, "expert"),
        "observer": token_of(demo, "observer"),
    }
    ids = {
        role: next(p["id"] for p in demo["participants"] if p["token"] == t)
        for role, t in tokens.items()
    }
    # A card by someone else (a second expert) on each board, to act on.
    helper = token_of(demo, "expert", 1)
    n = iter(range(10_000))

    async def seed(board: str) -> str:
        c = await Client.open(server.ws_url, board, helper)
        card = f"theirs-{next(n)}"
        assert (await c.op(add_card(card)))["type"] == "op"
        await c.close()
        return card

    async def attempt(role: str, board: str, op: dict[str, Any]) -> str:
        c = await Client.open(server.ws_url, board, tokens[role])
        result = await c.op(op)
        await c.close()
        return result["type"] if result["type"] == "op" else result["code"]

    async def own_card(role: str, board: str) -> str:
        c = await Client.open(server.ws_url, board, tokens[role])
        card = f"mine-{next(n)}"
        result = await c.op(add_card(card))
        await c.close()
        assert result["type"] == "op", (role, result)
        return card

    cases = [  # (role, board, action, expected)
        (role, board_name, action)
        for role in tokens
        for board_name in (["own", "other"] if role == "mayor" else ["own"])
        for action in (
            "add",
            "edit any",
            "move any",
            "delete any",
            "edit own",
            "delete own",
            "edit board",
        )
    ]
    table = {
        "facilitator": dict.fromkeys(
            ["add", "edit any", "move any", "delete any", "edit own", "delete own", "edit board"],
            "op",
        ),
        ("mayor", "own"): dict.fromkeys(
            ["add", "edit any", "move any", "delete any", "edit own", "delete own", "edit board"],
            "op",
        ),
        ("mayor", "other"): {
            "add": "op",
            "edit any": "forbidden",
            "move any": "forbidden",
            "delete any": "forbidden",
            "edit own": "op",
            "delete own": "op",
            "edit board": "forbidden",
        },
        "expert": {
            "add": "op",
            "edit any": "op",
            "move any": "op",
            "delete any": "forbidden",
            "edit own": "op",
            "delete own": "op",
            "edit board": "forbidden",
        },
        "observer": {
            "add": "forbidden",
            "edit any": "forbidden",
            "move any": "forbidden",
            "delete any": "forbidden",
            "edit board": "forbidden",
        },
    }
    for role, board_name, action in cases:
        expected = table[(role, board_name)] if role == "mayor" else table[role]
        if action not in expected:
            continue  # an observer has no cards of their own to act on
        board = own["id"] if board_name == "own" else other["id"]
        if action == "add":
            op = add_card(f"new-{next(n)}")
        elif action == "edit board":
            op = {"kind": "board.update", "set": {"title": f"Renamed {next(n)}"}}
        else:
            card = await (own_card(role, board) if action.endswith("own") else seed(board))
            op = {
                "edit": {"kind": "card.update", "card": card, "set": {"text": "changed"}},
                "move": {"kind": "card.move", "card": card, "section": "action_plan"},
                "delete": {"kind": "card.delete", "card": card},
            }[action.split()[0]]
        got = await attempt(role, board, op)
        assert got == expected[action], f"{role} ({board_name} board) {action}: {got}"

    # Reading: every role reads every board of their workshop, over HTTP and the socket.
    for role, token in tokens.items():
        for b in demo["boards"]:
            status, state = call("GET", f"{server.url}/api/boards/{b['id']}", token=token)
            assert status == 200 and state["id"] == b["id"], role
    # Set-up: only the facilitator.
    person = {"name": "New Expert", "role": "expert", "organisation": "Lab"}
    workshop = demo["workshop"]["id"]
    for role, token in tokens.items():
        status, body = call(
            "POST", f"{server.url}/api/workshops/{workshop}/participants", person, token=token
        )
        assert status == (201 if role == "facilitator" else 403), (role, body)
    # Another workshop: nobody reads or sets it up.
    b = _second_workshop(server, tmp_path)
    for role, token in tokens.items():
        status, body = call("GET", f"{server.url}/api/boards/{b['boards'][0]['id']}", token=token)
        assert status == 403 and body["error"]["code"] == "forbidden", role
        status, _ = call("GET", f"{server.url}/api/workshops/{b['workshop']['id']}", token=token)
        assert status == 403, role
    assert ids  # the ids were resolved for every role


async def test_revoking_an_invite_closes_that_persons_sockets_at_once(server: Server, demo):
    expert = person_of(demo, "expert")
    board = board_of(demo)
    sockets = [
        await Client.open(server.ws_url, b["id"], expert["token"]) for b in demo["boards"][:2]
    ]
    bystander = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    status, body = call(
        "POST",
        f"{server.url}/api/participants/{expert['id']}/revoke",
        {},
        token=token_of(demo, "facilitator"),
    )
    assert status == 200 and body["participant"]["revoked"] is True
    for s in sockets:
        with pytest.raises(ConnectionClosed):
            while True:
                await s.recv(timeout=1.0)  # within a second
        assert s.ws.close_code == 4401
    assert call("GET", f"{server.url}/api/boards/{board}", token=expert["token"])[0] == 401
    c = await Client.open(server.ws_url, board, expert["token"], hello=False)
    await c.send({"type": "hello", "client": "x", "since": None, "token": expert["token"]})
    assert (await c.recv())["code"] == "unauthorized"
    assert (await bystander.op(add_card("still-here")))["type"] == "op"
    # A re-issued link works again, the old one does not.
    status, body = call(
        "POST",
        f"{server.url}/api/participants/{expert['id']}/reissue",
        {},
        token=token_of(demo, "facilitator"),
    )
    new = body["participant"]["join_url"].rsplit("/", 1)[1]
    assert new != expert["token"]
    assert call("GET", f"{server.url}/api/boards/{board}", token=new)[0] == 200
    assert call("GET", f"{server.url}/api/boards/{board}", token=expert["token"])[0] == 401


async def test_set_up_requests_check_origin_body_and_fields(server: Server, demo):
    workshop = demo["workshop"]["id"]
    fac = token_of(demo, "facilitator")
    url = f"{server.url}/api/workshops/{workshop}"
    status, body = call(
        "PATCH", url, {"title": "Hijacked"}, token=fac, origin="http://evil.example"
    )
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, body = call("PATCH", url, {"timezone": "Mars/Olympus"}, token=fac)
    assert status == 400 and "time zone" in body["error"]["message"]
    status, body = call("PATCH", url, b"title=x", token=fac, content_type="text/plain")
    assert status == 400 and "application/json" in body["error"]["message"]
    status, body = call(
        "PATCH",
        url,
        {"days": [{"day": 1, "date": "2027-03-09"}, {"day": 1, "date": "2027-03-10"}]},
        token=fac,
    )
    assert status == 400 and "once" in body["error"]["message"]
    status, body = call("POST", f"{url}/participants", {"name": "M", "role": "mayor"}, token=fac)
    assert status == 400 and "city" in body["error"]["message"]
    status, body = call(
        "PATCH",
        url,
        {
            "title": "Day planning",
            "venue": "Room 2",
            "days": [
                {"day": 1, "date": "2027-03-09", "agenda": [{"title": "Framing", "minutes": 30}]}
            ],
        },
        token=fac,
    )
    assert status == 200 and body["workshop"]["venue"] == "Room 2"
    assert body["workshop"]["days"][0]["agenda"][0]["minutes"] == 30
    status, body = call(
        "POST",
        f"{url}/participants",
        {
            "name": "Mayor of Mesa (demo)",
            "role": "mayor",
            "city": "Mesa, AZ",
            "initiative": "Leak detection",
        },
        token=fac,
    )
    assert status == 201 and body["board"]["city"] == "Mesa, AZ"
    assert body["board"]["theme"] == "IoT sensors"  # from the seed's city list
    status, listing = call("GET", url, token=fac)
    assert any(p["name"] == "Mayor of Mesa (demo)" for p in listing["participants"])
    assert len(listing["boards"]) == 6


async def test_hostile_frames_each_get_their_code_while_others_keep_working(server, demo):
    board, other_board = board_of(demo), board_of(demo, 1)
    other = await Client.open(server.ws_url, other_board, token_of(demo, "expert", 1))
    foreign_card = (await other.op(add_card("only-on-the-other-board")))["op"]["card"]["id"]
    hostile = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    bystander = await Client.open(server.ws_url, board, token_of(demo, "expert", 2))
    corpus: list[tuple[Any, str]] = [
        ("{not json", "bad_request"),
        ("", "bad_request"),
        ("null", "bad_request"),
        ('"a string"', "bad_request"),
        ({"type": 5}, "bad_request"),
        ({"type": "op"}, "bad_request"),
        ({"type": "op", "id": 7, "op": {"kind": "card.delete", "card": "x"}}, "bad_request"),
        ({"type": "op", "id": "a", "op": {"kind": "card.teleport", "card": "x"}}, "bad_request"),
        ({"type": "op", "id": "a", "op": ["card.add"]}, "bad_request"),
        ({"type": "op", "id": "i" * 65, "op": {"kind": "card.delete", "card": "x"}}, "bad_request"),
        ({"type": "op", "id": "b", "op": add_card("huge", "x" * 20_000)}, "bad_request"),
        (
            {"type": "op", "id": "c", "op": add_card("deep", "t", severity={"a": {"b": {}}})},
            "bad_request",
        ),
        ("[" * 10_000 + "]" * 10_000, "bad_request"),
        (
            {"type": "op", "id": "d", "op": {"kind": "card.delete", "card": foreign_card}},
            "not_found",
        ),
        (
            {
                "type": "op",
                "id": "e",
                "op": {"kind": "card.update", "card": foreign_card, "set": {"text": "mine now"}},
            },
            "not_found",
        ),
        ({"type": "hello", "client": "again", "since": None}, "bad_request"),
        ({"type": "presence", "focus": {"section": 5}}, "bad_request"),
    ]
    for frame, code in corpus:
        await hostile.send(frame)
        error = await hostile.next("error")
        assert error["code"] == code, (frame if isinstance(frame, dict) else frame[:40], error)
    await hostile.ws.send(b"\x89PNG binary")
    assert (await hostile.next("error"))["code"] == "bad_request"
    assert (await bystander.op(add_card("unbothered")))["type"] == "op"
    _, state = call(
        "GET", f"{server.url}/api/boards/{other_board}", token=token_of(demo, "facilitator")
    )
    assert state["cards"][foreign_card]["text"] == "An idea"


@pytest.fixture
def strict_server(db_url: str, demo) -> Server:
    srv = Server(db=db_url, extra=("--rate-limit", "5", "--hello-timeout", "0.5")).start()
    yield srv
    srv.stop()


async def test_rate_limit_answers_then_closes_a_flooding_connection(strict_server, demo):
    board = board_of(demo)
    flood = await Client.open(strict_server.ws_url, board, token_of(demo, "expert"))
    calm = await Client.open(strict_server.ws_url, board, token_of(demo, "expert", 1))
    for i in range(200):
        try:
            await flood.send({"type": "op", "id": f"f{i}", "op": add_card(f"f{i}")})
        except ConnectionClosed:
            break
    codes: list[str] = []
    with pytest.raises(ConnectionClosed):
        while True:
            frame = await flood.recv()
            if frame["type"] == "error":
                codes.append(frame["code"])
    assert "rate_limited" in codes and flood.ws.close_code == 4429
    assert (await calm.op(add_card("calm")))["type"] == "op"


async def test_a_socket_that_never_says_hello_is_closed(strict_server, demo):
    silent = await Client.open(strict_server.ws_url, board_of(demo), None, hello=False)
    error = await silent.recv(timeout=5)
    assert error["code"] == "bad_request" and "hello" in error["message"]
    with pytest.raises(ConnectionClosed):
        await silent.recv(timeout=5)
    assert silent.ws.close_code == 1008
    await asyncio.sleep(0)


async def test_agenda_items_must_name_this_workshops_boards_and_real_sections(server, demo):
    fac = token_of(demo, "facilitator")
    url = f"{server.url}/api/workshops/{demo['workshop']['id']}"
    board = board_of(demo)

    def day(**item):
        return {"days": [{"day": 1, "date": "2027-03-09", "agenda": [{"title": "Case", **item}]}]}

    status, body = call("PATCH", url, day(board="b_elsewhere"), token=fac)
    assert status == 400 and "not in this workshop" in body["error"]["message"]
    status, body = call("PATCH", url, day(board=board, section="attic"), token=fac)
    assert status == 400 and "no such section" in body["error"]["message"]
    status, _ = call("PATCH", url, day(board=board, section="costs_budget", minutes=20), token=fac)
    assert status == 200
    mayor = person_of(demo, "mayor")
    status, body = call(
        "PATCH",
        f"{server.url}/api/participants/{mayor['id']}",
        {"city": "Elsewhere, ZZ"},
        token=fac,
    )
    assert status == 409 and "city" in body["error"]["message"]
