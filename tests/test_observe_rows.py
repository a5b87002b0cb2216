"""The observed state of deployed alerts (observe.py), as unit tests: no dbt, no workspace."""

from __future__ import annotations

from datetime import datetime

import pytest
from databricks.sdk.service.sql import AlertEvaluationState, AlertLifecycleState, AlertV2RunAs, SchedulePauseStatus

from alert_sync.identity import with_alert_id
from alert_sync.observe import alert_status, observation_rows, parse_time, status_lines
from test_plan import alert_v2

pytestmark = pytest.mark.unit


def deployed(state=None, when=None, paused=False):
    a = alert_v2(id="a1")
    a.query_text = with_alert_id("COST-001", "select 1 as daily_cost")
    a.lifecycle_state = AlertLifecycleState.ACTIVE
    a.evaluation.state, a.evaluation.last_evaluated_at = state, when
    a.schedule.pause_status = SchedulePauseStatus.PAUSED if paused else None
    a.run_as = None
    a.effective_run_as = AlertV2RunAs(user_name="me@example.com")
    return a


def test_api_timestamps_become_naive_utc_and_bad_ones_none():
    assert parse_time("2026-12-05T17:00:00.123Z") == datetime(2026, 12, 5, 17, 0, 0, 123000)
    assert parse_time("2026-12-05T18:00:00+01:00") == datetime(2026, 12, 5, 17, 0)
    assert parse_time(None) is None and parse_time("yesterday") is None


def test_an_alert_reports_its_state_pause_lifecycle_and_run_as():
    s = alert_status(deployed(AlertEvaluationState.TRIGGERED, "2026-12-05T17:00:00Z"), [])
    assert s == {"alert_id": "COST-001", "databricks_alert_id": "a1", "display_name": "[WARNING] Daily Cost Spike",
                 "evaluation_state": "TRIGGERED", "last_evaluated_at": "2026-12-05T17:00:00Z",
                 "lifecycle_state": "ACTIVE", "pause_status": "UNPAUSED", "effective_run_as": "user me@example.com",
                 "changed_outside_dbt": []}
    never = alert_status(deployed(paused=True), None)  # a new or paused alert has no state yet
    assert (never["evaluation_state"], never["pause_status"], never["changed_outside_dbt"]) == (None, "PAUSED", None)


def test_observation_rows_take_the_plans_drift_and_store_fields_as_text():
    at = datetime(2026, 12, 5, 18)
    rows = observation_rows([deployed(AlertEvaluationState.OK, "2026-12-05T17:00:00Z")], at, "run-1",
                            {"a1": ["custom_summary", "schedule.pause_status"]})
    assert rows == [{"sync_run_id": "run-1", "observed_at": at, "alert_id": "COST-001", "databricks_alert_id": "a1",
                     "display_name": "[WARNING] Daily Cost Spike", "evaluation_state": "OK",
                     "last_evaluated_at": datetime(2026, 12, 5, 17), "lifecycle_state": "ACTIVE",
                     "pause_status": "UNPAUSED", "effective_run_as": "user me@example.com",
                     "changed_outside_dbt": "custom_summary,schedule.pause_status"}]
    # an alert the plan did not match (no record in its marker): not decidable, stored as null
    assert observation_rows([deployed()], at, "run-1", {})[0]["changed_outside_dbt"] is None


def test_status_lines_count_each_state():
    status = {"host": "h", "folder": "f", "alerts": [alert_status(deployed(AlertEvaluationState.ERROR, "t"), [])],
              "summary": {"total": 1, "TRIGGERED": 0, "ERROR": 1, "OK": 0, "UNKNOWN": 0, "NOT_EVALUATED": 0}}
    text = "\n".join(status_lines(status))
    assert "COST-001     ERROR" in text and "1 managed alert(s): 0 TRIGGERED, 1 ERROR" in text
