"""Plan: desired alerts vs the managed folder of the workspace -> one action per alert.

Ownership without a state file: every alert of one dbt target lives in one managed folder and
nothing outside it is touched. Inside it an alert is matched to its catalog row by the alert_id
marker its query_text carries (identity.py), else by the databricks id recorded in the last sync
results, else by display name (alerts deployed before the marker, which gain it with one update).
A rename or a severity change is therefore an update, in every checkout. An alert whose marker (or
recorded id) names a catalog row is never removed, whatever that row's state, and --prune removes
nothing while any catalog row is in ERROR unless it is forced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from databricks.sdk.service.sql import AlertV2

from .conditions import deployed_condition
from .desired import DesiredAlert
from .identity import marked_alert_id, without_alert_id
from .untyped import parameters_text, template_format
from .workspace_paths import folder_key

CREATE, UPDATE, NOOP, DELETE, ERROR = "CREATE", "UPDATE", "NOOP", "DELETE", "ERROR"
WRITES = (CREATE, UPDATE, DELETE)  # the actions that change the workspace
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
    purge: bool = False  # DELETE: purge (gone for good) rather than trash (restorable for 30 days)
    # Fields someone changed in the workspace since alert-sync wrote the alert (drift.py); None:
    # not decidable (its marker has no record of what was written), [] none.
    changed_outside: list[str] | None = None
    rewrite_record: bool = False  # UPDATE: the marker's record of the written fields changes (query_text)
    existing: AlertV2 | None = field(default=None, repr=False)  # the deployed alert it matched (schedule cost)

    @property
    def changed_fields(self) -> list[str]:
        """The field-level changes, for people: plan output, --json, the metrics."""
        return [path for path, _, _ in self.changes]

    @property
    def update_mask(self) -> str:
        """What the PATCH sends: the top-level fields holding a change, each sent whole (query_text
        too when the marker's record of the written fields changes with them)."""
        return update_mask(self.changed_fields + (["alert_id_marker"] if self.rewrite_record else []))


@dataclass
class Plan:
    actions: list[Action]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said once per plan, not per alert
    destinations: list = field(default_factory=list)  # destinations.DestinationAction, applied before the alerts
    selection: str | None = None  # plan --select: what was selected, said in the plan's header
    observed: list = field(default_factory=list)  # the managed folder's alerts as listed (observe.py)
    observed_at: Any = None  # when they were listed (naive UTC datetime)
    cost: Any = None  # cost.CostChange: awake hours and DBU per day before -> after (sync.plan_cost)
    cost_note: str | None = None  # why the cost change is not shown, when the plan writes alerts

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions if a.action == action)


DUPLICATE_SUFFIX = re.compile(r"^(?P<base>.*) \((?P<n>\d+)\)$")


def base_name(display_name: str) -> str:
    """'Name (1)' -> 'Name': the suffix the service adds when a name is taken in the folder."""
    m = DUPLICATE_SUFFIX.match(display_name or "")
    return m.group("base") if m else display_name


# --- diff ------------------------------------------------------------------------------------
# Field paths compared, named for people (plan, --json changed_fields, metrics). Values are
# normalized so that what the service echoes back (defaults filled in, lists reordered) compares
# equal to what we sent.
#
# A PATCH names only the top-level fields that hold a change, each sent with its complete value:
# the Terraform provider's databricks_alert_v2 sends exactly such a mask of top-level names
# (resource_alert_v2.go, `UpdateMask: "custom_description,custom_summary,display_name,evaluation,..."`),
# and no official client sends nested paths such as evaluation.notification.retrigger_seconds.
# `parameters` and `custom_template_format` hold what the catalog cannot express (untyped.py): a
# workspace copy with either set is drift like any other, and the PATCH names the field with no value,
# which clears it (field-mask semantics; the Terraform provider names `parameters` in every mask).
UPDATABLE_FIELDS = ("display_name", "query_text", "warehouse_id", "evaluation", "schedule", "custom_summary",
                    "custom_description", "run_as", "parameters", "custom_template_format")
# Changes named for people that live inside an updatable field: a compiled condition (BETWEEN,
# IN, ...) is deployed as part of query_text (conditions.py).
# The alert_id marker (identity.py) is its first line: shown apart, so the query's own diff is the model's.
DERIVED_FIELDS = {"condition": "query_text", "alert_id_marker": "query_text"}


