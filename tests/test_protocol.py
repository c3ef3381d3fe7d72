"""Client frame validation, and the committed schemas/ matching the pydantic models."""

from __future__ import annotations

import pytest

from board import schemas
from board.protocol import BadFrame, Hello, OpFrame, PresenceFrame, parse_client_frame


def test_valid_frames_parse() -> None:
    assert isinstance(parse_client_frame({"type": "hello", "client": "tab1", "since": None}), Hello)
    assert isinstance(parse_client_frame({"type": "presence", "focus": None}), PresenceFrame)
    frame = parse_client_frame(
        {"type": "op", "id": "o1", "op": {"kind": "card.delete", "card": "c1"}}
    )
    assert isinstance(frame, OpFrame) and frame.op.kind == "card.delete"


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        ([], "JSON object"),
        ({"client": "x"}, "Unknown frame type"),
        ({"type": "shout"}, "Unknown frame type"),
        ({"type": "hello"}, "client"),
        ({"type": "hello", "client": "x" * 65}, "client"),
        ({"type": "hello", "client": "x", "since": -1}, "since"),
        ({"type": "hello", "client": "x", "since": "1"}, "since"),
        ({"type": "op", "id": "o", "op": {"kind": "card.explode"}}, "card.explode"),
        ({"type": "op", "id": "", "op": {"kind": "card.delete", "card": "c"}}, "id"),
        ({"type": "op", "id": "o", "op": {"kind": "card.delete"}}, "card"),
        ({"type": "op", "id": "o", "op": {"kind": "card.delete", "card": "c", "x": 1}}, "x"),
        (
            {
                "type": "op",
                "id": "o",
                "op": {"kind": "card.update", "card": "c", "set": {"text": {"nested": 1}}},
            },
            "set",
        ),
        ({"type": "presence", "focus": {"card": "c"}}, "section"),
    ],
)
def test_invalid_frames_say_where_and_why(frame: object, words: str) -> None:
    with pytest.raises(BadFrame) as caught:
        parse_client_frame(frame)
    assert words in caught.value.message


def test_committed_schemas_match_the_models() -> None:
    assert schemas.stale() == [], "run: python -m board.schemas"


def test_stale_schemas_are_detected(tmp_path) -> None:
    (tmp_path / "op.schema.json").write_text("{}")
    assert "op.schema.json" in schemas.stale(tmp_path)
