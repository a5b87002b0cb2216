"""Drift from edits in the workspace (drift.py) as the plan reports it: unit tests, no dbt, no
workspace. The record of the fields alert-sync wrote rides in the alert_id marker line, so
"changed outside dbt" is told apart from a catalog change in any checkout, with no request."""

from __future__ import annotations

import copy

import pytest
from databricks.sdk.service.sql import AlertV2RunAs

from alert_sync.drift import WRITTEN_FIELDS, changed_in_catalog, changed_outside, parse_record, record_of
from alert_sync.desired import DesiredAlert
from alert_sync.identity import marked_alert_id, with_alert_id, without_alert_id, written_record
from alert_sync.output import action_json, render_plan, render_plan_markdown
from alert_sync.plan import FIELDS, NOOP, UPDATE, make_plan
from test_plan import FOLDER, NAME, alert_v2

pytestmark = pytest.mark.unit

QUERY = "select sum(cost) as daily_cost from usage"


def stamped(alert, alert_id: str = "COST-001"):
    """As desired.build_alert makes it: marker line with the record of the fields as written."""
    alert.query_text = with_alert_id(alert_id, QUERY)
    alert.query_text = with_alert_id(alert_id, QUERY, written=record_of(alert))
    return alert


def written(**changes):
    """The catalog's alert (desired) and the same alert as the last apply wrote it (deployed)."""
    desired = stamped(alert_v2())
    deployed = copy.deepcopy(desired)
    deployed.id = "a1"
    return desired, deployed


def plan_one(desired, deployed):
    p = make_plan([DesiredAlert("COST-001", NAME, True, alert=desired)], [deployed], FOLDER, {}, False)
    assert len(p.actions) == 1
    return p, p.actions[0]


def test_the_written_fields_are_the_compared_fields():
    assert set(WRITTEN_FIELDS) == set(FIELDS)  # a new compared field needs a new record VERSION


def test_the_record_rides_in_the_marker_and_old_markers_still_match():
    desired = stamped(alert_v2())
    assert marked_alert_id(desired.query_text) == "COST-001" and without_alert_id(desired.query_text) == QUERY
    assert parse_record(written_record(desired.query_text)) is not None
    old = with_alert_id("COST-001", QUERY)  # deployed before the record existed
    assert (marked_alert_id(old), written_record(old)) == ("COST-001", None)
    assert written_record("-- dbt_alerts alert_id: X written: v9:abc\nselect 1") == "v9:abc"
    assert parse_record("v9:abc") is None  # another version: undecidable, not an error


def test_an_unchanged_alert_is_a_noop_with_no_drift():
    _, action = plan_one(*written())
    assert (action.action, action.changed_outside) == (NOOP, [])


def test_a_catalog_change_is_an_update_not_drift_and_rewrites_the_record():
    desired, deployed = written()
    desired.evaluation.threshold.value.double_value = 6000.0
    desired = stamped(desired)
    p, action = plan_one(desired, deployed)
    assert action.action == UPDATE and action.changed_fields == ["evaluation.threshold"]
    assert action.changed_outside == [] and changed_in_catalog(deployed, desired) == ["evaluation.threshold"]
    assert action.update_mask == "query_text,evaluation"  # the record travels in query_text
    assert "changed outside dbt" not in render_plan(p, "h")


def test_an_edit_in_the_ui_is_changed_outside_dbt():
    desired, deployed = written()
    deployed.schedule.quartz_cron_schedule = "0 0 * * * ?"  # edited in the workspace; marker kept
    p, action = plan_one(desired, deployed)
    assert action.action == UPDATE and action.changed_fields == ["schedule.quartz_cron_schedule"]
    assert action.changed_outside == ["schedule.quartz_cron_schedule"]
    assert changed_in_catalog(deployed, desired) == []
    text = render_plan(p, "h")
    assert "changed outside dbt since the last apply: schedule.quartz_cron_schedule" in text
    assert "1 alert(s) changed outside dbt since the last apply: COST-001" in text
    assert action_json(action)["changed_outside_dbt"] == ["schedule.quartz_cron_schedule"]
    assert "changed outside dbt: `schedule.quartz_cron_schedule`" in render_plan_markdown(p, "t", FOLDER, "h")


def test_both_a_catalog_change_and_a_ui_edit_are_told_apart():
    desired, deployed = written()
    deployed.custom_summary = "edited in the UI"
    desired.evaluation.threshold.value.double_value = 6000.0
    desired = stamped(desired)
    _, action = plan_one(desired, deployed)
    assert action.action == UPDATE
    assert set(action.changed_fields) == {"custom_summary", "evaluation.threshold"}
    assert action.changed_outside == ["custom_summary"]
    assert changed_in_catalog(deployed, desired) == ["evaluation.threshold"]
    assert action.update_mask == "query_text,evaluation,custom_summary"


def test_a_ui_edit_of_the_query_below_the_marker_is_drift_of_query_text():
    desired, deployed = written()
    marker = deployed.query_text.split("\n", 1)[0]
    deployed.query_text = marker + "\nselect 0 as daily_cost"
    _, action = plan_one(desired, deployed)
    assert action.changed_outside == ["query_text"] and "query_text" in action.changed_fields


def test_a_ui_edit_to_the_catalogs_own_value_rewrites_the_record_once():
    old = stamped(alert_v2())
    deployed = copy.deepcopy(old)
    deployed.id = "a1"
    deployed.custom_summary = "new text"  # edited in the UI ...
    desired = alert_v2()
    desired.custom_summary = "new text"  # ... to what the catalog now says
    desired = stamped(desired)
    _, action = plan_one(desired, deployed)
    assert action.action == UPDATE and action.changed_fields == [] and action.update_mask == "query_text"
    assert action.changed_outside == ["custom_summary"] and "records the fields" in action.note
    deployed.query_text = desired.query_text  # once applied: converged
    _, again = plan_one(desired, deployed)
    assert (again.action, again.changed_outside) == (NOOP, [])


def test_an_alert_without_a_record_is_not_rewritten_and_drift_is_undecidable():
    desired, deployed = written()
    deployed.query_text = with_alert_id("COST-001", QUERY)
    _, action = plan_one(desired, deployed)
    assert (action.action, action.changed_outside) == (NOOP, None)
    assert action_json(action)["changed_outside_dbt"] is None


def test_run_as_is_drift_only_when_alert_sync_manages_it():
    unmanaged = alert_v2()
    unmanaged.run_as = None
    unmanaged = stamped(unmanaged)
    deployed = copy.deepcopy(unmanaged)
    deployed.id = "a1"
    deployed.effective_run_as = AlertV2RunAs(user_name="creator@example.com")  # the service fills it in
    assert changed_outside(deployed) == []
    desired, managed = written()
    managed.run_as = AlertV2RunAs(service_principal_name="sp-other")
    assert changed_outside(managed) == ["run_as"]
