"""Apply: execute a Plan against the workspace, in parallel, within a request rate, never
creating duplicates.

Faults: 429/503 (with Retry-After) and connection errors are retried by databricks-sdk itself.
The SDK does not retry 500/502/504. For idempotent calls (PATCH with the same body, DELETE) we
retry those here (retry.py). A create whose outcome is unknown (timeout, 5xx, reset: the server may have
committed it) is never blindly re-sent: we first look in the managed folder for the alert with
the desired name and adopt it. The SDK's own retry of a POST can also land twice; the service then
stores the second as "Name (1)" and we trash that copy and adopt the first.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, PermissionDenied, ResourceDoesNotExist, Unauthenticated
from databricks.sdk.service.sql import AlertV2

from .errors import AlertSyncError, Stopped, describe
from .plan import CREATE, DELETE, ERROR, NOOP, UPDATE, LIST_PAGE_SIZE, Action, Plan, base_name
from .workspace_paths import folder_key
from .ratelimit import RateLimiter
from .retry import call_with_retries, outcome_unknown

FATAL = (PermissionDenied, Unauthenticated)


class NothingLanded(AlertSyncError):
    """A create whose outcome was unknown left nothing in the managed folder: safe to send again."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


@dataclass
class Result:
    action: Action
    status: str  # SUCCESS / ERROR / SKIPPED
    databricks_alert_id: str | None
    error: str | None = None
    latency_ms: float | None = None
    synced_at: datetime | None = None
    display_name: str | None = None

    def as_row(self, run_id: str) -> dict:
        a = self.action
        return {"sync_run_id": run_id, "alert_id": a.alert_id, "action": a.action if self.status != "ERROR" else ERROR,
                "status": self.status, "databricks_alert_id": self.databricks_alert_id,
                "display_name": self.display_name or a.display_name,
                "changed_fields": ",".join(a.changed_fields) or None, "error_message": self.error,
                "api_latency_ms": self.latency_ms, "synced_at": self.synced_at}


class Applier:
    def __init__(self, w: WorkspaceClient, parent_path: str, workers: int = 8, max_rps: float | None = None,
                 dry_run: bool = False, on_result: Callable[[Result], None] | None = None):
        self.w = w
        self.parent_path = parent_path
        self.workers = max(1, workers)
        self.limiter = RateLimiter(max_rps)
        self.dry_run = dry_run
        self.on_result = on_result or (lambda r: None)
        self.fatal: BaseException | None = None
        self.attempted = 0
        self.folder_error: str | None = None
        self._lock = threading.Lock()

    # --- calls -------------------------------------------------------------------------------
    def _call(self, fn, *args, idempotent: bool, **kwargs):
        """One API call, paced; idempotent calls are retried on outcome-unknown errors."""
        def once():
            if self.fatal is not None:
                raise Stopped()
            self.limiter.acquire()
            try:
                return fn(*args, **kwargs)
            except FATAL as exc:
                with self._lock:
                    self.fatal = self.fatal or exc
                raise

        return call_with_retries(once, retryable=outcome_unknown if idempotent else (lambda exc: False))

    def _find_in_folder(self, display_name: str) -> list[AlertV2]:
        alerts = self._call(lambda: list(self.w.alerts_v2.list_alerts(page_size=LIST_PAGE_SIZE)), idempotent=True)
        return sorted((a for a in alerts if folder_key(a.parent_path) == folder_key(self.parent_path)
                       and base_name(a.display_name or "") == display_name),
                      key=lambda a: (a.create_time or "", a.id))

    def _create(self, alert: AlertV2) -> AlertV2:
        def attempt() -> AlertV2:
            try:
                created = self._call(self.w.alerts_v2.create_alert, alert, idempotent=False)
            except Exception as exc:
                if not outcome_unknown(exc):
                    raise
                # The server may have committed it: adopt it rather than create a second one. Only
                # when nothing landed may the POST be sent again; any error while looking ends it.
                landed = self._find_in_folder(alert.display_name)
                if landed:
                    return self._dedupe(alert, landed)
                raise NothingLanded(exc) from exc
            if created.display_name != alert.display_name:
                # The name was taken (a create that landed twice): keep the oldest, trash the rest.
                return self._dedupe(alert, self._find_in_folder(alert.display_name) or [created])
            return created

        try:
            return call_with_retries(attempt, retryable=lambda exc: isinstance(exc, NothingLanded))
        except NothingLanded as exc:
            raise exc.error from None

    def _dedupe(self, alert: AlertV2, copies: list[AlertV2]) -> AlertV2:
        keep, extra = copies[0], copies[1:]
        for dup in extra:
            self._trash(dup.id)
        if keep.display_name != alert.display_name:  # only a "(1)" copy landed: give it its name
            keep = self._call(self.w.alerts_v2.update_alert, keep.id, alert, "display_name", idempotent=True)
        return keep

    def _trash(self, alert_id: str) -> None:
        try:
            self._call(self.w.alerts_v2.trash_alert, alert_id, idempotent=True)
        except (NotFound, ResourceDoesNotExist):
            pass  # already trashed (e.g. a retried DELETE whose first attempt landed)

    # --- actions -----------------------------------------------------------------------------
    def _execute(self, action: Action) -> Result:
        if action.action == ERROR:
            return Result(action, "ERROR", action.databricks_alert_id, action.error, synced_at=_now())
        if action.action == NOOP:
            return Result(action, "SKIPPED" if action.skipped else "SUCCESS", action.databricks_alert_id,
                          synced_at=_now())
        if self.dry_run:
            return Result(action, "SUCCESS", action.databricks_alert_id, synced_at=_now())
        if self.fatal is not None:
            return Result(action, "ERROR", action.databricks_alert_id,
                          f"not attempted: the run stopped after {describe(self.fatal)}", synced_at=_now())
        if action.action == CREATE and self.folder_error:
            return Result(action, "ERROR", None, self.folder_error, synced_at=_now())
        with self._lock:
            self.attempted += 1
        start = time.perf_counter()
        try:
            if action.action == CREATE:
                created = self._create(action.desired)
                alert_id, name = created.id, created.display_name
            elif action.action == UPDATE:
                updated = self._call(self.w.alerts_v2.update_alert, action.databricks_alert_id, action.desired,
                                     ",".join(action.changed_fields), idempotent=True)
                alert_id, name = updated.id or action.databricks_alert_id, updated.display_name
            elif action.action == DELETE:
                self._trash(action.databricks_alert_id)
                alert_id, name = action.databricks_alert_id, action.display_name
            else:
                raise ValueError(action.action)
        except Stopped:
            return Result(action, "ERROR", action.databricks_alert_id,
                          f"not attempted: the run stopped after {describe(self.fatal)}", synced_at=_now())
        except Exception as exc:
            return Result(action, "ERROR", action.databricks_alert_id, describe(exc),
                          latency_ms=_ms(start), synced_at=_now())
        return Result(action, "SUCCESS", alert_id, latency_ms=_ms(start), synced_at=_now(), display_name=name)

    def _run_one(self, action: Action) -> Result:
        result = self._execute(action)
        self.on_result(result)
        return result

    def apply(self, plan: Plan) -> list[Result]:
        if not self.dry_run and any(a.action == CREATE for a in plan.actions):
            try:  # creating an alert in a missing folder is a 404: make the managed folder first
                self._call(self.w.workspace.mkdirs, self.parent_path, idempotent=True)
            except Exception as exc:
                self.folder_error = f"cannot create the managed folder {self.parent_path}: {describe(exc)}"
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="alert-sync") as pool:
            return list(pool.map(self._run_one, plan.actions))


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
