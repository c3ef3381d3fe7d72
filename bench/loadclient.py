"""The load client: simulated participants, one websocket each, all in this one process.

Every client shares this process's `time.perf_counter`, so a send time on one client and a
receive time on another can be subtracted. A frame's receive time is taken as soon as the
reader task gets it, before it is decoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

PAYLOAD_CHARS = 120
SECTION = "technology_solution"

EventSink = Callable[["LoadClient", dict[str, Any], float], None]


@dataclass
class Trouble:
    """Everything that went wrong on the client side, shared by all clients of a workload."""

    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[dict[str, Any]] = field(default_factory=list)
    closes: list[dict[str, Any]] = field(default_factory=list)
    seq_anomalies: int = 0
    seq_samples: list[str] = field(default_factory=list)

    def error(self, client: str, frame: dict[str, Any]) -> None:
        self.errors[str(frame.get("code"))] += 1
        if len(self.error_samples) < 10:
            self.error_samples.append({"client": client, **frame})

    def seq(self, client: str, expected: int, got: int) -> None:
        self.seq_anomalies += 1
        if len(self.seq_samples) < 10:
            self.seq_samples.append(f"{client}: expected seq {expected}, got {got}")

    def summary(self) -> dict[str, Any]:
        return {
            "error_frames": dict(self.errors),
            "error_samples": self.error_samples,
            "unexpected_closes": self.closes,
            "seq_anomalies": self.seq_anomalies,
            "seq_samples": self.seq_samples,
        }


def payload(op_id: str) -> str:
    """About 120 characters of card text, like the peer harness's edits."""
    head = f"{op_id}|"
    return head + "x" * max(0, PAYLOAD_CHARS - len(head))


def card_add(op_id: str) -> str:
    """The encoded `op` frame that adds one idea card (the card id is derived from the op id)."""
    card = {"id": f"c{op_id}", "section": SECTION, "type": "idea", "text": payload(op_id)}
    return json.dumps(
        {"type": "op", "id": op_id, "op": {"kind": "card.add", "card": card, "after": None}},
        separators=(",", ":"),
    )


class LoadClient:
    """One participant's socket on one board; hands every op event to `sink`."""

    def __init__(
        self, ws: ClientConnection, name: str, board: str, index: int, seq: int, trouble: Trouble
    ) -> None:
        self.ws = ws
        self.name = name
        self.board = board
        self.index = index
        self.seq = seq
        self.trouble = trouble
        self.sink: EventSink | None = None
        self.pending: dict[str, asyncio.Future[float | None]] = {}
        self.open = True
        self._closing = False
        self._reader = asyncio.create_task(self._read(), name=f"reader-{name}")

    @classmethod
    async def connect(
        cls, ws_url: str, board: str, token: str, name: str, index: int, trouble: Trouble
    ) -> LoadClient:
        """Open the socket, say hello with the token (no Origin header), wait for welcome."""
        ws = await connect(
            f"{ws_url}/ws/boards/{board}",
            compression=None,
            max_size=2**26,
            open_timeout=15,
            ping_interval=None,  # the server pings; our own pings would only add noise
            close_timeout=2,
        )
        try:
            hello = {"type": "hello", "client": name, "since": None, "token": token}
            await ws.send(json.dumps(hello))
            async with asyncio.timeout(15):
                while True:
                    frame = json.loads(await ws.recv())
                    if frame["type"] == "welcome":
                        return cls(ws, name, board, index, int(frame["seq"]), trouble)
                    if frame["type"] == "error":
                        raise RuntimeError(f"{name} was refused: {frame}")
        except BaseException:
            await ws.close()
            raise

    def expect(self, op_id: str) -> asyncio.Future[float | None]:
        """A future for the receive time of this op's own event (None if the socket closed)."""
        future: asyncio.Future[float | None] = asyncio.get_running_loop().create_future()
        self.pending[op_id] = future
        return future

    async def send(self, frame: str) -> None:
        await self.ws.send(frame)

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                t = time.perf_counter()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "op":
                    self._event(frame, t)
                elif kind == "ops":
                    for event in frame["ops"]:
                        self._event(event, t)
                elif kind == "error":
                    self.trouble.error(self.name, frame)
                    self._resolve(frame.get("id"), None)
        except ConnectionClosed:
            pass
        finally:
            self.open = False
            if not self._closing:
                self.trouble.closes.append(
                    {
                        "client": self.name,
                        "code": self.ws.close_code,
                        "reason": self.ws.close_reason,
                        "at": time.perf_counter(),
                    }
                )
            for future in self.pending.values():
                if not future.done():
                    future.set_result(None)
            self.pending.clear()

    def _event(self, event: dict[str, Any], t: float) -> None:
        seq = event["seq"]
        if seq != self.seq + 1:
            self.trouble.seq(self.name, self.seq + 1, seq)
        self.seq = max(self.seq, seq)
        self._resolve(event["id"], t)
        if self.sink is not None:
            self.sink(self, event, t)

    def _resolve(self, op_id: str | None, t: float | None) -> None:
        future = self.pending.pop(op_id, None) if op_id is not None else None
        if future is not None and not future.done():
            future.set_result(t)

    async def close(self) -> None:
        self._closing = True
        self.sink = None
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                await self.ws.close()
        self._reader.cancel()
        await asyncio.wait([self._reader], timeout=5)  # unlike `await`, never swallows our cancel


async def connect_many(
    ws_url: str,
    boards: Sequence[str],
    tokens: Sequence[str],
    tag: str,
    trouble: Trouble,
    concurrency: int = 10,
) -> list[LoadClient]:
    """Client i joins boards[i] with tokens[i]; at most `concurrency` handshakes at once."""
    clients: list[LoadClient | None] = [None] * len(boards)
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            clients[i] = await LoadClient.connect(
                ws_url, boards[i], tokens[i], f"{tag}-{i}", i, trouble
            )

    try:
        async with asyncio.TaskGroup() as group:  # one failure cancels the other handshakes
            for i in range(len(boards)):
                group.create_task(one(i))
    except BaseException:
        await close_all([c for c in clients if c is not None])
        raise
    return [c for c in clients if c is not None]


async def close_all(clients: Sequence[LoadClient]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
