"""Errors that decide alert-sync's exit code, and how any error is put in one line."""


class ConfigError(Exception):
    """Nothing can be attempted: bad usage, missing/stale dbt artifacts, settings, auth (exit 2)."""


def describe(exc: BaseException | str) -> str:
    """One line for an error: its text with whitespace collapsed, prefixed by the Databricks
    error_code when the text lacks it (databricks-sdk errors carry one)."""
    code = getattr(exc, "error_code", None)
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{code}: {text}" if code and code not in text else text
