"""After deploy (issue 21) end to end: the states the service reports, recorded at every apply with
no request added, `alert-sync status`, and edits made in the workspace reported by plan as
"changed outside dbt". Real dbt build (the shared fixture), real CLI, real databricks-sdk over HTTP
to the emulator, rows read back from DuckDB."""

from __future__ import annotations

import copy

import pytest

from conftest import alert_sync
from test_sync import LOCAL, FOLDER, managed, query


def apply_ok(project) -> dict:
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0, run.stderr
    return run.json


def test_apply_records_what_the_service_reports_for_each_alert_without_a_request_more(project, workspace):
    apply_ok(project)
    alerts = {a["id"]: a for a in managed(workspace).values()}
    some = sorted(alerts.values(), key=lambda a: a["id"])
    # The service's scheduler runs the unpaused alerts (the emulator is told the outcome).
    done = workspace.evaluate_alerts({some[0]["id"]: "TRIGGERED"}, default="OK")
    paused = {a["id"] for a in alerts.values() if a["schedule"].get("pause_status") == "PAUSED"}
    assert set(done) == set(alerts) - paused and paused.isdisjoint(done)

    workspace.reset_counters()
    run = apply_ok(project)  # nothing to change: a no-op apply
    counters = workspace.counters()
    # Exactly the requests of a no-op apply before issue 21: one alerts list page per 100 alerts, and
    # the destinations phase's reads. The observations cost none.
    assert counters["by_endpoint"] == {"GET /api/2.0/alerts": 1, "GET /api/2.0/notification-destinations": 1,
                                       "GET /api/2.0/notification-destinations/{id}": 1}
    print(f"\nno-op apply of {len(alerts)} alerts: requests {counters['by_endpoint']}")

    rows = query(project, f"select databricks_alert_id, alert_id, evaluation_state, last_evaluated_at, "
                          f"lifecycle_state, pause_status, effective_run_as, changed_outside_dbt "
                          f"from main.alert_observations where sync_run_id = '{run['run_id']}'")
    by_id = {r[0]: r for r in rows}
    assert set(by_id) == set(alerts)  # one row per managed alert
    assert by_id[some[0]["id"]][2] == "TRIGGERED"
    assert all(by_id[i][2] == "OK" and by_id[i][3] is not None for i in done if i != some[0]["id"])
    assert all(by_id[i][2] is None and by_id[i][5] == "PAUSED" for i in paused)
    assert {r[4] for r in rows} == {"ACTIVE"} and {r[6] for r in rows} == {"user emulator@example.com"}
    assert {r[7] for r in rows} == {""}  # nothing changed outside dbt
    actions = {a["databricks_alert_id"]: a["alert_id"] for a in run["actions"] if a["databricks_alert_id"]}
    assert all(by_id[i][1] == actions[i] for i in by_id)  # the catalog id, from the marker


def test_status_prints_the_states_reading_only(project, workspace):
    apply_ok(project)
    first = next(iter(sorted(managed(workspace).values(), key=lambda a: a["id"])))
    workspace.evaluate_alerts({first["id"]: "ERROR"}, default="TRIGGERED")
    workspace.reset_counters()
    status = alert_sync(project, "status", "--json")
    assert status.exit_code == 0, status.stderr
    assert workspace.counters()["by_endpoint"] == {"GET /api/2.0/alerts": 1} and workspace.counters()["writes"] == 0
    out = status.json
    assert out["folder"] == FOLDER and out["summary"]["total"] == len(managed(workspace))
    states = {a["databricks_alert_id"]: a["evaluation_state"] for a in out["alerts"]}
    assert states[first["id"]] == "ERROR" and out["summary"]["ERROR"] == 1
    assert set(out["alerts"][0]) == {"alert_id", "databricks_alert_id", "display_name", "evaluation_state",
                                     "last_evaluated_at", "lifecycle_state", "pause_status", "effective_run_as",
                                     "changed_outside_dbt"}
    human = alert_sync(project, "status")
    assert "ERROR" in human.stdout and "managed alert(s):" in human.stdout


