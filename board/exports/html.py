"""The action plan and the pre-read packet as printable, self-contained HTML documents.

Every piece of user text goes through `e()` (HTML escaping); nothing else is interpolated.
The documents carry their own print CSS and no script, so they open from a ZIP on any laptop;
the server serves them with a CSP that forbids script entirely.
"""

from __future__ import annotations

from html import escape
from importlib import resources
from typing import Any

from board.exports.fields import facts, money, type_label, value_text
from board.exports.plan import HORIZON_LABEL, STATUS_LABEL, Plan, date_range, readable_time

DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"

STYLE = resources.files("board.exports").joinpath("document.css").read_text("utf-8")


def e(text: Any) -> str:
    return escape(str(text), quote=True)


def _card_line(plan: Plan | None, card: dict[str, Any], *, credit: bool = False) -> str:
    extra = "; ".join(f"{e(label)}: {e(value)}" for label, value in facts(card))
    who = f" — {e(plan.name(card.get('author')))}" if credit and plan else ""
    return (
        f'<li><span class="tag">{e(type_label(card["type"]))}</span>{e(card["text"])}{who}'
        + (f'<div class="facts">{extra}</div>' if extra else "")
        + "</li>"
    )


def _cards(plan: Plan | None, cards: list[dict[str, Any]], empty: str, credit: bool = False) -> str:
    if not cards:
        return f'<p class="empty">{e(empty)}</p>'
    return (
        '<ul class="cards">' + "".join(_card_line(plan, c, credit=credit) for c in cards) + "</ul>"
    )


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{e(empty)}</p>'
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _doc(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{DOCUMENT_CSP}">'
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>\n"
    )


def action_plan_html(plan: Plan) -> str:
    s = plan.source
    meta = [
        ("City", plan.city),
        ("Mayor", s.mayor_name),
        ("Initiative", plan.initiative),
        ("Workshop", s.workshop_title),
        ("Dates", date_range(s.dates)),
        ("Contributing experts", ", ".join(plan.experts) or "none recorded"),
        ("From snapshot", f"{s.snapshot_label}, {readable_time(s.snapshot_at, s.timezone)}"),
        ("Reference", f"seq {s.seq}" + (f", snapshot {s.snapshot_id}" if s.snapshot_id else "")),
    ]
    header = (
        '<header class="doc"><p class="kicker">Action plan</p>'
        f'<h1>{e(plan.city)}: {e(plan.title)}</h1><dl class="meta">'
        + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in meta if v)
        + "</dl></header>"
    )
    brief = "".join(
        f"<h3>{e(label)}</h3><p>{e(plan.brief[key])}</p>"
        for key, label in (("problem", "The problem"), ("goals", "Goals"))
        if plan.brief.get(key)
    )
    costs = [
        [
            c["text"],
            {"capex": "Capital", "opex": "Operating"}.get(c.get("cost_kind", ""), "—"),
            money(c["amount_usd"]) if "amount_usd" in c else "—",
        ]
        for c in plan.costs
    ]
    funding = [
        [
            c["text"],
            money(c["amount_usd"]) if "amount_usd" in c else "—",
            value_text("funding_status", c["funding_status"]).capitalize()
            if c.get("funding_status")
            else "—",
        ]
        for c in plan.funding
    ]
    barriers = [
        [
            c["text"],
            str(c.get("severity", "—")),
            str(c.get("likelihood", "—")),
            c.get("mitigation", "—"),
        ]
        for c in plan.barriers
    ]
    metrics = [
        [
            c["text"],
            c.get("baseline", "—"),
            c.get("target", "—") + (f" {c['unit']}" if c.get("unit") else ""),
            c.get("target_date", "—"),
            c.get("data_source", "—"),
        ]
        for c in plan.metrics
    ]
    actions = [
        [
            a.text,
            a.owner or "—",
            a.due or "—",
            HORIZON_LABEL.get(a.horizon, "—"),
            STATUS_LABEL.get(a.status, a.status),
        ]
        for a in plan.actions
    ]
    questions = [[c["text"], c.get("addressed_to", "—")] for c in plan.open_questions]
    top = _table(
        ["Idea", "Section", "Votes"],
        [
            [v["card"]["text"], plan.section_titles.get(v["card"]["section"], ""), str(v["votes"])]
            for v in plan.top_voted
        ],
        "No votes were cast.",
    )
    body = (
        header
        + "<h2>1. Problem and vision</h2>"
        + brief
        + _cards(plan, plan.problem_vision, "Nothing recorded yet.")
        + "<h2>2. Decisions and top-voted ideas</h2><h3>Decisions</h3>"
        + _cards(plan, plan.decisions, "No decisions recorded yet.")
        + "<h3>Top-voted ideas</h3>"
        + top
        + "<h2>3. The 30/60/90-day plan</h2>"
        + _table(
            ["Action", "Owner", "Due", "Horizon", "Status"], actions, "No actions recorded yet."
        )
        + "<h2>4. Financing</h2><h3>Costs</h3>"
        + _table(["Item", "Kind", "Amount"], costs, "No costs recorded yet.")
        + "<h3>Funding sources</h3>"
        + _table(["Source", "Amount", "Status"], funding, "No funding sources recorded yet.")
        + "<h3>Next steps on funding</h3>"
        + _cards(plan, plan.funding_next_steps, "None recorded.")
        + "<h2>5. Staffing and the accountable owner</h2>"
        + _cards(plan, plan.staffing, "Nothing recorded yet.")
        + "<h2>6. Partners and their terms</h2>"
        + _cards(plan, plan.partners, "Nothing recorded yet.")
        + "<h2>7. Support strategy</h2>"
        + _cards(plan, plan.support, "Nothing recorded yet.")
        + "<h2>8. Barrier and risk register</h2>"
        + _table(
            ["Barrier", "Severity", "Likelihood", "Mitigation"],
            barriers,
            "No barriers recorded yet.",
        )
        + "<h2>9. Success metrics</h2>"
        + _table(
            ["Metric", "Baseline", "Target", "By", "Data source"],
            metrics,
            "No metrics recorded yet.",
        )
        + "<h2>10. Open questions</h2>"
        + _table(["Question", "Addressed to"], questions, "No open questions.")
        + "<h2>11. Resources and links</h2>"
        + _cards(plan, plan.resources, "No resources recorded yet.", credit=True)
        + '<h2 class="part">12. Appendix: every card by section</h2>'
        + "".join(
            f"<h3>{e(title)}</h3>" + _cards(plan, cards, "", credit=True)
            for title, cards in plan.appendix
        )
        + f'<footer class="doc">Brickboard · {e(s.workshop_title)} · closed-door, vendor-free'
        f" · generated from {e(s.snapshot_label)}</footer>"
    )
    return _doc(f"Action plan: {plan.city}", body)


