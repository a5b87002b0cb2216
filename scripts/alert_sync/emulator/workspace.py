"""The workspace around alerts: folders and workspace files (mkdirs, get-status, import, export,
delete: what alert-sync's apply lock and the live check need), SQL warehouses and the caller
(SCIM Me)."""

from __future__ import annotations

import base64
import binascii
import json

from ..workspace_paths import folder_key
from .api import ApiError, invalid, malformed_body
from .state import Store


# Each active alert is also a workspace file <parent_path>/<display_name>.dbalert.json, written by
# the service on create and update [databricks/cli libs/testserver/alerts.go writeAlertFile /
# alertFilePath; acceptance/bundle/resources/alerts/with_file: `workspace export` of it]. The
# emulator derives it from the alert, so a rename moves it and a trash (or a recursive delete of
# its folder, which trashes the alert) removes it, as AlertsDelete there does.
ALERT_FILE_SUFFIX = ".dbalert.json"


def alert_file_path(alert: dict) -> str:
    return f"{folder_key(alert['parent_path']).rstrip('/')}/{alert['display_name']}{ALERT_FILE_SUFFIX}"


def alert_file_content(alert: dict) -> bytes:
    """The file's JSON as alerts.go writeAlertFile renders the backend's: API-only fields
    (display_name, warehouse_id...) left out, query_text and custom_description split into lines,
    the evaluation in the backend's key order with a notification object always present (notify_on_ok
    always written), a double threshold with its decimal point. [ASSUME] empty_result_state, which
    alerts.go does not model, is written when set (it is part of the alert's definition)."""
    evaluation = alert["evaluation"]
    out: dict = {}
    if alert.get("custom_summary"):
        out["custom_summary"] = alert["custom_summary"]
    ev = {"source": evaluation["source"], "comparison_operator": evaluation["comparison_operator"]}
    threshold = evaluation.get("threshold")
    if threshold is not None:
        threshold = json.loads(json.dumps(threshold))
        value = threshold.get("value", {})
        if "double_value" in value:
            value["double_value"] = float(value["double_value"])  # 2 -> 2.0, as the backend writes it
        ev["threshold"] = threshold
    if "empty_result_state" in evaluation:
        ev["empty_result_state"] = evaluation["empty_result_state"]
    notification = dict(evaluation.get("notification") or {})
    if notification:
        notification.setdefault("notify_on_ok", False)
    ev["notification"] = notification
    out["evaluation"] = ev
    out["schedule"] = alert["schedule"]
    for field, lines in (("query_text", "query_lines"), ("custom_description", "custom_description_lines")):
        if alert.get(field):
            out[lines] = alert[field].removesuffix("\n").split("\n")
    return (json.dumps(out, indent=2) + "\n").encode()


def check_workspace_path(path, field: str) -> str:
    if not isinstance(path, str) or not path.startswith("/"):
        raise invalid(f"{field}: {path!r} is not an absolute workspace path")
    parts = path.rstrip("/").split("/")[1:]
    if any(p in ("", ".", "..") for p in parts):
        raise invalid(f"{field}: {path!r} is not a normalized workspace path")
    return path


