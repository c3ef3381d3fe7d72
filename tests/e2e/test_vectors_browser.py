"""The conformance vectors in real Chromium: the browser's reducers, as the page loads them.

tests/vectors/board.json and stage.json are written from the Python reducer
(`python -m tests.make_vectors`, checked by tests/test_vectors.py). Here a signed-in page of
the real server imports /static/js/model.js and /static/js/stage.js (the very files and
headers a browser gets, under the page's Content-Security-Policy) and runs every vector:
the refusal (code and sentence) or the resulting state in its wire shape must be exactly
the expected one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import token_of
from tests.e2e.conftest import OpenPage
from tests.make_vectors import HERE, unpack

pytestmark = pytest.mark.browser

# Runs in the page: states come once per file (vectors refer to them by index), each vector
# starts from a fresh copy of its state, and the result is the wire shape (toWire) or the
# refusal, as `run` in tests/make_vectors.py gives it.
RUN_VECTORS = """
async ({ board, stage }) => {
  const model = await import("/static/js/model.js");
  const stageJs = await import("/static/js/stage.js");
  const template = model.makeTemplate(await (await fetch("/api/template")).json());
  const boardResults = board.vectors.map((v) => {
    const state = model.fromWire(structuredClone(board.states[v.state]));
    const ctx = { ...structuredClone(v.ctx), template };
    const result = model.apply(state, structuredClone(v.op), ctx);
    if (model.isRefusal(result)) return { refusal: { code: result.code, message: result.message } };
    return { state: JSON.parse(JSON.stringify(model.toWire(state, template))) };
  });
  const sectionIds = template.sectionIds;
  const stageResults = stage.vectors.map((v) => {
    const state = structuredClone(stage.states[v.state]);
    const ctx = { ...structuredClone(v.ctx), sectionIds };
    const result = stageJs.applyStage(state, structuredClone(v.op), ctx);
    if (stageJs.isRefusal(result)) {
      return { refusal: { code: result.code, message: result.message } };
    }
    return { state: JSON.parse(JSON.stringify(state)) };
  });
  return { board: boardResults, stage: stageResults };
}
"""


def _load(name: str) -> dict[str, Any]:
    return json.loads((HERE / f"{name}.json").read_text())


def _differences(expected: Any, got: Any, path: str = "") -> list[str]:
    """Where two JSON values differ (ints and floats of the same value are equal, as JSON)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        out = []
        for key in sorted(expected.keys() | got.keys()):
            if key not in got:
                out.append(f"{path}.{key}: missing (expected {expected[key]!r})")
            elif key not in expected:
                out.append(f"{path}.{key}: unexpected {got[key]!r}")
            else:
                out.extend(_differences(expected[key], got[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        return [
            d
            for i, (e, g) in enumerate(zip(expected, got, strict=False))
            for d in _differences(e, g, f"{path}[{i}]")
        ]
    if type(expected) is bool or type(got) is bool:
        same = type(expected) is type(got) and expected == got
    else:
        same = expected == got
    return [] if same else [f"{path or '.'}: expected {expected!r}, got {got!r}"]


async def test_browser_reducers_pass_every_conformance_vector(
    open_page: OpenPage, demo: dict[str, Any]
) -> None:
    page = await open_page(token_of(demo, "expert"), "/boards")
    board, stage = _load("board"), _load("stage")
    results = await page.evaluate(RUN_VECTORS, {"board": board, "stage": stage})

    mismatches = []
    checked = {"state": 0, "refusal": 0}
    for name, data in (("board", board), ("stage", stage)):
        vectors = unpack(data)
        assert len(results[name]) == len(vectors)
        for vector, got in zip(vectors, results[name], strict=True):
            diff = _differences(vector["expect"], got)
            if diff:
                mismatches.append(f"{vector['name']} ({vector['op']!r}): " + "; ".join(diff[:5]))
            checked["state" if "state" in vector["expect"] else "refusal"] += 1
    assert not mismatches, f"{len(mismatches)} vectors differ:\n" + "\n".join(mismatches)
    assert checked["state"] > 50 and checked["refusal"] > 50, checked
    assert page.js_errors == []  # type: ignore[attr-defined]
