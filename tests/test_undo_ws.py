"""Undo's server side through the real server (docs/undo.md): preconditions refused atomically
with `conflict`, a deleted card brought back for everyone (also after a restart), and a restore
from History undone only while nobody else changed the board since."""

from __future__ import annotations

import pytest
from websockets.exceptions import ConnectionClosed

from board.protocol import SERVER_FRAME
from tests.conftest import board_of, token_of
from tests.http_client import call
from tests.servers import Server
from tests.wsclient import Client, add_card


async def test_an_undo_whose_field_someone_else_changed_is_refused_with_a_sentence(server, demo):
    board = board_of(demo)
    mine = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    other = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    await mine.op(add_card("u1", "first words", type="barrier", severity=1))
    await mine.op({"kind": "card.update", "card": "u1", "set": {"text": "my words"}})
    changed = await other.op({"kind": "card.update", "card": "u1", "set": {"text": "theirs"}})
    undo = {"kind": "card.update", "card": "u1", "set": {"text": "first words"}}
    refused = await mine.op({**undo, "expect": {"text": "my words"}})
    SERVER_FRAME.validate_python(refused)
    assert refused["type"] == "error" and refused["code"] == "conflict"
    assert refused["message"] == (
        "Someone else changed this card's text since; your undo leaves it as it is."
    )
    # Nothing applied, no seq used; the other person's words stand.
    nxt = await other.op({"kind": "card.update", "card": "u1", "set": {"severity": 2}})
    assert nxt["seq"] == changed["seq"] + 1
    _, state = call("GET", f"{server.url}/api/boards/{board}", token=token_of(demo, "expert"))
    assert state["cards"]["u1"]["text"] == "theirs"
    # Where the precondition holds, the undo goes through like any edit.
    ok = await other.op({**undo, "expect": {"text": "theirs"}})
    assert ok["type"] == "op" and ok["op"]["expect"] == {"text": "theirs"}
    for c in (mine, other):
        await c.close()


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
async def test_a_deleted_card_comes_back_for_everyone_even_after_a_restart(
    server: Server, demo, how: str
):
    board = board_of(demo)
    expert = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    other = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    await expert.op(add_card("keep-a", "before"))
    await expert.op({**add_card("gone", "bring me back"), "after": "keep-a"})
    await other.op({"kind": "comment.add", "comment": {"id": "k1", "card": "gone", "text": "Yes"}})
    _, was = call("GET", f"{server.url}/api/boards/{board}", token=token_of(demo, "expert"))
    await expert.op({"kind": "card.delete", "card": "gone"})
    server.kill() if how == "sigkill" else server.stop()
    with pytest.raises(ConnectionClosed):
        while True:
            await expert.recv(timeout=10)
    server.start()
    # A replica that never saw the card: it joins after the delete.
    late = await Client.open(server.ws_url, board, token_of(demo, "facilitator"))
    assert "gone" not in late.welcome["state"]["cards"]
    expert = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    other = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    refused = await other.op({"kind": "card.restore", "card": "gone"})
    assert refused["code"] == "forbidden"
    event = await expert.op({"kind": "card.restore", "card": "gone"})
    assert event["type"] == "op" and event["op"]["server"]["card"] == was["cards"]["gone"]
    seen = (await late.events_until_seq(event["seq"]))[-1]
    assert seen["op"]["server"]["comments"]["k1"]["text"] == "Yes"
    _, now = call("GET", f"{server.url}/api/boards/{board}", token=token_of(demo, "expert"))
    assert now["cards"]["gone"] == was["cards"]["gone"]  # author and times as they were
    assert now["comments"]["k1"] == was["comments"]["k1"]
    section = next(s["cards"] for s in now["sections"] if s["id"] == "problem_vision")
    assert section[section.index("keep-a") + 1] == "gone"
    for c in (late, expert, other):
        await c.close()


async def test_a_restore_is_undone_only_while_the_board_still_shows_it(server, demo):
    fac = token_of(demo, "facilitator")
    workshop, board = demo["workshop"]["id"], board_of(demo)
    expert = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    await expert.op(add_card("old", "on day 1"))
    call("POST", f"{server.url}/api/workshops/{workshop}/days/1/close", {}, token=fac)
    await expert.op(add_card("new", "on day 2"))
    _, listing = call("GET", f"{server.url}/api/boards/{board}/snapshots", token=fac)
    day1 = listing["snapshots"][-1]["id"]
    url = f"{server.url}/api/boards/{board}/restore"

    status, restored = call("POST", url, {"snapshot": day1}, token=fac)
    assert status == 200 and restored["before"]["kind"] == "before_restore"
    before = restored["before"]["id"]
    # Undo: back to the snapshot taken before, while the board still shows the restored one.
    status, _ = call("POST", url, {"snapshot": before, "expect": day1}, token=fac)
    assert status == 200
    _, now = call("GET", f"{server.url}/api/boards/{board}", token=fac)
    assert {"old", "new"} <= now["cards"].keys()
    # Redo, then someone writes: the next undo would wipe their card out, so it is refused.
    status, _ = call("POST", url, {"snapshot": day1, "expect": before}, token=fac)
    assert status == 200
    await expert.op(add_card("since", "written after the restore"))
    seq = (await expert.op(add_card("since-2", "and another")))["seq"]
    status, body = call("POST", url, {"snapshot": before, "expect": day1}, token=fac)
    assert status == 409 and body["error"]["code"] == "conflict"
    assert body["error"]["message"].startswith("The board has changed since then")
    _, now = call("GET", f"{server.url}/api/boards/{board}", token=fac)
    assert now["seq"] == seq and {"since", "since-2"} <= now["cards"].keys()
    _, after = call("GET", f"{server.url}/api/boards/{board}/snapshots", token=fac)
    assert len(after["snapshots"]) == len(listing["snapshots"]) + 3  # none for the refusal
    await expert.close()
