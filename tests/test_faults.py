"""alert-sync at scale and under faults (issue: never duplicating). Against the emulator with
faults on: request budgets, retries, unknown-outcome creates, SIGKILL mid-run, overlapping runs."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import alert_sync
from projects import DbtProject

LOCAL = ("--allow-non-databricks-manifest",)
FOLDER = "/Workspace/Shared/dbt_alerts/dbt_alerts_example/local"
ALERT_SYNC = str(Path(sys.executable).with_name("alert-sync"))


def enabled_names(project: DbtProject) -> Counter:
    return Counter(f"[{r['severity']}] {r['alert_name']}" for r in project.catalog_rows() if r["is_enabled"] == "true")


def managed_names(emu) -> Counter:
    return Counter(a["display_name"] for a in emu.alerts() if a["parent_path"] == FOLDER)


def alert_writes(counters: dict) -> int:
    return sum(v for k, v in counters["by_endpoint"].items() if "/alerts" in k and not k.startswith("GET"))


def assert_converged(project: DbtProject, emu) -> None:
    """Each catalog alert exists exactly once in the managed folder, nothing else does."""
    assert managed_names(emu) == enabled_names(project)


def test_noop_apply_costs_only_the_list_pages(project, workspace):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    workspace.reset_counters()
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0 and run.json["summary"]["unchanged"] == sum(enabled_names(project).values())
    counters = workspace.counters()
    n = len(workspace.alerts())
    assert counters["writes"] == 0
    assert counters["by_endpoint"]["GET /api/2.0/alerts"] == math.ceil(n / 100)
    assert counters["total"] <= math.ceil(n / 100) + 5, counters


def test_changing_k_alerts_costs_exactly_k_writes(project, workspace):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    rows = project.catalog_rows()
    changed = [r for r in rows if r["is_enabled"] == "true" and r["threshold_value_type"] == "DOUBLE"][:4]
    for r in changed:
        r["threshold_value"] = str(float(r["threshold_value"]) * 2 + 1)
    project.write_catalog(rows)
    assert project.rebuild().ok
    workspace.reset_counters()
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0 and run.json["summary"]["updated"] == 4
    assert alert_writes(workspace.counters()) == 4


@pytest.mark.parametrize("faults", [
    [{"method": "*", "kind": "429", "probability": 0.25, "retry_after": 0}],
    [{"method": "*", "kind": "503", "probability": 0.25, "retry_after": 0}],
    [{"method": "POST", "kind": "commit_then_504", "probability": 0.4}],
    [{"method": "POST", "kind": "commit_then_reset", "probability": 0.3}],
    # A create that gets a 502 on every one of its 5 attempts is rightly an ERROR: at 0.15 per attempt
    # that is 0.15**5 per alert, ~0.3% of runs of 35 alerts (at 0.3 it was ~8%: a flaky test).
    [{"method": "POST", "kind": "502", "probability": 0.15}, {"method": "POST", "kind": "reset", "probability": 0.15}],
], ids=["429", "503", "commit_then_504", "commit_then_reset", "502_and_reset"])
def test_faulty_workspace_still_converges_without_duplicates(project, workspace, faults):
    workspace.set_faults(faults, seed=7)
    first = alert_sync(project, "apply", *LOCAL, "--json")
    workspace.set_faults([])
    assert first.exit_code == 0, first.stderr
    assert first.json["summary"]["errors"] == 0, [(a["alert_id"], a["error"]) for a in first.json["actions"]
                                                  if a["error"]]
    assert workspace.counters()["faults_injected"] > 0
    assert_converged(project, workspace)
    again = alert_sync(project, "apply", *LOCAL, "--json")
    assert {a["action"] for a in again.json["actions"]} == {"NOOP"}


def test_idempotent_updates_are_retried_on_502_and_504(project, workspace):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    rows = project.catalog_rows()
    changed = [r for r in rows if r["is_enabled"] == "true"][:6]
    for r in changed:
        r["alert_name"] += " v2"
    project.write_catalog(rows)
    assert project.rebuild().ok
    workspace.set_faults([{"method": "PATCH", "kind": "502", "count": 3},
                          {"method": "PATCH", "kind": "commit_then_504", "count": 3}])
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0 and run.json["summary"]["updated"] == 6, run.stderr
    assert workspace.counters()["faults_injected"] == 6
    assert_converged(project, workspace)


def test_service_created_duplicates_are_reported_and_pruned(project, workspace):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    original = next(a for a in workspace.alerts() if a["parent_path"] == FOLDER)
    copy = {k: v for k, v in original.items() if k not in ("id", "create_time", "update_time")}
    workspace.add_alert({**copy, "display_name": original["display_name"] + " (1)"})
    plan = alert_sync(project, "plan", *LOCAL)
    assert "duplicate of a catalog alert" in plan.stdout and "--prune" in plan.stdout
    run = alert_sync(project, "apply", *LOCAL, "--prune", "--json")
    deletes = [a for a in run.json["actions"] if a["action"] == "DELETE"]
    assert [a["display_name"] for a in deletes] == [original["display_name"] + " (1)"]
    assert_converged(project, workspace)


def _cli_env(project: DbtProject, emu) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "DBT_"))}
    env.update(DATABRICKS_HOST=emu.url, DATABRICKS_TOKEN="emulator-token", DATABRICKS_WAREHOUSE_ID="emulator-warehouse",
               DBT_DUCKDB_PATH=str(project.duckdb_path))
    return env


def _spawn_apply(project: DbtProject, emu, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([ALERT_SYNC, "apply", "--project-dir", str(project.path), "--profiles-dir",
                             str(project.path), *LOCAL, *extra], env=_cli_env(project, emu),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("kill_at", [("POST /api/2.0/workspace/import", 1), ("POST /api/2.0/alerts", 1),
                                     ("POST /api/2.0/alerts", 12), ("POST /api/2.0/alerts", 30)],
                         ids=["holding_the_lock", "first_create", "mid_run", "near_the_end"])
def test_sigkill_at_any_moment_then_apply_converges(project, workspace, kill_at):
    endpoint, count = kill_at
    workspace.set_faults(latency_ms=30)
    proc = _spawn_apply(project, workspace, "--workers", "2")
    deadline = time.monotonic() + 120
    while workspace.counters()["by_endpoint"].get(endpoint, 0) < count:
        assert proc.poll() is None and time.monotonic() < deadline, "apply ended before the kill point"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert sum(managed_names(workspace).values()) < sum(enabled_names(project).values())  # killed mid-run
    workspace.set_faults(latency_ms=0)
    rerun = alert_sync(project, "apply", *LOCAL, "--json")  # breaks the dead run's lock, converges
    assert rerun.exit_code == 0, rerun.stdout + rerun.stderr
    assert_converged(project, workspace)
    assert {a["action"] for a in alert_sync(project, "apply", *LOCAL, "--json").json["actions"]} == {"NOOP"}


def test_two_overlapping_applies_create_each_alert_once(project, workspace):
    # One worker at 150 ms a request: each run's creates take ~5 s, far longer than the start-up
    # jitter between the two, so the second run plans while the first is still writing.
    workspace.set_faults(latency_ms=150)
    workspace.reset_counters()
    first, second = (_spawn_apply(project, workspace, "--workers", "1"),
                     _spawn_apply(project, workspace, "--workers", "1"))
    outputs = [p.communicate(timeout=300) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert_converged(project, workspace)
    assert workspace.counters()["by_endpoint"]["POST /api/2.0/alerts"] == sum(enabled_names(project).values())
    assert any("waiting for another alert-sync apply" in out + err for out, err in outputs)  # they did overlap


def test_second_apply_refuses_after_lock_wait(project, workspace):
    from alert_sync.lock import WorkspaceLock
    from databricks.sdk import WorkspaceClient

    w = WorkspaceClient(host=workspace.url, token="emulator-token")
    with WorkspaceLock(w, FOLDER, "someone-else"):
        run = alert_sync(project, "apply", *LOCAL, "--lock-wait", "1")
    assert run.exit_code == 2
    assert "holds the lock" in run.stdout and "someone-else" in run.stdout
    assert managed_names(workspace) == Counter()


def test_list_is_retried_on_502_and_504_and_a_broken_workspace_is_exit_2(project, workspace):
    workspace.set_faults([{"method": "GET", "kind": "502", "count": 1}, {"method": "GET", "kind": "504", "count": 1}])
    run = alert_sync(project, "plan", *LOCAL, "--json")
    assert run.exit_code == 0 and workspace.counters()["faults_injected"] == 2
    workspace.set_faults([{"method": "GET", "kind": "502"}])  # every time
    broken = alert_sync(project, "apply", *LOCAL)
    assert broken.exit_code == 2 and "Cannot read the workspace's alerts" in broken.stdout
