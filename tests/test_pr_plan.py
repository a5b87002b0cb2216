"""Pull-request review: `plan --format markdown` and `plan --select` (alert ids and dbt selectors,
resolved by real `dbt ls` on a copy of the built example), against the emulator over real HTTP."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import alert_sync
from alert_sync.cli import main
from alert_sync.output import md_cell

LOCAL = "--allow-non-databricks-manifest"


def manifest(project) -> dict:
    return json.loads((project.path / "target" / "manifest.json").read_text())


def alerts_of_models(project, models: set[str]) -> set[str]:
    return {r["alert_id"] for r in project.catalog_rows() if r["query_model"] in models}


def downstream_alert_models(project, node_id: str) -> set[str]:
    """The alert models downstream of `node_id`, walking the manifest's child_map."""
    m = manifest(project)
    seen, todo = set(), [node_id]
    while todo:
        for child in m["child_map"].get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return {m["nodes"][n]["name"] for n in seen
            if n.startswith("model.") and m["nodes"][n]["config"].get("materialized") == "alert"}


def planned_ids(run) -> set[str]:
    return {a["alert_id"] for a in run.json["actions"]}


def test_markdown_plan_rows_for_create_update_and_removal(project, workspace):
    assert alert_sync(project, "apply", LOCAL).exit_code == 0
    rows = project.catalog_rows()
    by_id = {r["alert_id"]: r for r in rows}
    spike = by_id["COST-001"]
    spike["threshold_value"] = "6000"
    removed = by_id.pop("COST-002")  # an alert goes away with its model
    project.model_path(removed["query_model"]).unlink()
    project.write_catalog(list(by_id.values()))
    project.add_alert(dict(spike, alert_id="COST-099", alert_name="Daily Cost Spike | Copy",
                           query_model="cost_spike_copy"),
                      sql=project.model_path("cost_daily_spend_spike").read_text())
    assert project.rebuild().ok

    md = alert_sync(project, "plan", LOCAL, "--prune", "--format", "markdown")
    assert md.exit_code == 0, md.stderr
    as_json = alert_sync(project, "plan", LOCAL, "--prune", "--json").json["summary"]
    table = md.stdout.splitlines()
    assert (f"**{as_json['created']} to create, {as_json['updated']} to update, {as_json['deleted']} to remove, "
            f"{as_json['errors']} error(s)**; {as_json['unchanged']} unchanged, {as_json['skipped']} disabled.") in table
    assert (as_json["created"], as_json["updated"], as_json["deleted"]) == (1, 1, 1)
    assert "| | Alert | Display name | Changes |" in table
    # The "|" of the new alert's name is escaped, so the row keeps its four cells.
    assert "| create | `COST-099` | \\[WARNING\\] Daily Cost Spike \\| Copy | new alert |" in table
    assert "| update | `COST-001` | \\[WARNING\\] Daily Cost Spike | evaluation.threshold: 5000 → 6000 |" in table
    assert (f"| purge | `COST-002` | \\[{removed['severity']}\\] {removed['alert_name']} | not in the catalog |"
            in table)
    # Unchanged alerts are a count, not rows.
    assert not any(line.startswith("| ") and "COST-003" in line for line in table)
    # Nothing but the markdown on stdout.
    assert md.stdout.startswith("### alert-sync plan: dbt target `local`")


def test_select_tag_plans_only_the_tagged_alerts(project, workspace):
    tagged = {n["name"] for n in manifest(project)["nodes"].values()
              if "finops" in n.get("tags", []) and n["config"].get("materialized") == "alert"}
    expected = alerts_of_models(project, tagged)
    run = alert_sync(project, "plan", LOCAL, "--select", "tag:finops", "--json")
    assert run.exit_code == 0, run.stderr
    assert expected and planned_ids(run) == expected
    assert len(expected) < len(project.catalog_rows())


def test_select_state_modified_follows_a_changed_upstream_model(project, workspace, tmp_path):
    state = tmp_path / "prod-state"
    state.mkdir()
    shutil.copy2(project.path / "target" / "manifest.json", state / "manifest.json")
    upstream = project.model_path("system_access__audit")
    upstream.write_text(upstream.read_text() + "\n-- a reviewed change\n")
    assert project.rebuild().ok
    expected = alerts_of_models(project, downstream_alert_models(project, project.node_id("system_access__audit")))
    assert expected and len(expected) < len(project.catalog_rows())

    run = alert_sync(project, "plan", LOCAL, "--select", "state:modified+", "--state", str(state), "--json")
    assert run.exit_code == 0, run.stderr
    assert planned_ids(run) == expected
    # The same selection mixed with an alert id outside it adds exactly that alert.
    both = alert_sync(project, "plan", LOCAL, "--select", "state:modified+ COST-001", "--state", str(state), "--json")
    assert planned_ids(both) == expected | {"COST-001"}
    text = alert_sync(project, "plan", LOCAL, "--select", "state:modified+", "--state", str(state))
    assert f"selection: state:modified+: {len(expected)} of " in text.stdout


def test_select_never_proposes_removing_unselected_alerts(project, workspace):
    assert alert_sync(project, "apply", LOCAL).exit_code == 0
    rows = project.catalog_rows()
    project.model_path(next(r["query_model"] for r in rows if r["alert_id"] == "COST-002")).unlink()
    project.write_catalog([r for r in rows if r["alert_id"] != "COST-002"])
    assert project.rebuild().ok
    full = alert_sync(project, "plan", LOCAL, "--prune", "--json")
    assert {a["alert_id"] for a in full.json["actions"] if a["action"] == "DELETE"} == {"COST-002"}

    run = alert_sync(project, "plan", LOCAL, "--prune", "--select", "COST-001,COST-003", "--json")
    assert run.exit_code == 0, run.stderr
    assert planned_ids(run) == {"COST-001", "COST-003"}
    assert all(a["action"] == "NOOP" for a in run.json["actions"])


def test_select_state_without_state_dir_is_a_usage_error(project, workspace):
    run = alert_sync(project, "plan", LOCAL, "--select", "state:modified+", "--json")
    assert run.exit_code == 2
    assert "--state" in run.json["error"]


def test_format_and_json_alias():
    result = CliRunner().invoke(main, ["plan", "--json", "--format", "markdown"])
    assert result.exit_code == 2
    assert "--json is --format json" in result.output


def test_markdown_cells_escape_pipes_newlines_and_html():
    cell = md_cell("a | b\nc <script> *x*")
    assert "|" not in cell.replace("\\|", "")
    assert "\n" not in cell and "<br>" in cell
    assert "<script>" not in cell and "&lt;script&gt;" in cell
    assert re.fullmatch(r"a \\\| b<br>c &lt;script&gt; \\\*x\\\*", cell)
