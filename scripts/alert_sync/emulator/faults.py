"""Fault injection and throttling: fault spec validation, the fault configuration (rules, added
latency, max rps), picking the rule that fires, the answer it gives, the max-rps sliding window.

Fault specs (``faults=[...]``, ``set_faults`` or ``POST /emulator/faults``)::

  {"method": "POST" | "*", "path_regex": "^/api/2\\.0/alerts(/|$)",
   "kind": "429" | "503" | "502" | "504" | "403" | "reset" | "commit_then_504" | "commit_then_reset",
   "probability": 0.5,      # fire on this share of matching requests (random.Random(seed)), or
   "count": 2,              # fire on the next 2 matching requests; neither: fire on every match
   "retry_after": 1}        # Retry-After seconds for 429/503 (default 1); null: no Retry-After header

The service may answer 429 / 503 without Retry-After: databricks-sdk expects that and then waits
its default second (databricks-sdk errors/customizer.py RetryAfterCustomizer, "No Retry-After header
received in response with status code 429 or 503").
"""

from __future__ import annotations

import copy
import random
import re
import time
from collections import deque

from .state import Store

FAULT_KINDS = ("429", "503", "502", "504", "403", "reset", "commit_then_504", "commit_then_reset")
DEFAULT_FAULT_PATH = r"^/api/2\.0/alerts(/|$)"


class Reset(Exception):
    """Close the connection without answering."""


def check_faults(faults) -> list[dict]:
    """Validates and normalises fault specs (raises ValueError)."""
    out = []
    for spec in faults or []:
        if not isinstance(spec, dict):
            raise ValueError(f"fault spec must be an object: {spec!r}")
        unknown = set(spec) - {"method", "path_regex", "kind", "probability", "count", "retry_after"}
        if unknown:
            raise ValueError(f"fault spec has unknown keys {sorted(unknown)}")
        kind = str(spec.get("kind"))
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind {spec.get('kind')!r} is not one of {', '.join(FAULT_KINDS)}")
        rule = {"method": str(spec.get("method", "*")).upper(),
                "path_regex": spec.get("path_regex") or DEFAULT_FAULT_PATH,
                "kind": kind, "retry_after": spec.get("retry_after", 1)}
        re.compile(rule["path_regex"])
        if "probability" in spec and "count" in spec:
            raise ValueError("fault spec takes probability or count, not both")
        if "probability" in spec:
            p = spec["probability"]
            if not isinstance(p, (int, float)) or not 0 <= p <= 1:
                raise ValueError(f"fault probability must be in [0, 1], got {p!r}")
            rule["probability"] = float(p)
        if "count" in spec:
            n = spec["count"]
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise ValueError(f"fault count must be a non-negative integer, got {n!r}")
            rule["count"] = n
        if rule["retry_after"] is not None and (not isinstance(rule["retry_after"], int) or rule["retry_after"] < 0):
            raise ValueError(f"retry_after must be a non-negative integer or null, got {rule['retry_after']!r}")
        out.append(rule)
    return out


class Faults(Store):
    """The fault rules, latency and rate limit of one emulator (``set_faults``)."""

    _faults: list[dict]
    _latency_ms: float
    _max_rps: float | None
    _seed: int
    _rng: random.Random
    _window: deque

    def set_faults(self, faults: list[dict] | None = None, latency_ms=None, max_rps=None,
                   seed=None) -> None:
        """Replace the fault rules (None = leave as is, [] = none); latency_ms/max_rps/seed
        likewise (max_rps 0 = no cap). A new seed restarts the fault RNG."""
        rules = check_faults(faults) if faults is not None else None
        if latency_ms is not None and (not isinstance(latency_ms, (int, float)) or latency_ms < 0):
            raise ValueError(f"latency_ms must be >= 0, got {latency_ms!r}")
        if max_rps is not None and (not isinstance(max_rps, (int, float)) or max_rps < 0):
            raise ValueError(f"max_rps must be >= 0, got {max_rps!r}")
        with self._lock:
            if rules is not None:
                self._faults = rules
            if latency_ms is not None:
                self._latency_ms = latency_ms
            if max_rps is not None:
                self._max_rps = max_rps or None
                self._window.clear()
            if seed is not None:
                self._seed = seed
                self._rng = random.Random(seed)

    def fault_config(self) -> dict:
        with self._lock:
            return {"faults": copy.deepcopy(self._faults), "latency_ms": self._latency_ms,
                    "max_rps": self._max_rps, "seed": self._seed}

    # -- per request ---------------------------------------------------------------------------
    def _rate_limited(self) -> bool:
        """Sliding 1 s window over admitted requests; caller holds the lock."""
        if not self._max_rps:
            return False
        now = time.monotonic()
        while self._window and now - self._window[0] >= 1.0:
            self._window.popleft()
        if len(self._window) >= self._max_rps:
            return True
        self._window.append(now)
        return False

    def _pick_fault(self, method, path):
        """First matching rule that fires; caller holds the lock."""
        for rule in self._faults:
            if rule["method"] not in ("*", method) or not re.search(rule["path_regex"], path):
                continue
            if "count" in rule:
                if rule["count"] <= 0:
                    continue
                rule["count"] -= 1
            elif "probability" in rule and self._rng.random() >= rule["probability"]:
                continue
            self._bump("faults_injected")
            self._bump("faults_by_kind", rule["kind"])
            return rule
        return None

    def _inject(self, rule) -> tuple[int, dict, dict]:
        """(status, payload, headers) the fault answers with; the reset kinds raise Reset."""
        kind = rule["kind"]
        if kind.endswith("reset"):
            with self._lock:
                self._bump("by_status", "reset")
            raise Reset()
        if kind.endswith("504"):
            return 504, {"error_code": "DEADLINE_EXCEEDED",
                         "message": "Gateway timeout (emulator fault)"}, {}
        if kind == "403":  # e.g. a permission revoked mid-run
            return 403, {"error_code": "PERMISSION_DENIED",
                         "message": "Permission denied (emulator fault)"}, {}
        if kind == "502":
            return 502, {"error_code": "BAD_GATEWAY", "message": "Bad gateway (emulator fault)"}, {}
        retry_after = {} if rule["retry_after"] is None else {"Retry-After": str(rule["retry_after"])}
        if kind == "503":
            return (503, {"error_code": "TEMPORARILY_UNAVAILABLE",
                          "message": "The service is temporarily unavailable (emulator fault)"}, retry_after)
        return 429, {"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "Too many requests (emulator fault)"}, retry_after
