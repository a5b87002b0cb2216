"""The example's Databricks bundle (example/databricks.yml + resources/alerts_job.yml), loaded with
databricks-bundles' typed job classes: the tasks, their order and dependency, the dbt commands on
the prod target with a warehouse, and that the alert-sync command line the job runs parses with
the real CLI. The databricks CLI itself is not needed (nor installable here)."""

from __future__ import annotations

import json
import os
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner
from databricks.bundles.core import Variable
from databricks.bundles.jobs import Job, SparkPythonTask

from alert_sync.cli import main
from conftest import WAREHOUSE
from projects import EXAMPLE_DIR

BUNDLE = EXAMPLE_DIR / "databricks.yml"
JOB_FILE = EXAMPLE_DIR / "resources" / "alerts_job.yml"


def bundle() -> dict:
    return yaml.safe_load(BUNDLE.read_text())


def job_yaml() -> dict:
    return yaml.safe_load(JOB_FILE.read_text())["resources"]["jobs"]["alerts_job"]


@pytest.fixture(scope="module")
def job() -> Job:
    return Job.from_dict(job_yaml())


def text(value) -> str:
    """A typed field's value as written: a bundle variable reference stays `${var.name}`."""
    return value.value if isinstance(value, Variable) else value


def dbt_args(command: str) -> list[str]:
    return shlex.split(command)


def option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


@pytest.mark.unit
def test_bundle_includes_the_job_and_declares_every_variable_it_uses():
    b = bundle()
    assert "resources/*.yml" in b["include"] and JOB_FILE.parent.name == "resources"
    used = set(re.findall(r"\$\{var\.([a-z_]+)\}", JOB_FILE.read_text() + BUNDLE.read_text()))
    assert used <= set(b["variables"]), used - set(b["variables"])
    assert {"warehouse_id", "service_principal", "artifacts_path"} <= used
    assert set(b["targets"]) == {"dev", "prod"}


@pytest.mark.unit
def test_two_tasks_dbt_then_alert_sync(job: Job):
    assert [t.task_key for t in job.tasks] == ["dbt_build", "alert_sync_apply"]
    dbt, sync = job.tasks
    assert dbt.dbt_task is not None and not dbt.depends_on
    assert [d.task_key for d in sync.depends_on] == ["dbt_build"]
    assert isinstance(sync.spark_python_task, SparkPythonTask)
    assert (JOB_FILE.parent / sync.spark_python_task.python_file).resolve().is_file()
    # One environment with dbt-databricks and the alert-sync wheel, for both tasks.
    assert dbt.environment_key == sync.environment_key == job.environments[0].environment_key
    deps = job.environments[0].spec.dependencies
    assert any(d.startswith("dbt-databricks") for d in deps) and any(d.endswith(".whl") for d in deps)


@pytest.mark.unit
def test_dbt_task_runs_deps_seed_build_on_prod_with_the_warehouse(job: Job):
    task = job.tasks[0].dbt_task
    commands = [dbt_args(c) for c in task.commands]
    assert [c[:2] for c in commands] == [["dbt", "deps"], ["dbt", "seed"], ["dbt", "build"]]
    for c in commands[1:]:
        assert option(c, "--target") == "prod"
        variables = yaml.safe_load(option(c, "--vars"))
        assert variables["alerts_warehouse_id"] == "${var.warehouse_id}"
        assert variables["alerts_run_as"] == "${var.service_principal}"
    # Its own profile, whose prod target connects to that warehouse.
    profiles = EXAMPLE_DIR / task.profiles_directory / "profiles.yml"  # relative to the project directory
    profile = yaml.safe_load(profiles.read_text())[yaml.safe_load((EXAMPLE_DIR / "dbt_project.yml").read_text())
                                                   ["profile"]]
    assert profile["target"] == "prod"
    assert "var('alerts_warehouse_id'" in profile["outputs"]["prod"]["http_path"]
    assert profile["outputs"]["prod"]["type"] == "databricks"
    assert (JOB_FILE.parent / task.project_directory / "dbt_project.yml").resolve() == EXAMPLE_DIR / "dbt_project.yml"


@pytest.mark.unit
def test_schedule_and_run_as(job: Job):
    assert job.schedule.quartz_cron_expression and job.schedule.timezone_id
    assert job.schedule.pause_status.value == "PAUSED"
    assert isinstance(job.run_as.service_principal_name, Variable)
    assert job.run_as.service_principal_name.path == "var.service_principal"


