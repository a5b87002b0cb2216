"""Plan, summary, JSON shape and retries, as unit tests: no dbt, no database, no workspace.

Each test states a rule of docs/cli.md ("The workspace", "Output and exit codes"), docs/operations.md
("Faults") or of the docstrings of plan.py / summary.py / retry.py, on AlertV2 objects built with the
real databricks-sdk typed classes. test_sync.py and test_faults.py run the same rules end to end.
"""

from __future__ import annotations

import copy
import json

import pytest
import requests
from databricks.sdk.errors import (
    BadRequest, DatabricksError, DeadlineExceeded, InternalError, InvalidParameterValue, NotFound, PermissionDenied,
    ResourceConflict, TemporarilyUnavailable, TooManyRequests, Unauthenticated, platform,
)
from databricks.sdk.service.sql import (
    Aggregation, AlertEvaluationState, AlertV2, AlertV2Evaluation, AlertV2Notification, AlertV2Operand,
    AlertV2OperandColumn, AlertV2OperandValue, AlertV2RunAs, AlertV2Subscription, ComparisonOperator, CronSchedule,
    SchedulePauseStatus,
)

from alert_sync.desired import DesiredAlert
from alert_sync.errors import RowError
from alert_sync.output import action_json, plan_summary, render_plan
from alert_sync.plan import (
    CREATE, DELETE, ERROR, FIELDS, NOOP, UPDATABLE_FIELDS, UPDATE, Action, Plan, base_name, complete_listing, diff,
    folder_key, make_plan, update_mask,
)
from alert_sync.emulator.alerts import ALERT_SCHEMA
from alert_sync.retry import RETRIES, backoff, call_with_retries, outcome_unknown
from alert_sync.summary import summarize
from alert_sync.untyped import ALERT_FIELDS, alert_from_json

pytestmark = pytest.mark.unit  # no dbt, no emulator: `make test-fast`

FOLDER = "/Workspace/Shared/dbt_alerts/proj/prod"
NAME = "[WARNING] Daily Cost Spike"


def alert_v2(display_name: str = NAME, id: str | None = None, parent_path: str = FOLDER,
             create_time: str | None = None) -> AlertV2:
    """A complete alert, every compared field set (as the sync sends it)."""
    return AlertV2(
        id=id, display_name=display_name, parent_path=parent_path, create_time=create_time,
        query_text="select sum(cost) as daily_cost from usage", warehouse_id="wh-1",
        custom_summary="{{ALERT_NAME}} fired", custom_description="see {{ALERT_URL}}",
        evaluation=AlertV2Evaluation(
            source=AlertV2OperandColumn(name="daily_cost", aggregation=Aggregation.SUM),
            comparison_operator=ComparisonOperator.GREATER_THAN,
            threshold=AlertV2Operand(value=AlertV2OperandValue(double_value=5000.0)),
            empty_result_state=AlertEvaluationState.OK,
            notification=AlertV2Notification(
                notify_on_ok=True, retrigger_seconds=3600,
                subscriptions=[AlertV2Subscription(user_email="finops@example.com"),
                               AlertV2Subscription(destination_id="d-1")]),
        ),
        schedule=CronSchedule(quartz_cron_schedule="0 0 6 * * ?", timezone_id="America/Los_Angeles",
                              pause_status=SchedulePauseStatus.UNPAUSED),
        run_as=AlertV2RunAs(service_principal_name="sp-app-1"),
    )


def deployed(id: str, display_name: str = NAME, **kw) -> AlertV2:
    return alert_v2(display_name, id=id, **kw)


def desired(alert_id: str = "COST-001", display_name: str = NAME, enabled: bool = True,
            error: str | None = None) -> DesiredAlert:
    alert = alert_v2(display_name) if enabled and not error else None
    return DesiredAlert(alert_id, display_name, enabled, alert=alert, error=error)


def changed(alert: AlertV2, mutate) -> AlertV2:
    out = copy.deepcopy(alert)
    mutate(out)
    return out


def plan_of(desired_alerts, existing, recorded=None, prune=False) -> Plan:
    return make_plan(desired_alerts, existing, FOLDER, recorded or {}, prune)


def only(plan: Plan) -> Action:
    assert len(plan.actions) == 1, plan.actions
    return plan.actions[0]


# --------------------------------------------------------------------------------------------
# diff: every compared field, normalized like what the service echoes
# --------------------------------------------------------------------------------------------

def _set(path: str, value):
    def mutate(a: AlertV2):
        *parents, last = path.split(".")
        target = a
        for p in parents:
            target = getattr(target, p)
        setattr(target, last, value)
    return mutate


