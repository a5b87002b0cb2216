{{ dbt_alerts.alert_model() }}
-- Average memory used (%) per cluster over the last 6 hours (one row per cluster; the alert takes the MAX).
select
    cluster_id,
    count(distinct instance_id) as nodes,
    round(avg(mem_used_percent), 1) as avg_mem_used_percent,
    round(max(mem_used_percent), 1) as max_mem_used_percent
from {{ alert_source('system_compute', 'node_timeline') }}
where start_time >= {{ dbt.dateadd('hour', -6, dbt_alerts.alerts_now()) }}
  and start_time < {{ dbt_alerts.alerts_now() }}
group by cluster_id
order by avg_mem_used_percent desc
