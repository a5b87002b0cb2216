"""`alert-sync lint`: is each alert any good? Rules over the catalog row, the compiled query and a
backtest of the alert over a window (default 30 daily moments ending at "now").

The backtest is evaluate's own (evaluate.runner.run_evaluate: compile once, the moment
substituted, every query on the dbt target, judged with the Alerts v2 semantics); lint adds only
the rules below, pure functions of an `AlertCase` (the row, the SQL as built, the evaluations in
moment order), so each is unit-tested without dbt. docs/lint.md explains every rule with a
before / after.

Rules are switched off per alert with the model's meta `alert_lint_disable: [rule, ...]`
(schema yml `config: meta:`, or `+meta:` in dbt_project.yml for a folder) and per project with
the dbt_alerts setting `alerts_lint_disable`; a finding switched off is still listed, as allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .catalog import COMPILED_OPERATORS, CatalogRow
from .errors import ConfigError, RowError

if TYPE_CHECKING:
    from .evaluate.runner import EvaluateOutcome, Evaluation

ERROR_LEVEL, WARNING_LEVEL = "error", "warning"
DEFAULT_DAYS = 30
# flapping: at least FLAP_MIN state changes, and at least FLAP_RATE of the consecutive pairs of
# (non-ERROR) evaluations change state: at daily moments, 4 changes in 30 days at 1 in 4 pairs.
FLAP_MIN, FLAP_RATE = 4, 0.25


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str


RULES = {r.id: r for r in [
    Rule("first-row-unordered", ERROR_LEVEL, "first-row alert over an unordered query that can return several rows"),
    Rule("silent", WARNING_LEVEL, "stays TRIGGERED without telling anyone (no retrigger, no notify_on_ok)"),
    Rule("always-firing", WARNING_LEVEL, "TRIGGERED at every moment of the window"),
    Rule("never-firing", WARNING_LEVEL, "never TRIGGERED in the window"),
    Rule("flapping", WARNING_LEVEL, "switches between OK and TRIGGERED often"),
    Rule("watches-nothing", ERROR_LEVEL, "no rows over the whole window, and no rows is OK"),
    Rule("threshold-type", ERROR_LEVEL, "threshold type differs from the column's values"),
    Rule("evaluation-error", WARNING_LEVEL, "ERROR at some moments of the window"),
]}


@dataclass
class Finding:
    rule: str
    alert_id: str
    message: str
    fix: str
    allowed_by: str | None = None  # where the rule is switched off for this alert, when it is

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity

    def as_json(self) -> dict[str, Any]:
        out = {"rule": self.rule, "severity": self.severity, "alert_id": self.alert_id, "message": self.message,
               "fix": self.fix}
        if self.allowed_by:
            out["allowed_by"] = self.allowed_by
        return out


@dataclass
class AlertCase:
    """What the rules look at for one alert: its catalog row, its model's compiled SQL as built and
    its backtest evaluations in moment order (evaluate.runner.Evaluation)."""

    row: CatalogRow
    sql: str | None
    evaluations: list[Evaluation] = field(default_factory=list)

    @property
    def alert_id(self) -> str:
        return self.row.alert_id

    def seen(self) -> list[Evaluation]:
        """The evaluations that decided a state (ERROR ones decide nothing)."""
        return [e for e in self.evaluations if e.state != "ERROR"]


# --- the SQL, read by sqlparse (dbt's own SQL lexer dependency) -------------------------------------

def top_level_keywords(sql: str) -> set[str]:
    """The keywords of the outermost query (not inside parentheses: subqueries, CTE bodies, OVER
    (...)), normalized, e.g. {"SELECT", "FROM", "GROUP BY", "ORDER BY"}. Comments and string
    literals are tokens of their own, so an `order by` in them does not count."""
    import sqlparse

    words: set[str] = set()
    for statement in sqlparse.parse(sql):
        words.update(" ".join(t.normalized.upper().split()) for t in statement.tokens if t.is_keyword)
    return words


# --- the rules: AlertCase -> Finding or None ---------------------------------------------------------

def _window(case: AlertCase) -> str:
    n = len(case.evaluations)
    return f"{n} moment{'s' if n != 1 else ''}"


def _value_range(evaluations: Sequence[Evaluation]) -> str:
    from .evaluate.output import show

    values = [e.value for e in evaluations if e.value is not None]
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    threshold = next((e.threshold for e in evaluations if e.threshold is not None), None)
    against = f" against threshold {show(threshold)}" if threshold is not None else ""
    if numbers:
        return f"values {show(min(numbers))} .. {show(max(numbers))}{against}"
    if values:
        return f"values {', '.join(sorted({show(v) for v in values})[:3])}{against}"
    return "no value (NULL or no rows)"


def first_row_unordered(case: AlertCase) -> Finding | None:
    try:
        first_row = case.row.aggregation() is None
    except RowError:
        return None
    if not first_row or not case.sql:
        return None
    most = max((e.row_count or 0 for e in case.evaluations), default=0)
    # Parsing is most of this rule's cost: skip it where the words cannot be there at all.
    text = case.sql.lower()
    if most <= 1 and "group" not in text:
        return None
    keywords = top_level_keywords(case.sql) if "order" in text or "group" in text else set()
    if "ORDER BY" in keywords:
        return None
    if most > 1:
        why = f"returned up to {most} rows in the backtest"
    elif "GROUP BY" in keywords:
        why = "groups its rows (GROUP BY), so it returns one row per group"
    else:
        return None
    column = case.row["threshold_column"]
    return Finding("first-row-unordered", case.alert_id,
                   f"the alert reads {column} of the first row (no aggregation_type), and the query has no ORDER BY "
                   f"but {why}: which row is first is up to the warehouse, so the value is arbitrary",
                   "add an ORDER BY that puts the row to judge first (e.g. ORDER BY " + column + " DESC), or set "
                   "aggregation_type (MAX, SUM, COUNT, ...) to judge all rows")


def longest_triggered_run(case: AlertCase) -> tuple[int, str | None, str | None]:
    """The longest run of consecutive TRIGGERED evaluations (ERROR ones skipped): length, from, to."""
    best, start, current = (0, None, None), None, 0
    for e in case.seen():
        if e.state == "TRIGGERED":
            current += 1
            start = e.as_of if current == 1 else start
            if current > best[0]:
                best = (current, start, e.as_of)
        else:
            current = 0
    return best


def silent(case: AlertCase) -> Finding | None:
    try:
        retrigger, notify_on_ok = case.row.retrigger_seconds(), case.row["notify_on_ok"].lower() == "true"
    except RowError:
        return None
    if retrigger is not None or notify_on_ok:
        return None
    length, first, last = longest_triggered_run(case)
    if length < 2:
        return None
    return Finding("silent", case.alert_id,
                   f"TRIGGERED {length} moments in a row ({(first or '')[:16]} .. {(last or '')[:16]}) but it "
                   f"notifies once: without retrigger_seconds nobody hears that it is still TRIGGERED, and with "
                   f"notify_on_ok false nobody hears when it is OK again",
                   "set retrigger_seconds (e.g. 86400: remind daily while TRIGGERED) or notify_on_ok true")


def always_firing(case: AlertCase) -> Finding | None:
    seen = case.seen()
    if len(seen) < 2 or any(e.state != "TRIGGERED" for e in seen):
        return None
    return Finding("always-firing", case.alert_id,
                   f"TRIGGERED at every one of the {_window(case)} ({_value_range(seen)}): a notification that "
                   f"always fires is soon ignored",
                   "fix what it flags, or move the threshold past the normal values (backtest the change with "
                   "alert-sync evaluate --from/--to)")


def never_firing(case: AlertCase) -> Finding | None:
    seen = case.seen()
    if len(seen) < 2 or any(e.state == "TRIGGERED" for e in seen) or all(e.row_count == 0 for e in seen):
        return None  # no rows at all is watches-nothing's case
    return Finding("never-firing", case.alert_id,
                   f"never TRIGGERED in the {_window(case)} ({_value_range(seen)})",
                   "check the threshold against those values over a longer window (alert-sync evaluate "
                   "--from/--to); if it guards a rare event, allow the rule for this alert")


def flapping(case: AlertCase) -> Finding | None:
    from .evaluate.runner import firing

    f = firing([e.state for e in case.evaluations])
    if f["flaps"] < FLAP_MIN or (f["flap_rate"] or 0) < FLAP_RATE:
        return None
    return Finding("flapping", case.alert_id,
                   f"changed between OK and TRIGGERED {f['flaps']} times in the {_window(case)} (flap rate "
                   f"{f['flap_rate']:.2f}, fired {f['fired']} times): each change is a notification",
                   "judge a steadier value (a longer window, an average), or leave a margin between the normal "
                   "values and the threshold")


def watches_nothing(case: AlertCase) -> Finding | None:
    try:
        empty_state = case.row.empty_result_state().value
    except RowError:
        return None
    seen = case.seen()
    if empty_state != "OK" or not seen or any((e.row_count or 0) > 0 for e in seen):
        return None
    return Finding("watches-nothing", case.alert_id,
                   f"the query returned no rows at any of the {_window(case)}, and empty_result_state OK makes "
                   f"that OK: the condition on {case.row['threshold_column']} was never evaluated",
                   "check the query's filters against the data; set empty_result_state TRIGGERED or ERROR if no "
                   "rows means missing data; if no row is the healthy case by design, allow the rule for this alert")


# The Databricks type families a threshold_value_type compares with without a cast (semantics.kind).
TYPE_KINDS = {"DOUBLE": {"number"}, "BOOLEAN": {"boolean"}, "STRING": {"string", "date", "timestamp"}}
KIND_TYPES = {"number": "DOUBLE", "boolean": "BOOLEAN", "string": "STRING", "date": "STRING", "timestamp": "STRING"}


def threshold_type(case: AlertCase) -> Finding | None:
    from .evaluate.output import show
    from .evaluate.semantics import kind

    declared = case.row["threshold_value_type"].upper()
    operator = case.row["threshold_operator"].upper()
    if operator in ("IS_NULL", "IS_NOT_NULL"):
        return None
    column = case.row["threshold_column"]
    for e in case.seen():
        k = kind(e.value)
        if k == "null":
            continue
        if declared == "COLUMN" and operator not in COMPILED_OPERATORS:
            other = kind(e.threshold)
            if other == "null" or other == k or {k, other} == {"date", "timestamp"}:
                continue
            return Finding("threshold-type", case.alert_id,
                           f"{column} holds {k.upper()} values but the threshold column {case.row['threshold_value']} "
                           f"holds {other.upper()} (as of {e.as_of}: {show(e.value)} vs {show(e.threshold)}): the "
                           f"comparison rests on an implicit cast, or fails",
                           f"compare columns of one type: cast one of them in the query")
        expected = TYPE_KINDS.get(declared)
        if expected is None or k in expected:
            continue
        return Finding("threshold-type", case.alert_id,
                       f"threshold_value_type {declared} ({case.row['threshold_value']!r}) but {column} holds "
                       f"{k.upper()} values (as of {e.as_of}: {show(e.value)}): the comparison rests on an implicit "
                       f"cast, or fails",
                       f"set threshold_value_type {KIND_TYPES.get(k, 'to the column type')}, or cast the column in "
                       f"the query")
    return None


def evaluation_error(case: AlertCase) -> Finding | None:
    errors = [e for e in case.evaluations if e.state == "ERROR"]
    if not errors:
        return None
    return Finding("evaluation-error", case.alert_id,
                   f"ERROR at {len(errors)} of the {_window(case)} (first as of {errors[0].as_of}: {errors[0].error})",
                   f"see it with alert-sync evaluate --as-of '{errors[0].as_of}' --select {case.alert_id}")


CHECKS: list[Callable[[AlertCase], Finding | None]] = [
    first_row_unordered, silent, always_firing, never_firing, flapping, watches_nothing, threshold_type,
    evaluation_error,
]


def check(case: AlertCase) -> list[Finding]:
    """Every rule's finding on one alert, in rule order (pure)."""
    return [f for f in (rule(case) for rule in CHECKS) if f is not None]


