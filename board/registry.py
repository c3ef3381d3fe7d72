"""The open rooms of this server process: a room per board, opened on first use and kept while
the server runs; with several processes, the broker's announcements routed to them."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from board.errors import CloseCode
from board.room_events import records_from
from board.rooms import Member, Room
from board.store import Store

log = logging.getLogger("brickboard.rooms")

CHANNEL = "brickboard:board:"
SWEEP_SECONDS = 2.0


class Broker(Protocol):
    async def subscribe(self, channel: str) -> None: ...

    async def unsubscribe(self, channel: str) -> None: ...

    async def publish(self, channel: str, message: str) -> None: ...


class RoomRegistry:
    """Opens a room on first use and keeps it while the server runs."""

    def __init__(self, store: Store, *, broker: Broker | None = None, card_cap: int = 0) -> None:
        self._store = store
        self._card_cap = card_cap
        self.broker = broker
        """With several processes: announces commits, and tells rooms of others' commits."""
        self._sweeper: asyncio.Task[None] | None = None
        self._rooms: dict[str, Room] = {}
        self._opening: dict[str, asyncio.Future[Room | None]] = {}
        self._draining = False

    async def room(self, board_id: str) -> Room | None:
        room = self._rooms.get(board_id)
        if room is not None:
            return room
        pending = self._opening.get(board_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Room | None] = asyncio.get_running_loop().create_future()
        self._opening[board_id] = future
        try:
            state = await self._store.load_board(board_id)
            if state is None:
                future.set_result(None)
                return None
            op_ids = await self._store.op_ids(board_id)
            publish = None if self.broker is None else self._publish
            room = Room(state, op_ids, self._store, publish=publish, card_cap=self._card_cap)
            self._rooms[board_id] = room
            if self.broker is not None:
                await self.broker.subscribe(CHANNEL + board_id)
                room.remote(None)  # anything committed between the load and the subscribe
            future.set_result(room)
            return room
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here, re-raised below to this caller
            raise
        finally:
            del self._opening[board_id]

    async def _publish(self, board_id: str, message: str) -> None:
        assert self.broker is not None
        await self.broker.publish(CHANNEL + board_id, message)

    def on_message(self, channel: str, message: str) -> None:
        """The broker announced commits of another process (ours come back too: ignored)."""
        room = self._rooms.get(channel.removeprefix(CHANNEL))
        if room is not None:
            room.remote(records_from(message))

    async def on_reconnect(self) -> None:
        """Announcements may have been missed while the broker was away: check the database."""
        for room in list(self._rooms.values()):
            room.remote(None)

    def start_sweeping(self, every: float = SWEEP_SECONDS) -> None:
        """With a broker: every few seconds, rooms with people in them that have been quiet
        look for commits whose announcement never came (a safety net under Redis, not the way
        events travel)."""

        async def sweep() -> None:
            while True:
                await asyncio.sleep(every)
                quiet_since = time.monotonic() - every
                # A busy room needs no sweep: its own flushes read what others committed, and
                # the next announcement shows a gap. The quiet ones are checked in one query
                # (a query per room every 2 s stretched latency with 50 boards open).
                rooms = [
                    room
                    for room in self._rooms.values()
                    if room.members and room.idle_inbox and room.last_event <= quiet_since
                ]
                if not rooms:
                    continue
                try:
                    latest = await self._store.max_seqs(room.board_id for room in rooms)
                except Exception as exc:  # the database is away: the next sweep tries again
                    log.warning("sweep: could not read the boards' last seq: %s", exc)
                    continue
                for room in rooms:
                    if latest.get(room.board_id, 0) > room.committed_seq:
                        room.remote(None)

        self._sweeper = asyncio.create_task(sweep(), name="room-sweeper")

    def open_rooms(self) -> list[Room]:
        return list(self._rooms.values())

    def members_of(self, participant_id: str) -> list[tuple[Room, Member]]:
        return [
            (room, member)
            for room in self._rooms.values()
            for member in room.members
            if member.actor.id == participant_id
        ]

    @property
    def draining(self) -> bool:
        return self._draining

    async def close(self, reason: str = "The server is restarting; reconnect in a moment.") -> None:
        """A graceful stop: refuse new ops as retryable, commit and acknowledge every op already
        received, send each client what is queued for it, then close (they resume with since)."""
        self._draining = True
        if self._sweeper is not None:
            self._sweeper.cancel()
        rooms = list(self._rooms.values())
        await asyncio.gather(*(room.stop() for room in rooms), return_exceptions=True)
        members = [m for room in rooms for m in room.members]
        await asyncio.gather(
            *(m.outbox.drain_and_close(CloseCode.SERVICE_RESTART, reason) for m in members),
            return_exceptions=True,
        )
        self._rooms.clear()
