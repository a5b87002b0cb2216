{{ dbt_alerts.alert_model() }}
-- Per job: failed runs since its last success within the last 7 days (one row per failing job; the alert takes the MAX).
with finished as (
    select workspace_id, job_id, result_state, period_end_time
    from {{ alert_source('system_lakeflow', 'job_run_timeline') }}
    where result_state is not null
      and period_end_time >= {{ dbt.dateadd('day', -7, dbt_alerts.alerts_now()) }}
      and period_end_time < {{ dbt_alerts.alerts_now() }}
),

last_success as (
    select workspace_id, job_id, max(period_end_time) as last_success_time
    from finished
    where result_state = 'SUCCEEDED'
    group by workspace_id, job_id
)

select
    f.workspace_id,
    f.job_id,
    count(*) as consecutive_failures,
    max(f.period_end_time) as last_failure_time
from finished as f
left join last_success as s
    on s.workspace_id = f.workspace_id and s.job_id = f.job_id
where f.result_state in ('FAILED', 'ERROR', 'TIMED_OUT')
  and (s.last_success_time is null or f.period_end_time > s.last_success_time)
group by f.workspace_id, f.job_id
order by consecutive_failures desc
