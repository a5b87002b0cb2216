"""A host dbt project adopts dbt_alerts the documented way, end to end.

`acme_analytics` is written from scratch in a temp dir: its own name and profile (target `dev`),
its own seed and model, three alerts (one refs the host's model, two are in the custom domain
REVENUE), email channels only (no destinations seed), package settings under `vars: dbt_alerts:`.
It installs the package from this repository with a `local:` entry in packages.yml and
`dbt deps`, builds, then plan / apply / no-op apply / evaluate against the emulator. A second
environment with the oldest dbt the package allows (.venv-oldest, made by `make test`) parses and
builds the same project and runs alert-sync there too.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import alert_sync
from projects import REPO_ROOT, DbtProject, duckdb_profiles, install_package

# This module builds a project of its own once (module-scoped fixture): `make test` runs its tests
# on one pytest-xdist worker (--dist loadgroup), so it is built once.
pytestmark = pytest.mark.xdist_group("host_project")

NAME = "acme_analytics"
FOLDER = "/Workspace/Shared/acme/alerts"
PREFIX = "[ACME] "
SYNC_SCHEMA = "alert_ops"
LOCAL = ("--allow-non-databricks-manifest",)
OLDEST_BIN = REPO_ROOT / ".venv-oldest" / "bin"
PACKAGE_MODELS = {"stg_alert_configurations", "alert_sync_status", "alert_sync_run_health", "alert_trigger_history",
                  "alert_state_comparison"}  # alert_query_runs / alert_run_history: off by default

DBT_PROJECT = f"""
name: {NAME}
version: "1.0.0"
config-version: 2
profile: acme

vars:
  # A package setting set globally...
  alerts_accepted_domains: [COST, SECURITY, PERFORMANCE, RELIABILITY, QUALITY, REVENUE]
  # ...and the others scoped to the package, as dbt users do.
  dbt_alerts:
    alerts_display_name_prefix: "{PREFIX}"
    alerts_parent_path: "{FOLDER}"
    alerts_warehouse_id: emulator-warehouse
    alerts_local_as_of: "2026-11-01 06:00:00"
    alert_sync_schema: {SYNC_SCHEMA}
"""

PROFILES = duckdb_profiles("acme", schema="analytics")

RAW_ORDERS = """order_id,customer_id,amount,order_date
1,c1,300.00,2026-10-30
2,c2,200.00,2026-10-31
3,c1,250.00,2026-10-31
"""

STG_ORDERS = """-- The host's own model: orders typed.
select order_id, customer_id, cast(amount as decimal(12, 2)) as amount, cast(order_date as date) as order_date
from {{ ref('raw_orders') }}
"""

ALERT_MODELS = {
    "revenue_yesterday": """{{ dbt_alerts.alert_model() }}
-- Yesterday's revenue, from the host's own model.
select coalesce(sum(amount), 0) as revenue
from {{ ref('stg_orders') }}
where order_date = cast({{ dbt.dateadd('day', -1, dbt_alerts.alerts_today()) }} as date)
""",
    "revenue_large_orders": """{{ dbt_alerts.alert_model() }}
select count(*) as large_orders
from {{ ref('raw_orders') }}
where amount > 500
""",
    "orders_freshness": """{{ dbt_alerts.alert_model() }}
