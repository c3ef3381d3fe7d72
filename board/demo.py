"""The demo workshop `python run.py` creates on an empty database (CANVAS.md, demo data)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from board.codec import canonical
from board.model import Context, Refusal, apply, load_template, new_board
from board.roster import Person, build, demo_cities
from board.store import OpRecord, Store
from board.timeutil import now_iso


def _demo_data() -> dict[str, Any]:
    return json.loads(resources.files("board.seed").joinpath("demo.json").read_text("utf-8"))


async def ensure_demo(store: Store) -> str:
    """Create the demo workshop unless a workshop exists; return the first workshop's id."""
    existing = await store.workshops()
    if existing:
        return existing[0].id
    data = _demo_data()
    cities = demo_cities()
    people = [Person(role="facilitator", **data["facilitator"])]
    people.append(Person(role="observer", **data["observer"]))
    for city in data["mayors"]:
        info = cities[city]
        people.append(
            Person(
                name=f"Mayor of {city.split(',')[0]} (demo)",
                role="mayor",
                city=city,
                organisation=f"City of {city.split(',')[0]} (demo)",
                initiative=info["initiative"],
                theme=info["theme"],
            )
        )
    people += [Person(role="expert", **e) for e in data["experts"]]
    w = data["workshop"]
    roster = build(
        w["title"],
        people,
        venue=w["venue"],
        timezone=w["timezone"],
        days=w["days"],
        briefs=data["briefs"],
    )
    await store.create_workshop(roster.workshop, roster.participants, roster.boards)
    facilitator = roster.participants[0].id
    template = load_template()
    for board in [b for b in roster.boards if b.kind == "board"]:
        state = new_board(template, id=board.id, workshop=board.workshop)
        records = []
        for n, text in enumerate(data["facts"].get(board.city, []), start=1):
            op = {
                "kind": "card.add",
                "card": {
                    "id": f"fact-{n}",
                    "section": "city_context",
                    "type": "fact",
                    "text": text,
                    "source": "pre_read",
                    "verified": False,
                },
                "after": f"fact-{n - 1}" if n > 1 else None,
            }
            at = now_iso()
            result = apply(state, op, Context(at=at, by=facilitator))
            assert not isinstance(result, Refusal), result
            records.append(
                OpRecord(board.id, state.seq, f"seed-{n}", "seed", facilitator, at, canonical(op))
            )
        await store.commit(records)
    return roster.workshop.id


async def roster_json(store: Store, workshop_id: str, base_url: str) -> dict[str, Any]:
    """The shape `demo --json` and `workshop create --json` print (PROTOCOL.md)."""
    workshop = await store.workshop(workshop_id)
    if workshop is None:
        raise LookupError(f"no workshop {workshop_id!r}")
    boards = await store.boards(workshop_id)
    order = {"facilitator": 0, "mayor": 1, "expert": 2, "observer": 3}
    people = sorted(await store.participants(workshop_id), key=lambda p: (order[p.role], p.name))
    return {
        "workshop": {"id": workshop.id, "title": workshop.title},
        "boards": [
            {"id": b.id, "city": b.city, "initiative": b.initiative, "mayor": b.mayor}
            for b in boards
        ],
        "participants": [
            {
                "id": p.id,
                "name": p.name,
                "role": p.role,
                "city": p.city,
                "token": p.token,
                "join_url": f"{base_url}/join/{p.token}",
            }
            for p in people
            if not p.revoked
        ],
    }
