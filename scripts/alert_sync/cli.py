"""alert-sync: deploy the dbt alert catalog to Databricks SQL Alerts v2.

Exit codes: 0 success (success rate >= --success-threshold); 1 sync failed (below the threshold,
or a fatal error such as PERMISSION_DENIED mid-run); 2 nothing attempted (usage, config,
validation, auth errors).
"""

from __future__ import annotations

import atexit
import gc
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from . import timings
from .timeouts import HTTP_TIMEOUT, RETRY_TIMEOUT, UNREACHABLE_AFTER
from .errors import ConfigError

# At exit, the interpreter's last garbage collection walks every object databricks-sdk and the plan
# made (0.2-0.5 s on a busy machine) only to free memory the process gives back anyway: frozen
# objects are skipped by it. Output is flushed and the exit handlers run as before.
atexit.register(gc.freeze)

# Only click and the standard library at import time, so `alert-sync --version` and `--help` answer at
# once: each command imports what it needs (databricks-sdk alone takes over a second to import).
if TYPE_CHECKING:
    from .sync import Options


def _apply_options(fn: Callable, options: list[Callable]) -> Callable:
    for option in reversed(options):
        fn = option(fn)
    return fn


def dbt_options(fn: Callable) -> Callable:
    """Where the last `dbt build` is, as dbt's own flags name it (every command)."""
    return _apply_options(fn, [
        click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                     show_default=True, help="dbt project directory."),
        click.option("--target-path", default="target", show_default=True, envvar="DBT_TARGET_PATH",
                     help="dbt target path, relative to the project dir: holds manifest.json and run_results.json of "
                          "the last `dbt build` ($DBT_TARGET_PATH, as for dbt). Any later dbt command (parse, ls, "
                          "compile, docs generate, an IDE's parse) rewrites them there: to deploy while those run, "
                          "build into a path of its own (`dbt build --target-path target/deploy`) and pass it here."),
        click.option("--profiles-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Directory of profiles.yml (default: $DBT_PROFILES_DIR, the project dir if it has one, "
                          "else ~/.dbt)."),
        click.option("--target", default=None,
                     help="dbt target: must be the one the last `dbt build` used (the default; $DBT_TARGET counts "
                          "as --target). Its connection receives the sync metrics and runs evaluate's queries."),
    ])


def json_option(help: str = "Print exactly one JSON object on stdout; human output goes to stderr.") -> Callable:
    return click.option("--json", "as_json", is_flag=True, help=help)


def connection_options(fn: Callable) -> Callable:
    """Which workspace, and how long to wait for it (every command that calls the workspace)."""
    return _apply_options(fn, [
        click.option("--profile", "databricks_profile", default=None,
                     help="Databricks config profile (~/.databrickscfg). Default: databricks-sdk's auth chain "
                          "(DATABRICKS_HOST/DATABRICKS_TOKEN, OAuth, ...)."),
        click.option("--http-timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
                     help=f"Seconds a workspace request may wait for its answer (databricks-sdk's "
                          f"http_timeout_seconds). Default: the config profile's http_timeout_seconds, else "
                          f"{HTTP_TIMEOUT:g}."),
        click.option("--retry-timeout", type=click.IntRange(min=1), default=None, metavar="SECONDS",
                     help=f"Seconds databricks-sdk retries one call on 429/503, connection errors and timeouts "
                          f"(its retry_timeout_seconds) before giving up. Default: the config profile's "
                          f"retry_timeout_seconds, else {RETRY_TIMEOUT}. A workspace that has not answered yet is "
                          f"given up after {UNREACHABLE_AFTER:g} s (or this, when shorter): exit 2, naming the host."),
    ])


def warehouse_option(fn: Callable) -> Callable:
    return click.option("--warehouse-id", default=None,
                        help="SQL warehouse the alerts run on. Default: $DATABRICKS_WAREHOUSE_ID, else the dbt_alerts "
                             "setting alerts_warehouse_id, else the warehouse in the dbt target's http_path. A plan "
                             "that creates or updates alerts checks that it exists (one GET per run).")(fn)


def workspace_options(fn: Callable) -> Callable:
    """The workspace and how to change it (plan and apply)."""
    return connection_options(warehouse_option(_apply_options(fn, [
        click.option("--parent-path", default=None,
                     help="Managed workspace folder of this target's alerts. Default: the dbt_alerts setting "
                          "alerts_parent_path, else /Workspace/Shared/dbt_alerts/<project>/<target>. Nothing "
                          "outside it is touched."),
        click.option("--prune", is_flag=True,
                     help="Remove managed alerts that are no longer in the catalog or are disabled: purged (gone for "
                          "good), since trashed alerts keep counting against the workspace's 1000 alerts for 30 "
                          "days. Duplicates are always purged."),
        click.option("--force-prune", is_flag=True,
                     help="--prune even while catalog rows are in ERROR (without it nothing is removed then: a broken "
                          "row can make its deployed alert look unclaimed). An alert whose alert_id marker names a "
                          "catalog row is never removed, forced or not."),
        click.option("--trash-only", is_flag=True,
                     help="With --prune: move removed alerts to the trash instead (restorable in the workspace UI "
                          "for 30 days)."),
        click.option("--workers", type=click.IntRange(1, 64), default=16, show_default=True,
                     help="Parallel workspace calls."),
        click.option("--max-rps", type=click.FloatRange(min=0), default=300.0, show_default=True,
                     help="Client-side cap on workspace requests per second (0 = no cap); databricks-sdk's "
                          "rate_limit setting does nothing in Python. The default is above what --workers 16 send "
                          "to a workspace answering in 50 ms, so it bounds a raised --workers. Databricks documents "
                          "no limit for the alerts API; 429s above the workspace's limit are retried by the SDK "
                          "after Retry-After."),
        click.option("--allow-non-databricks-manifest", is_flag=True,
                     help="Deploy a manifest compiled for another adapter (e.g. DuckDB, against the local "
                          "emulator). Refused by default: DuckDB SQL is not Databricks SQL."),
        click.option("--rotate-secrets", is_flag=True,
                     help="Send again the secret (webhook URL, integration key) of every destination of the "
                          "destinations seed that has a secret_env, read from that environment variable. The "
                          "workspace never returns secrets, so a changed secret is not seen otherwise."),
    ])))


