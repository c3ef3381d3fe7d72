"""Blind votes, private writing and the stage over real sockets: who sees what, and when."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import board_of, token_of
from tests.http_client import call
from tests.servers import sqlite_url
from tests.wsclient import Client, add_card


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: what this module tests does not depend on the database."""
    return sqlite_url(tmp_path / "brickboard.db")


async def test_blind_votes_and_private_cards_reach_others_only_as_placeholders(server, demo):
    board = board_of(demo)
    fac = await Client.open(server.ws_url, board, token_of(demo, "facilitator"))
    alice = await Client.open(server.ws_url, board, token_of(demo, "expert", 0))
    bob = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    await alice.op(add_card("target", "Vote for me"))
    opened = await fac.op({"kind": "vote.open", "round": {"id": "r1", "dots": 2, "blind": True}})
    placed = await alice.op({"kind": "vote.place", "round": "r1", "card": "target"})
    assert placed["op"]["card"] == "target" and placed["op"]["server"] == {"role": "expert"}
    seen_by_bob = (await bob.events_until_seq(placed["seq"]))[-1]
    assert seen_by_bob["op"] == {"kind": "vote.place", "hidden": True, "round": "r1"}
    late = await Client.open(server.ws_url, board, token_of(demo, "expert", 2))
    assert late.welcome["state"]["rounds"]["r1"]["votes"] == [
        {"by": alice.welcome["me"]["id"], "role": None, "card": None}
    ]
    resumed = await Client.open(
        server.ws_url, board, token_of(demo, "expert", 1), since=opened["seq"]
    )
    assert resumed.welcome["ops"][0]["op"]["hidden"] is True
    _, state = call("GET", f"{server.url}/api/boards/{board}", token=token_of(demo, "expert", 1))
    assert state["rounds"]["r1"]["votes"][0]["card"] is None
    reveal = await fac.op({"kind": "vote.reveal", "round": "r1"})
    assert reveal["op"]["server"]["votes"][0]["card"] == "target"
    assert (await bob.events_until_seq(reveal["seq"]))[-1]["op"]["server"]["votes"][0][
        "card"
    ] == "target"
    # private writing: bob sees that alice wrote something, not what, until the reveal
    await fac.op({"kind": "private.start"})
    secret = await alice.op(add_card("secret", "My candid idea"))
    assert secret["op"]["card"]["text"] == "My candid idea"
    hidden = (await bob.events_until_seq(secret["seq"]))[-1]["op"]
    assert hidden["hidden"] is True and "text" not in hidden["card"]
    note = {"id": "k1", "card": "secret", "text": "Ask the CFO first"}
    for op in (
        {"kind": "comment.add", "comment": note},
        {"kind": "comment.update", "comment": "k1", "text": "Ask the CFO"},
        {"kind": "comment.delete", "comment": "k1"},
    ):
        done = await alice.op(op)
        assert "seq" in done, done
        seen = (await bob.events_until_seq(done["seq"]))[-1]["op"]
        assert seen == {"kind": op["kind"], "hidden": True}, seen
    assert "My candid idea" not in str(bob.frames) and "CFO" not in str(bob.frames)
    shown = await fac.op({"kind": "private.reveal"})
    revealed = (await bob.events_until_seq(shown["seq"]))[-1]["op"]
    assert revealed["server"]["cards"]["secret"]["text"] == "My candid idea"
    for c in (fac, alice, bob, late, resumed):
        await c.close()


async def test_the_stage_socket_carries_spotlight_and_a_server_time_timer(server, demo):
    _, me = call("GET", f"{server.url}/api/me", token=token_of(demo, "observer"))
    stage = me["stage"]
    projector = await Client.open(server.ws_url, stage, token_of(demo, "observer"))
    assert projector.welcome["state"]["kind"] == "stage"
    fac = await Client.open(server.ws_url, stage, token_of(demo, "facilitator"))
    refused = await projector.op({"kind": "timer.start", "seconds": 60})
    assert refused["code"] == "forbidden"
    moved = await fac.op({"kind": "stage.spotlight", "mode": "board", "board": board_of(demo)})
    started = await fac.op({"kind": "timer.start", "seconds": 300, "label": "Costs"})
    events = await projector.events_until_seq(started["seq"])
    assert [e["op"]["kind"] for e in events] == ["stage.spotlight", "timer.start"]
    assert moved["op"]["board"] == board_of(demo)
    back = await Client.open(server.ws_url, stage, token_of(demo, "observer"))
    timer = back.welcome["state"]["stage"]["timer"]
    ends = datetime.fromisoformat(timer["ends_at"].replace("Z", "+00:00"))
    now = datetime.fromisoformat(back.welcome["now"].replace("Z", "+00:00"))
    assert 295 <= (ends - now).total_seconds() <= 300
    for c in (projector, fac, back):
        await c.close()


async def test_the_stage_points_only_at_boards_of_its_workshop_and_ping_gets_pong(server, demo):
    _, me = call("GET", f"{server.url}/api/me", token=token_of(demo, "facilitator"))
    fac = await Client.open(server.ws_url, me["stage"], token_of(demo, "facilitator"))
    for op in (
        {"kind": "stage.spotlight", "mode": "board", "board": "b_nowhere"},
        {"kind": "agenda.start", "day": 1, "index": 0, "title": "Case", "board": me["stage"]},
    ):
        refused = await fac.op(op)
        assert refused["code"] == "not_found" and "no such board" in refused["message"]
    ok = await fac.op({"kind": "stage.spotlight", "mode": "board", "board": board_of(demo)})
    assert ok["type"] == "op"
    watcher = await Client.open(server.ws_url, me["stage"], token_of(demo, "observer"))
    await fac.send({"type": "ping"})
    assert (await fac.next("pong"))["type"] == "pong"
    await fac.send({"type": "op", "id": "after-ping", "op": {"kind": "timer.reset"}})
    frames = [await watcher.recv()]  # the observer gets the op, never the other's pong
    while frames[-1]["type"] != "op":
        frames.append(await watcher.recv())
    assert "pong" not in [f["type"] for f in frames]
    await fac.close()
    await watcher.close()
