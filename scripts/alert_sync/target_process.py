"""The dbt target's side of plan/apply, in a helper process.

plan/apply use the dbt target (profiles.yml, rendered by dbt itself) for two things: reading the
alert ids the last sync recorded (only when the managed folder already holds alerts) and writing
the run's metrics at the end. Loading dbt's profile machinery and the database driver costs 2-3 s
of CPU (dbt imports, dbt-duckdb, pandas that DuckDB loads before binding parameters). In a helper
process that work runs on another core while the parent imports databricks-sdk and makes the
workspace calls, and the parent never imports dbt at all. The helper keeps the credentials to
itself: only table names, alert ids and metrics rows cross the pipe.

Protocol: JSON, one object per line. The helper first writes the loaded target
({"name", "adapter_type", "http_path"} or {"error"}), then answers each request line on stdin
({"op": "recorded_ids" | "durations" | "write_run", ...}) with one line ({... } or {"error"}), and exits at
end of input, so it also goes away when the parent dies.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from . import timings
from .errors import ConfigError, TargetError, describe
from .project import Artifacts, BuildOptions, Relation, build_target_name, load_artifacts


@dataclass(frozen=True)
class TargetInfo:
    name: str
    adapter_type: str
    http_path: str | None  # Databricks targets: names the SQL warehouse


def _tables_json(tables: dict[str, Relation]) -> dict[str, Any]:
    return {name: asdict(rel) for name, rel in tables.items()}


def _tables_from_json(data: dict[str, Any]) -> dict[str, Relation]:
    return {name: Relation(rel["database"], rel["schema"], rel["identifier"], [tuple(c) for c in rel["columns"]])
            for name, rel in data.items()}


class TargetProcess:
    """Parent side: starts the helper at once; each call waits for what it needs."""

    def __init__(self, project_dir: Path, profiles_dir: Path | None, target_name: str | None):
        cmd = [sys.executable, "-m", "alert_sync.target_process", "--project-dir", str(project_dir)]
        if profiles_dir:
            cmd += ["--profiles-dir", str(profiles_dir)]
        if target_name:
            cmd += ["--target", target_name]
        # The helper must import this very package, wherever it was imported from.
        package_root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH"))
                                                           if p)}
        # stderr is inherited: dbt's own warnings reach the user as they would from `dbt build`.
        self._spawned = timings.now()
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self._lock = threading.Lock()
        self._info: TargetInfo | None = None
        self._error: ConfigError | None = None

    def _read(self) -> dict[str, Any]:
        line = self._proc.stdout.readline() if self._proc.stdout else ""
        if not line:
            code = self._proc.wait()
            raise TargetError(f"the helper process that loads the dbt target exited with code {code} (its error "
                              "is above)")
        return json.loads(line)

    def info(self) -> TargetInfo:
        """The dbt target; raises ConfigError when dbt cannot load the profile."""
        with self._lock:
            if self._info is None and self._error is None:
                try:
                    with timings.phase("dbt target wait"):
                        message = self._read()
                except TargetError as exc:
                    self._error = ConfigError(f"Cannot load the dbt target: {exc}.")
                else:
                    if "error" in message:
                        self._error = ConfigError(message["error"])
                    else:
                        self._info = TargetInfo(message["name"], message["adapter_type"], message.get("http_path"))
                    if "loaded_at" in message:  # the helper's own start-up, for ALERT_SYNC_TIMINGS
                        timings.span("dbt target helper (own process)", self._spawned,
                                     message["loaded_at"] - timings.EPOCH)
            if self._error is not None:
                raise self._error
            assert self._info is not None
            return self._info

    def _request(self, op: str, **payload: Any) -> dict[str, Any]:
        self.info()
        with self._lock:
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.write(json.dumps({"op": op, **payload}, default=str) + "\n")
                self._proc.stdin.flush()
            except OSError as exc:  # the helper is gone; _read says how it ended
                if not isinstance(exc, BrokenPipeError):
                    raise TargetError(f"cannot reach the dbt target helper process: {exc}") from exc
            message = self._read()
        if "error" in message:
            raise TargetError(message["error"])
        return message

    def recorded_ids(self, tables: dict[str, Relation]) -> dict[str, str]:
        return self._request("recorded_ids", tables=_tables_json(tables))["ids"]

    def evaluation_durations(self, tables: dict[str, Relation]) -> dict[str, list[int]]:
        return self._request("durations", tables=_tables_json(tables))["durations"]

    def write_run(self, tables: dict[str, Relation], record: Any) -> None:
        self._request("write_run", tables=_tables_json(tables), record=asdict(record))

    def close(self) -> None:
        """End the helper: end of input when it is serving (no request is ever in flight here), a
        terminate while it is still loading dbt (nothing to lose: a plan that never needed it)."""
        try:
            if self._proc.stdin:
                self._proc.stdin.close()
        except OSError:
            pass
        if self._info is None and self._error is None:
            self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()


@dataclass
class DbtSide:
    """What plan/apply read from the dbt side before any workspace call."""
    artifacts: Artifacts
    target_name: str | None  # None: the manifest does not say (no alert models); the helper's target does
    target: TargetProcess


def start(build: BuildOptions, allow_non_databricks_manifest: bool) -> DbtSide:
    """Read the artifacts of the last build and start the helper that loads its dbt target.
    Imports neither dbt nor databricks-sdk: plan/apply call it first, so dbt loads on another
    core while this process imports databricks-sdk."""
    with timings.phase("artifacts"):
        artifacts = load_artifacts(build.project_dir, build.target_path)
    if artifacts.adapter_type != "databricks" and not allow_non_databricks_manifest:
        raise ConfigError(
            f"target/manifest.json was compiled with the '{artifacts.adapter_type}' adapter: its SQL is not Databricks "
            f"SQL. Run `dbt build --target <a databricks target>` first, or pass --allow-non-databricks-manifest "
            f"(local emulator, tests).")
    target_name = build_target_name(artifacts, build.target)
    return DbtSide(artifacts, target_name, TargetProcess(build.project_dir, build.profiles_dir, target_name))


# --- helper side ---------------------------------------------------------------------------------

def _record_from_json(data: dict[str, Any]) -> Any:
    from .metrics import RunRecord

    def when(value: Any) -> Any:
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    rows = [{**row, "synced_at": when(row.get("synced_at"))} for row in data["results"]]
    observations = [{**row, "observed_at": when(row.get("observed_at")),
                     "last_evaluated_at": when(row.get("last_evaluated_at"))} for row in data.get("observations", [])]
    return RunRecord(**{**data, "started_at": when(data["started_at"]), "ended_at": when(data["ended_at"]),
                        "results": rows, "observations": observations})


def _warm_up(target: Any) -> None:
    from . import metrics

    try:
        metrics.warm_up(target)
    except Exception:  # noqa: S110 - best effort: a real problem shows when connecting
        pass


def serve(project_dir: Path, profiles_dir: Path | None, target_name: str | None) -> None:
    # The protocol owns the original stdout; anything else printing to stdout (dbt events, C
    # libraries) goes to stderr instead.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)

    if hasattr(os, "nice"):
        os.nice(5)  # background work: the parent's workspace calls come first on a busy machine

    def reply(message: dict[str, Any]) -> None:
        out.write(json.dumps(message, default=str) + "\n")
        out.flush()

    from . import metrics
    from .project import load_dbt_target

    try:
        target = load_dbt_target(project_dir, profiles_dir, target_name)
    except ConfigError as exc:
        reply({"error": str(exc), "loaded_at": time.time()})
        return
    reply({"name": target.name, "adapter_type": target.adapter_type,
           "http_path": getattr(target.credentials, "http_path", None), "loaded_at": time.time()})
    threading.Thread(target=_warm_up, args=(target,), daemon=True).start()  # while waiting for requests

    while line := sys.stdin.readline():
        request = json.loads(line)
        try:
            tables = _tables_from_json(request["tables"])
            db = metrics.connect(target, project_dir)
            try:
                if request["op"] == "recorded_ids":
                    reply({"ids": metrics.recorded_ids(db, tables)})
                elif request["op"] == "durations":
                    reply({"durations": metrics.evaluation_durations(db, tables)})
                elif request["op"] == "write_run":
                    metrics.write_run(db, tables, _record_from_json(request["record"]))
                    reply({"ok": True})
                else:
                    reply({"error": f"unknown request {request['op']!r}"})
            finally:
                db.close()  # short-lived: DuckDB lets one process write a file at a time
        except Exception as exc:
            reply({"error": describe(exc)})
    out.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="alert-sync's dbt target helper (started by plan/apply).")
    parser.add_argument("--project-dir", type=Path, required=True)
    parser.add_argument("--profiles-dir", type=Path)
    parser.add_argument("--target")
    args = parser.parse_args()
    serve(args.project_dir, args.profiles_dir, args.target)
    # Done (end of input, or the target did not load). Skip the interpreter's teardown, about 0.5 s
    # with dbt and pandas loaded, which the parent would wait for: every reply is flushed and every
    # connection closed by now.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
