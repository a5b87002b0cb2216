{{ dbt_alerts.alert_model() }}
-- Share (%) of job runs that finished in the last 24 hours as FAILED, ERROR or TIMED_OUT.
select
    count(*) as finished_runs,
    sum(case when result_state in ('FAILED', 'ERROR', 'TIMED_OUT') then 1 else 0 end) as failed_runs,
    round(100.0 * sum(case when result_state in ('FAILED', 'ERROR', 'TIMED_OUT') then 1 else 0 end) / nullif(count(*), 0), 2) as failure_rate_pct
from {{ alert_source('system_lakeflow', 'job_run_timeline') }}
where result_state is not null
  and period_end_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and period_end_time < {{ dbt_alerts.alerts_now() }}
