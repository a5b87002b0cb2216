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


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: absent with -p no:xdist
def pytest_xdist_node_collection_finished(node, ids: list[str]) -> None:
    """On the pytest-xdist controller: the ids a worker collected. Under --dist loadgroup, xdist
    groups the xdist_group tests by an "@<group>" suffix it writes into their ids; with pytest 9.2's
    structured ids it is silently lost (pytest-dev/pytest-xdist#1386) and each module-scoped build
    runs once per worker (the Spark builds twice, ~80 s). Stop, saying so, rather than run slowly."""
    if node.config.getvalue("dist") != "loadgroup" or any("@" in i for i in ids):
        return
    files = {i.split("::")[0] for i in ids}
    if any("pytest.mark.xdist_group(" in (node.config.rootpath / f).read_text() for f in files):
        pytest.exit(f"pytest {pytest.__version__} with pytest-xdist: --dist loadgroup groups none of the "
                    "xdist_group tests (pytest-dev/pytest-xdist#1386); install the pinned pytest "
                    "(constraints.txt, `make test` does) or run without -n", returncode=4)


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own hook, which tags the grouped tests' ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        heavy = HEAVY_FIXTURES & set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("unit") and heavy:
            raise pytest.UsageError(f"{item.nodeid} is marked unit but uses {', '.join(sorted(heavy))}: "
                                    "drop the mark (unit tests run no dbt and no emulator, docs/development.md)")
    if getattr(config.option, "loadgroup", False):  # a pytest-xdist worker under --dist loadgroup
        # The modules that build a project of their own (xdist_group) first: each is one long unit
        # of work, and the single tests that come after even out the two workers' ends. The
        # scheduler takes the workers' collection order; a stable sort keeps each module's order.
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
