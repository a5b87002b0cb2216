"""Catalog rows -> Alerts v2 objects, as unit tests: no dbt, no database, no workspace.

Each test states a rule of docs/catalog.md ("alert_configurations.csv", "notification_destinations.csv")
or of the docstrings of catalog.py / desired.py, and checks it against the real databricks-sdk typed
classes. test_sync.py deploys the same rows end to end; these run in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from databricks.sdk.service.settings import ListNotificationDestinationsResult
from databricks.sdk.service.sql import (
    Aggregation, AlertEvaluationState, AlertV2, AlertV2Evaluation, AlertV2Notification, AlertV2Operand,
    AlertV2OperandColumn, AlertV2OperandValue, AlertV2Subscription, ComparisonOperator, CronSchedule,
    SchedulePauseStatus,
)

from alert_sync.catalog import CatalogRow, Destination, id_problems, parse_bool, read_catalog, read_destinations
from alert_sync.desired import (
    ChannelResolver, DeploySettings, build_alert, build_desired, build_evaluation, node_problem, threshold_operand,
)
from alert_sync.errors import ConfigError, RowError
from alert_sync.project import AlertNode
from alert_sync.drift import record_of
from alert_sync.identity import marked_alert_id, with_alert_id, without_alert_id

pytestmark = pytest.mark.unit  # no dbt, no emulator: `make test-fast`

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_CATALOG = REPO_ROOT / "seeds" / "alert_configurations.csv"  # the package's header template
FOLDER = "/Workspace/Shared/dbt_alerts/proj/prod"
SETTINGS = DeploySettings(warehouse_id="wh-1", parent_path=FOLDER)

VALID = {
    "alert_id": "COST-001", "alert_name": "Daily Cost Spike", "alert_description": "cost above 5000",
    "agent_domain": "COST", "severity": "WARNING", "query_model": "cost_daily", "threshold_column": "daily_cost",
    "threshold_operator": ">", "threshold_value_type": "DOUBLE", "threshold_value": "5000", "aggregation_type": "",
    "empty_result_state": "OK", "schedule_cron": "0 0 6 * * ?", "schedule_timezone": "America/Los_Angeles",
    "pause_status": "UNPAUSED", "is_enabled": "true", "notification_channels": "finops@example.com",
    "notify_on_ok": "", "retrigger_seconds": "", "custom_summary": "", "custom_description": "",
    "owner": "finops@example.com",
}


def row(line: int = 2, **fields: str) -> CatalogRow:
    """A valid catalog row (all columns, as text) with `fields` overridden."""
    return CatalogRow({**VALID, **fields}, line=line)


def node(name: str = "cost_daily", sql: str | None = "select 1 as daily_cost", status: str | None = "success",
         message: str | None = None) -> AlertNode:
    return AlertNode(name=name, unique_id=f"model.proj.{name}", compiled_code=sql, meta={}, status=status,
                     message=message)


def dest(key: str, name: str = "", databricks_id: str = "", enabled: bool = True) -> Destination:
    return Destination(key, name or key, "SLACK", databricks_id, enabled)


class FakeWorkspaceDestinations:
    """The `list_workspace_destinations` callable: counts its calls."""

    def __init__(self, *pairs: tuple[str, str]):  # (display_name, id)
        self.items = [ListNotificationDestinationsResult(display_name=n, id=i) for n, i in pairs]
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return iter(self.items)


def never_listed():
    raise AssertionError("the workspace destinations must not be listed")


def resolver(destinations: dict[str, Destination] | None = None, listing=never_listed) -> ChannelResolver:
    return ChannelResolver(destinations or {}, listing)


def error_of(fn, *args) -> str:
    with pytest.raises(RowError) as info:
        fn(*args)
    return str(info.value)


# --------------------------------------------------------------------------------------------
# CatalogRow: one column at a time (docs/catalog.md, table of alert_configurations.csv)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("symbol, operator", [
    (">", ComparisonOperator.GREATER_THAN), (">=", ComparisonOperator.GREATER_THAN_OR_EQUAL),
    ("<", ComparisonOperator.LESS_THAN), ("<=", ComparisonOperator.LESS_THAN_OR_EQUAL),
    ("=", ComparisonOperator.EQUAL), ("==", ComparisonOperator.EQUAL),
    ("!=", ComparisonOperator.NOT_EQUAL), ("<>", ComparisonOperator.NOT_EQUAL),
])
def test_operator_symbols(symbol, operator):
    assert row(threshold_operator=symbol).operator() is operator


@pytest.mark.parametrize("operator", list(ComparisonOperator))
def test_operator_alerts_v2_names_in_any_case(operator):
    assert row(threshold_operator=operator.value).operator() is operator
    assert row(threshold_operator=operator.value.lower()).operator() is operator


@pytest.mark.parametrize("raw", ["=>", "GREATER", "~", ""])
def test_unknown_operator_names_the_field_and_the_accepted_values(raw):
    message = error_of(row(threshold_operator=raw).operator)
    assert f"threshold_operator '{raw}'" in message
    for accepted in (">", ">=", "<>", "GREATER_THAN", "IS_NULL", "IS_NOT_NULL"):
        assert accepted in message


@pytest.mark.parametrize("raw", ["", "NONE", "none", "FIRST", "first", "  "])
def test_empty_none_or_first_aggregation_is_the_first_row(raw):
    assert row(aggregation_type=raw).aggregation() is None


@pytest.mark.parametrize("aggregation", list(Aggregation))
def test_aggregations_in_any_case(aggregation):
    assert row(aggregation_type=aggregation.value.lower()).aggregation() is aggregation


def test_unknown_aggregation_names_the_field_and_the_fix():
    message = error_of(row(aggregation_type="TOTAL").aggregation)
    assert "aggregation_type 'TOTAL'" in message
    assert all(a.value in message for a in Aggregation)
    assert "NONE" in message and "FIRST" in message


@pytest.mark.parametrize("raw, state", [
    ("OK", AlertEvaluationState.OK), ("triggered", AlertEvaluationState.TRIGGERED),
    ("Error", AlertEvaluationState.ERROR),
])
def test_empty_result_state(raw, state):
    assert row(empty_result_state=raw).empty_result_state() is state


@pytest.mark.parametrize("raw", ["UNKNOWN", "unknown"])
def test_empty_result_state_unknown_is_refused(raw):
    # docs/catalog.md allows OK, TRIGGERED, ERROR only (Databricks plans to deprecate UNKNOWN)
    message = error_of(row(empty_result_state=raw).empty_result_state)
    assert "empty_result_state" in message and "OK, TRIGGERED or ERROR" in message


def test_bad_empty_result_state_names_the_field_and_the_allowed_states():
    message = error_of(row(empty_result_state="MAYBE").empty_result_state)
    assert "empty_result_state 'MAYBE'" in message
    assert "OK" in message and "TRIGGERED" in message and "ERROR" in message
    assert "UNKNOWN" not in message


@pytest.mark.parametrize("raw, status", [
    ("PAUSED", SchedulePauseStatus.PAUSED), ("unpaused", SchedulePauseStatus.UNPAUSED),
])
def test_pause_status(raw, status):
    assert row(pause_status=raw).pause_status() is status


@pytest.mark.parametrize("raw", ["STOPPED", ""])
def test_bad_pause_status_names_the_field_and_the_allowed_values(raw):
    message = error_of(row(pause_status=raw).pause_status)
    assert f"pause_status '{raw}'" in message and "PAUSED, UNPAUSED" in message


@pytest.mark.parametrize("raw, seconds", [("", None), ("0", 0), ("3600", 3600), ("60.0", 60)])
def test_retrigger_seconds_whole_number_or_empty(raw, seconds):
    # "60.0" is what a seed column typed as a number renders; the dbt check accepts it too
    assert row(retrigger_seconds=raw).retrigger_seconds() == seconds


@pytest.mark.parametrize("raw", ["-1", "1.5", "abc", "10s", "nan", "inf", "1e3"])
def test_retrigger_seconds_that_is_not_a_whole_number_ge_0_is_refused(raw):
    # the dbt check's rule ([0-9]+ with an optional .0); "inf" used to escape as an OverflowError
    message = error_of(row(retrigger_seconds=raw).retrigger_seconds)
    assert f"retrigger_seconds '{raw}'" in message and "whole number" in message


@pytest.mark.parametrize("raw", ["true", "TRUE", "1", "yes", "Yes"])
def test_true_booleans(raw):
    assert parse_bool(row(notify_on_ok=raw), "notify_on_ok") is True
    assert row(is_enabled=raw).is_enabled is True


@pytest.mark.parametrize("raw", ["false", "False", "0", "no", "NO"])
def test_false_booleans(raw):
    assert parse_bool(row(notify_on_ok=raw), "notify_on_ok") is False
    assert row(is_enabled=raw).is_enabled is False


@pytest.mark.parametrize("raw", ["maybe", "t", ""])
def test_anything_else_is_not_a_boolean(raw):
    message = error_of(lambda: row(is_enabled=raw).is_enabled)
    assert f"is_enabled '{raw}'" in message and "true or false" in message


@pytest.mark.parametrize("raw, channels", [
    ("a@example.com", ["a@example.com"]),
    ("a@example.com;finops_slack", ["a@example.com", "finops_slack"]),
    (" a@example.com ; finops_slack ;; ", ["a@example.com", "finops_slack"]),
    ("", []),
])
def test_channels_are_semicolon_separated_and_may_be_empty(raw, channels):
    assert row(notification_channels=raw).channels() == channels


def test_display_name_is_severity_in_brackets_then_name():
    assert row(severity="warning", alert_name="Daily Cost Spike").display_name == "[WARNING] Daily Cost Spike"


# --------------------------------------------------------------------------------------------
# id_problems: alert_id is a stable key, unique
# --------------------------------------------------------------------------------------------

def test_empty_ids_and_every_row_sharing_an_id_are_problems():
    # Which of two rows sharing an id is meant cannot be known: neither may be deployed.
    rows = [row(2, alert_id="A"), row(3, alert_id=""), row(4, alert_id="A"), row(5, alert_id="B"),
            row(6, alert_id="  ")]
    problems = id_problems(rows)
    assert sorted(problems) == [2, 3, 4, 6]
    assert "alert_id is empty" in problems[3] and "line 3" in problems[3]
    assert "alert_id is empty" in problems[6]
    for line in (2, 4):
        assert "'A'" in problems[line] and "used by lines 2, 4" in problems[line] and "unique" in problems[line]


def test_unique_ids_have_no_problems():
    assert id_problems([row(2, alert_id="A"), row(3, alert_id="B")]) == {}


# --------------------------------------------------------------------------------------------
# read_catalog / read_destinations
# --------------------------------------------------------------------------------------------

def write_csv(path: Path, header: list[str], *rows: list[str]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def template_header() -> list[str]:
    return TEMPLATE_CATALOG.read_text(encoding="utf-8").splitlines()[0].split(",")


def test_read_catalog_reads_the_package_template_header_and_numbers_rows_by_csv_line(tmp_path):
    header = template_header()
    path = write_csv(tmp_path / "alert_configurations.csv", header,
                     [{**VALID, "alert_id": "A", "alert_description": "commas, kept"}[c] for c in header],
                     [{**VALID, "alert_id": "B"}[c] for c in header])
    rows = read_catalog(path)
    assert [(r.alert_id, r.line) for r in rows] == [("A", 2), ("B", 3)]  # line 1 is the header
    assert rows[0]["alert_description"] == "commas, kept"
    assert rows[0].operator() is ComparisonOperator.GREATER_THAN


def test_read_catalog_names_the_missing_columns(tmp_path):
    header = [c for c in template_header() if c not in ("owner", "retrigger_seconds")]
    path = write_csv(tmp_path / "alert_configurations.csv", header)
    with pytest.raises(ConfigError) as info:
        read_catalog(path)
    message = str(info.value)
    assert "missing column(s)" in message and "retrigger_seconds" in message and "owner" in message
    assert str(path) in message


def test_read_catalog_of_an_empty_file_names_every_column(tmp_path):
    path = tmp_path / "alert_configurations.csv"
    path.write_text("")
    with pytest.raises(ConfigError) as info:
        read_catalog(path)
    assert all(c in str(info.value) for c in template_header())


def catalog_line(**changes: str) -> str:
    return ",".join({**VALID, **changes}[c] for c in template_header())


@pytest.mark.parametrize("bad_line, words", [
    # A comma in an unquoted value: one value too many (dbt's CSV reader refuses the seed).
    (catalog_line(alert_id="B", alert_name="Revenue, daily"),
     ("line 4 has 23 values, the header 22", "must be quoted", "stray comma")),
    # A value left out, comma and all: one too few (DuckDB's loader refuses it without naming the row).
    (catalog_line(alert_id="B").replace(",cost above 5000,", ","),
     ("line 4 has 21 values, the header 22", "a comma is missing", "two commas (,,)")),
])
def test_a_row_with_more_or_fewer_values_than_the_header_names_its_line_and_the_fix(tmp_path, bad_line, words):
    path = tmp_path / "alert_configurations.csv"
    path.write_text("\n".join([",".join(template_header()), catalog_line(alert_id="A"), "", bad_line]) + "\n")
    with pytest.raises(ConfigError) as info:
        read_catalog(path)
    assert str(path) in str(info.value) and all(w in str(info.value) for w in words), str(info.value)


def test_rows_are_numbered_by_the_line_they_start_on_across_blank_lines_and_multiline_values(tmp_path):
    text = "\n".join([",".join(template_header()), catalog_line(alert_id="A", alert_description='"two\nlines"'),
                      "", catalog_line(alert_id="B")]) + "\n"
    (tmp_path / "c.csv").write_text(text)
    rows = read_catalog(tmp_path / "c.csv")
    assert [(r.alert_id, r.line) for r in rows] == [("A", 2), ("B", 5)]
    assert rows[0]["alert_description"] == "two\nlines"


def test_a_destination_row_with_a_stray_comma_names_its_line(tmp_path):
    path = tmp_path / "notification_destinations.csv"
    path.write_text("destination_id,destination_name,destination_type\nops,Ops, team,SLACK\n")
    with pytest.raises(ConfigError, match="line 2 has 4 values, the header 3"):
        read_destinations(path)


def test_read_destinations_is_optional(tmp_path):
    assert read_destinations(None) == {}
    assert read_destinations(tmp_path / "notification_destinations.csv") == {}


def test_read_destinations_keys_by_destination_id(tmp_path):
    header = ["destination_id", "destination_name", "destination_type", "databricks_destination_id", "owner",
              "is_enabled"]
    path = write_csv(tmp_path / "notification_destinations.csv", header,
                     ["finops_slack", "FinOps Slack #cost-alerts", "slack", "", "finops@example.com", "true"],
                     ["secops_pd", "SecOps PagerDuty", "PAGERDUTY", "3f0c6a9e", "sec@example.com", "false"])
    assert read_destinations(path) == {
        "finops_slack": Destination("finops_slack", "FinOps Slack #cost-alerts", "SLACK", "", True),
        "secops_pd": Destination("secops_pd", "SecOps PagerDuty", "PAGERDUTY", "3f0c6a9e", False),
    }


@pytest.mark.parametrize("raw, enabled", [("", True), ("TRUE", True), ("1", True), ("yes", True),
                                           ("false", False), ("0", False), ("No", False)])
def test_destination_is_enabled_reads_booleans_as_the_catalog_does(tmp_path, raw, enabled):
    path = write_csv(tmp_path / "notification_destinations.csv", ["destination_id", "destination_name", "is_enabled"],
                     ["ops", "Ops", raw])
    assert read_destinations(path)["ops"].is_enabled is enabled and read_destinations(path)["ops"].problem is None


def test_a_destination_row_that_does_not_parse_is_an_error_of_the_alerts_using_it_only(tmp_path):
    path = write_csv(tmp_path / "notification_destinations.csv", ["destination_id", "destination_name", "is_enabled"],
                     ["ops", "Ops", "maybe"], ["sec", "Sec", "true"])
    destinations = read_destinations(path)
    message = error_of(resolver({**destinations, "sec": dest("sec", databricks_id="d-1")}).resolve, "ops")
    assert "'ops'" in message and "is_enabled 'maybe'" in message
    listing = FakeWorkspaceDestinations(("Sec", "d-1"))
    assert resolver({**destinations, "sec": dest("sec", databricks_id="d-1")}, listing).resolve("sec").destination_id \
        == "d-1"


# --------------------------------------------------------------------------------------------
# threshold_operand / build_evaluation
# --------------------------------------------------------------------------------------------

def value_operand(**value) -> AlertV2Operand:
    return AlertV2Operand(value=AlertV2OperandValue(**value))


@pytest.mark.parametrize("value_type, raw, operand", [
    ("DOUBLE", "5000", value_operand(double_value=5000.0)),
    ("double", "0.25", value_operand(double_value=0.25)),
    ("STRING", "open", value_operand(string_value="open")),
    ("BOOLEAN", "TRUE", value_operand(bool_value=True)),
    ("boolean", "false", value_operand(bool_value=False)),
])
def test_threshold_value_typed_by_threshold_value_type(value_type, raw, operand):
    assert threshold_operand(row(threshold_value_type=value_type, threshold_value=raw)) == operand


@pytest.mark.parametrize("raw", ["inf", "nan", "-inf", "1_000", "5 000", "five"])
def test_a_double_threshold_must_be_a_finite_number_as_the_dbt_check_reads_it(raw):
    message = error_of(threshold_operand, row(threshold_value_type="DOUBLE", threshold_value=raw))
    assert f"threshold_value '{raw}' is not a number" in message


def test_column_threshold_compares_with_another_output_column_aggregated_alike():
    operand = threshold_operand(row(threshold_value_type="COLUMN", threshold_value="budget", aggregation_type="SUM"))
    assert operand == AlertV2Operand(column=AlertV2OperandColumn(name="budget", aggregation=Aggregation.SUM))
    first_row = threshold_operand(row(threshold_value_type="COLUMN", threshold_value="budget", aggregation_type=""))
    assert first_row == AlertV2Operand(column=AlertV2OperandColumn(name="budget"))


@pytest.mark.parametrize("fields, words", [
    ({"threshold_value_type": "INTEGER"}, ["threshold_value_type 'INTEGER'", "DOUBLE, STRING, BOOLEAN, COLUMN"]),
    ({"threshold_value": ""}, ["threshold_value is empty", "DOUBLE"]),
    ({"threshold_value": "five"}, ["threshold_value 'five'", "not a number"]),
    ({"threshold_value_type": "BOOLEAN", "threshold_value": "yes"}, ["threshold_value 'yes'", "true or false"]),
])
def test_bad_threshold_names_the_field_and_the_fix(fields, words):
    message = error_of(threshold_operand, row(**fields))
    assert all(w in message for w in words), message


def test_build_evaluation():
    evaluation = build_evaluation(row(threshold_column="cost", threshold_operator=">=", threshold_value="10",
                                      aggregation_type="avg", empty_result_state="TRIGGERED"))
    assert evaluation == AlertV2Evaluation(
        source=AlertV2OperandColumn(name="cost", aggregation=Aggregation.AVG),
        comparison_operator=ComparisonOperator.GREATER_THAN_OR_EQUAL,
        threshold=value_operand(double_value=10.0),
        empty_result_state=AlertEvaluationState.TRIGGERED,
    )
    assert evaluation.notification is None  # the rule only: notification is the deploy's business


@pytest.mark.parametrize("operator", ["IS_NULL", "is_not_null"])
def test_null_checks_have_no_threshold(operator):
    evaluation = build_evaluation(row(threshold_operator=operator, threshold_value_type="", threshold_value=""))
    assert evaluation.threshold is None
    assert evaluation.comparison_operator is ComparisonOperator(operator.upper())


def test_null_check_with_a_value_is_refused():
    message = error_of(build_evaluation, row(threshold_operator="IS_NULL", threshold_value="5"))
    assert "threshold_value must be empty for IS_NULL" in message


def test_empty_threshold_column_is_refused():
    assert "threshold_column is empty" in error_of(build_evaluation, row(threshold_column=""))


# --------------------------------------------------------------------------------------------
# build_alert: the whole AlertV2
# --------------------------------------------------------------------------------------------

def test_build_alert_is_the_row_as_an_alerts_v2_object():
    channels = resolver({"finops_slack": dest("finops_slack", databricks_id="d-1")},
                        FakeWorkspaceDestinations(("FinOps Slack", "d-1")))
    settings = DeploySettings(warehouse_id="wh-1", parent_path=FOLDER, display_name_prefix="[DEV] ")
    alert = build_alert(
        row(notification_channels="finops@example.com;finops_slack", notify_on_ok="true", retrigger_seconds="3600",
            custom_summary="{{ALERT_NAME}} fired", custom_description="see {{ALERT_URL}}", pause_status="PAUSED"),
        node(sql="\n  select 1 as daily_cost\n"), settings, channels)
    expected = AlertV2(
        display_name="[DEV] [WARNING] Daily Cost Spike",
        query_text="-- dbt_alerts alert_id: COST-001\nselect 1 as daily_cost",  # the row's id first (identity.py)
        warehouse_id="wh-1",
        parent_path=FOLDER,
        custom_summary="{{ALERT_NAME}} fired",
        custom_description="see {{ALERT_URL}}",
        evaluation=AlertV2Evaluation(
            source=AlertV2OperandColumn(name="daily_cost"),
            comparison_operator=ComparisonOperator.GREATER_THAN,
            threshold=value_operand(double_value=5000.0),
            empty_result_state=AlertEvaluationState.OK,
            notification=AlertV2Notification(
                notify_on_ok=True, retrigger_seconds=3600,
                subscriptions=[AlertV2Subscription(user_email="finops@example.com"),
                               AlertV2Subscription(destination_id="d-1")]),
        ),
        schedule=CronSchedule(quartz_cron_schedule="0 0 6 * * ?", timezone_id="America/Los_Angeles",
                              pause_status=SchedulePauseStatus.PAUSED),
    )
    # ... and, on the same line, the record of the fields as written (drift.py)
    expected.query_text = with_alert_id("COST-001", "select 1 as daily_cost", written=record_of(expected))
    assert alert == expected


def test_build_alert_optional_fields_left_empty():
    alert = build_alert(row(notification_channels="", notify_on_ok="", retrigger_seconds=""), node(), SETTINGS,
                        resolver())
    assert alert.evaluation.notification == AlertV2Notification(notify_on_ok=False)  # empty notify_on_ok = false
    assert alert.custom_summary is None and alert.custom_description is None


def test_build_alert_refuses_a_bad_notify_on_ok():
    assert "notify_on_ok 'sometimes'" in error_of(build_alert, row(notify_on_ok="sometimes"), node(), SETTINGS,
                                                  resolver())


# --------------------------------------------------------------------------------------------
# ChannelResolver: emails, destinations of the seed, workspace destinations by name
# --------------------------------------------------------------------------------------------

def test_email_channel_is_a_user_email_subscription():
    assert resolver().resolve("ops@example.com") == AlertV2Subscription(user_email="ops@example.com")


def test_destination_with_a_databricks_id_is_checked_against_one_workspace_listing():
    listing = FakeWorkspaceDestinations(("SecOps PagerDuty", "3f0c6a9e"))
    channels = resolver({"sec_pd": dest("sec_pd", databricks_id="3f0c6a9e"),
                         "gone": dest("gone", "Gone", databricks_id="00dead")}, listing)
    assert channels.resolve("sec_pd") == AlertV2Subscription(destination_id="3f0c6a9e")
    message = error_of(channels.resolve, "gone")
    assert "'gone'" in message and "'00dead'" in message and "not a notification destination of this workspace" \
        in message and "destination_name 'Gone'" in message
    assert listing.calls == 1


def test_destination_without_id_is_found_by_name_listing_the_workspace_once():
    listing = FakeWorkspaceDestinations(("FinOps Slack", "ws-1"), ("SecOps PagerDuty", "ws-2"))
    channels = resolver({"finops": dest("finops", "FinOps Slack"), "secops": dest("secops", "SecOps PagerDuty")},
                        listing)
    assert listing.calls == 0  # lazily
    assert channels.resolve("finops") == AlertV2Subscription(destination_id="ws-1")
    assert channels.resolve("secops") == AlertV2Subscription(destination_id="ws-2")
    assert channels.resolve("finops") == AlertV2Subscription(destination_id="ws-1")
    assert listing.calls == 1


@pytest.mark.parametrize("destinations, listing, words", [
    ({}, [], ["'pagerduty'", "neither an email nor a destination_id", "notification_destinations.csv"]),
    ({"pagerduty": dest("pagerduty", databricks_id="d-1", enabled=False)}, [], ["'pagerduty'", "disabled"]),
    ({"pagerduty": dest("pagerduty", "On-call")}, [("Other", "ws-1")],
     ["'pagerduty'", "no notification destination named 'On-call'", "databricks_destination_id"]),
    ({"pagerduty": dest("pagerduty", "On-call")}, [("On-call", "ws-1"), ("On-call", "ws-2")],
     ["'pagerduty'", "2 workspace destinations are named 'On-call'", "databricks_destination_id"]),
], ids=["unknown", "disabled", "not-in-workspace", "ambiguous"])
def test_unresolvable_channel_is_a_row_error_naming_the_channel(destinations, listing, words):
    channels = resolver(destinations, FakeWorkspaceDestinations(*listing))
    message = error_of(channels.resolve, "pagerduty")
    assert all(w in message for w in words), message


# --------------------------------------------------------------------------------------------
# node_problem / build_desired: a bad row is that alert's ERROR, never the others'
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("the_node, words", [
    (None, ["query_model 'cost_daily'", "not an alert model"]),
    (node(status=None), ["'cost_daily'", "not part of the last dbt build"]),
    (node(status="error", message="Runtime Error\n  column   daily_cost not found"),
     ["'cost_daily' error: Runtime Error: column daily_cost not found"]),
    (node(status="error", message="Compilation Error in model cost_daily (models/cost_daily.sql)\n  bad row\n  \n"
                                  "  > in macro materialization_alert_default (macros/materializations/alert.sql)\n"
                                  "  > called by model cost_daily (models/cost_daily.sql)"),
     ["'cost_daily' error: Compilation Error: bad row"]),
    (node(status="skipped", message=None), ["'cost_daily' skipped"]),
    (node(sql="  \n"), ["'cost_daily'", "no compiled SQL"]),
], ids=["not-in-manifest", "not-built", "failed", "failed-in-a-macro", "skipped", "no-sql"])
def test_a_model_that_did_not_pass_dbt_build_is_a_problem(the_node, words):
    problem = node_problem(row(), the_node)
    assert problem.startswith("failed validation in dbt build")
    assert all(w in problem for w in words), problem


def test_a_model_that_passed_dbt_build_is_no_problem():
    assert node_problem(row(), node()) is None


def test_build_desired_one_bad_row_never_costs_the_others():
    rows = [
        row(2, alert_id="GOOD-1"),
        row(3, alert_id="BAD-OP", threshold_operator="=>"),
        row(4, alert_id="OFF-1", is_enabled="false", threshold_operator="=>", query_model="gone"),
        row(5, alert_id="FAILED", query_model="broken"),
        row(6, alert_id="GOOD-1", alert_name="Copy"),
        row(7, alert_id="", alert_name="No id"),
        row(8, alert_id="BAD-BOOL", is_enabled="perhaps"),
        row(9, alert_id="BAD-CHANNEL", notification_channels="nowhere"),
        row(10, alert_id="GOOD-2", alert_name="Other"),
    ]
    nodes = {"cost_daily": node(), "broken": node("broken", status="error", message="boom")}
    desired = build_desired(rows, nodes, SETTINGS, resolver())

    assert [d.alert_id for d in desired] == ["GOOD-1", "BAD-OP", "OFF-1", "FAILED", "GOOD-1", "(line 7)",
                                             "BAD-BOOL", "BAD-CHANNEL", "GOOD-2"]
    by_line = dict(zip(range(2, 11), desired))
    good = by_line[10]
    assert good.error is None and good.enabled and isinstance(good.alert, AlertV2)
    assert by_line[10].alert.display_name == "[WARNING] Other"

    disabled = by_line[4]  # not built at all: its bad operator and missing model are no error
    assert (disabled.enabled, disabled.alert, disabled.error) == (False, None, None)

    expected_errors = {2: "used by lines 2, 6", 3: "threshold_operator '=>'", 5: "model 'broken' error: boom",
                       6: "used by lines 2, 6",
                       7: "alert_id is empty on line 7", 8: "is_enabled 'perhaps'", 9: "notification channel 'nowhere'"}
    for line, words in expected_errors.items():
        assert by_line[line].alert is None
        assert words in (by_line[line].error or ""), by_line[line]
    assert by_line[8].enabled  # an unreadable is_enabled is an ERROR, not a silently disabled alert


def test_build_desired_display_names_carry_the_prefix_even_for_errors():
    settings = DeploySettings(warehouse_id="wh-1", parent_path=FOLDER, display_name_prefix="[DEV] ")
    good, bad = build_desired([row(2, alert_id="A"), row(3, alert_id="B", pause_status="x")],
                              {"cost_daily": node()}, settings, resolver())
    assert good.display_name == good.alert.display_name == "[DEV] [WARNING] Daily Cost Spike"
    assert bad.display_name == "[DEV] [WARNING] Daily Cost Spike" and "pause_status 'x'" in bad.error


# --------------------------------------------------------------------------------------------
# Compiled conditions (BETWEEN, NOT_BETWEEN, IN, NOT_IN): docs/catalog.md "Compiled conditions"
# --------------------------------------------------------------------------------------------

def test_build_alert_deploys_a_compiled_condition_in_the_query_for_the_manifest_dialect():
    from alert_sync.conditions import CONDITION_COLUMN

    r = row(threshold_operator="NOT_IN", threshold_value_type="STRING", threshold_value="a;b'c")
    databricks = build_alert(r, node(), SETTINGS, resolver())
    duck = build_alert(r, node(), DeploySettings(warehouse_id="wh-1", parent_path=FOLDER, dialect="duckdb"), resolver())
    assert marked_alert_id(databricks.query_text) == "COST-001" and without_alert_id(databricks.query_text).startswith(
        "-- dbt_alerts condition: daily_cost NOT IN ('a', 'b''c')\n")
    assert "not in ('a', 'b\\'c')" in databricks.query_text and "not in ('a', 'b''c')" in duck.query_text
    assert databricks.query_text.endswith("select 1 as daily_cost\n) as q")
    assert databricks.evaluation.source == AlertV2OperandColumn(name=CONDITION_COLUMN)
    assert (databricks.evaluation.comparison_operator, databricks.evaluation.threshold) == (
        ComparisonOperator.EQUAL, value_operand(bool_value=True))


def test_build_desired_a_bad_range_is_that_alerts_error_only():
    rows = [row(2, alert_id="RANGE", threshold_operator="between", threshold_value="20;10"),
            row(3, alert_id="LIST", threshold_operator="IN", threshold_value="1;;2", alert_name="List"),
            row(4, alert_id="OK-RANGE", threshold_operator="BETWEEN", threshold_value="10;20", alert_name="Range")]
    bad_range, bad_list, good = build_desired(rows, {"cost_daily": node()}, SETTINGS, resolver())
    assert "low bound 20 is above the high bound 10" in bad_range.error and bad_range.alert is None
    assert "without empty entries" in bad_list.error and bad_list.alert is None
    assert good.error is None and marked_alert_id(good.alert.query_text) == "OK-RANGE"
    assert without_alert_id(good.alert.query_text).startswith("-- dbt_alerts condition: daily_cost BETWEEN 10 AND 20")


def test_an_unknown_operator_names_the_compiled_ones_too():
    assert "BETWEEN, NOT_BETWEEN, IN, NOT_IN" in error_of(build_evaluation, row(threshold_operator="LIKE"))
