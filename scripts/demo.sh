#!/usr/bin/env bash
# The main job on the local DuckDB target, end to end, with the bundled workspace emulator standing
# in for Databricks: the example project (example/) installs the dbt_alerts package (dbt deps), then
# dbt seed + build, alert-sync plan / apply / no-op apply, evaluate (now and a 7-day backtest),
# lint (rules over a 30-day backtest), the schedules' cost, the alerts' states as the (emulated)
# service reports them (status, observations), and the metrics, evaluation-history, local-vs-real
# and run-history models.
# Run through `make demo` (which installs everything first).
set -euo pipefail
cd "$(dirname "$0")/../example"
BIN=../.venv/bin
DBT="$BIN/dbt"
SYNC="$BIN/alert-sync"
FLAGS=(--profiles-dir .)
SYNC_FLAGS=(--allow-non-databricks-manifest)  # the local manifest is DuckDB SQL; fine for the emulator

step() { printf '\n==> %s\n' "$*"; }

step "dbt deps: install the dbt_alerts package (packages.yml: local: ../)"
"$DBT" deps "${FLAGS[@]}"

step "dbt seed: the alert catalog, notification destinations and local sample data"
# --full-refresh: a demo re-run after the seeds gained columns recreates their tables (dbt seed
# otherwise inserts into the existing table and fails on the new columns).
"$DBT" seed --full-refresh "${FLAGS[@]}"

step "dbt build: every alert query runs on DuckDB (LIMIT 0) and its threshold column is checked"
"$DBT" build "${FLAGS[@]}"

step "starting the local Alerts v2 workspace emulator (state in target/emulator_state.json)"
# --destinations-from: the destination the seed names by databricks_destination_id (SecOps PagerDuty)
# exists already, as if an admin had made it by hand; `alert-sync apply` creates the others.
LOG=target/emulator.log
"$SYNC" emulator --port 0 --state-file target/emulator_state.json \
  --destinations-from seeds/notification_destinations.csv 2> "$LOG" &
EMULATOR_PID=$!
trap 'kill $EMULATOR_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$LOG" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/.*listening on //p' "$LOG")
[ -n "$URL" ] || { cat "$LOG"; echo "emulator did not start"; exit 1; }
EMULATOR_TOKEN=emulator-token  # the emulator's fixed local token (alert-sync emulator --token), not a secret
export DATABRICKS_HOST="$URL" DATABRICKS_TOKEN="$EMULATOR_TOKEN" DATABRICKS_WAREHOUSE_ID=emulator-warehouse
echo "emulator at $URL"
# The webhook URLs of the destinations apply creates come from the environment variables the seed's
# secret_env column names (in CI: from its secret store). Placeholders here: the emulator sends nothing.
export FINOPS_SLACK_WEBHOOK_URL=https://hooks.slack.invalid/demo \
  PLATFORM_TEAMS_WEBHOOK_URL=https://teams.invalid/demo DATA_QUALITY_WEBHOOK_URL=https://webhook.invalid/demo

step "alert-sync plan: the notification destinations to create, then the alerts"
"$SYNC" plan "${SYNC_FLAGS[@]}"

step "alert-sync apply: destinations first, then the alerts subscribed to them"
"$SYNC" apply "${SYNC_FLAGS[@]}"

step "alert-sync apply again: nothing changed, so nothing is written (destinations included)"
"$SYNC" apply "${SYNC_FLAGS[@]}"

# "Now" on the local target is the sample data's anchor (var alerts_local_as_of: 2026-11-01 06:00).
step "alert-sync evaluate: would the alerts fire now? Each query runs on DuckDB, judged like Alerts v2"
"$SYNC" evaluate

step "alert-sync evaluate --from/--to: backtest of the last 7 days (the false-positive check)"
"$SYNC" evaluate --from "2026-10-26 06:00" --to "2026-11-01 06:00" --step 1d

step "alert-sync lint: is each alert any good? Rules over a 30-day backtest (docs/lint.md)"
# The example carries a case of each error-level rule, allowed by its model's meta
# alert_lint_disable (listed as allowed), so this exits 0; warnings never fail it.
"$SYNC" lint

step "alert-sync cost: how long the schedules keep the warehouse awake (DBU/day), and what aligning them saves"
# Durations: the evaluate run above (alert_evaluations). --from: a fixed window, so the figures are the same any day.
"$SYNC" cost --from 2026-11-02

