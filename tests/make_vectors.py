"""Conformance vectors for the reducer: (state, op, actor) -> new state or refusal.

`python -m tests.make_vectors` writes tests/vectors/*.json from the Python reducer; pytest
checks the Python reducer still produces them (test_vectors.py), and Chromium checks the
browser's JavaScript reducer against the very same file (tests/e2e/test_vectors_browser.py),
so the two cannot drift apart silently.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

from board.model import Actor, Context, Refusal, apply, load_template, new_board
from board.model.kinds import enrich
from board.model.permissions import Role
from board.model.state import from_wire, new_stage
from board.model.visibility import visible_to

HERE = Path(__file__).resolve().parent / "vectors"
ROLES = {
    "fac": Role.FACILITATOR,
    "mayor": Role.MAYOR,
    "other_mayor": Role.MAYOR,
    "e1": Role.EXPERT,
    "e2": Role.EXPERT,
    "obs": Role.OBSERVER,
}
SECTIONS = list(load_template().section_ids)
TEXTS = [
    "Pilot",
    "Fund it",
    "Who owns it?",
    " x ",
    "é🙂",
    "<b>bold</b>",
    "Hire a PM",
    "a" * 500,
    "",
    "   ",
]
VALID = 0.75  # most generated ops are well formed, so the states grow and move


def actor(who: str) -> dict[str, Any]:
    return {"id": who, "role": ROLES[who].value, "workshop": "w"}


def _ctx(who: str | None, n: int) -> dict[str, Any]:
    return {
        "at": f"2027-03-09T14:00:{n % 60:02d}.000Z",
        "by": who or "fac",
        "actor": None if who is None else actor(who),
    }


def run(state_wire: dict[str, Any], op: Any, ctx: dict[str, Any]) -> dict[str, Any]:
    state = from_wire(load_template(), copy.deepcopy(state_wire))
    a = ctx["actor"]
    context = Context(
        at=ctx["at"],
        by=ctx["by"],
        actor=None if a is None else Actor(a["id"], Role(a["role"]), a["workshop"]),
    )
    result = apply(state, op, context)
    if isinstance(result, Refusal):
        return {"refusal": {"code": result.code, "message": result.message}}
    return {"state": result.to_wire()}


def random_op(rng: random.Random, state: dict[str, Any], trash: dict[str, Any]) -> Any:
    """A random op on `state`; `trash`: cards deleted earlier in the run, as the room adds them
    to a card.restore (a wire state has no trash of its own)."""
    cards = [*list(state["cards"]), "nope", "x" * 65]
    comments = [*list(state["comments"]), "k-nope"]
    rounds = [*list(state["rounds"]), "r-nope"]
    card = rng.choice(cards)
    kind = rng.choice(
        [
            "card.add",
            "card.add",
            "card.add",
            "card.add",
            "card.add",
            "card.update",
            "card.move",
            "card.delete",
            "card.restore",
            "board.update",
            "comment.add",
            "comment.update",
            "comment.resolve",
            "comment.delete",
            "vote.open",
            "vote.place",
            "vote.remove",
            "vote.close",
            "vote.reveal",
            "section.lock",
            "private.start",
            "private.reveal",
            "text.splice",
            "timer.start",
            "bogus",
        ]
    )
    text = rng.choice(TEXTS[:7]) if rng.random() < VALID else rng.choice(TEXTS)
    if kind == "card.add":
        ctype = rng.choice(["idea", "barrier", "action", "fact", "resource", "metric", "poem"])
        if rng.random() < VALID:
            section = rng.choice(SECTIONS)
            body = {"id": f"n{rng.randrange(40)}", "section": section, "type": "idea", "text": text}
            return {"kind": kind, "card": body, "after": rng.choice([None, *cards[:3]])}
        body: dict[str, Any] = {
            "id": rng.choice([*cards[:3], f"n{rng.randrange(99)}"]),
            "section": rng.choice([*SECTIONS, "attic"]),
            "type": ctype,
            "text": text,
        }
        extra = rng.choice(
            [
                {},
                {"severity": rng.choice([1, 3, 4, True])},
                {"horizon": rng.choice(["d30", "d45"])},
                {"verified": "yes"},
                {"url": rng.choice(["https://a.org", "javascript:x"])},
                {"amount_usd": rng.choice([5, -1])},
                {"due": "2027-13-40"},
            ]
        )
        return {"kind": kind, "card": {**body, **extra}, "after": rng.choice([None, *cards[:3]])}
    if kind == "card.restore":
        if trash and rng.random() < VALID:
            card_id = rng.choice(sorted(trash))
            return {"kind": kind, "card": card_id, "server": trash[card_id]}
        return {"kind": kind, "card": card}
    expect = _expect(rng, state, card)
    if kind == "card.update":
        return {
            **expect,
            "kind": kind,
            "card": card,
            "set": rng.choice(
                [
                    {"text": text},
                    {"type": rng.choice(["barrier", "idea"]), "severity": 2},
                    {"section": "action_plan"},
                    {},
                    {"author": "me"},
                    {"likelihood": None},
                ]
            ),
        }
    if kind == "card.move":
        return {
            **expect,
            "kind": kind,
            "card": card,
            "section": rng.choice([*SECTIONS, "attic"]),
            "after": rng.choice([None, *cards[:3], card]),
        }
    if kind == "card.delete":
        return {**expect, "kind": kind, "card": card}
    if kind == "board.update":
        return {
            "kind": kind,
            "set": rng.choice(
                [
                    {"title": text},
                    {"brief": {"goals": text}},
                    {"brief": {"goals": None}},
                    {"city": "X"},
                    {},
                    {"initiative": "i" * 301},
                ]
            ),
        }
    if kind == "comment.add":
        return {
            "kind": kind,
            "comment": {"id": rng.choice([*comments[:2], "k-new"]), "card": card, "text": text},
        }
    if kind in ("comment.update", "comment.resolve", "comment.delete"):
        return (
            {
                "kind": kind,
                "comment": rng.choice(comments),
                "text": text,
                "resolved": rng.choice([True, False]),
            }
            if kind != "comment.delete"
            else {"kind": kind, "comment": rng.choice(comments)}
        )
    if kind == "vote.open":
        return {
            "kind": kind,
            "round": {
                "id": rng.choice([*rounds[:1], "r-new"]),
                "dots": rng.choice([1, 3, 0, 21]),
                "sections": rng.choice([None, ["problem_vision"], ["attic"]]),
                "blind": rng.choice([True, False]),
            },
        }
    if kind in ("vote.place", "vote.remove"):
        return {"kind": kind, "round": rng.choice(rounds), "card": card}
    if kind in ("vote.close", "vote.reveal"):
        return {"kind": kind, "round": rng.choice(rounds)}
    if kind == "section.lock":
        section = rng.choice([*SECTIONS[:3], "attic"])
        signed = state["locks"].get(section)
        op = {"kind": kind, "section": section, "locked": rng.choice([True, False, "yes"])}
        if rng.random() < 0.3:
            op["expect"] = {"by": rng.choice([signed and signed["by"], "fac", None])}
        return op
    if kind == "text.splice":
        length = len(state["cards"].get(card, {}).get("text", ""))
        at = rng.randrange(length + 2)
        return {
            "kind": kind,
            "card": card,
            "base": state["seq"],
            "at": at,
            "delete": rng.randrange(3),
            "insert": rng.choice(["", "ab", "é"]),
        }
    if kind == "timer.start":
        return {"kind": kind, "seconds": 60}
    return {"kind": kind} if rng.random() < 0.5 else rng.choice([None, [], "card.add"])


def _expect(rng: random.Random, state: dict[str, Any], card_id: str) -> dict[str, Any]:
    """Sometimes an undo's precondition: what the card holds now, or something else."""
    card = state["cards"].get(card_id)
    if card is None or rng.random() < 0.7:
        return {}
    ids = next(s["cards"] for s in state["sections"] if s["id"] == card["section"])
    index = ids.index(card_id)
    here = {
        "text": card["text"],
        "section": card["section"],
        "after": ids[index - 1] if index else None,
    }
    return {
        "expect": rng.choice([here, {"text": "Elsewhere"}, {"after": "zz"}, {"severity": None}])
    }


