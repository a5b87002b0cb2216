{{ dbt_alerts.alert_model() }}
-- End time of the last successful run of the job named 'nightly_backup' in the last 48 hours; NULL
-- when there was none. A run counts with its final state: its latest job_run_timeline row with a
-- result_state (rows are hourly slices; a repaired run has one such row per attempt, same run_id).
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_run_timeline, jobs SCD2)
--       https://docs.databricks.com/aws/en/admin/system-tables/jobs-cost (repairs: rows per run_id)
with current_jobs as (
    select
        workspace_id,
        job_id,
        name,
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
    cast(max(r.period_end_time) as {{ dbt.type_string() }}) as last_success_time
from finished_attempts as r
inner join current_jobs as j
    on j.workspace_id = r.workspace_id and j.job_id = r.job_id
where j.version_rank = 1
  and j.name = 'nightly_backup'
  and r.latest_first = 1
  and r.result_state = 'SUCCEEDED'
