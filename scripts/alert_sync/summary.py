"""The run summary: one definition for `plan`, `apply`, their --json output and the metrics row."""

from __future__ import annotations

from typing import Any, Iterable


def summarize(outcomes: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """(action, status) per alert -> {"total", "created", "updated", "unchanged", "deleted",
    "errors", "skipped", "success_rate"}. Actions count only when they succeeded; disabled alerts
    (SKIPPED) are left out of the success rate, which is 1.0 when nothing was considered."""
    pairs = list(outcomes)

    def done(action: str) -> int:
        return sum(1 for a, status in pairs if a == action and status == "SUCCESS")

    errors = sum(1 for _, status in pairs if status == "ERROR")
    skipped = sum(1 for _, status in pairs if status == "SKIPPED")
    considered = len(pairs) - skipped
    return {"total": len(pairs), "created": done("CREATE"), "updated": done("UPDATE"), "unchanged": done("NOOP"),
            "deleted": done("DELETE"), "errors": errors, "skipped": skipped,
            "success_rate": round((considered - errors) / considered, 4) if considered else 1.0}
