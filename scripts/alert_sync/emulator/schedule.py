"""AlertV2 ``schedule`` checks: Quartz cron expressions and Java time zone ids.

The Quartz grammar lives in alert_sync.quartz (shared with the schedule cost, which must read
schedules exactly as the service accepts them)."""

from __future__ import annotations

import functools
import zoneinfo

from ..quartz import OFFSET_ZONE, quartz_cron_error

__all__ = ["quartz_cron_error", "timezone_ok"]


# ---------------------------------------------------------------------------------------------
# Time zones [SDK: "A Java timezone id"]
@functools.lru_cache(maxsize=1)
def _available_timezones() -> frozenset:
    return frozenset(zoneinfo.available_timezones())


def timezone_ok(tz: str) -> bool:
    """IANA ids known to zoneinfo, plus Java's custom offset ids such as GMT+10 or UTC-03:30.

    [ASSUME] Java's deprecated three-letter aliases (PST, IST, ...) that are not IANA ids are
    rejected.
    """
    m = OFFSET_ZONE.fullmatch(tz)
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
