"""The live check: alert-sync's whole life cycle against a workspace, in a scratch folder it removes.

`make test-live` (pytest --live) runs it against your own workspace: set DATABRICKS_HOST,
DATABRICKS_TOKEN and DATABRICKS_WAREHOUSE_ID (any databricks-sdk auth works for the client, but the
three variables say "yes, use this workspace"). Without them it skips, saying so. Without --live
(`make test`, CI) the very same steps run against the bundled emulator, so the check cannot rot.

In /Workspace/Shared/dbt_alerts_live/<run id> it deploys three PAUSED alerts (queries without
tables, valid on DuckDB and Databricks SQL, so nothing runs, notifies or needs grants), checks that
what the service returns is what was sent, re-applies with zero writes, changes one threshold
(exactly one PATCH), renames one alert, prunes one, and finally purges every alert it created and
deletes the folder, even when a step failed.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, ResourceDoesNotExist

from alert_sync.identity import marked_alert_id, without_alert_id
from conftest import SyncRun, alert_sync
from projects import DbtProject, duckdb_profiles, install_package

LIVE_VARIABLES = ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_WAREHOUSE_ID")
SCRATCH_ROOT = "/Workspace/Shared/dbt_alerts_live"
NAME = "dbt_alerts_live"
LOCAL = ("--allow-non-databricks-manifest",)  # the three queries are built on DuckDB (see above)

DBT_PROJECT = f"""
name: {NAME}
version: "1.0.0"
config-version: 2
profile: {NAME}
"""

PROFILES = duckdb_profiles(NAME, target="live", threads=2)

MODELS = {
    "live_double": "{{ dbt_alerts.alert_model() }}\nselect 42.5 as value\n",
    "live_string": "{{ dbt_alerts.alert_model() }}\nselect 'green' as status\n",
    "live_rows": "{{ dbt_alerts.alert_model() }}\nselect 1 as n union all select 2 as n\n",
}
HEADER = ("alert_id,alert_name,alert_description,agent_domain,severity,query_model,threshold_column,"
          "threshold_operator,threshold_value_type,threshold_value,aggregation_type,empty_result_state,"
          "schedule_cron,schedule_timezone,pause_status,is_enabled,notification_channels,notify_on_ok,"
          "retrigger_seconds,custom_summary,custom_description,owner")
ROWS = {
    "LIVE-001": "LIVE-001,Live Check Double,dbt_alerts live check.,QUALITY,INFO,live_double,value,>,DOUBLE,100,,OK,"
                "0 0 6 * * ?,UTC,PAUSED,true,,false,,live {{ALERT_NAME}},,",
    "LIVE-002": "LIVE-002,Live Check String,dbt_alerts live check.,QUALITY,INFO,live_string,status,!=,STRING,green,,"
                "OK,0 30 6 * * ?,Europe/Amsterdam,PAUSED,true,,true,3600,,,",
    "LIVE-003": "LIVE-003,Live Check Rows,dbt_alerts live check.,QUALITY,INFO,live_rows,n,>,DOUBLE,5,SUM,ERROR,"
                "0 0 7 ? * MON,UTC,PAUSED,true,,false,,,,",
}
OPERATORS = {">": "GREATER_THAN", "!=": "NOT_EQUAL"}


@dataclass
class Workspace:
    client: WorkspaceClient
    emulator: object | None  # the bundled emulator, or None for a real workspace


@pytest.fixture
def live_workspace(request):
    if request.config.getoption("--live"):
        missing = [v for v in LIVE_VARIABLES if not os.environ.get(v)]
        if missing:
            pytest.skip(f"make test-live needs {', '.join(missing)} set: the host and a token of the workspace to "
                        f"check, and the SQL warehouse the alerts would use (they are deployed paused)")
        return Workspace(WorkspaceClient(), None)
    emu = request.getfixturevalue("emulator")  # conftest: a fresh emulator, DATABRICKS_* pointing at it
    return Workspace(WorkspaceClient(host=emu.url, token=os.environ["DATABRICKS_TOKEN"]), emu)


def write_project(path: Path) -> DbtProject:
    (path / "models").mkdir(parents=True)
    (path / "seeds").mkdir()
    (path / "dbt_project.yml").write_text(DBT_PROJECT)
    (path / "profiles.yml").write_text(PROFILES)
    for name, sql in MODELS.items():
        (path / "models" / f"{name}.sql").write_text(sql)
    write_catalog(path, ROWS)
    project = DbtProject(path, NAME)
    install_package(project)
    return project


def write_catalog(path: Path, rows: dict[str, str]) -> None:
    (path / "seeds" / "alert_configurations.csv").write_text("\n".join([HEADER, *rows.values()]) + "\n")


def build(project: DbtProject) -> None:
    result = project.dbt("build")
    assert result.ok, result.output[-4000:]


def sync(project: DbtProject, folder: str, *args: str) -> SyncRun:
    run = alert_sync(project, args[0], *LOCAL, "--parent-path", folder, "--json", *args[1:])
    assert run.exit_code == 0, run.stderr + run.stdout
    return run


def purge(w: WorkspaceClient, alert_id: str) -> None:
    # databricks-sdk 0.77's trash_alert has no purge argument: see alert_sync/apply.py
    try:
        w.api_client.do("DELETE", f"/api/2.0/alerts/{alert_id}", query={"purge": "true"})
    except (NotFound, ResourceDoesNotExist):
        pass


def alive(w: WorkspaceClient, alert_id: str) -> bool:
    """Still in the workspace, active or in the trash (a purged alert is gone)."""
    try:
        w.alerts_v2.get_alert(alert_id)
        return True
    except (NotFound, ResourceDoesNotExist):
        return False


def fields(row: str) -> dict[str, str]:
    import csv

    return dict(zip(HEADER.split(","), next(csv.reader([row]))))


def check_returned_equals_sent(w: WorkspaceClient, project: DbtProject, alert_id: str, databricks_id: str,
                               folder: str) -> None:
    """What the service returns for the alert, against the catalog row and the compiled query."""
    row = fields(ROWS[alert_id])
    manifest = json.loads((project.path / "target" / "manifest.json").read_text())
    compiled = manifest["nodes"][f"model.{NAME}.{row['query_model']}"]["compiled_code"].strip()
    a = w.alerts_v2.get_alert(databricks_id)
    assert a.display_name == f"[{row['severity']}] {row['alert_name']}"
    # the service stores query_text verbatim: the identity marker line (identity.py), then the model's SQL
    assert marked_alert_id(a.query_text) == alert_id and without_alert_id(a.query_text).strip() == compiled
    assert a.warehouse_id == os.environ["DATABRICKS_WAREHOUSE_ID"]
    assert (a.parent_path or "").removeprefix("/Workspace") == folder.removeprefix("/Workspace")
    e = a.evaluation
    assert e.source.name == row["threshold_column"]
    assert (e.source.aggregation.value if e.source.aggregation else "") == row["aggregation_type"]
    assert e.comparison_operator.value == OPERATORS[row["threshold_operator"]]
    value = e.threshold.value
    if row["threshold_value_type"] == "DOUBLE":
        assert value.double_value == float(row["threshold_value"])
    else:
        assert value.string_value == row["threshold_value"]
    assert e.empty_result_state.value == row["empty_result_state"]
    assert bool(e.notification and e.notification.notify_on_ok) == (row["notify_on_ok"] == "true")
    assert ((e.notification.retrigger_seconds if e.notification else None) or 0) == int(row["retrigger_seconds"] or 0)
    assert (a.custom_summary or "") == row["custom_summary"]
    s = a.schedule
    assert (s.quartz_cron_schedule, s.timezone_id, s.pause_status.value) == (
        row["schedule_cron"], row["schedule_timezone"], "PAUSED")


def actions(run: SyncRun) -> dict[str, dict]:
    return {a["alert_id"]: a for a in run.json["actions"]}


def test_live_life_cycle_in_a_scratch_folder_left_clean(live_workspace, tmp_path, capsys):
    w, emu = live_workspace.client, live_workspace.emulator
    folder = f"{SCRATCH_ROOT}/{uuid.uuid4().hex[:12]}"
    project = write_project(tmp_path / NAME)
    ours: set[str] = set()  # every databricks id this run saw in the folder
    try:
        # 1. deploy three paused alerts; what the service returns is what was sent
        build(project)
        first = sync(project, folder, "apply")
        created = {k: a["databricks_alert_id"] for k, a in actions(first).items()}
        ours.update(created.values())
        assert first.json["summary"]["created"] == 3 and all(created.values()), first.json
        for alert_id, databricks_id in created.items():
            check_returned_equals_sent(w, project, alert_id, databricks_id, folder)

        # 2. apply again: nothing to write
        writes_before = emu.counters()["writes"] if emu else None
        again = sync(project, folder, "apply")
        assert {a["action"] for a in again.json["actions"]} == {"NOOP"}, again.json
        if emu:
            assert emu.counters()["writes"] == writes_before

        # 3. one threshold changed: exactly one PATCH, masked "query_text,evaluation" (query_text: the
        #    marker's record of the written fields changes with it, drift.py)
        rows_changed = dict(ROWS, **{"LIVE-001": ROWS["LIVE-001"].replace(",DOUBLE,100,", ",DOUBLE,200,")})
        write_catalog(project.path, rows_changed)
        build(project)
        masks_before = dict(emu.counters()["update_masks"]) if emu else None
        changed = sync(project, folder, "apply")
        updates = [a for a in changed.json["actions"] if a["action"] == "UPDATE"]
        assert [(a["alert_id"], a["changed_fields"]) for a in updates] == [("LIVE-001", ["evaluation.threshold"])]
        assert changed.json["summary"]["updated"] == 1 and changed.json["summary"]["created"] == 0
        assert w.alerts_v2.get_alert(created["LIVE-001"]).evaluation.threshold.value.double_value == 200
        if emu:
            masks = emu.counters()["update_masks"]
            assert {k: masks[k] - masks_before.get(k, 0) for k in masks if masks[k] != masks_before.get(k, 0)} == {
                "query_text,evaluation": 1}

        # 4. rename one: the same alert, renamed
        rows_renamed = dict(rows_changed, **{"LIVE-002": rows_changed["LIVE-002"].replace(
            "Live Check String", "Live Check String Renamed")})
        write_catalog(project.path, rows_renamed)
        build(project)
        renamed = actions(sync(project, folder, "apply"))["LIVE-002"]
        assert (renamed["action"], renamed["changed_fields"], renamed["databricks_alert_id"]) == (
            "UPDATE", ["display_name"], created["LIVE-002"])
        assert w.alerts_v2.get_alert(created["LIVE-002"]).display_name == "[INFO] Live Check String Renamed"

        # 5. prune one: disabled in the catalog, purged (gone, not in the trash)
        rows_pruned = dict(rows_renamed, **{"LIVE-003": rows_renamed["LIVE-003"].replace(",PAUSED,true,", ",PAUSED,false,")})
        write_catalog(project.path, rows_pruned)
        build(project)
        pruned = actions(sync(project, folder, "apply", "--prune"))["LIVE-003"]
        assert (pruned["action"], pruned["databricks_alert_id"]) == ("DELETE", created["LIVE-003"])
        assert not alive(w, created["LIVE-003"])
    finally:
        # 6. whatever happened: purge every alert of the folder, then the folder itself
        try:
            ours.update(a.id for a in w.alerts_v2.list_alerts(page_size=100)
                        if (a.parent_path or "").removeprefix("/Workspace") == folder.removeprefix("/Workspace"))
        finally:
            for alert_id in ours:
                purge(w, alert_id)
            try:
                w.workspace.delete(folder, recursive=True)
            except (NotFound, ResourceDoesNotExist):
                pass
    left_behind = [i for i in ours if alive(w, i)]
    with capsys.disabled():
        print(f"\nlive check on {w.config.host}: folder {folder}, {len(ours)} alert(s) created, "
              f"{len(left_behind)} left behind (trashed included)")
    assert left_behind == []
    with pytest.raises((NotFound, ResourceDoesNotExist)):
        w.workspace.get_status(folder)
    if emu:
        assert [a for a in emu.alerts(include_trashed=True) if folder.removeprefix("/Workspace") in a["parent_path"]] == []


def test_a_scratch_folder_the_workspace_refuses_names_the_permission(live_workspace, tmp_path):
    if live_workspace.emulator is None:
        pytest.skip("needs the emulator to refuse the folder")
    live_workspace.emulator.set_faults([{"method": "POST", "path_regex": "^/api/2\\.0/workspace/mkdirs", "kind": "403"}])
    project = write_project(tmp_path / NAME)
    build(project)
    run = alert_sync(project, "apply", *LOCAL, "--parent-path", f"{SCRATCH_ROOT}/refused", "--json")
    assert run.exit_code == 2
    assert "PERMISSION_DENIED" in run.json["error"] and "CAN MANAGE" in run.json["error"]
    assert live_workspace.emulator.counters()["writes"] == 0
