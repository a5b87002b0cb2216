"""Generate the example project's local sample data seeds (example/seeds/sample_data/*.csv).

The alert queries read Databricks system tables (system.billing, system.lakeflow, system.access,
system.query, system.compute) and a few gold tables. On the local DuckDB target, `alert_source()`
points them at relations named `<source>__<table>` instead. This script writes those seeds: the
same column names (and, via example/seeds/sample_data/_sample_data.yml, the same types) as the real
tables for every column the alerts use, plus the key columns; account_id is left out to keep the
seeds small. A CSV cannot hold a STRUCT or MAP column, so the few the alerts read
(system.access.audit user_identity / request_params / response, system.billing.usage
product_features) are written as JSON text into seeds named `<source>__<table>_csv`; the views
`<source>__<table>` of example/models/sample_data turn them back into STRUCT / MAP columns, so an
alert reads `request_params['targetGroupName']` or `product_features.is_serverless` exactly as it
does on Databricks.

The data covers 2026-09-01 .. 2026-11-01 06:00 (var `alerts_local_as_of`, the local "now"), so
backtests over past dates are meaningful. It is deterministic (random.Random(42)) and contains a
few deliberate incidents, most of them in the last 24 hours before "now":

  * 2026-10-31: an untagged all-purpose GPU cluster ("adhoc-gpu-exploration") is started at 08:00
    and left idle: daily cost spike, ALL_PURPOSE SKU anomaly, tag coverage drop, idle cluster.
  * 2026-11-01 02:10-02:48: 146 failed logins for svc-reporting@example.com from a never seen IP
    (140 refused with 401, then 6 with 403 whose user is only in request_params.user).
  * ml_feature_build fails every night from 2026-10-27; orders_gold_load fails from 2026-10-30,
    so gold.fact_orders is stale since 2026-10-29.
  * 2026-10-31 evening: two ad-hoc queries spill ~45 GB each to local disk.
  * gold.dim_customers holds one duplicated customer_id.
  * Older incidents for backtests: a SQL warehouse surge on 2026-10-12 (scaled to 4 clusters),
    a bulk permission regrant on 2026-10-06, task timeouts 2026-10-05..08, a 5-hour compaction
    run on 2026-10-25, an orphan order on 2026-09-10, failed-login burst on 2026-09-20, admin role
    changes on 2026-09-15, 10-20 and 10-21.

Rows that tell a documented reading of the system tables from a naive one (the alert models cite
the docs): job runs repaired after a failure (one run_id, several attempts), a run sliced into
hourly rows, admin grants as addPrincipalToGroup to the admins group next to a grant to another
group, failed logins logged without user_identity.email, and serverless usage under a SKU name
without SERVERLESS.

Usage:  python scripts/generate_sample_data.py     (rewrites example/seeds/sample_data/*.csv)
Standard library only.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "example" / "seeds" / "sample_data"

START_DAY = date(2026, 9, 1)
LAST_DAY = date(2026, 10, 31)           # last full day of daily data
NOW = datetime(2026, 11, 1, 6, 0, 0)    # var alerts_local_as_of
SPIKE_DAY = date(2026, 10, 31)

WS_PROD = "1234567890123456"
WS_DEV = "2345678901234567"

WH_BI = "4f3a1c2b9d8e7a60"      # serverless SQL warehouse behind the BI dashboards (always on)
WH_ADHOC = "8c1d2e3f4a5b6c70"   # pro SQL warehouse for ad-hoc analysis (weekdays)

rng = random.Random(42)


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def days(first: date = START_DAY, last: date = LAST_DAY):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def is_weekday(d: date) -> bool:
    return d.weekday() < 5


def at(d: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day) + timedelta(hours=hour, minutes=minute, seconds=second)


def ts(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def ds(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def uid(*parts: object) -> str:
    """A stable UUID-shaped id derived from `parts`."""
    h = hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def hexid(*parts: object, n: int = 16) -> str:
    return hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()[:n]


def write(name: str, columns: list[str], rows: list[dict]) -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    print(f"{path.relative_to(OUT_DIR.parent.parent.parent)}: {len(rows)} rows, {path.stat().st_size} bytes")


def hourly_slices(start: datetime, end: datetime):
    """Split [start, end) at clock-hour boundaries, like the lakeflow *_timeline tables do."""
    cur = start
    while cur < end:
        nxt = min(end, cur.replace(minute=0, second=0) + timedelta(hours=1))
        yield cur, nxt
        cur = nxt


# ----------------------------------------------------------------------------------------------
# billing: system.billing.usage and gold.fact_usage (the same usage lines, priced and tagged)
# ----------------------------------------------------------------------------------------------
# (workspace, sku_name, billing_origin_product, list price USD/DBU, team tag or None,
#  job_id, cluster_id, warehouse_id, weekday USD, weekend USD)
USAGE_LINES = [
    (WS_PROD, "PREMIUM_JOBS_COMPUTE", "JOBS", 0.15, "data-eng", "101", None, None, 260, 260),
    (WS_PROD, "PREMIUM_JOBS_COMPUTE", "JOBS", 0.15, "data-eng", "102", None, None, 310, 310),
    (WS_PROD, "PREMIUM_JOBS_COMPUTE", "JOBS", 0.15, "platform", "103", None, None, 90, 90),
    (WS_PROD, "PREMIUM_JOBS_COMPUTE", "JOBS", 0.15, "sales-analytics", "105", None, None, 70, 70),
    (WS_PROD, "PREMIUM_JOBS_COMPUTE", "JOBS", 0.15, "platform", "106", None, None, 0, 0),
    (WS_PROD, "PREMIUM_JOBS_SERVERLESS_COMPUTE_US_EAST", "JOBS", 0.35, "data-science", "104", None, None, 300, 300),
    (WS_PROD, "PREMIUM_ALL_PURPOSE_COMPUTE", "ALL_PURPOSE", 0.55, "analytics", None, "0901-120000-anlyt001", None, 450, 0),
    (WS_PROD, "PREMIUM_ALL_PURPOSE_COMPUTE", "ALL_PURPOSE", 0.55, "data-science", None, "0902-090000-dsteam01", None, 350, 0),
    (WS_PROD, "PREMIUM_SERVERLESS_SQL_COMPUTE_US_EAST", "SQL", 0.70, "bi", None, None, WH_BI, 700, 350),
    (WS_PROD, "PREMIUM_SQL_PRO_COMPUTE_US_EAST", "SQL", 0.55, "analytics", None, None, WH_ADHOC, 250, 0),
    (WS_PROD, "PREMIUM_DLT_CORE_COMPUTE", "DLT", 0.20, "data-eng", None, None, None, 200, 200),
    (WS_PROD, "PREMIUM_INTERACTIVE_SERVERLESS_COMPUTE_US_EAST", "INTERACTIVE", 0.75, None, None, None, None, 150, 0),
    (WS_DEV, "PREMIUM_JOBS_COMPUTE", "JOBS", 0.15, None, "201", None, None, 120, 60),
    (WS_DEV, "PREMIUM_ALL_PURPOSE_COMPUTE", "ALL_PURPOSE", 0.55, None, None, "0905-100000-devap001", None, 200, 0),
    (WS_DEV, "PREMIUM_SQL_PRO_COMPUTE_US_EAST", "SQL", 0.55, "analytics", None, None, "9d0e1f2a3b4c5d60", 80, 0),
]
GPU_CLUSTER = "1031-080000-adhocgpu"
# A vector search endpoint tried out 2026-10-25 .. 10-30: serverless usage (product_features.is_serverless)
# under a SKU whose name does not say SERVERLESS, so only the documented flag counts it (COST-006).
# In system.billing.usage only: the sample gold.fact_usage keeps the compute lines, so the demo values
# of the cost alerts that read it stay as they were.
VECTOR_SEARCH_LINE = (WS_PROD, "PREMIUM_VECTOR_SEARCH_ENDPOINT_US_EAST", "VECTOR_SEARCH", 0.07, "data-science",
                      None, None, None, 14, 14)
VECTOR_SEARCH_DAYS = (date(2026, 10, 25), date(2026, 10, 30))


def is_serverless(sku: str, product: str) -> bool:
    return "SERVERLESS" in sku or product == "VECTOR_SEARCH"


def as_json(value: dict) -> str:
    """A STRUCT / MAP value as the JSON text its *_csv seed column holds."""
    return json.dumps(value, separators=(",", ":"))


def usage_rows():
    billing, fact = [], []
    for d in days():
        growth = 1 + 0.003 * (d - START_DAY).days          # gentle organic growth
        lines = list(USAGE_LINES)
        if d == SPIKE_DAY:
            lines.append((WS_PROD, "PREMIUM_ALL_PURPOSE_COMPUTE", "ALL_PURPOSE", 0.55, None, None,
                          GPU_CLUSTER, None, 3800, 3800))
        if VECTOR_SEARCH_DAYS[0] <= d <= VECTOR_SEARCH_DAYS[1]:
            lines.append(VECTOR_SEARCH_LINE)
        for ws, sku, product, price, team, job, cluster, wh, weekday_usd, weekend_usd in lines:
            usd = weekday_usd if is_weekday(d) else weekend_usd
            if job == "106":                                 # weekly compaction, Sundays
                usd = 140 if d.weekday() == 6 else 0
            if job == "102" and d == date(2026, 10, 12):
                usd *= 1.4
            if wh == WH_BI and d == date(2026, 10, 12):     # BI surge (backtest)
                usd += 2500
            if usd == 0:
                continue
            # fixed amounts (no draw from rng, so the other lines keep their values): the GPU spike, vector search
            usd = usd * growth * rng.uniform(0.9, 1.1) if cluster != GPU_CLUSTER and product != "VECTOR_SEARCH" else usd
            dbus = round(usd / price, 3)
            cost = round(dbus * price, 2)
            record_id = uid("usage", d, ws, sku, job, cluster, wh)
            billing.append({
                "record_id": record_id, "workspace_id": ws,
                "sku_name": sku, "cloud": "AWS",
                "usage_start_time": ts(at(d, 0)), "usage_end_time": ts(at(d + timedelta(days=1), 0)),
                "usage_date": ds(d), "usage_unit": "DBU", "usage_quantity": dbus,
                "record_type": "ORIGINAL", "billing_origin_product": product,
                "product_features": as_json({"is_serverless": is_serverless(sku, product)}),
                "usage_type": "COMPUTE_TIME",
            })
            if product == "VECTOR_SEARCH":
                continue
            fact.append({
                "usage_date": ds(d), "workspace_id": ws, "sku_name": sku,
                "billing_origin_product": product, "job_id": job or "", "cluster_id": cluster or "",
                "warehouse_id": wh or "", "team_tag": team or "", "usage_quantity": dbus,
                "list_price": price, "list_cost": cost,
            })
    write("system_billing__usage_csv",
          ["record_id", "workspace_id", "sku_name", "cloud", "usage_start_time",
           "usage_end_time", "usage_date", "usage_unit", "usage_quantity", "record_type",
           "billing_origin_product", "product_features", "usage_type"], billing)
    write("gold__fact_usage",
          ["usage_date", "workspace_id", "sku_name", "billing_origin_product", "job_id", "cluster_id",
           "warehouse_id", "team_tag", "usage_quantity", "list_price", "list_cost"], fact)


# ----------------------------------------------------------------------------------------------
# lakeflow: jobs, job_run_timeline, job_task_run_timeline
# ----------------------------------------------------------------------------------------------
JOBS = {
    # job_id: (name, tasks [(task_key, share of the run's time)]); schedules are in job_runs()
    "101": ("gold_daily_refresh", [("ingest", 0.25), ("transform", 0.55), ("publish", 0.2)]),
    "102": ("bronze_ingest", [("ingest", 1.0)]),
    "103": ("nightly_backup", [("snapshot", 0.8), ("verify", 0.2)]),
    "104": ("ml_feature_build", [("build_features", 1.0)]),
    "105": ("orders_gold_load", [("load_orders", 1.0)]),
    "106": ("weekly_compaction", [("optimize_vacuum", 1.0)]),
}
# bronze_ingest runs (day, hour) that hit the 1-hour timeout: a burst for backtests, two recent ones
INGEST_TIMEOUTS = {(date(2026, 10, day), hour) for day in (5, 6, 7) for hour in (10, 14)} | {
    (date(2026, 10, 8), 10), (date(2026, 10, 28), 12), (date(2026, 10, 30), 16)}
# Runs repaired after their first attempt failed ("Repair run"): every repair is one more attempt of
# the same run_id in job_run_timeline (its own rows, the last of them with its result_state) and
# re-runs the failed task as a new task run. (job_id, day, hour the run started): [(repair start,
# minutes, result_state)]. bronze_ingest 2026-10-31 14:05 fails, a repair succeeds (a run that
# ends SUCCEEDED: REL-001 must not count its failed attempt); ml_feature_build 2026-10-29 04:00
# fails again when repaired at 09:00 (one failed run, not two, for REL-003; not a 5-hour run for
# REL-002 either: the gap between the attempts is not running time).
REPAIRS = {
    ("102", date(2026, 10, 31), 14): [(at(date(2026, 10, 31), 15, 30), 9.5, "SUCCEEDED")],
    ("104", date(2026, 10, 29), 4): [(at(date(2026, 10, 29), 9, 0), 12, "FAILED")],
}


def job_runs():
    """Every run: (job_id, start, end, result_state, failing task or None)."""
    runs = []
    end_of_data = NOW
    for d in days(START_DAY, NOW.date()):
        # bronze_ingest every 2 hours at :05
        for hour in range(0, 24, 2):
            start = at(d, hour, 5, rng.randint(0, 50))
            if start >= end_of_data:
                continue
            state, failing = "SUCCEEDED", None
            if rng.random() < 0.025 and d < date(2026, 10, 31):
                state, failing = "FAILED", "ingest"
            if (d, hour) in INGEST_TIMEOUTS:
                state, failing = "TIMED_OUT", "ingest"
            if ("102", d, hour) in REPAIRS:
                state, failing = "FAILED", "ingest"              # its first attempt; repaired later
            minutes = 60 if state == "TIMED_OUT" else rng.uniform(6, 12)
            runs.append(("102", start, start + timedelta(minutes=minutes), state, failing))
        # gold_daily_refresh 02:00
        start = at(d, 2, 0, rng.randint(0, 40))
        if start < end_of_data:
            state = "FAILED" if d == date(2026, 9, 17) else "SUCCEEDED"
            runs.append(("101", start, start + timedelta(minutes=rng.uniform(40, 55)), state,
                         "transform" if state == "FAILED" else None))
        # orders_gold_load 01:30: fails from 2026-10-30 on
        start = at(d, 1, 30, rng.randint(0, 40))
        if start < end_of_data:
            failing = d >= date(2026, 10, 30)
            runs.append(("105", start, start + timedelta(minutes=4 if failing else rng.uniform(14, 17)),
                         "FAILED" if failing else "SUCCEEDED", "load_orders" if failing else None))
        # nightly_backup 03:00
        start = at(d, 3, 0, rng.randint(0, 40))
        if start < end_of_data:
            runs.append(("103", start, start + timedelta(minutes=rng.uniform(15, 25)), "SUCCEEDED", None))
        # ml_feature_build 04:00: fails every night from 2026-10-27
        start = at(d, 4, 0, rng.randint(0, 40))
        if start < end_of_data:
            failing = d >= date(2026, 10, 27)
            runs.append(("104", start, start + timedelta(minutes=12 if failing else rng.uniform(28, 35)),
                         "FAILED" if failing else "SUCCEEDED", "build_features" if failing else None))
        # weekly_compaction Sundays 00:30 (~2.5 h; 5 h 10 min on 2026-10-25)
        if d.weekday() == 6:
            start = at(d, 0, 30)
            minutes = 310 if d == date(2026, 10, 25) else rng.uniform(140, 160)
            end = start + timedelta(minutes=minutes)
            if end < end_of_data:
                runs.append(("106", start, end, "SUCCEEDED", None))
    runs.sort(key=lambda r: (r[1], r[0]))
    return runs


def lakeflow_rows():
    jobs = []
    for job_id, (name, _tasks) in JOBS.items():
        created = at(date(2026, 8, 1), 9) + timedelta(hours=int(job_id) - 100)
        if job_id == "104":
            jobs.append({"workspace_id": WS_PROD, "job_id": job_id,
                         "name": "ml_features_v1", "creator_id": "4001", "run_as": "4001",
                         "change_time": ts(created), "delete_time": ""})
            created = at(date(2026, 9, 10), 14, 12)
        jobs.append({"workspace_id": WS_PROD, "job_id": job_id, "name": name,
                     "creator_id": "4001" if job_id != "103" else "4002", "run_as": "4999",
                     "change_time": ts(created), "delete_time": ""})
    jobs.append({"workspace_id": WS_PROD, "job_id": "107", "name": "legacy_export",
                 "creator_id": "4002", "run_as": "4002", "change_time": ts(at(date(2026, 9, 15), 11, 3)),
                 "delete_time": ts(at(date(2026, 9, 15), 11, 3))})

    run_rows, task_rows = [], []
    run_counter = 770000000000
    repair_task_run_id = 779900000000                        # task runs of repairs (ids apart from run_counter's)

    def termination_code(state: str) -> str:
        return "SUCCESS" if state == "SUCCEEDED" else "RUN_EXECUTION_ERROR" if state == "FAILED" else ""

    def attempt_rows(job_id: str, run_id: str, start: datetime, end: datetime, state: str) -> None:
        """job_run_timeline rows of one attempt of a run: hourly slices, result_state on the last."""
        slices = list(hourly_slices(start, end))
        for i, (s, e) in enumerate(slices):
            last = i == len(slices) - 1
            run_rows.append({
                "workspace_id": WS_PROD, "job_id": job_id, "run_id": run_id,
                "period_start_time": ts(s), "period_end_time": ts(e), "trigger_type": "CRON",
                "run_type": "JOB_RUN", "result_state": state if last else "",
                "termination_code": termination_code(state) if last else "",
            })

    def task_run_rows(job_id: str, run_id: str, task_run_id: str, task_key: str, t0: datetime, t1: datetime,
                      state: str) -> None:
        for s, e in hourly_slices(t0, t1):
            last = e == t1
            task_rows.append({
                "workspace_id": WS_PROD, "job_id": job_id,
                "run_id": task_run_id, "job_run_id": run_id, "task_key": task_key,
                "period_start_time": ts(s), "period_end_time": ts(e),
                "result_state": (state or "") if last else "",
                "termination_code": termination_code(state) if last else "",
            })

    for job_id, start, end, state, failing_task in job_runs():
        run_counter += rng.randint(3, 40)
        run_id = str(run_counter)
        attempt_rows(job_id, run_id, start, end, state)
        # tasks run one after the other; a failing task ends the run (later tasks never start)
        keys = [key for key, _ in JOBS[job_id][1]]
        last_task = keys.index(failing_task) if failing_task else len(keys) - 1
        t0 = start
        for j, (task_key, share) in enumerate(JOBS[job_id][1][: last_task + 1]):
            t1 = end if j == last_task else t0 + (end - start) * share
            run_counter += 1
            task_run_rows(job_id, run_id, str(run_counter), task_key, t0, t1,
                          state if j == last_task else "SUCCEEDED")
            t0 = t1
        # repairs: the same run_id again; the failed task (single-task jobs here) runs again as a new task run
        for repair_start, minutes, repair_state in REPAIRS.get((job_id, start.date(), start.hour), []):
            repair_end = repair_start + timedelta(minutes=minutes)
            attempt_rows(job_id, run_id, repair_start, repair_end, repair_state)
            repair_task_run_id += 1
            task_run_rows(job_id, run_id, str(repair_task_run_id), failing_task, repair_start, repair_end,
                          repair_state)
    write("system_lakeflow__jobs",
          ["workspace_id", "job_id", "name", "creator_id", "run_as", "change_time", "delete_time"], jobs)
    write("system_lakeflow__job_run_timeline",
          ["workspace_id", "job_id", "run_id", "period_start_time", "period_end_time",
           "trigger_type", "run_type", "result_state", "termination_code"], run_rows)
    write("system_lakeflow__job_task_run_timeline",
          ["workspace_id", "job_id", "run_id", "job_run_id", "task_key", "period_start_time",
           "period_end_time", "result_state", "termination_code"], task_rows)


# ----------------------------------------------------------------------------------------------
# access: system.access.audit (user_identity, request_params and response as JSON text)
# ----------------------------------------------------------------------------------------------
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar"]
KNOWN_IPS = ["10.20.1.15", "10.20.1.27", "10.20.2.8", "10.20.3.44", "172.16.5.10",
             "203.0.113.10", "203.0.113.11", "203.0.113.25"]
SCANNER_IPS = ["192.0.2.50", "192.0.2.51"]
ATTACKER_IP = "198.51.100.77"
UA_BROWSER = "Mozilla/5.0 (Macintosh)"
UA_SDK = "databricks-sdk-py/0.77.0"


def group_change(group: str, user: str) -> dict:
    """request_params of addPrincipalToGroup / removePrincipalFromGroup (audit log reference)."""
    return {"targetGroupName": group, "targetGroupId": hexid("group", group, n=12),
            "targetUserName": f"{user}@example.com", "targetUserId": hexid("user", user, n=12)}


def audit_rows():
    events = []

    def add(t: datetime, service: str, action: str, user: str, ip: str, status: int, ua: str = UA_BROWSER,
            level: str = "WORKSPACE_LEVEL", params: dict | None = None):
        """user: user_identity.email ("" when the log has none); params: request_params (logins: user)."""
        if t >= NOW:
            return
        if params is None:
            params = {"user": user} if action in ("login", "tokenLogin") else {}
        events.append({"event_time": t, "service_name": service, "action_name": action,
                       "user_email": user, "source_ip_address": ip, "status_code": status,
                       "user_agent": ua, "audit_level": level, "request_params": params})

    def rand_time(d: date, h0: int = 7, h1: int = 19) -> datetime:
        return at(d, rng.randint(h0, h1 - 1), rng.randint(0, 59), rng.randint(0, 59))

    for d in days(START_DAY, NOW.date()):
        active = USERS if is_weekday(d) else rng.sample(USERS, 2)
        for user in active:
            email = f"{user}@example.com"
            ip = KNOWN_IPS[USERS.index(user) % len(KNOWN_IPS)] if rng.random() < 0.85 else rng.choice(KNOWN_IPS)
            add(rand_time(d), "accounts", "login", email, ip, 200, level="ACCOUNT_LEVEL")
            if rng.random() < 0.12:                              # mistyped password
                add(rand_time(d), "accounts", "login", email, ip, 401, level="ACCOUNT_LEVEL")
        for _ in range(rng.randint(4, 9) if is_weekday(d) else rng.randint(1, 3)):
            user = rng.choice(USERS)
            add(rand_time(d), "unityCatalog", "getTable", f"{user}@example.com",
                KNOWN_IPS[USERS.index(user) % len(KNOWN_IPS)], 403 if rng.random() < 0.15 else 200)
        # service principals, around the clock
        for hour in (1, 5, 9, 13, 17, 21):
            add(at(d, hour, 7), "accounts", "tokenLogin", "svc-etl@example.com", "10.20.9.5", 200, UA_SDK, "ACCOUNT_LEVEL")
        add(at(d, 7, 45), "accounts", "tokenLogin", "svc-reporting@example.com", "10.20.9.6", 200, UA_SDK, "ACCOUNT_LEVEL")
        # permission changes, tokens, clusters
        grants = rng.randint(0, 4) if is_weekday(d) else 0
        if d == date(2026, 10, 6):
            grants = 40                                          # bulk regrant (backtest)
        for _ in range(grants):
            add(rand_time(d), "unityCatalog", "updatePermissions", "alice@example.com", KNOWN_IPS[0], 200)
        if rng.random() < 0.3:
            user = rng.choice(USERS)
            add(rand_time(d), "accounts", "generateDbToken", f"{user}@example.com",
                KNOWN_IPS[USERS.index(user) % len(KNOWN_IPS)], 200)
        if is_weekday(d) and rng.random() < 0.5:
            add(rand_time(d), "clusters", "edit", "alice@example.com", KNOWN_IPS[0], 200)
        for _ in range(rng.randint(0, 3)):
            add(rand_time(d, 0, 24), "accounts", "IpAccessDenied", "", rng.choice(SCANNER_IPS), 403,
                "curl/8.4.0", "ACCOUNT_LEVEL")
        # admin role changes (SEC-003): frank joins the workspace's admins group, grace is made account
        # admin and then account owner, frank leaves admins; joining any other group is no admin change
        if d == date(2026, 9, 15):
            add(at(d, 10, 12), "accounts", "addPrincipalToGroup", "carol@example.com", KNOWN_IPS[2], 200,
                params=group_change("admins", "frank"))
        if d == date(2026, 10, 20):
            add(at(d, 10, 12), "accounts", "setAccountAdmin", "carol@example.com", KNOWN_IPS[2], 200,
                level="ACCOUNT_LEVEL", params={"targetUserName": "grace@example.com",
                                               "targetUserId": hexid("user", "grace", n=12)})
            add(at(d, 10, 40), "accounts", "changeAccountOwner", "carol@example.com", KNOWN_IPS[2], 200,
                level="ACCOUNT_LEVEL", params={"email": "grace@example.com"})
        if d == date(2026, 10, 21):
            add(at(d, 9, 30), "accounts", "removePrincipalFromGroup", "carol@example.com", KNOWN_IPS[2], 200,
                params=group_change("admins", "frank"))
        if d == date(2026, 10, 31):
            add(at(d, 8, 2), "clusters", "create", "dave@example.com", KNOWN_IPS[3], 200)
            add(at(d, 14, 20), "accounts", "addPrincipalToGroup", "alice@example.com", KNOWN_IPS[0], 200,
                params=group_change("data-engineers", "judy"))
        if d == date(2026, 9, 20):                               # failed-login burst (backtest)
            for i in range(60):
                add(at(d, 22, 0, 20 * i), "accounts", "login", "bob@example.com", KNOWN_IPS[7], 401,
                    level="ACCOUNT_LEVEL")
    # the incident: brute force against a service account from a new IP, then one success
    for i in range(140):
        add(at(date(2026, 11, 1), 2, 10) + timedelta(seconds=16 * i + rng.randint(0, 5)), "accounts", "login",
            "svc-reporting@example.com", ATTACKER_IP, 401, "python-requests/2.31.0", "ACCOUNT_LEVEL")
    # the last attempts are refused with 403 and logged without user_identity.email: the attempted user
    # is only in request_params.user (SEC-002 counts them for svc-reporting: 146 failed logins)
    for i in range(6):
        add(at(date(2026, 11, 1), 2, 48, 10 * i), "accounts", "login", "", ATTACKER_IP, 403,
            "python-requests/2.31.0", "ACCOUNT_LEVEL", params={"user": "svc-reporting@example.com"})
    add(at(date(2026, 11, 1), 2, 49, 30), "accounts", "login", "svc-reporting@example.com", ATTACKER_IP, 200,
        "python-requests/2.31.0", "ACCOUNT_LEVEL")

    events.sort(key=lambda e: (e["event_time"], e["action_name"], e["user_email"]))
    system = []
    for i, e in enumerate(events):
        system.append({
            "workspace_id": "0" if e["audit_level"] == "ACCOUNT_LEVEL" else WS_PROD, "version": "2.0",
            "event_time": ts(e["event_time"]), "event_date": ds(e["event_time"].date()),
            "source_ip_address": e["source_ip_address"], "user_agent": e["user_agent"],
            "user_identity": as_json({"email": e["user_email"]}),
            "service_name": e["service_name"], "action_name": e["action_name"],
            "request_params": as_json(e["request_params"]),
            "response": as_json({"status_code": e["status_code"]}),
            "audit_level": e["audit_level"], "event_id": hexid("audit", i, e["event_time"], n=32),
        })
    write("system_access__audit_csv",
          ["workspace_id", "version", "event_time", "event_date", "source_ip_address", "user_agent",
           "user_identity", "service_name", "action_name", "request_params", "response", "audit_level",
           "event_id"], system)


# ----------------------------------------------------------------------------------------------
# query: system.query.history
# ----------------------------------------------------------------------------------------------
def query_rows():
    rows = []

    def add(start: datetime, user: str, client: str, stype: str, duration_s: float, *, status="FINISHED",
            queue_s=0.0, compute_wait_s=0.0, spill_bytes=0, read_bytes=None, cached=False):
        if start >= NOW:
            return
        total_ms = int(duration_s * 1000)
        queue_ms, wait_ms = int(queue_s * 1000), int(compute_wait_s * 1000)
        compile_ms = min(total_ms, rng.randint(40, 400))
        exec_ms = max(0, total_ms - queue_ms - wait_ms - compile_ms)
        rows.append({
            "workspace_id": WS_PROD, "statement_id": uid("stmt", len(rows), start),
            "executed_by": user, "execution_status": status, "statement_type": stype,
            "client_application": client, "start_time": ts(start),
            "end_time": ts(start + timedelta(milliseconds=total_ms)),
            "total_duration_ms": total_ms, "waiting_for_compute_duration_ms": wait_ms,
            "waiting_at_capacity_duration_ms": queue_ms, "compilation_duration_ms": compile_ms,
            "execution_duration_ms": exec_ms,
            "read_bytes": read_bytes if read_bytes is not None else rng.randint(10**6, 5 * 10**9),
            "spilled_local_bytes": spill_bytes, "from_result_cache": "true" if cached else "false",
        })

    for d in days(START_DAY, NOW.date()):
        surge = d == date(2026, 10, 12)
        # BI dashboards refresh every odd hour at :15 on the always-on serverless warehouse
        for hour in range(1, 24, 2):
            for k in range(2):
                cached = rng.random() < 0.35
                busy = is_weekday(d) and 9 <= hour <= 17
                queue = rng.uniform(0, 4) if busy else 0.0
                if surge and busy:
                    queue = rng.uniform(20, 90)
                add(at(d, hour, 15, 10 * k + rng.randint(0, 9)), "svc-reporting@example.com", "Databricks SQL Dashboard",
                    "SELECT", 0.2 if cached else rng.uniform(1.0, 9.0) + queue, queue_s=queue, cached=cached)
        # ad-hoc analysis (weekdays; a little on weekends)
        for _ in range(rng.randint(9, 14) if is_weekday(d) else rng.randint(1, 2)):
            user = f"{rng.choice(USERS)}@example.com"
            start = at(d, rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59))
            r = rng.random()
            duration = rng.uniform(2, 40) if r < 0.85 else rng.uniform(60, 240) if r < 0.97 else rng.uniform(600, 2400)
            status = "FAILED" if (is_weekday(d) and rng.random() < 0.04) else "FINISHED"
            spill = rng.randint(1, 8) * 2**30 if duration > 600 else 0
            add(start, user, rng.choice(["Databricks SQL Editor", "Tableau", "Power BI", "Notebook"]),
                rng.choice(["SELECT"] * 6 + ["INSERT", "MERGE"]), duration, status=status,
                compute_wait_s=rng.uniform(5, 15) if r < 0.05 else 0.0, spill_bytes=spill)
    # the incident: two huge joins on the ad-hoc path spill ~45 GB each (Saturday evening)
    for k, minute in enumerate((5, 40)):
        add(at(date(2026, 10, 31), 20, minute), "dave@example.com", "Notebook", "SELECT", 1480 + 60 * k,
            spill_bytes=(45 + k) * 2**30, read_bytes=380 * 2**30)
    rows.sort(key=lambda r: (r["start_time"], r["statement_id"]))
    write("system_query__history",
          ["workspace_id", "statement_id", "executed_by", "execution_status", "statement_type",
           "client_application", "start_time", "end_time", "total_duration_ms",
           "waiting_for_compute_duration_ms", "waiting_at_capacity_duration_ms", "compilation_duration_ms",
           "execution_duration_ms", "read_bytes", "spilled_local_bytes", "from_result_cache"], rows)


# ----------------------------------------------------------------------------------------------
# compute: clusters, node_timeline, warehouse_events
# ----------------------------------------------------------------------------------------------
def compute_rows():
    clusters, nodes, events = [], [], []

    def cluster(cid, name, owner, source, created, autoterm, node_type, workers, *, dbr="15.4.x-scala2.12",
                deleted=None, changes=()):
        for change_time in (created, *changes):
            clusters.append({
                "workspace_id": WS_PROD, "cluster_id": cid, "cluster_name": name,
                "owned_by": owner, "create_time": ts(created), "delete_time": ts(deleted),
                "driver_node_type": node_type, "worker_node_type": node_type, "worker_count": workers,
                "auto_termination_minutes": "" if autoterm is None else autoterm,
                "cluster_source": source, "dbr_version": dbr, "change_time": ts(change_time),
                "change_date": ds(change_time.date()), "data_security_mode": "USER_ISOLATION",
            })

    def samples(cid, node_type, start: datetime, end: datetime, n_workers: int, cpu: tuple, mem: tuple):
        t = start
        while t < end and t < NOW:
            for i in range(n_workers + 1):
                nodes.append({
                    "workspace_id": WS_PROD, "cluster_id": cid,
                    "instance_id": f"i-{hexid(cid, i, n=17)}", "start_time": ts(t),
                    "end_time": ts(t + timedelta(minutes=1)), "driver": "true" if i == 0 else "false",
                    "cpu_user_percent": round(rng.uniform(*cpu), 1), "cpu_system_percent": round(rng.uniform(1, 4), 1),
                    "mem_used_percent": round(rng.uniform(*mem), 1), "mem_swap_percent": 0.0,
                    "node_type": node_type,
                })
            t += timedelta(hours=1)

    cluster("0901-120000-anlyt001", "analytics-shared", "alice@example.com", "UI", at(date(2026, 8, 20), 9), 60,
            "i3.xlarge", 1, changes=(at(date(2026, 9, 14), 10, 5),))
    cluster("0902-090000-dsteam01", "ds-team-interactive", "erin@example.com", "UI", at(date(2026, 8, 22), 9), 120,
            "r5.2xlarge", 1)
    cluster(GPU_CLUSTER, "adhoc-gpu-exploration", "dave@example.com", "UI", at(date(2026, 10, 31), 8, 2), 720,
            "g5.12xlarge", 1)
    cluster("0815-101010-oldproto", "prototype-ml", "frank@example.com", "API", at(date(2026, 8, 15), 10), 30,
            "i3.xlarge", 2, deleted=at(date(2026, 9, 30), 17), changes=(at(date(2026, 9, 30), 17),))
    for d in days(START_DAY, NOW.date()):
        if is_weekday(d):
            samples("0901-120000-anlyt001", "i3.xlarge", at(d, 8, 30), at(d, 20, 30), 1, (30, 70), (40, 75))
            samples("0902-090000-dsteam01", "r5.2xlarge", at(d, 9, 10), at(d, 18, 10), 1, (15, 50), (35, 70))
        # job clusters (one per run) for gold_daily_refresh and weekly_compaction
        cid = f"{d.strftime('%m%d')}-020000-job101{d.day:02d}"
        cluster(cid, f"job-101-run-{d.isoformat()}", "svc-etl@example.com", "JOB", at(d, 2), None, "i3.2xlarge", 2)
        samples(cid, "i3.2xlarge", at(d, 2, 10), at(d, 2, 50), 2, (55, 90), (60, 85))
        if d.weekday() == 6:
            cid = f"{d.strftime('%m%d')}-003000-job106{d.day:02d}"
            cluster(cid, f"job-106-run-{d.isoformat()}", "svc-etl@example.com", "JOB", at(d, 0, 30), None,
                    "r5.4xlarge", 2)
            hi = (92, 98) if d == date(2026, 10, 25) else (62, 84)
            samples(cid, "r5.4xlarge", at(d, 0, 40), at(d, 5, 40) if d == date(2026, 10, 25) else at(d, 2, 55),
                    2, (40, 80), hi)
    # the incident: the GPU cluster is started and then left idle
    samples(GPU_CLUSTER, "g5.12xlarge", at(date(2026, 10, 31), 8, 15), NOW, 1, (0.5, 2.5), (8, 14))

    # warehouse events
    def ev(wh, t, event_type, count):
        if t < NOW:
            events.append({"workspace_id": WS_PROD, "warehouse_id": wh,
                           "event_type": event_type, "cluster_count": count, "event_time": ts(t)})

    ev(WH_BI, at(START_DAY, 0, 0, 5), "STARTING", 1)
    ev(WH_BI, at(START_DAY, 0, 1, 30), "RUNNING", 1)
    for d in days(START_DAY, NOW.date()):
        if is_weekday(d):
            peak = 4 if d == date(2026, 10, 12) else 3 if rng.random() < 0.6 else 2
            for c in range(2, peak + 1):
                ev(WH_BI, at(d, 7 + c, rng.randint(0, 50)), "SCALED_UP", c)
            for c in range(peak - 1, 0, -1):
                ev(WH_BI, at(d, 18 + (peak - c), rng.randint(0, 50)), "SCALED_DOWN", c)
            ev(WH_ADHOC, at(d, 8, rng.randint(0, 20)), "STARTING", 0)
            ev(WH_ADHOC, at(d, 8, 25), "RUNNING", 1)
            if rng.random() < 0.3:
                ev(WH_ADHOC, at(d, 11, rng.randint(0, 59)), "SCALED_UP", 2)
                ev(WH_ADHOC, at(d, 15, rng.randint(0, 59)), "SCALED_DOWN", 1)
            ev(WH_ADHOC, at(d, 19, 10), "STOPPING", 1)
            ev(WH_ADHOC, at(d, 19, 12), "STOPPED", 0)
        else:
            ev(WH_BI, at(d, 10, rng.randint(0, 50)), "SCALED_UP", 2)
            ev(WH_BI, at(d, 16, rng.randint(0, 50)), "SCALED_DOWN", 1)
    events.sort(key=lambda e: (e["event_time"], e["warehouse_id"]))

    write("system_compute__clusters",
          ["workspace_id", "cluster_id", "cluster_name", "owned_by", "create_time", "delete_time",
           "driver_node_type", "worker_node_type", "worker_count", "auto_termination_minutes", "cluster_source",
           "dbr_version", "change_time", "change_date", "data_security_mode"], clusters)
    write("system_compute__node_timeline",
          ["workspace_id", "cluster_id", "instance_id", "start_time", "end_time", "driver",
           "cpu_user_percent", "cpu_system_percent", "mem_used_percent", "mem_swap_percent", "node_type"], nodes)
    write("system_compute__warehouse_events",
          ["workspace_id", "warehouse_id", "event_type", "cluster_count", "event_time"], events)


# ----------------------------------------------------------------------------------------------
# gold business tables: dim_customers, fact_orders
# ----------------------------------------------------------------------------------------------
COUNTRIES = ["US", "US", "US", "CA", "GB", "DE", "FR", "NL", "JP", "AU"]


def business_rows():
    customers = []
    for n in range(1, 301):
        created = at(date(2025, 1, 1), 9) + timedelta(days=rng.randint(0, 600), minutes=rng.randint(0, 600))
        email = "" if n in (57, 211) else f"customer{n:05d}@mail.example.com"
        customers.append({"customer_id": f"C{n:05d}", "customer_name": f"Customer {n:05d}", "email": email,
                          "country": rng.choice(COUNTRIES), "created_at": ts(created),
                          "record_updated_timestamp": ts(at(date(2026, 10, 29), 1, 44))})
    dup = dict(customers[41])          # C00042 loaded twice by a bad merge
    dup["email"] = dup["email"].upper()
    customers.insert(42, dup)

    orders = []
    last_load = date(2026, 10, 28)     # orders_gold_load has failed since 2026-10-30
    n = 100000
    for d in days(START_DAY, last_load):
        for _ in range(rng.randint(10, 20) if is_weekday(d) else rng.randint(4, 9)):
            n += 1
            customer = f"C{rng.randint(1, 300):05d}"
            if d == date(2026, 9, 10) and not any(o["customer_id"] == "C00999" for o in orders):
                customer = "C00999"    # orphan (backtest)
            loaded = at(d + timedelta(days=1), 1, 30) + timedelta(minutes=rng.randint(14, 17))
            orders.append({"order_id": f"O{n}", "customer_id": customer, "order_date": ds(d),
                           "order_amount": round(rng.lognormvariate(4.2, 0.8), 2), "currency": "USD",
                           "record_updated_timestamp": ts(loaded)})
    write("gold__dim_customers",
          ["customer_id", "customer_name", "email", "country", "created_at", "record_updated_timestamp"], customers)
    write("gold__fact_orders",
          ["order_id", "customer_id", "order_date", "order_amount", "currency", "record_updated_timestamp"], orders)


def alert_run_rows():
    """system.query.history rows of the example's own alerts, as Databricks runs them on their
    schedules: what the package's run-history models read (models/observed, setting
    alerts_query_history_enabled). Kept in a seed of their own so the PERFORMANCE alerts' sample
    stays as it was; its own Random, so the other files do not change. query_source and compute
    are JSON text (STRUCTs in the real table), typed back by the view system_query__history_alert_runs.
    Columns as documented: https://docs.databricks.com/en/admin/system-tables/query-history.html"""
    runs = random.Random(2101)
    catalog = OUT_DIR.parent / "alert_configurations.csv"
    with catalog.open(newline="") as f:
        alerts = [r for r in csv.DictReader(f) if r["is_enabled"].strip().lower() == "true"
                  and r["pause_status"].strip().upper() != "PAUSED"]
    rows = []
    for d in days(date(2026, 10, 25), LAST_DAY):
        for i, alert in enumerate(alerts):
            alert_id = alert["alert_id"]
            warehouse = WH_ADHOC if alert_id == alerts[0]["alert_id"] and d >= date(2026, 10, 29) else WH_BI
            for k in range(2 if i % 5 == 0 else 1):  # a few alerts run twice a day
                start = at(d, 6 + 12 * k, i % 60, runs.randint(0, 59))
                failed = alert_id == alerts[-1]["alert_id"] and d >= date(2026, 10, 30)
                total_ms = runs.randint(300, 4000) if not failed else runs.randint(100, 300)
                rows.append({
                    "account_id": "11e22ba4-87b9-4cc2-9770-d10b894b7118", "workspace_id": WS_PROD,
                    "statement_id": uid("alert-run", alert_id, d, k), "execution_status": "FAILED" if failed else "FINISHED",
                    "compute": as_json({"type": "WAREHOUSE", "cluster_id": None, "warehouse_id": warehouse}),
                    "executed_by": "svc-alerts@example.com",
                    "statement_text": f"-- dbt_alerts alert_id: {alert_id}\nselect ...",
                    "statement_type": "SELECT",
                    "error_message": "[TABLE_OR_VIEW_NOT_FOUND] The table or view `main`.`gold`.`fact_orders` cannot "
                                     "be found." if failed else "",
                    "client_application": "Databricks SQL Alerts",
                    "start_time": ts(start), "end_time": ts(start + timedelta(milliseconds=total_ms)),
                    "total_duration_ms": total_ms,
                    "query_source": as_json({"alert_id": uid("databricks-alert", alert_id), "dashboard_id": None,
                                             "notebook_id": None, "sql_query_id": None}),
                })
    rows.sort(key=lambda r: (r["start_time"], r["statement_id"]))
    write("system_query__history_alert_runs_csv",
          ["account_id", "workspace_id", "statement_id", "execution_status", "compute", "executed_by",
           "statement_text", "statement_type", "error_message", "client_application", "start_time", "end_time",
           "total_duration_ms", "query_source"], rows)


def main() -> None:
    usage_rows()
    lakeflow_rows()
    audit_rows()
    query_rows()
    compute_rows()
    business_rows()
    alert_run_rows()


if __name__ == "__main__":
    main()
