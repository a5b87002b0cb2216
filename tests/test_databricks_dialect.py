"""The Databricks dialect, checked without a warehouse: the example's alert models, compiled for
the Databricks target, run on a local Spark SQL engine and give the same alert states and values
as on DuckDB, at three moments of the sample data.

* Compile. alert-sync's own as-of recompile (evaluate/backtest.py AsOfCompiler: dbtRunner in
  process, `dbt parse`, then `dbt compile --select <alert models> --no-populate-cache` with var
  alerts_as_of per moment) for the Databricks target `dev` of profiles.yml.example, with
  placeholder credentials. Compiling the alert models needs no warehouse: dbt-databricks 1.11
  opens a connection (and only then probes the compute's DBR version and capabilities,
  connections.py `_cache_dbr_capabilities`) when a statement runs, and --no-populate-cache skips
  the schema listing. `no_warehouse_connection` makes any attempt to open one fail at once with a
  clear message (instead of retrying a fake host for minutes), so the check stays offline.
* Tables. The compiled SQL names sources `catalog`.`schema`.`table` (`system`.`access`.`audit`,
  `main`.`gold`.`fact_usage`); Spark's session catalog has one catalog and single-part
  namespaces, so exactly those relation names (the sources' relation_name in the Databricks
  manifest) are replaced by a temporary view named like the local sample table,
  <source>__<table>; nothing else in the SQL changes. Each view holds the rows of the relation
  the DuckDB alerts read for that source (a sample seed, or the view of models/sample_data that
  gives a seed's JSON text its STRUCT / MAP types), copied with the column types DuckDB has
  (STRUCT / MAP / DECIMAL / TIMESTAMP ...): both engines read the same rows with the same types,
  so a difference is the SQL dialect's, and whatever the sample data holds at run time is used.
* Compare. The DuckDB side is `alert-sync evaluate --as-of <moment>` (run_evaluate) of every
  catalog alert; the Spark side runs each compiled query through the same runner.run_alert and
  semantics.evaluate_rows with the same evaluation spec. States and row counts must be equal;
  values and thresholds equal within a tolerance (DECIMAL vs DOUBLE arithmetic).

Spark runs local[2], ANSI mode on, session time zone UTC, 2 shuffle partitions, no UI, one session
for the module. pyspark comes with `make test` (extra `dialect`); the module skips only when
there is no Java runtime. Run it alone: `.venv/bin/pytest tests/test_databricks_dialect.py`.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator
from unittest import mock

import pytest

from local_spark import SparkQueries, skip_without_java, spark_session
from projects import DbtProject, clone_built, dbt_environment

# This module builds a project of its own once (module-scoped fixture): `make test` runs its tests
# on one pytest-xdist worker (--dist loadgroup), so it is built once.
pytestmark = pytest.mark.xdist_group("databricks_dialect")

skip_without_java("Databricks dialect check")

# pyspark is installed by `make test` (extra `dialect` of pyproject.toml): missing is an error, not a skip.
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import types as T  # noqa: E402

from alert_sync.catalog import CatalogRow, read_catalog  # noqa: E402
from alert_sync.evaluate.backtest import AsOfCompiler, build_vars  # noqa: E402
from alert_sync.evaluate.runner import EvaluateOptions, Evaluation, run_alert, run_evaluate  # noqa: E402
from alert_sync.evaluate.semantics import OK, TRIGGERED  # noqa: E402

# The sample data's "now" and two earlier moments where other alerts fire (TRIGGERED and OK at each).
MOMENTS = ("2026-10-13 06:00:00", "2026-10-25 06:00:00", "2026-11-01 06:00:00")
DATABRICKS_TARGET = "dev"  # profiles.yml.example; its credentials come from the environment
OFFLINE_CREDENTIALS = {  # placeholders: nothing connects (see no_warehouse_connection)
    "DATABRICKS_HOST": "offline.invalid",
    "DATABRICKS_HTTP_PATH": "/sql/1.0/warehouses/offline",
    "DATABRICKS_TOKEN": "placeholder-not-a-token",
}
REL_TOL = ABS_TOL = 1e-9  # DECIMAL on one engine, DOUBLE on the other: equal to ~9 significant digits


# ------------------------------------------------------------------------------------------------
# Environment and the offline compile
# ------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def no_warehouse_connection() -> Iterator[None]:
    """Any attempt of dbt-databricks to open a connection fails at once, naming why."""
    from dbt.adapters.databricks.connections import DatabricksConnectionManager

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the offline Databricks compile of the dialect check tried to open a warehouse "
                           "connection: an alert model (or a macro it calls) now needs the warehouse to compile")

    with mock.patch.object(DatabricksConnectionManager, "open", refuse):
        yield


def compile_for_databricks(project: DbtProject, models: list[str], workdir: Path) -> tuple[dict, dict[str, Any]]:
    """{moment: {model: compiled SQL}} for the Databricks target, and its manifest's sources."""
    with dbt_environment(**OFFLINE_CREDENTIALS), no_warehouse_connection():
        compiler = AsOfCompiler(project.path, project.path, "target", build_vars(project.path, "target"), models,
                                workdir, target=DATABRICKS_TARGET)
        compiled = {moment: compiler.compile(moment) for moment in MOMENTS}
    problems = [f"{moment} {model}: {problem}" for moment, by_model in compiled.items()
                for model, (_, problem) in by_model.items() if problem]
    assert not problems, "the alert models did not compile for Databricks:\n" + "\n".join(problems)
    sql = {moment: {model: code for model, (code, _) in by_model.items()} for moment, by_model in compiled.items()}
    return sql, dict(compiler.manifest.sources)


