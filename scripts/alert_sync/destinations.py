"""Notification destinations from the seed: plan and apply them before the alerts that use them.

What the workspace API does [databricks-sdk 0.77 service/settings.py NotificationDestinationsAPI]:
- create / update / delete need a workspace admin; list and get work for users. A refusal is an
  ERROR of the alerts that use that destination (with the fix), never of the others.
- get returns `config` to workspace admins only [databricks-sdk settings.py NotificationDestination
  .config: "Only returns for users with workspace admin permissions."]. A non-admin deployer (often
  CI's service principal) so cannot see an EMAIL destination's addresses: such a destination is
  left as it is (NOOP, `unverified`) and the plan says once which ones it could not check and why,
  instead of planning an update the service would refuse.
- `config` wraps exactly one of email{addresses}, slack{url}, microsoft_teams{url},
  pagerduty{integration_key}, generic_webhook{url} (destination_type WEBHOOK). The type "can not be
  changed once set" (ListNotificationDestinationsResult.destination_type).
- A destination of a type the seed cannot name (DATABRICKS_APP_SLACK, DATABRICKS_APP_TEAMS: no
  databricks-sdk release up to 0.167 has them in DestinationType or a config class for them) is
  never planned as a change: a row that names one is an ERROR naming the destination and its type,
  read from the JSON (untyped.py), since the SDK's enum makes it None.
- Secrets are input-only: get/list answer `url_set: true` (`integration_key_set`...), never the
  value. So alert-sync cannot tell whether a secret changed. It writes one only when the destination
  is created, or when asked (`apply --rotate-secrets`); a no-op plan reads no secret destination.
  Nothing derived from a secret is kept anywhere. The Terraform provider cannot see secret drift
  either: its Read copies the secret from its state whenever `*_set` is true, and its Update resends
  the whole config (terraform-provider-databricks settings/resource_notification_destination.go,
  setStruct / Update); it marks every config block ForceNew, so a config change there replaces the
  destination.
- An update that carries `config` always carries the whole config, secret included (as the Terraform
  provider's Update does): whether the service keeps a secret that a PATCH with config leaves out is
  not documented. A rename sends display_name alone (PATCH needs at least one field).

Which destinations alert-sync manages: exactly the enabled rows of the seed. A row with a
databricks_destination_id is that destination (renamed when destination_name changes); a row
without one is the workspace destination of that display name, created when there is none. A
destination no row names is never read, changed or deleted (deleting rows' destinations is left to
an admin: removing a row only stops alert-sync from managing it).

The secret is read from the environment variable the row's secret_env names, only when a write
needs it, and goes only into the request to the notification-destinations API: it is never kept in
an action, printed, logged or written to the metrics.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote, quote_plus

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import PermissionDenied
from databricks.sdk.service.settings import (
    Config, EmailConfig, GenericWebhookConfig, MicrosoftTeamsConfig, NotificationDestination, PagerdutyConfig,
    SlackConfig,
)

from .catalog import DESTINATION_TYPES, SECRET_TYPES, Destination, destination_problem, secret_name
from .errors import describe
from .retry import call_with_retries, outcome_unknown
from .untyped import destination_type

CREATE, UPDATE, NOOP, ERROR = "CREATE", "UPDATE", "NOOP", "ERROR"
WRITES = (CREATE, UPDATE)

# destination_type -> (settings.Config field, its class, the field holding the secret) [SDK settings.py]
SECRET_CONFIG = {
    "SLACK": ("slack", SlackConfig, "url"),
    "MICROSOFT_TEAMS": ("microsoft_teams", MicrosoftTeamsConfig, "url"),
    "PAGERDUTY": ("pagerduty", PagerdutyConfig, "integration_key"),
    "WEBHOOK": ("generic_webhook", GenericWebhookConfig, "url"),
}
ADMIN_FIX = ("Creating and updating notification destinations needs a workspace admin [Databricks "
             "NotificationDestinationsAPI]: run `alert-sync apply` once as a workspace admin, or ask one to create "
             "the destination and put its id in databricks_destination_id.")
SECRET_SHOWN = "(secret from ${})"  # how a secret appears in a plan: the variable's name, never its value


@dataclass
class DestinationAction:
    """What apply does to one enabled destination of the seed. Holds no secret."""

    destination_id: str  # the seed's key
    action: str  # CREATE, UPDATE, NOOP, ERROR
    display_name: str
    destination_type: str
    databricks_destination_id: str | None = None
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, old, new), secrets shown by name
    addresses: tuple[str, ...] = ()
    secret_env: str = ""
    send_config: bool = False  # the write carries config (addresses, or the secret)
    error: str | None = None
    unverified: bool = False  # its addresses could not be compared: get returned no config (not an admin)
    status: str = "PLANNED"  # PLANNED, then SUCCESS or ERROR once applied

    @property
    def changed_fields(self) -> list[str]:
        return [path for path, _, _ in self.changes]

    def as_json(self) -> dict[str, Any]:
        return {"destination_id": self.destination_id, "action": self.action, "destination_type": self.destination_type,
                "display_name": self.display_name, "databricks_destination_id": self.databricks_destination_id,
                "changed_fields": self.changed_fields, "error": self.error}


def _error(d: Destination, message: str, databricks_id: str | None = None) -> DestinationAction:
    return DestinationAction(d.destination_id, ERROR, d.destination_name, d.destination_type, databricks_id,
                             error=message)


def secret_value(env: Mapping[str, str], variable: str) -> str:
    """The secret in `variable`, without the surrounding whitespace a secret store may keep (a
    trailing newline is not part of a webhook URL or key)."""
    return (env.get(variable) or "").strip() if variable else ""


def mask_secret(text: str, secret: str, variable: str) -> str:
    """`text` with every form the service might echo the secret in (as sent, JSON-escaped,
    URL-encoded) replaced by the variable's name."""
    if not secret:
        return text
    escaped = json.dumps(secret)[1:-1]
    forms = {secret, escaped, escaped.replace("/", "\\/"), quote(secret, safe=""), quote_plus(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, f"${variable}")
    return text


def missing_secret(d: Destination, env: Mapping[str, str]) -> str | None:
    if d.destination_type not in SECRET_TYPES or secret_value(env, d.secret_env):
        return None
    return (f"environment variable {d.secret_env} (secret_env of destination '{d.destination_id}') is not set: export "
            f"it with the destination's {secret_name(d.destination_type)} before `alert-sync apply` (e.g. from your "
            f"CI's secret store); the value is sent only to the notification-destinations API")


def plan_destinations(destinations: dict[str, Destination], listed: Callable[[], list],
                      get: Callable[[str], NotificationDestination], env: Mapping[str, str] = os.environ,
                      rotate_secrets: bool = False) -> list[DestinationAction]:
    """One action per enabled row of the seed. `listed()`: the workspace's destinations (id,
    display_name, destination_type); `get(id)`: one destination with its config, called only for
    an EMAIL destination whose addresses the seed gives (the list has no config)."""
    actions = []
    for d in destinations.values():
        if not d.is_enabled or d.problem:
            continue  # the resolver reports these to the alerts that use them
        problem = destination_problem(d)
        if problem:
            actions.append(_error(d, f"seeds/notification_destinations.csv row '{d.destination_id}': {problem}"))
            continue
        workspace = listed()
        if d.databricks_destination_id:
            found = [w for w in workspace if w.id == d.databricks_destination_id]
            if not found:
                actions.append(_error(d, (
                    f"databricks_destination_id '{d.databricks_destination_id}' in seeds/notification_destinations.csv "
                    f"is not a notification destination of this workspace; correct it, or leave it empty to look the "
                    f"destination up (or create it) by destination_name '{d.destination_name}'")))
                continue
        else:
            found = [w for w in workspace if w.display_name == d.destination_name]
            if len(found) > 1:
                actions.append(_error(d, (
                    f"{len(found)} workspace destinations are named '{d.destination_name}'; set databricks_destination_id "
                    f"in seeds/notification_destinations.csv to pick one ({', '.join(w.id for w in found)})")))
                continue
        if not found:
            secret_problem = missing_secret(d, env)
            if secret_problem:
                actions.append(_error(d, f"cannot create destination '{d.destination_name}': {secret_problem}"))
                continue
            changes = ([("config.email.addresses", None, list(d.addresses))] if d.destination_type == "EMAIL" else
                       [(f"config.{SECRET_CONFIG[d.destination_type][0]}.{SECRET_CONFIG[d.destination_type][2]}",
                         None, SECRET_SHOWN.format(d.secret_env))])
            actions.append(DestinationAction(d.destination_id, CREATE, d.destination_name, d.destination_type,
                                             changes=changes, addresses=d.addresses, secret_env=d.secret_env,
                                             send_config=True))
            continue
        actions.append(_diff(d, found[0], get, env, rotate_secrets))
    return actions


def unmanaged_type_problem(display_name: str, destination_id: str, kind: str) -> str | None:
    """Why a workspace destination of a type the seed cannot name (e.g. DATABRICKS_APP_SLACK,
    DATABRICKS_APP_TEAMS: Slack / Teams through a Databricks app) is out of alert-sync's reach, or None.
    Its config is in no databricks-sdk release (Config has email, slack, generic_webhook,
    microsoft_teams, pagerduty only, up to 0.167), so alert-sync can neither compare nor write it."""
    if kind in DESTINATION_TYPES:
        return None
    return (f"workspace destination '{display_name}' ({destination_id}) is a {kind or 'untyped'} destination; "
            f"alert-sync manages only {', '.join(DESTINATION_TYPES)} destinations (the destination_type values of "
            f"seeds/notification_destinations.csv), and the databricks-sdk has no config class for this type")


def _diff(d: Destination, current, get: Callable[[str], NotificationDestination], env: Mapping[str, str],
          rotate_secrets: bool) -> DestinationAction:
    kind = destination_type(current)
    unmanaged = unmanaged_type_problem(current.display_name, current.id, kind)
    if unmanaged:
        return _error(d, (
            f"{unmanaged}: seed row '{d.destination_id}' cannot name it. Subscribe the alerts to an EMAIL, SLACK, "
            f"WEBHOOK, MICROSOFT_TEAMS or PAGERDUTY destination instead, or give the row another destination_name "
            f"(alert-sync then creates a new {d.destination_type} destination)"), current.id)
    if kind != d.destination_type:
        return _error(d, (
            f"workspace destination '{current.display_name}' ({current.id}) is a {kind} destination, the "
            f"seed says {d.destination_type}; a destination's type cannot be changed: correct destination_type, or "
            f"give the row another destination_name (alert-sync then creates a new destination)"), current.id)
    changes: list[tuple[str, Any, Any]] = []
    send_config = False
    if current.display_name != d.destination_name:
        changes.append(("display_name", current.display_name, d.destination_name))
    unverified = False
    if d.destination_type == "EMAIL" and d.addresses:
        config = get(current.id).config
        old = list((config.email.addresses if config and config.email else None) or [])
        if config is None:  # not returned to a non-admin: nothing to compare, so no change planned
            unverified = True
        elif sorted(old) != sorted(d.addresses):
            changes.append(("config.email.addresses", old, list(d.addresses)))
            send_config = True
    elif d.destination_type in SECRET_TYPES and d.secret_env and rotate_secrets:
        # Without --rotate-secrets an existing destination's secret is left alone, unread: the API
        # cannot say whether it still equals the variable, and a destination without `url_set`
        # may be configured otherwise (a Slack app's oauth_token), which a "fix" would overwrite.
        kind, _, secret = SECRET_CONFIG[d.destination_type]
        changes.append((f"config.{kind}.{secret}", "(set)", SECRET_SHOWN.format(d.secret_env)))
        send_config = True
    if send_config:
        problem = missing_secret(d, env)
        if problem:
            return _error(d, f"cannot update destination '{d.destination_name}': {problem}", current.id)
    return DestinationAction(d.destination_id, UPDATE if changes else NOOP, d.destination_name, d.destination_type,
                             current.id, changes, d.addresses, d.secret_env, send_config, unverified=unverified)


def unverified_note(actions: Iterable[DestinationAction]) -> str | None:
    """The plan's one note on the destinations whose addresses it could not compare, or None."""
    names = [f"{a.destination_id} ('{a.display_name}')" for a in actions if a.unverified]
    if not names:
        return None
    return (f"cannot verify the addresses of notification destination(s) {', '.join(names)}: the "
            f"notification-destinations API returns a destination's config to workspace admins only, so they are "
            f"left as they are; run `alert-sync plan` as a workspace admin to compare them with the seed")


def build_config(action: DestinationAction, env: Mapping[str, str]) -> Config:
    """The settings.Config a write sends; the secret is read from the environment here, at the last
    moment, and lives only in this object (never printed: dataclass reprs would show it)."""
    if action.destination_type == "EMAIL":
        return Config(email=EmailConfig(addresses=list(action.addresses)))
    kind, cls, secret = SECRET_CONFIG[action.destination_type]
    return Config(**{kind: cls(**{secret: secret_value(env, action.secret_env)})})


def apply_destinations(w: WorkspaceClient, actions: list[DestinationAction], env: Mapping[str, str] = os.environ,
                       dry_run: bool = False) -> list[DestinationAction]:
    """Execute the writes of a destination plan, one by one (a handful per workspace). Each action
    ends SUCCESS (with the destination's id) or ERROR (why, with the fix); the others go on."""
    for a in actions:
        if a.action not in WRITES or dry_run:
            a.status = "ERROR" if a.action == ERROR else "SUCCESS"
            continue
        try:
            if a.action == CREATE:
                a.databricks_destination_id = _create(w, a, env).id
            else:
                config = build_config(a, env) if a.send_config else None
                display_name = a.display_name if "display_name" in a.changed_fields else None
                call_with_retries(lambda: w.notification_destinations.update(
                    a.databricks_destination_id, config=config, display_name=display_name))
            a.status = "SUCCESS"
        except Exception as exc:  # any refusal is this destination's, and its alerts' ERROR
            fix = f" {ADMIN_FIX}" if isinstance(exc, PermissionDenied) else ""
            verb = "create" if a.action == CREATE else "update"
            # A service that echoes the URL back in its error must not get it printed: masked
            # before describe() collapses whitespace, which could split it from its raw form.
            reason = describe(mask_secret(str(exc), secret_value(env, a.secret_env), a.secret_env))
            if getattr(exc, "error_code", None) and exc.error_code not in reason:
                reason = f"{exc.error_code}: {reason}"
            a.status, a.error = "ERROR", f"cannot {verb} notification destination '{a.display_name}': {reason}.{fix}"
    return actions


def _create(w: WorkspaceClient, a: DestinationAction, env: Mapping[str, str]) -> NotificationDestination:
    """POST once; when its outcome is unknown (the server may have committed it) adopt the
    destination of that name if one landed, else send it again (as apply.py does for alerts)."""
    def attempt():
        try:
            return w.notification_destinations.create(config=build_config(a, env), display_name=a.display_name)
        except Exception as exc:
            if not outcome_unknown(exc):
                raise
            landed = [d for d in w.notification_destinations.list() if d.display_name == a.display_name]
            if landed:
                return landed[0]
            raise

    return call_with_retries(attempt)


def destination_lines(actions: Iterable[DestinationAction], show_noop: bool = False) -> list[str]:
    """The plan/apply text of destination actions, like the alerts' (secrets by variable name only)."""
    symbols = {CREATE: "+", UPDATE: "~", NOOP: " ", ERROR: "!"}
    verbs = {CREATE: "create", UPDATE: "update", NOOP: "unchanged", ERROR: "error"}
    lines = []
    for a in actions:
        action = ERROR if a.status == "ERROR" else a.action
        if action == NOOP and not show_noop:
            continue
        lines.append(f"  {symbols[action]} destination {a.destination_id}  {a.display_name} ({a.destination_type}, "
                     f"{verbs[action]})")
        if action == ERROR:
            lines.append(f"      {a.error}")
            continue
        for path, old, new in a.changes:
            lines.append(f"      {path}: {_fmt(old)} -> {_fmt(new)}")
    return lines


def _fmt(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return value if value.startswith("(") else repr(value)


def destination_summary(actions: Iterable[DestinationAction]) -> dict[str, int]:
    actions = list(actions)

    def count(kind: str) -> int:
        return sum(1 for a in actions if a.action == kind and a.status != "ERROR")

    return {"total": len(actions), "created": count(CREATE), "updated": count(UPDATE), "unchanged": count(NOOP),
            "errors": sum(1 for a in actions if a.action == ERROR or a.status == "ERROR")}