def board_vectors(count: int = 240, seed: int = 20270309) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    state = new_board(
        load_template(),
        id="b",
        workshop="w",
        title="Flood sensors",
        city="Beaumont, TX",
        mayor="mayor",
    ).to_wire()
    vectors = []
    trash: dict[str, Any] = {}
    n = 0
    while len(vectors) < count:
        n += 1
        who = rng.choice([*ROLES, None])
        op = random_op(rng, state, trash)
        if isinstance(op, dict) and op.get("kind") == "card.restore" and "server" in op:
            who = rng.choice([op["server"]["by"], op["server"]["by"], None, "e2"])
        ctx = _ctx(who, n)
        expect = run(state, op, ctx)
        vectors.append(
            {"name": f"board-{n}", "state": state, "op": op, "ctx": ctx, "expect": expect}
        )
        if "state" in expect:
            if op["kind"] == "card.delete":
                trash[op["card"]] = _deleted(state, op["card"], ctx["by"])
            if op["kind"] == "card.restore":
                trash.pop(op["card"], None)
            state = expect["state"]
    return vectors


def _deleted(state: dict[str, Any], card_id: str, by: str) -> dict[str, Any]:
    """A card about to be deleted as the trash keeps it (board.model.trash.keep)."""
    card = state["cards"][card_id]
    ids = next(s["cards"] for s in state["sections"] if s["id"] == card["section"])
    index = ids.index(card_id)
    return {
        "card": dict(card),
        "after": ids[index - 1] if index else None,
        "comments": {k: c for k, c in state["comments"].items() if c["card"] == card_id},
        "by": by,
    }


