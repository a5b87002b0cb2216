"""Alert identity (identity.py) and what the plan does with it, as unit tests: no dbt, no workspace.

The rules (plan.py docstring, docs/cli.md "The workspace"): every deployed alert names its catalog
row in the first line of its query_text; the plan matches by that marker first, then by the id
recorded in the last sync results, then by display name; an alert whose marker names a catalog row
is never removed, whatever that row's state; --prune removes nothing while a catalog row is in
ERROR unless forced. test_identity_sync.py runs the same rules end to end (real dbt, emulator).
"""

from __future__ import annotations

import copy

import pytest

from databricks.sdk.service.sql import AlertV2

from alert_sync.conditions import deployed_condition
from alert_sync.desired import DesiredAlert
from alert_sync.identity import marked_alert_id, with_alert_id, without_alert_id
from alert_sync.output import render_plan
from alert_sync.plan import CREATE, DELETE, ERROR, NOOP, UPDATE, Plan, complete_listing, make_plan, update_mask
from test_plan import FOLDER, alert_v2

pytestmark = pytest.mark.unit  # no dbt, no emulator: `make test-fast`

QUERY = "select sum(cost) as daily_cost from usage"


def alert(alert_id: str | None, name: str, id: str | None = None, create_time: str | None = None,
          query: str = QUERY) -> AlertV2:
    """A complete alert (test_plan.alert_v2) as deployed (id set) or desired (id None), marked with
    `alert_id` unless None."""
    a = alert_v2(name, id=id, parent_path=FOLDER, create_time=create_time)
    a.query_text = with_alert_id(alert_id, query) if alert_id else query
    return a


def row(alert_id: str, name: str, enabled: bool = True, error: str | None = None) -> DesiredAlert:
    return DesiredAlert(alert_id, name, enabled, alert=alert(alert_id, name) if enabled and not error else None,
                        error=error)


def plan(desired, existing, recorded=None, prune=False, force_prune=False, scope=None) -> Plan:
    return make_plan(desired, existing, FOLDER, recorded or {}, prune, scope=scope, force_prune=force_prune)


def by_row(p: Plan) -> dict:
    return {a.alert_id: a for a in p.actions}


# --- the marker ----------------------------------------------------------------------------------

def test_the_marker_is_the_first_line_and_reads_back():
    text = with_alert_id("COST-001", "\n  select 1 as x\n")
    assert text == "-- dbt_alerts alert_id: COST-001\nselect 1 as x"
    assert marked_alert_id(text) == "COST-001" and without_alert_id(text) == "select 1 as x"
    assert marked_alert_id("  \n" + text + "\n") == "COST-001"  # whitespace the service may add around it


def test_a_query_without_the_marker_has_no_id_and_is_kept_whole():
    for text in (None, "", "select 1", "select 1\n-- dbt_alerts alert_id: COST-001", "-- dbt_alerts alert_id: "):
        assert marked_alert_id(text) is None, text
    assert without_alert_id("select 1\n-- dbt_alerts alert_id: X") == "select 1\n-- dbt_alerts alert_id: X"


def test_an_id_with_a_line_break_stays_one_comment_line():
    text = with_alert_id("A\nB\\C", "select 1")
    assert text.count("\n") == 1 and marked_alert_id(text) == "A\nB\\C"


def test_the_compiled_condition_marker_is_read_after_the_id_marker():
    text = with_alert_id("R-1", "-- dbt_alerts condition: cost BETWEEN 1 AND 2\nselect 1")
    assert deployed_condition(text) == "cost BETWEEN 1 AND 2"


# --- matching --------------------------------------------------------------------------------------

def test_the_marker_matches_before_a_recorded_id_and_a_name():
    # Two rows swapped display names in the workspace UI; recorded ids are stale (point the other way).
    existing = [alert("A", "[WARNING] Bravo", id="x1"), alert("B", "[WARNING] Alpha", id="x2")]
    p = plan([row("A", "[WARNING] Alpha"), row("B", "[WARNING] Bravo")], existing, recorded={"A": "x2", "B": "x1"})
    actions = by_row(p)
    assert actions["A"].databricks_alert_id == "x1" and actions["B"].databricks_alert_id == "x2"


