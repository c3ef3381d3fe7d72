"""The op log's commits on SQLite: one thread, its own connection, one hop per commit.

Through SQLAlchemy and aiosqlite, a commit of 50 ops cost about 1.7 ms of CPU (a thread hop and
parameter processing per statement, a pool checkout and reset per transaction), which made the
database half of the server's work under load. Here the whole transaction is one call into a
thread that holds a plain `sqlite3` connection with the same pragmas, so it is as durable as
before (WAL, synchronous=FULL: the commit has reached the disk when `write` returns).

Only the hot path lives here; every other query still goes through SQLAlchemy, and every write
of either kind holds the store's write lock, so the two connections never write at once.

Each batch checks the file's identity before it begins and after it commits (fileguard.py), in
the same thread hop, so a batch written into a deleted or replaced file is refused, not
acknowledged. The connection opens the file read-write without creating it: a deleted file is
never silently replaced by an empty one.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from board.store import tables as t
from board.store.fileguard import FileGuard
from board.store.records import OpRecord
from board.timeutil import now_iso

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
)
"""Set on every connection to the file, this one and SQLAlchemy's (see engine.py)."""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_OPS_COLUMNS = ("board_id", "seq", "op_id", "client", "by", "at", "body", "redacted")
assert set(_OPS_COLUMNS) == {c.name for c in t.ops.columns}, "ops columns changed"
INSERT_OPS = (
    f"INSERT INTO {_quoted(t.ops.name)} ({', '.join(map(_quoted, _OPS_COLUMNS))}) "
    f"VALUES ({', '.join('?' * len(_OPS_COLUMNS))})"
)
SAVE_CHECKPOINT = (
    f"INSERT INTO {_quoted(t.board_states.name)} (board_id, seq, state, updated_at) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (board_id) DO UPDATE SET seq = excluded.seq, "
    f"state = excluded.state, updated_at = excluded.updated_at "
    f"WHERE {_quoted(t.board_states.name)}.seq < excluded.seq"
)
_BOARD_COLUMNS = {c.name for c in t.boards.columns}


def _row(r: OpRecord) -> tuple[Any, ...]:
    return (r.board, r.seq, r.id, r.client, r.by, r.at, r.body, r.redacted)


class SqliteLog:
    """Writes batches of ops, checkpoints and board-list changes, each batch in one commit."""

    def __init__(self, path: str, guard: FileGuard | None = None) -> None:
        self._path = path
        self._guard = guard
        self._conn: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-log")

    async def write(
        self,
        records: Sequence[OpRecord],
        checkpoints: Sequence[tuple[str, int, str]],
        metas: Sequence[tuple[str, dict[str, Any]]],
    ) -> None:
        """Commit it all or nothing; raises sqlite3.Error when nothing was stored."""
        rows = [_row(r) for r in records]
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._write, rows, checkpoints, metas)

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(
                f"file:{quote(self._path)}?mode=rw",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
            )
            for pragma in PRAGMAS:
                conn.execute(pragma)
            self._conn = conn
            if self._guard is not None:
                self._guard.note_wal()
        return self._conn

    def _write(
        self,
        rows: list[tuple[Any, ...]],
        checkpoints: Sequence[tuple[str, int, str]],
        metas: Sequence[tuple[str, dict[str, Any]]],
    ) -> None:
        if self._guard is not None:
            self._guard.check()
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if rows:
                conn.executemany(INSERT_OPS, rows)
            for board_id, seq, state in checkpoints:
                conn.execute(SAVE_CHECKPOINT, (board_id, seq, state, now_iso()))
            for board_id, values in metas:
                names = [k for k in values if k in _BOARD_COLUMNS]
                if names:
                    sets = ", ".join(f"{_quoted(k)} = ?" for k in names)
                    conn.execute(
                        f"UPDATE {_quoted(t.boards.name)} SET {sets} WHERE id = ?",
                        [*(values[k] for k in names), board_id],
                    )
            conn.execute("COMMIT")
            if self._guard is not None:
                self._guard.check()  # raced the commit: in a file nobody will open
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    async def close(self) -> None:
        def close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        await asyncio.get_running_loop().run_in_executor(self._thread, close)
        self._thread.shutdown(wait=True)
