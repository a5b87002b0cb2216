"""Alert identity end to end: real dbt build on DuckDB, the real CLI, the real databricks-sdk over
HTTP to the emulator. A checkout "without recorded sync results" (fresh clone, new DuckDB file, a
changed alert_sync_schema, the first deploy after an import) is made by emptying alert_sync_results.
The rules themselves are unit-tested in test_identity.py.
"""

from __future__ import annotations

import duckdb
import pytest

from conftest import alert_sync
from projects import DbtProject

LOCAL = ("--allow-non-databricks-manifest",)


def forget_sync_results(project: DbtProject) -> None:
    """What a fresh checkout has: no rows of earlier syncs to match alerts by."""
    with duckdb.connect(str(project.duckdb_path)) as con:
        con.execute("delete from main.alert_sync_results")


def enabled_rows(project: DbtProject) -> list[dict[str, str]]:
    return [r for r in project.catalog_rows() if r["is_enabled"] == "true"]


def action_of(run, alert_id: str) -> dict:
    return next(a for a in run.json["actions"] if a["alert_id"] == alert_id)


def test_a_severity_typo_with_prune_keeps_the_live_alert_in_a_checkout_without_recorded_results(project, workspace):
    first = alert_sync(project, "apply", *LOCAL, "--json")
    assert first.exit_code == 0, first.stderr
    rows = project.catalog_rows()
    victim = next(r for r in rows if r["is_enabled"] == "true")
    live_id = action_of(first, victim["alert_id"])["databricks_alert_id"]
    forget_sync_results(project)
    victim["severity"] = "WARNNG"  # the typo: a catalog ERROR, and another display name
    project.write_catalog(rows)
    build = project.rebuild()
    assert not build.ok and "severity" in build.output

    plan = alert_sync(project, "plan", *LOCAL, "--prune", "--json")
    assert plan.exit_code == 1  # an ERROR in the plan: CI can gate on it
    action = action_of(plan, victim["alert_id"])
    assert action["action"] == "ERROR" and action["databricks_alert_id"] == live_id
    assert not [a for a in plan.json["actions"] if a["action"] == "DELETE"]

    run = alert_sync(project, "apply", *LOCAL, "--prune", "--force-prune", "--json")
    assert action_of(run, victim["alert_id"])["action"] == "ERROR"
    assert run.json["summary"]["deleted"] == 0
    assert live_id in {a["id"] for a in workspace.alerts()}  # still live, untouched


def test_prune_removes_nothing_while_a_row_is_in_error_and_says_what_it_kept(project, workspace):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    rows = project.catalog_rows()
    broken, removed = [r for r in rows if r["is_enabled"] == "true"][:2]
    broken["severity"] = "WARNNG"
    rows.remove(removed)  # a row really taken out of the catalog
    project.write_catalog(rows)
    project.rebuild()

    held = alert_sync(project, "apply", *LOCAL, "--prune", "--json")
    assert held.json["summary"]["deleted"] == 0
    assert "nothing is removed while catalog rows are in ERROR" in held.stderr and "--force-prune" in held.stderr
    assert f"[{removed['severity']}] {removed['alert_name']}" in held.stderr

    forced = alert_sync(project, "apply", *LOCAL, "--prune", "--force-prune", "--json")
    deletes = [a for a in forced.json["actions"] if a["action"] == "DELETE"]
    assert [a["alert_id"] for a in deletes] == [removed["alert_id"]]  # named by its marker
    assert action_of(forced, broken["alert_id"])["action"] == "ERROR"


def test_a_severity_change_is_an_update_of_the_same_alert_without_recorded_results(project, workspace):
    first = alert_sync(project, "apply", *LOCAL, "--json")
    rows = project.catalog_rows()
    target = next(r for r in rows if r["is_enabled"] == "true" and r["severity"] != "CRITICAL")
    forget_sync_results(project)
    target["severity"] = "CRITICAL"
    project.write_catalog(rows)
    assert project.rebuild().ok
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0, run.stderr
    action = action_of(run, target["alert_id"])
    assert (action["action"], action["changed_fields"]) == ("UPDATE", ["display_name"])
    assert action["databricks_alert_id"] == action_of(first, target["alert_id"])["databricks_alert_id"]
    assert run.json["summary"]["created"] == 0


