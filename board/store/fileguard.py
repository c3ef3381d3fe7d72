"""Noticing a SQLite file deleted or replaced under the running server, before a commit counts.

SQLite keeps writing to the file it opened: delete `brickboard.db` (or move another file in its
place) and every later commit lands in an inode nobody will ever open again, while the server
happily acknowledges it. The guard remembers the file's identity (device and inode, of the
database and of its write-ahead log) when the store opens, and at every write batch checks that
the path still names that file and that the file still starts with a whole SQLite header.

Once something is wrong the guard stays tripped until the server restarts: every later write
is refused `unavailable` (clients keep their edits and send them again after the restart), and
the log says once, in words, what happened and what to do.

A check is two `os.stat` calls and one 100-byte `pread` (bench/guard.py measures it against a
group commit).
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from board.store.errors import StorageError

log = logging.getLogger("brickboard.store")

MAGIC = b"SQLite format 3\x00"
HEADER = 100


class DatabaseGone(StorageError):
    """The database file is not the one the server opened: nothing more can be stored."""


def _identity(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_dev, stat.st_ino


def header_problem(header: bytes, size: int) -> str | None:
    """What is wrong with a SQLite file's first 100 bytes, given the file's size; None if whole.

    The header's page count is only trusted when SQLite marks it valid (its "version valid
    for" number equals the change counter), as SQLite itself does.
    """
    if len(header) < HEADER or not header.startswith(MAGIC):
        return "no longer starts with a SQLite header (overwritten or truncated)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if pages and header[24:28] == header[92:96] and size < pages * page_size:
        return f"was truncated ({size:,} bytes where SQLite wrote {pages * page_size:,})"
    return None


class FileGuard:
    """The identity of one SQLite database file (and its WAL), checked at each write batch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.wal = path.with_name(path.name + "-wal")
        stat = os.stat(path)
        self._identity = _identity(stat)
        self._fd = os.open(path, os.O_RDONLY)
        self._headed = header_problem(os.pread(self._fd, HEADER, 0), stat.st_size) is None
        """Whether the file had a whole header when opened (a brand-new file may not yet)."""
        self._wal_identity: tuple[int, int] | None = None
        self._wal_held = False
        """Whether the op log's connection holds the WAL open (from then on it must stay)."""
        self.problem: str | None = None
        """What went wrong, once the guard has tripped."""

    def note_wal(self) -> None:
        """The op log's connection is open: from now on the WAL file lives as long as the
        server (SQLite deletes it only when the last connection closes), so remember it."""
        self._wal_held = True
        if self._wal_identity is None:
            with contextlib.suppress(FileNotFoundError):
                self._wal_identity = _identity(os.stat(self.wal))

    def check(self) -> None:
        """Raise DatabaseGone unless the path still names the file the server opened."""
        if self.problem is None:
            problem = self._look()
            if problem is None:
                return
            self.problem = problem
            log.error(
                "the database file %s %s while the server was running. Every edit is refused "
                "from now on, so that none is acknowledged into a file nobody will open again; "
                "clients keep theirs and send them again. Stop the server, put the database "
                "back (python run.py restore BACKUP-FILE, from the newest backup), and start "
                "it again.",
                self.path,
                problem,
            )
        raise DatabaseGone(f"the database file {self.path} {self.problem}")

    def _look(self) -> str | None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return "was deleted"
        if _identity(stat) != self._identity:
            return "was replaced by another file"
        if self._headed:
            problem = header_problem(os.pread(self._fd, HEADER, 0), stat.st_size)
            if problem is not None:
                return problem
        if self._wal_held and self._wal_identity is None:
            self.note_wal()  # the connection made it on its first transaction
        if self._wal_identity is not None:
            try:
                if _identity(os.stat(self.wal)) != self._wal_identity:
                    return "lost its write-ahead log (-wal file replaced)"
            except FileNotFoundError:
                return "lost its write-ahead log (-wal file deleted)"
        return None

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
