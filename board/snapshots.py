"""Snapshots, day closes and restores: the record of the workshop, taken without stopping anyone.

A snapshot reads a board's committed state through its room (between two commits, so it is
exactly the state at its seq), then hashes and encodes it off the event loop. Rooms keep
accepting ops meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

from board.codec import decode, encode
from board.model import Actor, BoardState, Refusal
from board.model.days import DEFAULT_DAY_END, due_closes
from board.model.history import content_hash, restore_ops, same_content
from board.model.visibility import visible_to
from board.rooms import BatchRefused, RoomRegistry
from board.roster import new_id
from board.store import SnapshotRow, Store
from board.timeutil import now_iso

log = logging.getLogger("brickboard.snapshots")


def _freeze(wire: dict[str, Any]) -> tuple[str, str]:
    """JSON text and hash of a state; run in a worker thread for large boards."""
    return encode(wire), content_hash(wire)


async def capture(
    rooms: RoomRegistry,
    board_id: str,
    *,
    label: str,
    kind: str,
    by: str | None,
    day: int | None = None,
) -> SnapshotRow:
    room = await rooms.room(board_id)
    if room is None:
        raise LookupError(f"no board {board_id!r}")
    wire = await room.read()
    text, digest = await asyncio.to_thread(_freeze, wire)
    return SnapshotRow(
        id=new_id("s"),
        board=board_id,
        seq=wire["seq"],
        label=label,
        kind=kind,
        day=day,
        taken_by=by,
        taken_at=now_iso(),
        hash=digest,
        state=text,
    )


async def take(
    store: Store, rooms: RoomRegistry, board_ids: list[str], *, label: str, by: str | None
) -> list[SnapshotRow]:
    """A labelled snapshot of each board, now."""
    rows = [
        await capture(rooms, board_id, label=label, kind="manual", by=by) for board_id in board_ids
    ]
    await store.save_snapshots(rows, None)
    return rows


async def close_day(
    store: Store, rooms: RoomRegistry, workshop_id: str, day: int, *, by: str | None, auto: bool
) -> list[SnapshotRow] | None:
    """Snapshot every board as "Day N close"; None if that day was already closed."""
    if day in await store.closed_days(workshop_id):
        return None
    boards = await store.boards(workshop_id)
    rows = [
        await capture(rooms, b.id, label=f"Day {day} close", kind="day_close", by=by, day=day)
        for b in boards
    ]
    if not await store.save_snapshots(rows, (workshop_id, day, by, auto)):
        return None  # closed meanwhile by another request
    log.info("workshop %s: day %d closed (%s), %d boards", workshop_id, day,
             "automatically" if auto else "by hand", len(rows))  # fmt: skip
    return rows


CHANGED_SINCE = (
    "The board has changed since then (someone else edited it), so this restore was not "
    "undone; pick the snapshot to go back to in History."
)


async def restore(
    store: Store,
    rooms: RoomRegistry,
    snapshot: SnapshotRow,
    actor: Actor,
    *,
    expect: SnapshotRow | None = None,
) -> tuple[SnapshotRow, list[dict[str, Any]]]:
    """Make the board say what the snapshot says again, as new ops (first snapshotting the
    board as it was, so the restore can be undone by restoring that). Returns that snapshot
    and the events.

    What the snapshot held hidden from `actor` (others' private cards, taken during private
    writing) is neither re-added nor deleted: the board keeps whatever it has of those now.
    Voting rounds and private writing itself are not part of a restore.

    `expect` (an undo of a restore): the board must still say what that snapshot says, else
    BatchRefused with `conflict`: an undo never wipes out what others wrote since.
    """
    assert snapshot.state is not None
    room = await rooms.room(snapshot.board)
    assert room is not None
    expected = None if expect is None or expect.state is None else decode(expect.state)
    refusal = Refusal("conflict", CHANGED_SINCE)
    if expected is not None and not same_content(await room.read(), expected):
        raise BatchRefused(refusal)  # before taking a snapshot nobody needs
    before = await capture(
        rooms, snapshot.board, label=f"Before restoring {snapshot.label}", kind="before_restore",
        by=actor.id,
    )  # fmt: skip
    await store.save_snapshots([before], None)
    target = visible_to(decode(snapshot.state), actor)

    def make_ops(state: BoardState) -> list[dict[str, Any]]:
        if expected is not None and not same_content(state.to_wire(share=True), expected):
            raise BatchRefused(refusal)  # changed between the check above and now
        return restore_ops(state, target, actor.id)

    return before, await room.apply_batch(actor, "restore", make_ops)


class DayCloser:
    """Closes session days at the workshop's local end of day, and at start for days missed
    while the server was down. `clock` is injectable so tests need no sleeping."""

    def __init__(
        self,
        store: Store,
        rooms: RoomRegistry,
        *,
        end: time = DEFAULT_DAY_END,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        interval: float = 30.0,
        on_close: Callable[[str, int], None] | None = None,
    ) -> None:
        self._store, self._rooms, self._end = store, rooms, end
        self._clock, self._interval = clock, interval
        self._on_close = on_close
        """Told of each day it closed (the server backs up then)."""
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> list[tuple[str, int]]:
        """Close every day that is due now; returns (workshop, day) pairs closed."""
        closed_now: list[tuple[str, int]] = []
        now = self._clock()
        for workshop in await self._store.workshops():
            closed = set(await self._store.closed_days(workshop.id))
            for day in due_closes(workshop.days, workshop.timezone, closed, now, self._end):
                if await close_day(self._store, self._rooms, workshop.id, day, by=None, auto=True):
                    closed_now.append((workshop.id, day))
                    if self._on_close is not None:
                        self._on_close(workshop.id, day)
        return closed_now

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="day-closer")

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a failed tick is retried at the next one
                log.exception("closing session days failed")
            await asyncio.sleep(self._interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
