"""The typing client of static/js/sync.js (docs/text-merge.md) under a simulated network.

tests/e2e/typing_sim.mjs runs the real BoardSync in several tabs typing into one card, in
virtual time, against a simulated server built on the browser's reducer (itself checked
against the server's by test_model_mirror.py and the conformance vectors): frames are delayed,
connections drop with frames in flight lost both ways, tabs reload from localStorage, the
card is added by a tab that is offline (its typing waits for the card). At the end every tab
shows the server's text, nothing waits, every character typed is there unless someone
deleted it, none twice, and every change reported to a text area led to the text it shows.
Seeds are fixed: a failure replays exactly (`node tests/e2e/typing_sim.mjs static/js CONFIG`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from board.model import load_template
from board.model.state import new_board

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js to run the browser client")

TEMPLATE = load_template()
CONFIGS = [
    {"tabs": 3},
    {"tabs": 2, "drops": 0.02, "reloads": 0.005, "actions": 200},
    {"tabs": 5, "drops": 0.01, "reloads": 0.006, "actions": 80},
]


def simulate(seed: int, config: dict[str, Any]) -> dict[str, Any]:
    board = new_board(TEMPLATE, id="b", workshop="w", title="Typing").to_wire()
    full = {
        "seed": seed,
        **config,
        "template": json.dumps(TEMPLATE.raw),
        "board": json.dumps(board),
    }
    done = subprocess.run(
        [
            NODE,
            str(Path(__file__).with_name("typing_sim.mjs")),
            str(ROOT / "static/js"),
            json.dumps(full),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("config", CONFIGS, ids=[json.dumps(c) for c in CONFIGS])
def test_tabs_typing_over_a_bad_network_converge_and_keep_every_keystroke(
    config: dict[str, Any],
) -> None:
    totals: dict[str, int] = {"resends": 0, "inserted": 0, "deleted": 0}
    for seed in range(1, 13):
        run = simulate(seed, config)
        where = f"seed {seed}, config {config}"
        assert run["problems"] == [], where
        assert run["errors"] == [], where  # nothing refused: no typing dropped
        assert run["status"] == ["connected"] * config["tabs"], where
        assert run["pending"] == [0] * config["tabs"], where
        assert run["stored"] == [0] * config["tabs"], where  # nothing left in localStorage
        assert run["shown"] == [run["final"]] * config["tabs"], where
        assert (run["missing"], run["extra"], run["twice"]) == ([], [], []), where
        assert run["splices"] == run["seq"] - 1, where  # one card.add, then only splices
        for name in ("resends", "inserted", "deleted"):
            totals[name] += run[name]
        for name, count in run["seen"].items():
            totals[name] = totals.get(name, 0) + count
    # The runs went through what they are for: typing buffered behind a splice in flight,
    # splices waiting for their card, dropped connections and resends, reloads with a splice
    # sent before that the server may or may not have applied (its field waits for the
    # answer to its resend).
    assert totals["inserted"] > 1000 and totals["deleted"] > 300, totals
    for name in ("buffered", "waitingForCard", "drops", "resends"):
        assert totals[name] > 0, totals
    if config.get("reloads"):
        assert totals["reloads"] > 0 and totals["uncertain"] > 0, totals
