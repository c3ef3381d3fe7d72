"""Human labels for a card's type fields, shared by every renderer."""

from __future__ import annotations

from typing import Any

from board.model import load_template

LEVEL = {1: "low", 2: "medium", 3: "high"}
ENUM_LABELS = {
    "d30": "30 days",
    "d60": "60 days",
    "d90": "90 days",
    "later": "later",
    "in_progress": "in progress",
    "peer_city": "peer city",
    "pre_read": "pre-read",
    "capex": "capital",
    "opex": "operating",
}


def money(amount: float | int) -> str:
    return f"${amount:,.0f}"


def value_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in ("severity", "likelihood") and isinstance(value, int):
        return f"{LEVEL.get(value, value)} ({value}/3)"
    if name == "amount_usd":
        return money(value)
    if isinstance(value, str):
        return ENUM_LABELS.get(value, value)
    return str(value)


def facts(card: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) for every type field the card carries, in template order."""
    template = load_template()
    fields = template.fields_for(card["type"], card["section"])
    extra = {k: v for k, v in template.money_fields.items() if k in card}
    return [
        (spec["label"], value_text(name, card[name]))
        for name, spec in {**fields, **extra}.items()
        if name in card and card[name] not in (None, "")
    ]


def type_label(card_type: str) -> str:
    return load_template().raw["card_types"][card_type]["label"]
