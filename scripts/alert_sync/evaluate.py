"""`alert-sync evaluate`: would my alerts fire? Alerts v2 evaluation on the dbt target itself.

Two halves, kept apart on purpose:

* The semantics (pure Python, no I/O): `aggregate`, `compare` and `evaluate_rows(columns, rows,
  evaluation)` turn an alert query's result into OK / TRIGGERED / ERROR the way Databricks SQL
  Alerts v2 does. `evaluation` is the very `AlertV2Evaluation` the sync deploys (built from the
  catalog row with the same helpers as desired.py), so what is evaluated is what is deployed.
  README "How evaluate decides a state" lists every rule and the Databricks docs behind it.
* The runner: each alert's compiled query (target/manifest.json of the last `dbt build`, or a
  recompile with var `alerts_as_of` for a backtest) runs on the dbt target's connection
  (metrics.connect: DuckDB locally, databricks-sql-connector on Databricks), the result goes
  through `evaluate_rows`, and every evaluation is appended to the `alert_evaluations` source table.
"""

from __future__ import annotations

import contextlib
import json
import math
import operator
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

from databricks.sdk.service.sql import (
    Aggregation, AlertEvaluationState, AlertV2Evaluation, ComparisonOperator,
)

from . import metrics
from .catalog import NULL_CHECKS, CatalogRow, RowError, read_catalog
from .desired import build_evaluation, node_problem
from .errors import ConfigError, EvalError, describe
from .project import Artifacts, AlertNode, DbtTarget, load_build, resolve_profiles_dir

OK, TRIGGERED, ERROR = "OK", "TRIGGERED", "ERROR"
EVALUATIONS_TABLE = "alert_evaluations"
AS_OF_VAR = "alerts_as_of"
MAX_MOMENTS = 1000  # a backtest range longer than this is almost certainly a typo in --step
ERROR_CHARS = 2000


# ------------------------------------------------------------------------------------------------
# Semantics (pure)
# ------------------------------------------------------------------------------------------------

class Verdict(NamedTuple):
    state: str        # OK, TRIGGERED or ERROR
    value: Any        # the observed (aggregated) source value; None when there is none
    threshold: Any    # the threshold compared against (a COLUMN threshold: that column's aggregated value)
    error: str | None = None


def kind(value: Any) -> str:
    """The Databricks SQL type family of a Python value from the DB-API driver."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        return "timestamp"
    if isinstance(value, date):
        return "date"
    return type(value).__name__


_TRUE = ("t", "true", "y", "yes", "1")     # Databricks cast(string as boolean)
_FALSE = ("f", "false", "n", "no", "0")


def _string_as(text: str, target_kind: str) -> Any:
    """Implicit crosscast of a STRING to another type family, failing like the warehouse does."""
    raw = text.strip()
    try:
        if target_kind == "number":
            return float(raw)
        if target_kind == "boolean":
            if raw.lower() in _TRUE:
                return True
            if raw.lower() in _FALSE:
                return False
            raise ValueError(raw)
        if target_kind == "timestamp":
            return datetime.fromisoformat(raw)
        if target_kind == "date":
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise EvalError(f"string {text!r} cannot be cast to {target_kind.upper() if target_kind != 'number' else 'DOUBLE'}")


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def common_type(a: Any, b: Any) -> tuple[Any, Any]:
    """Both operands in their least common type (Databricks SQL data type rules), or EvalError."""
    ka, kb = kind(a), kind(b)
    if ka == kb == "number":
        if isinstance(a, float) or isinstance(b, float):
            return float(a), float(b)
        return a, b  # int / DECIMAL compare exactly
    if ka == kb and ka in ("string", "boolean", "date"):
        return a, b
    if ka == kb == "timestamp":
        if (a.tzinfo is None) != (b.tzinfo is None):
            return _naive_utc(a), _naive_utc(b)
        return a, b
    if {ka, kb} == {"date", "timestamp"}:
        a2 = datetime(a.year, a.month, a.day) if ka == "date" else a
        b2 = datetime(b.year, b.month, b.day) if kb == "date" else b
        return common_type(a2, b2)
    if ka == "string" and kb in ("number", "boolean", "date", "timestamp"):
        return common_type(_string_as(a, kb), b)
    if kb == "string" and ka in ("number", "boolean", "date", "timestamp"):
        return common_type(a, _string_as(b, ka))
    raise EvalError(f"cannot compare {ka.upper()} {a!r} with {kb.upper()} {b!r}")


_COMPARE = {
    ComparisonOperator.GREATER_THAN: operator.gt,
    ComparisonOperator.GREATER_THAN_OR_EQUAL: operator.ge,
    ComparisonOperator.LESS_THAN: operator.lt,
    ComparisonOperator.LESS_THAN_OR_EQUAL: operator.le,
    ComparisonOperator.EQUAL: operator.eq,
    ComparisonOperator.NOT_EQUAL: operator.ne,
}
SYMBOLS = {
    ComparisonOperator.GREATER_THAN: ">", ComparisonOperator.GREATER_THAN_OR_EQUAL: ">=",
    ComparisonOperator.LESS_THAN: "<", ComparisonOperator.LESS_THAN_OR_EQUAL: "<=",
    ComparisonOperator.EQUAL: "=", ComparisonOperator.NOT_EQUAL: "!=",
    ComparisonOperator.IS_NULL: "IS NULL", ComparisonOperator.IS_NOT_NULL: "IS NOT NULL",
}


def compare(op: ComparisonOperator, value: Any, threshold: Any) -> bool:
    """Is the condition met? IS_NULL / IS_NOT_NULL test the value; any other operator with a NULL
    operand is SQL's unknown, which is not met."""
    if op == ComparisonOperator.IS_NULL:
        return value is None
    if op == ComparisonOperator.IS_NOT_NULL:
        return value is not None
    if op not in _COMPARE:
        raise EvalError(f"comparison operator {op} is not supported")
    if value is None or threshold is None:
        return False
    a, b = common_type(value, threshold)
    return bool(_COMPARE[op](a, b))


