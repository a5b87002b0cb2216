"""Desired state: each catalog row + its compiled alert model -> a databricks-sdk AlertV2."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from databricks.sdk.service.sql import (
    AlertV2, AlertV2Evaluation, AlertV2Notification, AlertV2Operand, AlertV2OperandColumn,
    AlertV2OperandValue, AlertV2RunAs, AlertV2Subscription, CronSchedule,
)

from .catalog import EMAIL, NULL_CHECKS, NUMBER, VALUE_TYPES, CatalogRow, Destination, id_problems, parse_bool
from .conditions import condition_evaluation, deployed_query
from .errors import RowError, dbt_message
from .identity import with_alert_id
from .project import AlertNode


@dataclass
class DesiredAlert:
    """One catalog row: the AlertV2 to deploy, or why it cannot be deployed."""

    alert_id: str
    display_name: str
    enabled: bool
    alert: AlertV2 | None = None
    error: str | None = None


@dataclass(frozen=True)
class DeploySettings:
    warehouse_id: str
    parent_path: str
    display_name_prefix: str = ""
    run_as: str | None = None  # dbt var alerts_run_as: a service principal's application id, or a user name
    dialect: str = "databricks"  # adapter type of the compiled SQL (manifest metadata): how conditions are compiled


class ChannelResolver:
    """notification_channels entry -> AlertV2Subscription.

    Emails become user_email subscriptions. Other entries are destination_id keys of the
    notification destinations seed: its databricks_destination_id when set, else the workspace
    destination with that display name. Either way the id must be one of the workspace's
    destinations (listed once, lazily, when the first such channel is resolved), so a wrong id is
    reported by the plan rather than by a failed create. Unresolvable -> RowError.

    `planned` (destination_id -> DestinationAction of destinations.py): what the destinations phase
    plans or did for each enabled row. Then a row resolves to the destination that phase found or
    created, a destination it could not create or update is that alert's ERROR (with the fix), and
    one still to be created resolves to a placeholder id `(new: <name>)` (plan, dry run; apply
    resolves again after creating it).
    """

    def __init__(self, destinations: dict[str, Destination], list_workspace_destinations: Callable[[], Iterable],
                 planned: dict | None = None):
        self._destinations = destinations
        self._planned = planned or {}
        self._list = list_workspace_destinations
        self._by_name: dict[str, list[str]] | None = None
        self._ids: set[str] = set()

    def _load(self) -> None:
        if self._by_name is None:
            self._by_name = {}
            for d in self._list():
                self._by_name.setdefault(d.display_name, []).append(d.id)
                self._ids.add(d.id)

    def _workspace_ids(self, name: str) -> list[str]:
        self._load()
        return self._by_name.get(name, [])

    def resolve(self, channel: str) -> AlertV2Subscription:
        if EMAIL.fullmatch(channel):
            return AlertV2Subscription(user_email=channel)
        dest = self._destinations.get(channel)
        if dest is None:
            raise RowError(f"notification channel '{channel}' is neither an email nor a destination_id of "
                           f"seeds/notification_destinations.csv")
        if dest.problem:
            raise RowError(f"notification channel '{channel}': seeds/notification_destinations.csv row {channel} is "
                           f"not usable: {dest.problem}")
        if not dest.is_enabled:
            raise RowError(f"notification channel '{channel}' is disabled in seeds/notification_destinations.csv")
        planned = self._planned.get(channel)
        if planned is not None:
            if planned.action == "ERROR" or planned.status == "ERROR":
                raise RowError(f"notification channel '{channel}': {planned.error}")
            return AlertV2Subscription(destination_id=planned.databricks_destination_id
                                       or f"(new: {planned.display_name})")
        if dest.databricks_destination_id:
            self._load()
            if dest.databricks_destination_id not in self._ids:
                raise RowError(f"notification channel '{channel}': databricks_destination_id "
                               f"'{dest.databricks_destination_id}' in seeds/notification_destinations.csv is not a "
                               f"notification destination of this workspace; correct it, or leave it empty to look "
                               f"the destination up by destination_name '{dest.destination_name}'")
            return AlertV2Subscription(destination_id=dest.databricks_destination_id)
        ids = self._workspace_ids(dest.destination_name)
        if len(ids) == 1:
            return AlertV2Subscription(destination_id=ids[0])
        if not ids:
            raise RowError(f"notification channel '{channel}': the workspace has no notification destination named "
                           f"'{dest.destination_name}'; create it or set databricks_destination_id in "
                           f"seeds/notification_destinations.csv")
        raise RowError(f"notification channel '{channel}': {len(ids)} workspace destinations are named "
                       f"'{dest.destination_name}'; set databricks_destination_id to pick one")


def threshold_operand(row: CatalogRow) -> AlertV2Operand:
    value_type, raw = row["threshold_value_type"].upper(), row["threshold_value"]
    if value_type not in VALUE_TYPES:
        raise RowError(f"threshold_value_type '{row['threshold_value_type']}' is not valid: use {', '.join(VALUE_TYPES)}")
    if raw == "":
        raise RowError(f"threshold_value is empty: operator {row['threshold_operator']} needs a {value_type} value")
    if value_type == "DOUBLE":
        if not NUMBER.fullmatch(raw):  # float() would also take inf, nan and 1_000
            raise RowError(f"threshold_value '{raw}' is not a number (threshold_value_type is DOUBLE)")
        return AlertV2Operand(value=AlertV2OperandValue(double_value=float(raw)))
    if value_type == "BOOLEAN":
        if raw.lower() not in ("true", "false"):
            raise RowError(f"threshold_value '{raw}' must be true or false (threshold_value_type is BOOLEAN)")
        return AlertV2Operand(value=AlertV2OperandValue(bool_value=raw.lower() == "true"))
    if value_type == "STRING":
        return AlertV2Operand(value=AlertV2OperandValue(string_value=row.values.get("threshold_value") or ""))
    return AlertV2Operand(column=AlertV2OperandColumn(name=raw, aggregation=row.aggregation()))


def build_evaluation(row: CatalogRow) -> AlertV2Evaluation:
    """The evaluation rule of a catalog row (what `evaluate` also applies); no notification. A
    compiled condition (BETWEEN, IN, ...) is the condition column of the deployed query EQUAL true
    (conditions.py)."""
    compiled = condition_evaluation(row)
    if compiled is not None:
        return compiled
    operator = row.operator()
    if not row["threshold_column"]:
        raise RowError("threshold_column is empty: name the query output column to evaluate")
    if operator in NULL_CHECKS:
        if row["threshold_value"]:
            raise RowError(f"threshold_value must be empty for {operator.value} (it is '{row['threshold_value']}')")
        threshold = None
    else:
        threshold = threshold_operand(row)
    return AlertV2Evaluation(
        source=AlertV2OperandColumn(name=row["threshold_column"], aggregation=row.aggregation()),
        comparison_operator=operator, threshold=threshold, empty_result_state=row.empty_result_state())


def build_alert(row: CatalogRow, node: AlertNode, settings: DeploySettings, channels: ChannelResolver) -> AlertV2:
    from .drift import record_of  # drift.py reads plan.FIELDS, and plan.py imports this module

    evaluation = build_evaluation(row)
    evaluation.notification = AlertV2Notification(
        notify_on_ok=_bool(row, "notify_on_ok"),
        retrigger_seconds=row.retrigger_seconds(),
        subscriptions=[channels.resolve(c) for c in row.channels()] or None,
    )
    query = deployed_query(row, node.compiled_code or "", settings.dialect)
    alert = AlertV2(
        display_name=settings.display_name_prefix + row.display_name,
        # The first line names the catalog row (identity.py): how the plan finds this alert again.
        query_text=with_alert_id(row.alert_id, query),
        warehouse_id=settings.warehouse_id,
        parent_path=settings.parent_path,
        custom_summary=row["custom_summary"] or None,
        custom_description=row["custom_description"] or None,
        evaluation=evaluation,
        schedule=CronSchedule(
            quartz_cron_schedule=row["schedule_cron"],
            timezone_id=row["schedule_timezone"],
            pause_status=row.pause_status(),
        ),
        run_as=run_as_for(settings.run_as) if settings.run_as else None,
    )
    # ... and records the fields as written, to tell a later edit in the workspace (drift.py).
    alert.query_text = with_alert_id(row.alert_id, query, written=record_of(alert))
    return alert


def run_as_for(identity: str) -> AlertV2RunAs:
    """The alerts_run_as setting -> AlertV2RunAs: a user name is an email, anything else is a
    service principal's application id (the two kinds the field takes [SDK AlertV2RunAs])."""
    return AlertV2RunAs(user_name=identity) if "@" in identity else AlertV2RunAs(service_principal_name=identity)


