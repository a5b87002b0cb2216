"""What the service returns that the installed databricks-sdk's classes drop.

`AlertV2.from_dict` keeps only the fields its SDK release knows, and an enum value it does not know
becomes None (databricks-sdk service/_internal.py `_enum`: "Unknown enum values are returned as
None"). Of what the plan and the import must see:
- AlertV2 `parameters` (named scalar parameters, `:name` in query_text): typed from databricks-sdk
  0.123 (AlertStatementParameter); databricks-sdk 0.77 (this repo's pin) drops it.
- AlertV2 `custom_template_format` (HTML: Mustache `{{VARIABLE}}` placeholders, the only format
  before the field existed; MARKDOWN: `@VARIABLE` placeholders): in the Alerts v2 API (the JavaScript
  SDK's alerts v2 CustomTemplateFormat), in no Python SDK release up to 0.167.
- NotificationDestination `destination_type` values other than the five of the SDK's
  DestinationType (EMAIL, SLACK, WEBHOOK, MICROSOFT_TEAMS, PAGERDUTY), e.g. DATABRICKS_APP_SLACK
  and DATABRICKS_APP_TEAMS: None in every Python SDK release up to 0.167.

So these are read from the JSON answers themselves. The requests stay the SDK's own (its methods
with their headers, through its API client with its auth, retries and typed errors): the client is
wrapped so that each answer is also kept, and the typed objects are parsed from it exactly as the
SDK does. The untyped values ride on each typed object as the attribute `untyped` (a dict).
"""

from __future__ import annotations

from typing import Any

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.settings import NotificationDestinationsAPI
from databricks.sdk.service.sql import AlertsV2API, AlertV2

ALERT_FIELDS = ("parameters", "custom_template_format")  # AlertV2 fields kept from the JSON
DEFAULT_TEMPLATE_FORMAT = "HTML"  # what an alert without custom_template_format uses [ASSUME: the format of
# custom_summary / custom_description before the field existed, AlertV2 docstring "support mustache template"]


class _KeepAnswers:
    """The SDK's ApiClient, with every JSON answer of `do` kept in order."""

    def __init__(self, api_client):
        self._api_client = api_client
        self.answers: list[dict] = []

    def __getattr__(self, name: str) -> Any:  # _cfg and the rest: the real client's
        return getattr(self._api_client, name)

    def do(self, *args, **kwargs):
        answer = self._api_client.do(*args, **kwargs)
        self.answers.append(answer if isinstance(answer, dict) else {})
        return answer


def alert_from_json(d: dict) -> AlertV2:
    """The typed alert, with the untyped fields (those set) in `untyped`."""
    a = AlertV2.from_dict(d)
    a.untyped = {k: d[k] for k in ALERT_FIELDS if d.get(k) not in (None, "", [])}
    return a


def list_alerts(w: WorkspaceClient, page_size: int) -> list[AlertV2]:
    """AlertsV2API.list_alerts, every page read (call it inside one retry: a retried listing starts over)."""
    keep = _KeepAnswers(w.api_client)
    for _ in AlertsV2API(keep).list_alerts(page_size=page_size):
        pass
    return [alert_from_json(v) for answer in keep.answers for v in answer.get("alerts") or []]


def get_alert(w: WorkspaceClient, alert_id: str) -> AlertV2:
    keep = _KeepAnswers(w.api_client)
    AlertsV2API(keep).get_alert(alert_id)
    return alert_from_json(keep.answers[-1])


def untyped(a: Any) -> dict:
    """The untyped fields of an alert read here; {} for one built from the catalog."""
    return getattr(a, "untyped", None) or {}


def parameters_text(a: AlertV2) -> str:
    """An alert's parameters for people and for the diff: "min_cost DOUBLE = '5000', ..." ('' for none)."""
    params = untyped(a).get("parameters") or []
    return ", ".join(f"{p.get('name')} {p.get('type') or 'STRING'} = "
                     + ("NULL" if p.get("value") is None else repr(p.get("value"))) for p in params
                     if isinstance(p, dict))


def template_format(a: AlertV2) -> str:
    return str(untyped(a).get("custom_template_format") or DEFAULT_TEMPLATE_FORMAT)


def list_destinations(w: WorkspaceClient) -> list:
    """NotificationDestinationsAPI.list, each result with its destination_type as the service wrote it
    in `untyped["destination_type"]` (a type the SDK does not know is None in the typed field)."""
    keep = _KeepAnswers(w.api_client)
    listed = list(NotificationDestinationsAPI(keep).list())
    raw = {v.get("id"): v for answer in keep.answers for v in answer.get("results") or []}
    for d in listed:
        d.untyped = {"destination_type": (raw.get(d.id) or {}).get("destination_type") or ""}
    return listed


def destination_type(d: Any) -> str:
    """A destination's type as the service wrote it (the typed enum's value when read otherwise)."""
    raw = untyped(d).get("destination_type")
    if raw:
        return raw
    t = getattr(d, "destination_type", None)
    return t.value if hasattr(t, "value") else str(t or "")
