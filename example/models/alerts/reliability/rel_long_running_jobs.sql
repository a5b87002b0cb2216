{{ dbt_alerts.alert_model() }}
-- Job runs active in the last 24 hours whose wall-clock time exceeds 4 hours (hourly timeline slices joined per run).
with runs as (
    select
        workspace_id,
        job_id,
        run_id,
        min(period_start_time) as run_start,
        max(period_end_time) as run_end
    from {{ alert_source('system_lakeflow', 'job_run_timeline') }}
    where period_start_time >= {{ dbt.dateadd('hour', -48, dbt_alerts.alerts_now()) }}
      and period_start_time < {{ dbt_alerts.alerts_now() }}
    group by workspace_id, job_id, run_id
)

select
    count(*) as long_running_runs,
    round(coalesce(max({{ dbt.datediff('run_start', 'run_end', 'minute') }}), 0) / 60.0, 1) as longest_run_hours
from runs
where run_end >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and {{ dbt.datediff('run_start', 'run_end', 'minute') }} > 240
