"""The alert-sync task of the Databricks job (resources/alerts_job.yml): `alert-sync <args>`.

Databricks injects DBT_HOST and DBT_ACCESS_TOKEN into dbt tasks only. alert-sync loads the same dbt
profile (dbt_profiles/profiles.yml, which reads them) to record its run in the alert_sync tables, so
this task sets them from its own identity, as databricks/bundle-examples' dbt runner notebook does
(contrib/dbt_factory/.../run_dbt_command.py): databricks-sdk's default auth inside a job is the
run-as identity. The token stays in this process's environment; nothing prints it.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlparse

from databricks.sdk import WorkspaceClient

from alert_sync.cli import main as alert_sync


def dbt_environment(args: list[str]) -> None:
    client = WorkspaceClient()
    host = urlparse(client.config.host or "")
    os.environ.setdefault("DBT_HOST", host.netloc or host.path.strip("/"))
    os.environ.setdefault("DBT_ACCESS_TOKEN",
                          client.config.authenticate()["Authorization"].removeprefix("Bearer ").strip())
    if "--warehouse-id" in args[:-1]:  # the profile's http_path names it (dbt_profiles/profiles.yml)
        os.environ.setdefault("DATABRICKS_WAREHOUSE_ID", args[args.index("--warehouse-id") + 1])


if __name__ == "__main__":
    dbt_environment(sys.argv[1:])
    alert_sync(args=sys.argv[1:], prog_name="alert-sync")
