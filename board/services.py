"""What the web and socket layers share while the server runs, owned by the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from board.auth import OriginPolicy
from board.backups import BackupKeeper
from board.config import Settings
from board.quotas import PersonQuotas
from board.rooms import RoomRegistry
from board.store import Store


@dataclass(slots=True)
class Services:
    settings: Settings
    store: Store
    rooms: RoomRegistry
    origins: OriginPolicy
    base_url: str
    """The address printed for the room, used in invite links."""
    quotas: PersonQuotas
    """Op rate and socket seats per person, across their sockets."""
    backups: BackupKeeper
    """The server's own backups (at day closes and on a schedule)."""

    def join_url(self, token: str) -> str:
        return f"{self.base_url}/join/{token}"