def update_mask(changed_fields: Iterable[str]) -> str:
    tops = {DERIVED_FIELDS.get(path, path.split(".", 1)[0]) for path in changed_fields}
    unknown = tops.difference(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"not an updatable AlertV2 field: {', '.join(sorted(unknown))}")
    return ",".join(f for f in UPDATABLE_FIELDS if f in tops)


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
    "query_text": lambda a: without_alert_id(a.query_text).strip(),
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
    "run_as": lambda a: run_as_identity(a),
    # Set only on a workspace copy (the catalog has no column for them): read from the JSON (untyped.py).
    "parameters": parameters_text,
    "custom_template_format": template_format,
}


def condition_text(a: AlertV2) -> str | None:
    """The alert's condition as the user wrote it: the compiled one its query's marker states
    (`cost BETWEEN 10 AND 20`), else the Alerts v2 comparison (`SUM(cost) > 5000`)."""
    compiled = deployed_condition(a.query_text)
    if compiled is not None or a.evaluation is None or a.evaluation.source is None:
        return compiled
    e = a.evaluation
    source = f"{_enum(e.source.aggregation)}({e.source.name})" if e.source.aggregation else e.source.name
    words = {"GREATER_THAN": ">", "GREATER_THAN_OR_EQUAL": ">=", "LESS_THAN": "<", "LESS_THAN_OR_EQUAL": "<=",
             "EQUAL": "=", "NOT_EQUAL": "!=", "IS_NULL": "IS NULL", "IS_NOT_NULL": "IS NOT NULL"}
    op = _enum(e.comparison_operator) or ""
    text = f"{source} {words.get(op, op)}"
    operand = _operand(a)
    if operand is None:
        return text
    if operand[0] == "column":
        return f"{text} " + (f"{operand[2]}({operand[1]})" if operand[2] else operand[1])
    value = operand[1]
    shown = f"'{value}'" if operand[0] == "string" else str(value).lower() if operand[0] == "bool" \
        else str(value).removesuffix(".0")
    return f"{text} {shown}"


def run_as_identity(a: AlertV2) -> tuple[str, str] | None:
    """Who the alert runs as: ("service_principal", application id) or ("user", user name).

    An alert created without run_as runs as its creator; the service reports that as
    effective_run_as (and, deprecated, run_as_user_name), so those count when run_as is absent.
    """
    for ra in (a.run_as, a.effective_run_as):
        if ra is not None and (ra.service_principal_name or ra.user_name):
            return ("service_principal", ra.service_principal_name) if ra.service_principal_name \
                else ("user", ra.user_name)
    if a.run_as_user_name:
        return ("user", a.run_as_user_name) if "@" in a.run_as_user_name \
            else ("service_principal", a.run_as_user_name)
    return None


def diff(desired: AlertV2, existing: AlertV2) -> list[tuple[str, Any, Any]]:
    changes = []
    for path, get in FIELDS.items():
        if path == "run_as" and desired.run_as is None:
            continue  # alerts_run_as unset: who the alerts run as is not managed (plan says so once)
        old, new = get(existing), get(desired)
        if old != new:
            changes.append((path, old, new))
    # The alert_id marker (identity.py) is the first line of query_text: its change (an alert
    # deployed before the marker gains it) is shown apart from the query's own.
    old_id, new_id = marked_alert_id(existing.query_text), marked_alert_id(desired.query_text)
    if old_id != new_id:
        changes.append(("alert_id_marker", old_id, new_id))
    # A compiled condition (BETWEEN, IN, ...) lives in query_text: its change is shown as the
    # condition the user wrote. Alerts v2 comparisons on both sides: evaluation.* show the change.
    if deployed_condition(desired.query_text) is not None or deployed_condition(existing.query_text) is not None:
        old, new = condition_text(existing), condition_text(desired)
        if old != new:
            changes.append(("condition", old, new))
    return changes


# --- list contents ---------------------------------------------------------------------------
# What the diff and the folder match read from a listed alert. The list endpoint is documented to
# return alerts, but not that each carries every field (an early API version listed a reduced
# ListAlertsV2ResponseAlert without parent_path or run_as): an alert that lacks one is fetched with
# GET rather than guessed.
NEEDED_FIELDS = ("parent_path", "query_text", "warehouse_id", "evaluation", "schedule")