select {{ dbt.datediff('max(cast(order_date as timestamp))', dbt_alerts.alerts_now(), 'hour') }} as hours_since_last_order
from {{ ref('raw_orders') }}
""",
}

HEADER = ("alert_id,alert_name,alert_description,agent_domain,severity,query_model,threshold_column,"
          "threshold_operator,threshold_value_type,threshold_value,aggregation_type,empty_result_state,"
          "schedule_cron,schedule_timezone,pause_status,is_enabled,notification_channels,notify_on_ok,"
          "retrigger_seconds,custom_summary,custom_description,owner")
CATALOG = [
    "REV-001,Daily Revenue Drop,Yesterday's revenue under 1000.,REVENUE,WARNING,revenue_yesterday,revenue,<,DOUBLE,1000,,"
    "OK,0 0 7 * * ?,Europe/Berlin,UNPAUSED,true,sales-ops@acme.example,false,,,,sales-ops@acme.example",
    "REV-002,Large Orders,Any order over 500.,REVENUE,INFO,revenue_large_orders,large_orders,>,DOUBLE,0,,"
    "OK,0 0 8 * * ?,Europe/Berlin,UNPAUSED,true,sales-ops@acme.example;cfo@acme.example,true,3600,,,sales-ops@acme.example",
    "QUAL-001,Orders Freshness,No order for more than a day.,QUALITY,CRITICAL,orders_freshness,hours_since_last_order,>,"
    "DOUBLE,24,,TRIGGERED,0 0 * * * ?,UTC,UNPAUSED,true,data-team@acme.example,false,,,,data-team@acme.example",
]
# As of the pinned "now" (2026-11-01 06:00): yesterday's revenue 450 < 1000; no order > 500;
# the last order is 30 hours old.
EXPECTED_STATES = {"REV-001": ("TRIGGERED", 450), "REV-002": ("OK", 0), "QUAL-001": ("TRIGGERED", 30)}


def write_host(path: Path, *, package: bool = True, alerts: bool = True, deps: bool = True,
               dbt: str | None = None) -> DbtProject:
    """The acme_analytics project. Without `package` it is the bare host (no dbt_alerts settings,
    no packages.yml); `deps=False` leaves out `dbt deps`; `dbt` is another environment's dbt."""
    (path / "models" / "staging").mkdir(parents=True)
    (path / "seeds").mkdir()
    (path / "dbt_project.yml").write_text(DBT_PROJECT if package else DBT_PROJECT.split("\nvars:")[0] + "\n")
    (path / "profiles.yml").write_text(PROFILES)
    (path / "seeds" / "raw_orders.csv").write_text(RAW_ORDERS)
    (path / "models" / "staging" / "stg_orders.sql").write_text(STG_ORDERS)
    project = DbtProject(path, NAME, **({"dbt": dbt} if dbt else {}))
    if package and deps:
        install_package(project)
    if alerts:
        (path / "models" / "alerts").mkdir()
        for name, sql in ALERT_MODELS.items():
            (path / "models" / "alerts" / f"{name}.sql").write_text(sql)
        (path / "seeds" / "alert_configurations.csv").write_text("\n".join([HEADER, *CATALOG]) + "\n")
    return project


def built(result) -> None:
    assert result.ok, result.output[-4000:]
    assert "Deprecat" not in result.output and "WARNING" not in result.output, result.output[-4000:]


def manifest(project: DbtProject) -> dict:
    return json.loads((project.path / "target" / "manifest.json").read_text())


def run_results(project: DbtProject) -> dict[str, str]:
    data = json.loads((project.path / "target" / "run_results.json").read_text())
    return {r["unique_id"]: r["status"] for r in data["results"]}


def managed(emu) -> dict[str, dict]:
    return {a["display_name"]: a for a in emu.alerts() if a["parent_path"] == FOLDER}


@pytest.fixture(scope="module")
def host_build(tmp_path_factory):
    """The host, installed and built once (and a bare copy built for the node counts)."""
    bare = write_host(tmp_path_factory.mktemp("bare") / NAME, package=False, alerts=False)
    bare_result = bare.dbt("build")
    host = write_host(tmp_path_factory.mktemp("host") / NAME)
    host_result = host.dbt("build")
    return bare, bare_result, host, host_result


@pytest.fixture
def host(host_build, tmp_path, monkeypatch) -> DbtProject:
    """A private copy of the built host (the emulator's warehouse comes from the package var)."""
    import shutil

    monkeypatch.delenv("DATABRICKS_WAREHOUSE_ID", raising=False)
    built_host = host_build[2]
    shutil.copytree(built_host.path, tmp_path / NAME, symlinks=True, ignore=shutil.ignore_patterns("logs"))
    return DbtProject(tmp_path / NAME, NAME)


def test_the_host_builds_clean_and_the_package_adds_only_what_every_host_needs(host_build):
    bare, bare_result, host, host_result = host_build
    built(bare_result)
    built(host_result)
    nodes = manifest(host)["nodes"]
    package_nodes = {n["name"]: n for n in nodes.values() if n["package_name"] == "dbt_alerts"}
    assert {n for n, v in package_nodes.items() if v["resource_type"] == "model"} == PACKAGE_MODELS
    assert {v["resource_type"] for v in package_nodes.values()} == {"model", "test", "operation"}  # hooks; no seed
    assert not any(n["resource_type"] == "seed" and n["package_name"] == "dbt_alerts" for n in nodes.values())
    sources = manifest(host)["sources"].values()
    assert {s["source_name"] for s in sources} == {"alert_sync"}  # no gold/system source
    assert {s["schema"] for s in sources} == {SYNC_SCHEMA}  # the dbt_alerts: var reached the source
    example_names = {p.stem for folder in ("models", "macros") for p in (REPO_ROOT / "example" / folder).rglob("*.sql")} | {
        p.stem for p in (REPO_ROOT / "example" / "seeds").rglob("*.csv")}
    assert not example_names & {n["name"] for n in nodes.values()} - {"alert_configurations"}
    # Every node of the build passed; the three alert models are the host's, checked by the package.
    statuses = run_results(host)
    assert all(s in ("success", "pass") for s in statuses.values()), statuses
    alerts = {n["name"] for n in nodes.values() if n["config"].get("materialized") == "alert"}
    assert alerts == set(ALERT_MODELS)
    assert all(nodes[f"model.{NAME}.{a}"]["package_name"] == NAME for a in alerts)
    assert f"model.{NAME}.stg_orders" in nodes[f"model.{NAME}.revenue_yesterday"]["depends_on"]["nodes"]
    counts = (sum(1 for u in run_results(bare)), len(statuses))
    print(f"\ndbt build nodes: bare host {counts[0]}, with dbt_alerts and 3 alerts {counts[1]}")


