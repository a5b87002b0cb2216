"""Shared fixtures: throwaway copies of the dbt project and real `dbt` runs on DuckDB."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT = str(Path(sys.executable).with_name("dbt"))
PROJECT_FILES = ("dbt_project.yml", "models", "macros", "seeds")


@dataclass
class DbtResult:
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class DbtProject:
    """A copy of the project in a temp dir with its own DuckDB file and profiles.yml."""

    def __init__(self, path: Path):
        self.path = path
        self.duckdb_path = path / "alerts.duckdb"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "DBT_"))}
        env["DBT_DUCKDB_PATH"] = str(self.duckdb_path)
        env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        return env

    def dbt(self, *args: str) -> DbtResult:
        proc = subprocess.run(
            [DBT, *args, "--project-dir", str(self.path), "--profiles-dir", str(self.path)],
            cwd=self.path, env=self.env, capture_output=True, text=True, timeout=600,
        )
        return DbtResult(proc.returncode, proc.stdout + proc.stderr)

    def rebuild(self) -> DbtResult:
        """`dbt build` of a clone of the built project: its sample data seeds are already loaded
        and unchanged, so they are left out (the rest, catalog seeds included, is built)."""
        return self.dbt("build", "--exclude", "path:seeds/sample_data")

    # --- editing the catalog -------------------------------------------------------------
    @property
    def catalog_path(self) -> Path:
        return self.path / "seeds" / "alert_configurations.csv"

    def catalog_rows(self) -> list[dict[str, str]]:
        with self.catalog_path.open(newline="") as f:
            return list(csv.DictReader(f))

    def write_catalog(self, rows: list[dict[str, str]]) -> None:
        fields = list(rows[0].keys()) if rows else []
        with self.catalog_path.open(newline="") as f:
            fields = next(csv.reader(f))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        self.catalog_path.write_text(buf.getvalue())

    def model_path(self, name: str) -> Path:
        return next(self.path.joinpath("models").rglob(f"{name}.sql"))

    def add_alert(self, row: dict[str, str], sql: str | None = None, model_dir: str = "models/alerts/test") -> None:
        """Append a catalog row; with `sql`, also write its query model."""
        if sql is not None:
            path = self.path / model_dir / f"{row['query_model']}.sql"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(sql)
        self.write_catalog(self.catalog_rows() + [row])


def copy_project(dest: Path) -> DbtProject:
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = PROJECT_ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    shutil.copy2(PROJECT_ROOT / "profiles.yml.example", dest / "profiles.yml")
    return DbtProject(dest)


def clone_built(built: DbtProject, dest: Path) -> DbtProject:
    """Copy a built project (target/ and the DuckDB file too): a fresh `dbt build` costs ~10 s."""
    shutil.copytree(built.path, dest, ignore=shutil.ignore_patterns("logs"))
    return DbtProject(dest)


@pytest.fixture
def dbt_project(tmp_path: Path, built_project: DbtProject) -> DbtProject:
    """A private copy of the built project, to inject bad rows into and `rebuild()`."""
    return clone_built(built_project, tmp_path / "project")


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The project as shipped, seeded and built once per test session (read-only for tests)."""
    project = copy_project(tmp_path_factory.mktemp("built") / "project")
    result = project.dbt("build")
    assert result.ok, result.output[-5000:]
    return project


# --- workspace emulator + alert-sync CLI ---------------------------------------------------------

WAREHOUSE = "emulator-warehouse"


def provision_destinations(emu, project: DbtProject) -> None:
    """Create the workspace notification destinations the project's destinations seed refers to."""
    from alert_sync.cli import provision_destinations as provision

    provision(emu, project.path / "seeds" / "notification_destinations.csv")


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch):
    from alert_sync.emulator import Emulator

    for key in list(os.environ):
        if key.startswith("DATABRICKS_"):
            monkeypatch.delenv(key)
    with Emulator() as emu:
        monkeypatch.setenv("DATABRICKS_HOST", emu.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", "emulator-token")
        monkeypatch.setenv("DATABRICKS_WAREHOUSE_ID", WAREHOUSE)
        yield emu


@dataclass
class SyncRun:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        import json

        return json.loads(self.stdout)


def alert_sync(project: DbtProject, *args: str) -> SyncRun:
    """Run the real CLI in-process (click) against `project` (its own DuckDB file)."""
    from click.testing import CliRunner

    from alert_sync.cli import main

    command, *rest = args
    result = CliRunner(env={"DBT_DUCKDB_PATH": str(project.duckdb_path)}).invoke(
        main, [command, "--project-dir", str(project.path), "--profiles-dir", str(project.path), *rest],
        catch_exceptions=False)
    return SyncRun(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def project(tmp_path: Path, built_project: DbtProject) -> DbtProject:
    """A private copy of the session's built project (artifacts and DuckDB file included)."""
    return clone_built(built_project, tmp_path / "project")


@pytest.fixture
def workspace(emulator, project):
    """The emulator with the notification destinations the project's seed refers to."""
    provision_destinations(emulator, project)
    return emulator
