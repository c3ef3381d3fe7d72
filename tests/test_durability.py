"""Never lose an edit: crashes, lost acknowledgements, graceful shutdown, slow and dead peers."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import signal
import socket
import time

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import board_of, token_of
from tests.live_replica import LiveClient
from tests.servers import Server, demo_roster, sqlite_url
from tests.wsclient import Client, add_card

KILL_POINTS = int(os.environ.get("BRICKBOARD_KILL_POINTS", "3"))


async def _full_log(server: Server, board: str, token: str) -> list[dict]:
    reader = await Client.open(server.ws_url, board, token, since=0)
    await reader.close()
    return reader.welcome["ops"]


async def _server_state(server: Server, board: str, token: str) -> dict:
    reader = await Client.open(server.ws_url, board, token)
    await reader.close()
    return reader.welcome["state"]


async def test_sigkill_at_random_moments_loses_no_acknowledged_op(server, demo):
    """Clients type in bursts; the server is killed (SIGKILL) at random moments and restarted.
    Every acknowledged op survives exactly once, seq has no gap, and everyone converges."""
    rng = random.Random(7)
    board = board_of(demo)
    clients = [
        LiveClient(server.ws_url, board, token_of(demo, "expert", n), f"crash{n}") for n in range(3)
    ]
    for c in clients:
        assert await c.connect()
    counter = 0

    async def burst(c: LiveClient, n: int) -> None:
        nonlocal counter
        for _ in range(n):
            counter += 1
            await c.send(add_card(f"{c.replica.name}-card-{counter}", f"edit {counter}"))
            await asyncio.sleep(0)

    acked_before_kill: set[str] = set()
    for _point in range(KILL_POINTS):
        bursts = asyncio.gather(*(burst(c, 40) for c in clients))
        await asyncio.sleep(rng.uniform(0.05, 0.4))
        server.kill()
        await bursts
        for c in clients:
            acked_before_kill |= set(c.replica.acked)
        server.start()
        for c in clients:
            await c.settle()
    fac = token_of(demo, "facilitator")
    log = await _full_log(server, board, fac)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1)), "seq has a gap"
    ids = [e["id"] for e in log]
    assert len(ids) == len(set(ids)), "an op was applied twice"
    all_acked = set().union(*(c.replica.acked for c in clients))
    assert acked_before_kill <= set(ids) and all_acked <= set(ids)
    assert sum(len(c.replica.acked) for c in clients) == 3 * 40 * KILL_POINTS
    state = await _server_state(server, board, fac)
    for c in clients:
        await c.settle()
        assert c.replica.confirmed.to_wire()["cards"] == state["cards"] or (
            c.replica.seq < state["seq"]
        )
    for c in clients:
        await c.close()
    for c in clients:  # a fresh connection converges to exactly the server state
        assert await c.connect()
        await c.settle()
        assert c.replica.confirmed.to_wire() == (await _server_state(server, board, fac))
        await c.close()


async def test_a_lost_acknowledgement_is_answered_on_resend_and_applied_once(server, demo):
    board = board_of(demo)
    watcher = await Client.open(server.ws_url, board, token_of(demo, "observer"))
    sender = LiveClient(server.ws_url, board, token_of(demo, "expert"), "lossy")
    assert await sender.connect()
    sender.reader.cancel()  # stop reading: the acknowledgement will never be seen
    await asyncio.gather(sender.reader, return_exceptions=True)
    await sender.send(add_card("once-only", "sent once, acknowledged, ack lost"))
    seen = await watcher.next("op")  # the server committed and broadcast it
    sender.ws.transport.abort()  # reset the connection with the ack unread
    assert sender.replica.pending  # from the sender's point of view: not acknowledged
    assert await sender.connect()  # resume with since, resend with the same id
    await sender.settle()
    assert sender.replica.acked == {seen["id"]: seen["seq"]}
    log = await _full_log(server, board, token_of(demo, "facilitator"))
    assert [e["id"] for e in log].count(seen["id"]) == 1
    await watcher.close()
    await sender.close()


async def test_sigterm_commits_and_acknowledges_or_refuses_every_received_op(server, demo):
    board = board_of(demo)
    c = await Client.open(server.ws_url, board, token_of(demo, "expert"))
    sent = [f"term-{i}" for i in range(300)]
    for op_id in sent:
        await c.send({"type": "op", "id": op_id, "op": add_card(op_id, "typed before SIGTERM")})
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    acked, refused = set(), set()
    with pytest.raises(ConnectionClosed):
        while True:
            frame = await c.recv(timeout=10)
            for e in frame["ops"] if frame["type"] == "ops" else [frame]:
                if e["type"] == "op":
                    acked.add(e["id"])
                elif e["type"] == "error":
                    assert e["code"] == "unavailable", e
                    refused.add(e["id"])
    assert c.ws.close_code in (1012, 1001)
    server.proc.wait(timeout=10)
    assert time.monotonic() - started < 8, "graceful shutdown took too long"
    assert acked, "the ops already received were acknowledged before the close"
    server.start()
    log = {e["id"] for e in await _full_log(server, board, token_of(demo, "facilitator"))}
    assert acked <= log and not (refused & log)


@pytest.fixture
def sqlite_demo(tmp_path) -> tuple[str, dict]:
    """Slow and dead peers are about sockets, not storage: SQLite only."""
    db = sqlite_url(tmp_path / "peers.db")
    return db, demo_roster(db)


@pytest.fixture
def tight_server(sqlite_demo):
    """Small client queues (32 events) and fast keep-alive pings (0.5 s)."""
    srv = Server(
        db=sqlite_demo[0],
        extra=("--rate-limit", "0", "--queue-bound", "32", "--ping-interval", "0.5"),
    ).start()
    yield srv
    srv.stop()


@pytest.fixture
def small_queue_server(sqlite_demo):
    srv = Server(db=sqlite_demo[0], extra=("--rate-limit", "0", "--queue-bound", "1024")).start()
    yield srv
    srv.stop()


async def test_a_client_that_stops_reading_is_cut_off_at_its_bound(small_queue_server, sqlite_demo):
    demo = sqlite_demo[1]
    board = board_of(demo)
    slow_sock = socket.socket()
    slow_sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow_sock.connect(("127.0.0.1", small_queue_server.port))
    slow = await Client.open(
        small_queue_server.ws_url, board, token_of(demo, "expert", 2), sock=slow_sock, max_queue=1
    )
    fast = await Client.open(small_queue_server.ws_url, board, token_of(demo, "expert", 1))
    writer = await Client.open(small_queue_server.ws_url, board, token_of(demo, "expert"))
    text = "x" * 500
    count = 8000  # about 5 MB: more than the kernel buffers of a socket can hide
    target = writer.welcome["seq"] + count
    fast_reads = asyncio.create_task(fast.events_until_seq(target, timeout=60))
    for start in range(0, count, 100):  # a window of edits in flight at a time
        for i in range(start, start + 100):
            await writer.send({"type": "op", "id": f"w{i}", "op": add_card(f"w{i}", text)})
        await writer.events_until_seq(writer.welcome["seq"] + start + 100, timeout=30)
    events = await fast_reads  # readers that keep up get everything, in order
    assert [e["seq"] for e in events] == list(range(writer.welcome["seq"] + 1, target + 1))
    with pytest.raises(ConnectionClosed):
        while True:
            await slow.recv(timeout=30)
    assert slow.ws.close_code == 1013
    await fast.close()
    await writer.close()


async def test_a_dead_peer_leaves_presence_within_a_bounded_time(tight_server, sqlite_demo):
    demo = sqlite_demo[1]
    board = board_of(demo)
    watcher = await Client.open(tight_server.ws_url, board, token_of(demo, "observer"))
    dead = socket.create_connection(("127.0.0.1", tight_server.port))
    key = base64.b64encode(os.urandom(16)).decode()
    dead.sendall(
        (
            f"GET /ws/boards/{board} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    assert b"101" in dead.recv(4096).split(b"\r\n")[0]
    hello = json.dumps(
        {"type": "hello", "client": "dead", "since": None, "token": token_of(demo, "expert")}
    ).encode()
    mask = os.urandom(4)
    dead.sendall(
        bytes([0x81, 0x80 | len(hello)])
        + mask
        + bytes(b ^ mask[i % 4] for i, b in enumerate(hello))
    )
    expert = next(p["name"] for p in demo["participants"] if p["role"] == "expert")

    def online(frame):
        return frame["type"] == "presence" and expert in [p["name"] for p in frame["online"]]

    await watcher.until(online, timeout=10)
    started = time.monotonic()  # from here the peer answers nothing, not even pings
    await watcher.until(lambda f: f["type"] == "presence" and not online(f), timeout=10)
    assert time.monotonic() - started < 5  # ping every 0.5 s, dropped after 0.5 s more
    dead.close()
    await watcher.close()
