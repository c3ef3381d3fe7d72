"""Random frames at a live socket (issue 12, "Done when"): valid JSON of wrong shapes, random
bytes and text, unicode edge cases, ops of every kind with random fields. Every frame gets an
error frame (or, for an op, its answer: an error or its event), or a close code; a client
beside it keeps a whole, gap-free board; and nothing refused is stored.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed

from board.model.kinds import KINDS
from tests.conftest import board_of, token_of
from tests.servers import sqlite_url
from tests.wsclient import Client, add_card

CLOSE_CODES = {1008, 1009, 4429}
_ids = itertools.count(1)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite: what is tested is the socket layer in front of any database."""
    return sqlite_url(tmp_path / "brickboard.db")


EDGE_TEXT = st.sampled_from(
    [
        "",
        "\x00",
        "\u202e\u202d",  # bidirectional overrides
        "\u200b\ufeff",  # zero width, byte order mark
        "e\u0301" * 50,  # combining marks
        "\U0001f600" * 30,  # outside the Basic Multilingual Plane
        "\\",
        '"',
        "x" * 65,
        "</script><script>alert(1)</script>",
    ]
)
TEXT = st.one_of(st.text(max_size=40), EDGE_TEXT)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
LONE_SURROGATES = st.sampled_from(["\\ud800", "\\udfff", "\\ud83d", "\\udc00x"])


@st.composite
def op_body(draw: st.DrawFn) -> dict[str, Any]:
    """An op of a real kind (or a near miss) with fields from the protocol's vocabulary,
    filled with anything."""
    names = ["card", "set", "section", "after", "comment", "round", "text", "base", "at", "x"]
    body = draw(st.dictionaries(st.sampled_from(names), JSON, max_size=5))
    body["kind"] = draw(st.sampled_from([*KINDS, "card.teleport", "", "CARD.ADD"]))
    return body


@st.composite
def garbage(draw: st.DrawFn) -> tuple[str | bytes, None]:
    """A frame no server may accept: it gets an error frame (or a close code)."""
    choice = draw(st.integers(0, 6))
    if choice == 0:
        return draw(st.binary(max_size=200)), None
    if choice == 1:
        return draw(st.text(min_size=1, max_size=200).filter(lambda t: t.strip()[:1] != "{")), None
    if choice == 2:  # JSON, not an object, or an object of no known type
        value = draw(JSON.filter(lambda v: not isinstance(v, dict) or "type" not in v))
        return json.dumps(value), None
    if choice == 3:  # a known type with a field the protocol does not have
        frame = {"type": draw(st.sampled_from(["ping", "presence", "op"])), "zz": draw(JSON)}
        return json.dumps(frame), None
    if choice == 4:  # hello again, or a server frame's type
        frame = {"type": draw(st.sampled_from(["hello", "welcome", "error", "ops"])), "client": "x"}
        return json.dumps(frame), None
    if choice == 5:  # an op whose id cannot be an id
        bad_id = draw(st.one_of(st.integers(), st.none(), st.just(""), st.just("i" * 65)))
        return json.dumps({"type": "op", "id": bad_id, "op": draw(op_body())}), None
    text = json.dumps({"type": "op", "id": "ID", "op": add_card("c", "TEXT")})
    return text.replace("TEXT", draw(LONE_SURROGATES)).replace('"ID"', '"lone"'), None


@st.composite
def random_op(draw: st.DrawFn) -> tuple[str, str]:
    """An op frame with a fresh, valid id and a random body: answered by that id."""
    op_id = f"fuzz-{next(_ids)}"
    return json.dumps({"type": "op", "id": op_id, "op": draw(op_body())}), op_id


FRAMES = st.lists(st.one_of(garbage(), random_op()), min_size=20, max_size=60)


async def _barrier(client: Client) -> list[dict[str, Any]]:
    """Frames received until the answer to a ping sent now (errors for frames sent before it
    are queued before that answer)."""
    await client.send({"type": "ping"})
    seen: list[dict[str, Any]] = []
    while True:
        frame = await client.recv()
        if frame["type"] == "pong":
            return seen
        seen.append(frame)


def _answers(frames: list[dict[str, Any]]) -> dict[str, str]:
    """op id -> "event" or the error code, from frames and coalesced `ops` frames."""
    out: dict[str, str] = {}
    for frame in frames:
        for item in frame["ops"] if frame["type"] == "ops" else [frame]:
            if item["type"] == "op":
                out[item["id"]] = "event"
            elif item["type"] == "error" and item.get("id"):
                out[item["id"]] = item["code"]
    return out


async def _throw(server, demo, frames: list[tuple[str | bytes, str | None]]) -> None:
    board, token = board_of(demo), token_of(demo, "expert")
    bystander = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    hostile = await Client.open(server.ws_url, board, token)
    try:
        await _check(server, board, token, bystander, hostile, frames)
    finally:
        for client in (bystander, hostile):
            await client.close()


async def _check(server, board, token, bystander, hostile, frames) -> None:
    start = bystander.welcome["seq"]
    pending: set[str] = set()
    answers: dict[str, str] = {}
    for frame, op_id in frames:
        try:
            await (hostile.ws.send(frame) if isinstance(frame, bytes) else hostile.send(frame))
            seen = await _barrier(hostile)
        except ConnectionClosed:
            assert hostile.ws.close_code in CLOSE_CODES, hostile.ws.close_code
            hostile = await Client.open(server.ws_url, board, token)
            continue
        answers.update(_answers(seen))
        if op_id is None:  # its error comes before the barrier; earlier ops' answers may too
            errors = [f for f in seen if f["type"] == "error" and f.get("id") not in pending]
            assert errors, (frame, seen)
            assert all(e["code"] in ("bad_request", "too_large") for e in errors), errors
        else:
            pending.add(op_id)
    while pending - answers.keys():  # ops are answered once the room has dealt with them
        answers.update(_answers([await hostile.recv()]))
    # the bystander's board stays whole: its op goes through, its events have no gap
    done = await bystander.op(add_card(f"calm-{next(_ids)}", "Still here"))
    events = [
        e
        for f in bystander.frames
        for e in (f["ops"] if f["type"] == "ops" else [f])
        if e["type"] == "op"
    ]
    assert [e["seq"] for e in events] == list(range(start + 1, done["seq"] + 1))
    # nothing refused was stored: the log since holds exactly the answered-with-event ops
    resumed = await Client.open(server.ws_url, board, token, since=start)
    stored = {e["id"] for e in resumed.welcome["ops"]}
    applied = {op_id for op_id, answer in answers.items() if answer == "event"}
    assert stored - {done["id"]} == applied & stored
    assert not {op_id for op_id, answer in answers.items() if answer != "event"} & stored
    await resumed.close()


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frames=FRAMES)
def test_random_frames_get_an_error_or_a_close_and_harm_no_one(server, demo, frames) -> None:
    asyncio.run(_throw(server, demo, frames))


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frame=garbage())
def test_a_random_first_frame_is_refused_with_a_close_code(server, demo, frame) -> None:
    async def first() -> None:
        client = await Client.open(server.ws_url, board_of(demo), None, hello=False)
        data, _ = frame
        await (client.ws.send(data) if isinstance(data, bytes) else client.send(data))
        error = await client.recv()
        assert error["type"] == "error", error
        with pytest.raises(ConnectionClosed):
            await client.recv()
        # a hello with no token is a hello still: refused as unauthorized
        expected = 4401 if error["code"] == "unauthorized" else 1008
        assert error["code"] in ("bad_request", "unauthorized") and client.ws.close_code == expected

    asyncio.run(first())
