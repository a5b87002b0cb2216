"""Client-side rate limiting: databricks-sdk's `rate_limit` setting is not implemented in Python,
so alert-sync paces its own calls (a token bucket shared by all workers)."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, max_rps: float | None, burst: int | None = None):
        self.rate = max_rps if max_rps and max_rps > 0 else None
        self.capacity = float(burst or max(1, int(self.rate or 1)))
        self._tokens = self.capacity
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if self.rate is None:
            return
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self.rate
            time.sleep(wait)
