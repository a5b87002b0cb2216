{{ dbt_alerts.alert_model() }}
-- Share (%) of job runs that finished in the last 24 hours as FAILED, ERROR or TIMED_OUT, each run
-- counted once with its final state (see macros/finished_runs.sql: job_run_timeline rows are
-- hourly slices, and a repaired run has a finished row per attempt).
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_run_timeline slices)
--       https://docs.databricks.com/aws/en/admin/system-tables/jobs-cost (repairs: rows per run_id)
{{ dbt_alerts.failure_rate(finished_runs('job_run_timeline', 24), time_column='period_end_time', state_column='result_state', failure_states=['FAILED', 'ERROR', 'TIMED_OUT'], window_hours=24) }}
