"""The processes of a run (servers, Redis, PostgreSQL databases) and what /proc says of them.

Each server runs in its own process (and session) so its CPU and memory can be read apart from
the load clients', and so a Ctrl-C in the terminal reaches only the benchmark, which then stops
the server itself: SIGTERM, and SIGKILL if it has not exited 15 s later.
"""

from __future__ import annotations

import asyncio
import io
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
STOP_GRACE_S = 15.0


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of every thread of `pid`, in seconds (None once the process is gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def _status_kib(pid: int, key: str) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def rss_kib(pid: int) -> int | None:
    return _status_kib(pid, "VmRSS")


def hwm_kib(pid: int) -> int | None:
    """The peak RSS over the whole life of the process."""
    return _status_kib(pid, "VmHWM")


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy (not idle or iowait), from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(x) for x in fields[:8]]  # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / CLK_TCK


def wait_quiet(
    max_wait_s: float, busy_below_pct: float = 25.0, every_s: float = 2.0
) -> dict[str, float | bool]:
    """Wait (at most `max_wait_s`) until the machine is nearly idle before measuring.

    The machine is shared: other jobs' CPU would be measured as Brickboard's slowness.
    """
    t0 = time.monotonic()
    busy = None
    while True:
        b0 = machine_busy_seconds()
        time.sleep(every_s)
        busy = 100 * (machine_busy_seconds() - b0) / every_s
        waited = time.monotonic() - t0
        if busy < busy_below_pct or waited + every_s > max_wait_s:
            return {
                "waited_s": round(waited, 1),
                "busy_pct": round(busy, 1),
                "quiet": busy < busy_below_pct,
            }


def own_cpu_seconds() -> float:
    """CPU time of this (the orchestrating) process, all threads."""
    return time.process_time()


@dataclass
class Window:
    """CPU and RSS over one measured window, per group of processes.

    `servers`: the Brickboard processes (CPU summed, RSS summed and sampled every `every` s);
    `clients`: the load-client processes (CPU summed, and the busiest one, to show whether a
    client process was saturated); `db` and `broker`: PostgreSQL backends serving our database
    and our own Redis, when there are any. This process's CPU counts as the client's.
    """

    servers: list[int]
    clients: list[int] = field(default_factory=list)
    db: list[int] = field(default_factory=list)
    broker: list[int] = field(default_factory=list)
    every: float = 0.25
    rss: list[int] = field(default_factory=list)
    _t0: float = 0.0
    _cpu0: dict[int, float] = field(default_factory=dict)
    _own0: float = 0.0
    _busy0: float = 0.0
    _task: asyncio.Task[None] | None = None

    def _all(self) -> list[int]:
        return [*self.servers, *self.clients, *self.db, *self.broker]

    def start(self) -> Window:
        self._t0 = time.perf_counter()
        self._cpu0 = {p: cpu_seconds(p) or 0.0 for p in self._all()}
        self._own0 = own_cpu_seconds()
        self._busy0 = machine_busy_seconds()
        self._task = asyncio.create_task(self._sample())
        return self

    def _rss_now(self) -> int | None:
        values = [rss_kib(p) for p in self.servers]
        return sum(v for v in values if v is not None) if any(values) else None

    async def _sample(self) -> None:
        # A sample every `every` s: cheap enough not to disturb the load clients.
        while True:
            r = self._rss_now()
            if r is not None:
                self.rss.append(r)
            await asyncio.sleep(self.every)

    async def stop(self) -> dict[str, float | None]:
        elapsed = time.perf_counter() - self._t0
        cpu1 = {p: cpu_seconds(p) for p in self._all()}
        own1, busy1 = own_cpu_seconds(), machine_busy_seconds()
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task], timeout=1)
        r = self._rss_now()
        if r is not None:
            self.rss.append(r)
        hwm = [hwm_kib(p) for p in self.servers]

        def pct(pids: list[int]) -> float:
            used = sum((cpu1[p] or self._cpu0[p]) - self._cpu0[p] for p in pids)
            return 100 * used / elapsed if elapsed > 0 else 0.0

        own = 100 * (own1 - self._own0) / elapsed
        server, db, broker = pct(self.servers), pct(self.db), pct(self.broker)
        per_client = [pct([p]) for p in self.clients]
        client = sum(per_client) + own
        machine = 100 * (busy1 - self._busy0) / elapsed
        return {
            "window_s": elapsed,
            "server_cpu_pct": server,
            "server_rss_peak_mib": max(self.rss) / 1024 if self.rss else None,
            "server_vm_hwm_mib": sum(h for h in hwm if h) / 1024 if any(hwm) else None,
            "client_cpu_pct": client,
            "client_cpu_max_process_pct": max(per_client, default=own),
            "client_processes": len(self.clients),
            "db_cpu_pct": db if self.db else None,
            "broker_cpu_pct": broker if self.broker else None,
            # Everything else on the machine (other jobs, the kernel's own threads): noise.
            "other_cpu_pct": machine - client - server - db - broker,
            "machine_cores": os.cpu_count(),
        }


