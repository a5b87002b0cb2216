"""The Alerts v2 rules, pure: an alert query's result in, OK / TRIGGERED / ERROR out.

`evaluate_rows(columns, rows, evaluation)` decides the state the way Databricks SQL Alerts v2
does; `evaluation` is the very `AlertV2Evaluation` the sync deploys (desired.build_evaluation of
the catalog row), so what is evaluated is what is deployed. docs/evaluate.md "How evaluate decides a state"
lists every rule and the Databricks docs behind it. No I/O here: no dbt, no database, no files.
"""

from __future__ import annotations

import operator
import statistics
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, NamedTuple, Sequence

from databricks.sdk.service.sql import (
    Aggregation, AlertEvaluationState, AlertV2Evaluation, ComparisonOperator,
)

from ..catalog import NULL_CHECKS
from ..errors import EvalError

OK, TRIGGERED, ERROR = "OK", "TRIGGERED", "ERROR"


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
