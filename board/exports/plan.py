"""The per-mayor action plan of CANVAS.md, as data built from one board state.

Every renderer (HTML and Markdown through one outline, CSV, iCalendar) reads this structure,
so the formats never disagree about what the plan says. The state is the board as the person
exporting may see it (`visible_to`, document form): the plan lists nothing hidden from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from board.model import load_template
from board.model.collab import tally
from board.model.template import is_real_date

Card = dict[str, Any]
HORIZON_DAYS = {"d30": 30, "d60": 60, "d90": 90}
TOP_VOTED = 15
HORIZON_LABEL = {"d30": "30 days", "d60": "60 days", "d90": "90 days", "later": "Later"}
STATUS_LABEL = {"open": "Open", "in_progress": "In progress", "done": "Done", "dropped": "Dropped"}


@dataclass(frozen=True, slots=True)
class Source:
    """Where the plan comes from: the board now or a snapshot, and the workshop around it."""

    workshop_title: str
    dates: list[str]
    snapshot_id: str | None
    """None: the board's current committed state ("now")."""
    snapshot_label: str
    snapshot_at: str
    """When the snapshot was taken, or when "now" was read."""
    seq: int
    timezone: str = "UTC"
    names: dict[str, str] = field(default_factory=dict)  # participant id -> name
    roles: dict[str, str] = field(default_factory=dict)  # participant id -> role
    mayor_name: str = ""


@dataclass(slots=True)
class Action:
    text: str
    owner: str
    due: str
    horizon: str
    status: str
    section: str
    calendar_date: str  # due, or the end of the workshop plus the horizon


@dataclass(frozen=True, slots=True)
class Section:
    """One canvas section with content, as the board holds it."""

    id: str
    title: str
    prompt: str
    cards: list[Card]


@dataclass(frozen=True, slots=True)
class Money:
    """Costs against funding, in US dollars (cards without an amount count as unknown)."""

    capital: float = 0
    operating: float = 0
    other_costs: float = 0
    """Costs with an amount but no kind."""
    committed: float = 0
    applied: float = 0
    ideas: float = 0
    """Funding named but neither applied for nor committed (or without a status)."""
    unpriced: int = 0
    """Cost cards without an amount: the totals are a floor."""

    @property
    def costs(self) -> float:
        return self.capital + self.operating + self.other_costs

    @property
    def funding(self) -> float:
        return self.committed + self.applied + self.ideas

    @property
    def uncommitted(self) -> float:
        """What the committed funding does not cover yet."""
        return max(0.0, self.costs - self.committed)

    @property
    def unidentified(self) -> float:
        """What no funding source named so far covers, even if every one came through."""
        return max(0.0, self.costs - self.funding)

    @property
    def any(self) -> bool:
        return bool(self.costs or self.funding or self.unpriced)


@dataclass(slots=True)
class Plan:
    source: Source
    city: str
    initiative: str
    title: str
    brief: dict[str, str]
    experts: list[str]
    sections: list[Section]
    """Every section with content, in canvas order."""
    decisions: list[Card]
    top_voted: list[dict[str, Any]]
    actions: list[Action]
    barriers: list[Card]
    """Every barrier on the board, the greatest risk first."""
    metrics: list[Card]
    open_questions: list[Card]
    resources: list[Card]
    money: Money
    section_titles: dict[str, str]

    def name(self, participant_id: str | None) -> str:
        if not participant_id:
            return ""
        return self.source.names.get(participant_id, "a former participant")


def _all(state: dict[str, Any], *types: str) -> list[Card]:
    return [
        state["cards"][i]
        for s in state["sections"]
        for i in s["cards"]
        if state["cards"][i]["type"] in types
    ]


def _calendar_date(card: Card, last_day: date | None) -> str:
    """The day an action goes in the calendar: its due date, if it is a real one (a log from
    before dates were checked may hold "2027-02-30"), else its horizon after the last day."""
    if card.get("due"):
        return card["due"] if is_real_date(card["due"]) else ""
    days = HORIZON_DAYS.get(card.get("horizon", ""))
    if last_day is None or days is None:
        return ""
    return (last_day + timedelta(days=days)).isoformat()


def date_range(dates: list[str]) -> str:
    """For example "March 9-11, 2027" rather than three ISO dates."""
    if not dates:
        return ""
    days = sorted(date.fromisoformat(d) for d in dates)
    first, last = days[0], days[-1]
    if first == last:
        return f"{first:%B} {first.day}, {first.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B} {first.day}\u2013{last.day}, {first.year}"
    return f"{first:%B} {first.day} \u2013 {last:%B} {last.day}, {last.year}"


def readable_time(stamp: str, timezone: str = "UTC") -> str:
    """An ISO UTC timestamp as the room reads it: "March 9, 2027, 18:00 (America/New_York)"."""
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(ZoneInfo(timezone))
    return f"{moment:%B} {moment.day}, {moment.year}, {moment:%H:%M} ({timezone})"