def replica_vectors() -> list[dict[str, Any]]:
    """Events the room enriched, applied by replicas that see blind dots without their cards:
    deleting a card takes each voter's hidden dot on it off every replica (server.votes_dropped).
    """
    server = new_board(load_template(), id="b", workshop="w", title="Dots", mayor="mayor")
    steps = [
        (
            "e1",
            {
                "kind": "card.add",
                "card": {"id": "a", "section": SECTIONS[0], "type": "idea", "text": "t"},
            },
        ),
        (
            "e1",
            {
                "kind": "card.add",
                "card": {"id": "z", "section": SECTIONS[0], "type": "idea", "text": "t"},
            },
        ),
        ("fac", {"kind": "vote.open", "round": {"id": "r", "dots": 2, "blind": True}}),
        ("e2", {"kind": "vote.place", "round": "r", "card": "a"}),
        ("e2", {"kind": "vote.place", "round": "r", "card": "z"}),
        ("mayor", {"kind": "vote.place", "round": "r", "card": "a"}),
    ]
    for n, (who, op) in enumerate(steps):
        ctx = _ctx(who, n)
        context = Context(ctx["at"], who, Actor(who, ROLES[who], "w"))
        result = apply(server, enrich(server, op, context), context)
        assert not isinstance(result, Refusal), result
    context = Context("2027-03-09T15:00:00.000Z", "fac", Actor("fac", Role.FACILITATOR, "w"))
    delete = enrich(server, {"kind": "card.delete", "card": "a"}, context)
    assert delete["server"]["votes_dropped"], "the vector must carry the dropped dots"
    vectors = []
    for viewer in ("e1", "e2", "mayor"):
        state = visible_to(server.to_wire(), viewer)
        ctx = {"at": context.at, "by": "fac", "actor": None}
        vectors.append(
            {
                "name": f"replica-delete-seen-by-{viewer}",
                "state": state,
                "op": delete,
                "ctx": ctx,
                "expect": run(state, delete, ctx),
            }
        )
    return vectors


def undo_vectors() -> list[dict[str, Any]]:
    """What undo sends, step by step (docs/undo.md): preconditions met and not, a deleted card
    brought back by its deleter (with its comments and place) and refused to anyone else."""
    state = new_board(load_template(), id="b", workshop="w", title="Undo", mayor="mayor").to_wire()
    s0, s1 = SECTIONS[0], SECTIONS[1]
    card = {"kind": "card.add", "card": {"id": "u1", "section": s0, "type": "idea", "text": "t"}}
    steps: list[tuple[str | None, Any]] = [
        ("e1", card),
        ("e1", {**card, "card": {**card["card"], "id": "u2"}, "after": "u1"}),
        ("e2", {"kind": "comment.add", "comment": {"id": "k1", "card": "u1", "text": "Why?"}}),
        (
            "e1",
            {"kind": "card.update", "card": "u1", "set": {"text": "t2"}, "expect": {"text": "t"}},
        ),
        (
            "e1",
            {"kind": "card.update", "card": "u1", "set": {"text": "t3"}, "expect": {"text": "t"}},
        ),
        ("e1", {"kind": "card.move", "card": "u2", "section": s1, "expect": {"after": "u1"}}),
        ("e1", {"kind": "card.move", "card": "u2", "section": s0, "expect": {"section": s0}}),
        ("e1", {"kind": "card.delete", "card": "u1", "expect": {"text": "t"}}),
        ("e1", {"kind": "card.delete", "card": "u1", "expect": {"text": "t2", "type": "idea"}}),
        ("e2", {"kind": "card.restore", "card": "u1"}),
        ("e1", {"kind": "card.restore", "card": "u1"}),
        ("e1", {"kind": "card.restore", "card": "u1"}),
        ("fac", {"kind": "section.lock", "section": s0, "locked": True, "expect": {"by": None}}),
        ("fac", {"kind": "section.lock", "section": s0, "locked": False, "expect": {"by": "e1"}}),
        ("fac", {"kind": "section.lock", "section": s0, "locked": False, "expect": {"by": "fac"}}),
        ("fac", {"kind": "private.start"}),
        (
            "e2",
            {"kind": "card.add", "card": {"id": "p1", "section": s1, "type": "idea", "text": "p"}},
        ),
        ("e2", {"kind": "card.delete", "card": "p1"}),
        ("e2", {"kind": "card.restore", "card": "p1"}),
    ]
    trash: dict[str, Any] = {}
    vectors = []
    for n, (who, op) in enumerate(steps):
        if op["kind"] == "card.restore" and op["card"] in trash:
            op = {**op, "server": trash[op["card"]]}
        ctx = _ctx(who, n)
        expect = run(state, op, ctx)
        vectors.append(
            {"name": f"undo-{n}", "state": state, "op": op, "ctx": ctx, "expect": expect}
        )
        if "state" in expect:
            if op["kind"] == "card.delete":
                trash[op["card"]] = _deleted(state, op["card"], ctx["by"])
            state = expect["state"]
    return vectors


