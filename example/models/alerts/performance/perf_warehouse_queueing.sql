{{ dbt_alerts.alert_model() }}
-- Average time (s) statements queued for warehouse capacity in the last hour; no row when nothing ran.
select
    round(avg(coalesce(waiting_at_capacity_duration_ms, 0)) / 1000.0, 2) as avg_queue_seconds,
    round(max(coalesce(waiting_at_capacity_duration_ms, 0)) / 1000.0, 2) as max_queue_seconds,
    count(*) as statements
from {{ alert_source('system_query', 'history') }}
where start_time >= {{ dbt.dateadd('hour', -1, dbt_alerts.alerts_now()) }}
  and start_time < {{ dbt_alerts.alerts_now() }}
having count(*) > 0
