"""Alerts: the AlertV2 schema and its checks (types, semantics, update_mask) and the alert
endpoints (create, list, get, update, trash, purge) with the service's duplicate-name renaming
and the workspace's alert quota."""

from __future__ import annotations

import copy
import json
import re
import uuid

from ..workspace_paths import folder_key
from .api import ApiError, invalid, malformed_body, paginate, timestamp
from .schedule import quartz_cron_error, timezone_ok
from .state import Store
from .workspace import check_workspace_path

# Enums [SDK]
COMPARISON_OPERATORS = ("EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "IS_NOT_NULL", "IS_NULL",
                        "LESS_THAN", "LESS_THAN_OR_EQUAL", "NOT_EQUAL")
NULL_OPERATORS = ("IS_NULL", "IS_NOT_NULL")
AGGREGATIONS = ("AVG", "COUNT", "COUNT_DISTINCT", "MAX", "MEDIAN", "MIN", "STDDEV", "SUM")
EVALUATION_STATES = ("ERROR", "OK", "TRIGGERED", "UNKNOWN")
PAUSE_STATUSES = ("PAUSED", "UNPAUSED")

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
        "effective_pause_status": OUTPUT,  # [SDK >= 0.123 CronSchedule] output only
    },
    # [SDK >= 0.123 AlertStatementParameter] named scalar parameters (`:name` in query_text); the
    # Terraform provider names `parameters` in every update mask. Stored and echoed as sent.
    "parameters": ("list", {"name": "str", "type": "str", "value": "str"}),
    # HTML (Mustache {{VARIABLE}}) or MARKDOWN (@VARIABLE) [the JavaScript SDK's alerts v2
    # CustomTemplateFormat; in no Python SDK release up to 0.167]. Whether the service refuses
    # other values is not documented [ASSUME], so any string is stored and echoed as sent.
    "custom_template_format": "str",
    "id": OUTPUT,
    "create_time": OUTPUT,
    "update_time": OUTPUT,
    "lifecycle_state": OUTPUT,
    "owner_user_name": OUTPUT,
    "effective_run_as": OUTPUT,
    "effective_parent_path": OUTPUT,  # [SDK >= 0.123 AlertV2] output only
}
# [DOCS] "parent_path ... Can only be set on create, and cannot be updated."
CREATE_ONLY_FIELDS = ("parent_path",)
# [DOCS databricks/cli PR #4505] "Alerts are soft deleted by default and have a limit of 1000 per
# workspace": trashed alerts count until purged (or until the service purges them after 30 days).
ALERT_QUOTA = 1000


