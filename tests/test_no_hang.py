"""Issue 17 parts 2 and 4: a workspace that cannot be reached fails in seconds naming the host
(closed port; a server that accepts and never answers), through the real CLI and databricks-sdk;
plan checks what apply will need (the SQL warehouse exists, import's --domain is accepted).

The bounds on time are generous ("does not hang"): a hang was 25 minutes."""

from __future__ import annotations

import hashlib
import re
import socket
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import SyncRun, alert_sync

LOCAL = ("--allow-non-databricks-manifest",)
QUICK = ("--http-timeout", "1", "--retry-timeout", "3")  # the test's own bounds: a few seconds
NOT_A_HANG = 60  # seconds
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No DATABRICKS_* variable and no ~/.databrickscfg from the machine running the tests."""
    import os

    for key in list(os.environ):
        if key.startswith("DATABRICKS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DATABRICKS_TOKEN", "any-token")
    monkeypatch.setenv("DATABRICKS_WAREHOUSE_ID", "emulator-warehouse")
    return monkeypatch


@pytest.fixture
def closed_port(isolated) -> str:
    """A port of 127.0.0.1 nobody listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    host = f"http://127.0.0.1:{port}"
    isolated.setenv("DATABRICKS_HOST", host)
    return host


@pytest.fixture
def silent_server(isolated):
    """A TCP server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:  # timeout, or closed at teardown
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    host = f"http://127.0.0.1:{server.getsockname()[1]}"
    isolated.setenv("DATABRICKS_HOST", host)
    yield host
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    server.close()


def timed(fn):
    t0 = time.monotonic()
    result = fn()
    return result, time.monotonic() - t0


def import_(project, *args: str) -> SyncRun:
    """`alert-sync import` in-process (it takes --project-dir, not the dbt profile options)."""
    from click.testing import CliRunner

    from alert_sync.cli import main

    result = CliRunner().invoke(main, ["import", "--project-dir", str(project.path), *args], catch_exceptions=False)
    return SyncRun(result.exit_code, result.stdout, result.stderr)


def digest(path: Path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file() and "target" not in p.parts and "logs" not in p.parts
            and p.suffix != ".duckdb" and ".wal" not in p.name}


# --- an unreachable workspace ----------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_closed_port_fails_in_seconds_naming_the_host(project, closed_port, command):
    run, seconds = timed(lambda: alert_sync(project, command, *LOCAL, *QUICK))
    assert run.exit_code == 2, run.stdout + run.stderr
    assert f"cannot reach the Databricks workspace at {closed_port} (connection refused)" in run.stdout
    assert "DATABRICKS_HOST" in run.stdout and "alert-sync emulator" in run.stdout
    assert seconds < NOT_A_HANG


def test_a_closed_port_fails_within_the_default_bounds_too(project, closed_port):
    # no timeout option: a workspace that never answered is given up after connection.UNREACHABLE_AFTER
    run, seconds = timed(lambda: alert_sync(project, "plan", *LOCAL, "--json"))
    assert run.exit_code == 2
    assert run.json["run_id"] is None and closed_port in run.json["error"]
    assert seconds < NOT_A_HANG


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_server_that_never_answers_fails_naming_the_host_and_the_timeout(project, silent_server, command):
    run, seconds = timed(lambda: alert_sync(project, command, *LOCAL, *QUICK))
    assert run.exit_code == 2, run.stdout + run.stderr
    assert f"cannot reach the Databricks workspace at {silent_server}" in run.stdout
    assert "did not answer within the --http-timeout of 1 s" in run.stdout
    assert seconds < NOT_A_HANG


def test_import_against_a_closed_port_fails_naming_the_host_and_writes_nothing(project, closed_port):
    before = digest(project.path)
    run, seconds = timed(lambda: import_(project, "--from-path", "/Workspace/Shared/x", "--domain", "COST", *QUICK))
    assert run.exit_code == 2, run.stdout + run.stderr
    assert f"cannot reach the Databricks workspace at {closed_port}" in run.stdout
    assert seconds < NOT_A_HANG
    assert digest(project.path) == before


def test_once_found_unreachable_a_later_request_stops_without_connecting_again(closed_port, monkeypatch):
    # databricks-sdk >= 0.120 sends a request of its own first (the host-metadata probe inside
    # Config()) and swallows its failure: our call after it must not wait out the bound once more.
    from requests.adapters import HTTPAdapter

    from alert_sync.connection import BoundedAdapter, Unreachable

    attempts = []
    real_send = HTTPAdapter.send
    monkeypatch.setattr(HTTPAdapter, "send", lambda self, *a, **k: attempts.append(1) or real_send(self, *a, **k))
    session = requests.Session()
    session.mount("http://", BoundedAdapter(closed_port, unreachable_after=0.1))
    for path in ("/.well-known/databricks-config", "/api/2.0/alerts"):
        with pytest.raises(Unreachable, match=re.escape(f"at {closed_port} (connection refused)")):
            session.get(closed_port + path, timeout=5)
    assert len(attempts) == 1


def test_the_sdks_timeout_error_is_not_retried_again():
    # databricks-sdk raises TimeoutError once its retry_timeout_seconds is spent: five more rounds
    # of it were the 25-minute hang
    from alert_sync.retry import call_with_retries

    calls = []

    def fn():
        calls.append(1)
        raise TimeoutError("Timed out after 0:02:00") from requests.ConnectionError("refused")

    with pytest.raises(TimeoutError):
        call_with_retries(fn, sleep=lambda s: None)
    assert len(calls) == 1


def test_a_spent_retry_budget_is_described_with_its_last_error():
    from alert_sync.errors import describe

    try:
        raise TimeoutError("Timed out after 0:02:00") from requests.ReadTimeout("read timed out")
    except TimeoutError as exc:
        text = describe(exc)
    assert text == ("Timed out after 0:02:00 of retries (--retry-timeout), the last error: read timed out")


# --- the timeouts: the option, else the config profile, else alert-sync's defaults ------------------------

def test_timeouts_come_from_the_option_else_the_profile_else_the_defaults(isolated, tmp_path):
    from alert_sync.connection import HTTP_TIMEOUT, RETRY_TIMEOUT, workspace_client

    isolated.setenv("DATABRICKS_HOST", "http://127.0.0.1:9")
    c = workspace_client().config
    assert (c.http_timeout_seconds, c.retry_timeout_seconds) == (HTTP_TIMEOUT, RETRY_TIMEOUT)
    c = workspace_client(http_timeout=5, retry_timeout=7).config
    assert (c.http_timeout_seconds, c.retry_timeout_seconds) == (5, 7)

    # a profile's own settings are the user's: kept, unless an option says otherwise
    cfg = tmp_path / "databrickscfg"
    cfg.write_text("[team]\nhost = http://127.0.0.1:9\ntoken = t\nhttp_timeout_seconds = 11\n"
                   "retry_timeout_seconds = 13\n")
    isolated.delenv("DATABRICKS_HOST")
    isolated.delenv("DATABRICKS_TOKEN")
    isolated.setenv("DATABRICKS_CONFIG_FILE", str(cfg))
    c = workspace_client(profile="team").config
    assert (c.http_timeout_seconds, c.retry_timeout_seconds) == (11, 13)
    c = workspace_client(profile="team", retry_timeout=3).config
    assert (c.http_timeout_seconds, c.retry_timeout_seconds) == (11, 3)


def test_the_timeout_options_are_on_every_command_that_calls_the_workspace():
    from alert_sync.cli import main

    for command in ("plan", "apply", "import"):
        names = {p.name for p in main.commands[command].params}
        assert {"http_timeout", "retry_timeout", "databricks_profile"} <= names, command


# --- plan checks the warehouse ----------------------------------------------------------------------------

WAREHOUSE_GET = "GET /api/2.0/sql/warehouses/{id}"


def test_a_warehouse_the_workspace_lacks_makes_every_write_an_error_naming_it(project, workspace):
    good = alert_sync(project, "plan", *LOCAL, "--json")
    creates = {a["alert_id"] for a in good.json["actions"] if a["action"] == "CREATE"}
    assert creates
    workspace.reset_counters()
    run = alert_sync(project, "plan", *LOCAL, "--json", "--warehouse-id", "no-such-warehouse")
    assert run.exit_code == 1  # ERRORs in the plan
    errors = {a["alert_id"]: a["error"] for a in run.json["actions"] if a["action"] == "ERROR"}
    assert set(errors) == creates
    assert all("no SQL warehouse 'no-such-warehouse'" in e and "--warehouse-id" in e for e in errors.values())
    assert workspace.counters()["by_endpoint"][WAREHOUSE_GET] == 1

    apply = alert_sync(project, "apply", *LOCAL, "--json", "--warehouse-id", "no-such-warehouse")
    assert apply.exit_code == 1 and workspace.counters()["writes"] == 0


def test_the_warehouse_source_is_named(project, workspace, monkeypatch):
    monkeypatch.setenv("DATABRICKS_WAREHOUSE_ID", "gone-warehouse")
    run = alert_sync(project, "plan", *LOCAL, "--json")
    errors = [a["error"] for a in run.json["actions"] if a["action"] == "ERROR"]
    assert errors and all("DATABRICKS_WAREHOUSE_ID" in e for e in errors)


def test_the_warehouse_is_asked_once_per_apply_and_never_by_a_plan_without_writes(project, workspace):
    workspace.reset_counters()
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    assert workspace.counters()["by_endpoint"][WAREHOUSE_GET] == 1  # apply plans twice, asks once
    workspace.reset_counters()
    run = alert_sync(project, "plan", *LOCAL, "--json")
    assert {a["action"] for a in run.json["actions"]} == {"NOOP"}
    assert WAREHOUSE_GET not in workspace.counters()["by_endpoint"]


# --- import --domain ----------------------------------------------------------------------------------------

def test_import_refuses_a_domain_the_project_does_not_accept_before_anything(project, emulator):
    before = digest(project.path)
    run = import_(project, "--from-path", "/Workspace/Shared/x", "--domain", "marketing")
    assert run.exit_code == 2
    assert "--domain MARKETING" in run.stdout
    assert "COST, SECURITY, PERFORMANCE, RELIABILITY, QUALITY" in run.stdout
    assert "add MARKETING to alerts_accepted_domains" in run.stdout and "dbt_project.yml" in run.stdout
    assert emulator.counters()["total"] == 0 and digest(project.path) == before


def test_import_accepts_a_domain_the_project_adds(tmp_path):
    from alert_sync.importer import check_domain, project_layout

    (tmp_path / "dbt_project.yml").write_text(
        "name: p\nvars:\n  dbt_alerts:\n    alerts_accepted_domains: [cost, revenue]\n")
    layout = project_layout(tmp_path)
    assert layout.accepted_domains == ("COST", "REVENUE")
    check_domain("REVENUE", layout, tmp_path)


def test_imports_default_domains_are_the_packages_default():
    from alert_sync.importer import DEFAULT_ACCEPTED_DOMAINS

    macro = (REPO / "macros" / "config" / "alerts_default_config.sql").read_text()
    listed = re.search(r"'alerts_accepted_domains':\s*\[([^\]]*)\]", macro).group(1)
    assert tuple(re.findall(r"'(\w+)'", listed)) == DEFAULT_ACCEPTED_DOMAINS


# --- the apply lock: no endless "try again at once" ------------------------------------------------------

def test_a_lock_that_exists_yet_reads_as_absent_is_given_up_after_a_few_tries():
    from databricks.sdk.errors import NotFound, ResourceAlreadyExists

    from alert_sync.errors import ConfigError
    from alert_sync.lock import WorkspaceLock

    class Workspace:  # a service that disagrees with itself: create says exists, read says not found
        writes = 0

        def mkdirs(self, path):
            pass

        def import_(self, path, **kwargs):
            Workspace.writes += 1
            raise ResourceAlreadyExists("exists")

        def export(self, path):
            raise NotFound("gone")

    class Client:
        workspace = Workspace()

    with pytest.raises(ConfigError, match="reads as absent"):
        WorkspaceLock(Client(), "/Workspace/Shared/f", "run-1", wait_seconds=0).acquire()
    assert Workspace.writes == 11
