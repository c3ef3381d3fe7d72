"""Join requests made with the room's code (issue 12, item 3), as a part of the Store.

A request remembers the laptop that made it: a hash of its device cookie (one pending
request per device), what its browser says it is, its address, and a short code its screen
shows. Requests never displace one another: the facilitator sees each and decides each.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from board.store import tables as t
from board.store.records import ParticipantRow
from board.timeutil import now_iso

CODE_DIGITS = 4


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Device:
    """The laptop asking: its cookie's hash, what its browser says it is, its address."""

    hash: str
    label: str
    address: str


class JoinRefused(Exception):
    """Why a join request was not recorded; `pending` is this device's request, if any."""

    def __init__(self, reason: str, pending: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pending = pending


def _request(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "workshop": row.workshop_id,
        "participant": row.participant_id,
        "status": row.status,
        "created_at": row.created_at,
        "device": row.device or "",
        "address": row.address or "",
        "code": row.code or "",
    }


class JoinRequestStore:
    """Mixed into Store, which provides the engine and the write lock."""

    engine: AsyncEngine

    @property
    def write_lock(self) -> Any:  # pragma: no cover - provided by Store
        raise NotImplementedError

    async def create_join_request(
        self, request_id: str, participant: ParticipantRow, device: Device, *, pending_max: int
    ) -> tuple[str, str]:
        """Record that `device` asks to sign in as `participant`: (the secret only that
        browser will hold, the code its screen shows). Raises JoinRefused when this device
        already has a pending request in the workshop (`pending` says which), or when the
        workshop has `pending_max` requests waiting already."""
        secret = secrets.token_urlsafe(32)
        pending = (t.join_requests.c.workshop_id == participant.workshop) & (
            t.join_requests.c.status == "pending"
        )
        async with self.write_lock, self.engine.begin() as conn:
            mine = (
                await conn.execute(
                    select(t.join_requests).where(
                        pending, t.join_requests.c.device_hash == device.hash
                    )
                )
            ).first()
            if mine is not None:
                raise JoinRefused("device", _request(mine))
            codes = {
                c for (c,) in await conn.execute(select(t.join_requests.c.code).where(pending))
            }
            if pending_max and len(codes) >= pending_max:
                raise JoinRefused("full")
            code = _fresh_code(codes)
            await conn.execute(
                t.join_requests.insert().values(
                    id=request_id,
                    workshop_id=participant.workshop,
                    participant_id=participant.id,
                    secret_hash=secret_hash(secret),
                    status="pending",
                    created_at=now_iso(),
                    device_hash=device.hash,
                    device=device.label[:200],
                    address=device.address[:64],
                    code=code,
                )
            )
        return secret, code

    async def join_requests(
        self, workshop_id: str, status: str = "pending"
    ) -> list[dict[str, Any]]:
        """The workshop's requests in this status, oldest first, with who they are for."""
        query = (
            select(t.join_requests, t.participants.c.name, t.participants.c.role)
            .join(t.participants, t.participants.c.id == t.join_requests.c.participant_id)
            .where(t.join_requests.c.workshop_id == workshop_id)
            .where(t.join_requests.c.status == status)
            .order_by(t.join_requests.c.created_at, t.join_requests.c.id)
        )
        async with self.engine.connect() as conn:
            return [
                {
                    "id": r.id,
                    "participant": r.participant_id,
                    "name": r.name,
                    "role": r.role,
                    "created_at": r.created_at,
                    "device": r.device or "",
                    "address": r.address or "",
                    "code": r.code or "",
                }
                for r in await conn.execute(query)
            ]

    async def join_request(
        self, request_id: str, secret: str | None = None
    ) -> dict[str, Any] | None:
        """A join request; with `secret`, only when it is the one the asking browser holds."""
        query = select(t.join_requests).where(t.join_requests.c.id == request_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        if secret is not None and not hmac.compare_digest(secret_hash(secret), row.secret_hash):
            return None
        return _request(row)

    async def set_join_request(self, request_id: str, status: str, *, was: str) -> bool:
        """Move a request from `was` to `status`; False if it was not in `was` any more."""
        async with self.write_lock, self.engine.begin() as conn:
            done = await conn.execute(
                update(t.join_requests)
                .where(t.join_requests.c.id == request_id, t.join_requests.c.status == was)
                .values(status=status)
            )
        return done.rowcount == 1


def _fresh_code(taken: set[str]) -> str:
    """A code of CODE_DIGITS digits that no pending request of the workshop shows."""
    while True:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        if code not in taken:
            return code
