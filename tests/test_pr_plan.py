"""Pull-request review: `plan --format markdown` and `plan --select` (alert ids and dbt selectors,
resolved by real `dbt ls` on a copy of the built example), against the emulator over real HTTP."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
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
    assert "| update | `COST-001` | \\[WARNING\\] Daily Cost Spike | `evaluation.threshold`: 5000 → 6000 |" in table
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
    same = alert_sync(project, "plan", LOCAL, "--select", "tag:finops", "--format", "json")
    assert same.json["actions"] == run.json["actions"]  # --json is --format json


def test_a_selector_dbt_rejects_is_dbts_message_in_one_line(project, workspace):
    run = alert_sync(project, "plan", LOCAL, "--select", "nosuchmethod:x")
    assert run.exit_code == 2
    assert "--select nosuchmethod:x: dbt ls failed: Runtime Error: 'nosuchmethod' is not a valid method name" \
        in run.stdout, run.stdout
    assert "Encountered an error" not in run.stdout


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


def test_a_changed_catalog_selects_every_alert_and_the_plan_shows_the_changed_row(project, workspace, tmp_path):
    assert alert_sync(project, "apply", LOCAL).exit_code == 0
    state = tmp_path / "prod-state"
    state.mkdir()
    shutil.copy2(project.path / "target" / "manifest.json", state / "manifest.json")
    rows = project.catalog_rows()
    next(r for r in rows if r["alert_id"] == "COST-001")["threshold_value"] = "7000"
    project.write_catalog(rows)
    assert project.rebuild().ok

    run = alert_sync(project, "plan", LOCAL, "--select", "state:modified+", "--state", str(state), "--json")
    assert run.exit_code == 0, run.stderr
    assert planned_ids(run) == {r["alert_id"] for r in rows}  # dbt knows the seed changed, not which rows
    assert [a["alert_id"] for a in run.json["actions"] if a["action"] != "NOOP"] == ["COST-001"]
    md = alert_sync(project, "plan", LOCAL, "--select", "state:modified+", "--state", str(state), "--format",
                    "markdown")
    assert "Selection: `state:modified+: every alert (a catalog seed is selected)`" in md.stdout
    assert sum(1 for line in md.stdout.splitlines() if line.startswith("| update |")) == 1


def test_state_of_another_target_selects_every_alert_and_says_why(project, workspace, tmp_path):
    """Alert models record their dbt target in their config; dbt's state:modified compares configs."""
    state = tmp_path / "other-target"
    state.mkdir()
    m = manifest(project)
    for node in m["nodes"].values():
        if node["config"].get("materialized") == "alert":
            node["config"]["meta"]["alert_sync"]["target_name"] = "prod"
            node["unrendered_config"]["meta"]["alert_sync"]["target_name"] = "prod"
    (state / "manifest.json").write_text(json.dumps(m))
    run = alert_sync(project, "plan", LOCAL, "--select", "state:modified+", "--state", str(state))
    assert run.exit_code == 0, run.stderr
    assert "was parsed for dbt target 'prod', this build for 'local'" in run.stdout
    total = len(project.catalog_rows())
    assert f"selection: state:modified+: {total} of {total} catalog alert(s)" in run.stdout


def test_production_manifest_works_with_the_body_and_macros_selectors(project, workspace, tmp_path):
    """With the prod deploy's own manifest (another target), `state:modified.body+` and
    `state:modified.macros+` compare SQL and macros, not the target-dependent config: only the
    alerts downstream of the change are selected."""
    state = tmp_path / "prod-manifest"
    state.mkdir()
    m = manifest(project)
    for node in m["nodes"].values():
        if node["config"].get("materialized") == "alert":
            for config in (node["config"], node["unrendered_config"]):
                config["meta"]["alert_sync"].update(target_name="prod", parent_path="/Workspace/prod")
    (state / "manifest.json").write_text(json.dumps(m))
    selector = "state:modified.body+ state:modified.macros+"
    unchanged = alert_sync(project, "plan", LOCAL, "--select", selector, "--state", str(state), "--json")
    assert unchanged.exit_code == 0, unchanged.stderr
    assert planned_ids(unchanged) == set()

    upstream = project.model_path("system_access__audit")
    upstream.write_text(upstream.read_text() + "\n-- a reviewed change\n")
    assert project.rebuild().ok
    expected = alerts_of_models(project, downstream_alert_models(project, project.node_id("system_access__audit")))
    run = alert_sync(project, "plan", LOCAL, "--select", selector, "--state", str(state), "--json")
    assert run.exit_code == 0, run.stderr
    assert expected and planned_ids(run) == expected


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
    md = alert_sync(project, "plan", LOCAL, "--select", "state:modified+", "--format", "markdown")
    assert md.exit_code == 2 and md.stdout == ""  # no comment body to post; the error is on stderr
    assert "error: --select uses state:" in md.stderr


