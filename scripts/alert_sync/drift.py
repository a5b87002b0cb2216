"""Changes made in the workspace since alert-sync wrote an alert: "changed outside dbt".

A plan compares the catalog (desired) with the workspace (deployed). A difference alone does not
say who moved: the catalog, or someone editing the alert in the UI (or API) since the last apply.
To tell them apart the plan needs what the last apply wrote. alert-sync keeps that in the alert
itself: the alert_id marker line of its query_text (identity.py) carries one short digest per
compared field (plan.FIELDS, normalized as the diff normalizes them), as alert-sync wrote it:

    -- dbt_alerts alert_id: COST-001 written: v1:3fa2c19bd0e4...

Then per field: deployed digest != written digest -> changed outside dbt; desired digest !=
written digest -> changed in the catalog; both can hold.

Why the marker and not the last apply's fields in a metrics table (the other option of issue 21):
the marker travels with the alert, so the answer is the same in any checkout, after the metrics
tables are lost or alert_sync_schema changes, exactly as the identity itself (identity.py); and it
costs no request (the list the plan makes already returns query_text) and no read of the dbt
target (which a plan otherwise skips, sync.compute_plan). Its price: the record changes with any
field, so every update also sends query_text (still one PATCH per alert, update_mask holding
`query_text` too), and a change made outside dbt to exactly the catalog's value is recorded with
one PATCH of query_text. Alerts deployed before the record existed are not rewritten for it: they
gain it with their next update, and until then drift on them is not decidable (None below).

Digests are 6 hex digits (24 bits) of the field's normalized value: a missed change needs a
collision of that field's digest (1 in 16.7 million), and the marker line stays short.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from databricks.sdk.service.sql import AlertV2

from .identity import written_record

VERSION = "v1"
# The fields of plan.FIELDS when VERSION was fixed, in a fixed order: the record is positional. A
# change of plan.FIELDS needs a new VERSION (tests check they agree); records of another version
# read as absent (drift undecidable) until the alert's next update rewrites them.
WRITTEN_FIELDS = (
    "display_name", "query_text", "warehouse_id", "custom_summary", "custom_description", "evaluation.source",
    "evaluation.comparison_operator", "evaluation.threshold", "evaluation.empty_result_state",
    "evaluation.notification.notify_on_ok", "evaluation.notification.retrigger_seconds",
    "evaluation.notification.subscriptions", "schedule.quartz_cron_schedule", "schedule.timezone_id",
    "schedule.pause_status", "run_as", "parameters", "custom_template_format",
)
DIGEST_CHARS = 6


def field_digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)  # tuples and lists alike: values are normalized
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def _values(alert: AlertV2, managed_run_as: bool) -> dict[str, Any]:
    from .plan import FIELDS

    values = {f: FIELDS[f](alert) for f in WRITTEN_FIELDS}
    if not managed_run_as:  # alerts_run_as unset: who it runs as is not alert-sync's to record
        values["run_as"] = None
    return values


def record_of(desired: AlertV2) -> str:
    """The record of a desired alert's fields, as the service will hold them once written."""
    values = _values(desired, desired.run_as is not None)
    return f"{VERSION}:" + "".join(field_digest(values[f]) for f in WRITTEN_FIELDS)


def parse_record(record: str | None) -> dict[str, str] | None:
    """field -> digest of a record of this VERSION, else None."""
    if not record:
        return None
    version, _, digests = record.partition(":")
    if version != VERSION or len(digests) != DIGEST_CHARS * len(WRITTEN_FIELDS):
        return None
    return {f: digests[i * DIGEST_CHARS:(i + 1) * DIGEST_CHARS] for i, f in enumerate(WRITTEN_FIELDS)}


def changed_outside(deployed: AlertV2) -> list[str] | None:
    """The fields of a deployed alert that differ from what alert-sync last wrote into it; None
    when that is not decidable (no record of this version in its marker)."""
    written = parse_record(written_record(deployed.query_text))
    if written is None:
        return None
    managed_run_as = written["run_as"] != field_digest(None)
    values = _values(deployed, managed_run_as)
    return [f for f in WRITTEN_FIELDS if field_digest(values[f]) != written[f]]


def changed_in_catalog(deployed: AlertV2, desired: AlertV2) -> list[str] | None:
    """The fields the catalog changed since alert-sync last wrote the deployed alert; None when
    not decidable."""
    written = parse_record(written_record(deployed.query_text))
    desired_record = parse_record(written_record(desired.query_text))
    if written is None or desired_record is None:
        return None
    return [f for f in WRITTEN_FIELDS if desired_record[f] != written[f]]


def record_outdated(deployed: AlertV2, desired: AlertV2) -> bool:
    """The deployed marker's record is not the one the desired alert carries (an update rewrites it)."""
    return written_record(deployed.query_text) != written_record(desired.query_text)
