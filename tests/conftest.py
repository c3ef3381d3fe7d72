"""Fixtures: a real server on a free port with the demo workshop, on SQLite and on PostgreSQL.

Every test that takes `db_url` runs twice: on a SQLite file and on a fresh database of the
PostgreSQL server at 127.0.0.1 (BRICKBOARD_TEST_PG to point elsewhere).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import Server, demo_roster, sqlite_url

PG_ADMIN = os.environ.get("BRICKBOARD_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
_pg_databases: list[str] = []


async def _pg(statement: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def fresh_pg_database() -> str:
    """A new, empty PostgreSQL database on the local server, dropped after the session."""
    name = f"bb_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg(f'CREATE DATABASE "{name}"'))
    _pg_databases.append(name)
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for name in _pg_databases:
        try:
            asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception as exc:  # pragma: no cover - cleanup only
            print(f"could not drop test database {name}: {exc}")


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return fresh_pg_database()
    return sqlite_url(tmp_path / "brickboard.db")


@pytest.fixture
def demo(db_url: str) -> dict[str, Any]:
    return demo_roster(db_url)


@pytest.fixture
def server(db_url: str, demo: dict[str, Any]) -> Iterator[Server]:
    srv = Server(db=db_url, extra=("--rate-limit", "0")).start()
    try:
        yield srv
    finally:
        srv.stop()


def person_of(demo: dict[str, Any], role: str, n: int = 0) -> dict[str, Any]:
    return [p for p in demo["participants"] if p["role"] == role][n]


def token_of(demo: dict[str, Any], role: str, n: int = 0) -> str:
    return person_of(demo, role, n)["token"]


def board_of(demo: dict[str, Any], n: int = 0) -> str:
    return demo["boards"][n]["id"]
