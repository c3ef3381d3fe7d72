"""Limits per person, across all of their sockets (an op rate, how many sockets at once), per
board (how many cards), and per network address (joining with the room's code).

A per-socket limit is no limit when one person may open any number of sockets (one expert on
20 sockets added 20,082 cards in 40 s). The counts live in this process; with several
processes each keeps its own, so a person spread over N processes gets N times the rate.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from board.model import BoardState, Refusal
from board.model.kinds import makes_cards
from board.ratelimit import TokenBucket


@dataclass(slots=True)
class _Person:
    bucket: TokenBucket
    opens: TokenBucket
    sockets: int = 0


@dataclass
class PersonQuotas:
    rate: float
    """Ops per second per person (0: no limit)."""
    sockets: int
    """Sockets per person at once (0: no cap)."""
    opens_per_minute: float = 0.0
    """Sockets a person may open per minute, after a burst of twice `sockets` (reloading a
    page of many feeds a few times), 0: no limit. A socket closed for flooding cannot simply
    be opened again with a fresh frame budget."""
    clock: Callable[[], float] = time.monotonic
    _people: dict[str, _Person] = field(default_factory=dict)

    def _person(self, person: str) -> _Person:
        found = self._people.get(person)
        if found is None:  # kept after the last socket closes: reconnecting refills nothing
            opens = TokenBucket(
                self.opens_per_minute / 60, burst=max(1.0, 2.0 * self.sockets), clock=self.clock
            )
            found = self._people[person] = _Person(TokenBucket(self.rate, clock=self.clock), opens)
        return found

    def seat(self, person: str) -> TokenBucket | str:
        """Take one of the person's socket seats: their shared op bucket, or why not (all
        their seats are taken, or they opened too many sockets just now)."""
        found = self._person(person)
        if self.sockets and found.sockets >= self.sockets:
            return (
                f"You have {self.sockets} connections open already; close some tabs or windows "
                "and reload."
            )
        if not found.opens.take():
            return "You opened too many connections just now; wait a moment and reload."
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
    adding = makes_cards(ops)
    if adding and len(state.cards) + adding > cap:
        return Refusal(
            "too_large",
            f"This board has reached its limit of {cap:,} cards; "
            "remove or merge some before adding more.",
        )
    return None


@dataclass
class PerAddress:
    """A token bucket per client address, for what anyone on the room's network may try
    (looking up a room code, asking to join). The least recently seen addresses are
    forgotten past `keep`, so a flood of addresses cannot grow it without bound."""

    per_minute: float
    keep: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _buckets: OrderedDict[str, TokenBucket] = field(default_factory=OrderedDict)

    def take(self, address: str) -> bool:
        bucket = self._buckets.get(address)
        if bucket is None:
            rate = self.per_minute / 60
            bucket = TokenBucket(rate, burst=max(1.0, self.per_minute / 2), clock=self.clock)
            self._buckets[address] = bucket
            if len(self._buckets) > self.keep:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(address)
        return bucket.take()
