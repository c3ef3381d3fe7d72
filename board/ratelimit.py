"""A per-connection token bucket: people typing never notice it, a flood does."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(2 * rate, 10.0)
        self._tokens = self.capacity
        self._clock = clock
        self._last = clock()
        self.strikes = 0
        """Refusals since the last accepted frame: a connection that keeps flooding is closed."""

    def take(self) -> bool:
        if self.rate <= 0:
            return True
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            self.strikes = 0
            return True
        self.strikes += 1
        return False

    @property
    def flooding(self) -> bool:
        return self.rate > 0 and self.strikes > max(20.0, self.capacity)
