{{ dbt_alerts.alert_model() }}
-- All-purpose clusters that ran in the last 24 hours at under 10% average CPU: paid for, barely used (one row per cluster).
with utilization as (
    select
        workspace_id,
        cluster_id,
        count(distinct instance_id) as nodes,
        avg(cpu_user_percent + cpu_system_percent) as avg_cpu_percent
    from {{ alert_source('system_compute', 'node_timeline') }}
    where start_time >= {{ dbt.dateadd('hour', -24, dbt_alerts.alerts_now()) }}
      and start_time < {{ dbt_alerts.alerts_now() }}
    group by workspace_id, cluster_id
)

select
    c.cluster_id,
    c.cluster_name,
    c.owned_by,
    u.nodes,
    round(u.avg_cpu_percent, 1) as avg_cpu_percent
from {{ current_versions('system_compute', 'clusters', 'cluster_id') }} as c
inner join utilization as u
    on u.workspace_id = c.workspace_id and u.cluster_id = c.cluster_id
where (c.delete_time is null or c.delete_time >= {{ dbt_alerts.alerts_now() }})
  and c.cluster_source in ('UI', 'API')
  and u.avg_cpu_percent < 10
order by u.avg_cpu_percent
