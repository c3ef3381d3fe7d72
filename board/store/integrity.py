"""Checks before a SQLite file is served: it is whole, and it is the one that held the workshop.

- SQLite's `PRAGMA quick_check` reads every page (O(N), without the index cross-checks of
  `integrity_check`): a truncated or overwritten file stops the start with a sentence instead of
  acknowledging ops into a file that fails on the next read.
- A marker file beside the database (`brickboard.db.has-workshops`), written when the first
  workshop is stored, remembers that this folder held a workshop. While it is there, a missing
  or emptied database is an accident to repair from a backup, never a reason to start a fresh
  demo whose new invite links replace everyone's.

PostgreSQL checks its own pages; these checks are for SQLite files.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url

from board.store import problems
from board.timeutil import now_iso

MARKER_SUFFIX = ".has-workshops"
QUICK_CHECK_ERRORS = 20
"""quick_check stops after this many problems: enough to say the file is damaged."""


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory":
        raise problems.DatabaseProblem(
            "Brickboard keeps a workshop's records in a file: use a SQLite file "
            "(sqlite+aiosqlite:///data/brickboard.db) or PostgreSQL, not an in-memory database."
        )
    return Path(parsed.database)


def marker_of(path: Path) -> Path:
    return path.with_name(path.name + MARKER_SUFFIX)


def _connect(path: Path) -> sqlite3.Connection:
    """Open an existing file only (never create one), with the server's busy timeout."""
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=rw", uri=True, timeout=10)


def quick_check(url: str, path: Path) -> None:
    """Raise DatabaseProblem unless SQLite finds the file whole."""
    try:
        with contextlib.closing(_connect(path)) as conn:
            rows = conn.execute(f"PRAGMA quick_check({QUICK_CHECK_ERRORS})").fetchall()
    except sqlite3.DatabaseError as exc:  # "file is not a database", "disk image is malformed"
        raise problems.damaged(url, str(exc)) from None
    if rows != [("ok",)]:
        found = [
            line
            for row in rows
            for line in str(row[0]).splitlines()
            if not line.startswith("*** in database")
        ]
        more = f"; and {len(found) - 2} more" if len(found) > 2 else ""
        raise problems.damaged(url, f"SQLite's quick check: {'; '.join(found[:2])}{more}")


def workshops_in(path: Path) -> int:
    """How many workshops the file holds (0 when it has no workshops table)."""
    with contextlib.closing(_connect(path)) as conn:
        try:
            return conn.execute("SELECT count(*) FROM workshops").fetchone()[0]
        except sqlite3.OperationalError:  # no such table: an empty database
            return 0


def check_file(url: str, path: Path) -> None:
    """Before opening: the file is whole, and is not missing or emptied since it held a workshop.

    A file that does not exist yet is fine (a first start), unless the marker says otherwise.
    """
    marker = marker_of(path)
    if not path.exists():
        if marker.exists():
            raise problems.missing(url, marker)
        return
    quick_check(url, path)
    if marker.exists() and workshops_in(path) == 0:
        raise problems.emptied(url, marker)


def note_workshops(path: Path) -> None:
    """Write the marker (once): from now on this folder has held a workshop."""
    marker = marker_of(path)
    if marker.exists():
        return
    marker.write_text(
        f"{path.name} beside this file has held a workshop since {now_iso()}.\n"
        f"While this file is here, Brickboard will not start on a missing or empty {path.name}:\n"
        "restore it from a backup instead (python run.py restore BACKUP-FILE).\n"
        "Delete this file only to start afresh on purpose.\n",
        encoding="utf-8",
    )
