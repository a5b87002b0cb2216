"""Human (terraform-plan-like) and JSON renderings of plans and runs."""

from __future__ import annotations

import difflib
from typing import Any

from .plan import CREATE, DELETE, ERROR, NOOP, UPDATE, Action, Plan
from .summary import summarize

SYMBOLS = {CREATE: "+", UPDATE: "~", DELETE: "-", NOOP: " ", ERROR: "!"}
VERBS = {CREATE: "create", UPDATE: "update", DELETE: "trash", NOOP: "unchanged", ERROR: "error"}


def fmt_value(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, tuple):
        if value and value[0] in ("double", "bool", "string"):
            return repr(value[1]) if value[0] == "string" else str(value[1]).lower() if value[0] == "bool" else \
                f"{value[1]:g}"
        if value and value[0] == "column":
            return f"column {value[1]}" + (f" ({value[2]})" if value[2] else "")
        if all(isinstance(v, tuple) for v in value):  # subscriptions
            return "[" + ", ".join(email or f"destination {dest}" for email, dest in value) + "]"
        if len(value) == 2 and isinstance(value[0], str):  # evaluation.source
            return value[0] + (f" ({value[1]})" if value[1] else " (first row)")
    return repr(value) if isinstance(value, str) else str(value)


def fmt_run_as(identity: tuple[str, str] | None) -> str:
    if identity is None:
        return "(the deploying identity)"
    kind, name = identity
    return f"service principal {name}" if kind == "service_principal" else f"user {name}"


def change_lines(path: str, old: Any, new: Any) -> list[str]:
    if path == "run_as":
        return [f"      {path}: {fmt_run_as(old)} -> {fmt_run_as(new)}"]
    if path == "condition":  # as the user wrote it, e.g. cost BETWEEN 10 AND 20
        return [f"      {path}: {old or '(none)'} -> {new or '(none)'}"]
    if path == "query_text":
        diff = list(difflib.unified_diff(str(old).splitlines(), str(new).splitlines(), lineterm="", n=0))[2:]
        shown = [f"          {line}" for line in diff if not line.startswith("@@")][:12]
        return [f"      {path}:"] + shown + (["          ..."] if len(diff) > 12 else [])
    return [f"      {path}: {fmt_value(old)} -> {fmt_value(new)}"]


def action_lines(a: Action, show_noop: bool = False) -> list[str]:
    if a.action == NOOP and not show_noop and not a.skipped:
        return []
    verb = "disabled" if a.skipped else "purge" if a.action == DELETE and a.purge else VERBS[a.action]
    line = f"  {SYMBOLS[a.action]} {a.alert_id or '-':<12} {a.display_name}  ({verb}"
    line += f": {a.note}" if a.note and a.action != NOOP else ""
    line += ")"
    lines = [line]
    if a.action == ERROR:
        lines.append(f"      {a.error}")
    for path, old, new in a.changes:
        lines.extend(change_lines(path, old, new))
    return lines


def render_plan(plan: Plan, header: str) -> str:
    lines = [header, ""]
    for a in plan.actions:
        lines.extend(action_lines(a))
    for w in plan.warnings:
        lines.append(f"  warning: {w}")
    for n in plan.notes:
        lines.append(f"  note: {n}")
    s = plan_summary(plan)
    purged = sum(1 for a in plan.actions if a.action == DELETE and a.purge)
    removed = f"{s['deleted']} to remove" + (f" ({purged} purge, {s['deleted'] - purged} trash)" if s["deleted"] else "")
    lines += ["", f"Plan: {s['created']} to create, {s['updated']} to update, {removed}, "
                  f"{s['unchanged']} unchanged, {s['errors']} error(s), {s['skipped']} disabled."]
    return "\n".join(lines)


def action_json(a: Action, status_error: str | None = None, databricks_id: str | None = None,
                display_name: str | None = None) -> dict[str, Any]:
    error = status_error if status_error is not None else a.error
    return {"alert_id": a.alert_id, "action": ERROR if error else a.action, "changed_fields": a.changed_fields,
            "databricks_alert_id": databricks_id if databricks_id is not None else a.databricks_alert_id,
            "display_name": display_name or a.display_name, "error": error}


def plan_summary(plan: Plan) -> dict[str, Any]:
    """The --json summary of a plan: its actions as if applied successfully."""
    return summarize((a.action, "SKIPPED" if a.skipped else "ERROR" if a.action == ERROR else "SUCCESS")
                     for a in plan.actions)
