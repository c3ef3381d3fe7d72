"""What the database file check costs per group commit (issue 13, item 3).

    python bench/guard.py [--commits N] [--ops-per-commit K]

Times `FileGuard.check()` (two `os.stat` calls and a 100-byte `pread`, done twice per commit:
before it begins and after it commits) against the op log's own group commit on a real SQLite
file (WAL, synchronous=FULL), with and without the guard. Prints microseconds per commit;
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from board.codec import canonical
from board.store import OpRecord, Store
from board.store.fileguard import FileGuard
from board.store.sqlite_log import SqliteLog


def _records(board: str, start: int, count: int) -> list[OpRecord]:
    op = canonical({"kind": "card.update", "card": "c", "set": {"text": "x" * 80}})
    return [
        OpRecord(board, start + n, f"op-{start + n}", "bench", "p", "2027-03-09T14:00:00.000Z", op)
        for n in range(count)
    ]


async def _commits(path: Path, guard: FileGuard | None, commits: int, size: int) -> list[float]:
    log = SqliteLog(str(path), guard)
    times = []
    seq = 10_000_000 if guard is None else 20_000_000
    try:
        for n in range(commits):
            records = _records("bench", seq + n * size, size)
            started = time.perf_counter()
            await log.write(records, (), ())
            times.append(time.perf_counter() - started)
    finally:
        await log.close()
    return times


async def main(commits: int, size: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = await Store.open(f"sqlite+aiosqlite:///{path}")
        await store.close()
        import sqlite3

        with sqlite3.connect(path) as conn:  # a board to hang ops on (no foreign key fuss)
            conn.execute("PRAGMA foreign_keys=OFF")
            conn.execute(
                "INSERT INTO workshops VALUES ('w', 'W', '', 'UTC', 'innovation-canvas', 1, "
                "'[]', NULL, '')"
            )
            conn.execute(
                "INSERT INTO boards (id, workshop_id, title, city, initiative, theme, kind, "
                "brief, created_at) VALUES ('bench', 'w', 'B', '', '', '', 'board', '{}', '')"
            )
        guard = FileGuard(path)
        checks = 100_000
        started = time.perf_counter()
        for _ in range(checks):
            guard.check()
        per_check = (time.perf_counter() - started) / checks * 1e6
        plain = await _commits(path, None, commits, size)
        guarded = await _commits(path, guard, commits, size)
        guard.close()
    p50 = statistics.median
    print(f"guard.check(): {per_check:.1f} us (two per commit)")
    print(f"group commit of {size} ops, median of {commits}:")
    print(f"  without the guard {p50(plain) * 1e6:8.0f} us")
    print(f"  with the guard    {p50(guarded) * 1e6:8.0f} us")
    print(f"  the checks' share {2 * per_check / (p50(guarded) * 1e6):8.2%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--ops-per-commit", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.commits, args.ops_per_commit))
