"""Settings: everything an operator can change, with defaults that suit one workshop room."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import time

from board.store.engine import default_url

DEFAULT_PORT = 8000
DEFAULT_FRAME_RATE = 100.0
DEFAULT_MAX_CARDS = 2000


@dataclass(frozen=True, slots=True)
class Settings:
    db_url: str = field(default_factory=lambda: os.environ.get("BRICKBOARD_DB") or default_url())
    host: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    rate_limit: float = 30.0
    """Ops per second allowed per person, across all their sockets (a burst of twice that).
    0 is for benchmarks: it also turns off the frame budget and the card cap, unless those
    are set explicitly. Never run a workshop with it."""
    frame_rate: float | None = None
    """Frames per second per socket, every frame counted (pings, presence, unparsable ones;
    a burst of twice that); a socket past it is closed with 4429. None: 100, or off when
    `rate_limit` is 0."""
    sockets_per_person: int = 32
    """Sockets one person may hold open at once (tabs, the projector's feeds); 0: no cap."""
    max_cards: int | None = None
    """Cards on one board; None: 2,000, or no cap when `rate_limit` is 0."""
    body_max: int = 256 * 1024
    """Bytes of any request body (set-up, snapshots, restores)."""
    join_body_max: int = 4 * 1024
    """Bytes of a room-code join request, which anyone with the code can send."""
    import_max: int = 20 * 1024 * 1024
    """Bytes of a board export sent for import."""
    header_timeout: float = 10.0
    """Seconds a connection has to send a request's headers (first, or next on keep-alive)."""
    body_timeout: float = 60.0
    """Seconds a request has to send its body once its headers are in."""
    connections_per_address: int = 64
    """Open connections (HTTP and sockets) from one address; 0 (behind a proxy): no cap."""
    max_connections: int = 4096
    """Open connections in all; lowered at start to fit the open-file limit."""
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
    backup_dir: str | None = None
    """Where the server keeps its own backups (None: backups/ beside a SQLite file, else
    data/backups/)."""
    backup_every: float = 1800.0
    """Seconds between scheduled backups (0: only at day closes)."""
    backup_keep: int = 48
    """Scheduled backups kept, the newest; day-close backups are always kept."""

    @property
    def https(self) -> bool:
        return bool(self.certfile and self.keyfile)

    @property
    def frame_budget(self) -> float:
        """Frames per second per socket (0: no budget)."""
        if self.frame_rate is not None:
            return self.frame_rate
        return 0.0 if self.rate_limit == 0 else DEFAULT_FRAME_RATE

    @property
    def card_cap(self) -> int:
        """Cards per board (0: no cap)."""
        if self.max_cards is not None:
            return self.max_cards
        return 0 if self.rate_limit == 0 else DEFAULT_MAX_CARDS
