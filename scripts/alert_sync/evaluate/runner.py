"""Running the alerts on the dbt target: plan the catalog's alerts, run each compiled query (as
built, or recompiled as of each backtest moment) on the target's connection (metrics.connect:
DuckDB locally, databricks-sql-connector on Databricks), evaluate the result with
semantics.evaluate_rows, and append every evaluation to the `alert_evaluations` source table."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, Callable, Sequence

from databricks.sdk.service.sql import AlertV2Evaluation

from .. import metrics
from ..catalog import NULL_CHECKS, CatalogRow, id_problems, read_catalog
from ..conditions import Condition, compiled_condition, deployed_query
from ..desired import build_evaluation, node_problem
from ..errors import ConfigError, RowError
from ..project import AlertNode, Artifacts, BuildOptions, DbtTarget, load_build, resolve_profiles_dir
from .backtest import AS_OF_VAR, AsOfCompiler, MomentSql, backtest_moments, build_vars, format_moment, parse_moment
from .notification import MAX_ROWS
from .output import json_value, one_line, show, text_value
from .semantics import ERROR, OK, SYMBOLS, TRIGGERED, evaluate_rows, static_threshold

EVALUATIONS_TABLE = "alert_evaluations"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# ------------------------------------------------------------------------------------------------
# Running one alert
# ------------------------------------------------------------------------------------------------

@dataclass
class Evaluation:
    alert_id: str
    state: str
    value: Any = None
    threshold: Any = None
    row_count: int | None = None
    error: str | None = None
    duration_ms: int | None = None
    as_of: str | None = None
    evaluated_at: datetime = field(default_factory=_utcnow)
    spec: AlertV2Evaluation | None = field(default=None, repr=False)
    compiled: Condition | None = field(default=None, repr=False)  # BETWEEN, IN, ...: value is its column's
    columns: list[str] = field(default_factory=list, repr=False)  # the query's output columns
    rows: list[tuple] = field(default_factory=list, repr=False)  # its first MAX_ROWS rows (notifications)

    def as_json(self, with_as_of: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"alert_id": self.alert_id}
        if with_as_of:
            out["as_of"] = self.as_of
        out.update({"state": self.state, "value": json_value(self.value), "threshold": json_value(self.threshold),
                    "row_count": self.row_count, "error": self.error, "duration_ms": self.duration_ms})
        return out

    def as_row(self, run_id: str) -> dict[str, Any]:
        """One alert_evaluations row (the source yml's columns)."""
        return {"evaluation_run_id": run_id, "alert_id": self.alert_id, "evaluated_at": self.evaluated_at,
                "as_of": datetime.fromisoformat(self.as_of) if self.as_of else None, "state": self.state,
                "value": text_value(self.value), "threshold": text_value(self.threshold),
                "row_count": self.row_count, "error": self.error, "duration_ms": self.duration_ms}

    def condition(self) -> str:
        """e.g. `MAX(spend_ratio) = 3.4 > 3` or `yesterday_rows = 10 < min_expected_rows = 50`."""
        if self.compiled is not None:  # e.g. `cost = 12 BETWEEN 10 AND 20`
            return f"{self.compiled.source} = {show(self.value)} {self.compiled.operator_text()}"
        if self.spec is None:
            return ""
        src = self.spec.source
        name = f"{src.aggregation.value}({src.name})" if src.aggregation else src.name
        op = self.spec.comparison_operator
        left = f"{name} = {show(self.value)}"
        if op in NULL_CHECKS:
            return f"{left} {SYMBOLS[op]}"
        column = self.spec.threshold.column if self.spec.threshold else None
        if column is not None:
            cname = f"{column.aggregation.value}({column.name})" if column.aggregation else column.name
            return f"{left} {SYMBOLS.get(op, op.value)} {cname} = {show(self.threshold)}"
        return f"{left} {SYMBOLS.get(op, op.value)} {show(self.threshold)}"


def run_alert(db: metrics.SqlTarget, alert_id: str, sql: str, spec: AlertV2Evaluation,
              as_of: str | None = None, compiled: Condition | None = None) -> Evaluation:
    """Run one alert query on the target and evaluate its result (a failing query is ERROR).
    `compiled`: the row's compiled condition, `sql` its deployed query; the state is the
    deployed evaluation's, the value shown is the condition column's input."""
    started = time.perf_counter()
    try:
        columns, rows = db.query(sql)
    except Exception as exc:  # any driver error: the alert's state is ERROR, the run goes on
        ms = round((time.perf_counter() - started) * 1000)
        return Evaluation(alert_id, ERROR, error=f"query failed: {one_line(exc)}", duration_ms=ms, as_of=as_of,
                          threshold=compiled.threshold if compiled else static_threshold(spec), spec=spec,
                          compiled=compiled)
    ms = round((time.perf_counter() - started) * 1000)
    verdict = evaluate_rows(columns, rows, spec)
    if compiled is not None:
        verdict = verdict._replace(value=compiled.observed(columns, rows), threshold=compiled.threshold)
    return Evaluation(alert_id, verdict.state, verdict.value, verdict.threshold, len(rows), verdict.error, ms,
                      as_of, spec=spec, compiled=compiled, columns=list(columns), rows=list(rows[:MAX_ROWS]))


# ------------------------------------------------------------------------------------------------
# The evaluate run
# ------------------------------------------------------------------------------------------------

@dataclass
class EvaluateOptions(BuildOptions):
    select: tuple[str, ...] = ()
    as_of: str | None = None
    start: str | None = None
    end: str | None = None
    step: str = "1d"
    threads: int = 4
    record: bool = True
    compile_once: bool = True  # False: dbt compiles every alert model per moment (benchmark, tests)


@dataclass
class PlannedAlert:
    """One catalog alert to evaluate: its evaluation spec and model, or why it cannot be evaluated."""

    alert_id: str
    model: str
    enabled: bool
    spec: AlertV2Evaluation | None = None
    node: AlertNode | None = None
    problem: str | None = None
    row: CatalogRow | None = field(default=None, repr=False)


def split_select(values: Sequence[str]) -> list[str]:
    return [p for v in values for p in re.split(r"[\s,]+", v.strip()) if p]


def plan_alerts(rows: list[CatalogRow], artifacts: Artifacts, select: Sequence[str]) -> list[PlannedAlert]:
    """The enabled catalog alerts (or exactly the selected ones, enabled or not: a disabled alert can
    be backtested before it is switched on), in catalog order."""
    wanted = set(select)
    known = {r.alert_id for r in rows}
    unknown = sorted(wanted - known)
    if unknown:
        raise ConfigError(f"--select: no alert {', '.join(unknown)} in {artifacts.catalog_path.name} "
                          f"(alert ids are e.g. {', '.join(sorted(known)[:3])})")
    planned: list[PlannedAlert] = []
    bad_ids = id_problems(rows)
    for row in rows:
        alert_id = row.alert_id or f"(line {row.line})"
        try:
            enabled = row.is_enabled
            enabled_error = None
        except RowError as exc:
            enabled, enabled_error = True, str(exc)
        if wanted and alert_id not in wanted:
            continue
        if not wanted and not enabled:
            continue
        alert = PlannedAlert(alert_id, row["query_model"], enabled, problem=bad_ids.get(row.line) or enabled_error,
                             row=row)
        planned.append(alert)
        if alert.problem:
            continue
        try:
            alert.spec = build_evaluation(row)
        except RowError as exc:
            alert.problem = str(exc)
            continue
        alert.node = artifacts.alert_nodes.get(alert.model)
        alert.problem = node_problem(row, alert.node)
    return planned


class QueryPool:
    """Parallel alert queries on the dbt target: DuckDB cursors of one connection (one per thread),
    or one databricks-sql-connector connection per thread."""

    def __init__(self, target: DbtTarget, project_dir: Path, threads: int):
        self.target, self.project_dir = target, project_dir
        self.base = self._connect()
        self.threads = max(1, threads)
        self._local = threading.local()
        self._opened: list[metrics.SqlTarget] = []
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="evaluate") if self.threads > 1 else None

    def _connect(self) -> metrics.SqlTarget:
        try:
            return metrics.connect(self.target, self.project_dir)
        except ConfigError:
            raise
        except Exception as exc:
            raise ConfigError(f"Cannot connect to dbt target '{self.target.name}' to run the alert queries: "
                              f"{one_line(exc)}") from exc

    def _db(self) -> metrics.SqlTarget:
        db = getattr(self._local, "db", None)
        if db is None:
            if self.base.dialect == "duckdb":
                db = metrics.SqlTarget(self.base.connection.cursor(), "duckdb")
            else:
                db = self._connect()
            with self._lock:
                self._opened.append(db)
            self._local.db = db
        return db

    def submit(self, fn: Callable[[metrics.SqlTarget], Evaluation]) -> Future:
        """Run fn(db) on a pool thread (inline with one thread); the future of its Evaluation."""
        if self._executor is None:
            done: Future = Future()
            done.set_result(fn(self.base))
            return done
        return self._executor.submit(lambda: fn(self._db()))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        for db in [*self._opened, self.base]:
            with contextlib.suppress(Exception):
                db.close()


