"""Human (terraform-plan-like) and JSON renderings of plans and runs."""

from __future__ import annotations

import difflib
from typing import Any, Sequence

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
    if path in ("condition", "parameters"):  # as the user wrote it, e.g. cost BETWEEN 10 AND 20
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
    if a.changed_outside and a.action == UPDATE:
        lines.append(outside_line(a))
    for path, old, new in a.changes:
        lines.extend(change_lines(path, old, new))
    return lines


def outside_line(a: Action) -> str:
    """The fields someone changed in the workspace since the last apply (drift.py), apart from the
    catalog's changes: the update puts the catalog's values back."""
    return (f"      changed outside dbt since the last apply: {', '.join(a.changed_outside)} "
            f"(apply puts back the catalog's values)")


def render_plan(plan: Plan, header: str) -> str:
    lines = [header, ""]
    for a in plan.actions:
        lines.extend(action_lines(a))
    for w in plan.warnings:
        lines.append(f"  warning: {w}")
    for n in plan.notes:
        lines.append(f"  note: {n}")
    drifted = [a.alert_id for a in plan.actions if a.changed_outside and a.action == UPDATE]
    if drifted:
        lines.append(f"  note: {len(drifted)} alert(s) changed outside dbt since the last apply: {', '.join(drifted)}")
    s = plan_summary(plan)
    purged = sum(1 for a in plan.actions if a.action == DELETE and a.purge)
    removed = f"{s['deleted']} to remove" + (f" ({purged} purge, {s['deleted'] - purged} trash)" if s["deleted"] else "")
    lines += ["", f"Plan: {s['created']} to create, {s['updated']} to update, {removed}, "
                  f"{s['unchanged']} unchanged, {s['errors']} error(s), {s['skipped']} disabled."]
    lines += cost_section_text(plan)
    return "\n".join(lines)


# --- the plan's schedule cost (cost.py): its own section of the text and markdown plans ----------

def cost_section_text(plan: Plan) -> list[str]:
    from .cost import cost_change_lines

    return cost_change_lines(plan.cost, plan.cost_note)


def cost_section_markdown(plan: Plan) -> list[str]:
    from .cost import cost_change_markdown

    return cost_change_markdown(plan.cost, plan.cost_note, md_cell, md_code)


def action_json(a: Action, status_error: str | None = None, databricks_id: str | None = None,
                display_name: str | None = None) -> dict[str, Any]:
    error = status_error if status_error is not None else a.error
    return {"alert_id": a.alert_id, "action": ERROR if error else a.action, "changed_fields": a.changed_fields,
            "databricks_alert_id": databricks_id if databricks_id is not None else a.databricks_alert_id,
            "display_name": display_name or a.display_name, "error": error,
            # drift.py: fields changed in the workspace since the last apply; null when not decidable
            "changed_outside_dbt": a.changed_outside}


def plan_summary(plan: Plan) -> dict[str, Any]:
    """The --json summary of a plan: its actions as if applied successfully."""
    return summarize((a.action, "SKIPPED" if a.skipped else "ERROR" if a.action == ERROR else "SUCCESS")
                     for a in plan.actions)


# --- markdown (plan --format markdown: a pull-request comment) --------------------------------

MD_VERBS = {CREATE: "create", UPDATE: "update", DELETE: "trash", ERROR: "error"}


