"""alert-sync evaluate: Alerts v2 semantics on real DuckDB queries, backtests over a generated
series with exact expected trigger counts, and the CLI on the shipped project (JSON shape, the
alert_evaluations rows, exit codes). The rules alone, without a database, are in
test_evaluate_rules.py."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from conftest import alert_sync
from projects import DbtProject, clone_built

from alert_sync import metrics
from alert_sync.catalog import CatalogRow
from alert_sync.desired import build_evaluation
from alert_sync.evaluate import run_alert

# This module builds a project of its own once (module-scoped fixture): `make test` runs its tests
# on one pytest-xdist worker (--dist loadgroup), so it is built once.
pytestmark = pytest.mark.xdist_group("evaluate")

JSON_KEYS = ["alert_id", "state", "value", "threshold", "row_count", "error", "duration_ms"]


# --------------------------------------------------------------------------------------------
# Semantics, table-driven, every case a real DuckDB query through the runner evaluate uses
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def db():
    target = metrics.SqlTarget(duckdb.connect(), "duckdb")
    yield target
    target.close()


def catalog_row(column: str = "x", op: str = ">", value_type: str = "DOUBLE", value: str = "5", agg: str = "",
                empty: str = "OK") -> CatalogRow:
    return CatalogRow({"alert_id": "T-1", "threshold_column": column, "threshold_operator": op,
                       "threshold_value_type": value_type, "threshold_value": value, "aggregation_type": agg,
                       "empty_result_state": empty}, line=2)


def evaluate(db, sql: str, **row):
    return run_alert(db, "T-1", sql, build_evaluation(catalog_row(**row)))


def one(value_sql: str, column: str = "x") -> str:
    return f"select {value_sql} as {column}"


OPS = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
       "=": lambda a, b: a == b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<>": lambda a, b: a != b,
       "GREATER_THAN": lambda a, b: a > b, "LESS_THAN_OR_EQUAL": lambda a, b: a <= b, "EQUAL": lambda a, b: a == b,
       "NOT_EQUAL": lambda a, b: a != b}

# (value type, SQL literal of the source value, its Python value, threshold_value text, its Python value)
OPERANDS = [
    ("DOUBLE", "4", 4, "5", 5.0), ("DOUBLE", "5", 5, "5", 5.0), ("DOUBLE", "6", 6, "5", 5.0),
    ("DOUBLE", "5.25::double", 5.25, "5.25", 5.25), ("DOUBLE", "5.50::decimal(10,2)", 5.5, "5.4", 5.4),
    ("DOUBLE", "-1e3", -1000.0, "-999.5", -999.5),
    ("DOUBLE", "'12.5'", 12.5, "9", 9.0),  # a numeric string is read as DOUBLE
    ("STRING", "'b'", "b", "a", "a"), ("STRING", "'b'", "b", "b", "b"), ("STRING", "'b'", "b", "c", "c"),
    ("STRING", "'B'", "B", "b", "b"),  # binary (codepoint) order: 'B' < 'b'
    ("STRING", "'SUCCEEDED'", "SUCCEEDED", "FAILED", "FAILED"),
    ("STRING", "10", 10, "9", 9.0),  # a number against a string threshold compares as numbers (10 > 9)
    ("STRING", "date '2026-10-02'", date(2026, 10, 2), "2026-10-01", date(2026, 10, 1)),
    ("BOOLEAN", "true", True, "true", True), ("BOOLEAN", "false", False, "true", True),
    ("BOOLEAN", "true", True, "false", False), ("BOOLEAN", "false", False, "false", False),
    ("BOOLEAN", "'yes'", True, "true", True),  # a string is cast to BOOLEAN
]


@pytest.mark.unit
@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("value_type,literal,value,threshold_text,threshold", OPERANDS,
                         ids=[f"{o[0]}:{o[1]}-vs-{o[3]}" for o in OPERANDS])
def test_every_operator_with_every_value_type(db, op, value_type, literal, value, threshold_text, threshold):
    ev = evaluate(db, one(literal), op=op, value_type=value_type, value=threshold_text)
    assert ev.error is None, ev.error
    assert ev.state == ("TRIGGERED" if OPS[op](value, threshold) else "OK"), (value, op, threshold)
    assert ev.row_count == 1 and ev.duration_ms is not None and ev.duration_ms >= 0
    assert ev.threshold == threshold and type(ev.threshold) is type(threshold) or value_type == "STRING"


@pytest.mark.unit
@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("left,right", [(10, 20), (20, 20), (30, 20)])
def test_column_threshold_with_every_operator(db, op, left, right):
    ev = evaluate(db, f"select {left} as x, {right} as limit_x", op=op, value_type="COLUMN", value="limit_x")
    assert ev.state == ("TRIGGERED" if OPS[op](left, right) else "OK")
    assert (ev.value, ev.threshold) == (left, right)


@pytest.mark.unit
def test_column_threshold_uses_the_same_aggregation_as_the_source(db):
    sql = "select * from (values (1, 10), (2, 10), (3, 10)) as t(x, floor_x)"
    ev = evaluate(db, sql, op="<", value_type="COLUMN", value="floor_x", agg="SUM")
    assert (ev.state, ev.value, ev.threshold) == ("TRIGGERED", 6, 30)  # SUM(x)=6 < SUM(floor_x)=30
    ev = evaluate(db, sql, op="<", value_type="COLUMN", value="floor_x", agg="MAX")
    assert (ev.state, ev.value, ev.threshold) == ("TRIGGERED", 3, 10)


VALUES = [1, 2, 2, None, 5, 7.5, None, 2]


@pytest.mark.unit
@pytest.mark.parametrize("agg,sql_fn", [("SUM", "sum(x)"), ("COUNT", "count(x)"), ("COUNT_DISTINCT", "count(distinct x)"),
                                        ("AVG", "avg(x)"), ("MEDIAN", "median(x)"), ("MIN", "min(x)"),
                                        ("MAX", "max(x)"), ("STDDEV", "stddev_samp(x)")])
@pytest.mark.parametrize("values", [VALUES, [4, 1, 3, 2], [3], [None, None], [2.5, None, 2.5]],
                         ids=["mixed-with-nulls", "even-count", "single", "all-null", "duplicates"])
def test_each_aggregation_matches_the_sql_aggregate(db, agg, sql_fn, values):
    """Over all rows, NULLs ignored, exactly as the warehouse's own aggregate computes it."""
    rows = ", ".join(f"({'NULL' if v is None else v}::double)" for v in values)
    sql = f"select * from (values {rows}) as t(x)"
    (expected,), = db.query(f"select {sql_fn} from ({sql})")[1]
    ev = evaluate(db, sql, op="IS_NOT_NULL", value_type="", value="", agg=agg)
    if expected is None:
        assert ev.value is None and ev.state == "OK"
    else:
        assert ev.state == "TRIGGERED"
        assert math.isclose(float(ev.value), float(expected), rel_tol=1e-12), (agg, values, ev.value, expected)