ONE_FIELD_CHANGES = {
    "display_name": _set("display_name", "[CRITICAL] Daily Cost Spike"),
    "query_text": _set("query_text", "select 2 as daily_cost"),
    "warehouse_id": _set("warehouse_id", "wh-2"),
    "custom_summary": _set("custom_summary", "other summary"),
    "custom_description": _set("custom_description", None),
    "evaluation.source": _set("evaluation.source.aggregation", Aggregation.AVG),
    "evaluation.comparison_operator": _set("evaluation.comparison_operator", ComparisonOperator.LESS_THAN),
    "evaluation.threshold": _set("evaluation.threshold.value.double_value", 6000.0),
    "evaluation.empty_result_state": _set("evaluation.empty_result_state", AlertEvaluationState.TRIGGERED),
    "evaluation.notification.notify_on_ok": _set("evaluation.notification.notify_on_ok", False),
    "evaluation.notification.retrigger_seconds": _set("evaluation.notification.retrigger_seconds", 60),
    "evaluation.notification.subscriptions": _set("evaluation.notification.subscriptions",
                                                  [AlertV2Subscription(user_email="finops@example.com")]),
    "schedule.quartz_cron_schedule": _set("schedule.quartz_cron_schedule", "0 0 7 * * ?"),
    "schedule.timezone_id": _set("schedule.timezone_id", "UTC"),
    "schedule.pause_status": _set("schedule.pause_status", SchedulePauseStatus.PAUSED),
    "run_as": _set("run_as", AlertV2RunAs(user_name="me@example.com")),
    # read from the JSON, not the SDK's class (untyped.py)
    "parameters": _set("untyped", {"parameters": [{"name": "min_cost", "type": "DOUBLE", "value": "5000"}]}),
    "custom_template_format": _set("untyped", {"custom_template_format": "MARKDOWN"}),
}


def test_every_compared_field_has_a_change_below():
    assert set(ONE_FIELD_CHANGES) == set(FIELDS)


@pytest.mark.parametrize("path", list(FIELDS))
def test_field_paths_are_alert_v2_attribute_paths(path):
    # each path names a field of the AlertV2 object, for people; the PATCH names its top-level field
    target = alert_v2()
    if path in ALERT_FIELDS:  # a field of the service's AlertV2 that this SDK's class may lack (untyped.py)
        assert path in ALERT_SCHEMA
    else:
        for part in path.split("."):
            assert hasattr(target, part), f"{path}: no {part}"
            target = getattr(target, part)
    assert update_mask([path]) == path.split(".")[0] and update_mask([path]) in UPDATABLE_FIELDS


def test_update_mask_names_each_changed_top_level_field_once_in_a_fixed_order():
    assert update_mask(["schedule.pause_status", "evaluation.threshold", "evaluation.notification.notify_on_ok",
                        "display_name", "schedule.timezone_id"]) == "display_name,evaluation,schedule"
    action = Action("A", UPDATE, NAME, "a1", changes=[("evaluation.notification.retrigger_seconds", 0, 60)])
    assert (action.changed_fields, action.update_mask) == (["evaluation.notification.retrigger_seconds"], "evaluation")


def test_update_mask_refuses_a_field_that_cannot_be_updated():
    with pytest.raises(ValueError, match="parent_path"):
        update_mask(["parent_path"])


def test_run_as_is_not_compared_when_the_catalog_does_not_set_it():
    unmanaged = changed(alert_v2(), _set("run_as", None))
    assert diff(unmanaged, alert_v2()) == []  # the deployed alert keeps whoever it runs as
    created_by_the_sp = changed(unmanaged, _set("effective_run_as", AlertV2RunAs(service_principal_name="sp-app-1")))
    assert diff(alert_v2(), created_by_the_sp) == []  # it already runs as the SP: effective_run_as says so
    no_identity = changed(alert_v2(), lambda a: (setattr(a, "run_as", None), setattr(a, "effective_run_as", None)))
    assert [p for p, _, _ in diff(alert_v2(), no_identity)] == ["run_as"]


@pytest.mark.parametrize("path", list(ONE_FIELD_CHANGES))
def test_diff_detects_each_field(path):
    existing = alert_v2()
    new = changed(existing, ONE_FIELD_CHANGES[path])
    changes = diff(new, existing)
    assert [p for p, _, _ in changes] == [path]
    _, old_value, new_value = changes[0]
    assert old_value != new_value


