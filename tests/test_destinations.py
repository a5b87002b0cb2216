"""Notification destinations from the seed, end to end: real dbt build on DuckDB, the real CLI, the
real databricks-sdk over HTTP against the emulator (which keeps secrets input-only and refuses
destination writes to a non-admin, as the service does)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest

from conftest import alert_sync
from projects import DbtProject

LOCAL = ("--allow-non-databricks-manifest",)
FOLDER = "/Workspace/Shared/dbt_alerts/dbt_alerts_example/local"
DESTINATIONS_API = "/api/2.0/notification-destinations"
# Fake secrets, distinctive enough that finding one anywhere means it leaked.
SECRETS = {"FINOPS_SLACK_WEBHOOK_URL": "https://hooks.slack.invalid/T000/B000/leak-canary-slack-7d1f",
           "PLATFORM_TEAMS_WEBHOOK_URL": "https://teams.invalid/webhook/leak-canary-teams-93ac",
           "DATA_QUALITY_WEBHOOK_URL": "https://dq.invalid/hook/leak-canary-webhook-51be"}


@pytest.fixture
def secrets(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return SECRETS


@pytest.fixture
def workspace(emulator, project):
    """The emulator holding only the destinations the seed names by databricks_destination_id
    (made by hand by an admin); the others are alert-sync's to create."""
    from alert_sync.cli import provision_destinations

    provision_destinations(emulator, destinations_path(project), referenced_by_id_only=True)
    return emulator


def destinations_path(project: DbtProject) -> Path:
    return project.path / "seeds" / "notification_destinations.csv"


def seed_destinations(project: DbtProject) -> list[dict[str, str]]:
    with destinations_path(project).open(newline="") as f:
        return list(csv.DictReader(f))