@pytest.mark.unit
def test_a_non_numeric_string_under_sum_is_an_error(db):
    ev = evaluate(db, "select * from (values ('a'), ('b')) as t(x)", agg="SUM")
    assert ev.state == "ERROR" and "cannot be cast to DOUBLE" in ev.error


@pytest.mark.unit
def test_without_aggregation_the_first_row_is_the_value(db):
    sql = "select * from (values (3, 'c'), (9, 'z'), (1, 'a')) as t(x, name) order by x desc"
    for agg in ("", "NONE", "FIRST", "first"):
        ev = evaluate(db, sql, op=">", value="8", agg=agg)
        assert (ev.state, ev.value, ev.row_count) == ("TRIGGERED", 9, 3)
    ev = evaluate(db, sql.replace("desc", "asc"), op=">", value="8")
    assert (ev.state, ev.value) == ("OK", 1)


@pytest.mark.unit
@pytest.mark.parametrize("op,expected", [(">", "OK"), ("<", "OK"), ("=", "OK"), ("!=", "OK"),
                                         ("IS_NULL", "TRIGGERED"), ("IS_NOT_NULL", "OK")])
def test_a_null_value_only_satisfies_is_null(db, op, expected):
    null_checks = op.startswith("IS_")
    ev = evaluate(db, "select cast(null as double) as x, 1 as y", op=op, value_type="" if null_checks else "DOUBLE",
                  value="" if null_checks else "1")
    assert (ev.state, ev.value, ev.error) == (expected, None, None)


