{{ dbt_alerts.alert_model() }}
-- Live all-purpose clusters whose current configuration never auto-terminates.
with current_clusters as (
    select
        cluster_id,
        cluster_source,
        auto_termination_minutes,
        delete_time,
        row_number() over (partition by workspace_id, cluster_id order by change_time desc) as version_rank
    from {{ alert_source('system_compute', 'clusters') }}
    where change_time < {{ dbt_alerts.alerts_now() }}
)

select
    count(*) as clusters_without_autotermination
from current_clusters
where version_rank = 1
  and (delete_time is null or delete_time >= {{ dbt_alerts.alerts_now() }})
  and cluster_source in ('UI', 'API')
  and coalesce(auto_termination_minutes, 0) = 0
