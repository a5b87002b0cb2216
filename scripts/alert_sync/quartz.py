"""Quartz cron expressions, as Alerts v2 schedules use them: whether one is valid (the emulator's
check) and when one fires, in UTC, for a Java time zone id (the schedule cost, cost.py).

Written by hand: neither databricks-sdk nor dbt parses Quartz cron, and the cron libraries on PyPI
(croniter and the like) read Unix cron, whose day-of-week numbering (0 = Sunday) and missing
seconds/year fields differ from Quartz's.
"""

from __future__ import annotations

import calendar
import re
import zoneinfo
from datetime import date, datetime, time, timedelta, timezone, tzinfo

# Quartz cron [SDK CronSchedule docstring -> quartz-scheduler.org tutorial lesson 6]
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# name, low, high, value names (1-based)
_CRON_FIELDS = (
    ("seconds", 0, 59, None),
    ("minutes", 0, 59, None),
    ("hours", 0, 23, None),
    ("day-of-month", 1, 31, None),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
    ("year", 1970, 2099, None),
)


def _cron_value(text: str, low: int, high: int, names) -> bool:
    if re.fullmatch(r"[0-9]+", text):
        return low <= int(text) <= high
    return names is not None and text.upper() in names


def _cron_special(item: str, field: str) -> bool | None:
    """Quartz L / W / # forms: True if valid, False if malformed, None if not a special form."""
    low, high, names = next((lo, hi, n) for name, lo, hi, n in _CRON_FIELDS if name == field)
    if field == "day-of-month":  # L, L-3, LW, 15W
        if re.fullmatch(r"L(-([1-9]|[12][0-9]|30))?|LW", item):
            return True
        m = re.fullmatch(r"([0-9]+)W", item)
        return None if m is None else 1 <= int(m.group(1)) <= 31
    if field == "day-of-week":  # L, 6L, FRIL, 6#3, FRI#3
        if item == "L":
            return True
        m = re.fullmatch(r"([0-9A-Za-z]+?)(L|#[0-9]+)", item)
        if m is None:
            return None
        nth_ok = m.group(2) == "L" or 1 <= int(m.group(2)[1:]) <= 5
        return nth_ok and _cron_value(m.group(1), low, high, names)
    return None


def _cron_item_ok(item: str, field: str) -> bool:
    """One comma-separated item: *, a, a-b, each with an optional /step."""
    low, high, names = next((lo, hi, n) for name, lo, hi, n in _CRON_FIELDS if name == field)
    base, slash, step = item.partition("/")
    if slash and not (re.fullmatch(r"[0-9]+", step) and 1 <= int(step) <= high):
        return False
    if base == "*":
        return True
    first, dash, last = base.partition("-")
    if not _cron_value(first, low, high, names):
        return False
    return not dash or _cron_value(last, low, high, names)


def quartz_cron_error(expr: str) -> str | None:
    """Why ``expr`` is not a valid Quartz cron expression, or None if it is."""
    fields = expr.split()
    if len(fields) not in (6, 7):
        return (f"expected 6 or 7 space-separated fields (sec min hour day-of-month month "
                f"day-of-week [year]), got {len(fields)}")
    dom, dow = fields[3], fields[5]
    # Quartz: "you must currently use the '?' character in one of these fields" (and only one).
    if (dom == "?") == (dow == "?"):
        return "exactly one of day-of-month and day-of-week must be '?'"
    for (field, *_), text in zip(_CRON_FIELDS, fields):
        if text == "?":
            if field not in ("day-of-month", "day-of-week"):
                return f"'?' is only allowed in day-of-month or day-of-week, not in {field}"
            continue
        items = text.split(",")
        for item in items:
            special = _cron_special(item, field)
            if special is not None and len(items) > 1:  # Quartz: L/W/# cannot be in a list
                return f"{field} field {text!r}: L, W and # cannot be combined with other values"
            if not (special if special is not None else _cron_item_ok(item, field)):
                return f"{field} field {text!r} is not valid"
    return None


# ---------------------------------------------------------------------------------------------
# Time zones [SDK CronSchedule.timezone_id: "A Java timezone id"]
OFFSET_ZONE = re.compile(r"(GMT|UTC|UT)([+-])([0-9]{1,2})(:?([0-9]{2}))?")


def java_zone(tz: str) -> tzinfo:
    """The tzinfo of a Java time zone id: an IANA id (zoneinfo), or a custom offset id such as
    GMT+10 or UTC-03:30. ValueError when it is neither."""
    m = OFFSET_ZONE.fullmatch(tz)
    if m:
        minutes = int(m.group(3)) * 60 + int(m.group(5) or 0)
        return timezone(timedelta(minutes=minutes if m.group(2) == "+" else -minutes))
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{tz!r} is not a time zone id") from exc


# ---------------------------------------------------------------------------------------------
# When a schedule fires

def _number(text: str, names) -> int:
    return int(text) if text.isdigit() else names.index(text.upper()) + 1


