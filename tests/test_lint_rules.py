"""alert-sync lint's rules, pure: crafted catalog rows, SQL and backtest evaluations in, findings out.
Each rule fires on its case and not on a near miss. No dbt, no database (the CLI on the example is
tests/test_lint.py)."""

from __future__ import annotations

import re

import pytest

from alert_sync.catalog import CatalogRow
from alert_sync.errors import ConfigError
from alert_sync.evaluate.runner import Evaluation, EvaluateOutcome, PlannedAlert
from alert_sync.lint import (
    AlertCase, LintReport, check, exit_code, plan_lint_markdown, report, rule_ids, top_level_keywords, window,
)
from alert_sync.output import render_plan_markdown
from alert_sync.plan import CREATE, Action, Plan
from alert_sync.project import AlertNode

pytestmark = pytest.mark.unit  # no dbt, no emulator: `make test-fast`

ROW = {"alert_id": "T-001", "query_model": "t_model", "threshold_column": "x", "threshold_operator": ">",
       "threshold_value_type": "DOUBLE", "threshold_value": "5", "aggregation_type": "MAX",
       "empty_result_state": "OK", "notify_on_ok": "true", "retrigger_seconds": ""}
ONE_ROW_SQL = "select count(*) as x from t"


def row(**changes: str) -> CatalogRow:
    return CatalogRow({**ROW, **changes}, 2)


def evaluations(states: str, value=1, threshold=5.0, rows: int = 1) -> list[Evaluation]:
    """One evaluation per letter, a day apart: T TRIGGERED, O OK, E ERROR."""
    names = {"T": "TRIGGERED", "O": "OK", "E": "ERROR"}
    return [Evaluation("T-001", names[s], value=value if s != "E" else None, threshold=threshold,
                       row_count=rows if s != "E" else None, error="query failed: boom" if s == "E" else None,
                       as_of=f"2026-10-{i + 1:02d} 06:00:00") for i, s in enumerate(states)]


def rules(case: AlertCase) -> set[str]:
    return {f.rule for f in check(case)}


def test_top_level_keywords_skip_subqueries_windows_comments_and_strings():
    sql = ("-- order by x\nwith a as (select x from t order by x)\n"
           "select x, row_number() over (order by x) as n, 'order by' as s from a group by x")
    assert {"GROUP BY", "SELECT"} <= top_level_keywords(sql) and "ORDER BY" not in top_level_keywords(sql)
    assert "ORDER BY" in top_level_keywords("select x from t union all select y from u order by 1 desc")


def test_first_row_unordered_fires_on_several_rows_or_a_group_by_without_order_by():
    several = AlertCase(row(aggregation_type=""), "select x from t -- order by x", evaluations("OOO", rows=3))
    assert "first-row-unordered" in rules(several)
    # no "order" anywhere in the text (the rule then skips parsing): the same finding
    assert "first-row-unordered" in rules(AlertCase(row(aggregation_type=""), "select x from t",
                                                    evaluations("OOO", rows=3)))
    grouped = AlertCase(row(aggregation_type="FIRST"), "select k, sum(v) as x from t group by k", evaluations("OO"))
    (finding,) = [f for f in check(grouped) if f.rule == "first-row-unordered"]
    assert finding.severity == "error" and "GROUP BY" in finding.message and "ORDER BY x DESC" in finding.fix
    # near misses: ordered, aggregated, or one row by construction
    assert "first-row-unordered" not in rules(AlertCase(row(aggregation_type=""), "select x from t order by x desc",
                                                        evaluations("OOO", rows=3)))
    assert "first-row-unordered" not in rules(AlertCase(row(aggregation_type="MAX"), "select x from t",
                                                        evaluations("OOO", rows=3)))
    assert "first-row-unordered" not in rules(AlertCase(row(aggregation_type=""), ONE_ROW_SQL, evaluations("OOO")))


def test_silent_fires_on_a_triggered_streak_with_no_retrigger_and_no_notify_on_ok():
    quiet = row(notify_on_ok="false", retrigger_seconds="")
    (finding,) = [f for f in check(AlertCase(quiet, ONE_ROW_SQL, evaluations("OTTTO"))) if f.rule == "silent"]
    assert "3 moments in a row (2026-10-02 06:00 .. 2026-10-04 06:00)" in finding.message
    assert finding.severity == "warning"
    assert "silent" in rules(AlertCase(quiet, ONE_ROW_SQL, evaluations("TETO")))  # an ERROR does not break it
    # near misses: a reminder, an all-clear, or never two TRIGGERED in a row
    assert "silent" not in rules(AlertCase(row(notify_on_ok="false", retrigger_seconds="86400"), ONE_ROW_SQL,
                                           evaluations("OTTTO")))
    assert "silent" not in rules(AlertCase(row(notify_on_ok="true"), ONE_ROW_SQL, evaluations("OTTTO")))
    assert "silent" not in rules(AlertCase(quiet, ONE_ROW_SQL, evaluations("TOTOO")))


