"""How evaluate's values and results are shown and stored: JSON values, the text stored in
alert_evaluations, values for people, error lines, and the human lines of a run."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..catalog import NULL_CHECKS
from ..errors import describe
from .semantics import ERROR, TRIGGERED

if TYPE_CHECKING:  # types only: runner imports this module
    from .runner import EvaluateOutcome, Evaluation

ERROR_CHARS = 2000


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


def one_line(exc: BaseException | str) -> str:
    """An error as one line, at most ERROR_CHARS (what `error` holds in the JSON and the table)."""
    return describe(exc)[:ERROR_CHARS]


# ------------------------------------------------------------------------------------------------
# Human output
# ------------------------------------------------------------------------------------------------

def moment_label(moment: str | None) -> str:
    return f"as of {moment}" if moment else "as of now (dbt_alerts.alerts_now())"


def outcome_detail(e: Evaluation) -> str:
    """Why the evaluation is in its state, said as a verdict rather than a claim: the condition with
    the observed value and whether it is met (`current_cost = 9 < 6.2: not met`), the empty result,
    or the error."""
    if e.state == ERROR:
        return e.error or ""
    if e.row_count == 0:
        return f"no rows: empty_result_state {e.state}"
    condition = e.condition()
    if not condition:
        return ""
    verdict = "met" if e.state == TRIGGERED else "not met"
    null_check = e.compiled is None and e.spec is not None and e.spec.comparison_operator in NULL_CHECKS
    if verdict == "not met" and not null_check and (e.value is None or (e.compiled is None and e.threshold is None)):
        verdict += " (a comparison with NULL is never met)"
    return f"{condition}: {verdict}"


def evaluation_lines(evaluations: list[Evaluation]) -> list[str]:
    width = max([len(e.alert_id) for e in evaluations] + [8])
    lines = []
    for e in evaluations:
        detail = outcome_detail(e)
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
    """Alerts that were TRIGGERED (or errored) over the range, most often first, with how often they
    fired (entries into TRIGGERED) and flapped; the quiet ones in one line."""
    rows = outcome.summary()
    noisy = [r for r in rows if r["triggered"] or r["errors"]]
    quiet = [r["alert_id"] for r in rows if not (r["triggered"] or r["errors"])]
    width = max([len(r["alert_id"]) for r in rows] + [8])
    lines = []
    if noisy:
        lines.append(f"  {'alert':<{width}}  triggered   rate  fired  flaps  flap rate  errors  last triggered")
    for r in sorted(noisy, key=lambda r: (-r["triggered"], r["alert_id"])):
        rate = f"{r['trigger_rate']:.0%}" if r["trigger_rate"] is not None else "-"
        flap_rate = f"{r['flap_rate']:.0%}" if r["flap_rate"] is not None else "-"
        lines.append(f"  {r['alert_id']:<{width}}  {r['triggered']:>4}/{r['evaluations']:<4} {rate:>5}  "
                     f"{r['fired']:>5}  {r['flaps']:>5}  {flap_rate:>9}  {r['errors']:>6}  "
                     f"{r['last_triggered_as_of'] or '-'}")
    if quiet:
        lines.append(f"  never triggered ({len(quiet)}): {', '.join(quiet)}")
    return lines


def notification_lines(outcome: EvaluateOutcome) -> list[str]:
    """Per evaluated alert, its custom_summary and custom_description rendered with the evaluation's
    values, as the notification would read (notification.render)."""
    from .notification import NotificationContext, render
    from .semantics import SYMBOLS

    alerts = {a.alert_id: a for a in outcome.alerts}
    lines: list[str] = []
    for e in outcome.evaluations:
        alert = alerts.get(e.alert_id)
        if alert is None or alert.row is None:
            continue
        row = alert.row
        lines.append(f"  {e.alert_id} ({e.state}{', as of ' + e.as_of if e.as_of else ''}):")
        spec = e.spec
        ctx = NotificationContext(
            status=e.state, name=outcome.display_name_prefix + row.display_name,
            condition=(SYMBOLS.get(spec.comparison_operator, spec.comparison_operator.value) if spec else
                       row["threshold_operator"]),
            threshold=e.threshold, column=spec.source.name if spec else row["threshold_column"], value=e.value,
            columns=e.columns, rows=e.rows, row_count=e.row_count or 0)
        for field in ("custom_summary", "custom_description"):
            template = row[field]
            if not template:
                lines.append(f"    {field}: (not set: Databricks sends its default text)")
                continue
            rendered = render(template, ctx)
            text = rendered.text.replace("\n", "\n      ")
            lines.append(f"    {field}: {text}")
            for problem in rendered.problems:
                lines.append(f"      ! {problem}")
    return lines
