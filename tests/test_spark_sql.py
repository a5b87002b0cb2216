"""The package's own SQL on Spark SQL with ANSI mode on (Databricks SQL's default), through dbt.

A host project (`spark_host`, written from scratch, the package installed with `dbt deps`) is built
with dbt-spark's `session` method on a local Spark in this process (tests/local_spark.py): the
package's hooks (on-run-start creates the alert_sync tables, on-run-end records the catalog load),
the catalog model and its tests, and the `alert` materialization, on alerts written with seven
templates of macros/templates/ (the crafted data of test_templates.py), plain SQL, BETWEEN and IN
(conditions alert-sync compiles into the query), a custom_summary, an apostrophe and empty cells
in the catalog, and one bad row (a DOUBLE threshold and a retrigger_seconds that are not
numbers). Built once per module, in this order, all in one Spark session:

1. `dbt build --empty` (the queries are checked on empty inputs, no row checks);
2. `dbt build`: every node passes but the bad row's alert model, which names its problems;
3. `dbt build --select <one alert model>`: the seed is not selected, so the alert model checks
   that the warehouse holds the catalog dbt parsed (dbt_alerts.catalog_seed_staleness reads
   alert_sync.alert_catalog_loads);

then every alert query compiled by step 2 runs as alert-sync deploys it (conditions.deployed_query)
through the evaluate code (runner.run_alert), as of the pinned moment the crafted data was made for.

dbt-spark 1.10's `session` method loads seed values by formatting them into the SQL text
(session.py SessionConnectionWrapper._fix_binding: f"'{value}'", no escaping): an apostrophe in a
seed cell breaks the INSERT and an empty cell (None) is loaded as the text 'None' (and then fails
the cast to a numeric column under ANSI). That is the test adapter's bug, not the package's, and
Databricks' own adapter binds parameters: the host project works around it with its own
spark__load_csv_rows (SEED_LITERALS below, a root-project macro overrides dbt's dispatched one),
which writes each value as an escaped literal or null. Nothing of it is in the package.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alert_sync.catalog import read_catalog
from alert_sync.conditions import compiled_condition, deployed_query
from alert_sync.desired import build_evaluation
from alert_sync.evaluate.runner import run_alert
from alert_sync.evaluate.semantics import ERROR, OK, TRIGGERED
from conftest import alert_sync
from local_spark import SparkQueries, skip_without_java, spark_session
from projects import DbtProject, dbt_environment, install_package
from test_templates import ALERTS as TEMPLATE_ALERTS, CUSTOMERS, HEADER, model_name, seeds

# This module builds a project of its own once (module-scoped fixture): `make test` runs its tests
# on one pytest-xdist worker (--dist loadgroup), so it is built once.
pytestmark = pytest.mark.xdist_group("spark")

skip_without_java("The Spark SQL check of the package")

NAME = "spark_host"
SCHEMA = "analytics"
AS_OF = "2026-01-11 06:00:00"
DBT_PROJECT = f"""
name: {NAME}
version: "1.0.0"
config-version: 2
profile: {NAME}
vars:
  alerts_as_of: "{AS_OF}"
"""
PROFILES = f"""
{NAME}:
  target: dev
  outputs:
    dev:
      type: spark
      method: session
      host: localhost
      schema: {SCHEMA}
      threads: 2
      server_side_parameters:
        spark.sql.ansi.enabled: "true"
