"""Compiled conditions (BETWEEN, NOT_BETWEEN, IN, NOT_IN) and notification template checks.

Unit tests of the wrapper (scripts/alert_sync/conditions.py): the SQL text per dialect and its
escaping, and the evaluation deployed with it. Then real things: a small host project built with
real dbt on DuckDB, whose alerts are evaluated by `alert-sync evaluate` (the deployed query, run
with the deployed evaluation) and deployed to the emulator; and the bad rows `dbt build` refuses.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from databricks.sdk.service.sql import AlertEvaluationState, AlertV2, ComparisonOperator, CronSchedule

from alert_sync.catalog import CatalogRow
from alert_sync.conditions import (
    CONDITION_COLUMN, compiled_condition, condition_evaluation, deployed_condition, deployed_query,
)
from alert_sync.identity import marked_alert_id, without_alert_id
from alert_sync.desired import build_evaluation
from alert_sync.errors import RowError
from alert_sync.evaluate import evaluation_lines
from alert_sync.evaluate.runner import Evaluation
from alert_sync.evaluate.semantics import evaluate_rows
from alert_sync.plan import diff, update_mask
from conftest import alert_sync
from projects import DbtProject, duckdb_profiles, install_package
from test_catalog_rows import VALID

# This module builds a project of its own once (module-scoped fixture): `make test` runs its tests
# on one pytest-xdist worker (--dist loadgroup), so it is built once.
pytestmark = pytest.mark.xdist_group("conditions")

LOCAL = ("--allow-non-databricks-manifest",)


def row(**fields: str) -> CatalogRow:
    return CatalogRow({**VALID, "threshold_column": "cost", **fields}, line=2)


def between(low_high: str = "10;20", **fields: str) -> CatalogRow:
    return row(**{"threshold_operator": "BETWEEN", "threshold_value": low_high, **fields})


# ------------------------------------------------------------------------------------------------
# The wrapper, pure
# ------------------------------------------------------------------------------------------------

@pytest.mark.unit
def test_operators_alerts_v2_has_are_deployed_as_compiled_by_dbt():
    assert deployed_query(row(), "  select 1 as cost\n", "databricks") == "select 1 as cost"
    assert compiled_condition(row()) is None and condition_evaluation(row()) is None


@pytest.mark.unit
def test_first_row_between_keeps_the_model_columns_and_adds_the_condition_duckdb():
    sql = deployed_query(between(), "select 12 as cost, 'a' as other -- trailing comment", "duckdb")
    assert sql == (
        "-- dbt_alerts condition: cost BETWEEN 10 AND 20\n"
        f'select q.*, (cast(q."cost" as double) between 10.0 and 20.0) as "{CONDITION_COLUMN}"\n'
        "from (\nselect 12 as cost, 'a' as other -- trailing comment\n) as q")
    with duckdb.connect() as con:
        cur = con.execute(sql)
        assert [d[0] for d in cur.description] == ["cost", "other", CONDITION_COLUMN]
        assert cur.fetchall() == [(12, "a", True)]


@pytest.mark.unit
def test_aggregation_is_done_first_and_an_empty_result_stays_empty_databricks():
    sql = deployed_query(row(threshold_operator="not_in", threshold_value="1;2.5", aggregation_type="stddev"),
                         "select cost from t", "databricks")
    assert sql == (
        "-- dbt_alerts condition: STDDEV(cost) NOT IN (1, 2.5)\n"
        f"select v.`cost`, (cast(v.`cost` as double) not in (1.0, 2.5)) as `{CONDITION_COLUMN}`\n"
        "from (\nselect stddev_samp(q.`cost`) as `cost`\nfrom (\nselect cost from t\n) as q\n"
        "having count(*) > 0\n) as v")


@pytest.mark.unit
@pytest.mark.parametrize("dialect, literal", [
    ("duckdb", r"'it''s', 'back\slash'"),
    ("databricks", r"'it\'s', 'back\\slash'"),
])
def test_string_lists_are_quoted_for_the_dialect(dialect, literal):
    r = row(threshold_operator="IN", threshold_value_type="STRING", threshold_value="it's; back\\slash",
            threshold_column="status")
    sql = deployed_query(r, "select 'x' as status", dialect)
    cast = "string" if dialect == "databricks" else "varchar"
    assert f"cast(q.{'`status`' if dialect == 'databricks' else chr(34) + 'status' + chr(34)} as {cast}) in ({literal})" in sql
    assert sql.splitlines()[0] == r"-- dbt_alerts condition: status IN ('it''s', 'back\\slash')"


@pytest.mark.unit
def test_duckdb_runs_an_escaped_list_and_matches_the_quote():
    r = row(threshold_operator="IN", threshold_value_type="STRING", threshold_value="it's;b", threshold_column="s")
    with duckdb.connect() as con:
        assert con.execute(deployed_query(r, "select 'it''s' as s", "duckdb")).fetchall() == [("it's", True)]


@pytest.mark.unit
def test_a_line_break_in_a_value_cannot_end_the_marker_comment():
    r = row(threshold_operator="IN", threshold_value_type="STRING", threshold_value="a\nselect 1;b")
    sql = deployed_query(r, "select 'a' as cost", "duckdb")
    assert sql.splitlines()[0] == r"-- dbt_alerts condition: cost IN ('a\nselect 1', 'b')"
    assert deployed_condition(sql) == r"cost IN ('a\nselect 1', 'b')"


@pytest.mark.unit
def test_the_deployed_evaluation_is_the_condition_column_equal_true_with_the_rows_empty_state():
    evaluation = build_evaluation(between(empty_result_state="TRIGGERED", aggregation_type="SUM"))
    assert evaluation.source.name == CONDITION_COLUMN and evaluation.source.aggregation is None
    assert evaluation.comparison_operator == ComparisonOperator.EQUAL
    assert evaluation.threshold.value.bool_value is True
    assert evaluation.empty_result_state == AlertEvaluationState.TRIGGERED


@pytest.mark.unit
def test_null_means_the_condition_is_not_met():
    sql = deployed_query(row(threshold_operator="NOT_BETWEEN", threshold_value="10;20"), "select null as cost", "duckdb")
    with duckdb.connect() as con:
        cur = con.execute(sql)
        columns, rows = [d[0] for d in cur.description], cur.fetchall()
    assert rows == [(None, None)]
    assert evaluate_rows(columns, rows, build_evaluation(row(threshold_operator="NOT_BETWEEN",
                                                             threshold_value="10;20"))).state == "OK"


@pytest.mark.unit
@pytest.mark.parametrize("fields, words", [
    ({"threshold_value": "10"}, "exactly two bounds"),
    ({"threshold_value": "10;20;30"}, "exactly two bounds"),
    ({"threshold_value": "10;"}, "exactly two bounds"),
    ({"threshold_value": "20;10"}, "low bound 20 is above the high bound 10; write it as 10;20"),
    ({"threshold_value": "a;b"}, "'a' is not a number"),
    ({"threshold_value_type": "STRING", "threshold_value": "a;b"}, "a range needs numbers, use DOUBLE"),
    ({"threshold_value_type": "BOOLEAN"}, "use DOUBLE or STRING"),
    ({"threshold_operator": "IN", "threshold_value": ""}, "needs ';'-separated values"),
    ({"threshold_operator": "IN", "threshold_value": "1;;2"}, "without empty entries"),
    ({"threshold_operator": "IN", "threshold_value": "1;x"}, "'x' is not a number"),
])
def test_bad_compiled_rows_are_that_alerts_error(fields, words):
    with pytest.raises(RowError) as info:
        build_evaluation(between(**fields))
    assert words in str(info.value)


@pytest.mark.unit
def test_evaluate_shows_the_condition_as_written():
    r = between(aggregation_type="MAX")
    e = Evaluation("COST-001", "TRIGGERED", value=12, threshold="10;20", spec=build_evaluation(r),
                   compiled=compiled_condition(r))
    assert e.condition() == "MAX(cost) = 12 BETWEEN 10 AND 20"
    assert evaluation_lines([e])[0] == "  TRIGGERED  COST-001  MAX(cost) = 12 BETWEEN 10 AND 20: met"


def alert_of(r: CatalogRow, sql: str = "select 1 as cost") -> AlertV2:
    return AlertV2(display_name="x", query_text=deployed_query(r, sql, "databricks"), evaluation=build_evaluation(r),
                   warehouse_id="wh", schedule=CronSchedule(quartz_cron_schedule="0 0 6 * * ?", timezone_id="UTC"))


@pytest.mark.unit
def test_plan_shows_a_bounds_change_as_a_condition_change_sent_in_query_text():
    changes = diff(alert_of(between("10;30")), alert_of(between("10;20")))
    assert [(p, o, n) for p, o, n in changes if p == "condition"] == [
        ("condition", "cost BETWEEN 10 AND 20", "cost BETWEEN 10 AND 30")]
    assert {p for p, _, _ in changes} == {"query_text", "condition"}
    assert update_mask(p for p, _, _ in changes) == "query_text"


@pytest.mark.unit
def test_plan_shows_the_old_alerts_v2_comparison_when_a_row_moves_to_a_compiled_operator():
    changes = {p: (o, n) for p, o, n in diff(alert_of(between()), alert_of(row(aggregation_type="SUM")))}
    assert changes["condition"] == ("SUM(cost) > 5000", "cost BETWEEN 10 AND 20")
    assert "condition" not in {p for p, _, _ in diff(alert_of(row(threshold_value="6000")), alert_of(row()))}


# ------------------------------------------------------------------------------------------------
# A host project on real dbt + DuckDB
# ------------------------------------------------------------------------------------------------

NAME = "cond_host"
DBT_PROJECT = f"""
name: {NAME}
version: "1.0.0"
config-version: 2
profile: cond
vars:
  dbt_alerts:
    alerts_warehouse_id: emulator-warehouse
    alerts_parent_path: /Workspace/Shared/cond
    alerts_local_as_of: "2026-11-01 06:00:00"
