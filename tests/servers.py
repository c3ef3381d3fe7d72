"""Real servers for the tests: `python run.py` in a subprocess on a free port, real database."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "run.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=check,
        timeout=60,
    )


def cli_here(capsys: Any, *args: str) -> tuple[int, str, str]:
    """`python run.py ...` in this process (for sync tests; no interpreter start-up), with
    what it printed: (exit code, stdout, stderr)."""
    from board.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@dataclass
class Server:
    """A Brickboard process serving a database; can be killed and restarted on the same data."""

    db: str
    port: int = field(default_factory=free_port)
    extra: tuple[str, ...] = ()
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    scheme: str = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.log = self.log or Path(os.environ.get("TMPDIR", "/tmp")) / f"bb-{self.port}.log"
        out = self.log.open("ab")
        backups = (
            ()
            if "--backup-dir" in self.extra or self.db.startswith("sqlite")
            else ("--backup-dir", str(self.log.with_suffix(".backups")))
        )  # SQLite's go beside the test's file; PostgreSQL's would go to the project's data/
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
                self.db,
                "--no-demo",
                "--log-level",
                "warning",
                *backups,
                *self.extra,
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        context = ssl._create_unverified_context() if self.scheme == "https" else None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1, context=context) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start within 30 s")

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode
        self.proc = None
        return code

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def restart(self) -> Server:
        self.stop()
        return self.start()


def demo_roster(db: str) -> dict[str, Any]:
    """Create the demo workshop in `db` and return what `python run.py demo --json` prints.

    In this process, for speed (a test suite makes hundreds); test_cli checks the command.
    """
    from board.demo import ensure_demo, roster_json
    from board.store import Store

    async def make() -> dict[str, Any]:
        store = await Store.open(db)
        try:
            return await roster_json(store, await ensure_demo(store), "http://127.0.0.1:8000")
        finally:
            await store.close()

    return asyncio.run(make())


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"
