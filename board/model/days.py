"""Session days on the workshop's own clock: which day it is, and which days are due to close.

Pure: the caller passes `now` (an aware datetime), so tests drive the clock.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_DAY_END = time(18, 0)


def local_today(timezone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def current_day(days: list[dict[str, Any]], timezone: str, now: datetime) -> int | None:
    """The number of today's session day in the workshop's time zone, or None."""
    today = local_today(timezone, now).isoformat()
    return next((d["day"] for d in days if d["date"] == today), None)


def day_end(day: dict[str, Any], timezone: str, end: time = DEFAULT_DAY_END) -> datetime:
    return datetime.combine(date.fromisoformat(day["date"]), end, tzinfo=ZoneInfo(timezone))


def due_closes(
    days: list[dict[str, Any]],
    timezone: str,
    closed: set[int],
    now: datetime,
    end: time = DEFAULT_DAY_END,
) -> list[int]:
    """Days whose local end of day has passed and that are not closed yet, in order.

    A server that was down at the end of a day finds it here at its next start.
    """
    return sorted(
        d["day"] for d in days if d["day"] not in closed and day_end(d, timezone, end) <= now
    )