class WorkspaceEndpoints(Store):
    """/api/2.0/workspace/*, /api/2.0/sql/warehouses, /api/2.0/preview/scim/v2/Me."""

    warehouse_ids: tuple
    warehouse_settings: dict  # warehouse id -> fields of its GET answer that differ from _warehouse's defaults

    def folders(self) -> list[str]:
        with self._lock:
            return sorted(self._folders)

    def _alert_files(self) -> dict[str, dict]:
        """file key -> alert record, of the active alerts (caller holds the lock)."""
        return {alert_file_path(r["alert"]): r for r in self._alerts.values()
                if r["alert"]["lifecycle_state"] == "ACTIVE"}

    # -- warehouses ----------------------------------------------------------------------------
    def _warehouse(self, warehouse_id):
        """GET /api/2.0/sql/warehouses/{id}: the fields of the SDK's GetWarehouseResponse (the list
        endpoint returns the same objects [SDK EndpointInfo]). The defaults are a serverless
        2X-Small that stops after 10 idle minutes, as a serverless warehouse made in the UI
        [ASSUME: UI defaults; the API's own default auto_stop_mins is 120]; the Emulator's
        `warehouses` setting overrides any field per warehouse."""
        host = (self.url or "http://127.0.0.1").split("://", 1)[-1].split(":", 1)[0]
        path = f"/sql/1.0/warehouses/{warehouse_id}"
        return {
            "id": warehouse_id, "name": f"Emulator warehouse {warehouse_id}", "cluster_size": "2X-Small",
            "min_num_clusters": 1, "max_num_clusters": 1, "auto_stop_mins": 10, "enable_photon": True,
            "enable_serverless_compute": True, "warehouse_type": "PRO", "spot_instance_policy": "COST_OPTIMIZED",
            "channel": {"name": "CHANNEL_NAME_CURRENT"}, "creator_name": self.user, "state": "RUNNING",
            "num_clusters": 1, "num_active_sessions": 0, "health": {"status": "HEALTHY"}, "tags": {},
            "odbc_params": {"hostname": host, "path": path, "protocol": "https", "port": 443},
            "jdbc_url": f"jdbc:databricks://{host}:443/default;transportMode=http;ssl=1;AuthMech=3;httpPath={path};",
            **self.warehouse_settings.get(warehouse_id, {}),
        }

    def _list_warehouses(self, query):
        return {"warehouses": [self._warehouse(w) for w in self.warehouse_ids]}

    def _get_warehouse(self, warehouse_id, query):
        if warehouse_id not in self.warehouse_ids:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Warehouse {warehouse_id} does not exist.")
        return self._warehouse(warehouse_id)

    # -- folders -------------------------------------------------------------------------------
    def _mkdirs(self, query, body):
        path = check_workspace_path(body.get("path") if isinstance(body, dict) else None, "path")
        with self._lock:
            before = len(self._folders)
            self._mkdirs_locked(path)
            if len(self._folders) != before:
                self._bump("writes")
                self._save()
            return {}

    def _get_status(self, query):
        path = check_workspace_path(query.get("path"), "path")
        with self._lock:
            object_id = self._folders.get(folder_key(path))
            file = self._files.get(folder_key(path)) or self._alert_files().get(folder_key(path))
        if file is not None:
            return {"object_type": "FILE", "path": path, "object_id": file["object_id"]}
        if object_id is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Path ({path}) doesn't exist.")
        return {"object_type": "DIRECTORY", "path": path.rstrip("/") or "/", "object_id": object_id}

    # -- workspace files: only what alert-sync's lock needs ------------------------------------
    def _import_file(self, query, body):
        """[DOCS] import with overwrite=false fails RESOURCE_ALREADY_EXISTS when the path exists:
        the atomic create-if-absent alert-sync's apply lock relies on."""
        if not isinstance(body, dict):
            raise malformed_body()
        path = check_workspace_path(body.get("path"), "path")
        content = body.get("content", "")
        try:
            base64.b64decode(content, validate=True)
        except (binascii.Error, TypeError):
            raise invalid("content: must be base64-encoded") from None
        if body.get("format", "AUTO") not in ("AUTO", "RAW"):
            raise invalid("format: the emulator imports workspace files only (AUTO or RAW)")
        key = folder_key(path)
        parent = key.rsplit("/", 1)[0] or "/"
        with self._lock:
            if parent not in self._folders:
                raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"The parent folder ({parent}) does not exist.")
            if key in self._folders:
                raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Path ({path}) is a directory.")
            if key in self._alert_files():  # [ASSUME] an alert's file changes through the alerts API only
                raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Path ({path}) already exists (it is an alert).")
            existing = self._files.get(key)
            if existing is not None and not body.get("overwrite", False):
                raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Path ({path}) already exists.")
            object_id = existing["object_id"] if existing else self._new_object_id()
            self._files[key] = {"object_id": object_id, "content": content}
            self._bump("writes")
            self._save()
        return {}

    def _export_file(self, query):
        path = check_workspace_path(query.get("path"), "path")
        with self._lock:
            file = self._files.get(folder_key(path))
            alert = self._alert_files().get(folder_key(path))
            if file is None and alert is not None:
                file = {"content": base64.b64encode(alert_file_content(alert["alert"])).decode()}
        if file is None:
            raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Path ({path}) doesn't exist.")
        return {"content": file["content"], "file_type": path.rsplit(".", 1)[-1] if "." in path else ""}

    def _list_path(self, query):
        """[DOCS workspace/list] the objects directly in a folder: its folders, files and (as files)
        its alerts; RESOURCE_DOES_NOT_EXIST for a path that is not a folder."""
        path = check_workspace_path(query.get("path"), "path")
        key = folder_key(path)
        with self._lock:
            if key not in self._folders:
                raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Path ({path}) doesn't exist.")
            inside = key.rstrip("/") + "/"

            def direct(k):
                return k.startswith(inside) and "/" not in k[len(inside):] and k != key

            objects = [{"object_type": "DIRECTORY", "path": k, "object_id": i}
                       for k, i in self._folders.items() if direct(k)]
            files = {k: f["object_id"] for k, f in self._files.items()}
            files.update({k: r["object_id"] for k, r in self._alert_files().items()})
            objects += [{"object_type": "FILE", "path": k, "object_id": i} for k, i in files.items() if direct(k)]
        return {"objects": sorted(objects, key=lambda o: o["path"])} if objects else {}

    def _delete_path(self, query, body):
        """[DOCS workspace/delete] a non-empty folder needs recursive=true, else DIRECTORY_NOT_EMPTY.
        [ASSUME] alerts in a recursively deleted folder go to the trash, like the folder's other
        objects (so they keep counting against the alert quota until purged)."""
        path = check_workspace_path(body.get("path") if isinstance(body, dict) else None, "path")
        key = folder_key(path)
        with self._lock:
            alert_file = self._alert_files().get(key)
            if key in self._files:
                del self._files[key]
            elif alert_file is not None:  # [ASSUME] deleting an alert's file trashes the alert
                alert_file["alert"]["lifecycle_state"] = "DELETED"
            elif key in self._folders:
                if key in ("/", "/Users", "/Shared", folder_key(f"/Users/{self.user}")):
                    raise ApiError(403, "PERMISSION_DENIED", f"Path ({path}) cannot be deleted.")
                inside = key + "/"
                files = [k for k in self._files if k.startswith(inside)]
                folders = [k for k in self._folders if k.startswith(inside)]
                alerts = [r["alert"] for r in self._alerts.values() if r["alert"]["lifecycle_state"] == "ACTIVE"
                          and (folder_key(r["alert"]["parent_path"]) + "/").startswith(inside)]
                if (files or folders or alerts) and not body.get("recursive", False):
                    raise ApiError(400, "DIRECTORY_NOT_EMPTY", f"Folder ({path}) is not empty.")
                for k in files:
                    del self._files[k]
                for k in folders + [key]:
                    del self._folders[k]
                for alert in alerts:
                    alert["lifecycle_state"] = "DELETED"
            else:
                raise ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"Path ({path}) doesn't exist.")
            self._bump("writes")
            self._save()
        return {}

    # -- identity ------------------------------------------------------------------------------
    def _me(self, query):
        return {"id": "1000", "userName": self.user, "displayName": self.user.split("@")[0],
                "active": True, "emails": [{"value": self.user, "primary": True, "type": "work"}],
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}
