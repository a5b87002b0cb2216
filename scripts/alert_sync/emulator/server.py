"""The ``Emulator``: an HTTP server (keep-alive, chunked bodies, connection resets), the routing
table and the request pipeline (counters, latency, rate limit, faults, auth, dispatch), assembled
from one mixin per concern over the shared ``Store``."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .alerts import ALERT_QUOTA, AlertEndpoints
from .api import ApiError, invalid
from .destinations import DestinationEndpoints
from .faults import Faults, Reset
from .workspace import WorkspaceEndpoints

EMULATOR_WAREHOUSE_ID = "emulator-warehouse"
# A service principal the emulator's caller may name as run_as (holds its servicePrincipal/user role).
EMULATOR_SERVICE_PRINCIPAL = "5e1f0c2a-0000-4000-8000-00000000a1e7"
DEFAULT_TOKEN = "emulator-token"
EMULATOR_ACCOUNT_ID = "00000000-0000-4000-8000-0000000e1a7e"
EMULATOR_WORKSPACE_ID = "1234567890123456"
# Host metadata, asked by databricks-sdk >= 0.100 on every Config (0.77 never asks): answered
# without auth, never faulted, and counted apart ("host_metadata"), outside total / by_endpoint,
# so the request counts of a run are the same on every SDK the range allows.
HOST_METADATA_PATH = "/.well-known/databricks-config"
DEFAULT_USER = "emulator@example.com"


# ---------------------------------------------------------------------------------------------
# HTTP
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, emulator):
        self.emulator = emulator
        self.connections: set = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        # A client that went away mid-response (killed, timed out) is normal here, not an error.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def close_all_connections(self):
        """So SDK keep-alive connections cannot reach a stopped emulator's handler threads."""
        with self.connections_lock:
            conns, self.connections = list(self.connections), set()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response carries Content-Length
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - silence per-request logging
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    def do_PUT(self):
        self._handle("PUT")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self, method: str):
        emu: Emulator = self.server.emulator
        body = self._read_body()
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            status, payload, headers = emu._handle_request(
                method, url.path, query, body, self.headers.get("Authorization"))
        except Reset:
            self._reset_connection()
            return
        except Exception as e:  # an emulator bug: still answer in the API's error format
            status, payload, headers = 500, {"error_code": "INTERNAL_ERROR",
                                             "message": f"emulator error: {e!r}"}, {}
        self._send(status, payload, headers)

    def _send(self, status: int, payload, headers: dict):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, str(value))
        self.end_headers()
        self.wfile.write(data)

    def _reset_connection(self):
        # SO_LINGER 0 makes close() send a TCP RST: the client sees "connection reset by peer".
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()


# ---------------------------------------------------------------------------------------------
# Routing: (method, path template) -> Emulator method name. {id} matches one path segment.
ROUTES = (
    ("GET", "/api/2.0/alerts", "_list_alerts"),
    ("POST", "/api/2.0/alerts", "_create_alert"),
    ("GET", "/api/2.0/alerts/{id}", "_get_alert"),
    ("PATCH", "/api/2.0/alerts/{id}", "_update_alert"),
    ("DELETE", "/api/2.0/alerts/{id}", "_trash_alert"),
    ("GET", "/api/2.0/sql/warehouses", "_list_warehouses"),
    ("GET", "/api/2.0/sql/warehouses/{id}", "_get_warehouse"),
    ("POST", "/api/2.0/workspace/mkdirs", "_mkdirs"),
    ("GET", "/api/2.0/workspace/get-status", "_get_status"),
    ("POST", "/api/2.0/workspace/import", "_import_file"),
    ("GET", "/api/2.0/workspace/export", "_export_file"),
    ("POST", "/api/2.0/workspace/delete", "_delete_path"),
    ("GET", "/api/2.0/workspace/list", "_list_path"),
    ("GET", "/api/2.0/notification-destinations", "_list_destinations"),
    ("POST", "/api/2.0/notification-destinations", "_create_destination"),
    ("GET", "/api/2.0/notification-destinations/{id}", "_get_destination"),
    ("PATCH", "/api/2.0/notification-destinations/{id}", "_update_destination"),
    ("DELETE", "/api/2.0/notification-destinations/{id}", "_delete_destination"),
    ("GET", "/api/2.0/preview/scim/v2/Me", "_me"),
)
CONTROL_ROUTES = {
    ("GET", "/emulator/stats"): "_ctl_stats",
    ("POST", "/emulator/faults"): "_ctl_faults",
    ("POST", "/emulator/reset"): "_ctl_reset",
    ("POST", "/emulator/reset-counters"): "_ctl_reset_counters",
    ("POST", "/emulator/evaluate"): "_ctl_evaluate",
}
WRITE_METHODS = ("POST", "PATCH", "DELETE", "PUT")
_COMPILED_ROUTES = [
    (m, t, re.compile("^" + re.escape(t).replace(r"\{id\}", "(?P<id>[^/]+)") + "$"), h)
    for m, t, h in ROUTES
]


