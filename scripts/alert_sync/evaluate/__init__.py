"""`alert-sync evaluate`: would my alerts fire? Alerts v2 evaluation on the dbt target itself.

Split along its seams, each importable on its own:

* semantics -- the pure Alerts v2 rules (aggregate, compare, evaluate_rows): a query result in,
  OK / TRIGGERED / ERROR out; no I/O, no dbt, no database. docs/evaluate.md "How evaluate decides a state".
* backtest  -- backtest moments (--as-of / --from / --to / --step) and the recompile of the alert
  models with var alerts_as_of through dbt's dbtRunner.
* runner    -- the run: plan the catalog's alerts, run their queries on the dbt target, evaluate,
  record the evaluations in alert_evaluations, exit codes.
* output    -- values for JSON, storage and people, and the human lines of a run.
* notification -- custom_summary / custom_description rendered with an evaluation's values (pure).

Imports go one way: runner -> backtest, notification; output -> semantics, notification. The names below are what the CLI
and the tests import from `alert_sync.evaluate`.
"""

from .backtest import backtest_moments
from .output import evaluation_lines, moment_label, moment_line, notification_lines, summary_lines
from .runner import EvaluateOptions, exit_code, run_alert, run_evaluate
from .semantics import aggregate, evaluate_rows

__all__ = [
    "EvaluateOptions", "aggregate", "backtest_moments", "evaluate_rows", "evaluation_lines", "exit_code",
    "moment_label", "moment_line", "notification_lines", "run_alert", "run_evaluate", "summary_lines",
]