@pytest.mark.unit
def test_alert_sync_task_calls_the_cli_with_options_it_has(job: Job):
    dbt_build = dbt_args(job.tasks[0].dbt_task.commands[-1])
    params = [text(p) for p in job.tasks[1].spark_python_task.parameters]
    command = main.get_command(click.Context(main), params[0])
    assert command is not None and command.name == "apply"
    ctx = command.make_context("apply", params[1:])  # click parses them as `alert-sync apply` would
    assert ctx.params["target"] == option(dbt_build, "--target") == "prod"
    assert ctx.params["target_path"] == option(dbt_build, "--target-path") == "${var.artifacts_path}"
    assert ctx.params["warehouse_id"] == "${var.warehouse_id}"
    assert str(ctx.params["profiles_dir"]).endswith("dbt_profiles")
    help_text = CliRunner().invoke(main, ["apply", "--help"]).output
    for name in (p for p in params[1:] if p.startswith("--")):
        assert name in help_text


def test_alert_sync_task_script_runs_the_cli_as_the_job_would(project, workspace):
    """The task's script against the emulator: it sets the dbt profile's variables from its own
    identity and runs the real CLI with the given arguments."""
    script = JOB_FILE.parent / job_yaml()["tasks"][1]["spark_python_task"]["python_file"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env["DBT_DUCKDB_PATH"] = str(project.duckdb_path)
    check = ("import os, runpy, sys; sys.argv = sys.argv[1:]; "
             "runpy.run_path(sys.argv[0], run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", check, str(script.resolve()), "plan", "--project-dir",
                           str(project.path), "--profiles-dir", str(project.path), "--warehouse-id", WAREHOUSE,
                           "--allow-non-databricks-manifest", "--json"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    plan = json.loads(proc.stdout)
    assert plan["summary"]["created"] == plan["summary"]["total"] - plan["summary"]["skipped"] > 0
    assert "emulator-token" not in proc.stdout + proc.stderr


def test_alert_sync_task_script_sets_the_dbt_profile_variables(emulator, monkeypatch):
    from urllib.parse import urlparse

    for key in ("DBT_HOST", "DBT_ACCESS_TOKEN", "DATABRICKS_WAREHOUSE_ID"):
        monkeypatch.delenv(key, raising=False)
    script = JOB_FILE.parent / job_yaml()["tasks"][1]["spark_python_task"]["python_file"]
    module = runpy.run_path(str(script), run_name="alert_sync_task")
    module["dbt_environment"](["apply", "--warehouse-id", "wh-42"])
    assert os.environ["DBT_HOST"] == urlparse(emulator.url).netloc
    assert os.environ["DBT_ACCESS_TOKEN"] == "emulator-token"
    assert os.environ["DATABRICKS_WAREHOUSE_ID"] == "wh-42"


@pytest.mark.parametrize("how", ["dbt task: --vars", "alert-sync task: environment"])
def test_job_profile_renders_the_warehouse_for_both_tasks(how, monkeypatch):
    """The job's profile, rendered by dbt itself as each task loads it: the dbt task passes the
    warehouse as --vars alerts_warehouse_id, the alert-sync task as DATABRICKS_WAREHOUSE_ID."""
    from argparse import Namespace

    from dbt.config.runtime import load_profile
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    monkeypatch.setenv("DBT_HOST", "adb-1.azuredatabricks.net")
    monkeypatch.setenv("DBT_ACCESS_TOKEN", "not-a-real-token")
    cli_vars = {"alerts_warehouse_id": "wh-from-vars"} if how.startswith("dbt") else {}
    if how.startswith("alert-sync"):
        monkeypatch.setenv("DATABRICKS_WAREHOUSE_ID", "wh-from-env")
    else:
        monkeypatch.delenv("DATABRICKS_WAREHOUSE_ID", raising=False)
    profiles_dir = EXAMPLE_DIR / job_yaml()["tasks"][0]["dbt_task"]["profiles_directory"]
    set_invocation_context(os.environ)
    set_from_args(Namespace(profiles_dir=str(profiles_dir), project_dir=str(EXAMPLE_DIR)), None)
    profile = load_profile(str(EXAMPLE_DIR), cli_vars, None, "prod", None)
    expected = "wh-from-vars" if cli_vars else "wh-from-env"
    assert profile.target_name == "prod" and profile.credentials.type == "databricks"
    assert profile.credentials.http_path == f"/sql/1.0/warehouses/{expected}"
    assert profile.credentials.host == "adb-1.azuredatabricks.net"
