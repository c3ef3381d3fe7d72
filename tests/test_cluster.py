"""Several server processes on one PostgreSQL and one Redis: one order per board, no loss."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.conftest import fresh_pg_database, token_of
from tests.http_client import call
from tests.live_replica import LiveClient
from tests.servers import Server, demo_roster, free_port
from tests.wsclient import Client, add_card


class Redis:
    """A Redis of the test's own on a free port, so the test may stop and restart it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            )
            if ping.stdout.strip() == "PONG":
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def redis() -> Iterator[Redis]:
    r = Redis().start()
    yield r
    r.stop()


@pytest.fixture
def cluster(redis: Redis):
    db = fresh_pg_database()
    demo = demo_roster(db)
    extra = ("--rate-limit", "0", "--broker", redis.url)
    servers = [Server(db=db, extra=extra).start() for _ in range(2)]
    yield servers, demo
    for s in servers:
        s.stop()


async def test_clients_on_two_processes_see_every_op_in_one_gap_free_order(cluster):
    (a, b), demo = cluster
    board = demo["boards"][0]["id"]
    clients = [
        await Client.open((a if n % 2 else b).ws_url, board, token_of(demo, "expert", n))
        for n in range(4)
    ]
    start = clients[0].welcome["seq"]

    async def burst(c: Client) -> None:
        for i in range(25):
            await c.send({"type": "op", "id": f"{c.name}-{i}", "op": add_card(f"{c.name}-{i}")})

    await asyncio.gather(*(burst(c) for c in clients))
    seen = await asyncio.gather(*(c.events_until_seq(start + 100, timeout=30) for c in clients))
    orders = [[(e["seq"], e["id"]) for e in events] for events in seen]
    assert all(order == orders[0] for order in orders)
    assert [s for s, _ in orders[0]] == list(range(start + 1, start + 101))
    for c in clients:
        await c.close()


async def test_killing_one_process_loses_no_acknowledged_op_and_its_clients_move_over(cluster):
    (a, b), demo = cluster
    board = demo["boards"][1]["id"]
    on_a = LiveClient(a.ws_url, board, token_of(demo, "expert", 0), "onA")
    on_b = LiveClient(b.ws_url, board, token_of(demo, "expert", 1), "onB")
    assert await on_a.connect() and await on_b.connect()
    for i in range(30):
        await on_a.send(add_card(f"a{i}"))
        await on_b.send(add_card(f"b{i}"))
    await asyncio.sleep(0.05)  # let some of them through before the crash
    a.kill()
    on_a.url = on_a.url.replace(f":{a.port}/", f":{b.port}/")  # the balancer sends it to B
    await on_a.settle(timeout=30)
    await on_b.settle(timeout=30)
    log = (await Client.open(b.ws_url, board, token_of(demo, "facilitator"), since=0)).welcome[
        "ops"
    ]
    ids = [e["id"] for e in log]
    assert len(ids) == len(set(ids)) and [e["seq"] for e in log] == list(range(1, len(log) + 1))
    assert set(on_a.replica.acked) | set(on_b.replica.acked) <= set(ids)
    assert len(on_a.replica.acked) == len(on_b.replica.acked) == 30
    await on_a.close()
    await on_b.close()


async def test_a_redis_restart_is_survived_by_filling_the_gap_from_the_database(cluster, redis):
    (a, b), demo = cluster
    board = demo["boards"][2]["id"]
    writer = await Client.open(a.ws_url, board, token_of(demo, "expert", 0))
    reader = await Client.open(b.ws_url, board, token_of(demo, "expert", 1))
    first = await writer.op(add_card("before"))
    assert (await reader.events_until_seq(first["seq"]))[-1]["id"] == first["id"]
    redis.stop()
    during = await writer.op(add_card("while-redis-is-down"))  # committed, not announced
    got = await reader.events_until_seq(during["seq"], timeout=15)  # found in the database
    assert got[-1]["id"] == during["id"]
    redis.start()
    after = await writer.op(add_card("after"))
    got = await reader.events_until_seq(after["seq"], timeout=15)
    assert got[-1]["id"] == after["id"]
    await writer.close()
    await reader.close()


async def test_a_restore_on_one_process_updates_the_board_list_everyone_reads(cluster):
    (a, b), demo = cluster
    board, fac = demo["boards"][3]["id"], token_of(demo, "facilitator")
    writer = await Client.open(a.ws_url, board, fac)
    await writer.op({"kind": "board.update", "set": {"title": "Sensor pilot"}})
    status, taken = call(
        "POST", f"{a.url}/api/boards/{board}/snapshots", {"label": "named"}, token=fac
    )
    assert status == 201
    await writer.op({"kind": "board.update", "set": {"title": "Renamed later"}})
    snapshot = taken["snapshots"][0]["id"]
    status, _ = call(
        "POST", f"{a.url}/api/boards/{board}/restore", {"snapshot": snapshot}, token=fac
    )
    assert status == 200
    for server in (a, b):
        _, me = call("GET", f"{server.url}/api/me", token=fac)
        assert next(x for x in me["boards"] if x["id"] == board)["title"] == "Sensor pilot"
    await writer.close()
