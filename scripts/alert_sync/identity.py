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

The same line records what alert-sync wrote (drift.py): `-- dbt_alerts alert_id: COST-001
written: v1:<digests>`, so a plan can tell a change made in the workspace from a catalog change.
Markers without it (deployed before it existed) still name their row.
"""

from __future__ import annotations

import re

ID_MARKER = "-- dbt_alerts alert_id: "
WRITTEN_TAG = " written: "  # then drift.py's record of the fields as written, e.g. v1:3fa2c1...
_MARKER_LINE = re.compile(re.escape(ID_MARKER) + r"(.*?)(?:" + re.escape(WRITTEN_TAG) + r"(v[0-9]+:[0-9a-f]+))?\s*$")


def _escape(alert_id: str) -> str:
    """The id on one line, whatever it holds (a line break would end the comment early)."""
    return alert_id.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def with_alert_id(alert_id: str, query_text: str, written: str | None = None) -> str:
    """The deployed query_text: the marker line (with the record of the written fields, when
    given), then the query."""
    record = f"{WRITTEN_TAG}{written}" if written else ""
    return f"{ID_MARKER}{_escape(alert_id)}{record}\n{query_text.strip()}"


def _parse(query_text: str | None) -> tuple[str | None, str | None, str]:
    """(alert_id, written record, the query without the marker line)."""
    text = (query_text or "").lstrip()
    first, _, rest = text.partition("\n")
    m = _MARKER_LINE.fullmatch(first)
    if m is None:
        return None, None, text
    return m.group(1).replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\"), m.group(2), rest


def _split(query_text: str | None) -> tuple[str | None, str]:
    alert_id, _, rest = _parse(query_text)
    return alert_id, rest


def written_record(query_text: str | None) -> str | None:
    """The record of the fields alert-sync wrote (drift.py), or None (no marker, or one written
    before the record existed)."""
    return _parse(query_text)[1]


def marked_alert_id(query_text: str | None) -> str | None:
    """The alert_id a deployed query says it belongs to, or None (not deployed by alert-sync, or
    deployed before the marker existed)."""
    alert_id, _ = _split(query_text)
    return alert_id or None


def without_alert_id(query_text: str | None) -> str:
    """The query without its marker line: what the alert model compiled to (import, the diff)."""
    return _split(query_text)[1]