def test_a_workspace_copy_with_parameters_or_a_markdown_template_is_an_update_that_clears_them():
    """The catalog has no column for either: a copy that has them is drift, shown field by field, and
    the PATCH names each field without a value, which clears it."""
    json = {**alert_v2(id="a1").as_dict(), "custom_template_format": "MARKDOWN",
            "parameters": [{"name": "min_cost", "type": "DOUBLE", "value": "5000"}, {"name": "team"}]}
    plan = plan_of([desired()], [alert_from_json(json)])
    action = only(plan)
    assert action.action == UPDATE and action.databricks_alert_id == "a1"
    assert action.changes == [("parameters", "min_cost DOUBLE = '5000', team STRING = NULL", ""),
                              ("custom_template_format", "MARKDOWN", "HTML")]
    assert action.update_mask == "parameters,custom_template_format"
    assert "parameters" not in action.desired.as_dict()  # nothing sent for them: the mask clears them
    text = render_plan(plan, FOLDER)
    assert "parameters: min_cost DOUBLE = '5000', team STRING = NULL -> (none)" in text
    assert "custom_template_format: 'MARKDOWN' -> 'HTML'" in text


def test_an_explicit_html_template_format_and_empty_parameters_are_no_change():
    json = {**alert_v2(id="a1").as_dict(), "custom_template_format": "HTML", "parameters": []}
    assert only(plan_of([desired()], [alert_from_json(json)])).action == NOOP


def test_diff_of_the_same_alert_is_empty():
    assert diff(alert_v2(), alert_v2()) == []


def test_threshold_kinds_differ():
    as_string = changed(alert_v2(), _set("evaluation.threshold", AlertV2Operand(
        value=AlertV2OperandValue(string_value="5000"))))
    as_column = changed(alert_v2(), _set("evaluation.threshold", AlertV2Operand(
        column=AlertV2OperandColumn(name="budget"))))
    assert [p for p, _, _ in diff(as_string, alert_v2())] == ["evaluation.threshold"]
    assert [p for p, _, _ in diff(as_column, alert_v2())] == ["evaluation.threshold"]
    assert [p for p, _, _ in diff(as_column, as_string)] == ["evaluation.threshold"]


def _reverse_subscriptions(a: AlertV2):
    a.evaluation.notification.subscriptions.reverse()


def _no_notification_settings(a: AlertV2):
    a.evaluation.notification = AlertV2Notification()


# (what the sync sent, what the service echoes back): must compare equal
ECHOES = {
    "pause_status default": (_set("schedule.pause_status", None), _set("schedule.pause_status",
                                                                      SchedulePauseStatus.UNPAUSED)),
    "subscriptions reordered": (lambda a: None, _reverse_subscriptions),
    "retrigger None vs 0": (_set("evaluation.notification.retrigger_seconds", None),
                            _set("evaluation.notification.retrigger_seconds", 0)),
    "notify_on_ok None vs False": (_set("evaluation.notification.notify_on_ok", False),
                                   _set("evaluation.notification.notify_on_ok", None)),
    "no notification vs empty one": (_set("evaluation.notification", None), _no_notification_settings),
    "no subscriptions vs []": (_set("evaluation.notification.subscriptions", None),
                               _set("evaluation.notification.subscriptions", [])),
    "empty custom_summary": (_set("custom_summary", None), _set("custom_summary", "")),
    "query_text whitespace": (lambda a: None, _set("query_text", "\nselect sum(cost) as daily_cost from usage\n  ")),
    "integral double": (lambda a: None, _set("evaluation.threshold.value.double_value", 5000)),
    "server fields": (lambda a: None, lambda a: (setattr(a, "id", "x"), setattr(a, "create_time", "2026-01-01"),
                                                  setattr(a, "owner_user_name", "me@example.com"))),
    "run_as reported as effective_run_as": (lambda a: None, lambda a: (
        setattr(a, "effective_run_as", a.run_as), setattr(a, "run_as", None))),
    "run_as reported as run_as_user_name": (lambda a: None, lambda a: (
        setattr(a, "run_as_user_name", "sp-app-1"), setattr(a, "run_as", None))),
}


@pytest.mark.parametrize("sent, echoed", list(ECHOES.values()), ids=list(ECHOES))
def test_what_the_service_echoes_compares_equal(sent, echoed):
    ours, theirs = changed(alert_v2(), sent), changed(alert_v2(), echoed)
    assert diff(ours, theirs) == []
    assert diff(theirs, ours) == []


# --------------------------------------------------------------------------------------------
# folder_key / base_name
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("/Workspace/Shared/x", "/Shared/x"), ("/Shared/x/", "/Shared/x"), ("/Workspace/Shared/x/", "/Shared/x"),
    ("/Workspace", "/"), ("/Workspace/", "/"), ("", "/"), (None, "/"),
])
def test_same_folder(a, b):
    assert folder_key(a) == folder_key(b)