"""
PROFILES = duckdb_profiles("cond")
READINGS = "id,cost,status\n1,12,ok\n2,25,it's\n3,,ok\n"
FIRST = "select cost, status from {{ ref('readings') }} order by id"
NONE = "select cost, status from {{ ref('readings') }} where id < 0"
NULL = "select cost, status from {{ ref('readings') }} where id = 3"

# alert_id: (model SQL, operator, value type, value, aggregation, empty_result_state, column,
#            expected state, expected value)
CASES = {
    "B-FIRST": (FIRST, "BETWEEN", "DOUBLE", "10;20", "", "OK", "cost", "TRIGGERED", 12),
    "B-EDGE": (FIRST, "BETWEEN", "DOUBLE", "12;12", "", "OK", "cost", "TRIGGERED", 12),  # inclusive
    "NB-FIRST": (FIRST, "NOT_BETWEEN", "DOUBLE", "10;20", "", "OK", "cost", "OK", 12),
    "B-SUM": (FIRST, "between", "DOUBLE", "30;40", "SUM", "OK", "cost", "TRIGGERED", 37),  # NULL ignored
    "NB-AVG": (FIRST, "NOT_BETWEEN", "DOUBLE", "10;20", "AVG", "OK", "cost", "OK", 18.5),
    "IN-STR": (FIRST, "IN", "STRING", "ok;it's", "", "OK", "status", "TRIGGERED", "ok"),
    "NIN-STR": (FIRST, "NOT_IN", "STRING", "ok", "", "OK", "status", "OK", "ok"),
    "IN-COUNT": (FIRST, "IN", "DOUBLE", "2;5", "COUNT", "OK", "cost", "TRIGGERED", 2),
    "NIN-MAX": (FIRST, "NOT_IN", "DOUBLE", "25", "MAX", "OK", "cost", "OK", 25),
    "IN-DIST": (FIRST, "IN", "STRING", "2", "COUNT_DISTINCT", "OK", "status", "TRIGGERED", 2),
    "EMPTY": (NONE, "BETWEEN", "DOUBLE", "10;20", "", "TRIGGERED", "cost", "TRIGGERED", None),
    # A SUM over no rows would be one NULL row (OK): the wrapper keeps the result empty.
    "EMPTY-SUM": (NONE, "NOT_BETWEEN", "DOUBLE", "10;20", "SUM", "TRIGGERED", "cost", "TRIGGERED", None),
    "NULL": (NULL, "NOT_BETWEEN", "DOUBLE", "10;20", "", "TRIGGERED", "cost", "OK", None),
    "NULL-IN": (NULL, "NOT_IN", "DOUBLE", "1;2", "MEDIAN", "TRIGGERED", "cost", "OK", None),
    "NATIVE": (FIRST, ">", "DOUBLE", "10", "", "OK", "cost", "TRIGGERED", 12),
}
HEADER = list(VALID)


def catalog_row(alert_id: str, operator: str, value_type: str, value: str, aggregation: str, empty: str,
                column: str, **extra: str) -> dict[str, str]:
    return {**VALID, "alert_id": alert_id, "alert_name": f"Alert {alert_id}", "query_model": model_name(alert_id),
            "threshold_column": column, "threshold_operator": operator, "threshold_value_type": value_type,
            "threshold_value": value, "aggregation_type": aggregation, "empty_result_state": empty,
            "notification_channels": "ops@example.com", **extra}


def model_name(alert_id: str) -> str:
    return "alert_" + alert_id.lower().replace("-", "_")


def write_catalog(path: Path, rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (path / "seeds" / "alert_configurations.csv").write_text(buf.getvalue())


def write_host(path: Path, alerts: dict[str, tuple[str, dict[str, str]]]) -> DbtProject:
    """A host project with the readings seed and one model per alert: {alert_id: (sql, row)}."""
    (path / "models" / "alerts").mkdir(parents=True)
    (path / "seeds").mkdir()
    (path / "dbt_project.yml").write_text(DBT_PROJECT)
    (path / "profiles.yml").write_text(PROFILES)
    (path / "seeds" / "readings.csv").write_text(READINGS)
    for alert_id, (sql, _) in alerts.items():
        (path / "models" / "alerts" / f"{model_name(alert_id)}.sql").write_text(
            "{{ dbt_alerts.alert_model() }}\n" + sql + "\n")
    write_catalog(path, [r for _, r in alerts.values()])
    project = DbtProject(path, NAME)
    install_package(project)
    return project


@pytest.fixture(scope="module")
def cond_build(tmp_path_factory):
    alerts = {alert_id: (case[0], catalog_row(alert_id, *case[1:7])) for alert_id, case in CASES.items()}
    project = write_host(tmp_path_factory.mktemp("cond") / NAME, alerts)
    result = project.dbt("build")
    assert result.ok, result.output[-4000:]
    return project


@pytest.fixture
def cond(cond_build, tmp_path) -> DbtProject:
    shutil.copytree(cond_build.path, tmp_path / NAME, symlinks=True, ignore=shutil.ignore_patterns("logs"))
    return DbtProject(tmp_path / NAME, NAME)


def test_the_typed_catalog_keeps_the_written_operator_and_splits_the_values(cond):
    with duckdb.connect(str(cond.duckdb_path), read_only=True) as con:
        got = dict(con.execute("select alert_id, (comparison_operator, threshold_value_list, threshold_double) "
                               "from main.stg_alert_configurations").fetchall())
    assert got["B-SUM"] == ("BETWEEN", ["30", "40"], None)
    assert got["IN-STR"] == ("IN", ["ok", "it's"], None)
    assert got["NATIVE"] == ("GREATER_THAN", None, 10.0)


def test_evaluate_gives_each_operator_its_state_with_and_without_aggregation(cond):
    run = alert_sync(cond, "evaluate", "--json", "--as-of", "2026-11-01 06:00:00", "--no-record")
    assert run.exit_code == 0, run.stderr
    got = {e["alert_id"]: (e["state"], e["value"]) for e in run.json["evaluations"]}
    assert got == {alert_id: (case[7], case[8]) for alert_id, case in CASES.items()}
    threshold = {e["alert_id"]: e["threshold"] for e in run.json["evaluations"]}
    assert threshold["B-FIRST"] == "10;20" and threshold["NATIVE"] == 10.0
    human = alert_sync(cond, "evaluate", "--select", "B-SUM", "--select", "IN-STR", "--no-record")
    assert "SUM(cost) = 37 BETWEEN 30 AND 40" in human.stderr + human.stdout
    assert "status = 'ok' IN ('ok', 'it''s')" in human.stderr + human.stdout


def test_apply_deploys_the_wrapped_query_and_a_boolean_evaluation_then_is_a_noop(cond, emulator):
    first = alert_sync(cond, "apply", *LOCAL, "--json")
    assert first.exit_code == 0, first.stderr
    assert first.json["summary"]["created"] == len(CASES) and first.json["summary"]["errors"] == 0
    deployed = {a["display_name"]: a for a in emulator.alerts()}
    between_alert = deployed["[WARNING] Alert B-SUM"]
    compiled = json.loads((cond.path / "target" / "manifest.json").read_text())["nodes"][
        cond.node_id(model_name("B-SUM"))]["compiled_code"]
    assert marked_alert_id(between_alert["query_text"]) == "B-SUM"
    assert without_alert_id(between_alert["query_text"]) == deployed_query(
        CatalogRow(catalog_row("B-SUM", *CASES["B-SUM"][1:7]), 2), compiled, "duckdb")
    assert without_alert_id(between_alert["query_text"]).startswith(
        "-- dbt_alerts condition: SUM(cost) BETWEEN 30 AND 40\n")
    evaluation = between_alert["evaluation"]
    assert evaluation["source"]["name"] == CONDITION_COLUMN and evaluation["comparison_operator"] == "EQUAL"
    assert evaluation["threshold"] == {"value": {"bool_value": True}}
    assert deployed["[WARNING] Alert NATIVE"]["evaluation"]["comparison_operator"] == "GREATER_THAN"

    emulator.reset_counters()
    second = alert_sync(cond, "apply", *LOCAL, "--json")
    assert second.exit_code == 0 and second.json["summary"]["unchanged"] == len(CASES)
    assert emulator.counters()["writes"] == 0

    rows = list(csv.DictReader((cond.path / "seeds" / "alert_configurations.csv").open()))
    next(r for r in rows if r["alert_id"] == "B-SUM")["threshold_value"] = "30;50"
    write_catalog(cond.path, rows)
    assert cond.dbt("build").ok
    plan = alert_sync(cond, "plan", *LOCAL, "--json")
    action = next(a for a in plan.json["actions"] if a["alert_id"] == "B-SUM")
    assert action["action"] == "UPDATE" and set(action["changed_fields"]) == {"query_text", "condition"}
    text = alert_sync(cond, "plan", *LOCAL)
    assert "condition: SUM(cost) BETWEEN 30 AND 40 -> SUM(cost) BETWEEN 30 AND 50" in text.stdout + text.stderr


# ------------------------------------------------------------------------------------------------
# Bad rows fail dbt build, naming the alert, the field and the fix
# ------------------------------------------------------------------------------------------------

BAD = {
    "ONE-BOUND": (FIRST, dict(threshold_operator="BETWEEN", threshold_value="10"),
                  "threshold_value is '10': BETWEEN needs exactly two bounds written low;high"),
    "LOW-HIGH": (FIRST, dict(threshold_operator="NOT_BETWEEN", threshold_value="20;10"),
                 "the low bound 20 is above the high bound 10; write 10;20"),
    "EMPTY-IN": (FIRST, dict(threshold_operator="IN", threshold_value=""),
                 "IN needs a non-empty ';'-separated list without empty entries"),
    "GAP-IN": (FIRST, dict(threshold_operator="NOT_IN", threshold_value="1;;2"),
               "threshold_value is '1;;2': NOT_IN needs a non-empty"),
    "NAN-IN": (FIRST, dict(threshold_operator="IN", threshold_value="1;x"), "'x' is not a number"),
    "STR-BETWEEN": (FIRST, dict(threshold_operator="BETWEEN", threshold_value_type="STRING", threshold_value="a;b"),
                    "threshold_value_type is 'STRING': BETWEEN needs numeric bounds, use DOUBLE"),
    "BOOL-IN": (FIRST, dict(threshold_operator="IN", threshold_value_type="BOOLEAN", threshold_value="true"),
                "threshold_value_type is 'BOOLEAN': IN compares with a list of values, use DOUBLE or STRING"),
    "NO-COLUMN": (FIRST, dict(threshold_operator="IN", threshold_column="nope", threshold_value="1"),
                  "threshold_column 'nope' is not an output column"),
    "CLASH": ("select cost, true as dbt_alerts_condition_met from {{ ref('readings') }}",
              dict(threshold_operator="IN", threshold_value="1"),
              "which the query already outputs: rename that column"),
    "TPL-UNKNOWN": (FIRST, dict(custom_summary="{{ALERT_NAME}} cost {{COST}}"),
                    "custom_summary uses the unknown placeholder {{COST}}: use {{NAME}} with NAME one of ALERT_STATUS"),
    "TPL-UNCLOSED": (FIRST, dict(custom_description="{{#QUERY_RESULT_ROWS}}{{cost}}"),
                     "custom_description opens {{#QUERY_RESULT_ROWS}} and never closes it: add {{/QUERY_RESULT_ROWS}}"),
    "TPL-BRACES": (FIRST, dict(custom_summary="{{ALERT_NAME} is {{ALERT_STATUS}}"),
                   "custom_summary has unbalanced braces near"),
    # Forms Mustache has but the Alerts v2 docs do not show (evaluate could not render them either).
    "TPL-TRIPLE": (FIRST, dict(custom_summary="{{{ALERT_URL}}}"),
                   "custom_summary uses {{{ALERT_URL}}}: only {{NAME}} and the {{#QUERY_RESULT_ROWS}}"),
    "TPL-INVERTED": (FIRST, dict(custom_description="{{^QUERY_RESULT_ROWS}}none{{/QUERY_RESULT_ROWS}}"),
                     "custom_description uses {{^QUERY_RESULT_ROWS}}: only {{NAME}}"),
    "TPL-SECTION": (FIRST, dict(custom_description="{{#ALERT_STATUS}}x{{/ALERT_STATUS}}"),
                    "custom_description opens the section {{#ALERT_STATUS}}: the only section is one"),
}
GOOD = {
    "IN-STRINGS": (FIRST, dict(threshold_operator="IN", threshold_value_type="STRING", threshold_value="a; b ;c",
                               threshold_column="status")),
    "TPL-OK": (FIRST, dict(custom_summary="{{ALERT_NAME}} is {{ALERT_STATUS}}: {{ QUERY_RESULT_VALUE }}",
                           custom_description="{{#QUERY_RESULT_ROWS}}{{status}}={{cost}} {{/QUERY_RESULT_ROWS}}"
                                              "{{ALERT_URL}} {{QUERY_RESULT_TABLE}}")),
}


def test_bad_compiled_conditions_and_templates_fail_dbt_build_naming_alert_field_and_fix(tmp_path):
    alerts = {}
    for alert_id, (sql, fields, *_) in {**BAD, **GOOD}.items():
        base = catalog_row(alert_id, "BETWEEN", "DOUBLE", "10;20", "", "OK", "cost")
        alerts[alert_id] = (sql, {**base, **fields})
    project = write_host(tmp_path / NAME, alerts)
    result = project.dbt("build")
    assert not result.ok
    statuses = {r["unique_id"]: r["status"] for r in
                json.loads((project.path / "target" / "run_results.json").read_text())["results"]}
    for alert_id, (_, _, message) in BAD.items():
        assert statuses[project.node_id(model_name(alert_id))] == "error", alert_id
        assert f"{alert_id}" in result.output and message in result.output, (alert_id, message, result.output[-6000:])
    for alert_id in GOOD:
        assert statuses[project.node_id(model_name(alert_id))] == "success", alert_id
    # The catalog test reports the row problems too (not only each alert's model).
    test_status = next(s for uid, s in statuses.items() if uid.startswith("test.") and "catalog_rows_valid" in uid)
    assert test_status in ("fail", "error")


# ------------------------------------------------------------------------------------------------
# The same wrapped queries on Spark SQL (ANSI, as Databricks SQL), when Java is there
# ------------------------------------------------------------------------------------------------

SPARK_DATA = r"select * from values (1, 12.0D, 'ok'), (2, 25.0D, 'it\'s'), (3, cast(null as double), 'ok') as t(id, cost, status)"
DUCK_DATA = "select * from (values (1, 12.0::double, 'ok'), (2, 25.0, 'it''s'), (3, null, 'ok')) as t(id, cost, status)"


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("no Java runtime: the Spark check of the wrapped queries needs one")
    pyspark_sql = pytest.importorskip("pyspark.sql")
    tmp = tmp_path_factory.mktemp("spark")
    session = (pyspark_sql.SparkSession.builder.master("local[1]").appName("dbt_alerts-conditions")
               .config("spark.sql.ansi.enabled", "true").config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.warehouse.dir", str(tmp / "warehouse")).getOrCreate())
    yield session
    session.stop()


def test_wrapped_queries_give_the_same_states_on_spark_and_duckdb(spark):
    """Every operator, with and without aggregation, and an empty result: Spark SQL (the
    Databricks dialect, backslash escapes) and DuckDB agree with the expected states."""
    cases = [(alert_id, case) for alert_id, case in CASES.items() if alert_id != "NATIVE"]
    for alert_id, case in cases:
        r = CatalogRow(catalog_row(alert_id, *case[1:7]), 2)
        where = {FIRST: "", NONE: " where id < 0", NULL: " where id = 3"}[case[0]]
        spark_sql = deployed_query(r, SPARK_DATA + where + " order by id", "databricks")
        duck_sql = deployed_query(r, DUCK_DATA + where + " order by id", "duckdb")
        frame = spark.sql(spark_sql)
        spark_rows = [tuple(x) for x in frame.collect()]
        with duckdb.connect() as con:
            cur = con.execute(duck_sql)
            duck_columns, duck_rows = [d[0] for d in cur.description], cur.fetchall()
        spec = build_evaluation(r)
        spark_state = evaluate_rows(frame.columns, spark_rows, spec).state
        duck_state = evaluate_rows(duck_columns, duck_rows, spec).state
        assert (spark_state, duck_state) == (case[7], case[7]), (alert_id, spark_sql)
