"""Alembic's environment for Brickboard's migrations.

Two ways in:
- the server and `python run.py db ...` hand it a connection already in a transaction
  (`config.attributes["connection"]`, board/store/migrate.py): the migrations run on it;
- the `alembic` command line (developers writing a migration, docs/migrations.md) names the
  database with `-x db=URL`, else $BRICKBOARD_DB, else ./data/brickboard.db, and runs on the
  async engine through `connection.run_sync`, as Alembic's asyncio cookbook shows.

Both compare against the same metadata with the same options, so what autogenerate writes is
what the agreement test (tests/test_migrations.py) checks.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from alembic import context
from sqlalchemy import Connection

from board.store.engine import default_url
from board.store.migrate import COMPARE, migration_engine
from board.store.tables import metadata

OPTIONS: dict[str, Any] = {
    "target_metadata": metadata,
    "render_as_batch": True,  # SQLite alters tables by rebuilding them; PostgreSQL ALTERs
    **COMPARE,
    "transactional_ddl": True,  # on SQLite too: migration_engine emits BEGIN itself
}


def _url() -> str:
    given = context.get_x_argument(as_dictionary=True).get("db")
    return given or os.environ.get("BRICKBOARD_DB") or default_url()


def run_migrations_offline() -> None:
    """`alembic upgrade --sql`: print the SQL instead of running it."""
    context.configure(
        url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"}, **OPTIONS
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = migration_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        asyncio.run(run_async_migrations())
    else:
        do_run_migrations(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