@pytest.mark.parametrize("a, b", [
    ("/Shared/x", "/Shared/xy"), ("/Shared/x", "/Shared/x/y"), ("/Users/me/x", "/Shared/x"),
    ("/Workspace/Shared/x", "/Workspace/x"), ("/WorkspaceX/Shared", "/Shared"),
])
def test_different_folders(a, b):
    assert folder_key(a) != folder_key(b)


@pytest.mark.parametrize("name, base", [
    ("Name (1)", "Name"), ("[WARNING] Cost (12)", "[WARNING] Cost"), ("Name", "Name"), ("Name (x)", "Name (x)"),
    ("Name(1)", "Name(1)"), ("Name (1) (2)", "Name (1)"),
])
def test_base_name_drops_the_suffix_the_service_adds(name, base):
    assert base_name(name) == base


# --------------------------------------------------------------------------------------------
# make_plan: recorded id, then display name, then "Name (1)"; only the managed folder
# --------------------------------------------------------------------------------------------

def test_no_deployed_copy_is_a_create_of_the_desired_alert():
    d = desired()
    action = only(plan_of([d], []))
    assert (action.action, action.alert_id, action.databricks_alert_id) == (CREATE, "COST-001", None)
    assert action.desired is d.alert


def test_same_alert_by_display_name_is_a_noop():
    action = only(plan_of([desired()], [deployed("a1")]))
    assert (action.action, action.databricks_alert_id, action.changes, action.skipped) == (NOOP, "a1", [], False)


def test_changed_alert_is_an_update_of_that_id_naming_the_changed_field():
    existing = changed(deployed("a1"), ONE_FIELD_CHANGES["evaluation.threshold"])
    action = only(plan_of([desired()], [existing]))
    assert (action.action, action.databricks_alert_id, action.changed_fields) == (
        UPDATE, "a1", ["evaluation.threshold"])


def test_rename_is_an_update_of_the_recorded_id():
    action = only(plan_of([desired(display_name="[WARNING] Renamed")], [deployed("a1")], {"COST-001": "a1"}))
    assert (action.action, action.databricks_alert_id, action.changed_fields) == (UPDATE, "a1", ["display_name"])


def test_a_rename_into_a_name_another_managed_alert_keeps_is_an_error_before_any_request():
    existing = [deployed("a1", "[WARNING] Old name"), deployed("b2")]
    plan = plan_of([desired()], existing, {"COST-001": "a1"})
    action = only(plan)  # the recorded id still wins: b2 is not adopted
    assert (action.action, action.databricks_alert_id, action.note) == (ERROR, "a1", "deployed copy left as it is")
    assert f"cannot rename display name '{NAME}'" in action.error and "b2" in action.error and "--prune" in action.error
    assert f"'{NAME} (1)'" in action.error
    assert len(plan.warnings) == 1 and "(b2)" in plan.warnings[0] and "duplicate" in plan.warnings[0]


def test_a_rename_into_the_name_of_an_alert_this_plan_purges_goes_ahead():
    existing = [deployed("a1", "[WARNING] Old name"), deployed("b2")]
    plan = plan_of([desired()], existing, {"COST-001": "a1"}, prune=True)
    rename, purge = plan.actions
    assert (rename.action, rename.databricks_alert_id, rename.changed_fields) == (UPDATE, "a1", ["display_name"])
    assert (purge.action, purge.databricks_alert_id, purge.purge) == (DELETE, "b2", True)


def test_a_scoped_plan_gives_the_selected_alert_the_action_of_the_whole_plan():
    """plan --select COST-001 --prune: the leftover b2 is outside the selection and not shown, but
    its removal still frees the name COST-001 is renamed into, as in the whole plan."""
    existing = [deployed("a1", "[WARNING] Old name"), deployed("b2")]
    plan = make_plan([desired()], existing, FOLDER, {"COST-001": "a1"}, True, scope=lambda i: i == "COST-001")
    rename = only(plan)
    assert (rename.action, rename.databricks_alert_id, rename.changed_fields) == (UPDATE, "a1", ["display_name"])


def test_swapped_names_are_errors_naming_the_other_rename():
    existing = [deployed("a1", "[INFO] A"), deployed("b1", "[INFO] B")]
    plan = plan_of([desired("A", "[INFO] B"), desired("B", "[INFO] A")], existing, {"A": "a1", "B": "b1"})
    assert [a.action for a in plan.actions] == [ERROR, ERROR]
    assert all("this plan renames it too" in a.error for a in plan.actions), [a.error for a in plan.actions]


