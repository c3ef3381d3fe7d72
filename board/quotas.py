"""Limits per person, across all of their sockets (an op rate, how many sockets at once), and
per board (how many cards).

A per-socket limit is no limit when one person may open any number of sockets (one expert on
20 sockets added 20,082 cards in 40 s). The counts live in this process; with several
processes each keeps its own, so a person spread over N processes gets N times the rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from board.model import BoardState, Refusal
from board.ratelimit import TokenBucket

CARD_MAKERS = frozenset({"card.add"})
"""Op kinds that put a new card on the board."""


@dataclass(slots=True)
class _Person:
    bucket: TokenBucket
    sockets: int = 0


@dataclass
class PersonQuotas:
    rate: float
    """Ops per second per person (0: no limit)."""
    sockets: int
    """Sockets per person at once (0: no cap)."""
    clock: Callable[[], float] = time.monotonic
    _people: dict[str, _Person] = field(default_factory=dict)

    def _person(self, person: str) -> _Person:
        found = self._people.get(person)
        if found is None:  # kept after the last socket closes: reconnecting refills nothing
            found = self._people[person] = _Person(TokenBucket(self.rate, clock=self.clock))
        return found

    def seat(self, person: str) -> TokenBucket | None:
        """Take one of the person's socket seats: their shared op bucket, or None when all
        their seats are taken."""
        found = self._person(person)
        if self.sockets and found.sockets >= self.sockets:
            return None
        found.sockets += 1
        return found.bucket

    def leave(self, person: str) -> None:
        self._people[person].sockets -= 1

    def open_sockets(self, person: str) -> int:
        found = self._people.get(person)
        return found.sockets if found else 0


def over_card_cap(state: BoardState, ops: list[dict], cap: int) -> Refusal | None:
    """Why `ops` may not go on the board: they would take it past `cap` cards (0: no cap).

    Checked by the room before an op is applied, not by the reducer, so the cap can change
    between versions without a stored log ever failing to replay."""
    if not cap:
        return None
    adding = sum(1 for op in ops if isinstance(op, dict) and op.get("kind") in CARD_MAKERS)
    if adding and len(state.cards) + adding > cap:
        return Refusal(
            "too_large",
            f"This board has reached its limit of {cap:,} cards; "
            "remove or merge some before adding more.",
        )
    return None