def test_a_severity_change_is_an_update_without_any_recorded_result():
    p = plan([row("COST-001", "[CRITICAL] Daily Cost")], [alert("COST-001", "[WARNING] Daily Cost", id="x1")])
    (a,) = p.actions
    assert (a.action, a.databricks_alert_id, a.changed_fields) == (UPDATE, "x1", ["display_name"])


def test_an_alert_deployed_before_the_marker_is_adopted_by_name_and_gains_it_in_one_update():
    p = plan([row("COST-001", "[WARNING] Daily Cost")], [alert(None, "[WARNING] Daily Cost", id="x1")])
    (a,) = p.actions
    assert (a.action, a.databricks_alert_id, a.changed_fields) == (UPDATE, "x1", ["alert_id_marker"])
    assert a.changes == [("alert_id_marker", None, "COST-001")]
    assert a.update_mask == "query_text"  # the marker travels in query_text, sent whole
    assert "alert_id_marker: (none) -> 'COST-001'" in render_plan(p, "h")


def test_an_alert_deployed_before_the_marker_is_adopted_by_recorded_id_across_a_rename():
    p = plan([row("COST-001", "[CRITICAL] New Name")], [alert(None, "[WARNING] Old Name", id="x1")],
             recorded={"COST-001": "x1"})
    (a,) = p.actions
    assert a.databricks_alert_id == "x1" and a.changed_fields == ["display_name", "alert_id_marker"]


def test_a_marked_alert_is_never_adopted_by_name_by_another_row():
    # x1 belongs to A (in ERROR); B deploys the same name: B must not take A's alert.
    p = plan([row("A", "[WARNING] Same", error="bad severity"), row("B", "[WARNING] Same")],
             [alert("A", "[WARNING] Same", id="x1")])
    actions = by_row(p)
    assert actions["A"].action == ERROR and actions["A"].databricks_alert_id == "x1"
    assert actions["B"].databricks_alert_id is None  # a create, refused: the name is taken
    assert actions["B"].action == ERROR and "already has it" in actions["B"].error


def test_an_alert_marked_for_an_id_no_longer_in_the_catalog_is_adopted_by_name():
    # The row's alert_id was changed from COST-001 to COST-100: same alert, new key.
    p = plan([row("COST-100", "[WARNING] Daily Cost")], [alert("COST-001", "[WARNING] Daily Cost", id="x1")])
    (a,) = p.actions
    assert (a.action, a.databricks_alert_id) == (UPDATE, "x1")
    assert a.changes == [("alert_id_marker", "COST-001", "COST-100")]


def test_complete_listing_fetches_a_pathless_alert_that_carries_a_catalog_marker():
    pathless = alert("COST-001", "Renamed in the UI", id="x1")
    pathless.parent_path = None
    fetched_alert = copy.deepcopy(pathless)
    fetched_alert.parent_path = FOLDER
    out, fetched = complete_listing([pathless], [row("COST-001", "[WARNING] Daily Cost")], FOLDER, {},
                                    lambda _id: fetched_alert)
    assert fetched == ["x1"] and out[0].parent_path == FOLDER


# --- removals --------------------------------------------------------------------------------------

def test_a_broken_row_keeps_its_alert_under_prune_without_recorded_results():
    # The case: a severity typo makes the row an ERROR and changes its display name; no sync
    # results are recorded (fresh checkout). The deployed alert names the row: kept, never removed.
    deployed = alert("COST-001", "[WARNING] Daily Cost", id="x1")
    for force in (False, True):
        p = plan([row("COST-001", "[WARNNG] Daily Cost", error="severity 'WARNNG' is not valid")], [deployed],
                 prune=True, force_prune=force)
        (a,) = p.actions
        assert (a.action, a.databricks_alert_id, a.note) == (ERROR, "x1", "deployed copy left as it is")
        assert not any(x.action == DELETE for x in p.actions)


