"""The load-client processes (bench/clientproc.py), seen from the orchestrator.

Clients are dealt round-robin over the processes, so each board's clients (and so its
receivers) are spread over all of them, and with several servers client i talks to server
(i // processes) mod servers: every process has clients on every server.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPLY_LIMIT = 2**28  # a W1 N=200 reply holds ~100k latencies; W2's holds ~100k op ids


@dataclass(frozen=True)
class Spec:
    """One client to open: where, as whom, and its workload-wide index."""

    url: str
    board: str
    token: str
    name: str
    index: int


class ClientPool:
    """`count` client processes, each driven over its stdin/stdout (one JSON line each way)."""

    def __init__(self, count: int, log: Path) -> None:
        self.count = count
        self.log = log
        self._procs: list[asyncio.subprocess.Process] = []
        self._locks: list[asyncio.Lock] = []

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._procs]

    async def start(self) -> ClientPool:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        for i in range(self.count):
            with self.log.with_name(f"{self.log.stem}-{i}.log").open("ab") as err:
                proc = await asyncio.create_subprocess_exec(
                    sys.executable,
                    str(BENCH / "clientproc.py"),
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=err,
                    limit=REPLY_LIMIT,
                    start_new_session=True,
                )
            self._procs.append(proc)
            self._locks.append(asyncio.Lock())
        return self

    async def call(self, i: int, cmd: dict[str, Any], timeout: float = 300) -> dict[str, Any]:
        """One command to process i, and its reply (an `error` reply raises)."""
        proc = self._procs[i]
        assert proc.stdin is not None and proc.stdout is not None
        async with self._locks[i], asyncio.timeout(timeout):
            proc.stdin.write(json.dumps(cmd).encode() + b"\n")
            await proc.stdin.drain()
            line = await proc.stdout.readline()
        if not line:
            raise RuntimeError(f"load-client process {i} exited; see {self.log.parent}")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"load-client process {i}: {cmd['cmd']}: {reply['error']}")
        return reply

    async def each(self, cmd: dict[str, Any], timeout: float = 300) -> list[dict[str, Any]]:
        """The same command to every process at once; their replies in order."""
        return list(await asyncio.gather(*(self.call(i, cmd, timeout) for i in range(self.count))))

    def deal(self, specs: list[Spec]) -> list[list[Spec]]:
        return [specs[i :: self.count] for i in range(self.count)]

    async def connect(
        self, specs: list[Spec], group: str = "main", concurrency: int = 10
    ) -> dict[str, Any]:
        """Open every client (dealt round-robin); the connect time and each board's seq."""
        dealt = self.deal(specs)
        replies = await asyncio.gather(
            *(
                self.call(
                    i,
                    {
                        "cmd": "connect",
                        "group": group,
                        "concurrency": concurrency,
                        "clients": [s.__dict__ for s in part],
                    },
                )
                for i, part in enumerate(dealt)
                if part
            )
        )
        seqs: dict[str, int] = {}
        for r in replies:
            for board, seq in r["seqs"].items():
                seqs[board] = max(seqs.get(board, 0), seq)
        return {"connect_ms": max(r["connect_ms"] for r in replies), "seqs": seqs}

    async def close(self, group: str | None = None) -> None:
        await self.each({"cmd": "close"} if group is None else {"cmd": "close", "group": group})

    async def stop(self) -> None:
        """Ask each process to exit; kill what is still there 10 s later."""
        for proc in self._procs:
            if proc.returncode is None and proc.stdin is not None:
                try:
                    proc.stdin.write(b'{"cmd": "exit"}\n')
                    await proc.stdin.drain()
                    proc.stdin.close()
                except (BrokenPipeError, ConnectionResetError):
                    pass
        for proc in self._procs:
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        self._procs = []
