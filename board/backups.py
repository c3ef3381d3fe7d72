"""The server's own backups: one after every day close, and one on a schedule, kept in a folder.

Each backup is `python run.py backup` done in the server (board/store/backup.py): a consistent
copy taken while everyone keeps editing. Files are named by the laptop's local time and why
they were taken, so a facilitator copying the folder to a USB stick can read it:

    backups/brickboard-20270309-180004-day-1-close.db
    backups/brickboard-20270309-143000.db               (scheduled)

The newest `keep` scheduled backups are kept; a day close's backup is never pruned (there are
three a workshop). A backup that fails is logged and shown in the console, and the next one
is tried at the next turn: a full disk must not stop the room.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from board.store import backup
from board.store.integrity import sqlite_file
from board.store.tablecopy import summary
from board.timeutil import now_iso

log = logging.getLogger("brickboard.backups")

PREFIX = "brickboard-"
DAY_CLOSE = re.compile(r"-day-\d+-close\.db$")


@dataclass(frozen=True, slots=True)
class BackupPlan:
    """Where and how often; from `serve --backup-dir --backup-every --backup-keep`."""

    folder: Path
    every: float
    """Seconds between scheduled backups; 0: only at day closes."""
    keep: int
    """Scheduled backups kept (the newest); day-close backups are always kept."""


def default_folder(db_url: str) -> Path:
    """`backups/` beside a SQLite file; `data/backups/` for PostgreSQL."""
    path = sqlite_file(db_url)
    return (path.parent if path is not None else Path("data")) / "backups"


def parse_every(text: str) -> float:
    """`30m`, `2h`, `90s` or a number of minutes, as seconds; `0` turns the schedule off."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text.lower())
    if not found:
        raise ValueError(f"{text!r} is not a duration like 30m, 2h or 90s")
    unit = {"s": 1, "m": 60, "": 60, "h": 3600}[found.group(2)]
    return float(found.group(1)) * unit


class BackupKeeper:
    """Takes the server's backups, one at a time, and prunes the folder."""

    def __init__(self, db_url: str, plan: BackupPlan) -> None:
        self._url = db_url
        self.plan = plan
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[Any]] = set()
        self.last: dict[str, Any] | None = None
        """The newest backup this server wrote: file, time, reason, what it holds."""
        self.failure: dict[str, str] | None = None
        """The last failed attempt, until a backup succeeds again."""

    async def take(self, reason: str = "") -> backup.BackupFile | None:
        """Write one backup now (`reason`: e.g. "day 1 close", else a scheduled one)."""
        async with self._lock:
            stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
            tail = "-" + re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-") if reason else ""
            target = self.plan.folder / f"{PREFIX}{stamp}{tail}{backup.SUFFIX}"
            try:
                done = await backup.take(self._url, target)
            except Exception as exc:  # logged and shown; the room carries on
                log.error("backup to %s failed: %s", target, exc)
                self.failure = {"at": now_iso(), "file": str(target), "problem": str(exc)}
                return None
            self.failure = None
            self.last = {
                "file": done.path.name,
                "path": str(done.path.resolve()),
                "at": now_iso(),
                "reason": reason or "scheduled",
                "bytes": done.size,
                "holds": summary(done.counts),
            }
            log.info("backup written: %s", done.describe())
            self._prune()
            return done

    def day_closed(self, workshop_id: str, day: int) -> None:
        """A day closed (its snapshots are committed): back up now, without making the close
        wait for it."""
        task = asyncio.get_running_loop().create_task(self.take(f"day {day} close"))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _prune(self) -> None:
        scheduled = sorted(
            (
                p
                for p in self.plan.folder.glob(f"{PREFIX}*{backup.SUFFIX}")
                if not DAY_CLOSE.search(p.name)
            ),
            key=lambda p: p.stat().st_mtime,
        )
        for old in scheduled[: max(0, len(scheduled) - self.plan.keep)]:
            old.unlink(missing_ok=True)

    def status(self) -> dict[str, Any]:
        """What the console shows."""
        return {
            "last": self.last,
            "failure": self.failure,
            "folder": str(self.plan.folder.resolve()),
            "every_seconds": self.plan.every,
            "keep": self.plan.keep,
        }

    def start(self) -> None:
        if self.plan.every > 0:
            self._task = asyncio.create_task(self._run(), name="backups")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.plan.every)
            await self.take()

    async def stop(self) -> None:
        """Stop the schedule; a day close's backup under way is finished first."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await asyncio.gather(*self._pending, return_exceptions=True)
