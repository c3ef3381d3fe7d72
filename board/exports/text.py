"""The action plan as Markdown, and its 30/60/90-day actions as CSV and iCalendar."""

from __future__ import annotations

import csv
import hashlib
import io
import re

from board.exports import render
from board.exports.plan import HORIZON_LABEL, STATUS_LABEL, Plan
from board.exports.plan_outline import plan_document


def action_plan_markdown(plan: Plan) -> str:
    """The same outline as the HTML plan (plan_outline.py), as Markdown."""
    return render.markdown(plan_document(plan))


CSV_HEADER = ["action", "owner", "due", "horizon", "status", "calendar_date", "section", "city"]


def actions_csv(plan: Plan) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for a in plan.actions:
        writer.writerow(
            [
                no_formula(a.text),
                no_formula(a.owner),
                a.due,
                a.horizon,
                a.status,
                a.calendar_date,
                a.section,
                plan.city,
            ]
        )
    return out.getvalue()


def no_formula(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; quote them as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _ics_text(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545 lines are at most 75 octets; longer ones continue with a leading space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start = [], 0
    while start < len(data):
        end = min(start + (75 if start == 0 else 74), len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # keep UTF-8 sequences whole
            end -= 1
        parts.append(data[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def actions_ics(plan: Plan, stamp: str) -> str:
    """One all-day event per action with a date (its due date, or its horizon after Day 3)."""
    dtstamp = re.sub(r"[-:]|\.\d+", "", stamp)[:15] + "Z"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Brickboard//Action plan//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(f'{plan.city}: 30/60/90 days')}",
    ]
    for a in plan.actions:
        if not a.calendar_date:
            continue
        day = a.calendar_date.replace("-", "")
        uid = hashlib.sha256(f"{plan.source.snapshot_id}|{a.text}|{a.section}".encode()).hexdigest()
        summary = f"[{HORIZON_LABEL.get(a.horizon, 'Action')}] {a.text}"
        desc = f"Owner: {a.owner or 'unassigned'}. Status: {STATUS_LABEL.get(a.status, a.status)}."
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid[:32]}@brickboard",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{day}",
            f"SUMMARY:{_ics_text(summary)}",
            f"DESCRIPTION:{_ics_text(desc)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
