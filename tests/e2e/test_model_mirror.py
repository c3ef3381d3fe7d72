"""The browser's reducer (static/js/model.js) against the server's (board/model/ops.py).

It covers the card and board operations of PROTOCOL.md, the room tools (comments, dot voting,
section sign-off, private writing), character-level text edits (text.splice, rebased over the
field's recent changes: the text log is compared too) and the refusal of stage ops on a board;
an operation added on the server later needs its mirror in model.js (until then the browser
reloads the whole state when it sees one).

Random op sequences, well-formed and not, from every role, go through both; each step must be
refused with the same code and sentence, or lead to the same board. Ops from a person carry
what the server adds (`enrich`), as stored. Then one viewer's replica replays the accepted
events as the server sends them to that viewer (placeholders for hidden content), starting
from the viewer's welcome state at a random point: both replicas must stay equal. Runs the JS
under Node.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from board.model import BoardState, Context, Refusal, apply, load_template
from board.model.permissions import Actor, Role
from board.model.state import from_wire, new_board
from board.model.visibility import apply_placeholder, enrich, placeholder, visible_to

ROOT = Path(__file__).resolve().parents[2]
STAGE_KINDS = (
    "stage.spotlight",
    "timer.start",
    "timer.pause",
    "timer.extend",
    "timer.reset",
    "agenda.start",
)
MIRRORED = (
    "card.add",
    "card.update",
    "card.move",
    "card.delete",
    "card.restore",
    "board.update",
    "section.lock",
    "comment.add",
    "comment.update",
    "comment.resolve",
    "comment.delete",
    "vote.open",
    "vote.place",
    "vote.remove",
    "vote.close",
    "vote.reveal",
    "private.start",
    "private.reveal",
    "text.splice",
    *STAGE_KINDS,
)
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js to run the browser reducer")

TEMPLATE = load_template()
WORKSHOP = "w_1"
MAYOR = "p_mayor"
PEOPLE = [
    Actor("p_fac", Role.FACILITATOR, WORKSHOP),
    Actor(MAYOR, Role.MAYOR, WORKSHOP),
    Actor("p_other_mayor", Role.MAYOR, WORKSHOP),
    Actor("p_exp", Role.EXPERT, WORKSHOP),
    Actor("p_exp2", Role.EXPERT, WORKSHOP),
    Actor("p_obs", Role.OBSERVER, WORKSHOP),
    Actor("p_far", Role.EXPERT, "w_other"),
]
# Ids a person may type that are special to JavaScript objects, plus ordinary ones.
CARD_IDS = ["c1", "c2", "c3", "c4", "__proto__", "constructor", "toString", "é" * 64, "x" * 65, ""]
# Integers only as JSON integers: JavaScript cannot tell 3.0 from 3, and never sends 3.0.
ODD = [None, True, False, 0, 1, 2, 3, 4, -1, 2.5, 10**16, "", " ", "text", "\n", "x" * 600]
COMMENT_IDS = ["k1", "k2", "k3", "__proto__", "", "k" * 65]
ROUND_IDS = ["r1", "r1", "r1", "r2", "r2", "r3", "constructor"]
TEXTS = ["Why?", "", "  ", "\u3000", "\ufeff", "k" * 1000, "k" * 1001, 3, None]
SERVER_FIELDS = ("author", "created_at", "updated_at", "updated_by", "private")
PRIVATE_MESSAGE = (
    "This card is private to its author until the facilitator reveals private writing."
)


def _value(spec: dict[str, Any], rng: random.Random) -> Any:
    kind = spec["kind"]
    good = {
        "text": lambda: rng.choice(["Jane", "a" * spec.get("max", 500), "ü" * 201]),
        "url": lambda: rng.choice(
            ["https://example.org", "mailto:a@b.c", "http://x\n", "javascript:alert(1)", "ftp://x"]
        ),
        "enum": lambda: rng.choice([*spec.get("values", []), "nope"]),
        "int": lambda: rng.choice([1, 2, 3, 0, 4]),
        "number": lambda: rng.choice([0, 12.5, 1e15, -1, 1e16]),
        "date": lambda: rng.choice(
            ["2025-03-01", "2025-3-1", "2025-03-01\n", "٢٠٢٥-٠٣-٠١", "2027-02-30", "2028-02-29"]
        ),
        "bool": lambda: rng.choice([True, False]),
    }[kind]
    return good() if rng.random() < 0.8 else rng.choice(ODD)


def _fields(card_type: str, section: str, rng: random.Random) -> dict[str, Any]:
    specs = TEMPLATE.fields_for(card_type, section) if card_type in TEMPLATE.card_fields else {}
    names = list(specs)
    if rng.random() < 0.15:
        names.append(rng.choice(["author", "nope", "constructor", "__proto__", "amount_usd"]))
    out = {}
    for name in rng.sample(names, k=min(len(names), rng.randint(0, 3))):
        out[name] = _value(specs.get(name, {"kind": "text"}), rng)
    return out


def _card_op(kind: str, rng: random.Random) -> dict[str, Any]:
    sections = [*TEMPLATE.section_ids, "nowhere", "__proto__"]
    types = [*TEMPLATE.card_fields, "note", "constructor"]
    after = rng.choice([None, *CARD_IDS[:6]])
    if kind == "card.add":
        card_type, section = rng.choice(types[:9]), rng.choice(sections[:14])
        card = {"id": rng.choice(CARD_IDS), "section": section, "type": card_type}
        card["text"] = rng.choice(["An idea", "  ", "", "é" * 500, "é" * 501, "<b>x</b>"])
        card.update(_fields(card_type, section, rng))
        if rng.random() < 0.03:
            card["private"] = True
        return {"kind": kind, "card": card, "after": after}
    if kind == "card.update":
        section = rng.choice(TEMPLATE.section_ids)
        card_type = rng.choice(types)
        change = _fields(card_type, section, rng)
        if rng.random() < 0.4:
            change["type"] = card_type
        if rng.random() < 0.4:
            change["text"] = rng.choice(["Changed", "", None, "y" * 501])
        if rng.random() < 0.05:
            # Several at once: both sides name the first in sorted order.
            for name in rng.sample(["id", "section", *SERVER_FIELDS], k=rng.randint(1, 3)):
                change[name] = "z"
        return {"kind": kind, "card": rng.choice(CARD_IDS), "set": change, **_odd_expect(rng)}
    if kind == "card.move":
        return {
            "kind": kind,
            "card": rng.choice(CARD_IDS),
            "section": rng.choice(sections),
            "after": after,
            **_odd_expect(rng),
        }
    if kind == "card.delete":
        return {"kind": kind, "card": rng.choice(CARD_IDS), **_odd_expect(rng)}
    if kind == "card.restore":
        return {"kind": kind, "card": rng.choice([*CARD_IDS, None, 3])}
    change: dict[str, Any] = {}
    for name in rng.sample(["title", "initiative", "theme", "brief", "mayor"], k=rng.randint(0, 2)):
        change[name] = rng.choice(["New", "", " ", "t" * 301, None, 3])
    if "brief" in change and rng.random() < 0.7:
        change["brief"] = {rng.choice(["goals", "problem", "nope"]): rng.choice(["g", None, 1])}
    return {"kind": kind, "set": change}


def _odd_expect(rng: random.Random) -> dict[str, Any]:
    """Sometimes an `expect`, well formed or not."""
    if rng.random() < 0.7:
        return {}
    return {
        "expect": rng.choice(
            [
                None,
                {},
                {"text": "An idea"},
                {"after": None, "section": "problem_vision"},
                {"severity": 3, "text": None},
                {"verified": 1},
                {"text": ["x"]},
                "text",
                {"__proto__": None},
            ]
        )
    }


def _comment_op(kind: str, rng: random.Random) -> dict[str, Any]:
    if kind == "comment.add":
        body: dict[str, Any] = {
            "id": rng.choice(COMMENT_IDS),
            "card": rng.choice(CARD_IDS[:6]),
            "text": rng.choice(TEXTS) if rng.random() < 0.4 else "Why?",
        }
        if rng.random() < 0.05:
            body["resolved"] = True
        if rng.random() < 0.05:
            del body[rng.choice(["id", "card", "text"])]
        return {"kind": kind, "comment": body if rng.random() < 0.97 else "k1"}
    op: dict[str, Any] = {"kind": kind, "comment": rng.choice(COMMENT_IDS)}
    if kind == "comment.update":
        op["text"] = rng.choice(TEXTS) if rng.random() < 0.4 else "Because."
    elif kind == "comment.resolve" and rng.random() < 0.6:
        op["resolved"] = rng.choice([True, False, False, None, 1])
    return op


def _vote_op(kind: str, rng: random.Random) -> dict[str, Any]:
    if kind == "vote.open":
        body: dict[str, Any] = {"id": rng.choice(ROUND_IDS)}
        body["dots"] = rng.choice([1, 2, 3, 3, 0, 21, True, 2.5, "2", None])
        if rng.random() < 0.4:
            body["sections"] = rng.choice(
                [
                    None,
                    [],
                    ["problem_vision"],
                    ["problem_vision", "action_plan", "city_context"],
                    ["nowhere"],
                    "problem_vision",
                    [3],
                ]
            )
        if rng.random() < 0.7:
            body["blind"] = rng.choice([True, True, False, None, 1])
        if rng.random() < 0.5:
            body["title"] = rng.choice(["Top ideas", "", " ", None, "t" * 201, "t" * 200])
        return {"kind": kind, "round": body if rng.random() < 0.97 else "r1"}
    op: dict[str, Any] = {"kind": kind, "round": rng.choice([*ROUND_IDS, "", None])}
    if kind in ("vote.place", "vote.remove"):
        op["card"] = rng.choice([*CARD_IDS[:4], *CARD_IDS[:6], None])
    if kind == "vote.place" and rng.random() < 0.3:
        op["server"] = {"role": rng.choice(["mayor", "expert", "facilitator", None, ""])}
    if kind == "vote.reveal" and rng.random() < 0.3:
        op["server"] = {
            "votes": [
                {"by": p.id, "role": p.role.value, "card": rng.choice(CARD_IDS[:4])}
                for p in rng.sample(PEOPLE, k=rng.randint(0, 3))
            ]
        }
    return op


def _private_op(kind: str, rng: random.Random) -> dict[str, Any]:
    op: dict[str, Any] = {"kind": kind}
    if kind == "private.reveal" and rng.random() < 0.3:
        cid = rng.choice(CARD_IDS[:4])
        op["server"] = {
            "cards": {
                cid: {
                    "id": cid,
                    "section": "problem_vision",
                    "type": "idea",
                    "text": "Revealed",
                    "author": "p_exp",
                    "created_at": "t",
                    "updated_at": "t",
                    "updated_by": "p_exp",
                }
            }
        }
        if rng.random() < 0.7:  # the comments of the revealed cards (only a known card's count)
            kid = rng.choice(COMMENT_IDS[:4])
            op["server"]["comments"] = {
                kid: {
                    "id": kid,
                    "card": rng.choice([cid, "c4", "nope"]),
                    "text": "Hidden remark",
                    "author": "p_exp",
                    "created_at": "t",
                    "updated_at": "t",
                    "resolved": False,
                    "resolved_by": None,
                }
            }
    return op


def _stage_op(rng: random.Random) -> dict[str, Any]:
    return rng.choice(
        [
            {"kind": "stage.spotlight", "mode": "board", "board": "b_1"},
            {"kind": "timer.start", "seconds": 60},
            {"kind": "timer.pause"},
            {"kind": "timer.extend", "seconds": 30},
            {"kind": "timer.reset"},
            {"kind": "agenda.start", "day": 1, "index": 0, "title": "Start"},
        ]
    )


def _splice(state: BoardState, card_id: str, rng: random.Random) -> dict[str, Any]:
    """Typing into a card's text, another text field, or the brief, often against an older
    base so that the splice is rebased over the changes made since."""
    op: dict[str, Any] = {"kind": "text.splice"}
    found = state.cards.get(card_id)
    if found is None or rng.random() < 0.15:
        name = rng.choice(["goals", "problem", "nope"])
        op["brief"] = name
        text = state.brief.get(name, "")
    else:
        op["card"] = card_id
        fields = [n for n, s in TEMPLATE.fields_for(found["type"], found["section"]).items()]
        texts = [
            n
            for n in fields
            if TEMPLATE.fields_for(found["type"], found["section"])[n]["kind"] == "text"
        ]
        name = rng.choice(["text"] * 4 + texts + ["nope"])
        if name != "text" or rng.random() < 0.3:
            op["field"] = name
        text = found.get(name, "") if isinstance(found.get(name, ""), str) else ""
    op["base"] = max(0, state.seq - rng.choice([0, 0, 0, 1, 2, 3, 6]))
    op["at"] = rng.randint(0, len(text) + 1)
    op["delete"] = rng.choice([0, 0, 1, 2, 5])
    op["insert"] = rng.choice(["", "ab", "é", "🙂", " ", "Fix "])
    return op


KIND_WEIGHTS = {
    "card.add": 5,
    "card.update": 3,
    "card.move": 2,
    "card.delete": 1,
    "card.restore": 1,
    "board.update": 1,
    "x": 1,
    "section.lock": 1,
    "comment.add": 3,
    "comment.update": 2,
    "comment.resolve": 2,
    "comment.delete": 1,
    "vote.open": 2,
    "vote.place": 8,
    "vote.remove": 2,
    "vote.close": 1,
    "vote.reveal": 1,
    "private.start": 1,
    "private.reveal": 1,
    "text.splice": 2,
    "stage": 1,
}


def _op(rng: random.Random) -> dict[str, Any]:
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    if kind.startswith(("card.", "board.")):
        return _card_op(kind, rng)
    if kind == "section.lock":
        op = {
            "kind": kind,
            "section": rng.choice([*TEMPLATE.section_ids[:4], "nowhere", None]),
            "locked": rng.choice([True, False, False, None, 1]),
        }
        if rng.random() < 0.3:
            op["expect"] = rng.choice([None, {"by": None}, {"by": "p_fac"}, {"who": 1}, [], {}])
        return op
    if kind.startswith("comment."):
        return _comment_op(kind, rng)
    if kind.startswith("vote."):
        return _vote_op(kind, rng)
    if kind.startswith("private."):
        return _private_op(kind, rng)
    if kind == "stage":
        return _stage_op(rng)
    if kind == "text.splice":
        op: dict[str, Any] = {"kind": kind, "card": rng.choice([*CARD_IDS, None])}
        for name, values in (
            ("field", ["text", "owner", "nope", None, 3]),
            ("brief", ["goals", "nope", "", None]),
            ("base", [0, 1, 5, -1, True, "1", None, 10**6]),
            ("at", [0, 1, 3, -1, 2.5, None, 600]),
            ("delete", [0, 1, 2, -2, None, 600]),
            ("insert", ["", "ab", "é", None, 3, "x" * 501]),
        ):
            if rng.random() < 0.8:
                op[name] = rng.choice(values)
        if rng.random() < 0.1:
            op["server"] = {"ops": rng.choice([[3], ["x"], [1, -1, "y"], []])}
        return op
    return {"kind": kind}


GOOD_KINDS = (
    ["card.add"] * 4
    + ["card.update", "card.move", "card.delete", "section.lock"]
    + ["card.update", "card.move", "card.delete", "card.restore", "card.restore"]
    + ["comment.add"] * 2
    + ["comment.update", "comment.resolve", "comment.delete"]
    + ["vote.open"] * 2
    + ["vote.place"] * 5
    + ["vote.remove"] * 2
    + ["vote.close", "vote.reveal", "private.start", "private.reveal", "board.update"]
    + ["text.splice"] * 6
)
# A private-writing session: cards written in private, their authors and the others acting on
# them (edits, moves, deletes, comments, splices, dots), a rare reveal.
PRIVATE_KINDS = (
    ["card.add"] * 5
    + ["card.update"] * 2
    + ["card.move", "card.delete"] * 2
    + ["card.restore"] * 2
    + ["comment.add"] * 4
    + ["comment.update", "comment.resolve", "comment.delete"] * 2
    + ["vote.open", "vote.place", "vote.place", "vote.remove"]
    + ["text.splice"] * 5
    + ["private.start", "private.reveal"]
)


def _good_op(
    state: BoardState, rng: random.Random, by: str, kinds: list[str] = GOOD_KINDS
) -> dict[str, Any]:
    """A well-formed op on what the board holds, so the deeper checks run too. Often on the
    person's own cards and comments, so that private cards get edits, splices and comments
    from their author (hidden from the others, shown at the reveal)."""
    cards = list(state.cards) or ["c1"]
    card = rng.choice(cards)
    mine = [cid for cid, c in state.cards.items() if c.get("author") == by]
    if mine and rng.random() < 0.4:
        card = rng.choice(mine)
    comments = list(state.comments) or ["k1"]
    my_comments = [k for k, c in state.comments.items() if c["author"] == by]
    if my_comments and rng.random() < 0.5:
        comments = my_comments
    rounds = list(state.rounds) or ["r1"]
    sections = ["problem_vision", "action_plan", *TEMPLATE.section_ids]
    kind = rng.choice(kinds)
    if kind == "text.splice":
        return _splice(state, card, rng)
    if kind == "card.add":
        body = {
            "id": rng.choice(["c1", "c2", "c3", "c4", "c5", "c6", "__proto__"]),
            "section": rng.choice(sections),
            "type": rng.choice(list(TEMPLATE.card_fields)),
            "text": "An idea",
        }
        return {"kind": kind, "card": body, "after": rng.choice([None, card])}
    if kind == "card.restore":  # most often one's own delete, as undo sends it
        mine = [cid for cid, entry in state.trash.items() if entry["by"] == by]
        pool = mine if mine and rng.random() < 0.8 else [*state.trash, "c1"]
        return {"kind": kind, "card": rng.choice(pool)}
    found = state.cards.get(card)
    if kind == "card.update":
        op = {"kind": kind, "card": card, "set": {"text": rng.choice(["Changed", "Again"])}}
        if found is not None and rng.random() < 0.4:  # an undo's precondition, met or not
            op["expect"] = {"text": rng.choice([found["text"], "Changed"])}
        return op
    if kind == "board.update":
        return {"kind": kind, "set": {"title": "New title", "brief": {"goals": "Fewer cars"}}}
    if kind == "card.move":
        op = {"kind": kind, "card": card, "section": rng.choice(sections), "after": None}
        if found is not None and rng.random() < 0.4:
            ids = state.sections[found["section"]]
            index = ids.index(card)
            here = {"section": found["section"], "after": ids[index - 1] if index else None}
            op["expect"] = rng.choice([here, here, {"section": "action_plan"}, {"after": "c2"}])
        return op
    if kind == "card.delete":
        op = {"kind": kind, "card": card}
        if found is not None and rng.random() < 0.3:
            op["expect"] = {"text": found["text"], "type": rng.choice([found["type"], "idea"])}
        return op
    if kind == "section.lock":
        section = rng.choice(sections)
        op = {"kind": kind, "section": section, "locked": rng.random() < 0.3}
        if rng.random() < 0.3:
            signed = state.locks.get(section)
            op["expect"] = {"by": rng.choice([signed["by"] if signed else None, "p_fac"])}
        return op
    if kind == "comment.add":
        body = {"id": rng.choice(["k1", "k2", "k3", "k4", "__proto__"]), "card": card}
        return {"kind": kind, "comment": {**body, "text": "Why?"}}
    if kind == "comment.update":
        return {"kind": kind, "comment": rng.choice(comments), "text": "Because."}
    if kind == "comment.resolve":
        return {"kind": kind, "comment": rng.choice(comments), "resolved": rng.random() < 0.7}
    if kind == "comment.delete":
        return {"kind": kind, "comment": rng.choice(comments)}
    if kind == "vote.open":
        chosen = state.cards.get(card, {}).get("section", "problem_vision")
        round_ = {
            "id": rng.choice(["r1", "r2", "r3", "r4", "constructor"]),
            "dots": rng.randint(1, 3),
            "sections": rng.choice([None, [chosen], [chosen, "action_plan"]]),
            "blind": rng.random() < 0.5,
        }
        return {"kind": kind, "round": round_}
    if kind == "vote.remove":
        voted = [(r["id"], v["card"]) for r in state.rounds.values() for v in r["votes"]]
        round_id, card = rng.choice(voted) if voted else (rng.choice(rounds), card)
        return {"kind": kind, "round": round_id, "card": card}
    if kind == "vote.place":
        return {"kind": kind, "round": rng.choice(rounds), "card": card}
    if kind in ("vote.close", "vote.reveal"):
        return {"kind": kind, "round": rng.choice(rounds)}
    return {"kind": kind}


def _wire_actor(actor: Actor | None) -> dict[str, Any] | None:
    if actor is None:
        return None
    return {"id": actor.id, "role": actor.role.value, "workshop": actor.workshop}


def _empty() -> BoardState:
    return new_board(TEMPLATE, id="b_1", workshop=WORKSHOP, title="Board", mayor=MAYOR)


def _python_run(rng: random.Random, n: int, private: bool = False) -> dict[str, Any]:
    """One random run on the server's reducer: the steps as stored (enriched), each result,
    and a viewer's replica of it (events as sent to that viewer, and each replica state).
    `private`: a private-writing session (started first, with its own mix of ops)."""
    state = _empty()
    viewer = rng.choice(["p_exp", "p_exp2", MAYOR, "p_obs", "p_fac"])
    join_at = rng.randint(0, n // 2)
    start: dict[str, Any] | None = None
    steps, results, events = [], [], []
    for i in range(n):
        if i == join_at:
            start = visible_to(state.to_wire(), viewer)
        actor = rng.choice([*PEOPLE, PEOPLE[0], None, None])
        by = actor.id if actor else rng.choice([p.id for p in PEOPLE])
        at = f"2025-01-01T00:{i // 60:02d}:{i % 60:02d}Z"
        ctx = Context(at=at, by=by, actor=actor)
        if private and i == 0:
            actor, by, ctx = (
                PEOPLE[0],
                PEOPLE[0].id,
                Context(at=at, by=PEOPLE[0].id, actor=PEOPLE[0]),
            )
            op = {"kind": "private.start"}
        elif private:
            op = _good_op(state, rng, by, PRIVATE_KINDS) if rng.random() < 0.9 else _op(rng)
        else:
            op = _good_op(state, rng, by) if rng.random() < 0.6 else _op(rng)
        for cid, card in ((op.get("server") or {}).get("cards") or {}).items():
            if cid in state.cards:  # a reveal shows the board's own cards, where they are
                card["section"] = state.cards[cid]["section"]
        if actor is not None and rng.random() < 0.8:
            op = enrich(state, op, ctx)  # as the server stores it
        steps.append({"op": op, "ctx": {"at": at, "by": by, "actor": _wire_actor(actor)}})
        result = apply(state, op, ctx)
        if isinstance(result, Refusal):
            results.append({"refusal": {"code": result.code, "message": result.message}})
            continue
        results.append({"state": state.to_checkpoint()})
        if start is not None:
            hidden = placeholder(state, op)
            shown = hidden if hidden is not None and by != viewer else op
            events.append({"op": json.loads(json.dumps(shown)), "by": by, "at": at})
    assert start is not None
    replica = from_wire(TEMPLATE, start)
    seen = []
    for event in events:
        if event["op"].get("hidden"):
            apply_placeholder(replica, event)
            seen.append({"state": replica.to_checkpoint()})
            continue
        result = apply(replica, event["op"], Context(at=event["at"], by=event["by"]))
        if isinstance(result, Refusal):
            seen.append({"refusal": {"code": result.code, "message": result.message}})
        else:
            seen.append({"state": replica.to_checkpoint()})
    return {
        "steps": steps,
        "results": json.loads(json.dumps(results)),
        "replica": {"state": start, "events": events},
        "seen": json.loads(json.dumps(seen)),
    }


def test_browser_reducer_mirrors_the_server_reducer() -> None:
    rng = random.Random(20250102)
    runs = [_python_run(rng, 80) for _ in range(150)]
    runs += [_python_run(rng, 60, private=True) for _ in range(80)]
    empty = _empty().to_wire()
    payload = {
        "template": TEMPLATE.raw,
        "runs": [{"state": empty, "steps": r["steps"]} for r in runs],
        "replicas": [r["replica"] for r in runs],
    }
    done = subprocess.run(
        [NODE, str(Path(__file__).with_name("model_runner.mjs")), str(ROOT / "static/js/model.js")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    js = json.loads(done.stdout)
    accepted: dict[str, int] = {}
    private: dict[str, int] = {}  # refused: someone else's private card
    unmet: dict[str, int] = {}  # refused: an `expect` no longer met
    dots_back = reveals_with_comments = 0
    for run, js_results in zip(runs, js["runs"], strict=True):
        before = None
        for step, py_result, js_result in zip(
            run["steps"], run["results"], js_results, strict=True
        ):
            kind = step["op"]["kind"]
            if kind not in MIRRORED:
                # The server may know later kinds; the browser refuses them the same way.
                assert js_result["refusal"]["code"] == py_result["refusal"]["code"]
                continue
            assert js_result == py_result, (step, js_result, py_result)
            if "refusal" in py_result:
                if py_result["refusal"]["message"] == PRIVATE_MESSAGE:
                    private[kind] = private.get(kind, 0) + 1
                refusal = py_result["refusal"]
                if refusal["code"] == "conflict" and "undo" in refusal["message"]:
                    unmet[kind] = unmet.get(kind, 0) + 1
                continue
            accepted[kind] = accepted.get(kind, 0) + 1
            after = py_result["state"]
            if kind == "card.delete" and before is not None:
                dots_back += _open_dots(after) < _open_dots(before)
            if kind == "private.reveal" and (step["op"].get("server") or {}).get("comments"):
                reveals_with_comments += any(
                    k in after["comments"] for k in step["op"]["server"]["comments"]
                )
            before = after
    # The sequences do real work, not only refusals, in every kind a board accepts.
    assert sum(accepted.values()) > 2000, accepted
    for kind in MIRRORED:
        if kind not in STAGE_KINDS:
            assert accepted.get(kind, 0) >= 10, (kind, accepted)
    for kind in ("card.update", "card.move", "card.delete", "comment.add", "text.splice"):
        assert private.get(kind, 0) >= 10, (kind, private)
    assert dots_back >= 3 and reveals_with_comments >= 3, (dots_back, reveals_with_comments)
    for kind in ("card.update", "card.move", "card.delete", "section.lock"):
        assert unmet.get(kind, 0) >= 5, (kind, unmet)
    hidden: dict[str, int] = {}
    for run, js_seen in zip(runs, js["replicas"], strict=True):
        events = run["replica"]["events"]
        for event, py_seen, js_result in zip(events, run["seen"], js_seen, strict=True):
            assert js_result == py_seen, (event, js_result, py_seen)
            if event["op"].get("hidden"):
                hidden[event["op"]["kind"]] = hidden.get(event["op"]["kind"], 0) + 1
    # The replicas did see placeholders: private cards and what is done to them, blind dots.
    assert sum(hidden.values()) > 100, hidden
    for kind in ("card.add", "card.restore", "vote.place", "text.splice", "comment.add"):
        assert hidden.get(kind, 0) >= 5, (kind, hidden)


def _open_dots(wire: dict[str, Any]) -> int:
    return sum(len(r["votes"]) for r in wire["rounds"].values() if r["status"] == "open")


def test_browser_bounds_a_fields_text_history_as_the_server_does() -> None:
    """Long typing into one card and one brief field: the history is cut at the same byte
    budget on both sides (the checkpoints compare the logs and floors), and a splice based
    before the floor is refused the same way."""
    state = _empty()
    expert = next(p for p in PEOPLE if p.role.value == "expert")
    steps, results = [], []

    mayor = next(p for p in PEOPLE if p.id == MAYOR)

    def step(op: dict[str, Any], actor: Actor = expert) -> None:
        at = f"2025-01-01T00:00:{len(steps) % 60:02d}Z"
        ctx = Context(at=at, by=actor.id, actor=actor)
        op = enrich(state, op, ctx)
        steps.append({"op": op, "ctx": {"at": at, "by": actor.id, "actor": _wire_actor(actor)}})
        result = apply(state, op, ctx)
        if isinstance(result, Refusal):
            results.append({"refusal": {"code": result.code, "message": result.message}})
        else:
            results.append({"state": state.to_checkpoint()})

    card = {"id": "c", "section": "problem_vision", "type": "idea", "text": "Start"}
    step({"kind": "card.add", "card": card, "after": None})
    first = state.seq
    rng = random.Random(12)
    for n in range(700):
        text = state.cards["c"]["text"]
        typing = {"kind": "text.splice", "card": "c", "base": state.seq}
        if len(text) > 300:
            step({**typing, "at": 0, "delete": 40, "insert": ""})
        else:
            step(
                {
                    **typing,
                    "at": rng.randint(0, len(text)),
                    "delete": 0,
                    "insert": "é🙂ab "[n % 5 :],
                }
            )
        if n % 50 == 0:
            brief = {"goals": "g" * rng.randint(1, 4000)}
            step({"kind": "board.update", "set": {"brief": brief}}, mayor)
    step({"kind": "text.splice", "card": "c", "base": first, "at": 0, "delete": 0, "insert": "x"})
    assert results[-1]["refusal"]["code"] == "conflict"
    assert state.text_floors["card:c:text"] > first and state.text_floors["brief:goals"] > first
    done = subprocess.run(
        [NODE, str(Path(__file__).with_name("model_runner.mjs")), str(ROOT / "static/js/model.js")],
        input=json.dumps(
            {
                "template": TEMPLATE.raw,
                "runs": [{"state": _empty().to_wire(), "steps": steps}],
                "replicas": [],
            }
        ),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    for py_result, js_result in zip(results, json.loads(done.stdout)["runs"][0], strict=True):
        assert js_result == json.loads(json.dumps(py_result))
