"""Who is asking: invite tokens, browser sessions, and the Origin allow-list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class OriginPolicy:
    """Browser origins allowed to open sockets and send state-changing requests."""

    allowed: frozenset[str]

    def allows(self, origin: str | None) -> bool:
        return origin is not None and origin.rstrip("/").lower() in self.allowed

    @classmethod
    def of(cls, origins: list[str] | tuple[str, ...]) -> OriginPolicy:
        return cls(frozenset(o.rstrip("/").lower() for o in origins))


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
