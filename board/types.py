"""Shared aliases and the one interface the rooms need from a connection."""

from __future__ import annotations

from typing import Protocol

BoardId = str
WorkshopId = str
ParticipantId = str
OpId = str
Seq = int


class Transport(Protocol):
    """What a room needs from a client connection: send a text frame, close it."""

    async def send_text(self, text: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...
