"""The pre-read packet's outline: the workshop, its people, the canvas, one chapter per city.

Built from the boards as the reader may see them (`visible_to`, document form) and rendered
by the same templates as the action plan (render.py).
"""

from __future__ import annotations

from typing import Any

from board.exports.outline import Card, Cards, Document, Items, Paragraph, Part, Table
from board.exports.plan import date_range

GROUND_RULES = [
    "Closed-door: what is said in the room stays in the room.",
    "Vendor-free: no sales, no sponsors; experts advise, mayors decide.",
    "Each mayor leaves with a 30/60/90-day action plan.",
]
BRIEF_LABELS = [
    ("city_profile", "City profile"),
    ("problem", "The initiative: the problem"),
    ("status", "Status and what was tried"),
    ("goals", "Goals"),
    ("constraints", "Known constraints"),
    ("questions", "Questions the mayor wants answered"),
]
ROLE_LABEL = {"facilitator": "Facilitator", "mayor": "Mayor", "expert": "Expert"}


def _agenda(day: dict[str, Any]) -> str:
    items = day.get("agenda", [])
    return "; ".join(a["title"] if isinstance(a, dict) else str(a) for a in items)


def _chapter(board: dict[str, Any], type_labels: dict[str, str], fields: Any) -> Part:
    state = board["state"]
    brief = state.get("brief") or {}
    facts = [c for c in state["cards"].values() if c["type"] == "fact"]
    blocks = [
        Paragraph(board.get("mayor_name") or "\u2014", lead="Mayor:"),
        Paragraph(state.get("initiative") or "\u2014", lead="Initiative:"),
        Paragraph(state.get("theme") or "\u2014", lead="Theme:"),
    ]
    for key, label in BRIEF_LABELS:
        if brief.get(key):
            blocks.append(Paragraph(brief[key], lead=f"{label}:"))
    blocks.append(Paragraph("Pre-filled facts (unverified until checked in the room)", kind="note"))
    blocks.append(
        Cards([Card(type_labels["fact"], c["text"], fields(c)) for c in facts], "No facts yet.")
    )
    return Part(f"{state['city']}: {state['title']}", blocks, new_page=True)


def preread_document(
    workshop: dict[str, Any],
    people: list[dict[str, Any]],
    boards: list[dict[str, Any]],
    template: dict[str, Any],
) -> Document:
    from board.exports.fields import facts as card_facts

    days = workshop.get("days", [])
    type_labels = {k: t["label"] for k, t in template["card_types"].items()}
    parts = [
        Part(
            "Agenda",
            [
                Table(
                    ["Day", "Date", "Agenda"],
                    [[f"Day {d['day']}", d.get("date", ""), _agenda(d)] for d in days],
                    "Dates to be announced.",
                )
            ],
        ),
        Part("Ground rules", [Items(GROUND_RULES)]),
        Part(
            "Participants",
            [
                Table(
                    ["Name", "Role", "City", "Organisation"],
                    [
                        [p["name"], ROLE_LABEL[p["role"]], p.get("city") or "", p.get("org") or ""]
                        for p in ({**p, "org": p.get("organisation")} for p in people)
                        if p["role"] in ROLE_LABEL
                    ],
                    "No participants yet.",
                )
            ],
        ),
        Part(
            "How to use the canvas",
            [
                Table(
                    ["Section", "Guiding question"],
                    [[s["title"], s["prompt"]] for s in template["sections"]],
                )
            ],
            new_page=True,
        ),
        Part(
            "Card types",
            [
                Table(
                    ["Type", "Fields"],
                    [
                        [t["label"], ", ".join(f["label"] for f in t["fields"].values()) or "-"]
                        for t in template["card_types"].values()
                    ],
                )
            ],
            level=3,
        ),
        *(_chapter(board, type_labels, card_facts) for board in boards),
    ]
    dates = date_range([d["date"] for d in days if d.get("date")])
    meta = [("Venue", workshop.get("venue") or "\u2014"), ("Dates", dates or "to be announced")]
    return Document(
        "Pre-read packet",
        workshop["title"],
        meta,
        parts,
        footer=f"Brickboard \u00b7 {workshop['title']} \u00b7 closed-door, vendor-free",
    )