def test_always_and_never_firing():
    always = [f for f in check(AlertCase(row(), ONE_ROW_SQL, evaluations("TTTT", value=9)))
              if f.rule == "always-firing"]
    assert len(always) == 1 and "every one of the 4 moments" in always[0].message
    assert "values 9 .. 9" in always[0].message
    never = [f for f in check(AlertCase(row(), ONE_ROW_SQL, evaluations("OOOO", value=2))) if f.rule == "never-firing"]
    assert len(never) == 1 and "values 2 .. 2 against threshold 5" in never[0].message
    # near misses: one OK among TRIGGERED, one TRIGGERED among OK; an ERROR decides nothing
    assert not {"always-firing", "never-firing"} & rules(AlertCase(row(), ONE_ROW_SQL, evaluations("TTOT")))
    assert not {"always-firing", "never-firing"} & rules(AlertCase(row(), ONE_ROW_SQL, evaluations("OOTO")))
    assert "always-firing" in rules(AlertCase(row(), ONE_ROW_SQL, evaluations("TTET")))
    # no rows at all is watches-nothing's case, not never-firing's
    assert "never-firing" not in rules(AlertCase(row(), ONE_ROW_SQL, evaluations("OOOO", value=None, rows=0)))


def test_flapping_needs_four_changes_at_one_in_four_moments():
    (finding,) = [f for f in check(AlertCase(row(), ONE_ROW_SQL, evaluations("OTOTOTO"))) if f.rule == "flapping"]
    assert "6 times in the 7 moments (flap rate 1.00, fired 3 times)" in finding.message
    assert "flapping" in rules(AlertCase(row(), ONE_ROW_SQL, evaluations("OTOTO")))  # 4 changes in 4 pairs
    # near misses: 3 changes; 4 changes in 17 pairs (rate 0.235)
    assert "flapping" not in rules(AlertCase(row(), ONE_ROW_SQL, evaluations("OTOT")))
    assert "flapping" not in rules(AlertCase(row(), ONE_ROW_SQL, evaluations("OTOT" + "O" * 14)))


def test_watches_nothing_fires_on_no_rows_at_every_moment_with_empty_result_state_ok():
    empty = evaluations("OOO", value=None, rows=0)
    (finding,) = [f for f in check(AlertCase(row(), ONE_ROW_SQL, empty)) if f.rule == "watches-nothing"]
    assert finding.severity == "error" and "no rows at any of the 3 moments" in finding.message
    once = evaluations("OOO", value=None, rows=0)
    once[1].row_count, once[1].value = 1, 2
    assert "watches-nothing" not in rules(AlertCase(row(), ONE_ROW_SQL, once))
    assert "watches-nothing" not in rules(AlertCase(row(empty_result_state="TRIGGERED"), ONE_ROW_SQL,
                                                    evaluations("TTT", value=None, rows=0)))


@pytest.mark.parametrize("value_type, value, threshold, fires", [
    ("STRING", 3, "10", True),          # a STRING threshold on a count
    ("DOUBLE", "abc", 5.0, True),       # a DOUBLE threshold on a text column
    ("BOOLEAN", 1, True, True),
    ("DOUBLE", 3, 10.0, False),
    ("STRING", "FAILED", "SUCCEEDED", False),
    ("BOOLEAN", False, True, False),
])
def test_threshold_type_against_the_values_seen(value_type, value, threshold, fires):
    case = AlertCase(row(threshold_value_type=value_type), ONE_ROW_SQL, evaluations("OO", value=value,
                                                                                    threshold=threshold))
    assert ("threshold-type" in rules(case)) is fires


def test_threshold_type_of_a_column_threshold_and_the_fix_it_names():
    from datetime import date, datetime

    column = row(threshold_value_type="COLUMN", threshold_value="limit_x")
    assert "threshold-type" in rules(AlertCase(column, ONE_ROW_SQL, evaluations("OO", value=3, threshold="7")))
    assert "threshold-type" not in rules(AlertCase(column, ONE_ROW_SQL, evaluations("OO", value=3, threshold=7.5)))
    assert "threshold-type" not in rules(AlertCase(column, ONE_ROW_SQL, evaluations(
        "OO", value=datetime(2026, 1, 1, 5), threshold=date(2026, 1, 1))))
    (finding,) = check(AlertCase(row(threshold_value_type="STRING", threshold_value="10", aggregation_type="COUNT"),
                                 ONE_ROW_SQL, evaluations("OT", value=3, threshold="10")))[:1]
    assert finding.rule == "threshold-type" and "set threshold_value_type DOUBLE" in finding.fix
    assert "threshold-type" not in rules(AlertCase(row(threshold_operator="IS_NULL", threshold_value_type=""),
                                                   ONE_ROW_SQL, evaluations("OO", value=3)))


def test_evaluation_error_names_the_first_error_and_how_to_see_it():
    (finding,) = [f for f in check(AlertCase(row(), ONE_ROW_SQL, evaluations("OEO"))) if f.rule == "evaluation-error"]
    assert "ERROR at 1 of the 3 moments" in finding.message and "boom" in finding.message
    assert "--as-of '2026-10-02 06:00:00' --select T-001" in finding.fix
    assert "evaluation-error" not in rules(AlertCase(row(), ONE_ROW_SQL, evaluations("OTO")))


