{{ dbt_alerts.alert_model() }}
-- Share (%) of SQL statements that failed in the last 24 hours.
select
    count(*) as statements,
    sum(case when execution_status = 'FAILED' then 1 else 0 end) as failed_statements,
    round(100.0 * sum(case when execution_status = 'FAILED' then 1 else 0 end) / nullif(count(*), 0), 2) as failure_rate_pct
from {{ alert_source('system_query', 'history') }}
where start_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and start_time < {{ dbt_alerts.alerts_now() }}
