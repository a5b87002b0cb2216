{{ dbt_alerts.alert_model() }}
-- Job runs active in the last 24 hours that have been running for more than 4 hours. job_run_timeline
-- slices a run into rows of at most one clock hour, so a run's running time is the sum of its rows'
-- durations. A repaired run has rows for every attempt (same run_id): the wait between a failed
-- attempt and its repair is not running time, which max(end) - min(start) would count.
-- Docs: https://docs.databricks.com/aws/en/admin/system-tables/jobs (job_run_timeline slices)
--       https://docs.databricks.com/aws/en/admin/system-tables/jobs-cost (repairs: rows per run_id)
with runs as (
    select
        workspace_id,
        job_id,
        run_id,
        sum({{ dbt.datediff('period_start_time', 'period_end_time', 'second') }}) as running_seconds,
        max(period_end_time) as last_active_at
    from {{ alert_source('system_lakeflow', 'job_run_timeline') }}
    where period_start_time >= {{ dbt.dateadd('hour', -48, dbt_alerts.alerts_now()) }}
      and period_start_time < {{ dbt_alerts.alerts_now() }}
    group by workspace_id, job_id, run_id
)

select
    count(*) as long_running_runs,
    round(coalesce(max(running_seconds), 0) / 3600.0, 1) as longest_run_hours
from runs
where last_active_at >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and running_seconds > 4 * 3600