def _as_number(value: Any, what: str) -> int | float | Decimal:
    k = kind(value)
    if k == "number":
        return value
    if k == "string":
        return _string_as(value, "number")
    raise EvalError(f"{what}: {k.upper()} value {value!r} is not numeric")


def _sum(numbers: list) -> int | float | Decimal:
    if any(isinstance(n, float) for n in numbers):
        total = 0.0
        for n in numbers:
            total += float(n)
        return total
    if any(isinstance(n, Decimal) for n in numbers):
        return sum((Decimal(n) for n in numbers), Decimal(0))
    return sum(numbers)


def aggregate(values: Sequence[Any], aggregation: Aggregation | None, column: str) -> Any:
    """The value Alerts v2 reads from one output column: the first row's value without an
    aggregation, else the SQL aggregate over all rows (NULLs ignored, as in Databricks SQL)."""
    if aggregation is None:
        return values[0] if values else None
    present = [v for v in values if v is not None]
    what = f"{aggregation.value}({column})"
    if aggregation == Aggregation.COUNT:
        return len(present)
    if aggregation == Aggregation.COUNT_DISTINCT:
        try:
            return len(set(present))
        except TypeError as exc:
            raise EvalError(f"{what}: values cannot be compared for distinctness ({exc})") from None
    if aggregation in (Aggregation.MIN, Aggregation.MAX):
        if not present:
            return None
        try:
            return (min if aggregation == Aggregation.MIN else max)(present)
        except TypeError as exc:
            raise EvalError(f"{what}: values of different types ({exc})") from None
    numbers = [_as_number(v, what) for v in present]
    if not numbers:
        return None
    if aggregation == Aggregation.SUM:
        return _sum(numbers)
    if aggregation == Aggregation.AVG:
        return float(_sum(numbers)) / len(numbers)
    if aggregation == Aggregation.MEDIAN:  # percentile_cont(0.5): the mean of the middle two when even
        xs = sorted(float(n) for n in numbers)
        mid = len(xs) // 2
        return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2
    if aggregation == Aggregation.STDDEV:  # stddev = stddev_samp; NULL for a single value
        return statistics.stdev([float(n) for n in numbers]) if len(numbers) > 1 else None
    raise EvalError(f"aggregation {aggregation} is not supported")


def column_index(columns: Sequence[str], name: str) -> int:
    """Output column by name, case-insensitively (Databricks resolves column names that way); two
    output columns with that name are ambiguous, as `SELECT agg(name) FROM (query)` would be."""
    folded = [i for i, c in enumerate(columns) if c.lower() == name.lower()]
    if len(folded) == 1:
        return folded[0]
    if not folded:
        raise EvalError(f"column '{name}' is not in the query output (columns: {', '.join(columns) or 'none'})")
    raise EvalError(f"column '{name}' is ambiguous: the query returns it {len(folded)} times")