"""

# dbt-spark's session method does not escape seed values (see the module docstring): this host
# macro writes each value as an escaped Spark SQL literal, or null for an empty cell.
SEED_LITERALS = r"""
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set types = [] -%}
  {%- for name in agate_table.column_names -%}
    {%- do types.append(column_override.get(name, adapter.convert_type(agate_table, loop.index0))) -%}
  {%- endfor -%}
  {%- set sql -%}
    insert into {{ this.render() }} values
    {% for row in agate_table.rows -%}
      ({%- for value in row -%}
        cast({{ 'null' if value is none else "'" ~ (value | string | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'" }} as {{ types[loop.index0] }})
        {{- ', ' if not loop.last }}
      {%- endfor -%}){{ ',' if not loop.last }}
    {% endfor -%}
  {%- endset -%}
  {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
  {{ return(sql) }}
{% endmacro %}
"""

# Seven templates, one alert each (test_templates.py's crafted data and rows).
TEMPLATES = ("SPIKE-SKU", "CHANGE", "FAILURES", "FRESH", "ROWS", "BLANKS", "ANOMALY-WEEKDAY")
PLAIN = {  # alert_id -> (model SQL after alert_model(), threshold_column, operator, value type, value)
    # Plain SQL with dbt's cross-database macros and the package's "today".
    "FAILED-YESTERDAY": ("select count(*) as failed_runs from {{ ref('runs') }}\n"
                         "where result_state = 'FAILED'\n"
                         "  and cast(finished_at as date) = {{ dbt.dateadd('day', -1, dbt_alerts.alerts_today()) }}",
                         "failed_runs", ">", "DOUBLE", "0"),
    # BETWEEN: alert-sync compiles it into the deployed query (Alerts v2 has no such operator).
    "FAILED-BAND": ("select count(*) as failed_runs from {{ ref('runs') }}\n"
                    "where result_state in ('FAILED', 'ERROR')\n"
                    "  and finished_at >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}\n"
                    "  and finished_at < {{ dbt_alerts.alerts_now() }}",
                    "failed_runs", "BETWEEN", "DOUBLE", "1;5"),
    # IN on a string column.
    "LAST-STATE": ("select result_state as last_state from {{ ref('runs') }}\n"
                   "where finished_at < {{ dbt_alerts.alerts_now() }}\n"
                   "order by finished_at desc limit 1",
                   "last_state", "IN", "STRING", "FAILED;ERROR"),
}
# The third build: the seed is not selected (the staleness check runs), nor the catalog tests
# the bad row fails, so the package models downstream of them are built on the real rows.
ALERTS_ONLY = ("failed_yesterday", "alert_sync_status", "alert_trigger_history", "alert_state_comparison")
BAD = "BAD-001"  # threshold_value and retrigger_seconds are not numbers
# As of 2026-01-11 06:00 (test_templates.py explains the data): 2 of 11 runs in the last 24 h
# failed (18% > 15%), both of them on 01-10; the last order was written 29 hours ago; one email of
# 50 is NULL and one blank (4% > 2%); no cost spike, no change, no row drop, no weekday anomaly;
# the last run before 06:00 succeeded.
EXPECTED = {"SPIKE-SKU": OK, "CHANGE": OK, "FAILURES": TRIGGERED, "FRESH": TRIGGERED, "ROWS": OK,
            "BLANKS": TRIGGERED, "ANOMALY-WEEKDAY": OK,
            "FAILED-YESTERDAY": TRIGGERED, "FAILED-BAND": TRIGGERED, "LAST-STATE": OK}


def catalog() -> list[str]:
    rows = [HEADER]
    for alert_id in TEMPLATES:
        _, column, operator, value_type, value, aggregation = TEMPLATE_ALERTS[alert_id]
        rows.append(f"{alert_id},{alert_id},template on Spark,QUALITY,INFO,{model_name(alert_id)},{column},{operator},"
                    f"{value_type},{value},{aggregation},OK,0 0 6 * * ?,UTC,UNPAUSED,true,team@example.com,false,,,,"
                    "team@example.com")
    for alert_id, (_, column, operator, value_type, value) in PLAIN.items():
        rows.append(f"{alert_id},{alert_id},\"The job's runs, in plain SQL\",RELIABILITY,WARNING,{model_name(alert_id)},"
                    f"{column},{operator},{value_type},{value},,OK,0 0 6 * * ?,UTC,UNPAUSED,true,team@example.com,true,"
                    "3600,{{ALERT_NAME}} is {{ALERT_STATUS}},Runs of the nightly job.,team@example.com")
    rows.append(f"{BAD},Bad row,not numbers,QUALITY,INFO,bad_row,x,>,DOUBLE,lots,,OK,0 0 6 * * ?,UTC,UNPAUSED,"
                "true,team@example.com,false,soon,,,team@example.com")
    return rows


def write_project(path: Path) -> DbtProject:
    (path / "models" / "alerts").mkdir(parents=True)
    (path / "seeds").mkdir()
    (path / "macros").mkdir()
    (path / "dbt_project.yml").write_text(DBT_PROJECT)
    (path / "profiles.yml").write_text(PROFILES)
    (path / "macros" / "spark__load_csv_rows.sql").write_text(SEED_LITERALS)
    for name, lines in seeds().items():
        (path / "seeds" / f"{name}.csv").write_text("\n".join(lines) + "\n")
    (path / "seeds" / "alert_configurations.csv").write_text("\n".join(catalog()) + "\n")
    (path / "models" / "customers.sql").write_text(CUSTOMERS)
    models = {model_name(a): TEMPLATE_ALERTS[a][0] for a in TEMPLATES}
    models |= {model_name(a): sql for a, (sql, *_) in PLAIN.items()}
    models["bad_row"] = "select 1 as x"
    for model, sql in models.items():
        (path / "models" / "alerts" / f"{model}.sql").write_text("{{ dbt_alerts.alert_model() }}\n" + sql + "\n")
    project = DbtProject(path, NAME)
    install_package(project)
    return project


def dbt(project: DbtProject, *args: str):
    """dbt in this process: its `session` connection is the module's SparkSession (getOrCreate)."""
    from dbt.cli.main import dbtRunner

    with dbt_environment():
        return dbtRunner().invoke([*args, "--project-dir", str(project.path), "--profiles-dir", str(project.path)])


def outcomes(result) -> dict[str, Any]:
    """unique_id -> the node's RunResult of a dbtRunner build."""
    assert result.result is not None, f"dbt did not run: {result.exception}"
    return {r.node.unique_id: r for r in result.result.results}


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory):
    with spark_session(tmp_path_factory.mktemp("spark"), "dbt_alerts-spark-sql") as session:
        yield session


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory, spark) -> dict[str, Any]:
    """The host project and its three dbt invocations (module docstring), in order."""
    project = write_project(tmp_path_factory.mktemp("spark_host") / NAME)
    empty = dbt(project, "build", "--empty")
    full = dbt(project, "build")
    compiled = {uid: r.node.compiled_code for uid, r in outcomes(full).items() if uid.startswith("model.")}
    alerts_only = dbt(project, "build", "--select", *ALERTS_ONLY)
    return {"project": project, "empty": outcomes(empty), "full": outcomes(full), "compiled": compiled,
            "alerts_only": outcomes(alerts_only)}


def project_node(alert_id: str) -> str:
    return f"model.{NAME}.{model_name(alert_id)}"


def failures(results: dict[str, Any]) -> dict[str, str]:
    return {uid: f"{r.status}: {r.message}" for uid, r in results.items() if str(r.status) not in ("success", "pass")}


def test_an_empty_build_passes_on_spark(host):
    assert not failures(host["empty"]), failures(host["empty"])
    assert "model.dbt_alerts.stg_alert_configurations" in host["empty"]
    assert f"model.{NAME}.bad_row" in host["empty"]  # no row checks on empty inputs


def test_the_build_passes_but_the_bad_row_which_names_its_problems(host):
    results = host["full"]
    errors = {uid: r.message for uid, r in results.items() if str(r.status) == "error"}
    catalog_test = [uid for uid in results if uid.startswith("test.dbt_alerts.catalog_rows_valid")]
    assert len(catalog_test) == 1 and set(errors) == {f"model.{NAME}.bad_row", *catalog_test}, errors
    for message in errors.values():  # the alert model and the catalog test both name the row's problems
        assert "BAD-001: threshold_value is 'lots'" in message and "BAD-001: retrigger_seconds is 'soon'" in message
    # The catalog test failing skips only what is built on the catalog model (built by ALERTS_ONLY).
    skipped = {uid.split(".")[2] for uid, r in results.items() if str(r.status) == "skipped" and uid.startswith("model.")}
    assert skipped == set(ALERTS_ONLY[1:]), skipped
    passed = {uid for uid, r in results.items() if str(r.status) in ("success", "pass")}
    assert {"model.dbt_alerts.stg_alert_configurations", "model.dbt_alerts.alert_sync_run_health",
            *(project_node(a) for a in EXPECTED)} <= passed, sorted(set(results) - passed)


def test_the_typed_catalog_reads_a_bad_number_as_null_under_ansi(host, spark):
    """stg_alert_configurations casts text to numbers with try_cast on Spark: a bad value is null,
    not CAST_INVALID_INPUT for whoever reads the view."""
    rows = {r["alert_id"]: r for r in spark.sql(
        f"select alert_id, threshold_double, retrigger_seconds, custom_summary, alert_description "
        f"from {SCHEMA}.stg_alert_configurations").collect()}
    assert (rows[BAD]["threshold_double"], rows[BAD]["retrigger_seconds"]) == (None, None)
    assert (rows["FAILED-YESTERDAY"]["threshold_double"], rows["FAILED-YESTERDAY"]["retrigger_seconds"]) == (0.0, 3600)
    assert rows["FAILED-YESTERDAY"]["custom_summary"] == "{{ALERT_NAME}} is {{ALERT_STATUS}}"
    assert rows["FAILED-YESTERDAY"]["alert_description"] == "The job's runs, in plain SQL"
    assert rows["FRESH"]["custom_summary"] is None  # an empty cell is null, not 'None'


def test_the_hooks_made_the_alert_sync_tables_and_recorded_the_catalog_loads(host, spark):
    tables = {r["tableName"] for r in spark.sql(f"show tables in {SCHEMA}").collect()}
    assert {"alert_catalog_loads", "alert_sync_metrics", "alert_sync_results", "alert_evaluations"} <= tables, tables
    seed = json.loads((host["project"].path / "target" / "manifest.json").read_text())["nodes"][
        f"seed.{NAME}.alert_configurations"]
    checksums = [r[0] for r in spark.sql(f"select checksum from {SCHEMA}.alert_catalog_loads").collect()]
    assert seed["checksum"]["checksum"] in checksums, checksums


def test_an_alerts_only_build_checks_the_catalog_in_the_warehouse_and_builds_the_rest(host, spark):
    """The seed is not selected: the alert model compares the recorded load with the file (the
    staleness check), and the package models skipped by the failed catalog test build on the real
    rows, the bad one included."""
    results = host["alerts_only"]
    assert not failures(results), failures(results)
    assert {f"model.{NAME}.failed_yesterday", "model.dbt_alerts.alert_sync_status",
            "model.dbt_alerts.alert_trigger_history"} <= set(results)
    assert not any(uid.startswith("seed.") for uid in results)
    status = {r["alert_id"]: r for r in spark.sql(f"select * from {SCHEMA}.alert_sync_status").collect()}
    assert set(status) == {*EXPECTED, BAD}, sorted(status)


def test_every_compiled_alert_query_runs_on_spark_as_deployed(host, spark):
    project: DbtProject = host["project"]
    rows = {row.alert_id: row for row in read_catalog(project.catalog_path)}
    db = SparkQueries(spark)
    states, errors = {}, []
    for alert_id, expected in EXPECTED.items():
        row = rows[alert_id]
        sql = host["compiled"][project.node_id(row["query_model"])]
        query = deployed_query(row, sql, "spark")
        evaluation = run_alert(db, alert_id, query, build_evaluation(row), AS_OF, compiled_condition(row))
        if evaluation.state == ERROR:
            errors.append(f"{alert_id}: {evaluation.error}\n{query}")
        states[alert_id] = evaluation.state
    assert not errors, "\n\n".join(errors)
    assert states == EXPECTED


def test_evaluate_on_a_spark_target_names_the_targets_it_supports(host):
    run = alert_sync(host["project"], "evaluate", "--no-record")
    assert run.exit_code == 2, run.stdout + run.stderr
    message = run.stdout + run.stderr
    assert "adapter 'spark'" in message and "duckdb" in message and "databricks" in message, message
    assert "metrics" not in message, message
