"""alert-sync plan/apply end to end: real dbt build on DuckDB, the real CLI, the real
databricks-sdk talking HTTP to the Alerts v2 emulator, metrics read back from DuckDB."""

from __future__ import annotations

import json

import duckdb

from alert_sync.identity import marked_alert_id, without_alert_id
from conftest import WAREHOUSE, alert_sync, provision_destinations
from projects import DbtProject

LOCAL = ("--allow-non-databricks-manifest",)
FOLDER = "/Workspace/Shared/dbt_alerts/dbt_alerts_example/local"

OPERATORS = {">": "GREATER_THAN", ">=": "GREATER_THAN_OR_EQUAL", "<": "LESS_THAN", "<=": "LESS_THAN_OR_EQUAL",
             "=": "EQUAL", "==": "EQUAL", "!=": "NOT_EQUAL", "<>": "NOT_EQUAL"}


def rebuild(project: DbtProject) -> None:
    result = project.rebuild()
    assert result.ok, result.output[-4000:]


def alert_writes(counters: dict) -> dict[str, int]:
    """Writes to alerts (the apply lock's workspace-file writes are not alert writes)."""
    return {k: v for k, v in counters["by_endpoint"].items() if "/alerts" in k and not k.startswith("GET")}


def managed(emu) -> dict[str, dict]:
    return {a["display_name"]: a for a in emu.alerts() if a["parent_path"] == FOLDER}