def static_threshold(evaluation: AlertV2Evaluation) -> Any:
    """The threshold value of a DOUBLE / STRING / BOOLEAN threshold (None for COLUMN or none)."""
    operand = evaluation.threshold
    if operand is None or operand.value is None:
        return None
    v = operand.value
    if v.double_value is not None:
        return float(v.double_value)
    if v.string_value is not None:
        return v.string_value
    if v.bool_value is not None:
        return bool(v.bool_value)
    return None


def evaluate_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], evaluation: AlertV2Evaluation) -> Verdict:
    """The Alerts v2 state of one query result, as (state, value, threshold, error)."""
    threshold = static_threshold(evaluation)
    op = evaluation.comparison_operator
    if not rows:
        state = (evaluation.empty_result_state or AlertEvaluationState.OK).value
        error = "the query returned no rows and empty_result_state is ERROR" if state == ERROR else None
        return Verdict(state, None, threshold, error)
    value = None
    try:
        source = evaluation.source
        value = aggregate([r[column_index(columns, source.name)] for r in rows], source.aggregation, source.name)
        column = evaluation.threshold.column if evaluation.threshold is not None else None
        if column is not None and op not in NULL_CHECKS:
            threshold = aggregate([r[column_index(columns, column.name)] for r in rows], column.aggregation,
                                  column.name)
        if op not in NULL_CHECKS and evaluation.threshold is None:
            raise EvalError(f"{op.value} needs a threshold")
        triggered = compare(op, value, threshold)
    except EvalError as exc:
        return Verdict(ERROR, value, threshold, str(exc))
    return Verdict(TRIGGERED if triggered else OK, value, threshold)


# ------------------------------------------------------------------------------------------------
# Values for output and storage
# ------------------------------------------------------------------------------------------------

def json_value(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else repr(v)
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def text_value(v: Any) -> str | None:
    """How a value is stored in alert_evaluations (a string column: any SQL type fits)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def show(v: Any) -> str:
    """A value for people: numbers without noise, strings quoted, NULL spelled out."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f"'{v}'"
    if isinstance(v, (float, Decimal)):
        f = float(v)
        if not math.isfinite(f):
            return repr(f)
        if f == int(f) and abs(f) < 1e15:
            return str(int(f))
        return f"{f:.6g}" if abs(f) < 1e-3 or abs(f) >= 1e9 else f"{f:.4f}".rstrip("0").rstrip(".")
    return text_value(v) or ""


def _one_line(exc: BaseException | str) -> str:
    return describe(exc)[:ERROR_CHARS]


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
              as_of: str | None = None) -> Evaluation:
    """Run one alert query on the target and evaluate its result (a failing query is ERROR)."""
    started = time.perf_counter()
    try:
        columns, rows = db.query(sql)
    except Exception as exc:  # any driver error: the alert's state is ERROR, the run goes on
        ms = round((time.perf_counter() - started) * 1000)
        return Evaluation(alert_id, ERROR, error=f"query failed: {_one_line(exc)}", duration_ms=ms, as_of=as_of,
                          threshold=static_threshold(spec), spec=spec)
    ms = round((time.perf_counter() - started) * 1000)
    verdict = evaluate_rows(columns, rows, spec)
    return Evaluation(alert_id, verdict.state, verdict.value, verdict.threshold, len(rows), verdict.error, ms,
                      as_of, spec=spec)


# ------------------------------------------------------------------------------------------------
# Backtest moments and the as-of recompile
# ------------------------------------------------------------------------------------------------

_MOMENT_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_moment(text: str, option: str) -> datetime:
    for fmt in _MOMENT_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise ConfigError(f"{option} '{text}' is not a date or timestamp: use YYYY-MM-DD or 'YYYY-MM-DD HH:MM[:SS]'")


def parse_step(text: str) -> timedelta:
    m = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text or "")
    if not m or int(m.group(1)) == 0:
        raise ConfigError(f"--step '{text}' is not valid: use a positive number of minutes, hours, days or weeks, "
                          f"e.g. 1d, 6h, 30m, 1w")
    unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[m.group(2)]
    return timedelta(**{unit: int(m.group(1))})


