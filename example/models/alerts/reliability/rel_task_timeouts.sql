{{ dbt_alerts.alert_model() }}
-- Job task runs that timed out in the last 7 days (one row per task run; the alert counts distinct run_id).
select
    job_id,
    task_key,
    run_id,
    job_run_id,
    period_end_time as timed_out_at
from {{ alert_source('system_lakeflow', 'job_task_run_timeline') }}
where result_state = 'TIMED_OUT'
  and period_end_time >= {{ dbt.dateadd('day', -7, dbt_alerts.alerts_now()) }}
  and period_end_time < {{ dbt_alerts.alerts_now() }}
order by period_end_time desc
