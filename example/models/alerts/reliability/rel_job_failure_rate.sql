{{ dbt_alerts.alert_model() }}
-- Share (%) of job runs that finished in the last 24 hours as FAILED, ERROR or TIMED_OUT, each run
-- counted once with its final state. job_run_timeline slices a run into rows of at most an hour,
-- result_state only on the row that ends it, and a repaired run has such a row per attempt (same
-- run_id), so a run's final state is its latest row with a result_state.
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_run_timeline slices)
--       https://docs.databricks.com/aws/en/admin/system-tables/jobs-cost (repairs: rows per run_id)
with finished_attempts as (
    select
        workspace_id,
        job_id,
        run_id,
        result_state,
        row_number() over (partition by workspace_id, job_id, run_id order by period_end_time desc) as latest_first
    from {{ alert_source('system_lakeflow', 'job_run_timeline') }}
    where result_state is not null
      and period_end_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
      and period_end_time < {{ dbt_alerts.alerts_now() }}
),

runs as (
    select workspace_id, job_id, run_id, result_state
    from finished_attempts
    where latest_first = 1
)

select
    count(*) as finished_runs,
    sum(case when result_state in ('FAILED', 'ERROR', 'TIMED_OUT') then 1 else 0 end) as failed_runs,
    round(100.0 * sum(case when result_state in ('FAILED', 'ERROR', 'TIMED_OUT') then 1 else 0 end) / nullif(count(*), 0), 2) as failure_rate_pct
from runs