@pytest.mark.parametrize("recorded", [True, False], ids=["by-recorded-id", "by-name"])
def test_alerts_deployed_before_the_marker_are_adopted_and_gain_it_with_one_update(project, workspace, monkeypatch,
                                                                                     recorded):
    with monkeypatch.context() as m:  # deploy as the versions before the marker did
        m.setattr("alert_sync.desired.with_alert_id", lambda alert_id, query, written=None: query.strip())
        old = alert_sync(project, "apply", *LOCAL, "--json")
    assert old.exit_code == 0
    assert not any(a["query_text"].startswith("-- dbt_alerts alert_id:") for a in workspace.alerts())
    if not recorded:
        forget_sync_results(project)
    ids = {a["alert_id"]: a["databricks_alert_id"] for a in old.json["actions"] if a["databricks_alert_id"]}

    workspace.reset_counters()
    run = alert_sync(project, "apply", *LOCAL, "--prune", "--json")
    assert run.exit_code == 0, run.stderr
    updates = [a for a in run.json["actions"] if a["action"] == "UPDATE"]
    assert len(updates) == len(ids) and run.json["summary"]["created"] == run.json["summary"]["deleted"] == 0
    assert {a["alert_id"]: a["databricks_alert_id"] for a in updates} == ids
    assert all(a["changed_fields"] == ["alert_id_marker"] for a in updates)
    assert workspace.counters()["update_masks"] == {"query_text": len(ids)}
    by_id = {a["id"]: a for a in workspace.alerts()}
    assert all(by_id[d].get("query_text", "").startswith(f"-- dbt_alerts alert_id: {a} written: v1:")
               for a, d in ids.items())  # with the record of the fields as written (drift.py)

    again = alert_sync(project, "plan", *LOCAL, "--json")
    assert again.json["summary"]["updated"] == 0 and again.exit_code == 0


def test_plan_exit_codes_for_ci(project, workspace):
    changes = alert_sync(project, "plan", *LOCAL, "--detailed-exitcode")
    assert changes.exit_code == 2, changes.stdout + changes.stderr  # creates ahead
    assert alert_sync(project, "plan", *LOCAL).exit_code == 0
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    assert alert_sync(project, "plan", *LOCAL, "--detailed-exitcode").exit_code == 0  # nothing to change
    assert alert_sync(project, "plan", *LOCAL, "--format", "markdown", "--detailed-exitcode").exit_code == 0

    rows = project.catalog_rows()
    next(r for r in rows if r["is_enabled"] == "true")["notification_channels"] = "no_such_destination"
    project.write_catalog(rows)
    project.rebuild()
    for args in ((), ("--detailed-exitcode",), ("--format", "markdown"), ("--json",)):
        errored = alert_sync(project, "plan", *LOCAL, *args)
        assert errored.exit_code == 1, args

    # Nothing could be planned: 2, or Terraform's 1 with --detailed-exitcode (its 2 means "changes").
    assert alert_sync(project, "plan", "--json").exit_code == 2  # a DuckDB manifest without the flag
    assert alert_sync(project, "plan", "--detailed-exitcode").exit_code == 1


def test_plan_select_of_an_id_that_matches_nothing_is_an_error(project, workspace):
    known = enabled_rows(project)[0]["alert_id"]
    run = alert_sync(project, "plan", *LOCAL, "--select", f"{known} COST-999")
    assert run.exit_code == 2
    assert "no alert COST-999 in alert_configurations.csv" in run.stdout + run.stderr
    assert alert_sync(project, "plan", *LOCAL, "--select", known).exit_code == 0
