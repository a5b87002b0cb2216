"""The workspace client, with every wait bounded.

databricks-sdk does the HTTP: auth, retries of 429/503 after Retry-After and of connection errors
and timeouts, typed errors. Its waits come from two settings [databricks-sdk 0.77
_base_client.py, config.py]:

- ``http_timeout_seconds`` (SDK default 60): the `timeout` of each request (requests' connect and
  read timeout alike);
- ``retry_timeout_seconds`` (SDK default 300): how long one call is retried
  (``retries.retried``), after which it raises ``TimeoutError("Timed out after ...")``.

Neither has an environment variable; a ~/.databrickscfg profile may set them. alert-sync uses
what the user set (--http-timeout / --retry-timeout, else the profile), else its own defaults:
HTTP_TIMEOUT and RETRY_TIMEOUT (timeouts.py).

What the SDK lacks, written here: it retries a refused connection for the whole retry budget
(``_is_retryable``: "cannot connect", meant for glitches of a workspace that works), so a wrong
DATABRICKS_HOST or a stopped emulator would only be reported minutes later. Until the workspace
has answered once, alert-sync tries to connect for at most UNREACHABLE_AFTER seconds (or the
retry timeout, when shorter), waits for the first answer at most the HTTP timeout, and then stops
with `Unreachable`, naming the host and what to check. Once it has answered, the SDK's own
retries apply unchanged. Connecting (TCP, TLS through a proxy) gets at most CONNECT_TIMEOUT
seconds of the HTTP timeout.
"""

from __future__ import annotations

import configparser
import inspect
import os
import time
from pathlib import Path

from typing import TYPE_CHECKING

import requests
from requests.adapters import HTTPAdapter

from . import timings
from .errors import ConfigError

if TYPE_CHECKING:  # databricks-sdk takes over a second to import: only workspace_client() needs it
    from databricks.sdk import WorkspaceClient

from .timeouts import CONNECT_TIMEOUT, HTTP_TIMEOUT, RETRY_TIMEOUT, UNREACHABLE_AFTER
TIMEOUT_SETTINGS = ("http_timeout_seconds", "retry_timeout_seconds")


class Unreachable(ConfigError):
    """The workspace never answered: nothing was sent to it that it received (exit 2).

    Raised from inside the SDK's call (by the transport): it is not a requests error, so the SDK
    does not retry it and alert-sync's own retry loop (retry.py) does not either."""


def unreachable_message(host: str, exc: BaseException, seconds: float, http_timeout: float) -> str:
    if isinstance(exc, requests.ReadTimeout):
        what = f"it accepted the connection but did not answer within the --http-timeout of {http_timeout:g} s"
    elif isinstance(exc, requests.ConnectTimeout):
        what = "the connection could not be opened in time"
    elif isinstance(exc, requests.exceptions.ProxyError):
        what = "the proxy refused or failed the connection"
    elif "Name or service not known" in str(exc) or "NameResolution" in repr(exc) or "getaddrinfo" in str(exc):
        what = "its host name does not resolve"
    elif "Connection refused" in str(exc) or "ConnectionRefused" in repr(exc):
        what = "connection refused"
    else:
        what = type(exc).__name__
    where = f" at {host}" if host else ""  # unknown while the SDK's Config() probes it
    return (f"cannot reach the Databricks workspace{where} ({what}) after {seconds:.0f} s: check DATABRICKS_HOST "
            f"(or the host of --profile), that the workspace is running (locally: start `alert-sync emulator` and "
            f"point DATABRICKS_HOST at it), and the network or proxy (HTTPS_PROXY) between here and there.")


