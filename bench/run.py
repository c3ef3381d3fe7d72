"""Brickboard's benchmark: W1 to W6 against real server processes, in one command.

    /work/venv/bin/python bench/run.py [--config sqlite|postgres|cluster] [--quick] [--repeat N]
        [--out FILE.json] [--client-procs P] [--ref REF] [--max-noise PCT] [--wait-quiet S]
        [--profile DIR]
    /work/venv/bin/python bench/run.py --summary [--peer-results DIR]

Each run makes a fresh database (a SQLite file, or a new PostgreSQL database), creates two
workshops through the real command line, serves them from one server process (two with
`--config cluster`, sharing PostgreSQL and a Redis of our own), drives them from separate
load-client processes, and stops everything. The figures are written as JSON; with --repeat
they are reported as medians over the runs. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import hashlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Coroutine
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from figures import median_tree, table, trouble_lines
from pool import ClientPool
from procs import (
    ROOT,
    Profiler,
    Redis,
    Server,
    create_pg_database,
    drop_pg_database,
    export_tree,
    free_port,
    pg_backend_pids,
    run_cli,
    wait_quiet,
)
from summary import write_summary
from workloads import Ctx, Sizes, full_sizes, quick_sizes, w1, w2, w3, w4, w5, w6

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
CONFIGS = ("sqlite", "postgres", "cluster")
MAIN_MAYORS = 60  # W1 3 + W2 5 + W4 1 + W5 50 boards, each used by one workload only
MAIN_EXPERTS = 200
W6_EXPERTS = 60  # W6's workshop has exactly the boards its day close snapshots


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    p.add_argument(
        "--config",
        choices=CONFIGS,
        default="sqlite",
        help="sqlite: one process on SQLite (default); postgres: one process on PostgreSQL; "
        "cluster: two processes on PostgreSQL with a Redis broker",
    )
    p.add_argument("--quick", action="store_true", help="a smoke test: tiny sizes, ~30 s")
    p.add_argument("--repeat", type=int, default=1, metavar="N", help="runs (median reported)")
    p.add_argument(
        "--out",
        type=Path,
        help="JSON file (default: bench/results/CONFIG.json, or CONFIG-quick.json with --quick)",
    )
    p.add_argument(
        "--client-procs",
        type=int,
        default=2,
        metavar="P",
        help="load-client processes the clients are spread over (default: 2)",
    )
    p.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="first, an extra run with py-spy recording the server during W2 and the largest "
        "W1 (raw collapsed stacks in DIR/profile-CONFIG-*.txt, summarised into the JSON); it "
        "is kept apart from the medians, since py-spy slows the server",
    )
    p.add_argument(
        "--wait-quiet",
        type=float,
        metavar="S",
        help="before each run, wait up to S seconds for the machine to be nearly idle "
        "(default: 60; 0 with --quick; 0: do not wait)",
    )
    p.add_argument(
        "--max-noise",
        type=float,
        metavar="PCT",
        help="discard and redo a run in which other processes used more than PCT%% CPU "
        "during a measured window (at most 2 x --repeat runs are discarded)",
    )
    p.add_argument(
        "--ref",
        metavar="REF",
        help="measure the committed tree at REF (e.g. HEAD), exported to a temp dir, instead "
        "of the work tree, so edits in progress cannot change what is measured",
    )
    p.add_argument(
        "--summary",
        action="store_true",
        help="only write bench/results/summary.md from bench/results/{sqlite,postgres,"
        "cluster}.json (and --peer-results)",
    )
    p.add_argument(
        "--peer-results",
        type=Path,
        metavar="DIR",
        help="with --summary: a peer-bench results/ folder whose brickboard.json and peers' "
        "JSON of the same run give the comparison",
    )
    args = p.parse_args(argv)
    if not 1 <= args.repeat <= 10:
        p.error("--repeat must be between 1 and 10")
    if not 1 <= args.client_procs <= 8:
        p.error("--client-procs must be between 1 and 8")
    if args.wait_quiet is None:
        args.wait_quiet = 0.0 if args.quick else 60.0
    return args


# ---------------------------------------------------------------------- set-up


def write_roster(path: Path, mayors: int, experts: int) -> None:
    """1 facilitator, `mayors` mayors (one board each) and `experts` experts."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name", "role", "city", "organisation", "initiative"])
        w.writerow(["Bench Facilitator", "facilitator", "", "Bench", ""])
        for i in range(mayors):
            w.writerow([f"Mayor {i}", "mayor", f"Benchtown {i}, OH", "", f"Initiative {i}"])
        for i in range(experts):
            w.writerow([f"Expert {i}", "expert", "", f"Lab {i % 7}", ""])


