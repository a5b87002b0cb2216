{{ dbt_alerts.alert_model() }}
-- Per job: failed runs since its last successful run within the last 7 days (one row per failing
-- job; the alert takes the MAX). A run counts once, with its final state (macros/finished_runs.sql),
-- so a failure that a repair fixed is a success, and a repair that failed again is still one failed run.
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_run_timeline slices)
--       https://docs.databricks.com/aws/en/admin/system-tables/jobs-cost (repairs: rows per run_id)
with runs as (
    select workspace_id, job_id, run_id, result_state, period_end_time as finished_at
    from {{ finished_runs('job_run_timeline', 7 * 24) }} as finished
),

last_success as (
    select workspace_id, job_id, max(finished_at) as last_success_time
    from runs
    where result_state = 'SUCCEEDED'
    group by workspace_id, job_id
)

select
    f.workspace_id,
    f.job_id,
    count(*) as consecutive_failures,
    max(f.finished_at) as last_failure_time
from runs as f
left join last_success as s
    on s.workspace_id = f.workspace_id and s.job_id = f.job_id
where f.result_state in ('FAILED', 'ERROR', 'TIMED_OUT')
  and (s.last_success_time is null or f.finished_at > s.last_success_time)
group by f.workspace_id, f.job_id
order by consecutive_failures desc
