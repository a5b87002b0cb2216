"""The plan/apply flow: artifacts -> desired alerts -> plan -> apply -> metrics."""

from __future__ import annotations

import os
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from datetime import datetime, timezone
from typing import Any, Callable

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, PermissionDenied, Unauthenticated

from . import connection, metrics, timings, untyped
from .apply import ALERT_QUOTA, Applier, Result, folder_permission_hint
from .catalog import read_catalog, read_destinations
from .destinations import (WRITES as DESTINATION_WRITES, DestinationAction, apply_destinations, plan_destinations,
                           unverified_note)
from .desired import ChannelResolver, DeploySettings, build_desired
from .errors import ConfigError, describe
from .identity import marked_alert_id
from .lock import WorkspaceLock
from .plan import CREATE, DELETE, ERROR, LIST_PAGE_SIZE, NOOP, UPDATE, WRITES, Plan, complete_listing, make_plan
from .project import Artifacts, BuildOptions
from .retry import call_with_retries
from .summary import summarize
from .target_process import DbtSide, TargetError, TargetInfo, TargetProcess, start as start_dbt_side
from .workspace_paths import folder_key



@dataclass
class Options(BuildOptions):
    profile: str | None = None
    warehouse_id: str | None = None
    parent_path: str | None = None
    prune: bool = False
    force_prune: bool = False  # with prune: remove even while catalog rows are in ERROR
    trash_only: bool = False  # with prune: trash (restorable for 30 days) instead of purging
    dry_run: bool = False
    success_threshold: float = 0.9
    workers: int = 16
    max_rps: float | None = 300.0  # cli.py says why
    allow_non_databricks_manifest: bool = False
    lock_wait: float = 300.0
    rotate_secrets: bool = False  # resend every managed destination's secret (alert-sync cannot read them back)
    select: tuple[str, ...] = ()  # plan --select: alert ids and dbt selectors (selection.py)
    state: Path | None = None  # with --select state:...: the directory of the production manifest.json
    http_timeout: float | None = None  # None: the config profile's http_timeout_seconds, else connection.py's default
    retry_timeout: int | None = None  # None: the config profile's retry_timeout_seconds, else connection.py's default


@dataclass
class Context:
    options: Options
    artifacts: Artifacts
    target_name: str
    settings: DeploySettings
    client: WorkspaceClient
    dbt_target: TargetProcess  # reads the recorded ids and writes the metrics
    warehouse_source: str = "--warehouse-id"  # where settings.warehouse_id came from, said when it is wrong
    warehouse_check: tuple[str | None, str | None] | None = None  # check_warehouse's answer, once per run
    deployer: str | None = None  # the deploying user's name (SCIM Me), asked once per run
    warehouse_info: Any = None  # check_warehouse's GET answer (GetWarehouseResponse): the schedule cost reads it

    def close(self) -> None:
        self.dbt_target.close()


def default_parent_path(project_name: str, target_name: str) -> str:
    return f"/Workspace/Shared/dbt_alerts/{project_name}/{target_name}"


def warehouse_from_http_path(http_path: str | None) -> str | None:
    m = re.search(r"/warehouses/([0-9A-Za-z-]+)", http_path or "")
    return m.group(1) if m else None


def resolve_warehouse_id(options: Options, artifacts: Artifacts, target: Callable[[], TargetInfo]
                         ) -> tuple[str, str]:
    """--warehouse-id, else DATABRICKS_WAREHOUSE_ID, else var alerts_warehouse_id, else the target's
    http_path; with where it came from."""
    for value, source in ((options.warehouse_id, "--warehouse-id"),
                          (os.environ.get("DATABRICKS_WAREHOUSE_ID"), "the environment variable DATABRICKS_WAREHOUSE_ID"),
                          (artifacts.settings.get("warehouse_id"), "the dbt_alerts setting alerts_warehouse_id")):
        if value:
            return str(value), source
    info = target()
    from_http_path = warehouse_from_http_path(info.http_path)
    if from_http_path:
        return from_http_path, f"the http_path of dbt target '{info.name}'"
    raise ConfigError("No SQL warehouse for the alerts: pass --warehouse-id, set DATABRICKS_WAREHOUSE_ID, set the "
                      "dbt var alerts_warehouse_id, or use a dbt target whose http_path names a warehouse.")


def workspace_client(options: Options) -> WorkspaceClient:
    """The workspace client of these options (connection.py: auth chain, --profile, bounded waits);
    its connection pool holds a connection per apply worker."""
    return connection.workspace_client(options.profile, options.http_timeout, options.retry_timeout,
                                       pool=max(options.workers, 20))


