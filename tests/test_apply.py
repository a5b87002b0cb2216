"""Applier's create path on a fake workspace client (no HTTP, no dbt): an unknown-outcome create
is sent again only when the managed folder shows that nothing landed (docs/operations.md)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from databricks.sdk.errors import DatabricksError, InternalError
from databricks.sdk.service.sql import AlertV2, AlertV2Evaluation, AlertV2OperandColumn, ComparisonOperator, CronSchedule

from alert_sync import retry
from alert_sync.apply import Applier

pytestmark = pytest.mark.unit  # no dbt, no emulator: `make test-fast`

FOLDER = "/Workspace/Shared/dbt_alerts/proj/prod"


class FakeAlerts:
    """alerts_v2 whose create and list fail as scripted (an exception, or a value to return)."""

    def __init__(self, creates: list, lists: list):
        self.creates, self.lists = creates, lists
        self.create_calls = self.list_calls = 0

    def create_alert(self, alert: AlertV2) -> AlertV2:
        self.create_calls += 1
        outcome = self.creates.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def list_alerts(self, page_size: int):
        self.list_calls += 1
        outcome = self.lists.pop(0) if self.lists else []
        if isinstance(outcome, BaseException):
            raise outcome
        return iter(outcome)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(retry.time, "sleep", lambda seconds: None)


def applier(alerts: FakeAlerts) -> Applier:
    return Applier(SimpleNamespace(alerts_v2=alerts), FOLDER, workers=1)


def alert(**fields) -> AlertV2:
    return AlertV2(display_name="[WARNING] Daily Cost Spike", query_text="select 1 as x", warehouse_id="w",
                   evaluation=AlertV2Evaluation(source=AlertV2OperandColumn(name="x"),
                                                comparison_operator=ComparisonOperator.IS_NULL),
                   schedule=CronSchedule(quartz_cron_schedule="0 0 6 * * ?", timezone_id="UTC"),
                   parent_path=FOLDER, **fields)


def desired() -> AlertV2:
    return alert()


def bad_gateway() -> DatabricksError:
    return DatabricksError("Bad gateway")  # what the SDK raises for a 502: outcome unknown


def test_an_unknown_outcome_create_whose_lookup_fails_is_not_sent_again():
    alerts = FakeAlerts(creates=[InternalError("timed out after commit?")], lists=[bad_gateway()] * 10)
    with pytest.raises(DatabricksError, match="Bad gateway"):
        applier(alerts)._create(desired())
    assert alerts.create_calls == 1  # the POST may have landed: never blindly re-sent
    assert alerts.list_calls == retry.RETRIES + 1  # the lookup itself is an idempotent read, retried


def test_an_unknown_outcome_create_that_landed_is_adopted_not_sent_again():
    landed = alert(id="a-1", create_time="t1")
    alerts = FakeAlerts(creates=[InternalError("504")], lists=[[landed]])
    assert applier(alerts)._create(desired()).id == "a-1"
    assert alerts.create_calls == 1


def test_an_unknown_outcome_create_that_left_nothing_is_sent_again_and_reports_the_original_error():
    alerts = FakeAlerts(creates=[InternalError("504 first")] * (retry.RETRIES + 1), lists=[[]] * 10)
    with pytest.raises(InternalError, match="504 first"):
        applier(alerts)._create(desired())
    assert alerts.create_calls == retry.RETRIES + 1 and alerts.list_calls == retry.RETRIES + 1
