"""Apply: execute a Plan against the workspace, in parallel, within a request rate, never
creating duplicates.

Faults: 429/503 (with Retry-After) and connection errors are retried by databricks-sdk itself.
The SDK does not retry 500/502/504. For idempotent calls (PATCH with the same body, DELETE) we
retry those here (retry.py). A create whose outcome is unknown (timeout, 5xx, reset: the server may have
committed it) is never blindly re-sent: we first look in the managed folder for the alert with
the desired name and adopt it. The SDK's own retry of a POST can also land twice; the service then
stores the second as "Name (1)" and we purge that copy and adopt the first.

Removals run first, so a purge frees its place in the workspace's 1000 alerts (trashed ones count
too) and its display name before the creates and renames that may need them.
"""

from __future__ import annotations

import inspect
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import (
    NotFound, PermissionDenied, ResourceDoesNotExist, ResourceExhausted, TooManyRequests, Unauthenticated,
)
from databricks.sdk.service.sql import AlertsV2API, AlertV2

from .errors import AlertSyncError, Stopped, describe
from .plan import CREATE, DELETE, ERROR, NOOP, UPDATE, LIST_PAGE_SIZE, Action, Plan, base_name
from .workspace_paths import folder_key
from .ratelimit import RateLimiter
from .retry import call_with_retries, outcome_unknown

FATAL = (PermissionDenied, Unauthenticated)
ALERT_QUOTA = 1000  # alerts per workspace, trashed ones included (databricks/cli PR #4505)
# databricks-sdk >= 0.81: AlertsV2API.trash_alert(id, *, purge=None). Newer releases add headers in
# that method rather than in the API client (0.167 sends X-Databricks-Workspace-Id when the config
# has a workspace_id), so a purge goes through it whenever it can.
TRASH_TAKES_PURGE = "purge" in inspect.signature(AlertsV2API.trash_alert).parameters


def quota_hint(exc: BaseException) -> str:
    """The fix for a create the service refused because the workspace is full, else ''."""
    if isinstance(exc, TooManyRequests) and not isinstance(exc, ResourceExhausted):
        return ""  # a request-rate limit, not the alert quota
    text = f"{getattr(exc, 'error_code', '') or ''} {exc}".lower()
    if not any(word in text for word in ("limit", "quota", "exhausted", "maximum number")):
        return ""
    return (f" The workspace holds at most {ALERT_QUOTA} alerts, and alerts in the trash count until they are purged "
            f"(30 days after trashing): purge the ones you no longer need, e.g. with `alert-sync apply --prune` for "
            f"this folder (without --trash-only), or empty the trash in the workspace UI.")