def prepare(options: Options, log: Callable[[str], None], dbt_side: DbtSide | None = None) -> Context:
    """The run's context. `dbt_side`: target_process.start(), when the caller started it before
    importing this module (the CLI does, so the helper loads dbt meanwhile)."""
    dbt_side = dbt_side or start_dbt_side(options, options.allow_non_databricks_manifest)
    try:
        return _prepare(options, dbt_side.artifacts, dbt_side.target_name, dbt_side.target)
    except BaseException:
        dbt_side.target.close()
        raise


def _prepare(options: Options, artifacts: Artifacts, target_name: str | None, dbt_target: TargetProcess) -> Context:
    target_name = target_name or dbt_target.info().name  # a manifest without alert models does not say
    warehouse_id, warehouse_source = resolve_warehouse_id(options, artifacts, dbt_target.info)
    settings = DeploySettings(
        warehouse_id=warehouse_id,
        parent_path=options.parent_path or artifacts.settings.get("parent_path")
        or default_parent_path(artifacts.project_name, target_name),
        display_name_prefix=artifacts.settings.get("display_name_prefix") or "",
        run_as=str(artifacts.settings.get("run_as") or "").strip() or None,
        dialect=artifacts.adapter_type or "databricks",
    )
    with timings.phase("workspace client"):
        client = workspace_client(options)
    return Context(options, artifacts, target_name, settings, client, dbt_target, warehouse_source)


def read_recorded_ids(ctx: Context, log: Callable[[str], None]) -> dict[str, str]:
    if not ctx.artifacts.sync_tables:
        return {}
    try:
        with timings.phase("recorded ids"):
            return ctx.dbt_target.recorded_ids(ctx.artifacts.sync_tables)  # ConfigError: the profile did not load
    except TargetError as exc:
        log(f"warning: cannot read the last sync results from dbt target '{ctx.target_name}' ({exc}); "
            f"alerts are matched by display name only")
        return {}


@dataclass
class Listing:
    """What a plan read of the workspace's alerts: the list, completed with GETs (complete_listing),
    and the ids the last sync recorded. apply reuses it for the plan it makes after creating
    destinations: it holds the folder's lock by then, so the alerts are as they were listed."""
    listed: list
    existing: list
    fetched: list[str]
    recorded: dict[str, str]
    listed_at: datetime  # UTC, naive: when alert_observations says the alerts were seen


def compute_plan(ctx: Context, log: Callable[[str], None],
                 destination_actions: list[DestinationAction] | None = None) -> Plan:
    """The plan of the destinations phase and of the alerts. `destination_actions`: that phase as
    applied (apply passes it, so the alerts subscribe to the destinations it just created)."""
    return _plan(ctx, log, destination_actions)[0]


