"""What the deployed alerts report: the state the service gives each managed alert.

Databricks runs each alert on its schedule and sets `evaluation.state` (OK, TRIGGERED, ERROR,
UNKNOWN) and `evaluation.last_evaluated_at` [databricks-sdk AlertV2Evaluation: "Latest state of
alert evaluation" / "Timestamp of the last evaluation"], next to `lifecycle_state`, the schedule's
`pause_status` and who it runs as. The alerts list (GET /api/2.0/alerts) returns all of it, and
plan/apply list the managed folder anyway: apply records one row per managed alert in
alert_sync.alert_observations from that same list (no request added), and `alert-sync status`
prints it (one list, nothing written).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from databricks.sdk.service.sql import AlertV2

from .drift import changed_outside
from .identity import marked_alert_id
from .output import fmt_run_as
from .plan import run_as_identity

STATES = ("TRIGGERED", "ERROR", "OK", "UNKNOWN")


def _enum(value: Any) -> str | None:
    return value.value if hasattr(value, "value") else value


def parse_time(value: str | None) -> datetime | None:
    """An RFC 3339 timestamp of the API (e.g. 2026-12-05T17:00:00.123Z) as naive UTC, the metrics' convention."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def alert_status(a: AlertV2, outside: list[str] | None) -> dict[str, Any]:
    """One alert as the service reports it; `outside`: drift.changed_outside (None: not decidable)."""
    e = a.evaluation
    run_as = run_as_identity(a)
    return {
        "alert_id": marked_alert_id(a.query_text),
        "databricks_alert_id": a.id,
        "display_name": a.display_name,
        "evaluation_state": _enum(e.state) if e else None,
        "last_evaluated_at": e.last_evaluated_at if e else None,
        "lifecycle_state": _enum(a.lifecycle_state),
        # absent means UNPAUSED, the documented default [SDK CronSchedule.pause_status]
        "pause_status": (_enum(a.schedule.pause_status) or "UNPAUSED") if a.schedule else None,
        "effective_run_as": fmt_run_as(run_as) if run_as else None,
        "changed_outside_dbt": outside,
    }


def observation_rows(observed: list[AlertV2], observed_at: datetime, run_id: str,
                     outside_by_id: dict[str, list[str] | None]) -> list[dict[str, Any]]:
    """The alert_observations rows of one run: `observed`, the managed alerts the plan listed;
    `outside_by_id`, what the plan found changed outside dbt per databricks id."""
    rows = []
    for a in observed:
        status = alert_status(a, outside_by_id.get(a.id) if a.id in outside_by_id else changed_outside(a))
        outside = status.pop("changed_outside_dbt")
        rows.append({"sync_run_id": run_id, "observed_at": observed_at, **status,
                     "last_evaluated_at": parse_time(status["last_evaluated_at"]),
                     "changed_outside_dbt": None if outside is None else ",".join(outside)})
    return rows


# --- alert-sync status --------------------------------------------------------------------------

@dataclass
class StatusOptions:
    project_dir: Path = Path(".")
    target_path: str = "target"
    target: str | None = None
    parent_path: str | None = None
    profile: str | None = None
    http_timeout: float | None = None
    retry_timeout: int | None = None


def managed_folder(options: StatusOptions) -> tuple[str, str | None]:
    """(folder, dbt target) from --parent-path or the manifest alone (no run_results, no dbt):
    the setting alerts_parent_path dbt resolved, else the default folder of the project and target."""
    import json

    from .errors import ConfigError
    from .project import requested_target
    from .sync import default_parent_path

    path = options.project_dir / options.target_path / "manifest.json"
    if not path.exists():
        if options.parent_path:
            return options.parent_path, requested_target(options.target)
        raise ConfigError(f"{path} not found: run `dbt parse` or `dbt build` first, or pass --parent-path.")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON ({exc}): run `dbt parse` or `dbt build` again.") from exc
    meta = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") == "model" and node.get("config", {}).get("materialized") == "alert":
            meta = (node.get("config", {}).get("meta") or {}).get("alert_sync") or {}
            if meta:
                break
    target = requested_target(options.target) or meta.get("target_name")
    folder = options.parent_path or meta.get("parent_path")
    if not folder:
        if not target:
            raise ConfigError("Cannot tell the managed folder: the manifest holds no built alert model naming its "
                              "dbt target. Pass --target (or --parent-path).")
        folder = default_parent_path(manifest.get("metadata", {}).get("project_name") or "", target)
    return folder, target


def read_status(options: StatusOptions) -> dict[str, Any]:
    """The managed alerts of the folder and their states: one alerts list (pages of 100)."""
    from databricks.sdk.errors import PermissionDenied, Unauthenticated

    from .connection import workspace_client
    from .errors import ConfigError, describe
    from .plan import LIST_PAGE_SIZE
    from .retry import call_with_retries
    from .workspace_paths import folder_key

    folder, target = managed_folder(options)
    client = workspace_client(options.profile, options.http_timeout, options.retry_timeout)
    try:
        listed = call_with_retries(lambda: list(client.alerts_v2.list_alerts(page_size=LIST_PAGE_SIZE)))
    except (PermissionDenied, Unauthenticated) as exc:
        raise ConfigError(f"The workspace refused the request ({describe(exc)}): check DATABRICKS_HOST / "
                          "DATABRICKS_TOKEN or --profile.") from exc
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(f"Cannot read the workspace's alerts from {client.config.host}: {describe(exc)}") from exc
    managed = [a for a in listed if a.parent_path and folder_key(a.parent_path) == folder_key(folder)]
    alerts = sorted((alert_status(a, changed_outside(a)) for a in managed),
                    key=lambda s: (s["alert_id"] is None, s["alert_id"] or "", s["display_name"] or ""))
    counts = {state: 0 for state in (*STATES, "NOT_EVALUATED")}
    for s in alerts:
        counts[s["evaluation_state"] or "NOT_EVALUATED"] = counts.get(s["evaluation_state"] or "NOT_EVALUATED", 0) + 1
    return {"target": target, "folder": folder, "host": client.config.host, "alerts": alerts,
            "summary": {"total": len(alerts), **counts}}


def status_lines(status: dict[str, Any]) -> list[str]:
    lines = [f"alert-sync status: {status['host']} folder {status['folder']}", ""]
    for s in status["alerts"]:
        state = s["evaluation_state"] or "not evaluated yet"
        when = f" at {s['last_evaluated_at']}" if s["last_evaluated_at"] else ""
        paused = " (paused)" if s["pause_status"] == "PAUSED" else ""
        lines.append(f"  {s['alert_id'] or '-':<12} {state:<17} {s['display_name']}{paused}{when}")
        if s["changed_outside_dbt"]:
            lines.append(f"      changed outside dbt since the last apply: {', '.join(s['changed_outside_dbt'])}")
    c = status["summary"]
    lines += ["", f"{c['total']} managed alert(s): {c['TRIGGERED']} TRIGGERED, {c['ERROR']} ERROR, {c['OK']} OK, "
                  f"{c['UNKNOWN']} UNKNOWN, {c['NOT_EVALUATED']} not evaluated yet."]
    return lines

