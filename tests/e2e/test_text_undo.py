"""Undo inside a live text (static/js/textundo.js, docs/undo.md "Typing"), under Node.

tests/e2e/textundo_sim.mjs types, deletes, undoes and redoes at random in one text while someone
else types into it, with the real TypingHistory. Whatever the interleaving: an undo never removes
another person's characters, a redo right after an undo gives the text back, and undoing
everything removes every character this person typed and brings back every one they deleted,
in order. Then runs on their own: a word at a time, a pause cuts a word, backspaces go together.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js to run the browser code")


def simulate(seed: int, steps: int = 150) -> dict[str, Any]:
    done = subprocess.run(
        [
            NODE,
            str(Path(__file__).with_name("textundo_sim.mjs")),
            str(ROOT / "static/js"),
            json.dumps({"seed": seed, "steps": steps}),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def test_undo_in_a_shared_text_takes_back_only_ones_own_typing() -> None:
    totals: dict[str, int] = {}
    for seed in range(1, 16):
        run = simulate(seed, steps=300)
        assert run["problems"] == [], f"seed {seed}: {run['problems']}"
        for name, count in run["seen"].items():
            totals[name] = totals.get(name, 0) + count
    # The runs did real work: typing and deleting among others' typing, undos and redos.
    assert totals["remote"] > 500 and totals["deletes"] > 300, totals
    assert totals["undos"] > 300 and totals["redos"] > 15 and totals["roundTrips"] > 80, totals


def test_runs_are_words_pauses_and_runs_of_deletions() -> None:
    runs = simulate(1, steps=0)["runs"]
    assert runs["words"] == ["We fund it ", "We fund ", "We ", ""]
    assert runs["pause"] == ["abc", ""]
    assert runs["backspaces"] == ["he", "helo", ""]
