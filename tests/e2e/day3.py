"""A Day-3 board: about fifteen cards in every section, of the types each section expects,
with their fields, as the room leaves it on the last day. Used by the layout and
accessibility tests and by docs/screenshots.py (the README's pictures)."""

from __future__ import annotations

import itertools
from typing import Any

from board.model import load_template
from tests.wsclient import Client

PER_SECTION = 15

# The first cards of each section, in the words of the room, with their fields; the rest of
# each section comes from FILLERS, as the section's everyday type.
OPENING: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "city_context": [
        (
            "fact",
            "Population 980,000; the corridor carries 60,000 cars a day",
            {"source": "expert"},
        ),
        ("fact", "Two earlier signal projects stalled at procurement", {"source": "mayor"}),
        ("fact", "Transportation budget: $42M a year, 8% for operations", {"source": "pre_read"}),
        ("question", "What did the last corridor study cost, and who has it?", {}),
    ],
    "problem_vision": [
        ("idea", "Cut evening peak travel time on the corridor by 15% in three years", {}),
        ("decision", "Start with one corridor, not citywide", {"decided_by": "Mayor"}),
        ("idea", "Buses stuck in the same queues as cars", {}),
        ("question", "What does a resident notice first if this works?", {}),
    ],
    "residents_equity": [
        ("idea", "Bus riders are mostly shift workers: measure their trip times first", {}),
        ("barrier", "Side-street residents fear cut-through traffic", {"severity": 2}),
        ("question", "Who speaks for neighbourhoods without an association?", {}),
        ("idea", "Publish results in Spanish and Vietnamese too", {}),
    ],
    "partners_ppp": [
        ("resource", "State DOT signal modernization program", {"resource_kind": "program"}),
        ("idea", "University transportation lab evaluates before/after data", {}),
        ("barrier", "Vendor wants a 10-year exclusive data licence", {"severity": 3}),
        ("resource", "County shares the fibre backbone", {"resource_kind": "contact"}),
    ],
    "staffing_operations": [
        (
            "action",
            "Name one accountable signal program owner",
            {"owner": "Transportation director", "horizon": "d30"},
        ),
        ("barrier", "Only two signal engineers on staff", {"severity": 3, "likelihood": 3}),
        ("idea", "Train two technicians on the new controllers", {}),
        ("resource", "The state's traffic operations academy", {"resource_kind": "program"}),
    ],
    "technology_solution": [
        ("idea", "Adaptive controllers at 24 intersections, detection by video", {}),
        ("question", "Radar or video detection in heavy rain?", {}),
        ("decision", "Open standards (NTCIP) only", {"decided_by": "City CIO"}),
        ("idea", "Pilot on six intersections first", {}),
    ],
    "data_governance": [
        ("decision", "The city owns all signal and detection data", {"decided_by": "Council"}),
        ("barrier", "Video detection raises privacy questions", {"severity": 2, "likelihood": 2}),
        ("idea", "No faces or plates leave the cabinet", {}),
        ("resource", "Open data portal gets hourly travel times", {"resource_kind": "link"}),
    ],
    "support_coalition": [
        (
            "action",
            "Brief the council mobility committee",
            {"owner": "Chief of staff", "horizon": "d30"},
        ),
        ("idea", "Publish a simple public dashboard from week one", {}),
        ("barrier", "Business association wants fewer lane closures", {"severity": 1}),
        ("idea", "Transit union asks for signal priority", {}),
    ],
    "barriers_risks": [
        (
            "barrier",
            "Procurement takes nine months",
            {"severity": 3, "likelihood": 3, "mitigation": "Piggyback on the state contract"},
        ),
        ("barrier", "Legacy controllers not compatible", {"severity": 2, "likelihood": 3}),
        ("barrier", "Council turnover after the election", {"severity": 2, "likelihood": 1}),
        ("idea", "Pilot on six intersections to show results before the budget vote", {}),
    ],
    "costs_budget": [
        (
            "idea",
            "Controllers and detection for 24 intersections",
            {"amount_usd": 1_800_000, "cost_kind": "capex"},
        ),
        (
            "idea",
            "Software licences and maintenance",
            {"amount_usd": 120_000, "cost_kind": "opex"},
        ),
        ("idea", "Two new technician positions", {"amount_usd": 190_000, "cost_kind": "opex"}),
        ("question", "What does year five cost?", {}),
    ],
    "funding_sources": [
        (
            "resource",
            "Federal SMART grant",
            {"amount_usd": 2_000_000, "funding_status": "applied"},
        ),
        (
            "action",
            "Apply to the state safety fund",
            {"owner": "Grants office", "horizon": "d60", "funding_status": "idea"},
        ),
        (
            "idea",
            "Transportation bond line item",
            {"amount_usd": 500_000, "funding_status": "committed"},
        ),
        ("idea", "Philanthropy match from the community foundation", {"funding_status": "idea"}),
    ],
    "success_metrics": [
        (
            "metric",
            "Peak travel time on the corridor",
            {"baseline": "24 min", "target": "20 min", "unit": "minutes"},
        ),
        ("metric", "Bus on-time performance", {"baseline": "68%", "target": "80%"}),
        ("metric", "Crashes at the pilot intersections", {"baseline": "41 a year"}),
        ("metric", "Resident satisfaction in the annual survey", {"target": "60% satisfied"}),
    ],
    "action_plan": [
        (
            "action",
            "Pick the six pilot intersections",
            {"owner": "Signal engineer", "horizon": "d30"},
        ),
        ("action", "Draft the data ownership clause", {"owner": "City attorney", "horizon": "d30"}),
        ("action", "Apply for the SMART grant", {"owner": "Grants office", "horizon": "d60"}),
        ("action", "Launch the public dashboard", {"owner": "IT", "horizon": "d90"}),
        (
            "action",
            "Brief the council before the budget vote",
            {"owner": "Mayor", "horizon": "d60"},
        ),
    ],
}

# The rest of a Day-3 section: notes the room added along the way.
FILLERS = [
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

# The type a filler takes in each section (plain notes: no decisions, no amounts).
FILLER_TYPE = {"city_context": "fact", "success_metrics": "metric", "action_plan": "action"}
HORIZONS = ["d30", "d60", "d90", "later"]
OWNERS = ["Transportation director", "City attorney", "Grants office", "IT", "Chief of staff"]


def day3_cards(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Card bodies for every section of the template (its raw `sections`)."""
    ids = itertools.count(1)
    fillers = itertools.cycle(FILLERS)
    cards = []
    for section in sections:
        sid = section["id"]
        opening = OPENING.get(sid, [])
        for i in range(PER_SECTION):
            if i < len(opening):
                kind, text, fields = opening[i]
            else:
                kind, text = FILLER_TYPE.get(sid, "idea"), next(fillers)
                fields = (
                    {"owner": OWNERS[i % len(OWNERS)], "horizon": HORIZONS[i % len(HORIZONS)]}
                    if kind == "action"
                    else {}
                )
            cards.append(
                {"id": f"d3-{next(ids)}", "section": sid, "type": kind, "text": text, **fields}
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