def query(project: DbtProject, sql: str) -> list[tuple]:
    with duckdb.connect(str(project.duckdb_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def expected_alert(row: dict[str, str], compiled: str, destinations: dict[str, str]) -> dict:
    """What the catalog row says the deployed alert must be (independent of alert_sync's code)."""
    op = OPERATORS.get(row["threshold_operator"], row["threshold_operator"].upper())
    agg = row["aggregation_type"].upper()
    agg = None if agg in ("", "NONE", "FIRST") else agg
    kind, raw = row["threshold_value_type"].upper(), row["threshold_value"]
    threshold = None
    if op not in ("IS_NULL", "IS_NOT_NULL"):
        if kind == "DOUBLE":
            threshold = {"value": {"double_value": float(raw)}}
        elif kind == "STRING":
            threshold = {"value": {"string_value": raw}}
        elif kind == "BOOLEAN":
            threshold = {"value": {"bool_value": raw.lower() == "true"}}
        else:
            threshold = {"column": {"name": raw, **({"aggregation": agg} if agg else {})}}
    subs = []
    for ch in [c.strip() for c in row["notification_channels"].split(";") if c.strip()]:
        subs.append({"user_email": ch} if "@" in ch else {"destination_id": destinations[ch]})
    return {
        "display_name": f"[{row['severity'].upper()}] {row['alert_name']}",
        "query_text": f"-- dbt_alerts alert_id: {row['alert_id']}\n" + compiled.strip(),  # identity marker first
        "warehouse_id": WAREHOUSE,
        "parent_path": FOLDER,
        "custom_summary": row["custom_summary"] or None,
        "custom_description": row["custom_description"] or None,
        "source": {"name": row["threshold_column"], **({"aggregation": agg} if agg else {})},
        "comparison_operator": op,
        "threshold": threshold,
        "empty_result_state": row["empty_result_state"].upper(),
        "notify_on_ok": row["notify_on_ok"].lower() == "true",
        "retrigger_seconds": int(row["retrigger_seconds"]) if row["retrigger_seconds"] else None,
        "subscriptions": sorted(subs, key=json.dumps),
        "schedule": {"quartz_cron_schedule": row["schedule_cron"], "timezone_id": row["schedule_timezone"],
                     "pause_status": row["pause_status"].upper()},
    }


def actual_alert(a: dict) -> dict:
    ev, notif = a["evaluation"], a["evaluation"].get("notification", {})
    return {
        # the marker line less its record of the written fields (drift.py, tests/test_drift.py)
        "display_name": a["display_name"], "warehouse_id": a["warehouse_id"],
        "query_text": f"-- dbt_alerts alert_id: {marked_alert_id(a['query_text'])}\n" + without_alert_id(a["query_text"]),
        "parent_path": a["parent_path"], "custom_summary": a.get("custom_summary"),
        "custom_description": a.get("custom_description"), "source": ev["source"],
        "comparison_operator": ev["comparison_operator"], "threshold": ev.get("threshold"),
        "empty_result_state": ev.get("empty_result_state"), "notify_on_ok": bool(notif.get("notify_on_ok")),
        "retrigger_seconds": notif.get("retrigger_seconds"),
        "subscriptions": sorted(notif.get("subscriptions", []), key=json.dumps),
        "schedule": a["schedule"],
    }


def test_first_apply_creates_every_enabled_alert_exactly_as_the_catalog_says(project, workspace):
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0, run.stderr
    out = run.json
    rows = project.catalog_rows()
    enabled = [r for r in rows if r["is_enabled"] == "true"]
    assert out["summary"]["created"] == len(enabled) and out["summary"]["errors"] == 0
    assert out["summary"]["total"] == len(rows)

    manifest = json.loads((project.path / "target" / "manifest.json").read_text())
    destinations = {d["display_name"]: d["id"] for d in workspace.destinations()}
    seed_dest = {}
    import csv
    with (project.path / "seeds" / "notification_destinations.csv").open() as f:
        for d in csv.DictReader(f):
            seed_dest[d["destination_id"]] = d["databricks_destination_id"] or destinations[d["destination_name"]]
    deployed = managed(workspace)
    assert len(deployed) == len(enabled)
    for row in enabled:
        compiled = manifest["nodes"][project.node_id(row["query_model"])]["compiled_code"]
        want = expected_alert(row, compiled, seed_dest)
        got = actual_alert(deployed[want["display_name"]])
        for field in want:
            assert got[field] == want[field], f"{row['alert_id']}.{field}: {got[field]!r} != {want[field]!r}"
    # Disabled alerts are reported, not deployed.
    by_id = {a["alert_id"]: a for a in out["actions"]}
    for row in rows:
        if row["is_enabled"] != "true":
            assert by_id[row["alert_id"]]["action"] == "NOOP"
            assert f"[{row['severity']}] {row['alert_name']}" not in deployed


def test_second_apply_writes_nothing_and_plan_shows_only_noops(project, workspace):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    workspace.reset_counters()
    plan = alert_sync(project, "plan", *LOCAL, "--json")
    assert plan.exit_code == 0
    assert {a["action"] for a in plan.json["actions"]} == {"NOOP"}
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0
    assert run.json["summary"]["created"] == run.json["summary"]["updated"] == 0
    counters = workspace.counters()
    assert counters["writes"] == 0
    assert set(counters["by_method"]) == {"GET"}


def test_changing_one_threshold_is_one_patch_naming_only_that_field(project, workspace):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    rows = project.catalog_rows()
    target = next(r for r in rows if r["is_enabled"] == "true" and r["threshold_value_type"] == "DOUBLE")
    target["threshold_value"] = str(float(target["threshold_value"]) + 12345)
    project.write_catalog(rows)
    rebuild(project)

    plan = alert_sync(project, "plan", *LOCAL)
    assert "evaluation.threshold" in plan.stdout and "12" in plan.stdout
    workspace.reset_counters()
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0
    updates = [a for a in run.json["actions"] if a["action"] == "UPDATE"]
    assert [(a["alert_id"], a["changed_fields"]) for a in updates] == [(target["alert_id"], ["evaluation.threshold"])]
    counters = workspace.counters()
    assert alert_writes(counters) == {"PATCH /api/2.0/alerts/{id}": 1}
    deployed = managed(workspace)[f"[{target['severity']}] {target['alert_name']}"]
    assert deployed["evaluation"]["threshold"]["value"]["double_value"] == float(target["threshold_value"])


def test_parameters_and_a_markdown_template_set_in_the_workspace_are_drift_the_plan_shows_and_apply_clears(
        project, workspace):
    """The catalog has no column for `parameters` or `custom_template_format`; databricks-sdk 0.77's
    AlertV2 has no field for them either: the plan reads them from the service's JSON (untyped.py)."""
    from databricks.sdk import WorkspaceClient

    first = alert_sync(project, "apply", *LOCAL, "--json").json
    target = next(a for a in first["actions"] if a["action"] == "CREATE")
    w = WorkspaceClient(host=workspace.url, token="emulator-token")
    w.api_client.do("PATCH", f"/api/2.0/alerts/{target['databricks_alert_id']}",
                    query={"update_mask": "parameters,custom_template_format"},
                    body={"parameters": [{"name": "min_cost", "type": "DOUBLE", "value": "5000"}],
                          "custom_template_format": "MARKDOWN"})

    plan = alert_sync(project, "plan", *LOCAL)
    assert plan.exit_code == 0
    assert f"~ {target['alert_id']}" in plan.stdout
    assert "parameters: min_cost DOUBLE = '5000' -> (none)" in plan.stdout
    assert "custom_template_format: 'MARKDOWN' -> 'HTML'" in plan.stdout
    workspace.reset_counters()
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0
    updates = [(a["alert_id"], a["changed_fields"]) for a in run.json["actions"] if a["action"] == "UPDATE"]
    assert updates == [(target["alert_id"], ["parameters", "custom_template_format"])]
    assert workspace.counters()["update_masks"] == {"parameters,custom_template_format": 1}
    stored = w.api_client.do("GET", f"/api/2.0/alerts/{target['databricks_alert_id']}")
    assert "parameters" not in stored and "custom_template_format" not in stored
    again = alert_sync(project, "plan", *LOCAL, "--json")
    assert {a["action"] for a in again.json["actions"]} == {"NOOP"}


def test_rename_updates_the_same_alert(project, workspace):
    first = alert_sync(project, "apply", *LOCAL, "--json").json
    rows = project.catalog_rows()
    target = next(r for r in rows if r["is_enabled"] == "true")
    old_id = next(a["databricks_alert_id"] for a in first["actions"] if a["alert_id"] == target["alert_id"])
    target["alert_name"] = target["alert_name"] + " (renamed)"
    project.write_catalog(rows)
    rebuild(project)
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0
    action = next(a for a in run.json["actions"] if a["alert_id"] == target["alert_id"])
    assert action["action"] == "UPDATE" and action["changed_fields"] == ["display_name"]
    assert action["databricks_alert_id"] == old_id
    assert run.json["summary"]["created"] == 0
    names = {a["id"]: a["display_name"] for a in workspace.alerts()}
    assert names[old_id].endswith("(renamed)")


def test_a_ten_percent_change_patches_with_top_level_masks_and_names_fields_for_people(project, workspace):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    rows = project.catalog_rows()
    enabled = [r for r in rows if r["is_enabled"] == "true"]
    doubles = [r for r in enabled if r["threshold_value_type"] == "DOUBLE"]
    edits = {  # one field of each nested part, plus two top-level ones: 4 of 35 alerts (~10%)
        doubles[0]["alert_id"]: ("threshold_value", str(float(doubles[0]["threshold_value"]) + 1),
                                 ["evaluation.threshold"], "evaluation"),
        doubles[1]["alert_id"]: ("retrigger_seconds", "7200", ["evaluation.notification.retrigger_seconds"],
                                 "evaluation"),
        doubles[2]["alert_id"]: ("pause_status", "PAUSED", ["schedule.pause_status"], "schedule"),
        doubles[3]["alert_id"]: ("custom_summary", "changed {{ALERT_NAME}}", ["custom_summary"], "custom_summary"),
    }
    for r in rows:
        if r["alert_id"] in edits:
            column, value, _, _ = edits[r["alert_id"]]
            assert r[column] != value
            r[column] = value
    project.write_catalog(rows)
    rebuild(project)
    workspace.reset_counters()
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0, run.stderr
    updates = {a["alert_id"]: a["changed_fields"] for a in run.json["actions"] if a["action"] == "UPDATE"}
    assert updates == {alert_id: fields for alert_id, (_, _, fields, _) in edits.items()}
    masks = workspace.counters()["update_masks"]
    print(f"\nPATCH update_mask values sent for {len(edits)} changed alerts of {len(enabled)}: {masks}")
    # query_text too: the marker's record of the written fields changes with them (drift.py)
    assert masks == {"query_text,evaluation": 2, "query_text,schedule": 1, "query_text,custom_summary": 1}
    recorded = dict(query(project, "select alert_id, changed_fields from main.alert_sync_results "
                                   "where action = 'UPDATE'"))
    assert recorded == {alert_id: ",".join(fields) for alert_id, (_, _, fields, _) in edits.items()}
    deployed = {a["id"]: a for a in workspace.alerts()}
    by_alert = {a["alert_id"]: deployed[a["databricks_alert_id"]] for a in run.json["actions"]
                if a["databricks_alert_id"]}
    retriggered = by_alert[doubles[1]["alert_id"]]["evaluation"]
    assert retriggered["notification"]["retrigger_seconds"] == 7200
    assert retriggered["source"]["name"] == doubles[1]["threshold_column"]  # the rest of evaluation intact
    assert by_alert[doubles[2]["alert_id"]]["schedule"]["quartz_cron_schedule"] == doubles[2]["schedule_cron"]
    assert alert_sync(project, "plan", *LOCAL, "--json").json["summary"]["updated"] == 0


def test_prune_purges_and_trash_only_trashes(project, workspace):
    first = alert_sync(project, "apply", *LOCAL, "--json").json
    ids = {a["alert_id"]: a["databricks_alert_id"] for a in first["actions"]}
    rows = project.catalog_rows()
    purged, trashed = [r for r in rows if r["is_enabled"] == "true"][:2]
    purged["is_enabled"] = "false"
    project.write_catalog(rows)
    rebuild(project)
    plan = alert_sync(project, "plan", *LOCAL, "--prune")
    assert f"{purged['alert_id']}" in plan.stdout and "(purge: disabled in the catalog)" in plan.stdout
    assert "1 to remove (1 purge, 0 trash)" in plan.stdout
    assert alert_sync(project, "apply", *LOCAL, "--prune").exit_code == 0
    assert ids[purged["alert_id"]] not in {a["id"] for a in workspace.alerts(include_trashed=True)}

    trashed["is_enabled"] = "false"
    project.write_catalog(rows)
    rebuild(project)
    plan = alert_sync(project, "plan", *LOCAL, "--prune", "--trash-only")
    assert "(trash: disabled in the catalog)" in plan.stdout and "1 to remove (0 purge, 1 trash)" in plan.stdout
    assert alert_sync(project, "apply", *LOCAL, "--prune", "--trash-only").exit_code == 0
    states = {a["id"]: a["lifecycle_state"] for a in workspace.alerts(include_trashed=True)}
    assert states[ids[trashed["alert_id"]]] == "DELETED"


def test_a_refused_purge_names_the_permission_and_costs_nothing_else(project, workspace):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    rows = project.catalog_rows()
    victim, changed = [r for r in rows if r["is_enabled"] == "true" and r["threshold_value_type"] == "DOUBLE"][:2]
    victim["is_enabled"] = "false"
    changed["threshold_value"] = str(float(changed["threshold_value"]) + 1)
    project.write_catalog(rows)
    rebuild(project)
    workspace.set_faults([{"method": "DELETE", "kind": "403"}])
    run = alert_sync(project, "apply", *LOCAL, "--prune", "--json")
    actions = {a["alert_id"]: a for a in run.json["actions"]}
    assert actions[victim["alert_id"]]["action"] == "ERROR"
    error = actions[victim["alert_id"]]["error"]
    assert "PERMISSION_DENIED" in error and "CAN MANAGE" in error and "--trash-only" in error
    assert actions[changed["alert_id"]]["action"] == "UPDATE"  # the run went on
    assert "Stopped early" not in run.stderr and run.exit_code == 0


def test_a_create_refused_for_the_alert_quota_says_trashed_alerts_count_and_how_to_purge(project, workspace):
    workspace.alert_quota = 30
    for i in range(3):  # trashed leftovers of an earlier tool: they count against the quota
        old = workspace.add_alert({"display_name": f"old {i}", "parent_path": "/Users/emulator@example.com",
                                   "lifecycle_state": "DELETED"})
        assert old["lifecycle_state"] == "DELETED"
    run = alert_sync(project, "apply", *LOCAL, "--json")
    errors = [a for a in run.json["actions"] if a["action"] == "ERROR"]
    assert run.json["summary"]["created"] == 27 and len(errors) == 8
    for a in errors:
        assert "limit of 30 alerts" in a["error"] and "trash" in a["error"] and "--prune" in a["error"], a
    assert run.exit_code == 1


def test_alerts_the_list_describes_incompletely_are_fetched_not_guessed(project, workspace):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    workspace.list_omits = frozenset({"evaluation", "effective_run_as"})
    workspace.reset_counters()
    plan = alert_sync(project, "plan", *LOCAL, "--json")
    assert plan.exit_code == 0
    enabled = sum(1 for r in project.catalog_rows() if r["is_enabled"] == "true")
    assert plan.json["summary"]["unchanged"] == enabled and plan.json["summary"]["updated"] == 0
    assert workspace.counters()["by_endpoint"]["GET /api/2.0/alerts/{id}"] == enabled
    assert f"{enabled} alert(s) fetched one by one (GET)" in plan.stderr


def test_a_destination_id_the_workspace_lacks_is_an_error_of_the_plan_not_of_a_create(project, emulator):
    provision_destinations(emulator, project)
    dest_csv = project.path / "seeds" / "notification_destinations.csv"
    lines = dest_csv.read_text().splitlines()
    header = lines[0].split(",")
    with_id = next(line for line in lines[1:] if line.split(",")[header.index("databricks_destination_id")])
    wrong = with_id.split(",")
    known_id = wrong[header.index("databricks_destination_id")]
    wrong[header.index("databricks_destination_id")] = "00000000-0000-4000-8000-00000000dead"
    dest_csv.write_text("\n".join(lines).replace(with_id, ",".join(wrong)) + "\n")
    rebuild(project)
    channel = wrong[header.index("destination_id")]
    users = [r["alert_id"] for r in project.catalog_rows()
             if r["is_enabled"] == "true" and channel in r["notification_channels"].split(";")]
    assert users and known_id
    emulator.reset_counters()
    plan = alert_sync(project, "plan", *LOCAL, "--json")
    errors = {a["alert_id"]: a["error"] for a in plan.json["actions"] if a["action"] == "ERROR"}
    assert set(errors) == set(users)
    assert all("00000000-0000-4000-8000-00000000dead" in e and "not a notification destination of this workspace"
               in e for e in errors.values())
    assert emulator.counters()["by_endpoint"]["GET /api/2.0/notification-destinations"] == 1


def test_run_as_is_deployed_diffed_and_refusals_name_the_role(project, workspace):
    from alert_sync.emulator import EMULATOR_SERVICE_PRINCIPAL

    first = alert_sync(project, "plan", *LOCAL)
    assert first.stdout.count("alerts_run_as is not set") == 1
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    enabled = sum(1 for r in project.catalog_rows() if r["is_enabled"] == "true")

    built = project.dbt("build", "--exclude", "path:seeds/sample_data",
                        "--vars", f"{{alerts_run_as: '{EMULATOR_SERVICE_PRINCIPAL}'}}")
    assert built.ok, built.output[-3000:]
    plan = alert_sync(project, "plan", *LOCAL)
    assert f"run_as: user emulator@example.com -> service principal {EMULATOR_SERVICE_PRINCIPAL}" in plan.stdout
    assert "alerts_run_as is not set" not in plan.stdout

    workspace.service_principals[EMULATOR_SERVICE_PRINCIPAL] = False  # the deployer lacks the role
    refused = alert_sync(project, "apply", *LOCAL, "--json")
    errors = [a["error"] for a in refused.json["actions"] if a["action"] == "ERROR"]
    assert len(errors) == enabled and "Stopped early" not in refused.stderr  # each alert tried, none lost
    assert all("PERMISSION_DENIED" in e and "Service principal: User role" in e for e in errors)

    workspace.service_principals[EMULATOR_SERVICE_PRINCIPAL] = True
    workspace.reset_counters()
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0 and run.json["summary"]["updated"] == enabled
    assert workspace.counters()["update_masks"] == {"query_text,run_as": enabled}
    assert {a["run_as"]["service_principal_name"] for a in managed(workspace).values()} == {EMULATOR_SERVICE_PRINCIPAL}
    assert alert_sync(project, "plan", *LOCAL, "--json").json["summary"]["unchanged"] == enabled

    other_user = project.dbt("build", "--exclude", "path:seeds/sample_data",
                             "--vars", "{alerts_run_as: 'someone-else@example.com'}")
    assert other_user.ok, other_user.output[-3000:]
    workspace.reset_counters()
    plan = alert_sync(project, "apply", *LOCAL, "--json")
    errors = [a["error"] for a in plan.json["actions"] if a["action"] == "ERROR"]
    assert len(errors) == enabled and all("only to their own user name" in e for e in errors)
    assert workspace.counters()["writes"] == 0


def test_prune_trashes_exactly_the_disabled_alert_and_nothing_outside_the_folder(project, workspace):
    alert_sync(project, "apply", *LOCAL)
    rows = project.catalog_rows()
    victim = next(r for r in rows if r["is_enabled"] == "true")
    name = f"[{victim['severity']}] {victim['alert_name']}"
    # A foreign alert elsewhere with the very same name, and one in a sibling folder.
    template = dict(managed(workspace)[name])
    for folder in ("/Workspace/Users/someone@example.com", FOLDER + "_other"):
        foreign = {k: v for k, v in template.items() if k not in ("id", "create_time", "update_time")}
        workspace.add_alert({**foreign, "parent_path": folder})
    before = {a["id"] for a in workspace.alerts()}

    victim["is_enabled"] = "false"
    project.write_catalog(rows)
    rebuild(project)
    no_prune = alert_sync(project, "apply", *LOCAL, "--json")
    assert no_prune.json["summary"]["deleted"] == 0 and {a["id"] for a in workspace.alerts()} == before

    run = alert_sync(project, "apply", *LOCAL, "--prune", "--json")
    assert run.exit_code == 0
    deletes = [a for a in run.json["actions"] if a["action"] == "DELETE"]
    assert [a["alert_id"] for a in deletes] == [victim["alert_id"]]
    after = {a["id"] for a in workspace.alerts()}
    assert before - after == {deletes[0]["databricks_alert_id"]}
    assert sum(1 for a in workspace.alerts() if a["display_name"] == name) == 2  # the two foreign ones


def test_bad_row_is_an_error_for_that_alert_only(project, workspace):
    rows = project.catalog_rows()
    bad = next(r for r in rows if r["is_enabled"] == "true")
    bad["notification_channels"] = "no_such_destination"
    project.write_catalog(rows)
    project.rebuild()  # the catalog test fails; the alert models still build

    run = alert_sync(project, "apply", *LOCAL, "--json")
    enabled = sum(1 for r in rows if r["is_enabled"] == "true")
    errors = [a for a in run.json["actions"] if a["action"] == "ERROR"]
    assert [a["alert_id"] for a in errors] == [bad["alert_id"]]
    assert "no_such_destination" in errors[0]["error"]
    assert run.json["summary"]["created"] == enabled - 1
    assert run.exit_code == (0 if (enabled - 1) / enabled >= 0.9 else 1)
    assert bad["alert_id"] in run.stderr  # failures are listed by alert id
    strict = alert_sync(project, "apply", *LOCAL, "--success-threshold", "1.0")
    assert strict.exit_code == 1


def test_alert_whose_model_failed_in_dbt_build_is_not_deployed(project, workspace):
    rows = project.catalog_rows()
    bad = next(r for r in rows if r["is_enabled"] == "true")
    bad["threshold_column"] = "not_a_column_of_the_query"
    project.write_catalog(rows)
    assert not project.rebuild().ok
    run = alert_sync(project, "apply", *LOCAL, "--json")
    action = next(a for a in run.json["actions"] if a["alert_id"] == bad["alert_id"])
    assert action["action"] == "ERROR" and "failed validation in dbt build" in action["error"]
    # dbt's message, without its macro stack ("> in macro materialization_alert_default ...")
    assert "error: Compilation Error: Alert model" in action["error"] and "not_a_column_of_the_query" in action["error"]
    assert "> in macro" not in action["error"] and "called by" not in action["error"]
    assert f"[{bad['severity']}] {bad['alert_name']}" not in managed(workspace)


def test_metrics_rows_match_the_json_output(project, workspace):
    out = alert_sync(project, "apply", *LOCAL, "--json").json
    dry = alert_sync(project, "apply", *LOCAL, "--json", "--dry-run").json
    metrics = {r[0]: r for r in query(project, "select sync_run_id, total_alerts, created_count, unchanged_count, "
                                                "error_count, dry_run, success_count from alert_sync_metrics")}
    m = metrics[out["run_id"]]
    s = out["summary"]
    assert (m[1], m[2], m[3], m[4], m[5]) == (s["total"], s["created"], s["unchanged"], s["errors"], False)
    assert metrics[dry["run_id"]][5] is True
    results = query(project, "select alert_id, action, databricks_alert_id, display_name from alert_sync_results "
                             f"where sync_run_id = '{out['run_id']}'")
    assert sorted(results, key=str) == sorted(((a["alert_id"], a["action"], a["databricks_alert_id"],
                                                a["display_name"]) for a in out["actions"]), key=str)
    # and dbt reads them back through the alert_sync source
    rebuild(project)
    status = dict(query(project, "select alert_id, last_action from alert_sync_status where is_enabled"))
    assert set(status.values()) == {"CREATE"}  # dry runs do not count as the last outcome


def test_hostile_text_lands_intact_in_the_metrics(project, workspace):
    rows = project.catalog_rows()
    good = next(r for r in rows if r["is_enabled"] == "true")
    nasty_id = "TEST'; DROP TABLE alert_sync_results; --"
    nasty_name = 'O\'Brien "quoted" \\ name\'; DROP TABLE alert_sync_metrics; --'
    broken = {**good, "alert_id": nasty_id, "alert_name": nasty_name, "notification_channels": "it's; missing",
              "query_model": "hostile_alert"}
    project.add_alert(broken, sql=project.model_path(good["query_model"]).read_text())
    project.rebuild()  # the channel test fails; artifacts are still written
    run = alert_sync(project, "apply", *LOCAL, "--json")
    action = next(a for a in run.json["actions"] if a["alert_id"] == nasty_id)
    assert action["action"] == "ERROR"
    got = query(project, "select alert_id, display_name, error_message from alert_sync_results "
                         f"where sync_run_id = '{run.json['run_id']}' and action = 'ERROR'")
    assert (nasty_id, f"[{good['severity']}] {nasty_name}", action["error"]) in got
    assert "it's" in action["error"]
    assert query(project, "select count(*) from alert_sync_metrics")[0][0] == 1


def test_non_databricks_manifest_is_refused_without_the_flag(project, workspace):
    run = alert_sync(project, "apply")
    assert run.exit_code == 2
    assert "duckdb" in run.stdout and "--allow-non-databricks-manifest" in run.stdout
    assert workspace.counters()["total"] == 0


def test_missing_or_stale_artifacts_exit_2_asking_for_dbt_build(project, workspace):
    rows = project.catalog_rows()
    rows[0]["alert_description"] += " (edited)"
    project.write_catalog(rows)
    stale = alert_sync(project, "plan", *LOCAL)
    assert stale.exit_code == 2 and "dbt build" in stale.stdout and "changed after the last dbt build" in stale.stdout
    (project.path / "target" / "run_results.json").unlink()
    missing = alert_sync(project, "apply", *LOCAL)
    assert missing.exit_code == 2 and "dbt build" in missing.stdout
    assert workspace.counters()["writes"] == 0


def test_a_dbt_parse_ls_or_docs_generate_after_the_build_is_named_with_the_pattern_that_avoids_it(project, workspace):
    """The dbt loop: build, then the IDE parses (or `dbt ls`, `dbt docs generate`) in target/."""
    for command, named in ((("parse",), "`dbt parse`, `dbt ls`, or an IDE"), (("ls",), "`dbt parse`, `dbt ls`"),
                           (("docs", "generate"), "come from `dbt docs generate`")):
        assert project.dbt(*command).ok
        run = alert_sync(project, "plan", *LOCAL)
        assert run.exit_code == 2, run.stdout
        assert named in run.stdout, run.stdout
        assert "`dbt build --target-path target/deploy`" in run.stdout
        assert "alert-sync plan|apply|evaluate --target-path target/deploy" in run.stdout
    assert workspace.counters()["total"] == 0


def test_a_build_in_its_own_target_path_survives_parse_ls_and_docs_generate_but_not_edits(
        project, workspace, monkeypatch):
    """The documented pattern (docs/cli.md, Inputs): the deploy build in target/deploy while dbt
    commands and the IDE use target/. The staleness checks still hold there."""
    result = project.dbt("build", "--target-path", "target/deploy", "--exclude", "path:seeds/sample_data")
    assert result.ok, result.output[-4000:]
    for command in (("parse",), ("ls",), ("docs", "generate")):
        assert project.dbt(*command).ok
    run = alert_sync(project, "plan", *LOCAL, "--target-path", "target/deploy")
    assert run.exit_code == 0, run.stdout
    assert "to create" in run.stdout
    monkeypatch.setenv("DBT_TARGET_PATH", "target/deploy")  # dbt's own variable, read by alert-sync too
    assert alert_sync(project, "plan", *LOCAL).exit_code == 0
    rows = project.catalog_rows()
    rows[0]["threshold_value"] = "12345"
    project.write_catalog(rows)
    assert project.dbt("parse").ok  # the IDE parses the edit: target/deploy still holds the build's checksums
    stale = alert_sync(project, "plan", *LOCAL)
    assert stale.exit_code == 2 and "changed after the last dbt build" in stale.stdout, stale.stdout
    assert workspace.counters()["writes"] == 0


def test_permission_denied_before_any_write_is_exit_2(project, emulator, monkeypatch):
    provision_destinations(emulator, project)
    emulator.read_only_tokens.add("reader-token")
    monkeypatch.setenv("DATABRICKS_TOKEN", "reader-token")
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 2, run.stderr
    assert "PERMISSION_DENIED" in run.json["error"] and "nothing was changed" in run.json["error"]
    assert emulator.counters()["writes"] == 0


def test_permission_denied_mid_run_stops_at_once_with_exit_1(project, workspace):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    rows = project.catalog_rows()
    changed = [r for r in rows if r["is_enabled"] == "true" and r["threshold_value_type"] == "DOUBLE"][:3]
    for r in changed:
        r["threshold_value"] = str(float(r["threshold_value"]) + 1)
    project.write_catalog(rows)
    rebuild(project)
    workspace.set_faults([{"method": "PATCH", "kind": "403", "count": 1}])  # permission revoked mid-run
    workspace.reset_counters()
    run = alert_sync(project, "apply", *LOCAL, "--workers", "1", "--json")
    assert run.exit_code == 1, run.stderr
    errors = [a["error"] for a in run.json["actions"] if a["action"] == "ERROR"]
    assert len(errors) == 3
    assert sum("PERMISSION_DENIED" in e and "not attempted" not in e for e in errors) == 1
    assert sum(e.startswith("not attempted") for e in errors) == 2
    assert workspace.counters()["by_method"].get("PATCH") == 1  # stopped after the first refusal
    assert "Stopped early" in run.stderr


def test_bad_token_is_exit_2_before_any_write(project, emulator, monkeypatch):
    monkeypatch.setenv("DATABRICKS_TOKEN", "wrong-token")
    run = alert_sync(project, "apply", *LOCAL)
    assert run.exit_code == 2
    assert "DATABRICKS_TOKEN" in run.stdout


# --- which dbt target, and what happens when its profile does not load -----------------------------

def test_staleness_checksums_are_dbts_own(project):
    """alert-sync hashes files itself (importing dbt's hashing costs ~1 s): it must agree with dbt."""
    from dbt.contracts.files import FileHash
    from dbt_common.clients.system import load_file_contents

    from alert_sync.project import _dbt_checksum

    nodes = json.loads((project.path / "target" / "manifest.json").read_text())["nodes"].values()
    checked = [n for n in nodes if n["resource_type"] == "seed" or n["config"].get("materialized") == "alert"]
    assert len(checked) > 30
    for node in checked:
        path = project.path / node["original_file_path"]
        ours = _dbt_checksum(path)
        assert ours == FileHash.from_contents(load_file_contents(str(path))).checksum, path
        if node["checksum"]["name"] == "sha256":
            assert ours == node["checksum"]["checksum"], path


def test_without_target_the_built_target_is_used_not_the_profile_default(project, workspace):
    profiles = project.path / "profiles.yml"
    # `dev` is a Databricks target whose DATABRICKS_HTTP_PATH is unset here: it cannot even load.
    profiles.write_text(profiles.read_text().replace("target: local", "target: dev", 1))
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0, run.stderr
    assert "warning" not in run.stderr
    assert query(project, "select target_name, created_count from alert_sync_metrics") == [
        ("local", run.json["summary"]["created"])]


def test_a_target_other_than_the_built_one_is_refused_before_any_request(project, workspace, monkeypatch):
    run = alert_sync(project, "apply", *LOCAL, "--target", "prod")
    assert run.exit_code == 2
    assert "The last dbt build was for target 'local', not 'prod'" in run.stdout
    monkeypatch.setenv("DBT_TARGET", "dev")  # dbt's own variable counts as --target
    run = alert_sync(project, "plan", *LOCAL)
    assert run.exit_code == 2 and "not 'dev'" in run.stdout
    assert workspace.counters()["total"] == 0


def test_unloadable_profile_stops_a_plan_that_needs_it_and_never_hides_a_deploy(project, workspace, monkeypatch):
    with monkeypatch.context() as m:  # alerts deployed before the alert_id line (identity.py)
        m.setattr("alert_sync.desired.with_alert_id", lambda alert_id, query, written=None: query.strip())
        assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    profiles = project.path / "profiles.yml"
    profiles.write_text(profiles.read_text().replace("env_var('DBT_DUCKDB_PATH', 'alerts.duckdb')",
                                                     "env_var('ALERT_SYNC_TEST_UNSET_PATH')"))
    workspace.reset_counters()
    # The managed folder holds alerts without their id line: the plan needs the ids the last sync
    # recorded in the target.
    run = alert_sync(project, "apply", *LOCAL)
    assert run.exit_code == 2
    assert "profiles.yml" in run.stdout and "ALERT_SYNC_TEST_UNSET_PATH" in run.stdout
    assert workspace.counters()["writes"] == 0
    # Alerts that carry their id line need no recorded ids: identity does not depend on the target.
    marked = alert_sync(project, "apply", *LOCAL, "--parent-path", "/Workspace/Shared/marked", "--json")
    assert marked.exit_code == 0, marked.stderr
    again = alert_sync(project, "plan", *LOCAL, "--parent-path", "/Workspace/Shared/marked", "--json")
    assert again.exit_code == 0 and again.json["summary"]["unchanged"] == marked.json["summary"]["created"]
    assert "warning: writing sync metrics to dbt target 'local' failed" in marked.stderr  # the deploy stands
    assert "ALERT_SYNC_TEST_UNSET_PATH" in marked.stderr
    assert marked.json["summary"]["created"] > 30


def test_the_target_helper_serves_requests_and_a_dead_one_is_an_error_not_a_crash(project, monkeypatch):
    from datetime import datetime

    from alert_sync.metrics import RunRecord
    from alert_sync.project import load_artifacts
    from alert_sync.target_process import TargetError, TargetProcess

    monkeypatch.setenv("DBT_DUCKDB_PATH", str(project.duckdb_path))
    tables = load_artifacts(project.path).sync_tables
    helper = TargetProcess(project.path, project.path, "local")
    try:
        assert (helper.info().name, helper.info().adapter_type) == ("local", "duckdb")
        assert helper.recorded_ids(tables) == {}  # nothing synced yet
        now = datetime(2026, 11, 1, 6, 0, 0)
        row = {"sync_run_id": "run-1", "alert_id": "X-1", "action": "CREATE", "status": "SUCCESS",
               "databricks_alert_id": "db-1", "display_name": "X", "changed_fields": None, "error_message": None,
               "api_latency_ms": 12.5, "synced_at": now}
        helper.write_run(tables, RunRecord("run-1", now, now, False, "local", "http://h", [row]))
        assert helper.recorded_ids(tables) == {"X-1": "db-1"}
        helper._proc.kill()
        helper._proc.wait()
        try:
            helper.recorded_ids(tables)
        except TargetError as exc:
            assert "exited with code" in str(exc)
        else:
            raise AssertionError("a dead helper must raise TargetError")
    finally:
        helper.close()
    assert query(project, "select synced_at, api_latency_ms from alert_sync_results") == [(now, 12.5)]


# --- the CLI itself ----------------------------------------------------------------------------------

def test_the_cli_imports_neither_databricks_sdk_nor_dbt_until_a_command_needs_them():
    """`alert-sync --version` / `--help` load only the CLI: databricks-sdk and dbt take over a second
    to import; each command imports what it needs."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import alert_sync

    env = {**os.environ, "PYTHONPATH": str(Path(alert_sync.__file__).parent.parent)}  # this alert_sync
    code = ("import sys, alert_sync.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dbt', 'dbt_common', 'duckdb', 'requests') "
            "or m.startswith('databricks.sdk')))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stdout
    version = subprocess.run([sys.executable, "-m", "alert_sync.cli", "--version"], env=env, capture_output=True,
                             text=True, timeout=60, check=True)
    assert version.stdout.strip().endswith(f"version {alert_sync.__version__}"), version.stdout
