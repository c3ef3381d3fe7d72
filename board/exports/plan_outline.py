"""The action plan's outline: what the mayor hands to a chief of staff, in one order.

Header; "At a glance" (costs against funding with the gap named, decisions, top-voted ideas);
then every canvas section that has content, in canvas order, each with all its cards (credited)
and, where the section holds structured cards, its table: the cost and funding tables with
their totals, the barrier and risk register, the success metrics and the 30/60/90-day plan
(those three gather their cards from the whole board); then open questions and resources.
HTML and Markdown both render this one outline (render.py).
"""

from __future__ import annotations

from board.exports.fields import facts, money, type_label, value_text
from board.exports.outline import Block, Card, Cards, Document, Paragraph, Part, Table
from board.exports.plan import (
    HORIZON_LABEL,
    REGISTER_TYPES,
    STATUS_LABEL,
    Money,
    Plan,
    Section,
    brief_in,
    date_range,
    readable_time,
)
from board.exports.plan import Card as CardData

DASH = "\u2014"
COST_ITEMS = ("idea", "resource")
"""Card types that are cost items in Costs (a question there stays a question)."""


def _card(plan: Plan, card: CardData, *, credit: bool = True) -> Card:
    return Card(
        type=type_label(card["type"]),
        text=card["text"],
        facts=facts(card),
        credit=plan.name(card.get("author")) if credit else "",
    )


def _cards(plan: Plan, cards: list[CardData], empty: str = "") -> Cards:
    return Cards([_card(plan, c) for c in cards], empty)


def _amount(card: CardData) -> str:
    value = card.get("amount_usd")
    return money(value) if isinstance(value, int | float) else DASH


def gap_sentence(m: Money) -> str:
    """The state of the money in one or two sentences, the gap named."""
    floor = (
        f" ({m.unpriced} cost item{'s have' if m.unpriced != 1 else ' has'} no amount yet, so "
        "the costs are a floor.)"
        if m.unpriced
        else ""
    )
    if not m.costs:
        return (
            f"No costs priced yet; funding identified: {money(m.funding)} "
            f"({money(m.committed)} committed).{floor}"
        )
    if not m.uncommitted:
        spare = m.committed - m.costs
        extra = f", with {money(spare)} to spare" if spare else ""
        return (
            f"Fully funded: {money(m.committed)} committed covers the {money(m.costs)} "
            f"in costs{extra}.{floor}"
        )
    named = (
        f" {money(m.unidentified)} of it has no funding source named yet."
        if m.unidentified
        else " The sources named would cover it if every one of them comes through."
    )
    return (
        f"Funding gap: {money(m.uncommitted)} of the {money(m.costs)} in costs is not yet "
        f"committed ({money(m.committed)} committed, {money(m.funding)} identified in all)."
        f"{named}{floor}"
    )


def money_table(m: Money) -> Table:
    rows = [
        ["Costs: capital", money(m.capital)],
        ["Costs: operating", money(m.operating)],
    ]
    if m.other_costs:
        rows.append(["Costs: kind not given", money(m.other_costs)])
    rows += [
        ["Funding committed", money(m.committed)],
        ["Funding applied for", money(m.applied)],
        ["Funding ideas", money(m.ideas)],
    ]
    totals = [
        ["Costs in all", money(m.costs)],
        ["Funding identified in all", money(m.funding)],
        ["Gap: costs not yet committed", money(m.uncommitted)],
        ["Gap: costs with no source named", money(m.unidentified)],
    ]
    return Table(["Costs against funding", "USD"], rows, totals=totals, numeric=frozenset({1}))


def _costs(plan: Plan, section: Section) -> list[Block]:
    items = [c for c in section.cards if c["type"] in COST_ITEMS]
    kinds = {"capex": "Capital", "opex": "Operating"}
    m = plan.money
    totals = [["Capital", "", money(m.capital)], ["Operating", "", money(m.operating)]]
    if m.other_costs:
        totals.append(["Kind not given", "", money(m.other_costs)])
    totals.append(["Costs in all", "", money(m.costs)])
    table = Table(
        ["Item", "Kind", "Amount"],
        [[c["text"], kinds.get(c.get("cost_kind", ""), DASH), _amount(c)] for c in items],
        totals=totals if items else [],
        numeric=frozenset({2}),
    )
    rest = [c for c in section.cards if c["type"] not in COST_ITEMS]
    return [table, *([_cards(plan, rest)] if rest else [])]


def _funding(plan: Plan, section: Section) -> list[Block]:
    sources = [c for c in section.cards if c["type"] != "action"]
    steps = [c for c in section.cards if c["type"] == "action"]
    m = plan.money

    def status(card: CardData) -> str:
        found = card.get("funding_status")
        return value_text("funding_status", found).capitalize() if found else DASH

    table = Table(
        ["Source", "Amount", "Status"],
        [[c["text"], _amount(c), status(c)] for c in sources],
        totals=[
            ["Committed", money(m.committed), ""],
            ["Applied for", money(m.applied), ""],
            ["Ideas", money(m.ideas), ""],
            ["Identified in all", money(m.funding), ""],
        ]
        if sources
        else [],
        numeric=frozenset({1}),
    )
    blocks: list[Block] = [table]
    if m.any:
        blocks.append(Paragraph(gap_sentence(m), lead="Costs against funding:", kind="alert"))
    if steps:
        blocks += [Paragraph("Next steps on funding:", kind="note"), _cards(plan, steps)]
    return blocks


