"""The load client: simulated participants, one websocket each.

Clients live in several processes (bench/clientproc.py). Their clock is `time.perf_counter`,
which on Linux is CLOCK_MONOTONIC, one clock for the whole machine: a send time taken in one
process and a receive time taken in another can be subtracted. The send time travels in the
card's text, as in the peer harness. A frame's receive time is taken as soon as the reader task
gets it, before it is decoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
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

_JSON_STRING = r'"((?:[^"\\]|\\.)*)"'
EVENT_HEAD = re.compile(
    r'\{"type":"op","seq":(\d+),"id":' + _JSON_STRING + ',"client":' + _JSON_STRING
)
"""The start of every `op` event as the server writes it (board/codec.py `op_event`)."""


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


def payload(op_id: str, sent_at: float) -> str:
    """About 120 characters of card text, like the peer harness's edits: `id|send time|xxx`."""
    head = f"{op_id}|{sent_at:.6f}|"
    return head + "x" * max(0, PAYLOAD_CHARS - len(head))


def sent_at(event: dict[str, Any]) -> float:
    """The send time written into a card.add event's text by `payload`."""
    text: str = event["op"]["card"]["text"]
    a = text.index("|")
    return float(text[a + 1 : text.index("|", a + 1)])


def card_id(op_id: str) -> str:
    return f"c{op_id}"


def card_add(op_id: str, sent: float) -> str:
    """The encoded `op` frame that adds one idea card (the card id is derived from the op id)."""
    card = {"id": card_id(op_id), "section": SECTION, "type": "idea", "text": payload(op_id, sent)}
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
        self.heads_only = False
        """Sinks that need only seq, id and client (W2) let the reader skip decoding the rest:
        decoding every frame was a fifth of a load client's time, more than the server's."""
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
                if self.heads_only and isinstance(raw, str) and raw.startswith('{"type":"op'):
                    for seq, op_id, client in EVENT_HEAD.findall(raw):
                        self._event({"seq": int(seq), "id": op_id, "client": client}, t)
                    continue
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


async def close_all(clients: Sequence[LoadClient]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


async def timed_join(ws_url: str, board: str, token: str, name: str) -> dict[str, Any]:
    """W4: from opening the socket until the whole board is decoded from `welcome`."""
    t0 = time.perf_counter()
    async with connect(
        f"{ws_url}/ws/boards/{board}",
        compression=None,
        max_size=2**28,
        open_timeout=30,
        ping_interval=None,
        close_timeout=2,
    ) as ws:
        hello = {"type": "hello", "client": name, "since": None, "token": token}
        await ws.send(json.dumps(hello))
        async with asyncio.timeout(60):
            while True:
                raw = await ws.recv()
                frame = json.loads(raw)
                if frame["type"] == "welcome":
                    break
                if frame["type"] == "error":
                    raise RuntimeError(f"{name} was refused: {frame}")
        ms = (time.perf_counter() - t0) * 1000
        return {"ms": ms, "cards": len(frame["state"]["cards"]), "welcome_bytes": len(raw)}
