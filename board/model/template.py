"""The canvas template: sections, card types and their fields, loaded from a versioned data file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_real_date(value: str) -> bool:
    """A day that exists, written YYYY-MM-DD in ASCII digits: not 2027-02-30, not a
    trailing newline, not other scripts' digits (all of which the .ics would carry as is)."""
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_URL = re.compile(r"^(https?://|mailto:)[^\s<>\"]{1,2000}$", re.IGNORECASE)

DEFAULT_TEMPLATE = "innovation-canvas"


@dataclass(frozen=True, slots=True)
class Template:
    """A canvas template as data. `raw` is what the browser receives, unchanged."""

    id: str
    version: int
    text_max: int
    section_ids: tuple[str, ...]
    money_sections: frozenset[str]
    card_fields: dict[str, dict[str, dict[str, Any]]]
    money_fields: dict[str, dict[str, Any]]
    brief_fields: dict[str, dict[str, Any]]
    raw: dict[str, Any]

    def section(self, section_id: str) -> dict[str, Any]:
        for section in self.raw["sections"]:
            if section["id"] == section_id:
                return section
        raise KeyError(section_id)

    def fields_for(self, card_type: str, section: str) -> dict[str, dict[str, Any]]:
        """The type fields a card of this type may carry in this section."""
        fields = self.card_fields[card_type]
        if section in self.money_sections:
            return {**fields, **self.money_fields}
        return fields


def check_field(name: str, spec: dict[str, Any], value: Any, *, live: bool = False) -> str | None:
    """Return why `value` does not fit the field `spec`, or None when it does.

    None always fits: it clears an optional field. `live`: a person's op now, held to the
    rules of today; a replay of a stored op (not live) is held to the looser rules it was
    accepted under, so an old log always replays (a date was once only shaped YYYY-MM-DD).
    """
    if value is None:
        return None
    kind = spec["kind"]
    if kind == "text":
        if not isinstance(value, str):
            return f"'{name}' must be text."
        if len(value) > spec.get("max", 500):
            return f"'{name}' is longer than {spec.get('max', 500)} characters."
    elif kind == "url":
        if not isinstance(value, str) or not _URL.match(value):
            return f"'{name}' must be a web address starting with http://, https:// or mailto:."
    elif kind == "enum":
        if value not in spec["values"]:
            return f"'{name}' must be one of {', '.join(spec['values'])}."
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"'{name}' must be a whole number."
        if not spec["min"] <= value <= spec["max"]:
            return f"'{name}' must be between {spec['min']} and {spec['max']}."
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"'{name}' must be a number."
        if value != value or value < spec.get("min", float("-inf")) or value > 1e15:
            return f"'{name}' is out of range."
    elif kind == "date":
        if not isinstance(value, str) or not _DATE.match(value):
            return f"'{name}' must be a date written YYYY-MM-DD."
        if live and not is_real_date(value):
            return f"'{name}' must be a real day of the calendar, written YYYY-MM-DD."
    elif kind == "bool":
        if not isinstance(value, bool):
            return f"'{name}' must be true or false."
    else:  # pragma: no cover - a template error, caught by the template tests
        return f"'{name}' has an unknown kind {kind!r} in the template."
    return None


def _from_raw(raw: dict[str, Any]) -> Template:
    return Template(
        id=raw["id"],
        version=raw["version"],
        text_max=raw["text_max"],
        section_ids=tuple(s["id"] for s in raw["sections"]),
        money_sections=frozenset(s["id"] for s in raw["sections"] if s.get("money")),
        card_fields={name: t["fields"] for name, t in raw["card_types"].items()},
        money_fields=raw["money_fields"],
        brief_fields=raw["brief_fields"],
        raw=raw,
    )


@cache
def load_template(name: str = DEFAULT_TEMPLATE) -> Template:
    """Load a template shipped in board/template/ by its id."""
    text = resources.files("board.template").joinpath(f"{name}.json").read_text("utf-8")
    return _from_raw(json.loads(text))