@dataclass
class EvaluateOutcome:
    run_id: str
    target_name: str
    adapter_type: str
    moments: list[str | None]
    is_range: bool
    evaluations: list[Evaluation]
    alerts: list[PlannedAlert]
    start: str | None = None
    end: str | None = None
    step: str | None = None
    recorded: bool = False
    record_warning: str | None = None
    recompiled_per_moment: dict[str, str] = field(default_factory=dict)  # backtest: model -> why
    dbt_compiles: int = 0  # backtest: dbt compile invocations (the benchmark reports them)
    display_name_prefix: str = ""  # var alerts_display_name_prefix as the build resolved it (ALERT_NAME)

    def by_moment(self) -> list[tuple[str | None, list[Evaluation]]]:
        return [(m, [e for e in self.evaluations if e.as_of == m]) for m in self.moments]

    def summary(self) -> list[dict[str, Any]]:
        """Per alert over all moments: how often it was TRIGGERED, fired and flapped (see firing)."""
        out = []
        for alert in self.alerts:
            evs = [e for e in self.evaluations if e.alert_id == alert.alert_id]
            triggered = [e for e in evs if e.state == TRIGGERED]
            out.append({
                "alert_id": alert.alert_id, "evaluations": len(evs), "triggered": len(triggered),
                "errors": sum(1 for e in evs if e.state == ERROR),
                "trigger_rate": round(len(triggered) / len(evs), 4) if evs else None,
                **firing([e.state for e in evs]),
                "first_triggered_as_of": triggered[0].as_of if triggered else None,
                "last_triggered_as_of": triggered[-1].as_of if triggered else None,
            })
        return out

    def to_json(self) -> dict[str, Any]:
        if not self.is_range:
            return {"run_id": self.run_id, "as_of": self.moments[0],
                    "evaluations": [e.as_json() for e in self.evaluations]}
        return {
            "run_id": self.run_id, "as_of": None, "from": self.start, "to": self.end, "step": self.step,
            "evaluations": [e.as_json(with_as_of=True) for e in self.evaluations],
            "dates": [{"as_of": m, "triggered": [e.alert_id for e in evs if e.state == TRIGGERED],
                       "ok": sum(1 for e in evs if e.state == OK),
                       "errors": [e.alert_id for e in evs if e.state == ERROR]} for m, evs in self.by_moment()],
            "summary": self.summary(),
            "recompiled_per_moment": dict(sorted(self.recompiled_per_moment.items())),
        }

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for e in self.evaluations if e.state == s) for s in (TRIGGERED, OK, ERROR)}


