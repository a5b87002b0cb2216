"""dbt projects for tests and benchmarks: copies of the example project (example/) and host
projects made from scratch, each installing the dbt_alerts package from this repository with a
`local:` entry in packages.yml and `dbt deps`, as any host does, with its own DuckDB file and
profiles.yml. Real dbt: the current environment's dbt in the test process (dbtRunner, with the
command line's environment, working directory, output and exit code), another environment's as its
`dbt` command."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from unittest import mock

REPO_ROOT = Path(__file__).resolve().parent.parent  # the dbt_alerts package
EXAMPLE_DIR = REPO_ROOT / "example"
EXAMPLE_NAME = "dbt_alerts_example"
EXAMPLE_FILES = ("dbt_project.yml", "models", "macros", "seeds")
DBT = str(Path(sys.executable).with_name("dbt"))


def duckdb_profiles(profile: str, schema: str = "main", target: str = "dev", threads: int = 4) -> str:
    """profiles.yml of a from-scratch host project: one DuckDB target at $DBT_DUCKDB_PATH
    (DbtProject.env sets it to the project's own file)."""
    return (f"{profile}:\n  target: {target}\n  outputs:\n    {target}:\n      type: duckdb\n"
            f"      path: \"{{{{ env_var('DBT_DUCKDB_PATH') }}}}\"\n      schema: {schema}\n      threads: {threads}\n")


@contextlib.contextmanager
def dbt_environment(**values: str) -> Iterator[None]:
    """os.environ for in-process dbt (dbtRunner): no DATABRICKS_* / DBT_* of the caller's shell, plus `values`."""
    with mock.patch.dict(os.environ):
        for key in [k for k in os.environ if k.startswith(("DATABRICKS_", "DBT_"))]:
            del os.environ[key]
        os.environ.update(values, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
        yield


@dataclass
class DbtResult:
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def dbt_in_process(path: Path, args: tuple[str, ...], **values: str) -> DbtResult:
    """`dbt <args>` of this environment in this process, through dbtRunner (dbt's programmatic entry
    point), with what the command line would have: the environment `dbt_environment(**values)`
    makes (DbtProject.env's rule), the project as the working directory, stdout and stderr as the output, and dbt's exit code (0 success, 1 a
    failed node or test, 2 an error before or around the run: dbt/cli/main.py ResultExit /
    ExceptionExit). It saves the ~1.5 s of Python and dbt start-up a `dbt` process pays per call.

    dbt-duckdb keeps its database open in a class attribute between invocations of one process
    (DuckDBConnectionManager._ENV, closed at exit): it is closed after each call, as the end of the
    `dbt` process would, so alert-sync's dbt target helper and other processes can open the file.
    A project run by another dbt (the oldest allowed, tests/test_host_project.py) keeps its process."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner
    from dbt.deprecations import reset_deprecations

    # dbt counts deprecations per process: a fresh count per call, as dbt's own test fixtures do
    # (dbt/tests/fixtures/project.py), so one project's deprecations are not another's summary.
    reset_deprecations()
    out = io.StringIO()
    with dbt_environment(**values), contextlib.chdir(path), \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            result = dbtRunner().invoke([*args, "--project-dir", str(path), "--profiles-dir", str(path)])
        finally:
            # close_all_connections only drops the environment (its DuckDB closes when collected):
            # close it first, so the file is free the moment this returns.
            if DuckDBConnectionManager._ENV is not None:
                DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager.close_all_connections()
    code = 0 if result.success else 2 if result.exception is not None else 1
    if result.exception is not None:
        out.write(f"\n{type(result.exception).__name__}: {result.exception}\n")
    return DbtResult(code, out.getvalue())


class DbtProject:
    """A dbt project in a temp dir with its own DuckDB file and profiles.yml."""

    def __init__(self, path: Path, name: str = EXAMPLE_NAME, dbt: str = DBT):
        self.path = path
        self.name = name
        self.dbt_executable = dbt
        self.duckdb_path = path / "alerts.duckdb"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "DBT_"))}
        env["DBT_DUCKDB_PATH"] = str(self.duckdb_path)
        env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        return env

    def dbt(self, *args: str) -> DbtResult:
        # dbt runs in the project folder with the DuckDB path relative to it (the same file as
        # duckdb_path): dbt hashes the connection info into the state check of its partial parse
        # (target/partial_parse.msgpack), so an absolute path made every copy re-parse the whole
        # project; a relative one lets a copy re-parse only the files it changed.
        if self.dbt_executable == DBT:
            return dbt_in_process(self.path, args, DBT_DUCKDB_PATH=self.duckdb_path.name)
        env = {**self.env, "DBT_DUCKDB_PATH": self.duckdb_path.name}
        proc = subprocess.run(
            [self.dbt_executable, *args, "--project-dir", str(self.path), "--profiles-dir", str(self.path)],
            cwd=self.path, env=env, capture_output=True, text=True, timeout=600,
        )
        return DbtResult(proc.returncode, proc.stdout + proc.stderr)

    def node_id(self, model: str) -> str:
        return f"model.{self.name}.{model}"

    def rebuild(self) -> DbtResult:
        """`dbt build` of a clone of the built example: its sample data seeds are already loaded
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


def install_package(project: DbtProject) -> None:
    """packages.yml with this repository as a `local:` package, then `dbt deps`."""
    (project.path / "packages.yml").write_text(f"packages:\n  - local: {REPO_ROOT}\n")
    result = project.dbt("deps")
    assert result.ok, result.output[-3000:]


def copy_example(dest: Path) -> DbtProject:
    """A copy of the example project (its own profiles.yml from profiles.yml.example), with the
    package installed from this repository."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_FILES:
        src = EXAMPLE_DIR / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    shutil.copy2(REPO_ROOT / "profiles.yml.example", dest / "profiles.yml")
    project = DbtProject(dest)
    install_package(project)
    return project


def clone_built(built: DbtProject, dest: Path) -> DbtProject:
    """Copy a built project (target/ and the DuckDB file too): a fresh `dbt build` costs ~10 s.
    dbt_packages/dbt_alerts is a symlink to this repository: copied as a link, not followed.
    dbt in the copy re-parses only the files the test changes (partial parsing, see
    DbtProject.dbt); the seeds it does not re-parse keep the source's root_path in the manifest, so
    dbt loads those unchanged CSVs from the source: a project that is cloned must stay as it was
    built (built_project and the module-scoped builds are read-only)."""
    shutil.copytree(built.path, dest, symlinks=True, ignore=shutil.ignore_patterns("logs"))
    return DbtProject(dest, built.name, built.dbt_executable)
