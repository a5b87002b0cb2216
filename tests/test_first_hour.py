"""The first hour of a new user, as they would hit it: the emulator says what to paste, and the
catalog templates copied as the README says build before and after the first row is added."""

from __future__ import annotations

import json
import os
import queue
import shlex
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import alert_sync
from projects import REPO_ROOT, DbtProject, duckdb_profiles, install_package

pytestmark = pytest.mark.xdist_group("first_hour")  # builds new host projects of its own

ALERT_SYNC = str(Path(sys.executable).with_name("alert-sync"))

# The webhook URLs of the destinations the example's plan would create (placeholders, as in the demo).
SECRETS = {"FINOPS_SLACK_WEBHOOK_URL": "https://hooks.slack.invalid/t",
           "PLATFORM_TEAMS_WEBHOOK_URL": "https://teams.invalid/t", "DATA_QUALITY_WEBHOOK_URL": "https://webhook.invalid/t"}


def startup_lines(proc: subprocess.Popen, count: int, deadline_s: float = 30) -> list[str]:
    """The first `count` lines the emulator prints to stderr (a thread reads them so the deadline,
    which only proves "does not hang", holds)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()
    return [lines.get(timeout=deadline_s) for _ in range(count)]


def test_the_emulator_prints_the_lines_to_paste_and_they_work(project: DbtProject):
    # As a user would: start the emulator in one shell (a free port), paste what it prints into another.
    # The example's destination referenced by databricks_destination_id exists already, as the demo has it.
    command = [ALERT_SYNC, "emulator", "--port", "0",
               "--destinations-from", str(project.path / "seeds" / "notification_destinations.csv")]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True,
                          env={k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}) as proc:
        try:
            lines = startup_lines(proc, 5)
            export = next(line.strip() for line in lines if line.strip().startswith("export "))
            exported = dict(word.split("=", 1) for word in shlex.split(export)[1:])
            assert set(exported) == {"DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_WAREHOUSE_ID"}
            assert not exported["DATABRICKS_HOST"].endswith(":0")  # the port it really listens on
            assert lines[0] == f"emulator listening on {exported['DATABRICKS_HOST']}\n"
            assert "  alert-sync plan --allow-non-databricks-manifest\n" in lines

            # The example, built on DuckDB: plan with the pasted environment, the flag the lines name.
            env = {**project.env, **exported, **SECRETS}
            plan = subprocess.run([ALERT_SYNC, "plan", "--allow-non-databricks-manifest", "--json"],
                                  cwd=project.path, env=env, capture_output=True, text=True, timeout=300)
            assert plan.returncode == 0, plan.stderr[-3000:]
            summary = json.loads(plan.stdout)["summary"]
            assert summary["errors"] == 0 and summary["created"] == summary["total"] - summary["skipped"] > 30, summary
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            finally:
                if proc.poll() is None:
                    proc.kill()


# --- the catalog templates, copied as the README says --------------------------------------------

NAME = "acme_first_hour"
# README step 2: the first alert model and its catalog row.
ALERT_MODEL = """{{ dbt_alerts.alert_model() }}
select coalesce(sum(amount), 0) as revenue
from (select 450.0 as amount) as orders

