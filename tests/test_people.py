"""Namesakes are told apart: the pure rule, and the names the server hands to every page."""

from __future__ import annotations

from typing import Any

from board.model.people import display_names
from tests.conftest import token_of
from tests.http_client import call


def p(pid: str, name: str, role: str = "expert", city: str = "", org: str = "") -> dict[str, Any]:
    return {"id": pid, "name": name, "role": role, "city": city, "organisation": org}


def test_a_unique_name_stands_alone_and_namesakes_carry_what_tells_them_apart() -> None:
    people = [
        p("a", "Maria Lopez", "mayor", city="Austin, TX"),
        p("b", "maria  lopez", "expert", org="Civic lab"),  # same name, other case and spaces
        p("c", "Sam Lee", "expert", org="Civic lab"),
        p("d", "Dana Cruz", "expert", city="Mesa, AZ", org="Water lab"),
        p("e", "Dana Cruz", "expert", city="Mesa, AZ", org="Grid lab"),
        p("f", "Kim Park", "expert"),
        p("g", "Kim Park", "observer"),
        p("h", "Ana Ruiz", "expert", org="Lab"),
        p("i", "Ana Ruiz", "expert", org="Lab"),
    ]
    assert display_names(people) == {
        "a": "Maria Lopez (Austin, TX)",
        "b": "maria  lopez (Civic lab)",  # no city: the organisation tells them apart
        "c": "Sam Lee",
        "d": "Dana Cruz (Water lab)",  # the same city: the organisation
        "e": "Dana Cruz (Grid lab)",
        "f": "Kim Park (expert)",  # nothing but the role differs
        "g": "Kim Park (observer)",
        "h": "Ana Ruiz (Lab, expert) #1",  # alike in every way: numbered
        "i": "Ana Ruiz (Lab, expert) #2",
    }


def test_every_participant_gets_the_workshops_names_and_no_tokens(server, demo) -> None:
    facilitator = token_of(demo, "facilitator")
    expert = next(x for x in demo["participants"] if x["role"] == "expert")
    status, body = call(
        "POST",
        f"{server.url}/api/workshops/{demo['workshop']['id']}/participants",
        {"name": expert["name"], "role": "expert", "organisation": "Another lab (test)"},
        token=facilitator,
    )
    assert status in (200, 201), body
    twin = body["participant"]["id"]
    status, body = call("GET", f"{server.url}/api/people", token=token_of(demo, "mayor"))
    assert status == 200
    labels = {x["id"]: x["label"] for x in body["people"]}
    assert labels[twin] == f"{expert['name']} (Another lab (test))"
    assert (
        labels[expert["id"]].startswith(f"{expert['name']} (")
        and labels[expert["id"]] != labels[twin]
    )
    assert all(x["token"] not in str(body) for x in demo["participants"])
    status, body = call("GET", f"{server.url}/api/people")
    assert status == 401 and body["error"]["code"] == "unauthorized"
