"""Plan: desired alerts vs the managed folder of the workspace -> one action per alert.

Ownership without a state file: every alert of one dbt target lives in one managed folder and
nothing outside it is touched. Inside it an alert is matched to its alert_id by the databricks id
recorded in the last sync results, else by display name. A rename is therefore an update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from databricks.sdk.service.sql import AlertV2

from .desired import DesiredAlert
from .workspace_paths import folder_key

CREATE, UPDATE, NOOP, DELETE, ERROR = "CREATE", "UPDATE", "NOOP", "DELETE", "ERROR"
LIST_PAGE_SIZE = 100  # the largest page the list endpoint is documented to serve: a no-op sync costs ceil(N/100) GETs


@dataclass
class Action:
    alert_id: str | None
    action: str
    display_name: str
    databricks_alert_id: str | None = None
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field path, old, new)
    desired: AlertV2 | None = None
    error: str | None = None
    skipped: bool = False  # disabled in the catalog: nothing to deploy
    note: str | None = None

    @property
    def changed_fields(self) -> list[str]:
        return [path for path, _, _ in self.changes]


@dataclass
class Plan:
    actions: list[Action]
    warnings: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions if a.action == action)


DUPLICATE_SUFFIX = re.compile(r"^(?P<base>.*) \((?P<n>\d+)\)$")


def base_name(display_name: str) -> str:
    """'Name (1)' -> 'Name': the suffix the service adds when a name is taken in the folder."""
    m = DUPLICATE_SUFFIX.match(display_name or "")
    return m.group("base") if m else display_name


# --- diff ------------------------------------------------------------------------------------
# Field paths compared, each a valid PATCH update_mask path. Values are normalized so that what
# the service echoes back (defaults filled in, lists reordered) compares equal to what we sent.

def _subscriptions(a: AlertV2) -> tuple:
    n = a.evaluation.notification if a.evaluation else None
    subs = (n.subscriptions if n else None) or []
    return tuple(sorted((s.user_email or "", s.destination_id or "") for s in subs))


def _operand(a: AlertV2) -> Any:
    t = a.evaluation.threshold if a.evaluation else None
    if t is None:
        return None
    if t.column is not None:
        return ("column", t.column.name, t.column.aggregation.value if t.column.aggregation else None)
    v = t.value
    if v is None:
        return None
    if v.double_value is not None:
        return ("double", float(v.double_value))
    if v.bool_value is not None:
        return ("bool", bool(v.bool_value))
    return ("string", v.string_value or "")


def _notification(a: AlertV2):
    return a.evaluation.notification if a.evaluation and a.evaluation.notification else None


def _enum(value) -> str | None:
    return value.value if value is not None and hasattr(value, "value") else value


FIELDS: dict[str, Any] = {
    "display_name": lambda a: a.display_name or "",
    "query_text": lambda a: (a.query_text or "").strip(),
    "warehouse_id": lambda a: a.warehouse_id or "",
    "custom_summary": lambda a: a.custom_summary or "",
    "custom_description": lambda a: a.custom_description or "",
    "evaluation.source": lambda a: (a.evaluation.source.name, _enum(a.evaluation.source.aggregation))
    if a.evaluation and a.evaluation.source else None,
    "evaluation.comparison_operator": lambda a: _enum(a.evaluation.comparison_operator) if a.evaluation else None,
    "evaluation.threshold": _operand,
    "evaluation.empty_result_state": lambda a: _enum(a.evaluation.empty_result_state) if a.evaluation else None,
    "evaluation.notification.notify_on_ok": lambda a: bool(_notification(a) and _notification(a).notify_on_ok),
    "evaluation.notification.retrigger_seconds": lambda a: (_notification(a).retrigger_seconds or 0)
    if _notification(a) else 0,
    "evaluation.notification.subscriptions": _subscriptions,
    "schedule.quartz_cron_schedule": lambda a: a.schedule.quartz_cron_schedule if a.schedule else None,
    "schedule.timezone_id": lambda a: a.schedule.timezone_id if a.schedule else None,
    "schedule.pause_status": lambda a: (_enum(a.schedule.pause_status) or "UNPAUSED") if a.schedule else None,
}


def diff(desired: AlertV2, existing: AlertV2) -> list[tuple[str, Any, Any]]:
    changes = []
    for path, get in FIELDS.items():
        old, new = get(existing), get(desired)
        if old != new:
            changes.append((path, old, new))
    return changes


# --- matching --------------------------------------------------------------------------------

def make_plan(desired: list[DesiredAlert], existing: Iterable[AlertV2], parent_path: str,
              recorded_ids: dict[str, str], prune: bool) -> Plan:
    """Compute one Action per catalog alert (+ DELETEs with prune).

    `existing`: the workspace's alerts (all folders; only `parent_path` is considered).
    `recorded_ids`: alert_id -> databricks id from the last sync results.
    """
    managed = [a for a in existing if folder_key(a.parent_path) == folder_key(parent_path)]
    by_id = {a.id: a for a in managed}
    claimed: dict[str, str] = {}  # databricks id -> alert_id
    plan = Plan(actions=[])

    def find(d: DesiredAlert) -> AlertV2 | None:
        rid = recorded_ids.get(d.alert_id)
        if rid in by_id and rid not in claimed:
            return by_id[rid]
        same_name = [a for a in managed if a.id not in claimed and a.display_name == d.display_name]
        if not same_name:  # the service may have stored our alert as "Name (1)"
            same_name = [a for a in managed if a.id not in claimed and base_name(a.display_name) == d.display_name]
        return min(same_name, key=lambda a: (a.create_time or "", a.id)) if same_name else None

    # Recorded ids first, so a renamed alert keeps its id even if its new name is taken.
    order = sorted(desired, key=lambda d: d.alert_id not in recorded_ids)
    matches: dict[int, AlertV2 | None] = {}
    for d in order:
        match = find(d)
        if match is not None:
            claimed[match.id] = d.alert_id
        matches[id(d)] = match

    for d in desired:
        match = matches[id(d)]
        existing_id = match.id if match else None
        if d.error:
            plan.actions.append(Action(d.alert_id, ERROR, d.display_name, existing_id, error=d.error,
                                       note="deployed copy left as it is" if match else None))
        elif not d.enabled:
            if match and prune:
                plan.actions.append(Action(d.alert_id, DELETE, match.display_name, existing_id,
                                           note="disabled in the catalog"))
            else:
                note = "disabled in the catalog" + ("; deployed copy kept (use --prune to trash it)" if match else "")
                plan.actions.append(Action(d.alert_id, NOOP, d.display_name, existing_id, skipped=True, note=note))
        elif match is None:
            plan.actions.append(Action(d.alert_id, CREATE, d.display_name, desired=d.alert))
        else:
            changes = diff(d.alert, match)
            plan.actions.append(Action(d.alert_id, UPDATE if changes else NOOP, d.display_name, existing_id,
                                       changes=changes, desired=d.alert))

    # Managed alerts no catalog row claimed: leftovers of removed rows, or duplicates.
    claimed_names = {base_name(by_id[i].display_name) for i in claimed} | {d.display_name for d in desired}
    recorded_owner = {v: k for k, v in recorded_ids.items()}
    for a in sorted((a for a in managed if a.id not in claimed), key=lambda a: (a.create_time or "", a.id)):
        duplicate = base_name(a.display_name) in claimed_names
        why = "duplicate of a catalog alert" if duplicate else "not in the catalog"
        if prune:
            plan.actions.append(Action(recorded_owner.get(a.id), DELETE, a.display_name, a.id, note=why))
        else:
            plan.warnings.append(f"'{a.display_name}' ({a.id}) in the managed folder is {why}: "
                                 f"`apply --prune` trashes it")
    return plan
