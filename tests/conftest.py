"""Fixtures: a real server on a free port with the demo workshop, on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import Server, demo_roster, sqlite_url

PG_ADMIN = os.environ.get("BRICKBOARD_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-backend",
        choices=["sqlite", "postgres"],
        default=os.environ.get("BRICKBOARD_TEST_DB", "sqlite"),
        help="database for the server tests (default sqlite; CI runs both)",
    )


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return request.config.getoption("--db-backend")


def _fresh_pg_database() -> str:
    """A new, empty PostgreSQL database for one test module, made on the local server."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"bb_test_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        engine = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()

    asyncio.run(create())
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def db_url(tmp_path: Path, backend: str) -> str:
    if backend == "postgres":
        return _fresh_pg_database()
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


def token_of(demo: dict[str, Any], role: str, n: int = 0) -> str:
    return [p for p in demo["participants"] if p["role"] == role][n]["token"]


def person_of(demo: dict[str, Any], role: str, n: int = 0) -> dict[str, Any]:
    return [p for p in demo["participants"] if p["role"] == role][n]
