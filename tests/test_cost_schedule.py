"""Schedule cost (cost.py, quartz.py) against schedules worked out by hand: runs per day, awake
hours and DBU per day, daylight saving days, the alignment saving, and the plan's markdown."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from alert_sync.cost import (PUBLISHED_DBU_PER_HOUR, ScheduledAlert, Warehouse, Window, aligned, awake_seconds,
                             cost_change_markdown, cost_report, dbu_rates, plan_cost_change)
from alert_sync.output import md_cell, md_code
from alert_sync.quartz import fire_times

pytestmark = pytest.mark.unit

UTC = timezone.utc
AMS = ZoneInfo("Europe/Amsterdam")
RATES = dbu_rates(None)
MONDAY = Window(datetime(2026, 6, 1, tzinfo=UTC), 28)  # 2026-06-01 is a Monday: four whole weeks


def warehouse(auto_stop: int = 10, size: str = "2X-Small", clusters: int = 1) -> Warehouse:
    return Warehouse("w1", "alerts", size, auto_stop, True, "PRO", clusters)


def alert(alert_id: str, cron: str, tz: str = "UTC", seconds: float = 0.0) -> ScheduledAlert:
    return ScheduledAlert(alert_id, cron, tz, "w1", seconds, "build")


def report(*alerts: ScheduledAlert, wh: Warehouse | None = None, window: Window = MONDAY):
    return cost_report(list(alerts), {"w1": wh or warehouse()}, window, RATES)


def local_day(day: str) -> tuple[datetime, datetime]:
    start = datetime.fromisoformat(day).replace(tzinfo=AMS)
    return start, (datetime.fromisoformat(day) + timedelta(days=1)).replace(tzinfo=AMS)


def test_hourly_keeps_a_10_minute_warehouse_awake_4_hours_a_day():
    # 24 runs x 10 minutes of auto-stop = 240 min = 4 h; 2X-Small at 4 DBU/h = 16 DBU/day
    r = report(alert("H", "0 0 * * * ?"))
    w = r.warehouses[0]
    assert (w.runs_per_day, w.awake_hours, w.dbu) == (24, pytest.approx(4.0), pytest.approx(16.0))
    assert r.alerts[0].awake_hours == pytest.approx(4.0)


def test_every_15_minutes_with_the_query_time_added():
    # 96 runs x 10 min = 16 h; with a 5-minute query each run keeps it up 15 min: around the clock
    assert report(alert("Q", "0 */15 * * * ?")).warehouses[0].awake_hours == pytest.approx(16.0)
    assert report(alert("Q", "0 */15 * * * ?", seconds=300)).warehouses[0].awake_hours == pytest.approx(24.0)


def test_weekdays_only():
    # 20 weekday runs in 28 days at 09:00 Amsterdam, 10 minutes each: 200 min / 28 days
    r = report(alert("W", "0 0 9 ? * MON-FRI", "Europe/Amsterdam"))
    w = r.warehouses[0]
    assert w.runs_per_day == pytest.approx(20 / 28)
    assert w.awake_hours == pytest.approx(200 / 60 / 28)
    assert w.dbu == pytest.approx(200 / 60 / 28 * 4)


def test_spring_forward_day_in_amsterdam():
    # 2026-03-29: 02:00-03:00 does not exist. Hourly: 23 runs; every 15 min: 92; 02:30 fires at 03:30 CEST
    start, end = local_day("2026-03-29")
    assert len(fire_times("0 0 * * * ?", "Europe/Amsterdam", start, end)) == 23
    assert len(fire_times("0 */15 * * * ?", "Europe/Amsterdam", start, end)) == 92
    (moment,) = fire_times("0 30 2 * * ?", "Europe/Amsterdam", start, end)
    assert moment.astimezone(AMS).strftime("%H:%M %Z") == "03:30 CEST"


def test_fall_back_day_in_amsterdam():
    # 2026-10-25: 02:00-03:00 happens twice; Quartz fires it once (the first time): hourly 24 runs in a
    # 25-hour day, with two hours between 02:00 CEST and 03:00 CET
    start, end = local_day("2026-10-25")
    hourly = fire_times("0 0 * * * ?", "Europe/Amsterdam", start, end)
    assert len(hourly) == 24
    assert [t.astimezone(AMS).strftime("%H:%M %Z") for t in hourly[2:4]] == ["02:00 CEST", "03:00 CET"]
    assert hourly[3] - hourly[2] == timedelta(hours=2)
    # Every 15 min over the UTC day 2026-10-25: 4 runs in 02:00-02:45 CEST, none in the repeated hour,
    # then 03:00 CET (02:00Z) to 00:45 CET (23:45Z): 4 + 88 = 92 runs, 92 x 10 min awake
    day = Window(datetime(2026, 10, 25, tzinfo=UTC), 1)
    w = report(alert("Q", "0 */15 * * * ?", "Europe/Amsterdam"), window=day).warehouses[0]
    assert w.runs_per_day == 92
    assert w.awake_hours == pytest.approx(92 * 10 / 60)


def test_overlapping_runs_count_once_and_aligning_saves_the_rest():
    # :00 and :05 each hour, 10-minute auto-stop: awake :00-:15, 15 min an hour = 6 h/day; aligned at
    # :00 both share :00-:10 = 4 h/day: saves 2 h and 8 DBU a day
    w = report(alert("A", "0 0 * * * ?"), alert("B", "0 5 * * * ?")).warehouses[0]
    assert w.awake_hours == pytest.approx(6.0)
    assert w.aligned_awake_hours == pytest.approx(4.0)
    assert (w.saving_hours, w.saving_dbu) == (pytest.approx(2.0), pytest.approx(8.0))
    assert w.moves == [("B", "0 5 * * * ?", "0 0 * * * ?")]


def test_hourly_alerts_align_across_time_zones_in_utc_minutes():
    # :00 in New York is :00 UTC; :00 in Kolkata (+05:30) is :30 UTC: it moves to its local :30
    at = MONDAY.start
    moved = aligned([alert("U", "0 0 * * * ?"), alert("NY", "0 0 * * * ?", "America/New_York"),
                     alert("K", "0 0 * * * ?", "Asia/Kolkata")], at)
    assert [a.cron for a in moved] == ["0 0 * * * ?", "0 0 * * * ?", "0 30 * * * ?"]


def test_daily_alerts_align_within_their_zone_only():
    moved = aligned([alert("A", "0 0 6 * * ?", "America/Los_Angeles"),
                     alert("B", "0 0 6 * * ?", "America/Los_Angeles"),
                     alert("C", "0 45 6 * * ?", "America/Los_Angeles"),
                     alert("D", "0 45 6 * * ?", "UTC")], MONDAY.start)
    assert [a.cron for a in moved] == ["0 0 6 * * ?", "0 0 6 * * ?", "0 0 6 * * ?", "0 45 6 * * ?"]


def test_no_autostop_and_several_clusters():
    w = report(alert("D", "0 0 6 * * ?"), wh=warehouse(auto_stop=0)).warehouses[0]
    assert w.awake_hours == pytest.approx(24.0)
    w = report(alert("H", "0 0 * * * ?"), wh=warehouse(size="Medium", clusters=2)).warehouses[0]
    assert w.dbu == pytest.approx(4.0 * 24 * 2)


def test_published_rates_and_the_setting_that_overrides_them():
    assert PUBLISHED_DBU_PER_HOUR["2X-Small"] == 4 and PUBLISHED_DBU_PER_HOUR["4X-Large"] == 528
    rates = dbu_rates({"2X_SMALL": 5, "5X-Large": 1000})
    assert rates["2X-Small"] == 5 and rates["5X-Large"] == 1000 and rates["Small"] == 12
    with pytest.raises(ValueError, match="alerts_dbu_per_hour.*'Small'"):
        dbu_rates({"Small": "cheap"})
    r = report(alert("H", "0 0 * * * ?"), wh=warehouse(size="6X-Large"))
    assert r.warehouses[0].dbu is None and "alerts_dbu_per_hour" in r.warehouses[0].error


@pytest.mark.parametrize("cron, start, expected", [
    ("0 0 12 LW * ?", "2026-01-01", "2026-01-30"),  # Jan 31 is a Saturday: Friday the 30th
    ("0 0 12 ? * 6#3", "2026-01-01", "2026-01-16"),  # third Friday
    ("0 0 12 ? * 2L", "2026-01-01", "2026-01-26"),  # last Monday
    ("0 0 12 1W * ?", "2026-02-01", "2026-02-02"),  # Feb 1 is a Sunday: Monday the 2nd
])
def test_quartz_day_forms(cron, start, expected):
    begin = datetime.fromisoformat(start).replace(tzinfo=UTC)
    first = fire_times(cron, "UTC", begin, begin + timedelta(days=31))[0]
    assert first.date().isoformat() == expected


def test_wrapping_hour_ranges_and_offset_zones():
    day = datetime(2026, 1, 1, tzinfo=UTC)
    assert len(fire_times("0 5/15 22-2 * * ?", "UTC", day, day + timedelta(days=1))) == 5 * 4
    (moment,) = fire_times("0 0 12 * * ?", "GMT+10", day, day + timedelta(days=1))
    assert moment.hour == 2


def test_plan_markdown_cost_table_rows():
    before = [alert("A", "0 0 * * * ?"), alert("B", "0 5 * * * ?")]
    after = [alert("A", "0 0 * * * ?"), alert("B", "0 0 * * * ?"), alert("C", "0 30 6 * * ?")]  # +10 min a day
    change = plan_cost_change(before, after, warehouse(), MONDAY, RATES)
    lines = cost_change_markdown(change, None, md_cell, md_code)
    table = [[c.strip() for c in line.strip("|").split("|")] for line in lines if line.startswith("| `")]
    assert table[0] == ["`w1`", "2X-Small serverless, auto-stop 10 min", "6.0 → 4.2", "24.0 → 16.7"]
    assert table[1:] == [["`B`", "24.0 → 24.0"], ["`C`", "- → 1.0"]]
    assert any(line.startswith("<details>") for line in lines)
