"""One `apply` at a time per managed folder, across machines.

The lock is a workspace file `<managed folder>/.alert-sync.lock`, created with
`workspace.import_(overwrite=False)`: the service answers RESOURCE_ALREADY_EXISTS when it exists,
so creating it is an atomic test-and-set that every CI runner sees. The file says who holds it
(run id, host, pid, heartbeat). A second run waits up to `wait_seconds`, then refuses with a
message naming the holder. A lock whose holder died (same host and its pid is gone, or no
heartbeat for `stale_seconds`) is broken, so a killed run never blocks the next one for long.

apply takes the lock only when the plan has writes, then plans again under the lock: a no-op
apply writes nothing to the workspace, and two overlapping runs never create the same alert twice.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
from datetime import datetime, timezone
from typing import Callable

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, ResourceAlreadyExists, ResourceDoesNotExist
from databricks.sdk.service.workspace import ImportFormat

from .errors import ConfigError

LOCK_NAME = ".alert-sync.lock"


def _now() -> float:
    return time.time()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WorkspaceLock:
    def __init__(self, w: WorkspaceClient, folder: str, run_id: str, wait_seconds: float = 300,
                 stale_seconds: float = 120, log: Callable[[str], None] = lambda m: None):
        self.w = w
        self.path = folder.rstrip("/") + "/" + LOCK_NAME
        self.folder = folder
        self.run_id = run_id
        self.wait_seconds = wait_seconds
        self.stale_seconds = stale_seconds
        self.log = log
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self.held = False

    def _content(self) -> str:
        body = {"run_id": self.run_id, "host": socket.gethostname(), "pid": os.getpid(),
                "heartbeat": _now(), "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        return base64.b64encode(json.dumps(body).encode()).decode()

    def _write(self, overwrite: bool) -> None:
        self.w.workspace.import_(self.path, content=self._content(), format=ImportFormat.AUTO, overwrite=overwrite)

    def _holder(self) -> dict | None:
        try:
            exported = self.w.workspace.export(self.path)
        except (NotFound, ResourceDoesNotExist):
            return None
        try:
            return json.loads(base64.b64decode(exported.content or ""))
        except ValueError:
            return {}

    def _is_stale(self, holder: dict) -> bool:
        if holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int):
            if not _pid_alive(holder["pid"]):
                return True
        return _now() - float(holder.get("heartbeat") or 0) > self.stale_seconds

    def acquire(self) -> None:
        self.w.workspace.mkdirs(self.folder)
        deadline = _now() + self.wait_seconds
        announced = False
        at_once = 10  # tries again at once (released or stale): bounded, should the service disagree with itself
        while True:
            try:
                self._write(overwrite=False)
                break
            except ResourceAlreadyExists:
                holder = self._holder()
                if holder is None or self._is_stale(holder):
                    at_once -= 1
                    if at_once < 0:
                        raise ConfigError(f"Cannot take the alert-sync lock {self.path}: creating it says it exists, "
                                          f"yet it reads as {'absent' if holder is None else 'stale'}. Try again "
                                          f"later.")
                if holder is None:
                    continue  # released meanwhile: try again at once
                if self._is_stale(holder):
                    self.log(f"breaking a stale alert-sync lock of run {holder.get('run_id')} "
                             f"(host {holder.get('host')}, pid {holder.get('pid')})")
                    if self._holder() == holder:  # still the same dead holder
                        self._delete()
                    continue
                who = (f"run {holder.get('run_id')} on host {holder.get('host')} (pid {holder.get('pid')}, "
                       f"since {holder.get('since')})")
                if _now() >= deadline:
                    raise ConfigError(f"Another alert-sync apply holds the lock on {self.folder}: {who}. Waited "
                                      f"{self.wait_seconds:.0f}s; try again later, or raise --lock-wait.")
                if not announced:
                    self.log(f"waiting for another alert-sync apply to finish: {who}")
                    announced = True
                time.sleep(min(2.0, max(0.05, deadline - _now())))
        self.held = True
        self._heartbeat = threading.Thread(target=self._beat, name="alert-sync-lock", daemon=True)
        self._heartbeat.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.stale_seconds / 3):
            try:
                if (self._holder() or {}).get("run_id") == self.run_id:
                    self._write(overwrite=True)
            except Exception:  # a missed heartbeat only shortens how long others wait
                pass

    def _delete(self) -> None:
        try:
            self.w.workspace.delete(self.path)
        except (NotFound, ResourceDoesNotExist):
            pass

    def release(self) -> None:
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=5)
        if self.held and (self._holder() or {}).get("run_id") == self.run_id:
            self._delete()
        self.held = False

    def __enter__(self) -> "WorkspaceLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