def _common(fn: Callable) -> Callable:
    """The options of plan and apply."""
    return dbt_options(workspace_options(json_option()(fn)))


def _start_dbt_side(kwargs: dict[str, Any]):
    """The artifacts and the dbt target helper, started before databricks-sdk is imported (the
    helper loads dbt on another core meanwhile): target_process.start."""
    from .project import BuildOptions
    from .target_process import start

    return start(BuildOptions(project_dir=kwargs["project_dir"], target_path=kwargs["target_path"],
                              profiles_dir=kwargs["profiles_dir"], target=kwargs["target"]),
                 kwargs["allow_non_databricks_manifest"])


def _options(kwargs: dict[str, Any]) -> Options:
    from .sync import Options

    return Options(
        project_dir=kwargs["project_dir"], target_path=kwargs["target_path"], profiles_dir=kwargs["profiles_dir"],
        target=kwargs["target"], profile=kwargs["databricks_profile"], warehouse_id=kwargs["warehouse_id"],
        parent_path=kwargs["parent_path"], prune=kwargs["prune"], force_prune=kwargs["force_prune"], trash_only=kwargs["trash_only"], dry_run=kwargs.get("dry_run", False),
        success_threshold=kwargs.get("success_threshold", 0.9), workers=kwargs["workers"],
        max_rps=kwargs["max_rps"] or None,
        allow_non_databricks_manifest=kwargs["allow_non_databricks_manifest"],
        lock_wait=kwargs.get("lock_wait", 300), rotate_secrets=kwargs["rotate_secrets"],
        select=tuple(kwargs.get("select") or ()), state=kwargs.get("state"),
        http_timeout=kwargs["http_timeout"], retry_timeout=kwargs["retry_timeout"])


class Console:
    """Human output to stdout, or stderr when --json (or plan --format markdown) owns stdout."""

    def __init__(self, as_json: bool, json_output: bool = True):
        self.as_json = as_json  # stdout is owned by machine-readable output (JSON, or plan's markdown)
        self.json_output = json_output
        self.stream = sys.stderr if as_json else sys.stdout

    def say(self, text: str) -> None:
        click.echo(text, file=self.stream)

    def progress(self, done: int, total: int, seconds: float) -> None:
        if not self.stream.isatty() or total == 0:
            return
        rate = done / seconds if seconds > 0 else 0.0
        end = "\n" if done == total else ""
        click.echo(f"\r  applying: {done}/{total} writes, {rate:.1f}/s", file=self.stream, nl=False)
        if end:
            click.echo("", file=self.stream)

    def emit_json(self, payload: dict[str, Any]) -> None:
        if self.as_json and self.json_output:
            click.echo(json.dumps(payload, default=str))


def destinations_json(actions: list) -> dict[str, Any]:
    """The "destinations" part of plan/apply --json: counts and one entry per enabled seed row
    (no secret: a secret appears only as the name of its environment variable in the text plan)."""
    from .destinations import destination_summary

    return {"summary": destination_summary(actions), "actions": [a.as_json() for a in actions]}


def _guard(console: Console, fn: Callable[[], int], config_error_code: int = 2) -> None:
    try:
        code = fn()
    except ConfigError as exc:
        console.say(f"error: {exc}")
        if console.as_json and console.json_output:
            click.echo(json.dumps({"run_id": None, "error": str(exc)}))
        sys.exit(config_error_code)
    sys.exit(code)


def plan_exit_code(the_plan, detailed: bool) -> int:
    """1 when any alert or destination of the plan is an ERROR (apply would fail it); else 0, or
    with --detailed-exitcode Terraform's convention: 0 no changes, 2 changes (`terraform plan
    -detailed-exitcode`: 0 succeeded with an empty diff, 1 error, 2 succeeded with a non-empty diff)."""
    from .destinations import WRITES as DESTINATION_WRITES
    from .plan import ERROR, WRITES

    if any(a.action == ERROR for a in the_plan.actions) or any(
            d.action == ERROR or d.status == ERROR for d in the_plan.destinations):
        return 1
    changes = any(a.action in WRITES for a in the_plan.actions) or any(
        d.action in DESTINATION_WRITES for d in the_plan.destinations)
    return 2 if detailed and changes else 0


