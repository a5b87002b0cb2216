"""Metrics written back to the dbt target (source `alert_sync`), with parameterized statements.

The tables and their columns are the ones the dbt project declares (models/alert_sync/
_alert_sync__sources.yml, read from the manifest), so dbt reads exactly what this writes. They are
created when absent (dbt's on-run-start does the same). Locally the connection is DuckDB; on
Databricks it is databricks-sql-connector with the dbt-databricks target's settings.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from .errors import ConfigError
from .project import DbtTarget, Relation
from .summary import summarize


class SqlTarget:
    """A DB-API connection to the dbt target plus the dialect details we need."""

    def __init__(self, connection: Any, dialect: str):
        self.connection = connection
        self.dialect = dialect

    def quote(self, name: str) -> str:
        q = "`" if self.dialect == "databricks" else '"'
        return q + name.replace(q, q + q) + q

    def relation(self, rel: Relation) -> str:
        parts = [p for p in (rel.database, rel.schema, rel.identifier) if p]
        return ".".join(self.quote(p) for p in parts)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
        cursor = self.connection.cursor()
        try:
            if params is None:
                cursor.execute(sql)
            elif self.dialect == "databricks":
                # databricks-sql-connector binds native named parameters (:p0, :p1, ...).
                cursor.execute(sql, {f"p{i}": v for i, v in enumerate(params)})
            else:
                cursor.execute(sql, list(params))
            try:
                return list(cursor.fetchall())
            except Exception:  # statements without a result set
                return []
        finally:
            cursor.close()

    def query(self, sql: str) -> tuple[list[str], list[tuple]]:
        """Run a query as is: its output column names and all its rows (used by `alert-sync evaluate`)."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
            columns = [d[0] for d in (cursor.description or [])]
            return columns, [tuple(r) for r in cursor.fetchall()]
        finally:
            cursor.close()

    def placeholders(self, n: int, offset: int = 0) -> str:
        return ", ".join(f":p{offset + i}" if self.dialect == "databricks" else "?" for i in range(n))

    def ensure_table(self, rel: Relation) -> None:
        schema = ".".join(self.quote(p) for p in (rel.database, rel.schema) if p)
        self.execute(f"create schema if not exists {schema}")
        cols = ", ".join(f"{self.quote(name)} {dtype}" for name, dtype in rel.columns)
        self.execute(f"create table if not exists {self.relation(rel)} ({cols})")

    def insert(self, rel: Relation, rows: list[dict[str, Any]], chunk: int = 100) -> None:
        """Multi-row parameterized INSERTs (one round trip per `chunk` rows: Databricks is slow per statement)."""
        names = [name for name, _ in rel.columns]
        head = f"insert into {self.relation(rel)} ({', '.join(self.quote(n) for n in names)}) values "
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            groups = ", ".join(f"({self.placeholders(len(names), i * len(names))})" for i in range(len(part)))
            self.execute(head + groups, [row.get(n) for row in part for n in names])

    def close(self) -> None:
        self.connection.close()


# The dbt adapters alert-sync can connect with (connect below): DuckDB for the local demo, Databricks.
ADAPTERS = ("duckdb", "databricks")


def warm_up(target: DbtTarget) -> None:
    """Pay the target driver's one-off start-up cost ahead of the first write (sync.BackgroundTarget)."""
    if target.adapter_type == "duckdb":
        import duckdb

        # DuckDB imports pandas (when installed; databricks-sql-connector needs it) before it binds
        # the first parameter of the process (duckdb PR 18658): about 0.5 s, spent here instead.
        with duckdb.connect(":memory:") as connection:
            connection.execute("select ?", [0]).fetchall()
    elif target.adapter_type == "databricks":
        from databricks import sql  # noqa: F401


def connect(target: DbtTarget, project_dir: Path) -> SqlTarget:
    creds = target.credentials
    if target.adapter_type == "duckdb":
        import duckdb

        path = Path(creds.path)
        if str(creds.path) != ":memory:" and not path.is_absolute():
            path = project_dir / path  # dbt resolves it from where dbt runs: the project dir
        # DuckDB lets one process write a file at a time: wait briefly for another alert-sync or dbt.
        deadline = time.monotonic() + 30
        while True:
            try:
                return SqlTarget(duckdb.connect(str(path)), "duckdb")
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    if target.adapter_type == "databricks":
        from databricks import sql as dbsql

        if not getattr(creds, "token", None):
            raise ConfigError(f"dbt target '{target.name}' has no token: alert-sync writes metrics with a personal "
                              "access token (set it with env_var() in profiles.yml)")
        conn = dbsql.connect(server_hostname=str(creds.host).removeprefix("https://"), http_path=creds.http_path,
                             access_token=creds.token, catalog=getattr(creds, "database", None),
                             schema=creds.schema)
        return SqlTarget(conn, "databricks")
    raise ConfigError(f"dbt target '{target.name}' uses adapter '{target.adapter_type}'; alert-sync writes metrics "
                      f"to {' or '.join(ADAPTERS)} targets")