def test_a_create_into_a_name_a_renamed_alert_still_holds_is_an_error():
    existing = [deployed("a1", NAME)]
    plan = plan_of([desired("OLD", "[WARNING] New name"), desired("NEW", NAME)], existing, {"OLD": "a1"})
    rename, create = plan.actions
    assert (rename.action, create.action) == (UPDATE, ERROR)
    assert "cannot create" in create.error and "a1" in create.error


def test_recorded_ids_are_matched_before_display_names_whatever_the_row_order():
    # COST-002's recorded alert carries the name COST-001 wants: it stays COST-002's
    existing = [deployed("a1", "[WARNING] Old")]
    plan = plan_of([desired("COST-001", "[WARNING] Old"), desired("COST-002", "[WARNING] New")], existing,
                   {"COST-002": "a1"})
    first, second = plan.actions
    # COST-001 is not matched to a1; its create waits until a1 has left the name (see below)
    assert (first.alert_id, first.action, first.databricks_alert_id) == ("COST-001", ERROR, None)
    assert (second.alert_id, second.action, second.databricks_alert_id) == ("COST-002", UPDATE, "a1")


def test_an_alert_stored_as_name_1_is_matched_by_its_base_name():
    action = only(plan_of([desired()], [deployed("a1", f"{NAME} (1)")]))
    assert (action.action, action.databricks_alert_id, action.changed_fields) == (UPDATE, "a1", ["display_name"])


def test_exact_name_is_preferred_to_name_1_which_is_a_duplicate():
    existing = [deployed("dup", f"{NAME} (1)", create_time="2026-01-01"), deployed("a1", create_time="2026-02-01")]
    plan = plan_of([desired()], existing)
    assert (only(plan).action, only(plan).databricks_alert_id) == (NOOP, "a1")
    assert len(plan.warnings) == 1 and "(dup)" in plan.warnings[0] and "duplicate" in plan.warnings[0]


@pytest.mark.parametrize("purge", [True, False])
def test_of_several_same_name_alerts_the_oldest_is_kept_and_the_others_purged(purge):
    existing = [deployed("new", create_time="2026-03-01"), deployed("old", create_time="2026-01-01")]
    plan = make_plan([desired()], existing, FOLDER, {}, prune=True, purge=purge)
    kept, removed = plan.actions
    assert (kept.action, kept.databricks_alert_id) == (NOOP, "old")
    assert (removed.action, removed.databricks_alert_id, removed.purge) == (DELETE, "new", True)  # even --trash-only
    assert removed.note == "duplicate of a catalog alert"


@pytest.mark.parametrize("purge", [True, False])
def test_pruned_alerts_are_purged_unless_trash_only(purge):
    plan = make_plan([desired(enabled=False)], [deployed("a1"), deployed("gone", "[INFO] Removed row")], FOLDER,
                     {"COST-001": "a1"}, prune=True, purge=purge)
    assert [(a.action, a.databricks_alert_id, a.purge) for a in plan.actions] == [
        (DELETE, "a1", purge), (DELETE, "gone", purge)]


def test_alerts_outside_the_managed_folder_are_never_touched():
    elsewhere = [deployed("x1", parent_path="/Workspace/Shared/other"), deployed("x2", "Someone's alert",
                                                                                parent_path="/Users/me")]
    plan = plan_of([desired()], elsewhere, {"COST-001": "x1"}, prune=True)
    action = only(plan)  # no DELETE of x1/x2, even with --prune
    assert (action.action, action.databricks_alert_id) == (CREATE, None)
    assert plan.warnings == []


@pytest.mark.parametrize("stored_as", ["/Shared/dbt_alerts/proj/prod", "/Workspace/Shared/dbt_alerts/proj/prod/"])
def test_workspace_prefix_names_the_same_folder(stored_as):
    action = only(plan_of([desired()], [deployed("a1", parent_path=stored_as)]))
    assert (action.action, action.databricks_alert_id) == (NOOP, "a1")


def test_disabled_row_is_skipped_and_its_deployed_copy_kept_without_prune():
    plan = plan_of([desired(enabled=False)], [deployed("a1")])
    action = only(plan)
    assert (action.action, action.skipped, action.databricks_alert_id) == (NOOP, True, "a1")
    assert "--prune" in action.note
    assert plan.warnings == []  # a disabled row still owns its copy: not a leftover


def test_disabled_row_with_prune_trashes_its_deployed_copy():
    action = only(plan_of([desired(enabled=False)], [deployed("a1", f"{NAME} (1)")], prune=True))
    assert (action.action, action.databricks_alert_id, action.alert_id) == (DELETE, "a1", "COST-001")
    assert action.note == "disabled in the catalog"


