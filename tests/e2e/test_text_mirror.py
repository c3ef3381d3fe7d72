"""The browser's text merge (static/js/text.js) against the server's (board/model/text.py).

splice, normalize, apply, transform and compose must give exactly what Python gives (the
browser predicts what the server will make of its typing with them), on random texts with
characters outside the Basic Multilingual Plane (JavaScript counts those twice, Python once).
What only the typing client uses is checked for its properties: the change between two
texts (diff, diffKeeping) leads from one to the other, a change cut into its first splice and
the rest composes back to it, and a cursor carried over a change stays in the text.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from board.model.text import apply_text, compose, normalize, splice, transform

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js to run the browser code")
ALPHABET = "abcé🙂 x"


def _text(rng: random.Random, size: int = 12) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, size)))


def _change(rng: random.Random, text: str) -> list[Any]:
    """A random change of `text`: several splices composed."""
    op = normalize([len(text)])
    current = text
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(0, len(current))
        delete = rng.randint(0, len(current) - at)
        step = splice(len(current), at, delete, _text(rng, 3))
        op = compose(op, step)
        current = apply_text(current, step)
    return op


def _run(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [NODE, str(Path(__file__).with_name("text_runner.mjs")), str(ROOT / "static/js/text.js")],
        input=json.dumps(calls),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def test_browser_text_merge_mirrors_the_server() -> None:
    rng = random.Random(2027)
    calls, expected = [], []
    for _ in range(400):
        text = _text(rng)
        a, b = _change(rng, text), _change(rng, text)
        after_a = apply_text(text, a)
        c = _change(rng, after_a)
        at, delete = rng.randint(0, len(text) + 1), rng.randint(0, 3)
        insert = _text(rng, 3)
        try:
            spliced: Any = {"ok": splice(len(text), at, delete, insert)}
        except ValueError:
            spliced = {"error": True}
        cases = [
            ("splice", [len(text), at, delete, insert], spliced),
            ("normalize", [[*a, 0, "", *b[:1]]], {"ok": normalize([*a, 0, "", *b[:1]])}),
            ("applyText", [text, a], {"ok": after_a}),
            ("transform", [a, b], {"ok": [list(x) for x in transform(a, b)]}),
            ("compose", [a, c], {"ok": compose(a, c)}),
        ]
        if rng.random() < 0.2:  # written against another text: refused on both sides
            cases.append(("applyText", [text + "z", a], {"error": True}))
            try:
                composed: Any = {"ok": compose(a, [*b, 1])}
            except ValueError:
                composed = {"error": True}
            cases.append(("compose", [a, [*b, 1]], composed))
        for fn, args, want in cases:
            calls.append({"fn": fn, "args": args})
            expected.append((fn, args, want))
    for (fn, args, want), got in zip(expected, _run(calls), strict=True):
        assert got == want, (fn, args)


def test_typing_client_helpers_keep_their_promises() -> None:
    rng = random.Random(309)
    cases = []
    for _ in range(300):
        old = _text(rng, 16)
        change = _change(rng, old)
        new = apply_text(old, change)
        cursor = rng.randint(0, len(new))
        favored = sorted(rng.sample(range(len(old)), k=min(len(old), 3)))
        index = rng.randint(0, len(old))
        cases.append((old, new, change, cursor, favored, index))
    calls = []
    for old, new, change, cursor, favored, index in cases:
        calls += [
            {"fn": "diff", "args": [old, new, cursor]},
            {"fn": "diffKeeping", "args": [old, new, {"set": favored}]},
            {"fn": "splitFirst", "args": [change]},
            {"fn": "transformIndex", "args": [change, index]},
            {"fn": "insertedPositions", "args": [change]},
        ]
    results = iter(_run(calls))
    for old, new, change, _cursor, _favored, _index in cases:
        one, keeping, split, moved, inserted = (next(results)["ok"] for _ in range(5))
        assert apply_text(old, one) == new
        assert sum(isinstance(c, str) or c < 0 for c in one) <= 2  # one splice
        assert apply_text(old, keeping) == new
        # Keeping the most: never fewer characters kept than a single splice keeps.
        kept = sum(c for c in keeping if isinstance(c, int) and c > 0)
        assert kept >= sum(c for c in one if isinstance(c, int) and c > 0)
        if split is None:
            assert all(isinstance(c, int) and c > 0 for c in change)
        else:
            first = split["change"]
            assert first == splice(len(old), split["at"], split["delete"], split["insert"])
            rest = split["rest"] if split["rest"] is not None else [len(apply_text(old, first))]
            assert compose(first, normalize(rest)) == change
        assert 0 <= moved <= len(new)
        assert "".join(new[i] for i in inserted) == "".join(c for c in change if isinstance(c, str))
