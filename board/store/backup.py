"""Backups: the whole database as one SQLite file, consistent, taken while the server runs.

Whatever the database, a backup is an ordinary Brickboard SQLite database file:

- **SQLite**: SQLite's online backup API, in one step. It reads one consistent snapshot of the
  file (WAL mode lets the server keep committing meanwhile), so the copy holds exactly what was
  committed when it began: every edit acknowledged before then, nothing half-written.
- **PostgreSQL**: every row of our tables read in one `REPEATABLE READ` transaction (one
  snapshot of the database), written into a new SQLite file made by the same migrations.

So one format restores anywhere (`python run.py restore FILE` into SQLite or PostgreSQL, on
this laptop or another), opens with any SQLite tool, and can simply be put in place of
`data/brickboard.db`. It is written under a temporary name, checked with `PRAGMA quick_check`,
flushed to disk, and only then renamed to its final name: a file with the final name is whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from board.store import migrate, problems
from board.store.integrity import sqlite_file
from board.store.tablecopy import copy_rows, summary

SUFFIX = ".db"


@dataclass(frozen=True, slots=True)
class BackupFile:
    """A backup on disk and what it holds."""

    path: Path
    revision: str | None
    counts: dict[str, int]
    taken_at: str
    """When it was written (UTC, ISO 8601), from the file's time."""
    size: int

    def describe(self) -> str:
        return f"{self.path} ({summary(self.counts)}; {self.size / 1e6:.1f} MB)"


def sqlite_url_of(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _open_existing(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    mode = "ro" if readonly else "rw"
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode={mode}", uri=True, timeout=10)


def _online_copy(source: Path, target: Path) -> None:
    """SQLite's backup API, all pages in one step: one consistent read of the source. The copy
    is switched out of WAL mode, so it is one self-contained file (no -wal beside it)."""
    with (
        contextlib.closing(_open_existing(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


async def _postgres_dump(url: str, target: Path) -> None:
    """Every row of our tables, read in one snapshot, into a new SQLite file at the head."""
    status = await migrate.status(url)
    if status.kind != "versioned" or not status.current:
        raise problems.DatabaseProblem(
            f"the database {problems.shown(url)} is not at this Brickboard's schema revision "
            f"({status.effective or 'none'}, not {status.head}): back it up with the version "
            "that serves it, or run `python run.py db upgrade` first."
        )
    target_url = sqlite_url_of(target)
    await migrate.upgrade(target_url)  # an empty file: every migration, to the same head
    source = migrate.migration_engine(url)
    sink = migrate.migration_engine(target_url)
    try:
        async with source.connect() as src, sink.begin() as dst:
            snapshot = await src.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            async with snapshot.begin():
                await copy_rows(snapshot, dst)
    finally:
        await source.dispose()
        await sink.dispose()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


async def take(url: str, out: Path) -> BackupFile:
    """Write a backup of the database at `url` to `out` (replacing a file of that name)."""
    out = out.expanduser()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        path = sqlite_file(url)
        if path is None:
            await _postgres_dump(url, partial)
        elif not path.exists():
            raise problems.DatabaseProblem(
                f"there is no database at {path} to back up (is --db the server's database?)"
            )
        else:
            await asyncio.to_thread(_online_copy, path, partial)
        backup = await asyncio.to_thread(read, partial)
        await asyncio.to_thread(_fsync, partial)
        os.replace(partial, out)
        await asyncio.to_thread(_fsync, out.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupFile(out, backup.revision, backup.counts, backup.taken_at, backup.size)


def read(path: Path, named: Path | None = None) -> BackupFile:
    """Check a backup file and say what it holds; raises DatabaseProblem saying what is wrong
    with it (missing, not a database, damaged, not Brickboard's). `named`: the file as the
    person gave it, when `path` is a scratch copy of it."""
    shown = named or path
    if not path.is_file():
        raise problems.DatabaseProblem(f"there is no backup file {shown}.")
    with path.open("rb") as f:
        header = f.read(16)
    if header != b"SQLite format 3\x00":
        raise problems.DatabaseProblem(
            f"{shown} is not a Brickboard backup: it is not a SQLite database file"
            + (" (it is empty)." if not header else ".")
        )
    try:
        with contextlib.closing(_open_existing(path, readonly=True)) as conn:
            check = conn.execute("PRAGMA quick_check(5)").fetchall()
            names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
            revision = None
            if migrate.VERSION_TABLE in names:
                row = conn.execute(f"SELECT version_num FROM {migrate.VERSION_TABLE}").fetchone()
                revision = row[0] if row else None
            counts = {
                table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in ("workshops", "boards", "participants", "ops", "snapshots")
                if table in names
            }
            if "boards" in names:
                counts["canvases"] = conn.execute(
                    "SELECT count(*) FROM boards WHERE kind = 'board'"
                ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise damaged(shown, str(exc)) from None
    if check != [("ok",)]:
        raise damaged(shown, "; ".join(str(row[0]).splitlines()[0] for row in check[:2]))
    if "workshops" not in names:
        raise problems.DatabaseProblem(
            f"{shown} is a SQLite database, but not a Brickboard backup (it has no workshops "
            "table)."
        )
    stat = path.stat()
    taken = datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds")
    return BackupFile(shown, revision, counts, taken.replace("+00:00", "Z"), stat.st_size)


def damaged(path: Path, detail: str) -> problems.DatabaseProblem:
    return problems.DatabaseProblem(
        f"the backup {path} is damaged ({detail}); it cannot be restored. Use another backup "
        "(an earlier one, or the copy on the USB stick)."
    )
