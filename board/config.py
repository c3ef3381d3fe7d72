"""Settings: everything an operator can change, with defaults that suit one workshop room."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import time

from board.store.engine import default_url

DEFAULT_PORT = 8000


@dataclass(frozen=True, slots=True)
class Settings:
    db_url: str = field(default_factory=lambda: os.environ.get("BRICKBOARD_DB") or default_url())
    host: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    rate_limit: float = 30.0
    """Ops per second allowed per connection (a burst of twice that); 0 turns it off."""
    frame_max: int = 64 * 1024
    queue_bound: int = 4096
    """Frames queued for one client before it is cut off as too far behind."""
    hello_timeout: float = 10.0
    ping_interval: float = 20.0
    """Seconds between pings; a peer that does not answer within as long again is dropped."""
    allowed_origins: tuple[str, ...] = ()
    """Origins allowed for browser sockets, on top of this server's own addresses."""
    public_url: str | None = None
    """The address people in the room open (default: http://LAN-ADDRESS:PORT)."""
    certfile: str | None = None
    keyfile: str | None = None
    day_end: time = time(18, 0)
    """Local time (the workshop's zone) at which a session day closes by itself."""
    broker_url: str | None = None
    """redis://... when several server processes share the PostgreSQL database."""
    seed_demo: bool = False
    """Create the demo workshop at start when the database has no workshop yet."""

    @property
    def https(self) -> bool:
        return bool(self.certfile and self.keyfile)
