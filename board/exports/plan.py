"""The per-mayor action plan of CANVAS.md, as data built from one board snapshot.

Renderers (HTML, Markdown, CSV, iCalendar) all read this one structure, so the formats never
disagree about what the plan says.
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
    """Where the plan comes from: the snapshot and the workshop around it."""

    workshop_title: str
    dates: list[str]
    snapshot_id: str | None
    snapshot_label: str
    snapshot_at: str
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


@dataclass(slots=True)
class Plan:
    source: Source
    city: str
    initiative: str
    title: str
    brief: dict[str, str]
    experts: list[str]
    problem_vision: list[Card]
    decisions: list[Card]
    top_voted: list[dict[str, Any]]
    costs: list[Card]
    funding: list[Card]
    funding_next_steps: list[Card]
    staffing: list[Card]
    partners: list[Card]
    support: list[Card]
    barriers: list[Card]
    metrics: list[Card]
    actions: list[Action]
    open_questions: list[Card]
    resources: list[Card]
    appendix: list[tuple[str, list[Card]]]
    section_titles: dict[str, str]

    def name(self, participant_id: str | None) -> str:
        if not participant_id:
            return ""
        return self.source.names.get(participant_id, "a former participant")


def _cards(state: dict[str, Any], section: str, *types: str) -> list[Card]:
    ids = next(s["cards"] for s in state["sections"] if s["id"] == section)
    cards = [state["cards"][i] for i in ids]
    return [c for c in cards if not types or c["type"] in types]


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


def _risk(card: Card) -> int:
    return (card.get("severity") or 0) * (card.get("likelihood") or 0)


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
    return Plan(
        source=source,
        city=state["city"],
        initiative=state["initiative"],
        title=state["title"],
        brief=state.get("brief") or {},
        experts=experts,
        problem_vision=_cards(state, "problem_vision"),
        decisions=_all(state, "decision"),
        top_voted=top_voted,
        costs=_cards(state, "costs_budget"),
        funding=[c for c in _cards(state, "funding_sources") if c["type"] != "action"],
        funding_next_steps=_cards(state, "funding_sources", "action"),
        staffing=_cards(state, "staffing_operations"),
        partners=_cards(state, "partners_ppp"),
        support=_cards(state, "support_coalition"),
        barriers=sorted(_all(state, "barrier"), key=lambda c: -_risk(c)),
        metrics=_all(state, "metric"),
        actions=actions,
        open_questions=[c for c in _all(state, "question") if not c.get("answer")],
        resources=_all(state, "resource"),
        appendix=[
            (s["title"], [state["cards"][i] for i in s["cards"]])
            for s in state["sections"]
            if s["cards"]
        ],
        section_titles={s["id"]: s["title"] for s in template.raw["sections"]},
    )