@pytest.mark.parametrize("prune", [False, True])
def test_disabled_row_never_deployed_is_just_skipped(prune):
    action = only(plan_of([desired(enabled=False)], [], prune=prune))
    assert (action.action, action.skipped, action.databricks_alert_id) == (NOOP, True, None)


def test_leftover_is_a_warning_without_prune():
    plan = plan_of([], [deployed("gone", "[INFO] Removed row")], {"OLD-1": "gone"})
    assert plan.actions == []
    assert len(plan.warnings) == 1
    assert all(w in plan.warnings[0] for w in ("'[INFO] Removed row'", "(gone)", "not in the catalog", "--prune"))


def test_leftover_is_trashed_with_prune_under_its_recorded_alert_id():
    plan = plan_of([desired()], [deployed("a1"), deployed("gone", "[INFO] Removed row"),
                                 deployed("manual", "[INFO] Made by hand")], {"OLD-1": "gone"}, prune=True)
    assert [(a.action, a.alert_id, a.databricks_alert_id) for a in plan.actions] == [
        (NOOP, "COST-001", "a1"), (DELETE, "OLD-1", "gone"), (DELETE, None, "manual")]
    assert plan.warnings == []


@pytest.mark.parametrize("prune", [False, True])
def test_error_row_keeps_its_deployed_copy(prune):
    plan = plan_of([desired(error="threshold_operator '=>' is not valid")], [deployed("a1")], {"COST-001": "a1"},
                   prune=prune)
    action = only(plan)  # no DELETE, even with --prune
    assert (action.action, action.databricks_alert_id, action.error) == (
        ERROR, "a1", "threshold_operator '=>' is not valid")
    assert action.note == "deployed copy left as it is"
    assert plan.warnings == []


def test_error_row_without_deployed_copy():
    action = only(plan_of([desired(error="bad")], []))
    assert (action.action, action.databricks_alert_id, action.note) == (ERROR, None, None)


def test_each_deployed_alert_is_matched_to_one_row_only():
    plan = plan_of([desired("A"), desired("B")], [deployed("a1")])  # two rows, same display name
    assert [(a.alert_id, a.action, a.databricks_alert_id) for a in plan.actions] == [
        ("A", NOOP, "a1"), ("B", ERROR, None)]
    assert "catalog row A deploys the same display name" in plan.actions[1].error


def test_two_new_rows_with_one_display_name_are_not_both_created():
    plan = plan_of([desired("A"), desired("B")], [])
    assert [(a.alert_id, a.action) for a in plan.actions] == [("A", CREATE), ("B", ERROR)]


# --------------------------------------------------------------------------------------------
# summarize / plan_summary / render_plan / action_json (docs/cli.md "Output and exit codes")
# --------------------------------------------------------------------------------------------

def test_summary_of_the_documented_example():
    outcomes = [("UPDATE", "SUCCESS")] + [("NOOP", "SUCCESS")] * 34 + [("NOOP", "SKIPPED")] * 2
    assert summarize(outcomes) == {"total": 37, "created": 0, "updated": 1, "unchanged": 34, "deleted": 0,
                                   "errors": 0, "skipped": 2, "success_rate": 1.0}


def test_actions_count_only_when_they_succeeded_and_skipped_are_left_out_of_the_rate():
    summary = summarize([("CREATE", "ERROR"), ("UPDATE", "SUCCESS"), ("DELETE", "SUCCESS"), ("ERROR", "ERROR"),
                         ("NOOP", "SKIPPED")])
    assert summary == {"total": 5, "created": 0, "updated": 1, "unchanged": 0, "deleted": 1, "errors": 2,
                       "skipped": 1, "success_rate": 0.5}


def test_success_rate_is_rounded_to_4_places():
    assert summarize([("CREATE", "SUCCESS")] * 2 + [("CREATE", "ERROR")])["success_rate"] == 0.6667


@pytest.mark.parametrize("outcomes", [[], [("NOOP", "SKIPPED")] * 3], ids=["nothing", "only-disabled"])
def test_success_rate_is_1_when_nothing_was_considered(outcomes):
    assert summarize(outcomes)["success_rate"] == 1.0


def mixed_plan() -> Plan:
    return Plan(actions=[
        Action("A", CREATE, "[INFO] A"), Action("B", UPDATE, "[INFO] B", "b1", changes=[("warehouse_id", "x", "y")]),
        Action("C", NOOP, "[INFO] C", "c1"), Action(None, DELETE, "[INFO] D", "d1"),
        Action("E", ERROR, "[INFO] E", error="bad row"), Action("F", NOOP, "[INFO] F", skipped=True, note="disabled"),
    ], warnings=["'[INFO] G' (g1) in the managed folder is not in the catalog: `apply --prune` trashes it"])


