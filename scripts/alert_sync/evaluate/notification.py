"""An alert's notification text (custom_summary / custom_description) rendered with an evaluation's
values, the way Databricks SQL Alerts v2 fills in its template variables: `alert-sync evaluate
--select ID` shows what the notification would say.

Pure: a template and a `NotificationContext` in, text out; no I/O.

The template variables are those of the Databricks docs, "Databricks SQL alerts", section on
customizing the notification template (https://docs.databricks.com/aws/en/sql/user/alerts/),
and the row section `{{#QUERY_RESULT_ROWS}} ... {{/QUERY_RESULT_ROWS}}` with the row's columns as
`{{column}}` inside is the form the anomaly-detection alert template uses
(https://docs.databricks.com/aws/en/data-governance/unity-catalog/data-quality-monitoring/anomaly-detection/alerts).
The templates are Mustache; only this documented subset is rendered, by hand (a Mustache library
would accept far more than Databricks documents, and the dbt-side check refuses anything else).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from .output import show, text_value

# The Alerts v2 template variables (docs page above). The dbt-side validation keeps its own copy
# of this list (a dbt macro); keep the two the same.
TEMPLATE_VARIABLES = (
    "ALERT_STATUS",        # the evaluated state: TRIGGERED, OK (ERROR when the evaluation failed)
    "ALERT_NAME",          # the alert's display name
    "ALERT_URL",           # the alert's page in the workspace
    "ALERT_CONDITION",     # the condition's operator
    "ALERT_THRESHOLD",     # the threshold (a value, or the threshold column's value)
    "ALERT_COLUMN",        # the evaluated column
    "QUERY_RESULT_VALUE",  # the evaluated value (the first row's, or the aggregate)
    "QUERY_RESULT_TABLE",  # the query result as a table
    "QUERY_RESULT_ROWS",   # the query result rows; as a section, one pass per row with {{column}}
    "QUERY_RESULT_COLS",   # the query result column names
)
ROWS_SECTION = "QUERY_RESULT_ROWS"
MAX_ROWS = 20  # rows shown by QUERY_RESULT_TABLE / QUERY_RESULT_ROWS; the rest are counted, not shown
UNKNOWN_URL = "<ALERT_URL: the alert's workspace URL, known once it is deployed>"

_TAG = re.compile(r"\{\{\s*([#/^]?)\s*([^{}]*?)\s*\}\}")


@dataclass
class NotificationContext:
    """What Databricks fills the template variables with, for one evaluation."""

    status: str
    name: str
    condition: str
    threshold: Any
    column: str
    value: Any
    columns: Sequence[str] = ()
    rows: Sequence[Sequence[Any]] = ()  # at most MAX_ROWS of them
    row_count: int = 0
    url: str | None = None  # None: not deployed, or not known here

    def variable(self, name: str) -> str:
        if name == "ALERT_STATUS":
            return self.status
        if name == "ALERT_NAME":
            return self.name
        if name == "ALERT_URL":
            return self.url or UNKNOWN_URL
        if name == "ALERT_CONDITION":
            return self.condition
        if name == "ALERT_THRESHOLD":
            return _plain(self.threshold)
        if name == "ALERT_COLUMN":
            return self.column
        if name == "QUERY_RESULT_VALUE":
            return _plain(self.value)
        if name == "QUERY_RESULT_TABLE":
            return result_table(self.columns, self.rows, self.row_count)
        if name == "QUERY_RESULT_ROWS":
            return "[" + ", ".join("{" + ", ".join(f"{c}: {show(v)}" for c, v in zip(self.columns, r)) + "}"
                                   for r in self.rows[:MAX_ROWS]) + "]" + _more(self.row_count)
        if name == "QUERY_RESULT_COLS":
            return "[" + ", ".join(self.columns) + "]"
        raise KeyError(name)


@dataclass
class Rendered:
    text: str
    problems: list[str] = field(default_factory=list)  # unknown or malformed placeholders, left as written


def _plain(v: Any) -> str:
    """A value in a notification: as show() but without quotes around strings."""
    return v if isinstance(v, str) else show(v)


def _more(row_count: int) -> str:
    hidden = row_count - MAX_ROWS
    return f" (... {hidden} more row{'s' if hidden != 1 else ''})" if hidden > 0 else ""


def result_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], row_count: int) -> str:
    """QUERY_RESULT_TABLE as a text table (Databricks sends an HTML table in e-mails), at most MAX_ROWS rows."""
    if not columns:
        return "(no columns)"
    cells = [[str(c) for c in columns]] + [[text_value(v) or "NULL" for v in r] for r in rows[:MAX_ROWS]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    if not rows:
        lines.append("(no rows)")
    return "\n".join(lines) + _more(row_count)


def render(template: str, ctx: NotificationContext) -> Rendered:
    """The template with every known variable filled in; `{{#QUERY_RESULT_ROWS}}...{{/QUERY_RESULT_ROWS}}`
    repeated per row (at most MAX_ROWS) with `{{column}}` the row's value. An unknown or malformed
    placeholder is left as written and named in `problems` (dbt build refuses them before deploy)."""
    problems: list[str] = []
    leftover = _TAG.sub("", template)
    if "{{" in leftover or "}}" in leftover:
        problems.append("unbalanced braces: a '{{' or '}}' that is not part of a {{PLACEHOLDER}}")
    out: list[str] = []
    pos = 0
    for m in list(_TAG.finditer(template)):
        if m.start() < pos:
            continue  # inside a section already rendered
        out.append(template[pos:m.start()])
        sigil, name = m.group(1), m.group(2)
        pos = m.end()
        if sigil == "#" and name == ROWS_SECTION:
            close = re.compile(r"\{\{\s*/\s*" + ROWS_SECTION + r"\s*\}\}").search(template, pos)
            if close is None:
                problems.append(f"{m.group(0)} has no closing {{{{/{ROWS_SECTION}}}}}")
                out.append(m.group(0))
                continue
            body = template[pos:close.start()]
            for row in ctx.rows[:MAX_ROWS]:
                values = dict(zip((c.lower() for c in ctx.columns), row))
                out.append(_render_row(body, values, ctx, problems))
            out.append(_more(ctx.row_count))
            pos = close.end()
        elif not sigil and name in TEMPLATE_VARIABLES:
            out.append(ctx.variable(name))
        else:
            problems.append(f"unknown or malformed placeholder {m.group(0)}")
            out.append(m.group(0))
    out.append(template[pos:])
    return Rendered("".join(out), problems)


def _render_row(body: str, values: dict[str, Any], ctx: NotificationContext, problems: list[str]) -> str:
    def fill(m: re.Match) -> str:
        sigil, name = m.group(1), m.group(2)
        if not sigil and name.lower() in values:
            return _plain(values[name.lower()])
        if not sigil and name in TEMPLATE_VARIABLES:
            return ctx.variable(name)
        problem = f"unknown or malformed placeholder {m.group(0)} in the {ROWS_SECTION} section"
        if problem not in problems:
            problems.append(problem)
        return m.group(0)

    return _TAG.sub(fill, body)
