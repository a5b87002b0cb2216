"""alert-sync's one error hierarchy, and how any error is put in one line.

Every error alert-sync raises on purpose is an AlertSyncError. Which subclass decides what
happens to the run: a ConfigError stops it before anything is attempted (exit 2); a RowError or
an EvalError is the ERROR state of one alert and never costs the others; a TargetError is a
failure of the dbt target (metrics or recorded ids), reported as a warning where the workspace
work already stands. Errors from databricks-sdk keep their own classes (databricks.sdk.errors).
"""

import re


class AlertSyncError(Exception):
    """Base class of the errors alert-sync raises itself."""


class ConfigError(AlertSyncError):
    """Nothing can be attempted: bad usage, missing/stale dbt artifacts, settings, auth (exit 2)."""


class RowError(AlertSyncError, ValueError):
    """A catalog row that cannot become an alert; the message names the field and the fix."""


class EvalError(AlertSyncError):
    """An alert's condition cannot be evaluated: its state is ERROR and this is why."""


class Stopped(AlertSyncError):
    """Not attempted: the run stopped after a fatal error (PERMISSION_DENIED, UNAUTHENTICATED)."""


class TargetError(AlertSyncError):
    """The dbt target could not do what was asked (e.g. the database refused a write)."""


def describe(exc: BaseException | str) -> str:
    """One line for an error: its text with whitespace collapsed, prefixed by the Databricks
    error_code when the text lacks it (databricks-sdk errors carry one)."""
    code = getattr(exc, "error_code", None)
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, TimeoutError) and exc.__cause__ is not None:  # databricks-sdk's retry budget is spent
        text = f"{text} of retries (--retry-timeout), the last error: {describe(exc.__cause__)}"
    return f"{code}: {text}" if code and code not in text else text


# dbt's error text: "Compilation Error in model m (models/m.sql)\n  message\n  \n  > in macro x (macros/x.sql)\n
# > called by model m (models/m.sql)", sometimes after "Encountered an error:" and a bare "Runtime Error".
_DBT_HEADER = re.compile(r"(?P<kind>[A-Z][A-Za-z ]*Error)(?: in (?P<resource>[a-z_ ]+?) (?P<name>\S+) \([^()]*\))?:?")
_DBT_STACK = re.compile(r"> (in macro|called by) ")


def dbt_message(text: BaseException | str, node: str | None = None) -> str:
    """A dbt error in one line: its message, without dbt's macro stack ("> in macro ...", "> called by
    ...") and the file path of its header; `Compilation Error in model m (models/m.sql)` becomes
    `Compilation Error in model m:`, or `Compilation Error:` when `node` (m) is named by the caller.
    dbt has no structured form of these (the text is what run_results.json and its events carry)."""
    lines = [line.strip() for line in str(text).splitlines()]
    lines = [line for line in lines if line and line != "Encountered an error:" and not _DBT_STACK.match(line)
             and set(line) != {"^"}]  # a caret under a SQL line means nothing once the lines are joined
    while len(lines) > 2 and _DBT_HEADER.fullmatch(lines[0]) and _DBT_HEADER.fullmatch(lines[1]):
        lines.pop(0)  # "Runtime Error" then "Compilation Error in model m (...)": the specific one
    header = _DBT_HEADER.fullmatch(lines[0]) if len(lines) > 1 else None
    if header:
        named = header["name"] and header["name"] != node
        lines[0] = f"{header['kind']} in {header['resource']} {header['name']}:" if named else f"{header['kind']}:"
    return " ".join(" ".join(lines).split())
