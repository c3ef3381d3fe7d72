"""Restore: a backup file back into a database, SQLite or PostgreSQL, empty unless forced.

1. The backup is checked (a SQLite file, whole, Brickboard's), copied to a scratch folder and
   brought to this version's schema there (a backup made by an older version is upgraded on the
   way; the file given is never changed).
2. The target is checked and brought to the same schema. If it already holds anything, the
   restore stops with a sentence saying what it holds, unless `force`:
   - SQLite: the file in the way (whole or damaged) is moved aside, never deleted:
     `brickboard.replaced-20270309-180000.db`, then the backup goes into a fresh file;
   - PostgreSQL: a copy of every table is kept in a schema of its own
     (`brickboard_rev0001_...`, as an upgrade keeps), then the tables are emptied.
3. Every row is copied in one transaction: a restore that fails leaves the tables empty (or,
   forced on PostgreSQL, as they were).

Stop the server first: a server still running on the old file notices it was replaced
(fileguard.py) and refuses every edit until it is restarted on the restored database.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, inspect, select

from board.store import backup, copies, integrity, migrate, problems
from board.store import tables as t
from board.store.tablecopy import copy_rows, delete_rows, row_counts, summary, workshop_titles


@dataclass(frozen=True, slots=True)
class Restored:
    source: backup.BackupFile
    target: str
    counts: dict[str, int]
    kept: str | None
    """What the database held before a forced restore: a file (SQLite) or a schema name."""

    def describe(self) -> str:
        kept = f"\nWhat it held before is kept: {self.kept}" if self.kept else ""
        return (
            f"restored {summary(self.counts)} from {self.source.path} into "
            f"{problems.shown(self.target)}.{kept}\nStart the server now (python run.py)."
        )


def _moved_aside(path: Path) -> Path:
    """Move a SQLite file (and its write-ahead log) out of the way; returns where it went."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.replaced-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.replaced-{stamp}-{n}{path.suffix}")
    path.rename(target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():  # committed pages not yet in the main file: they travel with it
        wal.rename(target.with_name(target.name + "-wal"))
    path.with_name(path.name + "-shm").unlink(missing_ok=True)
    return target


def refusal(url: str, counts: dict[str, int], titles: list[str]) -> problems.DatabaseProblem:
    named = "; ".join(f"“{t}”" for t in titles[:3]) + ("; …" if len(titles) > 3 else "")
    return problems.DatabaseProblem(
        f"the database {problems.shown(url)} is not empty: it holds {summary(counts)}"
        + (f" ({named})" if named else "")
        + ".\nA restore fills an empty database only, so nothing was changed. To replace what "
        "it holds with the backup, run the same command with --force (what it holds now is "
        "kept aside, not deleted)."
    )


def _scratch_copy(file: Path, work: Path) -> None:
    """Copy the backup (and a write-ahead log beside it, if any: a database file copied from a
    stopped server may have one) to work on, so SQLite never opens, let alone changes, the
    file given."""
    if not file.is_file():
        raise problems.DatabaseProblem(f"there is no backup file {file}.")
    shutil.copyfile(file, work)
    wal = file.with_name(file.name + "-wal")
    if wal.is_file():
        shutil.copyfile(wal, work.with_name(work.name + "-wal"))


async def _contents(url: str) -> tuple[dict[str, int], list[str]]:
    """What a database holds, whatever its revision (changing nothing): rows per table of
    ours that exists, and the workshops' titles."""
    engine = migrate.migration_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            counts = {
                table.name: await conn.scalar(select(func.count()).select_from(table)) or 0
                for table in t.metadata.sorted_tables
                if table.name in names
            }
            titles = await workshop_titles(conn) if counts.get("workshops") else []
            if counts.get("boards"):
                canvases = select(func.count()).where(t.boards.c.kind == "board")
                counts["canvases"] = await conn.scalar(canvases) or 0
            return counts, titles
    finally:
        await engine.dispose()


async def _make_way(url: str, path: Path | None, force: bool) -> str | None:
    """Refuse a target that holds anything (or is damaged), unless forced; forced, move a
    SQLite file aside and return where it went. Changes nothing when it refuses."""
    if path is not None:
        if not path.exists():
            return None
        try:
            await asyncio.to_thread(integrity.quick_check, url, path)
        except problems.DatabaseProblem:
            if not force:
                raise problems.DatabaseProblem(
                    f"the database {path} is damaged. Run the same command with --force to "
                    "move it aside (it is kept, renamed) and restore the backup in its place."
                ) from None
            return str(_moved_aside(path))
    counts, titles = await _contents(url)
    if not any(counts.values()):
        return None
    if not force:
        raise refusal(url, counts, titles)
    return None if path is None else str(_moved_aside(path))


async def restore(url: str, file: Path, *, force: bool = False) -> Restored:
    """Put the backup `file` into the database at `url`; DatabaseProblem says why not."""
    with tempfile.TemporaryDirectory(prefix="brickboard-restore-") as scratch:
        work = Path(scratch) / "backup.db"
        await asyncio.to_thread(_scratch_copy, file, work)
        source = await asyncio.to_thread(backup.read, work, file)
        work_url = backup.sqlite_url_of(work)
        await migrate.upgrade(work_url)  # a backup of an older version: brought to the head
        path = integrity.sqlite_file(url)
        kept = await _make_way(url, path, force)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        await migrate.upgrade(url)  # the target's tables, at the same head
        reader = migrate.migration_engine(work_url)
        writer = migrate.migration_engine(url)
        try:
            async with reader.connect() as src, writer.begin() as dst:
                counts = await row_counts(dst)
                counts.pop("canvases")
                if any(counts.values()):  # PostgreSQL, forced (or filled meanwhile)
                    if not force:
                        raise refusal(url, counts, await workshop_titles(dst))
                    head = migrate.scripts().get_current_head() or migrate.BASELINE
                    kept = await dst.run_sync(copies.postgres_copy, head)
                    await delete_rows(dst)
                await copy_rows(src, dst)
                counts = await row_counts(dst)
        finally:
            await reader.dispose()
            await writer.dispose()
    if path is not None and counts.get("workshops"):
        integrity.note_workshops(path)
    return Restored(source, url, counts, kept)