def _plan(ctx: Context, log: Callable[[str], None], destination_actions: list[DestinationAction] | None = None,
          listing: Listing | None = None) -> tuple[Plan, Listing]:
    """compute_plan, with the listing it made (or was given: then the alerts are not read again)."""
    rows = read_catalog(ctx.artifacts.catalog_path)
    destinations = read_destinations(ctx.artifacts.destinations_path)
    selection = None
    if ctx.options.select:  # before any workspace call: a bad selector is exit 2 with nothing read
        from .selection import resolve_selection

        selection = resolve_selection(ctx.options.select, ctx.options.state, ctx.artifacts, rows, ctx.options)
    workspace_destinations: list = []

    def list_destinations() -> list:  # once per plan, and only when a destination is needed
        if not workspace_destinations:
            with timings.phase("destinations"):
                workspace_destinations.append(
                    call_with_retries(lambda: untyped.list_destinations(ctx.client)))
        return workspace_destinations[0]

    def list_alerts() -> list:
        with timings.phase("listing"):
            return call_with_retries(lambda: untyped.list_alerts(ctx.client, LIST_PAGE_SIZE))

    # The alerts' list pages are read in a thread of their own while the destinations are planned
    # and the desired alerts built: the two waits overlap instead of adding up.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="alert-sync-list") as pool:
        listed_future = pool.submit(list_alerts) if listing is None else None
        try:
            if destination_actions is None:
                with timings.phase("destinations"):
                    destination_actions = plan_destinations(
                        destinations, list_destinations,
                        lambda destination_id: call_with_retries(
                            lambda: ctx.client.notification_destinations.get(destination_id)),
                        rotate_secrets=ctx.options.rotate_secrets)
            resolver = ChannelResolver(destinations, list_destinations,
                                       {a.destination_id: a for a in destination_actions})
            with timings.phase("plan"):
                desired = build_desired(rows, ctx.artifacts.alert_nodes, ctx.settings, resolver)
            with timings.phase("checks"):
                refuse_foreign_run_as_user(ctx, desired)
            if listing is None:
                listed = listed_future.result()
                listed_at = datetime.now(timezone.utc).replace(tzinfo=None)
                # Recorded ids only adopt alerts of the managed folder that carry no alert_id marker
                # (deployed before it, identity.py): with none there (a first deploy, or every alert
                # marked), the plan does not need them, nor the dbt target they are read from.
                folder = folder_key(ctx.settings.parent_path)
                unmarked = any(marked_alert_id(a.query_text) is None for a in listed
                               if not a.parent_path or folder_key(a.parent_path) == folder)
                recorded = read_recorded_ids(ctx, log) if unmarked else {}
                with timings.phase("listing"):
                    existing, fetched = complete_listing(listed, desired, ctx.settings.parent_path, recorded,
                                                         lambda alert_id: call_with_retries(
                                                             lambda: untyped.get_alert(ctx.client, alert_id)))
                listing = Listing(listed, existing, fetched, recorded, listed_at)
        except (PermissionDenied, Unauthenticated) as exc:
            raise ConfigError(f"The workspace refused the request ({describe(exc)}): check DATABRICKS_HOST / "
                              "DATABRICKS_TOKEN or --profile, and that you may manage alerts.") from exc
        except ConfigError:
            raise
        except Exception as exc:  # unreachable host, persistent 5xx: nothing was attempted
            raise ConfigError(f"Cannot read the workspace's alerts from {ctx.client.config.host}: "
                              f"{describe(exc)}") from exc
    with timings.phase("plan"):
        plan = make_plan(desired, listing.existing, ctx.settings.parent_path, listing.recorded,
                         ctx.options.prune or ctx.options.force_prune, purge=not ctx.options.trash_only,
                         scope=selection.covers if selection else None, force_prune=ctx.options.force_prune)
    plan.destinations = destination_actions
    plan.observed, plan.observed_at = managed_alerts(listing.existing, ctx.settings.parent_path), listing.listed_at
    unverified = unverified_note(destination_actions)
    if unverified:
        plan.notes.append(unverified)
    with timings.phase("checks"):
        check_warehouse(ctx, plan)
    with timings.phase("plan"):
        plan_cost(ctx, plan, rows)
    if selection is not None:
        chosen = "every alert (a catalog seed is selected)" if selection.alert_ids is None else \
            f"{sum(1 for d in desired if selection.covers(d.alert_id))} of {len(desired)} catalog alert(s)"
        plan.selection = f"{selection.describe()}: {chosen}"
        if selection.warning:
            plan.warnings.append(selection.warning)
    if listing.fetched:
        plan.notes.append(f"{len(listing.fetched)} alert(s) fetched one by one (GET): the list lacked a field the "
                          f"diff needs")
    over = len(listing.listed) + plan.count(CREATE) - sum(1 for a in plan.actions if a.action == DELETE and a.purge)
    if over > ALERT_QUOTA:
        plan.warnings.append(f"this plan leaves {over} active alerts in the workspace, more than the {ALERT_QUOTA} it "
                             f"holds (trashed alerts count too): creates beyond that are refused")
    return plan, listing


def managed_alerts(existing: list, parent_path: str) -> list:
    """The alerts of the managed folder, as listed: what apply records in alert_observations."""
    return [a for a in existing if a.parent_path and folder_key(a.parent_path) == folder_key(parent_path)]


def check_warehouse(ctx: Context, plan: Plan) -> None:
    """The alerts' SQL warehouse exists: one GET per run, made only when the plan writes alerts (a
    plan without writes sends no request for it). A warehouse the workspace does not have makes
    every create and update an ERROR; one the deployer may not see (403) is a warning, since the
    alerts may still run on it (CAN USE is enough for that)."""
    if not any(a.action in (CREATE, UPDATE) for a in plan.actions):
        return
    if ctx.warehouse_check is None:  # apply plans up to three times: ask once
        ctx.warehouse_check = warehouse_problem(ctx)
    kind, message = ctx.warehouse_check
    if kind == ERROR:
        plan.actions = [replace(a, action=ERROR, error=message, changes=[],
                                note="deployed copy left as it is" if a.databricks_alert_id else None)
                        if a.action in (CREATE, UPDATE) else a for a in plan.actions]
    elif message:
        plan.warnings.append(message)


