"""Session days follow the workshop's dates and time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time

from board.model.days import current_day, due_closes

DAYS = [
    {"day": 1, "date": "2027-03-09"},
    {"day": 2, "date": "2027-03-10"},
    {"day": 3, "date": "2027-03-11"},
]
NY = "America/New_York"


def test_current_day_uses_the_workshops_time_zone() -> None:
    # 02:00 UTC on the 10th is still the evening of the 9th in New York.
    assert current_day(DAYS, NY, datetime(2027, 3, 10, 2, 0, tzinfo=UTC)) == 1
    assert current_day(DAYS, "UTC", datetime(2027, 3, 10, 2, 0, tzinfo=UTC)) == 2
    assert current_day(DAYS, NY, datetime(2027, 3, 12, 15, 0, tzinfo=UTC)) is None


def test_a_day_is_due_after_its_local_end_and_only_once() -> None:
    before = datetime(2027, 3, 9, 22, 59, tzinfo=UTC)  # 17:59 in New York (EST, UTC-5)
    after = datetime(2027, 3, 9, 23, 0, tzinfo=UTC)  # 18:00
    assert due_closes(DAYS, NY, set(), before) == []
    assert due_closes(DAYS, NY, set(), after) == [1]
    assert due_closes(DAYS, NY, {1}, after) == []


def test_days_missed_while_the_server_was_down_are_all_due_at_start() -> None:
    later = datetime(2027, 3, 12, 9, 0, tzinfo=UTC)
    assert due_closes(DAYS, NY, {1}, later) == [2, 3]
    assert due_closes(DAYS, NY, set(), later, end=time(23, 30)) == [1, 2, 3]
