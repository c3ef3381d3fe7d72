"""Request bodies of the set-up API (the facilitator's console), validated with clear messages."""

from __future__ import annotations

import zoneinfo
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Name = Annotated[str, Field(min_length=1, max_length=200)]
Short = Annotated[str, Field(max_length=200)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AgendaItem(_Body):
    title: Name
    board: str | None = None
    section: str | None = None
    minutes: Annotated[int, Field(ge=1, le=600)] | None = None


class Day(_Body):
    day: Annotated[int, Field(ge=1, le=3)]
    date: date
    agenda: list[AgendaItem] = Field(default_factory=list, max_length=50)


def _known_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a time zone name like America/New_York") from None
    return value


def _distinct_days(days: list[Day]) -> list[Day]:
    numbers = [d.day for d in days]
    if len(set(numbers)) != len(numbers):
        raise ValueError("each session day appears once")
    return sorted(days, key=lambda d: d.day)


TimeZone = Annotated[str, Field(max_length=64), AfterValidator(_known_zone)]
Days = Annotated[list[Day], Field(max_length=3), AfterValidator(_distinct_days)]


class WorkshopBody(_Body):
    title: Name
    venue: Short = ""
    timezone: TimeZone = "UTC"
    days: Days = Field(default_factory=list)


class WorkshopPatch(_Body):
    title: Name | None = None
    venue: Short | None = None
    timezone: TimeZone | None = None
    days: Days | None = None


class PersonBody(_Body):
    name: Name
    role: Literal["facilitator", "mayor", "expert", "observer"]
    city: Short = ""
    organisation: Short = ""
    initiative: Annotated[str, Field(max_length=300)] = ""


class PersonPatch(_Body):
    name: Name | None = None
    city: Short | None = None
    organisation: Short | None = None
