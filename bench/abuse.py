"""The abuse benchmark (issue 12): what an outsider and a hostile participant can do to a room.

    /work/venv/bin/python bench/abuse.py [--repeat N] [--window S] [--ref REF] [--out FILE]

Each phase gets a fresh server with the limits a workshop runs with (no --rate-limit 0), on a
SQLite file, and eight honest participants on two boards, each editing its own card ten times
a second. For `--window` seconds the honest load runs alone (the "before" figures), then as
long again with one attack running beside it:

- `big bodies` (an outsider with the room code): three connections at a time POST 400 MiB
  to the join route, declared in Content-Length and, on another three, chunked;
- `half-open` (an outsider): up to 1,100 connections from one address, each sending half a
  request and never the rest;
- `card flood` (an expert): every socket the server lets them open, sending card.add as fast
  as the socket takes it;
- `frame flood` (an expert): four sockets sending pings, presence and unparsable frames as
  fast as they can.

It prints, per phase, the server's memory (before, the peak during the attack, and after),
the honest participants' p50 and p99 acknowledgement latency before and during the attack,
and what the attacker got. With --repeat N the figures are medians of N runs. Nothing is
asserted: speed is measured here, never in the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from procs import ROOT, Server, export_tree, hwm_kib, rss_kib, wait_quiet
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from run import create_workshop, write_roster

BENCH = Path(__file__).resolve().parent
PHASES = ("big bodies", "half-open", "card flood", "frame flood")
HONEST_RATE = 10.0  # edits per second per honest participant
WARM_UP_S = 2.0


class LimitedServer(Server):
    """A server with the limits a workshop runs with: no `--rate-limit 0`."""

    def command(self) -> list[str]:
        cmd = [sys.executable, "run.py", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        return [*cmd, "--db", self.db_url, "--no-demo", "--log-level", "warning"]


async def _open(ws_url: str, board: str, token: str, name: str) -> ClientConnection:
    ws = await connect(
        f"{ws_url}/ws/boards/{board}", compression=None, max_size=2**26, ping_interval=None
    )
    await ws.send(json.dumps({"type": "hello", "client": name, "since": None, "token": token}))
    while True:
        frame = json.loads(await ws.recv())
        if frame["type"] == "welcome":
            return ws
        if frame["type"] == "error":
            await ws.close()
            raise RuntimeError(f"{name}: {frame['message']}")


@dataclass
class Honest:
    """One participant editing their own card at HONEST_RATE; latency of each acknowledgement."""

    ws: ClientConnection
    name: str
    card: str
    sent: dict[str, float] = field(default_factory=dict)
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (sent at, latency)
    errors: int = 0

    async def run(self, until: float) -> None:
        reader = asyncio.create_task(self._read())
        n = 0
        try:
            while time.monotonic() < until:
                n += 1
                op_id = f"{self.name}-{n}"
                op = {"kind": "card.update", "card": self.card, "set": {"text": f"Edit {n}"}}
                self.sent[op_id] = time.monotonic()
                await self.ws.send(json.dumps({"type": "op", "id": op_id, "op": op}))
                await asyncio.sleep(1 / HONEST_RATE)
            await asyncio.sleep(2.0)  # the last acknowledgements
        finally:
            reader.cancel()

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.ws:
                frame = json.loads(raw)
                for item in frame["ops"] if frame["type"] == "ops" else [frame]:
                    sent = self.sent.pop(item.get("id", ""), None)
                    if sent is None:
                        continue
                    if item["type"] == "op":
                        self.latencies.append((sent, time.monotonic() - sent))
                    else:
                        self.errors += 1


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if len(values) < 2:
        return {"p50_ms": None, "p99_ms": None, "n": len(values)}
    ordered = sorted(values)
    cut = statistics.quantiles(ordered, n=100)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(cut[98] * 1000, 1),
        "n": len(values),
    }


# The attacks ------------------------------------------------------------------------------


def _post_head(port: int, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def big_bodies(server: Server, roster: dict[str, Any], until: float) -> dict[str, Any]:
    code = _join_code(server, roster)
    path = f"/api/join/{code}"
    declared = _post_head(
        server.port, path, {"Content-Type": "application/json", "Content-Length": str(400 << 20)}
    )
    chunked = _post_head(
        server.port, path, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    )
    chunk = b"x" * 65536
    sent = {"bytes": 0, "requests": 0, "refused": 0}

    async def one(head: bytes, body: bytes) -> None:
        while time.monotonic() < until:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            sent["requests"] += 1
            answer = asyncio.create_task(reader.read(200))
            try:
                writer.write(head)
                while time.monotonic() < until and not answer.done():
                    writer.write(body)
                    await writer.drain()
                    sent["bytes"] += len(body)
                await asyncio.wait_for(answer, 5)
                sent["refused"] += 1  # a 413 answer and the connection closed
            except (OSError, TimeoutError):
                sent["refused"] += 1  # cut off while still sending
            finally:
                answer.cancel()
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

    framed = b"10000\r\n" + chunk + b"\r\n"
    await asyncio.gather(
        *(one(declared, chunk) for _ in range(3)), *(one(chunked, framed) for _ in range(3))
    )
    return {
        "requests": sent["requests"],
        "refused": sent["refused"],
        "mib_pushed": round(sent["bytes"] / (1 << 20), 1),
    }


async def half_open(server: Server, roster: dict[str, Any], until: float) -> dict[str, Any]:
    """1,100 connections from one address, each with half a request; how many the server
    took, and how long it kept the longest."""
    loop = asyncio.get_running_loop()
    held: list[tuple[socket.socket, float]] = []
    refused = 0
    for _ in range(1100):
        sock = socket.socket()
        sock.setblocking(False)
        sock.bind(("127.0.0.2", 0))
        try:
            await loop.sock_connect(sock, ("127.0.0.1", server.port))
            await loop.sock_sendall(sock, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        except OSError:
            refused += 1
            sock.close()
            continue
        held.append((sock, time.monotonic()))
    await asyncio.sleep(0.2)
    open_ = []
    for sock, opened in held:
        try:
            sock.recv(4096)  # an answer (429 at once) or the end: the server did not keep it
            refused += 1
            sock.close()
        except BlockingIOError:
            open_.append((sock, opened))
        except OSError:
            refused += 1
            sock.close()
    kept = len(open_)
    longest = 0.0
    while open_ and time.monotonic() < until + 30:
        await asyncio.sleep(0.1)
        for item in list(open_):
            sock, opened = item
            try:
                sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                pass
            longest = max(longest, time.monotonic() - opened)
            sock.close()
            open_.remove(item)
    for sock, _ in open_:
        sock.close()
    return {
        "tried": 1100,
        "refused_at_once": refused,
        "kept_half_open": kept,
        "still_open_at_end": len(open_),
        "longest_kept_s": round(longest, 1),
    }


async def card_flood(server: Server, roster: dict[str, Any], until: float) -> dict[str, Any]:
    token = _token(roster, "expert", 0)
    board = roster["boards"][0]["id"]
    sockets: list[ClientConnection] = []
    for n in range(40):
        try:
            sockets.append(await _open(server.ws_url, board, token, f"flood-{n}"))
        except (RuntimeError, OSError, ConnectionClosed):
            break
    counts = {"sockets": len(sockets), "sent": 0, "closed": 0}

    async def flood(ws: ClientConnection, n: int) -> None:
        k = 0
        with contextlib.suppress(ConnectionClosed):
            while time.monotonic() < until:
                k += 1
                card = {"id": f"f{n}-{k}", "section": "problem_vision", "type": "idea", "text": "x"}
                op = {"kind": "card.add", "card": card, "after": None}
                await ws.send(json.dumps({"type": "op", "id": f"f{n}-{k}", "op": op}))
                counts["sent"] += 1
                await asyncio.sleep(0)
            return
        counts["closed"] += 1

    async def drain(ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for _ in ws:
                pass

    readers = [asyncio.create_task(drain(ws)) for ws in sockets]
    await asyncio.gather(*(flood(ws, n) for n, ws in enumerate(sockets)))
    for ws in sockets:
        await ws.close()
    for reader in readers:
        reader.cancel()
    state = _get(server, f"/api/boards/{board}", _token(roster, "facilitator", 0))
    flooded = sum(1 for cid in state["cards"] if cid.startswith("f"))
    return {**counts, "cards_added": flooded, "cards_on_board": len(state["cards"])}


async def frame_flood(server: Server, roster: dict[str, Any], until: float) -> dict[str, Any]:
    token = _token(roster, "expert", 0)
    board = roster["boards"][0]["id"]
    frames = [
        json.dumps({"type": "ping"}),
        json.dumps({"type": "presence", "focus": {"section": "problem_vision", "card": None}}),
        "{not json",
    ]
    result = {"sockets_opened": 0, "frames_sent": 0, "closed_with": {}}

    async def one(n: int) -> None:
        while time.monotonic() < until:
            try:
                ws = await _open(server.ws_url, board, token, f"frames-{n}")
            except (RuntimeError, OSError, ConnectionClosed):
                await asyncio.sleep(0.2)
                continue
            result["sockets_opened"] += 1
            reader = asyncio.create_task(_drain(ws))
            try:
                while time.monotonic() < until:
                    await ws.send(frames[result["frames_sent"] % 3])
                    result["frames_sent"] += 1
                    await asyncio.sleep(0)
            except ConnectionClosed:
                code = str(ws.close_code)
                result["closed_with"][code] = result["closed_with"].get(code, 0) + 1
            finally:
                reader.cancel()
                await ws.close()

    await asyncio.gather(*(one(n) for n in range(4)))
    return result


async def _drain(ws: ClientConnection) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for _ in ws:
            pass


ATTACKS: dict[str, Callable[[Server, dict[str, Any], float], Awaitable[dict[str, Any]]]] = {
    "big bodies": big_bodies,
    "half-open": half_open,
    "card flood": card_flood,
    "frame flood": frame_flood,
}


# One phase --------------------------------------------------------------------------------


def _token(roster: dict[str, Any], role: str, n: int) -> str:
    return [p for p in roster["participants"] if p["role"] == role][n]["token"]


def _get(server: Server, path: str, token: str) -> Any:
    request = urllib.request.Request(
        server.url + path, headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())


def _join_code(server: Server, roster: dict[str, Any]) -> str:
    workshop = roster["workshop"]["id"]
    return _get(server, f"/api/workshops/{workshop}/join-code", _token(roster, "facilitator", 0))[
        "code"
    ]


async def _newcomers(server: Server, until: float, seen: dict[str, int]) -> None:
    """Every half second, someone new opens the board's address: are they let in?"""
    while time.monotonic() < until:
        seen["tried"] += 1
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", server.port), 2
            )
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            seen["served"] += b" 200 " in (await asyncio.wait_for(reader.read(64), 2))
            writer.close()
        except (OSError, TimeoutError):
            pass
        await asyncio.sleep(0.5)


