"""`alert-sync import`: bring the alerts of a workspace folder into the dbt project.

For every alert of the folder it writes one alert model (`{{ dbt_alerts.alert_model() }}` then the
alert's query_text exactly) and one catalog row, and adds to the notification destinations seed a
row for each workspace destination the alerts subscribe to that the seed lacks. What it writes is
chosen so that, after `dbt seed` / `dbt build`, `alert-sync plan` with that folder as the managed
folder finds every imported alert unchanged (the plan's diff, plan.FIELDS, reads exactly these
fields): the alerts are adopted in place, never recreated.

It never changes what the project already has: an alert whose model name is taken (a model file
of that name anywhere in the model paths, or a catalog row whose query_model or display name is
the same) is reported as a clash and skipped; the seeds are only appended to (the one exception:
the optional catalog column display_name is added to the header, empty for the existing rows,
when an imported alert needs it).

The workspace has no "alerts of a folder" call: GET /api/2.0/alerts lists every alert of the
workspace (pages of up to 100) with its parent_path [databricks-sdk AlertsV2API.list_alerts], so
the listing is filtered by folder here (only the folder itself, not its subfolders), and an alert
the list describes without a field the import needs is fetched with GET (as plan.py does).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, NamedTuple

import yaml
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, PermissionDenied, ResourceDoesNotExist, Unauthenticated
from databricks.sdk.service.sql import AlertV2, ComparisonOperator

from .catalog import CATALOG_COLUMNS, EMAIL, OPERATOR_SYMBOLS, CatalogRow, read_csv, read_destinations
from .conditions import deployed_condition
from .destinations import unmanaged_type_problem
from .identity import marked_alert_id, without_alert_id
from .errors import ConfigError, describe
from . import untyped
from .plan import LIST_PAGE_SIZE, missing_fields
from .retry import call_with_retries
from .workspace_paths import folder_key

DESTINATION_COLUMNS = ["destination_id", "destination_name", "destination_type", "databricks_destination_id",
                       "owner", "is_enabled", "addresses", "secret_env"]  # dbt_alerts.destination_columns()
SEVERITIES = ("CRITICAL", "WARNING", "INFO")
DEFAULT_SEVERITY = "INFO"  # of an alert whose display name does not start with "[<SEVERITY>] "
GENERATED_NAME = re.compile(r"\[(CRITICAL|WARNING|INFO)\] (.+)", re.DOTALL)
SYMBOLS = {operator: symbol for symbol, operator in OPERATOR_SYMBOLS.items() if symbol not in ("==", "<>")}
# Text Jinja would read: `{{`, `{%`, `{#`. A query holding one is written inside {% raw %}; an
# `{% endraw %}` inside the query itself is written as a Jinja string expression instead.
JINJA_START = re.compile(r"\{[{%#]")
ENDRAW = re.compile(r"\{%[-+]?\s*endraw\s*[-+]?%\}")
MAX_MODEL_NAME = 60


@dataclass
class ImportOptions:
    from_path: str
    domain: str
    project_dir: Path = Path(".")
    models_dir: Path | None = None  # default <first model path>/alerts/<domain lower>
    id_prefix: str | None = None  # default the domain
    dry_run: bool = False


@dataclass
class Imported:
    """One alert of the folder and what became of it."""

    display_name: str
    databricks_alert_id: str
    status: str  # WRITTEN (or, in a dry run, would be), CLASH, SKIPPED
    alert_id: str | None = None
    model: str | None = None
    model_path: str | None = None
    reason: str | None = None  # CLASH / SKIPPED: why; WRITTEN: None
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    from_path: str
    dry_run: bool
    alerts: list[Imported]
    catalog_path: str
    destinations_path: str
    destination_rows: list[dict[str, str]]  # rows added to the destinations seed
    notes: list[str]
    warehouses: list[str]  # the warehouses the folder's alerts run on
    catalog_rows: list[dict[str, str]] = field(default_factory=list)  # rows added to the catalog
    catalog_header: list[str] = field(default_factory=list)  # the catalog's header once they are

    @property
    def written(self) -> list[Imported]:
        return [a for a in self.alerts if a.status == "WRITTEN"]

    def as_json(self) -> dict[str, Any]:
        return {"from_path": self.from_path, "dry_run": self.dry_run, "catalog_path": self.catalog_path,
                "destinations_path": self.destinations_path, "alerts": [asdict(a) for a in self.alerts],
                "destination_rows": self.destination_rows, "notes": self.notes, "warehouses": self.warehouses,
                "summary": {s.lower(): sum(1 for a in self.alerts if a.status == s)
                            for s in ("WRITTEN", "CLASH", "SKIPPED")}}


# --- the project ------------------------------------------------------------------------------

# The default of the setting alerts_accepted_domains (dbt_alerts.alerts_default_config(), where
# defaults live; tests/test_no_hang.py holds the two equal): import reads the project without dbt.
DEFAULT_ACCEPTED_DOMAINS = ("COST", "SECURITY", "PERFORMANCE", "RELIABILITY", "QUALITY")


class ProjectLayout(NamedTuple):
    model_paths: list[Path]
    seed_paths: list[Path]
    snapshot_paths: list[Path]
    display_name_prefix: str  # the setting alerts_display_name_prefix when dbt_project.yml sets it plainly
    accepted_domains: tuple[str, ...] | None  # alerts_accepted_domains; None: set with Jinja, not known here


def project_layout(project_dir: Path) -> ProjectLayout:
    """Paths of a dbt project from its dbt_project.yml (dbt's defaults `models`, `seeds`,
    `snapshots`), and its alerts_display_name_prefix (the `dbt_alerts:` vars block, else the global
    vars; get_config_var's order without --vars). Read here rather than through dbt: no build is
    needed to import. A prefix written with Jinja (e.g. per target) is not known here: ''."""
    path = project_dir / "dbt_project.yml"
    if not path.exists():
        raise ConfigError(f"{path} not found: pass --project-dir with the dbt project to import into.")
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    variables = config.get("vars") or {}
    package_vars = variables.get("dbt_alerts") if isinstance(variables.get("dbt_alerts"), dict) else {}

    def setting(name: str, default: Any) -> Any:
        return package_vars.get(name, variables.get(name, default))

    prefix = setting("alerts_display_name_prefix", "") or ""
    prefix = prefix if isinstance(prefix, str) and "{" not in prefix else ""
    domains = setting("alerts_accepted_domains", DEFAULT_ACCEPTED_DOMAINS)
    domains = tuple(str(d).strip().upper() for d in domains) if isinstance(domains, (list, tuple)) and not any(
        "{" in str(d) for d in domains) else None
    paths = {key: [project_dir / p for p in config.get(key) or [default]]
             for key, default in (("model-paths", "models"), ("seed-paths", "seeds"), ("snapshot-paths", "snapshots"))}
    return ProjectLayout(paths["model-paths"], paths["seed-paths"], paths["snapshot-paths"], prefix, domains)


def check_domain(domain: str, layout: ProjectLayout, project_dir: Path) -> None:
    """--domain must be one the project accepts: dbt build would fail every imported row otherwise
    (macros/catalog/catalog_row_problems.sql)."""
    if layout.accepted_domains is None or domain in layout.accepted_domains:
        return
    raise ConfigError(f"--domain {domain}: the project accepts the domains {', '.join(layout.accepted_domains)} "
                      f"(setting alerts_accepted_domains): pick one of them, or add {domain} to "
                      f"alerts_accepted_domains under vars: dbt_alerts: in {project_dir / 'dbt_project.yml'}. "
                      f"Nothing was imported.")


def seed_file(seed_paths: list[Path], name: str) -> Path:
    """The seed `name`.csv where the project has it, else where a new one goes (first seed path)."""
    for directory in seed_paths:
        if (directory / f"{name}.csv").exists():
            return directory / f"{name}.csv"
    return seed_paths[0] / f"{name}.csv"


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not path.exists():
        return [], []
    header, rows = read_csv(path)  # a row of the wrong shape stops here: rewriting it would lose values
    return header, [values for _, values in rows]


def csv_text(header: list[str], rows: list[dict[str, str]], with_header: bool) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", extrasaction="ignore", restval="")
    if with_header:
        writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def append_rows(path: Path, header: list[str], existing_header: list[str], existing: list[dict[str, str]],
                rows: list[dict[str, str]]) -> None:
    """Append `rows`; a new file gets `header`. When `header` has columns the file lacks (the optional
    display_name), the file is rewritten with them, the existing rows' values unchanged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not existing_header or header != existing_header:
        path.write_text(csv_text(header, existing + rows, with_header=True), encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    with path.open("a", encoding="utf-8", newline="") as f:
        if text and not text.endswith("\n"):
            f.write("\n")
        f.write(csv_text(header, rows, with_header=False))


# --- names ------------------------------------------------------------------------------------

def slug(text: str) -> str:
    s = re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")[:MAX_MODEL_NAME].strip("_") or "alert"
    return f"alert_{s}" if s[0].isdigit() else s


def split_display_name(display_name: str) -> tuple[str, str, str]:
    """(severity, alert_name, display_name column): "[WARNING] Cost" -> (WARNING, Cost, ""), whose
    generated name is that display name again; any other name -> (INFO, the name, the name), the
    catalog's display_name column then keeping it exactly."""
    m = GENERATED_NAME.fullmatch(display_name)
    if m and m.group(2) == m.group(2).strip() and "\n" not in m.group(2):
        return m.group(1), m.group(2), ""
    return DEFAULT_SEVERITY, display_name.strip() or display_name, display_name


def next_ids(prefix: str, taken: set[str]):
    """PREFIX-001, PREFIX-002, ... after the highest PREFIX-<n> already in the catalog."""
    numbers = [int(m.group(1)) for t in taken if (m := re.fullmatch(re.escape(prefix) + r"-(\d+)", t))]
    n = max(numbers, default=0)
    while True:
        n += 1
        candidate = f"{prefix}-{n:03d}"
        if candidate not in taken:
            yield candidate


def model_text(query_text: str) -> str:
    """The alert model: the package's first line, then the query exactly. Text Jinja would read is
    kept verbatim inside {% raw %}, so dbt compiles the model back to the query itself."""
    if not JINJA_START.search(query_text):
        return "{{ dbt_alerts.alert_model() }}\n" + query_text + "\n"
    parts, last = [], 0
    for m in ENDRAW.finditer(query_text):
        parts.append("{% raw %}" + query_text[last:m.start()] + "{% endraw %}" + "{{ " + json.dumps(m.group(0)) + " }}")
        last = m.end()
    parts.append("{% raw %}" + query_text[last:] + "{% endraw %}")
    return "{{ dbt_alerts.alert_model() }}\n" + "".join(parts) + "\n"


# --- one alert -> one catalog row -------------------------------------------------------------

def _enum(value) -> str:
    return value.value if hasattr(value, "value") else str(value or "")


def _number(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def catalog_row(a: AlertV2, alert_id: str, model: str, domain: str, from_path: str,
                channel_of: Callable[[str], str | None], display_name_prefix: str = "") -> tuple[dict[str, str], list[str]]:
    """The catalog row whose alert (desired.build_alert) equals `a` field for field, and warnings
    for what cannot round-trip. `channel_of(databricks destination id)`: its destination_id in the
    destinations seed, or None when the workspace has no such destination. `display_name_prefix`:
    the project's alerts_display_name_prefix, which deploying puts back in front of the name."""
    warnings: list[str] = []
    ev = a.evaluation
    full_name = a.display_name or ""
    prefix = display_name_prefix if display_name_prefix and full_name.startswith(display_name_prefix) else ""
    severity, name, display_name = split_display_name(full_name[len(prefix):])
    operator = ev.comparison_operator
    value_type = value = ""
    threshold = ev.threshold
    if operator not in (ComparisonOperator.IS_NULL, ComparisonOperator.IS_NOT_NULL) and threshold is not None:
        if threshold.column is not None:
            value_type, value = "COLUMN", threshold.column.name or ""
            if threshold.column.aggregation != (ev.source.aggregation if ev.source else None):
                warnings.append(f"its threshold column {value} is aggregated as "
                                f"{_enum(threshold.column.aggregation) or 'nothing'} and its source column as "
                                f"{_enum(ev.source.aggregation) or 'nothing'}: the catalog aggregates both alike "
                                f"(aggregation_type), so the plan will show evaluation.threshold changing")
        elif threshold.value is not None:
            v = threshold.value
            if v.bool_value is not None:
                value_type, value = "BOOLEAN", "true" if v.bool_value else "false"
            elif v.double_value is not None:
                value_type, value = "DOUBLE", _number(v.double_value)
            else:
                value_type, value = "STRING", v.string_value or ""
    empty = _enum(ev.empty_result_state)
    if empty not in ("OK", "TRIGGERED", "ERROR"):
        warnings.append(f"empty_result_state is {empty or 'not set'}: imported as OK (the catalog needs OK, "
                        f"TRIGGERED or ERROR), so the plan will show it changing")
        empty = "OK"
    n = ev.notification
    channels: list[str] = []
    for s in (n.subscriptions if n else None) or []:
        if s.user_email:
            if EMAIL.fullmatch(s.user_email):
                channels.append(s.user_email)
            else:
                warnings.append(f"subscription user_email '{s.user_email}' is not an email address the catalog "
                                f"accepts: left out of notification_channels (the plan will show it removed)")
        elif s.destination_id:
            key = channel_of(s.destination_id)
            if key is None:
                warnings.append(f"subscription destination_id '{s.destination_id}' is not a notification destination "
                                f"of this workspace: left out of notification_channels (the plan will show it "
                                f"removed); add the destination and its row to the destinations seed to keep it")
            else:
                channels.append(key)
    schedule = a.schedule
    row = {
        "alert_id": alert_id, "alert_name": name,
        "alert_description": f"Imported by alert-sync import from {from_path} (alert {a.id}).",
        "agent_domain": domain, "severity": severity, "query_model": model,
        "threshold_column": ev.source.name if ev.source else "",
        "threshold_operator": SYMBOLS.get(operator, _enum(operator)),
        "threshold_value_type": value_type, "threshold_value": value,
        "aggregation_type": _enum(ev.source.aggregation) if ev.source and ev.source.aggregation else "",
        "empty_result_state": empty,
        "schedule_cron": schedule.quartz_cron_schedule or "", "schedule_timezone": schedule.timezone_id or "",
        "pause_status": _enum(schedule.pause_status) or "UNPAUSED",
        "is_enabled": "true", "notification_channels": ";".join(channels),
        "notify_on_ok": "true" if n and n.notify_on_ok else "false",
        "retrigger_seconds": str(n.retrigger_seconds) if n and n.retrigger_seconds else "",
        "custom_summary": a.custom_summary or "", "custom_description": a.custom_description or "",
        "owner": a.owner_user_name or "", "display_name": display_name,
    }
    parsed = CatalogRow(row, 0)
    if display_name_prefix + parsed.display_name != full_name:
        warnings.append(f"it deploys as '{display_name_prefix + parsed.display_name}' (catalog values are trimmed, and "
                        f"alerts_display_name_prefix is '{display_name_prefix}'): the plan will show display_name "
                        f"changing")
    return row, warnings


def unexpressible(a: AlertV2, workspace_destinations: dict[str, Any]) -> list[str]:
    """What of the alert no catalog row can hold, each naming the field and the fix: the import
    refuses such an alert rather than write a row whose plan would change it."""
    problems = []
    parameters = untyped.parameters_text(a)
    if parameters:
        problems.append(f"parameters ({parameters}): the catalog has no column for query parameters; write their "
                        f"values into the query (instead of :name) in the workspace and clear its parameters, then "
                        f"import again")
    template_format = untyped.template_format(a)
    if template_format != untyped.DEFAULT_TEMPLATE_FORMAT:
        problems.append(f"custom_template_format {template_format} (@VARIABLE placeholders): the catalog's "
                        f"custom_summary and custom_description are {untyped.DEFAULT_TEMPLATE_FORMAT} templates "
                        f"(Mustache {{{{VARIABLE}}}} placeholders); set the alert's template format back to "
                        f"{untyped.DEFAULT_TEMPLATE_FORMAT} in the workspace, then import again")
    n = a.evaluation.notification if a.evaluation else None
    for s in (n.subscriptions if n else None) or []:
        wd = workspace_destinations.get(s.destination_id) if s.destination_id else None
        problem = wd and unmanaged_type_problem(wd.display_name, wd.id, untyped.destination_type(wd))
        if problem:
            problems.append(f"subscription to destination {s.destination_id}: {problem}; subscribe the alert to "
                            f"another destination in the workspace, then import again")
    return problems


# --- the import -------------------------------------------------------------------------------

def list_folder(w: WorkspaceClient, from_path: str) -> list[AlertV2]:
    """The alerts directly in `from_path`, complete (each fetched when the list left a field out)."""
    try:
        call_with_retries(lambda: w.workspace.get_status(from_path))
    except (NotFound, ResourceDoesNotExist) as exc:
        raise ConfigError(f"--from-path {from_path}: the workspace has no such folder ({describe(exc)}). "
                          f"Give the folder that holds the alerts, e.g. /Workspace/Users/<you> or "
                          f"/Workspace/Shared/<team>/alerts.") from exc
    listed = call_with_retries(lambda: untyped.list_alerts(w, LIST_PAGE_SIZE))
    key = folder_key(from_path)
    out = []
    for a in listed:
        if a.parent_path is None:  # the list left it out: the alert itself says
            a = call_with_retries(lambda: untyped.get_alert(w, a.id))
        if folder_key(a.parent_path) != key:
            continue
        if missing_fields(a, needs_run_as=False):
            a = call_with_retries(lambda: untyped.get_alert(w, a.id))
        out.append(a)
    return out


def run_import(workspace: Callable[[], WorkspaceClient], options: ImportOptions) -> ImportResult:
    """Checks the project first, then makes the workspace client (`workspace()`) and imports."""
    domain = options.domain.strip().upper()
    if not domain:
        raise ConfigError("--domain is empty: give the agent_domain of the imported alerts, e.g. COST")
    prefix = (options.id_prefix or domain).strip()
    layout = project_layout(options.project_dir)
    check_domain(domain, layout, options.project_dir)
    model_paths, seed_paths = layout.model_paths, layout.seed_paths
    models_dir = options.models_dir or model_paths[0] / "alerts" / domain.lower()
    if not models_dir.is_absolute():
        models_dir = options.project_dir / models_dir if options.models_dir else models_dir
    catalog_path = seed_file(seed_paths, "alert_configurations")
    destinations_path = seed_file(seed_paths, "notification_destinations")
    catalog_header, catalog = read_rows(catalog_path)
    missing = [c for c in CATALOG_COLUMNS if catalog_header and c not in catalog_header]
    if missing:
        raise ConfigError(f"{catalog_path}: missing column(s) {', '.join(missing)}; the header must be: "
                          f"{','.join(CATALOG_COLUMNS)} (fix it before importing into it)")
    dest_header, dest_rows = read_rows(destinations_path)

    w = workspace()
    try:
        alerts = list_folder(w, options.from_path)
        if not alerts:
            raise ConfigError(f"--from-path {options.from_path} holds no alerts (alerts of its subfolders are not "
                              f"read): nothing to import.")
        needs_destinations = any(s.destination_id for a in alerts if a.evaluation and a.evaluation.notification
                                 for s in a.evaluation.notification.subscriptions or [])
        workspace_destinations = {d.id: d for d in call_with_retries(
            lambda: untyped.list_destinations(w))} if needs_destinations else {}
    except (PermissionDenied, Unauthenticated) as exc:
        raise ConfigError(f"The workspace refused the request ({describe(exc)}): check DATABRICKS_HOST / "
                          "DATABRICKS_TOKEN or --profile, and that you may read the folder's alerts.") from exc
    except ConfigError:
        raise
    except Exception as exc:  # unreachable host, persistent 5xx: nothing was written
        raise ConfigError(f"Cannot read the alerts of {options.from_path} from {w.config.host}: "
                          f"{describe(exc)}") from exc

    # What the project has: model and seed names (dbt wants them unique), catalog ids, models and names.
    existing_models = {p.stem: p for d in model_paths + seed_paths + layout.snapshot_paths if d.exists()
                       for p in [*d.rglob("*.sql"), *d.rglob("*.py"), *d.rglob("*.csv")]}
    catalog_models = {(r.get("query_model") or "").strip(): r for r in catalog}
    catalog_names = {CatalogRow(r, 0).display_name: r for r in catalog}
    ids = {(r.get("alert_id") or "").strip() for r in catalog}
    id_source = next_ids(prefix, ids)

    # Destinations: the seed's row of a workspace destination (by id, else by name), or a new row.
    seed_destinations = read_destinations(destinations_path)
    dest_keys = set(seed_destinations)
    new_dest_rows: list[dict[str, str]] = []
    key_of: dict[str, str] = {}

    def channel_of(databricks_id: str) -> str | None:
        if databricks_id in key_of:
            return key_of[databricks_id]
        wd = workspace_destinations.get(databricks_id)
        if wd is None:
            return None
        found = [d for d in seed_destinations.values() if d.databricks_destination_id == databricks_id] or \
            [d for d in seed_destinations.values() if not d.databricks_destination_id
             and d.destination_name == wd.display_name]
        if found:
            key_of[databricks_id] = found[0].destination_id
            return found[0].destination_id
        key, n = slug(wd.display_name or databricks_id), 1
        while key in dest_keys:
            n += 1
            key = f"{slug(wd.display_name or databricks_id)}_{n}"
        dest_keys.add(key)
        # The workspace never returns a destination's secret (url_set / integration_key_set): the row
        # names the destination by id, which is all alert-sync needs to subscribe alerts to it.
        new_dest_rows.append({"destination_id": key, "destination_name": wd.display_name or "",
                              "destination_type": untyped.destination_type(wd), "databricks_destination_id": databricks_id,
                              "owner": "", "is_enabled": "true", "addresses": "", "secret_env": ""})
        key_of[databricks_id] = key
        return key

    # Model names: the slug of the alert's name (without "[SEVERITY] "); an alert whose slug an earlier
    # alert of the folder (listing order: creation order) already has gets _2, _3, ...: every alert is
    # imported, and the report names each group of alerts that slugify alike.
    model_names: dict[str, str] = {}
    by_slug: dict[str, list[AlertV2]] = {}
    for a in alerts:
        base = slug(split_display_name(a.display_name or "")[1])
        name, n = base, 1
        while name in model_names.values():
            n += 1
            name = f"{base}_{n}"
        model_names[a.id] = name
        by_slug.setdefault(base, []).append(a)
    same_slug_notes = [f"{len(group)} alerts have names that make the same model name '{base}': "
                       + ", ".join(f"'{a.display_name}' -> {model_names[a.id]}" for a in group)
                       for base, group in by_slug.items() if len(group) > 1]

    result = ImportResult(options.from_path, options.dry_run, [], str(catalog_path), str(destinations_path), [],
                          same_slug_notes, sorted({a.warehouse_id for a in alerts if a.warehouse_id}))
    new_rows: list[dict[str, str]] = []
    files: list[tuple[Path, str]] = []
    for a in alerts:
        model = model_names[a.id]
        item = Imported(a.display_name or "", a.id, "WRITTEN", model=model)
        result.alerts.append(item)
        clash = (f"{existing_models[model].relative_to(options.project_dir)} exists"
                 if model in existing_models else
                 f"catalog row {catalog_models[model].get('alert_id')} already uses query_model {model}"
                 if model in catalog_models else
                 f"catalog row {catalog_names[a.display_name].get('alert_id')} already has this display name"
                 if a.display_name in catalog_names else None)
        if clash:
            item.status, item.reason = "CLASH", f"{clash}: skipped, nothing of the project changed"
            continue
        if deployed_condition(a.query_text) is not None:
            item.status, item.reason = "SKIPPED", (
                "its query was deployed by alert-sync with a compiled condition (it starts with "
                "'-- dbt_alerts condition:'): import it from the dbt project that deploys it, or adopt that "
                "project's catalog row instead")
            continue
        refused = unexpressible(a, workspace_destinations)
        if refused:
            item.status, item.reason = "SKIPPED", (
                f"the catalog cannot express its {'; its '.join(refused)}. Nothing of it was imported: importing it "
                f"would make the plan change it")
            continue
        # An alert another dbt project deployed names its catalog row (identity.py): keep that id when
        # it is free, so the plan adopts it as it is.
        marked = marked_alert_id(a.query_text)
        alert_id = marked if marked and marked not in ids else next(id_source)
        ids.add(alert_id)
        row, item.warnings = catalog_row(a, alert_id, model, domain, options.from_path, channel_of,
                                          layout.display_name_prefix)
        item.alert_id = row["alert_id"]
        path = models_dir / f"{model}.sql"
        item.model_path = str(path.relative_to(options.project_dir) if path.is_relative_to(options.project_dir)
                              else path)
        new_rows.append(row)
        files.append((path, model_text(without_alert_id(a.query_text))))
        existing_models[model] = path
    result.destination_rows, result.catalog_rows = new_dest_rows, new_rows
    if new_dest_rows:
        result.notes.append(
            f"{len(new_dest_rows)} destination row(s) added, naming each workspace destination by "
            f"databricks_destination_id; secret_env stays empty: the workspace never returns a webhook URL or "
            f"integration key, and alert-sync needs one only to create or rotate a destination")

    needs_display_name = any(r["display_name"] for r in new_rows)
    header = list(catalog_header or CATALOG_COLUMNS)
    if needs_display_name and "display_name" not in header:
        header.append("display_name")
        if catalog_header:
            result.notes.append(f"added the optional column display_name to {catalog_path.name} (empty for the "
                                f"existing rows): it keeps display names that are not '[SEVERITY] name'")
    result.catalog_header = header
    if not options.dry_run:
        for path, text in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as f:  # "x": never overwrite, even a file made meanwhile
                f.write(text)
        if new_rows:
            append_rows(catalog_path, header, catalog_header, catalog, new_rows)
        if new_dest_rows:
            append_rows(destinations_path, dest_header or DESTINATION_COLUMNS, dest_header, dest_rows, new_dest_rows)
    return result


def result_lines(result: ImportResult, project_dir: Path) -> list[str]:
    """The human report: what was (or would be) written, clashes and skips, then the next commands."""
    verb = "would write" if result.dry_run else "wrote"
    lines = [f"alert-sync import{' (dry run: nothing written)' if result.dry_run else ''}: "
             f"{len(result.alerts)} alert(s) in {result.from_path}", ""]
    for a in result.alerts:
        if a.status == "WRITTEN":
            lines.append(f"  + {a.alert_id}  {a.display_name}  -> {a.model_path}")
        else:
            lines.append(f"  ! {a.display_name}  ({a.status.lower()}): {a.reason}")
        for w in a.warnings:
            lines.append(f"      warning: {w}")
    for d in result.destination_rows:
        lines.append(f"  + destination {d['destination_id']}  {d['destination_name']} ({d['destination_type']}, "
                     f"{d['databricks_destination_id']})")
    for n in result.notes:
        lines.append(f"  note: {n}")
    written = len(result.written)
    if result.dry_run and result.catalog_rows:
        lines += ["", f"Catalog rows ({result.catalog_path}):"]
        lines += ["  " + line for line in csv_text(result.catalog_header, result.catalog_rows, True).splitlines()]
    lines.append("")
    lines.append(f"Imported: {verb} {written} model(s) and catalog row(s) ({result.catalog_path}), "
                 f"{len(result.destination_rows)} destination row(s); "
                 f"{sum(a.status == 'CLASH' for a in result.alerts)} clash(es), "
                 f"{sum(a.status == 'SKIPPED' for a in result.alerts)} skipped.")
    if len(result.warehouses) > 1:
        lines.append(f"  note: the alerts run on {len(result.warehouses)} warehouses ({', '.join(result.warehouses)}); "
                     f"alert-sync deploys all alerts of a target on one (alerts_warehouse_id): the plan will move "
                     f"the others")
    if written and not result.dry_run:
        warehouse = f" --warehouse-id {result.warehouses[0]}" if len(result.warehouses) == 1 else ""
        project = f" --project-dir {project_dir}" if project_dir != Path(".") else ""
        lines += ["", "Next (the folder becomes the managed folder: set vars alerts_parent_path: "
                      f"\"{result.from_path}\"" + (f" and alerts_warehouse_id: {result.warehouses[0]}"
                                                   if len(result.warehouses) == 1 else "")
                  + " in dbt_project.yml to keep it so):",
                  f"  dbt seed{project} --full-refresh --select alert_configurations notification_destinations",
                  f"  dbt build{project}",
                  f"  alert-sync plan{project} --parent-path {result.from_path}{warehouse}"
                  f"   # expect every imported alert unchanged"]
    return lines
