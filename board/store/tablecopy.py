"""Every row of a Brickboard database, moved between two databases at the same revision.

Backups of PostgreSQL and every restore move rows this way, table by table with parents first,
in chunks, through the models of `tables.py`: SQLAlchemy's column types turn SQLite's 0/1 into
PostgreSQL's booleans and back, so a backup taken on either restores into either.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from board.store import tables as t

CHUNK = 1000
"""Rows per INSERT: a workshop's op log is streamed, never held in memory whole."""


async def copy_rows(source: AsyncConnection, target: AsyncConnection) -> dict[str, int]:
    """Insert every row of `source` into `target` (in the caller's transactions); the number
    of rows per table."""
    counts: dict[str, int] = {}
    for table in t.metadata.sorted_tables:
        copied = 0
        result = await source.stream(select(table))
        async for rows in result.partitions(CHUNK):
            await target.execute(insert(table), [dict(row._mapping) for row in rows])
            copied += len(rows)
        counts[table.name] = copied
    return counts


async def row_counts(conn: AsyncConnection) -> dict[str, int]:
    """How many rows each of our tables holds, and how many boards are canvases (`canvases`:
    every workshop also has a stage board)."""
    counts = {
        table.name: await conn.scalar(select(func.count()).select_from(table)) or 0
        for table in t.metadata.sorted_tables
    }
    canvases = select(func.count()).select_from(t.boards).where(t.boards.c.kind == "board")
    counts["canvases"] = await conn.scalar(canvases) or 0
    return counts


async def delete_rows(conn: AsyncConnection) -> None:
    """Empty every table of ours, children first (a forced restore, in its transaction)."""
    for table in reversed(t.metadata.sorted_tables):
        await conn.execute(table.delete())


async def workshop_titles(conn: AsyncConnection) -> list[str]:
    rows = await conn.execute(select(t.workshops.c.title).order_by(t.workshops.c.created_at))
    return [title for (title,) in rows]


def summary(counts: dict[str, Any]) -> str:
    """For example "1 workshop, 6 boards, 1,234 edits, 12 snapshots"."""

    def n(count: int, one: str, many: str) -> str:
        return f"{count:,} {one if count == 1 else many}"

    return ", ".join(
        (
            n(counts.get("workshops", 0), "workshop", "workshops"),
            n(counts.get("canvases", 0), "board", "boards"),
            n(counts.get("participants", 0), "person", "people"),
            n(counts.get("ops", 0), "edit", "edits"),
            n(counts.get("snapshots", 0), "snapshot", "snapshots"),
        )
    )
