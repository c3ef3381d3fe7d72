"""W1 (fan-out latency) and W2 (throughput), defined as in shared/peer-bench so figures compare.

Every loop is bounded by a count and a deadline; nothing here asserts a timing. What went wrong
(error frames, unexpected closes, seq gaps, missing deliveries) is counted and reported instead.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from figures import percentiles
from loadclient import LoadClient, Trouble, card_add, close_all, connect_many
from procs import Server, Window

now = time.perf_counter


@dataclass(frozen=True)
class W1Size:
    clients: int
    rate: float = 50.0
    duration_s: float = 10.0
    drain_s: float = 20.0


@dataclass(frozen=True)
class W2Size:
    boards: int = 5
    clients_per_board: int = 10
    window: int = 4
    duration_s: float = 10.0
    drain_s: float = 30.0
    max_ops: int = 2_000_000


async def wait_until(cond: Callable[[], bool], timeout: float, every: float = 0.005) -> bool:
    """Poll `cond` until it holds or `timeout` s pass; whether it held."""
    deadline = now() + timeout
    while not cond():
        if now() >= deadline:
            return False
        await asyncio.sleep(every)
    return True


def _board_seq(url: str, board: str, token: str) -> int | None:
    request = urllib.request.Request(
        f"{url}/api/boards/{board}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return int(json.load(r)["seq"])
    except (OSError, ValueError, KeyError):
        return None


async def board_seqs(server: Server, boards: Sequence[str], token: str) -> dict[str, int | None]:
    """Each board's committed seq, read over HTTP: a cross-check that nothing acked was lost."""
    seqs = await asyncio.gather(
        *(asyncio.to_thread(_board_seq, server.url, b, token) for b in boards)
    )
    return dict(zip(boards, seqs, strict=True))


async def _send(client: LoadClient, frame: str) -> bool:
    try:
        await client.send(frame)
    except Exception:  # the socket is gone; its reader records why
        return False
    return True


# ---------------------------------------------------------------------- W1 fan-out latency


async def w1(
    server: Server, board: str, tokens: Sequence[str], size: W1Size, tag: str
) -> dict[str, Any]:
    """N clients on one board; a fixed schedule of ops round-robin; latency at every other."""
    n = size.clients
    trouble = Trouble()
    t_conn = now()
    clients = await connect_many(server.ws_url, [board] * n, tokens[:n], tag, trouble)
    connect_ms = (now() - t_conn) * 1000
    total = round(size.rate * size.duration_s)
    expected = total * (n - 1)
    sent: dict[str, tuple[float, int]] = {}  # op id -> (send time, sender index)
    latencies: list[float] = []
    count = {"delivered": 0, "acked": 0, "foreign": 0, "send_failed": 0}

    def sink(client: LoadClient, event: dict[str, Any], t: float) -> None:
        origin = sent.get(event["id"])
        if origin is None:
            count["foreign"] += 1
        elif origin[1] == client.index:
            count["acked"] += 1
        else:
            count["delivered"] += 1
            latencies.append((t - origin[0]) * 1000)

    try:
        for c in clients:
            c.sink = sink
        await asyncio.sleep(0.2)  # let the join's presence frames pass
        window = Window(server.pid).start()
        interval = 1 / size.rate
        t0 = now() + 0.05
        max_lag = 0.0
        for k in range(total):
            target = t0 + k * interval
            wait = target - now()
            if wait > 0:
                await asyncio.sleep(wait)
            max_lag = max(max_lag, now() - target)
            client = clients[k % n]
            op_id = f"{tag}.{k}"
            sent[op_id] = (now(), client.index)
            if not await _send(client, card_add(op_id)):
                count["send_failed"] += 1
        send_end = now()
        complete = await wait_until(
            lambda: count["delivered"] >= expected and count["acked"] >= total, size.drain_s
        )
        drain_ms = (now() - send_end) * 1000
        usage = await window.stop()
        seqs = await board_seqs(server, [board], tokens[0])
    finally:
        await close_all(clients)
    return {
        "workload": "W1",
        "clients": n,
        "board": board,
        "rate_per_s": size.rate,
        "duration_s": size.duration_s,
        "connect_ms": connect_ms,
        "ops_sent": total,
        "ops_acked": count["acked"],
        "deliveries_expected": expected,
        "deliveries": count["delivered"],
        "all_delivered": count["delivered"] == expected,
        "complete": complete,
        "drain_ms": drain_ms,
        "latency_ms": percentiles(latencies),
        "max_send_lag_ms": max_lag * 1000,
        "board_seq": seqs[board],
        "events_not_ours": count["foreign"],
        "sends_failed": count["send_failed"],
        **usage,
        "trouble": trouble.summary(),
    }