def _match_route(method: str, path: str):
    """(template, handler name, id) for a request; handler None = known path, wrong method."""
    found = None
    for m, template, rx, handler in _COMPILED_ROUTES:
        match = rx.match(path)
        if match:
            if m == method:
                return template, handler, match.groupdict().get("id")
            found = template
    return found, None, None


def _parse_json(body: bytes):
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(400, "MALFORMED_REQUEST", f"Invalid JSON given in the body of the request: {e}")


# ---------------------------------------------------------------------------------------------
class Emulator(AlertEndpoints, WorkspaceEndpoints, DestinationEndpoints, Faults):
    """In-process Alerts v2 workspace emulator; ``with Emulator() as emu: ... emu.url``.

    token: the bearer token accepted for everything; read_only_tokens: tokens that may read but
    get 403 PERMISSION_DENIED on writes; non_admin_tokens: tokens of a user who is not a workspace
    admin (everything but notification-destination writes, which need an admin [SDK
    NotificationDestinationsAPI], and a destination's GET answers without its config, which is
    returned to admins only [SDK NotificationDestination.config]); user: the caller (owner, home folder /Users/<user>);
    state_file: JSON file loaded at construction and rewritten atomically after each mutation;
    warehouse_ids: the warehouses alerts may use; warehouses: warehouse id -> fields its GET answers
    with instead of the defaults (cluster_size, auto_stop_mins, enable_serverless_compute, ...; an id
    not in warehouse_ids is added to them); service_principals: application id -> whether the
    caller holds the servicePrincipal/user role on it (what run_as may name); alert_quota: alerts
    per workspace, trashed included; list_omits: fields GET /api/2.0/alerts leaves out; latency_ms,
    max_rps, faults, seed: see ``set_faults`` and the faults module.
    """

    def __init__(self, host="127.0.0.1", port=0, token=DEFAULT_TOKEN, user=DEFAULT_USER,
                 state_file=None, warehouse_ids=(EMULATOR_WAREHOUSE_ID,), latency_ms=0,
                 max_rps=None, faults=None, seed=0, read_only_tokens=(), service_principals=None,
                 alert_quota=ALERT_QUOTA, list_omits=(), non_admin_tokens=(), warehouses=None):
        self.host, self.port = host, port
        self.token, self.user = token, user
        self.read_only_tokens = set(read_only_tokens)
        self.non_admin_tokens = set(non_admin_tokens)
        self.warehouse_settings = {k: dict(v) for k, v in (warehouses or {}).items()}
        self.warehouse_ids = tuple(warehouse_ids) + tuple(k for k in self.warehouse_settings if k not in warehouse_ids)
        # application id -> whether the caller has the servicePrincipal/user role on it
        self.service_principals = dict({EMULATOR_SERVICE_PRINCIPAL: True} if service_principals is None
                                       else service_principals)
        self.alert_quota = alert_quota
        self.list_omits = frozenset(list_omits)  # fields the alerts list leaves out (tests of the GET fallback)
        self.state_file = os.fspath(state_file) if state_file else None
        self.url: str | None = None
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._faults: list[dict] = []
        self._latency_ms = 0
        self._max_rps = None
        self._seed = seed
        self._rng = random.Random(seed)
        self._window: deque = deque()
        self.set_faults(faults or [], latency_ms=latency_ms, max_rps=max_rps or 0)
        self.reset_counters()
        self._clear_state()
        if self.state_file and os.path.exists(self.state_file) and os.path.getsize(self.state_file):
            self._load_state()

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> "Emulator":
        self._server = _Server((self.host, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"alerts-emulator-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.close_all_connections()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "Emulator":
        return self.start() if self._server is None else self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- request pipeline ----------------------------------------------------------------------
    def _handle_request(self, method, path, query, body: bytes, authorization):
        """Returns (status, payload, headers) or raises Reset."""
        if (method, path) == ("GET", HOST_METADATA_PATH):
            with self._lock:
                self._bump("host_metadata")
            return 200, self._host_metadata(), {}
        control = CONTROL_ROUTES.get((method, path))
        if control:
            try:
                return 200, getattr(self, control)(_parse_json(body)), {}
            except ApiError as e:
                return e.status, {"error_code": e.error_code, "message": e.message}, {}
        template, handler, item_id = _match_route(method, path)
        with self._lock:
            self._bump("total")
            self._bump("by_method", method)
            self._bump("by_endpoint", f"{method} {template or path}")
            latency = self._latency_ms
        if latency:
            time.sleep(latency / 1000.0)
        with self._lock:
            limited = self._rate_limited()
            fault = None if limited else self._pick_fault(method, path)
        if limited:
            with self._lock:
                self._bump("rate_limited")
            return self._finish(429, {"error_code": "REQUEST_LIMIT_EXCEEDED",
                                      "message": f"Request rate limit exceeded ({self._max_rps} "
                                                 f"requests per second)"}, {"Retry-After": "1"})
        if fault and not fault["kind"].startswith("commit_then_"):
            return self._finish(*self._inject(fault))
        try:
            self._authenticate(authorization, method, template)
            if handler is None:
                if template:
                    raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} is not supported on {path}")
                raise ApiError(404, "ENDPOINT_NOT_FOUND", f"No API found for '{method} {path}'")
            args = (query, _parse_json(body)) if method in ("POST", "PATCH") else (query,)
            if item_id is not None:
                args = (item_id, *args)
            status, payload = 200, getattr(self, handler)(*args)
            if self._non_admin(authorization):
                payload = self._as_seen_by_non_admin(template, payload)
        except ApiError as e:
            status, payload = e.status, {"error_code": e.error_code, "message": e.message}
            headers = e.headers
        else:
            headers = {}
        if fault:  # commit_then_*: the work above is done and kept; the answer is lost
            return self._finish(*self._inject(fault))
        return self._finish(status, payload, headers)

    def _host_metadata(self) -> dict:
        """What a workspace answers at /.well-known/databricks-config [databricks-sdk >= 0.100
        oauth.py HostMetadata / get_host_metadata, config.py _resolve_host_metadata; tests/test_oauth.py
        "workspace-static-oidc-endpoint"]: its OIDC root, account and workspace ids. The SDK asks it
        without credentials when a Config is made and logs a warning when it fails."""
        return {"oidc_endpoint": f"{self.url}/oidc", "account_id": EMULATOR_ACCOUNT_ID,
                "workspace_id": EMULATOR_WORKSPACE_ID}

    def _finish(self, status, payload, headers):
        with self._lock:
            self._bump("by_status", str(status))
        return status, payload, headers

    def _non_admin(self, authorization) -> bool:
        return (authorization or "").partition(" ")[2] in self.non_admin_tokens

    def _authenticate(self, authorization, method, template=None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "UNAUTHENTICATED", "Credential was not sent or was of an "
                                                   "unsupported type for this API.")
        if token != self.token and token not in self.read_only_tokens | self.non_admin_tokens:
            raise ApiError(401, "UNAUTHENTICATED", "Invalid access token.")
        if (token in self.non_admin_tokens and method in WRITE_METHODS
                and (template or "").startswith("/api/2.0/notification-destinations")):
            # [SDK] "Only workspace admins can create, update, and delete notification destinations."
            # [ASSUME] the wording of the service's message.
            raise ApiError(403, "PERMISSION_DENIED", "Only workspace admins can create, update, and "
                                                     "delete notification destinations.")
        if token in self.read_only_tokens and method in WRITE_METHODS:
            raise ApiError(403, "PERMISSION_DENIED", f"This token is read-only: {method} is not "
                                                     f"allowed.")

    # -- control endpoints ---------------------------------------------------------------------
    def _ctl_stats(self, body):
        with self._lock:
            stats = self.counters()
            stats["alerts_active"] = sum(r["alert"]["lifecycle_state"] == "ACTIVE"
                                         for r in self._alerts.values())
            stats["alerts_trashed"] = len(self._alerts) - stats["alerts_active"]
            stats["fault_config"] = self.fault_config()
            return stats

    def _ctl_faults(self, body):
        """Replaces the whole fault config: absent keys mean off; seed absent keeps the seed
        (and restarts the RNG)."""
        body = body if isinstance(body, dict) else {}
        try:
            self.set_faults(body.get("faults") or [], latency_ms=body.get("latency_ms") or 0,
                            max_rps=body.get("max_rps") or 0, seed=body.get("seed", self._seed))
        except (ValueError, re.error) as e:
            raise invalid(f"fault config: {e}") from None
        return self.fault_config()

    def _ctl_reset(self, body):
        self.reset_state()
        return {}

    def _ctl_evaluate(self, body):
        """The service's scheduler, told the outcome: {"states": {id or alert_id: state}, "default": state}."""
        body = body if isinstance(body, dict) else {}
        return {"evaluated": self.evaluate_alerts(body.get("states"), body.get("default"))}

    def _ctl_reset_counters(self, body):
        self.reset_counters()
        return {}


def serve_forever(host: str = "127.0.0.1", port: int = 0, setup=None, announce=None, **kwargs) -> None:
    """Run an emulator until SIGINT/SIGTERM; prints one 'emulator listening on URL' line to stderr,
    then the text `announce(emulator)` returns, if any. `setup(emulator)` runs before that line
    (e.g. to create notification destinations)."""
    stop = threading.Event()
    emulator = Emulator(host=host, port=port, **kwargs).start()
    if setup is not None:
        setup(emulator)
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    print(f"emulator listening on {emulator.url}", file=sys.stderr, flush=True)
    if announce is not None:
        print(announce(emulator), file=sys.stderr, flush=True)
    try:
        stop.wait()
    finally:
        emulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
