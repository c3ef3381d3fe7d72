"""A database that fails under an HTTP write answers JSON 503 `unavailable`, as the socket
does, and nothing is half-stored (issue 12, item 8)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import board_of, token_of
from tests.http_client import call


async def _rename(db_url: str, old: str, new: str) -> None:
    """Break (or mend) the snapshots table under the running server, from outside it."""
    if db_url.startswith("sqlite"):
        with sqlite3.connect(db_url.split("///", 1)[1]) as conn:
            conn.execute(f"ALTER TABLE {old} RENAME TO {new}")
        return
    engine = create_async_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))
    finally:
        await engine.dispose()


async def test_a_failed_write_answers_json_503_and_the_next_one_works(server, demo, db_url):
    board, fac = board_of(demo), token_of(demo, "facilitator")
    url = f"{server.url}/api/boards/{board}/snapshots"
    await _rename(db_url, "snapshots", "snapshots_away")
    try:
        status, body = call("POST", url, {"label": "While the disk is away"}, token=fac)
        assert status == 503 and body["error"]["code"] == "unavailable", body
        assert "Try again" in body["error"]["message"]
        status, body = call("GET", f"{server.url}/api/boards/{board}", token=fac)
        assert status == 200  # reading the live board still works
    finally:
        await _rename(db_url, "snapshots_away", "snapshots")
    status, body = call("POST", url, {"label": "Back"}, token=fac)
    assert status == 201
    _, listing = call("GET", url, token=fac)
    assert [s["label"] for s in listing["snapshots"]] == ["Back"]
