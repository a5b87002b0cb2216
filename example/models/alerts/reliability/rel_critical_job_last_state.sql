{{ dbt_alerts.alert_model() }}
-- Final state of the latest finished run (last 48 hours) of the job named 'gold_daily_refresh'; no
-- row when it did not run. A run's final state is its latest job_run_timeline row with a
-- result_state (rows are hourly slices; a repaired run has one such row per attempt, same run_id).
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_run_timeline, jobs SCD2)
--       https://docs.databricks.com/aws/en/admin/system-tables/jobs-cost (repairs: rows per run_id)
with current_jobs as (
    select
        workspace_id,
        job_id,
        name,
        delete_time,
        row_number() over (partition by workspace_id, job_id order by change_time desc) as version_rank
    from {{ alert_source('system_lakeflow', 'jobs') }}
    where change_time < {{ dbt_alerts.alerts_now() }}
),

finished_attempts as (
    select
        workspace_id,
        job_id,
        run_id,
        result_state,
        period_end_time,
        row_number() over (partition by workspace_id, job_id, run_id order by period_end_time desc) as latest_first
    from {{ alert_source('system_lakeflow', 'job_run_timeline') }}
    where result_state is not null
      and period_end_time >= {{ dbt.dateadd('hour', -48, dbt_alerts.alerts_now()) }}
      and period_end_time < {{ dbt_alerts.alerts_now() }}
)

select
    j.name as job_name,
    r.run_id,
    r.result_state as last_result_state,
    r.period_end_time as finished_at
from finished_attempts as r
inner join current_jobs as j
    on j.workspace_id = r.workspace_id and j.job_id = r.job_id
where j.version_rank = 1
  and (j.delete_time is null or j.delete_time >= {{ dbt_alerts.alerts_now() }})
  and j.name = 'gold_daily_refresh'
  and r.latest_first = 1
order by r.period_end_time desc
limit 1