@click.group(help=__doc__)
@click.version_option(package_name="dbt-databricks-alerts")
def main() -> None:
    pass


PLAN_FORMATS = ("text", "json", "markdown")


def plan_format(kwargs: dict[str, Any]) -> str:
    """--format, with --json kept as its alias (--json --format markdown is a usage error)."""
    chosen = kwargs["output_format"]
    if kwargs["as_json"]:
        if chosen not in (None, "json"):
            raise click.UsageError(f"--json is --format json: it cannot be combined with --format {chosen}")
        return "json"
    return chosen or "text"


@main.command(help="Show what `apply` would change (notification destinations of the destinations seed, then alerts: "
                   "create / update, field by field / purge or trash), writing nothing.")
@_common
@click.option("--format", "output_format", type=click.Choice(PLAN_FORMATS), default=None,
              help="text (default; terraform-plan style), json (as --json: one object on stdout) or markdown (a table "
                   "of the changes for a pull-request comment, on stdout; progress and warnings go to stderr).")
@click.option("--select", "select", multiple=True, metavar="SELECTOR",
              help="Plan only these alerts: alert ids of the catalog and dbt selectors (tag:finops, path:models/alerts/"
                   "cost, state:modified+ ...), resolved by `dbt ls` against the project as built. A selected alert "
                   "model selects the catalog rows whose query_model it is; a selected catalog seed selects every "
                   "alert. Repeatable or space separated; COST-001,COST-002 lists ids, while a comma between dbt "
                   "selectors is dbt's intersection. Managed alerts outside the selection are not considered: "
                   "nothing outside it is ever proposed for removal.")
@click.option("--state", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --select state:modified+ (or other state: methods): the directory holding the production "
                   "build's manifest.json, as dbt's own --state.")
@click.option("--detailed-exitcode", is_flag=True,
              help="Terraform's exit codes: 0 no changes, 1 error (an alert or destination in ERROR, or nothing could "
                   "be planned), 2 changes to apply. Without it: 0 planned, 1 some alert or destination is an ERROR, "
                   "2 nothing planned (configuration error).")
@click.option("--lint", "with_lint", is_flag=True,
              help="Also lint the alerts the plan creates or updates and backtest them over --lint-days daily "
                   "moments (as `alert-sync lint --select <them>`): their findings and how often they would have "
                   "triggered, fired and flapped are added to the plan (markdown: a collapsed section). This runs "
                   "their queries on the dbt target once per moment; nothing runs when no alert changes.")
@click.option("--lint-days", type=click.IntRange(1, 1000), default=30, show_default=True,
              help="With --lint: the backtest window, in daily moments ending at the build's \"now\".")
@click.option("--fail-on", "fail_on", multiple=True, type=click.Choice(["lint"]),
              help="lint: exit 1 when the lint of a created or changed alert has an error-level finding (implies "
                   "--lint); for CI.")
def plan(**kwargs: Any) -> None:
    fmt = plan_format(kwargs)
    console = Console(fmt != "text", json_output=fmt == "json")

    def run() -> int:
        dbt_side = _start_dbt_side(kwargs)  # first: the helper loads dbt while databricks-sdk is imported here
        import_start = timings.now()
        from .destinations import destination_lines, destination_summary
        from .output import action_json, plan_summary, render_plan, render_plan_markdown
        from .sync import compute_plan, prepare

        timings.span("imports", import_start, timings.now())
        ctx = prepare(_options(kwargs), console.say, dbt_side)
        try:
            the_plan = compute_plan(ctx, console.say)
        finally:
            ctx.close()
        code = plan_exit_code(the_plan, kwargs["detailed_exitcode"])
        # --- lint of the created / changed alerts (plan --lint, --fail-on lint) ---
        lint_report = plan_lint(the_plan, kwargs, console) if kwargs["with_lint"] or "lint" in kwargs["fail_on"] \
            else None
        if lint_report is not None and "lint" in kwargs["fail_on"] and lint_report.count("error"):
            code = 1
        # ---
        if fmt == "markdown":
            from .lint import plan_lint_markdown

            sections = [plan_lint_markdown(lint_report)] if lint_report and lint_report.alerts else []
            click.echo(render_plan_markdown(the_plan, ctx.target_name, ctx.settings.parent_path,
                                            ctx.client.config.host or "", sections=sections))
            return code
        header = (f"alert-sync plan: dbt target '{ctx.target_name}' -> {ctx.client.config.host} "
                  f"folder {ctx.settings.parent_path}")
        if the_plan.selection:
            header += f"\nselection: {the_plan.selection}"
        text = render_plan(the_plan, header)
        if the_plan.destinations:  # destination changes first: apply makes them before the alerts
            d = destination_summary(the_plan.destinations)
            text = "\n".join([header, "", *destination_lines(the_plan.destinations),
                              f"Destinations: {d['created']} to create, {d['updated']} to update, {d['unchanged']} "
                              f"unchanged, {d['errors']} error(s).", "", text[len(header):].lstrip("\n")])
        if lint_report is not None and lint_report.alerts:
            from .lint import plan_lint_lines

            text = "\n".join([text, "", *plan_lint_lines(lint_report)])
        console.say(text)
        payload = {"run_id": None, "dry_run": True, "summary": plan_summary(the_plan),
                   "actions": [action_json(a) for a in the_plan.actions],
                   "destinations": destinations_json(the_plan.destinations)}
        if lint_report is not None:
            payload["lint"] = lint_report.to_json()
        console.emit_json(payload)
        return code

    _guard(console, run, config_error_code=1 if kwargs["detailed_exitcode"] else 2)


