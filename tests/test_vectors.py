"""The shared conformance vectors hold for the Python reducer (Chromium checks the JS one)."""

from __future__ import annotations

import json

import pytest

from tests.make_vectors import HERE, run, unpack

VECTORS = [
    v
    for name in ("board", "stage")
    for v in unpack(json.loads((HERE / f"{name}.json").read_text()))
]


def test_the_vectors_cover_every_op_kind_and_both_outcomes() -> None:
    from board.model.kinds import KINDS

    kinds = {v["op"].get("kind") for v in VECTORS if isinstance(v["op"], dict)}
    assert set(KINDS) <= kinds
    assert {"state" in v["expect"] for v in VECTORS} == {True, False}


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_python_reducer_matches_vector(vector) -> None:
    assert run(vector["state"], vector["op"], vector["ctx"]) == vector["expect"]
