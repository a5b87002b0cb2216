"""The dbt side as alert-sync sees it: artifacts of the last `dbt build` and the dbt profile.

Everything alert-sync deploys comes from target/manifest.json + target/run_results.json of one
`dbt build`: the compiled alert queries, which of them passed, the catalog seed's path, the
deployment settings dbt resolved for that target (alert node meta, see macros/alert_model.sql)
and where the alert_sync source tables live.
"""

from __future__ import annotations

import hashlib
import json
import os
from argparse import Namespace
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, dbt_message

RUN_DBT_BUILD = "run `dbt build` (or `dbt build --target <target>`) first"
ALERT_SOURCE = "alert_sync"


@dataclass
class BuildOptions:
    """Where the last `dbt build` is and which dbt target it was for: the options every command
    shares (cli.dbt_options)."""

    project_dir: Path = Path(".")
    target_path: str = "target"
    profiles_dir: Path | None = None
    target: str | None = None


@dataclass
class AlertNode:
    """One `alert` model of the manifest and its outcome in the last run."""

    name: str
    unique_id: str
    compiled_code: str | None
    meta: dict[str, Any]
    status: str | None  # run_results status ("success", "error", "skipped") or None if not run
    message: str | None
    lint_disable: list[str] = field(default_factory=list)  # meta alert_lint_disable: rules `lint` skips here
    execute_seconds: float | None = None  # how long its query ran in the build (run_results timing "execute")


@dataclass
class Relation:
    database: str | None
    schema: str
    identifier: str
    columns: list[tuple[str, str]]  # (name, data_type) as declared in the sources yml


@dataclass
class Artifacts:
    project_dir: Path
    project_name: str
    adapter_type: str
    invocation_id: str
    alert_nodes: dict[str, AlertNode]
    catalog_path: Path
    destinations_path: Path | None
    settings: dict[str, Any]  # deploy settings resolved by dbt for the built target
    sync_tables: dict[str, Relation] = field(default_factory=dict)

    @property
    def target_name(self) -> str | None:
        return self.settings.get("target_name")


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ConfigError(f"{path} not found: {RUN_DBT_BUILD}.")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON ({exc}): {RUN_DBT_BUILD}.") from exc


def _dbt_checksum(path: Path) -> str:
    """The checksum dbt stores for a file in the manifest: sha256 of the stripped UTF-8 text.

    Written out rather than calling dbt's FileHash.from_contents(load_file_contents(path)): importing
    those modules costs about 1 s, which every `alert-sync` run would pay before its first request.
    tests/test_sync.py checks that the two agree.
    """
    return hashlib.sha256(path.read_bytes().decode("utf-8").strip().encode("utf-8")).hexdigest()


