"""A client's bounded outbound queue and the one task that drains it.

Fan-out puts the same encoded text on every client's queue and never waits on a socket, so a
slow laptop only ever delays itself. Whatever piled up while a send was in flight leaves in
one `ops` frame. A client whose queue passes its bound is cut off; it resumes with `since`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from board.codec import ops_frame
from board.errors import CloseCode
from board.types import Transport

log = logging.getLogger("brickboard.outbox")


class Outbox:
    """Kept small: an idle board holds hundreds of these (W5 measures memory per connection),
    so the queue is a plain list and the waits are futures made only while someone waits."""

    __slots__ = (
        "_bound",
        "_closing",
        "_drained",
        "_queue",
        "_sending",
        "_task",
        "_transport",
        "_wake",
        "closed",
    )

    def __init__(self, transport: Transport, bound: int) -> None:
        self._transport = transport
        self._bound = bound
        self._queue: list[tuple[bool, str]] = []
        self._wake: asyncio.Future[None] | None = None
        """Resolved by `put` while the sender waits for frames."""
        self._drained: asyncio.Future[None] | None = None
        """Resolved by the sender once everything queued is sent, for `drain_and_close`."""
        self._sending = False
        self.closed = False
        self._closing: asyncio.Task[None] | None = None
        self._task = asyncio.create_task(self._run(), name="outbox")

    def put(self, text: str, *, event: bool = False) -> bool:
        """Queue a frame; `event` marks an `op` event that may be coalesced with others.

        Returns False (and cuts the client off) when the client is too far behind.
        """
        if self.closed:
            return False
        if len(self._queue) >= self._bound:
            log.info("client too far behind (%d frames queued): disconnecting", len(self._queue))
            self.close(CloseCode.TRY_AGAIN_LATER, "Too far behind; reconnect and resume.")
            return False
        self._queue.append((event, text))
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)
        return True

    def _frames(self) -> list[str]:
        items, self._queue = self._queue, []
        frames: list[str] = []
        run: list[str] = []
        for is_event, text in items:
            if is_event:
                run.append(text)
                continue
            if run:
                frames.append(run[0] if len(run) == 1 else ops_frame(run))
                run = []
            frames.append(text)
        if run:
            frames.append(run[0] if len(run) == 1 else ops_frame(run))
        return frames

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                if not self._queue:
                    if self._drained is not None and not self._drained.done():
                        self._drained.set_result(None)
                    self._wake = loop.create_future()
                    await self._wake
                    self._wake = None
                self._sending = True
                for frame in self._frames():
                    await self._transport.send_text(frame)
                self._sending = False
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the socket went away; the reader side cleans up
            log.debug("send failed: %s", exc)
            self.closed = True

    def close(self, code: int, reason: str) -> None:
        """Stop sending and close the socket with `code` (the frames still queued are dropped)."""
        if self.closed:
            return
        self.closed = True
        self._queue.clear()
        self._task.cancel()
        self._closing = asyncio.create_task(self._close(code, reason))

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self._transport.close(code, reason)

    async def sent(self) -> None:
        """Return once every frame queued so far has been handed to the socket."""
        if self._queue or self._sending:
            if self._drained is None or self._drained.done():
                self._drained = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._drained)

    async def drain_and_close(self, code: int, reason: str, timeout: float = 2.0) -> None:
        """Send what is queued (within `timeout`), then close: for a graceful shutdown."""
        if self.closed:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self.sent()
        self.closed = True
        self._task.cancel()
        await self._close(code, reason)
