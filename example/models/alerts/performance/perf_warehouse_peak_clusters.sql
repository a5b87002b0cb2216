{{ dbt_alerts.alert_model() }}
-- Peak number of running clusters per SQL warehouse in the last 24 hours (one row per warehouse; the alert takes the MAX).
select
    warehouse_id,
    max(cluster_count) as peak_cluster_count,
    sum(case when event_type = 'SCALED_UP' then 1 else 0 end) as scale_ups
from {{ alert_source('system_compute', 'warehouse_events') }}
where event_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
  and event_time < {{ dbt_alerts.alerts_now() }}
group by warehouse_id
order by peak_cluster_count desc