def rule_ids(values: Any, where: str) -> list[str]:
    """A list of rule ids from a setting or meta key, checked (ConfigError naming `where` otherwise)."""
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{where} must be a list of lint rule ids, got {values!r}: the rules are "
                          f"{', '.join(RULES)}")
    unknown = [v for v in values if v not in RULES]
    if unknown:
        raise ConfigError(f"{where} names no lint rule {', '.join(map(repr, unknown))}: the rules are "
                          f"{', '.join(RULES)}")
    return list(values)


# --- the run --------------------------------------------------------------------------------------

@dataclass
class LintOptions:
    project_dir: Any
    target_path: str = "target"
    profiles_dir: Any = None
    target: str | None = None
    select: tuple[str, ...] = ()
    days: int = DEFAULT_DAYS
    to: str | None = None  # last moment; default: the build's pinned "now", else the current time (UTC)
    threads: int = 4


@dataclass
class LintReport:
    start: str
    end: str
    moments: int
    alerts: list[str]
    findings: list[Finding]  # not allowed
    allowed: list[Finding]  # switched off by meta / setting, listed for the record
    backtest: dict[str, dict[str, Any]]  # alert_id -> evaluate's range summary (triggered, fired, flaps ...)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def by_rule(self) -> dict[str, int]:
        return {r: n for r in RULES if (n := sum(1 for f in self.findings if f.rule == r))}

    def for_alert(self, alert_id: str) -> list[Finding]:
        return [f for f in self.findings if f.alert_id == alert_id]

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start, "to": self.end, "step": "1d", "moments": self.moments,
            "summary": {"alerts": len(self.alerts), "errors": self.count(ERROR_LEVEL),
                        "warnings": self.count(WARNING_LEVEL), "allowed": len(self.allowed),
                        "by_rule": self.by_rule()},
            "findings": [f.as_json() for f in self.findings],
            "allowed": [f.as_json() for f in self.allowed],
            "backtest": [{k: s[k] for k in ("alert_id", "evaluations", "triggered", "fired", "flaps", "flap_rate",
                                            "errors")} for s in self.backtest.values()],
        }