def check_value(value, schema, path: str):
    """Type-check one JSON value against the schema; returns a cleaned copy.

    Unknown fields are rejected [ASSUME: strict, so typos such as ``quartz_cron_expression``
    surface instead of being silently dropped]; ``null`` means "not set" (proto3 JSON);
    output-only fields are dropped.
    """
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise invalid(f"{path}: expected an object, got {type(value).__name__}")
        out = {}
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            if key not in schema:
                raise invalid(f"{sub}: unknown field")
            if item is None or schema[key] == OUTPUT:
                continue
            out[key] = check_value(item, schema[key], sub)
        return out
    if isinstance(schema, tuple) and schema[0] == "list":
        if not isinstance(value, list):
            raise invalid(f"{path}: expected a list, got {type(value).__name__}")
        return [check_value(v, schema[1], f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(schema, tuple) and schema[0] == "enum":
        if not isinstance(value, str) or value not in schema[1]:
            raise invalid(f"{path}: {value!r} is not one of {', '.join(schema[1])}")
        return value
    ok = {
        "str": lambda v: isinstance(v, str),
        "bool": lambda v: isinstance(v, bool),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "double": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    }[schema](value)
    if not ok:
        raise invalid(f"{path}: expected {schema}, got {json.dumps(value)}")
    return value


# ---------------------------------------------------------------------------------------------
# Alert validation, one function per concern; each raises ApiError naming the offending field.
def _validate_required(alert: dict) -> None:
    # [DOCS] required: display_name, query_text, warehouse_id, evaluation, schedule
    for field in ("display_name", "query_text", "warehouse_id"):
        if not alert.get(field, "").strip():
            raise invalid(f"{field}: required field is missing or empty")
    for field in ("evaluation", "schedule"):
        if field not in alert:
            raise invalid(f"{field}: required field is missing")


def _validate_operand_column(column: dict, path: str) -> None:
    if not column.get("name", "").strip():
        raise invalid(f"{path}.name: required field is missing or empty")


def _validate_evaluation(evaluation: dict) -> None:
    if "source" not in evaluation:
        raise invalid("evaluation.source: required field is missing")
    _validate_operand_column(evaluation["source"], "evaluation.source")
    operator = evaluation.get("comparison_operator")
    if operator is None:
        raise invalid("evaluation.comparison_operator: required field is missing")
    threshold = evaluation.get("threshold")
    if threshold is None:
        if operator not in NULL_OPERATORS:
            raise invalid(f"evaluation.threshold: required when comparison_operator is {operator}")
        return
    # [ASSUME] a threshold given with IS_NULL/IS_NOT_NULL is accepted (and ignored when evaluating).
    kinds = [k for k in ("column", "value") if k in threshold]
    if len(kinds) != 1:
        raise invalid("evaluation.threshold: exactly one of column or value must be set")
    if kinds[0] == "column":
        _validate_operand_column(threshold["column"], "evaluation.threshold.column")
    else:
        values = [k for k in ("double_value", "string_value", "bool_value") if k in threshold["value"]]
        if len(values) != 1:
            raise invalid("evaluation.threshold.value: exactly one of double_value, string_value "
                           "or bool_value must be set")


def _validate_notification(notification: dict, destination_ids) -> None:
    path = "evaluation.notification"
    retrigger = notification.get("retrigger_seconds")
    if retrigger is not None and retrigger < 0:
        raise invalid(f"{path}.retrigger_seconds: must be >= 0, got {retrigger}")
    for i, sub in enumerate(notification.get("subscriptions", [])):
        sub_path = f"{path}.subscriptions[{i}]"
        kinds = [k for k in ("user_email", "destination_id") if k in sub]
        if len(kinds) != 1:
            raise invalid(f"{sub_path}: exactly one of user_email or destination_id must be set")
        if "user_email" in sub and not re.fullmatch(r"[^@\s]+@[^@\s]+", sub["user_email"]):
            raise invalid(f"{sub_path}.user_email: {sub['user_email']!r} is not an email address")
        if "destination_id" in sub and sub["destination_id"] not in destination_ids:
            raise invalid(f"{sub_path}.destination_id: notification destination "
                           f"{sub['destination_id']!r} does not exist")


def _validate_schedule(schedule: dict) -> None:
    for field in ("quartz_cron_schedule", "timezone_id"):
        if not schedule.get(field, "").strip():
            raise invalid(f"schedule.{field}: required field is missing or empty")
    problem = quartz_cron_error(schedule["quartz_cron_schedule"])
    if problem:
        raise invalid(f"schedule.quartz_cron_schedule: invalid Quartz cron expression "
                       f"{schedule['quartz_cron_schedule']!r}: {problem}")
    if not timezone_ok(schedule["timezone_id"]):
        raise invalid(f"schedule.timezone_id: {schedule['timezone_id']!r} is not a known "
                       f"time zone id (IANA/Java, e.g. 'UTC' or 'Europe/Amsterdam')")


def _validate_warehouse(alert: dict, warehouse_ids) -> None:
    # [ASSUME] an unknown warehouse is a 400 naming the field (not a 404, which clients read as
    # "the alert is gone").
    if alert["warehouse_id"] not in warehouse_ids:
        raise invalid(f"warehouse_id: SQL warehouse {alert['warehouse_id']!r} does not exist")


def _validate_run_as(alert: dict, user: str, service_principals: dict) -> None:
    run_as = alert.get("run_as")
    if run_as is None:
        return
    kinds = [k for k in ("user_name", "service_principal_name") if k in run_as]
    if len(kinds) != 1:
        raise invalid("run_as: exactly one of user_name or service_principal_name must be set")
    # [SDK AlertV2RunAs] user_name: "Can only set this field to their own email."
    # [ASSUME] refused as PERMISSION_DENIED (it is a matter of who asks, not of the value's shape).
    if "user_name" in run_as and run_as["user_name"] != user:
        raise ApiError(403, "PERMISSION_DENIED", f"run_as.user_name: users can only set run_as to their own user "
                                                 f"name ({user}), not {run_as['user_name']}")
    # [SDK AlertV2RunAs] service_principal_name: "Application ID of an active service principal.
    # Setting this field requires the `servicePrincipal/user` role."
    if "service_principal_name" in run_as:
        app_id = run_as["service_principal_name"]
        if app_id not in service_principals:
            raise invalid(f"run_as.service_principal_name: {app_id!r} is not the application id of an active "
                          f"service principal")
        if not service_principals[app_id]:
            raise ApiError(403, "PERMISSION_DENIED", f"run_as.service_principal_name: setting run_as to service "
                                                     f"principal {app_id} requires the servicePrincipal/user role "
                                                     f"on it")


def validate_alert(alert: dict, warehouse_ids, destination_ids, user: str, service_principals: dict) -> None:
    """Semantic checks of a (type-checked) alert definition; raises ApiError naming the field."""
    _validate_required(alert)
    _validate_evaluation(alert["evaluation"])
    _validate_notification(alert["evaluation"].get("notification", {}), destination_ids)
    _validate_schedule(alert["schedule"])
    _validate_warehouse(alert, warehouse_ids)
    _validate_run_as(alert, user, service_principals)


def effective_run_as(alert: dict, owner: str) -> dict:
    if "run_as" in alert:
        return dict(alert["run_as"])
    if "run_as_user_name" in alert:
        name = alert["run_as_user_name"]
        return {"user_name": name} if "@" in name else {"service_principal_name": name}
    return {"user_name": owner}


# ---------------------------------------------------------------------------------------------
# update_mask [SDK AlertsV2API.update_alert docstring]. The docstring allows dotted sub-field paths
# in general, but every official client sends top-level field names only, each with its complete
# value (the Terraform provider's databricks_alert_v2 sends "custom_description,custom_summary,
# display_name,evaluation,parameters,parent_path,query_text,run_as,run_as_user_name,schedule,
# warehouse_id"; the bundle alerts resource goes through it). Whether the service honours nested
# paths is undocumented, so the emulator refuses them [ASSUME]: a client that works here sends
# only what the service is known to accept.
def parse_update_mask(mask) -> list[str] | None:
    """Field names of an update_mask; None means ``*`` (full replacement)."""
    if mask is None or mask == "":
        raise invalid("update_mask: required query parameter is missing")
    if re.search(r"\s", mask):
        raise invalid(f"update_mask: {mask!r} must be comma-separated field paths without spaces")
    paths = mask.split(",")
    if paths == ["*"]:
        return None
    for path in paths:
        if path == "*":
            raise invalid("update_mask: '*' cannot be combined with other field paths")
        if "." in path:
            top = path.split(".", 1)[0]
            raise invalid(f"update_mask: {path!r} is a nested field path; name the top-level field {top!r} and "
                          f"send its complete value")
        if path not in ALERT_SCHEMA:
            raise invalid(f"update_mask: {path!r} is not a field of AlertV2")
        if ALERT_SCHEMA[path] == OUTPUT:
            raise invalid(f"update_mask: {path!r} is output only and cannot be updated")
    return paths


def apply_update_mask(stored: dict, body: dict, paths: list[str] | None) -> dict:
    """Copy the masked fields from body onto a copy of stored; a masked field absent from the
    body is cleared [DOCS field-mask semantics]."""
    result = copy.deepcopy(stored)
    if paths is None:  # '*': every updatable top-level field is replaced
        paths = [k for k, v in ALERT_SCHEMA.items() if v != OUTPUT and k not in CREATE_ONLY_FIELDS]
    for path in paths:
        if path in CREATE_ONLY_FIELDS:
            # The Terraform provider names parent_path in every mask: the same value is accepted,
            # a move is not [DOCS "Can only be set on create, and cannot be updated."].
            if path in body and folder_key(body[path]) != folder_key(stored[path]):
                raise invalid(f"{path}: can only be set on create and cannot be updated")
            continue
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
# Endpoints
def alert_order(record: dict):
    """Sort key of the alerts list: creation order, ties broken by seq."""
    return record["alert"]["create_time"], record["seq"]


class AlertEndpoints(Store):
    """/api/2.0/alerts, plus direct access for tests and the demo."""

    warehouse_ids: tuple

    def alerts(self, include_trashed: bool = False) -> list[dict]:
        with self._lock:
            records = sorted(self._alerts.values(), key=alert_order)
            return [copy.deepcopy(r["alert"]) for r in records
                    if include_trashed or r["alert"]["lifecycle_state"] == "ACTIVE"]

    def add_alert(self, alert: dict) -> dict:
        """Seed an alert without API validation or renaming (e.g. a foreign alert in another
        folder, or pre-existing duplicates). Missing output fields are filled in; the parent
        folder is created if needed."""
        with self._lock:
            stored = copy.deepcopy(alert)
            now = timestamp()
            stored.setdefault("id", str(uuid.uuid4()))
            stored.setdefault("create_time", now)
            stored.setdefault("update_time", stored["create_time"])
            stored.setdefault("lifecycle_state", "ACTIVE")
            stored.setdefault("owner_user_name", self.user)
            stored.setdefault("parent_path", f"/Users/{self.user}")
            stored.setdefault("effective_run_as", effective_run_as(stored, stored["owner_user_name"]))
            stored.setdefault("evaluation", {})
            self._mkdirs_locked(stored["parent_path"])
            self._store_alert(stored)
            self._save()
            return copy.deepcopy(stored)

    def evaluate_alerts(self, states: dict | None = None, default: str | None = None) -> dict:
        """Stand in for the service's scheduler: the real service runs each unpaused alert's query on
        its warehouse at its quartz_cron_schedule and sets evaluation.state and
        evaluation.last_evaluated_at [SDK AlertV2Evaluation]. The emulator has no warehouse, so the
        caller says the outcome: `states` maps a databricks id, or the catalog alert_id of the
        query's marker, to OK / TRIGGERED / ERROR / UNKNOWN; other active unpaused alerts get
        `default` (None: left as they are). Paused alerts are not evaluated, as by the service.
        Not an API endpoint (POST /emulator/evaluate, a control route). Returns {id: state}."""
        from ..identity import marked_alert_id

        states = states or {}
        for state in [*states.values(), *([default] if default else [])]:
            if state not in EVALUATION_STATES:
                raise invalid(f"state {state!r}: use one of {', '.join(EVALUATION_STATES)}")
        done = {}
        with self._lock:
            now = timestamp()
            for record in self._alerts.values():
                alert = record["alert"]
                paused = alert.get("schedule", {}).get("pause_status") == "PAUSED"
                if alert["lifecycle_state"] != "ACTIVE" or paused:
                    continue
                state = states.get(alert["id"]) or states.get(marked_alert_id(alert.get("query_text"))) or default
                if state:
                    alert.setdefault("evaluation", {}).update(state=state, last_evaluated_at=now)
                    done[alert["id"]] = state
            self._save()
        return done

    # -- endpoints -----------------------------------------------------------------------------
    def _get_record(self, alert_id: str, active_only: bool) -> dict:
        record = self._alerts.get(alert_id)
        # [SEEN databricks/cli acceptance/bundle/resources/alerts/basic/output.txt] the message of a
        # GET after a purge: "Alert with ID '<id>' does not exist." [ASSUME] the code NOT_FOUND (404,
        # the SDK's NotFound).
        if record is None:
            raise ApiError(404, "NOT_FOUND", f"Alert with ID '{alert_id}' does not exist.")
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
            raise malformed_body()
        return check_value(body, ALERT_SCHEMA, "")

    def _validate(self, alert: dict) -> None:
        validate_alert(alert, self.warehouse_ids, self._destinations.keys(), self.user, self.service_principals)

    def _create_alert(self, query, body):
        alert = self._check_alert_body(body)
        with self._lock:
            if len(self._alerts) >= self.alert_quota:
                trashed = sum(r["alert"]["lifecycle_state"] != "ACTIVE" for r in self._alerts.values())
                # [ASSUME] the code and wording: the limit is documented (cli PR #4505), the error is not.
                raise ApiError(400, "RESOURCE_LIMIT_EXCEEDED",
                               f"Cannot create the alert: the workspace has reached its limit of {self.alert_quota} "
                               f"alerts ({trashed} of them in the trash; trashed alerts count until purged).")
            if "parent_path" in alert:
                check_workspace_path(alert["parent_path"], "parent_path")
                if folder_key(alert["parent_path"]) not in self._folders:
                    raise ApiError(404, "RESOURCE_DOES_NOT_EXIST",
                                   f"parent_path: folder {alert['parent_path']!r} does not exist; "
                                   f"create it first (POST /api/2.0/workspace/mkdirs)")
            else:  # [DOCS] alerts are stored in the user's home folder by default
                alert["parent_path"] = f"/Users/{self.user}"
            self._validate(alert)
            alert["display_name"] = self._free_name(alert["display_name"],
                                                    folder_key(alert["parent_path"]), None)
            # [SEEN databricks/cli acceptance/bundle/resources/alerts/with_file/output.txt] GET does not
            # echo a pause_status that was never sent, and a new alert has no evaluation.state (clients
            # read an absent pause_status as UNPAUSED, the documented default).
            now = timestamp()
            alert.update(id=str(uuid.uuid4()), create_time=now, update_time=now,
                         lifecycle_state="ACTIVE", owner_user_name=self.user,
                         effective_run_as=effective_run_as(alert, self.user))
            self._store_alert(alert)
            self._bump("writes")
            self._save()
            return copy.deepcopy(alert)

    def _list_alerts(self, query):
        with self._lock:
            active = sorted((r for r in self._alerts.values()
                             if r["alert"]["lifecycle_state"] == "ACTIVE"), key=alert_order)
            page, token = paginate(active, query, alert_order)
            response = {"alerts": [{k: copy.deepcopy(v) for k, v in r["alert"].items() if k not in self.list_omits}
                                   for r in page]}
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
            if "state" in stored["evaluation"]:
                updated["evaluation"]["state"] = stored["evaluation"]["state"]
            if "last_evaluated_at" in stored["evaluation"]:
                updated["evaluation"]["last_evaluated_at"] = stored["evaluation"]["last_evaluated_at"]
            updated["effective_run_as"] = effective_run_as(updated, stored["owner_user_name"])
            updated["update_time"] = timestamp()
            self._store_alert(updated)
            self._bump("writes")
            self._bump("update_masks", query["update_mask"])
            self._save()
            return copy.deepcopy(updated)

    def _trash_alert(self, alert_id, query):
        """DELETE trashes (restorable for 30 days); ``?purge=true`` deletes for good, from the trash too
        [DOCS REST "Delete an alert" purge; Terraform provider purge_on_delete; cli PR #4505]."""
        purge = query.get("purge", "false")
        if purge not in ("true", "false"):
            raise invalid(f"purge: {purge!r} is not a boolean (true or false)")
        with self._lock:
            record = self._get_record(alert_id, active_only=purge != "true")
            if purge == "true":
                del self._alerts[alert_id]
            else:
                record["alert"]["lifecycle_state"] = "DELETED"
                record["alert"]["update_time"] = timestamp()
            self._bump("writes")
            self._save()
            return {}