def test_plan_summary_counts_the_plan_as_if_applied():
    assert plan_summary(mixed_plan()) == {"total": 6, "created": 1, "updated": 1, "unchanged": 1, "deleted": 1,
                                          "errors": 1, "skipped": 1, "success_rate": 0.8}


def test_render_plan_ends_with_the_same_counts_as_the_json_summary():
    text = render_plan(mixed_plan(), "alert-sync plan: proj / prod")
    lines = text.splitlines()
    assert lines[0] == "alert-sync plan: proj / prod"
    assert lines[-1] == "Plan: 1 to create, 1 to update, 1 to remove (0 purge, 1 trash), 1 unchanged, 1 error(s), 1 disabled."
    assert "bad row" in text and "(g1) in the managed folder is not in the catalog" in text


JSON_KEYS = {"alert_id", "action", "changed_fields", "databricks_alert_id", "display_name", "error",
             "changed_outside_dbt"}


def test_action_json_is_the_documented_object():
    action = Action("COST-001", UPDATE, "[WARNING] Daily Cost Spike", "a1",
                    changes=[("evaluation.threshold", ("double", 5000.0), ("double", 6000.0))], desired=alert_v2())
    out = action_json(action)
    assert json.loads(json.dumps(out)) == {
        "alert_id": "COST-001", "action": "UPDATE", "changed_fields": ["evaluation.threshold"],
        "databricks_alert_id": "a1", "display_name": "[WARNING] Daily Cost Spike", "error": None,
        "changed_outside_dbt": None}


@pytest.mark.parametrize("action", mixed_plan().actions, ids=lambda a: a.action + ("-skipped" if a.skipped else ""))
def test_action_json_has_exactly_the_documented_keys(action):
    out = action_json(action)
    assert set(out) == JSON_KEYS
    assert out["action"] in (CREATE, UPDATE, NOOP, DELETE, ERROR)


def test_disabled_row_is_a_noop_in_json():
    assert action_json(Action("F", NOOP, "[INFO] F", skipped=True))["action"] == "NOOP"


def test_a_failed_action_is_an_error_in_json():
    out = action_json(Action("A", CREATE, "[INFO] A"), status_error="INTERNAL_ERROR: boom", databricks_id="a9")
    assert (out["action"], out["error"], out["databricks_alert_id"]) == ("ERROR", "INTERNAL_ERROR: boom", "a9")


# --------------------------------------------------------------------------------------------
# retry: outcome_unknown and call_with_retries (docs/operations.md "Faults")
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("exc", [
    InternalError("500"), DeadlineExceeded("504"), TemporarilyUnavailable("503"), TooManyRequests("429"),
    DatabricksError("502 Bad Gateway"), requests.ConnectionError("reset"), requests.Timeout("read timed out"),
    TimeoutError(),
], ids=lambda e: type(e).__name__)
def test_outcome_unknown(exc):
    assert outcome_unknown(exc) is True


@pytest.mark.parametrize("exc", [
    NotFound("404"), InvalidParameterValue("400"), BadRequest("400"), PermissionDenied("403"),
    Unauthenticated("401"), ResourceConflict("409"), RowError("bad row"), ValueError("x"),
], ids=lambda e: type(e).__name__)
def test_outcome_known(exc):
    assert outcome_unknown(exc) is False


@pytest.mark.parametrize("status, unknown", [(500, True), (502, True), (504, True), (400, False), (403, False),
                                             (404, False)])
def test_http_statuses_as_databricks_sdk_raises_them(status, unknown):
    # 500/502/504 may have been executed: retried for idempotent calls; 4xx answers are final
    exc = platform.STATUS_CODE_MAPPING.get(status, DatabricksError)(f"HTTP {status}")
    assert outcome_unknown(exc) is unknown


class Flaky:
    """fn for call_with_retries: raises `errors` in turn, then returns 'done'."""

    def __init__(self, *errors: BaseException):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def test_backoff_doubles_from_0_2_s_up_to_2_s():
    assert [backoff(i) for i in range(7)] == pytest.approx([0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0])


def test_success_needs_no_sleep():
    sleeps: list[float] = []
    assert call_with_retries(Flaky(), sleep=sleeps.append) == "done"
    assert sleeps == []


def test_retryable_errors_are_retried_with_backoff():
    fn, sleeps = Flaky(InternalError("1"), DatabricksError("502")), []
    assert call_with_retries(fn, sleep=sleeps.append) == "done"
    assert fn.calls == 3
    assert sleeps == pytest.approx([0.2, 0.4])


