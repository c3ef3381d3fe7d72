"""A load-client process: it hosts some of a workload's clients and is driven over a pipe.

The benchmark spreads its clients over several of these processes, so one Python process
parsing every frame is not what limits a run; the orchestrator reads each one's CPU from /proc
(bench/README.md, "Is the load client the bottleneck?"). Each command is one JSON line on stdin
and gets one JSON line on stdout. Every wait here is bounded by a deadline the command gives.

    connect  open sockets: {"clients": [{"url", "board", "token", "name", "index"}]}
    w1       fan-out: send op k at t0 + k/rate from the client whose index is k mod n
    w2       throughput: every client keeps `window` ops in flight until t_start + duration
    settle   wait until every client has seen its board's seq reach a target
    fill     every client adds `ops` cards, `window` in flight (W4, W6 set-up)
    close    close every socket (and forget the clients)
    exit
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from loadclient import LoadClient, Trouble, card_add, close_all, sent_at

now = time.perf_counter


class Worker:
    """The clients of this process, and the commands that drive them."""

    def __init__(self) -> None:
        self.groups: dict[str, list[LoadClient]] = {}
        self.troubles: dict[str, Trouble] = {}

    def _group(self, cmd: dict[str, Any]) -> tuple[list[LoadClient], Trouble]:
        """A command acts on one named group of clients (W6 keeps one open under another)."""
        name = cmd.get("group", "main")
        return self.groups.setdefault(name, []), self.troubles.setdefault(name, Trouble())

    # ------------------------------------------------------------------ commands

    async def connect(self, cmd: dict[str, Any]) -> dict[str, Any]:
        clients, trouble = self._group(cmd)
        specs = cmd["clients"]
        gate = asyncio.Semaphore(int(cmd.get("concurrency", 10)))
        made: list[LoadClient | None] = [None] * len(specs)

        async def one(i: int, s: dict[str, Any]) -> None:
            async with gate:
                made[i] = await LoadClient.connect(
                    s["url"], s["board"], s["token"], s["name"], s["index"], trouble
                )

        t0 = now()
        try:
            async with asyncio.TaskGroup() as group:
                for i, s in enumerate(specs):
                    group.create_task(one(i, s))
        except BaseException:
            await close_all([c for c in made if c is not None])
            raise
        clients += [c for c in made if c is not None]
        seqs: dict[str, int] = {}
        for c in clients:
            seqs[c.board] = max(seqs.get(c.board, 0), c.seq)
        return {"connected": len(specs), "connect_ms": (now() - t0) * 1000, "seqs": seqs}

    async def w1(self, cmd: dict[str, Any]) -> dict[str, Any]:
        clients, trouble = self._group(cmd)
        t0, rate, total, n = cmd["t0"], cmd["rate"], cmd["total"], cmd["n"]
        by_index = {c.index: c for c in clients}
        sends: list[float] = []  # send time of each delivery, for W6's "during the close"
        lat: list[float] = []
        count = Counter[str]()

        def sink(client: LoadClient, event: dict[str, Any], t: float) -> None:
            if event["client"] == client.name:
                count["acked"] += 1
                return
            sent = sent_at(event)
            sends.append(round(sent, 6))
            lat.append(round((t - sent) * 1000, 4))

        for c in clients:
            c.sink = sink
        cpu0 = time.process_time()
        max_lag = 0.0
        for k in range(total):
            client = by_index.get(k % n)
            if client is None:
                continue
            target = t0 + k / rate
            wait = target - now()
            if wait > 0:
                await asyncio.sleep(wait)
            max_lag = max(max_lag, now() - target)
            t = now()
            count["sent"] += 1
            if not await _send(client, card_add(f"{cmd['tag']}.{k}", t)):
                count["send_failed"] += 1
        targets = cmd["target_seq"]
        complete = await _wait(
            lambda: all(c.seq >= targets[c.board] for c in clients), cmd["drain_s"]
        )
        for c in clients:
            c.sink = None
        return {
            "sent": count["sent"],
            "acked": count["acked"],
            "send_failed": count["send_failed"],
            "delivered": len(lat),
            "latency_ms": lat,
            "sent_at": sends,
            "max_send_lag_ms": max_lag * 1000,
            "complete": complete,
            "cpu_s": time.process_time() - cpu0,
            "trouble": trouble.summary(),
        }

    async def w2(self, cmd: dict[str, Any]) -> dict[str, Any]:
        clients, _ = self._group(cmd)
        t_end = cmd["t_start"] + cmd["duration"]
        hard_deadline = t_end + cmd["drain_s"]
        window, tag = cmd["window"], cmd["tag"]
        in_window = Counter[str]()  # op id -> receivers (not its sender) that got it in time
        acks: list[float] = []
        lanes_out: list[list[Any]] = []
        sent_per_board = Counter[str]()
        count = Counter[str]()

        def sink(client: LoadClient, event: dict[str, Any], t: float) -> None:
            if event["client"] != client.name and t <= t_end:
                in_window[event["id"]] += 1

        async def lane(client: LoadClient, lane_no: int) -> None:
            sent = acked = 0
            try:
                while now() < t_end and client.open:
                    op_id = f"{tag}.{client.index}.{lane_no}.{sent}"
                    ack = client.expect(op_id)
                    t_send = now()
                    sent += 1
                    sent_per_board[client.board] += 1
                    if not await _send(client, card_add(op_id, t_send)):
                        count["lanes_lost"] += 1
                        return
                    try:
                        t_ack = await asyncio.wait_for(ack, max(0.1, hard_deadline - now()))
                    except TimeoutError:
                        count["lanes_stalled"] += 1
                        return
                    if t_ack is None:  # refused, or the socket closed
                        count["lanes_lost"] += 1
                        return
                    acked += 1
                    if t_ack <= t_end:
                        count["acked_in_window"] += 1
                    acks.append(round((t_ack - t_send) * 1000, 3))
            finally:
                lanes_out.append([client.index, lane_no, sent, acked])

        for c in clients:
            c.sink, c.heads_only = sink, True
        await asyncio.sleep(max(0.0, cmd["t_start"] - now()))
        tasks = [asyncio.create_task(lane(c, i)) for c in clients for i in range(window)]
        await asyncio.wait(tasks, timeout=max(0.1, hard_deadline - now()))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for c in clients:
            c.sink, c.heads_only = None, False
        return {
            "lanes": lanes_out,
            "sent_per_board": dict(sent_per_board),
            "acked_in_window": count["acked_in_window"],
            "lanes_stalled": count["lanes_stalled"],
            "lanes_lost": count["lanes_lost"],
            "ack_ms": acks,
            "in_window": dict(in_window),
        }

    async def settle(self, cmd: dict[str, Any]) -> dict[str, Any]:
        clients, trouble = self._group(cmd)
        targets = cmd["targets"]
        t0 = now()
        complete = await _wait(
            lambda: all(c.seq >= targets.get(c.board, 0) for c in clients),
            cmd["timeout_s"],
            0.01,
        )
        behind = [
            [c.name, c.seq, targets[c.board]] for c in clients if c.seq < targets.get(c.board, 0)
        ]
        return {
            "complete": complete,
            "waited_ms": (now() - t0) * 1000,
            "behind": behind[:10],
            "behind_count": len(behind),
            "trouble": trouble.summary(),
        }

    async def fill(self, cmd: dict[str, Any]) -> dict[str, Any]:
        clients, _ = self._group(cmd)
        ops, window, tag = cmd["ops"], cmd["window"], cmd["tag"]
        deadline = now() + cmd["timeout_s"]
        count = Counter[str]()

        async def lane(client: LoadClient, lane_no: int) -> None:
            for k in range(lane_no, ops, window):
                if now() >= deadline or not client.open:
                    return
                op_id = f"{tag}.{client.index}.{k}"
                ack = client.expect(op_id)
                if not await _send(client, card_add(op_id, now())):
                    return
                try:
                    t_ack = await asyncio.wait_for(ack, max(0.1, deadline - now()))
                except TimeoutError:
                    return
                count["acked" if t_ack is not None else "refused"] += 1

        t0 = now()
        await asyncio.gather(*(lane(c, i) for c in clients for i in range(window)))
        return {"acked": count["acked"], "refused": count["refused"], "seconds": now() - t0}

    async def close(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Close one group, or every group when none is named."""
        names = [cmd["group"]] if "group" in cmd else list(self.groups)
        closed = 0
        for name in names:
            clients = self.groups.pop(name, [])
            self.troubles.pop(name, None)
            closed += len(clients)
            await close_all(clients)
        return {"closed": closed}

    def all_clients(self) -> list[LoadClient]:
        return [c for group in self.groups.values() for c in group]


async def _send(client: LoadClient, frame: str) -> bool:
    try:
        await client.send(frame)
    except Exception:  # the socket is gone; its reader records why
        return False
    return True


async def _wait(cond: Callable[[], bool], timeout: float, every: float = 0.005) -> bool:
    deadline = now() + timeout
    while not cond():
        if now() >= deadline:
            return False
        await asyncio.sleep(every)
    return True


async def serve() -> None:
    """Read commands until `exit` or end of input; answer each with one JSON line."""
    worker = Worker()
    handlers = {
        "connect": worker.connect,
        "w1": worker.w1,
        "w2": worker.w2,
        "settle": worker.settle,
        "fill": worker.fill,
        "close": worker.close,
    }
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            cmd = json.loads(line)
            if cmd["cmd"] == "exit":
                return
            try:
                reply = await handlers[cmd["cmd"]](cmd)
            except Exception as exc:
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            sys.stdout.write(json.dumps(reply, separators=(",", ":")) + "\n")
            sys.stdout.flush()
    finally:
        await close_all(worker.all_clients())


def main() -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve())
    else:
        uvloop.run(serve())


if __name__ == "__main__":
    main()
