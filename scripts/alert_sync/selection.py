"""`plan --select`: which catalog alerts a selection names.

A selection is alert ids of the catalog and dbt node selectors, mixed (`COST-001 tag:finops
state:modified+`). The dbt selectors are resolved by dbt itself: `dbt ls --select ... --output
json` through dbtRunner, against the project as built (same target, profile and --vars as the last
`dbt build`, with `--state` for state: methods), into a private temporary target path so the
build's artifacts are never touched. Nothing here re-implements dbt's selector grammar (graph
operators, intersections, state:, path:, tag:, config.: all are dbt's).

A selected alert model selects the catalog rows whose query_model it is. A selected catalog seed
(`state:modified` when alert_configurations.csv changed, or `seed:`/`path:` naming it) selects
every alert: dbt knows that the file changed, not which rows, and the plan then shows which alerts
actually change. The same holds for the notification destinations seed.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .catalog import CatalogRow
from .errors import ConfigError, dbt_message
from .project import Artifacts, BuildOptions, resolve_profiles_dir

CATALOG_SEEDS = ("alert_configurations", "notification_destinations")


@dataclass(frozen=True)
class Selection:
    """What `--select` resolved to. `alert_ids` None: every alert (a catalog seed was selected)."""

    tokens: tuple[str, ...]
    alert_ids: frozenset[str] | None
    warning: str | None = None  # said in the plan (a --state of another target)

    def covers(self, alert_id: str | None) -> bool:
        return self.alert_ids is None or (alert_id is not None and alert_id in self.alert_ids)

    def describe(self) -> str:
        return " ".join(self.tokens)


def split_select(values: Sequence[str], known_ids: set[str]) -> list[str]:
    """--select values: repeatable, each space separated. A comma joins alert ids (COST-001,COST-002,
    as in `evaluate --select`) but is dbt's intersection between selectors (tag:finops,state:modified),
    so a comma-joined token is split only when every part is an alert id of the catalog."""
    out: list[str] = []
    for value in values:
        for token in value.split():
            parts = [p for p in token.split(",") if p]
            out.extend(parts if parts and all(p in known_ids for p in parts) else [token])
    return out


def resolve_selection(select: Sequence[str], state: Path | None, artifacts: Artifacts, rows: list[CatalogRow],
                      options: BuildOptions) -> Selection:
    known = {r.alert_id for r in rows if r.alert_id}
    tokens = split_select(select, known)
    if not tokens:
        raise ConfigError("--select: give alert ids or dbt selectors (e.g. COST-001, tag:finops, state:modified+)")
    ids = {t for t in tokens if t in known}
    selectors = [t for t in tokens if t not in known]
    if state is not None and not (state / "manifest.json").exists():
        raise ConfigError(f"--state {state}: no manifest.json there. Point it at the directory of the manifest to "
                          f"compare with, made for the same dbt target (e.g. `dbt parse --target-path <dir>` of the "
                          f"base branch).")
    if any(method in s for s in selectors for method in ("state:", "result:", "source_status:")) and state is None:
        raise ConfigError("--select uses state: (or result:) but no --state was given: pass --state <directory of "
                          "the manifest.json to compare with>.")
    if not selectors:
        return Selection(tuple(tokens), frozenset(ids))
    # Only a bare state:modified compares configs; .body / .macros / ... do not (dbt's state method).
    compares_configs = any(re.search(r"state:modified(?![.\w])", selector) for selector in selectors)
    warning = state_target_warning(state, artifacts) if state is not None and compares_configs else None
    nodes, unmatched = dbt_ls(artifacts, options, selectors, state)
    # A bare word that is neither an alert id nor any node is a mistyped id (as in `evaluate
    # --select`); a method selector that matches nothing (state:modified+ of a change that touches
    # no alert) is a valid, empty selection.
    mistyped = [s for s in selectors if s in unmatched and ":" not in s]
    if mistyped:
        raise ConfigError(f"--select: no alert {', '.join(mistyped)} in {artifacts.catalog_path.name}, and no dbt node "
                          f"matches {'them' if len(mistyped) > 1 else 'it'} as a selector; the catalog's alert ids "
                          f"are {_some(sorted(known))}")
    project = artifacts.project_name
    if any(n.get("unique_id") in {f"seed.{project}.{s}" for s in CATALOG_SEEDS} for n in nodes):
        return Selection(tuple(tokens), None, warning)
    alert_models = {n["name"] for n in nodes
                    if n.get("resource_type") == "model" and n.get("name") in artifacts.alert_nodes}
    ids |= {r.alert_id for r in rows if r.alert_id and r["query_model"] in alert_models}
    return Selection(tuple(tokens), frozenset(ids), warning)


def state_target_warning(state: Path, artifacts: Artifacts) -> str | None:
    """Each alert model records the dbt target in its config (meta.alert_sync, see
    macros/alert_model.sql), and dbt's state:modified compares configs: against a manifest of
    another target every alert model is "modified". Say so rather than let a PR plan list all."""
    try:
        nodes = json.loads((state / "manifest.json").read_text()).get("nodes", {})
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"--state {state}: cannot read manifest.json ({exc})") from exc
    for node in nodes.values():
        if node.get("resource_type") == "model" and node.get("config", {}).get("materialized") == "alert":
            built_for = ((node.get("config", {}).get("meta") or {}).get("alert_sync") or {}).get("target_name")
            if built_for and artifacts.target_name and built_for != artifacts.target_name:
                return (f"--state {state} was parsed for dbt target '{built_for}', this build for "
                        f"'{artifacts.target_name}': alert models record their target in their config, so dbt's "
                        f"state:modified sees every one as modified. For a narrow selection, select "
                        f"`state:modified.body+ state:modified.macros+` (SQL and macros, not config), or make the "
                        f"state with the same target (e.g. `dbt parse --target {artifacts.target_name}` of the base "
                        f"branch).")
            break
    return None


def _some(ids: list[str], shown: int = 10) -> str:
    return ", ".join(ids[:shown]) + (f" ... ({len(ids)} in all)" if len(ids) > shown else "") if ids else "(none)"


def dbt_ls(artifacts: Artifacts, options: BuildOptions, selectors: list[str],
           state: Path | None) -> tuple[list[dict], set[str]]:
    """dbt's own `ls` of the selectors: ([{"unique_id", "resource_type", "name"}], the selectors
    dbt reported as matching no node)."""
    from dbt.cli.main import dbtRunner

    from .evaluate.backtest import build_args, build_vars

    project_dir, target_path = artifacts.project_dir, options.target_path
    built = build_args(project_dir, target_path)
    args = ["ls", "--select", *selectors, "--output", "json", "--output-keys", "unique_id resource_type name",
            "--project-dir", str(project_dir),
            "--profiles-dir", str(resolve_profiles_dir(project_dir, options.profiles_dir))]
    # As the build was invoked, so that dbt parses the same project (and reuses its partial parse).
    if built.get("target"):
        args += ["--target", str(built["target"])]
    if built.get("profile"):
        args += ["--profile", str(built["profile"])]
    variables = build_vars(project_dir, target_path)
    if variables:
        args += ["--vars", json.dumps(variables, default=str)]
    if state is not None:
        args += ["--state", str(state)]
    errors: list[str] = []
    unmatched: set[str] = set()

    def collect(event) -> None:
        if event.info.name == "NoNodesForSelectionCriteria":  # dbt's warning for a criterion matching nothing
            unmatched.add(event.data.spec_raw)
        elif getattr(event.info, "level", "") in ("error", "warn") and event.info.msg:
            errors.append(dbt_message(event.info.msg))

    with tempfile.TemporaryDirectory(prefix="alert-sync-select-") as work:
        partial = project_dir / target_path / "partial_parse.msgpack"
        if partial.exists():
            shutil.copy2(partial, Path(work) / "partial_parse.msgpack")
        args += ["--target-path", work, "--log-path", work, "--log-level", "none", "--no-use-colors",
                 "--no-send-anonymous-usage-stats"]
        with contextlib.redirect_stdout(sys.stderr):  # --json / --format own stdout
            result = dbtRunner(callbacks=[collect]).invoke(args)
    if not result.success:
        detail = "; ".join(e for e in errors if e) or dbt_message(result.exception or "unknown error")
        raise ConfigError(f"--select {' '.join(selectors)}: dbt ls failed: {detail}")
    return [json.loads(line) for line in result.result or []], unmatched
