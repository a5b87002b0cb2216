"""The alert catalog seed and the notification destinations seed, read as dbt reads them.

The dbt tests on stg_alert_configurations are the first line of defence; this module re-checks
only what it needs to build a valid Alerts v2 object, so a bad row becomes an ERROR for that
alert (with the field and the fix) instead of costing the other alerts.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from databricks.sdk.service.sql import Aggregation, AlertEvaluationState, ComparisonOperator, SchedulePauseStatus

from .errors import ConfigError, RowError

CATALOG_COLUMNS = [
    "alert_id", "alert_name", "alert_description", "agent_domain", "severity", "query_model",
    "threshold_column", "threshold_operator", "threshold_value_type", "threshold_value", "aggregation_type",
    "empty_result_state", "schedule_cron", "schedule_timezone", "pause_status", "is_enabled",
    "notification_channels", "notify_on_ok", "retrigger_seconds", "custom_summary", "custom_description", "owner",
]
# Columns a catalog may have but need not (dbt_alerts.catalog_optional_columns says the same).
# display_name: replaces the generated "[<severity>] <alert_name>" (the prefix setting stays in front).
OPTIONAL_CATALOG_COLUMNS = ["display_name"]

OPERATOR_SYMBOLS = {
    ">": ComparisonOperator.GREATER_THAN, ">=": ComparisonOperator.GREATER_THAN_OR_EQUAL,
    "<": ComparisonOperator.LESS_THAN, "<=": ComparisonOperator.LESS_THAN_OR_EQUAL,
    "=": ComparisonOperator.EQUAL, "==": ComparisonOperator.EQUAL,
    "!=": ComparisonOperator.NOT_EQUAL, "<>": ComparisonOperator.NOT_EQUAL,
}
NULL_CHECKS = (ComparisonOperator.IS_NULL, ComparisonOperator.IS_NOT_NULL)
# Operators Alerts v2 lacks: compiled into the deployed query (conditions.py).
COMPILED_OPERATORS = ("BETWEEN", "NOT_BETWEEN", "IN", "NOT_IN")
FIRST_ROW = ("", "NONE", "FIRST")  # Alerts v2 has no FIRST aggregation: no aggregation = first row
VALUE_TYPES = ("DOUBLE", "STRING", "BOOLEAN", "COLUMN")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
WHOLE_SECONDS = re.compile(r"[0-9]+(\.0*)?")
NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")  # as the dbt check reads DOUBLE


@dataclass(frozen=True)
class CatalogRow:
    values: dict[str, str]
    line: int  # line number in the CSV, for messages

    def __getitem__(self, key: str) -> str:
        return (self.values.get(key) or "").strip()

    @property
    def alert_id(self) -> str:
        return self["alert_id"]

    @property
    def is_enabled(self) -> bool:
        return parse_bool(self, "is_enabled")

    @property
    def display_name(self) -> str:
        """The optional column display_name, else "[<SEVERITY>] <alert_name>" (without the prefix setting)."""
        return self["display_name"] or f"[{self['severity'].upper()}] {self['alert_name']}"

    def operator(self) -> ComparisonOperator:
        """The Alerts v2 operator of the row; a compiled operator (BETWEEN ...) is not one."""
        raw = self["threshold_operator"]
        if raw in OPERATOR_SYMBOLS:
            return OPERATOR_SYMBOLS[raw]
        try:
            return ComparisonOperator(raw.upper())
        except ValueError:
            raise RowError(f"threshold_operator '{raw}' is not valid: use >, >=, <, <=, =, !=, <>, one of "
                           f"{', '.join(o.value for o in ComparisonOperator)}, or "
                           f"{', '.join(COMPILED_OPERATORS)}") from None

    def aggregation(self) -> Aggregation | None:
        raw = self["aggregation_type"].upper()
        if raw in FIRST_ROW:
            return None
        try:
            return Aggregation(raw)
        except ValueError:
            raise RowError(f"aggregation_type '{raw}' is not valid: use {', '.join(a.value for a in Aggregation)}, "
                           f"or empty / NONE / FIRST for the first row") from None

    def enum(self, field: str, enum_type):
        raw = self[field].upper()
        try:
            return enum_type(raw)
        except ValueError:
            allowed = [e.value for e in enum_type if e.value != "UNKNOWN"]
            raise RowError(f"{field} '{self[field]}' is not valid: use {', '.join(allowed)}") from None

    def empty_result_state(self) -> AlertEvaluationState:
        state = self.enum("empty_result_state", AlertEvaluationState)
        if state == AlertEvaluationState.UNKNOWN:  # planned for deprecation by Databricks
            raise RowError("empty_result_state 'UNKNOWN' is not allowed: use OK, TRIGGERED or ERROR")
        return state

    def pause_status(self) -> SchedulePauseStatus:
        return self.enum("pause_status", SchedulePauseStatus)

    def retrigger_seconds(self) -> int | None:
        raw = self["retrigger_seconds"]
        if raw == "":
            return None
        if not WHOLE_SECONDS.fullmatch(raw):  # the dbt check's rule: no sign, exponent, inf or nan
            raise RowError(f"retrigger_seconds '{raw}' must be a whole number of seconds >= 0, or empty")
        return int(float(raw))

    def channels(self) -> list[str]:
        return [c.strip() for c in self["notification_channels"].split(";") if c.strip()]


def parse_bool(row: CatalogRow, field: str) -> bool:
    value = bool_value(row[field])
    if value is None:
        raise RowError(f"{field} '{row[field]}' must be true or false")
    return value


def bool_value(raw: str) -> bool | None:
    """true/1/yes or false/0/no, any case (as the dbt checks read booleans); None otherwise."""
    raw = raw.strip().lower()
    return True if raw in ("true", "1", "yes") else False if raw in ("false", "0", "no") else None


def id_problems(rows: list[CatalogRow]) -> dict[int, str]:
    """Why a row's alert_id cannot identify an alert, by the row's line: empty, or shared with
    another row (then every row that shares it: which one is meant is not known)."""
    lines: dict[str, list[int]] = {}
    for row in rows:
        lines.setdefault(row.alert_id, []).append(row.line)
    problems: dict[int, str] = {}
    for row in rows:
        if not row.alert_id:
            problems[row.line] = f"alert_id is empty on line {row.line} of the catalog: give the row an id such as COST-001"
        elif len(lines[row.alert_id]) > 1:
            problems[row.line] = (f"alert_id '{row.alert_id}' is used by lines "
                                  f"{', '.join(map(str, lines[row.alert_id]))}: alert ids must be unique")
    return problems


def read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """A seed's header and its rows, each with the line it starts on. A row must have one value per
    header column, as dbt needs to load it (dbt's CSV reader refuses more; on DuckDB the load
    refuses fewer, without naming the row; on Databricks the values after a missing comma land in
    the wrong columns): such a row stops here, naming the line and the fix."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        rows = []
        for values in reader:
            if not values:
                continue  # a blank line, skipped as csv.DictReader does
            line = reader.line_num - sum(v.count("\n") for v in values)  # a quoted value may span lines
            if len(values) > len(header):
                raise ConfigError(f"{path} line {line} has {len(values)} values, the header {len(header)}: a value that "
                                  f"holds a comma must be quoted (\"Revenue, daily\"); otherwise remove the stray comma")
            if len(values) < len(header):
                raise ConfigError(f"{path} line {line} has {len(values)} values, the header {len(header)}: a comma is "
                                  f"missing, so the values after it are in the wrong columns; write an empty value "
                                  f"as two commas (,,)")
            rows.append((line, dict(zip(header, values))))
        return header, rows


