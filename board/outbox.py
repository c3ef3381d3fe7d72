"""A client's bounded outbound queue and the one task that drains it.

Fan-out puts the same encoded text on every client's queue and never waits on a socket, so a
slow laptop only ever delays itself. Whatever piled up while a send was in flight leaves in
one `ops` frame. A client whose queue passes its bound is cut off; it resumes with `since`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable

from board.codec import ops_frame
from board.errors import CloseCode
from board.types import Transport

log = logging.getLogger("brickboard.outbox")


class Outbox:
    def __init__(
        self, transport: Transport, bound: int, on_overflow: Callable[[], None] | None = None
    ) -> None:
        self._transport = transport
        self._bound = bound
        self._queue: deque[tuple[bool, str]] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._on_overflow = on_overflow
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
            if self._on_overflow is not None:
                self._on_overflow()
            return False
        self._queue.append((event, text))
        self._idle.clear()
        self._wake.set()
        return True

    @property
    def backlog(self) -> int:
        return len(self._queue)

    def _frames(self) -> list[str]:
        frames: list[str] = []
        run: list[str] = []
        while self._queue:
            is_event, text = self._queue.popleft()
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
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                for frame in self._frames():
                    await self._transport.send_text(frame)
                if not self._queue:
                    self._idle.set()
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

    async def drain_and_close(self, code: int, reason: str, timeout: float = 2.0) -> None:
        """Send what is queued (within `timeout`), then close: for a graceful shutdown."""
        if self.closed:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        self.closed = True
        self._task.cancel()
        await self._close(code, reason)