def test_prune_removes_nothing_while_a_catalog_row_is_in_error_unless_forced():
    existing = [alert("A", "[WARNING] A", id="x1"), alert(None, "[WARNING] Legacy", id="x2"),
                alert("GONE", "[WARNING] Gone", id="x3"), alert("D", "[WARNING] D", id="x4")]
    rows = [row("A", "[WARNING] A"), row("B", "[WARNING] B", error="model failed in dbt build"),
            row("D", "[WARNING] D", enabled=False)]
    held = plan(rows, existing, prune=True)
    assert not any(a.action == DELETE for a in held.actions)
    assert by_row(held)["D"].action == NOOP and by_row(held)["D"].skipped
    (warning,) = [w for w in held.warnings if "nothing is removed" in w]
    assert "(B)" in warning and "--force-prune" in warning
    assert all(name in warning for name in ("'[WARNING] Legacy' (x2", "'[WARNING] Gone' (x3", "'[WARNING] D' (x4"))

    forced = plan(rows, existing, prune=True, force_prune=True)
    removed = {a.databricks_alert_id: a for a in forced.actions if a.action == DELETE}
    assert set(removed) == {"x2", "x3", "x4"}
    assert removed["x3"].alert_id == "GONE"  # a removal names the row its marker names
    assert not any("nothing is removed" in w for w in forced.warnings)


def test_without_errors_prune_removes_what_is_not_in_the_catalog():
    p = plan([row("A", "[WARNING] A")], [alert("A", "[WARNING] A", id="x1"), alert("OLD", "[WARNING] Old", id="x2")],
             prune=True)
    assert [(a.action, a.databricks_alert_id) for a in p.actions] == [(NOOP, "x1"), (DELETE, "x2")]


def test_an_alert_recorded_for_a_catalog_row_is_kept_even_when_forced():
    # The row matched its marked alert; an unmarked one the last sync recorded for it is not a
    # leftover of a removed row: kept and said, whatever the flags.
    existing = [alert("A", "[WARNING] A", id="x1"), alert(None, "[WARNING] Something else", id="x2")]
    p = plan([row("A", "[WARNING] A")], existing, recorded={"A": "x2"}, prune=True, force_prune=True)
    assert not any(a.action == DELETE for a in p.actions)
    assert any("belongs to catalog row A" in w and "x2" in w for w in p.warnings)


def test_a_second_copy_carrying_the_same_marker_is_a_duplicate_and_purged():
    # A create that landed twice: both copies name row A; the oldest is A's, the other is purged.
    existing = [alert("A", "[WARNING] A", id="x1", create_time="1"), alert("A", "[WARNING] A (1)", id="x2",
                                                                           create_time="2")]
    p = plan([row("A", "[WARNING] A")], existing, prune=True)
    actions = {a.databricks_alert_id: a for a in p.actions}
    assert actions["x1"].action == NOOP
    assert (actions["x2"].action, actions["x2"].purge, actions["x2"].note) == (DELETE, True,
                                                                                "duplicate of a catalog alert")


def test_a_selection_never_removes_an_alert_of_an_unselected_row():
    existing = [alert("GONE-1", "[WARNING] G1", id="x1"), alert("GONE-2", "[WARNING] G2", id="x2")]
    p = plan([row("A", "[WARNING] A")], existing, prune=True, scope=lambda alert_id: alert_id in ("A", "GONE-2"))
    assert [(a.action, a.databricks_alert_id) for a in p.actions if a.action != CREATE] == [(DELETE, "x2")]


# --- notes: said once per change -------------------------------------------------------------------

def test_notes_are_said_for_the_alerts_a_plan_changes_not_on_every_plan():
    unmanaged_run_as = row("A", "[WARNING] A")
    unmanaged_run_as.alert.run_as = None
    deployed = copy.deepcopy(unmanaged_run_as.alert)
    deployed.id = "x1"
    deployed.parent_path = FOLDER
    assert plan([unmanaged_run_as], [deployed]).notes == []  # nothing changes: nothing to say
    assert any("alerts_run_as is not set" in n for n in plan([unmanaged_run_as], []).notes)  # a create


def test_update_mask_of_a_marker_change_is_query_text():
    assert update_mask(["alert_id_marker", "display_name"]) == "display_name,query_text"