def permission_hint(exc: BaseException, what: str) -> str:
    return f" {what}" if isinstance(exc, PermissionDenied) else ""


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
                 dry_run: bool = False, on_result: Callable[[Result], None] | None = None,
                 folder_ready: bool = False):
        self.w = w
        self.folder_ready = folder_ready  # the managed folder was just made (the apply lock's mkdirs)
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
    def _call(self, fn, *args, idempotent: bool, fatal: bool = True, **kwargs):
        """One API call, paced; idempotent calls are retried on outcome-unknown errors.

        PERMISSION_DENIED / UNAUTHENTICATED stop the run (the next call would get the same) unless
        `fatal` is False: a refusal that is about this one call (a purge, a run_as, the folder)."""
        def once():
            if self.fatal is not None:
                raise Stopped()
            self.limiter.acquire()
            try:
                return fn(*args, **kwargs)
            except FATAL as exc:
                if fatal or isinstance(exc, Unauthenticated):
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
                created = self._call(self.w.alerts_v2.create_alert, alert, idempotent=False,
                                     fatal=alert.run_as is None)
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
            self._delete(dup.id, purge=True)  # a duplicate in the trash would still count against the quota
        if keep.display_name != alert.display_name:  # only a "(1)" copy landed: give it its name
            keep = self._call(self.w.alerts_v2.update_alert, keep.id, alert, "display_name", idempotent=True)
        return keep

    def _delete(self, alert_id: str, purge: bool) -> None:
        if purge and TRASH_TAKES_PURGE:
            def call():  # the SDK's own request, with every header it sends (X-Databricks-Workspace-Id...)
                return self.w.alerts_v2.trash_alert(alert_id, purge=True)
        elif purge:
            # databricks-sdk 0.77-0.80's AlertsV2API.trash_alert has no purge argument, while the REST
            # API takes DELETE /api/2.0/alerts/{id}?purge=true (the Terraform provider's
            # purge_on_delete, databricks/cli PR #4505): sent by hand through the SDK's own API
            # client (auth, retries, typed errors), with the headers those SDKs' trash_alert sends.
            def call():
                return self.w.api_client.do("DELETE", f"/api/2.0/alerts/{alert_id}", query={"purge": "true"},
                                            headers={"Accept": "application/json"})
        else:
            def call():
                return self.w.alerts_v2.trash_alert(alert_id)
        try:
            self._call(call, idempotent=True, fatal=not purge)
        except (NotFound, ResourceDoesNotExist):
            pass  # already gone (e.g. a retried DELETE whose first attempt landed)
        except PermissionDenied as exc:
            if not purge:
                raise
            raise PermissionDenied(
                f"{describe(exc)}. Purging an alert needs CAN MANAGE on it (its owner or a workspace admin has it): "
                f"ask for that permission, or pass --trash-only to move it to the trash instead (restorable for "
                f"30 days, but it keeps counting against the workspace's {ALERT_QUOTA} alerts)",
                error_code="PERMISSION_DENIED") from exc

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
                mask = action.update_mask
                updated = self._call(self.w.alerts_v2.update_alert, action.databricks_alert_id, action.desired,
                                     mask, idempotent=True, fatal="run_as" not in mask.split(","))
                alert_id, name = updated.id or action.databricks_alert_id, updated.display_name
            elif action.action == DELETE:
                self._delete(action.databricks_alert_id, purge=action.purge)
                alert_id, name = action.databricks_alert_id, action.display_name
            else:
                raise ValueError(action.action)
        except Stopped:
            return Result(action, "ERROR", action.databricks_alert_id,
                          f"not attempted: the run stopped after {describe(self.fatal)}", synced_at=_now())
        except Exception as exc:
            hint = quota_hint(exc) if action.action == CREATE else ""
            carried_run_as = action.desired is not None and action.desired.run_as is not None and (
                action.action == CREATE or (action.action == UPDATE and "run_as" in action.update_mask.split(",")))
            if carried_run_as:
                hint += permission_hint(exc, run_as_hint(action.desired))
            return Result(action, "ERROR", action.databricks_alert_id, describe(exc) + hint,
                          latency_ms=_ms(start), synced_at=_now())
        return Result(action, "SUCCESS", alert_id, latency_ms=_ms(start), synced_at=_now(), display_name=name)

    def _run_one(self, action: Action) -> Result:
        result = self._execute(action)
        self.on_result(result)
        return result

    def apply(self, plan: Plan) -> list[Result]:
        if not self.dry_run and not self.folder_ready and any(a.action == CREATE for a in plan.actions):
            try:  # creating an alert in a missing folder is a 404: make the managed folder first
                self._call(self.w.workspace.mkdirs, self.parent_path, idempotent=True, fatal=False)
            except Exception as exc:
                self.folder_error = (f"cannot create the managed folder {self.parent_path}: {describe(exc)}"
                                     + permission_hint(exc, folder_permission_hint(self.parent_path)))
        results: dict[int, Result] = {}
        # Removals first: they free quota and display names the creates and renames may need.
        phases = ([i for i, a in enumerate(plan.actions) if a.action == DELETE],
                  [i for i, a in enumerate(plan.actions) if a.action != DELETE])
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="alert-sync") as pool:
            for phase in phases:
                for i, result in zip(phase, pool.map(self._run_one, [plan.actions[i] for i in phase])):
                    results[i] = result
        return [results[i] for i in range(len(plan.actions))]


def run_as_hint(alert: AlertV2) -> str:
    """What a PERMISSION_DENIED on an alert that sets run_as asks for [SDK AlertV2RunAs docstrings]."""
    ra = alert.run_as
    if ra.service_principal_name:
        return (f"Setting run_as to service principal {ra.service_principal_name} needs the Service principal: User "
                f"role (servicePrincipal/user) on it: ask a workspace admin to grant it to the deploying identity, "
                f"or change the dbt var alerts_run_as.")
    return (f"A user may set run_as only to their own user name, not {ra.user_name}: deploy as {ra.user_name}, or set "
            f"the dbt var alerts_run_as to a service principal's application id.")


def folder_permission_hint(path: str) -> str:
    parent = path.rstrip("/").rsplit("/", 1)[0] or "/"
    return (f"Writing there needs CAN MANAGE on the folder (or on {parent}, to create it): ask its owner or a "
            f"workspace admin for it, or choose a folder you may write with --parent-path / the dbt var "
            f"alerts_parent_path.")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
