"""Schema migrations with Alembic: what revision a database is at, and bringing it to the head.

The revisions live in `board/migrations/versions/` and ship with the package. Every start (and
`python run.py db upgrade`) brings the database to the head revision before anything else
touches it:

- an empty database gets every migration, from the baseline `0001` (the schema of 0.1.0);
- a database made by 0.1.0, before migrations (no `alembic_version` table; recognised by its
  tables and their columns), is stamped `0001`, then upgraded;
- a database at an older revision is upgraded after a copy of it is kept (copies.py);
- a database at a revision this code does not know (made by a newer Brickboard) is refused.

Alembic is synchronous; the async engine runs it through `connection.run_sync`, as Alembic's
cookbook shows ("Programmatic API use (connection sharing) With Asyncio"). The whole upgrade is
one transaction: on PostgreSQL (transactional DDL) and on SQLite too, where the migration
engine emits BEGIN itself, so a failed migration leaves the database as it was.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from board.store import copies, problems
from board.store.integrity import sqlite_file

log = logging.getLogger("brickboard.store")


class _OnlyWhatRuns(logging.Filter):
    """Alembic says which dialect and DDL mode it assumes each time it looks at a database;
    the log keeps only the revisions it runs ("Running upgrade 0001 -> 0002, ...")."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("Context impl", "Will assume"))


logging.getLogger("alembic.runtime.migration").addFilter(_OnlyWhatRuns())

SCRIPT_LOCATION = "board:migrations"
BASELINE = "0001"
"""The revision equal to the schema 0.1.0 made with `metadata.create_all`."""
VERSION_TABLE = "alembic_version"
LOCK_KEY = 0x6272_6B62_6F61_7264  # pg_advisory_xact_lock: one process migrates at a time


def _columns(names: str) -> frozenset[str]:
    return frozenset(names.split(" "))


COMPARE = {"compare_type": True, "compare_server_default": True}
"""How autogenerate compares models and database: env.py and the agreement test both use it."""

V010_COLUMNS: dict[str, frozenset[str]] = {
    "workshops": _columns(
        "id title venue timezone template template_version days join_code created_at"
    ),
    "participants": _columns("id workshop_id name role city organisation token revoked created_at"),
    "boards": _columns("id workshop_id title city initiative theme mayor_id kind brief created_at"),
    "ops": _columns("board_id seq op_id client by at body redacted"),
    "board_states": _columns("board_id seq state updated_at"),
    "sessions": _columns("id_hash participant_id created_at"),
    "snapshots": _columns("id board_id seq label kind day taken_by taken_at hash state"),
    "day_closes": _columns("workshop_id day closed_at closed_by automatic"),
    "join_requests": _columns("id workshop_id participant_id secret_hash status created_at"),
}
"""0.1.0's tables and columns, frozen here: how a database from before migrations is known."""

Kind = Literal["empty", "v0.1.0", "versioned"]


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    kind: Kind
    revision: str | None
    """The stored revision (`versioned`), else None."""
    head: str

    @property
    def effective(self) -> str | None:
        """The revision the schema is at: a 0.1.0 database is at the baseline."""
        return BASELINE if self.kind == "v0.1.0" else self.revision

    @property
    def current(self) -> bool:
        """The schema is the head's (a 0.1.0 database may still need its stamp)."""
        return self.effective == self.head

    @property
    def up_to_date(self) -> bool:
        """Stamped and at the head: nothing to do."""
        return self.kind == "versioned" and self.current

    @property
    def keeps_copy(self) -> bool:
        """Upgrading changes existing tables, so a copy is kept first (not for an empty one)."""
        return self.kind != "empty" and not self.current


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What bringing a database to the head did."""

    before: SchemaStatus
    after: str
    copy: str | None = None
    """The copy kept first: a file path (SQLite) or a schema name (PostgreSQL)."""

    def describe(self, url: str) -> str:
        where = problems.shown(url)
        was = self.before
        if was.kind == "empty":
            return f"created the tables of {where} (revision {self.after})"
        if was.up_to_date:
            return f"{where} is up to date (revision {self.after})"
        kept = f"; a copy of it as it was: {self.copy}" if self.copy else ""
        if was.kind == "v0.1.0":
            then = f", then upgraded it to {self.after}" if self.after != BASELINE else ""
            return f"stamped {where} (made by 0.1.0) as revision {BASELINE}{then}{kept}"
        return f"upgraded {where} from revision {was.revision} to {self.after}{kept}"


def alembic_config(script_location: str = SCRIPT_LOCATION, connection: Any = None) -> Config:
    """Alembic's configuration without an ini file; env.py runs on `connection` when given."""
    config = Config()
    config.set_main_option("script_location", script_location)
    config.attributes["connection"] = connection
    return config