def test_an_edit_in_the_workspace_is_changed_outside_dbt_and_detailed_exitcode_is_2(project, workspace):
    apply_ok(project)
    victim = sorted(managed(workspace).values(), key=lambda a: a["id"])[0]
    edited = copy.deepcopy(victim)  # someone edits the schedule in the UI; the marker line stays
    edited["schedule"]["quartz_cron_schedule"] = "0 17 * * * ?"
    with workspace._lock:
        workspace._alerts[victim["id"]]["alert"] = edited

    plan = alert_sync(project, "plan", *LOCAL, "--json", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.stderr
    action = next(a for a in plan.json["actions"] if a["databricks_alert_id"] == victim["id"])
    assert action["action"] == "UPDATE" and action["changed_outside_dbt"] == ["schedule.quartz_cron_schedule"]
    text = alert_sync(project, "plan", *LOCAL)
    assert "changed outside dbt since the last apply: schedule.quartz_cron_schedule" in text.stdout
    status = alert_sync(project, "status", "--json").json
    assert next(a for a in status["alerts"] if a["databricks_alert_id"] == victim["id"])[
        "changed_outside_dbt"] == ["schedule.quartz_cron_schedule"]

    run = apply_ok(project)  # puts the catalog's schedule back, and records it
    rows = dict(query(project, f"select databricks_alert_id, changed_outside_dbt from main.alert_observations "
                               f"where sync_run_id = '{run['run_id']}'"))
    assert rows[victim["id"]] == "schedule.quartz_cron_schedule"  # as observed before the fix
    after = alert_sync(project, "plan", *LOCAL, "--json", "--detailed-exitcode")
    assert after.exit_code == 0 and all(not a["changed_outside_dbt"] for a in after.json["actions"])


def test_local_vs_real_flags_the_alerts_whose_states_disagree(project, workspace):
    apply_ok(project)
    local = alert_sync(project, "evaluate", "--select", "COST-001", "--select", "COST-002", "--json")
    assert local.exit_code == 0, local.stderr
    states = {e["alert_id"]: e["state"] for e in local.json["evaluations"]}
    flipped = {"OK": "TRIGGERED", "TRIGGERED": "OK"}
    # Databricks says the opposite of the local evaluate for COST-001 and the same for COST-002.
    workspace.evaluate_alerts({"COST-001": flipped[states["COST-001"]], "COST-002": states["COST-002"]})
    apply_ok(project)  # records what the service reports
    built = project.dbt("build", "--select", "alert_state_comparison", "--target-path", "target/alert_sync_models")
    assert built.ok, built.output[-3000:]
    rows = {r[0]: r[1:] for r in query(project, "select alert_id, local_state, observed_state, comparison, disagrees "
                                                "from main.alert_state_comparison")}
    assert rows["COST-001"] == (states["COST-001"], flipped[states["COST-001"]], "DISAGREE", True)
    assert rows["COST-002"] == (states["COST-002"], states["COST-002"], "AGREE", False)
    assert rows["COST-003"][2] == "NOT_COMPARABLE"  # no local evaluation, no service verdict


def test_the_scheduler_stand_in_is_a_control_route_not_an_api(project, workspace):
    import json
    import urllib.error
    import urllib.request

    apply_ok(project)
    workspace.reset_counters()

    def post(body: dict):
        request = urllib.request.Request(workspace.url + "/emulator/evaluate", data=json.dumps(body).encode(),
                                         method="POST")  # no token: a control route, as /emulator/reset
        return json.load(urllib.request.urlopen(request))

    done = post({"states": {"COST-001": "TRIGGERED"}})  # by the marker's alert_id
    assert list(done["evaluated"].values()) == ["TRIGGERED"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        post({"default": "FIRING"})
    assert refused.value.code == 400 and "FIRING" in refused.value.read().decode()
    assert workspace.counters()["total"] == 0  # never counted as workspace requests