def _register(plan: Plan, section: Section) -> list[Block]:
    table = Table(
        ["Barrier", "Section", "Severity", "Likelihood", "Mitigation"],
        [
            [
                c["text"],
                plan.section_titles.get(c["section"], ""),
                value_text("severity", c["severity"]) if c.get("severity") else DASH,
                value_text("likelihood", c["likelihood"]) if c.get("likelihood") else DASH,
                c.get("mitigation") or DASH,
            ]
            for c in plan.barriers
        ],
        empty="No barriers recorded yet.",
    )
    return [Paragraph("Every barrier on the board, the greatest risk first.", kind="note"), table]


def _metrics(plan: Plan, section: Section) -> list[Block]:
    rows = [
        [
            c["text"],
            c.get("baseline") or DASH,
            (c.get("target") or DASH) + (f" {c['unit']}" if c.get("unit") else ""),
            c.get("target_date") or DASH,
            c.get("data_source") or DASH,
        ]
        for c in plan.metrics
    ]
    return [Table(["Metric", "Baseline", "Target", "By", "Data source"], rows)]


def _actions(plan: Plan, section: Section) -> list[Block]:
    rows = [
        [
            a.text,
            a.owner or DASH,
            a.due or DASH,
            HORIZON_LABEL.get(a.horizon, DASH),
            STATUS_LABEL.get(a.status, a.status),
        ]
        for a in plan.actions
    ]
    return [
        Paragraph("Every action on the board, by horizon.", kind="note"),
        Table(["Action", "Owner", "Due", "Horizon", "Status"], rows, "No actions recorded yet."),
    ]


REGISTERS = {
    "barriers_risks": _register,
    "success_metrics": _metrics,
    "action_plan": _actions,
}
"""Sections whose table gathers one card type from the whole board (plan.REGISTER_TYPES)."""


def _section_blocks(plan: Plan, section: Section) -> list[Block]:
    blocks: list[Block] = [
        Paragraph(text, lead=f"{label}:") for label, text in brief_in(section.id, plan.brief)
    ]
    if section.id == "costs_budget":
        return blocks + _costs(plan, section)
    if section.id == "funding_sources":
        return blocks + _funding(plan, section)
    if section.id in REGISTERS:
        rest = [c for c in section.cards if c["type"] != REGISTER_TYPES[section.id]]
        return (
            blocks + REGISTERS[section.id](plan, section) + ([_cards(plan, rest)] if rest else [])
        )
    return [*blocks, _cards(plan, section.cards)]


def _source_line(plan: Plan) -> str:
    s = plan.source
    when = readable_time(s.snapshot_at, s.timezone)
    if s.snapshot_id is None:
        return f"The board as it stood at {when}"
    return f"Snapshot \u201c{s.snapshot_label}\u201d, {when}"


def plan_document(plan: Plan) -> Document:
    s = plan.source
    meta = [
        ("City", plan.city),
        ("Mayor", s.mayor_name),
        ("Initiative", plan.initiative),
        ("Workshop", s.workshop_title),
        ("Dates", date_range(s.dates)),
        ("Contributing experts", ", ".join(plan.experts) or "none recorded"),
        ("Source", _source_line(plan)),
        ("Reference", f"seq {s.seq}" + (f", snapshot {s.snapshot_id}" if s.snapshot_id else "")),
    ]
    glance: list[Block] = [Paragraph("No costs or funding recorded yet.", kind="empty")]
    if plan.money.any:
        glance = [Paragraph(gap_sentence(plan.money), kind="alert"), money_table(plan.money)]
    parts = [
        Part("At a glance", glance),
        Part("Decisions", [_cards(plan, plan.decisions, "No decisions recorded yet.")], level=3),
        Part(
            "Top-voted ideas",
            [
                Table(
                    ["Idea", "Section", "Votes"],
                    [
                        [
                            v["card"]["text"],
                            plan.section_titles.get(v["card"]["section"], ""),
                            str(v["votes"]),
                        ]
                        for v in plan.top_voted
                    ],
                    "No votes were cast.",
                    numeric=frozenset({2}),
                )
            ],
            level=3,
        ),
    ]
    parts += [
        Part(f"{n}. {section.title}", _section_blocks(plan, section), prompt=section.prompt)
        for n, section in enumerate(plan.sections, start=1)
    ]
    if not plan.sections:
        parts.append(Part("The canvas", [Paragraph("The board is empty.", kind="empty")]))
    parts += [
        Part(
            "Open questions",
            [
                Table(
                    ["Question", "Addressed to"],
                    [[c["text"], c.get("addressed_to") or DASH] for c in plan.open_questions],
                    "No open questions.",
                )
            ],
        ),
        Part("Resources and links", [_cards(plan, plan.resources, "No resources recorded yet.")]),
    ]
    footer = (
        f"Brickboard \u00b7 {s.workshop_title} \u00b7 closed-door, vendor-free \u00b7 "
        f"{_source_line(plan)}, seq {s.seq}"
    )
    return Document("Action plan", f"{plan.city}: {plan.title}", meta, parts, footer)
