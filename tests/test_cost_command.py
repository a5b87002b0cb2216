"""`alert-sync cost` and the plan's cost section, end to end: the built example, real databricks-sdk
over HTTP to the emulator's warehouse GET."""

from __future__ import annotations

from conftest import WAREHOUSE, alert_sync


def test_cost_json_of_the_example_against_the_emulator(project, workspace):
    result = alert_sync(project, "cost", "--json", "--from", "2026-11-02")
    assert result.exit_code == 0, result.stderr
    out = result.json
    assert out["window"] == {"from": "2026-11-02", "to": "2026-11-30", "days": 28}
    (wh,) = out["warehouses"]
    # The emulator's warehouse: serverless 2X-Small (4 DBU/h) that stops after 10 idle minutes
    assert (wh["warehouse_id"], wh["cluster_size"], wh["type"], wh["auto_stop_mins"], wh["dbu_per_hour"]) == \
        (WAREHOUSE, "2X-Small", "serverless", 10, 4)
    # PERF-002 runs every 5 minutes: the warehouse never gets to stop
    assert wh["awake_hours_per_day"] == 24.0 and wh["dbu_per_day"] == 96.0
    by_id = {a["alert_id"]: a for a in out["alerts"]}
    assert by_id["PERF-002"]["runs_per_day"] == 288 and by_id["PERF-002"]["awake_hours_per_day"] == 24.0
    assert by_id["SEC-005"]["runs_per_day"] == 24  # hourly
    assert by_id["COST-002"]["runs_per_day"] == round(4 / 28, 3)  # Mondays only
    assert {a["duration_source"] for a in out["alerts"]} == {"build"}  # nothing evaluated yet
    skipped = {s["alert_id"]: s["reason"] for s in out["skipped"]}
    assert skipped["SEC-006"] == "paused" and skipped["SEC-007"] == "disabled"
    assert {m["alert_id"] for m in wh["moves"]} >= {"PERF-004", "REL-003"}  # hourly at :30 and :15
    assert "alone keep(s) the warehouse awake around the clock" in result.stderr


def test_plan_markdown_shows_the_cost_change(project, workspace):
    result = alert_sync(project, "plan", "--format", "markdown", "--allow-non-databricks-manifest")
    assert result.exit_code in (0, 1), result.stderr
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in result.stdout.splitlines()
            if line.startswith(f"| `{WAREHOUSE}`")]
    assert rows == [[f"`{WAREHOUSE}`", "2X-Small serverless, auto-stop 10 min", "0.0 → 24.0", "0.0 → 96.0"]]
