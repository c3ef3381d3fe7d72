"""How people are named to each other: two people with the same name are told apart.

A workshop can hold two "Maria Lopez" (a mayor and an expert, or two experts from different
organisations). Wherever a name stands for a person (presence, comments, history, exports,
the join page), it carries what tells it apart: the city, else the organisation, else the
role, as the first of those that differs within the namesakes. Pure, so the browser's mirror
(static/js/people.js) and the exports follow one rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

QUALIFIERS = ("city", "organisation", "role")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def display_names(people: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Each person's id -> the name to show: the name alone when nobody shares it, else
    "Name (qualifier)", with a number as the last resort for people alike in every way."""
    everyone = list(people)
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for person in everyone:
        groups.setdefault(_key(str(person.get("name") or "")), []).append(person)
    labels: dict[str, str] = {}
    for group in groups.values():
        if len(group) == 1:
            labels[group[0]["id"]] = str(group[0].get("name") or "")
            continue
        for person in group:
            labels[person["id"]] = _qualified(person, group)
        counts: dict[str, int] = {}
        for person in group:
            counts[labels[person["id"]]] = counts.get(labels[person["id"]], 0) + 1
        seen: dict[str, int] = {}
        for person in group:  # alike in name, city, organisation and role: number them
            label = labels[person["id"]]
            if counts[label] > 1:
                seen[label] = seen.get(label, 0) + 1
                labels[person["id"]] = f"{label} #{seen[label]}"
    return labels


def _qualified(person: Mapping[str, Any], group: list[Mapping[str, Any]]) -> str:
    name = str(person.get("name") or "")
    values = [str(person.get(q) or "").strip() for q in QUALIFIERS]
    for index, value in enumerate(values):
        if (
            value
            and sum(1 for p in group if str(p.get(QUALIFIERS[index]) or "").strip() == value) == 1
        ):
            return f"{name} ({value})"
    shown = ", ".join(v for v in values if v)
    return f"{name} ({shown})" if shown else name
