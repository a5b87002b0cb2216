"""Client-side rate limiting: databricks-sdk's `rate_limit` setting is not implemented in Python,
so alert-sync paces its own calls (a token bucket shared by all workers)."""

from __future__ import annotations

import threading
import time
from typing import Callable


class RateLimiter:
    """At most `max_rps` calls per second on average, with bursts of up to `burst` (default: one
    second's worth). None or 0 means no limit.

    A caller that finds the bucket empty takes its token on credit and sleeps exactly until that
    token is due, once: waiting workers do not wake up to poll (they would compete for the GIL with
    the threads doing real work).
    """

    def __init__(self, max_rps: float | None, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.rate = max_rps if max_rps and max_rps > 0 else None
        self.capacity = float(burst or max(1, int(self.rate or 1)))
        self._clock, self._sleep = clock, sleep
        self._tokens = self.capacity
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if self.rate is None:
            return
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate) - 1
            self._last = now
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait:
            self._sleep(wait)