def _bool(row: CatalogRow, field: str) -> bool:
    return parse_bool(row, field) if row[field] else False


def node_problem(row: CatalogRow, node: AlertNode | None) -> str | None:
    """Why the alert's query did not pass `dbt build`, or None when it did."""
    model = row["query_model"]
    if node is None:
        return f"failed validation in dbt build: query_model '{model}' is not an alert model in the manifest"
    if node.status is None:
        return (f"failed validation in dbt build: model '{model}' was not part of the last dbt build "
                f"(run `dbt build` without excluding it)")
    if node.status != "success":
        reason = dbt_message(node.message or node.status, node=model)
        return f"failed validation in dbt build: model '{model}' {node.status}: {reason}"
    if not (node.compiled_code or "").strip():
        return f"failed validation in dbt build: model '{model}' has no compiled SQL"
    return None


def build_desired(rows: list[CatalogRow], nodes: dict[str, AlertNode], settings: DeploySettings,
                  channels: ChannelResolver) -> list[DesiredAlert]:
    """One DesiredAlert per catalog row; problems become that alert's error, never an exception."""
    out: list[DesiredAlert] = []
    bad_ids = id_problems(rows)
    for row in rows:
        alert_id = row.alert_id or f"(line {row.line})"
        display_name = settings.display_name_prefix + row.display_name
        try:
            enabled = row.is_enabled
        except RowError as exc:
            out.append(DesiredAlert(alert_id, display_name, True, error=str(exc)))
            continue
        desired = DesiredAlert(alert_id, display_name, enabled, error=bad_ids.get(row.line))
        out.append(desired)
        if desired.error or not enabled:
            continue
        node = nodes.get(row["query_model"])
        desired.error = node_problem(row, node)
        if desired.error:
            continue
        try:
            desired.alert = build_alert(row, node, settings, channels)
        except RowError as exc:
            desired.error = str(exc)
    return out
