"""`alert-sync import` round trip: alerts made through the real databricks-sdk over HTTP in an
emulator folder are imported into a dbt project made from scratch, which `dbt seed` / `dbt build`
(DuckDB) and `alert-sync plan --parent-path <that folder>` then show unchanged: zero creates,
updates and deletes. Plus the bad inputs of issue 12: no such folder, an empty folder, names that
make the same model name, a destination the workspace lacks, and nothing of the project overwritten."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.sql import (
    Aggregation, AlertEvaluationState, AlertV2, AlertV2Evaluation, AlertV2Notification, AlertV2Operand,
    AlertV2OperandColumn, AlertV2OperandValue, AlertV2Subscription, ComparisonOperator, CronSchedule,
    SchedulePauseStatus,
)

from conftest import WAREHOUSE, SyncRun, alert_sync
from projects import DbtProject, duckdb_profiles, install_package

# This module builds a project of its own once (module-scoped fixture): `make test` runs its tests
# on one pytest-xdist worker (--dist loadgroup), so it is built once.
pytestmark = pytest.mark.xdist_group("import")

FOLDER = "/Workspace/Shared/legacy/alerts"
LOCAL = ("--allow-non-databricks-manifest",)
NAME = "adopting_team"

DBT_PROJECT = f"""
name: {NAME}
version: "1.0.0"
config-version: 2
profile: adopting
"""
PROFILES = duckdb_profiles("adopting")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> DbtProject:
    """A host project with the package installed and no alert yet (no catalog seed at all)."""
    path = tmp_path_factory.mktemp("host") / NAME
    path.mkdir()
    (path / "dbt_project.yml").write_text(DBT_PROJECT)
    (path / "profiles.yml").write_text(PROFILES)
    project = DbtProject(path, NAME)
    install_package(project)
    return project


@pytest.fixture
def host(installed, tmp_path) -> DbtProject:
    shutil.copytree(installed.path, tmp_path / NAME, symlinks=True, ignore=shutil.ignore_patterns("logs"))
    return DbtProject(tmp_path / NAME, NAME)


def import_(project: DbtProject, *args: str) -> SyncRun:
    """`alert-sync import` in-process (click); it takes --project-dir, not the dbt profile options."""
    from click.testing import CliRunner

    from alert_sync.cli import main

    result = CliRunner().invoke(main, ["import", "--project-dir", str(project.path), *args], catch_exceptions=False)
    return SyncRun(result.exit_code, result.stdout, result.stderr)


def client(emu) -> WorkspaceClient:
    return WorkspaceClient(host=emu.url, token="emulator-token")


def col(name: str, agg: Aggregation | None = None) -> AlertV2OperandColumn:
    return AlertV2OperandColumn(name=name, aggregation=agg)


def value(**kw) -> AlertV2Operand:
    return AlertV2Operand(value=AlertV2OperandValue(**kw))


def alert(name: str, sql: str, source: AlertV2OperandColumn, op: ComparisonOperator,
          threshold: AlertV2Operand | None = None, empty=AlertEvaluationState.OK, cron="0 0 * * * ?", tz="UTC",
          paused=None, notification: AlertV2Notification | None = None, summary=None, description=None,
          folder=FOLDER) -> AlertV2:
    return AlertV2(display_name=name, query_text=sql, warehouse_id=WAREHOUSE, parent_path=folder,
                   evaluation=AlertV2Evaluation(source=source, comparison_operator=op, threshold=threshold,
                                                empty_result_state=empty, notification=notification),
                   schedule=CronSchedule(quartz_cron_schedule=cron, timezone_id=tz, pause_status=paused),
                   custom_summary=summary, custom_description=description)


def varied_alerts(slack_id: str, email_dest_id: str) -> list[AlertV2]:
    """A dozen alerts as teams make them in the UI: every operator, every threshold type, six
    aggregations, schedules and time zones, a paused one, templates, emails and destinations, a name
    without "[SEVERITY] ", two names that make the same model name, and SQL holding `{{ }}`."""
    G = ComparisonOperator
    return [
        alert("[WARNING] Daily Cost Spike", "-- cost of the day\nselect 6000.5 as cost union all select 10\n",
              col("cost", Aggregation.SUM), G.GREATER_THAN, value(double_value=5000.0), cron="0 0 7 * * ?",
              tz="Europe/Berlin",
              notification=AlertV2Notification(notify_on_ok=True, retrigger_seconds=3600, subscriptions=[
                  AlertV2Subscription(user_email="finops@example.com"),
                  AlertV2Subscription(destination_id=slack_id)])),
        alert("[CRITICAL] Failed Logins", "select 'u' || cast(x as varchar) as user_name from range(5) t(x)",
              col("user_name", Aggregation.COUNT_DISTINCT), G.GREATER_THAN_OR_EQUAL, value(double_value=3),
              notification=AlertV2Notification(subscriptions=[AlertV2Subscription(destination_id=email_dest_id)])),
        alert("[INFO] Low Disk", "select 0.2 as free_ratio", col("free_ratio", Aggregation.MIN), G.LESS_THAN,
              value(double_value=0.25)),
        alert("[WARNING] Queue Depth", "select 12 as depth", col("depth", Aggregation.AVG), G.LESS_THAN_OR_EQUAL,
              value(double_value=-1.5e-05), paused=SchedulePauseStatus.PAUSED),
        alert("[CRITICAL] Queue depth!", "select 3 as depth", col("depth", Aggregation.MEDIAN), G.GREATER_THAN,
              value(double_value=100), cron="0 30 6 ? * MON-FRI", tz="America/New_York"),
        alert("[CRITICAL] Job Status", "select 'FAILED' as status", col("status"), G.EQUAL,
              value(string_value="FAILED"), summary="{{ALERT_NAME}} is {{ALERT_STATUS}}",
              description="Status {{QUERY_RESULT_VALUE}}.\n{{#QUERY_RESULT_ROWS}}{{status}} {{/QUERY_RESULT_ROWS}}"),
        alert("[INFO] Region not EU", "select 'us' as region", col("region"), G.NOT_EQUAL,
              value(string_value="eu"), empty=AlertEvaluationState.TRIGGERED),
        alert("[WARNING] Flag Set", "select true as flagged", col("flagged"), G.EQUAL, value(bool_value=True)),
        alert("[CRITICAL] Missing Owner", "select cast(null as varchar) as owner", col("owner"), G.IS_NULL),
        alert("[INFO] Has Heartbeat", "select now() as last_seen", col("last_seen"), G.IS_NOT_NULL,
              empty=AlertEvaluationState.ERROR),
        alert("[WARNING] Spend Over Budget", "select 120 as spend, 100 as budget\n\n",
              col("spend", Aggregation.MAX), G.GREATER_THAN, AlertV2Operand(column=col("budget", Aggregation.MAX))),
        alert("Legacy cost check (team A)", "select 4 as v union all select 8 as v",
              col("v", Aggregation.STDDEV), G.NOT_EQUAL, value(double_value=0)),
        alert("[INFO] Template Text", "select '{{ not jinja }} {% neither %} {# nor #} {% endraw %}' as label",
              col("label"), G.NOT_EQUAL, value(string_value="x"),
              notification=AlertV2Notification(notify_on_ok=False, subscriptions=[
                  AlertV2Subscription(user_email="oncall@example.com")])),
    ]


def make_folder(emu, alerts: list[AlertV2], folder: str = FOLDER) -> list[AlertV2]:
    w = client(emu)
    w.workspace.mkdirs(folder)
    return [w.alerts_v2.create_alert(a) for a in alerts]


def digest(path: Path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in (".sql", ".csv", ".yml")
            and "dbt_packages" not in p.parts and "target" not in p.parts}


def build(project: DbtProject) -> None:
    for args in (("seed", "--full-refresh"), ("build",)):
        result = project.dbt(*args)
        assert result.ok, result.output[-5000:]


def test_imported_alerts_round_trip_to_a_plan_that_only_adds_their_id_line(host, emulator):
    slack = emulator.add_destination("Ops Slack #alerts", "SLACK")["id"]
    oncall = emulator.add_destination("On-call email", "EMAIL")["id"]
    created = make_folder(emulator, varied_alerts(slack, oncall))
    before = {a["id"]: a for a in emulator.alerts()}

    run = import_(host, "--from-path", FOLDER, "--domain", "cost", "--id-prefix", "LEG", "--json")
    assert run.exit_code == 0, run.stdout + run.stderr
    out = run.json
    assert out["summary"] == {"written": len(created), "clash": 0, "skipped": 0}
    by_name = {a["display_name"]: a for a in out["alerts"]}
    assert sorted(a["alert_id"] for a in out["alerts"]) == [f"LEG-{i:03d}" for i in range(1, len(created) + 1)]
    # Names that make the same model name: both imported, the later one suffixed, both reported.
    assert by_name["[WARNING] Queue Depth"]["model"] == "queue_depth"
    assert by_name["[CRITICAL] Queue depth!"]["model"] == "queue_depth_2"
    assert any("'[WARNING] Queue Depth' -> queue_depth" in n and "'[CRITICAL] Queue depth!' -> queue_depth_2" in n
               for n in out["notes"])
    # Jinja-looking text is kept verbatim: dbt compiles the model back to the query itself.
    jinja_model = (host.path / by_name["[INFO] Template Text"]["model_path"]).read_text()
    assert "{% raw %}" in jinja_model
    # Both destinations added to the (new) destinations seed, by id, without a secret.
    assert {(d["destination_name"], d["databricks_destination_id"], d["secret_env"])
            for d in out["destination_rows"]} == {("Ops Slack #alerts", slack, ""), ("On-call email", oncall, "")}
    next_plan = [line for line in run.stderr.splitlines() if line.strip().startswith("alert-sync plan")]
    assert "Next" in run.stderr and f"--parent-path {FOLDER}" in next_plan[0]
    print(run.stderr)

    build(host)
    plan = alert_sync(host, "plan", *LOCAL, "--parent-path", FOLDER, "--json")
    assert plan.exit_code == 0, plan.stdout + plan.stderr
    summary = plan.json["summary"]
    # Adopted as they are: the only change is the identity line each deployed alert carries (identity.py).
    assert (summary["created"], summary["updated"], summary["deleted"], summary["errors"]) == \
        (0, len(created), 0, 0), [a for a in plan.json["actions"] if a["action"] != "NOOP"]
    assert all(a["changed_fields"] == ["alert_id_marker"] for a in plan.json["actions"])
    assert {a["databricks_alert_id"] for a in plan.json["actions"]} == set(before)
    assert all(d["action"] == "NOOP" for d in plan.json["destinations"]["actions"])
    assert {a["id"]: a for a in emulator.alerts()} == before  # import and plan wrote nothing to the workspace
    # The dbt side names the alerts alike: the optional display_name column wins over "[INFO] <name>".
    import duckdb

    with duckdb.connect(str(host.duckdb_path), read_only=True) as con:
        names = {r[0] for r in con.execute("select display_name from main.stg_alert_configurations").fetchall()}
    assert names == {a.display_name for a in created}

    # A second import writes nothing and reports every alert as a clash.
    files = digest(host.path)
    again = import_(host, "--from-path", FOLDER, "--domain", "COST", "--id-prefix", "LEG", "--json")
    assert again.exit_code == 0, again.stderr
    assert again.json["summary"] == {"written": 0, "clash": len(created), "skipped": 0}
    assert all("skipped" in a["reason"] for a in again.json["alerts"])
    assert again.json["destination_rows"] == []
    assert digest(host.path) == files


def test_compiled_models_are_the_queries_exactly(host, emulator):
    """What dbt compiles from each imported model is the workspace's query_text (whitespace at
    the ends aside, which the plan ignores too)."""
    import json

    slack = emulator.add_destination("Ops Slack #alerts", "SLACK")["id"]
    oncall = emulator.add_destination("On-call email", "EMAIL")["id"]
    created = {a.display_name: a for a in make_folder(emulator, varied_alerts(slack, oncall))}
    run = import_(host, "--from-path", FOLDER, "--domain", "COST", "--json")
    assert run.exit_code == 0, run.stderr
    build(host)
    nodes = json.loads((host.path / "target" / "manifest.json").read_text())["nodes"]
    for a in run.json["alerts"]:
        compiled = nodes[f"model.{NAME}.{a['model']}"]["compiled_code"]
        assert compiled.strip() == created[a["display_name"]].query_text.strip(), a["display_name"]


def test_an_alert_another_dbt_project_deployed_keeps_its_alert_id_and_is_adopted_unchanged(host, emulator):
    """Its first query line names its catalog row (identity.py): the row keeps that id, the model
    holds the query without the line, and the plan after the build changes nothing."""
    sql = "select count(*) as failures from (select 1) as t"
    marked, other = make_folder(emulator, [
        alert("[WARNING] Failed Jobs", f"-- dbt_alerts alert_id: REL-042\n{sql}", col("failures"),
              ComparisonOperator.GREATER_THAN, value(double_value=3.0)),
        alert("[INFO] Unmarked", "select 1 as n", col("n"), ComparisonOperator.EQUAL, value(double_value=1.0))])
    run = import_(host, "--from-path", FOLDER, "--domain", "RELIABILITY", "--json")
    assert run.exit_code == 0, run.stderr
    ids = {a["display_name"]: a for a in run.json["alerts"]}
    assert ids[marked.display_name]["alert_id"] == "REL-042"
    assert ids[other.display_name]["alert_id"] == "RELIABILITY-001"  # the usual numbering for the others
    model = (host.path / ids[marked.display_name]["model_path"]).read_text()
    assert "alert_id" not in model and sql in model
    build(host)
    plan = alert_sync(host, "plan", *LOCAL, "--parent-path", FOLDER, "--json")
    actions = {a["alert_id"]: a for a in plan.json["actions"]}
    assert actions["REL-042"]["action"] == "NOOP" and actions["REL-042"]["databricks_alert_id"] == marked.id
    assert actions["RELIABILITY-001"]["changed_fields"] == ["alert_id_marker"]


def test_a_query_the_dbt_target_cannot_run_fails_dbt_build_naming_it_and_costs_nothing_else(host, emulator):
    make_folder(emulator, [
        alert("[WARNING] Spark Only", "select explode(array(1, 2)) as n lateral view x", col("n"),
              ComparisonOperator.GREATER_THAN, value(double_value=0)),
        alert("[INFO] Portable", "select 1 as n", col("n"), ComparisonOperator.GREATER_THAN, value(double_value=0)),
    ])
    run = import_(host, "--from-path", FOLDER, "--domain", "COST", "--json")
    assert run.exit_code == 0 and run.json["summary"]["written"] == 2
    assert host.dbt("seed").ok
    result = host.dbt("build")
    assert not result.ok and "spark_only" in result.output
    plan = alert_sync(host, "plan", *LOCAL, "--parent-path", FOLDER, "--json")
    actions = {a["display_name"]: a for a in plan.json["actions"]}
    assert actions["[WARNING] Spark Only"]["action"] == "ERROR"
    assert "model 'spark_only' error" in actions["[WARNING] Spark Only"]["error"]
    assert actions["[INFO] Portable"]["changed_fields"] == ["alert_id_marker"]  # adopted; gains its id line


def test_dry_run_prints_what_it_would_write_and_writes_nothing(host, emulator):
    make_folder(emulator, varied_alerts(*[emulator.add_destination(n, "SLACK")["id"] for n in ("a", "b")])[:3])
    files = digest(host.path)
    run = import_(host, "--from-path", FOLDER, "--domain", "COST", "--dry-run")
    assert run.exit_code == 0, run.stdout
    assert "dry run: nothing written" in run.stdout and "would write 3 model(s)" in run.stdout
    assert "COST-001,Daily Cost Spike" in run.stdout  # the catalog rows it would append
    assert digest(host.path) == files and not (host.path / "seeds").exists()


def test_a_folder_that_does_not_exist_or_holds_no_alerts_is_exit_2_naming_it(host, emulator):
    missing = import_(host, "--from-path", "/Workspace/Shared/nope", "--domain", "COST")
    assert missing.exit_code == 2
    assert "/Workspace/Shared/nope: the workspace has no such folder" in missing.stdout
    client(emulator).workspace.mkdirs("/Workspace/Shared/empty")
    make_folder(emulator, [alert("[INFO] Elsewhere", "select 1 as x", col("x"), ComparisonOperator.EQUAL,
                                 value(double_value=1), folder="/Workspace/Shared/empty/sub")],
                folder="/Workspace/Shared/empty/sub")
    empty = import_(host, "--from-path", "/Workspace/Shared/empty", "--domain", "COST", "--json")
    assert empty.exit_code == 2
    assert "holds no alerts" in empty.json["error"]
    assert not (host.path / "seeds").exists() and not (host.path / "models").exists()


def test_a_destination_the_workspace_lacks_is_reported_with_the_alert_and_left_out(host, emulator):
    kept = emulator.add_destination("Kept Slack", "SLACK")["id"]
    # Made as the service would hold it after the destination was deleted: add_alert skips the API's checks.
    emulator.add_alert({"display_name": "[WARNING] Orphaned", "query_text": "select 2 as n", "warehouse_id": WAREHOUSE,
                        "parent_path": FOLDER, "schedule": {"quartz_cron_schedule": "0 0 * * * ?",
                                                            "timezone_id": "UTC", "pause_status": "UNPAUSED"},
                        "evaluation": {"source": {"name": "n"}, "comparison_operator": "GREATER_THAN",
                                       "threshold": {"value": {"double_value": 1}}, "empty_result_state": "OK",
                                       "notification": {"subscriptions": [{"destination_id": "gone-123"},
                                                                          {"destination_id": kept}]}}})
    run = import_(host, "--from-path", FOLDER, "--domain", "COST", "--json")
    assert run.exit_code == 0, run.stderr
    (item,) = run.json["alerts"]
    assert item["status"] == "WRITTEN"
    assert any("'gone-123' is not a notification destination of this workspace: left out" in w
               for w in item["warnings"])
    assert "[WARNING] Orphaned" in run.stderr and "gone-123" in run.stderr
    rows = (host.path / "seeds" / "alert_configurations.csv").read_text()
    assert ",kept_slack," in rows and "gone-123" not in rows


def test_an_alert_no_catalog_row_can_hold_is_refused_naming_the_alert_and_the_field(host, emulator):
    """Query parameters, a MARKDOWN template and a Databricks-app destination: the catalog and the
    destinations seed have no place for them, so import refuses the alert rather than write a row
    whose plan would change it."""
    app = emulator.add_destination("Ops Slack app", "DATABRICKS_APP_SLACK")["id"]
    w = client(emulator)
    w.workspace.mkdirs(FOLDER)
    plain = alert("[WARNING] Plain", "select 2 as n", col("n"), ComparisonOperator.GREATER_THAN,
                  value(double_value=1)).as_dict()
    for name, extra in [
        ("[WARNING] Bound", {"query_text": "select :min_cost as n",
                             "parameters": [{"name": "min_cost", "type": "DOUBLE", "value": "5000"}]}),
        ("[WARNING] Markdown", {"custom_template_format": "MARKDOWN", "custom_summary": "@ALERT_NAME fired"}),
        ("[WARNING] Via app", {"evaluation": {**plain["evaluation"], "notification": {
            "subscriptions": [{"destination_id": app}]}}}),
    ]:
        w.api_client.do("POST", "/api/2.0/alerts", body={**plain, "display_name": name, **extra})
    w.alerts_v2.create_alert(AlertV2.from_dict(plain))
    run = import_(host, "--from-path", FOLDER, "--domain", "COST", "--json")
    assert run.exit_code == 1, run.stderr  # an alert skipped
    status = {a["display_name"]: (a["status"], a["reason"]) for a in run.json["alerts"]}
    assert status["[WARNING] Plain"] == ("WRITTEN", None)
    assert status["[WARNING] Bound"][0] == "SKIPPED"
    assert "the catalog cannot express its parameters (min_cost DOUBLE = '5000')" in status["[WARNING] Bound"][1]
    assert status["[WARNING] Markdown"][0] == "SKIPPED"
    assert "custom_template_format MARKDOWN (@VARIABLE placeholders)" in status["[WARNING] Markdown"][1]
    assert status["[WARNING] Via app"][0] == "SKIPPED"
    assert (f"workspace destination 'Ops Slack app' ({app}) is a DATABRICKS_APP_SLACK destination"
            in status["[WARNING] Via app"][1])
    assert "[WARNING] Bound  (skipped): the catalog cannot express its parameters" in run.stderr
    catalog = (host.path / "seeds" / "alert_configurations.csv").read_text()
    assert ",Plain," in catalog and "Bound" not in catalog and "Markdown" not in catalog and "Via app" not in catalog
    assert run.json["destination_rows"] == []  # no destinations row for the app destination


def test_nothing_the_project_has_is_overwritten(host, emulator):
    make_folder(emulator, [
        alert("[WARNING] Daily Cost Spike", "select 1 as cost", col("cost"), ComparisonOperator.GREATER_THAN,
              value(double_value=0)),
        alert("[INFO] Fresh One", "select 1 as x", col("x"), ComparisonOperator.EQUAL, value(double_value=1)),
        alert("[INFO] Named Like A Row", "select 1 as x", col("x"), ComparisonOperator.EQUAL, value(double_value=1)),
    ])
    (host.path / "models" / "mine").mkdir(parents=True)
    mine = host.path / "models" / "mine" / "daily_cost_spike.sql"
    mine.write_text("select 'my own model' as x\n")
    (host.path / "seeds").mkdir()
    catalog = host.path / "seeds" / "alert_configurations.csv"
    from alert_sync.catalog import CATALOG_COLUMNS

    existing_row = ("COST-007,Named Like A Row,mine,COST,INFO,other_model,x,=,DOUBLE,1,,OK,0 0 * * * ?,UTC,UNPAUSED,"
                    "true,,false,,,,me@example.com")
    catalog.write_text(",".join(CATALOG_COLUMNS) + "\n" + existing_row)  # no final newline
    run = import_(host, "--from-path", FOLDER, "--domain", "COST", "--json")
    assert run.exit_code == 0, run.stderr
    status = {a["display_name"]: (a["status"], a["reason"], a["alert_id"]) for a in run.json["alerts"]}
    assert status["[WARNING] Daily Cost Spike"][:1] == ("CLASH",)
    assert "models/mine/daily_cost_spike.sql exists" in status["[WARNING] Daily Cost Spike"][1]
    assert status["[INFO] Named Like A Row"][0] == "CLASH" and "COST-007" in status["[INFO] Named Like A Row"][1]
    assert status["[INFO] Fresh One"] == ("WRITTEN", None, "COST-008")  # ids continue after the highest
    assert mine.read_text() == "select 'my own model' as x\n"
    lines = catalog.read_text().splitlines()
    assert lines[1] == existing_row and len(lines) == 3 and lines[2].startswith("COST-008,Fresh One,")


@pytest.mark.unit
def test_display_name_column_is_optional_and_overrides_the_generated_name():
    from alert_sync.catalog import CatalogRow
    from alert_sync.importer import model_text, split_display_name

    assert CatalogRow({"severity": "warning", "alert_name": "Cost"}, 2).display_name == "[WARNING] Cost"
    assert CatalogRow({"severity": "INFO", "alert_name": "x", "display_name": " Legacy "}, 2).display_name == "Legacy"
    assert split_display_name("[CRITICAL] Disk") == ("CRITICAL", "Disk", "")
    assert split_display_name("Disk (team A)") == ("INFO", "Disk (team A)", "Disk (team A)")
    assert split_display_name("[CRITICAL]  Disk ") == ("INFO", "[CRITICAL]  Disk", "[CRITICAL]  Disk ")
    assert model_text("select 1") == "{{ dbt_alerts.alert_model() }}\nselect 1\n"


@pytest.mark.unit
def test_the_projects_display_name_prefix_is_left_out_of_the_row(tmp_path):
    """Deploying puts alerts_display_name_prefix back in front of the name, so import leaves it out
    (else every imported alert would plan a rename). The snapshot paths are read too: a snapshot of the
    model's name is a clash, like a model or seed."""
    from databricks.sdk.service.sql import (
        AlertEvaluationState, AlertV2, AlertV2Evaluation, AlertV2Operand, AlertV2OperandColumn, AlertV2OperandValue,
        ComparisonOperator, CronSchedule,
    )

    from alert_sync.catalog import CatalogRow
    from alert_sync.importer import catalog_row, project_layout

    (tmp_path / "dbt_project.yml").write_text(
        "name: p\nsnapshot-paths: [snaps]\nvars:\n  dbt_alerts:\n    alerts_display_name_prefix: '[prod] '\n")
    layout = project_layout(tmp_path)
    assert layout.display_name_prefix == "[prod] " and layout.snapshot_paths == [tmp_path / "snaps"]
    alert = AlertV2(display_name="[prod] [WARNING] Disk", query_text="select 1 as x", warehouse_id="w",
                    evaluation=AlertV2Evaluation(source=AlertV2OperandColumn(name="x"),
                                                 comparison_operator=ComparisonOperator.GREATER_THAN,
                                                 threshold=AlertV2Operand(value=AlertV2OperandValue(double_value=1)),
                                                 empty_result_state=AlertEvaluationState.OK),
                    schedule=CronSchedule(quartz_cron_schedule="0 0 * * * ?", timezone_id="UTC"))
    row, warnings = catalog_row(alert, "OPS-001", "disk", "OPS", "/f", lambda _: None, layout.display_name_prefix)
    assert (row["severity"], row["alert_name"], row["display_name"], warnings) == ("WARNING", "Disk", "", [])
    assert layout.display_name_prefix + CatalogRow(row, 2).display_name == alert.display_name