@pytest.mark.unit
def test_nulls_in_aggregations_and_column_thresholds(db):
    ev = evaluate(db, "select * from (values (null::int), (null::int)) as t(x)", op="IS_NULL", value_type="", value="",
                  agg="MAX")
    assert (ev.state, ev.value, ev.row_count) == ("TRIGGERED", None, 2)
    ev = evaluate(db, "select * from (values (null::int), (null::int)) as t(x)", op="<", value="1", agg="COUNT")
    assert (ev.state, ev.value) == ("TRIGGERED", 0)
    ev = evaluate(db, "select 5 as x, null::int as limit_x", op=">", value_type="COLUMN", value="limit_x")
    assert (ev.state, ev.threshold) == ("OK", None)
    ev = evaluate(db, "select 5 as x", op="IS_NOT_NULL", value_type="", value="")
    assert ev.state == "TRIGGERED"


@pytest.mark.unit
@pytest.mark.parametrize("empty_state", ["OK", "TRIGGERED", "ERROR"])
@pytest.mark.parametrize("agg", ["", "COUNT", "SUM"])
def test_an_empty_result_takes_empty_result_state(db, empty_state, agg):
    ev = evaluate(db, "select 1 as x where false", op="<", value="1", agg=agg, empty=empty_state)
    assert (ev.state, ev.value, ev.row_count) == (empty_state, None, 0)
    assert (ev.error is not None) == (empty_state == "ERROR")


@pytest.mark.unit
@pytest.mark.parametrize("sql,needle", [
    ("select cast('abc' as integer) as x", "query failed"),
    ("select x from no_such_table", "query failed"),
    ("select 1 as y", "column 'x' is not in the query output"),
    ("select 1 as x, 2 as X", "ambiguous"),
    ("select 'abc' as x", "cannot be cast to DOUBLE"),
    ("select true as x", "cannot compare BOOLEAN"),
    ("select date '2026-01-01' as x", "cannot compare DATE"),
])
def test_errors_are_the_error_state(db, sql, needle):
    ev = evaluate(db, sql, op=">", value="1")
    assert ev.state == "ERROR" and needle in ev.error, ev.error
    # The connection stays usable after a failed query.
    assert evaluate(db, one("2"), op=">", value="1").state == "TRIGGERED"


@pytest.mark.unit
def test_boolean_threshold_against_a_number_is_an_error_and_columns_match_case_insensitively(db):
    ev = evaluate(db, one("1"), op="=", value_type="BOOLEAN", value="true")
    assert ev.state == "ERROR" and "cannot compare NUMBER" in ev.error
    ev = evaluate(db, "select 6012.5 as Daily_Cost", column="daily_cost", op=">", value="5000")
    assert (ev.state, ev.value, ev.threshold) == ("TRIGGERED", Decimal("6012.5"), 5000.0)
    assert ev.as_json() == {"alert_id": "T-1", "state": "TRIGGERED", "value": 6012.5, "threshold": 5000.0,
                            "row_count": 1, "error": None, "duration_ms": ev.duration_ms}


# --------------------------------------------------------------------------------------------
# Backtest over a generated series: exact trigger counts
# --------------------------------------------------------------------------------------------

SERIES_START = date(2026, 10, 1)
SERIES_DAYS = 24
THRESHOLD = 60
WINDOW_LIMIT = 170


