"""The dbt side on real dbt + DuckDB: the shipped catalog builds green, and every kind of bad
catalog row or alert query fails `dbt build` with a message naming the alert, without costing
the other alerts their validation.

The bad rows and queries that cost only their own alert are injected side by side into one copy
of the example and built once (`broken`, one `dbt build` instead of one per case): each test
reads the lines naming its own alert (own id, own name, own model), and every shipped alert must
still validate. The two cases that take a shipped alert down with them (a shared id, a shared
model) build a copy each."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from projects import DbtProject, DbtResult, clone_built

# This module builds a project of its own once (module-scoped fixture): `make test` runs its tests
# on one pytest-xdist worker (--dist loadgroup), so it is built once.
pytestmark = pytest.mark.xdist_group("dbt_catalog")

BAD_ID = "BAD-001"
BAD_MODEL = "bad_alert_query"


def template_row(project: DbtProject) -> dict[str, str]:
    """A known-good enabled DOUBLE alert from the shipped catalog."""
    return next(r for r in project.catalog_rows()
                if r["is_enabled"] == "true" and r["threshold_value_type"] == "DOUBLE"
                and r["threshold_operator"] in (">", ">=", "<", "<="))


def inject(project: DbtProject, alert_id: str = BAD_ID, name: str = "Injected bad alert", model: str = BAD_MODEL,
           **changes: str) -> dict[str, str]:
    """Add a copy of a good alert (own id, own model with the same SQL) with `changes` applied."""
    good = template_row(project)
    row = {**good, "alert_id": alert_id, "alert_name": name, "query_model": model}
    sql = project.model_path(good["query_model"]).read_text()
    row.update(changes)
    project.add_alert(row, sql=sql)
    return row


def node_statuses(project: DbtProject) -> dict[str, str]:
    results = json.loads((project.path / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"]: r["status"] for r in results}


def assert_good_alerts_still_validated(project: DbtProject, shipped: list[dict[str, str]] | None = None) -> None:
    """One bad row must not skip the validation of the others (partial success). `shipped`: the
    good rows (default: every row but BAD_ID's)."""
    statuses = node_statuses(project)
    if shipped is None:
        shipped = [r for r in project.catalog_rows() if r["alert_id"] != BAD_ID]
    good_models = {r["query_model"] for r in shipped} - {BAD_MODEL}
    for model in good_models:
        assert statuses.get(project.node_id(model)) == "success", (model, statuses.get(project.node_id(model)))


def test_shipped_catalog_builds_green(built_project: DbtProject):
    statuses = node_statuses(built_project)
    assert statuses and all(s in ("success", "pass") for s in statuses.values()), \
        {k: v for k, v in statuses.items() if v not in ("success", "pass")}
    rows = built_project.catalog_rows()
    assert len(rows) >= 29
    assert {r["agent_domain"] for r in rows} == {"COST", "SECURITY", "PERFORMANCE", "RELIABILITY", "QUALITY"}
    # Every catalog row's model ran as an alert and produced no relation.
    manifest = json.loads((built_project.path / "target" / "manifest.json").read_text())
    for row in rows:
        node = manifest["nodes"][built_project.node_id(row["query_model"])]
        assert node["config"]["materialized"] == "alert"
        assert statuses[node["unique_id"]] == "success"
        assert node["compiled_code"].strip().lower().startswith(("--", "select", "with"))
        assert "{{" not in node["compiled_code"]


def test_alert_models_create_no_relation(built_project: DbtProject):
    import duckdb

    models = {r["query_model"].lower() for r in built_project.catalog_rows()}
    with duckdb.connect(str(built_project.duckdb_path), read_only=True) as con:
        relations = {name.lower() for (name,) in con.execute(
            "select table_name from information_schema.tables").fetchall()}
    assert relations, "the build created no relation at all?"
    assert not (models & relations)


# (case id, changes to an otherwise good row, words the failure must contain besides the alert id)
BAD_ROWS: list[tuple[str, dict[str, str], tuple[str, ...]]] = [
    ("missing_alert_id", {"alert_id": ""}, ("Injected bad alert", "alert_id")),
    ("domain", {"agent_domain": "FINANCE"}, ("agent_domain", "FINANCE")),
    ("severity", {"severity": "SEVERE"}, ("severity", "SEVERE")),
    ("operator", {"threshold_operator": "=>"}, ("threshold_operator", "=>")),
    ("value_type", {"threshold_value_type": "INTEGER"}, ("threshold_value_type", "INTEGER")),
    ("aggregation", {"aggregation_type": "P95"}, ("aggregation_type", "P95")),
    ("empty_result_state", {"empty_result_state": "UNKNOWN"}, ("empty_result_state", "UNKNOWN")),
    ("pause_status", {"pause_status": "STOPPED"}, ("pause_status", "STOPPED")),
    ("double_does_not_parse", {"threshold_value": "lots"}, ("threshold_value", "lots")),
    ("boolean_does_not_parse", {"threshold_value_type": "BOOLEAN", "threshold_value": "yes"}, ("threshold_value", "yes")),
    ("value_missing", {"threshold_value": ""}, ("threshold_value", "needs a DOUBLE value")),
    ("value_with_is_null", {"threshold_operator": "IS_NULL", "threshold_value": "5"}, ("threshold_value", "IS_NULL")),
    ("cron_five_fields", {"schedule_cron": "0 6 * * *"}, ("schedule_cron", "6 or 7")),
    ("cron_two_question_marks", {"schedule_cron": "0 0 6 ? * ?"}, ("schedule_cron", "?")),
    ("cron_no_question_mark", {"schedule_cron": "0 0 6 * * MON"}, ("schedule_cron", "?")),
    ("cron_bad_hour", {"schedule_cron": "0 0 25 * * ?"}, ("schedule_cron", "hour")),
    ("timezone", {"schedule_timezone": "Mars/Olympus_Mons"}, ("schedule_timezone", "Mars/Olympus_Mons")),
    ("bad_email", {"notification_channels": "ops@@example.com"}, ("ops@@example.com", "not a valid email")),
    ("retrigger_negative", {"retrigger_seconds": "-5"}, ("retrigger_seconds",)),
]

BROKEN_QUERIES = {
    "missing_table": ("{{ dbt_alerts.alert_model() }}\nselect count(*) as value from main.no_such_table\n",
                      "no_such_table"),
    "missing_column": ("{{ dbt_alerts.alert_model() }}\nselect no_such_column as value from {{ ref('alert_configurations') }}\n",
                       "no_such_column"),
}


@dataclass
class Broken:
    """The example with every injected case, built once. rows: case -> its catalog row."""
    project: DbtProject
    result: DbtResult
    rows: dict[str, dict[str, str]]
    shipped: list[dict[str, str]]

    def lines_naming(self, label: str) -> list[str]:
        return [line for line in self.result.output.splitlines() if label in line]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory, built_project: DbtProject) -> Broken:
    """A copy of the built example with each case of this module as its own alert, built once.
    Ids BAD-01, BAD-02, ... (two digits: no id is the start of another), names "Injected bad alert
    NN", models bad_alert_query_NN."""
    project = clone_built(built_project, tmp_path_factory.mktemp("broken") / "project")
    shipped = project.catalog_rows()
    rows: dict[str, dict[str, str]] = {}

    def own(case: str) -> dict[str, str]:
        n = f"{len(rows) + 1:02d}"
        return {"alert_id": f"BAD-{n}", "name": f"Injected bad alert {n}", "model": f"{BAD_MODEL}_{n}"}

    for case, changes, _ in BAD_ROWS:
        rows[case] = inject(project, **{**own(case), **changes})
    for case, changes in {"threshold_column_not_in_output": {"threshold_column": "no_such_column"},
                          "column_threshold_not_an_output_column": {"threshold_value_type": "COLUMN",
                                                                    "threshold_value": "missing_other_column"}}.items():
        rows[case] = inject(project, **{**own(case), **changes})
    ids = own("query_model_does_not_exist")
    rows["query_model_does_not_exist"] = {**template_row(project), "alert_id": ids["alert_id"],
                                          "alert_name": ids["name"], "query_model": "no_such_model"}
    project.add_alert(rows["query_model_does_not_exist"])
    ids = own("query_model_not_an_alert")
    rows["query_model_not_an_alert"] = {**template_row(project), "alert_id": ids["alert_id"],
                                        "alert_name": ids["name"], "query_model": "stg_alert_configurations"}
    project.add_alert(rows["query_model_not_an_alert"])
    for case, (sql, _) in BROKEN_QUERIES.items():
        ids = own(case)
        rows[case] = {**template_row(project), "alert_id": ids["alert_id"], "alert_name": ids["name"],
                      "query_model": ids["model"], "threshold_column": "value"}
        project.add_alert(rows[case], sql=sql)
    orphan = project.path / "models" / "alerts" / "test" / "orphan_alert.sql"
    orphan.write_text("{{ dbt_alerts.alert_model() }}\nselect 1 as value\n")
    return Broken(project, project.rebuild(), rows, shipped)


