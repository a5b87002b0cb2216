"""alert-sync's one retry loop, for the failures databricks-sdk leaves to its callers.

databricks-sdk retries 429/503 (after Retry-After), connection errors and timeouts on every call
itself, for its retry_timeout_seconds, then raises TimeoutError [_base_client.py _is_retryable,
retries.py]: that budget is spent, so alert-sync never retries a TimeoutError (five rounds of it
made an unreachable host cost 25 minutes). The SDK does not retry 500/502/504, whose outcome is
unknown: the server may have done the work. alert-sync retries those only where repeating is safe
(reads, PATCH with the same body, trash) and, for creates, only after looking for the alert that
may have landed (apply.py).

Written here rather than with databricks-sdk's `retries.retried`: that decorator sleeps 1-10 s
(plus jitter) per attempt and ends in a TimeoutError that hides the service's error, where an
apply wants a short backoff, a bounded number of attempts and the original error to report.
"""

from __future__ import annotations

import time
from typing import Callable, TypeVar

import requests
from databricks.sdk.errors import DatabricksError, DeadlineExceeded, InternalError, TemporarilyUnavailable, TooManyRequests

T = TypeVar("T")
RETRIES = 4  # retries after the first attempt


def outcome_unknown(exc: BaseException) -> bool:
    """The request may or may not have been executed by the server."""
    if isinstance(exc, (requests.ConnectionError, requests.Timeout, TimeoutError, DeadlineExceeded,
                        InternalError, TemporarilyUnavailable, TooManyRequests)):
        return True
    return type(exc) is DatabricksError  # unmapped statuses, e.g. 502 Bad Gateway


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt` (0-based): 0.2, 0.4, 0.8, 1.6, 2."""
    return min(0.2 * 2 ** attempt, 2.0)


def call_with_retries(fn: Callable[[], T], retryable: Callable[[BaseException], bool] = outcome_unknown,
                      retries: int = RETRIES, sleep: Callable[[float], None] | None = None) -> T:
    """fn(), tried again up to `retries` times while it raises an error that `retryable` accepts
    (never the SDK's TimeoutError: its retry budget is spent); the last error is raised as it was."""
    for attempt in range(retries + 1):
        try:
            return fn()
        except Exception as exc:
            if attempt == retries or isinstance(exc, TimeoutError) or not retryable(exc):
                raise
            (sleep or time.sleep)(backoff(attempt))
    raise AssertionError("unreachable")