def format_moment(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def backtest_moments(as_of: str | None, start: str | None, end: str | None, step: str) -> list[str] | None:
    """The as-of moments to evaluate (None: evaluate as built, "now")."""
    if as_of and (start or end):
        raise ConfigError("--as-of evaluates one moment; --from/--to a range: use one or the other")
    if as_of:
        return [format_moment(parse_moment(as_of, "--as-of"))]
    if not start and not end:
        return None
    if not (start and end):
        raise ConfigError("a backtest range needs both --from and --to")
    first, last, delta = parse_moment(start, "--from"), parse_moment(end, "--to"), parse_step(step)
    if last < first:
        raise ConfigError(f"--to {end} is before --from {start}")
    count = int((last - first) / delta) + 1
    if count > MAX_MOMENTS:
        raise ConfigError(f"--from {start} --to {end} --step {step} is {count} evaluations of every alert "
                          f"(limit {MAX_MOMENTS}): use a larger --step or a shorter range")
    return [format_moment(first + i * delta) for i in range(count)]


def build_vars(project_dir: Path, target_path: str) -> dict[str, Any]:
    """The --vars of the last `dbt build` (run_results.json), so a recompile differs only in alerts_as_of."""
    try:
        args = json.loads((project_dir / target_path / "run_results.json").read_text()).get("args") or {}
    except (OSError, json.JSONDecodeError):
        return {}
    value = args.get("vars") or {}
    if isinstance(value, str):
        import yaml

        value = yaml.safe_load(value) or {}
    return dict(value) if isinstance(value, dict) else {}


class AsOfCompiler:
    """Recompiles alert models with var `alerts_as_of` set: dbt's own dbtRunner, in process, one
    `dbt parse` and then one `dbt compile --select <alert models>` per moment against the parsed
    manifest (so the per-moment cost is the compile only). Everything goes to a private temporary
    target path; the project's target/ artifacts are never touched. The parse starts from a copy
    of target/partial_parse.msgpack when there is one (dbt falls back to a full parse if stale)."""

    def __init__(self, project_dir: Path, profiles_dir: Path, target_name: str, target_path: str,
                 variables: dict[str, Any], models: list[str], workdir: Path):
        self.project_dir, self.profiles_dir, self.target_name = project_dir, profiles_dir, target_name
        self.variables, self.models, self.workdir = variables, sorted(set(models)), workdir
        self.manifest = None
        partial = project_dir / target_path / "partial_parse.msgpack"
        if partial.exists():
            shutil.copy2(partial, workdir / "partial_parse.msgpack")

    def _invoke(self, args: list[str]):
        from dbt.cli.main import dbtRunner

        messages: list[str] = []

        def collect(event) -> None:
            if getattr(event.info, "level", "") == "error" and event.info.msg:
                messages.append(" ".join(str(event.info.msg).split()))

        common = ["--project-dir", str(self.project_dir), "--profiles-dir", str(self.profiles_dir),
                  "--target", self.target_name, "--target-path", str(self.workdir),
                  "--log-path", str(self.workdir), "--log-level", "none", "--no-use-colors",
                  "--no-send-anonymous-usage-stats"]  # internal compiles: no tracking round trips
        runner = dbtRunner(manifest=self.manifest, callbacks=[collect])
        with contextlib.redirect_stdout(sys.stderr):  # --json owns stdout
            result = runner.invoke([*args, *common])
        return result, messages

    def parse(self) -> None:
        result, messages = self._invoke(["parse", "--vars", json.dumps(self.variables, default=str)])
        if not result.success or result.result is None:
            raise ConfigError("dbt parse failed while preparing the backtest: "
                              + ("; ".join(messages) or _one_line(result.exception or "unknown error")))
        self.manifest = result.result

    def compile(self, as_of: str) -> dict[str, tuple[str | None, str | None]]:
        """model name -> (compiled SQL, None) or (None, why it did not compile)."""
        if self.manifest is None:
            self.parse()
        if not self.models:
            return {}
        variables = {**self.variables, AS_OF_VAR: as_of}
        result, messages = self._invoke(["compile", "--vars", json.dumps(variables, default=str),
                                         "--select", " ".join(self.models), "--no-populate-cache"])
        out: dict[str, tuple[str | None, str | None]] = {}
        for r in getattr(result.result, "results", None) or []:
            node = r.node
            if str(r.status).lower().endswith("success") and getattr(node, "compiled_code", None):
                out[node.name] = (node.compiled_code, None)
            else:
                out[node.name] = (None, f"dbt compile with {AS_OF_VAR}='{as_of}' failed: "
                                        f"{' '.join(str(r.message or r.status).split())}")
        if not out and not result.success:
            raise ConfigError(f"dbt compile with {AS_OF_VAR}='{as_of}' failed: "
                              + ("; ".join(messages) or _one_line(result.exception or "unknown error")))
        for model in self.models:
            out.setdefault(model, (None, f"dbt compile with {AS_OF_VAR}='{as_of}' did not compile model '{model}'"))
        return out


# ------------------------------------------------------------------------------------------------
# The evaluate run
# ------------------------------------------------------------------------------------------------

@dataclass
class EvaluateOptions:
    project_dir: Path = Path(".")
    target_path: str = "target"
    profiles_dir: Path | None = None
    target: str | None = None
    select: tuple[str, ...] = ()
    as_of: str | None = None
    start: str | None = None
    end: str | None = None
    step: str = "1d"
    threads: int = 4
    record: bool = True


@dataclass
class PlannedAlert:
    """One catalog alert to evaluate: its evaluation spec and model, or why it cannot be evaluated."""

    alert_id: str
    model: str
    enabled: bool
    spec: AlertV2Evaluation | None = None
    node: AlertNode | None = None
    problem: str | None = None


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
    seen: dict[str, int] = {}
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
        alert = PlannedAlert(alert_id, row["query_model"], enabled)
        planned.append(alert)
        if not row.alert_id:
            alert.problem = f"alert_id is empty on line {row.line} of the catalog"
        elif alert_id in seen:
            alert.problem = f"alert_id '{alert_id}' is duplicated (lines {seen[alert_id]} and {row.line})"
        seen.setdefault(alert_id, row.line)
        if alert.problem or enabled_error:
            alert.problem = alert.problem or enabled_error
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
                              f"{_one_line(exc)}") from exc

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

    def map(self, fn: Callable[[metrics.SqlTarget, Any], Evaluation], items: list) -> list[Evaluation]:
        if self._executor is None or len(items) < 2:
            return [fn(self.base, item) for item in items]
        return list(self._executor.map(lambda item: fn(self._db(), item), items))

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

    def by_moment(self) -> list[tuple[str | None, list[Evaluation]]]:
        return [(m, [e for e in self.evaluations if e.as_of == m]) for m in self.moments]

    def summary(self) -> list[dict[str, Any]]:
        """Per alert over all moments: how often it would have fired."""
        out = []
        for alert in self.alerts:
            evs = [e for e in self.evaluations if e.alert_id == alert.alert_id]
            fired = [e for e in evs if e.state == TRIGGERED]
            out.append({
                "alert_id": alert.alert_id, "evaluations": len(evs), "triggered": len(fired),
                "errors": sum(1 for e in evs if e.state == ERROR),
                "trigger_rate": round(len(fired) / len(evs), 4) if evs else None,
                "first_triggered_as_of": fired[0].as_of if fired else None,
                "last_triggered_as_of": fired[-1].as_of if fired else None,
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
        }

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for e in self.evaluations if e.state == s) for s in (TRIGGERED, OK, ERROR)}