# ------------------------------------------------------------------------------------------------
# Spark: session, sample tables, queries
# ------------------------------------------------------------------------------------------------

def spark_type(duck_type: Any, where: str) -> T.DataType:
    """The Spark type of a DuckDB column type (duckdb.DuckDBPyType)."""
    kind = duck_type.id
    simple = {
        "varchar": T.StringType(), "boolean": T.BooleanType(), "tinyint": T.ByteType(), "smallint": T.ShortType(),
        "integer": T.IntegerType(), "bigint": T.LongType(), "float": T.FloatType(), "double": T.DoubleType(),
        "date": T.DateType(), "timestamp": T.TimestampType(), "timestamp with time zone": T.TimestampType(),
    }
    if kind in simple:
        return simple[kind]
    children = duck_type.children
    if kind == "decimal":
        return T.DecimalType(dict(children)["precision"], dict(children)["scale"])
    if kind == "struct":
        return T.StructType([T.StructField(name, spark_type(t, f"{where}.{name}")) for name, t in children])
    if kind == "map":
        return T.MapType(spark_type(children[0][1], where), spark_type(children[1][1], where))
    if kind == "list":
        return T.ArrayType(spark_type(children[0][1], where))
    raise AssertionError(f"{where}: no Spark type for DuckDB type {duck_type} (add it to spark_type)")


def utc(value: Any) -> Any:
    """DuckDB TIMESTAMPs are naive UTC; pyspark reads a naive datetime as local time: mark it UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, dict):
        return {utc(k): utc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(utc(v) for v in value)
    return value


def sample_relations(project: DbtProject, sources: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Databricks relation_name -> (view name <source>__<table>, the DuckDB relation the local
    alerts read for that source: a seed or a model of the same name in the DuckDB manifest)."""
    manifest = json.loads((project.path / "target" / "manifest.json").read_text())
    local = {n["name"]: n["relation_name"] for n in manifest["nodes"].values()
             if n["resource_type"] in ("seed", "model") and n.get("relation_name")}
    out = {}
    for source in sources.values():
        view = f"{source.source_name}__{source.name}"
        if view in local and source.relation_name:
            out[source.relation_name] = (view, local[view])
    return out


def load_sample_tables(spark: SparkSession, project: DbtProject, relations: dict[str, tuple[str, str]]) -> None:
    """Each sample relation of the built DuckDB file as a cached Spark temporary view."""
    import duckdb

    con = duckdb.connect(str(project.duckdb_path), read_only=True)
    try:
        for view, duck_relation in relations.values():
            rel = con.sql(f"select * from {duck_relation}")
            schema = T.StructType([T.StructField(name, spark_type(t, f"{view}.{name}"))
                                   for name, t in zip(rel.columns, rel.types)])
            df = spark.createDataFrame([utc(row) for row in rel.fetchall()], schema).cache()
            df.count()
            df.createOrReplaceTempView(view)
    finally:
        con.close()


def for_spark(sql: str, relations: dict[str, tuple[str, str]]) -> str:
    """The compiled SQL with each source relation name replaced by its view (nothing else changes)."""
    pattern = re.compile("|".join(re.escape(name) for name in sorted(relations, key=len, reverse=True)))
    return pattern.sub(lambda m: f"`{relations[m.group(0)][0]}`", sql)


