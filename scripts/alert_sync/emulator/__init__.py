"""Local emulator of the Databricks SQL Alerts v2 REST API (stdlib only).

It stands in for a Databricks workspace in tests, benchmarks and ``make demo``, so it follows the
real contract strictly: the request/response shapes are those of databricks-sdk 0.77
(``databricks.sdk.service.sql.AlertV2`` and friends, ``AlertsV2API`` for the paths), errors are
``{"error_code", "message"}`` JSON with the HTTP status the SDK maps to its typed exceptions.

Where a rule comes from (tagged in the modules):
  [SDK]    databricks-sdk 0.77 dataclasses/docstrings (service/sql.py, settings.py, workspace.py).
  [DOCS]   Databricks REST docs / SDK docstrings for /api/2.0/alerts and DESIGN.md "Alerts v2 facts".
  [SEEN]   behaviour reported against the real service (e.g. terraform-provider-databricks#4867:
           a duplicate display name is silently renamed "Name (1)").
  [ASSUME] not documented anywhere we could find; the emulator picks the strict reading.

Served endpoints (all but host metadata need ``Authorization: Bearer <token>``):
  POST/GET /api/2.0/alerts, GET/PATCH/DELETE /api/2.0/alerts/{id} (DELETE ?purge=true)
  GET /api/2.0/sql/warehouses[/{id}]
  POST /api/2.0/workspace/mkdirs, GET /api/2.0/workspace/get-status,
  POST /api/2.0/workspace/import, GET /api/2.0/workspace/export, POST /api/2.0/workspace/delete,
  GET /api/2.0/workspace/list
    (workspace files, as alert-sync's apply lock uses them, and folders, as the live check cleans up;
    each active alert is also the file <parent_path>/<display_name>.dbalert.json [databricks/cli
    libs/testserver/alerts.go])
  GET/POST /api/2.0/notification-destinations, GET/PATCH/DELETE /api/2.0/notification-destinations/{id}
    (writes need a workspace admin: a token in non_admin_tokens gets 403 PERMISSION_DENIED, and
    its GET of a destination has no config, as the service shows config to admins only)
  GET /api/2.0/preview/scim/v2/Me
  GET /.well-known/databricks-config (host metadata: no auth, never faulted, counted apart as
    ``host_metadata``, since databricks-sdk >= 0.100 asks it on every Config and 0.77 never does)
Control endpoints (not Databricks API, no auth, not counted, never faulted):
  GET /emulator/stats, POST /emulator/faults, POST /emulator/reset, POST /emulator/reset-counters,
  POST /emulator/evaluate (the service's scheduler, told the outcome: sets evaluation.state and
  last_evaluated_at of unpaused alerts, as Databricks does when it runs them on their schedule)

Fault specs (``faults=[...]``, ``set_faults``, ``POST /emulator/faults``): see ``faults``.

Modules: ``server`` (the Emulator class, HTTP, routing, request pipeline), ``alerts`` (AlertV2
schema, checks, endpoints), ``schedule`` (Quartz cron, time zones), ``workspace`` (folders, files,
warehouses, SCIM Me), ``destinations``, ``faults`` (faults, latency, rate limit), ``state`` (the
shared lock, counters, objects and state file), ``api`` (errors, timestamps, paging).
"""

from .api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from .server import (DEFAULT_TOKEN, DEFAULT_USER, EMULATOR_SERVICE_PRINCIPAL, EMULATOR_WAREHOUSE_ID, Emulator,
                     serve_forever)

__all__ = ["DEFAULT_PAGE_SIZE", "DEFAULT_TOKEN", "DEFAULT_USER", "EMULATOR_SERVICE_PRINCIPAL", "EMULATOR_WAREHOUSE_ID",
           "Emulator", "MAX_PAGE_SIZE", "serve_forever"]
