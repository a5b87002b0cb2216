"""Benchmark: `dbt build` wall time of this project on the local DuckDB target.

What it measures
  1. The shipped project: wall time of one full `dbt build` (seeds, models, tests, alerts) on an
     empty DuckDB file, and of a `dbt seed` alone on another empty DuckDB file.
  2. The cost of the `alert` materialization at scale: "N alert models against N plain views in
     the same run". Two generated copies of the project get N models each in
     models/alerts/bench/, all reading a generated seed `bench_events`:
       - alert: `{{ dbt_alerts.alert_model() }}` + `select sum(amount) as value from {{ ref('bench_events') }}
         where bucket = <i % 50>`, plus N rows appended to seeds/alert_configurations.csv
         (BENCH-0001.., query_model bench_alert_0001.., threshold_column value, DOUBLE, 10);
       - view:  the same N queries with `{{ config(materialized='view') }}`, no catalog rows.
     Each copy first runs, untimed, `dbt seed` and `dbt build --exclude path:models/alerts/bench`;
     then `dbt build --select path:models/alerts/bench` is timed --repeat times per variant,
     interleaved (alert, view, alert, view, ...), same --threads. Reported: min and median wall
     seconds per variant, dbt's own elapsed time (run_results.json, excludes startup + parse),
     SQL statements per node (from the debug-level logs/dbt.log), and the ratio alert / view
     (target <= 1.3).

Nothing is written into the repository: the example project (example/, with the dbt_alerts package
installed from this repository by packages.yml + dbt deps; profiles.yml.example as profiles.yml) is
copied once into a temp dir at start-up, every variant is derived from that snapshot, and
DBT_DUCKDB_PATH points at a DuckDB file inside each copy.

Run it
  make bench                                   # = .venv/bin/python bench/bench_dbt_build.py
  .venv/bin/python bench/bench_dbt_build.py --n 1000 --repeat 3 --threads 4
  .venv/bin/python bench/bench_dbt_build.py --n 200 --repeat 1 --skip-shipped   # quick check
Options: --n, --repeat, --threads, --skip-shipped, --keep (keep the temp dir and print it),
--json PATH (also write the results as JSON).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DBT = ROOT / ".venv" / "bin" / "dbt"
sys.path.insert(0, str(ROOT / "tests"))  # projects: copies of the example project
from projects import EXAMPLE_NAME, copy_example  # noqa: E402
BENCH_DIR = "models/alerts/bench"
BENCH_SELECTOR = f"path:{BENCH_DIR}"
BUCKETS = 50
EVENT_ROWS = 5000
TARGET_RATIO = 1.3


# --- running dbt ---------------------------------------------------------------------------------

@dataclass
class Run:
    args: list[str]
    seconds: float
    returncode: int
    output: str
    statuses: dict[str, int] = field(default_factory=dict)  # run_results.json status -> count
    dbt_elapsed: float | None = None  # run_results.json elapsed_time
    models_ok: int = 0  # models with status success

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failures(self, limit: int = 15) -> str:
        lines = [ln for ln in self.output.splitlines()
                 if re.search(r"\b(ERROR|FAIL|Error|error)\b", ln)]
        return "\n".join(lines[:limit]) or self.output[-3000:]


class Project:
    """A copy of the project in a temp dir with its own DuckDB file and profiles.yml."""

    def __init__(self, path: Path, threads: int):
        self.path = path
        self.threads = threads

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "DBT_"))}
        env["DBT_DUCKDB_PATH"] = str(self.path / "alerts.duckdb")
        env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        return env

    def command(self, *args: str) -> list[str]:
        return [str(DBT), *args, "--threads", str(self.threads),
                "--project-dir", str(self.path), "--profiles-dir", str(self.path)]

    def dbt(self, *args: str) -> Run:
        cmd = self.command(*args)
        results = self.path / "target" / "run_results.json"
        results.unlink(missing_ok=True)
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=self.path, env=self.env, capture_output=True, text=True,
                              timeout=3600)
        seconds = time.perf_counter() - start
        run = Run(list(args), seconds, proc.returncode, proc.stdout + proc.stderr)
        if results.exists():
            data = json.loads(results.read_text())
            run.dbt_elapsed = data.get("elapsed_time")
            for result in data.get("results", []):
                if result["unique_id"].startswith("operation."):
                    continue  # on-run-start hooks
                run.statuses[result["status"]] = run.statuses.get(result["status"], 0) + 1
                if result["unique_id"].startswith("model.") and result["status"] == "success":
                    run.models_ok += 1
        return run

    def statements_per_node(self, node_prefix: str) -> dict[str, int]:
        """SQL statements per node of the last invocation, from the debug-level logs/dbt.log.

        dbt logs every statement it sends (BEGIN / COMMIT / ROLLBACK included) as
        `On <unique_id>: <sql>` (`: Close` is not a statement); the last invocation is the
        part of the file after its last "Running with dbt=" line.
        """
        logs = self.path / "logs"
        # dbt rotates dbt.log at 10 MB into dbt.log.1 (newest) .. dbt.log.5: read oldest first.
        rotated = sorted(logs.glob("dbt.log.*"), key=lambda p: -int(p.suffix[1:]) if p.suffix[1:].isdigit() else 0)
        files = [p for p in [*rotated, logs / "dbt.log"] if p.exists()]
        if not files:
            return {}
        text = "".join(p.read_text(errors="replace") for p in files)
        text = text[max(text.rfind("Running with dbt="), 0):]
        counts: dict[str, int] = {}
        for match in re.finditer(r"On (" + re.escape(node_prefix) + r"[\w.]+): (?!Close)", text):
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
        return counts


def snapshot_repo(dest: Path) -> None:
    """Copy the example project once (other people edit seeds/ and models/ while this runs), with
    the package installed from this repository (tests/projects.py, as the test suite does)."""
    copy_example(dest)


def copy_project(snapshot: Path, dest: Path, threads: int) -> Project:
    shutil.copytree(snapshot, dest, symlinks=True)  # dbt_packages/dbt_alerts links to this repository
    return Project(dest, threads)


# --- generated models ----------------------------------------------------------------------------

def model_name(kind: str, i: int) -> str:
    return f"bench_{kind}_{i:04d}"


def query(i: int) -> str:
    return f"select sum(amount) as value from {{{{ ref('bench_events') }}}} where bucket = {i % BUCKETS}\n"


def write_bench_events(project: Project) -> None:
    rows = ["event_id,bucket,amount"]
    rows += [f"{i},{i % BUCKETS},{(i * 37) % 1000 / 10:.1f}" for i in range(EVENT_ROWS)]
    (project.path / "seeds" / "bench_events.csv").write_text("\n".join(rows) + "\n")


def catalog_template(rows: list[dict[str, str]]) -> dict[str, str]:
    """A valid existing catalog row to copy the non-key fields from."""
    for row in rows:
        if (row.get("threshold_value_type", "").upper() == "DOUBLE"
                and row.get("is_enabled", "").lower() == "true"
                and row.get("threshold_operator") in (">", ">=", "<", "<=")):
            return row
    if not rows:
        raise SystemExit("seeds/alert_configurations.csv has no rows to copy a bench row from")
    return rows[0]


def add_alert_models(project: Project, n: int) -> None:
    model_dir = project.path / BENCH_DIR
    model_dir.mkdir(parents=True)
    for i in range(1, n + 1):
        (model_dir / f"{model_name('alert', i)}.sql").write_text("{{ dbt_alerts.alert_model() }}\n" + query(i))

    catalog = project.path / "seeds" / "alert_configurations.csv"
    with catalog.open(newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or []), list(reader)
    template = catalog_template(rows)
    for i in range(1, n + 1):
        rows.append({**template,
                     "alert_id": f"BENCH-{i:04d}",
                     "alert_name": f"Bench alert {i:04d}",
                     "alert_description": "Generated by bench/bench_dbt_build.py",
                     "query_model": model_name("alert", i),
                     "threshold_column": "value",
                     "threshold_operator": ">",
                     "threshold_value_type": "DOUBLE",
                     "threshold_value": "10",
                     "custom_summary": "",
                     "custom_description": ""})
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    catalog.write_text(buf.getvalue())


def add_view_models(project: Project, n: int) -> None:
    model_dir = project.path / BENCH_DIR
    model_dir.mkdir(parents=True)
    for i in range(1, n + 1):
        (model_dir / f"{model_name('view', i)}.sql").write_text(
            "{{ config(materialized='view') }}\n" + query(i))


# --- reporting -----------------------------------------------------------------------------------

def fmt_statuses(statuses: dict[str, int]) -> str:
    return ", ".join(f"{count} {status}" for status, count in sorted(statuses.items())) or "-"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])


def dbt_version() -> str:
    out = subprocess.run([str(DBT), "--version"], capture_output=True, text=True).stdout
    core = re.search(r"installed:\s*(\S+)", out)
    duckdb = re.search(r"duckdb:\s*(\S+)", out)
    return f"dbt-core {core.group(1) if core else '?'}, dbt-duckdb {duckdb.group(1) if duckdb else '?'}"


def show(cmd: list[str], project: Project, var: str) -> str:
    """A reproducible shell command line; the copy's path as $<var>, the repo's paths relative."""
    rel = [str(c).replace(str(project.path), f"${var}").replace(str(ROOT) + "/", "") for c in cmd]
    quoted = " ".join(c if f"${var}" in c else shlex.quote(c) for c in rel)
    return f"DBT_DUCKDB_PATH=${var}/alerts.duckdb {quoted}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="generated models per variant (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed builds per variant (default 3)")
    parser.add_argument("--threads", type=int, default=4, help="dbt --threads for every run (default 4)")
    parser.add_argument("--skip-shipped", action="store_true", help="skip part 1 (the shipped project)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    if not DBT.exists():
        raise SystemExit(f"{DBT} not found: run `make install` first")

    tmp = Path(tempfile.mkdtemp(prefix="bench_dbt_build_"))
    results: dict = {"n": args.n, "repeat": args.repeat, "threads": args.threads}
    try:
        snapshot = tmp / "snapshot"
        snapshot_repo(snapshot)
        print(f"project snapshot taken at {time.strftime('%Y-%m-%d %H:%M:%S')} into {tmp}", flush=True)
        alert_models = len(list((snapshot / "models" / "alerts").rglob("*.sql")))
        catalog_rows = sum(1 for _ in csv.DictReader((snapshot / "seeds" / "alert_configurations.csv").open()))
        repro: list[str] = []

        # 1. the shipped project ------------------------------------------------------------------
        shipped_rows = []
        if not args.skip_shipped:
            print("1. shipped project: dbt build, dbt seed (fresh DuckDB each) ...", flush=True)
            build_copy = copy_project(snapshot, tmp / "shipped_build", args.threads)
            build = build_copy.dbt("build")
            seed_copy = copy_project(snapshot, tmp / "shipped_seed", args.threads)
            seed = seed_copy.dbt("seed")
            for label, run, proj in (("dbt build (full, incl. seeds)", build, build_copy),
                                     ("dbt seed", seed, seed_copy)):
                shipped_rows.append([label, f"{run.seconds:.2f}",
                                     f"{run.dbt_elapsed:.2f}" if run.dbt_elapsed else "-",
                                     fmt_statuses(run.statuses)])
                repro.append(show(proj.command(*run.args), proj, "SHIPPED"))
                if not run.ok:
                    print(f"   WARNING: `dbt {' '.join(run.args)}` exited {run.returncode}:\n"
                          + run.failures(), flush=True)
            results["shipped"] = {"build": {"wall_s": build.seconds, "dbt_elapsed_s": build.dbt_elapsed,
                                            "statuses": build.statuses, "ok": build.ok},
                                  "seed": {"wall_s": seed.seconds, "dbt_elapsed_s": seed.dbt_elapsed,
                                           "statuses": seed.statuses, "ok": seed.ok}}

        # 2. N alert models against N plain views --------------------------------------------------
        print(f"2. generating {args.n} alert models + catalog rows and {args.n} view models ...", flush=True)
        variants = {"alert": copy_project(snapshot, tmp / "alert", args.threads),
                    "view": copy_project(snapshot, tmp / "view", args.threads)}
        add_alert_models(variants["alert"], args.n)
        add_view_models(variants["view"], args.n)
        for name, proj in variants.items():
            write_bench_events(proj)
            print(f"   {name}: untimed dbt seed + dbt build --exclude {BENCH_SELECTOR} ...", flush=True)
            for prep in (("seed",), ("build", "--exclude", BENCH_SELECTOR)):
                run = proj.dbt(*prep)
                repro.append(show(proj.command(*prep), proj, name.upper()) + "   # untimed")
                if not run.ok:
                    print(f"   WARNING ({name}): `dbt {' '.join(prep)}` exited {run.returncode} "
                          f"({fmt_statuses(run.statuses)}):\n" + run.failures(), flush=True)

        timed_args = ("build", "--select", BENCH_SELECTOR)
        runs: dict[str, list[Run]] = {"alert": [], "view": []}
        for rep in range(1, args.repeat + 1):
            for name in ("alert", "view"):
                run = variants[name].dbt(*timed_args)
                runs[name].append(run)
                print(f"   repeat {rep}/{args.repeat} {name:5s}: {run.seconds:7.2f} s wall, "
                      f"dbt elapsed {run.dbt_elapsed or 0:.2f} s, {fmt_statuses(run.statuses)}", flush=True)
                if not run.ok or run.models_ok != args.n:
                    print(run.failures(), flush=True)
                    raise SystemExit(f"timed `dbt {' '.join(timed_args)}` ({name}) did not build "
                                     f"{args.n} models successfully")
        for name in ("alert", "view"):
            repro.append(show(variants[name].command(*timed_args), variants[name], name.upper())
                         + f"   # timed x{args.repeat}, interleaved")

        stmts = {}
        for name in ("alert", "view"):
            counts = variants[name].statements_per_node(f"model.{EXAMPLE_NAME}.bench_{name}_")
            stmts[name] = statistics.median(counts.values()) if counts else None

        summary = {}
        for name in ("alert", "view"):
            walls = [r.seconds for r in runs[name]]
            elapsed = [r.dbt_elapsed for r in runs[name] if r.dbt_elapsed is not None]
            summary[name] = {"wall_s": walls, "min_s": min(walls), "median_s": statistics.median(walls),
                             "dbt_elapsed_median_s": statistics.median(elapsed) if elapsed else None,
                             "statements_per_node": stmts[name]}
        ratio_min = summary["alert"]["min_s"] / summary["view"]["min_s"]
        ratio_median = summary["alert"]["median_s"] / summary["view"]["median_s"]
        results["bench"] = {**summary, "ratio_min": ratio_min, "ratio_median": ratio_median,
                            "target_ratio": TARGET_RATIO}

        # report ------------------------------------------------------------------------------
        print()
        print(f"dbt_alerts build benchmark — local DuckDB target, --threads {args.threads}")
        print(f"shipped project snapshot: {alert_models} alert models, {catalog_rows} catalog rows")
        print()
        if shipped_rows:
            print("1. shipped project (fresh DuckDB file each)")
            print(table(["command", "wall s", "dbt elapsed s", "nodes"], shipped_rows))
            print()
        print(f"2. {args.n} alert models against {args.n} plain views in the same run: "
              f"dbt build --select {BENCH_SELECTOR} (x{args.repeat}, interleaved)")
        bench_rows = []
        for name, label in (("alert", f"{args.n} alert models (alert_model())"),
                            ("view", f"{args.n} plain views")):
            s = summary[name]
            bench_rows.append([label, f"{s['min_s']:.2f}", f"{s['median_s']:.2f}",
                               f"{s['dbt_elapsed_median_s']:.2f}" if s["dbt_elapsed_median_s"] else "-",
                               f"{s['statements_per_node']:g}" if s["statements_per_node"] else "-",
                               " ".join(f"{w:.2f}" for w in s["wall_s"])])
        bench_rows.append(["ratio alert / view", f"{ratio_min:.2f}", f"{ratio_median:.2f}",
                           (f"{summary['alert']['dbt_elapsed_median_s'] / summary['view']['dbt_elapsed_median_s']:.2f}"
                            if summary["alert"]["dbt_elapsed_median_s"] and summary["view"]["dbt_elapsed_median_s"]
                            else "-"), "", ""])
        print(table(["variant", "min wall s", "median wall s", "median dbt elapsed s",
                     "SQL stmts/node", "all walls s"], bench_rows))
        verdict = "OK" if ratio_median <= TARGET_RATIO else "ABOVE TARGET"
        print(f"target: median ratio <= {TARGET_RATIO} -> {ratio_median:.2f} {verdict}")
        print("(wall = process start to exit, includes dbt start-up and parse; dbt elapsed = "
              "run_results.json elapsed_time; SQL stmts/node = median `On <node>:` lines in logs/dbt.log, "
              "last repeat)")
        print("(view repeat 1 creates the views; later repeats replace them: tmp view, rename to backup, "
              "rename, drop backup. An alert model creates nothing, so its repeats do the same work.)")
        print()
        print("3. reproduce. $SHIPPED = a fresh copy of example/ (dbt_project.yml, models, macros, seeds, "
              "profiles.yml.example as profiles.yml, packages.yml naming this repository, dbt deps);\n"
              "   $ALERT / $VIEW = such copies plus the "
              "generated files (run with --keep to keep them: <temp dir>/alert, <temp dir>/view)")
        print(f"   make bench   # = .venv/bin/python bench/bench_dbt_build.py --n {args.n} "
              f"--repeat {args.repeat} --threads {args.threads}")
        for line in repro:
            print("   " + line)
        print()
        env = {"cpus": os.cpu_count(), "python": platform.python_version(),
               "platform": platform.platform(), "dbt": dbt_version()}
        results["environment"] = env
        print(f"environment: {env['cpus']} CPUs, {env['dbt']}, Python {env['python']}, {env['platform']}")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2))
            print(f"results written to {args.json}")
        return 0
    finally:
        if args.keep:
            print(f"temp dir kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
