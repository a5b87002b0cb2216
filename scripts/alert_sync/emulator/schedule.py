"""AlertV2 ``schedule`` checks: Quartz cron expressions and Java time zone ids."""

from __future__ import annotations

import functools
import re
import zoneinfo

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
# Time zones [SDK: "A Java timezone id"]
@functools.lru_cache(maxsize=1)
def _available_timezones() -> frozenset:
    return frozenset(zoneinfo.available_timezones())


_OFFSET_ZONE = re.compile(r"(GMT|UTC|UT)([+-])([0-9]{1,2})(:?([0-9]{2}))?")


def timezone_ok(tz: str) -> bool:
    """IANA ids known to zoneinfo, plus Java's custom offset ids such as GMT+10 or UTC-03:30.

    [ASSUME] Java's deprecated three-letter aliases (PST, IST, ...) that are not IANA ids are
    rejected.
    """
    m = _OFFSET_ZONE.fullmatch(tz)
    if m:
        return int(m.group(3)) <= 18 and (m.group(5) is None or int(m.group(5)) < 60)
    available = _available_timezones()
    if available:
        return tz in available
    try:  # no tz database listing on this machine: fall back to loading the zone
        zoneinfo.ZoneInfo(tz)
        return True
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
