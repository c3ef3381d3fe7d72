"""A Day-3 board: about fifteen cards in every section, of the types each section expects,
with their fields, as the room leaves it on the last day. Used by the layout and
accessibility tests and by docs/screenshots.py (the README's pictures)."""

from __future__ import annotations

import itertools
from typing import Any

from board.model import load_template
from tests.wsclient import Client

PER_SECTION = 15

# The first cards of each section, in the words of the room; the rest come from SHARED.
OPENING: dict[str, list[str]] = {
    "city_context": [
        "Population 980,000; the corridor carries 60,000 cars a day",
        "Two earlier signal projects stalled at procurement",
        "Transportation budget: $42M a year, 8% for operations",
        "The council's mobility committee meets monthly",
        "Travel times on Lamar grew 18% in five years",
    ],
    "problem_vision": [
        "Cut evening peak travel time on the corridor by 15% in three years",
        "Start with one corridor, not citywide",
        "Buses stuck in the same queues as cars",
        "What does a resident notice first if this works?",
    ],
    "residents_equity": [
        "Bus riders on the corridor are mostly shift workers: measure their trip times first",
        "Side-street residents fear cut-through traffic",
        "Who speaks for neighbourhoods without an association?",
        "Publish results in Spanish and Vietnamese too",
    ],
    "partners_ppp": [
        "State DOT signal modernization program",
        "University transportation lab evaluates before/after data",
        "Vendor wants a 10-year exclusive data licence",
        "County shares the fibre backbone",
    ],
    "staffing_operations": [
        "Name one accountable signal program owner",
        "Only two signal engineers on staff",
        "Train two technicians on the new controllers",
        "Who answers the phone on day 400?",
    ],
    "technology_solution": [
        "Adaptive controllers at 24 intersections, detection by video",
        "Radar or video detection in heavy rain?",
        "Open standards (NTCIP) only",
        "Pilot on six intersections first",
    ],
    "data_governance": [
        "The city owns all signal and detection data",
        "Video detection raises privacy questions",
        "No faces or plates leave the cabinet",
        "Open data portal gets hourly travel times",
    ],
    "support_coalition": [
        "Brief the council mobility committee",
        "Publish a simple public dashboard from week one",
        "Business association wants fewer lane closures",
        "Transit union asks for signal priority",
    ],
    "barriers_risks": [
        "Procurement takes nine months",
        "Legacy controllers not compatible",
        "Council turnover after the election",
        "Pilot on six intersections to show results before the budget vote",
    ],
    "costs_budget": [
        "Controllers and detection for 24 intersections",
        "Software licences and maintenance",
        "Two new technician positions",
        "What does year five cost?",
    ],
    "funding_sources": [
        "Federal SMART grant",
        "Apply to the state safety fund",
        "Transportation bond line item",
        "Philanthropy match from the community foundation",
    ],
    "success_metrics": [
        "Peak travel time on the corridor",
        "Bus on-time performance",
        "Crashes at the pilot intersections",
        "Resident satisfaction in the annual survey",
    ],
    "action_plan": [
        "Pick the six pilot intersections",
        "Draft the data ownership clause",
        "Apply for the SMART grant",
        "Launch the public dashboard",
        "Brief the council before the budget vote",
    ],
}

SHARED = [
    "Ask the county about a joint procurement",
    "Peer city: Pittsburgh ran the same pilot in 2019",
    "Check the state contract for signal hardware",
    "Who signs off on the data-sharing agreement?",
    "Set a baseline before anything changes",
    "Keep the pilot small enough to finish this fiscal year",
    "Invite the neighbourhood councils to the first review",
    "Maintenance needs its own budget line",
    "Share the evaluation method before the results",
    "Plan for the controllers' end of life",
    "Report to the council every quarter",
    "Recommended: pair each new system with a named owner and a review date",
]

HORIZONS = ["d30", "d60", "d90", "later"]
OWNERS = ["Transportation director", "City attorney", "Grants office", "IT", "Chief of staff"]


def _fields(section: str, kind: str, i: int) -> dict[str, Any]:
    if kind == "action":
        return {"owner": OWNERS[i % len(OWNERS)], "horizon": HORIZONS[i % len(HORIZONS)]}
    if kind == "metric":
        return {"baseline": f"{20 + i} min", "target": f"{16 + i} min", "unit": "minutes"}
    if kind == "barrier":
        return {"severity": 1 + i % 3, "likelihood": 1 + (i + 1) % 3}
    if kind == "resource" and section not in ("costs_budget", "funding_sources"):
        return {"resource_kind": "program"}
    if section in ("costs_budget", "funding_sources") and i % 2 == 0:
        return {"amount_usd": 100_000 * (i + 1)}
    return {}


def day3_cards(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Card bodies for every section of the template (its raw `sections`)."""
    ids = itertools.count(1)
    shared = itertools.cycle(SHARED)
    cards = []
    for section in sections:
        sid = section["id"]
        types = (section.get("typical") or ["idea"])[:2] if sid != "action_plan" else ["action"]
        texts = OPENING.get(sid, [])
        for i in range(PER_SECTION):
            kind = types[0] if i < len(texts) else types[i % len(types)]
            text = texts[i] if i < len(texts) else next(shared)
            cards.append(
                {
                    "id": f"d3-{next(ids)}",
                    "section": sid,
                    "type": kind,
                    "text": text,
                    **_fields(sid, kind, i),
                }
            )
    return cards


async def fill_day3(ws_url: str, board: str, token: str) -> int:
    """Add a Day-3 board's cards to `board` (as the facilitator); answers how many."""
    client = await Client.open(ws_url, board, token)
    try:
        state = client.welcome["state"]  # type: ignore[index]
        last: dict[str, str | None] = {
            s["id"]: (s["cards"][-1] if s["cards"] else None) for s in state["sections"]
        }
        cards = day3_cards(load_template().raw["sections"])
        for card in cards:
            event = await client.op(
                {"kind": "card.add", "card": card, "after": last[card["section"]]}
            )
            assert event["type"] == "op", event
            last[card["section"]] = card["id"]
        return len(cards)
    finally:
        await client.close()