# ---------------------------------------------------------------------- W2 throughput


@dataclass
class _W2Count:
    sent: int = 0
    acked: int = 0
    acked_in_window: int = 0
    full_total: int = 0
    full_in_window: int = 0
    lanes_stalled: int = 0
    lanes_lost: int = 0


async def w2(
    server: Server,
    boards: Sequence[str],
    tokens: Sequence[str],
    size: W2Size,
    tag: str,
    on_window_start: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Boards x clients, each client keeping `window` of its own ops in flight for a while."""
    per = size.clients_per_board
    board_of = [boards[i // per] for i in range(len(boards) * per)]
    trouble = Trouble()
    t_conn = now()
    clients = await connect_many(server.ws_url, board_of, tokens[: len(board_of)], tag, trouble)
    connect_ms = (now() - t_conn) * 1000
    receivers = per - 1
    seen: dict[str, int] = {}  # op id -> clients other than its sender that got its event
    count = _W2Count()
    sent_per_board = dict.fromkeys(boards, 0)
    acks: list[float] = []
    t_end = math.inf

    def sink(client: LoadClient, event: dict[str, Any], t: float) -> None:
        if event["client"] == client.name:
            return  # the sender's own event: its lane takes it as the acknowledgement
        op_id = event["id"]
        n = seen.get(op_id, 0) + 1
        seen[op_id] = n
        if n == receivers:
            count.full_total += 1
            if t <= t_end:
                count.full_in_window += 1

    async def lane(client: LoadClient, lane_no: int, hard_deadline: float) -> None:
        k = 0
        while now() < t_end and count.sent < size.max_ops and client.open:
            op_id = f"{tag}.{client.index}.{lane_no}.{k}"
            k += 1
            ack = client.expect(op_id)
            t_send = now()
            count.sent += 1
            sent_per_board[client.board] += 1
            if not await _send(client, card_add(op_id)):
                count.lanes_lost += 1
                return
            try:
                t_ack = await asyncio.wait_for(ack, max(0.1, hard_deadline - now()))
            except TimeoutError:
                count.lanes_stalled += 1
                return
            if t_ack is None:  # refused, or the socket closed
                count.lanes_lost += 1
                return
            count.acked += 1
            if t_ack <= t_end:
                count.acked_in_window += 1
            acks.append((t_ack - t_send) * 1000)

    try:
        for c in clients:
            c.sink = sink
        await asyncio.sleep(0.2)  # let the join's presence frames pass
        window = Window(server.pid).start()
        if on_window_start is not None:
            on_window_start()
        t0 = now()
        t_end = t0 + size.duration_s
        hard_deadline = t_end + size.drain_s
        lanes = [
            asyncio.create_task(lane(c, li, hard_deadline))
            for c in clients
            for li in range(size.window)
        ]
        await asyncio.sleep(max(0.0, t_end - now()))
        usage = await window.stop()
        elapsed = now() - t0
        t_drain = now()
        await asyncio.wait(lanes, timeout=max(0.1, hard_deadline - now()))
        complete = await wait_until(
            lambda: count.full_total >= count.sent, max(0.0, hard_deadline - now()), 0.01
        )
        drain_ms = (now() - t_drain) * 1000
        for task in lanes:
            task.cancel()
        await asyncio.gather(*lanes, return_exceptions=True)
        seqs = await board_seqs(server, boards, tokens[0])
    finally:
        await close_all(clients)
    ack = percentiles(acks)
    return {
        "workload": "W2",
        "boards": len(boards),
        "clients_per_board": per,
        "window_per_client": size.window,
        "duration_s": elapsed,
        "connect_ms": connect_ms,
        "ops_sent": count.sent,
        "ops_acked": count.acked,
        "acked_per_s": count.acked_in_window / elapsed,
        "fully_delivered_in_window": count.full_in_window,
        "fully_delivered_total": count.full_total,
        "delivered_per_s": count.full_in_window / elapsed,
        "deliveries_per_s": count.full_in_window * receivers / elapsed,
        "all_delivered": count.full_total == count.sent,
        "complete": complete,
        "drain_ms": drain_ms,
        "ack_latency_ms": {"p50": ack["p50"], "p99": ack["p99"], "max": ack["max"]},
        "lanes_stalled": count.lanes_stalled,
        "lanes_lost": count.lanes_lost,
        "sent_per_board": sent_per_board,
        "board_seq": seqs,
        "board_seq_matches_sent": all(seqs[b] == sent_per_board[b] for b in boards),
        **usage,
        "trouble": trouble.summary(),
    }