@pytest.mark.unit
def test_format_and_json_alias():
    result = CliRunner().invoke(main, ["plan", "--json", "--format", "markdown"])
    assert result.exit_code == 2
    assert "--json is --format json" in result.output


@pytest.mark.unit
def test_markdown_cells_escape_pipes_newlines_and_html():
    cell = md_cell("a | b\nc <script> *x*")
    assert "|" not in cell.replace("\\|", "")
    assert "\n" not in cell and "<br>" in cell
    assert "<script>" not in cell and "&lt;script&gt;" in cell
    assert re.fullmatch(r"a \\\| b<br>c &lt;script&gt; \\\*x\\\*", cell)


# --- the GitHub Actions recipe (example/.github/workflows/alerts.yml) ---------------------------

WORKFLOW = Path(__file__).resolve().parent.parent / "example" / ".github" / "workflows" / "alerts.yml"


def workflow_commands(job: dict, program: str) -> list[list[str]]:
    """The `program ...` command lines of a job's run steps, shell-split (continuations joined,
    redirections dropped, $VARIABLES kept as words)."""
    import shlex

    out = []
    for step in job["steps"]:
        script = step.get("run", "").replace("\\\n", " ")
        for line in script.splitlines():
            words = shlex.split(line.strip(), comments=True) if line.strip() else []
            if words[:1] == [program]:
                out.append(words[:words.index(">")] if ">" in words else words)
    return out


def parsed(words: list[str]) -> dict:
    """Parse an `alert-sync <command> ...` line with the real CLI: unknown options fail here."""
    import click

    command = main.get_command(click.Context(main), words[1])
    assert command is not None, words
    return command.make_context(words[1], words[2:]).params


@pytest.mark.unit
def test_ci_workflow_plans_pull_requests_and_applies_main():
    import yaml

    wf = yaml.safe_load(WORKFLOW.read_text())
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    plan_job, deploy_job = wf["jobs"]["plan"], wf["jobs"]["deploy"]
    assert "pull_request" in plan_job["if"] and "push" in deploy_job["if"]

    builds = workflow_commands(plan_job, "dbt")
    assert ["dbt", "build", "--target", "dev"] in builds
    parse = next(c for c in builds if c[1] == "parse")
    (plan_line,) = workflow_commands(plan_job, "alert-sync")
    params = parsed(plan_line)
    assert params["output_format"] == "markdown" and params["target"] == "dev"
    assert "state:modified+" in params["select"]
    assert str(params["state"]) == parse[parse.index("--target-path") + 1]  # the base branch's parse
    assert parse[parse.index("--target") + 1] == params["target"]  # same target: see selection.py
    assert plan_job["permissions"]["pull-requests"] == "write"

    assert ["dbt", "build", "--target", "prod"] in workflow_commands(deploy_job, "dbt")
    (apply_line,) = workflow_commands(deploy_job, "alert-sync")
    assert apply_line[1] == "apply" and parsed(apply_line)["target"] == "prod"

    # Secrets only as environment variables, never echoed or traced.
    text = WORKFLOW.read_text()
    for name in re.findall(r"secrets\.([A-Z_]+)", text):
        assert re.search(rf"^\s+{name}: \$\{{\{{ secrets\.{name} \}}\}}$", text, re.M), name
    assert "set -x" not in text and not re.search(r"echo .*(TOKEN|secrets)", text)


@pytest.mark.unit
def test_markdown_lists_destination_changes_without_secrets():
    from alert_sync.destinations import DestinationAction
    from alert_sync.output import render_plan_markdown
    from alert_sync.plan import Plan

    plan = Plan(actions=[], destinations=[
        DestinationAction("finops_slack", "CREATE", "FinOps | Slack", "SLACK",
                          changes=[("config.slack.url", None, "(secret from $FINOPS_SLACK_WEBHOOK_URL)")]),
        DestinationAction("oncall", "UPDATE", "On-call", "EMAIL",
                          changes=[("config.email.addresses", ["a@x.com"], ["a@x.com", "b@x.com"])]),
        DestinationAction("ops", "NOOP", "Ops", "EMAIL")])
    lines = render_plan_markdown(plan, "prod", "/Workspace/f", "https://h").splitlines()
    assert "Notification destinations: 1 to create, 1 to update, 1 unchanged, 0 error(s)." in lines
    assert ("| create | `finops_slack` | FinOps \\| Slack (SLACK) | `config.slack.url`: (none) → (secret from "
            "$FINOPS\\_SLACK\\_WEBHOOK\\_URL) |") in lines
    assert "| update | `oncall` | On-call (EMAIL) | `config.email.addresses`: \\[a@x.com\\] → \\[a@x.com, b@x.com\\] |" \
        in lines
    assert not any("`ops`" in line for line in lines)  # unchanged: counted only