def missing_fields(a: AlertV2, needs_run_as: bool) -> list[str]:
    missing = [f for f in NEEDED_FIELDS if getattr(a, f) in (None, "")]
    if needs_run_as and run_as_identity(a) is None:
        missing.append("run_as")
    return missing


def complete_listing(listed: list[AlertV2], desired: list[DesiredAlert], parent_path: str,
                     recorded_ids: dict[str, str], get: Callable[[str], AlertV2]) -> tuple[list[AlertV2], list[str]]:
    """The listed alerts, each one the plan may match fetched with GET when it lacks a field.

    An alert without parent_path is only fetched when it could be ours (a recorded id or one of
    our display names), so a workspace of foreign alerts does not cost a GET each.
    Returns (alerts, ids fetched).
    """
    names = {d.display_name for d in desired}
    ids = {d.alert_id for d in desired}
    ours = set(recorded_ids.values())
    needs_run_as = any(d.alert is not None and d.alert.run_as is not None for d in desired)
    out, fetched = [], []
    for a in listed:
        if a.parent_path:
            candidate = folder_key(a.parent_path) == folder_key(parent_path)
        else:
            candidate = (a.id in ours or base_name(a.display_name or "") in names
                         or marked_alert_id(a.query_text) in ids)
        if candidate and missing_fields(a, needs_run_as):
            a = get(a.id)
            fetched.append(a.id)
        out.append(a)
    return out, fetched


# --- matching --------------------------------------------------------------------------------

