"""The alert query templates (macros/templates/, docs/templates.md) on crafted data whose answer is
known, with real dbt on DuckDB and `alert-sync evaluate`.

One host project (`template_checks`, written from scratch, the package installed with `dbt deps`)
holds small seeds shaped so each template has moments where it must fire and moments where it
must not, and one alert per template (two for the anomaly: with and without per_weekday). It is
built once; one backtest (`evaluate --from/--to`, daily at 06:00) plus one `--as-of` give the
states, which are checked at the moments the data was made for. The data, with "yesterday" the
day before the moment:

* costs: SKU A costs 100 a day, SKU B 10, from 2025-12-01, except A 400 on 2026-01-20 (4x its
  28-day average) and B 25 on 2026-01-25 (2.5x: under the 3x threshold).
* metric: weekdays 1000, weekends 300 (each +/- up to 20), except Wed 2026-01-14 5000 (a spike
  any band sees), Sat 01-17 900 (normal for a weekday, 3x a Saturday) and Tue 01-27 100 (a drop).
* runs: 11 finished runs between one 06:00 and the next, 1 FAILED (9%), and one more FAILED run
  exactly at 2026-01-10 06:00, in the window that starts there (2 of 11: 18%), not the one ending there.
* orders: written daily at 01:00 from 01-05 to 01-10, then not until 01-12 03:00.
* events: 10 rows a day in January, 3 on 01-15.
* customers: 50, one with a NULL email and one with a blank one (2% or 4%), all blanks in the US.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import alert_sync
from projects import DbtProject, clone_built, duckdb_profiles, install_package

# This module builds a project of its own once (module-scoped fixture): `make test` runs its tests
# on one pytest-xdist worker (--dist loadgroup), so it is built once.
pytestmark = pytest.mark.xdist_group("templates")

NAME = "template_checks"
PROFILES = duckdb_profiles("template_checks")
DBT_PROJECT = f"""
name: {NAME}
version: "1.0.0"
config-version: 2
profile: {NAME}
"""
CUSTOMERS = "select customer_id, case when email = 'BLANK' then '   ' else email end as email, region from {{ ref('raw_customers') }}\n"

HEADER = ("alert_id,alert_name,alert_description,agent_domain,severity,query_model,threshold_column,"
          "threshold_operator,threshold_value_type,threshold_value,aggregation_type,empty_result_state,"
          "schedule_cron,schedule_timezone,pause_status,is_enabled,notification_channels,notify_on_ok,"
          "retrigger_seconds,custom_summary,custom_description,owner")

# alert_id -> (model SQL after alert_model(), threshold_column, operator, value type, value, aggregation)
ALERTS = {
    "SPIKE-SKU": ("{{ dbt_alerts.cost_spike(ref('costs'), date_column='usage_date', cost_column='cost', group_by=['sku']) }}",
                  "spend_ratio", ">", "DOUBLE", "3", "MAX"),
    "SPIKE-TOTAL": ("{{ dbt_alerts.cost_spike(ref('costs'), date_column='usage_date', cost_column='cost') }}",
                    "spend_ratio", ">", "DOUBLE", "3", ""),
    "CHANGE": ("{{ dbt_alerts.percent_change(ref('costs'), date_column='usage_date', value_column='cost', period_days=7) }}",
               "change_pct", ">=", "DOUBLE", "25", ""),
    "FAILURES": ("{{ dbt_alerts.failure_rate(ref('runs'), time_column='finished_at', state_column='result_state', "
                 "failure_states=['FAILED', 'ERROR'], window_hours=24) }}",
                 "failure_rate_pct", ">", "DOUBLE", "15", ""),
    "FRESH": ("{{ dbt_alerts.data_freshness(ref('orders'), timestamp_column='updated_at') }}",
              "hours_since_update", ">", "DOUBLE", "26", ""),
    "ROWS": ("{{ dbt_alerts.row_count_drop(ref('events'), date_column='event_date', baseline_days=7, min_ratio=0.5) }}",
             "yesterday_rows", "<", "COLUMN", "min_expected_rows", ""),
    "NULLS": ("{{ dbt_alerts.null_rate(ref('customers'), column='email') }}", "null_pct", ">", "DOUBLE", "2", ""),
    "BLANKS": ("{{ dbt_alerts.null_rate(ref('customers'), column='email', blank_is_null=true) }}",
               "null_pct", ">", "DOUBLE", "2", ""),
    "BLANKS-EU": ("{{ dbt_alerts.null_rate(ref('customers'), column='email', blank_is_null=true, where=\"region = 'EU'\") }}",
                  "null_pct", ">", "DOUBLE", "0", ""),
    "ANOMALY-WEEKDAY": ("{{ dbt_alerts.anomaly(ref('metric'), date_column='value_date', value_column='amount', "
                        "baseline_days=28, k=3, per_weekday=true) }}", "is_anomaly", "=", "BOOLEAN", "true", ""),
    "ANOMALY-ALL": ("{{ dbt_alerts.anomaly(ref('metric'), date_column='value_date', value_column='amount', "
                    "baseline_days=28, k=3) }}", "is_anomaly", "=", "BOOLEAN", "true", ""),
}

FIRST_DAY, LAST_DAY = date(2025, 12, 1), date(2026, 1, 31)
T, OK = "TRIGGERED", "OK"
# moment (06:00) -> the states the data was made for
EXPECTED = {
    "2025-12-03": {"FRESH": T,                                   # no order written yet: 9999 hours
                   "ANOMALY-WEEKDAY": OK, "ANOMALY-ALL": OK},    # 0 and 1 baseline days: too few to judge
    "2026-01-10": {"FAILURES": OK, "FRESH": OK},                 # 1 of 11 failed; the FAILED at 06:00 is not in yet
    "2026-01-11": {"FAILURES": T, "FRESH": T},                   # 2 of 11; the last write was 29 hours ago
    "2026-01-12": {"FAILURES": OK, "FRESH": OK},                 # 1 of 11; written at 03:00
    "2026-01-15": {"ANOMALY-WEEKDAY": T, "ANOMALY-ALL": T},      # Wed 5000
    "2026-01-16": {"ROWS": T},                                   # 3 rows < half of 10
    "2026-01-17": {"ROWS": OK},                                  # 10 rows again
    "2026-01-18": {"ANOMALY-WEEKDAY": T, "ANOMALY-ALL": OK},     # Sat 900: only the Saturdays know it is high
    "2026-01-21": {"SPIKE-SKU": T, "SPIKE-TOTAL": T, "CHANGE": T},  # A 400 vs 100; the week +39%
    "2026-01-22": {"SPIKE-SKU": OK, "SPIKE-TOTAL": OK, "ANOMALY-WEEKDAY": OK, "ANOMALY-ALL": OK},
    "2026-01-26": {"SPIKE-SKU": OK},                             # B at 2.5x is under 3x
    "2026-01-28": {"ANOMALY-WEEKDAY": T, "ANOMALY-ALL": OK},     # Tue 100: only the Tuesdays' band is narrow
    "2026-01-29": {"CHANGE": OK},                                # the week after the spike: -27%
}
TIME_FREE = {"NULLS": OK, "BLANKS": T, "BLANKS-EU": OK}  # 1 NULL = 2% (not > 2); + 1 blank = 4%; EU 0%


def jitter(day: date) -> int:
    """A deterministic -20..20 wobble, so a baseline has a standard deviation."""
    return (day.toordinal() * 7919) % 41 - 20


def days(first: date, last: date):
    while first <= last:
        yield first
        first += timedelta(days=1)


def seeds() -> dict[str, list[str]]:
    costs = ["usage_date,sku,cost"]
    metric = ["value_date,amount"]
    for day in days(FIRST_DAY, LAST_DAY):
        costs.append(f"{day},A,{400 if day == date(2026, 1, 20) else 100}")
        costs.append(f"{day},B,{25 if day == date(2026, 1, 25) else 10}")
        special = {date(2026, 1, 14): 5000, date(2026, 1, 17): 900, date(2026, 1, 27): 100}
        base = 300 if day.weekday() >= 5 else 1000
        metric.append(f"{day},{special.get(day, base + jitter(day))}")
    runs = ["run_id,finished_at,result_state"]
    finished = ([(f"2026-01-09 {h:02d}:00:00", h == 9) for h in range(7, 18)]       # 11 runs, 1 failed
                + [("2026-01-10 06:00:00", True)]                                    # at the edge
                + [(f"2026-01-10 {h:02d}:00:00", h == 12) for h in range(7, 17)]     # 10 runs, 1 failed
                + [(f"2026-01-11 {h:02d}:00:00", h == 10) for h in range(7, 18)])    # 11 runs, 1 failed
    for run_id, (at, failed) in enumerate(finished):
        runs.append(f"{run_id},{at},{'FAILED' if failed else 'SUCCEEDED'}")
    orders = ["order_id,updated_at"]
    for i, day in enumerate(days(date(2026, 1, 5), date(2026, 1, 10))):
        orders.append(f"{i},{day} 01:00:00")
    for i, day in enumerate(days(date(2026, 1, 12), LAST_DAY), start=100):
        orders.append(f"{i},{day} 03:00:00")
    events = ["event_id,event_date"]
    for day in days(date(2026, 1, 1), LAST_DAY):
        for i in range(3 if day == date(2026, 1, 15) else 10):
            events.append(f"{day.isoformat()}-{i},{day}")
    # A seed cannot hold a blank string (dbt reads it as NULL): the model `customers` turns 'BLANK' into one.
    raw_customers = ["customer_id,email,region", "0,,US", "1,BLANK,US"]
    raw_customers += [f"{i},c{i}@example.com,EU" for i in range(2, 50)]
    return {"costs": costs, "metric": metric, "runs": runs, "orders": orders, "events": events,
            "raw_customers": raw_customers}


def catalog() -> list[str]:
    rows = [HEADER]
    for alert_id, (_, column, operator, value_type, value, aggregation) in ALERTS.items():
        rows.append(f"{alert_id},{alert_id},template check,QUALITY,INFO,{model_name(alert_id)},{column},{operator},"
                    f"{value_type},{value},{aggregation},OK,0 0 6 * * ?,UTC,UNPAUSED,true,team@example.com,false,,,,"
                    "team@example.com")
    return rows


def model_name(alert_id: str) -> str:
    return alert_id.lower().replace("-", "_")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    path = tmp_path_factory.mktemp("templates") / NAME
    (path / "models" / "alerts").mkdir(parents=True)
    (path / "seeds").mkdir()
    (path / "dbt_project.yml").write_text(DBT_PROJECT)
    (path / "profiles.yml").write_text(PROFILES)
    for name, lines in seeds().items():
        (path / "seeds" / f"{name}.csv").write_text("\n".join(lines) + "\n")
    (path / "seeds" / "alert_configurations.csv").write_text("\n".join(catalog()) + "\n")
    (path / "models" / "customers.sql").write_text(CUSTOMERS)
    for alert_id, (call, *_) in ALERTS.items():
        (path / "models" / "alerts" / f"{model_name(alert_id)}.sql").write_text(
            "{{ dbt_alerts.alert_model() }}\n" + call + "\n")
    project = DbtProject(path, NAME)
    install_package(project)
    result = project.dbt("build")
    assert result.ok, result.output[-5000:]
    return project


@pytest.fixture(scope="module")
def states(project: DbtProject) -> dict[str, dict[str, tuple[str, object]]]:
    """{moment: {alert_id: (state, value)}} of one daily backtest plus the one early moment."""
    out: dict[str, dict[str, tuple[str, object]]] = {}
    runs = [alert_sync(project, "evaluate", "--from", "2026-01-10 06:00", "--to", "2026-01-29 06:00",
                       "--json", "--no-record"),
            alert_sync(project, "evaluate", "--as-of", "2025-12-03 06:00", "--json", "--no-record")]
    for run in runs:
        assert run.exit_code == 0, run.stderr
        for e in run.json["evaluations"]:
            assert e["error"] is None, e
            moment = (e.get("as_of") or run.json["as_of"])[:10]
            out.setdefault(moment, {})[e["alert_id"]] = (e["state"], e["value"])
    return out


@pytest.mark.parametrize("moment", sorted(EXPECTED))
def test_templates_fire_exactly_where_the_data_says(moment, states):
    got = {alert_id: states[moment][alert_id][0] for alert_id in EXPECTED[moment]}
    assert got == EXPECTED[moment], {a: states[moment][a] for a in EXPECTED[moment]}


def test_null_rate_counts_nulls_and_optionally_blanks(states):
    got = {alert_id: states["2026-01-12"][alert_id] for alert_id in TIME_FREE}
    assert {a: s for a, (s, _) in got.items()} == TIME_FREE, got
    assert [float(got[a][1]) for a in TIME_FREE] == [2.0, 4.0, 0.0]


def test_output_values_at_known_moments(states):
    """The threshold columns' values, worked out by hand from the crafted data."""
    assert float(states["2026-01-21"]["SPIKE-SKU"][1]) == 4.0                        # A: 400 / (2800 / 28)
    assert float(states["2026-01-21"]["SPIKE-TOTAL"][1]) == round(410 / 110, 2)      # 410 / ((2800 + 280) / 28)
    assert float(states["2026-01-21"]["CHANGE"][1]) == round(100 * (1070 - 770) / 770, 2)
    assert float(states["2026-01-26"]["SPIKE-SKU"][1]) == 2.5                        # B: 25 / 10
    assert float(states["2026-01-11"]["FAILURES"][1]) == round(100 * 2 / 11, 2)
    assert float(states["2026-01-11"]["FRESH"][1]) == 29.0                           # 01-10 01:00 .. 01-11 06:00
    assert float(states["2025-12-03"]["FRESH"][1]) == 9999.0
    assert states["2026-01-16"]["ROWS"][1] == 3


