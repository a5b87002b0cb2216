"""Conditions Alerts v2 cannot express, compiled into the deployed query.

Alerts v2 compares one value with one threshold (databricks-sdk ComparisonOperator: GREATER_THAN ...
NOT_EQUAL, IS_NULL, IS_NOT_NULL); it has no range or list operators. A catalog row with
threshold_operator BETWEEN, NOT_BETWEEN (inclusive, threshold_value `low;high`), IN or NOT_IN
(threshold_value `a;b;c`, typed by threshold_value_type DOUBLE or STRING) is deployed as:

- query_text: the model's compiled SQL wrapped so that it also outputs a boolean column
  CONDITION_COLUMN, the condition over the value Alerts v2 would read (the first row's value, or
  the column aggregated exactly as Alerts v2 aggregates when aggregation_type is set), headed by a
  marker comment that says the condition (`-- dbt_alerts condition: cost BETWEEN 10 AND 20`);
- evaluation: CONDITION_COLUMN EQUAL true, empty_result_state from the row.

`deployed_query` is the one place that text is made: `alert-sync plan/apply` deploy it and
`alert-sync evaluate` runs it with the same evaluation, so evaluate's states are the deployed
alert's. NULL: SQL semantics. A NULL value (or an aggregate over no non-NULL values) makes the
condition NULL, NULL = true is not met, so the alert is OK (as any Alerts v2 comparison with a
NULL operand; docs/catalog.md "Compiled conditions").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Sequence

from databricks.sdk.service.sql import (
    Aggregation, AlertEvaluationState, AlertV2Evaluation, AlertV2Operand, AlertV2OperandColumn,
    AlertV2OperandValue, ComparisonOperator,
)

from .catalog import COMPILED_OPERATORS, NUMBER, CatalogRow
from .errors import RowError
from .identity import without_alert_id

# The boolean column the wrapper adds. dbt_alerts' materialization refuses a model that outputs a
# column of that name (catalog_vocabulary's condition_column says the same name).
CONDITION_COLUMN = "dbt_alerts_condition_met"
MARKER = "-- dbt_alerts condition: "
COMPILED_TYPES = ("DOUBLE", "STRING")
SPARK_DIALECTS = ("databricks", "spark")  # string literals take backslash escapes

# The SQL aggregate of each Alerts v2 Aggregation, as evaluate/semantics.aggregate applies it:
# NULLs ignored; MEDIAN interpolated (percentile 0.5); STDDEV the sample standard deviation.
# `median` and `stddev_samp` exist under these names in Databricks SQL and DuckDB.
AGGREGATE_SQL = {
    Aggregation.SUM: "sum({})", Aggregation.COUNT: "count({})", Aggregation.COUNT_DISTINCT: "count(distinct {})",
    Aggregation.AVG: "avg({})", Aggregation.MEDIAN: "median({})", Aggregation.MIN: "min({})",
    Aggregation.MAX: "max({})", Aggregation.STDDEV: "stddev_samp({})",
}


@dataclass(frozen=True)
class Condition:
    """A compiled condition of one catalog row: `column operator values`."""

    column: str
    operator: str                 # BETWEEN, NOT_BETWEEN, IN, NOT_IN
    value_type: str               # DOUBLE or STRING
    values: tuple[str, ...]       # as written (trimmed); BETWEEN: (low, high)
    aggregation: Aggregation | None = None

    @property
    def source(self) -> str:
        return f"{self.aggregation.value}({self.column})" if self.aggregation else self.column

    @property
    def threshold(self) -> str:
        """The values as written in threshold_value (`10;20`)."""
        return ";".join(self.values)

    def _shown(self, value: str) -> str:
        return value if self.value_type == "DOUBLE" else "'" + value.replace("'", "''") + "'"

    def operator_text(self) -> str:
        """`BETWEEN 10 AND 20`, `NOT IN ('a', 'b')`."""
        words = self.operator.replace("_", " ")
        if self.operator in ("BETWEEN", "NOT_BETWEEN"):
            return f"{words} {self._shown(self.values[0])} AND {self._shown(self.values[1])}"
        return f"{words} ({', '.join(self._shown(v) for v in self.values)})"

    def text(self) -> str:
        """`cost BETWEEN 10 AND 20`, `SUM(cost) NOT IN (1, 2)`: the condition as the user wrote it."""
        return f"{self.source} {self.operator_text()}"

    def observed(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Any:
        """The value the condition tested: the wrapped query's first row's value of the column
        (the aggregate when aggregated); None without rows."""
        if not rows:
            return None
        folded = [i for i, c in enumerate(columns) if c.lower() == self.column.lower()]
        return rows[0][folded[0]] if folded else None


def compiled_condition(row: CatalogRow) -> Condition | None:
    """The row's compiled condition, None for an operator Alerts v2 has; RowError for a bad row
    (the dbt check catalog_row_problems says the same, this re-checks what deploying needs)."""
    operator = row["threshold_operator"].upper()
    if operator not in COMPILED_OPERATORS:
        return None
    column = row["threshold_column"]
    if not column:
        raise RowError("threshold_column is empty: name the query output column to evaluate")
    value_type = row["threshold_value_type"].upper()
    if value_type not in COMPILED_TYPES:
        raise RowError(f"threshold_value_type '{row['threshold_value_type']}' is not valid for {operator}: "
                       f"use DOUBLE or STRING")
    raw = row["threshold_value"]
    values = tuple(v.strip() for v in raw.split(";"))
    ranged = operator in ("BETWEEN", "NOT_BETWEEN")
    if ranged:
        if value_type != "DOUBLE":
            raise RowError(f"threshold_value_type '{row['threshold_value_type']}' is not valid for {operator}: "
                           f"a range needs numbers, use DOUBLE")
        if len(values) != 2 or not all(values):
            raise RowError(f"threshold_value '{raw}' is not a range: {operator} needs exactly two bounds "
                           f"'low;high', e.g. 10;20")
    elif raw == "" or not all(values):
        raise RowError(f"threshold_value '{raw}' is not a list: {operator} needs ';'-separated values "
                       f"without empty entries, e.g. a;b;c")
    if value_type == "DOUBLE":
        bad = [v for v in values if not NUMBER.fullmatch(v)]
        if bad:
            raise RowError(f"threshold_value '{raw}': '{bad[0]}' is not a number (threshold_value_type is DOUBLE)")
        if not all(math.isfinite(float(v)) for v in values):
            raise RowError(f"threshold_value '{raw}': a bound or value is too large for a DOUBLE")
        if ranged and float(values[0]) > float(values[1]):
            raise RowError(f"threshold_value '{raw}': the low bound {values[0]} is above the high bound "
                           f"{values[1]}; write it as {values[1]};{values[0]}")
    return Condition(column, operator, value_type, values, row.aggregation())


def quote_identifier(name: str, dialect: str) -> str:
    if dialect in SPARK_DIALECTS:
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def quote_string(value: str, dialect: str) -> str:
    """A SQL string literal, as dbt_alerts.quote_string writes one: Databricks/Spark SQL read a
    backslash in a literal as an escape character, DuckDB (standard SQL) only doubles quotes."""
    if dialect in SPARK_DIALECTS:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + value.replace("'", "''") + "'"


def condition_sql(condition: Condition, value_sql: str, dialect: str) -> str:
    """The boolean SQL expression of the condition over `value_sql`."""
    if condition.value_type == "DOUBLE":
        typed = f"cast({value_sql} as double)"
        literals = [repr(float(v)) for v in condition.values]
    else:
        typed = f"cast({value_sql} as {'string' if dialect in SPARK_DIALECTS else 'varchar'})"
        literals = [quote_string(v, dialect) for v in condition.values]
    negate = "not " if condition.operator.startswith("NOT_") else ""
    if condition.operator in ("BETWEEN", "NOT_BETWEEN"):
        return f"{typed} {negate}between {literals[0]} and {literals[1]}"
    return f"{typed} {negate}in ({', '.join(literals)})"


def marker(condition: Condition) -> str:
    """The first line of the deployed query; line breaks in values are escaped so the comment
    stays one line (and cannot end early)."""
    return MARKER + condition.text().replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def wrap(condition: Condition, sql: str, dialect: str) -> str:
    """The model's SQL with the condition column added. The newline before each `)` keeps a
    trailing `--` comment of the model from swallowing it (as the `alert` materialization does)."""
    column = quote_identifier(condition.column, dialect)
    name = quote_identifier(CONDITION_COLUMN, dialect)
    body = sql.strip()
    if condition.aggregation is None:  # Alerts v2 reads the first row: keep every row and column
        return (f"{marker(condition)}\n"
                f"select q.*, ({condition_sql(condition, 'q.' + column, dialect)}) as {name}\n"
                f"from (\n{body}\n) as q")
    aggregate = AGGREGATE_SQL[condition.aggregation].format("q." + column)
    # One row, the aggregate under the column's name; none for an empty result, so that
    # empty_result_state decides as it does for a native Alerts v2 aggregation.
    return (f"{marker(condition)}\n"
            f"select v.{column}, ({condition_sql(condition, 'v.' + column, dialect)}) as {name}\n"
            f"from (\n"
            f"select {aggregate} as {column}\n"
            f"from (\n{body}\n) as q\n"
            f"having count(*) > 0\n"
            f") as v")


def deployed_query(row: CatalogRow, sql: str, dialect: str) -> str:
    """The query_text deployed for a catalog row: the compiled model SQL, wrapped when the row's
    condition is compiled. `dialect`: the adapter type of the SQL (manifest metadata adapter_type
    for deploys, the dbt target's for evaluate)."""
    condition = compiled_condition(row)
    return wrap(condition, sql, dialect) if condition is not None else sql.strip()


def condition_evaluation(row: CatalogRow) -> AlertV2Evaluation | None:
    """The AlertV2Evaluation of a compiled condition: the condition column EQUAL true (None for
    an operator Alerts v2 has)."""
    if compiled_condition(row) is None:
        return None
    state: AlertEvaluationState = row.empty_result_state()
    return AlertV2Evaluation(
        source=AlertV2OperandColumn(name=CONDITION_COLUMN),
        comparison_operator=ComparisonOperator.EQUAL,
        threshold=AlertV2Operand(value=AlertV2OperandValue(bool_value=True)),
        empty_result_state=state)


MARKER_LINE = re.compile("^" + re.escape(MARKER) + "(.*)$", re.MULTILINE)


def deployed_condition(query_text: str | None) -> str | None:
    """The compiled condition a deployed query says it holds (its marker, after the alert_id
    marker of identity.py when there is one), or None."""
    first = without_alert_id(query_text).split("\n", 1)[0]
    m = MARKER_LINE.match(first)
    return m.group(1).strip() if m else None