def recorded_ids(db: SqlTarget, tables: dict[str, Relation]) -> dict[str, str]:
    """alert_id -> databricks id of the last successful non-dry sync of each alert ({} before any sync)."""
    results, metrics = tables["alert_sync_results"], tables["alert_sync_metrics"]
    try:
        rows = db.execute(f"""
            select alert_id, databricks_alert_id from (
                select r.alert_id, r.databricks_alert_id,
                       row_number() over (partition by r.alert_id order by r.synced_at desc) as recency
                from {db.relation(results)} as r
                inner join {db.relation(metrics)} as m on r.sync_run_id = m.sync_run_id
                where not m.dry_run and r.status = 'SUCCESS' and r.action <> 'DELETE'
                  and r.alert_id is not null and r.databricks_alert_id is not null
            ) as latest
            where recency = 1""")
    except Exception:  # tables not created yet: nothing recorded
        return {}
    return {alert_id: databricks_id for alert_id, databricks_id in rows}


def evaluation_durations(db: SqlTarget, tables: dict[str, Relation], latest: int = 20) -> dict[str, list[int]]:
    """alert_id -> duration_ms of its latest `latest` evaluations recorded by `alert-sync evaluate`
    ({} when the table does not exist yet)."""
    relation = tables.get("alert_evaluations")
    if relation is None:
        return {}
    try:
        rows = db.execute(f"""
            select alert_id, duration_ms from (
                select alert_id, duration_ms,
                       row_number() over (partition by alert_id order by evaluated_at desc) as recency
                from {db.relation(relation)}
                where duration_ms is not null and alert_id is not null
            ) as latest
            where recency <= {int(latest)}""")
    except Exception:  # table not created yet: nothing measured
        return {}
    out: dict[str, list[int]] = {}
    for alert_id, ms in rows:
        out.setdefault(alert_id, []).append(int(ms))
    return out


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


@dataclass
class RunRecord:
    run_id: str
    started_at: datetime
    ended_at: datetime
    dry_run: bool
    target_name: str
    workspace_host: str
    results: list[dict[str, Any]]  # one per alert: the alert_sync_results columns
    observations: list[dict[str, Any]] = field(default_factory=list)  # alert_observations rows (observe.py)


def write_run(db: SqlTarget, tables: dict[str, Relation], run: RunRecord) -> None:
    results, metrics = tables["alert_sync_results"], tables["alert_sync_metrics"]
    latencies = [r["api_latency_ms"] for r in run.results if r.get("api_latency_ms") is not None]
    errors = [r for r in run.results if r["status"] == "ERROR"]
    summary = "\n".join(f"{r['alert_id'] or r['display_name']}: {r['error_message']}" for r in errors[:20])
    if len(errors) > 20:
        summary += f"\n... and {len(errors) - 20} more"
    counts = summarize((r["action"], r["status"]) for r in run.results)
    row = {
        "sync_run_id": run.run_id, "sync_started_at": run.started_at, "sync_ended_at": run.ended_at,
        "total_alerts": counts["total"], "success_count": counts["total"] - counts["errors"] - counts["skipped"],
        "error_count": counts["errors"], "created_count": counts["created"], "updated_count": counts["updated"],
        "unchanged_count": counts["unchanged"], "deleted_count": counts["deleted"], "skipped_count": counts["skipped"],
        "avg_api_latency_ms": statistics.fmean(latencies) if latencies else None,
        "min_api_latency_ms": min(latencies) if latencies else None,
        "max_api_latency_ms": max(latencies) if latencies else None,
        "p95_api_latency_ms": p95(latencies),
        "total_duration_seconds": (run.ended_at - run.started_at).total_seconds(),
        "dry_run": run.dry_run, "target_name": run.target_name, "workspace_host": run.workspace_host,
        "error_summary": summary or None,
    }
    for rel in (metrics, results):
        db.ensure_table(rel)
    db.insert(metrics, [row])
    db.insert(results, run.results)
    write_observations(db, tables, run.observations)


def write_observations(db: SqlTarget, tables: dict[str, Relation], rows: list[dict[str, Any]]) -> None:
    """alert_observations rows (observe.py), when the manifest declares that table (a build of the
    package before it does not: nothing to write then)."""
    observations = tables.get("alert_observations")
    if observations is None or not rows:
        return
    db.ensure_table(observations)
    db.insert(observations, rows)
