{{ dbt_alerts.alert_model() }}
-- p95 latency (s) of finished SELECTs in the last 24 hours vs a limit of 1.5x their p95 over the 7 days before.
with recent as (
    select percentile_cont(0.95) within group (order by total_duration_ms) / 1000.0 as p95_seconds
    from {{ alert_source('system_query', 'history') }}
    where start_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
      and start_time < {{ dbt_alerts.alerts_now() }}
      and execution_status = 'FINISHED'
      and statement_type = 'SELECT'
),

baseline as (
    select percentile_cont(0.95) within group (order by total_duration_ms) / 1000.0 as p95_seconds
    from {{ alert_source('system_query', 'history') }}
    where start_time >= {{ dbt.dateadd('hour', -192, dbt_alerts.alerts_now()) }}
      and start_time < {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
      and execution_status = 'FINISHED'
      and statement_type = 'SELECT'
)

select
    round(recent.p95_seconds, 2) as p95_latency_seconds,
    round(baseline.p95_seconds, 2) as baseline_p95_seconds,
    round(1.5 * baseline.p95_seconds, 2) as p95_limit_seconds
from recent
cross join baseline
