{{ dbt_alerts.alert_model() }}
-- End time of the last successful run of the job named 'nightly_backup' in the last 48 hours; NULL when there was none.
with current_jobs as (
    select
        workspace_id,
        job_id,
        name,
        row_number() over (partition by workspace_id, job_id order by change_time desc) as version_rank
    from {{ alert_source('system_lakeflow', 'jobs') }}
    where change_time < {{ dbt_alerts.alerts_now() }}
)

select
    cast(max(r.period_end_time) as {{ dbt.type_string() }}) as last_success_time
from {{ alert_source('system_lakeflow', 'job_run_timeline') }} as r
inner join current_jobs as j
    on j.workspace_id = r.workspace_id and j.job_id = r.job_id
where j.version_rank = 1
  and j.name = 'nightly_backup'
  and r.result_state = 'SUCCEEDED'
  and r.period_end_time >= {{ dbt.dateadd('hour', -48, dbt_alerts.alerts_now()) }}
  and r.period_end_time < {{ dbt_alerts.alerts_now() }}