"""
README_ROW = ("REV-001,Daily Revenue Drop,Yesterday's revenue under 1000.,REVENUE,WARNING,revenue_yesterday,revenue,<,"
              "DOUBLE,1000,,OK,0 0 7 * * ?,Europe/Berlin,UNPAUSED,true,sales-ops@acme.example,false,,,,"
              "sales-ops@acme.example")


@pytest.fixture(scope="module")
def installed_host(tmp_path_factory) -> DbtProject:
    """A new project with the package installed (README step 1) and nothing built yet."""
    path = tmp_path_factory.mktemp("installed") / NAME
    (path / "seeds").mkdir(parents=True)
    (path / "dbt_project.yml").write_text(
        f"name: {NAME}\nversion: '1.0.0'\nconfig-version: 2\nprofile: acme\n"
        "vars:\n  alerts_accepted_domains: [COST, SECURITY, PERFORMANCE, RELIABILITY, QUALITY, REVENUE]\n")
    (path / "profiles.yml").write_text(duckdb_profiles("acme"))
    project = DbtProject(path, NAME)
    install_package(project)
    return project


@pytest.fixture
def new_host(installed_host, tmp_path) -> DbtProject:
    shutil.copytree(installed_host.path, tmp_path / NAME, symlinks=True)
    return DbtProject(tmp_path / NAME, NAME)


def copy_templates(project: DbtProject, *suffixes: str, seed: str = "alert_configurations") -> None:
    """`cp dbt_packages/dbt_alerts/seeds/alert_configurations.* seeds/` (or only some of the files)."""
    for suffix in suffixes:
        name = f"{seed}{suffix}"
        shutil.copy(project.path / "dbt_packages" / "dbt_alerts" / "seeds" / name, project.path / "seeds" / name)


def add_first_alert(project: DbtProject, row: str = README_ROW) -> None:
    (project.path / "models" / "alerts").mkdir(parents=True, exist_ok=True)
    (project.path / "models" / "alerts" / "revenue_yesterday.sql").write_text(ALERT_MODEL)
    with (project.path / "seeds" / "alert_configurations.csv").open("a") as f:
        f.write(row + "\n")


def test_the_templates_copied_as_the_readme_says_build_empty_then_with_the_first_alert(new_host):
    copy_templates(new_host, ".csv", ".yml")
    copy_templates(new_host, ".csv", ".yml", seed="notification_destinations")
    empty = new_host.dbt("build")
    assert empty.ok, empty.output[-3000:]
    add_first_alert(new_host, README_ROW.replace("sales-ops@acme.example,false", "sales_slack,false"))
    with (new_host.path / "seeds" / "notification_destinations.csv").open("a") as f:
        f.write("sales_slack,Sales Slack,SLACK,,sales-ops@acme.example,true,,SALES_SLACK_WEBHOOK_URL\n")
    first = new_host.dbt("build")
    assert first.ok, first.output[-3000:]
    assert "PASS=" in first.output and "1 alert model" in first.output
    # The copied properties file is the host's own: the package does not describe the host's seed.
    seed = json.loads((new_host.path / "target" / "manifest.json").read_text())["nodes"][f"seed.{NAME}.alert_configurations"]
    assert seed["patch_path"] == f"{NAME}://seeds/alert_configurations.yml"
    assert set(seed["config"]["column_types"].values()) == {"string"}


def test_a_catalog_table_typed_by_the_empty_template_is_explained_with_its_one_time_fix(new_host):
    # The CSV alone (as the README said before): dbt types every empty column as an integer.
    copy_templates(new_host, ".csv")
    assert new_host.dbt("build").ok
    add_first_alert(new_host)
    failed = new_host.dbt("build")
    assert not failed.ok
    assert ("dbt_alerts: seeds/alert_configurations.csv could not be loaded: the table" in failed.output
            and "has no text column" in failed.output), failed.output[-3000:]
    assert "Copy dbt_packages/dbt_alerts/seeds/alert_configurations.yml next to the CSV" in failed.output
    # The fix it names, once; then builds pass.
    copy_templates(new_host, ".yml")
    fixed = new_host.dbt("seed", "--full-refresh", "--select", "alert_configurations")
    assert fixed.ok, fixed.output[-3000:]
    rebuilt = new_host.dbt("build")
    assert rebuilt.ok, rebuilt.output[-3000:]


@pytest.mark.parametrize("row, dbt_says, package_says, sync_says", [
    # A comma in an unquoted name: dbt's CSV reader refuses the row before the package runs.
    (README_ROW.replace("Daily Revenue Drop", "Daily Revenue, Drop"), "Row 0 has 23 values, but Table only has 22",
     "data row 1 (line 2 if no value spans lines) has 23 values, the header 22. A value that holds a comma must be "
     "quoted", "line 2 has 23 values, the header 22"),
    # The description left out, comma and all: DuckDB's loader refuses the file, naming no row.
    (README_ROW.replace(",Yesterday's revenue under 1000.,", ","), "found by the sniffer: 21",
     "a row has 21 values, the header 22 (DuckDB does not say which row; `alert-sync plan` does)",
     "line 2 has 21 values, the header 22: a comma is missing"),
])
def test_a_catalog_row_of_the_wrong_shape_is_explained_by_the_package_and_alert_sync_names_the_line(
        new_host, emulator, row, dbt_says, package_says, sync_says):
    copy_templates(new_host, ".csv", ".yml")
    add_first_alert(new_host, row)
    failed = new_host.dbt("build")
    assert not failed.ok and dbt_says in failed.output, failed.output[-3000:]
    assert f"dbt_alerts: seeds/alert_configurations.csv could not be loaded: {package_says}" in failed.output
    plan = alert_sync(new_host, "plan", "--allow-non-databricks-manifest")
    assert plan.exit_code == 2 and sync_says in plan.stdout + plan.stderr, plan.stdout + plan.stderr