def test_plan_apply_noop_and_evaluate_against_the_emulator(host, emulator):
    plan = alert_sync(host, "plan", *LOCAL, "--json")
    assert plan.exit_code == 0, plan.stderr
    assert plan.json["summary"]["created"] == 3 and plan.json["summary"]["errors"] == 0

    first = alert_sync(host, "apply", *LOCAL, "--json")
    assert first.exit_code == 0, first.stderr
    assert first.json["summary"]["created"] == 3
    deployed = managed(emulator)
    # The vars under `dbt_alerts:` reached what was deployed: prefix, folder, warehouse.
    assert set(deployed) == {f"{PREFIX}[WARNING] Daily Revenue Drop", f"{PREFIX}[INFO] Large Orders",
                             f"{PREFIX}[CRITICAL] Orders Freshness"}
    assert {a["warehouse_id"] for a in deployed.values()} == {"emulator-warehouse"}
    revenue = deployed[f"{PREFIX}[WARNING] Daily Revenue Drop"]
    assert "stg_orders" in revenue["query_text"] and "{{" not in revenue["query_text"]
    assert revenue["evaluation"]["notification"]["subscriptions"] == [{"user_email": "sales-ops@acme.example"}]

    emulator.reset_counters()
    second = alert_sync(host, "apply", *LOCAL, "--json")
    assert second.exit_code == 0 and second.json["summary"]["unchanged"] == 3
    assert emulator.counters()["writes"] == 0

    evaluated = alert_sync(host, "evaluate", "--json")
    assert evaluated.exit_code == 0, evaluated.stderr
    states = {e["alert_id"]: (e["state"], e["value"]) for e in evaluated.json["evaluations"]}
    assert states == EXPECTED_STATES
    with duckdb.connect(str(host.duckdb_path), read_only=True) as con:
        runs = con.execute(f"select count(*) from {SYNC_SCHEMA}.alert_sync_metrics").fetchone()[0]
        evaluations = con.execute(f"select count(*) from {SYNC_SCHEMA}.alert_evaluations").fetchone()[0]
    assert (runs, evaluations) == (2, 3)


def set_row(project: DbtProject, which: str, **changes: str) -> None:
    """Change the catalog row whose alert_id is `which`."""
    rows = project.catalog_rows()
    for row in rows:
        if row["alert_id"] == which:
            row.update(changes)
    project.write_catalog(rows)


def test_a_bad_row_in_an_alerts_only_build_is_never_deployed(host, emulator):
    assert alert_sync(host, "apply", *LOCAL).exit_code == 0
    set_row(host, "REV-002", severity="SEVERE", threshold_column="not_returned")

    # The seed is not in the selection: the warehouse still holds the old rows, so no alert model
    # vouches for its row, and nothing is deployed.
    result = host.dbt("build", "--select", "tag:alert")
    assert not result.ok
    assert "changed since it was last loaded" in result.output
    stale = alert_sync(host, "apply", *LOCAL, "--json")
    assert {a["action"] for a in stale.json["actions"]} == {"ERROR"}
    assert all("failed validation in dbt build" in a["error"] for a in stale.json["actions"])

    # With the seed loaded, the alert models check their rows: only REV-002 fails, naming why.
    result = host.dbt("build", "--select", "alert_configurations", "tag:alert")
    assert not result.ok
    assert "REV-002: severity is 'SEVERE'" in result.output
    assert "REV-002: threshold_column 'not_returned' is not an output column" in result.output
    statuses = run_results(host)
    assert statuses[f"model.{NAME}.revenue_large_orders"] == "error"
    assert statuses[f"model.{NAME}.revenue_yesterday"] == "success"
    run = alert_sync(host, "apply", *LOCAL, "--json")
    actions = {a["alert_id"]: a for a in run.json["actions"]}
    assert actions["REV-002"]["action"] == "ERROR" and "SEVERE" in actions["REV-002"]["error"]
    assert actions["REV-001"]["action"] == "NOOP" and actions["QUAL-001"]["action"] == "NOOP"
    assert f"{PREFIX}[INFO] Large Orders" in managed(emulator)  # the deployed copy is left as it was
    assert not any("SEVERE" in name for name in managed(emulator))


