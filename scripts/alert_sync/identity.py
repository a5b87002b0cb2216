"""Which catalog row a deployed alert belongs to, stored in the alert itself.

Every alert alert-sync deploys carries its catalog `alert_id` as the first line of its query_text,
a SQL comment: `-- dbt_alerts alert_id: COST-001`. The service stores query_text verbatim and
returns it from list and get, so the identity survives what local history does not: a fresh
checkout, a new DuckDB file, a changed alert_sync_schema, a rename, a severity change. The plan
matches by this marker first, then by the id recorded in the last sync results, then by display
name (alerts deployed before the marker existed), and never removes an alert whose marker names a
catalog row (plan.py).

A comment line changes nothing the warehouse runs; `alert-sync evaluate` runs the query without it.
Alerts v2 has no field of its own for a client's key (databricks-sdk AlertV2: no tags or labels),
hence the comment, as the compiled-condition marker (conditions.py) already does.
"""

from __future__ import annotations

import re

ID_MARKER = "-- dbt_alerts alert_id: "
_MARKER_LINE = re.compile(re.escape(ID_MARKER) + r"(.*?)\s*$")


def _escape(alert_id: str) -> str:
    """The id on one line, whatever it holds (a line break would end the comment early)."""
    return alert_id.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def with_alert_id(alert_id: str, query_text: str) -> str:
    """The deployed query_text: the marker line, then the query."""
    return f"{ID_MARKER}{_escape(alert_id)}\n{query_text.strip()}"


def _split(query_text: str | None) -> tuple[str | None, str]:
    text = (query_text or "").lstrip()
    first, _, rest = text.partition("\n")
    m = _MARKER_LINE.fullmatch(first)
    if m is None:
        return None, text
    return m.group(1).replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\"), rest


def marked_alert_id(query_text: str | None) -> str | None:
    """The alert_id a deployed query says it belongs to, or None (not deployed by alert-sync, or
    deployed before the marker existed)."""
    alert_id, _ = _split(query_text)
    return alert_id or None


def without_alert_id(query_text: str | None) -> str:
    """The query without its marker line: what the alert model compiled to (import, the diff)."""
    return _split(query_text)[1]