def test_rule_ids_are_checked_naming_where_they_come_from():
    assert rule_ids(["silent", "flapping"], "x") == ["silent", "flapping"] and rule_ids(None, "x") == []
    with pytest.raises(ConfigError, match=r"meta alert_lint_disable of model m names no lint rule 'slient'.*silent"):
        rule_ids(["slient"], "meta alert_lint_disable of model m")
    with pytest.raises(ConfigError, match="must be a list of lint rule ids"):
        rule_ids({"silent": True}, "the dbt_alerts setting alerts_lint_disable")


def test_window_ends_at_to_else_the_pinned_now():
    assert window(30, None, "2026-11-01 06:00:00") == ("2026-10-03 06:00:00", "2026-11-01 06:00:00")
    assert window(1, "2026-01-05", "2026-11-01") == ("2026-01-05 00:00:00", "2026-01-05 00:00:00")
    with pytest.raises(ConfigError, match="--to 'soon' is not a date"):
        window(3, "soon", None)


def crafted_report(alert_off=(), project_off=()) -> LintReport:
    """report() over a crafted evaluate outcome: three alerts, the second always TRIGGERED and
    watching nothing (a TRIGGERED empty state does not count there), the third with a STRING threshold."""
    rows = {"A-001": row(alert_id="A-001", query_model="a"),
            "B-001": row(alert_id="B-001", query_model="b", notify_on_ok="false"),
            "C-001": row(alert_id="C-001", query_model="c", threshold_value_type="STRING", threshold_value="10")}
    states = {"A-001": ("OTOO", 1), "B-001": ("TTTT", 9), "C-001": ("OOOO", 3)}
    evs = []
    for alert_id, (s, value) in states.items():
        for e in evaluations(s, value=value, threshold="10" if alert_id == "C-001" else 5.0):
            e.alert_id = alert_id
            evs.append(e)
    moments = sorted({e.as_of for e in evs})
    alerts = [PlannedAlert(a, r["query_model"], True, row=r) for a, r in rows.items()]
    outcome = EvaluateOutcome("run", "local", "duckdb", moments, True, evs, alerts, start=moments[0], end=moments[-1],
                              step="1d")
    nodes = {r["query_model"]: AlertNode(r["query_model"], f"model.p.{r['query_model']}", ONE_ROW_SQL, {}, "success",
                                         None, lint_disable=list(alert_off) if a == "C-001" else [])
             for a, r in rows.items()}
    return report(outcome, nodes, project_off)


def test_report_allows_rules_per_alert_and_per_project_and_sets_the_exit_code():
    r = crafted_report()
    assert {(f.alert_id, f.rule) for f in r.findings} == {("B-001", "always-firing"), ("B-001", "silent"),
                                                          ("C-001", "never-firing"), ("C-001", "threshold-type")}
    assert exit_code(r) == 1 and r.to_json()["summary"]["errors"] == 1
    r = crafted_report(alert_off=["threshold-type"])
    assert exit_code(r) == 0
    assert [(f.alert_id, f.rule, f.allowed_by) for f in r.allowed] == [
        ("C-001", "threshold-type", "meta alert_lint_disable of model c")]
    r = crafted_report(project_off=["always-firing", "silent"])
    assert {f.allowed_by for f in r.allowed} == {"setting alerts_lint_disable"} and len(r.allowed) == 2
    assert r.to_json()["backtest"][1] == {"alert_id": "B-001", "evaluations": 4, "triggered": 4, "fired": 1,
                                          "flaps": 0, "flap_rate": 0.0, "errors": 0}


def table_rows(markdown: str, header: str) -> list[list[str]]:
    """The body rows of the markdown table whose header row starts with `header`, as cell lists."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    body = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        body.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return body


def test_plan_markdown_section_is_collapsed_with_a_backtest_row_per_alert_and_a_row_per_finding():
    section = plan_lint_markdown(crafted_report(alert_off=["threshold-type"]))
    assert section.startswith("<details><summary>Lint: 0 error(s), 3 warning(s) over 3 created or changed alert(s)")
    assert section.rstrip().endswith("</details>")
    assert table_rows(section, "Alert") == [
        ["`A-001`", "1/4", "1", "2", "none"],
        ["`B-001`", "4/4", "1", "0", "warning `silent`, warning `always-firing`"],
        ["`C-001`", "0/4", "0", "0", "warning `never-firing`"]]
    findings = table_rows(section, "Severity")
    assert [(f[0], f[1], f[2]) for f in findings] == [("warning", "`silent`", "`B-001`"),
                                                       ("warning", "`always-firing`", "`B-001`"),
                                                       ("warning", "`never-firing`", "`C-001`")]
    assert "Allowed by configuration: `C-001` `threshold-type`." in section
    plan = Plan([Action("A-001", CREATE, "[WARNING] A")])
    comment = render_plan_markdown(plan, "local", "/Workspace/f", "https://h", sections=[section])
    assert comment.index("| create | `A-001`") < comment.index("<details><summary>Lint:") < comment.index("<sub>")
