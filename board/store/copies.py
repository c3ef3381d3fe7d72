"""The copy kept before an upgrade, so a migration that goes wrong costs nothing.

- SQLite: an online backup (SQLite's backup API, consistent even while another connection
  writes) into a file beside the database, named with the revision it had and the time:
  `brickboard.db` -> `brickboard.rev0001.20270309-140211.db`. It is an ordinary database file:
  to go back, stop the server and put it in place of `brickboard.db` (the `restore` command
  will take it too).
- PostgreSQL: a copy of every table of our schema into a new schema of the same database,
  `brickboard_rev0001_20270309_140211`, made in the upgrade's own transaction (if the upgrade
  fails, neither exists). To go back: `DROP` our tables, `ALTER TABLE ... SET SCHEMA` the
  copies back (docs/migrations.md); drop the schema when satisfied.
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, inspect, text


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def sqlite_copy(path: Path, revision: str) -> Path:
    """Copy the database file beside itself; returns the copy's path."""
    name = f"{path.stem}.rev{revision}.{_stamp()}"
    target = path.with_name(name + path.suffix)
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{name}-{n}{path.suffix}")
    with (
        contextlib.closing(sqlite3.connect(path)) as source,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
    return target


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def postgres_copy(conn: Connection, revision: str) -> str:
    """Copy every table of the current schema into a new schema; returns its name."""
    schema = f"brickboard_rev{revision}_{_stamp().replace('-', '_')}".lower()
    conn.execute(text(f"CREATE SCHEMA {_quoted(schema)}"))
    for table in inspect(conn).get_table_names():
        conn.execute(
            text(f"CREATE TABLE {_quoted(schema)}.{_quoted(table)} AS TABLE {_quoted(table)}")
        )
    return schema