def plan_lint(the_plan, kwargs: dict[str, Any], console: Console):
    """lint.run_lint over the alerts the plan creates or updates (enabled ones): their backtest on
    the dbt target, so it runs only when asked (plan --lint / --fail-on lint) and only for them."""
    from .lint import LintOptions, LintReport, run_lint
    from .plan import CREATE, UPDATE

    changed = [a.alert_id for a in the_plan.actions if a.action in (CREATE, UPDATE) and a.alert_id and not a.skipped]
    if not changed:
        return LintReport("", "", 0, [], [], [], {})
    console.say(f"linting {len(changed)} created or changed alert(s): backtest over {kwargs['lint_days']} day(s)")
    return run_lint(LintOptions(project_dir=kwargs["project_dir"], target_path=kwargs["target_path"],
                                profiles_dir=kwargs["profiles_dir"], target=kwargs["target"], select=tuple(changed),
                                days=kwargs["lint_days"]), lambda _: None)


LINT_HELP = """Check the alerts for mistakes that a deploy would not catch, with evidence from a backtest.

Each enabled alert (or the --select ones) is evaluated at --days daily moments ending at the
build's "now" (the setting alerts_as_of, or alerts_local_as_of on DuckDB; else the current
time): evaluate's backtest, not recorded. Rules (docs/lint.md has a before / after for each):

\b
  first-row-unordered  error    first-row alert, no ORDER BY, several rows possible
  silent               warning  stays TRIGGERED with no retrigger_seconds and no notify_on_ok
  always-firing        warning  TRIGGERED at every moment
  never-firing         warning  never TRIGGERED
  flapping             warning  OK <-> TRIGGERED 4+ times, at 1 in 4 moments or more
  watches-nothing      error    no rows at any moment, and empty_result_state OK
  threshold-type       error    threshold_value_type differs from the column's values
  evaluation-error     warning  ERROR at some moments

Switch a rule off for one alert with its model's meta `alert_lint_disable: [rule, ...]`, for
the project with the dbt_alerts setting alerts_lint_disable; such findings are listed as allowed.

Exit codes: 0 no error-level finding (warnings allowed); 1 an error-level finding; 2 nothing
linted (usage, config, stale artifacts).
"""


@main.command(help=LINT_HELP)
@dbt_options
@click.option("--select", "select", multiple=True, metavar="ALERT_ID",
              help="Lint only these alerts (repeatable, or comma/space separated); a selected alert is linted even "
                   "when disabled.")
@click.option("--days", type=click.IntRange(1, 1000), default=30, show_default=True,
              help="Backtest window: this many daily moments, ending at --to.")
@click.option("--to", "to", default=None, metavar="TIMESTAMP",
              help="Last moment of the window (YYYY-MM-DD [HH:MM[:SS]]). Default: the build's \"now\" (setting "
                   "alerts_as_of, or alerts_local_as_of on DuckDB), else the current time (UTC).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Alert queries run in parallel, as for evaluate.")
@json_option('Print exactly one JSON object on stdout: {"from", "to", "step", "moments", "summary": {"alerts", '
             '"errors", "warnings", "allowed", "by_rule"}, "findings": [{"rule", "severity", "alert_id", "message", '
             '"fix"}], "allowed": [... "allowed_by"], "backtest": [{"alert_id", "evaluations", "triggered", "fired", '
             '"flaps", "flap_rate", "errors"}]}. Human output goes to stderr.')
def lint(**kwargs: Any) -> None:
    from .evaluate.runner import split_select
    from .lint import LintOptions, exit_code, lint_lines, run_lint

    console = Console(kwargs["as_json"])

    def run() -> int:
        report = run_lint(LintOptions(
            project_dir=kwargs["project_dir"], target_path=kwargs["target_path"], profiles_dir=kwargs["profiles_dir"],
            target=kwargs["target"], select=tuple(split_select(kwargs["select"])), days=kwargs["days"],
            to=kwargs["to"], threads=kwargs["threads"]), console.say)
        for line in lint_lines(report):
            console.say(line)
        console.emit_json(report.to_json())
        return exit_code(report)

    _guard(console, run)


@main.command(help="Apply the plan to the workspace and record the run in the alert_sync tables of the dbt target.")
@_common
@click.option("--dry-run", is_flag=True, help="Plan only: no workspace writes; the metrics rows are flagged dry_run.")
@click.option("--success-threshold", type=click.FloatRange(0, 1), default=0.9, show_default=True,
              help="Minimum share of alerts that must succeed for exit code 0.")
@click.option("--lock-wait", type=click.FloatRange(min=0), default=300, show_default=True,
              help="Seconds to wait while another apply on the same folder holds its lock, then exit 2.")
