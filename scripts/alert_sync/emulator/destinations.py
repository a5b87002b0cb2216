"""Notification destinations [SDK settings.py]: config checking, secret redaction and the
/api/2.0/notification-destinations endpoints (create, list, get, update, delete; writes need a
workspace admin, and only an admin's GET shows the config: see ``non_admin_tokens`` of the Emulator). Nothing here logs a request body."""

from __future__ import annotations

import copy
import json
import re
import uuid

from .api import ApiError, invalid, malformed_body, paginate
from .state import Store

DESTINATION_TYPES = {  # Config field -> DestinationType [SDK settings.Config / DestinationType]
    "email": "EMAIL", "slack": "SLACK", "generic_webhook": "WEBHOOK",
    "microsoft_teams": "MICROSOFT_TEAMS", "pagerduty": "PAGERDUTY",
}
# Types whose config no databricks-sdk release describes (settings.Config up to 0.167 has the five
# above): Slack and Microsoft Teams through a Databricks app, named as the service lists them (issue
# 19) [ASSUME: their config's shape is not public]. Only add_destination (tests, demo) makes one,
# with no config to show; the create endpoint, like the SDK's Config, cannot describe them.
APP_DESTINATION_TYPES = ("DATABRICKS_APP_SLACK", "DATABRICKS_APP_TEAMS")
# Input fields of each nested config [SDK]; every one but email.addresses is [Input-Only].
DESTINATION_FIELDS = {
    "email": ("addresses",),
    "slack": ("url", "channel_id", "oauth_token"),
    "generic_webhook": ("url", "username", "password"),
    "microsoft_teams": ("url", "app_id", "auth_secret", "channel_url", "tenant_id"),
    "pagerduty": ("integration_key",),
}
# [ASSUME] the minimum a destination needs to be usable
DESTINATION_REQUIRED = {"email": ("addresses",), "slack": ("url", "oauth_token"),
                        "generic_webhook": ("url",), "microsoft_teams": ("url", "channel_url"),
                        "pagerduty": ("integration_key",)}


def check_destination_config(config) -> tuple[str, dict]:
    """Validates a destination ``config``; returns (DestinationType, cleaned config)."""
    if not isinstance(config, dict):
        raise invalid("config: required field is missing")
    kinds = [k for k in config if config[k] is not None]
    unknown = [k for k in kinds if k not in DESTINATION_TYPES]
    if unknown:
        raise invalid(f"config.{unknown[0]}: unknown field")
    # [SDK] "Must wrap EXACTLY one of the nested configs."
    if len(kinds) != 1:
        raise invalid(f"config: exactly one of {', '.join(DESTINATION_TYPES)} must be set")
    kind = kinds[0]
    inner = config[kind]
    if not isinstance(inner, dict):
        raise invalid(f"config.{kind}: expected an object")
    cleaned = {}
    for key, value in inner.items():
        if value is None or key.endswith("_set") and key[:-4] in DESTINATION_FIELDS[kind]:
            continue  # *_set flags are output only: ignored on input
        if key not in DESTINATION_FIELDS[kind]:
            raise invalid(f"config.{kind}.{key}: unknown field")
        if kind == "email":
            if not isinstance(value, list) or not all(
                    isinstance(a, str) and re.fullmatch(r"[^@\s]+@[^@\s]+", a) for a in value):
                raise invalid("config.email.addresses: expected a list of email addresses")
        elif not isinstance(value, str):
            raise invalid(f"config.{kind}.{key}: expected str, got {json.dumps(value)}")
        cleaned[key] = value
    if not any(cleaned.get(k) for k in DESTINATION_REQUIRED[kind]):
        raise invalid(f"config.{kind}: {' or '.join(DESTINATION_REQUIRED[kind])} is required")
    return DESTINATION_TYPES[kind], {kind: cleaned}


def redact_config(config: dict) -> dict:
    """[SDK] secrets are [Input-Only]; responses carry ``<field>_set: true`` instead."""
    out = {}
    for kind, inner in config.items():
        if kind == "email":
            out[kind] = copy.deepcopy(inner)
        else:
            out[kind] = {f"{k}_set": True for k, v in inner.items() if v}
    return out


