#!/usr/bin/env bash
# The main job on the local DuckDB target, end to end, with the bundled workspace emulator standing
# in for Databricks: dbt seed + build, alert-sync plan / apply / no-op apply, metrics models.
# Run through `make demo` (which installs everything first).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DBT="$BIN/dbt"
SYNC="$BIN/alert-sync"
FLAGS=(--profiles-dir .)
SYNC_FLAGS=(--allow-non-databricks-manifest)  # the local manifest is DuckDB SQL; fine for the emulator

step() { printf '\n==> %s\n' "$*"; }

step "dbt seed: the alert catalog, notification destinations and local sample data"
"$DBT" seed "${FLAGS[@]}"

step "dbt build: every alert query runs on DuckDB (LIMIT 0) and its threshold column is checked"
"$DBT" build "${FLAGS[@]}"

step "starting the local Alerts v2 workspace emulator (state in target/emulator_state.json)"
LOG=target/emulator.log
"$SYNC" emulator --port 0 --state-file target/emulator_state.json \
  --destinations-from seeds/notification_destinations.csv 2> "$LOG" &
EMULATOR_PID=$!
trap 'kill $EMULATOR_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$LOG" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/.*listening on //p' "$LOG")
[ -n "$URL" ] || { cat "$LOG"; echo "emulator did not start"; exit 1; }
export DATABRICKS_HOST="$URL" DATABRICKS_TOKEN=emulator-token DATABRICKS_WAREHOUSE_ID=emulator-warehouse
echo "emulator at $URL"

step "alert-sync plan"
"$SYNC" plan "${SYNC_FLAGS[@]}"

step "alert-sync apply"
"$SYNC" apply "${SYNC_FLAGS[@]}"

step "alert-sync apply again: nothing changed, so nothing is written"
"$SYNC" apply "${SYNC_FLAGS[@]}"

step "dbt build of the alert_sync models over the metrics alert-sync wrote back"
"$DBT" build "${FLAGS[@]}" --select "source:alert_sync+"

step "run health (alert_sync_run_health)"
"$DBT" show "${FLAGS[@]}" --select alert_sync_run_health --limit 5 --output text -q 2>/dev/null \
  || "$DBT" show "${FLAGS[@]}" --select alert_sync_run_health --limit 5

step "done: alerts deployed to the emulator; see README for pointing the same project at Databricks"