class BoundedAdapter(HTTPAdapter):
    """requests' adapter, with a connect timeout and the unreachable rule of this module's doc.

    Before the workspace has answered, its failures never reach the SDK's retry loop (whose
    budget is the long one): a GET that cannot connect is tried again here for `unreachable_after`
    seconds; a request that got no answer within the HTTP timeout is not (it may have been
    received). Either ends in `Unreachable`."""

    def __init__(self, host: str, unreachable_after: float, **kwargs):
        super().__init__(**kwargs)
        self.host = host
        self.unreachable_after = unreachable_after
        self.answered = False  # the workspace has answered a request (any status)
        # Why the workspace was found unreachable, before it ever answered: later requests stop at
        # once with it instead of waiting again (SDK >= 0.120 makes a first request of its own, the
        # host-metadata probe, which it swallows before our first call is sent).
        self.failure: tuple[BaseException, float, float] | None = None  # (error, seconds waited, HTTP timeout)

    def send(self, request, timeout=None, **kwargs):
        timings.request()
        read = timeout if isinstance(timeout, (int, float)) else None
        if read is not None:  # the SDK passes one number, http_timeout_seconds (_BaseClient._perform)
            timeout = (min(CONNECT_TIMEOUT, read), read)
        if self.answered:
            return super().send(request, timeout=timeout, **kwargs)
        if self.failure:
            raise Unreachable(unreachable_message(self.host, *self.failure))
        started, pause = time.monotonic(), 0.5
        while True:
            try:
                response = super().send(request, timeout=timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                waited = time.monotonic() - started
                if (isinstance(exc, requests.ReadTimeout) or request.method not in ("GET", "HEAD")
                        or waited + pause > self.unreachable_after):
                    self.failure = (exc, waited, read or 0)
                    raise Unreachable(unreachable_message(self.host, *self.failure)) from exc
                time.sleep(pause)
                pause = min(2 * pause, 2.0)
                continue
            self.answered = True
            return response


def set_in_config_file() -> set[str]:
    """Which of TIMEOUT_SETTINGS the SDK's config file sets in some profile (conservatively: any
    profile). Those are left to the SDK, which reads them with the profile (config.py
    _known_file_config_loader: the file of DATABRICKS_CONFIG_FILE, else ~/.databrickscfg)."""
    path = Path(os.environ.get("DATABRICKS_CONFIG_FILE") or "~/.databrickscfg").expanduser()
    parser = configparser.ConfigParser()
    try:
        parser.read(path)
    except (configparser.Error, OSError, UnicodeDecodeError):
        return set(TIMEOUT_SETTINGS)  # the SDK will say what is wrong with it
    return {name for name in TIMEOUT_SETTINGS for section in parser.values() if name in section}


def workspace_client(profile: str | None = None, http_timeout: float | None = None,
                     retry_timeout: int | None = None, pool: int = 20) -> WorkspaceClient:
    """databricks-sdk's default auth chain (env vars, config profiles, OAuth); `profile` picks a
    profile. Timeouts: the arguments (CLI options), else the profile's, else HTTP_TIMEOUT and
    RETRY_TIMEOUT. Its connection pool holds `pool` connections (one per apply worker)."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.config import Config

    given = {"http_timeout_seconds": http_timeout, "retry_timeout_seconds": retry_timeout}
    from_file = set_in_config_file()
    # Defaults go in at construction: SDK >= 0.120 probes host metadata (/.well-known/databricks-config)
    # inside Config() with the timeouts it has then [config.py _resolve_host_metadata].
    defaults = {"http_timeout_seconds": HTTP_TIMEOUT, "retry_timeout_seconds": RETRY_TIMEOUT}
    config_args: dict = {name: given[name] if given[name] is not None else defaults[name]
                for name in TIMEOUT_SETTINGS if given[name] is not None or name not in from_file}
    adapter = BoundedAdapter("", min(UNREACHABLE_AFTER, float(config_args.get("retry_timeout_seconds") or RETRY_TIMEOUT)),
                             pool_connections=pool, pool_maxsize=pool, pool_block=True)
    # databricks-sdk >= 0.120 probes host metadata (GET /.well-known/databricks-config) inside Config(),
    # retrying a refused connection for the whole retry timeout before it gives up quietly (2 min
    # with ours: config.py _resolve_host_metadata). Newer SDKs take the transport as Config's
    # `http_adapter` and use it for that probe too: ours bounds it like any first request.
    if "http_adapter" in inspect.signature(Config.__init__).parameters:
        config_args["http_adapter"] = adapter
    try:
        config = Config(profile=profile, max_connection_pools=pool, max_connections_per_pool=pool, **config_args)
    except Exception as exc:  # the SDK raises ValueError for "no auth configured" and friends
        raise ConfigError(f"Cannot configure the Databricks workspace client: {exc}. Set DATABRICKS_HOST and "
                          "DATABRICKS_TOKEN, or pass --profile with a ~/.databrickscfg profile.") from exc
    for name, value in defaults.items():  # a config file that named a setting in another profile only
        if getattr(config, name) is None:
            setattr(config, name, value)
    client = WorkspaceClient(config=config)
    # The SDK mounts a pooled adapter for https:// only (a plain-http host, the emulator, would get
    # requests' default of 10 and drop the connections of the other workers after each call); ours
    # keeps its pool size and adds the bounds. No public hook for this in databricks-sdk 0.77.
    session = client.api_client._api_client._session  # noqa: SLF001
    adapter.host = config.host or ""  # known once the config has resolved it
    adapter.unreachable_after = min(UNREACHABLE_AFTER, float(config.retry_timeout_seconds))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return client