def create_workshop(root: Path, db_url: str, roster: Path) -> dict[str, Any]:
    """`run.py workshop create --json`; its JSON may follow other text, so read from the '{'."""
    out = run_cli(
        root,
        "workshop",
        "create",
        "--from",
        str(roster),
        "--json",
        "--db",
        db_url,
        "--host",
        "127.0.0.1",
        "--port",
        str(free_port()),
    )
    data, _ = json.JSONDecoder().raw_decode(out[out.index("{") :])
    return data


def _git(*a: str) -> str:
    done = subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.rstrip("\n")


def code_state() -> dict[str, Any]:
    """Which server code was measured: the commit, plus a fingerprint of uncommitted changes."""
    paths = ["board", "run.py"]
    changed = _git("status", "--porcelain", "--", *paths).splitlines()
    digest = hashlib.sha256(_git("diff", "HEAD", "--", *paths).encode())
    for name in sorted(_git("ls-files", "--others", "--exclude-standard", "--", *paths).split()):
        digest.update(name.encode() + (ROOT / name).read_bytes())
    return {
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_files": [line[3:] for line in changed],
        "uncommitted_sha256": digest.hexdigest()[:16] if changed else None,
    }


def meta(args: argparse.Namespace) -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "config": args.config,
        "client_processes": args.client_procs,
        "code": code_state(),
        "python": platform.python_version(),
        "websockets": version("websockets"),
        "client_loop": _loop_name(),
        "clock": time.get_clock_info("perf_counter").implementation,
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "loadavg_at_start": os.getloadavg(),
    }