def generated_series() -> dict[date, int]:
    """A deterministic daily series; a few days have no row (empty result)."""
    rng = random.Random(20261001)
    days = [SERIES_START + timedelta(days=i) for i in range(SERIES_DAYS)]
    missing = {days[5], days[11], days[17]}
    return {d: rng.randint(0, 100) for d in days if d not in missing}


@pytest.fixture(scope="module")
def series_project(tmp_path_factory, built_project) -> DbtProject:
    project = clone_built(built_project, tmp_path_factory.mktemp("series") / "project")
    series = generated_series()
    seed = project.path / "seeds" / "evaluate_series.csv"
    seed.write_text("day,amount\n" + "".join(f"{d.isoformat()},{v}\n" for d, v in sorted(series.items())))
    template = next(r for r in project.catalog_rows() if r["alert_id"] == "COST-001")
    daily = {**template, "alert_id": "SER-001", "alert_name": "Series above threshold", "query_model": "series_daily",
             "threshold_column": "amount", "threshold_operator": ">", "threshold_value_type": "DOUBLE",
             "threshold_value": str(THRESHOLD), "aggregation_type": "", "empty_result_state": "TRIGGERED",
             "is_enabled": "true"}
    project.add_alert(daily, sql=(
        "{{ dbt_alerts.alert_model() }}\n"
        "select amount from {{ ref('evaluate_series') }} where day = {{ dbt_alerts.alerts_today() }}\n"))
    window = {**daily, "alert_id": "SER-002", "alert_name": "Series 3-day window", "query_model": "series_window",
              "threshold_operator": ">=", "threshold_value": str(WINDOW_LIMIT), "aggregation_type": "SUM",
              "empty_result_state": "OK", "is_enabled": "false"}
    project.add_alert(window, sql=(
        "{{ dbt_alerts.alert_model() }}\n"
        "select day, amount from {{ ref('evaluate_series') }}\n"
        "where day > cast({{ dbt.dateadd('day', -3, dbt_alerts.alerts_today()) }} as date) and day <= {{ dbt_alerts.alerts_today() }}\n"
        "order by day\n"))
    # The same condition as SER-001, but the day is computed in Jinja from the var: the SQL holds
    # only the date, so substituting a moment for the sentinel cannot reproduce dbt's compile.
    jinja_day = {**daily, "alert_id": "SER-003", "alert_name": "Series, day from Jinja", "query_model": "series_jinja_day",
                 "is_enabled": "false"}
    project.add_alert(jinja_day, sql=(
        "{{ dbt_alerts.alert_model() }}\n"
        "{%- set as_of = dbt_alerts.get_config_var('alerts_as_of') -%}\n"
        "{%- set day = modules.datetime.datetime.strptime(as_of[:10], '%Y-%m-%d').date() if as_of else none -%}\n"
        "select amount from {{ ref('evaluate_series') }}\n"
        "where day = {{ \"cast('\" ~ day.isoformat() ~ \"' as date)\" if day else dbt_alerts.alerts_today() }}\n"))
    result = project.dbt("build")
    assert result.ok, result.output[-4000:]
    return project


def expected_daily(moments: list[date]) -> list[str]:
    series = generated_series()
    return ["TRIGGERED" if d not in series or series[d] > THRESHOLD else "OK" for d in moments]


def expected_window(moments: list[date]) -> list[str]:
    series = generated_series()
    out = []
    for d in moments:
        values = [series[d - timedelta(days=k)] for k in range(3) if d - timedelta(days=k) in series]
        out.append("TRIGGERED" if values and sum(values) >= WINDOW_LIMIT else "OK")
    return out


def flaps(states: list[str]) -> int:
    return sum(1 for a, b in zip(states, states[1:]) if a != b)


