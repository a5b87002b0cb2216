"""dbt's error texts as alert-sync shows them (errors.dbt_message): the message in one line,
without dbt's macro stack. The texts are real, captured from dbt-core 1.11 / dbt-duckdb on a copy
of the example project: run_results.json of a failed `dbt build`, the error events and exception
of `dbt compile` / `dbt ls` (evaluate --as-of, plan --select) and of loading a profile."""

from __future__ import annotations

import pytest

from alert_sync.errors import dbt_message

pytestmark = pytest.mark.unit  # no dbt, no emulator: `make test-fast`

# run_results.json `message` of failed nodes of `dbt build`
THRESHOLD_COLUMN_MISSING = (
    "Compilation Error in model cost_daily_spend_spike (models/alerts/cost/cost_daily_spend_spike.sql)\n"
    "  Alert model 'cost_daily_spend_spike': its row in seeds/alert_configurations.csv is not a valid alert:\n"
    "    - COST-001: threshold_column 'no_such_threshold_col' is not an output column of the query (output columns: "
    "current_cost, baseline_daily_cost, spend_ratio): fix the catalog row or alias the column in the query\n"
    "  \n"
    "  > in macro materialization_alert_default (macros/materializations/alert.sql)\n"
    "  > called by model cost_daily_spend_spike (models/alerts/cost/cost_daily_spend_spike.sql)")
UNDEFINED_MACRO = (
    "Compilation Error in model cost_jobs_dbus_30d (models/alerts/cost/cost_jobs_dbus_30d.sql)\n"
    "  'undefined_macro_xyz' is undefined. This can happen when calling a macro that does not exist. Check for typos "
    "and/or install package dependencies with \"dbt deps\".")
MISSING_COLUMN = (
    "Runtime Error in model cost_serverless_dbus (models/alerts/cost/cost_serverless_dbus.sql)\n"
    "  Binder Error: Referenced column \"no_such_column\" not found in FROM clause!\n"
    "  Candidate bindings: \"usage_unit\", \"workspace_id\", \"sku_name\", \"billing_origin_product\", "
    "\"usage_end_time\"\n"
    "  \n"
    "  LINE 8: select no_such_column,\n"
    "                 ^")
CATALOG_CHECK = (
    "Compilation Error in test catalog_rows_valid_stg_alert_configurations_ (models/catalog/_catalog.yml)\n"
    "  Alert catalog check 'every row is a valid alert' failed for 1 row(s) of seeds/alert_configurations.csv:\n"
    "    - COST-002: severity is 'SUPER': use CRITICAL, WARNING, INFO\n"
    "  \n"
    "  > in macro catalog_test_result (macros/catalog/catalog_test_result.sql)\n"
    "  > called by macro test_catalog_rows_valid (macros/tests/test_catalog_rows_valid.sql)\n"
    "  > called by test catalog_rows_valid_stg_alert_configurations_ (models/catalog/_catalog.yml)")
# error events of dbtRunner (`dbt compile --vars '{alerts_as_of: ...}'`, `dbt ls --select ...`)
COMPILE_EVENT = (
    "Encountered an error:\n"
    "Compilation Error in model cost_jobs_dbus_30d (models/alerts/cost/cost_jobs_dbus_30d.sql)\n"
    "  this alert cannot be backtested: its source keeps no history\n"
    "  \n"
    "  > in macro as_of_guard (macros/as_of_guard.sql)\n"
    "  > called by model cost_jobs_dbus_30d (models/alerts/cost/cost_jobs_dbus_30d.sql)")
NESTED_EVENT = (
    "Encountered an error:\nRuntime Error\n"
    "  Compilation Error in model cost_serverless_dbus (models/alerts/cost/cost_serverless_dbus.sql)\n"
    "  'undefined_macro_abc' is undefined. This can happen when calling a macro that does not exist. Check for "
    "typos and/or install package dependencies with \"dbt deps\".")
LS_EVENT = "Encountered an error:\nRuntime Error\n  Got a state selector method, but no comparison manifest"
LS_WARNING = "The selection criterion 'tag:nope+' does not match any enabled nodes"
# load_profile's exception
PROFILE = ("Runtime Error\n  The profile 'dbt_alerts_example' does not have a target named 'nope'. The valid target "
           "names for this profile are:\n   - local\n   - dev\n   - prod")


@pytest.mark.parametrize("text, node, shown", [
    (THRESHOLD_COLUMN_MISSING, "cost_daily_spend_spike",
     "Compilation Error: Alert model 'cost_daily_spend_spike': its row in seeds/alert_configurations.csv is not a "
     "valid alert: - COST-001: threshold_column 'no_such_threshold_col' is not an output column of the query (output "
     "columns: current_cost, baseline_daily_cost, spend_ratio): fix the catalog row or alias the column in the query"),
    (UNDEFINED_MACRO, "cost_jobs_dbus_30d",
     "Compilation Error: 'undefined_macro_xyz' is undefined. This can happen when calling a macro that does not exist. "
     "Check for typos and/or install package dependencies with \"dbt deps\"."),
    (MISSING_COLUMN, "cost_serverless_dbus",
     "Runtime Error: Binder Error: Referenced column \"no_such_column\" not found in FROM clause! Candidate bindings: "
     "\"usage_unit\", \"workspace_id\", \"sku_name\", \"billing_origin_product\", \"usage_end_time\" "
     "LINE 8: select no_such_column,"),
    (CATALOG_CHECK, None,
     "Compilation Error in test catalog_rows_valid_stg_alert_configurations_: Alert catalog check 'every row is a "
     "valid alert' failed for 1 row(s) of seeds/alert_configurations.csv: - COST-002: severity is 'SUPER': use "
     "CRITICAL, WARNING, INFO"),
    (COMPILE_EVENT, None,
     "Compilation Error in model cost_jobs_dbus_30d: this alert cannot be backtested: its source keeps no history"),
    (NESTED_EVENT, None,
     "Compilation Error in model cost_serverless_dbus: 'undefined_macro_abc' is undefined. This can happen when "
     "calling a macro that does not exist. Check for typos and/or install package dependencies with \"dbt deps\"."),
    (LS_EVENT, None, "Runtime Error: Got a state selector method, but no comparison manifest"),
    (LS_WARNING, None, LS_WARNING),
    (PROFILE, None, "Runtime Error: The profile 'dbt_alerts_example' does not have a target named 'nope'. The valid "
                    "target names for this profile are: - local - dev - prod"),
], ids=["materialization", "undefined-macro", "missing-column", "catalog-check", "compile-event", "nested-event",
        "ls-event", "ls-warning", "profile"])
def test_a_dbt_error_is_its_message_in_one_line_without_the_macro_stack(text, node, shown):
    assert dbt_message(text, node=node) == shown


def test_the_header_keeps_the_node_when_the_caller_names_another_or_none():
    assert dbt_message(UNDEFINED_MACRO).startswith("Compilation Error in model cost_jobs_dbus_30d: 'undefined_macro")
    assert dbt_message(UNDEFINED_MACRO, node="other").startswith("Compilation Error in model cost_jobs_dbus_30d:")


def test_an_exception_or_a_bare_word_passes_through():
    assert dbt_message(RuntimeError(PROFILE)).startswith("Runtime Error: The profile 'dbt_alerts_example'")
    assert dbt_message("error") == "error" and dbt_message("Runtime Error") == "Runtime Error"