def windows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Every measured window of a run (the W1s, W2, W6's two W1s)."""
    w6 = figures.get("w6") or {}
    return [*figures["w1"], figures["w2"], *(w6[k] for k in ("without", "with_close") if k in w6)]


def noise(figures: dict[str, Any]) -> float:
    """The most CPU other processes took during any measured window of a run."""
    return max((w.get("other_cpu_pct") or 0.0) for w in windows(figures))


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _loop_name() -> str:
    try:
        import uvloop
    except ImportError:
        return "asyncio"
    return f"uvloop {uvloop.__version__}"


def run_async(coro: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Run the orchestrator on uvloop when it is there (as the server does).

    SIGTERM cancels the run like Ctrl-C does, so every `finally` (closing the sockets, then
    stopping the servers and the client processes) still runs.
    """

    async def guarded() -> dict[str, Any]:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await coro

    try:
        import uvloop
    except ImportError:
        factory = None
    else:
        factory = uvloop.new_event_loop
    try:
        with asyncio.Runner(loop_factory=factory) as runner:
            return runner.run(guarded())
    except asyncio.CancelledError:
        raise KeyboardInterrupt("SIGTERM") from None
    finally:
        signal.signal(signal.SIGTERM, _interrupt)  # the loop's handler is gone with the loop


# ---------------------------------------------------------------------- one run


async def workloads(
    ctx: Ctx, main: dict[str, Any], w6_shop: dict[str, Any], sizes: Sizes, run_no: int
) -> dict[str, Any]:
    """W1 at each size, W2, W3, W4, W5, W6; each on boards no earlier workload used."""
    boards = [b["id"] for b in main["boards"]]
    tokens = [p["token"] for p in main["participants"] if p["role"] == "expert"]
    largest = max(s.clients for s in sizes.w1)
    out: dict[str, Any] = {"w1": []}
    b = 0
    t0 = time.monotonic()

    def step(text: str) -> None:
        print(f"  {time.monotonic() - t0:5.1f} s  {text} ...", flush=True)

    for size in sizes.w1:
        step(f"W1 N={size.clients}")
        profile = f"w1n{size.clients}" if size.clients == largest else None
        tag = f"r{run_no}n{size.clients}"
        out["w1"].append(await w1(ctx, boards[b], tokens, size, tag, profile=profile))
        b += 1
        await asyncio.sleep(0.5)
    n = sizes.w2.boards
    step(f"W2 {n}x{sizes.w2.clients_per_board}")
    out["w2"] = await w2(ctx, boards[b : b + n], tokens, sizes.w2, f"r{run_no}w2", profile="w2")
    b += n
    step("W3 (SIGTERM, restart, read back)")
    out["w3"] = await w3(ctx, out["w2"], tokens[0])
    step(f"W4 ({sizes.w4.cards} cards)")
    out["w4"] = await w4(ctx, boards[b], tokens, sizes.w4, f"r{run_no}w4")
    b += 1
    step(f"W5 ({sizes.w5.clients} idle sockets)")
    w5_boards = boards[b : b + sizes.w5.boards]
    out["w5"] = await w5(ctx, w5_boards, tokens, sizes.w5, f"r{run_no}w5")
    step(f"W6 (day close of {sizes.w6.boards} boards under load)")
    out["w6"] = await w6(ctx, w6_shop, sizes.w6, f"r{run_no}w6")
    step("done")
    out["workloads_s"] = round(time.monotonic() - t0, 1)
    return out


async def one_run(
    run_no: int,
    args: argparse.Namespace,
    root: Path,
    logs: Path,
    profilers: dict[str, Profiler],
) -> dict[str, Any]:
    """Fresh database, workshops, servers and client processes; W1..W6; all stopped after."""
    sizes = quick_sizes() if args.quick else full_sizes()
    with tempfile.TemporaryDirectory(prefix="brickboard-bench-") as tmp:
        pg_name = None
        if args.config == "sqlite":
            db_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        else:
            pg_name = f"bb_bench_{uuid.uuid4().hex[:12]}"
            db_url = await create_pg_database(pg_name)
        servers: list[Server] = []
        redis = pool = None
        try:
            shops = []
            for name, mayors, experts in (
                ("main", MAIN_MAYORS, MAIN_EXPERTS),
                ("w6", sizes.w6.boards, W6_EXPERTS),
            ):
                roster_csv = Path(tmp) / f"roster-{name}.csv"
                write_roster(roster_csv, mayors, experts)
                shops.append(await asyncio.to_thread(create_workshop, root, db_url, roster_csv))
            broker = None
            if args.config == "cluster":
                redis = Redis(log=logs / f"redis-run{run_no}.log").start()
                broker = redis.url
            for i in range(2 if args.config == "cluster" else 1):
                log = logs / f"server-run{run_no}-p{i}.log"
                servers.append(Server(db_url, log=log, root=root, broker=broker))
            for s in servers:
                await asyncio.to_thread(s.start)
            ports = ", ".join(str(s.port) for s in servers)
            print(f"run {run_no} ({args.config}): server(s) on {ports}, logs in {logs}", flush=True)
            pool = await ClientPool(args.client_procs, logs / f"clients-run{run_no}.log").start()

            async def db_pids() -> list[int]:
                return await pg_backend_pids(pg_name) if pg_name else []

            ctx = Ctx(
                servers=servers,
                pool=pool,
                db_pids=db_pids,
                broker_pids=[redis.proc.pid] if redis and redis.proc else [],
                profilers=profilers,
            )
            figures = await workloads(ctx, shops[0], shops[1], sizes, run_no)
            if ctx.profiles:
                figures["profile"] = ctx.profiles
        finally:
            if pool is not None:
                await pool.stop()
            for s in servers:
                s.terminate()
            for s in servers:
                await asyncio.to_thread(s.stop)
            if redis is not None:
                redis.stop()
            if pg_name is not None:
                with contextlib.suppress(Exception):
                    await drop_pg_database(pg_name)
    problems = [line for s in servers for line in s.log_problems()]
    figures["code"] = {"ref": args.ref} if args.ref else code_state()
    figures["servers"] = [
        {
            "log": str(s.log),
            "exits": s.exits,
            "start_s": s.start_s,
            "sigkill_needed": s.killed,
        }
        for s in servers
    ]
    figures["log_problem_lines"] = len(problems)
    figures["log_problem_sample"] = problems[:30]
    return figures


def run_all(doc: dict[str, Any], args: argparse.Namespace, root: Path, logs: Path) -> None:
    """Runs until --repeat of them count: a profiled run and noisy ones (bounded) do not."""
    attempt = 0
    sizes = quick_sizes() if args.quick else full_sizes()
    while len(doc["runs"]) < args.repeat:
        attempt += 1
        profilers: dict[str, Profiler] = {}
        if args.profile and attempt == 1:
            largest = max(sizes.w1, key=lambda s: s.clients)
            for key, seconds in (("w2", sizes.w2.duration_s), (f"w1n{largest.clients}", 10.0)):
                out = args.profile / f"profile-{args.config}-{key}.txt"
                profilers[key] = Profiler(out, min(seconds, largest.duration_s, 10.0))
        calm = wait_quiet(args.wait_quiet) if args.wait_quiet > 0 else None
        if calm is not None and not calm["quiet"]:
            print(f"run {attempt}: the machine is still busy ({calm['busy_pct']}% CPU); going on")
        profiled = bool(profilers)  # (the run empties the dict as each profile finishes)
        figures = run_async(one_run(attempt, args, root, logs, profilers))
        figures["attempt"] = attempt
        figures["before_run"] = calm
        title = f"run {attempt}" + (" (profiled: py-spy slows the server)" if profiled else "")
        print(f"\n{table(figures, title)}")
        for line in trouble_lines(figures) + figures["log_problem_sample"][:5]:
            print(f"  ! {line}")
        noisy = args.max_noise is not None and noise(figures) > args.max_noise
        if profiled:
            doc["profiled_run"] = figures  # py-spy slowed it: kept apart from the medians
        elif noisy and len(doc["discarded"]) < 2 * args.repeat:
            print(f"  run {attempt} discarded: other processes took {noise(figures):.0f}% CPU")
            doc["discarded"].append(figures)
        else:
            doc["runs"].append(figures)
        print()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.summary:
        out = write_summary(RESULTS, args.peer_results)
        print(f"wrote {out}")
        return 0
    signal.signal(signal.SIGTERM, _interrupt)  # stop the servers on SIGTERM too (via finally)
    suffix = "-quick" if args.quick else ""
    out = args.out or RESULTS / f"{args.config}{suffix}.json"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    logs = RESULTS / "logs" / f"{stamp}-{args.config}{suffix}"
    sizes = quick_sizes() if args.quick else full_sizes()
    doc: dict[str, Any] = {
        "meta": meta(args),
        "quick": args.quick,
        "sizes": asdict(sizes),
        "runs": [],
        "discarded": [],
    }
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        root = ROOT
        if args.ref:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="brickboard-ref-")))
            commit = export_tree(args.ref, root)
            doc["meta"]["code"] = {"ref": args.ref, "commit": commit[:12], "exported_to": str(root)}
            print(f"measuring {args.ref} = {commit[:12]} (exported to {root})")
        run_all(doc, args, root, logs)
    doc["median"] = median_tree(doc["runs"])
    doc["meta"]["loadavg_at_end"] = os.getloadavg()
    doc["meta"]["elapsed_s"] = round(time.monotonic() - started, 1)
    if len(doc["runs"]) > 1:
        print(table(doc["median"], f"median of {len(doc['runs'])} runs ({args.config})"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"\nfigures: {out}\nlogs: {logs}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; the servers and client processes were stopped", file=sys.stderr)
        sys.exit(130)
