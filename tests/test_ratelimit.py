"""The client-side rate limiter, on a fake clock: pacing is arithmetic, not timing."""

from __future__ import annotations

import pytest

from alert_sync.ratelimit import RateLimiter

pytestmark = pytest.mark.unit  # no dbt, no emulator: `make test-fast`


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 9))


def limiter(max_rps, burst=None) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    return RateLimiter(max_rps, burst, clock=clock.monotonic, sleep=clock.sleep), clock


def test_a_burst_passes_then_each_caller_sleeps_once_until_its_token_is_due():
    rl, clock = limiter(10, burst=2)
    for _ in range(5):
        rl.acquire()  # all at t=0, as parallel workers would
    # 2 from the bucket; the 3rd..5th take tokens on credit, due 0.1 s apart: one sleep each.
    assert clock.sleeps == [0.1, 0.2, 0.3]


def test_the_average_rate_holds_over_time():
    rl, clock = limiter(100)
    for _ in range(100):
        rl.acquire()  # the initial burst: one second's worth
    assert clock.sleeps == []
    clock.now = 0.5  # half a second later 50 tokens are back
    for _ in range(60):
        rl.acquire()
    assert len(clock.sleeps) == 10 and clock.sleeps[-1] == 0.1


def test_no_limit_never_sleeps():
    for value in (None, 0):
        rl, clock = limiter(value)
        for _ in range(1000):
            rl.acquire()
        assert clock.sleeps == []
