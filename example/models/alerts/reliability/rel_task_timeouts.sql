{{ dbt_alerts.alert_model() }}
-- Job task runs that timed out in the last 7 days: one row per task run whose final state is
-- TIMED_OUT (the alert counts distinct run_id). job_task_run_timeline is sliced like
-- job_run_timeline, result_state only on the row that ends an attempt, so a task run's final
-- state is its latest row with a result_state (macros/finished_runs.sql).
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_task_run_timeline)
select
    job_id,
    task_key,
    run_id,
    job_run_id,
    period_end_time as timed_out_at
from {{ finished_runs('job_task_run_timeline', 7 * 24) }} as task_runs
where result_state = 'TIMED_OUT'
order by timed_out_at desc