def read_catalog(path: Path) -> list[CatalogRow]:
    header, rows = read_csv(path)
    missing = [c for c in CATALOG_COLUMNS if c not in header]
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(missing)}; the header must be: "
                          f"{','.join(CATALOG_COLUMNS)}")
    return [CatalogRow(values, line=line) for line, values in rows]


# The destination types of the seed -> the field of settings.Config that holds each one's settings
# [SDK settings.py Config: "Must wrap EXACTLY one of the nested configs"; DestinationType]. WEBHOOK is
# Config.generic_webhook.
DESTINATION_TYPES = ("EMAIL", "SLACK", "WEBHOOK", "MICROSOFT_TEAMS", "PAGERDUTY")
SECRET_TYPES = ("SLACK", "WEBHOOK", "MICROSOFT_TEAMS", "PAGERDUTY")  # their URL / key comes from secret_env
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Destination:
    """A row of the notification destinations seed. Never holds a secret: `secret_env` is the
    name of the environment variable that does (read only when a write needs it)."""

    destination_id: str
    destination_name: str
    destination_type: str
    databricks_destination_id: str
    is_enabled: bool
    problem: str | None = None  # why alerts cannot use it (a row that does not parse)
    addresses: tuple[str, ...] = ()  # EMAIL: the recipients
    secret_env: str = ""  # SLACK, WEBHOOK, MICROSOFT_TEAMS, PAGERDUTY


