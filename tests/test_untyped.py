"""untyped.py: what the service returns that the installed databricks-sdk's classes drop (AlertV2
parameters and custom_template_format, destination types the SDK's enum lacks) is read from the JSON,
while the requests stay exactly the SDK's own. And import refuses, naming the alert's field, what no
catalog row can hold. Unit tests: a recording stand-in for the SDK's API client, no HTTP."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
from databricks.sdk.service.settings import NotificationDestinationsAPI
from databricks.sdk.service.sql import AlertsV2API

from alert_sync import untyped
from alert_sync.importer import unexpressible

pytestmark = pytest.mark.unit

ALERT = {"id": "a1", "display_name": "[WARNING] Bound", "query_text": "select :min_cost as n", "warehouse_id": "w",
         "parent_path": "/Workspace/f", "schedule": {"quartz_cron_schedule": "0 0 * * * ?", "timezone_id": "UTC"},
         "evaluation": {"source": {"name": "n"}, "comparison_operator": "GREATER_THAN",
                        "notification": {"subscriptions": [{"destination_id": "app-1"}, {"user_email": "a@x.io"}]}},
         "parameters": [{"name": "min_cost", "type": "DOUBLE", "value": "5000"}, {"name": "team"}],
         "custom_template_format": "MARKDOWN", "custom_summary": "@ALERT_NAME fired"}


class Recording:
    """An ApiClient stand-in: answers GETs from `pages` (by page_token) and records every call."""

    def __init__(self, pages: dict):
        self.pages, self.calls = pages, []
        self._cfg = SimpleNamespace(workspace_id="1234")  # newer SDK methods add a header from it

    def do(self, method, path, query=None, headers=None, body=None):
        self.calls.append((method, path, copy.deepcopy(query), copy.deepcopy(headers)))
        return copy.deepcopy(self.pages[(query or {}).get("page_token")])


def test_alerts_are_listed_with_the_sdks_own_requests_and_keep_what_its_class_drops():
    pages = {None: {"alerts": [ALERT], "next_page_token": "p2"},
             "p2": {"alerts": [{**ALERT, "id": "a2", "parameters": [], "custom_template_format": "HTML"}]}}
    ours, sdks = Recording(pages), Recording(pages)
    alerts = untyped.list_alerts(SimpleNamespace(api_client=ours), 100)
    list(AlertsV2API(sdks).list_alerts(page_size=100))
    assert ours.calls == sdks.calls and len(ours.calls) == 2  # same requests, headers included
    assert [a.id for a in alerts] == ["a1", "a2"] and alerts[0].display_name == "[WARNING] Bound"
    assert untyped.parameters_text(alerts[0]) == "min_cost DOUBLE = '5000', team STRING = NULL"
    assert untyped.template_format(alerts[0]) == "MARKDOWN"
    assert (untyped.parameters_text(alerts[1]), untyped.template_format(alerts[1])) == ("", "HTML")


def test_get_alert_is_the_sdks_request_with_the_untyped_fields_kept():
    ours, sdks = Recording({None: ALERT}), Recording({None: ALERT})
    alert = untyped.get_alert(SimpleNamespace(api_client=ours), "a1")
    AlertsV2API(sdks).get_alert("a1")
    assert ours.calls == sdks.calls
    assert alert.untyped == {"parameters": ALERT["parameters"], "custom_template_format": "MARKDOWN"}


def test_a_destination_type_the_sdks_enum_lacks_is_read_from_the_json():
    pages = {None: {"results": [{"id": "app-1", "display_name": "Ops Slack", "destination_type": "DATABRICKS_APP_SLACK"},
                                {"id": "e-1", "display_name": "Ops mail", "destination_type": "EMAIL"}]}}
    ours, sdks = Recording(pages), Recording(pages)
    listed = untyped.list_destinations(SimpleNamespace(api_client=ours))
    list(NotificationDestinationsAPI(sdks).list())
    assert ours.calls == sdks.calls
    assert [untyped.destination_type(d) for d in listed] == ["DATABRICKS_APP_SLACK", "EMAIL"]


def test_import_refuses_what_no_catalog_row_can_hold_naming_each_field():
    alert = untyped.alert_from_json(ALERT)
    app = SimpleNamespace(id="app-1", display_name="Ops Slack", untyped={"destination_type": "DATABRICKS_APP_SLACK"})
    problems = unexpressible(alert, {"app-1": app})
    assert len(problems) == 3
    assert problems[0].startswith("parameters (min_cost DOUBLE = '5000', team STRING = NULL): the catalog has no "
                                  "column for query parameters")
    assert problems[1].startswith("custom_template_format MARKDOWN (@VARIABLE placeholders)")
    assert problems[2].startswith("subscription to destination app-1: workspace destination 'Ops Slack' (app-1) is "
                                  "a DATABRICKS_APP_SLACK destination")
    plain = untyped.alert_from_json({k: v for k, v in ALERT.items() if k not in ("parameters", "custom_template_format")})
    email = SimpleNamespace(id="app-1", display_name="Ops mail", untyped={"destination_type": "EMAIL"})
    assert unexpressible(plain, {"app-1": email}) == []