def firing(states: Sequence[str]) -> dict[str, Any]:
    """How an alert's states in moment order would have notified and flapped. ERROR evaluations are
    skipped (they neither fire nor break a streak):
    - fired: entries into TRIGGERED, i.e. TRIGGERED evaluations whose previous non-ERROR evaluation
      was not TRIGGERED (the first one counts when TRIGGERED): the notifications it would send
      (retrigger_seconds and notify_on_ok aside);
    - flaps: changes OK <-> TRIGGERED between consecutive non-ERROR evaluations;
    - flap_rate: flaps / (non-ERROR evaluations - 1), None with fewer than two."""
    seen = [s for s in states if s != ERROR]
    changes = list(zip(seen, seen[1:]))
    fired = (1 if seen and seen[0] == TRIGGERED else 0) + sum(1 for a, b in changes if b == TRIGGERED != a)
    flaps = sum(1 for a, b in changes if a != b)
    return {"fired": fired, "flaps": flaps,
            "flap_rate": round(flaps / len(changes), 4) if changes else None}


def run_evaluate(options: EvaluateOptions, log: Callable[[str], None],
                 on_moment: Callable[[str | None, list[Evaluation]], None] | None = None) -> EvaluateOutcome:
    """Evaluate the catalog's alerts (as built, or as of each backtest moment) and record the results."""
    moments = backtest_moments(options.as_of, options.start, options.end, options.step)
    artifacts, target = load_build(options.project_dir, options.target_path, options.profiles_dir, options.target)
    if target.adapter_type not in metrics.ADAPTERS:  # before any planning: nothing can run
        raise ConfigError(f"alert-sync evaluate runs the alert queries on the dbt target's own connection, which it "
                          f"can open for {' and '.join(metrics.ADAPTERS)} targets; dbt target '{target.name}' uses "
                          f"adapter '{target.adapter_type}'. Build and evaluate with a {' or '.join(metrics.ADAPTERS)} "
                          "target (--target).")
    alerts = plan_alerts(read_catalog(artifacts.catalog_path), artifacts, split_select(options.select))
    variables = build_vars(options.project_dir, options.target_path)
    is_range = moments is not None and len(moments) > 1 or bool(options.start)
    if moments is None:
        built_as_of = variables.get(AS_OF_VAR)
        moments_run: list[str | None] = [format_moment(parse_moment(str(built_as_of), AS_OF_VAR))
                                         if built_as_of else None]
    else:
        moments_run = list(moments)
    outcome = EvaluateOutcome(str(uuid.uuid4()), target.name, target.adapter_type, moments_run, is_range, [], alerts,
                              start=moments[0] if is_range and moments else None,
                              end=moments[-1] if is_range and moments else None,
                              step=options.step if is_range else None,
                              display_name_prefix=artifacts.settings.get("display_name_prefix") or "")
    runnable = [a for a in alerts if a.problem is None]

    workdir = Path(tempfile.mkdtemp(prefix="alert-sync-evaluate-"))
    pool = QueryPool(target, options.project_dir, options.threads) if alerts else None
    try:
        sql_as_of: Callable[[str | None], dict[str, tuple[str | None, str | None]]]
        compiler = None
        if moments is not None and runnable:
            compiler = AsOfCompiler(options.project_dir,
                                    resolve_profiles_dir(options.project_dir, options.profiles_dir),
                                    options.target_path, variables, [a.model for a in runnable], workdir)
            moment_sql = MomentSql(compiler, moments, once=options.compile_once)
            outcome.recompiled_per_moment = dict(moment_sql.per_moment)
            if moment_sql.templates and moment_sql.per_moment:
                log(f"backtest: {len(moment_sql.templates)} alert model(s) compiled once; recompiled per moment: "
                    + "; ".join(f"{m} ({why})" for m, why in sorted(moment_sql.per_moment.items())))
            sql_as_of = moment_sql.compile
        else:
            built = {a.model: (a.node.compiled_code, None) for a in runnable}
            sql_as_of = lambda moment: built  # noqa: E731
        # Every (moment, alert) query goes through the pool at once, no barrier between moments;
        # the results are taken in order (moments, then catalog order) to report each moment.
        pending: list[tuple[str | None, list[Future]]] = []

        def report(block: bool) -> None:
            while pending and (block or all(f.done() for f in pending[0][1])):
                moment, futures = pending.pop(0)
                evaluations = [f.result() for f in futures]
                outcome.evaluations.extend(evaluations)
                if on_moment is not None:
                    on_moment(moment, evaluations)

        for moment in moments_run:
            compiled = sql_as_of(moment) if runnable else {}
            futures: list[Future] = []
            for alert in alerts:
                code, problem = compiled.get(alert.model, (None, None)) if alert.problem is None else (None, None)
                if alert.problem is not None or problem is not None or not code:
                    reason = alert.problem or problem or f"model '{alert.model}' has no compiled SQL"
                    futures.append(_done(Evaluation(alert.alert_id, ERROR, error=reason, as_of=moment,
                                                    spec=alert.spec)))
                else:
                    futures.append(pool.submit(partial(_run_planned, alert, code, moment, target.adapter_type)))
            pending.append((moment, futures))
            report(block=not options.compile_once)  # the old path waited for each moment's queries
        report(block=True)
        if compiler is not None:
            outcome.dbt_compiles = compiler.compiles
        if options.record:
            record(outcome, artifacts, pool, log)
    finally:
        if pool is not None:
            pool.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return outcome


