"""Build a workshop from a list of people: the demo, a CSV roster, or the console (same rules).

Pure apart from reading the CSV text it is given: it returns rows for the store to create.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from board.model import load_template
from board.model.permissions import Role
from board.store import BoardRow, ParticipantRow, WorkshopRow

CSV_HEADER = ["name", "role", "city", "organisation", "initiative"]
NAME_MAX = 200


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


def new_join_code() -> str:
    """A code people in the room type (8 characters, about 40 bits): it only lets them
    *ask* to join; the facilitator approves each request."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(8))


def new_token() -> str:
    """An invite token: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


@cache
def demo_cities() -> dict[str, dict[str, str]]:
    """The seed's 26 participant cities with their illustrative demo initiatives (CANVAS.md)."""
    text = resources.files("board.seed").joinpath("cities.json").read_text("utf-8")
    return {c["city"]: c for c in json.loads(text)["cities"]}


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str
    city: str = ""
    organisation: str = ""
    initiative: str = ""
    theme: str = ""


@dataclass(slots=True)
class Roster:
    workshop: WorkshopRow
    participants: list[ParticipantRow] = field(default_factory=list)
    boards: list[BoardRow] = field(default_factory=list)


class RosterError(ValueError):
    """A roster that cannot become a workshop; `problems` lists every bad line and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def check_person(person: Person) -> str | None:
    """Why this person cannot be added, or None."""
    if not person.name.strip():
        return "the name is empty"
    if len(person.name) > NAME_MAX:
        return f"the name is longer than {NAME_MAX} characters"
    if person.role not in {r.value for r in Role}:
        return f"the role {person.role!r} is not one of facilitator, mayor, expert, observer"
    if person.role == Role.MAYOR and not person.city.strip():
        return "a mayor needs a city"
    if person.role == Role.MAYOR and not person.initiative.strip():
        return "a mayor needs an initiative (it titles their board)"
    if len(person.initiative) > 300 or len(person.city) > 200 or len(person.organisation) > 200:
        return "a field is too long"
    return None


def build(
    title: str,
    people: list[Person],
    *,
    venue: str = "",
    timezone: str = "UTC",
    days: list[dict[str, Any]] | None = None,
    briefs: dict[str, dict[str, str]] | None = None,
) -> Roster:
    """A workshop with one participant per person and one board per mayor's initiative."""
    template = load_template()
    workshop = WorkshopRow(
        id=new_id("w"),
        title=title,
        venue=venue,
        timezone=timezone,
        template=template.id,
        template_version=template.version,
        days=days or [],
        join_code=new_join_code(),
    )
    roster = Roster(workshop)
    roster.boards.append(
        BoardRow(
            id=new_id("st"),
            workshop=workshop.id,
            title="Stage",
            city="",
            initiative="",
            theme="",
            mayor=None,
            kind="stage",
        )
    )
    for person in people:
        participant, board = enrol(workshop.id, person, briefs)
        roster.participants.append(participant)
        if board is not None:
            roster.boards.append(board)
    return roster


def enrol(
    workshop_id: str, person: Person, briefs: dict[str, dict[str, str]] | None = None
) -> tuple[ParticipantRow, BoardRow | None]:
    """A participant with a fresh invite, and for a mayor the board of their initiative."""
    participant = ParticipantRow(
        id=new_id("p"),
        workshop=workshop_id,
        name=person.name.strip(),
        role=person.role,
        city=person.city.strip(),
        organisation=person.organisation.strip(),
        token=new_token(),
    )
    if person.role != Role.MAYOR:
        return participant, None
    known = demo_cities().get(participant.city, {})
    board = BoardRow(
        id=new_id("b"),
        workshop=workshop_id,
        title=person.initiative.strip(),
        city=participant.city,
        initiative=person.initiative.strip(),
        theme=person.theme or known.get("theme", ""),
        mayor=participant.id,
        brief=(briefs or {}).get(participant.city, {}),
    )
    return participant, board


def parse_csv(text: str) -> list[Person]:
    """People from a roster CSV; raises RosterError naming every bad line (nothing is created)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header] != CSV_HEADER:
        raise RosterError([f"line 1: the header must be exactly {','.join(CSV_HEADER)}"])
    people: list[Person] = []
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CSV_HEADER):
            problems.append(f"line {line}: expected {len(CSV_HEADER)} fields, found {len(row)}")
            continue
        name, role, city, organisation, initiative = (cell.strip() for cell in row)
        person = Person(name, role.lower(), city, organisation, initiative)
        problem = check_person(person)
        if problem:
            problems.append(f"line {line}: {problem}")
        else:
            people.append(person)
    if not problems and not any(p.role == Role.FACILITATOR for p in people):
        problems.append("the roster needs at least one facilitator")
    if problems:
        raise RosterError(problems)
    return people