def _values(text: str, low: int, high: int, names) -> set[int]:
    """The values of a plain field (no L/W/#): lists of *, a, a-b, each with an optional /step.
    A range whose end is below its start wraps around (Quartz: 22-2 in hours is 22,23,0,1,2)."""
    if text == "?":
        return set(range(low, high + 1))
    out: set[int] = set()
    for item in text.split(","):
        base, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = low, high
        else:
            first_text, dash, last_text = base.partition("-")
            first = _number(first_text, names)
            # "a/s" runs from a to the field's end (Quartz: 5/15 in minutes is 5,20,35,50)
            last = _number(last_text, names) if dash else (high if step_text else first)
        span = last - first if last >= first else last + (high - low + 1) - first
        for k in range(0, span + 1, step):
            out.add(low + (first - low + k) % (high - low + 1))
    return out


class Schedule:
    """A valid Quartz cron expression, ready to say which days and times it fires on."""

    def __init__(self, expr: str):
        problem = quartz_cron_error(expr)
        if problem:
            raise ValueError(f"invalid Quartz cron expression {expr!r}: {problem}")
        fields = expr.split()
        self.expr = expr
        self.seconds = sorted(_values(fields[0], 0, 59, None))
        self.minutes = sorted(_values(fields[1], 0, 59, None))
        self.hours = sorted(_values(fields[2], 0, 23, None))
        self.dom, self.dow = fields[3], fields[5]
        self.months = _values(fields[4], 1, 12, _MONTHS)
        self.years = _values(fields[6], 1970, 2099, None) if len(fields) == 7 else None

    def times_of_day(self) -> list[time]:
        return [time(h, m, s) for h in self.hours for m in self.minutes for s in self.seconds]

    def fires_on(self, day: date) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        if self.dom != "?":
            return _dom_matches(self.dom, day)
        return _dow_matches(self.dow, day)


def _weekday_near(day: date) -> date:
    """Quartz nW: the weekday nearest to `day`, not leaving its month."""
    last = calendar.monthrange(day.year, day.month)[1]
    if day.weekday() == 5:  # Saturday: Friday, or Monday when Friday is in the month before
        return day - timedelta(days=1) if day.day > 1 else day + timedelta(days=2)
    if day.weekday() == 6:  # Sunday: Monday, or Friday when Monday is in the month after
        return day + timedelta(days=1) if day.day < last else day - timedelta(days=2)
    return day


def _dom_matches(text: str, day: date) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    if text == "LW":
        return day == _weekday_near(day.replace(day=last))
    m = re.fullmatch(r"L(?:-([0-9]+))?", text)
    if m:
        return day.day == last - int(m.group(1) or 0)
    m = re.fullmatch(r"([0-9]+)W", text)
    if m:
        return day == _weekday_near(day.replace(day=min(int(m.group(1)), last)))
    return day.day in _values(text, 1, 31, None)


def _quartz_weekday(day: date) -> int:
    return (day.weekday() + 1) % 7 + 1  # Quartz: 1 = Sunday ... 7 = Saturday


def _dow_matches(text: str, day: date) -> bool:
    weekday = _quartz_weekday(day)
    if text == "L":
        return weekday == 7
    m = re.fullmatch(r"([0-9A-Za-z]+?)(L|#([0-9]+))", text)
    if m and not text.isalpha():
        if weekday != _number(m.group(1), _DAYS):
            return False
        if m.group(2) == "L":  # the last such weekday of the month
            return day.day + 7 > calendar.monthrange(day.year, day.month)[1]
        return (day.day - 1) // 7 + 1 == int(m.group(3))  # the n-th such weekday
    return weekday in _values(text, 1, 7, _DAYS)


def fire_times(expr: str, tz: str, start: datetime, end: datetime) -> list[datetime]:
    """The moments (aware, UTC, sorted, distinct) in [start, end) at which the schedule `expr` in
    time zone `tz` fires. `start`/`end`: aware datetimes.

    Daylight saving time as Quartz computes it (CronExpression.getTimeAfter sets the wall-clock
    fields on a lenient java.util.Calendar): a wall-clock time the spring change skips fires that
    much later (02:30 becomes 03:30; a 02:00 that becomes 03:00 is the same moment as the 03:00
    fire, so an hourly schedule fires 23 times that day); a time the autumn change repeats fires
    once, at its first occurrence (an hourly schedule fires 24 times in that 25-hour day). Python's
    zoneinfo with fold=0 gives exactly these instants.
    """
    schedule, zone = Schedule(expr), java_zone(tz)
    times = schedule.times_of_day()
    out: set[datetime] = set()
    day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last_day:
        if schedule.fires_on(day):
            for t in times:
                moment = datetime.combine(day, t, tzinfo=zone).astimezone(timezone.utc)
                if start <= moment < end:
                    out.add(moment)
        day += timedelta(days=1)
    return sorted(out)