def test_only_email_channels_need_no_destinations_seed_but_a_named_channel_does(host):
    assert not (host.path / "seeds" / "notification_destinations.csv").exists()
    set_row(host, "REV-001", notification_channels="sales_slack")
    result = host.dbt("build", "--select", "alert_configurations", "stg_alert_configurations", "revenue_yesterday")
    assert not result.ok
    assert "REV-001: channel 'sales_slack' is not an email address, and the project has no " \
           "seeds/notification_destinations.csv" in result.output


def test_a_domain_outside_the_accepted_list_fails_naming_the_setting(host):
    set_row(host, "REV-001", agent_domain="MARKETING")
    result = host.dbt("build", "--select", "alert_configurations", "stg_alert_configurations")
    assert not result.ok
    assert "REV-001: agent_domain is 'MARKETING'" in result.output and "alerts_accepted_domains" in result.output


def test_forgotten_deps_and_unprefixed_macros_get_dbt_errors_that_say_what_to_do(tmp_path):
    no_deps = write_host(tmp_path / "no_deps", deps=False)
    result = no_deps.dbt("build")
    assert not result.ok and "'dbt_alerts' is undefined" in result.output and "dbt deps" in result.output

    unprefixed = write_host(tmp_path / "unprefixed")
    path = unprefixed.path / "models" / "alerts" / "revenue_large_orders.sql"
    path.write_text(path.read_text().replace("dbt_alerts.alert_model()", "alert_model()"))
    result = unprefixed.dbt("build", "--select", "revenue_large_orders")
    assert not result.ok and "'alert_model' is undefined" in result.output


def test_alert_sync_names_the_seed_it_looked_for_in_a_project_without_a_catalog(host_build, tmp_path, emulator):
    import shutil

    built(host_build[1])  # the bare host of the module's build, copied
    shutil.copytree(host_build[0].path, tmp_path / NAME, symlinks=True, ignore=shutil.ignore_patterns("logs"))
    bare = DbtProject(tmp_path / NAME, NAME)
    run = alert_sync(bare, "plan", *LOCAL)
    assert run.exit_code == 2
    assert f"seed.{NAME}.alert_configurations" in run.stdout and "seeds/alert_configurations.csv" in run.stdout


def test_the_oldest_allowed_dbt_parses_builds_and_deploys_the_host(tmp_path, emulator, monkeypatch):
    dbt, sync = OLDEST_BIN / "dbt", OLDEST_BIN / "alert-sync"
    if not dbt.exists():
        pytest.skip(f"{dbt} is missing: `make test` creates it (constraints-oldest.txt)")
    version = subprocess.run([str(dbt), "--version"], capture_output=True, text=True).stdout
    assert "1.10.0" in version, version
    project = write_host(tmp_path / NAME, dbt=str(dbt))
    built(project.dbt("parse"))
    built(project.dbt("build"))

    env = {**project.env, "DATABRICKS_HOST": emulator.url, "DATABRICKS_TOKEN": "emulator-token"}
    proc = subprocess.run([str(sync), "apply", "--project-dir", str(project.path), "--profiles-dir", str(project.path),
                           *LOCAL, "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout)["summary"]["created"] == 3
    assert len(managed(emulator)) == 3


def test_command_line_vars_win_over_the_dbt_alerts_block(host, emulator):
    result = host.dbt("build", "--vars", '{alerts_display_name_prefix: "[DEV] "}')
    assert result.ok, result.output[-3000:]
    plan = alert_sync(host, "plan", *LOCAL, "--json")
    names = {a["display_name"] for a in plan.json["actions"]}
    assert names == {"[DEV] [WARNING] Daily Revenue Drop", "[DEV] [INFO] Large Orders",
                     "[DEV] [CRITICAL] Orders Freshness"}
    with duckdb.connect(str(host.duckdb_path), read_only=True) as con:  # the typed catalog agrees
        assert con.execute("select min(display_name) from analytics.stg_alert_configurations").fetchone()[0] \
            .startswith("[DEV] ")


def test_an_empty_build_checks_the_queries_but_is_never_deployed(host, emulator):
    result = host.dbt("build", "--empty")
    assert result.ok, result.output[-3000:]  # the queries ran; no row check on empty inputs
    run = alert_sync(host, "plan", *LOCAL)
    assert run.exit_code == 2 and "--empty" in run.stdout and "dbt build" in run.stdout
    assert managed(emulator) == {}


def test_two_rows_sharing_an_id_are_both_refused_by_the_alert_models(host):
    set_row(host, "REV-002", alert_id="REV-001")
    result = host.dbt("build", "--select", "alert_configurations", "tag:alert")
    assert not result.ok
    statuses = run_results(host)
    assert statuses[f"model.{NAME}.revenue_yesterday"] == statuses[f"model.{NAME}.revenue_large_orders"] == "error"
    assert statuses[f"model.{NAME}.orders_freshness"] == "success"
    assert "REV-001: alert_id is used by 2 rows" in result.output