def warehouse_problem(ctx: Context) -> tuple[str | None, str | None]:
    """(ERROR, why) when the warehouse does not exist, (None, warning) when it cannot be checked,
    else (None, None)."""
    warehouse_id = ctx.settings.warehouse_id
    try:
        ctx.warehouse_info = call_with_retries(lambda: ctx.client.warehouses.get(warehouse_id))
    except NotFound as exc:  # ResourceDoesNotExist is a NotFound
        return ERROR, (f"warehouse_id: the workspace has no SQL warehouse '{warehouse_id}' ({describe(exc)}); it "
                       f"comes from {ctx.warehouse_source}. Fix it there, or pass the right one with --warehouse-id "
                       f"(the id ends the warehouse's HTTP path: SQL Warehouses > the warehouse > Connection details).")
    except PermissionDenied as exc:
        return None, (f"cannot check the SQL warehouse '{warehouse_id}' ({describe(exc)}): the alerts run on it, "
                      f"which needs CAN USE on it")
    except ConfigError:
        raise
    except Exception as exc:  # 5xx after retries: the writes will say whether the warehouse is wrong
        return None, f"cannot check the SQL warehouse '{warehouse_id}': {describe(exc)}"
    return None, None


def plan_cost(ctx: Context, plan: Plan, rows: list) -> None:
    """The schedule cost change of the plan (cost.py): awake hours and DBU per day on the alerts'
    warehouse before -> after, from check_warehouse's GET of it (no request of its own) and the
    build's query timings. Shown only for a plan that creates, updates or removes alerts."""
    from .cost import Window, build_durations, plan_cost_change, schedule_problem, warehouse_from_response
    from .cost_command import node_seconds, rates_of

    if not any(a.action in WRITES for a in plan.actions):
        return
    if ctx.warehouse_info is None:
        plan.cost_note = ("not computed: the plan read no warehouse (it only removes alerts)"
                          if not any(a.action in (CREATE, UPDATE) for a in plan.actions)
                          else f"not computed: SQL warehouse '{ctx.settings.warehouse_id}' could not be read")
        return
    try:
        rates = rates_of(ctx.artifacts)
    except ConfigError as exc:
        plan.cost_note = f"not computed: {exc}"
        return
    durations = build_durations(rows, node_seconds(ctx.artifacts))

    def scheduled(alert_id: str | None, alert) -> list:
        from .cost import ScheduledAlert

        s = alert.schedule if alert is not None else None
        if s is None or (_enum_value(s.pause_status) or "UNPAUSED") == "PAUSED" or not alert.warehouse_id \
                or schedule_problem(s.quartz_cron_schedule or "", s.timezone_id or ""):
            return []
        seconds, source = durations.get(alert_id or "", (0.0, "none"))
        return [ScheduledAlert(alert_id or alert.display_name or "?", s.quartz_cron_schedule, s.timezone_id,
                               alert.warehouse_id, seconds, source)]

    before, after = [], []
    for a in plan.actions:
        before += scheduled(a.alert_id, a.existing)
        if a.action in (CREATE, UPDATE) or (a.action == NOOP and not a.skipped):
            after += scheduled(a.alert_id, a.desired)
        elif a.action != DELETE:  # ERROR, disabled but kept: the deployed copy runs on
            after += scheduled(a.alert_id, a.existing)
    warehouse = warehouse_from_response(ctx.settings.warehouse_id, ctx.warehouse_info)
    plan.cost = plan_cost_change(before, after, warehouse, Window.from_date(None), rates)


def _enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


def refuse_foreign_run_as_user(ctx: Context, desired: list) -> None:
    """A user may set run_as only to their own user name [SDK AlertV2RunAs]: when alerts_run_as is
    someone else's, every alert is an ERROR before any write (one SCIM Me call per run)."""
    run_as = ctx.settings.run_as
    if not run_as or "@" not in run_as:
        return
    if ctx.deployer is None:  # apply plans up to three times: ask once
        ctx.deployer = ctx.client.current_user.me().user_name or ""
    me = ctx.deployer
    if me.lower() == run_as.lower():
        return
    for d in desired:
        if d.alert is not None:
            d.alert, d.error = None, (
                f"run_as: alerts_run_as is the user '{run_as}', but a user may set run_as only to their own user "
                f"name and you deploy as '{me}'. Deploy as that user, or set alerts_run_as to a service principal's "
                f"application id (which needs the Service principal: User role).")


@dataclass
class Outcome:
    run_id: str
    plan: Plan
    results: list[Result]
    started_at: datetime
    ended_at: datetime
    dry_run: bool
    attempted: int
    fatal: BaseException | None

    def summary(self) -> dict[str, Any]:
        return summarize((r.action.action, r.status) for r in self.results)


