{{ dbt_alerts.alert_model() }}
-- GiB spilled to local disk by statements started in the last 24 hours (memory pressure).
select
    round(coalesce(sum(spilled_local_bytes), 0) / 1073741824.0, 2) as spilled_gb,
    sum(case when spilled_local_bytes > 0 then 1 else 0 end) as spilling_queries
from {{ alert_source('system_query', 'history') }}
where start_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and start_time < {{ dbt_alerts.alerts_now() }}
