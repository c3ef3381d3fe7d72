"""A small protocol client for the tests, on the real `websockets` library."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

_ids = itertools.count(1)


class Client:
    """One socket on one board. Keeps every frame received, in order, for assertions."""

    def __init__(self, ws: ClientConnection, name: str) -> None:
        self.ws = ws
        self.name = name
        self.frames: list[dict[str, Any]] = []
        self.welcome: dict[str, Any] | None = None

    @classmethod
    async def open(
        cls,
        ws_url: str,
        board: str,
        token: str | None,
        *,
        since: int | None = None,
        client: str | None = None,
        origin: str | None = None,
        cookie: str | None = None,
        hello: bool = True,
        **options: Any,
    ) -> Client:
        headers = {"Cookie": cookie} if cookie else None
        ws = await connect(
            f"{ws_url}/ws/boards/{board}",
            origin=origin,  # type: ignore[arg-type]
            additional_headers=headers,
            compression=None,
            max_size=2**26,
            open_timeout=10,
            **options,
        )
        self = cls(ws, client or f"test-{next(_ids)}")
        if hello:
            frame: dict[str, Any] = {"type": "hello", "client": self.name, "since": since}
            if token is not None:
                frame["token"] = token
            await self.send(frame)
            self.welcome = await self.next("welcome")
        return self

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def recv(self, timeout: float = 10) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        frame = json.loads(raw)
        self.frames.append(frame)
        return frame

    async def next(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        """The next frame of this type (frames of other types are kept but skipped)."""
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.recv(timeout)
                if frame["type"] == kind:
                    return frame
                if frame["type"] == "error" and kind != "error":
                    raise AssertionError(f"{self.name} got an error: {frame}")

    async def until(self, check: Callable[[dict[str, Any]], bool], timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):
            while True:
                if check(await self.recv(timeout)):
                    return

    async def events_until_seq(self, seq: int, timeout: float = 10) -> list[dict[str, Any]]:
        """Every op event received until one with `seq` arrives (`ops` frames unpacked)."""
        events: list[dict[str, Any]] = []
        async with asyncio.timeout(timeout):
            while not events or events[-1]["seq"] < seq:
                frame = await self.recv(timeout)
                if frame["type"] == "op":
                    events.append(frame)
                elif frame["type"] == "ops":
                    events.extend(frame["ops"])
        return events

    async def op(self, op: dict[str, Any], op_id: str | None = None) -> dict[str, Any]:
        """Send an op and wait for its own event (the acknowledgement) or its error."""
        op_id = op_id or f"{self.name}-{next(_ids)}"
        await self.send({"type": "op", "id": op_id, "op": op})
        me = self.welcome["me"]["id"] if self.welcome else None
        async with asyncio.timeout(10):
            while True:
                frame = await self.recv()
                for event in frame["ops"] if frame["type"] == "ops" else [frame]:
                    if event.get("id") != op_id:
                        continue
                    # op ids are unique per author: another person's event may share the id
                    if event["type"] == "error" or (event["type"] == "op" and event["by"] == me):
                        return event

    async def close(self) -> None:
        await self.ws.close()


def add_card(card_id: str, text: str = "An idea", section: str = "problem_vision", **fields: Any):
    return {
        "kind": "card.add",
        "card": {
            "id": card_id,
            "section": section,
            "type": fields.pop("type", "idea"),
            "text": text,
            **fields,
        },
        "after": None,
    }
