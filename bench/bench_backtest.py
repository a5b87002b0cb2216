"""Benchmark: an `alert-sync evaluate` backtest, compile-once against per-moment compiles.

What it measures
  The example project's enabled alerts (35) over --days daily moments (default 90, at 06:00,
  ending at the sample data's last day), two ways in the same process and the same run:
    - per-moment: dbt compiles every alert model once per moment with var alerts_as_of (the path
      evaluate took before; EvaluateOptions(compile_once=False));
    - compile-once: four dbt compiles in all (two sentinel moments, the first and the last moment),
      the moment substituted into each model proven to reproduce dbt's compile at both ends
      (the default path).
  Both run the same run_evaluate with the same --threads and --no-record (the alert_evaluations
  write is the same for both and not what changed). Before timing, one untimed --as-of
  evaluation imports dbt and warms DuckDB, so neither variant pays the imports. Variants are
  interleaved --repeat times (per-moment, compile-once, ...). Reported: min / median wall seconds,
  dbt compile invocations, evaluations, models recompiled per moment, and the ratio
  compile-once / per-moment (median; target <= 0.15). Results must be identical: the same
  (alert, moment) -> state, value, threshold, row count and error for every evaluation; the
  script exits 1 when they differ or the ratio misses the target.

Nothing is written into the repository: the example project is copied into a temp dir (with the
dbt_alerts package installed from this repository by packages.yml + dbt deps; profiles.yml from
profiles.yml.example) and built there once, untimed; DBT_DUCKDB_PATH points at its own DuckDB file.

Run it
  make bench                                        # includes .venv/bin/python bench/bench_backtest.py
  .venv/bin/python bench/bench_backtest.py          # --days 90 --repeat 1 --threads 4
  .venv/bin/python bench/bench_backtest.py --days 31 --repeat 3
Options: --days, --repeat, --threads, --keep (keep the temp dir), --json PATH (also write the
results as JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # projects: copies of the example project
from projects import copy_example  # noqa: E402

LAST_MOMENT = datetime(2026, 10, 31, 6, 0)  # the sample data ends 2026-10-31; "now" is 2026-11-01 06:00
TARGET_RATIO = 0.15


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def result_key(evaluations) -> dict[tuple[str, str | None], tuple]:
    return {(e.alert_id, e.as_of): (e.state, repr(e.value), repr(e.threshold), e.row_count, e.error)
            for e in evaluations}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=90, help="daily moments (default 90)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per variant (default 1)")
    parser.add_argument("--threads", type=int, default=4, help="evaluate --threads (default 4)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-backtest-"))
    try:
        started = time.perf_counter()
        project = copy_example(tmp / "project")
        os.environ.update(DBT_DUCKDB_PATH=str(project.duckdb_path), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
        build = project.dbt("build")
        if not build.ok:
            print(build.output[-3000:])
            return 1
        print(f"example project copied and built in {time.perf_counter() - started:.1f} s (not timed)")

        from alert_sync.evaluate.runner import EvaluateOptions, run_evaluate

        first = LAST_MOMENT - timedelta(days=args.days - 1)
        common = dict(project_dir=project.path, profiles_dir=project.path, threads=args.threads, record=False)
        run_evaluate(EvaluateOptions(**common, as_of=LAST_MOMENT.isoformat(sep=" ")), lambda _: None)  # warm-up

        variants = {"per-moment": False, "compile-once": True}
        walls: dict[str, list[float]] = {name: [] for name in variants}
        outcomes = {}
        compiles: dict[str, int] = {}
        for _ in range(args.repeat):
            for name, once in variants.items():
                options = EvaluateOptions(**common, start=first.isoformat(sep=" "),
                                          end=LAST_MOMENT.isoformat(sep=" "), step="1d", compile_once=once)
                t0 = time.perf_counter()
                outcome = run_evaluate(options, lambda _: None)
                walls[name].append(time.perf_counter() - t0)
                outcomes[name] = outcome
                compiles[name] = outcome.dbt_compiles

        # Where compile-once spends its time: the dbt part alone (parse + the four compiles that
        # prove and make the templates), timed apart, the rest being the 3150 queries.
        from alert_sync.evaluate.backtest import AsOfCompiler, MomentSql, build_vars

        moments = [(first + timedelta(days=i)).strftime("%Y-%m-%d %H:%M:%S") for i in range(args.days)]
        models = sorted({a.model for a in outcomes["compile-once"].alerts})
        dbt_part = []
        for _ in range(args.repeat):
            workdir = Path(tempfile.mkdtemp(dir=tmp))
            t0 = time.perf_counter()
            MomentSql(AsOfCompiler(project.path, project.path, "target", build_vars(project.path, "target"), models,
                                   workdir), moments)
            dbt_part.append(time.perf_counter() - t0)
        queries_ms = sum(e.duration_ms or 0 for e in outcomes["compile-once"].evaluations)

        per, once = outcomes["per-moment"], outcomes["compile-once"]
        same = result_key(per.evaluations) == result_key(once.evaluations)
        alerts = len(per.alerts)
        median = {n: statistics.median(w) for n, w in walls.items()}
        ratio = median["compile-once"] / median["per-moment"]
        rows = []
        for name in variants:
            o = outcomes[name]
            c = o.counts()
            recompiled = len(o.recompiled_per_moment) if name == "compile-once" else "all"
            rows.append([name, f"{min(walls[name]):.2f}", f"{median[name]:.2f}", str(compiles[name]),
                         str(recompiled), str(len(o.evaluations)),
                         f"{c['TRIGGERED']} / {c['OK']} / {c['ERROR']}"])
        rows.append(["ratio compile-once / per-moment", f"{min(walls['compile-once']) / min(walls['per-moment']):.3f}",
                     f"{ratio:.3f}", "", "", "", ""])
        print(f"\nbacktest of {alerts} alerts x {args.days} daily moments ({first:%Y-%m-%d %H:%M} .. "
              f"{LAST_MOMENT:%Y-%m-%d %H:%M}), --threads {args.threads}, --repeat {args.repeat}, no record")
        print(table(["variant", "min wall s", "median wall s", "dbt compiles", "models recompiled per moment",
                     "evaluations", "TRIGGERED / OK / ERROR"], rows))
        print(f"compile-once, of which dbt (parse + 4 compiles, timed apart): median "
              f"{statistics.median(dbt_part):.2f} s; the queries: {len(once.evaluations)} of them, "
              f"{queries_ms / 1000:.2f} s summed over --threads {args.threads} "
              f"(median {statistics.median(e.duration_ms or 0 for e in once.evaluations)} ms each)")
        if once.recompiled_per_moment:
            print("recompiled per moment: " + "; ".join(f"{m} ({why})" for m, why in
                                                       sorted(once.recompiled_per_moment.items())))
        verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
        print(f"target: median ratio <= {TARGET_RATIO} -> {ratio:.3f} {verdict}")
        print(f"results identical (state, value, threshold, row_count, error of every alert x moment): "
              f"{'PASS' if same else 'FAIL'}")
        print(f"\nreproduce: .venv/bin/python bench/bench_backtest.py --days {args.days} --repeat {args.repeat} "
              f"--threads {args.threads}")
        from dbt.version import __version__ as dbt_version

        env = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
               "dbt": dbt_version, "load_average": os.getloadavg()[0]}
        print(f"environment: {env['cpus']} CPUs (load average {env['load_average']:.1f}), dbt {env['dbt']}, "
              f"Python {env['python']}, {env['platform']}")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"alerts": alerts, "days": args.days, "threads": args.threads,
                                             "walls_s": walls, "dbt_compiles": compiles,
                                             "compile_once_dbt_s": dbt_part, "compile_once_queries_ms_summed": queries_ms, "ratio_median": ratio,
                                             "identical": same, "environment": env}, indent=2))
            print(f"results written to {args.json}")
        return 0 if same and ratio <= TARGET_RATIO else 1
    finally:
        if args.keep:
            print(f"temp dir kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
