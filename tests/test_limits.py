"""What an outsider on the Wi-Fi or a hostile participant can send is limited before the work
is done (issue 12, items 4 to 7): bodies while they stream, half-sent and piled-up
connections, sockets and ops per person, cards per board, and every frame on a socket.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import board_of, token_of
from tests.http_client import call
from tests.servers import Server, run_cli, sqlite_url
from tests.wsclient import Client, add_card


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: these limits act before anything reaches the database."""
    return sqlite_url(tmp_path / "brickboard.db")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _connect(server: Server, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.settimeout(10)
    sock.connect(("127.0.0.1", server.port))
    return sock


def _answer(sock: socket.socket) -> tuple[int, bytes]:
    """Read a whole HTTP answer (the server closes after it): status and body."""
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return (int(head.split(b" ")[1]) if head else 0), body


def _post_head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _join_code(server: Server, demo: dict[str, Any]) -> str:
    url = f"{server.url}/api/workshops/{demo['workshop']['id']}/join-code"
    return call("GET", url, token=token_of(demo, "facilitator"))[1]["code"]


def test_bodies_over_their_limit_are_refused_while_they_stream(server, demo) -> None:
    code = _join_code(server, demo)
    fac = token_of(demo, "facilitator")
    board, workshop = board_of(demo), demo["workshop"]["id"]
    before = _rss_kib(server.proc.pid)
    # three 400 MiB joins (the room code is all they need) declared up front: 413 at once
    for _ in range(3):
        sock = _connect(server)
        sock.sendall(
            _post_head(
                f"/api/join/{code}",
                {"Content-Type": "application/json", "Content-Length": str(400 << 20)},
            )
            + b"x" * 65536
        )
        status, body = _answer(sock)
        assert status == 413 and json.loads(body)["error"]["code"] == "too_large"
        sock.close()
    # the same without a Content-Length: counted while it streams, cut just past the limit
    sock = _connect(server)
    sock.sendall(
        _post_head(
            f"/api/join/{code}",
            {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        )
    )
    sent = 0
    try:
        while sent < 64 << 20:
            sock.sendall(b"10000\r\n" + b"x" * 65536 + b"\r\n")
            sent += 65536
    except (BrokenPipeError, ConnectionResetError):
        pass
    status, body = _answer(sock)
    assert status == 413 and "4 KiB" in json.loads(body)["error"]["message"]
    assert sent < 16 << 20, "the server kept reading long after the limit"
    sock.close()
    # restore and import have their limits too, checked before any of it is read
    for path, size in (
        (f"/api/boards/{board}/restore", 1 << 20),
        (f"/api/workshops/{workshop}/boards/import", 400 << 20),
    ):
        sock = _connect(server)
        sock.sendall(
            _post_head(
                path,
                {
                    "Authorization": f"Bearer {fac}",
                    "Content-Type": "application/json",
                    "Content-Length": str(size),
                },
            )
        )
        assert _answer(sock)[0] == 413, path
        sock.close()
    assert _rss_kib(server.proc.pid) - before < 30 * 1024
    assert call("GET", f"{server.url}/healthz")[0] == 200


@pytest.fixture
def guarded_server(db_url: str, demo) -> Iterator[Server]:
    srv = Server(
        db=db_url,
        extra=("--header-timeout", "1", "--max-connections-per-address", "10"),
    ).start()
    yield srv
    srv.stop()


async def test_half_sent_requests_are_cut_and_one_address_cannot_lock_others_out(
    guarded_server, demo
) -> None:
    server = guarded_server
    limits = Path(f"/proc/{server.proc.pid}/limits").read_text()
    soft, hard = next(line for line in limits.splitlines() if "open files" in line).split()[3:5]
    assert soft == hard  # the soft limit was raised to the hard one at start
    half: list[socket.socket] = []
    for _ in range(10):
        sock = _connect(server, "127.0.0.2")
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        half.append(sock)
    extra = _connect(server, "127.0.0.2")
    status, body = _answer(extra)
    assert status == 429 and json.loads(body)["error"]["code"] == "rate_limited"
    # everyone else still gets in, over HTTP and over a socket
    assert call("GET", f"{server.url}/healthz")[0] == 200
    bystander = await Client.open(server.ws_url, board_of(demo), token_of(demo, "expert"))
    assert (await bystander.op(add_card("still-here")))["type"] == "op"
    # the half-sent requests are cut after the header timeout, which frees the address
    started = time.monotonic()
    for sock in half:
        status, _ = await asyncio.to_thread(_answer, sock)
        assert status == 408
        sock.close()
    assert time.monotonic() - started < 8
    again = _connect(server, "127.0.0.2")
    again.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert _answer(again)[0] == 200
    await bystander.close()


@pytest.fixture
def quota_server(db_url: str, tmp_path: Path) -> Iterator[tuple[Server, dict[str, Any]]]:
    csv = tmp_path / "roster.csv"
    csv.write_text(
        "name,role,city,organisation,initiative\nF,facilitator,,Org,\n"
        'M,mayor,"Mesa, AZ",City,Leak detection\nE,expert,,Lab,\nE2,expert,,Lab,\n'
    )
    roster = json.loads(
        run_cli("workshop", "create", "--from", str(csv), "--json", "--db", db_url).stdout
    )
    srv = Server(
        db=db_url,
        extra=("--rate-limit", "5", "--max-sockets-per-person", "3", "--max-cards", "12"),
    ).start()
    yield srv, roster
    srv.stop()


async def test_a_person_is_limited_across_all_their_sockets(quota_server) -> None:
    server, roster = quota_server
    board = roster["boards"][0]["id"]
    expert = token_of(roster, "expert")
    sockets = [await Client.open(server.ws_url, board, expert) for _ in range(3)]
    fourth = await Client.open(server.ws_url, board, expert, hello=False)
    await fourth.send({"type": "hello", "client": "fourth", "since": None, "token": expert})
    refused = await fourth.recv()
    assert refused["code"] == "rate_limited" and "connections open" in refused["message"]
    with pytest.raises(ConnectionClosed):
        await fourth.recv()
    assert fourth.ws.close_code == 4429
    # 30 ops at once over three sockets: the person's burst goes through, the rest is refused
    for n in range(30):
        await sockets[n % 3].send({"type": "op", "id": f"o{n}", "op": add_card(f"c{n}")})

    async def answers_to(client: Client, ids: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        while len(found) < len(ids):
            frame = await client.recv()
            for event in frame["ops"] if frame["type"] == "ops" else [frame]:
                if event.get("id") in ids and event["type"] in ("op", "error"):
                    found[event["id"]] = event.get("code", "applied")
        return found

    answers: dict[str, str] = {}
    for found in await asyncio.gather(
        *(answers_to(s, {f"o{n}" for n in range(k, 30, 3)}) for k, s in enumerate(sockets))
    ):
        answers.update(found)
    applied = sum(1 for a in answers.values() if a == "applied")
    assert 10 <= applied <= 12 and set(answers.values()) == {"applied", "rate_limited"}
    # another person is not slowed by it
    other = await Client.open(server.ws_url, board, token_of(roster, "expert", 1))
    for n in range(5):
        assert (await other.op(add_card(f"other-{n}")))["type"] in ("op", "error")
    _, state = call("GET", f"{server.url}/api/boards/{board}", token=expert)
    assert len(state["cards"]) == 12  # the cap, reached
    over = await other.op(add_card("one-too-many"))
    assert over["code"] == "too_large" and "limit of 12 cards" in over["message"]
    for client in (*sockets, other):
        await client.close()


async def _read_until_closed(client: Client) -> None:
    with pytest.raises(ConnectionClosed):
        while True:
            await client.recv()


@pytest.fixture
def budget_server(db_url: str, demo) -> Iterator[Server]:
    srv = Server(db=db_url, extra=("--frame-rate", "20")).start()
    yield srv
    srv.stop()


async def test_every_frame_counts_and_a_flooder_is_closed_with_a_code(budget_server, demo) -> None:
    server = budget_server
    board = board_of(demo)
    calm = await Client.open(server.ws_url, board, token_of(demo, "expert", 1))
    floods: list[Any] = [
        {"type": "ping"},
        {"type": "presence", "focus": {"section": "problem_vision", "card": None}},
        "{not json",
        b"\x00binary",
    ]
    for n, frame in enumerate(floods):
        flooder = await Client.open(server.ws_url, board, token_of(demo, "expert"))
        reader = asyncio.create_task(_read_until_closed(flooder))
        try:
            for _ in range(500):
                await (flooder.ws.send(frame) if isinstance(frame, bytes) else flooder.send(frame))
                await asyncio.sleep(0)
        except ConnectionClosed:
            pass
        await reader
        assert flooder.ws.close_code == 4429, frame
        assert any(f["type"] == "error" and f["code"] == "rate_limited" for f in flooder.frames), (
            frame
        )
        assert (await calm.op(add_card(f"calm-{n}")))["type"] == "op"
    await calm.close()