def destination_problem(d: Destination) -> str | None:
    """Why alert-sync cannot manage a seed row, naming the field and the fix (the rules of the dbt
    macro dbt_alerts.destination_row_problems, re-checked on the file alert-sync deploys from)."""
    if d.destination_type not in DESTINATION_TYPES:
        return (f"destination_type '{d.destination_type}' is not valid: use {', '.join(DESTINATION_TYPES)}")
    if not d.destination_name:
        return "destination_name is empty: give the workspace destination's display name"
    bad = [a for a in d.addresses if not EMAIL.fullmatch(a)]
    if bad:
        return f"addresses: '{bad[0]}' is not an email address (list recipients separated by ';')"
    if d.destination_type == "EMAIL":
        if d.secret_env:
            return "secret_env is set on an EMAIL destination: leave it empty (EMAIL takes addresses)"
        if not d.addresses and not d.databricks_destination_id:
            return "addresses is empty: an EMAIL destination needs its recipients, separated by ';'"
    else:
        if d.addresses:
            return f"addresses is set on a {d.destination_type} destination: leave it empty (only EMAIL takes addresses)"
        if d.secret_env and not ENV_NAME.fullmatch(d.secret_env):
            return (f"secret_env '{d.secret_env}' is not an environment variable name: write the variable's name "
                    f"(e.g. {d.destination_id.upper() or 'SLACK'}_URL), never the secret itself")
        if not d.secret_env and not d.databricks_destination_id:
            return (f"secret_env is empty: a {d.destination_type} destination needs the name of the environment "
                    f"variable holding its {secret_name(d.destination_type)}, or a databricks_destination_id of an "
                    f"existing destination")
    return None


def secret_name(destination_type: str) -> str:
    return "integration key" if destination_type == "PAGERDUTY" else "webhook URL"


def read_destinations(path: Path | None) -> dict[str, Destination]:
    if path is None or not path.exists():
        return {}
    out = {}
    for _, r in read_csv(path)[1]:
        key = (r.get("destination_id") or "").strip()
        raw_enabled = (r.get("is_enabled") or "").strip()
        enabled = bool_value(raw_enabled) if raw_enabled else True  # an empty is_enabled means enabled
        out[key] = Destination(
            destination_id=key, destination_name=(r.get("destination_name") or "").strip(),
            destination_type=(r.get("destination_type") or "").strip().upper(),
            databricks_destination_id=(r.get("databricks_destination_id") or "").strip(),
            is_enabled=bool(enabled),
            problem=None if enabled is not None else f"its is_enabled '{raw_enabled}' must be true or false",
            addresses=tuple(a.strip() for a in (r.get("addresses") or "").split(";") if a.strip()),
            secret_env=(r.get("secret_env") or "").strip())
    return out
