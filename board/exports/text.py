"""The action plan as Markdown, and its 30/60/90-day actions as CSV and iCalendar."""

from __future__ import annotations

import csv
import hashlib
import io
import re

from board.exports.fields import facts, money, type_label
from board.exports.plan import HORIZON_LABEL, STATUS_LABEL, Plan, date_range, readable_time

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|])")


def md(text: str) -> str:
    """Markdown-escape user text so it reads as written (no links, no HTML, no headings)."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def _cards(plan: Plan, cards: list[dict], empty: str, credit: bool = False) -> list[str]:
    if not cards:
        return [f"_{empty}_", ""]
    lines = []
    for c in cards:
        extra = "; ".join(f"{label}: {value}" for label, value in facts(c))
        who = f" — {plan.name(c.get('author'))}" if credit else ""
        lines.append(
            f"- **{type_label(c['type'])}:** {md(c['text'])}{md(who)}"
            + (f" ({md(extra)})" if extra else "")
        )
    return [*lines, ""]


def _table(headers: list[str], rows: list[list[str]], empty: str) -> list[str]:
    if not rows:
        return [f"_{empty}_", ""]
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in rows]
    return [*out, ""]


def action_plan_markdown(plan: Plan) -> str:
    s = plan.source
    lines = [
        f"# Action plan: {md(plan.city)} — {md(plan.title)}",
        "",
        f"- **Mayor:** {md(s.mayor_name)}",
        f"- **Initiative:** {md(plan.initiative)}",
        f"- **Workshop:** {md(s.workshop_title)} ({md(date_range(s.dates))})",
        f"- **Contributing experts:** {md(', '.join(plan.experts) or 'none recorded')}",
        f"- **From snapshot:** {md(s.snapshot_label)}, "
        f"{md(readable_time(s.snapshot_at, s.timezone))} (seq {s.seq})",
        "",
        "## 1. Problem and vision",
        "",
    ]
    for key, label in (("problem", "The problem"), ("goals", "Goals")):
        if plan.brief.get(key):
            lines += [f"**{label}:** {md(plan.brief[key])}", ""]
    lines += _cards(plan, plan.problem_vision, "Nothing recorded yet.")
    lines += ["## 2. Decisions and top-voted ideas", "", "### Decisions", ""]
    lines += _cards(plan, plan.decisions, "No decisions recorded yet.")
    lines += ["### Top-voted ideas", ""]
    lines += _table(
        ["Idea", "Section", "Votes"],
        [
            [v["card"]["text"], plan.section_titles.get(v["card"]["section"], ""), str(v["votes"])]
            for v in plan.top_voted
        ],
        "No votes were cast.",
    )
    lines += ["## 3. The 30/60/90-day plan", ""]
    lines += _table(
        ["Action", "Owner", "Due", "Horizon", "Status"],
        [
            [
                a.text,
                a.owner or "—",
                a.due or "—",
                HORIZON_LABEL.get(a.horizon, "—"),
                STATUS_LABEL.get(a.status, a.status),
            ]
            for a in plan.actions
        ],
        "No actions recorded yet.",
    )
    lines += ["## 4. Financing", "", "### Costs", ""]
    lines += _table(
        ["Item", "Kind", "Amount"],
        [
            [
                c["text"],
                {"capex": "Capital", "opex": "Operating"}.get(c.get("cost_kind", ""), "—"),
                money(c["amount_usd"]) if "amount_usd" in c else "—",
            ]
            for c in plan.costs
        ],
        "No costs recorded yet.",
    )
    lines += ["### Funding sources", ""]
    lines += _table(
        ["Source", "Amount", "Status"],
        [
            [
                c["text"],
                money(c["amount_usd"]) if "amount_usd" in c else "—",
                c.get("funding_status", "—"),
            ]
            for c in plan.funding
        ],
        "No funding sources recorded yet.",
    )
    lines += ["### Next steps on funding", ""]
    lines += _cards(plan, plan.funding_next_steps, "None recorded.")
    for title, cards in (
        ("5. Staffing and the accountable owner", plan.staffing),
        ("6. Partners and their terms", plan.partners),
        ("7. Support strategy", plan.support),
    ):
        lines += [f"## {title}", "", *_cards(plan, cards, "Nothing recorded yet.")]
    lines += ["## 8. Barrier and risk register", ""]
    lines += _table(
        ["Barrier", "Severity", "Likelihood", "Mitigation"],
        [
            [
                c["text"],
                str(c.get("severity", "—")),
                str(c.get("likelihood", "—")),
                c.get("mitigation", "—"),
            ]
            for c in plan.barriers
        ],
        "No barriers recorded yet.",
    )
    lines += ["## 9. Success metrics", ""]
    lines += _table(
        ["Metric", "Baseline", "Target", "By", "Data source"],
        [
            [
                c["text"],
                c.get("baseline", "—"),
                c.get("target", "—"),
                c.get("target_date", "—"),
                c.get("data_source", "—"),
            ]
            for c in plan.metrics
        ],
        "No metrics recorded yet.",
    )
    lines += ["## 10. Open questions", ""]
    lines += _table(
        ["Question", "Addressed to"],
        [[c["text"], c.get("addressed_to", "—")] for c in plan.open_questions],
        "No open questions.",
    )
    lines += ["## 11. Resources and links", ""]
    lines += _cards(plan, plan.resources, "No resources recorded yet.", credit=True)
    lines += ["## 12. Appendix: every card by section", ""]
    for title, cards in plan.appendix:
        lines += [f"### {md(title)}", "", *_cards(plan, cards, "", credit=True)]
    return "\n".join(lines).rstrip() + "\n"


CSV_HEADER = ["action", "owner", "due", "horizon", "status", "calendar_date", "section", "city"]


def actions_csv(plan: Plan) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for a in plan.actions:
        writer.writerow(
            [
                _no_formula(a.text),
                _no_formula(a.owner),
                a.due,
                a.horizon,
                a.status,
                a.calendar_date,
                a.section,
                plan.city,
            ]
        )
    return out.getvalue()


def _no_formula(text: str) -> str:
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
