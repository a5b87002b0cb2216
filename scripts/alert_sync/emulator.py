"""Local emulator of the Databricks SQL Alerts v2 REST API (stdlib only).

It stands in for a Databricks workspace in tests, benchmarks and ``make demo``, so it follows the
real contract strictly: the request/response shapes are those of databricks-sdk 0.77
(``databricks.sdk.service.sql.AlertV2`` and friends, ``AlertsV2API`` for the paths), errors are
``{"error_code", "message"}`` JSON with the HTTP status the SDK maps to its typed exceptions.

Where a rule below comes from:
  [SDK]    databricks-sdk 0.77 dataclasses/docstrings (service/sql.py, settings.py, workspace.py).
  [DOCS]   Databricks REST docs / SDK docstrings for /api/2.0/alerts and DESIGN.md "Alerts v2 facts".
  [SEEN]   behaviour reported against the real service (e.g. terraform-provider-databricks#4867:
           a duplicate display name is silently renamed "Name (1)").
  [ASSUME] not documented anywhere we could find; the emulator picks the strict reading.

Served endpoints (all need ``Authorization: Bearer <token>``):
  POST/GET /api/2.0/alerts, GET/PATCH/DELETE /api/2.0/alerts/{id}
  GET /api/2.0/sql/warehouses[/{id}]
  POST /api/2.0/workspace/mkdirs, GET /api/2.0/workspace/get-status,
  POST /api/2.0/workspace/import, GET /api/2.0/workspace/export, POST /api/2.0/workspace/delete
    (workspace files only, as alert-sync's apply lock uses them)
  GET/POST /api/2.0/notification-destinations, GET /api/2.0/notification-destinations/{id}
  GET /api/2.0/preview/scim/v2/Me
Control endpoints (not Databricks API, no auth, not counted, never faulted):
  GET /emulator/stats, POST /emulator/faults, POST /emulator/reset, POST /emulator/reset-counters

Fault specs (``faults=[...]``, ``set_faults`` or ``POST /emulator/faults``)::

  {"method": "POST" | "*", "path_regex": "^/api/2\\.0/alerts(/|$)",
   "kind": "429" | "503" | "502" | "504" | "403" | "reset" | "commit_then_504" | "commit_then_reset",
   "probability": 0.5,      # fire on this share of matching requests (random.Random(seed)), or
   "count": 2,              # fire on the next 2 matching requests; neither: fire on every match
   "retry_after": 1}        # Retry-After seconds for 429/503 (default 1)
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import json
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import uuid
import zoneinfo
from collections import deque
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

EMULATOR_WAREHOUSE_ID = "emulator-warehouse"
DEFAULT_TOKEN = "emulator-token"
DEFAULT_USER = "emulator@example.com"

# [DOCS] list page_size defaults to 20. The maximum for /api/2.0/alerts (v2) is not in the SDK; the
# v1 alerts/queries list docs say "<= 100", and so does a third-party reference for v2. We take 100
# and clamp larger values to it (AIP-158 style) rather than erroring: clients must follow
# next_page_token either way.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

STATE_FILE_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Enums [SDK]
COMPARISON_OPERATORS = ("EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "IS_NOT_NULL", "IS_NULL",
                        "LESS_THAN", "LESS_THAN_OR_EQUAL", "NOT_EQUAL")
NULL_OPERATORS = ("IS_NULL", "IS_NOT_NULL")
AGGREGATIONS = ("AVG", "COUNT", "COUNT_DISTINCT", "MAX", "MEDIAN", "MIN", "STDDEV", "SUM")
EVALUATION_STATES = ("ERROR", "OK", "TRIGGERED", "UNKNOWN")
PAUSE_STATUSES = ("PAUSED", "UNPAUSED")
DESTINATION_TYPES = {  # Config field -> DestinationType [SDK settings.Config / DestinationType]
    "email": "EMAIL", "slack": "SLACK", "generic_webhook": "WEBHOOK",
    "microsoft_teams": "MICROSOFT_TEAMS", "pagerduty": "PAGERDUTY",
}

FAULT_KINDS = ("429", "503", "502", "504", "403", "reset", "commit_then_504", "commit_then_reset")
DEFAULT_FAULT_PATH = r"^/api/2\.0/alerts(/|$)"


class ApiError(Exception):
    """An error answered as ``{"error_code", "message"}`` JSON."""

    def __init__(self, status: int, error_code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.error_code, self.message = status, error_code, message
        self.headers = headers or {}


def _invalid(message: str) -> ApiError:
    return ApiError(400, "INVALID_PARAMETER_VALUE", message)


def _now() -> str:
    """RFC 3339 UTC with a Z suffix, millisecond precision (like the service's create_time)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------------------------
# AlertV2 schema [SDK service/sql.py]. Leaves are type names; dicts are nested messages;
# ("list", schema) is a repeated message; OUTPUT marks output-only fields (ignored on input,
# never updatable).
OUTPUT = "output-only"
_OPERAND_COLUMN = {"name": "str", "aggregation": ("enum", AGGREGATIONS), "display": "str"}
ALERT_SCHEMA = {
    "display_name": "str",
    "query_text": "str",
    "warehouse_id": "str",
    "custom_summary": "str",
    "custom_description": "str",
    "parent_path": "str",
    "run_as_user_name": "str",
    "run_as": {"user_name": "str", "service_principal_name": "str"},
    "evaluation": {
        "source": _OPERAND_COLUMN,
        "comparison_operator": ("enum", COMPARISON_OPERATORS),
        "threshold": {
            "column": _OPERAND_COLUMN,
            "value": {"double_value": "double", "string_value": "str", "bool_value": "bool"},
        },
        "empty_result_state": ("enum", EVALUATION_STATES),
        "notification": {
            "notify_on_ok": "bool",
            "retrigger_seconds": "int",
            "subscriptions": ("list", {"destination_id": "str", "user_email": "str"}),
        },
        "state": OUTPUT,
        "last_evaluated_at": OUTPUT,
    },
    "schedule": {
        "quartz_cron_schedule": "str",
        "timezone_id": "str",
        "pause_status": ("enum", PAUSE_STATUSES),
    },
    "id": OUTPUT,
    "create_time": OUTPUT,
    "update_time": OUTPUT,
    "lifecycle_state": OUTPUT,
    "owner_user_name": OUTPUT,
    "effective_run_as": OUTPUT,
}
# [DOCS] "parent_path ... Can only be set on create, and cannot be updated."
CREATE_ONLY_FIELDS = ("parent_path",)


def _check_value(value, schema, path: str):
    """Type-check one JSON value against the schema; returns a cleaned copy.

    Unknown fields are rejected [ASSUME: strict, so typos such as ``quartz_cron_expression``
    surface instead of being silently dropped]; ``null`` means "not set" (proto3 JSON);
    output-only fields are dropped.
    """
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise _invalid(f"{path}: expected an object, got {type(value).__name__}")
        out = {}
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            if key not in schema:
                raise _invalid(f"{sub}: unknown field")
            if item is None or schema[key] == OUTPUT:
                continue
            out[key] = _check_value(item, schema[key], sub)
        return out
    if isinstance(schema, tuple) and schema[0] == "list":
        if not isinstance(value, list):
            raise _invalid(f"{path}: expected a list, got {type(value).__name__}")
        return [_check_value(v, schema[1], f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(schema, tuple) and schema[0] == "enum":
        if not isinstance(value, str) or value not in schema[1]:
            raise _invalid(f"{path}: {value!r} is not one of {', '.join(schema[1])}")
        return value
    ok = {
        "str": lambda v: isinstance(v, str),
        "bool": lambda v: isinstance(v, bool),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "double": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    }[schema](value)
    if not ok:
        raise _invalid(f"{path}: expected {schema}, got {json.dumps(value)}")
    return value


# ---------------------------------------------------------------------------------------------
# Quartz cron [SDK CronSchedule docstring -> quartz-scheduler.org tutorial lesson 6]
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# name, low, high, value names (1-based)
_CRON_FIELDS = (
    ("seconds", 0, 59, None),
    ("minutes", 0, 59, None),
    ("hours", 0, 23, None),
    ("day-of-month", 1, 31, None),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
    ("year", 1970, 2099, None),
)


def _cron_value(text: str, low: int, high: int, names) -> bool:
    if re.fullmatch(r"[0-9]+", text):
        return low <= int(text) <= high
    return names is not None and text.upper() in names


def _cron_special(item: str, field: str) -> bool | None:
    """Quartz L / W / # forms: True if valid, False if malformed, None if not a special form."""
    low, high, names = next((lo, hi, n) for name, lo, hi, n in _CRON_FIELDS if name == field)
    if field == "day-of-month":  # L, L-3, LW, 15W
        if re.fullmatch(r"L(-([1-9]|[12][0-9]|30))?|LW", item):
            return True
        m = re.fullmatch(r"([0-9]+)W", item)
        return None if m is None else 1 <= int(m.group(1)) <= 31
    if field == "day-of-week":  # L, 6L, FRIL, 6#3, FRI#3
        if item == "L":
            return True
        m = re.fullmatch(r"([0-9A-Za-z]+?)(L|#[0-9]+)", item)
        if m is None:
            return None
        nth_ok = m.group(2) == "L" or 1 <= int(m.group(2)[1:]) <= 5
        return nth_ok and _cron_value(m.group(1), low, high, names)
    return None


def _cron_item_ok(item: str, field: str) -> bool:
    """One comma-separated item: *, a, a-b, each with an optional /step."""
    low, high, names = next((lo, hi, n) for name, lo, hi, n in _CRON_FIELDS if name == field)
    base, slash, step = item.partition("/")
    if slash and not (re.fullmatch(r"[0-9]+", step) and 1 <= int(step) <= high):
        return False
    if base == "*":
        return True
    first, dash, last = base.partition("-")
    if not _cron_value(first, low, high, names):
        return False
    return not dash or _cron_value(last, low, high, names)


def quartz_cron_error(expr: str) -> str | None:
    """Why ``expr`` is not a valid Quartz cron expression, or None if it is."""
    fields = expr.split()
    if len(fields) not in (6, 7):
        return (f"expected 6 or 7 space-separated fields (sec min hour day-of-month month "
                f"day-of-week [year]), got {len(fields)}")
    dom, dow = fields[3], fields[5]
    # Quartz: "you must currently use the '?' character in one of these fields" (and only one).
    if (dom == "?") == (dow == "?"):
        return "exactly one of day-of-month and day-of-week must be '?'"
    for (field, *_), text in zip(_CRON_FIELDS, fields):
        if text == "?":
            if field not in ("day-of-month", "day-of-week"):
                return f"'?' is only allowed in day-of-month or day-of-week, not in {field}"
            continue
        items = text.split(",")
        for item in items:
            special = _cron_special(item, field)
            if special is not None and len(items) > 1:  # Quartz: L/W/# cannot be in a list
                return f"{field} field {text!r}: L, W and # cannot be combined with other values"
            if not (special if special is not None else _cron_item_ok(item, field)):
                return f"{field} field {text!r} is not valid"
    return None


# ---------------------------------------------------------------------------------------------
# Time zones [SDK: "A Java timezone id"]
@functools.lru_cache(maxsize=1)
def _available_timezones() -> frozenset:
    return frozenset(zoneinfo.available_timezones())


_OFFSET_ZONE = re.compile(r"(GMT|UTC|UT)([+-])([0-9]{1,2})(:?([0-9]{2}))?")


def timezone_ok(tz: str) -> bool:
    """IANA ids known to zoneinfo, plus Java's custom offset ids such as GMT+10 or UTC-03:30.

    [ASSUME] Java's deprecated three-letter aliases (PST, IST, ...) that are not IANA ids are
    rejected.
    """
    m = _OFFSET_ZONE.fullmatch(tz)
    if m:
        return int(m.group(3)) <= 18 and (m.group(5) is None or int(m.group(5)) < 60)
    available = _available_timezones()
    if available:
        return tz in available
    try:  # no tz database listing on this machine: fall back to loading the zone
        zoneinfo.ZoneInfo(tz)
        return True
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False


# ---------------------------------------------------------------------------------------------
# Workspace paths
def folder_key(path: str) -> str:
    """Identity of a workspace folder: /Workspace/Shared/x and /Shared/x are the same folder."""
    key = path.rstrip("/") or "/"
    if key == "/Workspace":
        return "/"
    if key.startswith("/Workspace/"):
        key = key[len("/Workspace"):]
    return key


def _check_workspace_path(path, field: str) -> str:
    if not isinstance(path, str) or not path.startswith("/"):
        raise _invalid(f"{field}: {path!r} is not an absolute workspace path")
    parts = path.rstrip("/").split("/")[1:]
    if any(p in ("", ".", "..") for p in parts):
        raise _invalid(f"{field}: {path!r} is not a normalized workspace path")
    return path


# ---------------------------------------------------------------------------------------------
# Alert validation, one function per concern; each raises ApiError naming the offending field.
def _validate_required(alert: dict) -> None:
    # [DOCS] required: display_name, query_text, warehouse_id, evaluation, schedule
    for field in ("display_name", "query_text", "warehouse_id"):
        if not alert.get(field, "").strip():
            raise _invalid(f"{field}: required field is missing or empty")
    for field in ("evaluation", "schedule"):
        if field not in alert:
            raise _invalid(f"{field}: required field is missing")


def _validate_operand_column(column: dict, path: str) -> None:
    if not column.get("name", "").strip():
        raise _invalid(f"{path}.name: required field is missing or empty")


def _validate_evaluation(evaluation: dict) -> None:
    if "source" not in evaluation:
        raise _invalid("evaluation.source: required field is missing")
    _validate_operand_column(evaluation["source"], "evaluation.source")
    operator = evaluation.get("comparison_operator")
    if operator is None:
        raise _invalid("evaluation.comparison_operator: required field is missing")
    threshold = evaluation.get("threshold")
    if threshold is None:
        if operator not in NULL_OPERATORS:
            raise _invalid(f"evaluation.threshold: required when comparison_operator is {operator}")
        return
    # [ASSUME] a threshold given with IS_NULL/IS_NOT_NULL is accepted (and ignored when evaluating).
    kinds = [k for k in ("column", "value") if k in threshold]
    if len(kinds) != 1:
        raise _invalid("evaluation.threshold: exactly one of column or value must be set")
    if kinds[0] == "column":
        _validate_operand_column(threshold["column"], "evaluation.threshold.column")
    else:
        values = [k for k in ("double_value", "string_value", "bool_value") if k in threshold["value"]]
        if len(values) != 1:
            raise _invalid("evaluation.threshold.value: exactly one of double_value, string_value "
                           "or bool_value must be set")


def _validate_notification(notification: dict, destination_ids) -> None:
    path = "evaluation.notification"
    retrigger = notification.get("retrigger_seconds")
    if retrigger is not None and retrigger < 0:
        raise _invalid(f"{path}.retrigger_seconds: must be >= 0, got {retrigger}")
    for i, sub in enumerate(notification.get("subscriptions", [])):
        sub_path = f"{path}.subscriptions[{i}]"
        kinds = [k for k in ("user_email", "destination_id") if k in sub]
        if len(kinds) != 1:
            raise _invalid(f"{sub_path}: exactly one of user_email or destination_id must be set")
        if "user_email" in sub and not re.fullmatch(r"[^@\s]+@[^@\s]+", sub["user_email"]):
            raise _invalid(f"{sub_path}.user_email: {sub['user_email']!r} is not an email address")
        if "destination_id" in sub and sub["destination_id"] not in destination_ids:
            raise _invalid(f"{sub_path}.destination_id: notification destination "
                           f"{sub['destination_id']!r} does not exist")


def _validate_schedule(schedule: dict) -> None:
    for field in ("quartz_cron_schedule", "timezone_id"):
        if not schedule.get(field, "").strip():
            raise _invalid(f"schedule.{field}: required field is missing or empty")
    problem = quartz_cron_error(schedule["quartz_cron_schedule"])
    if problem:
        raise _invalid(f"schedule.quartz_cron_schedule: invalid Quartz cron expression "
                       f"{schedule['quartz_cron_schedule']!r}: {problem}")
    if not timezone_ok(schedule["timezone_id"]):
        raise _invalid(f"schedule.timezone_id: {schedule['timezone_id']!r} is not a known "
                       f"time zone id (IANA/Java, e.g. 'UTC' or 'Europe/Amsterdam')")


def _validate_warehouse(alert: dict, warehouse_ids) -> None:
    # [ASSUME] an unknown warehouse is a 400 naming the field (not a 404, which clients read as
    # "the alert is gone").
    if alert["warehouse_id"] not in warehouse_ids:
        raise _invalid(f"warehouse_id: SQL warehouse {alert['warehouse_id']!r} does not exist")


def _validate_run_as(alert: dict, user: str) -> None:
    run_as = alert.get("run_as")
    if run_as is None:
        return
    kinds = [k for k in ("user_name", "service_principal_name") if k in run_as]
    if len(kinds) != 1:
        raise _invalid("run_as: exactly one of user_name or service_principal_name must be set")
    # [SDK] "Users can only set this to their own email."
    if "user_name" in run_as and run_as["user_name"] != user:
        raise _invalid(f"run_as.user_name: can only be set to your own user name ({user})")


def validate_alert(alert: dict, warehouse_ids, destination_ids, user: str) -> None:
    """Semantic checks of a (type-checked) alert definition; raises ApiError naming the field."""
    _validate_required(alert)
    _validate_evaluation(alert["evaluation"])
    _validate_notification(alert["evaluation"].get("notification", {}), destination_ids)
    _validate_schedule(alert["schedule"])
    _validate_warehouse(alert, warehouse_ids)
    _validate_run_as(alert, user)


def _effective_run_as(alert: dict, owner: str) -> dict:
    if "run_as" in alert:
        return dict(alert["run_as"])
    if "run_as_user_name" in alert:
        name = alert["run_as_user_name"]
        return {"user_name": name} if "@" in name else {"service_principal_name": name}
    return {"user_name": owner}


# ---------------------------------------------------------------------------------------------
# update_mask [SDK AlertsV2API.update_alert docstring]
def parse_update_mask(mask) -> list[str] | None:
    """Field paths of an update_mask; None means ``*`` (full replacement)."""
    if mask is None or mask == "":
        raise _invalid("update_mask: required query parameter is missing")
    if re.search(r"\s", mask):
        raise _invalid(f"update_mask: {mask!r} must be comma-separated field paths without spaces")
    paths = mask.split(",")
    if paths == ["*"]:
        return None
    for path in paths:
        if path == "*":
            raise _invalid("update_mask: '*' cannot be combined with other field paths")
        node = ALERT_SCHEMA
        for part in path.split("."):
            if isinstance(node, tuple) and node[0] == "list":
                raise _invalid(f"update_mask: {path!r} addresses elements of a repeated field; "
                               f"only the whole collection can be specified")
            if not isinstance(node, dict) or part not in node:
                raise _invalid(f"update_mask: {path!r} is not a field path of AlertV2")
            node = node[part]
        if path in CREATE_ONLY_FIELDS:
            raise _invalid(f"update_mask: {path!r} can only be set on create and cannot be updated")
        if node == OUTPUT:
            raise _invalid(f"update_mask: {path!r} is output only and cannot be updated")
    return paths


def apply_update_mask(stored: dict, body: dict, paths: list[str] | None) -> dict:
    """Copy the masked fields from body onto a copy of stored; a masked field absent from the
    body is cleared [DOCS field-mask semantics]."""
    result = copy.deepcopy(stored)
    if paths is None:  # '*': every updatable top-level field is replaced
        paths = [k for k, v in ALERT_SCHEMA.items() if v != OUTPUT and k not in CREATE_ONLY_FIELDS]
    for path in paths:
        *parents, leaf = path.split(".")
        src = body
        for part in parents:
            src = src.get(part, {})
        if leaf in src:
            dst = result
            for part in parents:
                dst = dst.setdefault(part, {})
            dst[leaf] = copy.deepcopy(src[leaf])
        else:
            dst = result
            for part in parents:
                dst = dst.get(part, {})
            dst.pop(leaf, None)
    return result


# ---------------------------------------------------------------------------------------------
# Notification destinations [SDK settings.py]
# Input fields of each nested config [SDK]; every one but email.addresses is [Input-Only].
DESTINATION_FIELDS = {
    "email": ("addresses",),
    "slack": ("url", "channel_id", "oauth_token"),
    "generic_webhook": ("url", "username", "password"),
    "microsoft_teams": ("url", "app_id", "auth_secret", "channel_url", "tenant_id"),
    "pagerduty": ("integration_key",),
}
# [ASSUME] the minimum a destination needs to be usable
DESTINATION_REQUIRED = {"email": ("addresses",), "slack": ("url", "oauth_token"),
                        "generic_webhook": ("url",), "microsoft_teams": ("url", "channel_url"),
                        "pagerduty": ("integration_key",)}


def _check_destination_config(config) -> tuple[str, dict]:
    """Validates a destination ``config``; returns (DestinationType, cleaned config)."""
    if not isinstance(config, dict):
        raise _invalid("config: required field is missing")
    kinds = [k for k in config if config[k] is not None]
    unknown = [k for k in kinds if k not in DESTINATION_TYPES]
    if unknown:
        raise _invalid(f"config.{unknown[0]}: unknown field")
    # [SDK] "Must wrap EXACTLY one of the nested configs."
    if len(kinds) != 1:
        raise _invalid(f"config: exactly one of {', '.join(DESTINATION_TYPES)} must be set")
    kind = kinds[0]
    inner = config[kind]
    if not isinstance(inner, dict):
        raise _invalid(f"config.{kind}: expected an object")
    cleaned = {}
    for key, value in inner.items():
        if value is None or key.endswith("_set") and key[:-4] in DESTINATION_FIELDS[kind]:
            continue  # *_set flags are output only: ignored on input
        if key not in DESTINATION_FIELDS[kind]:
            raise _invalid(f"config.{kind}.{key}: unknown field")
        if kind == "email":
            if not isinstance(value, list) or not all(
                    isinstance(a, str) and re.fullmatch(r"[^@\s]+@[^@\s]+", a) for a in value):
                raise _invalid("config.email.addresses: expected a list of email addresses")
        elif not isinstance(value, str):
            raise _invalid(f"config.{kind}.{key}: expected str, got {json.dumps(value)}")
        cleaned[key] = value
    if not any(cleaned.get(k) for k in DESTINATION_REQUIRED[kind]):
        raise _invalid(f"config.{kind}: {' or '.join(DESTINATION_REQUIRED[kind])} is required")
    return DESTINATION_TYPES[kind], {kind: cleaned}


def _redact_config(config: dict) -> dict:
    """[SDK] secrets are [Input-Only]; responses carry ``<field>_set: true`` instead."""
    out = {}
    for kind, inner in config.items():
        if kind == "email":
            out[kind] = copy.deepcopy(inner)
        else:
            out[kind] = {f"{k}_set": True for k, v in inner.items() if v}
    return out


# ---------------------------------------------------------------------------------------------
# Paging
def _encode_token(key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode_token(token: str):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        key = json.loads(raw)
        if isinstance(key, list) and len(key) == 2 and isinstance(key[0], str) \
                and isinstance(key[1], int):
            return tuple(key)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        pass
    raise _invalid(f"page_token: {token!r} is not a valid page token")


def _page(items: list, query: dict, sort_key) -> tuple[list, str | None]:
    """items sorted by sort_key; returns (page, next_page_token)."""
    raw_size = query.get("page_size", "")
    if raw_size in ("", None):
        size = DEFAULT_PAGE_SIZE
    elif not re.fullmatch(r"[0-9]+", raw_size):
        raise _invalid(f"page_size: {raw_size!r} is not a non-negative integer")
    else:  # proto3: 0 means unset
        size = min(int(raw_size), MAX_PAGE_SIZE) or DEFAULT_PAGE_SIZE
    token = query.get("page_token")
    if token:
        after = _decode_token(token)
        items = [i for i in items if sort_key(i) > after]
    page = items[:size]
    next_token = _encode_token(list(sort_key(page[-1]))) if len(items) > size else None
    return page, next_token


# ---------------------------------------------------------------------------------------------
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, emulator):
        self.emulator = emulator
        self.connections: set = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        # A client that went away mid-response (killed, timed out) is normal here, not an error.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def close_all_connections(self):
        """So SDK keep-alive connections cannot reach a stopped emulator's handler threads."""
        with self.connections_lock:
            conns, self.connections = list(self.connections), set()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()


class _Reset(Exception):
    """Close the connection without answering."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response carries Content-Length
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - silence per-request logging
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    def do_PUT(self):
        self._handle("PUT")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self, method: str):
        emu: Emulator = self.server.emulator
        body = self._read_body()
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            status, payload, headers = emu._handle_request(
                method, url.path, query, body, self.headers.get("Authorization"))
        except _Reset:
            self._reset_connection()
            return
        except Exception as e:  # an emulator bug: still answer in the API's error format
            status, payload, headers = 500, {"error_code": "INTERNAL_ERROR",
                                             "message": f"emulator error: {e!r}"}, {}
        self._send(status, payload, headers)

    def _send(self, status: int, payload, headers: dict):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, str(value))
        self.end_headers()
        self.wfile.write(data)

    def _reset_connection(self):
        # SO_LINGER 0 makes close() send a TCP RST: the client sees "connection reset by peer".
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()


# ---------------------------------------------------------------------------------------------
# Routing: (method, path template) -> Emulator method name. {id} matches one path segment.
ROUTES = (
    ("GET", "/api/2.0/alerts", "_list_alerts"),
    ("POST", "/api/2.0/alerts", "_create_alert"),
    ("GET", "/api/2.0/alerts/{id}", "_get_alert"),
    ("PATCH", "/api/2.0/alerts/{id}", "_update_alert"),
    ("DELETE", "/api/2.0/alerts/{id}", "_trash_alert"),
    ("GET", "/api/2.0/sql/warehouses", "_list_warehouses"),
    ("GET", "/api/2.0/sql/warehouses/{id}", "_get_warehouse"),
    ("POST", "/api/2.0/workspace/mkdirs", "_mkdirs"),
    ("GET", "/api/2.0/workspace/get-status", "_get_status"),
    ("POST", "/api/2.0/workspace/import", "_import_file"),
    ("GET", "/api/2.0/workspace/export", "_export_file"),
    ("POST", "/api/2.0/workspace/delete", "_delete_path"),
    ("GET", "/api/2.0/notification-destinations", "_list_destinations"),
    ("POST", "/api/2.0/notification-destinations", "_create_destination"),
    ("GET", "/api/2.0/notification-destinations/{id}", "_get_destination"),
    ("GET", "/api/2.0/preview/scim/v2/Me", "_me"),
)
CONTROL_ROUTES = {
    ("GET", "/emulator/stats"): "_ctl_stats",
    ("POST", "/emulator/faults"): "_ctl_faults",
    ("POST", "/emulator/reset"): "_ctl_reset",
    ("POST", "/emulator/reset-counters"): "_ctl_reset_counters",
}
WRITE_METHODS = ("POST", "PATCH", "DELETE", "PUT")
_COMPILED_ROUTES = [
    (m, t, re.compile("^" + re.escape(t).replace(r"\{id\}", "(?P<id>[^/]+)") + "$"), h)
    for m, t, h in ROUTES
]


def _match_route(method: str, path: str):
    """(template, handler name, id) for a request; handler None = known path, wrong method."""
    found = None
    for m, template, rx, handler in _COMPILED_ROUTES:
        match = rx.match(path)
        if match:
            if m == method:
                return template, handler, match.groupdict().get("id")
            found = template
    return found, None, None


def _check_faults(faults) -> list[dict]:
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
        if not isinstance(rule["retry_after"], int) or rule["retry_after"] < 0:
            raise ValueError(f"retry_after must be a non-negative integer, got {rule['retry_after']!r}")
        out.append(rule)
    return out


class Emulator:
    """In-process Alerts v2 workspace emulator; ``with Emulator() as emu: ... emu.url``.

    token: the bearer token accepted for everything; read_only_tokens: tokens that may read but
    get 403 PERMISSION_DENIED on writes; user: the caller (owner, home folder /Users/<user>);
    state_file: JSON file loaded at construction and rewritten atomically after each mutation;
    warehouse_ids: the warehouses alerts may use; latency_ms, max_rps, faults, seed: see
    ``set_faults`` and the module docstring.
    """

    def __init__(self, host="127.0.0.1", port=0, token=DEFAULT_TOKEN, user=DEFAULT_USER,
                 state_file=None, warehouse_ids=(EMULATOR_WAREHOUSE_ID,), latency_ms=0,
                 max_rps=None, faults=None, seed=0, read_only_tokens=()):
        self.host, self.port = host, port
        self.token, self.user = token, user
        self.read_only_tokens = set(read_only_tokens)
        self.warehouse_ids = tuple(warehouse_ids)
        self.state_file = os.fspath(state_file) if state_file else None
        self.url: str | None = None
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._faults: list[dict] = []
        self._latency_ms = 0
        self._max_rps = None
        self._seed = seed
        self._rng = random.Random(seed)
        self._window: deque = deque()
        self.set_faults(faults or [], latency_ms=latency_ms, max_rps=max_rps or 0)
        self.reset_counters()
        self._clear_state()
        if self.state_file and os.path.exists(self.state_file) and os.path.getsize(self.state_file):
            self._load_state()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "Emulator":
        self._server = _Server((self.host, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"alerts-emulator-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.close_all_connections()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "Emulator":
        return self.start() if self._server is None else self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- configuration -----------------------------------------------------------------------
    def set_faults(self, faults: list[dict] | None = None, latency_ms=None, max_rps=None,
                   seed=None) -> None:
        """Replace the fault rules (None = leave as is, [] = none); latency_ms/max_rps/seed
        likewise (max_rps 0 = no cap). A new seed restarts the fault RNG."""
        rules = _check_faults(faults) if faults is not None else None
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

    # -- counters ------------------------------------------------------------------------------
    def counters(self) -> dict:
        with self._lock:
            return copy.deepcopy(self._counters)

    def reset_counters(self) -> None:
        with self._lock:
            self._counters = {"total": 0, "by_method": {}, "by_endpoint": {}, "by_status": {},
                              "writes": 0, "faults_injected": 0, "faults_by_kind": {},
                              "rate_limited": 0}

    def _bump(self, name: str, key: str | None = None) -> None:
        if key is None:
            self._counters[name] += 1
        else:
            self._counters[name][key] = self._counters[name].get(key, 0) + 1

    # -- direct state access (tests, demo) --------------------------------------------------
    def alerts(self, include_trashed: bool = False) -> list[dict]:
        with self._lock:
            records = sorted(self._alerts.values(), key=self._alert_order)
            return [copy.deepcopy(r["alert"]) for r in records
                    if include_trashed or r["alert"]["lifecycle_state"] == "ACTIVE"]

    def add_alert(self, alert: dict) -> dict:
        """Seed an alert without API validation or renaming (e.g. a foreign alert in another
        folder, or pre-existing duplicates). Missing output fields are filled in; the parent
        folder is created if needed."""
        with self._lock:
            stored = copy.deepcopy(alert)
            now = _now()
            stored.setdefault("id", str(uuid.uuid4()))
            stored.setdefault("create_time", now)
            stored.setdefault("update_time", stored["create_time"])
            stored.setdefault("lifecycle_state", "ACTIVE")
            stored.setdefault("owner_user_name", self.user)
            stored.setdefault("parent_path", f"/Users/{self.user}")
            stored.setdefault("effective_run_as", _effective_run_as(stored, stored["owner_user_name"]))
            stored.setdefault("evaluation", {}).setdefault("state", "UNKNOWN")
            self._mkdirs_locked(stored["parent_path"])
            self._store_alert(stored)
            self._save()
            return copy.deepcopy(stored)

    def add_destination(self, display_name: str, destination_type: str = "EMAIL",
                        config: dict | None = None, destination_id: str | None = None) -> dict:
        """Seed a notification destination; returns it as GET would."""
        if config is None:
            config = {
                "EMAIL": {"email": {"addresses": [self.user]}},
                "SLACK": {"slack": {"url": "https://hooks.slack.invalid/emulator"}},
                "WEBHOOK": {"generic_webhook": {"url": "https://webhook.invalid/emulator"}},
                "MICROSOFT_TEAMS": {"microsoft_teams": {"url": "https://teams.invalid/emulator"}},
                "PAGERDUTY": {"pagerduty": {"integration_key": "emulator-key"}},
            }[destination_type]
        derived, config = _check_destination_config(config)
        if derived != destination_type:
            raise ValueError(f"config is a {derived} destination, not {destination_type}")
        with self._lock:
            dest = {"id": destination_id or str(uuid.uuid4()), "display_name": display_name,
                    "destination_type": derived, "config": copy.deepcopy(config)}
            self._store_destination(dest)
            self._save()
            return self._destination_view(dest)

    def destinations(self) -> list[dict]:
        with self._lock:
            return [self._destination_view(r["destination"])
                    for r in sorted(self._destinations.values(), key=lambda r: r["seq"])]

    def folders(self) -> list[str]:
        with self._lock:
            return sorted(self._folders)

    def reset_state(self) -> None:
        with self._lock:
            self._clear_state()
            self._save()

    # -- state ------------------------------------------------------------------------------
    def _clear_state(self) -> None:
        self._alerts: dict[str, dict] = {}  # id -> {"seq", "alert"}
        self._destinations: dict[str, dict] = {}  # id -> {"seq", "destination"}
        self._folders: dict[str, int] = {}  # folder key -> object_id
        self._files: dict[str, dict] = {}  # file key -> {"object_id", "content" (base64)}
        self._seq = 0
        self._next_object_id = 1000
        for path in ("/", "/Users", "/Shared", f"/Users/{self.user}"):
            self._mkdirs_locked(path)

    @staticmethod
    def _alert_order(record: dict):
        return record["alert"]["create_time"], record["seq"]

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _store_alert(self, alert: dict) -> None:
        existing = self._alerts.get(alert["id"])
        seq = existing["seq"] if existing else self._next_seq()
        self._alerts[alert["id"]] = {"seq": seq, "alert": alert}

    def _store_destination(self, dest: dict) -> None:
        self._destinations[dest["id"]] = {"seq": self._next_seq(), "destination": dest}

    def _new_object_id(self) -> int:
        self._next_object_id += 1
        return self._next_object_id - 1

    def _mkdirs_locked(self, path: str) -> None:
        key = folder_key(path)
        parts = [p for p in key.split("/") if p]
        for i in range(len(parts) + 1):
            sub = "/" + "/".join(parts[:i])
            if sub not in self._folders:
                self._folders[sub] = self._new_object_id()

    def _save(self) -> None:
        """Atomic write (tmp + os.replace) after each mutation; caller holds the lock."""
        if not self.state_file:
            return
        state = {"version": STATE_FILE_VERSION, "seq": self._seq,
                 "next_object_id": self._next_object_id, "folders": self._folders,
                 "files": self._files,
                 "alerts": list(self._alerts.values()),
                 "destinations": list(self._destinations.values())}
        directory = os.path.dirname(os.path.abspath(self.state_file))
        os.makedirs(directory, exist_ok=True)
        tmp = f"{self.state_file}.tmp-{os.getpid()}-{threading.get_ident()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(state, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.state_file)

    def _load_state(self) -> None:
        with open(self.state_file, encoding="utf-8") as fh:
            state = json.load(fh)
        if state.get("version") != STATE_FILE_VERSION:
            raise ValueError(f"{self.state_file}: unsupported emulator state version "
                             f"{state.get('version')!r}")
        with self._lock:
            self._seq = state["seq"]
            self._next_object_id = state["next_object_id"]
            self._folders.update(state["folders"])
            self._files = state.get("files", {})
            self._alerts = {r["alert"]["id"]: r for r in state["alerts"]}
            self._destinations = {r["destination"]["id"]: r for r in state["destinations"]}

    # -- request pipeline ----------------------------------------------------------------------
    def _handle_request(self, method, path, query, body: bytes, authorization):
        """Returns (status, payload, headers) or raises _Reset."""
        control = CONTROL_ROUTES.get((method, path))
        if control:
            try:
                return 200, getattr(self, control)(_parse_json(body)), {}
            except ApiError as e:
                return e.status, {"error_code": e.error_code, "message": e.message}, {}
        template, handler, item_id = _match_route(method, path)
        with self._lock:
            self._bump("total")
            self._bump("by_method", method)
            self._bump("by_endpoint", f"{method} {template or path}")
            latency = self._latency_ms
        if latency:
            time.sleep(latency / 1000.0)
        with self._lock:
            limited = self._rate_limited()
            fault = None if limited else self._pick_fault(method, path)
        if limited:
            with self._lock:
                self._bump("rate_limited")
            return self._finish(429, {"error_code": "REQUEST_LIMIT_EXCEEDED",
                                      "message": f"Request rate limit exceeded ({self._max_rps} "
                                                 f"requests per second)"}, {"Retry-After": "1"})
        if fault and not fault["kind"].startswith("commit_then_"):
            return self._inject(fault)
        try:
            self._authenticate(authorization, method)
            if handler is None:
                if template:
                    raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} is not supported on {path}")
                raise ApiError(404, "ENDPOINT_NOT_FOUND", f"No API found for '{method} {path}'")
            args = (query, _parse_json(body)) if method in ("POST", "PATCH") else (query,)
            if item_id is not None:
                args = (item_id, *args)
            status, payload = 200, getattr(self, handler)(*args)
        except ApiError as e:
            status, payload = e.status, {"error_code": e.error_code, "message": e.message}
            headers = e.headers
        else:
            headers = {}
        if fault:  # commit_then_*: the work above is done and kept; the answer is lost
            return self._inject(fault)
        return self._finish(status, payload, headers)

    def _finish(self, status, payload, headers):
        with self._lock:
            self._bump("by_status", str(status))
        return status, payload, headers

    def _authenticate(self, authorization, method) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "UNAUTHENTICATED", "Credential was not sent or was of an "
                                                   "unsupported type for this API.")
        if token != self.token and token not in self.read_only_tokens:
            raise ApiError(401, "UNAUTHENTICATED", "Invalid access token.")
        if token in self.read_only_tokens and method in WRITE_METHODS:
            raise ApiError(403, "PERMISSION_DENIED", f"This token is read-only: {method} is not "
                                                     f"allowed.")

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

    def _inject(self, rule):
        kind = rule["kind"]
        if kind.endswith("reset"):
            with self._lock:
                self._bump("by_status", "reset")
            raise _Reset()
        if kind.endswith("504"):
            return self._finish(504, {"error_code": "DEADLINE_EXCEEDED",
                                      "message": "Gateway timeout (emulator fault)"}, {})
        if kind == "403":  # e.g. a permission revoked mid-run
            return self._finish(403, {"error_code": "PERMISSION_DENIED",
                                      "message": "Permission denied (emulator fault)"}, {})
        if kind == "502":
            return self._finish(502, {"error_code": "BAD_GATEWAY",
                                      "message": "Bad gateway (emulator fault)"}, {})
        if kind == "503":
            return self._finish(503, {"error_code": "TEMPORARILY_UNAVAILABLE",
                                      "message": "The service is temporarily unavailable "
                                                 "(emulator fault)"},
                                {"Retry-After": str(rule["retry_after"])})
        return self._finish(429, {"error_code": "REQUEST_LIMIT_EXCEEDED",
                                  "message": "Too many requests (emulator fault)"},
                            {"Retry-After": str(rule["retry_after"])})

    # -- alerts -------------------------------------------------------------------------------
    def _get_record(self, alert_id: str, active_only: bool) -> dict:
        record = self._alerts.get(alert_id)
        # [ASSUME] NOT_FOUND (the SDK raises NotFound); the service's exact code is undocumented.
        if record is None:
            raise ApiError(404, "NOT_FOUND", f"Alert {alert_id} does not exist.")
        if active_only and record["alert"]["lifecycle_state"] != "ACTIVE":
            # [ASSUME] a trashed alert cannot be updated or trashed again: 404.
            raise ApiError(404, "NOT_FOUND", f"Alert {alert_id} is in the trash.")
        return record

    def _free_name(self, name: str, key: str, exclude_id: str | None) -> str:
        """[SEEN] a duplicate display name among active alerts of a folder becomes 'Name (1)'."""
        taken = {r["alert"]["display_name"] for r in self._alerts.values()
                 if r["alert"]["lifecycle_state"] == "ACTIVE" and r["alert"]["id"] != exclude_id
                 and folder_key(r["alert"]["parent_path"]) == key}
        if name not in taken:
            return name
        n = 1
        while f"{name} ({n})" in taken:
            n += 1
        return f"{name} ({n})"

    def _check_alert_body(self, body) -> dict:
        if not isinstance(body, dict):
            raise ApiError(400, "MALFORMED_REQUEST", "Request body must be a JSON object")
        return _check_value(body, ALERT_SCHEMA, "")

    def _validate(self, alert: dict) -> None:
        validate_alert(alert, self.warehouse_ids, self._destinations.keys(), self.user)

    def _create_alert(self, query, body):
        alert = self._check_alert_body(body)
        with self._lock:
            if "parent_path" in alert:
                _check_workspace_path(alert["parent_path"], "parent_path")
                if folder_key(alert["parent_path"]) not in self._folders:
                    raise ApiError(404, "RESOURCE_DOES_NOT_EXIST",
                                   f"parent_path: folder {alert['parent_path']!r} does not exist; "
                                   f"create it first (POST /api/2.0/workspace/mkdirs)")
            else:  # [DOCS] alerts are stored in the user's home folder by default
                alert["parent_path"] = f"/Users/{self.user}"
            self._validate(alert)
            alert["display_name"] = self._free_name(alert["display_name"],
                                                    folder_key(alert["parent_path"]), None)
            # [ASSUME] the service fills in the documented default pause_status.
            alert["schedule"].setdefault("pause_status", "UNPAUSED")
            now = _now()
            alert.update(id=str(uuid.uuid4()), create_time=now, update_time=now,
                         lifecycle_state="ACTIVE", owner_user_name=self.user,
                         effective_run_as=_effective_run_as(alert, self.user))
            alert["evaluation"]["state"] = "UNKNOWN"
            self._store_alert(alert)
            self._bump("writes")
            self._save()
            return copy.deepcopy(alert)

    def _list_alerts(self, query):
        with self._lock:
            active = sorted((r for r in self._alerts.values()
                             if r["alert"]["lifecycle_state"] == "ACTIVE"), key=self._alert_order)
            page, token = _page(active, query, self._alert_order)
            response = {"alerts": [copy.deepcopy(r["alert"]) for r in page]}
            if token:
                response["next_page_token"] = token
            return response

    def _get_alert(self, alert_id, query):
        with self._lock:  # [DOCS] trashed alerts stay gettable (lifecycle_state DELETED)
            return copy.deepcopy(self._get_record(alert_id, active_only=False)["alert"])

    def _update_alert(self, alert_id, query, body):
        paths = parse_update_mask(query.get("update_mask"))
        patch = self._check_alert_body(body)
        with self._lock:
            stored = self._get_record(alert_id, active_only=True)["alert"]
            updated = apply_update_mask(stored, patch, paths)
            self._validate(updated)
            if updated["display_name"] != stored["display_name"]:
                updated["display_name"] = self._free_name(
                    updated["display_name"], folder_key(stored["parent_path"]), alert_id)
            updated["schedule"].setdefault("pause_status", "UNPAUSED")
            updated["evaluation"].setdefault("state", stored["evaluation"].get("state", "UNKNOWN"))
            if "last_evaluated_at" in stored["evaluation"]:
                updated["evaluation"]["last_evaluated_at"] = stored["evaluation"]["last_evaluated_at"]
            updated["effective_run_as"] = _effective_run_as(updated, stored["owner_user_name"])
            updated["update_time"] = _now()
            self._store_alert(updated)
            self._bump("writes")
            self._save()
            return copy.deepcopy(updated)

    def _trash_alert(self, alert_id, query):
        with self._lock:
            record = self._get_record(alert_id, active_only=True)
            record["alert"]["lifecycle_state"] = "DELETED"
            record["alert"]["update_time"] = _now()
            self._bump("writes")
            self._save()
            return {}

    # -- warehouses, workspace, identity ----------------------------------------------------
    def _warehouse(self, warehouse_id):
        return {"id": warehouse_id, "name": f"Emulator warehouse {warehouse_id}", "state": "RUNNING"}

    def _list_warehouses(self, query):
        return {"warehouses": [self._warehouse(w) for w in self.warehouse_ids]}

    def _get_warehouse(self, warehouse_id, query):
        if warehouse_id not in self.warehouse_ids:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Warehouse {warehouse_id} does not exist.")
        return self._warehouse(warehouse_id)

    def _mkdirs(self, query, body):
        path = _check_workspace_path(body.get("path") if isinstance(body, dict) else None, "path")
        with self._lock:
            before = len(self._folders)
            self._mkdirs_locked(path)
            if len(self._folders) != before:
                self._bump("writes")
                self._save()
            return {}

    def _get_status(self, query):
        path = _check_workspace_path(query.get("path"), "path")
        with self._lock:
            object_id = self._folders.get(folder_key(path))
            file = self._files.get(folder_key(path))
        if file is not None:
            return {"object_type": "FILE", "path": path, "object_id": file["object_id"]}
        if object_id is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Path ({path}) doesn't exist.")
        return {"object_type": "DIRECTORY", "path": path.rstrip("/") or "/", "object_id": object_id}

    # -- workspace files: only what alert-sync's lock needs -----------------------------------
    def _import_file(self, query, body):
        """[DOCS] import with overwrite=false fails RESOURCE_ALREADY_EXISTS when the path exists:
        the atomic create-if-absent alert-sync's apply lock relies on."""
        if not isinstance(body, dict):
            raise ApiError(400, "MALFORMED_REQUEST", "Request body must be a JSON object")
        path = _check_workspace_path(body.get("path"), "path")
        content = body.get("content", "")
        try:
            base64.b64decode(content, validate=True)
        except (binascii.Error, TypeError):
            raise _invalid("content: must be base64-encoded") from None
        if body.get("format", "AUTO") not in ("AUTO", "RAW"):
            raise _invalid("format: the emulator imports workspace files only (AUTO or RAW)")
        key = folder_key(path)
        parent = key.rsplit("/", 1)[0] or "/"
        with self._lock:
            if parent not in self._folders:
                raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"The parent folder ({parent}) does not exist.")
            if key in self._folders:
                raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Path ({path}) is a directory.")
            existing = self._files.get(key)
            if existing is not None and not body.get("overwrite", False):
                raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Path ({path}) already exists.")
            object_id = existing["object_id"] if existing else self._new_object_id()
            self._files[key] = {"object_id": object_id, "content": content}
            self._bump("writes")
            self._save()
        return {}

    def _export_file(self, query):
        path = _check_workspace_path(query.get("path"), "path")
        with self._lock:
            file = self._files.get(folder_key(path))
        if file is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Path ({path}) doesn't exist.")
        return {"content": file["content"], "file_type": path.rsplit(".", 1)[-1] if "." in path else ""}

    def _delete_path(self, query, body):
        path = _check_workspace_path(body.get("path") if isinstance(body, dict) else None, "path")
        key = folder_key(path)
        with self._lock:
            if key in self._files:
                del self._files[key]
            elif key in self._folders:
                raise _invalid("path: deleting folders is not supported by the emulator")
            else:
                raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Path ({path}) doesn't exist.")
            self._bump("writes")
            self._save()
        return {}

    def _me(self, query):
        return {"id": "1000", "userName": self.user, "displayName": self.user.split("@")[0],
                "active": True, "emails": [{"value": self.user, "primary": True, "type": "work"}],
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}

    # -- notification destinations --------------------------------------------------------
    @staticmethod
    def _destination_view(dest: dict) -> dict:
        return {"id": dest["id"], "display_name": dest["display_name"],
                "destination_type": dest["destination_type"],
                "config": _redact_config(dest["config"])}

    def _create_destination(self, query, body):
        if not isinstance(body, dict):
            raise ApiError(400, "MALFORMED_REQUEST", "Request body must be a JSON object")
        unknown = set(body) - {"display_name", "config"}
        if unknown:
            raise _invalid(f"{sorted(unknown)[0]}: unknown field")
        name = body.get("display_name")
        if not isinstance(name, str) or not name.strip():
            raise _invalid("display_name: required field is missing or empty")
        destination_type, config = _check_destination_config(body.get("config"))
        with self._lock:
            dest = {"id": str(uuid.uuid4()), "display_name": name,
                    "destination_type": destination_type, "config": config}
            self._store_destination(dest)
            self._bump("writes")
            self._save()
            return self._destination_view(dest)

    def _list_destinations(self, query):
        with self._lock:
            records = sorted(self._destinations.values(), key=lambda r: r["seq"])
            page, token = _page(records, query, lambda r: ("", r["seq"]))
            response = {"results": [{k: r["destination"][k]
                                     for k in ("id", "display_name", "destination_type")}
                                    for r in page]}
            if token:
                response["next_page_token"] = token
            return response

    def _get_destination(self, destination_id, query):
        with self._lock:
            record = self._destinations.get(destination_id)
            if record is None:
                raise ApiError(404, "NOT_FOUND",
                               f"Notification destination {destination_id} does not exist.")
            return self._destination_view(record["destination"])

    # -- control endpoints ---------------------------------------------------------------
    def _ctl_stats(self, body):
        with self._lock:
            stats = self.counters()
            stats["alerts_active"] = sum(r["alert"]["lifecycle_state"] == "ACTIVE"
                                         for r in self._alerts.values())
            stats["alerts_trashed"] = len(self._alerts) - stats["alerts_active"]
            stats["fault_config"] = self.fault_config()
            return stats

    def _ctl_faults(self, body):
        """Replaces the whole fault config: absent keys mean off; seed absent keeps the seed
        (and restarts the RNG)."""
        body = body if isinstance(body, dict) else {}
        try:
            self.set_faults(body.get("faults") or [], latency_ms=body.get("latency_ms") or 0,
                            max_rps=body.get("max_rps") or 0, seed=body.get("seed", self._seed))
        except (ValueError, re.error) as e:
            raise _invalid(f"fault config: {e}") from None
        return self.fault_config()

    def _ctl_reset(self, body):
        self.reset_state()
        return {}

    def _ctl_reset_counters(self, body):
        self.reset_counters()
        return {}


def _parse_json(body: bytes):
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(400, "MALFORMED_REQUEST", f"Invalid JSON given in the body of the request: {e}")


def serve_forever(host: str = "127.0.0.1", port: int = 0, setup=None, **kwargs) -> None:
    """Run an emulator until SIGINT/SIGTERM; prints one 'emulator listening on URL' line.
    `setup(emulator)` runs before that line (e.g. to create notification destinations)."""
    stop = threading.Event()
    emulator = Emulator(host=host, port=port, **kwargs).start()
    if setup is not None:
        setup(emulator)
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    print(f"emulator listening on {emulator.url}", file=sys.stderr, flush=True)
    try:
        stop.wait()
    finally:
        emulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