@pytest.mark.parametrize("case,changes,words", BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_bad_catalog_row_fails_build_naming_the_alert(broken: Broken, case, changes, words):
    row = broken.rows[case]
    assert not broken.result.ok, f"{case}: dbt build passed with a bad row"
    label = row["alert_id"] if changes.get("alert_id") != "" else row["alert_name"]
    failure_lines = broken.lines_naming(label)
    assert failure_lines, f"{case}: no output line names {label}:\n{broken.result.output[-3000:]}"
    joined = "\n".join(failure_lines)
    for word in words:
        assert word in joined, f"{case}: {word!r} not in the lines naming the alert:\n{joined}"
    assert_good_alerts_still_validated(broken.project, broken.shipped)


def test_duplicate_alert_id_fails_naming_it(dbt_project: DbtProject):
    good = template_row(dbt_project)
    inject(dbt_project, alert_id=good["alert_id"])
    result = dbt_project.rebuild()
    assert not result.ok
    assert any(good["alert_id"] in line and "alert_id is used by 2 rows" in line
               for line in result.output.splitlines()), result.output[-3000:]
    statuses = node_statuses(dbt_project)  # neither alert model vouches for a row whose id is shared
    assert statuses[dbt_project.node_id(good["query_model"])] == statuses[dbt_project.node_id(BAD_MODEL)] == "error"


def test_query_model_that_does_not_exist(broken: Broken):
    row = broken.rows["query_model_does_not_exist"]
    assert not broken.result.ok
    assert any("no_such_model" in line for line in broken.lines_naming(row["alert_id"])), broken.result.output[-3000:]
    assert_good_alerts_still_validated(broken.project, broken.shipped)


def test_query_model_that_is_not_an_alert(broken: Broken):
    row = broken.rows["query_model_not_an_alert"]
    assert not broken.result.ok
    assert any("not 'alert'" in line for line in broken.lines_naming(row["alert_id"])), broken.result.output[-3000:]


def test_alert_model_without_catalog_row(broken: Broken):
    assert not broken.result.ok
    assert "orphan_alert" in broken.result.output
    assert any("orphan_alert" in line and "no row in seeds/alert_configurations.csv" in line
               for line in broken.result.output.splitlines()), broken.result.output[-3000:]
    assert node_statuses(broken.project)[broken.project.node_id("orphan_alert")] == "error"


def test_two_rows_sharing_one_model(dbt_project: DbtProject):
    good = template_row(dbt_project)
    dbt_project.add_alert({**good, "alert_id": BAD_ID})
    result = dbt_project.rebuild()
    assert not result.ok
    assert any(BAD_ID in line and good["query_model"] in line for line in result.output.splitlines()), result.output[-3000:]


def test_threshold_column_not_in_query_output(broken: Broken):
    row = broken.rows["threshold_column_not_in_output"]
    assert not broken.result.ok
    assert any("no_such_column" in line and "not an output column" in line
               for line in broken.lines_naming(row["alert_id"])), broken.result.output[-3000:]
    assert node_statuses(broken.project)[broken.project.node_id(row["query_model"])] == "error"
    assert_good_alerts_still_validated(broken.project, broken.shipped)


def test_column_threshold_must_be_an_output_column(broken: Broken):
    row = broken.rows["column_threshold_not_an_output_column"]
    assert not broken.result.ok
    assert any("missing_other_column" in line for line in broken.lines_naming(row["alert_id"])), \
        broken.result.output[-3000:]


@pytest.mark.parametrize("case", sorted(BROKEN_QUERIES), ids=sorted(BROKEN_QUERIES))
def test_broken_query_fails_its_node(broken: Broken, case):
    row = broken.rows[case]
    assert not broken.result.ok
    assert node_statuses(broken.project)[broken.project.node_id(row["query_model"])] == "error"
    assert BROKEN_QUERIES[case][1] in broken.result.output
    assert_good_alerts_still_validated(broken.project, broken.shipped)


def test_the_after_deploy_models_build_and_are_tested_in_the_example(built_project: DbtProject):
    """issue 21: the run-history models (on in the example: sample rows shaped like
    system.query.history) and the local-vs-real comparison build with the example, tests included."""
    statuses = node_statuses(built_project)
    for model in ("alert_query_runs", "alert_run_history", "alert_state_comparison"):
        assert statuses[f"model.dbt_alerts.{model}"] == "success"
        tests = [k for k in statuses if k.startswith("test.dbt_alerts.") and model in k]
        assert tests and all(statuses[t] == "pass" for t in tests), (model, tests)
    import duckdb

    with duckdb.connect(str(built_project.duckdb_path), read_only=True) as con:
        failing = con.execute("select alert_id, failed_runs, last_error from main.alert_run_history "
                              "where failed_runs > 0").fetchall()
        moved = con.execute("select alert_id from main.alert_run_history where warehouses > 1 "
                            "or warehouse_id <> '4f3a1c2b9d8e7a60'").fetchall()
    assert failing and all(n >= 1 and "TABLE_OR_VIEW_NOT_FOUND" in e for _, n, e in failing)
    assert moved  # the sample's alert that changed warehouses on 2026-10-29