def stage_vectors(count: int = 100, seed: int = 311) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    state = new_stage(load_template(), id="st", workshop="w").to_wire()
    vectors = []
    for n in range(1, count + 1):
        who = rng.choice(["fac", "fac", "e1", None])
        op = rng.choice(
            [
                {
                    "kind": "stage.spotlight",
                    "mode": rng.choice(["overview", "board", "section", "cross", "zoom"]),
                    "board": rng.choice(["b1", None]),
                    "section": rng.choice([*SECTIONS[:2], "attic"]),
                },
                {"kind": "timer.start", "seconds": rng.choice([60, 0, None]), "label": "Costs"},
                {"kind": "timer.pause"},
                {"kind": "timer.reset"},
                {"kind": "timer.extend", "seconds": rng.choice([60, -30, 100000])},
                {
                    "kind": "agenda.start",
                    "day": rng.choice([1, 4]),
                    "index": 0,
                    "title": "Case",
                    "board": rng.choice(["b2", None]),
                    "section": rng.choice([SECTIONS[0], None, "attic"]),
                    "minutes": rng.choice([20, None]),
                },
                {
                    "kind": "card.add",
                    "card": {"id": "c", "section": "problem_vision", "type": "idea", "text": "t"},
                },
            ]
        )
        ctx = {
            "at": f"2027-03-09T14:{n % 60:02d}:00.000Z",
            "by": who or "fac",
            "actor": None if who is None else actor(who),
        }
        expect = run(state, op, ctx)
        vectors.append(
            {"name": f"stage-{n}", "state": state, "op": op, "ctx": ctx, "expect": expect}
        )
        if "state" in expect:
            state = expect["state"]
    return vectors


def pack(vectors: list[dict[str, Any]]) -> dict[str, Any]:
    """Store each distinct state once; vectors refer to states by index."""
    states: list[dict[str, Any]] = []
    index: dict[str, int] = {}

    def ref(state: dict[str, Any]) -> int:
        key = json.dumps(state, sort_keys=True)
        if key not in index:
            index[key] = len(states)
            states.append(state)
        return index[key]

    packed = []
    for v in vectors:
        expect = v["expect"]
        packed.append(
            {
                **v,
                "state": ref(v["state"]),
                "expect": {"state": ref(expect["state"])} if "state" in expect else expect,
            }
        )
    return {"states": states, "vectors": packed}


def unpack(data: dict[str, Any]) -> list[dict[str, Any]]:
    states = data["states"]
    return [
        {
            **v,
            "state": states[v["state"]],
            "expect": {"state": states[v["expect"]["state"]]}
            if "state" in v["expect"]
            else v["expect"],
        }
        for v in data["vectors"]
    ]


def write() -> None:
    HERE.mkdir(exist_ok=True)
    boards = board_vectors() + replica_vectors() + undo_vectors()
    for name, vectors in (("board", boards), ("stage", stage_vectors())):
        path = HERE / f"{name}.json"
        path.write_text(json.dumps(pack(vectors), sort_keys=True, ensure_ascii=False) + "\n")
        print(f"wrote {path} ({len(vectors)} vectors)")


if __name__ == "__main__":
    write()