def apply(**kwargs: Any) -> None:
    console = Console(kwargs["as_json"])

    def run() -> int:
        dbt_side = _start_dbt_side(kwargs)  # first: the helper loads dbt while databricks-sdk is imported here
        import_start = timings.now()
        from .destinations import destination_lines, destination_summary
        from .output import action_json, action_lines
        from .sync import exit_code, prepare, run_apply

        timings.span("imports", import_start, timings.now())
        options = _options(kwargs)
        ctx = prepare(options, console.say, dbt_side)
        try:
            outcome = run_apply(ctx, console.say, console.progress)
        finally:
            ctx.close()
        mode = " (dry run: nothing written to the workspace)" if options.dry_run else ""
        console.say(f"alert-sync apply{mode}: dbt target '{ctx.target_name}' -> {ctx.client.config.host} "
                    f"folder {ctx.settings.parent_path}\n")
        for line in destination_lines(outcome.plan.destinations):
            console.say(line)
        for r in outcome.results:
            shown = r.action if r.status != "ERROR" else replace(r.action, action="ERROR", error=r.error)
            for line in action_lines(shown):
                console.say(line)
        for w in outcome.plan.warnings:
            console.say(f"  warning: {w}")
        for n in outcome.plan.notes:
            console.say(f"  note: {n}")
        s = outcome.summary()
        console.say(f"\nApplied: {s['created']} created, {s['updated']} updated, {s['deleted']} removed, "
                    f"{s['unchanged']} unchanged, {s['errors']} error(s), {s['skipped']} disabled; "
                    f"success rate {s['success_rate']:.1%} (threshold {options.success_threshold:.0%}); "
                    f"run {outcome.run_id}")
        if outcome.plan.destinations:
            d = destination_summary(outcome.plan.destinations)
            console.say(f"Destinations: {d['created']} created, {d['updated']} updated, {d['unchanged']} unchanged, "
                        f"{d['errors']} error(s).")
        failures = [r for r in outcome.results if r.status == "ERROR"]
        if failures:
            console.say("Failed alerts:")
            for r in failures:
                console.say(f"  {r.action.alert_id or r.action.display_name}: {r.error}")
        if outcome.fatal is not None:
            console.say(f"Stopped early: {outcome.fatal}")
        console.emit_json({"run_id": outcome.run_id, "dry_run": options.dry_run, "summary": s,
                           "actions": [action_json(r.action, r.error, r.databricks_alert_id, r.display_name)
                                       for r in outcome.results],
                           "destinations": destinations_json(outcome.plan.destinations)})
        return exit_code(outcome, options.success_threshold)

    _guard(console, run)


MAX_RENDERED_NOTIFICATIONS = 10  # evaluate --select of at most this many alerts shows their notification text

EVALUATE_HELP = """Run each enabled alert's query on the dbt target and say what Databricks SQL Alerts v2
would decide: OK, TRIGGERED or ERROR, with the observed value, threshold, rows returned and duration.

Without --as-of/--from the queries are those of the last `dbt build` (target/manifest.json), "now"
being dbt_alerts.alerts_now(). With --as-of, or a range --from/--to [--step], the alert models are recompiled
with var alerts_as_of (into a temporary directory: target/ is left alone) and evaluated as of each
moment: a backtest that counts, per alert, evaluations TRIGGERED, times it fired (entries into
TRIGGERED: a TRIGGERED evaluation whose previous non-ERROR one was not; the first counts) and flaps
(OK<->TRIGGERED changes between consecutive non-ERROR evaluations; flap_rate = flaps / (non-ERROR
evaluations - 1)). Each model is compiled once and the moment substituted, where that is proven to
give dbt's own compile at the range's first and last moments (otherwise per moment). With --select
of a few alerts at one moment, their custom_summary/custom_description are printed rendered.
Every evaluation is appended to the alert_sync.alert_evaluations table of the dbt target (see model
alert_trigger_history).

Exit codes: 0 evaluated (even when alerts trigger); 3 with --fail-on-trigger when any evaluation is
TRIGGERED; 1 with --fail-on-error when any is ERROR; 2 nothing evaluated (usage, config, stale artifacts).
"""


@main.command(help=EVALUATE_HELP)
@dbt_options
@click.option("--select", "select", multiple=True, metavar="ALERT_ID",
              help="Evaluate only these alerts (repeatable, or comma/space separated). A selected alert is evaluated "
                   "even when disabled, so a new alert can be backtested before it is switched on. At one moment "
                   "and up to 10 alerts, their notification text is printed rendered with the values.")
@click.option("--as-of", "as_of", default=None, metavar="TIMESTAMP",
              help="Evaluate as of this moment (YYYY-MM-DD [HH:MM[:SS]]; a bare date means 00:00): the alert models "
                   "are recompiled with var alerts_as_of.")
@click.option("--from", "start", default=None, metavar="TIMESTAMP",
              help="Backtest: first moment of a range (with --to); each alert is evaluated at every --step.")
@click.option("--to", "end", default=None, metavar="TIMESTAMP", help="Backtest: last moment of the range (inclusive).")
@click.option("--step", default="1d", show_default=True,
              help="Backtest step: a positive number of m(inutes), h(ours), d(ays) or w(eeks), e.g. 1d, 6h.")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Alert queries run in parallel (DuckDB: cursors of one connection; Databricks: one connection "
                   "per thread).")
@click.option("--no-record", "no_record", is_flag=True,
              help="Do not append the evaluations to alert_sync.alert_evaluations.")