def test_backtest_over_a_generated_series_gives_the_exact_trigger_counts(series_project):
    project = series_project
    manifest_before = (project.path / "target" / "manifest.json").read_bytes()
    end = SERIES_START + timedelta(days=SERIES_DAYS - 1)
    run = alert_sync(project, "evaluate", "--select", "SER-001", "--select", "SER-002", "--from",
                     SERIES_START.isoformat(), "--to", end.isoformat(), "--json")
    assert run.exit_code == 0, run.stderr
    out = run.json
    days = [SERIES_START + timedelta(days=i) for i in range(SERIES_DAYS)]
    want = {"SER-001": expected_daily(days), "SER-002": expected_window(days)}
    for alert_id, states in want.items():
        got = [e["state"] for e in out["evaluations"] if e["alert_id"] == alert_id]
        assert got == states, alert_id
        summary = next(s for s in out["summary"] if s["alert_id"] == alert_id)
        assert summary["evaluations"] == SERIES_DAYS
        assert summary["triggered"] == states.count("TRIGGERED") > 0
        assert summary["trigger_rate"] == round(states.count("TRIGGERED") / SERIES_DAYS, 4)
    assert [d["as_of"] for d in out["dates"]] == [f"{d.isoformat()} 00:00:00" for d in days]
    assert "0 ERROR" in run.stderr and "How often each alert would have fired" in run.stderr
    # The recompile went to a temporary target path: the build's artifacts are untouched.
    assert (project.path / "target" / "manifest.json").read_bytes() == manifest_before

    # A coarser step evaluates every other day only.
    run = alert_sync(project, "evaluate", "--select", "SER-001", "--from", SERIES_START.isoformat(), "--to",
                     end.isoformat(), "--step", "2d", "--json", "--no-record")
    assert [e["state"] for e in run.json["evaluations"]] == expected_daily(days[::2])

    # The trigger history model over what was recorded: counts, last trigger, flapping.
    # (its own target path: target/ keeps the alert build that the other tests evaluate)
    result = project.dbt("build", "--select", "alert_trigger_history", "--target-path", "target_history")
    assert result.ok, result.output[-4000:]
    with duckdb.connect(str(project.duckdb_path), read_only=True) as con:
        history = {r[0]: r[1:] for r in con.execute(
            "select alert_id, evaluations, trigger_count, trigger_rate, flapping_count, last_triggered_at, last_state "
            "from main.alert_trigger_history").fetchall()}
    for alert_id, states in want.items():
        fired = [d for d, s in zip(days, states) if s == "TRIGGERED"]
        evaluations, trigger_count, rate, flapping, last_triggered, last_state = history[alert_id]
        assert (evaluations, trigger_count, flapping, last_state) == (
            SERIES_DAYS, len(fired), flaps(states), states[-1])
        assert rate == pytest.approx(len(fired) / SERIES_DAYS)
        assert last_triggered.date() == fired[-1]


def test_a_model_that_substitution_cannot_reproduce_is_recompiled_per_moment(series_project):
    end = SERIES_START + timedelta(days=SERIES_DAYS - 1)
    run = alert_sync(series_project, "evaluate", "--select", "SER-001,SER-003", "--from", SERIES_START.isoformat(),
                     "--to", end.isoformat(), "--json", "--no-record")
    assert run.exit_code == 0, run.stderr
    days = [SERIES_START + timedelta(days=i) for i in range(SERIES_DAYS)]
    for alert_id in ("SER-001", "SER-003"):
        assert [e["state"] for e in run.json["evaluations"] if e["alert_id"] == alert_id] == expected_daily(days)
    per_moment = run.json["recompiled_per_moment"]
    assert list(per_moment) == ["series_jinja_day"] and "does not reproduce dbt's compile" in per_moment["series_jinja_day"]
    assert "recompiled per moment: series_jinja_day" in run.stderr


