"""The browser's stage reducer (static/js/stage.js) against the server's (board/model/stage.py).

Random stage op sequences, well-formed and not, from every role (and as replays without one),
go through both; each step must be refused with the same code and sentence, or lead to the
same stage: spotlight, timer (end times to the millisecond) and agenda item. A board's ops
and unknown kinds are refused with the server's very sentence too (the conformance vectors
hold one). Runs the JS under Node, like test_model_mirror.py.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from board.model import Context, Refusal, apply, load_template
from board.model.kinds import KINDS, STAGE_KINDS
from board.model.permissions import Actor, Role
from board.model.state import new_stage

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js to run the browser reducer")

TEMPLATE = load_template()
BOARD_KINDS = [kind for kind in KINDS if kind not in STAGE_KINDS]
WORKSHOP = "w_1"
PEOPLE = [
    Actor("p_fac", Role.FACILITATOR, WORKSHOP),
    Actor("p_fac", Role.FACILITATOR, WORKSHOP),
    Actor("p_fac", Role.FACILITATOR, WORKSHOP),
    Actor("p_mayor", Role.MAYOR, WORKSHOP),
    Actor("p_exp", Role.EXPERT, WORKSHOP),
    Actor("p_obs", Role.OBSERVER, WORKSHOP),
]
# Integers only as JSON integers: JavaScript cannot tell 3.0 from 3, and never sends 3.0.
SECONDS = [None, 1, 59, 60, 300, 86400, 86401, 0, -1, -60, -86400, -86401, 2.5, True, "60"]
BOARDS = ["b_1", "b_2", "", "x" * 64, "x" * 65, "é" * 64, None, 0, 3, [], {}, ["b"], "__proto__"]
SECTIONS = [
    *TEMPLATE.section_ids,
    "nowhere",
    "",
    None,
    3,
    "it's",
    'say "x"',
    "both ' and \"",
    "tab\there",
    "\x85\u2028",
    "__proto__",
    "constructor",
]
TEXTS = [
    "Framing",
    "Costs",
    "",
    " ",
    "\u3000\n",
    "\u200b",
    "\x1f\x85",
    "\ufeff",
    "x" * 200,
    "x" * 201,
    "é" * 200,
    5,
]


def _maybe(
    op: dict[str, Any], name: str, values: list[Any], rng: random.Random, good: int = 0
) -> None:
    """Set op[name] to one of values (mostly one of the first `good`), or leave the key out."""
    if rng.random() < 0.85:
        op[name] = rng.choice(values[:good] if good and rng.random() < 0.7 else values)


def _op(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(
        ["stage.spotlight"] * 4
        + ["timer.start"] * 5
        + ["timer.pause"] * 3
        + ["timer.extend"] * 3
        + ["timer.reset"] * 2
        + ["agenda.start"] * 4
        + ["x", None]
        + [rng.choice(BOARD_KINDS)] * 3
    )
    op: dict[str, Any] = {} if kind is None else {"kind": kind}
    if kind in BOARD_KINDS:  # refused on the stage: by its first check that can fail there
        for name in ("card", "comment", "round"):
            _maybe(op, name, ["c1", "", "x" * 65, None, 3, "__proto__"], rng)
    if kind == "stage.spotlight":
        _maybe(op, "mode", ["overview", "board", "section", "section", "zoom", None, 1], rng)
        _maybe(op, "board", BOARDS, rng)
        _maybe(op, "section", SECTIONS, rng)
    elif kind == "timer.start":
        _maybe(op, "seconds", SECONDS, rng)
        _maybe(op, "label", [None, *TEXTS], rng)
    elif kind == "timer.extend":
        _maybe(op, "seconds", SECONDS, rng)
    elif kind == "agenda.start":
        _maybe(op, "day", [1, 2, 3, 0, 4, True, "1", None], rng, good=3)
        _maybe(op, "index", [0, 1, 49, 50, -1, 2.5, None], rng, good=3)
        _maybe(op, "title", TEXTS, rng, good=2)
        _maybe(op, "board", BOARDS, rng)
        _maybe(op, "section", SECTIONS, rng)
        _maybe(op, "minutes", [None, 1, 30, 600, 601, 0, -5, False], rng, good=4)
    return op


def _times(rng: random.Random, n: int) -> list[str]:
    """Increasing server times, mostly to the millisecond (as the server writes them), some
    to the microsecond (as Python could), some a second or a day apart."""
    moment = datetime(2027, 3, 9, 14, 0, 0, tzinfo=UTC)
    out = []
    for _ in range(n):
        moment += rng.choice(
            [
                timedelta(milliseconds=rng.randint(0, 999)),
                timedelta(seconds=rng.randint(1, 400), milliseconds=rng.randint(0, 999)),
                timedelta(microseconds=rng.randint(0, 10**6)),
                timedelta(days=1),
            ]
        )
        spec = "microseconds" if rng.random() < 0.2 else "milliseconds"
        out.append(moment.isoformat(timespec=spec).replace("+00:00", "Z"))
    return out


def _steps(rng: random.Random, n: int) -> list[dict[str, Any]]:
    steps = []
    for at in _times(rng, n):
        actor = rng.choice([*PEOPLE, None])
        by = actor.id if actor else "p_fac"
        wire_actor = {"id": actor.id, "role": actor.role.value} if actor else None
        steps.append({"op": _op(rng), "ctx": {"at": at, "by": by, "actor": wire_actor}})
    return steps


def _python_run(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    state = new_stage(TEMPLATE, id="st_1", workshop=WORKSHOP)
    results = []
    for step in steps:
        ctx = step["ctx"]
        actor = None
        if ctx["actor"]:
            actor = Actor(ctx["actor"]["id"], Role(ctx["actor"]["role"]), WORKSHOP)
        result = apply(state, step["op"], Context(at=ctx["at"], by=ctx["by"], actor=actor))
        if isinstance(result, Refusal):
            results.append({"refusal": {"code": result.code, "message": result.message}})
        else:
            results.append({"state": state.to_wire()})
    return results


def test_browser_stage_reducer_mirrors_the_server() -> None:
    rng = random.Random(20270309)
    runs = [_steps(rng, 50) for _ in range(160)]
    empty = new_stage(TEMPLATE, id="st_1", workshop=WORKSHOP).to_wire()
    payload = {
        "sectionIds": list(TEMPLATE.section_ids),
        "runs": [{"state": empty, "steps": s} for s in runs],
    }
    done = subprocess.run(
        [NODE, str(Path(__file__).with_name("stage_runner.mjs")), str(ROOT / "static/js/stage.js")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    js_runs = json.loads(done.stdout)
    applied: dict[str, int] = {}
    for steps, js in zip(runs, js_runs, strict=True):
        for step, py_result, js_result in zip(steps, _python_run(steps), js, strict=True):
            kind = step["op"].get("kind")
            # Other kinds too: a board's kinds are refused by the same check, an unknown kind
            # with the same sentence naming every kind the server knows.
            assert js_result == py_result, (step, js_result, py_result)
            if "state" in py_result:
                applied[kind] = applied.get(kind, 0) + 1
    # The sequences do real work on every kind, not only refusals.
    assert all(applied.get(kind, 0) >= 100 for kind in STAGE_KINDS), applied
