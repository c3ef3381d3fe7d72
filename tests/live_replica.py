"""Drive a Replica over a real websocket: read in the background, reconnect, resend."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from tests.replica import Replica


class LiveClient:
    def __init__(self, ws_url: str, board: str, token: str, name: str) -> None:
        self.url = f"{ws_url}/ws/boards/{board}"
        self.token = token
        self.replica = Replica(name)
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.welcomed = asyncio.Event()
        self.changed = asyncio.Event()

    async def connect(self) -> bool:
        """Connect, resume with since, resend what is pending; False if the server is down."""
        try:
            self.ws = await connect(self.url, compression=None, max_size=2**26, open_timeout=5)
        except (OSError, InvalidHandshake, TimeoutError):
            return False
        self.welcomed.clear()
        self.reader = asyncio.create_task(self._read(self.ws))
        try:
            await self.ws.send(json.dumps(self.replica.hello(self.token)))
            async with asyncio.timeout(10):
                await self.welcomed.wait()
            for frame in self.replica.resend():
                await self.ws.send(json.dumps(frame))
        except (ConnectionClosed, TimeoutError):
            return False
        return True

    async def _read(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                frame = json.loads(raw)
                self.replica.on_frame(frame)
                if frame["type"] == "welcome":
                    self.welcomed.set()
                self.changed.set()
        self.changed.set()  # the socket closed: a waiter may need to reconnect

    async def send(self, op: dict[str, Any]) -> None:
        """Queue an op in the replica (pending) and try to send it; a drop is fine, it is resent."""
        frame = self.replica.new_op(op)
        if self.ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await self.ws.send(json.dumps(frame))

    @property
    def connected(self) -> bool:
        return self.reader is not None and not self.reader.done()

    async def settle(self, timeout: float = 20) -> None:
        """Wait until nothing is pending (reconnecting when the socket dropped)."""
        async with asyncio.timeout(timeout):
            while self.replica.pending:
                self.changed.clear()
                if not self.connected and not await self.connect():
                    await asyncio.sleep(0.2)  # the server is not back yet: back off
                    continue
                if self.replica.pending:
                    await self.changed.wait()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)