def run_evaluate(options: EvaluateOptions, log: Callable[[str], None],
                 on_moment: Callable[[str | None, list[Evaluation]], None] | None = None) -> EvaluateOutcome:
    """Evaluate the catalog's alerts (as built, or as of each backtest moment) and record the results."""
    moments = backtest_moments(options.as_of, options.start, options.end, options.step)
    artifacts, target = load_build(options.project_dir, options.target_path, options.profiles_dir, options.target)
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
                              step=options.step if is_range else None)
    runnable = [a for a in alerts if a.problem is None]

    workdir = Path(tempfile.mkdtemp(prefix="alert-sync-evaluate-"))
    compiler = None
    if moments is not None and runnable:
        compiler = AsOfCompiler(options.project_dir, resolve_profiles_dir(options.project_dir, options.profiles_dir),
                                target.name, options.target_path, variables, [a.model for a in runnable], workdir)
    pool = QueryPool(target, options.project_dir, options.threads) if alerts else None
    try:
        for moment in moments_run:
            if compiler is not None:
                compiled = compiler.compile(moment)
            else:
                compiled = {a.model: (a.node.compiled_code, None) for a in runnable}
            evaluations: list[Evaluation] = []
            jobs = []
            for alert in alerts:
                code, problem = compiled.get(alert.model, (None, None)) if alert.problem is None else (None, None)
                if alert.problem is not None or problem is not None or not code:
                    reason = alert.problem or problem or f"model '{alert.model}' has no compiled SQL"
                    evaluations.append(Evaluation(alert.alert_id, ERROR, error=reason, as_of=moment, spec=alert.spec))
                else:
                    evaluations.append(None)  # type: ignore[arg-type]  # filled below, keeps catalog order
                    jobs.append((len(evaluations) - 1, alert, code))
            if jobs:
                results = pool.map(lambda db, job: run_alert(db, job[1].alert_id, job[2], job[1].spec, moment), jobs)
                for (index, _, _), result in zip(jobs, results):
                    evaluations[index] = result
            outcome.evaluations.extend(evaluations)
            if on_moment is not None:
                on_moment(moment, evaluations)
        if options.record:
            record(outcome, artifacts, pool, log)
    finally:
        if pool is not None:
            pool.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return outcome


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
        outcome.record_warning = f"writing {EVALUATIONS_TABLE} failed: {_one_line(exc)}"
        log(f"warning: {outcome.record_warning}")