def scripts(script_location: str = SCRIPT_LOCATION) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(script_location))


def migration_engine(url: str) -> AsyncEngine:
    """An engine for migrating: one connection, no pool; on SQLite, a real transaction.

    Python's sqlite3 does not begin a transaction before DDL, so every CREATE or ALTER would
    commit on its own; here SQLAlchemy emits BEGIN IMMEDIATE itself (the SQLAlchemy SQLite
    docs, "Enabling Non-Legacy SQLite Transactional Modes"). Foreign keys are not enforced
    (SQLite's default): batch migrations rebuild tables that others point to; `upgrade`
    runs `PRAGMA foreign_key_check` before it commits instead.
    """
    engine = create_async_engine(url, poolclass=NullPool)
    if make_url(url).get_backend_name() == "sqlite":

        def connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        def begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        event.listen(engine.sync_engine, "connect", connect)
        event.listen(engine.sync_engine, "begin", begin)
    return engine


def read_status(conn: Connection, script: ScriptDirectory) -> SchemaStatus:
    """Where the database stands; raises DatabaseProblem for one this code must not touch."""
    head = script.get_current_head()
    assert head is not None, "board/migrations has no revisions"
    url = str(conn.engine.url)
    names = set(inspect(conn).get_table_names())
    if VERSION_TABLE in names:
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision is not None:
            if revision not in {s.revision for s in script.walk_revisions()}:
                raise problems.DatabaseProblem(
                    f"the database {problems.shown(url)} is at revision {revision}, made by a "
                    f"newer Brickboard than this one (which knows up to {head}).\n"
                    "Run that newer version, or restore the copy kept before it upgraded."
                )
            return SchemaStatus("versioned", revision, head)
    ours = names & V010_COLUMNS.keys()
    if not ours:
        return SchemaStatus("empty", None, head)
    inspector = inspect(conn)
    odd = sorted(V010_COLUMNS.keys() - ours) + sorted(
        t for t in ours if {c["name"] for c in inspector.get_columns(t)} != V010_COLUMNS[t]
    )
    if odd:
        raise problems.DatabaseProblem(
            f"the database {problems.shown(url)} has Brickboard tables but not those of 0.1.0 "
            f"(missing or different: {', '.join(odd)}): it was made by a development version "
            "before 0.1.0, and cannot be upgraded automatically."
        )
    return SchemaStatus("v0.1.0", None, head)


def _migrate(conn: Connection, script_location: str) -> Upgrade:
    """In the caller's transaction: lock, read the status again, copy, stamp, upgrade."""
    postgres = conn.dialect.name == "postgresql"
    if postgres:  # several server processes may start at once; one migrates, the rest wait
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    config = alembic_config(script_location, conn)
    status = read_status(conn, ScriptDirectory.from_config(config))
    if status.up_to_date:
        return Upgrade(status, status.head)
    copy = None
    if postgres and status.keeps_copy:
        copy = copies.postgres_copy(conn, status.effective or BASELINE)
    if status.kind == "v0.1.0":
        command.stamp(config, BASELINE)
    command.upgrade(config, "head")
    if not postgres:  # SQLite: batch migrations ran with foreign keys off
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise problems.DatabaseProblem(
                f"a migration to {status.head} left rows pointing at nothing ({broken[:3]}); "
                "nothing was changed. This is a bug in the migration: please report it."
            )
    return Upgrade(status, status.head, copy)


async def status(url: str, script_location: str = SCRIPT_LOCATION) -> SchemaStatus:
    """Where the database stands, changing nothing."""
    script = scripts(script_location)
    engine = migration_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(read_status, script)
    finally:
        await engine.dispose()


async def upgrade(url: str, script_location: str = SCRIPT_LOCATION) -> Upgrade:
    """Bring the database to the head revision (keeping a copy first when it had data)."""
    before = await status(url, script_location)
    if before.up_to_date:
        return Upgrade(before, before.head)
    path = sqlite_file(url)
    copy = None
    if path is not None and before.keeps_copy:
        copy = str(await asyncio.to_thread(copies.sqlite_copy, path, before.effective or ""))
        log.info("kept a copy of %s before upgrading it: %s", path, copy)
    engine = migration_engine(url)
    try:
        async with engine.begin() as conn:
            done = await conn.run_sync(_migrate, script_location)
    finally:
        await engine.dispose()
    return Upgrade(done.before, done.after, copy or done.copy)
