"""The Alerts v2 emulator, driven only through the real databricks-sdk WorkspaceClient.

The emulator's control endpoints (/emulator/*) are not Databricks API; they are driven with
urllib. Everything else goes over real HTTP through databricks-sdk 0.77.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config
from databricks.sdk.errors import (
    BadRequest,
    DatabricksError,
    DeadlineExceeded,
    InvalidParameterValue,
    NotFound,
    PermissionDenied,
    ResourceDoesNotExist,
    Unauthenticated,
)
from databricks.sdk.service import settings, sql

from alert_sync.emulator import EMULATOR_SERVICE_PRINCIPAL, EMULATOR_WAREHOUSE_ID, MAX_PAGE_SIZE, Emulator

TOKEN = "emulator-token"
USER = "emulator@example.com"
FOLDER = "/Workspace/Shared/dbt_alerts/proj/dev"


@pytest.fixture(autouse=True)
def isolated_sdk_env(monkeypatch, tmp_path):
    """No DATABRICKS_* variables and no ~/.databrickscfg can leak into the client."""
    for key in list(os.environ):
        if key.startswith("DATABRICKS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


def client(emulator: Emulator, token: str = TOKEN) -> WorkspaceClient:
    config = Config(host=emulator.url, token=token, auth_type="pat",
                    retry_timeout_seconds=10, http_timeout_seconds=10)
    return WorkspaceClient(config=config)


@pytest.fixture
def w(emu) -> WorkspaceClient:
    return client(emu)


def alert_dict(**overrides) -> dict:
    """A valid AlertV2 as JSON; overrides are dotted paths, value None removes the field."""
    d = {
        "display_name": "[WARNING] Daily Cost Spike",
        "query_text": "SELECT 6012.5 AS daily_cost",
        "warehouse_id": EMULATOR_WAREHOUSE_ID,
        "custom_summary": "cost is {{QUERY_RESULT_VALUE}}",
        "evaluation": {
            "source": {"name": "daily_cost", "aggregation": "MAX"},
            "comparison_operator": "GREATER_THAN",
            "threshold": {"value": {"double_value": 5000.0}},
            "empty_result_state": "OK",
            "notification": {"notify_on_ok": True, "retrigger_seconds": 3600,
                             "subscriptions": [{"user_email": "team@example.com"}]},
        },
        "schedule": {"quartz_cron_schedule": "0 0 8 * * ?", "timezone_id": "Europe/Amsterdam",
                     "pause_status": "UNPAUSED"},
    }
    for path, value in overrides.items():
        *parents, leaf = path.split(".")
        node = d
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return d


def make_alert(**overrides) -> sql.AlertV2:
    return sql.AlertV2.from_dict(alert_dict(**overrides))


def raw_create(w: WorkspaceClient, body: dict) -> dict:
    """For bodies the typed dataclasses cannot express (bad enum values, unknown fields)."""
    return w.api_client.do("POST", "/api/2.0/alerts", body=body)


def control(emulator: Emulator, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(emulator.url + path, data=data, method="GET" if body is None else "POST")
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


# --------------------------------------------------------------------------- create / get / list
def test_create_returns_stored_alert_with_output_fields(w, emu):
    sent = make_alert(**{"id": "client-id", "lifecycle_state": "DELETED", "owner_user_name": "evil@x",
                         "create_time": "2000-01-01T00:00:00Z", "evaluation.state": "TRIGGERED"})
    created = w.alerts_v2.create_alert(sent)
    assert re.fullmatch(r"[0-9a-f-]{36}", created.id) and created.id != "client-id"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", created.create_time)
    assert created.update_time == created.create_time
    assert created.lifecycle_state == sql.AlertLifecycleState.ACTIVE
    assert created.owner_user_name == USER
    assert created.effective_run_as.user_name == USER
    assert created.evaluation.state is None  # not yet evaluated (see test_get_shows_what_was_sent_as_recorded...)
    assert created.parent_path == f"/Users/{USER}"  # the user's home folder by default
    assert created.evaluation.threshold.value.double_value == 5000.0
    assert created.evaluation.notification.subscriptions[0].user_email == "team@example.com"
    fetched = w.alerts_v2.get_alert(created.id)
    assert fetched.as_dict() == created.as_dict()


def test_list_pages_in_creation_order(w, emu):
    ids = [w.alerts_v2.create_alert(make_alert(display_name=f"alert {i:02d}")).id for i in range(25)]
    emu.reset_counters()
    listed = list(w.alerts_v2.list_alerts(page_size=10))
    assert [a.id for a in listed] == ids
    assert emu.counters()["by_endpoint"] == {"GET /api/2.0/alerts": 3}
    first = w.api_client.do("GET", "/api/2.0/alerts", query={"page_size": 10})
    assert len(first["alerts"]) == 10 and first["next_page_token"]
    last = w.api_client.do("GET", "/api/2.0/alerts", query={"page_size": 20,
                                                             "page_token": first["next_page_token"]})
    assert len(last["alerts"]) == 15 and "next_page_token" not in last
    assert "evaluation" in last["alerts"][0] and "query_text" in last["alerts"][0]  # full definitions


def test_list_clamps_page_size_and_rejects_bad_token(w, emu):
    for i in range(MAX_PAGE_SIZE + 5):
        emu.add_alert(alert_dict(display_name=f"seeded {i}"))
    page = w.api_client.do("GET", "/api/2.0/alerts", query={"page_size": 5000})
    assert len(page["alerts"]) == MAX_PAGE_SIZE and page["next_page_token"]
    assert len(list(w.alerts_v2.list_alerts())) == MAX_PAGE_SIZE + 5
    with pytest.raises(InvalidParameterValue, match="page_token"):
        list(w.alerts_v2.list_alerts(page_token="not-a-token"))


# --------------------------------------------------------------------------- create validation
@pytest.mark.parametrize("field", [
    "display_name", "query_text", "warehouse_id", "evaluation", "schedule", "evaluation.source",
    "evaluation.source.name", "evaluation.comparison_operator", "evaluation.threshold",
    "schedule.quartz_cron_schedule", "schedule.timezone_id",
])
def test_missing_required_field_is_named(w, field):
    with pytest.raises(InvalidParameterValue, match=re.escape(field)):
        w.alerts_v2.create_alert(make_alert(**{field: None}))


@pytest.mark.parametrize("operator", ["IS_NULL", "IS_NOT_NULL"])
def test_null_operators_need_no_threshold(w, operator):
    created = w.alerts_v2.create_alert(make_alert(**{"evaluation.threshold": None,
                                                      "evaluation.comparison_operator": operator}))
    assert created.evaluation.threshold is None


@pytest.mark.parametrize("field,value", [
    ("evaluation.comparison_operator", "GT"),
    ("evaluation.source.aggregation", "FIRST"),
    ("evaluation.empty_result_state", "MAYBE"),
    ("schedule.pause_status", "STOPPED"),
])
def test_bad_enum_is_named(w, field, value):
    with pytest.raises(InvalidParameterValue, match=rf"{re.escape(field)}: '{value}' is not one of"):
        raw_create(w, alert_dict(**{field: value}))


def test_unknown_field_and_wrong_type_are_rejected(w):
    with pytest.raises(InvalidParameterValue, match="schedule.quartz_cron_expression: unknown field"):
        raw_create(w, alert_dict(**{"schedule.quartz_cron_expression": "0 0 * * * ?"}))
    with pytest.raises(InvalidParameterValue, match="evaluation.notification.retrigger_seconds"):
        raw_create(w, alert_dict(**{"evaluation.notification.retrigger_seconds": "60"}))


@pytest.mark.parametrize("cron", [
    "0 0 8 * *",            # 5 fields (unix cron)
    "0 0 8 * * ? 2030 x",   # 8 fields
    "0 0 8 * * *",          # neither day field is ?
    "0 0 8 ? * ?",          # both are ?
    "0 60 8 * * ?",         # minute out of range
    "0 0 24 * * ?",         # hour out of range
    "0 0 8 * 13 ?",         # month out of range
    "0 0 8 ? * MON#6",      # nth weekday out of range
    "0 0 ? * * ?",          # ? outside the day fields
    "0 0 8 L,5 * ?",        # L in a list
])
def test_bad_quartz_cron_is_rejected(w, cron):
    with pytest.raises(InvalidParameterValue, match="schedule.quartz_cron_schedule"):
        w.alerts_v2.create_alert(make_alert(**{"schedule.quartz_cron_schedule": cron}))


@pytest.mark.parametrize("cron", ["0 0/15 * * * ?", "0 30 9 ? * MON-FRI", "0 0 12 L * ?",
                                  "0 15 10 ? * 6#3 2030", "0 0 6 15W * ?"])
def test_good_quartz_cron_is_accepted(w, cron):
    w.alerts_v2.create_alert(make_alert(**{"schedule.quartz_cron_schedule": cron}))


def test_timezone_must_be_known(w):
    with pytest.raises(InvalidParameterValue, match="schedule.timezone_id: 'Mars/Olympus'"):
        w.alerts_v2.create_alert(make_alert(**{"schedule.timezone_id": "Mars/Olympus"}))
    for tz in ("UTC", "America/Los_Angeles", "GMT+10"):
        w.alerts_v2.create_alert(make_alert(**{"schedule.timezone_id": tz}))


def test_warehouse_must_exist(w):
    with pytest.raises(InvalidParameterValue, match="warehouse_id: SQL warehouse 'nope'"):
        w.alerts_v2.create_alert(make_alert(warehouse_id="nope"))
    assert [wh.id for wh in w.warehouses.list()] == [EMULATOR_WAREHOUSE_ID]


@pytest.mark.parametrize("threshold,field", [
    ({"value": {"double_value": 1.0}, "column": {"name": "other"}}, "evaluation.threshold"),
    ({"value": {"double_value": 1.0, "string_value": "a"}}, "evaluation.threshold.value"),
    ({"value": {}}, "evaluation.threshold.value"),
    ({"column": {"name": ""}}, "evaluation.threshold.column.name"),
])
def test_threshold_must_have_exactly_one_operand(w, threshold, field):
    with pytest.raises(InvalidParameterValue, match=re.escape(field)):
        raw_create(w, alert_dict(**{"evaluation.threshold": threshold}))


def test_notification_rules(w):
    with pytest.raises(InvalidParameterValue, match=r"subscriptions\[0\]: exactly one"):
        raw_create(w, alert_dict(**{"evaluation.notification.subscriptions":
                                    [{"user_email": "a@b.c", "destination_id": "d"}]}))
    with pytest.raises(InvalidParameterValue, match=r"subscriptions\[1\].destination_id"):
        raw_create(w, alert_dict(**{"evaluation.notification.subscriptions":
                                    [{"user_email": "a@b.c"}, {"destination_id": "missing"}]}))
    with pytest.raises(InvalidParameterValue, match="retrigger_seconds: must be >= 0"):
        raw_create(w, alert_dict(**{"evaluation.notification.retrigger_seconds": -1}))


def test_run_as_rules(w, emu):
    # [SDK AlertV2RunAs] a user may name only themselves; a service principal needs its user role
    with pytest.raises(PermissionDenied, match="run_as.user_name: users can only set run_as to their own"):
        raw_create(w, alert_dict(run_as={"user_name": "someone-else@example.com"}))
    me = w.alerts_v2.create_alert(make_alert(display_name="me", run_as={"user_name": USER}))
    assert me.run_as.user_name == USER and me.effective_run_as.user_name == USER
    sp = w.alerts_v2.create_alert(make_alert(display_name="sp",
                                             run_as={"service_principal_name": EMULATOR_SERVICE_PRINCIPAL}))
    assert sp.effective_run_as.service_principal_name == EMULATOR_SERVICE_PRINCIPAL
    with pytest.raises(InvalidParameterValue, match="not the application id of an active service principal"):
        raw_create(w, alert_dict(run_as={"service_principal_name": "no-such-sp"}))
    emu.service_principals["sp-without-role"] = False
    with pytest.raises(PermissionDenied, match="requires the servicePrincipal/user role"):
        w.alerts_v2.update_alert(me.id, make_alert(run_as={"service_principal_name": "sp-without-role"}),
                                 update_mask="run_as")
    assert w.alerts_v2.get_alert(me.id).run_as.user_name == USER


# --------------------------------------------------------------------------- update
def test_update_changes_only_masked_fields(w):
    created = w.alerts_v2.create_alert(make_alert())
    time.sleep(0.005)
    patch = make_alert(**{"display_name": "renamed (not masked)", "query_text": "SELECT 2 AS daily_cost",
                          "evaluation.threshold": {"value": {"double_value": 9000.0}},
                          "custom_summary": None})
    updated = w.alerts_v2.update_alert(created.id, patch, update_mask="query_text,evaluation,custom_summary")
    assert updated.query_text == "SELECT 2 AS daily_cost"
    assert updated.evaluation.threshold.value.double_value == 9000.0
    assert updated.custom_summary is None  # masked but absent from the body: cleared
    assert updated.display_name == created.display_name  # not masked: unchanged
    assert updated.evaluation.source.aggregation == sql.Aggregation.MAX
    assert updated.create_time == created.create_time and updated.update_time > created.update_time
    assert w.alerts_v2.get_alert(created.id).as_dict() == updated.as_dict()


def test_update_with_star_replaces_everything_but_parent_path(w):
    created = w.alerts_v2.create_alert(make_alert())
    replacement = make_alert(**{"custom_summary": None, "evaluation.notification": None,
                                "display_name": "new name", "parent_path": "/Shared"})
    updated = w.alerts_v2.update_alert(created.id, replacement, update_mask="*")
    assert updated.display_name == "new name" and updated.custom_summary is None
    assert updated.evaluation.notification is None
    assert updated.parent_path == created.parent_path and updated.id == created.id


@pytest.mark.parametrize("mask,message", [
    (None, "update_mask: required"),
    ("", "update_mask: required"),
    ("query_text, display_name", "without spaces"),
    ("parent_path", "can only be set on create"),  # the body moves it to another folder
    ("create_time", "output only"),
    ("evaluation.state", "nested field path; name the top-level field 'evaluation'"),
    ("evaluation.notification.retrigger_seconds", "nested field path"),
    ("schedule.pause_status", "nested field path"),
    ("no_such_field", "is not a field of AlertV2"),
    ("*,display_name", "cannot be combined"),
])
def test_bad_update_mask_is_rejected(w, mask, message):
    created = w.alerts_v2.create_alert(make_alert())
    with pytest.raises(InvalidParameterValue, match=message):
        w.alerts_v2.update_alert(created.id, make_alert(display_name="x", parent_path="/Shared"), update_mask=mask)
    assert w.alerts_v2.get_alert(created.id).display_name == created.display_name


def test_parent_path_in_a_mask_is_accepted_when_unchanged_as_the_terraform_provider_sends_it(w):
    created = w.alerts_v2.create_alert(make_alert())
    updated = w.alerts_v2.update_alert(created.id, make_alert(display_name="renamed", parent_path=created.parent_path),
                                       update_mask="display_name,parent_path")
    assert (updated.display_name, updated.parent_path) == ("renamed", created.parent_path)


def test_update_result_is_validated_like_create(w):
    created = w.alerts_v2.create_alert(make_alert(**{"evaluation.threshold": None,
                                                      "evaluation.comparison_operator": "IS_NULL"}))
    with pytest.raises(InvalidParameterValue, match="evaluation.threshold: required"):
        w.alerts_v2.update_alert(created.id, make_alert(**{"evaluation.threshold": None}), update_mask="evaluation")
    with pytest.raises(InvalidParameterValue, match="schedule.timezone_id"):
        w.alerts_v2.update_alert(created.id, make_alert(**{"schedule.timezone_id": "Nowhere"}),
                                 update_mask="schedule")


def test_rename_onto_existing_name_gets_suffix(w):
    w.alerts_v2.create_alert(make_alert(display_name="taken"))
    other = w.alerts_v2.create_alert(make_alert(display_name="other"))
    renamed = w.alerts_v2.update_alert(other.id, make_alert(display_name="taken"),
                                       update_mask="display_name")
    assert renamed.display_name == "taken (1)"
    again = w.alerts_v2.update_alert(other.id, make_alert(display_name="taken (1)"),
                                     update_mask="display_name")
    assert again.display_name == "taken (1)"  # its own name is not a collision


# --------------------------------------------------------------------------- trash
def test_trash_hides_from_list_but_stays_gettable(w):
    keep = w.alerts_v2.create_alert(make_alert(display_name="keep"))
    gone = w.alerts_v2.create_alert(make_alert(display_name="gone"))
    w.alerts_v2.trash_alert(gone.id)
    assert [a.id for a in w.alerts_v2.list_alerts()] == [keep.id]
    assert w.alerts_v2.get_alert(gone.id).lifecycle_state == sql.AlertLifecycleState.DELETED
    with pytest.raises(NotFound):
        w.alerts_v2.trash_alert(gone.id)
    with pytest.raises(NotFound):
        w.alerts_v2.update_alert(gone.id, make_alert(), update_mask="query_text")
    with pytest.raises(NotFound):
        w.alerts_v2.get_alert("00000000-0000-0000-0000-000000000000")
    again = w.alerts_v2.create_alert(make_alert(display_name="gone"))
    assert again.display_name == "gone"  # trashed alerts do not hold their name


def purge(w: WorkspaceClient, alert_id: str) -> None:
    w.api_client.do("DELETE", f"/api/2.0/alerts/{alert_id}", query={"purge": "true"})


def test_purge_deletes_for_good_from_the_list_and_from_the_trash(w, emu):
    active = w.alerts_v2.create_alert(make_alert(display_name="active"))
    trashed = w.alerts_v2.create_alert(make_alert(display_name="trashed"))
    w.alerts_v2.trash_alert(trashed.id)
    purge(w, active.id)
    purge(w, trashed.id)
    assert emu.alerts(include_trashed=True) == []
    for alert_id in (active.id, trashed.id):
        with pytest.raises(NotFound):
            w.alerts_v2.get_alert(alert_id)
        with pytest.raises(NotFound):
            purge(w, alert_id)
    with pytest.raises(InvalidParameterValue, match="purge: 'yes' is not a boolean"):
        w.api_client.do("DELETE", f"/api/2.0/alerts/{w.alerts_v2.create_alert(make_alert()).id}",
                        query={"purge": "yes"})


def test_the_alert_quota_counts_trashed_alerts_until_they_are_purged():
    with Emulator(alert_quota=2) as emu:
        w = client(emu)
        first = w.alerts_v2.create_alert(make_alert(display_name="first"))
        w.alerts_v2.create_alert(make_alert(display_name="second"))
        w.alerts_v2.trash_alert(first.id)
        with pytest.raises(BadRequest, match="limit of 2 alerts \\(1 of them in the trash") as excinfo:
            w.alerts_v2.create_alert(make_alert(display_name="third"))
        assert excinfo.value.error_code == "RESOURCE_LIMIT_EXCEEDED"
        purge(w, first.id)
        assert w.alerts_v2.create_alert(make_alert(display_name="third")).display_name == "third"


def test_list_omits_fields_the_emulator_is_told_to_leave_out_but_get_has_them():
    with Emulator(list_omits=("run_as", "effective_run_as", "parent_path")) as emu:
        w = client(emu)
        created = w.alerts_v2.create_alert(make_alert())
        (listed,) = w.alerts_v2.list_alerts()
        assert (listed.parent_path, listed.effective_run_as, listed.id) == (None, None, created.id)
        assert w.alerts_v2.get_alert(created.id).effective_run_as.user_name == USER


def test_deleting_a_folder_needs_recursive_when_it_holds_something_and_trashes_its_alerts(w, emu):
    w.workspace.mkdirs(FOLDER)
    created = w.alerts_v2.create_alert(make_alert(parent_path=FOLDER))
    with pytest.raises(BadRequest, match="not empty") as excinfo:
        w.workspace.delete(FOLDER)
    assert excinfo.value.error_code == "DIRECTORY_NOT_EMPTY"
    w.workspace.delete(FOLDER, recursive=True)
    with pytest.raises(ResourceDoesNotExist):
        w.workspace.get_status(FOLDER)
    assert w.alerts_v2.get_alert(created.id).lifecycle_state == sql.AlertLifecycleState.DELETED
    w.workspace.mkdirs(FOLDER + "/empty")
    w.workspace.delete(FOLDER + "/empty")
    assert FOLDER.removeprefix("/Workspace") in emu.folders()


# --------------------------------------------------------------------------- folders and names
def test_missing_parent_folder_then_mkdirs(w):
    with pytest.raises(ResourceDoesNotExist, match="mkdirs") as excinfo:
        w.alerts_v2.create_alert(make_alert(parent_path=FOLDER))
    assert isinstance(excinfo.value, NotFound)
    with pytest.raises(NotFound):
        w.workspace.get_status(FOLDER)
    w.workspace.mkdirs(FOLDER)
    w.workspace.mkdirs(FOLDER)  # idempotent
    created = w.alerts_v2.create_alert(make_alert(parent_path=FOLDER))
    assert created.parent_path == FOLDER  # as the client gave it
    status = w.workspace.get_status("/Shared/dbt_alerts/proj/dev")  # same folder without /Workspace
    assert status.object_type.value == "DIRECTORY"
    assert w.workspace.get_status("/Workspace/Shared/dbt_alerts").object_type.value == "DIRECTORY"


def test_duplicate_name_in_folder_is_silently_renamed(w):
    w.workspace.mkdirs(FOLDER)
    names = [w.alerts_v2.create_alert(make_alert(display_name="Dup", parent_path=FOLDER)).display_name
             for _ in range(3)]
    assert names == ["Dup", "Dup (1)", "Dup (2)"]
    # /Shared/... is the same folder as /Workspace/Shared/...
    same = w.alerts_v2.create_alert(make_alert(display_name="Dup",
                                               parent_path=FOLDER.removeprefix("/Workspace")))
    assert same.display_name == "Dup (3)"
    elsewhere = w.alerts_v2.create_alert(make_alert(display_name="Dup"))  # home folder
    assert elsewhere.display_name == "Dup"


def test_seeded_foreign_alert_is_listed(w, emu):
    foreign = emu.add_alert(alert_dict(display_name="not ours", parent_path="/Users/other@example.com",
                                       owner_user_name="other@example.com"))
    listed = list(w.alerts_v2.list_alerts())
    assert [(a.id, a.owner_user_name, a.parent_path) for a in listed] == [
        (foreign["id"], "other@example.com", "/Users/other@example.com")]
    assert w.workspace.get_status("/Users/other@example.com").object_type.value == "DIRECTORY"


# --------------------------------------------------------------------------- auth, identity
def test_bad_token_is_unauthenticated(emu):
    with pytest.raises(Unauthenticated):
        list(client(emu, token="wrong").alerts_v2.list_alerts())


def test_read_only_token_cannot_write():
    with Emulator(read_only_tokens={"reader"}) as emulator:
        reader = client(emulator, token="reader")
        assert list(reader.alerts_v2.list_alerts()) == []
        with pytest.raises(PermissionDenied):
            reader.alerts_v2.create_alert(make_alert())
        with pytest.raises(PermissionDenied):
            reader.workspace.mkdirs("/Shared/x")


def test_current_user(w):
    me = w.current_user.me()
    assert me.user_name == USER and me.id


def test_unknown_endpoint_and_malformed_json(w, emu):
    with pytest.raises(NotFound):
        w.api_client.do("GET", "/api/2.0/alerts-v9")
    conn = http.client.HTTPConnection(emu.host, emu.port, timeout=5)
    conn.request("POST", "/api/2.0/alerts", body=b"{not json",
                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    resp = conn.getresponse()
    assert resp.status == 400 and json.loads(resp.read())["error_code"] == "MALFORMED_REQUEST"
    # keep-alive: the same connection serves the next request
    conn.request("GET", "/api/2.0/alerts", headers={"Authorization": f"Bearer {TOKEN}"})
    resp = conn.getresponse()
    assert resp.status == 200 and int(resp.getheader("Content-Length")) == len(resp.read())
    conn.close()


# --------------------------------------------------------------------------- destinations
def test_notification_destinations(w, emu):
    email = w.notification_destinations.create(
        display_name="oncall", config=settings.Config(email=settings.EmailConfig(addresses=["a@x.io"])))
    slack = w.notification_destinations.create(
        display_name="slack", config=settings.Config(slack=settings.SlackConfig(url="https://hooks/x")))
    assert email.destination_type == settings.DestinationType.EMAIL
    assert slack.destination_type == settings.DestinationType.SLACK
    assert slack.config.slack.url is None and slack.config.slack.url_set is True  # secrets redacted
    assert email.config.email.addresses == ["a@x.io"]
    listed = list(w.notification_destinations.list(page_size=1))
    assert [(d.id, d.display_name) for d in listed] == [(email.id, "oncall"), (slack.id, "slack")]
    assert w.notification_destinations.get(slack.id).display_name == "slack"
    with pytest.raises(NotFound):
        w.notification_destinations.get("missing")
    with pytest.raises(InvalidParameterValue, match="exactly one"):
        w.api_client.do("POST", "/api/2.0/notification-destinations",
                        body={"display_name": "two", "config": {"email": {"addresses": ["a@x.io"]},
                                                                "slack": {"url": "u"}}})
    with pytest.raises(InvalidParameterValue, match="config.slack.channel: unknown field"):
        w.api_client.do("POST", "/api/2.0/notification-destinations",
                        body={"display_name": "typo", "config": {"slack": {"channel": "c"}}})
    pager = emu.add_destination("pager", "PAGERDUTY")
    created = w.alerts_v2.create_alert(make_alert(**{"evaluation.notification.subscriptions": [
        {"destination_id": slack.id}, {"destination_id": pager["id"]}]}))
    assert [s.destination_id for s in created.evaluation.notification.subscriptions] == [slack.id, pager["id"]]


# --------------------------------------------------------------------------- persistence
def test_state_file_survives_restart(tmp_path):
    state = tmp_path / "state" / "emulator.json"
    with Emulator(state_file=state) as first:
        w1 = client(first)
        w1.workspace.mkdirs(FOLDER)
        dest = w1.notification_destinations.create(
            display_name="d", config=settings.Config(email=settings.EmailConfig(addresses=["a@x.io"])))
        kept = w1.alerts_v2.create_alert(make_alert(parent_path=FOLDER))
        trashed = w1.alerts_v2.create_alert(make_alert(display_name="trashed"))
        w1.alerts_v2.trash_alert(trashed.id)
    assert json.loads(state.read_text())["version"] == 1
    assert sorted(os.listdir(state.parent)) == ["emulator.json"]  # no temp files left behind
    with Emulator(state_file=state) as second:
        w2 = client(second)
        assert [a.as_dict() for a in w2.alerts_v2.list_alerts()] == [kept.as_dict()]
        assert w2.alerts_v2.get_alert(trashed.id).lifecycle_state == sql.AlertLifecycleState.DELETED
        assert w2.workspace.get_status(FOLDER).object_type.value == "DIRECTORY"
        assert w2.notification_destinations.get(dest.id).display_name == "d"
        again = w2.alerts_v2.create_alert(make_alert(parent_path=FOLDER))
        assert again.display_name == kept.display_name + " (1)"


def test_stop_closes_keep_alive_connections():
    with Emulator() as first:
        w1 = client(first)
        w1.alerts_v2.create_alert(make_alert())
        port = first.port
    with Emulator(port=port) as second:
        # w1's pooled connection died with the old server: it reaches the new one, not a
        # lingering handler thread of the old one
        assert list(w1.alerts_v2.list_alerts()) == []
        seeded = second.add_alert(alert_dict(display_name="new"))
        assert [a.id for a in w1.alerts_v2.list_alerts()] == [seeded["id"]]
    assert len(first.alerts()) == 1


def test_emulator_command_runs_as_a_process(tmp_path):
    cli = str(Path(sys.executable).with_name("alert-sync"))
    with subprocess.Popen([cli, "emulator", "--port", "0", "--state-file", str(tmp_path / "s.json")],
                          stderr=subprocess.PIPE, text=True) as proc:
        try:
            line = proc.stderr.readline()
            url = re.fullmatch(r"emulator listening on (http://\S+)\n", line).group(1)
            wc = WorkspaceClient(config=Config(host=url, token=TOKEN, auth_type="pat"))
            wc.alerts_v2.create_alert(make_alert())
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    assert len(json.loads((tmp_path / "s.json").read_text())["alerts"]) == 1


def test_concurrent_creates_never_share_a_name(w, emu):
    def create_many():
        wc = client(emu)
        for _ in range(10):
            wc.alerts_v2.create_alert(make_alert(display_name="same"))

    threads = [threading.Thread(target=create_many) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    names = [a["display_name"] for a in emu.alerts()]
    assert len(names) == 80 and len(set(names)) == 80
    assert set(names) == {"same"} | {f"same ({i})" for i in range(1, 80)}


# --------------------------------------------------------------------------- faults
def test_429_with_retry_after_is_retried_by_the_sdk(w, emu):
    created = w.alerts_v2.create_alert(make_alert())
    emu.reset_counters()
    emu.set_faults([{"method": "GET", "kind": "429", "count": 2, "retry_after": 0}])
    assert w.alerts_v2.get_alert(created.id).id == created.id
    c = emu.counters()
    assert c["total"] == 3 and c["faults_injected"] == 2 and c["by_status"] == {"429": 2, "200": 1}


def test_503_is_retried_by_the_sdk(w, emu):
    emu.set_faults([{"kind": "503", "count": 1, "retry_after": 0}])
    assert list(w.alerts_v2.list_alerts()) == []
    assert emu.counters()["faults_by_kind"] == {"503": 1}


def test_502_and_504_surface_as_errors(w, emu):
    emu.set_faults([{"method": "GET", "kind": "502", "count": 1}])
    with pytest.raises(DatabricksError) as excinfo:
        list(w.alerts_v2.list_alerts())
    assert excinfo.value.error_code == "BAD_GATEWAY"
    emu.set_faults([{"method": "POST", "kind": "504", "count": 1}])
    with pytest.raises(DeadlineExceeded):
        w.alerts_v2.create_alert(make_alert())
    assert emu.alerts() == []  # a plain 504 did not commit
    assert emu.counters()["total"] == 2  # neither was retried


def test_commit_then_504_leaves_the_alert_created(w, emu):
    emu.set_faults([{"method": "POST", "kind": "commit_then_504", "count": 1}])
    with pytest.raises(DeadlineExceeded):
        w.alerts_v2.create_alert(make_alert(display_name="landed"))
    assert [a["display_name"] for a in emu.alerts()] == ["landed"]
    assert emu.counters()["writes"] == 1


def test_connection_reset_is_retried_without_duplicate(w, emu):
    emu.set_faults([{"method": "POST", "kind": "reset", "count": 1}])
    created = w.alerts_v2.create_alert(make_alert(display_name="once"))
    assert created.display_name == "once" and len(emu.alerts()) == 1
    assert emu.counters()["by_status"] == {"reset": 1, "200": 1}


def test_commit_then_reset_makes_the_sdk_create_a_duplicate(w, emu):
    """The hazard the sync must survive: the SDK retries a POST whose first attempt landed."""
    emu.set_faults([{"method": "POST", "kind": "commit_then_reset", "count": 1}])
    created = w.alerts_v2.create_alert(make_alert(display_name="twice"))
    assert created.display_name == "twice (1)"
    assert [a["display_name"] for a in emu.alerts()] == ["twice", "twice (1)"]


def test_probability_faults_are_deterministic_per_seed(emu):
    def outcomes(emulator):
        wc = client(emulator)
        result = []
        for _ in range(16):
            try:
                list(wc.warehouses.list())
                result.append(True)
            except DatabricksError:
                result.append(False)
        return result

    spec = [{"method": "GET", "path_regex": "/sql/warehouses", "kind": "502", "probability": 0.5}]
    emu.set_faults(spec, seed=7)
    first = outcomes(emu)
    with Emulator(faults=spec, seed=7) as other:
        assert outcomes(other) == first
    assert True in first and False in first


def test_max_rps_answers_429_that_the_sdk_retries(w, emu):
    emu.set_faults(max_rps=2)
    for _ in range(3):
        assert list(w.alerts_v2.list_alerts()) == []
    c = emu.counters()
    assert c["rate_limited"] >= 1 and c["by_status"]["429"] == c["rate_limited"]
    assert c["by_status"]["200"] == 3


def test_latency_is_added_per_request(w, emu):
    emu.set_faults(latency_ms=60)
    start = time.monotonic()
    list(w.alerts_v2.list_alerts())
    assert time.monotonic() - start >= 0.06


def test_invalid_fault_spec_is_refused(emu):
    with pytest.raises(ValueError, match="kind"):
        emu.set_faults([{"kind": "418"}])
    with pytest.raises(ValueError, match="probability"):
        emu.set_faults([{"kind": "502", "probability": 2}])


def test_control_endpoints(w, emu):
    w.alerts_v2.create_alert(make_alert())
    config = control(emu, "/emulator/faults", {"faults": [{"method": "GET", "kind": "502", "count": 1}]})
    assert config["faults"][0]["kind"] == "502"
    with pytest.raises(DatabricksError):
        list(w.alerts_v2.list_alerts())
    stats = control(emu, "/emulator/stats")
    assert stats["faults_injected"] == 1 and stats["alerts_active"] == 1
    assert stats["by_endpoint"] == {"POST /api/2.0/alerts": 1, "GET /api/2.0/alerts": 1}
    control(emu, "/emulator/reset", {})
    control(emu, "/emulator/reset-counters", {})
    assert list(w.alerts_v2.list_alerts()) == []
    assert control(emu, "/emulator/stats")["total"] == 1
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        control(emu, "/emulator/faults", {"faults": [{"kind": "nope"}]})
    assert excinfo.value.code == 400


# --------------------------------------------------------------------------- as Databricks recorded it
# databricks/cli acceptance/bundle/resources/alerts/with_file: the alert the bundle sends (databricks.yml +
# alert.dbalert.json), the GET the CLI recorded from a real workspace (jq-filtered to these keys), and the
# .dbalert.json that `workspace export` of <parent_path>/<display_name>.dbalert.json gave (equal to the local
# file once keys are sorted and numbers normalized).
RECORDED_FILE = {
    "custom_summary": "My alert from file",
    "evaluation": {"source": {"name": "1", "display": "1", "aggregation": "MAX"}, "comparison_operator": "EQUAL",
                   "threshold": {"value": {"double_value": 2.0}},
                   "notification": {"retrigger_seconds": 1, "notify_on_ok": False}},
    "schedule": {"quartz_cron_schedule": "44 19 */1 * * ?", "timezone_id": "Europe/Amsterdam"},
    "query_lines": ["select 2"],
    "custom_description_lines": ["My alert from file", "with multiple lines", "and a third line"],
}
RECORDED_GET = {
    "display_name": "myalert", "lifecycle_state": "ACTIVE", "custom_summary": "My alert from file",
    "evaluation": {"comparison_operator": "EQUAL", "notification": {"notify_on_ok": False, "retrigger_seconds": 1},
                   "source": {"aggregation": "MAX", "display": "1", "name": "1"},
                   "threshold": {"value": {"double_value": 2}}},
    "query_text": "select 2\n",
    "schedule": {"quartz_cron_schedule": "44 19 */1 * * ?", "timezone_id": "Europe/Amsterdam"},
    "warehouse_id": EMULATOR_WAREHOUSE_ID,
}


def recorded_alert(w: WorkspaceClient) -> dict:
    """Create the with_file alert as the bundle sends it (no pause_status)."""
    w.workspace.mkdirs(FOLDER)
    body = {k: v for k, v in RECORDED_GET.items() if k != "lifecycle_state"}
    body.update(parent_path=FOLDER, custom_description="My alert from file\nwith multiple lines\nand a third line\n")
    return w.api_client.do("POST", "/api/2.0/alerts", body=body)


def exported(w: WorkspaceClient, path: str) -> dict:
    import base64

    return json.loads(base64.b64decode(w.workspace.export(path).content))


def test_get_shows_what_was_sent_as_recorded_no_pause_status_and_no_evaluation_state(w):
    created = recorded_alert(w)
    got = w.api_client.do("GET", f"/api/2.0/alerts/{created['id']}")
    assert {k: got.get(k) for k in RECORDED_GET} == RECORDED_GET
    assert "pause_status" not in got["schedule"] and "state" not in got["evaluation"]
    assert got == created


def test_each_alert_is_a_dbalert_json_workspace_file_that_moves_with_it_and_goes_with_it(w, emu):
    created = recorded_alert(w)
    path = f"{FOLDER}/myalert.dbalert.json"
    assert exported(w, path) == RECORDED_FILE
    status = w.workspace.get_status(path)
    assert status.object_type.value == "FILE"
    assert [(o.path, o.object_type.value) for o in w.workspace.list(FOLDER)] == \
        [(path.removeprefix("/Workspace"), "FILE")]
    w.alerts_v2.update_alert(created["id"], sql.AlertV2.from_dict({**created, "display_name": "renamed"}),
                             update_mask="display_name")
    with pytest.raises(ResourceDoesNotExist):
        w.workspace.get_status(path)
    moved = f"{FOLDER}/renamed.dbalert.json"
    assert w.workspace.get_status(moved).object_id == status.object_id
    assert exported(w, moved) == RECORDED_FILE
    w.alerts_v2.trash_alert(created["id"])  # [cli libs/testserver/alerts.go AlertsDelete] the file goes
    with pytest.raises(ResourceDoesNotExist):
        w.workspace.export(moved)
    again = recorded_alert(w)
    w.workspace.delete(FOLDER, recursive=True)  # [cli acceptance/bundle/generate/alert: delete --recursive]
    assert w.alerts_v2.get_alert(again["id"]).lifecycle_state == sql.AlertLifecycleState.DELETED
    w.workspace.mkdirs(FOLDER)
    assert list(w.workspace.list(FOLDER)) == []


def test_a_purged_alert_is_not_found_with_the_services_message(w):
    created = w.alerts_v2.create_alert(make_alert())
    purge(w, created.id)
    with pytest.raises(NotFound) as excinfo:  # [cli acceptance/bundle/resources/alerts/basic/output.txt]
        w.alerts_v2.get_alert(created.id)
    assert str(excinfo.value) == f"Alert with ID '{created.id}' does not exist."


def test_a_429_without_retry_after_is_retried_by_the_sdk(w, emu):
    created = w.alerts_v2.create_alert(make_alert())
    emu.reset_counters()
    emu.set_faults([{"method": "GET", "kind": "429", "count": 1, "retry_after": None}])
    raw = urllib.request.Request(f"{emu.url}/api/2.0/alerts/{created.id}", headers={"Authorization": f"Bearer {TOKEN}"})
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(raw)
    assert excinfo.value.code == 429 and excinfo.value.headers.get("Retry-After") is None
    emu.set_faults([{"method": "GET", "kind": "429", "count": 1, "retry_after": None}])
    assert w.alerts_v2.get_alert(created.id).id == created.id  # the SDK waits its default 1 s
    assert emu.counters()["by_status"] == {"429": 2, "200": 1}


def test_what_newer_clients_send_is_accepted(w):
    """The Terraform provider's databricks_alert_v2 update mask names `parameters`; newer SDKs send
    `parameters`, `custom_template_format` and echo the effective_* output fields back."""
    created = w.api_client.do("POST", "/api/2.0/alerts", body={
        **alert_dict(), "custom_template_format": "MARKDOWN",
        "parameters": [{"name": "min_cost", "type": "DOUBLE", "value": "5000"}],
        "effective_parent_path": "/ignored", "effective_run_as": {"user_name": "ignored@x"}})
    assert created["parameters"] == [{"name": "min_cost", "type": "DOUBLE", "value": "5000"}]
    assert created["custom_template_format"] == "MARKDOWN"
    mask = ("custom_description,custom_summary,display_name,evaluation,parameters,parent_path,query_text,run_as,"
            "run_as_user_name,schedule,warehouse_id")
    body = {**created, "parameters": [{"name": "min_cost", "value": "6000"}],
            "schedule": {**created["schedule"], "effective_pause_status": "UNPAUSED"}}
    updated = w.api_client.do("PATCH", f"/api/2.0/alerts/{created['id']}", query={"update_mask": mask}, body=body)
    assert updated["parameters"] == [{"name": "min_cost", "value": "6000"}]
    assert updated["effective_run_as"] == {"user_name": USER} and "effective_parent_path" not in updated


def test_host_metadata_answers_as_a_workspace_does_and_is_not_counted(emu, caplog):
    """databricks-sdk >= 0.100 asks /.well-known/databricks-config (no credentials) when a Config is
    made, and logs a warning when that fails [databricks-sdk config.py _resolve_host_metadata]."""
    with caplog.at_level("WARNING", logger="databricks"):
        list(client(emu).alerts_v2.list_alerts())
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    assert emu.counters()["total"] == 1  # the list only, on every SDK
    emu.reset_counters()
    with urllib.request.urlopen(f"{emu.url}/.well-known/databricks-config") as resp:
        meta = json.loads(resp.read())
    assert meta["oidc_endpoint"] == f"{emu.url}/oidc" and meta["workspace_id"].isdigit() and meta["account_id"]
    c = emu.counters()
    assert c["host_metadata"] == 1 and c["total"] == 0 and c["by_endpoint"] == {}


# --------------------------------------------------------------------------- counters
def test_counters(w, emu):
    a = w.alerts_v2.create_alert(make_alert(display_name="a"))
    w.alerts_v2.create_alert(make_alert(display_name="b"))
    w.alerts_v2.get_alert(a.id)
    list(w.alerts_v2.list_alerts())
    w.alerts_v2.update_alert(a.id, make_alert(query_text="SELECT 1 AS daily_cost"), update_mask="query_text")
    w.alerts_v2.trash_alert(a.id)
    with pytest.raises(BadRequest):
        w.alerts_v2.create_alert(make_alert(warehouse_id="nope"))
    c = emu.counters()
    assert c["total"] == 7 and c["writes"] == 4
    assert c["by_method"] == {"POST": 3, "GET": 2, "PATCH": 1, "DELETE": 1}
    assert c["by_endpoint"] == {"POST /api/2.0/alerts": 3, "GET /api/2.0/alerts/{id}": 1,
                                "GET /api/2.0/alerts": 1, "PATCH /api/2.0/alerts/{id}": 1,
                                "DELETE /api/2.0/alerts/{id}": 1}
    assert c["by_status"] == {"200": 6, "400": 1}
    emu.reset_counters()
    assert emu.counters()["total"] == 0 and emu.counters()["by_endpoint"] == {}