@click.option("--fail-on-trigger", is_flag=True, help="Exit 3 when any evaluation is TRIGGERED (CI gate).")
@click.option("--fail-on-error", is_flag=True, help="Exit 1 when any evaluation is ERROR.")
@json_option('Print exactly one JSON object on stdout: {"run_id", "as_of", "evaluations": [{"alert_id", "state", '
             '"value", "threshold", "row_count", "error", "duration_ms"}]}; a range adds "from", "to", "step", '
             '"dates", "summary" ([{"alert_id", "evaluations", "triggered", "errors", "trigger_rate", "fired", '
             '"flaps", "flap_rate", "first_triggered_as_of", "last_triggered_as_of"}]) and "recompiled_per_moment" '
             '({model: why}). Human output goes to stderr.')
def evaluate(**kwargs: Any) -> None:
    from .evaluate import (EvaluateOptions, evaluation_lines, exit_code, moment_label, moment_line,
                           notification_lines, run_evaluate, summary_lines)

    console = Console(kwargs["as_json"])

    def run() -> int:
        options = EvaluateOptions(
            project_dir=kwargs["project_dir"], target_path=kwargs["target_path"],
            profiles_dir=kwargs["profiles_dir"], target=kwargs["target"], select=tuple(kwargs["select"]),
            as_of=kwargs["as_of"], start=kwargs["start"], end=kwargs["end"], step=kwargs["step"],
            threads=kwargs["threads"], record=not kwargs["no_record"])
        ranged = bool(options.start or options.end)
        shown: list[str] = []

        def on_moment(moment, evaluations) -> None:
            if ranged:
                if not shown:
                    shown.append("header")
                    console.say("alert-sync evaluate: backtest, alerts triggered as of each moment")
                console.say(moment_line(moment, evaluations))

        outcome = run_evaluate(options, console.say, on_moment)
        if not outcome.is_range:
            console.say(f"alert-sync evaluate: dbt target '{outcome.target_name}' ({outcome.adapter_type}), "
                        f"{len(outcome.alerts)} alert(s), {moment_label(outcome.moments[0])}\n")
            for line in evaluation_lines(outcome.evaluations):
                console.say(line)
            if options.select and len(outcome.evaluations) <= MAX_RENDERED_NOTIFICATIONS:
                console.say("\nNotification text, rendered with these values:")
                for line in notification_lines(outcome):
                    console.say(line)
        else:
            console.say(f"\nHow often each alert would have fired, {outcome.start} .. {outcome.end} every "
                        f"{outcome.step} ({len(outcome.moments)} moments):")
            for line in summary_lines(outcome):
                console.say(line)
        c = outcome.counts()
        recorded = ("recorded in alert_evaluations" if outcome.recorded
                    else "not recorded" + (f" ({outcome.record_warning})" if outcome.record_warning else ""))
        console.say(f"\n{len(outcome.evaluations)} evaluation(s): {c['TRIGGERED']} TRIGGERED, {c['OK']} OK, "
                    f"{c['ERROR']} ERROR; run {outcome.run_id}; {recorded}")
        console.emit_json(outcome.to_json())
        return exit_code(outcome, kwargs["fail_on_trigger"], kwargs["fail_on_error"])

    _guard(console, run)


STATUS_HELP = """What the deployed alerts report now: each managed alert's evaluation state (OK, TRIGGERED,
ERROR, UNKNOWN; none before the service first ran it), when it was last evaluated, whether it is
paused, who it runs as, and the fields changed outside dbt since the last apply.

Databricks evaluates each alert on its schedule on the SQL warehouse and keeps the outcome on the
alert; this reads it with one alerts list (pages of 100) and writes nothing. It needs only
target/manifest.json (any dbt command that parses, e.g. `dbt parse`) for the managed folder, or
--parent-path. `alert-sync apply` records the same per alert and run in alert_sync.alert_observations.

Exit codes: 0 read; 2 nothing read (no manifest and no --parent-path, workspace errors).
"""


@main.command(help=STATUS_HELP)
@dbt_options
@click.option("--parent-path", default=None,
              help="Managed workspace folder. Default: the dbt_alerts setting alerts_parent_path as the manifest "
                   "holds it, else /Workspace/Shared/dbt_alerts/<project>/<target>.")
@connection_options
@json_option('Print exactly one JSON object on stdout: {"target", "folder", "host", "alerts": [{"alert_id", '
             '"databricks_alert_id", "display_name", "evaluation_state", "last_evaluated_at", "lifecycle_state", '
             '"pause_status", "effective_run_as", "changed_outside_dbt"}], "summary": {"total", "TRIGGERED", '
             '"ERROR", "OK", "UNKNOWN", "NOT_EVALUATED"}}; human output goes to stderr.')
def status(**kwargs: Any) -> None:
    from .observe import StatusOptions, read_status, status_lines

    console = Console(kwargs["as_json"])

    def run() -> int:
        result = read_status(StatusOptions(
            project_dir=kwargs["project_dir"], target_path=kwargs["target_path"], target=kwargs["target"],
            parent_path=kwargs["parent_path"], profile=kwargs["databricks_profile"],
            http_timeout=kwargs["http_timeout"], retry_timeout=kwargs["retry_timeout"]))
        for line in status_lines(result):
            console.say(line)
        console.emit_json(result)
        return 0

    _guard(console, run)


