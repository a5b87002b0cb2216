"""Schedule cost: how long the alerts' schedules keep their SQL warehouses running, in hours and DBU
per day, and what aligning the schedules would save (docs/cost.md).

The model. Every run of an alert starts its warehouse (or finds it running), runs the query for its
measured duration, and leaves the warehouse idle until auto-stop stops it `auto_stop_mins` later
[SDK GetWarehouseResponse.auto_stop_mins: "The amount of time in minutes that a SQL warehouse must
be idle (i.e., no RUNNING queries) before it is automatically stopped ... 0 indicates no
autostop"]. So each run keeps the warehouse awake over [start, start + duration + auto-stop]; the
warehouse is awake over the union of these intervals, where runs close together share one awake
stretch (what aligning schedules saves). A running warehouse keeps at least `min_num_clusters`
clusters [SDK GetWarehouseResponse.min_num_clusters], each billed at the DBU/hour of its cluster
size. This counts only what the alerts cause: other queries on the same warehouse are not known
here (they may keep it awake anyway, making the alerts cheaper than shown).

Pure functions only (no dbt, no workspace): the command (cost_command.py) and the plan feed them.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Iterable

from .quartz import Schedule, _values, fire_times, java_zone

# DBU per hour of one cluster of each SQL warehouse size: the Databricks SQL pricing page
# (https://www.databricks.com/product/pricing/databricks-sql, "DBU / hour" by warehouse size; the
# same DBU rate for Serverless, Pro and Classic, whose price per DBU differs). Override with the
# dbt_alerts setting alerts_dbu_per_hour ({size: DBU/hour}).
PUBLISHED_DBU_PER_HOUR: dict[str, float] = {
    "2X-Small": 4, "X-Small": 6, "Small": 12, "Medium": 24, "Large": 40,
    "X-Large": 80, "2X-Large": 144, "3X-Large": 272, "4X-Large": 528,
}
RATES_SOURCE = "https://www.databricks.com/product/pricing/databricks-sql"
RATES_SETTING = "alerts_dbu_per_hour"
DEFAULT_DAYS = 28  # four whole weeks: weekday-only schedules average out
HOUR = 3600.0


def dbu_rates(setting: Any) -> dict[str, float]:
    """The published rates, overridden per size by the setting alerts_dbu_per_hour ({size: rate})."""
    rates = dict(PUBLISHED_DBU_PER_HOUR)
    if setting in (None, "", {}):
        return rates
    if not isinstance(setting, dict):
        raise ValueError(f"the dbt_alerts setting {RATES_SETTING} must be a mapping of warehouse size to DBU per "
                         f"hour, e.g. {{'Small': 12}}; got {setting!r}")
    for size, rate in setting.items():
        try:
            value = float(rate)
        except (TypeError, ValueError):
            value = -1.0
        if value <= 0:
            raise ValueError(f"the dbt_alerts setting {RATES_SETTING}: the rate of size {size!r} must be a positive "
                             f"number of DBU per hour, got {rate!r}")
        rates[_size_key(str(size), rates) or str(size)] = value
    return rates


def _size_key(size: str, rates: dict[str, float]) -> str | None:
    """The rates' spelling of a size: the API says "2X-Small", the system tables "2X_SMALL"."""
    wanted = size.replace("_", "-").lower()
    return next((k for k in rates if k.lower() == wanted), None)


# --- warehouses --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Warehouse:
    """What the cost needs of a SQL warehouse (GET /api/2.0/sql/warehouses/{id})."""

    id: str
    name: str
    cluster_size: str
    auto_stop_mins: int  # 0: never stops
    serverless: bool
    warehouse_type: str  # PRO, CLASSIC
    min_num_clusters: int = 1

    @property
    def kind(self) -> str:
        return "serverless" if self.serverless else (self.warehouse_type or "classic").lower()

    def dbu_per_hour(self, rates: dict[str, float]) -> float:
        key = _size_key(self.cluster_size, rates)
        if key is None:
            raise ValueError(f"warehouse {self.id} ({self.name}) has cluster size {self.cluster_size!r}, which has no "
                             f"DBU rate: set the dbt_alerts setting {RATES_SETTING}, e.g. "
                             f"{{'{self.cluster_size}': <DBU per hour>}}")
        return rates[key] * max(1, self.min_num_clusters)

    def describe(self) -> str:
        stop = "never stops" if self.auto_stop_mins == 0 else f"auto-stop {self.auto_stop_mins} min"
        clusters = f" x{self.min_num_clusters} clusters" if self.min_num_clusters > 1 else ""
        return f"{self.cluster_size}{clusters} {self.kind}, {stop}"