def exit_code(outcome: EvaluateOutcome, fail_on_trigger: bool, fail_on_error: bool) -> int:
    counts = outcome.counts()
    if fail_on_error and counts[ERROR]:
        return 1
    if fail_on_trigger and counts[TRIGGERED]:
        return 3
    return 0


# ------------------------------------------------------------------------------------------------
# Human output
# ------------------------------------------------------------------------------------------------

def moment_label(moment: str | None) -> str:
    return f"as of {moment}" if moment else "as of now (alerts_now())"


def evaluation_lines(evaluations: list[Evaluation]) -> list[str]:
    width = max([len(e.alert_id) for e in evaluations] + [8])
    lines = []
    for e in evaluations:
        if e.state == ERROR:
            detail = e.error or ""
        elif e.row_count == 0:
            detail = f"no rows: empty_result_state {e.state}"
        else:
            detail = e.condition()
        stats = []
        if e.row_count is not None:
            stats.append(f"{e.row_count} row{'s' if e.row_count != 1 else ''}")
        if e.duration_ms is not None:
            stats.append(f"{e.duration_ms} ms")
        suffix = f"  ({', '.join(stats)})" if stats else ""
        lines.append(f"  {e.state:<9}  {e.alert_id:<{width}}  {detail}{suffix}")
    return lines


def moment_line(moment: str | None, evaluations: list[Evaluation]) -> str:
    fired = [e.alert_id for e in evaluations if e.state == TRIGGERED]
    errors = [e.alert_id for e in evaluations if e.state == ERROR]
    text = f"  {moment or 'now'}  {len(fired):>3} triggered"
    if fired:
        text += ": " + ", ".join(fired)
    if errors:
        text += f"  | {len(errors)} error(s): " + ", ".join(errors)
    return text


def summary_lines(outcome: EvaluateOutcome) -> list[str]:
    """Alerts that fired (or errored) over the range, most often first; the quiet ones in one line."""
    rows = outcome.summary()
    noisy = [r for r in rows if r["triggered"] or r["errors"]]
    quiet = [r["alert_id"] for r in rows if not (r["triggered"] or r["errors"])]
    width = max([len(r["alert_id"]) for r in rows] + [8])
    lines = []
    if noisy:
        lines.append(f"  {'alert':<{width}}  fired    rate  errors  last fired")
    for r in sorted(noisy, key=lambda r: (-r["triggered"], r["alert_id"])):
        rate = f"{r['trigger_rate']:.0%}" if r["trigger_rate"] is not None else "-"
        lines.append(f"  {r['alert_id']:<{width}}  {r['triggered']:>3}/{r['evaluations']:<3} {rate:>5}  "
                     f"{r['errors']:>6}  {r['last_triggered_as_of'] or '-'}")
    if quiet:
        lines.append(f"  never fired ({len(quiet)}): {', '.join(quiet)}")
    return lines