def test_every_template_is_checked():
    used = {call.split("(")[0].split(".")[1] for call, *_ in ALERTS.values()}
    shipped = {p.stem for p in (Path(__file__).resolve().parent.parent / "macros" / "templates").glob("*.sql")}
    assert shipped - {"template_require", "template_days_window"} == used  # internal helpers


BROKEN_CALLS = {
    "missing argument": ("{{ dbt_alerts.cost_spike(ref('costs'), cost_column='cost') }}",
                         "dbt_alerts.cost_spike() is missing its required argument 'date_column'. Pass it by name"),
    "count as text": ("{{ dbt_alerts.anomaly(ref('metric'), date_column='value_date', value_column='amount', baseline_days='28') }}",
                      "dbt_alerts.anomaly() needs argument 'baseline_days' as a whole number of at least 1, got 28"),
    "baseline too short": ("{{ dbt_alerts.anomaly(ref('metric'), date_column='value_date', value_column='amount', "
                           "baseline_days=14, per_weekday=true, min_baseline_days=3) }}",
                           "dbt_alerts.anomaly() could never fire: min_baseline_days=3 but the baseline holds at most 2 days"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CALLS))
def test_a_bad_template_call_fails_the_build_naming_model_template_and_argument(case, project, tmp_path):
    call, message = BROKEN_CALLS[case]
    broken = clone_built(project, tmp_path / "broken")
    (broken.path / "models" / "alerts" / "broken_alert.sql").write_text("{{ dbt_alerts.alert_model() }}\n" + call + "\n")
    result = broken.dbt("build")
    assert not result.ok
    assert f"Alert model 'broken_alert': {message}" in result.output, result.output[-3000:]
