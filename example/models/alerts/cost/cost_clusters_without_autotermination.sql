{{ dbt_alerts.alert_model() }}
-- Live all-purpose clusters whose current configuration never auto-terminates (the current row of
-- the SCD2 table system.compute.clusters: macros/current_versions.sql).
select
    count(*) as clusters_without_autotermination
from {{ current_versions('system_compute', 'clusters', 'cluster_id') }} as clusters
where (delete_time is null or delete_time >= {{ dbt_alerts.alerts_now() }})
  and cluster_source in ('UI', 'API')
  and coalesce(auto_termination_minutes, 0) = 0
