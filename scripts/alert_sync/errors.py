"""Errors that decide alert-sync's exit code."""


class ConfigError(Exception):
    """Nothing can be attempted: bad usage, missing/stale dbt artifacts, settings, auth (exit 2)."""