def make_plan(desired: list[DesiredAlert], existing: Iterable[AlertV2], parent_path: str,
              recorded_ids: dict[str, str], prune: bool, purge: bool = True,
              scope: Callable[[str | None], bool] | None = None, force_prune: bool = False) -> Plan:
    """Compute one Action per catalog alert (+ DELETEs with prune).

    `existing`: the workspace's alerts (all folders; only `parent_path` is considered).
    `recorded_ids`: alert_id -> databricks id from the last sync results.
    `purge`: pruned alerts are purged (else trashed); pruned duplicates are always purged.
    `scope` (plan --select): the alert ids the plan shows. Matching and the display-name checks
    still see every catalog row, so the selected alerts' actions are those of the whole plan; a
    managed alert outside the catalog counts only when the id it belongs to is selected, so a
    selection never proposes removing an alert it did not select.
    `force_prune`: remove (prune, duplicates) even while catalog rows are in ERROR. Without it a
    catalog with an ERROR row removes nothing: a broken row may be why its alert looks unclaimed.
    """
    managed = [a for a in existing if folder_key(a.parent_path) == folder_key(parent_path)]
    by_id = {a.id: a for a in managed}
    catalog_ids = {d.alert_id for d in desired}  # every row, whatever its state
    marks = {a.id: marked_alert_id(a.query_text) for a in managed}
    claimed: dict[str, str] = {}  # databricks id -> alert_id
    plan = Plan(actions=[])

    def oldest(candidates: list[AlertV2]) -> AlertV2 | None:
        return min(candidates, key=lambda a: (a.create_time or "", a.id)) if candidates else None

    def free(a: AlertV2) -> bool:
        return a.id not in claimed

    def adoptable(a: AlertV2) -> bool:
        """Matched by recorded id or name only when its marker names no catalog row (an alert
        deployed before the marker, or one whose row's alert_id was changed)."""
        return free(a) and marks[a.id] not in catalog_ids

    def by_marker(d: DesiredAlert) -> AlertV2 | None:
        return oldest([a for a in managed if free(a) and marks[a.id] == d.alert_id])

    def by_recorded_id(d: DesiredAlert) -> AlertV2 | None:
        a = by_id.get(recorded_ids.get(d.alert_id))
        return a if a is not None and adoptable(a) else None

    def by_name(d: DesiredAlert) -> AlertV2 | None:
        same_name = [a for a in managed if adoptable(a) and a.display_name == d.display_name]
        if not same_name:  # the service may have stored our alert as "Name (1)"
            same_name = [a for a in managed if adoptable(a) and base_name(a.display_name) == d.display_name]
        return oldest(same_name)

    # Markers first, then recorded ids (a renamed alert keeps its id even if its new name is
    # taken), then names: each pass only sees what the earlier ones left.
    matches: dict[int, AlertV2 | None] = {id(d): None for d in desired}
    for find in (by_marker, by_recorded_id, by_name):
        for d in desired:
            if matches[id(d)] is None:
                match = find(d)
                if match is not None:
                    claimed[match.id] = d.alert_id
                    matches[id(d)] = match

    broken = [d.alert_id for d in desired if d.error]
    hold_removals = bool(broken) and not force_prune
    held: list[str] = []

    for d in desired:
        match = matches[id(d)]
        existing_id = match.id if match else None
        if d.error:
            plan.actions.append(Action(d.alert_id, ERROR, d.display_name, existing_id, error=d.error,
                                       note="deployed copy left as it is" if match else None, existing=match))
        elif not d.enabled:
            if match and prune and hold_removals:
                if scope is None or scope(d.alert_id):
                    held.append(f"'{match.display_name}' ({match.id}, disabled catalog row {d.alert_id})")
                plan.actions.append(Action(d.alert_id, NOOP, d.display_name, existing_id, skipped=True,
                                           note="disabled in the catalog; deployed copy kept (catalog rows in ERROR)",
                                           existing=match))
            elif match and prune:
                plan.actions.append(Action(d.alert_id, DELETE, match.display_name, existing_id,
                                           note="disabled in the catalog", purge=purge, existing=match))
            else:
                note = "disabled in the catalog" + ("; deployed copy kept (use --prune to remove it)" if match else "")
                plan.actions.append(Action(d.alert_id, NOOP, d.display_name, existing_id, skipped=True, note=note,
                                           existing=match))
        elif match is None:
            plan.actions.append(Action(d.alert_id, CREATE, d.display_name, desired=d.alert))
        else:
            plan.actions.append(_matched_action(d, match))

    # Managed alerts no catalog row claimed: leftovers of removed rows, or duplicates. With --prune,
    # duplicates are purged even with --trash-only: each would count against the workspace's 1000 alerts.
    claimed_names = {base_name(by_id[i].display_name) for i in claimed} | {d.display_name for d in desired}
    claimed_rows = set(claimed.values())
    recorded_owner = {v: k for k, v in recorded_ids.items()}
    for a in sorted((a for a in managed if a.id not in claimed), key=lambda a: (a.create_time or "", a.id)):
        owner = marks[a.id] or recorded_owner.get(a.id)
        if marks[a.id]:  # a second copy of a row's alert (a create that landed twice) is a duplicate
            duplicate = marks[a.id] in claimed_rows
        else:
            duplicate = base_name(a.display_name) in claimed_names
        in_scope = scope is None or scope(owner)
        if owner in catalog_ids and not duplicate:
            # Never removed: it belongs to a catalog row, whatever that row's state.
            if in_scope:
                plan.warnings.append(f"'{a.display_name}' ({a.id}) in the managed folder belongs to catalog row "
                                     f"{owner}, which deploys another alert: kept (remove it in the workspace if "
                                     f"it is not wanted)")
            continue
        why = "duplicate of a catalog alert" if duplicate else "not in the catalog"
        if prune and hold_removals:
            if in_scope:
                held.append(f"'{a.display_name}' ({a.id}, {why})")
        elif prune:  # every removal, so that the name checks below see the names it frees; scoped after
            plan.actions.append(Action(owner, DELETE, a.display_name, a.id, note=why, purge=purge or duplicate,
                                       existing=a))
        elif in_scope:
            plan.warnings.append(f"'{a.display_name}' ({a.id}) in the managed folder is {why}: "
                                 f"`apply --prune` removes it")
    if held:
        rows = ", ".join(broken[:10]) + (f" and {len(broken) - 10} more" if len(broken) > 10 else "")
        plan.warnings.append(
            f"nothing is removed while catalog rows are in ERROR ({rows}): a broken row can make its deployed "
            f"alert look unclaimed. Kept: {'; '.join(held)}. Fix the rows and run again, or pass --force-prune to "
            f"remove them anyway (an alert whose alert_id marker names a catalog row is never removed).")
    _refuse_taken_names(plan, managed)
    if scope is not None:
        plan.actions = [a for a in plan.actions if scope(a.alert_id)]
        desired = [d for d in desired if scope(d.alert_id)]
    _add_notes(plan, desired)
    return plan


