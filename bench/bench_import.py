"""Benchmark: `alert-sync import` of N alerts from the workspace emulator, then the plan afterwards.

What it does (N = --n, default 100):
  1. An in-process emulator (alert_sync.emulator.Emulator, --latency-ms per request, default 50)
     with two notification destinations (SLACK, EMAIL) and a folder of N alerts created through
     databricks-sdk over HTTP (untimed): the shapes rotate over every comparison operator, threshold
     types DOUBLE / STRING / BOOLEAN / COLUMN, the aggregations, two schedules, paused ones, custom
     templates, email and destination subscriptions, display names without "[SEVERITY] " and a
     query holding `{{ }}`.
  2. A dbt project made from scratch in a temp dir (no alert, no catalog), the dbt_alerts package
     installed from this repository (packages.yml `local:`, dbt deps; untimed).
  3. Timed, each as a subprocess of the real CLI / dbt:
       baseline  one Python process that lists the workspace's alerts with databricks-sdk
                 (`list(w.alerts_v2.list_alerts(page_size=100))`): the least any import pays
       import    `alert-sync import --from-path <folder> --domain COST --json`
       seed      `dbt seed`            (informational)
       build     `dbt build`           (informational)
       plan      `alert-sync plan --parent-path <folder> --allow-non-databricks-manifest --json`
  Prints the wall times, import / baseline, the requests each CLI run made (emulator counters), and
  the plan's summary.

Checks (PASS/FAIL; exit code 1 when one fails): import wrote N models and rows; the plan afterwards
has N unchanged and 0 creates / updates / deletes / errors; import and plan made no workspace write.

Nothing is written into the repository.

Run it
  .venv/bin/python bench/bench_import.py                 # --n 100 --latency-ms 50
  .venv/bin/python bench/bench_import.py --n 300 --latency-ms 0
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
TOKEN = "emulator-token"
WAREHOUSE = "emulator-warehouse"
FOLDER = "/Workspace/Shared/bench/imported"

sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))
from projects import DbtProject, duckdb_profiles, install_package  # noqa: E402

DBT_PROJECT = """
name: bench_import
version: "1.0.0"
config-version: 2
profile: bench_import
"""
PROFILES = duckdb_profiles("bench_import")


def alerts(n: int, slack_id: str, email_id: str) -> list:
    """N varied AlertV2 objects (see the module docstring)."""
    from databricks.sdk.service.sql import (
        Aggregation, AlertEvaluationState, AlertV2, AlertV2Evaluation, AlertV2Notification, AlertV2Operand,
        AlertV2OperandColumn, AlertV2OperandValue, AlertV2Subscription, ComparisonOperator as Op, CronSchedule,
        SchedulePauseStatus,
    )

    def v(**kw):
        return AlertV2Operand(value=AlertV2OperandValue(**kw))

    shapes = [  # (sql, source column, aggregation, operator, threshold)
        ("select {i} * 1.5 as cost", "cost", Aggregation.SUM, Op.GREATER_THAN, v(double_value=100.0)),
        ("select {i} as n union all select 2", "n", Aggregation.COUNT, Op.GREATER_THAN_OR_EQUAL, v(double_value=2)),
        ("select 0.{i} as ratio", "ratio", Aggregation.MIN, Op.LESS_THAN, v(double_value=0.25)),
        ("select {i} as depth", "depth", Aggregation.AVG, Op.LESS_THAN_OR_EQUAL, v(double_value=-3.5)),
        ("select 'FAILED' as status, {i} as k", "status", None, Op.EQUAL, v(string_value="FAILED")),
        ("select 'us' as region, {i} as k", "region", None, Op.NOT_EQUAL, v(string_value="eu")),
        ("select true as flagged, {i} as k", "flagged", None, Op.EQUAL, v(bool_value=True)),
        ("select cast(null as varchar) as owner, {i} as k", "owner", None, Op.IS_NULL, None),
        ("select {i} as spend, 100 as budget", "spend", Aggregation.MAX, Op.GREATER_THAN,
         AlertV2Operand(column=AlertV2OperandColumn(name="budget", aggregation=Aggregation.MAX))),
        ("select '{{{{ literal }}}}' as label, {i} as k", "label", Aggregation.COUNT_DISTINCT, Op.IS_NOT_NULL, None),
    ]
    out = []
    for i in range(n):
        sql, column, agg, op, threshold = shapes[i % len(shapes)]
        severity = ("CRITICAL", "WARNING", "INFO", None)[i % 4]
        name = f"Bench alert {i:04d}"
        subs = [AlertV2Subscription(user_email=f"team{i % 7}@example.com")]
        if i % 3 == 0:
            subs.append(AlertV2Subscription(destination_id=slack_id if i % 2 else email_id))
        out.append(AlertV2(
            display_name=f"[{severity}] {name}" if severity else f"{name} (legacy)",
            query_text=sql.format(i=i), warehouse_id=WAREHOUSE, parent_path=FOLDER,
            custom_summary="{{ALERT_NAME}} is {{ALERT_STATUS}}" if i % 5 == 0 else None,
            evaluation=AlertV2Evaluation(
                source=AlertV2OperandColumn(name=column, aggregation=agg), comparison_operator=op,
                threshold=threshold, empty_result_state=(AlertEvaluationState.OK, AlertEvaluationState.TRIGGERED,
                                                         AlertEvaluationState.ERROR)[i % 3],
                notification=AlertV2Notification(notify_on_ok=i % 2 == 0, retrigger_seconds=3600 if i % 4 else None,
                                                  subscriptions=subs)),
            schedule=CronSchedule(quartz_cron_schedule=("0 0 * * * ?", "0 30 6 ? * MON-FRI")[i % 2],
                                  timezone_id=("UTC", "Europe/Berlin")[i % 2],
                                  pause_status=SchedulePauseStatus.PAUSED if i % 10 == 9 else None)))
    return out


def timed(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=3600)
    return time.perf_counter() - start, proc


BASELINE = ("from databricks.sdk import WorkspaceClient\n"
            "w = WorkspaceClient()\n"
            "print(len(list(w.alerts_v2.list_alerts(page_size=100))))\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=50)
    args = parser.parse_args()

    from databricks.sdk import WorkspaceClient

    from alert_sync.emulator import Emulator

    checks: list[tuple[str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp, Emulator() as emu:
        project = DbtProject(Path(tmp) / "bench_import", "bench_import")
        project.path.mkdir()
        (project.path / "dbt_project.yml").write_text(DBT_PROJECT)
        (project.path / "profiles.yml").write_text(PROFILES)
        install_package(project)
        slack = emu.add_destination("Bench Slack", "SLACK")["id"]
        email = emu.add_destination("Bench email", "EMAIL")["id"]
        w = WorkspaceClient(host=emu.url, token=TOKEN)
        w.workspace.mkdirs(FOLDER)
        for a in alerts(args.n, slack, email):
            w.alerts_v2.create_alert(a)
        emu.set_faults([], latency_ms=args.latency_ms)

        env = {**project.env, "DATABRICKS_HOST": emu.url, "DATABRICKS_TOKEN": TOKEN,
               "DATABRICKS_WAREHOUSE_ID": WAREHOUSE}
        rows = []

        def run(label: str, argv: list[str], workspace: bool) -> subprocess.CompletedProcess:
            emu.reset_counters()
            seconds, proc = timed(argv, env, project.path)
            counters = emu.counters()
            requests = counters.get("total", 0) if workspace else None
            rows.append((label, seconds, requests, counters.get("writes", 0) if workspace else None))
            if proc.returncode != 0:
                print(f"{label} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
            return proc

        dirs = ["--project-dir", str(project.path)]
        run("baseline: SDK list of the alerts", [str(BIN / "python"), "-c", BASELINE], True)
        imported = run("alert-sync import", [str(BIN / "alert-sync"), "import", *dirs, "--from-path", FOLDER,
                                             "--domain", "COST", "--json"], True)
        run("dbt seed", [str(BIN / "dbt"), "seed", *dirs, "--profiles-dir", str(project.path)], False)
        run("dbt build", [str(BIN / "dbt"), "build", *dirs, "--profiles-dir", str(project.path)], False)
        plan = run("alert-sync plan", [str(BIN / "alert-sync"), "plan", *dirs, "--profiles-dir", str(project.path),
                                       "--parent-path", FOLDER, "--allow-non-databricks-manifest", "--json"], True)

        written = json.loads(imported.stdout)["summary"]["written"] if imported.returncode == 0 else 0
        summary = json.loads(plan.stdout)["summary"] if plan.returncode == 0 else {}
        checks.append((f"import wrote {args.n} models and catalog rows (wrote {written})", written == args.n))
        # Adopted as they are: each gains only its alert_id line (identity.py), an UPDATE apply makes once.
        actions = json.loads(plan.stdout)["actions"] if plan.returncode == 0 else []
        checks.append((f"plan afterwards: {args.n} updates of alert_id_marker only, 0 created/deleted/errors "
                       f"({summary})", summary.get("updated") == args.n
                       and all(a["changed_fields"] == ["alert_id_marker"] for a in actions)
                       and not any(summary.get(k) for k in ("created", "deleted", "errors"))))
        checks.append(("import and plan wrote nothing to the workspace",
                       all(r[3] == 0 for r in rows if r[3] is not None)))

    baseline = rows[0][1]
    print(f"\nalert-sync import of {args.n} alerts from the emulator (latency {args.latency_ms:g} ms per request)\n")
    print(f"  {'step':<36} {'wall s':>8} {'requests':>9} {'writes':>7}")
    for label, seconds, requests, writes in rows:
        print(f"  {label:<36} {seconds:>8.2f} {'' if requests is None else requests:>9} "
              f"{'' if writes is None else writes:>7}")
    print(f"\n  import / baseline: {rows[1][1] / baseline:.2f}")
    print(f"  plan afterwards: {summary}\n")
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    print(f"\nReproduce: .venv/bin/python bench/bench_import.py --n {args.n} --latency-ms {args.latency_ms:g}")
    print(f"Environment: {os.cpu_count()} CPUs, Python {platform.python_version()}, dbt-core "
          f"{metadata.version('dbt-core')}, databricks-sdk {metadata.version('databricks-sdk')}, {platform.platform()}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
