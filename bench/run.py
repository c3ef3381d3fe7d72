"""Brickboard's benchmark: W1 fan-out latency and W2 throughput against a real server process.

    /work/venv/bin/python bench/run.py [--quick] [--repeat N] [--out FILE.json]
        [--ref REF] [--max-noise PCT] [--wait-quiet S] [--profile FILE]

Each run makes a fresh SQLite database in a temp dir, creates a workshop through the real
command line, serves it as a separate process, drives it from this process, and stops it.
The figures are written as JSON; with --repeat they are reported as medians over the runs.
See bench/README.md for what each figure means.
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
from collections.abc import Coroutine
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from figures import median_tree, table, trouble_lines
from procs import ROOT, Profiler, Server, export_tree, free_port, run_cli, wait_quiet
from workloads import W1Size, W2Size, w1, w2

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
MAYORS = 10
EXPERTS = 200


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="a smoke test: W1 N=5, 2 s windows")
    p.add_argument("--repeat", type=int, default=1, metavar="N", help="runs (median reported)")
    p.add_argument(
        "--out",
        type=Path,
        help="JSON file (default: bench/results/latest.json, or latest-quick.json with --quick)",
    )
    p.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="first, an extra run with py-spy recording the server during W2 (.svg, .json, "
        "or raw collapsed stacks for any other suffix, summarised into the JSON); it is kept "
        "apart from the medians, since py-spy slows the server",
    )
    p.add_argument(
        "--wait-quiet",
        type=float,
        default=60,
        metavar="S",
        help="before each run, wait up to S seconds for the machine to be nearly idle "
        "(default: 60; 0: do not wait)",
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
    args = p.parse_args(argv)
    if not 1 <= args.repeat <= 10:
        p.error("--repeat must be between 1 and 10")
    return args


def sizes(quick: bool) -> tuple[list[W1Size], W2Size]:
    if quick:
        return [W1Size(clients=5, duration_s=2)], W2Size(duration_s=2)
    return [W1Size(clients=10), W1Size(clients=50)], W2Size()


# ---------------------------------------------------------------------- set-up


def write_roster(path: Path) -> None:
    """1 facilitator, MAYORS mayors (one board each) and EXPERTS experts."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name", "role", "city", "organisation", "initiative"])
        w.writerow(["Bench Facilitator", "facilitator", "", "Bench", ""])
        for i in range(MAYORS):
            w.writerow([f"Mayor {i}", "mayor", f"Benchtown {i}, OH", "", f"Initiative {i}"])
        for i in range(EXPERTS):
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


def meta() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "code": code_state(),
        "python": platform.python_version(),
        "websockets": version("websockets"),
        "client_loop": _loop_name(),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "loadavg_at_start": os.getloadavg(),
    }


def noise(figures: dict[str, Any]) -> float:
    """The most CPU other processes took during any measured window of a run."""
    windows = [*figures["w1"], figures["w2"]]
    return max((w["other_cpu_pct"] or 0.0) for w in windows)


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _loop_name() -> str:
    try:
        import uvloop
    except ImportError:
        return "asyncio"
    return f"uvloop {uvloop.__version__}"


def run_async(coro: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Run the load client on uvloop when it is there (as the server does): a cheaper client.

    SIGTERM cancels the run like Ctrl-C does, so every `finally` (closing the sockets, then
    stopping the server) still runs.
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
    server: Server,
    boards: list[str],
    tokens: list[str],
    run_no: int,
    quick: bool,
    profiler: Profiler | None,
) -> dict[str, Any]:
    """W1 at each size, then W2, each on boards and experts no earlier workload used."""
    w1_sizes, w2_size = sizes(quick)
    board_i = token_i = 0
    out: dict[str, Any] = {"w1": []}
    for size in w1_sizes:
        print(f"  W1 N={size.clients} ...", flush=True)
        result = await w1(
            server, boards[board_i], tokens[token_i:], size, f"r{run_no}n{size.clients}"
        )
        out["w1"].append(result)
        board_i, token_i = board_i + 1, token_i + size.clients
        await asyncio.sleep(0.5)
    n_boards = w2_size.boards
    print(f"  W2 {n_boards}x{w2_size.clients_per_board} ...", flush=True)
    out["w2"] = await w2(
        server,
        boards[board_i : board_i + n_boards],
        tokens[token_i:],
        w2_size,
        f"r{run_no}w2",
        on_window_start=(lambda: profiler.start(server.pid)) if profiler else None,
    )
    return out


