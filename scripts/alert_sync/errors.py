"""alert-sync's one error hierarchy, and how any error is put in one line.

Every error alert-sync raises on purpose is an AlertSyncError. Which subclass decides what
happens to the run: a ConfigError stops it before anything is attempted (exit 2); a RowError or
an EvalError is the ERROR state of one alert and never costs the others; a TargetError is a
failure of the dbt target (metrics or recorded ids), reported as a warning where the workspace
work already stands. Errors from databricks-sdk keep their own classes (databricks.sdk.errors).
"""


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