def _matched_action(d: DesiredAlert, match: AlertV2) -> Action:
    """UPDATE or NOOP of a catalog row's deployed alert, with the fields changed outside dbt."""
    from .drift import changed_outside, record_outdated

    changes = diff(d.alert, match)
    outside = changed_outside(match)
    rewrite = record_outdated(match, d.alert)
    note = None
    if not changes and rewrite and outside is not None:
        # Changed outside dbt to what the catalog holds (or the catalog went back to what was
        # deployed): nothing to change, but the record is rewritten, or the plan would report the
        # change on every run. An alert without a record is left alone until it changes.
        note = "records the fields as deployed: changed outside dbt to the catalog's values"
    elif not changes:
        rewrite = False
    return Action(d.alert_id, UPDATE if changes or rewrite else NOOP, d.display_name, match.id, changes=changes,
                  desired=d.alert, note=note, changed_outside=outside, rewrite_record=rewrite,
                  existing=match)


def _refuse_taken_names(plan: Plan, managed: list[AlertV2]) -> None:
    """A create or rename into a display name another managed alert keeps, or that an earlier
    catalog row also deploys, is an ERROR before any request: the service would store "Name (1)"
    [SEEN terraform-provider-databricks#4867], and every later apply would PATCH the name again. A
    holder this plan removes first is no obstacle."""
    removed = {a.databricks_alert_id for a in plan.actions if a.action == DELETE}
    renamed_away = {a.databricks_alert_id for a in plan.actions
                    if a.action == UPDATE and "display_name" in a.changed_fields}
    row_of = {a.databricks_alert_id: a.alert_id for a in plan.actions if a.databricks_alert_id}
    first_row: dict[str, str] = {}
    for i, a in enumerate(plan.actions):
        if a.action not in (CREATE, UPDATE, NOOP) or a.skipped:
            continue
        problem = None
        if a.display_name in first_row:
            problem = f"catalog row {first_row[a.display_name]} deploys the same display name; give one a new alert_name"
        else:
            first_row[a.display_name] = a.alert_id
            if a.action == NOOP or (a.action == UPDATE and "display_name" not in a.changed_fields):
                continue
            holders = [m for m in managed if m.display_name == a.display_name and m.id != a.databricks_alert_id
                       and m.id not in removed]
            if holders:
                holder = holders[0]
                owner = f" (catalog row {row_of[holder.id]})" if row_of.get(holder.id) else ""
                then = (", and this plan renames it too: renames run in parallel, so change one name per apply"
                        if holder.id in renamed_away else "; rename or remove that alert first (`apply --prune` "
                        "removes it if it is no longer in the catalog)")
                problem = f"alert {holder.id}{owner} in the managed folder already has it{then}"
        if problem:
            verb = "create" if a.action == CREATE else "deploy" if a.action == NOOP else "rename"
            plan.actions[i] = Action(a.alert_id, ERROR, a.display_name, a.databricks_alert_id, error=(
                f"cannot {verb} display name '{a.display_name}': {problem}. The service would store the alert as "
                f"'{a.display_name} (1)'."), note="deployed copy left as it is" if a.databricks_alert_id else None,
                existing=a.existing)


def _add_notes(plan: Plan, desired: list[DesiredAlert]) -> None:
    """Notes on what this plan changes, so that they are said once per change rather than on every
    plan: run_as when it creates alerts without one, notify-once for the alerts it creates or whose
    notification it changes."""
    created = {a.alert_id for a in plan.actions if a.action == CREATE}
    renotified = created | {a.alert_id for a in plan.actions if a.action == UPDATE
                            and any(p.startswith("evaluation.notification") for p in a.changed_fields)}
    deployable = [d for d in desired if d.alert is not None]
    if any(d.alert.run_as is None and d.alert_id in created for d in deployable):
        plan.notes.append("alerts_run_as is not set: new alerts run as the identity that deploys them, and deployed "
                          "alerts keep whoever they run as. Set the dbt var alerts_run_as (a service principal's "
                          "application id) per target to manage it; that identity needs SELECT on the tables the "
                          "queries read.")
    once = []
    for d in deployable:
        n = d.alert.evaluation.notification if d.alert.evaluation else None
        if d.alert_id in renotified and n is not None and n.subscriptions and not n.retrigger_seconds \
                and not n.notify_on_ok:
            once.append(d.alert_id)
    if once:
        plan.notes.append(f"{len(once)} alert(s) notify once per trigger (no retrigger_seconds, no notify_on_ok): "
                          f"nothing more is sent while they stay TRIGGERED, nor when they recover: "
                          f"{', '.join(once)}")
