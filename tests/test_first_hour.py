"""The first hour of a new user, as they would hit it: the emulator says what to paste, and the
catalog templates copied as the README says build before and after the first row is added."""

from __future__ import annotations

import json
import os
import queue
import shlex
import subprocess
import sys
import threading
from pathlib import Path

from projects import DbtProject

ALERT_SYNC = str(Path(sys.executable).with_name("alert-sync"))

# The webhook URLs of the destinations the example's plan would create (placeholders, as in the demo).
SECRETS = {"FINOPS_SLACK_WEBHOOK_URL": "https://hooks.slack.invalid/t",
           "PLATFORM_TEAMS_WEBHOOK_URL": "https://teams.invalid/t", "DATA_QUALITY_WEBHOOK_URL": "https://webhook.invalid/t"}


def startup_lines(proc: subprocess.Popen, count: int, deadline_s: float = 30) -> list[str]:
    """The first `count` lines the emulator prints to stderr (a thread reads them so the deadline,
    which only proves "does not hang", holds)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()
    return [lines.get(timeout=deadline_s) for _ in range(count)]


def test_the_emulator_prints_the_lines_to_paste_and_they_work(project: DbtProject):
    # As a user would: start the emulator in one shell (a free port), paste what it prints into another.
    # The example's destination referenced by databricks_destination_id exists already, as the demo has it.
    command = [ALERT_SYNC, "emulator", "--port", "0",
               "--destinations-from", str(project.path / "seeds" / "notification_destinations.csv")]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True,
                          env={k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}) as proc:
        try:
            lines = startup_lines(proc, 5)
            export = next(line.strip() for line in lines if line.strip().startswith("export "))
            exported = dict(word.split("=", 1) for word in shlex.split(export)[1:])
            assert set(exported) == {"DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_WAREHOUSE_ID"}
            assert not exported["DATABRICKS_HOST"].endswith(":0")  # the port it really listens on
            assert lines[0] == f"emulator listening on {exported['DATABRICKS_HOST']}\n"
            assert "  alert-sync plan --allow-non-databricks-manifest\n" in lines

            # The example, built on DuckDB: plan with the pasted environment, the flag the lines name.
            env = {**project.env, **exported, **SECRETS}
            plan = subprocess.run([ALERT_SYNC, "plan", "--allow-non-databricks-manifest", "--json"],
                                  cwd=project.path, env=env, capture_output=True, text=True, timeout=300)
            assert plan.returncode == 0, plan.stderr[-3000:]
            summary = json.loads(plan.stdout)["summary"]
            assert summary["errors"] == 0 and summary["created"] == summary["total"] - summary["skipped"] > 30, summary
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            finally:
                if proc.poll() is None:
                    proc.kill()