def risk(card: Card) -> int:
    return (card.get("severity") or 0) * (card.get("likelihood") or 0)


def money_of(state: dict[str, Any]) -> Money:
    sections = {s["id"]: [state["cards"][i] for i in s["cards"]] for s in state["sections"]}
    costs = [c for c in sections.get("costs_budget", []) if c["type"] != "action"]
    funding = [c for c in sections.get("funding_sources", []) if c["type"] != "action"]
    priced = [c for c in costs if isinstance(c.get("amount_usd"), int | float)]

    def total(cards: list[Card], key: str, value: str | None) -> float:
        return float(sum(c["amount_usd"] for c in cards if c.get(key) == value))

    named = [c for c in funding if isinstance(c.get("amount_usd"), int | float)]
    return Money(
        capital=total(priced, "cost_kind", "capex"),
        operating=total(priced, "cost_kind", "opex"),
        other_costs=float(sum(c["amount_usd"] for c in priced if c.get("cost_kind") is None)),
        committed=total(named, "funding_status", "committed"),
        applied=total(named, "funding_status", "applied"),
        ideas=float(
            sum(
                c["amount_usd"]
                for c in named
                if c.get("funding_status") not in ("committed", "applied")
            )
        ),
        unpriced=len(costs) - len(priced),
    )


def build_plan(state: dict[str, Any], source: Source) -> Plan:
    template = load_template()
    last_day = date.fromisoformat(max(source.dates)) if source.dates else None
    order = {"d30": 0, "d60": 1, "d90": 2, "later": 3, "": 4}
    actions = sorted(
        (
            Action(
                text=c["text"],
                owner=c.get("owner", ""),
                due=c.get("due", ""),
                horizon=c.get("horizon", ""),
                status=c.get("status", "open"),
                section=c["section"],
                calendar_date=_calendar_date(c, last_day),
            )
            for c in _all(state, "action")
        ),
        key=lambda a: (order.get(a.horizon, 4), a.due or "9999", a.text),
    )
    authors = {c["author"] for c in state["cards"].values()}
    experts = sorted(
        source.names[p] for p in authors if source.roles.get(p) == "expert" and p in source.names
    )
    totals: dict[str, int] = {}
    for found in (state.get("rounds") or {}).values():
        if found["revealed"]:  # a blind round counts once it is revealed
            for card_id, count in tally(found)["totals"].items():
                totals[card_id] = totals.get(card_id, 0) + count
    top_voted = sorted(
        (
            {"card": state["cards"][cid], "votes": n}
            for cid, n in totals.items()
            if cid in state["cards"]
        ),
        key=lambda v: (-v["votes"], v["card"]["text"]),
    )[:TOP_VOTED]
    brief = state.get("brief") or {}
    placed = {s["id"]: s["cards"] for s in state["sections"]}
    types = {c["type"] for c in state["cards"].values()}
    sections = [
        Section(spec["id"], spec["title"], spec["prompt"], [state["cards"][i] for i in ids])
        for spec in template.raw["sections"]
        for ids in [placed.get(spec["id"], [])]
        if ids or brief_in(spec["id"], brief) or REGISTER_TYPES.get(spec["id"]) in types
    ]
    return Plan(
        source=source,
        city=state["city"],
        initiative=state["initiative"],
        title=state["title"],
        brief=brief,
        experts=experts,
        sections=sections,
        decisions=_all(state, "decision"),
        top_voted=top_voted,
        actions=actions,
        barriers=sorted(_all(state, "barrier"), key=lambda c: -risk(c)),
        metrics=_all(state, "metric"),
        open_questions=[c for c in _all(state, "question") if not c.get("answer")],
        resources=_all(state, "resource"),
        money=money_of(state),
        section_titles={s["id"]: s["title"] for s in template.raw["sections"]},
    )


REGISTER_TYPES = {"barriers_risks": "barrier", "success_metrics": "metric", "action_plan": "action"}
"""Sections whose table gathers every card of a type from the whole board: they have content
as soon as one such card exists anywhere."""

BRIEF_IN_SECTION = {
    "city_context": (("city_profile", "City profile"), ("constraints", "Known constraints")),
    "problem_vision": (
        ("problem", "The problem"),
        ("status", "Status and what was tried"),
        ("goals", "Goals"),
    ),
}
"""The pre-read brief's fields, shown in the canvas section they speak to."""


def brief_in(section_id: str, brief: dict[str, str]) -> list[tuple[str, str]]:
    """(label, text) of the brief's fields that belong in this section, where written."""
    return [
        (label, brief[key]) for key, label in BRIEF_IN_SECTION.get(section_id, ()) if brief.get(key)
    ]