class DestinationEndpoints(Store):
    """/api/2.0/notification-destinations, plus direct access for tests and the demo."""

    def add_destination(self, display_name: str, destination_type: str = "EMAIL",
                        config: dict | None = None, destination_id: str | None = None) -> dict:
        """Seed a notification destination; returns it as GET would."""
        if destination_type in APP_DESTINATION_TYPES:
            with self._lock:
                dest = {"id": destination_id or str(uuid.uuid4()), "display_name": display_name,
                        "destination_type": destination_type, "config": {}}
                self._store_destination(dest)
                self._save()
                return self._destination_view(dest)
        if config is None:
            config = {
                "EMAIL": {"email": {"addresses": [self.user]}},
                "SLACK": {"slack": {"url": "https://hooks.slack.invalid/emulator"}},
                "WEBHOOK": {"generic_webhook": {"url": "https://webhook.invalid/emulator"}},
                "MICROSOFT_TEAMS": {"microsoft_teams": {"url": "https://teams.invalid/emulator"}},
                "PAGERDUTY": {"pagerduty": {"integration_key": "emulator-key"}},
            }[destination_type]
        derived, config = check_destination_config(config)
        if derived != destination_type:
            raise ValueError(f"config is a {derived} destination, not {destination_type}")
        with self._lock:
            dest = {"id": destination_id or str(uuid.uuid4()), "display_name": display_name,
                    "destination_type": derived, "config": copy.deepcopy(config)}
            self._store_destination(dest)
            self._save()
            return self._destination_view(dest)

    def destinations(self) -> list[dict]:
        with self._lock:
            return [self._destination_view(r["destination"])
                    for r in sorted(self._destinations.values(), key=lambda r: r["seq"])]

    # -- endpoints -----------------------------------------------------------------------------
    @staticmethod
    def _destination_view(dest: dict) -> dict:
        view = {"id": dest["id"], "display_name": dest["display_name"], "destination_type": dest["destination_type"]}
        if dest["config"]:  # an app destination has none to show
            view["config"] = redact_config(dest["config"])
        return view

    def _create_destination(self, query, body):
        if not isinstance(body, dict):
            raise malformed_body()
        unknown = set(body) - {"display_name", "config"}
        if unknown:
            raise invalid(f"{sorted(unknown)[0]}: unknown field")
        name = body.get("display_name")
        if not isinstance(name, str) or not name.strip():
            raise invalid("display_name: required field is missing or empty")
        destination_type, config = check_destination_config(body.get("config"))
        with self._lock:
            dest = {"id": str(uuid.uuid4()), "display_name": name,
                    "destination_type": destination_type, "config": config}
            self._store_destination(dest)
            self._bump("writes")
            self._save()
            return self._destination_view(dest)

    def _update_destination(self, destination_id, query, body):
        """PATCH: [SDK] "At least one field is required"; display_name replaces the name, config
        replaces the whole config. [ASSUME] strict reading of what the SDK leaves open: a secret
        the new config leaves out is unset (clients resend it, as the Terraform provider's Update
        does), and the type cannot change ([SDK] "The type can not be changed once set")."""
        if not isinstance(body, dict):
            raise malformed_body()
        unknown = set(body) - {"display_name", "config", "id"}
        if unknown:
            raise invalid(f"{sorted(unknown)[0]}: unknown field")
        if body.get("display_name") is None and body.get("config") is None:
            raise invalid("At least one field is required: display_name or config")
        name = body.get("display_name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise invalid("display_name: must not be empty")
        config = None
        if body.get("config") is not None:
            destination_type, config = check_destination_config(body["config"])
        with self._lock:
            record = self._destinations.get(destination_id)
            if record is None:
                raise ApiError(404, "NOT_FOUND",
                               f"Notification destination {destination_id} does not exist.")
            dest = record["destination"]
            if config is not None and dest["destination_type"] in APP_DESTINATION_TYPES:
                raise invalid(f"config: a {dest['destination_type']} destination's config cannot be set here")
            if config is not None and destination_type != dest["destination_type"]:
                raise invalid(f"config: the destination type cannot be changed from "
                              f"{dest['destination_type']} to {destination_type}")
            if name is not None:
                dest["display_name"] = name
            if config is not None:
                dest["config"] = config
            self._bump("writes")
            self._save()
            return self._destination_view(dest)

    def _delete_destination(self, destination_id, query):
        with self._lock:
            if self._destinations.pop(destination_id, None) is None:
                raise ApiError(404, "NOT_FOUND",
                               f"Notification destination {destination_id} does not exist.")
            self._bump("writes")
            self._save()
            return {}

    def _list_destinations(self, query):
        with self._lock:
            records = sorted(self._destinations.values(), key=lambda r: r["seq"])
            page, token = paginate(records, query, lambda r: ("", r["seq"]))
            response = {"results": [{k: r["destination"][k]
                                     for k in ("id", "display_name", "destination_type")}
                                    for r in page]}
            if token:
                response["next_page_token"] = token
            return response

    @staticmethod
    def _as_seen_by_non_admin(template, payload):
        """[SDK settings.py NotificationDestination.config] "Only returns for users with workspace
        admin permissions": a non-admin's GET has id, display_name and destination_type only (the
        list never has config). Writes are refused before this (Emulator._authenticate)."""
        if template == "/api/2.0/notification-destinations/{id}" and isinstance(payload, dict):
            return {k: v for k, v in payload.items() if k != "config"}
        return payload

    def _get_destination(self, destination_id, query):
        with self._lock:
            record = self._destinations.get(destination_id)
            if record is None:
                raise ApiError(404, "NOT_FOUND",
                               f"Notification destination {destination_id} does not exist.")
            return self._destination_view(record["destination"])
