"""`alert-sync cost`: the schedule cost of the catalog's alerts (cost.py) on the warehouse they
deploy to, read from the workspace (one GET) and the artifacts of the last `dbt build`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .cost import (RATES_SETTING, CostReport, Warehouse, Window, build_durations, catalog_alerts, cost_report,
                   dbu_rates, evaluation_durations, warehouse_from_response)
from .errors import ConfigError, TargetError, describe
from .project import Artifacts, BuildOptions, build_target_name, load_artifacts


@dataclass
class CostOptions(BuildOptions):
    profile: str | None = None
    warehouse_id: str | None = None
    http_timeout: float | None = None
    retry_timeout: int | None = None
    start: str | None = None  # first day of the window (YYYY-MM-DD), default today (UTC)
    days: int = 28


def rates_of(artifacts: Artifacts) -> dict[str, float]:
    try:
        return dbu_rates(artifacts.settings.get("dbu_per_hour"))
    except ValueError as exc:
        raise ConfigError(f"{exc} (dbt_project.yml vars; then run `dbt build` again)") from exc


def node_seconds(artifacts: Artifacts) -> dict[str, float | None]:
    return {name: node.execute_seconds for name, node in artifacts.alert_nodes.items()}


def read_warehouse(client: Any, warehouse_id: str, source: str) -> Warehouse | str:
    """The warehouse (one GET), or why it could not be read when that does not stop the report."""
    from databricks.sdk.errors import NotFound, PermissionDenied

    from .retry import call_with_retries

    try:
        response = call_with_retries(lambda: client.warehouses.get(warehouse_id))
    except NotFound as exc:
        raise ConfigError(f"warehouse_id: the workspace has no SQL warehouse '{warehouse_id}' ({describe(exc)}); it "
                          f"comes from {source}. Fix it there, or pass the right one with --warehouse-id.") from exc
    except PermissionDenied as exc:
        return (f"cannot read SQL warehouse '{warehouse_id}' ({describe(exc)}): its size and auto-stop are needed "
                f"for the awake time; ask for CAN VIEW on it")
    except Exception as exc:
        raise ConfigError(f"Cannot read SQL warehouse '{warehouse_id}' from {client.config.host}: "
                          f"{describe(exc)}") from exc
    return warehouse_from_response(warehouse_id, response)


def run_cost(options: CostOptions, log: Callable[[str], None]) -> CostReport:
    from .catalog import read_catalog
    from .sync import Options, resolve_warehouse_id, workspace_client
    from .target_process import TargetProcess

    artifacts = load_artifacts(options.project_dir, options.target_path)
    rates = rates_of(artifacts)
    try:
        window = Window.from_date(options.start, options.days)
    except ValueError as exc:
        raise ConfigError(f"--from {options.start!r}: not a date (YYYY-MM-DD)") from exc
    dbt_target = TargetProcess(options.project_dir, options.profiles_dir, build_target_name(artifacts, options.target))
    try:
        sync_options = Options(profile=options.profile, warehouse_id=options.warehouse_id,
                               http_timeout=options.http_timeout, retry_timeout=options.retry_timeout)
        warehouse_id, source = resolve_warehouse_id(sync_options, artifacts, dbt_target.info)
        rows = read_catalog(artifacts.catalog_path)
        durations = build_durations(rows, node_seconds(artifacts))
        if artifacts.sync_tables:
            try:
                durations.update(evaluation_durations(dbt_target.evaluation_durations(artifacts.sync_tables)))
            except (ConfigError, TargetError) as exc:
                log(f"warning: cannot read alert_evaluations from the dbt target ({describe(exc)}): query "
                    f"durations come from the build")
        warehouse = read_warehouse(workspace_client(sync_options), warehouse_id, source)
    finally:
        dbt_target.close()
    alerts, skipped = catalog_alerts(rows, warehouse_id, durations)
    report = cost_report(alerts, {warehouse_id: warehouse}, window, rates)
    report.skipped = skipped
    return report


__all__ = ["CostOptions", "RATES_SETTING", "run_cost", "rates_of", "node_seconds", "read_warehouse"]