COST_HELP = """How long the catalog's alert schedules keep their SQL warehouse running, and what aligning
them would save (docs/cost.md).

For each enabled, unpaused alert: runs per day (its Quartz cron in its time zone, daylight saving
time included), its query's duration (the median of its latest alert-sync evaluate runs recorded in
alert_sync.alert_evaluations, else its model's time in the last `dbt build`), and the hours per day
its warehouse is awake because of it: each run keeps the warehouse up from its start until the
warehouse's auto_stop_mins after it ends. The warehouse line merges overlapping runs, the saving
line moves alerts of the same period (e.g. hourly) to one minute. DBU/day = awake hours x the DBU
per hour of the warehouse's cluster size (Databricks' published rates; the dbt_alerts setting
alerts_dbu_per_hour overrides them) x min_num_clusters. Reads the warehouse with one GET
(/api/2.0/sql/warehouses/{id}); writes nothing.

Exit codes: 0 reported; 2 nothing reported (stale artifacts, no such warehouse, bad setting).
"""


@main.command(help=COST_HELP)
@dbt_options
@connection_options
@warehouse_option
@click.option("--from", "start", default=None, metavar="DATE",
              help="First day (YYYY-MM-DD, UTC) of the days averaged over. Default: today.")
@click.option("--days", type=click.IntRange(1, 366), default=28, show_default=True,
              help="Number of days averaged over (whole weeks average out weekday-only schedules).")
@json_option('Print exactly one JSON object on stdout: {"window": {"from", "to", "days"}, "rates": {"dbu_per_hour", '
             '"source", "overridden"}, "warehouses": [{"warehouse_id", "name", "cluster_size", "type", '
             '"auto_stop_mins", "min_num_clusters", "dbu_per_hour", "alerts", "runs_per_day", "awake_hours_per_day", '
             '"dbu_per_day", "aligned_awake_hours_per_day", "aligned_dbu_per_day", "saving_hours_per_day", '
             '"saving_dbu_per_day", "moves": [{"alert_id", "from", "to"}], "error"}], "alerts": [{"alert_id", '
             '"warehouse_id", "schedule", "timezone", "runs_per_day", "duration_ms", "duration_source", '
             '"awake_hours_per_day", "dbu_per_day"}], "skipped": [{"alert_id", "reason"}]}; human output goes to '
             'stderr.')
def cost(**kwargs: Any) -> None:
    from .cost import report_lines
    from .cost_command import CostOptions, run_cost

    console = Console(kwargs["as_json"])

    def run() -> int:
        options = CostOptions(
            project_dir=kwargs["project_dir"], target_path=kwargs["target_path"], profiles_dir=kwargs["profiles_dir"],
            target=kwargs["target"], profile=kwargs["databricks_profile"], warehouse_id=kwargs["warehouse_id"],
            http_timeout=kwargs["http_timeout"], retry_timeout=kwargs["retry_timeout"], start=kwargs["start"],
            days=kwargs["days"])
        report = run_cost(options, console.say)
        for line in report_lines(report):
            console.say(line)
        console.emit_json(report.as_json())
        return 0

    _guard(console, run)


IMPORT_HELP = """Bring the alerts of a workspace folder into the dbt project, to be managed from then on.

For each alert directly in --from-path it writes an alert model (`{{ dbt_alerts.alert_model() }}`
then the alert's query_text exactly; text Jinja would read is kept verbatim in {% raw %}) and a
catalog row (condition, schedule, notifications, templates; display names that are not
`[SEVERITY] name` go to the optional column display_name, severity INFO), and adds a row to the
notification destinations seed for each workspace destination the alerts use that it lacks (named by
databricks_destination_id; secret_env is needed only to create or rotate one). It never overwrites:
an alert whose model name or display name the project already has is reported as a clash and
skipped. Names that make the same model name get _2, _3, ... After `dbt seed` and `dbt build`,
`alert-sync plan --parent-path <the folder>` shows every imported alert unchanged.

Exit codes: 0 imported (clashes included); 1 some alert could not be imported (see the report);
2 nothing imported (no such folder, no alerts in it, a --domain the project does not accept, workspace or
project errors).
"""


@main.command("import", help=IMPORT_HELP)
@click.option("--from-path", required=True, metavar="FOLDER",
              help="Workspace folder holding the alerts, e.g. /Workspace/Shared/team/alerts (its subfolders are not "
                   "read).")
@click.option("--domain", required=True,
              help="agent_domain of the imported rows: one of the domains the project accepts (setting "
                   "alerts_accepted_domains); another is refused before anything is read or written.")
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the alert models go, relative to the project dir. Default: <first model path>/alerts/<domain "
                   "in lower case>.")
@click.option("--id-prefix", default=None,
              help="alert_id prefix: ids PREFIX-001, PREFIX-002, ... continue after the catalog's highest. "
                   "Default: the domain.")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="dbt project directory (its dbt_project.yml says where models and seeds are).")
@connection_options
@json_option('Print exactly one JSON object on stdout: {"from_path", "dry_run", "catalog_path", "destinations_path", '
             '"alerts": [{"display_name", "databricks_alert_id", "status" (WRITTEN, CLASH, SKIPPED), "alert_id", '
             '"model", "model_path", "reason", "warnings"}], "destination_rows", "notes", "warehouses", "summary"}; '
             'human output goes to stderr.')
