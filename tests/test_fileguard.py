"""The database file check (board/store/fileguard.py) on real SQLite files: each way a file
can be lost under a running server is noticed, said in words, and stays noticed."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from board.store.fileguard import DatabaseGone, FileGuard


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "brickboard.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text)")
        conn.executemany("INSERT INTO notes VALUES (?)", [("x" * 2000,)] * 50)  # many pages
    return path


def _tripped(guard: FileGuard) -> str:
    with pytest.raises(DatabaseGone) as raised:
        guard.check()
    return str(raised.value)


def test_the_file_in_place_passes(database: Path) -> None:
    guard = FileGuard(database)
    guard.check()
    guard.check()
    guard.close()


def test_a_deleted_file_trips_it_and_it_stays_tripped(database: Path) -> None:
    guard = FileGuard(database)
    keep = database.with_name("keep.db")
    shutil.copyfile(database, keep)
    database.unlink()
    assert _tripped(guard) == f"the database file {database} was deleted"
    keep.rename(database)  # put back: a different file now, and the guard does not forget
    assert "was deleted" in _tripped(guard)
    guard.close()


def test_a_file_moved_in_place_of_it_trips_it(database: Path) -> None:
    guard = FileGuard(database)
    other = database.with_name("older-copy.db")
    shutil.copyfile(database, other)
    os.replace(other, database)
    assert _tripped(guard).endswith("was replaced by another file")
    guard.close()


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda f: f.truncate(4096), "was truncated"),
        (lambda f: f.truncate(0), "no longer starts with a SQLite header"),
        (lambda f: f.write(b"\0" * 100), "no longer starts with a SQLite header"),
    ],
)
def test_a_file_truncated_or_overwritten_in_place_trips_it(
    database: Path, damage: object, says: str
) -> None:
    guard = FileGuard(database)
    with database.open("r+b") as f:
        damage(f)  # type: ignore[operator]
    assert says in _tripped(guard)
    guard.close()


def test_a_lost_write_ahead_log_trips_it(database: Path) -> None:
    guard = FileGuard(database)
    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    guard.note_wal()  # the op log's connection holds it from now on
    conn.execute("INSERT INTO notes VALUES ('committed, in the WAL only')")
    guard.check()
    database.with_name(database.name + "-wal").unlink()
    assert "lost its write-ahead log (-wal file deleted)" in _tripped(guard)
    conn.close()
    guard.close()
