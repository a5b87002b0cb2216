{{ dbt_alerts.alert_model() }}
-- Statements started in the last 24 hours that ran for more than 30 minutes.
select
    count(*) as long_running_queries,
    round(coalesce(max(total_duration_ms), 0) / 60000.0, 1) as longest_minutes
from {{ alert_source('system_query', 'history') }}
where start_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and start_time < {{ dbt_alerts.alerts_now() }}
  and total_duration_ms > 30 * 60 * 1000
