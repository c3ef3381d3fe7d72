"""The browser's reducer (static/js/model.js) against the server's (board/model/ops.py).

It covers the v1 operations of PROTOCOL.md; an operation added on the server later needs
its mirror in model.js (until then the browser reloads the whole state when it sees one).

Random op sequences, well-formed and not, from every role, go through both; each step must be
refused with the same code and sentence, or lead to the same board. Runs the JS under Node.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from board.model import Context, Refusal, apply, load_template
from board.model.permissions import Actor, Role
from board.model.state import new_board

ROOT = Path(__file__).resolve().parents[2]
V1_KINDS = ("card.add", "card.update", "card.move", "card.delete", "board.update")
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
    Actor("p_obs", Role.OBSERVER, WORKSHOP),
    Actor("p_far", Role.EXPERT, "w_other"),
]
# Ids a person may type that are special to JavaScript objects, plus ordinary ones.
CARD_IDS = ["c1", "c2", "c3", "c4", "__proto__", "constructor", "toString", "é" * 64, "x" * 65, ""]
# Integers only as JSON integers: JavaScript cannot tell 3.0 from 3, and never sends 3.0.
ODD = [None, True, False, 0, 1, 2, 3, 4, -1, 2.5, 10**16, "", " ", "text", "\n", "x" * 600]


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
        "date": lambda: rng.choice(["2025-03-01", "2025-3-1", "2025-03-01\n", "٢٠٢٥-٠٣-٠١"]),
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


def _op(rng: random.Random) -> dict[str, Any]:
    sections = [*TEMPLATE.section_ids, "nowhere", "__proto__"]
    types = [*TEMPLATE.card_fields, "note", "constructor"]
    after = rng.choice([None, *CARD_IDS[:6]])
    kind = rng.choice(
        ["card.add"] * 4
        + ["card.update"] * 3
        + ["card.move"] * 2
        + ["card.delete"]
        + ["board.update", "x"]
    )
    if kind == "card.add":
        card_type, section = rng.choice(types[:9]), rng.choice(sections[:14])
        card = {"id": rng.choice(CARD_IDS), "section": section, "type": card_type}
        card["text"] = rng.choice(["An idea", "  ", "", "é" * 500, "é" * 501, "<b>x</b>"])
        card.update(_fields(card_type, section, rng))
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
            change[rng.choice(["id", "section", "updated_by"])] = "z"
        return {"kind": kind, "card": rng.choice(CARD_IDS), "set": change}
    if kind == "card.move":
        return {
            "kind": kind,
            "card": rng.choice(CARD_IDS),
            "section": rng.choice(sections),
            "after": after,
        }
    if kind == "card.delete":
        return {"kind": kind, "card": rng.choice(CARD_IDS)}
    if kind == "board.update":
        change: dict[str, Any] = {}
        for name in rng.sample(
            ["title", "initiative", "theme", "brief", "mayor"], k=rng.randint(0, 2)
        ):
            change[name] = rng.choice(["New", "", " ", "t" * 301, None, 3])
        if "brief" in change and rng.random() < 0.7:
            change["brief"] = {rng.choice(["goals", "problem", "nope"]): rng.choice(["g", None, 1])}
        return {"kind": kind, "set": change}
    return {"kind": kind}


def _python_run(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    state = new_board(TEMPLATE, id="b_1", workshop=WORKSHOP, title="Board", mayor=MAYOR)
    results = []
    for step in steps:
        ctx = step["ctx"]
        actor = (
            next((a for a in PEOPLE if a.id == ctx["actor"]["id"]), None) if ctx["actor"] else None
        )
        result = apply(state, step["op"], Context(at=ctx["at"], by=ctx["by"], actor=actor))
        if isinstance(result, Refusal):
            results.append({"refusal": {"code": result.code, "message": result.message}})
        else:
            w = state.to_wire()
            results.append(
                {
                    "state": {
                        **{k: w[k] for k in ("title", "initiative", "theme", "brief", "seq")},
                        "sections": {s["id"]: s["cards"] for s in w["sections"]},
                        "cards": w["cards"],
                    }
                }
            )
    return results


def _steps(rng: random.Random, n: int) -> list[dict[str, Any]]:
    steps = []
    for i in range(n):
        actor = rng.choice([*PEOPLE, None, None])
        by = actor.id if actor else rng.choice([p.id for p in PEOPLE])
        wire_actor = (
            {"id": actor.id, "role": actor.role.value, "workshop": actor.workshop}
            if actor
            else None
        )
        steps.append(
            {
                "op": _op(rng),
                "ctx": {"at": f"2025-01-01T00:00:{i:02d}Z", "by": by, "actor": wire_actor},
            }
        )
    return steps


def test_browser_reducer_mirrors_the_server_reducer() -> None:
    rng = random.Random(20250101)
    runs = [_steps(rng, 60) for _ in range(120)]
    empty = new_board(TEMPLATE, id="b_1", workshop=WORKSHOP, title="Board", mayor=MAYOR).to_wire()
    payload = {"template": TEMPLATE.raw, "runs": [{"state": empty, "steps": s} for s in runs]}
    done = subprocess.run(
        [NODE, str(Path(__file__).with_name("model_runner.mjs")), str(ROOT / "static/js/model.js")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    js_runs = json.loads(done.stdout)
    accepted = 0
    for steps, js in zip(runs, js_runs, strict=True):
        for step, py_result, js_result in zip(steps, _python_run(steps), js, strict=True):
            if step["op"]["kind"] not in V1_KINDS:
                # The server may know later kinds than v1; the browser refuses them the same way.
                assert js_result["refusal"]["code"] == py_result["refusal"]["code"]
                continue
            assert js_result == py_result, (step, js_result, py_result)
            accepted += "state" in py_result
    assert accepted > 400  # the sequences do real work, not only refusals