def import_(**kwargs: Any) -> None:
    from .importer import ImportOptions, result_lines, run_import
    from .sync import Options, workspace_client

    console = Console(kwargs["as_json"])

    def run() -> int:
        options = ImportOptions(from_path=kwargs["from_path"], domain=kwargs["domain"],
                                project_dir=kwargs["project_dir"], models_dir=kwargs["models_dir"],
                                id_prefix=kwargs["id_prefix"], dry_run=kwargs["dry_run"])
        result = run_import(lambda: workspace_client(Options(
            profile=kwargs["databricks_profile"], http_timeout=kwargs["http_timeout"],
            retry_timeout=kwargs["retry_timeout"])), options)
        for line in result_lines(result, options.project_dir):
            console.say(line)
        console.emit_json(result.as_json())
        return 1 if any(a.status == "SKIPPED" for a in result.alerts) else 0

    _guard(console, run)


def provision_destinations(emu, destinations_csv: Path, referenced_by_id_only: bool = False) -> None:
    """Create in the emulator the notification destinations of a destinations seed, as a workspace
    admin would have by hand (idempotent: existing names / ids are kept). With
    `referenced_by_id_only`, only the rows that name one by databricks_destination_id (the rows
    without one are what `alert-sync apply` creates). EMAIL rows get their addresses; the others
    their secret_env's value when it is set, else a placeholder URL / key."""
    import os

    from .catalog import read_destinations
    from .destinations import SECRET_CONFIG

    existing = emu.destinations()
    names, ids = {d["display_name"] for d in existing}, {d["id"] for d in existing}
    for d in read_destinations(destinations_csv).values():
        if referenced_by_id_only and not d.databricks_destination_id:
            continue
        if d.databricks_destination_id in ids or (not d.databricks_destination_id and d.destination_name in names):
            continue
        config = None
        if d.destination_type == "EMAIL" and d.addresses:
            config = {"email": {"addresses": list(d.addresses)}}
        elif d.destination_type in SECRET_CONFIG and d.secret_env and os.environ.get(d.secret_env):
            kind, _, field = SECRET_CONFIG[d.destination_type]
            config = {kind: {field: os.environ[d.secret_env]}}
        emu.add_destination(d.destination_name, d.destination_type, config=config,
                            destination_id=d.databricks_destination_id or None)


@main.command(help="Run the local Alerts v2 workspace emulator (stands in for a Databricks workspace). On start "
                   "it prints the `export DATABRICKS_HOST=... DATABRICKS_TOKEN=... DATABRICKS_WAREHOUSE_ID=...` line "
                   "to paste and the plan / apply commands for a DuckDB build.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8765, show_default=True, help="0 picks a free port (printed).")
@click.option("--token", default="emulator-token", show_default=True,
              help="Bearer token clients must send (DATABRICKS_TOKEN).")
@click.option("--state-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Keep the workspace state in this JSON file across restarts.")
@click.option("--destinations-from", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Pre-create the notification destinations this seed refers to by databricks_destination_id "
                   "(e.g. seeds/notification_destinations.csv), as an admin would have made them by hand; the rows "
                   "without one are created by `alert-sync apply`.")
@click.option("--latency-ms", type=float, default=0, show_default=True, help="Added latency per request.")
@click.option("--max-rps", type=float, default=None, help="Answer 429 above this many requests per second.")
@click.option("--fault", "faults", multiple=True,
              help='Fault rule as JSON, e.g. \'{"method": "POST", "kind": "commit_then_504", "count": 1}\'; kinds: '
                   '429, 503, 502, 504, reset, commit_then_504, commit_then_reset. Repeatable.')
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed for probabilistic faults.")
def emulator(host: str, port: int, token: str, state_file: Path | None, destinations_from: Path | None,
             latency_ms: float, max_rps: float | None, faults: tuple[str, ...], seed: int) -> None:
    from .emulator import serve_forever

    setup = (lambda emu: provision_destinations(emu, destinations_from, referenced_by_id_only=True)
             if destinations_from else None)
    serve_forever(host, port, setup=setup, announce=emulator_instructions, token=token, state_file=state_file,
                  latency_ms=latency_ms, max_rps=max_rps, faults=[json.loads(f) for f in faults] or None, seed=seed)


def emulator_instructions(emu) -> str:
    """What to paste to use a running emulator: the environment databricks-sdk's default auth reads
    (host, token) and the warehouse alert-sync deploys to. The token is the emulator's local one
    (the default is a fixed dummy; a --token the user chose is theirs to see)."""
    import shlex

    env = {"DATABRICKS_HOST": emu.url, "DATABRICKS_TOKEN": emu.token, "DATABRICKS_WAREHOUSE_ID": emu.warehouse_ids[0]}
    return "\n".join([
        "To use it, paste this into the shell you run alert-sync from:",
        "  export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()),
        "then, in your dbt project after `dbt build` (a DuckDB build needs --allow-non-databricks-manifest):",
        "  alert-sync plan --allow-non-databricks-manifest",
        "  alert-sync apply --allow-non-databricks-manifest",
        "The workspace lives in memory until Ctrl-C" + (f" (state file {emu.state_file})." if emu.state_file
                                                          else "; --state-file keeps it across restarts."),
    ])


if __name__ == "__main__":
    main()
