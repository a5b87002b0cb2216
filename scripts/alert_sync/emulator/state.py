"""The emulator's shared state: one lock, the request counters, the workspace objects (alerts,
destinations, folders, files) and their persistence to the state file.

``Store`` is the base of every endpoint mixin; a mutation holds ``_lock``, bumps ``writes`` and
calls ``_save()``.
"""

from __future__ import annotations

import copy
import json
import os
import threading

from ..workspace_paths import folder_key

STATE_FILE_VERSION = 1


class Store:
    """Workspace objects and counters; attributes are set by ``Emulator.__init__``."""

    user: str
    state_file: str | None
    _lock: threading.RLock

    # -- counters ------------------------------------------------------------------------------
    def counters(self) -> dict:
        with self._lock:
            return copy.deepcopy(self._counters)

    def reset_counters(self) -> None:
        with self._lock:
            self._counters = {"total": 0, "by_method": {}, "by_endpoint": {}, "by_status": {},
                              "writes": 0, "faults_injected": 0, "faults_by_kind": {},
                              "rate_limited": 0, "update_masks": {},
                              "host_metadata": 0}  # GET /.well-known/databricks-config: not in total

    def _bump(self, name: str, key: str | None = None) -> None:
        if key is None:
            self._counters[name] += 1
        else:
            self._counters[name][key] = self._counters[name].get(key, 0) + 1

    # -- workspace objects ---------------------------------------------------------------------
    def reset_state(self) -> None:
        with self._lock:
            self._clear_state()
            self._save()

    def _clear_state(self) -> None:
        self._alerts: dict[str, dict] = {}  # id -> {"seq", "alert"}
        self._destinations: dict[str, dict] = {}  # id -> {"seq", "destination"}
        self._folders: dict[str, int] = {}  # folder key -> object_id
        self._files: dict[str, dict] = {}  # file key -> {"object_id", "content" (base64)}
        self._seq = 0
        self._next_object_id = 1000
        for path in ("/", "/Users", "/Shared", f"/Users/{self.user}"):
            self._mkdirs_locked(path)

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _store_alert(self, alert: dict) -> None:
        existing = self._alerts.get(alert["id"])
        seq = existing["seq"] if existing else self._next_seq()
        # object_id: of the alert's workspace file (workspace.alert_file_path), kept across updates
        object_id = existing.get("object_id") if existing else None
        self._alerts[alert["id"]] = {"seq": seq, "alert": alert,
                                     "object_id": object_id or self._new_object_id()}

    def _store_destination(self, dest: dict) -> None:
        self._destinations[dest["id"]] = {"seq": self._next_seq(), "destination": dest}

    def _new_object_id(self) -> int:
        self._next_object_id += 1
        return self._next_object_id - 1

    def _mkdirs_locked(self, path: str) -> None:
        key = folder_key(path)
        parts = [p for p in key.split("/") if p]
        for i in range(len(parts) + 1):
            sub = "/" + "/".join(parts[:i])
            if sub not in self._folders:
                self._folders[sub] = self._new_object_id()

    # -- persistence ---------------------------------------------------------------------------
    def _save(self) -> None:
        """Atomic write (tmp + os.replace) after each mutation; caller holds the lock."""
        if not self.state_file:
            return
        state = {"version": STATE_FILE_VERSION, "seq": self._seq,
                 "next_object_id": self._next_object_id, "folders": self._folders,
                 "files": self._files,
                 "alerts": list(self._alerts.values()),
                 "destinations": list(self._destinations.values())}
        directory = os.path.dirname(os.path.abspath(self.state_file))
        os.makedirs(directory, exist_ok=True)
        tmp = f"{self.state_file}.tmp-{os.getpid()}-{threading.get_ident()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(state, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.state_file)

    def _load_state(self) -> None:
        with open(self.state_file, encoding="utf-8") as fh:
            state = json.load(fh)
        if state.get("version") != STATE_FILE_VERSION:
            raise ValueError(f"{self.state_file}: unsupported emulator state version "
                             f"{state.get('version')!r}")
        with self._lock:
            self._seq = state["seq"]
            self._next_object_id = state["next_object_id"]
            self._folders.update(state["folders"])
            self._files = state.get("files", {})
            self._alerts = {r["alert"]["id"]: r for r in state["alerts"]}
            for r in self._alerts.values():  # a state file written before alerts had workspace files
                r.setdefault("object_id", self._new_object_id())
            self._destinations = {r["destination"]["id"]: r for r in state["destinations"]}