def run_apply(ctx: Context, log: Callable[[str], None], progress: Callable[[int, int, float], None] | None = None
              ) -> Outcome:
    run_id = str(uuid.uuid4())
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    plan = compute_plan(ctx, log)
    writes_planned = any(a.action in WRITES for a in plan.actions) or any(
        d.action in DESTINATION_WRITES for d in plan.destinations)
    if ctx.options.dry_run or not writes_planned:
        return _execute(ctx, plan, run_id, started, log, progress)
    # Writes ahead: take the folder's lock, then plan again under it (another run may have just
    # changed the folder), apply, and record the metrics before letting the next run in.
    lock = WorkspaceLock(ctx.client, ctx.settings.parent_path, run_id, wait_seconds=ctx.options.lock_wait, log=log)
    try:
        with timings.phase("lock"):
            lock.acquire()
    except (PermissionDenied, Unauthenticated) as exc:
        raise ConfigError(f"The workspace refused to create the managed folder or its apply lock "
                          f"{ctx.settings.parent_path} ({describe(exc)}): nothing was changed. "
                          f"{folder_permission_hint(ctx.settings.parent_path)}") from exc
    try:
        plan, listing = _plan(ctx, log)
        if any(d.action in DESTINATION_WRITES for d in plan.destinations):
            # Destinations first; then plan the alerts again so they subscribe to what was created
            # (with the alerts as just listed: the lock keeps other runs out of the folder).
            with timings.phase("destinations"):
                applied = apply_destinations(ctx.client, plan.destinations)
            plan = _plan(ctx, log, applied, listing)[0]
        # lock.acquire() made the managed folder: the creates need no mkdirs of their own.
        return _execute(ctx, plan, run_id, started, log, progress, folder_ready=True)
    finally:
        with timings.phase("lock"):
            lock.release()


def _execute(ctx: Context, plan: Plan, run_id: str, started: datetime, log: Callable[[str], None],
             progress: Callable[[int, int, float], None] | None, folder_ready: bool = False) -> Outcome:
    t0 = time.monotonic()
    done = [0]
    writes = sum(1 for a in plan.actions if a.action in WRITES)

    def on_result(result: Result) -> None:
        if result.action.action in WRITES:
            done[0] += 1
            if progress:
                progress(done[0], writes, time.monotonic() - t0)

    applier = Applier(ctx.client, ctx.settings.parent_path, workers=ctx.options.workers,
                      max_rps=ctx.options.max_rps, dry_run=ctx.options.dry_run, on_result=on_result,
                      folder_ready=folder_ready)
    with timings.phase("writes"):
        results = applier.apply(plan)
    ended = datetime.now(timezone.utc).replace(tzinfo=None)
    outcome = Outcome(run_id, plan, results, started, ended, ctx.options.dry_run, applier.attempted, applier.fatal)
    with timings.phase("metrics write"):
        write_metrics(ctx, outcome, log)
    return outcome


def write_metrics(ctx: Context, outcome: Outcome, log: Callable[[str], None]) -> None:
    if not ctx.artifacts.sync_tables:
        log("warning: sync metrics not written: the manifest declares no alert_sync source")
        return
    record = metrics.RunRecord(
        run_id=outcome.run_id, started_at=outcome.started_at, ended_at=outcome.ended_at, dry_run=outcome.dry_run,
        target_name=ctx.target_name, workspace_host=ctx.client.config.host or "",
        results=[r.as_row(outcome.run_id) for r in outcome.results],
        observations=observation_rows(outcome))
    try:
        ctx.dbt_target.write_run(ctx.artifacts.sync_tables, record)
    except (ConfigError, TargetError) as exc:  # the alerts are deployed; losing the metrics must not hide that
        log(f"warning: writing sync metrics to dbt target '{ctx.target_name}' failed: {describe(exc)} "
            f"(the workspace changes of run {outcome.run_id} stand)")


def observation_rows(outcome: Outcome) -> list[dict[str, Any]]:
    """alert_observations rows: the managed alerts the run's (last) plan listed, as the service
    reported them, with what that plan found changed outside dbt. No request of its own."""
    from .observe import observation_rows as rows

    plan = outcome.plan
    outside = {a.databricks_alert_id: a.changed_outside for a in plan.actions if a.databricks_alert_id}
    return rows(plan.observed, plan.observed_at or outcome.started_at, outcome.run_id, outside)


def exit_code(outcome: Outcome, threshold: float) -> int:
    if outcome.fatal is not None:
        return 1 if outcome.attempted > 0 else 2
    return 0 if outcome.summary()["success_rate"] >= threshold else 1