def warehouse_from_response(warehouse_id: str, response: Any) -> Warehouse:
    """A Warehouse from databricks-sdk's GetWarehouseResponse. Unset fields take the API's
    documented defaults (auto_stop_mins 120, min_num_clusters 1)."""
    kind = getattr(response.warehouse_type, "value", response.warehouse_type) or ""
    return Warehouse(id=response.id or warehouse_id, name=response.name or warehouse_id,
                     cluster_size=response.cluster_size or "", serverless=bool(response.enable_serverless_compute),
                     auto_stop_mins=120 if response.auto_stop_mins is None else int(response.auto_stop_mins),
                     warehouse_type=str(kind), min_num_clusters=response.min_num_clusters or 1)


# --- alerts ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScheduledAlert:
    alert_id: str
    cron: str
    timezone: str
    warehouse_id: str
    duration_s: float = 0.0  # measured query duration
    duration_source: str = "none"  # evaluate (alert_evaluations), build (run_results.json), none


@dataclass(frozen=True)
class Window:
    """The days averaged over: [start, start + days) in UTC."""

    start: datetime
    days: int = DEFAULT_DAYS

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)

    @classmethod
    def from_date(cls, day: str | None, days: int = DEFAULT_DAYS) -> "Window":
        start = datetime.fromisoformat(day) if day else datetime.now(timezone.utc)
        start = start.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=timezone.utc)
        return cls(start, days)


def runs(alert: ScheduledAlert, start: datetime, end: datetime) -> tuple[datetime, ...]:
    return _fire_times(alert.cron, alert.timezone, start, end)


@lru_cache(maxsize=1024)
def _fire_times(cron: str, tz: str, start: datetime, end: datetime) -> tuple[datetime, ...]:
    # Many alerts share a schedule, and a plan prices its alerts twice (before and after): each
    # distinct schedule and window is expanded once (300 alerts on a few crons: ~0.4 s -> ~0.05 s).
    return tuple(fire_times(cron, tz, start, end))


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The union of intervals, as disjoint sorted intervals (touching ones join)."""
    out: list[list[datetime]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def awake_seconds(alerts: list[ScheduledAlert], warehouse: Warehouse, window: Window) -> float:
    """Seconds within the window the warehouse is awake because of these alerts' runs."""
    if not alerts:
        return 0.0
    stop = timedelta(minutes=warehouse.auto_stop_mins)
    longest = max(timedelta(seconds=a.duration_s) for a in alerts)
    # Runs shortly before the window still keep the warehouse awake into it.
    lead = window.start - longest - stop
    intervals = []
    for a in alerts:
        for t in runs(a, lead, window.end):
            intervals.append((t, t + timedelta(seconds=a.duration_s) + stop))
    if not intervals:
        return 0.0
    if warehouse.auto_stop_mins == 0:  # never stops: once the alerts start it, it runs around the clock
        return (window.end - window.start).total_seconds()
    total = 0.0
    for a, b in merge(intervals):
        a, b = max(a, window.start), min(b, window.end)
        if b > a:
            total += (b - a).total_seconds()
    return total


# --- alignment: the same period at the same minute ----------------------------------------------

def _minute_pattern(field_text: str) -> tuple[int, int] | None:
    """(step, offset) when the minutes field fires every `step` minutes from `offset` each hour
    (12, 5/15, */15, 5,20,35,50); None otherwise."""
    values = sorted(_values(field_text, 0, 59, None))
    step = 60 if len(values) == 1 else values[1] - values[0]
    if 60 % step or values != list(range(values[0], 60, step)) or values[0] >= step:
        return None
    return step, values[0]