def export_tree(ref: str, into: Path) -> str:
    """Write the committed tree at `ref` into `into`; its full commit id.

    `python run.py` there imports `board` from that copy (the script's folder comes first on
    sys.path, before the venv's editable install), so edits in progress in the work tree
    cannot change what is measured.
    """
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit


def run_cli(root: Path, *args: str, timeout: float = 120) -> str:
    """`python run.py ARGS` in the project at `root`, with this interpreter; its stdout."""
    done = subprocess.run(
        [sys.executable, "run.py", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"run.py {args[0]} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


@dataclass
class Server:
    """One `python run.py serve` process on 127.0.0.1, its output appended to `log`.

    It can be stopped and started again on the same database and port (W3, W4, W5), so the
    load clients' addresses stay valid. `exits` records how every stop went.
    """

    db_url: str
    log: Path
    root: Path = ROOT
    broker: str | None = None
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    exits: list[dict[str, object]] = field(default_factory=list)
    start_s: list[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def killed(self) -> bool:
        return any(e["sigkill_needed"] for e in self.exits)

    def command(self) -> list[str]:
        cmd = [sys.executable, "run.py", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--db", self.db_url, "--rate-limit", "0", "--no-demo", "--log-level", "warning"]
        return cmd + (["--broker", self.broker] if self.broker else [])

    def start(self, timeout: float = 60) -> Server:
        """Start the process and wait for `GET /healthz` (the port may still be closing)."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=self.root,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,
            )
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited early; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as r:
                    if r.status == 200:
                        self.start_s.append(time.monotonic() - t0)
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"the server did not answer /healthz within {timeout:g} s")

    def terminate(self) -> None:
        """Send SIGTERM (the first half of `stop`, so several servers stop together)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> dict[str, object] | None:
        """SIGTERM, then SIGKILL after STOP_GRACE_S; safe to call twice. How it went."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        t0 = time.monotonic()
        killed = False
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            killed = True
            proc.kill()
            proc.wait(timeout=STOP_GRACE_S)
        # uvicorn re-raises SIGTERM after its graceful shutdown: -15 is a clean exit.
        done: dict[str, object] = {
            "exit_code": proc.returncode,
            "stop_s": round(time.monotonic() - t0, 3),
            "sigkill_needed": killed,
        }
        self.exits.append(done)
        return done

    def log_problems(self) -> list[str]:
        """Lines of the server's output worth a reader's attention (it logs warnings and up)."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return []
        noteworthy = re.compile(r"WARNING|ERROR|CRITICAL|Traceback|Exception|Error:")
        return [line for line in lines if noteworthy.search(line)]


@dataclass
class Redis:
    """Our own redis-server on a free port (no persistence), so its CPU can be measured and
    nothing of other sessions shares it."""

    log: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15) -> Redis:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("--config cluster needs redis-server (apt-get install redis-server)")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    *(exe, "--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--protected-mode", "yes"),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not listen within {timeout:g} s; see {self.log}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


PG_ADMIN = os.environ.get("BRICKBOARD_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def _pg_admin(statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN, timeout=15)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_pg_database(name: str) -> str:
    """A fresh, empty database on the local PostgreSQL; its SQLAlchemy URL."""
    await _pg_admin(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}"


async def drop_pg_database(name: str) -> None:
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def pg_backend_pids(name: str) -> list[int]:
    """The PostgreSQL backends connected to our database now (their CPU is the server's too)."""
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN, timeout=15)
    try:
        rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
    finally:
        await conn.close()
    return [int(r["pid"]) for r in rows]


@dataclass
class Profiler:
    """py-spy recording the server for one window (optional; it costs the server some CPU).

    The format follows the file's suffix: .svg flame graph, .json speedscope, anything else
    py-spy's raw collapsed stacks (which `hot_spots` can summarise).
    """

    out: Path
    duration_s: float
    proc: subprocess.Popen[bytes] | None = None
    error: str | None = None

    @staticmethod
    def binary() -> str | None:
        beside = Path(sys.executable).parent / "py-spy"
        return str(beside) if beside.exists() else shutil.which("py-spy")

    def start(self, pid: int) -> None:
        exe = self.binary()
        if exe is None:
            self.error = "py-spy is not installed (pip install py-spy)"
            return
        fmt = {".svg": "flamegraph", ".json": "speedscope"}.get(self.out.suffix, "raw")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                *(exe, "record", "--pid", str(pid), "--duration", str(math.ceil(self.duration_s))),
                *("--rate", "100", "--threads", "--format", fmt, "--output", str(self.out)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def finish(self, timeout: float = 60) -> dict[str, object]:
        if self.proc is not None:
            try:
                _, err = self.proc.communicate(timeout=timeout)
                if self.proc.returncode != 0:
                    self.error = err.decode(errors="replace").strip()[-500:]
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.error = "py-spy did not finish in time"
        summary: dict[str, object] = {"file": str(self.out), "error": self.error}
        if self.error is None and self.out.suffix not in (".svg", ".json"):
            summary.update(hot_spots(self.out, window_samples=100 * math.ceil(self.duration_s)))
        return summary


def hot_spots(collapsed: Path, top: int = 15, window_samples: int = 0) -> dict[str, object]:
    """Where the server's event loop spends its samples, and what its other threads do.

    The main thread runs the event loop, which every op passes through one at a time, so its
    self and inclusive shares are the hot spots that bound throughput. Shares are of the main
    thread's samples; `main_thread_busy_pct` is those samples over the window's
    (duration x rate), since py-spy drops the samples of a thread it sees idle.
    Caveat: py-spy counts aiosqlite's worker threads as busy while they wait on their queue
    (a leaf in `_connection_worker_thread`), so `other_thread_leaves` overstates their work.
    """
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    other_leaves: Counter[str] = Counter()
    main = others = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        count = int(n)
        frames = stack.split(";")
        if "MainThread" not in frames[0]:
            others += count
            other_leaves[frames[-1]] += count
            continue
        main += count
        self_time[frames[-1]] += count
        for frame in set(frames[1:]):
            inclusive[frame] += count

    def share(c: Counter[str], total: int) -> list[tuple[str, float]]:
        return [(name, round(100 * n / total, 1)) for name, n in c.most_common(top)]

    # The entry chain (run.py, uvicorn, Runner.run) is in nearly every stack: not a hot spot.
    inclusive = Counter({f: n for f, n in inclusive.items() if n < 0.85 * main})

    return {
        "main_thread_samples": main,
        "main_thread_busy_pct": round(100 * main / window_samples, 1) if window_samples else None,
        "main_self_pct": share(self_time, main or 1),
        "main_inclusive_pct": share(inclusive, main or 1),
        "other_thread_samples": others,
        "other_thread_leaves_pct": share(other_leaves, others or 1),
    }
