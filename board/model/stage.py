"""The workshop's stage: what the room looks at (spotlight), the shared timer, the agenda item.

State, not chatter: every change is an op in the stage's own log, so a projector that wakes up
from sleep resumes with `since` like any board, and the timer is the same on every screen
because it is kept as the server's end time, not as each laptop's countdown.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from board.model.checks import Context, facilitator_only, refuse, string_id, text_field
from board.model.state import BoardState

MODES = ("overview", "board", "section", "cross")
"""`cross`: one section of every board side by side (a report-out), so it names no board."""
TIMER_MAX_S = 24 * 3600


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _as_stage(state: BoardState) -> dict[str, Any]:
    if state.kind != "stage":
        raise refuse("bad_request", "This operation is for the workshop stage, not a board.")
    return state.stage


def _seconds(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise refuse("bad_request", f"'{name}' must be a whole number of seconds, {low} to {high}.")
    return value


def _spotlight(state: BoardState, op: dict[str, Any]) -> dict[str, Any]:
    mode = op.get("mode")
    if mode not in MODES:
        raise refuse("bad_request", f"'mode' must be one of {', '.join(MODES)}.")
    board = None if mode in ("overview", "cross") else string_id(op.get("board"), "board id")
    section = op.get("section") if mode in ("section", "cross") else None
    if mode in ("section", "cross") and section not in state.template.section_ids:
        raise refuse("bad_request", f"There is no section {section!r} on this canvas.")
    return {"mode": mode, "board": board, "section": section}


def spotlight(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    stage = _as_stage(state)
    target = _spotlight(state, op)
    facilitator_only(ctx, "move the spotlight")
    stage["spotlight"] = {**target, "by": ctx.by, "at": ctx.at}


def _start(timer: dict[str, Any], at: str, seconds: int | None, label: str | None) -> None:
    if seconds is not None:
        timer["duration_ms"] = timer["remaining_ms"] = seconds * 1000
    if label is not None:
        timer["label"] = label
    timer["ends_at"] = _iso(_parse(at) + timedelta(milliseconds=timer["remaining_ms"]))
    timer["status"] = "running"


def timer_start(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    timer = _as_stage(state)["timer"]
    seconds = op.get("seconds")
    if seconds is not None:
        seconds = _seconds(seconds, "seconds", 1, TIMER_MAX_S)
    label = op.get("label")
    if label is not None:
        label = text_field(label, "label", 200, required=False)
    facilitator_only(ctx, "run the timer")  # the role before the state: no hint of it
    # Start on a running timer starts it again from the top (of the new length, if given).
    restart = timer["status"] == "running"
    left = timer["duration_ms"] if restart else timer["remaining_ms"]
    if seconds is None and left <= 0:
        raise refuse("bad_request", "Say how many seconds the timer should run.")
    timer["remaining_ms"] = left
    _start(timer, ctx.at, seconds, label)


def timer_pause(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    timer = _as_stage(state)["timer"]
    facilitator_only(ctx, "run the timer")
    if timer["status"] != "running":
        raise refuse("conflict", "The timer is not running.")
    left = _parse(timer["ends_at"]) - _parse(ctx.at)
    timer["remaining_ms"] = max(0, int(left.total_seconds() * 1000))
    timer["ends_at"] = None
    timer["status"] = "paused"


def timer_extend(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    timer = _as_stage(state)["timer"]
    seconds = _seconds(op.get("seconds"), "seconds", -TIMER_MAX_S, TIMER_MAX_S)
    facilitator_only(ctx, "run the timer")
    if timer["status"] == "running":
        ends = _parse(timer["ends_at"]) + timedelta(seconds=seconds)
        timer["ends_at"] = _iso(max(ends, _parse(ctx.at)))
    else:
        timer["remaining_ms"] = max(0, timer["remaining_ms"] + seconds * 1000)


def timer_reset(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    """Back to the length it was started with (extensions are for the running countdown)."""
    timer = _as_stage(state)["timer"]
    facilitator_only(ctx, "run the timer")
    timer.update(status="idle", remaining_ms=timer["duration_ms"], ends_at=None)


def agenda_start(state: BoardState, op: dict[str, Any], ctx: Context) -> None:
    """Start an agenda item: the spotlight goes where it says and its timer starts."""
    stage = _as_stage(state)
    day = op.get("day")
    index = op.get("index")
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 3:
        raise refuse("bad_request", "'day' must be 1, 2 or 3.")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 50:
        raise refuse("bad_request", "'index' must be the item's place in the day's agenda.")
    title = text_field(op.get("title"), "title", 200)
    minutes = op.get("minutes")
    if minutes is not None:
        minutes = _seconds(minutes, "minutes", 1, 600)
    if op.get("board"):
        target = _spotlight(
            state,
            {
                "mode": "section" if op.get("section") else "board",
                "board": op["board"],
                "section": op.get("section"),
            },
        )
    elif op.get("section"):  # a section of no board in particular: of every board
        target = _spotlight(state, {"mode": "cross", "section": op["section"]})
    else:
        target = {"mode": "overview", "board": None, "section": None}
    facilitator_only(ctx, "run the agenda")
    stage["spotlight"] = {**target, "by": ctx.by, "at": ctx.at}
    stage["agenda"] = {"day": day, "index": index, "title": title, "started_at": ctx.at}
    if minutes is not None:
        stage["timer"]["status"] = "idle"
        _start(stage["timer"], ctx.at, minutes * 60, title)