def md_cell(text: str) -> str:
    """One GitHub-flavoured markdown table cell: `|` and markdown punctuation escaped, `<`/`>`/`&` as
    entities (no HTML from alert text reaches the comment), newlines as <br>."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\\", "\\\\")
    for ch in "|*_[]`~":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r\n", "\n").replace("\n", "<br>")


def md_code(text: str) -> str:
    """Inline code in a table cell: only `|` needs escaping there (GFM splits the row first); a
    backtick cannot be escaped in a code span, so it is shown as a quote; newlines become spaces."""
    return "`" + " ".join(str(text).split()).replace("`", "'").replace("|", "\\|") + "`"


def change_cell(path: str, old: Any, new: Any) -> str:
    """One field change of an update, as a table cell fragment: `field`: old → new."""
    if path == "query_text":
        return f"{md_code(path)}: changed (diff below)"
    if path == "run_as":
        old_text, new_text = fmt_run_as(old), fmt_run_as(new)
    elif path == "condition":
        old_text, new_text = old or "(none)", new or "(none)"
    else:
        old_text, new_text = fmt_value(old), fmt_value(new)
    return f"{md_code(path)}: {md_cell(old_text)} → {md_cell(new_text)}"


def render_plan_markdown(plan: Plan, target: str, folder: str, host: str, sections: Sequence[str] = ()) -> str:
    """The plan as a pull-request comment: a summary line, one table row per create / update /
    removal / error (field changes old → new; query diffs folded below), unchanged alerts counted
    only, then notification destination changes, then `sections` (e.g. plan --lint's), each as
    given. Every cell is escaped (md_cell)."""
    from .destinations import destination_summary

    s = plan_summary(plan)
    purged = sum(1 for a in plan.actions if a.action == DELETE and a.purge)
    lines = [f"### alert-sync plan: dbt target `{target}` → `{folder}`", ""]
    summary = (f"**{s['created']} to create, {s['updated']} to update, {s['deleted']} to remove, "
               f"{s['errors']} error(s)**; {s['unchanged']} unchanged, {s['skipped']} disabled.")
    lines.append(summary)
    if plan.selection:
        lines += ["", f"Selection: {md_code(plan.selection)}"]
    rows = [a for a in plan.actions if a.action != NOOP]
    if rows:
        lines += ["", "| | Alert | Display name | Changes |", "|---|---|---|---|"]
        for a in rows:
            verb = "purge" if a.action == DELETE and a.purge else MD_VERBS[a.action]
            if a.action == UPDATE:
                cells = [change_cell(p, o, n) for p, o, n in a.changes]
                if a.changed_outside:
                    cells.insert(0, "changed outside dbt: " + ", ".join(md_code(f) for f in a.changed_outside))
                detail = "<br>".join(cells)
            else:
                detail = md_cell(a.error or "" if a.action == ERROR else a.note or "" if a.action == DELETE
                                 else "new alert")
            lines.append(f"| {verb} | {md_code(a.alert_id or '-')} | {md_cell(a.display_name)} | {detail} |")
    elif not plan.destinations or all(d.action == NOOP for d in plan.destinations):
        lines += ["", "No alert changes."]
    diffs = [(a, old, new) for a in rows for p, old, new in a.changes if p == "query_text"]
    for a, old, new in diffs:
        diff = difflib.unified_diff(str(old).splitlines(), str(new).splitlines(), lineterm="", n=1)
        body = "\n".join(line for line in list(diff)[2:]).replace("```", "'''")
        lines += ["", f"<details><summary>query_text of {md_cell(a.alert_id or a.display_name)}</summary>", "",
                  "```diff", body, "```", "", "</details>"]
    changed = [d for d in plan.destinations if d.action != NOOP or d.status == "ERROR"]
    if changed:
        d = destination_summary(plan.destinations)
        lines += ["", f"Notification destinations: {d['created']} to create, {d['updated']} to update, "
                      f"{d['unchanged']} unchanged, {d['errors']} error(s).", "",
                  "| | Destination | Name (type) | Changes |", "|---|---|---|---|"]
        for a in changed:
            action = ERROR if a.status == "ERROR" else a.action
            detail = md_cell(a.error or "") if action == ERROR else "<br>".join(
                f"{md_code(p)}: {md_cell(_dest_value(o))} → {md_cell(_dest_value(n))}" for p, o, n in a.changes)
            lines.append(f"| {MD_VERBS.get(action, action.lower())} | {md_code(a.destination_id)} | "
                         f"{md_cell(f'{a.display_name} ({a.destination_type})')} | {detail} |")
    lines += cost_section_markdown(plan)
    notes = [f"warning: {w}" for w in plan.warnings] + [f"note: {n}" for n in plan.notes]
    if notes:
        lines += [""] + [f"- {md_cell(n)}" for n in notes]
    for section in sections:
        lines += ["", section]
    lines += ["", f"<sub>{md_cell(host)} · {purged} purge(s), {s['deleted'] - purged} trash · "
                  f"nothing is written by plan</sub>"]
    return "\n".join(lines)


def _dest_value(value: Any) -> str:
    from .destinations import _fmt  # the text plan's rendering of destination values (no secrets)

    return _fmt(value)
