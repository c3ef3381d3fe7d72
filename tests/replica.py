"""A protocol client that keeps a replica of the board, like the browser does: confirmed
state from the server's events, its own pending ops, resume with `since` and resend."""

from __future__ import annotations

import itertools
from typing import Any

from board.model import Context, Refusal, apply, load_template
from board.model.state import BoardState, from_wire
from board.model.visibility import apply_placeholder

_ids = itertools.count(1)


class Replica:
    def __init__(self, name: str) -> None:
        self.name = name
        self.confirmed: BoardState | None = None
        self.pending: dict[str, dict[str, Any]] = {}  # op id -> op, in send order
        self.acked: dict[str, int] = {}  # op id -> seq
        self.refused: dict[str, str] = {}  # op id -> error code

    @property
    def seq(self) -> int | None:
        return None if self.confirmed is None else self.confirmed.seq

    def hello(self, token: str) -> dict[str, Any]:
        return {"type": "hello", "client": self.name, "since": self.seq, "token": token}

    def new_op(self, op: dict[str, Any]) -> dict[str, Any]:
        op_id = f"{self.name}-{next(_ids)}"
        self.pending[op_id] = op
        return {"type": "op", "id": op_id, "op": op}

    def resend(self) -> list[dict[str, Any]]:
        """Every op still waiting for its acknowledgement, with its original id, in order."""
        return [{"type": "op", "id": i, "op": op} for i, op in self.pending.items()]

    def on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "welcome":
            if "state" in frame:
                self.confirmed = from_wire(load_template(), frame["state"])
            for event in frame.get("ops", []):
                self._event(event)
        elif kind == "op":
            self._event(frame)
        elif kind == "ops":
            for event in frame["ops"]:
                self._event(event)
        elif kind == "error" and frame["id"] in self.pending:
            if frame["code"] in ("unavailable", "rate_limited"):
                return  # stays pending: resent after the next reconnect
            del self.pending[frame["id"]]
            self.refused[frame["id"]] = frame["code"]

    def _event(self, event: dict[str, Any]) -> None:
        assert self.confirmed is not None
        if event["seq"] <= self.confirmed.seq:  # a resend answered with its original event
            if event["client"] == self.name and self.pending.pop(event["id"], None) is not None:
                self.acked[event["id"]] = event["seq"]
            return
        assert event["seq"] == self.confirmed.seq + 1, (self.name, event["seq"], self.seq)
        if event["op"].get("hidden"):
            apply_placeholder(self.confirmed, event)
        else:
            result = apply(self.confirmed, event["op"], Context(at=event["at"], by=event["by"]))
            assert not isinstance(result, Refusal), (self.name, event, result)
        if event["client"] == self.name:
            self.pending.pop(event["id"], None)
            self.acked[event["id"]] = event["seq"]