def test_compile_once_gives_the_per_moment_results_on_the_example(project, monkeypatch):
    from alert_sync.evaluate.runner import EvaluateOptions, run_evaluate

    monkeypatch.setenv("DBT_DUCKDB_PATH", str(project.duckdb_path))
    outcomes = {}
    for once in (True, False):
        options = EvaluateOptions(project_dir=project.path, profiles_dir=project.path, start="2026-10-09 06:00",
                                  end="2026-10-13 06:00", record=False, compile_once=once)
        outcomes[once] = run_evaluate(options, lambda _: None)
    results = {once: [(e.alert_id, e.as_of, e.state, e.value, e.threshold, e.row_count, e.error)
                      for e in o.evaluations] for once, o in outcomes.items()}
    assert results[True] == results[False]
    assert len(results[True]) == 5 * len(outcomes[True].alerts) and any(r[2] == "TRIGGERED" for r in results[True])
    assert outcomes[True].recompiled_per_moment == {}
    assert (outcomes[True].dbt_compiles, outcomes[False].dbt_compiles) == (4, 5)  # 2 sentinels + both ends; each moment


def test_as_of_one_moment_and_a_disabled_alert_can_be_selected(series_project):
    day = SERIES_START + timedelta(days=3)
    run = alert_sync(series_project, "evaluate", "--select", "SER-001 SER-002", "--as-of", day.isoformat(),
                     "--json", "--no-record")
    assert run.exit_code == 0, run.stderr
    assert list(run.json) == ["run_id", "as_of", "evaluations"] and run.json["as_of"] == f"{day} 00:00:00"
    states = {e["alert_id"]: e["state"] for e in run.json["evaluations"]}
    assert states == {"SER-001": expected_daily([day])[0], "SER-002": expected_window([day])[0]}
    # Without --select only enabled alerts are evaluated (SER-002 is disabled).
    run = alert_sync(series_project, "evaluate", "--as-of", day.isoformat(), "--json", "--no-record")
    ids = [e["alert_id"] for e in run.json["evaluations"]]
    assert "SER-001" in ids and "SER-002" not in ids


# --------------------------------------------------------------------------------------------
# The CLI on the shipped project
# --------------------------------------------------------------------------------------------

def recorded(project: DbtProject, run_id: str) -> list[tuple]:
    with duckdb.connect(str(project.duckdb_path), read_only=True) as con:
        return con.execute(
            "select alert_id, state, value, threshold, row_count, error, duration_ms, as_of, evaluated_at "
            "from main.alert_evaluations where evaluation_run_id = ? order by alert_id", [run_id]).fetchall()


def text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def test_evaluate_json_on_the_shipped_project_and_the_rows_it_records(project):
    run = alert_sync(project, "evaluate", "--json")
    assert run.exit_code == 0, run.stderr
    out = run.json
    assert list(out) == ["run_id", "as_of", "evaluations"] and out["as_of"] is None
    enabled = [r["alert_id"] for r in project.catalog_rows() if r["is_enabled"] == "true"]
    assert [e["alert_id"] for e in out["evaluations"]] == enabled
    for e in out["evaluations"]:
        assert list(e) == JSON_KEYS
        assert e["state"] in ("OK", "TRIGGERED") and e["error"] is None, e
        assert isinstance(e["row_count"], int) and isinstance(e["duration_ms"], int)
    triggered = {e["alert_id"] for e in out["evaluations"] if e["state"] == "TRIGGERED"}
    assert len(triggered) == 12, sorted(triggered)  # the sample data's "now" (2026-11-01 06:00)
    assert "12 TRIGGERED" in run.stderr

    rows = recorded(project, out["run_id"])
    by_id = {e["alert_id"]: e for e in out["evaluations"]}
    assert len(rows) == len(enabled)
    for alert_id, state, value, threshold, row_count, error, duration_ms, as_of, evaluated_at in rows:
        e = by_id[alert_id]
        assert (state, row_count, error, duration_ms, as_of) == (e["state"], e["row_count"], None, e["duration_ms"], None)
        for stored, shown in ((value, e["value"]), (threshold, e["threshold"])):
            if isinstance(shown, float):
                assert float(stored) == shown
            else:
                assert stored == text(shown)
        assert evaluated_at is not None