def test_at_most_retries_then_the_last_error_as_it_was():
    errors = [DeadlineExceeded(f"timeout {i}") for i in range(RETRIES + 1)]
    fn, sleeps = Flaky(*errors), []
    with pytest.raises(DeadlineExceeded) as info:
        call_with_retries(fn, sleep=sleeps.append)
    assert info.value is errors[-1]
    assert fn.calls == RETRIES + 1 == 5
    assert sleeps == pytest.approx([backoff(i) for i in range(RETRIES)])


@pytest.mark.parametrize("final", [NotFound("gone"), InvalidParameterValue("bad"), PermissionDenied("no"),
                                   ValueError("bug")], ids=lambda e: type(e).__name__)
def test_non_retryable_error_is_raised_at_once(final):
    fn, sleeps = Flaky(InternalError("500"), final), []
    with pytest.raises(type(final)) as info:
        call_with_retries(fn, sleep=sleeps.append)
    assert info.value is final
    assert fn.calls == 2 and sleeps == pytest.approx([0.2])


def test_retryable_and_retries_can_be_chosen():
    fn, sleeps = Flaky(KeyError("a"), KeyError("b")), []
    with pytest.raises(KeyError):
        call_with_retries(fn, retryable=lambda e: isinstance(e, KeyError), retries=1, sleep=sleeps.append)
    assert fn.calls == 2 and sleeps == pytest.approx([0.2])


# --------------------------------------------------------------------------------------------
# list contents: a listed alert lacking a field the diff needs is fetched with GET
# --------------------------------------------------------------------------------------------

def test_a_listed_alert_lacking_a_needed_field_is_fetched_and_the_others_are_not():
    full, listed_short = deployed("a1"), changed(deployed("a2", "[INFO] Other"), _set("evaluation", None))
    foreign = changed(deployed("x1", "Someone else's", parent_path="/Users/me"), _set("query_text", None))
    gets = []

    def get(alert_id):
        gets.append(alert_id)
        return deployed(alert_id, "[INFO] Other")

    alerts, fetched = complete_listing([full, listed_short, foreign], [desired()], FOLDER, {}, get)
    assert gets == fetched == ["a2"]  # not a1 (complete), not x1 (another folder)
    assert alerts[1].evaluation is not None and [a.id for a in alerts] == ["a1", "a2", "x1"]


def test_run_as_is_fetched_only_when_the_catalog_manages_it():
    no_identity = changed(deployed("a1"), lambda a: (setattr(a, "run_as", None), setattr(a, "effective_run_as", None)))
    unmanaged = desired()
    unmanaged.alert.run_as = None
    assert complete_listing([no_identity], [unmanaged], FOLDER, {}, get=lambda i: pytest.fail("no GET"))[1] == []
    assert complete_listing([no_identity], [desired()], FOLDER, {}, get=lambda i: deployed(i))[1] == ["a1"]


def test_an_alert_listed_without_parent_path_is_fetched_only_when_it_may_be_ours():
    lacks_folder = [changed(deployed("mine"), _set("parent_path", None)),
                    changed(deployed("recorded", "[INFO] Renamed since"), _set("parent_path", None)),
                    changed(deployed("foreign", "Not ours"), _set("parent_path", None))]
    alerts, fetched = complete_listing(lacks_folder, [desired()], FOLDER, {"OLD": "recorded"},
                                       get=lambda i: deployed(i))
    assert fetched == ["mine", "recorded"]
    plan = make_plan([desired()], alerts, FOLDER, {}, prune=False)
    assert (only(plan).action, only(plan).databricks_alert_id) == (NOOP, "mine")


# --------------------------------------------------------------------------------------------
# notes said once per plan
# --------------------------------------------------------------------------------------------

def test_plan_notes_unset_run_as_once_and_lists_alerts_that_notify_once():
    once = desired("ONCE", "[INFO] Once")
    once.alert.run_as = None
    once.alert.evaluation.notification.retrigger_seconds = None
    once.alert.evaluation.notification.notify_on_ok = False
    other = desired("OTHER", "[INFO] Other")
    other.alert.run_as = None
    plan = plan_of([once, other], [])
    assert len(plan.notes) == 2
    assert "alerts_run_as is not set" in plan.notes[0] and "SELECT" in plan.notes[0]
    assert plan.notes[1].startswith("1 alert(s) notify once per trigger") and plan.notes[1].endswith(": ONCE")


def test_no_run_as_note_when_every_alert_sets_it():
    assert plan_of([desired()], []).notes == []
