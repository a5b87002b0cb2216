"""alert-sync lint end to end on the example project (real dbt build, DuckDB, the emulator for plan):
the rule cases the example carries, allowed by its models' meta; exit 1 on an error-level finding;
plan --lint's PR comment. The rules themselves: tests/test_lint_rules.py."""

from __future__ import annotations

from conftest import alert_sync
from test_lint_rules import table_rows

LOCAL = ("--allow-non-databricks-manifest",)
ALLOWED = {("SEC-006", "threshold-type"), ("PERF-004", "first-row-unordered"), ("QUAL-006", "watches-nothing")}


def test_lint_of_the_example_finds_each_rule_and_allows_its_error_cases(project):
    run = alert_sync(project, "lint", "--json")
    assert run.exit_code == 0, run.stderr
    out = run.json
    assert (out["from"], out["to"], out["moments"]) == ("2026-10-03 06:00:00", "2026-11-01 06:00:00", 30)
    assert {(f["alert_id"], f["rule"]) for f in out["allowed"]} == ALLOWED
    assert all(f["severity"] == "error" and "alert_lint_disable" in f["allowed_by"] for f in out["allowed"])
    assert out["summary"]["errors"] == 0 and out["summary"]["warnings"] == len(out["findings"]) > 0
    found = {(f["alert_id"], f["rule"]) for f in out["findings"]}
    assert {("QUAL-004", "always-firing"), ("PERF-001", "flapping"), ("COST-006", "silent"),
            ("COST-002", "never-firing")} <= found
    backtest = {b["alert_id"]: b for b in out["backtest"]}
    assert len(backtest) == out["summary"]["alerts"] == 35 and backtest["QUAL-004"]["triggered"] == 30
    assert "Lint: 0 error(s)" in run.stderr and "QUAL-006 watches-nothing (meta alert_lint_disable" in run.stderr


def test_lint_exits_1_on_an_error_level_finding(project):
    """Before the sample data begins, the per-row queries return nothing: their alerts watched nothing."""
    run = alert_sync(project, "lint", "--to", "2025-01-02", "--days", "2", "--select", "COST-005,SEC-002,COST-001")
    assert run.exit_code == 1, run.stdout + run.stderr
    assert "COST-005" in run.stdout and "error   watches-nothing" in run.stdout
    assert alert_sync(project, "lint", "--days", "2", "--select", "COST-001").exit_code == 0


def test_plan_markdown_lints_only_the_created_or_changed_alerts(project, workspace):
    from databricks.sdk import WorkspaceClient

    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    client = WorkspaceClient(host=workspace.url, token="emulator-token")
    names = {"[WARNING] Duplicate Customer Keys", "[WARNING] Query Latency Degradation (p95)",
             "[WARNING] Spill to Disk"}
    gone = [a for a in client.alerts_v2.list_alerts() if a.display_name in names]
    assert len(gone) == 3, [a.display_name for a in client.alerts_v2.list_alerts()]
    for a in gone:
        client.alerts_v2.trash_alert(a.id)  # trashed alerts are not listed: the plan creates them again
    run = alert_sync(project, "plan", *LOCAL, "--format", "markdown", "--lint", "--fail-on", "lint")
    assert run.exit_code == 0, run.stderr  # warnings only: the error case is allowed
    rows = {r[0]: r for r in table_rows(run.stdout, "Alert | Triggered")}  # not the cost table
    assert set(rows) == {"`QUAL-004`", "`PERF-001`", "`PERF-004`"}
    assert rows["`QUAL-004`"][1:4] == ["30/30", "1", "0"] and "`always-firing`" in rows["`QUAL-004`"][4]
    assert "`flapping`" in rows["`PERF-001`"][4]
    assert "Allowed by configuration: `PERF-004` `first-row-unordered`." in run.stdout
    text = alert_sync(project, "plan", *LOCAL, "--lint")
    assert text.exit_code == 0 and "Lint and backtest of the created or changed alerts" in text.stdout
    assert "  QUAL-004     30/30 triggered, fired 1, 0 flap(s)" in text.stdout