def test_known_anomalies_fire_in_a_backtest(project):
    known = {"2026-10-13 06:00": {"COST-001", "COST-005", "COST-006", "COST-010", "PERF-005", "REL-006"},
             "2026-10-25 06:00": {"PERF-006", "REL-002"}}
    for as_of, alerts in known.items():
        run = alert_sync(project, "evaluate", "--as-of", as_of, "--json")
        assert run.exit_code == 0, run.stderr
        fired = {e["alert_id"] for e in run.json["evaluations"] if e["state"] == "TRIGGERED"}
        assert alerts <= fired, (as_of, sorted(alerts - fired))
        assert run.json["as_of"] == f"{as_of}:00"
    rows = recorded(project, run.json["run_id"])
    assert {str(r[7]) for r in rows} == {"2026-10-25 06:00:00"}


def test_exit_codes(project):
    assert alert_sync(project, "evaluate", "--no-record").exit_code == 0  # triggers alone do not fail
    run = alert_sync(project, "evaluate", "--fail-on-trigger", "--select", "COST-001", "--no-record")
    assert run.exit_code == 3 and "TRIGGERED" in run.stdout
    assert alert_sync(project, "evaluate", "--fail-on-trigger", "--select", "COST-002", "--no-record").exit_code == 0
    for args in (["--select", "NOPE-001"], ["--as-of", "yesterday"], ["--from", "2026-10-02", "--to", "2026-10-01"],
                 ["--as-of", "2026-10-01", "--from", "2026-10-01", "--to", "2026-10-02"], ["--from", "2026-10-01"]):
        run = alert_sync(project, "evaluate", *args, "--json")
        assert run.exit_code == 2, (args, run.stdout, run.stderr)
        assert run.json["error"]


def test_a_failing_query_is_an_error_for_that_alert_only(project):
    with duckdb.connect(str(project.duckdb_path)) as con:
        con.execute("drop table main_sample_data.gold__fact_usage")
    run = alert_sync(project, "evaluate", "--json", "--fail-on-error")
    assert run.exit_code == 1
    errors = {e["alert_id"]: e["error"] for e in run.json["evaluations"] if e["state"] == "ERROR"}
    assert "COST-001" in errors and "query failed" in errors["COST-001"] and "gold__fact_usage" in errors["COST-001"]
    assert len(errors) < len(run.json["evaluations"])
    assert alert_sync(project, "evaluate", "--no-record").exit_code == 0  # without the flag: exit 0


def test_stale_artifacts_stop_with_exit_2(project):
    model = project.model_path("cost_daily_spend_spike")
    model.write_text(model.read_text() + "\n-- edited after the build\n")
    run = alert_sync(project, "evaluate", "--json")
    assert run.exit_code == 2 and "changed after the last dbt build" in run.json["error"]


def test_jinja_branching_on_the_day_is_caught_by_the_second_sentinel():
    """A model whose Jinja looks back a month on the 1st and a day otherwise compiles the same way
    at both ends of a range that starts and ends mid-month and at the first sentinel (the 31st), so
    only the second sentinel (a Monday, the 1st, midnight) shows that substitution is wrong for it."""
    from alert_sync.evaluate.backtest import MomentSql, backtest_moments

    class FakeCompiler:  # stands in for AsOfCompiler: what dbt would compile for each alerts_as_of
        models = ["branchy", "plain"]
        compiles = 0

        def compile(self, as_of, models=None):
            self.compiles += 1
            back = "interval 1 month" if as_of[8:10] == "01" else "interval 1 day"
            out = {"branchy": (f"select cast('{as_of}' as timestamp) - {back}", None),
                   "plain": (f"select cast('{as_of}' as timestamp) - interval 1 day", None)}
            return {m: out[m] for m in (models or self.models)}

    moments = backtest_moments(None, "2026-01-05 06:00", "2026-02-05 06:00", "1d")
    compiler = FakeCompiler()
    sql = MomentSql(compiler, moments)
    assert set(sql.per_moment) == {"branchy"} and set(sql.templates) == {"plain"}
    compiled = sql.compile("2026-02-01 06:00:00")
    assert compiled["branchy"] == compiler.compile("2026-02-01 06:00:00")["branchy"]
    assert "interval 1 month" in compiled["branchy"][0]