def _alignment(alert: ScheduledAlert, at: datetime) -> tuple[tuple, int, int, int] | None:
    """(group key, offset in the group's minutes, step, zone shift) of an alert whose schedule
    aligning can move, else None. Alerts with the same key have the same period; moving them to
    one minute offset lets their runs share awake time. Every-hour schedules in different time
    zones compare in UTC minutes (shift: the zone's UTC offset at `at`); others within one zone."""
    fields = alert.cron.split()
    if len(_values(fields[0], 0, 59, None)) != 1:
        return None
    pattern = _minute_pattern(fields[1])
    if pattern is None or pattern[0] == 1:
        return None
    step, offset = pattern
    rest = tuple(fields[2:])
    if fields[2] == "*":
        offset_td = at.astimezone(java_zone(alert.timezone)).utcoffset() or timedelta(0)
        shift = int(offset_td.total_seconds() // 60)
        return (alert.warehouse_id, step, rest, ""), (offset - shift) % step, step, shift
    return (alert.warehouse_id, step, rest, alert.timezone), offset, step, 0


def aligned(alerts: list[ScheduledAlert], at: datetime) -> list[ScheduledAlert]:
    """The alerts with each group of the same period moved to the minute offset most of the group
    already uses (the fewest moves; ties: the earliest), seconds at 0."""
    groups: dict[tuple, list[tuple[ScheduledAlert, int, int, int]]] = defaultdict(list)
    for a in alerts:
        found = _alignment(a, at)
        if found is not None:
            key, offset, step, shift = found
            groups[key].append((a, offset, step, shift))
    moved: dict[str, ScheduledAlert] = {}
    for members in groups.values():
        counts = Counter(offset for _, offset, _, _ in members)
        target = min(counts, key=lambda o: (-counts[o], o))
        for a, _, step, shift in members:
            local = (target + shift) % step
            minutes = str(local) if step == 60 else f"{local}/{step}"
            cron = " ".join(["0", minutes, *a.cron.split()[2:]])
            if Schedule(cron).times_of_day() != Schedule(a.cron).times_of_day():
                moved[a.alert_id] = replace(a, cron=cron)
    return [moved.get(a.alert_id, a) for a in alerts]


# --- the report --------------------------------------------------------------------------------

@dataclass
class AlertCost:
    alert: ScheduledAlert
    runs_per_day: float
    awake_hours: float | None  # per day, were it alone on its warehouse
    dbu: float | None

    def as_json(self) -> dict[str, Any]:
        a = self.alert
        return {"alert_id": a.alert_id, "warehouse_id": a.warehouse_id, "schedule": a.cron, "timezone": a.timezone,
                "runs_per_day": round(self.runs_per_day, 3), "duration_ms": round(a.duration_s * 1000),
                "duration_source": a.duration_source, "awake_hours_per_day": _round(self.awake_hours),
                "dbu_per_day": _round(self.dbu)}


@dataclass
class WarehouseCost:
    warehouse_id: str
    warehouse: Warehouse | None
    alerts: list[str]
    runs_per_day: float
    awake_hours: float | None = None  # per day
    dbu: float | None = None
    aligned_awake_hours: float | None = None
    aligned_dbu: float | None = None
    moves: list[tuple[str, str, str]] = field(default_factory=list)  # (alert_id, cron now, aligned cron)
    dbu_per_hour: float | None = None
    error: str | None = None  # why the warehouse could not be read

    @property
    def saving_hours(self) -> float | None:
        return None if self.awake_hours is None else self.awake_hours - (self.aligned_awake_hours or 0.0)

    @property
    def saving_dbu(self) -> float | None:
        return None if self.dbu is None else self.dbu - (self.aligned_dbu or 0.0)

    def as_json(self) -> dict[str, Any]:
        w = self.warehouse
        return {"warehouse_id": self.warehouse_id, "name": w.name if w else None,
                "cluster_size": w.cluster_size if w else None, "type": w.kind if w else None,
                "auto_stop_mins": w.auto_stop_mins if w else None, "min_num_clusters": w.min_num_clusters if w else None,
                "dbu_per_hour": self.dbu_per_hour, "alerts": len(self.alerts),
                "runs_per_day": round(self.runs_per_day, 3), "awake_hours_per_day": _round(self.awake_hours),
                "dbu_per_day": _round(self.dbu), "aligned_awake_hours_per_day": _round(self.aligned_awake_hours),
                "aligned_dbu_per_day": _round(self.aligned_dbu), "saving_hours_per_day": _round(self.saving_hours),
                "saving_dbu_per_day": _round(self.saving_dbu),
                "moves": [{"alert_id": i, "from": old, "to": new} for i, old, new in self.moves],
                "error": self.error}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass
class CostReport:
    window: Window
    rates: dict[str, float]
    warehouses: list[WarehouseCost]
    alerts: list[AlertCost]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (alert_id, why)

    def as_json(self) -> dict[str, Any]:
        overridden = sorted(k for k, v in self.rates.items() if PUBLISHED_DBU_PER_HOUR.get(k) != v)
        return {"window": {"from": self.window.start.date().isoformat(),
                           "to": self.window.end.date().isoformat(), "days": self.window.days},
                "rates": {"dbu_per_hour": self.rates, "source": RATES_SOURCE, "overridden": overridden},
                "warehouses": [w.as_json() for w in self.warehouses],
                "alerts": [a.as_json() for a in self.alerts],
                "skipped": [{"alert_id": i, "reason": why} for i, why in self.skipped]}


def cost_report(alerts: list[ScheduledAlert], warehouses: dict[str, Warehouse | str], window: Window,
                rates: dict[str, float]) -> CostReport:
    """The cost of `alerts` over `window`. `warehouses`: id -> Warehouse, or why it could not be
    read (its alerts then get runs per day only)."""
    by_warehouse: dict[str, list[ScheduledAlert]] = defaultdict(list)
    for a in alerts:
        by_warehouse[a.warehouse_id].append(a)
    per_alert: list[AlertCost] = []
    per_warehouse: list[WarehouseCost] = []
    for warehouse_id, members in by_warehouse.items():
        info = warehouses.get(warehouse_id, "not read")
        run_counts = {a.alert_id: len(runs(a, window.start, window.end)) / window.days for a in members}
        wc = WarehouseCost(warehouse_id, info if isinstance(info, Warehouse) else None,
                           [a.alert_id for a in members], sum(run_counts.values()))
        rate = None
        if isinstance(info, Warehouse):
            try:
                rate = info.dbu_per_hour(rates)
            except ValueError as exc:
                wc.error = str(exc)
        else:
            wc.error = info
        if isinstance(info, Warehouse):
            wc.awake_hours = awake_seconds(members, info, window) / HOUR / window.days
            moved = aligned(members, window.start)
            wc.aligned_awake_hours = awake_seconds(moved, info, window) / HOUR / window.days
            wc.moves = [(a.alert_id, a.cron, m.cron) for a, m in zip(members, moved) if a.cron != m.cron]
            if rate is not None:
                wc.dbu_per_hour = rate
                wc.dbu, wc.aligned_dbu = wc.awake_hours * rate, wc.aligned_awake_hours * rate
        per_warehouse.append(wc)
        for a in members:
            alone = awake_seconds([a], info, window) / HOUR / window.days if isinstance(info, Warehouse) else None
            per_alert.append(AlertCost(a, run_counts[a.alert_id], alone,
                                       alone * rate if alone is not None and rate is not None else None))
    return CostReport(window, rates, per_warehouse, per_alert)


# --- where the alerts and their durations come from ----------------------------------------------

def catalog_alerts(rows: list, warehouse_id: str, durations: dict[str, tuple[float, str]]
                   ) -> tuple[list[ScheduledAlert], list[tuple[str, str]]]:
    """The catalog rows that run (enabled, UNPAUSED) as ScheduledAlerts on `warehouse_id`, and the
    rows left out with why. `durations`: alert_id -> (seconds, source)."""
    out, skipped = [], []
    for row in rows:
        alert_id = row.alert_id
        try:
            enabled = row.is_enabled
        except Exception as exc:  # RowError: the plan names it too
            skipped.append((alert_id, f"is_enabled: {exc}"))
            continue
        if not enabled:
            skipped.append((alert_id, "disabled"))
            continue
        if (row["pause_status"] or "UNPAUSED").upper() == "PAUSED":
            skipped.append((alert_id, "paused"))
            continue
        problem = schedule_problem(row["schedule_cron"], row["schedule_timezone"])
        if problem:
            skipped.append((alert_id, problem))
            continue
        seconds, source = durations.get(alert_id, (0.0, "none"))
        out.append(ScheduledAlert(alert_id, row["schedule_cron"], row["schedule_timezone"], warehouse_id,
                                  seconds, source))
    return out, skipped


def schedule_problem(cron: str, tz: str) -> str | None:
    try:
        Schedule(cron)
    except ValueError as exc:
        return f"schedule_cron: {exc}"
    try:
        java_zone(tz)
    except ValueError as exc:
        return f"schedule_timezone: {exc}"
    return None


def build_durations(rows: list, node_seconds: dict[str, float | None]) -> dict[str, tuple[float, str]]:
    """alert_id -> (seconds, "build"): the alert model's execution time in the last `dbt build`
    (run_results.json). `node_seconds`: model name -> seconds."""
    out = {}
    for row in rows:
        seconds = node_seconds.get(row["query_model"])
        if seconds is not None:
            out[row.alert_id] = (float(seconds), "build")
    return out


def evaluation_durations(measured_ms: dict[str, list[int]]) -> dict[str, tuple[float, str]]:
    """alert_id -> (seconds, "evaluate"): the median of the alert's recent evaluate durations."""
    return {alert_id: (statistics.median(values) / 1000.0, "evaluate")
            for alert_id, values in measured_ms.items() if values}


# --- the plan's cost change ----------------------------------------------------------------------

@dataclass
class CostChange:
    """Awake hours and DBU per day before and after a plan, per warehouse it could read."""

    rows: list[tuple[WarehouseCost, WarehouseCost]]  # (before, after) per warehouse
    alerts: list[tuple[str, float | None, float | None]]  # (alert_id, runs/day before, after): changed ones
    unread: list[str]  # warehouses whose alerts are not counted (no GET made for them)
    window: Window


def plan_cost_change(before: list[ScheduledAlert], after: list[ScheduledAlert], warehouse: Warehouse,
                     window: Window, rates: dict[str, float]) -> CostChange:
    """The cost change of moving from `before` (deployed, running) to `after` (as applied) on the
    warehouse the plan read; alerts on other warehouses are named in `unread`."""
    unread = sorted({a.warehouse_id for a in before + after if a.warehouse_id != warehouse.id})
    known = {warehouse.id: warehouse}
    old = cost_report([a for a in before if a.warehouse_id == warehouse.id], known, window, rates)
    new = cost_report([a for a in after if a.warehouse_id == warehouse.id], known, window, rates)

    def first(report: CostReport) -> WarehouseCost:
        return report.warehouses[0] if report.warehouses else WarehouseCost(warehouse.id, warehouse, [], 0.0, 0.0,
                                                                            0.0, 0.0, 0.0)

    old_runs = {c.alert.alert_id: (c.runs_per_day, c.alert) for c in old.alerts}
    new_runs = {c.alert.alert_id: (c.runs_per_day, c.alert) for c in new.alerts}
    changed = []
    for alert_id in sorted(set(old_runs) | set(new_runs)):
        o, n = old_runs.get(alert_id), new_runs.get(alert_id)
        if o is None or n is None or (o[1].cron, o[1].timezone) != (n[1].cron, n[1].timezone):
            changed.append((alert_id, o[0] if o else None, n[0] if n else None))
    return CostChange([(first(old), first(new))], changed, unread, window)


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def cost_change_lines(change: CostChange | None, reason: str | None) -> list[str]:
    """The plan's cost change in short, for the text plan."""
    if change is None:
        return [f"Schedule cost: {reason}"] if reason else []
    lines = []
    for before, after in change.rows:
        w = after.warehouse or before.warehouse
        lines.append(f"Schedule cost, warehouse {after.warehouse_id} ({w.describe() if w else '?'}): awake "
                     f"{_num(before.awake_hours)} -> {_num(after.awake_hours)} h/day, {_num(before.dbu)} -> "
                     f"{_num(after.dbu)} DBU/day ({len(change.alerts)} alert schedule(s) added, changed or removed).")
    if change.unread:
        lines.append(f"  (alerts on warehouse(s) {', '.join(change.unread)} not counted: the plan reads only "
                     f"{change.rows[0][0].warehouse_id})")
    return lines


def cost_change_markdown(change: CostChange | None, reason: str | None, md_cell, md_code) -> list[str]:
    """The plan's cost change for the pull-request comment: a per-warehouse table, the changed
    schedules folded below it."""
    if change is None:
        return ["", f"**Schedule cost:** {md_cell(reason)}"] if reason else []
    lines = ["", "**Schedule cost** (awake hours and DBU per day, before → after; "
                 f"{change.window.days}-day average, docs/cost.md):", "",
             "| Warehouse | Size | Awake h/day | DBU/day |", "|---|---|---|---|"]
    for before, after in change.rows:
        w = after.warehouse or before.warehouse
        lines.append(f"| {md_code(after.warehouse_id)} | {md_cell(w.describe() if w else '?')} | "
                     f"{_num(before.awake_hours)} → {_num(after.awake_hours)} | {_num(before.dbu)} → {_num(after.dbu)} |")
    if change.alerts:
        lines += ["", f"<details><summary>Runs per day of the {len(change.alerts)} schedule(s) this plan adds, "
                      f"changes or removes</summary>", "", "| Alert | Runs/day |", "|---|---|"]
        for alert_id, old, new in change.alerts:
            lines.append(f"| {md_code(alert_id)} | {_num(old)} → {_num(new)} |")
        lines += ["", "</details>"]
    if change.unread:
        lines += ["", f"Alerts on {', '.join(md_code(w) for w in change.unread)} are not counted: the plan reads "
                      f"only the warehouse it deploys to."]
    return lines


SAVING_SHOWN = 0.01  # hours per day: less is rounding, not a saving


def alignment_lines(wc: WarehouseCost, costs: list[AlertCost]) -> list[str]:
    """What aligning the schedules of one warehouse would save, and the moves that would do it."""
    if not wc.moves:
        return ["  Aligned: every schedule of the same period already runs at the same minute; nothing to save."]
    if (wc.saving_hours or 0.0) < SAVING_SHOWN:
        always = [c.alert.alert_id for c in costs if c.awake_hours is not None and c.awake_hours >= 24 - SAVING_SHOWN]
        why = (f"{', '.join(always)} alone keep(s) the warehouse awake around the clock" if always
               else "their runs already share the warehouse's awake time")
        return [f"  Aligned: moving {len(wc.moves)} alert(s) of the same period to one minute would save nothing: "
                f"{why}."]
    lines = [f"  Aligned (same period at the same minute): awake {_num(wc.aligned_awake_hours, 2)} h/day, "
             f"{_num(wc.aligned_dbu)} DBU/day: saves {_num(wc.saving_hours, 2)} h/day, {_num(wc.saving_dbu)} "
             f"DBU/day by moving {len(wc.moves)} alert(s):"]
    lines += [f"    {alert_id:<12} {old}  ->  {new}" for alert_id, old, new in wc.moves]
    return lines


# --- the cost command's table ---------------------------------------------------------------------

def report_lines(report: CostReport) -> list[str]:
    w = report.window
    lines = [f"Schedule cost, average per day over {w.start.date()} .. {(w.end - timedelta(days=1)).date()} "
             f"({w.days} days); DBU rates per warehouse size: {RATES_SOURCE}"
             + (" (overridden by alerts_dbu_per_hour)" if report.as_json()["rates"]["overridden"] else "")]
    for wc in report.warehouses:
        lines.append("")
        desc = wc.warehouse.describe() if wc.warehouse else "not read"
        lines.append(f"Warehouse {wc.warehouse_id} ({desc}"
                     + (f", {wc.dbu_per_hour:g} DBU/h" if wc.dbu_per_hour is not None else "") + ")")
        if wc.error:
            lines.append(f"  {wc.error}")
        header = f"  {'alert':<12} {'schedule':<22} {'timezone':<20} {'runs/day':>8} {'query s':>8} " \
                 f"{'awake h/day':>11} {'DBU/day':>8}"
        lines += [header, "  " + "-" * (len(header) - 2)]
        for c in (c for c in report.alerts if c.alert.warehouse_id == wc.warehouse_id):
            a = c.alert
            lines.append(f"  {a.alert_id:<12} {a.cron:<22} {a.timezone:<20} {c.runs_per_day:>8.2f} "
                         f"{a.duration_s:>8.2f} {_num(c.awake_hours, 2):>11} {_num(c.dbu, 1):>8}")
        lines.append(f"  {'warehouse':<12} {len(wc.alerts)} alert(s), runs overlapping{'':<18} "
                     f"{wc.runs_per_day:>8.2f} {'':>8} {_num(wc.awake_hours, 2):>11} {_num(wc.dbu, 1):>8}")
        if wc.awake_hours is not None:
            lines += alignment_lines(wc, [c for c in report.alerts if c.alert.warehouse_id == wc.warehouse_id])
    lines.append("")
    lines.append("Per alert: the warehouse's awake time were it the only alert on it; the warehouse line counts "
                 "shared awake time once. Query durations: "
                 + ", ".join(f"{n} from {s}" for s, n in sorted(Counter(c.alert.duration_source
                                                                         for c in report.alerts).items())) + ".")
    if report.skipped:
        lines.append(f"Not counted: " + "; ".join(f"{i} ({why})" for i, why in report.skipped))
    return lines