def write_destinations(project: DbtProject, rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    destinations_path(project).write_text(buf.getvalue())


def rebuild(project: DbtProject) -> None:
    result = project.rebuild()
    assert result.ok, result.output[-4000:]


def destination_writes(emu) -> int:
    return sum(n for k, n in emu.counters()["by_endpoint"].items()
               if k.split(" ")[1].startswith(DESTINATIONS_API) and not k.startswith("GET"))


def alert_writes(emu) -> int:
    return sum(n for k, n in emu.counters()["by_endpoint"].items() if "/alerts" in k and not k.startswith("GET"))


def users_of(project: DbtProject, channel: str) -> set[str]:
    return {r["alert_id"] for r in project.catalog_rows()
            if r["is_enabled"] == "true" and channel in [c.strip() for c in r["notification_channels"].split(";")]}


def subscriptions(emu) -> dict[str, set[str]]:
    """display name of each managed alert -> the destination ids it notifies."""
    return {a["display_name"]: {s["destination_id"] for s in a["evaluation"].get("notification", {})
                                .get("subscriptions", []) if s.get("destination_id")}
            for a in emu.alerts() if a["parent_path"] == FOLDER}


def test_first_apply_creates_the_destinations_and_subscribes_the_alerts_a_second_apply_writes_nothing(
        project, workspace, secrets):
    rows = [r for r in seed_destinations(project) if r["is_enabled"] == "true"]
    to_create = [r for r in rows if not r["databricks_destination_id"]]
    assert to_create

    plan = alert_sync(project, "plan", *LOCAL, "--json")
    assert plan.exit_code == 0, plan.stderr
    assert plan.json["destinations"]["summary"]["created"] == len(to_create)
    assert {a["destination_id"] for a in plan.json["destinations"]["actions"] if a["action"] == "CREATE"} \
        == {r["destination_id"] for r in to_create}
    assert destination_writes(workspace) == 0 and alert_writes(workspace) == 0

    workspace.reset_counters()
    first = alert_sync(project, "apply", *LOCAL, "--json")
    assert first.exit_code == 0, first.stderr
    first_writes = destination_writes(workspace)
    assert first_writes == len(to_create)
    # Listed before the lock and under it, not again after the destinations (the lock keeps the
    # folder as listed); the folder made once, by the lock.
    counts = workspace.counters()["by_endpoint"]
    assert counts["GET /api/2.0/alerts"] == 2 and counts["POST /api/2.0/workspace/mkdirs"] == 1
    assert first.json["summary"]["errors"] == 0
    by_name = {d["display_name"]: d for d in workspace.destinations()}
    for r in to_create:
        created = by_name[r["destination_name"]]
        assert created["destination_type"] == r["destination_type"]
        config = next(iter(created["config"].values()))
        if r["destination_type"] == "EMAIL":
            assert config == {"addresses": r["addresses"].split(";")}
        else:
            assert config == {("integration_key_set" if r["destination_type"] == "PAGERDUTY" else "url_set"): True}
    # Every alert notifies the destinations of its channels, by the ids the same run created.
    ids = {r["destination_id"]: r["databricks_destination_id"] or by_name[r["destination_name"]]["id"] for r in rows}
    subscribed = subscriptions(workspace)
    for alert in project.catalog_rows():
        if alert["is_enabled"] != "true":
            continue
        want = {ids[c] for c in alert["notification_channels"].split(";") if c.strip() in ids}
        assert subscribed[f"[{alert['severity']}] {alert['alert_name']}"] == want, alert["alert_id"]

    workspace.reset_counters()
    second = alert_sync(project, "apply", *LOCAL, "--json")
    assert second.exit_code == 0, second.stderr
    second_writes = destination_writes(workspace)
    assert second_writes == 0 and alert_writes(workspace) == 0
    assert second.json["destinations"]["summary"] == {"total": len(rows), "created": 0, "updated": 0,
                                                      "unchanged": len(rows), "errors": 0}
    print(f"\ndestination writes: first apply {first_writes}, second apply {second_writes}")


def test_the_secret_is_sent_to_the_destinations_api_only_and_never_shown_or_stored(project, workspace, secrets):
    runs = [alert_sync(project, "plan", *LOCAL), alert_sync(project, "plan", *LOCAL, "--json"),
            alert_sync(project, "apply", *LOCAL, "--json"), alert_sync(project, "apply", *LOCAL, "--rotate-secrets"),
            alert_sync(project, "apply", *LOCAL, "--rotate-secrets", "--json")]
    assert all(r.exit_code == 0 for r in runs), [r.stderr[-2000:] for r in runs]
    # The rotations were writes that carried the secret (to the destinations API, nowhere else) ...
    stored = {r["destination"]["display_name"]: r["destination"]["config"] for r in workspace._destinations.values()}
    assert stored["FinOps Slack #cost-alerts"] == {"slack": {"url": secrets["FINOPS_SLACK_WEBHOOK_URL"]}}
    assert "(secret from $FINOPS_SLACK_WEBHOOK_URL)" in runs[3].stdout
    # ... and no output, JSON, metrics row or file of the project holds a secret.
    for r in runs:
        for value in secrets.values():
            assert value not in r.stdout and value not in r.stderr
    with duckdb.connect(str(project.duckdb_path), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_name like 'alert_%'").fetchall()
        assert any(t == "alert_sync_results" for _, t in tables)
        dumped = "".join(str(con.execute(f'select * from "{s}"."{t}"').fetchall()) for s, t in tables)
    assert dumped and not any(value in dumped for value in secrets.values())
    for path in project.path.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            assert not any(value.encode() in data for value in secrets.values()), path


def test_a_changed_address_list_and_a_rename_are_one_update_each(project, workspace, secrets):
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    rows = seed_destinations(project)
    email = next(r for r in rows if r["destination_type"] == "EMAIL" and not r["databricks_destination_id"])
    email["addresses"] = "oncall@example.com;sre@example.com"
    write_destinations(project, rows)
    rebuild(project)
    workspace.reset_counters()
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0, run.stderr
    assert workspace.counters()["by_endpoint"].get(f"PATCH {DESTINATIONS_API}/{{id}}") == 1
    assert destination_writes(workspace) == 1 and alert_writes(workspace) == 0
    changed = next(a for a in run.json["destinations"]["actions"] if a["destination_id"] == email["destination_id"])
    assert changed["action"] == "UPDATE" and changed["changed_fields"] == ["config.email.addresses"]
    by_name = {d["display_name"]: d for d in workspace.destinations()}
    assert by_name[email["destination_name"]]["config"] == {"email": {"addresses": ["oncall@example.com",
                                                                                    "sre@example.com"]}}

    # A rename needs the destination's id in the seed (else a new name is a new destination).
    slack = next(r for r in rows if r["destination_type"] == "SLACK")
    slack["databricks_destination_id"] = by_name[slack["destination_name"]]["id"]
    slack["destination_name"] = "FinOps Slack #cost-alerts-v2"
    write_destinations(project, rows)
    rebuild(project)
    workspace.reset_counters()
    plan = alert_sync(project, "plan", *LOCAL)
    assert "display_name: 'FinOps Slack #cost-alerts' -> 'FinOps Slack #cost-alerts-v2'" in plan.stdout
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0, run.stderr
    assert destination_writes(workspace) == 1 and alert_writes(workspace) == 0
    renamed = next(d for d in workspace.destinations() if d["id"] == slack["databricks_destination_id"])
    assert renamed["display_name"] == "FinOps Slack #cost-alerts-v2"
    assert renamed["config"] == {"slack": {"url_set": True}}  # a rename sends no config: the secret stays
    workspace.reset_counters()
    assert alert_sync(project, "apply", *LOCAL).exit_code == 0
    assert destination_writes(workspace) == 0 and alert_writes(workspace) == 0


def test_a_missing_secret_variable_is_an_error_of_exactly_the_alerts_using_that_destination(
        project, workspace, secrets, monkeypatch):
    monkeypatch.delenv("FINOPS_SLACK_WEBHOOK_URL")
    users = users_of(project, "finops_slack")
    assert users
    run = alert_sync(project, "apply", *LOCAL, "--json", "--success-threshold", "0")
    assert run.exit_code == 0, run.stderr
    errors = {a["alert_id"]: a["error"] for a in run.json["actions"] if a["action"] == "ERROR"}
    assert set(errors) == users
    assert all("FINOPS_SLACK_WEBHOOK_URL" in e and "export it" in e for e in errors.values())
    enabled = sum(1 for r in project.catalog_rows() if r["is_enabled"] == "true")
    assert run.json["summary"]["created"] == enabled - len(users)
    assert "FinOps Slack #cost-alerts" not in {d["display_name"] for d in workspace.destinations()}
    slack = next(a for a in run.json["destinations"]["actions"] if a["destination_id"] == "finops_slack")
    assert slack["action"] == "ERROR" and "FINOPS_SLACK_WEBHOOK_URL" in slack["error"]
    assert "FINOPS_SLACK_WEBHOOK_URL" in alert_sync(project, "plan", *LOCAL).stdout


def test_a_non_admin_gets_permission_denied_with_the_fix_for_the_alerts_of_new_destinations_only(
        project, workspace, secrets, monkeypatch):
    workspace.non_admin_tokens.add("user-token")
    monkeypatch.setenv("DATABRICKS_TOKEN", "user-token")
    new = [r["destination_id"] for r in seed_destinations(project)
           if r["is_enabled"] == "true" and not r["databricks_destination_id"]]
    users = set().union(*(users_of(project, d) for d in new))
    run = alert_sync(project, "apply", *LOCAL, "--json", "--success-threshold", "0")
    assert run.exit_code == 0, run.stderr
    errors = {a["alert_id"]: a["error"] for a in run.json["actions"] if a["action"] == "ERROR"}
    assert set(errors) == users
    assert all("PERMISSION_DENIED" in e and "workspace admin" in e and "databricks_destination_id" in e
               for e in errors.values())
    enabled = sum(1 for r in project.catalog_rows() if r["is_enabled"] == "true")
    assert run.json["summary"]["created"] == enabled - len(users) > 0
    assert destination_writes(workspace) == len(new)  # each refused once, nothing else tried
    assert run.json["destinations"]["summary"]["errors"] == len(new)


def test_a_non_admin_deploys_every_alert_with_no_destination_write_and_says_once_what_it_cannot_verify(
        project, emulator, secrets, monkeypatch, capsys):
    """The service returns a destination's config to workspace admins only [databricks-sdk settings.py
    NotificationDestination.config]: a non-admin (CI's service principal) cannot compare an EMAIL
    destination's addresses, so it plans no update of them (which would be refused PERMISSION_DENIED and
    cost the alerts using the destination)."""
    from conftest import provision_destinations

    provision_destinations(emulator, project)  # every destination made by an admin, as the seed says
    emulator.non_admin_tokens.add("ci-token")
    monkeypatch.setenv("DATABRICKS_TOKEN", "ci-token")
    emails = [r for r in seed_destinations(project) if r["is_enabled"] == "true" and r["destination_type"] == "EMAIL"]
    assert emails

    plan = alert_sync(project, "plan", *LOCAL)
    assert plan.exit_code == 0, plan.stderr
    assert plan.stdout.count("cannot verify the addresses of notification destination(s)") == 1
    assert all(f"{r['destination_id']} ('{r['destination_name']}')" in plan.stdout for r in emails)
    assert "workspace admins only" in plan.stdout and "~ destination" not in plan.stdout

    emulator.reset_counters()
    run = alert_sync(project, "apply", *LOCAL, "--json")
    assert run.exit_code == 0, run.stderr
    enabled = sum(1 for r in project.catalog_rows() if r["is_enabled"] == "true")
    assert run.json["summary"]["created"] == enabled and run.json["summary"]["errors"] == 0
    assert destination_writes(emulator) == 0
    assert run.json["destinations"]["summary"]["updated"] == 0 == run.json["destinations"]["summary"]["errors"]
    counts = {k: n for k, n in emulator.counters()["by_endpoint"].items() if DESTINATIONS_API in k}
    with capsys.disabled():
        print(f"\nnon-admin apply: {emulator.counters()['total']} requests, destinations {counts}, "
              f"{alert_writes(emulator)} alert writes")


def test_bad_destination_rows_fail_dbt_build_naming_the_destination_the_field_and_the_fix(dbt_project):
    rows = seed_destinations(dbt_project)
    rows += [
        {**rows[0], "destination_id": "ops_pager", "destination_name": "Ops Pager", "destination_type": "OPSGENIE",
         "databricks_destination_id": "", "secret_env": "OPS_PAGER_KEY"},
        {**rows[0], "destination_id": "sre_slack", "destination_name": "SRE Slack", "destination_type": "SLACK",
         "databricks_destination_id": "", "secret_env": ""},
        {**rows[0], "destination_id": "sre_email", "destination_name": "SRE email", "destination_type": "EMAIL",
         "databricks_destination_id": "", "addresses": "", "secret_env": ""},
        {**rows[0], "destination_id": "hook", "destination_name": "Hook", "destination_type": "WEBHOOK",
         "databricks_destination_id": "", "secret_env": "https://hooks.example.com/x"},
    ]
    write_destinations(dbt_project, rows)
    result = dbt_project.rebuild()
    assert not result.ok
    out = result.output
    assert "seeds/notification_destinations.csv" in out
    assert "ops_pager: destination_type is 'OPSGENIE': use EMAIL, SLACK, WEBHOOK, MICROSOFT_TEAMS, PAGERDUTY" in out
    assert "sre_slack: secret_env is empty: a SLACK destination needs the name of the environment variable" in out
    assert "sre_email: addresses is empty: an EMAIL destination needs its recipients" in out
    assert "hook: secret_env is not an environment variable name" in out and "never the secret itself" in out
    assert "https://hooks.example.com/x" not in out  # a secret written by mistake is not echoed back
    # The alert models still built: only the destinations test failed.
    assert "ERROR=1" in out.replace(" ", "")


def test_a_destination_whose_type_differs_from_the_workspace_is_an_error_of_the_plan(project, workspace, secrets):
    workspace.add_destination("Data Quality Webhook", "SLACK")
    run = alert_sync(project, "plan", *LOCAL, "--json")
    assert run.exit_code == 1  # the plan holds ERRORs
    action = next(a for a in run.json["destinations"]["actions"] if a["destination_id"] == "data_quality_webhook")
    assert action["action"] == "ERROR" and "is a SLACK destination, the seed says WEBHOOK" in action["error"]
    errors = {a["alert_id"] for a in run.json["actions"] if a["action"] == "ERROR"}
    assert errors == users_of(project, "data_quality_webhook")


def test_a_row_naming_a_databricks_app_destination_is_an_error_of_the_plan_naming_it(project, workspace, secrets):
    """DATABRICKS_APP_SLACK / DATABRICKS_APP_TEAMS: no databricks-sdk class describes their config (its
    DestinationType makes them None), so the plan reads the type from the JSON and says what it is."""
    app = workspace.add_destination("Data Quality Webhook", "DATABRICKS_APP_TEAMS")
    run = alert_sync(project, "plan", *LOCAL, "--json")
    assert run.exit_code == 1  # the plan holds ERRORs
    action = next(a for a in run.json["destinations"]["actions"] if a["destination_id"] == "data_quality_webhook")
    assert action["action"] == "ERROR" and action["databricks_destination_id"] == app["id"]
    assert (f"workspace destination 'Data Quality Webhook' ({app['id']}) is a DATABRICKS_APP_TEAMS destination; "
            f"alert-sync manages only EMAIL, SLACK, WEBHOOK, MICROSOFT_TEAMS, PAGERDUTY") in action["error"]
    errors = {a["alert_id"] for a in run.json["actions"] if a["action"] == "ERROR"}
    assert errors == users_of(project, "data_quality_webhook")


# --- the destinations plan as pure logic (no dbt, no HTTP) ---------------------------------------

def _dest(key, name, kind, databricks_id="", addresses=(), secret_env=""):
    from alert_sync.catalog import Destination

    return Destination(key, name, kind, databricks_id, True, addresses=tuple(addresses), secret_env=secret_env)


def _workspace(*destinations):
    """A workspace's destinations as the SDK returns them: list without config, get with `*_set`."""
    from databricks.sdk.service.settings import (Config, DestinationType, EmailConfig, NotificationDestination,
                                                 SlackConfig)

    full = {}
    for id_, name, kind, config in destinations:
        inner = (Config(email=EmailConfig(addresses=config)) if kind == "EMAIL"
                 else Config(slack=SlackConfig(url_set=config)))
        full[id_] = NotificationDestination(id=id_, display_name=name, destination_type=DestinationType(kind),
                                            config=inner)
    gets = []

    def get(id_):
        gets.append(id_)
        return full[id_]

    return (lambda: [NotificationDestination(id=d.id, display_name=d.display_name, destination_type=d.destination_type)
                     for d in full.values()]), get, gets


@pytest.mark.unit
def test_plan_compares_addresses_as_a_set_and_sends_secrets_only_to_create_or_rotate():
    from alert_sync.destinations import plan_destinations

    listed, get, gets = _workspace(("e-1", "Ops email", "EMAIL", ["b@x.io", "a@x.io"]),
                                   ("s-1", "Ops Slack", "SLACK", True), ("s-2", "App Slack", "SLACK", False))
    seed = {"mail": _dest("mail", "Ops email", "EMAIL", addresses=["a@x.io", "b@x.io"]),
            "slack": _dest("slack", "Ops Slack", "SLACK", secret_env="OPS_SLACK"),
            "app": _dest("app", "App Slack", "SLACK", secret_env="APP_SLACK"),
            "new": _dest("new", "New Slack", "SLACK", secret_env="NEW_SLACK")}
    env = {"OPS_SLACK": "https://hooks.invalid/1", "APP_SLACK": "https://hooks.invalid/2",
           "NEW_SLACK": "https://hooks.invalid/3"}
    actions = {a.destination_id: a for a in plan_destinations(seed, listed, get, env)}
    assert {k: a.action for k, a in actions.items()} == {"mail": "NOOP", "slack": "NOOP", "app": "NOOP",
                                                          "new": "CREATE"}
    assert actions["new"].changes == [("config.slack.url", None, "(secret from $NEW_SLACK)")]
    assert gets == ["e-1"]  # only the EMAIL destination's addresses are read; no secret destination
    rotated = {a.destination_id: a for a in plan_destinations(seed, listed, get, env, rotate_secrets=True)}
    assert {k: a.action for k, a in rotated.items()} == {"mail": "NOOP", "slack": "UPDATE", "app": "UPDATE",
                                                          "new": "CREATE"}
    assert rotated["slack"].changes == [("config.slack.url", "(set)", "(secret from $OPS_SLACK)")]
    # No action holds a secret, so no repr, log line or JSON of one can show it.
    assert not any(v in repr(rotated) + repr(actions) for v in env.values())
    # A write that needs the secret, without its variable, is an error naming the variable.
    missing = {a.destination_id: a for a in plan_destinations(seed, listed, get, {}, rotate_secrets=True)}
    assert missing["slack"].action == "ERROR" and "OPS_SLACK" in missing["slack"].error
    assert missing["new"].action == "ERROR" and "NEW_SLACK" in missing["new"].error
    assert missing["mail"].action == "NOOP"


@pytest.mark.unit
def test_plan_refuses_an_ambiguous_name_and_never_touches_destinations_no_row_names():
    from alert_sync.destinations import plan_destinations

    listed, get, gets = _workspace(("s-1", "Ops Slack", "SLACK", True), ("s-2", "Ops Slack", "SLACK", True),
                                   ("x-1", "Someone else's", "EMAIL", ["z@x.io"]))
    actions = plan_destinations({"slack": _dest("slack", "Ops Slack", "SLACK", secret_env="S")}, listed, get, {"S": "v"})
    assert [a.action for a in actions] == ["ERROR"]
    assert "2 workspace destinations are named 'Ops Slack'" in actions[0].error and "s-1, s-2" in actions[0].error
    assert gets == []


def test_the_emulator_keeps_secrets_input_only_and_destination_writes_for_admins(emulator):
    """The notification-destinations API as databricks-sdk calls it [SDK NotificationDestinationsAPI]."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import InvalidParameterValue, NotFound, PermissionDenied
    from databricks.sdk.service.settings import Config, EmailConfig, PagerdutyConfig

    w = WorkspaceClient(host=emulator.url, token="emulator-token")
    pager = w.notification_destinations.create(display_name="Pager",
                                               config=Config(pagerduty=PagerdutyConfig(integration_key="k-1")))
    assert pager.config.pagerduty.integration_key is None and pager.config.pagerduty.integration_key_set
    renamed = w.notification_destinations.update(pager.id, display_name="Pager 2")  # no config: the key stays
    assert renamed.display_name == "Pager 2" and renamed.config.pagerduty.integration_key_set
    with pytest.raises(InvalidParameterValue, match="type cannot be changed"):
        w.notification_destinations.update(pager.id, config=Config(email=EmailConfig(addresses=["a@x.io"])))
    with pytest.raises(InvalidParameterValue, match="At least one field"):
        w.notification_destinations.update(pager.id)
    listed = list(w.notification_destinations.list())
    assert [(d.display_name, d.destination_type.value) for d in listed] == [("Pager 2", "PAGERDUTY")]

    emulator.non_admin_tokens.add("user-token")
    user = WorkspaceClient(host=emulator.url, token="user-token")
    assert [d.id for d in user.notification_destinations.list()] == [pager.id]  # reading needs no admin
    seen = user.notification_destinations.get(pager.id)
    assert seen.display_name == "Pager 2" and seen.destination_type.value == "PAGERDUTY"
    assert seen.config is None  # [SDK NotificationDestination.config] "Only returns for users with workspace admin"
    for write in (lambda: user.notification_destinations.create(
                      display_name="x", config=Config(email=EmailConfig(addresses=["a@x.io"]))),
                  lambda: user.notification_destinations.update(pager.id, display_name="y"),
                  lambda: user.notification_destinations.delete(pager.id)):
        with pytest.raises(PermissionDenied, match="workspace admins"):
            write()
    w.notification_destinations.delete(pager.id)
    with pytest.raises(NotFound):
        w.notification_destinations.get(pager.id)


def test_an_error_that_echoes_the_secret_back_is_reported_without_it(emulator):
    """Defence in depth: the service's error text is shown, the secret in it is not."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import InvalidParameterValue

    from alert_sync.destinations import DestinationAction, apply_destinations

    class EchoingDestinations:
        def create(self, config, display_name):
            raise InvalidParameterValue(f"config.slack.url: '{config.slack.url}' is not a Slack webhook URL")

    w = WorkspaceClient(host=emulator.url, token="emulator-token")
    w._notification_destinations = EchoingDestinations()  # noqa: SLF001 - stand-in for a service that echoes input
    action = DestinationAction("s", "CREATE", "Ops Slack", "SLACK", secret_env="OPS_SLACK", send_config=True)
    [done] = apply_destinations(w, [action], env={"OPS_SLACK": "https://hooks.invalid/leak-canary"})
    assert done.status == "ERROR" and "$OPS_SLACK' is not a Slack webhook URL" in done.error
    assert "leak-canary" not in done.error

    # A secret store's trailing newline is not sent (nor can it split the secret from its echo), and
    # the forms a service may echo it in (JSON with escaped slashes, URL-encoded) are masked too.
    sent = []

    class EchoingInOtherForms:
        def create(self, config, display_name):
            url = config.slack.url
            sent.append(url)
            raise InvalidParameterValue(f"bad {url.replace('/', chr(92) + '/')} ({quote(url, safe='')})\n{url}")

    w._notification_destinations = EchoingInOtherForms()  # noqa: SLF001
    action = DestinationAction("s", "CREATE", "Ops Slack", "SLACK", secret_env="OPS_SLACK", send_config=True)
    [done] = apply_destinations(w, [action], env={"OPS_SLACK": "https://hooks.invalid/leak-canary\n"})
    assert sent == ["https://hooks.invalid/leak-canary"]
    assert done.status == "ERROR" and "bad $OPS_SLACK ($OPS_SLACK) $OPS_SLACK" in done.error
    assert "leak-canary" not in done.error and "leak%2Dcanary" not in done.error


@pytest.mark.unit
def test_plan_reads_a_destination_type_the_sdk_does_not_know_from_the_json():
    from databricks.sdk.service.settings import ListNotificationDestinationsResult

    from alert_sync.destinations import plan_destinations

    app = ListNotificationDestinationsResult.from_dict(
        {"id": "a-1", "display_name": "Ops Slack", "destination_type": "DATABRICKS_APP_SLACK"})
    app.untyped = {"destination_type": "DATABRICKS_APP_SLACK"}  # as untyped.list_destinations keeps it
    (action,) = plan_destinations({"slack": _dest("slack", "Ops Slack", "SLACK", secret_env="S")}, lambda: [app],
                                  lambda _: pytest.fail("no config is read"), {"S": "v"}, rotate_secrets=True)
    assert action.action == "ERROR" and action.databricks_destination_id == "a-1"
    assert "'Ops Slack' (a-1) is a DATABRICKS_APP_SLACK destination" in action.error
    assert "seed row 'slack' cannot name it" in action.error