# ------------------------------------------------------------------------------------------------
# Fixtures: one project, one DuckDB evaluation per moment, one Spark session
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, built_project: DbtProject) -> DbtProject:
    return clone_built(built_project, tmp_path_factory.mktemp("dialect") / "project")


@pytest.fixture(scope="module")
def catalog(project: DbtProject) -> list[CatalogRow]:
    """Every catalog alert, enabled or not: every shipped alert model is checked."""
    return read_catalog(project.catalog_path)


@pytest.fixture(scope="module")
def duckdb_runs(project: DbtProject, catalog: list[CatalogRow]) -> dict[str, Any]:
    """moment -> the EvaluateOutcome of `alert-sync evaluate --as-of <moment> --select <every alert>` on DuckDB."""
    select = tuple(row.alert_id for row in catalog)
    runs = {}
    with dbt_environment(DBT_DUCKDB_PATH=str(project.duckdb_path)):
        for moment in MOMENTS:
            runs[moment] = run_evaluate(EvaluateOptions(project_dir=project.path, profiles_dir=project.path,
                                                        select=select, as_of=moment, threads=2, record=False),
                                        log=lambda _: None)
    return runs


@pytest.fixture(scope="module")
def databricks_sql(project: DbtProject, catalog: list[CatalogRow], tmp_path_factory: pytest.TempPathFactory):
    models = sorted({row["query_model"] for row in catalog if row["query_model"]})
    return compile_for_databricks(project, models, tmp_path_factory.mktemp("databricks-target"))


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    with spark_session(tmp_path_factory.mktemp("spark"), "dbt_alerts-databricks-dialect") as session:
        yield session


@pytest.fixture(scope="module")
def spark_tables(spark: SparkSession, project: DbtProject, databricks_sql) -> dict[str, tuple[str, str]]:
    relations = sample_relations(project, databricks_sql[1])
    load_sample_tables(spark, project, relations)
    return relations


# ------------------------------------------------------------------------------------------------
# The check
# ------------------------------------------------------------------------------------------------

def same_value(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)):
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return a == b  # strings, dates, timestamps (naive UTC on both sides)


def describe(e: Evaluation) -> str:
    text = f"{e.state} value={e.value!r} threshold={e.threshold!r} rows={e.row_count}"
    return text + (f" error={e.error}" if e.error else "")


@pytest.mark.parametrize("moment", MOMENTS)
def test_spark_gives_the_duckdb_states_and_values(moment, duckdb_runs, databricks_sql, spark, spark_tables):
    outcome = duckdb_runs[moment]
    sql_by_model = databricks_sql[0][moment]
    on_duckdb = {e.alert_id: e for e in outcome.evaluations}
    db = SparkQueries(spark)
    mismatches, matched = [], 0
    for alert in outcome.alerts:
        if alert.problem is not None:  # a catalog row that cannot be evaluated anywhere: not the dialect's
            continue
        duck = on_duckdb[alert.alert_id]
        sql = for_spark(sql_by_model[alert.model], spark_tables)
        on_spark = run_alert(db, alert.alert_id, sql, alert.spec, moment)
        same = (on_spark.state == duck.state and on_spark.row_count == duck.row_count
                and same_value(on_spark.value, duck.value) and same_value(on_spark.threshold, duck.threshold))
        if same:
            matched += 1
        else:
            mismatches.append(f"{alert.alert_id} ({alert.model}) as of {moment}:\n"
                              f"    DuckDB: {describe(duck)}\n    Spark:  {describe(on_spark)}")
    fired = sorted(e.alert_id for e in outcome.evaluations if e.state == TRIGGERED)
    print(f"{moment}: {matched} alerts give the same state and value on Spark as on DuckDB; "
          f"TRIGGERED: {', '.join(fired) or 'none'}")
    assert not mismatches, (f"{len(mismatches)} alert(s) differ between Spark (Databricks SQL) and DuckDB:\n"
                            + "\n".join(mismatches))
    assert matched, "no alert was compared"


def test_the_moments_cover_triggered_and_ok(duckdb_runs):
    """The comparison means something only if alerts fire and stay quiet at the chosen moments."""
    for moment, outcome in duckdb_runs.items():
        states = {e.state for e in outcome.evaluations}
        assert {TRIGGERED, OK} <= states, f"as of {moment} the alerts are only {sorted(states)}: pick another moment"