# On Databricks the service runs each unpaused alert on its schedule and keeps the outcome on the
# alert (evaluation.state, last_evaluated_at). The emulator has no warehouse: its control route
# /emulator/evaluate (not an API of the service) plays that scheduler, told the outcome.
step "the service's scheduler runs the alerts (emulator: COST-001 TRIGGERED, SEC-001 ERROR, the rest OK)"
"$BIN/python" - "$URL" <<'PY'
import json, sys, urllib.request
body = json.dumps({"states": {"COST-001": "TRIGGERED", "SEC-001": "ERROR"}, "default": "OK"}).encode()
request = urllib.request.Request(sys.argv[1] + "/emulator/evaluate", data=body, method="POST")
print(f"{len(json.load(urllib.request.urlopen(request))['evaluated'])} unpaused alerts evaluated")
PY

step "alert-sync status: what the deployed alerts report now (one list request, nothing written)"
"$SYNC" status

step "alert-sync apply: records each alert's observed state in alert_sync.alert_observations (no request added)"
"$SYNC" apply "${SYNC_FLAGS[@]}"

step "someone edits COST-002's schedule in the workspace UI (here: the same PATCH the UI sends)"
"$BIN/python" - <<'PY'
from databricks.sdk import WorkspaceClient
from alert_sync.identity import marked_alert_id
w = WorkspaceClient()
alert = next(a for a in w.alerts_v2.list_alerts() if marked_alert_id(a.query_text) == "COST-002")
alert.schedule.quartz_cron_schedule = "0 30 9 ? * MON"
w.alerts_v2.update_alert(alert.id, alert, update_mask="schedule")
print(f"{alert.display_name}: schedule now 0 30 9 ? * MON")
PY

step "alert-sync plan --detailed-exitcode: the edit is 'changed outside dbt' (exit 2: a scheduled job sees drift)"
"$SYNC" plan "${SYNC_FLAGS[@]}" --detailed-exitcode || echo "(exit code $?)"

step "alert-sync apply: puts the catalog's schedule back"
"$SYNC" apply "${SYNC_FLAGS[@]}"

# Later dbt commands write their artifacts elsewhere, so target/ keeps the full `dbt build` that
# alert-sync deploys from (a partial build's run_results would not vouch for every alert).
FLAGS+=(--target-path target/alert_sync_models)

step "dbt build of the alert_sync models over the metrics and evaluations alert-sync wrote back"
"$DBT" build "${FLAGS[@]}" --select "source:alert_sync+"

step "run health (alert_sync_run_health)"
"$DBT" show "${FLAGS[@]}" --select alert_sync_run_health --limit 5 --output text -q 2>/dev/null \
  || "$DBT" show "${FLAGS[@]}" --select alert_sync_run_health --limit 5

step "trigger history per alert (alert_trigger_history)"
"$DBT" show "${FLAGS[@]}" --limit 8 --output text -q --inline \
  "select alert_id, evaluations, trigger_count, trigger_rate, flapping_count, last_triggered_at
   from {{ ref('alert_trigger_history') }} order by trigger_count desc, alert_id" 2>/dev/null \
  || "$DBT" show "${FLAGS[@]}" --select alert_trigger_history --limit 8

step "local vs real (alert_state_comparison): the last local evaluate next to what Databricks reported"
"$DBT" show "${FLAGS[@]}" --limit 8 --output text -q --inline \
  "select alert_id, local_state, observed_state, comparison
   from {{ ref('alert_state_comparison') }} order by disagrees desc, alert_id" 2>/dev/null \
  || "$DBT" show "${FLAGS[@]}" --select alert_state_comparison --limit 8

step "real run history per alert and day (alert_run_history over system.query.history; sample rows locally)"
"$DBT" show "${FLAGS[@]}" --limit 6 --output text -q --inline \
  "select alert_id, run_date, runs, failed_runs, last_error, p95_duration_ms, warehouse_id
   from {{ ref('alert_run_history') }} order by failed_runs desc, run_date desc, alert_id" 2>/dev/null \
  || "$DBT" show "${FLAGS[@]}" --select alert_run_history --limit 6

step "done: alerts deployed to the emulator; see docs/cli.md for pointing the same project at Databricks"
