"""The one writer: group commit of the op log, and the lock every other write holds.

On a SQLite file, every write (the op log's batches and the store's other transactions alike)
first checks that the file is still the one the server opened (fileguard.py), and checks again
after it commits: a write into a deleted or replaced file is never reported as stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from board.store import tables as t
from board.store.errors import StorageError
from board.store.fileguard import FileGuard
from board.store.records import OpRecord
from board.store.sqlite_log import SqliteLog
from board.timeutil import now_iso

log = logging.getLogger("brickboard.store")

Checkpoint = tuple[str, int, str]  # board id, seq, state JSON
BoardMeta = tuple[str, dict[str, Any]]  # board id, new values for the boards row
_Batch = tuple[Sequence[OpRecord], Sequence[Checkpoint], Sequence[BoardMeta], asyncio.Future[None]]


def op_row(r: OpRecord) -> dict[str, Any]:
    return {
        "board_id": r.board,
        "seq": r.seq,
        "op_id": r.id,
        "client": r.client,
        "by": r.by,
        "at": r.at,
        "body": r.body,
        "redacted": r.redacted,
    }


async def save_checkpoint(conn: AsyncConnection, board_id: str, seq: int, state: str) -> None:
    """Insert or advance a board's checkpoint in one statement (never backwards), so two
    processes saving the same board's first checkpoint at once cannot collide."""
    upsert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    values = {"board_id": board_id, "seq": seq, "state": state, "updated_at": now_iso()}
    statement = upsert(t.board_states).values(**values)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[t.board_states.c.board_id],
            set_={"seq": seq, "state": state, "updated_at": values["updated_at"]},
            where=t.board_states.c.seq < statement.excluded.seq,
        )
    )


class WriteLock:
    """`async with writer.lock:` around a write transaction: it waits for the writer, and on a
    SQLite file checks the file before the transaction and again after it commits."""

    def __init__(self, lock: asyncio.Lock, guard: FileGuard | None) -> None:
        self._lock = lock
        self._guard = guard

    async def __aenter__(self) -> None:
        await self._lock.acquire()
        if self._guard is not None:
            try:
                self._guard.check()
            except BaseException:
                self._lock.release()
                raise

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if kind is None and self._guard is not None:
                self._guard.check()  # committed, but into a file nobody will open: not stored
        finally:
            self._lock.release()


class GroupWriter:
    """Group commit: every write queued while one transaction runs goes into the next one.

    A lone op commits at once; under load many ops (of many boards) share one commit. It is
    also the one writer SQLite wants.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        log: SqliteLog | None = None,
        guard: FileGuard | None = None,
    ) -> None:
        self._engine = engine
        self._log = log
        """On a SQLite file, the op log's own connection (the hot path); else the engine."""
        self._guard = guard
        self._pending: list[_Batch] = []
        self._wakeup = asyncio.Event()
        self._lock = asyncio.Lock()
        self.lock = WriteLock(self._lock, guard)
        """Held during every write transaction, so other writes queue behind the writer."""
        self._task = asyncio.create_task(self._run(), name="store-writer")

    async def submit(
        self,
        records: Sequence[OpRecord],
        checkpoints: Sequence[Checkpoint],
        metas: Sequence[BoardMeta],
    ) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((records, checkpoints, metas, future))
        self._wakeup.set()
        await future

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            batch, self._pending = self._pending, []
            if batch:
                await self._write(batch)

    async def _write(self, batch: list[_Batch]) -> None:
        records = [r for records, _, _, _ in batch for r in records]
        checkpoints = [c for _, cps, _, _ in batch for c in cps]
        metas = [m for _, _, ms, _ in batch for m in ms]
        try:
            async with self._lock:
                if self._log is not None:  # it checks the file itself, in its own thread
                    await self._log.write(records, checkpoints, metas)
                else:
                    await self._write_through_engine(records, checkpoints, metas)
        except Exception as exc:  # any failure: the whole batch is unstored, say so to each
            log.error("commit of %d ops failed: %s", len(records), exc)
            error = exc if isinstance(exc, StorageError) else StorageError(str(exc))
            for *_, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for *_, future in batch:
            if not future.done():
                future.set_result(None)

    async def _write_through_engine(
        self,
        records: Sequence[OpRecord],
        checkpoints: Sequence[Checkpoint],
        metas: Sequence[BoardMeta],
    ) -> None:
        async with self._engine.begin() as conn:
            if records:
                await conn.execute(insert(t.ops), [op_row(r) for r in records])
            for board_id, seq, state in checkpoints:
                await save_checkpoint(conn, board_id, seq, state)
            for board_id, values in metas:
                await conn.execute(
                    update(t.boards).where(t.boards.c.id == board_id).values(**values)
                )

    async def stop(self) -> None:
        """Write whatever is queued, then stop."""
        while self._pending:
            batch, self._pending = self._pending, []
            await self._write(batch)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if self._log is not None:
            await self._log.close()
        if self._guard is not None:
            self._guard.close()
