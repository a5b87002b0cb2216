"""Benchmark: `alert-sync lint` against the backtest it runs (`alert-sync evaluate` over the same window).

What it measures
  The example project's enabled alerts over --days daily moments (default 30, ending at the
  example's "now", 2026-11-01 06:00: lint's default window), two ways in one process:
    - evaluate: run_evaluate over that range (compile once, --threads, no record): the backtest alone;
    - lint: run_lint with the same days and threads: that backtest plus the rules and the report.
  One untimed --as-of evaluation first imports dbt and warms DuckDB. The variants are interleaved
  --repeat times. Reported: min / median wall seconds of each, lint's findings, and the ratio
  lint / evaluate (median; target <= 1.10: lint adds at most 10% to its backtest). Exits 1 when
  the ratio misses the target or lint's backtest differs from evaluate's.

Nothing is written into the repository: the example is copied into a temp dir and built there
once, untimed (as bench_backtest.py does).

Run it
  make bench                                  # includes .venv/bin/python bench/bench_lint.py
  .venv/bin/python bench/bench_lint.py --days 30 --repeat 3
Options: --days, --repeat, --threads, --keep (keep the temp dir).
"""

from __future__ import annotations

import argparse
import os
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

NOW = datetime(2026, 11, 1, 6, 0)  # the example's pinned "now" (alerts_local_as_of)
TARGET_RATIO = 1.10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30, help="daily moments (default 30)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per variant (default 3)")
    parser.add_argument("--threads", type=int, default=4, help="--threads (default 4)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-lint-"))
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
        from alert_sync.lint import LintOptions, run_lint

        first = NOW - timedelta(days=args.days - 1)
        common = dict(project_dir=project.path, profiles_dir=project.path, threads=args.threads)
        run_evaluate(EvaluateOptions(**common, as_of=NOW.isoformat(sep=" "), record=False), lambda _: None)  # warm-up

        walls: dict[str, list[float]] = {"evaluate": [], "lint": []}
        outcome = report = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            outcome = run_evaluate(EvaluateOptions(**common, start=first.isoformat(sep=" "),
                                                   end=NOW.isoformat(sep=" "), step="1d", record=False), lambda _: None)
            walls["evaluate"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            report = run_lint(LintOptions(**common, days=args.days), lambda _: None)
            walls["lint"].append(time.perf_counter() - t0)

        same = {s["alert_id"]: s for s in outcome.summary()} == report.backtest
        median = {n: statistics.median(w) for n, w in walls.items()}
        ratio = median["lint"] / median["evaluate"]
        print(f"\nlint vs its backtest: {len(report.alerts)} alerts x {args.days} daily moments "
              f"({first:%Y-%m-%d %H:%M} .. {NOW:%Y-%m-%d %H:%M}), --threads {args.threads}, --repeat {args.repeat}")
        print("| variant  | min wall s | median wall s |")
        print("|----------|------------|---------------|")
        for name, w in walls.items():
            print(f"| {name:<8} | {min(w):10.2f} | {median[name]:13.2f} |")
        by_rule = ", ".join(f"{rule} {n}" for rule, n in report.by_rule().items())
        print(f"lint findings: {report.count('error')} error(s), {report.count('warning')} warning(s), "
              f"{len(report.allowed)} allowed; by rule: {by_rule}")
        verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
        print(f"target: median lint / evaluate <= {TARGET_RATIO} -> {ratio:.3f} {verdict}")
        print(f"lint's backtest = evaluate's (triggered, fired, flaps of every alert): {'PASS' if same else 'FAIL'}")
        print(f"environment: {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f})")
        return 0 if same and ratio <= TARGET_RATIO else 1
    finally:
        if args.keep:
            print(f"temp dir kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
