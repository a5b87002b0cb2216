"""Shared fixtures: throwaway copies of the example project (installing the dbt_alerts package from
this repository), real `dbt` runs on DuckDB, the workspace emulator and the alert-sync CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from projects import DbtProject, clone_built, copy_example


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--live", action="store_true",
                     help="tests/test_live.py against the workspace of DATABRICKS_HOST / DATABRICKS_TOKEN / "
                          "DATABRICKS_WAREHOUSE_ID instead of the bundled emulator (`make test-live`)")

WAREHOUSE = "emulator-warehouse"

# Fixtures that run dbt or start the emulator: a test marked `unit` (`make test-fast`) uses none.
HEAVY_FIXTURES = frozenset({"built_project", "project", "dbt_project", "emulator", "workspace"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        heavy = HEAVY_FIXTURES & set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("unit") and heavy:
            raise pytest.UsageError(f"{item.nodeid} is marked unit but uses {', '.join(sorted(heavy))}: "
                                    "drop the mark (unit tests run no dbt and no emulator, docs/development.md)")
    if getattr(config.option, "dist", "no") != "no":
        # On xdist workers, the modules that build a project of their own (xdist_group) first: each
        # is one long unit of work, and the single tests that come after even out the two workers'
        # ends. A stable sort keeps every module's tests together and in their order.
        items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)


@pytest.fixture
def dbt_project(tmp_path: Path, built_project: DbtProject) -> DbtProject:
    """A private copy of the built example, to inject bad rows into and `rebuild()`."""
    return clone_built(built_project, tmp_path / "project")


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The example project as shipped, seeded and built once per test session (read-only for tests)."""
    project = copy_example(tmp_path_factory.mktemp("built") / "project")
    result = project.dbt("build")
    assert result.ok, result.output[-5000:]
    return project


# --- workspace emulator + alert-sync CLI ---------------------------------------------------------

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
    """A private copy of the session's built example (artifacts and DuckDB file included)."""
    return clone_built(built_project, tmp_path / "project")


@pytest.fixture
def workspace(emulator, project):
    """The emulator with the notification destinations the project's seed refers to."""
    provision_destinations(emulator, project)
    return emulator