def _done(evaluation: Evaluation) -> Future:
    future: Future = Future()
    future.set_result(evaluation)
    return future


def _run_planned(alert: PlannedAlert, compiled_sql: str, moment: str | None, dialect: str,
                 db: metrics.SqlTarget) -> Evaluation:
    # The query the deployed alert runs: the model's compiled SQL as of the moment, wrapped for a
    # condition Alerts v2 cannot express (conditions.deployed_query, the one place that text is made).
    query = deployed_query(alert.row, compiled_sql, dialect)
    return run_alert(db, alert.alert_id, query, alert.spec, moment, compiled_condition(alert.row))


def record(outcome: EvaluateOutcome, artifacts: Artifacts, pool: QueryPool | None, log: Callable[[str], None]) -> None:
    """Append the run's evaluations to alert_evaluations (parameterized inserts on the target)."""
    relation = artifacts.sync_tables.get(EVALUATIONS_TABLE)
    if relation is None:
        outcome.record_warning = (f"evaluations not recorded: the manifest declares no source table "
                                  f"alert_sync.{EVALUATIONS_TABLE}")
        log(f"warning: {outcome.record_warning}")
        return
    if not outcome.evaluations:
        return
    if pool is None:
        return
    try:
        db = pool.base
        db.ensure_table(relation)
        db.insert(relation, [e.as_row(outcome.run_id) for e in outcome.evaluations])
        outcome.recorded = True
    except Exception as exc:  # the evaluation stands; losing its record must not hide it
        outcome.record_warning = f"writing {EVALUATIONS_TABLE} failed: {one_line(exc)}"
        log(f"warning: {outcome.record_warning}")


def exit_code(outcome: EvaluateOutcome, fail_on_trigger: bool, fail_on_error: bool) -> int:
    counts = outcome.counts()
    if fail_on_error and counts[ERROR]:
        return 1
    if fail_on_trigger and counts[TRIGGERED]:
        return 3
    return 0
