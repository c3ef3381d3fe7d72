"""W1 to W6, defined as in shared/peer-bench (W6 is ours: a day close under load).

The clients live in the load-client processes (pool.py); this module tells them what to do,
measures the servers meanwhile, and merges what they saw. Every loop is bounded by a count and
a deadline; nothing here asserts a timing. What went wrong (error frames, unexpected closes,
seq gaps, missing deliveries, lost ops) is counted and reported instead.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from figures import percentiles
from loadclient import card_id, timed_join
from pool import ClientPool, Spec
from procs import Profiler, Server, Window, cpu_seconds, rss_kib

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


@dataclass(frozen=True)
class W4Size:
    cards: int = 10_000
    window: int = 16
    warm_joins: int = 5
    cold_joins: int = 3


@dataclass(frozen=True)
class W5Size:
    clients: int = 500
    boards: int = 50
    settle_s: float = 3.0
    samples: int = 5


@dataclass(frozen=True)
class W6Size:
    boards: int = 50
    cards_per_board: int = 200
    clients: int = 50
    rate: float = 50.0
    duration_s: float = 10.0
    close_at_s: float = 2.0
    drain_s: float = 20.0


@dataclass
class Sizes:
    w1: list[W1Size]
    w2: W2Size
    w4: W4Size
    w5: W5Size
    w6: W6Size


def full_sizes() -> Sizes:
    return Sizes([W1Size(10), W1Size(50), W1Size(200)], W2Size(), W4Size(), W5Size(), W6Size())


def quick_sizes() -> Sizes:
    """Tiny sizes for CI: every workload runs, in well under a minute."""
    return Sizes(
        [W1Size(5, duration_s=2)],
        W2Size(boards=2, clients_per_board=5, duration_s=2),
        W4Size(cards=300, warm_joins=2, cold_joins=1),
        W5Size(clients=20, boards=2, settle_s=1, samples=3),
        W6Size(boards=5, cards_per_board=20, clients=5, duration_s=2, close_at_s=0.5),
    )


@dataclass
class Ctx:
    """What the workloads share: the servers, the client processes, what else to measure."""

    servers: list[Server]
    pool: ClientPool
    db_pids: Callable[[], Awaitable[list[int]]]
    broker_pids: list[int] = field(default_factory=list)
    profilers: dict[str, Profiler] = field(default_factory=dict)
    profiles: dict[str, dict[str, object]] = field(default_factory=dict)

    def spec(self, i: int, board: str, token: str, tag: str) -> Spec:
        """Client i: its process is i mod P, its server (i // P) mod S (see pool.py)."""
        server = self.servers[(i // self.pool.count) % len(self.servers)]
        return Spec(server.ws_url, board, token, f"{tag}-{i}", i)

    async def window(self) -> Window:
        return Window(
            servers=[s.pid for s in self.servers],
            clients=self.pool.pids,
            db=await self.db_pids(),
            broker=self.broker_pids,
        ).start()

    def profile_start(self, key: str) -> None:
        profiler = self.profilers.get(key)
        if profiler is not None:
            profiler.start(self.servers[0].pid)

    async def profile_finish(self, key: str) -> None:
        profiler = self.profilers.pop(key, None)
        if profiler is not None:
            self.profiles[key] = await asyncio.to_thread(profiler.finish)

    async def restart(self) -> list[dict[str, object]]:
        """SIGTERM every server at once, wait for each, start them again on the same data."""
        for s in self.servers:
            s.terminate()
        exits = [await asyncio.to_thread(s.stop) for s in self.servers]
        for s in self.servers:
            await asyncio.to_thread(s.start)
        return [e for e in exits if e is not None]


def _http(
    url: str, token: str, method: str = "GET", body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")[:300]


async def board_state(server: Server, board: str, token: str) -> dict[str, Any] | None:
    status, body = await asyncio.to_thread(_http, f"{server.url}/api/boards/{board}", token)
    return body if status == 200 else None


async def board_seqs(server: Server, boards: Sequence[str], token: str) -> dict[str, int | None]:
    """Each board's committed seq, read over HTTP: a cross-check that nothing acked was lost."""
    states = await asyncio.gather(*(board_state(server, b, token) for b in boards))
    return {b: (s["seq"] if s else None) for b, s in zip(boards, states, strict=True)}


def merge_trouble(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    errors: Counter[str] = Counter()
    for p in parts:
        errors.update(p["error_frames"])
    return {
        "error_frames": dict(errors),
        "error_samples": [s for p in parts for s in p["error_samples"]][:10],
        "unexpected_closes": [c for p in parts for c in p["unexpected_closes"]][:20],
        "seq_anomalies": sum(p["seq_anomalies"] for p in parts),
        "seq_samples": [s for p in parts for s in p["seq_samples"]][:10],
    }


# ---------------------------------------------------------------------- W1 fan-out latency


async def w1(
    ctx: Ctx,
    board: str,
    tokens: Sequence[str],
    size: W1Size,
    tag: str,
    group: str = "w1",
    during: Callable[[float], Awaitable[dict[str, Any]]] | None = None,
    profile: str | None = None,
) -> dict[str, Any]:
    """N clients on one board; a fixed schedule of ops round-robin; latency at every other.

    `during(t0)`, when given, runs alongside the schedule (W6's day close) and its result is
    returned under `during`, with the latencies of the ops sent while it ran.
    """
    n = size.clients
    specs = [ctx.spec(i, board, tokens[i % len(tokens)], tag) for i in range(n)]
    conn = await ctx.pool.connect(specs, group)
    total = round(size.rate * size.duration_s)
    target = conn["seqs"][board] + total
    try:
        await asyncio.sleep(0.3)  # let the join's presence frames pass
        window = await ctx.window()
        if profile:
            ctx.profile_start(profile)
        t0 = now() + 0.2
        cmd = {
            "cmd": "w1",
            "group": group,
            "t0": t0,
            "rate": size.rate,
            "total": total,
            "n": n,
            "drain_s": size.drain_s,
            "tag": tag,
            "target_seq": {board: target},
        }
        side = asyncio.create_task(during(t0)) if during else None
        replies = await ctx.pool.each(cmd, timeout=size.duration_s + size.drain_s + 60)
        usage = await window.stop()
        side_result = await side if side else None
        if profile:
            await ctx.profile_finish(profile)
        seqs = await board_seqs(ctx.servers[0], [board], tokens[0])
    finally:
        await ctx.pool.close(group)
    latencies = [x for r in replies for x in r["latency_ms"]]
    expected = total * (n - 1)
    delivered = sum(r["delivered"] for r in replies)
    out: dict[str, Any] = {
        "workload": "W1",
        "clients": n,
        "board": board,
        "rate_per_s": size.rate,
        "duration_s": size.duration_s,
        "connect_ms": conn["connect_ms"],
        "ops_sent": sum(r["sent"] for r in replies),
        "ops_acked": sum(r["acked"] for r in replies),
        "deliveries_expected": expected,
        "deliveries": delivered,
        "all_delivered": delivered == expected,
        "complete": all(r["complete"] for r in replies),
        "latency_ms": percentiles(latencies),
        "max_send_lag_ms": max(r["max_send_lag_ms"] for r in replies),
        "board_seq": seqs[board],
        "board_seq_matches_sent": seqs[board] == target,
        "sends_failed": sum(r["send_failed"] for r in replies),
        **usage,
        "trouble": merge_trouble([r["trouble"] for r in replies]),
    }
    if side_result is not None:
        t_a, t_b = side_result["t_start"], side_result["t_end"]
        inside = [
            lat
            for r in replies
            for sent, lat in zip(r["sent_at"], r["latency_ms"], strict=True)
            if t_a <= sent <= t_b
        ]
        side_result["latency_ms_of_ops_sent_meanwhile"] = percentiles(inside)
        out["during"] = side_result
    return out


# ---------------------------------------------------------------------- W2 throughput


async def w2(
    ctx: Ctx,
    boards: Sequence[str],
    tokens: Sequence[str],
    size: W2Size,
    tag: str,
    profile: str | None = None,
) -> dict[str, Any]:
    """Boards x clients, each client keeping `window` of its own ops in flight for a while.

    The clients stay connected afterwards (W3 stops the server under them); the caller closes
    them. The acknowledged op ids are returned under `_acked_ids` for W3.
    """
    per = size.clients_per_board
    specs = [
        ctx.spec(i, boards[i // per], tokens[i % len(tokens)], tag)
        for i in range(len(boards) * per)
    ]
    conn = await ctx.pool.connect(specs, "w2")
    base = {b: conn["seqs"][b] for b in boards}
    await asyncio.sleep(0.3)
    window = await ctx.window()
    if profile:
        ctx.profile_start(profile)
    t_start = now() + 0.2
    cmd = {
        "cmd": "w2",
        "group": "w2",
        "t_start": t_start,
        "duration": size.duration_s,
        "window": size.window,
        "drain_s": size.drain_s,
        "tag": tag,
    }
    running = asyncio.create_task(ctx.pool.each(cmd, timeout=size.duration_s + size.drain_s + 60))
    await asyncio.sleep(max(0.0, t_start + size.duration_s - now()))
    usage = await window.stop()
    if profile:
        await ctx.profile_finish(profile)
    t_drain = now()
    replies = await running
    sent_per_board: Counter[str] = Counter()
    in_window: Counter[str] = Counter()
    for r in replies:
        sent_per_board.update(r["sent_per_board"])
        in_window.update(r["in_window"])
    targets = {b: base[b] + sent_per_board[b] for b in boards}
    settled = await ctx.pool.each(
        {"cmd": "settle", "group": "w2", "targets": targets, "timeout_s": size.drain_s}
    )
    drain_ms = (now() - t_drain) * 1000
    seqs = await board_seqs(ctx.servers[0], boards, tokens[0])
    lanes = [lane for r in replies for lane in r["lanes"]]
    acked_ids = [f"{tag}.{ci}.{li}.{k}" for ci, li, _, acked in lanes for k in range(acked)]
    sent = sum(sent_per_board.values())
    full_in_window = sum(1 for n in in_window.values() if n >= per - 1)
    ack = percentiles([x for r in replies for x in r["ack_ms"]])
    duration = size.duration_s
    return {
        "workload": "W2",
        "boards": len(boards),
        "clients_per_board": per,
        "window_per_client": size.window,
        "duration_s": duration,
        "connect_ms": conn["connect_ms"],
        "ops_sent": sent,
        "ops_acked": len(acked_ids),
        "acked_per_s": sum(r["acked_in_window"] for r in replies) / duration,
        "fully_delivered_in_window": full_in_window,
        "delivered_per_s": full_in_window / duration,
        "all_delivered": all(s["complete"] for s in settled),
        "clients_behind": sum(s["behind_count"] for s in settled),
        "drain_ms": drain_ms,
        "ack_latency_ms": {"p50": ack["p50"], "p99": ack["p99"], "max": ack["max"]},
        "lanes_stalled": sum(r["lanes_stalled"] for r in replies),
        "lanes_lost": sum(r["lanes_lost"] for r in replies),
        "sent_per_board": dict(sent_per_board),
        "board_seq": seqs,
        "board_seq_matches_sent": all(seqs[b] == targets[b] for b in boards),
        **usage,
        "trouble": merge_trouble([s["trouble"] for s in settled]),
        "_acked_ids": acked_ids,
        "_sent_per_board": dict(sent_per_board),
    }


# ---------------------------------------------------------------------- W3 durability


async def w3(ctx: Ctx, w2_out: dict[str, Any], token: str) -> dict[str, Any]:
    """Right after W2, SIGTERM with W2's clients still connected; restart on the same data;
    every acknowledged op must be there (read back as cards over GET /api/boards/{id})."""
    acked_ids: list[str] = w2_out.pop("_acked_ids")
    sent_per_board: dict[str, int] = w2_out.pop("_sent_per_board")
    t0 = now()
    exits = await ctx.restart()  # the W2 sockets are still open while the servers drain
    restart_ms = (now() - t0) * 1000
    await ctx.pool.close("w2")
    cards: set[str] = set()
    present = 0
    for board in sent_per_board:
        state = await board_state(ctx.servers[-1], board, token)  # the other process, if two
        if state is not None:
            cards.update(state["cards"])
            present += len(state["cards"])
    acked_present = sum(1 for op_id in acked_ids if card_id(op_id) in cards)
    sent = sum(sent_per_board.values())
    return {
        "workload": "W3",
        "ops_sent": sent,
        "ops_acked": len(acked_ids),
        "acked_present": acked_present,
        "acked_lost": len(acked_ids) - acked_present,
        "durable_pct": 100 * acked_present / len(acked_ids) if acked_ids else None,
        "cards_present": present,
        "stop": exits,
        "stop_and_restart_ms": restart_ms,
    }


# ---------------------------------------------------------------------- W4 join


async def _wait_idle(pids: list[int], timeout: float) -> float:
    """Until the servers used < 2% CPU over 0.5 s (bounded): W4 measures loading, not saving."""
    t0 = now()
    await asyncio.sleep(0.5)
    while now() - t0 < timeout:
        c0 = sum(cpu_seconds(p) or 0.0 for p in pids)
        await asyncio.sleep(0.5)
        if (sum(cpu_seconds(p) or 0.0 for p in pids) - c0) / 0.5 < 0.02:
            break
    return (now() - t0) * 1000


async def w4(ctx: Ctx, board: str, tokens: Sequence[str], size: W4Size, tag: str) -> dict[str, Any]:
    """A board of `cards` cards; joins timed to the decoded `welcome`, warm and after restarts.

    Warm joins go to each server in turn (with two, the first join on the other process also
    opens the room there). A cold join follows a restart of every server.
    """
    await ctx.pool.connect([ctx.spec(0, board, tokens[0], f"{tag}-loader")], "w4")
    try:
        fill = await ctx.pool.each(
            {"cmd": "fill", "group": "w4", "ops": size.cards, "window": size.window,
             "tag": f"{tag}.fill", "timeout_s": 300},
            timeout=360,
        )  # fmt: skip
        loaded = sum(r["acked"] for r in fill)
        fill_s = max(r["seconds"] for r in fill)
        warm = []
        for i in range(size.warm_joins):
            server = ctx.servers[i % len(ctx.servers)]
            warm.append(await timed_join(server.ws_url, board, tokens[1 + i], f"{tag}-warm{i}"))
            await asyncio.sleep(0.2)
    finally:
        await ctx.pool.close("w4")
    quiesce_ms = await _wait_idle([s.pid for s in ctx.servers], 30)
    cold = []
    for i in range(size.cold_joins):
        await ctx.restart()
        cold.append(await timed_join(ctx.servers[0].ws_url, board, tokens[0], f"{tag}-cold{i}"))
    return {
        "workload": "W4",
        "cards": loaded,
        "fill_s": fill_s,
        "fill_ops_per_s": loaded / fill_s if fill_s else None,
        "warm_join_ms_median": statistics.median(j["ms"] for j in warm) if warm else None,
        "cold_join_ms_median": statistics.median(j["ms"] for j in cold) if cold else None,
        "all_cards_seen": all(j["cards"] == loaded for j in warm + cold),
        "welcome_kib": warm[0]["welcome_bytes"] / 1024 if warm else None,
        "warm_joins": warm,
        "cold_joins": cold,
        "quiesce_before_restart_ms": quiesce_ms,
    }


# ---------------------------------------------------------------------- W5 idle memory


async def _rss_mean(pids: list[int], samples: int, every: float = 0.2) -> float:
    """Mean over `samples` samples of the servers' summed RSS, in KiB."""
    xs = []
    for _ in range(samples):
        xs.append(sum(rss_kib(p) or 0 for p in pids))
        await asyncio.sleep(every)
    return sum(xs) / len(xs)


async def w5(
    ctx: Ctx, boards: Sequence[str], tokens: Sequence[str], size: W5Size, tag: str
) -> dict[str, Any]:
    """A fresh server; RSS with 0 and with `clients` idle sockets over `boards` new boards."""
    exits = await ctx.restart()
    pids = [s.pid for s in ctx.servers]
    await asyncio.sleep(size.settle_s)
    rss0 = await _rss_mean(pids, size.samples)
    per = -(-size.clients // size.boards)
    specs = [
        ctx.spec(i, boards[i // per], tokens[i % len(tokens)], tag) for i in range(size.clients)
    ]
    try:
        conn = await ctx.pool.connect(specs, "w5")
        await asyncio.sleep(size.settle_s)
        rss1 = await _rss_mean(pids, size.samples)
    finally:
        await ctx.pool.close("w5")
    return {
        "workload": "W5",
        "clients": size.clients,
        "boards": size.boards,
        "connect_ms": conn["connect_ms"],
        "rss_idle_mib": rss0 / 1024,
        "rss_loaded_mib": rss1 / 1024,
        "kib_per_connection": (rss1 - rss0) / size.clients,
        "stop": exits,
    }


# ---------------------------------------------------------------------- W6 day close


async def w6(ctx: Ctx, workshop: dict[str, Any], size: W6Size, tag: str) -> dict[str, Any]:
    """A day close of `boards` busy boards while W1-like load runs on one of them.

    The boards each get `cards_per_board` cards and keep one client connected (busy rooms).
    W1 (N=`clients`, `rate` ops/s) runs first on board 0 without a close, then on board 1
    with the close of day 1 fired `close_at_s` into the schedule.
    """
    boards = [b["id"] for b in workshop["boards"]][: size.boards]
    people = workshop["participants"]
    boss = next(p["token"] for p in people if p["role"] == "facilitator")
    experts = [p["token"] for p in people if p["role"] == "expert"]
    workshop_id = workshop["workshop"]["id"]
    server = ctx.servers[0]
    days = {"days": [{"day": 1, "date": "2099-01-01"}, {"day": 2, "date": "2099-01-02"}]}
    status, body = await asyncio.to_thread(
        _http, f"{server.url}/api/workshops/{workshop_id}", boss, "PATCH", days
    )
    if status != 200:
        raise RuntimeError(f"W6: could not set the workshop's days: {status} {body}")
    holders = [ctx.spec(i, b, experts[i % len(experts)], f"{tag}-h") for i, b in enumerate(boards)]
    await ctx.pool.connect(holders, "w6-boards")
    try:
        fill = await ctx.pool.each(
            {"cmd": "fill", "group": "w6-boards", "ops": size.cards_per_board, "window": 4,
             "tag": f"{tag}.fill", "timeout_s": 300},
            timeout=360,
        )  # fmt: skip
        load = W1Size(size.clients, size.rate, size.duration_s, size.drain_s)
        await asyncio.sleep(0.5)
        without = await w1(ctx, boards[0], experts, load, f"{tag}a")
        await asyncio.sleep(0.5)

        async def close_day(t0: float) -> dict[str, Any]:
            await asyncio.sleep(max(0.0, t0 + size.close_at_s - now()))
            t_start = now()
            url = f"{server.url}/api/workshops/{workshop_id}/days/1/close"
            status, body = await asyncio.to_thread(_http, url, boss, "POST", {})
            t_end = now()
            snapshots = len(body["snapshots"]) if isinstance(body, dict) else 0
            return {
                "t_start": t_start,
                "t_end": t_end,
                "close_ms": (t_end - t_start) * 1000,
                "status": status,
                "snapshots": snapshots,
                "error": None if status == 201 else str(body)[:300],
            }

        with_close = await w1(ctx, boards[1], experts, load, f"{tag}b", during=close_day)
    finally:
        await ctx.pool.close("w6-boards")
    close = with_close.pop("during")
    p99_without, p99_with = without["latency_ms"]["p99"], with_close["latency_ms"]["p99"]
    return {
        "workload": "W6",
        "boards": len(boards),
        "cards_per_board": sum(r["acked"] for r in fill) / len(boards),
        "close_ms": close["close_ms"],
        "close_status": close["status"],
        "close_error": close["error"],
        "snapshots": close["snapshots"],
        "p99_without_ms": p99_without,
        "p99_with_ms": p99_with,
        "p99_ratio": p99_with / p99_without if p99_without and p99_with else None,
        "latency_ms_of_ops_sent_during_close": close["latency_ms_of_ops_sent_meanwhile"],
        "without": without,
        "with_close": with_close,
    }
