{{ dbt_alerts.alert_model() }}
-- Share (%) of job runs that finished in the last 24 hours as FAILED, ERROR or TIMED_OUT, each run
-- counted once with its final state (see macros/finished_runs.sql: job_run_timeline rows are
-- hourly slices, and a repaired run has a finished row per attempt).
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_run_timeline slices)
--       https://docs.databricks.com/aws/en/admin/system-tables/jobs-cost (repairs: rows per run_id)
select
    count(*) as finished_runs,
    sum(case when result_state in ('FAILED', 'ERROR', 'TIMED_OUT') then 1 else 0 end) as failed_runs,
    round(100.0 * sum(case when result_state in ('FAILED', 'ERROR', 'TIMED_OUT') then 1 else 0 end) / nullif(count(*), 0), 2) as failure_rate_pct
from {{ finished_runs('job_run_timeline', 24) }} as runs
