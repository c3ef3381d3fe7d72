"""Who is asking: invite tokens, browser sessions, and the Origin allow-list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from board.model import Actor
from board.model.permissions import Role
from board.store import ParticipantRow, Store

SESSION_COOKIE = "bb_session"


def actor_of(participant: ParticipantRow) -> Actor:
    return Actor(
        id=participant.id,
        role=Role(participant.role),
        workshop=participant.workshop,
        name=participant.name,
        city=participant.city,
    )


DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normal_origin(origin: str) -> str | None:
    """scheme://host[:port] in one spelling: lower case, and without the scheme's default
    port, which browsers leave out of `Origin` (behind a proxy on 443, `Origin` is
    `https://board.example.org`, never `https://board.example.org:443`). None if unreadable."""
    try:
        parts = urlsplit(origin.strip().rstrip("/"))
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    if port is None or DEFAULT_PORTS.get(scheme) == port:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


@dataclass(frozen=True, slots=True)
class OriginPolicy:
    """Browser origins allowed to open sockets and send state-changing requests."""

    allowed: frozenset[str]

    def allows(self, origin: str | None) -> bool:
        return origin is not None and normal_origin(origin) in self.allowed

    @classmethod
    def of(cls, origins: list[str] | tuple[str, ...]) -> OriginPolicy:
        return cls(frozenset(n for o in origins if (n := normal_origin(o)) is not None))


async def participant_from(
    store: Store, cookies: Mapping[str, str], headers: Mapping[str, str]
) -> ParticipantRow | None:
    """The participant behind a session cookie or an `Authorization: Bearer` invite token."""
    secret = cookies.get(SESSION_COOKIE)
    if secret:
        participant = await store.session_participant(secret)
        if participant is not None:
            return participant
    authorization = headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        return await store.participant_by_token(token.strip())
    return None