def _field_labels(card_type: dict[str, Any]) -> str:
    return ", ".join(f["label"] for f in card_type["fields"].values()) or "—"


def pre_read_html(
    workshop: dict[str, Any],
    people: list[dict[str, Any]],
    boards: list[dict[str, Any]],
    template: dict[str, Any],
) -> str:
    """The packet each mayor reads before Day 1: one chapter per city."""
    days = "".join(
        f"<tr><td>Day {e(d['day'])}</td><td>{e(d['date'])}</td><td>"
        + e("; ".join(a["title"] if isinstance(a, dict) else str(a) for a in d.get("agenda", [])))
        + "</td></tr>"
        for d in workshop.get("days", [])
    )
    roster = "".join(
        f"<tr><td>{e(p['name'])}</td><td>{e(p['role'])}</td><td>{e(p.get('city') or '')}</td>"
        f"<td>{e(p.get('organisation') or '')}</td></tr>"
        for p in people
        if p["role"] in ("mayor", "expert", "facilitator")
    )
    legend = "".join(
        f"<tr><td>{e(t['label'])}</td><td>{e(_field_labels(t))}</td></tr>"
        for t in template["card_types"].values()
    )
    prompts = "".join(
        f"<tr><td>{e(s['title'])}</td><td>{e(s['prompt'])}</td></tr>" for s in template["sections"]
    )
    chapters = ""
    brief_labels = [
        ("city_profile", "City profile"),
        ("problem", "The initiative: the problem"),
        ("status", "Status and what was tried"),
        ("goals", "Goals"),
        ("constraints", "Known constraints"),
        ("questions", "Questions the mayor wants answered"),
    ]
    for board in boards:
        state = board["state"]
        brief = state.get("brief") or {}
        fact_cards = [c for c in state["cards"].values() if c["type"] == "fact"]
        chapters += (
            f'<section class="part"><p class="kicker">{e(state["city"])}</p>'
            f"<h2>{e(state['title'])}</h2>"
            f"<p><strong>Mayor:</strong> {e(board.get('mayor_name', ''))} · "
            f'<strong>Theme:</strong> {e(state.get("theme") or "—")}</p><div class="brief">'
            + "".join(
                f"<h3>{e(label)}</h3><p>{e(brief[key])}</p>"
                for key, label in brief_labels
                if brief.get(key)
            )
            + "</div><h3>Pre-filled facts (unverified until checked in the room)</h3>"
            + _cards(None, fact_cards, "No facts yet.")
            + "</section>"
        )
    body = (
        '<header class="doc"><p class="kicker">Pre-read packet</p>'
        f'<h1>{e(workshop["title"])}</h1><dl class="meta"><dt>Venue</dt><dd>'
        f"{e(workshop.get('venue') or '—')}</dd></dl></header>"
        "<h2>Agenda</h2>"
        + (
            f"<table><tbody>{days}</tbody></table>"
            if days
            else '<p class="empty">Dates to be announced.</p>'
        )
        + "<h2>Ground rules</h2><ul><li>Closed-door: what is said in the room stays in the room."
        "</li><li>Vendor-free: no sales, no sponsors; experts advise, mayors decide.</li>"
        "<li>Each mayor leaves with a 30/60/90-day action plan.</li></ul>"
        "<h2>Participants</h2><table><thead><tr><th>Name</th><th>Role</th><th>City</th>"
        f"<th>Organisation</th></tr></thead><tbody>{roster}</tbody></table>"
        '<h2 class="part">How to use the canvas</h2>'
        "<table><thead><tr><th>Section</th><th>Guiding question</th></tr></thead>"
        f"<tbody>{prompts}</tbody></table>"
        "<h3>Card types</h3><table><thead><tr><th>Type</th><th>Fields</th></tr></thead>"
        f"<tbody>{legend}</tbody></table>" + chapters
    )
    return _doc(f"Pre-read: {workshop['title']}", body)