async def _memory(pid: int, until: float, peak: list[int]) -> None:
    while time.monotonic() < until:
        peak.append(rss_kib(pid) or 0)
        await asyncio.sleep(0.1)


async def phase(name: str, root: Path, window: float, tmp: Path) -> dict[str, Any]:
    db = "sqlite+aiosqlite:///" + str(tmp / (name.replace(" ", "-") + ".db"))
    roster_csv = tmp / "roster.csv"
    write_roster(roster_csv, mayors=4, experts=8)
    roster = create_workshop(root, db, roster_csv)
    server = LimitedServer(db_url=db, log=tmp / f"{name}.log", root=root).start()
    try:
        people = [p for p in roster["participants"] if p["role"] in ("mayor", "expert")][:12]
        honest_people = [p for p in people if p["token"] != _token(roster, "expert", 0)][:8]
        honest: list[Honest] = []
        for n, person in enumerate(honest_people):
            board = roster["boards"][n % 2]["id"]
            ws = await _open(server.ws_url, board, person["token"], f"honest-{n}")
            card = f"honest-card-{n}"
            body = {"id": card, "section": "city_context", "type": "idea", "text": "Start"}
            await ws.send(
                json.dumps(
                    {
                        "type": "op",
                        "id": f"{card}-add",
                        "op": {"kind": "card.add", "card": body, "after": None},
                    }
                )
            )
            while json.loads(await ws.recv()).get("id") != f"{card}-add":
                pass
            honest.append(Honest(ws, f"honest-{n}", card))
        start = time.monotonic()
        warm = start + WARM_UP_S  # the first edits open the database's pages: not measured
        attack_at, end = warm + window, warm + 2 * window
        before_kib = rss_kib(server.pid) or 0
        peak: list[int] = []
        load = asyncio.gather(*(h.run(end) for h in honest))
        await asyncio.sleep(attack_at - time.monotonic())
        before_kib = rss_kib(server.pid) or before_kib
        memory = asyncio.create_task(_memory(server.pid, end, peak))
        newcomers = {"tried": 0, "served": 0}
        probe = asyncio.create_task(_newcomers(server, end, newcomers))
        outcome = await _attack_process(name, server, roster, end, tmp)
        await load
        await memory
        await probe
        after_kib = rss_kib(server.pid) or 0
        before = [lat for h in honest for sent, lat in h.latencies if warm <= sent < attack_at]
        during = [lat for h in honest for sent, lat in h.latencies if attack_at <= sent < end]
        lost = sum(len(h.sent) for h in honest)  # never acknowledged
        for h in honest:
            await h.ws.close()
        return {
            "attack": outcome,
            "server_mib": {
                "before": round(before_kib / 1024, 1),
                "peak": round(max(peak or [0]) / 1024, 1),
                "after": round(after_kib / 1024, 1),
                "hwm": round((hwm_kib(server.pid) or 0) / 1024, 1),
            },
            "others_before": _percentiles(before),
            "others_during": _percentiles(during),
            "others_unacknowledged": lost,
            "newcomers": dict(newcomers),
            "others_refused": sum(h.errors for h in honest),
        }
    finally:
        server.stop()