def load_artifacts(project_dir: Path, target_path: str = "target") -> Artifacts:
    """Read and cross-check the artifacts of the last `dbt build`.

    Refuses (ConfigError) when they are missing, come from another command than build/run, or are
    stale: the catalog seed or an alert model changed after the build (dbt's own checksums).
    """
    target_dir = project_dir / target_path
    manifest = _read_json(target_dir / "manifest.json")
    run_results = _read_json(target_dir / "run_results.json")

    meta = manifest.get("metadata", {})
    _check_one_build(target_dir, target_path, meta, run_results)

    project_name = meta.get("project_name") or ""
    nodes = manifest.get("nodes", {})
    seed = nodes.get(f"seed.{project_name}.alert_configurations")
    if seed is None:
        raise ConfigError(
            f"The manifest of dbt project '{project_name}' has no seed `alert_configurations`: alert-sync looked "
            f"for the alert catalog as seed.{project_name}.alert_configurations. Add seeds/alert_configurations.csv "
            f"to the project (the header is in dbt_packages/dbt_alerts/seeds/alert_configurations.csv, once "
            f"packages.yml lists dbt_alerts and `dbt deps` ran), then {RUN_DBT_BUILD}.")
    catalog_path = project_dir / seed["original_file_path"]
    _check_fresh(catalog_path, seed, "the alert catalog")
    dest = nodes.get(f"seed.{project_name}.notification_destinations")
    destinations_path = project_dir / dest["original_file_path"] if dest else None
    if dest:
        _check_fresh(destinations_path, dest, "the notification destinations seed")

    statuses = {r["unique_id"]: (r.get("status"), r.get("message")) for r in run_results.get("results", [])}
    seconds = {r["unique_id"]: _execute_seconds(r) for r in run_results.get("results", [])}
    alert_nodes: dict[str, AlertNode] = {}
    for node in nodes.values():
        if node.get("resource_type") != "model" or node.get("config", {}).get("materialized") != "alert":
            continue
        _check_fresh(project_dir / node["original_file_path"], node, f"alert model {node['name']}")
        status, message = statuses.get(node["unique_id"], (None, None))
        node_meta = node.get("config", {}).get("meta") or node.get("meta") or {}
        alert_nodes[node["name"]] = AlertNode(
            name=node["name"], unique_id=node["unique_id"], compiled_code=node.get("compiled_code"),
            meta=node_meta.get("alert_sync", {}), status=status, message=message,
            lint_disable=node_meta.get("alert_lint_disable") or [], execute_seconds=seconds.get(node["unique_id"]))

    settings: dict[str, Any] = {}
    for node in alert_nodes.values():
        settings = node.meta
        break

    sync_tables = {}
    for source in manifest.get("sources", {}).values():
        if source.get("source_name") == ALERT_SOURCE:
            columns = [(c["name"], c.get("data_type") or "string") for c in source.get("columns", {}).values()]
            sync_tables[source["name"]] = Relation(source.get("database"), source["schema"],
                                                   source.get("identifier") or source["name"], columns)

    return Artifacts(project_dir=project_dir, project_name=project_name, adapter_type=meta.get("adapter_type", ""),
                     invocation_id=meta.get("invocation_id", ""), alert_nodes=alert_nodes, catalog_path=catalog_path,
                     destinations_path=destinations_path, settings=settings, sync_tables=sync_tables)


def _execute_seconds(result: dict[str, Any]) -> float | None:
    """Seconds a node's query ran: its "execute" timing step, else its whole execution_time."""
    from datetime import datetime

    for step in result.get("timing") or []:
        if step.get("name") == "execute" and step.get("started_at") and step.get("completed_at"):
            try:
                started = datetime.fromisoformat(step["started_at"].replace("Z", "+00:00"))
                completed = datetime.fromisoformat(step["completed_at"].replace("Z", "+00:00"))
            except ValueError:
                break
            return max(0.0, (completed - started).total_seconds())
    value = result.get("execution_time")
    return float(value) if isinstance(value, (int, float)) else None


# dbt commands as `args.which` of run_results.json names them, where that differs from what one types
DBT_COMMANDS = {"generate": "docs generate", "serve": "docs serve", "freshness": "source freshness", "list": "ls"}


def keep_build_apart(target_path: str) -> str:
    """The one pattern for deploying from a build while dbt parse / ls / compile / docs generate (and
    IDEs, which parse on every save) rewrite target/: the build gets a target path of its own."""
    deploy = "target/deploy" if target_path == "target" else target_path
    return (f"To keep a build to deploy from while other dbt commands or your IDE use the project, build it into a "
            f"target path of its own: `dbt build --target-path {deploy}`, then `alert-sync plan|apply|evaluate "
            f"--target-path {deploy}` (docs/cli.md, Inputs).")


def _check_one_build(target_dir: Path, target_path: str, meta: dict[str, Any], run_results: dict[str, Any]) -> None:
    """manifest.json and run_results.json must both come from one `dbt build` (or `dbt run`). Every dbt
    command rewrites manifest.json (parse and ls only that one), so after a later command the
    manifest's checksums and config are no longer what the build validated."""
    args = run_results.get("args") or {}
    which = args.get("which")
    command = DBT_COMMANDS.get(which, which)
    if which not in ("build", "run"):
        raise ConfigError(f"{target_dir}/manifest.json and run_results.json come from `dbt {command}`, which does not "
                          f"run the alert queries on the warehouse: {RUN_DBT_BUILD}. {keep_build_apart(target_path)}")
    if args.get("empty") or args.get("sample"):
        flag = "--empty" if args.get("empty") else "--sample"
        raise ConfigError(f"{target_dir}/run_results.json comes from `dbt {command} {flag}`, whose alert queries read "
                          f"{'empty' if flag == '--empty' else 'sampled'} inputs: {RUN_DBT_BUILD} without {flag}.")
    rr_meta = run_results.get("metadata", {})
    if rr_meta.get("invocation_id") == meta.get("invocation_id"):
        return
    built_at, rewritten_at = rr_meta.get("generated_at") or "", meta.get("generated_at") or ""
    if rewritten_at > built_at:  # ISO timestamps in UTC: the manifest was written after the build
        raise ConfigError(
            f"{target_dir}/manifest.json was rewritten at {rewritten_at[:19].replace('T', ' ')} UTC, after the "
            f"`dbt {command}` of {built_at[:19].replace('T', ' ')} UTC, by a dbt command that writes only the "
            f"manifest (`dbt parse`, `dbt ls`, or an IDE parsing the project), so it no longer describes that "
            f"build: run `dbt {command}` again. {keep_build_apart(target_path)}")
    raise ConfigError(f"{target_dir}/manifest.json and run_results.json come from different dbt invocations: "
                      f"{RUN_DBT_BUILD}.")