def one_run(
    run_no: int,
    args: argparse.Namespace,
    root: Path,
    logs: Path,
    profiler: Profiler | None,
) -> dict[str, Any]:
    """Fresh database, workshop and server; W1 and W2; the server stopped whatever happens."""
    quick, quiet_s = args.quick, args.wait_quiet
    calm = wait_quiet(quiet_s) if quiet_s > 0 else None
    if calm is not None and not calm["quiet"]:
        print(f"run {run_no}: the machine is still busy ({calm['busy_pct']}% CPU); going on")
    with tempfile.TemporaryDirectory(prefix="brickboard-bench-") as tmp:
        db_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        roster_csv = Path(tmp) / "roster.csv"
        write_roster(roster_csv)
        roster = create_workshop(root, db_url, roster_csv)
        boards = [b["id"] for b in roster["boards"]]
        tokens = [p["token"] for p in roster["participants"] if p["role"] == "expert"]
        server = Server(db_url, log=logs / f"server-run{run_no}.log", root=root)
        try:
            print(f"run {run_no}: server on port {server.port}, log {server.log}", flush=True)
            server.start()
            figures = run_async(workloads(server, boards, tokens, run_no, quick, profiler))
        finally:
            server.stop()
        problems = server.log_problems()
        figures["code"] = {"ref": args.ref} if args.ref else code_state()
        figures["before_run"] = calm
        figures["server"] = {
            "log": str(server.log),
            "exit_code": server.exit_code,
            "stop_s": server.stop_s,
            "sigkill_needed": server.killed,
            "log_problem_lines": len(problems),
            "log_problem_sample": problems[:30],
        }
        if profiler is not None:
            figures["profile"] = profiler.finish()
        return figures


def run_all(
    doc: dict[str, Any], args: argparse.Namespace, root: Path, logs: Path, w2_size: W2Size
) -> None:
    """Runs until --repeat of them count: a profiled run and noisy ones (bounded) do not."""
    attempt = 0
    while len(doc["runs"]) < args.repeat:
        attempt += 1
        first = attempt == 1
        profiler = Profiler(args.profile, w2_size.duration_s) if args.profile and first else None
        figures = one_run(attempt, args, root, logs, profiler)
        figures["attempt"] = attempt
        title = f"run {attempt}" + (" (profiled: py-spy slows the server)" if profiler else "")
        print(f"\n{table(figures, title)}")
        for line in trouble_lines(figures) + figures["server"]["log_problem_sample"][:5]:
            print(f"  ! {line}")
        noisy = args.max_noise is not None and noise(figures) > args.max_noise
        if profiler is not None:
            doc["profiled_run"] = figures  # py-spy slowed it: kept apart from the medians
        elif noisy and len(doc["discarded"]) < 2 * args.repeat:
            print(f"  run {attempt} discarded: other processes took {noise(figures):.0f}% CPU")
            doc["discarded"].append(figures)
        else:
            doc["runs"].append(figures)
        print()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # stop the server on SIGTERM too (via finally)
    out = args.out or RESULTS / ("latest-quick.json" if args.quick else "latest.json")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    logs = RESULTS / "logs" / stamp
    w1_sizes, w2_size = sizes(args.quick)
    doc: dict[str, Any] = {
        "meta": meta(),
        "quick": args.quick,
        "sizes": {"w1": [asdict(s) for s in w1_sizes], "w2": asdict(w2_size)},
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
        run_all(doc, args, root, logs, w2_size)
    doc["median"] = median_tree(doc["runs"])
    doc["meta"]["loadavg_at_end"] = os.getloadavg()
    doc["meta"]["elapsed_s"] = round(time.monotonic() - started, 1)
    if len(doc["runs"]) > 1:
        print(table(doc["median"], f"median of {len(doc['runs'])} runs"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"\nfigures: {out}\nserver logs: {logs}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; the server was stopped", file=sys.stderr)
        sys.exit(130)
