"""Errors that decide alert-sync's exit code."""


class ConfigError(Exception):
    """Nothing can be attempted: bad usage, missing/stale dbt artifacts, settings, auth (exit 2)."""


class FatalSyncError(Exception):
    """The run must stop at once, e.g. PERMISSION_DENIED mid-run (exit 1, or 2 if nothing was attempted)."""