def window(days: int, to: str | None, pinned: str | None) -> tuple[str, str]:
    """First and last moment of a `days`-moment daily window ending at `to`, else at the build's
    pinned "now" (setting alerts_as_of, or alerts_local_as_of on DuckDB), else now (UTC, to the minute)."""
    from .evaluate.backtest import format_moment, parse_moment

    if days < 1:
        raise ConfigError(f"--days {days}: the window needs at least one day")
    if to:
        end = parse_moment(to, "--to")
    elif pinned:
        end = parse_moment(str(pinned), "the build's alerts_as_of")
    else:
        end = datetime.now(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    return format_moment(end - timedelta(days=days - 1)), format_moment(end)


def run_lint(options: LintOptions, log: Callable[[str], None]) -> LintReport:
    """Backtest the alerts over the window (evaluate's run, not recorded) and apply the rules."""
    from .evaluate.runner import EvaluateOptions, run_evaluate
    from .project import load_artifacts

    artifacts = load_artifacts(options.project_dir, options.target_path)
    project_off = rule_ids(artifacts.settings.get("lint_disable"), "the dbt_alerts setting alerts_lint_disable")
    start, end = window(options.days, options.to, artifacts.settings.get("as_of"))
    outcome = run_evaluate(EvaluateOptions(
        project_dir=options.project_dir, target_path=options.target_path, profiles_dir=options.profiles_dir,
        target=options.target, select=options.select, start=start, end=end, step="1d", threads=options.threads,
        record=False), log)
    return report(outcome, artifacts.alert_nodes, project_off)


def report(outcome: EvaluateOutcome, nodes: dict, project_off: Sequence[str]) -> LintReport:
    """The rules over an evaluate backtest: findings, those allowed (meta / setting), the summary."""
    by_alert: dict[str, list] = {}
    for e in outcome.evaluations:
        by_alert.setdefault(e.alert_id, []).append(e)
    findings: list[Finding] = []
    allowed: list[Finding] = []
    for alert in outcome.alerts:
        if alert.row is None:
            continue
        node = nodes.get(alert.model)
        alert_off = rule_ids(node.lint_disable, f"meta alert_lint_disable of model {alert.model} "
                                                f"(alert {alert.alert_id})") if node else []
        case = AlertCase(alert.row, node.compiled_code if node else None, by_alert.get(alert.alert_id, []))
        for f in check(case):
            if f.rule in alert_off:
                f.allowed_by = f"meta alert_lint_disable of model {alert.model}"
            elif f.rule in project_off:
                f.allowed_by = "setting alerts_lint_disable"
            (allowed if f.allowed_by else findings).append(f)
    return LintReport(outcome.start or "", outcome.end or "", len(outcome.moments),
                      [a.alert_id for a in outcome.alerts], findings, allowed,
                      {s["alert_id"]: s for s in outcome.summary()})


def exit_code(report: LintReport) -> int:
    return 1 if report.count(ERROR_LEVEL) else 0


# --- rendering ------------------------------------------------------------------------------------

def window_text(r: LintReport) -> str:
    return f"{r.moments} daily moment(s) {r.start[:16]} .. {r.end[:16]}"


def backtest_text(s: dict[str, Any] | None) -> str:
    if not s:
        return "not evaluated"
    return (f"{s['triggered']}/{s['evaluations']} triggered, fired {s['fired']}, {s['flaps']} flap(s)"
            + (f", {s['errors']} error(s)" if s["errors"] else ""))


def lint_lines(r: LintReport) -> list[str]:
    """`alert-sync lint`'s human output: findings grouped by alert, then the counts."""
    lines = [f"alert-sync lint: {len(r.alerts)} alert(s), backtest over {window_text(r)}", ""]
    for alert_id in r.alerts:
        found = r.for_alert(alert_id)
        if not found:
            continue
        lines.append(f"  {alert_id}  ({backtest_text(r.backtest.get(alert_id))})")
        for f in found:
            lines += [f"    {f.severity:<7} {f.rule}: {f.message}", f"            fix: {f.fix}"]
    if r.allowed:
        lines += ["", "Allowed by configuration (not counted):"]
        lines += [f"  {f.alert_id} {f.rule} ({f.allowed_by})" for f in r.allowed]
    by_rule = ", ".join(f"{rule} {n}" for rule, n in r.by_rule().items()) or "none"
    lines += ["", f"Lint: {r.count(ERROR_LEVEL)} error(s), {r.count(WARNING_LEVEL)} warning(s), "
                  f"{len(r.allowed)} allowed; by rule: {by_rule}."]
    return lines


# --- in the plan (plan --lint): one section, beside the others -----------------------------------

def plan_lint_lines(r: LintReport) -> list[str]:
    """The text plan's short form: one line per created / changed alert, then its findings."""
    lines = [f"Lint and backtest of the created or changed alerts, {window_text(r)}:"]
    for alert_id in r.alerts:
        found = r.for_alert(alert_id)
        lines.append(f"  {alert_id:<12} {backtest_text(r.backtest.get(alert_id))}"
                     + ("" if found else "; no findings"))
        lines += [f"      {f.severity} {f.rule}: {f.message}" for f in found]
    lines.append(f"Lint: {r.count(ERROR_LEVEL)} error(s), {r.count(WARNING_LEVEL)} warning(s), "
                 f"{len(r.allowed)} allowed.")
    return lines


def plan_lint_markdown(r: LintReport) -> str:
    """The PR comment's section: collapsed; a backtest row per created / changed alert, then one
    row per finding (cells escaped as the plan's)."""
    from .output import md_cell, md_code

    errors, warnings = r.count(ERROR_LEVEL), r.count(WARNING_LEVEL)
    lines = [f"<details><summary>Lint: {errors} error(s), {warnings} warning(s) over {len(r.alerts)} created or "
             f"changed alert(s); backtest of {md_cell(window_text(r))}</summary>", "",
             "| Alert | Triggered | Fired | Flaps | Findings |", "|---|---|---|---|---|"]
    for alert_id in r.alerts:
        s = r.backtest.get(alert_id) or {}
        found = ", ".join(f"{f.severity} {md_code(f.rule)}" for f in r.for_alert(alert_id)) or "none"
        lines.append(f"| {md_code(alert_id)} | {s.get('triggered', 0)}/{s.get('evaluations', 0)} | "
                     f"{s.get('fired', 0)} | {s.get('flaps', 0)} | {found} |")
    if r.findings:
        lines += ["", "| Severity | Rule | Alert | Finding | Fix |", "|---|---|---|---|---|"]
        lines += [f"| {f.severity} | {md_code(f.rule)} | {md_code(f.alert_id)} | {md_cell(f.message)} | "
                  f"{md_cell(f.fix)} |" for f in r.findings]
    if r.allowed:
        lines += ["", "Allowed by configuration: " + ", ".join(
            f"{md_code(f.alert_id)} {md_code(f.rule)}" for f in r.allowed) + "."]
    lines += ["", "</details>"]
    return "\n".join(lines)