def _check_fresh(path: Path, node: dict[str, Any], what: str) -> None:
    if not path.exists():
        raise ConfigError(f"{path} ({what}) is in the manifest but not on disk: {RUN_DBT_BUILD}.")
    checksum = node.get("checksum") or {}
    if checksum.get("name") == "sha256" and checksum.get("checksum") != _dbt_checksum(path):
        raise ConfigError(f"{path} ({what}) changed after the last dbt build: {RUN_DBT_BUILD} so the change is "
                          f"validated before it is deployed.")


@dataclass
class DbtTarget:
    """The dbt target from profiles.yml, rendered by dbt itself (env_var() etc.)."""

    name: str
    adapter_type: str
    credentials: Any  # dbt's credentials object (DuckDBCredentials / DatabricksCredentials)


def resolve_profiles_dir(project_dir: Path, profiles_dir: Path | None) -> Path:
    """Where profiles.yml is: --profiles-dir, else $DBT_PROFILES_DIR, else the project dir if it has
    one, else ~/.dbt (dbt's own order)."""
    return profiles_dir or Path(os.environ.get("DBT_PROFILES_DIR") or (
        project_dir if (project_dir / "profiles.yml").exists() else Path.home() / ".dbt"))


def load_dbt_target(project_dir: Path, profiles_dir: Path | None, target: str | None) -> DbtTarget:
    # dbt's own profile loader, so env_var(), targets and defaults behave exactly as in `dbt build`.
    from dbt.config.runtime import load_profile
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    profiles = resolve_profiles_dir(project_dir, profiles_dir)
    set_invocation_context(os.environ)
    set_from_args(Namespace(profiles_dir=str(profiles), project_dir=str(project_dir)), None)
    try:
        profile = load_profile(str(project_dir), {}, None, target, None)
    except Exception as exc:  # dbt raises several error types; all mean "fix your profile"
        raise ConfigError(f"Could not load the dbt profile from {profiles}/profiles.yml: {dbt_message(exc)}") from exc
    return DbtTarget(name=profile.target_name, adapter_type=profile.credentials.type, credentials=profile.credentials)


def requested_target(target: str | None) -> str | None:
    """--target, else $DBT_TARGET (dbt's own environment variable for it)."""
    return target or os.environ.get("DBT_TARGET") or None


def build_target_name(artifacts: Artifacts, target: str | None) -> str | None:
    """The dbt target to deploy and record metrics for: the one the last build was made for.

    An explicit --target (or $DBT_TARGET) must name that same target: the manifest's SQL, folder and
    warehouse were resolved for it. None when the manifest does not say (no alert model yet); then
    the profile's default target applies.
    """
    wanted, built_for = requested_target(target), artifacts.target_name
    if wanted and built_for and wanted != built_for:
        raise ConfigError(f"The last dbt build was for target '{built_for}', not '{wanted}': run "
                          f"`dbt build --target {wanted}` first, or pass --target {built_for}.")
    return wanted or built_for


def load_build(project_dir: Path, target_path: str, profiles_dir: Path | None,
               target: str | None) -> tuple[Artifacts, DbtTarget]:
    """The last build's artifacts and the dbt target it was made for (see build_target_name)."""
    artifacts = load_artifacts(project_dir, target_path)
    return artifacts, load_dbt_target(project_dir, profiles_dir, build_target_name(artifacts, target))
