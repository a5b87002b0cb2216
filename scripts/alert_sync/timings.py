"""Where a plan/apply spends its time: a debug hook for bench/bench_sync.py and for anyone asking.

With ALERT_SYNC_TIMINGS=<file> set, the run writes to that file at exit, as JSON, each phase it
went through (start and end in seconds since the CLI module was imported, and the workspace
requests sent during it) and `epoch`, the wall-clock time of that import (so a caller that timed
the process launch can tell the interpreter's own start-up). Without it, `phase()` only yields.

A request counts for the phase open in its own thread, else for the innermost phase open in the
main thread (the apply workers' creates count for "creates"). Phases may repeat (apply lists
the alerts before and under its lock) and may overlap (two listings at once): each occurrence
is one entry.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

ENV = "ALERT_SYNC_TIMINGS"
EPOCH = time.time()
_T0 = time.perf_counter()


def now() -> float:
    """Seconds since the CLI module was imported."""
    return time.perf_counter() - _T0


class _Recorder:
    def __init__(self, path: str):
        self.path = path
        self.spans: list[dict[str, Any]] = []
        self.unattributed = 0
        self._local = threading.local()
        self._main: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        outer = getattr(self._local, "span", None)
        if outer is not None and outer["phase"] == name:  # already in it (a lazy lookup inside its phase)
            yield
            return
        span = {"phase": name, "start": now(), "end": None, "requests": 0}
        with self._lock:
            self.spans.append(span)
        self._local.span = span
        main = threading.current_thread() is threading.main_thread()
        if main:
            self._main.append(span)
        try:
            yield
        finally:
            span["end"] = now()
            self._local.span = outer
            if main:
                self._main.remove(span)

    def span(self, name: str, start: float, end: float) -> None:
        with self._lock:
            self.spans.append({"phase": name, "start": start, "end": end, "requests": 0})

    def request(self) -> None:
        span = getattr(self._local, "span", None) or (self._main[-1] if self._main else None)
        with self._lock:
            if span is None:
                self.unattributed += 1
            else:
                span["requests"] += 1

    def write(self) -> None:
        try:
            with open(self.path, "w") as f:
                json.dump({"epoch": EPOCH, "exit": now(), "spans": self.spans, "unattributed": self.unattributed}, f)
        except OSError:  # a debug aid: never the reason a run fails
            pass


_recorder = _Recorder(os.environ[ENV]) if os.environ.get(ENV) else None
if _recorder is not None:
    atexit.register(_recorder.write)


@contextmanager
def phase(name: str) -> Iterator[None]:
    if _recorder is None:
        yield
        return
    with _recorder.phase(name):
        yield


def span(name: str, start: float, end: float) -> None:
    """A phase that ran elsewhere (the dbt target helper process), in seconds since import."""
    if _recorder is not None:
        _recorder.span(name, start, end)


def request() -> None:
    """One workspace request sent (connection.BoundedAdapter)."""
    if _recorder is not None:
        _recorder.request()
