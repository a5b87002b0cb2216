{{ dbt_alerts.alert_model() }}
-- Job task runs that timed out in the last 7 days: one row per task run whose final state is
-- TIMED_OUT (the alert counts distinct run_id). job_task_run_timeline is sliced like
-- job_run_timeline, result_state only on the row that ends an attempt, so a task run's final
-- state is its latest row with a result_state.
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_task_run_timeline)
with finished_task_attempts as (
    select
        job_id,
        task_key,
        run_id,
        job_run_id,
        result_state,
        period_end_time,
        row_number() over (partition by workspace_id, job_id, run_id order by period_end_time desc) as latest_first
    from {{ alert_source('system_lakeflow', 'job_task_run_timeline') }}
    where result_state is not null
      and period_end_time >= {{ dbt.dateadd('day', -7, dbt_alerts.alerts_now()) }}
      and period_end_time < {{ dbt_alerts.alerts_now() }}
)

select
    job_id,
    task_key,
    run_id,
    job_run_id,
    period_end_time as timed_out_at
from finished_task_attempts
where latest_first = 1
  and result_state = 'TIMED_OUT'
order by timed_out_at desc
