"""Migrations: the models and the migrations agree; the baseline is exactly 0.1.0's schema; an
upgrade keeps a copy first, runs in one transaction, and refuses what it must not touch.

The later-revision tests add a test-only revision on top of a copy of board/migrations: one that
rebuilds the `boards` table (SQLite batch mode), which every other table points at.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, Integer, MetaData, func, inspect, select, text
from sqlalchemy.ext.asyncio import create_async_engine

import board
from board.store import DatabaseProblem, migrate
from board.store import tables as t
from board.store.startup import prepare_database
from tests.conftest import fresh_pg_database
from tests.fixtures import v010
from tests.servers import run_cli, sqlite_url


@pytest.fixture(params=["sqlite", "postgres"])
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def old_db(kind: str, tmp_path: Path) -> str:
    """A copy of the 0.1.0 database."""
    return v010.copy_of(kind, tmp_path)


@pytest.fixture
def empty_db(kind: str, tmp_path: Path) -> str:
    return fresh_pg_database() if kind == "postgres" else sqlite_url(tmp_path / "empty.db")


async def _on(url: str, work: Any) -> Any:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(work)
    finally:
        await engine.dispose()


def _differences(metadata: MetaData) -> Any:
    def work(conn: Connection) -> list[Any]:
        context = MigrationContext.configure(conn, opts=dict(migrate.COMPARE))
        return compare_metadata(context, metadata)

    return work


def _schema(conn: Connection) -> dict[str, Any]:
    """Every table as the database describes it: columns in order, keys, indexes."""
    found = inspect(conn)
    key = repr
    return {
        name: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c["default"])
                for c in found.get_columns(name)
            ],
            "pk": found.get_pk_constraint(name),
            "fks": sorted(found.get_foreign_keys(name), key=key),
            "unique": sorted(found.get_unique_constraints(name), key=key),
            "indexes": sorted(found.get_indexes(name), key=key),
        }
        for name in sorted(found.get_table_names())
        if name != migrate.VERSION_TABLE
    }


async def test_the_models_and_the_migrations_agree(db_url: str) -> None:
    assert len(migrate.scripts().get_heads()) == 1, "one line of revisions: merge the heads"
    await migrate.upgrade(db_url)
    assert await _on(db_url, _differences(t.metadata)) == []
    # and the comparison sees a model change that has no migration
    changed = MetaData()
    for table in t.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["boards"].append_column(Column("not_in_any_migration", Integer, nullable=True))
    found = await _on(db_url, _differences(changed))
    assert [(d[0], d[2], d[3].name) for d in found] == [
        ("add_column", "boards", "not_in_any_migration")
    ]


async def _alembic(url: str, run: Any, revision: str) -> None:
    """Run an Alembic command (upgrade, downgrade) to `revision`, as the server runs them."""
    engine = migrate.migration_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: run(migrate.alembic_config(connection=c), revision))
    finally:
        await engine.dispose()


async def test_every_revision_goes_down_and_up_again(db_url: str) -> None:
    await migrate.upgrade(db_url)
    await _alembic(db_url, command.downgrade, "base")
    assert await _on(db_url, lambda c: inspect(c).get_table_names()) == [migrate.VERSION_TABLE]
    await migrate.upgrade(db_url)
    assert await _on(db_url, _differences(t.metadata)) == []


async def test_the_baseline_is_exactly_the_schema_0_1_0_made(old_db: str, empty_db: str) -> None:
    await _alembic(empty_db, command.upgrade, migrate.BASELINE)
    assert await _on(empty_db, _schema) == await _on(old_db, _schema)
    if old_db.startswith("sqlite"):  # SQLite keeps each table's DDL: the very same text
        ddl = "SELECT type, name, sql FROM sqlite_master WHERE tbl_name != 'alembic_version'"

        def read(conn: Connection) -> list[Any]:
            return sorted(tuple(r) for r in conn.exec_driver_sql(ddl))

        assert await _on(empty_db, read) == await _on(old_db, read)


PROBE = '''"""Test only: a later revision that rebuilds `boards` and adds a column to it."""

import sqlalchemy as sa
from alembic import op

revision = "probe"
down_revision = HEAD
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("boards", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(sa.Column("probe", sa.String(20), nullable=False, server_default="kept"))
    FAIL


def downgrade() -> None:
    with op.batch_alter_table("boards") as batch:
        batch.drop_column("probe")
'''


def _scripts_with_probe(tmp_path: Path, fail: bool = False) -> str:
    """board/migrations plus the test revision `probe` (which raises halfway when `fail`)."""
    target = tmp_path / "migrations"
    shutil.copytree(
        Path(board.__file__).parent / "migrations",
        target,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    failure = "raise RuntimeError('the probe fails halfway')" if fail else "pass"
    body = PROBE.replace("FAIL", failure).replace(
        "HEAD", repr(migrate.scripts().get_current_head())
    )
    (target / "versions" / "probe.py").write_text(body)
    return str(target)


async def _counts(url: str) -> dict[str, int]:
    async def count(conn: Any) -> dict[str, int]:
        return {
            name: await conn.scalar(select(func.count()).select_from(table))
            for name, table in t.metadata.tables.items()
        }

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await count(conn)
    finally:
        await engine.dispose()


def _columns(table: str) -> Any:
    return lambda conn: [c["name"] for c in inspect(conn).get_columns(table)]


async def test_an_upgrade_keeps_a_copy_first_and_loses_nothing(
    kind: str, old_db: str, tmp_path: Path
) -> None:
    rows = v010.manifest()["rows"]
    scripts = _scripts_with_probe(tmp_path)
    done = await prepare_database(old_db, scripts)
    assert done.before.kind == "v0.1.0" and done.after == "probe" and done.copy
    assert await _counts(old_db) == rows
    assert "probe" in await _on(old_db, _columns("boards"))
    assert await _on(old_db, lambda c: c.exec_driver_sql("SELECT DISTINCT probe FROM boards").all())
    assert (await migrate.status(old_db, scripts)).up_to_date
    if kind == "sqlite":  # a file beside the database, as 0.1.0 left it
        copy = Path(done.copy)
        assert copy.parent == tmp_path and copy.name.startswith("brickboard.rev0001.")
        assert copy.suffix == ".db"
        assert await _counts(sqlite_url(copy)) == rows
        assert "probe" not in await _on(sqlite_url(copy), _columns("boards"))
    else:  # a schema of the same database, with every table as it was
        schema = done.copy
        assert schema.startswith("brickboard_rev0001_")
        for name, count in rows.items():
            sql = text(f'SELECT count(*) FROM "{schema}"."{name}"')
            assert await _on(old_db, lambda c, sql=sql: c.execute(sql).scalar()) == count
    again = await prepare_database(old_db, scripts)
    assert again.before.up_to_date and again.copy is None, "an up-to-date database is left alone"


async def test_a_migration_that_fails_changes_nothing(kind: str, old_db: str, tmp_path: Path):
    rows = v010.manifest()["rows"]
    scripts = _scripts_with_probe(tmp_path, fail=True)
    with pytest.raises(RuntimeError, match="the probe fails halfway"):
        await prepare_database(old_db, scripts)
    status = await migrate.status(old_db, scripts)
    assert status.kind == "v0.1.0", "not even stamped: the whole upgrade was one transaction"
    assert "probe" not in await _on(old_db, _columns("boards"))
    assert await _counts(old_db) == rows
    if kind == "sqlite":
        assert not list(tmp_path.glob("*alembic_tmp*"))
        with contextlib.closing(sqlite3.connect(old_db.split("///", 1)[1])) as conn:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


async def test_a_database_of_a_newer_version_or_before_0_1_0_is_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    await prepare_database(sqlite_url(newer))
    with contextlib.closing(sqlite3.connect(newer)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00d'")
    with pytest.raises(DatabaseProblem, match="revision f00d, made by a newer Brickboard"):
        await prepare_database(sqlite_url(newer))
    older = v010.sqlite_copy(tmp_path)
    with contextlib.closing(sqlite3.connect(older.split("///", 1)[1])) as conn, conn:
        conn.execute("ALTER TABLE ops DROP COLUMN redacted")
    with pytest.raises(DatabaseProblem, match=r"before 0\.1\.0") as refused:
        await prepare_database(older)
    assert "ops" in str(refused.value)


@pytest.mark.postgres
async def test_processes_starting_together_migrate_once(pg_empty: str) -> None:
    first, second = await asyncio.gather(prepare_database(pg_empty), prepare_database(pg_empty))
    kinds = sorted([first.before.kind, second.before.kind])
    assert kinds == ["empty", "versioned"], "one created the tables, the other waited for it"
    assert await _on(pg_empty, _differences(t.metadata)) == []


@pytest.fixture
def pg_empty() -> str:
    return fresh_pg_database()


def test_db_current_and_db_upgrade_from_the_command_line(tmp_path: Path) -> None:
    url = v010.sqlite_copy(tmp_path)
    assert "current" in run_cli("db", "--help").stdout
    before = run_cli("db", "current", "--db", url).stdout
    assert "made by Brickboard 0.1.0" in before and "brickboard.db" in before
    assert "as revision 0001" in run_cli("db", "upgrade", "--db", url).stdout
    head = migrate.scripts().get_current_head()
    assert f"revision {head} (head), up to date" in run_cli("db", "current", "--db", url).stdout
    missing = run_cli("db", "current", "--db", sqlite_url(tmp_path / "none.db")).stdout
    assert "no database file yet" in missing and not (tmp_path / "none.db").exists()
