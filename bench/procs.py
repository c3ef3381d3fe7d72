"""The server under test as a separate process, and what /proc says about a process.

The server runs in its own process (and session) so its CPU and memory can be read apart from
the load client's, and so a Ctrl-C in the terminal reaches only the benchmark, which then stops
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
    """CPU time of this (the load client's) process, all threads."""
    return time.process_time()


@dataclass
class Window:
    """CPU and RSS of the server, and this process's CPU, over one measured window."""

    pid: int
    every: float = 0.25
    rss: list[int] = field(default_factory=list)
    _t0: float = 0.0
    _cpu0: float | None = None
    _own0: float = 0.0
    _busy0: float = 0.0
    _task: asyncio.Task[None] | None = None

    def start(self) -> Window:
        self._t0 = time.perf_counter()
        self._cpu0 = cpu_seconds(self.pid)
        self._own0 = own_cpu_seconds()
        self._busy0 = machine_busy_seconds()
        self._task = asyncio.create_task(self._sample())
        return self

    async def _sample(self) -> None:
        # A sample every `every` s: cheap enough not to disturb the load client.
        while True:
            r = rss_kib(self.pid)
            if r is not None:
                self.rss.append(r)
            await asyncio.sleep(self.every)

    async def stop(self) -> dict[str, float | None]:
        elapsed = time.perf_counter() - self._t0
        cpu1, own1, busy1 = cpu_seconds(self.pid), own_cpu_seconds(), machine_busy_seconds()
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task], timeout=1)
        r = rss_kib(self.pid)
        if r is not None:
            self.rss.append(r)
        hwm = hwm_kib(self.pid)
        server_cpu = None
        if self._cpu0 is not None and cpu1 is not None and elapsed > 0:
            server_cpu = 100 * (cpu1 - self._cpu0) / elapsed
        client_cpu = 100 * (own1 - self._own0) / elapsed
        machine_cpu = 100 * (busy1 - self._busy0) / elapsed
        return {
            "window_s": elapsed,
            "server_cpu_pct": server_cpu,
            "server_rss_peak_mib": max(self.rss) / 1024 if self.rss else None,
            "server_vm_hwm_mib": hwm / 1024 if hwm is not None else None,
            "client_cpu_pct": client_cpu,
            # Everything else on the machine (other jobs, the kernel's own threads): noise.
            "other_cpu_pct": machine_cpu - client_cpu - (server_cpu or 0.0),
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
    """One `python run.py serve` process on 127.0.0.1, its output captured to `log`."""

    db_url: str
    log: Path
    root: Path = ROOT
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    exit_code: int | None = None
    stop_s: float | None = None
    killed: bool = False

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

    def start(self, timeout: float = 30) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "run.py",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--db",
                    self.db_url,
                    "--rate-limit",
                    "0",
                    "--no-demo",
                    "--log-level",
                    "warning",
                ],
                cwd=self.root,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited early; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"the server did not answer /healthz within {timeout:g} s")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after STOP_GRACE_S; safe to call twice."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        t0 = time.monotonic()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.killed = True
                proc.kill()
                proc.wait(timeout=STOP_GRACE_S)
        self.stop_s = time.monotonic() - t0
        self.exit_code = proc.returncode

    def log_problems(self) -> list[str]:
        """Lines of the server's output worth a reader's attention (it logs warnings and up)."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return []
        noteworthy = re.compile(r"WARNING|ERROR|CRITICAL|Traceback|Exception|Error:")
        return [line for line in lines if noteworthy.search(line)]


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