async def _attack_process(
    name: str, server: Server, roster: dict[str, Any], until: float, tmp: Path
) -> dict[str, Any]:
    """Run the attack in a process of its own, so its work does not slow the honest clients
    (which would be counted against the server)."""
    roster_file = tmp / "roster.json"
    roster_file.write_text(json.dumps(roster))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__)),
        "--attack",
        name,
        "--port",
        str(server.port),
        "--roster",
        str(roster_file),
        "--seconds",
        str(max(0.5, until - time.monotonic())),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    return json.loads(out)


def _attack_main(args: argparse.Namespace) -> int:
    server = Server(db_url="", log=Path("/dev/null"), port=args.port)
    roster = json.loads(Path(args.roster).read_text())
    until = time.monotonic() + args.seconds
    print(json.dumps(asyncio.run(ATTACKS[args.attack](server, roster, until))))
    return 0


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of every number across runs (dicts walked alike)."""
    first = runs[0]
    out: dict[str, Any] = {}
    for key, value in first.items():
        values = [r.get(key) for r in runs]
        if isinstance(value, dict):
            out[key] = _median([v for v in values if isinstance(v, dict)])
        elif isinstance(value, int | float) and all(isinstance(v, int | float) for v in values):
            out[key] = statistics.median(values)
        else:
            out[key] = value
    return out


def report(figures: dict[str, Any]) -> str:
    lines = [
        "| phase | server MiB before / peak / after | others p50 / p99 ms before | during "
        "| newcomers let in | the attacker got |",
        "|---|---|---|---|---|---|",
    ]
    for name, f in figures.items():
        m, b, d = f["server_mib"], f["others_before"], f["others_during"]
        lines.append(
            f"| {name} | {m['before']:g} / {m['peak']:g} / {m['after']:g} "
            f"| {b['p50_ms']} / {b['p99_ms']} | {d['p50_ms']} / {d['p99_ms']} "
            f"| {f['newcomers']['served']:g} of {f['newcomers']['tried']:g} "
            f"| {json.dumps(f['attack'])} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per phase (medians)")
    parser.add_argument("--window", type=float, default=6.0, help="seconds before, and during")
    parser.add_argument("--ref", help="measure the committed tree at REF (e.g. a commit before)")
    parser.add_argument("--phase", action="append", choices=PHASES, help="only these phases")
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "abuse.json")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=60.0,
        metavar="S",
        help="before each run, wait up to S seconds for the machine to be nearly idle (0: no)",
    )
    parser.add_argument("--attack", choices=PHASES, help=argparse.SUPPRESS)  # the attack process
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--roster", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.attack:
        return _attack_main(args)
    with tempfile.TemporaryDirectory(prefix="bb-abuse-") as tmp_name:
        tmp = Path(tmp_name)
        root = ROOT
        commit = None
        if args.ref:
            root = tmp / "tree"
            commit = export_tree(args.ref, root)
        figures: dict[str, Any] = {}
        runs: dict[str, list[dict[str, Any]]] = {}
        for name in args.phase or PHASES:
            runs[name] = []
            for n in range(args.repeat):
                run_dir = tmp / f"{name.replace(' ', '-')}-{n}"
                run_dir.mkdir()
                quiet = wait_quiet(args.wait_quiet) if args.wait_quiet else None
                print(f"{name}: run {n + 1} of {args.repeat} {quiet}", file=sys.stderr, flush=True)
                figures_of_run = asyncio.run(phase(name, root, args.window, run_dir))
                runs[name].append({**figures_of_run, "before_run": quiet})
            figures[name] = _median(runs[name])
    out = {"ref": args.ref, "commit": commit, "window_s": args.window, "repeat": args.repeat}
    out |= {"median": figures, "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(report(figures))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
